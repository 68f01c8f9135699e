/*
 * sample.h — Dataset.sample(withReplacement = false, fraction, seed):
 * Spark's SampleExec with a BernoulliCellSampler keeps each row
 * independently with probability `fraction`, drawing one uniform number a
 * row from a generator seeded per partition (seed + partition index), so
 * the same seed keeps the same rows on a rerun.
 *
 * Ownership: the caller owns the state (a value) and the output batch.
 */
#ifndef STAGECAST_KERNELS_SAMPLE_H
#define STAGECAST_KERNELS_SAMPLE_H

#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"

struct sample_state {
    double fraction; /* in [0, 1] */
    uint64_t rng;    /* xorshift64* state, never 0 */
    size_t *keep;    /* scratch: kept row indices of one batch */
    size_t cap;
};

/* Sets s up for partition `partition` of a sample with fraction and seed.
 * SC_EINPUT when fraction is not in [0, 1]. */
enum sc_status sample_init(struct sample_state *s, double fraction, uint64_t seed,
                           uint64_t partition, struct diag *d);
void sample_fini(struct sample_state *s);

/* Appends to out (in's layout; not cleared) the rows of in the sampler
 * keeps, in order, and fills st. SC_ENOMEM, SC_EINPUT (layout). */
enum sc_status sample_rows(struct sample_state *s, const struct batch *in, struct batch *out,
                           struct kernel_stats *st, struct diag *d);

#endif
