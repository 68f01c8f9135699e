/*
 * scan.h — reading a columnar file: the work of Spark's FileSourceScanExec
 * with the Parquet reader (ParquetFileFormat, vectorized), reduced to its
 * decoding: a batch is encoded once into a Parquet-like byte layout, and
 * the scan kernel decodes it back into a batch, optionally only some
 * columns (column pruning skips the others' bytes, as Parquet does).
 *
 * Layout: a header ("SCN1", column count, row count), then one chunk per
 * column: type, encoding, whether it has nulls, body length, body. Nulls are
 * Parquet definition levels (RLE/bit-packed hybrid, bit width 1); values of
 * non-null rows follow: PLAIN for fixed width (int32 and date 4 bytes, int64
 * and double 8, boolean 1 bit), and for strings either PLAIN (4-byte length
 * + bytes) or, when it is smaller and its dictionary stays under 1 MiB
 * (parquet-mr's dictionary page limit and fallback rule), a dictionary with
 * RLE/bit-packed hybrid indices. Pages are not compressed.
 *
 * Ownership: struct scan_file is a byte buffer the caller embeds
 * (zero-initialized) and frees with scan_file_fini; a struct scan_reader is
 * the decoder's reusable scratch.
 */
#ifndef STAGECAST_KERNELS_SCAN_H
#define STAGECAST_KERNELS_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"

struct scan_file {
    uint8_t *data;
    size_t len, cap;
};

void scan_file_fini(struct scan_file *f);

struct scan_stats {
    int64_t rows;
    int64_t encoded_bytes; /* bytes of the chunks read (the stored size) */
    int64_t decoded_bytes; /* batch_bytes of the decoded batch */
    int64_t dict_columns;  /* string columns stored with a dictionary */
};

/* Encodes b into f (cleared first). SC_ELIMIT (a string over 4 GiB),
 * SC_ENOMEM. */
enum sc_status scan_encode(const struct batch *b, struct scan_file *f, struct diag *d);

/* Column types and row count stored in f: fills *n_cols, *n_rows and, if
 * types is not NULL, types[0..min(*n_cols, max_types)). SC_EINPUT when f is
 * not an encoded batch. */
enum sc_status scan_describe(const struct scan_file *f, size_t *n_cols, size_t *n_rows,
                             enum col_type *types, size_t max_types, struct diag *d);

struct scan_reader;

/* A decoder's scratch; NULL when memory runs out. */
struct scan_reader *scan_reader_new(void);
void scan_reader_free(struct scan_reader *r);

/* Decodes columns cols[0..n_cols) of f (cols NULL: all, in order) into out,
 * whose columns are those, with the stored types' storages; out is cleared
 * first. Fills st (may be NULL). SC_EINPUT on a malformed file or a layout
 * mismatch, SC_ENOMEM. */
enum sc_status scan_decode(struct scan_reader *r, const struct scan_file *f, const int *cols,
                           size_t n_cols, struct batch *out, struct scan_stats *st, struct diag *d);

#endif
