/*
 * runtime_internal.h — what the files of the Spark runtime model share: the
 * state of one simulation (struct sim) and of its jobs, stages, pools, task
 * slots, workers and executors, and the functions one file calls in another.
 * Nothing outside sim/runtime/ includes it; the public API is runtime.h.
 *
 * The files, along Spark's own split of responsibilities:
 *   runtime.c      building a simulation, running it, random streams, teardown
 *   dag.c          jobs and stages: submission when parents finish (DAGScheduler)
 *   scheduler.c    task sets, free slots, FIFO/FAIR offer rounds, launching and
 *                  finishing task attempts (TaskSchedulerImpl, TaskSetManager)
 *   task.c         a task's phases: input, compute, spill, write, as flows
 *   shuffle.c      map output bookkeeping and the reducer's fetch
 *                  (MapOutputTracker, ShuffleBlockFetcherIterator)
 *   executors.c    workers and executors joining and leaving, autoscaling and
 *                  dynamic allocation applied (policies: models/autoscale.h)
 *   spot.c         spot evictions
 *   speculation.c  speculative copies of slow tasks
 *   locality.c     preferred locations and delay scheduling (TaskSetManager's
 *                  locality levels, MapOutputTracker's reduce preferences)
 *
 * Ownership: everything here belongs to its struct sim and lives until
 * sim_free. Functions that can run out of memory record the error with
 * runtime_fail (the simulation stops) rather than returning it, because they
 * run inside engine events.
 */
#ifndef STAGECAST_RUNTIME_INTERNAL_H
#define STAGECAST_RUNTIME_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/autoscale.h"
#include "models/network.h"
#include "models/storage.h"
#include "sim/runtime/engine.h"
#include "models/jvm.h"
#include "sim/runtime/runtime.h"
#include "sim/runtime/taskcost.h"

enum stage_state { STAGE_WAITING, STAGE_RUNNING, STAGE_DONE };

struct rt_stage {
    const struct plan_stage *spec;
    int job;
    int *children;
    int n_children;
    int parents_left;
    int64_t spark_id;
    int64_t tasks, next, running, done;
    enum stage_state state;
    int pool;
    uint64_t stream_seed;
    double calib_z; /* standard errors its calibrated cost per row is moved by */
    double driver_s;    /* its spec's, plus the JVM model's broadcast time */
    bool cold_pipeline; /* the first stage to run its operators in this JVM */
    int64_t first_wave_left; /* launches still in its first wave (one a slot of the
                              * cluster when it was submitted): a cold pipeline's
                              * first_run_s (models/jvm.h) */
    gsl_rng *rng;   /* while running */
    struct stage_cost cost;
    /* Bytes per task (stage totals spread evenly over its tasks). */
    double in_bytes, fetch_bytes, write_bytes, out_bytes, working_set;
    /* Object stores (models/storage.h): file pieces a task opens and files
     * it writes, and how their stores answer; NULL: bandwidth only. */
    double in_files, out_files;
    const struct store_access *in_store, *out_store;
    bool out_commits;
    bool has_io;
    double cached;     /* bytes its finished tasks cached (df.cache()) */
    int *parent_index; /* the parents, as stage indices */
    /* Tasks to run again (their attempt failed, or their output was lost),
     * the last queued first and before the ones never launched; and where
     * each task's shuffle output lives (-1: none), as a list per worker
     * (out_head[w], then out_next[t]; -1 ends it), so a lost node's outputs
     * are found without a scan of every task. A task is on at most one
     * list: its output is recorded only when it has none (shuffle.c). */
    int64_t *retry;
    size_t retry_head, retry_n, retry_cap;
    int32_t *out_worker, *out_next, *out_head;
    uint8_t *attempts; /* attempts so far, per task (saturating) */
    int resubmits;
    /* Speculation: the slots running each task (-1: none) and whether it is
     * done; successful run times for the median. */
    int32_t *run_a, *run_b;
    uint8_t *task_done;
    double *ok_dur;
    size_t n_ok;
    bool submitted_once;
    bool offered; /* its tasks have been offered (after driver_s) */
    struct event offer_ev;
    double *map_bytes;  /* shuffle bytes this stage's tasks wrote, per worker */
    double *fetch_frac; /* share of this stage's fetch served by each worker */
    struct rt_locality *loc; /* preferred locations; NULL: none */
    int profile;             /* resource profile its executors must have; -1: any */
    int16_t *failures;       /* per task, failures counted towards
                              * spark.task.maxFailures; NULL: none yet */
    struct rt_stage_excl *excl; /* excludeOnFailure in this stage; NULL: no failure */
};

/* A task's failures on one executor in a stage (ExecutorFailuresInTaskSet). */
struct excl_failure {
    int32_t ident, host; /* the executor's identity and host */
    int64_t index;
    int count;
    int64_t last_us; /* its latest failure */
};

/* A stage's TaskSetExcludelist (exclude.c). */
struct rt_stage_excl {
    struct excl_failure *f;
    size_t n, cap;
    uint8_t *exec_out; /* per executor identity: excluded for the stage */
    uint8_t *host_out; /* per host: excluded for the stage */
};

/* A failure in a successful stage, counted against its executor until
 * expiry_us (HealthTracker's ExecutorFailureList). */
struct excl_app_failure {
    int32_t ident;
    int64_t expiry_us;
};

/* excludeOnFailure's settings and the application's exclusions
 * (HealthTracker), exclude.c. */
struct rt_exclude {
    bool on;
    int max_task_failures; /* spark.task.maxFailures */
    int task_per_exec, task_per_node, stage_per_exec, stage_per_node;
    int app_per_exec, app_per_node;
    int64_t timeout_us;
    int64_t *exec_until_us; /* per executor identity: excluded until (0: never) */
    uint8_t *exec_ever;     /* per identity: was ever excluded (its host counts it) */
    int64_t *host_until_us; /* per host: excluded until */
    int *host_excluded_execs;
    struct excl_app_failure *app;
    size_t n_app, cap_app;
    struct event expiry_ev; /* the next exclusion to run out */
};

/* Task indexes grouped by a key (an executor, a host), ascending in each
 * group, with a cursor per group that skips the launched lazily, as
 * Spark's pending-task lists do. */
struct loc_bucket {
    int64_t *start; /* n + 1: group k is items[start[k] .. start[k + 1]) */
    int64_t *items;
    int64_t *cursor;
    int n;
};

/* Spark's locality levels, best first (TaskLocality's order). */
enum loc_level { LOC_PROCESS, LOC_NODE, LOC_NO_PREF, LOC_RACK, LOC_ANY, LOC_COUNT };

/* A stage whose tasks prefer locations (locality.c): each task's preference
 * and the task set's delay-scheduling state (TaskSetManager). */
struct rt_locality {
    uint8_t *pref;       /* per task: enum task_pref */
    int32_t *pref_exec;  /* per task: executor identity (PROCESS, NODE), -1 */
    int32_t *pref_host;  /* per task: host id (PROCESS, NODE); -1: the reduce workers */
    bool *reduce_worker; /* per worker: holds at least 20% of the map output */
    uint8_t *taken;      /* per task at or past next: launched out of order */
    int64_t taken_ahead;
    /* The tasks never launched, by what they prefer: an executor identity
     * (PROCESS), a host id (PROCESS and NODE), nothing, the rack. */
    struct loc_bucket by_exec, by_host, no_pref, rack;
    /* Pending tasks per preference; the valid levels
     * (computeValidLocalityLevels) and the current one. */
    int64_t pending[TASK_PREF_ELSEWHERE + 1];
    uint8_t levels[LOC_COUNT];
    int n_levels, level_index;
    int64_t reset_us; /* lastLocalityWaitResetTime; -1 before the first offer */
    uint64_t epoch;   /* sim->exec_epoch the levels were computed at */
    bool rejects_since_reset;
};

struct rt_job {
    const struct job_spec *spec;
    int first_stage, n_stages, stages_left;
    int pool;
    int64_t spark_id;
    bool submitted, done;
    bool reserved;      /* a concurrent job counted in its thread's outstanding
                         * before its delayed submission */
    int first_after;    /* the first job submitted after this one ends
                         * (jobs[].after), -1: none */
    int next_after;     /* the next job after the same one, -1: none */
    size_t thread;      /* index of the job that heads its thread */
    size_t outstanding; /* as a thread head: jobs submitted, not ended */
    size_t next;        /* as a thread head: next job to submit, or n_jobs */
    struct event submit_ev;
    struct event stages_ev; /* its first stages, after driver_s */
    double driver_s;        /* its spec's, plus the JVM model's query time */
};

struct rt_pool {
    const char *name;
    enum sched_mode mode;
    int weight, min_share;
    int64_t running;
    int pending_stages; /* stages of this pool with tasks not yet launched */
};

/* Where a running task is in its life (see the lifecycle comment below). */
enum task_state {
    TS_IDLE,
    TS_START,
    TS_INPUT,
    TS_FETCH,
    TS_COMPUTE,
    TS_SPILL_WRITE,
    TS_SPILL_READ,
    TS_WRITE,
    TS_COMMIT /* output files' requests and commits, after their bytes */
};

struct rt_slot {
    struct event done; /* the task's timer: start, end of compute */
    int executor;
    int slot;
    int worker;
    /* The attempt running here: its record, in the slot (hot in cache) until
     * it ends and goes into the results, and its index among the kept
     * records (results.keep_tasks). */
    struct task_rec rec;
    size_t rec_index;
    enum task_state state;
    int flows; /* flows of the current phase still moving */
    int64_t phase_start_us;
    double compute_s;
    double base_compute_s; /* before this node's slowdown (a copy reuses it) */
    double weight;         /* this task's share of its stage's data, relative to even */
    bool copy;             /* a speculative copy */
    bool fails;            /* a failed_attempts item: it fails at its end */
    double spill_bytes;
    /* Shuffle fetch: the worker whose blocks are being requested, the
     * bytes left there, the workers not yet visited, and what is in flight
     * (Spark's ShuffleBlockFetcherIterator limits). */
    int fetch_cursor, fetch_left_nodes;
    double fetch_node_left;
    /* This fetch's request size and in-flight cap: Spark's, or both scaled
     * up alike for a fetch of more requests than the bound (shuffle.c). */
    double fetch_req_bytes, fetch_cap_bytes;
    double in_flight_bytes;
    int in_flight_reqs;
    double last_block_bytes;
    int *flow_ids; /* the task's flows, so an eviction can cancel them */
    int n_flow_ids, cap_flow_ids;
};

/* What a flow carries, in the top byte of its tag; the rest is its bytes. */
enum flow_kind {
    FLOW_INPUT = 1,
    FLOW_FETCH_LOCAL,
    FLOW_FETCH_REMOTE,
    FLOW_SPILL,
    FLOW_WRITE,
    FLOW_OUTPUT
};
#define FLOW_TAG(kind, bytes) (((uint64_t)(kind) << 56) | ((uint64_t)(bytes) & ((1ULL << 56) - 1)))
#define FLOW_TAG_KIND(tag) ((int)((tag) >> 56))
#define FLOW_TAG_BYTES(tag) ((double)((tag) & ((1ULL << 56) - 1)))

enum worker_state { WK_ABSENT, WK_PROVISIONING, WK_ALIVE };

struct rt_worker {
    struct event join_ev;  /* provisioning done */
    struct event evict_ev; /* a spot node's eviction */
    bool spot;
    enum worker_state state;
    int64_t life_from_us;  /* billed from here: request, or cluster start */
    int running;           /* tasks running on its executors */
    int64_t idle_since_us; /* -1 while it runs tasks */
};

struct rt_exec {
    struct event start_ev; /* dynamic allocation: the executor registers */
    bool alive, starting;
    int slots;             /* slots it offers while alive: the position's, or
                            * fewer for a timeline executor of fewer cores */
    int64_t up_since_us;   /* when it last joined */
    int64_t alive_us;      /* time alive so far, before up_since_us */
    int64_t idle_since_us; /* -1 while it runs tasks */
    bool warm;             /* a task has finished on it since it came up (models/jvm.h) */
    int timeline_entry;    /* the timeline executor at this position; -1: none */
    int profile;           /* its resource profile (the timeline entry's, else 0) */
};

/* An executor of the scenario's timeline (cluster.executors): it joins
 * and leaves at given times, on the lowest free executor position. */
struct rt_timeline {
    struct event join_ev, leave_ev;
    int exec;  /* its position while alive; -1 before and after */
    int slots; /* its cores / spark.task.cpus */
};

struct sim {
    const struct scenario *scn;
    const struct plan *plan;
    struct cluster cl;
    struct engine eng;
    uint64_t seed;
    enum sched_mode mode;
    int64_t launch_us;      /* driver time per task launch */
    struct jvm_costs jvm;   /* the scenario's model.jvm with the defaults filled in */
    /* Given task times that hold a fresh executor's warm-up (cold_tasks)
     * have it moved to the executors fresh here: only without the log's
     * executor timeline, which puts it where the log's executors were. */
    bool move_warmup;
    uint64_t *pipelines;    /* signatures of the operator pipelines run so far */
    size_t n_pipelines, cap_pipelines;
    int64_t driver_free_us; /* when the driver can launch the next task */

    struct rt_stage *stages;
    size_t n_stages;
    struct rt_job *jobs;
    size_t n_jobs;
    struct rt_pool *pools;
    size_t n_pools;
    struct rt_slot *slots;
    size_t n_slots;

    /* Free slots, a ring in the order they became free. */
    int *free_ring;
    size_t free_head, free_count;

    /* Stages with tasks not yet launched, sorted by spark_id. */
    int *active;
    size_t n_active;
    int *order; /* scratch for a FAIR offer round */
    int32_t *lost_scratch; /* a lost node's map outputs, sorted (shuffle.c) */
    size_t lost_cap;

    /* Bytes move through the flow-level network model. */
    struct net *net;
    struct event net_ev; /* the network's next completion */
    bool net_dirty;      /* flows started or cancelled since the last solve */
    int n_workers;
    struct storage store;   /* the resources of every storage path */
    int *exec_running;      /* running tasks per executor (memory shares) */
    double exec_pool_bytes; /* execution memory of one executor */
    double *exec_cached;    /* bytes of cached data (df.cache()) on each executor */
    double fetch_target_bytes, fetch_max_in_flight;
    double fetch_requests; /* a fetch's requests beyond which its grain grows (0: never) */
    int64_t net_quantum_us; /* completions are batched to this grain */
    double net_tolerance;   /* > 0: the grain adapts instead (task.c, net_due) */
    int fetch_max_reqs;

    /* The cluster changing size: node autoscaling (cluster.autoscale) or
     * Spark's dynamic allocation of executors. */
    int max_workers, max_executors;
    struct rt_worker *workers;
    struct rt_exec *execs;
    int alive_workers, pending_workers, alive_executors, starting_executors;
    struct event policy_ev;
    int64_t policy_base_us, policy_last_us; /* the polls' grid: origin, last poll */
    bool policy_started;
    bool poll_every_interval; /* node autoscaling: no poll left out */
    bool da_adds_stall; /* the polls left out since the last would only stall adds */
    bool node_autoscale, dyn_alloc;
    struct autoscale_node node_policy;  /* when node_autoscale */
    struct autoscale_dynalloc dynalloc; /* when dyn_alloc */
    int64_t da_start_us;                /* an executor's start-up */
    /* The scenario's executor timeline, when it gives one (then neither
     * policy runs). Without the external shuffle service an executor that
     * leaves takes the shuffle output of its worker with it. */
    struct rt_timeline *timeline;
    size_t n_timeline;
    bool timeline_drops_shuffle;
    int64_t total_running;
    gsl_rng *spot_rng;  /* eviction times, in event order */
    bool spot_paused;   /* no job running, one still to come: no evictions drawn */
    size_t jobs_submitted;
    gsl_rng *scale_rng; /* start-up and provisioning times, in event order */
    /* Speculative execution (spark.speculation). */
    bool spec_on;
    struct event spec_ev;
    double spec_multiplier, spec_quantile;
    int64_t spec_min_us, spec_interval_us;
    int64_t spec_base_us, spec_last_us; /* the checks' grid: its origin, the last check */
    bool spec_started;                  /* the grid is set (speculation_start) */
    bool spec_checking;                 /* inside a check (it schedules the next itself) */
    double noise_sigma;
    bool evict_at_used;

    /* Delay scheduling (locality.c): each executor position's identity (its
     * timeline entry, else the position) and host id (its timeline entry's
     * host, else its worker), how many alive executors each identity and
     * host has, and the revive timer that gives held-back tasks their next
     * offer (spark.scheduler.revive.interval). */
    bool locality_on;
    int32_t *exec_ident, *exec_host;
    int *ident_alive, *host_alive;
    int32_t *timeline_host; /* per timeline entry: its host id */
    int n_idents, n_hosts;
    uint64_t exec_epoch;    /* bumped when an executor joins or leaves */
    int64_t loc_wait_us[LOC_COUNT];
    bool loc_legacy_reset;
    bool reduce_locality;
    int64_t revive_us;
    struct event revive_ev;

    struct rt_exclude excl; /* excludeOnFailure and spark.task.maxFailures */

    int64_t next_job_id, next_stage_id;
    size_t jobs_done;
    bool failed;
    struct diag *diag;
    struct results res;
};

/* ---- small shared helpers ------------------------------------------------ */

/* Simulated time is integer microseconds. */
static inline int64_t seconds_to_us(double s)
{
    return (int64_t)llround(s * 1e6);
}

static inline struct rt_stage *slot_stage(struct sim *sim, struct rt_slot *slot)
{
    return &sim->stages[slot->rec.stage];
}

static inline float seconds_since(struct sim *sim, int64_t t_us)
{
    return (float)((double)(engine_now(&sim->eng) - t_us) * 1e-6);
}

/* How much slower than its type a worker runs (what-if slow node). */
static inline double worker_slowdown(const struct sim *sim, int w)
{
    const struct model_spec *m = &sim->scn->model;
    return m->slow_worker == w && m->slow_factor > 0.0 ? m->slow_factor : 1.0;
}

/* Tasks of a stage waiting to be launched. */
static inline int64_t stage_pending(const struct rt_stage *st)
{
    return (st->tasks - st->next - (st->loc ? st->loc->taken_ahead : 0)) + (int64_t)st->retry_n;
}

/* ---- runtime.c ----------------------------------------------------------- */

/* Records the first error of the run in its diag and stops the engine. */
void runtime_fail(struct sim *sim, enum sc_status st, const char *msg);

/* Open stage st's random stream, for its first submission or for a
 * resubmission after lost shuffle output. False (after runtime_fail) when
 * out of memory. */
bool runtime_stage_stream_open(struct sim *sim, struct rt_stage *st);
bool runtime_stage_stream_reopen(struct sim *sim, struct rt_stage *st);

/* ---- dag.c --------------------------------------------------------------- */

/* Stage st_index's last task finished: submit the children it unblocks,
 * end its job, and start its thread's next job. */
void dag_stage_finished(struct sim *sim, int st_index);

/* Event handlers: a job's submission time, its stages after the driver's
 * work, a stage's tasks offered after the driver's work. */
void dag_on_job_submit(struct engine *eng, struct event *ev);
void dag_on_job_stages(struct engine *eng, struct event *ev);
void dag_on_stage_offer(struct engine *eng, struct event *ev);

/* ---- scheduler.c --------------------------------------------------------- */

/* The ring of free slots, in the order they became free. */
void sched_free_push(struct sim *sim, int slot);
void sched_free_remove_executor(struct sim *sim, int e);

/* Stages with tasks waiting to launch, in FIFO (spark_id) order. */
void sched_active_insert(struct sim *sim, int st);
void sched_active_remove(struct sim *sim, int st);

/* One round of resource offers: hands free slots to waiting tasks. */
void sched_offer_round(struct sim *sim);

/* A round of offers of every free slot (a revive: Spark's
 * isAllFreeResources), which may reset a task set's locality wait. */
void sched_offer_round_full(struct sim *sim);

/* Takes the free slot at ring position k (0: the oldest) out of the ring. */
int sched_free_take(struct sim *sim, size_t k);
/* The free slot at ring position k. */
int sched_free_at(const struct sim *sim, size_t k);

/* Launches task index of st_index (pending, chosen by the caller) in slot. */
void sched_launch_index(struct sim *sim, int st_index, int slot_index, int64_t index);


/* Queues task index of st to run again; false when out of memory. */
bool sched_retry_push(struct rt_stage *st, int64_t index);

/* The attempt in slot succeeded: bookkeeping, then a new offer round. */
void sched_task_finished(struct sim *sim, struct rt_slot *slot);

/* Stops the attempt in slot and records it with status; the slot is idle
 * afterwards and the caller decides where it goes. */
void sched_end_attempt(struct sim *sim, struct rt_slot *slot, enum task_status status);

/* The attempt in slot failed (its executor was lost): it runs again unless
 * a speculative copy carries on. */
void sched_kill_task(struct sim *sim, struct rt_slot *slot);

/* The index of pool name, created as Spark creates one when the scenario
 * does not declare it. */
int sched_add_pool(struct sim *sim, const char *name);

/* ---- locality.c ---------------------------------------------------------- */

/* Sets up delay scheduling for a new simulation: the settings, executor
 * identities and hosts, and each stage's given preferences. */
enum sc_status locality_build(struct sim *sim, struct diag *d);
void locality_free(struct sim *sim);

/* Executor position e came up (as timeline entry t, or -1) or went down. */
void locality_exec_up(struct sim *sim, int e, int t);
void locality_exec_down(struct sim *sim, int e);

/* Stage st is submitted: reduce tasks without given preferences prefer the
 * workers holding most of their map output (MapOutputTracker). */
void locality_stage_submit(struct sim *sim, struct rt_stage *st);

/* Whether stage st may run on executor position e: its resource profile
 * (Spark 3.1 stage-level scheduling, with a timeline that gives them). */
static inline bool stage_runs_on(const struct sim *sim, const struct rt_stage *st, int e)
{
    return st->profile < 0 || sim->execs[e].profile == st->profile;
}

/* Offers the free slots to stage st_index's tasks by locality level, as
 * TaskSchedulerImpl.resourceOffers does for one task set. */
void locality_offer(struct sim *sim, int st_index, bool full_round);

/* Task index of st was queued to run again / was launched. */
void locality_task_pending(struct rt_stage *st, int64_t index);

/* After a round: the revive that gives held-back tasks their next offer. */
void locality_after_round(struct sim *sim);

/* ---- exclude.c ----------------------------------------------------------- */

/* excludeOnFailure's settings (after locality_build: executor identities
 * and hosts); SC_EINPUT for a configuration Spark refuses. */
enum sc_status exclude_build(struct sim *sim, struct diag *d);
void exclude_free(struct sim *sim);

/* Whether stage st may not use executor position e (excluded for the
 * application or the stage, or its host), or task index of st may not run
 * there (excluded for the task). False with excludeOnFailure off. */
bool exclude_blocks_exec(const struct sim *sim, const struct rt_stage *st, int e);
bool exclude_blocks_task(const struct sim *sim, const struct rt_stage *st, int e, int64_t index);

/* Task index of st failed on executor position e (a failure that counts
 * towards spark.task.maxFailures): it may exclude the executor or its host;
 * at maxFailures the run stops (runtime_fail). */
void exclude_task_failed(struct sim *sim, struct rt_stage *st, int e, int64_t index);

/* Stage st succeeded: its failures count for the application's exclusions. */
void exclude_stage_succeeded(struct sim *sim, struct rt_stage *st);

/* Whether stage st may launch a task on executor position e at all. */
static inline bool stage_may_use(const struct sim *sim, const struct rt_stage *st, int e)
{
    return stage_runs_on(sim, st, e) && !exclude_blocks_exec(sim, st, e);
}

/* ---- task.c -------------------------------------------------------------- */

/* Per-task bytes, files and working set of stage st (at each submission). */
void task_stage_bytes_init(const struct sim *sim, struct rt_stage *st);

/* The spill of a task launched in slot with running_here tasks running on
 * its executor. */
double task_spill_bytes(const struct sim *sim, const struct rt_stage *st,
                        const struct rt_slot *slot, int running_here);

/* Starts a flow of bytes for the task in slot through res[0..n_res). */
void task_start_flow(struct sim *sim, struct rt_slot *slot, double bytes, const int *res, int n_res,
                     int kind);

/* Moves the task's timer to at_us, entering phase st. */
void task_set_timer(struct sim *sim, struct rt_slot *slot, int64_t at_us, enum task_state st);

/* After an event that started or cancelled flows: re-solve the network once
 * and move its completion event. */
void task_net_sync(struct sim *sim);

/* Event handlers: a task's timer, the network's next completion. */
void task_on_timer(struct engine *eng, struct event *ev);
void task_on_net(struct engine *eng, struct event *ev);

/* ---- shuffle.c ----------------------------------------------------------- */

/* Where stage st's shuffle blocks sit, from its parents' map output. */
void shuffle_locate_blocks(struct sim *sim, struct rt_stage *st);

/* Records where the map output of task index of st, run in slot, lives. */
void shuffle_record_map_output(struct rt_stage *st, const struct rt_slot *slot, int64_t index);

/* The fetch phase of the task in slot: starts it; a block arrived. */
void shuffle_begin_fetch(struct sim *sim, struct rt_slot *slot);
void shuffle_block_arrived(struct sim *sim, struct rt_slot *slot, bool remote, double bytes);

/* Whether worker w holds shuffle output a stage still has to read. */
bool shuffle_holds_needed(const struct sim *sim, int w);

/* Worker w is gone: stage si runs again the map tasks whose output lived
 * there, if a stage that is not done still needs them. */
void shuffle_recompute_lost_output(struct sim *sim, int si, int w);

/* ---- executors.c --------------------------------------------------------- */

/* Appends to the results' scaling events and node lives. */
void executors_record_scale(struct sim *sim, enum scale_kind kind, int id, int count, int target);
void executors_record_life(struct sim *sim, int w, int64_t from_us, int64_t to_us);

/* A delay drawn from dist (a DIST_FIXED one is `fixed` exactly), us. */
int64_t executors_draw_delay_us(struct sim *sim, const struct dist *dist, double fixed);

/* Sets up the node autoscaling or dynamic allocation policy; with dynamic
 * allocation, *initial_execs is the executors to start with. SC_EINPUT
 * (file:line of the cluster) when maxExecutors is below minExecutors. */
enum sc_status executors_start_policies(struct sim *sim, int *initial_execs, struct diag *d);

/* Executor e leaves (it is idle, or its node is gone). */
void executors_down(struct sim *sim, int e);
/* Kills the attempts running on executor e's slots (they fail and run
 * again, as on executor loss); returns how many. */
int executors_kill_tasks(struct sim *sim, int e);

/* The timeline's executors at span_start_us: those there from the start
 * join at once, the others' joins and every leave are scheduled. SC_ENOMEM
 * in d when the event queue cannot grow. */
enum sc_status executors_start_timeline(struct sim *sim, int64_t span_start_us, struct diag *d);

/* Schedules the policy's first poll at span_start_us, the origin of its
 * grid. */
void executors_policy_start(struct sim *sim, int64_t span_start_us);

/* A job was submitted or an executor registered: the policy polls at the
 * next point of its grid, unless it already polls sooner. */
void executors_policy_wake(struct sim *sim);

/* Something dynamic allocation reads changed (a task launched or ended,
 * tasks became pending, an executor left): its policy polls at the next
 * point of its grid, unless it already polls sooner. Nothing without
 * dynamic allocation (node autoscaling polls at every point of its grid). */
void executors_policy_note(struct sim *sim);

/* Event handlers: a worker joins, an executor registers, a policy runs, a
 * timeline executor joins or leaves. */
void executors_on_worker_join(struct engine *eng, struct event *ev);
void executors_on_start(struct engine *eng, struct event *ev);
void executors_on_policy(struct engine *eng, struct event *ev);
void executors_on_timeline_join(struct engine *eng, struct event *ev);
void executors_on_timeline_leave(struct engine *eng, struct event *ev);

/* ---- spot.c -------------------------------------------------------------- */

/* Schedules spot worker w's eviction, an exponential time after from_us
 * (nothing for an on-demand worker, or while evictions are paused). */
void spot_schedule_eviction(struct sim *sim, int w, int64_t from_us);

/* The last running job ended and another is still to come: pending
 * evictions are dropped until the next job is submitted (spot_resume). */
void spot_pause(struct sim *sim);
void spot_resume(struct sim *sim);

/* Event handler: a spot worker is taken back. */
void spot_on_evict(struct engine *eng, struct event *ev);

/* ---- speculation.c ------------------------------------------------------- */

/* The losing attempt of a speculation race: killed, its slot freed. */
void speculation_kill_copy(struct sim *sim, struct rt_slot *slot);

/* A successful attempt of st ran run_s: it joins the times whose median
 * sets the stage's threshold. */
void speculation_record_success(struct rt_stage *st, double run_s);

/* Schedules the first check, one spark.speculation.interval after
 * span_start_us (the origin of every later check). */
void speculation_start(struct sim *sim, int64_t span_start_us);

/* Something a check looks at changed (a slot freed, a task launched or
 * lost its copy, a stage started or stopped): the next point of the
 * checks' grid gets a check, unless one is due sooner. */
void speculation_wake(struct sim *sim);

/* Event handler: checkSpeculatableTasks, on spark.speculation.interval's
 * grid, where a check could launch a copy. */
void speculation_on_timer(struct engine *eng, struct event *ev);

#endif
