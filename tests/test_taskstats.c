/*
 * test_taskstats.c — streaming task statistics (sim/runtime/taskstats.h):
 * quantiles by selection equal the sorted-array answer
 * (results_quantile_sorted) exactly, the sketch stays within its stated
 * relative error, sketches merge, and a simulation without per-task
 * records keeps none yet reports the same stage statistics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/order.h"
#include "sim/runtime/runtime.h"
#include "sim/runtime/taskstats.h"
#include "sim_fixture.h"

static void add_all(struct taskstats *s, const int64_t *us, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(taskstats_add(s, us[i]), 0);
}

/* The sorted-array answer: run times in seconds, sorted, interpolated. */
static double sorted_quantile(const int64_t *us, size_t n, double q)
{
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)us[i] * 1e-6;
    qsort(v, n, sizeof *v, order_double_asc);
    double x = results_quantile_sorted(v, n, q);
    free(v);
    return x;
}

/* 1..10 s, shuffled. Sorted: 1 2 ... 10. p50 at position 0.5 x 9 = 4.5:
 * halfway between 5 and 6 = 5.5. p95 at 0.95 x 9 = 8.55: 9 + 0.55 x (10 - 9)
 * = 9.55. Mean 55 / 10 = 5.5; min 1, max 10. */
static void test_quantiles_of_one_to_ten(void **state)
{
    (void)state;
    int64_t us[10] = {7, 3, 10, 1, 5, 9, 2, 8, 6, 4};
    for (int i = 0; i < 10; i++)
        us[i] *= 1000000;
    struct taskstats s;
    taskstats_init(&s);
    add_all(&s, us, 10);
    assert_true(taskstats_exact(&s));
    assert_true(fabs(taskstats_quantile_s(&s, 0.5) - 5.5) < 1e-12);
    assert_true(fabs(taskstats_quantile_s(&s, 0.95) - 9.55) < 1e-12);
    assert_true(taskstats_quantile_s(&s, 0.5) == sorted_quantile(us, 10, 0.5));
    assert_true(taskstats_quantile_s(&s, 0.95) == sorted_quantile(us, 10, 0.95));
    assert_true(taskstats_mean_s(&s) == 5.5);
    assert_int_equal(s.min_us, 1000000);
    assert_int_equal(s.max_us, 10000000);
    taskstats_fini(&s);
}

/* Ties: 3 1 3 3 2 (us) sorts to 1 2 3 3 3. p50 at position 2: 3. p95 at
 * 3.8: between 3 and 3, 3. p0 is the minimum 1, p100 the maximum 3; a single
 * value is every quantile. */
static void test_quantiles_with_ties_and_one_value(void **state)
{
    (void)state;
    int64_t us[5] = {3, 1, 3, 3, 2};
    struct taskstats s;
    taskstats_init(&s);
    add_all(&s, us, 5);
    assert_true(taskstats_quantile_s(&s, 0.5) == 3e-6);
    assert_true(taskstats_quantile_s(&s, 0.95) == 3e-6);
    assert_true(taskstats_quantile_s(&s, 0.0) == 1e-6);
    assert_true(taskstats_quantile_s(&s, 1.0) == 3e-6);
    taskstats_fini(&s);
    taskstats_init(&s);
    assert_true(isnan(taskstats_quantile_s(&s, 0.5)));
    assert_int_equal(taskstats_add(&s, 42), 0);
    assert_true(taskstats_quantile_s(&s, 0.95) == 42e-6);
    taskstats_fini(&s);
}

/* Random run times with many repeats (0..5,000 us) and long ones (over
 * 2^32 us, which widens the exact store): selection gives the sorted
 * answer bit for bit at every quantile asked. */
static void test_selection_equals_sorting_on_random_values(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    enum { N = 20001 };
    static int64_t us[N];
    for (int wide = 0; wide < 2; wide++) {
        for (size_t i = 0; i < N; i++)
            us[i] = (int64_t)gsl_rng_uniform_int(rng, 5001) +
                    (wide && i % 7 == 0 ? (int64_t)1 << 33 : 0);
        const double qs[] = {0.0, 0.01, 0.1, 0.5, 0.95, 0.99, 1.0};
        for (size_t k = 0; k < sizeof qs / sizeof *qs; k++) {
            struct taskstats s;
            taskstats_init(&s);
            add_all(&s, us, N);
            assert_true(taskstats_exact(&s));
            assert_true(taskstats_quantile_s(&s, qs[k]) == sorted_quantile(us, N, qs[k]));
            taskstats_fini(&s);
        }
    }
    gsl_rng_free(rng);
}

/* 2.5 million lognormal run times (median 2 s, sigma 1, seed 11): past
 * TASKSTATS_EXACT_MAX, so a sketch; every percentile is within
 * TASKSTATS_SKETCH_ALPHA (relative) of the exact one, and min and max stay
 * exact. */
static void test_sketch_within_its_bound(void **state)
{
    (void)state;
    enum { N = 2500000 };
    int64_t *us = malloc(N * sizeof *us);
    double *v = malloc(N * sizeof *v);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    for (size_t i = 0; i < N; i++)
        us[i] = (int64_t)llround(gsl_ran_lognormal(rng, log(2e6), 1.0));
    struct taskstats s;
    taskstats_init(&s);
    add_all(&s, us, N);
    assert_false(taskstats_exact(&s));
    for (size_t i = 0; i < N; i++)
        v[i] = (double)us[i] * 1e-6;
    qsort(v, N, sizeof *v, order_double_asc);
    double worst = 0.0;
    for (int p = 1; p <= 99; p++) {
        double exact = results_quantile_sorted(v, N, p / 100.0);
        double est = taskstats_quantile_s(&s, p / 100.0);
        double rel = fabs(est - exact) / exact;
        if (rel > worst)
            worst = rel;
        assert_true(rel <= TASKSTATS_SKETCH_ALPHA * (1.0 + 1e-9));
    }
    print_message("sketch: worst relative error %.2e (bound %.0e)\n", worst,
                  TASKSTATS_SKETCH_ALPHA);
    assert_true(taskstats_quantile_s(&s, 0.0) == v[0]);
    assert_true(taskstats_quantile_s(&s, 1.0) == v[N - 1]);
    assert_true(s.min_us * 1e-6 == v[0]);
    taskstats_fini(&s);
    gsl_rng_free(rng);
    free(us);
    free(v);
}

/* Two sketches merged answer as one sketch of all the values (buckets add);
 * two small exact sets merge into an exact set. */
static void test_merge_equals_one_pass(void **state)
{
    (void)state;
    enum { N = 2400000 };
    int64_t *us = malloc(N * sizeof *us);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    for (size_t i = 0; i < N; i++)
        us[i] = (int64_t)gsl_rng_uniform_int(rng, 100000000);
    struct taskstats a, b, all;
    taskstats_init(&a);
    taskstats_init(&b);
    taskstats_init(&all);
    add_all(&a, us, N / 2);
    add_all(&b, us + N / 2, N / 2);
    add_all(&all, us, N);
    assert_int_equal(taskstats_merge(&a, &b), 0);
    assert_int_equal(a.n, all.n);
    assert_int_equal(a.sum_us, all.sum_us);
    for (int p = 0; p <= 100; p += 5)
        assert_true(taskstats_quantile_s(&a, p / 100.0) == taskstats_quantile_s(&all, p / 100.0));
    taskstats_fini(&a);
    taskstats_fini(&b);
    taskstats_fini(&all);

    taskstats_init(&a);
    taskstats_init(&b);
    add_all(&a, us, 1000);
    add_all(&b, us + 1000, 1001);
    assert_int_equal(taskstats_merge(&a, &b), 0);
    assert_true(taskstats_exact(&a));
    assert_true(taskstats_quantile_s(&a, 0.95) == sorted_quantile(us, 2001, 0.95));
    taskstats_fini(&a);
    taskstats_fini(&b);
    gsl_rng_free(rng);
    free(us);
}

/* One job of two stages (3,000 then 500 lognormal tasks, median 2 s) on 10
 * workers of 4 cores, run with and without per-task records: without, no
 * record is allocated (tasks NULL, n_tasks 0) but the attempts are counted,
 * and every stage statistic is identical to the run with records. */
static void test_no_records_same_stage_statistics(void **state)
{
    (void)state;
    struct scenario s;
    struct job_spec job;
    struct stage_spec st[2];
    int64_t parent = 0;
    struct node_type node;
    struct cluster cl;
    memset(&s, 0, sizeof s);
    memset(&job, 0, sizeof job);
    memset(st, 0, sizeof st);
    memset(&cl, 0, sizeof cl);
    s.file = "taskstats.cfg";
    s.name = "taskstats";
    s.seed = 1;
    spark_conf_init(&s.spark);
    s.model.task_launch_s = NAN;
    s.model.network_quantum_s = NAN;
    s.model.noise_sigma = NAN;
    job.name = "j";
    job.submit_s = NAN;
    job.stages = st;
    job.n_stages = 2;
    s.jobs = &job;
    s.n_jobs = 1;
    fixture_stage(&st[0], 0, 3000, 2.0);
    fixture_stage(&st[1], 1, 500, 2.0);
    for (int i = 0; i < 2; i++) {
        st[i].task_seconds.kind = DIST_LOGNORMAL;
        st[i].task_seconds.p1 = log(2.0);
        st[i].task_seconds.p2 = 0.4;
    }
    st[1].parents = &parent;
    st[1].n_parents = 1;
    fixture_cluster(&cl, &node, 10, 4, 1.0);
    struct diag d;
    diag_clear(&d);
    struct plan *p = plan_new(&s, &d);
    assert_non_null(p);
    struct sim *sims[2];
    for (int keep = 0; keep < 2; keep++) {
        struct sim_options o = {.seed = 3, .task_records = keep};
        sims[keep] = sim_new(p, &cl, &o, &d);
        assert_non_null(sims[keep]);
        assert_int_equal(sim_run(sims[keep], &d), SC_OK);
    }
    const struct results *without = sim_results(sims[0]), *with = sim_results(sims[1]);
    assert_null(without->tasks);
    assert_int_equal(without->n_tasks, 0);
    assert_int_equal(without->n_attempts, 3500);
    assert_int_equal(with->n_tasks, 3500);
    assert_int_equal(with->n_attempts, 3500);
    assert_true(without->makespan_s == with->makespan_s);
    assert_true(without->busy_s == with->busy_s);
    for (size_t i = 0; i < 2; i++) {
        const struct stage_result *a = &without->stages[i], *b = &with->stages[i];
        assert_true(a->task_quantiles_exact);
        assert_true(a->task_min_s == b->task_min_s);
        assert_true(a->task_p50_s == b->task_p50_s);
        assert_true(a->task_p95_s == b->task_p95_s);
        assert_true(a->task_max_s == b->task_max_s);
        assert_true(a->task_mean_s == b->task_mean_s);
        assert_true(a->busy_s == b->busy_s);
        assert_true(a->first_launch_us == b->first_launch_us);
        for (int k = 0; k < PHASE_COUNT; k++)
            assert_true(a->phase_s[k] == b->phase_s[k]);
    }
    /* And the with-records run's quantiles are the sorted answer of its
     * records (independent of the streaming path). */
    for (size_t i = 0; i < 2; i++) {
        double *v = malloc(with->n_tasks * sizeof *v);
        size_t n = 0;
        for (size_t t = 0; t < with->n_tasks; t++)
            if ((size_t)with->tasks[t].stage == i && with->tasks[t].status == TASK_SUCCESS)
                v[n++] = (double)(with->tasks[t].end_us - with->tasks[t].launch_us) * 1e-6;
        qsort(v, n, sizeof *v, order_double_asc);
        assert_true(with->stages[i].task_p50_s == results_quantile_sorted(v, n, 0.5));
        assert_true(with->stages[i].task_p95_s == results_quantile_sorted(v, n, 0.95));
        assert_true(with->stages[i].task_max_s == v[n - 1]);
        free(v);
    }
    sim_free(sims[0]);
    sim_free(sims[1]);
    plan_free(p);
    spark_conf_fini(&s.spark);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_of_one_to_ten),
        cmocka_unit_test(test_quantiles_with_ties_and_one_value),
        cmocka_unit_test(test_selection_equals_sorting_on_random_values),
        cmocka_unit_test(test_sketch_within_its_bound),
        cmocka_unit_test(test_merge_equals_one_pass),
        cmocka_unit_test(test_no_records_same_stage_statistics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
