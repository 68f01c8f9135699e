/*
 * cli.h — the command line's one description of itself. Each command is a
 * struct cli_command with a table of options; from those tables come the
 * parsing (getopt_long), `stagecast help`, `stagecast help COMMAND`,
 * `stagecast COMMAND --help`, the man page stagecast(1) and docs/cli.md, so
 * that none of them can disagree with another.
 *
 * The CLI is the only layer that reads argv and the environment, prints
 * errors and chooses exit codes: 0 success, 2 bad input or usage, 1 other
 * failures. Library modules get everything as parameters.
 *
 * Ownership: the tables are static and read-only; strings the parser hands
 * out point into argv.
 */
#ifndef STAGECAST_CLI_H
#define STAGECAST_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "models/diag.h"

#define CLI_EXIT_INPUT 2

struct cli_env;

/* One option of a command. */
struct cli_option {
    int key;          /* what the command's handler switches on */
    const char *name; /* the long name, without "--" */
    int short_name;   /* a letter, or 0 for none */
    const char *arg;  /* the value's name in help ("OUT"); NULL: a flag */
    const char *help; /* one line */
};

/* One command. Every command also takes -h/--help, which is not in its
 * table. */
struct cli_command {
    const char *name;
    const char *operands; /* after the options in the synopsis: "FILE", "LOG..." */
    const char *summary;  /* one line, lower case, no full stop */
    const char *details;  /* a paragraph for `help COMMAND` and the man page; NULL: none */
    const struct cli_option *options;
    size_t n_options;
    /* Runs the command: argv[0] is the command word. Returns the exit
     * status. */
    int (*run)(int argc, char **argv, const struct cli_env *env);
};

/* The commands, in the order help lists them. */
const struct cli_command *const *cli_commands(size_t *n);

/* The command named name, or NULL. */
const struct cli_command *cli_command_find(const char *name);

/* Receives one option: key from the table, arg its value (NULL for a flag).
 * Returns SC_OK, or SC_EINPUT with the problem in d. */
typedef enum sc_status (*cli_option_fn)(void *ctx, int key, const char *arg, struct diag *d);

/* Reads argv (argv[0] the command word) by cmd's table with getopt_long,
 * calling on_option for each option in the order given. Operands may come
 * before, between or after options; on return they are argv[*first_operand
 * .. argc) in their order. *help is set when -h/--help was given (parsing
 * stops there). Returns SC_OK, or SC_EINPUT with the usage problem in d (an
 * unknown option, a missing value, or what on_option said). Prints
 * nothing. */
enum sc_status cli_parse(const struct cli_command *cmd, int argc, char **argv,
                         cli_option_fn on_option, void *ctx, int *first_operand, bool *help,
                         struct diag *d);

/* Parses a whole decimal number in [lo, hi] (no sign). 0, or -1 when text
 * is not one. */
int cli_parse_u64(const char *text, unsigned long long lo, unsigned long long hi,
                  unsigned long long *out);

/* ---- printing (help.c) ---------------------------------------------------- */

/* `stagecast help`: the commands and their summaries. */
void cli_print_overview(FILE *out);

/* `stagecast help COMMAND`, `stagecast COMMAND --help`: its synopsis,
 * description and options. */
void cli_print_usage(FILE *out, const struct cli_command *cmd);

/* The man page stagecast(1), in roff. */
void cli_print_man(FILE *out);

/* The CLI reference docs/cli.md, in Markdown. */
void cli_print_markdown(FILE *out);

/* ---- errors (cli.c) ------------------------------------------------------- */

/* The exit status for a status: 0, 2 for the user's input, else 1. */
int cli_exit_code(enum sc_status st);

/* Prints d as "stagecast: file:line: message" on stderr; returns its exit
 * status. */
int cli_report_error(const struct diag *d);

/* Prints "stagecast: MESSAGE" and where to read cmd's usage (cmd may be
 * NULL: the overview) on stderr; returns CLI_EXIT_INPUT. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parses argv for cmd and settles --help and usage errors: returns -1 when
 * the command should go on (operands from *first_operand), else the exit
 * status to return (0 after printing the help, 2 after a usage error). */
int cli_parse_or_exit(const struct cli_command *cmd, int argc, char **argv, cli_option_fn on_option,
                      void *ctx, int *first_operand);

/* Flushes stdout; 0, or 1 with a message when writing failed. */
int cli_flush_stdout(void);

#endif
