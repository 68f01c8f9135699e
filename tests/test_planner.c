/*
 * test_planner.c — the query planner (sim/plan/planner.c) against the plans
 * Spark 3 produces: for each of the seed guide's queries, the stages
 * (count, tasks, parents, Spark jobs), their exchanges and their operators
 * in order, each expected plan written out with the Spark rule that makes
 * it so; input partitions from FilePartition's arithmetic, worked by hand;
 * broadcast against sort-merge at the threshold; shuffle partitions from
 * the settings; coalesce staying narrow; count's final one-task aggregate;
 * bytes conserved across each shuffle; the default statistics.
 *
 * A cluster of 4 executors x 4 cores (16 cores, Spark's default
 * parallelism) unless a test says otherwise; the planner reads nothing
 * else of the cluster.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glob.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/plan/plan_stats.h"
#include "sim/plan/planner.h"
#include "sim/input/scenario.h"

#define MIB (1024.0 * 1024.0)

/* cmocka 1.1 compares only integers. */
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

/* Writes text to a temporary file and loads it (asserting it loads). */
static struct scenario *load_text(const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_planner_XXXXXX.cfg");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    struct diag d;
    diag_clear(&d);
    struct scenario *s = scenario_load(path, &d);
    unlink(path);
    if (!s) {
        char msg[1200];
        fail_msg("scenario did not load: %s", diag_format(&d, msg, sizeof msg));
    }
    return s;
}

/* Loads and plans on 16 cores with the given stats (NULL: defaults),
 * asserting success. plan_done frees the plan and its scenario. */
static struct plan *plan_with(const char *text, const struct plan_stats *stats)
{
    struct scenario *s = load_text(text);
    struct cluster cl = cluster_of(4, 4);
    struct diag d;
    diag_clear(&d);
    struct plan *p = planner_plan(s, &cl, stats, &d);
    if (!p) {
        char msg[1200];
        scenario_free(s);
        fail_msg("planning failed: %s", diag_format(&d, msg, sizeof msg));
    }
    return p;
}

static struct plan *plan(const char *text)
{
    return plan_with(text, NULL);
}

/* Frees a plan made by plan_with and the scenario it was made from (which
 * these tests loaded themselves). */
static void plan_done(struct plan *p)
{
    struct scenario *s = (struct scenario *)p->scn;
    plan_free(p);
    scenario_free(s);
}

static const struct plan_job *job_named(const struct plan *s, const char *name)
{
    for (size_t j = 0; j < s->n_jobs; j++)
        if (strcmp(s->jobs[j].spec->name, name) == 0)
            return &s->jobs[j];
    fail_msg("no job '%s'", name);
    return NULL;
}

/* The stage's operators start with these prefixes, in this order. */
static void expect_ops_at(const struct plan_stage *st, const char *const *want, size_t n,
                          const char *file, int line)
{
    if (st->n_ops != n) {
        for (size_t i = 0; i < st->n_ops; i++)
            print_error("  op %zu: %s\n", i, st->ops[i].text);
        print_error("stage %lld has %zu operators, expected %zu\n", (long long)st->id, st->n_ops,
                    n);
        _fail(file, line);
    }
    for (size_t i = 0; i < n; i++)
        if (strncmp(st->ops[i].text, want[i], strlen(want[i])) != 0) {
            print_error("stage %lld op %zu is '%s', expected it to start with '%s'\n",
                        (long long)st->id, i, st->ops[i].text, want[i]);
            _fail(file, line);
        }
}
#define expect_ops(st, ...)                                                                        \
    do {                                                                                           \
        const char *const w_[] = {__VA_ARGS__};                                                    \
        expect_ops_at((st), w_, sizeof w_ / sizeof w_[0], __FILE__, __LINE__);                     \
    } while (0)

static void expect_parents_at(const struct plan_stage *st, const int64_t *want, size_t n,
                              const char *file, int line)
{
    bool ok = st->n_parents == n;
    for (size_t i = 0; ok && i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < st->n_parents; k++)
            found |= st->parents[k] == want[i];
        ok = found;
    }
    if (!ok) {
        print_error("stage %lld has %zu parents, not the expected %zu\n", (long long)st->id,
                    st->n_parents, n);
        _fail(file, line);
    }
}
#define expect_parents(st, ...)                                                                    \
    do {                                                                                           \
        const int64_t p_[] = {__VA_ARGS__};                                                        \
        expect_parents_at((st), p_, sizeof p_ / sizeof p_[0], __FILE__, __LINE__);                 \
    } while (0)

static size_t count_ops(const struct plan_job *job, const char *prefix)
{
    size_t n = 0;
    for (size_t k = 0; k < job->n_stages; k++)
        for (size_t i = 0; i < job->stages[k].n_ops; i++)
            n += strncmp(job->stages[k].ops[i].text, prefix, strlen(prefix)) == 0;
    return n;
}

#define HEAD                                                                                       \
    "name = \"t\";\n"                                                                              \
    "cluster = { worker = \"Standard_DS3_v2\"; workers = 4; };\n"

/* The seed guide's analytics query on its tables (seed-analytics.cfg). */
#define ANALYTICS_TABLES                                                                           \
    "tables = {\n"                                                                                 \
    "  employees = { rows = 10000L; columns = (\n"                                                 \
    "    { name = \"emp_id\"; type = \"int64\"; dist = \"sequence\"; },\n"                         \
    "    { name = \"dept_code\"; type = \"string\"; dist = \"categorical\";\n"                     \
    "      values = [\"dept_0\", \"dept_1\", \"dept_2\", \"dept_3\", \"dept_4\"]; },\n"            \
    "    { name = \"salary\"; type = \"int64\"; dist = \"uniform\"; min = 100; max = 1000000; "    \
    "},\n"                                                                                         \
    "    { name = \"hire_date\"; type = \"string\"; dist = \"uniform\"; min = 1; max = 12; } ); "  \
    "};\n"                                                                                         \
    "  departments = { rows = 5L; columns = (\n"                                                   \
    "    { name = \"dept_id\"; type = \"int64\"; dist = \"sequence\"; },\n"                        \
    "    { name = \"dept_code\"; type = \"string\"; dist = \"categorical\";\n"                     \
    "      values = [\"dept_0\", \"dept_1\", \"dept_2\", \"dept_3\", \"dept_4\"]; },\n"            \
    "    { name = \"dept_name\"; type = \"string\"; dist = \"sequence\"; },\n"                     \
    "    { name = \"status\"; type = \"string\"; dist = \"categorical\"; values = [\"Active\"]; "  \
    "} ); };\n"                                                                                    \
    "};\n"
#define ANALYTICS_QUERY                                                                            \
    "jobs = ( { name = \"analytics\"; query = (\n"                                                 \
    "  { op = \"scan\"; table = \"employees\"; },\n"                                               \
    "  { op = \"filter\"; where = \"salary > 50000\"; },\n"                                        \
    "  { op = \"with_column\"; name = \"salary_category\"; expr = \"CASE WHEN salary > 80000 "     \
    "THEN 'High' WHEN salary > 60000 THEN 'Medium' ELSE 'Low' END\"; },\n"                         \
    "  { op = \"group_by\"; keys = [\"dept_code\", \"salary_category\"]; aggs = [\"count(emp_id) " \
    "AS employee_count\", \"avg(salary) AS avg_salary\", \"max(salary) AS max_salary\"]; },\n"     \
    "  { op = \"join\"; right = \"departments\"; on = [\"dept_code\"]; },\n"                       \
    "  { op = \"select\"; cols = [\"dept_name\", \"salary_category\", \"employee_count\", "        \
    "\"avg_salary\", \"max_salary\"]; },\n"                                                        \
    "  { op = \"order_by\"; keys = [\"dept_name\", \"salary_category\"]; },\n"                     \
    "  { op = \"collect\"; } ); } );\n"

/* ---- the seed queries ---------------------------------------------------- */

/* Spark 3 with AQE runs the analytics query as five jobs of one stage each:
 *  - the departments side (5 rows, far under autoBroadcastJoinThreshold)
 *    is a BroadcastQueryStage, materialized first (SPARK-33933);
 *  - scan + filter + withColumn + partial HashAggregate pipeline into one
 *    ShuffleQueryStage that writes hashpartitioning(dept_code,
 *    salary_category, 200) (EnsureRequirements: the final aggregate needs
 *    ClusteredDistribution on its keys; 200 = spark.sql.shuffle.partitions);
 *  - the range exchange under orderBy needs bounds: RangePartitioner runs a
 *    sampling job over its input (the final aggregate, the broadcast hash
 *    join and the Project, 200 partitions, ceil(3 x 100 x 200 / 200) = 300
 *    rows sampled per partition);
 *  - the same work again, writing rangepartitioning(dept_name,
 *    salary_category, 200);
 *  - the result stage: Sort and collect.
 * The employees table is 1 file under 4 MiB: one scan task. */
static void test_analytics_query_runs_as_five_aqe_jobs(void **state)
{
    (void)state;
    struct plan *s = plan(HEAD ANALYTICS_TABLES ANALYTICS_QUERY);
    const struct plan_job *j = job_named(s, "analytics");
    assert_int_equal(j->n_stages, 5);
    const struct plan_stage *st = j->stages;
    assert_int_equal(st[0].tasks, 1);
    assert_int_equal(st[0].n_parents, 0);
    expect_ops(&st[0], "Scan parquet departments [dept_code, dept_name]",
               "BroadcastExchange HashedRelationBroadcastMode(dept_code)");
    assert_int_equal(st[1].tasks, 1);
    assert_int_equal(st[1].n_parents, 0);
    expect_ops(&st[1], "Scan parquet employees [emp_id, dept_code, salary]",
               "Filter (salary > 50000)", "Project [CASE WHEN",
               "HashAggregate(partial, keys=[dept_code, salary_category], "
               "functions=[partial_count(emp_id), partial_avg(salary), partial_max(salary)])",
               "Exchange hashpartitioning(dept_code, salary_category, 200)");
    /* AQE coalesces the 200 partitions (690 B in all) into one task:
     * CoalesceShufflePartitions' target is max(min(max(ceil(690 / 16),
     * 16), 64 MiB), 1 MiB) = 1 MiB. */
    assert_int_equal(st[2].tasks, 1);
    assert_int_equal(st[2].aqe_partitions_before, 200);
    expect_parents(&st[2], 0, 1);
    expect_ops(&st[2], "ShuffleRead hashpartitioning(dept_code, salary_category, 200)",
               "HashAggregate(final, keys=[dept_code, salary_category]",
               "BroadcastHashJoin Inner [dept_code] BuildRight",
               "Project [dept_name, salary_category, employee_count, avg_salary, max_salary]",
               "RangePartitioner sample (300 rows per partition, for 200 partitions)");
    assert_int_equal(st[3].tasks, 1);
    expect_parents(&st[3], 0, 1, 2);
    expect_ops(&st[3], "ShuffleRead hashpartitioning(dept_code, salary_category, 200)",
               "HashAggregate(final", "BroadcastHashJoin", "Project",
               "Exchange rangepartitioning(dept_name ASC, salary_category ASC, 200)");
    assert_int_equal(st[4].tasks, 1);
    assert_int_equal(st[4].aqe_partitions_before, 200);
    expect_parents(&st[4], 3);
    expect_ops(&st[4], "ShuffleRead rangepartitioning(dept_name ASC, salary_category ASC, 200)",
               "Sort [dept_name ASC, salary_category ASC]", "Collect");
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(st[k].spark_job, (int)k); /* one query stage per job */
    /* salary uniform over 100..1e6: P(> 50000) = (1e6 - 50000) / (1e6 - 100 + 1),
     * 9,500 of the 10,000 rows; 5 departments x 3 bands = 15 groups. */
    assert_int_equal(st[1].input_records, 10000);
    assert_int_equal(st[1].output_records, 15);
    assert_int_equal(st[4].output_records, 15);
    assert_string_equal(st[1].kernel, "hash_aggregate");
    plan_done(s);
}

/* Without AQE the driver builds the RDD graph before submitting the
 * collect's job: BroadcastExchangeExec's job runs first (the driver awaits
 * it in executeBroadcast), then the RangePartitioner's sampling job, which
 * also runs the aggregate's map stage, then the action's job, where that
 * map stage is skipped: 3 Spark jobs, the later ones after the earlier. */
static void test_analytics_query_without_aqe_runs_three_jobs(void **state)
{
    (void)state;
    struct plan *s =
        plan(HEAD "spark = { sql = { adaptive = { enabled = false; }; }; };\n" ANALYTICS_TABLES
                 ANALYTICS_QUERY);
    const struct plan_job *j = job_named(s, "analytics");
    assert_int_equal(j->n_stages, 5);
    const struct plan_stage *st = j->stages;
    const int want_job[5] = {0, 1, 1, 2, 2};
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(st[k].spark_job, want_job[k]);
    assert_non_null(strstr(st[0].ops[st[0].n_ops - 1].text, "BroadcastExchange"));
    expect_parents(&st[1], 0); /* the sampling job starts after the broadcast */
    assert_non_null(strstr(st[2].ops[st[2].n_ops - 1].text, "RangePartitioner sample"));
    expect_parents(&st[2], 0, 1);
    expect_parents(&st[3], 0, 1, 2);
    expect_parents(&st[4], 3);
    plan_done(s);
}

/* test_aggregation: range(1000000).groupBy(id % 100).count().collect().
 * The ids (7.63 MiB, one file): maxSplitBytes = min(128 MiB, max(4 MiB,
 * (7.63 + 4) MiB / 16)) = 4 MiB, so ceil(7.63 / 4) = 2 scan tasks. The
 * file is one Parquet row group whose midpoint (3.8 MiB) is in the first
 * piece: that task reads every row and partially aggregates them into the
 * 100 groups (100 partial rows), the other reads nothing; one hash
 * exchange on the group, final aggregate + collect in 200 partitions,
 * which AQE coalesces into one task (a few KiB in all). */
static void test_seed_aggregation_is_partial_exchange_final(void **state)
{
    (void)state;
    struct plan *s = plan(
        HEAD "tables = { ids = { rows = 1000000L; columns = ( { name = \"id\"; type = \"int64\"; "
             "dist = \"sequence\"; } ); }; };\n"
             "jobs = ( { name = \"agg\"; query = ( { op = \"scan\"; table = \"ids\"; },\n"
             "  { op = \"with_column\"; name = \"group\"; expr = \"id % 100\"; },\n"
             "  { op = \"group_by\"; keys = [\"group\"]; aggs = [\"count(1) AS count\"]; },\n"
             "  { op = \"collect\"; } ); } );\n");
    const struct plan_job *j = job_named(s, "agg");
    assert_int_equal(j->n_stages, 2);
    assert_int_equal(j->stages[0].tasks, 2);
    expect_ops(&j->stages[0], "Scan parquet ids [id]", "Project [id % 100 AS group]",
               "HashAggregate(partial, keys=[group], functions=[partial_count(1)])",
               "Exchange hashpartitioning(group, 200)");
    assert_int_equal(j->stages[0].output_records, 100);
    assert_non_null(j->stages[0].task_weights);
    assert_true(j->stages[0].task_weights[0] == 2.0 && j->stages[0].task_weights[1] == 0.0);
    assert_int_equal(j->stages[1].tasks, 1);
    assert_int_equal(j->stages[1].aqe_partitions_before, 200);
    expect_parents(&j->stages[1], 0);
    expect_ops(&j->stages[1], "ShuffleRead hashpartitioning(group, 200)",
               "HashAggregate(final, keys=[group], functions=[count(1)])", "Collect");
    assert_int_equal(j->stages[1].output_records, 100);
    plan_done(s);
}

#define JOIN_TABLES                                                                                \
    "tables = {\n"                                                                                 \
    "  r100k = { rows = 100000L; columns = ( { name = \"id\"; type = \"int64\"; dist = "           \
    "\"sequence\"; } ); };\n"                                                                      \
    "  r1k = { rows = 1000L; columns = ( { name = \"id\"; type = \"int64\"; dist = \"sequence\"; " \
    "} ); };\n"                                                                                    \
    "};\n"                                                                                         \
    "views = { df2 = ( { op = \"scan\"; table = \"r1k\"; },\n"                                     \
    "  { op = \"with_column\"; name = \"value\"; expr = \"id * 10\"; },\n"                         \
    "  { op = \"with_column\"; name = \"key\"; expr = \"id\"; },\n"                                \
    "  { op = \"select\"; cols = [\"key\", \"value\"]; } ); };\n"

/* test_join: range(100000) with key = id % 1000, joined with range(1000)
 * on key, counted. df2 is ~8 KiB by Spark's estimate, under the threshold:
 * JoinSelection broadcasts it (inner join, right side buildable,
 * canBroadcastBySize), so df1 is not shuffled. count() reads no column, so
 * ColumnPruning drops `value`, and the withColumn/select pair collapses
 * into one Project (CollapseProject). One scan partition: the final count
 * needs no exchange (UnknownPartitioning(1) satisfies AllTuples). */
static void test_seed_join_broadcasts_the_small_side(void **state)
{
    (void)state;
    struct plan *s =
        plan(HEAD JOIN_TABLES
             "jobs = ( { name = \"join\"; query = ( { op = \"scan\"; table = \"r100k\"; },\n"
             "  { op = \"with_column\"; name = \"key\"; expr = \"id % 1000\"; },\n"
             "  { op = \"join\"; right = \"df2\"; on = [\"key\"]; },\n"
             "  { op = \"count\"; } ); } );\n");
    const struct plan_job *j = job_named(s, "join");
    assert_int_equal(j->n_stages, 2);
    expect_ops(&j->stages[0], "Scan parquet r1k [id]", "Project [id AS key]",
               "BroadcastExchange HashedRelationBroadcastMode(key)");
    expect_ops(&j->stages[1], "Scan parquet r100k [id]", "Project [id % 1000 AS key]",
               "BroadcastHashJoin Inner [key] BuildRight",
               "HashAggregate(partial, keys=[], functions=[partial_count(1)])",
               "HashAggregate(final, keys=[], functions=[count(1)])");
    expect_parents(&j->stages[1], 0);
    assert_int_equal(count_ops(j, "Exchange"), 0);
    plan_done(s);
}

/* test_window_function: the window's row_number is never read by
 * count(), so ColumnPruning drops it and RemoveNoopOperators the empty
 * Window; the withColumn feeding it goes too. Spark scans no column. */
static void test_seed_window_under_count_is_pruned(void **state)
{
    (void)state;
    struct plan *s = plan(
        HEAD "tables = { ids = { rows = 100000L; columns = ( { name = \"id\"; type = \"int64\"; "
             "dist = \"sequence\"; } ); }; };\n"
             "jobs = ( { name = \"w\"; query = ( { op = \"scan\"; table = \"ids\"; },\n"
             "  { op = \"with_column\"; name = \"category\"; expr = \"id % 10\"; },\n"
             "  { op = \"window\"; partition_by = [\"category\"]; order_by = [\"id\"];\n"
             "    funcs = [\"row_number() AS rn\"]; },\n"
             "  { op = \"count\"; } ); } );\n");
    const struct plan_job *j = job_named(s, "w");
    assert_int_equal(j->n_stages, 1);
    expect_ops(&j->stages[0], "Scan parquet ids []", "HashAggregate(partial",
               "HashAggregate(final");
    plan_done(s);
}

#define SHUFFLE_TABLE                                                                              \
    "tables = { df = { rows = 50000L; columns = (\n"                                               \
    "  { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"                               \
    "  { name = \"key\"; type = \"string\"; dist = \"uniform\"; min = 0; max = 999; },\n"          \
    "  { name = \"amount\"; type = \"int64\"; dist = \"uniform\"; min = 10; max = 500000; },\n"    \
    "  { name = \"description\"; type = \"string\"; dist = \"sequence\"; } ); }; };\n"             \
    "views = { key_avg = ( { op = \"scan\"; table = \"df\"; },\n"                                  \
    "  { op = \"group_by\"; keys = [\"key\"]; aggs = [\"avg(amount) AS avg_amount\"]; } ); };\n"

/* The shuffle operations (analyze_shuffle_operations), one job each:
 *  - window collected: WindowExec requires ClusteredDistribution(key) and
 *    ordering (key, amount): hashpartitioning(key, 200), then Sort and
 *    Window in the reading stage;
 *  - join with the aggregate of the same table (a view): the aggregate
 *    side is ~1 MiB by Spark's estimate, so it is broadcast; its broadcast
 *    job reads the aggregate's shuffle (200 tasks), the probe side scans;
 *  - distinct on (key, amount): an aggregate on both columns
 *    (ReplaceDistinctWithAggregate), hashpartitioning on both;
 *  - repartition(10, key).count(): hashpartitioning(key, 10), partial
 *    counts in the 10 tasks, Exchange SinglePartition, final count. */
static void test_seed_shuffle_operations(void **state)
{
    (void)state;
    struct plan *s = plan(
        HEAD SHUFFLE_TABLE
        "jobs = (\n"
        " { name = \"window\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
        "   { op = \"window\"; partition_by = [\"key\"]; order_by = [\"amount\"];\n"
        "     funcs = [\"row_number() AS rn\"]; }, { op = \"collect\"; } ); },\n"
        " { name = \"join\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
        "   { op = \"join\"; right = \"key_avg\"; on = [\"key\"]; }, { op = \"collect\"; } ); },\n"
        " { name = \"distinct\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
        "   { op = \"select\"; cols = [\"key\", \"amount\"]; }, { op = \"distinct\"; },\n"
        "   { op = \"collect\"; } ); },\n"
        " { name = \"repartition\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
        "   { op = \"repartition\"; n = 10; partition_by = [\"key\"]; }, { op = \"count\"; } ); }\n"
        ");\n");
    const struct plan_job *w = job_named(s, "window");
    assert_int_equal(w->n_stages, 2);
    expect_ops(&w->stages[0], "Scan parquet df [id, key, amount, description]",
               "Exchange hashpartitioning(key, 200)");
    expect_ops(&w->stages[1], "ShuffleRead hashpartitioning(key, 200)",
               "Sort [key ASC, amount ASC]",
               "Window [row_number() AS rn] partitionBy [key] orderBy [amount ASC]", "Collect");

    const struct plan_job *jn = job_named(s, "join");
    assert_int_equal(jn->n_stages, 3);
    expect_ops(&jn->stages[0], "Scan parquet df [key, amount]",
               "HashAggregate(partial, keys=[key], functions=[partial_avg(amount)])",
               "Exchange hashpartitioning(key, 200)");
    expect_ops(&jn->stages[1], "ShuffleRead hashpartitioning(key, 200)", "HashAggregate(final",
               "BroadcastExchange HashedRelationBroadcastMode(key)");
    assert_int_equal(jn->stages[1].aqe_partitions_before, 200);
    expect_ops(&jn->stages[2], "Scan parquet df [id, key, amount, description]",
               "BroadcastHashJoin Inner [key] BuildRight", "Collect");
    expect_parents(&jn->stages[2], 1);

    const struct plan_job *ds = job_named(s, "distinct");
    assert_int_equal(ds->n_stages, 2);
    expect_ops(&ds->stages[0], "Scan parquet df [key, amount]",
               "HashAggregate(partial, keys=[key, amount], functions=[])",
               "Exchange hashpartitioning(key, amount, 200)");

    const struct plan_job *rp = job_named(s, "repartition");
    assert_int_equal(rp->n_stages, 3);
    expect_ops(&rp->stages[0], "Scan parquet df [key]", "Exchange hashpartitioning(key, 10)");
    assert_int_equal(rp->stages[1].tasks, 10);
    expect_ops(&rp->stages[1], "ShuffleRead hashpartitioning(key, 10)",
               "HashAggregate(partial, keys=[], functions=[partial_count(1)])",
               "Exchange SinglePartition");
    assert_int_equal(rp->stages[2].tasks, 1);
    plan_done(s);
}

#define NW_TABLE(rows, size)                                                                       \
    "tables = { df = { rows = " rows "; " size " columns = (\n"                                    \
    "  { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"                               \
    "  { name = \"name\"; type = \"string\"; dist = \"sequence\"; },\n"                            \
    "  { name = \"category\"; type = \"int64\"; dist = \"uniform\"; min = 0; max = 9; },\n"        \
    "  { name = \"value\"; type = \"int64\"; dist = \"uniform\"; min = 100; max = 1000000; } ); "  \
    "}; };\n"                                                                                      \
    "views = { ids = ( { op = \"scan\"; table = \"df\"; }, { op = \"select\"; cols = [\"id\", "    \
    "\"category\"]; } ); };\n"

/* The narrow and wide transformations (guide size, one input partition):
 *  - filter/select/withColumn + count: one stage (the unused withColumn
 *    and select are pruned; AllTuples is satisfied by one partition);
 *  - orderBy(value).count(): EliminateSorts removes a sort under an
 *    order-irrelevant aggregate (count), so no range exchange, no sampling:
 *    the same single stage;
 *  - groupBy(category).count().count(): the inner count is unused
 *    (ColumnPruning drops it), hashpartitioning(category, 200), then the
 *    outer count's Exchange SinglePartition: 3 stages;
 *  - distinct().count(): hashpartitioning on every column, then count. */
static void test_seed_narrow_and_wide_transformations(void **state)
{
    (void)state;
    struct plan *s = plan(HEAD NW_TABLE(
        "10000L",
        "") "jobs = (\n"
            " { name = \"filter\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
            "   { op = \"filter\"; where = \"value > 50000\"; }, { op = \"count\"; } ); },\n"
            " { name = \"withColumn\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
            "   { op = \"with_column\"; name = \"d\"; expr = \"value * 2\"; }, { op = \"count\"; } "
            "); },\n"
            " { name = \"orderBy\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
            "   { op = \"order_by\"; keys = [\"value\"]; }, { op = \"count\"; } ); },\n"
            " { name = \"groupBy\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
            "   { op = \"group_by\"; keys = [\"category\"]; aggs = [\"count(1) AS count\"]; },\n"
            "   { op = \"count\"; } ); },\n"
            " { name = \"distinct\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
            "   { op = \"distinct\"; }, { op = \"count\"; } ); }\n"
            ");\n");
    const struct plan_job *f = job_named(s, "filter");
    assert_int_equal(f->n_stages, 1);
    expect_ops(&f->stages[0], "Scan parquet df [value]", "Filter (value > 50000)",
               "HashAggregate(partial, keys=[], functions=[partial_count(1)])",
               "HashAggregate(final, keys=[], functions=[count(1)])");
    /* value uniform over 100..1e6: P(> 50000) = 950001/999901 of 10,000. */
    const struct plan_job *wc = job_named(s, "withColumn");
    assert_int_equal(wc->n_stages, 1);
    expect_ops(&wc->stages[0], "Scan parquet df []", "HashAggregate(partial",
               "HashAggregate(final");
    const struct plan_job *o = job_named(s, "orderBy");
    assert_int_equal(o->n_stages, 1);
    assert_int_equal(count_ops(o, "Sort"), 0);
    assert_int_equal(count_ops(o, "RangePartitioner"), 0);
    const struct plan_job *g = job_named(s, "groupBy");
    assert_int_equal(g->n_stages, 3);
    expect_ops(&g->stages[0], "Scan parquet df [category]",
               "HashAggregate(partial, keys=[category], functions=[])",
               "Exchange hashpartitioning(category, 200)");
    expect_ops(&g->stages[1], "ShuffleRead hashpartitioning(category, 200)",
               "HashAggregate(final, keys=[category], functions=[])",
               "HashAggregate(partial, keys=[], functions=[partial_count(1)])",
               "Exchange SinglePartition");
    assert_int_equal(g->stages[2].tasks, 1);
    const struct plan_job *d = job_named(s, "distinct");
    assert_int_equal(d->n_stages, 3);
    expect_ops(&d->stages[0], "Scan parquet df [id, name, category, value]",
               "HashAggregate(partial, keys=[id, name, category, value], functions=[])",
               "Exchange hashpartitioning(id, name, category, value, 200)");
    plan_done(s);
}

/* The self-join at production size (2 GiB, far over the threshold): both
 * sides read only `id` of the same table, so their exchanges are the same
 * plan and Spark writes it once and reads it twice
 * (ReuseExchangeAndSubquery): one map stage, and the sort-merge join stage
 * reads twice what it wrote. */
static void test_self_join_reuses_its_exchange(void **state)
{
    (void)state;
    struct plan *s = plan(HEAD NW_TABLE(
        "100000000L",
        "size = \"2g\";") "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"df\"; },\n"
                          "  { op = \"join\"; right = \"ids\"; on = [\"id\"]; }, { op = \"count\"; "
                          "} ); } );\n");
    const struct plan_job *j = job_named(s, "j");
    assert_int_equal(j->n_stages, 3);
    expect_ops(&j->stages[0], "Scan parquet df [id]", "Exchange hashpartitioning(id, 200)");
    expect_ops(&j->stages[1], "ShuffleRead hashpartitioning(id, 200)", "Sort [id ASC]",
               "ShuffleRead hashpartitioning(id, 200)", "Sort [id ASC]", "SortMergeJoin Inner [id]",
               "HashAggregate(partial", "Exchange SinglePartition");
    expect_parents(&j->stages[1], 0);
    assert_int_equal(j->stages[1].shuffle_read_bytes, 2 * j->stages[0].shuffle_write_bytes);
    plan_done(s);
}

/* The performance comparison's join of test_df with its own aggregate, at
 * a size where the aggregate side is over the threshold (Spark's static
 * estimate does not shrink an aggregate): a sort-merge join. The
 * aggregate's own hashpartitioning(category, 200) already satisfies the
 * join's ClusteredDistribution(category), so EnsureRequirements shuffles
 * only the other side: two exchanges on category in all, and the join
 * runs in the aggregate's reduce stage. */
static void test_join_with_aggregate_keeps_its_partitioning(void **state)
{
    (void)state;
    struct plan *s = plan(
        HEAD
        "tables = { t = { rows = 100000000L; size = \"4g\"; columns = (\n"
        "  { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"
        "  { name = \"category\"; type = \"string\"; dist = \"uniform\"; min = 0; max = 99; },\n"
        "  { name = \"value\"; type = \"double\"; dist = \"uniform\"; min = 0; max = 1000; } ); }; "
        "};\n"
        "views = { avg_by_cat = ( { op = \"scan\"; table = \"t\"; },\n"
        "  { op = \"group_by\"; keys = [\"category\"]; aggs = [\"avg(value) AS avg_val\"]; } ); "
        "};\n"
        "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
        "  { op = \"join\"; right = \"avg_by_cat\"; on = [\"category\"]; },\n"
        "  { op = \"collect\"; } ); } );\n");
    const struct plan_job *j = job_named(s, "j");
    assert_int_equal(j->n_stages, 3);
    assert_int_equal(count_ops(j, "Exchange hashpartitioning(category, 200)"), 2);
    const struct plan_stage *smj = &j->stages[2];
    expect_parents(smj, 0, 1);
    expect_ops(smj, "ShuffleRead hashpartitioning(category, 200)", "Sort [category ASC]",
               "ShuffleRead hashpartitioning(category, 200)", "HashAggregate(final",
               "Sort [category ASC]", "SortMergeJoin Inner [category]", "Collect");
    plan_done(s);
}

/* ---- input partitions ------------------------------------------------------ */

/* FilePartition.maxSplitBytes = min(maxPartitionBytes, max(openCost,
 * bytesPerCore)), bytesPerCore = (sum of file sizes + files x openCost) /
 * default parallelism; files are cut into maxSplitBytes pieces and packed
 * largest first, each counted with openCost. */
static void test_input_partitions_follow_file_partition_arithmetic(void **state)
{
    (void)state;
    const int64_t M = 1024 * 1024;
    /* 1 GiB in 8 files of 128 MiB, 16 cores: (1024 + 8 x 4) / 16 = 66 MiB
     * a split; each file is one 66 MiB piece and a 62 MiB rest, and
     * 62 + 4 + 62 > 66, so every piece is a partition of its own: 16. */
    assert_int_equal(planner_input_partitions(1024 * M, 8, 128 * M, 4 * M, 16), 16);
    /* The same on 4 cores: bytesPerCore 264 MiB, so the 128 MiB
     * maxPartitionBytes rules: one partition per file, 8. */
    assert_int_equal(planner_input_partitions(1024 * M, 8, 128 * M, 4 * M, 4), 8);
    /* maxPartitionBytes 64 MiB on 2 cores, one 1 GiB file: 16 pieces. */
    assert_int_equal(planner_input_partitions(1024 * M, 1, 64 * M, 4 * M, 2), 16);
    /* 100 files of 1 MiB, 16 cores: (100 + 400) / 16 = 31.25 MiB a split;
     * the open cost packs k files with (k - 1)(1 + 4) + 1 <= 31.25, k = 7,
     * so ceil(100 / 7) = 15 partitions. Without the open cost it would be
     * 4. */
    assert_int_equal(planner_input_partitions(100 * M, 100, 128 * M, 4 * M, 16), 15);
    /* A small table: (0.4 + 4) / 16 MiB is under the 4 MiB open cost, which
     * is then the split: one partition. */
    assert_int_equal(planner_input_partitions(400 * 1024, 1, 128 * M, 4 * M, 16), 1);
    assert_int_equal(planner_input_partitions(0, 1, 128 * M, 4 * M, 16), 1);
    /* Tables are taken as files of 128 MiB: 1280 MiB is 10 files. */
    assert_int_equal(planner_table_files(1280 * M), 10);
    assert_int_equal(planner_table_files(1280 * M + 1), 11);
    assert_int_equal(planner_table_files(1), 1);
}

/* Row groups: emr-processlarge's 589,591,789-byte table in 2 Parquet files
 * on 30 cores: splits of (589,591,789 + 2 x 4 MiB) / 30 = 19.9 MB, 15
 * pieces a file, 30 partitions. A file of 294.8 MB holds row groups of
 * 134,217,728, 134,217,728 and 26,360,438.5 bytes, their midpoints in
 * pieces 3, 10 and 14 of its 15: six partitions read, the rest nothing.
 * The log agrees: its stage 3 ran 30 tasks, four read 11,390,100 rows and
 * two 2,219,800 of 50,000,000 (weights 6.834 and 1.332 by rows against
 * 6.829 and 1.341 by bytes here). */
static void test_row_groups_decide_which_scan_tasks_read(void **state)
{
    (void)state;
    const int64_t M = 1024 * 1024, total = 589591789LL, rg = 128 * M;
    bool nomem = true;
    double *w = planner_row_group_weights(total, 2, 128 * M, 4 * M, 30, rg, &nomem);
    assert_false(nomem);
    assert_non_null(w);
    double mean = (double)total / 30.0, sum = 0.0;
    int big = 0, small = 0, zero = 0;
    for (int i = 0; i < 30; i++) {
        sum += w[i];
        if (fabs(w[i] - (double)rg / mean) < 1e-9)
            big++;
        else if (fabs(w[i] - ((double)total / 2.0 - 2.0 * (double)rg) / mean) < 1e-9)
            small++;
        else if (w[i] == 0.0)
            zero++;
    }
    assert_int_equal(big, 4);
    assert_int_equal(small, 2);
    assert_int_equal(zero, 24);
    assert_true(fabs(sum - 30.0) < 1e-9);
    /* Against the log's rows (bytes and rows in proportion): within 1%. */
    assert_true(fabs((double)rg / mean / (11390100.0 / 50000000.0 * 30.0) - 1.0) < 0.01);
    free(w);
    /* Row groups no larger than the splits: every task reads; even. */
    assert_null(planner_row_group_weights(total, 2, 128 * M, 4 * M, 30, 8 * M, &nomem));
    assert_false(nomem);
    /* One partition: nothing to weigh. */
    assert_null(planner_row_group_weights(100 * M, 1, 128 * M, 4 * M, 1, rg, &nomem));
    assert_false(nomem);
}

/* The files a scan's tasks open: each file cut into ceil(size /
 * maxSplitBytes) pieces, each opened by the task that reads it. */
static void test_input_pieces_count_the_files_tasks_open(void **state)
{
    (void)state;
    const int64_t M = 1024 * 1024;
    /* 1 GiB in 8 files on 16 cores: 66 MiB splits, 2 pieces a file: 16. */
    assert_float_equal(planner_input_pieces(1024 * M, 8, 128 * M, 4 * M, 16), 16.0, 0.0);
    /* On 4 cores a file is one piece: 8. */
    assert_float_equal(planner_input_pieces(1024 * M, 8, 128 * M, 4 * M, 4), 8.0, 0.0);
    /* k8s-nyctaxi-0024's input: 1,945,137,399 bytes in 51 files (38.1 MB
     * each) on 4 cores: bytesPerCore (1945.1 + 51 x 4.19) / 4 = 540 MB, so
     * 128 MiB splits and each file one piece, 51 opened; 38.1 + 4.2 + 38.1
     * + 4.2 + 38.1 <= 134.2 MB packs 3 files a task, ceil(51 / 3) = 17
     * tasks, as the log's scan stages ran. */
    assert_float_equal(planner_input_pieces(1945137399, 51, 128 * M, 4 * M, 4), 51.0, 0.0);
    assert_int_equal(planner_input_partitions(1945137399, 51, 128 * M, 4 * M, 4), 17);
}

static int64_t scan_tasks(const char *spark)
{
    char text[2048];
    snprintf(text, sizeof text,
             HEAD "%s\ntables = { t = { rows = 100000000L; size = \"1280m\"; columns = (\n"
                  "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                  "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                  "  { op = \"count\"; } ); } );\n",
             spark);
    struct plan *s = plan(text);
    int64_t t = job_named(s, "q")->stages[0].tasks;
    plan_done(s);
    return t;
}

/* A 1280 MiB table (10 files of 128 MiB) on 16 cores:
 * bytesPerCore = (1280 + 10 x 4) / 16 = 82.5 MiB, so each file is a piece of
 * 82.5 MiB and one of 45.5 MiB, none sharing: 20 tasks. With
 * maxPartitionBytes 64m: 2 pieces of 64 MiB a file, 20; with 32m: 40; with
 * spark.default.parallelism = 4: bytesPerCore 330 MiB, so 128 MiB splits,
 * one a file: 10. */
static void test_scan_tasks_follow_max_partition_bytes(void **state)
{
    (void)state;
    assert_int_equal(scan_tasks(""), 20);
    assert_int_equal(
        scan_tasks("spark = { sql = { files = { maxPartitionBytes = \"64m\"; }; }; };"), 20);
    assert_int_equal(
        scan_tasks("spark = { sql = { files = { maxPartitionBytes = \"32m\"; }; }; };"), 40);
    assert_int_equal(scan_tasks("spark = { default = { parallelism = 4; }; };"), 10);
}

/* ---- exchanges ------------------------------------------------------------- */

static struct plan *two_table_join(const char *b_size, const char *threshold, bool b_first)
{
    char text[2048];
    snprintf(text, sizeof text,
             HEAD
             "spark = { sql = { autoBroadcastJoinThreshold = %s; }; };\n"
             "tables = {\n"
             "  a = { rows = 100000000L; size = \"1g\"; columns = (\n"
             "    { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"
             "  b = { rows = 1000000L; size = %s; columns = (\n"
             "    { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"
             "};\n"
             "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"%s\"; },\n"
             "  { op = \"join\"; right = \"%s\"; on = [\"k\"]; }, { op = \"count\"; } ); } );\n",
             threshold, b_size, b_first ? "b" : "a", b_first ? "a" : "b");
    return plan(text);
}

/* JoinSelection: canBroadcastBySize is sizeInBytes <= threshold, on the
 * static estimate (one column, so the scan's file size itself). b of
 * exactly 10 MiB = the threshold is broadcast; one byte more and both sides
 * are shuffled and sort-merge joined; -1 turns broadcasts off; with b on
 * the left of an inner join it is still the one built (BuildLeft). */
static void test_broadcast_switches_to_sort_merge_at_threshold(void **state)
{
    (void)state;
    struct plan *s = two_table_join("\"10m\"", "\"10m\"", false);
    const struct plan_job *j = job_named(s, "j");
    assert_int_equal(count_ops(j, "BroadcastHashJoin Inner [k] BuildRight"), 1);
    assert_int_equal(count_ops(j, "SortMergeJoin"), 0);
    assert_int_equal(count_ops(j, "Exchange hashpartitioning"), 0);
    plan_done(s);

    /* Without AQE: its runtime switch to a broadcast (b's shuffle is 9.5
     * MiB) is tested in test_skew. */
    s = two_table_join("10485761", "\"10m\"; adaptive = { enabled = false; }", false);
    j = job_named(s, "j");
    assert_int_equal(count_ops(j, "BroadcastHashJoin"), 0);
    assert_int_equal(count_ops(j, "SortMergeJoin Inner [k]"), 1);
    assert_int_equal(count_ops(j, "Exchange hashpartitioning(k, 200)"), 2);
    assert_int_equal(j->n_stages, 4); /* a map, b map, join + partial count, final count */
    plan_done(s);

    s = two_table_join("\"1m\"", "-1", false);
    j = job_named(s, "j");
    assert_int_equal(count_ops(j, "SortMergeJoin"), 1);
    plan_done(s);

    s = two_table_join("\"1m\"", "\"10m\"", true);
    j = job_named(s, "j");
    assert_int_equal(count_ops(j, "BroadcastHashJoin Inner [k] BuildLeft"), 1);
    plan_done(s);
}

static struct plan *group_by_with(const char *spark)
{
    char text[2048];
    snprintf(
        text, sizeof text,
        HEAD
        "%s\ntables = { t = { rows = 1000000L; columns = (\n"
        "  { name = \"k\"; type = \"int64\"; dist = \"uniform\"; min = 1; max = 50; } ); }; };\n"
        "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
        "  { op = \"group_by\"; keys = [\"k\"]; aggs = [\"count(k) AS n\"]; },\n"
        "  { op = \"collect\"; } ); } );\n",
        spark);
    return plan(text);
}

/* Post-shuffle tasks are spark.sql.shuffle.partitions; with AQE and its
 * coalescing on, spark.sql.adaptive.coalescePartitions.initialPartitionNum
 * when set (SQLConf.numShufflePartitions); without AQE that key is
 * ignored. */
static void test_shuffle_partitions_follow_settings(void **state)
{
    (void)state;
    struct plan *s = group_by_with("spark = { sql = { shuffle = { partitions = 64; }; }; };");
    const struct plan_job *j = job_named(s, "q");
    assert_int_equal(j->n_stages, 2);
    /* The shuffle's partitions (before AQE coalesces them). */
    assert_int_equal(j->stages[1].aqe_partitions_before, 64);
    assert_int_equal(count_ops(j, "Exchange hashpartitioning(k, 64)"), 1);
    plan_done(s);
    s = group_by_with("spark = { sql = { shuffle = { partitions = 64; }; adaptive = { "
                      "coalescePartitions = { initialPartitionNum = 100; }; }; }; };");
    assert_int_equal(job_named(s, "q")->stages[1].aqe_partitions_before, 100);
    plan_done(s);
    s = group_by_with("spark = { sql = { shuffle = { partitions = 64; }; adaptive = { enabled = "
                      "false; coalescePartitions = { initialPartitionNum = 100; }; }; }; };");
    assert_int_equal(job_named(s, "q")->stages[1].tasks, 64);
    plan_done(s);
}

/* coalesce(n) is a narrow dependency (CoalescedRDD): no exchange, and the
 * whole open stage — the scan included — runs as n tasks; it never raises
 * the count. repartition(n) shuffles (RoundRobinPartitioning after a local
 * sort, spark.sql.execution.sortBeforeRepartition). */
static void test_coalesce_stays_narrow(void **state)
{
    (void)state;
    struct plan *s =
        plan(HEAD "tables = { t = { rows = 100000000L; size = \"1280m\"; columns = (\n"
                  "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                  "jobs = (\n"
                  " { name = \"c2\"; query = ( { op = \"scan\"; table = \"t\"; }, { op = "
                  "\"coalesce\"; n = 2; },\n"
                  "   { op = \"collect\"; } ); },\n"
                  " { name = \"c1000\"; query = ( { op = \"scan\"; table = \"t\"; }, { op = "
                  "\"coalesce\"; n = 1000; },\n"
                  "   { op = \"collect\"; } ); },\n"
                  " { name = \"r4\"; query = ( { op = \"scan\"; table = \"t\"; }, { op = "
                  "\"repartition\"; n = 4; },\n"
                  "   { op = \"collect\"; } ); } );\n");
    const struct plan_job *c2 = job_named(s, "c2");
    assert_int_equal(c2->n_stages, 1);
    assert_int_equal(c2->stages[0].tasks, 2);
    expect_ops(&c2->stages[0], "Scan parquet t [k]", "Coalesce 2", "Collect");
    assert_int_equal(job_named(s, "c1000")->stages[0].tasks, 20);
    const struct plan_job *r4 = job_named(s, "r4");
    assert_int_equal(r4->n_stages, 2);
    expect_ops(&r4->stages[0], "Scan parquet t [k]", "Sort (local, before RoundRobinPartitioning)",
               "Exchange RoundRobinPartitioning(4)");
    assert_int_equal(r4->stages[1].tasks, 4);
    plan_done(s);
}

/* orderBy(...).limit(n) is TakeOrderedAndProjectExec (SparkStrategies'
 * SpecialLimits): each task keeps its top n, with no range exchange and no
 * sampling job; collected, the driver merges them (one stage); written, the
 * tasks' tops meet in one partition (Exchange SinglePartition). A limit
 * alone before collect is CollectLimitExec, which reads only as many
 * partitions as hold n rows (executeTake): one task here, which stops
 * once it has n rows. */
static void test_order_by_limit_is_top_k(void **state)
{
    (void)state;
    struct plan *s = plan(
        HEAD
        "tables = { t = { rows = 100000000L; size = \"1280m\"; columns = (\n"
        "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; },\n"
        "  { name = \"v\"; type = \"double\"; dist = \"uniform\"; min = 0; max = 1; } ); }; };\n"
        "jobs = (\n"
        " { name = \"top\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
        "   { op = \"order_by\"; keys = [\"v DESC\"]; }, { op = \"limit\"; n = 10; },\n"
        "   { op = \"collect\"; } ); },\n"
        " { name = \"top_write\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
        "   { op = \"order_by\"; keys = [\"v DESC\"]; }, { op = \"limit\"; n = 10; },\n"
        "   { op = \"write\"; path = \"out\"; } ); },\n"
        " { name = \"limit\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
        "   { op = \"limit\"; n = 10; }, { op = \"collect\"; } ); } );\n");
    const struct plan_job *t = job_named(s, "top");
    assert_int_equal(t->n_stages, 1);
    assert_int_equal(t->stages[0].tasks, 20);
    expect_ops(&t->stages[0], "Scan parquet t [k, v]",
               "TakeOrderedAndProject(limit=10, orderBy=[v DESC])", "Collect");
    assert_int_equal(count_ops(t, "RangePartitioner"), 0);
    const struct plan_job *w = job_named(s, "top_write");
    assert_int_equal(w->n_stages, 2);
    expect_ops(&w->stages[0], "Scan parquet t [k, v]", "TakeOrderedAndProject",
               "Exchange SinglePartition");
    assert_int_equal(w->stages[0].output_records, 200); /* 10 from each of 20 tasks */
    expect_ops(&w->stages[1], "ShuffleRead SinglePartition", "TakeOrderedAndProject",
               "WriteFiles parquet out");
    const struct plan_job *l = job_named(s, "limit");
    assert_int_equal(l->n_stages, 1);
    assert_int_equal(l->stages[0].tasks, 1);
    expect_ops(&l->stages[0], "Scan parquet t [k, v]", "CollectLimit 10");
    /* Its task stops after 10 rows: one reader batch of 4,096 computed,
     * of the 5,000,000 rows its 64 MiB split holds (100 M rows over 20
     * splits); its bytes are still read. The top's task needs all its
     * rows: 5,000,000. */
    assert_int_equal(l->stages[0].input_records, 4096);
    assert_int_equal(t->stages[0].input_records, 100000000);
    assert_true(l->stages[0].input_bytes > 60e6);
    plan_done(s);
}

/* Dataset.count() is groupBy().count() collected: a partial count per
 * task, an Exchange SinglePartition (AllTuples) and a final count in one
 * task, returning one row. Over one input partition the distribution is
 * already satisfied and both run in the scan's stage. */
static void test_count_adds_a_one_task_final_aggregate(void **state)
{
    (void)state;
    struct plan *s =
        plan(HEAD "tables = { big = { rows = 100000000L; size = \"1280m\"; columns = (\n"
                  "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"
                  "  small = { rows = 1000L; columns = (\n"
                  "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                  "jobs = (\n"
                  " { name = \"big\"; query = ( { op = \"scan\"; table = \"big\"; }, { op = "
                  "\"count\"; } ); },\n"
                  " { name = \"small\"; query = ( { op = \"scan\"; table = \"small\"; }, { op = "
                  "\"count\"; } ); } );\n");
    const struct plan_job *b = job_named(s, "big");
    assert_int_equal(b->n_stages, 2);
    assert_int_equal(b->stages[0].tasks, 20);
    expect_ops(&b->stages[0], "Scan parquet big []",
               "HashAggregate(partial, keys=[], functions=[partial_count(1)])",
               "Exchange SinglePartition");
    assert_int_equal(b->stages[0].output_records, 20); /* one partial count a task */
    assert_int_equal(b->stages[1].tasks, 1);
    expect_parents(&b->stages[1], 0);
    expect_ops(&b->stages[1], "ShuffleRead SinglePartition",
               "HashAggregate(final, keys=[], functions=[count(1)])");
    assert_int_equal(b->stages[1].output_records, 1);
    const struct plan_job *sm = job_named(s, "small");
    assert_int_equal(sm->n_stages, 1);
    expect_ops(&sm->stages[0], "Scan parquet small []", "HashAggregate(partial",
               "HashAggregate(final");
    plan_done(s);
}

/* A shuffle moves bytes, it does not make them: what a reduce stage reads
 * is what its parents wrote (reuse aside), and rows likewise. Checked on
 * the analytics query at production size. */
static void test_shuffle_bytes_written_equal_bytes_read(void **state)
{
    (void)state;
    struct plan *s = plan(
        HEAD "tables = {\n"
             "  employees = { rows = 100000000L; size = \"1.5g\"; columns = (\n"
             "    { name = \"emp_id\"; type = \"int64\"; dist = \"sequence\"; },\n"
             "    { name = \"dept_code\"; type = \"string\"; dist = \"zipf\"; distinct = 500; },\n"
             "    { name = \"salary\"; type = \"int64\"; dist = \"uniform\"; min = 100; max = "
             "1000000; },\n"
             "    { name = \"hire_date\"; type = \"string\"; dist = \"uniform\"; min = 1; max = "
             "12; } ); };\n"
             "  departments = { rows = 500L; columns = (\n"
             "    { name = \"dept_id\"; type = \"int64\"; dist = \"sequence\"; },\n"
             "    { name = \"dept_code\"; type = \"string\"; dist = \"sequence\"; },\n"
             "    { name = \"dept_name\"; type = \"string\"; dist = \"sequence\"; },\n"
             "    { name = \"status\"; type = \"string\"; dist = \"sequence\"; } ); };\n"
             "};\n" ANALYTICS_QUERY);
    const struct plan_job *j = job_named(s, "analytics");
    size_t checked = 0;
    for (size_t k = 0; k < j->n_stages; k++) {
        const struct plan_stage *st = &j->stages[k];
        if (st->shuffle_read_bytes <= 0)
            continue;
        int64_t written = 0, rows = 0;
        for (size_t p = 0; p < st->n_parents; p++) {
            written += j->stages[st->parents[p]].shuffle_write_bytes;
            if (j->stages[st->parents[p]].shuffle_write_bytes > 0)
                rows += j->stages[st->parents[p]].output_records;
        }
        assert_int_equal(st->shuffle_read_bytes, written);
        assert_int_equal(st->input_records, rows);
        checked++;
    }
    assert_int_equal(checked, 3); /* sampling, range map, result */
    /* 1.5 GiB is 12 files of 128 MiB; on 16 cores bytesPerCore is
     * (1536 + 12 x 4) / 16 = 99 MiB, so each file gives a 99 MiB piece (12
     * partitions) and a 29 MiB rest, three rests to a partition
     * ((3 - 1)(29 + 4) + 29 = 95 <= 99): 12 + 4 = 16 scan tasks. Each file
     * is one 128 MiB row group whose midpoint (64 MiB) is in its 99 MiB
     * piece: the 12 first partitions read everything, each partially
     * aggregating into 500 x 3 groups, and the 4 of rests read nothing. */
    assert_int_equal(j->stages[1].tasks, 16);
    assert_int_equal(j->stages[1].output_records, 12 * 1500);
    plan_done(s);
}

/* sample(false, 0.25, 7) then orderBy: the sample runs in the scan's stage
 * (SampleExec is narrow), before the range exchange, and keeps a quarter of
 * the 1,000,000 rows: the sort stage reads 250,000 (Sample.computeStats
 * scales the rows by the fraction). The sampling job of the range
 * partitioner runs the same operators. A seed left out is not printed. */
static void test_sample_is_narrow_and_scales_rows(void **state)
{
    (void)state;
    struct plan *s = plan(HEAD "tables = { t = { rows = 1000000L; columns = (\n"
                               "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                               "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                               "  { op = \"sample\"; fraction = 0.25; seed = 7; },\n"
                               "  { op = \"order_by\"; keys = [\"k\"]; }, { op = \"collect\"; } ); } );\n");
    const struct plan_job *j = job_named(s, "q");
    assert_int_equal(j->n_stages, 3);
    expect_ops(&j->stages[0], "Scan parquet t [k]", "Sample 0.0, 0.25, false, 7",
               "RangePartitioner sample");
    expect_ops(&j->stages[1], "Scan parquet t [k]", "Sample 0.0, 0.25, false, 7",
               "Exchange rangepartitioning(k ASC, 200)");
    expect_ops(&j->stages[2], "ShuffleRead rangepartitioning(k ASC, 200)", "Sort [k ASC]",
               "Collect");
    assert_int_equal(j->stages[1].input_records, 1000000);
    assert_int_equal(j->stages[2].input_records, 250000);
    assert_int_equal(j->stages[2].output_records, 250000);
    plan_done(s);

    s = plan(HEAD "tables = { t = { rows = 1000L; columns = (\n"
                  "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                  "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                  "  { op = \"sample\"; fraction = 0.5; }, { op = \"count\"; } ); } );\n");
    j = job_named(s, "q");
    /* One scan partition: count's final aggregate needs no exchange. */
    expect_ops(&j->stages[0], "Scan parquet t []", "Sample 0.0, 0.5, false",
               "HashAggregate(partial, keys=[]", "HashAggregate(final, keys=[]");
    assert_int_equal((int)strlen(j->stages[0].ops[1].text), (int)strlen("Sample 0.0, 0.5, false"));
    plan_done(s);
}

/* ---- errors ---------------------------------------------------------------- */

static void expect_plan_error(const char *text, int line, const char *want)
{
    struct scenario *s = load_text(text);
    struct cluster cl = cluster_of(4, 4);
    struct diag d;
    diag_clear(&d);
    struct plan *p = planner_plan(s, &cl, NULL, &d);
    enum sc_status rc = p ? SC_OK : d.status;
    char msg[1200];
    diag_format(&d, msg, sizeof msg);
    plan_free(p);
    scenario_free(s);
    if (rc != SC_EINPUT || d.line != line || !strstr(d.msg, want))
        fail_msg("expected SC_EINPUT at line %d with '%s', got %s: %s", line, want,
                 sc_status_name(rc), msg);
}

/* An unknown column is the step's error, at its line, with a suggestion. */
static void test_unknown_columns_fail_at_the_step(void **state)
{
    (void)state;
    expect_plan_error(
        HEAD "tables = { t = { rows = 10L; columns = (\n"
             "  { name = \"dept_code\"; type = \"string\"; dist = \"sequence\"; } ); }; };\n"
             "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
             "  { op = \"group_by\"; keys = [\"dept\"]; aggs = [\"count(1) AS n\"]; },\n"
             "  { op = \"collect\"; } ); } );\n",
        6, "did you mean 'dept_code'?");
    expect_plan_error(HEAD
                      "tables = { t = { rows = 10L; columns = (\n"
                      "  { name = \"salary\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                      "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                      "  { op = \"group_by\"; keys = []; aggs = [\"avg(salry) AS a\"]; },\n"
                      "  { op = \"collect\"; } ); } );\n",
                      6, "reads column 'salry'");
    expect_plan_error(HEAD "tables = { t = { rows = 10L; columns = (\n"
                           "  { name = \"a\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                           "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                           "  { op = \"select\"; cols = [\"b\"]; },\n"
                           "  { op = \"collect\"; } ); } );\n",
                      6, "select names column 'b'");
    /* Spark runs nothing for a DataFrame without an action. */
    expect_plan_error(HEAD "tables = { t = { rows = 10L; columns = (\n"
                           "  { name = \"a\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                           "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                           "  { op = \"filter\"; where = \"a > 1\"; } ); } );\n",
                      6, "without an action");
}

/* ---- statistics ------------------------------------------------------------- */

static struct plan_column col_of(const struct column_spec *spec, double rows)
{
    struct plan_column c;
    memset(&c, 0, sizeof c);
    c.name = spec->name;
    c.type = spec->type;
    c.spec = spec;
    c.table_rows = rows;
    c.ndv = plan_stats_column_ndv(spec, rows);
    c.width_bytes = plan_stats_column_width(spec, rows);
    c.null_fraction = spec->null_fraction;
    return c;
}

static double sel(const char *where, const struct plan_column *cols, size_t n)
{
    return plan_stats_default_selectivity(NULL, where, cols, n, 1000.0, NULL);
}

/* Selectivities from the distributions: a uniform integer column's
 * discrete CDF, a sequence 1..rows, a categorical's weights, the null
 * fraction; AND multiplies, OR adds the misses' complement, NOT
 * complements; `x % k = r` is 1/k; anything unread is System R's 1/3. */
/* A date column uniform over 2024 (2024-01-01 is day 19723, 2024-12-31 day
 * 20088: 366 days, a leap year). A string or DATE literal compared with it
 * is a date, as Spark casts it: sale_date >= '2024-12-01' (day 20058) keeps
 * the 31 days of December, 31/366 = 0.0847; < '2024-02-01' keeps January,
 * 31/366; = '2024-06-15' one day, 1/366; BETWEEN '2024-03-01' AND
 * '2024-03-31' March, 31/366. Without the cast it would be System R's 1/3. */
static void test_date_filters_read_the_dates(void **state)
{
    (void)state;
    struct column_spec d = {.name = "sale_date", .type = COL_DATE, .dist = CDIST_UNIFORM};
    d.min = 19723;
    d.max = 20088;
    struct plan_column c = col_of(&d, 1e7);
    assert_near(plan_stats_default_selectivity(NULL, "sale_date >= '2024-12-01'", &c, 1, 1e7, NULL),
                31.0 / 366.0, 1e-9);
    assert_near(
        plan_stats_default_selectivity(NULL, "sale_date >= DATE '2024-12-01'", &c, 1, 1e7, NULL),
        31.0 / 366.0, 1e-9);
    assert_near(plan_stats_default_selectivity(NULL, "sale_date < '2024-02-01'", &c, 1, 1e7, NULL),
                31.0 / 366.0, 1e-9);
    assert_near(plan_stats_default_selectivity(NULL, "sale_date = '2024-06-15'", &c, 1, 1e7, NULL),
                1.0 / 366.0, 1e-9);
    assert_near(plan_stats_default_selectivity(
                    NULL, "sale_date BETWEEN '2024-03-01' AND '2024-03-31'", &c, 1, 1e7, NULL),
                31.0 / 366.0, 1e-9);
}

/* A timestamp column uniform over 2024 in microseconds: from 2024-01-01
 * 00:00:00 (day 19723, 19723 * 86400e6 us) to 2025-01-01 00:00:00 (day
 * 20089), D = 86400e6 us a day, N = 366 D + 1 values. ts >= '2024-12-01'
 * (day 20058, its midnight) keeps the last 31 D + 1 of them: 31/366 to
 * 1e-12; ts < TIMESTAMP '2024-01-01 12:00:00' keeps half a day, 0.5/366;
 * the days of March written as a range of timestamps, 31/366. Through
 * to_date(ts) or cast(ts AS date), a day k is k D <= ts < (k + 1) D: = one
 * day is 1/366, >= December 31/366, <= January 31/366. A date column met
 * by a TIMESTAMP is compared at its midnights: sale_date >= 2024-11-30
 * 12:00 keeps December, 31/366. */
static void test_timestamp_filters_read_the_timestamps(void **state)
{
    (void)state;
    const double day = 86400e6;
    struct column_spec t = {.name = "ts", .type = COL_TIMESTAMP, .dist = CDIST_UNIFORM};
    t.min = 19723 * day;
    t.max = 20089 * day;
    struct plan_column c = col_of(&t, 1e7);
    static const struct {
        const char *where;
        double want;
    } cases[] = {
        {"ts >= '2024-12-01'", 31.0 / 366.0},
        {"ts >= '2024-12-01 00:00:00'", 31.0 / 366.0},
        {"'2024-12-01T00:00:00' <= ts", 31.0 / 366.0},
        {"ts < TIMESTAMP '2024-01-01 12:00:00'", 0.5 / 366.0},
        {"ts BETWEEN '2024-03-01' AND '2024-03-31 23:59:59.999999'", 31.0 / 366.0},
        {"to_date(ts) = '2024-06-15'", 1.0 / 366.0},
        {"to_date(ts) = DATE '2024-06-15'", 1.0 / 366.0},
        {"CAST(ts AS DATE) >= '2024-12-01'", 31.0 / 366.0},
        {"to_date(ts) <= '2024-01-31'", 31.0 / 366.0},
        {"to_date(ts) > '2024-11-30'", 31.0 / 366.0},
        {"to_date(ts) < '2024-02-01'", 31.0 / 366.0},
        {"to_date(ts) BETWEEN '2024-03-01' AND '2024-03-31'", 31.0 / 366.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got = plan_stats_default_selectivity(NULL, cases[i].where, &c, 1, 1e7, NULL);
        if (fabs(got - cases[i].want) > 1e-9)
            fail_msg("'%s': %.12f, expected %.12f", cases[i].where, got, cases[i].want);
    }
    struct column_spec d = {.name = "sale_date", .type = COL_DATE, .dist = CDIST_UNIFORM};
    d.min = 19723;
    d.max = 20088;
    struct plan_column dc = col_of(&d, 1e7);
    assert_near(plan_stats_default_selectivity(NULL, "sale_date >= TIMESTAMP '2024-11-30 12:00:00'",
                                               &dc, 1, 1e7, NULL),
                31.0 / 366.0, 1e-9);
    assert_near(plan_stats_default_selectivity(NULL, "to_date(sale_date) >= '2024-12-01'", &dc, 1,
                                               1e7, NULL),
                31.0 / 366.0, 1e-9);
}

static void test_default_selectivity_reads_the_distributions(void **state)
{
    (void)state;
    char *band_values[] = {"Low", "High"};
    double weights[] = {3.0, 1.0};
    struct column_spec salary = {
        .name = "salary", .type = COL_INT64, .dist = CDIST_UNIFORM, .min = 100, .max = 1000000};
    struct column_spec id = {.name = "id", .type = COL_INT64, .dist = CDIST_SEQUENCE};
    struct column_spec band = {.name = "band",
                               .type = COL_STRING,
                               .dist = CDIST_CATEGORICAL,
                               .values = {band_values, 2},
                               .weights = weights};
    struct column_spec bonus = {.name = "bonus",
                                .type = COL_DOUBLE,
                                .dist = CDIST_NORMAL,
                                .mean = 5000,
                                .stddev = 1500,
                                .null_fraction = 0.25};
    struct plan_column cols[4] = {col_of(&salary, 1000), col_of(&id, 1000), col_of(&band, 1000),
                                  col_of(&bonus, 1000)};
    /* 950,000 of the 999,901 integers 100..1e6 exceed 50,000. */
    assert_near(sel("salary > 50000", cols, 4), 950000.0 / 999901.0, 1e-12);
    assert_near(sel("50000 < salary", cols, 4), 950000.0 / 999901.0, 1e-12);
    assert_near(sel("id <= 250", cols, 4), 0.25, 1e-12);
    assert_near(sel("id < 250", cols, 4), 0.249, 1e-12);
    assert_near(sel("id = 7", cols, 4), 0.001, 1e-12);
    assert_near(sel("id BETWEEN 101 AND 200", cols, 4), 0.1, 1e-12);
    assert_near(sel("band = 'Low'", cols, 4), 0.75, 1e-12);
    assert_near(sel("band IN ('Low', 'High')", cols, 4), 1.0, 1e-12);
    assert_near(sel("bonus IS NULL", cols, 4), 0.25, 1e-12);
    /* Nulls fail comparisons: 0.75 x P(N(5000, 1500) > 5000) = 0.375. */
    assert_near(sel("bonus > 5000", cols, 4), 0.375, 1e-9);
    assert_near(sel("id <= 250 AND band = 'High'", cols, 4), 0.0625, 1e-12);
    assert_near(sel("id <= 250 OR band = 'High'", cols, 4), 1.0 - 0.75 * 0.75, 1e-12);
    assert_near(sel("NOT (id <= 250)", cols, 4), 0.75, 1e-12);
    assert_near(sel("id % 2 == 0", cols, 4), 0.5, 1e-12);
    assert_near(sel("upper(band) LIKE 'L%'", cols, 4), PLAN_STATS_DEFAULT_SELECTIVITY, 1e-12);
}

/* The default estimator says which of its figures are defaults (what
 * calibration may replace) and which it read from the distributions. x is
 * uniform over 1..1000, d a date uniform over 2023-2024. */
static void test_default_estimates_say_when_they_fall_back(void **state)
{
    (void)state;
    struct column_spec xs = {
        .name = "x", .type = COL_INT64, .dist = CDIST_UNIFORM, .min = 1, .max = 1000};
    struct column_spec ds = {
        .name = "d", .type = COL_DATE, .dist = CDIST_UNIFORM, .min = 19358, .max = 20088};
    struct plan_column cols[2] = {col_of(&xs, 1e6), col_of(&ds, 1e6)};
    enum plan_est src = PLAN_EST_NONE;
    /* x <= 250: the CDF, 250/1000. */
    assert_near(plan_stats_default_selectivity(NULL, "x <= 250", cols, 2, 1e6, &src), 0.25, 1e-12);
    assert_int_equal(src, PLAN_EST_DISTRIBUTION);
    /* x % 4 = 0: residues spread evenly, 1/4, read from the text. */
    assert_near(plan_stats_default_selectivity(NULL, "x % 4 = 0", cols, 2, 1e6, &src), 0.25, 1e-12);
    assert_int_equal(src, PLAN_EST_DISTRIBUTION);
    /* year(d) = 2024 is not read: System R's 1/10 for an equality, a
     * default (the truth is 366/731). */
    assert_near(plan_stats_default_selectivity(NULL, "year(d) = 2024", cols, 2, 1e6, &src), 0.1,
                1e-12);
    assert_int_equal(src, PLAN_EST_DEFAULT);
    /* One defaulted conjunct makes the whole predicate a default:
     * 0.25 * 1/3. */
    assert_near(plan_stats_default_selectivity(NULL, "x <= 250 AND abs(x) > 7", cols, 2, 1e6, &src),
                0.25 / 3.0, 1e-12);
    assert_int_equal(src, PLAN_EST_DEFAULT);
    /* A derived column of unknown distinct values: NAN (unique), a
     * default; an equality or a grouping on it is one too. */
    assert_true(isnan(plan_stats_default_expr_ndv(NULL, "abs(x - 500)", cols, 2, 1e6, &src)));
    assert_int_equal(src, PLAN_EST_DEFAULT);
    assert_near(plan_stats_default_expr_ndv(NULL, "x % 7", cols, 2, 1e6, &src), 7, 0);
    assert_int_equal(src, PLAN_EST_DISTRIBUTION);
    struct plan_column derived = {.name = "h", .type = COL_INT64, .ndv = 1e6, .ndv_default = true};
    plan_stats_default_selectivity(NULL, "h = 3", &derived, 1, 1e6, &src);
    assert_int_equal(src, PLAN_EST_DEFAULT);
    plan_stats_default_group_count(NULL, &derived, 1, 1e6, &src);
    assert_int_equal(src, PLAN_EST_DEFAULT);
    plan_stats_default_group_count(NULL, cols, 1, 1e6, &src);
    assert_int_equal(src, PLAN_EST_DISTRIBUTION);
}

/* Groups: the keys' distinct counts multiplied, and n rows drawn from G
 * groups see G (1 - exp(-n / G)) of them. Distinct counts: zipf and
 * categorical have their values, a uniform integer range its width, a
 * sequence is unique. */
static void test_default_group_count_and_distinct_values(void **state)
{
    (void)state;
    char *v[] = {"a", "b", "c"};
    struct column_spec dept = {.name = "d", .type = COL_STRING, .dist = CDIST_ZIPF, .distinct = 5};
    struct column_spec cat = {
        .name = "c", .type = COL_STRING, .dist = CDIST_CATEGORICAL, .values = {v, 3}};
    struct column_spec u = {
        .name = "u", .type = COL_INT32, .dist = CDIST_UNIFORM, .min = 1, .max = 50};
    struct column_spec seq = {.name = "s", .type = COL_INT64, .dist = CDIST_SEQUENCE};
    assert_near(plan_stats_column_ndv(&dept, 1e6), 5, 0);
    assert_near(plan_stats_column_ndv(&cat, 1e6), 3, 0);
    assert_near(plan_stats_column_ndv(&u, 1e6), 50, 0);
    assert_near(plan_stats_column_ndv(&u, 20), 20, 0); /* never more than the rows */
    assert_near(plan_stats_column_ndv(&seq, 1e6), 1e6, 0);
    struct plan_column keys[2] = {col_of(&dept, 1e6), col_of(&cat, 1e6)};
    assert_near(plan_stats_default_group_count(NULL, keys, 2, 6e6, NULL), 15.0, 1e-9);
    assert_near(plan_stats_default_group_count(NULL, keys, 2, 10.0, NULL),
                15.0 * (1.0 - exp(-10.0 / 15.0)), 1e-9);
    assert_near(plan_stats_default_group_count(NULL, keys, 0, 1e6, NULL), 1.0, 0);
    /* A derived column: id % 100 has 100 values, a CASE its branches. */
    struct plan_column idc = col_of(&seq, 1e6);
    assert_near(plan_stats_default_expr_ndv(NULL, "s % 100", &idc, 1, 1e6, NULL), 100, 0);
    assert_near(plan_stats_default_expr_ndv(NULL,
                                            "CASE WHEN s > 8 THEN 'High' WHEN s > 6 THEN "
                                            "'Medium' ELSE 'Low' END",
                                            &idc, 1, 1e6, NULL),
                3, 0);
    assert_near(plan_stats_default_expr_ndv(NULL, "s * 2", &idc, 1, 1e6, NULL), 1e6, 0);
    /* System R's equi-join: |L| |R| / max(ndv); a left join keeps the
     * unmatched left rows. */
    struct plan_column lk = idc, rk = idc;
    lk.ndv = 1000;
    rk.ndv = 1000;
    assert_near(plan_stats_default_join_rows(NULL, "inner", 1e5, 1e3, &lk, &rk, 1), 1e5, 1e-6);
    rk.ndv = 500;
    assert_near(plan_stats_default_join_rows(NULL, "left", 1e5, 500, &lk, &rk, 1),
                1e5 * 500 / 1000 + 1e5 * 0.5, 1e-6);
}

/* Join sizes by hand, System R with containment (plan_stats.c). One key:
 * L = 10,000 rows with 1,000 values, R = 2,000 rows with 500 values:
 * inner 10,000 x 2,000 / 1,000 = 20,000; a left row matches with
 * probability 500/1000, so left semi 5,000, anti 5,000, left outer
 * 20,000 + 5,000 = 25,000; every right row matches: right outer 20,000;
 * full 25,000. */
static void test_join_sizes_by_hand_one_key(void **state)
{
    (void)state;
    struct plan_column lk = {0}, rk = {0};
    lk.ndv = 1000;
    rk.ndv = 500;
    const double L = 1e4, R = 2e3;
    assert_near(plan_stats_default_join_rows(NULL, "inner", L, R, &lk, &rk, 1), 20000, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "left_semi", L, R, &lk, &rk, 1), 5000, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "left_anti", L, R, &lk, &rk, 1), 5000, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "left", L, R, &lk, &rk, 1), 25000, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "right_outer", L, R, &lk, &rk, 1), 20000, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "full", L, R, &lk, &rk, 1), 25000, 1e-6);
    /* A many-to-one lookup onto a unique right key (R = 100 rows, 100
     * values; L = 10,000 rows, 100 values): every left row finds its one
     * match, inner = 10,000 x 100 / 100 = 10,000 = L, and a right join
     * keeps the 100 right rows at least. */
    lk.ndv = 100;
    rk.ndv = 100;
    assert_near(plan_stats_default_join_rows(NULL, "inner", L, 100, &lk, &rk, 1), L, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "right", L, 100, &lk, &rk, 1), L, 1e-6);
    /* An empty side: a left join keeps the left, a right join the right,
     * an inner join nothing. */
    assert_near(plan_stats_default_join_rows(NULL, "left", L, 0, &lk, &rk, 1), L, 0);
    assert_near(plan_stats_default_join_rows(NULL, "right", 0, R, &lk, &rk, 1), R, 0);
    assert_near(plan_stats_default_join_rows(NULL, "full", 0, R, &lk, &rk, 1), R, 0);
    assert_near(plan_stats_default_join_rows(NULL, "inner", 0, R, &lk, &rk, 1), 0, 0);
}

/* Two keys: a 16,400,000-row left side and a 50,000-row right side, keys
 * of 20,000 and 30,000 distinct values on the left and 10,000 and 20,000
 * on the right. The key combinations are capped by the rows: D_L =
 * min(6e8, 1.64e7) = 1.64e7, D_R = min(2e8, 5e4) = 5e4. Inner: 1.64e7 x 5e4
 * / 1.64e7 = 50,000; a left row matches with probability 5e4 / 1.64e7, so
 * the left join keeps 1.64e7 x (1 - 5e4/1.64e7) = 16,350,000 unmatched and
 * gives 16,400,000 rows in all: never fewer than its preserved side
 * (uncapped, the product 6e8 made it 1.64e7 x 5e4 / 6e8 = 1,367 matches and
 * a semi join of 1,367 rows). */
static void test_join_sizes_by_hand_two_keys(void **state)
{
    (void)state;
    struct plan_column lk[2] = {{0}, {0}}, rk[2] = {{0}, {0}};
    lk[0].ndv = 2e4;
    lk[1].ndv = 3e4;
    rk[0].ndv = 1e4;
    rk[1].ndv = 2e4;
    const double L = 1.64e7, R = 5e4;
    assert_near(plan_stats_default_join_rows(NULL, "inner", L, R, lk, rk, 2), 5e4, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "left_semi", L, R, lk, rk, 2), 5e4, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "left_anti", L, R, lk, rk, 2), L - 5e4, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "left_outer", L, R, lk, rk, 2), L, 1e-6);
    assert_true(plan_stats_default_join_rows(NULL, "left_outer", L, R, lk, rk, 2) >= L);
    /* Every right combination is among the left's: the right join is the
     * inner join, but never below R. */
    assert_near(plan_stats_default_join_rows(NULL, "right_outer", L, R, lk, rk, 2), 5e4, 1e-6);
    assert_near(plan_stats_default_join_rows(NULL, "full_outer", L, R, lk, rk, 2), L, 1e-6);
    /* Small domains stay their product: 10 x 20 = 200 combinations on both
     * sides of 10,000 rows: inner 10,000^2 / 200 = 500,000. */
    for (int i = 0; i < 2; i++) {
        lk[i].ndv = rk[i].ndv = i == 0 ? 10 : 20;
    }
    assert_near(plan_stats_default_join_rows(NULL, "inner", 1e4, 1e4, lk, rk, 2), 5e5, 1e-6);
}

static double fixed_selectivity(void *ctx, const char *where, const struct plan_column *cols,
                                size_t n, double rows, enum plan_est *src)
{
    (void)src;
    (void)where;
    (void)cols;
    (void)n;
    (void)rows;
    return *(const double *)ctx;
}

static double fixed_groups(void *ctx, const struct plan_column *keys, size_t n, double rows,
                           enum plan_est *src)
{
    (void)src;
    (void)ctx;
    (void)keys;
    (void)rows;
    return n ? 42.0 : 1.0;
}

/* Calibration plugs its measurements in through struct plan_stats: the
 * planner's rows follow what the callbacks say (the filter's own estimate,
 * 1/7, is overridden by the callback's 1/2). */
static void test_stats_interface_drives_the_estimates(void **state)
{
    (void)state;
    double half = 0.5;
    struct plan_stats st = *plan_stats_default();
    st.ctx = &half;
    st.filter_selectivity = fixed_selectivity;
    st.group_count = fixed_groups;
    struct plan *s =
        plan_with(HEAD "tables = { t = { rows = 1000L; columns = (\n"
                       "  { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                       "jobs = ( { name = \"q\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                       "  { op = \"filter\"; where = \"k % 7 = 3\"; },\n"
                       "  { op = \"group_by\"; keys = [\"k\"]; aggs = [\"count(k) AS n\"]; },\n"
                       "  { op = \"collect\"; } ); } );\n",
                  &st);
    const struct plan_job *j = job_named(s, "q");
    assert_int_equal(j->stages[0].input_records, 1000);
    assert_int_equal(j->stages[0].output_records, 42); /* one task's partial groups */
    assert_int_equal(j->stages[1].output_records, 42);
    plan_done(s);
}

/* ---- every planned scenario ---------------------------------------------------- */

/* Invariants over the bundled scenarios and the reader's full fixture:
 * stages are listed parents first (ids ascend along every edge), every
 * planned stage has operators, a kernel and at least one task, and every
 * Spark job number is used. */
static void test_bundled_scenarios_plan_consistently(void **state)
{
    (void)state;
    const char *top = getenv("SRCDIR");
    char pattern[1024];
    snprintf(pattern, sizeof pattern, "%s/scenarios/*.cfg", top && *top ? top : ".");
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    char full[1024];
    snprintf(full, sizeof full, "%s/tests/scenarios/good/full.cfg", top && *top ? top : ".");
    size_t planned = 0;
    for (size_t i = 0; i <= g.gl_pathc; i++) {
        const char *path = i < g.gl_pathc ? g.gl_pathv[i] : full;
        struct diag d;
        diag_clear(&d);
        struct scenario *s = scenario_load(path, &d);
        if (!s) {
            char msg[1200];
            fail_msg("%s: %s", path, diag_format(&d, msg, sizeof msg));
        }
        struct cluster cl = cluster_of(16, 8);
        struct plan *p = planner_plan(s, &cl, NULL, &d);
        if (!p) {
            char msg[1200];
            fail_msg("%s: %s", path, diag_format(&d, msg, sizeof msg));
        }
        for (size_t j = 0; j < p->n_jobs; j++) {
            const struct plan_job *job = &p->jobs[j];
            if (!job->planned)
                continue;
            planned++;
            int max_job = -1;
            for (size_t k = 0; k < job->n_stages; k++) {
                const struct plan_stage *st = &job->stages[k];
                assert_int_equal(st->id, (int64_t)k);
                assert_true(st->tasks >= 1);
                assert_true(st->n_ops >= 1);
                assert_non_null(st->kernel);
                assert_false(st->has_task_seconds);
                for (size_t q = 0; q < st->n_parents; q++)
                    assert_true(st->parents[q] < st->id);
                if (st->spark_job > max_job)
                    max_job = st->spark_job;
            }
            for (int sj = 0; sj <= max_job; sj++) {
                bool used = false;
                for (size_t k = 0; k < job->n_stages; k++)
                    used |= job->stages[k].spark_job == sj;
                assert_true(used);
            }
        }
        /* The scenario is only read: planning it again gives the same
         * stages. */
        struct plan *again = planner_plan(s, &cl, NULL, &d);
        assert_non_null(again);
        for (size_t j = 0; j < p->n_jobs; j++) {
            assert_int_equal(again->jobs[j].n_stages, p->jobs[j].n_stages);
            for (size_t k = 0; k < p->jobs[j].n_stages; k++) {
                const struct plan_stage *a = &p->jobs[j].stages[k], *b = &again->jobs[j].stages[k];
                assert_int_equal(a->tasks, b->tasks);
                assert_int_equal(a->n_ops, b->n_ops);
                for (size_t o = 0; o < a->n_ops; o++)
                    assert_string_equal(a->ops[o].text, b->ops[o].text);
            }
        }
        plan_free(again);
        plan_free(p);
        scenario_free(s);
    }
    globfree(&g);
    assert_true(planned >= 30);
}

/* Runs the real binary (STAGECAST, as make check sets it) with args,
 * returning its exit status and its stdout and stderr in out and err. */
static int run_binary(const char *args, char **out, char **err)
{
    const char *bin = getenv("STAGECAST");
    char o[64], e[64], cmd[2048];
    snprintf(o, sizeof o, "/tmp/test_planner_out_XXXXXX");
    snprintf(e, sizeof e, "/tmp/test_planner_err_XXXXXX");
    int fo = mkstemp(o), fe = mkstemp(e);
    assert_true(fo >= 0 && fe >= 0);
    close(fo);
    close(fe);
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>'%s' </dev/null", bin, args, o, e);
    int st = system(cmd);
    char *bufs[2] = {NULL, NULL};
    const char *paths[2] = {o, e};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(paths[i], "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        bufs[i] = calloc((size_t)n + 1, 1);
        assert_non_null(bufs[i]);
        size_t got = fread(bufs[i], 1, (size_t)n, f);
        bufs[i][got] = '\0';
        fclose(f);
        unlink(paths[i]);
    }
    *out = bufs[0];
    *err = bufs[1];
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* `stagecast plan` prints the analytics query's five stages with their
 * operators; `run --json` gives each planned stage its ops and estimated
 * records; a plan error exits 2 with one file:line message. Skipped when
 * the binary is not given (outside make check). */
static void test_cli_plans_prints_and_reports(void **state)
{
    (void)state;
    const char *top = getenv("SRCDIR");
    if (!getenv("STAGECAST") || !top) {
        skip();
        return;
    }
    char args[1024];
    char *out, *err;
    snprintf(args, sizeof args, "plan '%s/scenarios/seed-analytics.cfg'", top);
    assert_int_equal(run_binary(args, &out, &err), 0);
    assert_non_null(strstr(out, "5 stages in 5 Spark jobs"));
    assert_non_null(strstr(out, "Exchange hashpartitioning(dept_code, salary_category, 200)"));
    assert_non_null(strstr(out, "RangePartitioner sample"));
    free(out);
    free(err);
    snprintf(args, sizeof args, "run '%s/scenarios/seed-test-join.cfg' --json -", top);
    assert_int_equal(run_binary(args, &out, &err), 0);
    json_error_t jerr;
    json_t *root = json_loads(out, 0, &jerr);
    assert_non_null(root);
    json_t *stages = json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "stages");
    assert_int_equal(json_array_size(stages), 2);
    json_t *probe = json_array_get(stages, 1);
    json_t *ops = json_object_get(probe, "ops");
    assert_int_equal(json_array_size(ops), 5);
    assert_string_equal(json_string_value(json_array_get(ops, 2)),
                        "BroadcastHashJoin Inner [key] BuildRight");
    assert_int_equal(json_integer_value(json_object_get(probe, "input_records")), 100000);
    assert_int_equal(json_integer_value(json_object_get(probe, "output_records")), 1);
    json_decref(root);
    free(out);
    free(err);
    snprintf(args, sizeof args, "plan '%s/tests/scenarios/bad/plan-unknown-column.cfg'", top);
    assert_int_equal(run_binary(args, &out, &err), 2);
    assert_non_null(strstr(err, "plan-unknown-column.cfg:12: step 2 (join) of job 'q'"));
    assert_null(strchr(strchr(err, '\n') ? strchr(err, '\n') + 1 : err, '\n'));
    free(out);
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_analytics_query_runs_as_five_aqe_jobs),
        cmocka_unit_test(test_analytics_query_without_aqe_runs_three_jobs),
        cmocka_unit_test(test_seed_aggregation_is_partial_exchange_final),
        cmocka_unit_test(test_sample_is_narrow_and_scales_rows),
        cmocka_unit_test(test_date_filters_read_the_dates),
        cmocka_unit_test(test_timestamp_filters_read_the_timestamps),
        cmocka_unit_test(test_join_sizes_by_hand_one_key),
        cmocka_unit_test(test_join_sizes_by_hand_two_keys),
        cmocka_unit_test(test_seed_join_broadcasts_the_small_side),
        cmocka_unit_test(test_seed_window_under_count_is_pruned),
        cmocka_unit_test(test_seed_shuffle_operations),
        cmocka_unit_test(test_seed_narrow_and_wide_transformations),
        cmocka_unit_test(test_self_join_reuses_its_exchange),
        cmocka_unit_test(test_join_with_aggregate_keeps_its_partitioning),
        cmocka_unit_test(test_input_partitions_follow_file_partition_arithmetic),
        cmocka_unit_test(test_row_groups_decide_which_scan_tasks_read),
        cmocka_unit_test(test_input_pieces_count_the_files_tasks_open),
        cmocka_unit_test(test_scan_tasks_follow_max_partition_bytes),
        cmocka_unit_test(test_broadcast_switches_to_sort_merge_at_threshold),
        cmocka_unit_test(test_shuffle_partitions_follow_settings),
        cmocka_unit_test(test_coalesce_stays_narrow),
        cmocka_unit_test(test_order_by_limit_is_top_k),
        cmocka_unit_test(test_count_adds_a_one_task_final_aggregate),
        cmocka_unit_test(test_shuffle_bytes_written_equal_bytes_read),
        cmocka_unit_test(test_unknown_columns_fail_at_the_step),
        cmocka_unit_test(test_default_selectivity_reads_the_distributions),
        cmocka_unit_test(test_default_estimates_say_when_they_fall_back),
        cmocka_unit_test(test_default_group_count_and_distinct_values),
        cmocka_unit_test(test_stats_interface_drives_the_estimates),
        cmocka_unit_test(test_bundled_scenarios_plan_consistently),
        cmocka_unit_test(test_cli_plans_prints_and_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
