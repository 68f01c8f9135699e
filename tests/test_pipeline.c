/*
 * test_pipeline.c — the one driver of the data flow (sim/pipeline): it
 * stops where it is asked, resumes without redoing a step, says which step
 * failed, never writes the scenario, and simulates one plan on several
 * clusters the way a sweep does.
 *
 * Scenarios come from the source tree (found under $SRCDIR, set by `make
 * check`, else ABS_TOP_SRCDIR): analytics-ds3.cfg has explicit stages with
 * task times (nothing to calibrate), seed-analytics.cfg has queries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/pipeline/pipeline.h"
#include "sim/runtime/results.h"

static const char *scenario_path(const char *name, char *buf, size_t size)
{
    const char *top = getenv("SRCDIR");
    snprintf(buf, size, "%s/scenarios/%s", top && *top ? top : ABS_TOP_SRCDIR, name);
    return buf;
}

/* Planning stops there: a plan, no calibration, no simulation; the query
 * jobs' stages are the plan's, and the scenario's own jobs still have none
 * (the planner never writes the scenario). */
static void test_stops_after_planning(void **state)
{
    (void)state;
    char path[1024];
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_PLAN,
                                  .path = scenario_path("seed-analytics.cfg", path, sizeof path)};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(pipeline_run(&pl, &rq, &d), SC_OK);
    assert_non_null(pl.plan);
    assert_null(pl.cal);
    assert_null(pl.sim);
    assert_int_equal(pl.plan->n_jobs, pl.scn->n_jobs);
    for (size_t j = 0; j < pl.plan->n_jobs; j++) {
        assert_true(pl.plan->jobs[j].planned);
        assert_true(pl.plan->jobs[j].n_stages > 0);
        assert_int_equal(pl.scn->jobs[j].n_stages, 0);
    }
    pipeline_fini(&pl);
}

/* Resuming goes on from the step reached: the plan stays the same object,
 * and the simulation runs on it with the scenario's seed (or the one given). */
static void test_resumes_without_replanning(void **state)
{
    (void)state;
    char path[1024];
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_PLAN,
                                  .path = scenario_path("analytics-ds3.cfg", path, sizeof path),
                                  .have_seed = true,
                                  .seed = 7};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(pipeline_run(&pl, &rq, &d), SC_OK);
    const struct plan *planned = pl.plan;
    rq.until = PIPELINE_SIMULATE;
    assert_int_equal(pipeline_run(&pl, &rq, &d), SC_OK);
    assert_ptr_equal(pl.plan, planned);
    assert_non_null(pl.sim);
    const struct results *r = sim_results(pl.sim);
    assert_true(r->makespan_s > 0.0);
    assert_int_equal(r->seed, 7);
    assert_int_equal(pl.seed, 7);
    pipeline_fini(&pl);
}

/* A bad worker size fails at the cluster step, with its file and line; a
 * query naming a column its table lacks fails at the plan step. */
static void test_says_which_step_failed(void **state)
{
    (void)state;
    char path[1024];
    const char *sets[] = {"cluster.worker=Standard_Nope"};
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_SIMULATE,
                                  .path = scenario_path("analytics-ds3.cfg", path, sizeof path),
                                  .sets = sets,
                                  .n_sets = 1};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(pipeline_run(&pl, &rq, &d), SC_EINPUT);
    assert_int_equal(pl.failed, PIPELINE_CLUSTER);
    assert_true(d.line > 0);
    assert_null(pl.plan);
    pipeline_fini(&pl);

    const char *bad_where[] = {"jobs.0.query.1.where=no_such_column > 1"};
    rq.path = scenario_path("seed-analytics.cfg", path, sizeof path);
    rq.sets = bad_where;
    diag_clear(&d);
    struct pipeline pl2 = {0};
    assert_int_equal(pipeline_run(&pl2, &rq, &d), SC_EINPUT);
    assert_int_equal(pl2.failed, PIPELINE_PLAN);
    assert_non_null(strstr(d.msg, "no_such_column"));
    pipeline_fini(&pl2);
}

/* One plan, several clusters, as a sweep's points that plan alike: the
 * same cluster and seed give the same results, and the plan simulated on
 * twice the workers has twice the executors and, its stages being tasks of
 * fixed times, finishes no later. */
static void test_one_plan_on_two_clusters(void **state)
{
    (void)state;
    char path[1024];
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_CALIBRATE,
                                  .path = scenario_path("analytics-ds3.cfg", path, sizeof path)};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(pipeline_run(&pl, &rq, &d), SC_OK);
    struct cluster big = pl.cl;
    big.workers *= 2;
    big.executors *= 2;
    struct sim_options o = {.seed = 3};
    struct sim *a = pipeline_simulate(&pl, NULL, &o, &d);
    struct sim *a2 = pipeline_simulate(&pl, NULL, &o, &d);
    struct sim *b = pipeline_simulate(&pl, &big, &o, &d);
    assert_non_null(a);
    assert_non_null(a2);
    assert_non_null(b);
    const struct results *ra = sim_results(a), *ra2 = sim_results(a2), *rb = sim_results(b);
    assert_true(ra->makespan_s == ra2->makespan_s);
    assert_int_equal(ra->n_tasks, ra2->n_tasks);
    assert_int_equal(rb->n_executors, 2 * ra->n_executors);
    assert_true(rb->makespan_s <= ra->makespan_s);
    sim_free(a);
    sim_free(a2);
    sim_free(b);
    pipeline_fini(&pl);
}

/* The calibration interval: the same run with every calibrated cost at the
 * low and the high end of its fit's interval brackets the nominal run;
 * drawn costs (a sweep's replications) repeat for a seed and move with it. */
static void test_calibration_interval(void **state)
{
    (void)state;
    char path[1024];
    struct calibrate_options host;
    calibrate_options_default(&host);
    host.n_rows = 3;
    host.rows[0] = 2048;
    host.rows[1] = 4096;
    host.rows[2] = 8192;
    host.host_acu = 250.0;
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_SIMULATE,
                                  .path = scenario_path("skew-join.cfg", path, sizeof path),
                                  .calibration = &host,
                                  .calib_interval = true};
    struct diag d;
    diag_clear(&d);
    assert_int_equal(pipeline_run(&pl, &rq, &d), SC_OK);
    assert_true(pipeline_has_calib_interval(&pl));
    const struct results *r = sim_results(pl.sim);
    assert_true(r->calib_lo_s <= r->makespan_s);
    assert_true(r->makespan_s <= r->calib_hi_s);
    assert_true(r->calib_lo_s < r->calib_hi_s);

    struct sim_options o1 = {.seed = 5, .calib = SIM_CALIB_DRAWN};
    struct sim_options o2 = {.seed = 6, .calib = SIM_CALIB_DRAWN};
    struct sim *a = pipeline_simulate(&pl, NULL, &o1, &d);
    struct sim *a2 = pipeline_simulate(&pl, NULL, &o1, &d);
    struct sim *b = pipeline_simulate(&pl, NULL, &o2, &d);
    assert_non_null(a);
    assert_non_null(a2);
    assert_non_null(b);
    assert_true(sim_results(a)->makespan_s == sim_results(a2)->makespan_s);
    assert_true(sim_results(a)->makespan_s != sim_results(b)->makespan_s);
    sim_free(a);
    sim_free(a2);
    sim_free(b);
    pipeline_fini(&pl);

    /* Nothing calibrated (task times given): no interval. */
    struct pipeline pl2 = {0};
    struct pipeline_request rq2 = {.until = PIPELINE_SIMULATE,
                                   .path = scenario_path("analytics-ds3.cfg", path, sizeof path),
                                   .calibration = &host,
                                   .calib_interval = true};
    assert_int_equal(pipeline_run(&pl2, &rq2, &d), SC_OK);
    assert_false(pipeline_has_calib_interval(&pl2));
    assert_true(isnan(sim_results(pl2.sim)->calib_lo_s));
    pipeline_fini(&pl2);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stops_after_planning),
        cmocka_unit_test(test_resumes_without_replanning),
        cmocka_unit_test(test_says_which_step_failed),
        cmocka_unit_test(test_one_plan_on_two_clusters),
        cmocka_unit_test(test_calibration_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
