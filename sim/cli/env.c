/*
 * env.c — the environment variables stagecast reads, read in one place.
 * main calls cli_env_read once; the commands turn what it found into the
 * library's parameters (calibration options, the catalog, where gnuplot
 * and its scripts are, the temporary directory).
 */
#include "config.h"

#include "sim/cli/env.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "models/catalog.h"
#include "models/units.h"
#include "sim/calib/calibrate.h"

static const struct cli_env_var env_vars[] = {
    {"STAGECAST_CACHE_DIR",
     "The calibration cache directory. Default: $XDG_CACHE_HOME/stagecast, else "
     "$HOME/.cache/stagecast; without any of the three, kernels are timed on every run."},
    {"XDG_CACHE_HOME",
     "Holds the calibration cache (stagecast/) when STAGECAST_CACHE_DIR is unset."},
    {"HOME", "Holds the calibration cache (.cache/stagecast/) when neither STAGECAST_CACHE_DIR nor "
             "XDG_CACHE_HOME is set."},
    {"STAGECAST_CALIB_ROWS",
     "Calibration sample sizes in rows, 3 to 16 comma-separated numbers from 16 to 16777216 "
     "(default 8192,16384,32768,65536,131072). A scenario's model group wins."},
    {"STAGECAST_CALIB_REPS",
     "Timed runs per sample size, 1 to 101; the fastest is fitted. A scenario's model group "
     "wins."},
    {"STAGECAST_CALIB_MIN_R2",
     "A pipeline's fit with R^2 below this (0 to 1, default 0.95; 0: no such rule) is poor: "
     "measured again, then used with a warning. A scenario's model group wins."},
    {"STAGECAST_CALIB_MAX_CI",
     "A pipeline's fit whose slope's 95% interval is wider than this fraction of the slope "
     "(default 0.25; 0: no such rule) is poor. A scenario's model group wins."},
    {"STAGECAST_HOST_ACU",
     "This host's speed per core in Azure Compute Units, instead of timing the host benchmark. "
     "Fixing it makes runs on different machines agree."},
    {"STAGECAST_CATALOG",
     "A node catalog CSV to use instead of the shipped azure-nodes.csv; if it cannot be read, "
     "that is the error."},
    {"STAGECAST_PLOTS", "The directory of stagecast's gnuplot scripts (plots/), instead of the "
                        "installed ones."},
    {"STAGECAST_GNUPLOT", "The gnuplot program: a path, or a name looked up on PATH."},
    {"PATH", "Where gnuplot is looked up."},
    {"TMPDIR", "Where plot data are staged when no --plot-dir is given. Default: /tmp."},
    {"STAGECAST_MEMORY_LIMIT",
     "The memory a run may need for its tasks and partitions, as a size (\"8g\"; 0: no limit); "
     "a scenario that would need more is refused before it is planned or simulated. Default: "
     "this machine's physical memory."},
    {"STAGECAST_FITF_NATIVE",
     "Native costs for fit-factors, as its --native option gives them; the option wins."},
};

const struct cli_env_var *cli_env_vars(size_t *n)
{
    *n = sizeof env_vars / sizeof env_vars[0];
    return env_vars;
}

static const char *get(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

void cli_env_read(struct cli_env *e)
{
    memset(e, 0, sizeof *e);
    e->catalog = get("STAGECAST_CATALOG");
    if (cli_cache_dir(get("STAGECAST_CACHE_DIR"), get("XDG_CACHE_HOME"), get("HOME"), e->cache_dir,
                      sizeof e->cache_dir) != 0)
        e->cache_dir[0] = '\0';
    e->calib_rows = get("STAGECAST_CALIB_ROWS");
    e->calib_reps = get("STAGECAST_CALIB_REPS");
    e->calib_min_r2 = get("STAGECAST_CALIB_MIN_R2");
    e->calib_max_ci = get("STAGECAST_CALIB_MAX_CI");
    e->host_acu = get("STAGECAST_HOST_ACU");
    e->fitf_native = get("STAGECAST_FITF_NATIVE");
    e->memory_limit = get("STAGECAST_MEMORY_LIMIT");
    e->tmp_dir = get("TMPDIR");
    e->plot.scripts_dir = get("STAGECAST_PLOTS");
    e->plot.gnuplot = get("STAGECAST_GNUPLOT");
    e->plot.path = get("PATH");
    e->plot.tmp_dir = e->tmp_dir;
}

int cli_cache_dir(const char *stagecast_cache_dir, const char *xdg_cache_home, const char *home,
                  char *buf, size_t size)
{
    int n;
    if (stagecast_cache_dir && stagecast_cache_dir[0])
        n = snprintf(buf, size, "%s", stagecast_cache_dir);
    else if (xdg_cache_home && xdg_cache_home[0])
        n = snprintf(buf, size, "%s/stagecast", xdg_cache_home);
    else if (home && home[0])
        n = snprintf(buf, size, "%s/.cache/stagecast", home);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

/* "16384,65536,262144": 3 to CALIBRATE_MAX_SIZES sizes of 16 to 2^24
 * rows. */
static int parse_sizes(const char *text, size_t *out, size_t *n)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || errno || v < 16 || v > 16777216 || *n == CALIBRATE_MAX_SIZES)
            return -1;
        out[(*n)++] = (size_t)v;
        p = end;
        if (*p == ',')
            p++;
        else if (*p)
            return -1;
    }
    return *n >= 3 ? 0 : -1;
}

enum sc_status cli_env_calibrate_options(const struct cli_env *e, struct calibrate_options *o,
                                         struct diag *d)
{
    calibrate_options_default(o);
    snprintf(o->cache_dir, sizeof o->cache_dir, "%s", e->cache_dir);
    const char *v = e->calib_rows;
    if (v && parse_sizes(v, o->rows, &o->n_rows) != 0)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "STAGECAST_CALIB_ROWS must list 3 to %d sample sizes of 16 to 16777216 "
                        "rows, such as 16384,65536,262144; not '%s'",
                        CALIBRATE_MAX_SIZES, v);
    if ((v = e->calib_reps)) {
        char *end;
        long reps = strtol(v, &end, 10);
        if (*end || reps < 1 || reps > 101)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "STAGECAST_CALIB_REPS must be a whole number from 1 to 101, not '%s'",
                            v);
        o->repetitions = (int)reps;
    }
    if ((v = e->calib_min_r2)) {
        char *end;
        double r2 = strtod(v, &end);
        if (*end || !(r2 >= 0.0 && r2 <= 1.0))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "STAGECAST_CALIB_MIN_R2 must be a number from 0 to 1, not '%s'", v);
        o->quality.min_r2 = r2;
    }
    if ((v = e->calib_max_ci)) {
        char *end;
        double ci = strtod(v, &end);
        if (*end || !(ci >= 0.0) || !isfinite(ci))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "STAGECAST_CALIB_MAX_CI must be a number >= 0 (0.25: +/- 25%% of "
                            "the slope), not '%s'",
                            v);
        o->quality.max_rel_ci = ci;
    }
    if ((v = e->host_acu)) {
        char *end;
        double acu = strtod(v, &end);
        if (*end || !(acu > 0.0) || !isfinite(acu))
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "STAGECAST_HOST_ACU must be a positive number, not '%s'", v);
        o->host_acu = acu;
    }
    return SC_OK;
}

struct catalog *cli_env_catalog(const struct cli_env *e, struct diag *d)
{
    return e->catalog ? catalog_load(e->catalog, d) : catalog_load_default(d);
}

enum sc_status cli_env_memory_limit(const struct cli_env *e, double *bytes, struct diag *d)
{
    *bytes = 0.0;
    if (e->memory_limit) {
        int64_t b;
        if (units_parse_size(e->memory_limit, &b) != 0 || b < 0)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "STAGECAST_MEMORY_LIMIT must be a size such as 8g (0: no limit), "
                            "not '%s'",
                            e->memory_limit);
        *bytes = (double)b;
        return SC_OK;
    }
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0)
        *bytes = (double)pages * (double)page;
    return SC_OK;
}
