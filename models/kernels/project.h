/*
 * project.h — the projection kernel: Spark's ProjectExec, which computes a
 * new row of named expressions from each input row. It serves select(cols)
 * and withColumn(name, expr) (expr_list_select / expr_list_with_column make
 * the lists); columns passed through unchanged are copied, as a projection
 * into new UnsafeRows copies them.
 *
 * Ownership: a struct kernel_project borrows its list (which must outlive
 * it) and owns one scratch per item, reused across runs; batches are the
 * caller's.
 */
#ifndef STAGECAST_KERNELS_PROJECT_H
#define STAGECAST_KERNELS_PROJECT_H

#include <stddef.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/expr.h"

struct kernel_project;

/* A projection computing the items of l, each bound to the input's layout,
 * with scratch for batches of cap_rows rows (runs grow it). NULL and d
 * filled (SC_EINTERNAL: an item not bound; SC_ENOMEM). */
struct kernel_project *kernel_project_new(const struct expr_list *l, size_t cap_rows,
                                          struct diag *d);
void kernel_project_free(struct kernel_project *p);

/* An empty output batch (the items' aliases and types), room for
 * cap_rows rows. NULL when memory runs out. */
struct batch *kernel_project_output_new(const struct kernel_project *p, size_t cap_rows);

/* Replaces out's rows with the items' values over every row of in. Fills st
 * when not NULL (rows_in = rows_out = in's rows, bytes_out of out). Returns
 * SC_OK, SC_EINTERNAL (out or in does not have the expected layout),
 * SC_ENOMEM. */
enum sc_status kernel_project_run(struct kernel_project *p, const struct batch *in,
                                  struct batch *out, struct kernel_stats *st, struct diag *d);

#endif
