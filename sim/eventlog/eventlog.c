/*
 * eventlog.c — reading a Spark event log into memory (see eventlog.h). This
 * is the first step of `stagecast import` and `stagecast replay`: bytes ->
 * JSON events -> the application's executors, jobs, stages and tasks. The
 * importer turns that into a scenario; nothing here decides what a run means.
 *
 * Layers, bottom up:
 *  - a byte source: the file as it is, a zstd stream (libzstd), Spark's
 *    lz4 codec, or gzip (zlib: Databricks's rolled logs) (evlog_source.c);
 *  - a line splitter, which knows whether the last line had its newline
 *    (evlog_source.c too);
 *  - one jansson parse per line, and a handler per event type that takes the
 *    fields stagecast uses under the names Spark 1.x-3.x give them and
 *    ignores the rest (evlog_events.c). Per-task metrics are summed into their stage attempt
 *    as they are read, so memory grows with tasks by one small record each.
 *
 * A directory is read as Spark 3's rolling event log (eventlog_v2_*): its
 * events_<n>_* files in order of n.
 */
#include "sim/eventlog/eventlog.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/eventlog/evlog_reader.h"
#include "sim/eventlog/evlog_source.h"

const char *evlog_codec_name(enum evlog_codec c)
{
    switch (c) {
    case EVLOG_PLAIN: return "plain";
    case EVLOG_ZSTD: return "zstd";
    case EVLOG_LZ4: return "lz4";
    case EVLOG_GZIP: return "gzip";
    }
    return "?";
}

static int read_file(struct reader *r, const char *path)
{
    struct evlog_source src;
    r->file = path;
    r->line = 0;
    if (evlog_source_open(&src, path, r->d) != SC_OK) {
        evlog_source_close(&src);
        return -1;
    }
    if (src.codec != EVLOG_PLAIN)
        r->log->codec = src.codec;
    struct evlog_lines l = {.src = &src};
    int rc = 0;
    for (;;) {
        const char *text;
        size_t len;
        bool complete;
        int got = evlog_lines_next(&l, &text, &len, &complete, r->line + 1, r->d);
        if (got < 0) {
            rc = -1;
            break;
        }
        if (got == 0)
            break;
        r->line++;
        r->log->lines++;
        if (evlog_on_line(r, text, len, complete) != 0) {
            rc = -1;
            break;
        }
    }
    if (src.truncated)
        r->log->stream_truncated = true;
    free(l.buf);
    evlog_source_close(&src);
    return rc;
}

/* ---------------------------------------------------- rolling log dirs */

struct part {
    long n;
    char *path;
};

static int compare_parts(const void *a, const void *b)
{
    const struct part *x = a, *y = b;
    return (x->n > y->n) - (x->n < y->n);
}

/* The events_<n>_* files of a rolling event log directory, in order. */
static int list_parts(const char *dir, struct part **out, size_t *n, struct diag *d)
{
    *out = NULL;
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return diag_set(d, SC_EIO, dir, 0, "cannot read directory: %s", strerror(errno)), -1;
    struct dirent *e;
    size_t cap = 0;
    int rc = 0;
    while ((e = readdir(dp)) != NULL) {
        char *end;
        if (strncmp(e->d_name, "events_", 7) != 0)
            continue;
        long k = strtol(e->d_name + 7, &end, 10);
        if (end == e->d_name + 7 || *end != '_')
            continue;
        if (*n == cap) {
            size_t c = cap ? cap * 2 : 8;
            struct part *p = realloc(*out, c * sizeof *p);
            if (!p) {
                rc = -1;
                break;
            }
            *out = p;
            cap = c;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        if (!path) {
            rc = -1;
            break;
        }
        snprintf(path, len, "%s/%s", dir, e->d_name);
        (*out)[*n].n = k;
        (*out)[(*n)++].path = path;
    }
    closedir(dp);
    if (rc != 0)
        return diag_set(d, SC_ENOMEM, dir, 0, "out of memory"), -1;
    if (*n == 0)
        return diag_set(d, SC_EINPUT, dir, 0,
                        "a directory, but not a Spark rolling event log: no events_<n>_* files "
                        "in it"),
               -1;
    qsort(*out, *n, sizeof **out, compare_parts);
    return 0;
}

/* ------------------------------------------------------------- finish */

static int compare_jobs(const void *a, const void *b)
{
    const struct evlog_job *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int compare_stages(const void *a, const void *b)
{
    const struct evlog_stage *x = a, *y = b;
    if (x->id != y->id)
        return (x->id > y->id) - (x->id < y->id);
    return (x->attempt > y->attempt) - (x->attempt < y->attempt);
}

static int compare_tasks(const void *a, const void *b)
{
    const struct evlog_task *x = a, *y = b;
    if (x->stage_id != y->stage_id)
        return (x->stage_id > y->stage_id) - (x->stage_id < y->stage_id);
    if (x->stage_attempt != y->stage_attempt)
        return (x->stage_attempt > y->stage_attempt) - (x->stage_attempt < y->stage_attempt);
    if (x->index != y->index)
        return (x->index > y->index) - (x->index < y->index);
    if (x->attempt != y->attempt)
        return (x->attempt > y->attempt) - (x->attempt < y->attempt);
    return (x->line > y->line) - (x->line < y->line);
}

static int compare_props(const void *a, const void *b)
{
    const struct evlog_property *x = a, *y = b;
    return strcmp(x->key, y->key);
}

static void finish(struct evlog *log)
{
    if (log->n_jobs > 1)
        qsort(log->jobs, log->n_jobs, sizeof *log->jobs, compare_jobs);
    if (log->n_stages > 1)
        qsort(log->stages, log->n_stages, sizeof *log->stages, compare_stages);
    if (log->n_tasks > 1)
        qsort(log->tasks, log->n_tasks, sizeof *log->tasks, compare_tasks);
    if (log->n_props > 1) {
        /* A later EnvironmentUpdate overrides an earlier one: the sort is not
         * stable, so mark order first by keeping the last of equal keys. */
        for (size_t i = 0; i < log->n_props; i++)
            for (size_t j = i + 1; j < log->n_props && log->props[i].key; j++)
                if (log->props[j].key && strcmp(log->props[i].key, log->props[j].key) == 0) {
                    free(log->props[i].key);
                    free(log->props[i].value);
                    log->props[i].key = log->props[i].value = NULL;
                    break;
                }
        size_t m = 0;
        for (size_t i = 0; i < log->n_props; i++)
            if (log->props[i].key)
                log->props[m++] = log->props[i];
        log->n_props = m;
        qsort(log->props, log->n_props, sizeof *log->props, compare_props);
    }
}

struct evlog *evlog_read(const char *path, const struct evlog_options *opt, struct diag *d)
{
    struct evlog *log = calloc(1, sizeof *log);
    if (!log || !(log->path = strdup(path))) {
        free(log);
        diag_set(d, SC_ENOMEM, path, 0, "out of memory");
        return NULL;
    }
    log->app_start_ms = log->app_end_ms = EVLOG_NONE;
    log->driver_max_memory = EVLOG_NONE;
    struct reader r = {.log = log, .opt = opt, .d = d, .file = path};
    struct stat sb;
    int rc = 0;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        struct part *parts;
        size_t n;
        rc = list_parts(path, &parts, &n, d);
        for (size_t i = 0; i < n; i++) {
            if (rc == 0)
                rc = read_file(&r, parts[i].path);
            if (rc == 0 && log->truncated && i + 1 < n)
                /* Only the newest part may end mid-line. */
                rc = evlog_bad_line(&r, "this part of a rolling log ends mid-line");
            free(parts[i].path);
        }
        free(parts);
        r.file = path;
    } else {
        rc = read_file(&r, path);
    }
    evlog_idmap_free(&r.job_ids);
    evlog_idmap_free(&r.stage_ids);
    jdoc_fini(&r.doc);
    if (rc == 0)
        rc = evlog_check_span(&r);
    if (rc == 0)
        rc = evlog_report_implausible(&r);
    if (rc == 0 && log->lines == 0) {
        if (log->stream_truncated)
            diag_set(d, SC_EINPUT, path, 0,
                     "the %s stream is cut off before its first complete block: nothing could "
                     "be decoded",
                     evlog_codec_name(log->codec));
        else
            diag_set(d, SC_EINPUT, path, 0, "empty file: no Spark events in it");
        rc = -1;
    }
    if (rc == 0 && log->events == 0) {
        if (log->n_warnings > 0)
            diag_set(d, SC_EINPUT, path, 0,
                     "not a Spark event log: none of its %d lines is a JSON event (%s)", log->lines,
                     log->warnings[0]);
        else
            diag_set(d, SC_EINPUT, path, 0,
                     "not a Spark event log: none of its %d lines is a JSON event", log->lines);
        rc = -1;
    }
    if (rc != 0) {
        evlog_free(log);
        return NULL;
    }
    finish(log);
    return log;
}

void evlog_free(struct evlog *log)
{
    if (!log)
        return;
    free(log->path);
    free(log->spark_version);
    free(log->app_name);
    free(log->app_id);
    free(log->driver_host);
    for (size_t i = 0; i < log->n_props; i++) {
        free(log->props[i].key);
        free(log->props[i].value);
    }
    free(log->props);
    for (size_t i = 0; i < log->n_executors; i++) {
        free(log->executors[i].id);
        free(log->executors[i].host);
        free(log->executors[i].removed_reason);
    }
    free(log->executors);
    free(log->profiles);
    for (size_t i = 0; i < log->n_jobs; i++) {
        evlog_job_stages_free(&log->jobs[i]);
        free(log->jobs[i].pool);
        free(log->jobs[i].description);
        free(log->jobs[i].failure);
    }
    free(log->jobs);
    free(log->sqls);
    for (size_t i = 0; i < log->n_stages; i++) {
        free(log->stages[i].name);
        free(log->stages[i].parents);
        free(log->stages[i].failure);
    }
    free(log->stages);
    free(log->tasks);
    for (size_t i = 0; i < log->n_warnings; i++)
        free(log->warnings[i]);
    free(log->warnings);
    free(log);
}

const char *evlog_property(const struct evlog *log, const char *key)
{
    const struct evlog_property *p = evlog_property_find(log, key);
    return p ? p->value : NULL;
}

const struct evlog_property *evlog_property_find(const struct evlog *log, const char *key)
{
    size_t lo = 0, hi = log->n_props;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(log->props[mid].key, key);
        if (c == 0)
            return &log->props[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct evlog_job *evlog_job_find(const struct evlog *log, int64_t id)
{
    size_t lo = 0, hi = log->n_jobs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (log->jobs[mid].id == id)
            return &log->jobs[mid];
        if (log->jobs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct evlog_stage *evlog_stage_find(const struct evlog *log, int64_t id, int32_t attempt)
{
    size_t lo = 0, hi = log->n_stages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct evlog_stage *s = &log->stages[mid];
        if (s->id == id && s->attempt == attempt)
            return s;
        if (s->id < id || (s->id == id && s->attempt < attempt))
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct evlog_task *evlog_stage_tasks(const struct evlog *log, int64_t stage_id,
                                           int32_t attempt, size_t *n)
{
    /* The first task of (stage, attempt), by binary search on the sorted
     * tasks, then the run of tasks that share it. */
    size_t lo = 0, hi = log->n_tasks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct evlog_task *t = &log->tasks[mid];
        if (t->stage_id < stage_id || (t->stage_id == stage_id && t->stage_attempt < attempt))
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < log->n_tasks && log->tasks[end].stage_id == stage_id &&
           log->tasks[end].stage_attempt == attempt)
        end++;
    *n = end - lo;
    return *n ? &log->tasks[lo] : NULL;
}
