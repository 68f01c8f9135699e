/*
 * test_datagen.c — sample data from table schemas (models/datagen.c):
 * generation is repeatable and independent of the columns and row ranges
 * asked for, each distribution's sample matches it (moments within five
 * standard errors; chi-square goodness of fit with p > 0.001 for zipf and
 * categorical at a fixed seed), sequence is exact, nulls and distinct limits
 * hold, each type gets its documented mapping, and bad parameters are
 * refused with the column's line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/datagen.h"

enum { N = 100000 };

static struct column_spec col(const char *name, enum col_type type, enum col_dist dist)
{
    struct column_spec c;
    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type = type;
    c.dist = dist;
    /* As the scenario reader leaves parameters a dist does not take. */
    c.min = c.max = c.mean = c.stddev = c.mu = c.sigma = c.exponent = NAN;
    c.line = 7;
    return c;
}

static struct table_spec table(struct column_spec *cols, size_t n)
{
    struct table_spec t;
    memset(&t, 0, sizeof t);
    t.name = "t";
    t.rows = N;
    t.size_bytes = -1;
    t.columns = cols;
    t.n_columns = n;
    return t;
}

/* Generates rows first..first+rows-1 of every column of t. */
static struct batch *gen(const struct table_spec *t, uint64_t seed, int64_t first, size_t rows)
{
    struct diag d;
    diag_clear(&d);
    struct batch *b = datagen_batch_new(t, 16);
    assert_non_null(b);
    enum sc_status st = datagen_generate(t, seed, first, rows, b, &d);
    if (st != SC_OK)
        fail_msg("datagen: %s", d.msg);
    assert_int_equal(b->n_rows, rows);
    return b;
}

static const char *str_at(const struct column *c, size_t row, size_t *len)
{
    *len = (size_t)(c->off[row + 1] - c->off[row]);
    return c->bytes + c->off[row];
}

/* Row ra of column a holds what row rb of column b holds (value and null). */
static void assert_same_value(const struct column *a, size_t ra, const struct column *b, size_t rb)
{
    assert_int_equal(column_is_null(a, ra), column_is_null(b, rb));
    if (column_is_null(a, ra))
        return;
    switch (a->type) {
    case COL_DOUBLE: assert_memory_equal(&a->f64[ra], &b->f64[rb], sizeof(double)); break;
    case COL_STRING: {
        size_t la, lb;
        const char *pa = str_at(a, ra, &la), *pb = str_at(b, rb, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(pa, pb, la);
        break;
    }
    default: assert_int_equal(a->i64[ra], b->i64[rb]); break;
    }
}

/* A table with one column of every distribution, some with nulls. */
static void mixed_table(struct column_spec cols[7])
{
    cols[0] = col("id", COL_INT64, CDIST_SEQUENCE);
    cols[1] = col("dept", COL_STRING, CDIST_ZIPF);
    cols[1].distinct = 50;
    cols[1].exponent = 1.1;
    cols[2] = col("salary", COL_INT32, CDIST_UNIFORM);
    cols[2].min = 40000;
    cols[2].max = 120000;
    cols[3] = col("bonus", COL_DOUBLE, CDIST_NORMAL);
    cols[3].mean = 5000;
    cols[3].stddev = 1500;
    cols[3].null_fraction = 0.25;
    cols[4] = col("spend", COL_DOUBLE, CDIST_LOGNORMAL);
    cols[4].mu = 3;
    cols[4].sigma = 0.5;
    cols[5] = col("band", COL_STRING, CDIST_CATEGORICAL);
    static char *band_values[] = {"Low", "Mid", "High"};
    static double band_weights[] = {3, 2, 1};
    cols[5].values.v = band_values;
    cols[5].values.n = 3;
    cols[5].weights = band_weights;
    cols[5].null_fraction = 0.1;
    cols[6] = col("hired", COL_DATE, CDIST_UNIFORM);
    cols[6].min = 18262; /* 2020-01-01 */
    cols[6].max = 18262 + 365;
}

static void test_same_seed_gives_same_bytes(void **state)
{
    (void)state;
    struct column_spec cols[7];
    mixed_table(cols);
    struct table_spec t = table(cols, 7);
    struct batch *a = gen(&t, 42, 0, 5000), *b = gen(&t, 42, 0, 5000), *c = gen(&t, 43, 0, 5000);
    size_t differ = 0;
    for (size_t j = 0; j < 7; j++) {
        const struct column *ca = &a->cols[j], *cb = &b->cols[j], *cc = &c->cols[j];
        assert_int_equal(ca->valid != NULL, cb->valid != NULL);
        if (ca->valid)
            assert_memory_equal(ca->valid, cb->valid, 5000);
        switch (ca->type) {
        case COL_DOUBLE:
            assert_memory_equal(ca->f64, cb->f64, 5000 * sizeof(double));
            differ += memcmp(ca->f64, cc->f64, 5000 * sizeof(double)) != 0;
            break;
        case COL_STRING:
            assert_int_equal(ca->bytes_len, cb->bytes_len);
            assert_memory_equal(ca->off, cb->off, 5001 * sizeof(uint64_t));
            assert_memory_equal(ca->bytes, cb->bytes, ca->bytes_len);
            differ +=
                ca->bytes_len != cc->bytes_len || memcmp(ca->bytes, cc->bytes, ca->bytes_len) != 0;
            break;
        default:
            assert_memory_equal(ca->i64, cb->i64, 5000 * sizeof(int64_t));
            differ += memcmp(ca->i64, cc->i64, 5000 * sizeof(int64_t)) != 0;
            break;
        }
    }
    /* Another seed changes every random column (the sequence stays). */
    assert_int_equal(differ, 6);
    batch_free(a);
    batch_free(b);
    batch_free(c);
}

static void test_any_row_range_matches_the_whole_table(void **state)
{
    (void)state;
    struct column_spec cols[7];
    mixed_table(cols);
    struct table_spec t = table(cols, 7);
    struct batch *whole = gen(&t, 7, 0, 6000);
    /* Starts and ends inside blocks, spans several. */
    static const int64_t firsts[] = {0, 1, 1023, 1024, 1500, 3333};
    for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; f++) {
        size_t rows = (size_t)(6000 - firsts[f]) - 17;
        struct batch *part = gen(&t, 7, firsts[f], rows);
        for (size_t j = 0; j < 7; j++)
            for (size_t r = 0; r < rows; r++)
                assert_same_value(&part->cols[j], r, &whole->cols[j], (size_t)firsts[f] + r);
        batch_free(part);
    }
    batch_free(whole);
}

static void test_adding_a_column_or_projecting_keeps_the_others(void **state)
{
    (void)state;
    struct column_spec cols[7];
    mixed_table(cols);
    struct table_spec t = table(cols, 7);
    struct batch *whole = gen(&t, 5, 0, 3000);

    /* A table with a new first column and the old ones reordered. */
    struct column_spec more[8];
    more[0] = col("extra", COL_DOUBLE, CDIST_UNIFORM);
    more[0].min = 0;
    more[0].max = 1;
    for (size_t j = 0; j < 7; j++)
        more[1 + j] = cols[6 - j];
    struct table_spec t2 = table(more, 8);
    struct batch *wider = gen(&t2, 5, 0, 3000);
    for (size_t j = 0; j < 7; j++)
        for (size_t r = 0; r < 3000; r++)
            assert_same_value(&wider->cols[1 + j], r, &whole->cols[6 - j], r);

    /* A projection of two columns, generated from the original table. */
    struct diag d;
    diag_clear(&d);
    const char *names[] = {"bonus", "dept"};
    struct batch *proj = datagen_batch_new_columns(&t, names, 2, 10, &d);
    assert_non_null(proj);
    assert_string_equal(proj->names[0], "bonus");
    assert_int_equal(proj->cols[1].type, COL_STRING);
    assert_int_equal(datagen_generate(&t, 5, 0, 3000, proj, &d), SC_OK);
    for (size_t r = 0; r < 3000; r++) {
        assert_same_value(&proj->cols[0], r, &whole->cols[3], r);
        assert_same_value(&proj->cols[1], r, &whole->cols[1], r);
    }
    batch_free(proj);
    batch_free(wider);
    batch_free(whole);
}

static void test_sequence_is_exact(void **state)
{
    (void)state;
    struct column_spec cols[5];
    cols[0] = col("id", COL_INT64, CDIST_SEQUENCE);
    cols[1] = col("code", COL_STRING, CDIST_SEQUENCE);
    cols[2] = col("cyc", COL_INT32, CDIST_SEQUENCE);
    cols[2].distinct = 7;
    cols[3] = col("odd", COL_BOOLEAN, CDIST_SEQUENCE);
    cols[4] = col("x", COL_DOUBLE, CDIST_SEQUENCE);
    struct table_spec t = table(cols, 5);
    /* Rows 100.. of the table: row r holds r + 1. */
    struct batch *b = gen(&t, 1, 100, 2000);
    char want[32];
    for (size_t r = 0; r < 2000; r++) {
        int64_t v = 100 + (int64_t)r + 1;
        assert_int_equal(b->cols[0].i64[r], v);
        size_t len;
        const char *s = str_at(&b->cols[1], r, &len);
        snprintf(want, sizeof want, "code_%lld", (long long)v);
        assert_int_equal(len, strlen(want));
        assert_memory_equal(s, want, len);
        assert_int_equal(b->cols[2].i64[r], (100 + (int64_t)r) % 7 + 1);
        assert_int_equal(b->cols[3].i64[r], v & 1);
        assert_true(b->cols[4].f64[r] == (double)v);
    }
    batch_free(b);
}

struct moments {
    double mean, var, min, max;
    size_t n;
};

static struct moments moments_of(const struct column *c, size_t rows)
{
    struct moments m = {0, 0, INFINITY, -INFINITY, 0};
    double sum = 0, sum2 = 0;
    for (size_t r = 0; r < rows; r++) {
        if (column_is_null(c, r))
            continue;
        double x = c->type == COL_DOUBLE ? c->f64[r] : (double)c->i64[r];
        sum += x;
        sum2 += x * x;
        m.min = fmin(m.min, x);
        m.max = fmax(m.max, x);
        m.n++;
    }
    m.mean = sum / (double)m.n;
    m.var = (sum2 - sum * m.mean) / (double)(m.n - 1);
    return m;
}

/* Mean within 5 standard errors (sd / sqrt n) and variance within 5 of
 * its own (for a sample variance ~ var * sqrt(2 / (n - 1)) when the data
 * are near normal; kurtosis-corrected by the caller's factor). */
static void check_moments(const struct moments *m, double mean, double var, double kurt_factor)
{
    double n = (double)m->n;
    assert_true(fabs(m->mean - mean) < 5.0 * sqrt(var / n));
    assert_true(fabs(m->var - var) < 5.0 * var * sqrt(kurt_factor * 2.0 / (n - 1)));
}

static void test_uniform_integers_cover_min_to_max_inclusive(void **state)
{
    (void)state;
    struct column_spec cols[3];
    cols[0] = col("salary", COL_INT32, CDIST_UNIFORM);
    cols[0].min = 40000;
    cols[0].max = 120000;
    cols[1] = col("small", COL_INT64, CDIST_UNIFORM);
    cols[1].min = 0;
    cols[1].max = 3;
    cols[2] = col("x", COL_DOUBLE, CDIST_UNIFORM);
    cols[2].min = -1;
    cols[2].max = 3;
    struct table_spec t = table(cols, 3);
    struct batch *b = gen(&t, 11, 0, N);

    /* Discrete uniform on [a, b] with k = b - a + 1 values: mean (a+b)/2,
     * variance (k^2 - 1)/12; its kurtosis is 1.8, so the variance of the
     * sample variance is (1.8 - 1)/2 = 0.4 of the normal case. */
    double k = 80001;
    struct moments m = moments_of(&b->cols[0], N);
    check_moments(&m, 80000, (k * k - 1) / 12, 0.4);
    assert_true(m.min >= 40000 && m.max <= 120000);

    m = moments_of(&b->cols[1], N);
    assert_true(m.min == 0 && m.max == 3); /* both ends are reached */
    check_moments(&m, 1.5, (16.0 - 1) / 12, 0.6);

    /* Continuous uniform on [-1, 3): mean 1, variance 16/12. */
    m = moments_of(&b->cols[2], N);
    check_moments(&m, 1.0, 16.0 / 12, 0.4);
    assert_true(m.min >= -1 && m.max < 3);
    batch_free(b);
}

static void test_normal_and_lognormal_match_their_moments(void **state)
{
    (void)state;
    struct column_spec cols[3];
    cols[0] = col("bonus", COL_DOUBLE, CDIST_NORMAL);
    cols[0].mean = 5000;
    cols[0].stddev = 1500;
    cols[1] = col("spend", COL_DOUBLE, CDIST_LOGNORMAL);
    cols[1].mu = 3;
    cols[1].sigma = 0.5;
    cols[2] = col("age", COL_INT32, CDIST_NORMAL);
    cols[2].mean = 40;
    cols[2].stddev = 10;
    struct table_spec t = table(cols, 3);
    struct batch *b = gen(&t, 3, 0, N);

    struct moments m = moments_of(&b->cols[0], N);
    check_moments(&m, 5000, 1500.0 * 1500.0, 1.0);

    /* Lognormal: mean e^(mu + s^2/2), variance (e^(s^2) - 1) e^(2 mu + s^2).
     * Its kurtosis is large (about 8 for s = 0.5): only the mean is checked
     * at five standard errors, the variance at the kurtosis-widened bound
     * (kurtosis excess + 2) / 2. */
    double mean = exp(3.0 + 0.125), var = (exp(0.25) - 1) * exp(6.0 + 0.25);
    double s2 = 0.25, exkurt = exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 6;
    m = moments_of(&b->cols[1], N);
    check_moments(&m, mean, var, (exkurt + 2) / 2);
    assert_true(m.min > 0);

    /* Rounded to integers: the mean stays, the variance gains 1/12. */
    m = moments_of(&b->cols[2], N);
    check_moments(&m, 40, 100 + 1.0 / 12, 1.0);
    for (size_t r = 0; r < N; r++)
        assert_true(b->cols[2].i64[r] >= INT32_MIN && b->cols[2].i64[r] <= INT32_MAX);
    batch_free(b);
}

/* Chi-square statistic's upper tail for observed counts against expected
 * probabilities over k bins. */
static double chi_square_p(const double *observed, const double *p, size_t k, double n)
{
    double stat = 0;
    for (size_t i = 0; i < k; i++) {
        double e = n * p[i];
        stat += (observed[i] - e) * (observed[i] - e) / e;
    }
    return gsl_cdf_chisq_Q(stat, (double)(k - 1));
}

static void test_zipf_ranks_fit_the_zipf_law(void **state)
{
    (void)state;
    struct column_spec cols[2];
    cols[0] = col("rank", COL_INT32, CDIST_ZIPF);
    cols[0].distinct = 10;
    cols[0].exponent = 1.1;
    /* More ranks than the alias table holds: rejection-inversion. */
    cols[1] = col("big", COL_INT64, CDIST_ZIPF);
    cols[1].distinct = 2000000;
    cols[1].exponent = 1.2;
    struct table_spec t = table(cols, 2);
    struct batch *b = gen(&t, 2024, 0, N);

    /* P(k) = k^-s / H(n, s). */
    double p[21], obs[21] = {0}, h = 0;
    for (int k = 1; k <= 10; k++)
        h += pow(k, -1.1);
    for (int k = 1; k <= 10; k++)
        p[k - 1] = pow(k, -1.1) / h;
    for (size_t r = 0; r < N; r++) {
        int64_t v = b->cols[0].i64[r];
        assert_true(v >= 1 && v <= 10);
        obs[v - 1]++;
    }
    assert_true(chi_square_p(obs, p, 10, N) > 0.001);

    /* Ranks 1..20 one bin each, the rest (21..2e6) a last bin. */
    h = 0;
    for (int64_t k = 1; k <= 2000000; k++)
        h += pow((double)k, -1.2);
    double head = 0;
    for (int k = 1; k <= 20; k++)
        head += p[k - 1] = pow(k, -1.2) / h;
    p[20] = 1 - head;
    memset(obs, 0, sizeof obs);
    for (size_t r = 0; r < N; r++) {
        int64_t v = b->cols[1].i64[r];
        assert_true(v >= 1 && v <= 2000000);
        obs[v <= 20 ? v - 1 : 20]++;
    }
    assert_true(chi_square_p(obs, p, 21, N) > 0.001);
    batch_free(b);
}

static void test_categorical_fits_its_weights(void **state)
{
    (void)state;
    static char *values[] = {"Low", "Mid", "High", "Top"};
    static double weights[] = {5, 3, 1.5, 0.5};
    struct column_spec cols[2];
    cols[0] = col("band", COL_STRING, CDIST_CATEGORICAL);
    cols[0].values.v = values;
    cols[0].values.n = 4;
    cols[0].weights = weights;
    cols[1] = col("even", COL_STRING, CDIST_CATEGORICAL);
    cols[1].values.v = values;
    cols[1].values.n = 3;
    struct table_spec t = table(cols, 2);
    struct batch *b = gen(&t, 99, 0, N);

    for (int c = 0; c < 2; c++) {
        double obs[4] = {0}, p[4];
        size_t k = c == 0 ? 4 : 3;
        for (size_t i = 0; i < k; i++)
            p[i] = c == 0 ? weights[i] / 10.0 : 1.0 / 3;
        for (size_t r = 0; r < N; r++) {
            size_t len;
            const char *s = str_at(&b->cols[c], r, &len);
            size_t i = 0;
            while (i < k && !(strlen(values[i]) == len && memcmp(values[i], s, len) == 0))
                i++;
            assert_true(i < k);
            obs[i]++;
        }
        assert_true(chi_square_p(obs, p, k, N) > 0.001);
    }
    batch_free(b);
}

static void test_null_fraction_is_kept_and_leaves_values_alone(void **state)
{
    (void)state;
    struct column_spec cols[1];
    cols[0] = col("bonus", COL_DOUBLE, CDIST_NORMAL);
    cols[0].mean = 0;
    cols[0].stddev = 1;
    struct table_spec t = table(cols, 1);
    struct batch *plain = gen(&t, 8, 0, N);
    assert_null(plain->cols[0].valid);
    cols[0].null_fraction = 0.25;
    struct batch *b = gen(&t, 8, 0, N);
    size_t nulls = 0;
    for (size_t r = 0; r < N; r++) {
        if (column_is_null(&b->cols[0], r))
            nulls++;
        else
            assert_true(b->cols[0].f64[r] == plain->cols[0].f64[r]);
    }
    /* Binomial(N, 0.25): standard error sqrt(N p (1-p)). */
    assert_true(fabs((double)nulls - 0.25 * N) < 5 * sqrt(N * 0.25 * 0.75));
    batch_free(b);

    cols[0].null_fraction = 1.0;
    b = gen(&t, 8, 0, 100);
    for (size_t r = 0; r < 100; r++)
        assert_true(column_is_null(&b->cols[0], r));
    batch_free(b);
    batch_free(plain);
}

static size_t count_distinct_i64(const struct column *c, size_t rows, int64_t *seen, size_t cap)
{
    size_t n = 0;
    for (size_t r = 0; r < rows; r++) {
        size_t i = 0;
        while (i < n && seen[i] != c->i64[r])
            i++;
        if (i == n) {
            assert_true(n < cap);
            seen[n++] = c->i64[r];
        }
    }
    return n;
}

static void test_distinct_limits_values(void **state)
{
    (void)state;
    static char *values[] = {"a", "b", "c", "d"};
    struct column_spec cols[5];
    cols[0] = col("u", COL_INT64, CDIST_UNIFORM);
    cols[0].min = 0;
    cols[0].max = 1000;
    cols[0].distinct = 5;
    cols[1] = col("z", COL_DOUBLE, CDIST_NORMAL);
    cols[1].mean = 10;
    cols[1].stddev = 2;
    cols[1].distinct = 10;
    cols[2] = col("c", COL_STRING, CDIST_CATEGORICAL);
    cols[2].values.v = values;
    cols[2].values.n = 4;
    cols[2].distinct = 2;
    cols[3] = col("k", COL_STRING, CDIST_ZIPF);
    cols[3].distinct = 25;
    cols[3].exponent = 0.8;
    cols[4] = col("w", COL_INT32, CDIST_UNIFORM);
    cols[4].min = 1;
    cols[4].max = 3;
    cols[4].distinct = 100; /* more than the range holds: no effect */
    struct table_spec t = table(cols, 5);
    struct batch *b = gen(&t, 4, 0, 20000);
    int64_t seen[64];

    /* Uniform 0..1000 with 5 values: 0, 200, 400, 600, 800
     * (min + floor(k * 1001 / 5)), each about 1/5 of the rows. */
    assert_int_equal(count_distinct_i64(&b->cols[0], 20000, seen, 64), 5);
    for (size_t r = 0; r < 20000; r++)
        assert_int_equal(b->cols[0].i64[r] % 200, 0);

    /* Normal with 10 values: the quantiles at (k + 1/2)/10, mean 10 kept. */
    double levels[16];
    size_t nl = 0;
    for (size_t r = 0; r < 20000; r++) {
        size_t i = 0;
        while (i < nl && levels[i] != b->cols[1].f64[r])
            i++;
        if (i == nl) {
            assert_true(nl < 16);
            levels[nl++] = b->cols[1].f64[r];
        }
    }
    assert_int_equal(nl, 10);
    for (size_t i = 0; i < nl; i++) {
        double q = (levels[i] - 10) / 2; /* a standard normal quantile */
        double u = gsl_cdf_ugaussian_P(q) * 10 - 0.5;
        assert_true(fabs(u - round(u)) < 1e-9);
    }

    /* Categorical with distinct 2: only the first two values. */
    for (size_t r = 0; r < 20000; r++) {
        size_t len;
        const char *s = str_at(&b->cols[2], r, &len);
        assert_int_equal(len, 1);
        assert_true(s[0] == 'a' || s[0] == 'b');
    }

    /* Zipf strings k_1 .. k_25. */
    for (size_t r = 0; r < 20000; r++) {
        size_t len;
        const char *s = str_at(&b->cols[3], r, &len);
        char buf[16];
        assert_true(len < sizeof buf);
        memcpy(buf, s, len);
        buf[len] = '\0';
        assert_memory_equal(buf, "k_", 2);
        int k = atoi(buf + 2);
        assert_true(k >= 1 && k <= 25);
    }
    assert_int_equal(count_distinct_i64(&b->cols[4], 20000, seen, 64), 3);
    batch_free(b);
}

static void test_types_map_as_documented(void **state)
{
    (void)state;
    static char *dates[] = {"2020-01-01", "1969-12-31", "18300"};
    static char *bools[] = {"true", "FALSE"};
    static char *ints[] = {"-5", "2147483647"};
    struct column_spec cols[6];
    cols[0] = col("d", COL_DATE, CDIST_CATEGORICAL);
    cols[0].values.v = dates;
    cols[0].values.n = 3;
    cols[1] = col("f", COL_BOOLEAN, CDIST_CATEGORICAL);
    cols[1].values.v = bools;
    cols[1].values.n = 2;
    cols[2] = col("coin", COL_BOOLEAN, CDIST_UNIFORM);
    cols[2].min = 0;
    cols[2].max = 100;
    cols[3] = col("n", COL_INT32, CDIST_CATEGORICAL);
    cols[3].values.v = ints;
    cols[3].values.n = 2;
    cols[4] = col("s", COL_STRING, CDIST_UNIFORM);
    cols[4].min = -2;
    cols[4].max = 2;
    cols[5] = col("clamped", COL_INT32, CDIST_NORMAL);
    cols[5].mean = 3e9; /* beyond int32: clamped to INT32_MAX */
    cols[5].stddev = 1;
    struct table_spec t = table(cols, 6);
    struct batch *b = gen(&t, 12, 0, 4000);
    size_t trues = 0;
    for (size_t r = 0; r < 4000; r++) {
        int64_t d = b->cols[0].i64[r];
        assert_true(d == 18262 || d == -1 || d == 18300);
        assert_true(b->cols[1].i64[r] == 0 || b->cols[1].i64[r] == 1);
        trues += (size_t)b->cols[2].i64[r];
        assert_true(b->cols[3].i64[r] == -5 || b->cols[3].i64[r] == INT32_MAX);
        size_t len;
        const char *s = str_at(&b->cols[4], r, &len);
        char buf[16];
        memcpy(buf, s, len);
        buf[len] = '\0';
        assert_true(strcmp(buf, "s_-2") == 0 || strcmp(buf, "s_-1") == 0 ||
                    strcmp(buf, "s_0") == 0 || strcmp(buf, "s_1") == 0 || strcmp(buf, "s_2") == 0);
        assert_int_equal(b->cols[5].i64[r], INT32_MAX);
    }
    /* A fair coin: Binomial(4000, 1/2). */
    assert_true(fabs((double)trues - 2000) < 5 * sqrt(1000));
    batch_free(b);
}

static void test_bad_parameters_are_refused_with_the_column_line(void **state)
{
    (void)state;
    static char *values[] = {"1", "two"};
    struct column_spec cols[1];
    cols[0] = col("n", COL_INT64, CDIST_CATEGORICAL);
    cols[0].values.v = values;
    cols[0].values.n = 2;
    cols[0].line = 31;
    struct table_spec t = table(cols, 1);
    struct diag d;
    diag_clear(&d);
    assert_null(datagen_new(&t, 1, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 31);
    assert_non_null(strstr(d.msg, "\"two\" is not an int64"));

    cols[0] = col("b", COL_BOOLEAN, CDIST_NORMAL);
    cols[0].mean = 0;
    cols[0].stddev = 1;
    diag_clear(&d);
    assert_null(datagen_new(&t, 1, &d));
    assert_non_null(strstr(d.msg, "boolean"));

    cols[0] = col("z", COL_INT32, CDIST_ZIPF); /* no distinct */
    cols[0].exponent = 1;
    diag_clear(&d);
    assert_null(datagen_new(&t, 1, &d));
    assert_non_null(strstr(d.msg, "distinct"));

    /* A batch column the table does not have, or of another type. */
    cols[0] = col("id", COL_INT64, CDIST_SEQUENCE);
    const char *names[] = {"idd"};
    diag_clear(&d);
    assert_null(datagen_batch_new_columns(&t, names, 1, 4, &d));
    assert_non_null(strstr(d.msg, "no column 'idd'"));
    enum col_type ty = COL_DOUBLE;
    const char *id[] = {"id"};
    struct batch *b = batch_new(1, id, &ty, 4);
    diag_clear(&d);
    assert_int_equal(datagen_generate(&t, 1, 0, 10, b, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "is int64"));
    diag_clear(&d);
    assert_int_equal(datagen_generate(&t, 1, -1, 10, b, &d), SC_EINPUT);
    batch_free(b);
}

static void test_batch_helpers_follow_the_schema(void **state)
{
    (void)state;
    struct column_spec cols[7];
    mixed_table(cols);
    struct table_spec t = table(cols, 7);
    struct batch *b = datagen_batch_new(&t, 0);
    assert_non_null(b);
    assert_int_equal(b->n_cols, 7);
    for (size_t j = 0; j < 7; j++) {
        assert_string_equal(b->names[j], cols[j].name);
        assert_int_equal(b->cols[j].type, cols[j].type);
    }
    assert_int_equal(b->n_rows, 0);
    /* A fill grows a batch made with no room, and a second fill replaces
     * the first's rows. */
    struct diag d;
    diag_clear(&d);
    struct datagen *g = datagen_new(&t, 3, &d);
    assert_non_null(g);
    assert_int_equal(datagen_fill(g, 0, 2500, b, &d), SC_OK);
    assert_int_equal(datagen_fill(g, 10, 5, b, &d), SC_OK);
    assert_int_equal(b->n_rows, 5);
    assert_int_equal(b->cols[0].i64[0], 11);
    assert_int_equal(datagen_fill(g, 0, 0, b, &d), SC_OK);
    assert_int_equal(b->n_rows, 0);
    datagen_free(g);
    batch_free(b);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_gives_same_bytes),
        cmocka_unit_test(test_any_row_range_matches_the_whole_table),
        cmocka_unit_test(test_adding_a_column_or_projecting_keeps_the_others),
        cmocka_unit_test(test_sequence_is_exact),
        cmocka_unit_test(test_uniform_integers_cover_min_to_max_inclusive),
        cmocka_unit_test(test_normal_and_lognormal_match_their_moments),
        cmocka_unit_test(test_zipf_ranks_fit_the_zipf_law),
        cmocka_unit_test(test_categorical_fits_its_weights),
        cmocka_unit_test(test_null_fraction_is_kept_and_leaves_values_alone),
        cmocka_unit_test(test_distinct_limits_values),
        cmocka_unit_test(test_types_map_as_documented),
        cmocka_unit_test(test_bad_parameters_are_refused_with_the_column_line),
        cmocka_unit_test(test_batch_helpers_follow_the_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
