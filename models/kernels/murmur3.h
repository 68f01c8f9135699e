/*
 * murmur3.h — Spark's Murmur3_x86_32 hash, as HashPartitioning uses it to
 * send a row to a shuffle partition: Murmur3Hash(keys) with seed 42, then
 * pmod(hash, numPartitions). Same bits as Spark on every input.
 *
 * Pure functions; nothing is allocated.
 */
#ifndef STAGECAST_KERNELS_MURMUR3_H
#define STAGECAST_KERNELS_MURMUR3_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"

/* The seed of Spark's Murmur3Hash expression (hash(), HashPartitioning). */
#define MURMUR3_SPARK_SEED 42

/* Murmur3_x86_32.hashInt(v, seed): int32, date, boolean (as 0/1). */
int32_t murmur3_hash_int(int32_t v, int32_t seed);

/* Murmur3_x86_32.hashLong(v, seed): int64. */
int32_t murmur3_hash_long(int64_t v, int32_t seed);

/* Murmur3_x86_32.hashUnsafeBytes(p, len, seed): strings (UTF-8 bytes). This is
 * Spark's pre-2.3 variant, still the one Murmur3Hash uses: the 1-3 tail
 * bytes are each mixed as a sign-extended int. */
int32_t murmur3_hash_bytes(const void *p, size_t len, int32_t seed);

/* Spark's hash of a double: -0.0 hashes as 0.0, NaN as its canonical bits,
 * then hashLong(doubleToLongBits(v)). */
int32_t murmur3_hash_double(double v, int32_t seed);

/* The hash of row's value in column c with the given seed, by c's type;
 * a null returns seed unchanged (Spark skips null children). */
int32_t murmur3_hash_value(const struct column *c, size_t row, int32_t seed);

/* Murmur3Hash(cols) for every row of b into out[0..b->n_rows): out starts at
 * seed and column i's hash is the seed of column i+1. Column indices must
 * be valid (callers check). */
void murmur3_hash_rows(const struct batch *b, const int *cols, size_t n_cols, int32_t seed,
                       int32_t *out);

/* Spark's Pmod(hash, n) for n > 0: the partition id in [0, n). */
static inline uint32_t murmur3_pmod(int32_t hash, uint32_t n)
{
    int64_t r = (int64_t)hash % (int64_t)n;
    return (uint32_t)(r < 0 ? r + n : r);
}

#endif
