/*
 * plan_print.h — `stagecast plan`: prints each job's stages as planned (ids,
 * tasks, parents, the Spark job each belongs to, operators, estimated rows
 * and bytes), in the spirit of Spark's EXPLAIN, without simulating.
 *
 * Reads a plan (sim/plan/plan.h); writes only to `out`.
 */
#ifndef STAGECAST_PLAN_PRINT_H
#define STAGECAST_PLAN_PRINT_H

#include <stdio.h>

#include "sim/input/cluster.h"
#include "sim/plan/plan.h"

/* Prints every job of plan p, made for cl. Each filter's and keyed
 * aggregate's estimate is marked with its source (distribution, measured
 * on N sample rows, default); `calibrated` says whether p went through
 * calibration (then a default is one calibration could not measure, and
 * shuffle bytes use the measured compression) or not (then the defaults
 * and the assumed compression are what calibration will replace). */
void plan_print(FILE *out, const struct plan *p, const struct cluster *cl, bool calibrated);

#endif
