/*
 * datagen.c — sample data from a table's schema (see datagen.h for what each
 * distribution gives for each type).
 *
 * Where it sits: scenario → plan → *calibrate* → simulate. Calibration runs
 * the real operator kernels on rows generated here, at several sizes, and
 * fits their cost; so generation must be fast (millions of rows), repeatable
 * and independent of which columns or row ranges are asked for.
 *
 * How rows are made a pure function of (seed, table, column, row): the rows
 * of each column are cut into blocks of DG_BLOCK rows, and block b of a
 * column draws from a taus2 generator seeded by a hash of (seed, table name,
 * column name, b). A range that starts inside a block regenerates the
 * block's first rows and drops them, so any range gives the same values as
 * the whole table. Nulls come from a second stream per block, so a column's
 * null_fraction does not move its values.
 *
 * Each block is made in two passes: draw raw values (an integer such as a
 * rank, a category index or a uniform integer, or a real number) into
 * scratch, then write them in the column's type. The draw pass knows the
 * distributions, the write pass knows the types.
 */
#define HAVE_INLINE 1 /* gsl_rng_get/uniform inline: one call less per value */

#include "models/datagen.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/civil.h"
#include "models/hash64.h"

enum { DG_BLOCK = 1024 };

/* Beyond this many ranks a zipf column samples by rejection-inversion
 * instead of an alias table (16 bytes per rank). */
enum { DG_ZIPF_TABLE_MAX = 1 << 20 };

/* Beyond this many distinct values the quantile levels of a normal or
 * lognormal column are computed per value instead of tabulated. */
enum { DG_LEVELS_MAX = 1 << 16 };

enum raw_kind { RAW_INT, RAW_REAL };

/* Rejection-inversion sampling of a zipf distribution over 1..n (Hörmann
 * and Derflinger, "Rejection-inversion to generate variates from monotone
 * discrete distributions", 1996): O(1) memory for any n, a handful of draws
 * per value on average. Used when n is too large for an alias table. */
struct zipf_ri {
    double s;         /* exponent */
    double n;         /* number of ranks */
    double h_x1, h_n; /* H(1.5) - 1 and H(n + 0.5) */
    double t;         /* squeeze threshold */
};

struct gen_col {
    const struct column_spec *spec;
    uint64_t stream; /* hash of seed, table and column names */
    enum raw_kind raw;
    /* uniform integers: lo .. lo + span - 1 (span 0 means 2^64) */
    int64_t lo;
    uint64_t span;
    bool coin;                 /* boolean uniform: a fair coin */
    int64_t distinct;          /* 0 = no limit */
    double *levels;            /* normal/lognormal quantile levels, or NULL */
    gsl_ran_discrete_t *table; /* zipf (small) or weighted categorical */
    struct zipf_ri ri;         /* zipf (large) */
    size_t n_cat;              /* categorical values in use */
    int64_t *cat_i;            /* categorical values parsed, integer types */
    double *cat_f;             /* ... double */
    size_t *cat_len;           /* ... string lengths */
    char *prefix;              /* "<column>_" for numbered strings */
    size_t prefix_len;
    /* datagen_keep_keys: the kept values are keep_v0 + j * keep_m, j <
     * keep_n; keep_m 0 when the column is not restricted. */
    int64_t keep_m, keep_v0;
    uint64_t keep_n;
    double keep_p;                  /* probability that a row's value is kept */
    gsl_ran_discrete_t *keep_table; /* zipf: the kept ranks' weights */
};

struct datagen {
    const struct table_spec *t;
    size_t n_cols;
    struct gen_col *cols;
    gsl_rng *rng;
    gsl_rng *rng_null;
    int64_t raw_i[DG_BLOCK];
    double raw_f[DG_BLOCK];
};

/* --- hashing and seeding ---------------------------------------------------- */

static uint64_t hash_str(uint64_t h, const char *s)
{
    /* FNV-1a, then mixed: names are short, collisions only correlate two
     * columns' samples, never break anything. */
    h ^= 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return hash64_splitmix(h);
}

static void seed_block(gsl_rng *r, uint64_t stream, uint64_t block, uint64_t salt)
{
    uint64_t h = hash64_splitmix(stream ^ hash64_splitmix(block * 2 + salt));
    /* taus2 keeps 32 bits of its seed: fold the hash rather than drop half. */
    gsl_rng_set(r, (unsigned long)((h ^ (h >> 32)) & 0xffffffffUL));
}

/* A uniform integer in [0, n), n >= 1 (n = 0 means 2^64). For n <= 2^32 the
 * multiply-shift of one 32-bit draw; its bias is below n / 2^32, far under
 * what a sample of calibration size could see. */
static uint64_t draw_below(gsl_rng *r, uint64_t n)
{
    uint64_t x = (uint64_t)gsl_rng_get(r);
    if (n != 0 && n <= (1ULL << 32))
        return (x * n) >> 32;
    x = (x << 32) | (uint64_t)gsl_rng_get(r);
    return n ? x % n : x;
}

/* --- zipf by rejection-inversion -------------------------------------------- */

static double zri_helper1(double x)
{
    return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double zri_helper2(double x)
{
    return fabs(x) > 1e-8 ? expm1(x) / x
                          : 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

/* H(x) = (x^(1-s) - 1) / (1 - s), or log x when s = 1: an integral of
 * h(x) = x^-s, written to stay accurate near s = 1. */
static double zri_H(const struct zipf_ri *z, double x)
{
    double lx = log(x);
    return zri_helper2((1.0 - z->s) * lx) * lx;
}

static double zri_h(const struct zipf_ri *z, double x)
{
    return exp(-z->s * log(x));
}

static double zri_Hinv(const struct zipf_ri *z, double x)
{
    double t = x * (1.0 - z->s);
    if (t < -1.0)
        t = -1.0; /* rounding; the true value is > -1 */
    return exp(zri_helper1(t) * x);
}

static void zri_init(struct zipf_ri *z, double s, double n)
{
    z->s = s;
    z->n = n;
    z->h_x1 = zri_H(z, 1.5) - 1.0;
    z->h_n = zri_H(z, n + 0.5);
    z->t = 2.0 - zri_Hinv(z, zri_H(z, 2.5) - zri_h(z, 2.0));
}

static int64_t zri_draw(const struct zipf_ri *z, gsl_rng *r)
{
    for (;;) {
        double u = z->h_n + gsl_rng_uniform(r) * (z->h_x1 - z->h_n);
        double x = zri_Hinv(z, u);
        double k = floor(x + 0.5);
        if (k < 1.0)
            k = 1.0;
        else if (k > z->n)
            k = z->n;
        if (k - x <= z->t || u >= zri_H(z, k + 0.5) - zri_h(z, k))
            return (int64_t)k;
    }
}

/* --- preparing a column ----------------------------------------------------- */

static enum sc_status col_fail(struct diag *d, const struct table_spec *t,
                               const struct column_spec *c, const char *what)
{
    return diag_set(d, SC_EINPUT, NULL, c->line, "column '%s' of table '%s': %s", c->name, t->name,
                    what);
}

static void type_range(enum col_type ty, double *lo, double *hi)
{
    if (ty == COL_INT32 || ty == COL_DATE) {
        *lo = (double)INT32_MIN;
        *hi = (double)INT32_MAX;
    } else {
        /* The largest doubles that convert to int64 without overflow. */
        *lo = -9223372036854775808.0;
        *hi = 9223372036854774784.0;
    }
}

/* A date as YYYY-MM-DD (models/civil.h), or as days since 1970-01-01. A
 * date-shaped string civil refuses (2021-02-30) is no integer either. */
static bool parse_date(const char *s, int64_t *days)
{
    if (civil_parse_date(s, days))
        return true;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || v < INT32_MIN || v > INT32_MAX)
        return false;
    *days = v;
    return true;
}

/* A timestamp as civil_cast_timestamp reads it ("2024-01-01 08:30:00",
 * UTC), or as microseconds since 1970-01-01 00:00:00. */
static bool parse_timestamp(const char *s, int64_t *micros)
{
    if (civil_cast_timestamp(s, strlen(s), micros))
        return true;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE)
        return false;
    *micros = v;
    return true;
}

/* Parses the categorical values of a non-string column into cat_i/cat_f. */
static enum sc_status prepare_categories(const struct table_spec *t, struct gen_col *gc,
                                         struct diag *d)
{
    const struct column_spec *c = gc->spec;
    size_t n = gc->n_cat;
    char msg[256];
    if (c->type == COL_STRING) {
        gc->cat_len = malloc(n * sizeof *gc->cat_len);
        if (!gc->cat_len)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        for (size_t i = 0; i < n; i++)
            gc->cat_len[i] = strlen(c->values.v[i]);
        return SC_OK;
    }
    if (c->type == COL_DOUBLE) {
        gc->cat_f = malloc(n * sizeof *gc->cat_f);
        if (!gc->cat_f)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    } else {
        gc->cat_i = malloc(n * sizeof *gc->cat_i);
        if (!gc->cat_i)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *s = c->values.v[i];
        char *end;
        bool ok = true;
        switch (c->type) {
        case COL_DOUBLE:
            gc->cat_f[i] = strtod(s, &end);
            ok = end != s && *end == '\0';
            break;
        case COL_INT32:
        case COL_INT64: {
            long long v = strtoll(s, &end, 10);
            ok = end != s && *end == '\0' &&
                 (c->type == COL_INT64 || (v >= INT32_MIN && v <= INT32_MAX));
            gc->cat_i[i] = v;
            break;
        }
        case COL_DATE: ok = parse_date(s, &gc->cat_i[i]); break;
        case COL_TIMESTAMP: ok = parse_timestamp(s, &gc->cat_i[i]); break;
        case COL_BOOLEAN:
            if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
                gc->cat_i[i] = 1;
            else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
                gc->cat_i[i] = 0;
            else
                ok = false;
            break;
        case COL_STRING: break;
        }
        if (!ok) {
            static const char *const expect[] = {[COL_INT32] = "an int32 integer",
                                                 [COL_INT64] = "an int64 integer",
                                                 [COL_DOUBLE] = "a number",
                                                 [COL_STRING] = "a string",
                                                 [COL_DATE] = "a date YYYY-MM-DD or a day number",
                                                 [COL_BOOLEAN] = "\"true\" or \"false\"",
                                                 [COL_TIMESTAMP] = ("a timestamp YYYY-MM-DD "
                                                                    "HH:MM:SS or microseconds")};
            snprintf(msg, sizeof msg, "categorical value \"%s\" is not %s", s, expect[c->type]);
            return col_fail(d, t, c, msg);
        }
    }
    return SC_OK;
}

static enum sc_status prepare_column(const struct table_spec *t, uint64_t seed, struct gen_col *gc,
                                     struct diag *d)
{
    const struct column_spec *c = gc->spec;
    gc->stream = hash_str(hash_str(hash64_splitmix(seed), t->name), c->name);
    gc->distinct = c->distinct > 0 ? c->distinct : 0;
    if (!(c->null_fraction >= 0.0 && c->null_fraction <= 1.0))
        return col_fail(d, t, c, "null_fraction must be between 0 and 1");
    if (c->type == COL_STRING) {
        gc->prefix_len = strlen(c->name) + 1;
        gc->prefix = malloc(gc->prefix_len + 1);
        if (!gc->prefix)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        memcpy(gc->prefix, c->name, gc->prefix_len - 1);
        memcpy(gc->prefix + gc->prefix_len - 1, "_", 2);
    }
    switch (c->dist) {
    case CDIST_SEQUENCE: gc->raw = RAW_INT; break;
    case CDIST_UNIFORM: {
        if (!(isfinite(c->min) && isfinite(c->max) && c->min <= c->max))
            return col_fail(d, t, c, "uniform needs finite min <= max");
        gc->raw = RAW_INT;
        if (c->type == COL_BOOLEAN) {
            gc->coin = true;
            gc->lo = 0;
            gc->span = 2;
            break;
        }
        if (c->type == COL_DOUBLE) {
            gc->raw = RAW_REAL;
            break;
        }
        double tlo, thi;
        type_range(c->type == COL_STRING ? COL_INT64 : c->type, &tlo, &thi);
        double a = fmax(ceil(c->min), tlo), b = fmin(floor(c->max), thi);
        if (a > b)
            return col_fail(d, t, c, "uniform min..max holds no integer of the column's type");
        gc->lo = (int64_t)a;
        /* Wraps to 0 for the full 64-bit range, which draw_below reads as 2^64. */
        gc->span = (uint64_t)(int64_t)b - (uint64_t)gc->lo + 1;
        break;
    }
    case CDIST_NORMAL:
    case CDIST_LOGNORMAL: {
        bool normal = c->dist == CDIST_NORMAL;
        double m = normal ? c->mean : c->mu, s = normal ? c->stddev : c->sigma;
        if (!(isfinite(m) && isfinite(s) && s >= 0.0))
            return col_fail(d, t, c,
                            normal ? "normal needs a finite mean and stddev >= 0"
                                   : "lognormal needs a finite mu and sigma >= 0");
        if (c->type == COL_BOOLEAN)
            return col_fail(d, t, c,
                            "a boolean column takes dist uniform (a fair coin), sequence, zipf "
                            "or categorical, not normal or lognormal");
        gc->raw = RAW_REAL;
        if (gc->distinct > 0 && gc->distinct <= DG_LEVELS_MAX) {
            size_t n = (size_t)gc->distinct;
            gc->levels = malloc(n * sizeof *gc->levels);
            if (!gc->levels)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            for (size_t k = 0; k < n; k++) {
                double z = gsl_cdf_ugaussian_Pinv(((double)k + 0.5) / (double)n);
                gc->levels[k] = normal ? m + s * z : exp(m + s * z);
            }
        }
        break;
    }
    case CDIST_ZIPF:
        if (c->distinct < 1)
            return col_fail(d, t, c, "zipf needs distinct >= 1");
        if (!(isfinite(c->exponent) && c->exponent > 0.0))
            return col_fail(d, t, c, "zipf needs an exponent > 0");
        gc->raw = RAW_INT;
        gc->distinct = 0; /* the ranks already are the distinct values */
        if (c->distinct <= DG_ZIPF_TABLE_MAX) {
            size_t n = (size_t)c->distinct;
            double *w = malloc(n * sizeof *w);
            if (!w)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            for (size_t k = 0; k < n; k++)
                w[k] = pow((double)(k + 1), -c->exponent);
            gc->table = gsl_ran_discrete_preproc(n, w);
            free(w);
            if (!gc->table)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory (zipf table)");
        } else {
            zri_init(&gc->ri, c->exponent, (double)c->distinct);
        }
        break;
    case CDIST_CATEGORICAL: {
        size_t n = c->values.n;
        if (n == 0)
            return col_fail(d, t, c, "categorical needs at least one value");
        if (gc->distinct > 0 && (uint64_t)gc->distinct < n)
            n = (size_t)gc->distinct;
        gc->distinct = 0;
        gc->n_cat = n;
        gc->raw = RAW_INT;
        if (c->weights) {
            double sum = 0.0;
            for (size_t i = 0; i < n; i++) {
                if (!(c->weights[i] >= 0.0 && isfinite(c->weights[i])))
                    return col_fail(d, t, c, "categorical weights must be finite and >= 0");
                sum += c->weights[i];
            }
            if (!(sum > 0.0))
                return col_fail(d, t, c, "the categorical values in use all have weight 0");
            gc->table = gsl_ran_discrete_preproc(n, c->weights);
            if (!gc->table)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory (categorical table)");
        }
        return prepare_categories(t, gc, d);
    }
    default: return col_fail(d, t, c, "unknown distribution");
    }
    return SC_OK;
}

static void gen_col_fini(struct gen_col *gc)
{
    free(gc->levels);
    if (gc->table)
        gsl_ran_discrete_free(gc->table);
    free(gc->cat_i);
    free(gc->cat_f);
    free(gc->cat_len);
    free(gc->prefix);
    if (gc->keep_table)
        gsl_ran_discrete_free(gc->keep_table);
}

struct datagen *datagen_new(const struct table_spec *t, uint64_t seed, struct diag *d)
{
    struct datagen *g = calloc(1, sizeof *g);
    if (!g) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    g->t = t;
    g->n_cols = t->n_columns;
    g->cols = calloc(t->n_columns ? t->n_columns : 1, sizeof *g->cols);
    g->rng = gsl_rng_alloc(gsl_rng_taus2);
    g->rng_null = gsl_rng_alloc(gsl_rng_taus2);
    if (!g->cols || !g->rng || !g->rng_null) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        datagen_free(g);
        return NULL;
    }
    for (size_t i = 0; i < t->n_columns; i++) {
        g->cols[i].spec = &t->columns[i];
        if (prepare_column(t, seed, &g->cols[i], d) != SC_OK) {
            datagen_free(g);
            return NULL;
        }
    }
    return g;
}

void datagen_free(struct datagen *g)
{
    if (!g)
        return;
    for (size_t i = 0; g->cols && i < g->n_cols; i++)
        gen_col_fini(&g->cols[i]);
    free(g->cols);
    if (g->rng)
        gsl_rng_free(g->rng);
    if (g->rng_null)
        gsl_rng_free(g->rng_null);
    free(g);
}

/* --- key-consistent restriction --------------------------------------------- */

/* Beyond this many ranks the kept share of a zipf column is not summed. */
enum { DG_KEEP_ZIPF_MAX = 1 << 24 };

/* The smallest v >= lo with v mod m == c (m >= 1, 0 <= c < m), computed
 * without overflow for any lo. */
static int64_t first_kept(int64_t lo, int64_t m, int64_t c)
{
    int64_t r = lo % m;
    if (r < 0)
        r += m;
    int64_t step = c - r;
    if (step < 0)
        step += m;
    return lo + step;
}

/* K, the kept values of lo .. hi (inclusive), from v0 on. */
static uint64_t kept_count(int64_t v0, int64_t hi, int64_t m)
{
    return v0 > hi ? 0 : ((uint64_t)hi - (uint64_t)v0) / (uint64_t)m + 1;
}

enum sc_status datagen_keep_keys(struct datagen *g, const char *column, int64_t modulus,
                                 int64_t residue, struct diag *d)
{
    struct gen_col *gc = NULL;
    for (size_t i = 0; i < g->n_cols && !gc; i++)
        if (strcmp(g->cols[i].spec->name, column) == 0)
            gc = &g->cols[i];
    if (!gc)
        return diag_set(d, SC_EINPUT, NULL, 0, "table '%s' has no column '%s'", g->t->name,
                        column);
    const struct column_spec *c = gc->spec;
    if (!(modulus >= 1 && residue >= 0 && residue < modulus))
        return col_fail(d, g->t, c, "a key restriction needs modulus >= 1 and 0 <= residue < modulus");
    if (gc->keep_m)
        return col_fail(d, g->t, c, "is already restricted");
    bool int_valued = c->type == COL_INT32 || c->type == COL_INT64 || c->type == COL_DATE ||
                      c->type == COL_TIMESTAMP ||
                      c->type == COL_STRING;
    if (!int_valued || gc->raw != RAW_INT || gc->coin)
        return col_fail(d, g->t, c, "only integer-valued keys can be sampled by key");
    int64_t v0 = 0;
    uint64_t k = 0;
    double p = 0.0;
    switch (c->dist) {
    case CDIST_SEQUENCE: {
        int64_t top = gc->distinct ? gc->distinct : g->t->rows;
        if (top < 1)
            return col_fail(d, g->t, c, "a sequence of no rows cannot be sampled by key");
        v0 = first_kept(1, modulus, residue);
        k = kept_count(v0, top, modulus);
        p = (double)k / (double)top;
        break;
    }
    case CDIST_UNIFORM: {
        if (gc->span == 0 || (gc->distinct && (uint64_t)gc->distinct < gc->span))
            return col_fail(d, g->t, c,
                            "a uniform key with `distinct` below its range cannot be sampled by "
                            "key");
        int64_t hi = (int64_t)((uint64_t)gc->lo + gc->span - 1);
        v0 = first_kept(gc->lo, modulus, residue);
        k = kept_count(v0, hi, modulus);
        p = (double)k / (double)gc->span;
        break;
    }
    case CDIST_ZIPF: {
        if (c->distinct > DG_KEEP_ZIPF_MAX)
            return col_fail(d, g->t, c, "a zipf key of over 2^24 ranks cannot be sampled by key");
        v0 = first_kept(1, modulus, residue);
        k = kept_count(v0, c->distinct, modulus);
        if (k == 0 || k > DG_ZIPF_TABLE_MAX)
            break;
        double *w = malloc(k * sizeof *w);
        if (!w)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        double all = 0.0, kept = 0.0;
        for (int64_t r = 1; r <= c->distinct; r++)
            all += pow((double)r, -c->exponent);
        for (uint64_t j = 0; j < k; j++) {
            w[j] = pow((double)(v0 + (int64_t)j * modulus), -c->exponent);
            kept += w[j];
        }
        gc->keep_table = gsl_ran_discrete_preproc(k, w);
        free(w);
        if (!gc->keep_table)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory (zipf table)");
        p = kept / all;
        break;
    }
    default: return col_fail(d, g->t, c, "only sequence, uniform and zipf keys can be sampled by key");
    }
    if (k == 0)
        return col_fail(d, g->t, c, "the key restriction keeps none of its values");
    if (c->dist == CDIST_ZIPF && !gc->keep_table)
        return col_fail(d, g->t, c, "a zipf key keeping over 2^20 ranks cannot be sampled by key");
    gc->keep_m = modulus;
    gc->keep_v0 = v0;
    gc->keep_n = k;
    gc->keep_p = p;
    return SC_OK;
}

int64_t datagen_rows(const struct datagen *g)
{
    double rows = (double)g->t->rows;
    for (size_t i = 0; i < g->n_cols; i++)
        if (g->cols[i].keep_m)
            rows *= g->cols[i].keep_p;
    return (int64_t)llround(rows);
}

/* --- drawing and writing a block -------------------------------------------- */

/* Draws the raw values of rows block*DG_BLOCK .. + n - 1 of a column into
 * g->raw_i or g->raw_f (see the file comment). */
static void draw_raw(struct datagen *g, const struct gen_col *gc, int64_t block, size_t n)
{
    const struct column_spec *c = gc->spec;
    gsl_rng *r = g->rng;
    int64_t *ri = g->raw_i;
    double *rf = g->raw_f;
    uint64_t dn = (uint64_t)gc->distinct;

    if (c->dist == CDIST_SEQUENCE) {
        int64_t row = block * DG_BLOCK;
        if (gc->keep_m) {
            /* Row r holds the (r mod K)-th kept value of the cycle. */
            for (size_t i = 0; i < n; i++)
                ri[i] = gc->keep_v0 +
                        (int64_t)((uint64_t)(row + (int64_t)i) % gc->keep_n) * gc->keep_m;
            return;
        }
        for (size_t i = 0; i < n; i++)
            ri[i] = (dn ? (int64_t)((uint64_t)(row + (int64_t)i) % dn) : row + (int64_t)i) + 1;
        return;
    }
    seed_block(r, gc->stream, (uint64_t)block, 0);
    switch (c->dist) {
    case CDIST_UNIFORM:
        if (gc->raw == RAW_REAL) {
            double w = c->max - c->min;
            if (dn)
                for (size_t i = 0; i < n; i++)
                    rf[i] = c->min + ((double)draw_below(r, dn) + 0.5) * w / (double)dn;
            else
                for (size_t i = 0; i < n; i++)
                    rf[i] = c->min + w * gsl_rng_uniform(r);
        } else if (gc->keep_m) {
            for (size_t i = 0; i < n; i++)
                ri[i] = gc->keep_v0 + (int64_t)draw_below(r, gc->keep_n) * gc->keep_m;
        } else if (dn && !gc->coin && gc->span != 0 && dn < gc->span) {
            /* D evenly spaced values lo + floor(k * span / D), computed as
             * k*q + floor(k*rem / D) so that nothing overflows. */
            uint64_t q = gc->span / dn, rem = gc->span % dn;
            for (size_t i = 0; i < n; i++) {
                uint64_t k = draw_below(r, dn);
                uint64_t off =
                    k * q + (uint64_t)((long double)k * (long double)rem / (long double)dn);
                ri[i] = (int64_t)((uint64_t)gc->lo + off);
            }
        } else {
            for (size_t i = 0; i < n; i++)
                ri[i] = (int64_t)((uint64_t)gc->lo + draw_below(r, gc->span));
        }
        break;
    case CDIST_NORMAL:
    case CDIST_LOGNORMAL: {
        bool normal = c->dist == CDIST_NORMAL;
        double m = normal ? c->mean : c->mu, s = normal ? c->stddev : c->sigma;
        if (gc->levels) {
            for (size_t i = 0; i < n; i++)
                rf[i] = gc->levels[draw_below(r, dn)];
        } else if (dn) {
            for (size_t i = 0; i < n; i++) {
                double z = gsl_cdf_ugaussian_Pinv(((double)draw_below(r, dn) + 0.5) / (double)dn);
                rf[i] = normal ? m + s * z : exp(m + s * z);
            }
        } else if (normal) {
            for (size_t i = 0; i < n; i++)
                rf[i] = m + gsl_ran_gaussian_ziggurat(r, s);
        } else {
            for (size_t i = 0; i < n; i++)
                rf[i] = exp(m + gsl_ran_gaussian_ziggurat(r, s));
        }
        break;
    }
    case CDIST_ZIPF:
        if (gc->keep_table)
            for (size_t i = 0; i < n; i++)
                ri[i] = gc->keep_v0 + (int64_t)gsl_ran_discrete(r, gc->keep_table) * gc->keep_m;
        else if (gc->table)
            for (size_t i = 0; i < n; i++)
                ri[i] = (int64_t)gsl_ran_discrete(r, gc->table) + 1;
        else
            for (size_t i = 0; i < n; i++)
                ri[i] = zri_draw(&gc->ri, r);
        break;
    case CDIST_CATEGORICAL:
        if (gc->table)
            for (size_t i = 0; i < n; i++)
                ri[i] = (int64_t)gsl_ran_discrete(r, gc->table);
        else
            for (size_t i = 0; i < n; i++)
                ri[i] = (int64_t)draw_below(r, gc->n_cat);
        break;
    case CDIST_SEQUENCE: break;
    }
}

/* A real value as an integer of a type: rounded half away from zero,
 * clamped to the type's range; NaN (impossible from a valid schema) is 0. */
static int64_t real_to_int(double v, double lo, double hi)
{
    if (!(v == v))
        return 0;
    v = round(v);
    return (int64_t)(v < lo ? lo : v > hi ? hi : v);
}

static size_t format_i64(char *dst, int64_t v)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0)
        dst[len++] = '-';
    while (n)
        dst[len++] = tmp[--n];
    return len;
}

/* Writes n raw values (from index skip of the scratch) as rows at.. of col,
 * in col's type; rows whose null byte is 0 get an empty string. */
static int write_block(const struct datagen *g, const struct gen_col *gc, size_t skip, size_t n,
                       const uint8_t *valid, struct column *col, size_t at)
{
    const struct column_spec *c = gc->spec;
    const int64_t *ri = g->raw_i + skip;
    const double *rf = g->raw_f + skip;
    bool cat = c->dist == CDIST_CATEGORICAL;
    double lo, hi;

    switch (col->type) {
    case COL_INT32:
    case COL_INT64:
    case COL_DATE:
    case COL_TIMESTAMP: {
        int64_t *o = col->i64 + at;
        type_range(col->type, &lo, &hi);
        if (cat) {
            for (size_t i = 0; i < n; i++)
                o[i] = gc->cat_i[ri[i]];
        } else if (gc->raw == RAW_INT) {
            if (col->type == COL_INT64 || col->type == COL_TIMESTAMP)
                memcpy(o, ri, n * sizeof *o);
            else
                for (size_t i = 0; i < n; i++)
                    o[i] = ri[i] < INT32_MIN ? INT32_MIN : ri[i] > INT32_MAX ? INT32_MAX : ri[i];
        } else {
            for (size_t i = 0; i < n; i++)
                o[i] = real_to_int(rf[i], lo, hi);
        }
        break;
    }
    case COL_DOUBLE: {
        double *o = col->f64 + at;
        if (cat)
            for (size_t i = 0; i < n; i++)
                o[i] = gc->cat_f[ri[i]];
        else if (gc->raw == RAW_INT)
            for (size_t i = 0; i < n; i++)
                o[i] = (double)ri[i];
        else
            memcpy(o, rf, n * sizeof *o);
        break;
    }
    case COL_BOOLEAN: {
        int64_t *o = col->i64 + at;
        /* Raw integers: a coin's 0/1, a sequence number or a zipf rank;
         * odd is true. */
        if (cat)
            for (size_t i = 0; i < n; i++)
                o[i] = gc->cat_i[ri[i]];
        else
            for (size_t i = 0; i < n; i++)
                o[i] = ri[i] & 1;
        break;
    }
    case COL_STRING: {
        size_t room;
        if (cat) {
            room = 0;
            for (size_t i = 0; i < n; i++)
                room += gc->cat_len[ri[i]];
        } else {
            room = n * (gc->prefix_len + 20);
        }
        if (column_reserve_bytes(col, room) != 0)
            return -1;
        char *b = col->bytes;
        size_t len = col->bytes_len;
        uint64_t *off = col->off + at + 1;
        type_range(COL_INT64, &lo, &hi);
        for (size_t i = 0; i < n; i++) {
            if (valid && !valid[i]) {
                off[i] = len;
                continue;
            }
            if (cat) {
                size_t l = gc->cat_len[ri[i]];
                memcpy(b + len, c->values.v[ri[i]], l);
                len += l;
            } else {
                memcpy(b + len, gc->prefix, gc->prefix_len);
                len += gc->prefix_len;
                len += format_i64(b + len, gc->raw == RAW_INT ? ri[i] : real_to_int(rf[i], lo, hi));
            }
            off[i] = len;
        }
        col->bytes_len = len;
        break;
    }
    }
    return 0;
}

/* --- filling batches -------------------------------------------------------- */

static enum sc_status fill_column(struct datagen *g, const struct gen_col *gc, int64_t first_row,
                                  size_t rows, struct batch *out, struct column *col)
{
    double nf = gc->spec->null_fraction;
    if (nf > 0.0) {
        col->valid = malloc(out->cap_rows ? out->cap_rows : 1);
        if (!col->valid)
            return SC_ENOMEM;
    }
    if (col->type == COL_STRING) {
        col->off[0] = 0;
        col->bytes_len = 0;
    }
    size_t at = 0;
    int64_t row = first_row;
    while (at < rows) {
        /* Invariant: rows first_row .. row - 1 are written at 0 .. at - 1. */
        int64_t block = row / DG_BLOCK;
        size_t skip = (size_t)(row - block * DG_BLOCK);
        size_t n = DG_BLOCK - skip;
        if (n > rows - at)
            n = rows - at;
        uint8_t *valid = NULL;
        if (nf > 0.0) {
            valid = col->valid + at;
            seed_block(g->rng_null, gc->stream, (uint64_t)block, 1);
            for (size_t i = 0; i < skip; i++)
                (void)gsl_rng_uniform(g->rng_null);
            for (size_t i = 0; i < n; i++)
                valid[i] = !(gsl_rng_uniform(g->rng_null) < nf);
        }
        draw_raw(g, gc, block, skip + n);
        if (write_block(g, gc, skip, n, valid, col, at) != 0)
            return SC_ENOMEM;
        at += n;
        row += (int64_t)n;
    }
    return SC_OK;
}

enum sc_status datagen_fill(struct datagen *g, int64_t first_row, size_t rows, struct batch *out,
                            struct diag *d)
{
    const struct table_spec *t = g->t;
    if (first_row < 0 || (uint64_t)rows > (uint64_t)(INT64_MAX - first_row))
        return diag_set(d, SC_EINPUT, NULL, 0, "rows %lld .. +%zu of table '%s' are out of range",
                        (long long)first_row, rows, t->name);
    for (size_t j = 0; j < out->n_cols; j++) {
        int k = -1;
        for (size_t i = 0; i < t->n_columns && k < 0; i++)
            if (strcmp(t->columns[i].name, out->names[j]) == 0)
                k = (int)i;
        if (k < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "table '%s' has no column '%s'", t->name,
                            out->names[j]);
        if (t->columns[k].type != out->cols[j].type)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "column '%s' of table '%s' is %s, but the batch's column is %s",
                            out->names[j], t->name, col_type_name(t->columns[k].type),
                            col_type_name(out->cols[j].type));
    }
    batch_clear(out);
    if (batch_reserve(out, rows) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory for %zu rows", rows);
    for (size_t j = 0; j < out->n_cols; j++) {
        const struct gen_col *gc = NULL;
        for (size_t i = 0; i < g->n_cols && !gc; i++)
            if (strcmp(g->cols[i].spec->name, out->names[j]) == 0)
                gc = &g->cols[i];
        if (fill_column(g, gc, first_row, rows, out, &out->cols[j]) != SC_OK) {
            batch_clear(out);
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory generating column '%s'",
                            out->names[j]);
        }
    }
    out->n_rows = rows;
    return SC_OK;
}

enum sc_status datagen_generate(const struct table_spec *t, uint64_t seed, int64_t first_row,
                                size_t rows, struct batch *out, struct diag *d)
{
    struct datagen *g = datagen_new(t, seed, d);
    if (!g)
        return d ? d->status : SC_EINPUT;
    enum sc_status st = datagen_fill(g, first_row, rows, out, d);
    datagen_free(g);
    return st;
}

struct batch *datagen_batch_new(const struct table_spec *t, size_t cap_rows)
{
    const char **names = malloc((t->n_columns ? t->n_columns : 1) * sizeof *names);
    enum col_type *types = malloc((t->n_columns ? t->n_columns : 1) * sizeof *types);
    struct batch *b = NULL;
    if (names && types) {
        for (size_t i = 0; i < t->n_columns; i++) {
            names[i] = t->columns[i].name;
            types[i] = t->columns[i].type;
        }
        b = batch_new(t->n_columns, names, types, cap_rows);
    }
    free(names);
    free(types);
    return b;
}

struct batch *datagen_batch_new_columns(const struct table_spec *t, const char *const *names,
                                        size_t n_names, size_t cap_rows, struct diag *d)
{
    enum col_type *types = malloc((n_names ? n_names : 1) * sizeof *types);
    if (!types) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    for (size_t j = 0; j < n_names; j++) {
        size_t i = 0;
        while (i < t->n_columns && strcmp(t->columns[i].name, names[j]) != 0)
            i++;
        if (i == t->n_columns) {
            diag_set(d, SC_EINPUT, NULL, 0, "table '%s' has no column '%s'", t->name, names[j]);
            free(types);
            return NULL;
        }
        types[j] = t->columns[i].type;
    }
    struct batch *b = batch_new(n_names, names, types, cap_rows);
    free(types);
    if (!b)
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    return b;
}
