/*
 * scenario_read.c — how the scenario reader reports errors and reads typed
 * values. Every message names the file and the most specific line known; a
 * mistyped key gets a "did you mean"; every value is checked for its type and
 * range before the reader keeps it (a copy: libconfig's strings die with
 * config_destroy). The groups' readers (scenario_cluster.c and the others)
 * are built from these getters; scenario_internal.h states their contract.
 */
#include "sim/input/scenario_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/textdist.h"
#include "models/units.h"
#include "models/utf8.h"

/* ---------------------------------------------------------------- errors */

static void fail_va(struct reader *r, enum sc_status status, int line, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void fail_va(struct reader *r, enum sc_status status, int line, const char *fmt, va_list ap)
{
    char msg[sizeof r->d->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    diag_set(r->d, status, r->file, line, "%s", msg);
}

int scenario_fail_status(struct reader *r, enum sc_status status, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_va(r, status, line, fmt, ap);
    va_end(ap);
    return -1;
}

int scenario_fail(struct reader *r, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_va(r, SC_EINPUT, line, fmt, ap);
    va_end(ap);
    return -1;
}

int scenario_fail_nomem(struct reader *r, int line)
{
    return scenario_fail_status(r, SC_ENOMEM, line, "out of memory reading the scenario");
}

/* The line a setting came from; libconfig gives 0 for the root, so we climb
 * to the nearest ancestor that has one. */
int scenario_line_of(const config_setting_t *st)
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
const char *scenario_describe(const config_setting_t *st, char *buf, size_t size)
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

int scenario_wrong_type(struct reader *r, const config_setting_t *st, const char *where,
                        const char *expected)
{
    char got[96];
    return scenario_fail(r, scenario_line_of(st), "'%s' in %s must be %s, not %s.",
                         config_setting_name(st), where, expected,
                         scenario_describe(st, got, sizeof got));
}

/* ------------------------------------------------------ unknown-key check */

void scenario_join_names(const char *const *names, char *buf, size_t size)
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
int scenario_check_keys(struct reader *r, const config_setting_t *g, const char *where,
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
            return scenario_fail(r, scenario_line_of(m),
                                 "unknown key '%s' in %s; did you mean '%s'?", name, where, hint);
        char list[384];
        scenario_join_names(allowed, list, sizeof list);
        if (list[0] == '\0')
            return scenario_fail(r, scenario_line_of(m),
                                 "unknown key '%s' in %s, which takes no other keys.", name, where);
        return scenario_fail(r, scenario_line_of(m),
                             "unknown key '%s' in %s; the keys allowed here are: %s.", name, where,
                             list);
    }
    return 0;
}

/* ------------------------------------------------------- typed accessors */

/* Each getter returns 1 when the key is present and valid (out set), 0 when
 * it is absent and not required (out untouched), -1 on error (diag set). */

static int member(struct reader *r, const config_setting_t *g, const char *where, const char *key,
                  bool required, config_setting_t **out)
{
    *out = config_setting_get_member(g, key);
    /* A group with no line of its own (and a parent) was made by a --set
     * of one of its keys: the file's nearest line is not where the mistake
     * is, the command line is, and what it lacks is a sibling --set. */
    if (*out == NULL && required && config_setting_source_line(g) == 0 &&
        config_setting_parent(g) != NULL)
        return scenario_fail(r, 0,
                             "a --set made %s, which also needs '%s': add --set %s.%s=VALUE (or "
                             "write the group in the file).",
                             where, key, where, key);
    if (*out == NULL && required)
        return scenario_fail(r, scenario_line_of(g), "%s is missing the required key '%s'.", where,
                             key);
    return *out ? 1 : 0;
}

bool scenario_is_int(const config_setting_t *st)
{
    int t = config_setting_type(st);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

bool scenario_is_number(const config_setting_t *st)
{
    return scenario_is_int(st) || config_setting_type(st) == CONFIG_TYPE_FLOAT;
}

double scenario_number_of(const config_setting_t *st)
{
    return scenario_is_int(st) ? (double)config_setting_get_int64(st)
                               : config_setting_get_float(st);
}

/* Range errors: below the minimum is the user's mistake (SC_EINPUT), above
 * one of our limits is SC_ELIMIT. */
static int check_int_range(struct reader *r, const config_setting_t *st, const char *where,
                           int64_t v, int64_t lo, int64_t hi, bool hi_is_limit)
{
    const char *key = config_setting_name(st);
    if (v < lo) {
        if (lo == 0)
            return scenario_fail(r, scenario_line_of(st),
                                 "'%s' in %s must not be negative, not %lld.", key, where,
                                 (long long)v);
        return scenario_fail(r, scenario_line_of(st), "'%s' in %s must be at least %lld, not %lld.",
                             key, where, (long long)lo, (long long)v);
    }
    if (v > hi) {
        if (hi_is_limit)
            return scenario_fail_status(r, SC_ELIMIT, scenario_line_of(st),
                                        "'%s' in %s is %lld, more than the %lld stagecast accepts.",
                                        key, where, (long long)v, (long long)hi);
        return scenario_fail(r, scenario_line_of(st), "'%s' in %s must be at most %lld, not %lld.",
                             key, where, (long long)hi, (long long)v);
    }
    return 0;
}

int scenario_get_int(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, bool required, int64_t lo, int64_t hi, bool hi_is_limit,
                     int64_t *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    if (!scenario_is_int(st))
        return scenario_wrong_type(r, st, where, "an integer");
    int64_t v = config_setting_get_int64(st);
    if (check_int_range(r, st, where, v, lo, hi, hi_is_limit) != 0)
        return -1;
    *out = v;
    return 1;
}

/* A number in [lo, hi]; lo_open makes the lower bound exclusive. */
int scenario_get_number(struct reader *r, const config_setting_t *g, const char *where,
                        const char *key, bool required, double lo, bool lo_open, double hi,
                        double *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    if (!scenario_is_number(st))
        return scenario_wrong_type(r, st, where, "a number");
    double v = scenario_number_of(st);
    if (!isfinite(v))
        return scenario_fail(r, scenario_line_of(st), "'%s' in %s must be a finite number.", key,
                             where);
    if (lo_open ? !(v > lo) : !(v >= lo)) {
        if (lo == 0 && !lo_open)
            return scenario_fail(r, scenario_line_of(st),
                                 "'%s' in %s must not be negative, not %g.", key, where, v);
        return scenario_fail(r, scenario_line_of(st), "'%s' in %s must be %s %g, not %g.", key,
                             where, lo_open ? "greater than" : "at least", lo, v);
    }
    if (v > hi)
        return scenario_fail(r, scenario_line_of(st), "'%s' in %s must be at most %g%s, not %g.",
                             key, where, hi, hi == SCN_MAX_DURATION_S ? " s (about 115 days)" : "",
                             v);
    *out = v;
    return 1;
}

/* Text goes on into messages, terminals and the JSON report (which jansson
 * refuses to build from anything but UTF-8): a string that is not UTF-8 is an
 * input error at its line, with the offending byte. */
static int check_utf8(struct reader *r, const config_setting_t *st, const char *where,
                      const char *key, const char *v)
{
    long at = utf8_invalid_at(v);
    if (at < 0)
        return 0;
    return scenario_fail(r, scenario_line_of(st),
                         "'%s' in %s is not valid UTF-8: byte %ld of the string is 0x%02X; save "
                         "the file as UTF-8.",
                         key, where, at + 1, (unsigned)(unsigned char)v[at]);
}

int scenario_get_bool(struct reader *r, const config_setting_t *g, const char *where,
                      const char *key, bool *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, false, &st);
    if (rc <= 0)
        return rc;
    if (config_setting_type(st) != CONFIG_TYPE_BOOL)
        return scenario_wrong_type(r, st, where, "true or false");
    *out = config_setting_get_bool(st) != 0;
    return 1;
}

/* A string, borrowed from libconfig (valid until config_destroy). */
int scenario_get_str(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, bool required, const char **out, int *line)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    if (config_setting_type(st) != CONFIG_TYPE_STRING)
        return scenario_wrong_type(r, st, where, "a string");
    const char *v = config_setting_get_string(st);
    if (v[0] == '\0')
        return scenario_fail(r, scenario_line_of(st), "'%s' in %s must not be empty.", key, where);
    if (check_utf8(r, st, where, key, v) != 0)
        return -1;
    *out = v;
    if (line)
        *line = scenario_line_of(st);
    return 1;
}

/* A string, copied for the scenario to own. */
int scenario_get_str_copy(struct reader *r, const config_setting_t *g, const char *where,
                          const char *key, bool required, char **out)
{
    const char *v;
    int line = 0;
    int rc = scenario_get_str(r, g, where, key, required, &v, &line);
    if (rc <= 0)
        return rc;
    char *copy = strdup(v);
    if (copy == NULL)
        return scenario_fail_nomem(r, line);
    free(*out);
    *out = copy;
    return 1;
}

/* A string that must be one of choices (NULL-terminated); *index is set. */
int scenario_get_choice(struct reader *r, const config_setting_t *g, const char *where,
                        const char *key, bool required, const char *const *choices,
                        bool ignore_case, int *index)
{
    const char *v;
    int line = 0;
    int rc = scenario_get_str(r, g, where, key, required, &v, &line);
    if (rc <= 0)
        return rc;
    for (int i = 0; choices[i]; i++)
        if ((ignore_case ? strcasecmp(v, choices[i]) : strcmp(v, choices[i])) == 0) {
            *index = i;
            return 1;
        }
    char list[384];
    scenario_join_names(choices, list, sizeof list);
    const char *hint = textdist_closest(v, choices);
    if (hint)
        return scenario_fail(r, line,
                             "'%s' in %s must be one of %s, not \"%s\" (did you mean \"%s\"?).",
                             key, where, list, v, hint);
    return scenario_fail(r, line, "'%s' in %s must be one of %s, not \"%s\".", key, where, list, v);
}

/* "500GB" reads as 500 GiB, as Spark reads "500g": right, but not what
 * everyone means by GB. The first size written with KB, MB, GB, TB or PB
 * is said once, in s->size_note, with the bytes it became. */
static void note_decimal_unit(struct reader *r, int line, const char *key, const char *where,
                              const char *text, int64_t bytes)
{
    if (r->s->size_note[0])
        return;
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if (n < 3 || tolower((unsigned char)text[n - 1]) != 'b' ||
        !strchr("kmgtp", tolower((unsigned char)text[n - 2])))
        return;
    static const char *const bin[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    int pw = (int)(strchr("kmgtp", tolower((unsigned char)text[n - 2])) - "kmgtp");
    snprintf(r->s->size_note, sizeof r->s->size_note,
             "%s:%d: \"%s\" ('%s' in %s) is read as %.*s %s = %lld bytes: sizes are binary, as "
             "Spark reads them (\"500g\", \"500GB\" and \"500GiB\" are all 500 GiB)",
             r->file, line, text, key, where, (int)(n - 2), text, bin[pw], (long long)bytes);
}

/* A size (or a record count) up to SCN_MAX_BYTES: 1 and *out set, or -1. */
static int size_in_bound(struct reader *r, int line, const char *where, const char *key, int64_t v,
                         int64_t *out)
{
    if (v > SCN_MAX_BYTES)
        return scenario_fail(r, line, "'%s' in %s must be at most %lld (2^60, 1 EiB), not %lld.",
                             key, where, (long long)SCN_MAX_BYTES, (long long)v);
    *out = v;
    return 1;
}

/* A size in bytes: an integer, a number, or a string such as "4g". */
int scenario_get_size(struct reader *r, const config_setting_t *g, const char *where,
                      const char *key, int64_t *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, false, &st);
    if (rc <= 0)
        return rc;
    int line = scenario_line_of(st);
    if (scenario_is_int(st)) {
        int64_t v = config_setting_get_int64(st);
        if (v < 0)
            return scenario_fail(r, line, "'%s' in %s must not be negative, not %lld.", key, where,
                                 (long long)v);
        return size_in_bound(r, line, where, key, v, out);
    }
    if (config_setting_type(st) == CONFIG_TYPE_FLOAT) {
        double v = config_setting_get_float(st);
        if (!(v >= 0.0) || !(v < 9.2e18))
            return scenario_fail(r, line, "'%s' in %s must be a size from 0 bytes up, not %g.", key,
                                 where, v);
        return size_in_bound(r, line, where, key, llround(v), out);
    }
    if (config_setting_type(st) == CONFIG_TYPE_STRING) {
        const char *text = config_setting_get_string(st);
        int64_t v;
        if (units_parse_size(text, &v) != 0)
            return scenario_fail(r, line,
                                 "'%s' in %s must be a size such as \"64m\", \"4g\" or \"1.5t\", "
                                 "not \"%s\".",
                                 key, where, text);
        int ok = size_in_bound(r, line, where, key, v, out);
        if (ok == 1)
            note_decimal_unit(r, line, key, where, text, *out);
        return ok;
    }
    return scenario_wrong_type(r, st, where, "a size (bytes, or a string such as \"4g\")");
}

void scenario_strlist_free(struct strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* An array or list of non-empty strings. */
int scenario_get_strlist(struct reader *r, const config_setting_t *g, const char *where,
                         const char *key, bool required, bool nonempty, struct strlist *out)
{
    config_setting_t *st;
    int rc = member(r, g, where, key, required, &st);
    if (rc <= 0)
        return rc;
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, st, where, "a list of strings such as [\"a\", \"b\"]");
    int n = config_setting_length(st);
    if (n == 0) {
        if (nonempty)
            return scenario_fail(r, scenario_line_of(st), "'%s' in %s must not be empty.", key,
                                 where);
        return 1;
    }
    scenario_strlist_free(out);
    out->v = calloc((size_t)n, sizeof *out->v);
    if (out->v == NULL)
        return scenario_fail_nomem(r, scenario_line_of(st));
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING) {
            char got[96];
            return scenario_fail(r, scenario_line_of(e),
                                 "'%s' in %s must hold only strings; item %d is %s.", key, where,
                                 i + 1, scenario_describe(e, got, sizeof got));
        }
        const char *v = config_setting_get_string(e);
        if (v[0] == '\0')
            return scenario_fail(r, scenario_line_of(e),
                                 "'%s' in %s holds an empty string (item %d).", key, where, i + 1);
        if (check_utf8(r, e, where, key, v) != 0)
            return -1;
        out->v[i] = strdup(v);
        if (out->v[i] == NULL)
            return scenario_fail_nomem(r, scenario_line_of(e));
        out->n = (size_t)i + 1;
    }
    return 1;
}

/* A member that must be a group (or, with want_list, a list). */
int scenario_get_aggregate(struct reader *r, const config_setting_t *g, const char *where,
                           const char *key, bool required, int want_type, config_setting_t **out)
{
    int rc = member(r, g, where, key, required, out);
    if (rc <= 0)
        return rc;
    if (config_setting_type(*out) != want_type)
        return scenario_wrong_type(
            r, *out, where, want_type == CONFIG_TYPE_GROUP ? "a group { ... }" : "a list ( ... )");
    return 1;
}
