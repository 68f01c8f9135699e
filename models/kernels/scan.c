/*
 * scan.c — the decoding half of a Parquet scan (see scan.h): Spark's
 * FileSourceScanExec over ParquetFileFormat, the first operator of every
 * stage that reads a table. In the flow the calibrator encodes sample rows
 * once (which also gives a realistic stored size per row for a table given
 * only a row count) and times the decoding to price input reading.
 *
 * The RLE/bit-packed hybrid is Parquet's: a ULEB128 header whose low bit
 * says bit-packed (header >> 1 groups of 8 values, each group bw bytes,
 * values packed least significant bit first) or a run (header >> 1 copies
 * of one value stored in ceil(bw / 8) little-endian bytes). The encoder
 * takes runs of 8 or more as runs and packs the rest.
 */
#include "models/kernels/scan.h"

#include <stdlib.h>
#include <string.h>

#include "models/kernels/keytable.h"

#define ENC_PLAIN 0
#define ENC_DICT 1
#define DICT_PAGE_LIMIT (1u << 20) /* parquet.dictionary.page.size */
#define CHUNK_HEADER 12

void scan_file_fini(struct scan_file *f)
{
    free(f->data);
    f->data = NULL;
    f->len = f->cap = 0;
}

/* --- byte output ----------------------------------------------------------- */

struct out {
    struct scan_file *f;
    int failed;
};

static uint8_t *out_take(struct out *o, size_t n)
{
    struct scan_file *f = o->f;
    if (o->failed)
        return NULL;
    if (f->len + n > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < f->len + n)
            cap *= 2;
        uint8_t *p = realloc(f->data, cap);
        if (!p) {
            o->failed = 1;
            return NULL;
        }
        f->data = p;
        f->cap = cap;
    }
    uint8_t *p = f->data + f->len;
    f->len += n;
    return p;
}

static void out_bytes(struct out *o, const void *src, size_t n)
{
    uint8_t *p = out_take(o, n);
    if (p && n)
        memcpy(p, src, n);
}

static void out_u64(struct out *o, uint64_t v, size_t width)
{
    uint8_t *p = out_take(o, width);
    for (size_t i = 0; p && i < width; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void out_varint(struct out *o, uint64_t v)
{
    do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        if (v)
            b |= 0x80;
        out_bytes(o, &b, 1);
    } while (v);
}

static uint64_t get_le(const uint8_t *p, size_t width)
{
    uint64_t v = 0;
    for (size_t i = 0; i < width; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* --- RLE / bit-packed hybrid ------------------------------------------------ */

static size_t run_length(const uint32_t *v, size_t n, size_t i)
{
    size_t r = 1;
    while (i + r < n && v[i + r] == v[i])
        r++;
    return r;
}

static void rle_encode(struct out *o, const uint32_t *v, size_t n, unsigned bw)
{
    size_t vbytes = (bw + 7) / 8;
    for (size_t i = 0; i < n;) {
        size_t run = run_length(v, n, i);
        if (run >= 8) {
            out_varint(o, (uint64_t)run << 1);
            out_u64(o, v[i], vbytes);
            i += run;
            continue;
        }
        /* bit-pack groups of 8 until a run of 8 starts at a group edge */
        size_t start = i, groups = 0;
        do {
            groups++;
            i += 8;
        } while (i < n && run_length(v, n, i) < 8);
        out_varint(o, (uint64_t)groups << 1 | 1);
        uint8_t *p = out_take(o, groups * bw);
        if (!p)
            return;
        memset(p, 0, groups * bw);
        for (size_t k = 0; k < groups * 8; k++) {
            uint64_t x = start + k < n ? v[start + k] : 0;
            size_t bit = k * bw;
            for (unsigned b = 0; b < bw; b++, bit++)
                if ((x >> b) & 1)
                    p[bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
        if (i > n)
            i = n;
    }
}

/* Decodes n values of width bw from p[0..len) into v. Returns 0, or -1 when
 * the data ends early or is malformed. */
static int rle_decode(const uint8_t *p, size_t len, unsigned bw, size_t n, uint32_t *v)
{
    size_t at = 0, got = 0, vbytes = (bw + 7) / 8;
    uint32_t mask = bw >= 32 ? UINT32_MAX : (1u << bw) - 1;
    while (got < n) {
        uint64_t h = 0;
        for (int shift = 0;; shift += 7) {
            if (at >= len || shift > 56)
                return -1;
            uint8_t b = p[at++];
            h |= (uint64_t)(b & 0x7f) << shift;
            if (!(b & 0x80))
                break;
        }
        if (h & 1) {
            uint64_t groups = h >> 1;
            if (groups > (len - at) / (bw ? bw : 1) || (bw == 0 && groups))
                return -1;
            size_t count = (size_t)groups * 8;
            const uint8_t *q = p + at;
            /* Read bits through a 64-bit window: bw <= 32 keeps one value
             * within the window after each refill. */
            uint64_t acc = 0;
            unsigned have = 0;
            size_t byte = 0, total = (size_t)groups * bw;
            for (size_t k = 0; k < count; k++) {
                while (have < bw) {
                    acc |= (uint64_t)(byte < total ? q[byte] : 0) << have;
                    byte++;
                    have += 8;
                }
                if (got < n)
                    v[got++] = (uint32_t)acc & mask;
                acc >>= bw;
                have -= bw;
            }
            at += total;
        } else {
            uint64_t count = h >> 1;
            if (len - at < vbytes)
                return -1;
            uint32_t x = (uint32_t)get_le(p + at, vbytes);
            at += vbytes;
            if (count > n - got)
                count = n - got;
            for (uint64_t k = 0; k < count; k++)
                v[got++] = x;
        }
    }
    return 0;
}

/* --- encoding ------------------------------------------------------------- */

static unsigned bits_for(size_t max_value)
{
    unsigned b = 1;
    while (b < 32 && (max_value >> b) != 0)
        b++;
    return b;
}

static void encode_column(struct out *o, const struct column *c, size_t n, uint32_t *scratch,
                          struct keytable *dict)
{
    size_t nn = 0;
    for (size_t r = 0; r < n; r++)
        nn += !column_is_null(c, r);
    int has_nulls = nn < n;
    int enc = ENC_PLAIN;
    unsigned bw = 1;
    size_t dict_n = 0;
    if (c->type == COL_STRING && dict && nn > 0) {
        /* Dictionary indices of the non-null values, in scratch. */
        static const int col0[1] = {0};
        struct column view = *c;
        struct batch one = {.n_rows = n, .cap_rows = n, .n_cols = 1, .cols = &view};
        size_t plain = 0, k = 0;
        for (size_t first = 0; first < n && !o->failed; first += KEYTABLE_CHUNK) {
            size_t m = n - first < KEYTABLE_CHUNK ? n - first : KEYTABLE_CHUNK;
            uint32_t gid[KEYTABLE_CHUNK];
            if (keytable_insert(dict, &one, col0, first, m, gid) != 0) {
                o->failed = 1;
                return;
            }
            for (size_t i = 0; i < m; i++)
                if (!column_is_null(c, first + i)) {
                    scratch[k++] = gid[i];
                    plain += 4 + (size_t)(c->off[first + i + 1] - c->off[first + i]);
                }
        }
        const struct batch *keys = keytable_keys(dict);
        dict_n = keys->n_rows;
        size_t dict_bytes = 4 * dict_n + keys->cols[0].bytes_len;
        bw = bits_for(dict_n - 1);
        size_t idx_bytes = (nn * bw + 7) / 8;
        if (dict_bytes <= DICT_PAGE_LIMIT && dict_bytes + idx_bytes < plain)
            enc = ENC_DICT;
    }
    out_u64(o, (uint64_t)c->type, 1);
    out_u64(o, (uint64_t)enc, 1);
    out_u64(o, (uint64_t)has_nulls, 1);
    out_u64(o, 0, 1);
    size_t len_at = o->f->len;
    out_u64(o, 0, 8); /* body length, patched below */
    size_t body_at = o->f->len;
    if (has_nulls) {
        uint32_t *def = scratch + (enc == ENC_DICT ? nn : 0);
        for (size_t r = 0; r < n; r++)
            def[r] = !column_is_null(c, r);
        size_t def_at = o->f->len;
        out_u64(o, 0, 4);
        rle_encode(o, def, n, 1);
        if (!o->failed) {
            uint64_t dl = o->f->len - def_at - 4;
            for (int i = 0; i < 4; i++)
                o->f->data[def_at + i] = (uint8_t)(dl >> (8 * i));
        }
    }
    switch (c->type) {
    case COL_INT32:
    case COL_DATE:
        for (size_t r = 0; r < n; r++)
            if (!column_is_null(c, r))
                out_u64(o, (uint64_t)c->i64[r], 4);
        break;
    case COL_INT64:
    case COL_TIMESTAMP:
        for (size_t r = 0; r < n; r++)
            if (!column_is_null(c, r))
                out_u64(o, (uint64_t)c->i64[r], 8);
        break;
    case COL_DOUBLE:
        for (size_t r = 0; r < n; r++)
            if (!column_is_null(c, r)) {
                uint64_t bits;
                memcpy(&bits, &c->f64[r], 8);
                out_u64(o, bits, 8);
            }
        break;
    case COL_BOOLEAN: {
        uint8_t *p = out_take(o, (nn + 7) / 8);
        if (!p)
            break;
        memset(p, 0, (nn + 7) / 8);
        size_t k = 0;
        for (size_t r = 0; r < n; r++)
            if (!column_is_null(c, r)) {
                if (c->i64[r])
                    p[k / 8] |= (uint8_t)(1u << (k % 8));
                k++;
            }
        break;
    }
    case COL_STRING:
        if (enc == ENC_DICT) {
            const struct column *dc = &keytable_keys(dict)->cols[0];
            out_u64(o, dict_n, 4);
            for (size_t g = 0; g < dict_n; g++) {
                size_t len = (size_t)(dc->off[g + 1] - dc->off[g]);
                out_u64(o, len, 4);
                out_bytes(o, dc->bytes + dc->off[g], len);
            }
            out_u64(o, bw, 1);
            rle_encode(o, scratch, nn, bw);
        } else {
            for (size_t r = 0; r < n; r++)
                if (!column_is_null(c, r)) {
                    size_t len = (size_t)(c->off[r + 1] - c->off[r]);
                    out_u64(o, len, 4);
                    out_bytes(o, c->bytes + c->off[r], len);
                }
        }
        break;
    }
    if (!o->failed) {
        uint64_t body = o->f->len - body_at;
        for (int i = 0; i < 8; i++)
            o->f->data[len_at + i] = (uint8_t)(body >> (8 * i));
    }
}

enum sc_status scan_encode(const struct batch *b, struct scan_file *f, struct diag *d)
{
    for (size_t c = 0; c < b->n_cols; c++)
        if (b->cols[c].type == COL_STRING)
            for (size_t r = 0; r < b->n_rows; r++)
                if (b->cols[c].off[r + 1] - b->cols[c].off[r] > UINT32_MAX)
                    return diag_set(d, SC_ELIMIT, NULL, 0, "a string over 4 GiB");
    f->len = 0;
    struct out o = {f, 0};
    uint32_t *scratch = malloc((2 * b->n_rows + 1) * sizeof *scratch);
    static const enum col_type str = COL_STRING;
    struct keytable *dict = keytable_new(&str, 1);
    if (!scratch || !dict) {
        free(scratch);
        keytable_free(dict);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory encoding a batch");
    }
    out_bytes(&o, "SCN1", 4);
    out_u64(&o, b->n_cols, 4);
    out_u64(&o, b->n_rows, 8);
    for (size_t c = 0; c < b->n_cols && !o.failed; c++) {
        keytable_reset(dict);
        encode_column(&o, &b->cols[c], b->n_rows, scratch, dict);
    }
    free(scratch);
    keytable_free(dict);
    if (o.failed)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory encoding a batch");
    return SC_OK;
}

/* --- decoding ------------------------------------------------------------- */

struct chunk {
    enum col_type type;
    int enc, has_nulls;
    const uint8_t *body;
    size_t len;
};

struct scan_reader {
    struct chunk *chunks;
    size_t chunks_cap;
    uint32_t *u32; /* definition levels, dictionary indices */
    size_t u32_cap;
    uint64_t *dict_off; /* dictionary entry i: bytes dict_off[i] .. +dict_len[i] */
    uint32_t *dict_len;
    size_t dict_cap;
};

struct scan_reader *scan_reader_new(void)
{
    return calloc(1, sizeof(struct scan_reader));
}

void scan_reader_free(struct scan_reader *r)
{
    if (!r)
        return;
    free(r->chunks);
    free(r->u32);
    free(r->dict_off);
    free(r->dict_len);
    free(r);
}

static int parse_header(const struct scan_file *f, size_t *n_cols, size_t *n_rows)
{
    if (f->len < 16 || memcmp(f->data, "SCN1", 4) != 0)
        return -1;
    *n_cols = (size_t)get_le(f->data + 4, 4);
    *n_rows = (size_t)get_le(f->data + 8, 8);
    return 0;
}

/* Fills r->chunks from f; -1 when the file is malformed, -2 out of memory. */
static int parse_chunks(struct scan_reader *r, const struct scan_file *f, size_t n_cols)
{
    if (n_cols > (f->len - 16) / CHUNK_HEADER)
        return -1; /* more columns than the file could hold */
    if (n_cols > r->chunks_cap) {
        struct chunk *c = realloc(r->chunks, n_cols * sizeof *c);
        if (!c)
            return -2;
        r->chunks = c;
        r->chunks_cap = n_cols;
    }
    size_t at = 16;
    for (size_t c = 0; c < n_cols; c++) {
        if (f->len - at < CHUNK_HEADER)
            return -1;
        const uint8_t *h = f->data + at;
        uint64_t len = get_le(h + 4, 8);
        if (h[0] > COL_TIMESTAMP || h[1] > ENC_DICT || len > f->len - at - CHUNK_HEADER)
            return -1;
        r->chunks[c] =
            (struct chunk){(enum col_type)h[0], h[1], h[2], h + CHUNK_HEADER, (size_t)len};
        at += CHUNK_HEADER + (size_t)len;
    }
    return 0;
}

enum sc_status scan_describe(const struct scan_file *f, size_t *n_cols, size_t *n_rows,
                             enum col_type *types, size_t max_types, struct diag *d)
{
    if (parse_header(f, n_cols, n_rows) != 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "not an encoded batch");
    size_t at = 16;
    for (size_t c = 0; c < *n_cols; c++) {
        if (f->len - at < CHUNK_HEADER)
            return diag_set(d, SC_EINPUT, NULL, 0, "encoded batch truncated");
        if (types && c < max_types)
            types[c] = (enum col_type)f->data[at];
        uint64_t len = get_le(f->data + at + 4, 8);
        if (len > f->len - at - CHUNK_HEADER)
            return diag_set(d, SC_EINPUT, NULL, 0, "encoded batch truncated");
        at += CHUNK_HEADER + (size_t)len;
    }
    return SC_OK;
}

static int reserve_u32(struct scan_reader *r, size_t n)
{
    if (n <= r->u32_cap)
        return 0;
    uint32_t *p = realloc(r->u32, n * sizeof *p);
    if (!p)
        return -1;
    r->u32 = p;
    r->u32_cap = n;
    return 0;
}

/* Decodes one chunk into column oc (rows 0..n-1). -1 malformed, -2 memory. */
static int decode_chunk(struct scan_reader *r, const struct chunk *ch, size_t n, struct column *oc,
                        size_t cap_rows)
{
    const uint8_t *p = ch->body, *end = ch->body + ch->len;
    size_t nn = n;
    if (reserve_u32(r, n ? n : 1) != 0)
        return -2;
    if (ch->has_nulls) {
        if (end - p < 4)
            return -1;
        size_t dl = (size_t)get_le(p, 4);
        p += 4;
        if (dl > (size_t)(end - p) || rle_decode(p, dl, 1, n, r->u32) != 0)
            return -1;
        p += dl;
        if (column_ensure_validity(oc, cap_rows) != 0)
            return -2;
        nn = 0;
        for (size_t i = 0; i < n; i++) {
            oc->valid[i] = (uint8_t)r->u32[i];
            nn += r->u32[i];
        }
    }
    const uint8_t *valid = ch->has_nulls ? oc->valid : NULL;
    size_t avail = (size_t)(end - p);
    switch (ch->type) {
    case COL_INT32:
    case COL_DATE:
        if (avail / 4 < nn)
            return -1;
        for (size_t i = 0; i < n; i++)
            if (!valid || valid[i]) {
                oc->i64[i] = (int32_t)(uint32_t)get_le(p, 4);
                p += 4;
            } else {
                oc->i64[i] = 0;
            }
        break;
    case COL_INT64:
    case COL_TIMESTAMP:
    case COL_DOUBLE:
        if (avail / 8 < nn)
            return -1;
        for (size_t i = 0; i < n; i++) {
            uint64_t v = 0;
            if (!valid || valid[i]) {
                memcpy(&v, p, 8); /* little-endian host, as Parquet's PLAIN */
                p += 8;
            }
            if (ch->type != COL_DOUBLE)
                oc->i64[i] = (int64_t)v;
            else
                memcpy(&oc->f64[i], &v, 8);
        }
        break;
    case COL_BOOLEAN: {
        if (avail < (nn + 7) / 8)
            return -1;
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (!valid || valid[i]) {
                oc->i64[i] = (p[k / 8] >> (k % 8)) & 1;
                k++;
            } else {
                oc->i64[i] = 0;
            }
        break;
    }
    case COL_STRING:
        oc->off[0] = oc->bytes_len;
        if (ch->enc == ENC_PLAIN) {
            for (size_t i = 0; i < n; i++) {
                size_t len = 0;
                const uint8_t *s = p;
                if (!valid || valid[i]) {
                    if (end - p < 4)
                        return -1;
                    len = (size_t)get_le(p, 4);
                    if (len > (size_t)(end - p - 4))
                        return -1;
                    s = p + 4;
                    p += 4 + len;
                }
                if (column_push_string(oc, i, (const char *)s, len) != 0)
                    return -2;
            }
            break;
        }
        {
            if (end - p < 4)
                return -1;
            size_t dn = (size_t)get_le(p, 4);
            p += 4;
            if (dn > (size_t)(end - p) / 4)
                return -1;
            if (dn > r->dict_cap) {
                uint64_t *o2 = realloc(r->dict_off, dn * sizeof *o2);
                if (o2)
                    r->dict_off = o2;
                uint32_t *l2 = realloc(r->dict_len, dn * sizeof *l2);
                if (l2)
                    r->dict_len = l2;
                if (!o2 || !l2)
                    return -2;
                r->dict_cap = dn;
            }
            for (size_t g = 0; g < dn; g++) {
                if (end - p < 4)
                    return -1;
                size_t len = (size_t)get_le(p, 4);
                if (len > (size_t)(end - p - 4))
                    return -1;
                r->dict_off[g] = (uint64_t)(p + 4 - ch->body);
                r->dict_len[g] = (uint32_t)len;
                p += 4 + len;
            }
            if (end - p < 1)
                return -1;
            unsigned bw = *p++;
            if (bw == 0 || bw > 32)
                return -1;
            /* indices after the definition levels in the u32 scratch: the
             * levels are already copied into oc->valid, so reuse from 0 */
            if (rle_decode(p, (size_t)(end - p), bw, nn, r->u32) != 0)
                return -1;
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                const char *s = "";
                size_t len = 0;
                if (!valid || valid[i]) {
                    uint32_t g = r->u32[k++];
                    if (g >= dn)
                        return -1;
                    s = (const char *)ch->body + r->dict_off[g];
                    len = r->dict_len[g];
                }
                if (column_push_string(oc, i, s, len) != 0)
                    return -2;
            }
        }
        break;
    }
    return 0;
}

enum sc_status scan_decode(struct scan_reader *r, const struct scan_file *f, const int *cols,
                           size_t n_cols, struct batch *out, struct scan_stats *st, struct diag *d)
{
    size_t fcols, n;
    if (parse_header(f, &fcols, &n) != 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "not an encoded batch");
    int rc = parse_chunks(r, f, fcols);
    if (rc == -2)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory reading an encoded batch");
    if (rc != 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "encoded batch is malformed");
    if (!cols)
        n_cols = fcols;
    if (out->n_cols != n_cols)
        return diag_set(d, SC_EINPUT, NULL, 0, "scan output has %zu columns, not %zu", out->n_cols,
                        n_cols);
    for (size_t k = 0; k < n_cols; k++) {
        int c = cols ? cols[k] : (int)k;
        if (c < 0 || (size_t)c >= fcols)
            return diag_set(d, SC_EINPUT, NULL, 0, "scan column %d out of range", c);
        if (col_type_storage(r->chunks[c].type) != col_type_storage(out->cols[k].type))
            return diag_set(d, SC_EINPUT, NULL, 0, "scan column %d is %s, output wants %s", c,
                            col_type_name(r->chunks[c].type), col_type_name(out->cols[k].type));
    }
    /* A run-length encoded all-null column can claim any row count in a
     * few bytes: cap it before it sizes the output. */
    if (n > UINT32_MAX)
        return diag_set(d, SC_ELIMIT, NULL, 0, "encoded batch claims %zu rows", n);
    batch_clear(out);
    if (batch_ensure(out, n) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory decoding %zu rows", n);
    int64_t encoded = 16;
    int64_t dicts = 0;
    for (size_t k = 0; k < n_cols; k++) {
        const struct chunk *ch = &r->chunks[cols ? cols[k] : (int)k];
        rc = decode_chunk(r, ch, n, &out->cols[k], out->cap_rows);
        if (rc != 0) {
            batch_clear(out);
            if (rc == -2)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory decoding a column");
            return diag_set(d, SC_EINPUT, NULL, 0, "encoded column %zu is malformed", k);
        }
        encoded += CHUNK_HEADER + (int64_t)ch->len;
        dicts += ch->enc == ENC_DICT;
    }
    out->n_rows = n;
    if (st) {
        st->rows = (int64_t)n;
        st->encoded_bytes = encoded;
        st->decoded_bytes = batch_bytes(out);
        st->dict_columns = dicts;
    }
    return SC_OK;
}
