/*
 * footprint.c — the task-proportional memory of a simulation, estimated
 * from the plan before sim_new allocates it (see footprint.h for what is
 * counted). The per-task figures are the sizes of the arrays runtime.c,
 * speculation.c and taskstats.c allocate; task records are struct
 * task_rec, one per attempt (retries and speculative copies add more, so
 * the estimate is a floor there).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/units.h"
#include "sim/input/sparkconf.h"
#include "sim/runtime/footprint.h"
#include "sim/runtime/results.h"
#include "sim/runtime/taskstats.h"

/* Whether a stage of job is a parent of another (its children are in its
 * job: runtime.c links them so). */
static bool plan_stage_is_read(const struct plan_job *job, size_t k)
{
    for (size_t i = 0; i < job->n_stages; i++)
        for (size_t q = 0; q < job->stages[i].n_parents; q++)
            if (job->stages[i].parents[q] == job->stages[k].id)
                return true;
    return false;
}

void footprint_estimate(const struct plan *p, const struct cluster *cl, bool task_records,
                        struct footprint *f)
{
    memset(f, 0, sizeof *f);
    bool spec = spark_conf_bool(&p->scn->spark, "spark.speculation");
    /* Shuffle output can be lost with spot workers, or with executors of
     * the timeline that leave without the external shuffle service
     * (runtime.c's build_timeline). */
    bool leaves = false;
    for (size_t i = 0; i < p->scn->cluster.n_executors; i++)
        leaves |= isfinite(p->scn->cluster.executors[i].end_s);
    bool losable = cl->spot_fraction > 0.0 ||
                   (leaves && !spark_conf_bool(&p->scn->spark, "spark.shuffle.service.enabled"));
    /* attempts (1 byte); with speculation run_a, run_b (int32 each),
     * task_done (1 byte) and two doubles of run times (speculation.c's
     * two heaps); where output can be lost, a stage that another reads
     * keeps out_worker and out_next (int32 each: its worker's list). */
    double per_task = 1.0 + (spec ? 4.0 + 4.0 + 1.0 + 2.0 * sizeof(double) : 0.0);
    double per_map_task = losable ? 4.0 + 4.0 : 0.0;
    int64_t most = -1;
    for (size_t j = 0; j < p->n_jobs; j++)
        for (size_t k = 0; k < p->jobs[j].n_stages; k++) {
            int64_t n = p->jobs[j].stages[k].tasks;
            f->tasks += n;
            f->state_bytes += per_task * (double)n;
            if (per_map_task > 0.0 && plan_stage_is_read(&p->jobs[j], k))
                f->state_bytes += per_map_task * (double)n;
            /* Exact run times, 64-bit at worst, up to the sketch's bound. */
            f->state_bytes += 8.0 * (double)(n < TASKSTATS_EXACT_MAX ? n : TASKSTATS_EXACT_MAX);
            if (task_records)
                f->record_bytes += (double)sizeof(struct task_rec) * (double)n;
            if (n > most) {
                most = n;
                f->big_job = j;
                f->big_stage = k;
            }
        }
    f->total_bytes = f->state_bytes + f->record_bytes;
}

/* Where a stage's task count comes from, for the message: the setting or
 * key a user would change. */
static void tasks_source(const struct plan *p, const struct plan_job *job,
                         const struct plan_stage *st, char *buf, size_t size)
{
    const struct spark_conf *c = &p->scn->spark;
    if (!job->planned && !st->tasks_derived)
        snprintf(buf, size, "tasks = %" PRId64, st->tasks);
    else if (!job->planned)
        snprintf(buf, size,
                 "tasks from input_bytes = %" PRId64 " / spark.sql.files.maxPartitionBytes",
                 st->input_bytes);
    else if (st->n_parents > 0 || st->aqe_partitions_before > 0)
        snprintf(buf, size, "spark.sql.shuffle.partitions = %" PRId64,
                 spark_conf_int(c, "spark.sql.shuffle.partitions"));
    else
        snprintf(buf, size, "its input's size / spark.sql.files.maxPartitionBytes");
}

enum sc_status footprint_check(const struct footprint *f, const struct plan *p, double limit_bytes,
                               struct diag *d)
{
    if (!(limit_bytes > 0.0) || f->total_bytes <= limit_bytes)
        return SC_OK;
    const struct plan_job *job = &p->jobs[f->big_job];
    const struct plan_stage *st = &job->stages[f->big_stage];
    char source[160], need[32], recs[32], limit[32];
    tasks_source(p, job, st, source, sizeof source);
    units_format_bytes((int64_t)f->total_bytes, need, sizeof need);
    units_format_bytes((int64_t)f->record_bytes, recs, sizeof recs);
    units_format_bytes((int64_t)limit_bytes, limit, sizeof limit);
    char records[200] = "";
    if (f->record_bytes > 0.0)
        snprintf(records, sizeof records,
                 " (%s of it task records, %zu bytes per attempt, kept for --timeline, --trace "
                 "and --plot)",
                 recs, sizeof(struct task_rec));
    return diag_set(d, SC_ELIMIT, p->scn->file, st->line,
                    "job '%s' stage %" PRId64 " has %" PRId64 " tasks (%s); the %" PRId64
                    " tasks of all stages would need about %s%s, more than the %s memory limit "
                    "(STAGECAST_MEMORY_LIMIT; by default this machine's memory): lower the task "
                    "count%s",
                    job->spec->name, st->id, st->tasks, source, f->tasks, need, records, limit,
                    f->record_bytes > 0.0 ? " or leave out those outputs" : "");
}
