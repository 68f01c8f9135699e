/*
 * distinct.h — hash-based duplicate removal: distinct() on all columns, or
 * dropDuplicates(cols) on some (the first row of each key is kept). Spark
 * plans both as a HashAggregateExec with the columns as grouping keys and
 * no aggregate functions, partial before the shuffle and final after.
 *
 * Streaming: each call passes on the rows whose key was not seen since the
 * last reset, in input order, so the same object serves the partial side
 * (one task's batch) and the final side (all partials of a partition).
 *
 * Ownership: a struct distinct owns its key table; output batches are the
 * caller's (same layout as the input).
 */
#ifndef STAGECAST_KERNELS_DISTINCT_H
#define STAGECAST_KERNELS_DISTINCT_H

#include <stddef.h>

#include "models/batch.h"
#include "models/diag.h"

struct distinct;

/* A distinct on columns cols[0..n_cols) of batches shaped like schema;
 * cols NULL means every column. NULL with d filled (SC_EINPUT, SC_ENOMEM). */
struct distinct *distinct_new(const struct batch *schema, const int *cols, size_t n_cols,
                              struct diag *d);
void distinct_free(struct distinct *s);

/* Appends to out (in's layout; not cleared) the rows of in whose key is
 * new; fills st (rows_in, rows_out of this call, bytes_out of out).
 * SC_EINPUT, SC_ENOMEM. */
enum sc_status distinct_add(struct distinct *s, const struct batch *in, struct batch *out,
                            struct kernel_stats *st, struct diag *d);

/* Forgets every key seen, keeping memory. */
void distinct_reset(struct distinct *s);

/* Distinct keys seen since the last reset. */
size_t distinct_count(const struct distinct *s);

#endif
