/*
 * join.c — equi-joins (see join.h): Spark's SortMergeJoinExec and
 * BroadcastHashJoinExec with the build side on the right. In the flow the
 * planner picks one by the broadcast threshold, and the calibrator times
 * this kernel on sample tables to price the join stage; the output row
 * count it measures is the join's selectivity.
 *
 * Both forms first collect (left row, right row) pairs and then gather the
 * output columns once, column by column: the matching loop touches only
 * keys, and each output column is written by one sequential pass.
 */
#include "models/kernels/join.h"

#include <stdlib.h>
#include <string.h>

#include "models/kernels/keys.h"
#include "models/kernels/keytable.h"

struct join_ws {
    size_t *lrows, *rrows;
    size_t n, cap;
    uint32_t gid[KEYTABLE_CHUNK];
};

struct join_hash {
    struct keytable *table;
    enum col_type *types;
    size_t n_keys;
    const struct batch *right;
    uint32_t *head; /* per group: first right row, or KEYTABLE_NONE */
    uint32_t *next; /* per right row: next row of its group */
    uint32_t *rgid; /* per right row: its group */
    size_t head_cap, rows_cap;
};

struct join_ws *join_ws_new(void)
{
    return calloc(1, sizeof(struct join_ws));
}

void join_ws_free(struct join_ws *ws)
{
    if (!ws)
        return;
    free(ws->lrows);
    free(ws->rrows);
    free(ws);
}

static int grow_pairs(struct join_ws *ws)
{
    size_t cap = ws->cap ? ws->cap * 2 : 4096;
    size_t *l = realloc(ws->lrows, cap * sizeof *l);
    if (l)
        ws->lrows = l;
    size_t *r = realloc(ws->rrows, cap * sizeof *r);
    if (r)
        ws->rrows = r;
    if (!l || !r)
        return -1;
    ws->cap = cap;
    return 0;
}

static inline int push(struct join_ws *ws, size_t l, size_t r)
{
    if (ws->n == ws->cap && grow_pairs(ws) != 0)
        return -1;
    ws->lrows[ws->n] = l;
    ws->rrows[ws->n] = r;
    ws->n++;
    return 0;
}

static int with_right(enum join_type t)
{
    return t == JOIN_INNER || t == JOIN_LEFT_OUTER;
}

struct batch *join_output_new(const struct join_spec *spec, const struct batch *left,
                              const struct batch *right, size_t cap_rows)
{
    size_t n = left->n_cols + (with_right(spec->type) ? right->n_cols : 0);
    const char **names = calloc(n + 1, sizeof *names);
    enum col_type *types = calloc(n + 1, sizeof *types);
    struct batch *b = NULL;
    if (names && types) {
        for (size_t c = 0; c < n; c++) {
            const struct batch *src = c < left->n_cols ? left : right;
            size_t sc = c < left->n_cols ? c : c - left->n_cols;
            names[c] = src->names[sc];
            types[c] = src->cols[sc].type;
        }
        b = batch_new(n, names, types, cap_rows);
    }
    free(names);
    free(types);
    return b;
}

enum sc_status join_check(const struct join_spec *spec, const struct batch *left,
                          const struct batch *right, struct diag *d)
{
    if (spec->n_keys == 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "a join needs at least one key");
    for (size_t k = 0; k < spec->n_keys; k++) {
        int l = spec->left_keys[k], r = spec->right_keys[k];
        if (l < 0 || (size_t)l >= left->n_cols || r < 0 || (size_t)r >= right->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "join key %zu: column out of range", k);
        if (col_type_storage(left->cols[l].type) != col_type_storage(right->cols[r].type))
            return diag_set(d, SC_EINPUT, NULL, 0, "join key %zu: %s joined with %s", k,
                            col_type_name(left->cols[l].type), col_type_name(right->cols[r].type));
    }
    return SC_OK;
}

/* Writes the collected pairs as out's rows. */
static enum sc_status write_pairs(const struct join_spec *spec, const struct batch *left,
                                  const struct batch *right, struct join_ws *ws, struct batch *out,
                                  struct diag *d)
{
    size_t want = left->n_cols + (with_right(spec->type) ? right->n_cols : 0);
    if (out->n_cols != want)
        return diag_set(d, SC_EINPUT, NULL, 0, "join output has %zu columns, not %zu", out->n_cols,
                        want);
    batch_clear(out);
    if (batch_ensure(out, ws->n) != 0)
        goto nomem;
    for (size_t c = 0; c < left->n_cols; c++)
        if (column_gather(&out->cols[c], out->cap_rows, 0, &left->cols[c], ws->lrows, ws->n) != 0)
            goto nomem;
    if (with_right(spec->type))
        for (size_t c = 0; c < right->n_cols; c++)
            if (column_gather(&out->cols[left->n_cols + c], out->cap_rows, 0, &right->cols[c],
                              ws->rrows, ws->n) != 0)
                goto nomem;
    out->n_rows = ws->n;
    return SC_OK;
nomem:
    batch_clear(out);
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing %zu joined rows", ws->n);
}

static int has_null_key(const struct batch *b, const int *keys, size_t n_keys, size_t r)
{
    for (size_t k = 0; k < n_keys; k++)
        if (column_is_null(&b->cols[keys[k]], r))
            return 1;
    return 0;
}

/* Ascending comparison of non-null keys of a[ra] and b[rb]. */
static int cmp_keys(const struct batch *a, const int *akeys, size_t ra, const struct batch *b,
                    const int *bkeys, size_t rb, size_t n_keys)
{
    for (size_t k = 0; k < n_keys; k++) {
        int c = keys_compare_values(&a->cols[akeys[k]], ra, &b->cols[bkeys[k]], rb);
        if (c)
            return c;
    }
    return 0;
}

/* A left row with no match: kept with nulls (outer) or alone (anti). */
static int unmatched(struct join_ws *ws, enum join_type t, size_t l)
{
    if (t == JOIN_LEFT_OUTER)
        return push(ws, l, BATCH_NULL_ROW);
    if (t == JOIN_LEFT_ANTI)
        return push(ws, l, 0);
    return 0;
}

enum sc_status join_sort_merge(const struct join_spec *spec, const struct batch *left,
                               const struct batch *right, struct join_ws *ws, struct batch *out,
                               struct kernel_stats *st, struct diag *d)
{
    enum sc_status s = join_check(spec, left, right, d);
    if (s != SC_OK)
        return s;
    const int *lk = spec->left_keys, *rk = spec->right_keys;
    size_t nk = spec->n_keys, nl = left->n_rows, nr = right->n_rows;
    enum join_type t = spec->type;
    ws->n = 0;
    size_t i = 0, j = 0;
    /* Invariant: every right row before j sorts below left row i's key (or
     * has a null key); rows with equal non-null keys are contiguous. */
    while (i < nl) {
        if (has_null_key(left, lk, nk, i)) {
            if (unmatched(ws, t, i++) != 0)
                goto nomem;
            continue;
        }
        while (j < nr &&
               (has_null_key(right, rk, nk, j) || cmp_keys(left, lk, i, right, rk, j, nk) > 0))
            j++;
        if (j >= nr || cmp_keys(left, lk, i, right, rk, j, nk) < 0) {
            if (unmatched(ws, t, i++) != 0)
                goto nomem;
            continue;
        }
        size_t j2 = j + 1;
        while (j2 < nr && !has_null_key(right, rk, nk, j2) &&
               cmp_keys(right, rk, j, right, rk, j2, nk) == 0)
            j2++;
        size_t i2 = i + 1;
        while (i2 < nl && !has_null_key(left, lk, nk, i2) &&
               cmp_keys(left, lk, i, left, lk, i2, nk) == 0)
            i2++;
        for (size_t l = i; l < i2; l++) {
            if (t == JOIN_LEFT_SEMI) {
                if (push(ws, l, 0) != 0)
                    goto nomem;
            } else if (t != JOIN_LEFT_ANTI) {
                for (size_t r = j; r < j2; r++)
                    if (push(ws, l, r) != 0)
                        goto nomem;
            }
        }
        i = i2;
        j = j2;
    }
    s = write_pairs(spec, left, right, ws, out, d);
    if (s == SC_OK && st) {
        st->rows_in = (int64_t)(nl + nr);
        st->rows_out = (int64_t)out->n_rows;
        st->bytes_out = batch_bytes(out);
    }
    return s;
nomem:
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a sort-merge join");
}

struct join_hash *join_hash_new(void)
{
    return calloc(1, sizeof(struct join_hash));
}

void join_hash_free(struct join_hash *h)
{
    if (!h)
        return;
    keytable_free(h->table);
    free(h->types);
    free(h->head);
    free(h->next);
    free(h->rgid);
    free(h);
}

enum sc_status join_hash_build(struct join_hash *h, const struct join_spec *spec,
                               const struct batch *right, struct diag *d)
{
    if (spec->n_keys == 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "a join needs at least one key");
    for (size_t k = 0; k < spec->n_keys; k++)
        if (spec->right_keys[k] < 0 || (size_t)spec->right_keys[k] >= right->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "join key %zu: column out of range", k);
    if (right->n_rows >= UINT32_MAX)
        return diag_set(d, SC_ELIMIT, NULL, 0, "build side of %zu rows is too large",
                        right->n_rows);
    /* Reuse the table when the key types are the same as last time. */
    int same = h->table && h->n_keys == spec->n_keys;
    for (size_t k = 0; same && k < spec->n_keys; k++)
        same = h->types[k] == right->cols[spec->right_keys[k]].type;
    if (same) {
        keytable_reset(h->table);
    } else {
        keytable_free(h->table);
        h->table = NULL;
        free(h->types);
        h->types = malloc(spec->n_keys * sizeof *h->types);
        if (!h->types)
            goto nomem;
        h->n_keys = spec->n_keys;
        for (size_t k = 0; k < spec->n_keys; k++)
            h->types[k] = right->cols[spec->right_keys[k]].type;
        h->table = keytable_new(h->types, spec->n_keys);
        if (!h->table)
            goto nomem;
    }
    size_t n = right->n_rows;
    if (n > h->rows_cap) {
        uint32_t *nx = realloc(h->next, n * sizeof *nx);
        if (nx)
            h->next = nx;
        uint32_t *g = realloc(h->rgid, n * sizeof *g);
        if (g)
            h->rgid = g;
        if (!nx || !g)
            goto nomem;
        h->rows_cap = n;
    }
    for (size_t first = 0; first < n; first += KEYTABLE_CHUNK) {
        size_t m = n - first < KEYTABLE_CHUNK ? n - first : KEYTABLE_CHUNK;
        if (keytable_insert(h->table, right, spec->right_keys, first, m, h->rgid + first) != 0)
            goto nomem;
    }
    size_t groups = keytable_size(h->table);
    if (groups > h->head_cap) {
        uint32_t *hd = realloc(h->head, groups * sizeof *hd);
        if (!hd)
            goto nomem;
        h->head = hd;
        h->head_cap = groups;
    }
    for (size_t g = 0; g < groups; g++)
        h->head[g] = KEYTABLE_NONE;
    /* Chains built back to front list each group's rows in right order.
     * Rows with a null key are never chained: their group, if any, stays
     * empty, so a probe that finds it finds no match. */
    for (size_t r = n; r-- > 0;) {
        if (has_null_key(right, spec->right_keys, spec->n_keys, r))
            continue;
        uint32_t g = h->rgid[r];
        h->next[r] = h->head[g];
        h->head[g] = (uint32_t)r;
    }
    h->right = right;
    return SC_OK;
nomem:
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building a join hash table");
}

enum sc_status join_hash_probe(struct join_hash *h, const struct join_spec *spec,
                               const struct batch *left, struct join_ws *ws, struct batch *out,
                               struct kernel_stats *st, struct diag *d)
{
    if (!h->right)
        return diag_set(d, SC_EINPUT, NULL, 0, "join hash table probed before it was built");
    enum sc_status s = join_check(spec, left, h->right, d);
    if (s != SC_OK)
        return s;
    enum join_type t = spec->type;
    ws->n = 0;
    for (size_t first = 0; first < left->n_rows; first += KEYTABLE_CHUNK) {
        size_t m = left->n_rows - first < KEYTABLE_CHUNK ? left->n_rows - first : KEYTABLE_CHUNK;
        keytable_find(h->table, left, spec->left_keys, first, m, ws->gid);
        for (size_t i = 0; i < m; i++) {
            size_t l = first + i;
            uint32_t g = ws->gid[i];
            uint32_t r = g == KEYTABLE_NONE ? KEYTABLE_NONE : h->head[g];
            int rc = 0;
            switch (t) {
            case JOIN_INNER:
                for (; r != KEYTABLE_NONE && rc == 0; r = h->next[r])
                    rc = push(ws, l, r);
                break;
            case JOIN_LEFT_OUTER:
                if (r == KEYTABLE_NONE)
                    rc = push(ws, l, BATCH_NULL_ROW);
                for (; r != KEYTABLE_NONE && rc == 0; r = h->next[r])
                    rc = push(ws, l, r);
                break;
            case JOIN_LEFT_SEMI:
                if (r != KEYTABLE_NONE)
                    rc = push(ws, l, 0);
                break;
            case JOIN_LEFT_ANTI:
                if (r == KEYTABLE_NONE)
                    rc = push(ws, l, 0);
                break;
            }
            if (rc != 0)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a hash join");
        }
    }
    s = write_pairs(spec, left, h->right, ws, out, d);
    if (s == SC_OK && st) {
        st->rows_in = (int64_t)left->n_rows;
        st->rows_out = (int64_t)out->n_rows;
        st->bytes_out = batch_bytes(out);
    }
    return s;
}
