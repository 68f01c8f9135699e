/*
 * keytable.h — a hash table that maps key tuples (one or more columns of
 * any type, nulls included: a null key is a group, as in GROUP BY) to dense
 * group ids 0, 1, 2, ... in first-seen order. Hash aggregation, distinct
 * and the broadcast hash join's build side are built on it.
 *
 * Open addressing with linear probing in a power-of-two table kept at most
 * half full; it grows by rehashing from the stored group hashes. A table is
 * reused across batches and across repetitions: keytable_reset empties it
 * and keeps its memory, so a warmed-up table allocates nothing.
 *
 * Ownership: the table owns its key batch; keytable_keys lends it.
 */
#ifndef STAGECAST_KERNELS_KEYTABLE_H
#define STAGECAST_KERNELS_KEYTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"

/* Rows looked up per call: callers cut batches into chunks of this size
 * (the table keeps a hash scratch of this many entries). */
#define KEYTABLE_CHUNK 2048

/* "No such group" from keytable_find. */
#define KEYTABLE_NONE UINT32_MAX

struct keytable;

/* A table for keys of these types (n_keys >= 1). NULL when memory runs out. */
struct keytable *keytable_new(const enum col_type *types, size_t n_keys);
void keytable_free(struct keytable *t);

/* Empties the table, keeping its memory. */
void keytable_reset(struct keytable *t);

/* Number of groups. */
size_t keytable_size(const struct keytable *t);

/* The groups' keys: row g holds group g's key (n_rows == keytable_size). */
const struct batch *keytable_keys(const struct keytable *t);

/* For rows first..first+n-1 of b (n <= KEYTABLE_CHUNK), key columns
 * cols[0..n_keys), writes each row's group id to gid[0..n), adding groups for
 * keys not seen yet. A row is a new group's first row iff its id equals the
 * size the table had just before it. Returns 0, or -1 when memory runs out
 * (the table stays consistent; gid is then incomplete). */
int keytable_insert(struct keytable *t, const struct batch *b, const int *cols, size_t first,
                    size_t n, uint32_t *gid);

/* As keytable_insert but adds nothing: unknown keys get KEYTABLE_NONE. */
void keytable_find(struct keytable *t, const struct batch *b, const int *cols, size_t first,
                   size_t n, uint32_t *gid);

#endif
