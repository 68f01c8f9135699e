/*
 * keys.h — how the kernels hash, compare and order key values, with Spark's
 * semantics: a null equals a null when grouping (never when joining, which
 * the join kernels check themselves), -0.0 equals 0.0, every NaN equals every
 * NaN and sorts above +Infinity, strings compare as unsigned bytes (UTF-8
 * order, as UTF8String.compareTo).
 *
 * Pure functions over struct column; nothing is allocated.
 */
#ifndef STAGECAST_KERNELS_KEYS_H
#define STAGECAST_KERNELS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"

/* The bits of v with -0.0 made 0.0 and every NaN made one NaN, so equal
 * values (in Spark's sense) have equal bits. */
uint64_t keys_double_bits(double v);

/* One 64-bit mixing step; h and x any values. */
static inline uint64_t keys_mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 32);
}

/* Folds the values of rows first..first+n-1 of column c into h[0..n)
 * (h[i] = mix(h[i], hash(value))); a null folds a fixed constant. */
void keys_hash_column(const struct column *c, size_t first, size_t n, uint64_t *h);

/* Hash of arbitrary bytes (string keys). */
uint64_t keys_hash_bytes(const char *p, size_t len);

/* Null-safe equality of a[ra] and b[rb] (columns of the same storage). */
bool keys_equal(const struct column *a, size_t ra, const struct column *b, size_t rb);

/* Ascending comparison of non-null a[ra] and b[rb]: <0, 0, >0. Callers
 * handle nulls (placement depends on the sort key). */
int keys_compare_values(const struct column *a, size_t ra, const struct column *b, size_t rb);

/* Ascending comparison with nulls first (Spark's default for ASC and the
 * order a sort-merge join reads its inputs in). */
int keys_compare(const struct column *a, size_t ra, const struct column *b, size_t rb);

#endif
