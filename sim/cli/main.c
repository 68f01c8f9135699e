/*
 * main.c — the stagecast command line: reads the environment once, finds
 * the command and hands it argv. The commands (cmd_*.c) drive scenario ->
 * plan -> calibrate -> simulate -> report and are, with cli.c, the one
 * place that prints errors and chooses exit codes (0 ok, 2 bad input or
 * usage, 1 other failures).
 */
#include "config.h"

#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>

#include "sim/cli/commands.h"
#include "sim/cli/env.h"
#include "sim/output/outfile.h"

/* The commands, in the order `stagecast help` lists them. */
static const struct cli_command *const commands[] = {
    &cli_cmd_run,        &cli_cmd_plan,   &cli_cmd_calibrate, &cli_cmd_sweep,       &cli_cmd_merge,
    &cli_cmd_import,     &cli_cmd_replay, &cli_cmd_validate,  &cli_cmd_fit_factors, &cli_cmd_fit_jvm, &cli_cmd_nodes,
    &cli_cmd_spark_keys, &cli_cmd_help,   &cli_cmd_version,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

const struct cli_command *const *cli_commands(size_t *n)
{
    *n = N_COMMANDS;
    return commands;
}

const struct cli_command *cli_command_find(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    outfile_cleanup_on_signals(); /* no OUT.tmp.PID.N left behind by ^C */
    if (argc < 2) {
        cli_print_overview(stderr);
        return CLI_EXIT_INPUT;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0)
        name = "help";
    else if (strcmp(name, "--version") == 0)
        name = "version";
    const struct cli_command *cmd = cli_command_find(name);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    struct cli_env env;
    cli_env_read(&env);
    int rc = cmd->run(argc - 1, argv + 1, &env);
    /* Every command: output that did not reach stdout (a full disk, a
     * closed pipe) is a failure with a message, never exit 0. A command
     * that failed has said why already. */
    return rc == 0 ? cli_flush_stdout() : rc;
}
