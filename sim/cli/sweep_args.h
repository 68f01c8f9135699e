/*
 * sweep_args.h — the command lines of `stagecast sweep` and `stagecast
 * merge`: their option tables and the parse that fills the library's
 * struct sweep_args (sim/sweep/sweep.h) from them.
 *
 * Ownership: cli_sweep_parse allocates a->sets and a->files, which
 * cli_sweep_args_fini frees (also after a failed parse); every string points
 * into argv.
 */
#ifndef STAGECAST_CLI_SWEEP_ARGS_H
#define STAGECAST_CLI_SWEEP_ARGS_H

#include <stdbool.h>

#include "sim/cli/cli.h"
#include "sim/sweep/sweep.h"

/* The option tables; the counts are constants so that the commands' tables
 * (cmd_sweep.c) can hold them. */
#define CLI_N_SWEEP_OPTIONS 17
#define CLI_N_MERGE_OPTIONS 6
extern const struct cli_option cli_sweep_options[];
extern const struct cli_option cli_merge_options[];

/* Reads argv (argv[0] the command word) into a; merge selects merge's
 * options. *help is set when -h/--help was given (a is then incomplete).
 * Returns SC_EINPUT with the usage problem in d. The environment's part of
 * a (catalog, calibration, plotting) is left NULL. */
enum sc_status cli_sweep_parse(int argc, char **argv, bool merge, struct sweep_args *a, bool *help,
                               struct diag *d);

void cli_sweep_args_fini(struct sweep_args *a);

#endif
