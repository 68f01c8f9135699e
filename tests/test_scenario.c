/*
 * test_scenario.c — the scenario reader (sim/input/scenario.c): good files load
 * with every field in place; every bad file in tests/scenarios/bad/ fails
 * with the right status at the right line.
 *
 * Fixtures are found under $SRCDIR (the absolute top source directory in
 * `make check`), "." by default.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <libconfig.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/input/scenario.h"

/* cmocka 1.1 compares only floats. */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}

static const char *fixture(const char *rel, char *buf, size_t size)
{
    const char *top = getenv("SRCDIR");
    snprintf(buf, size, "%s/tests/scenarios/%s", top && *top ? top : ".", rel);
    return buf;
}

static struct scenario *load_good(const char *rel)
{
    char path[1024];
    struct diag d;
    diag_clear(&d);
    struct scenario *s = scenario_load(fixture(rel, path, sizeof path), &d);
    if (s == NULL) {
        char msg[1200];
        fail_msg("%s did not load: %s", rel, diag_format(&d, msg, sizeof msg));
    }
    assert_int_equal(d.status, SC_OK);
    return s;
}

/* Loads path, expecting status at line with a message containing want. */
static void expect_error(const char *path, enum sc_status status, int line, const char *want)
{
    struct diag d;
    diag_clear(&d);
    struct scenario *s = scenario_load(path, &d);
    char msg[1200];
    diag_format(&d, msg, sizeof msg);
    if (s != NULL) {
        scenario_free(s);
        fail_msg("%s loaded, but should fail at line %d", path, line);
    }
    if (d.status != status || d.line != line)
        fail_msg("%s: expected %s at line %d, got %s: %s", path, sc_status_name(status), line,
                 sc_status_name(d.status), msg);
    assert_string_equal(d.file, path);
    if (want && strstr(d.msg, want) == NULL)
        fail_msg("%s: message \"%s\" does not contain \"%s\"", path, d.msg, want);
}

/* ------------------------------------------------------------ bad files */

/* One row per file in tests/scenarios/bad/; the line is read off the
 * fixture (its comment says what is wrong). */
struct bad_case {
    const char *file;
    enum sc_status status;
    int line;
    const char *want;
};

static const struct bad_case bad_cases[] = {
    /* line 8: where = "city = 'caf\xe9'" (Latin-1): exit 1 "out of memory
     * building the JSON report" before */
    {"expr-latin1.cfg", SC_EINPUT, 8, "is not valid UTF-8: byte 12 of the string is 0xE9"},
    /* Bounds where the model stops making sense (issue 15): 1e7 s, 2^60
     * bytes, 1e8 partitions; each names file:line, key, value and bound. */
    {"task-seconds-huge.cfg", SC_EINPUT, 5, "must be at most 1e+07 s (about 115 days), not 1e+308"},
    {"submit-huge.cfg", SC_EINPUT, 5, "'submit_s' in job 'j' must be at most 1e+07 s"},
    {"input-bytes-huge.cfg", SC_EINPUT, 5,
     "'input_bytes' in stage 0 of job 'j' must be at most "
     "1152921504606846976 (2^60, 1 EiB)"},
    {"rows-huge.cfg", SC_EINPUT, 4, "'rows' in table 't' must be at most 1152921504606846976"},
    {"partitions-huge.cfg", SC_EINPUT, 5, "spark.sql.shuffle.partitions must be at most 100000000"},
    /* line 6: end_s = 12.5; (the second executor joins at 30) */
    {"timeline-end-before-start.cfg", SC_EINPUT, 6,
     "cluster.executors item 2 leaves (end_s = 12.5) before it joins (start_s = 30)"},
    /* line 5: cores = -4; */
    {"timeline-negative-cores.cfg", SC_EINPUT, 5,
     "'cores' in cluster.executors item 1 must be at least 1"},
    /* line 5: workers = "four"; */
    {"wrong-type.cfg", SC_EINPUT, 5, "'workers' in cluster must be an integer, not a string"},
    /* no worker: the line of the enclosing cluster group, 3 */
    {"missing-key.cfg", SC_EINPUT, 3, "missing the required key 'worker'"},
    /* line 9: tasks = -3; */
    {"negative-count.cfg", SC_EINPUT, 9, "'tasks' in stage 1 of job 'j' must be at least 1"},
    {"sample-fraction.cfg", SC_EINPUT, 7,
     "'fraction' in step 2 (sample) of job 'j' must be at most 1"},
    /* line 5: path = "ftp://example.com/t"; */
    {"table-path.cfg", SC_EINPUT, 5,
     "table 't': the path 'ftp://example.com/t' names a file system this model does not know"},
    /* line 4: latency_s = -0.01; request_bytes = 0; files = 0 */
    {"storage-latency.cfg", SC_EINPUT, 4, "'latency_s' in cluster.storage must not be negative"},
    {"storage-request.cfg", SC_EINPUT, 4,
     "'request_bytes' in cluster.storage must be at least 1 byte"},
    {"table-files.cfg", SC_EINPUT, 4, "'files' in table 't' must be"},
    {"table-row-group.cfg", SC_EINPUT, 5, "'row_group' in table 't' must be at least 1 byte"},
    {"date-min.cfg", SC_EINPUT, 5, "must be a date YYYY-MM-DD or a day number, not \"2024-13-01\""},
    {"timestamp-min.cfg", SC_EINPUT, 5,
     "'min' in column 'ts' of table 't' must be a timestamp \"YYYY-MM-DD HH:MM:SS\" (UTC; a date "
     "alone is its midnight) or microseconds since 1970-01-01, not \"2024-01-01 25:00:00\""},
    {"column-type.cfg", SC_EINPUT, 5,
     "'type' in column 'ts' of table 't' must be one of int32, int64, double, string, date, "
     "boolean, timestamp, not \"datetime\""},
    /* DFS from stage 0, then 1 (parent 2), then 2 (parent 1, on the path):
     * stage 2's parents, line 11, close the cycle */
    {"cycle.cfg", SC_EINPUT, 11, "stages 1 -> 2 -> 1 form a cycle in their parents"},
    /* line 5: wokers = 8; */
    {"unknown-key.cfg", SC_EINPUT, 5, "unknown key 'wokers' in cluster; did you mean 'workers'?"},
    /* line 7: partitions = "lots"; */
    {"bad-spark-type.cfg", SC_EINPUT, 7, "spark.sql.shuffle.partitions must be an integer"},
    /* the join step's group opens on line 9 */
    {"bad-query.cfg", SC_EINPUT, 9, "step 2 (join) of job 'q' is missing the required key 'right'"},
    /* line 9: parents = [0, 5]; */
    {"bad-parent.cfg", SC_EINPUT, 9, "has parent 5, but the job has no stage 5"},
    /* line 4: seed = ; */
    {"syntax.cfg", SC_EINPUT, 4, "syntax error"},
    /* line 6: tasks = 2.5; */
    {"float-tasks.cfg", SC_EINPUT, 6, "must be an integer, not a number (2.5)"},
    {"task-locality.cfg", SC_EINPUT, 9, "'task_locality' in stage 0 of job 'j': item 2 must be"},
    {"lost-attempt.cfg", SC_EINPUT, 10, "lost_attempts item 2 of stage 0 of job 'j'"},
    {"failed-and-lost.cfg", SC_EINPUT, 10, "task 1 of stage 0 of job 'j' is in both"},
    /* line 7: parents = "0"; */
    {"parents-string.cfg", SC_EINPUT, 7, "must be an array of stage ids"},
    /* a joins b (line 6), b unions a (line 9): the DFS closes it at line 9 */
    {"view-cycle.cfg", SC_EINPUT, 9, "views a -> b -> a form a cycle"},
    /* line 4: rows = 10000000000; */
    {"big-int.cfg", SC_EINPUT, 4, "write it as 10000000000L"},
    /* line 7: median = -2.0 */
    {"bad-dist.cfg", SC_EINPUT, 7, "'median'"},
    /* the zipf column's group, line 7 */
    {"zipf-no-distinct.cfg", SC_EINPUT, 7, "missing the required key 'distinct'"},
    /* the second stage 0, line 7 */
    {"dup-stage.cfg", SC_EINPUT, 7, "two stages with id 0 (the first at line 5)"},
    /* stage 1, line 6 */
    {"no-data-stage.cfg", SC_EINPUT, 6, "gives neither 'task_seconds' nor any data"},
    /* the count step, line 7 */
    {"action-not-last.cfg", SC_EINPUT, 7, "must be the last step"},
    /* the scan step, line 6 */
    {"unknown-table.cfg", SC_EINPUT, 6, "did you mean 'employees'?"},
    /* line 4: cpus = 0 */
    {"task-cpus.cfg", SC_EINPUT, 4, "spark.task.cpus must be at least 1"},
    /* line 4: jobs = ( ); */
    {"no-jobs.cfg", SC_EINPUT, 4, "at least one job"},
    /* line 7: weights = [1.0, 2.0]; */
    {"bad-weights.cfg", SC_EINPUT, 7, "has 2 numbers but 'values' has 3"},
    /* line 8: how = "outer_left"; */
    {"bad-join-how.cfg", SC_EINPUT, 8, "must be one of inner, left"},
    /* line 5: jars = [ ... ]; */
    {"spark-list.cfg", SC_EINPUT, 5, "'spark.jars' must be a single value"},
    /* line 4: job = ( ... ); */
    {"unknown-top.cfg", SC_EINPUT, 4, "unknown key 'job' in the scenario; did you mean 'jobs'?"},
    /* line 4: tasks = 200000000 is over SCN_MAX_TASKS_PER_STAGE */
    {"too-many-tasks.cfg", SC_ELIMIT, 4, "more than the 100000000 stagecast accepts"},
    /* line 5: gc_share = 1.0; (at most 0.95) */
    {"jvm-gc-share.cfg", SC_EINPUT, 5, "'gc_share' in model.jvm must be at most 0.95, not 1"},
    /* line 5: jvm = { first_task_s = 1.0; }; */
    {"jvm-unknown-key.cfg", SC_EINPUT, 5, "unknown key 'first_task_s' in model.jvm"},
    /* line 5: max = 2; */
    {"autoscale-range.cfg", SC_EINPUT, 5, "must not be less than 'min' (8)"},
    /* line 5: spark = { sql.shuffle.partitions = 2000; }; (libconfig: "syntax error") */
    {"dotted-key.cfg", SC_EINPUT, 5,
     "a setting's name cannot hold dots ('sql.shuffle.partitions'): write spark = { sql = { "
     "shuffle = { partitions = 2000; }; }; }"},
    /* line 6: partition = 2000; (spark.sql.shuffle.partitions is 1 edit away) */
    {"spark-key-typo.cfg", SC_EINPUT, 6,
     "unknown Spark setting 'spark.sql.shuffle.partition'; did you mean "
     "'spark.sql.shuffle.partitions'?"},
    /* line 6: partition = 2000; directly under spark: spark.partition is 14
     * edits from spark.sql.shuffle.partitions, but "partition" is 1 from
     * its last name "partitions" */
    {"spark-key-short.cfg", SC_EINPUT, 6,
     "unknown Spark setting 'spark.partition'; did you mean 'spark.sql.shuffle.partitions'?"},
    /* line 5: task_seconds = [1.0, 2.0] for 3 tasks */
    {"task-list-length.cfg", SC_EINPUT, 5, "lists 2 times but the stage has 3 tasks"},
};

#define N_BAD (sizeof bad_cases / sizeof bad_cases[0])

static void test_every_bad_fixture_fails_at_its_line(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_BAD; i++) {
        char rel[128], path[1024];
        snprintf(rel, sizeof rel, "bad/%s", bad_cases[i].file);
        expect_error(fixture(rel, path, sizeof path), bad_cases[i].status, bad_cases[i].line,
                     bad_cases[i].want);
    }
}

/* A fixture added to bad/ without a row above would go untested. */
/* A scenario of n one-stage jobs named j0, j1, ...; every job after the
 * first follows the one before it ("after"), and with dup_at > 0 job dup_at
 * reuses job 0's name. The caller frees the text. */
static char *many_jobs(size_t n, size_t dup_at)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fputs("name = \"many\";\ncluster = { worker = \"Standard_DS3_v2\"; workers = 2; };\n"
          "jobs = (\n",
          f);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%s{ name = \"j%zu\";", i ? ",\n" : "", i == dup_at && i > 0 ? (size_t)0 : i);
        if (i > 0)
            fprintf(f, " after = \"j%zu\";", i - 1);
        fputs(" stages = ( { id = 0; tasks = 1; task_seconds = 1.0; } ); }", f);
    }
    fputs("\n);\n", f);
    fclose(f);
    return text;
}

static struct scenario *load_config_text(const char *text, struct diag *d)
{
    config_t cfg;
    config_init(&cfg);
    assert_int_equal(config_read_string(&cfg, text), CONFIG_TRUE);
    struct scenario *s = scenario_from_config(&cfg, "many.cfg", d);
    config_destroy(&cfg);
    return s;
}

static void test_many_jobs_load_with_names_hashed(void **state)
{
    (void)state;
    /* 20,000 jobs: the duplicate-name check and the 'after' lookup scanned the
     * earlier jobs (quadratic: 40,000 jobs took 12.6 s); now a hash. Checked
     * for correctness here (4.2 s before, 0.4 s now for the whole test binary). */
    const size_t n = 20000;
    char *text = many_jobs(n, 0);
    struct diag d;
    diag_clear(&d);
    struct scenario *s = load_config_text(text, &d);
    if (!s)
        fail_msg("%s", d.msg);
    assert_int_equal(s->n_jobs, n);
    assert_true(s->jobs[0].after_index < 0);
    for (size_t i = 1; i < n; i++)
        assert_true(s->jobs[i].after_index == (int64_t)(i - 1));
    scenario_free(s);
    free(text);

    /* Job 12,345 named j0 again: found, with the line of the first
     * (line 4: the first job; job k is on line 4 + k). */
    text = many_jobs(n, 12345);
    diag_clear(&d);
    assert_null(load_config_text(text, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 4 + 12345);
    assert_non_null(strstr(d.msg, "two jobs are named 'j0' (the first at line 4)"));
    free(text);
}

static void test_every_bad_fixture_is_listed(void **state)
{
    (void)state;
    char dir[1024];
    DIR *dp = opendir(fixture("bad", dir, sizeof dir));
    assert_non_null(dp);
    size_t seen = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 4, ".cfg") != 0)
            continue;
        /* These load here: the CLI refuses them later, with the node
         * catalog (node size, executor layout, task cpus) or because the
         * query planner refuses a query (an unknown column); test_cli.c
         * checks them. */
        static const char *const later[] = {"unknown-node.cfg",       "executor-too-big.cfg",
                                            "task-cpus-too-many.cfg", "plan-unknown-column.cfg",
                                            "expr-syntax.cfg",        "expr-unknown-column.cfg",
                                            "timestamp-literal.cfg"};
        bool refused_later = false;
        for (size_t k = 0; k < sizeof later / sizeof later[0]; k++)
            refused_later |= strcmp(e->d_name, later[k]) == 0;
        if (refused_later)
            continue;
        bool listed = false;
        for (size_t i = 0; i < N_BAD && !listed; i++)
            listed = strcmp(bad_cases[i].file, e->d_name) == 0;
        if (!listed) {
            closedir(dp);
            fail_msg("tests/scenarios/bad/%s has no expected line in test_scenario.c", e->d_name);
        }
        seen++;
    }
    closedir(dp);
    assert_int_equal(seen, N_BAD);
}

static void test_task_seconds_list_is_kept_per_task(void **state)
{
    (void)state;
    char path[1024];
    struct diag d;
    diag_clear(&d);
    struct scenario *s = scenario_load(fixture("good/task-list.cfg", path, sizeof path), &d);
    assert_non_null(s);
    const struct stage_spec *st = &s->jobs[0].stages[0];
    assert_true(st->has_task_seconds);
    assert_non_null(st->task_seconds_list);
    for (int i = 0; i < 5; i++)
        assert_true(st->task_seconds_list[i] == (double)(i + 1));
    scenario_free(s);
}

static void test_missing_file_is_enoent(void **state)
{
    (void)state;
    const char *path = "/nonexistent/stagecast/scenario.cfg";
    struct diag d;
    diag_clear(&d);
    assert_null(scenario_load(path, &d));
    assert_int_equal(d.status, SC_ENOENT);
    assert_string_equal(d.file, path);
    assert_int_equal(d.line, 0);
    assert_string_equal(d.msg, "cannot open scenario: No such file or directory");
}

static void test_unknown_node_loads_with_its_line(void **state)
{
    (void)state;
    struct scenario *s = load_good("bad/unknown-node.cfg");
    assert_string_equal(s->cluster.worker, "Standard_DS3_v9");
    assert_string_equal(s->cluster.driver, "Standard_DS3_v9");
    /* worker = "Standard_DS3_v9"; is line 6; the driver defaults to it */
    assert_int_equal(s->cluster.worker_line, 6);
    assert_int_equal(s->cluster.driver_line, 6);
    scenario_free(s);
}

/* ----------------------------------------------------------- good files */

static void test_full_scenario_cluster(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/full.cfg");
    const struct cluster_spec *c = &s->cluster;
    assert_string_equal(s->name, "dept-stats");
    assert_int_equal(s->seed, 42);
    assert_true(strstr(s->file, "good/full.cfg") != NULL);
    assert_int_equal(c->platform, PLATFORM_DATABRICKS);
    assert_int_equal(c->pricing, PRICING_ALL_PURPOSE);
    assert_int_equal(c->tier, TIER_STANDARD);
    assert_string_equal(c->driver, "Standard_DS4_v2");
    assert_string_equal(c->worker, "Standard_DS3_v2");
    assert_int_equal(c->workers, 4);
    assert_int_equal(c->executors_per_worker, 1);
    assert_int_equal(c->executor_cores, 4);
    assert_near(c->startup_s, 240.0, 0.0);
    assert_near(c->price.worker_usd_per_hour, 0.293, 0.0);
    assert_near(c->price.usd_per_dbu, 0.55, 0.0);
    assert_true(isnan(c->price.driver_usd_per_hour));
    assert_true(isnan(c->price.usd_per_vcore_hour));
    assert_int_equal(c->line, 4);
    assert_int_equal(c->driver_line, 8);
    assert_int_equal(c->worker_line, 9);
    assert_int_equal(c->workers_line, 10);
    assert_int_equal(c->executor_line, 12); /* executor_cores */
    /* model = { task_launch_ms = 2.5; } */
    assert_near(s->model.task_launch_s, 0.0025, 1e-15);
    assert_int_equal(s->model.line, 25);
    scenario_free(s);
}

static void test_full_scenario_spark_settings(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/full.cfg");
    const struct spark_conf *c = &s->spark;
    assert_int_equal(spark_conf_int(c, "spark.sql.shuffle.partitions"), 64);
    assert_false(spark_conf_bool(c, "spark.sql.adaptive.enabled"));
    assert_int_equal(spark_conf_bytes(c, "spark.sql.adaptive.advisoryPartitionSizeInBytes"),
                     33554432);
    assert_string_equal(spark_conf_string(c, "spark.scheduler.mode"), "FAIR");
    assert_near(spark_conf_seconds(c, "spark.locality.wait"), 0.5, 1e-12);
    /* speculation = { enabled = true; ... } is spark.speculation itself */
    assert_true(spark_conf_bool(c, "spark.speculation"));
    assert_null(spark_conf_get(c, "spark.speculation.enabled"));
    assert_near(spark_conf_double(c, "spark.speculation.multiplier"), 2.5, 0.0);
    /* 0.7 prints back as "0.7", not 0.69999999999999996 */
    assert_string_equal(spark_conf_get(c, "spark.memory.fraction")->s, "0.7");
    const struct spark_setting *u =
        spark_conf_get(c, "spark.databricks.delta.optimizeWrite.enabled");
    assert_non_null(u);
    assert_false(u->known);
    assert_int_equal(u->line, 23);
    assert_int_equal(spark_conf_get(c, "spark.sql.shuffle.partitions")->line, 17);
    /* untouched keys keep Spark's defaults */
    assert_int_equal(spark_conf_bytes(c, "spark.sql.autoBroadcastJoinThreshold"), 10485760);
    scenario_free(s);
}

static void test_full_scenario_tables(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/full.cfg");
    assert_int_equal(s->n_tables, 2);
    const struct table_spec *t = scenario_table(s, "employees");
    assert_non_null(t);
    assert_int_equal(t->rows, 10000000);
    /* "1.2g" = 1.2 * 2^30 = 1288490188.8, rounded */
    assert_int_equal(t->size_bytes, 1288490189LL);
    assert_string_equal(t->format, "parquet");
    assert_int_equal(t->n_columns, 6);
    assert_int_equal(t->line, 27);

    const struct column_spec *col = &t->columns[1];
    assert_string_equal(col->name, "dept_code");
    assert_int_equal(col->type, COL_STRING);
    assert_int_equal(col->dist, CDIST_ZIPF);
    assert_int_equal(col->distinct, 5);
    assert_near(col->exponent, 1.1, 0.0);
    assert_int_equal(col->line, 31);
    col = &t->columns[2];
    assert_int_equal(col->dist, CDIST_UNIFORM);
    assert_near(col->min, 40000, 0.0);
    assert_near(col->max, 120000, 0.0);
    col = &t->columns[3];
    assert_int_equal(col->dist, CDIST_NORMAL);
    assert_near(col->mean, 5000.0, 0.0);
    assert_near(col->stddev, 1500.0, 0.0);
    assert_near(col->null_fraction, 0.25, 0.0);
    col = &t->columns[4];
    assert_int_equal(col->dist, CDIST_LOGNORMAL);
    assert_near(col->mu, 3.0, 0.0);
    assert_near(col->sigma, 0.5, 0.0);
    col = &t->columns[5];
    assert_int_equal(col->dist, CDIST_CATEGORICAL);
    assert_int_equal(col->values.n, 2);
    assert_string_equal(col->values.v[1], "High");
    assert_near(col->weights[0], 3.0, 0.0);
    assert_near(col->weights[1], 1.0, 0.0);

    t = scenario_table(s, "departments");
    assert_int_equal(t->rows, 5);
    assert_int_equal(t->size_bytes, -1);
    assert_string_equal(t->format, "delta");
    assert_null(scenario_table(s, "nope"));
    scenario_free(s);
}

static void test_full_scenario_views_and_query(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/full.cfg");
    assert_int_equal(s->n_views, 2);
    const struct view_spec *v = scenario_view(s, "rich");
    assert_non_null(v);
    assert_int_equal(v->n_steps, 3);
    assert_int_equal(v->steps[2].op, OP_UNION);
    assert_string_equal(v->steps[2].table, "poor"); /* defined later in the file */
    assert_null(scenario_view(s, "employees"));

    const struct job_spec *j = &s->jobs[0];
    assert_string_equal(j->name, "dept-stats");
    assert_string_equal(j->pool, "interactive");
    assert_null(j->stages);
    assert_int_equal(j->n_query, 7);
    assert_true(isnan(j->submit_s));
    assert_false(j->concurrent);
    const struct query_step *q = j->query;
    assert_int_equal(q[0].op, OP_SCAN);
    assert_string_equal(q[0].table, "employees");
    assert_int_equal(q[1].op, OP_FILTER);
    assert_string_equal(q[1].where, "salary > 50000");
    assert_string_equal(q[2].name, "band");
    assert_int_equal(q[3].op, OP_GROUP_BY);
    assert_int_equal(q[3].keys.n, 2);
    assert_string_equal(q[3].aggs.v[1], "avg(salary) AS avg_salary");
    assert_int_equal(q[4].op, OP_JOIN);
    assert_string_equal(q[4].right, "departments");
    assert_string_equal(q[4].how, "inner"); /* the default */
    assert_string_equal(q[4].on.v[0], "dept_code");
    assert_int_equal(q[4].n, -1);
    assert_int_equal(q[6].op, OP_COLLECT);
    assert_int_equal(q[0].line, 53);

    q = s->jobs[2].query;
    assert_int_equal(q[1].op, OP_WINDOW);
    assert_string_equal(q[1].funcs.v[0], "row_number() AS rn");
    assert_string_equal(q[2].how, "cross");
    assert_int_equal(q[2].on.n, 0);
    assert_int_equal(q[3].op, OP_DISTINCT);
    assert_int_equal(q[3].keys.n, 0);
    assert_int_equal(q[4].n, 16);
    assert_string_equal(q[4].partition_by.v[0], "dept_code");
    assert_int_equal(q[5].n, 4);
    assert_int_equal(q[6].op, OP_SAMPLE);
    assert_true(q[6].fraction == 0.5);
    assert_int_equal(q[6].seed, 9);
    assert_int_equal(q[7].op, OP_CACHE);
    assert_int_equal(q[9].n, 0);
    assert_int_equal(q[10].op, OP_WRITE);
    assert_string_equal(q[10].format, "delta");
    assert_string_equal(op_kind_name(OP_WITH_COLUMN), "with_column");
    scenario_free(s);
}

static void test_full_scenario_stages(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/full.cfg");
    const struct job_spec *j = &s->jobs[1];
    assert_string_equal(j->name, "explicit");
    assert_near(j->submit_s, 30.0, 0.0);
    assert_true(j->concurrent);
    assert_null(j->pool);
    assert_int_equal(j->n_stages, 3);
    const struct stage_spec *st = j->stages;
    assert_int_equal(st[0].tasks, 200);
    assert_true(st[0].has_task_seconds);
    assert_int_equal(st[0].task_seconds.kind, DIST_LOGNORMAL);
    /* median 2.0 -> mu = log(2) */
    assert_near(st[0].task_seconds.p1, log(2.0), 1e-15);
    assert_near(st[0].task_seconds.p2, 0.3, 0.0);
    assert_null(st[0].name);
    assert_int_equal(st[0].n_parents, 0);
    assert_int_equal(st[0].input_bytes, -1);
    assert_string_equal(st[1].name, "agg");
    assert_int_equal(st[1].n_parents, 1);
    assert_int_equal(st[1].parents[0], 0);
    /* "4g" = 4 * 2^30 */
    assert_int_equal(st[1].shuffle_read_bytes, 4294967296LL);
    assert_int_equal(st[1].shuffle_write_bytes, -1);
    assert_string_equal(st[1].kernel, "hash_aggregate");
    assert_false(st[1].has_task_seconds);
    /* parents as a list ( ) rather than an array [ ] */
    assert_int_equal(st[2].n_parents, 2);
    assert_int_equal(st[2].parents[1], 1);
    assert_int_equal(st[2].task_seconds.kind, DIST_FIXED);
    assert_near(st[2].task_seconds.p1, 0.5, 0.0);
    assert_int_equal(st[1].line, 64);
    assert_int_equal(st[1].parents_line, 64);
    scenario_free(s);
}

static void test_full_scenario_pools(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/full.cfg");
    assert_int_equal(s->n_pools, 2);
    assert_string_equal(s->pools[0].name, "interactive");
    assert_int_equal(s->pools[0].mode, SCHED_FAIR); /* "fair": any case, as in Spark */
    assert_int_equal(s->pools[0].weight, 2);
    assert_int_equal(s->pools[0].min_share, 4);
    assert_int_equal(s->pools[1].mode, SCHED_FIFO);
    assert_int_equal(s->pools[1].weight, 1);
    assert_int_equal(s->pools[1].min_share, 0);
    assert_string_equal(sched_mode_name(SCHED_FAIR), "FAIR");
    scenario_free(s);
}

static void test_autoscale_without_workers_starts_at_min(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/autoscale.cfg");
    assert_int_equal(s->cluster.workers, 2);
    assert_int_equal(s->cluster.workers_line, 5); /* the autoscale group */
    assert_int_equal(s->seed, 1);                 /* default */
    assert_int_equal(s->cluster.platform, PLATFORM_DATABRICKS);
    assert_int_equal(s->cluster.pricing, PRICING_JOBS);
    assert_int_equal(s->cluster.tier, TIER_PREMIUM);
    assert_int_equal(s->cluster.executors_per_worker, 0);
    assert_true(isnan(s->cluster.startup_s));
    assert_true(isnan(s->model.task_launch_s));
    assert_string_equal(s->cluster.driver, "Standard_D4ds_v5");
    assert_int_equal(s->jobs[0].stages[0].id, 7);
    assert_int_equal(s->jobs[0].stages[0].input_bytes, 1073741824);
    assert_int_equal(s->jobs[0].stages[0].records, 5000000);
    assert_false(s->jobs[0].stages[0].has_task_seconds);
    assert_int_equal(s->n_tables, 0);
    assert_int_equal(s->spark.n, 0);
    scenario_free(s);
}

static void test_load_without_diag_does_not_crash(void **state)
{
    (void)state;
    char path[1024];
    assert_null(scenario_load(fixture("bad/cycle.cfg", path, sizeof path), NULL));
    assert_null(scenario_load("/nonexistent.cfg", NULL));
}

/* ------------------------------------------------- inline small scenarios */

/* Writes text to a temporary .cfg file and loads it with n --set
 * overrides; the file is removed. Returns the scenario or NULL with *d
 * filled. */
static struct scenario *load_text_with(const char *text, const char *const *sets, size_t n,
                                       struct diag *d, char *path, size_t size)
{
    snprintf(path, size, "/tmp/test_scenario_XXXXXX.cfg");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    diag_clear(d);
    struct scenario *s = n ? scenario_load_with(path, sets, n, d) : scenario_load(path, d);
    unlink(path);
    return s;
}

static struct scenario *load_text(const char *text, struct diag *d, char *path, size_t size)
{
    return load_text_with(text, NULL, 0, d, path, size);
}

#define HEAD "name = \"t\";\ncluster = { worker = \"Standard_DS3_v2\"; workers = 2; };\n"
#define STAGE_JOB                                                                                  \
    "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1; task_seconds = 1.0; } ); } );\n"

static void expect_text_error(const char *text, int line, const char *want)
{
    struct diag d;
    char path[64];
    struct scenario *s = load_text(text, &d, path, sizeof path);
    if (s) {
        scenario_free(s);
        fail_msg("scenario loaded, but should fail with \"%s\"", want);
    }
    char msg[1200];
    if (d.status != SC_EINPUT || d.line != line || strstr(d.msg, want) == NULL)
        fail_msg("expected line %d \"%s\", got %s", line, want, diag_format(&d, msg, sizeof msg));
    assert_string_equal(d.file, path);
}

static void test_missing_top_level_key_has_no_line(void **state)
{
    (void)state;
    expect_text_error("cluster = { worker = \"a\"; workers = 1; };\n" STAGE_JOB, 0,
                      "the scenario is missing the required key 'name'");
}

static void test_int64_rows_with_l_suffix_load(void **state)
{
    (void)state;
    /* Long literals in strings and comments are not integers. */
    const char *text = HEAD "# rows = 10000000000;\n"
                            "tables = { t = { rows = 10000000000L; size = \"20000000000\"; }; };\n"
                            "jobs = ( { name = \"q 30000000000\"; query = ( { op = \"scan\"; "
                            "table = \"t\"; } ); } );\n";
    struct diag d;
    char path[64];
    struct scenario *s = load_text(text, &d, path, sizeof path);
    assert_non_null(s);
    assert_int_equal(s->tables[0].rows, 10000000000LL);
    assert_int_equal(s->tables[0].size_bytes, 20000000000LL);
    scenario_free(s);
}

static void test_model_jvm_keys_load_in_seconds(void **state)
{
    (void)state;
    const char *text = HEAD "model = { jvm = { task_fixed_ms = 12.5; gc_share = 0.25;\n"
                            "  first_task_ms = 800; first_query_factor = 3;\n"
                            "  query_driver_ms = 90; broadcast_driver_ms = 400; }; };\n" STAGE_JOB;
    struct diag d;
    char path[64];
    struct scenario *s = load_text(text, &d, path, sizeof path);
    assert_non_null(s);
    assert_float_equal(s->model.jvm.task_fixed_s, 0.0125, 1e-15);
    assert_float_equal(s->model.jvm.gc_share, 0.25, 0.0);
    assert_float_equal(s->model.jvm.first_task_s, 0.8, 1e-15);
    assert_float_equal(s->model.jvm.first_query_factor, 3.0, 0.0);
    assert_float_equal(s->model.jvm.query_driver_s, 0.09, 1e-15);
    assert_float_equal(s->model.jvm.broadcast_driver_s, 0.4, 1e-15);
    scenario_free(s);
    /* Keys not given stay unset (NaN: the runtime takes the defaults). */
    s = load_text(HEAD "model = { jvm = { gc_share = 0.0; }; };\n" STAGE_JOB, &d, path,
                  sizeof path);
    assert_non_null(s);
    assert_float_equal(s->model.jvm.gc_share, 0.0, 0.0);
    assert_true(isnan(s->model.jvm.task_fixed_s));
    assert_true(isnan(s->model.jvm.first_query_factor));
    scenario_free(s);
    /* A factor must be > 0, times >= 0: each names its line. */
    expect_text_error(HEAD "model = { jvm = {\n first_query_factor = 0; }; };\n" STAGE_JOB, 4,
                      "'first_query_factor' in model.jvm must be greater than 0");
    expect_text_error(HEAD "model = { jvm = { task_fixed_ms = -1; }; };\n" STAGE_JOB, 3,
                      "'task_fixed_ms' in model.jvm");
    expect_text_error(HEAD "model = { jvm = 3; };\n" STAGE_JOB, 3, "jvm");
}

static void test_job_needs_exactly_one_of_stages_and_query(void **state)
{
    (void)state;
    expect_text_error(HEAD "jobs = ( { name = \"j\"; } );\n", 3,
                      "needs either 'stages' or 'query'");
    expect_text_error(HEAD "tables = { t = { rows = 1L; }; };\n"
                           "jobs = ( { name = \"j\";\n"
                           "  stages = ( { id = 0; tasks = 1; task_seconds = 1.0; } );\n"
                           "  query = ( { op = \"scan\"; table = \"t\"; } ); } );\n",
                      6, "gives both 'stages' and 'query'");
}

static void test_duplicate_names_are_refused(void **state)
{
    (void)state;
    expect_text_error(HEAD "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1; "
                           "task_seconds = 1.0; } ); },\n"
                           "        { name = \"j\"; stages = ( { id = 0; tasks = 1; "
                           "task_seconds = 1.0; } ); } );\n",
                      4, "two jobs are named 'j' (the first at line 3)");
    expect_text_error(HEAD STAGE_JOB "pools = ( { name = \"p\"; },\n { name = \"p\"; } );\n", 5,
                      "two pools are named 'p'");
    expect_text_error(HEAD
                      "tables = { t = { rows = 1L; columns = ( { name = \"a\"; type = "
                      "\"int32\"; },\n { name = \"a\"; type = \"int64\"; } ); }; };\n" STAGE_JOB,
                      4, "two columns named 'a'");
}

static void test_query_rules(void **state)
{
    (void)state;
    const char *t = HEAD "tables = { t = { rows = 1L; }; };\n";
    char text[1024];
    snprintf(text, sizeof text,
             "%sjobs = ( { name = \"q\"; query = (\n"
             "{ op = \"filter\"; where = \"a\"; } ); } );\n",
             t);
    expect_text_error(text, 5, "must start with a scan, not a filter");
    snprintf(text, sizeof text,
             "%sjobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
             "{ op = \"jion\"; right = \"t\"; } ); } );\n",
             t);
    expect_text_error(text, 5, "not \"jion\" (did you mean \"join\"?)");
    snprintf(text, sizeof text,
             "%sjobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
             "{ op = \"join\"; right = \"t\"; how = \"cross\"; on = [\"k\"]; } ); } );\n",
             t);
    expect_text_error(text, 5, "a cross join takes no 'on' keys");
    snprintf(text, sizeof text,
             "%sjobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
             "{ op = \"filter\"; where = \"a\"; n = 3; } ); } );\n",
             t);
    expect_text_error(text, 5, "unknown key 'n' in step 2 (filter) of job 'q'");
    snprintf(text, sizeof text,
             "%sjobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
             "{ op = \"repartition\"; } ); } );\n",
             t);
    expect_text_error(text, 5, "needs 'n', 'partition_by' or both");
    snprintf(text, sizeof text,
             "%sviews = { v = ( { op = \"scan\"; table = \"t\"; },\n"
             "{ op = \"count\"; } ); };\n" STAGE_JOB,
             t);
    expect_text_error(text, 5, "actions belong in jobs");
    snprintf(text, sizeof text,
             "%sviews = { v = ( { op = \"scan\"; table = \"t\"; },\n"
             "{ op = \"join\"; right = \"v\"; on = [\"k\"]; } ); };\n" STAGE_JOB,
             t);
    expect_text_error(text, 5, "view 'v' refers to itself");
}

static void test_task_seconds_rules(void **state)
{
    (void)state;
    expect_text_error(HEAD "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1;\n"
                           " task_seconds = { dist = \"lognormal\"; median = 2.0; mu = 0.5; "
                           "sigma = 0.1; }; } ); } );\n",
                      4, "gives both 'median' and 'mu'");
    expect_text_error(HEAD
                      "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1;\n"
                      " task_seconds = { dist = \"uniform\"; min = 3.0; max = 1.0; }; } ); } );\n",
                      4, "max must not be less than min");
    expect_text_error(
        HEAD "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1;\n"
             " task_seconds = { dist = \"normal\"; mean = 3.0; sigma = 1.0; }; } ); } );\n",
        4, "unknown key 'sigma' in task_seconds of stage 0 of job 'j' (dist \"normal\")");
    expect_text_error(HEAD "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1;\n"
                           " task_seconds = -1.0; } ); } );\n",
                      4, "'task_seconds' in stage 0 of job 'j' must not be negative");
}

static void test_self_parent_is_refused(void **state)
{
    (void)state;
    expect_text_error(HEAD "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1;\n"
                           " task_seconds = 1.0; parents = [0]; } ); } );\n",
                      4, "stage 0 of job 'j' lists itself as its own parent");
}

static void test_long_cycle_is_shortened(void **state)
{
    (void)state;
    /* 20 stages, each the parent of the previous one, and stage 19 the
     * parent of stage 0: a cycle through all of them. */
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, HEAD "jobs = ( { name = \"j\"; stages = (\n");
    for (int i = 0; i < 20; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{ id = %d; tasks = 1; task_seconds = 1.0; parents = [%d]; }%s\n",
                                 i, (i + 1) % 20, i < 19 ? "," : "");
    snprintf(text + used, sizeof text - used, "); } );\n");
    /* DFS from stage 0 walks to 19, whose parent 0 is on the path: line 4 + 19 */
    expect_text_error(text, 23,
                      "stages 0 -> 1 -> 2 -> 3 -> 4 -> 5 -> 6 -> 7 -> 8 -> 9 -> ... -> 19 -> 0");
}

static void test_unknown_spark_key_is_not_an_error(void **state)
{
    (void)state;
    struct diag d;
    char path[64];
    struct scenario *s = load_text(HEAD "spark = { sql = { shuffle = { partitions = 8; }; };\n"
                                        "  eventLog = { enabled = false; }; };\n" STAGE_JOB,
                                   &d, path, sizeof path);
    assert_non_null(s);
    const struct spark_setting *e = spark_conf_get(&s->spark, "spark.eventLog.enabled");
    assert_non_null(e);
    assert_false(e->known);
    assert_int_equal(e->line, 4);
    scenario_free(s);
}

/* Loads text with --set overrides and expects an error with no line (the
 * mistake is on the command line, not at the file's nearest line) whose
 * message holds want. */
static void expect_set_error(const char *text, const char *const *sets, size_t n, const char *want)
{
    char path[64];
    struct diag d;
    struct scenario *s = load_text_with(text, sets, n, &d, path, sizeof path);
    if (s) {
        scenario_free(s);
        fail_msg("loaded; expected '%s'", want);
    }
    assert_int_equal(d.line, 0);
    if (!strstr(d.msg, want))
        fail_msg("message '%s' lacks '%s'", d.msg, want);
}

/* A --set's mistakes are the command line's: workers = 16 by --set on a
 * range 2-8 (line 2 holds the cluster group, not the 16), and a Spark key
 * one edit off a known one given by --set. */
static void test_set_mistakes_name_the_set_not_a_line(void **state)
{
    (void)state;
    const char *workers[] = {"cluster.workers=16", "cluster.autoscale.min=2",
                             "cluster.autoscale.max=8"};
    expect_set_error(HEAD STAGE_JOB, workers, 3,
                     "'workers' (16, from --set cluster.workers) is the autoscaled cluster's "
                     "initial size and must lie in [min, max] = [2, 8]");
    const char *spark[] = {"spark.sql.shuffle.partition=8"};
    expect_set_error(HEAD STAGE_JOB, spark, 1,
                     "unknown Spark setting 'spark.sql.shuffle.partition' (from --set); did you "
                     "mean 'spark.sql.shuffle.partitions'?");
}

/* Real Spark keys stagecast does not model get no "did you mean": an exact
 * last name beside a known key (spark.driver.cores; spark.executor.cores is
 * known) is another key, and "cores" is 2 edits from "codec"
 * (spark.io.compression.codec), more than the 1 a 5-letter last name gets. */
static void test_real_spark_key_beside_a_known_one_is_kept(void **state)
{
    (void)state;
    struct diag d;
    char path[64];
    struct scenario *s = load_text(
        HEAD "spark = { driver = { cores = 2; };\n"
             "  kubernetes = { executor = { request = { cores = 1; }; }; }; };\n" STAGE_JOB,
        &d, path, sizeof path);
    assert_non_null(s);
    const struct spark_setting *e = spark_conf_get(&s->spark, "spark.driver.cores");
    assert_non_null(e);
    assert_false(e->known);
    scenario_free(s);
}

/* Directly under spark an exact last name is a short name for the one known
 * key that ends so: spark.cores is no Spark key, spark.executor.cores is. */
static void test_short_name_under_spark_names_the_key(void **state)
{
    (void)state;
    expect_text_error(HEAD "spark = { cores = 4; };\n" STAGE_JOB, 3,
                      "unknown Spark setting 'spark.cores'; did you mean 'spark.executor.cores'?");
}

/* "500GB", "500GiB" and "500g" are all 500 x 2^30 = 536870912000 bytes, as
 * Spark reads sizes; the first written as "GB" is said, with its bytes. */
static void test_gb_sizes_read_as_gib_and_say_so(void **state)
{
    (void)state;
    const char *units[] = {"500GB", "500GiB", "500g"};
    for (size_t i = 0; i < 3; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 HEAD "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1; "
                      "task_seconds = 1.0;\n  input_bytes = \"%s\"; } ); } );\n",
                 units[i]);
        struct diag d;
        char path[64];
        struct scenario *s = load_text(text, &d, path, sizeof path);
        assert_non_null(s);
        assert_int_equal(s->jobs[0].stages[0].input_bytes, 536870912000LL);
        if (i == 0) {
            char want[256];
            snprintf(want, sizeof want,
                     "%s:4: \"500GB\" ('input_bytes' in stage 0 of job 'j') is read as 500 GiB "
                     "= 536870912000 bytes",
                     path);
            assert_non_null(strstr(s->size_note, want));
        } else {
            assert_string_equal(s->size_note, "");
        }
        scenario_free(s);
    }
}

/* A dotted name at the top level, and in a list's element (whose path is
 * not written): nested from where it sits. */
static void test_dotted_names_get_their_nested_form(void **state)
{
    (void)state;
    expect_text_error(HEAD "spark.sql.shuffle.partitions = 200;\n" STAGE_JOB, 3,
                      "write spark = { sql = { shuffle = { partitions = 200; }; }; }");
    expect_text_error(HEAD "spark = {\n  sql = { shuffle.partitions = 8; };\n};\n" STAGE_JOB, 4,
                      "write spark = { sql = { shuffle = { partitions = 8; }; }; }");
}

/* Dates in a date column's distribution read as days since 1970-01-01:
 * 2024-01-01 is day 19723, 2024-12-31 day 20088, 2024-07-01 day 19905. */
static void test_date_bounds_read_as_days(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/dates.cfg");
    const struct table_spec *t = scenario_table(s, "sales");
    assert_non_null(t);
    assert_true(t->columns[1].min == 19723.0 && t->columns[1].max == 20088.0);
    assert_true(t->columns[2].mean == 19905.0);
    scenario_free(s);
}

/* A sweep point's cluster shape read without the file: the same values
 * and message lines as loading the file with the override, for every key it
 * takes; other keys and values the reader would refuse are left to it. */
static void test_cluster_variant_matches_a_reload(void **state)
{
    (void)state;
    char path[1024];
    const char *top = getenv("SRCDIR");
    snprintf(path, sizeof path, "%s/scenarios/analytics-ds3.cfg",
             top && *top ? top : ABS_TOP_SRCDIR);
    struct diag d;
    diag_clear(&d);
    struct scenario *base = scenario_load(path, &d);
    assert_non_null(base);
    const char *cases[][2] = {
        {"cluster.worker=Standard_E8ds_v5", NULL},
        {"cluster.workers=7", NULL},
        {"cluster.worker=\"Standard_E8ds_v5\"", "cluster.workers=3"},
        {"cluster.driver=Standard_D8s_v3", "cluster.worker=Standard_E8ds_v5"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = cases[c][1] ? 2 : 1;
        struct scenario v;
        assert_int_equal(scenario_cluster_variant(base, cases[c], n, &v), 1);
        struct scenario *full = scenario_load_with(path, cases[c], n, &d);
        assert_non_null(full);
        assert_string_equal(v.cluster.worker, full->cluster.worker);
        assert_string_equal(v.cluster.driver, full->cluster.driver);
        assert_int_equal(v.cluster.workers, full->cluster.workers);
        assert_int_equal(v.cluster.worker_line, full->cluster.worker_line);
        assert_int_equal(v.cluster.driver_line, full->cluster.driver_line);
        assert_int_equal(v.cluster.workers_line, full->cluster.workers_line);
        assert_ptr_equal(v.jobs, base->jobs); /* everything else is base's */
        scenario_free(full);
    }
    struct scenario v;
    const char *other[] = {"spark.sql.shuffle.partitions=8"};
    const char *zero[] = {"cluster.workers=0"};
    const char *number[] = {"cluster.worker=12"};
    assert_int_equal(scenario_cluster_variant(base, other, 1, &v), 0);
    assert_int_equal(scenario_cluster_variant(base, zero, 1, &v), 0);
    assert_int_equal(scenario_cluster_variant(base, number, 1, &v), 0);
    scenario_free(base);
}

/* Timestamps in a timestamp column's distribution read as microseconds
 * since 1970-01-01 00:00:00 UTC: 2024-01-01 is day 19723, 2025-01-01 day
 * 20089, 2024-07-01 day 19905, each times 86400e6 us; a date alone is its
 * midnight, the T form reads as the blank one, and a stddev of "12h" is
 * 43200e6 us. */
static void test_timestamp_bounds_read_as_microseconds(void **state)
{
    (void)state;
    struct scenario *s = load_good("good/timestamps.cfg");
    const struct table_spec *t = scenario_table(s, "events");
    assert_non_null(t);
    assert_int_equal(t->columns[1].type, COL_TIMESTAMP);
    assert_true(t->columns[1].min == 19723 * 86400e6 && t->columns[1].max == 20089 * 86400e6);
    assert_true(t->columns[2].mean == 19905 * 86400e6 && t->columns[2].stddev == 43200e6);
    scenario_free(s);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cluster_variant_matches_a_reload),
        cmocka_unit_test(test_date_bounds_read_as_days),
        cmocka_unit_test(test_timestamp_bounds_read_as_microseconds),
        cmocka_unit_test(test_every_bad_fixture_fails_at_its_line),
        cmocka_unit_test(test_every_bad_fixture_is_listed),
        cmocka_unit_test(test_many_jobs_load_with_names_hashed),
        cmocka_unit_test(test_missing_file_is_enoent),
        cmocka_unit_test(test_task_seconds_list_is_kept_per_task),
        cmocka_unit_test(test_unknown_node_loads_with_its_line),
        cmocka_unit_test(test_full_scenario_cluster),
        cmocka_unit_test(test_full_scenario_spark_settings),
        cmocka_unit_test(test_full_scenario_tables),
        cmocka_unit_test(test_full_scenario_views_and_query),
        cmocka_unit_test(test_full_scenario_stages),
        cmocka_unit_test(test_full_scenario_pools),
        cmocka_unit_test(test_autoscale_without_workers_starts_at_min),
        cmocka_unit_test(test_load_without_diag_does_not_crash),
        cmocka_unit_test(test_missing_top_level_key_has_no_line),
        cmocka_unit_test(test_int64_rows_with_l_suffix_load),
        cmocka_unit_test(test_model_jvm_keys_load_in_seconds),
        cmocka_unit_test(test_job_needs_exactly_one_of_stages_and_query),
        cmocka_unit_test(test_duplicate_names_are_refused),
        cmocka_unit_test(test_query_rules),
        cmocka_unit_test(test_task_seconds_rules),
        cmocka_unit_test(test_self_parent_is_refused),
        cmocka_unit_test(test_long_cycle_is_shortened),
        cmocka_unit_test(test_unknown_spark_key_is_not_an_error),
        cmocka_unit_test(test_real_spark_key_beside_a_known_one_is_kept),
        cmocka_unit_test(test_short_name_under_spark_names_the_key),
        cmocka_unit_test(test_set_mistakes_name_the_set_not_a_line),
        cmocka_unit_test(test_gb_sizes_read_as_gib_and_say_so),
        cmocka_unit_test(test_dotted_names_get_their_nested_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
