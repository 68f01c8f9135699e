/*
 * partition.h — which shuffle partition each row of a batch goes to, the
 * way Spark's ShuffleExchangeExec decides it: hash partitioning
 * (pmod(Murmur3Hash(keys, 42), n), for GROUP BY, joins, repartition(n, col))
 * and range partitioning (binary search in sorted bounds, for ORDER BY).
 *
 * The result is a partition map: row counts per partition and the rows
 * grouped by partition, in input order within each partition (a stable
 * counting sort), which is the order the shuffle writer emits them in.
 *
 * Ownership: a struct partition_map is the caller's, reused across calls.
 */
#ifndef STAGECAST_KERNELS_PARTITION_H
#define STAGECAST_KERNELS_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/kernels/sort.h"

struct partition_map {
    size_t n_parts;
    size_t n_rows;
    size_t *offsets; /* n_parts + 1: partition p's rows are rows[offsets[p] .. offsets[p+1]) */
    size_t *rows;    /* n_rows row indices grouped by partition */
    uint32_t *part;  /* n_rows: each row's partition */
    int32_t *hash;   /* n_rows: each row's Murmur3Hash (hash partitioning only) */
    size_t cap_rows, cap_parts;
};

/* An empty map; NULL when memory runs out. */
struct partition_map *partition_map_new(void);
void partition_map_free(struct partition_map *m);

/* Hash partitioning of b's rows into n_parts (>= 1) on key columns keys.
 * SC_EINPUT (bad column, n_parts 0 or above 2^31), SC_ENOMEM. */
enum sc_status partition_hash(const struct batch *b, const int *keys, size_t n_keys, size_t n_parts,
                              struct partition_map *m, struct diag *d);

/* Range partitioning: bounds holds k sorted bound rows whose columns are
 * spec's keys in order (column i = key i); a row goes to the number of
 * bounds it sorts after (RangePartitioner.getPartition), giving k + 1
 * partitions. SC_EINPUT, SC_ENOMEM. */
enum sc_status partition_range(const struct batch *b, const struct sort_spec *spec,
                               const struct batch *bounds, struct partition_map *m, struct diag *d);

/* Picks up to n_parts - 1 distinct bounds from sorted (a sample sorted by
 * spec) at evenly spaced ranks, as RangePartitioner.determineBounds does
 * with equal weights; clears bounds (columns = spec's key columns in order)
 * and appends them. SC_EINPUT, SC_ENOMEM. */
enum sc_status partition_pick_bounds(const struct batch *sorted, const struct sort_spec *spec,
                                     size_t n_parts, struct batch *bounds, struct diag *d);

#endif
