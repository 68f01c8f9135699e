/*
 * runtime.c — the Spark runtime model (see runtime.h): a simulation built
 * from the scenario's jobs and the cluster, the cluster as it starts, the
 * engine run to the end, and the results collected. The model itself is in
 * the files listed in runtime_internal.h: jobs and stages (dag.c), task
 * sets and slots (scheduler.c), a task's phases (task.c), shuffle
 * (shuffle.c), the cluster changing size (executors.c, spot.c) and
 * speculation (speculation.c).
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/hash64.h"
#include "models/units.h"
#include "models/memory.h"
#include "sim/runtime/footprint.h"
#include "sim/runtime/runtime_internal.h"

void runtime_fail(struct sim *sim, enum sc_status st, const char *msg)
{
    if (!sim->failed)
        diag_set(sim->diag, st, NULL, 0, "%s", msg);
    sim->failed = true;
    engine_stop(&sim->eng);
}

/* ---- random streams ----------------------------------------------------
 *
 * Every stage draws its tasks' times from a stream of its own, seeded from
 * the run's seed and the stage's place in the scenario, so that the draws of
 * one stage do not depend on when the others run. A stage reopened after
 * its shuffle output was lost draws from a fresh stream per resubmission. */

/* Opens stage st's stream for its first submission. */
bool runtime_stage_stream_open(struct sim *sim, struct rt_stage *st)
{
    st->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!st->rng) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for a random stream");
        return false;
    }
    gsl_rng_set(st->rng, (unsigned long)(st->stream_seed & 0xffffffffUL) ^
                             (unsigned long)(st->stream_seed >> 32));
    return true;
}

/* Opens the stream of a stage resubmitted after lost shuffle output. */
bool runtime_stage_stream_reopen(struct sim *sim, struct rt_stage *st)
{
    st->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!st->rng) {
        runtime_fail(sim, SC_ENOMEM, "out of memory for a random stream");
        return false;
    }
    gsl_rng_set(st->rng,
                (unsigned long)hash64_splitmix(st->stream_seed + (uint64_t)++st->resubmits));
    return true;
}

/* ---- building --------------------------------------------------------- */

/* The resources bytes move through: per worker its NIC out, NIC in and
 * local disk; the storage account's egress and ingress; an optional
 * cluster-wide cap that every cross-node flow crosses. */
static enum sc_status build_network(struct sim *sim, struct diag *d)
{
    const struct cluster *cl = &sim->cl;
    sim->n_workers = sim->max_workers;
    sim->net = net_new();
    sim->exec_running = calloc((size_t)sim->max_executors, sizeof(int));
    sim->exec_cached = calloc((size_t)sim->max_executors, sizeof(double));
    if (!sim->net || !sim->exec_running || !sim->exec_cached)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    struct storage_rates rates = {cl->nic_bps, cl->disk_bps, cl->storage_egress_bps,
                                  cl->storage_ingress_bps, cl->network_limit_bps};
    if (storage_init(&sim->store, sim->net, sim->n_workers, (int)sim->n_slots, &rates, d) != SC_OK)
        return d->status;
    event_init(&sim->net_ev, task_on_net, sim);

    /* Spark's fetch limits (ShuffleBlockFetcherIterator). */
    const struct spark_conf *conf = &sim->scn->spark;
    sim->fetch_max_in_flight = (double)spark_conf_bytes(conf, "spark.reducer.maxSizeInFlight");
    if (!(sim->fetch_max_in_flight > 0.0))
        sim->fetch_max_in_flight = 48.0 * 1024 * 1024;
    sim->fetch_target_bytes = sim->fetch_max_in_flight / 5.0;
    if (sim->fetch_target_bytes < 1.0)
        sim->fetch_target_bytes = 1.0;
    int64_t reqs = spark_conf_int(conf, "spark.reducer.maxReqsInFlight");
    sim->fetch_max_reqs = reqs < 1 ? 1 : reqs > INT32_MAX ? INT32_MAX : (int)reqs;
    sim->exec_pool_bytes = memory_execution_pool(&cl->memory, 0.0);
    double q_s = isnan(sim->scn->model.network_quantum_s) ? RUNTIME_DEFAULT_NETWORK_QUANTUM_S
                                                          : sim->scn->model.network_quantum_s;
    sim->net_quantum_us = units_s_to_us(q_s);
    sim->net_tolerance =
        sim->scn->model.network_tolerance > 0.0 ? sim->scn->model.network_tolerance : 0.0;

    /* Map-output and fetch bookkeeping for the stages that shuffle. */
    for (size_t i = 0; i < sim->n_stages; i++) {
        struct rt_stage *st = &sim->stages[i];
        if (st->n_children > 0 || st->spec->shuffle_write_bytes > 0) {
            st->map_bytes = calloc((size_t)sim->n_workers, sizeof(double));
            if (!st->map_bytes)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        }
        if (st->spec->shuffle_read_bytes > 0) {
            st->fetch_frac = calloc((size_t)sim->n_workers, sizeof(double));
            if (!st->fetch_frac)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        }
    }
    return SC_OK;
}

/* Counts the stages of every job of plan into *n_stages; an error for a
 * job with none (a query job the planner did not plan). */
static enum sc_status count_stages(const struct plan *plan, size_t *n_stages, struct diag *d)
{
    const struct scenario *s = plan->scn;
    *n_stages = 0;
    for (size_t j = 0; j < plan->n_jobs; j++) {
        const struct plan_job *pj = &plan->jobs[j];
        const struct job_spec *js = pj->spec;
        /* A query job runs once the planner has filled in its stages. */
        if (js->query && pj->n_stages == 0)
            return diag_set(d, SC_EINPUT, s->file, js->line,
                            "job '%s' is written as a query: planning queries into stages is "
                            "not built yet, so give this job explicit stages",
                            js->name);
        if (pj->n_stages == 0)
            return diag_set(d, SC_EINPUT, s->file, js->line, "job '%s' has no stages", js->name);
        *n_stages += pj->n_stages;
    }
    return SC_OK;
}

/* Sizes the simulation for the largest the cluster may grow to and
 * allocates its arrays and results. */
/* A planned stage that ends in a BroadcastExchange: the driver collects
 * its rows, builds the relation and sends it (models/jvm.h). */
static bool stage_broadcasts(const struct plan_stage *ss)
{
    for (size_t i = 0; i < ss->n_ops; i++)
        if (ss->ops[i].kind == PLAN_OP_BROADCAST)
            return true;
    return false;
}

static enum sc_status build_arrays(struct sim *sim, size_t n_stages, struct diag *d)
{
    const struct scenario *s = sim->scn;
    sim->n_jobs = sim->plan->n_jobs;
    sim->n_stages = n_stages;
    /* Room for the largest the cluster may grow to. A timeline of
     * executors is what the cluster did: no policy decides then. */
    sim->n_timeline = s->cluster.n_executors;
    cluster_fit_timeline(&sim->cl, &s->cluster);
    sim->node_autoscale = sim->cl.autoscale && !sim->n_timeline;
    sim->dyn_alloc = !sim->cl.autoscale && !sim->n_timeline &&
                     spark_conf_bool(&s->spark, "spark.dynamicAllocation.enabled");
    sim->max_workers = sim->node_autoscale ? sim->cl.max_workers : sim->cl.workers;
    sim->max_executors = sim->max_workers * sim->cl.executors_per_worker;
    sim->n_slots = (size_t)sim->max_executors * (size_t)sim->cl.slots_per_executor;
    sim->workers = calloc((size_t)sim->max_workers, sizeof *sim->workers);
    sim->execs = calloc((size_t)sim->max_executors, sizeof *sim->execs);
    if (!sim->workers || !sim->execs)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the simulation");
    sim->jobs = calloc(sim->n_jobs, sizeof *sim->jobs);
    sim->stages = calloc(n_stages, sizeof *sim->stages);
    sim->pools = calloc(s->n_jobs + s->n_pools + 1, sizeof *sim->pools);
    sim->slots = calloc(sim->n_slots, sizeof *sim->slots);
    sim->free_ring = calloc(sim->n_slots, sizeof *sim->free_ring);
    sim->active = calloc(n_stages, sizeof *sim->active);
    sim->order = calloc(n_stages, sizeof *sim->order);
    sim->res.stages = calloc(n_stages, sizeof *sim->res.stages);
    sim->res.jobs = calloc(sim->n_jobs, sizeof *sim->res.jobs);
    sim->res.executors = calloc((size_t)sim->max_executors, sizeof *sim->res.executors);
    if (!sim->jobs || !sim->stages || !sim->pools || !sim->slots || !sim->free_ring ||
        !sim->active || !sim->order || !sim->res.stages || !sim->res.jobs || !sim->res.executors)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the simulation");
    sim->res.n_stages = n_stages;
    sim->res.n_jobs = sim->n_jobs;
    sim->res.n_executors = (size_t)sim->max_executors;
    sim->res.slots = (int)sim->n_slots;
    return SC_OK;
}

/* Links each stage of job j to its parents and children (ids resolved
 * within the job). */
static enum sc_status link_stages(struct sim *sim, size_t j, struct diag *d)
{
    const struct scenario *s = sim->scn;
    const struct plan_job *pj = &sim->plan->jobs[j];
    const struct job_spec *js = pj->spec;
    struct rt_job *job = &sim->jobs[j];
    for (size_t i = 0; i < pj->n_stages; i++) {
        const struct plan_stage *ss = &pj->stages[i];
        for (size_t p = 0; p < ss->n_parents; p++) {
            size_t k = 0;
            while (k < pj->n_stages && pj->stages[k].id != ss->parents[p])
                k++;
            if (k == pj->n_stages)
                return diag_set(d, SC_EINPUT, s->file, ss->parents_line,
                                "stage %lld names parent %lld, which is not in job '%s'",
                                (long long)ss->id, (long long)ss->parents[p], js->name);
            struct rt_stage *parent = &sim->stages[job->first_stage + (int)k];
            struct rt_stage *self = &sim->stages[job->first_stage + (int)i];
            if (!self->parent_index && !(self->parent_index = calloc(ss->n_parents, sizeof(int))))
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            self->parent_index[p] = job->first_stage + (int)k;
            int *ch = realloc(parent->children, (size_t)(parent->n_children + 1) * sizeof(int));
            if (!ch)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            parent->children = ch;
            parent->children[parent->n_children++] = job->first_stage + (int)i;
        }
    }
    return SC_OK;
}

/* The jobs and their stages, in scenario order, with their pools, threads,
 * random-stream seeds and result records. */
static enum sc_status build_jobs(struct sim *sim, struct diag *d)
{
    const struct plan *plan = sim->plan;
    /* Pools: in FIFO mode everything is one queue. */
    sched_add_pool(sim, "default");
    size_t st_index = 0;
    for (size_t j = 0; j < plan->n_jobs; j++) {
        const struct plan_job *pj = &plan->jobs[j];
        const struct job_spec *js = pj->spec;
        struct rt_job *job = &sim->jobs[j];
        job->spec = js;
        job->first_stage = (int)st_index;
        job->n_stages = (int)pj->n_stages;
        job->stages_left = job->n_stages;
        job->pool = sim->mode == SCHED_FAIR && js->pool ? sched_add_pool(sim, js->pool) : 0;
        event_init(&job->submit_ev, dag_on_job_submit, sim);
        event_init(&job->stages_ev, dag_on_job_stages, sim);
        bool after = js->after && js->after_index >= 0 && (size_t)js->after_index < j;
        job->thread = j == 0 || !isnan(js->submit_s) || after ? j : sim->jobs[j - 1].thread;
        /* A planned query's driver time (planning, job setup): the JVM
         * model's, unless the file gives the job's own. */
        job->driver_s = js->driver_s > 0.0 ? js->driver_s
                        : pj->planned      ? sim->jvm.query_driver_s
                                           : 0.0;
        job->next = sim->n_jobs;
        job->first_after = job->next_after = -1;
        if (after) {
            /* Appended, so the jobs after one job are submitted in file order. */
            int *link = &sim->jobs[js->after_index].first_after;
            while (*link >= 0)
                link = &sim->jobs[*link].next_after;
            *link = (int)j;
        }
        struct job_result *jr = &sim->res.jobs[j];
        jr->name = js->name;
        jr->first_stage = st_index;
        jr->n_stages = pj->n_stages;
        jr->pool = sim->pools[job->pool].name;
        for (size_t i = 0; i < pj->n_stages; i++, st_index++) {
            const struct plan_stage *ss = &pj->stages[i];
            struct rt_stage *st = &sim->stages[st_index];
            st->spec = ss;
            event_init(&st->offer_ev, dag_on_stage_offer, sim);
            st->job = (int)j;
            st->tasks = ss->tasks;
            st->pool = job->pool;
            st->parents_left = (int)ss->n_parents;
            st->driver_s = ss->driver_s;
            if (stage_broadcasts(ss) && !ss->has_task_seconds)
                st->driver_s += sim->jvm.broadcast_driver_s;
            st->stream_seed = hash64_splitmix(sim->seed ^ hash64_splitmix(((uint64_t)j << 32) | i));
            struct stage_result *sr = &sim->res.stages[st_index];
            sr->job = (int)j;
            sr->id = ss->id;
            sr->name = ss->name;
            sr->kernel = ss->kernel;
            sr->tasks = ss->tasks;
            sr->uncalibrated = !ss->has_task_seconds;
        }
        enum sc_status rc = link_stages(sim, j, d);
        if (rc != SC_OK)
            return rc;
    }
    return SC_OK;
}

/* Task slots, executors' and workers' records and events; slots are
 * interleaved across executors for the first offers. */
static void build_slots(struct sim *sim)
{
    int spe = sim->cl.slots_per_executor;
    for (int e = 0; e < sim->max_executors; e++) {
        struct executor_result *er = &sim->res.executors[e];
        er->id = e;
        er->worker = e / sim->cl.executors_per_worker;
        er->cores = sim->cl.executor_cores;
        er->slots = spe;
        for (int k = 0; k < spe; k++) {
            struct rt_slot *slot = &sim->slots[(size_t)e * spe + k];
            event_init(&slot->done, task_on_timer, sim);
            slot->executor = e;
            slot->slot = k;
        }
    }
    for (size_t i = 0; i < sim->n_slots; i++)
        sim->slots[i].worker = sim->slots[i].executor / sim->cl.executors_per_worker;
    for (int w = 0; w < sim->max_workers; w++) {
        event_init(&sim->workers[w].join_ev, executors_on_worker_join, sim);
        event_init(&sim->workers[w].evict_ev, spot_on_evict, sim);
        sim->workers[w].idle_since_us = 0;
        sim->workers[w].spot = cluster_is_spot(&sim->cl, w);
    }
    for (int e = 0; e < sim->max_executors; e++) {
        event_init(&sim->execs[e].start_ev, executors_on_start, sim);
        sim->execs[e].idle_since_us = 0;
        sim->execs[e].slots = spe;
        sim->execs[e].timeline_entry = -1;
    }
}

/* The scenario's executor timeline: each executor's events and slots. An
 * executor that leaves loses the shuffle output it wrote unless the
 * external shuffle service keeps it. */
static enum sc_status build_timeline(struct sim *sim, struct diag *d)
{
    if (!sim->n_timeline)
        return SC_OK;
    const struct cluster_spec *cs = &sim->scn->cluster;
    sim->timeline = calloc(sim->n_timeline, sizeof *sim->timeline);
    if (!sim->timeline)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    int task_cpus = sim->cl.task_cpus > 0 ? sim->cl.task_cpus : 1;
    bool leaves = false;
    for (size_t i = 0; i < sim->n_timeline; i++) {
        struct rt_timeline *t = &sim->timeline[i];
        const struct executor_spec *xs = &cs->executors[i];
        event_init(&t->join_ev, executors_on_timeline_join, sim);
        event_init(&t->leave_ev, executors_on_timeline_leave, sim);
        t->exec = -1;
        int cores = xs->cores > 0 ? xs->cores : sim->cl.executor_cores;
        t->slots = cores / task_cpus;
        if (t->slots > sim->cl.slots_per_executor)
            t->slots = sim->cl.slots_per_executor;
        leaves |= isfinite(xs->end_s);
    }
    sim->timeline_drops_shuffle =
        leaves && !spark_conf_bool(&sim->scn->spark, "spark.shuffle.service.enabled");
    return SC_OK;
}

/* Per-task bookkeeping of each stage: attempts, where map output lives
 * (when spot nodes can lose it) and speculation's records. */
static enum sc_status build_task_records(struct sim *sim, struct diag *d)
{
    /* Stages whose output a later stage reads keep where each task's
     * output lives, and every stage counts its tasks' attempts. */
    for (size_t i = 0; i < sim->n_stages; i++) {
        struct rt_stage *st = &sim->stages[i];
        st->attempts = calloc((size_t)st->tasks, 1);
        if (!st->attempts)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        if (st->n_children > 0 && (sim->cl.spot_fraction > 0.0 || sim->timeline_drops_shuffle)) {
            st->out_worker = malloc((size_t)st->tasks * sizeof(int32_t));
            st->out_next = malloc((size_t)st->tasks * sizeof(int32_t));
            st->out_head = malloc((size_t)sim->max_workers * sizeof(int32_t));
            if (!st->out_worker || !st->out_next || !st->out_head)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            for (int64_t t = 0; t < st->tasks; t++)
                st->out_worker[t] = st->out_next[t] = -1;
            for (int w = 0; w < sim->max_workers; w++)
                st->out_head[w] = -1;
        }
    }
    if (sim->spec_on)
        for (size_t i = 0; i < sim->n_stages; i++) {
            struct rt_stage *st = &sim->stages[i];
            size_t n = (size_t)st->tasks;
            st->run_a = malloc(n * sizeof(int32_t));
            st->run_b = malloc(n * sizeof(int32_t));
            st->task_done = calloc(n, 1);
            st->ok_dur = malloc(n * sizeof(double) * 2);
            if (!st->run_a || !st->run_b || !st->task_done || !st->ok_dur)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            for (size_t t = 0; t < n; t++)
                st->run_a[t] = st->run_b[t] = -1;
        }
    return SC_OK;
}

static enum sc_status build(struct sim *sim, struct diag *d)
{
    size_t n_stages;
    enum sc_status rc;
    if ((rc = count_stages(sim->plan, &n_stages, d)) != SC_OK ||
        (rc = build_arrays(sim, n_stages, d)) != SC_OK || (rc = build_jobs(sim, d)) != SC_OK)
        return rc;
    build_slots(sim);
    if ((rc = build_timeline(sim, d)) != SC_OK || (rc = build_task_records(sim, d)) != SC_OK)
        return rc;
    event_init(&sim->spec_ev, speculation_on_timer, sim);
    if (sim->cl.spot_fraction > 0.0) {
        sim->spot_rng = gsl_rng_alloc(gsl_rng_mt19937);
        if (!sim->spot_rng)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        gsl_rng_set(sim->spot_rng, (unsigned long)hash64_splitmix(sim->seed ^ 0x5b07ULL));
    }
    event_init(&sim->policy_ev, executors_on_policy, sim);
    if ((rc = build_network(sim, d)) != SC_OK)
        return rc;
    if ((rc = locality_build(sim, d)) != SC_OK)
        return rc;
    return exclude_build(sim, d);
}

/* Each stage's calibration error for this run (sim_options.calib): none,
 * one shift for all, or a draw per stage in stage order from a stream of
 * the seed of its own, so that the other random streams do not move. */
static enum sc_status calib_errors(struct sim *sim, const struct sim_options *opt)
{
    if (opt->calib == SIM_CALIB_NOMINAL)
        return SC_OK;
    if (opt->calib == SIM_CALIB_SHIFTED) {
        for (size_t i = 0; i < sim->n_stages; i++)
            sim->stages[i].calib_z = opt->calib_z;
        return SC_OK;
    }
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng)
        return SC_ENOMEM;
    gsl_rng_set(rng, (unsigned long)hash64_splitmix(sim->seed ^ 0xca11b0a7ULL));
    for (size_t i = 0; i < sim->n_stages; i++)
        sim->stages[i].calib_z = gsl_ran_ugaussian(rng);
    gsl_rng_free(rng);
    return SC_OK;
}

struct sim *sim_new(const struct plan *p, const struct cluster *cl, const struct sim_options *opt,
                    struct diag *d)
{
    const struct scenario *s = p->scn;
    if (opt && opt->memory_limit_bytes > 0.0) {
        struct footprint fp;
        footprint_estimate(p, cl, opt->task_records, &fp);
        if (footprint_check(&fp, p, opt->memory_limit_bytes, d) != SC_OK)
            return NULL;
    }
    struct sim *sim = calloc(1, sizeof *sim);
    if (!sim) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    sim->scn = s;
    sim->plan = p;
    sim->cl = *cl;
    sim->seed = opt ? opt->seed : s->seed;
    int64_t fetch_reqs = opt && opt->fetch_requests ? opt->fetch_requests : RUNTIME_FETCH_REQUESTS;
    sim->fetch_requests = fetch_reqs > 0 ? (double)fetch_reqs : 0.0;
    sim->res.seed = sim->seed;
    sim->res.calib_lo_s = sim->res.calib_hi_s = NAN;
    const char *mode = spark_conf_string(&s->spark, "spark.scheduler.mode");
    sim->mode =
        mode && (strcmp(mode, "FAIR") == 0 || strcmp(mode, "fair") == 0) ? SCHED_FAIR : SCHED_FIFO;
    double launch_s =
        isnan(s->model.task_launch_s) ? RUNTIME_DEFAULT_TASK_LAUNCH_S : s->model.task_launch_s;
    sim->noise_sigma =
        isnan(s->model.noise_sigma) ? RUNTIME_DEFAULT_NOISE_SIGMA : s->model.noise_sigma;
    sim->spec_on = spark_conf_bool(&s->spark, "spark.speculation");
    sim->spec_multiplier = spark_conf_double(&s->spark, "spark.speculation.multiplier");
    sim->spec_quantile = spark_conf_double(&s->spark, "spark.speculation.quantile");
    sim->spec_min_us =
        units_s_to_us(spark_conf_seconds(&s->spark, "spark.speculation.minTaskRuntime"));
    sim->spec_interval_us =
        units_s_to_us(spark_conf_seconds(&s->spark, "spark.speculation.interval"));
    if (sim->spec_interval_us < 1000)
        sim->spec_interval_us = 1000;
    sim->launch_us = units_s_to_us(launch_s);
    sim->jvm = s->model.jvm;
    jvm_costs_resolve(&sim->jvm);
    /* Local mode: the executor is the driver's JVM, warm already. */
    if (jvm_local_master(spark_conf_string(&s->spark, "spark.master")))
        sim->jvm.first_task_s = sim->jvm.first_task_local_s;
    sim->move_warmup = s->cluster.n_executors == 0;
    if (engine_init(&sim->eng, (size_t)cluster_slots(cl) + s->n_jobs + 16) != 0) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        free(sim);
        return NULL;
    }
    /* Per-task records only for outputs that draw or list tasks; without
     * options (tests, tools) they are kept. */
    sim->res.keep_tasks = opt ? opt->task_records : true;
    sim->eng.fire_limit = opt ? opt->max_events : 0;
    sim->poll_every_interval = opt && opt->poll_every_interval;
    if (build(sim, d) != SC_OK || results_stats_init(&sim->res, NULL, d) != SC_OK) {
        sim_free(sim);
        return NULL;
    }
    for (size_t i = 0; i < sim->n_stages; i++)
        if (sim->stages[i].tasks > 0 &&
            taskstats_reserve(&sim->res.run_stats[i], (size_t)sim->stages[i].tasks) != 0) {
            diag_set(d, SC_ENOMEM, NULL, 0, "out of memory for stage statistics");
            sim_free(sim);
            return NULL;
        }
    if (opt && calib_errors(sim, opt) != SC_OK) {
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        sim_free(sim);
        return NULL;
    }
    return sim;
}

/* The cluster at the start: the initial workers (billed from the start-up)
 * and the executors that run on them from the first job. */
static enum sc_status start_cluster(struct sim *sim, int64_t span_start_us, struct diag *d)
{
    const struct cluster *cl = &sim->cl;
    /* This run's start-up, drawn from its distribution; the bill and the
     * report use the drawn value. */
    sim->scale_rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!sim->scale_rng)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    gsl_rng_set(sim->scale_rng, (unsigned long)hash64_splitmix(sim->seed ^ 0x5ca1eULL));
    sim->cl.startup_s =
        (double)executors_draw_delay_us(sim, &cl->startup_dist, cl->startup_s) * 1e-6;
    int64_t startup_us = units_s_to_us(cl->startup_s);
    int initial_execs = cl->workers * cl->executors_per_worker;
    if (executors_start_policies(sim, &initial_execs, d) != SC_OK)
        return d->status;
    int initial_workers = sim->node_autoscale ? cl->workers : sim->max_workers;
    if (sim->n_timeline)
        initial_execs = 0; /* the timeline brings them */
    for (int w = 0; w < initial_workers; w++) {
        sim->workers[w].state = WK_ALIVE;
        sim->workers[w].life_from_us = span_start_us - startup_us;
        sim->alive_workers++;
    }
    sim->res.peak_workers = sim->alive_workers;
    for (int w = 0; w < initial_workers; w++)
        spot_schedule_eviction(sim, w, span_start_us); /* the cluster's clock starts with it */
    /* Executors join interleaved by slot, as at the first offers. */
    int spe = cl->slots_per_executor;
    /* Executors the scenario says register later (as an event log recorded
     * them) join then. */
    const struct cluster_spec *cs = &sim->scn->cluster;
    int late = 0;
    for (int e = 0; e < initial_execs; e++) {
        double at_s = (size_t)e < cs->n_executor_start_s ? cs->executor_start_s[e] : 0.0;
        int64_t at = span_start_us + units_s_to_us(at_s);
        if (at <= span_start_us)
            continue;
        struct rt_exec *x = &sim->execs[e];
        x->starting = true;
        sim->starting_executors++;
        if (engine_schedule(&sim->eng, &x->start_ev, at, 0) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        late++;
    }
    for (int e = 0; e < initial_execs; e++) {
        struct rt_exec *x = &sim->execs[e];
        if (x->starting)
            continue;
        x->alive = true;
        x->up_since_us = span_start_us;
        x->idle_since_us = span_start_us;
        sim->res.executors[e].ever_alive = true;
        sim->res.executors[e].alive_from_us = span_start_us;
        sim->alive_executors++;
        locality_exec_up(sim, e, -1);
    }
    for (int k = 0; k < spe; k++)
        for (int e = 0; e < initial_execs; e++)
            if (sim->execs[e].alive)
                sched_free_push(sim, e * spe + k);
    (void)late;
    if (sim->n_timeline && executors_start_timeline(sim, span_start_us, d) != SC_OK)
        return d->status;
    if (sim->node_autoscale || sim->dyn_alloc) {
        executors_policy_start(sim, span_start_us);
        if (sim->failed)
            return d->status;
    }
    if (sim->spec_on) {
        speculation_start(sim, span_start_us);
        if (sim->failed)
            return d->status;
    }
    return SC_OK;
}

enum sc_status sim_run(struct sim *sim, struct diag *d)
{
    sim->diag = d;
    int64_t span_start_us = INT64_MAX;
    for (size_t j = 0; j < sim->n_jobs; j++) {
        const struct job_spec *js = sim->jobs[j].spec;
        int64_t t = !isnan(js->submit_s) ? units_s_to_us(js->submit_s) : j == 0 ? 0 : -1;
        if (t >= 0 && t < span_start_us)
            span_start_us = t;
    }
    if (span_start_us == INT64_MAX)
        span_start_us = 0;
    if (start_cluster(sim, span_start_us, d) != SC_OK)
        return d->status;
    /* The first job, and every job with its own time, get a submission
     * event; the rest follow from the jobs before them. */
    for (size_t j = 0; j < sim->n_jobs; j++) {
        const struct job_spec *js = sim->jobs[j].spec;
        int64_t t = -1;
        if (!isnan(js->submit_s))
            t = units_s_to_us(js->submit_s);
        else if (j == 0)
            t = 0;
        if (t >= 0 && engine_schedule(&sim->eng, &sim->jobs[j].submit_ev, t, 0) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    sim->res.work.events = engine_run(&sim->eng, ENGINE_TIME_MAX);
    if (sim->failed)
        return d->status;
    if (sim->eng.fire_limit && sim->eng.fired >= sim->eng.fire_limit && sim->eng.n > 0)
        return diag_set(d, SC_ELIMIT, NULL, 0,
                        "the simulation stopped at its cap of %llu events with %zu of %zu jobs "
                        "finished",
                        (unsigned long long)sim->eng.fire_limit, sim->jobs_done, sim->n_jobs);
    if (sim->jobs_done != sim->n_jobs && sim->n_timeline && sim->alive_executors == 0)
        return diag_set(d, SC_EINPUT, sim->scn->file, sim->scn->cluster.executors_line,
                        "%zu of %zu jobs finished when the last executor of cluster.executors "
                        "left; the rest never ran",
                        sim->jobs_done, sim->n_jobs);
    if (sim->jobs_done != sim->n_jobs && sim->excl.on)
        return diag_set(d, SC_EINPUT, sim->scn->file, 0,
                        "%zu of %zu jobs finished: the tasks left are excluded on every executor "
                        "alive (excludeOnFailure), and no executor comes; Spark aborts such a "
                        "stage after spark.scheduler.excludeOnFailure.unschedulableTaskSetTimeout",
                        sim->jobs_done, sim->n_jobs);
    if (sim->jobs_done != sim->n_jobs)
        return SC_BUG(d, "%zu of %zu jobs finished; the rest never became runnable", sim->jobs_done,
                      sim->n_jobs);
    struct results *r = &sim->res;
    /* An attempt still running when the last job ended (a speculative copy
     * about to be killed) counts as it stands. */
    for (size_t i = 0; i < sim->n_slots; i++)
        if (sim->slots[i].state != TS_IDLE &&
            !results_task_end(r, &sim->slots[i].rec, sim->slots[i].rec_index))
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory for stage statistics");
    r->start_us = INT64_MAX;
    r->end_us = 0;
    for (size_t j = 0; j < r->n_jobs; j++) {
        if (r->jobs[j].submit_us < r->start_us)
            r->start_us = r->jobs[j].submit_us;
        if (r->jobs[j].end_us > r->end_us)
            r->end_us = r->jobs[j].end_us;
    }
    /* Close every life still open: workers billed to the cluster's end
     * (last job plus the idle tail), executors alive to the last job. */
    int64_t idle_after_us = units_s_to_us(sim->cl.idle_after_s);
    for (int w = 0; w < sim->max_workers; w++)
        if (sim->workers[w].state != WK_ABSENT)
            executors_record_life(sim, w, sim->workers[w].life_from_us, r->end_us + idle_after_us);
    for (int e = 0; e < sim->max_executors; e++) {
        struct rt_exec *x = &sim->execs[e];
        struct executor_result *er = &r->executors[e];
        if (x->alive) {
            x->alive_us += r->end_us - x->up_since_us;
            er->alive_to_us = r->end_us;
        }
        er->alive_s = (double)x->alive_us * 1e-6;
    }
    if (sim->failed)
        return d->status;
    /* Each executor reports its worker's network and disk activity. */
    for (size_t e = 0; e < r->n_executors; e++) {
        struct executor_result *er = &r->executors[e];
        int w = er->worker;
        double out_busy = net_resource_busy_s(sim->net, sim->store.nic_out[w]);
        double in_busy = net_resource_busy_s(sim->net, sim->store.nic_in[w]);
        er->net_busy_s = out_busy > in_busy ? out_busy : in_busy;
        er->disk_busy_s = net_resource_busy_s(sim->net, sim->store.disk[w]);
        er->net_out_bytes = net_resource_bytes(sim->net, sim->store.nic_out[w]);
        er->net_in_bytes = net_resource_bytes(sim->net, sim->store.nic_in[w]);
        er->disk_bytes = net_resource_bytes(sim->net, sim->store.disk[w]);
    }
    return results_summarize(r, &sim->cl, d);
}

void sim_set_calib_interval(struct sim *sim, double lo_s, double hi_s)
{
    sim->res.calib_lo_s = lo_s;
    sim->res.calib_hi_s = hi_s;
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
    exclude_free(sim);
    locality_free(sim);
    for (size_t i = 0; i < sim->n_stages && sim->stages; i++) {
        free(sim->stages[i].children);
        free(sim->stages[i].parent_index);
        free(sim->stages[i].map_bytes);
        free(sim->stages[i].fetch_frac);
        free(sim->stages[i].retry);
        free(sim->stages[i].out_worker);
        free(sim->stages[i].out_next);
        free(sim->stages[i].out_head);
        free(sim->stages[i].attempts);
        free(sim->stages[i].run_a);
        free(sim->stages[i].run_b);
        free(sim->stages[i].task_done);
        free(sim->stages[i].ok_dur);
        gsl_rng_free(sim->stages[i].rng);
    }
    net_free(sim->net);
    storage_fini(&sim->store);
    free(sim->exec_running);
    free(sim->exec_cached);
    for (size_t i = 0; i < sim->n_slots && sim->slots; i++)
        free(sim->slots[i].flow_ids);
    gsl_rng_free(sim->spot_rng);
    gsl_rng_free(sim->scale_rng);
    free(sim->workers);
    free(sim->execs);
    free(sim->timeline);
    free(sim->stages);
    free(sim->jobs);
    free(sim->pools);
    free(sim->slots);
    free(sim->pipelines);
    free(sim->free_ring);
    free(sim->active);
    free(sim->order);
    free(sim->lost_scratch);
    results_fini(&sim->res);
    free(sim);
}
