/*
 * hashagg.c — hash aggregation (see hashagg.h): Spark's HashAggregateExec,
 * both the partial aggregate before a shuffle and the final one after it.
 * In the flow, the calibrator runs it on sample rows to price a group_by
 * stage; its group counts give the partial's output rows, which size the
 * shuffle.
 *
 * Rows go through in chunks: the key table (keytable.c) turns a chunk's
 * keys into group ids, then each aggregate buffer is updated by one tight
 * loop over the chunk (buffers are per-group arrays, indexed by group id).
 * This is the vectorized shape of Spark's generated code; with few groups
 * the buffers stay in L1 and the loop runs at tens of millions of rows/s.
 *
 * Integer sums wrap on overflow, as Java's long addition does in Spark's
 * default (non-ANSI) mode; avg sums in double, as Spark's Average does for
 * non-decimal input.
 */
#include "models/kernels/hashagg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/kernels/keytable.h"

#define CHUNK KEYTABLE_CHUNK

enum acc_kind { ACC_COUNT, ACC_SUM_I, ACC_SUM_D, ACC_MIN, ACC_MAX, ACC_DISTINCT };

/* How a buffer takes a value: count(*) counts rows, count(col) non-null
 * values, a final count adds partial counts, the rest take the value. */
enum acc_upd { UPD_ONE, UPD_NONNULL, UPD_ADD, UPD_VALUE };

struct sval {
    char *p;
    size_t len, cap;
};

struct acc {
    enum acc_kind kind;
    enum acc_upd upd;
    int in_col;           /* column of hashagg_add's input; -1 for count(*) */
    enum col_type type;   /* the buffer's column type in the partial layout */
    int64_t *i;           /* counts, integer sums and min/max, distinct counts */
    double *f;            /* double sums and min/max */
    struct sval *s;       /* string min/max */
    uint8_t *has;         /* sum/min/max: a non-null value was seen */
    struct keytable *set; /* count distinct: (group id, value) pairs */
    char name[192];
};

struct call_out {
    enum agg_func func;
    size_t acc; /* its buffer; avg: sum at acc, count at acc + 1 */
    enum col_type type;
    char name[192];
};

struct hashagg {
    enum agg_mode mode;
    size_t n_keys;
    int *key_cols; /* in hashagg_add's input */
    enum col_type *key_types;
    char **key_names;
    struct acc *accs;
    size_t n_accs;
    struct call_out *calls;
    size_t n_calls;
    int has_distinct;
    struct keytable *table; /* NULL without keys: one group, id 0 */
    size_t n_groups, acc_cap;
    int64_t rows_in;
    /* emission scratch, grown on demand and kept */
    size_t *e_grp, *e_sub, *e_idx, *e_start, *e_order;
    size_t e_grp_cap, e_sub_cap, e_idx_cap, e_start_cap, e_order_cap;
    uint32_t gid[CHUNK];
    uint32_t gid2[CHUNK];
    int64_t gid64[CHUNK];
};

static const char *func_name(enum agg_func f)
{
    switch (f) {
    case AGG_COUNT_STAR:
    case AGG_COUNT: return "count";
    case AGG_SUM: return "sum";
    case AGG_AVG: return "avg";
    case AGG_MIN: return "min";
    case AGG_MAX: return "max";
    case AGG_COUNT_DISTINCT: return "count";
    }
    return "?";
}

static int acc_needs_i(const struct acc *a)
{
    return a->kind == ACC_COUNT || a->kind == ACC_DISTINCT || a->kind == ACC_SUM_I ||
           ((a->kind == ACC_MIN || a->kind == ACC_MAX) && col_type_storage(a->type) == STORE_INT);
}

static int acc_needs_f(const struct acc *a)
{
    return a->kind == ACC_SUM_D || ((a->kind == ACC_MIN || a->kind == ACC_MAX) &&
                                    col_type_storage(a->type) == STORE_DOUBLE);
}

static int acc_needs_s(const struct acc *a)
{
    return (a->kind == ACC_MIN || a->kind == ACC_MAX) && a->type == COL_STRING;
}

static int acc_needs_has(const struct acc *a)
{
    return a->kind == ACC_SUM_I || a->kind == ACC_SUM_D || a->kind == ACC_MIN || a->kind == ACC_MAX;
}

#define GROW_ZERO(ptr, old, cap)                                                                   \
    do {                                                                                           \
        void *np_ = realloc((ptr), (cap) * sizeof *(ptr));                                         \
        if (!np_)                                                                                  \
            return -1;                                                                             \
        (ptr) = np_;                                                                               \
        memset((ptr) + (old), 0, ((cap) - (old)) * sizeof *(ptr));                                 \
    } while (0)

/* Buffers for at least need groups; new groups start at zero / no value. */
static int ensure_groups(struct hashagg *h, size_t need)
{
    if (need <= h->acc_cap)
        return 0;
    size_t cap = h->acc_cap ? h->acc_cap : 64;
    while (cap < need)
        cap *= 2;
    for (size_t k = 0; k < h->n_accs; k++) {
        struct acc *a = &h->accs[k];
        if (acc_needs_i(a))
            GROW_ZERO(a->i, h->acc_cap, cap);
        if (acc_needs_f(a))
            GROW_ZERO(a->f, h->acc_cap, cap);
        if (acc_needs_s(a))
            GROW_ZERO(a->s, h->acc_cap, cap);
        if (acc_needs_has(a))
            GROW_ZERO(a->has, h->acc_cap, cap);
    }
    h->acc_cap = cap;
    return 0;
}

void hashagg_free(struct hashagg *h)
{
    if (!h)
        return;
    for (size_t k = 0; k < h->n_accs; k++) {
        struct acc *a = &h->accs[k];
        free(a->i);
        free(a->f);
        free(a->has);
        if (a->s)
            for (size_t g = 0; g < h->acc_cap; g++)
                free(a->s[g].p);
        free(a->s);
        keytable_free(a->set);
    }
    for (size_t k = 0; k < h->n_keys && h->key_names; k++)
        free(h->key_names[k]);
    free(h->key_names);
    free(h->key_cols);
    free(h->key_types);
    free(h->accs);
    free(h->calls);
    keytable_free(h->table);
    free(h->e_grp);
    free(h->e_sub);
    free(h->e_idx);
    free(h->e_start);
    free(h->e_order);
    free(h);
}

static struct acc *add_acc(struct hashagg *h, enum acc_kind kind, enum col_type type,
                           const char *name)
{
    struct acc *a = &h->accs[h->n_accs++];
    a->kind = kind;
    a->type = type;
    size_t len = strlen(name);
    if (len >= sizeof a->name)
        len = sizeof a->name - 1; /* names are for people: truncation is harmless */
    memcpy(a->name, name, len);
    a->name[len] = '\0';
    return a;
}

struct hashagg *hashagg_new(const struct agg_spec *spec, enum agg_mode mode,
                            const struct batch *schema, struct diag *d)
{
    for (size_t k = 0; k < spec->n_keys; k++)
        if (spec->keys[k] < 0 || (size_t)spec->keys[k] >= schema->n_cols) {
            diag_set(d, SC_EINPUT, NULL, 0, "aggregate key column %d out of range", spec->keys[k]);
            return NULL;
        }
    for (size_t c = 0; c < spec->n_calls; c++) {
        const struct agg_call *call = &spec->calls[c];
        if (call->func == AGG_COUNT_STAR)
            continue;
        if (call->col < 0 || (size_t)call->col >= schema->n_cols) {
            diag_set(d, SC_EINPUT, NULL, 0, "%s: input column %d out of range",
                     func_name(call->func), call->col);
            return NULL;
        }
        if ((call->func == AGG_SUM || call->func == AGG_AVG) &&
            schema->cols[call->col].type == COL_STRING) {
            diag_set(d, SC_EINPUT, NULL, 0, "%s(%s): a string has no sum", func_name(call->func),
                     schema->names[call->col]);
            return NULL;
        }
    }
    struct hashagg *h = calloc(1, sizeof *h);
    if (!h)
        goto nomem;
    h->mode = mode;
    h->n_keys = spec->n_keys;
    h->key_cols = calloc(spec->n_keys + 1, sizeof *h->key_cols);
    h->key_types = calloc(spec->n_keys + 1, sizeof *h->key_types);
    h->key_names = calloc(spec->n_keys + 1, sizeof *h->key_names);
    h->accs = calloc(2 * spec->n_calls + 1, sizeof *h->accs);
    h->calls = calloc(spec->n_calls + 1, sizeof *h->calls);
    if (!h->key_cols || !h->key_types || !h->key_names || !h->accs || !h->calls)
        goto nomem;
    for (size_t k = 0; k < spec->n_keys; k++) {
        int col = spec->keys[k];
        h->key_cols[k] = mode == AGG_FINAL ? (int)k : col;
        h->key_types[k] = schema->cols[col].type;
        h->key_names[k] = strdup(schema->names[col]);
        if (!h->key_names[k])
            goto nomem;
    }
    h->n_calls = spec->n_calls;
    for (size_t c = 0; c < spec->n_calls; c++) {
        const struct agg_call *call = &spec->calls[c];
        struct call_out *o = &h->calls[c];
        const char *arg = call->func == AGG_COUNT_STAR ? "1" : schema->names[call->col];
        enum col_type in_type =
            call->func == AGG_COUNT_STAR ? COL_INT64 : schema->cols[call->col].type;
        if (call->alias)
            snprintf(o->name, sizeof o->name, "%s", call->alias);
        else if (call->func == AGG_COUNT_DISTINCT)
            snprintf(o->name, sizeof o->name, "count(DISTINCT %s)", arg);
        else
            snprintf(o->name, sizeof o->name, "%s(%s)", func_name(call->func), arg);
        o->func = call->func;
        o->acc = h->n_accs;
        char sub[200];
        struct acc *a = NULL;
        switch (call->func) {
        case AGG_COUNT_STAR:
        case AGG_COUNT:
            a = add_acc(h, ACC_COUNT, COL_INT64, o->name);
            a->upd = call->func == AGG_COUNT_STAR ? UPD_ONE : UPD_NONNULL;
            o->type = COL_INT64;
            break;
        case AGG_SUM:
            if (col_type_storage(in_type) == STORE_INT)
                a = add_acc(h, ACC_SUM_I, COL_INT64, o->name);
            else
                a = add_acc(h, ACC_SUM_D, COL_DOUBLE, o->name);
            a->upd = UPD_VALUE;
            o->type = a->type;
            break;
        case AGG_AVG:
            snprintf(sub, sizeof sub, "%s.sum", o->name);
            a = add_acc(h, ACC_SUM_D, COL_DOUBLE, sub);
            a->upd = UPD_VALUE;
            a->in_col = call->col;
            snprintf(sub, sizeof sub, "%s.count", o->name);
            a = add_acc(h, ACC_COUNT, COL_INT64, sub);
            a->upd = UPD_NONNULL;
            o->type = COL_DOUBLE;
            break;
        case AGG_MIN:
        case AGG_MAX:
            a = add_acc(h, call->func == AGG_MIN ? ACC_MIN : ACC_MAX, in_type, o->name);
            a->upd = UPD_VALUE;
            o->type = in_type;
            break;
        case AGG_COUNT_DISTINCT: {
            a = add_acc(h, ACC_DISTINCT, in_type, o->name);
            a->upd = UPD_VALUE;
            enum col_type pair[2] = {COL_INT64, in_type};
            a->set = keytable_new(pair, 2);
            if (!a->set)
                goto nomem;
            h->has_distinct = 1;
            o->type = COL_INT64;
            break;
        }
        }
        a->in_col = call->func == AGG_COUNT_STAR ? -1 : call->col;
        if (call->func == AGG_AVG)
            h->accs[o->acc].in_col = call->col;
    }
    /* In FINAL mode every buffer reads its own partial column, and counts
     * are added up rather than counted. */
    if (mode == AGG_FINAL)
        for (size_t k = 0; k < h->n_accs; k++) {
            h->accs[k].in_col = (int)(h->n_keys + k);
            if (h->accs[k].kind == ACC_COUNT)
                h->accs[k].upd = UPD_ADD;
        }
    if (spec->n_keys > 0) {
        h->table = keytable_new(h->key_types, spec->n_keys);
        if (!h->table)
            goto nomem;
    } else {
        h->n_groups = 1;
    }
    if (ensure_groups(h, 1) != 0)
        goto nomem;
    return h;
nomem:
    hashagg_free(h);
    diag_set(d, SC_ENOMEM, NULL, 0, "out of memory creating a hash aggregation");
    return NULL;
}

struct batch *hashagg_output_new(const struct hashagg *h, size_t cap_rows)
{
    size_t n = h->n_keys + (h->mode == AGG_PARTIAL ? h->n_accs : h->n_calls);
    const char **names = calloc(n + 1, sizeof *names);
    enum col_type *types = calloc(n + 1, sizeof *types);
    struct batch *b = NULL;
    if (names && types) {
        size_t j = 0;
        for (size_t k = 0; k < h->n_keys; k++, j++) {
            names[j] = h->key_names[k];
            types[j] = h->key_types[k];
        }
        if (h->mode == AGG_PARTIAL)
            for (size_t k = 0; k < h->n_accs; k++, j++) {
                names[j] = h->accs[k].name;
                types[j] = h->accs[k].type;
            }
        else
            for (size_t k = 0; k < h->n_calls; k++, j++) {
                names[j] = h->calls[k].name;
                types[j] = h->calls[k].type;
            }
        b = batch_new(n, names, types, cap_rows);
    }
    free(names);
    free(types);
    return b;
}

void hashagg_reset(struct hashagg *h)
{
    size_t used = h->n_groups < h->acc_cap ? h->n_groups : h->acc_cap;
    for (size_t k = 0; k < h->n_accs; k++) {
        struct acc *a = &h->accs[k];
        if (a->i)
            memset(a->i, 0, used * sizeof *a->i);
        if (a->f)
            memset(a->f, 0, used * sizeof *a->f);
        if (a->has)
            memset(a->has, 0, used * sizeof *a->has);
        if (a->s)
            for (size_t g = 0; g < used; g++)
                a->s[g].len = 0;
        if (a->set)
            keytable_reset(a->set);
    }
    if (h->table) {
        keytable_reset(h->table);
        h->n_groups = 0;
    } else {
        h->n_groups = 1;
    }
    h->rows_in = 0;
}

size_t hashagg_groups(const struct hashagg *h)
{
    return h->n_groups;
}

/* Spark's double order for min/max: NaN above everything. */
static inline int dbl_lt(double a, double b)
{
    return a < b || (b != b && a == a);
}

static int sval_set(struct sval *s, const char *p, size_t len)
{
    if (len > s->cap) {
        size_t cap = s->cap * 2 > len ? s->cap * 2 : (len < 16 ? 16 : len);
        char *np = realloc(s->p, cap);
        if (!np)
            return -1;
        s->p = np;
        s->cap = cap;
    }
    if (len)
        memcpy(s->p, p, len);
    s->len = len;
    return 0;
}

static int str_cmp(const char *a, size_t la, const char *b, size_t lb)
{
    size_t m = la < lb ? la : lb;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c;
    return (la > lb) - (la < lb);
}

static int update_distinct(struct hashagg *h, struct acc *a, const struct column *c, size_t first,
                           size_t m)
{
    /* The set's key is the pair (group id, value): a two-column view over
     * this chunk, no copy. */
    struct column cols[2];
    memset(cols, 0, sizeof cols);
    cols[0].type = COL_INT64;
    cols[0].i64 = h->gid64;
    cols[1] = *c;
    cols[1].i64 = c->i64 ? c->i64 + first : NULL;
    cols[1].f64 = c->f64 ? c->f64 + first : NULL;
    cols[1].off = c->off ? c->off + first : NULL;
    cols[1].valid = c->valid ? c->valid + first : NULL;
    struct batch view = {.n_rows = m, .cap_rows = m, .n_cols = 2, .cols = cols, .names = NULL};
    static const int pair[2] = {0, 1};
    for (size_t i = 0; i < m; i++)
        h->gid64[i] = h->gid[i];
    size_t next = keytable_size(a->set);
    if (keytable_insert(a->set, &view, pair, 0, m, h->gid2) != 0)
        return -1;
    /* A pair is new iff its id is the next one; nulls are not counted. */
    for (size_t i = 0; i < m; i++)
        if (h->gid2[i] == next) {
            next++;
            if (!column_is_null(&cols[1], i))
                a->i[h->gid[i]]++;
        }
    return 0;
}

static int update_acc(struct hashagg *h, struct acc *a, const struct batch *in, size_t first,
                      size_t m)
{
    const uint32_t *gid = h->gid;
    const struct column *c = a->in_col >= 0 ? &in->cols[a->in_col] : NULL;
    const uint8_t *v = c && c->valid ? c->valid + first : NULL;
    switch (a->kind) {
    case ACC_COUNT: {
        int64_t *cnt = a->i;
        if (a->upd == UPD_ONE || (a->upd == UPD_NONNULL && !v)) {
            for (size_t i = 0; i < m; i++)
                cnt[gid[i]]++;
        } else if (a->upd == UPD_NONNULL) {
            for (size_t i = 0; i < m; i++)
                cnt[gid[i]] += v[i];
        } else {
            const int64_t *x = c->i64 + first;
            for (size_t i = 0; i < m; i++)
                if (!v || v[i])
                    cnt[gid[i]] += x[i];
        }
        return 0;
    }
    case ACC_SUM_I: {
        int64_t *s = a->i;
        uint8_t *has = a->has;
        const int64_t *x = c->i64 + first;
        for (size_t i = 0; i < m; i++) {
            if (v && !v[i])
                continue;
            uint32_t g = gid[i];
            s[g] = (int64_t)((uint64_t)s[g] + (uint64_t)x[i]);
            has[g] = 1;
        }
        return 0;
    }
    case ACC_SUM_D: {
        double *s = a->f;
        uint8_t *has = a->has;
        if (col_type_storage(c->type) == STORE_INT) {
            const int64_t *x = c->i64 + first;
            for (size_t i = 0; i < m; i++) {
                if (v && !v[i])
                    continue;
                s[gid[i]] += (double)x[i];
                has[gid[i]] = 1;
            }
        } else {
            const double *x = c->f64 + first;
            for (size_t i = 0; i < m; i++) {
                if (v && !v[i])
                    continue;
                s[gid[i]] += x[i];
                has[gid[i]] = 1;
            }
        }
        return 0;
    }
    case ACC_MIN:
    case ACC_MAX: {
        int is_min = a->kind == ACC_MIN;
        uint8_t *has = a->has;
        switch (col_type_storage(a->type)) {
        case STORE_INT: {
            const int64_t *x = c->i64 + first;
            int64_t *best = a->i;
            for (size_t i = 0; i < m; i++) {
                if (v && !v[i])
                    continue;
                uint32_t g = gid[i];
                if (!has[g] || (is_min ? x[i] < best[g] : x[i] > best[g])) {
                    best[g] = x[i];
                    has[g] = 1;
                }
            }
            return 0;
        }
        case STORE_DOUBLE: {
            const double *x = c->f64 + first;
            double *best = a->f;
            for (size_t i = 0; i < m; i++) {
                if (v && !v[i])
                    continue;
                uint32_t g = gid[i];
                if (!has[g] || (is_min ? dbl_lt(x[i], best[g]) : dbl_lt(best[g], x[i]))) {
                    best[g] = x[i];
                    has[g] = 1;
                }
            }
            return 0;
        }
        case STORE_STRING:
            for (size_t i = 0; i < m; i++) {
                if (v && !v[i])
                    continue;
                uint32_t g = gid[i];
                size_t r = first + i;
                const char *p = c->bytes + c->off[r];
                size_t len = (size_t)(c->off[r + 1] - c->off[r]);
                struct sval *s = &a->s[g];
                int cmp = has[g] ? str_cmp(p, len, s->p, s->len) : 0;
                if (!has[g] || (is_min ? cmp < 0 : cmp > 0)) {
                    if (sval_set(s, p, len) != 0)
                        return -1;
                    has[g] = 1;
                }
            }
            return 0;
        }
        return 0;
    }
    case ACC_DISTINCT: return update_distinct(h, a, c, first, m);
    }
    return 0;
}

/* add()'s input must have the columns the buffers read, stored as expected. */
static int input_matches(const struct hashagg *h, const struct batch *in)
{
    for (size_t k = 0; k < h->n_keys; k++) {
        int col = h->key_cols[k];
        if ((size_t)col >= in->n_cols ||
            col_type_storage(in->cols[col].type) != col_type_storage(h->key_types[k]))
            return 0;
    }
    for (size_t k = 0; k < h->n_accs; k++) {
        const struct acc *a = &h->accs[k];
        if (a->in_col < 0)
            continue;
        if ((size_t)a->in_col >= in->n_cols)
            return 0;
        enum col_storage st = col_type_storage(in->cols[a->in_col].type);
        int ok;
        if (h->mode == AGG_FINAL)
            ok = st == col_type_storage(a->type);
        else if (a->kind == ACC_COUNT)
            ok = 1; /* count(col) reads only validity */
        else if (a->kind == ACC_SUM_I)
            ok = st == STORE_INT;
        else if (a->kind == ACC_SUM_D)
            ok = st != STORE_STRING;
        else
            ok = st == col_type_storage(a->type);
        if (!ok)
            return 0;
    }
    return 1;
}

enum sc_status hashagg_add(struct hashagg *h, const struct batch *in, struct diag *d)
{
    if (!input_matches(h, in))
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "hash aggregate input does not have the expected columns");
    h->rows_in += (int64_t)in->n_rows;
    for (size_t first = 0; first < in->n_rows; first += CHUNK) {
        size_t m = in->n_rows - first < CHUNK ? in->n_rows - first : CHUNK;
        if (h->table) {
            if (keytable_insert(h->table, in, h->key_cols, first, m, h->gid) != 0)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a hash aggregation");
            h->n_groups = keytable_size(h->table);
        } else {
            memset(h->gid, 0, m * sizeof *h->gid);
        }
        if (ensure_groups(h, h->n_groups) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a hash aggregation");
        for (size_t k = 0; k < h->n_accs; k++)
            if (update_acc(h, &h->accs[k], in, first, m) != 0)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in a hash aggregation");
    }
    return SC_OK;
}

/* Marks row of c null or valid (c's validity is created on the first null). */
static int put_valid(struct column *c, size_t cap_rows, size_t row, int ok)
{
    if (!ok) {
        if (column_ensure_validity(c, cap_rows) != 0)
            return -1;
        c->valid[row] = 0;
    } else if (c->valid) {
        c->valid[row] = 1;
    }
    return 0;
}

static int grow_size_t(size_t **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    size_t *q = realloc(*p, n * sizeof *q);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* One buffer's value for output row j of group g, sub-row s (s > 0 rows of
 * a count-distinct partial carry neutral buffers). */
static int put_buffer(const struct acc *a, struct column *c, size_t cap, size_t j, size_t g,
                      size_t s)
{
    int ok = s == 0 && (a->kind == ACC_COUNT || a->has[g]);
    switch (col_type_storage(a->type)) {
    case STORE_INT: c->i64[j] = ok ? a->i[g] : 0; break;
    case STORE_DOUBLE: c->f64[j] = ok ? a->f[g] : 0.0; break;
    case STORE_STRING:
        if (column_push_string(c, j, ok ? a->s[g].p : "", ok ? a->s[g].len : 0) != 0)
            return -1;
        break;
    }
    return put_valid(c, cap, j, ok || a->kind == ACC_COUNT);
}

/* Partial output: buffers, with each count-distinct set spread over rows. */
static int emit_partial(struct hashagg *h, struct batch *out, size_t *n_rows)
{
    size_t G = h->n_groups, R = 0;
    for (size_t g = 0; g < G; g++) {
        size_t r = 1;
        for (size_t k = 0; k < h->n_accs; k++)
            if (h->accs[k].kind == ACC_DISTINCT && (size_t)h->accs[k].i[g] > r)
                r = (size_t)h->accs[k].i[g];
        R += r;
    }
    if (grow_size_t(&h->e_grp, &h->e_grp_cap, R) != 0 ||
        grow_size_t(&h->e_sub, &h->e_sub_cap, R) != 0 ||
        grow_size_t(&h->e_idx, &h->e_idx_cap, R) != 0)
        return -1;
    size_t *sub = h->e_sub, *idx = h->e_idx;
    size_t j = 0;
    for (size_t g = 0; g < G; g++) {
        size_t r = 1;
        for (size_t k = 0; k < h->n_accs; k++)
            if (h->accs[k].kind == ACC_DISTINCT && (size_t)h->accs[k].i[g] > r)
                r = (size_t)h->accs[k].i[g];
        for (size_t s = 0; s < r; s++, j++) {
            h->e_grp[j] = g;
            sub[j] = s;
        }
    }
    if (batch_ensure(out, R) != 0)
        return -1;
    if (h->table)
        for (size_t k = 0; k < h->n_keys; k++)
            if (column_gather(&out->cols[k], out->cap_rows, 0, &keytable_keys(h->table)->cols[k],
                              h->e_grp, R) != 0)
                return -1;
    for (size_t k = 0; k < h->n_accs; k++) {
        const struct acc *a = &h->accs[k];
        struct column *c = &out->cols[h->n_keys + k];
        if (a->kind != ACC_DISTINCT) {
            for (size_t r = 0; r < R; r++)
                if (put_buffer(a, c, out->cap_rows, r, h->e_grp[r], sub[r]) != 0)
                    return -1;
            continue;
        }
        /* Counting sort of the set's non-null pairs by group: start[g] is
         * where group g's values begin in order[]. */
        const struct batch *pairs = keytable_keys(a->set);
        if (grow_size_t(&h->e_start, &h->e_start_cap, G + 1) != 0 ||
            grow_size_t(&h->e_order, &h->e_order_cap, pairs->n_rows + 1) != 0)
            return -1;
        size_t *start = h->e_start, *order = h->e_order;
        start[0] = 0;
        for (size_t g = 0; g < G; g++)
            start[g + 1] = start[g] + (size_t)a->i[g];
        /* fill cursors: reuse idx[] as a per-group cursor (R >= G) */
        for (size_t g = 0; g < G; g++)
            idx[g] = start[g];
        for (size_t p = 0; p < pairs->n_rows; p++) {
            if (column_is_null(&pairs->cols[1], p))
                continue;
            order[idx[pairs->cols[0].i64[p]]++] = p;
        }
        for (size_t r = 0; r < R; r++) {
            size_t g = h->e_grp[r];
            idx[r] = sub[r] < (size_t)a->i[g] ? order[start[g] + sub[r]] : BATCH_NULL_ROW;
        }
        if (column_gather(c, out->cap_rows, 0, &pairs->cols[1], idx, R) != 0)
            return -1;
    }
    *n_rows = R;
    return 0;
}

static int emit_final(struct hashagg *h, struct batch *out)
{
    size_t G = h->n_groups;
    if (batch_ensure(out, G) != 0)
        return -1;
    if (h->table) {
        if (grow_size_t(&h->e_grp, &h->e_grp_cap, G) != 0)
            return -1;
        for (size_t g = 0; g < G; g++)
            h->e_grp[g] = g;
        for (size_t k = 0; k < h->n_keys; k++)
            if (column_gather(&out->cols[k], out->cap_rows, 0, &keytable_keys(h->table)->cols[k],
                              h->e_grp, G) != 0)
                return -1;
    }
    for (size_t k = 0; k < h->n_calls; k++) {
        const struct call_out *o = &h->calls[k];
        const struct acc *a = &h->accs[o->acc];
        struct column *c = &out->cols[h->n_keys + k];
        for (size_t g = 0; g < G; g++) {
            int ok = 1;
            switch (o->func) {
            case AGG_COUNT_STAR:
            case AGG_COUNT:
            case AGG_COUNT_DISTINCT: c->i64[g] = a->i[g]; break;
            case AGG_AVG: {
                int64_t n = h->accs[o->acc + 1].i[g];
                ok = n > 0;
                c->f64[g] = ok ? a->f[g] / (double)n : 0.0;
                break;
            }
            case AGG_SUM:
            case AGG_MIN:
            case AGG_MAX:
                if (put_buffer(a, c, out->cap_rows, g, g, 0) != 0)
                    return -1;
                continue;
            }
            if (put_valid(c, out->cap_rows, g, ok) != 0)
                return -1;
        }
    }
    return 0;
}

enum sc_status hashagg_emit(struct hashagg *h, struct batch *out, struct kernel_stats *st,
                            struct diag *d)
{
    size_t want = h->n_keys + (h->mode == AGG_PARTIAL ? h->n_accs : h->n_calls);
    if (out->n_cols != want)
        return diag_set(d, SC_EINPUT, NULL, 0, "hash aggregate output has %zu columns, not %zu",
                        out->n_cols, want);
    batch_clear(out);
    size_t rows = h->n_groups;
    int rc = h->mode == AGG_PARTIAL ? emit_partial(h, out, &rows) : emit_final(h, out);
    if (rc != 0) {
        batch_clear(out);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory writing aggregate output");
    }
    out->n_rows = rows;
    if (st) {
        st->rows_in = h->rows_in;
        st->rows_out = (int64_t)rows;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}
