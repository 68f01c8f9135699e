/*
 * shuffle.c — the bytes of a shuffle (see shuffle.h): Spark's
 * ShuffleExchangeExec writing rows through UnsafeRowSerializer into an
 * LZ4CompressionCodec stream on the map side, and reading them back on the
 * reduce side. In the flow the calibrator runs it per partition (after
 * partition.c) to measure serialize+compress cost, the compressed bytes
 * that cross the network, and the decompress+deserialize cost.
 *
 * Record: 4-byte little-endian length, then the UnsafeRow (batch_row_bytes
 * gives its size): the null bitset, one 8-byte slot per field (integers
 * sign-extended to 64 bits, doubles as their bits, zeros for nulls, for a
 * string its offset from the row start in the high 32 bits and its length
 * in the low 32), then string bytes zero-padded to a multiple of 8.
 *
 * Block (lz4-java LZ4BlockOutputStream): "LZ4Block", a token = method (0x10
 * raw, 0x20 LZ4) | compression level (log2(block size) - 10 = 5 for 32 KiB),
 * compressed length, original length, XXH32 (seed 0x9747b28c) of the
 * original bytes masked to 28 bits (lz4-java's Checksum view), all LE; the
 * stream ends with an empty raw block. LZ4 itself is liblz4's default
 * (acceleration 1), the same algorithm as lz4-java's fastCompressor.
 */
#include "models/kernels/shuffle.h"

#include <lz4.h>
#include <stdlib.h>
#include <string.h>

#define HEADER_BYTES 21
#define METHOD_RAW 0x10
#define METHOD_LZ4 0x20
#define LEVEL_32K 5
#define XXH_SEED 0x9747b28cu
#define CHECK_MASK 0x0fffffffu

void shuffle_buf_fini(struct shuffle_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static int buf_reserve(struct shuffle_buf *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

uint32_t shuffle_xxh32(const void *src, size_t len, uint32_t seed)
{
    const uint32_t p1 = 2654435761u, p2 = 2246822519u, p3 = 3266489917u, p4 = 668265263u,
                   p5 = 374761393u;
    const uint8_t *p = src, *end = p + len;
    uint32_t h;
    if (len >= 16) {
        uint32_t v1 = seed + p1 + p2, v2 = seed + p2, v3 = seed, v4 = seed - p1;
        const uint8_t *limit = end - 16;
        do {
            v1 = rotl32(v1 + get32(p) * p2, 13) * p1;
            v2 = rotl32(v2 + get32(p + 4) * p2, 13) * p1;
            v3 = rotl32(v3 + get32(p + 8) * p2, 13) * p1;
            v4 = rotl32(v4 + get32(p + 12) * p2, 13) * p1;
            p += 16;
        } while (p <= limit);
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = seed + p5;
    }
    h += (uint32_t)len;
    for (; p + 4 <= end; p += 4)
        h = rotl32(h + get32(p) * p3, 17) * p4;
    for (; p < end; p++)
        h = rotl32(h + *p * p5, 11) * p1;
    h ^= h >> 15;
    h *= p2;
    h ^= h >> 13;
    h *= p3;
    return h ^ (h >> 16);
}

enum sc_status shuffle_serialize(const struct batch *b, const size_t *rows, size_t n,
                                 struct shuffle_buf *raw, struct diag *d)
{
    size_t nc = b->n_cols, bitset = (nc + 63) / 64 * 8, fixed = bitset + 8 * nc;
    /* One pass for the size, so the buffer grows at most once. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        if (r >= b->n_rows)
            return diag_set(d, SC_EINPUT, NULL, 0, "row %zu out of range", r);
        size_t bytes = batch_row_bytes(b, r);
        if (bytes > INT32_MAX)
            return diag_set(d, SC_EINPUT, NULL, 0, "a row of %zu bytes is too large", bytes);
        total += 4 + bytes;
    }
    raw->len = 0;
    if (n == 0)
        return SC_OK;
    if (buf_reserve(raw, total) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory serializing %zu rows", n);
    uint8_t *o = raw->data;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        uint8_t *row = o + 4;
        memset(row, 0, bitset);
        size_t var = fixed; /* next free byte of the variable region */
        for (size_t c = 0; c < nc; c++) {
            const struct column *col = &b->cols[c];
            uint8_t *slot = row + bitset + 8 * c;
            if (column_is_null(col, r)) {
                row[c / 8] |= (uint8_t)(1u << (c % 8));
                put64(slot, 0);
                continue;
            }
            switch (col_type_storage(col->type)) {
            case STORE_INT: put64(slot, (uint64_t)col->i64[r]); break;
            case STORE_DOUBLE: {
                uint64_t bits;
                memcpy(&bits, &col->f64[r], 8);
                put64(slot, bits);
                break;
            }
            case STORE_STRING: {
                size_t len = (size_t)(col->off[r + 1] - col->off[r]);
                size_t padded = (len + 7) / 8 * 8;
                put64(slot, (uint64_t)var << 32 | len);
                if (len)
                    memcpy(row + var, col->bytes + col->off[r], len);
                memset(row + var + len, 0, padded - len);
                var += padded;
                break;
            }
            }
        }
        put32(o, (uint32_t)var);
        o += 4 + var;
    }
    raw->len = (size_t)(o - raw->data);
    return SC_OK;
}

enum sc_status shuffle_compress(const struct shuffle_buf *raw, struct shuffle_buf *z,
                                struct diag *d)
{
    size_t blocks = (raw->len + SHUFFLE_LZ4_BLOCK_BYTES - 1) / SHUFFLE_LZ4_BLOCK_BYTES;
    size_t bound = (size_t)LZ4_compressBound(SHUFFLE_LZ4_BLOCK_BYTES);
    z->len = 0;
    if (buf_reserve(z, blocks * (HEADER_BYTES + bound) + HEADER_BYTES) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory compressing %zu bytes", raw->len);
    uint8_t *o = z->data;
    for (size_t at = 0; at < raw->len; at += SHUFFLE_LZ4_BLOCK_BYTES) {
        size_t len =
            raw->len - at < SHUFFLE_LZ4_BLOCK_BYTES ? raw->len - at : SHUFFLE_LZ4_BLOCK_BYTES;
        const char *src = (const char *)raw->data + at;
        int clen = LZ4_compress_default(src, (char *)o + HEADER_BYTES, (int)len, (int)bound);
        int method = METHOD_LZ4;
        if (clen <= 0 || (size_t)clen >= len) {
            method = METHOD_RAW; /* LZ4 did not help: store the bytes */
            memcpy(o + HEADER_BYTES, src, len);
            clen = (int)len;
        }
        memcpy(o, "LZ4Block", 8);
        o[8] = (uint8_t)(method | LEVEL_32K);
        put32(o + 9, (uint32_t)clen);
        put32(o + 13, (uint32_t)len);
        put32(o + 17, shuffle_xxh32(src, len, XXH_SEED) & CHECK_MASK);
        o += HEADER_BYTES + (size_t)clen;
    }
    /* end mark: an empty raw block */
    memcpy(o, "LZ4Block", 8);
    o[8] = METHOD_RAW | LEVEL_32K;
    memset(o + 9, 0, 12);
    o += HEADER_BYTES;
    z->len = (size_t)(o - z->data);
    return SC_OK;
}

enum sc_status shuffle_decompress(const struct shuffle_buf *z, struct shuffle_buf *raw,
                                  struct diag *d)
{
    /* First pass: check the framing and size the output. */
    size_t total = 0, at = 0;
    int ended = 0;
    while (at < z->len && !ended) {
        if (z->len - at < HEADER_BYTES || memcmp(z->data + at, "LZ4Block", 8) != 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "LZ4 stream: bad block header at %zu", at);
        uint32_t clen = get32(z->data + at + 9), len = get32(z->data + at + 13);
        int method = z->data[at + 8] & 0xf0;
        if ((method != METHOD_RAW && method != METHOD_LZ4) || len > SHUFFLE_LZ4_BLOCK_BYTES ||
            clen > z->len - at - HEADER_BYTES || (method == METHOD_RAW && clen != len))
            return diag_set(d, SC_EINPUT, NULL, 0, "LZ4 stream: bad block at %zu", at);
        ended = len == 0;
        total += len;
        at += HEADER_BYTES + clen;
    }
    if (!ended || at != z->len)
        return diag_set(d, SC_EINPUT, NULL, 0, "LZ4 stream: missing end mark");
    raw->len = 0;
    if (buf_reserve(raw, total ? total : 1) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory decompressing %zu bytes", total);
    uint8_t *o = raw->data;
    for (at = 0; at < z->len;) {
        const uint8_t *h = z->data + at;
        uint32_t clen = get32(h + 9), len = get32(h + 13);
        if (len == 0)
            break;
        if ((h[8] & 0xf0) == METHOD_RAW) {
            memcpy(o, h + HEADER_BYTES, len);
        } else {
            int got =
                LZ4_decompress_safe((const char *)h + HEADER_BYTES, (char *)o, (int)clen, (int)len);
            if (got < 0 || (uint32_t)got != len)
                return diag_set(d, SC_EINPUT, NULL, 0, "LZ4 stream: corrupt block at %zu", at);
        }
        if ((shuffle_xxh32(o, len, XXH_SEED) & CHECK_MASK) != get32(h + 17))
            return diag_set(d, SC_EINPUT, NULL, 0, "LZ4 stream: checksum mismatch at %zu", at);
        o += len;
        at += HEADER_BYTES + clen;
    }
    raw->len = total;
    return SC_OK;
}

enum sc_status shuffle_deserialize(const struct shuffle_buf *raw, struct batch *out, struct diag *d)
{
    size_t nc = out->n_cols, bitset = (nc + 63) / 64 * 8, fixed = bitset + 8 * nc;
    /* Count records first (lengths only), so the batch grows once. */
    size_t n = 0;
    for (size_t at = 0; at < raw->len; n++) {
        if (raw->len - at < 4)
            return diag_set(d, SC_EINPUT, NULL, 0, "shuffle record truncated at %zu", at);
        uint32_t len = get32(raw->data + at);
        if (len < fixed || len > raw->len - at - 4)
            return diag_set(d, SC_EINPUT, NULL, 0, "shuffle record of %u bytes at %zu", len, at);
        at += 4 + (size_t)len;
    }
    if (batch_ensure(out, out->n_rows + n) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory reading %zu shuffled rows", n);
    size_t r = out->n_rows;
    for (size_t at = 0; at < raw->len; r++) {
        uint32_t len = get32(raw->data + at);
        const uint8_t *row = raw->data + at + 4;
        for (size_t c = 0; c < nc; c++) {
            struct column *col = &out->cols[c];
            const uint8_t *slot = row + bitset + 8 * c;
            int is_null = (row[c / 8] >> (c % 8)) & 1;
            uint64_t v = get64(slot);
            switch (col_type_storage(col->type)) {
            case STORE_INT: col->i64[r] = is_null ? 0 : (int64_t)v; break;
            case STORE_DOUBLE: {
                double x = 0.0;
                if (!is_null)
                    memcpy(&x, &v, 8);
                col->f64[r] = x;
                break;
            }
            case STORE_STRING: {
                size_t off = (size_t)(v >> 32), slen = (size_t)(uint32_t)v;
                if (is_null)
                    off = slen = 0;
                else if (off < fixed || off > len || slen > len - off)
                    return diag_set(d, SC_EINPUT, NULL, 0, "shuffle record: bad string field");
                if (column_push_string(col, r, (const char *)row + off, slen) != 0)
                    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory reading strings");
                break;
            }
            }
            if (is_null) {
                if (column_ensure_validity(col, out->cap_rows) != 0)
                    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory reading nulls");
                col->valid[r] = 0;
            } else if (col->valid) {
                col->valid[r] = 1;
            }
        }
        out->n_rows = r + 1;
        at += 4 + (size_t)len;
    }
    return SC_OK;
}

static void fill_stats(struct shuffle_stats *st, int64_t rows, size_t raw, size_t z)
{
    st->rows = rows;
    st->serialized_bytes = (int64_t)raw;
    st->compressed_bytes = (int64_t)z;
    st->blocks = (int64_t)((raw + SHUFFLE_LZ4_BLOCK_BYTES - 1) / SHUFFLE_LZ4_BLOCK_BYTES);
    st->ratio = z ? (double)raw / (double)z : 0.0;
}

enum sc_status shuffle_write(const struct batch *b, const size_t *rows, size_t n,
                             struct shuffle_buf *raw, struct shuffle_buf *z,
                             struct shuffle_stats *st, struct diag *d)
{
    enum sc_status s = shuffle_serialize(b, rows, n, raw, d);
    if (s == SC_OK)
        s = shuffle_compress(raw, z, d);
    if (s == SC_OK && st)
        fill_stats(st, (int64_t)n, raw->len, z->len);
    return s;
}

enum sc_status shuffle_read(const struct shuffle_buf *z, struct shuffle_buf *raw, struct batch *out,
                            struct shuffle_stats *st, struct diag *d)
{
    size_t before = out->n_rows;
    enum sc_status s = shuffle_decompress(z, raw, d);
    if (s == SC_OK)
        s = shuffle_deserialize(raw, out, d);
    if (s == SC_OK && st)
        fill_stats(st, (int64_t)(out->n_rows - before), raw->len, z->len);
    return s;
}
