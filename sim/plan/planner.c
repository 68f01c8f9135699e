/*
 * planner.c — from a job's DataFrame steps to the stages Spark 3 runs for
 * them (see planner.h). It sits between the scenario reader and the
 * runtime: scenario -> plan -> simulate. Stages it makes carry data (rows,
 * bytes, operators), never task times: their time comes from taskcost.c.
 *
 * The planner works as Spark's does, in three passes over a tree of
 * logical nodes built from the steps (views inlined where a join or union
 * names them):
 *
 *  1. Analysis: each node's output columns, checked against what its input
 *     has (an unknown column is an error at the step's line).
 *  2. Optimization, the Catalyst rules that change which stages run:
 *     ColumnPruning (only the columns used above are read and carried; a
 *     with_column or window whose output nobody uses disappears, as does an
 *     aggregate function nobody reads), and EliminateSorts (a sort under an
 *     order-insensitive aggregate such as count(), or under either side of
 *     a join, is dropped, through Project, Filter and repartitions).
 *  3. Physical planning, bottom-up, with EnsureRequirements's exchange
 *     placement: narrow operators pipeline into the open stage; an operator
 *     whose required distribution its input does not satisfy gets an
 *     Exchange, which closes the stage (shuffle write) and opens a new one
 *     reading it. Aggregates run partial before the exchange and final after
 *     it (AggUtils.planAggregateWithoutDistinct); joins broadcast the smaller
 *     side under spark.sql.autoBroadcastJoinThreshold by Spark's static size
 *     estimate (JoinSelection, SizeInBytesOnlyStatsPlanVisitor), otherwise
 *     shuffle both sides and sort-merge them; orderBy range-partitions after
 *     a sampling job (RangePartitioner); window exchanges on its partition
 *     keys and sorts; distinct is an aggregate on all columns
 *     (ReplaceDistinctWithAggregate); repartition always shuffles, a
 *     round-robin one after a local sort (spark.sql.execution.
 *     sortBeforeRepartition); coalesce stays narrow and lowers the open
 *     stage's task count (CoalescedRDD); count() is a partial count, an
 *     Exchange SinglePartition and a one-task final count, with no exchange
 *     when the input already has a single partition.
 *
 * How a query's Spark jobs become stages of one scenario job. Spark runs a
 * query as several jobs: a broadcast is collected by a job of its own
 * (BroadcastExchangeExec), an orderBy's range bounds by a sampling job
 * (RangePartitioner.sketch), and with adaptive execution every exchange is a
 * query stage submitted as a job of its own when its inputs are materialized
 * (AdaptiveSparkPlanExec, ShuffleExchangeExec.mapOutputStatisticsFuture ->
 * SparkContext.submitMapStage). The planner keeps them in one scenario job
 * and encodes Spark's order in the stages' parents, which is what the
 * runtime schedules by:
 *  - with AQE, a query stage starts when the stages it reads are done: that
 *    is exactly "parents are the stages whose output it reads" (the
 *    sampling stage is a parent of the range exchange's map stage, a
 *    broadcast a parent of the stage that probes it), and independent
 *    branches run at once, as AQE submits them;
 *  - without AQE, the driver builds the whole RDD graph before submitting
 *    the action's job, waiting on each broadcast (executeBroadcast) and
 *    running each sampling job on the way; so the broadcasts run first, the
 *    sampling jobs one after another, and the main job last (its stages
 *    that a sampling job already ran are not run again): the first stages
 *    of each later job get the previous job's last stage as a parent.
 * Separate scenario jobs could not express "starts when these two stages
 * are done" across jobs, only "after every earlier job of the thread", which
 * would hold a ready stage back behind an unrelated branch.
 *
 * Exchange reuse (ReuseExchangeAndSubquery): two exchanges of identical
 * subtrees (a self-join) are written once and read twice.
 *
 * Cardinalities come through struct plan_stats (selectivity, groups, join
 * rows, compression); sizes from the table's size, or rows times column
 * widths. A partial aggregate's output is each task's groups:
 * tasks x groups(rows / tasks). Shuffle bytes are rows x UnsafeRow size
 * (8-byte null bitset per 64 fields, 8 bytes a field, variable-length data
 * rounded to 8, a 4-byte length from UnsafeRowSerializer) x compression.
 *
 * Task sizes and AQE (see "skew and adaptive execution" in planner_stage.c,
 * and sim/plan/skew.h): each exchange records each reduce partition's share of its
 * rows from the key columns' distributions; after planning, the shares
 * become the stages' task weights and AQE's coalescing and skew-join
 * splitting change the task lists; its runtime switch of a sort-merge join
 * to a broadcast one is planned in plan_join (aqe_broadcast_join). A step's
 * `salt` plans the salted join or two-phase aggregation.
 *
 * Not modelled here: DISTINCT aggregate functions are planned like plain
 * ones; shuffled hash joins (preferSortMergeJoin=false).
 *
 * The planner's files, in the order a query passes through them:
 * planner_logical.c (the tree, analysis and the optimizer's rules),
 * planner_physical.c (physical planning of each operator),
 * planner_join.c (joins), planner_cache.c (df.cache()), planner_stage.c
 * (the stages under construction, exchanges, skew and AQE), and this file
 * (input partitions, Spark job assignment, the emitted plan, and the entry
 * point). planner_internal.h holds what they share.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/sbuf.h"
#include "models/storage.h"
#include "models/units.h"
#include "sim/plan/planner_internal.h"

/* ---- errors ------------------------------------------------------------- */

enum sc_status planner_fail_at(struct planner *P, const struct lnode *nd, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = nd && nd->step ? nd->step->line : P->job->line;
    if (nd && nd->step)
        return diag_set(P->d, SC_EINPUT, P->s->file, line, "step %zu (%s) of %s '%s': %s",
                        nd->step_no, op_kind_name(nd->step->op), nd->owner_kind, nd->owner_name,
                        msg);
    return diag_set(P->d, SC_EINPUT, P->s->file, line, "job '%s': %s", P->job->name, msg);
}

enum sc_status planner_nomem(struct planner *P)
{
    return diag_set(P->d, SC_ENOMEM, NULL, 0, "out of memory planning job '%s'", P->job->name);
}

/* ---- input partitions --------------------------------------------------- */

int64_t planner_table_files(int64_t table_bytes)
{
    if (table_bytes <= 0)
        return 1;
    return (table_bytes + PLANNER_FILE_BYTES - 1) / PLANNER_FILE_BYTES;
}

/* FilePartition.maxSplitBytes: the total counts each file's open cost;
 * bytesPerCore spreads it over the default parallelism. */
static double max_split_bytes(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                              int64_t open_cost_bytes, int64_t min_partition_num)
{
    double total = (double)total_bytes + (double)n_files * (double)open_cost_bytes;
    double per_core = total / (double)min_partition_num;
    double max_split = fmin((double)max_partition_bytes, fmax((double)open_cost_bytes, per_core));
    if (max_split < 1.0)
        max_split = 1.0;
    return floor(max_split);
}

double planner_input_pieces(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                            int64_t open_cost_bytes, int64_t min_partition_num)
{
    if (total_bytes <= 0 || n_files <= 0)
        return n_files > 0 ? (double)n_files : 1.0;
    double max_split = max_split_bytes(total_bytes, n_files, max_partition_bytes,
                                       open_cost_bytes < 0 ? 0 : open_cost_bytes,
                                       min_partition_num < 1 ? 1 : min_partition_num);
    /* PartitionedFileUtil.splitFiles: each file in ceil(size / maxSplit)
     * pieces, and each piece is opened by the task that reads it. */
    double file = (double)total_bytes / (double)n_files;
    double per_file = ceil(file / max_split);
    return (double)n_files * (per_file < 1.0 ? 1.0 : per_file);
}

int64_t planner_input_partitions(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                                 int64_t open_cost_bytes, int64_t min_partition_num)
{
    if (total_bytes <= 0 || n_files <= 0)
        return 1;
    if (min_partition_num < 1)
        min_partition_num = 1;
    if (open_cost_bytes < 0)
        open_cost_bytes = 0;
    double max_split = max_split_bytes(total_bytes, n_files, max_partition_bytes, open_cost_bytes,
                                       min_partition_num);
    /* PartitionedFileUtil.splitFiles cuts each file into max_split pieces;
     * getFilePartitions packs them, largest first ("next fit decreasing"):
     * a piece joins the open partition unless current + piece > max_split,
     * and each piece adds its length plus the open cost. A full piece
     * therefore always starts a partition of its own; the equal remainders
     * then go k to a partition, k the most with
     * (k - 1) (r + open) + r <= max_split. */
    double file = (double)total_bytes / (double)n_files;
    double full = floor(file / max_split);
    double rem = file - full * max_split;
    double parts = (double)n_files * full;
    if (rem >= 1.0) {
        double k = floor((max_split - rem) / (rem + (double)open_cost_bytes)) + 1.0;
        if (k < 1.0)
            k = 1.0;
        parts += ceil((double)n_files / k);
    }
    if (parts < 1.0)
        parts = 1.0;
    return parts > 9.0e18 ? INT64_MAX : (int64_t)parts;
}

/* How much of a columnar table each scan partition reads. A Parquet file
 * is read by row groups: parquet-mr gives a row group to the split that
 * holds its midpoint (ParquetInputFormat's filtering by block offsets), so
 * when Spark's splits are smaller than the row groups only the splits
 * holding a midpoint read anything and the others finish empty. The
 * partitions are numbered as planner_input_partitions packs them (full
 * pieces one a partition in file order, then the remainders k a
 * partition); each gets the bytes of the row groups whose midpoint falls
 * in its pieces. Files are taken equal, row groups rg bytes except each
 * file's last. Returns the weights (mean 1), NULL when even or on memory
 * (*nomem says which). */
double *planner_row_group_weights(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                                  int64_t open_cost_bytes, int64_t min_partition_num,
                                  int64_t row_group_bytes, bool *nomem)
{
    *nomem = false;
    int64_t parts = planner_input_partitions(total_bytes, n_files, max_partition_bytes,
                                             open_cost_bytes, min_partition_num);
    if (total_bytes <= 0 || n_files <= 0 || row_group_bytes <= 0 || parts <= 1 ||
        parts > PLANNER_MAX_WEIGHTED_PARTS)
        return NULL;
    if (min_partition_num < 1)
        min_partition_num = 1;
    if (open_cost_bytes < 0)
        open_cost_bytes = 0;
    double max_split = max_split_bytes(total_bytes, n_files, max_partition_bytes, open_cost_bytes,
                                       min_partition_num);
    double file = (double)total_bytes / (double)n_files;
    double rg = (double)row_group_bytes;
    if (rg <= max_split)
        return NULL; /* every piece holds whole row groups: even enough */
    double full = floor(file / max_split);
    double rem = file - full * max_split;
    double k = 1.0;
    if (rem >= 1.0) {
        k = floor((max_split - rem) / (rem + (double)open_cost_bytes)) + 1.0;
        if (k < 1.0)
            k = 1.0;
    }
    double *bytes = calloc((size_t)parts, sizeof *bytes);
    if (!bytes) {
        *nomem = true;
        return NULL;
    }
    double groups = ceil(file / rg);
    for (int64_t f = 0; f < n_files; f++)
        for (double g = 0.0; g < groups; g += 1.0) {
            double lo = g * rg, hi = fmin(lo + rg, file);
            double piece = floor((lo + hi) / 2.0 / max_split);
            double idx = piece < full ? (double)f * full + piece
                                      : (double)n_files * full + floor((double)f / k);
            if (idx >= 0.0 && idx < (double)parts)
                bytes[(int64_t)idx] += hi - lo;
        }
    double *w = planner_weights_of(bytes, (size_t)parts);
    if (!w) {
        /* NULL from planner_weights_of: even, or no memory for the copy. */
        double sum = 0.0;
        for (int64_t i = 0; i < parts; i++)
            sum += bytes[i];
        bool even = true;
        for (int64_t i = 0; i < parts && sum > 0.0; i++)
            even &= fabs(bytes[i] / (sum / (double)parts) - 1.0) < 1e-9;
        *nomem = !even;
    }
    free(bytes);
    return w;
}

/* ---- after planning: jobs, order, stage specs --------------------------- */

static bool is_ancestor(const struct planner *P, int anc, int st, int depth)
{
    if (depth > 10000)
        return false;
    const struct pstage *s = &P->stages[st];
    for (size_t i = 0; i < s->n_parents; i++)
        if (s->parents[i] == anc || is_ancestor(P, anc, s->parents[i], depth + 1))
            return true;
    return false;
}

/* Assigns stage st and its unassigned ancestors to job. */
static void claim(struct planner *P, int st, int job)
{
    struct pstage *s = &P->stages[st];
    if (s->job >= 0)
        return;
    s->job = job;
    for (size_t i = 0; i < s->n_parents; i++)
        claim(P, P->stages[st].parents[i], job);
}

/* Without AQE: broadcast jobs (all at once), then each sampling job, then
 * the action's job; each later job's first stages wait for the job before
 * (the driver blocks on each while it builds the RDD graph). Returns the
 * number of jobs, or -1 on memory. */
static int assign_jobs_static(struct planner *P)
{
    int jobs = 0;
    int *last = calloc(P->n_stages + 1, sizeof *last);
    bool *is_bc = calloc(P->n_stages + 1, sizeof *is_bc);
    if (!last || !is_bc) {
        free(last);
        free(is_bc);
        return -1;
    }
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < P->n_stages; i++) {
            struct pstage *s = &P->stages[i];
            if (s->dead || s->job >= 0)
                continue;
            bool take = pass == 0   ? s->role == ROLE_BROADCAST
                        : pass == 1 ? s->role == ROLE_SAMPLE
                                    : s->role == ROLE_RESULT;
            if (!take)
                continue;
            claim(P, (int)i, jobs);
            last[jobs] = (int)i;
            is_bc[jobs] = pass == 0;
            jobs++;
        }
    /* Anything left (should not happen) joins the last job. */
    for (size_t i = 0; i < P->n_stages; i++)
        if (!P->stages[i].dead && P->stages[i].job < 0)
            P->stages[i].job = jobs > 0 ? jobs - 1 : 0;
    int rc = jobs;
    int prev_nonbc = -1;
    for (int j = 0; j < jobs && rc >= 0; j++) {
        if (is_bc[j])
            continue;
        for (size_t i = 0; i < P->n_stages && rc >= 0; i++) {
            struct pstage *s = &P->stages[i];
            if (s->dead || s->job != j)
                continue;
            bool root = true;
            for (size_t k = 0; k < s->n_parents; k++)
                root &= P->stages[s->parents[k]].job != j;
            if (!root)
                continue;
            for (int e = 0; e < j && rc >= 0; e++) {
                bool wait = prev_nonbc < 0 ? is_bc[e] : e == prev_nonbc;
                if (wait && !is_ancestor(P, last[e], (int)i, 0) &&
                    planner_stage_parent(P, (int)i, last[e]) != 0)
                    rc = -1;
            }
        }
        prev_nonbc = j;
    }
    free(last);
    free(is_bc);
    return rc;
}

/* A short name from the operators: "scan employees+filter+partial agg". */
static char *stage_name(const struct pstage *st)
{
    struct sbuf b = {0};
    if (st->role == ROLE_BROADCAST)
        sb_add(&b, "broadcast: ");
    else if (st->role == ROLE_SAMPLE)
        sb_add(&b, "sample: ");
    const char *prev = NULL;
    size_t parts = 0;
    for (size_t i = 0; i < st->n_ops; i++) {
        char scan[96];
        const char *label = plan_op_label(&st->ops[i], scan, sizeof scan);
        /* Each label once, and a name short enough to read in a table. */
        if (!label || (prev && strcmp(prev, label) == 0) || (b.p && strstr(b.p, label)))
            continue;
        if (b.len + strlen(label) > 56) {
            sb_add(&b, "+...");
            break;
        }
        sb_add(&b, "%s%s", parts++ ? "+" : "", label);
        prev = label == scan ? "scan" : label;
    }
    if (parts == 0)
        sb_add(&b, "read");
    return sb_take(&b);
}

static int64_t to_i64(double x)
{
    if (!(x > 0.0))
        return 0;
    return x >= 9.0e18 ? INT64_MAX : (int64_t)llround(x);
}

/* Cached data has the partitions of the stage that cached it, as AQE left
 * them (skew_finish): what this query caches records them, and a stage
 * reading cached data gets one task per cached partition, each as large as
 * the task that cached it. Returns 0, or -1 on memory. */
static int cache_partitions(struct planner *P)
{
    for (size_t i = 0; i < P->n_caches; i++) {
        struct cache_entry *e = &P->caches[i];
        if (e->job != P->job_index || e->stage < 0 || P->stages[e->stage].dead)
            continue;
        const struct pstage *st = &P->stages[e->stage];
        e->tasks = st->tasks;
        if (planner_copy_weights(&e->weights, st->weights, st->tasks) != 0)
            return -1;
    }
    for (size_t i = 0; i < P->n_stages; i++) {
        struct pstage *st = &P->stages[i];
        if (st->dead || !st->reads_cache)
            continue;
        const struct cache_entry *e = &P->caches[st->cache_entry];
        if (e->tasks < 1)
            continue;
        if (e->tasks != st->tasks)
            st->mem_per_task *= (double)st->tasks / (double)e->tasks;
        st->tasks = e->tasks;
        if (planner_copy_weights(&st->weights, e->weights, e->tasks) != 0)
            return -1;
    }
    return 0;
}

/* Orders the live stages (parents first; among ready stages, by job then
 * by creation), numbers the Spark jobs, and writes the stage specs. */
static enum sc_status emit(struct planner *P, struct plan_job *pj)
{
    const struct job_spec *job = pj->spec;
    size_t live = 0;
    for (size_t i = 0; i < P->n_stages; i++)
        live += !P->stages[i].dead;
    if (live > SCN_MAX_STAGES_PER_JOB)
        return diag_set(P->d, SC_ELIMIT, P->s->file, job->line,
                        "job '%s' plans into %zu stages, more than %d", job->name, live,
                        SCN_MAX_STAGES_PER_JOB);
    /* Task sizes from the data, and AQE's task lists (sim/plan/skew.h). */
    if (planner_skew_finish(P) != 0 || cache_partitions(P) != 0)
        return planner_nomem(P);
    if (!P->aqe && assign_jobs_static(P) < 0)
        return planner_nomem(P);
    int *order = calloc(live + 1, sizeof *order);
    bool *placed = calloc(P->n_stages + 1, sizeof *placed);
    struct plan_stage *specs = calloc(live + 1, sizeof *specs);
    if (!order || !placed || !specs) {
        free(order);
        free(placed);
        free(specs);
        return planner_nomem(P);
    }
    /* Kahn's algorithm, choosing the ready stage of the lowest job (without
     * AQE) and then the earliest made. */
    for (size_t k = 0; k < live; k++) {
        int best = -1;
        for (size_t i = 0; i < P->n_stages; i++) {
            const struct pstage *s = &P->stages[i];
            if (s->dead || placed[i])
                continue;
            bool ready = true;
            for (size_t p = 0; p < s->n_parents && ready; p++)
                ready = placed[s->parents[p]] || P->stages[s->parents[p]].dead;
            if (!ready)
                continue;
            /* Among ready stages: without AQE the earlier Spark job; with
             * AQE a broadcast first, as AdaptiveSparkPlanExec materializes
             * broadcast query stages before the others (SPARK-33933); then
             * the earlier made. */
            if (best < 0 || (!P->aqe && s->job < P->stages[best].job) ||
                (P->aqe && s->role == ROLE_BROADCAST && P->stages[best].role != ROLE_BROADCAST))
                best = (int)i;
        }
        if (best < 0) {
            free(order);
            free(placed);
            free(specs);
            return SC_BUG(P->d, "job '%s': planned stages form a cycle", job->name);
        }
        placed[best] = true;
        order[k] = best;
        P->stages[best].order = (int)k;
    }
    int64_t total = 0;
    enum sc_status rc = SC_OK;
    for (size_t k = 0; k < live && rc == SC_OK; k++) {
        struct pstage *s = &P->stages[order[k]];
        struct plan_stage *sp = &specs[k];
        sp->id = (int64_t)k;
        sp->tasks = s->tasks;
        sp->task_weights = s->weights;
        s->weights = NULL;
        sp->aqe_partitions_before = s->aqe_before;
        sp->aqe_skewed = s->aqe_skewed;
        sp->aqe_skew_tasks = s->aqe_skew_tasks;
        sp->aqe_broadcast = s->aqe_bcast;
        sp->input_bytes = to_i64(s->input_bytes);
        sp->shuffle_read_bytes = to_i64(s->read_bytes);
        sp->shuffle_write_bytes = to_i64(s->write_bytes);
        sp->output_bytes = to_i64(s->output_bytes);
        sp->input_store = s->input_files > 0.0 ? s->input_store : -1;
        sp->input_files = s->input_files;
        sp->output_store = -1;
        for (size_t o = 0; o < s->n_ops && s->output_bytes > 0.0; o++)
            if (s->ops[o].kind == PLAN_OP_WRITE) {
                /* Each write task writes its partition as one file
                 * (FileFormatWriter, no partitionBy); Delta writes them in
                 * place and commits its log once, Parquet and CSV through
                 * FileOutputCommitter's renames. */
                sp->output_store = storage_kind_of_path(s->ops[o].path);
                sp->output_files = (double)s->tasks;
                sp->output_commits = !s->ops[o].format || strcmp(s->ops[o].format, "delta") != 0;
            }
        sp->memory_bytes = to_i64(s->mem_per_task);
        sp->cache_bytes = to_i64(s->cache_bytes);
        sp->reads_cache = s->reads_cache;
        sp->records = to_i64(s->kernel_rows);
        sp->input_records = to_i64(s->in_rows);
        sp->output_records = to_i64(s->out_rows);
        sp->spark_job = P->aqe ? (int)k : s->job;
        sp->line = s->line ? s->line : job->line;
        sp->parents_line = sp->line;
        sp->name = stage_name(s);
        sp->kernel = strdup(s->kernel ? s->kernel : "generic");
        sp->parents = calloc(s->n_parents + 1, sizeof *sp->parents);
        sp->ops = calloc(s->n_ops + 1, sizeof *sp->ops);
        if (!sp->name || !sp->kernel || !sp->parents || !sp->ops) {
            rc = planner_nomem(P);
            break;
        }
        for (size_t p = 0; p < s->n_parents; p++) {
            const struct pstage *ps = &P->stages[s->parents[p]];
            if (!ps->dead)
                sp->parents[sp->n_parents++] = ps->order;
        }
        for (size_t i = 0; i < s->n_ops; i++)
            sp->ops[sp->n_ops++] = s->ops[i];
        s->n_ops = 0;
        if (sp->tasks > SCN_MAX_TASKS_PER_STAGE)
            rc = diag_set(P->d, SC_ELIMIT, P->s->file, sp->line,
                          "job '%s' plans a stage of %lld tasks, more than %lld (raise "
                          "spark.sql.files.maxPartitionBytes or lower the partition counts)",
                          job->name, (long long)sp->tasks, (long long)SCN_MAX_TASKS_PER_STAGE);
        total += sp->tasks;
    }
    free(order);
    free(placed);
    if (rc == SC_OK && (P->total_tasks += total) > SCN_MAX_TOTAL_TASKS)
        rc = diag_set(P->d, SC_ELIMIT, P->s->file, job->line,
                      "the scenario's planned stages have %lld tasks in all, more than %lld",
                      (long long)P->total_tasks, (long long)SCN_MAX_TOTAL_TASKS);
    plan_job_clear(pj);
    pj->stages = specs;
    pj->n_stages = live;
    return rc;
}

/* ---- one query ---------------------------------------------------------- */

static void query_reset(struct planner *P)
{
    for (size_t i = 0; i < P->n_nodes; i++)
        planner_node_fini(&P->nodes[i]);
    free(P->nodes);
    P->nodes = NULL;
    P->n_nodes = P->cap_nodes = 0;
    for (size_t i = 0; i < P->n_stages; i++)
        planner_stage_fini(&P->stages[i]);
    free(P->stages);
    P->stages = NULL;
    P->n_stages = P->cap_stages = 0;
    P->action = NULL;
}

static enum sc_status plan_query(struct planner *P, struct plan_job *pj)
{
    const struct job_spec *job = pj->spec;
    P->job = job;
    int root = -1;
    enum sc_status rc = planner_build_steps(P, job->query, job->n_query, "job", job->name, true, 0, &root);
    if (rc != SC_OK)
        return rc;
    if (!P->action || root < 0) {
        const struct query_step *last = &job->query[job->n_query - 1];
        return diag_set(P->d, SC_EINPUT, P->s->file, last->line,
                        "job '%s' ends without an action: Spark runs a DataFrame only when an "
                        "action (count, collect or write) asks for it; add one as its last step",
                        job->name);
    }
    /* count() is groupBy().count() collected (Dataset.count). */
    if (P->action->op == OP_COUNT) {
        int node = planner_node_new(P, LK_AGG, P->action, job->n_query, "job", job->name);
        if (node < 0)
            return planner_nomem(P);
        struct lnode *nd = &P->nodes[node];
        nd->child = root;
        nd->is_count = true;
        nd->calls = calloc(1, sizeof *nd->calls);
        nd->call_used = calloc(1, sizeof *nd->call_used);
        if (!nd->calls || !nd->call_used)
            return planner_nomem(P);
        snprintf(nd->calls[0].func, sizeof nd->calls[0].func, "count");
        snprintf(nd->calls[0].arg, sizeof nd->calls[0].arg, "1");
        snprintf(nd->calls[0].alias, sizeof nd->calls[0].alias, "count");
        nd->n_calls = 1;
        if ((rc = planner_resolve(P, node)) != SC_OK)
            return rc;
        root = node;
    }
    /* A limit right before collect is taken by CollectLimitExec. */
    if (P->action->op == OP_COLLECT && P->nodes[root].kind == LK_LIMIT)
        P->nodes[root].collect_limit = true;
    /* Everything the action returns or writes is used. */
    bool *need = calloc(P->nodes[root].n_out + 1, sizeof *need);
    if (!need)
        return planner_nomem(P);
    for (size_t i = 0; i < P->nodes[root].n_out; i++)
        need[i] = true;
    /* Prune, drop sorts, and prune again: a dropped sort's keys no longer
     * need to be read (Catalyst runs these rules to a fixed point). */
    rc = planner_prune(P, root, need);
    if (rc == SC_OK) {
        planner_eliminate_sorts(P, root);
        rc = planner_prune(P, root, need);
    }
    free(need);
    if (rc != SC_OK)
        return rc;
    struct stream s;
    memset(&s, 0, sizeof s);
    if ((rc = planner_phys(P, root, &s)) != SC_OK) {
        planner_stream_fini(&s);
        return rc;
    }
    const struct query_step *a = P->action;
    struct pstage *st = &P->stages[s.stage];
    if (a->op == OP_COLLECT) {
        const struct plan_op *last = st->n_ops > 0 ? &st->ops[st->n_ops - 1] : NULL;
        bool limited = last && last->kind == PLAN_OP_LIMIT && last->limit_mode == PLAN_LIMIT_COLLECT;
        if (!limited && planner_stage_op_n(P, s.stage, PLAN_OP_COLLECT, 0, NULL, 0.0) != 0)
            rc = planner_nomem(P);
    } else if (a->op == OP_WRITE) {
        /* The files hold the rows' columns (before the format's own
         * compression). */
        double w = 0.0;
        for (size_t i = 0; i < s.n_cols; i++)
            if (s.req[i])
                w += s.cols[i].width_bytes;
        st->output_bytes += s.rows * w;
        struct plan_op wo = {.kind = PLAN_OP_WRITE,
                             .format = strdup(a->format ? a->format : "parquet"),
                             .path = a->path ? strdup(a->path) : NULL};
        if (!wo.format || (a->path && !wo.path)) {
            plan_op_fini(&wo);
            rc = planner_nomem(P);
        } else if (planner_stage_op(P, s.stage, &wo, "project", s.rows, 0.0) != 0) {
            rc = planner_nomem(P);
        }
    }
    st = &P->stages[s.stage];
    st->role = ROLE_RESULT;
    st->out_rows += s.rows;
    planner_stream_fini(&s);
    if (rc != SC_OK)
        return rc;
    if (P->same_reads) {
        int cyclic = planner_stages_cyclic(P);
        if (cyclic < 0)
            return planner_nomem(P);
        if (cyclic) {
            P->replan = true; /* planner_plan_with plans it again */
            return SC_OK;
        }
    }
    return emit(P, pj);
}

/* ---- public ------------------------------------------------------------- */

/* AQE's settings (sim/plan/skew.h). CoalesceShufflePartitions' minNumPartitions
 * is the default parallelism (spark.default.parallelism, else the
 * executors' cores, at least 2: CoarseGrainedSchedulerBackend) when
 * parallelismFirst, else 1. */
static void aqe_settings(struct planner *P, const struct cluster *cl)
{
    const struct spark_conf *c = &P->s->spark;
    struct aqe_conf *a = &P->aqe_conf;
    a->coalesce = spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.enabled");
    a->skew_join = spark_conf_bool(c, "spark.sql.adaptive.skewJoin.enabled");
    a->advisory = (double)spark_conf_bytes(c, "spark.sql.adaptive.advisoryPartitionSizeInBytes");
    a->min_partition_size =
        (double)spark_conf_bytes(c, "spark.sql.adaptive.coalescePartitions.minPartitionSize");
    a->skew_factor = spark_conf_double(c, "spark.sql.adaptive.skewJoin.skewedPartitionFactor");
    a->skew_threshold =
        (double)spark_conf_bytes(c, "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes");
    int64_t dp = spark_conf_int(c, "spark.default.parallelism");
    if (dp < 1) {
        dp = (int64_t)cl->executors * cl->executor_cores;
        dp = dp > 2 ? dp : 2;
    }
    a->min_partitions =
        spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.parallelismFirst") ? dp : 1;
    P->aqe_broadcast_threshold = spark_conf_bytes(c, "spark.sql.adaptive.autoBroadcastJoinThreshold");
}

/* Spark's default parallelism for leaf scans: spark.sql.files.minPartitionNum,
 * else spark.sql.leafNodeDefaultParallelism, else spark.default.parallelism,
 * else the executors' total cores (at least 2), as
 * CoarseGrainedSchedulerBackend.defaultParallelism gives it. */
static int64_t min_partitions(const struct scenario *s, const struct cluster *cl)
{
    static const char *const keys[] = {"spark.sql.files.minPartitionNum",
                                       "spark.sql.leafNodeDefaultParallelism"};
    for (size_t i = 0; i < 2; i++) {
        const struct spark_setting *v = spark_conf_get(&s->spark, keys[i]);
        if (v && v->type == SPARK_INT && v->i > 0)
            return v->i;
    }
    int64_t dp = spark_conf_int(&s->spark, "spark.default.parallelism");
    if (dp > 0)
        return dp;
    int64_t cores = (int64_t)cl->executors * cl->executor_cores;
    return cores > 2 ? cores : 2;
}

/* SQLConf.numShufflePartitions: with AQE coalescing on, the initial
 * partition number when set; its key in *key. */
static int64_t shuffle_partitions(const struct spark_conf *c, const char **key)
{
    *key = "spark.sql.shuffle.partitions";
    int64_t n = spark_conf_int(c, *key);
    int64_t initial =
        spark_conf_int(c, "spark.sql.adaptive.coalescePartitions.initialPartitionNum");
    if (spark_conf_bool(c, "spark.sql.adaptive.enabled") &&
        spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.enabled") && initial > 0) {
        if (spark_conf_get(c, "spark.sql.adaptive.coalescePartitions.initialPartitionNum"))
            *key = "spark.sql.adaptive.coalescePartitions.initialPartitionNum";
        n = initial;
    }
    return n < 1 ? 1 : n;
}

enum sc_status planner_check_footprint(const struct scenario *s, double limit_bytes, struct diag *d)
{
    bool queries = false;
    for (size_t j = 0; j < s->n_jobs; j++)
        queries |= s->jobs[j].query != NULL;
    if (!queries || !(limit_bytes > 0.0))
        return SC_OK;
    const char *key;
    int64_t n = shuffle_partitions(&s->spark, &key);
    double need = (double)n * PLANNER_BYTES_PER_PARTITION;
    if (need <= limit_bytes)
        return SC_OK;
    const struct spark_setting *set = spark_conf_get(&s->spark, key);
    char need_s[32], limit_s[32];
    units_format_bytes((int64_t)need, need_s, sizeof need_s);
    units_format_bytes((int64_t)limit_bytes, limit_s, sizeof limit_s);
    return diag_set(d, SC_ELIMIT, s->file, set ? set->line : 0,
                    "%s = %lld: planning an exchange into that many partitions would need "
                    "about %s (%.0f bytes a partition), more than the %s memory limit "
                    "(STAGECAST_MEMORY_LIMIT; by default this machine's memory)",
                    key, (long long)n, need_s, PLANNER_BYTES_PER_PARTITION, limit_s);
}

struct plan *planner_plan(const struct scenario *s, const struct cluster *cl,
                          const struct plan_stats *stats, struct diag *d)
{
    struct plan *plan = plan_new(s, d);
    if (!plan)
        return NULL;
    struct planner P;
    memset(&P, 0, sizeof P);
    P.s = s;    P.st = stats ? stats : plan_stats_default();
    P.d = d;
    const struct spark_conf *c = &s->spark;
    P.aqe = spark_conf_bool(c, "spark.sql.adaptive.enabled");
    const char *partitions_key;
    P.shuffle_partitions = shuffle_partitions(c, &partitions_key);
    P.max_partition_bytes = spark_conf_bytes(c, "spark.sql.files.maxPartitionBytes");
    if (P.max_partition_bytes < 1)
        P.max_partition_bytes = 128LL * 1024 * 1024;
    P.open_cost = spark_conf_bytes(c, "spark.sql.files.openCostInBytes");
    P.broadcast_threshold = spark_conf_bytes(c, "spark.sql.autoBroadcastJoinThreshold");
    P.compress = spark_conf_bool(c, "spark.shuffle.compress");
    P.min_partitions = min_partitions(s, cl);
    aqe_settings(&P, cl);
    enum sc_status rc = SC_OK;
    for (size_t j = 0; j < s->n_jobs && rc == SC_OK; j++) {
        struct plan_job *job = &plan->jobs[j];
        if (!job->planned) {
            if (s->what_if.input_scale != 1.0 &&
                (rc = planner_scale_explicit(&P, job, s->what_if.input_scale)) != SC_OK)
                break;
            for (size_t k = 0; k < job->n_stages; k++)
                P.total_tasks += job->stages[k].tasks;
            continue;
        }
        P.job_index = j;
        P.same_reads = P.no_same_reads = P.replan = false;
        rc = plan_query(&P, job);
        if (rc == SC_OK && P.replan) {
            /* Forget what the first attempt cached and plan it again
             * without reading its own cache (see cache_ready). */
            query_reset(&P);
            size_t kept = 0;
            for (size_t i = 0; i < P.n_caches; i++) {
                if (P.caches[i].job == j) {
                    free(P.caches[i].sig);
                    free(P.caches[i].weights);
                } else
                    P.caches[kept++] = P.caches[i];
            }
            P.n_caches = kept;
            P.no_same_reads = true;
            P.same_reads = P.replan = false;
            rc = plan_query(&P, job);
        }
        query_reset(&P);
    }
    for (size_t i = 0; i < P.n_caches; i++) {
        free(P.caches[i].sig);
        free(P.caches[i].weights);
    }
    free(P.caches);
    if (rc != SC_OK) {
        plan_free(plan);
        return NULL;
    }
    return plan;
}
