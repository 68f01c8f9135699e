/*
 * plan_stats.c — the planner's default statistics (see plan_stats.h). It
 * sits beside the planner: the planner asks, this answers from the table
 * schemas of the scenario, and calibration may later answer instead.
 *
 * What it knows:
 *  - distinct counts from the distributions: a sequence is unique, a zipf
 *    or categorical column has its values, a uniform integer column has its
 *    range, a `distinct` given in the scenario wins;
 *  - filter selectivity for comparisons of a column with a literal, from
 *    the column's distribution function (uniform, sequence, normal,
 *    lognormal; the weights of a categorical); IS [NOT] NULL from the null
 *    fraction; IN lists; `col % k = r`; AND as a product, OR as
 *    1 - prod(1 - s), NOT as 1 - s (predicates taken as independent);
 *  - groups: the product of the keys' distinct counts G, and of n rows
 *    drawn from G equally likely groups the expected number seen,
 *    G (1 - exp(-n / G)) (so few rows make few groups, many make G);
 *  - join rows as System R estimates an equi-join,
 *    |L| |R| / prod max(ndv_L, ndv_R), outer joins adding the unmatched rows
 *    of the preserved side under the containment assumption (the side with
 *    fewer key values finds all of them in the other).
 * Anything else takes the defaults in plan_stats.h.
 */
#include "sim/plan/plan_stats.h"

#include "models/civil.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/sbuf.h"
#include "sim/plan/plan_expr.h"

/* ---- estimates ---------------------------------------------------------- */

const char *plan_est_name(enum plan_est e)
{
    switch (e) {
    case PLAN_EST_NONE: return "-";
    case PLAN_EST_DISTRIBUTION: return "distribution";
    case PLAN_EST_MEASURED: return "measured";
    case PLAN_EST_DEFAULT: return "default";
    }
    return "-";
}

enum plan_est plan_est_worse(enum plan_est a, enum plan_est b)
{
    return a > b ? a : b;
}

char *plan_stats_key(const char *kind, const char *text, const struct plan_column *cols,
                     size_t n_cols)
{
    struct sbuf b = {0};
    sb_add(&b, "%s %s |", kind, text ? text : "");
    for (size_t i = 0; i < n_cols; i++) {
        const struct plan_column *c = &cols[i];
        if (text && !plan_expr_refers(text, c->name))
            continue;
        if (c->spec && c->table)
            sb_add(&b, " %s.%s", c->table, c->spec->name);
        else
            sb_add(&b, " %s=%s", c->name, c->expr ? c->expr : "?");
    }
    return sb_take(&b);
}

/* ---- columns ------------------------------------------------------------ */

double plan_stats_type_width(enum col_type t)
{
    switch (t) {
    case COL_INT32: return 4.0;
    case COL_INT64: return 8.0;
    case COL_DOUBLE: return 8.0;
    case COL_DATE: return 4.0;
    case COL_TIMESTAMP: return 8.0;
    case COL_BOOLEAN: return 1.0;
    case COL_STRING: return PLAN_STATS_STRING_BYTES;
    }
    return 8.0;
}

double plan_stats_column_width(const struct column_spec *c, double table_rows)
{
    if (c->type != COL_STRING)
        return plan_stats_type_width(c->type);
    if (c->dist != CDIST_CATEGORICAL || c->values.n == 0) {
        /* models/datagen.h: strings are "<column>_<n>". */
        double largest = table_rows;
        switch (c->dist) {
        case CDIST_UNIFORM: largest = fmax(fabs(c->min), fabs(c->max)); break;
        case CDIST_ZIPF: largest = (double)c->distinct; break;
        case CDIST_NORMAL: largest = fabs(c->mean) + 3.0 * c->stddev; break;
        case CDIST_LOGNORMAL: largest = exp(c->mu + c->sigma * c->sigma / 2.0); break;
        default: break;
        }
        if (c->distinct > 0 && c->dist == CDIST_SEQUENCE && (double)c->distinct < largest)
            largest = (double)c->distinct;
        double digits = largest >= 1.0 ? floor(log10(largest)) + 1.0 : 1.0;
        return (double)strlen(c->name) + 1.0 + digits;
    }
    double sum = 0.0, wsum = 0.0;
    for (size_t i = 0; i < c->values.n; i++) {
        double w = c->weights ? c->weights[i] : 1.0;
        sum += w * (double)strlen(c->values.v[i]);
        wsum += w;
    }
    return wsum > 0.0 ? sum / wsum : PLAN_STATS_STRING_BYTES;
}

static bool integral_type(enum col_type t)
{
    return t == COL_INT32 || t == COL_INT64 || t == COL_DATE || t == COL_TIMESTAMP;
}

double plan_stats_column_ndv(const struct column_spec *c, double table_rows)
{
    double ndv = table_rows;
    if (c->distinct > 0) {
        ndv = (double)c->distinct;
    } else if (c->type == COL_BOOLEAN) {
        ndv = 2.0;
    } else {
        switch (c->dist) {
        case CDIST_SEQUENCE: ndv = table_rows; break;
        case CDIST_UNIFORM:
            if (integral_type(c->type) || c->type == COL_STRING)
                ndv = floor(c->max) - ceil(c->min) + 1.0;
            break;
        case CDIST_NORMAL:
            /* Integers drawn from N(mean, sd) fall within +-3 sd. */
            if (integral_type(c->type))
                ndv = 6.0 * c->stddev + 1.0;
            break;
        case CDIST_LOGNORMAL: break;
        case CDIST_ZIPF: ndv = (double)c->distinct; break;
        case CDIST_CATEGORICAL: ndv = (double)c->values.n; break;
        }
    }
    if (!(ndv >= 1.0))
        ndv = 1.0;
    return table_rows >= 1.0 && ndv > table_rows ? table_rows : ndv;
}

/* ---- expression text ---------------------------------------------------- */

static const char *skip_space(const char *p, const char *e)
{
    while (p < e && isspace((unsigned char)*p))
        p++;
    return p;
}

static const char *trim_end(const char *s, const char *e)
{
    while (e > s && isspace((unsigned char)e[-1]))
        e--;
    return e;
}

static const char *skip_quote(const char *p, const char *e)
{
    char q = *p++;
    while (p < e) {
        if (*p == '\\' && p + 1 < e) {
            p += 2;
            continue;
        }
        if (*p == q) {
            if (p + 1 < e && p[1] == q) {
                p += 2;
                continue;
            }
            return p + 1;
        }
        p++;
    }
    return e;
}

static bool word_at(const char *p, const char *s, const char *e, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(e - p) < n || strncasecmp(p, w, n) != 0)
        return false;
    if (p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
        return false;
    return p + n == e || !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* The first top-level occurrence of word in [s, e) (outside quotes,
 * parentheses and CASE ... END), skipping the ANDs that belong to a
 * BETWEEN; e when none. */
static const char *find_top_word(const char *s, const char *e, const char *w)
{
    int depth = 0, between = 0;
    const char *p = s;
    while (p < e) {
        if (*p == '\'' || *p == '"') {
            p = skip_quote(p, e);
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (word_at(p, s, e, "case"))
            depth++;
        else if (word_at(p, s, e, "end") && depth > 0)
            depth--;
        else if (depth == 0 && word_at(p, s, e, w)) {
            /* The AND of "x BETWEEN a AND b" is not a conjunction. */
            if (strcasecmp(w, "and") == 0 && between > 0)
                between--;
            else
                return p;
        } else if (depth == 0 && word_at(p, s, e, "between"))
            between++;
        p++;
    }
    return e;
}

/* True when [s, e) is one parenthesized group "( ... )". */
static bool wrapped(const char *s, const char *e)
{
    if (e - s < 2 || *s != '(' || e[-1] != ')')
        return false;
    int depth = 0;
    for (const char *p = s; p < e; p++) {
        if (*p == '\'' || *p == '"') {
            p = skip_quote(p, e) - 1;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0 && p != e - 1)
            return false;
    }
    return true;
}

/* An operand: a column of cols, or a literal (number or quoted text). */
struct operand {
    const struct plan_column *col;
    bool day_of; /* col is read through to_date(col) or cast(col AS date) */
    bool is_num, is_str;
    bool is_ts; /* str was written TIMESTAMP '...' */
    double num;
    char str[128];
};

static const struct plan_column *find_col(const struct plan_column *cols, size_t n, const char *s,
                                          size_t len)
{
    if (len >= 2 && s[0] == '`' && s[len - 1] == '`') {
        s++;
        len -= 2;
    }
    for (size_t i = 0; i < n; i++)
        if (strlen(cols[i].name) == len && strncasecmp(cols[i].name, s, len) == 0)
            return &cols[i];
    return NULL;
}

/* Whether [s, e) is "to_date(col)" or "cast(col AS date)" of a date or
 * timestamp column of cols; the column when it is. */
static const struct plan_column *day_of_column(const char *s, const char *e,
                                               const struct plan_column *cols, size_t n)
{
    bool to_date = (size_t)(e - s) > 8 && strncasecmp(s, "to_date", 7) == 0;
    bool cast = (size_t)(e - s) > 5 && strncasecmp(s, "cast", 4) == 0;
    if (!to_date && !cast)
        return NULL;
    const char *open = skip_space(s + (to_date ? 7 : 4), e);
    if (open >= e || *open != '(' || e[-1] != ')' || !wrapped(open, e))
        return NULL;
    const char *in = skip_space(open + 1, e - 1), *in_end = trim_end(in, e - 1);
    if (cast) {
        /* "col AS date": the last word is date, the one before it AS. */
        const char *w = in_end;
        while (w > in && !isspace((unsigned char)w[-1]))
            w--;
        if ((size_t)(in_end - w) != 4 || strncasecmp(w, "date", 4) != 0)
            return NULL;
        const char *as_end = trim_end(in, w);
        if (as_end - in < 3 || strncasecmp(as_end - 2, "as", 2) != 0 ||
            !isspace((unsigned char)as_end[-3]))
            return NULL;
        in_end = trim_end(in, as_end - 2);
    }
    const struct plan_column *c = find_col(cols, n, in, (size_t)(in_end - in));
    return c && (c->type == COL_DATE || c->type == COL_TIMESTAMP) ? c : NULL;
}

static bool read_operand(const char *s, const char *e, const struct plan_column *cols, size_t n,
                         struct operand *o)
{
    memset(o, 0, sizeof *o);
    s = skip_space(s, e);
    e = trim_end(s, e);
    while (wrapped(s, e)) {
        s = skip_space(s + 1, e - 1);
        e = trim_end(s, e - 1);
    }
    if (s >= e)
        return false;
    /* A DATE '2024-12-01' or TIMESTAMP '2024-12-01 10:00:00' literal: its
     * text, which a date or timestamp column reads as one (cmp_prob). */
    size_t kw = e - s > 6 && strncasecmp(s, "date", 4) == 0 && isspace((unsigned char)s[4]) ? 4
                : e - s > 11 && strncasecmp(s, "timestamp", 9) == 0 && isspace((unsigned char)s[9])
                    ? 9
                    : 0;
    if (kw) {
        const char *q = skip_space(s + kw, e);
        if (q < e && (*q == '\'' || *q == '"')) {
            s = q;
            o->is_ts = kw == 9;
        }
    }
    if ((o->col = day_of_column(s, e, cols, n)) != NULL) {
        o->day_of = true;
        return true;
    }
    if (*s == '\'' || *s == '"') {
        size_t len = (size_t)(e - s);
        if (len < 2 || e[-1] != *s || len - 2 >= sizeof o->str)
            return false;
        memcpy(o->str, s + 1, len - 2);
        o->str[len - 2] = '\0';
        o->is_str = true;
        return true;
    }
    char buf[64];
    size_t len = (size_t)(e - s);
    if (len < sizeof buf) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        double v = strtod(buf, &end);
        if (end != buf && *end == '\0') {
            o->is_num = true;
            o->num = v;
            return true;
        }
    }
    o->col = find_col(cols, n, s, len);
    return o->col != NULL;
}

/* ---- distributions ------------------------------------------------------ */

static double clamp01(double x)
{
    return x < 0.0 ? 0.0 : x > 1.0 ? 1.0 : x;
}

/* A default estimate: says so in *fb. */
static double fallback(bool *fb, double v)
{
    *fb = true;
    return v;
}

static double normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

/* Whether the column takes integer values, and its range when it does. */
static bool discrete_range(const struct plan_column *c, double *lo, double *hi)
{
    const struct column_spec *s = c->spec;
    if (!s)
        return false;
    if (s->dist == CDIST_SEQUENCE && (integral_type(s->type) || s->type == COL_DOUBLE)) {
        *lo = 1.0;
        *hi = c->table_rows >= 1.0 ? c->table_rows : 1.0;
        return true;
    }
    if (s->dist == CDIST_UNIFORM && integral_type(s->type)) {
        *lo = ceil(s->min);
        *hi = floor(s->max);
        return *hi >= *lo;
    }
    return false;
}

/* P(X <= x) over the non-null values, or NAN when the distribution gives no
 * order (zipf, categorical, derived columns). */
static double cdf(const struct plan_column *c, double x)
{
    double lo, hi;
    if (discrete_range(c, &lo, &hi))
        return clamp01((floor(x) - lo + 1.0) / (hi - lo + 1.0));
    const struct column_spec *s = c->spec;
    if (!s)
        return NAN;
    switch (s->dist) {
    case CDIST_UNIFORM:
        return s->max > s->min ? clamp01((x - s->min) / (s->max - s->min)) : (x >= s->min);
    case CDIST_NORMAL:
        return s->stddev > 0.0 ? normal_cdf((x - s->mean) / s->stddev) : x >= s->mean;
    case CDIST_LOGNORMAL:
        return x <= 0.0         ? 0.0
               : s->sigma > 0.0 ? normal_cdf((log(x) - s->mu) / s->sigma)
                                : log(x) >= s->mu;
    default: return NAN;
    }
}

/* P(X = v) over the non-null values. */
static double eq_prob(const struct plan_column *c, const struct operand *v, bool *fb)
{
    const struct column_spec *s = c->spec;
    if (s && s->dist == CDIST_CATEGORICAL && s->values.n > 0) {
        char num[64];
        const char *want = v->str;
        if (v->is_num) {
            snprintf(num, sizeof num, "%g", v->num);
            want = num;
        }
        double hit = 0.0, total = 0.0;
        for (size_t i = 0; i < s->values.n; i++) {
            double w = s->weights ? s->weights[i] : 1.0;
            total += w;
            if (strcmp(s->values.v[i], want) == 0)
                hit += w;
        }
        return total > 0.0 ? hit / total : 0.0;
    }
    double lo, hi;
    if (v->is_num && discrete_range(c, &lo, &hi))
        return v->num == floor(v->num) && v->num >= lo && v->num <= hi ? 1.0 / (hi - lo + 1.0)
                                                                       : 0.0;
    /* One value of ndv equally likely: a default when ndv is (a derived
     * column taken as unique) or unknown. */
    if (!(c->ndv >= 1.0) || c->ndv_default)
        *fb = true;
    return c->ndv >= 1.0 ? 1.0 / c->ndv : PLAN_STATS_EQ_SELECTIVITY;
}

enum cmp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE };

static double cmp_prob(const struct plan_column *c, enum cmp op, const struct operand *v, bool *fb);

/* P(x op v) for a column operand x, which may be the day of a timestamp
 * column (to_date(ts), cast(ts AS date)): with D microseconds a day and k
 * the literal's day, day(ts) >= k is ts >= k D, day(ts) > k is
 * ts >= (k + 1) D, day(ts) <= k is ts < (k + 1) D, day(ts) < k is
 * ts < k D, and day(ts) = k is k D <= ts < (k + 1) D; the timestamp
 * column's own distribution answers each. The day of a date column is the
 * column. */
static double col_cmp_prob(const struct operand *x, enum cmp op, const struct operand *v, bool *fb)
{
    const struct plan_column *c = x->col;
    if (!x->day_of || c->type != COL_TIMESTAMP)
        return cmp_prob(c, op, v, fb);
    int64_t k;
    if (v->is_str && civil_cast_date(v->str, strlen(v->str), &k)) {
    } else if (v->is_num && v->num == floor(v->num) && fabs(v->num) < 1e9) {
        k = (int64_t)v->num;
    } else {
        *fb = true;
        return op == CMP_EQ ? PLAN_STATS_EQ_SELECTIVITY : PLAN_STATS_DEFAULT_SELECTIVITY;
    }
    struct operand lo = {.is_num = true, .num = (double)k * (double)CIVIL_US_PER_DAY};
    struct operand hi = {.is_num = true, .num = (double)(k + 1) * (double)CIVIL_US_PER_DAY};
    double nonnull = 1.0 - c->null_fraction;
    double eq = clamp01(cmp_prob(c, CMP_GE, &lo, fb) - cmp_prob(c, CMP_GE, &hi, fb));
    switch (op) {
    case CMP_GE: return cmp_prob(c, CMP_GE, &lo, fb);
    case CMP_GT: return cmp_prob(c, CMP_GE, &hi, fb);
    case CMP_LE: return cmp_prob(c, CMP_LT, &hi, fb);
    case CMP_LT: return cmp_prob(c, CMP_LT, &lo, fb);
    case CMP_EQ: return eq;
    case CMP_NE: return nonnull - eq;
    }
    *fb = true;
    return PLAN_STATS_DEFAULT_SELECTIVITY;
}

static double cmp_prob(const struct plan_column *c, enum cmp op, const struct operand *v, bool *fb)
{
    /* Spark casts a string compared with a date column to a date, and one
     * compared with a timestamp column to a timestamp: the literal is then
     * a day number or microseconds like the column's values. A TIMESTAMP
     * literal meeting a date column is compared with the column's
     * midnights (the date is cast): in days, a fraction, which the
     * discrete comparisons below round the right way (d >= 10.4 is
     * d >= 11). */
    struct operand as_num;
    int64_t t;
    bool cast = false;
    if (v->is_str && c->type == COL_DATE && !v->is_ts &&
        civil_cast_date(v->str, strlen(v->str), &t)) {
        as_num.num = (double)t;
        cast = true;
    } else if (v->is_str && (c->type == COL_TIMESTAMP || c->type == COL_DATE) &&
               civil_cast_timestamp(v->str, strlen(v->str), &t)) {
        as_num.num = c->type == COL_DATE ? (double)t / (double)CIVIL_US_PER_DAY : (double)t;
        cast = true;
    }
    if (cast) {
        as_num.col = NULL;
        as_num.day_of = as_num.is_str = as_num.is_ts = false;
        as_num.is_num = true;
        as_num.str[0] = '\0';
        v = &as_num;
    }
    double nonnull = 1.0 - c->null_fraction;
    if (op == CMP_EQ)
        return nonnull * eq_prob(c, v, fb);
    if (op == CMP_NE)
        return nonnull * (1.0 - eq_prob(c, v, fb));
    if (!v->is_num) {
        *fb = true;
        return PLAN_STATS_DEFAULT_SELECTIVITY;
    }
    double lo, hi;
    bool disc = discrete_range(c, &lo, &hi);
    double x = v->num, p;
    switch (op) {
    case CMP_LE: p = cdf(c, x); break;
    case CMP_GT: p = 1.0 - cdf(c, x); break;
    case CMP_LT: p = disc ? cdf(c, ceil(x) - 1.0) : cdf(c, x); break;
    case CMP_GE: p = disc ? 1.0 - cdf(c, ceil(x) - 1.0) : 1.0 - cdf(c, x); break;
    default: p = NAN; break;
    }
    if (isnan(p)) {
        *fb = true;
        return PLAN_STATS_DEFAULT_SELECTIVITY;
    }
    return nonnull * clamp01(p);
}

static enum cmp flip(enum cmp op)
{
    switch (op) {
    case CMP_LT: return CMP_GT;
    case CMP_LE: return CMP_GE;
    case CMP_GT: return CMP_LT;
    case CMP_GE: return CMP_LE;
    default: return op;
    }
}

/* The first top-level comparison operator in [s, e); e when none. */
static const char *find_cmp(const char *s, const char *e, enum cmp *op, size_t *len)
{
    int depth = 0;
    for (const char *p = s; p < e; p++) {
        if (*p == '\'' || *p == '"') {
            p = skip_quote(p, e) - 1;
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        if (depth != 0)
            continue;
        char a = *p, b = p + 1 < e ? p[1] : '\0';
        if ((a == '<' && b == '>') || (a == '!' && b == '=')) {
            *op = CMP_NE;
            *len = 2;
        } else if (a == '<' && b == '=') {
            *op = CMP_LE;
            *len = 2;
        } else if (a == '>' && b == '=') {
            *op = CMP_GE;
            *len = 2;
        } else if (a == '=' && b == '=') {
            *op = CMP_EQ;
            *len = 2;
        } else if (a == '=') {
            *op = CMP_EQ;
            *len = 1;
        } else if (a == '<') {
            *op = CMP_LT;
            *len = 1;
        } else if (a == '>') {
            *op = CMP_GT;
            *len = 1;
        } else {
            continue;
        }
        return p;
    }
    return e;
}

/* `col % k` on the left of a comparison: the column and k, or false. */
static bool modulo_of(const char *s, const char *e, const struct plan_column *cols, size_t n,
                      const struct plan_column **col, double *k)
{
    s = skip_space(s, e);
    e = trim_end(s, e);
    while (wrapped(s, e)) {
        s = skip_space(s + 1, e - 1);
        e = trim_end(s, e - 1);
    }
    const char *pct = memchr(s, '%', (size_t)(e - s));
    if (!pct)
        return false;
    struct operand a, b;
    if (!read_operand(s, pct, cols, n, &a) || !read_operand(pct + 1, e, cols, n, &b) || !a.col ||
        !b.is_num || b.num < 1.0)
        return false;
    *col = a.col;
    *k = floor(b.num);
    return true;
}

static double sel_range(const char *s, const char *e, const struct plan_column *cols, size_t n,
                        bool *fb);

/* Each return of a default sets *fb. */
static double sel_atom(const char *s, const char *e, const struct plan_column *cols, size_t n,
                       bool *fb)
{
    /* x IS [NOT] NULL */
    const char *is = find_top_word(s, e, "is");
    if (is < e) {
        struct operand a;
        if (read_operand(s, is, cols, n, &a) && a.col) {
            bool neg = find_top_word(is, e, "not") < e;
            return neg ? 1.0 - a.col->null_fraction : a.col->null_fraction;
        }
        return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
    }
    /* x [NOT] BETWEEN a AND b */
    const char *btw = find_top_word(s, e, "between");
    if (btw < e) {
        const char *not_kw = find_top_word(s, btw, "not");
        const char *and_kw = NULL;
        for (const char *p = btw + 7; p < e; p++)
            if (word_at(p, s, e, "and")) {
                and_kw = p;
                break;
            }
        struct operand x, a, b;
        if (!and_kw || !read_operand(s, not_kw < btw ? not_kw : btw, cols, n, &x) || !x.col ||
            !read_operand(btw + 7, and_kw, cols, n, &a) ||
            !read_operand(and_kw + 3, e, cols, n, &b))
            return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
        double p = col_cmp_prob(&x, CMP_GE, &a, fb) + col_cmp_prob(&x, CMP_LE, &b, fb) -
                   (1.0 - x.col->null_fraction);
        p = clamp01(p);
        return not_kw < btw ? (1.0 - x.col->null_fraction) - p : p;
    }
    /* x [NOT] IN (a, b, ...) */
    const char *in = find_top_word(s, e, "in");
    if (in < e) {
        const char *not_kw = find_top_word(s, in, "not");
        struct operand x;
        const char *open = memchr(in, '(', (size_t)(e - in));
        if (!open || !read_operand(s, not_kw < in ? not_kw : in, cols, n, &x) || !x.col)
            return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
        const char *close = trim_end(open, e);
        if (close <= open || close[-1] != ')')
            return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
        close--;
        double p = 0.0;
        const char *item = open + 1;
        while (item < close) {
            const char *comma = item;
            while (comma < close && *comma != ',') {
                if (*comma == '\'' || *comma == '"')
                    comma = skip_quote(comma, close);
                else
                    comma++;
            }
            struct operand v;
            if (read_operand(item, comma, cols, n, &v))
                p += col_cmp_prob(&x, CMP_EQ, &v, fb);
            item = comma + 1;
        }
        p = clamp01(p);
        return not_kw < in ? (1.0 - x.col->null_fraction) - p : p;
    }
    enum cmp op;
    size_t oplen;
    const char *at = find_cmp(s, e, &op, &oplen);
    if (at == e)
        return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
    /* col % k = r: residues of integers spread evenly. */
    const struct plan_column *mc;
    double k;
    struct operand r;
    if (modulo_of(s, at, cols, n, &mc, &k) && read_operand(at + oplen, e, cols, n, &r) &&
        r.is_num && (op == CMP_EQ || op == CMP_NE)) {
        double p = r.num >= 0.0 && r.num < k && r.num == floor(r.num) ? 1.0 / k : 0.0;
        if (mc->ndv >= 1.0 && mc->ndv < k)
            p = r.num < mc->ndv ? 1.0 / mc->ndv : 0.0;
        p *= 1.0 - mc->null_fraction;
        return op == CMP_EQ ? p : (1.0 - mc->null_fraction) - p;
    }
    struct operand a, b;
    if (!read_operand(s, at, cols, n, &a) || !read_operand(at + oplen, e, cols, n, &b))
        return fallback(fb,
                        op == CMP_EQ ? PLAN_STATS_EQ_SELECTIVITY : PLAN_STATS_DEFAULT_SELECTIVITY);
    if (a.col && b.col) {
        if (op == CMP_EQ) {
            double d = fmax(a.col->ndv, b.col->ndv);
            if (!(d >= 1.0) || a.col->ndv_default || b.col->ndv_default)
                *fb = true;
            return d >= 1.0 ? 1.0 / d : PLAN_STATS_EQ_SELECTIVITY;
        }
        return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
    }
    if (a.col)
        return col_cmp_prob(&a, op, &b, fb);
    if (b.col)
        return col_cmp_prob(&b, flip(op), &a, fb);
    return fallback(fb, PLAN_STATS_DEFAULT_SELECTIVITY);
}

/* NOT, parentheses, then an atom. */
static double sel_unary(const char *s, const char *e, const struct plan_column *cols, size_t n,
                        bool *fb)
{
    s = skip_space(s, e);
    e = trim_end(s, e);
    if (s >= e)
        return 1.0;
    if (wrapped(s, e))
        return sel_range(s + 1, e - 1, cols, n, fb);
    if (word_at(s, s, e, "not"))
        return 1.0 - sel_unary(s + 3, e, cols, n, fb);
    return sel_atom(s, e, cols, n, fb);
}

/* AND binds tighter than OR. */
static double sel_and(const char *s, const char *e, const struct plan_column *cols, size_t n,
                      bool *fb)
{
    double p = 1.0;
    for (;;) {
        const char *a = find_top_word(s, e, "and");
        p *= sel_unary(s, a, cols, n, fb);
        if (a == e)
            return p;
        s = a + 3;
    }
}

static double sel_range(const char *s, const char *e, const struct plan_column *cols, size_t n,
                        bool *fb)
{
    double miss = 1.0;
    for (;;) {
        const char *o = find_top_word(s, e, "or");
        miss *= 1.0 - sel_and(s, o, cols, n, fb);
        if (o == e)
            return clamp01(1.0 - miss);
        s = o + 2;
    }
}

double plan_stats_default_selectivity(void *ctx, const char *where, const struct plan_column *cols,
                                      size_t n_cols, double rows_in, enum plan_est *src)
{
    (void)ctx;
    (void)rows_in;
    if (src)
        *src = PLAN_EST_DISTRIBUTION;
    if (!where || !*where)
        return 1.0;
    bool fb = false;
    /* `&&` and `||` read as AND and OR. */
    char buf[2048];
    size_t len = strlen(where);
    if (len >= sizeof buf) {
        if (src)
            *src = PLAN_EST_DEFAULT;
        return PLAN_STATS_DEFAULT_SELECTIVITY;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if ((where[i] == '&' || where[i] == '|') && i + 1 < len && where[i + 1] == where[i] &&
            o + 5 < sizeof buf) {
            const char *w = where[i] == '&' ? " AND " : " OR ";
            memcpy(buf + o, w, strlen(w));
            o += strlen(w);
            i++;
        } else {
            buf[o++] = where[i];
        }
    }
    buf[o] = '\0';
    double p = clamp01(sel_range(buf, buf + o, cols, n_cols, &fb));
    if (src && fb)
        *src = PLAN_EST_DEFAULT;
    return p;
}

/* ---- derived columns ---------------------------------------------------- */

/* Distinct results of CASE ... END: the texts after THEN and ELSE, plus a
 * NULL when there is no ELSE. */
static double case_results(const char *s, const char *e)
{
    char seen[16][64];
    size_t n_seen = 0;
    bool has_else = false;
    int total = 0;
    for (const char *p = s; p < e; p++) {
        if (*p == '\'' || *p == '"') {
            p = skip_quote(p, e) - 1;
            continue;
        }
        bool then_kw = word_at(p, s, e, "then"), else_kw = word_at(p, s, e, "else");
        if (!then_kw && !else_kw)
            continue;
        has_else |= else_kw;
        const char *v = skip_space(p + 4, e); /* "then" and "else" are 4 letters */
        const char *ve = v;
        while (ve < e && !word_at(ve, s, e, "when") && !word_at(ve, s, e, "else") &&
               !word_at(ve, s, e, "end")) {
            if (*ve == '\'' || *ve == '"')
                ve = skip_quote(ve, e);
            else
                ve++;
        }
        ve = trim_end(v, ve);
        total++;
        char val[64];
        size_t l = (size_t)(ve - v) < sizeof val - 1 ? (size_t)(ve - v) : sizeof val - 1;
        memcpy(val, v, l);
        val[l] = '\0';
        bool dup = false;
        for (size_t i = 0; i < n_seen && !dup; i++)
            dup = strcasecmp(seen[i], val) == 0;
        if (!dup && n_seen < 16)
            memcpy(seen[n_seen++], val, sizeof val);
        p = ve - 1;
    }
    if (total == 0)
        return NAN;
    return (double)(n_seen > 0 ? n_seen : (size_t)total) + (has_else ? 0.0 : 1.0);
}

/* The distinct values of expr as far as its text and the distributions
 * tell; NAN when they do not. */
static double expr_ndv(const char *expr, const struct plan_column *cols, size_t n_cols,
                       double rows_in)
{
    if (!expr)
        return NAN;
    const char *s = skip_space(expr, expr + strlen(expr));
    const char *e = trim_end(s, expr + strlen(expr));
    while (wrapped(s, e)) {
        s = skip_space(s + 1, e - 1);
        e = trim_end(s, e - 1);
    }
    if (plan_expr_find_word(s, "case"))
        return case_results(s, e);
    if (plan_expr_find_word(s, "rand"))
        return rows_in;
    /* A part of a date or time of one column has at most as many values
     * as the calendar gives it (hour(ts): 24), and never more than the
     * column has. */
    static const struct {
        const char *fn;
        double values;
    } parts[] = {{"month", 12}, {"dayofmonth", 31}, {"day", 31},
                 {"hour", 24},  {"minute", 60},     {"second", 60}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        size_t l = strlen(parts[i].fn);
        const char *q = skip_space(s + l, e);
        if ((size_t)(e - s) > l && strncasecmp(s, parts[i].fn, l) == 0 && q < e && *q == '(' &&
            wrapped(q, e)) {
            const struct plan_column *c = NULL;
            for (size_t k = 0; k < n_cols; k++)
                if (plan_expr_refers(q, cols[k].name))
                    c = c ? NULL : &cols[k];
            double v = parts[i].values;
            if (c && c->ndv >= 1.0 && c->ndv < v)
                v = c->ndv;
            return v;
        }
    }
    /* A cast keeps the distinct values of what it casts. */
    if (word_at(s, s, e, "cast")) {
        const char *open = memchr(s, '(', (size_t)(e - s));
        const char *as = NULL;
        for (const char *p = open ? open : e; p < e; p++)
            if (word_at(p, s, e, "as"))
                as = p;
        if (open && as) {
            char inner[512];
            size_t l = (size_t)(as - open - 1);
            if (l < sizeof inner) {
                memcpy(inner, open + 1, l);
                inner[l] = '\0';
                return expr_ndv(inner, cols, n_cols, rows_in);
            }
        }
    }
    /* A predicate yields true or false. */
    enum cmp op;
    size_t oplen;
    if (find_cmp(s, e, &op, &oplen) < e)
        return 2.0;
    const struct plan_column *mc;
    double k;
    if (modulo_of(s, e, cols, n_cols, &mc, &k))
        return mc->ndv >= 1.0 ? fmin(k, mc->ndv) : k;
    /* Arithmetic of one column with literals (+ - * /) keeps its distinct
     * values; a function call or a second column: unknown. */
    const struct plan_column *only = NULL;
    int refs = 0;
    for (size_t i = 0; i < n_cols; i++)
        if (plan_expr_refers(s, cols[i].name)) {
            only = &cols[i];
            refs++;
        }
    bool call = false;
    for (const char *p = s; p < e; p++)
        if (*p == '(' && p > s && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
            call = true;
    if (refs == 1 && !call)
        return only->ndv;
    if (refs == 0 && !call)
        return 1.0;
    return NAN;
}

double plan_stats_default_expr_ndv(void *ctx, const char *expr, const struct plan_column *cols,
                                   size_t n_cols, double rows_in, enum plan_est *src)
{
    (void)ctx;
    double v = expr_ndv(expr, cols, n_cols, rows_in);
    if (src)
        *src = isnan(v) ? PLAN_EST_DEFAULT : PLAN_EST_DISTRIBUTION;
    return v;
}

/* ---- groups and joins --------------------------------------------------- */

double plan_stats_default_group_count(void *ctx, const struct plan_column *keys, size_t n_keys,
                                      double rows_in, enum plan_est *src)
{
    (void)ctx;
    /* A key of unknown distinct values is taken as unique: a default. */
    if (src) {
        *src = n_keys ? PLAN_EST_DISTRIBUTION : PLAN_EST_NONE;
        for (size_t i = 0; i < n_keys; i++)
            if (!(keys[i].ndv >= 1.0) || keys[i].ndv_default)
                *src = PLAN_EST_DEFAULT;
    }
    if (!(rows_in > 0.0))
        return 0.0;
    if (n_keys == 0)
        return 1.0;
    double g = 1.0;
    for (size_t i = 0; i < n_keys && g < 1e18; i++) {
        double d = keys[i].ndv >= 1.0 ? keys[i].ndv : rows_in;
        g *= d;
    }
    if (g > 1e18)
        g = 1e18;
    /* Expected distinct groups among rows_in draws from g equally likely
     * ones: g (1 - (1 - 1/g)^n) ~ g (1 - exp(-n/g)). */
    double seen = -g * expm1(-rows_in / g);
    return fmin(seen, rows_in);
}

static double key_ndv(const struct plan_column *c, double rows)
{
    double d = c && c->ndv >= 1.0 ? c->ndv : rows;
    return d > rows ? rows : d < 1.0 ? 1.0 : d;
}

/* Rows out of an equi-join, System R's way (Selinger et al., 1979, as
 * Spark's JoinEstimation does it without histograms): each key's values
 * are assumed contained in the side with more of them, so a left row finds
 * a match with probability min(1, D_R / D_L) and the inner join has
 * |L| |R| / max(D_L, D_R) rows, where D is a side's number of distinct key
 * combinations. With several keys D is the product of the keys' distinct
 * counts, capped by the side's rows: two keys of 10,000 values each on a
 * 1,000,000-row table cannot make 10^8 combinations (uncapped, a
 * two-key left join of 16.4M rows was estimated at 46 rows). Outer joins
 * never give fewer rows than the side(s) they preserve (JoinEstimation's
 * max(card, rows) for LeftOuter, RightOuter and FullOuter). */
double plan_stats_default_join_rows(void *ctx, const char *how, double left_rows, double right_rows,
                                    const struct plan_column *left_keys,
                                    const struct plan_column *right_keys, size_t n_keys)
{
    (void)ctx;
    bool left_outer = strcmp(how, "left") == 0 || strcmp(how, "left_outer") == 0;
    bool right_outer = strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0;
    bool full = strcmp(how, "full") == 0 || strcmp(how, "full_outer") == 0;
    bool semi = strcmp(how, "left_semi") == 0, anti = strcmp(how, "left_anti") == 0;
    double l = left_rows > 0.0 ? left_rows : 0.0, r = right_rows > 0.0 ? right_rows : 0.0;
    if (l == 0.0 || r == 0.0) {
        /* Nothing to match: only preserved rows survive. */
        if (anti || left_outer)
            return l;
        if (right_outer)
            return r;
        if (full)
            return l + r;
        return 0.0;
    }
    if (strcmp(how, "cross") == 0 || n_keys == 0)
        return l * r;
    double dl = 1.0, dr = 1.0;
    for (size_t i = 0; i < n_keys; i++) {
        dl *= key_ndv(&left_keys[i], l);
        dr *= key_ndv(&right_keys[i], r);
    }
    dl = fmin(dl, l);
    dr = fmin(dr, r);
    double fl = fmin(1.0, dr / dl); /* share of left rows whose key the right has */
    double fr = fmin(1.0, dl / dr);
    double inner = l * r / fmax(dl, dr);
    if (semi)
        return l * fl;
    if (anti)
        return l * (1.0 - fl);
    if (left_outer)
        return fmax(l, inner + l * (1.0 - fl));
    if (right_outer)
        return fmax(r, inner + r * (1.0 - fr));
    if (full)
        return fmax(fmax(l, r), inner + l * (1.0 - fl) + r * (1.0 - fr));
    return inner;
}

double plan_stats_default_compression(void *ctx, const struct plan_column *cols, size_t n_cols)
{
    (void)ctx;
    (void)cols;
    (void)n_cols;
    return PLAN_STATS_SHUFFLE_COMPRESSION;
}

static const struct plan_stats default_stats = {
    NULL,
    plan_stats_default_selectivity,
    plan_stats_default_expr_ndv,
    plan_stats_default_group_count,
    plan_stats_default_join_rows,
    plan_stats_default_compression,
};

const struct plan_stats *plan_stats_default(void)
{
    return &default_stats;
}
