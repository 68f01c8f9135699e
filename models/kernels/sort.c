/*
 * sort.c — sorting batches (see sort.h): Spark's SortExec, which orders a
 * task's rows for ORDER BY (after a range exchange), for a sort-merge join
 * and for a window. In the flow the calibrator times it per row count to
 * price those stages.
 *
 * Like Spark's UnsafeExternalSorter, each row first gets a 64-bit prefix of
 * its first key, normalized so that unsigned order of prefixes is the key
 * order (sign bit flipped for integers, IEEE bits folded for doubles, first
 * 8 bytes big-endian for strings, complemented for DESC, 0 or ~0 for nulls).
 * The (prefix, row) pairs are radix sorted, least significant byte first,
 * which is stable; byte positions where all prefixes agree are skipped.
 * Where a prefix does not decide (equal string prefixes, a null colliding
 * with an extreme value, further keys) each run of equal prefixes is sorted
 * again by a stable merge sort comparing full keys. Stability throughout
 * means equal rows keep their input order, as Spark's sort does.
 */
#include "models/kernels/sort.h"

#include <stdlib.h>
#include <string.h>

#include "models/kernels/keys.h"

struct item {
    uint64_t key;
    size_t row;
};

struct sortk_ws {
    struct item *a, *b;
    size_t *perm, *tmp;
    size_t cap;
};

struct sortk_ws *sortk_ws_new(void)
{
    return calloc(1, sizeof(struct sortk_ws));
}

void sortk_ws_free(struct sortk_ws *ws)
{
    if (!ws)
        return;
    free(ws->a);
    free(ws->b);
    free(ws->perm);
    free(ws->tmp);
    free(ws);
}

static int ws_reserve(struct sortk_ws *ws, size_t n)
{
    if (n <= ws->cap)
        return 0;
    size_t cap = ws->cap ? ws->cap : 1024;
    while (cap < n)
        cap *= 2;
    struct item *a = realloc(ws->a, cap * sizeof *a);
    if (a)
        ws->a = a;
    struct item *b = realloc(ws->b, cap * sizeof *b);
    if (b)
        ws->b = b;
    size_t *p = realloc(ws->perm, cap * sizeof *p);
    if (p)
        ws->perm = p;
    size_t *t = realloc(ws->tmp, cap * sizeof *t);
    if (t)
        ws->tmp = t;
    if (!a || !b || !p || !t)
        return -1;
    ws->cap = cap;
    return 0;
}

static int key_nulls_first(const struct sort_key *k)
{
    return k->nulls == SORT_NULLS_FIRST || (k->nulls == SORT_NULLS_DEFAULT && k->dir == SORT_ASC);
}

int sortk_compare_key(const struct column *a, size_t ra, const struct column *b, size_t rb,
                      const struct sort_key *key)
{
    int na = column_is_null(a, ra), nb = column_is_null(b, rb);
    if (na || nb) {
        if (na && nb)
            return 0;
        int c = na ? -1 : 1;
        return key_nulls_first(key) ? c : -c;
    }
    int c = keys_compare_values(a, ra, b, rb);
    return key->dir == SORT_DESC ? -c : c;
}

int sortk_compare_rows(const struct batch *a, size_t ra, const struct batch *b, size_t rb,
                       const struct sort_spec *spec)
{
    for (size_t k = 0; k < spec->n_keys; k++) {
        const struct sort_key *key = &spec->keys[k];
        int c = sortk_compare_key(&a->cols[key->col], ra, &b->cols[key->col], rb, key);
        if (c)
            return c;
    }
    return 0;
}

enum sc_status sortk_check(const struct batch *b, const struct sort_spec *spec, struct diag *d)
{
    for (size_t k = 0; k < spec->n_keys; k++)
        if (spec->keys[k].col < 0 || (size_t)spec->keys[k].col >= b->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "sort key column %d out of range",
                            spec->keys[k].col);
    return SC_OK;
}

/* Writes the normalized prefixes of column c's first n rows into it[]. */
static void make_prefixes(const struct column *c, const struct sort_key *key, size_t n,
                          struct item *it)
{
    const uint64_t sign = 1ull << 63;
    switch (col_type_storage(c->type)) {
    case STORE_INT:
        for (size_t r = 0; r < n; r++)
            it[r].key = (uint64_t)c->i64[r] ^ sign;
        break;
    case STORE_DOUBLE:
        for (size_t r = 0; r < n; r++) {
            /* Positive doubles order like their bits; negative ones in
             * reverse: set the sign bit of positives, flip all bits of
             * negatives. The canonical NaN lands above +Infinity. */
            uint64_t bits = keys_double_bits(c->f64[r]);
            it[r].key = (bits & sign) ? ~bits : bits | sign;
        }
        break;
    case STORE_STRING:
        for (size_t r = 0; r < n; r++) {
            const unsigned char *p = (const unsigned char *)c->bytes + c->off[r];
            size_t len = (size_t)(c->off[r + 1] - c->off[r]);
            uint64_t v = 0;
            for (size_t i = 0; i < 8; i++)
                v = (v << 8) | (i < len ? p[i] : 0);
            it[r].key = v;
        }
        break;
    }
    if (key->dir == SORT_DESC)
        for (size_t r = 0; r < n; r++)
            it[r].key = ~it[r].key;
    if (c->valid) {
        uint64_t null_key = key_nulls_first(key) ? 0 : UINT64_MAX;
        for (size_t r = 0; r < n; r++)
            if (!c->valid[r])
                it[r].key = null_key;
    }
    for (size_t r = 0; r < n; r++)
        it[r].row = r;
}

/* LSD radix sort of n items on their 64-bit key; the result is in *a
 * (pointers may be swapped with *b). */
static void radix_sort(struct item **a, struct item **b, size_t n)
{
    size_t hist[8][256];
    memset(hist, 0, sizeof hist);
    struct item *src = *a, *dst = *b;
    for (size_t i = 0; i < n; i++) {
        uint64_t k = src[i].key;
        for (int p = 0; p < 8; p++)
            hist[p][(k >> (8 * p)) & 0xff]++;
    }
    for (int p = 0; p < 8; p++) {
        size_t *h = hist[p];
        int trivial = 0;
        for (int v = 0; v < 256; v++)
            if (h[v] == n) {
                trivial = 1; /* every key has the same byte here */
                break;
            }
        if (trivial)
            continue;
        size_t sum = 0;
        for (int v = 0; v < 256; v++) {
            size_t c = h[v];
            h[v] = sum;
            sum += c;
        }
        int shift = 8 * p;
        for (size_t i = 0; i < n; i++)
            dst[h[(src[i].key >> shift) & 0xff]++] = src[i];
        struct item *t = src;
        src = dst;
        dst = t;
    }
    *a = src;
    *b = dst;
}

/* Stable merge sort of v[0..n) (row indices) by every key; tmp has n slots. */
static void merge_sort(size_t *v, size_t *tmp, size_t n, const struct batch *b,
                       const struct sort_spec *spec)
{
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t i = lo + 1; i < hi; i++) {
            size_t x = v[i], j = i;
            while (j > lo && sortk_compare_rows(b, v[j - 1], b, x, spec) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    }
    size_t *src = v, *dst = tmp;
    for (size_t w = run; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n;
            size_t hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, o = lo;
            while (i < mid && j < hi)
                dst[o++] = sortk_compare_rows(b, src[j], b, src[i], spec) < 0 ? src[j++] : src[i++];
            while (i < mid)
                dst[o++] = src[i++];
            while (j < hi)
                dst[o++] = src[j++];
        }
        size_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

enum sc_status sortk_order(const struct batch *b, const struct sort_spec *spec, struct sortk_ws *ws,
                           const size_t **perm, struct diag *d)
{
    enum sc_status s = sortk_check(b, spec, d);
    if (s != SC_OK)
        return s;
    size_t n = b->n_rows;
    if (ws_reserve(ws, n ? n : 1) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory sorting %zu rows", n);
    *perm = ws->perm;
    if (spec->n_keys == 0 || n < 2) {
        for (size_t r = 0; r < n; r++)
            ws->perm[r] = r;
        return SC_OK;
    }
    if (n < 64) {
        for (size_t r = 0; r < n; r++)
            ws->perm[r] = r;
        merge_sort(ws->perm, ws->tmp, n, b, spec);
        return SC_OK;
    }
    const struct column *c0 = &b->cols[spec->keys[0].col];
    make_prefixes(c0, &spec->keys[0], n, ws->a);
    radix_sort(&ws->a, &ws->b, n);
    for (size_t i = 0; i < n; i++)
        ws->perm[i] = ws->a[i].row;
    int exact = spec->n_keys == 1 && c0->type != COL_STRING && !c0->valid;
    if (exact)
        return SC_OK;
    /* Runs of equal prefixes are in input order (the radix sort is stable):
     * a stable sort on full keys finishes them. */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && ws->a[j].key == ws->a[i].key)
            j++;
        if (j - i > 1)
            merge_sort(ws->perm + i, ws->tmp, j - i, b, spec);
        i = j;
    }
    return SC_OK;
}

enum sc_status sortk_sort(const struct batch *in, const struct sort_spec *spec, struct sortk_ws *ws,
                          struct batch *out, struct kernel_stats *st, struct diag *d)
{
    const size_t *perm;
    enum sc_status s = sortk_order(in, spec, ws, &perm, d);
    if (s != SC_OK)
        return s;
    batch_clear(out);
    if (batch_gather(out, in, perm, in->n_rows) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0,
                        "cannot write sorted rows (out of memory or wrong output layout)");
    if (st) {
        st->rows_in = (int64_t)in->n_rows;
        st->rows_out = (int64_t)out->n_rows;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}
