/*
 * test_jvm.c — the JVM's own costs: what fit-jvm measures on a hand-written
 * event log (tests/eventlogs/jvm-tiny.json, every value worked out below),
 * the fit with one log left out, and the model's arithmetic on one task
 * (models/jvm.h). The runtime's use of it is in test_runtime.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/jvm.h"
#include "sim/eventlog/eventlog.h"
#include "sim/eventlog/jvm_costs.h"

static struct jvm_log_costs *measure_tiny(void)
{
    static struct jvm_log_costs c;
    struct diag d;
    diag_clear(&d);
    struct evlog *log = evlog_read(ABS_TOP_SRCDIR "/tests/eventlogs/jvm-tiny.json", NULL, &d);
    if (!log)
        fail_msg("%s", d.msg);
    jvm_measure(log, &c);
    evlog_free(log);
    return &c;
}

/* jvm-tiny.json: one executor of 2 cores; four SQL queries' jobs.
 *  stage 0 (SQL 0, job 0, submitted 1000 ms): 4 tasks, times relative:
 *    t0 launch 1010 finish 1510, deser 100 run 380 ser 0 gc 38: delay 20
 *    t1 launch 1010 finish 1530, deser 100 run 400 ser 0 gc 40: delay 20
 *    t2 launch 1520 finish 1620, deser 5 run 80 ser 5 gc 8:      delay 10
 *    t3 launch 1540 finish 1650, deser 5 run 90 ser 5 gc 9, result fetch
 *       from 1640 (getting result 10):                          delay 0
 *  stage 1 (SQL 1, job 1 at 2050): the same scan again, each task deser 5,
 *    run 20/25/20/20, delay 5, gc 2.
 *  stage 2 (SQL 2, job 2 "Broadcast exchange", submitted 3100, first task
 *    3130, ended 3190): 1 task deser 5 run 40 delay 5 gc 4;
 *  stage 3 (SQL 2, job 3 submitted 3400, first task 3410): the same. */
static void test_task_fixed_costs_and_scheduler_delay(void **state)
{
    (void)state;
    struct jvm_log_costs *c = measure_tiny();
    assert_int_equal(c->n_tasks, 10);
    /* Cold: t0 and t1 of stage 0 launched before the executor's first
     * finish (1510). */
    assert_int_equal(c->n_cold, 2);
    assert_int_equal(c->n_warm, 8);
    /* Deserialize: 100, 100 and eight 5s: median 5. Result serialization:
     * 5, 5 and eight 0s: median 0. Scheduler delay (Spark's formula: duration
     * - run - deserialize - serialization - getting result): 20, 20, 10, 0,
     * 5 x 6: sorted 0 5 5 5 5 5 5 10 20 20, median 5. */
    assert_float_equal(c->deserialize_ms.median, 5.0, 1e-9);
    assert_float_equal(c->result_ser_ms.median, 0.0, 1e-9);
    assert_float_equal(c->sched_delay_ms.median, 5.0, 1e-9);
    assert_float_equal(c->sched_delay_ms.p90, 20.0, 1e-9); /* 0.9 x 9 = 8.1: 20 */
    /* Task fixed cost of warm tasks: t2 5+5+10 = 20, t3 5+5+0 = 10, six
     * others 5+0+5 = 10: median 10. */
    assert_float_equal(c->task_fixed_ms.median, 10.0, 1e-9);
    assert_int_equal(c->task_fixed_ms.n, 8);
    /* GC: (38+40+8+9 + 4x2 + 4 + 4) / (380+400+80+90 + 85 + 40 + 40). */
    assert_float_equal(c->gc_share, 111.0 / 1115.0, 1e-12);
    assert_float_equal(c->param[JVM_TASK_FIXED], 10.0, 1e-9);
    assert_float_equal(c->param[JVM_GC_SHARE], 111.0 / 1115.0, 1e-12);
}

static void test_first_tasks_and_first_run(void **state)
{
    (void)state;
    struct jvm_log_costs *c = measure_tiny();
    /* Stage 0's warm tasks busy (deser + run) 85 and 95: median 90. Its
     * cold ones 480 and 500: excess 390 and 410 (median 400), ratios 5.33
     * and 5.56 (median (480 + 500) / 2 / 90). */
    assert_int_equal(c->first_task_excess_ms.n, 2);
    assert_float_equal(c->first_task_excess_ms.median, 400.0, 1e-9);
    assert_float_equal(c->first_task_ratio.median, (480.0 / 90.0 + 500.0 / 90.0) / 2.0, 1e-9);
    assert_float_equal(c->param[JVM_FIRST_TASK], 400.0, 1e-9);
    /* Stage 1 repeats stage 0 (same name, 4 tasks, 1000 records): warm run
     * 80 + 90 = 170 against 20 + 25 + 20 + 20 = 85: 2.0. */
    assert_int_equal(c->first_query_ratio.n, 1);
    assert_float_equal(c->first_query_ratio.median, 2.0, 1e-12);
    assert_float_equal(c->param[JVM_FIRST_QUERY], 2.0, 1e-12);
    /* First runs: stage 0's first wave is its executor's cold tasks (the
     * first-task figures' own), stage 1 repeats it, stages 2 and 3 run one
     * wave: no stage gives either first-run excess. */
    assert_int_equal(c->first_run_excess_ms.n, 0);
    assert_int_equal(c->first_run_small_excess_ms.n, 0);
    assert_true(isnan(c->param[JVM_FIRST_RUN]) && isnan(c->param[JVM_FIRST_RUN_SMALL]));
}

static void test_driver_times(void **state)
{
    (void)state;
    struct jvm_log_costs *c = measure_tiny();
    /* Queries: SQL 0 started at 500, its first task 1010 (510, the first);
     * SQL 1 2000 -> 2060 (60); SQL 2 3000 -> 3130 (130): median 95. */
    assert_float_equal(c->first_query_driver_ms, 510.0, 1e-9);
    assert_int_equal(c->query_driver_ms.n, 2);
    assert_float_equal(c->query_driver_ms.median, 95.0, 1e-9);
    /* Jobs: job 0 1000 -> 1010 (the first); jobs 1-3: 10, 30, 10. */
    assert_float_equal(c->first_job_driver_ms, 10.0, 1e-9);
    assert_float_equal(c->job_driver_ms.median, 10.0, 1e-9);
    /* Broadcast: job 2's 30 ms to its task, then 3190 -> 3400 until the
     * query's next job: 240. */
    assert_int_equal(c->broadcast_driver_ms.n, 1);
    assert_float_equal(c->broadcast_driver_ms.median, 240.0, 1e-9);
    assert_float_equal(c->param[JVM_QUERY_DRIVER], 95.0, 1e-9);
    assert_float_equal(c->param[JVM_BROADCAST_DRIVER], 240.0, 1e-9);
}

static void test_fit_is_the_median_and_leaves_one_log_out(void **state)
{
    (void)state;
    struct jvm_log_costs logs[3];
    memset(logs, 0, sizeof logs);
    for (int i = 0; i < 3; i++)
        for (int p = 0; p < JVM_N_PARAMS; p++)
            logs[i].param[p] = NAN;
    logs[0].param[JVM_TASK_FIXED] = 10.0;
    logs[1].param[JVM_TASK_FIXED] = 20.0;
    logs[2].param[JVM_TASK_FIXED] = 60.0;
    logs[1].param[JVM_GC_SHARE] = 0.1; /* only one log gives it */
    double fit[JVM_N_PARAMS];
    jvm_fit(logs, 3, -1, fit);
    assert_float_equal(fit[JVM_TASK_FIXED], 20.0, 1e-12);
    assert_float_equal(fit[JVM_GC_SHARE], 0.1, 1e-12);
    assert_true(isnan(fit[JVM_FIRST_TASK]));
    /* Without log 0: median of 20 and 60 = 40; without log 1: 35; and
     * without the only log that gives the GC share, none. */
    jvm_fit(logs, 3, 0, fit);
    assert_float_equal(fit[JVM_TASK_FIXED], 40.0, 1e-12);
    jvm_fit(logs, 3, 1, fit);
    assert_float_equal(fit[JVM_TASK_FIXED], 35.0, 1e-12);
    assert_true(isnan(fit[JVM_GC_SHARE]));
}

static void test_task_time_adds_each_cost(void **state)
{
    (void)state;
    struct jvm_costs c = {.task_fixed_s = 0.01,
                          .gc_share = 0.2,
                          .first_task_s = 0.5,
                          .first_query_factor = 3.0,
                          .query_driver_s = 0.0,
                          .broadcast_driver_s = 0.0,
                          .first_run_s = 0.25,
                          .first_run_small_s = 0.05};
    /* 0.1 s of compute: warm, 0.1 / 0.8 + 0.01 = 0.135; on a cold
     * executor + 0.5; in a pipeline's first run 0.3 / 0.8 + 0.01 = 0.385,
     * and in that run's first wave + 0.25 = 0.635; a cold executor's
     * first task pays its 0.5 only, not the first wave's 0.25 too. */
    assert_float_equal(jvm_task_s(&c, 0.1, false, false, false, 1e5), 0.135, 1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, true, false, false, 1e5), 0.635, 1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, false, true, false, 1e5), 0.385, 1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, false, true, true, 1e5), 0.635, 1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, true, true, true, 1e5), 0.885, 1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, false, false, true, 1e5), 0.135, 1e-12);
    struct jvm_costs off;
    jvm_costs_off(&off);
    /* A stage of fewer than JVM_FIRST_RUN_RECORDS records a task waits
     * first_run_small_s instead: 0.385 + 0.05; at the threshold, or with
     * its records unknown (0), first_run_s. */
    assert_float_equal(jvm_task_s(&c, 0.1, false, true, true, 200.0), 0.435, 1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, false, true, true, JVM_FIRST_RUN_RECORDS), 0.635,
                       1e-12);
    assert_float_equal(jvm_task_s(&c, 0.1, false, true, true, 0.0), 0.635, 1e-12);
    /* A cold executor's first task still pays first_task_s alone. */
    assert_float_equal(jvm_task_s(&c, 0.1, true, true, true, 200.0), 0.885, 1e-12);
    assert_float_equal(jvm_task_s(&off, 0.1, true, true, true, 200.0), 0.1, 1e-15);
}

static void test_unset_parameters_take_the_defaults(void **state)
{
    (void)state;
    struct jvm_costs c;
    jvm_costs_unset(&c);
    c.gc_share = 0.0; /* set: kept */
    jvm_costs_resolve(&c);
    assert_float_equal(c.gc_share, 0.0, 0.0);
    assert_float_equal(c.task_fixed_s, JVM_DEFAULT_TASK_FIXED_S, 0.0);
    assert_float_equal(c.first_task_s, JVM_DEFAULT_FIRST_TASK_S, 0.0);
    assert_float_equal(c.first_query_factor, JVM_DEFAULT_FIRST_QUERY_FACTOR, 0.0);
    assert_float_equal(c.query_driver_s, JVM_DEFAULT_QUERY_DRIVER_S, 0.0);
    assert_float_equal(c.broadcast_driver_s, JVM_DEFAULT_BROADCAST_DRIVER_S, 0.0);
    assert_float_equal(c.first_run_s, JVM_DEFAULT_FIRST_RUN_S, 0.0);
    assert_float_equal(c.first_run_small_s, JVM_DEFAULT_FIRST_RUN_SMALL_S, 0.0);
    assert_float_equal(c.first_task_local_s, JVM_DEFAULT_FIRST_TASK_LOCAL_S, 0.0);
}

/* Spark's master URLs that run tasks in the driver's JVM, and those that
 * do not (SparkContext.createTaskScheduler's cases). */
static void test_local_masters(void **state)
{
    (void)state;
    assert_true(jvm_local_master("local"));
    assert_true(jvm_local_master("local[4]"));
    assert_true(jvm_local_master("local[*]"));
    assert_true(jvm_local_master("local[4,2]"));
    assert_false(jvm_local_master("local-cluster[2,1,1024]"));
    assert_false(jvm_local_master("yarn"));
    assert_false(jvm_local_master("k8s://https://host:443"));
    assert_false(jvm_local_master("spark://host:7077"));
    assert_false(jvm_local_master("localhost"));
    assert_false(jvm_local_master(NULL));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_fixed_costs_and_scheduler_delay),
        cmocka_unit_test(test_first_tasks_and_first_run),
        cmocka_unit_test(test_local_masters),
        cmocka_unit_test(test_driver_times),
        cmocka_unit_test(test_fit_is_the_median_and_leaves_one_log_out),
        cmocka_unit_test(test_task_time_adds_each_cost),
        cmocka_unit_test(test_unset_parameters_take_the_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
