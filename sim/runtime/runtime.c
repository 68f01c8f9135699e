/*
 * runtime.c — the Spark runtime model (see runtime.h).
 *
 * What is reproduced from Spark 3 (DAGScheduler, TaskSchedulerImpl,
 * TaskSetManager, Pool and SchedulingAlgorithm in apache/spark core):
 *  - Ids. A job's id and its stages' ids are handed out when the job is
 *    submitted, parents before children, so Spark's FIFO order — by job id,
 *    then stage id — is submission order.
 *  - Stages. A stage is submitted when all its parents have finished; stages
 *    with no unfinished parent run at once and share the slots.
 *  - Slots. An executor has executor_cores / spark.task.cpus slots.
 *  - Offers. Each time slots free up, the scheduler makes one round of
 *    offers: it sorts the task sets once (FIFO: job id, stage id; FAIR: the
 *    pools by FairSchedulingAlgorithm, then the task sets inside each pool by
 *    the pool's own mode) and lets each task set in that order take as many
 *    free slots as it has tasks left, launching its tasks in index order. So
 *    FAIR shares slots as they free up, not by preempting running tasks,
 *    exactly as Spark does.
 *  - Pools. In FAIR mode a job runs in its `pool` ("default" if unset); a
 *    pool the scenario does not declare is created as Spark creates one:
 *    FIFO inside, weight 1, minShare 0. Note Spark's own default pool is
 *    FIFO inside, so two jobs in the same undeclared pool do not share.
 *  - Offer order. Free slots are handed out in the order they became free;
 *    at start they are interleaved across executors (slot 0 of every
 *    executor, then slot 1, ...), which is what Spark's round-robin over
 *    shuffled offers yields on a homogeneous cluster.
 *  - Launch. The driver launches tasks one at a time (serialize, RPC): each
 *    launch takes task_launch_s of driver time, so a task's scheduler delay
 *    is its wait for the driver plus that time. The default of 1 ms is the
 *    order of the scheduler delays recorded in the shared Spark event logs
 *    for small tasks; model.task_launch_ms overrides it.
 *
 * Jobs are actions of a driver program. The jobs without submit_s form the
 * program's main thread: each starts when every earlier job of its thread
 * has ended, as a driver that waits for what it launched (concurrent = true
 * submits a job together with the one before it, as Spark 3's AQE submits a
 * broadcast and a shuffle stage at once). A job with submit_s starts a
 * thread of its own at that time — another user, another notebook — and the
 * untimed jobs after it in the file follow it in that thread. gap_s delays a
 * job's submission by that long after its thread's earlier jobs end (the
 * driver-side work or idle time an event log records between actions).
 */
#include "sim/runtime/runtime.h"

#include "models/operators.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/autoscale.h"
#include "models/memory.h"
#include "models/network.h"
#include "models/storage.h"
#include "sim/runtime/engine.h"

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
    gsl_rng *rng;           /* while running */
    struct stage_cost cost;
    /* Bytes per task (stage totals spread evenly over its tasks). */
    double in_bytes, fetch_bytes, write_bytes, out_bytes, working_set;
    bool has_io;
    double cached;          /* bytes its finished tasks cached (df.cache()) */
    int *parent_index;      /* the parents, as stage indices */
    /* Tasks to run again (their attempt failed, or their output was lost),
     * before the ones never launched; and where each task's shuffle output
     * lives (-1: none), so a lost node's outputs can be found. */
    int64_t *retry;
    size_t retry_head, retry_n, retry_cap;
    int32_t *out_worker;
    uint8_t *attempts;      /* attempts so far, per task (saturating) */
    int resubmits;
    /* Speculation: the slots running each task (-1: none) and whether it is
     * done; successful run times for the median. */
    int32_t *run_a, *run_b;
    uint8_t *task_done;
    double *ok_dur;
    size_t n_ok;
    bool submitted_once;
    bool offered;           /* its tasks have been offered (after driver_s) */
    struct event offer_ev;
    double *map_bytes;      /* shuffle bytes this stage's tasks wrote, per worker */
    double *fetch_frac;     /* share of this stage's fetch served by each worker */
};

struct rt_job {
    const struct job_spec *spec;
    int first_stage, n_stages, stages_left;
    int pool;
    int64_t spark_id;
    bool submitted, done;
    size_t thread;          /* index of the job that heads its thread */
    size_t outstanding;     /* as a thread head: jobs submitted, not ended */
    size_t next;            /* as a thread head: next job to submit, or n_jobs */
    struct event submit_ev;
    struct event stages_ev; /* its first stages, after driver_s */
};

struct rt_pool {
    const char *name;
    enum sched_mode mode;
    int weight, min_share;
    int64_t running;
    int pending_stages;     /* stages of this pool with tasks not yet launched */
};

/* Where a running task is in its life (see the lifecycle comment below). */
enum task_state {
    TS_IDLE, TS_START, TS_INPUT, TS_FETCH, TS_COMPUTE, TS_SPILL_WRITE, TS_SPILL_READ, TS_WRITE
};

struct rt_slot {
    struct event done;      /* the task's timer: start, end of compute */
    int executor;
    int slot;
    int worker;
    size_t rec;             /* the task record running here */
    enum task_state state;
    int flows;              /* flows of the current phase still moving */
    int64_t phase_start_us;
    double compute_s;
    double base_compute_s;  /* before this node's slowdown (a copy reuses it) */
    double weight;          /* this task's share of its stage's data, relative to even */
    bool copy;              /* a speculative copy */
    double spill_bytes;
    /* Shuffle fetch: the worker whose blocks are being requested, the
     * bytes left there, the workers not yet visited, and what is in flight
     * (Spark's ShuffleBlockFetcherIterator limits). */
    int fetch_cursor, fetch_left_nodes;
    double fetch_node_left;
    double in_flight_bytes;
    int in_flight_reqs;
    double last_block_bytes;
    int *flow_ids;          /* the task's flows, so an eviction can cancel them */
    int n_flow_ids, cap_flow_ids;
};

/* What a flow carries, in the top byte of its tag; the rest is its bytes. */
enum flow_kind { FLOW_INPUT = 1, FLOW_FETCH_LOCAL, FLOW_FETCH_REMOTE, FLOW_SPILL, FLOW_WRITE,
                 FLOW_OUTPUT };
#define FLOW_TAG(kind, bytes) (((uint64_t)(kind) << 56) | ((uint64_t)(bytes) & ((1ULL << 56) - 1)))
#define FLOW_TAG_KIND(tag) ((int)((tag) >> 56))
#define FLOW_TAG_BYTES(tag) ((double)((tag) & ((1ULL << 56) - 1)))

enum worker_state { WK_ABSENT, WK_PROVISIONING, WK_ALIVE };

struct rt_worker {
    struct event join_ev;   /* provisioning done */
    struct event evict_ev;  /* a spot node's eviction */
    bool spot;
    enum worker_state state;
    int64_t life_from_us;   /* billed from here: request, or cluster start */
    int running;            /* tasks running on its executors */
    int64_t idle_since_us;  /* -1 while it runs tasks */
};

struct rt_exec {
    struct event start_ev;  /* dynamic allocation: the executor registers */
    bool alive, starting;
    int64_t up_since_us;    /* when it last joined */
    int64_t alive_us;       /* time alive so far, before up_since_us */
    int64_t idle_since_us;  /* -1 while it runs tasks */
};

struct sim {
    const struct scenario *scn;
    const struct plan *plan;
    struct cluster cl;
    struct engine eng;
    uint64_t seed;
    enum sched_mode mode;
    int64_t launch_us;      /* driver time per task launch */
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
    int *order;             /* scratch for a FAIR offer round */

    /* Bytes move through the flow-level network model. */
    struct net *net;
    struct event net_ev;    /* the network's next completion */
    bool net_dirty;         /* flows started or cancelled since the last solve */
    int n_workers;
    struct storage store;   /* the resources of every storage path */
    int *exec_running;      /* running tasks per executor (memory shares) */
    double exec_pool_bytes; /* execution memory of one executor */
    double *exec_cached;    /* bytes of cached data (df.cache()) on each executor */
    double fetch_target_bytes, fetch_max_in_flight;
    int64_t net_quantum_us; /* completions are batched to this grain */
    int fetch_max_reqs;

    /* The cluster changing size: node autoscaling (cluster.autoscale) or
     * Spark's dynamic allocation of executors. */
    int max_workers, max_executors;
    struct rt_worker *workers;
    struct rt_exec *execs;
    int alive_workers, pending_workers, alive_executors, starting_executors;
    struct event policy_ev;
    bool node_autoscale, dyn_alloc;
    struct autoscale_node node_policy;      /* when node_autoscale */
    struct autoscale_dynalloc dynalloc;     /* when dyn_alloc */
    int64_t da_start_us;                    /* an executor's start-up */
    int64_t total_running;
    gsl_rng *spot_rng;      /* eviction times, in event order */
    gsl_rng *scale_rng;     /* start-up and provisioning times, in event order */
    /* Speculative execution (spark.speculation). */
    bool spec_on;
    struct event spec_ev;
    double spec_multiplier, spec_quantile;
    int64_t spec_min_us, spec_interval_us;
    double noise_sigma;
    bool evict_at_used;

    int64_t next_job_id, next_stage_id;
    size_t jobs_done;
    bool failed;
    struct diag *diag;
    struct results res;
};

/* splitmix64: a good 64-bit mixer to derive independent stream seeds. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Simulated time is integer microseconds. */
static int64_t seconds_to_us(double s)
{
    return (int64_t)llround(s * 1e6);
}

static void fail(struct sim *sim, enum sc_status st, const char *msg)
{
    if (!sim->failed)
        diag_set(sim->diag, st, NULL, 0, "%s", msg);
    sim->failed = true;
    engine_stop(&sim->eng);
}

/* ---- random streams ----------------------------------------------------
 *
 * Every stage draws its tasks' times from a stream of its own, seeded from
 * the run's seed and the stage's place in the scenario, so that the draws of
 * one stage do not depend on when the others run. A stage reopened after
 * its shuffle output was lost draws from a fresh stream per resubmission. */

/* Opens stage st's stream for its first submission. */
static bool stage_stream_open(struct sim *sim, struct rt_stage *st)
{
    st->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!st->rng) {
        fail(sim, SC_ENOMEM, "out of memory for a random stream");
        return false;
    }
    gsl_rng_set(st->rng, (unsigned long)(st->stream_seed & 0xffffffffUL) ^
                             (unsigned long)(st->stream_seed >> 32));
    return true;
}

/* Opens the stream of a stage resubmitted after lost shuffle output. */
static bool stage_stream_reopen(struct sim *sim, struct rt_stage *st)
{
    st->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!st->rng) {
        fail(sim, SC_ENOMEM, "out of memory for a random stream");
        return false;
    }
    gsl_rng_set(st->rng, (unsigned long)mix64(st->stream_seed + (uint64_t)++st->resubmits));
    return true;
}

/* ---- free slots ------------------------------------------------------- */

static void free_push(struct sim *sim, int slot)
{
    sim->free_ring[(sim->free_head + sim->free_count) % sim->n_slots] = slot;
    sim->free_count++;
}

static int free_pop(struct sim *sim)
{
    int slot = sim->free_ring[sim->free_head];
    sim->free_head = (sim->free_head + 1) % sim->n_slots;
    sim->free_count--;
    return slot;
}

/* Takes executor e's slots out of the ring (it is leaving; they are idle). */
static void free_remove_executor(struct sim *sim, int e)
{
    int spe = sim->cl.slots_per_executor;
    size_t kept = 0, n = sim->free_count;
    for (size_t i = 0; i < n; i++) {
        int slot = sim->free_ring[(sim->free_head + i) % sim->n_slots];
        if (slot / spe != e)
            sim->free_ring[(sim->free_head + kept++) % sim->n_slots] = slot;
    }
    sim->free_count = kept;
}

/* ---- the active list -------------------------------------------------- */

static void active_insert(struct sim *sim, int st)
{
    size_t i = sim->n_active;
    while (i > 0 && sim->stages[sim->active[i - 1]].spark_id > sim->stages[st].spark_id) {
        sim->active[i] = sim->active[i - 1];
        i--;
    }
    sim->active[i] = st;
    sim->n_active++;
    sim->pools[sim->stages[st].pool].pending_stages++;
}

static void active_remove(struct sim *sim, int st)
{
    size_t i = 0;
    while (i < sim->n_active && sim->active[i] != st)
        i++;
    if (i == sim->n_active)
        return;
    memmove(&sim->active[i], &sim->active[i + 1], (sim->n_active - i - 1) * sizeof(int));
    sim->n_active--;
    sim->pools[sim->stages[st].pool].pending_stages--;
}

/* ---- scheduling order --------------------------------------------------- */

/* Spark's FairSchedulingAlgorithm.comparator: a schedulable below its
 * minShare is needy and goes first; among the needy the lower
 * running/minShare ratio goes first, otherwise the lower running/weight
 * ratio; ties go to the smaller name. Returns < 0 when a goes before b. */
static int fair_compare(int64_t run_a, int min_a, int w_a, const char *name_a, int64_t run_b,
                        int min_b, int w_b, const char *name_b)
{
    bool needy_a = run_a < min_a, needy_b = run_b < min_b;
    if (needy_a && !needy_b)
        return -1;
    if (!needy_a && needy_b)
        return 1;
    double ra, rb;
    if (needy_a && needy_b) {
        ra = (double)run_a / (min_a > 1 ? min_a : 1);
        rb = (double)run_b / (min_b > 1 ? min_b : 1);
    } else {
        ra = (double)run_a / w_a;
        rb = (double)run_b / w_b;
    }
    if (ra < rb)
        return -1;
    if (ra > rb)
        return 1;
    return strcmp(name_a, name_b);
}

static void taskset_name(const struct rt_stage *st, char *buf, size_t size)
{
    /* Spark names a task set "TaskSet_<stageId>.<attempt>". */
    snprintf(buf, size, "TaskSet_%lld.0", (long long)st->spark_id);
}

static int compare_tasksets_fair(const struct sim *sim, int a, int b)
{
    const struct rt_stage *sa = &sim->stages[a], *sb = &sim->stages[b];
    const struct rt_pool *pa = &sim->pools[sa->pool], *pb = &sim->pools[sb->pool];
    if (sa->pool != sb->pool) {
        int c = fair_compare(pa->running, pa->min_share, pa->weight, pa->name, pb->running,
                             pb->min_share, pb->weight, pb->name);
        if (c != 0)
            return c;
        return sa->pool - sb->pool;
    }
    if (pa->mode == SCHED_FIFO)
        return sa->spark_id < sb->spark_id ? -1 : sa->spark_id > sb->spark_id;
    char na[48], nb[48];
    taskset_name(sa, na, sizeof na);
    taskset_name(sb, nb, sizeof nb);
    int c = fair_compare(sa->running, 0, 1, na, sb->running, 0, 1, nb);
    return c;
}

/* ---- launching and finishing tasks ------------------------------------- */

static bool grow_records(struct sim *sim)
{
    struct results *r = &sim->res;
    if (r->n_tasks < r->cap_tasks)
        return true;
    size_t cap = r->cap_tasks ? r->cap_tasks * 2 : 1024;
    struct task_rec *t = realloc(r->tasks, cap * sizeof *t);
    if (!t)
        return false;
    r->tasks = t;
    r->cap_tasks = cap;
    return true;
}

static void stage_finish(struct sim *sim, int st_index);

/* ---- cached data (df.cache()) -------------------------------------------
 *
 * A stage with cache_bytes caches its output: each task puts its share in
 * the storage memory of its executor (RDD.getOrCompute, MEMORY_AND_DISK),
 * where it stays until the executor goes. Cached blocks inside the
 * storage-safe part of the unified region (spark.memory.storageFraction)
 * cannot be evicted by execution, so they shrink the execution pool of
 * every later task on that executor (memory_execution_pool). A block that
 * does not fit the unified region is written to the executor's local disk
 * instead (MEMORY_AND_DISK). */

/* The execution pool of executor e, given what it has cached. */
static double exec_pool(const struct sim *sim, int e)
{
    return memory_execution_pool(&sim->cl.memory, sim->exec_cached[e]);
}

/* The bytes a task of st caches (when it has computed its partition: at
 * the start of its write phase). */
static double cache_share(const struct rt_stage *st, const struct rt_slot *slot)
{
    if (st->spec->cache_bytes <= 0 || st->tasks < 1)
        return 0.0;
    return (double)st->spec->cache_bytes / (double)st->tasks * slot->weight;
}

/* What a task launched in slot, with running_here tasks now running on its
 * executor, spills. Its share of execution memory decides: Spark caps each
 * task at 1/N of the pool, N the tasks active on the executor, and tasks of
 * one wave start together; so N is the executor's concurrency for this
 * stage (its slots, or fewer if the stage has fewer tasks), or more tasks if
 * more are running, not the launch order within a wave. */
static double task_spill_bytes(const struct sim *sim, const struct rt_stage *st,
                               const struct rt_slot *slot, int running_here)
{
    if (!(st->working_set > 0.0))
        return 0.0;
    int64_t wave = st->tasks < sim->cl.slots_per_executor ? st->tasks
                                                           : sim->cl.slots_per_executor;
    int n = running_here > wave ? running_here : (int)wave;
    return memory_spill_bytes(st->working_set * slot->weight,
                              memory_task_share(exec_pool(sim, slot->executor), n));
}

static void offer_round(struct sim *sim);
static void submit_job(struct sim *sim, size_t j);

/* ---- a task's life ----------------------------------------------------
 *
 * A task that moves no bytes is one timer: it ends compute_s after it
 * starts. A task that moves bytes goes through phases, each ending when its
 * flows (or its timer) end:
 *
 *   START -> INPUT -> FETCH (+ compute) -> SPILL write -> SPILL read -> WRITE
 *
 * INPUT reads the task's split from the storage account through the worker's
 * NIC; a split of spark.sql.files.maxPartitionBytes is typically one Parquet
 * row group, decoded after it arrives, so compute follows the read.
 *
 * FETCH is Spark's ShuffleBlockFetcherIterator: blocks on the task's own
 * worker are read from its local disk; remote blocks are requested worker by
 * worker in requests of at most maxSizeInFlight / 5 bytes (Spark's
 * targetRemoteRequestSize), with at most spark.reducer.maxSizeInFlight bytes
 * and spark.reducer.maxReqsInFlight requests outstanding; each remote
 * request is a flow through the serving worker's disk and NIC out and this
 * worker's NIC in. The task computes on blocks as they arrive, so fetch and
 * compute overlap: the task cannot finish computing before it has all its
 * data plus the time to process the last block, nor before compute_s after
 * the fetch began:
 *
 *   compute ends at max(fetch_start + C, fetch_end + C * last_block / fetched)
 *
 * and the part beyond fetch_start + C is the task's fetch wait.
 *
 * SPILL: a memory-hungry operator whose working set exceeds the task's share
 * of execution memory writes the excess to local disk and reads it back.
 *
 * WRITE: shuffle output to local disk, and table output to the storage
 * account through the NIC, at the same time.
 */

static void on_task_timer(struct engine *eng, struct event *ev);
static void task_finish(struct sim *sim, struct rt_slot *slot);
static void begin_fetch(struct sim *sim, struct rt_slot *slot);
static void begin_spill(struct sim *sim, struct rt_slot *slot);
static void begin_write(struct sim *sim, struct rt_slot *slot);

static void start_flow(struct sim *sim, struct rt_slot *slot, double bytes, const int *res,
                       int n_res, int kind)
{
    uint64_t whole = (uint64_t)llround(bytes);
    int id = net_flow_start(sim->net, engine_now(&sim->eng), (double)whole, res, n_res, 1.0, slot,
                            FLOW_TAG(kind, whole));
    if (id < 0) {
        fail(sim, SC_ENOMEM, "out of memory for network flows");
        return;
    }
    if (slot->n_flow_ids == slot->cap_flow_ids) {
        int cap = slot->cap_flow_ids ? slot->cap_flow_ids * 2 : 8;
        int *p = realloc(slot->flow_ids, (size_t)cap * sizeof *p);
        if (!p) {
            fail(sim, SC_ENOMEM, "out of memory for network flows");
            return;
        }
        slot->flow_ids = p;
        slot->cap_flow_ids = cap;
    }
    slot->flow_ids[slot->n_flow_ids++] = id;
    slot->flows++;
    sim->net_dirty = true;
}

static void set_timer(struct sim *sim, struct rt_slot *slot, int64_t at_us, enum task_state st)
{
    slot->state = st;
    if (engine_schedule(&sim->eng, &slot->done, at_us, 1) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

static struct rt_stage *slot_stage(struct sim *sim, struct rt_slot *slot)
{
    return &sim->stages[sim->res.tasks[slot->rec].stage];
}

static float seconds_since(struct sim *sim, int64_t t_us)
{
    return (float)((double)(engine_now(&sim->eng) - t_us) * 1e-6);
}

static void begin_input(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    slot->phase_start_us = engine_now(&sim->eng);
    if (st->in_bytes > 0.0) {
        slot->state = TS_INPUT;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_input(&sim->store, slot->worker, res);
        start_flow(sim, slot, st->in_bytes * slot->weight, res, n, FLOW_INPUT);
        sim->res.stages[sim->res.tasks[slot->rec].stage].input_bytes += st->in_bytes * slot->weight;
        return;
    }
    begin_fetch(sim, slot);
}

/* Moves the fetch cursor to the next worker with blocks for this task. */
static void fetch_next_node(struct sim *sim, struct rt_slot *slot, const struct rt_stage *st)
{
    while (slot->fetch_left_nodes > 0) {
        slot->fetch_cursor = (slot->fetch_cursor + 1) % sim->n_workers;
        slot->fetch_left_nodes--;
        if (slot->fetch_cursor == slot->worker)
            continue;
        double b = st->fetch_bytes * slot->weight * st->fetch_frac[slot->fetch_cursor];
        if (b > 0.0) {
            slot->fetch_node_left = b;
            return;
        }
    }
    slot->fetch_node_left = 0.0;
}

/* Issues remote requests while Spark's in-flight limits allow. */
static void fetch_issue(struct sim *sim, struct rt_slot *slot, const struct rt_stage *st)
{
    while (slot->fetch_node_left > 0.0 && slot->in_flight_reqs < sim->fetch_max_reqs) {
        double req = slot->fetch_node_left < sim->fetch_target_bytes ? slot->fetch_node_left
                                                                     : sim->fetch_target_bytes;
        /* The first request always goes out, however large (as in Spark). */
        if (slot->in_flight_reqs > 0 && slot->in_flight_bytes + req > sim->fetch_max_in_flight)
            break;
        int src = slot->fetch_cursor;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_remote_block(&sim->store, src, slot->worker, res);
        start_flow(sim, slot, req, res, n, FLOW_FETCH_REMOTE);
        slot->in_flight_bytes += req;
        slot->in_flight_reqs++;
        slot->fetch_node_left -= req;
        if (slot->fetch_node_left <= 0.5)
            fetch_next_node(sim, slot, st);
    }
}

static void begin_fetch(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    int64_t now = engine_now(&sim->eng);
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    if (slot->state == TS_INPUT)
        rec->phase_s[PHASE_INPUT] = seconds_since(sim, slot->phase_start_us);
    slot->phase_start_us = now;
    if (!(st->fetch_bytes > 0.0)) {
        set_timer(sim, slot, now + (int64_t)llround(slot->compute_s * 1e6), TS_COMPUTE);
        return;
    }
    slot->state = TS_FETCH;
    slot->last_block_bytes = 0.0;
    slot->in_flight_bytes = 0.0;
    slot->in_flight_reqs = 0;
    struct stage_result *sr = &sim->res.stages[rec->stage];
    double local = st->fetch_bytes * slot->weight * st->fetch_frac[slot->worker];
    if (local > 0.0) {
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        start_flow(sim, slot, local, res, n, FLOW_FETCH_LOCAL);
        sr->shuffle_read_local_bytes += local;
    }
    sr->shuffle_read_remote_bytes += st->fetch_bytes * slot->weight - local;
    /* Start at a worker that depends on the task, so reducers spread their
     * first requests over the cluster (Spark randomizes request order). */
    slot->fetch_cursor = (int)(rec->index % sim->n_workers) - 1;
    if (slot->fetch_cursor < 0)
        slot->fetch_cursor += sim->n_workers;
    slot->fetch_left_nodes = sim->n_workers;
    fetch_next_node(sim, slot, st);
    fetch_issue(sim, slot, st);
    if (slot->flows == 0) /* nothing to fetch after all */
        set_timer(sim, slot, now + (int64_t)llround(slot->compute_s * 1e6), TS_COMPUTE);
}

static void fetch_done(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    int64_t now = engine_now(&sim->eng);
    double c = slot->compute_s;
    double start_s = (double)slot->phase_start_us * 1e-6;
    double fetched = st->fetch_bytes * slot->weight;
    double tail = fetched > 0.0 ? c * slot->last_block_bytes / fetched : 0.0;
    double end_s = start_s + c;
    if ((double)now * 1e-6 + tail > end_s)
        end_s = (double)now * 1e-6 + tail;
    int64_t end_us = (int64_t)llround(end_s * 1e6);
    if (end_us < now)
        end_us = now;
    double wait = end_s - (start_s + c);
    rec->phase_s[PHASE_FETCH] = (float)(wait > 0.0 ? wait : 0.0);
    sim->res.stages[rec->stage].fetch_wait_s += wait > 0.0 ? wait : 0.0;
    set_timer(sim, slot, end_us, TS_COMPUTE);
}

/* A shuffle block of bytes arrived (from another worker when remote):
 * request more while the limits allow; the fetch is over with the last. */
static void block_arrived(struct sim *sim, struct rt_slot *slot, bool remote, double bytes)
{
    slot->last_block_bytes = bytes;
    if (remote) {
        slot->in_flight_bytes -= bytes;
        slot->in_flight_reqs--;
        fetch_issue(sim, slot, slot_stage(sim, slot));
    }
    if (slot->flows == 0)
        fetch_done(sim, slot);
}

static void begin_spill(struct sim *sim, struct rt_slot *slot)
{
    slot->phase_start_us = engine_now(&sim->eng);
    if (slot->spill_bytes > 0.0) {
        slot->state = TS_SPILL_WRITE;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        start_flow(sim, slot, slot->spill_bytes, res, n, FLOW_SPILL);
        sim->res.stages[sim->res.tasks[slot->rec].stage].spill_bytes += slot->spill_bytes;
        return;
    }
    begin_write(sim, slot);
}

static void begin_write(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    if (slot->state == TS_SPILL_READ)
        rec->phase_s[PHASE_SPILL] = seconds_since(sim, slot->phase_start_us);
    slot->phase_start_us = engine_now(&sim->eng);
    slot->state = TS_WRITE;
    struct stage_result *sr = &sim->res.stages[rec->stage];
    if (st->write_bytes > 0.0) {
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        start_flow(sim, slot, st->write_bytes * slot->weight, res, n, FLOW_WRITE);
        sr->shuffle_write_bytes += st->write_bytes * slot->weight;
    }
    double cache = cache_share(st, slot);
    if (cache > 0.0) {
        /* The task has computed its partition and cached it. A re-run task
         * finds its block cached already: the stage caches its cache_bytes
         * once. What does not fit in the unified region (storage may
         * borrow all of it) goes to local disk. */
        double left = (double)st->spec->cache_bytes - st->cached;
        cache = cache < left ? cache : left > 0.0 ? left : 0.0;
        st->cached += cache;
        double over = storage_cache_overflow_bytes(sim->exec_cached[slot->executor], cache,
                                                   sim->cl.memory.unified_bytes);
        sim->exec_cached[slot->executor] += cache;
        if (over >= 1.0) {
            int res[STORAGE_MAX_PATH];
            int n = storage_path_local_disk(&sim->store, slot->worker, res);
            start_flow(sim, slot, over, res, n, FLOW_WRITE);
        }
    }
    if (st->out_bytes > 0.0) {
        int res[STORAGE_MAX_PATH];
        int n = storage_path_output(&sim->store, slot->worker, res);
        start_flow(sim, slot, st->out_bytes * slot->weight, res, n, FLOW_OUTPUT);
        sr->output_bytes += st->out_bytes * slot->weight;
    }
    if (slot->flows == 0)
        task_finish(sim, slot);
}

/* A flow of a task ended (called by the network model). */
static void on_flow_done(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us)
{
    struct sim *sim = ctx;
    struct rt_slot *slot = owner;
    (void)now_us;
    for (int i = 0; i < slot->n_flow_ids; i++)
        if (slot->flow_ids[i] == flow) {
            slot->flow_ids[i] = slot->flow_ids[--slot->n_flow_ids];
            break;
        }
    slot->flows--;
    int kind = FLOW_TAG_KIND(tag);
    if (kind == FLOW_FETCH_REMOTE || kind == FLOW_FETCH_LOCAL) {
        block_arrived(sim, slot, kind == FLOW_FETCH_REMOTE, FLOW_TAG_BYTES(tag));
        return;
    }
    if (slot->flows > 0)
        return;
    switch (slot->state) {
    case TS_INPUT:
        begin_fetch(sim, slot);
        break;
    case TS_SPILL_WRITE: {
        /* Read back what was spilled. */
        slot->state = TS_SPILL_READ;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        start_flow(sim, slot, slot->spill_bytes, res, n, FLOW_SPILL);
        break;
    }
    case TS_SPILL_READ:
        begin_write(sim, slot);
        break;
    case TS_WRITE:
        sim->res.tasks[slot->rec].phase_s[PHASE_WRITE] =
            seconds_since(sim, slot->phase_start_us);
        task_finish(sim, slot);
        break;
    default:
        fail(sim, SC_EINTERNAL, "a flow ended for a task that was not moving bytes");
    }
}

/* When to process the network's next completion: the completion time
 * rounded up to the quantum, so that completions falling in one quantum are
 * handled together with one solve. A flow then ends at most one quantum
 * late; with a quantum of 0 the model is exact. */
static int64_t net_due(const struct sim *sim, int64_t next)
{
    if (next == INT64_MAX || sim->net_quantum_us <= 1)
        return next;
    int64_t q = sim->net_quantum_us;
    return (next + q - 1) / q * q;
}

/* The network's next completion: finish the flows due now. */
static void on_net(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    int64_t next = net_due(sim, net_complete(sim->net, engine_now(eng), on_flow_done, sim));
    sim->net_dirty = false;
    if (next != INT64_MAX && engine_schedule(eng, &sim->net_ev, next, 0) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* After an event that started flows: re-solve once and move the network's
 * completion event. */
static void net_sync(struct sim *sim)
{
    if (!sim->net_dirty)
        return;
    sim->net_dirty = false;
    int64_t next = net_due(sim, net_update(sim->net, engine_now(&sim->eng)));
    if (next == INT64_MAX)
        engine_cancel(&sim->eng, &sim->net_ev);
    else if (engine_schedule(&sim->eng, &sim->net_ev, next, 0) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* How much slower than its type a worker runs (what-if slow node). */
static double worker_slowdown(const struct sim *sim, int w)
{
    const struct model_spec *m = &sim->scn->model;
    return m->slow_worker == w && m->slow_factor > 0.0 ? m->slow_factor : 1.0;
}

/* Tasks of a stage waiting to be launched. */
static inline int64_t stage_pending(const struct rt_stage *st)
{
    return (st->tasks - st->next) + (int64_t)st->retry_n;
}

static bool retry_push(struct rt_stage *st, int64_t index)
{
    if (st->retry_n == st->retry_cap) {
        size_t cap = st->retry_cap ? st->retry_cap * 2 : 16;
        int64_t *q = malloc(cap * sizeof *q);
        if (!q)
            return false;
        for (size_t i = 0; i < st->retry_n; i++)
            q[i] = st->retry[(st->retry_head + i) % st->retry_cap];
        free(st->retry);
        st->retry = q;
        st->retry_cap = cap;
        st->retry_head = 0;
    }
    st->retry[(st->retry_head + st->retry_n) % st->retry_cap] = index;
    st->retry_n++;
    return true;
}

static void launch(struct sim *sim, int st_index, int slot_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    struct rt_slot *slot = &sim->slots[slot_index];
    /* Retries first (Spark re-queues a failed task at the front), then the
     * next task never launched. */
    int64_t index;
    if (st->retry_n > 0) {
        index = st->retry[st->retry_head];
        st->retry_head = (st->retry_head + 1) % st->retry_cap;
        st->retry_n--;
    } else {
        index = st->next++;
    }
    if (!grow_records(sim)) {
        fail(sim, SC_ENOMEM, "out of memory for task records");
        return;
    }
    int64_t now = engine_now(&sim->eng);
    size_t rec_index = sim->res.n_tasks++;
    struct task_rec *rec = &sim->res.tasks[rec_index];
    rec->assign_us = now;
    sim->driver_free_us = (sim->driver_free_us > now ? sim->driver_free_us : now) + sim->launch_us;
    rec->launch_us = sim->driver_free_us;
    /* A task's data can differ from its stage's even share (skew): the
     * planner gives each task a weight, 1 on average. */
    slot->weight = st->spec->task_weights ? st->spec->task_weights[index] : 1.0;
    slot->compute_s = taskcost_task(&st->cost, st->rng, index, rec->phase_s);
    if (!st->cost.from_dist)
        slot->compute_s *= slot->weight;
    /* Computed times vary around their cost (times given as task_seconds
     * already carry their own spread). */
    if (!st->cost.from_dist && sim->noise_sigma > 0.0) {
        slot->compute_s *= gsl_ran_lognormal(st->rng, 0.0, sim->noise_sigma);
        rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    }
    slot->base_compute_s = slot->compute_s;
    slot->copy = false;
    slot->compute_s *= worker_slowdown(sim, slot->worker);
    rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    if (st->run_a)
        st->run_a[index] = (int32_t)slot_index;
    rec->end_us = rec->launch_us;
    rec->stage = st_index;
    rec->index = (int32_t)index;
    rec->executor = slot->executor;
    rec->slot = (int16_t)slot->slot;
    rec->attempt = st->attempts ? st->attempts[index] : 0;
    if (st->attempts && st->attempts[index] < UINT8_MAX)
        st->attempts[index]++;
    rec->status = TASK_SUCCESS;
    slot->rec = rec_index;
    slot->flows = 0;
    slot->n_flow_ids = 0;
    st->running++;
    sim->pools[st->pool].running++;
    int running_here = ++sim->exec_running[slot->executor];
    sim->execs[slot->executor].idle_since_us = -1;
    sim->workers[slot->worker].running++;
    sim->workers[slot->worker].idle_since_us = -1;
    sim->total_running++;
    if (stage_pending(st) == 0)
        active_remove(sim, st_index);
    slot->spill_bytes = task_spill_bytes(sim, st, slot, running_here);
    if (!st->has_io && slot->spill_bytes == 0.0) {
        /* Nothing to move: one timer for the whole task. */
        set_timer(sim, slot, rec->launch_us + (int64_t)llround(slot->compute_s * 1e6),
                  TS_COMPUTE);
        return;
    }
    set_timer(sim, slot, rec->launch_us, TS_START);
}

/* Map output bookkeeping: where a finished task's shuffle output lives
 * (MapOutputTracker), by worker, so that reducers fetch from there and a
 * lost node's outputs can be found. */
static void record_map_output(struct rt_stage *st, const struct rt_slot *slot, int64_t index)
{
    if (st->map_bytes)
        st->map_bytes[slot->worker] += st->write_bytes * slot->weight;
    if (st->out_worker)
        st->out_worker[index] = slot->worker;
}

static void kill_copy(struct sim *sim, struct rt_slot *slot);
static void end_attempt(struct sim *sim, struct rt_slot *slot, enum task_status status);

static void task_finish(struct sim *sim, struct rt_slot *slot)
{
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    int st_index = rec->stage;
    struct rt_stage *st = &sim->stages[st_index];
    rec->end_us = engine_now(&sim->eng);
    if (st->run_a) {
        /* The first attempt to finish wins; the other is killed. */
        int self = (int)(slot - sim->slots);
        int other = st->run_a[rec->index] == self ? st->run_b[rec->index] : st->run_a[rec->index];
        st->run_a[rec->index] = st->run_b[rec->index] = -1;
        st->task_done[rec->index] = 1;
        if (st->n_ok < 2 * (size_t)st->tasks) /* recomputes may add a few */
            st->ok_dur[st->n_ok++] = (double)(rec->end_us - rec->launch_us) * 1e-6;
        if (slot->copy) {
            sim->res.speculative_won++;
            sim->res.stages[st_index].speculative_won++;
        }
        if (other >= 0)
            kill_copy(sim, &sim->slots[other]);
    }
    slot->state = TS_IDLE;
    record_map_output(st, slot, rec->index);
    st->running--;
    st->done++;
    sim->pools[st->pool].running--;
    int64_t now = engine_now(&sim->eng);
    if (--sim->exec_running[slot->executor] == 0)
        sim->execs[slot->executor].idle_since_us = now;
    if (--sim->workers[slot->worker].running == 0)
        sim->workers[slot->worker].idle_since_us = now;
    sim->total_running--;
    free_push(sim, (int)(slot - sim->slots));
    if (st->done == st->tasks)
        stage_finish(sim, st_index);
    offer_round(sim);
}

/* The losing attempt of a speculation race: killed, not run again; its
 * slot is free at once. */
static void kill_copy(struct sim *sim, struct rt_slot *slot)
{
    end_attempt(sim, slot, TASK_KILLED);
    free_push(sim, (int)(slot - sim->slots));
}

static int compare_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n) in increasing order. */
static void sort_doubles(double *v, size_t n)
{
    qsort(v, n, sizeof(double), compare_dbl);
}

/* Launches a copy of task `index` (running in slot `orig`) on a free slot of
 * another worker, if there is one. */
static bool launch_copy(struct sim *sim, int st_index, int64_t index, int orig)
{
    struct rt_stage *st = &sim->stages[st_index];
    int orig_worker = sim->slots[orig].worker;
    /* Spark does not speculate on the host already running the task. */
    size_t pick = SIZE_MAX;
    for (size_t i = 0; i < sim->free_count; i++) {
        int cand = sim->free_ring[(sim->free_head + i) % sim->n_slots];
        if (sim->slots[cand].worker != orig_worker) {
            pick = i;
            break;
        }
    }
    if (pick == SIZE_MAX)
        return false;
    int slot_index = sim->free_ring[(sim->free_head + pick) % sim->n_slots];
    for (size_t i = pick; i + 1 < sim->free_count; i++)
        sim->free_ring[(sim->free_head + i) % sim->n_slots] =
            sim->free_ring[(sim->free_head + i + 1) % sim->n_slots];
    sim->free_count--;
    if (!grow_records(sim)) {
        fail(sim, SC_ENOMEM, "out of memory for task records");
        return false;
    }
    struct rt_slot *slot = &sim->slots[slot_index];
    int64_t now = engine_now(&sim->eng);
    size_t rec_index = sim->res.n_tasks++;
    struct task_rec *rec = &sim->res.tasks[rec_index];
    memset(rec, 0, sizeof *rec);
    rec->assign_us = now;
    sim->driver_free_us = (sim->driver_free_us > now ? sim->driver_free_us : now) + sim->launch_us;
    rec->launch_us = sim->driver_free_us;
    rec->stage = st_index;
    rec->index = (int32_t)index;
    rec->executor = slot->executor;
    rec->slot = (int16_t)slot->slot;
    rec->attempt = st->attempts[index];
    if (st->attempts[index] < UINT8_MAX)
        st->attempts[index]++;
    rec->status = TASK_SUCCESS;
    /* The same work as the original, at this node's speed. */
    slot->base_compute_s = sim->slots[orig].base_compute_s;
    slot->weight = sim->slots[orig].weight;
    slot->compute_s = slot->base_compute_s * worker_slowdown(sim, slot->worker);
    rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    slot->copy = true;
    slot->rec = rec_index;
    slot->flows = 0;
    slot->n_flow_ids = 0;
    slot->spill_bytes = 0.0;
    st->running++;
    sim->pools[st->pool].running++;
    ++sim->exec_running[slot->executor];
    sim->execs[slot->executor].idle_since_us = -1;
    sim->workers[slot->worker].running++;
    sim->workers[slot->worker].idle_since_us = -1;
    sim->total_running++;
    st->run_b[index] = slot_index;
    sim->res.speculative_launched++;
    sim->res.stages[st_index].speculative_launched++;
    set_timer(sim, slot, st->has_io ? rec->launch_us
                                    : rec->launch_us + (int64_t)llround(slot->compute_s * 1e6),
              st->has_io ? TS_START : TS_COMPUTE);
    return true;
}

/* TaskSetManager.checkSpeculatableTasks, every spark.speculation.interval:
 * once quantile of a stage's tasks have finished, a running task older than
 * multiplier x their median run time (and minTaskRuntime) gets a copy. */
static void on_speculation(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    if (sim->jobs_done == sim->n_jobs)
        return;
    int64_t now = engine_now(eng);
    for (size_t si = 0; si < sim->n_stages && sim->free_count > 0; si++) {
        struct rt_stage *st = &sim->stages[si];
        if (st->state != STAGE_RUNNING || st->n_ok == 0)
            continue;
        double need = floor(sim->spec_quantile * (double)st->tasks);
        if ((double)st->n_ok < (need > 1.0 ? need : 1.0))
            continue;
        sort_doubles(st->ok_dur, st->n_ok);
        double median = results_quantile_sorted(st->ok_dur, st->n_ok, 0.5);
        int64_t threshold = (int64_t)llround(sim->spec_multiplier * median * 1e6);
        if (threshold < sim->spec_min_us)
            threshold = sim->spec_min_us;
        for (size_t i = 0; i < sim->n_slots && sim->free_count > 0; i++) {
            struct rt_slot *slot = &sim->slots[i];
            if (slot->state == TS_IDLE || slot->copy)
                continue;
            const struct task_rec *rec = &sim->res.tasks[slot->rec];
            if (rec->stage != (int32_t)si || st->run_b[rec->index] >= 0 ||
                now - rec->launch_us <= threshold)
                continue;
            launch_copy(sim, (int)si, rec->index, (int)i);
        }
    }
    if (engine_schedule(eng, &sim->spec_ev, now + sim->spec_interval_us, 3) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
    net_sync(sim);
}

/* The task's timer: its start, or the end of its compute. */
static void on_task_timer(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_slot *slot = (struct rt_slot *)ev;
    (void)eng;
    if (slot->state == TS_START) {
        begin_input(sim, slot);
    } else {
        if (slot_stage(sim, slot)->has_io || slot->spill_bytes > 0.0)
            begin_spill(sim, slot);
        else
            task_finish(sim, slot);
    }
    net_sync(sim);
}

/* One round of resource offers (TaskSchedulerImpl.resourceOffers). */
static void offer_round(struct sim *sim)
{
    if (sim->free_count == 0 || sim->n_active == 0)
        return;
    if (sim->mode == SCHED_FIFO) {
        /* The active list is already in FIFO order. */
        while (sim->free_count > 0 && sim->n_active > 0 && !sim->failed)
            launch(sim, sim->active[0], free_pop(sim));
        return;
    }
    /* FAIR: sort once for the round, as Spark does. The list is short (one
     * entry per stage with tasks left), so insertion sort. */
    size_t n = sim->n_active;
    for (size_t i = 0; i < n; i++) {
        int v = sim->active[i];
        size_t j = i;
        while (j > 0 && compare_tasksets_fair(sim, sim->order[j - 1], v) > 0) {
            sim->order[j] = sim->order[j - 1];
            j--;
        }
        sim->order[j] = v;
    }
    for (size_t i = 0; i < n && sim->free_count > 0 && !sim->failed; i++) {
        int st = sim->order[i];
        while (sim->free_count > 0 && stage_pending(&sim->stages[st]) > 0 &&
               !sim->failed)
            launch(sim, st, free_pop(sim));
    }
}

/* Operators whose working set grows with their input (hash tables, sort
 * buffers, join build sides, window buffers), as the registry says. */
static bool memory_hungry(const char *kernel)
{
    int k = op_kernel_find(kernel);
    return k >= 0 && op_kernel_info((enum op_kernel)k)->memory_hungry;
}

/* Expansion of bytes read (compressed shuffle blocks, columnar input) into
 * rows in memory, when the scenario gives no memory_bytes. */
#define RUNTIME_MEMORY_EXPANSION 2.0

/* Per-task bytes (stage totals spread evenly), the working set of a
 * memory-hungry operator, and whether the task moves bytes at all. */
static void stage_bytes_init(struct sim *sim, struct rt_stage *st)
{
    const struct plan_stage *ss = st->spec;
    st->in_bytes = storage_task_share(ss->input_bytes, st->tasks);
    st->fetch_bytes = storage_task_share(ss->shuffle_read_bytes, st->tasks);
    st->write_bytes = storage_task_share(ss->shuffle_write_bytes, st->tasks);
    st->out_bytes = storage_task_share(ss->output_bytes, st->tasks);
    if (ss->memory_bytes >= 0)
        st->working_set = (double)ss->memory_bytes;
    else if (memory_hungry(ss->kernel))
        st->working_set = (st->in_bytes + st->fetch_bytes) * RUNTIME_MEMORY_EXPANSION;
    else
        st->working_set = 0.0;
    st->has_io = st->in_bytes > 0.0 || st->fetch_bytes > 0.0 || st->write_bytes > 0.0 ||
                 st->out_bytes > 0.0 || ss->cache_bytes > 0;
}

/* Where a reduce stage's shuffle data sits: in proportion to what its
 * parents' map tasks wrote on each worker (uniform over the workers alive
 * when they recorded none). */
static void locate_blocks(struct sim *sim, struct rt_stage *st)
{
    const struct plan_stage *ss = st->spec;
    if (st->fetch_bytes > 0.0 && st->fetch_frac) {
        double total = 0.0;
        for (int w = 0; w < sim->n_workers; w++)
            st->fetch_frac[w] = 0.0;
        for (size_t p = 0; p < ss->n_parents; p++) {
            const struct rt_stage *parent = &sim->stages[st->parent_index[p]];
            if (!parent->map_bytes)
                continue;
            for (int w = 0; w < sim->n_workers; w++) {
                st->fetch_frac[w] += parent->map_bytes[w];
                total += parent->map_bytes[w];
            }
        }
        int alive = 0;
        for (int w = 0; w < sim->n_workers; w++)
            alive += sim->workers[w].state == WK_ALIVE;
        for (int w = 0; w < sim->n_workers; w++)
            st->fetch_frac[w] = total > 0.0 ? st->fetch_frac[w] / total
                                : sim->workers[w].state == WK_ALIVE && alive > 0
                                    ? 1.0 / alive
                                    : 0.0;
    }
}

static void stage_submit(struct sim *sim, int st_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    st->state = STAGE_RUNNING;
    struct stage_result *sr = &sim->res.stages[st_index];
    if (!st->submitted_once) {
        /* A stage resubmitted after lost shuffle output keeps its first
         * submission time, and its random stream. */
        st->submitted_once = true;
        sr->submit_us = engine_now(&sim->eng);
    }
    if (!st->rng && !stage_stream_open(sim, st))
        return;
    taskcost_stage_init(&st->cost, st->spec, &sim->cl);
    stage_bytes_init(sim, st);
    locate_blocks(sim, st);
    if (st->spec->driver_s > 0.0 && !st->offered) {
        /* The driver serializes and broadcasts the task binary before it
         * offers the tasks (DAGScheduler.submitMissingTasks). */
        if (engine_schedule(&sim->eng, &st->offer_ev,
                            engine_now(&sim->eng) + (int64_t)llround(st->spec->driver_s * 1e6),
                            0) != 0)
            fail(sim, SC_ENOMEM, "out of memory for the event queue");
        return;
    }
    st->offered = true;
    if (stage_pending(st) > 0)
        active_insert(sim, st_index);
}

static void on_stage_offer(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_stage *st = (struct rt_stage *)((char *)ev - offsetof(struct rt_stage, offer_ev));
    (void)eng;
    st->offered = true;
    if (st->state == STAGE_RUNNING && stage_pending(st) > 0)
        active_insert(sim, (int)(st - sim->stages));
    offer_round(sim);
    net_sync(sim);
}

static void stage_finish(struct sim *sim, int st_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    int64_t now = engine_now(&sim->eng);
    st->state = STAGE_DONE;
    sim->res.stages[st_index].end_us = now;
    gsl_rng_free(st->rng);
    st->rng = NULL;
    for (int c = 0; c < st->n_children; c++) {
        struct rt_stage *child = &sim->stages[st->children[c]];
        /* After a recompute, children that were done stay done. */
        if (child->state == STAGE_WAITING && --child->parents_left == 0)
            stage_submit(sim, st->children[c]);
    }
    struct rt_job *job = &sim->jobs[st->job];
    if (--job->stages_left == 0) {
        job->done = true;
        sim->res.jobs[st->job].end_us = now;
        sim->jobs_done++;
        /* The thread's next job starts once everything the thread has
         * launched has ended. */
        struct rt_job *head = &sim->jobs[job->thread];
        if (--head->outstanding == 0 && head->next < sim->n_jobs) {
            struct rt_job *nx = &sim->jobs[head->next];
            if (nx->spec->gap_s > 0.0) {
                /* Driver-side work or an idle user between actions. */
                int64_t at = now + (int64_t)llround(nx->spec->gap_s * 1e6);
                if (engine_schedule(&sim->eng, &nx->submit_ev, at, 0) != 0)
                    fail(sim, SC_ENOMEM, "out of memory for the event queue");
            } else {
                submit_job(sim, head->next);
            }
        }
    }
}

static void submit_job(struct sim *sim, size_t j)
{
    struct rt_job *job = &sim->jobs[j];
    if (job->submitted)
        return;
    job->submitted = true;
    struct rt_job *head = &sim->jobs[job->thread];
    head->outstanding++;
    /* The thread's next job: the first later job of the same thread. */
    size_t nx = j + 1;
    while (nx < sim->n_jobs && sim->jobs[nx].thread != job->thread)
        nx++;
    head->next = nx;
    int64_t now = engine_now(&sim->eng);
    job->spark_id = sim->next_job_id++;
    sim->res.jobs[j].spark_id = job->spark_id;
    sim->res.jobs[j].submit_us = now;
    /* Stage ids in the order the stages are listed (parents first in any
     * file copied from Spark). */
    for (int i = 0; i < job->n_stages; i++) {
        struct rt_stage *st = &sim->stages[job->first_stage + i];
        st->spark_id = sim->next_stage_id++;
        sim->res.stages[job->first_stage + i].spark_id = st->spark_id;
    }
    if (job->spec->driver_s > 0.0) {
        /* The driver builds the job's stages before it submits them. */
        if (engine_schedule(&sim->eng, &job->stages_ev,
                            now + (int64_t)llround(job->spec->driver_s * 1e6), 0) != 0)
            fail(sim, SC_ENOMEM, "out of memory for the event queue");
    } else {
        for (int i = 0; i < job->n_stages; i++)
            if (sim->stages[job->first_stage + i].parents_left == 0)
                stage_submit(sim, job->first_stage + i);
    }
    /* A concurrent job of the same thread is submitted with this one. */
    if (nx < sim->n_jobs && sim->jobs[nx].spec->concurrent)
        submit_job(sim, nx);
    offer_round(sim);
}

static void on_job_stages(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_job *job = (struct rt_job *)((char *)ev - offsetof(struct rt_job, stages_ev));
    (void)eng;
    for (int i = 0; i < job->n_stages; i++)
        if (sim->stages[job->first_stage + i].parents_left == 0 &&
            sim->stages[job->first_stage + i].state == STAGE_WAITING)
            stage_submit(sim, job->first_stage + i);
    offer_round(sim);
    net_sync(sim);
}

static void on_job_submit(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    (void)eng;
    struct rt_job *job = (struct rt_job *)((char *)ev - offsetof(struct rt_job, submit_ev));
    submit_job(sim, (size_t)(job - sim->jobs));
}

/* ---- the cluster changing size -----------------------------------------
 *
 * Node autoscaling adds and removes whole workers (with their executors);
 * billing follows each worker's life. Spark's dynamic allocation adds and
 * removes executors on the workers the cluster has. Executors that join put
 * their slots in the free ring and get offers at once; an executor leaves
 * only when idle, so its slots are taken out of the ring.
 */

static void record_scale(struct sim *sim, enum scale_kind kind, int id, int count, int target)
{
    struct results *r = &sim->res;
    if (r->n_scale == r->cap_scale) {
        size_t cap = r->cap_scale ? r->cap_scale * 2 : 64;
        struct scale_event *p = realloc(r->scale, cap * sizeof *p);
        if (!p) {
            fail(sim, SC_ENOMEM, "out of memory for scaling events");
            return;
        }
        r->scale = p;
        r->cap_scale = cap;
    }
    struct scale_event *e = &r->scale[r->n_scale++];
    e->t_us = engine_now(&sim->eng);
    e->kind = kind;
    e->id = id;
    e->count = count;
    e->target = target;
    e->workers_alive = sim->alive_workers;
    e->executors_alive = sim->alive_executors;
}

static void record_life(struct sim *sim, int w, int64_t from_us, int64_t to_us);
static void schedule_eviction(struct sim *sim, int w);

static void record_life(struct sim *sim, int w, int64_t from_us, int64_t to_us)
{
    struct results *r = &sim->res;
    if (r->n_lives == r->cap_lives) {
        size_t cap = r->cap_lives ? r->cap_lives * 2 : 64;
        struct node_life *p = realloc(r->lives, cap * sizeof *p);
        if (!p) {
            fail(sim, SC_ENOMEM, "out of memory for node lives");
            return;
        }
        r->lives = p;
        r->cap_lives = cap;
    }
    r->lives[r->n_lives++] = (struct node_life){w, from_us, to_us, sim->workers[w].spot};
}

/* A delay from its distribution (a DIST_FIXED one is `fixed` exactly). */
static int64_t draw_delay_us(struct sim *sim, const struct dist *dist, double fixed)
{
    double secs = dist->kind == DIST_FIXED || !sim->scale_rng ? fixed
                                                               : dist_sample(dist, sim->scale_rng);
    return (int64_t)llround((secs > 0.0 ? secs : 0.0) * 1e6);
}

static void executor_up(struct sim *sim, int e)
{
    struct rt_exec *x = &sim->execs[e];
    int64_t now = engine_now(&sim->eng);
    x->alive = true;
    x->starting = false;
    x->up_since_us = now;
    x->idle_since_us = now;
    struct executor_result *er = &sim->res.executors[e];
    if (!er->ever_alive) {
        er->ever_alive = true;
        er->alive_from_us = now;
    }
    sim->alive_executors++;
    int spe = sim->cl.slots_per_executor;
    for (int k = 0; k < spe; k++)
        free_push(sim, e * spe + k);
}

static void executor_down(struct sim *sim, int e)
{
    struct rt_exec *x = &sim->execs[e];
    int64_t now = engine_now(&sim->eng);
    free_remove_executor(sim, e);
    x->alive = false;
    sim->exec_cached[e] = 0.0; /* its cached blocks go with it */
    x->alive_us += now - x->up_since_us;
    sim->res.executors[e].alive_to_us = now;
    sim->alive_executors--;
}

static void on_worker_join(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_worker *wk = (struct rt_worker *)ev;
    (void)eng;
    int w = (int)(wk - sim->workers);
    wk->state = WK_ALIVE;
    wk->idle_since_us = engine_now(&sim->eng);
    sim->pending_workers--;
    sim->alive_workers++;
    if (sim->alive_workers > sim->res.peak_workers)
        sim->res.peak_workers = sim->alive_workers;
    for (int k = 0; k < sim->cl.executors_per_worker; k++)
        executor_up(sim, w * sim->cl.executors_per_worker + k);
    record_scale(sim, SCALE_NODE_JOINED, w, 1, 0);
    schedule_eviction(sim, w);
    offer_round(sim);
    net_sync(sim);
}

/* Asks for n more workers; they join after the provisioning delay. */
static void request_workers(struct sim *sim, int n)
{
    int64_t now = engine_now(&sim->eng);
    int asked = 0;
    for (int w = 0; w < sim->max_workers && asked < n; w++) {
        struct rt_worker *wk = &sim->workers[w];
        if (wk->state != WK_ABSENT)
            continue;
        /* Each node takes its own time to come up. */
        int64_t delay = draw_delay_us(sim, &sim->cl.provision_dist, sim->cl.provision_s);
        wk->state = WK_PROVISIONING;
        wk->life_from_us = now;
        sim->pending_workers++;
        if (engine_schedule(&sim->eng, &wk->join_ev, now + delay, 0) != 0) {
            fail(sim, SC_ENOMEM, "out of memory for the event queue");
            return;
        }
        asked++;
    }
    if (asked)
        record_scale(sim, SCALE_NODES_REQUESTED, -1, asked, 0);
}

/* Whether a worker holds shuffle output a stage still has to read. Both
 * Databricks (which inspects shuffle files) and Spark's shuffle tracking
 * keep such nodes and executors. */
static bool holds_needed_shuffle(const struct sim *sim, int w)
{
    for (size_t i = 0; i < sim->n_stages; i++) {
        const struct rt_stage *st = &sim->stages[i];
        if (!st->map_bytes || st->map_bytes[w] <= 0.0)
            continue;
        for (int c = 0; c < st->n_children; c++)
            if (sim->stages[st->children[c]].state != STAGE_DONE)
                return true;
    }
    return false;
}

static void remove_worker(struct sim *sim, int w)
{
    struct rt_worker *wk = &sim->workers[w];
    for (int k = 0; k < sim->cl.executors_per_worker; k++)
        executor_down(sim, w * sim->cl.executors_per_worker + k);
    wk->state = WK_ABSENT;
    sim->alive_workers--;
    record_life(sim, w, wk->life_from_us, engine_now(&sim->eng));
    record_scale(sim, SCALE_NODE_REMOVED, w, 1, 0);
}

static int64_t backlog_tasks(const struct sim *sim)
{
    int64_t n = 0;
    for (size_t i = 0; i < sim->n_active; i++) {
        const struct rt_stage *st = &sim->stages[sim->active[i]];
        n += stage_pending(st);
    }
    return n;
}

/* Node autoscaling, evaluated every interval_s: the policy (see
 * models/autoscale.c) decides from the backlog and free slots; here its
 * decision is applied. Scale down: workers idle for idle_s that hold no
 * shuffle data still needed, from the highest position, down to min. */
static void node_policy(struct sim *sim)
{
    int64_t now = engine_now(&sim->eng);
    struct autoscale_node_view view = {now, backlog_tasks(sim), (int64_t)sim->free_count,
                                       sim->alive_workers, sim->pending_workers};
    struct autoscale_node_decision dec = autoscale_node_decide(&sim->node_policy, &view);
    if (dec.add_workers > 0)
        request_workers(sim, dec.add_workers);
    if (!dec.may_scale_down)
        return;
    for (int w = sim->max_workers - 1; w >= 0; w--) {
        struct rt_worker *wk = &sim->workers[w];
        if (sim->alive_workers + sim->pending_workers <= sim->node_policy.set.min_workers)
            break;
        if (wk->state != WK_ALIVE || wk->running > 0 ||
            !autoscale_node_idle_expired(&sim->node_policy, wk->idle_since_us, now) ||
            holds_needed_shuffle(sim, w))
            continue;
        remove_worker(sim, w);
    }
}

/* ---- spot evictions -------------------------------------------------------
 *
 * A spot node can be taken back at any time: its running tasks die (Spark
 * counts an executor lost this way against no task's maxFailures, and runs
 * them again), and the shuffle output it held is gone. A stage whose output
 * a later stage still needs runs those map tasks again, and a running
 * consumer is stopped until they are done (Spark's FetchFailed: the consumer
 * stage is resubmitted after the lost map outputs are recomputed); its
 * completed tasks stay done.
 */

static void schedule_eviction(struct sim *sim, int w)
{
    struct rt_worker *wk = &sim->workers[w];
    if (!wk->spot)
        return;
    int64_t now = engine_now(&sim->eng);
    int64_t at = -1;
    if (!isnan(sim->cl.spot_evict_at_s) && !sim->evict_at_used) {
        sim->evict_at_used = true;
        at = (int64_t)llround(sim->cl.spot_evict_at_s * 1e6);
    } else if (sim->cl.spot_evictions_per_hour > 0.0 && sim->spot_rng) {
        double mean_s = 3600.0 / sim->cl.spot_evictions_per_hour;
        at = now + (int64_t)llround(gsl_ran_exponential(sim->spot_rng, mean_s) * 1e6);
    }
    if (at >= 0 && engine_schedule(&sim->eng, &wk->evict_ev, at < now ? now : at, 0) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* Stops the attempt running in slot without finishing it: its timer and
 * flows stop, it is recorded with status, and the counts of running tasks
 * drop. The slot is idle afterwards (the caller decides where it goes). */
static void end_attempt(struct sim *sim, struct rt_slot *slot, enum task_status status)
{
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    struct rt_stage *st = &sim->stages[rec->stage];
    int64_t now = engine_now(&sim->eng);
    engine_cancel(&sim->eng, &slot->done);
    for (int i = 0; i < slot->n_flow_ids; i++)
        net_flow_cancel(sim->net, now, slot->flow_ids[i]);
    if (slot->n_flow_ids)
        sim->net_dirty = true;
    slot->n_flow_ids = 0;
    slot->flows = 0;
    slot->state = TS_IDLE;
    rec->end_us = now;
    rec->status = (uint8_t)status;
    st->running--;
    sim->pools[st->pool].running--;
    if (--sim->exec_running[slot->executor] == 0)
        sim->execs[slot->executor].idle_since_us = now;
    if (--sim->workers[slot->worker].running == 0)
        sim->workers[slot->worker].idle_since_us = now;
    sim->total_running--;
}

/* Kills the task running in slot: its timer and flows stop, its attempt is
 * recorded as failed, and it waits to run again. */
static void kill_task(struct sim *sim, struct rt_slot *slot)
{
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    struct rt_stage *st = &sim->stages[rec->stage];
    end_attempt(sim, slot, TASK_FAILED);
    sim->res.stages[rec->stage].failed_attempts++;
    sim->res.failed_attempts++;
    if (st->run_a) {
        int self = (int)(slot - sim->slots);
        bool other_runs;
        if (st->run_a[rec->index] == self) {
            st->run_a[rec->index] = st->run_b[rec->index];
            st->run_b[rec->index] = -1;
            other_runs = st->run_a[rec->index] >= 0;
        } else {
            st->run_b[rec->index] = -1;
            other_runs = st->run_a[rec->index] >= 0;
        }
        if (other_runs)
            return; /* the other copy carries on */
    }
    bool was_waiting = stage_pending(st) > 0;
    if (!retry_push(st, rec->index)) {
        fail(sim, SC_ENOMEM, "out of memory for task retries");
        return;
    }
    if (!was_waiting && st->state == STAGE_RUNNING)
        active_insert(sim, rec->stage);
}

/* Stops a running consumer stage whose input was lost: its running tasks
 * die and it waits for its parent again. */
static void stop_consumer(struct sim *sim, int ci)
{
    struct rt_stage *c = &sim->stages[ci];
    for (size_t i = 0; i < sim->n_slots; i++) {
        struct rt_slot *slot = &sim->slots[i];
        if (slot->state != TS_IDLE && sim->res.tasks[slot->rec].stage == ci) {
            kill_task(sim, slot);
            free_push(sim, (int)i);
        }
    }
    if (c->state == STAGE_RUNNING) {
        active_remove(sim, ci);
        c->state = STAGE_WAITING;
    }
}

/* Re-runs the map tasks of stage si whose output lived on worker w, if a
 * stage that is not done still needs them. */
static void recompute_lost_output(struct sim *sim, int si, int w)
{
    struct rt_stage *st = &sim->stages[si];
    if (!st->out_worker)
        return;
    bool needed = false;
    for (int c = 0; c < st->n_children; c++)
        needed |= sim->stages[st->children[c]].state != STAGE_DONE;
    if (!needed)
        return;
    int64_t lost = 0;
    for (int64_t i = 0; i < st->tasks; i++)
        if (st->out_worker[i] == w) {
            st->out_worker[i] = -1;
            if (!retry_push(st, i)) {
                fail(sim, SC_ENOMEM, "out of memory for task retries");
                return;
            }
            lost++;
        }
    if (lost == 0)
        return;
    st->done -= lost;
    st->map_bytes[w] = 0.0;
    sim->res.recomputed_tasks += lost;
    sim->res.stages[si].resubmissions++;
    if (st->state == STAGE_DONE) {
        /* Reopen it: its job has one more stage to finish, and each
         * consumer one more parent to wait for. */
        st->state = STAGE_RUNNING;
        if (!stage_stream_reopen(sim, st))
            return;
        sim->jobs[st->job].stages_left++;
        for (int c = 0; c < st->n_children; c++) {
            int ci = st->children[c];
            struct rt_stage *child = &sim->stages[ci];
            if (child->state == STAGE_DONE)
                continue;
            if (child->state == STAGE_RUNNING)
                stop_consumer(sim, ci);
            child->parents_left++;
        }
        active_insert(sim, si);
    } else if (stage_pending(st) == (int64_t)lost) {
        active_insert(sim, si); /* it had nothing left to launch */
    }
}

static void on_evict(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_worker *wk = (struct rt_worker *)((char *)ev - offsetof(struct rt_worker, evict_ev));
    (void)eng;
    int w = (int)(wk - sim->workers);
    if (wk->state != WK_ALIVE || sim->jobs_done == sim->n_jobs)
        return;
    int per = sim->cl.executors_per_worker, spe = sim->cl.slots_per_executor;
    int killed = 0;
    for (int k = 0; k < per; k++) {
        int e = w * per + k;
        for (int j = 0; j < spe; j++) {
            struct rt_slot *slot = &sim->slots[(size_t)e * spe + j];
            if (slot->state != TS_IDLE) {
                kill_task(sim, slot);
                killed++;
            }
        }
        executor_down(sim, e);
    }
    wk->state = WK_ABSENT;
    sim->alive_workers--;
    record_life(sim, w, wk->life_from_us, engine_now(&sim->eng));
    sim->res.evictions++;
    record_scale(sim, SCALE_NODE_EVICTED, w, killed, 0);
    for (size_t i = 0; i < sim->n_stages; i++)
        recompute_lost_output(sim, (int)i, w);
    /* A fixed-size cluster asks for a replacement (an autoscaled one lets
     * its policy decide). */
    if (!sim->node_autoscale) {
        int64_t now = engine_now(&sim->eng);
        wk->state = WK_PROVISIONING;
        wk->life_from_us = now;
        sim->pending_workers++;
        if (engine_schedule(&sim->eng, &wk->join_ev,
                            now + draw_delay_us(sim, &sim->cl.replace_dist, sim->cl.replace_s),
                            0) != 0)
            fail(sim, SC_ENOMEM, "out of memory for the event queue");
        record_scale(sim, SCALE_NODES_REQUESTED, -1, 1, 0);
    }
    offer_round(sim);
    net_sync(sim);
}

static void on_executor_start(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_exec *x = (struct rt_exec *)ev;
    (void)eng;
    int e = (int)(x - sim->execs);
    sim->starting_executors--;
    executor_up(sim, e);
    record_scale(sim, SCALE_EXECUTOR_ADDED, e, 1, sim->dynalloc.target);
    offer_round(sim);
    net_sync(sim);
}

/* Spark's ExecutorAllocationManager, polled every 100 ms: the policy (see
 * models/autoscale.c) moves the target from the backlog; here executors are
 * started up to it, and idle ones removed (with shuffle tracking, not while
 * they hold shuffle data a stage still needs). */
static void dyn_alloc_policy(struct sim *sim)
{
    int64_t now = engine_now(&sim->eng);
    struct autoscale_dynalloc *da = &sim->dynalloc;
    int asked = autoscale_dynalloc_update(da, now, backlog_tasks(sim), sim->total_running,
                                          sim->alive_executors);
    if (asked > 0)
        record_scale(sim, SCALE_EXECUTORS_REQUESTED, -1, asked, da->target);
    /* Start executors up to the target, on free positions in order. */
    for (int e = 0; e < sim->max_executors &&
                    sim->alive_executors + sim->starting_executors < da->target;
         e++) {
        struct rt_exec *x = &sim->execs[e];
        if (x->alive || x->starting)
            continue;
        x->starting = true;
        sim->starting_executors++;
        if (engine_schedule(&sim->eng, &x->start_ev, now + sim->da_start_us, 0) != 0) {
            fail(sim, SC_ENOMEM, "out of memory for the event queue");
            return;
        }
    }
    /* Remove idle executors, from the highest position. */
    int floor = autoscale_dynalloc_floor(da);
    for (int e = sim->max_executors - 1; e >= 0 && sim->alive_executors > floor; e--) {
        struct rt_exec *x = &sim->execs[e];
        if (!x->alive || sim->exec_running[e] > 0 ||
            !autoscale_dynalloc_idle_expired(da, x->idle_since_us, now))
            continue;
        int w = e / sim->cl.executors_per_worker;
        if (da->set.shuffle_tracking && holds_needed_shuffle(sim, w))
            continue;
        /* spark.dynamicAllocation.cachedExecutorIdleTimeout (default
         * infinity): an executor holding cached blocks is kept. */
        if (sim->exec_cached[e] > 0.0)
            continue;
        executor_down(sim, e);
        record_scale(sim, SCALE_EXECUTOR_REMOVED, e, 1, da->target);
    }
}

static void on_policy(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    if (sim->jobs_done == sim->n_jobs)
        return; /* the application is over: no more decisions */
    if (sim->node_autoscale)
        node_policy(sim);
    else
        dyn_alloc_policy(sim);
    int64_t every = sim->node_autoscale ? sim->node_policy.set.interval_us
                                        : AUTOSCALE_DYNALLOC_POLL_US;
    if (engine_schedule(eng, &sim->policy_ev, engine_now(eng) + every, 2) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
    offer_round(sim);
    net_sync(sim);
}

/* ---- building --------------------------------------------------------- */

static int find_pool(struct sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->n_pools; i++)
        if (strcmp(sim->pools[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int add_pool(struct sim *sim, const char *name)
{
    int p = find_pool(sim, name);
    if (p >= 0)
        return p;
    struct rt_pool *pool = &sim->pools[sim->n_pools];
    pool->name = name;
    pool->mode = SCHED_FIFO;
    pool->weight = 1;
    pool->min_share = 0;
    for (size_t i = 0; i < sim->scn->n_pools; i++)
        if (strcmp(sim->scn->pools[i].name, name) == 0) {
            pool->mode = sim->scn->pools[i].mode;
            pool->weight = sim->scn->pools[i].weight;
            pool->min_share = sim->scn->pools[i].min_share;
        }
    return (int)sim->n_pools++;
}

/* The resources bytes move through: per worker its NIC out, NIC in and
 * local disk; the storage account's egress and ingress; an optional
 * cluster-wide cap that every cross-node flow crosses. */
static enum sc_status build_network(struct sim *sim, struct diag *d)
{
    const struct cluster *cl = &sim->cl;
    sim->n_workers = sim->max_workers;
    sim->net = net_new();
    sim->exec_running = calloc((size_t)sim->max_executors, sizeof(int));
    sim->exec_cached = calloc((size_t)sim->max_executors, sizeof(double));
    if (!sim->net || !sim->exec_running || !sim->exec_cached)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    struct storage_rates rates = {cl->nic_bps, cl->disk_bps, cl->storage_egress_bps,
                                  cl->storage_ingress_bps, cl->network_limit_bps};
    if (storage_init(&sim->store, sim->net, sim->n_workers, &rates, d) != SC_OK)
        return d->status;
    event_init(&sim->net_ev, on_net, sim);

    /* Spark's fetch limits (ShuffleBlockFetcherIterator). */
    const struct spark_conf *conf = &sim->scn->spark;
    sim->fetch_max_in_flight = (double)spark_conf_bytes(conf, "spark.reducer.maxSizeInFlight");
    if (!(sim->fetch_max_in_flight > 0.0))
        sim->fetch_max_in_flight = 48.0 * 1024 * 1024;
    sim->fetch_target_bytes = sim->fetch_max_in_flight / 5.0;
    if (sim->fetch_target_bytes < 1.0)
        sim->fetch_target_bytes = 1.0;
    int64_t reqs = spark_conf_int(conf, "spark.reducer.maxReqsInFlight");
    sim->fetch_max_reqs = reqs < 1 ? 1 : reqs > INT32_MAX ? INT32_MAX : (int)reqs;
    sim->exec_pool_bytes = memory_execution_pool(&cl->memory, 0.0);
    double q_s = isnan(sim->scn->model.network_quantum_s) ? RUNTIME_DEFAULT_NETWORK_QUANTUM_S
                                                          : sim->scn->model.network_quantum_s;
    sim->net_quantum_us = (int64_t)llround(q_s * 1e6);

    /* Map-output and fetch bookkeeping for the stages that shuffle. */
    for (size_t i = 0; i < sim->n_stages; i++) {
        struct rt_stage *st = &sim->stages[i];
        if (st->n_children > 0 || st->spec->shuffle_write_bytes > 0) {
            st->map_bytes = calloc((size_t)sim->n_workers, sizeof(double));
            if (!st->map_bytes)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        }
        if (st->spec->shuffle_read_bytes > 0) {
            st->fetch_frac = calloc((size_t)sim->n_workers, sizeof(double));
            if (!st->fetch_frac)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        }
    }
    return SC_OK;
}

static enum sc_status build(struct sim *sim, struct diag *d)
{
    const struct scenario *s = sim->scn;
    const struct plan *plan = sim->plan;
    size_t n_stages = 0;
    for (size_t j = 0; j < plan->n_jobs; j++) {
        const struct plan_job *pj = &plan->jobs[j];
        const struct job_spec *js = pj->spec;
        /* A query job runs once the planner has filled in its stages. */
        if (js->query && pj->n_stages == 0)
            return diag_set(d, SC_EINPUT, s->file, js->line,
                            "job '%s' is written as a query: planning queries into stages is "
                            "not built yet, so give this job explicit stages",
                            js->name);
        if (pj->n_stages == 0)
            return diag_set(d, SC_EINPUT, s->file, js->line, "job '%s' has no stages", js->name);
        n_stages += pj->n_stages;
    }
    sim->n_jobs = plan->n_jobs;
    sim->n_stages = n_stages;
    /* Room for the largest the cluster may grow to. */
    sim->node_autoscale = sim->cl.autoscale;
    sim->dyn_alloc = !sim->cl.autoscale &&
                     spark_conf_bool(&s->spark, "spark.dynamicAllocation.enabled");
    sim->max_workers = sim->cl.autoscale ? sim->cl.max_workers : sim->cl.workers;
    sim->max_executors = sim->max_workers * sim->cl.executors_per_worker;
    sim->n_slots = (size_t)sim->max_executors * (size_t)sim->cl.slots_per_executor;
    sim->workers = calloc((size_t)sim->max_workers, sizeof *sim->workers);
    sim->execs = calloc((size_t)sim->max_executors, sizeof *sim->execs);
    if (!sim->workers || !sim->execs)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the simulation");
    sim->jobs = calloc(sim->n_jobs, sizeof *sim->jobs);
    sim->stages = calloc(n_stages, sizeof *sim->stages);
    sim->pools = calloc(s->n_jobs + s->n_pools + 1, sizeof *sim->pools);
    sim->slots = calloc(sim->n_slots, sizeof *sim->slots);
    sim->free_ring = calloc(sim->n_slots, sizeof *sim->free_ring);
    sim->active = calloc(n_stages, sizeof *sim->active);
    sim->order = calloc(n_stages, sizeof *sim->order);
    sim->res.stages = calloc(n_stages, sizeof *sim->res.stages);
    sim->res.jobs = calloc(sim->n_jobs, sizeof *sim->res.jobs);
    sim->res.executors = calloc((size_t)sim->max_executors, sizeof *sim->res.executors);
    if (!sim->jobs || !sim->stages || !sim->pools || !sim->slots || !sim->free_ring ||
        !sim->active || !sim->order || !sim->res.stages || !sim->res.jobs ||
        !sim->res.executors)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the simulation");
    sim->res.n_stages = n_stages;
    sim->res.n_jobs = sim->n_jobs;
    sim->res.n_executors = (size_t)sim->max_executors;
    sim->res.slots = (int)sim->n_slots;

    /* Pools: in FIFO mode everything is one queue. */
    add_pool(sim, "default");
    size_t st_index = 0;
    for (size_t j = 0; j < plan->n_jobs; j++) {
        const struct plan_job *pj = &plan->jobs[j];
        const struct job_spec *js = pj->spec;
        struct rt_job *job = &sim->jobs[j];
        job->spec = js;
        job->first_stage = (int)st_index;
        job->n_stages = (int)pj->n_stages;
        job->stages_left = job->n_stages;
        job->pool = sim->mode == SCHED_FAIR && js->pool ? add_pool(sim, js->pool) : 0;
        event_init(&job->submit_ev, on_job_submit, sim);
        event_init(&job->stages_ev, on_job_stages, sim);
        job->thread = j == 0 || !isnan(js->submit_s) ? j : sim->jobs[j - 1].thread;
        job->next = sim->n_jobs;
        struct job_result *jr = &sim->res.jobs[j];
        jr->name = js->name;
        jr->first_stage = st_index;
        jr->n_stages = pj->n_stages;
        jr->pool = sim->pools[job->pool].name;
        for (size_t i = 0; i < pj->n_stages; i++, st_index++) {
            const struct plan_stage *ss = &pj->stages[i];
            struct rt_stage *st = &sim->stages[st_index];
            st->spec = ss;
            event_init(&st->offer_ev, on_stage_offer, sim);
            st->job = (int)j;
            st->tasks = ss->tasks;
            st->pool = job->pool;
            st->parents_left = (int)ss->n_parents;
            st->stream_seed = mix64(sim->seed ^ mix64(((uint64_t)j << 32) | i));
            struct stage_result *sr = &sim->res.stages[st_index];
            sr->job = (int)j;
            sr->id = ss->id;
            sr->name = ss->name;
            sr->kernel = ss->kernel;
            sr->tasks = ss->tasks;
            sr->uncalibrated = !ss->has_task_seconds;
        }
        /* Children lists from the parents (ids resolved within the job). */
        for (size_t i = 0; i < pj->n_stages; i++) {
            const struct plan_stage *ss = &pj->stages[i];
            for (size_t p = 0; p < ss->n_parents; p++) {
                size_t k = 0;
                while (k < pj->n_stages && pj->stages[k].id != ss->parents[p])
                    k++;
                if (k == pj->n_stages)
                    return diag_set(d, SC_EINPUT, s->file, ss->parents_line,
                                    "stage %lld names parent %lld, which is not in job '%s'",
                                    (long long)ss->id, (long long)ss->parents[p], js->name);
                struct rt_stage *parent = &sim->stages[job->first_stage + (int)k];
                struct rt_stage *self = &sim->stages[job->first_stage + (int)i];
                if (!self->parent_index &&
                    !(self->parent_index = calloc(ss->n_parents, sizeof(int))))
                    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
                self->parent_index[p] = job->first_stage + (int)k;
                int *ch = realloc(parent->children, (size_t)(parent->n_children + 1) * sizeof(int));
                if (!ch)
                    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
                parent->children = ch;
                parent->children[parent->n_children++] = job->first_stage + (int)i;
            }
        }
    }

    /* Slots, interleaved across executors for the first offers. */
    int spe = sim->cl.slots_per_executor;
    for (int e = 0; e < sim->max_executors; e++) {
        struct executor_result *er = &sim->res.executors[e];
        er->id = e;
        er->worker = e / sim->cl.executors_per_worker;
        er->cores = sim->cl.executor_cores;
        er->slots = spe;
        for (int k = 0; k < spe; k++) {
            struct rt_slot *slot = &sim->slots[(size_t)e * spe + k];
            event_init(&slot->done, on_task_timer, sim);
            slot->executor = e;
            slot->slot = k;
        }
    }
    for (size_t i = 0; i < sim->n_slots; i++)
        sim->slots[i].worker = sim->slots[i].executor / sim->cl.executors_per_worker;
    for (int w = 0; w < sim->max_workers; w++) {
        event_init(&sim->workers[w].join_ev, on_worker_join, sim);
        event_init(&sim->workers[w].evict_ev, on_evict, sim);
        sim->workers[w].idle_since_us = 0;
        sim->workers[w].spot = cluster_is_spot(&sim->cl, w);
    }
    /* Stages whose output a later stage reads keep where each task's
     * output lives, and every stage counts its tasks' attempts. */
    for (size_t i = 0; i < sim->n_stages; i++) {
        struct rt_stage *st = &sim->stages[i];
        st->attempts = calloc((size_t)st->tasks, 1);
        if (!st->attempts)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        if (st->n_children > 0 && sim->cl.spot_fraction > 0.0) {
            st->out_worker = malloc((size_t)st->tasks * sizeof(int32_t));
            if (!st->out_worker)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            for (int64_t t = 0; t < st->tasks; t++)
                st->out_worker[t] = -1;
        }
    }
    if (sim->spec_on)
        for (size_t i = 0; i < sim->n_stages; i++) {
            struct rt_stage *st = &sim->stages[i];
            size_t n = (size_t)st->tasks;
            st->run_a = malloc(n * sizeof(int32_t));
            st->run_b = malloc(n * sizeof(int32_t));
            st->task_done = calloc(n, 1);
            st->ok_dur = malloc(n * sizeof(double) * 2);
            if (!st->run_a || !st->run_b || !st->task_done || !st->ok_dur)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            for (size_t t = 0; t < n; t++)
                st->run_a[t] = st->run_b[t] = -1;
        }
    event_init(&sim->spec_ev, on_speculation, sim);
    if (sim->cl.spot_fraction > 0.0) {
        sim->spot_rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!sim->spot_rng)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        gsl_rng_set(sim->spot_rng, (unsigned long)mix64(sim->seed ^ 0x5b07ULL));
    }
    for (int e = 0; e < sim->max_executors; e++) {
        event_init(&sim->execs[e].start_ev, on_executor_start, sim);
        sim->execs[e].idle_since_us = 0;
    }
    event_init(&sim->policy_ev, on_policy, sim);
    return build_network(sim, d);
}

struct sim *sim_new(const struct plan *p, const struct cluster *cl,
                    const struct sim_options *opt, struct diag *d)
{
    const struct scenario *s = p->scn;
    struct sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    sim->scn = s;
    sim->plan = p;
    sim->cl = *cl;
    sim->seed = opt ? opt->seed : s->seed;
    sim->res.seed = sim->seed;
    const char *mode = spark_conf_string(&s->spark, "spark.scheduler.mode");
    sim->mode = mode && (strcmp(mode, "FAIR") == 0 || strcmp(mode, "fair") == 0) ? SCHED_FAIR
                                                                                  : SCHED_FIFO;
    double launch_s =
        isnan(s->model.task_launch_s) ? RUNTIME_DEFAULT_TASK_LAUNCH_S : s->model.task_launch_s;
    sim->noise_sigma = isnan(s->model.noise_sigma) ? RUNTIME_DEFAULT_NOISE_SIGMA
                                                   : s->model.noise_sigma;
    sim->spec_on = spark_conf_bool(&s->spark, "spark.speculation");
    sim->spec_multiplier = spark_conf_double(&s->spark, "spark.speculation.multiplier");
    sim->spec_quantile = spark_conf_double(&s->spark, "spark.speculation.quantile");
    sim->spec_min_us =
        (int64_t)llround(spark_conf_seconds(&s->spark, "spark.speculation.minTaskRuntime") * 1e6);
    sim->spec_interval_us =
        (int64_t)llround(spark_conf_seconds(&s->spark, "spark.speculation.interval") * 1e6);
    if (sim->spec_interval_us < 1000)
        sim->spec_interval_us = 1000;
    sim->launch_us = (int64_t)llround(launch_s * 1e6);
    if (engine_init(&sim->eng, (size_t)cluster_slots(cl) + s->n_jobs + 16) != 0) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        free(sim);
        return NULL;
    }
    if (build(sim, d) != SC_OK) {
        sim_free(sim);
        return NULL;
    }
    return sim;
}

/* The cluster at the start: the initial workers (billed from the start-up)
 * and the executors that run on them from the first job. */
static enum sc_status start_cluster(struct sim *sim, int64_t span_start_us, struct diag *d)
{
    const struct cluster *cl = &sim->cl;
    const struct spark_conf *conf = &sim->scn->spark;
    /* This run's start-up, drawn from its distribution; the bill and the
     * report use the drawn value. */
    sim->scale_rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!sim->scale_rng)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    gsl_rng_set(sim->scale_rng, (unsigned long)mix64(sim->seed ^ 0x5ca1eULL));
    sim->cl.startup_s = (double)draw_delay_us(sim, &cl->startup_dist, cl->startup_s) * 1e-6;
    int64_t startup_us = (int64_t)llround(cl->startup_s * 1e6);
    int initial_execs = cl->workers * cl->executors_per_worker;
    if (sim->dyn_alloc) {
        struct autoscale_dynalloc_settings da = {
            .min_executors = spark_conf_int(conf, "spark.dynamicAllocation.minExecutors"),
            .max_executors = spark_conf_int(conf, "spark.dynamicAllocation.maxExecutors"),
            .initial_executors = spark_conf_int(conf, "spark.dynamicAllocation.initialExecutors"),
            .instances = spark_conf_int(conf, "spark.executor.instances"),
            .positions = sim->max_executors,
            .slots_per_executor = cl->slots_per_executor,
            .backlog_timeout_us = seconds_to_us(
                spark_conf_seconds(conf, "spark.dynamicAllocation.schedulerBacklogTimeout")),
            .sustained_timeout_us = seconds_to_us(spark_conf_seconds(
                conf, "spark.dynamicAllocation.sustainedSchedulerBacklogTimeout")),
            .idle_timeout_us = seconds_to_us(
                spark_conf_seconds(conf, "spark.dynamicAllocation.executorIdleTimeout")),
            .shuffle_tracking =
                spark_conf_bool(conf, "spark.dynamicAllocation.shuffleTracking.enabled"),
        };
        initial_execs = autoscale_dynalloc_init(&sim->dynalloc, &da);
        if (initial_execs < 0)
            return diag_set(d, SC_EINPUT, sim->scn->file, sim->scn->cluster.line,
                            "spark.dynamicAllocation.maxExecutors is below minExecutors");
        sim->da_start_us = seconds_to_us(RUNTIME_EXECUTOR_START_S);
    }
    if (sim->node_autoscale) {
        int64_t every = seconds_to_us(cl->interval_s);
        struct autoscale_node_settings ns = {
            .policy = cl->autoscale_policy == AUTOSCALE_SYNAPSE ? AUTOSCALE_POLICY_SYNAPSE
                                                                : AUTOSCALE_POLICY_DATABRICKS,
            .min_workers = cl->min_workers,
            .max_workers = cl->max_workers,
            .slots_per_worker = cl->executors_per_worker * cl->slots_per_executor,
            .interval_us = every < 1 ? 1 : every,
            .idle_us = seconds_to_us(cl->idle_s),
            .up_sustain_us = seconds_to_us(cl->up_sustain_s),
        };
        autoscale_node_init(&sim->node_policy, &ns);
    }
    int initial_workers = sim->node_autoscale ? cl->workers : sim->max_workers;
    for (int w = 0; w < initial_workers; w++) {
        sim->workers[w].state = WK_ALIVE;
        sim->workers[w].life_from_us = span_start_us - startup_us;
        sim->alive_workers++;
    }
    sim->res.peak_workers = sim->alive_workers;
    for (int w = 0; w < initial_workers; w++)
        schedule_eviction(sim, w);
    /* Executors join interleaved by slot, as at the first offers. */
    int spe = cl->slots_per_executor;
    /* Executors the scenario says register later (as an event log recorded
     * them) join then. */
    const struct cluster_spec *cs = &sim->scn->cluster;
    int late = 0;
    for (int e = 0; e < initial_execs; e++) {
        double at_s = (size_t)e < cs->n_executor_start_s ? cs->executor_start_s[e] : 0.0;
        int64_t at = span_start_us + (int64_t)llround(at_s * 1e6);
        if (at <= span_start_us)
            continue;
        struct rt_exec *x = &sim->execs[e];
        x->starting = true;
        sim->starting_executors++;
        if (engine_schedule(&sim->eng, &x->start_ev, at, 0) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        late++;
    }
    for (int e = 0; e < initial_execs; e++) {
        struct rt_exec *x = &sim->execs[e];
        if (x->starting)
            continue;
        x->alive = true;
        x->up_since_us = span_start_us;
        x->idle_since_us = span_start_us;
        sim->res.executors[e].ever_alive = true;
        sim->res.executors[e].alive_from_us = span_start_us;
        sim->alive_executors++;
    }
    for (int k = 0; k < spe; k++)
        for (int e = 0; e < initial_execs; e++)
            if (sim->execs[e].alive)
                free_push(sim, e * spe + k);
    (void)late;
    if ((sim->node_autoscale || sim->dyn_alloc) &&
        engine_schedule(&sim->eng, &sim->policy_ev, span_start_us, 2) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    if (sim->spec_on &&
        engine_schedule(&sim->eng, &sim->spec_ev, span_start_us + sim->spec_interval_us, 3) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    return SC_OK;
}

enum sc_status sim_run(struct sim *sim, struct diag *d)
{
    sim->diag = d;
    int64_t span_start_us = INT64_MAX;
    for (size_t j = 0; j < sim->n_jobs; j++) {
        const struct job_spec *js = sim->jobs[j].spec;
        int64_t t = !isnan(js->submit_s) ? (int64_t)llround(js->submit_s * 1e6) : j == 0 ? 0 : -1;
        if (t >= 0 && t < span_start_us)
            span_start_us = t;
    }
    if (span_start_us == INT64_MAX)
        span_start_us = 0;
    if (start_cluster(sim, span_start_us, d) != SC_OK)
        return d->status;
    /* The first job, and every job with its own time, get a submission
     * event; the rest follow from the jobs before them. */
    for (size_t j = 0; j < sim->n_jobs; j++) {
        const struct job_spec *js = sim->jobs[j].spec;
        int64_t t = -1;
        if (!isnan(js->submit_s))
            t = (int64_t)llround(js->submit_s * 1e6);
        else if (j == 0)
            t = 0;
        if (t >= 0 && engine_schedule(&sim->eng, &sim->jobs[j].submit_ev, t, 0) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    engine_run(&sim->eng, ENGINE_TIME_MAX);
    if (sim->failed)
        return d->status;
    if (sim->jobs_done != sim->n_jobs)
        return SC_BUG(d, "%zu of %zu jobs finished; the rest never became runnable",
                      sim->jobs_done, sim->n_jobs);
    struct results *r = &sim->res;
    r->start_us = INT64_MAX;
    r->end_us = 0;
    for (size_t j = 0; j < r->n_jobs; j++) {
        if (r->jobs[j].submit_us < r->start_us)
            r->start_us = r->jobs[j].submit_us;
        if (r->jobs[j].end_us > r->end_us)
            r->end_us = r->jobs[j].end_us;
    }
    /* Close every life still open: workers billed to the cluster's end
     * (last job plus the idle tail), executors alive to the last job. */
    int64_t idle_after_us = (int64_t)llround(sim->cl.idle_after_s * 1e6);
    for (int w = 0; w < sim->max_workers; w++)
        if (sim->workers[w].state != WK_ABSENT)
            record_life(sim, w, sim->workers[w].life_from_us, r->end_us + idle_after_us);
    for (int e = 0; e < sim->max_executors; e++) {
        struct rt_exec *x = &sim->execs[e];
        struct executor_result *er = &r->executors[e];
        if (x->alive) {
            x->alive_us += r->end_us - x->up_since_us;
            er->alive_to_us = r->end_us;
        }
        er->alive_s = (double)x->alive_us * 1e-6;
    }
    if (sim->failed)
        return d->status;
    /* Each executor reports its worker's network and disk activity. */
    for (size_t e = 0; e < r->n_executors; e++) {
        struct executor_result *er = &r->executors[e];
        int w = er->worker;
        double out_busy = net_resource_busy_s(sim->net, sim->store.nic_out[w]);
        double in_busy = net_resource_busy_s(sim->net, sim->store.nic_in[w]);
        er->net_busy_s = out_busy > in_busy ? out_busy : in_busy;
        er->disk_busy_s = net_resource_busy_s(sim->net, sim->store.disk[w]);
        er->net_out_bytes = net_resource_bytes(sim->net, sim->store.nic_out[w]);
        er->net_in_bytes = net_resource_bytes(sim->net, sim->store.nic_in[w]);
        er->disk_bytes = net_resource_bytes(sim->net, sim->store.disk[w]);
    }
    return results_summarize(r, &sim->cl, d);
}

const struct results *sim_results(const struct sim *sim)
{
    return &sim->res;
}

void sim_free(struct sim *sim)
{
    if (!sim)
        return;
    engine_fini(&sim->eng);
    for (size_t i = 0; i < sim->n_stages && sim->stages; i++) {
        free(sim->stages[i].children);
        free(sim->stages[i].parent_index);
        free(sim->stages[i].map_bytes);
        free(sim->stages[i].fetch_frac);
        free(sim->stages[i].retry);
        free(sim->stages[i].out_worker);
        free(sim->stages[i].attempts);
        free(sim->stages[i].run_a);
        free(sim->stages[i].run_b);
        free(sim->stages[i].task_done);
        free(sim->stages[i].ok_dur);
        gsl_rng_free(sim->stages[i].rng);
    }
    net_free(sim->net);
    storage_fini(&sim->store);
    free(sim->exec_running);
    free(sim->exec_cached);
    for (size_t i = 0; i < sim->n_slots && sim->slots; i++)
        free(sim->slots[i].flow_ids);
    gsl_rng_free(sim->spot_rng);
    gsl_rng_free(sim->scale_rng);
    free(sim->workers);
    free(sim->execs);
    free(sim->stages);
    free(sim->jobs);
    free(sim->pools);
    free(sim->slots);
    free(sim->free_ring);
    free(sim->active);
    free(sim->order);
    results_fini(&sim->res);
    free(sim);
}
