/*
 * autoscale.c — node autoscaling (Databricks, Synapse) and Spark's dynamic
 * allocation as decisions on what the scheduler shows (see autoscale.h).
 * The runtime (sim/runtime/executors.c) evaluates them on a timer and
 * applies what they decide; the platform figures (intervals, idle times,
 * provisioning delays) and their sources are in sim/input/cluster.c.
 */
#include "models/autoscale.h"

#include <stddef.h>

/* ---- node autoscaling ---------------------------------------------------- */

void autoscale_node_init(struct autoscale_node *p, const struct autoscale_node_settings *set)
{
    p->set = *set;
    p->up_since_us = -1;
}

struct autoscale_node_decision autoscale_node_decide(struct autoscale_node *p,
                                                     const struct autoscale_node_view *v)
{
    const struct autoscale_node_settings *s = &p->set;
    struct autoscale_node_decision dec = {0, false};
    int per_worker = s->slots_per_worker;
    int room = s->max_workers - v->alive_workers - v->pending_workers;
    /* Both platforms scale up on the same signal: more tasks waiting than
     * slots free to take them. */
    bool want_up = v->backlog_tasks > v->free_slots;
    if (s->policy == AUTOSCALE_POLICY_SYNAPSE) {
        /* Pending CPU above free CPU must last up_sustain_s. */
        if (want_up && p->up_since_us < 0)
            p->up_since_us = v->now_us;
        if (!want_up)
            p->up_since_us = -1;
        want_up = want_up && v->now_us - p->up_since_us >= s->up_sustain_us;
    }
    if (want_up && room > 0) {
        /* Enough workers for the tasks that no free slot and no worker
         * already on its way will take, at most up to max. */
        int64_t short_slots =
            v->backlog_tasks - v->free_slots - (int64_t)v->pending_workers * per_worker;
        int needed = short_slots > 0 ? (int)((short_slots + per_worker - 1) / per_worker) : 0;
        int add = needed < room ? needed : room;
        if (s->policy == AUTOSCALE_POLICY_DATABRICKS) {
            /* Optimized autoscaling goes from min to max in two steps. */
            int step = (s->max_workers - s->min_workers + 1) / 2;
            if (step < 1)
                step = 1;
            if (add > step)
                add = step;
        }
        if (add > 0) {
            dec.add_workers = add;
            p->up_since_us = -1; /* a new backlog must last again */
        }
        return dec;
    }
    /* Scale down only when nothing waits at all. */
    dec.may_scale_down = v->backlog_tasks <= 0;
    return dec;
}

int64_t autoscale_node_next_add_us(const struct autoscale_node *p,
                                   const struct autoscale_node_view *v)
{
    const struct autoscale_node_settings *s = &p->set;
    bool want_up = v->backlog_tasks > v->free_slots;
    /* An evaluation starts Synapse's clock when tasks wait and stops it when
     * they do not, whatever it decides. */
    if (s->policy == AUTOSCALE_POLICY_SYNAPSE && want_up != (p->up_since_us >= 0))
        return v->now_us;
    int room = s->max_workers - v->alive_workers - v->pending_workers;
    if (!want_up || room <= 0)
        return INT64_MAX;
    int64_t short_slots =
        v->backlog_tasks - v->free_slots - (int64_t)v->pending_workers * s->slots_per_worker;
    if (short_slots <= 0)
        return INT64_MAX; /* the workers on their way will take the backlog */
    if (s->policy != AUTOSCALE_POLICY_SYNAPSE)
        return v->now_us;
    if (p->up_since_us > INT64_MAX - s->up_sustain_us)
        return INT64_MAX;
    int64_t due = p->up_since_us + s->up_sustain_us;
    return due > v->now_us ? due : v->now_us;
}

bool autoscale_node_idle_expired(const struct autoscale_node *p, int64_t idle_since_us,
                                 int64_t now_us)
{
    return idle_since_us >= 0 && now_us - idle_since_us >= p->set.idle_us;
}

/* ---- Spark dynamic allocation ----------------------------------------------
 *
 * ExecutorAllocationManager: a backlog that lasts schedulerBacklogTimeout
 * asks for 1 more executor, then 2, 4, 8 ... every
 * sustainedSchedulerBacklogTimeout while it lasts (numExecutorsToAdd doubles
 * each time the whole request was granted), never beyond what the pending
 * and running tasks need (maxNumExecutorsNeeded) nor maxExecutors; when
 * fewer are needed the target drops at once. Executors idle for
 * executorIdleTimeout go, down to the target or minExecutors.
 */

int autoscale_dynalloc_init(struct autoscale_dynalloc *p,
                            const struct autoscale_dynalloc_settings *set)
{
    p->set = *set;
    int64_t init = set->initial_executors;
    if (set->instances > init)
        init = set->instances;
    if (init < set->min_executors)
        init = set->min_executors;
    p->min = set->min_executors > set->positions ? set->positions : (int)set->min_executors;
    p->max = set->max_executors > set->positions ? set->positions : (int)set->max_executors;
    if (p->max < p->min)
        return -1;
    p->target = init > p->max ? p->max : (int)init;
    p->to_add = 1;
    p->add_time_us = -1;
    return p->target;
}

/* The executors needed by backlog_tasks waiting and running_tasks running
 * (maxNumExecutorsNeeded), at most the positions. */
static int needed_executors(const struct autoscale_dynalloc *p, int64_t backlog_tasks,
                            int64_t running_tasks)
{
    int tpe = p->set.slots_per_executor;
    int64_t needed64 = (backlog_tasks + running_tasks + tpe - 1) / tpe;
    return needed64 > p->set.positions ? p->set.positions : (int)needed64;
}

/* The target an add would ask for now (addExecutors: the larger of the
 * target and the executors alive, plus numExecutorsToAdd, within what is
 * needed and the bounds). */
static int added_target(const struct autoscale_dynalloc *p, int max_needed, int alive_executors)
{
    int t = p->target > alive_executors ? p->target : alive_executors;
    t += p->to_add;
    if (t > max_needed)
        t = max_needed;
    if (t > p->max)
        t = p->max;
    if (t < p->min)
        t = p->min;
    return t;
}

int autoscale_dynalloc_update(struct autoscale_dynalloc *p, int64_t now_us, int64_t backlog_tasks,
                              int64_t running_tasks, int alive_executors)
{
    const struct autoscale_dynalloc_settings *s = &p->set;
    int max_needed = needed_executors(p, backlog_tasks, running_tasks);
    if (backlog_tasks > 0) {
        if (p->add_time_us < 0)
            p->add_time_us = now_us + s->backlog_timeout_us;
    } else {
        p->add_time_us = -1;
        p->to_add = 1;
    }
    if (p->target > max_needed) {
        /* Fewer tasks than the target could run: drop it at once. */
        p->target = max_needed > p->min ? max_needed : p->min;
        p->to_add = 1;
        return 0;
    }
    if (p->add_time_us < 0 || now_us < p->add_time_us)
        return 0;
    int t = added_target(p, max_needed, alive_executors);
    int delta = t - p->target;
    if (delta > 0) {
        p->target = t;
        /* Double the next request only if this one was granted whole. */
        p->to_add = delta == p->to_add ? p->to_add * 2 : 1;
    } else {
        p->to_add = 1;
    }
    p->add_time_us = now_us + s->sustained_timeout_us;
    return delta > 0 ? delta : 0;
}

int autoscale_dynalloc_floor(const struct autoscale_dynalloc *p)
{
    return p->target > p->min ? p->target : p->min;
}

bool autoscale_dynalloc_idle_expired(const struct autoscale_dynalloc *p, int64_t idle_since_us,
                                     int64_t now_us)
{
    return idle_since_us >= 0 && now_us - idle_since_us >= p->set.idle_timeout_us;
}

enum autoscale_add_outlook autoscale_dynalloc_add_outlook(const struct autoscale_dynalloc *p,
                                                          int64_t backlog_tasks,
                                                          int64_t running_tasks,
                                                          int alive_executors)
{
    if (backlog_tasks <= 0 || p->add_time_us < 0)
        return AUTOSCALE_ADD_NONE;
    int max_needed = needed_executors(p, backlog_tasks, running_tasks);
    /* A target above what is needed drops first, and the poll adds nothing
     * and moves nothing on. */
    if (p->target > max_needed)
        return AUTOSCALE_ADD_NONE;
    return added_target(p, max_needed, alive_executors) > p->target ? AUTOSCALE_ADD_GROWS
                                                                    : AUTOSCALE_ADD_STALLS;
}

/*
 * Polls left out while nothing changed. Between two polls that are run,
 * the scheduler looked the same at every grid point, so each add due in
 * between was like the first: it asked for nothing, set numExecutorsToAdd
 * back to 1 and put the next add one sustainedSchedulerBacklogTimeout after
 * the poll. The polls of that chain fall on the grid, the first at the
 * first grid point at or after add_time_us, each next one at the first
 * grid point at or after the previous plus the timeout, and never twice at
 * the same point: a fixed period of ceil(timeout / step) steps (one step
 * at least).
 */
void autoscale_dynalloc_skip_adds(struct autoscale_dynalloc *p, int64_t base_us, int64_t step_us,
                                  int64_t last_poll_us, int64_t now_us)
{
    if (p->add_time_us < 0 || step_us < 1)
        return;
    int64_t from = p->add_time_us > last_poll_us ? p->add_time_us : last_poll_us + 1;
    int64_t off = from - base_us;
    int64_t k = off / step_us + (off % step_us > 0);
    if (k > (INT64_MAX - base_us) / step_us)
        return;
    int64_t first = base_us + k * step_us;
    if (first >= now_us)
        return; /* the add is due at this poll or later */
    int64_t sustained = p->set.sustained_timeout_us;
    int64_t steps = sustained / step_us + (sustained % step_us > 0);
    int64_t period = (steps < 1 ? 1 : steps) * step_us;
    int64_t last = first + (now_us - 1 - first) / period * period;
    p->to_add = 1;
    p->add_time_us = last > INT64_MAX - sustained ? INT64_MAX : last + sustained;
}
