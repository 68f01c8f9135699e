/*
 * validate.c — the from-scenario validation harness: a scenario written
 * from an event log's plans and input sizes is planned, calibrated and
 * simulated like any `stagecast run`, and its stages are set against the
 * log's by the mapping in the validation file. It sits after the whole
 * flow (scenario -> plan -> calibrate -> simulate) and beside the event-log
 * reader, whose stage Submission/Completion Times and job times are the
 * actual figures; it takes nothing else from the log.
 *
 * Scoring. A row's error is (predicted - actual) / actual. The median
 * absolute error is over rows with both sides (a planned stage paired with
 * log stages). The duration-weighted error is sum |predicted - actual| over
 * sum actual across every row: a log stage no planned stage makes (a
 * schema-inference or broadcast job) counts with predicted 0, a planned
 * stage the log has none of with actual 0, so neither can hide. Several
 * log stages paired with one planned stage count as one span, from the
 * first submission to the last completion (two map stages Spark ran side
 * by side that the planner makes one stage of).
 */
#include "config.h"

#include "sim/validate/validate.h"

#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "sim/eventlog/eventlog.h"
#include "sim/pipeline/pipeline.h"
#include "sim/plan/plan.h"
#include "sim/runtime/results.h"

#define MAX_LOG_STAGES_PER_ROW 64

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

/* dir of path joined with rel (rel as is when absolute, or dir is "."). */
static char *join_path(const char *dir, size_t dir_len, const char *rel)
{
    if (rel[0] == '/' || dir_len == 0)
        return dup_str(rel);
    size_t n = dir_len + 1 + strlen(rel) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%.*s/%s", (int)dir_len, dir, rel);
    return p;
}

static size_t dir_len_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? (size_t)(slash - path) : 0;
}

/* ---- the validation file ------------------------------------------------------ */

/* One entry of `stages`. */
struct map_entry {
    const char *job; /* points into the config, alive while it is */
    int64_t stage;
    int64_t log_ids[MAX_LOG_STAGES_PER_ROW];
    size_t n_log;
    int line;
    bool used;
};

struct manifest {
    config_t cfg;
    const char *path;
    const char *log, *scenario, *in_sample, *application;
    int log_line, scenario_line, stages_line;
    struct map_entry *entries;
    size_t n_entries;
};

static int line_of(const config_setting_t *s)
{
    return s ? (int)config_setting_source_line(s) : 0;
}

static const char *const manifest_keys[] = {"log", "scenario", "in_sample", "application",
                                            "stages"};
#define N_MANIFEST_KEYS (sizeof manifest_keys / sizeof manifest_keys[0])

static enum sc_status check_top_keys(const struct manifest *m, struct diag *d)
{
    config_setting_t *root = config_root_setting(&m->cfg);
    for (int i = 0; i < config_setting_length(root); i++) {
        config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        bool known = false;
        for (size_t k = 0; k < N_MANIFEST_KEYS; k++)
            known = known || strcmp(name, manifest_keys[k]) == 0;
        if (!known)
            return diag_set(d, SC_EINPUT, m->path, line_of(s),
                            "unknown key '%s' in a validation file (it takes log, scenario, "
                            "in_sample, application and stages; a scenario is named by its "
                            "`scenario` key, not given to validate itself)",
                            name);
    }
    return SC_OK;
}

static enum sc_status read_string(const struct manifest *m, const char *key, bool required,
                                  const char **out, int *line, struct diag *d)
{
    config_setting_t *s = config_lookup(&m->cfg, key);
    *out = NULL;
    if (line)
        *line = line_of(s);
    if (!s)
        return required ? diag_set(d, SC_EINPUT, m->path, 1,
                                   "the validation file has no '%s' (it needs log, scenario "
                                   "and stages)",
                                   key)
                        : SC_OK;
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return diag_set(d, SC_EINPUT, m->path, line_of(s), "'%s' must be a string", key);
    *out = config_setting_get_string(s);
    return SC_OK;
}

static enum sc_status read_entry(const struct manifest *m, config_setting_t *e,
                                 struct map_entry *out, struct diag *d)
{
    int line = line_of(e);
    out->line = line;
    if (!config_setting_is_group(e))
        return diag_set(d, SC_EINPUT, m->path, line,
                        "each entry of 'stages' is a group: { job = \"NAME\"; stage = N; "
                        "log = [ID, ...]; }");
    for (int i = 0; i < config_setting_length(e); i++) {
        config_setting_t *s = config_setting_get_elem(e, (unsigned)i);
        const char *name = config_setting_name(s);
        if (strcmp(name, "job") != 0 && strcmp(name, "stage") != 0 && strcmp(name, "log") != 0)
            return diag_set(d, SC_EINPUT, m->path, line_of(s),
                            "unknown key '%s' in a stage entry (it takes job, stage and log)",
                            name);
    }
    config_setting_t *job = config_setting_get_member(e, "job");
    config_setting_t *stage = config_setting_get_member(e, "stage");
    config_setting_t *log = config_setting_get_member(e, "log");
    if (!job || config_setting_type(job) != CONFIG_TYPE_STRING)
        return diag_set(d, SC_EINPUT, m->path, line,
                        "a stage entry needs job = \"NAME\" (a job of the scenario)");
    if (!stage || (config_setting_type(stage) != CONFIG_TYPE_INT &&
                   config_setting_type(stage) != CONFIG_TYPE_INT64))
        return diag_set(d, SC_EINPUT, m->path, line,
                        "a stage entry needs stage = N (the planned stage's id, as `stagecast "
                        "plan` prints it)");
    if (!log || !config_setting_is_array(log))
        return diag_set(d, SC_EINPUT, m->path, line,
                        "a stage entry needs log = [ID, ...] (the log's stage ids; [] when the "
                        "log has no such stage)");
    out->job = config_setting_get_string(job);
    out->stage = config_setting_get_int64(stage);
    int n = config_setting_length(log);
    if (n > MAX_LOG_STAGES_PER_ROW)
        return diag_set(d, SC_EINPUT, m->path, line_of(log),
                        "at most %d log stages per planned stage", MAX_LOG_STAGES_PER_ROW);
    for (int i = 0; i < n; i++) {
        config_setting_t *id = config_setting_get_elem(log, (unsigned)i);
        if (config_setting_type(id) != CONFIG_TYPE_INT &&
            config_setting_type(id) != CONFIG_TYPE_INT64)
            return diag_set(d, SC_EINPUT, m->path, line_of(log),
                            "log = [...] holds the log's stage ids, whole numbers");
        out->log_ids[i] = config_setting_get_int64(id);
    }
    out->n_log = (size_t)n;
    return SC_OK;
}

/* A log stage is one planned stage's, or none's. */
static enum sc_status check_paired_once(const struct manifest *m, struct diag *d)
{
    for (size_t i = 0; i < m->n_entries; i++)
        for (size_t k = 0; k < m->entries[i].n_log; k++)
            for (size_t j = 0; j <= i; j++)
                for (size_t q = 0; q < (j < i ? m->entries[j].n_log : k); q++)
                    if (m->entries[j].log_ids[q] == m->entries[i].log_ids[k])
                        return diag_set(d, SC_EINPUT, m->path, m->entries[i].line,
                                        "log stage %lld is paired already, at line %d",
                                        (long long)m->entries[i].log_ids[k], m->entries[j].line);
    return SC_OK;
}

static enum sc_status manifest_read(struct manifest *m, const char *path, struct diag *d)
{
    memset(m, 0, sizeof *m);
    m->path = path;
    config_init(&m->cfg);
    if (config_read_file(&m->cfg, path) != CONFIG_TRUE) {
        if (config_error_type(&m->cfg) == CONFIG_ERR_FILE_IO)
            return diag_set(d, SC_ENOENT, path, 0, "cannot read the validation file");
        return diag_set(d, SC_EINPUT, path, config_error_line(&m->cfg), "%s",
                        config_error_text(&m->cfg));
    }
    if (check_top_keys(m, d) != SC_OK ||
        read_string(m, "log", true, &m->log, &m->log_line, d) != SC_OK ||
        read_string(m, "scenario", true, &m->scenario, &m->scenario_line, d) != SC_OK ||
        read_string(m, "in_sample", false, &m->in_sample, NULL, d) != SC_OK ||
        read_string(m, "application", false, &m->application, NULL, d) != SC_OK)
        return d->status;
    if (m->application && strcmp(m->application, "span") != 0 &&
        strcmp(m->application, "busy") != 0)
        return diag_set(d, SC_EINPUT, path, line_of(config_lookup(&m->cfg, "application")),
                        "application is \"span\" (first job submitted to last job ended) or "
                        "\"busy\" (the time some job ran), not '%s'",
                        m->application);
    config_setting_t *stages = config_lookup(&m->cfg, "stages");
    if (!stages)
        return diag_set(d, SC_EINPUT, path, m->scenario_line,
                        "the validation file maps no stages: add stages = ( { job = \"NAME\"; "
                        "stage = N; log = [ID]; }, ... ), one entry per stage `stagecast plan "
                        "%s` prints",
                        m->scenario);
    m->stages_line = line_of(stages);
    if (!config_setting_is_list(stages) || config_setting_length(stages) == 0)
        return diag_set(d, SC_EINPUT, path, m->stages_line,
                        "stages is a non-empty list of ( { job = ...; stage = ...; log = "
                        "[...]; }, ... )");
    m->n_entries = (size_t)config_setting_length(stages);
    m->entries = calloc(m->n_entries, sizeof *m->entries);
    if (!m->entries)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < m->n_entries; i++)
        if (read_entry(m, config_setting_get_elem(stages, (unsigned)i), &m->entries[i], d) != SC_OK)
            return d->status;
    return check_paired_once(m, d);
}

static void manifest_fini(struct manifest *m)
{
    free(m->entries);
    config_destroy(&m->cfg);
}

/* ---- the log's side ------------------------------------------------------------ */

/* The span of stage id over its attempts: first submission, last
 * completion. SC_EINPUT at the entry's line when the log lacks it. */
static enum sc_status log_stage_span(const struct evlog *log, int64_t id, const char *mpath,
                                     int line, int64_t *from_ms, int64_t *to_ms, int64_t *tasks,
                                     struct diag *d)
{
    const struct evlog_stage *first = evlog_stage_find(log, id, 0);
    *from_ms = INT64_MAX;
    *to_ms = INT64_MIN;
    *tasks = 0;
    bool found = false;
    for (size_t i = 0; i < log->n_stages; i++) {
        const struct evlog_stage *s = &log->stages[i];
        if (s->id != id)
            continue;
        found = true;
        if (s->submit_ms != EVLOG_NONE && s->submit_ms < *from_ms)
            *from_ms = s->submit_ms;
        if (s->complete_ms != EVLOG_NONE && s->status == EVLOG_STAGE_COMPLETED &&
            s->complete_ms > *to_ms) {
            *to_ms = s->complete_ms;
            *tasks = s->num_tasks;
        }
    }
    if (!found || !first)
        return diag_set(d, SC_EINPUT, mpath, line,
                        "the log %s has no stage %lld (stages that ran are listed by "
                        "`stagecast replay`)",
                        log->path, (long long)id);
    if (*from_ms == INT64_MAX || *to_ms == INT64_MIN)
        return diag_set(d, SC_EINPUT, mpath, line,
                        "stage %lld of the log %s has no submission or completion time (a "
                        "truncated log, or a stage that failed)",
                        (long long)id, log->path);
    return SC_OK;
}

/* When job j ended: its JobEnd, else (a log cut off before it) the last
 * completion of its stages; EVLOG_NONE when neither is there. */
static int64_t log_job_end_ms(const struct evlog *log, const struct evlog_job *j)
{
    if (j->end_ms != EVLOG_NONE)
        return j->end_ms;
    int64_t end = EVLOG_NONE;
    for (size_t k = 0; k < j->n_stages; k++)
        for (size_t i = 0; i < log->n_stages; i++)
            if (log->stages[i].id == j->stages[k].id && log->stages[i].complete_ms != EVLOG_NONE &&
                log->stages[i].complete_ms > end)
                end = log->stages[i].complete_ms;
    return end;
}

/* The application's actual time: first job submitted to last job ended
 * (span), or the union of the jobs' spans (busy). */
static double log_app_s(const struct evlog *log, bool busy)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN, busy_ms = 0, cur_lo = 0, cur_hi = INT64_MIN;
    /* Jobs are sorted by id, which is their submission order. */
    for (size_t i = 0; i < log->n_jobs; i++) {
        const struct evlog_job *j = &log->jobs[i];
        int64_t end_ms = log_job_end_ms(log, j);
        if (j->submit_ms == EVLOG_NONE || end_ms == EVLOG_NONE)
            continue;
        if (j->submit_ms < lo)
            lo = j->submit_ms;
        if (end_ms > hi)
            hi = end_ms;
        if (j->submit_ms > cur_hi) {
            if (cur_hi != INT64_MIN)
                busy_ms += cur_hi - cur_lo;
            cur_lo = j->submit_ms;
            cur_hi = end_ms;
        } else if (end_ms > cur_hi) {
            cur_hi = end_ms;
        }
    }
    if (cur_hi != INT64_MIN)
        busy_ms += cur_hi - cur_lo;
    if (hi == INT64_MIN)
        return 0.0;
    return (double)(busy ? busy_ms : hi - lo) * 1e-3;
}

/* ---- scoring --------------------------------------------------------------------- */

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void validate_score(const struct validate_pair *pairs, size_t n, double *median_abs_error,
                    double *weighted_error)
{
    double num = 0.0, den = 0.0;
    double *abs_err = malloc((n ? n : 1) * sizeof *abs_err);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        num += fabs(pairs[i].predicted_s - pairs[i].actual_s);
        den += pairs[i].actual_s;
        if (abs_err && pairs[i].matched && !isnan(pairs[i].error))
            abs_err[m++] = fabs(pairs[i].error);
    }
    *weighted_error = den > 0.0 ? num / den : NAN;
    *median_abs_error = NAN;
    if (abs_err && m > 0) {
        qsort(abs_err, m, sizeof *abs_err, compare_double);
        *median_abs_error = results_quantile_sorted(abs_err, m, 0.5);
    }
    free(abs_err);
}

/* ---- the comparison ------------------------------------------------------------- */

static struct validate_pair *add_pair(struct validation *v, size_t *cap)
{
    if (v->n_pairs == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        struct validate_pair *p = realloc(v->pairs, nc * sizeof *p);
        if (!p)
            return NULL;
        v->pairs = p;
        *cap = nc;
    }
    struct validate_pair *p = &v->pairs[v->n_pairs++];
    memset(p, 0, sizeof *p);
    p->plan_stage = -1;
    p->tasks_predicted = p->tasks_actual = -1;
    p->error = NAN;
    return p;
}

static void set_error(struct validate_pair *p)
{
    p->error = p->actual_s > 0.0 ? (p->predicted_s - p->actual_s) / p->actual_s : NAN;
}

/* The entry for planned stage (job, id); NULL when the file has none. */
static struct map_entry *find_entry(struct manifest *m, const char *job, int64_t id)
{
    for (size_t i = 0; i < m->n_entries; i++)
        if (strcmp(m->entries[i].job, job) == 0 && m->entries[i].stage == id)
            return &m->entries[i];
    return NULL;
}

/* A row for planned stage sr paired with e's log stages. */
/* The compute-cost evidence of a row (validate_fit.h): what the log's
 * stages spent on executor CPU and read, and what the planned stage's
 * calibrated kernels cost by class on the scenario's worker. */
static void pair_evidence(struct validate_pair *p, const struct evlog *log,
                          const struct map_entry *e, const struct pipeline *pl,
                          const struct stage_result *sr)
{
    p->cpu_actual_ns = 0.0;
    p->records_actual = 0.0;
    double written = 0.0;
    for (size_t k = 0; k < e->n_log; k++) {
        /* Executors whose first task (by launch) is in this log stage. */
        for (size_t x = 0; x < log->n_executors; x++) {
            const struct evlog_task *first = NULL;
            for (size_t t = 0; t < log->n_tasks; t++) {
                const struct evlog_task *tk = &log->tasks[t];
                if (tk->executor == (int32_t)x && tk->launch_ms != EVLOG_NONE &&
                    (!first || tk->launch_ms < first->launch_ms))
                    first = tk;
            }
            if (first && first->stage_id == e->log_ids[k])
                p->fresh_executors++;
        }
        for (size_t i = 0; i < log->n_stages; i++) {
            const struct evlog_stage *s = &log->stages[i];
            if (s->id != e->log_ids[k])
                continue;
            const struct evlog_metrics *mt = &s->metrics;
            if (mt->cpu_ns != EVLOG_NONE && mt->cpu_ns > 0)
                p->cpu_actual_ns += (double)mt->cpu_ns;
            if (mt->input_records != EVLOG_NONE && mt->input_records > 0)
                p->records_actual += (double)mt->input_records;
            if (mt->shuffle_read_records != EVLOG_NONE && mt->shuffle_read_records > 0)
                p->records_actual += (double)mt->shuffle_read_records;
            if (mt->shuffle_write_records != EVLOG_NONE && mt->shuffle_write_records > 0)
                written += (double)mt->shuffle_write_records;
            if (mt->output_records != EVLOG_NONE && mt->output_records > 0)
                written += (double)mt->output_records;
        }
    }
    /* A stage that generates its rows (a Range) reads none: its rows are
     * the ones it writes. */
    if (p->records_actual <= 0.0)
        p->records_actual = written;
    const struct plan_stage *ps = NULL;
    if (pl->plan && (size_t)sr->job < pl->plan->n_jobs) {
        const struct plan_job *pj = &pl->plan->jobs[sr->job];
        for (size_t i = 0; i < pj->n_stages && !ps; i++)
            if (pj->stages[i].id == sr->id)
                ps = &pj->stages[i];
    }
    if (!ps || !ps->calib.valid || ps->has_task_seconds || ps->tasks <= 0)
        return;
    /* As taskcost.c scales a task's compute: host ns x host ACU / node ACU. */
    double acu = calib_node_acu(pl->cl.worker, NULL, NULL);
    double scale = ps->calib.host_acu / acu * (double)ps->tasks;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        p->native_ns[c] = ps->calib.class_ns[c] * scale;
    p->op_rows = ps->calib.rows_per_task * ps->calib.op_rows_per_row * (double)ps->tasks *
                 CALIB_REF_ACU / acu;
    p->has_native = true;
    p->compute_factor = sr->compute_factor > 0.0 ? sr->compute_factor : 1.0;
}

static enum sc_status pair_planned(struct validation *v, size_t *cap, struct manifest *m,
                                   const struct evlog *log, const struct pipeline *pl,
                                   const struct stage_result *sr, struct map_entry *e,
                                   struct diag *d)
{
    const struct results *r = sim_results(pl->sim);
    struct validate_pair *p = add_pair(v, cap);
    if (!p)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    p->job = dup_str(r->jobs[sr->job].name);
    p->plan_stage = sr->id;
    p->tasks_predicted = sr->tasks;
    p->predicted_s = (double)(sr->end_us - sr->submit_us) * 1e-6;
    char ids[MAX_LOG_STAGES_PER_ROW * 21 + 1] = "";
    int64_t lo = INT64_MAX, hi = INT64_MIN, tasks = 0;
    for (size_t k = 0; k < e->n_log; k++) {
        int64_t from, to, n;
        if (log_stage_span(log, e->log_ids[k], m->path, e->line, &from, &to, &n, d) != SC_OK)
            return d->status;
        lo = from < lo ? from : lo;
        hi = to > hi ? to : hi;
        tasks += n;
        size_t len = strlen(ids);
        snprintf(ids + len, sizeof ids - len, "%s%lld", k ? "," : "", (long long)e->log_ids[k]);
    }
    char unnamed[32];
    snprintf(unnamed, sizeof unnamed, "stage %lld", (long long)sr->id);
    p->name = dup_str(sr->name ? sr->name : unnamed);
    p->log_stages = dup_str(ids);
    if (!p->job || !p->name || !p->log_stages)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    if (e->n_log > 0) {
        p->actual_s = (double)(hi - lo) * 1e-3;
        p->tasks_actual = tasks;
        p->matched = true;
        pair_evidence(p, log, e, pl, sr);
    }
    set_error(p);
    e->used = true;
    return SC_OK;
}

static bool log_stage_paired(const struct manifest *m, int64_t id)
{
    for (size_t j = 0; j < m->n_entries; j++)
        for (size_t q = 0; q < m->entries[j].n_log; q++)
            if (m->entries[j].log_ids[q] == id)
                return true;
    return false;
}

/* Rows for the log's completed stages that no entry names. */
static enum sc_status add_unmatched(struct validation *v, size_t *cap, const struct manifest *m,
                                    const struct evlog *log, struct diag *d)
{
    for (size_t i = 0; i < log->n_stages; i++) {
        const struct evlog_stage *s = &log->stages[i];
        if (s->attempt != 0 || log_stage_paired(m, s->id))
            continue;
        int64_t from, to, n;
        struct diag ignore;
        diag_clear(&ignore);
        if (log_stage_span(log, s->id, m->path, 0, &from, &to, &n, &ignore) != SC_OK)
            continue; /* never completed: nothing to compare */
        struct validate_pair *p = add_pair(v, cap);
        if (!p)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)s->id);
        p->name = dup_str(s->name ? s->name : "");
        p->log_stages = dup_str(id);
        if (!p->name || !p->log_stages)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        p->tasks_actual = n;
        p->actual_s = (double)(to - from) * 1e-3;
        set_error(p);
    }
    return SC_OK;
}

/* Pairs every planned stage of r with its entry; every entry must name a
 * planned stage. */
static enum sc_status compare(struct validation *v, struct manifest *m, const struct evlog *log,
                              const struct pipeline *pl, struct diag *d)
{
    const struct results *r = sim_results(pl->sim);
    size_t cap = 0;
    for (size_t i = 0; i < r->n_stages; i++) {
        const struct stage_result *sr = &r->stages[i];
        const char *job = r->jobs[sr->job].name;
        struct map_entry *e = find_entry(m, job, sr->id);
        if (!e)
            return diag_set(d, SC_EINPUT, m->path, m->stages_line,
                            "planned stage %lld of job '%s'%s%s%s has no entry: add { job = "
                            "\"%s\"; stage = %lld; log = [ID, ...]; } (log = [] when the log "
                            "has no such stage)",
                            (long long)sr->id, job, sr->name ? " ('" : "", sr->name ? sr->name : "",
                            sr->name ? "')" : "", job, (long long)sr->id);
        if (e->used)
            return diag_set(d, SC_EINPUT, m->path, e->line,
                            "stage %lld of job '%s' is mapped twice", (long long)sr->id, job);
        if (pair_planned(v, &cap, m, log, pl, sr, e, d) != SC_OK)
            return d->status;
    }
    for (size_t j = 0; j < m->n_entries; j++)
        if (!m->entries[j].used)
            return diag_set(d, SC_EINPUT, m->path, m->entries[j].line,
                            "the plan has no stage %lld in a job '%s' (`stagecast plan %s` "
                            "lists the planned stages)",
                            (long long)m->entries[j].stage, m->entries[j].job, m->scenario);
    if (add_unmatched(v, &cap, m, log, d) != SC_OK)
        return d->status;
    v->app_actual_s = log_app_s(log, v->busy_app);
    v->app_predicted_s = r->makespan_s;
    v->app_error =
        v->app_actual_s > 0.0 ? (v->app_predicted_s - v->app_actual_s) / v->app_actual_s : NAN;
    validate_score(v->pairs, v->n_pairs, &v->median_abs_error, &v->weighted_error);
    return SC_OK;
}

static enum sc_status simulate(struct validation *v, struct manifest *m,
                               const struct validate_options *o, const struct evlog *log,
                               struct diag *d)
{
    struct pipeline pl;
    memset(&pl, 0, sizeof pl);
    struct pipeline_request rq = {.until = PIPELINE_SIMULATE,
                                  .path = v->scenario,
                                  .sets = o->sets,
                                  .n_sets = o->n_sets,
                                  .catalog = o->catalog,
                                  .calibration = o->calib};
    enum sc_status st = pipeline_run(&pl, &rq, d);
    if (st == SC_OK) {
        if (pl.cal) {
            const char *src = "";
            v->host_acu = calibrate_host_acu(pl.cal, &src);
            snprintf(v->acu_source, sizeof v->acu_source, "%s", src ? src : "");
        } else {
            v->host_acu = NAN;
        }
        st = compare(v, m, log, &pl, d);
    }
    pipeline_fini(&pl);
    return st;
}

struct validation *validate_run(const char *path, const struct validate_options *o, struct diag *d)
{
    struct manifest m;
    struct validation *v = calloc(1, sizeof *v);
    struct evlog *log = NULL;
    if (!v) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    if (manifest_read(&m, path, d) != SC_OK)
        goto fail;
    const char *log_dir = o->log_dir ? o->log_dir : ".";
    v->manifest = dup_str(path);
    v->scenario = join_path(path, dir_len_of(path), m.scenario);
    v->log = join_path(log_dir, strlen(log_dir), m.log);
    v->in_sample = dup_str(m.in_sample);
    v->busy_app = m.application && strcmp(m.application, "busy") == 0;
    if (!v->manifest || !v->scenario || !v->log || (m.in_sample && !v->in_sample)) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    struct evlog_options lo = {false};
    struct diag ld;
    diag_clear(&ld);
    if (!(log = evlog_read(v->log, &lo, &ld))) {
        char buf[1100];
        diag_set(d, ld.status == SC_ENOENT ? SC_ENOENT : SC_EINPUT, path, m.log_line,
                 "the event log: %s", diag_format(&ld, buf, sizeof buf));
        goto fail;
    }
    v->app_name = dup_str(log->app_name ? log->app_name : "");
    v->spark_version = dup_str(log->spark_version ? log->spark_version : "?");
    if (!v->app_name || !v->spark_version) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    if (simulate(v, &m, o, log, d) != SC_OK)
        goto fail;
    evlog_free(log);
    manifest_fini(&m);
    return v;
fail:
    evlog_free(log);
    manifest_fini(&m);
    validate_free(v);
    return NULL;
}

void validate_free(struct validation *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_pairs; i++) {
        free(v->pairs[i].job);
        free(v->pairs[i].name);
        free(v->pairs[i].log_stages);
    }
    free(v->pairs);
    free(v->manifest);
    free(v->log);
    free(v->scenario);
    free(v->app_name);
    free(v->spark_version);
    free(v->in_sample);
    free(v);
}

/* ---- printing --------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* x as a signed percentage, or a magnitude; "-" for NaN. */
static void print_pct(FILE *out, const char *fmt_width, double x, bool magnitude)
{
    char buf[32];
    if (isnan(x))
        snprintf(buf, sizeof buf, "-");
    else
        snprintf(buf, sizeof buf, magnitude ? "%.1f%%" : "%+.1f%%", 100.0 * x);
    fprintf(out, fmt_width, buf);
}

void validate_print_preamble(FILE *out)
{
    fputs("From-scenario prediction against real Spark event logs.\n"
          "Taken from each log: the query plans (physicalPlanDescription), the input tables' "
          "rows and bytes\n"
          "(the scans' SQL metrics), the Spark settings and the executors; never a task or "
          "stage time.\n"
          "Compute: kernels calibrated on sample rows on this host, times the Spark overhead "
          "factors\n"
          "of models/calib.c, which `validate --fit-factors` fitted on these validations' stages:"
          "\n"
          "a log with evidence stages is labelled in-sample (`--cross-validate` fits without "
          "it).\n"
          "Actual times are the log's stage Submission\n"
          "and Completion Times; a log stage no planned stage makes counts with predicted 0.\n",
          out);
}

void validate_print(FILE *out, const struct validation *v)
{
    fprintf(out, "\n== %s: %s (Spark %s), scenario %s\n", base_name(v->manifest), v->log,
            v->spark_version, v->scenario);
    if (v->cross_validated)
        fprintf(out, "cross-validated: overhead factors fitted on the other validations' "
                     "stages, not this log's\n");
    else if (v->in_sample)
        fprintf(out, "in-sample: %s\n", v->in_sample);
    else
        fprintf(out, "out of sample: no overhead factor was derived from this log\n");
    if (!isnan(v->host_acu) && v->host_acu > 0.0)
        fprintf(out, "host ACU-equivalent %.0f per core (%s)\n", v->host_acu, v->acu_source);
    fprintf(out, "\n %-14s %5s  %-9s %6s %6s %10s %11s %8s  %s\n", "job", "stage", "log stage",
            "tasks", "in log", "actual_s", "predicted_s", "error", "name");
    for (size_t i = 0; i < v->n_pairs; i++) {
        const struct validate_pair *p = &v->pairs[i];
        char stage[24] = "-", tp[24] = "-", ta[24] = "-";
        if (p->plan_stage >= 0)
            snprintf(stage, sizeof stage, "%lld", (long long)p->plan_stage);
        if (p->tasks_predicted >= 0)
            snprintf(tp, sizeof tp, "%lld", (long long)p->tasks_predicted);
        if (p->tasks_actual >= 0)
            snprintf(ta, sizeof ta, "%lld", (long long)p->tasks_actual);
        fprintf(out, " %-14.14s %5s  %-9s %6s %6s %10.3f %11.3f ", p->job ? p->job : "(unmatched)",
                stage, p->log_stages[0] ? p->log_stages : "(none)", tp, ta, p->actual_s,
                p->predicted_s);
        print_pct(out, "%8s", p->error, false);
        fprintf(out, "  %.60s\n", p->name);
    }
    fprintf(out, "\napplication (%s): actual %.3f s, predicted %.3f s, error ",
            v->busy_app ? "time some job ran" : "first job submitted to last job ended",
            v->app_actual_s, v->app_predicted_s);
    print_pct(out, "%s", v->app_error, false);
    fprintf(out, "\nstages: median absolute error ");
    print_pct(out, "%s", v->median_abs_error, true);
    fprintf(out, ", duration-weighted error (sum |pred - actual| / sum actual) ");
    print_pct(out, "%s", v->weighted_error, true);
    fputc('\n', out);
}

void validate_table_header(FILE *out)
{
    fputs("\n| log | sample | stages (paired/unmatched) | median stage error | duration-weighted "
          "stage error | application actual s | predicted s | application error |\n"
          "|---|---|---:|---:|---:|---:|---:|---:|\n",
          out);
}

static void md_pct(FILE *out, double x, bool magnitude)
{
    if (isnan(x))
        fputs(" - |", out);
    else if (magnitude)
        fprintf(out, " %.1f%% |", 100.0 * x);
    else
        fprintf(out, " %+.1f%% |", 100.0 * x);
}

void validate_table_row(FILE *out, const struct validation *v)
{
    size_t paired = 0, unmatched = 0;
    for (size_t i = 0; i < v->n_pairs; i++) {
        if (v->pairs[i].matched)
            paired++;
        else
            unmatched++;
    }
    fprintf(out, "| `%s` | %s | %zu/%zu |", base_name(v->log),
            v->cross_validated ? "cross-validated"
            : v->in_sample     ? "in-sample"
                               : "out of sample",
            paired, unmatched);
    md_pct(out, v->median_abs_error, true);
    md_pct(out, v->weighted_error, true);
    fprintf(out, " %.1f | %.1f |", v->app_actual_s, v->app_predicted_s);
    md_pct(out, v->app_error, false);
    fputc('\n', out);
}
