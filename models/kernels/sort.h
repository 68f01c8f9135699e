/*
 * sort.h — sorting a batch on one or more keys, ascending or descending,
 * nulls first or last, stably: Spark's SortExec (ORDER BY, and the sort
 * before a sort-merge join or a window).
 *
 * Spark's defaults: ASC puts nulls first, DESC puts nulls last. Doubles
 * order with -0.0 == 0.0 and NaN above everything; strings by unsigned bytes.
 *
 * Ownership: a struct sortk_ws is the caller's scratch, reused across calls
 * (it grows to the largest batch seen and then allocates nothing).
 */
#ifndef STAGECAST_KERNELS_SORT_H
#define STAGECAST_KERNELS_SORT_H

#include <stddef.h>

#include "models/batch.h"
#include "models/diag.h"

enum sort_dir { SORT_ASC, SORT_DESC };
enum sort_nulls { SORT_NULLS_DEFAULT, SORT_NULLS_FIRST, SORT_NULLS_LAST };

struct sort_key {
    int col;
    enum sort_dir dir;
    enum sort_nulls nulls; /* DEFAULT: first for ASC, last for DESC */
};

struct sort_spec {
    const struct sort_key *keys;
    size_t n_keys;
};

struct sortk_ws;

/* A workspace, empty until first use; NULL when memory runs out. */
struct sortk_ws *sortk_ws_new(void);
void sortk_ws_free(struct sortk_ws *ws);

/* SC_EINPUT unless every key names a column of b. */
enum sc_status sortk_check(const struct batch *b, const struct sort_spec *spec, struct diag *d);

/* Computes the stable sorted order of b's rows: *perm (owned by ws, valid
 * until its next use) lists row indices in output order. SC_EINPUT, SC_ENOMEM. */
enum sc_status sortk_order(const struct batch *b, const struct sort_spec *spec, struct sortk_ws *ws,
                           const size_t **perm, struct diag *d);

/* Clears out (same column storages as in) and writes in's rows sorted;
 * fills st (may be NULL). SC_EINPUT, SC_ENOMEM. */
enum sc_status sortk_sort(const struct batch *in, const struct sort_spec *spec, struct sortk_ws *ws,
                          struct batch *out, struct kernel_stats *st, struct diag *d);

/* Compares a[ra] with b[rb] under one key's direction and null order:
 * <0 when a's value sorts first. a and b share a storage. */
int sortk_compare_key(const struct column *a, size_t ra, const struct column *b, size_t rb,
                      const struct sort_key *key);

/* Compares rows of a and b under every key of spec (same column indices in
 * both batches). */
int sortk_compare_rows(const struct batch *a, size_t ra, const struct batch *b, size_t rb,
                       const struct sort_spec *spec);

#endif
