/*
 * fixture.h — what the simulation benchmarks in bench/ share: a cluster of
 * identical 4-core VM nodes priced at $0.20 an hour (one executor a node,
 * every core a slot) and a stage of lognormal task times (median 2 s,
 * sigma 0.3) chained after the stage CHAINS before it.
 */
#ifndef STAGECAST_BENCH_FIXTURE_H
#define STAGECAST_BENCH_FIXTURE_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sim/runtime/runtime.h"

/* executors nodes of cores vCPUs, node named name. */
static inline void bench_vm_cluster(struct cluster *cl, struct node_type *node, const char *name,
                                    int executors, int cores)
{
    snprintf(node->name, sizeof node->name, "%s", name);
    node->vcpus = cores;
    node->price_usd_per_hour = 0.2;
    node->dbu_per_hour = NAN;
    memset(cl, 0, sizeof *cl);
    cl->platform = PLATFORM_VM;
    cl->driver = cl->worker = node;
    cl->workers = executors;
    cl->executors_per_worker = 1;
    cl->executor_cores = cores;
    cl->task_cpus = 1;
    cl->slots_per_executor = cores;
    cl->executors = executors;
    cl->startup_source = "bench";
    billing_rates_for(PLATFORM_VM, PRICING_JOBS, TIER_PREMIUM, node, NULL, true,
                      &cl->driver_rates);
    cl->worker_rates = cl->driver_rates;
}

/* Stage i of tasks lognormal tasks; from stage `chains` on, the child of
 * stage i - chains (*parent is its storage). */
static inline void bench_chained_stage(struct stage_spec *st, int i, int64_t tasks, int chains,
                                       int64_t *parent)
{
    memset(st, 0, sizeof *st);
    st->id = i;
    st->tasks = tasks;
    st->has_task_seconds = true;
    st->task_seconds.kind = DIST_LOGNORMAL;
    st->task_seconds.p1 = log(2.0);
    st->task_seconds.p2 = 0.3;
    st->input_bytes = st->records = st->shuffle_read_bytes = st->shuffle_write_bytes = -1;
    if (i >= chains) {
        *parent = i - chains;
        st->parents = parent;
        st->n_parents = 1;
    }
}

#endif
