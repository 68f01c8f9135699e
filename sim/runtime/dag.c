/*
 * dag.c — Spark's DAG scheduler as the runtime needs it: jobs submitted by
 * the driver program's threads, and each job's stages submitted as their
 * parents finish.
 *
 * What is reproduced from Spark 3 (DAGScheduler):
 *  - Ids. A job's id and its stages' ids are handed out when the job is
 *    submitted, parents before children, so Spark's FIFO order — by job id,
 *    then stage id — is submission order.
 *  - Stages. A stage is submitted when all its parents have finished; stages
 *    with no unfinished parent run at once and share the slots.
 *
 * Jobs are actions of a driver program. The jobs without submit_s form the
 * program's main thread: each starts when every earlier job of its thread
 * has ended, as a driver that waits for what it launched (concurrent = true
 * submits a job together with the one before it, as Spark 3's AQE submits a
 * broadcast and a shuffle stage at once). A job with submit_s starts a
 * thread of its own at that time — another user, another notebook — and the
 * untimed jobs after it in the file follow it in that thread. gap_s delays a
 * job's submission by that long after its thread's earlier jobs end (the
 * driver-side work or idle time an event log records between actions).
 *
 * Relative submission, as an imported log writes it so that a what-if moves
 * the jobs with the work they waited for: a job with `after` starts a thread
 * of its own gap_s after the job it names ends (the action that used that
 * job's result), and a concurrent job with gap_s is submitted that long
 * after the job before it (a driver's other thread, submitting while the
 * first job runs).
 */
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>

#include "sim/runtime/runtime_internal.h"
#include "models/units.h"

static void submit_job(struct sim *sim, size_t j);

/* Job j is submitted gap_s from now: at once, or by its event. */
static void submit_after_gap(struct sim *sim, size_t j)
{
    struct rt_job *job = &sim->jobs[j];
    if (job->spec->gap_s > 0.0) {
        int64_t at = engine_now(&sim->eng) + units_s_to_us(job->spec->gap_s);
        if (engine_schedule(&sim->eng, &job->submit_ev, at, 0) != 0)
            runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
    } else {
        submit_job(sim, j);
    }
}

/* Whether a stage of spec is the first in this simulation to run its
 * pipeline of operators (the kinds in order; an explicit stage's kernel),
 * remembering it: the JVM interprets code it has not compiled yet, so the
 * first run of a pipeline is slower than its repeats (models/jvm.h). A stage
 * with neither, or one given task_seconds, is never cold. */
static bool pipeline_first_run(struct sim *sim, const struct plan_stage *spec)
{
    if (spec->has_task_seconds || (spec->n_ops == 0 && !spec->kernel))
        return false;
    uint64_t h = 1469598103934665603ull; /* FNV-1a over the kinds or the kernel name */
    for (size_t i = 0; i < spec->n_ops; i++)
        h = (h ^ (uint64_t)spec->ops[i].kind) * 1099511628211ull;
    for (const char *c = spec->n_ops == 0 ? spec->kernel : ""; *c; c++)
        h = (h ^ (uint64_t)(unsigned char)*c) * 1099511628211ull;
    for (size_t i = 0; i < sim->n_pipelines; i++)
        if (sim->pipelines[i] == h)
            return false;
    if (sim->n_pipelines == sim->cap_pipelines) {
        size_t cap = sim->cap_pipelines ? sim->cap_pipelines * 2 : 16;
        uint64_t *p = realloc(sim->pipelines, cap * sizeof *p);
        if (!p) {
            runtime_fail(sim, SC_ENOMEM, "out of memory for pipelines");
            return false;
        }
        sim->pipelines = p;
        sim->cap_pipelines = cap;
    }
    sim->pipelines[sim->n_pipelines++] = h;
    return true;
}

static void stage_submit(struct sim *sim, int st_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    st->state = STAGE_RUNNING;
    speculation_wake(sim);
    struct stage_result *sr = &sim->res.stages[st_index];
    if (!st->submitted_once) {
        /* A stage resubmitted after lost shuffle output keeps its first
         * submission time, and its random stream. */
        st->submitted_once = true;
        sr->submit_us = engine_now(&sim->eng);
        st->cold_pipeline = pipeline_first_run(sim, st->spec);
        sr->compute_factor = st->cold_pipeline ? sim->jvm.first_query_factor : 1.0;
        st->first_wave_left = 0;
        for (int e = 0; st->cold_pipeline && e < sim->max_executors; e++)
            if (sim->execs[e].alive)
                st->first_wave_left += sim->execs[e].slots;
    }
    if (!st->rng && !runtime_stage_stream_open(sim, st))
        return;
    taskcost_stage_init(&st->cost, st->spec, &sim->cl, st->calib_z);
    st->cost.warmup_s = sim->jvm.first_task_s;
    if (!sim->move_warmup)
        st->cost.cold = NULL;
    task_stage_bytes_init(sim, st);
    shuffle_locate_blocks(sim, st);
    locality_stage_submit(sim, st);
    if (st->driver_s > 0.0 && !st->offered) {
        /* The driver serializes and broadcasts the task binary before it
         * offers the tasks (DAGScheduler.submitMissingTasks). */
        if (engine_schedule(&sim->eng, &st->offer_ev,
                            engine_now(&sim->eng) + units_s_to_us(st->driver_s), 0) != 0)
            runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
        return;
    }
    st->offered = true;
    if (stage_pending(st) > 0)
        sched_active_insert(sim, st_index);
}

void dag_on_stage_offer(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_stage *st = (struct rt_stage *)((char *)ev - offsetof(struct rt_stage, offer_ev));
    (void)eng;
    st->offered = true;
    if (st->state == STAGE_RUNNING && stage_pending(st) > 0)
        sched_active_insert(sim, (int)(st - sim->stages));
    sched_offer_round(sim);
    task_net_sync(sim);
}

void dag_stage_finished(struct sim *sim, int st_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    int64_t now = engine_now(&sim->eng);
    st->state = STAGE_DONE;
    sim->res.stages[st_index].end_us = now;
    gsl_rng_free(st->rng);
    st->rng = NULL;
    for (int c = 0; c < st->n_children; c++) {
        struct rt_stage *child = &sim->stages[st->children[c]];
        /* After a recompute, children that were done stay done. */
        if (child->state == STAGE_WAITING && --child->parents_left == 0)
            stage_submit(sim, st->children[c]);
    }
    struct rt_job *job = &sim->jobs[st->job];
    if (--job->stages_left == 0) {
        job->done = true;
        sim->res.jobs[st->job].end_us = now;
        sim->jobs_done++;
        /* The thread's next job starts once everything the thread has
         * launched has ended. */
        struct rt_job *head = &sim->jobs[job->thread];
        /* Driver-side work or an idle user between actions: gap_s. */
        if (--head->outstanding == 0 && head->next < sim->n_jobs)
            submit_after_gap(sim, head->next);
        /* The jobs that wait for this one's end. */
        for (int a = job->first_after; a >= 0; a = sim->jobs[a].next_after)
            submit_after_gap(sim, (size_t)a);
        if (sim->jobs_submitted == sim->jobs_done && sim->jobs_done < sim->n_jobs)
            spot_pause(sim);
    }
}

static void submit_job(struct sim *sim, size_t j)
{
    struct rt_job *job = &sim->jobs[j];
    if (job->submitted)
        return;
    job->submitted = true;
    sim->jobs_submitted++;
    spot_resume(sim);
    executors_policy_wake(sim);
    struct rt_job *head = &sim->jobs[job->thread];
    if (!job->reserved)
        head->outstanding++;
    job->reserved = false;
    /* The thread's next job: the first later job of the same thread. */
    size_t nx = j + 1;
    while (nx < sim->n_jobs && sim->jobs[nx].thread != job->thread)
        nx++;
    head->next = nx;
    int64_t now = engine_now(&sim->eng);
    job->spark_id = sim->next_job_id++;
    sim->res.jobs[j].spark_id = job->spark_id;
    sim->res.jobs[j].submit_us = now;
    /* Stage ids in the order the stages are listed (parents first in any
     * file copied from Spark). */
    for (int i = 0; i < job->n_stages; i++) {
        struct rt_stage *st = &sim->stages[job->first_stage + i];
        st->spark_id = sim->next_stage_id++;
        sim->res.stages[job->first_stage + i].spark_id = st->spark_id;
    }
    if (job->driver_s > 0.0) {
        /* The driver builds the job's stages before it submits them. */
        if (engine_schedule(&sim->eng, &job->stages_ev, now + units_s_to_us(job->driver_s), 0) != 0)
            runtime_fail(sim, SC_ENOMEM, "out of memory for the event queue");
    } else {
        for (int i = 0; i < job->n_stages; i++)
            if (sim->stages[job->first_stage + i].parents_left == 0)
                stage_submit(sim, job->first_stage + i);
    }
    /* A concurrent job of the same thread is submitted with this one, or
     * gap_s after it; it counts as outstanding from now, so the thread's
     * next job waits for it either way. */
    if (nx < sim->n_jobs && sim->jobs[nx].spec->concurrent) {
        if (sim->jobs[nx].spec->gap_s > 0.0 && !sim->jobs[nx].reserved) {
            sim->jobs[nx].reserved = true;
            head->outstanding++;
        }
        submit_after_gap(sim, nx);
    }
    sched_offer_round(sim);
}

void dag_on_job_stages(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_job *job = (struct rt_job *)((char *)ev - offsetof(struct rt_job, stages_ev));
    (void)eng;
    for (int i = 0; i < job->n_stages; i++)
        if (sim->stages[job->first_stage + i].parents_left == 0 &&
            sim->stages[job->first_stage + i].state == STAGE_WAITING)
            stage_submit(sim, job->first_stage + i);
    sched_offer_round(sim);
    task_net_sync(sim);
}

void dag_on_job_submit(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    (void)eng;
    struct rt_job *job = (struct rt_job *)((char *)ev - offsetof(struct rt_job, submit_ev));
    submit_job(sim, (size_t)(job - sim->jobs));
}
