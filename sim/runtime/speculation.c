/*
 * speculation.c — speculative execution (spark.speculation): a copy of a
 * task that runs much longer than its stage's finished tasks, on another
 * host; the first attempt to finish wins and the other is killed
 * (TaskSetManager.checkSpeculatableTasks).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/units.h"
#include "sim/runtime/runtime_internal.h"

/* The losing attempt of a speculation race: killed, not run again; its
 * slot is free at once. */
void speculation_kill_copy(struct sim *sim, struct rt_slot *slot)
{
    sched_end_attempt(sim, slot, TASK_KILLED);
    sched_free_push(sim, (int)(slot - sim->slots));
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
    struct rt_slot *slot = &sim->slots[slot_index];
    int64_t now = engine_now(&sim->eng);
    struct task_rec *rec = &slot->rec;
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
    slot->fails = false;
    if (!results_task_begin(&sim->res, rec, &slot->rec_index)) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for task records");
        return false;
    }
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
    executors_policy_note(sim);
    st->run_b[index] = slot_index;
    sim->res.speculative_launched++;
    sim->res.stages[st_index].speculative_launched++;
    task_set_timer(sim, slot,
                   st->has_io ? rec->launch_us : rec->launch_us + units_s_to_us(slot->compute_s),
                   st->has_io ? TS_START : TS_COMPUTE);
    return true;
}

/* ---- the median of a stage's successful run times --------------------------
 *
 * Spark takes the median of the finished tasks' run times at every check.
 * Sorting them at each check costs n log n per check; two heaps keep it at
 * log n per finished task and O(1) per check: the lower half of the times in
 * a max-heap at ok_dur[0..tasks), the upper half in a min-heap at
 * ok_dur[tasks..2 tasks), the lower holding ceil(n/2) of them (n_ok of them
 * at most 2 x tasks, see sched_task_finished). */

static void heap_sift_up(double *h, size_t i, bool max)
{
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (max ? h[up] >= h[i] : h[up] <= h[i])
            break;
        double t = h[up];
        h[up] = h[i];
        h[i] = t;
        i = up;
    }
}

static void heap_sift_down(double *h, size_t n, size_t i, bool max)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < n && (max ? h[l] > h[best] : h[l] < h[best]))
            best = l;
        if (r < n && (max ? h[r] > h[best] : h[r] < h[best]))
            best = r;
        if (best == i)
            return;
        double t = h[best];
        h[best] = h[i];
        h[i] = t;
        i = best;
    }
}

static void heap_push(double *h, size_t *n, double x, bool max)
{
    h[*n] = x;
    heap_sift_up(h, (*n)++, max);
}

/* Puts x on top of the heap in place of its top and returns the old top. */
static double heap_replace_top(double *h, size_t n, double x, bool max)
{
    double top = h[0];
    h[0] = x;
    heap_sift_down(h, n, 0, max);
    return top;
}

void speculation_record_success(struct rt_stage *st, double run_s)
{
    size_t cap = (size_t)st->tasks;
    double *lo = st->ok_dur, *hi = st->ok_dur + cap;
    size_t n_lo = (st->n_ok + 1) / 2, n_hi = st->n_ok / 2;
    /* Each half grows only to its size after the insertion, so neither
     * outgrows its `tasks` entries. */
    if (n_lo == n_hi) {
        if (n_hi > 0 && run_s > hi[0])
            run_s = heap_replace_top(hi, n_hi, run_s, false);
        heap_push(lo, &n_lo, run_s, true);
    } else {
        if (run_s < lo[0])
            run_s = heap_replace_top(lo, n_lo, run_s, true);
        heap_push(hi, &n_hi, run_s, false);
    }
    st->n_ok++;
}

/* results_quantile_sorted(sorted times, n_ok, 0.5), from the two heaps: the
 * same operands in the same arithmetic, so the same bits. */
static double stage_median_s(const struct rt_stage *st)
{
    const double *lo = st->ok_dur, *hi = st->ok_dur + st->tasks;
    double pos = 0.5 * (double)(st->n_ok - 1);
    double frac = pos - floor(pos);
    double below = lo[0], above = st->n_ok / 2 > 0 ? hi[0] : lo[0];
    return below + frac * (above - below);
}

/* ---- when to check ------------------------------------------------------
 *
 * Spark checks every spark.speculation.interval from the start; a check can
 * only launch a copy when a slot is free on another worker and a running
 * task has outlived its stage's threshold. Ticking over hours in which
 * neither can happen costs time in proportion to the simulated span, not to
 * the work, so a check is scheduled only on Spark's grid (span start + k x
 * interval, k >= 1) at the first point where it could act: after a change
 * that might let it (speculation_wake), or when the first running task
 * crosses its threshold. Every check left out would have found nothing to
 * do, and a check that finds nothing changes no state, so the run is the
 * same as with a check at every point of the grid. */

/* The first point of the grid not before at_us and after the last check. */
static int64_t grid_point(const struct sim *sim, int64_t at_us)
{
    int64_t step = sim->spec_interval_us;
    int64_t next = sim->spec_last_us > INT64_MAX - step ? INT64_MAX : sim->spec_last_us + step;
    if (at_us <= next)
        return next;
    int64_t k = (at_us - sim->spec_base_us) / step + ((at_us - sim->spec_base_us) % step != 0);
    if (k > (INT64_MAX - sim->spec_base_us) / step)
        return INT64_MAX;
    return sim->spec_base_us + k * step;
}

static void schedule_check(struct sim *sim, int64_t at_us)
{
    if (at_us == INT64_MAX)
        return;
    if (event_pending(&sim->spec_ev) && sim->spec_ev.time_us <= at_us)
        return;
    if (engine_schedule(&sim->eng, &sim->spec_ev, at_us, 3) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

void speculation_start(struct sim *sim, int64_t span_start_us)
{
    sim->spec_base_us = sim->spec_last_us = span_start_us;
    sim->spec_started = true;
    schedule_check(sim, grid_point(sim, span_start_us));
}

void speculation_wake(struct sim *sim)
{
    if (!sim->spec_started || sim->spec_checking || sim->jobs_done == sim->n_jobs)
        return;
    schedule_check(sim, grid_point(sim, engine_now(&sim->eng)));
}

/* TaskSetManager.checkSpeculatableTasks, on the grid above: once quantile
 * of a stage's tasks have finished, a running task older than multiplier x
 * their median run time (and minTaskRuntime) gets a copy. */
void speculation_on_timer(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    int64_t now = engine_now(eng);
    sim->spec_last_us = now;
    sim->res.work.speculation_checks++;
    if (sim->jobs_done == sim->n_jobs)
        return;
    /* The earliest time a task not yet past its threshold crosses it. A
     * task past it that found no free slot on another worker waits for a
     * slot to free, which wakes the checks. */
    int64_t next = INT64_MAX;
    sim->spec_checking = true;
    for (size_t si = 0; si < sim->n_stages && sim->free_count > 0; si++) {
        struct rt_stage *st = &sim->stages[si];
        if (st->state != STAGE_RUNNING || st->n_ok == 0)
            continue;
        double need = floor(sim->spec_quantile * (double)st->tasks);
        if ((double)st->n_ok < (need > 1.0 ? need : 1.0))
            continue;
        int64_t threshold = units_s_to_us(sim->spec_multiplier * stage_median_s(st));
        if (threshold < sim->spec_min_us)
            threshold = sim->spec_min_us;
        for (size_t i = 0; i < sim->n_slots && sim->free_count > 0; i++) {
            struct rt_slot *slot = &sim->slots[i];
            if (slot->state == TS_IDLE || slot->copy)
                continue;
            const struct task_rec *rec = &slot->rec;
            if (rec->stage != (int32_t)si || st->run_b[rec->index] >= 0)
                continue;
            if (now - rec->launch_us <= threshold) {
                int64_t cross = rec->launch_us > INT64_MAX - threshold - 1
                                    ? INT64_MAX
                                    : rec->launch_us + threshold + 1;
                if (cross < next)
                    next = cross;
                continue;
            }
            launch_copy(sim, (int)si, rec->index, (int)i);
        }
    }
    sim->spec_checking = false;
    if (sim->free_count > 0)
        schedule_check(sim, next == INT64_MAX ? INT64_MAX : grid_point(sim, next));
    task_net_sync(sim);
}
