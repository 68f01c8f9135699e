/*
 * plan.h — the plan: what the simulation runs, made from a read-only
 * scenario. Every job of the scenario becomes a plan_job; its stages are
 * the planner's (a query, sim/plan/planner.h) or copies of the stages the
 * scenario gives explicitly. Calibration (sim/calib/calibrate.h) annotates
 * the plan's stages with their compute cost and measured shuffle sizes;
 * after that the plan is read-only too, and any number of simulations may
 * run on it at once (sim/runtime/runtime.h).
 *
 * Flow: scenario (const) -> plan -> calibrated plan -> simulation -> report.
 *
 * Ownership: plan_new returns a plan that owns its jobs and stages and
 * everything in them; it points into the scenario (names, queries, pools),
 * which must outlive it. plan_free releases it.
 */
#ifndef STAGECAST_PLAN_H
#define STAGECAST_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/calib.h"
#include "models/diag.h"
#include "models/dist.h"
#include "sim/input/scenario.h"
#include "sim/plan/plan_op.h"

/* A stage as the simulation runs it. Byte and record fields are -1 when
 * not known. */
struct plan_stage {
    int64_t id;
    char *name;
    int64_t *parents;           /* ids of stages of the same job */
    size_t n_parents;
    int64_t tasks;
    bool has_task_seconds;
    struct dist task_seconds;   /* per task; p1/p2 as in dist.h */
    double *task_seconds_list;  /* or one time per task; NULL */
    /* A given task time t is fixed_s (at most t) that nothing scales plus a
     * compute part that scales by compute_scale (what_if.input_scale: the
     * records each task gets) and by the node's speed (taskcost.c). */
    double fixed_s;             /* 0 when not given */
    double compute_scale;       /* 1: as given */
    double fetch_wait_s;        /* of t after fixed_s: shuffle fetch wait, scaled by */
    double shuffle_write_s;     /* the nodes' network / disk bandwidth, not speed; 0 */
    bool *task_cold;            /* per task: its given time holds a fresh executor's
                                 * warm-up (models/jvm.h), taken out and added
                                 * where the simulation's executors are fresh;
                                 * NULL: times hold what they hold */
    struct task_pref_spec *task_locality; /* per task, where its data is (the scenario's
                                           * task_locality); NULL: not given */
    struct lost_attempt_spec *lost;       /* the scenario's lost_attempts; NULL: none */
    size_t n_lost;
    struct lost_attempt_spec *failed; /* its failed_attempts; NULL: none */
    size_t n_failed;
    int64_t input_bytes, records, shuffle_read_bytes, shuffle_write_bytes;
    int64_t output_bytes;       /* written to storage (a table write) */
    /* Where the input and the output are (the planner's, from the tables'
     * and the write's paths): a store kind (models/storage.h), or -1 for
     * bandwidth only, as an explicit stage's bytes are moved; the file
     * pieces its tasks open in all, and the files it writes. */
    int input_store, output_store;
    double input_files, output_files;
    bool output_commits;        /* its writer commits files by rename (not Delta's) */
    int64_t memory_bytes;       /* working set per task; -1: from the bytes read */
    int64_t cache_bytes;        /* bytes its tasks put in storage memory; <= 0: none */
    bool reads_cache;           /* its input is cached data (InMemoryTableScan) */
    double driver_s;            /* driver time from submission to the first task offered */
    int resource_profile;       /* the scenario's: timeline executors of it run it */
    double *task_weights;       /* each task's share of the stage's data relative to an
                                 * even split (mean 1), from the key distribution; NULL = even */
    /* Adaptive execution (sim/plan/skew.h): the shuffle partitions before
     * AQE changed the task count (0: unchanged), the skewed partitions it
     * split and the tasks they became, and whether it turned a sort-merge
     * join into a broadcast one. */
    int64_t aqe_partitions_before, aqe_skewed, aqe_skew_tasks;
    bool aqe_broadcast;
    bool tasks_derived;         /* tasks came from the data, not the file */
    char *kernel;               /* the operator its default cost is taken from; NULL: none */
    int line, parents_line;     /* where the scenario states it (or its query step) */
    /* The planner's, for a stage of a query job (0 / NULL otherwise): */
    struct plan_op *ops;        /* its operators in pipeline order */
    size_t n_ops;
    int64_t input_records;      /* estimated rows the stage reads (scan + shuffle) */
    int64_t output_records;     /* estimated rows it writes, broadcasts or returns */
    int spark_job;              /* which of the query's Spark jobs runs it (0-based) */
    /* Calibration's (sim/calib/calibrate.h); valid false otherwise. */
    struct calib_cost calib;
};

struct plan_job {
    const struct job_spec *spec; /* the scenario's job: name, submission, pool */
    struct plan_stage *stages;
    size_t n_stages;
    bool planned;                /* its stages come from a query */
};

struct plan {
    const struct scenario *scn;
    struct plan_job *jobs;       /* one per scenario job, in its order */
    size_t n_jobs;
};

/* A plan of s with every explicit stage copied and every query job still
 * empty (the planner fills those). NULL on memory, with d set. */
struct plan *plan_new(const struct scenario *s, struct diag *d);

void plan_free(struct plan *p);

/* Frees a job's stages (it is left empty). */
void plan_job_clear(struct plan_job *j);

/* Frees what one stage owns. */
void plan_stage_fini(struct plan_stage *st);

/* Where the rows of stage k of j come from: the most doubtful source
 * (plan_est_worse) of its operators' estimates and of its parents'
 * stages, so a stage after a defaulted filter counts as defaulted too.
 * PLAN_EST_NONE for an explicit stage or one that estimates nothing. */
enum plan_est plan_stage_est(const struct plan_job *j, size_t k);

/* Total tasks over all stages of all jobs. */
int64_t plan_total_tasks(const struct plan *p);

#endif
