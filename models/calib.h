/*
 * calib.h — the arithmetic and storage of calibration: least-squares fits
 * of kernel time against rows, the Spark overhead factors per operator
 * class, the host's speed and a node's per-core speed in ACU, the
 * hash-table size curve, and the on-disk cache of fits.
 *
 * Nothing here knows a scenario or a stage: sim/calib/calibrate.c builds the
 * pipelines, runs them and uses these pieces (scenario -> plan -> calibrate
 * -> simulate -> report).
 *
 * Units: times in nanoseconds of the host that measured them ("host ns")
 * until calib_cost_task_s turns them into seconds on a node.
 *
 * Ownership: every struct here is a value; cache functions take and return
 * jansson objects whose references the caller owns (json_decref).
 */
#ifndef STAGECAST_CALIB_H
#define STAGECAST_CALIB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "models/catalog.h"
#include "models/diag.h"

/* Bumped whenever a kernel or the way pipelines are timed changes: cached
 * fits of another version are not used. 2: kernels timed on the thread's
 * CPU clock, a warm-up run, the minimum of the repetitions. 3: each run
 * divided by a run of the host benchmark beside it (reference-host ns).
 * 4: the fastest of each segment over five passes (struct calib_segmin), a
 * blocking operator's output handed on a chunk at a time, the hash-table
 * curve on a fresh table per point and without its L3 point. 5: every
 * operator's rows per stage input row recorded (rows_frac). 6: and of
 * them the rows with a column (values_frac), which the JVM's per-row cost
 * multiplies. */
#define CALIB_KERNEL_VERSION 6

/* ---- fits ---------------------------------------------------------------- */

/* t = a + b x, with x = rows (linear kernels) or rows * log2(rows) (sort). */
enum calib_model { CALIB_LINEAR, CALIB_NLOGN };

struct calib_fit {
    enum calib_model model;
    double a_ns;    /* intercept, host ns */
    double b_ns;    /* slope: host ns per unit of x */
    double b_ci_ns; /* half-width of the slope's 95% confidence interval */
    double r2;      /* coefficient of determination; NaN when y does not vary */
    size_t n;       /* points fitted */
};

const char *calib_model_name(enum calib_model m);

/* The fit's abscissa for a row count: rows, or rows * log2(rows) (0 below 2). */
double calib_model_x(enum calib_model m, double rows);

/* Least squares (gsl_fit_linear) of ns[i] against calib_model_x(rows[i]),
 * with the slope's 95% interval from Student's t with n - 2 degrees of
 * freedom. Needs n >= 3 and at least two distinct x: SC_EINPUT otherwise,
 * SC_EINTERNAL when GSL fails. */
enum sc_status calib_fit_points(enum calib_model m, const double *rows, const double *ns, size_t n,
                                struct calib_fit *out, struct diag *d);

/* The same line fitted robustly (Theil-Sen): the slope is the median of the
 * slopes between every two sizes, the intercept the median of y - b x, so
 * one size whose every run was disturbed (a burst of another process's
 * memory traffic lasts longer than one size's runs) does not move it; the
 * slope's 95% interval and R^2 are those of the residuals about this line.
 * What calibration fits (calibrate_measure.c). Same errors. */
enum sc_status calib_fit_points_robust(enum calib_model m, const double *rows, const double *ns,
                                       size_t n, struct calib_fit *out, struct diag *d);

/* a + b x(rows): the fitted time of rows rows, host ns. */
double calib_fit_eval(const struct calib_fit *f, double rows);

/* b x(rows) / rows: the marginal cost per row at this size, host ns. */
double calib_fit_ns_per_row(const struct calib_fit *f, double rows);

/* Median of v[0..n) (sorts v in place); NaN when n is 0. */
double calib_median(double *v, size_t n);

/* ---- the clock kernels are timed on -------------------------------------- */

/* The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID): another process
 * competing for the core stops this clock while it runs, where it would
 * inflate wall time. CLOCK_MONOTONIC where the thread clock is unavailable.
 * A value: each measurement initialises its own. */
struct calib_clock {
    clockid_t id;
    const char *name;   /* "thread_cpu" or "monotonic" (static) */
    double overhead_ns; /* what reading the clock adds to an interval */
};

/* Picks the clock (the thread clock if clock_gettime accepts it) and
 * measures its overhead: the shortest of 200 back-to-back readings. */
void calib_clock_init(struct calib_clock *c);

/* The clock's reading, ns. */
double calib_clock_ns(const struct calib_clock *c);

/* Time since t0 (a calib_clock_ns reading) less the clock's own overhead,
 * never negative, ns. */
double calib_clock_elapsed_ns(const struct calib_clock *c, double t0);

/* The fastest of several runs of the same work, segment by segment.
 *
 * A timed run of a kernel is cut into short segments (one operator over
 * one chunk of rows, a slice of the benchmark's loop). The thread's CPU
 * clock stops while another process has the core, but the caches it
 * leaves behind do not: under load, every segment the scheduler cut into
 * runs slower on refilled L1/L2 lines, and a run of tens of ms is cut many
 * times, so that no whole run is undisturbed and the fastest run still
 * carries the load. A segment is far shorter than a time slice, so among
 * several runs each segment is nearly always undisturbed in one of them:
 * the sum over segments of each one's fastest time is the work's own
 * cost, and it moves little with the load (bench/bench_calib_stability.sh).
 * The runs must do the same work in the same order; a run that records a
 * different number of segments (or an allocation that fails) makes the
 * record "uneven", and the caller falls back to its whole-run statistic.
 */
struct calib_segmin {
    double *cur, *best; /* this run's segments; each index's least so far */
    size_t n_cur, n_best, cap;
    size_t runs;
    bool uneven;
};

/* Forgets every run (keeps the buffers). */
void calib_segmin_clear(struct calib_segmin *s);

/* Starts a run. */
void calib_segmin_begin(struct calib_segmin *s);

/* Appends one segment's time to the current run. */
void calib_segmin_add(struct calib_segmin *s, double ns);

/* Ends the run: each segment's least time so far. */
void calib_segmin_end(struct calib_segmin *s);

/* Sum over segments of each one's least time over the runs; NAN with no
 * run or when the runs were uneven. */
double calib_segmin_total(const struct calib_segmin *s);

void calib_segmin_free(struct calib_segmin *s);

/* ---- Spark overhead factors ---------------------------------------------- */

/* Operator classes, each with its own factor from native kernel time to
 * Spark executor CPU time (JVM, whole-stage codegen, UnsafeRow format). */
enum calib_class {
    CALIB_SCAN,
    CALIB_FILTER,
    CALIB_PROJECT,
    CALIB_HASH_AGGREGATE,
    CALIB_SORT,
    CALIB_SORT_MERGE_JOIN,
    CALIB_BROADCAST_HASH_JOIN,
    CALIB_WINDOW,
    CALIB_SHUFFLE_WRITE,
    CALIB_SHUFFLE_READ,
    CALIB_WRITE,
    CALIB_LIMIT,
    CALIB_N_CLASSES
};

struct calib_factor_info {
    const char *name;   /* as in the scenario's model.overhead group */
    double factor;      /* default */
    const char *source; /* where the default comes from */
};

/* The default factor of class c, its name and source (a static table). */
const struct calib_factor_info *calib_factor_default(enum calib_class c);

/* The JVM's own cost per row per operator, beside the factors: Spark
 * executor CPU = sum over classes of factor x native time + row_ns x the
 * rows each operator of the stage handles. It is the part of a row's cost
 * that does not grow with what the kernel does to the row (a virtual call
 * per operator, an UnsafeRow written and read), which a factor alone puts
 * on the kernel's per-byte work: a factor fitted on narrow rows then
 * overcharges wide ones. ns on the reference host (CALIB_REF_ACU per
 * vCPU); fitted with the factors by `stagecast validate --fit-factors`
 * (sim/validate/validate_fit.h); model.overhead.row_ns sets it. */
/* Fitted on 2026-12-07 with the factors of models/calib.c (20 stages of 6
 * logs, IN-SAMPLE for them: docs/accuracy.md scores it cross-validated
 * too, where it came out between 65 and 118 ns without each log). */
#define CALIB_DEFAULT_ROW_NS 84.3

/* The class named name (model.overhead keys), or -1. */
int calib_class_find(const char *name);

const char *calib_class_name(enum calib_class c);

/* ---- host and node speed -------------------------------------------------- */

/* The host's micro-benchmark (see calib.c): a fixed mix of integer hashing,
 * random updates of an L2-sized table and a comparison sort. Returns the
 * fastest of 7 runs slice by slice (struct calib_segmin) in ns on the
 * thread's CPU clock (struct calib_clock); deterministic work, not
 * deterministic time. */
double calib_host_bench_ns(void);

/* The same benchmark, run one at a time beside a measurement: calibration
 * times one run of it before each run of a pipeline and divides, so that
 * what slows both (a busy sibling hyperthread, a noisy neighbour's cache
 * traffic, a lower clock) cancels (see calibrate_measure.c). */
struct calib_bench {
    uint64_t *table;
    uint32_t *keys;
    uint64_t sink;
    struct calib_clock clock;
    struct calib_segmin seg; /* the timed runs so far, slice by slice */
};

/* Allocates the benchmark's tables and runs it once untimed. SC_ENOMEM. */
enum sc_status calib_bench_init(struct calib_bench *b);

/* One timed run, ns on b's clock; its slices are kept in b->seg. */
double calib_bench_run_ns(struct calib_bench *b);

/* The timed runs so far, fastest slice by slice (struct calib_segmin);
 * NAN before the first. */
double calib_bench_fastest_ns(const struct calib_bench *b);

void calib_bench_free(struct calib_bench *b);

/* The host's ACU-equivalent per core from its benchmark time:
 * CALIB_REF_ACU x CALIB_REF_BENCH_NS / bench_ns (see calib.c for the
 * reference machine and why it is taken as CALIB_REF_ACU). */
double calib_host_acu_from_bench(double bench_ns);

/* The reference: the benchmark's median on the project's development
 * machine, and the ACU-equivalent that machine is taken to have. */
#define CALIB_REF_ACU 250.0
#define CALIB_REF_BENCH_NS 3.3e6

/* ACU per vCPU of node n: the midpoint of the catalog's range; for a node
 * without a published ACU, the nearest published figure for its CPU (see
 * calib.c), and *fallback is set. *source (may be NULL) receives a static
 * text saying where the figure comes from. Never NaN. */
double calib_node_acu(const struct node_type *n, bool *fallback, const char **source);

/* Time on a node of time measured on the host: host_s x host_acu / node_acu
 * (ACU is speed: a node with twice the ACU takes half the time). */
double calib_scale_to_node(double host_s, double host_acu, double node_acu);

/* ---- hash-table size ------------------------------------------------------ */

/* The cost of one hash-aggregation row against the number of groups the
 * table holds (cache misses grow with it): measured points, interpolated
 * linearly in log2(groups), flat beyond the ends. */
#define CALIB_CURVE_MAX 8
struct calib_group_curve {
    size_t n;
    double groups[CALIB_CURVE_MAX];
    double ns_per_row[CALIB_CURVE_MAX];
};

/* Measures the curve with the hash aggregation kernel: count(*) grouped by
 * an int64 key, rows whose keys are uniform over G values folded into a
 * table that already holds all G groups, for G = 2^4 ... 2^20, the fastest of 5 runs each (about half a second).
 * SC_ENOMEM or a kernel's error. */
enum sc_status calib_group_curve_measure(struct calib_group_curve *c, struct diag *d);

/* ns per row at `groups` groups (NaN when the curve is empty). */
double calib_group_curve_eval(const struct calib_group_curve *c, double groups);

/* ---- the stage cost taskcost uses ----------------------------------------- */

/* What calibration leaves on a stage (sim/input/scenario.h embeds one per stage):
 * compute on a node = (rows x ns_per_row + intercept_ns) x overhead x
 * host_acu / node_acu, in ns. */
struct calib_cost {
    bool valid;           /* false: not calibrated (task_seconds or defaults) */
    bool cached;          /* read from the cache rather than measured */
    bool poor;            /* the fit is poor (calib_fit_is_poor): used, with a warning */
    double rows_per_task; /* the rows ns_per_row is evaluated at */
    double ns_per_row;    /* host ns per input row, before factors */
    double ns_per_row_ci; /* 95% half-width */
    double r2;            /* of the stage's total fit */
    double intercept_ns;  /* fixed host ns per task (>= 0) */
    double overhead;      /* Spark factor, weighted by each class's share of the time */
    double host_acu;      /* ACU-equivalent of the measuring host */
    double group_factor;  /* hash-table size correction applied (1: none) */
    double class_ns[CALIB_N_CLASSES];     /* host ns per task by operator class */
    double class_factor[CALIB_N_CLASSES]; /* the factor used for each class */
    double op_rows_per_row; /* rows the stage's operators handle per input row */
    double row_ns;          /* the JVM's ns per operator row at CALIB_REF_ACU */
};

/* Compute seconds of one task of `rows` rows on a node of node_acu ACU per
 * vCPU: ((rows x ns_per_row + intercept_ns) x overhead) x 1e-9 scaled by
 * calib_scale_to_node from the host, plus rows x op_rows_per_row x row_ns
 * x 1e-9 scaled from CALIB_REF_ACU. */
double calib_cost_task_s(const struct calib_cost *c, double rows, double node_acu);

/* ---- the cache ------------------------------------------------------------ */

/* Creates dir and its parents (mode 0755). SC_EIO naming it on failure. */
enum sc_status calib_cache_mkdir(const char *dir, struct diag *d);

/* What identifies the host's CPU: /proc/cpuinfo's "model name" and the
 * number of online cores, e.g. "AMD EPYC x 2 cores". */
void calib_host_id(char *buf, size_t size);

/* 64-bit FNV-1a of text. */
uint64_t calib_hash64(const char *text);

enum calib_cache_status { CALIB_CACHE_HIT, CALIB_CACHE_MISS, CALIB_CACHE_CORRUPT };

/*
 * A cache file is keyed by what its figure depends on besides key_text:
 * host (calib_host_id: the CPU model and cores), version (the stagecast
 * version that measured it, PACKAGE_VERSION: the sim layer passes it) and
 * CALIB_KERNEL_VERSION. All three are hashed into the file's name and
 * written in the file ("host", "stagecast_version", "kernel_version").
 */

/* Reads the cache file for key_text. HIT: *payload holds the stored object
 * (the caller decrefs). MISS: no file, or a file of another host, stagecast
 * version, kernel version or key (one from before stagecast_version was
 * recorded too): measure again, and calib_cache_store replaces it. CORRUPT:
 * a file that is not what this writes; why says what (the caller warns and
 * measures again). */
enum calib_cache_status calib_cache_load(const char *dir, const char *host, const char *version,
                                         const char *key_text, json_t **payload, char *why,
                                         size_t why_size);

/* When and how a cached figure was measured: recorded in its file for
 * whoever reads it, never checked (files without it still load). */
struct calib_measured {
    char utc[24];      /* ISO 8601 UTC, "2026-12-07T14:45:00Z"; "" if unknown */
    double load_1m;    /* the 1-minute load average then (getloadavg); NaN if unknown */
    const char *clock; /* the calib_clock's name; NULL if unknown */
};

/* Now, with the clock the measurement is timed on. */
void calib_measured_now(struct calib_measured *m, const char *clock);

/* Writes payload for key_text atomically: a temporary file renamed into
 * place (replace true), or linked into place so that an existing file is
 * kept (replace false: the first writer wins, so concurrent runs agree on
 * one measurement) unless that file is not a hit for this host, version
 * and key (another version's, say), which is replaced. at (may be NULL)
 * is recorded beside the host, which names the CPU model. SC_EIO on
 * failure. */
enum sc_status calib_cache_store(const char *dir, const char *host, const char *version,
                                 const char *key_text, json_t *payload,
                                 const struct calib_measured *at, bool replace, struct diag *d);

/* The path of key_text's cache file in dir, into buf. */
void calib_cache_path(const char *dir, const char *host, const char *version, const char *key_text,
                      char *buf, size_t size);

/* A cache file as it is on disk, for listing (stagecast calibrate --show):
 * the envelope calib_cache_store writes, whoever's it is. */
struct calib_cache_file {
    char host[320];           /* "" when absent */
    char version[32];         /* stagecast_version; "" when absent (files before it) */
    long kernel_version;      /* -1 when absent */
    struct calib_measured at; /* clock points into a static string or is NULL */
    json_t *key;              /* the key text (a JSON string); owned, json_decref */
    json_t *payload;          /* owned, json_decref */
};

/* Reads path's envelope into f (the caller json_decrefs f->key and
 * f->payload, also when CORRUPT: they are NULL then). HIT when it is a
 * stagecast calibration file (whatever its host and versions), CORRUPT
 * with why filled otherwise. */
enum calib_cache_status calib_cache_read_file(const char *path, struct calib_cache_file *f,
                                              char *why, size_t why_size);

/* ---- the quality of a fit -------------------------------------------------- */

/*
 * A pipeline's fit is poor when its R^2 is below min_r2 or the 95%
 * interval of its slope is wider than max_rel_ci of the slope (calib.c
 * says why the defaults). A rule of 0 is off: {0, 0} judges nothing poor;
 * min_r2 = 1 judges every fit short of an exact line poor.
 */
struct calib_quality_rule {
    double min_r2;     /* 0 to 1 */
    double max_rel_ci; /* >= 0: 0.25 is +/- 25% of the slope */
};

#define CALIB_DEFAULT_MIN_R2 0.95
#define CALIB_DEFAULT_MAX_REL_CI 0.25

/* The slope's 95% half-width over the slope's size: b_ci_ns / |b_ns|; 0
 * when both are 0, +inf when only the slope is. */
double calib_fit_rel_ci(const struct calib_fit *f);

/* Whether f is poor by q: r2 < q->min_r2 (a NaN R^2, times that did not
 * vary at all, is not judged by it) or calib_fit_rel_ci > q->max_rel_ci. */
bool calib_fit_is_poor(const struct calib_fit *f, const struct calib_quality_rule *q);

/* Fits to and from JSON ({"model", "a_ns", "b_ns", "b_ci_ns", "r2", "n"}).
 * calib_fit_from_json returns -1 when a field is missing or mistyped. */
json_t *calib_fit_to_json(const struct calib_fit *f);
int calib_fit_from_json(const json_t *j, struct calib_fit *f);

#endif
