/*
 * test_report.c — the reports carry what the simulation computed: the JSON
 * parses, holds the documented keys, and its numbers agree with hand
 * arithmetic (makespan, utilization, costs that add up); the timeline CSV has
 * one row per task attempt; the same run writes the same bytes.
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

#include "sim/output/report.h"
#include "sim/runtime/runtime.h"

struct fixture {
    struct scenario s;
    struct job_spec job;
    struct stage_spec stages[2];
    int64_t parent;
    struct node_type node;
    struct cluster cl;
    struct sim *sim;
    struct plan *plan;
    const struct results *r;
};

/* 2 executors x 2 cores (4 slots) on Databricks, DS3-like prices.
 * Stage 0: 10 tasks x 2 s -> 3 waves, ends at 6. Stage 1 (parent 0):
 * 4 tasks x 1 s, ends at 7. Makespan 7 s. Busy 20 + 4 = 24 slot-s of
 * 4 x 7 = 28: utilization 6/7. */
static struct fixture *fixture_run(void)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->s.file = "report.cfg";
    f->s.name = "report \"quoted\", test";
    f->s.seed = 3;
    spark_conf_init(&f->s.spark);
    struct diag d;
    diag_clear(&d);
    spark_conf_set(&f->s.spark, "spark.made.up.key", "7", "report.cfg", 9, &d);
    f->s.model.task_launch_s = 0.0;
    f->s.jobs = &f->job;
    f->s.n_jobs = 1;
    f->job.name = "job, with comma";
    f->job.submit_s = NAN;
    f->job.stages = f->stages;
    f->job.n_stages = 2;
    for (int i = 0; i < 2; i++) {
        f->stages[i].id = i;
        f->stages[i].tasks = i == 0 ? 10 : 4;
        f->stages[i].has_task_seconds = true;
        f->stages[i].task_seconds = dist_fixed(i == 0 ? 2.0 : 1.0);
    }
    f->parent = 0;
    f->stages[1].parents = &f->parent;
    f->stages[1].n_parents = 1;
    strcpy(f->node.name, "Standard_DS3_v2");
    f->node.vcpus = 2;
    f->node.price_usd_per_hour = 0.293;
    f->node.dbu_per_hour = 0.75;
    f->cl.platform = PLATFORM_DATABRICKS;
    f->cl.driver = f->cl.worker = &f->node;
    f->cl.workers = 2;
    f->cl.executors_per_worker = 1;
    f->cl.executor_cores = 2;
    f->cl.task_cpus = 1;
    f->cl.slots_per_executor = 2;
    f->cl.executors = 2;
    f->cl.startup_s = 0.0;
    f->cl.startup_source = "test";
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &f->node, NULL, true,
                      &f->cl.driver_rates);
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &f->node, NULL, false,
                      &f->cl.worker_rates);
    struct sim_options opt = {.seed = 3, .task_records = true}; /* the timeline lists tasks */
    f->plan = plan_new(&f->s, &d);
    assert_non_null(f->plan);
    f->sim = sim_new(f->plan, &f->cl, &opt, &d);
    assert_non_null(f->sim);
    assert_int_equal(sim_run(f->sim, &d), SC_OK);
    f->r = sim_results(f->sim);
    return f;
}

static void fixture_free(struct fixture *f)
{
    sim_free(f->sim);
    plan_free(f->plan);
    spark_conf_fini(&f->s.spark);
    free(f);
}

static double num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    assert_non_null(v);
    return json_number_value(v);
}

static void test_json_holds_documented_keys_and_hand_values(void **state)
{
    (void)state;
    struct fixture *f = fixture_run();
    json_t *root = report_json_build(f->plan, &f->cl, f->r);
    assert_non_null(root);
    assert_float_equal(num(root, "makespan_s"), 7.0, 1e-9);
    assert_float_equal(num(root, "utilization"), 6.0 / 7.0, 1e-6);
    /* 3 nodes x 7 s x (0.293 + 0.75 x 0.30) $/h = 3 x 7 x 0.518 / 3600. */
    assert_float_equal(num(root, "cost_usd"), 3.0 * 7.0 * 0.518 / 3600.0, 1e-6);
    json_t *jobs = json_object_get(root, "jobs");
    assert_int_equal(json_array_size(jobs), 1);
    json_t *job = json_array_get(jobs, 0);
    assert_string_equal(json_string_value(json_object_get(job, "name")), "job, with comma");
    assert_float_equal(num(job, "start_s"), 0.0, 1e-9);
    assert_float_equal(num(job, "end_s"), 7.0, 1e-9);
    json_t *stages = json_object_get(job, "stages");
    assert_int_equal(json_array_size(stages), 2);
    json_t *s0 = json_array_get(stages, 0), *s1 = json_array_get(stages, 1);
    assert_float_equal(num(s0, "id"), 0, 0);
    assert_float_equal(num(s0, "tasks"), 10, 0);
    /* Both stages give their task times: nothing was calibrated. */
    assert_string_equal(json_string_value(json_object_get(s0, "compute_source")), "given");
    assert_string_equal(json_string_value(json_object_get(s1, "compute_source")), "given");
    assert_float_equal(num(s0, "start_s"), 0.0, 1e-9);
    assert_float_equal(num(s0, "end_s"), 6.0, 1e-9);
    assert_float_equal(num(s0, "duration_s"), 6.0, 1e-9);
    assert_float_equal(num(s0, "task_p50_s"), 2.0, 1e-9);
    assert_float_equal(num(s0, "task_p95_s"), 2.0, 1e-9);
    assert_float_equal(num(s0, "task_max_s"), 2.0, 1e-9);
    assert_float_equal(num(s1, "start_s"), 6.0, 1e-9);
    assert_float_equal(num(s1, "end_s"), 7.0, 1e-9);
    assert_string_equal(json_string_value(json_object_get(s1, "name")), "stage 1");
    json_t *execs = json_object_get(root, "executors");
    assert_int_equal(json_array_size(execs), 2);
    double busy = 0.0;
    for (size_t e = 0; e < 2; e++) {
        json_t *x = json_array_get(execs, e);
        assert_string_equal(json_string_value(json_object_get(x, "node_type")),
                            "Standard_DS3_v2");
        assert_float_equal(num(x, "cores"), 2, 0);
        assert_float_equal(num(x, "alive_s"), 7.0, 1e-9);
        busy += num(x, "busy_s");
        assert_float_equal(num(x, "utilization"), num(x, "busy_s") / (2 * 7.0), 1e-6);
    }
    assert_float_equal(busy, 24.0, 1e-9);
    /* Cost lines add up to the total. */
    json_t *lines = json_object_get(json_object_get(root, "cost"), "lines");
    double sum = 0.0;
    for (size_t i = 0; i < json_array_size(lines); i++)
        sum += num(json_array_get(lines, i), "total_usd");
    assert_float_equal(sum, num(root, "cost_usd"), 2e-6);
    /* The unknown Spark key is listed. */
    json_t *unknown = json_object_get(json_object_get(root, "spark"), "unknown_keys");
    assert_int_equal(json_array_size(unknown), 1);
    assert_string_equal(json_string_value(json_array_get(unknown, 0)), "spark.made.up.key");
    json_decref(root);
    fixture_free(f);
}

static char *write_to_string(struct fixture *f, int json, size_t *len)
{
    char *buf = NULL;
    FILE *mem = open_memstream(&buf, len);
    struct diag d;
    diag_clear(&d);
    if (json)
        assert_int_equal(report_json(mem, f->plan, &f->cl, f->r, &d), SC_OK);
    else
        assert_int_equal(report_timeline_csv(mem, f->plan, f->r, &d), SC_OK);
    fclose(mem);
    return buf;
}

static void test_json_text_parses_back(void **state)
{
    (void)state;
    struct fixture *f = fixture_run();
    size_t len;
    char *text = write_to_string(f, 1, &len);
    json_error_t err;
    json_t *back = json_loads(text, 0, &err);
    assert_non_null(back);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(back, "scenario"), "name")),
        "report \"quoted\", test");
    json_decref(back);
    free(text);
    fixture_free(f);
}

static void test_timeline_has_a_row_per_task_attempt(void **state)
{
    (void)state;
    struct fixture *f = fixture_run();
    size_t len;
    char *text = write_to_string(f, 0, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, 1 + 14); /* header + 10 + 4 tasks */
    /* The job name with a comma is quoted (RFC 4180). */
    assert_non_null(strstr(text, "\"job, with comma\""));
    free(text);
    fixture_free(f);
}

static void test_same_run_writes_same_bytes(void **state)
{
    (void)state;
    struct fixture *a = fixture_run(), *b = fixture_run();
    size_t la, lb;
    char *ta = write_to_string(a, 1, &la), *tb = write_to_string(b, 1, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    free(ta);
    free(tb);
    fixture_free(a);
    fixture_free(b);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_holds_documented_keys_and_hand_values),
        cmocka_unit_test(test_json_text_parses_back),
        cmocka_unit_test(test_timeline_has_a_row_per_task_attempt),
        cmocka_unit_test(test_same_run_writes_same_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
