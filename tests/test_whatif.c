/*
 * test_whatif.c — what-ifs that change the work: what_if.input_scale on
 * explicit stages (sim/plan/planner_whatif.c) and on a query's tables, and
 * given task times on a node of another speed (sim/runtime/taskcost.c).
 * Every expected figure is worked out by hand from Spark's rules in the
 * comment above it.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "sim/input/scenario.h"
#include "sim/plan/planner.h"
#include "sim/runtime/taskcost.h"

#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}

static struct cluster cluster_of(int executors, int cores)
{
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    cl.workers = executors;
    cl.executors = executors;
    cl.executors_per_worker = 1;
    cl.executor_cores = cores;
    cl.task_cpus = 1;
    cl.slots_per_executor = cores;
    return cl;
}

/* Writes text to a temporary file and loads it; NULL (d filled) when the
 * reader refuses it. */
static struct scenario *load_text(const char *text, struct diag *d)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_whatif_XXXXXX.cfg");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    diag_clear(d);
    struct scenario *s = scenario_load(path, d);
    unlink(path);
    return s;
}

/* One explicit stage: its keys (tasks, task_seconds, logged bytes), the
 * Spark settings and the input scale. */
static struct plan *plan_stage(const char *spark, const char *stage, double scale, int cores)
{
    char text[4096];
    snprintf(text, sizeof text,
             "name = \"w\";\n"
             "cluster = { worker = \"Standard_D4s_v3\"; workers = 1; };\n"
             "spark = { %s };\n"
             "what_if = { input_scale = %.17g; };\n"
             "jobs = ( { name = \"j\"; stages = ( { id = 0; %s } ); } );\n",
             spark, scale, stage);
    struct diag d;
    struct scenario *s = load_text(text, &d);
    if (!s)
        fail_msg("scenario did not load: %s", d.msg);
    struct cluster cl = cluster_of(1, cores);
    struct plan *p = planner_plan(s, &cl, NULL, &d);
    if (!p) {
        scenario_free(s);
        fail_msg("planning failed: %s", d.msg);
    }
    return p;
}

static void plan_done(struct plan *p)
{
    struct scenario *s = (struct scenario *)p->scn;
    plan_free(p);
    scenario_free(s);
}

/* The time taskcost gives task `index` of the plan's only stage on cl. */
static double task_time(const struct plan *p, const struct cluster *cl, int64_t index)
{
    struct stage_cost c;
    taskcost_stage_init(&c, &p->jobs[0].stages[0], cl, 0.0);
    float phase[PHASE_COUNT];
    return taskcost_task(&c, NULL, index, phase);
}

#define EIGHT_TASKS "tasks = 8; task_seconds = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0]; "

static void test_scan_of_1gib_at_128mib_runs_8_tasks_and_16_on_twice_the_input(void **state)
{
    (void)state;
    /* FilePartition.maxSplitBytes on 8 cores, 8 files of 128 MiB (as many
     * as the logged tasks): min(128 MiB, max(4 MiB, (1 GiB + 8 x 4 MiB) /
     * 8 = 132 MiB)) = 128 MiB: one piece per file, 8 tasks, the log's count.
     * Twice the input, 8 files of 256 MiB: bytes per core (2 GiB + 32 MiB)
     * / 8 = 260 MiB, so maxSplitBytes stays 128 MiB; each file is cut in 2:
     * 16 tasks. Each gets 2 x 8 / 16 = 1 logged task's records: the times
     * stay as logged. */
    const char *spark = "sql = { files = { maxPartitionBytes = \"128m\"; }; };";
    const char *stage = EIGHT_TASKS "logged_input_bytes = \"1g\"; fixed_s = 0.2;";
    struct plan *p = plan_stage(spark, stage, 2.0, 8);
    const struct plan_stage *st = &p->jobs[0].stages[0];
    assert_int_equal(st->tasks, 16);
    assert_near(st->compute_scale, 1.0, 1e-12);
    struct cluster cl = cluster_of(1, 8);
    /* Task i of 16 stands where logged task i x 8 / 16 stood: task 15 is
     * the logged task 7 (2.0 s). */
    assert_near(task_time(p, &cl, 0), 1.0, 1e-12);
    assert_near(task_time(p, &cl, 15), 2.0, 1e-12);
    assert_near(task_time(p, &cl, 13), 1.0, 1e-12);
    plan_done(p);
}

static void test_scan_on_less_input_keeps_a_task_per_file(void **state)
{
    (void)state;
    /* Half the input: 8 files of 64 MiB; maxSplitBytes = min(128, max(4,
     * (512 + 32) / 8 = 68)) = 68 MiB. A file (64 MiB, counted with its
     * 4 MiB open cost) fills a partition: 64 + 64 > 68, so 8 tasks, each
     * with half a logged task's records: compute x0.5, the fixed 0.2 s
     * not: 0.2 + 0.8 x 0.5 = 0.6 s. */
    const char *spark = "sql = { files = { maxPartitionBytes = \"128m\"; }; };";
    const char *stage = EIGHT_TASKS "logged_input_bytes = \"1g\"; fixed_s = 0.2;";
    struct plan *p = plan_stage(spark, stage, 0.5, 8);
    assert_int_equal(p->jobs[0].stages[0].tasks, 8);
    struct cluster cl = cluster_of(1, 8);
    assert_near(task_time(p, &cl, 0), 0.6, 1e-12);
    plan_done(p);
}

static void test_rdd_scan_splits_each_file_by_block(void **state)
{
    (void)state;
    /* 24 logged tasks over 960 MiB on 8 cores: FilePartition would pack
     * 24 files of 40 MiB three to a partition ((40 + 4) x 2 + 40 = 128 fits
     * in maxSplitBytes 128 MiB), 8 partitions, not 24, so the log was not a file-source scan:
     * Hadoop's splits, one per 128 MiB block of each file. Four times the input: files of 160 MiB,
     * 2 blocks each, 48 tasks; each with 4 x 24 / 48 = 2 logged tasks'
     * records. */
    char stage[1024];
    int n = snprintf(stage, sizeof stage, "tasks = 24; task_seconds = [");
    for (int i = 0; i < 24; i++)
        n += snprintf(stage + n, sizeof stage - (size_t)n, "%s1.0", i ? ", " : "");
    snprintf(stage + n, sizeof stage - (size_t)n, "]; logged_input_bytes = \"960m\";");
    struct plan *p = plan_stage("", stage, 4.0, 8);
    assert_int_equal(p->jobs[0].stages[0].tasks, 48);
    assert_near(p->jobs[0].stages[0].compute_scale, 2.0, 1e-12);
    plan_done(p);
}

static void test_shuffle_stage_keeps_its_partitions_and_doubles_compute(void **state)
{
    (void)state;
    /* No AQE: a reduce stage has spark.sql.shuffle.partitions tasks
     * whatever it reads. Twice the input: the same 8 tasks, each with
     * twice the records: 0.2 + 0.8 x 2 = 1.8 s, and 0.2 + 1.8 x 2 = 3.8 s
     * for the 2-second task. */
    const char *spark =
        "sql = { adaptive = { enabled = false; }; shuffle = { partitions = 8; }; };";
    const char *stage = EIGHT_TASKS "logged_shuffle_bytes = \"1g\"; fixed_s = 0.2;";
    struct plan *p = plan_stage(spark, stage, 2.0, 8);
    assert_int_equal(p->jobs[0].stages[0].tasks, 8);
    struct cluster cl = cluster_of(1, 8);
    assert_near(task_time(p, &cl, 0), 1.8, 1e-12);
    assert_near(task_time(p, &cl, 7), 3.8, 1e-12);
    plan_done(p);
}

static void test_aqe_coalesced_stage_grows_with_its_bytes(void **state)
{
    (void)state;
    /* AQE coalesced 200 partitions of 256 MiB into 4 tasks (target
     * max(min(256 MiB, 64 MiB advisory), 1 MiB) = 64 MiB, parallelismFirst
     * off). Twice the bytes: ceil(512 / 64) = 8 tasks, each with 2 x 4 / 8
     * = 1 logged task's records. A task count AQE did not choose (200 =
     * the partitions) stays. */
    const char *spark = "sql = { shuffle = { partitions = 200; }; adaptive = { enabled = true; "
                        "advisoryPartitionSizeInBytes = \"64m\"; coalescePartitions = { "
                        "parallelismFirst = false; }; }; };";
    struct plan *p = plan_stage(spark,
                                "tasks = 4; task_seconds = [1.0, 1.0, 1.0, 1.0]; "
                                "logged_shuffle_bytes = \"256m\";",
                                2.0, 8);
    assert_int_equal(p->jobs[0].stages[0].tasks, 8);
    assert_near(p->jobs[0].stages[0].compute_scale, 1.0, 1e-12);
    plan_done(p);
}

static void test_input_scale_one_is_the_log(void **state)
{
    (void)state;
    /* An invariant: x1 changes no count and no time, whatever the rules. */
    const char *stage = EIGHT_TASKS "logged_input_bytes = \"3g\"; fixed_s = 0.2;";
    struct plan *p = plan_stage("", stage, 1.0, 8);
    assert_int_equal(p->jobs[0].stages[0].tasks, 8);
    struct cluster cl = cluster_of(1, 8);
    for (int64_t i = 0; i < 8; i++)
        assert_true(task_time(p, &cl, i) == (i == 7 ? 2.0 : 1.0));
    plan_done(p);
}

static void test_query_tables_grow_with_input_scale(void **state)
{
    (void)state;
    /* A query's table of 1 GiB in 128 MiB files scans in 8 tasks on 8
     * cores; twice the input (2 GiB, 16 files) in 16. */
    const char *text = "name = \"q\";\n"
                       "cluster = { worker = \"Standard_D4s_v3\"; workers = 1; };\n"
                       "what_if = { input_scale = 2.0; };\n"
                       "tables = { t = { rows = 1000000L; size = \"1g\"; columns = ( { name = "
                       "\"a\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                       "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"t\"; }, "
                       "{ op = \"count\"; } ); } );\n";
    struct diag d;
    struct scenario *s = load_text(text, &d);
    if (!s)
        fail_msg("%s", d.msg);
    assert_int_equal(s->tables[0].rows, 2000000);
    assert_int_equal(s->tables[0].size_bytes, 2LL << 30);
    struct cluster cl = cluster_of(1, 8);
    struct plan *p = planner_plan(s, &cl, NULL, &d);
    if (!p)
        fail_msg("%s", d.msg);
    assert_int_equal(p->jobs[0].stages[0].tasks, 16);
    plan_free(p);
    scenario_free(s);
}

static void test_node_twice_as_fast_halves_compute_not_fixed_costs(void **state)
{
    (void)state;
    /* Measured on a node of ACU 100, run on one of ACU 200: a 1.0 s task
     * with 0.2 s fixed takes 0.2 + 0.8 / 2 = 0.6 s; a task shorter than
     * the fixed part (0.1 s) is all fixed and stays 0.1 s. */
    struct node_type slow, fast;
    memset(&slow, 0, sizeof slow);
    memset(&fast, 0, sizeof fast);
    slow.acu_min = slow.acu_max = 100.0;
    fast.acu_min = fast.acu_max = 200.0;
    struct cluster cl = cluster_of(1, 2);
    cl.worker = &fast;
    cl.task_seconds_node = &slow;
    assert_near(taskcost_node_speedup(&cl), 0.5, 1e-12);
    double times[2] = {1.0, 0.1};
    struct plan_stage st;
    memset(&st, 0, sizeof st);
    st.tasks = 2;
    st.has_task_seconds = true;
    st.task_seconds_list = times;
    st.fixed_s = 0.2;
    st.compute_scale = 1.0;
    struct stage_cost c;
    taskcost_stage_init(&c, &st, &cl, 0.0);
    float phase[PHASE_COUNT];
    assert_near(taskcost_task(&c, NULL, 0, phase), 0.6, 1e-12);
    assert_near(taskcost_task(&c, NULL, 1, phase), 0.1, 1e-12);
    /* The other way, twice the time of compute; on the node they were
     * measured on, as measured. */
    cl.worker = &slow;
    cl.task_seconds_node = &fast;
    taskcost_stage_init(&c, &st, &cl, 0.0);
    assert_near(taskcost_task(&c, NULL, 0, phase), 0.2 + 0.8 * 2.0, 1e-12);
    cl.task_seconds_node = &slow;
    taskcost_stage_init(&c, &st, &cl, 0.0);
    assert_true(taskcost_task(&c, NULL, 0, phase) == 1.0);
}

static void test_bad_what_if_values_are_refused_with_their_line(void **state)
{
    (void)state;
    static const char *const bad[] = {"0", "-1.5", "0.0", "\"two\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "name = \"w\";\ncluster = { worker = \"Standard_D4s_v3\"; workers = 1; };\n"
                 "what_if = {\n  input_scale = %s;\n};\n"
                 "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1; task_seconds = 1.0; "
                 "} ); } );\n",
                 bad[i]);
        struct diag d;
        struct scenario *s = load_text(text, &d);
        assert_null(s);
        assert_int_equal(d.status, SC_EINPUT);
        assert_int_equal(d.line, 4);
        if (!strstr(d.msg, "input_scale"))
            fail_msg("input_scale = %s: '%s'", bad[i], d.msg);
    }
    /* A key what_if does not have. */
    struct diag d;
    struct scenario *s = load_text("name = \"w\";\ncluster = { worker = \"Standard_D4s_v3\"; "
                                   "workers = 1; };\nwhat_if = { input_scal = 2.0; };\n"
                                   "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1; "
                                   "task_seconds = 1.0; } ); } );\n",
                                   &d);
    assert_null(s);
    assert_non_null(strstr(d.msg, "input_scale"));
}

static void test_cold_task_loses_its_warmup_before_scaling(void **state)
{
    (void)state;
    /* A logged 1.0 s task (0.2 s fixed) that held a 0.3 s warm-up: its
     * compute without it is 0.5 s; twice the records make that 1.0 s, so
     * 0.2 + 1.0 = 1.2 s before the runtime adds a warm-up back where its
     * executor is fresh. A warm-up larger than the compute takes the
     * compute only: a 0.25 s cold task keeps its 0.2 s fixed part. A task
     * not marked cold scales whole: 0.2 + 0.8 x 2 = 1.8 s. */
    double times[3] = {1.0, 0.25, 1.0};
    bool cold[3] = {true, true, false};
    struct plan_stage st;
    memset(&st, 0, sizeof st);
    st.tasks = 3;
    st.has_task_seconds = true;
    st.task_seconds_list = times;
    st.task_cold = cold;
    st.fixed_s = 0.2;
    st.compute_scale = 2.0;
    struct cluster cl = cluster_of(1, 2);
    struct stage_cost c;
    taskcost_stage_init(&c, &st, &cl, 0.0);
    c.warmup_s = 0.3;
    float phase[PHASE_COUNT];
    assert_near(taskcost_task(&c, NULL, 0, phase), 1.2, 1e-12);
    assert_near(taskcost_task(&c, NULL, 1, phase), 0.2, 1e-12);
    assert_near(taskcost_task(&c, NULL, 2, phase), 1.8, 1e-12);
}

static void test_node_io_scales_by_bandwidth_per_vcpu_not_speed(void **state)
{
    (void)state;
    /* Measured on 4 vCPUs of ACU 100 with 4,000 Mbit/s (1,000 per vCPU) and
     * a 400 MB/s SSD (100 per vCPU); run on 8 vCPUs of ACU 200 with 16,000
     * Mbit/s (2,000 per vCPU: fetches take half the time) and the same SSD
     * (50 per vCPU: writes take twice). A 1.0 s task of 0.1 s fixed, 0.2 s
     * fetch wait, 0.1 s shuffle write and 0.6 s compute: 0.1 + 0.2 x 0.5 +
     * 0.1 x 2 + 0.6 x 0.5 = 0.7 s. */
    struct node_type logged, worker;
    memset(&logged, 0, sizeof logged);
    memset(&worker, 0, sizeof worker);
    logged.vcpus = 4;
    logged.acu_min = logged.acu_max = 100.0;
    logged.network_mbps = 4000.0;
    logged.local_ssd_mbps = 400.0;
    worker.vcpus = 8;
    worker.acu_min = worker.acu_max = 200.0;
    worker.network_mbps = 16000.0;
    worker.local_ssd_mbps = 400.0;
    struct cluster cl = cluster_of(1, 8);
    cl.worker = &worker;
    cl.task_seconds_node = &logged;
    assert_near(taskcost_node_io_speedup(&cl, true), 0.5, 1e-12);
    assert_near(taskcost_node_io_speedup(&cl, false), 2.0, 1e-12);
    double times[1] = {1.0};
    struct plan_stage st;
    memset(&st, 0, sizeof st);
    st.tasks = 1;
    st.has_task_seconds = true;
    st.task_seconds_list = times;
    st.fixed_s = 0.1;
    st.fetch_wait_s = 0.2;
    st.shuffle_write_s = 0.1;
    st.compute_scale = 1.0;
    struct stage_cost c;
    taskcost_stage_init(&c, &st, &cl, 0.0);
    float phase[PHASE_COUNT];
    assert_near(taskcost_task(&c, NULL, 0, phase), 0.7, 1e-12);
    /* A node the catalog gives no bandwidth for moves no I/O time. */
    worker.network_mbps = 0.0;
    assert_near(taskcost_node_io_speedup(&cl, true), 1.0, 1e-12);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_of_1gib_at_128mib_runs_8_tasks_and_16_on_twice_the_input),
        cmocka_unit_test(test_scan_on_less_input_keeps_a_task_per_file),
        cmocka_unit_test(test_rdd_scan_splits_each_file_by_block),
        cmocka_unit_test(test_shuffle_stage_keeps_its_partitions_and_doubles_compute),
        cmocka_unit_test(test_aqe_coalesced_stage_grows_with_its_bytes),
        cmocka_unit_test(test_input_scale_one_is_the_log),
        cmocka_unit_test(test_query_tables_grow_with_input_scale),
        cmocka_unit_test(test_node_twice_as_fast_halves_compute_not_fixed_costs),
        cmocka_unit_test(test_bad_what_if_values_are_refused_with_their_line),
        cmocka_unit_test(test_cold_task_loses_its_warmup_before_scaling),
        cmocka_unit_test(test_node_io_scales_by_bandwidth_per_vcpu_not_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
