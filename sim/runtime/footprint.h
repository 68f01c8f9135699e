/*
 * footprint.h — the memory a simulation will take for its tasks, estimated
 * from the plan before anything is allocated, so that a plan of 1e8-task
 * stages is refused at once, with its figures, rather than after minutes
 * of running or when memory runs out.
 *
 * Only what grows with the task count is counted: per task, its attempt
 * count, with speculation its slots, done flag and run time, where shuffle
 * output can be lost (spot workers, executors leaving without the shuffle
 * service) and another stage reads it, where its output lives and the link
 * of its worker's list of outputs, and its stage's exact run-time
 * statistics (up to TASKSTATS_EXACT_MAX tasks); a record per task attempt
 * only when the outputs list or draw tasks (sim_options.task_records).
 */
#ifndef STAGECAST_FOOTPRINT_H
#define STAGECAST_FOOTPRINT_H

#include <stdbool.h>
#include <stdint.h>

#include "models/diag.h"
#include "sim/input/cluster.h"
#include "sim/plan/plan.h"

struct footprint {
    double state_bytes;  /* the runtime's per-task state */
    double record_bytes; /* task records (0 unless kept): one per task, at least */
    double total_bytes;
    int64_t tasks;             /* over all stages */
    size_t big_job, big_stage; /* the stage with the most tasks */
};

/* Estimates the footprint of simulating p on cl (speculation as p's
 * scenario sets it; records kept or not). Never fails. */
void footprint_estimate(const struct plan *p, const struct cluster *cl, bool task_records,
                        struct footprint *f);

/* SC_OK when f fits in limit_bytes (<= 0: no limit); otherwise SC_ELIMIT
 * with a message naming the largest stage, the setting its task count
 * comes from, and the figures. */
enum sc_status footprint_check(const struct footprint *f, const struct plan *p, double limit_bytes,
                               struct diag *d);

#endif
