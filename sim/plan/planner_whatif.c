/*
 * planner_whatif.c — what_if.input_scale on explicit stages: the same
 * application on F times its input, for stages copied from a Spark UI or
 * imported from an event log (a query's tables are scaled by the reader,
 * and the planner's own rules then apply to them).
 *
 * An explicit stage is what ran, not a plan, so this keeps its shape and
 * changes what Spark would change with more data:
 *
 *  - a scan stage (logged_input_bytes > 0, no shuffle read) gets the task
 *    count Spark's FilePartition rules give F times its bytes
 *    (planner_input_partitions: maxSplitBytes = min(maxPartitionBytes,
 *    max(openCostInBytes, bytes per core)), files cut and packed). The log
 *    does not say how many files it read: they are taken to be as many as
 *    its logged tasks, each F times larger. When those rules do not give
 *    the logged count at F = 1 (an RDD scan: Hadoop's one split per block
 *    of each file), each file is cut into blocks of maxPartitionBytes
 *    instead, relative to the logged count, so that F = 1 is the log.
 *  - a shuffle stage keeps spark.sql.shuffle.partitions tasks, unless AQE
 *    coalesced it (fewer tasks than the partitions): then its count moves
 *    as CoalesceShufflePartitions' target size gives for F times its bytes
 *    (aqe_coalesce_target), again relative to the logged count.
 *  - every task gets F x (logged tasks / new tasks) times the records of a
 *    logged task; its compute scales by that, its fixed part (fixed_s:
 *    launch, deserialization, result) does not (taskcost.c). Task i of the
 *    new count takes the logged time of task i x logged / new, so the
 *    stage keeps its skew.
 *
 * Bytes the model itself moves (input_bytes, shuffle and output bytes,
 * records) grow F times; a derived scan's tasks are derived again.
 */
#include "sim/plan/planner_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* New task count: logged x rule(F x bytes) / rule(bytes), at least 1. */
static int64_t rescaled_count(int64_t logged, double rule_1, double rule_f)
{
    double n = rule_1 > 0.0 ? round((double)logged * rule_f / rule_1) : (double)logged;
    return n < 1.0 ? 1 : n > (double)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)n;
}

/* The tasks Spark would give stage sp (as logged: ps->tasks) on f times its
 * input. */
static int64_t scaled_tasks(const struct planner *P, const struct stage_spec *sp,
                            const struct plan_stage *ps, double f)
{
    int64_t n = ps->tasks;
    if (sp->logged_shuffle_bytes > 0) {
        const struct aqe_conf *a = &P->aqe_conf;
        if (!(P->aqe && a->coalesce && n < P->shuffle_partitions))
            return n; /* as configured */
        double b1 = (double)sp->logged_shuffle_bytes, bf = b1 * f;
        double r1 = ceil(
            b1 / aqe_coalesce_target(b1, a->min_partitions, a->advisory, a->min_partition_size));
        double rf = ceil(
            bf / aqe_coalesce_target(bf, a->min_partitions, a->advisory, a->min_partition_size));
        int64_t m = rescaled_count(n, r1, rf);
        return m > P->shuffle_partitions ? P->shuffle_partitions : m;
    }
    if (sp->logged_input_bytes > 0) {
        int64_t b1 = sp->logged_input_bytes;
        double bf_d = round((double)b1 * f);
        int64_t bf = bf_d < 1.0 ? 1 : bf_d > (double)SCN_MAX_BYTES ? SCN_MAX_BYTES : (int64_t)bf_d;
        int64_t r1 = planner_input_partitions(b1, n, P->max_partition_bytes, P->open_cost,
                                              P->min_partitions);
        if (r1 == n) /* FilePartition's rules explain the log: they apply */
            return planner_input_partitions(bf, n, P->max_partition_bytes, P->open_cost,
                                            P->min_partitions);
        /* They do not (an RDD's Hadoop splits: one task per block of each
         * file, never two files in one): each file is cut into blocks of
         * maxPartitionBytes (the stores' 128 MiB block size by default). */
        double block = (double)(P->max_partition_bytes > 0 ? P->max_partition_bytes : 1);
        double per_file = (double)b1 / (double)n;
        double p1 = fmax(1.0, ceil(per_file / block)), pf = fmax(1.0, ceil(per_file * f / block));
        return rescaled_count(n, p1, pf);
    }
    if (sp->tasks_derived && sp->input_bytes > 0 && sp->shuffle_read_bytes < 0) {
        /* The reader's first-order split, on the larger input. */
        double split = (double)(P->max_partition_bytes > 0 ? P->max_partition_bytes : 1);
        double m = ceil((double)sp->input_bytes * f / split);
        return m < 1.0 ? 1 : m > (double)INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)m;
    }
    return n;
}

static int64_t grown(int64_t v, double f)
{
    if (v <= 0)
        return v;
    double g = round((double)v * f);
    return g < 1.0 ? 1 : g > (double)SCN_MAX_BYTES ? SCN_MAX_BYTES : (int64_t)g;
}

enum sc_status planner_scale_explicit(struct planner *P, struct plan_job *job, double f)
{
    const struct job_spec *js = job->spec;
    for (size_t k = 0; k < job->n_stages; k++) {
        struct plan_stage *ps = &job->stages[k];
        const struct stage_spec *sp = &js->stages[k];
        int64_t n_old = ps->tasks;
        int64_t n_new = scaled_tasks(P, sp, ps, f);
        if (n_new > SCN_MAX_TASKS_PER_STAGE)
            return diag_set(P->d, SC_ELIMIT, P->s->file, sp->line,
                            "what_if.input_scale %g gives stage %lld of job '%s' %lld tasks, "
                            "more than the %lld stagecast accepts",
                            f, (long long)ps->id, js->name, (long long)n_new,
                            (long long)SCN_MAX_TASKS_PER_STAGE);
        if (n_new != n_old && ps->task_seconds_list) {
            double *list = malloc((size_t)n_new * sizeof *list);
            if (!list)
                return planner_nomem(P);
            /* Task i of the new count stands where task i x old / new stood. */
            for (int64_t i = 0; i < n_new; i++)
                list[i] =
                    ps->task_seconds_list[(int64_t)((double)i * (double)n_old / (double)n_new)];
            free(ps->task_seconds_list);
            ps->task_seconds_list = list;
            if (ps->task_cold) {
                bool *cold = malloc((size_t)n_new * sizeof *cold);
                if (!cold)
                    return planner_nomem(P);
                for (int64_t i = 0; i < n_new; i++)
                    cold[i] = ps->task_cold[(int64_t)((double)i * (double)n_old / (double)n_new)];
                free(ps->task_cold);
                ps->task_cold = cold;
            }
        }
        if (n_new != n_old && ps->n_lost) {
            /* Which of the new tasks ran where the log lost one, it cannot
             * say either. */
            free(ps->lost);
            ps->lost = NULL;
            ps->n_lost = 0;
        }
        if (n_new != n_old && ps->n_failed) {
            free(ps->failed);
            ps->failed = NULL;
            ps->n_failed = 0;
        }
        if (n_new != n_old && ps->task_locality) {
            /* Where the new tasks' data is, the log cannot say: the split
             * changed, and a block's hosts with it. */
            free(ps->task_locality);
            ps->task_locality = NULL;
        }
        ps->tasks = n_new;
        /* Each task's records: f times the stage's over the new count. */
        double per_task = f * (double)n_old / (double)n_new;
        ps->compute_scale *= per_task;
        if (ps->memory_bytes > 0)
            ps->memory_bytes = grown(ps->memory_bytes, per_task);
        ps->input_bytes = grown(ps->input_bytes, f);
        ps->records = grown(ps->records, f);
        ps->shuffle_read_bytes = grown(ps->shuffle_read_bytes, f);
        ps->shuffle_write_bytes = grown(ps->shuffle_write_bytes, f);
        ps->output_bytes = grown(ps->output_bytes, f);
        ps->cache_bytes = grown(ps->cache_bytes, f);
    }
    return SC_OK;
}
