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

/* ---- measured estimates (docs/models/calibration.md) ------------------------ */

static const char *test_scenario_path(const char *name, char *buf, size_t size)
{
    const char *top = getenv("SRCDIR");
    snprintf(buf, size, "%s/tests/scenarios/good/%s", top && *top ? top : ABS_TOP_SRCDIR, name);
    return buf;
}

/* Calibrated with small samples, a fixed host speed and the cache dir. */
static void run_measured_file(struct pipeline *pl, enum pipeline_step until, const char *cache,
                              const char *file)
{
    static char path[1024];
    struct calibrate_options o;
    calibrate_options_default(&o);
    o.n_rows = 3;
    o.rows[0] = 4096;
    o.rows[1] = 8192;
    o.rows[2] = 16384;
    o.repetitions = 1;
    o.host_acu = 250.0;
    snprintf(o.cache_dir, sizeof o.cache_dir, "%s", cache);
    struct pipeline_request rq = {.until = until,
                                  .path =
                                      test_scenario_path(file, path, sizeof path),
                                  .calibration = &o};
    struct diag d;
    diag_clear(&d);
    if (pipeline_run(pl, &rq, &d) != SC_OK) {
        char msg[1200];
        fail_msg("%s", diag_format(&d, msg, sizeof msg));
    }
}

static void run_measured(struct pipeline *pl, enum pipeline_step until, const char *cache)
{
    run_measured_file(pl, until, cache, "measured-filter.cfg");
}

/* measured-filter.cfg: events (4,000,000 rows) with d uniform over
 * 2023-01-01..2024-12-31, 366 of its 731 days in 2024; late (1,000,000
 * rows) all in 2024. The planner cannot read year(d) = 2024 and takes
 * System R's 1/10: 400,000 and 100,000 rows. Calibration's sample keeps
 * about 366/731 = 0.50068 of events' rows (binomial sd sqrt(p (1 - p) / n)
 * on n sample rows) and all of late's, and the plan run simulates carries
 * those: events' filter stage writes 4e6 p rows, which the next stage
 * reads; late's keeps 1,000,000. x <= 250000 is read from x's uniform
 * distribution (exactly 1/4: 1,000,000 rows) and stays as it is. */
static void test_measured_selectivity_replaces_a_default(void **state)
{
    (void)state;
    char cache[] = "/tmp/test_pipeline_cache_XXXXXX";
    assert_non_null(mkdtemp(cache));
    struct pipeline pl = {0};
    run_measured(&pl, PIPELINE_PLAN, cache);
    const struct plan_job *year = &pl.plan->jobs[0], *late = &pl.plan->jobs[1],
                          *range = &pl.plan->jobs[2];
    assert_int_equal(year->stages[0].ops[1].kind, PLAN_OP_FILTER);
    assert_int_equal(year->stages[0].ops[1].est, PLAN_EST_DEFAULT);
    assert_int_equal(year->stages[0].output_records, 400000);
    assert_int_equal(late->stages[0].output_records, 100000);
    assert_int_equal(range->stages[0].ops[1].est, PLAN_EST_DISTRIBUTION);
    assert_int_equal(range->stages[0].output_records, 1000000);
    run_measured(&pl, PIPELINE_CALIBRATE, cache);
    year = &pl.plan->jobs[0];
    late = &pl.plan->jobs[1];
    range = &pl.plan->jobs[2];
    const struct plan_op *f = &year->stages[0].ops[1];
    assert_int_equal(f->est, PLAN_EST_MEASURED);
    assert_true(f->est_sample_rows >= 1000.0);
    double p = 366.0 / 731.0, sd = sqrt(p * (1.0 - p) / f->est_sample_rows);
    if (fabs(f->est_value - p) > 4.0 * sd)
        fail_msg("measured %.5f on %.0f rows, want %.5f +- %.5f", f->est_value, f->est_sample_rows,
                 p, 4.0 * sd);
    assert_true(llabs(year->stages[0].output_records - llround(4e6 * f->est_value)) <= 1);
    assert_true(fabs((double)year->stages[0].output_records - 4e6 * p) <= 4e6 * 4.0 * sd);
    assert_int_equal(year->stages[1].input_records, year->stages[0].output_records);
    assert_int_equal(plan_stage_est(year, 1), PLAN_EST_MEASURED);
    /* The same text on another table is another estimate. */
    assert_int_equal(late->stages[0].ops[1].est, PLAN_EST_MEASURED);
    assert_int_equal(late->stages[0].output_records, 1000000);
    /* An estimate from the distribution is not replaced. */
    assert_int_equal(range->stages[0].ops[1].est, PLAN_EST_DISTRIBUTION);
    assert_int_equal(range->stages[0].output_records, 1000000);
    assert_int_equal(plan_stage_est(range, 0), PLAN_EST_DISTRIBUTION);
    /* Same seed, same cache: a second run reads everything from the cache
     * and makes the same plan, byte for byte. */
    struct pipeline again = {0};
    run_measured(&again, PIPELINE_CALIBRATE, cache);
    assert_int_equal(calibrate_n_measured(again.cal), 0);
    for (size_t j = 0; j < pl.plan->n_jobs; j++)
        for (size_t k = 0; k < pl.plan->jobs[j].n_stages; k++) {
            const struct plan_stage *a = &pl.plan->jobs[j].stages[k];
            const struct plan_stage *b = &again.plan->jobs[j].stages[k];
            assert_int_equal(a->input_records, b->input_records);
            assert_int_equal(a->output_records, b->output_records);
            assert_int_equal(a->shuffle_write_bytes, b->shuffle_write_bytes);
            assert_int_equal(a->shuffle_read_bytes, b->shuffle_read_bytes);
        }
    pipeline_fini(&again);
    pipeline_fini(&pl);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    assert_int_equal(system(cmd), 0);
}

/* measured-groups.cfg: lower(s) over five values makes 3 groups (ab, cd,
 * ef), which the planner cannot know (a derived key of unknown distinct
 * values is taken as unique). The sample holds all 3 at every size, so the
 * count is used: G (1 - exp(-n / G)) = 3 for n in the thousands gives G = 3,
 * and the partial aggregate then writes 3 rows a task. */
static void test_measured_groups_replace_a_default(void **state)
{
    (void)state;
    char cache[] = "/tmp/test_pipeline_cache_XXXXXX";
    assert_non_null(mkdtemp(cache));
    struct pipeline pl = {0};
    run_measured_file(&pl, PIPELINE_PLAN, cache, "measured-groups.cfg");
    const struct plan_stage *s0 = &pl.plan->jobs[0].stages[0];
    const struct plan_op *agg = NULL;
    for (size_t i = 0; i < s0->n_ops; i++)
        if (s0->ops[i].kind == PLAN_OP_HASH_AGGREGATE)
            agg = &s0->ops[i];
    assert_non_null(agg);
    assert_int_equal(agg->est, PLAN_EST_DEFAULT);
    assert_true(s0->output_records > 1000000);
    run_measured_file(&pl, PIPELINE_CALIBRATE, cache, "measured-groups.cfg");
    s0 = &pl.plan->jobs[0].stages[0];
    agg = NULL;
    for (size_t i = 0; i < s0->n_ops; i++)
        if (s0->ops[i].kind == PLAN_OP_HASH_AGGREGATE)
            agg = &s0->ops[i];
    assert_non_null(agg);
    assert_int_equal(agg->est, PLAN_EST_MEASURED);
    assert_true(fabs(agg->est_value - 3.0) < 1e-6);
    assert_int_equal(s0->output_records, 3 * s0->tasks);
    assert_int_equal(pl.plan->jobs[0].stages[1].input_records, s0->output_records);
    pipeline_fini(&pl);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", cache);
    assert_int_equal(system(cmd), 0);
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
        cmocka_unit_test(test_measured_selectivity_replaces_a_default),
        cmocka_unit_test(test_measured_groups_replace_a_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
