/*
 * fit_factors.h — `stagecast fit-factors LOG...`: the Spark overhead factor
 * of each operator class (models/calib.h) fitted from real event logs.
 *
 * Where it sits: beside the importer (sim/eventlog/eventlog.h reads the logs) and
 * calibration (sim/calib/calibrate.h times the kernels): log -> stages with their
 * operators, CPU time and records -> per-class native cost -> fit -> table
 * and a `model = { overhead = {...}; };` fragment that scenarios paste in.
 *
 * Procedure (README "Calibration", "Fitting the factors from logs"):
 *  1. each completed stage attempt with executor CPU time (Spark 2.1+) gets
 *     its operator classes: the SQL plan nodes (SQLExecutionStart and every
 *     AdaptiveExecutionUpdate) whose metric accumulators the stage updated,
 *     plus shuffle_read / shuffle_write / write / scan from the stage's own
 *     records; a stage no plan maps falls back to its RDD scope names;
 *  2. Spark ns per record = CPU ns / records read (input + shuffle read;
 *     for a stage that reads nothing, the records it wrote);
 *  3. native ns per record = sum of the classes' native ns per row, each
 *     times the rows it handles per stage record (1 for a plan operator;
 *     shuffle write records / records for shuffle_write, and so on);
 *  4. per-class factors f solve min sum_s (sum_c A_sc f_c / y_s - 1)^2 +
 *     lambda sum_c (f_c / d_c - 1)^2 (A_sc: native ns of class c in stage s,
 *     y_s: Spark ns per record, d_c: the default), with f_c >= FITF_FLOOR by
 *     an active set; classes no stage has keep their default.
 *
 * Ownership: fitf_set owns its stages; free with fitf_set_free.
 */
#ifndef STAGECAST_FIT_FACTORS_H
#define STAGECAST_FIT_FACTORS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/calib.h"
#include "models/diag.h"

/* A stage is evidence only when its tasks read this many records each on
 * average: below it a task's fixed cost (deserialization, codegen setup,
 * result) dominates the CPU time and the per-record cost is not per record. */
#define FITF_MIN_RECORDS_PER_TASK 10000.0

/* Weight of the pull toward the defaults: a class at 10 times its default
 * costs as much as one stage missed by 9%. Small, so that it mostly decides
 * what the logs cannot: how to split a stage between classes that always
 * occur together (sort, sort_merge_join and shuffle_read in every join
 * stage), and it moves a class the logs do pin down by < 1%. */
#define FITF_LAMBDA 1e-4

/* A stage counts in a class's spread (and its `stages`) when the class has
 * at least this share of the stage's native cost: below it the stage's
 * remainder over the class's sliver of native time is noise. */
#define FITF_MIN_SHARE 0.10

/* No factor is fitted below this: the kernels are the least work a row needs. */
#define FITF_FLOOR 1.0

/* One stage attempt of a log, used or not. */
struct fitf_stage {
    char log[256]; /* the log's file name (no directory) */
    int64_t id;    /* stage id */
    int32_t attempt;
    int line;                       /* its StageSubmitted (or first mention) */
    char name[80];                  /* the stage's name, cut */
    uint32_t classes;               /* bit c: class c runs in it */
    double weight[CALIB_N_CLASSES]; /* rows class c handles per stage record: 1 for
                                     * plan operators; scan, shuffle read/write and
                                     * write from the stage's record metrics */
    bool from_plan; /* the classes came from the SQL plan (else metrics/RDD names) */
    int64_t tasks;
    double cpu_ns;        /* executor CPU time of its successful tasks */
    double records;       /* the denominator */
    const char *rec_kind; /* "input", "shuffle read", "input+shuffle read", "written" */
    double spark_ns;      /* cpu_ns / records */
    double native_ns;     /* sum of its classes' native ns x weight; NaN if one is unknown */
    double ratio;         /* spark_ns / native_ns */
    char skip[120];       /* why it is not evidence; "" when it is */
};

struct fitf_set {
    struct fitf_stage *stages;
    size_t n, cap;
    size_t n_logs;
};

struct fitf_class_result {
    double factor;           /* fitted (the default when no evidence) */
    double deflt;            /* calib_factor_default */
    size_t n_stages;         /* evidence stages where it has >= FITF_MIN_SHARE of the native cost */
    double min, median, max; /* per-stage ratios attributed to it; NaN without */
    bool fitted;             /* false: no evidence, default kept */
    bool at_floor;           /* the fit wanted less than FITF_FLOOR */
};

struct fitf_result {
    struct fitf_class_result cls[CALIB_N_CLASSES];
    double native[CALIB_N_CLASSES]; /* native ns per row used */
    size_t n_used;                  /* evidence stages */
    double rms_rel;                 /* RMS of stage misfits relative to Spark ns/rec */
};

/* Reads one plain-JSON event log (Spark 2.1+ for CPU time) and appends each
 * stage attempt to set. A line that is not a JSON event is an error naming
 * file:line (SC_EINPUT); SC_ENOENT/SC_EIO when the file cannot be read. */
enum sc_status fitf_read_log(struct fitf_set *set, const char *path, struct diag *d);

void fitf_set_free(struct fitf_set *set);

/* Parses "class=ns,class=ns,..." into native (entries not named stay as
 * they are). SC_EINPUT naming the item when one is malformed. */
enum sc_status fitf_native_parse(const char *spec, double native[CALIB_N_CLASSES], struct diag *d);

/* Where the native costs are measured, as the CLI reads it from the
 * environment; each NULL for the default. */
struct fitf_host {
    const char *catalog_path;              /* $STAGECAST_CATALOG; NULL: the shipped one */
    const struct calibrate_options *calib; /* this host's; NULL: the defaults */
};

/* Fills the NaN entries of native with this host's calibrated kernels
 * (sim/calib/calibrate.c) on the generic schema at 100,000 rows a task, scaled to
 * the reference host (x host ACU / CALIB_REF_ACU) since the defaults take
 * the logs' machines to be as fast per core as it, with host's calibration
 * options and cache (host may be NULL). *host_acu gets the host's ACU. */
enum sc_status fitf_native_measure(double native[CALIB_N_CLASSES], double *host_acu,
                                   const struct fitf_host *host, struct diag *d);

/* Whether some stage of set needs the native cost of a class that is NaN. */
bool fitf_native_missing(const struct fitf_set *set, const double native[CALIB_N_CLASSES]);

/* The fit both factor fits use (this one and sim/validate/validate_fit.h):
 *   min sum_r (sum_c a[r][c] f_c - 1)^2 + lambda sum_c (f_c / prior_c - 1)^2
 * over the classes with has[c], a (n_rows x CALIB_N_CLASSES, row-major)
 * each row's native cost of a class relative to the row's actual; f_c >=
 * floor by an active set (the class furthest below fixed at it, then the
 * rest solved again, one a pass), at_floor[c] said so; a class without
 * evidence keeps prior_c. SC_ENOMEM; SC_EINTERNAL if GSL fails. */
enum sc_status fitf_solve_floor(const double *a, size_t n_rows, const bool *has,
                                const double *prior, double lambda, double floor, double *f,
                                bool *at_floor, struct diag *d);

/* The same with n_vars columns (at most FITF_MAX_VARS: the classes and a
 * per-row cost), a pull weight and a floor per variable: lambda[v] 0 puts
 * no pull on v (its prior is then only where it starts). The variable
 * furthest below its floor, relative to the floor (or to its prior where
 * the floor is 0), is fixed first. */
#define FITF_MAX_VARS (CALIB_N_CLASSES + 1)
enum sc_status fitf_solve_bounded(const double *a, size_t n_rows, int n_vars, const bool *has,
                                  const double *prior, const double *lambda, const double *floor,
                                  double *f, bool *at_floor, struct diag *d);

/* Fills each stage's native_ns, ratio and skip, then fits. */
enum sc_status fitf_fit(struct fitf_set *set, const double native[CALIB_N_CLASSES],
                        struct fitf_result *res, struct diag *d);

/* How well factors predict one log's stages: per evidence stage the
 * relative error of predicted Spark ns/record (sum of native ns x weight x
 * factor over the stage's classes) against the log's. */
struct fitf_score {
    size_t n;             /* evidence stages of the log */
    double median_abs;    /* median |predicted / actual - 1| */
    double cpu_weighted;  /* sum |predicted - actual CPU| / sum actual CPU */
};

/* Leave-one-log-out: for each log of set, the factors fitted on the other
 * logs' stages scored on its own (cv), beside the full fit's factors
 * (in-sample) and the default factors (hand) on the same stages. set must
 * have been through fitf_fit (its skips and native costs filled). */
struct fitf_cv_log {
    char log[256];
    struct fitf_score hand, in_sample, cv;
};
struct fitf_cv {
    struct fitf_cv_log *logs;
    size_t n;
    struct fitf_score hand, in_sample, cv; /* over every log's stages together */
};
enum sc_status fitf_cross_validate(const struct fitf_set *set, const struct fitf_result *full,
                                   struct fitf_cv *cv, struct diag *d);
void fitf_cv_free(struct fitf_cv *cv);
void fitf_cv_print(FILE *out, const struct fitf_cv *cv);
json_t *fitf_cv_to_json(const struct fitf_cv *cv);

/* The per-stage lines, the per-class table and the scenario fragment. */
void fitf_print(FILE *out, const struct fitf_set *set, const struct fitf_result *res);

/* `model = { overhead = { scan = 4.0; ... }; };` of the fitted classes. */
void fitf_print_fragment(FILE *out, const struct fitf_result *res);

/* The same as JSON (the caller decrefs). */
json_t *fitf_to_json(const struct fitf_set *set, const struct fitf_result *res);

/* What `stagecast fit-factors` asks for, as the CLI fills it from the
 * command line and the environment; the caller owns every string. */
struct fit_factors_args {
    const char **logs; /* n_logs >= 1 plain-JSON event logs */
    size_t n_logs;
    const char *json_path;   /* also write the fit as JSON ("-": stdout, no table); NULL */
    const char *native_spec; /* "class=ns,..." native costs not timed; NULL: none */
    bool cross_validate;     /* also leave-one-log-out (fitf_cross_validate) */
    struct fitf_host host;
};

/* `stagecast fit-factors`: reads the logs, times the kernels whose native
 * cost is not given, fits, prints the table to out (not with --json -) and
 * writes the JSON. */
enum sc_status fit_factors_execute(const struct fit_factors_args *a, FILE *out, struct diag *d);

#endif
