/*
 * evlog_events.c — the events of a Spark event log into struct evlog: each
 * line scanned into tokens (jdoc.h; jansson where the scanner leaves a line
 * to it), then a handler per event type that takes the fields stagecast
 * uses under the names Spark 1.x-3.x give them and ignores the rest: task
 * events from the tokens, the rarer events from jansson's objects, and the
 * events stagecast does not use only counted, never built. Per-task
 * metrics are summed into their stage attempt as they are read, so memory
 * grows with tasks by one small record each. A line that is not a usable
 * event is skipped with a warning naming file:line (an error when strict).
 * Called by eventlog.c's reader (evlog_reader.h).
 */
#include "sim/eventlog/evlog_reader.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- id lookups */

static uint64_t idmap_hash(int64_t k)
{
    uint64_t x = (uint64_t)k;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static bool idmap_get(const struct idmap *m, int64_t key, size_t *val)
{
    if (m->cap == 0)
        return false;
    for (size_t i = idmap_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == IDMAP_EMPTY)
            return false;
        if (m->keys[i] == key) {
            *val = m->vals[i];
            return true;
        }
    }
}

static int idmap_put(struct idmap *m, int64_t key, size_t val)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        int64_t *keys = malloc(cap * sizeof *keys);
        size_t *vals = malloc(cap * sizeof *vals);
        if (!keys || !vals) {
            free(keys);
            free(vals);
            return -1;
        }
        for (size_t i = 0; i < cap; i++)
            keys[i] = IDMAP_EMPTY;
        for (size_t i = 0; i < m->cap; i++) {
            if (m->keys[i] == IDMAP_EMPTY)
                continue;
            size_t j = idmap_hash(m->keys[i]) & (cap - 1);
            while (keys[j] != IDMAP_EMPTY)
                j = (j + 1) & (cap - 1);
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = keys;
        m->vals = vals;
        m->cap = cap;
    }
    size_t i = idmap_hash(key) & (m->cap - 1);
    while (m->keys[i] != IDMAP_EMPTY && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    if (m->keys[i] == IDMAP_EMPTY)
        m->n++;
    m->keys[i] = key;
    m->vals[i] = val;
    return 0;
}

void evlog_idmap_free(struct idmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

static int64_t stage_key(int64_t id, int32_t attempt)
{
    return id * 4096 + (attempt & 4095);
}

/* -------------------------------------------------------------- reader */

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 16;
    void *p = realloc(*arr, c * elem);
    if (!p)
        return -1;
    memset((char *)p + *cap * elem, 0, (c - *cap) * elem);
    *arr = p;
    *cap = c;
    return 0;
}

static int nomem(struct reader *r)
{
    r->oom = true;
    diag_set(r->d, SC_ENOMEM, r->file, r->line, "out of memory reading the event log");
    return -1;
}

/* Records a warning "file:line: message" (or fails, when strict). */
static int warn(struct reader *r, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int warn(struct reader *r, int line, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->opt && r->opt->strict) {
        diag_set(r->d, SC_EINPUT, r->file, line, "%s", msg);
        return -1;
    }
    struct evlog *log = r->log;
    if (log->n_warnings >= EVLOG_MAX_WARNINGS) {
        log->warnings_dropped++;
        return 0;
    }
    char text[900];
    snprintf(text, sizeof text, "%s:%d: %s", r->file, line, msg);
    char **w = realloc(log->warnings, (log->n_warnings + 1) * sizeof *w);
    if (!w)
        return nomem(r);
    log->warnings = w;
    if (!(w[log->n_warnings] = strdup(text)))
        return nomem(r);
    log->n_warnings++;
    return 0;
}

/* A malformed line: skipped with a warning. */
int evlog_bad_line(struct reader *r, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->log->bad_lines++;
    return warn(r, r->line, "%s", msg);
}

/* The first line of text, at most 200 bytes, as a new string. */
static char *first_line(const char *text)
{
    if (!text)
        return NULL;
    size_t n = strcspn(text, "\r\n");
    if (n > 200)
        n = 200;
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, text, n);
        s[n] = '\0';
    }
    return s;
}

static bool get_int(json_t *obj, const char *key, int64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        double x = json_real_value(v);
        if (x == floor(x) && fabs(x) < 9.0e18) {
            *out = (int64_t)x;
            return true;
        }
    }
    return false;
}

static void implausible(struct reader *r, enum evlog_implausible kind)
{
    if (r->implausible[kind]++ == 0)
        r->implausible_line[kind] = r->line;
}

/* An optional metric: EVLOG_NONE when absent or not a number, and when
 * negative or above max (counted as implausible). */
static int64_t metric_max(struct reader *r, json_t *obj, const char *key, int64_t max)
{
    int64_t v;
    if (!obj || !get_int(obj, key, &v))
        return EVLOG_NONE;
    if (v < 0 || v > max) {
        implausible(r, IMPL_METRIC_OUT_OF_RANGE);
        return EVLOG_NONE;
    }
    return v;
}

/* An event's timestamp (epoch ms): true and *out set when present and in
 * (0, EVLOG_MAX_TIME_MS]; one out of that range is counted as implausible
 * and read as absent (the arithmetic on times, ms to us, stays in int64). */
static bool get_time(struct reader *r, json_t *obj, const char *key, int64_t *out)
{
    int64_t v;
    if (!get_int(obj, key, &v))
        return false;
    if (v <= 0 || v > EVLOG_MAX_TIME_MS) {
        implausible(r, IMPL_TIME_OUT_OF_RANGE);
        return false;
    }
    *out = v;
    return true;
}

static int64_t metric(struct reader *r, json_t *obj, const char *key)
{
    return metric_max(r, obj, key, EVLOG_MAX_VALUE);
}

static const char *get_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static char *dup_str(struct reader *r, const char *s)
{
    if (!s)
        return NULL;
    char *c = strdup(s);
    if (!c)
        nomem(r);
    return c;
}

/* Adds b to the sum *a, keeping EVLOG_NONE while no value has come. Both are
 * at most EVLOG_MAX_VALUE, so the int64 sum cannot overflow; a sum past
 * EVLOG_MAX_VALUE is capped there and counted. */
static void add_metric(struct reader *r, int64_t *a, int64_t b)
{
    if (b == EVLOG_NONE)
        return;
    int64_t sum = *a == EVLOG_NONE ? b : *a + b;
    if (sum > EVLOG_MAX_VALUE) {
        implausible(r, IMPL_SUM_OVERFLOW);
        sum = EVLOG_MAX_VALUE;
    }
    *a = sum;
}

static void metrics_init(struct evlog_metrics *m)
{
    int64_t *p = (int64_t *)m;
    for (size_t i = 0; i < sizeof *m / sizeof(int64_t); i++)
        p[i] = EVLOG_NONE;
}

/* Reads an int64 array ("Parent IDs", "Stage IDs"). */
static int get_id_array(struct reader *r, json_t *arr, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(arr))
        return 1;
    size_t k = json_array_size(arr);
    if (k == 0)
        return 0;
    int64_t *v = calloc(k, sizeof *v);
    if (!v)
        return nomem(r);
    size_t m = 0;
    for (size_t i = 0; i < k; i++) {
        json_t *e = json_array_get(arr, i);
        if (!json_is_integer(e) || json_integer_value(e) < 0) {
            free(v);
            return 1;
        }
        v[m++] = (int64_t)json_integer_value(e);
    }
    *out = v;
    *n = m;
    return 0;
}

/* ---- stages ---- */

static struct evlog_stage *stage_get(struct reader *r, int64_t id, int32_t attempt)
{
    struct evlog *log = r->log;
    size_t i;
    if (idmap_get(&r->stage_ids, stage_key(id, attempt), &i))
        return &log->stages[i];
    if (grow((void **)&log->stages, &r->cap_stages, log->n_stages, sizeof *log->stages) != 0 ||
        idmap_put(&r->stage_ids, stage_key(id, attempt), log->n_stages) != 0) {
        nomem(r);
        return NULL;
    }
    struct evlog_stage *st = &log->stages[log->n_stages++];
    memset(st, 0, sizeof *st);
    st->id = id;
    st->attempt = attempt;
    st->num_tasks = EVLOG_NONE;
    st->submit_ms = st->complete_ms = EVLOG_NONE;
    st->status = EVLOG_STAGE_RUNNING;
    st->line = r->line;
    metrics_init(&st->metrics);
    return st;
}

/* Fills a stage attempt from a "Stage Info" object (StageSubmitted and
 * StageCompleted carry the same object, the latter with more filled in). */
static int read_stage_info(struct reader *r, json_t *info, const char *event, bool completed)
{
    int64_t id, attempt = 0;
    if (!json_is_object(info) || !get_int(info, "Stage ID", &id) || id < 0)
        return evlog_bad_line(r, "%s without a valid \"Stage Info\" / \"Stage ID\"; event skipped",
                              event);
    /* "Stage Attempt ID" (1.2+); older logs have only attempt 0. */
    if (!get_int(info, "Stage Attempt ID", &attempt))
        get_int(info, "Attempt ID", &attempt);
    if (attempt < 0 || attempt > 4095)
        return evlog_bad_line(r, "%s: stage %lld has attempt %lld; event skipped", event,
                              (long long)id, (long long)attempt);
    struct evlog_stage *st = stage_get(r, id, (int32_t)attempt);
    if (!st)
        return -1;
    int64_t v;
    if (get_int(info, "Number of Tasks", &v) && v >= 0)
        st->num_tasks = v;
    if (!st->name) {
        const char *name = get_str(info, "Stage Name");
        if (name && !(st->name = first_line(name)))
            return nomem(r);
    }
    json_t *parents = json_object_get(info, "Parent IDs");
    if (parents && !st->has_parents) {
        if (get_id_array(r, parents, &st->parents, &st->n_parents) < 0)
            return -1;
        st->has_parents = json_is_array(parents);
    }
    if (get_time(r, info, "Submission Time", &v))
        st->submit_ms = v;
    if (get_int(info, "Resource Profile Id", &v))
        st->resource_profile = v;
    if (!completed) {
        st->line = r->line;
        return 0;
    }
    if (get_time(r, info, "Completion Time", &v))
        st->complete_ms = v;
    const char *why = get_str(info, "Failure Reason");
    if (why) {
        st->status = EVLOG_STAGE_FAILED;
        free(st->failure);
        if (!(st->failure = first_line(why)))
            return nomem(r);
    } else {
        st->status = EVLOG_STAGE_COMPLETED;
    }
    return 0;
}

/* ---- jobs ---- */

static struct evlog_job *job_get(struct reader *r, int64_t id, bool *fresh)
{
    struct evlog *log = r->log;
    size_t i;
    *fresh = false;
    if (idmap_get(&r->job_ids, id, &i))
        return &log->jobs[i];
    if (grow((void **)&log->jobs, &r->cap_jobs, log->n_jobs, sizeof *log->jobs) != 0 ||
        idmap_put(&r->job_ids, id, log->n_jobs) != 0) {
        nomem(r);
        return NULL;
    }
    struct evlog_job *j = &log->jobs[log->n_jobs++];
    memset(j, 0, sizeof *j);
    j->id = id;
    j->submit_ms = j->end_ms = EVLOG_NONE;
    j->sql_id = -1;
    j->line = r->line;
    *fresh = true;
    return j;
}

void evlog_job_stages_free(struct evlog_job *j)
{
    for (size_t i = 0; i < j->n_stages; i++) {
        free(j->stages[i].parents);
        free(j->stages[i].name);
    }
    free(j->stages);
    j->stages = NULL;
    j->n_stages = 0;
}

static int on_job_start(struct reader *r, json_t *ev)
{
    int64_t id;
    if (!get_int(ev, "Job ID", &id) || id < 0)
        return evlog_bad_line(r, "SparkListenerJobStart without a valid \"Job ID\"; event skipped");
    json_t *infos = json_object_get(ev, "Stage Infos");
    json_t *ids = json_object_get(ev, "Stage IDs");
    if ((infos && !json_is_array(infos)) || (ids && !json_is_array(ids)) || (!infos && !ids))
        return evlog_bad_line(r,
                              "SparkListenerJobStart of job %lld has no valid \"Stage Infos\" or "
                              "\"Stage IDs\"; event skipped",
                              (long long)id);
    bool fresh;
    struct evlog_job *j = job_get(r, id, &fresh);
    if (!j)
        return -1;
    if (!fresh && j->stages)
        return warn(r, r->line,
                    "job %lld started twice (first at line %d); the second start "
                    "is ignored",
                    (long long)id, j->line);
    j->line = r->line;
    int64_t v;
    if (get_time(r, ev, "Submission Time", &v))
        j->submit_ms = v;
    size_t n = infos ? json_array_size(infos) : json_array_size(ids);
    if (n > 0 && !(j->stages = calloc(n, sizeof *j->stages)))
        return nomem(r);
    for (size_t i = 0; i < n; i++) {
        struct evlog_job_stage *js = &j->stages[j->n_stages];
        js->num_tasks = EVLOG_NONE;
        if (infos) {
            json_t *info = json_array_get(infos, i);
            int64_t sid;
            if (!json_is_object(info) || !get_int(info, "Stage ID", &sid) || sid < 0) {
                evlog_job_stages_free(j);
                return evlog_bad_line(r,
                                      "SparkListenerJobStart of job %lld: stage info %zu has no "
                                      "valid \"Stage ID\"; event skipped",
                                      (long long)id, i + 1);
            }
            js->id = sid;
            if (get_int(info, "Number of Tasks", &v) && v >= 0)
                js->num_tasks = v;
            json_t *parents = json_object_get(info, "Parent IDs");
            if (get_id_array(r, parents, &js->parents, &js->n_parents) < 0)
                return -1;
            js->has_parents = json_is_array(parents);
            const char *name = get_str(info, "Stage Name");
            if (name && !(js->name = first_line(name)))
                return nomem(r);
        } else {
            json_t *e = json_array_get(ids, i);
            if (!json_is_integer(e) || json_integer_value(e) < 0) {
                evlog_job_stages_free(j);
                return evlog_bad_line(r,
                                      "SparkListenerJobStart of job %lld: \"Stage IDs\" holds a "
                                      "non-id; event skipped",
                                      (long long)id);
            }
            js->id = (int64_t)json_integer_value(e);
        }
        j->n_stages++;
    }
    json_t *props = json_object_get(ev, "Properties");
    if (json_is_object(props)) {
        /* Spark writes the property as a string ("3"). */
        const char *sql = get_str(props, "spark.sql.execution.id");
        char *end = NULL;
        long long sql_id = sql ? strtoll(sql, &end, 10) : -1;
        if (sql && end != sql && *end == '\0' && sql_id >= 0)
            j->sql_id = sql_id;
        const char *pool = get_str(props, "spark.scheduler.pool");
        const char *desc = get_str(props, "spark.job.description");
        if (!desc)
            desc = get_str(props, "callSite.short");
        if ((pool && !(j->pool = first_line(pool))) ||
            (desc && !(j->description = first_line(desc))))
            return nomem(r);
    }
    return 0;
}

static int on_job_end(struct reader *r, json_t *ev)
{
    int64_t id;
    if (!get_int(ev, "Job ID", &id) || id < 0)
        return evlog_bad_line(r, "SparkListenerJobEnd without a valid \"Job ID\"; event skipped");
    bool fresh;
    struct evlog_job *j = job_get(r, id, &fresh);
    if (!j)
        return -1;
    int64_t v;
    if (get_time(r, ev, "Completion Time", &v))
        j->end_ms = v;
    j->end_line = r->line;
    json_t *res = json_object_get(ev, "Job Result");
    const char *what = get_str(res, "Result");
    if (what && strcmp(what, "JobSucceeded") == 0) {
        j->result = EVLOG_JOB_SUCCEEDED;
    } else {
        j->result = EVLOG_JOB_FAILED;
        json_t *ex = json_object_get(res, "Exception");
        const char *msg = get_str(ex, "Message");
        free(j->failure);
        if (!(j->failure = first_line(msg ? msg : what ? what : "no result given")))
            return nomem(r);
    }
    return 0;
}

/* ---- tasks ----
 *
 * Task events are most of a log (every SparkListenerTaskEnd carries the
 * task's accumulables, kilobytes the reader ignores), so they are read from
 * the line's tokens (jdoc.h) rather than from jansson's objects. The rules
 * are those of the jansson readers above: t_int is get_int, t_metric_max is
 * metric_max, a key given twice means its last value. */

static bool t_int(const struct reader *r, long obj, const char *key, int64_t *out)
{
    return jdoc_int(&r->doc, jdoc_get(&r->doc, obj, key), out);
}

static int64_t t_metric_max(struct reader *r, long obj, const char *key, int64_t max)
{
    int64_t v;
    if (!t_int(r, obj, key, &v))
        return EVLOG_NONE;
    if (v < 0 || v > max) {
        implausible(r, IMPL_METRIC_OUT_OF_RANGE);
        return EVLOG_NONE;
    }
    return v;
}

static int64_t t_metric(struct reader *r, long obj, const char *key)
{
    return t_metric_max(r, obj, key, EVLOG_MAX_VALUE);
}

/* A time metric in ms: at most as long as the longest task. */
static int64_t t_metric_ms(struct reader *r, long obj, const char *key)
{
    return t_metric_max(r, obj, key, EVLOG_MAX_DURATION_MS);
}

static int on_task_start(struct reader *r)
{
    int64_t sid, attempt = 0;
    if (!t_int(r, 0, "Stage ID", &sid) || sid < 0)
        return evlog_bad_line(r,
                              "SparkListenerTaskStart without a valid \"Stage ID\"; event skipped");
    t_int(r, 0, "Stage Attempt ID", &attempt);
    if (attempt < 0 || attempt > 4095)
        return evlog_bad_line(r, "SparkListenerTaskStart: bad \"Stage Attempt ID\"; event skipped");
    struct evlog_stage *st = stage_get(r, sid, (int32_t)attempt);
    if (!st)
        return -1;
    st->tasks_started++;
    return 0;
}

/* How a task ended, from its "Reason" (a string token). */
static enum evlog_end end_of(const struct jdoc *d, long reason)
{
    if (jdoc_str_eq(d, reason, "Success"))
        return EVLOG_SUCCESS;
    if (jdoc_str_eq(d, reason, "Resubmitted"))
        return EVLOG_RESUBMITTED;
    if (jdoc_str_eq(d, reason, "TaskKilled"))
        return EVLOG_KILLED;
    return EVLOG_FAILED;
}

static enum evlog_locality locality_of(const struct jdoc *d, long l)
{
    static const char *const names[] = {"PROCESS_LOCAL", "NODE_LOCAL", "NO_PREF", "RACK_LOCAL",
                                        "ANY"};
    for (int i = 0; i < 5; i++)
        if (jdoc_str_eq(d, l, names[i]))
            return (enum evlog_locality)i;
    return EVLOG_LOCALITY_UNKNOWN;
}

static void add_task_metrics(struct reader *r, struct evlog_metrics *m, long tm,
                             const struct evlog_task *t)
{
    const struct jdoc *d = &r->doc;
    long in = jdoc_get(d, tm, "Input Metrics");
    long out = jdoc_get(d, tm, "Output Metrics");
    long sr = jdoc_get(d, tm, "Shuffle Read Metrics");
    long sw = jdoc_get(d, tm, "Shuffle Write Metrics");
    /* Spark 1.x leaves out the groups a task did not use. */
    add_metric(r, &m->input_bytes, t_metric(r, in, "Bytes Read"));
    add_metric(r, &m->input_records, t_metric(r, in, "Records Read"));
    add_metric(r, &m->output_bytes, t_metric(r, out, "Bytes Written"));
    add_metric(r, &m->output_records, t_metric(r, out, "Records Written"));
    int64_t remote = t_metric(r, sr, "Remote Bytes Read"),
            local = t_metric(r, sr, "Local Bytes Read");
    if (remote != EVLOG_NONE || local != EVLOG_NONE)
        add_metric(r, &m->shuffle_read_bytes,
                   (remote == EVLOG_NONE ? 0 : remote) + (local == EVLOG_NONE ? 0 : local));
    add_metric(r, &m->shuffle_read_records, t_metric(r, sr, "Total Records Read"));
    add_metric(r, &m->shuffle_write_bytes, t_metric(r, sw, "Shuffle Bytes Written"));
    add_metric(r, &m->shuffle_write_records, t_metric(r, sw, "Shuffle Records Written"));
    add_metric(r, &m->memory_spilled_bytes, t_metric(r, tm, "Memory Bytes Spilled"));
    add_metric(r, &m->disk_spilled_bytes, t_metric(r, tm, "Disk Bytes Spilled"));
    add_metric(r, &m->run_ms, t->run_ms); /* read and checked once, by on_task_end */
    add_metric(r, &m->cpu_ns, t_metric(r, tm, "Executor CPU Time"));
    add_metric(r, &m->gc_ms, t->gc_ms);
}

/* The index in log->executors of the executor named by the string token id,
 * the newest of that id; -1 when none (or id is not a string). */
static int32_t executor_index(struct reader *r, long id)
{
    const struct evlog *log = r->log;
    if (!jdoc_is(&r->doc, id, JDOC_STRING))
        return -1;
    if (r->last_exec < log->n_executors &&
        jdoc_str_eq(&r->doc, id, log->executors[r->last_exec].id))
        return (int32_t)r->last_exec;
    for (size_t i = log->n_executors; i-- > 0;)
        if (jdoc_str_eq(&r->doc, id, log->executors[i].id)) {
            r->last_exec = i;
            return (int32_t)i;
        }
    return -1;
}

static int on_task_end(struct reader *r)
{
    const struct jdoc *d = &r->doc;
    int64_t sid, sattempt = 0;
    if (!t_int(r, 0, "Stage ID", &sid) || sid < 0)
        return evlog_bad_line(r,
                              "SparkListenerTaskEnd without a valid \"Stage ID\"; event skipped");
    t_int(r, 0, "Stage Attempt ID", &sattempt);
    long info = jdoc_get(d, 0, "Task Info");
    long why = jdoc_get(d, jdoc_get(d, 0, "Task End Reason"), "Reason");
    int64_t index, attempt = 0, launch, finish;
    if (!jdoc_is(d, info, JDOC_OBJECT) || !t_int(r, info, "Index", &index) || index < 0 ||
        !t_int(r, info, "Launch Time", &launch) || !t_int(r, info, "Finish Time", &finish))
        return evlog_bad_line(r,
                              "SparkListenerTaskEnd of stage %lld without a valid \"Task Info\" "
                              "(Index, Launch Time, Finish Time); event skipped",
                              (long long)sid);
    if (!jdoc_is(d, why, JDOC_STRING))
        return evlog_bad_line(r,
                              "SparkListenerTaskEnd of stage %lld without a \"Task End Reason\"; "
                              "event skipped",
                              (long long)sid);
    if (!t_int(r, info, "Attempt", &attempt))
        t_int(r, info, "Attempt Number", &attempt);
    if (sattempt < 0 || sattempt > 4095 || attempt < 0 || attempt > INT32_MAX)
        return evlog_bad_line(r,
                              "SparkListenerTaskEnd of stage %lld: bad attempt number; event "
                              "skipped",
                              (long long)sid);
    /* Times no Spark run logs: a task launched at or before the epoch would
     * make a span of decades, one finishing before its launch a negative
     * duration. Skipped, and counted per kind (evlog_report_implausible). */
    enum evlog_implausible bad = IMPL_KINDS;
    if (launch <= 0)
        bad = IMPL_LAUNCH_NOT_POSITIVE;
    else if (launch > EVLOG_MAX_TIME_MS || finish > EVLOG_MAX_TIME_MS)
        bad = IMPL_LAUNCH_TOO_LATE;
    else if (finish > 0 && finish < launch)
        bad = IMPL_FINISH_BEFORE_LAUNCH;
    else if (finish - launch > EVLOG_MAX_DURATION_MS)
        bad = IMPL_TASK_TOO_LONG;
    if (bad != IMPL_KINDS) {
        implausible(r, bad);
        return 0;
    }
    struct evlog_stage *st = stage_get(r, sid, (int32_t)sattempt);
    if (!st)
        return -1;
    st->tasks_ended++;
    struct evlog *log = r->log;
    if (grow((void **)&log->tasks, &r->cap_tasks, log->n_tasks, sizeof *log->tasks) != 0)
        return nomem(r);
    struct evlog_task *t = &log->tasks[log->n_tasks++];
    t->stage_id = sid;
    t->stage_attempt = (int32_t)sattempt;
    t->attempt = (int32_t)attempt;
    t->index = index;
    t->launch_ms = launch;
    t->finish_ms = finish;
    t->executor_lost = jdoc_str_eq(d, why, "ExecutorLostFailure");
    t->exception = jdoc_str_eq(d, why, "ExceptionFailure");
    t->exit_by_app = !jdoc_is(
        d, jdoc_get(d, jdoc_get(d, 0, "Task End Reason"), "Exit Caused By App"), JDOC_FALSE);
    t->getting_result_ms = 0;
    t_int(r, info, "Getting Result Time", &t->getting_result_ms);
    t->speculative = jdoc_is(d, jdoc_get(d, info, "Speculative"), JDOC_TRUE);
    t->end = end_of(d, why);
    t->locality = locality_of(d, jdoc_get(d, info, "Locality"));
    t->executor = executor_index(r, jdoc_get(d, info, "Executor ID"));
    t->line = r->line;
    t->executor_ms = EVLOG_NONE;
    t->deserialize_ms = t->run_ms = t->result_ser_ms = t->gc_ms = EVLOG_NONE;
    t->fetch_wait_ms = t->shuffle_write_ns = EVLOG_NONE;
    long tm = jdoc_get(d, 0, "Task Metrics");
    if (jdoc_is(d, tm, JDOC_OBJECT)) {
        int64_t run = t_metric_ms(r, tm, "Executor Run Time");
        int64_t deser = t_metric_ms(r, tm, "Executor Deserialize Time");
        int64_t ser = t_metric_ms(r, tm, "Result Serialization Time");
        t->run_ms = run;
        t->deserialize_ms = deser;
        t->result_ser_ms = ser;
        t->gc_ms = t_metric_ms(r, tm, "JVM GC Time");
        t->fetch_wait_ms =
            t_metric_ms(r, jdoc_get(d, tm, "Shuffle Read Metrics"), "Fetch Wait Time");
        t->shuffle_write_ns =
            t_metric(r, jdoc_get(d, tm, "Shuffle Write Metrics"), "Shuffle Write Time");
        if (run != EVLOG_NONE)
            t->executor_ms = run + (deser > 0 ? deser : 0) + (ser > 0 ? ser : 0);
        if (t->end == EVLOG_SUCCESS)
            add_task_metrics(r, &st->metrics, tm, t);
    }
    return 0;
}

static int i64_asc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Whether t (EVLOG_NONE: absent) is a time, but far from the anchor. */
static bool time_far(int64_t t, int64_t anchor)
{
    return t != EVLOG_NONE &&
           (t < anchor - EVLOG_MAX_DURATION_MS || t > anchor + EVLOG_MAX_DURATION_MS);
}

/* Counts and clears *t when it is far from anchor. */
static void clear_far(struct reader *r, int64_t *t, int64_t anchor, int line)
{
    if (!time_far(*t, anchor))
        return;
    if (r->implausible[IMPL_TIME_FAR]++ == 0)
        r->implausible_line[IMPL_TIME_FAR] = line;
    *t = EVLOG_NONE;
}

/* Each time on its own is in range (get_time), but one run of an
 * application does not last decades: a job submitted at 1 ms after the
 * epoch in a log of 2023 would move the whole replay decades back (and its
 * executors' start times past what a scenario holds). The anchor is the
 * median task launch: a few bad tasks cannot move it, and each task's own
 * times were checked on reading. */
int evlog_check_span(struct reader *r)
{
    struct evlog *log = r->log;
    if (log->n_tasks == 0)
        return 0;
    int64_t *launch = malloc(log->n_tasks * sizeof *launch);
    if (!launch)
        return nomem(r);
    for (size_t i = 0; i < log->n_tasks; i++)
        launch[i] = log->tasks[i].launch_ms;
    qsort(launch, log->n_tasks, sizeof *launch, i64_asc);
    int64_t anchor = launch[log->n_tasks / 2];
    free(launch);
    for (size_t i = 0; i < log->n_jobs; i++) {
        clear_far(r, &log->jobs[i].submit_ms, anchor, log->jobs[i].line);
        clear_far(r, &log->jobs[i].end_ms, anchor, log->jobs[i].end_line);
    }
    for (size_t i = 0; i < log->n_stages; i++) {
        clear_far(r, &log->stages[i].submit_ms, anchor, log->stages[i].line);
        clear_far(r, &log->stages[i].complete_ms, anchor, log->stages[i].line);
    }
    for (size_t i = 0; i < log->n_sqls; i++) {
        clear_far(r, &log->sqls[i].start_ms, anchor, log->sqls[i].line);
        clear_far(r, &log->sqls[i].end_ms, anchor, log->sqls[i].line);
    }
    clear_far(r, &log->app_start_ms, anchor, r->app_start_line);
    clear_far(r, &log->app_end_ms, anchor, r->app_end_line);
    /* An executor has to join at some time: a far one joins with the first
     * plausible executor (or the first task); a far removal is absent (it
     * stays to the end). */
    int64_t first = anchor;
    for (size_t i = 0; i < log->n_executors; i++)
        if (!time_far(log->executors[i].added_ms, anchor) && log->executors[i].added_ms < first)
            first = log->executors[i].added_ms;
    for (size_t i = 0; i < log->n_executors; i++) {
        struct evlog_executor *e = &log->executors[i];
        clear_far(r, &e->removed_ms, anchor, e->line);
        if (time_far(e->added_ms, anchor)) {
            clear_far(r, &e->added_ms, anchor, e->line);
            e->added_ms = first;
        }
    }
    return 0;
}

int evlog_report_implausible(struct reader *r)
{
    static const char *const what[IMPL_KINDS] = {
        [IMPL_LAUNCH_NOT_POSITIVE] = "tasks with a Launch Time of zero or less, skipped",
        [IMPL_LAUNCH_TOO_LATE] = "tasks with a Launch or Finish Time past year 33000, skipped",
        [IMPL_FINISH_BEFORE_LAUNCH] = "tasks with a Finish Time before their Launch Time, skipped",
        [IMPL_TASK_TOO_LONG] = "tasks running longer than 1e7 s (115 days), skipped",
        [IMPL_TIME_OUT_OF_RANGE] = "event times zero, negative or past year 33000 (stage, job, "
                                   "executor, query or application), taken as absent",
        [IMPL_METRIC_OUT_OF_RANGE] = "task metrics negative or beyond 2^60 (1e7 s for times), "
                                     "taken as absent",
        [IMPL_SUM_OVERFLOW] = "stage sums of a metric beyond 2^60, capped at 2^60",
        [IMPL_TIME_FAR] = "job, stage, query, executor or application times more than 1e7 s "
                          "(115 days) from the tasks' median launch, taken as absent",
    };
    for (int k = 0; k < IMPL_KINDS; k++)
        if (r->implausible[k] > 0 &&
            warn(r, r->implausible_line[k], "implausible values: %s: %d (the first on this line)",
                 what[k], r->implausible[k]) != 0)
            return -1;
    return 0;
}

/* ---- executors, environment, application ---- */

static struct evlog_executor *executor_find(struct evlog *log, const char *id)
{
    /* The newest executor of that id: ids are not reused within a run, but a
     * log that says so twice should not make two. */
    for (size_t i = log->n_executors; i-- > 0;)
        if (strcmp(log->executors[i].id, id) == 0)
            return &log->executors[i];
    return NULL;
}

static int on_executor_added(struct reader *r, json_t *ev)
{
    const char *id = get_str(ev, "Executor ID");
    json_t *info = json_object_get(ev, "Executor Info");
    int64_t cores, ts;
    if (!id || !json_is_object(info) || !get_int(info, "Total Cores", &cores) || cores < 1 ||
        cores > 1000000 || !get_time(r, ev, "Timestamp", &ts))
        return evlog_bad_line(
            r, "SparkListenerExecutorAdded without a valid \"Executor ID\", "
               "\"Timestamp\" and \"Executor Info\" / \"Total Cores\"; event skipped");
    struct evlog *log = r->log;
    struct evlog_executor *e = executor_find(log, id);
    if (e)
        return warn(r, r->line,
                    "executor %s added twice (first at line %d); the second is "
                    "ignored",
                    id, e->line);
    if (grow((void **)&log->executors, &r->cap_execs, log->n_executors, sizeof *log->executors))
        return nomem(r);
    e = &log->executors[log->n_executors++];
    e->line = r->line;
    e->cores = (int)cores;
    e->added_ms = ts;
    e->removed_ms = EVLOG_NONE;
    e->resource_profile = 0;
    get_int(info, "Resource Profile Id", &e->resource_profile);
    if (!(e->id = dup_str(r, id)))
        return -1;
    const char *host = get_str(info, "Host");
    if (host && !(e->host = dup_str(r, host)))
        return -1;
    return 0;
}

static int on_executor_removed(struct reader *r, json_t *ev)
{
    const char *id = get_str(ev, "Executor ID");
    int64_t ts;
    if (!id || !get_time(r, ev, "Timestamp", &ts))
        return evlog_bad_line(r, "SparkListenerExecutorRemoved without a valid \"Executor ID\" and "
                                 "\"Timestamp\"; event skipped");
    struct evlog_executor *e = executor_find(r->log, id);
    if (!e)
        return warn(r, r->line, "executor %s removed but never added; ignored", id);
    e->removed_ms = ts;
    free(e->removed_reason);
    const char *why = get_str(ev, "Removed Reason");
    e->removed_reason = first_line(why ? why : "no reason given");
    return e->removed_reason ? 0 : nomem(r);
}

static int on_block_manager_added(struct reader *r, json_t *ev)
{
    json_t *bm = json_object_get(ev, "Block Manager ID");
    const char *id = get_str(bm, "Executor ID");
    /* 1.x names the driver's block manager "<driver>". */
    if (!id || (strcmp(id, "driver") != 0 && strcmp(id, "<driver>") != 0))
        return 0;
    struct evlog *log = r->log;
    const char *host = get_str(bm, "Host");
    if (host && !log->driver_host && !(log->driver_host = dup_str(r, host)))
        return -1;
    int64_t mem;
    if (get_int(ev, "Maximum Memory", &mem))
        log->driver_max_memory = mem;
    return 0;
}

static int add_property(struct reader *r, const char *key, const char *value)
{
    struct evlog *log = r->log;
    if (grow((void **)&log->props, &r->cap_props, log->n_props, sizeof *log->props) != 0)
        return nomem(r);
    struct evlog_property *p = &log->props[log->n_props];
    p->line = r->line;
    if (!(p->key = dup_str(r, key)) || !(p->value = dup_str(r, value))) {
        free(p->key);
        p->key = NULL;
        return -1;
    }
    log->n_props++;
    return 0;
}

static int on_environment(struct reader *r, json_t *ev)
{
    json_t *props = json_object_get(ev, "Spark Properties");
    if (json_is_object(props)) {
        const char *key;
        json_t *v;
        json_object_foreach(props, key, v)
        {
            if (json_is_string(v) && add_property(r, key, json_string_value(v)) != 0)
                return -1;
        }
        return 0;
    }
    /* Some writers give the properties as [key, value] pairs. */
    if (json_is_array(props)) {
        for (size_t i = 0; i < json_array_size(props); i++) {
            json_t *pair = json_array_get(props, i);
            const char *k = json_string_value(json_array_get(pair, 0));
            const char *v = json_string_value(json_array_get(pair, 1));
            if (k && v && add_property(r, k, v) != 0)
                return -1;
        }
        return 0;
    }
    return evlog_bad_line(r, "SparkListenerEnvironmentUpdate without \"Spark Properties\"; event "
                             "skipped");
}

static int on_profile(struct reader *r, json_t *ev)
{
    int64_t id;
    if (!get_int(ev, "Resource Profile Id", &id))
        return evlog_bad_line(r, "SparkListenerResourceProfileAdded without a valid \"Resource "
                                 "Profile Id\"; event skipped");
    struct evlog *log = r->log;
    if (grow((void **)&log->profiles, &r->cap_profiles, log->n_profiles, sizeof *log->profiles))
        return nomem(r);
    struct evlog_profile *p = &log->profiles[log->n_profiles++];
    p->id = id;
    json_t *ex = json_object_get(ev, "Executor Resource Requests");
    p->executor_cores = metric(r, json_object_get(ex, "cores"), "Amount");
    p->executor_memory_mib = metric(r, json_object_get(ex, "memory"), "Amount");
    p->executor_overhead_mib = metric(r, json_object_get(ex, "memoryOverhead"), "Amount");
    json_t *cpus = json_object_get(
        json_object_get(json_object_get(ev, "Task Resource Requests"), "cpus"), "Amount");
    p->task_cpus = json_is_number(cpus) ? json_number_value(cpus) : NAN;
    return 0;
}

/* The major and minor numbers of a Spark version: "3.3.0", "2.4.8-amzn-0",
 * "3.1.0-SNAPSHOT", "1.5". Anything else leaves them 0.0 (unknown) with a
 * warning: no reading depends on them being known. */
static int parse_version(struct reader *r)
{
    struct evlog *log = r->log;
    const char *v = log->spark_version;
    char *end;
    errno = 0;
    long major = strtol(v, &end, 10);
    bool ok = end != v && isdigit((unsigned char)v[0]) && *end == '.' && errno == 0;
    long minor = 0;
    if (ok) {
        const char *m = end + 1;
        minor = strtol(m, &end, 10);
        ok = end != m && isdigit((unsigned char)m[0]) && errno == 0 &&
             (*end == '\0' || *end == '.' || *end == '-' || *end == '+');
    }
    if (!ok || major > 99 || minor > 999)
        return warn(r, r->line,
                    "Spark version \"%.60s\" is not MAJOR.MINOR[.PATCH][-TAG]; the "
                    "version is taken as unknown",
                    v);
    log->version_major = (int)major;
    log->version_minor = (int)minor;
    return 0;
}

/* SQLExecutionStart / End (Spark 2+; the event's name carries its package,
 * org.apache.spark.sql.execution.ui.). Only the times are kept. */
static int on_sql(struct reader *r, json_t *ev, bool start)
{
    int64_t id, t;
    if (!get_int(ev, "executionId", &id) || id < 0 || !get_time(r, ev, "time", &t))
        return evlog_bad_line(r,
                              "SQLExecution%s without a valid \"executionId\" and \"time\"; "
                              "event skipped",
                              start ? "Start" : "End");
    struct evlog *log = r->log;
    for (size_t i = log->n_sqls; i-- > 0;)
        if (log->sqls[i].id == id) {
            if (start)
                return 0; /* a repeated start keeps the first */
            log->sqls[i].end_ms = t;
            return 0;
        }
    if (grow((void **)&log->sqls, &r->cap_sqls, log->n_sqls, sizeof *log->sqls) != 0)
        return nomem(r);
    struct evlog_sql *q = &log->sqls[log->n_sqls++];
    q->id = id;
    q->start_ms = start ? t : EVLOG_NONE;
    q->end_ms = start ? EVLOG_NONE : t;
    q->line = r->line;
    return 0;
}

/* Whether name is the SQL event `simple`, with or without its package. */
static bool is_sql_event(const char *name, const char *simple)
{
    size_t n = strlen(name), k = strlen(simple);
    return n >= k && strcmp(name + n - k, simple) == 0 && (n == k || name[n - k - 1] == '.');
}

static int on_stage_submitted(struct reader *r, json_t *ev)
{
    return read_stage_info(r, json_object_get(ev, "Stage Info"), "SparkListenerStageSubmitted",
                           false);
}

static int on_stage_completed(struct reader *r, json_t *ev)
{
    return read_stage_info(r, json_object_get(ev, "Stage Info"), "SparkListenerStageCompleted",
                           true);
}

static int on_log_start(struct reader *r, json_t *ev)
{
    struct evlog *log = r->log;
    const char *v = get_str(ev, "Spark Version");
    if (v && !log->spark_version) {
        if (!(log->spark_version = dup_str(r, v)))
            return -1;
        return parse_version(r);
    }
    return 0;
}

static int on_application_start(struct reader *r, json_t *ev)
{
    struct evlog *log = r->log;
    const char *app = get_str(ev, "App Name"), *id = get_str(ev, "App ID");
    if (app && !log->app_name && !(log->app_name = dup_str(r, app)))
        return -1;
    if (id && !log->app_id && !(log->app_id = dup_str(r, id)))
        return -1;
    get_time(r, ev, "Timestamp", &log->app_start_ms);
    r->app_start_line = r->line;
    return 0;
}

static int on_application_end(struct reader *r, json_t *ev)
{
    if (!get_time(r, ev, "Timestamp", &r->log->app_end_ms))
        return evlog_bad_line(r, "SparkListenerApplicationEnd without a \"Timestamp\"; event "
                                 "skipped");
    r->app_end_line = r->line;
    return 0;
}

static int on_sql_start(struct reader *r, json_t *ev)
{
    return on_sql(r, ev, true);
}

static int on_sql_end(struct reader *r, json_t *ev)
{
    return on_sql(r, ev, false);
}

/* The events read from jansson's objects: rare (a few per job or stage), and
 * some of them large and nested (EnvironmentUpdate, JobStart). */
static const struct {
    const char *name;
    int (*read)(struct reader *r, json_t *ev);
} json_events[] = {
    {"SparkListenerStageSubmitted", on_stage_submitted},
    {"SparkListenerStageCompleted", on_stage_completed},
    {"SparkListenerJobStart", on_job_start},
    {"SparkListenerJobEnd", on_job_end},
    {"SparkListenerExecutorAdded", on_executor_added},
    {"SparkListenerExecutorRemoved", on_executor_removed},
    {"SparkListenerBlockManagerAdded", on_block_manager_added},
    {"SparkListenerEnvironmentUpdate", on_environment},
    {"SparkListenerResourceProfileAdded", on_profile},
    {"SparkListenerLogStart", on_log_start},
    {"SparkListenerApplicationStart", on_application_start},
    {"SparkListenerApplicationEnd", on_application_end},
};

/* The reader of the event called name from jansson's objects; NULL for the
 * events stagecast does not use. */
static int (*json_reader_of(const char *name))(struct reader *, json_t *)
{
    for (size_t i = 0; i < sizeof json_events / sizeof json_events[0]; i++)
        if (strcmp(name, json_events[i].name) == 0)
            return json_events[i].read;
    if (is_sql_event(name, "SparkListenerSQLExecutionStart"))
        return on_sql_start;
    if (is_sql_event(name, "SparkListenerSQLExecutionEnd"))
        return on_sql_end;
    return NULL;
}

/* A line jansson does not read as JSON: cut off at the end of the log, or
 * malformed. */
static int not_json(struct reader *r, bool complete, const json_error_t *err)
{
    if (!complete) {
        /* The writer stopped mid-line: the application was still running
         * or died. Expected for such logs, so never an error. */
        r->log->truncated = true;
        return 0;
    }
    return evlog_bad_line(r, "not JSON (%s at column %d); line skipped", err->text, err->column);
}

/* The event called name on the line text. Task events are read from the
 * tokens in r->doc (taken from *ev when jansson read the line); the others
 * from *ev, jansson's reading of the line, made here when still NULL; the
 * events stagecast does not use are only counted. */
static int on_event(struct reader *r, const char *name, json_t **ev, const char *text,
                    size_t len, bool complete)
{
    bool task_end = strcmp(name, "SparkListenerTaskEnd") == 0;
    if (task_end || strcmp(name, "SparkListenerTaskStart") == 0) {
        if (*ev && jdoc_from_json(&r->doc, *ev) != 0)
            return nomem(r);
        return task_end ? on_task_end(r) : on_task_start(r);
    }
    int (*read)(struct reader *, json_t *) = json_reader_of(name);
    if (!read) {
        r->log->unknown_events++;
        return 0;
    }
    if (!*ev) {
        json_error_t err;
        if (!(*ev = json_loadb(text, len, 0, &err)))
            return not_json(r, complete, &err); /* the scanner accepts less */
    }
    return read(r, *ev);
}

/* One line of the log. The scanner (jdoc.h) reads it first; a line it leaves
 * to jansson is read by jansson, which also words the message for a line
 * that is not JSON. */
int evlog_on_line(struct reader *r, const char *text, size_t len, bool complete)
{
    while (len > 0 && (text[len - 1] == '\r' || text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    size_t lead = 0;
    while (lead < len && (text[lead] == ' ' || text[lead] == '\t'))
        lead++;
    if (lead == len)
        return 0; /* a blank line carries nothing */
    text += lead;
    len -= lead;
    json_t *ev = NULL;
    char buf[256], *name = NULL, *owned = NULL;
    bool object = false;
    switch (jdoc_scan(&r->doc, text, len)) {
    case JDOC_NOMEM: return nomem(r);
    case JDOC_OK: {
        object = jdoc_is(&r->doc, 0, JDOC_OBJECT);
        long at = jdoc_get(&r->doc, 0, "Event");
        if (at < 0 || !jdoc_is(&r->doc, at, JDOC_STRING))
            break;
        name = buf;
        if (jdoc_str_copy(&r->doc, at, buf, sizeof buf) < 0) {
            /* Decoding never lengthens a string. */
            size_t cap = (size_t)r->doc.tok[at].len + 1;
            if (!(name = owned = malloc(cap)))
                return nomem(r);
            jdoc_str_copy(&r->doc, at, name, cap);
        }
        break;
    }
    case JDOC_REJECT: {
        json_error_t err;
        if (!(ev = json_loadb(text, len, 0, &err)))
            return not_json(r, complete, &err);
        object = json_is_object(ev);
        name = object ? (char *)get_str(ev, "Event") : NULL;
        break;
    }
    }
    int rc;
    if (!name) {
        rc = evlog_bad_line(r,
                            "not a Spark event (a JSON %s without an \"Event\" name); line "
                            "skipped",
                            object ? "object" : "value");
    } else {
        r->log->events++;
        rc = on_event(r, name, &ev, text, len, complete);
    }
    free(owned);
    json_decref(ev);
    return rc;
}
