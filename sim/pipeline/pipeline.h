/*
 * pipeline.h — the one driver of stagecast's data flow: load (or take) a
 * scenario, resolve its cluster against the node catalog, plan it,
 * calibrate the plan, simulate it. Every command goes through it (run,
 * plan, calibrate, sweep, replay, fit-factors), stopping at the step it
 * needs, so the sequence is written once.
 *
 * Flow: scenario (const) -> cluster -> plan -> calibrated plan -> simulation.
 *
 * Ownership: a struct pipeline owns what pipeline_run made (the scenario
 * it loaded, the catalog it loaded, the plan, the calibration, the
 * simulation) and pipeline_fini frees them, in reverse order; a scenario
 * or catalog given in the request is borrowed and must outlive it. After
 * pipeline_run the fields may be read; none is written again.
 */
#ifndef STAGECAST_PIPELINE_H
#define STAGECAST_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/catalog.h"
#include "models/diag.h"
#include "sim/calib/calibrate.h"
#include "sim/input/cluster.h"
#include "sim/input/scenario.h"
#include "sim/plan/plan.h"
#include "sim/plan/plan_stats.h"
#include "sim/runtime/runtime.h"

/* How far to go. */
enum pipeline_step {
    PIPELINE_CLUSTER,   /* load and resolve the cluster */
    PIPELINE_PLAN,      /* ... and plan */
    PIPELINE_CALIBRATE, /* ... and calibrate the plan */
    PIPELINE_SIMULATE   /* ... and simulate it */
};

struct pipeline_request {
    enum pipeline_step until;
    /* The scenario: a file with overrides ("dotted.key=value"), or one
     * already in memory (borrowed; path and sets are then ignored). */
    const char *path;
    const char *const *sets;
    size_t n_sets;
    const struct scenario *scenario;
    const struct catalog *catalog;      /* NULL: the default catalog, loaded */
    const struct cluster *cluster;      /* given: used (copied) instead of resolving the
                                         * scenario's cluster against the catalog */
    const struct plan_stats *stats;     /* NULL: the planner's defaults */
    /* This host's calibration options, as the CLI reads them from the
     * environment (NULL: the defaults); the scenario's model group goes on
     * top (calibrate_options_init). */
    const struct calibrate_options *calibration;
    bool recalibrate;                   /* measure even what the cache has */
    bool have_seed;                     /* seed instead of the scenario's */
    uint64_t seed;
    /* Also simulate with every calibrated stage's cost at the low and the
     * high end of its fit's 95% interval: the run's makespan interval
     * (results.calib_lo_s, calib_hi_s). */
    bool calib_interval;
    /* Keep a record per task attempt (sim_options.task_records): an output
     * that lists or draws tasks will be written. */
    bool task_records;
    /* Refuse, before planning or simulating, work whose memory would
     * exceed this many bytes (planner_check_footprint, footprint.h); 0:
     * no limit. */
    double memory_limit_bytes;
};

struct pipeline {
    const struct scenario *scn;
    const struct catalog *cat;
    struct cluster cl;
    struct plan *plan;
    struct calibration *cal;  /* NULL unless calibrated */
    struct sim *sim;          /* NULL unless simulated; results via sim_results */
    uint64_t seed;            /* the seed the simulation ran with */
    enum pipeline_step failed; /* after an error: the step that failed (loading the
                                * scenario or catalog counts as PIPELINE_CLUSTER) */
    /* owned copies (NULL when borrowed or not made) */
    struct scenario *scn_owned;
    struct catalog *cat_owned;
};

/* Runs the steps up to rq->until into pl, which is zero-initialized or
 * holds an earlier pipeline_run of the same request: steps done already
 * are not done again (so a caller can stop after planning, take a lock,
 * and go on to calibrate). On error returns the status with d set
 * (file:line where the input has one) and pl holds what was made so far:
 * pipeline_fini it either way. */
enum sc_status pipeline_run(struct pipeline *pl, const struct pipeline_request *rq,
                            struct diag *d);

/* One simulation of pl's (calibrated) plan on cl (NULL: pl's cluster)
 * with o's seed and calibration errors, run to the end: what sweeps
 * replicate, on clusters that plan the same way. The caller frees it with
 * sim_free; NULL with d set. */
struct sim *pipeline_simulate(const struct pipeline *pl, const struct cluster *cl,
                              const struct sim_options *o, struct diag *d);

/* Whether any stage of pl's plan has a calibrated cost with an interval. */
bool pipeline_has_calib_interval(const struct pipeline *pl);

void pipeline_fini(struct pipeline *pl);

#endif
