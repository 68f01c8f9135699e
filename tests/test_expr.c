/*
 * test_expr.c — the expression language (models/expr.c): every operator and
 * function against values worked out by hand on a five-row batch, SQL's
 * NULL semantics, CASE, IN and BETWEEN, parse and type errors with their
 * positions, the named forms of select items, aggregates and window
 * functions, and evaluation mechanics (scratch growth, layouts).
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

#include "models/expr.h"

#define NUL INT64_MIN /* "this row is NULL" in an expected integer list */

/*
 * The sample batch, five rows:
 *   a      int32    1       2       3        4        NULL
 *   b      int64    10      0       -3       7        5
 *   x      double   1.5     -2.0    0.0      NULL     2.5
 *   s      string   apple   Banana  ""       NULL     cherry
 *   dt     date     2020-01-31 2020-02-29 1969-12-31 2000-03-01 NULL
 *   flag   boolean  true    false   true     NULL     false
 *   salary int32    40000   55000   80000    120000   61000
 * Dates are days since 1970-01-01: 2020-01-01 is 18262, so 2020-01-31 is
 * 18292 and 2020-02-29 is 18262 + 31 + 28 = 18321; 2000-03-01 is 10957 +
 * 31 + 29 = 11017; 1969-12-31 is -1.
 */
static struct batch *sample(void)
{
    const char *names[] = {"a", "b", "x", "s", "dt", "flag", "salary"};
    enum col_type types[] = {COL_INT32, COL_INT64,   COL_DOUBLE, COL_STRING,
                             COL_DATE,  COL_BOOLEAN, COL_INT32};
    struct batch *b = batch_new(7, names, types, 5);
    assert_non_null(b);
    const int64_t a[] = {1, 2, 3, 4, 0}, bb[] = {10, 0, -3, 7, 5};
    const double x[] = {1.5, -2.0, 0.0, 0.0, 2.5};
    const char *s[] = {"apple", "Banana", "", "", "cherry"};
    const int64_t dt[] = {18292, 18321, -1, 11017, 0}, flag[] = {1, 0, 1, 0, 0};
    const int64_t salary[] = {40000, 55000, 80000, 120000, 61000};
    for (size_t r = 0; r < 5; r++) {
        b->cols[0].i64[r] = a[r];
        b->cols[1].i64[r] = bb[r];
        b->cols[2].f64[r] = x[r];
        assert_int_equal(column_push_string(&b->cols[3], r, s[r], strlen(s[r])), 0);
        b->cols[4].i64[r] = dt[r];
        b->cols[5].i64[r] = flag[r];
        b->cols[6].i64[r] = salary[r];
    }
    assert_int_equal(column_set_null(&b->cols[0], 5, 4), 0);
    assert_int_equal(column_set_null(&b->cols[2], 5, 3), 0);
    assert_int_equal(column_set_null(&b->cols[3], 5, 3), 0);
    assert_int_equal(column_set_null(&b->cols[4], 5, 4), 0);
    assert_int_equal(column_set_null(&b->cols[5], 5, 3), 0);
    b->n_rows = 5;
    return b;
}

/* Compiles text against in, evaluates it into a fresh one-column batch. */
static struct batch *eval_text(const struct batch *in, const char *text, enum col_type want_type)
{
    struct diag d;
    diag_clear(&d);
    struct expr *e = expr_compile(text, in, &d);
    if (!e)
        fail_msg("'%s': %s", text, d.msg);
    if (expr_type(e) != want_type)
        fail_msg("'%s' is %s, expected %s", text, col_type_name(expr_type(e)),
                 col_type_name(want_type));
    /* Scratch for one row: evaluation must grow it. */
    struct expr_scratch *s = expr_scratch_new(e, 1);
    assert_non_null(s);
    const char *name = "out";
    struct batch *out = batch_new(1, &name, &want_type, 1);
    assert_non_null(out);
    if (expr_eval(e, in, s, out, 0, &d) != SC_OK)
        fail_msg("'%s': %s", text, d.msg);
    out->n_rows = in->n_rows;
    expr_scratch_free(s);
    expr_free(e);
    return out;
}

static void check_ints_in(const struct batch *in, const char *text, enum col_type t,
                          const int64_t *want)
{
    struct batch *out = eval_text(in, text, t);
    for (size_t r = 0; r < in->n_rows; r++) {
        bool null = column_is_null(&out->cols[0], r);
        if (null != (want[r] == NUL))
            fail_msg("'%s' row %zu: %s, expected %s", text, r, null ? "NULL" : "a value",
                     want[r] == NUL ? "NULL" : "a value");
        if (!null && out->cols[0].i64[r] != want[r])
            fail_msg("'%s' row %zu: %lld, expected %lld", text, r, (long long)out->cols[0].i64[r],
                     (long long)want[r]);
    }
    batch_free(out);
}

static void check_ints(const char *text, enum col_type t, const int64_t *want)
{
    struct batch *in = sample();
    check_ints_in(in, text, t, want);
    batch_free(in);
}

/* NAN in want means NULL. */
static void check_doubles(const char *text, const double *want)
{
    struct batch *in = sample();
    struct batch *out = eval_text(in, text, COL_DOUBLE);
    for (size_t r = 0; r < 5; r++) {
        bool null = column_is_null(&out->cols[0], r);
        if (null != isnan(want[r]))
            fail_msg("'%s' row %zu: NULL is %d", text, r, null);
        if (!null && fabs(out->cols[0].f64[r] - want[r]) > 1e-12)
            fail_msg("'%s' row %zu: %.17g, expected %.17g", text, r, out->cols[0].f64[r], want[r]);
    }
    batch_free(out);
    batch_free(in);
}

/* A NULL pointer in want means NULL. */
static void check_strings_in(const struct batch *in, const char *text, const char *const *want)
{
    struct batch *out = eval_text(in, text, COL_STRING);
    const struct column *c = &out->cols[0];
    for (size_t r = 0; r < in->n_rows; r++) {
        bool null = column_is_null(c, r);
        if (null != (want[r] == NULL))
            fail_msg("'%s' row %zu: NULL is %d", text, r, null);
        if (null)
            continue;
        size_t len = (size_t)(c->off[r + 1] - c->off[r]);
        if (len != strlen(want[r]) || memcmp(c->bytes + c->off[r], want[r], len) != 0)
            fail_msg("'%s' row %zu: '%.*s', expected '%s'", text, r, (int)len, c->bytes + c->off[r],
                     want[r]);
    }
    batch_free(out);
}

static void check_strings(const char *text, const char *const *want)
{
    struct batch *in = sample();
    check_strings_in(in, text, want);
    batch_free(in);
}

/* Compiling text must fail with a message containing fragment. */
static void check_error(const char *text, const char *fragment)
{
    struct batch *in = sample();
    struct diag d;
    diag_clear(&d);
    struct expr *e = expr_compile(text, in, &d);
    if (e)
        fail_msg("'%s' compiled, expected an error with \"%s\"", text, fragment);
    assert_int_equal(d.status, SC_EINPUT);
    if (!strstr(d.msg, fragment))
        fail_msg("'%s': message \"%s\" lacks \"%s\"", text, d.msg, fragment);
    batch_free(in);
}

static void test_integer_arithmetic(void **state)
{
    (void)state;
    check_ints("a + b", COL_INT64, (const int64_t[]){11, 2, 0, 11, NUL});
    check_ints("a - 1", COL_INT32, (const int64_t[]){0, 1, 2, 3, NUL});
    check_ints("a * b", COL_INT64, (const int64_t[]){10, 0, -9, 28, NUL});
    /* % keeps the dividend's sign, as in Java: -3 % 4 = -3. */
    check_ints("b % 4", COL_INT64, (const int64_t[]){2, 0, -3, 3, 1});
    check_ints("-a", COL_INT32, (const int64_t[]){-1, -2, -3, -4, NUL});
    check_ints("`a` + 2 * 3", COL_INT32, (const int64_t[]){7, 8, 9, 10, NUL});
    check_ints("(a + 1) * 2", COL_INT32, (const int64_t[]){4, 6, 8, 10, NUL});
    check_ints("1 + 2", COL_INT32, (const int64_t[]){3, 3, 3, 3, 3});
}

static void test_integer_overflow_wraps_like_spark(void **state)
{
    (void)state;
    /* int32 + int32 stays int32 and wraps: 2147483647 + 1 = -2147483648. */
    check_ints("2147483647 + a", COL_INT32,
               (const int64_t[]){INT32_MIN, INT32_MIN + 1, INT32_MIN + 2, INT32_MIN + 3, NUL});
    check_ints(
        "9223372036854775807 + b", COL_INT64,
        (const int64_t[]){INT64_MIN + 9, INT64_MAX, INT64_MAX - 3, INT64_MIN + 6, INT64_MIN + 4});
}

static void test_division_is_double_and_by_zero_is_null(void **state)
{
    (void)state;
    check_doubles("b / 4", (const double[]){2.5, 0, -0.75, 1.75, 1.25});
    check_doubles("b / a", (const double[]){10, 0, -1, 1.75, NAN});
    check_doubles("a / 0", (const double[]){NAN, NAN, NAN, NAN, NAN});
    check_ints("b % 0", COL_INT64, (const int64_t[]){NUL, NUL, NUL, NUL, NUL});
    /* 0.0 / 0.0 is NULL too; the NULL x stays NULL. */
    check_doubles("x / x", (const double[]){1, 1, NAN, NAN, 1});
    check_doubles("x % 2", (const double[]){1.5, -0.0, 0, NAN, 0.5});
}

static void test_mixed_numbers_widen_to_double(void **state)
{
    (void)state;
    check_doubles("x * 2 + a", (const double[]){4, -2, 3, NAN, NAN});
    check_doubles("-x", (const double[]){-1.5, 2, 0, NAN, -2.5});
    check_doubles("a + 0.5", (const double[]){1.5, 2.5, 3.5, 4.5, NAN});
    check_doubles("1e3", (const double[]){1000, 1000, 1000, 1000, 1000});
}

static void test_comparisons(void **state)
{
    (void)state;
    check_ints("a < 3", COL_BOOLEAN, (const int64_t[]){1, 1, 0, 0, NUL});
    check_ints("a <= 3", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 0, NUL});
    check_ints("b >= 7", COL_BOOLEAN, (const int64_t[]){1, 0, 0, 1, 0});
    check_ints("b > 7", COL_BOOLEAN, (const int64_t[]){1, 0, 0, 0, 0});
    check_ints("a = 2", COL_BOOLEAN, (const int64_t[]){0, 1, 0, 0, NUL});
    check_ints("a == 2", COL_BOOLEAN, (const int64_t[]){0, 1, 0, 0, NUL});
    check_ints("a != 2", COL_BOOLEAN, (const int64_t[]){1, 0, 1, 1, NUL});
    check_ints("a <> 2", COL_BOOLEAN, (const int64_t[]){1, 0, 1, 1, NUL});
    check_ints("x = 0", COL_BOOLEAN, (const int64_t[]){0, 0, 1, NUL, 0});
    check_ints("a < x", COL_BOOLEAN, (const int64_t[]){1, 0, 0, NUL, NUL});
    check_ints("3 > a", COL_BOOLEAN, (const int64_t[]){1, 1, 0, 0, NUL});
    /* Strings compare byte-wise: 'B' (0x42) < 'b' (0x62), "" < anything. */
    check_ints("s < 'b'", COL_BOOLEAN, (const int64_t[]){1, 1, 1, NUL, 0});
    check_ints("s = 'apple'", COL_BOOLEAN, (const int64_t[]){1, 0, 0, NUL, 0});
    check_ints("s >= 'apple'", COL_BOOLEAN, (const int64_t[]){1, 0, 0, NUL, 1});
    check_ints("'apple' < s", COL_BOOLEAN, (const int64_t[]){0, 0, 0, NUL, 1});
    /* Dates with dates or 'YYYY-MM-DD' literals. */
    check_ints("dt >= '2020-01-01'", COL_BOOLEAN, (const int64_t[]){1, 1, 0, 0, NUL});
    check_ints("dt = dt", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 1, NUL});
    check_ints("flag = TRUE", COL_BOOLEAN, (const int64_t[]){1, 0, 1, NUL, 0});
    check_ints("a = NULL", COL_BOOLEAN, (const int64_t[]){NUL, NUL, NUL, NUL, NUL});
}

static void test_and_or_not_follow_three_valued_logic(void **state)
{
    (void)state;
    /* All nine pairs: p = T T T F F F N N N, q = T F N repeated. */
    const char *names[] = {"p", "q"};
    enum col_type types[] = {COL_BOOLEAN, COL_BOOLEAN};
    struct batch *in = batch_new(2, names, types, 9);
    assert_non_null(in);
    for (size_t r = 0; r < 9; r++) {
        int pv = r < 3 ? 1 : r < 6 ? 0 : -1, qv = r % 3 == 0 ? 1 : r % 3 == 1 ? 0 : -1;
        in->cols[0].i64[r] = pv == 1;
        in->cols[1].i64[r] = qv == 1;
        if (pv < 0)
            assert_int_equal(column_set_null(&in->cols[0], 9, r), 0);
        if (qv < 0)
            assert_int_equal(column_set_null(&in->cols[1], 9, r), 0);
    }
    in->n_rows = 9;
    check_ints_in(in, "p AND q", COL_BOOLEAN, (const int64_t[]){1, 0, NUL, 0, 0, 0, NUL, 0, NUL});
    check_ints_in(in, "p OR q", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 1, 0, NUL, 1, NUL, NUL});
    check_ints_in(in, "NOT p", COL_BOOLEAN, (const int64_t[]){0, 0, 0, 1, 1, 1, NUL, NUL, NUL});
    check_ints_in(in, "NOT NOT q", COL_BOOLEAN, (const int64_t[]){1, 0, NUL, 1, 0, NUL, 1, 0, NUL});
    check_ints_in(in, "p AND NULL", COL_BOOLEAN,
                  (const int64_t[]){NUL, NUL, NUL, 0, 0, 0, NUL, NUL, NUL});
    check_ints_in(in, "p OR TRUE", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 1, 1, 1, 1, 1, 1});
    /* AND binds tighter than OR: F OR (T AND q). */
    check_ints_in(in, "FALSE OR TRUE AND q", COL_BOOLEAN,
                  (const int64_t[]){1, 0, NUL, 1, 0, NUL, 1, 0, NUL});
    batch_free(in);
}

static void test_in_lists(void **state)
{
    (void)state;
    check_ints("a IN (1, 3, 5)", COL_BOOLEAN, (const int64_t[]){1, 0, 1, 0, NUL});
    check_ints("a NOT IN (1, 3)", COL_BOOLEAN, (const int64_t[]){0, 1, 0, 1, NUL});
    /* A NULL in the list: a match is TRUE, no match is NULL, not FALSE. */
    check_ints("a IN (1, NULL)", COL_BOOLEAN, (const int64_t[]){1, NUL, NUL, NUL, NUL});
    check_ints("a NOT IN (1, NULL)", COL_BOOLEAN, (const int64_t[]){0, NUL, NUL, NUL, NUL});
    check_ints("s IN ('apple', 'cherry')", COL_BOOLEAN, (const int64_t[]){1, 0, 0, NUL, 1});
    check_ints("x IN (1.5, 2)", COL_BOOLEAN, (const int64_t[]){1, 0, 0, NUL, 0});
    /* Items may be columns: 10 in (1, 7), 0 in (2, 7), -3 in (3, 7),
     * 7 in (4, 7), 5 in (NULL, 7). */
    check_ints("b IN (a, 7)", COL_BOOLEAN, (const int64_t[]){0, 0, 0, 1, NUL});
    check_ints("dt IN ('2020-02-29', '1969-12-31')", COL_BOOLEAN,
               (const int64_t[]){0, 1, 1, 0, NUL});
}

static void test_between_and_is_null(void **state)
{
    (void)state;
    check_ints("a BETWEEN 2 AND 3", COL_BOOLEAN, (const int64_t[]){0, 1, 1, 0, NUL});
    check_ints("a NOT BETWEEN 2 AND 3", COL_BOOLEAN, (const int64_t[]){1, 0, 0, 1, NUL});
    check_ints("salary BETWEEN 50000 AND 80000 AND a > 2", COL_BOOLEAN,
               (const int64_t[]){0, 0, 1, 0, NUL});
    check_ints("a IS NULL", COL_BOOLEAN, (const int64_t[]){0, 0, 0, 0, 1});
    check_ints("s IS NOT NULL", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 0, 1});
    check_ints("a + x IS NULL", COL_BOOLEAN, (const int64_t[]){0, 0, 0, 1, 1});
    check_ints("NULL IS NULL", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 1, 1});
}

static void test_case_when(void **state)
{
    (void)state;
    check_strings("CASE WHEN salary > 80000 THEN 'High' WHEN salary > 50000 THEN 'Mid' "
                  "ELSE 'Low' END",
                  (const char *const[]){"Low", "Mid", "Mid", "High", "Mid"});
    /* No ELSE: NULL. */
    check_ints("CASE WHEN a > 2 THEN a END", COL_INT32, (const int64_t[]){NUL, NUL, 3, 4, NUL});
    /* The simple form; a NULL subject matches nothing. */
    check_strings("case a when 1 then 'one' when 2 then 'two' else 'many' end",
                  (const char *const[]){"one", "two", "many", "many", "many"});
    /* A NULL condition is not taken; int64 b widens to double with x. */
    check_doubles("CASE WHEN flag THEN x ELSE b END", (const double[]){1.5, 0, 0, 7, 5});
    check_strings("CASE WHEN a > 1 THEN s ELSE 'none' END",
                  (const char *const[]){"none", "Banana", "", NULL, "none"});
}

static void test_date_functions(void **state)
{
    (void)state;
    check_ints("year(dt)", COL_INT32, (const int64_t[]){2020, 2020, 1969, 2000, NUL});
    check_ints("month(dt)", COL_INT32, (const int64_t[]){1, 2, 12, 3, NUL});
    check_ints("YEAR('1999-12-31') + 1", COL_INT32,
               (const int64_t[]){2000, 2000, 2000, 2000, 2000});
    /* Day arithmetic on days since 1970-01-01 (2020-01-01 is day 18262):
     * dt is 18292, 18321, -1, 11017, NULL. */
    check_ints("date_add(dt, 1)", COL_DATE, (const int64_t[]){18293, 18322, 0, 11018, NUL});
    check_ints("date_sub(dt, 31)", COL_DATE,
               (const int64_t[]){18261, 18290, -32, 10986, NUL});
    check_ints("datediff(dt, '2020-01-01')", COL_INT32,
               (const int64_t[]){30, 59, -18263, -7245, NUL});
    check_ints("datediff(date_add(dt, 10), dt)", COL_INT32, (const int64_t[]){10, 10, 10, 10, NUL});
    check_ints("to_date('2020-01-01')", COL_DATE,
               (const int64_t[]){18262, 18262, 18262, 18262, 18262});
    check_ints("to_date(dt)", COL_DATE, (const int64_t[]){18292, 18321, -1, 11017, NUL});
    check_ints("DATE '2020-03-01' = date_add('2020-02-29', 1)", COL_BOOLEAN,
               (const int64_t[]){1, 1, 1, 1, 1});
}

/*
 * Timestamps: a second batch, five rows, with what each value is in
 * microseconds (timestamps) or days (dates) since 1970-01-01 00:00:00 UTC:
 *   ts  timestamp  1970-01-01 00:00:00         0
 *                  1969-12-31 23:59:59.5       -500000
 *                  2020-02-29 13:45:30         18321 d * 86400 + 49530 s
 *                                              = 1582983930 s
 *                  2024-12-31 23:59:59.999999  20088 d * 86400 + 86399 s
 *                                              = 1735689599 s + 999999 us
 *                  NULL
 *   d   date       2020-02-29 (18321), 1969-12-31 (-1), 1970-01-01 (0),
 *                  1900-01-01 (-(70 * 365 + 17 leap days) = -25567), NULL
 *   ds  string     "2020-02-29", "2021-02-29" (no such day), " 2024-1-5 ",
 *                  "2024-12-01 10:30:00", "garbage"
 * 2020-01-01 is day 18262, 2024-01-01 is 18262 + 366 + 3 * 365 = 19723, so
 * 2024-01-05 is 19727, 2024-12-01 is 19723 + 335 = 20058 and 2024-12-31 is
 * 20088.
 */
#define TS2 INT64_C(1582983930000000)
#define TS3 INT64_C(1735689599999999)
#define DAY_US INT64_C(86400000000)

static struct batch *time_sample(void)
{
    const char *names[] = {"ts", "d", "ds"};
    enum col_type types[] = {COL_TIMESTAMP, COL_DATE, COL_STRING};
    struct batch *b = batch_new(3, names, types, 5);
    assert_non_null(b);
    const int64_t ts[] = {0, -500000, TS2, TS3, 0}, d[] = {18321, -1, 0, -25567, 0};
    const char *ds[] = {"2020-02-29", "2021-02-29", " 2024-1-5 ", "2024-12-01 10:30:00", "garbage"};
    for (size_t r = 0; r < 5; r++) {
        b->cols[0].i64[r] = ts[r];
        b->cols[1].i64[r] = d[r];
        assert_int_equal(column_push_string(&b->cols[2], r, ds[r], strlen(ds[r])), 0);
    }
    assert_int_equal(column_set_null(&b->cols[0], 5, 4), 0);
    assert_int_equal(column_set_null(&b->cols[1], 5, 4), 0);
    b->n_rows = 5;
    return b;
}

static void test_timestamp_parts_are_utc_and_floor_before_1970(void **state)
{
    (void)state;
    struct batch *in = time_sample();
    /* Half a second before the epoch is still 1969-12-31 23:59:59. */
    check_ints_in(in, "year(ts)", COL_INT32, (const int64_t[]){1970, 1969, 2020, 2024, NUL});
    check_ints_in(in, "month(ts)", COL_INT32, (const int64_t[]){1, 12, 2, 12, NUL});
    check_ints_in(in, "dayofmonth(ts)", COL_INT32, (const int64_t[]){1, 31, 29, 31, NUL});
    check_ints_in(in, "day(d)", COL_INT32, (const int64_t[]){29, 31, 1, 1, NUL});
    check_ints_in(in, "hour(ts)", COL_INT32, (const int64_t[]){0, 23, 13, 23, NUL});
    check_ints_in(in, "minute(ts)", COL_INT32, (const int64_t[]){0, 59, 45, 59, NUL});
    check_ints_in(in, "second(ts)", COL_INT32, (const int64_t[]){0, 59, 30, 59, NUL});
    /* A date is its midnight: hour 0. */
    check_ints_in(in, "hour(d)", COL_INT32, (const int64_t[]){0, 0, 0, 0, NUL});
    batch_free(in);
}

static void test_casts_between_dates_timestamps_and_strings(void **state)
{
    (void)state;
    struct batch *in = time_sample();
    check_ints_in(in, "cast(ts AS date)", COL_DATE, (const int64_t[]){0, -1, 18321, 20088, NUL});
    check_ints_in(in, "CAST(d AS timestamp)", COL_TIMESTAMP,
                  (const int64_t[]){18321 * DAY_US, -DAY_US, 0, -25567 * DAY_US, NUL});
    /* Strings as Spark casts them: a day the month lacks and text that is
     * no date are NULL; blanks, one-digit fields and a time are allowed. */
    check_ints_in(in, "to_date(ds)", COL_DATE, (const int64_t[]){18321, NUL, 19727, 20058, NUL});
    check_ints_in(in, "cast(ds AS date)", COL_DATE,
                  (const int64_t[]){18321, NUL, 19727, 20058, NUL});
    /* 2024-12-01 10:30:00 is 20058 days and 37800 s. */
    check_ints_in(in, "to_timestamp(ds)", COL_TIMESTAMP,
                  (const int64_t[]){18321 * DAY_US, NUL, 19727 * DAY_US,
                                    20058 * DAY_US + INT64_C(37800000000), NUL});
    check_ints_in(in, "to_timestamp(d)", COL_TIMESTAMP,
                  (const int64_t[]){18321 * DAY_US, -DAY_US, 0, -25567 * DAY_US, NUL});
    check_ints_in(in, "to_date(ts)", COL_DATE, (const int64_t[]){0, -1, 18321, 20088, NUL});
    /* To numbers: whole seconds, floored (-0.5 s is -1). */
    check_ints_in(in, "cast(ts AS bigint)", COL_INT64,
                  (const int64_t[]){0, -1, 1582983930, 1735689599, NUL});
    check_ints_in(in, "cast('12.7' AS int) + cast(' 42 ' AS bigint)", COL_INT64,
                  (const int64_t[]){54, 54, 54, 54, 54});
    check_ints_in(in, "cast('x' AS int)", COL_INT32, (const int64_t[]){NUL, NUL, NUL, NUL, NUL});
    check_ints_in(in, "cast(86400 AS timestamp) = TIMESTAMP '1970-01-02'", COL_BOOLEAN,
                  (const int64_t[]){1, 1, 1, 1, 1});
    check_ints_in(in, "cast('yes' AS boolean)", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 1, 1});
    check_strings_in(in, "cast(ts AS string)",
                     (const char *const[]){"1970-01-01 00:00:00", "1969-12-31 23:59:59.5",
                                           "2020-02-29 13:45:30", "2024-12-31 23:59:59.999999",
                                           NULL});
    check_strings_in(
        in, "cast(d AS string)",
        (const char *const[]){"2020-02-29", "1969-12-31", "1970-01-01", "1900-01-01", NULL});
    struct batch *out = eval_text(in, "cast(ts AS double)", COL_DOUBLE);
    assert_true(out->cols[0].f64[1] == -0.5);
    assert_true(out->cols[0].f64[2] == 1582983930.0);
    batch_free(out);
    batch_free(in);
}

static void test_timestamp_literals_and_comparisons(void **state)
{
    (void)state;
    struct batch *in = time_sample();
    check_ints_in(in, "ts < TIMESTAMP '1970-01-01 00:00:00'", COL_BOOLEAN,
                  (const int64_t[]){0, 1, 0, 0, NUL});
    /* A string compared with a timestamp is cast to one; a date alone is
     * its midnight; the T form and a fraction are read. */
    check_ints_in(in, "ts = '2020-02-29 13:45:30'", COL_BOOLEAN,
                  (const int64_t[]){0, 0, 1, 0, NUL});
    check_ints_in(in, "ts > '2024-12-31'", COL_BOOLEAN, (const int64_t[]){0, 0, 0, 1, NUL});
    check_ints_in(in, "TIMESTAMP '2024-12-31T23:59:59.999999' = ts", COL_BOOLEAN,
                  (const int64_t[]){0, 0, 0, 1, NUL});
    check_ints_in(in, "ts BETWEEN '2020-01-01' AND DATE '2021-01-01'", COL_BOOLEAN,
                  (const int64_t[]){0, 0, 1, 0, NUL});
    /* A date meets a timestamp at its midnight: -0.5 s >= 1969-12-31
     * 00:00:00. */
    check_ints_in(in, "ts >= d", COL_BOOLEAN, (const int64_t[]){0, 1, 1, 1, NUL});
    /* A string column meets a date column as a date (NULL where it is
     * none). */
    check_ints_in(in, "ds = d", COL_BOOLEAN, (const int64_t[]){1, NUL, 0, 0, NUL});
    check_ints_in(in, "date_add(ts, 1)", COL_DATE, (const int64_t[]){1, 0, 18322, 20089, NUL});
    check_ints_in(in, "datediff(ts, d)", COL_INT32,
                  (const int64_t[]){-18321, 0, 18321, 20088 + 25567, NUL});
    batch_free(in);
}

static void test_date_trunc_and_trunc(void **state)
{
    (void)state;
    struct batch *in = time_sample();
    /* 1969-12-01 is day -31; 2020-02-01 is 18321 - 28 = 18293. */
    check_ints_in(in, "date_trunc('month', ts)", COL_TIMESTAMP,
                  (const int64_t[]){0, -31 * DAY_US, 18293 * DAY_US, 20058 * DAY_US, NUL});
    check_ints_in(in, "date_trunc('HOUR', ts)", COL_TIMESTAMP,
                  (const int64_t[]){0, -INT64_C(3600000000), INT64_C(1582981200000000),
                                    INT64_C(1735686000000000), NUL});
    /* 1969-01-01 is day -365. */
    check_ints_in(in, "trunc(d, 'year')", COL_DATE, (const int64_t[]){18262, -365, 0, -25567, NUL});
    /* Weeks start on Monday: 1970-01-01 was a Thursday, so day z is
     * (z + 3) mod 7 days after a Monday: 2020-02-29 (a Saturday) goes back
     * 5 days, 1969-12-31 (a Wednesday) 2, and 1900-01-01 was a Monday. */
    check_ints_in(in, "trunc(d, 'week')", COL_DATE, (const int64_t[]){18316, -3, -3, -25567, NUL});
    check_ints_in(in, "trunc(d, 'quarter')", COL_DATE,
                  (const int64_t[]){18262, -92, 0, -25567, NUL});
    batch_free(in);
}

static void test_time_errors_name_the_text(void **state)
{
    (void)state;
    struct batch *in = time_sample();
    static const struct {
        const char *text, *fragment;
    } cases[] = {
        {"ts > TIMESTAMP '2024-02-30 10:00:00'", "'2024-02-30 10:00:00' at position 16 is not a "
                                                 "timestamp"},
        {"ts > '2024-01-01 25:00:00'", "'2024-01-01 25:00:00' at position 6 is not a timestamp"},
        {"cast(d AS int)", "CAST at position 1 cannot make date (position 6) a int32"},
        {"cast(ts AS varchar)", "CAST at position 1: unknown type 'varchar' at position 12"},
        {"date_trunc('fortnight', ts)", "date_trunc() at position 1: unknown unit 'fortnight'"},
        {"trunc(d, 'hour')", "unknown unit 'hour'"},
        {"cast(ts date)", "expected AS of CAST at position 9"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct diag d;
        diag_clear(&d);
        struct expr *e = expr_compile(cases[i].text, in, &d);
        if (e)
            fail_msg("'%s' compiled", cases[i].text);
        if (!strstr(d.msg, cases[i].fragment))
            fail_msg("'%s': \"%s\" lacks \"%s\"", cases[i].text, d.msg, cases[i].fragment);
    }
    batch_free(in);
}

static void test_string_functions(void **state)
{
    (void)state;
    check_strings("substr(s, 2, 3)", (const char *const[]){"ppl", "ana", "", NULL, "her"});
    /* Spark's documented examples, then the edges of its rule. */
    const char *spark[][2] = {
        {"substr('Spark SQL', 5)", "k SQL"},
        {"substr('Spark SQL', -3)", "SQL"},
        {"substr('Spark SQL', 5, 1)", "k"},
        {"substring('Spark SQL', 0, 2)", "Sp"},
        {"substr('Spark SQL', -20, 22)", "Spark SQL"},
        {"substr('abc', 2, -1)", ""},
        {"substr('abc', 4)", ""},
        {"substr('abc', -20, 2)", ""},
    };
    for (size_t i = 0; i < sizeof spark / sizeof spark[0]; i++) {
        const char *w = spark[i][1];
        check_strings(spark[i][0], (const char *const[]){w, w, w, w, w});
    }
    check_strings("lower(s)", (const char *const[]){"apple", "banana", "", NULL, "cherry"});
    check_strings("upper(s)", (const char *const[]){"APPLE", "BANANA", "", NULL, "CHERRY"});
    check_strings("'it''s'", (const char *const[]){"it's", "it's", "it's", "it's", "it's"});
    check_strings("s", (const char *const[]){"apple", "Banana", "", NULL, "cherry"});
}

static void test_coalesce_abs_round(void **state)
{
    (void)state;
    check_ints("coalesce(a, b)", COL_INT64, (const int64_t[]){1, 2, 3, 4, 5});
    check_ints("coalesce(NULL, a)", COL_INT32, (const int64_t[]){1, 2, 3, 4, NUL});
    check_doubles("coalesce(x, a, 0)", (const double[]){1.5, -2, 0, 4, 2.5});
    check_strings("coalesce(s, 'none')",
                  (const char *const[]){"apple", "Banana", "", "none", "cherry"});
    check_ints("abs(b)", COL_INT64, (const int64_t[]){10, 0, 3, 7, 5});
    check_doubles("abs(x)", (const double[]){1.5, 2, 0, NAN, 2.5});
    /* HALF_UP: halves away from zero; 2.675 is taken as written. */
    const struct {
        const char *text;
        double want;
    } rd[] = {{"round(2.5)", 3},           {"round(-2.5)", -3}, {"round(2.675, 2)", 2.68},
              {"round(1.2345, 3)", 1.235}, {"round(-0.5)", -1}, {"round(123.456, -1)", 120}};
    for (size_t i = 0; i < sizeof rd / sizeof rd[0]; i++) {
        double w = rd[i].want;
        check_doubles(rd[i].text, (const double[]){w, w, w, w, w});
    }
    check_ints("round(1250, -2)", COL_INT32, (const int64_t[]){1300, 1300, 1300, 1300, 1300});
    check_ints("round(-1249, -2)", COL_INT32, (const int64_t[]){-1200, -1200, -1200, -1200, -1200});
    check_ints("round(b)", COL_INT64, (const int64_t[]){10, 0, -3, 7, 5});
    check_doubles("round(x, 0)", (const double[]){2, -2, 0, NAN, 3});
}

static void test_literals_and_null_typing(void **state)
{
    (void)state;
    check_ints("TRUE", COL_BOOLEAN, (const int64_t[]){1, 1, 1, 1, 1});
    check_ints("NULL", COL_BOOLEAN, (const int64_t[]){NUL, NUL, NUL, NUL, NUL});
    check_ints("NULL + a", COL_INT32, (const int64_t[]){NUL, NUL, NUL, NUL, NUL});
    check_ints("-2147483648", COL_INT32,
               (const int64_t[]){INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN});
    check_ints(
        "2147483648", COL_INT64,
        (const int64_t[]){2147483648LL, 2147483648LL, 2147483648LL, 2147483648LL, 2147483648LL});
}

static void test_parse_errors_name_the_position(void **state)
{
    (void)state;
    check_error("salary >", "at position 9, found the end of the expression");
    check_error("(a + 1", "expected ')' at position 7 to close the '(' at position 1");
    check_error("a + 'abc", "unterminated string starting at position 5");
    check_error("a = = 1", "at position 5, found '='");
    check_error("a b", "unexpected 'b' at position 3");
    check_error("a + 1)", "unmatched ')' at position 6");
    check_error("a # 1", "unexpected character '#' at position 3");
    check_error("foo(a)", "unknown function 'foo' at position 1");
    check_error("a > 1 AND avg(a) > 1", "avg() at position 11 is an aggregate");
    check_error("a AS b", "alias (AS at position 3) is not allowed");
    check_error("END + 1", "keyword 'END'");
    check_error("99999999999999999999", "out of range");
    check_error("substr(s)", "substr() at position 1 takes 2 to 3 arguments, not 1");
    check_error("a IN ()", "IN at position 3 needs at least one value");
    check_error("CASE WHEN a > 1 THEN 2", "expected WHEN, ELSE or END at position 23");
    check_error("a BETWEEN 1 OR 2", "expected AND of BETWEEN at position 13");
    check_error("a IS 1", "expected NULL or NOT NULL at position 6");
    check_error("1.5.5", "malformed number at position 1");
    /* Positions count characters, not bytes: 'é' takes two bytes. */
    check_error("s = 'é' AND salry > 1", "unknown column 'salry' at position 13");
    char deep[700];
    memset(deep, '(', 300);
    deep[300] = 'a';
    memset(deep + 301, ')', 300);
    deep[601] = '\0';
    check_error(deep, "nested too deeply");
}

/*
 * A chain of operators makes the tree as deep as the chain, and binding,
 * evaluating and freeing recurse that deep: 20,000 terms of "1+1+..."
 * overflowed the stack (found while reducing a fuzz_expr timeout). A chain
 * counts toward the 256 levels nesting has: the outermost OR level is one,
 * so 255 operators fit and the 256th, at character 2 x 256 = 512 of
 * "1+1+...", is refused.
 */
static void test_long_operator_chains_are_refused_not_overflowed(void **state)
{
    (void)state;
    enum { TERMS = 20000 };
    char *text = malloc(2 * TERMS + 1);
    assert_non_null(text);
    text[0] = '1';
    for (size_t i = 1; i < TERMS; i++)
        memcpy(text + 2 * i - 1, "+1", 2);
    text[2 * TERMS - 1] = '\0';
    check_error(text, "too many operators in a row at position 512: at most 256");
    text[2 * 256 - 1] = '\0'; /* 256 terms, 255 operators */
    struct batch *in = sample();
    struct diag d;
    diag_clear(&d);
    struct expr *e = expr_compile(text, in, &d);
    if (!e)
        fail_msg("255 operators: %s", d.msg);
    expr_free(e);
    batch_free(in);
    /* The same for AND and OR chains: 300 comparisons. */
    size_t n = 0;
    char *bools = malloc(300 * 12 + 1);
    assert_non_null(bools);
    for (int i = 0; i < 300; i++)
        n += (size_t)sprintf(bools + n, i ? " OR a = %d" : "a = %d", i % 10);
    check_error(bools, "too many operators in a row");
    free(bools);
    free(text);
}

/*
 * Spark adds days to a date as Ints: a bigint of days is cast to an Int
 * (its low 32 bits: 9223372036854775807 is -1), so 1970-01-02 (day 1)
 * plus it is day 0, and day 1 minus INT64_MIN (low bits 0) is day 1. Both
 * overflowed int64 before (found by fuzz_expr: date_add(ts, b)).
 */
static void test_date_arithmetic_wraps_as_ints(void **state)
{
    (void)state;
    const int64_t zero[] = {0, 0, 0, 0, 0}, one[] = {1, 1, 1, 1, 1};
    check_ints("date_add(DATE '1970-01-02', 9223372036854775807)", COL_DATE, zero);
    check_ints("date_sub(DATE '1970-01-02', -9223372036854775807 - 1)", COL_DATE, one);
}

/* "(T + T)" of depth k with "-9" at the leaves, into o; returns its length. */
static size_t balanced_sum(char *o, int k)
{
    if (k == 0) {
        memcpy(o, "-9", 2);
        return 2;
    }
    size_t n = 0;
    o[n++] = '(';
    n += balanced_sum(o + n, k - 1);
    memcpy(o + n, " + ", 3);
    n += 3;
    n += balanced_sum(o + n, k - 1);
    o[n++] = ')';
    return n;
}

/*
 * A long expression that is not deep: a balanced sum of 2^14 = 16,384
 * terms of -9 (115 KB of text, 15 levels deep). Every unary minus and
 * binary operator used to count the characters from the start of the text
 * for its position, so parsing was quadratic in the length (5 s of CPU
 * here before; a 2,400-byte fuzz_expr input of minus signs took over a
 * second under the sanitizers). The value is checked, not the time
 * (timings live in bench/): -9 x 16,384 = -147,456 on every row.
 */
static void test_long_expressions_parse_in_linear_time(void **state)
{
    (void)state;
    char *text = malloc((size_t)8 << 15);
    assert_non_null(text);
    text[balanced_sum(text, 14)] = '\0';
    const int64_t want[] = {-147456, -147456, -147456, -147456, -147456};
    check_ints(text, COL_INT32, want);
    free(text);
}

static void test_unknown_columns_are_named_with_a_suggestion(void **state)
{
    (void)state;
    check_error("salry > 1", "unknown column 'salry' at position 1; did you mean 'salary'?");
    check_error("a + Salary", "did you mean 'salary'? (column names are case-sensitive)");
    check_error("zzzz > 1", "unknown column 'zzzz' at position 1; the columns are a, b, x, s");
}

static void test_type_errors_say_what_was_expected(void **state)
{
    (void)state;
    check_error("s + 1",
                "'+' at position 3 needs numbers; its left operand is string (position 1)");
    check_error("a = 'x'",
                "'=' at position 3 cannot compare int32 (position 1) with string (position 5)");
    check_error(
        "year(a)",
        "year() at position 1 needs a date or timestamp as its first argument, found int32");
    check_error("hour(flag)", "hour() at position 1 needs a date or timestamp as its first");
    check_error("date_add(dt, x)", "date_add() at position 1 needs an integer as its second");
    check_error("DATE '2020-02-30' < dt", "'2020-02-30' at position 6 is not a date");
    check_error("a AND flag", "AND at position 3 needs a boolean left operand, found int32");
    check_error("NOT s", "NOT at position 1 needs a boolean operand, found string");
    check_error("dt = '2020-13-01'", "'2020-13-01' at position 6 is not a date");
    check_error("CASE WHEN a THEN 1 END", "WHEN at position 11 needs a boolean condition");
    check_error("CASE WHEN flag THEN 1 ELSE 'x' END", "CASE at position 1 cannot mix int32");
    check_error("round(x, a)", "round() at position 1 needs an integer literal");
    check_error("substr(s, 'a')", "substr() at position 1 needs an integer as its second argument");
    check_error("x IN (1, 'a')", "IN at position 3 cannot mix");
    check_error("-s", "'-' at position 1 needs a number, found string");
    check_error("abs(flag)", "abs() at position 1 needs a number, found boolean");
    check_error("coalesce(a, s)", "coalesce() at position 1 cannot mix int32");
}

static void test_items_and_aliases(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    struct expr_item it;
    assert_int_equal(expr_item_parse("a + 1 AS a1", &it, &d), SC_OK);
    assert_string_equal(it.alias, "a1");
    assert_string_equal(expr_text(it.e), "a + 1");
    assert_null(expr_column_name(it.e));
    expr_item_fini(&it);
    assert_int_equal(expr_item_parse("salary", &it, &d), SC_OK);
    assert_string_equal(it.alias, "salary");
    assert_string_equal(expr_column_name(it.e), "salary");
    expr_item_fini(&it);
    assert_int_equal(expr_item_parse("  a*2 ", &it, &d), SC_OK);
    assert_string_equal(it.alias, "a*2");
    expr_item_fini(&it);
    assert_int_equal(expr_item_parse("x as `my col`", &it, &d), SC_OK);
    assert_string_equal(it.alias, "my col");
    expr_item_fini(&it);
    assert_int_equal(expr_item_parse("a AS", &it, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "expected a name after AS at position 5"));
    assert_null(it.e);
    diag_clear(&d);
    assert_int_equal(expr_item_parse("a AS b c", &it, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "unexpected 'c' at position 8"));
}

static void test_aggregate_calls(void **state)
{
    (void)state;
    struct batch *in = sample();
    struct diag d;
    diag_clear(&d);
    const struct {
        const char *text;
        enum expr_fn fn;
        const char *arg, *alias;
        enum col_type type;
    } ok[] = {
        {"count(a) AS n", EXPR_FN_COUNT, "a", "n", COL_INT64},
        {"avg(salary) AS avg_salary", EXPR_FN_AVG, "salary", "avg_salary", COL_DOUBLE},
        {"count(DISTINCT s) AS d", EXPR_FN_COUNT_DISTINCT, "s", "d", COL_INT64},
        {"max(salary)", EXPR_FN_MAX, "salary", "max(salary)", COL_INT32},
        {"min(s)", EXPR_FN_MIN, "s", "min(s)", COL_STRING},
        {"count(*)", EXPR_FN_COUNT, NULL, "count(1)", COL_INT64},
        {"COUNT(distinct a)", EXPR_FN_COUNT_DISTINCT, "a", "count(DISTINCT a)", COL_INT64},
        {"sum(a)", EXPR_FN_SUM, "a", "sum(a)", COL_INT64},
        {"sum(x * 2) AS s2", EXPR_FN_SUM, "x * 2", "s2", COL_DOUBLE},
        {"mean(b)", EXPR_FN_AVG, "b", "avg(b)", COL_DOUBLE},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct expr_call c;
        if (expr_call_parse_agg(ok[i].text, &c, &d) != SC_OK || expr_call_bind(&c, in, &d) != SC_OK)
            fail_msg("'%s': %s", ok[i].text, d.msg);
        assert_int_equal(c.fn, ok[i].fn);
        assert_string_equal(c.alias, ok[i].alias);
        if (ok[i].arg)
            assert_string_equal(expr_text(c.arg), ok[i].arg);
        else
            assert_null(c.arg);
        assert_int_equal(expr_call_type(&c), ok[i].type);
        expr_call_fini(&c);
    }
    const struct {
        const char *text, *fragment;
    } bad[] = {
        {"median(x)", "unknown aggregate 'median' at position 1"},
        {"row_number() AS rn", "row_number() at position 1 is a window function"},
        {"sum(DISTINCT x)", "DISTINCT at position 5 is supported only in count"},
        {"count(a", "expected ')' at position 8"},
        {"count(a) n", "unexpected 'n' at position 10"},
        {"a + 1", "expected an aggregate such as count(x) or avg(x) at position 1"},
        {"sum(s)", "sum() needs a number; its argument at position 5 is string"},
        {"max(salry)", "unknown column 'salry' at position 5; did you mean 'salary'?"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct expr_call c;
        diag_clear(&d);
        enum sc_status st = expr_call_parse_agg(bad[i].text, &c, &d);
        if (st == SC_OK) {
            st = expr_call_bind(&c, in, &d);
            expr_call_fini(&c);
        }
        assert_int_equal(st, SC_EINPUT);
        if (!strstr(d.msg, bad[i].fragment))
            fail_msg("'%s': \"%s\" lacks \"%s\"", bad[i].text, d.msg, bad[i].fragment);
    }
    batch_free(in);
}

static void test_window_calls(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    const struct {
        const char *text;
        enum expr_fn fn;
        const char *alias;
    } ok[] = {
        {"row_number() AS rn", EXPR_FN_ROW_NUMBER, "rn"},
        {"rank() AS r", EXPR_FN_RANK, "r"},
        {"dense_rank()", EXPR_FN_DENSE_RANK, "dense_rank()"},
        {"sum(x) AS s", EXPR_FN_SUM, "s"},
        {"avg(x) AS a", EXPR_FN_AVG, "a"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct expr_call c;
        if (expr_call_parse_window(ok[i].text, &c, &d) != SC_OK)
            fail_msg("'%s': %s", ok[i].text, d.msg);
        assert_int_equal(c.fn, ok[i].fn);
        assert_string_equal(c.alias, ok[i].alias);
        assert_true((c.arg == NULL) == (ok[i].fn >= EXPR_FN_ROW_NUMBER));
        expr_call_fini(&c);
    }
    struct expr_call c;
    assert_int_equal(expr_call_parse_window("row_number(x)", &c, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "expected ')' (no argument) at position 12"));
    diag_clear(&d);
    assert_int_equal(expr_call_parse_window("ntile(4)", &c, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "unknown window function 'ntile'"));
}

static void test_lists_for_select_and_with_column(void **state)
{
    (void)state;
    struct batch *in = sample();
    struct diag d;
    diag_clear(&d);
    struct expr_list l;
    const char *cols[] = {"a", "b * 2 AS b2", "upper(s)"};
    assert_int_equal(expr_list_select(&l, in, cols, 3, &d), SC_OK);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[1].alias, "b2");
    assert_string_equal(l.items[2].alias, "upper(s)");
    struct batch *out = expr_list_batch_new(&l, 4);
    assert_non_null(out);
    assert_string_equal(out->names[1], "b2");
    assert_int_equal(out->cols[0].type, COL_INT32);
    assert_int_equal(out->cols[1].type, COL_INT64);
    assert_int_equal(out->cols[2].type, COL_STRING);
    batch_free(out);
    expr_list_fini(&l);

    const char *bad[] = {"a", "b + zz"};
    assert_int_equal(expr_list_select(&l, in, bad, 2, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "item 2 (\"b + zz\"): unknown column 'zz' at position 5"));
    assert_int_equal(l.n, 0);
    diag_clear(&d);

    /* Replacing a column keeps its place; a new one goes last. */
    assert_int_equal(expr_list_with_column(&l, in, "a", "a * 10", &d), SC_OK);
    assert_int_equal(l.n, 7);
    assert_string_equal(l.items[0].alias, "a");
    assert_string_equal(expr_text(l.items[0].e), "a * 10");
    assert_string_equal(expr_column_name(l.items[6].e), "salary");
    expr_list_fini(&l);
    assert_int_equal(expr_list_with_column(&l, in, "band", "salary > 50000", &d), SC_OK);
    assert_int_equal(l.n, 8);
    assert_string_equal(l.items[7].alias, "band");
    assert_int_equal(expr_type(l.items[7].e), COL_BOOLEAN);
    expr_list_fini(&l);
    assert_int_equal(expr_list_with_column(&l, in, "c", "nope + 1", &d), SC_EINPUT);
    batch_free(in);
}

static void test_refs_binding_and_layout_checks(void **state)
{
    (void)state;
    struct batch *in = sample();
    struct diag d;
    diag_clear(&d);
    struct expr *e = expr_parse("a + b * a > salary", &d);
    assert_non_null(e);
    assert_int_equal(expr_n_refs(e), 3);
    assert_string_equal(expr_ref(e, 0), "a");
    assert_string_equal(expr_ref(e, 1), "b");
    assert_string_equal(expr_ref(e, 2), "salary");
    assert_null(expr_ref(e, 3));
    assert_int_equal(expr_bind(e, in, &d), SC_OK);
    assert_int_equal(expr_bind(e, in, &d), SC_EINTERNAL);
    diag_clear(&d);

    /* A batch whose column 0 is not 'a' any more. */
    const char *names[] = {"b", "a"};
    enum col_type types[] = {COL_INT64, COL_INT32};
    struct batch *other = batch_new(2, names, types, 2);
    struct expr_scratch *s = expr_scratch_new(e, 2);
    size_t sel[5], n_sel = 0;
    assert_int_equal(expr_select(e, other, s, sel, &n_sel, &d), SC_EINTERNAL);
    diag_clear(&d);
    /* a + b*a > salary: 11 > 40000 ... all false; row 4 NULL. */
    assert_int_equal(expr_select(e, in, s, sel, &n_sel, &d), SC_OK);
    assert_int_equal(n_sel, 0);
    expr_scratch_free(s);
    expr_free(e);

    /* A non-boolean predicate, an output column of the wrong type. */
    e = expr_compile("a + 1", in, &d);
    s = expr_scratch_new(e, 5);
    assert_int_equal(expr_select(e, in, s, sel, &n_sel, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "is int32, not boolean"));
    diag_clear(&d);
    assert_int_equal(expr_eval(e, in, s, other, 0, &d), SC_EINTERNAL);
    expr_scratch_free(s);
    expr_free(e);

    e = expr_compile("a > 1 OR s = 'cherry'", in, &d);
    s = expr_scratch_new(e, 5);
    assert_int_equal(expr_select(e, in, s, sel, &n_sel, &d), SC_OK);
    /* Rows 1, 2, 3 (a > 1) and 4 (NULL OR TRUE is TRUE). */
    assert_int_equal(n_sel, 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(sel[i], i + 1);
    expr_scratch_free(s);
    expr_free(e);
    batch_free(other);
    batch_free(in);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_arithmetic),
        cmocka_unit_test(test_integer_overflow_wraps_like_spark),
        cmocka_unit_test(test_division_is_double_and_by_zero_is_null),
        cmocka_unit_test(test_mixed_numbers_widen_to_double),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_and_or_not_follow_three_valued_logic),
        cmocka_unit_test(test_in_lists),
        cmocka_unit_test(test_between_and_is_null),
        cmocka_unit_test(test_case_when),
        cmocka_unit_test(test_date_functions),
        cmocka_unit_test(test_timestamp_parts_are_utc_and_floor_before_1970),
        cmocka_unit_test(test_casts_between_dates_timestamps_and_strings),
        cmocka_unit_test(test_timestamp_literals_and_comparisons),
        cmocka_unit_test(test_date_trunc_and_trunc),
        cmocka_unit_test(test_time_errors_name_the_text),
        cmocka_unit_test(test_string_functions),
        cmocka_unit_test(test_coalesce_abs_round),
        cmocka_unit_test(test_literals_and_null_typing),
        cmocka_unit_test(test_parse_errors_name_the_position),
        cmocka_unit_test(test_long_operator_chains_are_refused_not_overflowed),
        cmocka_unit_test(test_long_expressions_parse_in_linear_time),
        cmocka_unit_test(test_date_arithmetic_wraps_as_ints),
        cmocka_unit_test(test_unknown_columns_are_named_with_a_suggestion),
        cmocka_unit_test(test_type_errors_say_what_was_expected),
        cmocka_unit_test(test_items_and_aliases),
        cmocka_unit_test(test_aggregate_calls),
        cmocka_unit_test(test_window_calls),
        cmocka_unit_test(test_lists_for_select_and_with_column),
        cmocka_unit_test(test_refs_binding_and_layout_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
