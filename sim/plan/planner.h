/*
 * planner.h — the query planner: turns each job written as a `query` (a
 * list of DataFrame steps) into the stages Spark 3 runs for it, with their
 * task counts, parents, operators and estimated rows and bytes.
 *
 * A query becomes one scenario job whose stages are all the stages of all
 * the Spark jobs the query runs (a broadcast, the sampling job of an
 * orderBy, one job per query stage with adaptive execution); each stage
 * records in `spark_job` which Spark job it belongs to, and its parents
 * carry every ordering Spark imposes between them (see planner.c).
 *
 * Ownership: the planner returns a new plan (sim/plan/plan.h) and never
 * writes the scenario.
 */
#ifndef STAGECAST_PLANNER_H
#define STAGECAST_PLANNER_H

#include <stdint.h>

#include "models/diag.h"
#include "sim/input/cluster.h"
#include "sim/plan/plan_stats.h"
#include "sim/input/scenario.h"
#include "sim/plan/plan.h"

/* Plans s for cluster cl (whose cores give Spark's default parallelism):
 * every query job becomes its stages, asking stats (NULL: the defaults)
 * for selectivities, group counts, join sizes and compression; jobs given
 * as explicit stages are copied. Returns the plan (the caller frees it with
 * plan_free), or NULL with d set: SC_EINPUT naming the scenario's file and
 * the line of the offending step (an unknown column, a join key one side
 * lacks, a query without an action); SC_ELIMIT when a stage would have more
 * tasks than a scenario may; SC_ENOMEM. */
struct plan *planner_plan(const struct scenario *s, const struct cluster *cl,
                          const struct plan_stats *stats, struct diag *d);

/* Peak bytes the planner holds per shuffle partition of an exchange it
 * sizes from the data (each partition's share, rows and bytes, and AQE's
 * per-map pieces): measured, 7.0 GB of peak memory for a group-by into
 * 1e8 partitions (scenarios/skew-agg.cfg). */
#define PLANNER_BYTES_PER_PARTITION 72.0

/* SC_OK when s's shuffle partition count (spark.sql.shuffle.partitions, or
 * AQE's initialPartitionNum) times PLANNER_BYTES_PER_PARTITION fits in
 * limit_bytes (<= 0: no limit) or s has no query job; otherwise SC_ELIMIT
 * naming the setting, its line and the figures, before anything is
 * planned. */
enum sc_status planner_check_footprint(const struct scenario *s, double limit_bytes,
                                       struct diag *d);

/* The one figure of a cluster the planner reads: its executor cores
 * (Spark's default parallelism, which sizes scan splits and AQE's
 * partitions). Clusters with the same figure get the same plan of a
 * scenario; a sweep plans once per figure. */
static inline int64_t planner_cluster_key(const struct cluster *cl)
{
    return (int64_t)cl->executors * cl->executor_cores;
}

/* A table that does not say how many files it has (its `files`) is taken
 * as files of this size (the last one smaller), as Spark writes them with
 * its default maxPartitionBytes; planner_table_files counts them (at least
 * 1). */
#define PLANNER_FILE_BYTES (128LL * 1024 * 1024)
int64_t planner_table_files(int64_t table_bytes);

/* Scan partitions (tasks) for total_bytes in n_files equal files, as Spark's
 * FilePartition packs them: maxSplitBytes = min(max_partition_bytes,
 * max(open_cost_bytes, (total_bytes + n_files * open_cost_bytes) /
 * min_partition_num)), each file cut into maxSplitBytes pieces, pieces
 * packed largest first into partitions, each piece counted with
 * open_cost_bytes. At least 1. */
int64_t planner_input_partitions(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                                 int64_t open_cost_bytes, int64_t min_partition_num);

/* The file pieces those partitions hold, each opened once: n_files x
 * ceil(file size / maxSplitBytes) (at least n_files, and 1). */
double planner_input_pieces(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                            int64_t open_cost_bytes, int64_t min_partition_num);

/* Parquet's row group on disk when a table does not say (parquet.block.size,
 * 128 MiB, the default of the writer Spark uses). */
#define PLANNER_ROW_GROUP_BYTES (128LL * 1024 * 1024)

/* Scans with more partitions than this keep even weights (an array of
 * weights a task costs 8 bytes). */
#define PLANNER_MAX_WEIGHTED_PARTS 10000000LL

/* Each scan partition's share of a Parquet table's bytes relative to an
 * even split (mean 1; planner_input_partitions of them), when row groups
 * of row_group_bytes are larger than Spark's splits: a row group is read
 * by the split holding its midpoint, so some partitions read whole row
 * groups and the rest nothing. NULL when every partition reads alike, or
 * on memory (then *nomem). */
double *planner_row_group_weights(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                                  int64_t open_cost_bytes, int64_t min_partition_num,
                                  int64_t row_group_bytes, bool *nomem);

#endif
