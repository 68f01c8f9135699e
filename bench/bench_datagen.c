/*
 * bench_datagen.c — how fast sample data is generated and expressions are
 * evaluated, the two costs calibration pays before it times any kernel.
 * Prints figures; never a pass/fail test.
 *
 *  1. datagen: 1,000,000 rows of a 4-column table (int64 sequence, zipf
 *     string, uniform int32, normal double), rows/s;
 *  2. expr: `salary > 50000 AND dept_code IN ('a','b')` over those rows,
 *     rows/s for the predicate alone (selection vector) and for the filter
 *     kernel (predicate + gather of every column);
 *  3. project: with_column band = CASE WHEN salary > 80000 THEN 'High'
 *     ELSE 'Low' END (copying the 4 input columns too), rows/s.
 *
 * Each figure is the median of several runs: the machine is shared.
 * Usage: bench_datagen [runs]   (default 5)
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/datagen.h"
#include "models/expr.h"
#include "models/kernels/filter.h"
#include "models/kernels/project.h"
#include "bench/timing.h"

enum { ROWS = 1000000, MAX_RUNS = 64 };

static struct column_spec col(const char *name, enum col_type type, enum col_dist dist)
{
    struct column_spec c;
    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type = type;
    c.dist = dist;
    c.min = c.max = c.mean = c.stddev = c.mu = c.sigma = c.exponent = NAN;
    return c;
}

static void die(const struct diag *d)
{
    fprintf(stderr, "bench_datagen: %s\n", d->msg);
    exit(1);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;

    /* dept_code: zipf over "dept_code_1".."dept_code_5" would never equal
     * 'a'; a categorical over a..e (equal weights) keeps 2/5 of the rows,
     * so with salary uniform 40000..120000 (> 50000: 7/8) the filter keeps
     * about 35%. */
    static char *codes[] = {"a", "b", "c", "d", "e"};
    struct column_spec cols[5];
    cols[0] = col("emp_id", COL_INT64, CDIST_SEQUENCE);
    cols[1] = col("dept", COL_STRING, CDIST_ZIPF);
    cols[1].distinct = 1000;
    cols[1].exponent = 1.1;
    cols[2] = col("salary", COL_INT32, CDIST_UNIFORM);
    cols[2].min = 40000;
    cols[2].max = 120000;
    cols[3] = col("bonus", COL_DOUBLE, CDIST_NORMAL);
    cols[3].mean = 5000;
    cols[3].stddev = 1500;
    cols[4] = col("dept_code", COL_STRING, CDIST_CATEGORICAL);
    cols[4].values.v = codes;
    cols[4].values.n = 5;
    struct table_spec t;
    memset(&t, 0, sizeof t);
    t.name = "employees";
    t.columns = cols;
    t.n_columns = 5;

    struct diag d;
    diag_clear(&d);
    struct datagen *g = datagen_new(&t, 42, &d);
    if (!g)
        die(&d);

    /* 1. The 4-column table of the brief (dept_code is generated apart). */
    const char *four[] = {"emp_id", "dept", "salary", "bonus"};
    struct batch *b4 = datagen_batch_new_columns(&t, four, 4, ROWS, &d);
    double times[MAX_RUNS];
    if (!b4)
        die(&d);
    for (int r = 0; r < runs; r++) {
        double t0 = bench_now_s();
        if (datagen_fill(g, 0, ROWS, b4, &d) != SC_OK)
            die(&d);
        times[r] = bench_now_s() - t0;
    }
    double gen_s = bench_median(times, runs);
    printf("datagen: %d rows x 4 columns (sequence, zipf string, uniform int32, normal "
           "double): %.1f ms, %.1f M rows/s\n",
           ROWS, 1e3 * gen_s, ROWS / gen_s / 1e6);

    /* 2. The predicate over salary and dept_code. */
    const char *two[] = {"salary", "dept_code"};
    struct batch *in = datagen_batch_new_columns(&t, two, 2, ROWS, &d);
    if (!in || datagen_fill(g, 0, ROWS, in, &d) != SC_OK)
        die(&d);
    const char *where = "salary > 50000 AND dept_code IN ('a','b')";
    struct expr *pred = expr_compile(where, in, &d);
    if (!pred)
        die(&d);
    struct expr_scratch *s = expr_scratch_new(pred, ROWS);
    size_t *sel = malloc(ROWS * sizeof *sel), kept = 0;
    if (!s || !sel)
        return 1;
    for (int r = 0; r < runs; r++) {
        double t0 = bench_now_s();
        if (expr_select(pred, in, s, sel, &kept, &d) != SC_OK)
            die(&d);
        times[r] = bench_now_s() - t0;
    }
    double sel_s = bench_median(times, runs);
    printf("expr: %s over %d rows: %.2f ms, %.0f M rows/s (kept %.1f%%)\n", where, ROWS,
           1e3 * sel_s, ROWS / sel_s / 1e6, 100.0 * (double)kept / ROWS);

    struct kernel_filter *f = kernel_filter_new(pred, ROWS, &d);
    struct batch *fout = batch_new_like(in, ROWS);
    if (!f || !fout)
        die(&d);
    for (int r = 0; r < runs; r++) {
        double t0 = bench_now_s();
        if (kernel_filter_run(f, in, fout, NULL, &d) != SC_OK)
            die(&d);
        times[r] = bench_now_s() - t0;
    }
    double filt_s = bench_median(times, runs);
    printf("filter kernel (predicate + gather of 2 columns): %.2f ms, %.0f M rows/s\n",
           1e3 * filt_s, ROWS / filt_s / 1e6);

    /* 3. with_column over the 4-column batch. */
    struct expr_list l;
    if (expr_list_with_column(&l, b4, "band", "CASE WHEN salary > 80000 THEN 'High' ELSE 'Low' END",
                              &d) != SC_OK)
        die(&d);
    struct kernel_project *p = kernel_project_new(&l, ROWS, &d);
    struct batch *pout = p ? kernel_project_output_new(p, ROWS) : NULL;
    if (!p || !pout)
        die(&d);
    for (int r = 0; r < runs; r++) {
        double t0 = bench_now_s();
        if (kernel_project_run(p, b4, pout, NULL, &d) != SC_OK)
            die(&d);
        times[r] = bench_now_s() - t0;
    }
    double proj_s = bench_median(times, runs);
    printf("project kernel (4 columns copied + CASE string column): %.2f ms, %.0f M rows/s\n",
           1e3 * proj_s, ROWS / proj_s / 1e6);

    batch_free(pout);
    kernel_project_free(p);
    expr_list_fini(&l);
    batch_free(fout);
    kernel_filter_free(f);
    free(sel);
    expr_scratch_free(s);
    expr_free(pred);
    batch_free(in);
    batch_free(b4);
    datagen_free(g);
    return 0;
}
