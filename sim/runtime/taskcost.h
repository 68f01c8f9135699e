/*
 * taskcost.h — how long one task of a stage takes, phase by phase. This is
 * the seam where the models plug into the Spark runtime: the runtime asks for
 * a task's phases and never computes a time itself.
 *
 * A task's compute time comes from its stage's `task_seconds` (times as
 * measured on the cluster, e.g. copied from a Spark UI or an event log), or,
 * for a stage described only by data, from its records times a default cost
 * per record of its kernel, flagged "uncalibrated" in every report (see
 * taskcost.c) — unless calibration (sim/calib/calibrate.h) measured the stage's
 * operators: then records x calibrated ns per row, scaled to the worker. Moving bytes (input,
 * shuffle, spill, output) is not here: the runtime moves them through the
 * flow-level network model.
 */
#ifndef STAGECAST_TASKCOST_H
#define STAGECAST_TASKCOST_H

#include <stdbool.h>
#include <gsl/gsl_rng.h>

#include "sim/input/cluster.h"
#include "sim/plan/plan.h"

enum task_phase {
    PHASE_INPUT,    /* reading input from storage */
    PHASE_FETCH,    /* shuffle fetch wait */
    PHASE_COMPUTE,  /* running the stage's operators */
    PHASE_SPILL,    /* spilling to and reading back from local disk */
    PHASE_WRITE,    /* shuffle or output write */
    PHASE_COUNT
};

const char *task_phase_name(enum task_phase p);

/* What is fixed for every task of a stage, worked out once at submission. */
struct stage_cost {
    bool from_dist;             /* task_seconds given */
    bool uncalibrated;          /* compute estimated from records with default rates */
    struct dist task_seconds;
    const double *task_seconds_list; /* one time per task, or NULL */
    /* A given time t becomes min(fixed_s, t) + (t - min(fixed_s, t)) x
     * compute_scale: the records each task gets (what_if.input_scale) and
     * the speed of the node it was measured on over the worker's. */
    double fixed_s;
    double compute_scale;
    /* Of the rest, fetch_wait_s and shuffle_write_s are I/O: they scale by
     * the records (records_scale) and by the per-vCPU network and local-disk
     * bandwidth of the measured node over the worker's, not by its speed. */
    double fetch_wait_s, shuffle_write_s;
    double records_scale, fetch_scale, write_scale;
    /* Given times that hold a fresh executor's warm-up (cold[index]) lose
     * warmup_s of it before scaling; the runtime adds it back on the
     * executors that are fresh in the simulation (scheduler.c). */
    const bool *cold;
    double warmup_s;
    double records;             /* per task */
    double compute_s_per_record;
    double compute_s_fixed;     /* per task, whatever its records (calibrated intercept) */
};

/* Prepares c for a stage of spec on cluster cl. A calibrated stage's cost
 * per row is its fit's moved by calib_z standard errors (0: as fitted; the
 * cost never falls below a tenth of the fit's). */
void taskcost_stage_init(struct stage_cost *c, const struct plan_stage *spec,
                         const struct cluster *cl, double calib_z);

/* How much faster the node given task times were measured on is than the
 * worker (their ACU ratio, calib_node_acu): 1 when cl says nothing of where
 * they were measured, or the two are the same node. */
double taskcost_node_speedup(const struct cluster *cl);

/* The same for I/O: the measured node's network (network true) or local
 * disk bandwidth per vCPU over the worker's; 1 when either figure is
 * unknown or cl says nothing of the measured node. */
double taskcost_node_io_speedup(const struct cluster *cl, bool network);

/* Draws task `index`'s compute time (seconds), records it in
 * phase_s[PHASE_COMPUTE] (other phases zeroed) and returns it. rng is the
 * stage's own stream, so a task's time does not depend on what other stages
 * did. */
double taskcost_task(const struct stage_cost *c, gsl_rng *rng, int64_t index,
                     float phase_s[PHASE_COUNT]);

/* Default compute cost per record of a kernel before calibration, seconds. */
double taskcost_default_s_per_record(const char *kernel);

#endif
