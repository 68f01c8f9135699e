/*
 * join.h — equi-joins in Spark's two physical forms: sort-merge join
 * (SortMergeJoinExec: both sides sorted on the keys after a shuffle) and
 * broadcast hash join (BroadcastHashJoinExec: the small right side hashed
 * on every executor, the left side streamed through it). Join types inner,
 * left outer, left semi and left anti; a null key never matches (a left
 * row with a null key is kept by left outer and left anti).
 *
 * Output: left columns then right columns (inner, left outer; right values
 * are null for an unmatched left outer row), or left columns only (semi,
 * anti). Rows come in left order; for one left row, its matches in right
 * order.
 *
 * Ownership: struct join_ws and struct join_hash are the caller's, reused
 * across calls; output batches are the caller's (join_output_new).
 */
#ifndef STAGECAST_KERNELS_JOIN_H
#define STAGECAST_KERNELS_JOIN_H

#include <stddef.h>

#include "models/batch.h"
#include "models/diag.h"

enum join_type { JOIN_INNER, JOIN_LEFT_OUTER, JOIN_LEFT_SEMI, JOIN_LEFT_ANTI };

struct join_spec {
    enum join_type type;
    const int *left_keys;  /* columns of the left input */
    const int *right_keys; /* columns of the right input, same storages */
    size_t n_keys;         /* >= 1 */
};

struct join_ws;
struct join_hash;

/* Scratch for pairs of matched rows; NULL when memory runs out. */
struct join_ws *join_ws_new(void);
void join_ws_free(struct join_ws *ws);

/* An empty output batch for spec over left and right (names and types
 * copied), room for cap_rows rows. Caller frees; NULL when memory runs out. */
struct batch *join_output_new(const struct join_spec *spec, const struct batch *left,
                              const struct batch *right, size_t cap_rows);

/* SC_EINPUT unless spec's columns exist and pair keys of one storage. */
enum sc_status join_check(const struct join_spec *spec, const struct batch *left,
                          const struct batch *right, struct diag *d);

/* Sort-merge join of left and right, each sorted ascending with nulls
 * first on its keys (sortk_sort with SORT_ASC keys). Clears out and fills
 * it; fills st (rows_in = left + right rows). SC_EINPUT, SC_ENOMEM. */
enum sc_status join_sort_merge(const struct join_spec *spec, const struct batch *left,
                               const struct batch *right, struct join_ws *ws, struct batch *out,
                               struct kernel_stats *st, struct diag *d);

/* An empty hash table (build before probing); NULL when memory runs out. */
struct join_hash *join_hash_new(void);
void join_hash_free(struct join_hash *h);

/* Builds the hash table of right on spec's right keys (rows with a null key
 * are left out); h keeps a pointer to right, which must outlive its use.
 * Replaces an earlier build, reusing memory. SC_EINPUT, SC_ENOMEM. */
enum sc_status join_hash_build(struct join_hash *h, const struct join_spec *spec,
                               const struct batch *right, struct diag *d);

/* Probes h with every left row; clears out and fills it; fills st
 * (rows_in = left rows). SC_EINPUT, SC_ENOMEM. */
enum sc_status join_hash_probe(struct join_hash *h, const struct join_spec *spec,
                               const struct batch *left, struct join_ws *ws, struct batch *out,
                               struct kernel_stats *st, struct diag *d);

#endif
