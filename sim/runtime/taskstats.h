/*
 * taskstats.h — streaming statistics of one stage's task run times, kept as
 * tasks end: count, sum, min, max and quantiles. Quantiles are exact (by
 * selection over the run times kept as integer microseconds) while the stage
 * has at most TASKSTATS_EXACT_MAX successful attempts; beyond that the
 * values move into a mergeable log-bucket sketch whose quantiles are within
 * a relative error of TASKSTATS_SKETCH_ALPHA of the exact ones.
 *
 * Ownership: a struct taskstats is embedded by its user (taskstats_init /
 * taskstats_fini) and owns its buffers.
 */
#ifndef STAGECAST_TASKSTATS_H
#define STAGECAST_TASKSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Above this many values a stage's quantiles come from the sketch (8 MB of
 * exact values at most per stage, 4 MB when every run time is under 71
 * minutes). */
#define TASKSTATS_EXACT_MAX 1000000

/* The sketch's bound: an estimated quantile q' of a true quantile q (both
 * taken by linear interpolation between order statistics, as
 * results_quantile_sorted does) satisfies |q' - q| <= alpha * q. Buckets
 * are powers of gamma = (1 + alpha) / (1 - alpha); ~22,000 cover 1 us to
 * 2^63 us, 175 KB per sketched stage. */
#define TASKSTATS_SKETCH_ALPHA 0.001

struct taskstats {
    int64_t n;              /* values added */
    int64_t min_us, max_us; /* valid when n > 0 */
    int64_t sum_us;         /* exact: the mean does not depend on the order of adds */
    /* Exact values while n <= TASKSTATS_EXACT_MAX: 32-bit until one does
     * not fit, then 64-bit. */
    uint32_t *v32;
    int64_t *v64;
    size_t cap;
    /* The sketch (NULL until the exact values overflow): counts per bucket,
     * bucket 0 holding zeros and bucket i >= 1 the values in
     * (gamma^(i-2), gamma^(i-1)]. */
    uint64_t *bins;
};

void taskstats_init(struct taskstats *s);
void taskstats_fini(struct taskstats *s);

/* Room for n exact values before the first add (a stage's task count);
 * a hint: returns 0, or -1 when out of memory. */
int taskstats_reserve(struct taskstats *s, size_t n);

/* Adds one run time of dur_us >= 0 microseconds. Returns 0, or -1 when out
 * of memory (s is unchanged). */
int taskstats_add(struct taskstats *s, int64_t dur_us);

/* Adds every value of src to dst (a sketch if either is one, or if the
 * union holds more than TASKSTATS_EXACT_MAX). Returns 0 or -1 (no memory). */
int taskstats_merge(struct taskstats *dst, const struct taskstats *src);

/* Whether quantiles are exact (no sketch in use). */
bool taskstats_exact(const struct taskstats *s);

/* The mean in seconds: the exact sum over n, rounded once to microseconds
 * scale (NAN when n == 0). */
double taskstats_mean_s(const struct taskstats *s);

/* The q-quantile (0..1) in seconds, by linear interpolation between order
 * statistics (results_quantile_sorted's definition); NAN when n == 0.
 * Reorders the exact values (selection), which is why s is not const. */
double taskstats_quantile_s(struct taskstats *s, double q);

#endif
