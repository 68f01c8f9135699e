/*
 * importer.c — a Spark event log made into a scenario (see importer.h). It
 * sits between eventlog.c, which reads what Spark wrote, and the scenario
 * reader: its output is an ordinary scenario file, so what `replay`
 * simulates is exactly what a user gets from `import` and `run`.
 *
 * The decisions, each with the Spark behaviour behind it:
 *  - Executors: the model never removes one, so its k-th executor stands
 *    for the k-th alive at once in the log and registers (executor_start_s,
 *    from the first job's submission) when the log first had k alive, at
 *    that ExecutorAdded; as many as follow the log's alive count most
 *    closely (see executor_arrivals): with none removed, every executor that
 *    ran a task, each from its ExecutorAdded. They have the cores most of
 *    them had. Local mode is one executor with the driver's cores: the
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
 *  - Jobs: in submission order; the first at 0. A job submitted while an
 *    earlier one runs is `concurrent` when it came within
 *    IMPORT_CONCURRENT_MS of the job before it, else gets `submit_s`;
 *    otherwise `gap_s` is the recorded idle time since the jobs before it in
 *    its thread ended.
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/units.h"
#include "sim/runtime/runtime.h"
#include "sim/input/sparkconf.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

/* ------------------------------------------------------------- helpers */

struct builder {
    struct import *im;
    const struct evlog *log;
    const struct catalog *cat;
    struct diag *d;
    int64_t locality_wait_ms; /* spark.locality.wait */
    int task_cpus;            /* spark.task.cpus */
    size_t orphans;           /* stages that ran with no JobStart listing them */
    bool oom;
};

static void note(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(struct builder *b, const char *fmt, ...)
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

static char *dup_or_null(struct builder *b, const char *s)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        b->oom = true;
    return c;
}

/* Case-insensitive ASCII comparison (strcasecmp is not C11). */
static bool is_bare_number(const char *t)
{
    char *end;
    errno = 0;
    strtod(t, &end);
    return end != t && *end == '\0' && !errno;
}

/* A Spark property the importer cannot read: a note naming the log line
 * that set it, and what is used instead. */
static void bad_property(struct builder *b, const struct evlog_property *p, const char *want,
                         const char *instead)
{
    note(b, "%s:%d: %s = \"%.80s\" is not %s; %s is used instead", b->log->path, p->line, p->key,
         p->value, want, instead);
}

/* A whole decimal number in [lo, hi] with nothing after it (Spark's
 * SparkConf.getInt): true and *out, else false. */
static bool parse_long(const char *text, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < lo || v > hi ||
        isspace((unsigned char)text[0]))
        return false;
    *out = v;
    return true;
}

/* spark.task.cpus, 1 by default or when it is not a positive integer. */
static int task_cpus(struct builder *b)
{
    const struct evlog_property *p = evlog_property_find(b->log, "spark.task.cpus");
    long v;
    if (!p)
        return 1;
    if (parse_long(p->value, 1, 1000000, &v))
        return (int)v;
    bad_property(b, p, "a whole number of cores from 1", "1");
    return 1;
}

/* spark.locality.wait in ms: a bare number is ms, as Spark reads it, else a
 * duration ("3s", "500ms"); 3 s by default or when it is neither. */
static int64_t locality_wait_ms(struct builder *b)
{
    const struct evlog_property *p = evlog_property_find(b->log, "spark.locality.wait");
    double wait_s = 3.0;
    double ms = p && is_bare_number(p->value) ? strtod(p->value, NULL) : NAN;
    if (ms >= 0.0 && ms < 1e12)
        wait_s = ms / 1000.0;
    else if (p && units_parse_duration(p->value, &wait_s) != 0) {
        wait_s = 3.0;
        bad_property(b, p, "a duration", "Spark's default 3s");
    }
    return (int64_t)llround(wait_s * 1000.0);
}

static int strcasecmp_ascii(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = tolower((unsigned char)*a), y = tolower((unsigned char)*b);
        if (x != y || x == 0)
            return x - y;
    }
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int compare_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double ms_to_s(int64_t ms)
{
    return (double)ms / 1000.0;
}

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

/* ---------------------------------------------------- executors, nodes */

/* A Spark memory setting in MiB: a bare number is MiB, as Spark reads it.
 * 0 when the log does not give it, or gives no size (with a note). */
static int64_t memory_mib(struct builder *b, const char *key)
{
    const struct evlog_property *p = evlog_property_find(b->log, key);
    if (!p)
        return 0;
    long v;
    if (parse_long(p->value, LONG_MIN, LONG_MAX, &v))
        return v > 0 ? v : 0;
    int64_t bytes;
    if (units_parse_size(p->value, &bytes) != 0) {
        bad_property(b, p, "a size", "the default");
        return 0;
    }
    return bytes / (1024 * 1024);
}

/* The most tasks whose executor-side time overlapped: the slot count when
 * the log does not give it (Spark 1.x local[*]). Finish times would
 * overcount, since they include the driver fetching the result after the
 * slot was freed. */
static int peak_task_concurrency(const struct evlog *log)
{
    size_t n = 0;
    for (size_t i = 0; i < log->n_tasks; i++)
        n += log->tasks[i].executor_ms != EVLOG_NONE;
    if (n == 0)
        return 0;
    int64_t *ev = malloc(2 * n * sizeof *ev);
    if (!ev)
        return 0;
    size_t k = 0;
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        if (t->executor_ms == EVLOG_NONE)
            continue;
        /* Starts as 2t+1 and ends as 2t: an end sorts before a start at the
         * same millisecond, as a freed slot is reused. */
        ev[k++] = t->launch_ms * 2 + 1;
        ev[k++] = (t->launch_ms + t->executor_ms) * 2;
    }
    qsort(ev, k, sizeof *ev, compare_i64);
    int cur = 0, peak = 0;
    for (size_t i = 0; i < k; i++) {
        cur += (ev[i] & 1) ? 1 : -1;
        if (cur > peak)
            peak = cur;
    }
    free(ev);
    return peak;
}

static double profile_task_cpus(const struct evlog *log, int64_t rp, double dflt);

static bool is_driver(const struct evlog_executor *e)
{
    return strcmp(e->id, "driver") == 0 || strcmp(e->id, "<driver>") == 0;
}

/* The executors as the scenario gives them. The model never removes an
 * executor, so its k-th executor stands for the k-th of those alive at once
 * in the log: it registers when the log first had k alive while jobs ran
 * (start_ms to end_ms), at the ExecutorAdded that made them k. How many: the
 * count c whose executors so registering follow the log's alive count most
 * closely, the fewest executor-seconds of difference while jobs ran (ties to
 * the larger). With none removed that is all of them, each at its
 * ExecutorAdded; with executors lost and replaced it is about as many as
 * were alive for most of the time, neither the peak (one arriving as the last
 * job ends, or while another is being replaced) nor a mean. Only executors
 * that ran a task count when any did: one that ran none gave the run no slot
 * (it came as the last job ended, or belonged to a resource profile no stage
 * used before it was removed). Returns c and sets *at (malloc'd, one time in
 * ms per executor, none before start_ms); 0 when no executor was alive while
 * jobs ran; -1 when memory runs out. */
static int executor_arrivals(const struct evlog *log, int64_t start_ms, int64_t end_ms,
                             int64_t **at)
{
    *at = NULL;
    size_t n = log->n_executors;
    bool *ran = calloc(n + 1, sizeof *ran);
    int64_t *ev = malloc((2 * n + 1) * sizeof *ev);
    int64_t *first = malloc((n + 1) * sizeof *first);
    int *level = malloc((2 * n + 2) * sizeof *level);
    int64_t *since = malloc((2 * n + 2) * sizeof *since);
    if (!ran || !ev || !first || !level || !since) {
        free(ran);
        free(ev);
        free(first);
        free(level);
        free(since);
        return -1;
    }
    bool any_ran = false;
    for (size_t i = 0; i < log->n_tasks; i++) {
        int32_t e = log->tasks[i].executor;
        if (e >= 0 && (size_t)e < n && !is_driver(&log->executors[e]))
            any_ran = ran[e] = true;
    }
    size_t k = 0;
    int alive = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (is_driver(e) || (any_ran && !ran[i]))
            continue;
        bool removed = e->removed_ms != EVLOG_NONE && e->removed_ms >= e->added_ms;
        if ((removed && e->removed_ms <= start_ms) || e->added_ms >= end_ms)
            continue; /* not alive while jobs ran */
        if (e->added_ms <= start_ms)
            alive++;
        else
            ev[k++] = e->added_ms * 2 + 1;
        if (removed && e->removed_ms < end_ms)
            ev[k++] = e->removed_ms * 2; /* a removal sorts before an addition */
    }
    qsort(ev, k, sizeof *ev, compare_i64);
    /* The alive count as steps: level[i] from since[i] to since[i + 1]. */
    int peak = 0;
    size_t steps = 0;
    for (; peak < alive; peak++)
        first[peak] = start_ms;
    level[steps] = alive;
    since[steps++] = start_ms;
    for (size_t i = 0; i < k; i++) {
        alive += (ev[i] & 1) ? 1 : -1;
        if (alive > peak)
            first[peak++] = ev[i] / 2;
        level[steps] = alive;
        since[steps++] = ev[i] / 2;
    }
    since[steps] = end_ms;
    int best = 0;
    double best_err = INFINITY;
    for (int c = 1; c <= peak; c++) {
        /* The model has min(c, the most alive so far) executors. */
        double err = 0.0;
        int most = 0;
        for (size_t i = 0; i < steps; i++) {
            most = level[i] > most ? level[i] : most;
            int model = most < c ? most : c;
            err += (double)(since[i + 1] - since[i]) * abs(model - level[i]);
        }
        if (err <= best_err) {
            best = c;
            best_err = err;
        }
    }
    free(ran);
    free(ev);
    free(level);
    free(since);
    if (best == 0) {
        free(first);
        return 0;
    }
    *at = first;
    return best;
}

static const char *family_of(enum platform p)
{
    switch (p) {
    case PLATFORM_HDINSIGHT: return "hdinsight";
    case PLATFORM_SYNAPSE: return "synapse";
    default: return "azure_vm";
    }
}

/* The catalog node closest to need_vcpus and need_gib: the fewest vCPUs that
 * hold them, then the least memory that holds it, then the name. Without a
 * node that holds the memory, the fewest vCPUs (and most memory) that hold
 * the cores; without one that holds the cores, the largest. */
static const struct node_type *closest_node(const struct catalog *cat, enum platform p,
                                            int need_vcpus, double need_gib, bool *fits_memory)
{
    const char *family = family_of(p);
    const struct node_type *best = NULL, *cores_only = NULL, *largest = NULL;
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct node_type *n = catalog_at(cat, i);
        if (strcmp(n->platform, family) != 0)
            continue;
        if (!largest || n->vcpus > largest->vcpus ||
            (n->vcpus == largest->vcpus && n->memory_gib > largest->memory_gib))
            largest = n;
        if (n->vcpus < need_vcpus)
            continue;
        if (!cores_only || n->vcpus < cores_only->vcpus ||
            (n->vcpus == cores_only->vcpus && n->memory_gib > cores_only->memory_gib))
            cores_only = n;
        if (n->memory_gib < need_gib)
            continue;
        if (!best || n->vcpus < best->vcpus ||
            (n->vcpus == best->vcpus &&
             (n->memory_gib < best->memory_gib ||
              (n->memory_gib == best->memory_gib && strcmp(n->name, best->name) < 0))))
            best = n;
    }
    *fits_memory = best != NULL;
    return best ? best : cores_only ? cores_only : largest;
}

static int max_vcpus(const struct catalog *cat, enum platform p)
{
    int m = 0;
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct node_type *n = catalog_at(cat, i);
        if (strcmp(n->platform, family_of(p)) == 0 && n->vcpus > m)
            m = n->vcpus;
    }
    return m;
}

static void detect_platform(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    im->platform = PLATFORM_VM;
    snprintf(im->platform_why, sizeof im->platform_why,
             "no Databricks, Synapse or HDInsight settings in the log");
    for (size_t i = 0; i < log->n_props; i++) {
        const char *k = log->props[i].key, *v = log->props[i].value;
        if (strncmp(k, "spark.databricks.", 17) == 0) {
            im->platform = PLATFORM_DATABRICKS;
            snprintf(im->platform_why, sizeof im->platform_why,
                     "the log has Databricks settings (%.80s)", k);
            return;
        }
        if (strncmp(k, "spark.synapse.", 14) == 0) {
            im->platform = PLATFORM_SYNAPSE;
            snprintf(im->platform_why, sizeof im->platform_why,
                     "the log has Synapse settings (%.80s)", k);
            return;
        }
        char low[96];
        size_t j = 0;
        for (; v[j] && j + 1 < sizeof low; j++)
            low[j] = (char)tolower((unsigned char)v[j]);
        low[j] = '\0';
        if (strstr(low, "hdinsight") || strstr(k, "hdinsight")) {
            im->platform = PLATFORM_HDINSIGHT;
            snprintf(im->platform_why, sizeof im->platform_why, "the log names HDInsight (%.80s)",
                     k);
            return;
        }
    }
}

/* Executor memory (heap + overhead) in MiB, from the default resource
 * profile or the settings, with Spark's default overhead of 10% (at least
 * 384 MiB). */
static int64_t executor_memory(struct builder *b, bool local)
{
    const struct evlog *log = b->log;
    int64_t heap = 0, over = 0;
    if (local) {
        heap = memory_mib(b, "spark.driver.memory");
        if (!heap)
            heap = 1024;
        return heap;
    }
    for (size_t i = 0; i < log->n_profiles; i++)
        if (log->profiles[i].id == 0) {
            if (log->profiles[i].executor_memory_mib > 0)
                heap = log->profiles[i].executor_memory_mib;
            if (log->profiles[i].executor_overhead_mib > 0)
                over = log->profiles[i].executor_overhead_mib;
        }
    if (!heap)
        heap = memory_mib(b, "spark.executor.memory");
    if (!heap)
        heap = 1024;
    if (!over)
        over = memory_mib(b, "spark.executor.memoryOverhead");
    if (!over)
        over = heap / 10 > 384 ? heap / 10 : 384;
    return heap + over;
}

/* local, local[N], local[N,F], local[*]: the driver's task threads; 0 when
 * not given (local[*]) or not local mode, or (with a note) not a count. */
static int local_threads(struct builder *b)
{
    const struct evlog_property *p = evlog_property_find(b->log, "spark.master");
    const char *master = p ? p->value : NULL;
    if (!master || strncmp(master, "local", 5) != 0 || strncmp(master, "local-cluster", 13) == 0)
        return 0;
    if (master[5] == '\0')
        return 1;
    if (master[5] != '[' || master[6] == '*')
        return 0;
    char *end;
    errno = 0;
    long n = strtol(master + 6, &end, 10);
    if (end == master + 6 || (*end != ']' && *end != ',') || errno != 0 || n < 1 || n > 1000000 ||
        !isdigit((unsigned char)master[6])) {
        bad_property(b, p, "local, local[N], local[N,F] or local[*] with N >= 1",
                     "local[*] (the threads from the tasks that overlapped)");
        return 0;
    }
    return (int)n;
}

static void layout_cluster(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    const char *master = evlog_property(log, "spark.master");
    size_t n_exec = 0, removed = 0;
    const struct evlog_executor *driver_exec = NULL;
    for (size_t i = 0; i < log->n_executors; i++) {
        if (is_driver(&log->executors[i])) {
            driver_exec = &log->executors[i];
            continue;
        }
        n_exec++;
        removed += log->executors[i].removed_ms != EVLOG_NONE;
    }

    if (n_exec == 0) {
        /* Local mode, or a log that lost its executors: one executor. */
        bool local = master && strncmp(master, "local", 5) == 0;
        im->local_mode = local;
        int cores = 0;
        const char *how;
        if (driver_exec) {
            cores = driver_exec->cores;
            how = "the driver's cores, as its executor entry gives them";
        } else if ((cores = local_threads(b)) > 0) {
            how = "the task threads of the master URL";
        } else {
            cores = peak_task_concurrency(log);
            how = "inferred: the most tasks whose executor-side time overlapped (the log gives "
                  "no core count)";
        }
        if (cores < 1) {
            cores = 1;
            how = "no core count in the log and no task times to infer one from; 1 assumed";
        }
        im->executors = 1;
        im->executor_cores = cores;
        snprintf(im->executors_why, sizeof im->executors_why, "%s: one executor of %d core%s, %s",
                 local ? "local mode" : "no executors logged", cores, cores == 1 ? "" : "s", how);
    } else {
        /* The most common core count, ties to the larger. */
        int best = 0, best_n = 0;
        for (size_t i = 0; i < log->n_executors; i++) {
            const struct evlog_executor *e = &log->executors[i];
            if (is_driver(e))
                continue;
            int n = 0;
            for (size_t j = 0; j < log->n_executors; j++)
                n += !is_driver(&log->executors[j]) && log->executors[j].cores == e->cores;
            if (n > best_n || (n == best_n && e->cores > best)) {
                best = e->cores;
                best_n = n;
            }
        }
        im->executor_cores = best;
        int64_t *at;
        int count = executor_arrivals(log, im->start_ms, im->end_ms, &at);
        if (count < 0) {
            b->oom = true;
            return;
        }
        bool late = false;
        if (count == 0) {
            /* None alive while jobs ran (a log that lost events): all of them,
             * from the start. */
            im->executors = (int)n_exec;
        } else {
            im->executors = count;
            for (int e = 0; e < count; e++)
                late |= at[e] > im->start_ms;
            if (late && !(im->executor_start_s = malloc((size_t)count * sizeof(double)))) {
                free(at);
                b->oom = true;
                return;
            }
            for (int e = 0; late && e < count; e++)
                im->executor_start_s[e] = ms_to_s(at[e] - im->start_ms);
            im->n_executor_start_s = late ? (size_t)count : 0;
        }
        free(at);
        if (im->executors < 1)
            im->executors = 1;
        int len =
            snprintf(im->executors_why, sizeof im->executors_why, "%d executor%s of %d core%s",
                     im->executors, im->executors == 1 ? "" : "s", best, best == 1 ? "" : "s");
        if (removed > 0 || n_exec != (size_t)im->executors)
            len += snprintf(im->executors_why + len, sizeof im->executors_why - (size_t)len,
                            ": as many as were alive at once while jobs ran (%zu added, %zu "
                            "removed during the run)",
                            n_exec, removed);
        if (late && len < (int)sizeof im->executors_why)
            snprintf(im->executors_why + len, sizeof im->executors_why - (size_t)len,
                     "%s registering as executor_start_s says",
                     removed > 0 || n_exec != (size_t)im->executors ? "," : ":");
        if ((size_t)best_n < n_exec)
            note(b,
                 "executors had different core counts; the scenario gives all of them %d "
                 "cores, the count %d of the %zu executors had",
                 best, best_n, n_exec);
        if (removed > 0)
            for (size_t i = 0; i < log->n_executors; i++) {
                const struct evlog_executor *e = &log->executors[i];
                if (!is_driver(e) && e->removed_ms != EVLOG_NONE && log->app_end_ms != EVLOG_NONE &&
                    e->removed_ms < log->app_end_ms - 1000) {
                    note(b,
                         "%zu of %zu executors were removed before the application ended "
                         "(executor %s: %s); the scenario keeps each of its %d executor%s "
                         "from its registration to the end",
                         removed, n_exec, e->id, e->removed_reason ? e->removed_reason : "?",
                         im->executors, im->executors == 1 ? "" : "s");
                    break;
                }
            }
    }

    detect_platform(b);
    int64_t mem = executor_memory(b, im->local_mode || n_exec == 0);
    im->executor_memory_mib = mem;

    /* Cores beyond the largest node: split into equal executors that fit. */
    int maxv = max_vcpus(b->cat, im->platform);
    if (maxv > 0 && im->executor_cores > maxv) {
        int q = maxv;
        while (q > 1 && im->executor_cores % q != 0)
            q--;
        note(b,
             "executors of %d cores are larger than any catalog node (%d vCPUs): written "
             "as %d executors of %d cores each, the same task slots",
             im->executor_cores, maxv, im->executor_cores / q, q);
        int split = im->executor_cores / q;
        if (im->n_executor_start_s) {
            /* Each part registers with the executor it is part of. */
            double *t = malloc(im->n_executor_start_s * (size_t)split * sizeof *t);
            if (!t) {
                b->oom = true;
                return;
            }
            for (size_t e = 0; e < im->n_executor_start_s * (size_t)split; e++)
                t[e] = im->executor_start_s[e / (size_t)split];
            free(im->executor_start_s);
            im->executor_start_s = t;
            im->n_executor_start_s *= (size_t)split;
        }
        im->executors *= split;
        im->executor_cores = q;
    }

    /* Workers: one per host when every host ran the same number of
     * executors and never more than at the peak; else one per executor. */
    im->workers = im->executors;
    im->executors_per_worker = 1;
    if (n_exec > 0 && n_exec == (size_t)im->executors && im->platform != PLATFORM_DATABRICKS) {
        size_t hosts = 0;
        int per_host = -1;
        bool even = true;
        for (size_t i = 0; i < log->n_executors && even; i++) {
            const struct evlog_executor *e = &log->executors[i];
            if (is_driver(e) || !e->host)
                continue;
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                if (!is_driver(&log->executors[j]) && log->executors[j].host &&
                    strcmp(log->executors[j].host, e->host) == 0)
                    seen = true;
            if (seen)
                continue;
            hosts++;
            int k = 0;
            for (size_t j = 0; j < log->n_executors; j++)
                k += !is_driver(&log->executors[j]) && log->executors[j].host &&
                     strcmp(log->executors[j].host, e->host) == 0;
            if (per_host < 0)
                per_host = k;
            else if (k != per_host)
                even = false;
        }
        if (even && per_host > 1 && hosts * (size_t)per_host == n_exec &&
            per_host * im->executor_cores <= maxv) {
            im->workers = (int)hosts;
            im->executors_per_worker = per_host;
        }
    }

    /* The node: as the log says (Databricks tags its node types), else the
     * closest catalog match. */
    const char *tag = evlog_property(log, "spark.databricks.clusterUsageTags.clusterNodeType");
    const struct node_type *node = tag ? catalog_find(b->cat, tag) : NULL;
    int need_v = im->executors_per_worker * im->executor_cores;
    double need_gib = (double)(im->executors_per_worker * mem) / 1024.0;
    if (node) {
        snprintf(im->worker_why, sizeof im->worker_why,
                 "as the log says "
                 "(spark.databricks.clusterUsageTags.clusterNodeType)");
    } else {
        bool fits;
        node = closest_node(b->cat, im->platform, need_v, need_gib, &fits);
        if (!node) {
            snprintf(im->worker, sizeof im->worker, "Standard_DS3_v2");
            snprintf(im->worker_why, sizeof im->worker_why, "no catalog node for the platform");
        } else {
            snprintf(im->worker_why, sizeof im->worker_why,
                     "closest catalog match to %d vCPU%s and %.1f GiB per worker (%d executor%s "
                     "x %d cores, %.1f GiB each%s)%s",
                     need_v, need_v == 1 ? "" : "s", need_gib, im->executors_per_worker,
                     im->executors_per_worker == 1 ? "" : "s", im->executor_cores,
                     (double)mem / 1024.0,
                     im->local_mode ? ", the driver's heap" : " with overhead",
                     fits ? "" : "; no node has that much memory");
        }
        if (tag)
            note(b, "the log's node type %s is not in the catalog; %s is the closest match", tag,
                 node ? node->name : "?");
    }
    if (node)
        snprintf(im->worker, sizeof im->worker, "%s", node->name);
    if (node && node->vcpus < need_v) {
        /* No node is that large: one executor per worker still fits. */
        im->workers = im->executors;
        im->executors_per_worker = 1;
    }
    const char *dtag = evlog_property(log, "spark.databricks.clusterUsageTags.driverNodeType");
    const struct node_type *dnode = dtag ? catalog_find(b->cat, dtag) : NULL;
    if (dnode) {
        snprintf(im->driver, sizeof im->driver, "%s", dnode->name);
        snprintf(im->driver_why, sizeof im->driver_why, "as the log says");
    } else {
        snprintf(im->driver, sizeof im->driver, "%s", im->worker);
        snprintf(im->driver_why, sizeof im->driver_why, "%s",
                 im->local_mode ? "local mode: the driver is the executor"
                                : "the log does not say; the worker's size");
    }
}

/* ------------------------------------------------------------ settings */

static bool valid_name(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '*'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '*'))
            return false;
    return true;
}

/* Is some other key of the log under key + "."? (props are sorted.) */
static bool has_children(const struct evlog *log, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < log->n_props; i++)
        if (strncmp(log->props[i].key, key, n) == 0 && log->props[i].key[n] == '.')
            return true;
    return false;
}

static void skip_key(struct builder *b, const char *key, const char *why)
{
    struct import *im = b->im;
    char text[600];
    snprintf(text, sizeof text, "%s (%s)", key, why);
    char **s = realloc(im->skipped_keys, (im->n_skipped + 1) * sizeof *s);
    if (!s || !(s[im->n_skipped] = strdup(text))) {
        if (s)
            im->skipped_keys = s;
        b->oom = true;
        return;
    }
    im->skipped_keys = s;
    im->n_skipped++;
}

/* Segment-wise order, so that a group's keys stay together when written
 * ("spark.a.b" before "spark.a-b", which plain strcmp would not give). */
static int compare_settings(const void *pa, const void *pb)
{
    const struct import_setting *a = pa, *b = pb;
    const char *x = a->key, *y = b->key;
    for (;;) {
        size_t nx = strcspn(x, "."), ny = strcspn(y, ".");
        size_t n = nx < ny ? nx : ny;
        int c = strncmp(x, y, n);
        if (c != 0)
            return c;
        if (nx != ny)
            return nx < ny ? -1 : 1;
        if (x[nx] == '\0' || y[ny] == '\0')
            return (x[nx] != '\0') - (y[ny] != '\0');
        x += nx + 1;
        y += ny + 1;
    }
}

static void import_settings(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    struct spark_conf scratch;
    spark_conf_init(&scratch);
    im->settings = calloc(log->n_props ? log->n_props : 1, sizeof *im->settings);
    if (!im->settings) {
        b->oom = true;
        return;
    }
    for (size_t i = 0; i < log->n_props && !b->oom; i++) {
        const char *key = log->props[i].key, *value = log->props[i].value;
        if (strncmp(key, "spark.", 6) != 0)
            continue;
        /* Every part of the dotted name must be a libconfig name. */
        bool ok = true;
        for (const char *p = key + 6;;) {
            size_t n = strcspn(p, ".");
            if (!valid_name(p, n))
                ok = false;
            if (p[n] == '\0')
                break;
            p += n + 1;
        }
        if (!ok) {
            skip_key(b, key, "a part of the name is not a libconfig name");
            continue;
        }
        const struct spark_key *known = spark_key_find(key);
        bool enabled = false;
        if (has_children(log, key)) {
            char sub[600];
            snprintf(sub, sizeof sub, "%s.enabled", key);
            if (!known || known->type != SPARK_BOOL) {
                skip_key(b, key, "both a value and the group of other settings");
                continue;
            }
            if (evlog_property(log, sub)) {
                skip_key(b, key, "both a value and a group that has its own 'enabled'");
                continue;
            }
            enabled = true;
        }
        /* "<known boolean>.enabled" is read back as the boolean itself. */
        size_t klen = strlen(key);
        if (!known && klen > 8 && strcmp(key + klen - 8, ".enabled") == 0) {
            char base[600];
            snprintf(base, sizeof base, "%.*s", (int)(klen - 8), key);
            const struct spark_key *bk = spark_key_find(base);
            if (bk && bk->type == SPARK_BOOL) {
                skip_key(b, key, "would be read back as the boolean it extends");
                continue;
            }
        }
        char text[512];
        snprintf(text, sizeof text, "%s", value);
        int kind = IMPORT_STRING;
        const char *comment = NULL;
        if (known) {
            /* Spark reads a bare number in the key's own unit: say so. */
            if (known->spark_bare_unit && is_bare_number(text) && strtod(text, NULL) != 0.0)
                snprintf(text, sizeof text, "%s%s", value,
                         strcmp(known->spark_bare_unit, "MiB") == 0 ? "m" : "ms");
            struct diag d;
            diag_clear(&d);
            if (spark_conf_set(&scratch, key, text, NULL, 0, &d) != SC_OK) {
                skip_key(b, key, d.msg);
                continue;
            }
            const struct spark_setting *set = spark_conf_get(&scratch, key);
            switch (known->type) {
            case SPARK_INT:
                kind = IMPORT_INT;
                snprintf(text, sizeof text, "%lld", (long long)set->i);
                break;
            case SPARK_DOUBLE: {
                kind = IMPORT_DOUBLE;
                char num[64];
                for (int prec = 1; prec <= 17; prec++) {
                    snprintf(num, sizeof num, "%.*g", prec, set->d);
                    if (strtod(num, NULL) == set->d)
                        break;
                }
                /* libconfig reads a number without '.' or 'e' as an integer. */
                snprintf(text, sizeof text, "%s%s", num, strpbrk(num, ".e") ? "" : ".0");
                break;
            }
            case SPARK_BOOL:
                kind = IMPORT_BOOL;
                snprintf(text, sizeof text, "%s", set->i ? "true" : "false");
                if (set->i && strcmp(key, "spark.dynamicAllocation.enabled") == 0) {
                    /* The scenario gives the executors the run had; letting
                     * the simulator allocate them again would replay its
                     * allocation policy, not this run. */
                    snprintf(text, sizeof text, "false");
                    comment = "true in the log: the executors it had are given in cluster; "
                              "set true to have stagecast allocate them instead";
                    note(b, "the run used dynamic allocation; the scenario fixes the "
                            "executors it had (spark.dynamicAllocation.enabled = false)");
                }
                break;
            default: break;
            }
        } else if (strlen(value) >= sizeof text) {
            /* Long values (classpaths, JVM options) are kept whole. */
            struct import_setting *s = &im->settings[im->n_settings];
            s->key = dup_or_null(b, key);
            s->text = dup_or_null(b, value);
            s->kind = IMPORT_STRING;
            if (s->key && s->text)
                im->n_settings++;
            continue;
        }
        struct import_setting *s = &im->settings[im->n_settings];
        s->key = dup_or_null(b, key);
        s->text = dup_or_null(b, text);
        s->kind = kind;
        s->as_enabled = enabled;
        s->comment = comment;
        if (s->key && s->text)
            im->n_settings++;
    }
    spark_conf_fini(&scratch);
    if (im->n_settings > 1)
        qsort(im->settings, im->n_settings, sizeof *im->settings, compare_settings);
}

/* --------------------------------------------------------------- stages */

struct owner {
    int64_t stage, job;
};

static int compare_owner(const void *a, const void *b)
{
    const struct owner *x = a, *y = b;
    if (x->stage != y->stage)
        return (x->stage > y->stage) - (x->stage < y->stage);
    return (x->job > y->job) - (x->job < y->job);
}

/* The job that created each stage: the smallest job id listing it. */
static struct owner *stage_owners(const struct evlog *log, size_t *n)
{
    size_t total = 0;
    for (size_t j = 0; j < log->n_jobs; j++)
        total += log->jobs[j].n_stages;
    struct owner *o = malloc((total ? total : 1) * sizeof *o);
    if (!o)
        return NULL;
    size_t k = 0;
    for (size_t j = 0; j < log->n_jobs; j++)
        for (size_t i = 0; i < log->jobs[j].n_stages; i++)
            o[k++] = (struct owner){log->jobs[j].stages[i].id, log->jobs[j].id};
    qsort(o, k, sizeof *o, compare_owner);
    size_t m = 0;
    for (size_t i = 0; i < k; i++)
        if (m == 0 || o[m - 1].stage != o[i].stage)
            o[m++] = o[i];
    *n = m;
    return o;
}

static bool owner_of(const struct owner *o, size_t n, int64_t stage, int64_t *job)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (o[mid].stage == stage) {
            *job = o[mid].job;
            return true;
        }
        if (o[mid].stage < stage)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static const struct evlog_job_stage *job_stage_info(const struct evlog_job *j, int64_t id)
{
    for (size_t i = 0; j && i < j->n_stages; i++)
        if (j->stages[i].id == id)
            return &j->stages[i];
    return NULL;
}

static void stage_free(struct import_stage *s)
{
    free(s->name);
    free(s->task_s);
    free(s->parents);
}

/* Executors of resource profile rp alive at time t; -1 when the log has
 * none besides the driver (local mode). */
static int executors_alive(const struct evlog *log, int64_t t, int64_t rp)
{
    int n = 0, any = 0;
    for (size_t i = 0; i < log->n_executors; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (is_driver(e))
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
            out->locality_wait_s += ms_to_s(gap);
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
    double cpus = profile_task_cpus(log, att[0].resource_profile, b->task_cpus);
    int64_t used_slots = 0;
    int idle = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (is_driver(e) || e->resource_profile != att[0].resource_profile)
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

/* Builds the import of one stage from its attempts (first..first+n in
 * log->stages), whose last attempt completed. Returns 0, 1 to leave the
 * stage out (noted), -1 on error. */
static int build_stage(struct builder *b, const struct evlog_stage *att, size_t n_att,
                       const struct evlog_job *job, struct import_stage *out)
{
    const struct evlog *log = b->log;
    const struct evlog_stage *last = &att[n_att - 1];
    const struct evlog_job_stage *info = job_stage_info(job, last->id);
    memset(out, 0, sizeof *out);
    out->id = last->id;
    out->attempts = (int)n_att;
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
        note(b, "stage %lld completed without any successful task in the log; not replayed",
             (long long)last->id);
        return 1;
    }
    if (tasks > SCN_MAX_TASKS_PER_STAGE) {
        diag_set(b->d, SC_ELIMIT, log->path, last->line,
                 "stage %lld has %lld tasks, more than stagecast accepts (%lld)",
                 (long long)last->id, (long long)tasks, (long long)SCN_MAX_TASKS_PER_STAGE);
        return -1;
    }
    out->tasks = tasks;
    out->task_s = malloc((size_t)tasks * sizeof *out->task_s);
    int64_t *best_finish = malloc((size_t)tasks * sizeof *best_finish);
    double *failed_s = calloc((size_t)tasks, sizeof *failed_s);
    if (!out->task_s || !best_finish || !failed_s) {
        free(best_finish);
        free(failed_s);
        b->oom = true;
        return -1;
    }
    for (int64_t i = 0; i < tasks; i++) {
        out->task_s[i] = NAN;
        best_finish[i] = INT64_MIN;
    }
    int64_t first_launch = INT64_MAX, last_finish = INT64_MIN, out_of_range = 0;
    double result_sum = 0.0;
    int64_t result_n = 0;
    metrics_init_import(&out->metrics);
    for (size_t a = 0; a < n_att; a++) {
        size_t nt;
        const struct evlog_task *t = evlog_stage_tasks(log, att[a].id, att[a].attempt, &nt);
        for (size_t i = 0; i < nt; i++) {
            int64_t dur = t[i].finish_ms - t[i].launch_ms;
            if (dur < 0)
                dur = 0;
            if (a == 0 && t[i].launch_ms < first_launch)
                first_launch = t[i].launch_ms;
            if (t[i].finish_ms > last_finish)
                last_finish = t[i].finish_ms;
            switch (t[i].end) {
            case EVLOG_RESUBMITTED: out->resubmitted_tasks++; continue;
            case EVLOG_FAILED:
                out->failed_tasks++;
                out->retry_s += ms_to_s(dur);
                /* The slot time a failed attempt took was spent before the
                 * task ran again: it is charged to the task (below). */
                if (t[i].index >= 0 && t[i].index < tasks)
                    failed_s[t[i].index] += ms_to_s(dur);
                continue;
            case EVLOG_KILLED:
                out->killed_tasks++;
                out->retry_s += ms_to_s(dur);
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
                out->task_s[t[i].index] = ms_to_s(dur);
            }
            if (t[i].executor_ms != EVLOG_NONE) {
                int64_t r = dur - t[i].executor_ms;
                result_sum += ms_to_s(r > 0 ? r : 0);
                result_n++;
            }
        }
        metrics_add_import(&out->metrics, &att[a].metrics);
    }
    free(best_finish);
    for (int64_t i = 0; i < tasks; i++)
        if (failed_s[i] > 0.0 && !isnan(out->task_s[i]))
            out->task_s[i] += failed_s[i];
    free(failed_s);
    if (out_of_range)
        note(b,
             "stage %lld: %lld successful task%s with an index beyond its %lld tasks; "
             "ignored",
             (long long)out->id, (long long)out_of_range, out_of_range == 1 ? "" : "s",
             (long long)tasks);
    /* Indexes without a logged success (lost lines): the median of the rest. */
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
        note(b, "stage %lld completed but the log has no successful task of it; not replayed",
             (long long)out->id);
        return 1;
    }
    qsort(known, nk, sizeof *known, compare_double);
    double median = nk % 2 ? known[nk / 2] : (known[nk / 2 - 1] + known[nk / 2]) / 2.0;
    free(known);
    for (int64_t i = 0; i < tasks; i++)
        if (isnan(out->task_s[i])) {
            out->task_s[i] = median;
            out->filled_tasks++;
        }
    if (out->filled_tasks)
        note(b,
             "stage %lld: %lld of its %lld tasks have no successful end in the log; they "
             "take the median of the others (%.3f s)",
             (long long)out->id, (long long)out->filled_tasks, (long long)tasks, median);

    out->submit_logged = att[0].submit_ms != EVLOG_NONE;
    out->first_launch_ms = first_launch != INT64_MAX ? first_launch : EVLOG_NONE;
    out->submit_ms = att[0].submit_ms != EVLOG_NONE ? att[0].submit_ms : first_launch;
    out->complete_ms = last->complete_ms != EVLOG_NONE ? last->complete_ms : last_finish;
    if (out->submit_ms == INT64_MAX || out->complete_ms == INT64_MIN) {
        note(b,
             "stage %lld has neither submission and completion times nor task times; not "
             "replayed",
             (long long)out->id);
        return 1;
    }
    if (out->complete_ms < out->submit_ms)
        out->complete_ms = out->submit_ms;
    out->actual_s = ms_to_s(out->complete_ms - out->submit_ms);
    out->launch_wait_s = first_launch != INT64_MAX && first_launch >= out->submit_ms
                             ? ms_to_s(first_launch - out->submit_ms)
                             : 0.0;
    out->result_s = result_n ? result_sum / (double)result_n : 0.0;
    out->resource_profile = att[0].resource_profile;
    out->executors_at_submit = executors_alive(log, out->submit_ms, last->resource_profile);
    if (delayed_launches(b, &att[0], out) != 0)
        return -1;
    if (first_launch != INT64_MAX &&
        (out->idle_executors =
             idle_executors(b, att, n_att, tasks, first_launch, out->complete_ms)) < 0)
        return -1;
    const char *name = last->name ? last->name : info ? info->name : NULL;
    if (name && !(out->name = strdup(name))) {
        b->oom = true;
        return -1;
    }
    /* Parents as the log gives them (filtered to the job later). */
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
    if (n_att > 1)
        note(b,
             "stage %lld ran in %zu attempts (%s); its measured time runs from the first "
             "attempt's submission to the last one's completion",
             (long long)out->id, n_att, att[0].failure ? att[0].failure : "resubmitted");
    return 0;
}

/* ----------------------------------------------------------------- jobs */

static struct import_stage *find_import_stage(struct import_job *job, int64_t id)
{
    size_t lo = 0, hi = job->n_stages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (job->stages[mid].id == id)
            return &job->stages[mid];
        if (job->stages[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int compare_import_stages(const void *a, const void *b)
{
    const struct import_stage *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* Is a an ancestor of c through the parents settled so far? */
static bool is_ancestor(struct import_job *job, int64_t a, int64_t c, int depth)
{
    struct import_stage *s = find_import_stage(job, c);
    if (!s || depth > 10000)
        return false;
    for (size_t i = 0; i < s->n_parents; i++)
        if (s->parents[i] == a || is_ancestor(job, a, s->parents[i], depth + 1))
            return true;
    return false;
}

static int compare_by_submit(const void *a, const void *b)
{
    const struct import_stage *x = *(const struct import_stage *const *)a;
    const struct import_stage *y = *(const struct import_stage *const *)b;
    if (x->submit_ms != y->submit_ms)
        return (x->submit_ms > y->submit_ms) - (x->submit_ms < y->submit_ms);
    return (x->id > y->id) - (x->id < y->id);
}

/* Parents within the job only (lower ids: Spark creates parents first, and
 * this also keeps a corrupt log from making a cycle); inferred from times
 * when the log gives none. Returns how many stages had theirs inferred. */
static size_t settle_parents(struct builder *b, struct import_job *job)
{
    size_t inferred = 0;
    for (size_t i = 0; i < job->n_stages; i++) {
        struct import_stage *s = &job->stages[i];
        if (s->parents_inferred)
            continue;
        size_t m = 0;
        for (size_t p = 0; p < s->n_parents; p++) {
            int64_t id = s->parents[p];
            bool dup = false;
            for (size_t q = 0; q < m; q++)
                dup |= s->parents[q] == id;
            if (!dup && id < s->id && find_import_stage(job, id))
                s->parents[m++] = id;
        }
        s->n_parents = m;
    }
    /* Spark 1.4: in submission order, parents = the stages completed by this
     * one's submission, less those implied by another. */
    struct import_stage **order = malloc((job->n_stages ? job->n_stages : 1) * sizeof *order);
    if (!order) {
        b->oom = true;
        return 0;
    }
    for (size_t i = 0; i < job->n_stages; i++)
        order[i] = &job->stages[i];
    qsort(order, job->n_stages, sizeof *order, compare_by_submit);
    for (size_t i = 0; i < job->n_stages; i++) {
        struct import_stage *s = order[i];
        if (!s->parents_inferred)
            continue;
        inferred++;
        free(s->parents);
        s->parents = NULL;
        s->n_parents = 0;
        int64_t *cand = malloc((job->n_stages ? job->n_stages : 1) * sizeof *cand);
        if (!cand) {
            b->oom = true;
            break;
        }
        size_t nc = 0;
        for (size_t k = 0; k < i; k++)
            if (order[k]->complete_ms <= s->submit_ms && order[k]->id != s->id)
                cand[nc++] = order[k]->id;
        size_t m = 0;
        for (size_t k = 0; k < nc; k++) {
            bool implied = false;
            for (size_t q = 0; q < nc && !implied; q++)
                implied = q != k && is_ancestor(job, cand[k], cand[q], 0);
            if (!implied)
                cand[m++] = cand[k];
        }
        qsort(cand, m, sizeof *cand, compare_i64);
        s->parents = cand;
        s->n_parents = m;
        /* Parents completed before their child was submitted: no cycle. */
    }
    free(order);
    return inferred;
}

static char *job_name(const struct evlog_job *lj, const struct import_job *job)
{
    const char *what = lj && lj->description ? lj->description : NULL;
    if (!what && job->n_stages && job->stages[job->n_stages - 1].name)
        what = job->stages[job->n_stages - 1].name;
    char buf[200];
    if (what)
        snprintf(buf, sizeof buf, "job %lld: %.160s", (long long)job->id, what);
    else
        snprintf(buf, sizeof buf, "job %lld", (long long)job->id);
    return strdup(buf);
}

static void job_free(struct import_job *j)
{
    for (size_t i = 0; i < j->n_stages; i++)
        stage_free(&j->stages[i]);
    free(j->stages);
    free(j->name);
    free(j->pool);
}

/* The import job of log job lj, created on first use. */
static struct import_job *job_for(struct builder *b, const struct evlog_job *lj)
{
    struct import *im = b->im;
    for (size_t i = 0; i < im->n_jobs; i++)
        if (im->jobs[i].id == lj->id)
            return &im->jobs[i];
    struct import_job *jobs = realloc(im->jobs, (im->n_jobs + 1) * sizeof *jobs);
    if (!jobs) {
        b->oom = true;
        return NULL;
    }
    im->jobs = jobs;
    struct import_job *j = &jobs[im->n_jobs++];
    memset(j, 0, sizeof *j);
    j->id = lj->id;
    j->submit_s = NAN;
    return j;
}

static int compare_jobs_by_submit(const void *a, const void *b)
{
    const struct import_job *x = a, *y = b;
    if (x->submit_ms != y->submit_ms)
        return (x->submit_ms > y->submit_ms) - (x->submit_ms < y->submit_ms);
    return (x->id > y->id) - (x->id < y->id);
}

static int import_jobs(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    size_t n_owner = 0;
    struct owner *owners = stage_owners(log, &n_owner);
    if (!owners) {
        b->oom = true;
        return -1;
    }
    size_t orphans = 0;
    /* Stage attempts are sorted by (id, attempt): walk each id's run. */
    for (size_t i = 0; i < log->n_stages;) {
        size_t n = 1;
        while (i + n < log->n_stages && log->stages[i + n].id == log->stages[i].id)
            n++;
        const struct evlog_stage *att = &log->stages[i];
        const struct evlog_stage *last = &att[n - 1];
        i += n;
        int64_t job_id;
        if (!owner_of(owners, n_owner, last->id, &job_id)) {
            b->orphans++;
            if (orphans++ == 0)
                note(b,
                     "stage %lld ran but no JobStart lists it (events missing from the "
                     "log); such stages are not replayed",
                     (long long)last->id);
            continue;
        }
        im->log_stages_ran++;
        if (last->status == EVLOG_STAGE_FAILED) {
            note(b,
                 "stage %lld (job %lld) failed after %lld of %lld tasks ended: %s; not "
                 "replayed",
                 (long long)last->id, (long long)job_id, (long long)last->tasks_ended,
                 (long long)last->num_tasks, last->failure ? last->failure : "no reason given");
            continue;
        }
        if (last->status == EVLOG_STAGE_RUNNING) {
            note(b,
                 "stage %lld (job %lld) was still running when the log ends (%lld of %lld "
                 "tasks ended, %lld started); not replayed",
                 (long long)last->id, (long long)job_id, (long long)last->tasks_ended,
                 (long long)last->num_tasks, (long long)last->tasks_started);
            continue;
        }
        const struct evlog_job *lj = evlog_job_find(log, job_id);
        struct import_stage st;
        int rc = build_stage(b, att, n, lj, &st);
        if (rc < 0) {
            stage_free(&st);
            free(owners);
            return -1;
        }
        if (rc > 0) {
            stage_free(&st);
            continue;
        }
        struct import_job *job = job_for(b, lj);
        struct import_stage *grown =
            job ? realloc(job->stages, (job->n_stages + 1) * sizeof *grown) : NULL;
        if (!grown) {
            stage_free(&st);
            free(owners);
            b->oom = true;
            return -1;
        }
        job->stages = grown;
        job->stages[job->n_stages++] = st;
        im->tasks += (size_t)st.tasks;
    }

    /* What the Spark UI calls skipped: a stage a job lists but did not run,
     * its output computed by an earlier job. */
    im->log_jobs = log->n_jobs;
    for (size_t j = 0; j < log->n_jobs; j++)
        for (size_t i = 0; i < log->jobs[j].n_stages; i++) {
            int64_t id = log->jobs[j].stages[i].id, owner;
            if (!evlog_stage_find(log, id, 0) ||
                (owner_of(owners, n_owner, id, &owner) && owner != log->jobs[j].id))
                im->skipped_stages++;
        }
    free(owners);

    size_t inferred = 0;
    const char *mode = evlog_property(log, "spark.scheduler.mode");
    bool fair = mode && strcasecmp_ascii(mode, "FAIR") == 0;
    for (size_t k = 0; k < im->n_jobs; k++) {
        struct import_job *job = &im->jobs[k];
        const struct evlog_job *lj = evlog_job_find(log, job->id);
        qsort(job->stages, job->n_stages, sizeof *job->stages, compare_import_stages);
        inferred += settle_parents(b, job);
        int64_t first_stage = INT64_MAX, last_end = INT64_MIN;
        for (size_t i = 0; i < job->n_stages; i++) {
            if (job->stages[i].submit_ms < first_stage)
                first_stage = job->stages[i].submit_ms;
            if (job->stages[i].complete_ms > last_end)
                last_end = job->stages[i].complete_ms;
        }
        job->submit_logged = lj->submit_ms != EVLOG_NONE;
        job->submit_ms = lj->submit_ms != EVLOG_NONE ? lj->submit_ms : first_stage;
        if (job->submit_ms > first_stage)
            job->submit_ms = first_stage;
        job->stage_delay_s = ms_to_s(first_stage - job->submit_ms);
        if (lj->result == EVLOG_JOB_SUCCEEDED && lj->end_ms != EVLOG_NONE) {
            job->end_ms = lj->end_ms < last_end ? last_end : lj->end_ms;
        } else {
            job->end_ms = last_end;
            job->end_from_stages = true;
            job->failed = lj->result == EVLOG_JOB_FAILED;
            if (lj->result == EVLOG_JOB_FAILED)
                note(b,
                     "job %lld failed (%s); its %zu completed stage%s are replayed and its "
                     "end is taken as theirs",
                     (long long)job->id, lj->failure ? lj->failure : "no reason given",
                     job->n_stages, job->n_stages == 1 ? "" : "s");
            else
                note(b, "job %lld has no %s; its end is taken as its last stage's completion",
                     (long long)job->id, lj->end_line ? "completion time" : "JobEnd event");
        }
        if (!(job->name = job_name(lj, job)))
            b->oom = true;
        if (fair && lj->pool && !(job->pool = strdup(lj->pool)))
            b->oom = true;
    }
    if (inferred)
        note(b,
             "the log gives no stage parents (Spark %s); the parents of %zu stages are "
             "inferred: the stages of the same job that had completed when each was "
             "submitted, as the DAGScheduler submits a stage when its last parent completes",
             log->spark_version ? log->spark_version : "1.4 or older", inferred);
    /* Jobs that replay nothing. */
    for (size_t j = 0; j < log->n_jobs; j++) {
        const struct evlog_job *lj = &log->jobs[j];
        bool kept = false;
        for (size_t k = 0; k < im->n_jobs && !kept; k++)
            kept = im->jobs[k].id == lj->id;
        if (kept)
            continue;
        if (lj->result == EVLOG_JOB_FAILED)
            note(b, "job %lld failed (%s) without completing a stage; not replayed",
                 (long long)lj->id, lj->failure ? lj->failure : "no reason given");
        else if (lj->result == EVLOG_JOB_RUNNING)
            note(b,
                 "job %lld was still running when the log ends, with no completed stage; "
                 "not replayed",
                 (long long)lj->id);
        else
            note(b, "job %lld ran no stage (all were computed by earlier jobs); not replayed",
                 (long long)lj->id);
    }
    return b->oom ? -1 : 0;
}

/* Submission order and the keys that reproduce it (see the top comment). */
static void time_jobs(struct import *im)
{
    if (im->n_jobs > 1)
        qsort(im->jobs, im->n_jobs, sizeof *im->jobs, compare_jobs_by_submit);
    size_t *thread = malloc((im->n_jobs ? im->n_jobs : 1) * sizeof *thread);
    if (!thread)
        return;
    int64_t max_end = INT64_MIN;
    for (size_t k = 0; k < im->n_jobs; k++) {
        struct import_job *j = &im->jobs[k];
        if (k == 0) {
            thread[k] = 0;
        } else if (j->submit_ms < max_end) {
            /* An earlier job still runs. */
            if (j->submit_ms - im->jobs[k - 1].submit_ms <= IMPORT_CONCURRENT_MS) {
                j->concurrent = true;
                thread[k] = thread[k - 1];
            } else {
                j->submit_s = ms_to_s(j->submit_ms - im->jobs[0].submit_ms);
                thread[k] = k;
            }
        } else {
            thread[k] = thread[k - 1];
            int64_t thread_end = INT64_MIN;
            for (size_t i = 0; i < k; i++)
                if (thread[i] == thread[k] && im->jobs[i].end_ms > thread_end)
                    thread_end = im->jobs[i].end_ms;
            j->gap_s = thread_end != INT64_MIN && j->submit_ms > thread_end
                           ? ms_to_s(j->submit_ms - thread_end)
                           : 0.0;
        }
        if (j->end_ms > max_end)
            max_end = j->end_ms;
    }
    free(thread);
    im->start_ms = im->n_jobs ? im->jobs[0].submit_ms : 0;
    im->end_ms = max_end == INT64_MIN ? im->start_ms : max_end;
    im->actual_s = ms_to_s(im->end_ms - im->start_ms);
}

/* model.task_launch_ms from the first waves (see the top comment). */
static void estimate_launch(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    int64_t slots = (int64_t)im->executors * (im->executor_cores / b->task_cpus);
    if (slots < 1)
        slots = 1;
    int64_t sum = 0, gaps = 0;
    size_t stages = 0;
    int64_t *launch = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < im->n_jobs; k++)
        for (size_t i = 0; i < im->jobs[k].n_stages; i++) {
            const struct import_stage *s = &im->jobs[k].stages[i];
            const struct evlog_stage *first = evlog_stage_find(log, s->id, 0);
            size_t nt;
            const struct evlog_task *t =
                evlog_stage_tasks(log, s->id, first ? first->attempt : 0, &nt);
            if (nt < 3)
                continue;
            if (nt > cap) {
                int64_t *l = realloc(launch, nt * sizeof *l);
                if (!l) {
                    b->oom = true;
                    free(launch);
                    return;
                }
                launch = l;
                cap = nt;
            }
            for (size_t q = 0; q < nt; q++)
                launch[q] = t[q].launch_ms;
            qsort(launch, nt, sizeof *launch, compare_i64);
            size_t wave = (int64_t)nt < slots ? nt : (size_t)slots;
            bool used = false;
            for (size_t q = 2; q < wave; q++) {
                int64_t g = launch[q] - launch[q - 1];
                if (g > IMPORT_LAUNCH_GAP_MAX_MS)
                    continue;
                sum += g;
                gaps++;
                used = true;
            }
            stages += used;
        }
    free(launch);
    if (gaps == 0) {
        im->task_launch_ms = NAN;
        snprintf(im->launch_why, sizeof im->launch_why,
                 "no stage launched 3 or more tasks in one wave; the default is kept");
        return;
    }
    /* To the microsecond, as the scenario writes it and the runtime keeps
     * it: the stages' driver_s below are measured with this very value. */
    im->task_launch_ms = round((double)sum / (double)gaps * 1000.0) / 1000.0;
    snprintf(im->launch_why, sizeof im->launch_why,
             "mean gap between consecutive task launches in the stages' first waves: %lld ms "
             "over %lld gaps in %zu stages",
             (long long)sum, (long long)gaps, stages);
}

/* ---------------------------------------------------------- driver time */

/* How many of the n sorted values in a are <= v. */
static size_t count_le(const int64_t *a, size_t n, int64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The task attempts of one resource profile (all of them for profile -1),
 * as sorted launch and finish times in us: how many held a slot at t. */
struct occupancy {
    int64_t profile;
    int64_t *launch_us, *finish_us;
    size_t n;
};

static int occupancy_build(const struct evlog *log, int64_t profile, struct occupancy *o)
{
    o->profile = profile;
    o->n = 0;
    o->launch_us = malloc((log->n_tasks ? log->n_tasks : 1) * sizeof *o->launch_us);
    o->finish_us = malloc((log->n_tasks ? log->n_tasks : 1) * sizeof *o->finish_us);
    if (!o->launch_us || !o->finish_us)
        return -1;
    const struct evlog_stage *st = NULL;
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        if (profile >= 0) {
            /* Tasks are sorted by stage: one lookup per stage attempt. */
            if (!st || st->id != t->stage_id || st->attempt != t->stage_attempt)
                st = evlog_stage_find(log, t->stage_id, t->stage_attempt);
            if ((st ? st->resource_profile : 0) != profile)
                continue;
        }
        o->launch_us[o->n] = t->launch_ms * 1000;
        o->finish_us[o->n] = (t->finish_ms > t->launch_ms ? t->finish_ms : t->launch_ms) * 1000;
        o->n++;
    }
    qsort(o->launch_us, o->n, sizeof *o->launch_us, compare_i64);
    qsort(o->finish_us, o->n, sizeof *o->finish_us, compare_i64);
    return 0;
}

static void occupancy_free(struct occupancy *o)
{
    free(o->launch_us);
    free(o->finish_us);
}

/* Task slots of resource profile rp at t (us): its executors alive then,
 * each with cores / task cpus of the profile. */
static int64_t slots_at(const struct evlog *log, int64_t rp, double task_cpus, int64_t t)
{
    int64_t slots = 0;
    for (size_t i = 0; i < log->n_executors; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (is_driver(e) || e->resource_profile != rp || e->added_ms * 1000 > t ||
            (e->removed_ms != EVLOG_NONE && e->removed_ms * 1000 <= t))
            continue;
        slots += (int64_t)((double)e->cores / task_cpus + 1e-9);
    }
    return slots;
}

static double profile_task_cpus(const struct evlog *log, int64_t rp, double dflt)
{
    for (size_t i = 0; i < log->n_profiles; i++)
        if (log->profiles[i].id == rp && !isnan(log->profiles[i].task_cpus) &&
            log->profiles[i].task_cpus > 0)
            return log->profiles[i].task_cpus;
    return dflt;
}

struct driver_probe {
    const struct evlog *log;
    const struct occupancy *all;  /* every task attempt: the driver's launches */
    const struct occupancy *mine; /* those of the stage's profile: its slots */
    int64_t profile;
    double task_cpus;
    int64_t local_slots; /* > 0: local mode, this many slots all the time */
    int64_t launch_us;
};

/* Could the stage not have launched a task at t (us), had it been offered?
 * Every slot it may use was taken (by finish times: a slot is the model's
 * until the task's logged finish), or the driver was launching another
 * task then (the launch ending at X took (X - task_launch_ms, X]). */
static bool offer_blocked(const struct driver_probe *p, int64_t t)
{
    const struct occupancy *a = p->all, *m = p->mine;
    size_t next = count_le(a->launch_us, a->n, t);
    if (p->launch_us > 0 && next < a->n && a->launch_us[next] - p->launch_us <= t)
        return true;
    int64_t busy =
        (int64_t)count_le(m->launch_us, m->n, t) - (int64_t)count_le(m->finish_us, m->n, t);
    int64_t slots =
        p->local_slots > 0 ? p->local_slots : slots_at(p->log, p->profile, p->task_cpus, t);
    return busy >= slots;
}

static int push_point(int64_t **pts, size_t *n, size_t *cap, int64_t v)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int64_t *g = realloc(*pts, c * sizeof *g);
        if (!g)
            return -1;
        *pts = g;
        *cap = c;
    }
    (*pts)[(*n)++] = v;
    return 0;
}

/* A stage's driver_s (see the top comment): of the time from its submission
 * to its first launch less that launch's own task_launch_ms, the part in
 * which it could have launched a task had it been offered. Sets *wait_s to
 * the rest, spent waiting for a slot or for the driver's other launches.
 * Returns -1 when memory runs out. */
static int stage_driver_time(const struct driver_probe *p, struct import_stage *s, int64_t **pts,
                             size_t *cap)
{
    s->driver_s = s->offer_wait_s = 0.0;
    if (!s->submit_logged || s->first_launch_ms == EVLOG_NONE)
        return 0;
    int64_t from = s->submit_ms * 1000, to = s->first_launch_ms * 1000 - p->launch_us;
    if (to <= from)
        return 0;
    /* The offer test changes only at these instants: tasks launching and
     * finishing, the driver starting a launch, executors coming and going. */
    size_t n = 0;
    int rc = push_point(pts, &n, cap, from) | push_point(pts, &n, cap, to);
    const struct occupancy *m = p->mine, *a = p->all;
    for (size_t i = count_le(m->launch_us, m->n, from); rc == 0 && i < m->n && m->launch_us[i] < to;
         i++)
        rc = push_point(pts, &n, cap, m->launch_us[i]);
    for (size_t i = count_le(m->finish_us, m->n, from); rc == 0 && i < m->n && m->finish_us[i] < to;
         i++)
        rc = push_point(pts, &n, cap, m->finish_us[i]);
    for (size_t i = count_le(a->launch_us, a->n, from);
         rc == 0 && i < a->n && a->launch_us[i] - p->launch_us < to; i++) {
        int64_t x = a->launch_us[i] - p->launch_us;
        if (x > from)
            rc = push_point(pts, &n, cap, x);
        if (rc == 0 && a->launch_us[i] < to)
            rc = push_point(pts, &n, cap, a->launch_us[i]);
    }
    for (size_t i = 0; rc == 0 && p->local_slots == 0 && i < p->log->n_executors; i++) {
        const struct evlog_executor *e = &p->log->executors[i];
        int64_t times[2] = {e->added_ms * 1000,
                            e->removed_ms != EVLOG_NONE ? e->removed_ms * 1000 : INT64_MIN};
        for (int k = 0; k < 2 && rc == 0; k++)
            if (times[k] > from && times[k] < to)
                rc = push_point(pts, &n, cap, times[k]);
    }
    if (rc != 0)
        return -1;
    qsort(*pts, n, sizeof **pts, compare_i64);
    int64_t blocked = 0;
    for (size_t i = 0; i + 1 < n; i++)
        if ((*pts)[i + 1] > (*pts)[i] && offer_blocked(p, (*pts)[i]))
            blocked += (*pts)[i + 1] - (*pts)[i];
    s->driver_s = (double)(to - from - blocked) * 1e-6;
    s->offer_wait_s = (double)blocked * 1e-6;
    return 0;
}

/* The driver's time the model is to spend (see the top comment): each
 * job's from its submission to its first stages', each stage's from its
 * submission to its tasks' offer. */
static void measure_driver(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    double cpus = b->task_cpus;
    double launch_ms =
        isnan(im->task_launch_ms) ? RUNTIME_DEFAULT_TASK_LAUNCH_S * 1e3 : im->task_launch_ms;
    bool local = true;
    for (size_t i = 0; i < log->n_executors && local; i++)
        local = is_driver(&log->executors[i]);
    struct driver_probe p = {.log = log, .launch_us = llround(launch_ms * 1000.0)};
    if (local) /* no executor of its own: the scenario's slots, all the time */
        p.local_slots = (int64_t)im->executors * (int64_t)((double)im->executor_cores / cpus);
    if (local && p.local_slots < 1)
        p.local_slots = 1;
    struct occupancy all = {0}, mine = {0};
    int64_t *pts = NULL;
    size_t cap = 0, unlogged_stages = 0, unlogged_jobs = 0;
    bool have_mine = false;
    if (occupancy_build(log, -1, &all) != 0)
        b->oom = true;
    for (size_t k = 0; k < im->n_jobs && !b->oom; k++) {
        struct import_job *j = &im->jobs[k];
        unlogged_jobs += !j->submit_logged;
        for (size_t i = 0; i < j->n_stages && !b->oom; i++) {
            struct import_stage *s = &j->stages[i];
            unlogged_stages += !s->submit_logged;
            int64_t rp = s->resource_profile;
            if (!local && (!have_mine || mine.profile != rp)) {
                occupancy_free(&mine);
                have_mine = true;
                if (occupancy_build(log, rp, &mine) != 0) {
                    b->oom = true;
                    break;
                }
            }
            p.profile = rp;
            p.task_cpus = profile_task_cpus(log, rp, cpus);
            p.all = &all;
            p.mine = local ? &all : &mine;
            if (stage_driver_time(&p, s, &pts, &cap) != 0)
                b->oom = true;
        }
    }
    free(pts);
    occupancy_free(&all);
    occupancy_free(&mine);
    if (unlogged_jobs)
        note(b,
             "%zu job%s without a submission time in the log: %s first stage's submission "
             "stands for it, and the job's driver time is 0",
             unlogged_jobs, unlogged_jobs == 1 ? "" : "s", unlogged_jobs == 1 ? "its" : "their");
    if (unlogged_stages)
        note(b,
             "%zu stage%s without a submission time in the log: %s first task launch stands "
             "for it, and the stage's driver time is 0",
             unlogged_stages, unlogged_stages == 1 ? "" : "s",
             unlogged_stages == 1 ? "its" : "their");
}

static void reader_notes(struct builder *b)
{
    const struct evlog *log = b->log;
    if (log->bad_lines > 0) {
        note(b, "%d line%s of the log could not be read and %s skipped%s%s", log->bad_lines,
             log->bad_lines == 1 ? "" : "s", log->bad_lines == 1 ? "was" : "were",
             log->n_warnings ? "; the first: " : "", log->n_warnings ? log->warnings[0] : "");
    }
    if (log->truncated)
        note(b, "the last line of the log is cut off mid-event (it was still being written); "
                "it is skipped");
    if (log->stream_truncated)
        note(b, "the compressed stream ends mid-frame (the log was still being written); what "
                "was complete is read");
    if (log->app_end_ms == EVLOG_NONE)
        note(b, "no ApplicationEnd: the application was still running, or was killed, when "
                "the log ends");
    if (!log->spark_version)
        note(b, "no SparkListenerLogStart: the Spark version is unknown");
}

static char *basename_dup(const char *path)
{
    const char *slash = strrchr(path, '/');
    return strdup(slash ? slash + 1 : path);
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
    im->app_id = dup_or_null(&b, log->app_id);
    im->master = dup_or_null(&b, evlog_property(log, "spark.master"));
    if (!im->source || !im->name || !im->spark_version)
        b.oom = true;
    if (!b.oom)
        reader_notes(&b);
    b.task_cpus = task_cpus(&b);
    b.locality_wait_ms = locality_wait_ms(&b);
    if (!b.oom && import_jobs(&b) != 0 && !b.oom) {
        import_free(im);
        return NULL;
    }
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
        time_jobs(im);
        layout_cluster(&b);
    }
    if (!b.oom)
        import_settings(&b);
    if (!b.oom)
        estimate_launch(&b);
    if (!b.oom)
        measure_driver(&b);
    if (!b.oom) {
        for (size_t k = 0; k < im->n_jobs; k++)
            for (size_t i = 0; i < im->jobs[k].n_stages; i++) {
                const struct import_stage *s = &im->jobs[k].stages[i];
                if (s->failed_tasks || s->killed_tasks)
                    note(&b,
                         "stage %lld: %lld failed and %lld killed task attempts (%.3f "
                         "slot-seconds); a failed attempt's time is added to its task's, a "
                         "killed one is not replayed",
                         (long long)s->id, (long long)s->failed_tasks, (long long)s->killed_tasks,
                         s->retry_s);
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
    for (size_t i = 0; i < im->n_settings; i++) {
        free(im->settings[i].key);
        free(im->settings[i].text);
    }
    free(im->settings);
    for (size_t i = 0; i < im->n_skipped; i++)
        free(im->skipped_keys[i]);
    free(im->skipped_keys);
    for (size_t k = 0; k < im->n_jobs; k++)
        job_free(&im->jobs[k]);
    free(im->jobs);
    for (size_t i = 0; i < im->n_notes; i++)
        free(im->notes[i]);
    free(im->notes);
    free(im);
}

/* --------------------------------------------------------------- writer */

/* A libconfig string literal. */
static void put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\r')
            fputs("\\r", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Text inside a # comment: one line. */
static void put_comment_text(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? ' ' : *p, f);
}

/* A comment paragraph, wrapped at about 96 columns, each line prefixed. */
static void put_wrapped(FILE *f, const char *prefix, const char *first, const char *text)
{
    size_t col = (size_t)fprintf(f, "%s%s", prefix, first);
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (col + n + 1 > 96 && col > strlen(prefix) + strlen(first)) {
            col = (size_t)fprintf(f, "\n%s    ", prefix) - 1;
        } else if (p != text) {
            fputc(' ', f);
            col++;
        }
        char word[256];
        size_t w = n < sizeof word - 1 ? n : sizeof word - 1;
        memcpy(word, p, w);
        word[w] = '\0';
        put_comment_text(f, word);
        col += n;
        p += n;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

static void put_bytes(FILE *f, const char *what, int64_t bytes, int64_t records, bool *first)
{
    if (bytes == EVLOG_NONE && records == EVLOG_NONE)
        return;
    char b[32];
    fprintf(f, "%s%s %s", *first ? "" : "; ", what,
            bytes == EVLOG_NONE ? "?" : units_format_bytes(bytes, b, sizeof b));
    if (records != EVLOG_NONE)
        fprintf(f, " (%lld records)", (long long)records);
    *first = false;
}

static void write_stage(FILE *f, const struct import_stage *s, bool last)
{
    const char *in = "                ";
    fprintf(f, "            {\n%sid = %lld;\n", in, (long long)s->id);
    if (s->name) {
        fprintf(f, "%sname = ", in);
        put_quoted(f, s->name);
        fputs(";\n", f);
    }
    fprintf(f, "%stasks = %lld;\n", in, (long long)s->tasks);
    if (s->n_parents) {
        fprintf(f, "%sparents = [", in);
        for (size_t p = 0; p < s->n_parents; p++)
            fprintf(f, "%s%lld", p ? ", " : " ", (long long)s->parents[p]);
        fprintf(f, " ];%s\n", s->parents_inferred ? "  # inferred from submission times" : "");
    } else if (s->parents_inferred) {
        fprintf(f, "%s# no parents: nothing of this job had completed when it was submitted\n", in);
    }
    fprintf(f,
            "%s# measured: %.3f s from submission to completion, first task launched after "
            "%.3f s",
            in, s->actual_s, s->launch_wait_s);
    if (s->attempts > 1)
        fprintf(f, ", %d stage attempts", s->attempts);
    fputc('\n', f);
    if (s->driver_s > 0.0 && s->offer_wait_s > 0.0)
        fprintf(f,
                "%sdriver_s = %.6f;  # that wait less its first launch's task_launch_ms and "
                "%.3f s with no slot free or the driver launching other tasks\n",
                in, s->driver_s, s->offer_wait_s);
    else if (s->driver_s > 0.0)
        fprintf(f, "%sdriver_s = %.6f;  # that wait less its first launch's task_launch_ms\n", in,
                s->driver_s);
    else if (!s->submit_logged)
        fprintf(f, "%s# no submission time in the log: its first launch stands for it\n", in);
    const struct evlog_metrics *m = &s->metrics;
    bool first = true;
    fprintf(f, "%s# data: ", in);
    put_bytes(f, "input", m->input_bytes, m->input_records, &first);
    put_bytes(f, "shuffle read", m->shuffle_read_bytes, m->shuffle_read_records, &first);
    put_bytes(f, "shuffle write", m->shuffle_write_bytes, m->shuffle_write_records, &first);
    put_bytes(f, "output", m->output_bytes, m->output_records, &first);
    if (first)
        fputs("none logged", f);
    fputc('\n', f);
    char b1[32], b2[32];
    fprintf(f, "%s# spilled %s to memory, %s to disk; executor run time %.3f s", in,
            m->memory_spilled_bytes == EVLOG_NONE
                ? "?"
                : units_format_bytes(m->memory_spilled_bytes, b1, sizeof b1),
            m->disk_spilled_bytes == EVLOG_NONE
                ? "?"
                : units_format_bytes(m->disk_spilled_bytes, b2, sizeof b2),
            m->run_ms == EVLOG_NONE ? 0.0 : ms_to_s(m->run_ms));
    if (m->cpu_ns != EVLOG_NONE)
        fprintf(f, ", CPU time %.3f s", (double)m->cpu_ns * 1e-9);
    if (m->gc_ms != EVLOG_NONE)
        fprintf(f, ", GC %.3f s", ms_to_s(m->gc_ms));
    fputc('\n', f);
    if (s->failed_tasks || s->killed_tasks || s->resubmitted_tasks || s->speculative_tasks)
        fprintf(f,
                "%s# other attempts: %lld failed (their time added to their tasks'), %lld "
                "killed (%.3f slot-seconds), %lld resubmitted; %lld speculative successes\n",
                in, (long long)s->failed_tasks, (long long)s->killed_tasks, s->retry_s,
                (long long)s->resubmitted_tasks, (long long)s->speculative_tasks);
    fprintf(f, "%stask_seconds = [", in);
    for (int64_t i = 0; i < s->tasks; i++) {
        if (i % 10 == 0)
            fprintf(f, "\n%s    ", in);
        fprintf(f, "%.3f%s", s->task_s[i], i + 1 < s->tasks ? ", " : "");
    }
    fprintf(f, "\n%s];\n            }%s\n", in, last ? "" : ",");
}

static void write_spark(FILE *f, const struct import *im)
{
    if (im->n_skipped) {
        fputs("# Spark settings of the log that a scenario cannot hold:\n", f);
        for (size_t i = 0; i < im->n_skipped; i++) {
            fputs("#   ", f);
            put_comment_text(f, im->skipped_keys[i]);
            fputc('\n', f);
        }
    }
    fputs("# The Spark settings of the log (SparkListenerEnvironmentUpdate). A key that is\n"
          "# both a value and a group, such as spark.speculation, is written as `enabled`.\n",
          f);
    fputs("spark = {\n", f);
    /* The open groups, as (start, length) of the key's dotted parts. */
    const char *open[64];
    size_t open_len[64];
    size_t depth = 0;
    for (size_t i = 0; i < im->n_settings; i++) {
        const struct import_setting *s = &im->settings[i];
        const char *parts[64];
        size_t lens[64], n = 0;
        for (const char *p = s->key + 6; n < 63;) {
            size_t k = strcspn(p, ".");
            parts[n] = p;
            lens[n++] = k;
            if (p[k] == '\0')
                break;
            p += k + 1;
        }
        size_t groups = s->as_enabled ? n : n - 1;
        size_t common = 0;
        while (common < depth && common < groups && open_len[common] == lens[common] &&
               strncmp(open[common], parts[common], lens[common]) == 0)
            common++;
        while (depth > common) {
            depth--;
            fprintf(f, "%*s};\n", (int)(4 * (depth + 1)), "");
        }
        while (depth < groups) {
            fprintf(f, "%*s%.*s = {\n", (int)(4 * (depth + 1)), "", (int)lens[depth], parts[depth]);
            open[depth] = parts[depth];
            open_len[depth] = lens[depth];
            depth++;
        }
        if (s->as_enabled)
            fprintf(f, "%*senabled = ", (int)(4 * (depth + 1)), "");
        else
            fprintf(f, "%*s%.*s = ", (int)(4 * (depth + 1)), "", (int)lens[n - 1], parts[n - 1]);
        if (s->kind == IMPORT_STRING) {
            put_quoted(f, s->text);
        } else {
            fputs(s->text, f);
            if (s->kind == IMPORT_INT) {
                long long v = strtoll(s->text, NULL, 10);
                if (v > 2147483647LL || v < -2147483648LL)
                    fputc('L', f);
            }
        }
        fputs(";", f);
        if (s->comment)
            fprintf(f, "  # %s", s->comment);
        fputc('\n', f);
    }
    while (depth > 0) {
        depth--;
        fprintf(f, "%*s};\n", (int)(4 * (depth + 1)), "");
    }
    fputs("};\n\n", f);
}

enum sc_status import_write(FILE *f, const struct import *im, struct diag *d)
{
    fprintf(f, "# Imported by stagecast %s from ", PACKAGE_VERSION);
    put_comment_text(f, im->source);
    fprintf(f, " (%s).\n# Application ", evlog_codec_name(im->codec));
    put_comment_text(f, im->name);
    if (im->app_id) {
        fputs(" (", f);
        put_comment_text(f, im->app_id);
        fputc(')', f);
    }
    fprintf(f, ", Spark ");
    put_comment_text(f, im->spark_version);
    if (im->master) {
        fputs(", master ", f);
        put_comment_text(f, im->master);
    }
    size_t stages = 0;
    for (size_t k = 0; k < im->n_jobs; k++)
        stages += im->jobs[k].n_stages;
    fprintf(f,
            ".\n# Replays %zu of the log's %zu jobs: %zu stages, %zu tasks (%zu stage listings "
            "skipped by Spark,\n# their output already computed). Application time as "
            "recorded: %.3f s.\n",
            im->n_jobs, im->log_jobs, stages, im->tasks, im->skipped_stages, im->actual_s);
    fputs("#\n"
          "# Each task takes the time its successful attempt took, launch to finish as Spark\n"
          "# logged it (the finish includes the driver fetching the task's result). Bytes,\n"
          "# records, spill and CPU time are comments: the task times already include\n"
          "# moving those bytes, and as keys the simulator would move them a second time.\n",
          f);
    if (im->n_notes) {
        fputs("#\n# Notes:\n", f);
        for (size_t i = 0; i < im->n_notes; i++)
            put_wrapped(f, "#", "  - ", im->notes[i]);
    }
    fputs("\nname = ", f);
    put_quoted(f, im->name);
    fputs(";\nseed = 1;\n\ncluster = {\n    platform = ", f);
    put_quoted(f, platform_name(im->platform));
    fputs(";  # ", f);
    put_comment_text(f, im->platform_why);
    fputs("\n    worker = ", f);
    put_quoted(f, im->worker);
    fputs(";  # ", f);
    put_comment_text(f, im->worker_why);
    fputs("\n    driver = ", f);
    put_quoted(f, im->driver);
    fputs(";  # ", f);
    put_comment_text(f, im->driver_why);
    fprintf(f, "\n    workers = %d;  # ", im->workers);
    put_comment_text(f, im->executors_why);
    fprintf(f, "\n    executors_per_worker = %d;\n    executor_cores = %d;\n",
            im->executors_per_worker, im->executor_cores);
    if (im->n_executor_start_s) {
        fputs("    # When each executor registered (SparkListenerExecutorAdded), seconds after "
              "the first\n    # job's submission: the k-th when the log first had k alive at "
              "once. Slots are\n    # offered only from then.\n    executor_start_s = [",
              f);
        for (size_t e = 0; e < im->n_executor_start_s; e++) {
            if (e % 10 == 0)
                fputs("\n        ", f);
            fprintf(f, "%.3f%s", im->executor_start_s[e],
                    e + 1 < im->n_executor_start_s ? ", " : "");
        }
        fputs("\n    ];\n", f);
    }
    fputs("};\n\n", f);
    write_spark(f, im);
    if (!isnan(im->task_launch_ms)) {
        fputs("# The driver's time to launch one task: ", f);
        put_comment_text(f, im->launch_why);
        fprintf(f, ".\nmodel = {\n    task_launch_ms = %.3f;\n};\n\n", im->task_launch_ms);
    } else {
        fputs("# model.task_launch_ms: ", f);
        put_comment_text(f, im->launch_why);
        fputs(".\n\n", f);
    }
    fputs("jobs = (\n", f);
    for (size_t k = 0; k < im->n_jobs; k++) {
        const struct import_job *j = &im->jobs[k];
        fputs("    {\n        name = ", f);
        put_quoted(f, j->name);
        fprintf(f,
                ";\n        # submitted at %.3f s, ended at %.3f s%s; its first stage was "
                "submitted %.3f s after it\n",
                ms_to_s(j->submit_ms - im->start_ms), ms_to_s(j->end_ms - im->start_ms),
                j->end_from_stages ? " (its last stage's completion)" : "", j->stage_delay_s);
        if (j->concurrent)
            fprintf(f, "        concurrent = true;  # submitted with the job before it, which "
                       "still ran\n");
        else if (!isnan(j->submit_s))
            fprintf(f, "        submit_s = %.3f;  # submitted while an earlier job still ran\n",
                    j->submit_s);
        else if (j->gap_s > 0.0)
            fprintf(f,
                    "        gap_s = %.3f;  # recorded idle time since the jobs before it "
                    "ended\n",
                    j->gap_s);
        if (j->stage_delay_s > 0.0)
            fprintf(f,
                    "        driver_s = %.3f;  # the driver's, before it submitted the first "
                    "stages\n",
                    j->stage_delay_s);
        else if (!j->submit_logged)
            fputs("        # no submission time in the log: its first stage's stands for it\n", f);
        if (j->pool) {
            fputs("        pool = ", f);
            put_quoted(f, j->pool);
            fputs(";\n", f);
        }
        fputs("        stages = (\n", f);
        for (size_t i = 0; i < j->n_stages; i++)
            write_stage(f, &j->stages[i], i + 1 == j->n_stages);
        fprintf(f, "        );\n    }%s\n", k + 1 < im->n_jobs ? "," : "");
    }
    fputs(");\n", f);
    if (ferror(f))
        return diag_set(d, SC_EIO, NULL, 0, "writing the scenario failed");
    return SC_OK;
}
