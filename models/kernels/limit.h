/*
 * limit.h — LIMIT n: Spark's LocalLimitExec (each task keeps its first n
 * rows) and GlobalLimitExec / CollectLimitExec (the first n rows overall,
 * after a single-partition exchange). Both are "take rows until n".
 *
 * Ownership: the caller keeps the remaining count and the output batch.
 */
#ifndef STAGECAST_KERNELS_LIMIT_H
#define STAGECAST_KERNELS_LIMIT_H

#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"

/* Appends to out (in's layout; not cleared) the first min(*remaining,
 * in->n_rows) rows of in and lowers *remaining by as many; fills st.
 * SC_EINPUT (negative remaining, layout), SC_ENOMEM. */
enum sc_status limit_take(const struct batch *in, int64_t *remaining, struct batch *out,
                          struct kernel_stats *st, struct diag *d);

#endif
