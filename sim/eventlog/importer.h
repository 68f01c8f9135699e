/*
 * importer.h — from a Spark event log (eventlog.h) to a scenario that
 * reproduces the run without its data: the cluster as it was, the Spark
 * settings, each job's stages with their parents and one measured time per
 * task, the jobs' timing, and the driver's launch rate. `stagecast import`
 * writes it as a scenario file; `stagecast replay` hands the same scenario to
 * the scenario reader as an in-memory libconfig tree and simulates it.
 *
 * Ownership: import_log returns a struct import that owns everything in it
 * (it keeps no pointer into the log or the catalog); free it with
 * import_free.
 */
#ifndef STAGECAST_IMPORTER_H
#define STAGECAST_IMPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/billing.h"
#include "models/catalog.h"
#include "models/diag.h"
#include "sim/eventlog/eventlog.h"
#include "sim/input/scenario.h"

/* Launch gaps longer than this in a stage's first wave are not the driver's
 * launch cost but a wait (for a slot, an executor): left out of the
 * task_launch_ms estimate. The driver launches a task in well under 1 ms to
 * a few ms in every shared log; longer gaps are slots freeing up. */
#define IMPORT_LAUNCH_GAP_MAX_MS 5

struct import_stage {
    int64_t id; /* Spark's stage id */
    char *name;
    int64_t tasks;
    double *task_s; /* tasks of them: launch to finish of each
                     * index's successful attempt */
    int64_t *parents;
    size_t n_parents;
    bool parents_inferred; /* Spark 1.4: from submission and completion times */
    int64_t submit_ms, complete_ms;
    bool submit_logged;      /* the log gives its submission time; else the
                              * first task launch stands for it */
    int64_t first_launch_ms; /* of its first attempt; EVLOG_NONE if no task */
    double actual_s;         /* completion - submission, as Spark counts it */
    int attempts;            /* stage attempts that ran */
    int64_t failed_tasks, killed_tasks, resubmitted_tasks, speculative_tasks;
    int64_t filled_tasks; /* indexes with no successful attempt logged */
    double launch_wait_s; /* submission to first task launch */
    double driver_s;      /* of launch_wait_s, the driver's time before it
                           * offered the tasks: written as the stage's
                           * driver_s (see importer.c) */
    double offer_wait_s;  /* of launch_wait_s, the time no slot of its
                           * profile was free or the driver was launching
                           * other tasks: the model spends it itself */
    double result_s;      /* mean over tasks of finish - executor end (the
                           * driver fetching and handling the result) */
    double retry_s;       /* slot-seconds of failed and killed attempts */
    bool *cold;           /* per task: its successful attempt ran on an executor none
                           * of whose tasks had finished (a fresh JVM's first
                           * wave); NULL when none did */
    int64_t n_cold;
    double fetch_wait_s;  /* mean over successful tasks of Fetch Wait Time and of */
    double shuffle_write_s; /* Shuffle Write Time: their I/O; 0 when not logged */
    double fixed_s;       /* mean over successful tasks of launch to finish minus
                           * executor run time: what input_scale and another
                           * node leave as it is; NaN when no run time is logged */
    double *lost_s;       /* per task, of the failed attempts' time charged
                           * to it, what was lost with an executor
                           * (ExecutorLostFailure); NULL: none */
    int64_t lost_attempts;
    /* Those attempts one by one, in the order of their tasks' attempts:
     * the task index and the seconds from its launch to its executor's
     * removal (written as lost_attempts and lost_attempt_s); n_lost of
     * them (lost_attempts counts them too). */
    int64_t *lost_index;
    int32_t *lost_attempt; /* Spark's attempt number, for that order */
    int32_t *lost_exec;    /* its executor (evlog index), -1 */
    double *lost_run_s;
    size_t n_lost;
    /* Attempts that failed on a live executor (ExceptionFailure), the same
     * way (run: launch to finish), written as failed_attempts with the
     * timeline (without one their time is charged to their tasks). */
    int64_t *fail_index;
    int32_t *fail_attempt;
    int32_t *fail_exec;
    double *fail_run_s;
    size_t n_fail;
    int64_t resource_profile; /* its first attempt's (0 before Spark 3.1) */
    int executors_at_submit;  /* executors (of its resource profile) alive when it
                               * was submitted; -1 when the log logs none */
    int64_t delayed_launches; /* tasks launched at RACK_LOCAL or ANY after a
                               * gap of about spark.locality.wait: delay scheduling */
    double locality_wait_s;   /* the sum of those gaps */
    uint8_t *task_locality;   /* per task: its successful attempt's Locality (enum
                               * evlog_locality); NULL when the log shows no
                               * preference (every task PROCESS_LOCAL or unknown) */
    int32_t *task_executor;   /* per task: that attempt's executor (evlog index), -1 */
    int idle_executors;       /* executors of its profile alive all through it
                               * that ran none of its tasks though they queued
                               * for the others' slots (tasks waiting for a slot
                               * where their data was: delay scheduling) */
    struct evlog_metrics metrics;
};

struct import_job {
    int64_t id; /* Spark's job id */
    char *name; /* "job <id>: <description>" */
    char *pool; /* FAIR pool; NULL = default */
    int64_t submit_ms, end_ms;
    bool end_from_stages; /* no usable JobEnd: the last stage's completion */
    bool failed;
    double submit_s;             /* NaN, or seconds after the first job */
    double gap_s;                /* as recorded: after the end of job `after`, or (concurrent)
                                  * after the previous job's submission */
    bool concurrent;             /* submitted while the job before it ran */
    int64_t after;               /* index in jobs of the job it was submitted after, the
                                  * latest to end before it; -1: none */
    bool submit_logged;          /* the log gives the job's submission time */
    double stage_delay_s;        /* job submission to its first stage's submission:
                                  * written as the job's driver_s */
    struct import_stage *stages; /* by id */
    size_t n_stages;
};

struct import_setting {
    char *key;  /* "spark.sql.shuffle.partitions" */
    char *text; /* the value as the scenario gives it */
    enum { IMPORT_STRING, IMPORT_INT, IMPORT_DOUBLE, IMPORT_BOOL } kind;
    bool as_enabled;     /* written in the group of its name, as `enabled` (a
                          * boolean) or `value` (another type) */
    const char *comment; /* a static note written beside it, or NULL */
};

struct import {
    char *source;        /* the log's path */
    char *name;          /* the application's name */
    char *spark_version; /* "unknown" when the log has no LogStart */
    char *app_id, *master;
    enum evlog_codec codec;

    /* The cluster as it was. */
    enum platform platform;
    char platform_why[160];
    char worker[64], driver[64];
    char worker_why[320], driver_why[200];
    int workers, executors_per_worker, executor_cores, executors;
    double *executor_start_s; /* when each executor registered, from the first
                               * job's submission; NULL when all were there */
    size_t n_executor_start_s;
    /* The executors as they came and went (cluster.executors), from the
     * first job's submission; replaces executor_start_s when written. */
    struct import_executor {
        double start_s, end_s; /* end_s INFINITY: to the end */
        int cores;
        int32_t log_executor; /* its index in evlog.executors */
        char host[64];        /* as the log names it; "" when unknown */
        int64_t resource_profile;
        bool lost_by_app; /* it was removed with tasks whose loss counted against
                           * them (ExecutorLostFailure, Exit Caused By App) */
    } * timeline;
    size_t n_timeline;
    int timeline_peak; /* the most alive at once */
    bool local_mode;
    char executors_why[320];
    int64_t executor_memory_mib; /* heap + overhead per executor; 0 = unknown */

    double task_launch_ms; /* NaN: no estimate (the default is kept) */
    /* A fresh executor's first tasks' extra time, as fit-jvm measures it on
     * this log (jvm_costs.h: a cold task's deserialize + run less the median
     * warm task of its stage); NaN when the log has no stage with both. */
    double first_task_ms;
    bool cold_known; /* the log names the executors, so each stage's cold tasks
                      * (import_stage.cold) are known */
    char launch_why[240];

    struct import_setting *settings; /* sorted by key */
    size_t n_settings;
    char **skipped_keys; /* "spark.x (why)" */
    size_t n_skipped;

    struct import_job *jobs; /* in submission order */
    size_t n_jobs;
    int64_t start_ms, end_ms; /* first job's submission, last job's end */
    double actual_s;          /* the application's time, as replayed */

    /* What the reader and the importer had to decide or leave out, one
     * sentence each: the scenario's comment header and replay's notes. */
    char **notes;
    size_t n_notes;
    size_t log_jobs, log_stages_ran, skipped_stages, tasks;
};

/* Turns a log into a scenario description. cat resolves node sizes. Returns
 * NULL and fills d when the log has no job with a completed stage, or memory
 * runs out. */
struct import *import_log(const struct evlog *log, const struct catalog *cat, struct diag *d);

/* Writes im as a scenario file (libconfig syntax, with comments). Same
 * import, same bytes. Returns SC_OK or SC_EIO. */
enum sc_status import_write(FILE *f, const struct import *im, struct diag *d);

/* im as a libconfig tree in cfg (config_init'ed by the caller, who
 * destroys it): the scenario import_write writes, without its comments and
 * with each number rounded as the text prints it, so that the scenario
 * reader gets the same values from either. Returns SC_OK, or SC_EINTERNAL
 * and fills d when a setting cannot be added (out of memory). */
enum sc_status import_config(struct config_t *cfg, const struct import *im, struct diag *d);

/* The scenario im describes, read by the scenario reader from
 * import_config's tree (no file): exactly what `stagecast run` reads from
 * import's output. Its `file` is the log's path. Returns NULL and fills d. */
struct scenario *import_scenario(const struct import *im, struct diag *d);

void import_free(struct import *im);

/* Task i of stage s's task_locality item, as the scenario reads it (the
 * log's Locality of its successful attempt, and its executor as an index
 * into the timeline), into buf; s->task_locality must be set. Returns 0. */
int import_task_locality(const struct import *im, const struct import_stage *s, int64_t i,
                         char *buf, size_t size);

/* The entry of im's executor timeline for the log's executor log_exec
 * (an evlog index), the first when it was split; -1 when none. */
int import_timeline_entry(const struct import *im, int32_t log_exec);

#endif
