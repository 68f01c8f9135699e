/*
 * batch.h — a columnar batch of rows: what the sample-data generator
 * produces and what the operator kernels read and write.
 *
 * Storage by type: int32, int64, date (days since 1970-01-01), timestamp
 * (microseconds since 1970-01-01 00:00:00 UTC) and boolean (0/1) are held
 * as int64_t; double as double; strings as a byte buffer with
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
    int64_t *i64;       /* int32, int64, date, timestamp, boolean */
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

/* Makes room for EXTRA more string bytes in one step (the buffer at least
 * doubles), so that many appends reallocate rarely. Returns 0, or -1 when
 * out of memory or the size would overflow. */
int column_reserve_bytes(struct column *c, size_t extra);

/* A batch with b's column names and types, no rows and room for cap_rows:
 * the output of a kernel that keeps its input's layout (filter). NULL when
 * memory runs out. */
struct batch *batch_new_like(const struct batch *b, size_t cap_rows);

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
 * encoding): int32/date 4, int64/double/timestamp 8, boolean 1 (bit-packed: 1/8),
 * string: average length + 4. Returns the fixed width, or 0 for strings. */
size_t col_type_width(enum col_type t);

const char *col_type_name(enum col_type t);

/* --- used by the operator kernels (models/kernels/) ---------------------- */

/* How a type is stored: int32, int64, date, timestamp and boolean share
 * int64_t. */
enum col_storage { STORE_INT, STORE_DOUBLE, STORE_STRING };

enum col_storage col_type_storage(enum col_type t);

/* What a kernel did, for calibration: rows read, rows written, and the bytes
 * its output takes in UnsafeRow form (batch_bytes). */
struct kernel_stats {
    int64_t rows_in;
    int64_t rows_out;
    int64_t bytes_out;
};

/* A row index meaning "no row": column_gather writes a null there (the
 * right side of an unmatched left outer join row). */
#define BATCH_NULL_ROW SIZE_MAX

/* Grows b to hold at least need rows, at least doubling its capacity so that
 * repeated appends cost amortized O(1). Returns 0, or -1 (batch unchanged). */
int batch_ensure(struct batch *b, size_t need);

/* Gives column c a validity array (all valid) if it has none; cap_rows is
 * its batch's cap_rows. Returns 0 or -1. */
int column_ensure_validity(struct column *c, size_t cap_rows);

/* Writes src's values at rows[0..n) into dst at rows at..at+n-1, where at is
 * dst's current row count (strings append) and dst's batch has cap_rows >=
 * at + n. BATCH_NULL_ROW writes a null. dst and src share a storage.
 * Returns 0, or -1 when memory runs out. */
int column_gather(struct column *dst, size_t cap_rows, size_t at, const struct column *src,
                  const size_t *rows, size_t n);

/* Appends src's rows rows[0..n) to dst, whose columns have src's storages,
 * growing dst. Returns 0, or -1 when memory runs out or the layouts differ. */
int batch_gather(struct batch *dst, const struct batch *src, const size_t *rows, size_t n);

/* Appends src's rows first..first+n-1 to dst, as batch_gather. */
int batch_append(struct batch *dst, const struct batch *src, size_t first, size_t n);

/* Bytes the whole batch takes in UnsafeRow form: the sum of batch_row_bytes
 * over its rows. */
int64_t batch_bytes(const struct batch *b);

#endif
