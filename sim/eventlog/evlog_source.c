/*
 * evlog_source.c — the bytes of an event-log file and its lines (see
 * evlog_source.h), the bottom layers of eventlog.c's reader. Spark's lz4
 * codec is lz4-java's LZ4BlockOutputStream format: blocks of "LZ4Block"
 * magic, a token (method | level), compressed and original lengths and an
 * xxHash32 checksum (seed 0x9747b28c, low 28 bits kept, as lz4-java's
 * StreamingXXHash32.asChecksum() returns it), each block decoded with
 * liblz4. A stream may hold several such streams back to back (Spark reads
 * them with concatenation allowed).
 *
 * gzip is what Databricks writes when it rolls an application's event log
 * (eventlog-<date>.gz beside the live `eventlog`); it is read with zlib's
 * inflate on the file already open, members back to back as gzip(1) reads
 * them. Unlike a zstd or lz4 log cut off while the application still ran, a
 * gzip file is only written once it is complete: one that stops before its
 * end is a broken copy, and an error.
 */
#include "sim/eventlog/evlog_source.h"

#include <errno.h>
#include <limits.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>

/* Compressed bytes read at a time for inflate. */
#define GZIP_CHUNK ((size_t)1 << 16)

/* ------------------------------------------------------------ xxHash32 */

/* xxHash32 (Yann Collet's specification), needed to check lz4-java's block
 * checksums; liblz4 carries one but does not export it. */
static const uint32_t XXH_P1 = 2654435761U, XXH_P2 = 2246822519U, XXH_P3 = 3266489917U,
                      XXH_P4 = 668265263U, XXH_P5 = 374761393U;

static uint32_t rotl32(uint32_t x, int r)
{
    return (x << r) | (x >> (32 - r));
}

static uint32_t read_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t xxh32_round(uint32_t acc, uint32_t input)
{
    acc += input * XXH_P2;
    acc = rotl32(acc, 13);
    return acc * XXH_P1;
}

static uint32_t xxh32(const unsigned char *p, size_t len, uint32_t seed)
{
    const unsigned char *end = p + len;
    uint32_t h;
    if (len >= 16) {
        uint32_t v1 = seed + XXH_P1 + XXH_P2, v2 = seed + XXH_P2, v3 = seed, v4 = seed - XXH_P1;
        const unsigned char *limit = end - 16;
        do {
            v1 = xxh32_round(v1, read_le32(p));
            v2 = xxh32_round(v2, read_le32(p + 4));
            v3 = xxh32_round(v3, read_le32(p + 8));
            v4 = xxh32_round(v4, read_le32(p + 12));
            p += 16;
        } while (p <= limit);
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = seed + XXH_P5;
    }
    h += (uint32_t)len;
    while (p + 4 <= end) {
        h += read_le32(p) * XXH_P3;
        h = rotl32(h, 17) * XXH_P4;
        p += 4;
    }
    while (p < end) {
        h += (*p) * XXH_P5;
        h = rotl32(h, 11) * XXH_P1;
        p++;
    }
    h ^= h >> 15;
    h *= XXH_P2;
    h ^= h >> 13;
    h *= XXH_P3;
    h ^= h >> 16;
    return h;
}

/* --------------------------------------------------------- byte sources */

/* Reads up to n raw bytes of the file, the sniffed head first. */
static size_t raw_read(struct evlog_source *s, unsigned char *buf, size_t n)
{
    size_t got = 0;
    while (got < n && s->head_pos < s->head_len)
        buf[got++] = s->head[s->head_pos++];
    if (got < n)
        got += fread(buf + got, 1, n - got, s->f);
    s->offset += (int64_t)got;
    return got;
}

enum sc_status evlog_source_open(struct evlog_source *s, const char *path, struct diag *d)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->f = fopen(path, "rb");
    if (!s->f) {
        int e = errno;
        return diag_set(d, e == ENOENT ? SC_ENOENT : SC_EIO, path, 0, "cannot open event log: %s",
                        strerror(e));
    }
    s->head_len = fread(s->head, 1, sizeof s->head, s->f);
    if (ferror(s->f))
        return diag_set(d, SC_EIO, path, 0, "cannot read event log: %s", strerror(errno));
    static const unsigned char zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
    static const unsigned char snappy_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    static const unsigned char snappy_framed[4] = {0xff, 0x06, 0x00, 0x00};
    if (s->head_len >= 4 && memcmp(s->head, zstd_magic, 4) == 0) {
        s->codec = EVLOG_ZSTD;
        s->zd = ZSTD_createDStream();
        s->zin_cap = ZSTD_DStreamInSize();
        s->zin = malloc(s->zin_cap);
        if (!s->zd || !s->zin)
            return diag_set(d, SC_ENOMEM, path, 0, "out of memory for the zstd decoder");
        ZSTD_initDStream(s->zd);
    } else if (s->head_len >= 2 && s->head[0] == 0x1f && s->head[1] == 0x8b) {
        s->codec = EVLOG_GZIP;
        s->gzin = malloc(GZIP_CHUNK);
        if (!s->gzin)
            return diag_set(d, SC_ENOMEM, path, 0, "out of memory for the gzip decoder");
        /* 16 + MAX_WBITS: a gzip header and trailer, not zlib's. */
        if (inflateInit2(&s->gz, 16 + MAX_WBITS) != Z_OK)
            return diag_set(d, SC_ENOMEM, path, 0, "cannot start the gzip decoder: %s",
                            s->gz.msg ? s->gz.msg : "out of memory");
        s->gz_ready = true;
    } else if (s->head_len == LZ4B_MAGIC_LEN && memcmp(s->head, LZ4B_MAGIC, LZ4B_MAGIC_LEN) == 0) {
        s->codec = EVLOG_LZ4;
    } else if ((s->head_len >= 8 && memcmp(s->head, snappy_magic, 8) == 0) ||
               (s->head_len >= 4 && memcmp(s->head, snappy_framed, 4) == 0)) {
        return diag_set(d, SC_EINPUT, path, 0,
                        "the log is compressed with Spark's snappy codec, which stagecast "
                        "does not read; decompress it first, or log with "
                        "spark.eventLog.compression.codec=zstd");
    } else if (s->head_len >= 2 && s->head[0] == 'Z' && s->head[1] == 'V') {
        return diag_set(d, SC_EINPUT, path, 0,
                        "the log is compressed with Spark's lzf codec, which stagecast does "
                        "not read; decompress it first, or log with "
                        "spark.eventLog.compression.codec=zstd");
    } else {
        s->codec = EVLOG_PLAIN;
    }
    return SC_OK;
}

void evlog_source_close(struct evlog_source *s)
{
    if (s->f)
        fclose(s->f);
    ZSTD_freeDStream(s->zd);
    free(s->zin);
    if (s->gz_ready)
        inflateEnd(&s->gz);
    free(s->gzin);
    free(s->blk_in);
    free(s->blk_out);
    memset(s, 0, sizeof *s);
}

static long zstd_read(struct evlog_source *s, unsigned char *buf, size_t n, struct diag *d)
{
    for (;;) {
        if (s->zbuf.pos == s->zbuf.size && !s->zin_eof) {
            size_t got = raw_read(s, s->zin, s->zin_cap);
            if (ferror(s->f))
                return diag_set(d, SC_EIO, s->path, 0, "cannot read event log: %s",
                                strerror(errno)),
                       -1;
            if (got == 0)
                s->zin_eof = true;
            s->zbuf.src = s->zin;
            s->zbuf.size = got;
            s->zbuf.pos = 0;
        }
        ZSTD_outBuffer out = {buf, n, 0};
        size_t before = s->zbuf.pos;
        size_t ret = ZSTD_decompressStream(s->zd, &out, &s->zbuf);
        if (ZSTD_isError(ret))
            return diag_set(d, SC_EINPUT, s->path, 0,
                            "corrupt zstd data near compressed byte %lld: %s", (long long)s->offset,
                            ZSTD_getErrorName(ret)),
                   -1;
        /* 0 means a frame just ended; a call with nothing to do returns the
         * next frame's header size instead, which says nothing. */
        if (out.pos > 0 || s->zbuf.pos != before)
            s->zhint = ret;
        if (out.pos > 0)
            return (long)out.pos;
        if (s->zin_eof && s->zbuf.pos == s->zbuf.size && s->zbuf.pos == before) {
            /* Nothing more will come: a frame left open means the writer
             * stopped mid-frame (an application still running or killed). */
            if (s->zhint != 0)
                s->truncated = true;
            return 0;
        }
    }
}

/* Reads up to n inflated bytes. Returns the count, 0 at the clean end of
 * the last member, -1 on error: corrupt data, or a file that ends inside a
 * member (truncated). */
static long gzip_read(struct evlog_source *s, unsigned char *buf, size_t n, struct diag *d)
{
    if (n > UINT_MAX)
        n = UINT_MAX;
    s->gz.next_out = buf;
    s->gz.avail_out = (uInt)n;
    for (;;) {
        if (s->gz.avail_in == 0 && !s->gz_eof) {
            size_t got = raw_read(s, s->gzin, GZIP_CHUNK);
            if (ferror(s->f))
                return diag_set(d, SC_EIO, s->path, 0, "cannot read event log: %s",
                                strerror(errno)),
                       -1;
            s->gz_eof = got == 0;
            s->gz.next_in = s->gzin;
            s->gz.avail_in = (uInt)got;
        }
        if (s->gz.avail_in == 0 && s->gz_eof) {
            if (s->gz_ended)
                return 0;
            return diag_set(d, SC_EINPUT, s->path, 0,
                            "truncated gzip file: it ends after %lld compressed bytes, inside "
                            "its compressed data (an incomplete copy?)",
                            (long long)s->offset),
                   -1;
        }
        s->gz_ended = false;
        int ret = inflate(&s->gz, Z_NO_FLUSH);
        if (ret == Z_STREAM_END) {
            /* Another member may follow (gzip -c a b > c, or appended
             * parts): start again on the bytes after this one. */
            s->gz_ended = true;
            if (inflateReset(&s->gz) != Z_OK)
                return diag_set(d, SC_EINPUT, s->path, 0, "cannot restart the gzip decoder"), -1;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            return diag_set(d, SC_EINPUT, s->path, 0,
                            "corrupt gzip data near compressed byte %lld: %s",
                            (long long)(s->offset - (int64_t)s->gz.avail_in),
                            s->gz.msg ? s->gz.msg : zError(ret)),
                   -1;
        }
        size_t out = n - s->gz.avail_out;
        if (out > 0)
            return (long)out;
    }
}

/* Reads one lz4-java block into blk_out. Returns 1 with a block, 0 at the
 * end of the data, -1 on error. */
static int lz4_next_block(struct evlog_source *s, struct diag *d)
{
    for (;;) {
        unsigned char h[LZ4B_HEADER_LEN];
        int64_t at = s->offset;
        size_t got = raw_read(s, h, sizeof h);
        if (ferror(s->f))
            return diag_set(d, SC_EIO, s->path, 0, "cannot read event log: %s", strerror(errno)),
                   -1;
        if (got == 0) {
            /* A stream without its end mark was still being written. */
            if (!s->lz4_ended)
                s->truncated = true;
            return 0;
        }
        if (got < sizeof h) {
            s->truncated = true;
            return 0;
        }
        if (memcmp(h, LZ4B_MAGIC, LZ4B_MAGIC_LEN) != 0)
            return diag_set(d, SC_EINPUT, s->path, 0,
                            "corrupt lz4 data: no LZ4Block header at compressed byte %lld",
                            (long long)at),
                   -1;
        s->lz4_any = true;
        int method = h[8] & 0xf0;
        int level = h[8] & 0x0f;
        uint32_t clen = read_le32(h + 9), olen = read_le32(h + 13), check = read_le32(h + 17);
        size_t max_block = (size_t)1 << (level + LZ4B_LEVEL_BASE);
        if ((method != LZ4B_METHOD_RAW && method != LZ4B_METHOD_LZ4) || olen > max_block ||
            olen > LZ4B_MAX_BLOCK || (method == LZ4B_METHOD_RAW && clen != olen) ||
            (method == LZ4B_METHOD_LZ4 && clen > (uint32_t)LZ4_compressBound((int)olen)))
            return diag_set(d, SC_EINPUT, s->path, 0,
                            "corrupt lz4 data: impossible block header at compressed byte %lld "
                            "(method 0x%02x, %u -> %u bytes)",
                            (long long)at, (unsigned)method, (unsigned)clen, (unsigned)olen),
                   -1;
        if (olen == 0) {
            /* The end mark LZ4BlockOutputStream.finish() writes; another
             * stream may follow. */
            s->lz4_ended = true;
            continue;
        }
        s->lz4_ended = false;
        if (clen > s->blk_in_cap || olen > s->blk_out_cap) {
            /* Buffers as large as the blocks (Spark's default is 32 KiB). */
            unsigned char *in = clen > s->blk_in_cap ? realloc(s->blk_in, clen) : s->blk_in;
            if (in)
                s->blk_in = in, s->blk_in_cap = clen > s->blk_in_cap ? clen : s->blk_in_cap;
            unsigned char *out = olen > s->blk_out_cap ? realloc(s->blk_out, olen) : s->blk_out;
            if (out)
                s->blk_out = out, s->blk_out_cap = olen > s->blk_out_cap ? olen : s->blk_out_cap;
            if (!in || !out)
                return diag_set(d, SC_ENOMEM, s->path, 0, "out of memory for an lz4 block"), -1;
        }
        got = raw_read(s, s->blk_in, clen);
        if (got < clen) {
            s->truncated = true;
            return 0;
        }
        if (method == LZ4B_METHOD_RAW) {
            memcpy(s->blk_out, s->blk_in, olen);
        } else {
            int n = LZ4_decompress_safe((const char *)s->blk_in, (char *)s->blk_out, (int)clen,
                                        (int)olen);
            if (n < 0 || (uint32_t)n != olen)
                return diag_set(d, SC_EINPUT, s->path, 0,
                                "corrupt lz4 data: the block at compressed byte %lld does not "
                                "decode to its %u bytes",
                                (long long)at, (unsigned)olen),
                       -1;
        }
        if ((xxh32(s->blk_out, olen, LZ4B_SEED) & 0x0fffffffU) != check)
            return diag_set(d, SC_EINPUT, s->path, 0,
                            "corrupt lz4 data: checksum mismatch in the block at compressed "
                            "byte %lld",
                            (long long)at),
                   -1;
        s->blk_out_len = olen;
        s->blk_out_pos = 0;
        return 1;
    }
}

/* Reads up to n decoded bytes. Returns the count, 0 at the end, -1 on error. */
static long source_read(struct evlog_source *s, unsigned char *buf, size_t n, struct diag *d)
{
    switch (s->codec) {
    case EVLOG_PLAIN: {
        size_t got = raw_read(s, buf, n);
        if (got == 0 && ferror(s->f))
            return diag_set(d, SC_EIO, s->path, 0, "cannot read event log: %s", strerror(errno)),
                   -1;
        return (long)got;
    }
    case EVLOG_ZSTD: return zstd_read(s, buf, n, d);
    case EVLOG_GZIP: return gzip_read(s, buf, n, d);
    case EVLOG_LZ4:
        if (s->blk_out_pos == s->blk_out_len) {
            int rc = lz4_next_block(s, d);
            if (rc <= 0)
                return rc;
        }
        size_t k = s->blk_out_len - s->blk_out_pos;
        if (k > n)
            k = n;
        memcpy(buf, s->blk_out + s->blk_out_pos, k);
        s->blk_out_pos += k;
        return (long)k;
    }
    return -1;
}

/* --------------------------------------------------------------- lines */

int evlog_lines_next(struct evlog_lines *l, const char **text, size_t *len, bool *complete,
                     int line_no, struct diag *d)
{
    for (;;) {
        char *nl = l->len > l->scan ? memchr(l->buf + l->scan, '\n', l->len - l->scan) : NULL;
        if (nl) {
            *text = l->buf + l->start;
            *len = (size_t)(nl - (l->buf + l->start));
            *complete = true;
            l->start = l->scan = (size_t)(nl - l->buf) + 1;
            return 1;
        }
        l->scan = l->len;
        if (l->eof) {
            if (l->start == l->len)
                return 0;
            *text = l->buf + l->start;
            *len = l->len - l->start;
            *complete = false;
            l->start = l->scan = l->len;
            return 1;
        }
        /* Make room: move the partial line to the front, grow if full. */
        if (l->start > 0) {
            memmove(l->buf, l->buf + l->start, l->len - l->start);
            l->len -= l->start;
            l->scan -= l->start;
            l->start = 0;
        }
        if (l->len == l->cap) {
            if (l->cap >= EVLOG_MAX_LINE)
                return diag_set(d, SC_ELIMIT, l->src->path, line_no,
                                "line longer than %zu MiB: not a Spark event log",
                                EVLOG_MAX_LINE >> 20),
                       -1;
            size_t cap = l->cap ? l->cap * 2 : 1 << 16;
            char *b = realloc(l->buf, cap);
            if (!b)
                return diag_set(d, SC_ENOMEM, l->src->path, line_no, "out of memory"), -1;
            l->buf = b;
            l->cap = cap;
        }
        long got = source_read(l->src, (unsigned char *)l->buf + l->len, l->cap - l->len, d);
        if (got < 0)
            return -1;
        if (got == 0)
            l->eof = true;
        l->len += (size_t)got;
    }
}
