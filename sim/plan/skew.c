/*
 * skew.c — per-partition data from the key distributions, and AQE's
 * decisions on those sizes (see skew.h).
 *
 * A key column becomes a list of exact values with their probabilities
 * (what datagen.c would draw), a null mass and a "spread" mass: values too
 * many and too rare to list, which hashing spreads evenly. Several key
 * columns are independent (datagen draws each column from its own stream),
 * so a combination's probability is the product of its values'.
 */
#include "sim/plan/skew.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/civil.h"
#include "models/kernels/murmur3.h"
#include "models/order.h"

/* How a column's exact values are held and hashed. */
enum vkind {
    V_INT,     /* int32, date, boolean (hashInt) or int64, timestamp (hashLong) */
    V_DOUBLE,  /* hashLong(doubleToLongBits) */
    V_STR_LIT, /* a categorical string: spec->values.v[iv] */
    V_STR_NUM  /* a numbered string "<column>_<iv>" */
};

struct scol {
    const struct column_spec *spec;
    enum col_type type;
    enum vkind kind;
    size_t n, cap;
    int64_t *iv;
    double *dv;
    double *p;       /* probability of each exact value */
    double null_p;   /* of a null */
    double spread_p; /* of the values not listed */
};

static void scol_fini(struct scol *c)
{
    free(c->iv);
    free(c->dv);
    free(c->p);
    memset(c, 0, sizeof *c);
}

static int scol_push(struct scol *c, int64_t iv, double dv, double p)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        int64_t *a = realloc(c->iv, cap * sizeof *a);
        if (!a)
            return -1;
        c->iv = a;
        double *b = realloc(c->dv, cap * sizeof *b);
        if (!b)
            return -1;
        c->dv = b;
        double *q = realloc(c->p, cap * sizeof *q);
        if (!q)
            return -1;
        c->p = q;
        c->cap = cap;
    }
    c->iv[c->n] = iv;
    c->dv[c->n] = dv;
    c->p[c->n++] = p;
    return 0;
}

static double clamp01(double x)
{
    return !(x > 0.0) ? 0.0 : x > 1.0 ? 1.0 : x;
}

/* The integer range datagen clamps a type's values to. */
static void type_lohi(enum col_type t, double *lo, double *hi)
{
    if (t == COL_INT32 || t == COL_DATE) {
        *lo = -2147483648.0;
        *hi = 2147483647.0;
    } else {
        *lo = -9223372036854775808.0;
        *hi = 9223372036854774784.0;
    }
}

static int64_t round_clamp(double v, enum col_type t)
{
    double lo, hi;
    type_lohi(t == COL_STRING ? COL_INT64 : t, &lo, &hi);
    if (!(v == v))
        return 0;
    v = round(v);
    return (int64_t)(v < lo ? lo : v > hi ? hi : v);
}

/* Adds the value a raw integer (rank, sequence number, uniform draw) has
 * in column type t, as datagen writes it. */
static int push_int(struct scol *c, int64_t k, double p)
{
    switch (c->type) {
    case COL_DOUBLE: return scol_push(c, 0, (double)k, p);
    case COL_BOOLEAN: return scol_push(c, k & 1, 0.0, p);
    case COL_INT32:
    case COL_DATE: return scol_push(c, round_clamp((double)k, c->type), 0.0, p);
    default: return scol_push(c, k, 0.0, p);
    }
}

/* A categorical value parsed as datagen parses it; false when it is not of
 * the column's type (datagen refuses such a column). */
static bool parse_value(const char *s, enum col_type t, int64_t *iv, double *dv)
{
    char *end;
    switch (t) {
    case COL_DOUBLE:
        *dv = strtod(s, &end);
        return end != s && *end == '\0';
    case COL_INT32:
    case COL_INT64:
        *iv = strtoll(s, &end, 10);
        return end != s && *end == '\0';
    case COL_BOOLEAN:
        if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
            *iv = 1;
        else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
            *iv = 0;
        else
            return false;
        return true;
    case COL_DATE:
        if (civil_parse_date(s, iv))
            return true;
        *iv = strtoll(s, &end, 10);
        return end != s && *end == '\0';
    case COL_TIMESTAMP:
        if (civil_cast_timestamp(s, strlen(s), iv))
            return true;
        *iv = strtoll(s, &end, 10);
        return end != s && *end == '\0';
    case COL_STRING: return true;
    }
    return false;
}

/* Sum of k^-e for k in (a, b], by the integral from a + 1/2 to b + 1/2. */
static double zipf_tail(double a, double b, double e)
{
    double x0 = a + 0.5, x1 = b + 0.5;
    if (fabs(e - 1.0) < 1e-12)
        return log(x1 / x0);
    return (pow(x1, 1.0 - e) - pow(x0, 1.0 - e)) / (1.0 - e);
}

/* Distribution function of a normal or lognormal column's draws. */
static double dist_cdf(bool normal, double m, double s, double x)
{
    if (normal)
        return gsl_cdf_gaussian_P(x - m, s);
    return x <= 0.0 ? 0.0 : gsl_cdf_lognormal_P(x, m, s);
}

static double dist_quantile(bool normal, double m, double s, double q)
{
    if (normal)
        return m + gsl_cdf_gaussian_Pinv(q, s);
    return gsl_cdf_lognormal_Pinv(q, m, s);
}

static int build_zipf(struct scol *c, const struct column_spec *s, double live)
{
    int64_t d = s->distinct;
    double e = s->exponent > 0.0 ? s->exponent : 1.0;
    if (d < 1) {
        c->spread_p = live;
        return 0;
    }
    size_t n = d > SKEW_EXACT_VALUES ? SKEW_EXACT_VALUES : (size_t)d;
    double h = 0.0;
    for (size_t k = 1; k <= n; k++)
        h += pow((double)k, -e);
    double tail = (double)d > (double)n ? zipf_tail((double)n, (double)d, e) : 0.0;
    for (size_t k = 1; k <= n; k++)
        if (push_int(c, (int64_t)k, pow((double)k, -e) / (h + tail) * live) != 0)
            return -1;
    c->spread_p = tail / (h + tail) * live;
    return 0;
}

static int build_categorical(struct scol *c, const struct column_spec *s, double live)
{
    size_t n = s->values.n;
    if (s->distinct > 0 && (uint64_t)s->distinct < n)
        n = (size_t)s->distinct;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += s->weights ? (s->weights[i] > 0.0 ? s->weights[i] : 0.0) : 1.0;
    if (!(sum > 0.0)) {
        c->spread_p = live;
        return 0;
    }
    if (c->type == COL_STRING)
        c->kind = V_STR_LIT;
    for (size_t i = 0; i < n; i++) {
        double w = s->weights ? (s->weights[i] > 0.0 ? s->weights[i] : 0.0) : 1.0;
        if (w <= 0.0)
            continue;
        int64_t iv = (int64_t)i;
        double dv = 0.0;
        if (c->type != COL_STRING && !parse_value(s->values.v[i], c->type, &iv, &dv)) {
            /* datagen refuses such a column; nothing to enumerate. */
            c->n = 0;
            c->spread_p = live;
            return 0;
        }
        if (c->type == COL_INT32 || c->type == COL_DATE)
            iv = round_clamp((double)iv, c->type);
        if (scol_push(c, iv, dv, w / sum * live) != 0)
            return -1;
    }
    return 0;
}

static int build_uniform(struct scol *c, const struct column_spec *s, double live)
{
    if (c->type == COL_BOOLEAN)
        return scol_push(c, 1, 0.0, live / 2.0) || scol_push(c, 0, 0.0, live / 2.0) ? -1 : 0;
    int64_t dn = s->distinct;
    if (c->type == COL_DOUBLE) {
        if (dn < 1 || dn > SKEW_EXACT_VALUES) {
            c->spread_p = live;
            return 0;
        }
        double w = s->max - s->min;
        for (int64_t k = 0; k < dn; k++)
            if (scol_push(c, 0, s->min + ((double)k + 0.5) * w / (double)dn, live / (double)dn))
                return -1;
        return 0;
    }
    double tlo, thi;
    type_lohi(c->type == COL_STRING ? COL_INT64 : c->type, &tlo, &thi);
    double a = fmax(ceil(s->min), tlo), b = fmin(floor(s->max), thi);
    if (!(a <= b) || b - a + 1.0 > 1.8e19) {
        c->spread_p = live;
        return 0;
    }
    int64_t lo = (int64_t)a;
    uint64_t span = (uint64_t)(int64_t)b - (uint64_t)lo + 1;
    if (dn > 0 && span != 0 && (uint64_t)dn < span) {
        if (dn > SKEW_EXACT_VALUES) {
            c->spread_p = live;
            return 0;
        }
        /* datagen's D evenly spaced values lo + floor(k * span / D). */
        uint64_t q = span / (uint64_t)dn, rem = span % (uint64_t)dn;
        for (uint64_t k = 0; k < (uint64_t)dn; k++) {
            uint64_t off = k * q + (uint64_t)((long double)k * (long double)rem / (long double)dn);
            if (push_int(c, (int64_t)((uint64_t)lo + off), live / (double)dn) != 0)
                return -1;
        }
        return 0;
    }
    if (span == 0 || span > SKEW_EXACT_VALUES) {
        c->spread_p = live;
        return 0;
    }
    for (uint64_t k = 0; k < span; k++)
        if (push_int(c, (int64_t)((uint64_t)lo + k), live / (double)span) != 0)
            return -1;
    return 0;
}

static int build_normal(struct scol *c, const struct column_spec *s, double live)
{
    bool normal = s->dist == CDIST_NORMAL;
    double m = normal ? s->mean : s->mu, sd = normal ? s->stddev : s->sigma;
    int64_t dn = s->distinct;
    if (!(isfinite(m) && isfinite(sd) && sd >= 0.0)) {
        c->spread_p = live;
        return 0;
    }
    if (dn > 0) {
        /* datagen's D equally likely quantile levels. */
        if (dn > SKEW_EXACT_VALUES) {
            c->spread_p = live;
            return 0;
        }
        for (int64_t k = 0; k < dn; k++) {
            double z = gsl_cdf_ugaussian_Pinv(((double)k + 0.5) / (double)dn);
            double v = normal ? m + sd * z : exp(m + sd * z);
            int rc = c->type == COL_DOUBLE ? scol_push(c, 0, v, live / (double)dn)
                                           : scol_push(c, round_clamp(v, c->type), 0.0,
                                                       live / (double)dn);
            if (rc != 0)
                return -1;
        }
        return 0;
    }
    if (c->type == COL_DOUBLE) {
        c->spread_p = sd > 0.0 ? live : 0.0;
        if (sd == 0.0)
            return scol_push(c, 0, normal ? m : exp(m), live);
        return 0;
    }
    if (sd == 0.0)
        return scol_push(c, round_clamp(normal ? m : exp(m), c->type), 0.0, live);
    /* Rounded draws: value v holds F(v + 1/2) - F(v - 1/2). */
    double qlo = round(dist_quantile(normal, m, sd, 1e-12));
    double qhi = round(dist_quantile(normal, m, sd, 1.0 - 1e-12));
    if (!(qhi - qlo + 1.0 <= (double)SKEW_EXACT_VALUES)) {
        c->spread_p = live;
        return 0;
    }
    double total = 0.0;
    size_t first = c->n;
    for (double v = qlo; v <= qhi; v += 1.0) {
        double p = (v == qhi ? 1.0 : dist_cdf(normal, m, sd, v + 0.5)) -
                   (v == qlo ? 0.0 : dist_cdf(normal, m, sd, v - 0.5));
        if (p <= 0.0)
            continue;
        total += p;
        if (scol_push(c, round_clamp(v, c->type), 0.0, p) != 0)
            return -1;
    }
    for (size_t i = first; i < c->n; i++)
        c->p[i] = total > 0.0 ? c->p[i] / total * live : 0.0;
    return 0;
}

/* Booleans have two values: fold the atoms (and half the spread, if any)
 * into true and false. */
static int fold_boolean(struct scol *c)
{
    double t = c->spread_p / 2.0, f = c->spread_p / 2.0;
    for (size_t i = 0; i < c->n; i++) {
        if (c->iv[i])
            t += c->p[i];
        else
            f += c->p[i];
    }
    c->n = 0;
    c->spread_p = 0.0;
    if (t > 0.0 && scol_push(c, 1, 0.0, t) != 0)
        return -1;
    if (f > 0.0 && scol_push(c, 0, 0.0, f) != 0)
        return -1;
    return 0;
}

/* Sorts a column's atoms by probability, largest first (for trimming). */
static int by_p_desc(const void *a, const void *b, const double *p)
{
    double x = p[*(const size_t *)a], y = p[*(const size_t *)b];
    return (x < y) - (x > y);
}

static int sort_atoms(struct scol *c)
{
    bool sorted = true;
    for (size_t i = 1; i < c->n && sorted; i++)
        sorted = c->p[i - 1] >= c->p[i];
    if (sorted)
        return 0;
    size_t *ix = malloc(c->n * sizeof *ix);
    int64_t *iv = malloc(c->n * sizeof *iv);
    double *dv = malloc(c->n * sizeof *dv), *p = malloc(c->n * sizeof *p);
    if (!ix || !iv || !dv || !p) {
        free(ix);
        free(iv);
        free(dv);
        free(p);
        return -1;
    }
    for (size_t i = 0; i < c->n; i++)
        ix[i] = i;
    /* Insertion-merge sort without a context pointer: a simple stable
     * bottom-up merge over the index array. */
    size_t *tmp = malloc(c->n * sizeof *tmp);
    if (!tmp) {
        free(ix);
        free(iv);
        free(dv);
        free(p);
        return -1;
    }
    for (size_t w = 1; w < c->n; w *= 2) {
        for (size_t lo = 0; lo < c->n; lo += 2 * w) {
            size_t mid = lo + w < c->n ? lo + w : c->n, hi = lo + 2 * w < c->n ? lo + 2 * w : c->n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = by_p_desc(&ix[b], &ix[a], c->p) < 0 ? ix[b++] : ix[a++];
            while (a < mid)
                tmp[k++] = ix[a++];
            while (b < hi)
                tmp[k++] = ix[b++];
        }
        memcpy(ix, tmp, c->n * sizeof *ix);
    }
    free(tmp);
    for (size_t i = 0; i < c->n; i++) {
        iv[i] = c->iv[ix[i]];
        dv[i] = c->dv[ix[i]];
        p[i] = c->p[ix[i]];
    }
    free(ix);
    free(c->iv);
    free(c->dv);
    free(c->p);
    c->iv = iv;
    c->dv = dv;
    c->p = p;
    c->cap = c->n;
    return 0;
}

/* The values of a key column as the planner knows it: exact when its table
 * column's distribution is known and small enough, spread otherwise. */
static int build_col(const struct plan_column *pc, struct scol *c)
{
    memset(c, 0, sizeof *c);
    const struct column_spec *s = pc->spec;
    c->spec = s;
    c->type = pc->type;
    c->kind = pc->type == COL_DOUBLE ? V_DOUBLE : pc->type == COL_STRING ? V_STR_NUM : V_INT;
    c->null_p = clamp01(s ? s->null_fraction : pc->null_fraction);
    double live = 1.0 - c->null_p;
    if (!s) {
        c->spread_p = live;
        return 0;
    }
    int rc = 0;
    switch (s->dist) {
    case CDIST_ZIPF: rc = build_zipf(c, s, live); break;
    case CDIST_CATEGORICAL: rc = build_categorical(c, s, live); break;
    case CDIST_UNIFORM: rc = build_uniform(c, s, live); break;
    case CDIST_NORMAL:
    case CDIST_LOGNORMAL: rc = build_normal(c, s, live); break;
    case CDIST_SEQUENCE: {
        /* Row r holds r mod D + 1 (D = distinct, else every row its own). */
        double rows = pc->table_rows;
        double d = s->distinct > 0 ? (double)s->distinct : rows;
        if (isfinite(rows) && rows >= 1.0 && d > rows)
            d = rows;
        if (!(d >= 1.0) || d > (double)SKEW_EXACT_VALUES) {
            c->spread_p = live;
            break;
        }
        for (int64_t k = 1; k <= (int64_t)d && rc == 0; k++)
            rc = push_int(c, k, live / floor(d));
        break;
    }
    }
    if (rc == 0 && c->type == COL_BOOLEAN && c->n + (c->spread_p > 0.0) > 0)
        rc = fold_boolean(c);
    if (rc == 0)
        rc = sort_atoms(c);
    return rc;
}

/* Murmur3Hash's step for exact value i of column c. */
static int32_t scol_hash(const struct scol *c, size_t i, int32_t seed)
{
    switch (c->kind) {
    case V_DOUBLE: return murmur3_hash_double(c->dv[i], seed);
    case V_STR_LIT: {
        const char *s = c->spec->values.v[c->iv[i]];
        return murmur3_hash_bytes(s, strlen(s), seed);
    }
    case V_STR_NUM: {
        char buf[320];
        int len = snprintf(buf, sizeof buf, "%.280s_%lld", c->spec->name, (long long)c->iv[i]);
        return murmur3_hash_bytes(buf, (size_t)(len > 0 ? len : 0), seed);
    }
    case V_INT:
        if (c->type == COL_INT64 || c->type == COL_TIMESTAMP)
            return murmur3_hash_long(c->iv[i], seed);
        return murmur3_hash_int((int32_t)c->iv[i], seed);
    }
    return seed;
}

void skew_salt_column(int64_t n, struct column_spec *spec, struct plan_column *out)
{
    memset(spec, 0, sizeof *spec);
    spec->name = "salt";
    spec->type = COL_INT32;
    spec->dist = CDIST_UNIFORM;
    spec->min = 0.0;
    spec->max = (double)(n > 1 ? n - 1 : 0);
    memset(out, 0, sizeof *out);
    out->name = "salt";
    out->type = COL_INT32;
    out->spec = spec;
    out->table_rows = NAN;
    out->ndv = (double)(n > 1 ? n : 1);
    out->width_bytes = 4.0;
}

/* Builds every key column; trims the exact lists until their combinations
 * number at most SKEW_EXACT_COMBOS (the rarest values join the spread). */
static int build_cols(const struct skew_keys *k, struct scol *cols)
{
    for (size_t j = 0; j < k->n; j++)
        if (build_col(&k->cols[j], &cols[j]) != 0) {
            for (size_t i = 0; i <= j; i++)
                scol_fini(&cols[i]);
            return -1;
        }
    for (;;) {
        double combos = 1.0;
        size_t widest = 0;
        for (size_t j = 0; j < k->n; j++) {
            combos *= (double)(cols[j].n + (cols[j].null_p > 0.0));
            if (cols[j].n > cols[widest].n)
                widest = j;
        }
        if (combos <= (double)SKEW_EXACT_COMBOS || cols[widest].n <= 1)
            break;
        struct scol *c = &cols[widest];
        size_t keep = c->n / 2;
        for (size_t i = keep; i < c->n; i++)
            c->spread_p += c->p[i];
        c->n = keep;
    }
    return 0;
}

static void fill_even(double *share, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        share[i] = 1.0 / (double)n;
}

struct hash_walk {
    const struct skew_keys *k;
    const struct scol *cols;
    const int32_t *first; /* hashes of the first column's values */
    uint32_t nparts;
    double *acc;
    double exact_p, exact_rows;
};

static double count_rows(const struct skew_keys *k, double p)
{
    if (k->count == SKEW_GROUPS && k->buckets > 0.0)
        return k->buckets * -expm1(-p * k->rows / k->buckets);
    return p * k->rows;
}

/* Every combination of exact values (or nulls) of columns j.. . */
static void walk(struct hash_walk *w, size_t j, int32_t seed, double p)
{
    if (p <= 0.0)
        return;
    if (j == w->k->n) {
        double rows = count_rows(w->k, p);
        w->acc[murmur3_pmod(seed, w->nparts)] += rows;
        w->exact_p += p;
        w->exact_rows += rows;
        return;
    }
    const struct scol *c = &w->cols[j];
    for (size_t i = 0; i < c->n; i++)
        walk(w, j + 1, j == 0 ? w->first[i] : scol_hash(c, i, seed), p * c->p[i]);
    /* A null child leaves Murmur3Hash's running value as it is. */
    if (c->null_p > 0.0 && !w->k->drop_nulls)
        walk(w, j + 1, seed, p * c->null_p);
}

int skew_hash_shares(const struct skew_keys *k, int64_t nparts, double *share)
{
    if (nparts < 1)
        return 0;
    fill_even(share, nparts);
    if (nparts == 1 || k->n == 0 || !(k->rows > 0.0))
        return 0;
    struct scol *cols = calloc(k->n, sizeof *cols);
    if (!cols || build_cols(k, cols) != 0) {
        free(cols);
        return -1;
    }
    int rc = 0;
    bool any = true;
    for (size_t j = 0; j < k->n; j++)
        any &= cols[j].n > 0 || (cols[j].null_p > 0.0 && !k->drop_nulls);
    double *acc = NULL;
    int32_t *first = NULL;
    if (any) {
        acc = calloc((size_t)nparts, sizeof *acc);
        first = malloc((cols[0].n + 1) * sizeof *first);
        if (!acc || !first) {
            rc = -1;
            any = false;
        }
    }
    if (any) {
        for (size_t i = 0; i < cols[0].n; i++)
            first[i] = scol_hash(&cols[0], i, MURMUR3_SPARK_SEED);
        struct hash_walk w = {k, cols, first, (uint32_t)nparts, acc, 0.0, 0.0};
        walk(&w, 0, MURMUR3_SPARK_SEED, 1.0);
        /* What no exact combination holds is spread evenly: rows of
         * combinations that involve a spread value. */
        double kept = 1.0;
        for (size_t j = 0; j < k->n; j++)
            kept *= k->drop_nulls ? 1.0 - cols[j].null_p : 1.0;
        double rest_p = kept - w.exact_p;
        double rest = k->count == SKEW_GROUPS ? k->rows_out - w.exact_rows : rest_p * k->rows;
        if (rest_p < 1e-12 || !(rest > 0.0))
            rest = 0.0;
        double total = w.exact_rows + rest;
        if (total > 0.0 && w.exact_p > 0.0) {
            for (int64_t i = 0; i < nparts; i++)
                share[i] = (acc[i] + rest / (double)nparts) / total;
            rc = 1;
        }
    }
    free(acc);
    free(first);
    for (size_t j = 0; j < k->n; j++)
        scol_fini(&cols[j]);
    free(cols);
    return rc;
}

/* ---- RangePartitioner ---------------------------------------------------- */

/* Spark's ordering of two exact values of a column (ascending). */
static int value_cmp(const struct scol *c, size_t a, size_t b)
{
    switch (c->kind) {
    case V_DOUBLE: return (c->dv[a] > c->dv[b]) - (c->dv[a] < c->dv[b]);
    case V_INT: return (c->iv[a] > c->iv[b]) - (c->iv[a] < c->iv[b]);
    case V_STR_LIT: {
        /* UTF8String.compareTo: unsigned bytes. */
        const unsigned char *x = (const unsigned char *)c->spec->values.v[c->iv[a]];
        const unsigned char *y = (const unsigned char *)c->spec->values.v[c->iv[b]];
        int r = strcmp((const char *)x, (const char *)y);
        return (r > 0) - (r < 0);
    }
    case V_STR_NUM: {
        char x[320], y[320];
        snprintf(x, sizeof x, "%.280s_%lld", c->spec->name, (long long)c->iv[a]);
        snprintf(y, sizeof y, "%.280s_%lld", c->spec->name, (long long)c->iv[b]);
        int r = strcmp(x, y);
        return (r > 0) - (r < 0);
    }
    }
    return 0;
}

/* Ranks of a column's values in sort order (equal values share a rank):
 * rank[i] for exact value i, *null_rank, *spread_rank, *n_ranks.
 * Ascending: nulls, values, then the spread (taken to lie above the listed
 * values, as a zipf's rare ranks do); descending the reverse. */
static int rank_values(const struct scol *c, bool desc, int64_t *rank, int64_t *null_rank,
                       int64_t *spread_rank, int64_t *n_ranks)
{
    size_t n = c->n;
    size_t *ix = malloc((n + 1) * sizeof *ix), *tmp = malloc((n + 1) * sizeof *tmp);
    if (!ix || !tmp) {
        free(ix);
        free(tmp);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        ix[i] = i;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                tmp[k++] = value_cmp(c, ix[b], ix[a]) < 0 ? ix[b++] : ix[a++];
            while (a < mid)
                tmp[k++] = ix[a++];
            while (b < hi)
                tmp[k++] = ix[b++];
        }
        memcpy(ix, tmp, n * sizeof *ix);
    }
    int64_t r = 0;
    bool has_null = c->null_p > 0.0, has_spread = c->spread_p > 0.0;
    if (!desc && has_null)
        *null_rank = r++;
    if (desc && has_spread)
        *spread_rank = r++;
    for (size_t q = 0; q < n; q++) {
        size_t i = desc ? ix[n - 1 - q] : ix[q];
        size_t prev = desc ? (q ? ix[n - q] : 0) : (q ? ix[q - 1] : 0);
        if (q > 0 && value_cmp(c, i, prev) == 0)
            rank[i] = rank[prev];
        else
            rank[i] = r++;
    }
    if (!desc && has_spread)
        *spread_rank = r++;
    if (desc && has_null)
        *null_rank = r++;
    *n_ranks = r;
    free(ix);
    free(tmp);
    return 0;
}

struct ritem {
    uint64_t key;
    double p;
    bool spread;
};

static int ritem_cmp(const void *a, const void *b)
{
    uint64_t x = ((const struct ritem *)a)->key, y = ((const struct ritem *)b)->key;
    return (x > y) - (x < y);
}

int64_t skew_range_shares(const struct skew_keys *k, const bool *desc, int64_t nparts,
                          double candidates, double *share)
{
    if (nparts < 1)
        return 1;
    fill_even(share, nparts);
    if (nparts == 1 || k->n == 0 || !(k->rows > 0.0))
        return nparts;
    struct scol *cols = calloc(k->n, sizeof *cols);
    if (!cols || build_cols(k, cols) != 0) {
        free(cols);
        return -1;
    }
    int64_t result = nparts;
    int64_t **ranks = calloc(k->n, sizeof *ranks);
    int64_t *null_rank = calloc(k->n, sizeof *null_rank);
    int64_t *spread_rank = calloc(k->n, sizeof *spread_rank);
    int64_t *n_ranks = calloc(k->n, sizeof *n_ranks);
    struct ritem *items = NULL;
    double *acc = NULL;
    bool ok = ranks && null_rank && spread_rank && n_ranks;
    /* Several columns: exactly only when nothing is spread (the order
     * inside a heavy value is otherwise a continuum, cut evenly). */
    bool exact = true;
    double combos = 1.0;
    for (size_t j = 0; j < k->n; j++) {
        exact &= k->n == 1 || cols[j].spread_p <= 0.0;
        combos *= (double)(cols[j].n + (cols[j].null_p > 0.0) + (cols[j].spread_p > 0.0));
    }
    exact &= (cols[0].n > 0 || cols[0].null_p > 0.0) && combos <= (double)SKEW_EXACT_COMBOS;
    for (size_t j = 0; ok && exact && j < k->n; j++) {
        ranks[j] = malloc((cols[j].n + 1) * sizeof **ranks);
        ok = ranks[j] && rank_values(&cols[j], desc && desc[j], ranks[j], &null_rank[j],
                                     &spread_rank[j], &n_ranks[j]) == 0;
    }
    size_t n_items = 0;
    if (ok && exact) {
        items = malloc(((size_t)combos + 1) * sizeof *items);
        acc = calloc((size_t)nparts, sizeof *acc);
        ok = items && acc;
    }
    if (ok && exact) {
        /* Every combination, keyed by its ranks in mixed radix. */
        size_t *at = calloc(k->n, sizeof *at);
        ok = at != NULL;
        while (ok) {
            uint64_t key = 0;
            double p = 1.0;
            bool spread = false;
            for (size_t j = 0; j < k->n; j++) {
                const struct scol *c = &cols[j];
                size_t i = at[j];
                int64_t r;
                if (i < c->n) {
                    r = ranks[j][i];
                    p *= c->p[i];
                } else if (i == c->n && c->null_p > 0.0) {
                    r = null_rank[j];
                    p *= c->null_p;
                } else {
                    r = spread_rank[j];
                    p *= c->spread_p;
                    spread = true;
                }
                key = key * (uint64_t)n_ranks[j] + (uint64_t)r;
            }
            if (p > 0.0)
                items[n_items++] = (struct ritem){key, p, spread};
            /* Next combination (the last column fastest). */
            bool done = true;
            for (size_t j = k->n; j-- > 0;) {
                size_t lim = cols[j].n + (cols[j].null_p > 0.0) + (cols[j].spread_p > 0.0);
                if (++at[j] < lim) {
                    done = false;
                    break;
                }
                at[j] = 0;
            }
            if (done)
                break;
        }
        free(at);
        qsort(items, n_items, sizeof *items, ritem_cmp);
        /* RangePartitioner.determineBounds over the candidates in order:
         * a bound where the cumulative weight reaches the next target,
         * never twice the same key; a key goes to the first partition
         * whose bound is not below it. */
        double total = 0.0;
        for (size_t i = 0; i < n_items; i++)
            total += items[i].p;
        double step = total / (double)nparts, target = step, cum = 0.0;
        int64_t j = 0;
        for (size_t i = 0; ok && i < n_items; i++) {
            size_t same = i;
            double p = items[i].p;
            while (same + 1 < n_items && items[same + 1].key == items[i].key)
                p += items[++same].p;
            i = same;
            if (!items[i].spread) {
                acc[j] += p;
                cum += p;
                if (cum >= target && j < nparts - 1) {
                    j++;
                    target += step;
                }
                continue;
            }
            /* Values too many to list: candidates of equal weight. */
            double m = fmin(fmax(round(p / total * candidates), 1.0), 1e6);
            double w = p / m;
            for (double q = 0; q < m; q += 1.0) {
                acc[j] += w;
                cum += w;
                if (cum >= target && j < nparts - 1) {
                    j++;
                    target += step;
                }
            }
        }
        /* numPartitions = bounds + 1 (a bound on the last candidate leaves
         * the last partition empty, as in Spark). */
        int64_t used = j + 1;
        if (total > 0.0) {
            for (int64_t i = 0; i < used; i++)
                share[i] = acc[i] / total;
            result = used;
        }
    }
    if (!ok)
        result = -1;
    for (size_t j = 0; j < k->n; j++) {
        if (ranks)
            free(ranks[j]);
        scol_fini(&cols[j]);
    }
    free(ranks);
    free(null_rank);
    free(spread_rank);
    free(n_ranks);
    free(items);
    free(acc);
    free(cols);
    return result;
}

/* ---- adaptive query execution -------------------------------------------- */

double aqe_median(const double *sizes, size_t n)
{
    if (n == 0)
        return 1.0;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return 1.0;
    memcpy(s, sizes, n * sizeof *s);
    qsort(s, n, sizeof *s, order_double_asc);
    double m = n % 2 == 0 ? floor((s[n / 2] + s[n / 2 - 1]) / 2.0) : s[n / 2];
    free(s);
    return m > 1.0 ? m : 1.0;
}

double aqe_coalesce_target(double total, int64_t min_partitions, double advisory,
                           double min_partition_size)
{
    double max_target = fmax(ceil(total / (double)(min_partitions > 0 ? min_partitions : 1)), 16.0);
    return fmax(fmin(max_target, advisory), min_partition_size);
}

size_t aqe_split_sizes(const double *sizes, size_t n, double target, size_t *starts)
{
    /* ShufflePartitionsUtil: SMALL_PARTITION_FACTOR 0.2,
     * MERGED_PARTITION_FACTOR 1.2. */
    size_t k = 0;
    starts[k++] = 0;
    double current = 0.0, last = -1.0;
    for (size_t i = 0; i <= n; i++) {
        bool end = i == n;
        if (end || (i > 0 && current + sizes[i] > target)) {
            /* tryMergePartitions */
            bool merge = last > -1.0 && (current + last < target * 1.2 ||
                                         current < target * 0.2 || last < target * 0.2);
            if (merge) {
                k--;
                last += current;
            } else {
                last = current;
            }
            if (end)
                break;
            starts[k++] = i;
            current = sizes[i];
        } else {
            current += sizes[i];
        }
    }
    return k;
}

/* One task of the stage being built: the partitions [start, end) of every
 * side, or a piece of one partition. */
struct spec {
    size_t start, end;
    double rows, bytes;
    bool skew; /* part of a split partition */
};

struct specs {
    struct spec *v;
    size_t n, cap;
};

static int specs_add(struct specs *s, struct spec x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct spec *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

/* ShufflePartitionsUtil.coalescePartitions(start, end, ...): packs
 * adjacent partitions while the running size stays within target,
 * skipping empty specs. */
static int coalesce_range(const double *bytes, const double *rows, size_t start, size_t end,
                          double target, bool allow_empty, struct specs *out)
{
    size_t first = out->n, latest = start;
    double size = 0.0, r = 0.0;
    for (size_t i = start; i < end; i++) {
        if (i > latest && size + bytes[i] > target) {
            if (size > 0.0 && specs_add(out, (struct spec){latest, i, r, size, false}) != 0)
                return -1;
            latest = i;
            size = bytes[i];
            r = rows[i];
        } else {
            size += bytes[i];
            r += rows[i];
        }
    }
    if (size > 0.0 || (!allow_empty && out->n == first))
        return specs_add(out, (struct spec){latest, end, r, size, false});
    return 0;
}

/* OptimizeSkewedJoin.targetSize. */
static double skew_target(const double *sizes, size_t n, double threshold, double advisory)
{
    double sum = 0.0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (sizes[i] <= threshold) {
            sum += sizes[i];
            k++;
        }
    return k == 0 ? advisory : fmax(advisory, floor(sum / (double)k));
}

/* createSkewPartitionSpecs: the partition's map outputs (even here) cut
 * into pieces near target; pieces[] gets their bytes. Returns the count
 * (1: not split). */
static size_t split_partition(double size, int64_t maps, double target, double *pieces,
                              double *map_sizes, size_t *starts)
{
    size_t m = (size_t)(maps > 0 ? maps : 1);
    for (size_t i = 0; i < m; i++)
        map_sizes[i] = size / (double)m;
    size_t k = aqe_split_sizes(map_sizes, m, target, starts);
    if (k <= 1) {
        pieces[0] = size;
        return 1;
    }
    for (size_t i = 0; i < k; i++) {
        size_t e = i + 1 < k ? starts[i + 1] : m;
        pieces[i] = (double)(e - starts[i]) * (size / (double)m);
    }
    return k;
}

int aqe_plan_read(const struct aqe_conf *c, const struct aqe_side *sides, size_t n_sides,
                  size_t nparts, bool coalescable, bool skew_join, struct aqe_result *out)
{
    memset(out, 0, sizeof *out);
    double *bytes = calloc(nparts + 1, sizeof *bytes), *rows = calloc(nparts + 1, sizeof *rows);
    struct specs sp = {0}, res = {0};
    double *pieces[2] = {NULL, NULL}, *map_sizes = NULL;
    size_t *starts = NULL;
    int rc = 0;
    if (!bytes || !rows) {
        rc = -1;
        goto done;
    }
    for (size_t s = 0; s < n_sides; s++)
        for (size_t i = 0; i < nparts; i++) {
            bytes[i] += sides[s].bytes[i];
            rows[i] += sides[s].bytes[i] * sides[s].rows_per_byte;
        }
    /* OptimizeSkewedJoin (two shuffles of a sort-merge join). */
    bool split_any = false;
    if (skew_join && c->skew_join && n_sides == 2 && (sides[0].can_split || sides[1].can_split)) {
        double thr[2], tgt[2];
        int64_t maxmaps = 1;
        for (size_t s = 0; s < 2; s++) {
            double med = aqe_median(sides[s].bytes, nparts);
            thr[s] = fmax(c->skew_threshold, med * c->skew_factor);
            tgt[s] = skew_target(sides[s].bytes, nparts, thr[s], c->advisory);
            if (sides[s].map_tasks > maxmaps)
                maxmaps = sides[s].map_tasks;
        }
        pieces[0] = malloc((size_t)maxmaps * sizeof(double));
        pieces[1] = malloc((size_t)maxmaps * sizeof(double));
        map_sizes = malloc((size_t)maxmaps * sizeof *map_sizes);
        starts = malloc((size_t)maxmaps * sizeof *starts);
        if (!pieces[0] || !pieces[1] || !map_sizes || !starts) {
            rc = -1;
            goto done;
        }
        for (size_t i = 0; i < nparts && rc == 0; i++) {
            size_t np[2];
            for (size_t s = 0; s < 2; s++) {
                double size = sides[s].bytes[i];
                np[s] = 1;
                pieces[s][0] = size;
                if (sides[s].can_split && size > thr[s])
                    np[s] = split_partition(size, sides[s].map_tasks, tgt[s], pieces[s], map_sizes,
                                            starts);
            }
            bool skew = np[0] > 1 || np[1] > 1;
            if (skew) {
                out->skewed++;
                out->skew_tasks += np[0] * np[1];
                split_any = true;
            }
            for (size_t a = 0; a < np[0] && rc == 0; a++)
                for (size_t b = 0; b < np[1] && rc == 0; b++) {
                    double r = pieces[0][a] * sides[0].rows_per_byte +
                               pieces[1][b] * sides[1].rows_per_byte;
                    rc = specs_add(&sp, (struct spec){i, i + 1, r, pieces[0][a] + pieces[1][b],
                                                      skew});
                }
        }
        if (rc != 0)
            goto done;
    }
    if (!split_any) {
        sp.n = 0;
        for (size_t i = 0; i < nparts && rc == 0; i++)
            rc = specs_add(&sp, (struct spec){i, i + 1, rows[i], bytes[i], false});
        if (rc != 0)
            goto done;
        out->skewed = out->skew_tasks = 0;
    }
    /* CoalesceShufflePartitions. */
    bool merged = false;
    if (coalescable && c->coalesce) {
        double total = 0.0;
        for (size_t i = 0; i < nparts; i++)
            total += bytes[i];
        double target =
            aqe_coalesce_target(total, c->min_partitions, c->advisory, c->min_partition_size);
        if (!split_any) {
            /* coalescePartitionsWithoutSkew */
            rc = coalesce_range(bytes, rows, 0, nparts, target, false, &res);
        } else {
            /* coalescePartitionsWithSkew: coalesce between the skew
             * sections, keep the sections' specs. */
            size_t start = 0, i = 0;
            while (i < sp.n && rc == 0) {
                if (!sp.v[i].skew) {
                    i++;
                    continue;
                }
                if (i > start)
                    rc = coalesce_range(bytes, rows, sp.v[start].start, sp.v[i].start, target,
                                        true, &res);
                size_t e = i;
                while (e < sp.n && sp.v[e].skew && sp.v[e].start == sp.v[i].start)
                    e++;
                for (size_t q = i; q < e && rc == 0; q++)
                    rc = specs_add(&res, sp.v[q]);
                start = i = e;
            }
            if (rc == 0 && start < sp.n)
                rc = coalesce_range(bytes, rows, sp.v[start].start, nparts, target, true, &res);
        }
        if (rc != 0)
            goto done;
        merged = res.n < sp.n;
    }
    const struct specs *fin = merged ? &res : &sp;
    out->n_tasks = fin->n;
    out->task_rows = malloc((fin->n + 1) * sizeof *out->task_rows);
    if (!out->task_rows) {
        rc = -1;
        goto done;
    }
    out->coalesced = 0;
    for (size_t i = 0; i < fin->n; i++) {
        out->task_rows[i] = fin->v[i].rows;
        out->coalesced += !fin->v[i].skew;
    }
done:
    free(bytes);
    free(rows);
    free(sp.v);
    free(res.v);
    free(pieces[0]);
    free(pieces[1]);
    free(map_sizes);
    free(starts);
    if (rc != 0) {
        free(out->task_rows);
        memset(out, 0, sizeof *out);
    }
    return rc;
}
