/*
 * batch.h — a columnar batch of rows: what the sample-data generator
 * produces and what the operator kernels read and write.
 *
 * Storage by type: int32, int64, date (days since 1970-01-01) and boolean
 * (0/1) are held as int64_t; double as double; strings as a byte buffer with
 * n+1 offsets (value i is bytes[off[i] .. off[i+1])). A column's validity is
 * NULL when it has no nulls, else one byte per row (1 = value, 0 = null).
 *
 * Ownership: a batch owns its columns, names and buffers; batch_free
 * releases everything. Kernels take caller-allocated output batches, so a
 * caller can reuse them across repetitions (calibration times the kernel,
 * not the allocator).
 */
#ifndef STAGECAST_BATCH_H
#define STAGECAST_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/schema.h"

struct column {
    enum col_type type;
    int64_t *i64;       /* int32, int64, date, boolean */
    double *f64;        /* double */
    uint64_t *off;      /* string: n_rows + 1 offsets */
    char *bytes;        /* string bytes */
    size_t bytes_len, bytes_cap;
    uint8_t *valid;     /* NULL = all valid */
};

struct batch {
    size_t n_rows;      /* rows in use */
    size_t cap_rows;    /* rows allocated */
    size_t n_cols;
    struct column *cols;
    char **names;
};

/* A batch with n_cols columns of the given names and types, room for
 * cap_rows rows, and no rows. NULL when memory runs out. */
struct batch *batch_new(size_t n_cols, const char *const *names, const enum col_type *types,
                        size_t cap_rows);
void batch_free(struct batch *b);

/* Makes room for at least cap_rows rows. Returns 0, or -1 (batch unchanged). */
int batch_reserve(struct batch *b, size_t cap_rows);

/* Empties the batch, keeping its buffers. */
void batch_clear(struct batch *b);

/* Index of the column named name, or -1. */
int batch_find(const struct batch *b, const char *name);

/* Appends one string value to column c at row b->n_rows (the caller then
 * increments n_rows once per row after filling every column). Returns 0, or
 * -1 when memory runs out. */
int column_push_string(struct column *c, size_t row, const char *s, size_t len);

/* Marks row as null in column c, allocating the validity bytes on first use
 * (cap_rows of them). Returns 0 or -1. */
int column_set_null(struct column *c, size_t cap_rows, size_t row);

static inline bool column_is_null(const struct column *c, size_t row)
{
    return c->valid && !c->valid[row];
}

/* Bytes a row of this type takes in Spark's UnsafeRow-like serialized form
 * (8 bytes per fixed-width field, strings their length rounded up to 8,
 * plus the null bitset): used for shuffle sizes. */
size_t batch_row_bytes(const struct batch *b, size_t row);

/* The width in bytes of a column type in a columnar file (Parquet plain
 * encoding): int32/date 4, int64/double 8, boolean 1 (bit-packed: 1/8),
 * string: average length + 4. Returns the fixed width, or 0 for strings. */
size_t col_type_width(enum col_type t);

const char *col_type_name(enum col_type t);

#endif
