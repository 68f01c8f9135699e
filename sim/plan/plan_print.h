/*
 * plan_print.h — `stagecast plan`: prints each job's stages as planned (ids,
 * tasks, parents, the Spark job each belongs to, operators, estimated rows
 * and bytes), in the spirit of Spark's EXPLAIN, without simulating.
 *
 * Reads the scenario after planner_plan; writes only to `out`.
 */
#ifndef STAGECAST_PLAN_PRINT_H
#define STAGECAST_PLAN_PRINT_H

#include <stdio.h>

#include "sim/input/cluster.h"
#include "sim/input/scenario.h"

/* Prints the plan of every job of s on cl. */
void plan_print(FILE *out, const struct scenario *s, const struct cluster *cl);

#endif
