/*
 * import_cluster.c — the cluster a log ran on, as a scenario's cluster
 * group: the platform (from the master URL and hosts), the worker and
 * driver node sizes closest to what the executors had, how many workers and
 * executors, and when each executor registered (see importer.c's
 * "Executors"). A step of import_log (import_build.h).
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
    qsort(ev, k, sizeof *ev, import_compare_i64);
    int cur = 0, peak = 0;
    for (size_t i = 0; i < k; i++) {
        cur += (ev[i] & 1) ? 1 : -1;
        if (cur > peak)
            peak = cur;
    }
    free(ev);
    return peak;
}

bool import_is_driver(const struct evlog_executor *e)
{
    return strcmp(e->id, "driver") == 0 || strcmp(e->id, "<driver>") == 0;
}

/* Marks ran[e] for each executor but the driver that some task ran on;
 * returns whether any did (then only those count: one that ran none gave
 * the run no slot). */
static bool mark_executors_that_ran(const struct evlog *log, bool *ran)
{
    size_t n = log->n_executors;
    bool any_ran = false;
    for (size_t i = 0; i < log->n_tasks; i++) {
        int32_t e = log->tasks[i].executor;
        if (e >= 0 && (size_t)e < n && !import_is_driver(&log->executors[e]))
            any_ran = ran[e] = true;
    }
    return any_ran;
}

/* Whether executor i counts for the jobs' span [start_ms, end_ms): not the
 * driver, ran a task (when any did), alive within the span; *removed says
 * whether the log removed it (an ExecutorRemoved after its ExecutorAdded). */
static bool executor_counts(const struct evlog *log, size_t i, const bool *ran, bool any_ran,
                            int64_t start_ms, int64_t end_ms, bool *removed)
{
    const struct evlog_executor *e = &log->executors[i];
    if (import_is_driver(e) || (any_ran && !ran[i]))
        return false;
    *removed = e->removed_ms != EVLOG_NONE && e->removed_ms >= e->added_ms;
    return !((*removed && e->removed_ms <= start_ms) || e->added_ms >= end_ms);
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
    bool any_ran = mark_executors_that_ran(log, ran);
    size_t k = 0;
    int alive = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evlog_executor *e = &log->executors[i];
        bool removed;
        if (!executor_counts(log, i, ran, any_ran, start_ms, end_ms, &removed))
            continue; /* the driver, no task, or not alive while jobs ran */
        if (e->added_ms <= start_ms)
            alive++;
        else
            ev[k++] = e->added_ms * 2 + 1;
        if (removed && e->removed_ms < end_ms)
            ev[k++] = e->removed_ms * 2; /* a removal sorts before an addition */
    }
    qsort(ev, k, sizeof *ev, import_compare_i64);
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
    return platform_get(p)->catalog_family;
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

/* The first platform whose sign (models/platform.h, log_sign) a setting of
 * the log carries, settings in log order and platforms in table order; a
 * plain VM cluster when none does. */
static void detect_platform(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    im->platform = PLATFORM_VM;
    /* "no Databricks, Synapse or HDInsight settings in the log" */
    const char *labels[PLATFORM_COUNT];
    size_t n_labels = 0;
    for (int p = 0; p < PLATFORM_COUNT; p++)
        if (platform_get((enum platform)p)->log_sign.label)
            labels[n_labels++] = platform_get((enum platform)p)->log_sign.label;
    size_t used = (size_t)snprintf(im->platform_why, sizeof im->platform_why, "no ");
    for (size_t i = 0; i < n_labels && used < sizeof im->platform_why; i++) {
        const char *sep = i == 0 ? "" : i + 1 < n_labels ? ", " : " or ";
        used += (size_t)snprintf(im->platform_why + used, sizeof im->platform_why - used, "%s%s",
                                 sep, labels[i]);
    }
    if (used < sizeof im->platform_why)
        snprintf(im->platform_why + used, sizeof im->platform_why - used, " settings in the log");
    for (size_t i = 0; i < log->n_props; i++) {
        const char *k = log->props[i].key, *v = log->props[i].value;
        char low[96];
        size_t j = 0;
        for (; v[j] && j + 1 < sizeof low; j++)
            low[j] = (char)tolower((unsigned char)v[j]);
        low[j] = '\0';
        for (int p = 0; p < PLATFORM_COUNT; p++) {
            const struct platform_log_sign *sign = &platform_get((enum platform)p)->log_sign;
            if (sign->conf_prefix &&
                strncmp(k, sign->conf_prefix, strlen(sign->conf_prefix)) == 0) {
                im->platform = (enum platform)p;
                snprintf(im->platform_why, sizeof im->platform_why,
                         "the log has %s settings (%.80s)", sign->label, k);
                return;
            }
            if (sign->mention && (strstr(low, sign->mention) || strstr(k, sign->mention))) {
                im->platform = (enum platform)p;
                snprintf(im->platform_why, sizeof im->platform_why, "the log names %s (%.80s)",
                         sign->label, k);
                return;
            }
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
        heap = import_memory_mib(b, "spark.driver.memory");
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
        heap = import_memory_mib(b, "spark.executor.memory");
    if (!heap)
        heap = 1024;
    if (!over)
        over = import_memory_mib(b, "spark.executor.memoryOverhead");
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
        import_bad_property(b, p, "local, local[N], local[N,F] or local[*] with N >= 1",
                            "local[*] (the threads from the tasks that overlapped)");
        return 0;
    }
    return (int)n;
}

/* The cluster of a log with no executor of its own (local mode, or one that
 * lost its ExecutorAdded events): one executor, with the driver's cores. */
static void one_executor(struct builder *b, const struct evlog_executor *driver_exec)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    const char *master = evlog_property(log, "spark.master");
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
}

/* The most common executor core count, ties to the larger; *n_with how
 * many executors had it. */
static int common_cores(const struct evlog *log, int *n_with)
{
    int best = 0, best_n = 0;
    for (size_t i = 0; i < log->n_executors; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (import_is_driver(e))
            continue;
        int n = 0;
        for (size_t j = 0; j < log->n_executors; j++)
            n += !import_is_driver(&log->executors[j]) && log->executors[j].cores == e->cores;
        if (n > best_n || (n == best_n && e->cores > best)) {
            best = e->cores;
            best_n = n;
        }
    }
    *n_with = best_n;
    return best;
}

static int compare_timeline(const void *a, const void *b)
{
    const struct import_executor *x = a, *y = b;
    if (x->start_s != y->start_s)
        return (x->start_s > y->start_s) - (x->start_s < y->start_s);
    return (x->end_s > y->end_s) - (x->end_s < y->end_s);
}

/* The most executors of the timeline alive at once (one leaving when
 * another joins makes room): the alive count just after each join. */
static int timeline_peak(const struct import *im)
{
    int peak = 0;
    for (size_t i = 0; i < im->n_timeline; i++) {
        int alive = 0;
        for (size_t j = 0; j < im->n_timeline; j++)
            alive += im->timeline[j].start_s <= im->timeline[i].start_s &&
                     im->timeline[j].end_s > im->timeline[i].start_s;
        peak = alive > peak ? alive : peak;
    }
    return peak;
}

/* The log's executors as they came and went while jobs ran (start_ms to
 * end_ms), for cluster.executors: each from its ExecutorAdded (0 when it
 * was there before the first job) to its ExecutorRemoved (none when it
 * stayed past the last job), with its own cores (dflt when the log gives
 * none). Only executors that ran a task count when any did, as in
 * executor_arrivals. Sorted by start. Returns how many, or -1 when memory
 * runs out. */
static int executor_timeline(struct builder *b, int dflt)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    size_t n = log->n_executors;
    bool *ran = calloc(n + 1, sizeof *ran);
    im->timeline = malloc((n ? n : 1) * sizeof *im->timeline);
    if (!ran || !im->timeline) {
        free(ran);
        return -1;
    }
    bool any_ran = mark_executors_that_ran(log, ran);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct evlog_executor *e = &log->executors[i];
        bool removed;
        if (!executor_counts(log, i, ran, any_ran, im->start_ms, im->end_ms, &removed))
            continue; /* the driver, no task, or not alive while jobs ran */
        struct import_executor *x = &im->timeline[k];
        x->start_s = e->added_ms > im->start_ms ? import_ms_to_s(e->added_ms - im->start_ms) : 0.0;
        x->end_s = removed && e->removed_ms < im->end_ms
                       ? import_ms_to_s(e->removed_ms - im->start_ms)
                       : INFINITY;
        if (!(x->end_s > x->start_s))
            continue;
        x->cores = e->cores > 0 ? e->cores : dflt;
        x->log_executor = (int32_t)i;
        x->resource_profile = e->resource_profile;
        /* Its removal failed tasks, and the application caused it. */
        x->lost_by_app = false;
        for (size_t t = 0; t < log->n_tasks && removed; t++)
            x->lost_by_app |= log->tasks[t].executor == (int32_t)i &&
                              log->tasks[t].executor_lost && log->tasks[t].exit_by_app;
        x->host[0] = '\0';
        /* A host name too long for the scenario stays unknown: the
         * executor is then a host of its own. */
        if (e->host && strlen(e->host) < sizeof x->host)
            strcpy(x->host, e->host);
        k++;
    }
    free(ran);
    im->n_timeline = k;
    qsort(im->timeline, k, sizeof *im->timeline, compare_timeline);
    im->timeline_peak = timeline_peak(im);
    return (int)k;
}

/* How many executors the scenario gives and, when some registered after the
 * first job's submission, when each does (see executor_arrivals). Returns
 * whether some did, or -1 when memory runs out. */
static int executor_starts(struct builder *b, size_t n_exec)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    int64_t *at;
    int count = executor_arrivals(log, im->start_ms, im->end_ms, &at);
    if (count < 0)
        return -1;
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
            return -1;
        }
        for (int e = 0; late && e < count; e++)
            im->executor_start_s[e] = import_ms_to_s(at[e] - im->start_ms);
        im->n_executor_start_s = late ? (size_t)count : 0;
    }
    free(at);
    if (im->executors < 1)
        im->executors = 1;
    return late;
}

/* The executors of a log that has them: the common core count, as many as
 * were alive at once, when each registered, and why, in executors_why and
 * the notes. */
static void executors_as_logged(struct builder *b, size_t n_exec, size_t removed)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    int best_n;
    int best = common_cores(log, &best_n);
    im->executor_cores = best;
    int late = executor_starts(b, n_exec);
    if (late < 0 || executor_timeline(b, best) < 0) {
        b->oom = true;
        return;
    }
    if (im->n_timeline) {
        /* The timeline says when each executor came and went: the scenario
         * gives that, and as many executors as were alive at once at most
         * for a what-if that drops it. */
        free(im->executor_start_s);
        im->executor_start_s = NULL;
        im->n_executor_start_s = 0;
        late = 0;
        im->executors = im->timeline_peak;
        size_t left = 0;
        for (size_t i = 0; i < im->n_timeline; i++)
            left += isfinite(im->timeline[i].end_s);
        snprintf(im->executors_why, sizeof im->executors_why,
                 "%d executor%s of %d core%s: the most alive at once while jobs ran (%zu came, "
                 "%zu left before the last job ended, as cluster.executors says)",
                 im->executors, im->executors == 1 ? "" : "s", best, best == 1 ? "" : "s",
                 im->n_timeline, left);
        if ((size_t)best_n < n_exec)
            import_note(b,
                        "executors had different core counts (%d, the count of %d of the %zu "
                        "executors, is the default); cluster.executors gives each its own",
                        best, best_n, n_exec);
        return;
    }
    int len = snprintf(im->executors_why, sizeof im->executors_why, "%d executor%s of %d core%s",
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
        import_note(b,
                    "executors had different core counts; the scenario gives all of them %d "
                    "cores, the count %d of the %zu executors had",
                    best, best_n, n_exec);
    if (removed > 0)
        for (size_t i = 0; i < log->n_executors; i++) {
            const struct evlog_executor *e = &log->executors[i];
            if (!import_is_driver(e) && e->removed_ms != EVLOG_NONE &&
                log->app_end_ms != EVLOG_NONE && e->removed_ms < log->app_end_ms - 1000) {
                import_note(b,
                            "%zu of %zu executors were removed before the application ended "
                            "(executor %s: %s); the scenario keeps each of its %d executor%s "
                            "from its registration to the end",
                            removed, n_exec, e->id, e->removed_reason ? e->removed_reason : "?",
                            im->executors, im->executors == 1 ? "" : "s");
                break;
            }
        }
}

/* Executors with more cores than the largest node (maxv vCPUs) are split
 * into equal executors that fit: the same task slots. */
static void split_large_executors(struct builder *b, int maxv)
{
    struct import *im = b->im;
    int most = im->executor_cores;
    for (size_t i = 0; i < im->n_timeline; i++)
        most = im->timeline[i].cores > most ? im->timeline[i].cores : most;
    if (maxv <= 0 || most <= maxv)
        return;
    int q = maxv;
    while (q > 1 && im->executor_cores % q != 0)
        q--;
    import_note(b,
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
    if (im->n_timeline) {
        /* Each executor of the timeline larger than q cores is written as
         * parts of q cores that come and go together. */
        size_t n = 0;
        for (size_t i = 0; i < im->n_timeline; i++)
            n += (size_t)((im->timeline[i].cores + q - 1) / q);
        struct import_executor *t = malloc(n * sizeof *t);
        if (!t) {
            b->oom = true;
            return;
        }
        size_t k = 0;
        for (size_t i = 0; i < im->n_timeline; i++)
            for (int left = im->timeline[i].cores; left > 0; left -= q) {
                t[k] = im->timeline[i];
                t[k++].cores = left < q ? left : q;
            }
        free(im->timeline);
        im->timeline = t;
        im->n_timeline = n;
        im->timeline_peak = timeline_peak(im);
    }
    im->executors *= split;
    im->executor_cores = q;
}

int import_timeline_entry(const struct import *im, int32_t log_exec)
{
    for (size_t j = 0; j < im->n_timeline && log_exec >= 0; j++)
        if (im->timeline[j].log_executor == log_exec)
            return (int)j;
    return -1;
}

int import_task_locality(const struct import *im, const struct import_stage *s, int64_t i,
                         char *buf, size_t size)
{
    int32_t k = import_timeline_entry(im, s->task_executor[i]);
    switch (s->task_locality[i]) {
    case EVLOG_PROCESS_LOCAL:
    case EVLOG_NODE_LOCAL:
        if (k < 0)
            break;
        snprintf(buf, size, "%s:%d",
                 s->task_locality[i] == EVLOG_PROCESS_LOCAL ? "process" : "node", (int)k);
        return 0;
    case EVLOG_RACK_LOCAL: snprintf(buf, size, "rack"); return 0;
    case EVLOG_ANY: snprintf(buf, size, "elsewhere"); return 0;
    default: break;
    }
    snprintf(buf, size, "%s", "");
    return 0;
}

/* Executors on host, the driver's left out. */
static int executors_on(const struct evlog *log, const char *host)
{
    int k = 0;
    for (size_t j = 0; j < log->n_executors; j++)
        k += !import_is_driver(&log->executors[j]) && log->executors[j].host &&
             strcmp(log->executors[j].host, host) == 0;
    return k;
}

/* Workers: one per host when every host ran the same number of executors
 * and never more than at the peak (and they fit a node of maxv vCPUs); else
 * one per executor. */
static void workers_by_host(struct builder *b, size_t n_exec, int maxv)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    im->workers = im->executors;
    im->executors_per_worker = 1;
    if (n_exec == 0 || n_exec != (size_t)im->executors || platform_get(im->platform)->layout.fixed)
        return;
    size_t hosts = 0;
    int per_host = -1;
    bool even = true;
    for (size_t i = 0; i < log->n_executors && even; i++) {
        const struct evlog_executor *e = &log->executors[i];
        if (import_is_driver(e) || !e->host)
            continue;
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            if (!import_is_driver(&log->executors[j]) && log->executors[j].host &&
                strcmp(log->executors[j].host, e->host) == 0)
                seen = true;
        if (seen)
            continue;
        hosts++;
        int k = executors_on(log, e->host);
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

/* The worker and driver node sizes: as the log says (Databricks tags its
 * node types), else the closest catalog match to a worker's executors of
 * mem MiB each. */
static void choose_nodes(struct builder *b, int64_t mem)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    const char *tag = evlog_property(log, "spark.databricks.clusterUsageTags.clusterNodeType");
    const struct node_type *node = tag ? catalog_find(b->cat, tag) : NULL;
    int most = im->executor_cores;
    for (size_t i = 0; i < im->n_timeline; i++)
        most = im->timeline[i].cores > most ? im->timeline[i].cores : most;
    int need_v = im->executors_per_worker * most;
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
            import_note(b, "the log's node type %s is not in the catalog; %s is the closest match",
                        tag, node ? node->name : "?");
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

void import_layout_cluster(struct builder *b)
{
    const struct evlog *log = b->log;
    struct import *im = b->im;
    size_t n_exec = 0, removed = 0;
    const struct evlog_executor *driver_exec = NULL;
    for (size_t i = 0; i < log->n_executors; i++) {
        if (import_is_driver(&log->executors[i])) {
            driver_exec = &log->executors[i];
            continue;
        }
        n_exec++;
        removed += log->executors[i].removed_ms != EVLOG_NONE;
    }
    if (n_exec == 0)
        one_executor(b, driver_exec);
    else
        executors_as_logged(b, n_exec, removed);
    if (b->oom)
        return;

    detect_platform(b);
    int64_t mem = executor_memory(b, im->local_mode || n_exec == 0);
    im->executor_memory_mib = mem;
    int maxv = max_vcpus(b->cat, im->platform);
    split_large_executors(b, maxv);
    if (b->oom)
        return;
    workers_by_host(b, n_exec, maxv);
    choose_nodes(b, mem);
}
