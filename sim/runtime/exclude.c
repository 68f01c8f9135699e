/*
 * exclude.c — excludeOnFailure: executors and nodes a task, a stage or the
 * application stops using after tasks failed there, and tasks that fail.
 *
 * What is reproduced (apache/spark core, scheduler/TaskSetExcludeList.scala,
 * HealthTracker.scala, TaskSetManager.handleFailedTask), with
 * spark.excludeOnFailure.enabled (or its legacy name spark.blacklist.enabled):
 *  - Per task: a task that failed maxTaskAttemptsPerExecutor times (1) on an
 *    executor does not run there again in this stage; one whose failures on
 *    the executors of a host add up to maxTaskAttemptsPerNode (2) does not
 *    run on that host again.
 *  - Per stage: an executor on which stage.maxFailedTasksPerExecutor (2)
 *    different tasks failed runs none of the stage's tasks any more; a host
 *    with stage.maxFailedExecutorsPerNode (2) executors so excluded neither.
 *  - Per application: when a stage succeeds, its failures count against
 *    their executors for spark.excludeOnFailure.timeout (1 h) from each
 *    failure; an executor with application.maxFailedTasksPerExecutor (2) of
 *    them is excluded from every stage for the timeout from then, and a host
 *    with application.maxFailedExecutorsPerNode (2) executors ever excluded
 *    too. An exclusion ends at its expiry (applyExcludeOnFailureTimeout, at
 *    the next offer: here an offer round at the expiry itself).
 * Failures counted are those that count towards spark.task.maxFailures: the
 * model's are the stages' failed_attempts (an ExceptionFailure on a live
 * executor); a task that fails maxFailures times aborts its job, which
 * stops the simulation with an error. Attempts lost with their executor
 * (the timeline, spot evictions) count towards neither, as for an executor
 * loss the application did not cause.
 *
 * Executors are known by their identity (sim->exec_ident: a timeline entry,
 * or the executor position), so an executor that leaves and a new one on
 * its position are two executors, as in Spark; hosts by sim->exec_host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/units.h"
#include "sim/runtime/runtime_internal.h"

static void on_expiry(struct engine *eng, struct event *ev);

enum sc_status exclude_build(struct sim *sim, struct diag *d)
{
    const struct spark_conf *conf = &sim->scn->spark;
    struct rt_exclude *x = &sim->excl;
    x->on = spark_conf_bool(conf, "spark.excludeOnFailure.enabled");
    x->max_task_failures = spark_conf_int(conf, "spark.task.maxFailures");
    event_init(&x->expiry_ev, on_expiry, sim);
    if (!x->on)
        return SC_OK;
    x->task_per_exec =
        (int)spark_conf_int(conf, "spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor");
    x->task_per_node =
        (int)spark_conf_int(conf, "spark.excludeOnFailure.task.maxTaskAttemptsPerNode");
    x->stage_per_exec =
        (int)spark_conf_int(conf, "spark.excludeOnFailure.stage.maxFailedTasksPerExecutor");
    x->stage_per_node =
        (int)spark_conf_int(conf, "spark.excludeOnFailure.stage.maxFailedExecutorsPerNode");
    x->app_per_exec =
        (int)spark_conf_int(conf, "spark.excludeOnFailure.application.maxFailedTasksPerExecutor");
    x->app_per_node =
        (int)spark_conf_int(conf, "spark.excludeOnFailure.application.maxFailedExecutorsPerNode");
    x->timeout_us = units_s_to_us(spark_conf_seconds(conf, "spark.excludeOnFailure.timeout"));
    /* HealthTracker.validateExcludeOnFailureConfs: Spark refuses to start
     * when one bad node could fail a task maxFailures times. */
    if (x->task_per_node >= x->max_task_failures)
        return diag_set(d, SC_EINPUT, sim->scn->file, 0,
                        "spark.excludeOnFailure.task.maxTaskAttemptsPerNode (%d) is not below "
                        "spark.task.maxFailures (%d): Spark refuses this configuration",
                        x->task_per_node, x->max_task_failures);
    size_t ni = (size_t)sim->n_idents + 1, nh = (size_t)sim->n_hosts + 1;
    x->exec_until_us = calloc(ni, sizeof *x->exec_until_us);
    x->exec_ever = calloc(ni, sizeof *x->exec_ever);
    x->host_until_us = calloc(nh, sizeof *x->host_until_us);
    x->host_excluded_execs = calloc(nh, sizeof *x->host_excluded_execs);
    if (!x->exec_until_us || !x->exec_ever || !x->host_until_us || !x->host_excluded_execs)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    /* Offers then go slot by slot, where exclusion can refuse one. */
    sim->locality_on = true;
    return SC_OK;
}

void exclude_free(struct sim *sim)
{
    struct rt_exclude *x = &sim->excl;
    free(x->exec_until_us);
    free(x->exec_ever);
    free(x->host_until_us);
    free(x->host_excluded_execs);
    free(x->app);
    for (size_t i = 0; i < sim->n_stages && sim->stages; i++) {
        struct rt_stage_excl *s = sim->stages[i].excl;
        if (s) {
            free(s->f);
            free(s->exec_out);
            free(s->host_out);
            free(s);
        }
        free(sim->stages[i].failures);
    }
}

/* ---- checks ----------------------------------------------------------------- */

bool exclude_blocks_exec(const struct sim *sim, const struct rt_stage *st, int e)
{
    const struct rt_exclude *x = &sim->excl;
    if (!x->on)
        return false;
    int id = sim->exec_ident[e], h = sim->exec_host[e];
    int64_t now = engine_now(&sim->eng);
    if (x->exec_until_us[id] > now || x->host_until_us[h] > now)
        return true;
    return st->excl && (st->excl->exec_out[id] || st->excl->host_out[h]);
}

bool exclude_blocks_task(const struct sim *sim, const struct rt_stage *st, int e, int64_t index)
{
    const struct rt_stage_excl *s = st->excl;
    if (!sim->excl.on || !s)
        return false;
    int id = sim->exec_ident[e], h = sim->exec_host[e];
    int on_host = 0;
    for (size_t k = 0; k < s->n; k++) {
        if (s->f[k].index != index)
            continue;
        if (s->f[k].ident == id && s->f[k].count >= sim->excl.task_per_exec)
            return true;
        if (s->f[k].host == h)
            on_host += s->f[k].count;
    }
    return on_host >= sim->excl.task_per_node;
}

/* ---- a failure -------------------------------------------------------------- */

static struct rt_stage_excl *stage_excl(struct sim *sim, struct rt_stage *st)
{
    if (st->excl)
        return st->excl;
    struct rt_stage_excl *s = calloc(1, sizeof *s);
    if (!s || !(s->exec_out = calloc((size_t)sim->n_idents + 1, 1)) ||
        !(s->host_out = calloc((size_t)sim->n_hosts + 1, 1))) {
        if (s) {
            free(s->exec_out);
            free(s);
        }
        runtime_fail(sim, SC_ENOMEM, "out of memory for excludeOnFailure");
        return NULL;
    }
    return st->excl = s;
}

/* TaskSetExcludelist.updateExcludedForFailedTask. */
static void stage_failure(struct sim *sim, struct rt_stage *st, int e, int64_t index)
{
    const struct rt_exclude *x = &sim->excl;
    struct rt_stage_excl *s = stage_excl(sim, st);
    if (!s)
        return;
    int id = sim->exec_ident[e], h = sim->exec_host[e];
    size_t k = 0;
    while (k < s->n && !(s->f[k].ident == id && s->f[k].index == index))
        k++;
    if (k == s->n) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? 2 * s->cap : 8;
            struct excl_failure *f = realloc(s->f, cap * sizeof *f);
            if (!f) {
                runtime_fail(sim, SC_ENOMEM, "out of memory for excludeOnFailure");
                return;
            }
            s->f = f;
            s->cap = cap;
        }
        s->f[s->n++] = (struct excl_failure){id, h, index, 0, 0};
    }
    s->f[k].count++;
    s->f[k].last_us = engine_now(&sim->eng);
    if (s->exec_out[id])
        return;
    /* Different tasks that failed on this executor in the stage. */
    int tasks = 0;
    for (size_t j = 0; j < s->n; j++)
        tasks += s->f[j].ident == id;
    if (tasks < x->stage_per_exec)
        return;
    s->exec_out[id] = 1;
    /* Executors of its host with failures here, excluded for the stage. */
    int out = 0;
    for (size_t j = 0; j < s->n; j++) {
        bool first = true;
        for (size_t i = 0; i < j && first; i++)
            first = s->f[i].ident != s->f[j].ident;
        out += first && s->f[j].host == h && s->exec_out[s->f[j].ident];
    }
    if (out >= x->stage_per_node)
        s->host_out[h] = 1;
}

void exclude_task_failed(struct sim *sim, struct rt_stage *st, int e, int64_t index)
{
    struct rt_exclude *x = &sim->excl;
    if (!st->failures && !(st->failures = calloc((size_t)st->tasks, sizeof *st->failures))) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for task failures");
        return;
    }
    if (st->failures[index] < INT16_MAX)
        st->failures[index]++;
    if (st->failures[index] >= x->max_task_failures) {
        char msg[320];
        snprintf(msg, sizeof msg,
                 "task %lld of stage %lld failed %d times (spark.task.maxFailures = %d): Spark "
                 "aborts the stage and its job",
                 (long long)index, (long long)st->spark_id, st->failures[index],
                 x->max_task_failures);
        runtime_fail(sim, SC_EINPUT, msg);
        return;
    }
    if (x->on)
        stage_failure(sim, st, e, index);
}

/* ---- the application ---------------------------------------------------- */

static void schedule_expiry(struct sim *sim, int64_t at_us)
{
    struct event *ev = &sim->excl.expiry_ev;
    if (event_pending(ev) && ev->time_us <= at_us)
        return;
    if (engine_schedule(&sim->eng, ev, at_us, 2) != 0)
        runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* HealthTracker.updateExcludedForSuccessfulTaskSet. */
void exclude_stage_succeeded(struct sim *sim, struct rt_stage *st)
{
    struct rt_exclude *x = &sim->excl;
    const struct rt_stage_excl *s = st->excl;
    if (!x->on || !s)
        return;
    int64_t now = engine_now(&sim->eng);
    for (size_t j = 0; j < s->n; j++) {
        int id = s->f[j].ident;
        bool first = true;
        for (size_t i = 0; i < j && first; i++)
            first = s->f[i].ident != id;
        if (!first)
            continue;
        /* Its failed tasks of the stage, each to expire a timeout after its
         * last failure; then those expired dropped, and counted. */
        for (size_t i = j; i < s->n; i++) {
            if (s->f[i].ident != id)
                continue;
            if (x->n_app == x->cap_app) {
                size_t cap = x->cap_app ? 2 * x->cap_app : 16;
                struct excl_app_failure *a = realloc(x->app, cap * sizeof *a);
                if (!a) {
                    runtime_fail(sim, SC_ENOMEM, "out of memory for excludeOnFailure");
                    return;
                }
                x->app = a;
                x->cap_app = cap;
            }
            x->app[x->n_app++] = (struct excl_app_failure){id, s->f[i].last_us + x->timeout_us};
        }
        size_t kept = 0;
        int total = 0;
        for (size_t i = 0; i < x->n_app; i++) {
            if (x->app[i].ident == id && x->app[i].expiry_us < now)
                continue;
            total += x->app[i].ident == id;
            x->app[kept++] = x->app[i];
        }
        x->n_app = kept;
        if (total < x->app_per_exec || x->exec_until_us[id] > now)
            continue;
        int64_t until = now + x->timeout_us;
        x->exec_until_us[id] = until;
        schedule_expiry(sim, until);
        kept = 0;
        for (size_t i = 0; i < x->n_app; i++)
            if (x->app[i].ident != id)
                x->app[kept++] = x->app[i];
        x->n_app = kept;
        int h = s->f[j].host;
        if (!x->exec_ever[id]) {
            x->exec_ever[id] = 1;
            x->host_excluded_execs[h]++;
        }
        if (x->host_excluded_execs[h] >= x->app_per_node && x->host_until_us[h] <= now)
            x->host_until_us[h] = until;
    }
}

/* An exclusion ran out: its slots are offered again, and the next expiry
 * gets its own event. */
static void on_expiry(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_exclude *x = &sim->excl;
    int64_t now = engine_now(eng), next = INT64_MAX;
    for (int i = 0; i <= sim->n_idents; i++)
        if (x->exec_until_us[i] > now && x->exec_until_us[i] < next)
            next = x->exec_until_us[i];
    for (int h = 0; h <= sim->n_hosts; h++)
        if (x->host_until_us[h] > now && x->host_until_us[h] < next)
            next = x->host_until_us[h];
    if (next != INT64_MAX && sim->jobs_done < sim->n_jobs)
        schedule_expiry(sim, next);
    sched_offer_round_full(sim);
    task_net_sync(sim);
}
