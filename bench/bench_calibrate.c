/*
 * bench_calibrate.c — how long calibration takes: for each seed scenario at
 * production size (scenarios/seed-*-prod.cfg), calibrating every stage
 * from an empty cache (the host benchmark and the hash-table curve
 * included), then again from the cache. Prints figures, never pass/fail.
 *
 * Targets: the largest seed scenario under 5 s cold, under 50 ms cached.
 * Usage: bench_calibrate [SRCDIR]   (default: the source tree it was built from)
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <dirent.h>
#include <glob.h>
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/catalog.h"
#include "sim/calib/calibrate.h"
#include "sim/input/cluster.h"
#include "sim/plan/planner.h"
#include "sim/input/scenario.h"

static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        char p[1200];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlink(p);
    }
    closedir(dp);
    rmdir(dir);
}

struct figures {
    size_t stages, measured, cached;
    double cold_s, warm_s;
};

static int bench_one(const char *path, const struct catalog *cat, struct figures *fig)
{
    struct diag d;
    diag_clear(&d);
    struct scenario *s = scenario_load(path, &d);
    struct cluster cl;
    struct plan *p = NULL;
    if (!s || cluster_build(s, cat, &cl, &d) != SC_OK ||
        !(p = planner_plan(s, &cl, NULL, &d))) {
        fprintf(stderr, "bench_calibrate: %s: %s\n", path, d.msg);
        scenario_free(s);
        return -1;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/bench_calibrate_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        plan_free(p);
        scenario_free(s);
        return -1;
    }
    struct calibrate_options o;
    int rc = -1;
    if (calibrate_options_init(&o, NULL, s, &d) == SC_OK) {
        snprintf(o.cache_dir, sizeof o.cache_dir, "%s", dir);
        struct calibration *cold = NULL, *warm = NULL;
        if (calibrate_plan(p, &cl, &o, &cold, &d) == SC_OK &&
            calibrate_plan(p, &cl, &o, &warm, &d) == SC_OK) {
            fig->stages = calibrate_n_stages(cold);
            fig->measured = calibrate_n_measured(cold);
            fig->cached = calibrate_n_cached(warm);
            fig->cold_s = calibrate_seconds(cold);
            fig->warm_s = calibrate_seconds(warm);
            rc = 0;
        }
        calibrate_free(cold);
        calibrate_free(warm);
    }
    if (rc != 0)
        fprintf(stderr, "bench_calibrate: %s: %s\n", path, d.msg);
    remove_dir(dir);
    plan_free(p);
    scenario_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    const char *src = argc > 1 ? argv[1] : ABS_TOP_SRCDIR;
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/scenarios/seed-*-prod.cfg", src);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0) {
        fprintf(stderr, "bench_calibrate: no %s\n", pattern);
        return 1;
    }
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load_default(&d);
    if (!cat) {
        fprintf(stderr, "bench_calibrate: %s\n", d.msg);
        globfree(&g);
        return 1;
    }
    printf("calibration: every stage of each seed scenario at production size, from an empty\n"
           "cache (host benchmark and hash-table curve included), then from the cache\n");
    printf("%-34s %7s %9s %10s %10s\n", "scenario", "stages", "measured", "cold s", "cached ms");
    struct figures largest = {0}, slowest = {0};
    const char *largest_name = "", *slowest_name = "";
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct figures f = {0};
        if (bench_one(g.gl_pathv[i], cat, &f) != 0)
            continue;
        const char *base = strrchr(g.gl_pathv[i], '/');
        base = base ? base + 1 : g.gl_pathv[i];
        printf("%-34s %7zu %9zu %10.2f %10.1f\n", base, f.stages, f.measured, f.cold_s,
               f.warm_s * 1e3);
        if (f.stages > largest.stages) {
            largest = f;
            largest_name = base;
        }
        if (f.cold_s > slowest.cold_s) {
            slowest = f;
            slowest_name = base;
        }
    }
    printf("largest (%s, %zu stages): %.2f s cold (target < 5 s), %.1f ms cached (target < "
           "50 ms)\n",
           largest_name, largest.stages, largest.cold_s, largest.warm_s * 1e3);
    printf("slowest (%s): %.2f s cold, %.1f ms cached\n", slowest_name, slowest.cold_s,
           slowest.warm_s * 1e3);
    catalog_free(cat);
    globfree(&g);
    return 0;
}
