/*
 * executors.c — the cluster changing size: workers provisioned and
 * removed, executors registering and leaving, and the autoscaling policies
 * of models/autoscale.h applied on a timer.
 *
 * Node autoscaling adds and removes whole workers (with their executors);
 * billing follows each worker's life. Spark's dynamic allocation adds and
 * removes executors on the workers the cluster has. Executors that join put
 * their slots in the free ring and get offers at once; an executor leaves
 * only when idle, so its slots are taken out of the ring.
 *
 * A scenario's timeline (cluster.executors) replaces both policies: each of
 * its executors joins and leaves when the timeline says, as an event log
 * recorded them. One that leaves while it runs tasks loses them as on
 * executor loss in Spark (TaskSchedulerImpl.executorLost: the attempts fail
 * and run again, counting against spark.task.maxFailures only when the
 * application caused the loss, lost_by_app); its
 * shuffle output outlives it only with the external shuffle service
 * (spark.shuffle.service.enabled, which YARN's dynamic allocation needs),
 * else the map tasks that wrote it run again (see shuffle.c).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "models/autoscale.h"
#include "models/units.h"
#include "sim/runtime/runtime_internal.h"

void executors_record_scale(struct sim *sim, enum scale_kind kind, int id, int count, int target)
{
    struct results *r = &sim->res;
    if (r->n_scale == r->cap_scale) {
        size_t cap = r->cap_scale ? r->cap_scale * 2 : 64;
        struct scale_event *p = realloc(r->scale, cap * sizeof *p);
        if (!p) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for scaling events");
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

void executors_record_life(struct sim *sim, int w, int64_t from_us, int64_t to_us)
{
    struct results *r = &sim->res;
    if (r->n_lives == r->cap_lives) {
        size_t cap = r->cap_lives ? r->cap_lives * 2 : 64;
        struct node_life *p = realloc(r->lives, cap * sizeof *p);
        if (!p) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for node lives");
            return;
        }
        r->lives = p;
        r->cap_lives = cap;
    }
    r->lives[r->n_lives++] = (struct node_life){w, from_us, to_us, sim->workers[w].spot};
}

/* A delay from its distribution (a DIST_FIXED one is `fixed` exactly). */
int64_t executors_draw_delay_us(struct sim *sim, const struct dist *dist, double fixed)
{
    double secs =
        dist->kind == DIST_FIXED || !sim->scale_rng ? fixed : dist_sample(dist, sim->scale_rng);
    return units_s_to_us((secs > 0.0 ? secs : 0.0));
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
    locality_exec_up(sim, e, x->timeline_entry);
    int spe = sim->cl.slots_per_executor;
    x->warm = false; /* a fresh JVM */
    for (int k = 0; k < x->slots; k++)
        sched_free_push(sim, e * spe + k);
}

int executors_kill_tasks(struct sim *sim, int e)
{
    int spe = sim->cl.slots_per_executor, killed = 0;
    /* A timeline executor whose loss the application caused (an
     * ExecutorLostFailure with exitCausedByApp): each attempt it takes
     * with it counts as the task's failure (countTowardsTaskFailures). */
    int t = sim->execs[e].timeline_entry;
    bool by_app = t >= 0 && sim->scn->cluster.executors[t].lost_by_app;
    for (int j = 0; j < spe && !sim->failed; j++) {
        struct rt_slot *slot = &sim->slots[(size_t)e * spe + j];
        if (slot->state != TS_IDLE) {
            struct rt_stage *st = slot_stage(sim, slot);
            int64_t index = slot->rec.index;
            sched_kill_task(sim, slot);
            killed++;
            if (by_app)
                exclude_task_failed(sim, st, e, index);
        }
    }
    return killed;
}

void executors_down(struct sim *sim, int e)
{
    struct rt_exec *x = &sim->execs[e];
    int64_t now = engine_now(&sim->eng);
    sched_free_remove_executor(sim, e);
    locality_exec_down(sim, e);
    x->alive = false;
    sim->exec_cached[e] = 0.0; /* its cached blocks go with it */
    x->alive_us += now - x->up_since_us;
    sim->res.executors[e].alive_to_us = now;
    sim->alive_executors--;
    executors_policy_note(sim);
}

void executors_on_worker_join(struct engine *eng, struct event *ev)
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
    /* With dynamic allocation a node brings no executor by itself: the
     * policy starts them on it up to its target (woken below). */
    for (int k = 0; k < sim->cl.executors_per_worker && !sim->dyn_alloc; k++)
        executor_up(sim, w * sim->cl.executors_per_worker + k);
    executors_record_scale(sim, SCALE_NODE_JOINED, w, 1, 0);
    spot_schedule_eviction(sim, w, engine_now(&sim->eng));
    executors_policy_wake(sim);
    sched_offer_round(sim);
    task_net_sync(sim);
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
        int64_t delay = executors_draw_delay_us(sim, &sim->cl.provision_dist, sim->cl.provision_s);
        wk->state = WK_PROVISIONING;
        wk->life_from_us = now;
        sim->pending_workers++;
        if (engine_schedule(&sim->eng, &wk->join_ev, now + delay, 0) != 0) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
            return;
        }
        asked++;
    }
    if (asked)
        executors_record_scale(sim, SCALE_NODES_REQUESTED, -1, asked, 0);
}

static void remove_worker(struct sim *sim, int w)
{
    struct rt_worker *wk = &sim->workers[w];
    for (int k = 0; k < sim->cl.executors_per_worker; k++)
        executors_down(sim, w * sim->cl.executors_per_worker + k);
    wk->state = WK_ABSENT;
    sim->alive_workers--;
    executors_record_life(sim, w, wk->life_from_us, engine_now(&sim->eng));
    executors_record_scale(sim, SCALE_NODE_REMOVED, w, 1, 0);
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

static struct autoscale_node_view node_view(const struct sim *sim)
{
    struct autoscale_node_view view = {engine_now(&sim->eng), backlog_tasks(sim),
                                       (int64_t)sim->free_count, sim->alive_workers,
                                       sim->pending_workers};
    return view;
}

/* Node autoscaling, evaluated every interval_s: the policy (see
 * models/autoscale.c) decides from the backlog and free slots; here its
 * decision is applied. Scale down: workers idle for idle_s that hold no
 * shuffle data still needed, from the highest position, down to min. */
static void node_policy(struct sim *sim)
{
    int64_t now = engine_now(&sim->eng);
    struct autoscale_node_view view = node_view(sim);
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
            shuffle_holds_needed(sim, w))
            continue;
        remove_worker(sim, w);
    }
}

void executors_on_start(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_exec *x = (struct rt_exec *)ev;
    (void)eng;
    int e = (int)(x - sim->execs);
    sim->starting_executors--;
    executor_up(sim, e);
    executors_policy_wake(sim);
    executors_record_scale(sim, SCALE_EXECUTOR_ADDED, e, 1, sim->dynalloc.target);
    sched_offer_round(sim);
    task_net_sync(sim);
}

/* Spark's ExecutorAllocationManager, polled on a 100 ms grid: the policy (see
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
        executors_record_scale(sim, SCALE_EXECUTORS_REQUESTED, -1, asked, da->target);
    /* Start executors up to the target, on free positions in order. */
    for (int e = 0;
         e < sim->max_executors && sim->alive_executors + sim->starting_executors < da->target;
         e++) {
        struct rt_exec *x = &sim->execs[e];
        /* Not on a node that is gone (evicted, its replacement still
         * provisioning). */
        if (x->alive || x->starting ||
            sim->workers[e / sim->cl.executors_per_worker].state != WK_ALIVE)
            continue;
        x->starting = true;
        sim->starting_executors++;
        if (engine_schedule(&sim->eng, &x->start_ev, now + sim->da_start_us, 0) != 0) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
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
        if (da->set.shuffle_tracking && shuffle_holds_needed(sim, w))
            continue;
        /* spark.dynamicAllocation.cachedExecutorIdleTimeout (default
         * infinity): an executor holding cached blocks is kept. */
        if (sim->exec_cached[e] > 0.0)
            continue;
        executors_down(sim, e);
        executors_record_scale(sim, SCALE_EXECUTOR_REMOVED, e, 1, da->target);
    }
}

/* ---- when to poll ---------------------------------------------------------
 *
 * The policy is polled on a grid (span start + k x interval). Both
 * policies poll only at the grid points where a poll can change
 * something, so that its work follows the scheduler's events and not the
 * simulated span (a stage of tasks running for hours, or a long gap between
 * jobs, would otherwise cost ten polls a second). A poll decides from the
 * backlog, the tasks running, the executors alive and starting and the
 * executors' idle times; while none of these changes, the poll after one
 * can only
 *   - run the add that falls due (add_time_us), if it raises the target;
 *   - remove an executor whose idle timeout expires, if there are more
 *     than the floor;
 * and every other poll would leave everything as it was, except the adds
 * that fall due and ask for nothing, whose effect the next poll applies in
 * one step (autoscale_dynalloc_skip_adds). So after a poll the next one is
 * the first grid point at or after the earlier of those two times, and any
 * change to what a poll reads (a task launched or ended, a stage or its
 * retries becoming pending, an executor registering or leaving: the calls
 * of executors_policy_note) brings it to the next grid point. The polls
 * left out would have changed nothing, so the run is the same.
 *
 * Node autoscaling reads the backlog, the free slots, the workers alive
 * and provisioning, and each worker's idle time and shuffle output (which
 * change with the same calls, a stage ending included). While these stay,
 * the poll after one can only request workers (at once for Databricks
 * when still short, when the backlog has lasted up_sustain_s for Synapse),
 * start or stop Synapse's backlog clock, or remove a worker whose idle
 * time reaches idle_s while nothing waits and more than min_workers are
 * there: autoscale_node_next_add_us and the earliest idle expiry say when.
 * (sim_options.poll_every_interval polls at every grid point instead;
 * test_autoscale compares the two.) */

static int64_t policy_every_us(const struct sim *sim)
{
    return sim->node_autoscale ? sim->node_policy.set.interval_us : AUTOSCALE_DYNALLOC_POLL_US;
}

/* The first grid point at or after at_us, after the last poll. */
static int64_t policy_grid_point(const struct sim *sim, int64_t at_us)
{
    int64_t step = policy_every_us(sim);
    int64_t next = sim->policy_last_us > INT64_MAX - step ? INT64_MAX : sim->policy_last_us + step;
    if (at_us <= next)
        return next;
    int64_t from = at_us - sim->policy_base_us;
    int64_t k = from / step + (from % step != 0);
    if (k > (INT64_MAX - sim->policy_base_us) / step)
        return INT64_MAX;
    return sim->policy_base_us + k * step;
}

static void policy_schedule(struct sim *sim, int64_t at_us)
{
    if (at_us == INT64_MAX || (event_pending(&sim->policy_ev) && sim->policy_ev.time_us <= at_us))
        return;
    if (engine_schedule(&sim->eng, &sim->policy_ev, at_us, 2) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* The earliest idle timeout still to expire among the alive executors
 * (INT64_MAX: none). */
static int64_t next_idle_expiry(const struct sim *sim)
{
    int64_t now = engine_now(&sim->eng), next = INT64_MAX;
    int64_t timeout = sim->dynalloc.set.idle_timeout_us;
    for (int e = 0; e < sim->max_executors; e++) {
        const struct rt_exec *x = &sim->execs[e];
        if (!x->alive || x->idle_since_us < 0 || x->idle_since_us > INT64_MAX - timeout)
            continue;
        int64_t at = x->idle_since_us + timeout;
        if (at > now && at < next)
            next = at;
    }
    return next;
}

/* After a dynamic allocation poll: when the next one can change something
 * if the scheduler stays as it is (INT64_MAX: never). Notes whether the
 * adds falling due meanwhile stall, for the next poll to apply. */
static int64_t dyn_alloc_next_poll(struct sim *sim)
{
    const struct autoscale_dynalloc *da = &sim->dynalloc;
    enum autoscale_add_outlook add = autoscale_dynalloc_add_outlook(
        da, backlog_tasks(sim), sim->total_running, sim->alive_executors);
    sim->da_adds_stall = add == AUTOSCALE_ADD_STALLS;
    int64_t next = add == AUTOSCALE_ADD_GROWS ? da->add_time_us : INT64_MAX;
    if (sim->alive_executors > autoscale_dynalloc_floor(da)) {
        int64_t expiry = next_idle_expiry(sim);
        if (expiry < next)
            next = expiry;
    }
    return next == INT64_MAX ? INT64_MAX : policy_grid_point(sim, next);
}

/* After a node autoscaling poll: when the next one can change something
 * if the scheduler stays as it is (INT64_MAX: never). */
static int64_t node_next_poll(struct sim *sim)
{
    struct autoscale_node_view view = node_view(sim);
    int64_t now = view.now_us;
    int64_t next = autoscale_node_next_add_us(&sim->node_policy, &view);
    int64_t idle = sim->node_policy.set.idle_us;
    if (view.backlog_tasks <= 0 &&
        sim->alive_workers + sim->pending_workers > sim->node_policy.set.min_workers)
        for (int w = 0; w < sim->max_workers; w++) {
            const struct rt_worker *wk = &sim->workers[w];
            if (wk->state != WK_ALIVE || wk->running > 0 || wk->idle_since_us < 0 ||
                wk->idle_since_us > INT64_MAX - idle)
                continue;
            int64_t at = wk->idle_since_us + idle;
            if (at > now && at < next)
                next = at;
        }
    return next == INT64_MAX ? INT64_MAX : policy_grid_point(sim, next);
}

void executors_policy_start(struct sim *sim, int64_t span_start_us)
{
    sim->policy_base_us = span_start_us;
    sim->policy_last_us = span_start_us - policy_every_us(sim);
    sim->policy_started = true;
    policy_schedule(sim, span_start_us);
}

void executors_policy_wake(struct sim *sim)
{
    if (!sim->policy_started || sim->jobs_done == sim->n_jobs)
        return;
    policy_schedule(sim, policy_grid_point(sim, engine_now(&sim->eng)));
}

void executors_policy_note(struct sim *sim)
{
    if (sim->dyn_alloc || (sim->node_autoscale && !sim->poll_every_interval))
        executors_policy_wake(sim);
}

void executors_on_policy(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    int64_t now = engine_now(eng);
    if (sim->dyn_alloc && sim->da_adds_stall)
        autoscale_dynalloc_skip_adds(&sim->dynalloc, sim->policy_base_us, policy_every_us(sim),
                                     sim->policy_last_us, now);
    sim->policy_last_us = now;
    sim->res.work.policy_polls++;
    if (sim->jobs_done == sim->n_jobs)
        return; /* the application is over: no more decisions */
    if (sim->node_autoscale) {
        node_policy(sim);
        policy_schedule(sim, sim->poll_every_interval ? now + policy_every_us(sim)
                                                      : node_next_poll(sim));
    } else {
        dyn_alloc_policy(sim);
        policy_schedule(sim, dyn_alloc_next_poll(sim));
    }
    sched_offer_round(sim);
    task_net_sync(sim);
}

/* The policies' settings, from the cluster (node autoscaling) or the Spark
 * configuration (dynamic allocation); with dynamic allocation, the number of
 * executors to start with into *initial_execs. */
enum sc_status executors_start_policies(struct sim *sim, int *initial_execs, struct diag *d)
{
    const struct cluster *cl = &sim->cl;
    const struct spark_conf *conf = &sim->scn->spark;
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
        *initial_execs = autoscale_dynalloc_init(&sim->dynalloc, &da);
        if (*initial_execs < 0)
            return diag_set(d, SC_EINPUT, sim->scn->file, sim->scn->cluster.line,
                            "spark.dynamicAllocation.maxExecutors is below minExecutors");
        sim->da_start_us = seconds_to_us(RUNTIME_EXECUTOR_START_S);
    }
    if (sim->node_autoscale) {
        int64_t every = seconds_to_us(cl->interval_s);
        struct autoscale_node_settings ns = {
            .policy = (enum autoscale_policy)cl->autoscale_policy,
            .min_workers = cl->min_workers,
            .max_workers = cl->max_workers,
            .slots_per_worker = cl->executors_per_worker * cl->slots_per_executor,
            .interval_us = every < 1 ? 1 : every,
            .idle_us = seconds_to_us(cl->idle_s),
            .up_sustain_us = seconds_to_us(cl->up_sustain_s),
        };
        autoscale_node_init(&sim->node_policy, &ns);
    }
    return SC_OK;
}

/* ---- the scenario's timeline --------------------------------------------- */

/* Timeline executor t joins on the lowest free position (cluster_fit_timeline
 * made room for the most alive at once). */
static void timeline_join(struct sim *sim, struct rt_timeline *t)
{
    int e = 0;
    while (e < sim->max_executors && (sim->execs[e].alive || sim->execs[e].starting))
        e++;
    if (e == sim->max_executors) {
        runtime_fail(sim, SC_EINTERNAL, "no executor position free for a timeline executor");
        return;
    }
    struct rt_exec *x = &sim->execs[e];
    x->slots = t->slots;
    x->timeline_entry = (int)(t - sim->timeline);
    x->profile = sim->scn->cluster.executors[x->timeline_entry].resource_profile;
    t->exec = e;
    sim->res.executors[e].slots = t->slots;
    sim->res.executors[e].cores = t->slots * sim->cl.task_cpus;
    executor_up(sim, e);
}

enum sc_status executors_start_timeline(struct sim *sim, int64_t span_start_us, struct diag *d)
{
    const struct cluster_spec *cs = &sim->scn->cluster;
    for (size_t i = 0; i < sim->n_timeline; i++) {
        const struct executor_spec *xs = &cs->executors[i];
        struct rt_timeline *t = &sim->timeline[i];
        int64_t join = span_start_us + seconds_to_us(xs->start_s);
        if (join > span_start_us && engine_schedule(&sim->eng, &t->join_ev, join, 1) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        /* A leave before a join at the same time (priority 0 against 1),
         * so the one joining can take the position. */
        if (isfinite(xs->end_s) &&
            engine_schedule(&sim->eng, &t->leave_ev, span_start_us + seconds_to_us(xs->end_s), 0) !=
                0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    /* Those there from the start join now, their slots interleaved as at
     * the first offers. */
    for (size_t i = 0; i < sim->n_timeline; i++)
        if (cs->executors[i].start_s <= 0.0)
            timeline_join(sim, &sim->timeline[i]);
    sim->free_count = 0;
    int spe = sim->cl.slots_per_executor;
    for (int k = 0; k < spe; k++)
        for (int e = 0; e < sim->max_executors; e++)
            if (sim->execs[e].alive && k < sim->execs[e].slots)
                sched_free_push(sim, e * spe + k);
    return SC_OK;
}

void executors_on_timeline_join(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_timeline *t = (struct rt_timeline *)ev;
    (void)eng;
    if (sim->jobs_done == sim->n_jobs)
        return; /* the application is over */
    timeline_join(sim, t);
    executors_record_scale(sim, SCALE_EXECUTOR_ADDED, t->exec, 1, 0);
    sched_offer_round(sim);
    task_net_sync(sim);
}

void executors_on_timeline_leave(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_timeline *t =
        (struct rt_timeline *)((char *)ev - offsetof(struct rt_timeline, leave_ev));
    (void)eng;
    int e = t->exec;
    if (sim->jobs_done == sim->n_jobs || e < 0)
        return;
    int killed = executors_kill_tasks(sim, e);
    executors_down(sim, e);
    t->exec = -1;
    executors_record_scale(sim, SCALE_EXECUTOR_REMOVED, e, killed, 0);
    if (sim->timeline_drops_shuffle) {
        /* Shuffle output is kept per worker: what its worker held is lost. */
        int w = e / sim->cl.executors_per_worker;
        for (size_t i = 0; i < sim->n_stages; i++)
            shuffle_recompute_lost_output(sim, (int)i, w);
    }
    sched_offer_round(sim);
    task_net_sync(sim);
}
