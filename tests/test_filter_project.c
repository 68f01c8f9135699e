/*
 * test_filter_project.c — the filter and projection kernels
 * (models/kernels/filter.c, project.c) on generated data, against simple
 * row-by-row reference implementations written here, and the filter's
 * measured selectivity against what the column's distribution implies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/datagen.h"
#include "models/expr.h"
#include "models/kernels/filter.h"
#include "models/kernels/project.h"

enum { ROWS = 20000 };

static char *band_values[] = {"Low", "Mid", "High"};

/* Columns: id, dept (zipf "dept_1".."dept_10"), salary, bonus (20% null),
 * band (10% null), hired (2020-01-01 .. 2022-01-07), spend. */
static struct column_spec cols[7];
static struct table_spec emp;

static struct column_spec col(const char *name, enum col_type type, enum col_dist dist)
{
    struct column_spec c;
    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type = type;
    c.dist = dist;
    c.min = c.max = c.mean = c.stddev = c.mu = c.sigma = c.exponent = NAN;
    return c;
}

static struct batch *employees(size_t rows, int64_t first)
{
    cols[0] = col("id", COL_INT64, CDIST_SEQUENCE);
    cols[1] = col("dept", COL_STRING, CDIST_ZIPF);
    cols[1].distinct = 10;
    cols[1].exponent = 1.0;
    cols[2] = col("salary", COL_INT32, CDIST_UNIFORM);
    cols[2].min = 30000;
    cols[2].max = 130000;
    cols[3] = col("bonus", COL_DOUBLE, CDIST_NORMAL);
    cols[3].mean = 5000;
    cols[3].stddev = 1500;
    cols[3].null_fraction = 0.2;
    cols[4] = col("band", COL_STRING, CDIST_CATEGORICAL);
    cols[4].values.v = band_values;
    cols[4].values.n = 3;
    cols[4].null_fraction = 0.1;
    cols[5] = col("hired", COL_DATE, CDIST_UNIFORM);
    cols[5].min = 18262;
    cols[5].max = 19000;
    cols[6] = col("spend", COL_DOUBLE, CDIST_LOGNORMAL);
    cols[6].mu = 3;
    cols[6].sigma = 0.5;
    memset(&emp, 0, sizeof emp);
    emp.name = "employees";
    emp.columns = cols;
    emp.n_columns = 7;
    struct batch *b = datagen_batch_new(&emp, rows);
    struct diag d;
    diag_clear(&d);
    assert_non_null(b);
    if (datagen_generate(&emp, 42, first, rows, b, &d) != SC_OK)
        fail_msg("%s", d.msg);
    return b;
}

/* --- the reference: plain C, one row at a time ---------------------------- */

static bool str_is(const struct column *c, size_t r, const char *s)
{
    size_t len = (size_t)(c->off[r + 1] - c->off[r]);
    return len == strlen(s) && memcmp(c->bytes + c->off[r], s, len) == 0;
}

static bool null_at(const struct batch *b, size_t c, size_t r)
{
    return column_is_null(&b->cols[c], r);
}

/* 2020 is a leap year: 2021 runs from day 18262 + 366 to 18628 + 364. */
static int64_t year_of(int64_t day)
{
    return day < 18628 ? 2020 : day < 18993 ? 2021 : 2022;
}

static bool keep_p1(const struct batch *b, size_t r)
{
    /* salary > 50000 AND dept IN ('dept_1', 'dept_2') OR bonus IS NULL:
     * nothing here can be NULL. */
    bool in = str_is(&b->cols[1], r, "dept_1") || str_is(&b->cols[1], r, "dept_2");
    return (b->cols[2].i64[r] > 50000 && in) || null_at(b, 3, r);
}

static bool keep_p2(const struct batch *b, size_t r)
{
    /* NOT (band = 'Low') AND spend BETWEEN 10 AND 30: a NULL band makes
     * the left side NULL, which only a FALSE right side could turn into a
     * definite answer, and that answer is FALSE: kept only when known. */
    double s = b->cols[6].f64[r];
    return !null_at(b, 4, r) && !str_is(&b->cols[4], r, "Low") && s >= 10 && s <= 30;
}

static bool keep_p3(const struct batch *b, size_t r)
{
    /* bonus > 6000 OR band = 'High': TRUE if either side is known TRUE. */
    return (!null_at(b, 3, r) && b->cols[3].f64[r] > 6000) ||
           (!null_at(b, 4, r) && str_is(&b->cols[4], r, "High"));
}

static bool keep_p4(const struct batch *b, size_t r)
{
    /* year(hired) = 2021 AND substr(dept, 6) IN ('1', '3'): "dept_10"
     * gives "10", which is neither. */
    return year_of(b->cols[5].i64[r]) == 2021 &&
           (str_is(&b->cols[1], r, "dept_1") || str_is(&b->cols[1], r, "dept_3"));
}

static void assert_same_cell(const struct column *a, size_t ra, const struct column *b, size_t rb)
{
    assert_int_equal(column_is_null(a, ra), column_is_null(b, rb));
    if (column_is_null(a, ra))
        return;
    switch (a->type) {
    case COL_DOUBLE: assert_true(a->f64[ra] == b->f64[rb]); break;
    case COL_STRING:
        assert_int_equal(a->off[ra + 1] - a->off[ra], b->off[rb + 1] - b->off[rb]);
        assert_memory_equal(a->bytes + a->off[ra], b->bytes + b->off[rb],
                            a->off[ra + 1] - a->off[ra]);
        break;
    default: assert_int_equal(a->i64[ra], b->i64[rb]); break;
    }
}

static void check_filter(const struct batch *in, const char *where,
                         bool (*keep)(const struct batch *, size_t))
{
    struct diag d;
    diag_clear(&d);
    struct expr *pred = expr_compile(where, in, &d);
    if (!pred)
        fail_msg("'%s': %s", where, d.msg);
    struct kernel_filter *f = kernel_filter_new(pred, in->n_rows, &d);
    assert_non_null(f);
    struct batch *out = batch_new_like(in, 16);
    assert_non_null(out);
    struct kernel_stats st;
    assert_int_equal(kernel_filter_run(f, in, out, &st, &d), SC_OK);
    size_t o = 0;
    for (size_t r = 0; r < in->n_rows; r++) {
        if (!keep(in, r))
            continue;
        assert_true(o < out->n_rows);
        for (size_t c = 0; c < in->n_cols; c++)
            assert_same_cell(&out->cols[c], o, &in->cols[c], r);
        o++;
    }
    assert_int_equal(o, out->n_rows);
    assert_int_equal(st.rows_in, in->n_rows);
    assert_int_equal(st.rows_out, o);
    assert_int_equal(st.bytes_out, batch_bytes(out));
    /* Neither everything nor nothing: the predicate was a real test. */
    assert_true(o > 0 && o < in->n_rows);
    batch_free(out);
    kernel_filter_free(f);
    expr_free(pred);
}

static void test_filter_matches_the_row_by_row_reference(void **state)
{
    (void)state;
    struct batch *in = employees(ROWS, 0);
    check_filter(in, "salary > 50000 AND dept IN ('dept_1', 'dept_2') OR bonus IS NULL", keep_p1);
    check_filter(in, "NOT (band = 'Low') AND spend BETWEEN 10 AND 30", keep_p2);
    check_filter(in, "bonus > 6000 OR band = 'High'", keep_p3);
    check_filter(in, "year(hired) = 2021 AND substr(dept, 6) IN ('1', '3')", keep_p4);
    batch_free(in);
}

static void test_filter_selectivity_matches_the_distribution(void **state)
{
    (void)state;
    /* x uniform over the 101 integers 0..100: x < 25 keeps 25/101 of the
     * rows, x BETWEEN 10 AND 19 keeps 10/101; the kept count is binomial,
     * standard error sqrt(p (1 - p) / n) in the fraction. */
    struct column_spec c = col("x", COL_INT32, CDIST_UNIFORM);
    c.min = 0;
    c.max = 100;
    struct table_spec t;
    memset(&t, 0, sizeof t);
    t.name = "u";
    t.columns = &c;
    t.n_columns = 1;
    enum { N = 100000 };
    struct batch *in = datagen_batch_new(&t, N), *out = datagen_batch_new(&t, N);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(datagen_generate(&t, 2024, 0, N, in, &d), SC_OK);
    const struct {
        const char *where;
        double p;
    } cases[] = {{"x < 25", 25.0 / 101}, {"x BETWEEN 10 AND 19", 10.0 / 101}};
    for (size_t i = 0; i < 2; i++) {
        struct expr *pred = expr_compile(cases[i].where, in, &d);
        assert_non_null(pred);
        struct kernel_filter *f = kernel_filter_new(pred, N, &d);
        assert_non_null(f);
        assert_true(isnan(kernel_filter_selectivity(f)));
        assert_int_equal(kernel_filter_run(f, in, out, NULL, &d), SC_OK);
        double p = cases[i].p, sel = kernel_filter_selectivity(f);
        assert_true(fabs(sel - p) < 5 * sqrt(p * (1 - p) / N));
        kernel_filter_free(f);
        expr_free(pred);
    }
    batch_free(in);
    batch_free(out);
}

static void test_filter_runs_over_batches_of_any_size(void **state)
{
    (void)state;
    struct batch *small = employees(1000, 0), *big = employees(70000, 1000),
                 *empty = employees(0, 0);
    struct diag d;
    diag_clear(&d);
    struct expr *pred = expr_compile("bonus IS NULL", small, &d);
    /* Scratch for 1000 rows: the 70,000-row batch grows it. */
    struct kernel_filter *f = kernel_filter_new(pred, 1000, &d);
    struct batch *out = batch_new_like(small, 1);
    const struct batch *seq[] = {small, big, empty, small};
    int64_t in_total = 0, out_total = 0;
    for (size_t i = 0; i < 4; i++) {
        struct kernel_stats st;
        assert_int_equal(kernel_filter_run(f, seq[i], out, &st, &d), SC_OK);
        size_t want = 0;
        for (size_t r = 0; r < seq[i]->n_rows; r++)
            want += null_at(seq[i], 3, r);
        assert_int_equal(out->n_rows, want);
        assert_int_equal(st.rows_out, want);
        in_total += (int64_t)seq[i]->n_rows;
        out_total += (int64_t)want;
    }
    assert_true(kernel_filter_selectivity(f) == (double)out_total / (double)in_total);
    kernel_filter_free(f);
    expr_free(pred);

    /* An unbound predicate, a non-boolean one, are refused. */
    diag_clear(&d);
    pred = expr_parse("salary > 1", &d);
    assert_null(kernel_filter_new(pred, 10, &d));
    assert_int_equal(d.status, SC_EINTERNAL);
    expr_free(pred);
    diag_clear(&d);
    pred = expr_compile("salary + 1", small, &d);
    assert_null(kernel_filter_new(pred, 10, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_non_null(strstr(d.msg, "is int32, not boolean"));
    expr_free(pred);
    batch_free(out);
    batch_free(small);
    batch_free(big);
    batch_free(empty);
}

static void test_with_column_matches_the_reference(void **state)
{
    (void)state;
    struct batch *in = employees(ROWS, 0);
    struct diag d;
    diag_clear(&d);
    struct expr_list l;
    assert_int_equal(expr_list_with_column(&l, in, "band2",
                                           "CASE WHEN salary > 80000 THEN 'High' ELSE 'Low' END",
                                           &d),
                     SC_OK);
    struct kernel_project *p = kernel_project_new(&l, 100, &d);
    assert_non_null(p);
    struct batch *out = kernel_project_output_new(p, 0);
    assert_non_null(out);
    struct kernel_stats st;
    assert_int_equal(kernel_project_run(p, in, out, &st, &d), SC_OK);
    assert_int_equal(out->n_cols, 8);
    assert_string_equal(out->names[7], "band2");
    assert_int_equal(out->n_rows, ROWS);
    assert_int_equal(st.rows_in, ROWS);
    assert_int_equal(st.rows_out, ROWS);
    for (size_t r = 0; r < ROWS; r++) {
        for (size_t c = 0; c < 7; c++)
            assert_same_cell(&out->cols[c], r, &in->cols[c], r);
        assert_true(str_is(&out->cols[7], r, in->cols[2].i64[r] > 80000 ? "High" : "Low"));
    }
    /* A second run over other rows replaces the first's. */
    struct batch *in2 = employees(300, 5000);
    assert_int_equal(kernel_project_run(p, in2, out, NULL, &d), SC_OK);
    assert_int_equal(out->n_rows, 300);
    for (size_t r = 0; r < 300; r++)
        assert_same_cell(&out->cols[1], r, &in2->cols[1], r);
    batch_free(in2);
    batch_free(out);
    kernel_project_free(p);
    expr_list_fini(&l);
    batch_free(in);
}

static void test_select_matches_the_reference(void **state)
{
    (void)state;
    struct batch *in = employees(ROWS, 0);
    struct diag d;
    diag_clear(&d);
    struct expr_list l;
    const char *items[] = {"salary * 2 AS s2",         "bonus + 1.5 AS b",
                           "substr(dept, 1, 6) AS d6", "coalesce(bonus, 0) AS cb",
                           "year(hired) AS y",         "id",
                           "lower(band) AS lb"};
    assert_int_equal(expr_list_select(&l, in, items, 7, &d), SC_OK);
    struct kernel_project *p = kernel_project_new(&l, ROWS, &d);
    struct batch *out = kernel_project_output_new(p, ROWS);
    assert_int_equal(kernel_project_run(p, in, out, NULL, &d), SC_OK);
    assert_string_equal(out->names[5], "id");
    char buf[32];
    for (size_t r = 0; r < ROWS; r++) {
        bool bonus_null = null_at(in, 3, r), band_null = null_at(in, 4, r);
        double bonus = in->cols[3].f64[r];
        assert_int_equal(out->cols[0].i64[r], 2 * in->cols[2].i64[r]);
        assert_int_equal(null_at(out, 1, r), bonus_null);
        if (!bonus_null)
            assert_true(out->cols[1].f64[r] == bonus + 1.5);
        size_t len = (size_t)(in->cols[1].off[r + 1] - in->cols[1].off[r]);
        snprintf(buf, sizeof buf, "%.*s", (int)(len < 6 ? len : 6),
                 in->cols[1].bytes + in->cols[1].off[r]);
        assert_true(str_is(&out->cols[2], r, buf));
        assert_false(null_at(out, 3, r));
        assert_true(out->cols[3].f64[r] == (bonus_null ? 0.0 : bonus));
        assert_int_equal(out->cols[4].i64[r], year_of(in->cols[5].i64[r]));
        assert_int_equal(out->cols[5].i64[r], (int64_t)r + 1);
        assert_int_equal(null_at(out, 6, r), band_null);
        if (!band_null)
            assert_true(str_is(&out->cols[6], r, "low") || str_is(&out->cols[6], r, "mid") ||
                        str_is(&out->cols[6], r, "high"));
    }
    /* An output batch of another shape is refused. */
    struct batch *wrong = batch_new_like(in, 1);
    assert_int_equal(kernel_project_run(p, in, wrong, NULL, &d), SC_EINTERNAL);
    batch_free(wrong);
    batch_free(out);
    kernel_project_free(p);
    expr_list_fini(&l);
    batch_free(in);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_filter_matches_the_row_by_row_reference),
        cmocka_unit_test(test_filter_selectivity_matches_the_distribution),
        cmocka_unit_test(test_filter_runs_over_batches_of_any_size),
        cmocka_unit_test(test_with_column_matches_the_reference),
        cmocka_unit_test(test_select_matches_the_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
