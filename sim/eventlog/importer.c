/*
 * importer.c — a Spark event log made into a scenario (see importer.h). It
 * sits between eventlog.c, which reads what Spark wrote, and the scenario
 * reader: its output is an ordinary scenario (text from import_write.c, or
 * the same as a libconfig tree from import_tree.c), so what `replay`
 * simulates is exactly what a user gets from `import` and `run`. This file
 * runs the steps (import_build.h lists them, one file per concern) in order.
 *
 * The decisions, each with the Spark behaviour behind it:
 *  - Executors: as they came and went (cluster.executors, see
 *    import_cluster.c's executor_timeline): each from its ExecutorAdded to
 *    its ExecutorRemoved, with its cores; the runtime follows it and loses
 *    the tasks of an executor that leaves, as Spark does, so attempts that
 *    failed with their executor (ExecutorLostFailure) are not charged to
 *    their tasks (uncharge_lost_attempts). Only executors that ran a task
 *    are listed; workers are as many as were alive at once. The default
 *    cores are those most of them had. Local mode is one executor with the driver's cores: the
 *    driver's own "executor" (Spark 2+), else local[N], else — Spark 1.x
 *    local[*] logs no executor at all — the most tasks whose executor-side
 *    time (deserialize + run + serialize the result) overlapped.
 *  - Stages: a job's stages are those it ran. Spark lists in a job every
 *    stage its result depends on, and skips those whose output an earlier
 *    job already computed; a stage that ran belongs to the job that created
 *    it (the smallest job id listing it). Parents outside the job, skipped or
 *    failed, are dropped: they had finished or never ran.
 *  - Spark 1.4 logs no parents. Without parents a job's stages would all
 *    start at once; running them in id order would serialize independent
 *    stages. What the log does show is when each stage was submitted, and
 *    the DAGScheduler submits a stage the moment its last parent completes,
 *    so the parents are taken as the stages of the job that had completed
 *    when it was submitted, reduced to the ones not already implied by
 *    another (a transitive reduction).
 *  - Task times: for each task index, the successful attempt's launch to
 *    finish, plus the time of the task's failed attempts (spent on a slot
 *    before it ran again; the model runs each task once, so the retries
 *    are charged to it). A "Resubmitted" end repeats an earlier success and
 *    is not a run; killed attempts (a speculation's loser, a stage
 *    cancelled) are counted and reported, not replayed.
 *  - Jobs: in submission order; the first at 0, none after it at an
 *    absolute time, so that a what-if moves a job with the work it waited
 *    for. A job submitted while the job before it still ran is `concurrent`,
 *    gap_s after that job's submission (another driver thread; AQE's
 *    broadcast and shuffle jobs); any other comes `after` the latest job to
 *    end before its submission, gap_s after that end (the driver's work
 *    between actions, or an idle user).
 *  - What-ifs (what_if.input_scale, another worker) need what the log
 *    measured besides task times, written under names the model does not
 *    move: per stage the mean fixed part of a task (launch to finish less
 *    Executor Run Time: fixed_s), its mean shuffle fetch wait and write
 *    (fetch_wait_s, shuffle_write_s), the bytes it read from files and
 *    shuffles (logged_*_bytes), its tasks that ran first on a fresh executor
 *    (cold_tasks, with the log's first_task_ms as fit-jvm measures it), and
 *    the node the times were measured on (model.task_seconds_node); AQE as
 *    the run had it (its Spark version's default when the log is silent).
 *  - Driver launch rate (model.task_launch_ms): in a stage's first wave
 *    (its first min(slots, tasks) launches), TaskSchedulerImpl launches one
 *    task after another in a single round of offers, so the gaps between
 *    consecutive launch times are the driver's per-task cost. The estimate
 *    is the mean of those gaps over every stage, leaving out each stage's
 *    first gap (the first launch of a task set also serializes and ships the
 *    task binary) and gaps over IMPORT_LAUNCH_GAP_MAX_MS (a wait, not a
 *    launch). The mean rather than the median: Spark logs milliseconds, and
 *    gaps of 0 and 1 ms average to the sub-millisecond cost.
 *  - Driver time (driver_s). A job's: its first stage's submission less its
 *    own (the DAGScheduler building the stages; in Spark 1.x-2.x, which
 *    stamp a stage submitted after its task binary, also that binary). A
 *    stage's: the driver's time from its submission S to the offer of its
 *    tasks (DAGScheduler.submitMissingTasks: preferred locations, the task
 *    binary serialized and broadcast). The runtime launches the first task
 *    of an offered stage task_launch_ms after the offer when the driver is
 *    idle and a slot free; so the log's first launch L, less that launch,
 *    bounds the offer: O <= L - task_launch_ms. Between S and that time the
 *    stage may also have waited for what the model reproduces by itself: no
 *    slot of its resource profile free (every slot held until its task's
 *    logged finish, as the model holds it; no executor yet) or the driver
 *    launching other tasks (the launch ending at X busy over (X -
 *    task_launch_ms, X]). driver_s is the rest, the time in which the stage
 *    could have launched a task had it been offered: with no other work
 *    around, the whole L - task_launch_ms - S. It never counts a wait for
 *    slots or executors, so on another cluster it stays the driver's. When
 *    the stage launched some time after a wait ended, that time counts but
 *    the model spends it from S, overlapping the wait, so the replay
 *    launches up to that much early (0.27 s in emr-processlarge's first
 *    stage, after 2.2 s without executors). Where the log gives no
 *    submission time (Spark 1.x; a stage's is then its first launch, a
 *    job's its first stage's), driver_s is 0.
 */
#include "sim/eventlog/importer.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/eventlog/import_build.h"
#include "sim/eventlog/jvm_costs.h"

void import_note(struct builder *b, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct import *im = b->im;
    char **n = realloc(im->notes, (im->n_notes + 1) * sizeof *n);
    if (!n) {
        b->oom = true;
        return;
    }
    im->notes = n;
    if (!(n[im->n_notes] = strdup(text))) {
        b->oom = true;
        return;
    }
    im->n_notes++;
}

char *import_dup(struct builder *b, const char *s)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        b->oom = true;
    return c;
}

int import_compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void reader_notes(struct builder *b)
{
    const struct evlog *log = b->log;
    if (log->bad_lines > 0) {
        import_note(b, "%d line%s of the log could not be read and %s skipped%s%s", log->bad_lines,
                    log->bad_lines == 1 ? "" : "s", log->bad_lines == 1 ? "was" : "were",
                    log->n_warnings ? "; the first: " : "",
                    log->n_warnings ? log->warnings[0] : "");
    }
    if (log->truncated)
        import_note(b,
                    "the last line of the log is cut off mid-event (it was still being written); "
                    "it is skipped");
    if (log->stream_truncated)
        import_note(b,
                    "the compressed stream ends mid-frame (the log was still being written); what "
                    "was complete is read");
    if (log->app_end_ms == EVLOG_NONE)
        import_note(b, "no ApplicationEnd: the application was still running, or was killed, when "
                       "the log ends");
    if (!log->spark_version)
        import_note(b, "no SparkListenerLogStart: the Spark version is unknown");
}

static char *basename_dup(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strdup(slash ? slash + 1 : path);
}

/* With an executor timeline the model loses the tasks of an executor that
 * leaves and runs them again itself: the time of attempts that failed with
 * their executor is no longer charged to their tasks. */
static void uncharge_lost_attempts(struct builder *b)
{
    struct import *im = b->im;
    int64_t n = 0;
    double secs = 0.0;
    for (size_t k = 0; k < im->n_jobs; k++)
        for (size_t i = 0; i < im->jobs[k].n_stages; i++) {
            struct import_stage *s = &im->jobs[k].stages[i];
            if (!s->lost_s)
                continue;
            for (int64_t t = 0; t < s->tasks; t++)
                if (s->lost_s[t] > 0.0 && s->task_s[t] - s->lost_s[t] >= 0.0) {
                    s->task_s[t] -= s->lost_s[t];
                    secs += s->lost_s[t];
                }
            n += s->lost_attempts;
        }
    if (n)
        import_note(b,
                    "%lld failed task attempt%s (%.3f slot-seconds) were lost with their executor "
                    "(ExecutorLostFailure); cluster.executors removes it when the log did, so the "
                    "model loses and reruns tasks itself and those attempts are not charged to "
                    "their tasks",
                    (long long)n, n == 1 ? "" : "s", secs);
}

/* Likewise attempts that failed on a live executor (ExceptionFailure) are
 * replayed as the stage's failed_attempts, on the executor of the timeline
 * they failed on, and no longer charged to their tasks; except a task that
 * also lost an attempt with its executor (a task is in one list only),
 * whose failures stay charged. */
static void uncharge_failed_attempts(struct builder *b)
{
    struct import *im = b->im;
    int64_t n = 0;
    double secs = 0.0;
    for (size_t k = 0; k < im->n_jobs; k++)
        for (size_t i = 0; i < im->jobs[k].n_stages; i++) {
            struct import_stage *s = &im->jobs[k].stages[i];
            size_t kept = 0;
            for (size_t j = 0; j < s->n_fail; j++) {
                bool lost = false;
                for (size_t l = 0; l < s->n_lost && !lost; l++)
                    lost = s->lost_index[l] == s->fail_index[j];
                if (lost)
                    continue;
                s->fail_index[kept] = s->fail_index[j];
                s->fail_attempt[kept] = s->fail_attempt[j];
                s->fail_exec[kept] = s->fail_exec[j];
                s->fail_run_s[kept] = s->fail_run_s[j];
                kept++;
                int64_t t = s->fail_index[j];
                double d = s->fail_run_s[j];
                if (!isnan(s->task_s[t]) && s->task_s[t] - d >= 0.0) {
                    s->task_s[t] -= d;
                    secs += d;
                }
            }
            s->n_fail = kept;
            n += (int64_t)kept;
        }
    if (n)
        import_note(b,
                    "%lld task attempt%s (%.3f slot-seconds) failed on a live executor "
                    "(ExceptionFailure): the stages' failed_attempts fail them on the same "
                    "executor of cluster.executors, where the model runs them there, and they "
                    "are not charged to their tasks",
                    (long long)n, n == 1 ? "" : "s", secs);
}

/* b->exec_first_finish_ms: when each executor's first task (any attempt)
 * finished, so that a task launched before it is known to have met a fresh
 * JVM (as jvm_costs.h counts cold tasks). */
static void first_finishes(struct builder *b)
{
    const struct evlog *log = b->log;
    if (!log->n_executors)
        return;
    b->exec_first_finish_ms = malloc(log->n_executors * sizeof *b->exec_first_finish_ms);
    if (!b->exec_first_finish_ms) {
        b->oom = true;
        return;
    }
    for (size_t e = 0; e < log->n_executors; e++)
        b->exec_first_finish_ms[e] = INT64_MAX;
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        if (t->executor >= 0 && (size_t)t->executor < log->n_executors &&
            t->finish_ms < b->exec_first_finish_ms[t->executor])
            b->exec_first_finish_ms[t->executor] = t->finish_ms;
    }
}

struct import *import_log(const struct evlog *log, const struct catalog *cat, struct diag *d)
{
    struct import *im = calloc(1, sizeof *im);
    if (!im) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    struct builder b = {.im = im, .log = log, .cat = cat, .d = d};
    im->task_launch_ms = NAN;
    im->codec = log->codec;
    im->source = strdup(log->path);
    im->name = log->app_name && log->app_name[0] ? strdup(log->app_name) : basename_dup(log->path);
    im->spark_version = strdup(log->spark_version ? log->spark_version : "unknown");
    im->app_id = import_dup(&b, log->app_id);
    im->master = import_dup(&b, evlog_property(log, "spark.master"));
    if (!im->source || !im->name || !im->spark_version)
        b.oom = true;
    if (!b.oom)
        reader_notes(&b);
    b.task_cpus = import_task_cpus(&b);
    b.locality_wait_ms = import_locality_wait_ms(&b);
    if (!b.oom)
        first_finishes(&b);
    im->first_task_ms = NAN;
    if (!b.oom) {
        struct jvm_log_costs jc;
        jvm_measure(log, &jc);
        im->first_task_ms = jc.param[JVM_FIRST_TASK];
    }
    if (!b.oom && import_jobs(&b) != 0 && !b.oom) {
        free(b.exec_first_finish_ms);
        import_free(im);
        return NULL;
    }
    im->cold_known = b.exec_first_finish_ms != NULL;
    free(b.exec_first_finish_ms);
    b.exec_first_finish_ms = NULL;
    /* Without executors its cold tasks cannot be told apart; a first wave
     * no slower than the rest holds no warm-up to move. */
    if (!im->cold_known || !(im->first_task_ms > 0.0))
        im->first_task_ms = NAN;
    if (!b.oom && im->n_jobs == 0 && b.orphans > 0) {
        diag_set(d, SC_EINPUT, log->path, 0,
                 "%zu stages ran but no SparkListenerJobStart lists them (events missing from "
                 "the log): nothing to replay",
                 b.orphans);
        import_free(im);
        return NULL;
    }
    if (!b.oom && im->n_jobs == 0) {
        diag_set(d, SC_EINPUT, log->path, 0,
                 "no job in the log ran a stage to completion (%zu jobs, %zu stage attempts, "
                 "%zu task ends read): nothing to replay",
                 log->n_jobs, log->n_stages, log->n_tasks);
        import_free(im);
        return NULL;
    }
    if (!b.oom) {
        import_time_jobs(im);
        import_layout_cluster(&b);
    }
    if (!b.oom && im->n_timeline) {
        uncharge_lost_attempts(&b);
        uncharge_failed_attempts(&b);
    }
    if (!b.oom)
        import_settings(&b);
    if (!b.oom)
        import_estimate_launch(&b);
    if (!b.oom)
        import_measure_driver(&b);
    if (!b.oom) {
        for (size_t k = 0; k < im->n_jobs; k++)
            for (size_t i = 0; i < im->jobs[k].n_stages; i++) {
                const struct import_stage *s = &im->jobs[k].stages[i];
                /* Replayed with the timeline: lost and failed attempts. */
                int64_t replayed = im->n_timeline ? s->lost_attempts + (int64_t)s->n_fail : 0;
                if (s->failed_tasks || s->killed_tasks)
                    import_note(&b,
                                "stage %lld: %lld failed and %lld killed task attempts (%.3f "
                                "slot-seconds); %s, a killed one is not replayed",
                                (long long)s->id, (long long)s->failed_tasks,
                                (long long)s->killed_tasks, s->retry_s,
                                replayed == 0 ? "a failed attempt's time is added to its task's"
                                : replayed == s->failed_tasks
                                    ? "the failed attempts are replayed as lost_attempts or "
                                      "failed_attempts"
                                    : "a failed attempt not replayed as lost_attempts or "
                                      "failed_attempts has its time added to its task's");
            }
    }
    if (b.oom) {
        diag_set(d, SC_ENOMEM, log->path, 0, "out of memory importing the event log");
        import_free(im);
        return NULL;
    }
    return im;
}

void import_free(struct import *im)
{
    if (!im)
        return;
    free(im->source);
    free(im->name);
    free(im->spark_version);
    free(im->app_id);
    free(im->master);
    free(im->executor_start_s);
    free(im->timeline);
    for (size_t i = 0; i < im->n_settings; i++) {
        free(im->settings[i].key);
        free(im->settings[i].text);
    }
    free(im->settings);
    for (size_t i = 0; i < im->n_skipped; i++)
        free(im->skipped_keys[i]);
    free(im->skipped_keys);
    for (size_t k = 0; k < im->n_jobs; k++)
        import_job_free(&im->jobs[k]);
    free(im->jobs);
    for (size_t i = 0; i < im->n_notes; i++)
        free(im->notes[i]);
    free(im->notes);
    free(im);
}
