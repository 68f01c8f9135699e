/*
 * runtime.c — the Spark runtime model (see runtime.h).
 *
 * What is reproduced from Spark 3 (DAGScheduler, TaskSchedulerImpl,
 * TaskSetManager, Pool and SchedulingAlgorithm in apache/spark core):
 *  - Ids. A job's id and its stages' ids are handed out when the job is
 *    submitted, parents before children, so Spark's FIFO order — by job id,
 *    then stage id — is submission order.
 *  - Stages. A stage is submitted when all its parents have finished; stages
 *    with no unfinished parent run at once and share the slots.
 *  - Slots. An executor has executor_cores / spark.task.cpus slots.
 *  - Offers. Each time slots free up, the scheduler makes one round of
 *    offers: it sorts the task sets once (FIFO: job id, stage id; FAIR: the
 *    pools by FairSchedulingAlgorithm, then the task sets inside each pool by
 *    the pool's own mode) and lets each task set in that order take as many
 *    free slots as it has tasks left, launching its tasks in index order. So
 *    FAIR shares slots as they free up, not by preempting running tasks,
 *    exactly as Spark does.
 *  - Pools. In FAIR mode a job runs in its `pool` ("default" if unset); a
 *    pool the scenario does not declare is created as Spark creates one:
 *    FIFO inside, weight 1, minShare 0. Note Spark's own default pool is
 *    FIFO inside, so two jobs in the same undeclared pool do not share.
 *  - Offer order. Free slots are handed out in the order they became free;
 *    at start they are interleaved across executors (slot 0 of every
 *    executor, then slot 1, ...), which is what Spark's round-robin over
 *    shuffled offers yields on a homogeneous cluster.
 *  - Launch. The driver launches tasks one at a time (serialize, RPC): each
 *    launch takes task_launch_s of driver time, so a task's scheduler delay
 *    is its wait for the driver plus that time. The default of 1 ms is the
 *    order of the scheduler delays recorded in the shared Spark event logs
 *    for small tasks; model.task_launch_ms overrides it.
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
 */
#include "sim/runtime.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/engine.h"

enum stage_state { STAGE_WAITING, STAGE_RUNNING, STAGE_DONE };

struct rt_stage {
    const struct stage_spec *spec;
    int job;
    int *children;
    int n_children;
    int parents_left;
    int64_t spark_id;
    int64_t tasks, next, running, done;
    enum stage_state state;
    int pool;
    uint64_t stream_seed;
    gsl_rng *rng;           /* while running */
    struct stage_cost cost;
};

struct rt_job {
    const struct job_spec *spec;
    int first_stage, n_stages, stages_left;
    int pool;
    int64_t spark_id;
    bool submitted, done;
    size_t thread;          /* index of the job that heads its thread */
    size_t outstanding;     /* as a thread head: jobs submitted, not ended */
    size_t next;            /* as a thread head: next job to submit, or n_jobs */
    struct event submit_ev;
};

struct rt_pool {
    const char *name;
    enum sched_mode mode;
    int weight, min_share;
    int64_t running;
    int pending_stages;     /* stages of this pool with tasks not yet launched */
};

struct rt_slot {
    struct event done;
    int executor;
    int slot;
    size_t rec;             /* the task record running here */
};

struct sim {
    const struct scenario *scn;
    struct cluster cl;
    struct engine eng;
    uint64_t seed;
    enum sched_mode mode;
    int64_t launch_us;      /* driver time per task launch */
    int64_t driver_free_us; /* when the driver can launch the next task */

    struct rt_stage *stages;
    size_t n_stages;
    struct rt_job *jobs;
    size_t n_jobs;
    struct rt_pool *pools;
    size_t n_pools;
    struct rt_slot *slots;
    size_t n_slots;

    /* Free slots, a ring in the order they became free. */
    int *free_ring;
    size_t free_head, free_count;

    /* Stages with tasks not yet launched, sorted by spark_id. */
    int *active;
    size_t n_active;
    int *order;             /* scratch for a FAIR offer round */

    int64_t next_job_id, next_stage_id;
    size_t jobs_done;
    bool failed;
    struct diag *diag;
    struct results res;
};

/* splitmix64: a good 64-bit mixer to derive independent stream seeds. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static void fail(struct sim *sim, enum sc_status st, const char *msg)
{
    if (!sim->failed)
        diag_set(sim->diag, st, NULL, 0, "%s", msg);
    sim->failed = true;
    engine_stop(&sim->eng);
}

/* ---- free slots ------------------------------------------------------- */

static void free_push(struct sim *sim, int slot)
{
    sim->free_ring[(sim->free_head + sim->free_count) % sim->n_slots] = slot;
    sim->free_count++;
}

static int free_pop(struct sim *sim)
{
    int slot = sim->free_ring[sim->free_head];
    sim->free_head = (sim->free_head + 1) % sim->n_slots;
    sim->free_count--;
    return slot;
}

/* ---- the active list -------------------------------------------------- */

static void active_insert(struct sim *sim, int st)
{
    size_t i = sim->n_active;
    while (i > 0 && sim->stages[sim->active[i - 1]].spark_id > sim->stages[st].spark_id) {
        sim->active[i] = sim->active[i - 1];
        i--;
    }
    sim->active[i] = st;
    sim->n_active++;
    sim->pools[sim->stages[st].pool].pending_stages++;
}

static void active_remove(struct sim *sim, int st)
{
    size_t i = 0;
    while (i < sim->n_active && sim->active[i] != st)
        i++;
    if (i == sim->n_active)
        return;
    memmove(&sim->active[i], &sim->active[i + 1], (sim->n_active - i - 1) * sizeof(int));
    sim->n_active--;
    sim->pools[sim->stages[st].pool].pending_stages--;
}

/* ---- scheduling order --------------------------------------------------- */

/* Spark's FairSchedulingAlgorithm.comparator: a schedulable below its
 * minShare is needy and goes first; among the needy the lower
 * running/minShare ratio goes first, otherwise the lower running/weight
 * ratio; ties go to the smaller name. Returns < 0 when a goes before b. */
static int fair_compare(int64_t run_a, int min_a, int w_a, const char *name_a, int64_t run_b,
                        int min_b, int w_b, const char *name_b)
{
    bool needy_a = run_a < min_a, needy_b = run_b < min_b;
    if (needy_a && !needy_b)
        return -1;
    if (!needy_a && needy_b)
        return 1;
    double ra, rb;
    if (needy_a && needy_b) {
        ra = (double)run_a / (min_a > 1 ? min_a : 1);
        rb = (double)run_b / (min_b > 1 ? min_b : 1);
    } else {
        ra = (double)run_a / w_a;
        rb = (double)run_b / w_b;
    }
    if (ra < rb)
        return -1;
    if (ra > rb)
        return 1;
    return strcmp(name_a, name_b);
}

static void taskset_name(const struct rt_stage *st, char *buf, size_t size)
{
    /* Spark names a task set "TaskSet_<stageId>.<attempt>". */
    snprintf(buf, size, "TaskSet_%lld.0", (long long)st->spark_id);
}

static int compare_tasksets_fair(const struct sim *sim, int a, int b)
{
    const struct rt_stage *sa = &sim->stages[a], *sb = &sim->stages[b];
    const struct rt_pool *pa = &sim->pools[sa->pool], *pb = &sim->pools[sb->pool];
    if (sa->pool != sb->pool) {
        int c = fair_compare(pa->running, pa->min_share, pa->weight, pa->name, pb->running,
                             pb->min_share, pb->weight, pb->name);
        if (c != 0)
            return c;
        return sa->pool - sb->pool;
    }
    if (pa->mode == SCHED_FIFO)
        return sa->spark_id < sb->spark_id ? -1 : sa->spark_id > sb->spark_id;
    char na[48], nb[48];
    taskset_name(sa, na, sizeof na);
    taskset_name(sb, nb, sizeof nb);
    int c = fair_compare(sa->running, 0, 1, na, sb->running, 0, 1, nb);
    return c;
}

/* ---- launching and finishing tasks ------------------------------------- */

static void on_task_done(struct engine *eng, struct event *ev);

static bool grow_records(struct sim *sim)
{
    struct results *r = &sim->res;
    if (r->n_tasks < r->cap_tasks)
        return true;
    size_t cap = r->cap_tasks ? r->cap_tasks * 2 : 1024;
    struct task_rec *t = realloc(r->tasks, cap * sizeof *t);
    if (!t)
        return false;
    r->tasks = t;
    r->cap_tasks = cap;
    return true;
}

static void launch(struct sim *sim, int st_index, int slot_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    struct rt_slot *slot = &sim->slots[slot_index];
    if (!grow_records(sim)) {
        fail(sim, SC_ENOMEM, "out of memory for task records");
        return;
    }
    int64_t now = engine_now(&sim->eng);
    size_t rec_index = sim->res.n_tasks++;
    struct task_rec *rec = &sim->res.tasks[rec_index];
    rec->assign_us = now;
    sim->driver_free_us = (sim->driver_free_us > now ? sim->driver_free_us : now) + sim->launch_us;
    rec->launch_us = sim->driver_free_us;
    double run_s = taskcost_task(&st->cost, st->rng, st->next, rec->phase_s);
    int64_t run_us = (int64_t)llround(run_s * 1e6);
    rec->end_us = rec->launch_us + run_us;
    rec->stage = st_index;
    rec->index = (int32_t)st->next;
    rec->executor = slot->executor;
    rec->slot = (int16_t)slot->slot;
    rec->attempt = 0;
    rec->status = TASK_SUCCESS;
    slot->rec = rec_index;
    st->next++;
    st->running++;
    sim->pools[st->pool].running++;
    if (st->next == st->tasks)
        active_remove(sim, st_index);
    if (engine_schedule(&sim->eng, &slot->done, rec->end_us, 1) != 0)
        fail(sim, SC_ENOMEM, "out of memory for the event queue");
}

/* One round of resource offers (TaskSchedulerImpl.resourceOffers). */
static void offer_round(struct sim *sim)
{
    if (sim->free_count == 0 || sim->n_active == 0)
        return;
    if (sim->mode == SCHED_FIFO) {
        /* The active list is already in FIFO order. */
        while (sim->free_count > 0 && sim->n_active > 0 && !sim->failed)
            launch(sim, sim->active[0], free_pop(sim));
        return;
    }
    /* FAIR: sort once for the round, as Spark does. The list is short (one
     * entry per stage with tasks left), so insertion sort. */
    size_t n = sim->n_active;
    for (size_t i = 0; i < n; i++) {
        int v = sim->active[i];
        size_t j = i;
        while (j > 0 && compare_tasksets_fair(sim, sim->order[j - 1], v) > 0) {
            sim->order[j] = sim->order[j - 1];
            j--;
        }
        sim->order[j] = v;
    }
    for (size_t i = 0; i < n && sim->free_count > 0 && !sim->failed; i++) {
        int st = sim->order[i];
        while (sim->free_count > 0 && sim->stages[st].next < sim->stages[st].tasks &&
               !sim->failed)
            launch(sim, st, free_pop(sim));
    }
}

static void submit_job(struct sim *sim, size_t j);

static void stage_submit(struct sim *sim, int st_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    st->state = STAGE_RUNNING;
    struct stage_result *sr = &sim->res.stages[st_index];
    sr->submit_us = engine_now(&sim->eng);
    st->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!st->rng) {
        fail(sim, SC_ENOMEM, "out of memory for a random stream");
        return;
    }
    gsl_rng_set(st->rng, (unsigned long)(st->stream_seed & 0xffffffffUL) ^
                             (unsigned long)(st->stream_seed >> 32));
    taskcost_stage_init(&st->cost, st->spec, &sim->cl);
    active_insert(sim, st_index);
}

static void stage_finish(struct sim *sim, int st_index)
{
    struct rt_stage *st = &sim->stages[st_index];
    int64_t now = engine_now(&sim->eng);
    st->state = STAGE_DONE;
    sim->res.stages[st_index].end_us = now;
    gsl_rng_free(st->rng);
    st->rng = NULL;
    for (int c = 0; c < st->n_children; c++) {
        struct rt_stage *child = &sim->stages[st->children[c]];
        if (--child->parents_left == 0)
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
        if (--head->outstanding == 0 && head->next < sim->n_jobs) {
            struct rt_job *nx = &sim->jobs[head->next];
            if (nx->spec->gap_s > 0.0) {
                /* Driver-side work or an idle user between actions. */
                int64_t at = now + (int64_t)llround(nx->spec->gap_s * 1e6);
                if (engine_schedule(&sim->eng, &nx->submit_ev, at, 0) != 0)
                    fail(sim, SC_ENOMEM, "out of memory for the event queue");
            } else {
                submit_job(sim, head->next);
            }
        }
    }
}

static void on_task_done(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    struct rt_slot *slot = (struct rt_slot *)ev;
    (void)eng;
    struct task_rec *rec = &sim->res.tasks[slot->rec];
    int st_index = rec->stage;
    struct rt_stage *st = &sim->stages[st_index];
    st->running--;
    st->done++;
    sim->pools[st->pool].running--;
    free_push(sim, (int)(slot - sim->slots));
    if (st->done == st->tasks)
        stage_finish(sim, st_index);
    offer_round(sim);
}

static void submit_job(struct sim *sim, size_t j)
{
    struct rt_job *job = &sim->jobs[j];
    if (job->submitted)
        return;
    job->submitted = true;
    struct rt_job *head = &sim->jobs[job->thread];
    head->outstanding++;
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
    for (int i = 0; i < job->n_stages; i++)
        if (sim->stages[job->first_stage + i].parents_left == 0)
            stage_submit(sim, job->first_stage + i);
    /* A concurrent job of the same thread is submitted with this one. */
    if (nx < sim->n_jobs && sim->jobs[nx].spec->concurrent)
        submit_job(sim, nx);
    offer_round(sim);
}

static void on_job_submit(struct engine *eng, struct event *ev)
{
    struct sim *sim = ev->arg;
    (void)eng;
    struct rt_job *job = (struct rt_job *)((char *)ev - offsetof(struct rt_job, submit_ev));
    submit_job(sim, (size_t)(job - sim->jobs));
}

/* ---- building --------------------------------------------------------- */

static int find_pool(struct sim *sim, const char *name)
{
    for (size_t i = 0; i < sim->n_pools; i++)
        if (strcmp(sim->pools[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int add_pool(struct sim *sim, const char *name)
{
    int p = find_pool(sim, name);
    if (p >= 0)
        return p;
    struct rt_pool *pool = &sim->pools[sim->n_pools];
    pool->name = name;
    pool->mode = SCHED_FIFO;
    pool->weight = 1;
    pool->min_share = 0;
    for (size_t i = 0; i < sim->scn->n_pools; i++)
        if (strcmp(sim->scn->pools[i].name, name) == 0) {
            pool->mode = sim->scn->pools[i].mode;
            pool->weight = sim->scn->pools[i].weight;
            pool->min_share = sim->scn->pools[i].min_share;
        }
    return (int)sim->n_pools++;
}

static enum sc_status build(struct sim *sim, struct diag *d)
{
    const struct scenario *s = sim->scn;
    size_t n_stages = 0;
    for (size_t j = 0; j < s->n_jobs; j++) {
        const struct job_spec *js = &s->jobs[j];
        /* A query job runs once the planner has filled in its stages. */
        if (js->query && js->n_stages == 0)
            return diag_set(d, SC_EINPUT, s->file, js->line,
                            "job '%s' is written as a query: planning queries into stages is "
                            "not built yet, so give this job explicit stages",
                            js->name);
        if (js->n_stages == 0)
            return diag_set(d, SC_EINPUT, s->file, js->line, "job '%s' has no stages", js->name);
        n_stages += js->n_stages;
    }
    sim->n_jobs = s->n_jobs;
    sim->n_stages = n_stages;
    sim->n_slots = (size_t)cluster_slots(&sim->cl);
    sim->jobs = calloc(sim->n_jobs, sizeof *sim->jobs);
    sim->stages = calloc(n_stages, sizeof *sim->stages);
    sim->pools = calloc(s->n_jobs + s->n_pools + 1, sizeof *sim->pools);
    sim->slots = calloc(sim->n_slots, sizeof *sim->slots);
    sim->free_ring = calloc(sim->n_slots, sizeof *sim->free_ring);
    sim->active = calloc(n_stages, sizeof *sim->active);
    sim->order = calloc(n_stages, sizeof *sim->order);
    sim->res.stages = calloc(n_stages, sizeof *sim->res.stages);
    sim->res.jobs = calloc(sim->n_jobs, sizeof *sim->res.jobs);
    sim->res.executors = calloc((size_t)sim->cl.executors, sizeof *sim->res.executors);
    if (!sim->jobs || !sim->stages || !sim->pools || !sim->slots || !sim->free_ring ||
        !sim->active || !sim->order || !sim->res.stages || !sim->res.jobs ||
        !sim->res.executors)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the simulation");
    sim->res.n_stages = n_stages;
    sim->res.n_jobs = sim->n_jobs;
    sim->res.n_executors = (size_t)sim->cl.executors;
    sim->res.slots = (int)sim->n_slots;

    /* Pools: in FIFO mode everything is one queue. */
    add_pool(sim, "default");
    size_t st_index = 0;
    for (size_t j = 0; j < s->n_jobs; j++) {
        const struct job_spec *js = &s->jobs[j];
        struct rt_job *job = &sim->jobs[j];
        job->spec = js;
        job->first_stage = (int)st_index;
        job->n_stages = (int)js->n_stages;
        job->stages_left = job->n_stages;
        job->pool = sim->mode == SCHED_FAIR && js->pool ? add_pool(sim, js->pool) : 0;
        event_init(&job->submit_ev, on_job_submit, sim);
        job->thread = j == 0 || !isnan(js->submit_s) ? j : sim->jobs[j - 1].thread;
        job->next = sim->n_jobs;
        struct job_result *jr = &sim->res.jobs[j];
        jr->name = js->name;
        jr->first_stage = st_index;
        jr->n_stages = js->n_stages;
        jr->pool = sim->pools[job->pool].name;
        for (size_t i = 0; i < js->n_stages; i++, st_index++) {
            const struct stage_spec *ss = &js->stages[i];
            struct rt_stage *st = &sim->stages[st_index];
            st->spec = ss;
            st->job = (int)j;
            st->tasks = ss->tasks;
            st->pool = job->pool;
            st->parents_left = (int)ss->n_parents;
            st->stream_seed = mix64(sim->seed ^ mix64(((uint64_t)j << 32) | i));
            struct stage_result *sr = &sim->res.stages[st_index];
            sr->job = (int)j;
            sr->id = ss->id;
            sr->name = ss->name;
            sr->kernel = ss->kernel;
            sr->tasks = ss->tasks;
            sr->uncalibrated = !ss->has_task_seconds;
        }
        /* Children lists from the parents (ids resolved within the job). */
        for (size_t i = 0; i < js->n_stages; i++) {
            const struct stage_spec *ss = &js->stages[i];
            for (size_t p = 0; p < ss->n_parents; p++) {
                size_t k = 0;
                while (k < js->n_stages && js->stages[k].id != ss->parents[p])
                    k++;
                if (k == js->n_stages)
                    return diag_set(d, SC_EINPUT, s->file, ss->parents_line,
                                    "stage %lld names parent %lld, which is not in job '%s'",
                                    (long long)ss->id, (long long)ss->parents[p], js->name);
                struct rt_stage *parent = &sim->stages[job->first_stage + (int)k];
                int *ch = realloc(parent->children, (size_t)(parent->n_children + 1) * sizeof(int));
                if (!ch)
                    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
                parent->children = ch;
                parent->children[parent->n_children++] = job->first_stage + (int)i;
            }
        }
    }

    /* Slots, interleaved across executors for the first offers. */
    int spe = sim->cl.slots_per_executor;
    for (int e = 0; e < sim->cl.executors; e++) {
        struct executor_result *er = &sim->res.executors[e];
        er->id = e;
        er->worker = e / sim->cl.executors_per_worker;
        er->cores = sim->cl.executor_cores;
        er->slots = spe;
        for (int k = 0; k < spe; k++) {
            struct rt_slot *slot = &sim->slots[(size_t)e * spe + k];
            event_init(&slot->done, on_task_done, sim);
            slot->executor = e;
            slot->slot = k;
        }
    }
    for (int k = 0; k < spe; k++)
        for (int e = 0; e < sim->cl.executors; e++)
            free_push(sim, e * spe + k);
    return SC_OK;
}

struct sim *sim_new(const struct scenario *s, const struct cluster *cl,
                    const struct sim_options *opt, struct diag *d)
{
    struct sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    sim->scn = s;
    sim->cl = *cl;
    sim->seed = opt ? opt->seed : s->seed;
    const char *mode = spark_conf_string(&s->spark, "spark.scheduler.mode");
    sim->mode = mode && (strcmp(mode, "FAIR") == 0 || strcmp(mode, "fair") == 0) ? SCHED_FAIR
                                                                                  : SCHED_FIFO;
    double launch_s =
        isnan(s->model.task_launch_s) ? RUNTIME_DEFAULT_TASK_LAUNCH_S : s->model.task_launch_s;
    sim->launch_us = (int64_t)llround(launch_s * 1e6);
    if (engine_init(&sim->eng, (size_t)cluster_slots(cl) + s->n_jobs + 16) != 0) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        free(sim);
        return NULL;
    }
    if (build(sim, d) != SC_OK) {
        sim_free(sim);
        return NULL;
    }
    return sim;
}

enum sc_status sim_run(struct sim *sim, struct diag *d)
{
    sim->diag = d;
    /* The first job, and every job with its own time, get a submission
     * event; the rest follow from the jobs before them. */
    for (size_t j = 0; j < sim->n_jobs; j++) {
        const struct job_spec *js = sim->jobs[j].spec;
        int64_t t = -1;
        if (!isnan(js->submit_s))
            t = (int64_t)llround(js->submit_s * 1e6);
        else if (j == 0)
            t = 0;
        if (t >= 0 && engine_schedule(&sim->eng, &sim->jobs[j].submit_ev, t, 0) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    engine_run(&sim->eng, ENGINE_TIME_MAX);
    if (sim->failed)
        return d->status;
    if (sim->jobs_done != sim->n_jobs)
        return SC_BUG(d, "%zu of %zu jobs finished; the rest never became runnable",
                      sim->jobs_done, sim->n_jobs);
    struct results *r = &sim->res;
    r->start_us = INT64_MAX;
    r->end_us = 0;
    for (size_t j = 0; j < r->n_jobs; j++) {
        if (r->jobs[j].submit_us < r->start_us)
            r->start_us = r->jobs[j].submit_us;
        if (r->jobs[j].end_us > r->end_us)
            r->end_us = r->jobs[j].end_us;
    }
    return results_summarize(r, &sim->cl, d);
}

const struct results *sim_results(const struct sim *sim)
{
    return &sim->res;
}

void sim_free(struct sim *sim)
{
    if (!sim)
        return;
    engine_fini(&sim->eng);
    for (size_t i = 0; i < sim->n_stages && sim->stages; i++) {
        free(sim->stages[i].children);
        gsl_rng_free(sim->stages[i].rng);
    }
    free(sim->stages);
    free(sim->jobs);
    free(sim->pools);
    free(sim->slots);
    free(sim->free_ring);
    free(sim->active);
    free(sim->order);
    results_fini(&sim->res);
    free(sim);
}
