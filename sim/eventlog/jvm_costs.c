/*
 * jvm_costs.c — the JVM's own costs measured on event logs and fitted into
 * the defaults of models/jvm.h (`stagecast fit-jvm`; the fields and where
 * each comes from are in jvm_costs.h, the model in docs/models/jvm.md).
 *
 * Where it sits: beside the importer, on the log sim/eventlog/eventlog.c
 * reads; it feeds nothing at run time: its output is the documented
 * defaults of models/jvm.c and a `model.jvm` fragment for a scenario.
 */
#include "sim/eventlog/jvm_costs.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Stages are repeats of one another when they read this close a number of
 * records (and have the same name and task count). */
#define JVM_REPEAT_RECORDS_TOL 0.10

static const char *const param_keys[JVM_N_PARAMS] = {
    "task_fixed_ms",   "gc_share",            "first_task_ms", "first_query_factor",
    "query_driver_ms", "broadcast_driver_ms", "first_run_ms",  "first_run_small_ms", "first_task_local_ms"};

const char *jvm_param_key(enum jvm_param p)
{
    return (unsigned)p < JVM_N_PARAMS ? param_keys[p] : "?";
}

double jvm_param_scale(enum jvm_param p)
{
    return p == JVM_GC_SHARE || p == JVM_FIRST_QUERY ? 1.0 : 1000.0;
}

/* ---- samples ------------------------------------------------------------ */

struct sample {
    double *v;
    size_t n, cap;
    bool oom;
};

static void sample_add(struct sample *s, double x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        double *p = realloc(s->v, cap * sizeof *p);
        if (!p) {
            s->oom = true; /* the statistics then cover what was kept */
            return;
        }
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = x;
}

static struct jvm_stat sample_stat(struct sample *s)
{
    struct jvm_stat st = {s->n, NAN, NAN, NAN};
    if (s->n > 0) {
        gsl_sort(s->v, 1, s->n);
        st.median = gsl_stats_median_from_sorted_data(s->v, 1, s->n);
        st.p10 = gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, 0.10);
        st.p90 = gsl_stats_quantile_from_sorted_data(s->v, 1, s->n, 0.90);
    }
    return st;
}

static void sample_free(struct sample *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static double median_of(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

/* ---- one log ------------------------------------------------------------- */

static bool task_usable(const struct evlog_task *t)
{
    return t->end == EVLOG_SUCCESS && t->run_ms != EVLOG_NONE;
}

static double nonneg(int64_t v)
{
    return v == EVLOG_NONE || v < 0 ? 0.0 : (double)v;
}

/* Spark UI's scheduler delay (AppStatusUtils.schedulerDelay, getting result
 * time from resultFetchStart = "Getting Result Time"). */
static double sched_delay_ms(const struct evlog_task *t)
{
    double dur = (double)(t->finish_ms - t->launch_ms);
    double getting = t->getting_result_ms > 0 ? (double)(t->finish_ms - t->getting_result_ms) : 0.0;
    double d =
        dur - nonneg(t->run_ms) - nonneg(t->deserialize_ms) - nonneg(t->result_ser_ms) - getting;
    return d > 0.0 ? d : 0.0;
}

static double task_busy_ms(const struct evlog_task *t)
{
    return nonneg(t->deserialize_ms) + nonneg(t->run_ms);
}

/* The earliest launch of a task of stage id (any attempt); INT64_MAX none. */
static int64_t stage_first_launch(const struct evlog *log, int64_t id)
{
    int64_t first = INT64_MAX;
    for (int32_t a = 0; evlog_stage_find(log, id, a) != NULL; a++) {
        size_t n;
        const struct evlog_task *t = evlog_stage_tasks(log, id, a, &n);
        for (size_t i = 0; i < n; i++)
            if (t[i].launch_ms < first)
                first = t[i].launch_ms;
    }
    return first;
}

static int64_t job_first_launch(const struct evlog *log, const struct evlog_job *j)
{
    int64_t first = INT64_MAX;
    for (size_t s = 0; s < j->n_stages; s++) {
        int64_t l = stage_first_launch(log, j->stages[s].id);
        first = l < first ? l : first;
    }
    return first;
}

static bool job_is_broadcast(const struct evlog_job *j)
{
    return j->description && strncasecmp(j->description, "broadcast exchange", 18) == 0;
}

/* Cold tasks: launched on their executor before its first task finished. */
static void mark_cold(const struct evlog *log, bool *cold)
{
    size_t ne = log->n_executors + 1; /* slot 0: tasks of an executor never added */
    int64_t *first_finish = malloc(ne * sizeof *first_finish);
    if (!first_finish) {
        memset(cold, 0, log->n_tasks * sizeof *cold);
        return;
    }
    for (size_t e = 0; e < ne; e++)
        first_finish[e] = INT64_MAX;
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        size_t e = (size_t)(t->executor + 1);
        if (t->finish_ms < first_finish[e])
            first_finish[e] = t->finish_ms;
    }
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        cold[i] = t->launch_ms < first_finish[(size_t)(t->executor + 1)];
    }
    free(first_finish);
}

static void measure_tasks(const struct evlog *log, const bool *cold, struct jvm_log_costs *out)
{
    struct sample deser = {0}, ser = {0}, getting = {0}, delay = {0}, fixed = {0};
    double gc = 0.0, run = 0.0;
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        if (!task_usable(t))
            continue;
        out->n_tasks++;
        sample_add(&deser, nonneg(t->deserialize_ms));
        sample_add(&ser, nonneg(t->result_ser_ms));
        sample_add(&getting,
                   t->getting_result_ms > 0 ? (double)(t->finish_ms - t->getting_result_ms) : 0.0);
        sample_add(&delay, sched_delay_ms(t));
        run += nonneg(t->run_ms);
        gc += nonneg(t->gc_ms);
        if (cold[i]) {
            out->n_cold++;
        } else {
            out->n_warm++;
            sample_add(&fixed,
                       nonneg(t->deserialize_ms) + nonneg(t->result_ser_ms) + sched_delay_ms(t));
        }
    }
    out->deserialize_ms = sample_stat(&deser);
    out->result_ser_ms = sample_stat(&ser);
    out->getting_result_ms = sample_stat(&getting);
    out->sched_delay_ms = sample_stat(&delay);
    out->task_fixed_ms = sample_stat(&fixed);
    out->gc_share = run > 0.0 ? gc / run : NAN;
    sample_free(&deser);
    sample_free(&ser);
    sample_free(&getting);
    sample_free(&delay);
    sample_free(&fixed);
}

/* Cold tasks against the warm tasks of their own stage attempt. */
static void measure_first_tasks(const struct evlog *log, const bool *cold,
                                struct jvm_log_costs *out)
{
    struct sample excess = {0}, ratio = {0}, warm = {0};
    for (size_t i = 0; i < log->n_tasks;) {
        size_t j = i;
        while (j < log->n_tasks && log->tasks[j].stage_id == log->tasks[i].stage_id &&
               log->tasks[j].stage_attempt == log->tasks[i].stage_attempt)
            j++;
        warm.n = 0;
        for (size_t k = i; k < j; k++)
            if (!cold[k] && task_usable(&log->tasks[k]))
                sample_add(&warm, task_busy_ms(&log->tasks[k]));
        double w = median_of(warm.v, warm.n);
        for (size_t k = i; k < j && warm.n > 0; k++) {
            if (!cold[k] || !task_usable(&log->tasks[k]))
                continue;
            double c = task_busy_ms(&log->tasks[k]);
            sample_add(&excess, c - w);
            sample_add(&ratio, c / (w > 1.0 ? w : 1.0));
        }
        i = j;
    }
    out->first_task_excess_ms = sample_stat(&excess);
    out->first_task_ratio = sample_stat(&ratio);
    sample_free(&excess);
    sample_free(&ratio);
    sample_free(&warm);
}

static bool stage_usable(const struct evlog_stage *s);
static double stage_records(const struct evlog_stage *s);
static double stage_loop_records(const struct evlog_stage *s);
static bool stages_repeat(const struct evlog_stage *a, const struct evlog_stage *b);

/* Each stage that repeats no earlier one (the same name, task count and
 * records, as measure_first_query pairs them: a call site names every
 * stage of its job, so the name alone is not the pipeline): its first wave
 * against its later tasks, warm executors only. */
static void measure_first_run(const struct evlog *log, const bool *cold, struct jvm_log_costs *out)
{
    struct sample per_stage = {0}, per_small = {0}, excess = {0}, later = {0};
    for (size_t i = 0; i < log->n_stages; i++) {
        const struct evlog_stage *s = &log->stages[i];
        if (!stage_usable(s))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = stage_usable(&log->stages[j]) && stages_repeat(&log->stages[j], s);
        if (seen)
            continue;
        size_t n;
        const struct evlog_task *t = evlog_stage_tasks(log, s->id, s->attempt, &n);
        int64_t first_finish = INT64_MAX;
        for (size_t k = 0; k < n; k++)
            if (t[k].finish_ms != EVLOG_NONE && t[k].finish_ms < first_finish)
                first_finish = t[k].finish_ms;
        later.n = 0;
        for (size_t k = 0; k < n; k++)
            if (task_usable(&t[k]) && !cold[(size_t)(&t[k] - log->tasks)] &&
                t[k].launch_ms >= first_finish)
                sample_add(&later, task_busy_ms(&t[k]));
        if (later.n == 0)
            continue; /* one wave: nothing to set it against */
        double w = median_of(later.v, later.n);
        excess.n = 0;
        for (size_t k = 0; k < n; k++)
            if (task_usable(&t[k]) && !cold[(size_t)(&t[k] - log->tasks)] &&
                t[k].launch_ms < first_finish)
                sample_add(&excess, task_busy_ms(&t[k]) - w);
        if (excess.n > 0)
            sample_add(n > 0 && stage_loop_records(s) / (double)n < JVM_FIRST_RUN_RECORDS
                           ? &per_small
                           : &per_stage,
                       median_of(excess.v, excess.n));
    }
    out->first_run_excess_ms = sample_stat(&per_stage);
    out->first_run_small_excess_ms = sample_stat(&per_small);
    sample_free(&per_stage);
    sample_free(&per_small);
    sample_free(&excess);
    sample_free(&later);
}

static double stage_records(const struct evlog_stage *s)
{
    return nonneg(s->metrics.input_records) + nonneg(s->metrics.shuffle_read_records);
}

/* The rows a stage's generated loop runs over: the larger of what it reads
 * and what it writes (a join's output can be many times its input). */
static double stage_loop_records(const struct evlog_stage *s)
{
    double out = nonneg(s->metrics.shuffle_write_records) + nonneg(s->metrics.output_records);
    return fmax(stage_records(s), out);
}

static bool stage_usable(const struct evlog_stage *s)
{
    return s->attempt == 0 && s->status == EVLOG_STAGE_COMPLETED && s->name &&
           s->submit_ms != EVLOG_NONE;
}

static bool stages_repeat(const struct evlog_stage *a, const struct evlog_stage *b)
{
    double ra = stage_records(a), rb = stage_records(b);
    double hi = ra > rb ? ra : rb;
    return a->num_tasks == b->num_tasks && strcmp(a->name, b->name) == 0 &&
           (hi == 0.0 || fabs(ra - rb) <= JVM_REPEAT_RECORDS_TOL * hi);
}

/* The run time of a stage attempt's warm successful tasks, ms. */
static double stage_warm_run_ms(const struct evlog *log, const bool *cold,
                                const struct evlog_stage *s)
{
    size_t n;
    const struct evlog_task *t = evlog_stage_tasks(log, s->id, s->attempt, &n);
    double sum = 0.0;
    for (size_t k = 0; k < n; k++)
        if (task_usable(&t[k]) && !cold[(size_t)(&t[k] - log->tasks)])
            sum += nonneg(t[k].run_ms);
    return sum;
}

/* Repeated stages: the first run against its repeats. Stages are sorted
 * by id, which is the order Spark submitted them in. */
static void measure_first_query(const struct evlog *log, const bool *cold,
                                struct jvm_log_costs *out)
{
    struct sample ratio = {0}, rest = {0};
    double sum_first = 0.0, sum_rest = 0.0;
    out->first_query_weighted = NAN;
    bool *taken = calloc(log->n_stages + 1, sizeof *taken);
    if (!taken) {
        out->first_query_ratio = sample_stat(&ratio);
        return;
    }
    for (size_t i = 0; i < log->n_stages; i++) {
        const struct evlog_stage *a = &log->stages[i];
        if (taken[i] || !stage_usable(a))
            continue;
        rest.n = 0;
        for (size_t j = i + 1; j < log->n_stages; j++) {
            const struct evlog_stage *b = &log->stages[j];
            if (!taken[j] && stage_usable(b) && stages_repeat(a, b)) {
                taken[j] = true;
                sample_add(&rest, stage_warm_run_ms(log, cold, b));
            }
        }
        double first = stage_warm_run_ms(log, cold, a);
        double m = median_of(rest.v, rest.n);
        if (rest.n > 0 && first > 0.0 && m > 0.0) {
            sample_add(&ratio, first / m);
            sum_first += first;
            sum_rest += m;
        }
    }
    if (sum_rest > 0.0)
        out->first_query_weighted = sum_first / sum_rest;
    out->first_query_ratio = sample_stat(&ratio);
    free(taken);
    sample_free(&ratio);
    sample_free(&rest);
}

static void measure_driver(const struct evlog *log, struct jvm_log_costs *out)
{
    struct sample jobs = {0}, queries = {0}, bcast = {0}, pre = {0};
    /* Jobs: the first submitted apart. */
    int64_t first_submit = INT64_MAX;
    for (size_t i = 0; i < log->n_jobs; i++)
        if (log->jobs[i].submit_ms != EVLOG_NONE && log->jobs[i].submit_ms < first_submit &&
            job_first_launch(log, &log->jobs[i]) != INT64_MAX)
            first_submit = log->jobs[i].submit_ms;
    out->first_job_driver_ms = NAN;
    for (size_t i = 0; i < log->n_jobs; i++) {
        const struct evlog_job *j = &log->jobs[i];
        int64_t l = job_first_launch(log, j);
        if (j->submit_ms == EVLOG_NONE || l == INT64_MAX)
            continue;
        double ms = (double)(l - j->submit_ms);
        if (j->submit_ms == first_submit && isnan(out->first_job_driver_ms))
            out->first_job_driver_ms = ms;
        else
            sample_add(&jobs, ms);
    }
    /* Queries: start to first task; the first query apart. */
    out->first_query_driver_ms = NAN;
    int64_t first_start = INT64_MAX;
    for (size_t q = 0; q < log->n_sqls; q++) {
        const struct evlog_sql *s = &log->sqls[q];
        int64_t l = INT64_MAX;
        for (size_t i = 0; i < log->n_jobs; i++)
            if (log->jobs[i].sql_id == s->id) {
                int64_t x = job_first_launch(log, &log->jobs[i]);
                l = x < l ? x : l;
            }
        if (s->start_ms == EVLOG_NONE || l == INT64_MAX)
            continue;
        if (s->start_ms < first_start) {
            if (first_start != INT64_MAX)
                sample_add(&queries, out->first_query_driver_ms);
            first_start = s->start_ms;
            out->first_query_driver_ms = (double)(l - s->start_ms);
        } else {
            sample_add(&queries, (double)(l - s->start_ms));
        }
        /* Its broadcast jobs: their own driver time (the least of them: a
         * later one may wait for slots), then the wait for the relation
         * after the last of them to the query's next job. */
        int64_t last_end = INT64_MIN, next = INT64_MAX;
        pre.n = 0;
        for (size_t i = 0; i < log->n_jobs; i++) {
            const struct evlog_job *j = &log->jobs[i];
            int64_t x = job_first_launch(log, j);
            if (j->sql_id != s->id || !job_is_broadcast(j) || j->end_ms == EVLOG_NONE ||
                j->submit_ms == EVLOG_NONE || x == INT64_MAX)
                continue;
            sample_add(&pre, (double)(x - j->submit_ms));
            last_end = j->end_ms > last_end ? j->end_ms : last_end;
        }
        for (size_t i = 0; i < log->n_jobs && last_end != INT64_MIN; i++) {
            const struct evlog_job *j = &log->jobs[i];
            if (j->sql_id == s->id && !job_is_broadcast(j) && j->submit_ms != EVLOG_NONE &&
                j->submit_ms >= last_end && j->submit_ms < next)
                next = j->submit_ms;
        }
        if (last_end != INT64_MIN && next != INT64_MAX)
            sample_add(&bcast, gsl_stats_min(pre.v, 1, pre.n) + (double)(next - last_end));
    }
    out->job_driver_ms = sample_stat(&jobs);
    out->query_driver_ms = sample_stat(&queries);
    out->broadcast_driver_ms = sample_stat(&bcast);
    sample_free(&jobs);
    sample_free(&queries);
    sample_free(&bcast);
    sample_free(&pre);
}

void jvm_measure(const struct evlog *log, struct jvm_log_costs *out)
{
    memset(out, 0, sizeof *out);
    const char *base = log->path ? strrchr(log->path, '/') : NULL;
    snprintf(out->log, sizeof out->log, "%s", base ? base + 1 : log->path ? log->path : "?");
    bool *cold = calloc(log->n_tasks + 1, sizeof *cold);
    struct jvm_stat none = {0, NAN, NAN, NAN};
    out->gc_share = out->first_query_weighted = NAN;
    out->deserialize_ms = out->result_ser_ms = out->getting_result_ms = out->sched_delay_ms =
        out->task_fixed_ms = out->first_task_excess_ms = out->first_task_ratio =
            out->first_query_ratio = out->first_run_excess_ms = out->first_run_small_excess_ms =
                none;
    if (cold) { /* without memory the task figures stay unmeasured */
        mark_cold(log, cold);
        measure_tasks(log, cold, out);
        measure_first_tasks(log, cold, out);
        measure_first_query(log, cold, out);
        measure_first_run(log, cold, out);
    }
    free(cold);
    measure_driver(log, out);
    out->param[JVM_TASK_FIXED] = out->task_fixed_ms.median;
    out->param[JVM_GC_SHARE] = out->gc_share;
    /* A local-mode log's first tasks are the driver JVM's: apart. */
    bool local = jvm_local_master(evlog_property(log, "spark.master"));
    out->param[local ? JVM_FIRST_TASK_LOCAL : JVM_FIRST_TASK] = out->first_task_excess_ms.median;
    out->param[local ? JVM_FIRST_TASK : JVM_FIRST_TASK_LOCAL] = NAN;
    out->param[JVM_FIRST_QUERY] = out->first_query_weighted;
    out->param[JVM_QUERY_DRIVER] = out->query_driver_ms.median;
    out->param[JVM_BROADCAST_DRIVER] = out->broadcast_driver_ms.median;
    out->param[JVM_FIRST_RUN] = out->first_run_excess_ms.median;
    out->param[JVM_FIRST_RUN_SMALL] = out->first_run_small_excess_ms.median;
}

/* ---- the fit --------------------------------------------------------------- */

void jvm_fit(const struct jvm_log_costs *logs, size_t n, long skip, double param[JVM_N_PARAMS])
{
    double *v = malloc((n + 1) * sizeof *v);
    for (int p = 0; p < JVM_N_PARAMS; p++) {
        size_t k = 0;
        for (size_t i = 0; v && i < n; i++)
            if ((long)i != skip && isfinite(logs[i].param[p]))
                v[k++] = logs[i].param[p];
        param[p] = v ? median_of(v, k) : NAN;
    }
    free(v);
}

/* ---- printing -------------------------------------------------------------- */

static void print_stat(FILE *out, const char *what, struct jvm_stat s, const char *unit)
{
    if (s.n == 0) {
        fprintf(out, "  %-34s -\n", what);
        return;
    }
    fprintf(out, "  %-34s median %9.2f  p10 %9.2f  p90 %9.2f %s (n %zu)\n", what, s.median, s.p10,
            s.p90, unit, s.n);
}

static void print_one(FILE *out, const char *what, double v, const char *unit)
{
    if (isnan(v))
        fprintf(out, "  %-34s -\n", what);
    else
        fprintf(out, "  %-34s %9.3f %s\n", what, v, unit);
}

static double rel_err(double fitted, double actual)
{
    return isfinite(fitted) && isfinite(actual) && actual != 0.0 ? (fitted - actual) / actual : NAN;
}

void jvm_print(FILE *out, const struct jvm_log_costs *logs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct jvm_log_costs *c = &logs[i];
        fprintf(out, "== %s: %zu tasks with metrics (%zu cold, %zu warm)\n", c->log, c->n_tasks,
                c->n_cold, c->n_warm);
        print_stat(out, "executor deserialize", c->deserialize_ms, "ms");
        print_stat(out, "result serialization", c->result_ser_ms, "ms");
        print_stat(out, "getting result", c->getting_result_ms, "ms");
        print_stat(out, "scheduler delay", c->sched_delay_ms, "ms");
        print_stat(out, "task fixed (warm: deser+ser+delay)", c->task_fixed_ms, "ms");
        print_one(out, "GC share of run time", c->gc_share, "");
        print_stat(out, "first task excess over warm", c->first_task_excess_ms, "ms");
        print_stat(out, "first task / warm", c->first_task_ratio, "x");
        print_stat(out, "first run / repeats (stages)", c->first_query_ratio, "x");
        print_one(out, "first run / repeats, time-weighted", c->first_query_weighted, "x");
        print_stat(out, "first run's first wave excess", c->first_run_excess_ms, "ms");
        print_stat(out, "the same, < 10,000 records a task", c->first_run_small_excess_ms, "ms");
        print_one(out, "first query: start to 1st task", c->first_query_driver_ms, "ms");
        print_stat(out, "other queries: start to 1st task", c->query_driver_ms, "ms");
        print_one(out, "first job: submit to 1st task", c->first_job_driver_ms, "ms");
        print_stat(out, "other jobs: submit to 1st task", c->job_driver_ms, "ms");
        print_stat(out, "broadcast driver (per query)", c->broadcast_driver_ms, "ms");
    }
    double fit[JVM_N_PARAMS], loo[JVM_N_PARAMS];
    jvm_fit(logs, n, -1, fit);
    fprintf(out, "\nDefaults: the median over the logs of each log's value; errors are "
                 "(default - log's value) / log's value.\n"
                 "In-sample: the default fitted on all logs; cross-validated: fitted on the "
                 "others (leave one log out).\n");
    for (int p = 0; p < JVM_N_PARAMS; p++) {
        size_t k = 0;
        double *ins = calloc(n + 1, sizeof *ins), *cv = calloc(n + 1, sizeof *cv);
        size_t ni = 0, nc = 0;
        for (size_t i = 0; i < n; i++)
            k += isfinite(logs[i].param[p]);
        fprintf(out, "\n%s = %.4g  (%zu logs)\n", jvm_param_key((enum jvm_param)p), fit[p], k);
        for (size_t i = 0; i < n; i++) {
            double v = logs[i].param[p];
            if (!isfinite(v))
                continue;
            jvm_fit(logs, n, (long)i, loo);
            double ei = rel_err(fit[p], v), ec = rel_err(loo[p], v);
            fprintf(out,
                    "  %-34s value %10.4g  in-sample %+8.1f%%  left out: default %10.4g "
                    "error %+8.1f%%\n",
                    logs[i].log, v, 100.0 * ei, loo[p], 100.0 * ec);
            if (ins && isfinite(ei))
                ins[ni++] = fabs(ei);
            if (cv && isfinite(ec))
                cv[nc++] = fabs(ec);
        }
        fprintf(out, "  median |error|: in-sample %.1f%%, cross-validated %.1f%%\n",
                100.0 * median_of(ins, ins ? ni : 0), 100.0 * median_of(cv, cv ? nc : 0));
        free(ins);
        free(cv);
    }
    fprintf(out, "\nmodel = { jvm = {");
    for (int p = 0; p < JVM_N_PARAMS; p++)
        if (isfinite(fit[p]))
            fprintf(out, " %s = %.4g;", jvm_param_key((enum jvm_param)p), fit[p]);
    fprintf(out, " }; };\n");
}

enum sc_status jvm_fit_execute(const char *const *paths, size_t n, FILE *out, struct diag *d)
{
    struct jvm_log_costs *logs = calloc(n + 1, sizeof *logs);
    if (!logs)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct evlog_options opt = {.strict = false};
    for (size_t i = 0; i < n; i++) {
        struct evlog *log = evlog_read(paths[i], &opt, d);
        if (!log) {
            free(logs);
            return d->status;
        }
        jvm_measure(log, &logs[i]);
        evlog_free(log);
    }
    jvm_print(out, logs, n);
    free(logs);
    return SC_OK;
}
