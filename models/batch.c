/*
 * batch.c — columnar batches (see batch.h): allocation, growth, strings
 * and nulls. Nothing here knows what the data means.
 */
#include "models/batch.h"

#include <stdlib.h>
#include <string.h>

static int column_alloc(struct column *c, size_t cap)
{
    size_t n = cap ? cap : 1;
    switch (c->type) {
    case COL_DOUBLE: {
        double *p = realloc(c->f64, n * sizeof *p);
        if (!p)
            return -1;
        c->f64 = p;
        break;
    }
    case COL_STRING: {
        uint64_t *p = realloc(c->off, (n + 1) * sizeof *p);
        if (!p)
            return -1;
        if (!c->off)
            p[0] = 0;
        c->off = p;
        break;
    }
    default: {
        int64_t *p = realloc(c->i64, n * sizeof *p);
        if (!p)
            return -1;
        c->i64 = p;
        break;
    }
    }
    if (c->valid) {
        uint8_t *v = realloc(c->valid, n);
        if (!v)
            return -1;
        c->valid = v;
    }
    return 0;
}

struct batch *batch_new(size_t n_cols, const char *const *names, const enum col_type *types,
                        size_t cap_rows)
{
    struct batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->n_cols = n_cols;
    b->cols = calloc(n_cols ? n_cols : 1, sizeof *b->cols);
    b->names = calloc(n_cols ? n_cols : 1, sizeof *b->names);
    if (!b->cols || !b->names) {
        batch_free(b);
        return NULL;
    }
    for (size_t i = 0; i < n_cols; i++) {
        b->cols[i].type = types[i];
        b->names[i] = strdup(names[i] ? names[i] : "");
        if (!b->names[i]) {
            batch_free(b);
            return NULL;
        }
    }
    if (batch_reserve(b, cap_rows) != 0) {
        batch_free(b);
        return NULL;
    }
    return b;
}

void batch_free(struct batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n_cols && b->cols; i++) {
        struct column *c = &b->cols[i];
        free(c->i64);
        free(c->f64);
        free(c->off);
        free(c->bytes);
        free(c->valid);
    }
    for (size_t i = 0; i < b->n_cols && b->names; i++)
        free(b->names[i]);
    free(b->cols);
    free(b->names);
    free(b);
}

int batch_reserve(struct batch *b, size_t cap_rows)
{
    if (cap_rows <= b->cap_rows && b->cap_rows > 0)
        return 0;
    for (size_t i = 0; i < b->n_cols; i++)
        if (column_alloc(&b->cols[i], cap_rows) != 0)
            return -1;
    b->cap_rows = cap_rows ? cap_rows : 1;
    return 0;
}

void batch_clear(struct batch *b)
{
    b->n_rows = 0;
    for (size_t i = 0; i < b->n_cols; i++) {
        struct column *c = &b->cols[i];
        c->bytes_len = 0;
        if (c->off)
            c->off[0] = 0;
        free(c->valid);
        c->valid = NULL;
    }
}

int batch_find(const struct batch *b, const char *name)
{
    for (size_t i = 0; i < b->n_cols; i++)
        if (strcmp(b->names[i], name) == 0)
            return (int)i;
    return -1;
}

struct batch *batch_new_like(const struct batch *b, size_t cap_rows)
{
    enum col_type *types = malloc((b->n_cols ? b->n_cols : 1) * sizeof *types);
    if (!types)
        return NULL;
    for (size_t i = 0; i < b->n_cols; i++)
        types[i] = b->cols[i].type;
    struct batch *out = batch_new(b->n_cols, (const char *const *)b->names, types, cap_rows);
    free(types);
    return out;
}

int column_push_string(struct column *c, size_t row, const char *s, size_t len)
{
    if (c->bytes_len + len > c->bytes_cap) {
        size_t cap = c->bytes_cap ? c->bytes_cap : 256;
        while (cap < c->bytes_len + len)
            cap *= 2;
        char *p = realloc(c->bytes, cap);
        if (!p)
            return -1;
        c->bytes = p;
        c->bytes_cap = cap;
    }
    if (len)
        memcpy(c->bytes + c->bytes_len, s, len);
    c->bytes_len += len;
    c->off[row + 1] = c->bytes_len;
    return 0;
}

int column_set_null(struct column *c, size_t cap_rows, size_t row)
{
    if (!c->valid) {
        c->valid = malloc(cap_rows ? cap_rows : 1);
        if (!c->valid)
            return -1;
        memset(c->valid, 1, cap_rows ? cap_rows : 1);
    }
    c->valid[row] = 0;
    return 0;
}

size_t batch_row_bytes(const struct batch *b, size_t row)
{
    /* UnsafeRow: a null bitset of 8-byte words, 8 bytes per field, and
     * variable-length data rounded up to 8 bytes. */
    size_t bytes = ((b->n_cols + 63) / 64) * 8 + 8 * b->n_cols;
    for (size_t i = 0; i < b->n_cols; i++) {
        const struct column *c = &b->cols[i];
        if (c->type == COL_STRING && !column_is_null(c, row)) {
            size_t len = (size_t)(c->off[row + 1] - c->off[row]);
            bytes += (len + 7) / 8 * 8;
        }
    }
    return bytes;
}

size_t col_type_width(enum col_type t)
{
    switch (t) {
    case COL_INT32:
    case COL_DATE:
        return 4;
    case COL_INT64:
    case COL_DOUBLE:
    case COL_TIMESTAMP:
        return 8;
    case COL_BOOLEAN:
        return 1;
    case COL_STRING:
        return 0;
    }
    return 8;
}

const char *col_type_name(enum col_type t)
{
    static const char *const names[] = {"int32", "int64",   "double",   "string",
                                        "date",  "boolean", "timestamp"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

/* --- used by the operator kernels ------------------------------------------ */

enum col_storage col_type_storage(enum col_type t)
{
    switch (t) {
    case COL_DOUBLE: return STORE_DOUBLE;
    case COL_STRING: return STORE_STRING;
    default: return STORE_INT;
    }
}

int batch_ensure(struct batch *b, size_t need)
{
    if (need <= b->cap_rows)
        return 0;
    size_t cap = b->cap_rows * 2;
    if (cap < need)
        cap = need;
    if (cap < 16)
        cap = 16;
    return batch_reserve(b, cap);
}

int column_ensure_validity(struct column *c, size_t cap_rows)
{
    if (c->valid)
        return 0;
    c->valid = malloc(cap_rows ? cap_rows : 1);
    if (!c->valid)
        return -1;
    memset(c->valid, 1, cap_rows ? cap_rows : 1);
    return 0;
}

int column_reserve_bytes(struct column *c, size_t extra)
{
    if (extra > SIZE_MAX / 2 - c->bytes_len)
        return -1;
    size_t need = c->bytes_len + extra;
    if (need <= c->bytes_cap)
        return 0;
    size_t cap = c->bytes_cap ? c->bytes_cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(c->bytes, cap);
    if (!p)
        return -1;
    c->bytes = p;
    c->bytes_cap = cap;
    return 0;
}

int column_gather(struct column *dst, size_t cap_rows, size_t at, const struct column *src,
                  const size_t *rows, size_t n)
{
    bool any_null = src->valid != NULL;
    switch (col_type_storage(src->type)) {
    case STORE_INT:
        for (size_t i = 0; i < n; i++) {
            size_t r = rows[i];
            if (r == BATCH_NULL_ROW) {
                dst->i64[at + i] = 0;
                any_null = true;
            } else {
                dst->i64[at + i] = src->i64[r];
            }
        }
        break;
    case STORE_DOUBLE:
        for (size_t i = 0; i < n; i++) {
            size_t r = rows[i];
            if (r == BATCH_NULL_ROW) {
                dst->f64[at + i] = 0.0;
                any_null = true;
            } else {
                dst->f64[at + i] = src->f64[r];
            }
        }
        break;
    case STORE_STRING: {
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
            if (rows[i] != BATCH_NULL_ROW)
                total += (size_t)(src->off[rows[i] + 1] - src->off[rows[i]]);
        if (column_reserve_bytes(dst, total) != 0)
            return -1;
        /* Invariant: dst->off[at + i] == dst->bytes_len before value i. */
        dst->off[at] = dst->bytes_len;
        for (size_t i = 0; i < n; i++) {
            size_t r = rows[i];
            if (r == BATCH_NULL_ROW) {
                any_null = true;
            } else {
                size_t len = (size_t)(src->off[r + 1] - src->off[r]);
                if (len)
                    memcpy(dst->bytes + dst->bytes_len, src->bytes + src->off[r], len);
                dst->bytes_len += len;
            }
            dst->off[at + i + 1] = dst->bytes_len;
        }
        break;
    }
    }
    /* Validity: rows past the old end of a grown validity array are not
     * initialized, so every gathered row's byte is written. */
    if (any_null || dst->valid) {
        if (column_ensure_validity(dst, cap_rows) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            size_t r = rows[i];
            dst->valid[at + i] = r != BATCH_NULL_ROW && !column_is_null(src, r);
        }
    }
    return 0;
}

int batch_gather(struct batch *dst, const struct batch *src, const size_t *rows, size_t n)
{
    if (dst->n_cols != src->n_cols)
        return -1;
    for (size_t c = 0; c < src->n_cols; c++)
        if (col_type_storage(dst->cols[c].type) != col_type_storage(src->cols[c].type))
            return -1;
    if (batch_ensure(dst, dst->n_rows + n) != 0)
        return -1;
    for (size_t c = 0; c < src->n_cols; c++)
        if (column_gather(&dst->cols[c], dst->cap_rows, dst->n_rows, &src->cols[c], rows, n) != 0)
            return -1;
    dst->n_rows += n;
    return 0;
}

int batch_append(struct batch *dst, const struct batch *src, size_t first, size_t n)
{
    /* Gathers in slices through a small index buffer: no allocation. */
    size_t idx[256];
    while (n > 0) {
        size_t k = n < 256 ? n : 256;
        for (size_t i = 0; i < k; i++)
            idx[i] = first + i;
        if (batch_gather(dst, src, idx, k) != 0)
            return -1;
        first += k;
        n -= k;
    }
    return 0;
}

int64_t batch_bytes(const struct batch *b)
{
    int64_t fixed = (int64_t)(((b->n_cols + 63) / 64) * 8 + 8 * b->n_cols);
    int64_t bytes = fixed * (int64_t)b->n_rows;
    for (size_t c = 0; c < b->n_cols; c++) {
        const struct column *col = &b->cols[c];
        if (col->type != COL_STRING)
            continue;
        for (size_t r = 0; r < b->n_rows; r++)
            if (!column_is_null(col, r))
                bytes += (int64_t)((col->off[r + 1] - col->off[r] + 7) / 8 * 8);
    }
    return bytes;
}
