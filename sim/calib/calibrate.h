/*
 * calibrate.h — calibration of a plan's stages: each stage's operator
 * pipeline (the planner's typed `ops` for a query stage; for an explicit stage
 * with `records` and a `kernel`, that kernel alone on a generic schema) runs
 * on sample rows generated from the table schemas at several sizes, each
 * operator's time is fitted against rows, and the stage gets a struct
 * calib_cost that taskcost.c turns into compute time on the cluster's node.
 * Fits are cached per host, kernel version and pipeline.
 *
 * Flow: scenario -> plan -> calibrate (here) -> simulate -> report.
 *
 * Ownership: calibrate_plan returns a struct calibration the caller frees
 * with calibrate_free; it annotates each plan_stage with its calib_cost (a
 * value, no pointer into the calibration), so the calibration may be freed
 * before the simulation runs. It reads the plan's scenario, never writes it.
 */
#ifndef STAGECAST_CALIBRATE_H
#define STAGECAST_CALIBRATE_H

#include <stdbool.h>
#include <stdio.h>

#include "models/calib.h"
#include "models/diag.h"
#include "sim/input/cluster.h"
#include "sim/plan/plan.h"
#include "sim/input/scenario.h"

#define CALIBRATE_MAX_SIZES 16

/* Defaults: five sizes from 2^13 to 2^17 input rows, the fastest of 5 runs each. */
#define CALIBRATE_DEFAULT_REPS 5

struct calibrate_options {
    size_t rows[CALIBRATE_MAX_SIZES]; /* stage input rows of each sample size */
    size_t n_rows;
    int repetitions;                   /* runs per size; the fastest is fitted */
    bool recalibrate;                  /* measure even when the cache has the fit */
    char cache_dir[1024];              /* "": no cache */
    double host_acu;                   /* NaN: from the host benchmark */
    double overhead[CALIB_N_CLASSES];  /* NaN: the class's default */
    double row_ns;                     /* the JVM's ns per operator row; NaN: the default */
    struct calib_quality_rule quality; /* when a pipeline's fit is poor */
    char version[32];                  /* the stagecast version the cache is keyed by */
};

/* The defaults: five sample sizes up to 2^17 rows, CALIBRATE_DEFAULT_REPS,
 * the host's speed measured, no overhead overrides, the default quality
 * rule (CALIB_DEFAULT_MIN_R2, CALIB_DEFAULT_MAX_REL_CI), this build's
 * version (PACKAGE_VERSION) and no cache. */
void calibrate_options_default(struct calibrate_options *o);

/* *host (the defaults when NULL; the CLI fills it from the environment:
 * STAGECAST_CALIB_ROWS, STAGECAST_CALIB_REPS, STAGECAST_HOST_ACU, the cache
 * directory), then the scenario's `model` group (s may be NULL), which
 * wins. SC_EINPUT when host has fewer than 3 or more than
 * CALIBRATE_MAX_SIZES sample sizes. */
enum sc_status calibrate_options_init(struct calibrate_options *o,
                                      const struct calibrate_options *host,
                                      const struct scenario *s, struct diag *d);

enum calibrate_status {
    CALIBRATE_SKIPPED,  /* task_seconds given: nothing to calibrate */
    CALIBRATE_FAILED,   /* could not be calibrated (reason); default rates stay */
    CALIBRATE_MEASURED, /* measured in this run */
    CALIBRATE_CACHED    /* read from the cache */
};

/* One stage's calibration, for the table and the tests. */
struct calibrate_stage {
    size_t job, stage; /* indices in the plan */
    enum calibrate_status status;
    char pipeline[160];       /* its operators, short names joined by '>' */
    char reason[320];         /* why FAILED */
    struct calib_fit total;   /* the whole pipeline's time against input rows */
    double in_rows;           /* input rows of the largest sample */
    double out_rows;          /* rows reaching its last operator there */
    double out_bytes_per_row; /* UnsafeRow bytes per output row; NaN: none */
    double selectivity;       /* rows its filters kept / rows they saw; NaN: no filter */
    double compression;       /* shuffle write: serialized / LZ4 bytes; NaN: none */
    double groups_sample;     /* hash aggregation groups in the largest sample; NaN */
    double groups_task;       /* groups a task is expected to hold; NaN */
    struct calib_cost cost;   /* what the plan_stage got */
    bool poor;                /* its fit is poor by the options' quality rule (warned) */
    int measurements;         /* 2: measured a second time because the first fit was poor */
    int repetitions;          /* runs per size of the measurement used; 0: unknown */
};

struct calibration;

/* Calibrates every stage of every job of plan p that has no task_seconds,
 * and writes the result into each plan_stage's calib (valid
 * false for a stage that could not be calibrated: it keeps the default
 * rates and says why in the table). A stage's failure is not an error;
 * errors are SC_ENOMEM and an unusable option. Corrupt cache files are
 * re-measured with a warning (calibrate_warning). cl (may be NULL) is not
 * read: scaling to the worker happens in taskcost. A plan whose stages all
 * have task_seconds is not touched, nor is the cache. */
enum sc_status calibrate_plan(struct plan *p, const struct cluster *cl,
                              const struct calibrate_options *o, struct calibration **out,
                              struct diag *d);

void calibrate_free(struct calibration *c);

/* Fewest rows into a stage's exchange whose measured compression ratio
 * replaces the planner's assumption. */
#define CALIBRATE_MIN_RATIO_ROWS 1024.0

/* Replaces the planner's assumed shuffle compression
 * (PLAN_STATS_SHUFFLE_COMPRESSION) with the LZ4 ratio c measured on each
 * planned stage that writes a shuffle: the stage's shuffle_write_bytes are
 * rescaled and the stages that read its output read the new amount (bytes
 * written still equal bytes read). Explicit stages keep the user's bytes, and
 * a stage whose sample sent fewer than CALIBRATE_MIN_RATIO_ROWS rows into
 * its exchange keeps the assumption. */
void calibrate_apply_compression(struct plan *p, const struct calibration *c);

/* calibrate_plan, reusing prior's measurements (a calibration of an
 * earlier plan of the same scenario in this run, which must outlive the
 * call): a stage whose cache key prior has is not measured again, nor
 * read from the cache, nor is the host benchmarked again. */
enum sc_status calibrate_plan_reusing(struct plan *p, const struct cluster *cl,
                                      const struct calibrate_options *o,
                                      const struct calibration *prior, struct calibration **out,
                                      struct diag *d);

/* What one operator of a planned stage did on the stage's largest sample. */
struct calibrate_op_sample {
    double rows_in;                    /* rows it saw (an aggregate: its input rows) */
    double rows_out;                   /* a filter: rows it kept; NaN otherwise */
    double rows_distinct;              /* of rows_in, the distinct observations (rows repeated
                                        * from a parent's smaller sample count once) */
    double groups;                     /* a keyed aggregate: the groups it made; NaN otherwise */
    double rows_before, groups_before; /* the same at the next smaller size */
};

/* Fills *out for operator op (an index into the plan stage's ops) of stage
 * (job, stage) when it is a Filter or a keyed partial HashAggregate that
 * was measured; false when it was not (the stage was not calibrated, the
 * cached entry predates these figures), and also when the sample cannot
 * stand for the table there: the operator reads a column whose values the
 * sample restricts (a join key sampled consistently, calibrate_sample.c). */
bool calibrate_op_sample(const struct calibration *c, size_t job, size_t stage, size_t op,
                         struct calibrate_op_sample *out);

size_t calibrate_n_stages(const struct calibration *c);
const struct calibrate_stage *calibrate_stage_at(const struct calibration *c, size_t i);

/* Pipelines measured in this run (0 when everything came from the cache),
 * and read from the cache. */
size_t calibrate_n_measured(const struct calibration *c);
size_t calibrate_n_cached(const struct calibration *c);

/* Wall seconds calibrate_plan took. */
double calibrate_seconds(const struct calibration *c);

/* The host's ACU-equivalent used, and where it came from ("override",
 * "measured", "cached"). */
double calibrate_host_acu(const struct calibration *c, const char **source);

/* Warnings (a corrupt cache file, an unwritable cache, a poor fit naming
 * its stage and pipeline): one line each. */
size_t calibrate_n_warnings(const struct calibration *c);
const char *calibrate_warning(const struct calibration *c, size_t i);

/* Prints the calibration table: per stage its pipeline, ns/row +- 95% CI,
 * R^2, selectivity, output rows, bytes per row, compression ratio, the
 * Spark factor, the compute time of one task on cl's worker, and whether
 * it was measured or cached. */
void calibrate_print_table(FILE *out, const struct calibration *c, const struct plan *p,
                           const struct cluster *cl);

/* Prints each measured operator's fit (a, b, its interval, R^2, and ns per
 * row at the stage's rows per task): what the stage's line sums. */
void calibrate_print_ops(FILE *out, const struct calibration *c);

#endif
