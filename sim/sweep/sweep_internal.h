/*
 * sweep_internal.h — what the files of the sweep share: a point made
 * concrete for its runs (struct point_setup) and the functions one file
 * calls in another. Nothing outside sim/sweep/ includes it; the public API
 * is sweep.h.
 *
 * The files, in the order a sweep uses them:
 *   sweep.c          the command: sweep_execute, its set-up and its outputs
 *   sweep_spec.c     the grid from the command line's arguments, one step
 *                    per axis; lists and ranges of counts
 *   sweep_points.c   points: their order, overrides, keys and seeds
 *   sweep_setup.c    configurations shared by points (read, planned and
 *                    calibrated once), a point set up, one replication run
 *   sweep_pool.c     the pool of threads that runs the points (sweep_run)
 *   sweep_results.c  the results file: its lines, resume, shards, merge
 *   sweep_stats.c    statistics, the Pareto front, the recommendation
 *   sweep_report.c   the table, the JSON and the CSV
 *
 * Ownership is sweep.h's: a struct sweep owns its spec, points and runs.
 */
#ifndef STAGECAST_SWEEP_INTERNAL_H
#define STAGECAST_SWEEP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/input/cluster.h"
#include "sim/pipeline/pipeline.h"
#include "sim/sweep/sweep.h"

/* ---- sweep.c ---- */

/* Fills d with the sweep's out-of-memory error and returns SC_ENOMEM. */
enum sc_status sweep_no_memory(struct diag *d);

/* A malloc'd string printed as printf would; NULL when out of memory. */
char *sweep_fmt_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- sweep_spec.c ---- */

/* Appends an axis named name (copied) to spec; NULL when out of memory. */
struct sweep_axis *sweep_axis_add(struct sweep_spec *spec, const char *name);

/* Adds a choice of n (1 or 2) overrides; takes label, ov1 and ov2 (owned;
 * NULL means an allocation failed, or no second override when n is 1). On
 * failure frees them all and returns -1. */
int sweep_choice_add(struct sweep_axis *ax, char *label, size_t n, char *ov1, char *ov2);

/* ---- sweep_points.c ---- */

/* FNV-1a 64 of data[0..n) continued from h (start from SWEEP_FNV_OFFSET). */
#define SWEEP_FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t n);

/* The choice point i takes on axis axis. */
size_t sweep_point_choice(const struct sweep_spec *spec, size_t i, size_t axis);

/* The label point i shows for an axis name, or NULL when no axis has it. */
const char *sweep_point_label(const struct sweep *sw, size_t i, const char *axis);

/* The overrides ov[0..n) joined by '\n' (malloc'd): a point's key. */
char *sweep_join_key(const char *const *ov, size_t n);

/* The index of the point whose key is key, or SIZE_MAX. */
size_t sweep_find_point(const struct sweep *sw, const char *key);

/* ---- sweep_setup.c ---- */

/* A point made concrete once for all its replications: the scenario read
 * with the point's overrides, its cluster, its query jobs planned. Reading
 * and checking the file is half of what a small scenario's run costs, and
 * none of it depends on the seed. */
struct point_setup {
    struct pipeline pl;            /* the point's own, when it reads the file itself */
    const struct pipeline *shared; /* or a configuration's plan (sweep_configs) */
    struct cluster cl;             /* the cluster it simulates */
    bool ready;                    /* planned and calibrated */
    char *error;                   /* why the point cannot run (owned), or NULL */
};

/* The configurations of one sweep, none loaded yet; NULL when out of
 * memory. sweep_configs_free(NULL) does nothing. */
struct sweep_configs *sweep_configs_new(void);
void sweep_configs_free(struct sweep_configs *c);

/* Sets point ps up for the overrides ov[0..n_ov): never fails, but leaves
 * ps not ready with the reason in ps->error (NULL: out of memory). Release
 * it with sweep_setup_fini. */
void sweep_setup_point(const struct sweep *sw, const struct sweep_env *env, const char *const *ov,
                       size_t n_ov, struct point_setup *ps);
void sweep_setup_fini(struct point_setup *ps);

/* Simulates one replication of a set-up point into out (done, and ok or
 * failed with its error); draw: its calibrated costs drawn within their
 * intervals (SIM_CALIB_DRAWN). Safe on threads: it only reads ps. */
void sweep_run_rep(const struct point_setup *ps, uint64_t seed, bool draw, struct sweep_run *out);

/* ---- sweep_results.c ---- */

/* v as a JSON real, or null when not finite. */
json_t *sweep_jnum(double v);

/* v[0..n) as a JSON array of strings. */
json_t *sweep_strings_json(char *const *v, size_t n);

/* Writes all of buf to fd, across short writes and signals; -1 on error. */
int sweep_write_all(int fd, const char *buf, size_t len);

/* One results-file line (malloc'd, *len bytes) for run r of unit u (point
 * u / replications, replication u % replications), with the point's
 * overrides in ov; NULL when out of memory. */
char *sweep_run_line(const struct sweep *sw, size_t u, const struct sweep_run *r,
                     const char *const *ov, size_t n_ov, size_t *len);

/* Opens the results file at path (resuming from it when resume) and
 * appends this sweep's header. Returns the descriptor, or -1 with d
 * filled. */
int sweep_results_open(struct sweep *sw, const char *path, bool resume, struct diag *d);

/* The sweep the results files a->files describe, filled from them (merge);
 * NULL with d filled on error. */
struct sweep *sweep_merge_files(const struct sweep_args *a, struct diag *d);

/* ---- sweep_stats.c ---- */

/* qsort order of struct sweep_point pointers: mean makespan, then mean
 * cost, then index (the front, fastest first). */
int sweep_cmp_front(const void *a, const void *b);

#endif
