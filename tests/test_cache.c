/*
 * test_cache.c — df.cache(): the planner turns later reads of cached data
 * into InMemoryTableScan stages that read no storage (Spark's
 * CacheManager), the stage that computes the data records what it caches,
 * the runtime keeps the cached bytes in the executors' storage memory,
 * where they shrink the execution memory of later tasks (Spark's
 * UnifiedMemoryManager, models/memory.h) and what does not fit goes to
 * local disk (MEMORY_AND_DISK), and the bundled scenario runs from the
 * command line with its later actions faster than the first.
 *
 * Every expected number is worked out by hand in the test.
 */
#define _DEFAULT_SOURCE /* mkstemps, mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/memory.h"
#include "sim/plan/planner.h"
#include "sim/runtime/feasibility.h"
#include "sim/runtime/runtime.h"
#include "sim_fixture.h"
#include "sim/input/scenario.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)

/* ---- planner ------------------------------------------------------------ */

static struct scenario *load_text(const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_cache_XXXXXX.cfg");
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

/* Plans on 4 executors x 4 cores (16 cores: Spark's default parallelism);
 * plan_done frees the plan and the scenario it was made from. */
static struct plan *plan(const char *text)
{
    struct scenario *s = load_text(text);
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    cl.workers = cl.executors = 4;
    cl.executors_per_worker = 1;
    cl.executor_cores = cl.slots_per_executor = 4;
    cl.task_cpus = 1;
    struct diag d;
    diag_clear(&d);
    struct plan *p = planner_plan(s, &cl, NULL, &d);
    if (!p) {
        char msg[1200];
        scenario_free(s);
        fail_msg("planning failed: %s", diag_format(&d, msg, sizeof msg));
    }
    return p;
}

static void plan_done(struct plan *p)
{
    struct scenario *s = (struct scenario *)p->scn;
    plan_free(p);
    scenario_free(s);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whether one of the stage's operators starts with prefix. */
static bool has_op(const struct plan_stage *st, const char *prefix)
{
    for (size_t i = 0; i < st->n_ops; i++)
        if (starts(st->ops[i].text, prefix))
            return true;
    return false;
}

/* 8,000,000 rows of id (int64, 1..8e6), k (int32) and v (double): 20
 * bytes a row, 160,000,000 bytes in all (no size given). */
#define TABLE_T                                                                                    \
    "tables = { t = { rows = 8000000L; format = \"parquet\"; columns = (\n"                        \
    "  { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"                               \
    "  { name = \"k\"; type = \"int32\"; dist = \"uniform\"; min = 0; max = 99; },\n"              \
    "  { name = \"v\"; type = \"double\"; dist = \"uniform\"; min = 0.0; max = 1.0; } ); }; };\n"

#define BASE                                                                                       \
    "name = \"cache\";\n"                                                                          \
    "cluster = { platform = \"databricks\"; worker = \"Standard_DS3_v2\"; workers = 4; "           \
    "};\n" TABLE_T
#define HEAD BASE "spark = { sql = { adaptive = { enabled = true; }; }; };\n"

#define FILTERED "{ op = \"scan\"; table = \"t\"; }, { op = \"filter\"; where = \"id % 4 = 0\"; }"

static void test_second_action_reads_the_cache(void **state)
{
    (void)state;
    /* recent = t.filter("id % 4 = 0"); a job that reads it before the cache
     * (it scans); recent.cache(); recent.count(); then
     * recent.groupBy("k").agg(sum("v")).collect(), written without cache():
     * CacheManager matches the plan fragment all the same. */
    struct plan *s =
        plan(HEAD "jobs = (\n"
                  "  { name = \"before\"; query = ( " FILTERED ", { op = \"count\"; } ); },\n"
                  "  { name = \"cache\"; query = ( " FILTERED
                  ", { op = \"cache\"; }, { op = \"count\"; } ); },\n"
                  "  { name = \"agg\"; query = ( " FILTERED
                  ", { op = \"group_by\"; keys = [\"k\"]; aggs = [\"sum(v) AS s\"]; },"
                  " { op = \"collect\"; } ); } );\n");
    /* The scan: 2 files (128 MiB + the rest) over 16 cores: maxSplitBytes =
     * min(128 MiB, (160,000,000 + 2 x 4 MiB) / 16 = 10,524,288); each file
     * of 80,000,000 bytes (taken as equal) is 7 full splits plus a
     * remainder of 6,329,984, and two remainders do not fit one split with
     * the open cost: 2 x 7 + 2 = 16 tasks. The filter keeps 1/4 (residues
     * of a sequence spread evenly): 2,000,000 rows. Each cached row holds
     * its columns uncompressed: 8 + 4 + 8 = 20 bytes, 40,000,000 in all. */
    const struct plan_job *before = &s->jobs[0], *cache = &s->jobs[1], *agg = &s->jobs[2];
    assert_false(before->stages[0].reads_cache);
    assert_true(starts(before->stages[0].ops[0].text, "Scan parquet t"));
    assert_true(before->stages[0].cache_bytes <= 0);

    const struct plan_stage *mat = &cache->stages[0];
    assert_true(starts(mat->ops[0].text, "Scan parquet t [id, k, v]"));
    assert_true(has_op(mat, "InMemoryRelation [id, k, v]"));
    assert_int_equal(mat->tasks, 16);
    assert_int_equal(mat->input_bytes, 160000000);
    assert_int_equal(mat->cache_bytes, 2000000 * 20);
    assert_false(mat->reads_cache);
    for (size_t i = 1; i < cache->n_stages; i++)
        assert_true(cache->stages[i].cache_bytes <= 0);

    /* The second action: the cached partitions (16 tasks, 2,000,000 rows),
     * only the columns it uses, no storage read, no filter again. */
    const struct plan_stage *rd = &agg->stages[0];
    assert_true(starts(rd->ops[0].text, "InMemoryTableScan [k, v]"));
    assert_true(rd->reads_cache);
    assert_int_equal(rd->tasks, 16);
    assert_true(rd->input_bytes <= 0);
    assert_int_equal(rd->input_records, 2000000);
    assert_false(has_op(rd, "Filter"));
    assert_false(has_op(rd, "Scan "));
    assert_true(has_op(rd, "HashAggregate(partial, keys=[k]"));
    assert_int_equal(rd->n_parents, 0);
    assert_true(rd->cache_bytes <= 0);
    plan_done(s);
}

static void test_later_use_in_the_same_query_waits_for_the_cache(void **state)
{
    (void)state;
    /* recent.cache(); recent.join(recent.groupBy("k").agg(...), "k"),
     * shuffled: the left side's stage scans, filters, caches and writes its
     * exchange; the aggregate side reads the cache once that stage is done
     * (its parent) instead of scanning again. */
    struct plan *s = plan(
        BASE "spark = { sql = { adaptive = { enabled = true; };"
             " autoBroadcastJoinThreshold = -1; }; };\n"
             "views = { g = ( " FILTERED ", { op = \"cache\"; },"
             " { op = \"group_by\"; keys = [\"k\"]; aggs = [\"max(v) AS m\"]; } ); };\n"
             "jobs = ( { name = \"self\"; query = ( " FILTERED ", { op = \"cache\"; },"
             " { op = \"join\"; right = \"g\"; on = [\"k\"]; }, { op = \"count\"; } ); } );\n");
    const struct plan_job *j = &s->jobs[0];
    int mat = -1, rd = -1;
    for (size_t i = 0; i < j->n_stages; i++) {
        if (j->stages[i].cache_bytes > 0)
            mat = (int)i;
        if (j->stages[i].reads_cache)
            rd = (int)i;
    }
    assert_true(mat >= 0 && rd >= 0);
    assert_int_equal(j->stages[mat].cache_bytes, 40000000);
    /* Only k is read: the join's count uses no column of the aggregate. */
    assert_true(starts(j->stages[rd].ops[0].text, "InMemoryTableScan [k]"));
    assert_true(j->stages[rd].input_bytes <= 0);
    assert_int_equal(j->stages[rd].n_parents, 1);
    assert_int_equal(j->stages[rd].parents[0], j->stages[mat].id);
    /* One scan in the whole query. */
    int scans = 0;
    for (size_t i = 0; i < j->n_stages; i++)
        scans += has_op(&j->stages[i], "Scan parquet t");
    assert_int_equal(scans, 1);
    plan_done(s);
}

static void test_use_inside_the_caching_stage_computes_again(void **state)
{
    (void)state;
    /* recent.union(recent): both inputs run in one stage, so the second
     * cannot wait for the first; Spark's tasks would compute partitions
     * not cached yet, and the plan computes both (no cycle). */
    struct plan *s = plan(HEAD "views = { r = ( " FILTERED ", { op = \"cache\"; } ); };\n"
                                   "jobs = ( { name = \"u\"; query = ( " FILTERED
                                   ", { op = \"cache\"; }, { op = \"union\"; table = \"r\"; },"
                                   " { op = \"count\"; } ); } );\n");
    const struct plan_stage *st = &s->jobs[0].stages[0];
    assert_int_equal(st->tasks, 32);
    /* The first input reads every column to cache them (160,000,000
     * bytes); the second, for count(), only the filter's id: 8 of the 20
     * bytes a row, 64,000,000. */
    assert_int_equal(st->input_bytes, 160000000 + 64000000);
    assert_int_equal(st->cache_bytes, 40000000);
    assert_false(st->reads_cache);
    plan_done(s);
}

static void test_explicit_stage_takes_cache_bytes(void **state)
{
    (void)state;
    struct scenario *s = load_text(
        "name = \"x\";\n"
        "cluster = { platform = \"databricks\"; worker = \"Standard_DS3_v2\"; workers = 2; };\n"
        "jobs = ( { name = \"j\"; stages = (\n"
        "  { id = 0; tasks = 4; task_seconds = 1.0; cache_bytes = \"3g\"; },\n"
        "  { id = 1; parents = [0]; tasks = 4; task_seconds = 1.0; } ); } );\n");
    assert_int_equal(s->jobs[0].stages[0].cache_bytes, 3LL << 30);
    assert_true(s->jobs[0].stages[1].cache_bytes < 0); /* not given */
    assert_false(s->jobs[0].stages[0].reads_cache);
    scenario_free(s);
}

/* ---- runtime -------------------------------------------------------------- */

struct fixture {
    struct scenario s;
    struct job_spec job;
    struct stage_spec stages[2];
    int64_t parents[2][1];
    struct node_type node;
    struct cluster cl;
    struct sim *sim;
    struct plan *plan;
};

/* One worker, one executor of 4 slots with a heap of heap_bytes; NICs and
 * storage unconstrained, the local disk at disk_bps; no launch overhead. */
static struct fixture *fixture_new(double heap_bytes, double disk_bps)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->s.file = "cache.cfg";
    f->s.name = "cache";
    f->s.seed = 1;
    spark_conf_init(&f->s.spark);
    f->s.model.task_launch_s = 0.0;
    f->s.model.network_quantum_s = 0.0;
    f->s.model.noise_sigma = NAN;
    f->s.model.slow_worker = -1;
    jvm_costs_off(&f->s.model.jvm); /* the kernels' times alone */
    f->s.jobs = &f->job;
    f->s.n_jobs = 1;
    f->job.name = "j";
    f->job.submit_s = NAN;
    f->job.stages = f->stages;
    fixture_cluster(&f->cl, &f->node, 1, 4, 1.0);
    struct cluster *cl = &f->cl;
    cl->disk_bps = disk_bps;
    memory_layout(heap_bytes, 0.6, 0.5, &cl->memory);
    return f;
}

static struct stage_spec *add_stage(struct fixture *f, int64_t id, int64_t tasks, double secs)
{
    struct stage_spec *st = &f->stages[f->job.n_stages];
    fixture_stage(st, id, tasks, secs);
    st->parents = f->parents[f->job.n_stages];
    f->job.n_stages++;
    return st;
}

static const struct results *run(struct fixture *f)
{
    return fixture_run(&f->sim, &f->plan, &f->s, &f->cl, 1);
}

static void fixture_free(struct fixture *f)
{
    sim_free(f->sim);
    plan_free(f->plan);
    spark_conf_fini(&f->s.spark);
    free(f);
}

/* Stage 0 caches `cached` bytes over its 4 tasks (1 s each); stage 1, after
 * it, is a sort of 4 tasks (1 s each) holding 500 MiB each. Returns the
 * sort's spill, and stage 0's span in *cache_span. */
static double sort_spill_after_cache(double cached, double heap, double disk_bps,
                                     double *cache_span)
{
    struct fixture *f = fixture_new(heap, disk_bps);
    struct stage_spec *c = add_stage(f, 0, 4, 1.0);
    if (cached > 0.0)
        c->cache_bytes = (int64_t)cached;
    struct stage_spec *sort = add_stage(f, 1, 4, 1.0);
    sort->kernel = "sort";
    sort->memory_bytes = (int64_t)(500 * MIB);
    f->parents[1][0] = 0;
    sort->n_parents = 1;
    const struct results *r = run(f);
    double spill = r->stages[1].spill_bytes;
    if (cache_span)
        *cache_span = fixture_stage_span(r, 0);
    fixture_free(f);
    return spill;
}

static void test_cached_bytes_shrink_the_execution_pool(void **state)
{
    (void)state;
    /* A 4 GiB heap: unified = (4096 - 300) MiB x 0.6 = 2277.6 MiB, of which
     * storage keeps 1138.8 MiB safe from eviction. Without a cache each of
     * the sort's 4 tasks may hold 2277.6 / 4 = 569.4 MiB >= 500 MiB: no
     * spill. */
    double heap = 4.0 * GIB;
    double unified = (4096.0 - 300.0) * MIB * 0.6;
    assert_true(sort_spill_after_cache(0.0, heap, INFINITY, NULL) == 0.0);
    /* 800 MiB cached (inside the safe part): the pool is 2277.6 - 800 =
     * 1477.6 MiB, 369.4 MiB a task; each spills 500 - 369.4 = 130.6 MiB,
     * 522.4 MiB in all. */
    double spill = sort_spill_after_cache(800.0 * MIB, heap, INFINITY, NULL);
    assert_float_equal(spill, 4.0 * (500.0 * MIB - (unified - 800.0 * MIB) / 4.0), 16.0);
    assert_float_equal(spill, 522.4 * MIB, 0.01 * MIB);
    /* 2000 MiB cached: execution may evict what lies beyond the safe
     * 1138.8 MiB, so the pool is 1138.8 MiB, 284.7 MiB a task: 4 x 215.3 =
     * 861.2 MiB spilled. */
    spill = sort_spill_after_cache(2000.0 * MIB, heap, INFINITY, NULL);
    assert_float_equal(spill, 4.0 * (500.0 * MIB - unified * 0.5 / 4.0), 16.0);
    assert_float_equal(spill, 861.2 * MIB, 0.01 * MIB);
}

static void test_cache_beyond_memory_goes_to_disk(void **state)
{
    (void)state;
    /* 3000 MiB cached by 4 tasks of 750 MiB that end their compute at 1 s
     * together: the first three fit in the 2277.6 MiB unified region (2250
     * MiB), the fourth overflows by 3000 - 2277.6 = 722.4 MiB, written to
     * the local disk at 1e9 B/s: 0.7575 s more. */
    double span;
    sort_spill_after_cache(3000.0 * MIB, 4.0 * GIB, 1e9, &span);
    double over = (3000.0 - (4096.0 - 300.0) * 0.6) * MIB;
    assert_float_equal(span, 1.0 + over / 1e9, 1e-5);
    /* All of it fits on a larger heap: no disk, 1 s. */
    sort_spill_after_cache(3000.0 * MIB, 16.0 * GIB, 1e9, &span);
    assert_float_equal(span, 1.0, 1e-6);
}

/* The 722.4 MiB the fourth block could not keep in memory stay on the
 * worker's local disk while the executor lives: the stage counts them
 * (cache_disk_bytes) and the disk check adds them to the worker's peak
 * beside shuffle and spill (there are none here). The node's local disk is
 * 1 GiB: 722.4 MiB fit; on a 0.5 GiB disk they do not. */
static void test_cache_on_disk_counts_in_the_local_disk_check(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(4.0 * GIB, 1e9);
    struct stage_spec *c = add_stage(f, 0, 4, 1.0);
    c->cache_bytes = (int64_t)(3000.0 * MIB);
    f->node.local_ssd_gib = 1.0;
    const struct results *r = run(f);
    double over = (3000.0 - (4096.0 - 300.0) * 0.6) * MIB;
    assert_float_equal(r->stages[0].cache_disk_bytes, over, 2.0);
    struct disk_check dc;
    feasibility_check_disk(r, &f->cl, &dc);
    assert_true(dc.checked);
    assert_int_equal(dc.worker, 0);
    assert_float_equal(dc.cache_bytes, over, 2.0);
    assert_float_equal(dc.peak_bytes, over, 2.0);
    assert_true(dc.fits);
    char buf[256];
    assert_non_null(strstr(feasibility_describe(&dc, buf, sizeof buf),
                           "0.7 GiB of cached blocks memory could not hold"));
    f->node.local_ssd_gib = 0.5;
    feasibility_check_disk(r, &f->cl, &dc);
    assert_false(dc.fits);
    fixture_free(f);
}

/* ---- the command line ------------------------------------------------------ */

static char workdir[256];

static int run_cli(const char *args)
{
    const char *binary = getenv("STAGECAST");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/out.txt' 2>'%s/err.txt' </dev/null", binary, args,
             workdir, workdir);
    int st = system(cmd);
    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

static json_t *run_json(const char *cfg, const char *name)
{
    char args[2048], path[512];
    snprintf(path, sizeof path, "%s/%s", workdir, name);
    snprintf(args, sizeof args, "run '%s' --quiet --json '%s'", cfg, path);
    int rc = run_cli(args);
    if (rc != 0)
        fail_msg("%s exited %d", cfg, rc);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    return root;
}

static json_t *job_at(json_t *root, size_t j)
{
    return json_array_get(json_object_get(root, "jobs"), j);
}

static double num(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static json_t *stage_at(json_t *root, size_t j, size_t k)
{
    return json_array_get(json_object_get(job_at(root, j), "stages"), k);
}

static void test_bundled_scenario_runs_with_faster_later_actions(void **state)
{
    (void)state;
    const char *srcdir = getenv("SRCDIR");
    if (!getenv("STAGECAST") || !srcdir)
        skip();
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/scenarios/cache-reuse.cfg", srcdir);
    json_t *root = run_json(cfg, "cached.json");
    /* The first action scans the 24 GiB of sales (every column, to cache
     * them), joins and caches 600,000,000 x 1/3 (year uniform on
     * 2019..2024, >= 2023 keeps 2 of 6) = 200,000,000 rows (each sale finds
     * its one customer) in the join's stage. A cached row holds
     * 8 (order_id) + 8 (customer_id) + 5 + 4 (region: the mean length of
     * north, south, east, west and central, and its length) + 8 (amount) +
     * 4 (year) + 28/3 + 4 (segment: consumer, corporate, home_office) =
     * 151/3 bytes: 10,066,666,667 bytes in all. */
    json_t *stages0 = json_object_get(job_at(root, 0), "stages");
    json_t *caching = NULL;
    for (size_t k = 0; k < json_array_size(stages0); k++)
        if (num(json_array_get(stages0, k), "cache_bytes") > 0.0) {
            assert_null(caching);
            caching = json_array_get(stages0, k);
        }
    assert_non_null(caching);
    assert_float_equal(num(caching, "cache_bytes"), 200e6 * 151.0 / 3.0, 1.0);
    json_int_t cached_parts = json_integer_value(json_object_get(caching, "tasks"));
    assert_true(cached_parts >= 1);
    assert_float_equal(num(stage_at(root, 0, 0), "input_bytes"), 24.0 * GIB, 1.0);
    /* The later actions read the cache: no input, one task a cached
     * partition, InMemoryTableScan first, no join. */
    for (size_t j = 1; j < 3; j++) {
        json_t *st = stage_at(root, j, 0);
        assert_float_equal(num(st, "input_bytes"), 0.0, 0.0);
        assert_float_equal(num(st, "cache_bytes"), 0.0, 0.0);
        assert_int_equal(json_integer_value(json_object_get(st, "tasks")), cached_parts);
        json_t *ops = json_object_get(st, "ops");
        assert_true(starts(json_string_value(json_array_get(ops, 0)), "InMemoryTableScan"));
        for (size_t o = 0; o < json_array_size(ops); o++)
            assert_null(strstr(json_string_value(json_array_get(ops, o)), "Join"));
    }
    double d0 = num(job_at(root, 0), "duration_s"), d1 = num(job_at(root, 1), "duration_s");
    assert_true(d1 > 0.0);
    assert_true(d1 < d0);

    /* Without the cache steps every action scans (the columns it uses),
     * and the second is slower than with the cache. */
    FILE *in = fopen(cfg, "r");
    assert_non_null(in);
    char nocache[512];
    snprintf(nocache, sizeof nocache, "%s/nocache.cfg", workdir);
    FILE *out = fopen(nocache, "w");
    assert_non_null(out);
    char line[1024];
    while (fgets(line, sizeof line, in)) {
        char *c = strstr(line, "{ op = \"cache\"; },");
        if (c)
            memmove(c, c + 18, strlen(c + 18) + 1);
        fputs(line, out);
    }
    fclose(in);
    fclose(out);
    json_t *plain = run_json(nocache, "plain.json");
    for (size_t j = 0; j < 3; j++) {
        assert_true(num(stage_at(plain, j, 0), "input_bytes") > 0.0);
        assert_float_equal(num(stage_at(plain, j, 0), "cache_bytes"), 0.0, 0.0);
    }
    assert_true(num(job_at(plain, 1), "duration_s") > d1);
    /* Joining again in every action costs more than caching once. */
    assert_true(num(plain, "makespan_s") > num(root, "makespan_s"));
    json_decref(plain);
    json_decref(root);
}

static int setup(void **state)
{
    (void)state;
    snprintf(workdir, sizeof workdir, "/tmp/test_cache_XXXXXX");
    return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"out.txt", "err.txt", "cached.json", "plain.json", "nocache.cfg"};
    char path[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", workdir, names[i]);
        unlink(path);
    }
    rmdir(workdir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_second_action_reads_the_cache),
        cmocka_unit_test(test_later_use_in_the_same_query_waits_for_the_cache),
        cmocka_unit_test(test_use_inside_the_caching_stage_computes_again),
        cmocka_unit_test(test_explicit_stage_takes_cache_bytes),
        cmocka_unit_test(test_cached_bytes_shrink_the_execution_pool),
        cmocka_unit_test(test_cache_beyond_memory_goes_to_disk),
        cmocka_unit_test(test_cache_on_disk_counts_in_the_local_disk_check),
        cmocka_unit_test(test_bundled_scenario_runs_with_faster_later_actions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
