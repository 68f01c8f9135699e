/*
 * jvm_costs.h — `stagecast fit-jvm LOG...`: the JVM's own costs measured on
 * Spark event logs, per log with medians and spread, and the defaults of
 * the runtime's JVM model (models/jvm.h) fitted on them with leave-one-log-
 * out cross-validation.
 *
 * Where each figure comes from (SparkListenerTaskEnd unless said; only
 * successful task attempts with "Task Metrics"):
 *  - deserialize_ms: "Executor Deserialize Time"; result_ser_ms: "Result
 *    Serialization Time"; getting_result_ms: Finish Time - "Getting Result
 *    Time" when the latter is > 0 (an indirect result);
 *  - sched_delay_ms: as the Spark UI (AppStatusUtils.schedulerDelay):
 *    max(0, (Finish - Launch) - run - deserialize - result serialization -
 *    getting result);
 *  - task_fixed_ms: deserialize + result serialization + scheduler delay of
 *    a warm task (see cold below);
 *  - gc_share: sum of "JVM GC Time" / sum of "Executor Run Time";
 *  - cold tasks: those an executor launched before its first task finished
 *    (its first wave, one per slot); first_task_excess_ms: a cold task's
 *    deserialize + run minus the median of the warm tasks of its stage
 *    (stages with both), first_task_ratio the same as a ratio;
 *  - first_query_ratio: stages repeated in the log (same name, task count
 *    and records read within 10%, completed attempt 0): the sum of run time
 *    of the first's warm tasks over the median of its repeats' sums, per
 *    repeated stage (first_query_ratio) and over all of them (the sums'
 *    ratio, first_query_weighted: the parameter, so that a 10 ms stage
 *    running 2x does not outweigh a 5 s one running 1.1x);
 *  - first_run_excess_ms: per stage that repeats no earlier stage (as
 *    first_query_ratio pairs them; completed attempt 0) and ran more than
 *    one wave: its first wave
 *    (tasks launched before any of the stage's tasks finished) on warm
 *    executors, each task's deserialize + run minus the median of the
 *    stage's later warm tasks; the stage's median, and the parameter
 *    (first_run_ms) the median over stages: the pipeline's generated code
 *    compiled and JIT-warmed while the first tasks wait; stages whose
 *    tasks handle fewer than JVM_FIRST_RUN_RECORDS records each (the larger
 *    of input + shuffle read and shuffle write + output, over tasks) apart
 *    (first_run_small_ms);
 *  - query_driver_ms: per SQL query (SQLExecutionStart "time") with a job,
 *    its first task's launch minus its start; the first query of the log
 *    apart (first_query_driver_ms) from the others (query_driver_ms);
 *  - job_driver_ms: per job, its first task's launch minus its JobStart
 *    "Submission Time" (the first job of the log apart);
 *  - broadcast_driver_ms: per query with broadcast jobs ("spark.job.
 *    description" "Broadcast exchange ..."), the submit-to-launch of its
 *    broadcast jobs plus the wait from the last of them ending to the
 *    query's next job (the driver building and sending the relation).
 *
 * Ownership: jvm_measure fills a caller's struct and keeps nothing.
 */
#ifndef STAGECAST_JVM_COSTS_H
#define STAGECAST_JVM_COSTS_H

#include <stdio.h>

#include "models/diag.h"
#include "models/jvm.h"
#include "sim/eventlog/eventlog.h"

/* A sample's size and quantiles (NaN when n is 0). */
struct jvm_stat {
    size_t n;
    double median, p10, p90;
};

/* The model parameters a log gives, in models/jvm.h's units. */
enum jvm_param {
    JVM_TASK_FIXED,
    JVM_GC_SHARE,
    JVM_FIRST_TASK,
    JVM_FIRST_QUERY,
    JVM_QUERY_DRIVER,
    JVM_BROADCAST_DRIVER,
    JVM_FIRST_RUN,
    JVM_FIRST_RUN_SMALL,
    JVM_FIRST_TASK_LOCAL,
    JVM_N_PARAMS
};

/* The scenario key of a parameter ("task_fixed_ms", ...) and how many of
 * the key's units one of models/jvm.h's holds (1000 for a key in ms). */
const char *jvm_param_key(enum jvm_param p);
double jvm_param_scale(enum jvm_param p);

struct jvm_log_costs {
    char log[256]; /* the log's file name */
    size_t n_tasks, n_warm, n_cold;
    struct jvm_stat deserialize_ms, result_ser_ms, getting_result_ms, sched_delay_ms;
    struct jvm_stat task_fixed_ms; /* warm tasks */
    double gc_share;               /* NaN without run time */
    struct jvm_stat first_task_excess_ms, first_task_ratio;
    struct jvm_stat first_query_ratio;
    struct jvm_stat first_run_excess_ms; /* per first-run stage, its first wave's median excess */
    struct jvm_stat first_run_small_excess_ms; /* the same, stages of < JVM_FIRST_RUN_RECORDS
                                                * records a task */
    double first_query_weighted;  /* sum of first runs / sum of their repeats' medians */
    double first_query_driver_ms; /* NaN without SQL queries */
    struct jvm_stat query_driver_ms;
    double first_job_driver_ms;
    struct jvm_stat job_driver_ms;
    struct jvm_stat broadcast_driver_ms;
    double param[JVM_N_PARAMS]; /* the log's value of each parameter (key units); NaN */
};

/* Measures log. Never fails: what the log does not give is NaN / n 0. */
void jvm_measure(const struct evlog *log, struct jvm_log_costs *out);

/* The default of each parameter: the median of the logs' values (logs
 * without one skipped); skip >= 0 leaves log `skip` out (cross-validation).
 * NaN where no log gives the parameter. */
void jvm_fit(const struct jvm_log_costs *logs, size_t n, long skip, double param[JVM_N_PARAMS]);

/* The per-log table, the fitted defaults with in-sample and leave-one-log-
 * out errors, and a `model = { jvm = {...}; };` fragment. */
void jvm_print(FILE *out, const struct jvm_log_costs *logs, size_t n);

/* `stagecast fit-jvm LOG...`: reads each log (plain, zstd, lz4 or a rolling
 * directory) and prints. SC_* with d naming the log that failed. */
enum sc_status jvm_fit_execute(const char *const *paths, size_t n, FILE *out, struct diag *d);

#endif
