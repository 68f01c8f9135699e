/*
 * sweep.h — many simulations of one scenario, each a point of a grid of
 * overrides (node types, worker counts, autoscale ranges, spot fractions,
 * any setting), each replicated over seeds, and what they say together: the
 * mean and 95% interval of makespan and cost, the Pareto front of the two,
 * and the cheapest point that meets a deadline at a stated confidence.
 *
 * Points run on a pool of threads, one independent simulation each; results
 * go, as they finish, to an append-only results file (one JSON line per
 * replication) from which a rerun resumes and `stagecast merge` joins the
 * shards of a sweep split across processes or machines.
 *
 * Ownership: a struct sweep owns its spec, points and runs; sweep_free
 * releases everything. Functions fill a struct diag on error and never print
 * except to the streams they are given.
 */
#ifndef STAGECAST_SWEEP_H
#define STAGECAST_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/catalog.h"
#include "models/diag.h"

struct plan_stats;
struct calibrate_options;
struct plot_env;

/* Bounds on sizes that come from the command line. */
#define SWEEP_MAX_POINTS 1000000
#define SWEEP_MAX_RUNS 10000000
#define SWEEP_MAX_REPLICATIONS 10000
#define SWEEP_MAX_THREADS 1024
#define SWEEP_MAX_VALUES 10000 /* values of one option */

/* One value an axis takes: a label to show and the overrides it applies. */
struct sweep_choice {
    char *label;      /* "Standard_E8ds_v5", "8", "2-8", "0.5", "400" */
    char **overrides; /* "cluster.worker=Standard_E8ds_v5", ... */
    size_t n_overrides;
};

/* One dimension of the grid. */
struct sweep_axis {
    char *name; /* "node_type", "workers", "autoscale", "spot" or a --set key */
    struct sweep_choice *choices;
    size_t n_choices;
};

/* What a sweep is: enough to rebuild every point without the scenario file,
 * which is why it is written at the head of every results file. */
struct sweep_spec {
    char *scenario_file;
    char *scenario_name;
    char scenario_hash[17]; /* FNV-1a 64 of the file's bytes, hex */
    char catalog_hash[17];  /* the same of the node catalog */
    uint64_t seed;          /* replication 0 runs with it */
    size_t replications;
    char **fixed; /* single-valued --set, first in every point */
    size_t n_fixed;
    struct sweep_axis *axes; /* first axis outermost in the point order */
    size_t n_axes;
    char *base_node_type;            /* the scenario's worker and workers: labels of */
    int64_t base_workers;            /* points whose axes do not set them */
    double deadline_s;               /* NaN: no deadline */
    double confidence;               /* of the deadline's upper bound, in (0, 1) */
    size_t shard_index, shard_count; /* this process runs index % count == index */
    /* What the axes took from the scenario or added to it that changes the
     * question a user might think they asked (an autoscale range's start,
     * the defaults of a group an axis makes): lines the command prints as
     * "stagecast: note: ...". Not written to results files; NULL: none. */
    char *notes;
};

/* One replication of one point. */
struct sweep_run {
    bool done, ok;
    double makespan_s, cost_usd, utilization; /* cost NaN when a price is unknown */
    double startup_usd; /* cost_usd's part due to the start-up draw; NaN unknown
                         * (a results file written before it was recorded) */
    char node_type[64];                       /* the worker as the catalog spells it */
    int64_t workers;
    /* Local disk (sim/runtime/feasibility.h): the peak one worker needed,
     * its shuffle and spill parts, and the node's disk; NaN unknown (no
     * figure, or a results file written before they were recorded). */
    double disk_peak_bytes, disk_shuffle_bytes, disk_spill_bytes, disk_bytes;
    char *error;     /* failed: why (owned) */
    char *cost_note; /* cost unknown: why (owned) */
};

/* Mean and spread of one measure over a point's replications; sd, lo, hi
 * (the two-sided 95% interval of the mean) are NaN with fewer than 2. */
struct sweep_stat {
    double mean, sd, lo, hi;
};

enum sweep_status { SWEEP_PENDING, SWEEP_OK, SWEEP_FAILED };

struct sweep_point {
    size_t index;
    char *key;     /* its overrides joined by '\n': matches results lines */
    bool in_scope; /* this process reports it (its shard, or all) */
    enum sweep_status status;
    const char *error; /* failed: the first failed replication's message */
    const char *cost_note;
    char node_type[64];
    int64_t workers;
    size_t n; /* replications summarized */
    struct sweep_stat makespan_s, cost_usd;
    /* cost_usd split per replication into the start-up draw's part and the
     * run's own (cost minus start-up); NaN when a run lacks the split. */
    struct sweep_stat startup_usd, run_usd;
    double utilization;
    bool cost_known;
    /* Whether it fits its nodes' local disks: 1, -1 (some replication's
     * shuffle and spill exceed them: never on the front, never
     * recommended), 0 unknown; the figures of the replication with the
     * largest peak (NaN unknown). */
    int feasible;
    double disk_peak_bytes, disk_shuffle_bytes, disk_spill_bytes, disk_bytes;
    double makespan_upper_s; /* one-sided upper bound at spec.confidence; the
                              * point value with one replication; NaN if unknown */
    int meets_deadline;      /* 1, 0, or -1 (no deadline, failed, unknown cost) */
    bool pareto, recommended;
};

struct sweep {
    struct sweep_spec spec;
    uint64_t *seeds; /* spec.replications of them */
    struct sweep_point *points;
    size_t n_points;
    struct sweep_run *runs; /* point-major: runs[point * replications + rep] */
    size_t n_runs;
    size_t *key_table; /* open addressing over points' keys (index + 1) */
    size_t key_slots;
    size_t recommended; /* point index, or SIZE_MAX */
    char reason[768];   /* why that point, or why none */
};

/* What every simulation reads and nobody writes, shared by all threads:
 * the node catalog and the planner's statistics (NULL: its defaults), where
 * a calibration table plugs in when calibrated kernels land. Its callbacks
 * are called from several threads at once and must only read. */
struct sweep_env {
    const struct catalog *catalog;
    const struct calibrate_options *calib; /* this host's; NULL: the defaults */
    const struct plan_stats *stats;
    /* Calibration is shared through the fit cache: the first point (or the
     * warm-up) to need a pipeline measures and stores it, the others read
     * it; calib_lock (may be NULL) makes the threads take turns so none
     * measures a pipeline another is measuring. */
    void *calib_lock; /* a pthread_mutex_t (pthread.h's sched.h names
                       * clash with enum sched_mode in scenario.h) */
    /* Scenarios read and plans made once, shared by the points they serve
     * (sweep_setup.c); NULL: every point reads and plans its own. */
    struct sweep_configs *configs;
    double memory_limit_bytes; /* pipeline_request.memory_limit_bytes; 0: none */
};

/* A process of a distributed sweep (MPI: sweep_mpi.h). Rank r runs the
 * points with index % size == r; rank 0 gathers every rank's runs, as
 * results-file text, and writes the outputs. */
struct sweep_peer {
    int rank, size;
    void *ctx;
    /* Every rank calls it with its own status; returns the worst of all, so
     * that all ranks stop together. */
    enum sc_status (*agree)(const struct sweep_peer *p, enum sc_status local);
    /* Every rank calls it with its text; rank 0 gets all ranks' texts
     * concatenated in *all (malloc'd), the others NULL. */
    enum sc_status (*gather)(const struct sweep_peer *p, const char *text, size_t len, char **all,
                             size_t *all_len, struct diag *d);
};

/* What `stagecast sweep` and `stagecast merge` ask for, as the CLI fills
 * it from the command line (sim/cli/sweep_args.c) and the environment; the
 * caller owns every string and array. */
struct sweep_args {
    bool merge;
    const char *file;   /* sweep: the scenario */
    const char **files; /* merge: results files */
    size_t n_files;
    const char *node_types, *workers, *autoscale, *spot;
    const char **sets;
    size_t n_sets;
    size_t replications; /* 0: not given (1) */
    bool have_seed;
    uint64_t seed;
    size_t threads;    /* 0: online CPUs */
    double deadline_s; /* NaN: not given */
    double confidence; /* NaN: not given (0.95, or the results file's) */
    const char *json_path, *csv_path, *results_path;
    const char *plot_path;      /* --plot: cost against makespan, drawn with gnuplot */
    bool resume, quiet;
    bool have_shard;
    size_t shard_index, shard_count;
    /* From the environment: */
    const char *catalog_path;              /* NULL: the shipped catalog */
    const struct calibrate_options *calib; /* this host's; NULL: the defaults */
    const struct plot_env *plot;           /* gnuplot and its scripts; NULL: none set */
    double memory_limit_bytes;             /* each plan's and run's (footprint.h); 0: none */
};

/* Where sweep_execute writes: the table (unless quiet or an output is "-"),
 * a progress bar (a terminal, or NULL for none), and the MPI peer (NULL:
 * this process is alone). */
struct sweep_io {
    FILE *table;
    FILE *progress;
    const struct sweep_peer *peer;
    FILE *warnings; /* calibration's warnings, "stagecast: warning: ..." (NULL: none) */
};

/* Runs `stagecast sweep` or `stagecast merge` as a describes: builds the
 * points, runs or reads them, and writes the table, JSON and CSV. Failed
 * points are results, not errors. Returns SC_EINPUT for bad input (the
 * scenario, an incompatible or incomplete results file), SC_EIO for files. */
enum sc_status sweep_execute(const struct sweep_args *a, const struct sweep_io *io, struct diag *d);

/* Parses a list of counts: "2,4,8" as written, "2-32" doubling from 2 up to
 * 32 (2, 4, 8, 16, 32), "2-32:2" in steps of 2, or items of those joined by
 * commas; duplicates dropped, each in [lo, hi]. *out is malloc'd. what names
 * the option in messages. */
enum sc_status sweep_parse_counts(const char *text, const char *what, int64_t lo, int64_t hi,
                                  int64_t **out, size_t *n, struct diag *d);

/* Builds the spec from the command line: loads the scenario (with the
 * single-valued --set overrides) for its name, seed and cluster, and turns
 * each option into an axis. The caller frees it with sweep_spec_fini. */
enum sc_status sweep_spec_from_args(const struct sweep_args *a, const struct catalog *cat,
                                    struct sweep_spec *spec, struct diag *d);
void sweep_spec_fini(struct sweep_spec *spec);

/* Expands spec (taken over: the sweep owns it from here, also on error)
 * into points and their runs, none done. NULL with d filled on error. */
struct sweep *sweep_new(struct sweep_spec *spec, struct diag *d);
void sweep_free(struct sweep *sw);

/* The overrides of point i, fixed ones first, into out[0..cap); returns how
 * many (at most sweep_max_overrides). Pointers into the spec. */
size_t sweep_point_overrides(const struct sweep *sw, size_t i, const char **out, size_t cap);
size_t sweep_max_overrides(const struct sweep *sw);

/* Runs every run of the points in scope that is not done, on threads
 * threads; each finished run is appended to log_fd (a results file, or -1)
 * as it finishes. Output is the same whatever threads is. */
enum sc_status sweep_run(struct sweep *sw, const struct sweep_env *env, size_t threads, int log_fd,
                         FILE *progress, struct diag *d);

/* Takes results-file text (header and run lines): each run line fills the
 * run whose point has the same overrides and whose seed is the same, unless
 * done already. Header lines are checked against the sweep's scenario and
 * catalog. source names the text in messages. */
enum sc_status sweep_ingest(struct sweep *sw, const char *text, size_t len, const char *source,
                            struct diag *d);

/* Serializes the done runs of the points in scope as results-file lines
 * (malloc'd; *len bytes). */
char *sweep_runs_text(const struct sweep *sw, size_t *len, struct diag *d);

/* Works out every point's statistics, the Pareto front and the
 * recommendation. A point in scope with a run not done is an SC_EINPUT
 * error (a missing shard). */
enum sc_status sweep_summarize(struct sweep *sw, struct diag *d);

/* Statistics of x[0..n) (n >= 1). */
void sweep_stat_compute(const double *x, size_t n, struct sweep_stat *st);

/* Statistics of the start-up's part startup[0..n) of costs cost[0..n)
 * and of the run's own part, cost[i] - startup[i], each over the n
 * replications (n >= 1), so that a cost interval can say how much of its
 * width the start-up draw makes. Both NaN when any startup[i] is NaN. The
 * two means add up to the cost's; the intervals need not (the parts may
 * co-vary). */
void sweep_cost_split(const double *cost, const double *startup, size_t n,
                      struct sweep_stat *startup_st, struct sweep_stat *run_st);

/* One-sided upper confidence bound of a mean from n >= 2 samples with
 * standard deviation sd: mean + t(confidence, n - 1) sd / sqrt(n). */
double sweep_upper_bound(double mean, double sd, size_t n, double confidence);

/* Marks pareto on the points with status SWEEP_OK, a known cost and
 * feasible >= 0 (not known not to fit): those no
 * other such point matches or beats in both mean makespan and mean cost
 * while beating in one. Equal points are all on the front. */
void sweep_mark_pareto(struct sweep_point *pts, size_t n);

/* Sets makespan_upper_s and meets_deadline on the points with status
 * SWEEP_OK and a known cost, marks and returns the cheapest not infeasible one
 * (feasible >= 0) that meets the
 * deadline (ties: faster, then lower index), or SIZE_MAX; reason says why. */
size_t sweep_recommend(struct sweep_point *pts, size_t n, double deadline_s, double confidence,
                       char *reason, size_t size);

/* Writers of the outputs: the table sorted by cost, then the front, the
 * failed points and the recommendation; the JSON (points by index); the CSV
 * (a row per point by index, with the columns plots/sweep.gp reads). */
void sweep_print_table(FILE *f, const struct sweep *sw);
enum sc_status sweep_write_json(FILE *f, const struct sweep *sw, struct diag *d);
enum sc_status sweep_write_csv(FILE *f, const struct sweep *sw, struct diag *d);

#endif
