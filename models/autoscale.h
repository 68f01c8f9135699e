/*
 * autoscale.h — the policies that change a cluster's size while it runs:
 * node autoscaling as Azure Databricks (optimized autoscaling) and Azure
 * Synapse Spark pools do it, and Spark's own dynamic allocation of
 * executors (ExecutorAllocationManager).
 *
 * Each policy is a small state machine. The caller observes the scheduler
 * (tasks waiting, tasks running, free slots, workers alive and pending,
 * executors alive) at each evaluation and asks for a decision: how many
 * workers or executors to add, and whether a given idle worker or executor
 * may go. The caller applies the decision (provisioning delays, billing,
 * which shuffle files a node holds); the policies know nothing of the
 * engine or of Spark's data, so they can be tested by hand.
 *
 * Times are integer microseconds of simulated time. Values only: nothing
 * to free.
 */
#ifndef STAGECAST_AUTOSCALE_H
#define STAGECAST_AUTOSCALE_H

#include <stdbool.h>
#include <stdint.h>

/* ---- node autoscaling (Databricks, Synapse) ---------------------------- */

enum autoscale_policy {
    /* Optimized autoscaling: scale up as soon as tasks wait, going from min
     * to max in two steps; remove nodes idle for idle_s. */
    AUTOSCALE_POLICY_DATABRICKS,
    /* Synapse autoscale: scale up only when the backlog has lasted
     * up_sustain_s; remove nodes idle for idle_s. */
    AUTOSCALE_POLICY_SYNAPSE
};
#define AUTOSCALE_POLICY_COUNT 2

struct autoscale_node_settings {
    enum autoscale_policy policy;
    int min_workers, max_workers;
    int slots_per_worker;  /* task slots one worker adds */
    int64_t interval_us;   /* how often the policy decides (at least 1) */
    int64_t idle_us;       /* a worker idle this long may be removed */
    int64_t up_sustain_us; /* Synapse: how long the backlog must last */
};

struct autoscale_node {
    struct autoscale_node_settings set;
    int64_t up_since_us; /* Synapse: since when tasks wait; -1: they do not */
};

/* What the scheduler looks like at one evaluation. */
struct autoscale_node_view {
    int64_t now_us;
    int64_t backlog_tasks; /* tasks submitted and not yet launched */
    int64_t free_slots;
    int alive_workers, pending_workers;
};

struct autoscale_node_decision {
    int add_workers;     /* request this many workers now */
    bool may_scale_down; /* no backlog: idle workers may be removed */
};

/* Starts a node policy with settings set (copied). */
void autoscale_node_init(struct autoscale_node *p, const struct autoscale_node_settings *set);

/* One evaluation: returns how many workers to request, or whether idle ones
 * may go. Updates the policy's memory of a sustained backlog. */
struct autoscale_node_decision autoscale_node_decide(struct autoscale_node *p,
                                                     const struct autoscale_node_view *v);

/* After an evaluation, with the view as it is now: when the next
 * evaluation seeing the same backlog, free slots and workers would request
 * workers or start or forget Synapse's backlog clock: v->now_us when the
 * next one would already (Databricks still short of workers, a backlog
 * that began or ended), Synapse's backlog reaching up_sustain_s, or
 * INT64_MAX when none would. Idle removal is the caller's to foresee. */
int64_t autoscale_node_next_add_us(const struct autoscale_node *p,
                                   const struct autoscale_node_view *v);

/* Whether a worker idle since idle_since_us (-1: busy) has been idle long
 * enough at now_us to be removed. The caller also keeps min_workers and any
 * worker whose shuffle output a stage still needs. */
bool autoscale_node_idle_expired(const struct autoscale_node *p, int64_t idle_since_us,
                                 int64_t now_us);

/* ---- Spark dynamic allocation ------------------------------------------ */

/* ExecutorAllocationManager polls every 100 ms (its intervalMillis). */
#define AUTOSCALE_DYNALLOC_POLL_US 100000

struct autoscale_dynalloc_settings {
    /* As configured: spark.dynamicAllocation.{min,max,initial}Executors and
     * spark.executor.instances. */
    int64_t min_executors, max_executors, initial_executors, instances;
    int positions;                /* executors the cluster has room for */
    int slots_per_executor;       /* tasks one executor runs at once */
    int64_t backlog_timeout_us;   /* schedulerBacklogTimeout */
    int64_t sustained_timeout_us; /* sustainedSchedulerBacklogTimeout */
    int64_t idle_timeout_us;      /* executorIdleTimeout */
    bool shuffle_tracking;        /* shuffleTracking.enabled */
};

struct autoscale_dynalloc {
    struct autoscale_dynalloc_settings set;
    int min, max;        /* the bounds, clamped to the positions */
    int target;          /* executors wanted (numExecutorsTarget) */
    int to_add;          /* the next request's size (numExecutorsToAdd) */
    int64_t add_time_us; /* when the next request is due; -1: no backlog */
};

/* Starts dynamic allocation with settings set (copied). Returns the
 * executors to start with (Spark's getDynamicAllocationInitialExecutors:
 * the largest of initialExecutors, executor.instances and minExecutors,
 * at most maxExecutors), or -1 when maxExecutors is below minExecutors. */
int autoscale_dynalloc_init(struct autoscale_dynalloc *p,
                            const struct autoscale_dynalloc_settings *set);

/* One poll at now_us with backlog_tasks waiting, running_tasks running and
 * alive_executors registered: moves the target. Returns how many executors
 * were newly requested (0 when none; p->target is the new target). */
int autoscale_dynalloc_update(struct autoscale_dynalloc *p, int64_t now_us, int64_t backlog_tasks,
                              int64_t running_tasks, int alive_executors);

/* What the add due at p->add_time_us would do if the scheduler stayed as
 * given: nothing at all (no backlog; or the target drops first to what is
 * needed), raise the target, or stall (ask for nothing, set
 * numExecutorsToAdd back to 1 and move the next add on). */
enum autoscale_add_outlook { AUTOSCALE_ADD_NONE, AUTOSCALE_ADD_GROWS, AUTOSCALE_ADD_STALLS };
enum autoscale_add_outlook autoscale_dynalloc_add_outlook(const struct autoscale_dynalloc *p,
                                                          int64_t backlog_tasks,
                                                          int64_t running_tasks,
                                                          int alive_executors);

/* The caller polls on the grid base_us + k x step_us but left out the
 * polls after last_poll_us and before now_us, over which the scheduler did
 * not change and the adds stalled (AUTOSCALE_ADD_STALLS after the poll at
 * last_poll_us): applies what those polls' adds
 * did (numExecutorsToAdd back to 1, the next add moved on), so that the
 * poll at now_us decides as if none had been left out. */
void autoscale_dynalloc_skip_adds(struct autoscale_dynalloc *p, int64_t base_us, int64_t step_us,
                                  int64_t last_poll_us, int64_t now_us);

/* Executors are never removed below this many (the target, or minExecutors). */
int autoscale_dynalloc_floor(const struct autoscale_dynalloc *p);

/* Whether an executor idle since idle_since_us (-1: busy) has been idle for
 * executorIdleTimeout at now_us. The caller also keeps executors that hold
 * cached blocks, and, with shuffle tracking, shuffle output still needed. */
bool autoscale_dynalloc_idle_expired(const struct autoscale_dynalloc *p, int64_t idle_since_us,
                                     int64_t now_us);

#endif
