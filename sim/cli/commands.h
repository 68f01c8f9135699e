/*
 * commands.h — the commands main dispatches to, one struct cli_command each,
 * defined beside their code in the cmd_*.c files.
 */
#ifndef STAGECAST_CLI_COMMANDS_H
#define STAGECAST_CLI_COMMANDS_H

#include "sim/cli/cli.h"

extern const struct cli_command cli_cmd_run, cli_cmd_plan, cli_cmd_calibrate; /* cmd_scenario.c */
extern const struct cli_command cli_cmd_import, cli_cmd_replay,
    cli_cmd_fit_factors, cli_cmd_fit_jvm;                     /* cmd_eventlog.c */
extern const struct cli_command cli_cmd_sweep, cli_cmd_merge; /* cmd_sweep.c */
extern const struct cli_command cli_cmd_validate;             /* cmd_validate.c */
extern const struct cli_command cli_cmd_nodes, cli_cmd_spark_keys, cli_cmd_help,
    cli_cmd_version; /* cmd_info.c */

#endif
