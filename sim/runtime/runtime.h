/*
 * runtime.h — the Spark runtime model: a DAG scheduler that submits a job's
 * stages when their parents finish, a task scheduler that hands free task
 * slots to task sets in FIFO or FAIR order, executors whose slots run the
 * tasks, and the driver that launches them. It runs on the engine and asks
 * taskcost for each task's time.
 *
 * Ownership: sim_new copies what it needs from the cluster and keeps
 * pointers into the plan and its scenario, which must outlive the
 * simulation and are only read; sim_free
 * releases everything, results included. Simulations share nothing: many can
 * run at once in one process.
 */
#ifndef STAGECAST_RUNTIME_H
#define STAGECAST_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/input/cluster.h"
#include "sim/runtime/results.h"
#include "sim/plan/plan.h"

/* Driver time to launch one task when the scenario does not set
 * model.task_launch_ms (see scheduler.c for where the figure comes from). */
#define RUNTIME_DEFAULT_TASK_LAUNCH_S 0.001

/* Network completions are processed in batches of this grain, seconds
 * (model.network_quantum_ms overrides; 0 is exact): a flow ends at most this
 * late, and a shuffle of hundreds of thousands of blocks needs a solve per
 * quantum instead of one per block. */
#define RUNTIME_DEFAULT_NETWORK_QUANTUM_S 0.001

/* A reduce task fetches its remote blocks in at most this many simulated
 * requests (or 4 a worker, when more), plus one a worker: more, and its
 * requests and in-flight cap grow alike (shuffle.c), which moves its end by
 * at most 1/this of its compute time. */
#define RUNTIME_FETCH_REQUESTS 256

/* Dynamic allocation: from an executor request until it registers, seconds.
 * Our assumption (a container or pod starting on a node that is already
 * up takes seconds); no published figure was found. */
#define RUNTIME_EXECUTOR_START_S 2.0

/* Spread of task compute times computed from data (not given as
 * task_seconds): each is its cost times a lognormal of median 1 and this
 * sigma (model.noise_sigma overrides; 0 removes it). Our assumption: equal
 * tasks of one stage in the shared event logs vary by this order. */
#define RUNTIME_DEFAULT_NOISE_SIGMA 0.1

/* How a calibrated stage's compute cost per row is taken: the fit's value
 * moved by z standard errors (its 95% half-width / 1.96). */
enum sim_calib_mode {
    SIM_CALIB_NOMINAL, /* the fits as measured */
    SIM_CALIB_SHIFTED, /* every calibrated stage moved by calib_z together */
    SIM_CALIB_DRAWN    /* each stage its own z ~ N(0, 1), from a stream of the seed */
};

struct sim_options {
    uint64_t seed;
    enum sim_calib_mode calib;
    double calib_z; /* SIM_CALIB_SHIFTED: e.g. -1.96 and +1.96 for the run's interval */
    /* Keep a record per task attempt (results.tasks): an output that lists
     * or draws tasks (timeline, trace, plot) needs them. Without, per-stage
     * statistics are streamed and memory does not grow with the task count
     * beyond a few bytes. sim_new with opt NULL keeps them. */
    bool task_records;
    /* Refuse (SC_ELIMIT, before allocating) a run whose task-proportional
     * memory (footprint.h) would exceed this many bytes; 0: no limit. */
    double memory_limit_bytes;
    /* A reduce task's remote fetch is made of about this many simulated
     * requests at most (0: RUNTIME_FETCH_REQUESTS; -1: no bound, Spark's
     * request sizes whatever the bytes): see shuffle.c. */
    int64_t fetch_requests;
    /* Stop with SC_ELIMIT after this many engine events (0: no cap): a
     * caller that must bound its work whatever the input (the fuzzing
     * harness) sets it. */
    uint64_t max_events;
    /* Poll node autoscaling at every interval, as the platforms do. By
     * default the polls that cannot change anything are left out, with the
     * same results (executors.c); tests compare the two. */
    bool poll_every_interval;
};

struct sim;

/* Builds a simulation of plan p (calibrated or not) on cluster cl. Returns
 * NULL and fills d when the plan cannot be simulated (a job without stages,
 * a parent that is not in its job), would need more than
 * opt->memory_limit_bytes, or memory runs out. */
struct sim *sim_new(const struct plan *p, const struct cluster *cl,
                    const struct sim_options *opt, struct diag *d);

/* Runs to the end and summarizes. Returns SC_OK, or an error in d. */
enum sc_status sim_run(struct sim *sim, struct diag *d);

/* Records the makespan interval from the calibration fits' intervals
 * (results.calib_lo_s, calib_hi_s; see pipeline_request.calib_interval). */
void sim_set_calib_interval(struct sim *sim, double lo_s, double hi_s);

/* The results (valid after sim_run, owned by sim). */
const struct results *sim_results(const struct sim *sim);

void sim_free(struct sim *sim);

#endif
