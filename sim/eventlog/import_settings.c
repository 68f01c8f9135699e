/*
 * import_settings.c — the log's Spark settings (its EnvironmentUpdate) in the
 * imported scenario: each key the scenario can hold, typed as the scenario
 * reader types it, and why the others are left out; and the few settings
 * the importer reads itself (spark.task.cpus, spark.locality.wait, memory
 * sizes), parsed with end and range checks, a value Spark would refuse
 * noted at its file:line with the default used instead. A step of
 * import_log (import_build.h).
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

#include "models/units.h"
#include "sim/input/sparkconf.h"

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
void import_bad_property(struct builder *b, const struct evlog_property *p, const char *want,
                         const char *instead)
{
    import_note(b, "%s:%d: %s = \"%.80s\" is not %s; %s is used instead", b->log->path, p->line,
                p->key, p->value, want, instead);
}

/* A whole decimal number in [lo, hi] with nothing after it (Spark's
 * SparkConf.getInt): true and *out, else false. */
bool import_parse_long(const char *text, long lo, long hi, long *out)
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
int import_task_cpus(struct builder *b)
{
    const struct evlog_property *p = evlog_property_find(b->log, "spark.task.cpus");
    long v;
    if (!p)
        return 1;
    if (import_parse_long(p->value, 1, 1000000, &v))
        return (int)v;
    import_bad_property(b, p, "a whole number of cores from 1", "1");
    return 1;
}

/* spark.locality.wait in ms: a bare number is ms, as Spark reads it, else a
 * duration ("3s", "500ms"); 3 s by default or when it is neither. */
int64_t import_locality_wait_ms(struct builder *b)
{
    const struct evlog_property *p = evlog_property_find(b->log, "spark.locality.wait");
    double wait_s = 3.0;
    double ms = p && is_bare_number(p->value) ? strtod(p->value, NULL) : NAN;
    if (ms >= 0.0 && ms < 1e12)
        wait_s = ms / 1000.0;
    else if (p && units_parse_duration(p->value, &wait_s) != 0) {
        wait_s = 3.0;
        import_bad_property(b, p, "a duration", "Spark's default 3s");
    }
    /* Checked: "99999999999999999999999d" parses, and llround of its ms is
     * undefined; clamped to 2^62 us it is just "forever". */
    return units_s_to_us(wait_s) / 1000;
}

/* A Spark memory setting in MiB: a bare number is MiB, as Spark reads it.
 * 0 when the log does not give it, or gives no size (with a note). */
int64_t import_memory_mib(struct builder *b, const char *key)
{
    const struct evlog_property *p = evlog_property_find(b->log, key);
    if (!p)
        return 0;
    long v;
    if (import_parse_long(p->value, LONG_MIN, LONG_MAX, &v))
        return v > 0 ? v : 0;
    int64_t bytes;
    if (units_parse_size(p->value, &bytes) != 0) {
        import_bad_property(b, p, "a size", "the default");
        return 0;
    }
    return bytes / (1024 * 1024);
}

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

/* A boolean the log does not set, as its Spark version had it by default
 * (comment says which), rather than stagecast's (3.x) default. */
static void add_version_default(struct builder *b, const char *key, bool on, const char *comment)
{
    struct import *im = b->im;
    for (size_t i = 0; i < im->n_settings; i++)
        if (strcmp(im->settings[i].key, key) == 0)
            return;
    struct import_setting *grown =
        realloc(im->settings, (im->n_settings + 1) * sizeof *im->settings);
    if (!grown) {
        b->oom = true;
        return;
    }
    im->settings = grown;
    struct import_setting *s = &im->settings[im->n_settings];
    memset(s, 0, sizeof *s);
    s->key = import_dup(b, key);
    s->text = import_dup(b, on ? "true" : "false");
    s->kind = IMPORT_BOOL;
    s->comment = comment;
    if (!s->key || !s->text)
        return;
    im->n_settings++;
    /* A setting of the log that is now also the group of this one is
     * written as its `enabled` or `value`. */
    size_t n = strlen(key);
    for (size_t i = 0; i + 1 < im->n_settings; i++) {
        size_t k = strlen(im->settings[i].key);
        if (k < n && key[k] == '.' && strncmp(key, im->settings[i].key, k) == 0)
            im->settings[i].as_enabled = true;
    }
}

/* spark.sql.adaptive.enabled: on from 3.2 (SPARK-33679; an unknown version
 * is taken as off), so that input_scale coalesces a shuffle only where AQE
 * ran. spark.locality.wait.legacyResetOnTaskLaunch, true before 3.1: Spark
 * reset the locality wait on every launch until SPARK-18886 made the new
 * rule the default in 3.1 (an unknown version is taken as 3.1 or later,
 * stagecast's default, and nothing is added). */
static void add_version_defaults(struct builder *b)
{
    const struct evlog *log = b->log;
    int major = log->version_major, minor = log->version_minor;
    bool aqe = major > 3 || (major == 3 && minor >= 2);
    add_version_default(b, "spark.sql.adaptive.enabled", aqe,
                        aqe ? "not in the log: its Spark version's default (on from 3.2)"
                            : "not in the log: its Spark version's default (off before 3.2)");
    if (major > 0 && (major < 3 || (major == 3 && minor < 1)))
        add_version_default(b, "spark.locality.wait.legacyResetOnTaskLaunch", true,
                            "not in the log: how its Spark version reset the locality wait (on "
                            "every launch before 3.1)");
}

void import_settings(struct builder *b)
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
            snprintf(sub, sizeof sub, "%s.%s", key,
                     known && known->type == SPARK_BOOL ? "enabled" : "value");
            if (!known) {
                skip_key(b, key, "both a value and the group of other settings");
                continue;
            }
            if (evlog_property(log, sub)) {
                skip_key(b, key, "both a value and a group that has its own 'enabled' or 'value'");
                continue;
            }
            enabled = true;
        }
        /* "<known boolean>.enabled" is read back as the boolean itself,
         * "<other known key>.value" as that key. */
        size_t klen = strlen(key);
        const char *suffix = klen > 8 && strcmp(key + klen - 8, ".enabled") == 0 ? ".enabled"
                             : klen > 6 && strcmp(key + klen - 6, ".value") == 0 ? ".value"
                                                                                 : NULL;
        if (!known && suffix) {
            char base[600];
            snprintf(base, sizeof base, "%.*s", (int)(klen - strlen(suffix)), key);
            const struct spark_key *bk = spark_key_find(base);
            if (bk && (bk->type == SPARK_BOOL) == (strcmp(suffix, ".enabled") == 0)) {
                skip_key(b, key, "would be read back as the setting it extends");
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
                if (set->i && strcmp(key, "spark.dynamicAllocation.enabled") == 0 &&
                    b->im->n_timeline) {
                    /* Kept: cluster.executors is what the allocation did,
                     * and a what-if that drops it allocates with these
                     * settings. */
                    comment = "true in the log: cluster.executors gives the executors it "
                              "allocated; a what-if without them allocates with these settings";
                } else if (set->i && strcmp(key, "spark.dynamicAllocation.enabled") == 0) {
                    /* The scenario gives the executors the run had; letting
                     * the simulator allocate them again would replay its
                     * allocation policy, not this run. */
                    snprintf(text, sizeof text, "false");
                    comment = "true in the log: the executors it had are given in cluster; "
                              "set true to have stagecast allocate them instead";
                    import_note(b, "the run used dynamic allocation; the scenario fixes the "
                                   "executors it had (spark.dynamicAllocation.enabled = false)");
                }
                break;
            default: break;
            }
        } else if (strlen(value) >= sizeof text) {
            /* Long values (classpaths, JVM options) are kept whole. */
            struct import_setting *s = &im->settings[im->n_settings];
            s->key = import_dup(b, key);
            s->text = import_dup(b, value);
            s->kind = IMPORT_STRING;
            if (s->key && s->text)
                im->n_settings++;
            continue;
        }
        struct import_setting *s = &im->settings[im->n_settings];
        s->key = import_dup(b, key);
        s->text = import_dup(b, text);
        s->kind = kind;
        s->as_enabled = enabled;
        s->comment = comment;
        if (s->key && s->text)
            im->n_settings++;
    }
    spark_conf_fini(&scratch);
    add_version_defaults(b);
    if (im->n_settings > 1)
        qsort(im->settings, im->n_settings, sizeof *im->settings, compare_settings);
}
