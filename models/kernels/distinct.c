/*
 * distinct.c — duplicate removal (see distinct.h): the HashAggregateExec
 * Spark plans for distinct() and dropDuplicates(), without aggregate
 * buffers. In the flow it prices the two aggregate stages of a distinct;
 * its output count over input count is the distinct's selectivity.
 *
 * A row is a key's first occurrence exactly when the key table gives it
 * the next fresh group id; those rows are gathered into the output.
 */
#include "models/kernels/distinct.h"

#include <stdlib.h>

#include "models/kernels/keytable.h"

struct distinct {
    struct keytable *table;
    int *cols;
    size_t n_cols;
    enum col_type *types;
    size_t in_cols;
    uint32_t gid[KEYTABLE_CHUNK];
    size_t keep[KEYTABLE_CHUNK];
};

void distinct_free(struct distinct *s)
{
    if (!s)
        return;
    keytable_free(s->table);
    free(s->cols);
    free(s->types);
    free(s);
}

struct distinct *distinct_new(const struct batch *schema, const int *cols, size_t n_cols,
                              struct diag *d)
{
    if (!cols)
        n_cols = schema->n_cols;
    if (n_cols == 0) {
        diag_set(d, SC_EINPUT, NULL, 0, "distinct over no columns");
        return NULL;
    }
    for (size_t k = 0; cols && k < n_cols; k++)
        if (cols[k] < 0 || (size_t)cols[k] >= schema->n_cols) {
            diag_set(d, SC_EINPUT, NULL, 0, "distinct column %d out of range", cols[k]);
            return NULL;
        }
    struct distinct *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->n_cols = n_cols;
    s->in_cols = schema->n_cols;
    s->cols = malloc(n_cols * sizeof *s->cols);
    s->types = malloc(n_cols * sizeof *s->types);
    if (!s->cols || !s->types)
        goto nomem;
    for (size_t k = 0; k < n_cols; k++) {
        s->cols[k] = cols ? cols[k] : (int)k;
        s->types[k] = schema->cols[s->cols[k]].type;
    }
    s->table = keytable_new(s->types, n_cols);
    if (!s->table)
        goto nomem;
    return s;
nomem:
    distinct_free(s);
    diag_set(d, SC_ENOMEM, NULL, 0, "out of memory creating a distinct");
    return NULL;
}

enum sc_status distinct_add(struct distinct *s, const struct batch *in, struct batch *out,
                            struct kernel_stats *st, struct diag *d)
{
    if (in->n_cols != s->in_cols || out->n_cols != s->in_cols)
        return diag_set(d, SC_EINPUT, NULL, 0, "distinct input or output has the wrong columns");
    for (size_t k = 0; k < s->n_cols; k++)
        if (col_type_storage(in->cols[s->cols[k]].type) != col_type_storage(s->types[k]))
            return diag_set(d, SC_EINPUT, NULL, 0, "distinct column %d changed type", s->cols[k]);
    size_t before = out->n_rows;
    for (size_t first = 0; first < in->n_rows; first += KEYTABLE_CHUNK) {
        size_t m = in->n_rows - first < KEYTABLE_CHUNK ? in->n_rows - first : KEYTABLE_CHUNK;
        uint32_t next = (uint32_t)keytable_size(s->table);
        if (keytable_insert(s->table, in, s->cols, first, m, s->gid) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a distinct");
        size_t k = 0;
        for (size_t i = 0; i < m; i++)
            if (s->gid[i] == next) {
                next++;
                s->keep[k++] = first + i;
            }
        if (k && batch_gather(out, in, s->keep, k) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing distinct rows");
    }
    if (st) {
        st->rows_in = (int64_t)in->n_rows;
        st->rows_out = (int64_t)(out->n_rows - before);
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}

void distinct_reset(struct distinct *s)
{
    keytable_reset(s->table);
}

size_t distinct_count(const struct distinct *s)
{
    return keytable_size(s->table);
}
