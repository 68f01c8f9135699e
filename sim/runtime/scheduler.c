/*
 * scheduler.c — Spark's task scheduler: task sets waiting for slots, the
 * ring of free slots, rounds of offers in FIFO or FAIR order, and the
 * launch and end of each task attempt.
 *
 * What is reproduced from Spark 3 (TaskSchedulerImpl, TaskSetManager, Pool
 * and SchedulingAlgorithm in apache/spark core):
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
 *  - Locality. A task set whose tasks prefer locations takes its slots
 *    through locality.c (delay scheduling); the others take them in index
 *    order, whatever the slot.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runtime/runtime_internal.h"
#include "models/units.h"

/* ---- free slots ------------------------------------------------------- */

void sched_free_push(struct sim *sim, int slot)
{
    sim->free_ring[(sim->free_head + sim->free_count) % sim->n_slots] = slot;
    sim->free_count++;
    speculation_wake(sim);
}

static int free_pop(struct sim *sim)
{
    int slot = sim->free_ring[sim->free_head];
    sim->free_head = (sim->free_head + 1) % sim->n_slots;
    sim->free_count--;
    return slot;
}

int sched_free_at(const struct sim *sim, size_t k)
{
    return sim->free_ring[(sim->free_head + k) % sim->n_slots];
}

int sched_free_take(struct sim *sim, size_t k)
{
    int slot = sched_free_at(sim, k);
    /* The slots after it move up one place, keeping their order. */
    for (size_t i = k; i + 1 < sim->free_count; i++)
        sim->free_ring[(sim->free_head + i) % sim->n_slots] =
            sim->free_ring[(sim->free_head + i + 1) % sim->n_slots];
    sim->free_count--;
    return slot;
}

/* Takes executor e's slots out of the ring (it is leaving; they are idle). */
void sched_free_remove_executor(struct sim *sim, int e)
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

void sched_active_insert(struct sim *sim, int st)
{
    size_t i = sim->n_active;
    while (i > 0 && sim->stages[sim->active[i - 1]].spark_id > sim->stages[st].spark_id) {
        sim->active[i] = sim->active[i - 1];
        i--;
    }
    sim->active[i] = st;
    sim->n_active++;
    sim->pools[sim->stages[st].pool].pending_stages++;
    executors_policy_note(sim);
}

void sched_active_remove(struct sim *sim, int st)
{
    size_t i = 0;
    while (i < sim->n_active && sim->active[i] != st)
        i++;
    if (i == sim->n_active)
        return;
    memmove(&sim->active[i], &sim->active[i + 1], (sim->n_active - i - 1) * sizeof(int));
    sim->n_active--;
    sim->pools[sim->stages[st].pool].pending_stages--;
    executors_policy_note(sim);
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

bool sched_retry_push(struct rt_stage *st, int64_t index)
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
    if (st->loc)
        locality_task_pending(st, index);
    return true;
}

static void launch(struct sim *sim, int st_index, int slot_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    /* Retries first, the last queued first, then the next task never
     * launched: Spark's pending lists are stacks (TaskSetManager adds the
     * tasks in reverse index order and dequeueTaskFromList takes from the
     * end), and a failed task is appended to them again. */
    int64_t index =
        st->retry_n > 0 ? st->retry[(st->retry_head + st->retry_n - 1) % st->retry_cap] : st->next;
    sched_launch_index(sim, st_index, slot_index, index);
}

/* Takes task index out of st's pending tasks: from the retries, or from
 * those never launched (out of order only with preferred locations). */
static void take_pending(struct rt_stage *st, int64_t index)
{
    for (size_t i = 0; i < st->retry_n; i++) {
        size_t at = (st->retry_head + i) % st->retry_cap;
        if (st->retry[at] != index)
            continue;
        for (size_t j = i; j > 0; j--)
            st->retry[(st->retry_head + j) % st->retry_cap] =
                st->retry[(st->retry_head + j - 1) % st->retry_cap];
        st->retry_head = (st->retry_head + 1) % st->retry_cap;
        st->retry_n--;
        if (st->loc)
            st->loc->pending[st->loc->pref[index]]--;
        return;
    }
    if (!st->loc) {
        st->next++;
        return;
    }
    struct rt_locality *lc = st->loc;
    lc->pending[lc->pref[index]]--;
    if (index != st->next) {
        lc->taken[index] = 1;
        lc->taken_ahead++;
        return;
    }
    st->next++;
    while (st->next < st->tasks && lc->taken[st->next]) {
        lc->taken[st->next] = 0;
        lc->taken_ahead--;
        st->next++;
    }
}

/* The least time the attempt of task index about to launch in slot at
 * launch_us runs, from the stage's lost_attempts: until its executor leaves
 * when the log lost this attempt with that executor, else the time the
 * log's attempt had run; 0 when the log lost no such attempt. */
static double lost_attempt_floor_s(const struct sim *sim, const struct rt_stage *st,
                                   const struct rt_slot *slot, int64_t index, int64_t launch_us)
{
    int k = st->attempts[index];
    for (size_t j = 0; j < st->spec->n_lost; j++) {
        const struct lost_attempt_spec *la = &st->spec->lost[j];
        if (la->task != index || k-- > 0)
            continue;
        int entry = sim->execs[slot->executor].timeline_entry;
        const struct rt_timeline *t = entry >= 0 ? &sim->timeline[entry] : NULL;
        if (t && entry == la->executor && event_pending(&t->leave_ev)) {
            /* A moment past its leave, so that the leave takes it. */
            double until_s = (double)(t->leave_ev.time_us - launch_us + 1) * 1e-6;
            return until_s > la->run_s ? until_s : la->run_s;
        }
        return la->run_s;
    }
    return 0.0;
}

/* The run_s of the stage's failed_attempts item for the attempt of task
 * index about to launch in slot (its k-th attempt: the k-th listed for
 * it), if it applies there; -1 when the attempt does not fail. */
static double failed_attempt_s(const struct sim *sim, const struct rt_stage *st,
                               const struct rt_slot *slot, int64_t index)
{
    int k = st->attempts[index];
    for (size_t j = 0; j < st->spec->n_failed; j++) {
        const struct lost_attempt_spec *fa = &st->spec->failed[j];
        if (fa->task != index || k-- > 0)
            continue;
        if (fa->executor >= 0 && sim->exec_ident[slot->executor] != fa->executor)
            return -1.0;
        return fa->run_s;
    }
    return -1.0;
}

void sched_launch_index(struct sim *sim, int st_index, int slot_index, int64_t index)
{
    struct rt_stage *st = &sim->stages[st_index];
    struct rt_slot *slot = &sim->slots[slot_index];
    take_pending(st, index);
    int64_t now = engine_now(&sim->eng);
    struct task_rec *rec = &slot->rec;
    rec->assign_us = now;
    sim->driver_free_us = (sim->driver_free_us > now ? sim->driver_free_us : now) + sim->launch_us;
    rec->launch_us = sim->driver_free_us;
    /* A task's data can differ from its stage's even share (skew): the
     * planner gives each task a weight, 1 on average. */
    slot->weight = st->spec->task_weights ? st->spec->task_weights[index] : 1.0;
    slot->compute_s = taskcost_task(&st->cost, st->rng, index, rec->phase_s);
    rec->fetch_s = 0.0f;
    if (!st->cost.from_dist)
        slot->compute_s *= slot->weight;
    /* Computed times vary around their cost (times given as task_seconds
     * already carry their own spread). */
    if (!st->cost.from_dist && sim->noise_sigma > 0.0) {
        slot->compute_s *= gsl_ran_lognormal(st->rng, 0.0, sim->noise_sigma);
        rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    }
    /* The JVM's own costs on a predicted task (models/jvm.h): GC, the
     * first run of its pipeline, its fixed costs and, on an executor none
     * of whose tasks has finished yet (its first wave: they all wait for
     * the same class loading and code), warm-up. A time given as
     * task_seconds holds them already. */
    if (!st->cost.from_dist) {
        bool first_wave = st->first_wave_left > 0;
        if (first_wave)
            st->first_wave_left--;
        /* The rows its loop runs over: the larger of what a task reads
         * and what it writes (models/jvm.h, JVM_FIRST_RUN_RECORDS). */
        double out = st->spec->tasks > 0 ? (double)st->spec->output_records / st->spec->tasks : 0.0;
        slot->compute_s = jvm_task_s(&sim->jvm, slot->compute_s, !sim->execs[slot->executor].warm,
                                     st->cold_pipeline, first_wave, fmax(st->cost.records, out));
        rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    }
    /* A given time that held its executor's warm-up had it taken out
     * (taskcost.c): it comes back on the executors fresh here. */
    if (st->cost.cold && !sim->execs[slot->executor].warm) {
        slot->compute_s += st->cost.warmup_s;
        rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    }
    /* An attempt the log lost with its executor (lost_attempts) was still
     * running when that executor left. Replayed on the log's executor
     * timeline, the same attempt of the task (its k-th, the k-th listed)
     * is lost with that executor again if it runs there, and elsewhere
     * runs at least as long as it had run: its successful attempt's time
     * (often on another, warm executor) says nothing of it. */
    if (st->spec->n_lost && sim->n_timeline) {
        double floor_s = lost_attempt_floor_s(sim, st, slot, index, rec->launch_us);
        if (floor_s > slot->compute_s) {
            slot->compute_s = floor_s;
            rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
        }
    }
    /* A failed_attempts item: this attempt fails after its run_s, where it
     * applies (on its executor, or anywhere when it names none). */
    slot->fails = false;
    if (st->spec->n_failed) {
        double fail_s = failed_attempt_s(sim, st, slot, index);
        if (fail_s >= 0.0) {
            slot->fails = true;
            slot->compute_s = fail_s;
            rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
        }
    }
    slot->base_compute_s = slot->compute_s;
    slot->copy = false;
    slot->compute_s *= worker_slowdown(sim, slot->worker);
    rec->phase_s[PHASE_COMPUTE] = (float)slot->compute_s;
    if (st->run_a) {
        st->run_a[index] = (int32_t)slot_index;
        speculation_wake(sim);
    }
    rec->end_us = rec->launch_us;
    rec->stage = st_index;
    rec->index = (int32_t)index;
    rec->executor = slot->executor;
    rec->slot = (int16_t)slot->slot;
    rec->attempt = st->attempts ? st->attempts[index] : 0;
    if (st->attempts && st->attempts[index] < UINT8_MAX)
        st->attempts[index]++;
    rec->status = TASK_SUCCESS;
    if (!results_task_begin(&sim->res, rec, &slot->rec_index)) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for task records");
        return;
    }
    slot->flows = 0;
    slot->n_flow_ids = 0;
    st->running++;
    sim->pools[st->pool].running++;
    int running_here = ++sim->exec_running[slot->executor];
    sim->execs[slot->executor].idle_since_us = -1;
    sim->workers[slot->worker].running++;
    sim->workers[slot->worker].idle_since_us = -1;
    sim->total_running++;
    executors_policy_note(sim);
    if (stage_pending(st) == 0)
        sched_active_remove(sim, st_index);
    slot->spill_bytes = task_spill_bytes(sim, st, slot, running_here);
    if (!st->has_io && slot->spill_bytes == 0.0) {
        /* Nothing to move: one timer for the whole task. */
        task_set_timer(sim, slot, rec->launch_us + units_s_to_us(slot->compute_s), TS_COMPUTE);
        return;
    }
    task_set_timer(sim, slot, rec->launch_us, TS_START);
}

/* The attempt in slot failed on its live executor (a failed_attempts
 * item): it runs again, and the failure counts towards
 * spark.task.maxFailures and excludeOnFailure (exclude.c). */
static void fail_attempt(struct sim *sim, struct rt_slot *slot)
{
    struct rt_stage *st = slot_stage(sim, slot);
    int e = slot->executor;
    int64_t index = slot->rec.index;
    slot->fails = false;
    sched_kill_task(sim, slot);
    sim->execs[e].warm = true; /* the attempt ran there to its end */
    exclude_task_failed(sim, st, e, index);
    if (sim->failed)
        return;
    sched_free_push(sim, (int)(slot - sim->slots));
    sched_offer_round(sim);
}

void sched_task_finished(struct sim *sim, struct rt_slot *slot)
{
    if (slot->fails) {
        fail_attempt(sim, slot);
        return;
    }
    struct task_rec *rec = &slot->rec;
    int st_index = rec->stage;
    struct rt_stage *st = &sim->stages[st_index];
    rec->end_us = engine_now(&sim->eng);
    if (!results_task_end(&sim->res, rec, slot->rec_index))
        runtime_fail(sim, SC_ENOMEM, "out of memory for stage statistics");
    if (st->run_a) {
        /* The first attempt to finish wins; the other is killed. */
        int self = (int)(slot - sim->slots);
        int other = st->run_a[rec->index] == self ? st->run_b[rec->index] : st->run_a[rec->index];
        st->run_a[rec->index] = st->run_b[rec->index] = -1;
        st->task_done[rec->index] = 1;
        if (st->n_ok < 2 * (size_t)st->tasks) /* recomputes may add a few */
            speculation_record_success(st, (double)(rec->end_us - rec->launch_us) * 1e-6);
        if (slot->copy) {
            sim->res.speculative_won++;
            sim->res.stages[st_index].speculative_won++;
        }
        if (other >= 0)
            speculation_kill_copy(sim, &sim->slots[other]);
    }
    slot->state = TS_IDLE;
    sim->execs[slot->executor].warm = true;
    shuffle_record_map_output(st, slot, rec->index);
    st->running--;
    st->done++;
    sim->pools[st->pool].running--;
    int64_t now = engine_now(&sim->eng);
    if (--sim->exec_running[slot->executor] == 0)
        sim->execs[slot->executor].idle_since_us = now;
    if (--sim->workers[slot->worker].running == 0)
        sim->workers[slot->worker].idle_since_us = now;
    sim->total_running--;
    executors_policy_note(sim);
    sched_free_push(sim, (int)(slot - sim->slots));
    if (st->done == st->tasks) {
        exclude_stage_succeeded(sim, st);
        dag_stage_finished(sim, st_index);
    }
    sched_offer_round(sim);
}

/* The active task sets in the order a round offers them slots, into
 * sim->order: FIFO as they are; FAIR sorted once for the round, as Spark
 * does (the list is short, one entry per stage with tasks left, so
 * insertion sort). Returns how many. */
static size_t order_tasksets(struct sim *sim)
{
    size_t n = sim->n_active;
    if (sim->mode == SCHED_FIFO) {
        memcpy(sim->order, sim->active, n * sizeof *sim->order);
        return n;
    }
    for (size_t i = 0; i < n; i++) {
        int v = sim->active[i];
        size_t j = i;
        while (j > 0 && compare_tasksets_fair(sim, sim->order[j - 1], v) > 0) {
            sim->order[j] = sim->order[j - 1];
            j--;
        }
        sim->order[j] = v;
    }
    return n;
}

/* The task of st without preferred locations that executor position e
 * takes: the last queued retry not excluded there, else the next task
 * never launched; -1 when none. */
static int64_t pick_plain(const struct sim *sim, const struct rt_stage *st, int e)
{
    for (size_t r = st->retry_n; r > 0; r--) {
        int64_t i = st->retry[(st->retry_head + r - 1) % st->retry_cap];
        if (!exclude_blocks_task(sim, st, e, i))
            return i;
    }
    return st->next < st->tasks ? st->next : -1;
}

/* A round in which some task set prefers locations: each task set in
 * order, those with preferences through locality.c. */
static void offer_round_locality(struct sim *sim, bool full_round)
{
    size_t n = order_tasksets(sim);
    for (size_t i = 0; i < n && sim->free_count > 0 && !sim->failed; i++) {
        int st = sim->order[i];
        if (sim->stages[st].loc) {
            locality_offer(sim, st, full_round);
            continue;
        }
        if (sim->stages[st].profile >= 0 || sim->excl.on) {
            /* Only the slots of its resource profile's executors, and of
             * those not excluded (excludeOnFailure), each taking the first
             * pending task not excluded there. */
            for (size_t k = 0; k < sim->free_count && stage_pending(&sim->stages[st]) > 0 &&
                               !sim->failed;) {
                int slot = sched_free_at(sim, k);
                int64_t index = -1;
                if (stage_may_use(sim, &sim->stages[st], sim->slots[slot].executor))
                    index = pick_plain(sim, &sim->stages[st], sim->slots[slot].executor);
                if (index >= 0)
                    sched_launch_index(sim, st, sched_free_take(sim, k), index);
                else
                    k++;
            }
            continue;
        }
        while (sim->free_count > 0 && stage_pending(&sim->stages[st]) > 0 && !sim->failed)
            launch(sim, st, free_pop(sim));
    }
    locality_after_round(sim);
}

void sched_offer_round_full(struct sim *sim)
{
    if (sim->free_count == 0 || sim->n_active == 0)
        return;
    offer_round_locality(sim, true);
}

/* One round of resource offers (TaskSchedulerImpl.resourceOffers). */
void sched_offer_round(struct sim *sim)
{
    if (sim->free_count == 0 || sim->n_active == 0)
        return;
    if (sim->locality_on) {
        offer_round_locality(sim, false);
        return;
    }
    if (sim->mode == SCHED_FIFO) {
        /* The active list is already in FIFO order. */
        while (sim->free_count > 0 && sim->n_active > 0 && !sim->failed)
            launch(sim, sim->active[0], free_pop(sim));
        return;
    }
    size_t n = order_tasksets(sim);
    for (size_t i = 0; i < n && sim->free_count > 0 && !sim->failed; i++) {
        int st = sim->order[i];
        while (sim->free_count > 0 && stage_pending(&sim->stages[st]) > 0 && !sim->failed)
            launch(sim, st, free_pop(sim));
    }
}

/* ---- attempts that end without finishing ---------------------------------
 *
 * An attempt stops early when its executor is lost (it fails and runs
 * again, see spot.c) or when it loses a speculation race (it is killed). */

/* Stops the attempt running in slot without finishing it: its timer and
 * flows stop, it is recorded with status, and the counts of running tasks
 * drop. The slot is idle afterwards (the caller decides where it goes). */
void sched_end_attempt(struct sim *sim, struct rt_slot *slot, enum task_status status)
{
    struct task_rec *rec = &slot->rec;
    struct rt_stage *st = &sim->stages[rec->stage];
    int64_t now = engine_now(&sim->eng);
    engine_cancel(&sim->eng, &slot->done);
    /* An attempt stopped during its fetch (killed, or its copy won) did
     * fetch until now: the trace shows that much. */
    if (slot->state == TS_FETCH)
        rec->fetch_s = (float)((double)(now - slot->phase_start_us) * 1e-6);
    for (int i = 0; i < slot->n_flow_ids; i++)
        net_flow_cancel(sim->net, now, slot->flow_ids[i]);
    if (slot->n_flow_ids)
        sim->net_dirty = true;
    slot->n_flow_ids = 0;
    slot->flows = 0;
    slot->state = TS_IDLE;
    rec->end_us = now;
    rec->status = (uint8_t)status;
    if (!results_task_end(&sim->res, rec, slot->rec_index))
        runtime_fail(sim, SC_ENOMEM, "out of memory for stage statistics");
    st->running--;
    sim->pools[st->pool].running--;
    if (--sim->exec_running[slot->executor] == 0)
        sim->execs[slot->executor].idle_since_us = now;
    if (--sim->workers[slot->worker].running == 0)
        sim->workers[slot->worker].idle_since_us = now;
    sim->total_running--;
    executors_policy_note(sim);
}

/* Kills the task running in slot: its timer and flows stop, its attempt is
 * recorded as failed, and it waits to run again. */
void sched_kill_task(struct sim *sim, struct rt_slot *slot)
{
    struct task_rec *rec = &slot->rec;
    struct rt_stage *st = &sim->stages[rec->stage];
    sched_end_attempt(sim, slot, TASK_FAILED);
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
        speculation_wake(sim); /* the task may be a candidate again */
        if (other_runs)
            return; /* the other copy carries on */
    }
    bool was_waiting = stage_pending(st) > 0;
    if (!sched_retry_push(st, rec->index)) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for task retries");
        return;
    }
    if (!was_waiting && st->state == STAGE_RUNNING)
        sched_active_insert(sim, rec->stage);
}

/* ---- pools ----------------------------------------------------------- */

static int find_pool(struct sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->n_pools; i++)
        if (strcmp(sim->pools[i].name, name) == 0)
            return (int)i;
    return -1;
}

int sched_add_pool(struct sim *sim, const char *name)
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
