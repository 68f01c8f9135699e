/*
 * cli.c — reading a command's arguments by its option table with
 * getopt_long, and the few ways the command line reports a failure. The
 * tables themselves are with their commands (cmd_*.c); help.c prints them.
 */
#include "config.h"

#include "sim/cli/cli.h"

#include "models/utf8.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* getopt_long's value for option i of a table: its letter, or a number
 * past every character for a long-only option. */
#define CLI_LONG_BASE 0x100

enum sc_status cli_parse(const struct cli_command *cmd, int argc, char **argv,
                         cli_option_fn on_option, void *ctx, int *first_operand, bool *help,
                         struct diag *d)
{
    size_t n = cmd->n_options;
    *help = false;
    *first_operand = argc;
    struct option *longs = calloc(n + 2, sizeof *longs);
    /* ":" first: a missing value comes back as ':' and getopt prints
     * nothing (opterr = 0); "h" for --help; two characters per option. */
    char *shorts = malloc(3 * n + 4);
    if (!longs || !shorts) {
        free(longs);
        free(shorts);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    size_t ns = 0;
    shorts[ns++] = ':';
    for (size_t i = 0; i < n; i++) {
        const struct cli_option *o = &cmd->options[i];
        longs[i].name = o->name;
        longs[i].has_arg = o->arg ? required_argument : no_argument;
        longs[i].val = o->short_name ? o->short_name : CLI_LONG_BASE + (int)i;
        if (o->short_name) {
            shorts[ns++] = (char)o->short_name;
            if (o->arg)
                shorts[ns++] = ':';
        }
    }
    longs[n].name = "help";
    longs[n].val = 'h';
    shorts[ns++] = 'h';
    shorts[ns] = '\0';

    enum sc_status st = SC_OK;
    opterr = 0;
    optind = 0; /* glibc: start afresh, also for a second parse in one process */
    int c;
    while (st == SC_OK && (c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const char *given = argv[optind - 1];
        if (c == 'h') {
            *help = true;
            break;
        }
        if (c == ':') {
            st = optopt >= CLI_LONG_BASE || given[1] == '-'
                     ? diag_set(d, SC_EINPUT, NULL, 0, "%s needs a value", given)
                     : diag_set(d, SC_EINPUT, NULL, 0, "-%c needs a value", optopt);
            break;
        }
        if (c == '?') {
            if (optopt >= CLI_LONG_BASE)
                st = diag_set(d, SC_EINPUT, NULL, 0, "%s: %s takes no value", cmd->name, given);
            else if (optopt && given[1] != '-')
                st = diag_set(d, SC_EINPUT, NULL, 0, "%s: unknown option '-%c'", cmd->name, optopt);
            else
                st = diag_set(d, SC_EINPUT, NULL, 0, "%s: unknown option '%s'", cmd->name, given);
            break;
        }
        const struct cli_option *o = NULL;
        if (c >= CLI_LONG_BASE)
            o = &cmd->options[c - CLI_LONG_BASE];
        else
            for (size_t i = 0; i < n && !o; i++)
                if (cmd->options[i].short_name == c)
                    o = &cmd->options[i];
        if (!o) {
            st = SC_BUG(d, "getopt_long returned %d for %s", c, cmd->name);
            break;
        }
        st = on_option(ctx, o->key, o->arg ? optarg : NULL, d);
    }
    if (st == SC_OK && !*help)
        *first_operand = optind;
    free(longs);
    free(shorts);
    return st;
}

int cli_parse_u64(const char *text, unsigned long long lo, unsigned long long hi,
                  unsigned long long *out)
{
    char *end;
    if (!text[0] || text[0] == '-' || text[0] == '+')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int cli_exit_code(enum sc_status st)
{
    switch (st) {
    case SC_OK: return 0;
    case SC_EINPUT:
    case SC_ENOENT:
    case SC_ELIMIT: return CLI_EXIT_INPUT;
    default: return 1;
    }
}

int cli_report_error(const struct diag *d)
{
    char buf[1200], safe[4800];
    /* Messages quote names and text from input files: controls escaped. */
    fprintf(stderr, "stagecast: %s\n",
            utf8_escape_controls(diag_format(d, buf, sizeof buf), safe, sizeof safe));
    return cli_exit_code(d->status);
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[1200], safe[4800];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "stagecast: %s", utf8_escape_controls(msg, safe, sizeof safe));
    if (cmd)
        fprintf(stderr, "\n(run 'stagecast help %s' for usage)\n", cmd->name);
    else
        fputs("\n(run 'stagecast help' for usage)\n", stderr);
    return CLI_EXIT_INPUT;
}

int cli_flush_stdout(void)
{
    errno = 0;
    if (fflush(stdout) == 0 && !ferror(stdout))
        return 0;
    fprintf(stderr, "stagecast: writing to standard output failed: %s\n",
            errno ? strerror(errno) : "write error");
    return 1;
}
