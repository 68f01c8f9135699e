/*
 * keys.c — value semantics shared by the kernels (see keys.h): the hash that
 * places a key in an open-addressing table, the equality that decides a
 * group, the comparison that orders a sort. These are not Spark's shuffle
 * hash (that is murmur3.c): any good hash serves a table inside a task.
 */
#include "models/kernels/keys.h"

#include <string.h>

uint64_t keys_double_bits(double v)
{
    uint64_t bits;
    if (v == 0.0)
        v = 0.0; /* -0.0 == 0.0 */
    if (v != v)
        return 0x7ff8000000000000ull; /* Double.doubleToLongBits's one NaN */
    memcpy(&bits, &v, sizeof bits);
    return bits;
}

uint64_t keys_hash_bytes(const char *p, size_t len)
{
    /* 8 bytes at a time through a multiply-xorshift; the tail is loaded
     * bytewise. Quality is what matters (power-of-two tables take the top
     * bits), not cross-platform stability. */
    uint64_t h = 0x243f6a8885a308d3ull ^ (len * 0x9e3779b97f4a7c15ull);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    uint64_t t = 0;
    for (size_t s = 0; i < len; i++, s += 8)
        t |= (uint64_t)(unsigned char)p[i] << s;
    h = (h ^ t) * 0x94d049bb133111ebull;
    return h ^ (h >> 29);
}

void keys_hash_column(const struct column *c, size_t first, size_t n, uint64_t *h)
{
    /* A null's value slot holds whatever was there: it must not reach the
     * hash, so nulls take their own branch. */
    const uint64_t null_hash = 0x6a09e667f3bcc909ull;
    const uint8_t *v = c->valid ? c->valid + first : NULL;
    switch (col_type_storage(c->type)) {
    case STORE_INT:
        for (size_t i = 0; i < n; i++)
            h[i] = keys_mix(h[i], (!v || v[i]) ? (uint64_t)c->i64[first + i] : null_hash);
        break;
    case STORE_DOUBLE:
        for (size_t i = 0; i < n; i++)
            h[i] = keys_mix(h[i], (!v || v[i]) ? keys_double_bits(c->f64[first + i]) : null_hash);
        break;
    case STORE_STRING:
        for (size_t i = 0; i < n; i++) {
            size_t r = first + i;
            uint64_t x = null_hash;
            if (!v || v[i])
                x = keys_hash_bytes(c->bytes + c->off[r], (size_t)(c->off[r + 1] - c->off[r]));
            h[i] = keys_mix(h[i], x);
        }
        break;
    }
}

bool keys_equal(const struct column *a, size_t ra, const struct column *b, size_t rb)
{
    bool na = column_is_null(a, ra), nb = column_is_null(b, rb);
    if (na || nb)
        return na && nb;
    switch (col_type_storage(a->type)) {
    case STORE_INT: return a->i64[ra] == b->i64[rb];
    case STORE_DOUBLE: return keys_double_bits(a->f64[ra]) == keys_double_bits(b->f64[rb]);
    case STORE_STRING: {
        size_t la = (size_t)(a->off[ra + 1] - a->off[ra]);
        size_t lb = (size_t)(b->off[rb + 1] - b->off[rb]);
        return la == lb &&
               (la == 0 || memcmp(a->bytes + a->off[ra], b->bytes + b->off[rb], la) == 0);
    }
    }
    return false;
}

int keys_compare_values(const struct column *a, size_t ra, const struct column *b, size_t rb)
{
    switch (col_type_storage(a->type)) {
    case STORE_INT: {
        int64_t x = a->i64[ra], y = b->i64[rb];
        return (x > y) - (x < y);
    }
    case STORE_DOUBLE: {
        /* Spark's SQLOrderingUtil.compareDoubles: NaN == NaN, NaN above
         * everything, -0.0 == 0.0 (plain < and > already treat zeros so). */
        double x = a->f64[ra], y = b->f64[rb];
        bool nx = x != x, ny = y != y;
        if (nx || ny)
            return (int)nx - (int)ny;
        return (x > y) - (x < y);
    }
    case STORE_STRING: {
        size_t la = (size_t)(a->off[ra + 1] - a->off[ra]);
        size_t lb = (size_t)(b->off[rb + 1] - b->off[rb]);
        size_t m = la < lb ? la : lb;
        int c = m ? memcmp(a->bytes + a->off[ra], b->bytes + b->off[rb], m) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return (la > lb) - (la < lb);
    }
    }
    return 0;
}

int keys_compare(const struct column *a, size_t ra, const struct column *b, size_t rb)
{
    bool na = column_is_null(a, ra), nb = column_is_null(b, rb);
    if (na || nb)
        return (int)nb - (int)na; /* null first */
    return keys_compare_values(a, ra, b, rb);
}
