/*
 * filter.h — the filter kernel: Spark's FilterExec, which keeps the rows of
 * its input where a predicate is TRUE (a NULL or FALSE predicate drops the
 * row, as SQL's WHERE does). The kernel evaluates the bound predicate over
 * the whole batch into a selection vector, then gathers the kept rows.
 *
 * Ownership: a struct kernel_filter borrows its predicate (which must
 * outlive it) and owns its scratch and selection vector, reused across
 * runs; batches are the caller's.
 */
#ifndef STAGECAST_KERNELS_FILTER_H
#define STAGECAST_KERNELS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/expr.h"

struct kernel_filter;

/* A filter by pred, a boolean expression bound to the input's layout, with
 * scratch for batches of cap_rows rows (runs grow it for larger ones).
 * NULL and d filled: SC_EINPUT when pred is not boolean (naming its text),
 * SC_EINTERNAL when it is not bound, SC_ENOMEM. */
struct kernel_filter *kernel_filter_new(const struct expr *pred, size_t cap_rows, struct diag *d);
void kernel_filter_free(struct kernel_filter *f);

/* Clears out (in's layout: batch_new_like(in, ...)) and fills it with the
 * rows of in where the predicate is TRUE, in order. Fills st when not NULL
 * (rows_in, rows_out of this run, bytes_out of out). Returns SC_OK,
 * SC_EINTERNAL (layout mismatch), SC_ENOMEM. */
enum sc_status kernel_filter_run(struct kernel_filter *f, const struct batch *in, struct batch *out,
                                 struct kernel_stats *st, struct diag *d);

/* Rows kept over rows seen by every run since kernel_filter_new: the
 * measured selectivity (NAN before any row). */
double kernel_filter_selectivity(const struct kernel_filter *f);

#endif
