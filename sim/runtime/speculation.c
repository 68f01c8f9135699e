/*
 * speculation.c — speculative execution (spark.speculation): a copy of a
 * task that runs much longer than its stage's finished tasks, on another
 * host; the first attempt to finish wins and the other is killed
 * (TaskSetManager.checkSpeculatableTasks).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/order.h"
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
    st->run_b[index] = slot_index;
    sim->res.speculative_launched++;
    sim->res.stages[st_index].speculative_launched++;
    task_set_timer(sim, slot,
                   st->has_io ? rec->launch_us : rec->launch_us + units_s_to_us(slot->compute_s),
                   st->has_io ? TS_START : TS_COMPUTE);
    return true;
}

/* TaskSetManager.checkSpeculatableTasks, every spark.speculation.interval:
 * once quantile of a stage's tasks have finished, a running task older than
 * multiplier x their median run time (and minTaskRuntime) gets a copy. */
void speculation_on_timer(struct engine *eng, struct event *ev)
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
        qsort(st->ok_dur, st->n_ok, sizeof *st->ok_dur, order_double_asc);
        double median = results_quantile_sorted(st->ok_dur, st->n_ok, 0.5);
        int64_t threshold = units_s_to_us(sim->spec_multiplier * median);
        if (threshold < sim->spec_min_us)
            threshold = sim->spec_min_us;
        for (size_t i = 0; i < sim->n_slots && sim->free_count > 0; i++) {
            struct rt_slot *slot = &sim->slots[i];
            if (slot->state == TS_IDLE || slot->copy)
                continue;
            const struct task_rec *rec = &slot->rec;
            if (rec->stage != (int32_t)si || st->run_b[rec->index] >= 0 ||
                now - rec->launch_us <= threshold)
                continue;
            launch_copy(sim, (int)si, rec->index, (int)i);
        }
    }
    /* Checked again only while something else can happen. With no task
     * running and no other event pending (no job, executor or task to
     * come), another check cannot change anything, and this timer alone
     * would keep the simulation going for ever; without it the run ends
     * and says why the jobs never ran (found by fuzz_eventlog: a replayed
     * log whose last executor left with tasks to run). */
    if ((sim->total_running > 0 || engine_pending_count(eng) > 0) &&
        engine_schedule(eng, &sim->spec_ev, now + sim->spec_interval_us, 3) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
    task_net_sync(sim);
}
