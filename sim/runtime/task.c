/*
 * task.c — a task's life once launched: its phases, each a timer or a set
 * of flows through the network model, and the network's completion event.
 * The fetch phase is in shuffle.c; which resources each flow crosses is the
 * storage model's (models/storage.h).
 *
 * A task that moves no bytes is one timer: it ends compute_s after it
 * starts. A task that moves bytes goes through phases, each ending when its
 * flows (or its timer) end:
 *
 *   START -> INPUT -> FETCH (+ compute) -> SPILL write -> SPILL read -> WRITE
 *
 * INPUT reads the task's split from the storage account through the worker's
 * NIC; a split of spark.sql.files.maxPartitionBytes is typically one Parquet
 * row group, decoded after it arrives, so compute follows the read. From an
 * object store the task first waits on its requests (each file piece opened,
 * its footer read, its bytes fetched in requests of request_bytes, each
 * waiting latency_s for its first byte: storage_read_wait_s), then moves its
 * bytes through its own stream, capped at the store's per-stream rate,
 * beside every other task's share of the account's egress. The requests of
 * a real reader interleave with the transfer; the wait put before it keeps
 * the sum and lets other tasks use the bandwidth meanwhile.
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
 * account through the NIC, at the same time; then
 * the output files' requests and commits (COMMIT: storage_write_wait_s).
 *
 * Cached data (df.cache()). A stage with cache_bytes caches its output:
 * each task puts its share in the storage memory of its executor
 * (RDD.getOrCompute, MEMORY_AND_DISK), where it stays until the executor
 * goes. Cached blocks inside the storage-safe part of the unified region
 * (spark.memory.storageFraction) cannot be evicted by execution, so they
 * shrink the execution pool of every later task on that executor
 * (memory_execution_pool). A block that does not fit the unified region is
 * written to the executor's local disk instead (storage.h).
 */
#include <math.h>
#include <stdint.h>

#include "models/memory.h"
#include "models/operators.h"
#include "sim/runtime/runtime_internal.h"

static void begin_spill(struct sim *sim, struct rt_slot *slot);
static void begin_write(struct sim *sim, struct rt_slot *slot);

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
double task_spill_bytes(const struct sim *sim, const struct rt_stage *st,
                        const struct rt_slot *slot, int running_here)
{
    if (!(st->working_set > 0.0))
        return 0.0;
    int64_t wave = st->tasks < sim->cl.slots_per_executor ? st->tasks : sim->cl.slots_per_executor;
    int n = running_here > wave ? running_here : (int)wave;
    return memory_spill_bytes(st->working_set * slot->weight,
                              memory_task_share(exec_pool(sim, slot->executor), n));
}

void task_start_flow(struct sim *sim, struct rt_slot *slot, double bytes, const int *res, int n_res,
                     int kind)
{
    /* Checked: the flow's tag holds 56 bits of bytes (64 PiB), and llround of
     * a NaN or out-of-range double is undefined. */
    const double tag_max = (double)((1ULL << 56) - 1);
    uint64_t whole = 0;
    if (bytes >= tag_max)
        whole = (1ULL << 56) - 1;
    else if (bytes > 0.0)
        whole = (uint64_t)llround(bytes);
    int id = net_flow_start(sim->net, engine_now(&sim->eng), (double)whole, res, n_res, 1.0, slot,
                            FLOW_TAG(kind, whole));
    if (id < 0) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for network flows");
        return;
    }
    if (slot->n_flow_ids == slot->cap_flow_ids) {
        int cap = slot->cap_flow_ids ? slot->cap_flow_ids * 2 : 8;
        int *p = realloc(slot->flow_ids, (size_t)cap * sizeof *p);
        if (!p) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for network flows");
            return;
        }
        slot->flow_ids = p;
        slot->cap_flow_ids = cap;
    }
    slot->flow_ids[slot->n_flow_ids++] = id;
    slot->flows++;
    sim->net_dirty = true;
}

void task_set_timer(struct sim *sim, struct rt_slot *slot, int64_t at_us, enum task_state st)
{
    slot->state = st;
    if (engine_schedule(&sim->eng, &slot->done, at_us, 1) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* The slot's stream, capped for a transfer from or to store (-1: none). */
static int slot_stream(struct sim *sim, struct rt_slot *slot, const struct store_access *store)
{
    if (!store)
        return -1;
    return storage_stream_cap(&sim->store, sim->net, (int)(slot - sim->slots), store->stream_bps,
                              engine_now(&sim->eng));
}

/* The input's bytes move (after the requests' wait, if any). */
static void input_transfer(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    if (st->in_bytes > 0.0) {
        slot->state = TS_INPUT;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_input(&sim->store, slot->worker, slot_stream(sim, slot, st->in_store),
                                   res);
        task_start_flow(sim, slot, st->in_bytes * slot->weight, res, n, FLOW_INPUT);
        sim->res.stages[slot->rec.stage].input_bytes += st->in_bytes * slot->weight;
        return;
    }
    shuffle_begin_fetch(sim, slot);
}

static void begin_input(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    int64_t now = engine_now(&sim->eng);
    slot->phase_start_us = now;
    double wait = st->in_store
                      ? storage_read_wait_s(st->in_store, st->in_files, st->in_bytes * slot->weight)
                      : 0.0;
    if (wait > 0.0) {
        /* The timer's end starts the transfer (task_on_timer). */
        task_set_timer(sim, slot, now + seconds_to_us(wait), TS_INPUT);
        return;
    }
    input_transfer(sim, slot);
}

/* The output files' requests and commits, once their bytes are written. */
static void end_write(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    /* A task with an empty partition writes no file (FileFormatWriter
     * opens one at its first row). */
    double wait = st->out_store && st->out_bytes * slot->weight > 0.0
                      ? storage_write_wait_s(st->out_store, st->out_files, st->out_commits)
                      : 0.0;
    if (wait > 0.0) {
        task_set_timer(sim, slot, engine_now(&sim->eng) + seconds_to_us(wait), TS_COMMIT);
        return;
    }
    slot->rec.phase_s[PHASE_WRITE] = seconds_since(sim, slot->phase_start_us);
    sched_task_finished(sim, slot);
}

static void begin_spill(struct sim *sim, struct rt_slot *slot)
{
    slot->phase_start_us = engine_now(&sim->eng);
    if (slot->spill_bytes > 0.0) {
        slot->state = TS_SPILL_WRITE;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        task_start_flow(sim, slot, slot->spill_bytes, res, n, FLOW_SPILL);
        sim->res.stages[slot->rec.stage].spill_bytes += slot->spill_bytes;
        return;
    }
    begin_write(sim, slot);
}

static void begin_write(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    struct task_rec *rec = &slot->rec;
    if (slot->state == TS_SPILL_READ)
        rec->phase_s[PHASE_SPILL] = seconds_since(sim, slot->phase_start_us);
    slot->phase_start_us = engine_now(&sim->eng);
    slot->state = TS_WRITE;
    struct stage_result *sr = &sim->res.stages[rec->stage];
    if (st->write_bytes > 0.0) {
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        task_start_flow(sim, slot, st->write_bytes * slot->weight, res, n, FLOW_WRITE);
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
            sr->cache_disk_bytes += over;
            int res[STORAGE_MAX_PATH];
            int n = storage_path_local_disk(&sim->store, slot->worker, res);
            task_start_flow(sim, slot, over, res, n, FLOW_WRITE);
        }
    }
    if (st->out_bytes > 0.0) {
        int res[STORAGE_MAX_PATH];
        /* No stream cap: writers upload blocks on several connections at
         * once (ABFS fs.azure.write.max.concurrent.requests, S3A's
         * multipart uploads on fs.s3a.threads.max), so the NIC and the
         * account's ingress are the limits. */
        int n = storage_path_output(&sim->store, slot->worker, -1, res);
        task_start_flow(sim, slot, st->out_bytes * slot->weight, res, n, FLOW_OUTPUT);
        sr->output_bytes += st->out_bytes * slot->weight;
    }
    if (slot->flows == 0)
        end_write(sim, slot);
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
        shuffle_block_arrived(sim, slot, kind == FLOW_FETCH_REMOTE, FLOW_TAG_BYTES(tag));
        return;
    }
    if (slot->flows > 0)
        return;
    switch (slot->state) {
    case TS_INPUT: shuffle_begin_fetch(sim, slot); break;
    case TS_SPILL_WRITE: {
        /* Read back what was spilled. */
        slot->state = TS_SPILL_READ;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_local_disk(&sim->store, slot->worker, res);
        task_start_flow(sim, slot, slot->spill_bytes, res, n, FLOW_SPILL);
        break;
    }
    case TS_SPILL_READ: begin_write(sim, slot); break;
    case TS_WRITE: end_write(sim, slot); break;
    default: runtime_fail(sim, SC_EINTERNAL, "a flow ended for a task that was not moving bytes");
    }
}

/* When to process the network's next completion: the completion time
 * rounded up to the quantum, so that completions falling in one quantum are
 * handled together with one solve. A flow then ends at most one quantum
 * late; with a quantum of 0 the model is exact.
 *
 * With model.network_tolerance e, the quantum adapts to the flows: if the
 * flow that completes first at `next` has taken d us since it started, the
 * grain is the largest power of two not above e x d (at least 1 us), so
 * that flow is handled at most e x d late, and so is every other flow
 * finishing in the same grain (they finish between `next` and the end of
 * the grain). Powers of two make the grains nest, so that completions of
 * flows of similar lengths elsewhere in the network share the solve. */
static int64_t net_due(const struct sim *sim, int64_t next)
{
    if (next == INT64_MAX)
        return next;
    if (sim->net_tolerance > 0.0) {
        int64_t start = net_next_start_us(sim->net);
        double span = sim->net_tolerance * (double)(next - start);
        if (start == INT64_MAX || !(span >= 2.0))
            return next;
        int64_t q = 1;
        while (q <= INT64_MAX / 4 && (double)(2 * q) <= span)
            q *= 2;
        return next > INT64_MAX - q ? next : (next + q - 1) / q * q;
    }
    if (sim->net_quantum_us <= 1)
        return next;
    int64_t q = sim->net_quantum_us;
    return (next + q - 1) / q * q;
}

/* The network's next completion: finish the flows due now. */
void task_on_net(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    int64_t next = net_due(sim, net_complete(sim->net, engine_now(eng), on_flow_done, sim));
    sim->net_dirty = false;
    if (next != INT64_MAX && engine_schedule(eng, &sim->net_ev, next, 0) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* After an event that started flows: re-solve once and move the network's
 * completion event. */
void task_net_sync(struct sim *sim)
{
    if (!sim->net_dirty)
        return;
    sim->net_dirty = false;
    int64_t next = net_due(sim, net_update(sim->net, engine_now(&sim->eng)));
    if (next == INT64_MAX)
        engine_cancel(&sim->eng, &sim->net_ev);
    else if (engine_schedule(&sim->eng, &sim->net_ev, next, 0) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* The task's timer: its start, or the end of its compute. */
void task_on_timer(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_slot *slot = (struct rt_slot *)ev;
    (void)eng;
    if (slot->state == TS_START) {
        begin_input(sim, slot);
    } else if (slot->state == TS_INPUT) {
        input_transfer(sim, slot); /* the requests' wait is over */
    } else if (slot->state == TS_COMMIT) {
        slot->rec.phase_s[PHASE_WRITE] = seconds_since(sim, slot->phase_start_us);
        sched_task_finished(sim, slot);
    } else {
        if (slot_stage(sim, slot)->has_io || slot->spill_bytes > 0.0)
            begin_spill(sim, slot);
        else
            sched_task_finished(sim, slot);
    }
    task_net_sync(sim);
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
void task_stage_bytes_init(const struct sim *sim, struct rt_stage *st)
{
    const struct plan_stage *ss = st->spec;
    st->in_bytes = storage_task_share(ss->input_bytes, st->tasks);
    st->fetch_bytes = storage_task_share(ss->shuffle_read_bytes, st->tasks);
    st->write_bytes = storage_task_share(ss->shuffle_write_bytes, st->tasks);
    st->out_bytes = storage_task_share(ss->output_bytes, st->tasks);
    /* Stores: the cluster's figures for the stage's kind; files per task
     * as bytes are, spread evenly (AQE may have changed the task count
     * since planning, and a re-submitted stage runs fewer). */
    const struct cluster *cl = &sim->cl;
    bool in_known = ss->input_store >= 0 && ss->input_store < STORE_KINDS && ss->input_files > 0.0;
    st->in_store = in_known ? &cl->store_access[ss->input_store] : NULL;
    st->in_files = in_known && st->tasks > 0 ? ss->input_files / (double)st->tasks : 0.0;
    if (st->in_files > 0.0 && st->in_files < 1.0)
        st->in_files = 1.0; /* a task opens at least the piece it reads */
    bool out_known = ss->output_store >= 0 && ss->output_store < STORE_KINDS;
    st->out_store = out_known ? &cl->store_access[ss->output_store] : NULL;
    st->out_files = out_known && st->tasks > 0 ? ss->output_files / (double)st->tasks : 0.0;
    st->out_commits = ss->output_commits;
    if (ss->memory_bytes >= 0)
        st->working_set = (double)ss->memory_bytes;
    else if (memory_hungry(ss->kernel))
        st->working_set = (st->in_bytes + st->fetch_bytes) * RUNTIME_MEMORY_EXPANSION;
    else
        st->working_set = 0.0;
    bool waits = st->in_store && st->in_store->latency_s > 0.0 && st->in_files > 0.0;
    st->has_io = st->in_bytes > 0.0 || waits || st->fetch_bytes > 0.0 || st->write_bytes > 0.0 ||
                 st->out_bytes > 0.0 || ss->cache_bytes > 0;
}
