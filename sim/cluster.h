/*
 * cluster.h — a scenario's cluster made concrete: node types resolved in the
 * catalog, executors laid out on workers with the platform's defaults, task
 * slots counted, billing rates chosen.
 *
 * Ownership: a struct cluster is a value filled by cluster_build; it points
 * into the catalog (which must outlive it) and owns nothing.
 */
#ifndef STAGECAST_CLUSTER_H
#define STAGECAST_CLUSTER_H

#include "models/billing.h"
#include "models/catalog.h"
#include "sim/scenario.h"

struct cluster {
    enum platform platform;
    const struct node_type *driver;
    const struct node_type *worker;
    int workers;
    int executors_per_worker;
    int executor_cores;
    int task_cpus;              /* spark.task.cpus */
    int slots_per_executor;     /* executor_cores / task_cpus */
    int executors;              /* workers * executors_per_worker */
    double startup_s;           /* cluster start before the first job, billed */
    const char *startup_source; /* where the start-up figure comes from */
    struct billing_rates driver_rates, worker_rates;
    bool driver_is_worker;      /* synapse: the driver runs on the head node */
};

/* Resolves the scenario's cluster against the catalog. On an unknown node
 * size, an executor layout that does not fit the node, or spark.task.cpus
 * larger than an executor, returns SC_EINPUT with d naming the scenario's
 * file:line (and, for a node size, the closest catalog names). */
enum sc_status cluster_build(const struct scenario *s, const struct catalog *cat,
                             struct cluster *c, struct diag *d);

/* Total task slots in the cluster. */
static inline int cluster_slots(const struct cluster *c)
{
    return c->executors * c->slots_per_executor;
}

/* Platform default for cluster start-up, seconds, and its source. */
double cluster_default_startup_s(enum platform p, int workers, const char **source);

#endif
