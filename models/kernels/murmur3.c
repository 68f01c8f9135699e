/*
 * murmur3.c — Spark's Murmur3_x86_32 (org.apache.spark.unsafe.hash) and the
 * Murmur3Hash expression built on it (catalyst hash.scala), which
 * HashPartitioning uses as pmod(Murmur3Hash(keys, 42), numPartitions) to
 * route each row of a ShuffleExchangeExec. The partition kernel calls this;
 * reproducing it bit for bit makes a hot key land in the partition it lands
 * in on a real cluster, so skew comes out as Spark's.
 *
 * Java ints wrap; here every step is done on uint32_t, where wrapping is
 * defined, and converted to int32_t at the end (two's complement).
 */
#include "models/kernels/murmur3.h"

#include <string.h>

static inline uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static inline uint32_t mix_k1(uint32_t k1)
{
    k1 *= 0xcc9e2d51u;
    k1 = rotl32(k1, 15);
    return k1 * 0x1b873593u;
}

static inline uint32_t mix_h1(uint32_t h1, uint32_t k1)
{
    h1 ^= k1;
    h1 = rotl32(h1, 13);
    return h1 * 5u + 0xe6546b64u;
}

static inline uint32_t fmix(uint32_t h1, uint32_t len)
{
    h1 ^= len;
    h1 ^= h1 >> 16;
    h1 *= 0x85ebca6bu;
    h1 ^= h1 >> 13;
    h1 *= 0xc2b2ae35u;
    return h1 ^ (h1 >> 16);
}

static inline int32_t to_i32(uint32_t u)
{
    int32_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static inline uint32_t hash_int_u(uint32_t v, uint32_t seed)
{
    return fmix(mix_h1(seed, mix_k1(v)), 4);
}

static inline uint32_t hash_long_u(uint64_t v, uint32_t seed)
{
    /* low word first, then high word (hashLong) */
    uint32_t h1 = mix_h1(seed, mix_k1((uint32_t)v));
    h1 = mix_h1(h1, mix_k1((uint32_t)(v >> 32)));
    return fmix(h1, 8);
}

static inline uint64_t double_bits_spark(double v)
{
    uint64_t bits;
    if (v == 0.0)
        return 0; /* -0.0 hashes as 0L */
    if (v != v)
        return 0x7ff8000000000000ull; /* doubleToLongBits canonical NaN */
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

static uint32_t hash_bytes_u(const unsigned char *p, size_t len, uint32_t seed)
{
    size_t aligned = len - len % 4;
    uint32_t h1 = seed;
    /* Platform.getInt on x86 reads little-endian: assemble explicitly so the
     * result does not depend on the host's byte order. */
    for (size_t i = 0; i < aligned; i += 4) {
        uint32_t w = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 |
                     (uint32_t)p[i + 3] << 24;
        h1 = mix_h1(h1, mix_k1(w));
    }
    /* Each tail byte alone, sign-extended (Platform.getByte is signed). */
    for (size_t i = aligned; i < len; i++) {
        int32_t b = (int8_t)p[i];
        h1 = mix_h1(h1, mix_k1((uint32_t)b));
    }
    return fmix(h1, (uint32_t)len);
}

int32_t murmur3_hash_int(int32_t v, int32_t seed)
{
    return to_i32(hash_int_u((uint32_t)v, (uint32_t)seed));
}

int32_t murmur3_hash_long(int64_t v, int32_t seed)
{
    return to_i32(hash_long_u((uint64_t)v, (uint32_t)seed));
}

int32_t murmur3_hash_bytes(const void *p, size_t len, int32_t seed)
{
    return to_i32(hash_bytes_u(p, len, (uint32_t)seed));
}

int32_t murmur3_hash_double(double v, int32_t seed)
{
    return to_i32(hash_long_u(double_bits_spark(v), (uint32_t)seed));
}

int32_t murmur3_hash_value(const struct column *c, size_t row, int32_t seed)
{
    if (column_is_null(c, row))
        return seed;
    switch (c->type) {
    case COL_INT32:
    case COL_DATE: return murmur3_hash_int((int32_t)c->i64[row], seed);
    case COL_BOOLEAN: return murmur3_hash_int(c->i64[row] != 0, seed);
    case COL_INT64:
    case COL_TIMESTAMP: return murmur3_hash_long(c->i64[row], seed);
    case COL_DOUBLE: return murmur3_hash_double(c->f64[row], seed);
    case COL_STRING:
        return murmur3_hash_bytes(c->bytes + c->off[row], (size_t)(c->off[row + 1] - c->off[row]),
                                  seed);
    }
    return seed;
}

void murmur3_hash_rows(const struct batch *b, const int *cols, size_t n_cols, int32_t seed,
                       int32_t *out)
{
    size_t n = b->n_rows;
    /* Column at a time: the running hash of each row lives in out[], so the
     * type dispatch happens once per column, not once per value. */
    uint32_t *h = (uint32_t *)out;
    for (size_t i = 0; i < n; i++)
        h[i] = (uint32_t)seed;
    for (size_t k = 0; k < n_cols; k++) {
        const struct column *c = &b->cols[cols[k]];
        const uint8_t *v = c->valid;
        switch (c->type) {
        case COL_INT32:
        case COL_DATE:
            for (size_t i = 0; i < n; i++)
                if (!v || v[i])
                    h[i] = hash_int_u((uint32_t)(int32_t)c->i64[i], h[i]);
            break;
        case COL_BOOLEAN:
            for (size_t i = 0; i < n; i++)
                if (!v || v[i])
                    h[i] = hash_int_u(c->i64[i] != 0, h[i]);
            break;
        case COL_INT64:
        case COL_TIMESTAMP:
            for (size_t i = 0; i < n; i++)
                if (!v || v[i])
                    h[i] = hash_long_u((uint64_t)c->i64[i], h[i]);
            break;
        case COL_DOUBLE:
            for (size_t i = 0; i < n; i++)
                if (!v || v[i])
                    h[i] = hash_long_u(double_bits_spark(c->f64[i]), h[i]);
            break;
        case COL_STRING:
            for (size_t i = 0; i < n; i++)
                if (!v || v[i])
                    h[i] = hash_bytes_u((const unsigned char *)c->bytes + c->off[i],
                                        (size_t)(c->off[i + 1] - c->off[i]), h[i]);
            break;
        }
    }
}
