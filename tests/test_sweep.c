/*
 * test_sweep.c — the sweep: ranges, the grid of points, statistics, the
 * Pareto front and the recommendation on hand-made points, then the real
 * binary: the same numbers whatever the thread count, shards merged (and
 * MPI ranks when built with MPI), resuming, failed points, the outputs.
 *
 * The build passes STAGECAST (the binary) and SRCDIR (the source tree).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "cli_harness.h"
#include <dirent.h>
#include <gsl/gsl_errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/catalog.h"
#include "sim/cli/sweep_args.h"
#include "sim/sweep/sweep.h"

static const char *binary;
static const char *srcdir;
static char workdir[256];
static char scenario[1024]; /* scenarios/analytics-ds3.cfg */

/* ---- helpers --------------------------------------------------------------------- */

static int run(const char *args)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s", workdir, binary, args);
    return harness_sh(workdir, cmd);
}

static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    return harness_slurp(path, NULL);
}

static void spit(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void clean_workdir(void)
{
    harness_clean_dir(workdir);
}

/* Runs a sweep that must succeed, failing the test with its stderr. */
static void sweep_ok(const char *args)
{
    int rc = run(args);
    if (rc != 0) {
        /* fail_msg does not return: the message is copied, not leaked. */
        char msg[2048];
        char *err = slurp("err.txt");
        snprintf(msg, sizeof msg, "%s", err ? err : "");
        free(err);
        fail_msg("stagecast %s: exit %d: %s", args, rc, msg);
    }
}

static void assert_same_file(const char *a, const char *b)
{
    char *x = slurp(a), *y = slurp(b);
    assert_non_null(x);
    assert_non_null(y);
    if (strcmp(x, y) != 0)
        fail_msg("%s and %s differ", a, b);
    free(x);
    free(y);
}

/* The grid the binary tests use: 2 node types x 3 worker counts, 3
 * replications = 18 runs of a 5-job scenario, a few milliseconds. */
#define GRID                                                                                       \
    "--node-types Standard_DS3_v2,Standard_E8ds_v5 --workers 2-8 --replications 3 "                \
    "--deadline 4.5s"

/* ---- ranges and points -------------------------------------------------------------- */

static void expect_counts(const char *text, const int64_t *want, size_t n_want)
{
    struct diag d;
    diag_clear(&d);
    int64_t *v = NULL;
    size_t n = 0;
    assert_int_equal(sweep_parse_counts(text, "--workers", 1, 100000, &v, &n, &d), SC_OK);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(v[i], want[i]);
    free(v);
}

static void test_counts_double_step_and_list(void **state)
{
    (void)state;
    /* "A-B" doubles from A while <= B; "A-B:S" steps; items keep their
     * order; duplicates go. */
    expect_counts("2-32", (const int64_t[]){2, 4, 8, 16, 32}, 5);
    expect_counts("3-20", (const int64_t[]){3, 6, 12}, 3);
    expect_counts("2-10:4", (const int64_t[]){2, 6, 10}, 3);
    expect_counts("8,2,4", (const int64_t[]){8, 2, 4}, 3);
    expect_counts("1, 2-8, 3", (const int64_t[]){1, 2, 4, 8, 3}, 5);
    expect_counts("5", (const int64_t[]){5}, 1);
    expect_counts("7-7", (const int64_t[]){7}, 1);
}

static void test_bad_counts_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "0-4", "8-2", "2-x", "2,,4", "-3", "2-8:0", "4:2", "1-200000", "2.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct diag d;
        diag_clear(&d);
        int64_t *v = NULL;
        size_t n = 0;
        if (sweep_parse_counts(bad[i], "--workers", 1, 100000, &v, &n, &d) == SC_OK)
            fail_msg("'%s' was accepted", bad[i]);
        assert_true(strstr(d.msg, "--workers") != NULL);
        free(v);
    }
}

/* Builds a sweep from command-line words, as `stagecast sweep` would. */
static struct sweep *sweep_from(const char *file, const char **words, int n_words)
{
    char *argv[64];
    argv[0] = (char *)"sweep";
    argv[1] = (char *)file;
    for (int i = 0; i < n_words; i++)
        argv[i + 2] = (char *)words[i];
    struct diag d;
    diag_clear(&d);
    struct sweep_args a;
    bool help;
    assert_int_equal(cli_sweep_parse(n_words + 2, argv, false, &a, &help, &d), SC_OK);
    struct catalog *cat = catalog_load_default(&d);
    assert_non_null(cat);
    struct sweep_spec spec;
    if (sweep_spec_from_args(&a, cat, &spec, &d) != SC_OK)
        fail_msg("%s", d.msg);
    struct sweep *sw = sweep_new(&spec, &d);
    assert_non_null(sw);
    catalog_free(cat);
    cli_sweep_args_fini(&a);
    return sw;
}

static void expect_overrides(const struct sweep *sw, size_t i, const char *joined)
{
    const char *ov[16];
    size_t n = sweep_point_overrides(sw, i, ov, 16);
    char buf[1024] = "";
    for (size_t k = 0; k < n; k++) {
        strcat(buf, k ? " " : "");
        strcat(buf, ov[k]);
    }
    assert_string_equal(buf, joined);
}

static void test_points_are_the_cartesian_product(void **state)
{
    (void)state;
    const char *words[] = {"--node-types", "Standard_DS3_v2,Standard_E8ds_v5",
                           "--workers",    "2,4,8",
                           "--set",        "spark.sql.shuffle.partitions=100,200",
                           "--set",        "model.task_launch_ms=2",
                           "--autoscale",  "2-8",
                           "--spot",       "0,1",
                           "--set",        "cluster.spot.discount=0.5"};
    struct sweep *sw = sweep_from(scenario, words, 14);
    /* 2 node types x 3 workers x 1 autoscale x 2 spot x 2 partitions. */
    assert_int_equal(sw->n_points, 24);
    assert_int_equal(sw->spec.n_axes, 5);
    /* The first axis is the outermost: point 0 takes every first choice,
     * the last point every last one; a single-valued --set comes first in
     * every point; the driver follows the worker (the scenario's are the
     * same); a spot fraction is written as a number with a fraction. */
    expect_overrides(
        sw, 0,
        "model.task_launch_ms=2 cluster.spot.discount=0.5 cluster.worker=Standard_DS3_v2 "
        "cluster.driver=Standard_DS3_v2 cluster.workers=2 cluster.autoscale.min=2 "
        "cluster.autoscale.max=8 cluster.spot.fraction=0.0 "
        "spark.sql.shuffle.partitions=100");
    expect_overrides(
        sw, 23,
        "model.task_launch_ms=2 cluster.spot.discount=0.5 cluster.worker=Standard_E8ds_v5 "
        "cluster.driver=Standard_E8ds_v5 cluster.workers=8 cluster.autoscale.min=2 "
        "cluster.autoscale.max=8 cluster.spot.fraction=1.0 "
        "spark.sql.shuffle.partitions=200");
    /* Point 15 = (1, 0, 0, 1, 1) in radices (2, 3, 1, 2, 2):
     * 1*12 + 0*4 + 0*4 + 1*2 + 1 = 15. */
    expect_overrides(
        sw, 15,
        "model.task_launch_ms=2 cluster.spot.discount=0.5 cluster.worker=Standard_E8ds_v5 "
        "cluster.driver=Standard_E8ds_v5 cluster.workers=2 cluster.autoscale.min=2 "
        "cluster.autoscale.max=8 cluster.spot.fraction=1.0 "
        "spark.sql.shuffle.partitions=200");
    /* Replication 0 keeps the scenario's seed (42). */
    assert_int_equal(sw->seeds[0], 42);
    sweep_free(sw);
}

static void test_driver_follows_worker_only_when_equal(void **state)
{
    (void)state;
    /* A scenario whose driver differs from its workers keeps its driver. */
    clean_workdir();
    char *text = NULL;
    {
        FILE *f = fopen(scenario, "rb");
        assert_non_null(f);
        text = calloc(1, 65536);
        size_t n = fread(text, 1, 65535, f);
        text[n] = '\0';
        fclose(f);
    }
    char *drv = strstr(text, "driver   = \"Standard_DS3_v2\"");
    assert_non_null(drv);
    memcpy(drv, "driver   = \"Standard_DS4_v2\"", strlen("driver   = \"Standard_DS4_v2\""));
    spit("bigdriver.cfg", text);
    free(text);
    char path[512];
    snprintf(path, sizeof path, "%s/bigdriver.cfg", workdir);
    const char *words[] = {"--node-types", "Standard_E8ds_v5"};
    struct sweep *sw = sweep_from(path, words, 2);
    /* (East US lists no price for the kept DS4_v2 driver, West US 2 does:
     * the sweep prices its points there.) */
    expect_overrides(sw, 0, "cluster.region=westus2 cluster.worker=Standard_E8ds_v5");
    sweep_free(sw);
    /* So does a driver set on the command line. */
    const char *words2[] = {"--node-types", "Standard_E8ds_v5", "--set",
                            "cluster.driver=Standard_DS3_v2"};
    sw = sweep_from(scenario, words2, 4);
    expect_overrides(sw, 0, "cluster.driver=Standard_DS3_v2 cluster.worker=Standard_E8ds_v5");
    sweep_free(sw);
}

/* ---- statistics, front, recommendation on hand-made points --------------------- */

static void test_statistics_use_student_t(void **state)
{
    (void)state;
    /* {1, 2, 3}: mean 2, sd 1; the 95% interval is 2 +- t(0.975, 2) / sqrt(3)
     * = 2 +- 4.302653 * 0.577350 = 2 +- 2.484138. */
    struct sweep_stat st;
    sweep_stat_compute((const double[]){1, 2, 3}, 3, &st);
    assert_float_equal(st.mean, 2.0, 1e-12);
    assert_float_equal(st.sd, 1.0, 1e-12);
    assert_float_equal(st.lo, 2.0 - 2.484138, 1e-6);
    assert_float_equal(st.hi, 2.0 + 2.484138, 1e-6);
    /* One-sided 95% bound: 2 + t(0.95, 2) / sqrt(3) = 2 + 2.919986 * 0.577350
     * = 3.685854; at 50% confidence t = 0, the mean itself. */
    assert_float_equal(sweep_upper_bound(2.0, 1.0, 3, 0.95), 3.685854, 1e-6);
    assert_float_equal(sweep_upper_bound(2.0, 1.0, 3, 0.5), 2.0, 1e-12);
    /* One value: no spread, no interval. */
    sweep_stat_compute((const double[]){5}, 1, &st);
    assert_float_equal(st.mean, 5.0, 0);
    assert_true(isnan(st.sd) && isnan(st.lo) && isnan(st.hi));
    assert_true(isnan(sweep_upper_bound(5.0, 0.0, 1, 0.95)));
}

static void test_cost_interval_splits_into_startup_and_run(void **state)
{
    (void)state;
    /* Costs {10, 12, 14} of which the start-up draw billed {1, 3, 5}: the
     * run's own part is 9 every time, so all of the cost's spread is the
     * start-up's. Start-up: mean 3, sd 2, 95% half-width t(0.975, 2) 2 /
     * sqrt(3) = 4.302653 * 1.154701 = 4.968275. Run: 9 +- 0. The means add
     * up to the cost's (12). */
    struct sweep_stat su, run;
    const double cost[] = {10, 12, 14}, startup[] = {1, 3, 5};
    sweep_cost_split(cost, startup, 3, &su, &run);
    assert_float_equal(su.mean, 3.0, 1e-12);
    assert_float_equal(su.sd, 2.0, 1e-12);
    assert_float_equal(su.hi - su.mean, 4.968275, 1e-6);
    assert_float_equal(run.mean, 9.0, 1e-12);
    assert_float_equal(run.hi - run.mean, 0.0, 1e-12);
    assert_float_equal(su.mean + run.mean, 12.0, 1e-12);
    /* A run without the split (an old results file): no split at all. */
    const double partly[] = {1, NAN, 5};
    sweep_cost_split(cost, partly, 3, &su, &run);
    assert_true(isnan(su.mean) && isnan(run.mean) && isnan(run.hi));
}

static struct sweep_point mk(size_t index, double makespan, double sd, double cost, size_t n)
{
    struct sweep_point p;
    memset(&p, 0, sizeof p);
    p.index = index;
    p.status = SWEEP_OK;
    p.n = n;
    p.makespan_s.mean = makespan;
    p.makespan_s.sd = sd;
    p.cost_usd.mean = cost;
    p.cost_known = true;
    snprintf(p.node_type, sizeof p.node_type, "T%zu", index);
    p.workers = (int64_t)index + 1;
    return p;
}

static void test_pareto_front_holds_exactly_the_non_dominated_points(void **state)
{
    (void)state;
    /* (makespan, cost):
     *  0 (10, 5)  front: nothing is as fast and as cheap
     *  1 (10, 5)  front: equal to 0, and equal points dominate each other
     *             in neither measure
     *  2 (10, 6)  dominated by 0 (same makespan, dearer)
     *  3 (8, 7)   front: fastest below 10 at its cost
     *  4 (8, 9)   dominated by 3
     *  5 (12, 5)  dominated by 0 (slower, same cost)
     *  6 (12, 4)  front: cheapest of all
     *  7 (5, 20)  front: fastest of all
     *  8 (6, 20)  dominated by 7 (slower, same cost)
     *  9 (4, 1)   failed: not considered
     * 10 (4, ?)   cost unknown: not considered
     * 11 (9, 6)   front: 3 is faster but dearer, 0 cheaper but slower */
    struct sweep_point p[12] = {mk(0, 10, 0, 5, 1), mk(1, 10, 0, 5, 1), mk(2, 10, 0, 6, 1),
                                mk(3, 8, 0, 7, 1),  mk(4, 8, 0, 9, 1),  mk(5, 12, 0, 5, 1),
                                mk(6, 12, 0, 4, 1), mk(7, 5, 0, 20, 1), mk(8, 6, 0, 20, 1),
                                mk(9, 4, 0, 1, 1),  mk(10, 4, 0, 1, 1), mk(11, 9, 0, 6, 1)};
    p[9].status = SWEEP_FAILED;
    p[10].cost_known = false;
    sweep_mark_pareto(p, 12);
    const bool want[12] = {true, true, false, true,  false, false,
                           true, true, false, false, false, true};
    for (size_t i = 0; i < 12; i++)
        if (p[i].pareto != want[i])
            fail_msg("point %zu: pareto %d, expected %d", i, p[i].pareto, want[i]);
    /* The same by brute force, the definition word for word. */
    for (size_t i = 0; i < 12; i++) {
        if (p[i].status != SWEEP_OK || !p[i].cost_known)
            continue;
        bool dominated = false;
        for (size_t j = 0; j < 12; j++)
            if (j != i && p[j].status == SWEEP_OK && p[j].cost_known &&
                p[j].makespan_s.mean <= p[i].makespan_s.mean &&
                p[j].cost_usd.mean <= p[i].cost_usd.mean &&
                (p[j].makespan_s.mean < p[i].makespan_s.mean ||
                 p[j].cost_usd.mean < p[i].cost_usd.mean))
                dominated = true;
        assert_int_equal(p[i].pareto, !dominated);
    }
}

static void test_recommendation_is_cheapest_meeting_deadline_at_confidence(void **state)
{
    (void)state;
    /* Three replications, deadline 100 s, 95%: the bound is mean + t(0.95,
     * 2) sd / sqrt(3) = mean + 1.685854 sd.
     *  0 $1.0, mean 95, sd 5: bound 103.43  misses (its mean alone meets)
     *  1 $2.0, mean 90, sd 5: bound 98.43   meets
     *  2 $2.0, mean 85, sd 5: bound 93.43   meets, as cheap as 1 and faster
     *  3 $3.0, mean 50, sd 1: bound 51.69   meets, dearer
     *  4 $0.5, failed
     *  5 $0.1, mean 10, cost unknown: never recommended */
    struct sweep_point p[6] = {mk(0, 95, 5, 1.0, 3), mk(1, 90, 5, 2.0, 3), mk(2, 85, 5, 2.0, 3),
                               mk(3, 50, 1, 3.0, 3), mk(4, 10, 0, 0.5, 3), mk(5, 10, 0, 0.1, 3)};
    p[4].status = SWEEP_FAILED;
    p[5].cost_known = false;
    char reason[768];
    size_t best = sweep_recommend(p, 6, 100.0, 0.95, reason, sizeof reason);
    assert_int_equal(best, 2);
    assert_true(p[2].recommended && !p[1].recommended && !p[0].recommended);
    assert_float_equal(p[0].makespan_upper_s, 95 + 1.685854 * 5, 1e-5);
    assert_int_equal(p[0].meets_deadline, 0);
    assert_int_equal(p[1].meets_deadline, 1);
    assert_int_equal(p[4].meets_deadline, -1);
    assert_non_null(strstr(reason, "3 of 4 points"));
    assert_non_null(strstr(reason, "95% upper confidence bound"));
    /* At 50% confidence the bound is the mean, and the cheapest, 0, meets. */
    best = sweep_recommend(p, 6, 100.0, 0.5, reason, sizeof reason);
    assert_int_equal(best, 0);
    /* A deadline nobody meets: none, and the reason names the fastest. */
    best = sweep_recommend(p, 6, 40.0, 0.95, reason, sizeof reason);
    assert_int_equal(best, SIZE_MAX);
    assert_non_null(strstr(reason, "no point meets"));
    assert_non_null(strstr(reason, "(point 3)"));
    /* No deadline: none, and it says so. */
    best = sweep_recommend(p, 6, NAN, 0.95, reason, sizeof reason);
    assert_int_equal(best, SIZE_MAX);
    assert_non_null(strstr(reason, "no --deadline"));
}

static void test_one_replication_uses_the_point_value_and_says_so(void **state)
{
    (void)state;
    /* With n = 1 there is no sd: the makespan itself is compared. 0 meets
     * 100 s with 95 s even though its sd would not let it with n = 3. */
    struct sweep_point p[2] = {mk(0, 95, NAN, 1.0, 1), mk(1, 120, NAN, 0.5, 1)};
    char reason[768];
    size_t best = sweep_recommend(p, 2, 100.0, 0.95, reason, sizeof reason);
    assert_int_equal(best, 0);
    assert_float_equal(p[0].makespan_upper_s, 95.0, 0);
    assert_non_null(strstr(reason, "confidence cannot be computed"));
}

/* ---- the binary ---------------------------------------------------------------------- */

static void test_same_numbers_with_1_and_2_threads(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' " GRID " --threads 1 --json t1.json --csv t1.csv",
             scenario);
    sweep_ok(args);
    snprintf(args, sizeof args, "sweep '%s' " GRID " --threads 2 --json t2.json --csv t2.csv",
             scenario);
    sweep_ok(args);
    snprintf(args, sizeof args, "sweep '%s' " GRID " --threads 7 --json t7.json", scenario);
    sweep_ok(args);
    assert_same_file("t1.json", "t2.json");
    assert_same_file("t1.json", "t7.json");
    assert_same_file("t1.csv", "t2.csv");
    /* And it is a real sweep: 6 points, 3 seeds, intervals, a front. */
    json_error_t err;
    char path[512];
    snprintf(path, sizeof path, "%s/t1.json", workdir);
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    json_t *points = json_object_get(root, "points");
    assert_int_equal(json_array_size(points), 6);
    assert_int_equal(json_array_size(json_object_get(root, "seeds")), 3);
    size_t front = 0;
    for (size_t i = 0; i < 6; i++) {
        json_t *p = json_array_get(points, i);
        assert_int_equal(json_integer_value(json_object_get(p, "index")), (json_int_t)i);
        assert_string_equal(json_string_value(json_object_get(p, "status")), "ok");
        double m = json_number_value(json_object_get(p, "makespan_s"));
        json_t *ci = json_object_get(p, "makespan_ci_s");
        assert_int_equal(json_array_size(ci), 2);
        assert_true(json_number_value(json_array_get(ci, 0)) <= m &&
                    m <= json_number_value(json_array_get(ci, 1)));
        assert_true(json_number_value(json_object_get(p, "cost_usd")) > 0);
        assert_true(json_is_array(json_object_get(p, "overrides")));
        front += json_is_true(json_object_get(p, "pareto"));
    }
    assert_true(front >= 1);
    json_decref(root);
}

static void test_replication_0_is_what_run_prints(void **state)
{
    (void)state;
    /* Replication 0 runs with the scenario's seed, so a one-replication
     * point is `stagecast run` with the point's overrides. */
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args,
             "sweep '%s' --node-types Standard_E8ds_v5 --workers 4 --json s.json", scenario);
    sweep_ok(args);
    snprintf(args, sizeof args,
             "run '%s' --set cluster.worker=Standard_E8ds_v5 --set cluster.driver=Standard_E8ds_v5 "
             "--set cluster.workers=4 --quiet --json r.json",
             scenario);
    sweep_ok(args);
    char p1[512], p2[512];
    snprintf(p1, sizeof p1, "%s/s.json", workdir);
    snprintf(p2, sizeof p2, "%s/r.json", workdir);
    json_error_t err;
    json_t *s = json_load_file(p1, 0, &err), *r = json_load_file(p2, 0, &err);
    assert_non_null(s);
    assert_non_null(r);
    json_t *p = json_array_get(json_object_get(s, "points"), 0);
    assert_float_equal(json_number_value(json_object_get(p, "makespan_s")),
                       json_number_value(json_object_get(r, "makespan_s")), 1e-6);
    assert_float_equal(json_number_value(json_object_get(p, "cost_usd")),
                       json_number_value(json_object_get(r, "cost_usd")), 1e-6);
    json_decref(s);
    json_decref(r);
}

static void test_shards_merged_equal_the_single_sweep(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' " GRID " --json all.json --csv all.csv", scenario);
    sweep_ok(args);
    char *table = slurp("out.txt");
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "sweep '%s' " GRID " --shard %d/3 --results s%d.jsonl --quiet",
                 scenario, i, i);
        sweep_ok(args);
    }
    sweep_ok("merge s2.jsonl s0.jsonl s1.jsonl --json merged.json --csv merged.csv");
    assert_same_file("all.json", "merged.json");
    assert_same_file("all.csv", "merged.csv");
    /* The table too. */
    char *mtable = slurp("out.txt");
    assert_string_equal(table, mtable);
    free(table);
    free(mtable);
    /* A shard's file holds only its points: 2 of 6, 3 replications each,
     * after one header. */
    char *s0 = slurp("s0.jsonl");
    assert_int_equal(harness_count_lines(s0), 1 + 2 * 3);
    free(s0);
}

static void test_merge_with_a_missing_shard_fails(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    for (int i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "sweep '%s' " GRID " --shard %d/2 --results s%d.jsonl -q",
                 scenario, i, i);
        sweep_ok(args);
    }
    assert_int_equal(run("merge s0.jsonl --json m.json"), 2);
    char *err = slurp("err.txt");
    assert_non_null(strstr(err, "3 of the 6 points have no results"));
    free(err);
    assert_null(slurp("m.json"));
    /* Results of another sweep do not merge. */
    snprintf(args, sizeof args, "sweep '%s' --workers 2 --results other.jsonl -q", scenario);
    sweep_ok(args);
    assert_int_equal(run("merge s0.jsonl other.jsonl"), 2);
    err = slurp("err.txt");
    assert_non_null(strstr(err, "another sweep"));
    free(err);
}

/* A 5 KB results file whose header declares 13 axes (294,912 points, 2
 * replications) and holds 2 lines after it: refused at once, before
 * building the points (a fuzzer found it took 0.5 s and 270 MB). The
 * file is the fuzz corpus's. */
static void test_merge_refuses_a_header_declaring_more_runs_than_lines(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "merge '%s/tests/fuzz/corpus/sweep_results/declares-many-points.jsonl'",
             srcdir);
    assert_int_equal(run(args), 2);
    char *err = slurp("err.txt");
    assert_non_null(strstr(err, "declares 589824 runs and the results files have 3 lines"));
    free(err);
}

static void test_resume_skips_finished_points(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' " GRID " --results r.jsonl --json full.json -q",
             scenario);
    sweep_ok(args);
    char *full = slurp("r.jsonl");
    assert_int_equal(harness_count_lines(full), 1 + 18);

    /* Keep the header and 7 runs, and half of an eighth, as a sweep killed
     * mid-write leaves it. */
    char *p = full;
    for (int i = 0; i < 8; i++)
        p = strchr(p, '\n') + 1;
    size_t keep = (size_t)(p - full) + (strchr(p, '\n') - p) / 2;
    full[keep] = '\0';
    spit("r.jsonl", full);
    snprintf(args, sizeof args,
             "sweep '%s' " GRID " --results r.jsonl --resume --json resumed.json -q", scenario);
    sweep_ok(args);
    assert_same_file("full.json", "resumed.json");
    /* The cut line is gone, 11 runs were added after a second header. */
    char *after = slurp("r.jsonl");
    assert_int_equal(harness_count_lines(after), 1 + 7 + 1 + 11);
    free(after);

    /* Resuming runs nothing that is done: a finished run's figures, altered
     * in the file, come out as they are there. */
    free(full);
    full = slurp("r.jsonl");
    char *m = strstr(full, "\"makespan_s\":");
    assert_non_null(m);
    m += strlen("\"makespan_s\":");
    char *end = strchr(m, ',');
    char edited[65536];
    snprintf(edited, sizeof edited, "%.*s1000.0%s", (int)(m - full), full, end);
    spit("r.jsonl", edited);
    snprintf(args, sizeof args,
             "sweep '%s' " GRID " --results r.jsonl --resume --json again.json -q", scenario);
    sweep_ok(args);
    char *again = slurp("again.json");
    assert_non_null(strstr(again, "\"makespan_s\": 33"));
    free(again);
    char *r = slurp("r.jsonl");
    assert_int_equal(harness_count_lines(r), harness_count_lines(edited) + 1); /* only a header */
    free(r);
    free(full);

    /* Without --resume an existing results file is never overwritten. */
    snprintf(args, sizeof args, "sweep '%s' " GRID " --results r.jsonl -q", scenario);
    assert_int_equal(run(args), 2);
    char *err = slurp("err.txt");
    assert_non_null(strstr(err, "--resume"));
    free(err);
}

static void test_failed_points_are_reported(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args,
             "sweep '%s' --node-types Standard_DS3_v2,Standard_DS3_v9 --workers 2,4 "
             "--set spark.task.cpus=1,64 --json f.json --csv f.csv",
             scenario);
    sweep_ok(args); /* failed points are results: exit 0 */
    char path[512];
    snprintf(path, sizeof path, "%s/f.json", workdir);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    json_t *points = json_object_get(root, "points");
    assert_int_equal(json_array_size(points), 8);
    /* Points 4..7 have the unknown node type; 1 and 3 have spark.task.cpus
     * 64 on a 4-core node: both fail with their message, file:line. */
    size_t failed = 0;
    for (size_t i = 0; i < 8; i++) {
        json_t *p = json_array_get(points, i);
        const char *st = json_string_value(json_object_get(p, "status"));
        bool should_fail = i >= 4 || i % 2 == 1;
        assert_string_equal(st, should_fail ? "failed" : "ok");
        if (!should_fail)
            continue;
        failed++;
        const char *msg = json_string_value(json_object_get(p, "error"));
        assert_non_null(msg);
        if (i >= 4)
            assert_non_null(strstr(msg, "unknown worker node size 'Standard_DS3_v9'"));
        assert_non_null(strstr(msg, "analytics-ds3.cfg:"));
        assert_false(json_is_true(json_object_get(p, "pareto")));
    }
    assert_int_equal(json_integer_value(json_object_get(root, "n_failed")), failed);
    json_decref(root);
    char *out = slurp("out.txt");
    /* Grouped by message in the table. */
    assert_non_null(strstr(out, "failed (6 points)"));
    assert_non_null(strstr(out, "points 4, 5, 6, 7: "));
    assert_non_null(strstr(out, "points 1, 3: "));
    free(out);
    char *csv = slurp("f.csv");
    assert_non_null(strstr(csv, ",failed,"));
    free(csv);
}

static void test_outputs_hold_the_recommendation(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' " GRID " --json s.json --csv sweep.csv", scenario);
    sweep_ok(args);
    char path[512];
    snprintf(path, sizeof path, "%s/s.json", workdir);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    json_t *rec = json_object_get(root, "recommendation");
    assert_true(json_is_object(rec));
    assert_true(json_is_true(json_object_get(rec, "confidence_computed")));
    size_t idx = (size_t)json_integer_value(json_object_get(rec, "index"));
    json_t *points = json_object_get(root, "points");
    /* It meets the deadline and no point that meets it is cheaper. */
    double cost = json_number_value(json_object_get(rec, "cost_usd"));
    assert_true(json_number_value(json_object_get(rec, "makespan_upper_s")) <= 4.5);
    for (size_t i = 0; i < json_array_size(points); i++) {
        json_t *p = json_array_get(points, i);
        assert_int_equal(json_is_true(json_object_get(p, "recommended")), i == idx);
        if (json_is_true(json_object_get(p, "meets_deadline")))
            assert_true(json_number_value(json_object_get(p, "cost_usd")) >= cost);
    }
    json_decref(root);
    /* The CSV has the columns plots/sweep.gp reads, and one row marked
     * recommended. */
    char *csv = slurp("sweep.csv");
    assert_true(
        strncmp(csv, "point,node_type,workers,makespan_s,cost_usd,pareto,recommended,", 63) == 0);
    assert_int_equal(harness_count_lines(csv), 1 + 6);
    int recommended = 0;
    for (char *line = strchr(csv, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        int field = 0;
        char *c = line;
        while (field < 6)
            field += *c++ == ',';
        recommended += *c == '1';
    }
    assert_int_equal(recommended, 1);
    free(csv);
    /* The plot script draws it, when gnuplot is there. */
    if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
        char cmd[2048];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && gnuplot -e \"datadir='%s/'\" '%s/plots/sweep.gp' 2>gp.txt", workdir,
                 workdir, srcdir);
        assert_int_equal(system(cmd), 0);
        char *png = slurp("sweep.png");
        assert_non_null(png);
        assert_true(memcmp(png, "\x89PNG", 4) == 0);
        free(png);
    }

    /* A deadline nobody meets: recommendation null, with the reason. */
    snprintf(args, sizeof args, "sweep '%s' --workers 2,4 --deadline 1s --json n.json -q",
             scenario);
    sweep_ok(args);
    snprintf(path, sizeof path, "%s/n.json", workdir);
    root = json_load_file(path, 0, &err);
    assert_non_null(root);
    assert_true(json_is_null(json_object_get(root, "recommendation")));
    const char *why = json_string_value(json_object_get(root, "recommendation_reason"));
    assert_non_null(strstr(why, "no point meets the deadline"));
    assert_non_null(strstr(why, "confidence cannot be computed"));
    json_decref(root);
}

/* ---- axes that must not answer another question (issue 17) ------------------------ */

static void test_autoscale_ranges_start_at_their_min_not_the_fixed_workers(void **state)
{
    (void)state;
    /* analytics-ds3.cfg has 'workers = 4' (line 33) and no autoscale group.
     * Taken as the start, 4 would fail the range 2-3 (4 > 3) and make 4-8
     * start at 4 like the fixed cluster; each range starts at its MIN. */
    const char *words[] = {"--autoscale", "2-3,4-8"};
    struct sweep *sw = sweep_from(scenario, words, 2);
    expect_overrides(sw, 0, "cluster.autoscale.min=2 cluster.autoscale.max=3 cluster.workers=2");
    expect_overrides(sw, 1, "cluster.autoscale.min=4 cluster.autoscale.max=8 cluster.workers=4");
    assert_non_null(sw->spec.notes);
    assert_non_null(strstr(sw->spec.notes, "'workers = 4' (line 33) does not cap or start"));
    assert_non_null(strstr(sw->spec.notes, "no cluster.autoscale group"));
    /* The group it makes states its defaults: Databricks jobs compute
     * provisions a node in a lognormal of median 145 s and sigma 0.4, mean
     * 145 x exp(0.4^2 / 2) = 145 x 1.0833 = 157.08 s; decides every 10 s;
     * removes a node idle for 40 s. */
    assert_non_null(strstr(sw->spec.notes, "provision_s = 157 (mean), interval_s = 10, "
                                           "idle_s = 40"));
    sweep_free(sw);
    /* A start the command line gives is kept, and the note is not made. */
    const char *words2[] = {"--autoscale", "2-8", "--set", "cluster.workers=3"};
    sw = sweep_from(scenario, words2, 4);
    expect_overrides(sw, 0, "cluster.workers=3 cluster.autoscale.min=2 cluster.autoscale.max=8");
    assert_null(strstr(sw->spec.notes ? sw->spec.notes : "", "does not cap"));
    sweep_free(sw);
    /* The binary: the range 2-3 runs (it failed before), starting at 2
     * workers, and stderr says why. */
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' --autoscale 2-3 --json a.json", scenario);
    sweep_ok(args);
    char path[512];
    snprintf(path, sizeof path, "%s/a.json", workdir);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    json_t *p = json_array_get(json_object_get(root, "points"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "status")), "ok");
    assert_int_equal(json_integer_value(json_object_get(p, "workers")), 2);
    json_decref(root);
    char *e = slurp("err.txt");
    assert_non_null(strstr(e, "stagecast: note: the scenario's 'workers = 4' (line 33)"));
    free(e);
}

static void test_spot_axis_without_a_price_stops_with_what_to_add(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    /* No cluster.spot group: every spot point's cost would be unknown. */
    snprintf(args, sizeof args, "sweep '%s' --spot 0,0.5", scenario);
    assert_int_equal(run(args), 2);
    char *e = slurp("err.txt");
    assert_non_null(strstr(e, "--spot needs the spot workers' price"));
    assert_non_null(strstr(e, "--set cluster.spot.discount=D"));
    assert_non_null(strstr(e, "cluster.spot.evictions_per_hour=R"));
    free(e);
    /* With a discount the sweep runs (the fraction comes from the axis, so
     * the --set needs no sibling) and says that nothing is evicted. */
    const char *words[] = {"--spot", "0,0.5", "--set", "cluster.spot.discount=0.6"};
    struct sweep *sw = sweep_from(scenario, words, 4);
    assert_non_null(strstr(sw->spec.notes, "evictions_per_hour is 0 (its default when not given)"));
    sweep_free(sw);
    const char *words2[] = {"--spot", "0,0.5",
                            "--set",  "cluster.spot.discount=0.6",
                            "--set",  "cluster.spot.evictions_per_hour=1"};
    sw = sweep_from(scenario, words2, 6);
    assert_null(sw->spec.notes);
    sweep_free(sw);
}

static void test_set_of_a_group_key_names_its_missing_sibling(void **state)
{
    (void)state;
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' --set cluster.spot.discount=0.6", scenario);
    assert_int_equal(run(args), 2);
    char *e = slurp("err.txt");
    /* No line of the file is blamed: the --set made the group. */
    assert_non_null(strstr(e, "analytics-ds3.cfg: a --set made cluster.spot, which also needs "
                              "'fraction': add --set cluster.spot.fraction=VALUE"));
    free(e);
}

/* ---- feasibility: local disk (issue 17) ----------------------------------------- */

/* Three stages of fixed-time tasks: 200 GiB of shuffle, then 150 GiB, no
 * spill. Shuffle files stay until the application ends, so the run needs
 * 350 GiB of local disk in all; on 2 workers that each run half of every
 * stage's 16 tasks, 175 GiB per worker. Standard_E4ds_v5 has a 150 GiB temp
 * disk (175 > 150: infeasible), Standard_E8ds_v5 300 GiB (fits). */
static const char disk_scenario[] =
    "name = \"disk\";\nseed = 1;\n"
    "cluster = { platform = \"databricks\"; pricing = \"jobs\";\n"
    "  worker = \"Standard_E8ds_v5\"; workers = 2; };\n"
    "jobs = ( { name = \"two shuffles\"; stages = (\n"
    "  { id = 0; name = \"map\"; tasks = 16; task_seconds = 1.0; shuffle_write_bytes = \"200g\"; "
    "},\n"
    "  { id = 1; name = \"reduce\"; parents = [0]; tasks = 16; task_seconds = 1.0;\n"
    "    shuffle_read_bytes = \"200g\"; shuffle_write_bytes = \"150g\"; },\n"
    "  { id = 2; name = \"final\"; parents = [1]; tasks = 16; task_seconds = 1.0;\n"
    "    shuffle_read_bytes = \"150g\"; } ); } );\n";

static void test_point_exceeding_local_disk_is_marked_and_never_recommended(void **state)
{
    (void)state;
    clean_workdir();
    spit("disk.cfg", disk_scenario);
    sweep_ok("sweep disk.cfg --node-types Standard_E4ds_v5,Standard_E8ds_v5 --deadline 10h "
             "--json d.json --csv d.csv");
    char path[512];
    snprintf(path, sizeof path, "%s/d.json", workdir);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    json_t *pts = json_object_get(root, "points");
    json_t *e4 = json_array_get(pts, 0), *e8 = json_array_get(pts, 1);
    const double gib = 1073741824.0;
    json_t *d4 = json_object_get(e4, "local_disk"), *d8 = json_object_get(e8, "local_disk");
    assert_true(json_real_value(json_object_get(d4, "peak_bytes")) == 175 * gib);
    assert_true(json_real_value(json_object_get(d4, "shuffle_bytes")) == 175 * gib);
    assert_true(json_real_value(json_object_get(d4, "spill_bytes")) == 0.0);
    assert_true(json_real_value(json_object_get(d4, "disk_bytes")) == 150 * gib);
    assert_true(json_real_value(json_object_get(d8, "disk_bytes")) == 300 * gib);
    assert_true(json_is_false(json_object_get(e4, "feasible")));
    assert_true(json_is_true(json_object_get(e8, "feasible")));
    /* The E4 point is the cheaper and meets the deadline: it would be the
     * answer if it fit. */
    assert_true(json_real_value(json_object_get(e4, "cost_usd")) <
                json_real_value(json_object_get(e8, "cost_usd")));
    assert_true(json_is_true(json_object_get(e4, "meets_deadline")));
    assert_true(json_is_false(json_object_get(e4, "pareto")));
    assert_true(json_is_false(json_object_get(e4, "recommended")));
    assert_true(json_is_true(json_object_get(e8, "recommended")));
    assert_non_null(strstr(json_string_value(json_object_get(root, "recommendation_reason")),
                           "1 point left out: its shuffle and spill exceed"));
    json_decref(root);
    char *out = slurp("out.txt");
    assert_non_null(strstr(out, "INFEASIBLE (local disk)"));
    assert_non_null(strstr(out, "point 0  2 x Standard_E4ds_v5: 175.0 GiB (175.0 GiB shuffle + "
                                "0.0 GiB spill) on a 150.0 GiB disk"));
    free(out);
    char *csv = slurp("d.csv");
    assert_non_null(strstr(csv, ",meets_deadline,feasible,"));
    free(csv);
    /* `stagecast run` of the same point warns with the figures. */
    assert_int_equal(run("run disk.cfg -q --set cluster.worker=Standard_E4ds_v5"), 0);
    char *e = slurp("err.txt");
    assert_non_null(strstr(e, "stagecast: warning: the run does not fit its workers' local disks: "
                              "peak local disk 175.0 GiB on worker"));
    assert_non_null(strstr(e, "(175.0 GiB of shuffle + 0.0 GiB of spill) exceeds the node's "
                              "150.0 GiB (Standard_E4ds_v5)"));
    free(e);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    clean_workdir();
    const char *bad[] = {"sweep",
                         "sweep x.cfg y.cfg",
                         "sweep S --workers 0-4",
                         "sweep S --autoscale 8-2",
                         "sweep S --spot 1.5",
                         "sweep S --replications 0",
                         "sweep S --deadline soon",
                         "sweep S --confidence 1",
                         "sweep S --shard 2/2",
                         "sweep S --resume",
                         "sweep S --set seed=1,2",
                         "sweep S --set novalue",
                         "sweep S --bogus",
                         "merge",
                         "merge nosuch.jsonl"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char args[2048];
        const char *s = strstr(bad[i], " S");
        if (s)
            snprintf(args, sizeof args, "%.*s '%s'%s", (int)(s - bad[i]), bad[i], scenario, s + 2);
        else
            snprintf(args, sizeof args, "%s", bad[i]);
        int rc = run(args);
        if (rc != 2)
            fail_msg("'%s' exited %d, expected 2", args, rc);
        char *err = slurp("err.txt");
        assert_true(strncmp(err, "stagecast: ", 11) == 0);
        free(err);
    }
}

#ifdef HAVE_MPI
static void test_mpi_ranks_equal_the_single_sweep(void **state)
{
    (void)state;
    if (system("command -v mpirun >/dev/null 2>&1") != 0)
        skip();
    clean_workdir();
    char args[2048];
    snprintf(args, sizeof args, "sweep '%s' " GRID " --json one.json", scenario);
    sweep_ok(args);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && mpirun --oversubscribe --allow-run-as-root -np 2 '%s' sweep '%s' " GRID
             " --threads 1 --results r.jsonl --json mpi.json >mpi-out.txt 2>mpi-err.txt",
             workdir, binary, scenario);
    int st = system(cmd);
    if (!(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
        char msg[2048];
        char *err = slurp("mpi-err.txt");
        snprintf(msg, sizeof msg, "%s", err ? err : "");
        free(err);
        fail_msg("mpirun failed: %s", msg);
    }
    assert_same_file("one.json", "mpi.json");
    /* Each rank kept its own results file, and they merge to the same. */
    sweep_ok("merge r.jsonl.rank0 r.jsonl.rank1 --json merged.json");
    assert_same_file("one.json", "merged.json");
}
#endif

/* analytics-ds3.cfg names no region. Standard_DS4_v2 has no East US list
 * price and both sizes have West US 2's (models/azure-prices.csv): every
 * point is priced there, one fixed override before the axes', and a note
 * says so. Sizes East US prices, or a region the user set, change nothing. */
static void test_node_types_sweep_prices_every_point_in_one_region(void **state)
{
    (void)state;
    const char *words[] = {"--node-types", "Standard_DS3_v2,Standard_DS4_v2", "--workers", "2"};
    struct sweep *sw = sweep_from(scenario, words, 4);
    expect_overrides(sw, 0,
                     "cluster.region=westus2 cluster.worker=Standard_DS3_v2 "
                     "cluster.driver=Standard_DS3_v2 cluster.workers=2");
    expect_overrides(sw, 1,
                     "cluster.region=westus2 cluster.worker=Standard_DS4_v2 "
                     "cluster.driver=Standard_DS4_v2 cluster.workers=2");
    assert_non_null(sw->spec.notes);
    assert_non_null(strstr(sw->spec.notes, "every point in West US 2 (westus2)"));
    assert_non_null(strstr(sw->spec.notes, "East US has none for Standard_DS4_v2"));
    sweep_free(sw);

    const char *priced[] = {"--node-types", "Standard_DS3_v2,Standard_E8ds_v5", "--workers", "2"};
    sw = sweep_from(scenario, priced, 4);
    expect_overrides(sw, 0,
                     "cluster.worker=Standard_DS3_v2 cluster.driver=Standard_DS3_v2 "
                     "cluster.workers=2");
    sweep_free(sw);

    /* A workers' price the user sets needs no list price: no region change. */
    const char *given[] = {"--node-types", "Standard_DS3_v2,Standard_DS4_v2",
                           "--workers",    "2",
                           "--set",        "cluster.price.worker_usd_per_hour=0.5",
                           "--set",        "cluster.price.driver_usd_per_hour=0.5"};
    sw = sweep_from(scenario, given, 8);
    assert_null(strstr(sw->spec.notes ? sw->spec.notes : "", "every point in"));
    sweep_free(sw);

    const char *chosen[] = {"--node-types", "Standard_DS3_v2,Standard_DS4_v2",
                            "--workers",    "2",
                            "--set",        "cluster.region=eastus"};
    sw = sweep_from(scenario, chosen, 6);
    expect_overrides(sw, 1,
                     "cluster.region=eastus cluster.worker=Standard_DS4_v2 "
                     "cluster.driver=Standard_DS4_v2 cluster.workers=2");
    sweep_free(sw);
}

int main(void)
{
    gsl_set_error_handler_off();
    binary = getenv("STAGECAST");
    srcdir = getenv("SRCDIR");
    if (!binary || !srcdir) {
        fprintf(stderr, "test_sweep: set STAGECAST and SRCDIR (make check does)\n");
        return 1;
    }
    snprintf(scenario, sizeof scenario, "%s/scenarios/analytics-ds3.cfg", srcdir);
    snprintf(workdir, sizeof workdir, "/tmp/stagecast-sweep-XXXXXX");
    if (!mkdtemp(workdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_double_step_and_list),
        cmocka_unit_test(test_bad_counts_are_refused),
        cmocka_unit_test(test_points_are_the_cartesian_product),
        cmocka_unit_test(test_node_types_sweep_prices_every_point_in_one_region),
        cmocka_unit_test(test_driver_follows_worker_only_when_equal),
        cmocka_unit_test(test_statistics_use_student_t),
        cmocka_unit_test(test_cost_interval_splits_into_startup_and_run),
        cmocka_unit_test(test_pareto_front_holds_exactly_the_non_dominated_points),
        cmocka_unit_test(test_recommendation_is_cheapest_meeting_deadline_at_confidence),
        cmocka_unit_test(test_one_replication_uses_the_point_value_and_says_so),
        cmocka_unit_test(test_same_numbers_with_1_and_2_threads),
        cmocka_unit_test(test_replication_0_is_what_run_prints),
        cmocka_unit_test(test_shards_merged_equal_the_single_sweep),
        cmocka_unit_test(test_merge_with_a_missing_shard_fails),
        cmocka_unit_test(test_merge_refuses_a_header_declaring_more_runs_than_lines),
        cmocka_unit_test(test_resume_skips_finished_points),
        cmocka_unit_test(test_failed_points_are_reported),
        cmocka_unit_test(test_outputs_hold_the_recommendation),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_autoscale_ranges_start_at_their_min_not_the_fixed_workers),
        cmocka_unit_test(test_spot_axis_without_a_price_stops_with_what_to_add),
        cmocka_unit_test(test_set_of_a_group_key_names_its_missing_sibling),
        cmocka_unit_test(test_point_exceeding_local_disk_is_marked_and_never_recommended),
#ifdef HAVE_MPI
        cmocka_unit_test(test_mpi_ranks_equal_the_single_sweep),
#endif
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    clean_workdir();
    rmdir(workdir);
    return rc;
}
