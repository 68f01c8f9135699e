/*
 * scaling.h — one plan simulated at several executor counts: the predicted
 * makespan, cost and utilization at each, the critical-path lower bound
 * (the makespan when every task has a slot the moment it is ready), the
 * smallest count within 10% of it, and each stage's skew and whether it
 * gates the run. What Sparklens users ask of a run ("how many executors
 * does it need?"), answered by the simulator rather than by arithmetic on
 * the log.
 *
 * Ownership: scaling_run returns a scaling that owns its points, stages
 * and names and keeps no pointer into the plan or the cluster; free it
 * with scaling_free.
 */
#ifndef STAGECAST_SCALING_H
#define STAGECAST_SCALING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/diag.h"
#include "sim/input/cluster.h"
#include "sim/plan/plan.h"

/* The ideal count is the smallest whose makespan is within this fraction
 * of the lower bound (Sparklens' "ideal executor count" question). */
#define SCALING_IDEAL_SLACK 0.10
/* The lower bound's simulation gets at most this many executors. */
#define SCALING_MAX_EXECUTORS 4096

struct scaling_point {
    int executors;
    int workers, executors_per_worker; /* the layout simulated */
    double makespan_s;
    double total_usd;   /* NaN when a rate is unknown */
    double utilization; /* busy slot-seconds / available */
};

struct scaling_stage {
    int64_t job_spark_id, stage_id;
    char *name; /* NULL: none */
    int64_t tasks;
    double task_p50_s, task_max_s;
    double skew; /* task_max_s / task_p50_s; NaN when p50 is 0 */
    bool gates;  /* on the critical path of the unbounded run */
};

struct scaling {
    struct scaling_point *points; /* in the order asked */
    size_t n_points;
    int executor_cores, slots_per_executor;
    struct scaling_point bound;   /* the run with a slot for every task */
    bool bound_capped;            /* bound.executors hit SCALING_MAX_EXECUTORS */
    int ideal_executors;          /* smallest listed count within the slack; 0: none */
    bool dynamic_allocation;      /* on in the scenario: each count is a ceiling */
    struct scaling_stage *stages; /* in the plan's order */
    size_t n_stages;
    char cost_note[1024]; /* why a cost is unknown, or "" */
    /* What each count's cost is of: the platform, the worker and driver
     * sizes, that the start-up is billed, and where each rate comes from
     * (region and date, as run's cost section says it). */
    char cost_basis[640];
};

/* Simulates plan on cl resized to each of counts[0..n) executors (each of
 * cl's executor size; a fixed cluster: autoscaling off), and once with
 * a slot for every task of the plan, all with seed. A count that is not a
 * multiple of cl's executors per worker is laid out with fewer per worker
 * (the largest divisor of the count that fits). The plan's scenario must
 * have no executor timeline (it would replace the counts): SC_EINPUT if it
 * has. Returns NULL with d set on error. */
struct scaling *scaling_run(const struct plan *plan, const struct cluster *cl,
                            const int64_t *counts, size_t n, uint64_t seed, struct diag *d);

void scaling_free(struct scaling *sc);

/* The table (executors, makespan, cost, utilization) with what its cost is
 * of and where its prices come from, the lower bound and the ideal count,
 * then the stages with their skew and those that gate. */
void scaling_print(FILE *out, const struct scaling *sc);

#endif
