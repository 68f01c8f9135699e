/*
 * filter.c — the filter kernel (see filter.h): Spark's FilterExec over a
 * columnar batch.
 *
 * Where it sits: scenario → plan → *calibrate* → simulate. Calibration runs
 * it on generated rows to time a filter step per row and to measure its
 * selectivity, which sizes every later step of the plan. Its cost is the
 * predicate's evaluation (one pass per expression node) plus the gather of
 * the kept rows, so both the predicate and the fraction kept matter.
 */
#include "models/kernels/filter.h"

#include <math.h>
#include <stdlib.h>

struct kernel_filter {
    const struct expr *pred;
    struct expr_scratch *scratch;
    size_t *sel;
    size_t sel_cap;
    int64_t rows_in, rows_out; /* over every run */
};

struct kernel_filter *kernel_filter_new(const struct expr *pred, size_t cap_rows, struct diag *d)
{
    if (!expr_is_bound(pred)) {
        diag_set(d, SC_EINTERNAL, NULL, 0, "the filter condition '%s' is not bound",
                 expr_text(pred));
        return NULL;
    }
    if (expr_type(pred) != COL_BOOLEAN) {
        diag_set(d, SC_EINPUT, NULL, 0,
                 "the filter condition '%s' is %s, not boolean (a comparison such as x > 0)",
                 expr_text(pred), col_type_name(expr_type(pred)));
        return NULL;
    }
    struct kernel_filter *f = calloc(1, sizeof *f);
    if (!f) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    f->pred = pred;
    f->sel_cap = cap_rows ? cap_rows : 1;
    f->sel = malloc(f->sel_cap * sizeof *f->sel);
    f->scratch = expr_scratch_new(pred, cap_rows);
    if (!f->sel || !f->scratch) {
        kernel_filter_free(f);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    return f;
}

void kernel_filter_free(struct kernel_filter *f)
{
    if (!f)
        return;
    expr_scratch_free(f->scratch);
    free(f->sel);
    free(f);
}

enum sc_status kernel_filter_run(struct kernel_filter *f, const struct batch *in, struct batch *out,
                                 struct kernel_stats *st, struct diag *d)
{
    if (in->n_rows > f->sel_cap) {
        size_t *s = realloc(f->sel, in->n_rows * sizeof *s);
        if (!s)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        f->sel = s;
        f->sel_cap = in->n_rows;
    }
    size_t kept = 0;
    enum sc_status rc = expr_select(f->pred, in, f->scratch, f->sel, &kept, d);
    if (rc != SC_OK)
        return rc;
    batch_clear(out);
    if (batch_gather(out, in, f->sel, kept) != 0) {
        batch_clear(out);
        return diag_set(d, out->n_cols == in->n_cols ? SC_ENOMEM : SC_EINTERNAL, NULL, 0,
                        "cannot gather the filtered rows (out of memory, or the output batch "
                        "does not have the input's layout)");
    }
    f->rows_in += (int64_t)in->n_rows;
    f->rows_out += (int64_t)kept;
    if (st) {
        st->rows_in = (int64_t)in->n_rows;
        st->rows_out = (int64_t)kept;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}

double kernel_filter_selectivity(const struct kernel_filter *f)
{
    return f->rows_in > 0 ? (double)f->rows_out / (double)f->rows_in : NAN;
}
