/*
 * env.h — the environment, read once by main and handed to the commands,
 * which pass what the library needs as parameters. The variables are
 * described once, in cli_env_vars, from which the man page and docs/cli.md
 * list them.
 *
 * Ownership: the strings in struct cli_env belong to the environment (or to
 * the struct, for cache_dir); they live as long as the process.
 */
#ifndef STAGECAST_CLI_ENV_H
#define STAGECAST_CLI_ENV_H

#include <stddef.h>

#include "models/diag.h"
#include "sim/output/plot.h"

struct calibrate_options;
struct catalog;

struct cli_env {
    const char *catalog;      /* STAGECAST_CATALOG: the node catalog file; NULL: shipped */
    char cache_dir[1024];     /* the calibration cache; "": none */
    const char *calib_rows;   /* STAGECAST_CALIB_ROWS, as written; NULL: unset */
    const char *calib_reps;   /* STAGECAST_CALIB_REPS */
    const char *calib_min_r2; /* STAGECAST_CALIB_MIN_R2 */
    const char *calib_max_ci; /* STAGECAST_CALIB_MAX_CI */
    const char *host_acu;     /* STAGECAST_HOST_ACU */
    const char *fitf_native;  /* STAGECAST_FITF_NATIVE */
    const char *memory_limit; /* STAGECAST_MEMORY_LIMIT */
    const char *tmp_dir;      /* TMPDIR; NULL: /tmp */
    struct plot_env plot;     /* STAGECAST_PLOTS, STAGECAST_GNUPLOT, PATH, TMPDIR */
};

/* A documented environment variable. */
struct cli_env_var {
    const char *name;
    const char *help; /* one or two sentences */
};

/* The variables stagecast reads, in the order the man page lists them. */
const struct cli_env_var *cli_env_vars(size_t *n);

/* Reads the environment into e. Unset and empty variables are NULL. */
void cli_env_read(struct cli_env *e);

/* The calibration cache directory by the XDG rule: stagecast_cache_dir if
 * set, else xdg_cache_home/stagecast, else home/.cache/stagecast (each NULL
 * or "" when unset). 0, or -1 when none is set or buf is too small. */
int cli_cache_dir(const char *stagecast_cache_dir, const char *xdg_cache_home, const char *home,
                  char *buf, size_t size);

/* The calibration options of this host: the library's defaults, then
 * STAGECAST_CALIB_ROWS ("16384,65536,..."), STAGECAST_CALIB_REPS,
 * STAGECAST_CALIB_MIN_R2, STAGECAST_CALIB_MAX_CI (the quality rule),
 * STAGECAST_HOST_ACU and the cache directory. SC_EINPUT naming the
 * variable when one is malformed. A scenario's `model` group goes on top
 * (calibrate_options_init). */
enum sc_status cli_env_calibrate_options(const struct cli_env *e, struct calibrate_options *o,
                                         struct diag *d);

/* The memory a run may plan for (pipeline_request.memory_limit_bytes):
 * STAGECAST_MEMORY_LIMIT as a size ("4g"; 0: no limit), else this
 * machine's physical memory (0 when unknown). SC_EINPUT naming the variable
 * when it is malformed. */
enum sc_status cli_env_memory_limit(const struct cli_env *e, double *bytes, struct diag *d);

/* The node catalog: $STAGECAST_CATALOG when set (used or reported, never
 * silently replaced by the shipped one), else the shipped catalog. The
 * caller frees it; NULL with d filled. */
struct catalog *cli_env_catalog(const struct cli_env *e, struct diag *d);

#endif
