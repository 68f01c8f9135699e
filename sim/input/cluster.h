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
#include "models/dist.h"
#include "models/memory.h"
#include "models/storage.h"
#include "sim/input/scenario.h"

struct cluster {
    enum platform platform;
    const struct node_type *driver;
    const struct node_type *worker;
    /* The node explicit stages' task_seconds were measured on
     * (model.task_seconds_node); NULL: not given, they hold on any node. */
    const struct node_type *task_seconds_node;
    int workers;
    int executors_per_worker;
    int executor_cores;
    int task_cpus;              /* spark.task.cpus */
    int slots_per_executor;     /* executor_cores / task_cpus */
    int executors;              /* workers * executors_per_worker */
    double startup_s;           /* cluster start before the first job, billed (the
                                 * distribution's mean; a run draws its own) */
    struct dist startup_dist;   /* DIST_FIXED: startup_s exactly */
    const char *startup_source; /* where the start-up figure comes from */
    struct billing_rates driver_rates, worker_rates;
    const char *region;    /* whose list prices apply (catalog's storage) */
    char price_note[768];  /* every driver and worker rate no source gives, with
                            * the key that sets each; "" when all are known */
    bool driver_is_worker; /* synapse: the driver runs on the head node */

    /* What moves bytes, per worker node and for the cluster (bytes/s). */
    double nic_bps;             /* each direction: catalog network Mbps / 8 */
    double disk_bps;            /* local SSD, reads and writes together */
    bool disk_unknown;          /* no figure: disk not modelled as a limit */
    double storage_egress_bps;  /* the storage account: reads from it */
    double storage_ingress_bps; /* writes into it */
    /* How each kind of store answers requests (models/storage.h): the
     * defaults by URL scheme, with cluster.storage's overrides on every
     * object store (not on local disks and HDFS). */
    struct store_access store_access[STORE_KINDS];
    double network_limit_bps; /* cluster-wide cap on cross-node traffic; INFINITY */

    /* Node autoscaling (cluster.autoscale). workers is the initial size. */
    bool autoscale;
    int autoscale_policy; /* enum autoscale_policy (models/autoscale.h) */
    int min_workers, max_workers;
    double provision_s;         /* from a request until the node's executors register
                                 * (mean) */
    struct dist provision_dist; /* each new node draws its own; DIST_FIXED: provision_s */
    double interval_s;          /* how often the policy decides */
    double idle_s;              /* a node idle this long may be removed */
    double up_sustain_s;        /* Synapse: backlog must last this long to scale up */
    const char *autoscale_source;
    double idle_after_s; /* kept, and billed, after the last job ends */
    /* Spot workers: worker w is spot when floor((w+1) f) > floor(w f), which
     * spreads a fraction f evenly over the worker positions. */
    double spot_fraction;
    double spot_evictions_per_hour;
    double spot_evict_at_s; /* NaN: evictions only from the rate */
    struct billing_rates spot_rates;
    double replace_s;         /* a fixed cluster replaces an evicted node after this */
    struct dist replace_dist; /* DIST_FIXED: replace_s */
    const char *idle_after_source;

    /* Memory of one executor. */
    double executor_heap_bytes;
    const char *heap_source;
    struct exec_memory memory;
};

/* ADLS Gen2 / GPv2 account limits in the regions Microsoft lists (East US
 * among them): 200 Gbps egress, 60 Gbps ingress (STOR, 2025). */
#define CLUSTER_STORAGE_EGRESS_GBPS 200.0
#define CLUSTER_STORAGE_INGRESS_GBPS 60.0

/* Share of a worker's memory given to executor heaps when the scenario does
 * not set spark.executor.memory (see cluster.c). */
#define CLUSTER_DEFAULT_HEAP_FRACTION 0.6

/* Resolves the scenario's cluster against the catalog. On an unknown node
 * size, an executor layout that does not fit the node, spark.task.cpus
 * larger than an executor, or a region the catalog has no prices for,
 * returns SC_EINPUT with d naming the scenario's file:line (and the closest
 * catalog names, or the regions it prices). */
enum sc_status cluster_build(const struct scenario *s, const struct catalog *cat, struct cluster *c,
                             struct diag *d);

/* The most executors of the timeline x[0..n) alive at once (one leaving
 * when another joins makes room for it). */
/* The autoscale timings a cluster.autoscale group that gives none of them
 * gets on platform p with pricing: the policy's node provisioning (its
 * mean, s), seconds between decisions and idle time before removal. */
struct autoscale_defaults {
    double provision_s, interval_s, idle_s;
};
struct autoscale_defaults cluster_autoscale_defaults(enum platform p, enum pricing pricing);

int cluster_timeline_peak(const struct executor_spec *x, size_t n);

/* With a timeline (cs->executors), sizes c for it: slots_per_executor for
 * the most cores any of its executors has (executor_cores stays the
 * cores of one that gives none), and at least as many workers as its
 * executors alive at once need. No-op without one; idempotent. */
void cluster_fit_timeline(struct cluster *c, const struct cluster_spec *cs);

/* Total task slots in the cluster. */
static inline int cluster_slots(const struct cluster *c)
{
    return c->executors * c->slots_per_executor;
}

/* Whether worker position w is a spot VM. */
static inline bool cluster_is_spot(const struct cluster *c, int w)
{
    double f = c->spot_fraction;
    return f > 0.0 && (long)((w + 1) * f + 1e-9) > (long)(w * f + 1e-9);
}

#endif
