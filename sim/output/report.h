/*
 * report.h — a run's results for people (a table on a terminal), for tools
 * (JSON) and for plots (a CSV row per task attempt). Reports only format what
 * the simulation produced; they compute nothing new beyond formatting.
 */
#ifndef STAGECAST_REPORT_H
#define STAGECAST_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "sim/input/cluster.h"
#include "sim/runtime/results.h"
#include "sim/plan/plan.h"

/* Prints the per-stage table, job and application times, utilization and
 * cost. */
/* The cost section of the table: total, each line's rates, where the prices
 * come from and as of when, the start-up's share, and why a cost is
 * unknown (every missing rate with its key). */
void report_cost(FILE *out, const struct scenario *scn, const struct cluster *cl,
                 const struct cost_result *c);

void report_table(FILE *out, const struct plan *plan, const struct cluster *cl,
                  const struct results *r);

/* Builds the JSON document (the caller owns the reference; NULL when memory
 * runs out). The schema is documented in README.md. */
json_t *report_json_build(const struct plan *plan, const struct cluster *cl,
                          const struct results *r);

/* Writes report_json_build's document to out. Returns SC_OK or an error. */
enum sc_status report_json(FILE *out, const struct plan *plan, const struct cluster *cl,
                           const struct results *r, struct diag *d);

/* Writes one CSV row per task attempt, with a header row. */
enum sc_status report_timeline_csv(FILE *out, const struct plan *plan,
                                   const struct results *r, struct diag *d);

/* A stage's display name: its name, else "stage <id>". */
const char *report_stage_name(const struct stage_result *st, char *buf, size_t size);

#endif
