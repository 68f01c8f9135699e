/*
 * test_kernels.c — the operator kernels (models/kernels/) against simple
 * reference implementations written here (nested loops, insertion into
 * lists, qsort with an index tie-break), on small random batches with
 * integers, doubles (including -0.0 and NaN), strings and nulls; plus
 * Spark's published Murmur3 values and round trips of the shuffle and scan
 * byte formats. No test measures time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lz4frame.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/kernels/distinct.h"
#include "models/kernels/hashagg.h"
#include "models/kernels/join.h"
#include "models/kernels/keytable.h"
#include "models/kernels/limit.h"
#include "models/kernels/sample.h"
#include "models/kernels/murmur3.h"
#include "models/kernels/partition.h"
#include "models/kernels/scan.h"
#include "models/kernels/shuffle.h"
#include "models/kernels/sort.h"
#include "models/kernels/window.h"

/* --- fixtures ---------------------------------------------------------- */

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static int chance(uint64_t *s, int percent)
{
    return (int)(rnd(s) % 100) < percent;
}

static const char *const pool[] = {"",         "a",
                                   "b",        "ab",
                                   "abc",      "abcd",
                                   "abcdefgh", "abcdefghi",
                                   "zz",       "\xc3\xa9t\xc3\xa9",
                                   "Sales",    "HR",
                                   "a\0b",     "longer string value 42"};
static const size_t pool_len[] = {0, 1, 1, 2, 3, 4, 8, 9, 2, 6, 5, 2, 3, 22};
#define POOL_N (sizeof pool / sizeof pool[0])

static const double special[] = {-0.0, 0.0, 1.5, NAN, -2.25, 1e300, -INFINITY, 7.0};
#define SPECIAL_N (sizeof special / sizeof special[0])

enum { C_KI, C_KS, C_K32, C_KD, C_VD, C_VI, C_VB, C_DT, N_COLS };

/* Columns: ki int64 key in [0, card), ks string key from the pool, k32
 * int32 in [-3, 3], kd double key from special values, vd double value,
 * vi int64 value, vb boolean, dt date; each nullable with null_pct. */
static struct batch *random_batch(uint64_t *s, size_t n, size_t card, int null_pct)
{
    static const char *const names[N_COLS] = {"ki", "ks", "k32", "kd", "vd", "vi", "vb", "dt"};
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *b = batch_new(N_COLS, names, types, n);
    assert_non_null(b);
    for (size_t r = 0; r < n; r++) {
        b->cols[C_KI].i64[r] = (int64_t)(rnd(s) % card);
        size_t p = rnd(s) % (card < POOL_N ? card : POOL_N);
        assert_int_equal(column_push_string(&b->cols[C_KS], r, pool[p], pool_len[p]), 0);
        b->cols[C_K32].i64[r] = (int64_t)(rnd(s) % 7) - 3;
        b->cols[C_KD].f64[r] = special[rnd(s) % SPECIAL_N];
        b->cols[C_VD].f64[r] = (double)((int64_t)(rnd(s) % 20001) - 10000) / 8.0;
        b->cols[C_VI].i64[r] = (int64_t)(rnd(s) % 2000001) - 1000000;
        b->cols[C_VB].i64[r] = (int64_t)(rnd(s) % 2);
        b->cols[C_DT].i64[r] = 18000 + (int64_t)(rnd(s) % 400);
        for (int c = 0; c < N_COLS; c++)
            if (chance(s, null_pct))
                assert_int_equal(column_set_null(&b->cols[c], b->cap_rows, r), 0);
    }
    b->n_rows = n;
    return b;
}

/* A batch of one int64 column "k" and one string column "v" from literal
 * values; INT64_MIN in keys and NULL in vals stand for null. */
static struct batch *kv_batch(const int64_t *keys, const char *const *vals, size_t n)
{
    static const char *const names[2] = {"k", "v"};
    static const enum col_type types[2] = {COL_INT64, COL_STRING};
    struct batch *b = batch_new(2, names, types, n);
    assert_non_null(b);
    for (size_t r = 0; r < n; r++) {
        b->cols[0].i64[r] = keys[r] == INT64_MIN ? 0 : keys[r];
        if (keys[r] == INT64_MIN)
            assert_int_equal(column_set_null(&b->cols[0], b->cap_rows, r), 0);
        const char *v = vals[r] ? vals[r] : "";
        assert_int_equal(column_push_string(&b->cols[1], r, v, strlen(v)), 0);
        if (!vals[r])
            assert_int_equal(column_set_null(&b->cols[1], b->cap_rows, r), 0);
    }
    b->n_rows = n;
    return b;
}

static int is_null(const struct batch *b, int c, size_t r)
{
    return column_is_null(&b->cols[c], r);
}

static const char *str_at(const struct batch *b, int c, size_t r, size_t *len)
{
    const struct column *col = &b->cols[c];
    *len = (size_t)(col->off[r + 1] - col->off[r]);
    return col->bytes ? col->bytes + col->off[r] : "";
}

/* Reference equality for grouping: null == null, -0.0 == 0.0, NaN == NaN. */
static int ref_equal(const struct batch *a, int ca, size_t ra, const struct batch *b, int cb,
                     size_t rb)
{
    int na = is_null(a, ca, ra), nb = is_null(b, cb, rb);
    if (na || nb)
        return na && nb;
    switch (a->cols[ca].type) {
    case COL_DOUBLE: {
        double x = a->cols[ca].f64[ra], y = b->cols[cb].f64[rb];
        return (isnan(x) && isnan(y)) || x == y;
    }
    case COL_STRING: {
        size_t la, lb;
        const char *pa = str_at(a, ca, ra, &la), *pb = str_at(b, cb, rb, &lb);
        return la == lb && memcmp(pa, pb, la) == 0;
    }
    default: return a->cols[ca].i64[ra] == b->cols[cb].i64[rb];
    }
}

/* Exact equality for round trips: doubles bit for bit. */
static int exact_equal(const struct batch *a, int ca, size_t ra, const struct batch *b, int cb,
                       size_t rb)
{
    int na = is_null(a, ca, ra), nb = is_null(b, cb, rb);
    if (na || nb)
        return na && nb;
    if (a->cols[ca].type == COL_DOUBLE)
        return memcmp(&a->cols[ca].f64[ra], &b->cols[cb].f64[rb], 8) == 0;
    return ref_equal(a, ca, ra, b, cb, rb);
}

/* Rows rows[i] of src must equal rows i of got, every column. */
static void assert_rows_equal(const struct batch *src, const size_t *rows, size_t n,
                              const struct batch *got)
{
    assert_int_equal(got->n_rows, n);
    assert_int_equal(got->n_cols, src->n_cols);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < src->n_cols; c++)
            if (!exact_equal(src, (int)c, rows ? rows[i] : i, got, (int)c, i)) {
                print_error("row %zu column %zu differs\n", i, c);
                fail();
            }
}

/* Reference order of one value pair (ascending, nulls handled by caller):
 * NaN above everything, -0.0 == 0.0, strings by unsigned bytes then length. */
static int ref_cmp_values(const struct batch *a, int ca, size_t ra, const struct batch *b, int cb,
                          size_t rb)
{
    switch (a->cols[ca].type) {
    case COL_DOUBLE: {
        double x = a->cols[ca].f64[ra], y = b->cols[cb].f64[rb];
        if (isnan(x) || isnan(y))
            return isnan(x) - isnan(y);
        return (x > y) - (x < y);
    }
    case COL_STRING: {
        size_t la, lb;
        const unsigned char *pa = (const unsigned char *)str_at(a, ca, ra, &la);
        const unsigned char *pb = (const unsigned char *)str_at(b, cb, rb, &lb);
        for (size_t i = 0; i < la && i < lb; i++)
            if (pa[i] != pb[i])
                return pa[i] < pb[i] ? -1 : 1;
        return (la > lb) - (la < lb);
    }
    default: {
        int64_t x = a->cols[ca].i64[ra], y = b->cols[cb].i64[rb];
        return (x > y) - (x < y);
    }
    }
}

#define OK(call)                                                                                   \
    do {                                                                                           \
        struct diag d_;                                                                            \
        diag_clear(&d_);                                                                           \
        enum sc_status s_ = (call);                                                                \
        if (s_ != SC_OK)                                                                           \
            print_error("%s: %s\n", #call, d_.msg);                                                \
        assert_int_equal(s_, SC_OK);                                                               \
    } while (0)

/* --- murmur3 ------------------------------------------------------------- */

static void test_murmur3_matches_spark_suite_vectors(void **state)
{
    (void)state;
    /* Spark common/unsafe Murmur3_x86_32Suite, seed 0: testKnownIntegerInputs
     * and testKnownLongInputs. */
    assert_int_equal(murmur3_hash_int(0, 0), 593689054);
    assert_int_equal(murmur3_hash_int(-42, 0), -189366624);
    assert_int_equal(murmur3_hash_int(42, 0), -1134849565);
    assert_int_equal(murmur3_hash_int(INT32_MIN, 0), -1718298732);
    assert_int_equal(murmur3_hash_int(INT32_MAX, 0), -1653689534);
    assert_int_equal(murmur3_hash_long(0, 0), 1669671676);
    assert_int_equal(murmur3_hash_long(-42, 0), -846261623);
    assert_int_equal(murmur3_hash_long(42, 0), 1871679806);
    assert_int_equal(murmur3_hash_long(INT64_MIN, 0), 1366273829);
    assert_int_equal(murmur3_hash_long(INT64_MAX, 0), -2106506049);
}

static void test_murmur3_bytes_match_reference_murmur3(void **state)
{
    (void)state;
    /* For lengths that are multiples of 4 hashUnsafeBytes is the reference
     * MurmurHash3_x86_32 (its tail rule never applies): x86_32("abcd", 0) =
     * 1139631978, ("abcdefgh", 0) = 1239272644, ("", 0) = 0, the standard
     * published values. */
    assert_int_equal((uint32_t)murmur3_hash_bytes("abcd", 4, 0), 1139631978u);
    assert_int_equal((uint32_t)murmur3_hash_bytes("abcdefgh", 8, 0), 1239272644u);
    assert_int_equal(murmur3_hash_bytes("", 0, 0), 0);
}

static void test_murmur3_chains_columns_like_hash_expression(void **state)
{
    (void)state;
    /* Spark's documented example (catalyst hash.scala, Murmur3Hash):
     * SELECT hash('Spark', array(123), 2) = -1321691492. An array hashes
     * its elements in turn with the running hash as seed, so this is a row
     * ('Spark', 123, 2) hashed column after column from seed 42. 'Spark' is
     * 5 bytes: one word plus one sign-extended tail byte. */
    static const char *const names[3] = {"s", "a", "i"};
    static const enum col_type types[3] = {COL_STRING, COL_INT32, COL_INT32};
    struct batch *b = batch_new(3, names, types, 2);
    assert_int_equal(column_push_string(&b->cols[0], 0, "Spark", 5), 0);
    b->cols[1].i64[0] = 123;
    b->cols[2].i64[0] = 2;
    /* row 1: the same with a null middle value, which leaves the hash as is */
    assert_int_equal(column_push_string(&b->cols[0], 1, "Spark", 5), 0);
    b->cols[1].i64[1] = 0;
    assert_int_equal(column_set_null(&b->cols[1], b->cap_rows, 1), 0);
    b->cols[2].i64[1] = 2;
    b->n_rows = 2;
    int cols[3] = {0, 1, 2};
    int32_t h[2];
    murmur3_hash_rows(b, cols, 3, MURMUR3_SPARK_SEED, h);
    assert_int_equal(h[0], -1321691492);
    int32_t skip = murmur3_hash_int(2, murmur3_hash_bytes("Spark", 5, 42));
    assert_int_equal(h[1], skip);
    assert_int_equal(murmur3_hash_value(&b->cols[1], 1, 77), 77);
    batch_free(b);
}

static void test_murmur3_normalizes_doubles_and_pmods(void **state)
{
    (void)state;
    /* -0.0 hashes as 0L (hashLong(0, 42)); every NaN as doubleToLongBits's
     * 0x7ff8000000000000. */
    assert_int_equal(murmur3_hash_double(-0.0, 42), murmur3_hash_long(0, 42));
    assert_int_equal(murmur3_hash_double(0.0, 42), murmur3_hash_long(0, 42));
    double other_nan;
    uint64_t bits = 0xfff8000000000123ull;
    memcpy(&other_nan, &bits, 8);
    assert_int_equal(murmur3_hash_double(other_nan, 42),
                     murmur3_hash_long(0x7ff8000000000000ll, 42));
    uint64_t one_bits;
    double one = 1.0;
    memcpy(&one_bits, &one, 8);
    assert_int_equal(murmur3_hash_double(1.0, 42), murmur3_hash_long((int64_t)one_bits, 42));
    /* pmod(-7, 5) = 3; pmod(7, 5) = 2; pmod(INT32_MIN, 200) = 200 - 48 = 152
     * (2147483648 = 200 * 10737418 + 48). */
    assert_int_equal(murmur3_pmod(-7, 5), 3);
    assert_int_equal(murmur3_pmod(7, 5), 2);
    assert_int_equal(murmur3_pmod(INT32_MIN, 200), 152);
}

/* --- partition ------------------------------------------------------------ */

static void test_hash_partition_matches_per_row_reference(void **state)
{
    (void)state;
    uint64_t s = 11;
    struct batch *b = random_batch(&s, 500, 40, 10);
    struct partition_map *m = partition_map_new();
    int keys[3] = {C_KI, C_KS, C_KD};
    OK(partition_hash(b, keys, 3, 7, m, &d_));
    assert_int_equal(m->n_parts, 7);
    assert_int_equal(m->offsets[7], 500);
    /* Reference: hash each row value by value, then list each partition's
     * rows in input order. */
    size_t k = 0;
    for (uint32_t p = 0; p < 7; p++) {
        assert_int_equal(m->offsets[p], k);
        for (size_t r = 0; r < b->n_rows; r++) {
            int32_t h = MURMUR3_SPARK_SEED;
            for (int i = 0; i < 3; i++)
                h = murmur3_hash_value(&b->cols[keys[i]], r, h);
            if (murmur3_pmod(h, 7) == p) {
                assert_int_equal(m->rows[k], r);
                assert_int_equal(m->part[r], p);
                k++;
            }
        }
    }
    assert_int_equal(k, 500);
    partition_map_free(m);
    batch_free(b);
}

static void test_range_partition_counts_bounds_below(void **state)
{
    (void)state;
    uint64_t s = 12;
    struct batch *b = random_batch(&s, 400, 1000, 5);
    struct sort_key sk[2] = {{C_KS, SORT_DESC, SORT_NULLS_DEFAULT},
                             {C_KI, SORT_ASC, SORT_NULLS_DEFAULT}};
    struct sort_spec spec = {sk, 2};
    struct sortk_ws *ws = sortk_ws_new();
    struct batch *sorted =
        batch_new(b->n_cols, (const char *const *)b->names,
                  (enum col_type[]){COL_INT64, COL_STRING, COL_INT32, COL_DOUBLE, COL_DOUBLE,
                                    COL_INT64, COL_BOOLEAN, COL_DATE},
                  1);
    OK(sortk_sort(b, &spec, ws, sorted, NULL, &d_));
    static const char *const bn[2] = {"ks", "ki"};
    struct batch *bounds = batch_new(2, bn, (enum col_type[]){COL_STRING, COL_INT64}, 1);
    OK(partition_pick_bounds(sorted, &spec, 5, bounds, &d_));
    assert_true(bounds->n_rows >= 1 && bounds->n_rows <= 4);
    for (size_t j = 1; j < bounds->n_rows; j++) /* strictly increasing */
        assert_true(sortk_compare_key(&bounds->cols[0], j - 1, &bounds->cols[0], j, &sk[0]) < 0 ||
                    (sortk_compare_key(&bounds->cols[0], j - 1, &bounds->cols[0], j, &sk[0]) == 0 &&
                     sortk_compare_key(&bounds->cols[1], j - 1, &bounds->cols[1], j, &sk[1]) < 0));
    struct partition_map *m = partition_map_new();
    OK(partition_range(b, &spec, bounds, m, &d_));
    assert_int_equal(m->n_parts, bounds->n_rows + 1);
    for (size_t r = 0; r < b->n_rows; r++) {
        /* reference: count bounds the row sorts strictly after */
        uint32_t p = 0;
        for (size_t j = 0; j < bounds->n_rows; j++) {
            int c = sortk_compare_key(&b->cols[C_KS], r, &bounds->cols[0], j, &sk[0]);
            if (c == 0)
                c = sortk_compare_key(&b->cols[C_KI], r, &bounds->cols[1], j, &sk[1]);
            p += c > 0;
        }
        assert_int_equal(m->part[r], p);
    }
    /* rows of partition p come in input order */
    for (size_t p = 0; p < m->n_parts; p++)
        for (size_t i = m->offsets[p] + 1; i < m->offsets[p + 1]; i++)
            assert_true(m->rows[i - 1] < m->rows[i]);
    partition_map_free(m);
    batch_free(bounds);
    batch_free(sorted);
    sortk_ws_free(ws);
    batch_free(b);
}

/* --- sort ----------------------------------------------------------------- */

struct ref_sort_ctx {
    const struct batch *b;
    const struct sort_spec *spec;
};
static struct ref_sort_ctx ref_ctx; /* qsort has no context argument */

static int ref_sort_cmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    for (size_t k = 0; k < ref_ctx.spec->n_keys; k++) {
        const struct sort_key *key = &ref_ctx.spec->keys[k];
        int na = is_null(ref_ctx.b, key->col, a), nb = is_null(ref_ctx.b, key->col, b);
        int nulls_first = key->nulls == SORT_NULLS_FIRST ||
                          (key->nulls == SORT_NULLS_DEFAULT && key->dir == SORT_ASC);
        int c;
        if (na || nb)
            c = na && nb ? 0 : (na ? -1 : 1) * (nulls_first ? 1 : -1);
        else
            c = ref_cmp_values(ref_ctx.b, key->col, a, ref_ctx.b, key->col, b) *
                (key->dir == SORT_DESC ? -1 : 1);
        if (c)
            return c;
    }
    return (a > b) - (a < b); /* index tie-break: qsort then equals a stable sort */
}

static void check_sort(const struct batch *b, const struct sort_spec *spec)
{
    struct sortk_ws *ws = sortk_ws_new();
    const size_t *perm;
    OK(sortk_order(b, spec, ws, &perm, &d_));
    size_t *ref = malloc((b->n_rows + 1) * sizeof *ref);
    for (size_t r = 0; r < b->n_rows; r++)
        ref[r] = r;
    ref_ctx.b = b;
    ref_ctx.spec = spec;
    qsort(ref, b->n_rows, sizeof *ref, ref_sort_cmp);
    for (size_t r = 0; r < b->n_rows; r++)
        if (perm[r] != ref[r]) {
            print_error("position %zu: row %zu, reference row %zu\n", r, perm[r], ref[r]);
            fail();
        }
    /* the batch form writes the same rows */
    struct batch *out = batch_new(b->n_cols, (const char *const *)b->names,
                                  (enum col_type[]){COL_INT64, COL_STRING, COL_INT32, COL_DOUBLE,
                                                    COL_DOUBLE, COL_INT64, COL_BOOLEAN, COL_DATE},
                                  1);
    struct kernel_stats st;
    OK(sortk_sort(b, spec, ws, out, &st, &d_));
    assert_rows_equal(b, ref, b->n_rows, out);
    assert_int_equal(st.rows_out, b->n_rows);
    assert_int_equal(st.bytes_out, batch_bytes(out));
    batch_free(out);
    free(ref);
    sortk_ws_free(ws);
}

static void test_sort_single_keys_match_reference(void **state)
{
    (void)state;
    uint64_t s = 21;
    struct batch *b = random_batch(&s, 1500, 100000, 0);
    /* no nulls: the radix-only path */
    struct sort_key k1 = {C_VI, SORT_ASC, SORT_NULLS_DEFAULT};
    check_sort(b, &(struct sort_spec){&k1, 1});
    struct sort_key k2 = {C_VD, SORT_DESC, SORT_NULLS_DEFAULT};
    check_sort(b, &(struct sort_spec){&k2, 1});
    struct sort_key k3 = {C_KD, SORT_ASC, SORT_NULLS_DEFAULT}; /* -0.0, NaN, -inf */
    check_sort(b, &(struct sort_spec){&k3, 1});
    struct sort_key k4 = {C_KS, SORT_ASC, SORT_NULLS_DEFAULT}; /* equal 8-byte prefixes */
    check_sort(b, &(struct sort_spec){&k4, 1});
    batch_free(b);
    b = random_batch(&s, 1500, 50, 15);
    /* with nulls, both placements, both directions */
    struct sort_key k5 = {C_KI, SORT_ASC, SORT_NULLS_DEFAULT};
    check_sort(b, &(struct sort_spec){&k5, 1});
    struct sort_key k6 = {C_KI, SORT_DESC, SORT_NULLS_DEFAULT};
    check_sort(b, &(struct sort_spec){&k6, 1});
    struct sort_key k7 = {C_K32, SORT_ASC, SORT_NULLS_LAST};
    check_sort(b, &(struct sort_spec){&k7, 1});
    struct sort_key k8 = {C_VB, SORT_DESC, SORT_NULLS_FIRST};
    check_sort(b, &(struct sort_spec){&k8, 1});
    batch_free(b);
}

static void test_sort_multi_key_mixed_directions(void **state)
{
    (void)state;
    uint64_t s = 22;
    struct batch *b = random_batch(&s, 2000, 20, 10);
    struct sort_key keys[3] = {{C_KS, SORT_ASC, SORT_NULLS_DEFAULT},
                               {C_KD, SORT_DESC, SORT_NULLS_DEFAULT},
                               {C_KI, SORT_ASC, SORT_NULLS_LAST}};
    check_sort(b, &(struct sort_spec){keys, 3});
    batch_free(b);
    /* under 64 rows: the merge sort path */
    s = 23;
    b = random_batch(&s, 40, 5, 20);
    check_sort(b, &(struct sort_spec){keys, 3});
    batch_free(b);
}

static void test_sort_default_null_order_is_sparks(void **state)
{
    (void)state;
    /* ASC: nulls first; DESC: nulls last (Spark's defaults). Keys 3, null,
     * 1, null, 2 (rows 0..4). */
    int64_t k[5] = {3, INT64_MIN, 1, INT64_MIN, 2};
    const char *v[5] = {"a", "b", "c", "d", "e"};
    struct batch *b = kv_batch(k, v, 5);
    struct sortk_ws *ws = sortk_ws_new();
    const size_t *perm;
    struct sort_key asc = {0, SORT_ASC, SORT_NULLS_DEFAULT};
    OK(sortk_order(b, &(struct sort_spec){&asc, 1}, ws, &perm, &d_));
    size_t want_asc[5] = {1, 3, 2, 4, 0}; /* nulls in input order, then 1, 2, 3 */
    for (int i = 0; i < 5; i++)
        assert_int_equal(perm[i], want_asc[i]);
    struct sort_key desc = {0, SORT_DESC, SORT_NULLS_DEFAULT};
    OK(sortk_order(b, &(struct sort_spec){&desc, 1}, ws, &perm, &d_));
    size_t want_desc[5] = {0, 4, 2, 1, 3};
    for (int i = 0; i < 5; i++)
        assert_int_equal(perm[i], want_desc[i]);
    struct sort_key bad = {9, SORT_ASC, SORT_NULLS_DEFAULT};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(sortk_order(b, &(struct sort_spec){&bad, 1}, ws, &perm, &d), SC_EINPUT);
    sortk_ws_free(ws);
    batch_free(b);
}

/* --- hash aggregation -------------------------------------------------------- */

/* Reference aggregate of one group: nested loops over all rows. */
struct ref_group {
    size_t first; /* a row holding the key */
    int64_t count_star, count_vi, sum_vi, n_vd, distinct_ks;
    double sum_vd;
    int has_vi;
    int64_t min_vi, max_vi;
    int has_ks;
    size_t min_ks, max_ks; /* rows holding them */
};

static int same_key(const struct batch *b, const int *keys, size_t nk, size_t r1, size_t r2)
{
    for (size_t k = 0; k < nk; k++)
        if (!ref_equal(b, keys[k], r1, b, keys[k], r2))
            return 0;
    return 1;
}

static size_t ref_aggregate(const struct batch *b, const int *keys, size_t nk, struct ref_group *g)
{
    size_t n_groups = 0;
    for (size_t r = 0; r < b->n_rows; r++) {
        size_t j = 0;
        while (j < n_groups && !same_key(b, keys, nk, g[j].first, r))
            j++;
        if (j == n_groups) {
            memset(&g[j], 0, sizeof g[j]);
            g[j].first = r;
            n_groups++;
        }
        struct ref_group *x = &g[j];
        x->count_star++;
        if (!is_null(b, C_VI, r)) {
            int64_t v = b->cols[C_VI].i64[r];
            x->count_vi++;
            x->sum_vi += v;
            if (!x->has_vi || v < x->min_vi)
                x->min_vi = v;
            if (!x->has_vi || v > x->max_vi)
                x->max_vi = v;
            x->has_vi = 1;
        }
        if (!is_null(b, C_VD, r)) {
            x->sum_vd += b->cols[C_VD].f64[r];
            x->n_vd++;
        }
        if (!is_null(b, C_KS, r)) {
            if (!x->has_ks || ref_cmp_values(b, C_KS, r, b, C_KS, x->min_ks) < 0)
                x->min_ks = r;
            if (!x->has_ks || ref_cmp_values(b, C_KS, r, b, C_KS, x->max_ks) > 0)
                x->max_ks = r;
            /* distinct: is this the first row of the group with this value? */
            size_t q = 0;
            for (; q < r; q++)
                if (same_key(b, keys, nk, q, r) && !is_null(b, C_KS, q) &&
                    ref_equal(b, C_KS, q, b, C_KS, r))
                    break;
            if (q == r)
                x->distinct_ks++;
            x->has_ks = 1;
        }
    }
    return n_groups;
}

static const struct agg_call all_calls[] = {
    {AGG_COUNT_STAR, -1, NULL}, {AGG_COUNT, C_VI, NULL}, {AGG_SUM, C_VI, NULL},
    {AGG_AVG, C_VD, NULL},      {AGG_MIN, C_VI, NULL},   {AGG_MAX, C_VI, NULL},
    {AGG_MIN, C_KS, NULL},      {AGG_MAX, C_KS, "top"},  {AGG_COUNT_DISTINCT, C_KS, NULL},
    {AGG_SUM, C_VD, NULL}};
#define N_CALLS (sizeof all_calls / sizeof all_calls[0])

static void assert_close(double a, double b)
{
    if (!(fabs(a - b) <= 1e-9 * (1.0 + fabs(b)))) {
        print_error("%.17g is not %.17g\n", a, b);
        fail();
    }
}

/* Checks final-layout out against the reference, group by group. */
static void check_agg_output(const struct batch *b, const int *keys, size_t nk,
                             const struct batch *out, int exact_doubles)
{
    struct ref_group *g = calloc(b->n_rows + 1, sizeof *g);
    size_t n = ref_aggregate(b, keys, nk, g);
    if (nk == 0 && n == 0) {
        n = 1; /* a global aggregate has one row even over no input */
        memset(&g[0], 0, sizeof g[0]);
    }
    assert_int_equal(out->n_rows, n);
    assert_int_equal(out->n_cols, nk + N_CALLS);
    assert_string_equal(out->names[nk + 0], "count(1)");
    assert_string_equal(out->names[nk + 3], "avg(vd)");
    assert_string_equal(out->names[nk + 7], "top");
    assert_string_equal(out->names[nk + 8], "count(DISTINCT ks)");
    for (size_t j = 0; j < n; j++) {
        size_t r = 0;
        while (r < out->n_rows) {
            size_t k = 0;
            while (k < nk && ref_equal(out, (int)k, r, b, keys[k], g[j].first))
                k++;
            if (k == nk)
                break;
            r++;
        }
        assert_true(r < out->n_rows);
        const struct ref_group *x = &g[j];
        const struct column *c = out->cols + nk;
        assert_int_equal(c[0].i64[r], x->count_star);
        assert_int_equal(c[1].i64[r], x->count_vi);
        assert_int_equal(column_is_null(&c[2], r), !x->has_vi);
        assert_int_equal(column_is_null(&c[4], r), !x->has_vi);
        assert_int_equal(column_is_null(&c[5], r), !x->has_vi);
        if (x->has_vi) {
            assert_int_equal(c[2].i64[r], x->sum_vi);
            assert_int_equal(c[4].i64[r], x->min_vi);
            assert_int_equal(c[5].i64[r], x->max_vi);
        }
        assert_int_equal(column_is_null(&c[3], r), x->n_vd == 0);
        assert_int_equal(column_is_null(&c[9], r), x->n_vd == 0);
        if (x->n_vd) {
            if (exact_doubles) {
                assert_true(c[3].f64[r] == x->sum_vd / (double)x->n_vd);
                assert_true(c[9].f64[r] == x->sum_vd);
            } else {
                assert_close(c[3].f64[r], x->sum_vd / (double)x->n_vd);
                assert_close(c[9].f64[r], x->sum_vd);
            }
        }
        assert_int_equal(column_is_null(&c[6], r), !x->has_ks);
        if (x->has_ks) {
            assert_true(ref_equal(out, (int)nk + 6, r, b, C_KS, x->min_ks));
            assert_true(ref_equal(out, (int)nk + 7, r, b, C_KS, x->max_ks));
        }
        assert_int_equal(c[8].i64[r], x->distinct_ks);
    }
    free(g);
}

static void test_hashagg_complete_matches_reference(void **state)
{
    (void)state;
    uint64_t s = 31;
    struct batch *b = random_batch(&s, 3000, 30, 10);
    int key_sets[3][2] = {{C_KI, C_KS}, {C_KD, C_K32}, {C_KS, C_VB}};
    for (int t = 0; t < 3; t++) {
        struct agg_spec spec = {key_sets[t], 2, all_calls, N_CALLS};
        struct diag d;
        diag_clear(&d);
        struct hashagg *h = hashagg_new(&spec, AGG_COMPLETE, b, &d);
        assert_non_null(h);
        struct batch *out = hashagg_output_new(h, 4);
        OK(hashagg_add(h, b, &d_));
        struct kernel_stats st;
        OK(hashagg_emit(h, out, &st, &d_));
        assert_int_equal(st.rows_in, 3000);
        assert_int_equal(st.rows_out, out->n_rows);
        check_agg_output(b, key_sets[t], 2, out, 1);
        /* reuse: reset and run again gives the same output */
        hashagg_reset(h);
        OK(hashagg_add(h, b, &d_));
        OK(hashagg_emit(h, out, NULL, &d_));
        check_agg_output(b, key_sets[t], 2, out, 1);
        batch_free(out);
        hashagg_free(h);
    }
    batch_free(b);
}

static void test_hashagg_single_int_key_grows_and_keeps_null_group(void **state)
{
    (void)state;
    uint64_t s = 32;
    /* 20000 rows over up to 5000 keys: the table rehashes many times */
    struct batch *b = random_batch(&s, 20000, 5000, 3);
    int key = C_KI;
    struct agg_spec spec = {&key, 1, all_calls, N_CALLS};
    struct diag d;
    diag_clear(&d);
    struct hashagg *h = hashagg_new(&spec, AGG_COMPLETE, b, &d);
    struct batch *out = hashagg_output_new(h, 1);
    /* fed in three slices, as batches arrive */
    struct batch *part = batch_new(b->n_cols, (const char *const *)b->names,
                                   (enum col_type[]){COL_INT64, COL_STRING, COL_INT32, COL_DOUBLE,
                                                     COL_DOUBLE, COL_INT64, COL_BOOLEAN, COL_DATE},
                                   1);
    size_t cuts[4] = {0, 7000, 7001, 20000};
    for (int i = 0; i < 3; i++) {
        batch_clear(part);
        assert_int_equal(batch_append(part, b, cuts[i], cuts[i + 1] - cuts[i]), 0);
        OK(hashagg_add(h, part, &d_));
    }
    OK(hashagg_emit(h, out, NULL, &d_));
    check_agg_output(b, &key, 1, out, 1);
    batch_free(part);
    batch_free(out);
    hashagg_free(h);
    batch_free(b);
}

static void test_hashagg_partial_then_final_equals_complete(void **state)
{
    (void)state;
    uint64_t s = 33;
    struct batch *b = random_batch(&s, 2500, 25, 10);
    int keys[2] = {C_KS, C_KI};
    struct agg_spec spec = {keys, 2, all_calls, N_CALLS};
    struct diag d;
    diag_clear(&d);
    struct hashagg *partial = hashagg_new(&spec, AGG_PARTIAL, b, &d);
    struct hashagg *final = hashagg_new(&spec, AGG_FINAL, b, &d);
    assert_non_null(partial);
    assert_non_null(final);
    struct batch *pout = hashagg_output_new(partial, 1);
    struct batch *all_partials = hashagg_output_new(partial, 1);
    struct batch *slice = batch_new(b->n_cols, (const char *const *)b->names,
                                    (enum col_type[]){COL_INT64, COL_STRING, COL_INT32, COL_DOUBLE,
                                                      COL_DOUBLE, COL_INT64, COL_BOOLEAN, COL_DATE},
                                    1);
    /* three map tasks, each with its own partial aggregate */
    size_t cuts[4] = {0, 900, 1700, 2500};
    for (int i = 0; i < 3; i++) {
        batch_clear(slice);
        assert_int_equal(batch_append(slice, b, cuts[i], cuts[i + 1] - cuts[i]), 0);
        hashagg_reset(partial);
        OK(hashagg_add(partial, slice, &d_));
        OK(hashagg_emit(partial, pout, NULL, &d_));
        assert_true(pout->n_rows >= hashagg_groups(partial));
        assert_int_equal(batch_append(all_partials, pout, 0, pout->n_rows), 0);
    }
    /* the reduce side merges all partials */
    OK(hashagg_add(final, all_partials, &d_));
    struct batch *out = hashagg_output_new(final, 1);
    OK(hashagg_emit(final, out, NULL, &d_));
    check_agg_output(b, keys, 2, out, 0);
    /* a partial fed to a COMPLETE aggregate is refused (layout differs) */
    struct hashagg *complete = hashagg_new(&spec, AGG_COMPLETE, b, &d);
    diag_clear(&d);
    assert_int_equal(hashagg_add(complete, all_partials, &d), SC_EINPUT);
    hashagg_free(complete);
    batch_free(out);
    batch_free(slice);
    batch_free(all_partials);
    batch_free(pout);
    hashagg_free(final);
    hashagg_free(partial);
    batch_free(b);
}

static void test_hashagg_without_keys_has_one_row(void **state)
{
    (void)state;
    uint64_t s = 34;
    struct batch *b = random_batch(&s, 300, 10, 20);
    struct agg_spec spec = {NULL, 0, all_calls, N_CALLS};
    struct diag d;
    diag_clear(&d);
    struct hashagg *h = hashagg_new(&spec, AGG_COMPLETE, b, &d);
    struct batch *out = hashagg_output_new(h, 1);
    OK(hashagg_add(h, b, &d_));
    OK(hashagg_emit(h, out, NULL, &d_));
    check_agg_output(b, NULL, 0, out, 1);
    /* over no rows: count 0, every other result null */
    hashagg_reset(h);
    OK(hashagg_emit(h, out, NULL, &d_));
    assert_int_equal(out->n_rows, 1);
    assert_int_equal(out->cols[0].i64[0], 0);
    assert_true(column_is_null(&out->cols[2], 0));
    assert_true(column_is_null(&out->cols[3], 0));
    assert_int_equal(out->cols[8].i64[0], 0);
    batch_free(out);
    hashagg_free(h);
    batch_free(b);
}

/* A table emptied after 100,000 groups and filled again, on the integer
 * path (one int64 key) and the generic one (int64 and string): every key
 * gets the id of its first appearance (key k is group k here), keys from
 * the big build are gone, and growing past the old size again keeps every
 * id. By hand: keys 0..n-1 in order are groups 0..n-1. */
static void keytable_round(struct keytable *t, const struct batch *b, const int *cols, size_t n,
                           size_t expect_size)
{
    uint32_t gid[KEYTABLE_CHUNK];
    for (size_t first = 0; first < n; first += KEYTABLE_CHUNK) {
        size_t len = n - first < KEYTABLE_CHUNK ? n - first : KEYTABLE_CHUNK;
        assert_int_equal(keytable_insert(t, b, cols, first, len, gid), 0);
        for (size_t i = 0; i < len; i++)
            assert_int_equal(gid[i], (uint32_t)(first + i));
    }
    assert_int_equal(keytable_size(t), expect_size);
}

static void test_keytable_reset_then_regrow(void **state)
{
    (void)state;
    enum { BIG = 100000, SMALL = 1000 };
    static const char *const names[2] = {"k", "s"};
    static const enum col_type types[2] = {COL_INT64, COL_STRING};
    struct batch *b = batch_new(2, names, types, 2 * BIG);
    assert_non_null(b);
    char text[32];
    for (size_t r = 0; r < 2 * BIG; r++) {
        b->cols[0].i64[r] = (int64_t)r * 7919;
        int len = snprintf(text, sizeof text, "key-%zu", r);
        assert_int_equal(column_push_string(&b->cols[1], r, text, (size_t)len), 0);
    }
    b->n_rows = 2 * BIG;
    static const int one[1] = {0}, two[2] = {0, 1};
    for (int path = 0; path < 2; path++) {
        struct keytable *t = keytable_new(types, path ? 2 : 1);
        assert_non_null(t);
        const int *cols = path ? two : one;
        keytable_round(t, b, cols, BIG, BIG);
        keytable_reset(t);
        assert_int_equal(keytable_size(t), 0);
        keytable_round(t, b, cols, SMALL, SMALL);
        /* a key of the big build only: not there */
        uint32_t gid[1];
        keytable_find(t, b, cols, BIG - 1, 1, gid);
        assert_int_equal(gid[0], KEYTABLE_NONE);
        keytable_reset(t);
        keytable_round(t, b, cols, 2 * BIG, 2 * BIG);
        keytable_find(t, b, cols, BIG + 17, 1, gid);
        assert_int_equal(gid[0], BIG + 17);
        keytable_free(t);
    }
    batch_free(b);
}

static void test_hashagg_rejects_bad_specs(void **state)
{
    (void)state;
    uint64_t s = 35;
    struct batch *b = random_batch(&s, 10, 10, 0);
    struct diag d;
    diag_clear(&d);
    struct agg_call sum_str = {AGG_SUM, C_KS, NULL};
    struct agg_spec spec = {NULL, 0, &sum_str, 1};
    assert_null(hashagg_new(&spec, AGG_COMPLETE, b, &d));
    assert_int_equal(d.status, SC_EINPUT);
    diag_clear(&d);
    int key = 42;
    struct agg_spec spec2 = {&key, 1, all_calls, 1};
    assert_null(hashagg_new(&spec2, AGG_PARTIAL, b, &d));
    assert_int_equal(d.status, SC_EINPUT);
    batch_free(b);
}

/* --- joins -------------------------------------------------------------------- */

/* Reference: nested loops, left order then right order. */
static size_t ref_join(const struct join_spec *spec, const struct batch *l, const struct batch *r,
                       size_t *lrows, size_t *rrows)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n_rows; i++) {
        int matched = 0;
        for (size_t j = 0; j < r->n_rows; j++) {
            int eq = 1;
            for (size_t k = 0; k < spec->n_keys && eq; k++)
                eq = !is_null(l, spec->left_keys[k], i) && !is_null(r, spec->right_keys[k], j) &&
                     ref_equal(l, spec->left_keys[k], i, r, spec->right_keys[k], j);
            if (!eq)
                continue;
            matched = 1;
            if (spec->type == JOIN_INNER || spec->type == JOIN_LEFT_OUTER) {
                lrows[n] = i;
                rrows[n++] = j;
            }
        }
        if ((spec->type == JOIN_LEFT_SEMI && matched) ||
            (spec->type == JOIN_LEFT_ANTI && !matched)) {
            lrows[n] = i;
            rrows[n++] = BATCH_NULL_ROW;
        }
        if (spec->type == JOIN_LEFT_OUTER && !matched) {
            lrows[n] = i;
            rrows[n++] = BATCH_NULL_ROW;
        }
    }
    return n;
}

static void check_join_output(const struct join_spec *spec, const struct batch *l,
                              const struct batch *r, const struct batch *out)
{
    size_t cap = l->n_rows * (r->n_rows + 1) + 1;
    size_t *lr = malloc(cap * sizeof *lr), *rr = malloc(cap * sizeof *rr);
    size_t n = ref_join(spec, l, r, lr, rr);
    assert_int_equal(out->n_rows, n);
    int with_right = spec->type == JOIN_INNER || spec->type == JOIN_LEFT_OUTER;
    assert_int_equal(out->n_cols, l->n_cols + (with_right ? r->n_cols : 0));
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < l->n_cols; c++)
            assert_true(exact_equal(out, (int)c, i, l, (int)c, lr[i]));
        if (!with_right)
            continue;
        for (size_t c = 0; c < r->n_cols; c++) {
            if (rr[i] == BATCH_NULL_ROW)
                assert_true(is_null(out, (int)(l->n_cols + c), i));
            else
                assert_true(exact_equal(out, (int)(l->n_cols + c), i, r, (int)c, rr[i]));
        }
    }
    free(lr);
    free(rr);
}

static const enum join_type all_types[4] = {JOIN_INNER, JOIN_LEFT_OUTER, JOIN_LEFT_SEMI,
                                            JOIN_LEFT_ANTI};

static void test_joins_on_hand_made_tables(void **state)
{
    (void)state;
    /* left: keys 1, 2, 2, null, 3, 5; right: 2, 2, null, 3, 4, 3 */
    int64_t lk[6] = {1, 2, 2, INT64_MIN, 3, 5};
    const char *lv[6] = {"l1", "l2a", "l2b", "lnull", "l3", NULL};
    int64_t rk[6] = {2, 2, INT64_MIN, 3, 4, 3};
    const char *rv[6] = {"r2a", "r2b", "rnull", "r3a", "r4", NULL};
    struct batch *l = kv_batch(lk, lv, 6), *r = kv_batch(rk, rv, 6);
    int lkey = 0, rkey = 0;
    /* expected row counts worked out by hand: inner = 2*2 (key 2) + 1*2
     * (key 3) = 6; left outer = 6 + unmatched 1, null, 5 = 9; semi = rows
     * with keys 2, 2, 3 = 3; anti = 1, null, 5 = 3 */
    size_t want[4] = {6, 9, 3, 3};
    struct join_ws *ws = join_ws_new();
    struct join_hash *jh = join_hash_new();
    struct sortk_ws *sws = sortk_ws_new();
    struct sort_key sk = {0, SORT_ASC, SORT_NULLS_DEFAULT};
    static const enum col_type kv_types[2] = {COL_INT64, COL_STRING};
    static const char *const kv_names[2] = {"k", "v"};
    struct batch *ls = batch_new(2, kv_names, kv_types, 1),
                 *rs = batch_new(2, kv_names, kv_types, 1);
    OK(sortk_sort(l, &(struct sort_spec){&sk, 1}, sws, ls, NULL, &d_));
    OK(sortk_sort(r, &(struct sort_spec){&sk, 1}, sws, rs, NULL, &d_));
    for (int t = 0; t < 4; t++) {
        struct join_spec spec = {all_types[t], &lkey, &rkey, 1};
        struct batch *out = join_output_new(&spec, l, r, 1);
        struct kernel_stats st;
        OK(join_hash_build(jh, &spec, r, &d_));
        OK(join_hash_probe(jh, &spec, l, ws, out, &st, &d_));
        assert_int_equal(out->n_rows, want[t]);
        assert_int_equal(st.rows_out, want[t]);
        check_join_output(&spec, l, r, out);
        OK(join_sort_merge(&spec, ls, rs, ws, out, &st, &d_));
        assert_int_equal(out->n_rows, want[t]);
        check_join_output(&spec, ls, rs, out);
        batch_free(out);
    }
    /* left outer: l1 has no match, so its right columns are null */
    struct join_spec outer = {JOIN_LEFT_OUTER, &lkey, &rkey, 1};
    struct batch *out = join_output_new(&outer, l, r, 1);
    OK(join_hash_probe(jh, &outer, l, ws, out, NULL, &d_));
    assert_int_equal(out->cols[0].i64[0], 1);
    assert_true(is_null(out, 2, 0) && is_null(out, 3, 0));
    assert_string_equal(out->names[2], "k");
    batch_free(out);
    batch_free(ls);
    batch_free(rs);
    sortk_ws_free(sws);
    join_hash_free(jh);
    join_ws_free(ws);
    batch_free(l);
    batch_free(r);
}

static void test_joins_match_nested_loops_on_random_tables(void **state)
{
    (void)state;
    uint64_t s = 41;
    struct batch *l = random_batch(&s, 300, 12, 8), *r = random_batch(&s, 80, 12, 8);
    int key_sets[3][2] = {{C_KI, C_KS}, {C_KD, C_KD}, {C_KS, C_K32}};
    size_t nkeys[3] = {2, 1, 2};
    struct join_ws *ws = join_ws_new();
    struct join_hash *jh = join_hash_new();
    struct sortk_ws *sws = sortk_ws_new();
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *ls = batch_new(N_COLS, (const char *const *)l->names, types, 1);
    struct batch *rs = batch_new(N_COLS, (const char *const *)r->names, types, 1);
    for (int ks = 0; ks < 3; ks++) {
        struct sort_key sk[2] = {{key_sets[ks][0], SORT_ASC, SORT_NULLS_DEFAULT},
                                 {key_sets[ks][1], SORT_ASC, SORT_NULLS_DEFAULT}};
        OK(sortk_sort(l, &(struct sort_spec){sk, nkeys[ks]}, sws, ls, NULL, &d_));
        OK(sortk_sort(r, &(struct sort_spec){sk, nkeys[ks]}, sws, rs, NULL, &d_));
        for (int t = 0; t < 4; t++) {
            struct join_spec spec = {all_types[t], key_sets[ks], key_sets[ks], nkeys[ks]};
            struct batch *out = join_output_new(&spec, l, r, 1);
            OK(join_hash_build(jh, &spec, r, &d_));
            OK(join_hash_probe(jh, &spec, l, ws, out, NULL, &d_));
            check_join_output(&spec, l, r, out);
            OK(join_sort_merge(&spec, ls, rs, ws, out, NULL, &d_));
            check_join_output(&spec, ls, rs, out);
            batch_free(out);
        }
    }
    /* keys of different storages are refused */
    int lk = C_KI, rk = C_KS;
    struct join_spec bad = {JOIN_INNER, &lk, &rk, 1};
    struct batch *out = join_output_new(&bad, l, r, 1);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(join_sort_merge(&bad, l, r, ws, out, NULL, &d), SC_EINPUT);
    batch_free(out);
    batch_free(ls);
    batch_free(rs);
    sortk_ws_free(sws);
    join_hash_free(jh);
    join_ws_free(ws);
    batch_free(l);
    batch_free(r);
}

/* --- window ------------------------------------------------------------------ */

static void test_window_on_hand_made_partitions(void **state)
{
    (void)state;
    /* (dept, amount) sorted by dept, amount:
     *   A 10, A 20, A 20, A 30, B 5, B null, (null) 7
     * row_number: 1 2 3 4 | 1 2 | 1
     * rank:       1 2 2 4 | 1 2 | 1       (ties share the first row's number)
     * running sum (RANGE ... CURRENT ROW, peers included):
     *             10 50 50 80 | 5 5 | 7   (B null adds nothing)
     * avg over partition (no ORDER BY): 20 20 20 20 | 5 5 | 7 */
    static const char *const names[2] = {"dept", "amount"};
    static const enum col_type types[2] = {COL_STRING, COL_INT64};
    struct batch *b = batch_new(2, names, types, 7);
    const char *dept[7] = {"A", "A", "A", "A", "B", "B", NULL};
    int64_t amt[7] = {10, 20, 20, 30, 5, INT64_MIN, 7};
    for (size_t r = 0; r < 7; r++) {
        assert_int_equal(
            column_push_string(&b->cols[0], r, dept[r] ? dept[r] : "", dept[r] ? 1 : 0), 0);
        if (!dept[r])
            column_set_null(&b->cols[0], b->cap_rows, r);
        b->cols[1].i64[r] = amt[r] == INT64_MIN ? 0 : amt[r];
        if (amt[r] == INT64_MIN)
            column_set_null(&b->cols[1], b->cap_rows, r);
    }
    b->n_rows = 7;
    /* The table is in the order the kernel needs: dept, then amount ASC
     * NULLS LAST (so B's null amount comes after B 5). */
    int part = 0;
    struct sort_key ord = {1, SORT_ASC, SORT_NULLS_LAST};
    struct window_call calls[3] = {
        {WIN_ROW_NUMBER, -1, "rn"}, {WIN_RANK, -1, NULL}, {WIN_SUM, 1, NULL}};
    struct window_spec spec = {&part, 1, &ord, 1, calls, 3};
    struct batch *out = window_output_new(&spec, b, 1);
    assert_string_equal(out->names[2], "rn");
    assert_string_equal(out->names[3], "rank()");
    assert_string_equal(out->names[4], "sum(amount)");
    struct kernel_stats st;
    OK(window_run(&spec, b, out, &st, &d_));
    int64_t rn[7] = {1, 2, 3, 4, 1, 2, 1}, rk[7] = {1, 2, 2, 4, 1, 2, 1},
            sum[7] = {10, 50, 50, 80, 5, 5, 7};
    for (size_t r = 0; r < 7; r++) {
        assert_int_equal(out->cols[2].i64[r], rn[r]);
        assert_int_equal(out->cols[3].i64[r], rk[r]);
        assert_int_equal(out->cols[4].i64[r], sum[r]);
        assert_false(is_null(out, 4, r));
        assert_true(exact_equal(out, 0, r, b, 0, r) && exact_equal(out, 1, r, b, 1, r));
    }
    struct window_call avg = {WIN_AVG, 1, NULL};
    struct window_spec whole = {&part, 1, NULL, 0, &avg, 1};
    struct batch *out2 = window_output_new(&whole, b, 1);
    OK(window_run(&whole, b, out2, NULL, &d_));
    double want[7] = {20, 20, 20, 20, 5, 5, 7};
    for (size_t r = 0; r < 7; r++)
        assert_true(out2->cols[2].f64[r] == want[r]);
    /* rank without ORDER BY is refused, as Spark refuses it */
    struct window_call rank = {WIN_RANK, -1, NULL};
    struct window_spec bad = {&part, 1, NULL, 0, &rank, 1};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(window_check(&bad, b, &d), SC_EINPUT);
    batch_free(out2);
    batch_free(out);
    batch_free(b);
}

static void test_window_matches_reference_on_random_rows(void **state)
{
    (void)state;
    uint64_t s = 51;
    struct batch *raw = random_batch(&s, 600, 6, 10);
    int part[2] = {C_KS, C_K32};
    struct sort_key keys[4] = {{C_KS, SORT_ASC, SORT_NULLS_DEFAULT},
                               {C_K32, SORT_ASC, SORT_NULLS_DEFAULT},
                               {C_KI, SORT_DESC, SORT_NULLS_DEFAULT},
                               {C_VB, SORT_ASC, SORT_NULLS_DEFAULT}};
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *b = batch_new(N_COLS, (const char *const *)raw->names, types, 1);
    struct sortk_ws *ws = sortk_ws_new();
    OK(sortk_sort(raw, &(struct sort_spec){keys, 4}, ws, b, NULL, &d_));
    struct window_call calls[4] = {{WIN_ROW_NUMBER, -1, NULL},
                                   {WIN_RANK, -1, NULL},
                                   {WIN_SUM, C_VI, NULL},
                                   {WIN_AVG, C_VD, NULL}};
    struct window_spec spec = {part, 2, keys + 2, 2, calls, 4};
    struct batch *out = window_output_new(&spec, b, 1);
    OK(window_run(&spec, b, out, NULL, &d_));
    for (size_t r = 0; r < b->n_rows; r++) {
        /* reference: scan the whole batch for the row's partition */
        int64_t rn = 0, rk = 1, isum = 0, cnt_vi = 0, cnt_vd = 0;
        double dsum = 0;
        for (size_t q = 0; q < b->n_rows; q++) {
            if (!ref_equal(b, C_KS, q, b, C_KS, r) || !ref_equal(b, C_K32, q, b, C_K32, r))
                continue;
            int before = q < r; /* sorted: earlier rows come first */
            int peer = ref_equal(b, C_KI, q, b, C_KI, r) && ref_equal(b, C_VB, q, b, C_VB, r);
            rn += before;
            rk += before && !peer;
            if (before || peer) { /* RANGE UNBOUNDED PRECEDING .. CURRENT ROW */
                if (!is_null(b, C_VI, q)) {
                    isum += b->cols[C_VI].i64[q];
                    cnt_vi++;
                }
                if (!is_null(b, C_VD, q)) {
                    dsum += b->cols[C_VD].f64[q];
                    cnt_vd++;
                }
            }
        }
        assert_int_equal(out->cols[N_COLS].i64[r], rn + 1);
        assert_int_equal(out->cols[N_COLS + 1].i64[r], rk);
        assert_int_equal(is_null(out, N_COLS + 2, r), cnt_vi == 0);
        if (cnt_vi)
            assert_int_equal(out->cols[N_COLS + 2].i64[r], isum);
        assert_int_equal(is_null(out, N_COLS + 3, r), cnt_vd == 0);
        if (cnt_vd)
            assert_close(out->cols[N_COLS + 3].f64[r], dsum / (double)cnt_vd);
    }
    batch_free(out);
    sortk_ws_free(ws);
    batch_free(b);
    batch_free(raw);
}

/* --- distinct and limit ---------------------------------------------------------- */

static void check_distinct(const struct batch *b, const int *cols, size_t nc,
                           const struct batch *out)
{
    size_t k = 0;
    for (size_t r = 0; r < b->n_rows; r++) {
        size_t q = 0;
        for (; q < r; q++)
            if (same_key(b, cols, nc, q, r))
                break;
        if (q < r)
            continue; /* not a first occurrence */
        assert_true(k < out->n_rows);
        for (size_t c = 0; c < b->n_cols; c++)
            assert_true(exact_equal(out, (int)c, k, b, (int)c, r));
        k++;
    }
    assert_int_equal(out->n_rows, k);
}

static void test_distinct_keeps_first_occurrences(void **state)
{
    (void)state;
    uint64_t s = 61;
    struct batch *b = random_batch(&s, 1200, 4, 10);
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *out = batch_new(N_COLS, (const char *const *)b->names, types, 1);
    struct diag d;
    diag_clear(&d);
    /* dropDuplicates(ks, kd, vb) */
    int cols[3] = {C_KS, C_KD, C_VB};
    struct distinct *ds = distinct_new(b, cols, 3, &d);
    assert_non_null(ds);
    struct kernel_stats st;
    OK(distinct_add(ds, b, out, &st, &d_));
    check_distinct(b, cols, 3, out);
    assert_int_equal(st.rows_out, out->n_rows);
    assert_int_equal(distinct_count(ds), out->n_rows);
    /* streaming: the same rows again add nothing */
    OK(distinct_add(ds, b, out, &st, &d_));
    assert_int_equal(st.rows_out, 0);
    distinct_free(ds);
    /* distinct() on every column: most rows are unique */
    int all[N_COLS] = {0, 1, 2, 3, 4, 5, 6, 7};
    ds = distinct_new(b, NULL, 0, &d);
    batch_clear(out);
    OK(distinct_add(ds, b, out, NULL, &d_));
    check_distinct(b, all, N_COLS, out);
    distinct_free(ds);
    batch_free(out);
    batch_free(b);
}

static void test_limit_takes_first_rows_across_batches(void **state)
{
    (void)state;
    uint64_t s = 62;
    struct batch *b = random_batch(&s, 30, 10, 20);
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *out = batch_new(N_COLS, (const char *const *)b->names, types, 1);
    int64_t remaining = 45;
    struct kernel_stats st;
    OK(limit_take(b, &remaining, out, &st, &d_)); /* 30 taken, 15 left */
    assert_int_equal(remaining, 15);
    assert_int_equal(st.rows_out, 30);
    OK(limit_take(b, &remaining, out, &st, &d_)); /* 15 more */
    assert_int_equal(remaining, 0);
    assert_int_equal(st.rows_out, 15);
    OK(limit_take(b, &remaining, out, &st, &d_)); /* nothing */
    assert_int_equal(out->n_rows, 45);
    size_t rows[45];
    for (size_t i = 0; i < 45; i++)
        rows[i] = i % 30;
    assert_rows_equal(b, rows, 45, out);
    batch_free(out);
    batch_free(b);
}

/* --- sample ------------------------------------------------------------------- */

/* Bernoulli sampling: fraction 0 keeps nothing and 1 keeps every row in
 * order; 0.1 of 100,000 rows keeps a binomial count, 10,000 +- 5 sigma
 * (sigma = sqrt(1e5 x 0.1 x 0.9) = 94.9, so within 475); kept rows come
 * out in input order with their values; the same seed and partition keep
 * the same rows and another partition others. */
static void test_sample_keeps_a_fraction_in_order(void **state)
{
    (void)state;
    uint64_t s = 63;
    struct batch *b = random_batch(&s, 1000, 50, 10);
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *out = batch_new(N_COLS, (const char *const *)b->names, types, 1);
    struct sample_state ss;
    struct kernel_stats st;
    OK(sample_init(&ss, 0.0, 7, 0, &d_));
    OK(sample_rows(&ss, b, out, &st, &d_));
    assert_int_equal(out->n_rows, 0);
    sample_fini(&ss);
    OK(sample_init(&ss, 1.0, 7, 0, &d_));
    OK(sample_rows(&ss, b, out, &st, &d_));
    assert_int_equal(st.rows_out, 1000);
    size_t all[1000];
    for (size_t i = 0; i < 1000; i++)
        all[i] = i;
    assert_rows_equal(b, all, 1000, out);
    sample_fini(&ss);

    /* A tenth of 100 batches of 1,000 rows. */
    size_t kept = 0;
    OK(sample_init(&ss, 0.1, 7, 0, &d_));
    for (int k = 0; k < 100; k++) {
        batch_clear(out);
        OK(sample_rows(&ss, b, out, &st, &d_));
        assert_int_equal(st.rows_in, 1000);
        kept += (size_t)st.rows_out;
        /* The kept rows are the ones the sampler chose, in order. */
        assert_rows_equal(b, ss.keep, out->n_rows, out);
        for (size_t i = 1; i < out->n_rows; i++)
            assert_true(ss.keep[i] > ss.keep[i - 1]);
    }
    assert_true(kept >= 10000 - 475 && kept <= 10000 + 475);
    sample_fini(&ss);

    /* Reruns keep the same rows; another partition keeps others. */
    struct sample_state a, again, other;
    OK(sample_init(&a, 0.5, 42, 3, &d_));
    OK(sample_init(&again, 0.5, 42, 3, &d_));
    OK(sample_init(&other, 0.5, 42, 4, &d_));
    batch_clear(out);
    OK(sample_rows(&a, b, out, &st, &d_));
    size_t n_a = out->n_rows;
    batch_clear(out);
    OK(sample_rows(&again, b, out, &st, &d_));
    assert_int_equal(out->n_rows, n_a);
    assert_memory_equal(a.keep, again.keep, n_a * sizeof *a.keep);
    batch_clear(out);
    OK(sample_rows(&other, b, out, &st, &d_));
    assert_true(out->n_rows != n_a || memcmp(a.keep, other.keep, n_a * sizeof *a.keep) != 0);
    sample_fini(&a);
    sample_fini(&again);
    sample_fini(&other);

    struct diag d;
    diag_clear(&d);
    assert_int_equal(sample_init(&ss, 1.5, 7, 0, &d), SC_EINPUT);
    batch_free(out);
    batch_free(b);
}

/* --- shuffle ------------------------------------------------------------------ */

static void test_xxh32_matches_lz4_frame_checksum(void **state)
{
    (void)state;
    /* XXH32("", 0) = 0x02cc5d05, the published empty-input value. */
    assert_int_equal(shuffle_xxh32("", 0, 0), 0x02cc5d05u);
    /* An LZ4 frame with a content checksum ends with XXH32(content, 0):
     * liblz4's own XXH32 is the independent reference for longer inputs. */
    char content[1000];
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (char)(i * 7 + i / 13);
    size_t lens[4] = {3, 16, 37, 1000};
    for (int t = 0; t < 4; t++) {
        LZ4F_preferences_t prefs;
        memset(&prefs, 0, sizeof prefs);
        prefs.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
        size_t cap = LZ4F_compressFrameBound(lens[t], &prefs);
        unsigned char *frame = malloc(cap);
        size_t n = LZ4F_compressFrame(frame, cap, content, lens[t], &prefs);
        assert_false(LZ4F_isError(n));
        uint32_t want = (uint32_t)frame[n - 4] | (uint32_t)frame[n - 3] << 8 |
                        (uint32_t)frame[n - 2] << 16 | (uint32_t)frame[n - 1] << 24;
        assert_int_equal(shuffle_xxh32(content, lens[t], 0), want);
        free(frame);
    }
}

static void test_shuffle_round_trip_reproduces_rows(void **state)
{
    (void)state;
    uint64_t s = 71;
    struct batch *b = random_batch(&s, 5000, 1000, 10);
    /* the rows of one partition, in partition order */
    struct partition_map *m = partition_map_new();
    int key = C_KI;
    OK(partition_hash(b, &key, 1, 3, m, &d_));
    size_t n1 = m->offsets[2] - m->offsets[1];
    const size_t *rows = m->rows + m->offsets[1];
    struct shuffle_buf raw = {0}, z = {0}, raw2 = {0};
    struct shuffle_stats ws, rs;
    OK(shuffle_write(b, rows, n1, &raw, &z, &ws, &d_));
    assert_int_equal(ws.rows, n1);
    /* serialized size is the UnsafeRow size plus 4 bytes per record */
    int64_t want = 0;
    for (size_t i = 0; i < n1; i++)
        want += 4 + (int64_t)batch_row_bytes(b, rows[i]);
    assert_int_equal(ws.serialized_bytes, want);
    assert_int_equal(ws.compressed_bytes, z.len);
    assert_true(ws.ratio > 1.0);
    assert_int_equal(ws.blocks, (want + 32767) / 32768);
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    struct batch *out = batch_new(N_COLS, (const char *const *)b->names, types, 1);
    OK(shuffle_read(&z, &raw2, out, &rs, &d_));
    assert_int_equal(rs.rows, n1);
    assert_rows_equal(b, rows, n1, out);
    assert_int_equal(raw2.len, raw.len);
    assert_memory_equal(raw2.data, raw.data, raw.len);
    shuffle_buf_fini(&raw);
    shuffle_buf_fini(&raw2);
    shuffle_buf_fini(&z);
    batch_free(out);
    partition_map_free(m);
    batch_free(b);
}

static void test_shuffle_compresses_repetitive_rows(void **state)
{
    (void)state;
    int64_t k[64];
    const char *v[64];
    for (int i = 0; i < 64; i++) {
        k[i] = i % 4;
        v[i] = "the same department name";
    }
    struct batch *b = kv_batch(k, v, 64);
    struct batch *big =
        batch_new(2, (const char *const *)b->names, (enum col_type[]){COL_INT64, COL_STRING}, 1);
    for (int i = 0; i < 200; i++)
        assert_int_equal(batch_append(big, b, 0, 64), 0);
    struct shuffle_buf raw = {0}, z = {0};
    struct shuffle_stats st;
    OK(shuffle_write(big, NULL, big->n_rows, &raw, &z, &st, &d_));
    /* 12800 rows of 4 + 8 + 16 + 24 = 52 bytes = 665600 bytes: 21 blocks */
    assert_int_equal(st.serialized_bytes, 12800 * 52);
    assert_int_equal(st.blocks, 21);
    assert_true(st.ratio > 10.0);
    shuffle_buf_fini(&raw);
    shuffle_buf_fini(&z);
    batch_free(big);
    batch_free(b);
}

static void test_shuffle_rejects_corrupt_streams(void **state)
{
    (void)state;
    uint64_t s = 72;
    struct batch *b = random_batch(&s, 500, 100, 10);
    struct shuffle_buf raw = {0}, z = {0}, raw2 = {0};
    OK(shuffle_write(b, NULL, b->n_rows, &raw, &z, NULL, &d_));
    struct diag d;
    /* a flipped byte inside the first block's data fails the checksum or LZ4 */
    z.data[40] ^= 0x5a;
    diag_clear(&d);
    assert_int_equal(shuffle_decompress(&z, &raw2, &d), SC_EINPUT);
    z.data[40] ^= 0x5a;
    /* a stream cut before its end mark */
    z.len -= 21;
    diag_clear(&d);
    assert_int_equal(shuffle_decompress(&z, &raw2, &d), SC_EINPUT);
    z.len += 21;
    OK(shuffle_decompress(&z, &raw2, &d_));
    /* a record whose length runs past the end */
    raw2.data[3] = 0x7f;
    struct batch *out = batch_new(N_COLS, (const char *const *)b->names,
                                  (enum col_type[]){COL_INT64, COL_STRING, COL_INT32, COL_DOUBLE,
                                                    COL_DOUBLE, COL_INT64, COL_BOOLEAN, COL_DATE},
                                  1);
    diag_clear(&d);
    assert_int_equal(shuffle_deserialize(&raw2, out, &d), SC_EINPUT);
    /* no rows: an end mark only, and back to no rows */
    OK(shuffle_write(b, NULL, 0, &raw, &z, NULL, &d_));
    assert_int_equal(z.len, 21);
    batch_clear(out);
    OK(shuffle_read(&z, &raw2, out, NULL, &d_));
    assert_int_equal(out->n_rows, 0);
    batch_free(out);
    shuffle_buf_fini(&raw);
    shuffle_buf_fini(&raw2);
    shuffle_buf_fini(&z);
    batch_free(b);
}

/* --- scan -------------------------------------------------------------------- */

static void test_scan_round_trip_reproduces_batch(void **state)
{
    (void)state;
    static const enum col_type types[N_COLS] = {COL_INT64,  COL_STRING, COL_INT32,   COL_DOUBLE,
                                                COL_DOUBLE, COL_INT64,  COL_BOOLEAN, COL_DATE};
    size_t sizes[5] = {0, 1, 9, 1000, 20000};
    int nulls[5] = {0, 50, 30, 10, 0};
    struct scan_reader *rd = scan_reader_new();
    struct scan_file f = {0};
    for (int t = 0; t < 5; t++) {
        uint64_t s = 81 + (uint64_t)t;
        struct batch *b = random_batch(&s, sizes[t], 8, nulls[t]);
        OK(scan_encode(b, &f, &d_));
        size_t nc, nr;
        enum col_type got[N_COLS];
        OK(scan_describe(&f, &nc, &nr, got, N_COLS, &d_));
        assert_int_equal(nc, N_COLS);
        assert_int_equal(nr, sizes[t]);
        assert_memory_equal(got, types, sizeof types);
        struct batch *out = batch_new(N_COLS, (const char *const *)b->names, types, 1);
        struct scan_stats st;
        OK(scan_decode(rd, &f, NULL, 0, out, &st, &d_));
        assert_rows_equal(b, NULL, b->n_rows, out);
        assert_int_equal(st.rows, sizes[t]);
        assert_int_equal(st.encoded_bytes, f.len);
        assert_int_equal(st.decoded_bytes, batch_bytes(out));
        /* decoding again into the same batch gives the same rows */
        OK(scan_decode(rd, &f, NULL, 0, out, NULL, &d_));
        assert_rows_equal(b, NULL, b->n_rows, out);
        batch_free(out);
        batch_free(b);
    }
    scan_file_fini(&f);
    scan_reader_free(rd);
}

static void test_scan_uses_dictionary_for_few_distinct_strings(void **state)
{
    (void)state;
    /* 4000 rows of 3 distinct 24-byte strings: plain takes 4000 * 28 =
     * 112000 bytes; a dictionary takes 3 * 28 bytes plus 2-bit indices,
     * and long runs become RLE runs. */
    static const char *const names[2] = {"k", "v"};
    static const enum col_type types[2] = {COL_INT64, COL_STRING};
    struct batch *b = batch_new(2, names, types, 4000);
    const char *vals[3] = {"department-of-sales-0001", "department-of-sales-0002",
                           "department-of-sales-0003"};
    for (size_t r = 0; r < 4000; r++) {
        b->cols[0].i64[r] = (int64_t)r;
        const char *v = vals[r < 2000 ? 0 : (r % 7 == 0 ? 1 : 2)];
        assert_int_equal(column_push_string(&b->cols[1], r, v, 24), 0);
    }
    b->n_rows = 4000;
    struct scan_file f = {0};
    OK(scan_encode(b, &f, &d_));
    /* header 16 + int64 chunk 12 + 32000 + string chunk well under 2000 */
    assert_true(f.len < 16 + 12 + 32000 + 2000);
    struct scan_reader *rd = scan_reader_new();
    struct batch *out = batch_new(2, names, types, 1);
    struct scan_stats st;
    OK(scan_decode(rd, &f, NULL, 0, out, &st, &d_));
    assert_int_equal(st.dict_columns, 1);
    assert_rows_equal(b, NULL, 4000, out);
    /* unique strings stay plain */
    batch_clear(b);
    char buf[32];
    for (size_t r = 0; r < 500; r++) {
        b->cols[0].i64[r] = (int64_t)r;
        int len = snprintf(buf, sizeof buf, "unique-%zu", r * 7919);
        assert_int_equal(column_push_string(&b->cols[1], r, buf, (size_t)len), 0);
    }
    b->n_rows = 500;
    OK(scan_encode(b, &f, &d_));
    OK(scan_decode(rd, &f, NULL, 0, out, &st, &d_));
    assert_int_equal(st.dict_columns, 0);
    assert_rows_equal(b, NULL, 500, out);
    batch_free(out);
    scan_reader_free(rd);
    scan_file_fini(&f);
    batch_free(b);
}

static void test_scan_reads_only_selected_columns(void **state)
{
    (void)state;
    uint64_t s = 91;
    struct batch *b = random_batch(&s, 700, 5, 10);
    struct scan_file f = {0};
    OK(scan_encode(b, &f, &d_));
    int cols[2] = {C_VD, C_KS};
    static const char *const names[2] = {"vd", "ks"};
    static const enum col_type types[2] = {COL_DOUBLE, COL_STRING};
    struct batch *out = batch_new(2, names, types, 1);
    struct scan_reader *rd = scan_reader_new();
    struct scan_stats st;
    OK(scan_decode(rd, &f, cols, 2, out, &st, &d_));
    assert_true(st.encoded_bytes < (int64_t)f.len);
    for (size_t r = 0; r < b->n_rows; r++) {
        assert_true(exact_equal(out, 0, r, b, C_VD, r));
        assert_true(exact_equal(out, 1, r, b, C_KS, r));
    }
    /* a wrong output type and a truncated file are refused */
    struct diag d;
    diag_clear(&d);
    int wrong[2] = {C_KI, C_KS};
    assert_int_equal(scan_decode(rd, &f, wrong, 2, out, NULL, &d), SC_EINPUT);
    f.len -= 5;
    diag_clear(&d);
    assert_int_equal(scan_decode(rd, &f, cols, 2, out, NULL, &d), SC_EINPUT);
    batch_free(out);
    scan_reader_free(rd);
    scan_file_fini(&f);
    batch_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_murmur3_matches_spark_suite_vectors),
        cmocka_unit_test(test_murmur3_bytes_match_reference_murmur3),
        cmocka_unit_test(test_murmur3_chains_columns_like_hash_expression),
        cmocka_unit_test(test_murmur3_normalizes_doubles_and_pmods),
        cmocka_unit_test(test_hash_partition_matches_per_row_reference),
        cmocka_unit_test(test_range_partition_counts_bounds_below),
        cmocka_unit_test(test_sort_single_keys_match_reference),
        cmocka_unit_test(test_sort_multi_key_mixed_directions),
        cmocka_unit_test(test_sort_default_null_order_is_sparks),
        cmocka_unit_test(test_hashagg_complete_matches_reference),
        cmocka_unit_test(test_hashagg_single_int_key_grows_and_keeps_null_group),
        cmocka_unit_test(test_hashagg_partial_then_final_equals_complete),
        cmocka_unit_test(test_hashagg_without_keys_has_one_row),
        cmocka_unit_test(test_keytable_reset_then_regrow),
        cmocka_unit_test(test_hashagg_rejects_bad_specs),
        cmocka_unit_test(test_joins_on_hand_made_tables),
        cmocka_unit_test(test_joins_match_nested_loops_on_random_tables),
        cmocka_unit_test(test_window_on_hand_made_partitions),
        cmocka_unit_test(test_window_matches_reference_on_random_rows),
        cmocka_unit_test(test_distinct_keeps_first_occurrences),
        cmocka_unit_test(test_limit_takes_first_rows_across_batches),
        cmocka_unit_test(test_sample_keeps_a_fraction_in_order),
        cmocka_unit_test(test_xxh32_matches_lz4_frame_checksum),
        cmocka_unit_test(test_shuffle_round_trip_reproduces_rows),
        cmocka_unit_test(test_shuffle_compresses_repetitive_rows),
        cmocka_unit_test(test_shuffle_rejects_corrupt_streams),
        cmocka_unit_test(test_scan_round_trip_reproduces_batch),
        cmocka_unit_test(test_scan_uses_dictionary_for_few_distinct_strings),
        cmocka_unit_test(test_scan_reads_only_selected_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
