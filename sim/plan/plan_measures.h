/*
 * plan_measures.h — estimates measured on sample rows, for a second plan.
 * Calibration runs each filter and aggregate on sample rows generated from
 * the table schemas; where the planner's statistics fell back to a default
 * (a predicate through a function, a derived column of unknown distinct
 * values), what the sample did is a better figure. The pipeline collects
 * those measurements here, keyed by plan_stats_key (the predicate's text and
 * the table columns it reads), and plans again with plan_measures_stats:
 * a struct plan_stats that asks its base statistics first and answers from
 * a measurement only where the base answer is a default, so an estimate
 * from the distributions is never replaced.
 *
 * Flow: plan -> calibrate -> (here) -> plan again -> calibrate -> simulate.
 *
 * Ownership: a struct plan_measures owns its keys (plan_measures_fini);
 * the base statistics are borrowed and must outlive it, as must the
 * plan_measures for as long as its stats are used.
 */
#ifndef STAGECAST_PLAN_MEASURES_H
#define STAGECAST_PLAN_MEASURES_H

#include <stddef.h>

#include "sim/plan/plan.h"
#include "sim/plan/plan_stats.h"

/* Fewest distinct sample rows a measurement must have seen to be used: at
 * 1,000 rows a selectivity p has a standard error of at most 0.016
 * (sqrt(p (1 - p) / n) at p = 1/2). */
#define PLAN_MEASURE_MIN_ROWS 1000.0

struct plan_measure {
    char *key;     /* plan_stats_key of the estimate */
    bool groups;   /* a group count (else a filter's selectivity) */
    double rows;   /* distinct sample rows seen (pooled over operators of one key) */
    double kept;   /* filter: rows kept of rows */
    double domain; /* groups: the distinct key combinations G the sample implies */
};

struct plan_measures {
    const struct plan_stats *base;
    struct plan_stats stats; /* answers from the measures; ctx is this object */
    struct plan_measure *v;
    size_t n, cap;
};

/* An empty set over base (NULL: plan_stats_default()). */
void plan_measures_init(struct plan_measures *m, const struct plan_stats *base);
void plan_measures_fini(struct plan_measures *m);

/* Adds a filter's measurement: of `rows` distinct sample rows, `kept`
 * passed. Several measurements of one key are pooled. Fewer than
 * PLAN_MEASURE_MIN_ROWS rows are not used. 0, or -1 on memory. */
int plan_measures_add_filter(struct plan_measures *m, const char *key, double rows, double kept);

/* Adds an aggregate's measurement: `rows` distinct sample rows made
 * `groups` groups, and `groups_before` at the next smaller sample of
 * `rows_before` rows. Used only when the keys' values were all there
 * already (groups grew by under 5% from the smaller sample) and the rows
 * are at least PLAN_MEASURE_MIN_ROWS: then the keys have about G
 * combinations, G solving groups = G (1 - exp(-rows / G)). 0, or -1. */
int plan_measures_add_groups(struct plan_measures *m, const char *key, double rows, double groups,
                             double rows_before, double groups_before);

/* Number of measurements that will be used. */
size_t plan_measures_count(const struct plan_measures *m);

/* The measurement of key, or NULL. */
const struct plan_measure *plan_measures_find(const struct plan_measures *m, const char *key);

/* The statistics that answer from m (valid while m is). */
const struct plan_stats *plan_measures_stats(struct plan_measures *m);

/* The selectivity a filter measurement gives, and its binomial standard
 * error sqrt(p (1 - p) / rows). */
double plan_measure_selectivity(const struct plan_measure *pm, double *stderr_out);

/* Sets est_sample_rows of every operator of p whose estimate is
 * PLAN_EST_MEASURED from its measurement in m. */
void plan_measures_annotate(const struct plan_measures *m, struct plan *p);

#endif
