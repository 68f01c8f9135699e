/*
 * expr_eval.c — evaluating a bound expression over a batch, by node rather
 * than by row: each operator node has a scratch column, and evaluating a
 * node runs one tight loop over the batch that reads its children's columns
 * and writes its own (as Spark's vectorised readers and most columnar
 * engines do), instead of walking the tree once per row. Children are
 * "vectors" that are either a real column or a constant (a literal, read at
 * index 0): indexing with i & mask, mask being 0 or all ones, serves both
 * without copying a literal n times, and the hot loops are specialised on
 * the masks so the common column-op-constant case compiles to a plain loop.
 */
#include "models/expr_tree.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/civil.h"

/* ====================================================================== */
/* Evaluation                                                             */
/* ====================================================================== */

/* A child's values: a column (m = SIZE_MAX) or a constant read at index 0
 * (m = 0). v is the validity (NULL: no nulls), indexed the same way. */
struct vec {
    size_t m;
    const int64_t *i;
    const double *f;
    const uint64_t *off;
    const char *b;
    const uint8_t *v;
};

/* The scratch column of one operator node. */
struct slot {
    struct column c; /* type and values; c.valid is unused */
    uint8_t *valid;
    uint16_t *choice; /* CASE, coalesce: the branch each row takes */
    struct vec *kv;   /* the children's results */
    size_t cap;
};

struct expr_scratch {
    const struct expr *e;
    size_t cap;
    int n_slots;
    struct slot *slots;
};

struct ectx {
    const struct batch *in;
    struct expr_scratch *s;
    size_t n;
};

static const uint8_t null_byte = 0;

/* Floor division, for seconds of a timestamp before 1970. */
static inline int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static bool is_int_type(int t)
{
    return t == COL_INT32 || t == COL_INT64;
}

static enum col_storage storage_of(int t)
{
    return t == COL_DOUBLE ? STORE_DOUBLE : t == COL_STRING ? STORE_STRING : STORE_INT;
}

static int slot_setup(struct slot *sl, const struct node *n, size_t cap)
{
    size_t c = cap ? cap : 1;
    sl->c.type = (enum col_type)n->type;
    switch (storage_of(n->type)) {
    case STORE_DOUBLE: {
        double *p = realloc(sl->c.f64, c * sizeof *p);
        if (!p)
            return -1;
        sl->c.f64 = p;
        break;
    }
    case STORE_STRING: {
        uint64_t *p = realloc(sl->c.off, (c + 1) * sizeof *p);
        if (!p)
            return -1;
        sl->c.off = p;
        p[0] = 0;
        break;
    }
    case STORE_INT: {
        int64_t *p = realloc(sl->c.i64, c * sizeof *p);
        if (!p)
            return -1;
        sl->c.i64 = p;
        break;
    }
    }
    uint8_t *v = realloc(sl->valid, c);
    if (!v)
        return -1;
    sl->valid = v;
    if (n->kind == N_CASE || (n->kind == N_FUNC && n->op == F_COALESCE)) {
        uint16_t *ch = realloc(sl->choice, c * sizeof *ch);
        if (!ch)
            return -1;
        sl->choice = ch;
    }
    if (n->n_kids && !sl->kv && !(sl->kv = calloc(n->n_kids, sizeof *sl->kv)))
        return -1;
    sl->cap = c;
    return 0;
}

static int scratch_setup(struct expr_scratch *s, const struct node *n, size_t cap)
{
    for (size_t i = 0; i < n->n_kids; i++)
        if (scratch_setup(s, n->kids[i], cap) != 0)
            return -1;
    return n->slot >= 0 ? slot_setup(&s->slots[n->slot], n, cap) : 0;
}

void expr_scratch_free(struct expr_scratch *s)
{
    if (!s)
        return;
    for (int i = 0; s->slots && i < s->n_slots; i++) {
        struct slot *sl = &s->slots[i];
        free(sl->c.i64);
        free(sl->c.f64);
        free(sl->c.off);
        free(sl->c.bytes);
        free(sl->valid);
        free(sl->choice);
        free(sl->kv);
    }
    free(s->slots);
    free(s);
}

struct expr_scratch *expr_scratch_new(const struct expr *e, size_t cap_rows)
{
    if (!e->bound)
        return NULL;
    struct expr_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->e = e;
    s->n_slots = e->n_slots;
    s->slots = calloc(e->n_slots ? (size_t)e->n_slots : 1, sizeof *s->slots);
    if (!s->slots || scratch_setup(s, e->root, cap_rows) != 0) {
        expr_scratch_free(s);
        return NULL;
    }
    s->cap = cap_rows;
    return s;
}

static int scratch_grow(struct expr_scratch *s, size_t n)
{
    if (n <= s->cap)
        return 0;
    size_t cap = s->cap * 2 > n ? s->cap * 2 : n;
    if (scratch_setup(s, s->e->root, cap) != 0)
        return -1;
    s->cap = cap;
    return 0;
}

static uint8_t *slot_valid(struct slot *d)
{
    if (!d->valid)
        d->valid = malloc(d->cap ? d->cap : 1);
    return d->valid;
}

static void view_slot(struct vec *r, const struct slot *d, bool nulls)
{
    r->m = SIZE_MAX;
    r->i = d->c.i64;
    r->f = d->c.f64;
    r->off = d->c.off;
    r->b = d->c.bytes ? d->c.bytes : "";
    r->v = nulls ? d->valid : NULL;
}

/* Strings are written in row order; str_begin empties the column and
 * str_room makes room for every byte the loop will write. */
static int str_begin(struct slot *d, size_t room)
{
    d->c.bytes_len = 0;
    d->c.off[0] = 0;
    return column_reserve_bytes(&d->c, room);
}

static inline void str_put(struct slot *d, size_t row, const char *p, size_t len)
{
    if (len) {
        memcpy(d->c.bytes + d->c.bytes_len, p, len);
        d->c.bytes_len += len;
    }
    d->c.off[row + 1] = d->c.bytes_len;
}

static inline size_t str_len(const struct vec *a, size_t k)
{
    return (size_t)(a->off[k + 1] - a->off[k]);
}

/* Bytes that rows 0..n-1 of a string vector hold. */
static size_t str_total(const struct vec *a, size_t n)
{
    return a->m ? (size_t)(a->off[n] - a->off[0]) : n * str_len(a, 0);
}

/* Loops over n rows reading a at ia and b at ib, specialised on whether
 * each is a column or a constant so the compiler sees plain indexing. */
#define BIN_LOOP(n, a, b, ...)                                                                     \
    do {                                                                                           \
        if ((a)->m && (b)->m) {                                                                    \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = i, ib = i;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else if ((a)->m) {                                                                       \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = i, ib = 0;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else if ((b)->m) {                                                                       \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = 0, ib = i;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = 0, ib = 0;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define UN_LOOP(n, a, ...)                                                                         \
    do {                                                                                           \
        if ((a)->m) {                                                                              \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = i;                                                               \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = 0;                                                               \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static inline bool is_valid(const struct vec *a, size_t i)
{
    return !a->v || a->v[i & a->m] != 0;
}

/* The result is null wherever any of the k inputs is. Returns 1 (dst's
 * validity written), 0 (no nulls) or -1 (out of memory). */
static int valid_all(struct slot *dst, size_t n, const struct vec *const *in, size_t k)
{
    size_t with = 0;
    const struct vec *w[4];
    for (size_t j = 0; j < k; j++)
        if (in[j] && in[j]->v)
            w[with++] = in[j];
    if (with == 0)
        return 0;
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    const struct vec *a = w[0];
    if (a->m)
        for (size_t i = 0; i < n; i++)
            v[i] = a->v[i] != 0;
    else
        memset(v, a->v[0] != 0, n);
    for (size_t j = 1; j < with; j++) {
        const struct vec *b = w[j];
        for (size_t i = 0; i < n; i++)
            v[i] &= b->v[i & b->m] != 0;
    }
    return 1;
}

static int valid_and(struct slot *dst, size_t n, const struct vec *a, const struct vec *b)
{
    const struct vec *in[2] = {a, b};
    return valid_all(dst, n, in, 2);
}

static inline int64_t wrap32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

static int copy_vec(struct slot *dst, size_t n, const struct vec *a, int type)
{
    switch (storage_of(type)) {
    case STORE_INT:
        if (a->m)
            memcpy(dst->c.i64, a->i, n * sizeof *a->i);
        else
            for (size_t i = 0; i < n; i++)
                dst->c.i64[i] = a->i[0];
        break;
    case STORE_DOUBLE:
        if (a->m)
            memcpy(dst->c.f64, a->f, n * sizeof *a->f);
        else
            for (size_t i = 0; i < n; i++)
                dst->c.f64[i] = a->f[0];
        break;
    case STORE_STRING:
        if (str_begin(dst, str_total(a, n)) != 0)
            return -1;
        if (a->m && n) {
            size_t total = str_total(a, n);
            if (total)
                memcpy(dst->c.bytes, a->b + a->off[0], total);
            for (size_t i = 0; i < n; i++)
                dst->c.off[i + 1] = a->off[i + 1] - a->off[0];
            dst->c.bytes_len = total;
        } else {
            for (size_t i = 0; i < n; i++)
                str_put(dst, i, a->b + a->off[0], str_len(a, 0));
        }
        break;
    }
    return valid_all(dst, n, &a, 1);
}

static int eval_neg(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f;
        double *o = dst->c.f64;
        UN_LOOP(n, a, o[i] = -A[ia]);
    } else {
        const int64_t *A = a->i;
        int64_t *o = dst->c.i64;
        UN_LOOP(n, a, o[i] = (int64_t)(0 - (uint64_t)A[ia]));
        if (nd->type == COL_INT32)
            for (size_t i = 0; i < n; i++)
                o[i] = wrap32(o[i]);
    }
    return valid_all(dst, n, &a, 1);
}

static int eval_arith(const struct node *nd, const struct vec *a, const struct vec *b,
                      struct slot *dst, size_t n)
{
    int op = nd->op;
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f, *B = b->f;
        double *o = dst->c.f64;
        switch (op) {
        case TK_PLUS: BIN_LOOP(n, a, b, o[i] = A[ia] + B[ib]); break;
        case TK_MINUS: BIN_LOOP(n, a, b, o[i] = A[ia] - B[ib]); break;
        case TK_STAR: BIN_LOOP(n, a, b, o[i] = A[ia] * B[ib]); break;
        case TK_SLASH: BIN_LOOP(n, a, b, o[i] = B[ib] != 0.0 ? A[ia] / B[ib] : 0.0); break;
        case TK_PCT: BIN_LOOP(n, a, b, o[i] = B[ib] != 0.0 ? fmod(A[ia], B[ib]) : 0.0); break;
        }
    } else {
        /* Integer overflow wraps, as Spark's (non-ANSI) int and long do:
         * computed in unsigned arithmetic, where wrapping is defined. */
        const int64_t *A = a->i, *B = b->i;
        int64_t *o = dst->c.i64;
        switch (op) {
        case TK_PLUS: BIN_LOOP(n, a, b, o[i] = (int64_t)((uint64_t)A[ia] + (uint64_t)B[ib])); break;
        case TK_MINUS:
            BIN_LOOP(n, a, b, o[i] = (int64_t)((uint64_t)A[ia] - (uint64_t)B[ib]));
            break;
        case TK_STAR: BIN_LOOP(n, a, b, o[i] = (int64_t)((uint64_t)A[ia] * (uint64_t)B[ib])); break;
        case TK_PCT:
            /* x % -1 is 0; computing it could trap on INT64_MIN. */
            BIN_LOOP(n, a, b, o[i] = B[ib] == 0 || B[ib] == -1 ? 0 : A[ia] % B[ib]);
            break;
        }
        if (nd->type == COL_INT32)
            for (size_t i = 0; i < n; i++)
                o[i] = wrap32(o[i]);
    }
    if (op != TK_SLASH && op != TK_PCT)
        return valid_and(dst, n, a, b);
    /* Division by zero is NULL (Spark without ANSI mode). */
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    bool dbl = nd->type == COL_DOUBLE;
    for (size_t i = 0; i < n; i++) {
        size_t ib = i & b->m;
        v[i] = is_valid(a, i) && is_valid(b, i) && (dbl ? b->f[ib] != 0.0 : b->i[ib] != 0);
    }
    return 1;
}

/* Byte-wise comparison, as Spark compares UTF8String values. */
static inline int str_cmp(const struct vec *a, size_t ka, const struct vec *b, size_t kb)
{
    size_t la = str_len(a, ka), lb = str_len(b, kb);
    int c = memcmp(a->b + a->off[ka], b->b + b->off[kb], la < lb ? la : lb);
    if (c == 0 && (la || lb))
        return (la > lb) - (la < lb);
    return c;
}

/* Equality of n bytes. Keys and codes are mostly short: an inline loop
 * beats a call to memcmp there (it halved `s IN ('a', 'b')`). */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static inline bool str_eq(const struct vec *a, size_t ka, const struct vec *b, size_t kb)
{
    size_t la = str_len(a, ka);
    return la == str_len(b, kb) && bytes_eq(a->b + a->off[ka], b->b + b->off[kb], la);
}

#define CMP_SWITCH(A, B)                                                                           \
    switch (nd->op) {                                                                              \
    case TK_EQ: BIN_LOOP(n, a, b, o[i] = (A)[ia] == (B)[ib]); break;                               \
    case TK_NE: BIN_LOOP(n, a, b, o[i] = (A)[ia] != (B)[ib]); break;                               \
    case TK_LT: BIN_LOOP(n, a, b, o[i] = (A)[ia] < (B)[ib]); break;                                \
    case TK_LE: BIN_LOOP(n, a, b, o[i] = (A)[ia] <= (B)[ib]); break;                               \
    case TK_GT: BIN_LOOP(n, a, b, o[i] = (A)[ia] > (B)[ib]); break;                                \
    case TK_GE: BIN_LOOP(n, a, b, o[i] = (A)[ia] >= (B)[ib]); break;                               \
    }

static int eval_cmp(const struct node *nd, const struct vec *a, const struct vec *b,
                    struct slot *dst, size_t n)
{
    int64_t *o = dst->c.i64;
    switch (storage_of(nd->kids[0]->type)) {
    case STORE_DOUBLE: CMP_SWITCH(a->f, b->f); break;
    case STORE_INT: CMP_SWITCH(a->i, b->i); break;
    case STORE_STRING:
        if (nd->op == TK_EQ || nd->op == TK_NE) {
            bool ne = nd->op == TK_NE;
            BIN_LOOP(n, a, b, o[i] = str_eq(a, ia, b, ib) != ne);
        } else {
            int op = nd->op;
            BIN_LOOP(n, a, b, {
                int c = str_cmp(a, ia, b, ib);
                o[i] = op == TK_LT ? c < 0 : op == TK_LE ? c <= 0 : op == TK_GT ? c > 0 : c >= 0;
            });
        }
        break;
    }
    return valid_and(dst, n, a, b);
}

/* SQL's three-valued AND and OR: FALSE AND NULL is FALSE, TRUE OR NULL is
 * TRUE, anything else with a NULL is NULL. */
static int eval_andor(const struct node *nd, const struct vec *a, const struct vec *b,
                      struct slot *dst, size_t n)
{
    const int64_t *A = a->i, *B = b->i;
    int64_t *o = dst->c.i64;
    bool is_and = nd->kind == N_AND;
    if (!a->v && !b->v) {
        if (is_and)
            BIN_LOOP(n, a, b, o[i] = (A[ia] != 0) & (B[ib] != 0));
        else
            BIN_LOOP(n, a, b, o[i] = (A[ia] != 0) | (B[ib] != 0));
        return 0;
    }
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t ia = i & a->m, ib = i & b->m;
        int va = is_valid(a, i), vb = is_valid(b, i);
        int xa = A[ia] != 0, xb = B[ib] != 0;
        if (is_and) {
            int fa = va & !xa, fb = vb & !xb; /* known FALSE */
            v[i] = (uint8_t)(fa | fb | (va & vb));
            o[i] = (fa | fb) ? 0 : (va & vb);
        } else {
            int ta = va & xa, tb = vb & xb; /* known TRUE */
            v[i] = (uint8_t)(ta | tb | (va & vb));
            o[i] = ta | tb;
        }
    }
    return 1;
}

static int eval_not(const struct vec *a, struct slot *dst, size_t n)
{
    const int64_t *A = a->i;
    int64_t *o = dst->c.i64;
    UN_LOOP(n, a, o[i] = A[ia] == 0);
    return valid_all(dst, n, &a, 1);
}

/* x IN (y1, y2, ...): TRUE when x equals some yj; otherwise NULL when x or
 * some yj is NULL; otherwise FALSE. NOT IN negates the known results. */
static int eval_in(const struct node *nd, const struct vec *kv, struct slot *dst, size_t n)
{
    const struct vec *x = &kv[0];
    size_t k = nd->n_kids - 1;
    enum col_storage st = storage_of(nd->kids[0]->type);
    int64_t *o = dst->c.i64;
    bool item_nulls = false, all_const = true;
    for (size_t j = 1; j <= k; j++) {
        item_nulls |= kv[j].v != NULL;
        all_const &= kv[j].m == 0;
    }
    uint8_t *v = NULL;
    if (x->v || item_nulls) {
        if (!(v = slot_valid(dst)))
            return -1;
    }
    bool neg = nd->negate;
    if (all_const && !item_nulls) {
        /* The common case, a list of literals: hoist them out of the loop. */
        int64_t ci[256];
        double cf[256];
        const char *cs[256];
        size_t cl[256];
        for (size_t j = 0; j < k; j++) {
            const struct vec *y = &kv[j + 1];
            ci[j] = st == STORE_INT ? y->i[0] : 0;
            cf[j] = st == STORE_DOUBLE ? y->f[0] : 0.0;
            cs[j] = st == STORE_STRING ? y->b + y->off[0] : NULL;
            cl[j] = st == STORE_STRING ? str_len(y, 0) : 0;
        }
        switch (st) {
        case STORE_INT:
            UN_LOOP(n, x, {
                bool found = false;
                for (size_t j = 0; j < k && !found; j++)
                    found = x->i[ia] == ci[j];
                o[i] = found != neg;
            });
            break;
        case STORE_DOUBLE:
            UN_LOOP(n, x, {
                bool found = false;
                for (size_t j = 0; j < k && !found; j++)
                    found = x->f[ia] == cf[j];
                o[i] = found != neg;
            });
            break;
        case STORE_STRING:
            UN_LOOP(n, x, {
                const char *p = x->b + x->off[ia];
                size_t l = str_len(x, ia);
                bool found = false;
                for (size_t j = 0; j < k && !found; j++)
                    found = l == cl[j] && bytes_eq(p, cs[j], l);
                o[i] = found != neg;
            });
            break;
        }
        return v ? valid_all(dst, n, &x, 1) : 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t ix = i & x->m;
        bool found = false, some_null = false;
        for (size_t j = 1; j <= k && !found; j++) {
            const struct vec *y = &kv[j];
            size_t iy = i & y->m;
            if (!is_valid(y, i)) {
                some_null = true;
                continue;
            }
            switch (st) {
            case STORE_INT: found = x->i[ix] == y->i[iy]; break;
            case STORE_DOUBLE: found = x->f[ix] == y->f[iy]; break;
            case STORE_STRING: found = str_eq(x, ix, y, iy); break;
            }
        }
        bool valid = is_valid(x, i) && (found || !some_null);
        o[i] = valid && found != neg;
        if (v)
            v[i] = valid;
    }
    return v ? 1 : 0;
}

/* Writes each row from the vector its choice names (CASE, coalesce). */
static int gather_choice(struct slot *dst, size_t n, const struct vec *const *vals, size_t nv,
                         const uint16_t *ch, int type)
{
    bool nulls = false;
    for (size_t j = 0; j < nv; j++)
        nulls |= vals[j]->v != NULL;
    switch (storage_of(type)) {
    case STORE_INT:
        for (size_t i = 0; i < n; i++) {
            const struct vec *y = vals[ch[i]];
            dst->c.i64[i] = y->i[i & y->m];
        }
        break;
    case STORE_DOUBLE:
        for (size_t i = 0; i < n; i++) {
            const struct vec *y = vals[ch[i]];
            dst->c.f64[i] = y->f[i & y->m];
        }
        break;
    case STORE_STRING: {
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
            total += str_len(vals[ch[i]], i & vals[ch[i]]->m);
        if (str_begin(dst, total) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const struct vec *y = vals[ch[i]];
            size_t k = i & y->m;
            str_put(dst, i, y->b + y->off[k], str_len(y, k));
        }
        break;
    }
    }
    if (!nulls)
        return 0;
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = is_valid(vals[ch[i]], i);
    return 1;
}

static int eval_case(const struct node *nd, const struct vec *kv, uint16_t *ch, struct slot *dst,
                     size_t n)
{
    size_t nw = (nd->n_kids - 1) / 2;
    const struct vec *vals[256];
    for (size_t i = 0; i < n; i++)
        ch[i] = (uint16_t)nw;
    /* Conditions from the last to the first, so the first that holds wins. */
    for (size_t w = nw; w-- > 0;) {
        const struct vec *c = &kv[2 * w];
        for (size_t i = 0; i < n; i++)
            if (is_valid(c, i) && c->i[i & c->m])
                ch[i] = (uint16_t)w;
        vals[w] = &kv[2 * w + 1];
    }
    vals[nw] = &kv[nd->n_kids - 1];
    return gather_choice(dst, n, vals, nw + 1, ch, nd->type);
}

static int eval_coalesce(const struct node *nd, const struct vec *kv, uint16_t *ch,
                         struct slot *dst, size_t n)
{
    size_t k = nd->n_kids;
    const struct vec *vals[256];
    for (size_t j = 0; j < k; j++)
        vals[j] = &kv[j];
    /* The first non-null argument; the last one (null) when all are. */
    for (size_t i = 0; i < n; i++)
        ch[i] = (uint16_t)(k - 1);
    for (size_t j = k - 1; j-- > 0;)
        for (size_t i = 0; i < n; i++)
            if (is_valid(&kv[j], i))
                ch[i] = (uint16_t)j;
    return gather_choice(dst, n, vals, k, ch, nd->type);
}

static int eval_date_part(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    int64_t *o = dst->c.i64;
    for (size_t i = 0; i < n; i++) {
        int64_t z = a->i[i & a->m], y;
        unsigned m, d;
        if (z < -(INT64_C(1) << 40) || z > (INT64_C(1) << 40))
            z = 0; /* not a date (a null's filler); keeps the arithmetic defined */
        civil_date_from_days(z, &y, &m, &d);
        o[i] = nd->op == F_YEAR ? y : nd->op == F_MONTH ? (int64_t)m : (int64_t)d;
    }
    return valid_all(dst, n, &a, 1);
}

/* hour, minute and second of a timestamp, in UTC. */
static int eval_time_part(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    int64_t *o = dst->c.i64;
    int64_t unit = nd->op == F_HOUR ? INT64_C(3600000000) : nd->op == F_MINUTE ? 60000000 : 1000000;
    int64_t mod = nd->op == F_HOUR ? 24 : 60;
    for (size_t i = 0; i < n; i++) {
        int64_t x = a->i[i & a->m];
        o[i] = civil_micros_of_day(x) / unit % mod;
    }
    return valid_all(dst, n, &a, 1);
}

/* The first day of the year, quarter, month or week (weeks start on
 * Monday, as Spark's) that day z falls in; z itself for a smaller unit. */
static int64_t trunc_days(int64_t z, int64_t unit)
{
    int64_t y;
    unsigned m;
    switch ((enum trunc_unit)unit) {
    case TU_YEAR: civil_date_from_days(z, &y, &m, NULL); return civil_days_from_date(y, 1, 1);
    case TU_QUARTER:
        civil_date_from_days(z, &y, &m, NULL);
        return civil_days_from_date(y, (m - 1) / 3 * 3 + 1, 1);
    case TU_MONTH: civil_date_from_days(z, &y, &m, NULL); return civil_days_from_date(y, m, 1);
    case TU_WEEK: {
        /* 1970-01-01 was a Thursday: (z + 3) mod 7 counts days from Monday. */
        int64_t dow = ((z + 3) % 7 + 7) % 7;
        return z - dow;
    }
    default: return z;
    }
}

/* date_trunc(unit, ts) and trunc(d, unit). */
static int eval_trunc(const struct node *nd, const struct vec *kv, struct slot *dst, size_t n)
{
    bool dt = nd->op == F_DATE_TRUNC;
    const struct vec *a = &kv[dt ? 1 : 0];
    int64_t *o = dst->c.i64;
    int64_t unit = nd->ival;
    for (size_t i = 0; i < n; i++) {
        int64_t x = a->i[i & a->m];
        if (x < -(INT64_C(1) << 61) || x > (INT64_C(1) << 61))
            x = 0; /* a null's filler, kept in range */
        if (!dt) {
            o[i] = trunc_days(x, unit);
            continue;
        }
        int64_t step = unit == TU_HOUR     ? INT64_C(3600000000)
                       : unit == TU_MINUTE ? INT64_C(60000000)
                       : unit == TU_SECOND ? INT64_C(1000000)
                                           : 0;
        if (step)
            o[i] = floor_div(x, step) * step;
        else
            o[i] = trunc_days(civil_days_from_micros(x), unit) * CIVIL_US_PER_DAY;
    }
    return valid_all(dst, n, &a, 1);
}

/* to_date of a date, date_add, date_sub and datediff: day arithmetic on
 * days since 1970-01-01 (Spark's DateType), null when an input is. Spark
 * adds dates and days as Ints, so a sum past int32 wraps, as it does
 * there (a bigint of days is cast to an Int first: its low 32 bits), and
 * never overflows int64 (found by fuzz_expr: date_add(ts, b)). */
static int eval_date_arith(const struct node *nd, const struct vec *kv, struct slot *dst, size_t n)
{
    int64_t *o = dst->c.i64;
    const struct vec *a = &kv[0], *b = nd->n_kids > 1 ? &kv[1] : NULL;
    for (size_t i = 0; i < n; i++) {
        int64_t x = a->i[i & a->m], y = b ? b->i[i & b->m] : 0;
        switch ((enum fn_id)nd->op) {
        case F_DATE_ADD: o[i] = wrap32((int64_t)((uint64_t)x + (uint64_t)y)); break;
        case F_DATE_SUB:
        case F_DATEDIFF: o[i] = wrap32((int64_t)((uint64_t)x - (uint64_t)y)); break;
        default: o[i] = x; break;
        }
    }
    const struct vec *in[2] = {a, b};
    return valid_all(dst, n, in, b ? 2 : 1);
}

/* substr(s, pos[, len]) as Spark's UTF8String.substringSQL, on bytes. */
static int eval_substr(const struct node *nd, const struct vec *kv, struct slot *dst, size_t n)
{
    const struct vec *s = &kv[0], *p = &kv[1], *l = nd->n_kids > 2 ? &kv[2] : NULL;
    if (str_begin(dst, str_total(s, n)) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t ks = i & s->m;
        int64_t len = (int64_t)str_len(s, ks);
        int64_t pos = p->i[i & p->m];
        int64_t ln = l ? l->i[i & l->m] : INT64_MAX;
        int64_t start = pos > 0 ? pos - 1 : pos < 0 ? (pos < -len ? -len - 1 : len + pos) : 0;
        int64_t end = ln < 0 ? start : start > 0 && ln > INT64_MAX - start ? INT64_MAX : start + ln;
        if (start < 0)
            start = 0;
        if (end > len)
            end = len;
        if (start >= end)
            str_put(dst, i, "", 0);
        else
            str_put(dst, i, s->b + s->off[ks] + start, (size_t)(end - start));
    }
    const struct vec *in[3] = {s, p, l};
    return valid_all(dst, n, in, 3);
}

static int eval_case_fold(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    bool lower = nd->op == F_LOWER;
    if (str_begin(dst, str_total(a, n)) != 0)
        return -1;
    char *o = dst->c.bytes;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = i & a->m, len = str_len(a, k);
        const char *src = a->b + a->off[k];
        for (size_t j = 0; j < len; j++) {
            char c = src[j];
            if (lower && c >= 'A' && c <= 'Z')
                c = (char)(c + ('a' - 'A'));
            else if (!lower && c >= 'a' && c <= 'z')
                c = (char)(c - ('a' - 'A'));
            o[at++] = c;
        }
        dst->c.off[i + 1] = at;
    }
    dst->c.bytes_len = at;
    return valid_all(dst, n, &a, 1);
}

static int eval_abs(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f;
        double *o = dst->c.f64;
        UN_LOOP(n, a, o[i] = fabs(A[ia]));
    } else {
        const int64_t *A = a->i;
        int64_t *o = dst->c.i64;
        /* abs of the most negative value wraps to itself, as in Spark. */
        UN_LOOP(n, a, o[i] = A[ia] < 0 ? (int64_t)(0 - (uint64_t)A[ia]) : A[ia]);
        if (nd->type == COL_INT32)
            for (size_t i = 0; i < n; i++)
                o[i] = wrap32(o[i]);
    }
    return valid_all(dst, n, &a, 1);
}

/* Rounds half away from zero (Spark's HALF_UP). A product like
 * 2.675 * 100 = 267.49999999999997 is taken as the .5 it was written as,
 * the way Spark rounds the decimal text of a double. */
static double round_half_up(double y)
{
    double t = trunc(y), f = fabs(y - t);
    if (fabs(f - 0.5) <= 4.0 * 2.220446049250313e-16 * fmax(1.0, fabs(y)))
        return t + copysign(1.0, y);
    return round(y);
}

static int eval_round(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    int64_t dg = nd->n_kids > 1 ? nd->ival : 0;
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f;
        double *o = dst->c.f64;
        if (dg > 308 || dg < -308) {
            UN_LOOP(n, a, o[i] = dg > 0 ? A[ia] : 0.0);
        } else if (dg >= 0) {
            double p = pow(10.0, (double)dg);
            UN_LOOP(n, a, {
                double y = A[ia] * p;
                o[i] = isfinite(y) ? round_half_up(y) / p : A[ia];
            });
        } else {
            double q = pow(10.0, (double)-dg);
            UN_LOOP(n, a, o[i] = isfinite(A[ia]) ? round_half_up(A[ia] / q) * q : A[ia]);
        }
    } else {
        const int64_t *A = a->i;
        int64_t *o = dst->c.i64;
        if (dg >= 0) {
            UN_LOOP(n, a, o[i] = A[ia]);
        } else if (dg < -18) {
            UN_LOOP(n, a, o[i] = 0);
        } else {
            int64_t p = 1;
            for (int64_t j = 0; j < -dg; j++)
                p *= 10;
            UN_LOOP(n, a, {
                int64_t q = A[ia] / p, r = A[ia] % p;
                if ((r < 0 ? -r : r) * 2 >= p)
                    q += A[ia] < 0 ? -1 : 1;
                o[i] = (int64_t)((uint64_t)q * (uint64_t)p);
            });
            if (nd->type == COL_INT32)
                for (size_t i = 0; i < n; i++)
                    o[i] = wrap32(o[i]);
        }
    }
    return valid_all(dst, n, &a, 1);
}

/* Java's (int) and (long) of a double, which Spark's cast uses with ANSI
 * mode off: toward zero, saturating, NaN 0. */
static int64_t double_to_int(double x, int t)
{
    double lo = t == COL_INT32 ? -2147483648.0 : -9223372036854775808.0;
    double hi = t == COL_INT32 ? 2147483647.0 : 9223372036854775807.0;
    if (x != x)
        return 0;
    if (x <= lo)
        return (int64_t)lo;
    if (x >= hi)
        return t == COL_INT32 ? INT32_MAX : INT64_MAX;
    return (int64_t)x;
}

/* A string as Spark's cast reads a number (UTF8String.toLong / toInt /
 * Double.parseDouble): blanks around it ignored; for integers an optional
 * fraction is cut off ("12.7" is 12); out of range or not a number is
 * false (NULL). */
static bool string_to_number(const char *s, size_t len, int t, int64_t *iv, double *fv)
{
    char buf[64];
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    if (t == COL_DOUBLE) {
        *fv = strtod(buf, &end);
        return *end == '\0' && end != buf;
    }
    long long v = strtoll(buf, &end, 10);
    if (end == buf || !isdigit((unsigned char)end[-1]) || errno == ERANGE)
        return false;
    if (*end == '.') {
        for (end++; isdigit((unsigned char)*end); end++)
            ;
    }
    if (*end != '\0' || (t == COL_INT32 && (v < INT32_MIN || v > INT32_MAX)))
        return false;
    *iv = v;
    return true;
}

/* Spark's string to boolean: t, true, y, yes, 1 and f, false, n, no, 0 in
 * any case, blanks ignored; anything else NULL. */
static bool string_to_bool(const char *s, size_t len, int64_t *out)
{
    static const char *const yes[] = {"t", "true", "y", "yes", "1"};
    static const char *const no[] = {"f", "false", "n", "no", "0"};
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    for (size_t j = 0; j < 5; j++) {
        if (strlen(yes[j]) == len && strncasecmp(s, yes[j], len) == 0) {
            *out = 1;
            return true;
        }
        if (strlen(no[j]) == len && strncasecmp(s, no[j], len) == 0) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* CAST and the binder's coercions: row by row from the operand's type to
 * the node's, NULL where the operand is or where a string is not a value
 * of the target type (Spark with ANSI mode off). Timestamps are read and
 * written in UTC. */
static int eval_cast(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    int from = nd->kids[0]->type, to = nd->type;
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = is_valid(a, i);
    if (from == to || (is_int_type(from) && is_int_type(to) && to == COL_INT64) ||
        (from == COL_BOOLEAN && is_int_type(to))) {
        if (copy_vec(dst, n, a, from) < 0)
            return -1;
        return 1;
    }
    int64_t *oi = dst->c.i64;
    double *of = dst->c.f64;
    if (to == COL_STRING) {
        if (str_begin(dst, n * 48) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            char buf[48];
            size_t len = 0;
            int64_t x = a->i[i & a->m];
            if (v[i]) {
                if (from == COL_DATE)
                    len = civil_format_date(x, buf);
                else if (from == COL_TIMESTAMP)
                    len = civil_format_timestamp(x, buf);
                else if (from == COL_BOOLEAN)
                    len = (size_t)snprintf(buf, sizeof buf, "%s", x ? "true" : "false");
                else
                    len = (size_t)snprintf(buf, sizeof buf, "%lld", (long long)x);
            }
            str_put(dst, i, buf, len);
        }
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k = i & a->m;
        if (!v[i]) {
            if (storage_of(to) == STORE_DOUBLE)
                of[i] = 0.0;
            else
                oi[i] = 0;
            continue;
        }
        int64_t x = storage_of(from) == STORE_INT ? a->i[k] : 0;
        double f = from == COL_DOUBLE ? a->f[k] : 0.0;
        const char *s = from == COL_STRING ? a->b + a->off[k] : NULL;
        size_t sl = from == COL_STRING ? str_len(a, k) : 0;
        bool ok = true;
        switch (to) {
        case COL_DATE:
            if (from == COL_STRING)
                ok = civil_cast_date(s, sl, &oi[i]);
            else /* a timestamp: its day */
                oi[i] = civil_days_from_micros(x);
            break;
        case COL_TIMESTAMP:
            if (from == COL_STRING)
                ok = civil_cast_timestamp(s, sl, &oi[i]);
            else if (from == COL_DATE) /* NULL past the last timestamp */
                ok = civil_micros_from_days(x, &oi[i]);
            else if (from == COL_DOUBLE) /* seconds since the epoch */
            {
                ok = isfinite(f) && fabs(f) < 9.2e12;
                oi[i] = ok ? (int64_t)(f * 1e6) : 0;
            } else
                oi[i] = (int64_t)((uint64_t)x * UINT64_C(1000000));
            break;
        case COL_DOUBLE:
            if (from == COL_STRING)
                ok = string_to_number(s, sl, to, &x, &of[i]);
            else if (from == COL_TIMESTAMP)
                of[i] = (double)x / 1e6;
            else
                of[i] = (double)x;
            break;
        case COL_INT32:
        case COL_INT64:
            if (from == COL_STRING)
                ok = string_to_number(s, sl, to, &oi[i], &f);
            else if (from == COL_DOUBLE)
                oi[i] = double_to_int(f, to);
            else if (from == COL_TIMESTAMP) /* whole seconds, floored */
                oi[i] = floor_div(x, 1000000);
            else
                oi[i] = x;
            if (ok && to == COL_INT32)
                oi[i] = wrap32(oi[i]);
            break;
        case COL_BOOLEAN:
            if (from == COL_STRING)
                ok = string_to_bool(s, sl, &oi[i]);
            else if (from == COL_DOUBLE)
                oi[i] = f != 0.0;
            else
                oi[i] = x != 0;
            break;
        default: ok = false; break;
        }
        v[i] = ok;
    }
    return 1;
}

static void view_leaf(const struct ectx *x, const struct node *nd, struct vec *r)
{
    if (nd->kind == N_LIT) {
        r->m = 0;
        r->i = &nd->ival;
        r->f = &nd->fval;
        r->off = nd->soff;
        r->b = nd->sval ? nd->sval : "";
        r->v = nd->is_null ? &null_byte : NULL;
    } else {
        const struct column *c = &x->in->cols[nd->col];
        r->m = SIZE_MAX;
        r->i = c->i64;
        r->f = c->f64;
        r->off = c->off;
        r->b = c->bytes ? c->bytes : "";
        r->v = c->valid;
    }
}

/* Evaluates nd over the batch into dst (its own scratch slot when dst is
 * NULL; a leaf then is only viewed, not copied) and describes the result
 * in r. Returns 0, or -1 when memory runs out. */
static int eval_node(struct ectx *x, const struct node *nd, struct slot *dst, struct vec *r)
{
    size_t n = x->n;
    int nulls;
    if (nd->kind == N_LIT || nd->kind == N_COL) {
        view_leaf(x, nd, r);
        if (!dst)
            return 0;
        if ((nulls = copy_vec(dst, n, r, nd->type)) < 0)
            return -1;
        view_slot(r, dst, nulls);
        return 0;
    }
    struct slot *own = &x->s->slots[nd->slot];
    if (!dst)
        dst = own;
    struct vec *kv = own->kv;
    for (size_t k = 0; k < nd->n_kids; k++)
        if (eval_node(x, nd->kids[k], NULL, &kv[k]) != 0)
            return -1;
    switch (nd->kind) {
    case N_NEG: nulls = eval_neg(nd, &kv[0], dst, n); break;
    case N_ARITH: nulls = eval_arith(nd, &kv[0], &kv[1], dst, n); break;
    case N_CMP: nulls = eval_cmp(nd, &kv[0], &kv[1], dst, n); break;
    case N_AND:
    case N_OR: nulls = eval_andor(nd, &kv[0], &kv[1], dst, n); break;
    case N_NOT: nulls = eval_not(&kv[0], dst, n); break;
    case N_IN: nulls = eval_in(nd, kv, dst, n); break;
    case N_ISNULL: {
        const struct vec *a = &kv[0];
        int64_t *o = dst->c.i64;
        bool neg = nd->negate;
        for (size_t i = 0; i < n; i++)
            o[i] = is_valid(a, i) == neg;
        nulls = 0;
        break;
    }
    case N_CASE: nulls = eval_case(nd, kv, own->choice, dst, n); break;
    case N_CAST: nulls = eval_cast(nd, &kv[0], dst, n); break;
    case N_FUNC:
        switch ((enum fn_id)nd->op) {
        case F_YEAR:
        case F_MONTH:
        case F_DAYOFMONTH: nulls = eval_date_part(nd, &kv[0], dst, n); break;
        case F_HOUR:
        case F_MINUTE:
        case F_SECOND: nulls = eval_time_part(nd, &kv[0], dst, n); break;
        case F_DATE_TRUNC:
        case F_TRUNC: nulls = eval_trunc(nd, kv, dst, n); break;
        case F_SUBSTR: nulls = eval_substr(nd, kv, dst, n); break;
        case F_LOWER:
        case F_UPPER: nulls = eval_case_fold(nd, &kv[0], dst, n); break;
        case F_COALESCE: nulls = eval_coalesce(nd, kv, own->choice, dst, n); break;
        case F_ABS: nulls = eval_abs(nd, &kv[0], dst, n); break;
        case F_ROUND: nulls = eval_round(nd, &kv[0], dst, n); break;
        case F_TO_DATE:
        case F_TO_TIMESTAMP:
        case F_DATE_ADD:
        case F_DATE_SUB:
        case F_DATEDIFF: nulls = eval_date_arith(nd, kv, dst, n); break;
        default: nulls = -1; break;
        }
        break;
    default: nulls = -1; break;
    }
    if (nulls < 0)
        return -1;
    view_slot(r, dst, nulls);
    return 0;
}

static enum sc_status check_layout(const struct expr *e, const struct batch *in,
                                   const struct expr_scratch *s, struct diag *d)
{
    if (!e->bound)
        return diag_set(d, SC_EINTERNAL, NULL, 0, "expression '%s' is not bound", e->text);
    if (!s || s->e != e)
        return diag_set(d, SC_EINTERNAL, NULL, 0,
                        "scratch was made for another expression than '%s'", e->text);
    for (size_t k = 0; k < e->n_refs; k++) {
        int c = e->ref_col[k];
        if ((size_t)c >= in->n_cols || in->cols[c].type != e->ref_type[k] ||
            strcmp(in->names[c], e->refs[k]) != 0)
            return diag_set(d, SC_EINTERNAL, NULL, 0,
                            "the batch does not have the layout '%s' was bound to (column '%s')",
                            e->text, e->refs[k]);
    }
    return SC_OK;
}

enum sc_status expr_eval(const struct expr *e, const struct batch *in, struct expr_scratch *s,
                         struct batch *out, size_t col, struct diag *d)
{
    enum sc_status st = check_layout(e, in, s, d);
    if (st != SC_OK)
        return st;
    if (out == in || col >= out->n_cols || out->cols[col].type != expr_type(e))
        return diag_set(d, SC_EINTERNAL, NULL, 0, "output column %zu does not fit '%s' (%s)", col,
                        e->text, col_type_name(expr_type(e)));
    if (batch_reserve(out, in->n_rows) != 0 || scratch_grow(s, in->n_rows) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct column *oc = &out->cols[col];
    struct slot tmp = {.c = *oc, .valid = oc->valid, .cap = out->cap_rows};
    struct ectx x = {in, s, in->n_rows};
    struct vec r;
    int rc = eval_node(&x, e->root, &tmp, &r);
    *oc = tmp.c;
    if (rc == 0 && !r.v) {
        free(tmp.valid);
        oc->valid = NULL;
    } else {
        oc->valid = tmp.valid;
    }
    if (rc != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    return SC_OK;
}

enum sc_status expr_select(const struct expr *pred, const struct batch *in, struct expr_scratch *s,
                           size_t *sel, size_t *n_sel, struct diag *d)
{
    enum sc_status st = check_layout(pred, in, s, d);
    if (st != SC_OK)
        return st;
    if (expr_type(pred) != COL_BOOLEAN)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "the condition '%s' is %s, not boolean (a comparison such as x > 0)",
                        pred->text, col_type_name(expr_type(pred)));
    if (scratch_grow(s, in->n_rows) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct ectx x = {in, s, in->n_rows};
    struct vec r;
    if (eval_node(&x, pred->root, NULL, &r) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    size_t n = in->n_rows, k = 0;
    if (!r.m) {
        if (is_valid(&r, 0) && r.i[0])
            for (size_t i = 0; i < n; i++)
                sel[k++] = i;
    } else if (r.v) {
        /* Branch-free: write every index, advance past the kept ones. */
        for (size_t i = 0; i < n; i++) {
            sel[k] = i;
            k += (r.v[i] != 0) & (r.i[i] != 0);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            sel[k] = i;
            k += r.i[i] != 0;
        }
    }
    *n_sel = k;
    return SC_OK;
}
