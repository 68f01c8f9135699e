/*
 * test_scaling.c — one plan at several executor counts (sim/pipeline/
 * scaling.h) against cases worked out by hand: waves of equal tasks at
 * each count, the lower bound with a slot for every task, the ideal count,
 * the layout of counts that do not fill a worker, and which stages gate.
 *
 * Scenarios are built in memory on a made-up node type with no fixed
 * costs (no start-up, no task launch time), as in test_runtime.c, so the
 * makespans are the waves' arithmetic exactly. The CLI cases run the
 * binary (STAGECAST, SRCDIR: make check sets them) on
 * tests/scenarios/good/executors.cfg, the same case as a file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pipeline/scaling.h"
#include "sim/runtime/runtime.h"
#include "cli_harness.h"
#include "sim_fixture.h"

#define MAX_STAGES 8

struct fixture {
    struct scenario s;
    struct job_spec jobs[2];
    struct stage_spec stages[2][MAX_STAGES];
    int64_t parents[2][MAX_STAGES][4];
    struct node_type node;
    struct cluster cl;
    struct plan *plan;
};

/* One worker of one executor of CORES cores at $1 an hour. */
static struct fixture *fixture_new(int cores)
{
    struct fixture *f = calloc(1, sizeof *f);
    fixture_scenario(&f->s);
    f->s.jobs = f->jobs;
    fixture_cluster(&f->cl, &f->node, 1, cores, 1.0);
    return f;
}

static struct job_spec *add_job(struct fixture *f, const char *name)
{
    struct job_spec *j = &f->jobs[f->s.n_jobs];
    j->name = (char *)name;
    j->submit_s = NAN;
    j->after_index = -1;
    j->stages = f->stages[f->s.n_jobs];
    f->s.n_jobs++;
    return j;
}

static struct stage_spec *add_stage(struct fixture *f, struct job_spec *j, int64_t id,
                                    int64_t tasks, double seconds)
{
    size_t ji = (size_t)(j - f->jobs);
    struct stage_spec *st = &j->stages[j->n_stages];
    fixture_stage(st, id, tasks, seconds);
    st->parents = f->parents[ji][j->n_stages];
    j->n_stages++;
    return st;
}

static struct scaling *run(struct fixture *f, const int64_t *counts, size_t n)
{
    struct diag d;
    diag_clear(&d);
    f->plan = plan_new(&f->s, &d);
    if (!f->plan)
        fail_msg("plan_new: %s", d.msg);
    struct scaling *sc = scaling_run(f->plan, &f->cl, counts, n, f->s.seed, &d);
    if (!sc)
        fail_msg("scaling_run: %s", d.msg);
    return sc;
}

static void fixture_free(struct fixture *f)
{
    plan_free(f->plan);
    spark_conf_fini(&f->s.spark);
    free(f);
}

static void test_equal_tasks_fill_waves_at_each_count(void **state)
{
    (void)state;
    /* 64 tasks of 1 s on E executors of C = 4 cores: ceil(64 / 4E) waves
     * of 1 s. E = 1, 2, 4, 8, 16, 32: 16, 8, 4, 2, 1, 1 s. Cost: E workers
     * at $1/h for the makespan (no start-up): E * m / 3600. */
    struct fixture *f = fixture_new(4);
    add_stage(f, add_job(f, "waves"), 0, 64, 1.0);
    int64_t counts[] = {1, 2, 4, 8, 16, 32};
    struct scaling *sc = run(f, counts, 6);
    assert_int_equal(sc->n_points, 6);
    for (size_t i = 0; i < 6; i++) {
        double expect = ceil(64.0 / (4.0 * (double)counts[i]));
        assert_int_equal(sc->points[i].executors, counts[i]);
        assert_float_equal(sc->points[i].makespan_s, expect, 1e-9);
        assert_false(isnan(sc->points[i].total_usd));
        assert_true(sc->points[i].total_usd > 0.0);
    }
    /* Utilization at 32 executors: 64 task-seconds of 128 slot-seconds. */
    assert_float_equal(sc->points[5].utilization, 0.5, 1e-9);
    fixture_free(f);
    scaling_free(sc);
}

static void test_bound_is_one_wave_and_ideal_is_first_within_ten_percent(void **state)
{
    (void)state;
    /* With a slot for every task (64 / 4 = 16 executors) the stage is one
     * wave: 1 s. The smallest E with ceil(64 / 4E) <= 1.1 is 16. */
    struct fixture *f = fixture_new(4);
    add_stage(f, add_job(f, "waves"), 0, 64, 1.0);
    int64_t counts[] = {1, 2, 4, 8, 16, 32, 64};
    struct scaling *sc = run(f, counts, 7);
    assert_float_equal(sc->bound.makespan_s, 1.0, 1e-9);
    assert_int_equal(sc->bound.executors, 64); /* the largest listed, above 16 */
    assert_false(sc->bound_capped);
    assert_int_equal(sc->ideal_executors, 16);
    fixture_free(f);
    scaling_free(sc);
}

static void test_no_listed_count_near_the_bound_gives_no_ideal(void **state)
{
    (void)state;
    /* E = 1, 2 of 2 cores: 32 and 16 s against a bound of 1 s. */
    struct fixture *f = fixture_new(2);
    add_stage(f, add_job(f, "waves"), 0, 64, 1.0);
    int64_t counts[] = {1, 2};
    struct scaling *sc = run(f, counts, 2);
    assert_float_equal(sc->points[0].makespan_s, 32.0, 1e-9);
    assert_float_equal(sc->bound.makespan_s, 1.0, 1e-9);
    assert_int_equal(sc->bound.executors, 32); /* 64 tasks / 2 slots */
    assert_int_equal(sc->ideal_executors, 0);
    fixture_free(f);
    scaling_free(sc);
}

static void test_count_not_filling_a_worker_takes_fewer_per_worker(void **state)
{
    (void)state;
    /* Two executors a worker: 4 executors are 2 workers of 2, 3 are 3
     * workers of 1 (the largest divisor of 3 no more than 2). */
    struct fixture *f = fixture_new(2);
    f->cl.executors_per_worker = 2;
    f->node.vcpus = 4;
    add_stage(f, add_job(f, "w"), 0, 12, 1.0);
    int64_t counts[] = {4, 3};
    struct scaling *sc = run(f, counts, 2);
    assert_int_equal(sc->points[0].workers, 2);
    assert_int_equal(sc->points[0].executors_per_worker, 2);
    assert_int_equal(sc->points[1].workers, 3);
    assert_int_equal(sc->points[1].executors_per_worker, 1);
    /* 12 tasks on 4 x 2 = 8 slots: 2 waves; on 3 x 2 = 6 slots: 2 waves. */
    assert_float_equal(sc->points[0].makespan_s, 2.0, 1e-9);
    assert_float_equal(sc->points[1].makespan_s, 2.0, 1e-9);
    fixture_free(f);
    scaling_free(sc);
}

static void test_long_chain_gates_and_short_branch_does_not(void **state)
{
    (void)state;
    /* Job 0: stage 0 (1 task, 5 s) and stage 1 (1 task, 1 s) in parallel,
     * stage 2 (2 tasks of 2 s, one of them skewed would show) after both.
     * With unlimited slots: 0 ends at 5, 1 at 1, 2 at 7: the path is 0 -> 2;
     * stage 1 does not gate. Job 1 (stage 3, after job 0): gates. */
    struct fixture *f = fixture_new(2);
    struct job_spec *j = add_job(f, "a");
    add_stage(f, j, 0, 1, 5.0);
    add_stage(f, j, 1, 1, 1.0);
    struct stage_spec *s2 = add_stage(f, j, 2, 2, 2.0);
    s2->parents[s2->n_parents++] = 0;
    s2->parents[s2->n_parents++] = 1;
    add_stage(f, add_job(f, "b"), 3, 1, 1.0);
    int64_t counts[] = {1};
    struct scaling *sc = run(f, counts, 1);
    assert_int_equal(sc->n_stages, 4);
    assert_float_equal(sc->bound.makespan_s, 8.0, 1e-9);
    assert_true(sc->stages[0].gates);
    assert_false(sc->stages[1].gates);
    assert_true(sc->stages[2].gates);
    assert_true(sc->stages[3].gates);
    /* Equal tasks: skew 1. */
    assert_float_equal(sc->stages[2].skew, 1.0, 1e-9);
    fixture_free(f);
    scaling_free(sc);
}

static void test_same_seed_same_table(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(4);
    struct stage_spec *st = add_stage(f, add_job(f, "w"), 0, 40, 1.0);
    st->task_seconds = (struct dist){DIST_LOGNORMAL, 0.0, 0.5}; /* median 1 s */
    int64_t counts[] = {1, 3, 5};
    struct scaling *a = run(f, counts, 3);
    plan_free(f->plan);
    struct scaling *b = run(f, counts, 3);
    for (size_t i = 0; i < 3; i++)
        assert_float_equal(a->points[i].makespan_s, b->points[i].makespan_s, 0.0);
    assert_float_equal(a->stages[0].skew, b->stages[0].skew, 0.0);
    assert_true(a->stages[0].skew > 1.0);
    fixture_free(f);
    scaling_free(a);
    scaling_free(b);
}

/* ----------------------------------------------------------------- CLI */

static char workdir[64];

static int run_cli(const char *args)
{
    const char *binary = getenv("STAGECAST"), *src = getenv("SRCDIR");
    if (!binary || !src)
        fail_msg("set STAGECAST and SRCDIR (make check does)");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' run '%s/tests/scenarios/good/executors.cfg' %s", binary, src,
             args);
    return harness_sh(workdir, cmd);
}

static char *work_text(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    char *t = harness_slurp(path, NULL);
    assert_non_null(t);
    return t;
}

static void test_cli_run_executors_table_matches_the_waves(void **state)
{
    (void)state;
    /* executors.cfg: 64 tasks of 1 s on Standard_D4s_v3 executors of 4
     * cores, no start-up or launch time: ceil(64 / 4E) s at E = 1..64
     * doubling (16, 8, 4, 2, 1, 1, 1); the bound 1 s; the ideal count 16,
     * the smallest E with ceil(64 / 4E) <= 1.1. */
    assert_int_equal(run_cli("--executors 1-64"), 0);
    char *out = work_text("out.txt");
    const char *rows[] = {
        "|         1 |       1 |     16.000 |", "|         2 |       2 |      8.000 |",
        "|         4 |       4 |      4.000 |", "|         8 |       8 |      2.000 |",
        "|        16 |      16 |      1.000 |", "|        32 |      32 |      1.000 |",
        "|        64 |      64 |      1.000 |"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strstr(out, rows[i]))
            fail_msg("no row '%s' in:\n%s", rows[i], out);
    assert_non_null(strstr(out, "Critical-path lower bound: 1.000 s"));
    assert_non_null(strstr(out, "Ideal executor count: 16 "));
    assert_non_null(strstr(out, "|        16 |      16 |      1.000 |     0."));
    assert_null(strstr(out, "unknown"));
    free(out);
}

static void test_cli_executors_cost_is_each_count_plus_driver_and_says_its_prices(void **state)
{
    (void)state;
    /* executors.cfg: E workers and one driver of Standard_D4s_v3 at the
     * catalog's East US $0.192/h, billed per second for the makespan (no
     * start-up): (E + 1) x 0.192 x m / 3600. E = 1, m = 16: 2 x 0.192 x
     * 16 / 3600 = 0.001707; E = 16, m = 1: 17 x 0.192 / 3600 = 0.000907;
     * E = 64, m = 1: 65 x 0.192 / 3600 = 0.003467. Under the table, what
     * the cost is of and whose prices, as run's cost section says them. */
    assert_int_equal(run_cli("--executors 1-64"), 0);
    char *out = work_text("out.txt");
    const char *rows[] = {"|         1 |       1 |     16.000 |     0.0017 |",
                          "|        16 |      16 |      1.000 |     0.0009 |",
                          "|        64 |      64 |      1.000 |     0.0035 |"};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strstr(out, rows[i]))
            fail_msg("no row '%s' in:\n%s", rows[i], out);
    const char *basis = strstr(out, "\nCost: the workers (Standard_D4s_v3) the count needs and one "
                                    "driver (Standard_D4s_v3) on vm");
    if (!basis || !strstr(basis, "prices: East US") || basis > strstr(out, "Critical-path"))
        fail_msg("no cost basis between the table and the bound in:\n%s", out);
    free(out);
}

static void test_cli_bad_executor_list_exits_2_with_one_message(void **state)
{
    (void)state;
    const char *bad[] = {"--executors 0-4", "--executors a", "--executors 1,2 --json -"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(run_cli(bad[i]), 2);
        char *err = work_text("err.txt");
        if (strncmp(err, "stagecast: --executors", 22) != 0 || strstr(err + 1, "stagecast: "))
            fail_msg("%s: '%s'", bad[i], err);
        free(err);
        char *out = work_text("out.txt");
        assert_string_equal(out, "");
        free(out);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    snprintf(workdir, sizeof workdir, "/tmp/stagecast-scaling-XXXXXX");
    if (!mkdtemp(workdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_tasks_fill_waves_at_each_count),
        cmocka_unit_test(test_bound_is_one_wave_and_ideal_is_first_within_ten_percent),
        cmocka_unit_test(test_no_listed_count_near_the_bound_gives_no_ideal),
        cmocka_unit_test(test_count_not_filling_a_worker_takes_fewer_per_worker),
        cmocka_unit_test(test_long_chain_gates_and_short_branch_does_not),
        cmocka_unit_test(test_same_seed_same_table),
        cmocka_unit_test(test_cli_run_executors_table_matches_the_waves),
        cmocka_unit_test(test_cli_executors_cost_is_each_count_plus_driver_and_says_its_prices),
        cmocka_unit_test(test_cli_bad_executor_list_exits_2_with_one_message),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    harness_clean_dir(workdir);
    rmdir(workdir);
    return rc;
}
