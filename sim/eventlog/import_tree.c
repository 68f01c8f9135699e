/*
 * import_tree.c — an import (importer.h) as an in-memory libconfig tree,
 * the second output of the importer next to import_write's text. Replay
 * and fit-factors hand the tree straight to the scenario reader
 * (scenario_from_config), so they simulate what `stagecast run` would read
 * from `stagecast import`'s file without writing that file.
 *
 * Why two outputs and not config_write of this tree: the imported file is
 * mostly comments (what was measured, why each value was chosen), and
 * libconfig's writer keeps no comments and formats numbers its own way, so
 * `import -o` keeps its printer. The two stay one scenario because both
 * read the same struct import and this file rounds every number the way
 * the printer prints it (task times to 1 ms, a stage's driver_s to 1 us):
 * the reader then sees the same doubles from either, and replay's output
 * is the same byte for byte as when it read the text back.
 */
#include "sim/eventlog/importer.h"

#include <libconfig.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tree {
    const struct import *im;
    bool failed; /* a setting could not be added: out of memory or a bug */
};

/* v as the printer's "%.<decimals>f" prints it and libconfig reads it back. */
static double as_printed(double v, int decimals)
{
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, v);
    return strtod(text, NULL);
}

static config_setting_t *add(struct tree *t, config_setting_t *parent, const char *name, int type)
{
    if (t->failed || parent == NULL)
        return NULL;
    config_setting_t *st = config_setting_add(parent, name, type);
    if (st == NULL)
        t->failed = true;
    return st;
}

/* An integer as libconfig reads the printer's decimal text: 32 bits when it
 * fits, else 64 (the printer's `L`). */
static void add_int(struct tree *t, config_setting_t *parent, const char *name, int64_t v)
{
    bool fits = v >= INT32_MIN && v <= INT32_MAX;
    config_setting_t *st = add(t, parent, name, fits ? CONFIG_TYPE_INT : CONFIG_TYPE_INT64);
    if (st && !(fits ? config_setting_set_int(st, (int)v) : config_setting_set_int64(st, v)))
        t->failed = true;
}

static void add_float(struct tree *t, config_setting_t *parent, const char *name, double v,
                      int decimals)
{
    config_setting_t *st = add(t, parent, name, CONFIG_TYPE_FLOAT);
    if (st && !config_setting_set_float(st, as_printed(v, decimals)))
        t->failed = true;
}

static void add_bool(struct tree *t, config_setting_t *parent, const char *name, bool v)
{
    config_setting_t *st = add(t, parent, name, CONFIG_TYPE_BOOL);
    if (st && !config_setting_set_bool(st, v))
        t->failed = true;
}

static void add_string(struct tree *t, config_setting_t *parent, const char *name, const char *v)
{
    config_setting_t *st = add(t, parent, name, CONFIG_TYPE_STRING);
    if (st && !config_setting_set_string(st, v))
        t->failed = true;
}

/* An array [ ... ] of n seconds, each rounded to 1 ms as the printer writes. */
static void add_seconds(struct tree *t, config_setting_t *parent, const char *name, const double *v,
                        size_t n)
{
    config_setting_t *arr = add(t, parent, name, CONFIG_TYPE_ARRAY);
    for (size_t i = 0; i < n && !t->failed; i++)
        add_float(t, arr, NULL, v[i], 3);
}

/* The member name of group g, made a group when it is not there yet: the
 * settings come sorted so that a group's keys are together, as the printer
 * needs; here any order would do. */
static config_setting_t *group_at(struct tree *t, config_setting_t *g, const char *name)
{
    if (t->failed)
        return NULL;
    config_setting_t *st = config_setting_get_member(g, name);
    if (st == NULL)
        return add(t, g, name, CONFIG_TYPE_GROUP);
    if (!config_setting_is_group(st))
        t->failed = true; /* "a" a value and "a.b" too: import_settings skips those */
    return config_setting_is_group(st) ? st : NULL;
}

/* One Spark setting: "spark.a.b.c" is c in group b in group a of spark, or
 * `enabled` in group c when it is both a value and a group. Its value has
 * the type libconfig gives the printer's text of it. */
static void add_setting(struct tree *t, config_setting_t *spark, const struct import_setting *s)
{
    char key[1024];
    if (snprintf(key, sizeof key, "%s", s->key + 6) >= (int)sizeof key) {
        t->failed = true;
        return;
    }
    config_setting_t *g = spark;
    char *part = key;
    char *dot;
    while ((dot = strchr(part, '.')) != NULL) {
        *dot = '\0';
        g = group_at(t, g, part);
        part = dot + 1;
    }
    const char *leaf = part;
    if (s->as_enabled) {
        g = group_at(t, g, part);
        leaf = s->kind == IMPORT_BOOL ? "enabled" : "value";
    }
    switch (s->kind) {
    case IMPORT_INT: add_int(t, g, leaf, strtoll(s->text, NULL, 10)); break;
    case IMPORT_DOUBLE: {
        config_setting_t *st = add(t, g, leaf, CONFIG_TYPE_FLOAT);
        if (st && !config_setting_set_float(st, strtod(s->text, NULL)))
            t->failed = true;
        break;
    }
    case IMPORT_BOOL: add_bool(t, g, leaf, strcmp(s->text, "true") == 0); break;
    default: add_string(t, g, leaf, s->text); break;
    }
}

static void add_cluster(struct tree *t, config_setting_t *root)
{
    const struct import *im = t->im;
    config_setting_t *c = add(t, root, "cluster", CONFIG_TYPE_GROUP);
    add_string(t, c, "platform", platform_name(im->platform));
    add_string(t, c, "worker", im->worker);
    add_string(t, c, "driver", im->driver);
    add_int(t, c, "workers", im->workers);
    add_int(t, c, "executors_per_worker", im->executors_per_worker);
    add_int(t, c, "executor_cores", im->executor_cores);
    if (im->n_executor_start_s)
        add_seconds(t, c, "executor_start_s", im->executor_start_s, im->n_executor_start_s);
    if (im->n_timeline) {
        config_setting_t *list = add(t, c, "executors", CONFIG_TYPE_LIST);
        for (size_t i = 0; i < im->n_timeline && !t->failed; i++) {
            const struct import_executor *x = &im->timeline[i];
            config_setting_t *g = add(t, list, NULL, CONFIG_TYPE_GROUP);
            add_float(t, g, "start_s", x->start_s, 3);
            if (isfinite(x->end_s))
                add_float(t, g, "end_s", x->end_s, 3);
            add_int(t, g, "cores", x->cores);
            if (x->resource_profile > 0 && x->resource_profile <= INT32_MAX)
                add_int(t, g, "resource_profile", x->resource_profile);
            if (x->host[0])
                add_string(t, g, "host", x->host);
            if (x->lost_by_app)
                add_bool(t, g, "lost_by_app", true);
        }
    }
}

static void add_stage(struct tree *t, config_setting_t *stages, const struct import_stage *s)
{
    config_setting_t *g = add(t, stages, NULL, CONFIG_TYPE_GROUP);
    add_int(t, g, "id", s->id);
    if (s->name)
        add_string(t, g, "name", s->name);
    add_int(t, g, "tasks", s->tasks);
    if (s->n_parents) {
        config_setting_t *p = add(t, g, "parents", CONFIG_TYPE_ARRAY);
        for (size_t i = 0; i < s->n_parents; i++)
            add_int(t, p, NULL, s->parents[i]);
    }
    if (s->resource_profile > 0 && s->resource_profile <= INT32_MAX)
        add_int(t, g, "resource_profile", s->resource_profile);
    if (s->driver_s > 0.0)
        add_float(t, g, "driver_s", s->driver_s, 6);
    /* The same choices as import_write's write_stage. */
    if (s->fixed_s >= 0.0005)
        add_float(t, g, "fixed_s", s->fixed_s, 3);
    if (s->fetch_wait_s >= 0.0005)
        add_float(t, g, "fetch_wait_s", s->fetch_wait_s, 3);
    if (s->shuffle_write_s >= 0.0005)
        add_float(t, g, "shuffle_write_s", s->shuffle_write_s, 3);
    if (s->metrics.input_bytes > 0)
        add_int(t, g, "logged_input_bytes", s->metrics.input_bytes);
    if (s->metrics.shuffle_read_bytes > 0)
        add_int(t, g, "logged_shuffle_bytes", s->metrics.shuffle_read_bytes);
    if (!isnan(t->im->first_task_ms)) {
        config_setting_t *c = add(t, g, "cold_tasks", CONFIG_TYPE_ARRAY);
        for (int64_t i = 0; s->cold && i < s->tasks && !t->failed; i++)
            if (s->cold[i])
                add_int(t, c, NULL, i);
    }
    if (s->task_locality && t->im->n_timeline) {
        config_setting_t *c = add(t, g, "task_locality", CONFIG_TYPE_ARRAY);
        for (int64_t i = 0; i < s->tasks && !t->failed; i++) {
            char item[32];
            import_task_locality(t->im, s, i, item, sizeof item);
            add_string(t, c, NULL, item);
        }
    }
    if (s->n_lost && t->im->n_timeline) {
        config_setting_t *c = add(t, g, "lost_attempts", CONFIG_TYPE_LIST);
        for (size_t k = 0; k < s->n_lost && !t->failed; k++) {
            config_setting_t *a = add(t, c, NULL, CONFIG_TYPE_GROUP);
            int e = import_timeline_entry(t->im, s->lost_exec[k]);
            add_int(t, a, "task", s->lost_index[k]);
            if (e >= 0)
                add_int(t, a, "executor", e);
            add_float(t, a, "run_s", s->lost_run_s[k], 3);
        }
    }
    if (s->n_fail && t->im->n_timeline) {
        config_setting_t *c = add(t, g, "failed_attempts", CONFIG_TYPE_LIST);
        for (size_t k = 0; k < s->n_fail && !t->failed; k++) {
            config_setting_t *a = add(t, c, NULL, CONFIG_TYPE_GROUP);
            int e = import_timeline_entry(t->im, s->fail_exec[k]);
            add_int(t, a, "task", s->fail_index[k]);
            if (e >= 0)
                add_int(t, a, "executor", e);
            add_float(t, a, "run_s", s->fail_run_s[k], 3);
        }
    }
    add_seconds(t, g, "task_seconds", s->task_s, (size_t)s->tasks);
}

static void add_job(struct tree *t, config_setting_t *jobs, const struct import_job *j)
{
    config_setting_t *g = add(t, jobs, NULL, CONFIG_TYPE_GROUP);
    add_string(t, g, "name", j->name);
    /* The same choice, in the same order, as import_write's. */
    if (j->concurrent)
        add_bool(t, g, "concurrent", true);
    else if (j->after >= 0)
        add_string(t, g, "after", t->im->jobs[j->after].name);
    else if (!isnan(j->submit_s))
        add_float(t, g, "submit_s", j->submit_s, 3);
    if (j->gap_s > 0.0)
        add_float(t, g, "gap_s", j->gap_s, 3);
    if (j->stage_delay_s > 0.0)
        add_float(t, g, "driver_s", j->stage_delay_s, 3);
    if (j->pool)
        add_string(t, g, "pool", j->pool);
    config_setting_t *stages = add(t, g, "stages", CONFIG_TYPE_LIST);
    for (size_t i = 0; i < j->n_stages && !t->failed; i++)
        add_stage(t, stages, &j->stages[i]);
}

enum sc_status import_config(struct config_t *cfg, const struct import *im, struct diag *d)
{
    struct tree t = {.im = im, .failed = false};
    config_setting_t *root = config_root_setting(cfg);
    add_string(&t, root, "name", im->name);
    add_int(&t, root, "seed", 1);
    add_cluster(&t, root);
    config_setting_t *spark = add(&t, root, "spark", CONFIG_TYPE_GROUP);
    for (size_t i = 0; i < im->n_settings && !t.failed; i++)
        add_setting(&t, spark, &im->settings[i]);
    config_setting_t *model = add(&t, root, "model", CONFIG_TYPE_GROUP);
    if (!isnan(im->task_launch_ms))
        add_float(&t, model, "task_launch_ms", im->task_launch_ms, 3);
    add_string(&t, model, "task_seconds_node", im->worker);
    if (!isnan(im->first_task_ms)) {
        config_setting_t *jvm = add(&t, model, "jvm", CONFIG_TYPE_GROUP);
        add_float(&t, jvm, "first_task_ms", im->first_task_ms, 3);
    }
    config_setting_t *jobs = add(&t, root, "jobs", CONFIG_TYPE_LIST);
    for (size_t k = 0; k < im->n_jobs && !t.failed; k++)
        add_job(&t, jobs, &im->jobs[k]);
    if (t.failed)
        return diag_set(d, SC_EINTERNAL, im->source, 0,
                        "the imported scenario cannot be built as a libconfig tree (out of "
                        "memory, or a setting name libconfig refuses: a stagecast bug)");
    return SC_OK;
}

struct scenario *import_scenario(const struct import *im, struct diag *d)
{
    config_t cfg;
    config_init(&cfg);
    if (import_config(&cfg, im, d) != SC_OK) {
        config_destroy(&cfg);
        return NULL;
    }
    struct diag rd;
    diag_clear(&rd);
    struct scenario *s = scenario_from_config(&cfg, im->source, &rd);
    config_destroy(&cfg);
    if (!s) {
        /* The importer built something its own reader refuses: a bug. */
        char buf[1200];
        diag_set(d, SC_EINTERNAL, im->source, 0,
                 "the imported scenario does not read back (a stagecast bug): %s",
                 diag_format(&rd, buf, sizeof buf));
        return NULL;
    }
    return s;
}
