/*
 * fuzz_expr.c — libFuzzer harness for the expression language
 * (models/expr*.c): the input is one expression's text, parsed as a bare
 * expression, a select item, an aggregate and a window call; each that
 * parses is bound against a seven-column batch of every column type and,
 * when it binds, evaluated over its five rows (a predicate is also used as
 * a filter), as the planner and the calibration kernels use them.
 *
 * Bounds: inputs over 4 KiB are skipped (a scenario's expressions are a
 * line long; the parser's work is linear in the text but its recursion
 * depth is not bounded by anything else), and text with a NUL byte, which
 * no scenario string can hold.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "models/expr.h"
#include "tests/fuzz/fuzz_harness.h"

#define ROWS 5

/* The batch expressions are bound to and evaluated over: every column
 * type, each with a NULL, strings with an empty one and a non-ASCII one,
 * integers at their extremes (overflow must wrap, as in Spark). */
static struct batch *sample_batch(void)
{
    const char *names[] = {"a", "b", "x", "s", "dt", "flag", "ts"};
    const enum col_type types[] = {COL_INT32, COL_INT64,   COL_DOUBLE,   COL_STRING,
                                   COL_DATE,  COL_BOOLEAN, COL_TIMESTAMP};
    struct batch *b = batch_new(7, names, types, ROWS);
    if (!b)
        return NULL;
    const int64_t a[ROWS] = {1, -2, INT32_MAX, INT32_MIN, 0};
    const int64_t bb[ROWS] = {10, 0, INT64_MAX, INT64_MIN, 5};
    const double x[ROWS] = {1.5, -2.0, 0.0, 1e308, 0.0};
    const char *s[ROWS] = {"apple", "", "\xc3\xa9t\xc3\xa9", "2020-02-29", ""};
    const int64_t dt[ROWS] = {18292, -1, 2932896, -719162, 0};
    const int64_t flag[ROWS] = {1, 0, 1, 0, 0};
    const int64_t ts[ROWS] = {1580428800000000LL, -1, INT64_MAX / 2, 0, 0};
    for (size_t r = 0; r < ROWS; r++) {
        b->cols[0].i64[r] = a[r];
        b->cols[1].i64[r] = bb[r];
        b->cols[2].f64[r] = x[r];
        if (column_push_string(&b->cols[3], r, s[r], strlen(s[r])) != 0) {
            batch_free(b);
            return NULL;
        }
        b->cols[4].i64[r] = dt[r];
        b->cols[5].i64[r] = flag[r];
        b->cols[6].i64[r] = ts[r];
    }
    for (size_t c = 0; c < 7; c++)
        if (column_set_null(&b->cols[c], ROWS, 4) != 0) {
            batch_free(b);
            return NULL;
        }
    b->n_rows = ROWS;
    return b;
}

/* Evaluates bound e over in, as a column and, when boolean, as a filter. */
static void evaluate(const struct expr *e, const struct batch *in)
{
    struct diag d;
    diag_clear(&d);
    struct expr_scratch *s = expr_scratch_new(e, 1); /* evaluation grows it */
    const char *name = "out";
    enum col_type t = expr_type(e);
    struct batch *out = batch_new(1, &name, &t, 1);
    if (s && out && expr_eval(e, in, s, out, 0, &d) == SC_OK)
        out->n_rows = in->n_rows;
    if (s && t == COL_BOOLEAN) {
        size_t sel[ROWS], n_sel = 0;
        if (expr_select(e, in, s, sel, &n_sel, &d) == SC_OK && n_sel > in->n_rows)
            __builtin_trap();
    }
    batch_free(out);
    expr_scratch_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (!text)
        return 0;
    struct batch *in = sample_batch();
    if (!in) {
        free(text);
        return 0;
    }
    struct diag d;
    diag_clear(&d);

    struct expr *e = expr_compile(text, in, &d);
    fuzz_note(e ? "bound" : "refused", &d);
    if (e) {
        evaluate(e, in);
        (void)expr_column_name(e);
        for (size_t i = 0; i < expr_n_refs(e); i++)
            (void)expr_ref(e, i);
        expr_free(e);
    }

    /* A select list of one item, and with_column's replacing and appending. */
    struct expr_list l;
    memset(&l, 0, sizeof l);
    const char *items[] = {text};
    if (expr_list_select(&l, in, items, 1, &d) == SC_OK) {
        struct batch *ob = expr_list_batch_new(&l, ROWS);
        if (ob && l.n == 1)
            evaluate(l.items[0].e, in);
        batch_free(ob);
    }
    expr_list_fini(&l);
    if (expr_list_with_column(&l, in, "x", text, &d) == SC_OK)
        expr_list_fini(&l);
    if (expr_list_with_column(&l, in, "new", text, &d) == SC_OK)
        expr_list_fini(&l);

    /* As group_by's aggregate and window's function. */
    struct expr_call c;
    if (expr_call_parse_agg(text, &c, &d) == SC_OK) {
        if (expr_call_bind(&c, in, &d) == SC_OK)
            (void)expr_call_type(&c);
        expr_call_fini(&c);
    }
    if (expr_call_parse_window(text, &c, &d) == SC_OK) {
        if (expr_call_bind(&c, in, &d) == SC_OK)
            (void)expr_call_type(&c);
        expr_call_fini(&c);
    }
    batch_free(in);
    free(text);
    return 0;
}
