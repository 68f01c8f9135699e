/*
 * sample.c — Bernoulli row sampling (see sample.h). Spark draws with
 * XORShiftRandom; any fast generator of good quality keeps the same
 * expected count (fraction x rows, binomially spread) and the same cost
 * shape: one draw and one compare a row, then a gather of the kept rows,
 * which is what calibration times.
 */
#include "models/kernels/sample.h"

#include <stdlib.h>
#include <string.h>

enum sc_status sample_init(struct sample_state *s, double fraction, uint64_t seed,
                           uint64_t partition, struct diag *d)
{
    memset(s, 0, sizeof *s);
    if (!(fraction >= 0.0 && fraction <= 1.0))
        return diag_set(d, SC_EINPUT, NULL, 0, "a sample's fraction must be from 0 to 1, not %g",
                        fraction);
    s->fraction = fraction;
    /* Distinct, non-zero states for distinct (seed, partition) pairs: an
     * odd multiplier keeps the map one-to-one. */
    s->rng = (seed + partition) * 0x9E3779B97F4A7C15ULL;
    if (s->rng == 0)
        s->rng = 0x2545F4914F6CDD1DULL;
    return SC_OK;
}

void sample_fini(struct sample_state *s)
{
    free(s->keep);
    memset(s, 0, sizeof *s);
}

/* xorshift64* (Vigna 2016): 64 bits of state, the top 53 bits of the
 * product as a uniform double in [0, 1). */
static double next_uniform(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return (double)((*x * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

enum sc_status sample_rows(struct sample_state *s, const struct batch *in, struct batch *out,
                           struct kernel_stats *st, struct diag *d)
{
    if (in->n_rows > s->cap) {
        size_t *k = realloc(s->keep, in->n_rows * sizeof *k);
        if (!k)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory sampling rows");
        s->keep = k;
        s->cap = in->n_rows;
    }
    size_t n = 0;
    for (size_t i = 0; i < in->n_rows; i++)
        if (next_uniform(&s->rng) < s->fraction)
            s->keep[n++] = i;
    if (n && batch_gather(out, in, s->keep, n) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0,
                        "cannot append sampled rows (out of memory or wrong output layout)");
    if (st) {
        st->rows_in = (int64_t)in->n_rows;
        st->rows_out = (int64_t)n;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}
