/*
 * results.h — what a simulation produced: per-stage, per-job, per-executor
 * and cost summaries, kept as tasks end (streaming: no per-task memory),
 * and a record per task attempt only when an output asks for them
 * (results.keep_tasks: a timeline, trace or plot). The report formats
 * these; it never re-runs anything.
 *
 * Ownership: a struct results is owned by the simulation that filled it
 * (runtime.h); names inside point into the scenario, which must outlive it.
 */
#ifndef STAGECAST_RESULTS_H
#define STAGECAST_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/input/cluster.h"
#include "sim/runtime/taskcost.h"
#include "sim/runtime/taskstats.h"

enum task_status { TASK_SUCCESS, TASK_FAILED, TASK_KILLED };

/* One task attempt: 64 bytes (keep it so: a million-task trace holds them all). */
struct task_rec {
    int64_t assign_us;      /* a slot was given to the task */
    int64_t launch_us;      /* it started running on the executor */
    int64_t end_us;
    int32_t stage;          /* index into results.stages */
    int32_t index;          /* task index within the stage */
    int32_t executor;
    int16_t slot;           /* slot within the executor */
    uint8_t attempt;
    uint8_t status;         /* enum task_status */
    /* Seconds of the stage's phases, back to back: phase_s[PHASE_FETCH] is
     * only the time the task waited for shuffle blocks beyond its compute
     * (the fetch runs under the compute, as Spark's iterator does). */
    float phase_s[PHASE_COUNT];
    float fetch_s;          /* the shuffle fetch itself, from its first request to
                             * its last block; 0 without shuffle read */
};

struct stage_result {
    int job;                /* index into results.jobs */
    int64_t id;             /* the scenario's stage id */
    int64_t spark_id;       /* the id Spark would give: in submission order */
    const char *name;       /* NULL: "stage <id>" */
    const char *kernel;
    int64_t tasks;
    int64_t submit_us, end_us;
    double task_min_s, task_p50_s, task_p95_s, task_max_s, task_mean_s;
    /* Where the longest successful attempt ran (its straggler): plots mark
     * it there rather than at the stage's start plus task_max_s. */
    int64_t longest_launch_us, longest_end_us;
    int longest_executor, longest_slot;
    bool task_quantiles_exact; /* false: p50/p95 from the sketch (taskstats.h's bound) */
    int64_t first_launch_us; /* the earliest attempt's launch; INT64_MAX: none */
    double busy_s;          /* sum of task run times */
    double phase_s[PHASE_COUNT]; /* sum over tasks */
    bool uncalibrated;
    int64_t failed_attempts;    /* killed (eviction), re-queued */
    int resubmissions;          /* reopened to recompute lost shuffle output */
    /* Bytes the stage moved (sums over its tasks). */
    double input_bytes;
    double shuffle_read_local_bytes, shuffle_read_remote_bytes;
    double shuffle_write_bytes;
    double output_bytes;
    double spill_bytes;
    double cache_disk_bytes; /* cached blocks that did not fit the executors' unified
                              * memory and went to local disk (MEMORY_AND_DISK) */
    double fetch_wait_s;    /* task-seconds blocked on shuffle fetch */
    int64_t speculative_launched, speculative_won; /* copies of its tasks */
    double compute_factor;  /* what the JVM's first run of its pipeline multiplied its
                             * compute by (models/jvm.h); 1 for a warm pipeline */
};

struct job_result {
    const char *name;
    int64_t spark_id;
    int64_t submit_us, end_us;
    size_t first_stage, n_stages;
    const char *pool;
};

struct executor_result {
    bool ever_alive;        /* false: a position autoscaling never used */
    int64_t alive_from_us, alive_to_us; /* first join, last leave (or the end) */
    int id;
    int worker;             /* the worker node it runs on */
    int cores;
    int slots;
    int64_t tasks;
    double busy_s;          /* slot-seconds running tasks */
    double alive_s;
    double utilization;     /* busy_s / (slots * alive_s) */
    /* The executor's worker node (shared by its executors). */
    double net_busy_s;      /* NIC out or in carrying at least one flow */
    double disk_busy_s;     /* local disk carrying at least one flow */
    double net_out_bytes, net_in_bytes, disk_bytes;
};

/* A change in the cluster's size (autoscaling, dynamic allocation). */
enum scale_kind {
    SCALE_NODES_REQUESTED, /* count nodes asked for */
    SCALE_NODE_JOINED,     /* id: the worker */
    SCALE_NODE_REMOVED,
    SCALE_EXECUTORS_REQUESTED, /* dynamic allocation: count more, target */
    SCALE_EXECUTOR_ADDED,  /* id: the executor */
    SCALE_EXECUTOR_REMOVED,
    SCALE_NODE_EVICTED      /* a spot node taken back: id the worker, count tasks killed */
};

struct scale_event {
    int64_t t_us;
    enum scale_kind kind;
    int id;                 /* worker or executor, or -1 */
    int count;              /* nodes or executors requested */
    int target;             /* dynamic allocation's target after a request */
    int workers_alive, executors_alive;
};

/* One worker VM's life, for billing: from its request (or cluster start) to
 * its removal (or the cluster's end). */
struct node_life {
    int worker;
    int64_t from_us, to_us; /* relative to the first job's submission */
    bool spot;
};

struct cost_line {
    const char *role;       /* "driver", "workers" */
    const char *node_type;
    int nodes;
    double billed_s;        /* per node */
    double vm_usd_per_hour, dbu_per_hour, usd_per_dbu;
    int vcores;             /* Synapse: vCores per node billed; 0 elsewhere */
    double usd_per_vcore_hour; /* Synapse: the rate; NaN when not vCore-billed */
    double vcore_hours;     /* vCores x billed hours over all the line's nodes; 0 */
    const char *price_region; /* the list prices' region; NULL: not a regional price */
    const char *price_source; /* where the VM (or vCore) rate comes from */
    const char *price_date;   /* as of when; "" undated; NULL with price_region */
    double vm_usd, dbu_usd, total_usd; /* NaN when a rate is unknown */
};

struct cost_result {
    double startup_s;       /* before the first job, billed */
    double billed_s;        /* startup + makespan, before rounding */
    struct cost_line lines[2];
    size_t n_lines;
    double vm_usd, dbu_usd, total_usd; /* NaN when a rate is unknown */
    double vcore_hours;     /* Synapse: all lines' vCore-hours; 0 elsewhere */
    /* The start-up draw's part of total_usd: the start-up seconds at the
     * hourly rates of the nodes up during it (driver and initial workers).
     * The rest, rounding to the billing unit included, is the run's own. */
    double startup_usd;
    char note[1024];        /* why a cost is unknown (every missing rate), or "" */
};

struct results {
    uint64_t seed;              /* the seed the simulation ran with */
    bool keep_tasks;            /* a record per attempt in tasks (launch order) */
    struct task_rec *tasks;     /* NULL unless keep_tasks */
    size_t n_tasks, cap_tasks;  /* records kept: 0 unless keep_tasks */
    int64_t n_attempts;         /* task attempts launched, records kept or not */
    /* Per stage while the simulation runs: its successful attempts' run
     * times (results_summarize turns them into the quantiles and frees
     * them). */
    struct taskstats *run_stats;
    /* Per stage, its successful attempts on each worker (ok[w], n workers
     * so far), kept whether or not task records are: what the local-disk
     * check splits a stage's bytes by (feasibility.c). NULL until one. */
    struct stage_worker_tasks {
        int64_t *ok;
        int n;
    } *worker_tasks;
    struct stage_result *stages;
    size_t n_stages;
    struct job_result *jobs;
    size_t n_jobs;
    struct executor_result *executors;
    size_t n_executors;
    int64_t start_us, end_us;   /* first job submitted, last job ended */
    double makespan_s;
    double calib_lo_s, calib_hi_s; /* the makespan with calibrated costs at the low and high
                                    * ends of their 95% intervals; NaN: not computed */
    double busy_s, available_s; /* slot-seconds */
    double utilization;
    struct cost_result cost;
    int slots;
    struct scale_event *scale;
    size_t n_scale, cap_scale;
    struct node_life *lives;
    size_t n_lives, cap_lives;
    int peak_workers;
    int evictions;
    int64_t failed_attempts;    /* task attempts killed by evictions */
    int64_t recomputed_tasks;   /* map tasks re-run for lost shuffle output */
    int64_t speculative_launched, speculative_won;
    /* What the run cost the simulator (not in any report; tests check that
     * it follows the work, not the simulated span). */
    struct run_work {
        uint64_t events;             /* engine events fired */
        uint64_t speculation_checks; /* checkSpeculatableTasks passes run */
        uint64_t eviction_draws;     /* spot eviction times drawn */
        uint64_t policy_polls;       /* autoscaling / dynamic allocation polls */
        uint64_t fetch_requests;     /* remote shuffle fetch requests issued */
    } work;
};

/* Sets up the streaming statistics of r->n_stages stages (r->stages
 * allocated), sized for tasks[i] tasks each (NULL: no hint). Returns SC_OK
 * or SC_ENOMEM in d. */
enum sc_status results_stats_init(struct results *r, const int64_t *tasks, struct diag *d);

/* A task attempt starts: counts it and, when r->keep_tasks, stores a copy
 * of t as record *index (launch order). Returns false when out of memory. */
bool results_task_begin(struct results *r, const struct task_rec *t, size_t *index);

/* The attempt started as record index has ended (t its final state): its
 * times go into its stage's, its executor's and the run's sums and, when it
 * succeeded, into its stage's run-time statistics; a kept record is
 * updated. Returns false when out of memory. */
bool results_task_end(struct results *r, const struct task_rec *t, size_t index);

/* Works out the stage quantiles, executor, utilization and cost summaries
 * from the streamed statistics and job times. Returns SC_OK or SC_ENOMEM. */
enum sc_status results_summarize(struct results *r, const struct cluster *cl, struct diag *d);

/* Cost of running cl for makespan_s after a start-up of cl->startup_s and
 * before an idle tail of cl->idle_after_s: the driver for all of it; each
 * worker for each of its lives (lives NULL: cl->workers workers for all of
 * it), each life rounded to the platform's billing unit. */
void results_cost(struct cost_result *c, const struct cluster *cl, double makespan_s,
                  const struct node_life *lives, size_t n_lives);

/* Where line l's rates come from, as the cost sections word it: "West US 2,
 * Azure Databricks pricing page as of 2023-07-03", "set in the scenario
 * (cluster.price)", or why there is none. Returns buf. */
const char *results_cost_origin(const struct cost_line *l, const struct cluster *cl, char *buf,
                                size_t size);

/* The q-quantile (0..1) of sorted values, by linear interpolation between
 * order statistics (the definition GSL's gsl_stats_quantile_from_sorted_data
 * uses). n must be >= 1. */
double results_quantile_sorted(const double *sorted, size_t n, double q);

void results_fini(struct results *r);

#endif
