/*
 * scenario_jobs.c — reads the scenario's `jobs` list and `pools`: each job's
 * query (scenario_query.c) or its explicit stages (task counts, task times as
 * a number, a list or a distribution, data sizes, and parent links checked
 * for cycles), and the fair-scheduler pools jobs run in.
 */
#include "models/hash64.h"
#include "sim/input/scenario_internal.h"

#include "models/operators.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- stages */

/* The kernels an explicit stage may name, from the operator registry,
 * into names (NULL-terminated). */
static void stage_kernel_names(const char *names[OPK_COUNT + 1])
{
    size_t n = 0;
    for (int k = 0; k < OPK_COUNT; k++)
        if (op_kernel_info((enum op_kernel)k)->stage_kernel)
            names[n++] = op_kernel_info((enum op_kernel)k)->name;
    names[n] = NULL;
}

/* task_seconds: a number (fixed) or { dist = "..."; parameters }. */
int scenario_read_task_seconds(struct reader *r, const config_setting_t *st, const char *stage,
                               struct dist *out)
{
    if (scenario_is_number(st)) {
        double v = scenario_number_of(st);
        if (!(v >= 0.0) || !isfinite(v))
            return scenario_fail(r, scenario_line_of(st),
                                 "'task_seconds' in %s must not be negative, not %g.", stage, v);
        if (v > SCN_MAX_DURATION_S)
            return scenario_fail(r, scenario_line_of(st),
                                 "'task_seconds' in %s must be at most %g s (about 115 days), "
                                 "not %g.",
                                 stage, SCN_MAX_DURATION_S, v);
        *out = dist_fixed(v);
        return 0;
    }
    if (config_setting_type(st) != CONFIG_TYPE_GROUP)
        return scenario_wrong_type(r, st, stage,
                                   "a number of seconds or a group such as { dist = \"lognormal\"; "
                                   "median = 2.0; sigma = 0.3; }");
    char where[256];
    snprintf(where, sizeof where, "task_seconds of %s", stage);
    const char *name;
    int line = 0;
    if (scenario_get_str(r, st, where, "dist", true, &name, &line) < 0)
        return -1;
    enum dist_kind kind;
    if (dist_kind_parse(name, &kind) != 0)
        return scenario_fail(r, line,
                             "'dist' in %s must be one of fixed, normal, lognormal, uniform, "
                             "exponential, not \"%s\".",
                             where, name);
    snprintf(where, sizeof where, "task_seconds of %s (dist \"%s\")", stage, name);
    if (scenario_check_group(r, st, where, "jobs[].stages[].task_seconds", dist_kind_name(kind)) !=
        0)
        return -1;
    double p1 = 0.0, p2 = 0.0;
    /* A duration's parameters: at most SCN_MAX_DURATION_S (draws past it are
     * clamped by the runtime, like every duration). */
    const double inf = SCN_MAX_DURATION_S;
    switch (kind) {
    case DIST_FIXED:
        if (scenario_get_number(r, st, where, "value", true, 0, false, inf, &p1) < 0)
            return -1;
        break;
    case DIST_NORMAL:
        if (scenario_get_number(r, st, where, "mean", true, 0, false, inf, &p1) < 0 ||
            scenario_get_number(r, st, where, "stddev", true, 0, false, inf, &p2) < 0)
            return -1;
        break;
    case DIST_LOGNORMAL: {
        /* The median is what people read off a Spark UI; mu = log(median). */
        double median = NAN;
        int has_median = scenario_get_number(r, st, where, "median", false, 0, true, inf, &median);
        int has_mu = scenario_get_number(r, st, where, "mu", false, -INFINITY, false,
                                         log(SCN_MAX_DURATION_S), &p1);
        if (has_median < 0 || has_mu < 0)
            return -1;
        if (has_median && has_mu)
            return scenario_fail(r, scenario_line_of(st),
                                 "%s gives both 'median' and 'mu'; give one.", where);
        if (!has_median && !has_mu)
            return scenario_fail(r, scenario_line_of(st),
                                 "%s is missing the required key 'median' (or 'mu').", where);
        if (has_median)
            p1 = log(median);
        if (scenario_get_number(r, st, where, "sigma", true, 0, false, inf, &p2) < 0)
            return -1;
        break;
    }
    case DIST_UNIFORM:
        if (scenario_get_number(r, st, where, "min", true, 0, false, inf, &p1) < 0 ||
            scenario_get_number(r, st, where, "max", true, 0, false, inf, &p2) < 0)
            return -1;
        break;
    case DIST_EXPONENTIAL:
        if (scenario_get_number(r, st, where, "mean", true, 0, true, inf, &p1) < 0)
            return -1;
        break;
    }
    out->kind = kind;
    out->p1 = p1;
    out->p2 = p2;
    const char *why = dist_check(out);
    if (why)
        return scenario_fail(r, scenario_line_of(st), "%s: %s.", where, why);
    return 0;
}

static int read_parents(struct reader *r, const config_setting_t *st, const char *stage,
                        struct stage_spec *sp)
{
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, st, stage, "an array of stage ids such as [0, 1]");
    size_t n = (size_t)config_setting_length(st);
    if (n == 0)
        return 0;
    sp->parents = calloc(n, sizeof *sp->parents);
    if (sp->parents == NULL)
        return scenario_fail_nomem(r, sp->parents_line);
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        if (!scenario_is_int(e)) {
            char got[96];
            return scenario_fail(r, scenario_line_of(e),
                                 "'parents' in %s must hold stage ids; item %zu is %s.", stage,
                                 i + 1, scenario_describe(e, got, sizeof got));
        }
        int64_t id = config_setting_get_int64(e);
        if (id < 0)
            return scenario_fail(r, scenario_line_of(e),
                                 "'parents' in %s holds %lld; stage ids are not negative.", stage,
                                 (long long)id);
        if (id == sp->id)
            return scenario_fail(r, scenario_line_of(e), "%s lists itself as its own parent.",
                                 stage);
        for (size_t j = 0; j < i; j++)
            if (sp->parents[j] == id)
                return scenario_fail(r, scenario_line_of(e),
                                     "'parents' in %s lists stage %lld twice.", stage,
                                     (long long)id);
        sp->parents[i] = id;
        sp->n_parents = i + 1;
    }
    return 0;
}

/* task_seconds as a list: one time per task, in task order (as an event
 * log records them), so the stage must say how many tasks it has. */
static int read_task_seconds_list(struct reader *r, const config_setting_t *st, const char *where,
                                  bool tasks_given, struct stage_spec *sp)
{
    int n = config_setting_length(st);
    if (!tasks_given)
        return scenario_fail(r, scenario_line_of(st),
                             "%s lists one time per task, so it must give 'tasks'.", where);
    if ((int64_t)n != sp->tasks)
        return scenario_fail(r, scenario_line_of(st),
                             "'task_seconds' in %s lists %d times but the stage has %lld tasks.",
                             where, n, (long long)sp->tasks);
    sp->task_seconds_list = malloc((size_t)n * sizeof(double));
    if (!sp->task_seconds_list)
        return scenario_fail_nomem(r, scenario_line_of(st));
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        double v = scenario_is_number(e) ? scenario_number_of(e) : NAN;
        if (!(v >= 0.0) || !isfinite(v))
            return scenario_fail(r, scenario_line_of(st),
                                 "'task_seconds' in %s must list numbers >= 0; item %d is not.",
                                 where, i + 1);
        if (v > SCN_MAX_DURATION_S)
            return scenario_fail(r, scenario_line_of(e),
                                 "'task_seconds' in %s must list times of at most %g s (about "
                                 "115 days); item %d is %g.",
                                 where, SCN_MAX_DURATION_S, i + 1, v);
        sp->task_seconds_list[i] = v;
    }
    sp->task_seconds = dist_fixed(0.0);
    return 0;
}

/* task_seconds in any of its forms: a list, a number or a distribution. */
static int read_stage_times(struct reader *r, const config_setting_t *g, const char *where,
                            bool tasks_given, struct stage_spec *sp)
{
    config_setting_t *st = config_setting_get_member(g, "task_seconds");
    if (!st)
        return 0;
    int type = config_setting_type(st);
    if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
        if (read_task_seconds_list(r, st, where, tasks_given, sp) != 0)
            return -1;
    } else if (scenario_read_task_seconds(r, st, where, &sp->task_seconds) != 0) {
        return -1;
    }
    sp->has_task_seconds = true;
    return 0;
}

/* The stage's data sizes; *has_data says whether any of those that give
 * its tasks work (input, records, shuffle, output) was given. */
static int read_stage_data(struct reader *r, const config_setting_t *g, const char *where,
                           struct stage_spec *sp, bool *has_data)
{
    static const char *const work_keys[] = {"input_bytes", "records", "shuffle_read_bytes",
                                            "shuffle_write_bytes", "output_bytes"};
    int64_t *const work[] = {&sp->input_bytes, &sp->records, &sp->shuffle_read_bytes,
                             &sp->shuffle_write_bytes, &sp->output_bytes};
    *has_data = false;
    for (size_t i = 0; i < sizeof work / sizeof work[0]; i++) {
        int rc = scenario_get_size(r, g, where, work_keys[i], work[i]);
        if (rc < 0)
            return -1;
        *has_data |= rc > 0;
    }
    if (scenario_get_number(r, g, where, "driver_s", false, 0, false, SCN_MAX_DURATION_S,
                            &sp->driver_s) < 0)
        return -1;
    int64_t rp = 0;
    if (scenario_get_int(r, g, where, "resource_profile", false, 0, INT32_MAX, false, &rp) < 0)
        return -1;
    sp->resource_profile = (int)rp;
    if (scenario_get_size(r, g, where, "memory_bytes", &sp->memory_bytes) < 0)
        return -1;
    /* Bytes the stage's tasks cache (df.cache() materialized by this stage):
     * they hold storage memory on the executors that ran them. */
    if (scenario_get_size(r, g, where, "cache_bytes", &sp->cache_bytes) < 0)
        return -1;
    /* What an event log measured, read only by what-ifs (what_if, another
     * worker): the task's fixed part and the bytes its tasks read. */
    if (scenario_get_number(r, g, where, "fixed_s", false, 0, false, SCN_MAX_DURATION_S,
                            &sp->fixed_s) < 0 ||
        scenario_get_number(r, g, where, "fetch_wait_s", false, 0, false, SCN_MAX_DURATION_S,
                            &sp->fetch_wait_s) < 0 ||
        scenario_get_number(r, g, where, "shuffle_write_s", false, 0, false, SCN_MAX_DURATION_S,
                            &sp->shuffle_write_s) < 0 ||
        scenario_get_size(r, g, where, "logged_input_bytes", &sp->logged_input_bytes) < 0 ||
        scenario_get_size(r, g, where, "logged_shuffle_bytes", &sp->logged_shuffle_bytes) < 0)
        return -1;
    return 0;
}

/* A stage that does not give 'tasks' gets as many as Spark would give it:
 * a shuffle's reduce side has spark.sql.shuffle.partitions tasks; a scan
 * has one task per spark.sql.files.maxPartitionBytes of input (the planner
 * applies Spark's full split rule; this is its first-order form). */
static int derive_stage_tasks(struct reader *r, const char *where, struct stage_spec *sp)
{
    if (sp->shuffle_read_bytes >= 0) {
        sp->tasks = spark_conf_int(&r->s->spark, "spark.sql.shuffle.partitions");
    } else if (sp->input_bytes > 0) {
        int64_t split = spark_conf_bytes(&r->s->spark, "spark.sql.files.maxPartitionBytes");
        if (split < 1)
            split = 1;
        sp->tasks = (sp->input_bytes + split - 1) / split;
    } else {
        return scenario_fail(r, sp->line,
                             "%s is missing the required key 'tasks' (it may be left out only "
                             "when the stage gives shuffle_read_bytes or input_bytes).",
                             where);
    }
    if (sp->tasks < 1)
        sp->tasks = 1;
    if (sp->tasks > SCN_MAX_TASKS_PER_STAGE)
        return scenario_fail_status(
            r, SC_ELIMIT, sp->line,
            "%s would have %lld tasks, more than the %lld stagecast accepts.", where,
            (long long)sp->tasks, (long long)SCN_MAX_TASKS_PER_STAGE);
    sp->tasks_derived = true;
    return 0;
}

/* cold_tasks: the indexes (0 to tasks - 1) of the tasks whose time holds a
 * fresh executor's warm-up (an event log's first wave on each executor);
 * given, even empty, it says the stage's other times hold none. */
static int read_cold_tasks(struct reader *r, const config_setting_t *g, const char *where,
                           struct stage_spec *sp)
{
    config_setting_t *st = config_setting_get_member(g, "cold_tasks");
    if (!st)
        return 0;
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, st, where, "an array of task indexes");
    if (!(sp->cold = calloc((size_t)(sp->tasks > 0 ? sp->tasks : 1), sizeof *sp->cold)))
        return scenario_fail_nomem(r, scenario_line_of(st));
    int n = config_setting_length(st);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        int64_t k = scenario_is_int(e) ? config_setting_get_int64(e) : -1;
        if (k < 0 || k >= sp->tasks)
            return scenario_fail(r, scenario_line_of(st),
                                 "'cold_tasks' in %s lists task indexes from 0 to %lld; item %d "
                                 "is not one.",
                                 where, (long long)sp->tasks - 1, i + 1);
        sp->cold[k] = true;
    }
    return 0;
}

/* task_locality: one string per task, where its data is as delay
 * scheduling sees it: "" (no preference), "process:K" or "node:K" (the
 * executor K, or its host: K indexes cluster.executors when the scenario
 * gives that timeline, else it is an executor position), "rack" (hosts
 * with no executor, in the executors' rack) or "elsewhere" (hosts with no
 * executor and no rack in common). */
static int read_task_locality(struct reader *r, const config_setting_t *g, const char *where,
                              struct stage_spec *sp)
{
    config_setting_t *st = config_setting_get_member(g, "task_locality");
    if (!st)
        return 0;
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, st, where, "an array of strings, one per task");
    int n = config_setting_length(st);
    if ((int64_t)n != sp->tasks)
        return scenario_fail(r, scenario_line_of(st),
                             "'task_locality' in %s has %d items for %lld tasks; give one per "
                             "task.",
                             where, n, (long long)sp->tasks);
    if (!(sp->locality = calloc((size_t)(n ? n : 1), sizeof *sp->locality)))
        return scenario_fail_nomem(r, scenario_line_of(st));
    const struct cluster_spec *cs = &r->s->cluster;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        const char *v =
            config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
        struct task_pref_spec *p = &sp->locality[i];
        long long k = -1;
        char tail = 0;
        bool ok = v != NULL;
        if (!v)
            p->level = TASK_PREF_NONE;
        else if (v[0] == 0)
            p->level = TASK_PREF_NONE;
        else if (strcmp(v, "rack") == 0)
            p->level = TASK_PREF_RACK;
        else if (strcmp(v, "elsewhere") == 0)
            p->level = TASK_PREF_ELSEWHERE;
        else if (sscanf(v, "process:%lld%c", &k, &tail) == 1)
            p->level = TASK_PREF_PROCESS;
        else if (sscanf(v, "node:%lld%c", &k, &tail) == 1)
            p->level = TASK_PREF_NODE;
        else
            ok = false;
        if (ok && (p->level == TASK_PREF_PROCESS || p->level == TASK_PREF_NODE)) {
            long long most = cs->n_executors ? (long long)cs->n_executors : SCN_MAX_WORKERS * 64LL;
            ok = k >= 0 && k < most;
            p->executor = (int32_t)k;
        }
        if (!ok)
            return scenario_fail(r, scenario_line_of(st),
                                 "'task_locality' in %s: item %d must be \"\", \"process:K\", "
                                 "\"node:K\" (K an executor of cluster.executors, from 0), "
                                 "\"rack\" or \"elsewhere\".",
                                 where, i + 1);
    }
    return 0;
}

/* lost_attempts (attempts an event log lost with their executor) or
 * failed_attempts (attempts that fail on a live executor), each a group
 * { task; executor; run_s; }: the task's index (0 to tasks - 1), the
 * executor (K in cluster.executors with that timeline, else an executor
 * position; optional, -1) and the seconds it runs before it is lost or
 * fails. Each item's errors name its own line. */
static int read_attempt_list(struct reader *r, const config_setting_t *g, const char *where,
                             const char *key, const struct stage_spec *sp,
                             struct lost_attempt_spec **out, size_t *n_out)
{
    config_setting_t *list;
    int rc = scenario_get_aggregate(r, g, where, key, false, CONFIG_TYPE_LIST, &list);
    if (rc <= 0)
        return rc;
    int n = config_setting_length(list);
    if (!(*out = calloc((size_t)(n ? n : 1), sizeof **out)))
        return scenario_fail_nomem(r, scenario_line_of(list));
    const struct cluster_spec *cs = &r->s->cluster;
    int64_t most = cs->n_executors ? (int64_t)cs->n_executors - 1 : SCN_MAX_WORKERS * 64LL - 1;
    char group[64];
    snprintf(group, sizeof group, "jobs[].stages[].%s[]", key);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        struct lost_attempt_spec *x = &(*out)[i];
        char at[280];
        snprintf(at, sizeof at, "%s item %d of %s", key, i + 1, where);
        if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
            char got[96];
            return scenario_fail(r, scenario_line_of(e),
                                 "%s must be a group such as { task = 0; executor = 1; run_s = "
                                 "2.5; }, not %s.",
                                 at, scenario_describe(e, got, sizeof got));
        }
        int64_t k = -1;
        if (scenario_check_group(r, e, at, group, NULL) != 0 ||
            scenario_get_int(r, e, at, "task", true, 0, sp->tasks - 1, false, &x->task) < 0 ||
            scenario_get_int(r, e, at, "executor", false, 0, most, false, &k) < 0 ||
            scenario_get_number(r, e, at, "run_s", true, 0, false, SCN_MAX_DURATION_S, &x->run_s) <
                0)
            return -1;
        x->executor = (int)k;
    }
    *n_out = (size_t)n;
    return 0;
}

/* Both lists pair their k-th item of a task with its k-th attempt, so a
 * task may be in one of them only. */
static int read_attempt_lists(struct reader *r, const config_setting_t *g, const char *where,
                              struct stage_spec *sp)
{
    if (read_attempt_list(r, g, where, "lost_attempts", sp, &sp->lost, &sp->n_lost) != 0 ||
        read_attempt_list(r, g, where, "failed_attempts", sp, &sp->failed, &sp->n_failed) != 0)
        return -1;
    for (size_t i = 0; i < sp->n_failed; i++)
        for (size_t j = 0; j < sp->n_lost; j++)
            if (sp->failed[i].task == sp->lost[j].task)
                return scenario_fail(
                    r, scenario_line_of(config_setting_get_member(g, "failed_attempts")),
                    "task %lld of %s is in both 'lost_attempts' and 'failed_attempts'; each "
                    "pairs its items with the task's attempts in order, so give a task's in "
                    "one of them.",
                    (long long)sp->failed[i].task, where);
    return 0;
}

/* 'kernel': one of the registry's stage kernels, copied. */
static int read_stage_kernel(struct reader *r, const config_setting_t *g, const char *where,
                             struct stage_spec *sp)
{
    int kernel = 0;
    const char *kernel_names[OPK_COUNT + 1];
    stage_kernel_names(kernel_names);
    int rc = scenario_get_choice(r, g, where, "kernel", false, kernel_names, false, &kernel);
    if (rc < 0)
        return -1;
    if (rc > 0 && (sp->kernel = strdup(kernel_names[kernel])) == NULL)
        return scenario_fail_nomem(r, sp->line);
    return 0;
}

static int read_stage(struct reader *r, const config_setting_t *g, const char *job, size_t index,
                      struct stage_spec *sp)
{
    char where[224];
    sp->line = sp->parents_line = scenario_line_of(g);
    sp->input_bytes = sp->records = sp->shuffle_read_bytes = sp->shuffle_write_bytes = -1;
    sp->output_bytes = sp->memory_bytes = sp->cache_bytes = -1;
    sp->logged_input_bytes = sp->logged_shuffle_bytes = -1;
    sp->fixed_s = sp->fetch_wait_s = sp->shuffle_write_s = NAN;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return scenario_fail(r, sp->line,
                             "stage %zu of job '%s' must be a group such as { id = 0; tasks = 8; "
                             "task_seconds = 1.0; }, not %s.",
                             index + 1, job, scenario_describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "stage %zu of job '%s'", index + 1, job);
    if (scenario_check_group(r, g, where, "jobs[].stages[]", NULL) != 0 ||
        scenario_get_int(r, g, where, "id", true, 0, INT64_MAX, false, &sp->id) < 0)
        return -1;
    snprintf(where, sizeof where, "stage %lld of job '%s'", (long long)sp->id, job);
    int tasks_given = 0;

    if (scenario_get_str_copy(r, g, where, "name", false, &sp->name) < 0 ||
        (tasks_given = scenario_get_int(r, g, where, "tasks", false, 1, SCN_MAX_TASKS_PER_STAGE,
                                        true, &sp->tasks)) < 0)
        return -1;

    config_setting_t *st = config_setting_get_member(g, "parents");
    if (st) {
        sp->parents_line = scenario_line_of(st);
        if (read_parents(r, st, where, sp) != 0)
            return -1;
    }
    bool has_data = false;
    if (read_stage_times(r, g, where, tasks_given > 0, sp) != 0 ||
        read_stage_data(r, g, where, sp, &has_data) != 0 ||
        (!tasks_given && derive_stage_tasks(r, where, sp) != 0) ||
        read_stage_kernel(r, g, where, sp) != 0 || read_cold_tasks(r, g, where, sp) != 0 ||
        read_task_locality(r, g, where, sp) != 0 || read_attempt_lists(r, g, where, sp) != 0)
        return -1;

    if (!sp->has_task_seconds && !has_data)
        return scenario_fail(
            r, sp->line,
            "%s gives neither 'task_seconds' nor any data ('input_bytes', 'records', "
            "'shuffle_read_bytes', 'shuffle_write_bytes' or 'output_bytes'), so its "
            "tasks would take no time.",
            where);

    if (sp->tasks > SCN_MAX_TOTAL_TASKS - r->total_tasks)
        return scenario_fail_status(
            r, SC_ELIMIT, sp->line,
            "the scenario has more than %lld tasks in all, the most stagecast "
            "accepts.",
            (long long)SCN_MAX_TOTAL_TASKS);
    r->total_tasks += sp->tasks;
    return 0;
}

/* Index of stages by id, for parent lookups without a quadratic scan. */
struct stage_ref {
    int64_t id;
    size_t index;
};

static int cmp_stage_ref(const void *a, const void *b)
{
    const struct stage_ref *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static long find_stage(const struct stage_ref *refs, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (refs[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && refs[lo].id == id ? (long)refs[lo].index : -1;
}

/* Prints the cycle held in path[from..top] as "1 -> 2 -> 1". */
static void format_cycle(const struct job_spec *job, const size_t *path, size_t from, size_t top,
                         char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    size_t count = top - from + 1;
    for (size_t k = from; k <= top && used < size; k++) {
        /* Long cycles: the first few stages tell the user enough. */
        if (count > 12 && k == from + 10) {
            used += (size_t)snprintf(buf + used, size - used, "... -> ");
            k = top - 1;
            continue;
        }
        used += (size_t)snprintf(buf + used, size - used, "%lld -> ",
                                 (long long)job->stages[path[k]].id);
    }
    if (used < size)
        snprintf(buf + used, size - used, "%lld", (long long)job->stages[path[from]].id);
}

/*
 * Checks a job's parent links: each names a stage of the job, and following
 * them never comes back to where it started. An iterative depth-first search
 * (a job may have a hundred thousand stages, too deep for the C stack):
 * color 0 = not seen, 1 = on the current path, 2 = finished. Reaching a
 * stage that is on the path closes a cycle, which we print from the stack.
 */
static int check_stage_graph(struct reader *r, const struct job_spec *job)
{
    size_t n = job->n_stages;
    struct stage_ref *refs = calloc(n, sizeof *refs);
    unsigned char *color = calloc(n, 1);
    size_t *path = calloc(n, sizeof *path);
    size_t *next = calloc(n, sizeof *next);
    int rc = 0;
    if (refs == NULL || color == NULL || path == NULL || next == NULL) {
        rc = scenario_fail_nomem(r, job->line);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        refs[i].id = job->stages[i].id;
        refs[i].index = i;
    }
    qsort(refs, n, sizeof *refs, cmp_stage_ref);
    for (size_t i = 1; i < n; i++)
        if (refs[i].id == refs[i - 1].id) {
            rc = scenario_fail(r, job->stages[refs[i].index].line,
                               "job '%s' has two stages with id %lld (the first at line %d).",
                               job->name, (long long)refs[i].id,
                               job->stages[refs[i - 1].index].line);
            goto out;
        }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct stage_spec *sp = &job->stages[i];
        for (size_t p = 0; p < sp->n_parents; p++)
            if (find_stage(refs, n, sp->parents[p]) < 0) {
                rc = scenario_fail(
                    r, sp->parents_line,
                    "stage %lld of job '%s' has parent %lld, but the job has no stage "
                    "%lld.",
                    (long long)sp->id, job->name, (long long)sp->parents[p],
                    (long long)sp->parents[p]);
                break;
            }
    }
    for (size_t root = 0; root < n && rc == 0; root++) {
        if (color[root] != 0)
            continue;
        size_t top = 0;
        path[0] = root;
        next[0] = 0;
        color[root] = 1;
        for (;;) {
            const struct stage_spec *sp = &job->stages[path[top]];
            if (next[top] == sp->n_parents) {
                color[path[top]] = 2;
                if (top == 0)
                    break;
                top--;
                continue;
            }
            size_t parent = (size_t)find_stage(refs, n, sp->parents[next[top]++]);
            if (color[parent] == 1) {
                size_t from = top;
                while (path[from] != parent)
                    from--;
                char chain[512];
                format_cycle(job, path, from, top, chain, sizeof chain);
                rc = scenario_fail(r, sp->parents_line,
                                   "stages %s form a cycle in their parents (job '%s').", chain,
                                   job->name);
                break;
            }
            if (color[parent] == 0) {
                color[parent] = 1;
                path[++top] = parent;
                next[top] = 0;
            }
        }
    }
out:
    free(refs);
    free(color);
    free(path);
    free(next);
    return rc;
}

/* ------------------------------------------------------------------ jobs */

void scenario_stage_free(struct stage_spec *sp)
{
    free(sp->name);
    free(sp->parents);
    free(sp->task_seconds_list);
    free(sp->cold);
    free(sp->locality);
    free(sp->lost);
    free(sp->failed);
    free(sp->kernel);
}

static int read_job(struct reader *r, const config_setting_t *g, size_t index, struct job_spec *job)
{
    char where[160];
    job->line = scenario_line_of(g);
    job->submit_s = NAN;
    job->after_index = -1;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return scenario_fail(
            r, job->line,
            "job %zu must be a group such as { name = \"etl\"; query = (...); }, not %s.",
            index + 1, scenario_describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "job %zu", index + 1);
    if (scenario_check_group(r, g, where, "jobs[]", NULL) != 0 ||
        scenario_get_str_copy(r, g, where, "name", true, &job->name) < 0)
        return -1;
    snprintf(where, sizeof where, "job '%s'", job->name);
    if (scenario_get_number(r, g, where, "submit_s", false, 0, false, SCN_MAX_DURATION_S,
                            &job->submit_s) < 0 ||
        scenario_get_number(r, g, where, "gap_s", false, 0, false, SCN_MAX_DURATION_S,
                            &job->gap_s) < 0 ||
        scenario_get_number(r, g, where, "driver_s", false, 0, false, SCN_MAX_DURATION_S,
                            &job->driver_s) < 0 ||
        scenario_get_bool(r, g, where, "concurrent", &job->concurrent) < 0 ||
        scenario_get_str_copy(r, g, where, "pool", false, &job->pool) < 0 ||
        scenario_get_str_copy(r, g, where, "after", false, &job->after) < 0)
        return -1;
    if (job->after && (job->concurrent || !isnan(job->submit_s)))
        return scenario_fail(r, scenario_line_of(config_setting_get_member(g, "after")),
                             "%s gives 'after' with '%s'; a job is submitted after another "
                             "ends, with the one before it, or at a time: give one of them.",
                             where, job->concurrent ? "concurrent" : "submit_s");

    config_setting_t *stages = config_setting_get_member(g, "stages");
    config_setting_t *query = config_setting_get_member(g, "query");
    if (stages && query)
        return scenario_fail(r, scenario_line_of(query),
                             "%s gives both 'stages' and 'query'; give one of them.", where);
    if (!stages && !query)
        return scenario_fail(r, job->line, "%s needs either 'stages' or 'query'.", where);
    if (query)
        return scenario_read_steps(r, query, where, false, &job->query, &job->n_query);

    if (config_setting_type(stages) != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, stages, where, "a list of stages ( { id = 0; ... }, ... )");
    size_t n = (size_t)config_setting_length(stages);
    if (n == 0)
        return scenario_fail(r, scenario_line_of(stages), "'stages' in %s is empty.", where);
    if (n > SCN_MAX_STAGES_PER_JOB)
        return scenario_fail_status(r, SC_ELIMIT, scenario_line_of(stages),
                                    "%s has %zu stages, more than the %d stagecast accepts.", where,
                                    n, SCN_MAX_STAGES_PER_JOB);
    job->stages = calloc(n, sizeof *job->stages);
    if (job->stages == NULL)
        return scenario_fail_nomem(r, scenario_line_of(stages));
    job->n_stages = n;
    for (size_t i = 0; i < n; i++)
        if (read_stage(r, config_setting_get_elem(stages, (unsigned)i), job->name, i,
                       &job->stages[i]) != 0)
            return -1;
    return check_stage_graph(r, job);
}

/* Job names to their index, by open addressing with linear probing over a
 * power-of-two table at most half full: the duplicate check and the 'after'
 * lookup take constant time per job, so loading stays linear in the number
 * of jobs (a scan of the earlier jobs took 12.6 s for 40,000). */
struct name_index {
    size_t *slot; /* job index + 1; 0 is empty */
    size_t mask;
};

static int name_index_init(struct name_index *x, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    x->slot = calloc(cap, sizeof *x->slot);
    x->mask = cap - 1;
    return x->slot ? 0 : -1;
}

/* The job named name, or -1; with add >= 0, adds it as job add when absent. */
static int64_t name_index_find(struct name_index *x, const struct job_spec *jobs, const char *name,
                               int64_t add)
{
    size_t i = (size_t)hash64_str(name) & x->mask;
    for (; x->slot[i] != 0; i = (i + 1) & x->mask)
        if (strcmp(jobs[x->slot[i] - 1].name, name) == 0)
            return (int64_t)(x->slot[i] - 1);
    if (add >= 0)
        x->slot[i] = (size_t)add + 1;
    return -1;
}

int scenario_read_jobs(struct reader *r, const config_setting_t *list)
{
    struct scenario *s = r->s;
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return scenario_fail(r, scenario_line_of(list),
                             "'jobs' is empty; a scenario needs at least one job.");
    if (n > SCN_MAX_JOBS)
        return scenario_fail_status(
            r, SC_ELIMIT, scenario_line_of(list),
            "the scenario has %zu jobs, more than the %d stagecast accepts.", n, SCN_MAX_JOBS);
    s->jobs = calloc(n, sizeof *s->jobs);
    if (s->jobs == NULL)
        return scenario_fail_nomem(r, scenario_line_of(list));
    s->n_jobs = n;
    struct name_index names;
    if (name_index_init(&names, n) != 0)
        return scenario_fail_nomem(r, scenario_line_of(list));
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct job_spec *job = &s->jobs[i];
        if (read_job(r, config_setting_get_elem(list, (unsigned)i), i, job) != 0) {
            rc = -1;
            break;
        }
        /* 'after' names an earlier job: the one whose end this one waits
         * for (so no job can wait for itself through a chain). Looked up
         * before this job's own name goes in, so a job cannot follow itself. */
        if (job->after)
            job->after_index = name_index_find(&names, s->jobs, job->after, -1);
        int64_t first = name_index_find(&names, s->jobs, job->name, (int64_t)i);
        if (first >= 0)
            rc = scenario_fail(r, job->line, "two jobs are named '%s' (the first at line %d).",
                               job->name, s->jobs[first].line);
        else if (job->after && job->after_index < 0)
            rc =
                scenario_fail(r,
                              scenario_line_of(config_setting_get_member(
                                  config_setting_get_elem(list, (unsigned)i), "after")),
                              "job '%s' comes after '%s', which is not an earlier job of the file.",
                              job->name, job->after);
    }
    free(names.slot);
    return rc;
}

/* ----------------------------------------------------------------- pools */

const char *sched_mode_name(enum sched_mode m)
{
    return m == SCHED_FAIR ? "FAIR" : "FIFO";
}

int scenario_read_pools(struct reader *r, const config_setting_t *list)
{
    static const char *const modes[] = {"FIFO", "FAIR", NULL};
    struct scenario *s = r->s;
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return 0;
    s->pools = calloc(n, sizeof *s->pools);
    if (s->pools == NULL)
        return scenario_fail_nomem(r, scenario_line_of(list));
    s->n_pools = n;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        struct pool_spec *p = &s->pools[i];
        p->line = scenario_line_of(g);
        p->weight = 1;
        char where[160];
        snprintf(where, sizeof where, "pool %zu", i + 1);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            char got[96];
            return scenario_fail(
                r, p->line,
                "pool %zu must be a group such as { name = \"etl\"; mode = \"FAIR\"; }, "
                "not %s.",
                i + 1, scenario_describe(g, got, sizeof got));
        }
        if (scenario_check_group(r, g, where, "pools[]", NULL) != 0 ||
            scenario_get_str_copy(r, g, where, "name", true, &p->name) < 0)
            return -1;
        snprintf(where, sizeof where, "pool '%s'", p->name);
        /* Spark reads schedulingMode case-insensitively (FairSchedulableBuilder). */
        int mode = SCHED_FIFO;
        int64_t weight = 1, min_share = 0;
        if (scenario_get_choice(r, g, where, "mode", false, modes, true, &mode) < 0 ||
            scenario_get_int(r, g, where, "weight", false, 1, INT_MAX, false, &weight) < 0 ||
            scenario_get_int(r, g, where, "min_share", false, 0, INT_MAX, false, &min_share) < 0)
            return -1;
        p->mode = (enum sched_mode)mode;
        p->weight = (int)weight;
        p->min_share = (int)min_share;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->pools[j].name, p->name) == 0)
                return scenario_fail(r, p->line, "two pools are named '%s' (the first at line %d).",
                                     p->name, s->pools[j].line);
    }
    return 0;
}
