/*
 * shuffle.c — the shuffle between stages: where each map task's output
 * lives (MapOutputTracker), where a reduce stage's blocks sit, the reducer's
 * fetch (ShuffleBlockFetcherIterator: see task.c for how fetch and compute
 * overlap), and map output lost with its node.
 *
 * A lost node's map output is gone: a stage whose output a later stage
 * still needs runs those map tasks again, and a running consumer is stopped
 * until they are done (Spark's FetchFailed: the consumer stage is
 * resubmitted after the lost map outputs are recomputed); its completed
 * tasks stay done.
 */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "sim/runtime/runtime_internal.h"
#include "models/units.h"

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

/*
 * The requests' size. Spark asks each worker for its blocks in requests of
 * targetRemoteRequestSize (maxSizeInFlight / 5), at most maxSizeInFlight of
 * them outstanding: the simulation's work is one network flow a request, so
 * bytes / 9.6 MiB with the defaults, which for a reducer reading terabytes
 * is millions of flows that change nothing a coarser grain would not show.
 * Above a bound of N requests for the task's remote bytes (sim->fetch_requests,
 * or 4 a worker it reads from when that is more, so that each worker's bytes
 * still come in several requests), the fetch scales its request size and its
 * in-flight cap by the same factor s = remote bytes / (N x request size): as
 * many requests are in flight at once (the cap holds the same number of
 * them), each flow gets the same max-min share of every resource it crosses,
 * and the fetch moves its bytes at the same rates; only the grain changes.
 * What the grain decides is bounded: the task computes on its last block
 * after the fetch (compute_s x last block / bytes fetched), and the last
 * block is at most one request, 1/N of the remote bytes, so the task's end
 * moves by at most compute_s / N beyond the completion times the network
 * gives (test_shuffle: the coarse grain within 1% of Spark's on a fetch
 * small enough to run both). The work is then at most N plus one a worker
 * for each reduce task, whatever its bytes.
 */
static void fetch_set_grain(struct sim *sim, struct rt_slot *slot, const struct rt_stage *st)
{
    slot->fetch_req_bytes = sim->fetch_target_bytes;
    slot->fetch_cap_bytes = sim->fetch_max_in_flight;
    if (!(sim->fetch_requests > 0.0))
        return;
    double remote = 0.0;
    int sources = 0;
    for (int w = 0; w < sim->n_workers; w++) {
        double b = w == slot->worker ? 0.0 : st->fetch_bytes * slot->weight * st->fetch_frac[w];
        if (b > 0.0) {
            remote += b;
            sources++;
        }
    }
    double n = sim->fetch_requests > 4.0 * sources ? sim->fetch_requests : 4.0 * sources;
    double s = remote / (sim->fetch_target_bytes * n);
    if (s > 1.0) {
        slot->fetch_req_bytes *= s;
        slot->fetch_cap_bytes *= s;
    }
}

/* Issues remote requests while Spark's in-flight limits allow. */
static void fetch_issue(struct sim *sim, struct rt_slot *slot, const struct rt_stage *st)
{
    while (slot->fetch_node_left > 0.0 && slot->in_flight_reqs < sim->fetch_max_reqs) {
        double req = slot->fetch_node_left < slot->fetch_req_bytes ? slot->fetch_node_left
                                                                   : slot->fetch_req_bytes;
        /* The first request always goes out, however large (as in Spark). */
        if (slot->in_flight_reqs > 0 && slot->in_flight_bytes + req > slot->fetch_cap_bytes)
            break;
        int src = slot->fetch_cursor;
        int res[STORAGE_MAX_PATH];
        int n = storage_path_remote_block(&sim->store, src, slot->worker, res);
        task_start_flow(sim, slot, req, res, n, FLOW_FETCH_REMOTE);
        sim->res.work.fetch_requests++;
        slot->in_flight_bytes += req;
        slot->in_flight_reqs++;
        slot->fetch_node_left -= req;
        if (slot->fetch_node_left <= 0.5)
            fetch_next_node(sim, slot, st);
    }
}

void shuffle_begin_fetch(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    int64_t now = engine_now(&sim->eng);
    struct task_rec *rec = &slot->rec;
    if (slot->state == TS_INPUT)
        rec->phase_s[PHASE_INPUT] = seconds_since(sim, slot->phase_start_us);
    slot->phase_start_us = now;
    if (!(st->fetch_bytes > 0.0)) {
        task_set_timer(sim, slot, now + units_s_to_us(slot->compute_s), TS_COMPUTE);
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
        task_start_flow(sim, slot, local, res, n, FLOW_FETCH_LOCAL);
        sr->shuffle_read_local_bytes += local;
    }
    sr->shuffle_read_remote_bytes += st->fetch_bytes * slot->weight - local;
    /* Start at a worker that depends on the task, so reducers spread their
     * first requests over the cluster (Spark randomizes request order). */
    slot->fetch_cursor = (int)(rec->index % sim->n_workers) - 1;
    if (slot->fetch_cursor < 0)
        slot->fetch_cursor += sim->n_workers;
    slot->fetch_left_nodes = sim->n_workers;
    fetch_set_grain(sim, slot, st);
    fetch_next_node(sim, slot, st);
    fetch_issue(sim, slot, st);
    if (slot->flows == 0) /* nothing to fetch after all */
        task_set_timer(sim, slot, now + units_s_to_us(slot->compute_s), TS_COMPUTE);
}

static void fetch_done(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    struct task_rec *rec = &slot->rec;
    int64_t now = engine_now(&sim->eng);
    double c = slot->compute_s;
    double start_s = (double)slot->phase_start_us * 1e-6;
    double fetched = st->fetch_bytes * slot->weight;
    double tail = fetched > 0.0 ? c * slot->last_block_bytes / fetched : 0.0;
    double end_s = start_s + c;
    if ((double)now * 1e-6 + tail > end_s)
        end_s = (double)now * 1e-6 + tail;
    int64_t end_us = units_s_to_us(end_s);
    if (end_us < now)
        end_us = now;
    double wait = end_s - (start_s + c);
    rec->fetch_s = (float)((double)(now - slot->phase_start_us) * 1e-6);
    rec->phase_s[PHASE_FETCH] = (float)(wait > 0.0 ? wait : 0.0);
    sim->res.stages[rec->stage].fetch_wait_s += wait > 0.0 ? wait : 0.0;
    task_set_timer(sim, slot, end_us, TS_COMPUTE);
}

/* A shuffle block of bytes arrived (from another worker when remote):
 * request more while the limits allow; the fetch is over with the last. */
void shuffle_block_arrived(struct sim *sim, struct rt_slot *slot, bool remote, double bytes)
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

/* Map output bookkeeping: where a finished task's shuffle output lives
 * (MapOutputTracker), by worker, so that reducers fetch from there and a
 * lost node's outputs can be found. A task finishes only when its output
 * is not recorded (one attempt wins; a lost output is unrecorded before
 * its task is queued again), so pushing it on its worker's list keeps each
 * task on one list at most. */
void shuffle_record_map_output(struct rt_stage *st, const struct rt_slot *slot, int64_t index)
{
    if (st->map_bytes)
        st->map_bytes[slot->worker] += st->write_bytes * slot->weight;
    if (st->out_worker) {
        st->out_worker[index] = slot->worker;
        st->out_next[index] = st->out_head[slot->worker];
        st->out_head[slot->worker] = (int32_t)index;
    }
}

/* Where a reduce stage's shuffle data sits: in proportion to what its
 * parents' map tasks wrote on each worker (uniform over the workers alive
 * when they recorded none). */
void shuffle_locate_blocks(struct sim *sim, struct rt_stage *st)
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
                                : sim->workers[w].state == WK_ALIVE && alive > 0 ? 1.0 / alive
                                                                                 : 0.0;
    }
}

/* Whether a worker holds shuffle output a stage still has to read. Both
 * Databricks (which inspects shuffle files) and Spark's shuffle tracking
 * keep such nodes and executors. */
bool shuffle_holds_needed(const struct sim *sim, int w)
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

/* Stops a running consumer stage whose input was lost: its running tasks
 * die and it waits for its parent again. */
static void stop_consumer(struct sim *sim, int ci)
{
    struct rt_stage *c = &sim->stages[ci];
    for (size_t i = 0; i < sim->n_slots; i++) {
        struct rt_slot *slot = &sim->slots[i];
        if (slot->state != TS_IDLE && slot->rec.stage == ci) {
            sched_kill_task(sim, slot);
            sched_free_push(sim, (int)i);
        }
    }
    if (c->state == STAGE_RUNNING) {
        sched_active_remove(sim, ci);
        c->state = STAGE_WAITING;
        speculation_wake(sim);
    }
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Re-runs the map tasks of stage si whose output lived on worker w, if a
 * stage that is not done still needs them. */
void shuffle_recompute_lost_output(struct sim *sim, int si, int w)
{
    struct rt_stage *st = &sim->stages[si];
    if (!st->out_worker)
        return;
    bool needed = false;
    for (int c = 0; c < st->n_children; c++)
        needed |= sim->stages[st->children[c]].state != STAGE_DONE;
    if (!needed)
        return;
    /* The worker's list holds exactly its outputs: the cost is what is
     * lost, not the stage's task count. They run again in task order (the
     * order Spark's TaskSetManager resubmits missing partitions in). */
    size_t lost = 0;
    for (int32_t i = st->out_head[w]; i >= 0; i = st->out_next[i]) {
        if (lost == sim->lost_cap) {
            size_t cap = sim->lost_cap ? 2 * sim->lost_cap : 64;
            int32_t *p = realloc(sim->lost_scratch, cap * sizeof *p);
            if (!p) {
                runtime_fail(sim, SC_ENOMEM, "out of memory for task retries");
                return;
            }
            sim->lost_scratch = p;
            sim->lost_cap = cap;
        }
        sim->lost_scratch[lost++] = i;
    }
    if (lost == 0)
        return; /* (qsort must not be given the scratch before it exists) */
    qsort(sim->lost_scratch, lost, sizeof *sim->lost_scratch, cmp_int32);
    for (size_t k = 0; k < lost; k++) {
        int32_t i = sim->lost_scratch[k];
        st->out_next[i] = -1;
        st->out_worker[i] = -1;
        if (!sched_retry_push(st, i)) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for task retries");
            return;
        }
    }
    st->out_head[w] = -1;
    executors_policy_note(sim); /* more tasks wait */
    st->done -= (int64_t)lost;
    st->map_bytes[w] = 0.0;
    sim->res.recomputed_tasks += (int64_t)lost;
    sim->res.stages[si].resubmissions++;
    if (st->state == STAGE_DONE) {
        /* Reopen it: its job has one more stage to finish, and each
         * consumer one more parent to wait for. */
        st->state = STAGE_RUNNING;
        speculation_wake(sim);
        if (!runtime_stage_stream_reopen(sim, st))
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
        sched_active_insert(sim, si);
    } else if (stage_pending(st) == (int64_t)lost) {
        sched_active_insert(sim, si); /* it had nothing left to launch */
    }
}
