/*
 * sim_fixture.h — what the tests that build a scenario and a cluster in
 * memory share: a cluster of identical nodes with round numbers (one
 * executor per worker with all its cores, I/O unconstrained until a test
 * sets a limit), stages of fixed task times, and a run that fails the test
 * with the simulator's own message. Include after <cmocka.h> and
 * "sim/runtime/runtime.h".
 */
#ifndef STAGECAST_TESTS_SIM_FIXTURE_H
#define STAGECAST_TESTS_SIM_FIXTURE_H

#include <math.h>
#include <stdio.h>

/* WORKERS nodes of CORES vCPUs at USD_PER_HOUR each (no DBUs), on plain
 * VMs: one executor a worker with every core as a slot, no start-up, NICs,
 * disks and storage unconstrained, no memory model until the test sets
 * cl->memory. */
static inline void fixture_cluster(struct cluster *cl, struct node_type *node, int workers,
                                   int cores, double usd_per_hour)
{
    snprintf(node->name, sizeof node->name, "Test_%dcore", cores);
    node->vcpus = cores;
    node->price_usd_per_hour = usd_per_hour;
    node->dbu_per_hour = NAN;
    cl->platform = PLATFORM_VM;
    cl->driver = cl->worker = node;
    cl->workers = workers;
    cl->executors_per_worker = 1;
    cl->executor_cores = cores;
    cl->task_cpus = 1;
    cl->slots_per_executor = cores;
    cl->executors = workers;
    cl->startup_s = 0.0;
    cl->startup_source = "test";
    cl->nic_bps = cl->disk_bps = INFINITY;
    cl->storage_egress_bps = cl->storage_ingress_bps = INFINITY;
    cl->network_limit_bps = INFINITY;
    billing_rates_for(PLATFORM_VM, PRICING_JOBS, TIER_PREMIUM, node, NULL, true, &cl->driver_rates);
    cl->worker_rates = cl->driver_rates;
}

/* A scenario "test" (test.cfg, seed 1) with Spark's defaults and no task
 * launch overhead, so that times are exact sums; the caller adds its jobs. */
static inline void fixture_scenario(struct scenario *s)
{
    s->file = "test.cfg";
    s->name = "test";
    s->seed = 1;
    spark_conf_init(&s->spark);
    s->model.task_launch_s = 0.0;
}

/* Stage ID of TASKS tasks of SECS seconds each, with no data sizes. */
static inline void fixture_stage(struct stage_spec *st, int64_t id, int64_t tasks, double secs)
{
    st->id = id;
    st->tasks = tasks;
    st->has_task_seconds = true;
    st->task_seconds = dist_fixed(secs);
    st->input_bytes = st->records = st->shuffle_read_bytes = st->shuffle_write_bytes = -1;
    st->output_bytes = st->memory_bytes = st->cache_bytes = -1;
}

/* Simulates S on CL with SEED into *SIM, through S's plan (its explicit
 * stages copied) in *PLAN: the caller frees both, the simulation first. */
static inline const struct results *fixture_run(struct sim **sim, struct plan **plan,
                                                const struct scenario *s,
                                                const struct cluster *cl, uint64_t seed)
{
    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = seed, .task_records = true};
    *plan = plan_new(s, &d);
    if (!*plan)
        fail_msg("plan_new: %s", d.msg);
    *sim = sim_new(*plan, cl, &opt, &d);
    if (!*sim)
        fail_msg("sim_new: %s", d.msg);
    if (sim_run(*sim, &d) != SC_OK)
        fail_msg("sim_run: %s", d.msg);
    return sim_results(*sim);
}

/* Stage I's duration as Spark reports it: completion minus submission. */
static inline double fixture_stage_span(const struct results *r, size_t i)
{
    return (double)(r->stages[i].end_us - r->stages[i].submit_us) * 1e-6;
}

#endif
