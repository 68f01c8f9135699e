/*
 * trace.h — a run as a Chrome trace (the Trace Event Format's JSON object
 * form), to open in Perfetto (ui.perfetto.dev) or chrome://tracing.
 *
 * Layout: each executor is a process (pid = executor id + 1) and each of its
 * task slots a thread (tid = 1 + the slot's index counted over the whole
 * cluster, so no two slots share a tid; 0 is avoided because viewers treat
 * it specially). A task attempt is one complete ("X") event named after its
 * stage, with its phases as complete events nested inside it: input,
 * compute, spill and write back to back from launch, and, in a task that
 * reads shuffle data, a fetch slice inside the compute from its start, as
 * long as the fetch took (the model overlaps the two, as Spark does). The driver is one more
 * process (pid = executors + 1) with a thread per job and per stage holding
 * their spans. Times are microseconds from the first job's submission.
 * README.md "Plots and traces" documents the events.
 */
#ifndef STAGECAST_TRACE_H
#define STAGECAST_TRACE_H

#include <stdio.h>

#include "models/diag.h"
#include "sim/runtime/results.h"
#include "sim/plan/plan.h"

/* Category of task events: "stage <spark stage id>"; of phase slices: */
#define TRACE_PHASE_CATEGORY "phase"

/* Writes the trace to out. Returns SC_OK, SC_ENOMEM or SC_EIO. */
enum sc_status trace_write_chrome(FILE *out, const struct plan *plan, const struct results *r,
                                  struct diag *d);

#endif
