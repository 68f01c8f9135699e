/*
 * import_stages.c — one stage of the imported scenario from its attempts
 * in the log: a time per task (the successful attempt, plus its failed
 * ones), its metrics as comments, the wait before its first launch, and
 * the evidence of delay scheduling (see importer.c's "Task times"). A step
 * of import_log (import_build.h).
 */
#include "sim/eventlog/import_build.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/order.h"

static void metrics_init_import(struct evlog_metrics *m)
{
    int64_t *p = (int64_t *)m;
    for (size_t i = 0; i < sizeof *m / sizeof(int64_t); i++)
        p[i] = EVLOG_NONE;
}

/* Adds the sums of one stage attempt; a metric stays EVLOG_NONE while no
 * attempt gave it. */
static void metrics_add_import(struct evlog_metrics *to, const struct evlog_metrics *from)
{
    int64_t *a = (int64_t *)to;
    const int64_t *b = (const int64_t *)from;
    for (size_t i = 0; i < sizeof *to / sizeof(int64_t); i++)
        if (b[i] != EVLOG_NONE)
            a[i] = a[i] == EVLOG_NONE ? b[i] : a[i] + b[i];
}

static const struct evlog_job_stage *job_stage_info(const struct evlog_job *j, int64_t id)
{
    for (size_t i = 0; j && i < j->n_stages; i++)
        if (j->stages[i].id == id)
            return &j->stages[i];
    return NULL;
}

void import_stage_free(struct import_stage *s)
{
    free(s->name);
    free(s->task_s);
    free(s->lost_s);
    free(s->lost_index);
    free(s->lost_attempt);
    free(s->lost_exec);
    free(s->lost_run_s);
    free(s->fail_index);
    free(s->fail_attempt);
    free(s->fail_exec);
    free(s->fail_run_s);
    free(s->cold);
    free(s->task_locality);
    free(s->task_executor);
    free(s->parents);
}

/* Executors of resource profile rp alive at time t; -1 when the log has
 * none besides the driver (local mode). */
static int executors_alive(const struct evlog *log, int64_t t, int64_t rp)
{
    int n = 0, any = 0;
    for (size_t i = 0; i < log->n_executors; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (import_is_driver(e))
            continue;
        any++;
        if (e->resource_profile == rp && e->added_ms <= t &&
            (e->removed_ms == EVLOG_NONE || e->removed_ms > t))
            n++;
    }
    return any ? n : -1;
}

struct launch {
    int64_t ms;
    enum evlog_locality locality;
};

static int compare_launch(const void *a, const void *b)
{
    const struct launch *x = a, *y = b;
    return (x->ms > y->ms) - (x->ms < y->ms);
}

/* Delay scheduling (TaskSetManager.getAllowedLocalityLevel): a task set
 * with locality preferences waits spark.locality.wait before it launches on
 * a worse level. Seen in a log as a task launched at RACK_LOCAL or ANY about
 * that long after the launch before it. */
static int delayed_launches(struct builder *b, const struct evlog_stage *first,
                            struct import_stage *out)
{
    size_t nt;
    const struct evlog_task *t = evlog_stage_tasks(b->log, first->id, first->attempt, &nt);
    if (nt < 2 || b->locality_wait_ms <= 0)
        return 0;
    struct launch *l = malloc(nt * sizeof *l);
    if (!l) {
        b->oom = true;
        return -1;
    }
    for (size_t i = 0; i < nt; i++)
        l[i] = (struct launch){t[i].launch_ms, t[i].locality};
    qsort(l, nt, sizeof *l, compare_launch);
    for (size_t i = 1; i < nt; i++) {
        int64_t gap = l[i].ms - l[i - 1].ms;
        if (gap * 10 >= b->locality_wait_ms * 9 &&
            (l[i].locality == EVLOG_RACK_LOCAL || l[i].locality == EVLOG_ANY)) {
            out->delayed_launches++;
            out->locality_wait_s += import_ms_to_s(gap);
        }
    }
    free(l);
    return 0;
}

/* Executors of the stage's profile that were alive from its first launch to
 * its completion and ran none of its tasks, when its tasks were more than the
 * slots of those that ran them (so tasks queued while these sat idle): delay
 * scheduling keeping tasks for the executors that hold their data, within
 * spark.locality.wait. 0 when the log has no executors (local mode). */
static int idle_executors(struct builder *b, const struct evlog_stage *att, size_t n_att,
                          int64_t tasks, int64_t first_launch, int64_t complete)
{
    const struct evlog *log = b->log;
    size_t n = log->n_executors;
    if (n == 0)
        return 0;
    bool *used = calloc(n, sizeof *used);
    if (!used) {
        b->oom = true;
        return -1;
    }
    for (size_t a = 0; a < n_att; a++) {
        size_t nt;
        const struct evlog_task *t = evlog_stage_tasks(log, att[a].id, att[a].attempt, &nt);
        for (size_t i = 0; i < nt; i++)
            if (t[i].executor >= 0 && (size_t)t[i].executor < n)
                used[t[i].executor] = true;
    }
    double cpus = import_profile_task_cpus(log, att[0].resource_profile, b->task_cpus);
    int64_t used_slots = 0;
    int idle = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (import_is_driver(e) || e->resource_profile != att[0].resource_profile)
            continue;
        if (used[i])
            used_slots += (int64_t)((double)e->cores / cpus + 1e-9);
        else if (e->added_ms <= first_launch &&
                 (e->removed_ms == EVLOG_NONE || e->removed_ms >= complete))
            idle++;
    }
    free(used);
    return tasks > used_slots ? idle : 0;
}

/* The stage's task count: as its last attempt, its first or its job lists
 * it, else one past the highest index that succeeded. Returns 0, 1 when the
 * stage has no task to replay (noted), or -1 (b->d) when it has more than
 * stagecast accepts. */
static int stage_tasks(struct builder *b, const struct evlog_stage *att, size_t n_att,
                       const struct evlog_job_stage *info, int64_t *tasks_out)
{
    const struct evlog *log = b->log;
    const struct evlog_stage *last = &att[n_att - 1];
    int64_t tasks = last->num_tasks != EVLOG_NONE           ? last->num_tasks
                    : att[0].num_tasks != EVLOG_NONE        ? att[0].num_tasks
                    : info && info->num_tasks != EVLOG_NONE ? info->num_tasks
                                                            : EVLOG_NONE;
    /* The successful attempt of each index: the last to finish, which is
     * the one the stage waited for. */
    int64_t max_index = -1;
    for (size_t a = 0; a < n_att; a++) {
        size_t nt;
        const struct evlog_task *t = evlog_stage_tasks(log, att[a].id, att[a].attempt, &nt);
        for (size_t i = 0; i < nt; i++)
            if (t[i].end == EVLOG_SUCCESS && t[i].index > max_index)
                max_index = t[i].index;
    }
    if (tasks == EVLOG_NONE)
        tasks = max_index + 1;
    if (tasks <= 0) {
        import_note(b, "stage %lld completed without any successful task in the log; not replayed",
                    (long long)last->id);
        return 1;
    }
    if (tasks > SCN_MAX_TASKS_PER_STAGE) {
        diag_set(b->d, SC_ELIMIT, log->path, last->line,
                 "stage %lld has %lld tasks, more than stagecast accepts (%lld)",
                 (long long)last->id, (long long)tasks, (long long)SCN_MAX_TASKS_PER_STAGE);
        return -1;
    }
    *tasks_out = tasks;
    return 0;
}

/* What the task loop learns besides each task's time. */
struct task_span {
    int64_t first_launch; /* of the first attempt; INT64_MAX without tasks */
    int64_t last_finish;  /* of any attempt; INT64_MIN without tasks */
    double result_sum;    /* finish - executor end, over result_n tasks */
    int64_t result_n;
    double fixed_sum; /* launch to finish minus executor run time, over fixed_n */
    int64_t fixed_n;
    double fetch_sum, write_sum; /* their I/O: fetch wait and shuffle write (s) */
};

/* Appends attempt t to a list of attempts (its task index, attempt number,
 * executor and run_s), kept in (index, attempt) order. Returns 0, or -1
 * when memory runs out. */
static int attempt_add(struct builder *b, int64_t **ixp, int32_t **atp, int32_t **exp, double **rsp,
                       size_t *np, const struct evlog_task *t, double run_s)
{
    size_t n = *np + 1;
    int64_t *ix = realloc(*ixp, n * sizeof *ix);
    if (ix)
        *ixp = ix;
    int32_t *at = realloc(*atp, n * sizeof *at);
    if (at)
        *atp = at;
    int32_t *ex = realloc(*exp, n * sizeof *ex);
    if (ex)
        *exp = ex;
    double *rs = realloc(*rsp, n * sizeof *rs);
    if (rs)
        *rsp = rs;
    if (!ix || !at || !ex || !rs) {
        b->oom = true;
        return -1;
    }
    size_t k = *np;
    while (k > 0 && (ix[k - 1] > t->index || (ix[k - 1] == t->index && at[k - 1] > t->attempt))) {
        ix[k] = ix[k - 1];
        at[k] = at[k - 1];
        ex[k] = ex[k - 1];
        rs[k] = rs[k - 1];
        k--;
    }
    ix[k] = t->index;
    at[k] = t->attempt;
    ex[k] = t->executor;
    rs[k] = run_s;
    *np = n;
    return 0;
}

/* Appends attempt t, lost with its executor, to out's lost attempts: the
 * time it had run when the executor was removed (its TaskEnd comes a
 * moment before the ExecutorRemoved). */
static int lost_attempt_add(struct builder *b, struct import_stage *out, const struct evlog_task *t,
                            int64_t tasks)
{
    const struct evlog *log = b->log;
    if (out->n_lost == (size_t)tasks * 255)
        return 0; /* the model counts at most 255 attempts of a task */
    int64_t end = t->finish_ms;
    if (t->executor >= 0 && (size_t)t->executor < log->n_executors) {
        int64_t removed = log->executors[t->executor].removed_ms;
        if (removed != EVLOG_NONE && removed > end)
            end = removed;
    }
    return attempt_add(b, &out->lost_index, &out->lost_attempt, &out->lost_exec, &out->lost_run_s,
                       &out->n_lost, t,
                       import_ms_to_s(end > t->launch_ms ? end - t->launch_ms : 0));
}

/* Appends attempt t, failed on its live executor, to out's failed ones,
 * with its time, launch to finish. */
static int failed_attempt_add(struct builder *b, struct import_stage *out,
                              const struct evlog_task *t, int64_t tasks)
{
    if (out->n_fail == (size_t)tasks * 255)
        return 0;
    double run_s = import_ms_to_s(t->finish_ms > t->launch_ms ? t->finish_ms - t->launch_ms : 0);
    return attempt_add(b, &out->fail_index, &out->fail_attempt, &out->fail_exec, &out->fail_run_s,
                       &out->n_fail, t, run_s);
}

/* out->task_s (NaN where no success is logged) and the attempt counts and
 * metrics, from every task attempt of the stage's attempts. Returns 0, or
 * -1 when memory runs out. */
static int task_times(struct builder *b, const struct evlog_stage *att, size_t n_att,
                      struct import_stage *out, struct task_span *span)
{
    const struct evlog *log = b->log;
    int64_t tasks = out->tasks;
    out->task_s = malloc((size_t)tasks * sizeof *out->task_s);
    int64_t *best_finish = malloc((size_t)tasks * sizeof *best_finish);
    double *failed_s = calloc((size_t)tasks, sizeof *failed_s);
    out->task_locality = malloc((size_t)tasks * sizeof *out->task_locality);
    out->task_executor = malloc((size_t)tasks * sizeof *out->task_executor);
    if (!out->task_s || !best_finish || !failed_s || !out->task_locality || !out->task_executor) {
        free(best_finish);
        free(failed_s);
        b->oom = true;
        return -1;
    }
    for (int64_t i = 0; i < tasks; i++) {
        out->task_s[i] = NAN;
        best_finish[i] = INT64_MIN;
        out->task_locality[i] = EVLOG_LOCALITY_UNKNOWN;
        out->task_executor[i] = -1;
    }
    *span = (struct task_span){INT64_MAX, INT64_MIN, 0.0, 0, 0.0, 0, 0.0, 0.0};
    int64_t out_of_range = 0;
    metrics_init_import(&out->metrics);
    for (size_t a = 0; a < n_att; a++) {
        size_t nt;
        const struct evlog_task *t = evlog_stage_tasks(log, att[a].id, att[a].attempt, &nt);
        for (size_t i = 0; i < nt; i++) {
            int64_t dur = t[i].finish_ms - t[i].launch_ms;
            if (dur < 0)
                dur = 0;
            if (a == 0 && t[i].launch_ms < span->first_launch)
                span->first_launch = t[i].launch_ms;
            if (t[i].finish_ms > span->last_finish)
                span->last_finish = t[i].finish_ms;
            switch (t[i].end) {
            case EVLOG_RESUBMITTED: out->resubmitted_tasks++; continue;
            case EVLOG_FAILED:
                out->failed_tasks++;
                out->retry_s += import_ms_to_s(dur);
                /* The slot time a failed attempt took was spent before the
                 * task ran again: it is charged to the task (below). */
                if (t[i].index >= 0 && t[i].index < tasks)
                    failed_s[t[i].index] += import_ms_to_s(dur);
                /* Kept apart: an executor timeline reproduces the loss. */
                if (t[i].executor_lost && t[i].index >= 0 && t[i].index < tasks) {
                    if (!out->lost_s && !(out->lost_s = calloc((size_t)tasks, sizeof(double)))) {
                        free(best_finish);
                        free(failed_s);
                        b->oom = true;
                        return -1;
                    }
                    out->lost_s[t[i].index] += import_ms_to_s(dur);
                    out->lost_attempts++;
                    if (lost_attempt_add(b, out, &t[i], tasks) != 0) {
                        free(best_finish);
                        free(failed_s);
                        return -1;
                    }
                }
                if (t[i].exception && t[i].index >= 0 && t[i].index < tasks &&
                    failed_attempt_add(b, out, &t[i], tasks) != 0) {
                    free(best_finish);
                    free(failed_s);
                    return -1;
                }
                continue;
            case EVLOG_KILLED:
                out->killed_tasks++;
                out->retry_s += import_ms_to_s(dur);
                continue;
            case EVLOG_SUCCESS: break;
            }
            out->speculative_tasks += t[i].speculative;
            if (t[i].index >= tasks) {
                out_of_range++;
                continue;
            }
            if (t[i].finish_ms >= best_finish[t[i].index]) {
                best_finish[t[i].index] = t[i].finish_ms;
                out->task_s[t[i].index] = import_ms_to_s(dur);
                out->task_locality[t[i].index] = (uint8_t)t[i].locality;
                out->task_executor[t[i].index] = t[i].executor;
                /* Launched before any task of its executor finished: it
                 * waited for the fresh JVM's class loading and JIT. */
                bool cold = b->exec_first_finish_ms && t[i].executor >= 0 &&
                            t[i].launch_ms < b->exec_first_finish_ms[t[i].executor];
                if (cold && !out->cold && !(out->cold = calloc((size_t)tasks, sizeof(bool)))) {
                    free(best_finish);
                    free(failed_s);
                    b->oom = true;
                    return -1;
                }
                if (out->cold)
                    out->cold[t[i].index] = cold;
            }
            /* What does not grow with a task's records nor run faster on a
             * faster core: everything of its time but the executor's run
             * (launch, deserialization, result serialization and fetch). */
            if (t[i].run_ms != EVLOG_NONE) {
                int64_t fx = dur - t[i].run_ms;
                span->fixed_sum += import_ms_to_s(fx > 0 ? fx : 0);
                span->fixed_n++;
                /* Of the run time, what waited on the network or the disk. */
                if (t[i].fetch_wait_ms != EVLOG_NONE)
                    span->fetch_sum += import_ms_to_s(t[i].fetch_wait_ms);
                if (t[i].shuffle_write_ns != EVLOG_NONE)
                    span->write_sum += (double)t[i].shuffle_write_ns * 1e-9;
            }
            if (t[i].executor_ms != EVLOG_NONE) {
                int64_t r = dur - t[i].executor_ms;
                span->result_sum += import_ms_to_s(r > 0 ? r : 0);
                span->result_n++;
            }
        }
        metrics_add_import(&out->metrics, &att[a].metrics);
    }
    free(best_finish);
    for (int64_t i = 0; i < tasks; i++)
        if (failed_s[i] > 0.0 && !isnan(out->task_s[i]))
            out->task_s[i] += failed_s[i];
    free(failed_s);
    /* A task without a preferred location is logged PROCESS_LOCAL, as is
     * one that ran where its cached block was: a stage whose tasks all ran
     * PROCESS_LOCAL shows no preference the replay could use. */
    bool preferences = false;
    for (int64_t i = 0; i < tasks && !preferences; i++)
        preferences = out->task_locality[i] != EVLOG_PROCESS_LOCAL &&
                      out->task_locality[i] != EVLOG_LOCALITY_UNKNOWN;
    if (!preferences) {
        free(out->task_locality);
        free(out->task_executor);
        out->task_locality = NULL;
        out->task_executor = NULL;
    }
    if (out_of_range)
        import_note(b,
                    "stage %lld: %lld successful task%s with an index beyond its %lld tasks; "
                    "ignored",
                    (long long)out->id, (long long)out_of_range, out_of_range == 1 ? "" : "s",
                    (long long)tasks);
    return 0;
}

/* Indexes without a logged success (lost lines) take the median of the
 * rest. Returns 0, 1 when no task succeeded (noted), or -1 (b->oom). */
static int fill_missing_tasks(struct builder *b, struct import_stage *out)
{
    int64_t tasks = out->tasks;
    double *known = malloc((size_t)tasks * sizeof *known);
    if (!known) {
        b->oom = true;
        return -1;
    }
    size_t nk = 0;
    for (int64_t i = 0; i < tasks; i++)
        if (!isnan(out->task_s[i]))
            known[nk++] = out->task_s[i];
    if (nk == 0) {
        free(known);
        import_note(b,
                    "stage %lld completed but the log has no successful task of it; not replayed",
                    (long long)out->id);
        return 1;
    }
    qsort(known, nk, sizeof *known, order_double_asc);
    double median = nk % 2 ? known[nk / 2] : (known[nk / 2 - 1] + known[nk / 2]) / 2.0;
    free(known);
    for (int64_t i = 0; i < tasks; i++)
        if (isnan(out->task_s[i])) {
            out->task_s[i] = median;
            out->filled_tasks++;
        }
    if (out->filled_tasks)
        import_note(b,
                    "stage %lld: %lld of its %lld tasks have no successful end in the log; they "
                    "take the median of the others (%.3f s)",
                    (long long)out->id, (long long)out->filled_tasks, (long long)tasks, median);
    return 0;
}

/* Submission, completion and the waits in between. Returns 0, 1 when the
 * log gives no time at all (noted), or -1 (b->oom). */
static int stage_timing(struct builder *b, const struct evlog_stage *att, size_t n_att,
                        const struct task_span *span, struct import_stage *out)
{
    const struct evlog *log = b->log;
    const struct evlog_stage *last = &att[n_att - 1];
    int64_t first_launch = span->first_launch;
    out->submit_logged = att[0].submit_ms != EVLOG_NONE;
    out->first_launch_ms = first_launch != INT64_MAX ? first_launch : EVLOG_NONE;
    out->submit_ms = att[0].submit_ms != EVLOG_NONE ? att[0].submit_ms : first_launch;
    out->complete_ms = last->complete_ms != EVLOG_NONE ? last->complete_ms : span->last_finish;
    if (out->submit_ms == INT64_MAX || out->complete_ms == INT64_MIN) {
        import_note(b,
                    "stage %lld has neither submission and completion times nor task times; not "
                    "replayed",
                    (long long)out->id);
        return 1;
    }
    if (out->complete_ms < out->submit_ms)
        out->complete_ms = out->submit_ms;
    out->actual_s = import_ms_to_s(out->complete_ms - out->submit_ms);
    out->launch_wait_s = first_launch != INT64_MAX && first_launch >= out->submit_ms
                             ? import_ms_to_s(first_launch - out->submit_ms)
                             : 0.0;
    out->result_s = span->result_n ? span->result_sum / (double)span->result_n : 0.0;
    out->resource_profile = att[0].resource_profile;
    out->executors_at_submit = executors_alive(log, out->submit_ms, last->resource_profile);
    if (delayed_launches(b, &att[0], out) != 0)
        return -1;
    if (first_launch != INT64_MAX &&
        (out->idle_executors =
             idle_executors(b, att, n_att, out->tasks, first_launch, out->complete_ms)) < 0)
        return -1;
    return 0;
}

/* Parents as the log gives them (filtered to the job later): the last
 * attempt that lists them, else the job's listing; none listed anywhere
 * (Spark 1.4) leaves them to be inferred. Returns 0 or -1 (b->oom). */
static int stage_parents(struct builder *b, const struct evlog_stage *att, size_t n_att,
                         const struct evlog_job_stage *info, struct import_stage *out)
{
    const int64_t *parents = NULL;
    size_t np = 0;
    for (size_t a = n_att; a-- > 0 && !parents;)
        if (att[a].has_parents) {
            parents = att[a].parents;
            np = att[a].n_parents;
        }
    bool has = parents != NULL || (n_att && att[0].has_parents);
    if (!has && info && info->has_parents) {
        parents = info->parents;
        np = info->n_parents;
        has = true;
    }
    out->parents_inferred = !has;
    if (np) {
        if (!(out->parents = malloc(np * sizeof *out->parents))) {
            b->oom = true;
            return -1;
        }
        memcpy(out->parents, parents, np * sizeof *out->parents);
        out->n_parents = np;
    }
    return 0;
}

/* Builds the import of one stage from its attempts (first..first+n in
 * log->stages), whose last attempt completed. Returns 0, 1 to leave the
 * stage out (noted), -1 on error. */
int import_build_stage(struct builder *b, const struct evlog_stage *att, size_t n_att,
                       const struct evlog_job *job, struct import_stage *out)
{
    const struct evlog_stage *last = &att[n_att - 1];
    const struct evlog_job_stage *info = job_stage_info(job, last->id);
    memset(out, 0, sizeof *out);
    out->id = last->id;
    out->attempts = (int)n_att;
    struct task_span span;
    int rc = stage_tasks(b, att, n_att, info, &out->tasks);
    if (rc == 0)
        rc = task_times(b, att, n_att, out, &span);
    if (rc == 0)
        rc = fill_missing_tasks(b, out);
    if (rc == 0)
        rc = stage_timing(b, att, n_att, &span, out);
    if (rc != 0)
        return rc;
    out->fixed_s = span.fixed_n ? span.fixed_sum / (double)span.fixed_n : NAN;
    out->fetch_wait_s = span.fixed_n ? span.fetch_sum / (double)span.fixed_n : 0.0;
    out->shuffle_write_s = span.fixed_n ? span.write_sum / (double)span.fixed_n : 0.0;
    for (int64_t i = 0; out->cold && i < out->tasks; i++)
        out->n_cold += out->cold[i];
    const char *name = last->name ? last->name : info ? info->name : NULL;
    if (name && !(out->name = strdup(name))) {
        b->oom = true;
        return -1;
    }
    if (stage_parents(b, att, n_att, info, out) != 0)
        return -1;
    if (n_att > 1)
        import_note(b,
                    "stage %lld ran in %zu attempts (%s); its measured time runs from the first "
                    "attempt's submission to the last one's completion",
                    (long long)out->id, n_att, att[0].failure ? att[0].failure : "resubmitted");
    return 0;
}
