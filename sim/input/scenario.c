/*
 * scenario.c — reads a scenario file (libconfig syntax) into a struct
 * scenario and checks everything that can be checked without the node
 * catalog (see scenario.h). First step of the flow: scenario -> plan ->
 * calibrate -> simulate -> report.
 *
 * The reader is strict on purpose. A scenario is a prediction someone will
 * act on, so a mistyped key ("wokers") must not silently fall back to a
 * default: every group names the keys it allows, and every error names the
 * file and the most specific line we know. Everything kept is copied out of
 * libconfig, whose strings die with config_destroy.
 */
#include "sim/input/scenario.h"

#include "models/operators.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/textdist.h"
#include "models/units.h"

/* What the reader carries through every function: where errors go. */
struct reader {
    const char *file;
    struct diag *d;
    struct scenario *s;
    int64_t total_tasks;
};

/* Largest executors per worker or cores per executor we accept; the largest
 * Azure VM sizes have a few hundred vCPUs. */
#define SCN_MAX_PER_NODE 1024

/* ---------------------------------------------------------------- errors */

static int fail_status(struct reader *r, enum sc_status status, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail_status(struct reader *r, enum sc_status status, int line, const char *fmt, ...)
{
    char msg[sizeof r->d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_set(r->d, status, r->file, line, "%s", msg);
    return -1;
}

#define fail(r, line, ...) fail_status((r), SC_EINPUT, (line), __VA_ARGS__)
#define fail_nomem(r, line)                                                                        \
    fail_status((r), SC_ENOMEM, (line), "out of memory reading the scenario")

/* The line a setting came from; libconfig gives 0 for the root, so we climb
 * to the nearest ancestor that has one. */
static int line_of(const config_setting_t *st)
{
    while (st) {
        int line = (int)config_setting_source_line(st);
        if (line > 0)
            return line;
        st = config_setting_parent(st);
    }
    return 0;
}

/* "a string (\"four\")", "a number (2.5)", "a list": what the user wrote. */
static const char *describe(const config_setting_t *st, char *buf, size_t size)
{
    switch (config_setting_type(st)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        snprintf(buf, size, "an integer (%lld)", (long long)config_setting_get_int64(st));
        break;
    case CONFIG_TYPE_FLOAT:
        snprintf(buf, size, "a number (%g)", config_setting_get_float(st));
        break;
    case CONFIG_TYPE_STRING:
        snprintf(buf, size, "a string (\"%.60s\")", config_setting_get_string(st));
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(buf, size, "a boolean (%s)", config_setting_get_bool(st) ? "true" : "false");
        break;
    case CONFIG_TYPE_ARRAY: snprintf(buf, size, "an array"); break;
    case CONFIG_TYPE_LIST: snprintf(buf, size, "a list"); break;
    case CONFIG_TYPE_GROUP: snprintf(buf, size, "a group"); break;
    default: snprintf(buf, size, "a value of unknown type"); break;
    }
    return buf;
}

static int wrong_type(struct reader *r, const config_setting_t *st, const char *where,
                      const char *expected)
{
    char got[96];
    return fail(r, line_of(st), "'%s' in %s must be %s, not %s.", config_setting_name(st), where,
                expected, describe(st, got, sizeof got));
}

/* ------------------------------------------------------ unknown-key check */

static void join_names(const char *const *names, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; names[i] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* Every member of group g must be one of allowed (NULL-terminated). */
static int check_keys(struct reader *r, const config_setting_t *g, const char *where,
                      const char *const *allowed)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *name = config_setting_name(m);
        if (name == NULL)
            continue;
        bool ok = false;
        for (size_t k = 0; allowed[k] && !ok; k++)
            ok = strcmp(name, allowed[k]) == 0;
        if (ok)
            continue;
        const char *hint = textdist_closest(name, allowed);
        if (hint)
            return fail(r, line_of(m), "unknown key '%s' in %s; did you mean '%s'?", name, where,
                        hint);
        char list[384];
        join_names(allowed, list, sizeof list);
        if (list[0] == '\0')
            return fail(r, line_of(m), "unknown key '%s' in %s, which takes no other keys.", name,
                        where);
        return fail(r, line_of(m), "unknown key '%s' in %s; the keys allowed here are: %s.", name,
                    where, list);
    }
    return 0;
}

/* ------------------------------------------------------------ key table */

/* Every key of a scenario file, group by group. check_group takes the keys a
 * group allows from these rows in row order, which is the order messages list
 * them in and the order "did you mean" breaks ties in: keep it when adding a
 * key. A key that only some forms of a group take (an operation's, a
 * distribution's) has one row per form; rows of several forms are interleaved
 * so that each form's keys, and the union of all of them, come out in the
 * order the reader has always listed them. */
static const struct scenario_key key_table[] = {
    {"", "name", NULL, "string"},
    {"", "seed", NULL, "integer"},
    {"", "cluster", NULL, "group"},
    {"", "spark", NULL, "group"},
    {"", "model", NULL, "group"},
    {"", "tables", NULL, "group"},
    {"", "views", NULL, "group"},
    {"", "jobs", NULL, "list"},
    {"", "pools", NULL, "list"},

    {"cluster", "platform", NULL, "string"},
    {"cluster", "driver", NULL, "string"},
    {"cluster", "worker", NULL, "string"},
    {"cluster", "workers", NULL, "integer"},
    {"cluster", "executors_per_worker", NULL, "integer"},
    {"cluster", "executor_cores", NULL, "integer"},
    {"cluster", "pricing", NULL, "string"},
    {"cluster", "tier", NULL, "string"},
    {"cluster", "startup_s", NULL, "number or distribution"},
    {"cluster", "price", NULL, "group"},
    {"cluster", "autoscale", NULL, "group"},
    {"cluster", "storage", NULL, "group"},
    {"cluster", "network_limit_gbps", NULL, "number"},
    {"cluster", "local_disk_mbps", NULL, "number"},
    {"cluster", "idle_after_s", NULL, "number"},
    {"cluster", "spot", NULL, "group"},
    {"cluster", "executor_start_s", NULL, "list of numbers"},

    {"cluster.autoscale", "min", NULL, "integer"},
    {"cluster.autoscale", "max", NULL, "integer"},
    {"cluster.autoscale", "policy", NULL, "string"},
    {"cluster.autoscale", "provision_s", NULL, "number or distribution"},
    {"cluster.autoscale", "interval_s", NULL, "number"},
    {"cluster.autoscale", "idle_s", NULL, "number"},

    {"cluster.spot", "fraction", NULL, "number"},
    {"cluster.spot", "evictions_per_hour", NULL, "number"},
    {"cluster.spot", "usd_per_hour", NULL, "number"},
    {"cluster.spot", "discount", NULL, "number"},
    {"cluster.spot", "evict_at_s", NULL, "number"},

    {"cluster.storage", "egress_gbps", NULL, "number"},
    {"cluster.storage", "ingress_gbps", NULL, "number"},

    {"cluster.price", "worker_usd_per_hour", NULL, "number"},
    {"cluster.price", "driver_usd_per_hour", NULL, "number"},
    {"cluster.price", "worker_dbu_per_hour", NULL, "number"},
    {"cluster.price", "driver_dbu_per_hour", NULL, "number"},
    {"cluster.price", "usd_per_dbu", NULL, "number"},
    {"cluster.price", "usd_per_vcore_hour", NULL, "number"},

    {"model", "task_launch_ms", NULL, "number"},
    {"model", "network_quantum_ms", NULL, "number"},
    {"model", "noise_sigma", NULL, "number"},
    {"model", "slow_worker", NULL, "integer"},
    {"model", "slow_factor", NULL, "number"},
    {"model", "host_acu", NULL, "number"},
    {"model", "overhead", NULL, "group"},
    {"model", "calibration", NULL, "group"},

    {"model.calibration", "rows", NULL, "array of integers"},
    {"model.calibration", "repetitions", NULL, "integer"},

    {"tables.<table>", "rows", NULL, "integer"},
    {"tables.<table>", "size", NULL, "size"},
    {"tables.<table>", "format", NULL, "string"},
    {"tables.<table>", "columns", NULL, "list"},

    {"tables.<table>.columns[]", "name", NULL, "string"},
    {"tables.<table>.columns[]", "type", NULL, "string"},
    {"tables.<table>.columns[]", "dist", NULL, "string"},
    {"tables.<table>.columns[]", "distinct", NULL, "integer"},
    {"tables.<table>.columns[]", "null_fraction", NULL, "number"},
    {"tables.<table>.columns[]", "min", "uniform", "number"},
    {"tables.<table>.columns[]", "max", "uniform", "number"},
    {"tables.<table>.columns[]", "mean", "normal", "number"},
    {"tables.<table>.columns[]", "stddev", "normal", "number"},
    {"tables.<table>.columns[]", "mu", "lognormal", "number"},
    {"tables.<table>.columns[]", "sigma", "lognormal", "number"},
    {"tables.<table>.columns[]", "exponent", "zipf", "number"},
    {"tables.<table>.columns[]", "values", "categorical", "list of strings"},
    {"tables.<table>.columns[]", "weights", "categorical", "list of numbers"},

    {"jobs[]", "name", NULL, "string"},
    {"jobs[]", "stages", NULL, "list"},
    {"jobs[]", "query", NULL, "list"},
    {"jobs[]", "submit_s", NULL, "number"},
    {"jobs[]", "concurrent", NULL, "boolean"},
    {"jobs[]", "pool", NULL, "string"},
    {"jobs[]", "gap_s", NULL, "number"},
    {"jobs[]", "driver_s", NULL, "number"},

    {"jobs[].stages[]", "id", NULL, "integer"},
    {"jobs[].stages[]", "name", NULL, "string"},
    {"jobs[].stages[]", "parents", NULL, "array of integers"},
    {"jobs[].stages[]", "tasks", NULL, "integer"},
    {"jobs[].stages[]", "task_seconds", NULL, "number, list or distribution"},
    {"jobs[].stages[]", "input_bytes", NULL, "size"},
    {"jobs[].stages[]", "records", NULL, "integer"},
    {"jobs[].stages[]", "shuffle_read_bytes", NULL, "size"},
    {"jobs[].stages[]", "shuffle_write_bytes", NULL, "size"},
    {"jobs[].stages[]", "output_bytes", NULL, "size"},
    {"jobs[].stages[]", "memory_bytes", NULL, "size"},
    {"jobs[].stages[]", "cache_bytes", NULL, "size"},
    {"jobs[].stages[]", "driver_s", NULL, "number"},
    {"jobs[].stages[]", "kernel", NULL, "string"},

    /* A distribution group: task_seconds, and cluster.startup_s and
     * cluster.autoscale.provision_s when they are groups. */
    {"jobs[].stages[].task_seconds", "dist", NULL, "string"},
    {"jobs[].stages[].task_seconds", "value", "fixed", "number"},
    {"jobs[].stages[].task_seconds", "mean", "normal", "number"},
    {"jobs[].stages[].task_seconds", "stddev", "normal", "number"},
    {"jobs[].stages[].task_seconds", "median", "lognormal", "number"},
    {"jobs[].stages[].task_seconds", "mu", "lognormal", "number"},
    {"jobs[].stages[].task_seconds", "sigma", "lognormal", "number"},
    {"jobs[].stages[].task_seconds", "min", "uniform", "number"},
    {"jobs[].stages[].task_seconds", "max", "uniform", "number"},
    {"jobs[].stages[].task_seconds", "mean", "exponential", "number"},

    /* A query step, in a job's query or a view. */
    {"jobs[].query[]", "op", NULL, "string"},
    {"jobs[].query[]", "table", "scan", "string"},
    {"jobs[].query[]", "table", "union", "string"},
    {"jobs[].query[]", "where", "filter", "string"},
    {"jobs[].query[]", "cols", "select", "list of strings"},
    {"jobs[].query[]", "name", "with_column", "string"},
    {"jobs[].query[]", "expr", "with_column", "string"},
    {"jobs[].query[]", "keys", "group_by", "list of strings"},
    {"jobs[].query[]", "keys", "order_by", "list of strings"},
    {"jobs[].query[]", "keys", "distinct", "list of strings"},
    {"jobs[].query[]", "aggs", "group_by", "list of strings"},
    {"jobs[].query[]", "right", "join", "string"},
    {"jobs[].query[]", "on", "join", "list of strings"},
    {"jobs[].query[]", "how", "join", "string"},
    {"jobs[].query[]", "partition_by", "window", "list of strings"},
    {"jobs[].query[]", "order_by", "window", "list of strings"},
    {"jobs[].query[]", "funcs", "window", "list of strings"},
    {"jobs[].query[]", "n", "coalesce", "integer"},
    {"jobs[].query[]", "n", "limit", "integer"},
    {"jobs[].query[]", "fraction", "sample", "number"},
    {"jobs[].query[]", "seed", "sample", "integer"},
    {"jobs[].query[]", "n", "repartition", "integer"},
    {"jobs[].query[]", "partition_by", "repartition", "list of strings"},
    {"jobs[].query[]", "path", "write", "string"},
    {"jobs[].query[]", "format", "write", "string"},
    {"jobs[].query[]", "salt", "group_by", "integer"},
    {"jobs[].query[]", "salt", "join", "integer"},

    {"pools[]", "name", NULL, "string"},
    {"pools[]", "mode", NULL, "string"},
    {"pools[]", "weight", NULL, "integer"},
    {"pools[]", "min_share", NULL, "integer"},
};

#define KEY_TABLE_LEN (sizeof key_table / sizeof key_table[0])

/* The most keys one group allows (a query step, any operation: 18). */
#define GROUP_MAX_KEYS 32

const struct scenario_key *scenario_keys(size_t *count)
{
    *count = KEY_TABLE_LEN;
    return key_table;
}

/* check_keys with the keys the table gives group: with variant NULL, every
 * key of any form of the group (each name once, at its first row); else the
 * keys of every form plus those of that form only. */
static int check_group(struct reader *r, const config_setting_t *g, const char *where,
                       const char *group, const char *variant)
{
    const char *allowed[GROUP_MAX_KEYS + 1];
    size_t n = 0;
    bool in_group = false;
    for (size_t i = 0; i < KEY_TABLE_LEN; i++) {
        const struct scenario_key *k = &key_table[i];
        if (strcmp(k->group, group) != 0) {
            if (in_group)
                break; /* a group's rows are adjacent */
            continue;
        }
        in_group = true;
        if (variant && k->variant && strcmp(k->variant, variant) != 0)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = strcmp(allowed[j], k->name) == 0;
        if (!dup && n < GROUP_MAX_KEYS)
            allowed[n++] = k->name;
    }
    allowed[n] = NULL;
    return check_keys(r, g, where, allowed);
}

/* ------------------------------------------------------- typed accessors */

/* Each getter returns 1 when the key is present and valid (out set), 0 when
 * it is absent and not required (out untouched), -1 on error (diag set). */

static int member(struct reader *r, const config_setting_t *g, const char *where, const char *key,
                  bool required, config_setting_t **out)
{
    *out = config_setting_get_member(g, key);
    if (*out == NULL && required)
        return fail(r, line_of(g), "%s is missing the required key '%s'.", where, key);
    return *out ? 1 : 0;
}

static bool is_int(const config_setting_t *st)
{
    int t = config_setting_type(st);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool is_number(const config_setting_t *st)
{
    return is_int(st) || config_setting_type(st) == CONFIG_TYPE_FLOAT;
}

static double number_of(const config_setting_t *st)
{
    return is_int(st) ? (double)config_setting_get_int64(st) : config_setting_get_float(st);
}

/* Range errors: below the minimum is the user's mistake (SC_EINPUT), above
 * one of our limits is SC_ELIMIT. */
static int check_int_range(struct reader *r, const config_setting_t *st, const char *where,
                           int64_t v, int64_t lo, int64_t hi, bool hi_is_limit)
{
    const char *key = config_setting_name(st);
    if (v < lo) {
        if (lo == 0)
            return fail(r, line_of(st), "'%s' in %s must not be negative, not %lld.", key, where,
                        (long long)v);
        return fail(r, line_of(st), "'%s' in %s must be at least %lld, not %lld.", key, where,
                    (long long)lo, (long long)v);
    }
    if (v > hi) {
        if (hi_is_limit)
            return fail_status(r, SC_ELIMIT, line_of(st),
                               "'%s' in %s is %lld, more than the %lld stagecast accepts.", key,
                               where, (long long)v, (long long)hi);
        return fail(r, line_of(st), "'%s' in %s must be at most %lld, not %lld.", key, where,
                    (long long)hi, (long long)v);
    }
    return 0;
}

static int get_int(struct reader *r, const config_setting_t *g, const char *where, const char *key,
                   bool required, int64_t lo, int64_t hi, bool hi_is_limit, int64_t *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    if (!is_int(st))
        return wrong_type(r, st, where, "an integer");
    int64_t v = config_setting_get_int64(st);
    if (check_int_range(r, st, where, v, lo, hi, hi_is_limit) != 0)
        return -1;
    *out = v;
    return 1;
}

/* A number in [lo, hi]; lo_open makes the lower bound exclusive. */
static int get_number(struct reader *r, const config_setting_t *g, const char *where,
                      const char *key, bool required, double lo, bool lo_open, double hi,
                      double *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    if (!is_number(st))
        return wrong_type(r, st, where, "a number");
    double v = number_of(st);
    if (!isfinite(v))
        return fail(r, line_of(st), "'%s' in %s must be a finite number.", key, where);
    if (lo_open ? !(v > lo) : !(v >= lo)) {
        if (lo == 0 && !lo_open)
            return fail(r, line_of(st), "'%s' in %s must not be negative, not %g.", key, where, v);
        return fail(r, line_of(st), "'%s' in %s must be %s %g, not %g.", key, where,
                    lo_open ? "greater than" : "at least", lo, v);
    }
    if (v > hi)
        return fail(r, line_of(st), "'%s' in %s must be at most %g, not %g.", key, where, hi, v);
    *out = v;
    return 1;
}

static int get_bool(struct reader *r, const config_setting_t *g, const char *where, const char *key,
                    bool *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, false, &st);
    if (rc <= 0)
        return rc;
    if (config_setting_type(st) != CONFIG_TYPE_BOOL)
        return wrong_type(r, st, where, "true or false");
    *out = config_setting_get_bool(st) != 0;
    return 1;
}

/* A string, borrowed from libconfig (valid until config_destroy). */
static int get_str(struct reader *r, const config_setting_t *g, const char *where, const char *key,
                   bool required, const char **out, int *line)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    if (config_setting_type(st) != CONFIG_TYPE_STRING)
        return wrong_type(r, st, where, "a string");
    const char *v = config_setting_get_string(st);
    if (v[0] == '\0')
        return fail(r, line_of(st), "'%s' in %s must not be empty.", key, where);
    *out = v;
    if (line)
        *line = line_of(st);
    return 1;
}

/* A string, copied for the scenario to own. */
static int get_str_copy(struct reader *r, const config_setting_t *g, const char *where,
                        const char *key, bool required, char **out)
{
    const char *v;
    int line = 0;
    int rc = get_str(r, g, where, key, required, &v, &line);
    if (rc <= 0)
        return rc;
    char *copy = strdup(v);
    if (copy == NULL)
        return fail_nomem(r, line);
    free(*out);
    *out = copy;
    return 1;
}

/* A string that must be one of choices (NULL-terminated); *index is set. */
static int get_choice(struct reader *r, const config_setting_t *g, const char *where,
                      const char *key, bool required, const char *const *choices, bool ignore_case,
                      int *index)
{
    const char *v;
    int line = 0;
    int rc = get_str(r, g, where, key, required, &v, &line);
    if (rc <= 0)
        return rc;
    for (int i = 0; choices[i]; i++)
        if ((ignore_case ? strcasecmp(v, choices[i]) : strcmp(v, choices[i])) == 0) {
            *index = i;
            return 1;
        }
    char list[384];
    join_names(choices, list, sizeof list);
    const char *hint = textdist_closest(v, choices);
    if (hint)
        return fail(r, line, "'%s' in %s must be one of %s, not \"%s\" (did you mean \"%s\"?).",
                    key, where, list, v, hint);
    return fail(r, line, "'%s' in %s must be one of %s, not \"%s\".", key, where, list, v);
}

/* A size in bytes: an integer, a number, or a string such as "4g". */
static int get_size(struct reader *r, const config_setting_t *g, const char *where, const char *key,
                    int64_t *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, false, &st);
    if (rc <= 0)
        return rc;
    int line = line_of(st);
    if (is_int(st)) {
        int64_t v = config_setting_get_int64(st);
        if (v < 0)
            return fail(r, line, "'%s' in %s must not be negative, not %lld.", key, where,
                        (long long)v);
        *out = v;
        return 1;
    }
    if (config_setting_type(st) == CONFIG_TYPE_FLOAT) {
        double v = config_setting_get_float(st);
        if (!(v >= 0.0) || !(v < 9.2e18))
            return fail(r, line, "'%s' in %s must be a size from 0 bytes up, not %g.", key, where,
                        v);
        *out = llround(v);
        return 1;
    }
    if (config_setting_type(st) == CONFIG_TYPE_STRING) {
        const char *text = config_setting_get_string(st);
        if (units_parse_size(text, out) != 0)
            return fail(r, line,
                        "'%s' in %s must be a size such as \"64m\", \"4g\" or \"1.5t\", "
                        "not \"%s\".",
                        key, where, text);
        return 1;
    }
    return wrong_type(r, st, where, "a size (bytes, or a string such as \"4g\")");
}

static void strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* An array or list of non-empty strings. */
static int get_strlist(struct reader *r, const config_setting_t *g, const char *where,
                       const char *key, bool required, bool nonempty, struct strlist *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return wrong_type(r, st, where, "a list of strings such as [\"a\", \"b\"]");
    int n = config_setting_length(st);
    if (n == 0) {
        if (nonempty)
            return fail(r, line_of(st), "'%s' in %s must not be empty.", key, where);
        return 1;
    }
    strlist_free(out);
    out->v = calloc((size_t)n, sizeof *out->v);
    if (out->v == NULL)
        return fail_nomem(r, line_of(st));
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            char got[96];
            return fail(r, line_of(e), "'%s' in %s must hold only strings; item %d is %s.", key,
                        where, i + 1, describe(e, got, sizeof got));
        }
        const char *v = config_setting_get_string(e);
        if (v[0] == '\0')
            return fail(r, line_of(e), "'%s' in %s holds an empty string (item %d).", key, where,
                        i + 1);
        out->v[i] = strdup(v);
        if (out->v[i] == NULL)
            return fail_nomem(r, line_of(e));
        out->n = (size_t)i + 1;
    }
    return 1;
}

/* A member that must be a group (or, with want_list, a list). */
static int get_aggregate(struct reader *r, const config_setting_t *g, const char *where,
                         const char *key, bool required, int want_type, config_setting_t **out)
{
    int rc = member(r, g, where, key, required, out);
    if (rc <= 0)
        return rc;
    if (config_setting_type(*out) != want_type)
        return wrong_type(r, *out, where,
                          want_type == CONFIG_TYPE_GROUP ? "a group { ... }" : "a list ( ... )");
    return 1;
}

/* ------------------------------------- 32-bit integer overflow pre-check */

/*
 * libconfig 1.5 reads an integer literal that does not fit in 32 bits and
 * has no L suffix as a plain int, silently truncated: `rows = 10000000000;`
 * becomes 1410065408. A scenario with ten billion rows is ordinary, so before
 * trusting the parse we scan the text for such literals and ask for the L.
 * The scan skips comments and strings and ignores names and floats.
 */
static int check_int_literals(struct reader *r, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return 0; /* libconfig just read it; nothing more to learn here */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(fp);
        return fail_nomem(r, 0);
    }
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                fclose(fp);
                return fail_nomem(r, 0);
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(fp);

    int line = 1;
    int rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        char c = buf[i];
        char next = i + 1 < len ? buf[i + 1] : '\0';
        if (c == '\n') {
            line++;
            i++;
        } else if (c == '#' || (c == '/' && next == '/')) {
            while (i < len && buf[i] != '\n')
                i++;
        } else if (c == '/' && next == '*') {
            i += 2;
            while (i < len && !(buf[i] == '*' && i + 1 < len && buf[i + 1] == '/')) {
                if (buf[i] == '\n')
                    line++;
                i++;
            }
            i += 2;
        } else if (c == '"') {
            i++;
            while (i < len && buf[i] != '"' && buf[i] != '\n')
                i += buf[i] == '\\' ? 2 : 1;
            i++;
        } else if (isalpha((unsigned char)c) || c == '_' || c == '*') {
            /* a name, or true/false: may contain digits, which are no number */
            while (i < len && (isalnum((unsigned char)buf[i]) || buf[i] == '_' || buf[i] == '*' ||
                               buf[i] == '-'))
                i++;
        } else if (isdigit((unsigned char)c)) {
            size_t start = i;
            if (c == '0' && (next == 'x' || next == 'X')) {
                i += 2;
                while (i < len && isxdigit((unsigned char)buf[i]))
                    i++;
            } else {
                while (i < len && isdigit((unsigned char)buf[i]))
                    i++;
                char after = i < len ? buf[i] : '\0';
                if (after == '.' || after == 'e' || after == 'E') {
                    while (i < len &&
                           (isdigit((unsigned char)buf[i]) || buf[i] == '.' || buf[i] == 'e' ||
                            buf[i] == 'E' || buf[i] == '+' || buf[i] == '-'))
                        i++;
                } else if (after != 'L' && after != 'l') {
                    size_t digits = i - start;
                    bool big = digits > 10;
                    if (digits == 10)
                        big = strncmp(buf + start, "2147483647", 10) > 0;
                    if (big)
                        rc = fail(r, line,
                                  "the integer %.*s does not fit in 32 bits, and libconfig "
                                  "would silently truncate it; write it as %.*sL.",
                                  (int)(digits > 30 ? 30 : digits), buf + start,
                                  (int)(digits > 30 ? 30 : digits), buf + start);
                }
            }
        } else {
            i++;
        }
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------- cluster */

/* Platform, pricing and tier names are parsed by the platform table
 * (models/platform.h), which owns them and their aliases; we only list them
 * for the error message. */
static int get_billing_name(struct reader *r, const config_setting_t *g, const char *key,
                            const char *const *names, int (*parse)(const char *, void *), void *out)
{
    const char *v;
    int line = 0;
    int rc = get_str(r, g, "cluster", key, false, &v, &line);
    if (rc <= 0)
        return rc;
    if (parse(v, out) == 0)
        return 1;
    char list[128];
    join_names(names, list, sizeof list);
    return fail(r, line, "'%s' in cluster must be one of %s, not \"%s\".", key, list, v);
}

static int parse_platform_cb(const char *name, void *out)
{
    return platform_parse(name, out);
}

static int parse_pricing_cb(const char *name, void *out)
{
    return pricing_parse(name, out);
}

static int parse_tier_cb(const char *name, void *out)
{
    return tier_parse(name, out);
}

static int get_vm_size(struct reader *r, const config_setting_t *g, const char *key, bool required,
                       char *buf, size_t size, int *line)
{
    const char *v;
    int rc = get_str(r, g, "cluster", key, required, &v, line);
    if (rc <= 0)
        return rc;
    if (strlen(v) >= size)
        return fail(r, *line, "'%s' in cluster is too long for a VM size name (\"%.40s...\").", key,
                    v);
    memcpy(buf, v, strlen(v) + 1);
    return 1;
}

static int read_task_seconds(struct reader *r, const config_setting_t *st, const char *stage,
                             struct dist *out);

/* A delay given as seconds or as a distribution group like task_seconds'
 * ({ dist = "lognormal"; median = 145; sigma = 0.4; }). Returns 1 when
 * given (*is_dist says which form), 0 when absent, -1 on error. */
static int get_delay(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, double *fixed, struct dist *dist, bool *is_dist)
{
    config_setting_t *st = config_setting_get_member(g, key);
    if (!st)
        return 0;
    if (config_setting_type(st) == CONFIG_TYPE_GROUP) {
        char what[192];
        snprintf(what, sizeof what, "'%s' in %s", key, where);
        if (read_task_seconds(r, st, what, dist) != 0)
            return -1;
        *is_dist = true;
        return 1;
    }
    *is_dist = false;
    return get_number(r, g, where, key, false, 0, false, INFINITY, fixed);
}

static int read_autoscale(struct reader *r, const config_setting_t *a, int64_t *min_workers)
{
    const char *where = "cluster.autoscale";
    struct cluster_spec *c = &r->s->cluster;
    if (check_group(r, a, where, "cluster.autoscale", NULL) != 0)
        return -1;
    int64_t lo = 0, hi = 0;
    int policy = -1;
    if (get_int(r, a, where, "min", true, 1, SCN_MAX_WORKERS, true, &lo) < 0 ||
        get_int(r, a, where, "max", true, 1, SCN_MAX_WORKERS, true, &hi) < 0 ||
        get_choice(r, a, where, "policy", false, autoscale_policy_names(), false, &policy) < 0 ||
        get_delay(r, a, where, "provision_s", &c->autoscale_provision_s, &c->provision_dist,
                  &c->provision_is_dist) < 0 ||
        get_number(r, a, where, "interval_s", false, 0, true, INFINITY, &c->autoscale_interval_s) <
            0 ||
        get_number(r, a, where, "idle_s", false, 0, false, INFINITY, &c->autoscale_idle_s) < 0)
        return -1;
    if (hi < lo)
        return fail(r, line_of(config_setting_get_member(a, "max")),
                    "'max' in cluster.autoscale (%lld) must not be less than 'min' (%lld).",
                    (long long)hi, (long long)lo);
    c->autoscale = true;
    c->autoscale_min = lo;
    c->autoscale_max = hi;
    c->autoscale_policy = policy;
    c->autoscale_line = line_of(a);
    *min_workers = lo;
    return 0;
}

static int read_cluster(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    const char *where = "cluster";
    c->line = line_of(g);
    c->driver_line = c->worker_line = c->workers_line = c->executor_line = c->line;
    if (check_group(r, g, where, "cluster", NULL) != 0)
        return -1;

    if (get_billing_name(r, g, "platform", platform_names(), parse_platform_cb, &c->platform) < 0 ||
        get_billing_name(r, g, "pricing", pricing_names(), parse_pricing_cb, &c->pricing) < 0 ||
        get_billing_name(r, g, "tier", tier_names(), parse_tier_cb, &c->tier) < 0)
        return -1;

    if (get_vm_size(r, g, "worker", true, c->worker, sizeof c->worker, &c->worker_line) < 0)
        return -1;
    int rc = get_vm_size(r, g, "driver", false, c->driver, sizeof c->driver, &c->driver_line);
    if (rc < 0)
        return -1;
    c->driver_given = rc > 0;
    if (rc == 0) {
        /* The driver defaults to the worker's size; errors about it point
         * at the line that chose that size. */
        memcpy(c->driver, c->worker, sizeof c->driver);
        c->driver_line = c->worker_line;
    }

    config_setting_t *autoscale;
    int64_t autoscale_min = 0;
    rc = get_aggregate(r, g, where, "autoscale", false, CONFIG_TYPE_GROUP, &autoscale);
    if (rc < 0 || (rc > 0 && read_autoscale(r, autoscale, &autoscale_min) != 0))
        return -1;
    rc = get_int(r, g, where, "workers", autoscale == NULL, 1, SCN_MAX_WORKERS, true, &c->workers);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        c->workers_line = line_of(config_setting_get_member(g, "workers"));
        if (autoscale && (c->workers < c->autoscale_min || c->workers > c->autoscale_max))
            return fail(r, c->workers_line,
                        "'workers' (%lld) is the autoscaled cluster's initial size and must lie "
                        "in [min, max] = [%lld, %lld].",
                        (long long)c->workers, (long long)c->autoscale_min,
                        (long long)c->autoscale_max);
    } else {
        c->workers = autoscale_min;
        c->workers_line = line_of(autoscale);
    }

    int64_t v = 0;
    rc = get_int(r, g, where, "executors_per_worker", false, 1, SCN_MAX_PER_NODE, true, &v);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        c->executors_per_worker = (int)v;
        c->executor_line = line_of(config_setting_get_member(g, "executors_per_worker"));
    }
    rc = get_int(r, g, where, "executor_cores", false, 1, SCN_MAX_PER_NODE, true, &v);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        c->executor_cores = (int)v;
        c->executor_line = line_of(config_setting_get_member(g, "executor_cores"));
    }

    if (get_delay(r, g, where, "startup_s", &c->startup_s, &c->startup_dist, &c->startup_is_dist) <
            0 ||
        get_number(r, g, where, "network_limit_gbps", false, 0, true, INFINITY,
                   &c->network_limit_gbps) < 0 ||
        get_number(r, g, where, "local_disk_mbps", false, 0, true, INFINITY,
                   &c->local_disk_mbps) < 0 ||
        get_number(r, g, where, "idle_after_s", false, 0, false, INFINITY, &c->idle_after_s) < 0)
        return -1;
    config_setting_t *starts = config_setting_get_member(g, "executor_start_s");
    if (starts) {
        /* When each executor registered, in executor order: a number per
         * executor, seconds from the first job (as an event log records). */
        int t = config_setting_type(starts);
        if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
            return wrong_type(r, starts, where, "a list of seconds such as [0.0, 0.0, 35.4]");
        int n = config_setting_length(starts);
        if (n > SCN_MAX_WORKERS * 64)
            return fail(r, line_of(starts), "'executor_start_s' lists too many executors.");
        c->executor_start_s = malloc((size_t)(n ? n : 1) * sizeof(double));
        if (!c->executor_start_s)
            return fail_nomem(r, line_of(starts));
        c->n_executor_start_s = (size_t)n;
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(starts, (unsigned)i);
            double t_s = is_number(e) ? number_of(e) : NAN;
            if (!(t_s >= 0.0) || !isfinite(t_s))
                return fail(r, line_of(starts),
                            "'executor_start_s' must list numbers >= 0; item %d is not.", i + 1);
            c->executor_start_s[i] = t_s;
        }
    }
    config_setting_t *spot;
    rc = get_aggregate(r, g, where, "spot", false, CONFIG_TYPE_GROUP, &spot);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        const char *sw = "cluster.spot";
        c->spot_line = line_of(spot);
        if (check_group(r, spot, sw, "cluster.spot", NULL) != 0 ||
            get_number(r, spot, sw, "fraction", true, 0, false, 1.0, &c->spot_fraction) < 0 ||
            get_number(r, spot, sw, "evictions_per_hour", false, 0, false, INFINITY,
                       &c->spot_evictions_per_hour) < 0 ||
            get_number(r, spot, sw, "usd_per_hour", false, 0, false, INFINITY,
                       &c->spot_usd_per_hour) < 0 ||
            get_number(r, spot, sw, "discount", false, 0, false, 1.0, &c->spot_discount) < 0 ||
            get_number(r, spot, sw, "evict_at_s", false, 0, false, INFINITY, &c->spot_evict_at_s) <
                0)
            return -1;
        if (c->spot_fraction > 1.0)
            return fail(r, c->spot_line, "'fraction' in cluster.spot must be between 0 and 1.");
    }
    config_setting_t *storage;
    rc = get_aggregate(r, g, where, "storage", false, CONFIG_TYPE_GROUP, &storage);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        const char *sw = "cluster.storage";
        if (check_group(r, storage, sw, "cluster.storage", NULL) != 0 ||
            get_number(r, storage, sw, "egress_gbps", false, 0, true, INFINITY,
                       &c->storage_egress_gbps) < 0 ||
            get_number(r, storage, sw, "ingress_gbps", false, 0, true, INFINITY,
                       &c->storage_ingress_gbps) < 0)
            return -1;
    }

    config_setting_t *price;
    rc = get_aggregate(r, g, where, "price", false, CONFIG_TYPE_GROUP, &price);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        const char *pw = "cluster.price";
        struct price_override *p = &c->price;
        if (check_group(r, price, pw, "cluster.price", NULL) != 0 ||
            get_number(r, price, pw, "worker_usd_per_hour", false, 0, false, INFINITY,
                       &p->worker_usd_per_hour) < 0 ||
            get_number(r, price, pw, "driver_usd_per_hour", false, 0, false, INFINITY,
                       &p->driver_usd_per_hour) < 0 ||
            get_number(r, price, pw, "worker_dbu_per_hour", false, 0, false, INFINITY,
                       &p->worker_dbu_per_hour) < 0 ||
            get_number(r, price, pw, "driver_dbu_per_hour", false, 0, false, INFINITY,
                       &p->driver_dbu_per_hour) < 0 ||
            get_number(r, price, pw, "usd_per_dbu", false, 0, false, INFINITY, &p->usd_per_dbu) <
                0 ||
            get_number(r, price, pw, "usd_per_vcore_hour", false, 0, false, INFINITY,
                       &p->usd_per_vcore_hour) < 0)
            return -1;
    }
    return 0;
}

/* --------------------------------------------------------------- spark */

/* A double as the shortest text that reads back as the same double. */
static void format_double(double v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* Walks the nested `spark` group: every leaf is a setting named by its path.
 * `speculation = { enabled = true; multiplier = 3; }` is how one writes both
 * spark.speculation and spark.speculation.multiplier, since a libconfig name
 * cannot be a value and a group at once: "<known boolean key>.enabled" is
 * read as the boolean key itself. */
static int read_spark_group(struct reader *r, const config_setting_t *g, const char *prefix)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        char key[512];
        int len = snprintf(key, sizeof key, "%s.%s", prefix, config_setting_name(m));
        if (len < 0 || (size_t)len >= sizeof key)
            return fail(r, line_of(m), "Spark setting name '%.60s...' is too long.", key);
        int line = line_of(m);
        char text[64];
        const char *value = text;
        switch (config_setting_type(m)) {
        case CONFIG_TYPE_GROUP:
            if (read_spark_group(r, m, key) != 0)
                return -1;
            continue;
        case CONFIG_TYPE_ARRAY:
        case CONFIG_TYPE_LIST:
            return fail(r, line, "Spark setting '%s' must be a single value, not a list.", key);
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64:
            snprintf(text, sizeof text, "%lld", (long long)config_setting_get_int64(m));
            break;
        case CONFIG_TYPE_FLOAT:
            format_double(config_setting_get_float(m), text, sizeof text);
            break;
        case CONFIG_TYPE_BOOL: value = config_setting_get_bool(m) ? "true" : "false"; break;
        case CONFIG_TYPE_STRING: value = config_setting_get_string(m); break;
        default: return fail(r, line, "Spark setting '%s' has a value of unknown type.", key);
        }
        static const char enabled[] = ".enabled";
        size_t klen = strlen(key);
        if (spark_key_find(key) == NULL && klen > sizeof enabled - 1 &&
            strcmp(key + klen - (sizeof enabled - 1), enabled) == 0) {
            key[klen - (sizeof enabled - 1)] = '\0';
            const struct spark_key *base = spark_key_find(key);
            if (base == NULL || base->type != SPARK_BOOL)
                key[klen - (sizeof enabled - 1)] = '.';
        }
        if (spark_conf_set(&r->s->spark, key, value, r->file, line, r->d) != SC_OK)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- tables */

static const char *const col_type_names[] = {"int32", "int64",   "double", "string",
                                             "date",  "boolean", NULL};
static const char *const col_dist_names[] = {"sequence", "uniform",     "normal", "lognormal",
                                             "zipf",     "categorical", NULL};
static const char *const table_formats[] = {"parquet", "delta", "csv", NULL};

static int read_weights(struct reader *r, const config_setting_t *g, const char *where,
                        struct column_spec *col)
{
    config_setting_t *st = config_setting_get_member(g, "weights");
    if (st == NULL)
        return 0;
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return wrong_type(r, st, where, "a list of numbers such as [0.5, 0.3, 0.2]");
    size_t n = (size_t)config_setting_length(st);
    if (n != col->values.n)
        return fail(r, line_of(st), "'weights' in %s has %zu numbers but 'values' has %zu.", where,
                    n, col->values.n);
    col->weights = calloc(n, sizeof *col->weights);
    if (col->weights == NULL)
        return fail_nomem(r, line_of(st));
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        double w = is_number(e) ? number_of(e) : NAN;
        if (!(w >= 0.0) || !isfinite(w)) {
            char got[96];
            return fail(r, line_of(e),
                        "'weights' in %s must hold numbers from 0 up; item %zu is %s.", where,
                        i + 1, describe(e, got, sizeof got));
        }
        col->weights[i] = w;
        sum += w;
    }
    if (!(sum > 0.0))
        return fail(r, line_of(st), "'weights' in %s must not all be 0.", where);
    return 0;
}

static int read_column(struct reader *r, const config_setting_t *g, const char *table, size_t index,
                       struct column_spec *col)
{
    char where[192];
    col->line = line_of(g);
    col->min = col->max = col->mean = col->stddev = col->mu = col->sigma = NAN;
    col->exponent = NAN;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return fail(r, col->line,
                    "column %zu of table '%s' must be a group such as { name = \"id\"; "
                    "type = \"int64\"; }, not %s.",
                    index + 1, table, describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "column %zu of table '%s'", index + 1, table);
    /* Keys no column takes first, so that a typo of 'name' or 'type' is
     * reported as a typo; the keys of the chosen dist are checked below. */
    if (check_group(r, g, where, "tables.<table>.columns[]", NULL) != 0 ||
        get_str_copy(r, g, where, "name", true, &col->name) < 0)
        return -1;
    snprintf(where, sizeof where, "column '%s' of table '%s'", col->name, table);

    int dist = CDIST_SEQUENCE, type = 0;
    if (get_choice(r, g, where, "type", true, col_type_names, false, &type) < 0 ||
        get_choice(r, g, where, "dist", false, col_dist_names, false, &dist) < 0)
        return -1;
    col->type = (enum col_type)type;
    col->dist = (enum col_dist)dist;

    char where_dist[224];
    snprintf(where_dist, sizeof where_dist, "%s (dist \"%s\")", where, col_dist_names[dist]);
    if (check_group(r, g, where_dist, "tables.<table>.columns[]", col_dist_names[dist]) != 0)
        return -1;

    if (get_int(r, g, where, "distinct", dist == CDIST_ZIPF, 1, INT64_MAX, false, &col->distinct) <
            0 ||
        get_number(r, g, where, "null_fraction", false, 0, false, 1, &col->null_fraction) < 0)
        return -1;

    switch (col->dist) {
    case CDIST_SEQUENCE: break;
    case CDIST_UNIFORM:
        if (get_number(r, g, where, "min", true, -INFINITY, false, INFINITY, &col->min) < 0 ||
            get_number(r, g, where, "max", true, -INFINITY, false, INFINITY, &col->max) < 0)
            return -1;
        if (col->max < col->min)
            return fail(r, line_of(config_setting_get_member(g, "max")),
                        "'max' in %s (%g) must not be less than 'min' (%g).", where, col->max,
                        col->min);
        break;
    case CDIST_NORMAL:
        if (get_number(r, g, where, "mean", true, -INFINITY, false, INFINITY, &col->mean) < 0 ||
            get_number(r, g, where, "stddev", true, 0, false, INFINITY, &col->stddev) < 0)
            return -1;
        break;
    case CDIST_LOGNORMAL:
        if (get_number(r, g, where, "mu", true, -INFINITY, false, INFINITY, &col->mu) < 0 ||
            get_number(r, g, where, "sigma", true, 0, false, INFINITY, &col->sigma) < 0)
            return -1;
        break;
    case CDIST_ZIPF:
        col->exponent = 1.0;
        if (get_number(r, g, where, "exponent", false, 0, true, INFINITY, &col->exponent) < 0)
            return -1;
        break;
    case CDIST_CATEGORICAL:
        if (get_strlist(r, g, where, "values", true, true, &col->values) < 0 ||
            read_weights(r, g, where, col) != 0)
            return -1;
        break;
    }
    return 0;
}

static int read_table(struct reader *r, const config_setting_t *g, struct table_spec *t)
{
    t->line = line_of(g);
    t->size_bytes = -1;
    t->name = strdup(config_setting_name(g));
    if (t->name == NULL)
        return fail_nomem(r, t->line);
    char where[160];
    snprintf(where, sizeof where, "table '%s'", t->name);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return wrong_type(r, g, "tables", "a group { rows = ...; columns = (...); }");
    if (check_group(r, g, where, "tables.<table>", NULL) != 0)
        return -1;
    int format = 0;
    if (get_int(r, g, where, "rows", true, 0, INT64_MAX, false, &t->rows) < 0 ||
        get_size(r, g, where, "size", &t->size_bytes) < 0 ||
        get_choice(r, g, where, "format", false, table_formats, false, &format) < 0)
        return -1;
    t->format = strdup(table_formats[format]);
    if (t->format == NULL)
        return fail_nomem(r, t->line);

    config_setting_t *cols;
    int rc = get_aggregate(r, g, where, "columns", false, CONFIG_TYPE_LIST, &cols);
    if (rc <= 0)
        return rc;
    size_t n = (size_t)config_setting_length(cols);
    if (n == 0)
        return 0;
    t->columns = calloc(n, sizeof *t->columns);
    if (t->columns == NULL)
        return fail_nomem(r, line_of(cols));
    t->n_columns = n;
    for (size_t i = 0; i < n; i++) {
        if (read_column(r, config_setting_get_elem(cols, (unsigned)i), t->name, i,
                        &t->columns[i]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->columns[j].name, t->columns[i].name) == 0)
                return fail(r, t->columns[i].line,
                            "table '%s' has two columns named '%s' (the first at line %d).",
                            t->name, t->columns[i].name, t->columns[j].line);
    }
    return 0;
}

/* ----------------------------------------------------------- query steps */

static const char *const op_names[] = {
    [OP_SCAN] = "scan",         [OP_FILTER] = "filter",
    [OP_SELECT] = "select",     [OP_WITH_COLUMN] = "with_column",
    [OP_GROUP_BY] = "group_by", [OP_JOIN] = "join",
    [OP_ORDER_BY] = "order_by", [OP_WINDOW] = "window",
    [OP_DISTINCT] = "distinct", [OP_REPARTITION] = "repartition",
    [OP_COALESCE] = "coalesce", [OP_CACHE] = "cache",
    [OP_LIMIT] = "limit",       [OP_UNION] = "union",
    [OP_COUNT] = "count",       [OP_COLLECT] = "collect",
    [OP_WRITE] = "write",       [OP_SAMPLE] = "sample",
    NULL,
};

/* Spark's join types, in the spellings Dataset.join accepts. */
static const char *const join_hows[] = {"inner",       "left",  "left_outer", "right",
                                        "right_outer", "full",  "full_outer", "left_semi",
                                        "left_anti",   "cross", NULL};

const char *op_kind_name(enum op_kind op)
{
    return (unsigned)op <= OP_SAMPLE ? op_names[op] : "?";
}

const char *sched_mode_name(enum sched_mode m)
{
    return m == SCHED_FAIR ? "FAIR" : "FIFO";
}

static void step_free(struct query_step *q)
{
    free(q->table);
    free(q->where);
    free(q->name);
    free(q->expr);
    free(q->right);
    free(q->how);
    free(q->path);
    free(q->format);
    strlist_free(&q->cols);
    strlist_free(&q->keys);
    strlist_free(&q->aggs);
    strlist_free(&q->on);
    strlist_free(&q->partition_by);
    strlist_free(&q->order_by);
    strlist_free(&q->funcs);
}

static int read_step(struct reader *r, const config_setting_t *g, const char *owner, size_t index,
                     struct query_step *q)
{
    char where[224];
    q->line = line_of(g);
    q->n = -1;
    q->seed = -1;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return fail(r, q->line,
                    "step %zu of %s must be a group such as { op = \"scan\"; table = \"t\"; }, "
                    "not %s.",
                    index + 1, owner, describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "step %zu of %s", index + 1, owner);
    int op = 0;
    if (check_group(r, g, where, "jobs[].query[]", NULL) != 0 ||
        get_choice(r, g, where, "op", true, op_names, false, &op) < 0)
        return -1;
    q->op = (enum op_kind)op;
    snprintf(where, sizeof where, "step %zu (%s) of %s", index + 1, op_names[op], owner);

    if (check_group(r, g, where, "jobs[].query[]", op_names[op]) != 0)
        return -1;

    switch (q->op) {
    case OP_SCAN: return get_str_copy(r, g, where, "table", true, &q->table) < 0 ? -1 : 0;
    case OP_FILTER: return get_str_copy(r, g, where, "where", true, &q->where) < 0 ? -1 : 0;
    case OP_SELECT: return get_strlist(r, g, where, "cols", true, true, &q->cols) < 0 ? -1 : 0;
    case OP_WITH_COLUMN:
        if (get_str_copy(r, g, where, "name", true, &q->name) < 0 ||
            get_str_copy(r, g, where, "expr", true, &q->expr) < 0)
            return -1;
        return 0;
    case OP_GROUP_BY:
        /* Empty keys are a global aggregate: df.groupBy().agg(...). */
        if (get_strlist(r, g, where, "keys", true, false, &q->keys) < 0 ||
            get_strlist(r, g, where, "aggs", true, true, &q->aggs) < 0 ||
            get_int(r, g, where, "salt", false, 2, 1000000, false, &q->salt) < 0)
            return -1;
        return 0;
    case OP_JOIN: {
        int how = 0;
        if (get_str_copy(r, g, where, "right", true, &q->right) < 0 ||
            get_choice(r, g, where, "how", false, join_hows, false, &how) < 0 ||
            get_int(r, g, where, "salt", false, 2, 1000000, false, &q->salt) < 0)
            return -1;
        q->how = strdup(join_hows[how]);
        if (q->how == NULL)
            return fail_nomem(r, q->line);
        bool cross = strcmp(q->how, "cross") == 0;
        int rc = get_strlist(r, g, where, "on", !cross, true, &q->on);
        if (rc < 0)
            return -1;
        if (cross && rc > 0)
            return fail(r, line_of(config_setting_get_member(g, "on")),
                        "a cross join takes no 'on' keys (%s).", where);
        return 0;
    }
    case OP_ORDER_BY: return get_strlist(r, g, where, "keys", true, true, &q->keys) < 0 ? -1 : 0;
    case OP_WINDOW:
        if (get_strlist(r, g, where, "partition_by", false, false, &q->partition_by) < 0 ||
            get_strlist(r, g, where, "order_by", false, false, &q->order_by) < 0 ||
            get_strlist(r, g, where, "funcs", true, true, &q->funcs) < 0)
            return -1;
        return 0;
    case OP_DISTINCT: return get_strlist(r, g, where, "keys", false, true, &q->keys) < 0 ? -1 : 0;
    case OP_REPARTITION: {
        int rn = get_int(r, g, where, "n", false, 1, INT_MAX, false, &q->n);
        if (rn < 0)
            return -1;
        int rp = get_strlist(r, g, where, "partition_by", false, true, &q->partition_by);
        if (rp < 0)
            return -1;
        if (rn == 0 && rp == 0)
            return fail(r, q->line, "%s needs 'n', 'partition_by' or both.", where);
        return 0;
    }
    case OP_COALESCE: return get_int(r, g, where, "n", true, 1, INT_MAX, false, &q->n) < 0 ? -1 : 0;
    case OP_LIMIT: return get_int(r, g, where, "n", true, 0, INT64_MAX, false, &q->n) < 0 ? -1 : 0;
    case OP_UNION: return get_str_copy(r, g, where, "table", true, &q->table) < 0 ? -1 : 0;
    case OP_SAMPLE:
        /* Dataset.sample(withReplacement = false, fraction, seed). */
        if (get_number(r, g, where, "fraction", true, 0.0, false, 1.0, &q->fraction) < 0)
            return -1;
        return get_int(r, g, where, "seed", false, 0, INT64_MAX, false, &q->seed) < 0 ? -1 : 0;
    case OP_WRITE: {
        int format = 0;
        if (get_str_copy(r, g, where, "path", false, &q->path) < 0)
            return -1;
        int rc = get_choice(r, g, where, "format", false, table_formats, false, &format);
        if (rc < 0)
            return -1;
        if (rc > 0 && (q->format = strdup(table_formats[format])) == NULL)
            return fail_nomem(r, q->line);
        return 0;
    }
    case OP_CACHE:
    case OP_COUNT:
    case OP_COLLECT: return 0;
    }
    return 0;
}

static bool is_action(enum op_kind op)
{
    return op == OP_COUNT || op == OP_COLLECT || op == OP_WRITE;
}

/* Reads a list of steps (a job's query or a view) into *steps. A query
 * starts from a table and may end with one action; a view is a DataFrame
 * that other queries use, so it holds no action. */
static int read_steps(struct reader *r, const config_setting_t *list, const char *owner,
                      bool is_view, struct query_step **steps, size_t *n_steps)
{
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return wrong_type(r, list, owner, "a list of steps ( { op = \"scan\"; ... }, ... )");
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return fail(r, line_of(list), "%s has no steps; it must start with a scan.", owner);
    *steps = calloc(n, sizeof **steps);
    if (*steps == NULL)
        return fail_nomem(r, line_of(list));
    *n_steps = n;
    for (size_t i = 0; i < n; i++) {
        struct query_step *q = &(*steps)[i];
        if (read_step(r, config_setting_get_elem(list, (unsigned)i), owner, i, q) != 0)
            return -1;
        if (i == 0 && q->op != OP_SCAN)
            return fail(r, q->line, "%s must start with a scan, not a %s.", owner, op_names[q->op]);
        if (is_action(q->op) && is_view)
            return fail(r, q->line,
                        "%s ends with the action '%s'; a view is used by other queries, so "
                        "actions belong in jobs.",
                        owner, op_names[q->op]);
        if (is_action(q->op) && i + 1 < n)
            return fail(r, q->line, "'%s' is an action and must be the last step of %s.",
                        op_names[q->op], owner);
    }
    return 0;
}

/* ", did you mean 'employees'?" when name is a typo of a table (or, with
 * views, of a view) name; "" otherwise. */
static const char *name_hint(const struct scenario *s, const char *name, bool views, char *buf,
                             size_t size)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < s->n_tables; i++) {
        size_t dist = textdist_osa(name, s->tables[i].name);
        if (dist < best_d) {
            best_d = dist;
            best = s->tables[i].name;
        }
    }
    for (size_t i = 0; views && i < s->n_views; i++) {
        size_t dist = textdist_osa(name, s->views[i].name);
        if (dist < best_d) {
            best_d = dist;
            best = s->views[i].name;
        }
    }
    size_t len = strlen(name);
    size_t limit = textdist_typo_limit(len);
    buf[0] = '\0';
    if (best && best_d <= limit)
        snprintf(buf, size, "; did you mean '%.100s'?", best);
    return buf;
}

/* Checks that scan names a table and join/union name a table or a view. */
static int resolve_steps(struct reader *r, const struct query_step *steps, size_t n,
                         const char *owner)
{
    for (size_t i = 0; i < n; i++) {
        const struct query_step *q = &steps[i];
        char hint[128];
        if (q->op == OP_SCAN && scenario_table(r->s, q->table) == NULL) {
            if (scenario_view(r->s, q->table))
                return fail(r, q->line,
                            "step %zu of %s scans '%s', which is a view; a scan reads a table "
                            "(use a join or union to bring in a view).",
                            i + 1, owner, q->table);
            return fail(r, q->line, "step %zu of %s scans '%s', but there is no such table%s",
                        i + 1, owner, q->table,
                        *name_hint(r->s, q->table, false, hint, sizeof hint) ? hint : ".");
        }
        const char *ref = q->op == OP_JOIN ? q->right : q->op == OP_UNION ? q->table : NULL;
        if (ref && scenario_table(r->s, ref) == NULL && scenario_view(r->s, ref) == NULL)
            return fail(r, q->line,
                        "step %zu (%s) of %s names '%s', which is neither a table "
                        "nor a view%s",
                        i + 1, op_names[q->op], owner, ref,
                        *name_hint(r->s, ref, true, hint, sizeof hint) ? hint : ".");
    }
    return 0;
}

/* ----------------------------------------------------------------- views */

/* Depth-first search over views through join/union references. color: 0
 * unvisited, 1 on the current path, 2 done. path holds the views on the
 * current path, so that a cycle can be printed. */
static int view_dfs(struct reader *r, size_t v, int *color, size_t *path, size_t depth)
{
    const struct view_spec *view = &r->s->views[v];
    color[v] = 1;
    path[depth] = v;
    for (size_t i = 0; i < view->n_steps; i++) {
        const struct query_step *q = &view->steps[i];
        const char *ref = q->op == OP_JOIN ? q->right : q->op == OP_UNION ? q->table : NULL;
        const struct view_spec *target = ref ? scenario_view(r->s, ref) : NULL;
        if (target == NULL)
            continue;
        size_t t = (size_t)(target - r->s->views);
        if (color[t] == 1) {
            if (t == v)
                return fail(r, q->line, "view '%s' refers to itself (step %zu, %s).", view->name,
                            i + 1, op_names[q->op]);
            char chain[512];
            size_t used = 0;
            size_t start = depth;
            while (path[start] != t)
                start--;
            chain[0] = '\0';
            for (size_t k = start; k <= depth && used < sizeof chain; k++)
                used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ",
                                         r->s->views[path[k]].name);
            if (used < sizeof chain)
                snprintf(chain + used, sizeof chain - used, "%s", r->s->views[t].name);
            return fail(r, q->line, "views %s form a cycle through their joins and unions.", chain);
        }
        if (color[t] == 0 && view_dfs(r, t, color, path, depth + 1) != 0)
            return -1;
    }
    color[v] = 2;
    return 0;
}

static int read_views(struct reader *r, const config_setting_t *g)
{
    size_t n = (size_t)config_setting_length(g);
    if (n == 0)
        return 0;
    r->s->views = calloc(n, sizeof *r->s->views);
    if (r->s->views == NULL)
        return fail_nomem(r, line_of(g));
    r->s->n_views = n;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        struct view_spec *v = &r->s->views[i];
        v->line = line_of(m);
        v->name = strdup(config_setting_name(m));
        if (v->name == NULL)
            return fail_nomem(r, v->line);
        if (config_setting_type(m) != CONFIG_TYPE_LIST)
            return wrong_type(r, m, "views", "a list of steps ( { op = \"scan\"; ... }, ... )");
        char owner[160];
        snprintf(owner, sizeof owner, "view '%s'", v->name);
        if (read_steps(r, m, owner, true, &v->steps, &v->n_steps) != 0)
            return -1;
    }
    return 0;
}

static int check_views(struct reader *r)
{
    struct scenario *s = r->s;
    for (size_t i = 0; i < s->n_views; i++) {
        char owner[160];
        snprintf(owner, sizeof owner, "view '%s'", s->views[i].name);
        if (scenario_table(s, s->views[i].name))
            return fail(r, s->views[i].line,
                        "view '%s' has the name of a table (line %d); give it another name.",
                        s->views[i].name, scenario_table(s, s->views[i].name)->line);
        if (resolve_steps(r, s->views[i].steps, s->views[i].n_steps, owner) != 0)
            return -1;
    }
    if (s->n_views == 0)
        return 0;
    int *color = calloc(s->n_views, sizeof *color);
    size_t *path = calloc(s->n_views, sizeof *path);
    int rc = 0;
    if (color == NULL || path == NULL)
        rc = fail_nomem(r, 0);
    for (size_t i = 0; i < s->n_views && rc == 0; i++)
        if (color[i] == 0)
            rc = view_dfs(r, i, color, path, 0);
    free(color);
    free(path);
    return rc;
}

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
static int read_task_seconds(struct reader *r, const config_setting_t *st, const char *stage,
                             struct dist *out)
{
    if (is_number(st)) {
        double v = number_of(st);
        if (!(v >= 0.0) || !isfinite(v))
            return fail(r, line_of(st), "'task_seconds' in %s must not be negative, not %g.", stage,
                        v);
        *out = dist_fixed(v);
        return 0;
    }
    if (config_setting_type(st) != CONFIG_TYPE_GROUP)
        return wrong_type(r, st, stage,
                          "a number of seconds or a group such as { dist = \"lognormal\"; "
                          "median = 2.0; sigma = 0.3; }");
    char where[256];
    snprintf(where, sizeof where, "task_seconds of %s", stage);
    const char *name;
    int line = 0;
    if (get_str(r, st, where, "dist", true, &name, &line) < 0)
        return -1;
    enum dist_kind kind;
    if (dist_kind_parse(name, &kind) != 0)
        return fail(r, line,
                    "'dist' in %s must be one of fixed, normal, lognormal, uniform, "
                    "exponential, not \"%s\".",
                    where, name);
    snprintf(where, sizeof where, "task_seconds of %s (dist \"%s\")", stage, name);
    if (check_group(r, st, where, "jobs[].stages[].task_seconds", dist_kind_name(kind)) != 0)
        return -1;
    double p1 = 0.0, p2 = 0.0;
    const double inf = INFINITY;
    switch (kind) {
    case DIST_FIXED:
        if (get_number(r, st, where, "value", true, 0, false, inf, &p1) < 0)
            return -1;
        break;
    case DIST_NORMAL:
        if (get_number(r, st, where, "mean", true, 0, false, inf, &p1) < 0 ||
            get_number(r, st, where, "stddev", true, 0, false, inf, &p2) < 0)
            return -1;
        break;
    case DIST_LOGNORMAL: {
        /* The median is what people read off a Spark UI; mu = log(median). */
        double median = NAN;
        int has_median = get_number(r, st, where, "median", false, 0, true, inf, &median);
        int has_mu = get_number(r, st, where, "mu", false, -inf, false, inf, &p1);
        if (has_median < 0 || has_mu < 0)
            return -1;
        if (has_median && has_mu)
            return fail(r, line_of(st), "%s gives both 'median' and 'mu'; give one.", where);
        if (!has_median && !has_mu)
            return fail(r, line_of(st), "%s is missing the required key 'median' (or 'mu').",
                        where);
        if (has_median)
            p1 = log(median);
        if (get_number(r, st, where, "sigma", true, 0, false, inf, &p2) < 0)
            return -1;
        break;
    }
    case DIST_UNIFORM:
        if (get_number(r, st, where, "min", true, 0, false, inf, &p1) < 0 ||
            get_number(r, st, where, "max", true, 0, false, inf, &p2) < 0)
            return -1;
        break;
    case DIST_EXPONENTIAL:
        if (get_number(r, st, where, "mean", true, 0, true, inf, &p1) < 0)
            return -1;
        break;
    }
    out->kind = kind;
    out->p1 = p1;
    out->p2 = p2;
    const char *why = dist_check(out);
    if (why)
        return fail(r, line_of(st), "%s: %s.", where, why);
    return 0;
}

static int read_parents(struct reader *r, const config_setting_t *st, const char *stage,
                        struct stage_spec *sp)
{
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return wrong_type(r, st, stage, "an array of stage ids such as [0, 1]");
    size_t n = (size_t)config_setting_length(st);
    if (n == 0)
        return 0;
    sp->parents = calloc(n, sizeof *sp->parents);
    if (sp->parents == NULL)
        return fail_nomem(r, sp->parents_line);
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        if (!is_int(e)) {
            char got[96];
            return fail(r, line_of(e), "'parents' in %s must hold stage ids; item %zu is %s.",
                        stage, i + 1, describe(e, got, sizeof got));
        }
        int64_t id = config_setting_get_int64(e);
        if (id < 0)
            return fail(r, line_of(e), "'parents' in %s holds %lld; stage ids are not negative.",
                        stage, (long long)id);
        if (id == sp->id)
            return fail(r, line_of(e), "%s lists itself as its own parent.", stage);
        for (size_t j = 0; j < i; j++)
            if (sp->parents[j] == id)
                return fail(r, line_of(e), "'parents' in %s lists stage %lld twice.", stage,
                            (long long)id);
        sp->parents[i] = id;
        sp->n_parents = i + 1;
    }
    return 0;
}

static int read_stage(struct reader *r, const config_setting_t *g, const char *job, size_t index,
                      struct stage_spec *sp)
{
    char where[224];
    sp->line = sp->parents_line = line_of(g);
    sp->input_bytes = sp->records = sp->shuffle_read_bytes = sp->shuffle_write_bytes = -1;
    sp->output_bytes = sp->memory_bytes = sp->cache_bytes = -1;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return fail(r, sp->line,
                    "stage %zu of job '%s' must be a group such as { id = 0; tasks = 8; "
                    "task_seconds = 1.0; }, not %s.",
                    index + 1, job, describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "stage %zu of job '%s'", index + 1, job);
    if (check_group(r, g, where, "jobs[].stages[]", NULL) != 0 ||
        get_int(r, g, where, "id", true, 0, INT64_MAX, false, &sp->id) < 0)
        return -1;
    snprintf(where, sizeof where, "stage %lld of job '%s'", (long long)sp->id, job);
    int tasks_given = 0;

    if (get_str_copy(r, g, where, "name", false, &sp->name) < 0 ||
        (tasks_given = get_int(r, g, where, "tasks", false, 1, SCN_MAX_TASKS_PER_STAGE, true,
                               &sp->tasks)) < 0)
        return -1;

    config_setting_t *st = config_setting_get_member(g, "parents");
    if (st) {
        sp->parents_line = line_of(st);
        if (read_parents(r, st, where, sp) != 0)
            return -1;
    }
    st = config_setting_get_member(g, "task_seconds");
    if (st && (config_setting_type(st) == CONFIG_TYPE_ARRAY ||
               config_setting_type(st) == CONFIG_TYPE_LIST)) {
        /* One time per task, in task order (as an event log records them). */
        int n = config_setting_length(st);
        if (!tasks_given)
            return fail(r, line_of(st), "%s lists one time per task, so it must give 'tasks'.",
                        where);
        if ((int64_t)n != sp->tasks)
            return fail(r, line_of(st),
                        "'task_seconds' in %s lists %d times but the stage has %lld tasks.",
                        where, n, (long long)sp->tasks);
        sp->task_seconds_list = malloc((size_t)n * sizeof(double));
        if (!sp->task_seconds_list)
            return fail_nomem(r, line_of(st));
        for (int i = 0; i < n; i++) {
            const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
            double v = is_number(e) ? number_of(e) : NAN;
            if (!(v >= 0.0) || !isfinite(v))
                return fail(r, line_of(st),
                            "'task_seconds' in %s must list numbers >= 0; item %d is not.",
                            where, i + 1);
            sp->task_seconds_list[i] = v;
        }
        sp->task_seconds = dist_fixed(0.0);
        sp->has_task_seconds = true;
    } else if (st) {
        if (read_task_seconds(r, st, where, &sp->task_seconds) != 0)
            return -1;
        sp->has_task_seconds = true;
    }
    int has_data = 0;
    int rc;
    if ((rc = get_size(r, g, where, "input_bytes", &sp->input_bytes)) < 0)
        return -1;
    has_data |= rc;
    if ((rc = get_size(r, g, where, "records", &sp->records)) < 0)
        return -1;
    has_data |= rc;
    if ((rc = get_size(r, g, where, "shuffle_read_bytes", &sp->shuffle_read_bytes)) < 0)
        return -1;
    has_data |= rc;
    if ((rc = get_size(r, g, where, "shuffle_write_bytes", &sp->shuffle_write_bytes)) < 0)
        return -1;
    has_data |= rc;
    if ((rc = get_size(r, g, where, "output_bytes", &sp->output_bytes)) < 0)
        return -1;
    has_data |= rc;
    if (get_number(r, g, where, "driver_s", false, 0, false, INFINITY, &sp->driver_s) < 0)
        return -1;
    if (get_size(r, g, where, "memory_bytes", &sp->memory_bytes) < 0)
        return -1;
    /* Bytes the stage's tasks cache (df.cache() materialized by this stage):
     * they hold storage memory on the executors that ran them. */
    if (get_size(r, g, where, "cache_bytes", &sp->cache_bytes) < 0)
        return -1;

    if (!tasks_given) {
        /* As Spark sizes a stage: a shuffle's reduce side has
         * spark.sql.shuffle.partitions tasks; a scan has one task per
         * spark.sql.files.maxPartitionBytes of input (the planner applies
         * Spark's full split rule; this is its first-order form). */
        if (sp->shuffle_read_bytes >= 0) {
            sp->tasks = spark_conf_int(&r->s->spark, "spark.sql.shuffle.partitions");
        } else if (sp->input_bytes > 0) {
            int64_t split = spark_conf_bytes(&r->s->spark, "spark.sql.files.maxPartitionBytes");
            if (split < 1)
                split = 1;
            sp->tasks = (sp->input_bytes + split - 1) / split;
        } else {
            return fail(r, sp->line,
                        "%s is missing the required key 'tasks' (it may be left out only when "
                        "the stage gives shuffle_read_bytes or input_bytes).",
                        where);
        }
        if (sp->tasks < 1)
            sp->tasks = 1;
        if (sp->tasks > SCN_MAX_TASKS_PER_STAGE)
            return fail_status(r, SC_ELIMIT, sp->line,
                               "%s would have %lld tasks, more than the %lld stagecast accepts.",
                               where, (long long)sp->tasks, (long long)SCN_MAX_TASKS_PER_STAGE);
        sp->tasks_derived = true;
    }

    int kernel = 0;
    const char *kernel_names[OPK_COUNT + 1];
    stage_kernel_names(kernel_names);
    rc = get_choice(r, g, where, "kernel", false, kernel_names, false, &kernel);
    if (rc < 0)
        return -1;
    if (rc > 0 && (sp->kernel = strdup(kernel_names[kernel])) == NULL)
        return fail_nomem(r, sp->line);

    if (!sp->has_task_seconds && !has_data)
        return fail(r, sp->line,
                    "%s gives neither 'task_seconds' nor any data ('input_bytes', 'records', "
                    "'shuffle_read_bytes', 'shuffle_write_bytes' or 'output_bytes'), so its "
                    "tasks would take no time.",
                    where);

    if (sp->tasks > SCN_MAX_TOTAL_TASKS - r->total_tasks)
        return fail_status(r, SC_ELIMIT, sp->line,
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
        rc = fail_nomem(r, job->line);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        refs[i].id = job->stages[i].id;
        refs[i].index = i;
    }
    qsort(refs, n, sizeof *refs, cmp_stage_ref);
    for (size_t i = 1; i < n; i++)
        if (refs[i].id == refs[i - 1].id) {
            rc = fail(r, job->stages[refs[i].index].line,
                      "job '%s' has two stages with id %lld (the first at line %d).", job->name,
                      (long long)refs[i].id, job->stages[refs[i - 1].index].line);
            goto out;
        }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct stage_spec *sp = &job->stages[i];
        for (size_t p = 0; p < sp->n_parents; p++)
            if (find_stage(refs, n, sp->parents[p]) < 0) {
                rc = fail(r, sp->parents_line,
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
                rc = fail(r, sp->parents_line,
                          "stages %s form a cycle in their parents (job '%s').", chain, job->name);
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

static void stage_free(struct stage_spec *sp)
{
    free(sp->name);
    free(sp->parents);
    free(sp->task_seconds_list);
    free(sp->kernel);

}

static int read_job(struct reader *r, const config_setting_t *g, size_t index, struct job_spec *job)
{
    char where[160];
    job->line = line_of(g);
    job->submit_s = NAN;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return fail(r, job->line,
                    "job %zu must be a group such as { name = \"etl\"; query = (...); }, not %s.",
                    index + 1, describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "job %zu", index + 1);
    if (check_group(r, g, where, "jobs[]", NULL) != 0 ||
        get_str_copy(r, g, where, "name", true, &job->name) < 0)
        return -1;
    snprintf(where, sizeof where, "job '%s'", job->name);
    if (get_number(r, g, where, "submit_s", false, 0, false, INFINITY, &job->submit_s) < 0 ||
        get_number(r, g, where, "gap_s", false, 0, false, INFINITY, &job->gap_s) < 0 ||
        get_number(r, g, where, "driver_s", false, 0, false, INFINITY, &job->driver_s) < 0 ||
        get_bool(r, g, where, "concurrent", &job->concurrent) < 0 ||
        get_str_copy(r, g, where, "pool", false, &job->pool) < 0)
        return -1;

    config_setting_t *stages = config_setting_get_member(g, "stages");
    config_setting_t *query = config_setting_get_member(g, "query");
    if (stages && query)
        return fail(r, line_of(query), "%s gives both 'stages' and 'query'; give one of them.",
                    where);
    if (!stages && !query)
        return fail(r, job->line, "%s needs either 'stages' or 'query'.", where);
    if (query)
        return read_steps(r, query, where, false, &job->query, &job->n_query);

    if (config_setting_type(stages) != CONFIG_TYPE_LIST)
        return wrong_type(r, stages, where, "a list of stages ( { id = 0; ... }, ... )");
    size_t n = (size_t)config_setting_length(stages);
    if (n == 0)
        return fail(r, line_of(stages), "'stages' in %s is empty.", where);
    if (n > SCN_MAX_STAGES_PER_JOB)
        return fail_status(r, SC_ELIMIT, line_of(stages),
                           "%s has %zu stages, more than the %d stagecast accepts.", where, n,
                           SCN_MAX_STAGES_PER_JOB);
    job->stages = calloc(n, sizeof *job->stages);
    if (job->stages == NULL)
        return fail_nomem(r, line_of(stages));
    job->n_stages = n;
    for (size_t i = 0; i < n; i++)
        if (read_stage(r, config_setting_get_elem(stages, (unsigned)i), job->name, i,
                       &job->stages[i]) != 0)
            return -1;
    return check_stage_graph(r, job);
}

static int read_jobs(struct reader *r, const config_setting_t *list)
{
    struct scenario *s = r->s;
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return fail(r, line_of(list), "'jobs' is empty; a scenario needs at least one job.");
    if (n > SCN_MAX_JOBS)
        return fail_status(r, SC_ELIMIT, line_of(list),
                           "the scenario has %zu jobs, more than the %d stagecast accepts.", n,
                           SCN_MAX_JOBS);
    s->jobs = calloc(n, sizeof *s->jobs);
    if (s->jobs == NULL)
        return fail_nomem(r, line_of(list));
    s->n_jobs = n;
    for (size_t i = 0; i < n; i++) {
        struct job_spec *job = &s->jobs[i];
        if (read_job(r, config_setting_get_elem(list, (unsigned)i), i, job) != 0)
            return -1;
        /* A linear scan: names are compared once per job pair, and a
         * scenario with enough jobs for that to matter is not written by hand. */
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->jobs[j].name, job->name) == 0)
                return fail(r, job->line, "two jobs are named '%s' (the first at line %d).",
                            job->name, s->jobs[j].line);
    }
    return 0;
}

/* ----------------------------------------------------------------- pools */

static int read_pools(struct reader *r, const config_setting_t *list)
{
    static const char *const modes[] = {"FIFO", "FAIR", NULL};
    struct scenario *s = r->s;
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return 0;
    s->pools = calloc(n, sizeof *s->pools);
    if (s->pools == NULL)
        return fail_nomem(r, line_of(list));
    s->n_pools = n;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        struct pool_spec *p = &s->pools[i];
        p->line = line_of(g);
        p->weight = 1;
        char where[160];
        snprintf(where, sizeof where, "pool %zu", i + 1);
        if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
            char got[96];
            return fail(r, p->line,
                        "pool %zu must be a group such as { name = \"etl\"; mode = \"FAIR\"; }, "
                        "not %s.",
                        i + 1, describe(g, got, sizeof got));
        }
        if (check_group(r, g, where, "pools[]", NULL) != 0 ||
            get_str_copy(r, g, where, "name", true, &p->name) < 0)
            return -1;
        snprintf(where, sizeof where, "pool '%s'", p->name);
        /* Spark reads schedulingMode case-insensitively (FairSchedulableBuilder). */
        int mode = SCHED_FIFO;
        int64_t weight = 1, min_share = 0;
        if (get_choice(r, g, where, "mode", false, modes, true, &mode) < 0 ||
            get_int(r, g, where, "weight", false, 1, INT_MAX, false, &weight) < 0 ||
            get_int(r, g, where, "min_share", false, 0, INT_MAX, false, &min_share) < 0)
            return -1;
        p->mode = (enum sched_mode)mode;
        p->weight = (int)weight;
        p->min_share = (int)min_share;
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->pools[j].name, p->name) == 0)
                return fail(r, p->line, "two pools are named '%s' (the first at line %d).", p->name,
                            s->pools[j].line);
    }
    return 0;
}

/* ------------------------------------------------------------------ root */

static int read_tables(struct reader *r, const config_setting_t *g)
{
    size_t n = (size_t)config_setting_length(g);
    if (n == 0)
        return 0;
    r->s->tables = calloc(n, sizeof *r->s->tables);
    if (r->s->tables == NULL)
        return fail_nomem(r, line_of(g));
    r->s->n_tables = n;
    /* libconfig already refuses two settings of one name in a group, so
     * table names are unique here. */
    for (size_t i = 0; i < n; i++)
        if (read_table(r, config_setting_get_elem(g, (unsigned)i), &r->s->tables[i]) != 0)
            return -1;
    return 0;
}

/* model.host_acu, model.overhead = { <class> = factor; ... } and
 * model.calibration = { rows = [...]; repetitions = N; } (sim/calib/calibrate.h). */
static int read_model_calibration(struct reader *r, const config_setting_t *model)
{
    struct model_spec *m = &r->s->model;
    if (get_number(r, model, "model", "host_acu", false, 0, true, 1e6, &m->host_acu) < 0)
        return -1;
    config_setting_t *g;
    int rc = get_aggregate(r, model, "model", "overhead", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        const char *names[CALIB_N_CLASSES + 1];
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            names[c] = calib_class_name((enum calib_class)c);
        names[CALIB_N_CLASSES] = NULL;
        if (check_keys(r, g, "model.overhead", names) != 0)
            return -1;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (get_number(r, g, "model.overhead", names[c], false, 0, true, 1e4,
                           &m->overhead[c]) < 0)
                return -1;
    }
    rc = get_aggregate(r, model, "model", "calibration", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        int64_t reps = 0;
        if (check_group(r, g, "model.calibration", "model.calibration", NULL) != 0 ||
            get_int(r, g, "model.calibration", "repetitions", false, 1, 101, true, &reps) < 0)
            return -1;
        m->calib_repetitions = (int)reps;
        config_setting_t *rows = config_setting_get_member(g, "rows");
        if (rows) {
            int type = config_setting_type(rows);
            size_t n = (size_t)config_setting_length(rows);
            if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || n < 3 ||
                n > sizeof m->calib_rows / sizeof m->calib_rows[0])
                return fail(r, line_of(rows),
                            "'rows' in model.calibration must be an array of 3 to 16 sample "
                            "sizes such as [16384, 65536, 262144].");
            for (size_t i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(rows, (unsigned)i);
                if (!is_int(e) || config_setting_get_int64(e) < 16 ||
                    config_setting_get_int64(e) > 16777216)
                    return fail(r, line_of(e),
                                "'rows' in model.calibration holds sample sizes from 16 to "
                                "16777216 rows; item %zu is not one.",
                                i + 1);
                m->calib_rows[i] = config_setting_get_int64(e);
            }
            m->n_calib_rows = n;
        }
    }
    return 0;
}

static int read_root(struct reader *r, const config_setting_t *root)
{
    struct scenario *s = r->s;
    const char *where = "the scenario";
    if (check_group(r, root, where, "", NULL) != 0 ||
        get_str_copy(r, root, where, "name", true, &s->name) < 0)
        return -1;
    int64_t seed = 1;
    if (get_int(r, root, where, "seed", false, 0, INT64_MAX, false, &seed) < 0)
        return -1;
    s->seed = (uint64_t)seed;

    config_setting_t *g;
    if (get_aggregate(r, root, where, "cluster", true, CONFIG_TYPE_GROUP, &g) < 0 ||
        read_cluster(r, g) != 0)
        return -1;

    int rc = get_aggregate(r, root, where, "spark", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && read_spark_group(r, g, "spark") != 0))
        return -1;

    rc = get_aggregate(r, root, where, "model", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        double ms = NAN, qms = NAN;
        int64_t slow = -1;
        s->model.line = line_of(g);
        if (check_group(r, g, "model", "model", NULL) != 0 ||
            get_number(r, g, "model", "task_launch_ms", false, 0, false, INFINITY, &ms) < 0 ||
            get_number(r, g, "model", "network_quantum_ms", false, 0, false, INFINITY, &qms) < 0 ||
            get_number(r, g, "model", "noise_sigma", false, 0, false, 10.0, &s->model.noise_sigma) <
                0 ||
            get_int(r, g, "model", "slow_worker", false, 0, SCN_MAX_WORKERS, false, &slow) < 0 ||
            get_number(r, g, "model", "slow_factor", false, 0, true, INFINITY,
                       &s->model.slow_factor) < 0)
            return -1;
        if (read_model_calibration(r, g) != 0)
            return -1;
        s->model.slow_worker = (int)slow;
        s->model.task_launch_s = ms / 1000.0;
        s->model.network_quantum_s = qms / 1000.0;
    }

    rc = get_aggregate(r, root, where, "tables", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && read_tables(r, g) != 0))
        return -1;
    rc = get_aggregate(r, root, where, "views", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && read_views(r, g) != 0))
        return -1;
    /* Views may name views defined later in the file: resolve once all are read. */
    if (check_views(r) != 0)
        return -1;

    if (get_aggregate(r, root, where, "jobs", true, CONFIG_TYPE_LIST, &g) < 0 ||
        read_jobs(r, g) != 0)
        return -1;
    for (size_t i = 0; i < s->n_jobs; i++) {
        char owner[160];
        snprintf(owner, sizeof owner, "job '%s'", s->jobs[i].name);
        if (resolve_steps(r, s->jobs[i].query, s->jobs[i].n_query, owner) != 0)
            return -1;
    }

    rc = get_aggregate(r, root, where, "pools", false, CONFIG_TYPE_LIST, &g);
    if (rc < 0 || (rc > 0 && read_pools(r, g) != 0))
        return -1;
    return 0;
}

/* A scenario with every "not given" marker in place, before reading. */
static struct scenario *scenario_new(const char *path)
{
    struct scenario *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->file = strdup(path);
    if (s->file == NULL) {
        free(s);
        return NULL;
    }
    s->seed = 1;
    s->cluster.platform = PLATFORM_DATABRICKS;
    s->cluster.pricing = PRICING_JOBS;
    s->cluster.tier = TIER_PREMIUM;
    s->cluster.startup_s = NAN;
    s->cluster.storage_egress_gbps = s->cluster.storage_ingress_gbps = NAN;
    s->cluster.network_limit_gbps = s->cluster.local_disk_mbps = NAN;
    s->cluster.idle_after_s = NAN;
    s->cluster.spot_evictions_per_hour = 0.0;
    s->cluster.spot_usd_per_hour = s->cluster.spot_discount = NAN;
    s->cluster.spot_evict_at_s = NAN;
    s->cluster.autoscale_policy = -1;
    s->cluster.autoscale_provision_s = s->cluster.autoscale_interval_s = NAN;
    s->cluster.autoscale_idle_s = NAN;
    struct price_override *p = &s->cluster.price;
    p->worker_usd_per_hour = p->driver_usd_per_hour = NAN;
    p->worker_dbu_per_hour = p->driver_dbu_per_hour = NAN;
    p->usd_per_dbu = p->usd_per_vcore_hour = NAN;
    s->model.task_launch_s = NAN;
    s->model.network_quantum_s = NAN;
    s->model.noise_sigma = NAN;
    s->model.slow_worker = -1;
    s->model.slow_factor = 1.0;
    s->model.host_acu = NAN;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        s->model.overhead[c] = NAN;
    spark_conf_init(&s->spark);
    return s;
}

/* Applies one "dotted.path=value" override to the parsed file: groups on
 * the path are created as needed, the last name is replaced. The value's
 * type is read from its text: an integer, a number, true/false, or a string
 * (quotes optional). */
static int apply_override(config_t *cfg, const char *path, const char *text, struct diag *d)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return diag_set(d, SC_EINPUT, path, 0,
                        "--set needs key=value (e.g. cluster.workers=8), not '%s'", text),
               -1;
    char key[512];
    size_t klen = (size_t)(eq - text);
    if (klen >= sizeof key)
        return diag_set(d, SC_EINPUT, path, 0, "--set key is too long: '%s'", text), -1;
    memcpy(key, text, klen);
    key[klen] = '\0';
    const char *value = eq + 1;
    config_setting_t *cur = config_root_setting(cfg);
    char *save = NULL;
    char *part = strtok_r(key, ".", &save);
    while (part) {
        char *next = strtok_r(NULL, ".", &save);
        config_setting_t *child;
        if (config_setting_type(cur) == CONFIG_TYPE_LIST) {
            /* A list element by its 0-based index: jobs.0.query.1.salt. */
            char *end;
            long idx = strtol(part, &end, 10);
            child = *part && !*end && idx >= 0 ? config_setting_get_elem(cur, (unsigned)idx) : NULL;
            if (!child || !next)
                return diag_set(d, SC_EINPUT, path, 0,
                                "--set %.*s: '%s' is not an element of the list (its items "
                                "count from 0) followed by a setting",
                                (int)klen, text, part),
                       -1;
        } else {
            child = config_setting_get_member(cur, part);
        }
        if (next) {
            if (!child)
                child = config_setting_add(cur, part, CONFIG_TYPE_GROUP);
            if (!child || (config_setting_type(child) != CONFIG_TYPE_GROUP &&
                           config_setting_type(child) != CONFIG_TYPE_LIST))
                return diag_set(d, SC_EINPUT, path, 0,
                                "--set %.*s: '%s' is not a group of settings", (int)klen, text,
                                part),
                       -1;
            cur = child;
        } else {
            if (child)
                config_setting_remove(cur, part);
            char *end;
            errno = 0;
            long long iv = strtoll(value, &end, 10);
            config_setting_t *set = NULL;
            if (*value && !*end && errno == 0) {
                if ((set = config_setting_add(cur, part, CONFIG_TYPE_INT64)))
                    config_setting_set_int64(set, iv);
            } else {
                double dv = strtod(value, &end);
                if (*value && !*end) {
                    if ((set = config_setting_add(cur, part, CONFIG_TYPE_FLOAT)))
                        config_setting_set_float(set, dv);
                } else if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
                    if ((set = config_setting_add(cur, part, CONFIG_TYPE_BOOL)))
                        config_setting_set_bool(set, value[0] == 't');
                } else {
                    char buf[512];
                    size_t vlen = strlen(value);
                    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
                        value++;
                        vlen -= 2;
                    }
                    snprintf(buf, sizeof buf, "%.*s", (int)vlen, value);
                    if ((set = config_setting_add(cur, part, CONFIG_TYPE_STRING)))
                        config_setting_set_string(set, buf);
                }
            }
            if (!set)
                return diag_set(d, SC_EINPUT, path, 0, "--set %.*s: '%s' is not a valid name",
                                (int)klen, text, part),
                       -1;
        }
        part = next;
    }
    return 0;
}

/* The scenario cfg holds, named name in messages and in its `file`. With
 * text_path, the file cfg was read from is first checked for integer
 * literals libconfig truncated (an in-memory config has no text to check:
 * its builder chose each integer's width). */
static struct scenario *read_config(const config_t *cfg, const char *name, const char *text_path,
                                    struct diag *d)
{
    struct scenario *s = scenario_new(name);
    if (s == NULL) {
        diag_set(d, SC_ENOMEM, name, 0, "out of memory reading the scenario");
        return NULL;
    }
    struct reader r = {.file = name, .d = d, .s = s, .total_tasks = 0};
    struct diag scratch;
    if (d == NULL) {
        diag_clear(&scratch);
        r.d = &scratch;
    }
    int rc = text_path ? check_int_literals(&r, text_path) : 0;
    if (rc == 0)
        rc = read_root(&r, config_root_setting(cfg));
    if (rc != 0) {
        scenario_free(s);
        return NULL;
    }
    return s;
}

struct scenario *scenario_load(const char *path, struct diag *d)
{
    return scenario_load_with(path, NULL, 0, d);
}

struct scenario *scenario_load_with(const char *path, const char *const *overrides,
                                    size_t n_overrides, struct diag *d)
{
    if (path == NULL) {
        SC_BUG(d, "scenario_load called without a path");
        return NULL;
    }
    /* libconfig reports a missing file only as "file I/O error"; opening it
     * first gives the user the system's reason. */
    FILE *probe = fopen(path, "r");
    if (probe == NULL) {
        int err = errno;
        diag_set(d, err == ENOENT ? SC_ENOENT : SC_EIO, path, 0, "cannot open scenario: %s",
                 strerror(err));
        return NULL;
    }
    fclose(probe);

    config_t cfg;
    config_init(&cfg);
    /* @include paths are relative to the scenario's own directory. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        if (slash == dir)
            slash[1] = '\0'; /* "/x.cfg": the root directory */
        else
            *slash = '\0';
        config_set_include_dir(&cfg, dir);
    }
    if (!config_read_file(&cfg, path)) {
        const char *efile = config_error_file(&cfg);
        enum sc_status st = config_error_type(&cfg) == CONFIG_ERR_FILE_IO ? SC_EIO : SC_EINPUT;
        diag_set(d, st, efile ? efile : path, config_error_line(&cfg), "cannot parse scenario: %s",
                 config_error_text(&cfg));
        config_destroy(&cfg);
        return NULL;
    }
    for (size_t i = 0; i < n_overrides; i++)
        if (apply_override(&cfg, path, overrides[i], d) != 0) {
            config_destroy(&cfg);
            return NULL;
        }
    struct scenario *s = read_config(&cfg, path, path, d);
    config_destroy(&cfg);
    return s;
}

/* An override's value as apply_override would store a string: surrounding
 * quotes dropped; NULL when it would store a number or a boolean instead
 * (the reader then refuses it as the wrong type, in its own words). */
static const char *override_string(const char *value, char *buf, size_t size)
{
    char *end;
    errno = 0;
    (void)strtoll(value, &end, 10);
    if (*value && !*end)
        return NULL;
    (void)strtod(value, &end);
    if (*value && !*end)
        return NULL;
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
        return NULL;
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
        value++;
        len -= 2;
    }
    if (len >= size)
        return NULL;
    memcpy(buf, value, len);
    buf[len] = '\0';
    return buf;
}

int scenario_cluster_variant(const struct scenario *base, const char *const *overrides, size_t n,
                             struct scenario *out)
{
    struct cluster_spec c = base->cluster;
    bool worker_set = false;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(overrides[i], '=');
        if (!eq)
            return 0;
        size_t klen = (size_t)(eq - overrides[i]);
        const char *value = eq + 1;
        char buf[sizeof c.worker];
        /* An override replaces the setting: libconfig gives the new one no
         * line, so messages about it name the cluster group's. */
        if (klen == 14 && strncmp(overrides[i], "cluster.worker", 14) == 0) {
            const char *v = override_string(value, buf, sizeof buf);
            if (!v)
                return 0;
            memcpy(c.worker, v, strlen(v) + 1);
            c.worker_line = c.line;
            worker_set = true;
        } else if (klen == 14 && strncmp(overrides[i], "cluster.driver", 14) == 0) {
            const char *v = override_string(value, buf, sizeof buf);
            if (!v)
                return 0;
            memcpy(c.driver, v, strlen(v) + 1);
            c.driver_line = c.line;
            c.driver_given = true;
        } else if (klen == 15 && strncmp(overrides[i], "cluster.workers", 15) == 0) {
            /* With an autoscale group the reader checks workers against
             * its range: left to it. */
            char *end;
            errno = 0;
            long long v = strtoll(value, &end, 10);
            if (base->cluster.autoscale || !*value || *end || errno || v < 1 ||
                v > SCN_MAX_WORKERS)
                return 0;
            c.workers = v;
            c.workers_line = c.line;
        } else {
            return 0;
        }
    }
    if (worker_set && !c.driver_given) {
        memcpy(c.driver, c.worker, sizeof c.driver);
        c.driver_line = c.worker_line;
    }
    *out = *base;
    out->cluster = c;
    return 1;
}

struct scenario *scenario_from_config(const struct config_t *cfg, const char *name,
                                      struct diag *d)
{
    if (cfg == NULL || name == NULL) {
        SC_BUG(d, "scenario_from_config called without a config or a name");
        return NULL;
    }
    return read_config(cfg, name, NULL, d);
}

void scenario_free(struct scenario *s)
{
    if (s == NULL)
        return;
    free(s->file);
    free(s->name);
    free(s->cluster.executor_start_s);
    spark_conf_fini(&s->spark);
    for (size_t i = 0; i < s->n_tables; i++) {
        struct table_spec *t = &s->tables[i];
        free(t->name);
        free(t->format);
        for (size_t c = 0; c < t->n_columns; c++) {
            free(t->columns[c].name);
            strlist_free(&t->columns[c].values);
            free(t->columns[c].weights);
        }
        free(t->columns);
    }
    free(s->tables);
    for (size_t i = 0; i < s->n_views; i++) {
        free(s->views[i].name);
        for (size_t k = 0; k < s->views[i].n_steps; k++)
            step_free(&s->views[i].steps[k]);
        free(s->views[i].steps);
    }
    free(s->views);
    for (size_t i = 0; i < s->n_jobs; i++) {
        struct job_spec *job = &s->jobs[i];
        free(job->name);
        free(job->pool);
        for (size_t k = 0; k < job->n_stages; k++)
            stage_free(&job->stages[k]);
        free(job->stages);
        for (size_t k = 0; k < job->n_query; k++)
            step_free(&job->query[k]);
        free(job->query);
    }
    free(s->jobs);
    for (size_t i = 0; i < s->n_pools; i++)
        free(s->pools[i].name);
    free(s->pools);
    free(s);
}

const struct table_spec *scenario_table(const struct scenario *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_tables; i++)
        if (s->tables[i].name && strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    return NULL;
}

const struct view_spec *scenario_view(const struct scenario *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_views; i++)
        if (s->views[i].name && strcmp(s->views[i].name, name) == 0)
            return &s->views[i];
    return NULL;
}
