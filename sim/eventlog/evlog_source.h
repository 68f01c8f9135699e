/*
 * evlog_source.h — the bytes and lines of one event-log file, inside the
 * event-log reader (eventlog.c): the file as it is, a zstd stream, Spark's
 * lz4 codec (lz4-java's LZ4BlockOutputStream blocks) or gzip (Databricks
 * compresses the logs it rolls), sniffed from its first bytes, then split
 * into lines. Not for use outside sim/eventlog/.
 */
#ifndef STAGECAST_EVLOG_SOURCE_H
#define STAGECAST_EVLOG_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>
#include <zstd.h>

#include "models/diag.h"
#include "sim/eventlog/eventlog.h"

/* lz4-java's block format constants (LZ4BlockOutputStream). */
#define LZ4B_MAGIC "LZ4Block"
#define LZ4B_MAGIC_LEN 8
#define LZ4B_HEADER_LEN (LZ4B_MAGIC_LEN + 1 + 4 + 4 + 4)
#define LZ4B_METHOD_RAW 0x10
#define LZ4B_METHOD_LZ4 0x20
#define LZ4B_LEVEL_BASE 10
#define LZ4B_SEED 0x9747b28cU
#define LZ4B_MAX_BLOCK ((size_t)32 << 20) /* lz4-java refuses larger blocks */

struct evlog_source {
    FILE *f;
    const char *path;
    enum evlog_codec codec;
    unsigned char head[LZ4B_MAGIC_LEN]; /* sniffed bytes not yet consumed */
    size_t head_len, head_pos;
    int64_t offset; /* compressed bytes consumed, for messages */
    /* zstd */
    ZSTD_DStream *zd;
    unsigned char *zin;
    size_t zin_cap;
    ZSTD_inBuffer zbuf;
    size_t zhint; /* 0 when the last frame was complete */
    bool zin_eof;
    /* lz4 */
    unsigned char *blk_in, *blk_out;
    size_t blk_in_cap, blk_out_cap; /* grown to the largest block seen */
    size_t blk_out_len, blk_out_pos;
    bool lz4_ended; /* an end mark was read: a clean end */
    bool lz4_any;   /* at least one stream started */
    bool truncated; /* the compressed stream stopped mid-frame */
    /* gzip */
    z_stream gz;
    bool gz_ready;  /* inflateInit2 succeeded: inflateEnd owed */
    bool gz_ended;  /* the last member read ended cleanly */
    bool gz_eof;    /* no more compressed bytes */
    unsigned char *gzin;
};

/* Opens path and sniffs its codec. On failure fills d, and s still needs
 * evlog_source_close. */
enum sc_status evlog_source_open(struct evlog_source *s, const char *path, struct diag *d);
/* Closes the file and frees the decoders' buffers; safe on a failed open. */
void evlog_source_close(struct evlog_source *s);

/* The longest line accepted. An EnvironmentUpdate with a long classpath can
 * run to megabytes; anything near this is not an event log. */
#define EVLOG_MAX_LINE ((size_t)256 << 20)

struct evlog_lines {
    struct evlog_source *src;
    char *buf;
    size_t cap, start, len, scan;
    bool eof;
};

/* The next line (without its newline) in *text and *len; *complete says
 * whether it ended with a newline. Returns 1, 0 at the end, -1 on error
 * (d filled, naming line_no). The caller frees l->buf. */
int evlog_lines_next(struct evlog_lines *l, const char **text, size_t *len, bool *complete,
                     int line_no, struct diag *d);

#endif
