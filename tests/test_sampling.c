/*
 * test_sampling.c — the sample rows calibration runs the kernels on
 * (sim/calib/calibrate_sample.c, models/datagen.c's key restriction): joins
 * keep their rows per input row, small tables are used whole, selective
 * filters still let rows through, and an operator on no rows is reported.
 * Every figure is a row count of generated data with a fixed seed, never a
 * time.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/datagen.h"
#include "sim/calib/calibrate.h"
#include "sim/input/cluster.h"
#include "sim/input/scenario.h"
#include "sim/plan/plan_stats.h"
#include "sim/plan/planner.h"

#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}

/* Job 0: a fact of 1e9 rows, its key uniform over 1e8 values, joined to a
 * dimension of 1e6 rows keyed 1..1e6 (too big to broadcast: a sort-merge
 * join). Job 1: the same fact with its key over 1e6 values, a key-FK join.
 * Job 2: group by the id of a 5,000-row table. Job 3: a filter keeping one
 * row in 1,000. Job 4: a filter keeping none. */
static const char scenario_text[] =
    "name = \"sampling-test\";\n"
    "cluster = { platform = \"vm\"; worker = \"Standard_DS3_v2\"; workers = 2; };\n"
    "tables = {\n"
    "  fact = { rows = 1000000000L; size = \"40g\"; columns = (\n"
    "    { name = \"k\"; type = \"int64\"; dist = \"uniform\"; min = 1; max = 100000000; },\n"
    "    { name = \"v\"; type = \"double\"; dist = \"uniform\"; min = 0; max = 1; } ); };\n"
    "  fk = { rows = 1000000000L; size = \"40g\"; columns = (\n"
    "    { name = \"k\"; type = \"int64\"; dist = \"uniform\"; min = 1; max = 1000000; },\n"
    "    { name = \"v\"; type = \"double\"; dist = \"uniform\"; min = 0; max = 1; } ); };\n"
    "  dim = { rows = 1000000L; size = \"400m\"; columns = (\n"
    "    { name = \"k\"; type = \"int64\"; dist = \"sequence\"; },\n"
    "    { name = \"label\"; type = \"int32\"; dist = \"uniform\"; min = 1; max = 9; } ); };\n"
    "  small = { rows = 5000L; columns = (\n"
    "    { name = \"id\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"
    "  t = { rows = 100000000L; columns = (\n"
    "    { name = \"x\"; type = \"int32\"; dist = \"uniform\"; min = 0; max = 99999; } ); };\n"
    "};\n"
    "jobs = (\n"
    "  { name = \"join\"; query = ( { op = \"scan\"; table = \"fact\"; },\n"
    "      { op = \"join\"; right = \"dim\"; on = [\"k\"]; },\n"
    "      { op = \"write\"; path = \"/out/j\"; } ); },\n"
    "  { name = \"key-fk\"; query = ( { op = \"scan\"; table = \"fk\"; },\n"
    "      { op = \"join\"; right = \"dim\"; on = [\"k\"]; },\n"
    "      { op = \"write\"; path = \"/out/fk\"; } ); },\n"
    "  { name = \"small\"; query = ( { op = \"scan\"; table = \"small\"; },\n"
    "      { op = \"group_by\"; keys = [\"id\"]; aggs = [\"count(id) AS n\"]; },\n"
    "      { op = \"collect\"; } ); },\n"
    "  { name = \"selective\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
    "      { op = \"filter\"; where = \"x < 100\"; }, { op = \"count\"; } ); },\n"
    "  { name = \"nothing\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
    "      { op = \"filter\"; where = \"x < 0\"; },\n"
    "      { op = \"group_by\"; keys = [\"x\"]; aggs = [\"count(x) AS n\"]; },\n"
    "      { op = \"collect\"; } ); }\n"
    ");\n";

struct fixture {
    char dir[256];
    char path[300];
    struct catalog *cat;
    struct scenario *s;
    struct plan *plan;
    struct cluster cl;
    struct calibration *cal;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/test_sampling_XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/sampling.cfg", f->dir);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fputs(scenario_text, fp);
    fclose(fp);
    struct diag d;
    diag_clear(&d);
    f->cat = catalog_load_default(&d);
    assert_non_null(f->cat);
    f->s = scenario_load(f->path, &d);
    if (!f->s)
        print_error("%s\n", d.msg);
    assert_non_null(f->s);
    assert_int_equal(cluster_build(f->s, f->cat, &f->cl, &d), SC_OK);
    f->plan = planner_plan(f->s, &f->cl, NULL, &d);
    assert_non_null(f->plan);
    /* Sizes 4,096..16,384, no cache, a fixed host speed: only counts of
     * rows are checked. */
    struct calibrate_options o;
    assert_int_equal(calibrate_options_init(&o, NULL, NULL, &d), SC_OK);
    static const size_t rows[] = {4096, 8192, 16384};
    memcpy(o.rows, rows, sizeof rows);
    o.n_rows = 3;
    o.repetitions = 1;
    o.host_acu = 250.0;
    o.cache_dir[0] = '\0';
    if (calibrate_plan(f->plan, &f->cl, &o, &f->cal, &d) != SC_OK)
        fail_msg("calibrate_plan: %s", d.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    calibrate_free(f->cal);
    plan_free(f->plan);
    scenario_free(f->s);
    catalog_free(f->cat);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* The calibrated stage of job `job` whose pipeline is `pipeline`. */
static const struct calibrate_stage *stage_named(const struct fixture *f, size_t job,
                                                 const char *pipeline)
{
    for (size_t i = 0; i < calibrate_n_stages(f->cal); i++) {
        const struct calibrate_stage *r = calibrate_stage_at(f->cal, i);
        if (r->job == job && strcmp(r->pipeline, pipeline) == 0)
            return r;
    }
    fail_msg("no stage '%s' in job %zu", pipeline, job);
    return NULL;
}

static bool has_warning(const struct fixture *f, const char *text)
{
    for (size_t i = 0; i < calibrate_n_warnings(f->cal); i++)
        if (strstr(calibrate_warning(f->cal, i), text))
            return true;
    return false;
}

/* The full join: each fact row's key (uniform over 1e8) is one of the
 * dimension's 1e6 keys with probability 1e6 / 1e8, and then matches one
 * row: 0.01 joined rows per fact row, 0.01 x 1e9 / (1e9 + 1e6) = 0.00999
 * per input row. Both sides keep the keys = 8,191 (mod 16,383... the
 * modulus m = ceil(1,001,000,000 / 16,384) = 61,097): the fact's sample
 * ~16,367 rows, the dimension's its 16 kept keys, so ~164 joined rows;
 * five standard errors of that count (sqrt 164 = 13) are 0.004 of the
 * ratio. Independent samples gave 0 joined rows. */
static void test_join_keeps_its_expansion_factor(void **state)
{
    struct fixture *f = *state;
    const struct calibrate_stage *r = stage_named(f, 0, "read>sort>read>sort>smj>write");
    assert_int_equal(r->status, CALIBRATE_MEASURED);
    assert_true(r->out_rows > 0.0);
    assert_near(r->out_rows / r->in_rows, 0.00999, 0.004);
}

/* A key-FK join: the fact's key is uniform over the dimension's 1e6 keys,
 * so every fact row matches exactly one dimension row: 1 joined row per
 * fact row. The kept keys are floor(1e6 / 64) = 15,625 apart (64 of them:
 * 1e6 / 61,097 would keep only 16), the dimension's sample holds all 64,
 * and every fact row of the sample finds its one: out = fact rows =
 * input rows - 64 or fewer, out / in >= 1 - 64 / 16,384 = 0.996. */
static void test_key_fk_join_keeps_one_row_per_fact_row(void **state)
{
    struct fixture *f = *state;
    const struct calibrate_stage *r = stage_named(f, 1, "read>sort>read>sort>smj>write");
    assert_int_equal(r->status, CALIBRATE_MEASURED);
    assert_true(r->out_rows <= r->in_rows);
    assert_true(r->out_rows / r->in_rows >= 1.0 - 64.0 / 16384.0 - 1e-9);
}

/* A table of 5,000 rows under the 16,384-row sample is used whole: its
 * sequence ids 1..5,000 make exactly 5,000 groups (before: 16,384 rows
 * numbered past the table's end, 16,384 groups). */
static void test_small_table_is_used_whole(void **state)
{
    struct fixture *f = *state;
    const struct calibrate_stage *r = stage_named(f, 2, "scan>agg>exchange");
    assert_int_equal(r->status, CALIBRATE_MEASURED);
    assert_near(r->groups_sample, 5000.0, 0.0);
    assert_near(r->out_rows, 5000.0, 0.0);
}

/* x < 100 over x uniform on 0..99,999 keeps 1/1000: 4 rows of the
 * smallest 4,096-row sample, under the 64 a filter must let through, so
 * the sizes double up to 16 x (65,536 rows: ~66 out) and say so. The
 * selectivity is still 0.001 within five standard errors of the largest
 * sample (262,144 rows: 5 sqrt(0.001 / 262144) = 0.0003). */
static void test_selective_filter_still_gets_rows_out(void **state)
{
    struct fixture *f = *state;
    const struct calibrate_stage *r = stage_named(f, 3, "scan>filter>agg>exchange");
    assert_int_equal(r->status, CALIBRATE_MEASURED);
    assert_true(r->in_rows > 16384.0);
    assert_near(r->selectivity, 0.001, 0.0003);
    assert_true(has_warning(f, "job 3 stage 0: samples grown"));
}

/* x < 0 keeps nothing: the aggregate after it would be timed on no rows.
 * The stage is not calibrated (default rates), and says which operator. */
static void test_operator_on_no_rows_is_reported(void **state)
{
    struct fixture *f = *state;
    const struct calibrate_stage *r = stage_named(f, 4, "scan>filter>agg>exchange");
    assert_int_equal(r->status, CALIBRATE_FAILED);
    assert_non_null(strstr(r->reason, "saw no rows"));
}

/* The dimension's map stage sends its 16,384 sample rows into the
 * exchange: its measured LZ4 ratio replaces the planner's 0.5, planned x
 * (1 / ratio) / 0.5, and its reader reads exactly that. The selective
 * count's map stage sends 1 row: its ratio is not applied. */
static void test_compression_needs_enough_rows(void **state)
{
    struct fixture *f = *state;
    struct plan_stage *dim = &f->plan->jobs[0].stages[1];
    struct plan_stage *count = &f->plan->jobs[3].stages[0];
    int64_t planned = dim->shuffle_write_bytes, planned_count = count->shuffle_write_bytes;
    const struct calibrate_stage *r = stage_named(f, 0, "scan>exchange");
    assert_int_equal(r->stage, 0);
    const struct calibrate_stage *rd = NULL;
    for (size_t i = 0; i < calibrate_n_stages(f->cal); i++) {
        const struct calibrate_stage *x = calibrate_stage_at(f->cal, i);
        if (x->job == 0 && x->stage == 1)
            rd = x;
    }
    assert_non_null(rd);
    assert_true(rd->out_rows >= CALIBRATE_MIN_RATIO_ROWS && rd->compression > 1.0);
    calibrate_apply_compression(f->plan, f->cal);
    assert_near((double)dim->shuffle_write_bytes,
                (double)planned / rd->compression / PLAN_STATS_SHUFFLE_COMPRESSION, 1.0);
    assert_int_equal(count->shuffle_write_bytes, planned_count);
}

/* datagen_keep_keys on a sequence 1..1,000 with modulus 10, residue 5:
 * rows hold 5, 15, 25, ..., 995 and the restricted table has 100 rows. On a
 * uniform 1..1,000, every value drawn is = 5 (mod 10) and the table keeps
 * 1e6 x 100 / 1,000 rows. */
static void test_datagen_keeps_only_kept_keys(void **state)
{
    (void)state;
    struct column_spec cs = {.name = "k", .type = COL_INT64, .dist = CDIST_SEQUENCE};
    struct table_spec t = {.name = "t", .rows = 1000, .columns = &cs, .n_columns = 1};
    struct diag d;
    diag_clear(&d);
    struct datagen *g = datagen_new(&t, 1, &d);
    assert_non_null(g);
    assert_int_equal(datagen_keep_keys(g, "k", 10, 5, &d), SC_OK);
    assert_int_equal(datagen_rows(g), 100);
    struct batch *b = datagen_batch_new(&t, 100);
    assert_int_equal(datagen_fill(g, 0, 100, b, &d), SC_OK);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(b->cols[0].i64[i], 5 + 10 * (int64_t)i);
    datagen_free(g);

    struct column_spec cu = {
        .name = "k", .type = COL_INT64, .dist = CDIST_UNIFORM, .min = 1, .max = 1000};
    struct table_spec tu = {.name = "t", .rows = 1000000, .columns = &cu, .n_columns = 1};
    g = datagen_new(&tu, 1, &d);
    assert_non_null(g);
    assert_int_equal(datagen_keep_keys(g, "k", 10, 5, &d), SC_OK);
    assert_int_equal(datagen_rows(g), 100000);
    assert_int_equal(datagen_fill(g, 0, 100, b, &d), SC_OK);
    for (size_t i = 0; i < 100; i++) {
        int64_t v = b->cols[0].i64[i];
        assert_true(v >= 5 && v <= 995 && v % 10 == 5);
    }
    batch_free(b);
    datagen_free(g);
}

int main(void)
{
    gsl_set_error_handler_off();
    setenv("STAGECAST_HOST_ACU", "250", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datagen_keeps_only_kept_keys),
        cmocka_unit_test_setup_teardown(test_join_keeps_its_expansion_factor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_fk_join_keeps_one_row_per_fact_row, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_small_table_is_used_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selective_filter_still_gets_rows_out, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_operator_on_no_rows_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compression_needs_enough_rows, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
