/*
 * window.c — window functions (see window.h): Spark's WindowExec, which
 * follows a hash exchange on the PARTITION BY keys and a SortExec. In the
 * flow the calibrator times it (after sort.c) to price a window stage.
 *
 * One pass over the sorted rows finds partition boundaries (a partition
 * key differs from the previous row's, null equal to null) and, inside a
 * partition, peer groups (all ORDER BY values equal). Every function is then
 * a function of (position in partition, peer group): row_number counts rows,
 * rank is the row number of the peer group's first row, a running sum adds
 * a whole peer group before writing it to each of its rows.
 */
#include "models/kernels/window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/keys.h"

enum sc_status window_check(const struct window_spec *spec, const struct batch *in, struct diag *d)
{
    for (size_t k = 0; k < spec->n_partition; k++)
        if (spec->partition_by[k] < 0 || (size_t)spec->partition_by[k] >= in->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "window partition column %d out of range",
                            spec->partition_by[k]);
    for (size_t k = 0; k < spec->n_order; k++)
        if (spec->order_by[k].col < 0 || (size_t)spec->order_by[k].col >= in->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "window order column %d out of range",
                            spec->order_by[k].col);
    for (size_t c = 0; c < spec->n_calls; c++) {
        const struct window_call *w = &spec->calls[c];
        if (w->func == WIN_ROW_NUMBER || w->func == WIN_RANK) {
            if (spec->n_order == 0)
                return diag_set(d, SC_EINPUT, NULL, 0, "%s() needs an ORDER BY in its window",
                                w->func == WIN_RANK ? "rank" : "row_number");
            continue;
        }
        if (w->col < 0 || (size_t)w->col >= in->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "window function column %d out of range",
                            w->col);
        if (in->cols[w->col].type == COL_STRING)
            return diag_set(d, SC_EINPUT, NULL, 0, "%s(%s): a string has no sum",
                            w->func == WIN_SUM ? "sum" : "avg", in->names[w->col]);
    }
    return SC_OK;
}

static enum col_type call_type(const struct window_call *w, const struct batch *in)
{
    switch (w->func) {
    case WIN_ROW_NUMBER:
    case WIN_RANK: return COL_INT32;
    case WIN_SUM:
        return col_type_storage(in->cols[w->col].type) == STORE_INT ? COL_INT64 : COL_DOUBLE;
    case WIN_AVG: return COL_DOUBLE;
    }
    return COL_INT64;
}

struct batch *window_output_new(const struct window_spec *spec, const struct batch *in,
                                size_t cap_rows)
{
    size_t n = in->n_cols + spec->n_calls;
    const char **names = calloc(n + 1, sizeof *names);
    enum col_type *types = calloc(n + 1, sizeof *types);
    char(*buf)[160] = calloc(spec->n_calls + 1, sizeof *buf);
    struct batch *b = NULL;
    if (names && types && buf) {
        for (size_t c = 0; c < in->n_cols; c++) {
            names[c] = in->names[c];
            types[c] = in->cols[c].type;
        }
        for (size_t k = 0; k < spec->n_calls; k++) {
            const struct window_call *w = &spec->calls[k];
            if (w->alias)
                snprintf(buf[k], sizeof buf[k], "%s", w->alias);
            else if (w->func == WIN_ROW_NUMBER || w->func == WIN_RANK)
                snprintf(buf[k], sizeof buf[k], "%s()",
                         w->func == WIN_RANK ? "rank" : "row_number");
            else
                snprintf(buf[k], sizeof buf[k], "%s(%s)", w->func == WIN_SUM ? "sum" : "avg",
                         (w->col >= 0 && (size_t)w->col < in->n_cols) ? in->names[w->col] : "?");
            names[in->n_cols + k] = buf[k];
            types[in->n_cols + k] =
                (w->func == WIN_SUM && (w->col < 0 || (size_t)w->col >= in->n_cols))
                    ? COL_INT64
                    : call_type(w, in);
        }
        b = batch_new(n, names, types, cap_rows);
    }
    free(names);
    free(types);
    free(buf);
    return b;
}

static int same_keys(const struct batch *b, const int *cols, size_t n, size_t r1, size_t r2)
{
    for (size_t k = 0; k < n; k++)
        if (!keys_equal(&b->cols[cols[k]], r1, &b->cols[cols[k]], r2))
            return 0;
    return 1;
}

static int same_order(const struct batch *b, const struct window_spec *spec, size_t r1, size_t r2)
{
    for (size_t k = 0; k < spec->n_order; k++) {
        const struct column *c = &b->cols[spec->order_by[k].col];
        if (!keys_equal(c, r1, c, r2))
            return 0;
    }
    return 1;
}

/* Sums (int64 or double) and non-null counts of column c over rows
 * [from, to). */
static void frame_add(const struct column *c, size_t from, size_t to, int64_t *isum, double *dsum,
                      int64_t *n)
{
    for (size_t r = from; r < to; r++) {
        if (column_is_null(c, r))
            continue;
        if (col_type_storage(c->type) == STORE_INT) {
            *isum = (int64_t)((uint64_t)*isum + (uint64_t)c->i64[r]);
            *dsum += (double)c->i64[r];
        } else {
            *dsum += c->f64[r];
        }
        (*n)++;
    }
}

/* Writes the value of a sum/avg over a frame to rows [from, to) of out. */
static int put_agg(const struct window_call *w, const struct column *in_col, struct column *oc,
                   size_t cap, size_t from, size_t to, int64_t isum, double dsum, int64_t n)
{
    int ok = n > 0;
    for (size_t r = from; r < to; r++) {
        if (w->func == WIN_AVG)
            oc->f64[r] = ok ? dsum / (double)n : 0.0;
        else if (col_type_storage(in_col->type) == STORE_INT)
            oc->i64[r] = ok ? isum : 0;
        else
            oc->f64[r] = ok ? dsum : 0.0;
        if (!ok) {
            if (column_ensure_validity(oc, cap) != 0)
                return -1;
            oc->valid[r] = 0;
        } else if (oc->valid) {
            oc->valid[r] = 1;
        }
    }
    return 0;
}

enum sc_status window_run(const struct window_spec *spec, const struct batch *in, struct batch *out,
                          struct kernel_stats *st, struct diag *d)
{
    enum sc_status s = window_check(spec, in, d);
    if (s != SC_OK)
        return s;
    if (out->n_cols != in->n_cols + spec->n_calls)
        return diag_set(d, SC_EINPUT, NULL, 0, "window output has %zu columns, not %zu",
                        out->n_cols, in->n_cols + spec->n_calls);
    batch_clear(out);
    size_t n = in->n_rows;
    if (batch_ensure(out, n) != 0)
        goto nomem;
    /* The input columns pass through, gathered in slices (no allocation
     * beyond out's own growth). */
    for (size_t first = 0; first < n; first += 256) {
        size_t idx[256], m = n - first < 256 ? n - first : 256;
        for (size_t i = 0; i < m; i++)
            idx[i] = first + i;
        for (size_t c = 0; c < in->n_cols; c++)
            if (column_gather(&out->cols[c], out->cap_rows, first, &in->cols[c], idx, m) != 0)
                goto nomem;
    }
    for (size_t k = 0; k < spec->n_calls; k++) {
        const struct window_call *w = &spec->calls[k];
        struct column *oc = &out->cols[in->n_cols + k];
        const struct column *ic =
            (w->func == WIN_SUM || w->func == WIN_AVG) ? &in->cols[w->col] : NULL;
        for (size_t p = 0; p < n;) {
            /* partition [p, q) */
            size_t q = p + 1;
            while (q < n && same_keys(in, spec->partition_by, spec->n_partition, p, q))
                q++;
            if (ic && spec->n_order == 0) {
                int64_t isum = 0, cnt = 0;
                double dsum = 0.0;
                frame_add(ic, p, q, &isum, &dsum, &cnt);
                if (put_agg(w, ic, oc, out->cap_rows, p, q, isum, dsum, cnt) != 0)
                    goto nomem;
                p = q;
                continue;
            }
            int64_t isum = 0, cnt = 0;
            double dsum = 0.0;
            for (size_t g = p; g < q;) {
                /* peer group [g, e) */
                size_t e = g + 1;
                while (e < q && same_order(in, spec, g, e))
                    e++;
                if (ic) {
                    frame_add(ic, g, e, &isum, &dsum, &cnt);
                    if (put_agg(w, ic, oc, out->cap_rows, g, e, isum, dsum, cnt) != 0)
                        goto nomem;
                } else {
                    for (size_t r = g; r < e; r++)
                        oc->i64[r] =
                            w->func == WIN_RANK ? (int64_t)(g - p + 1) : (int64_t)(r - p + 1);
                    if (oc->valid)
                        memset(oc->valid + g, 1, e - g);
                }
                g = e;
            }
            p = q;
        }
    }
    out->n_rows = n;
    if (st) {
        st->rows_in = (int64_t)n;
        st->rows_out = (int64_t)n;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
nomem:
    batch_clear(out);
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a window");
}
