/*
 * shuffle.h — what a shuffle does to rows between two stages: serialize
 * them (Spark's UnsafeRowSerializer: per record a 4-byte length, then the
 * UnsafeRow — a null bitset of 8-byte words, one 8-byte slot per field
 * holding the value or a string's (offset << 32 | length), string bytes
 * padded to 8), compress the stream in 32 KiB blocks with LZ4 (Spark's
 * LZ4CompressionCodec, spark.io.compression.lz4.blockSize = 32k; each block
 * framed as lz4-java's LZ4BlockOutputStream frames it: "LZ4Block", a token,
 * compressed and original lengths, an XXH32 checksum), and the reverse on
 * the reduce side. Bytes measured here are the shuffle's real sizes.
 *
 * Ownership: struct shuffle_buf is a growable byte buffer the caller embeds
 * (zero-initialized) and frees with shuffle_buf_fini; functions that write
 * one clear it first and keep its memory.
 */
#ifndef STAGECAST_KERNELS_SHUFFLE_H
#define STAGECAST_KERNELS_SHUFFLE_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"

/* spark.io.compression.lz4.blockSize's default. */
#define SHUFFLE_LZ4_BLOCK_BYTES 32768

struct shuffle_buf {
    uint8_t *data;
    size_t len, cap;
};

void shuffle_buf_fini(struct shuffle_buf *b);

struct shuffle_stats {
    int64_t rows;
    int64_t serialized_bytes; /* record lengths + UnsafeRows */
    int64_t compressed_bytes; /* LZ4 blocks with their headers */
    int64_t blocks;
    double ratio; /* serialized / compressed; 0 when empty */
};

/* Serializes rows rows[0..n) of b (rows NULL: the first n rows) into raw.
 * SC_EINPUT (row out of range, a string over 2 GiB), SC_ENOMEM. */
enum sc_status shuffle_serialize(const struct batch *b, const size_t *rows, size_t n,
                                 struct shuffle_buf *raw, struct diag *d);

/* Compresses raw into z as LZ4 blocks of SHUFFLE_LZ4_BLOCK_BYTES (a block
 * LZ4 cannot shrink is stored raw, as lz4-java does). SC_ENOMEM. */
enum sc_status shuffle_compress(const struct shuffle_buf *raw, struct shuffle_buf *z,
                                struct diag *d);

/* Decompresses z into raw, checking every block's framing and checksum.
 * SC_EINPUT on corrupt input, SC_ENOMEM. */
enum sc_status shuffle_decompress(const struct shuffle_buf *z, struct shuffle_buf *raw,
                                  struct diag *d);

/* Appends the records of raw to out, whose column types are the writer's
 * batch's. SC_EINPUT on malformed records, SC_ENOMEM. */
enum sc_status shuffle_deserialize(const struct shuffle_buf *raw, struct batch *out,
                                   struct diag *d);

/* The map side in one call: serialize into raw (scratch) then compress into
 * z; fills st (may be NULL). */
enum sc_status shuffle_write(const struct batch *b, const size_t *rows, size_t n,
                             struct shuffle_buf *raw, struct shuffle_buf *z,
                             struct shuffle_stats *st, struct diag *d);

/* The reduce side in one call: decompress z into raw (scratch) and append
 * its rows to out; fills st (may be NULL). */
enum sc_status shuffle_read(const struct shuffle_buf *z, struct shuffle_buf *raw, struct batch *out,
                            struct shuffle_stats *st, struct diag *d);

/* XXH32 of p[0..len) with seed (the block checksum; exposed for tests). */
uint32_t shuffle_xxh32(const void *p, size_t len, uint32_t seed);

#endif
