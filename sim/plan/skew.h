/*
 * skew.h — how much data each task of a post-shuffle stage gets, from the
 * key columns' distributions, and what Spark 3's adaptive query execution
 * (AQE) does with those sizes.
 *
 * Partition sizes. HashPartitioning sends a row to pmod(Murmur3Hash(keys),
 * n) with seed 42 (models/kernels/murmur3.h). skew_hash_shares enumerates
 * each key column's values with their probabilities, exactly as the
 * sample-data generator (models/datagen.h) writes them — categorical values
 * and weights, zipf ranks 1..distinct with P(k) ~ 1/k^s ("<column>_<k>"
 * for strings), sequences and uniform integers over small domains, rounded
 * normals — hashes every combination of values of the key columns as Spark
 * chains Murmur3Hash over them, and adds up each partition's probability.
 * A domain larger than SKEW_EXACT_VALUES keeps its most likely values exact
 * and spreads the rest evenly over the partitions (as hashing many values
 * of small probability does); so does a column with no heavy values at all
 * (a unique id, a continuous double). A null key hashes to the seed, 42, so
 * null rows all land in partition pmod(42, n), unless dropped (an inner
 * join's keys get Spark's inferred IsNotNull filter). These are expected
 * shares: the finite sample of rows a real run has differs by its noise.
 *
 * RangePartitioner (orderBy): skew_range_shares follows
 * RangePartitioner.determineBounds on the whole distribution (the limit of
 * an ever larger sample): candidates in sort order, a bound each time the
 * cumulative weight reaches the next multiple of total/n, and never the same
 * key twice; a value heavier than 1/n therefore makes one heavy partition,
 * and a low-cardinality key fewer partitions than asked for.
 *
 * AQE (AdaptiveSparkPlanExec's query-stage re-optimization) decides from
 * the map outputs' sizes once a shuffle map stage has finished. Here those
 * sizes are known from the data before the run, so the planner takes the
 * same decisions at plan time: aqe_plan_read applies OptimizeSkewedJoin
 * (split skewed partitions of a sort-merge join) and CoalesceShufflePartitions
 * (ShufflePartitionsUtil.coalescePartitions) to a stage's shuffle reads.
 *
 * Pure functions over caller memory, apart from the result arrays they
 * document as allocated.
 */
#ifndef STAGECAST_SKEW_H
#define STAGECAST_SKEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/plan/plan_stats.h"

/* Values of one column hashed exactly; the rest spread evenly. */
#define SKEW_EXACT_VALUES 100000
/* Combinations of values of several key columns hashed exactly. */
#define SKEW_EXACT_COMBOS 1000000

/* What a key's rows count for after the exchange. */
enum skew_count {
    SKEW_ROWS,   /* every row (a join side, a window, a repartition) */
    SKEW_GROUPS  /* a partial aggregate's output: a key holding a share p of
                  * `rows` rows spread over `buckets` map tasks is one row in
                  * each task that saw it, buckets (1 - exp(-p rows / buckets)) */
};

struct skew_keys {
    const struct plan_column *cols; /* the key columns, in the partitioning's order */
    size_t n;
    double rows;        /* rows of the keys' distribution (before a partial aggregate) */
    double rows_out;    /* rows through the exchange (SKEW_GROUPS: the partial output) */
    enum skew_count count;
    double buckets;     /* SKEW_GROUPS: the partial aggregate's tasks */
    bool drop_nulls;    /* rows with a null key are filtered out before the exchange */
};

/* A salt column: an int uniform over 0..n-1 ((rand() * n).cast("int"), or
 * explode(sequence(0, n - 1)) on the replicated side of a salted join).
 * spec must outlive the plan_column it fills. */
void skew_salt_column(int64_t n, struct column_spec *spec, struct plan_column *out);

/* share[0..nparts) gets the expected fraction of the exchange's rows that
 * HashPartitioning(keys, nparts) sends to each partition (summing to 1).
 * Returns 1 when the data decided it, 0 when the shares are even (no key
 * value is heavy enough to matter, or nothing is known), -1 on memory. */
int skew_hash_shares(const struct skew_keys *k, int64_t nparts, double *share);

/* RangePartitioner(nparts) over keys (desc[i]: descending, nulls last;
 * ascending puts nulls first) with `candidates` sample points: fills
 * share[0..m) and returns m, the partitions it makes (1 <= m <= nparts), or
 * -1 on memory. Several key columns are ranged exactly when every value
 * is enumerable, evenly otherwise. */
int64_t skew_range_shares(const struct skew_keys *k, const bool *desc, int64_t nparts,
                          double candidates, double *share);

/* ---- adaptive query execution ------------------------------------------ */

struct aqe_conf {
    bool coalesce;             /* spark.sql.adaptive.coalescePartitions.enabled */
    bool skew_join;            /* spark.sql.adaptive.skewJoin.enabled */
    double advisory;           /* advisoryPartitionSizeInBytes */
    double min_partition_size; /* coalescePartitions.minPartitionSize */
    int64_t min_partitions;    /* minNumPartitions: the default parallelism when
                                * parallelismFirst, else 1 */
    double skew_factor;        /* skewJoin.skewedPartitionFactor */
    double skew_threshold;     /* skewJoin.skewedPartitionThresholdInBytes */
};

/* One shuffle a stage reads. */
struct aqe_side {
    const double *bytes;  /* map output bytes of each reduce partition */
    double rows_per_byte; /* converts bytes to the rows a task processes */
    int64_t map_tasks;    /* map outputs each partition's bytes come from, evenly */
    bool can_split;       /* OptimizeSkewedJoin may split this side */
};

struct aqe_result {
    size_t n_tasks;       /* tasks after AQE */
    double *task_rows;    /* rows each reads (allocated; the caller frees) */
    size_t coalesced;     /* partitions the non-skewed ones became (n if not coalesced) */
    size_t skewed;        /* partitions split as skewed (either side) */
    size_t skew_tasks;    /* tasks those became */
};

/* Utils.median(sizes, false): the middle of the sorted sizes (the mean of
 * the two middle ones, rounded down, for an even count), at least 1. */
double aqe_median(const double *sizes, size_t n);

/* ShufflePartitionsUtil.coalescePartitions's target: max(min(max(ceil(total
 * / minNumPartitions), 16), advisory), minPartitionSize). */
double aqe_coalesce_target(double total, int64_t min_partitions, double advisory,
                           double min_partition_size);

/* ShufflePartitionsUtil.splitSizeListByTargetSize: start indices of the
 * pieces sizes[0..n) is cut into (starts gets up to n of them); returns
 * their count. */
size_t aqe_split_sizes(const double *sizes, size_t n, double target, size_t *starts);

/* What AQE makes of a stage reading n_sides shuffles of nparts partitions
 * each (a sort-merge join reads two and may be split for skew when
 * skew_join; coalescable is false when CoalesceShufflePartitions may not
 * touch the stage: a repartition(n), a single partition, a leaf that is not
 * a shuffle). Fills out (its task_rows allocated) and returns 0, or -1 on
 * memory. Without a change, out has nparts tasks, the partitions as they
 * are. */
int aqe_plan_read(const struct aqe_conf *c, const struct aqe_side *sides, size_t n_sides,
                  size_t nparts, bool coalescable, bool skew_join, struct aqe_result *out);

#endif
