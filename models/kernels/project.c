/*
 * project.c — the projection kernel (see project.h): Spark's ProjectExec,
 * behind select and withColumn.
 *
 * Where it sits: scenario → plan → *calibrate* → simulate. Calibration runs
 * it on generated rows to time a select/with_column step per row. Each
 * output column is one expression evaluated over the whole batch (see
 * expr.c), written straight into the output column.
 */
#include "models/kernels/project.h"

#include <stdlib.h>

struct kernel_project {
    const struct expr_list *list;
    size_t n;                      /* items, kept so that freeing needs no list */
    struct expr_scratch **scratch; /* one per item */
};

struct kernel_project *kernel_project_new(const struct expr_list *l, size_t cap_rows,
                                          struct diag *d)
{
    struct kernel_project *p = calloc(1, sizeof *p);
    if (!p || !(p->scratch = calloc(l->n ? l->n : 1, sizeof *p->scratch))) {
        free(p);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    p->list = l;
    p->n = l->n;
    for (size_t i = 0; i < l->n; i++) {
        if (!expr_is_bound(l->items[i].e)) {
            diag_set(d, SC_EINTERNAL, NULL, 0, "projection item '%s' is not bound",
                     l->items[i].alias);
            kernel_project_free(p);
            return NULL;
        }
        if (!(p->scratch[i] = expr_scratch_new(l->items[i].e, cap_rows))) {
            diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            kernel_project_free(p);
            return NULL;
        }
    }
    return p;
}

void kernel_project_free(struct kernel_project *p)
{
    if (!p)
        return;
    for (size_t i = 0; p->scratch && i < p->n; i++)
        expr_scratch_free(p->scratch[i]);
    free(p->scratch);
    free(p);
}

struct batch *kernel_project_output_new(const struct kernel_project *p, size_t cap_rows)
{
    return expr_list_batch_new(p->list, cap_rows);
}

enum sc_status kernel_project_run(struct kernel_project *p, const struct batch *in,
                                  struct batch *out, struct kernel_stats *st, struct diag *d)
{
    const struct expr_list *l = p->list;
    out->n_rows = 0;
    if (l->n != p->n)
        return diag_set(d, SC_EINTERNAL, NULL, 0, "the projection's list changed after creation");
    if (out->n_cols != l->n)
        return diag_set(d, SC_EINTERNAL, NULL, 0,
                        "the projection's output batch has %zu columns, not %zu", out->n_cols,
                        l->n);
    for (size_t i = 0; i < l->n; i++) {
        enum sc_status rc = expr_eval(l->items[i].e, in, p->scratch[i], out, i, d);
        if (rc != SC_OK)
            return rc;
    }
    out->n_rows = in->n_rows;
    if (st) {
        st->rows_in = st->rows_out = (int64_t)in->n_rows;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}
