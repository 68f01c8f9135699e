/*
 * spot.c — spot evictions.
 *
 * A spot node can be taken back at any time: its running tasks die (Spark
 * counts an executor lost this way against no task's maxFailures, and runs
 * them again), and the shuffle output it held is gone. A stage whose output
 * a later stage still needs runs those map tasks again, and a running
 * consumer is stopped until they are done (Spark's FetchFailed: the consumer
 * stage is resubmitted after the lost map outputs are recomputed; see
 * shuffle.c); its completed tasks stay done. A fixed-size cluster asks for
 * a replacement node.
 *
 * Eviction clocks run while the application has a job running. Between jobs
 * (a later job's submit_s, a thread's gap_s) the idle cluster's evictions
 * would change no task, and drawing them over a long gap made the work grow
 * with the simulated span (a job submitted after 1e7 s of idle cluster drew
 * 60,000 evictions of idle nodes, each a life to bill): they are dropped at
 * the last running job's end and drawn afresh, from that moment, when the
 * next job is submitted. An exponential time has no memory, so the draws
 * that matter have the same distribution either way.
 */
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stddef.h>

#include "sim/runtime/runtime_internal.h"
#include "models/units.h"

void spot_schedule_eviction(struct sim *sim, int w, int64_t from_us)
{
    struct rt_worker *wk = &sim->workers[w];
    if (!wk->spot || sim->spot_paused)
        return;
    int64_t now = engine_now(&sim->eng);
    int64_t at = -1;
    if (!isnan(sim->cl.spot_evict_at_s) && !sim->evict_at_used) {
        sim->evict_at_used = true;
        at = units_s_to_us(sim->cl.spot_evict_at_s);
    } else if (sim->cl.spot_evictions_per_hour > 0.0 && sim->spot_rng) {
        double mean_s = 3600.0 / sim->cl.spot_evictions_per_hour;
        at = from_us + units_s_to_us(gsl_ran_exponential(sim->spot_rng, mean_s));
        sim->res.work.eviction_draws++;
    }
    if (at >= 0 && engine_schedule(&sim->eng, &wk->evict_ev, at < now ? now : at, 0) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

void spot_pause(struct sim *sim)
{
    if (sim->cl.spot_fraction <= 0.0)
        return;
    sim->spot_paused = true;
    for (int w = 0; w < sim->max_workers; w++)
        engine_cancel(&sim->eng, &sim->workers[w].evict_ev);
}

void spot_resume(struct sim *sim)
{
    if (!sim->spot_paused)
        return;
    sim->spot_paused = false;
    int64_t now = engine_now(&sim->eng);
    for (int w = 0; w < sim->max_workers; w++)
        if (sim->workers[w].state == WK_ALIVE && !event_pending(&sim->workers[w].evict_ev))
            spot_schedule_eviction(sim, w, now);
}

void spot_on_evict(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_worker *wk = (struct rt_worker *)((char *)ev - offsetof(struct rt_worker, evict_ev));
    (void)eng;
    int w = (int)(wk - sim->workers);
    if (wk->state != WK_ALIVE || sim->jobs_done == sim->n_jobs)
        return;
    int per = sim->cl.executors_per_worker;
    int killed = 0;
    for (int k = 0; k < per; k++) {
        struct rt_exec *x = &sim->execs[w * per + k];
        if (x->starting) {
            /* Dynamic allocation's request on this node dies with it. */
            engine_cancel(&sim->eng, &x->start_ev);
            x->starting = false;
            sim->starting_executors--;
            executors_policy_note(sim);
            continue;
        }
        if (!x->alive)
            continue;
        killed += executors_kill_tasks(sim, w * per + k);
        executors_down(sim, w * per + k);
    }
    wk->state = WK_ABSENT;
    sim->alive_workers--;
    executors_record_life(sim, w, wk->life_from_us, engine_now(&sim->eng));
    sim->res.evictions++;
    executors_record_scale(sim, SCALE_NODE_EVICTED, w, killed, 0);
    for (size_t i = 0; i < sim->n_stages; i++)
        shuffle_recompute_lost_output(sim, (int)i, w);
    /* A fixed-size cluster asks for a replacement (an autoscaled one lets
     * its policy decide). */
    if (!sim->node_autoscale) {
        int64_t now = engine_now(&sim->eng);
        wk->state = WK_PROVISIONING;
        wk->life_from_us = now;
        sim->pending_workers++;
        if (engine_schedule(
                &sim->eng, &wk->join_ev,
                now + executors_draw_delay_us(sim, &sim->cl.replace_dist, sim->cl.replace_s),
                0) != 0)
            runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
        executors_record_scale(sim, SCALE_NODES_REQUESTED, -1, 1, 0);
    }
    sched_offer_round(sim);
    task_net_sync(sim);
}
