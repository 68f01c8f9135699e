/*
 * bench_kernels.c — how fast the operator kernels run on this machine.
 * Prints figures; never a pass/fail test. The calibrator measures the same
 * kernels on scenario data; these fixed cases are for spotting regressions
 * and comparing machines.
 *
 *  1. hash aggregation, int64 keys, count(*) + sum(int64): 100 groups and
 *     1e6 groups (rows/s);
 *  2. sort of 1e6 random int64 (rows/s);
 *  3. hash partitioning of 1e6 rows into 200 on an int64 key (rows/s);
 *  4. shuffle of 1e6 rows (int64 id, string of 50 values, double, int32):
 *     serialize + LZ4 and decompress (MB/s of serialized bytes), ratio;
 *  5. broadcast hash join 1e6 x 1e3 on an int64 key (probe rows/s);
 *  6. scan decode of the same 1e6 rows (MB/s of encoded bytes, rows/s).
 *
 * Every figure is the median of 5 runs (the machine is shared); inputs and
 * outputs are allocated once and reused, as the calibrator does.
 * Usage: bench_kernels [runs]   (default 5)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/kernels/hashagg.h"
#include "models/kernels/join.h"
#include "models/kernels/partition.h"
#include "models/kernels/scan.h"
#include "models/kernels/shuffle.h"
#include "models/kernels/sort.h"
#include "bench/timing.h"

#define MAX_RUNS 31

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static void die(const char *what, const struct diag *d)
{
    fprintf(stderr, "bench_kernels: %s: %s\n", what, d->msg);
    exit(1);
}

/* n rows: id int64 (key mod n_keys), name string (one of 50), value double,
 * qty int32. */
static struct batch *make_rows(size_t n, uint64_t n_keys, uint64_t seed)
{
    static const char *const names[4] = {"id", "name", "value", "qty"};
    static const enum col_type types[4] = {COL_INT64, COL_STRING, COL_DOUBLE, COL_INT32};
    struct batch *b = batch_new(4, names, types, n);
    if (!b)
        exit(1);
    uint64_t s = seed;
    char buf[32];
    for (size_t r = 0; r < n; r++) {
        b->cols[0].i64[r] = (int64_t)(rnd(&s) % n_keys);
        int len = snprintf(buf, sizeof buf, "customer-%02u", (unsigned)(rnd(&s) % 50));
        if (column_push_string(&b->cols[1], r, buf, (size_t)len) != 0)
            exit(1);
        b->cols[2].f64[r] = (double)(rnd(&s) % 1000000) / 100.0;
        b->cols[3].i64[r] = (int64_t)(rnd(&s) % 100);
    }
    b->n_rows = n;
    return b;
}

static void bench_hashagg(int runs, uint64_t groups)
{
    const size_t n = 4000000;
    struct batch *b = make_rows(n, groups, 1);
    int key = 0;
    struct agg_call calls[2] = {{AGG_COUNT_STAR, -1, NULL}, {AGG_SUM, 3, NULL}};
    struct agg_spec spec = {&key, 1, calls, 2};
    struct diag d;
    diag_clear(&d);
    struct hashagg *h = hashagg_new(&spec, AGG_PARTIAL, b, &d);
    if (!h)
        die("hashagg_new", &d);
    struct batch *out = hashagg_output_new(h, 1);
    double t[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        hashagg_reset(h);
        double t0 = bench_now_s();
        if (hashagg_add(h, b, &d) != SC_OK || hashagg_emit(h, out, NULL, &d) != SC_OK)
            die("hashagg", &d);
        t[i] = bench_now_s() - t0;
    }
    printf("hash aggregate, int64 key, %8llu groups: %7.1f M rows/s  (%zu rows, %zu groups out)\n",
           (unsigned long long)groups, n / bench_median(t, runs) / 1e6, n, out->n_rows);
    batch_free(out);
    hashagg_free(h);
    batch_free(b);
}

static void bench_sort(int runs)
{
    const size_t n = 1000000;
    static const char *const names[1] = {"k"};
    static const enum col_type types[1] = {COL_INT64};
    struct batch *b = batch_new(1, names, types, n), *out = batch_new(1, names, types, n);
    uint64_t s = 2;
    for (size_t r = 0; r < n; r++)
        b->cols[0].i64[r] = (int64_t)rnd(&s);
    b->n_rows = n;
    struct sort_key k = {0, SORT_ASC, SORT_NULLS_DEFAULT};
    struct sort_spec spec = {&k, 1};
    struct sortk_ws *ws = sortk_ws_new();
    struct diag d;
    diag_clear(&d);
    double t[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_s();
        if (sortk_sort(b, &spec, ws, out, NULL, &d) != SC_OK)
            die("sort", &d);
        t[i] = bench_now_s() - t0;
    }
    printf("sort 1e6 random int64:                 %7.1f M rows/s\n", n / bench_median(t, runs) / 1e6);
    sortk_ws_free(ws);
    batch_free(out);
    batch_free(b);
}

static void bench_partition(int runs, const struct batch *b)
{
    struct partition_map *m = partition_map_new();
    int key = 0;
    struct diag d;
    diag_clear(&d);
    double t[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_s();
        if (partition_hash(b, &key, 1, 200, m, &d) != SC_OK)
            die("partition", &d);
        t[i] = bench_now_s() - t0;
    }
    printf("hash partition into 200:               %7.1f M rows/s\n",
           b->n_rows / bench_median(t, runs) / 1e6);
    partition_map_free(m);
}

static void bench_shuffle(int runs, const struct batch *b)
{
    struct shuffle_buf raw = {0}, z = {0}, raw2 = {0};
    struct shuffle_stats st;
    struct diag d;
    diag_clear(&d);
    struct batch *out =
        batch_new(b->n_cols, (const char *const *)b->names,
                  (enum col_type[]){COL_INT64, COL_STRING, COL_DOUBLE, COL_INT32}, b->n_rows);
    double tw[MAX_RUNS], tz[MAX_RUNS], tr[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_s();
        if (shuffle_write(b, NULL, b->n_rows, &raw, &z, &st, &d) != SC_OK)
            die("shuffle_write", &d);
        double t1 = bench_now_s();
        if (shuffle_decompress(&z, &raw2, &d) != SC_OK)
            die("shuffle_decompress", &d);
        double t2 = bench_now_s();
        batch_clear(out);
        if (shuffle_deserialize(&raw2, out, &d) != SC_OK)
            die("shuffle_deserialize", &d);
        double t3 = bench_now_s();
        tw[i] = t1 - t0;
        tz[i] = t2 - t1;
        tr[i] = t3 - t2;
    }
    double mb = (double)st.serialized_bytes / 1e6;
    printf("serialize + LZ4 (1e6 rows, %.0f MB):    %7.0f MB/s  (ratio %.2f)\n", mb,
           mb / bench_median(tw, runs), st.ratio);
    printf("LZ4 decompress:                        %7.0f MB/s\n", mb / bench_median(tz, runs));
    printf("deserialize:                           %7.0f MB/s\n", mb / bench_median(tr, runs));
    batch_free(out);
    shuffle_buf_fini(&raw);
    shuffle_buf_fini(&raw2);
    shuffle_buf_fini(&z);
}

static void bench_join(int runs)
{
    struct batch *left = make_rows(1000000, 1000, 5); /* keys 0..999 */
    struct batch *right = make_rows(1000, 1000, 3);
    for (size_t r = 0; r < right->n_rows; r++)
        right->cols[0].i64[r] = (int64_t)r; /* every left key matches one right row */
    int lk = 0, rk = 0;
    struct join_spec spec = {JOIN_INNER, &lk, &rk, 1};
    struct join_hash *h = join_hash_new();
    struct join_ws *ws = join_ws_new();
    struct batch *out = join_output_new(&spec, left, right, 1);
    struct diag d;
    diag_clear(&d);
    double t[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_s();
        if (join_hash_build(h, &spec, right, &d) != SC_OK ||
            join_hash_probe(h, &spec, left, ws, out, NULL, &d) != SC_OK)
            die("join", &d);
        t[i] = bench_now_s() - t0;
    }
    printf("broadcast hash join 1e6 x 1e3:         %7.1f M rows/s  (%zu rows out, 8 columns)\n",
           left->n_rows / bench_median(t, runs) / 1e6, out->n_rows);
    batch_free(out);
    join_ws_free(ws);
    join_hash_free(h);
    batch_free(right);
    batch_free(left);
}

static void bench_scan(int runs, const struct batch *b)
{
    struct scan_file f = {0};
    struct diag d;
    diag_clear(&d);
    if (scan_encode(b, &f, &d) != SC_OK)
        die("scan_encode", &d);
    struct scan_reader *rd = scan_reader_new();
    struct batch *out =
        batch_new(b->n_cols, (const char *const *)b->names,
                  (enum col_type[]){COL_INT64, COL_STRING, COL_DOUBLE, COL_INT32}, b->n_rows);
    struct scan_stats st;
    double t[MAX_RUNS];
    for (int i = 0; i < runs; i++) {
        double t0 = bench_now_s();
        if (scan_decode(rd, &f, NULL, 0, out, &st, &d) != SC_OK)
            die("scan_decode", &d);
        t[i] = bench_now_s() - t0;
    }
    double med = bench_median(t, runs);
    printf("scan decode (1e6 rows, %.1f MB, %lld dict): %5.0f MB/s  (%.1f M rows/s, %.1f B/row)\n",
           (double)f.len / 1e6, (long long)st.dict_columns, (double)f.len / 1e6 / med,
           b->n_rows / med / 1e6, (double)f.len / (double)b->n_rows);
    batch_free(out);
    scan_reader_free(rd);
    scan_file_fini(&f);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    printf("stagecast kernel benchmarks (median of %d runs)\n", runs);
    bench_hashagg(runs, 100);
    bench_hashagg(runs, 1000000);
    bench_sort(runs);
    struct batch *rows = make_rows(1000000, 1000000000, 4);
    bench_partition(runs, rows);
    bench_shuffle(runs, rows);
    bench_join(runs);
    bench_scan(runs, rows);
    batch_free(rows);
    return 0;
}
