/*
 * validate.h — from-scenario prediction scored against a real Spark run.
 * A validation file (validation/NAME.validate, libconfig) names an event
 * log, a scenario written from that log's plans and input sizes (never
 * from its task times), and which of the log's stages each planned stage
 * is. validate_run plans, calibrates and simulates the scenario, reads the
 * log's stage and job times, pairs them and scores the prediction: per
 * stage, for the application, the median absolute stage error and the
 * duration-weighted stage error sum|predicted - actual| / sum actual.
 *
 * Flow: validation file -> scenario -> pipeline (plan, calibrate,
 * simulate) -> paired with the log (sim/eventlog) -> scores.
 *
 * Ownership: validate_run returns a validation that owns its strings and
 * numbers and keeps no pointer into the log, the scenario or the options;
 * free it with validate_free.
 */
#ifndef STAGECAST_VALIDATE_H
#define STAGECAST_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/catalog.h"
#include "models/diag.h"
#include "sim/calib/calibrate.h"

/* One row of the comparison: a planned stage and the log stage(s) it is,
 * a planned stage the log has no stage for, or a log stage no planned
 * stage makes (unmatched: predicted 0). */
struct validate_pair {
    char *job;          /* the scenario's job; NULL for an unmatched log stage */
    int64_t plan_stage; /* the planned stage's id in its job; -1 when unmatched */
    char *name;         /* the planned stage's name, else the log stage's */
    char *log_stages;   /* "5", "0,1"; "" when the log has none */
    int64_t tasks_predicted, tasks_actual; /* -1 where there is no stage */
    double predicted_s, actual_s;
    double error; /* (predicted - actual) / actual; NaN when actual is 0 */
    bool matched; /* both sides exist: counts in the median */
    /* The compute-cost evidence of a matched row (validate_fit.h): the
     * log stages' executor CPU time and records read (input + shuffle
     * read), and the planned stage's native compute by operator class on
     * the scenario's worker (every task's, ns, before overhead factors);
     * has_native false when the planned stage is not calibrated. */
    double cpu_actual_ns, records_actual;
    int64_t fresh_executors; /* executors whose first task ran in the log stages:
                              * their JIT warm-up is in cpu_actual_ns */
    bool has_native;
    double native_ns[CALIB_N_CLASSES];
    double op_rows; /* rows the planned stage's operators handle, all tasks,
                     * x CALIB_REF_ACU / the worker's ACU: what the JVM's
                     * per-row cost (ns at the reference speed) multiplies */
    double compute_factor; /* the JVM first-run factor the simulation gave the
                            * planned stage (1: a warm pipeline): the fit
                            * carries it, so the factors are a warm JVM's */
};

struct validation {
    char *manifest, *log, *scenario; /* paths as resolved */
    char *app_name, *spark_version;
    char *in_sample; /* why the overhead factors saw this log; NULL: out of sample */
    bool cross_validated; /* run with overhead factors fitted without this log
                           * (validate_fit.h): the sample column says so */
    bool busy_app;   /* application = union of the jobs' spans, not first
                      * submission to last end (an interactive shell's idle time) */
    double host_acu; /* the ACU-equivalent calibration ran with */
    char acu_source[64];
    struct validate_pair *pairs;
    size_t n_pairs;
    double app_actual_s, app_predicted_s, app_error;
    double median_abs_error; /* over matched stages; NaN when none */
    double weighted_error;   /* sum |p - a| over every row / sum a; NaN when sum a is 0 */
};

struct validate_options {
    const char *log_dir;                   /* a validation file's `log` is relative to it */
    const struct catalog *catalog;         /* NULL: the shipped catalog */
    const struct calibrate_options *calib; /* this host's (NULL: the defaults) */
    const char *const *sets;               /* "dotted.key=value" overrides of every
                                            * scenario (e.g. model.jvm's for a
                                            * cross-validation); n_sets of them */
    size_t n_sets;
};

/* Reads the validation file at path, runs its scenario and compares it
 * with its log. NULL with d set: SC_EINPUT naming the validation file's
 * file:line for a bad or missing key, a planned stage without an entry, a
 * log stage that is not in the log or never completed (a truncated log);
 * the log reader's or the pipeline's status and message otherwise. */
struct validation *validate_run(const char *path, const struct validate_options *o, struct diag *d);

void validate_free(struct validation *v);

/* The scores of n rows into v's median_abs_error and weighted_error (the
 * arithmetic of validate_run, apart for tests). */
void validate_score(const struct validate_pair *pairs, size_t n, double *median_abs_error,
                    double *weighted_error);

/* What the comparison takes from the log and what it does not: printed
 * once above the validations. */
void validate_print_preamble(FILE *out);

/* One validation as text: the stages, the application, the scores. */
void validate_print(FILE *out, const struct validation *v);

/* The summary across validations: a Markdown table, its header then one
 * row per validation. */
void validate_table_header(FILE *out);
void validate_table_row(FILE *out, const struct validation *v);

#endif
