/*
 * test_skew.c — task sizes from the data and Spark 3's adaptive query
 * execution (sim/plan/skew.h): hash partitions follow Spark's Murmur3 of the key
 * values (checked with the kernel's own, Spark-tested hash functions, never
 * re-derived here), a hot key makes one large task that holds its stage's
 * time, uniform keys spread evenly, RangePartitioner's bounds, AQE's
 * coalescing and skew-join splitting by Spark's rules worked out by hand,
 * its runtime switch to a broadcast join, the static plan with AQE off,
 * and salting.
 */
#define _DEFAULT_SOURCE /* mkstemps */
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
#include <unistd.h>

#include "models/catalog.h"
#include "models/kernels/murmur3.h"
#include "sim/input/cluster.h"
#include "sim/plan/planner.h"
#include "sim/output/report.h"
#include "sim/runtime/runtime.h"
#include "sim/input/scenario.h"
#include "sim/plan/skew.h"

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

/* ---- scenarios ------------------------------------------------------------ */

static struct scenario *load_text(const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_skew_XXXXXX.cfg");
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

/* A loaded, planned scenario on its cluster (4 x Standard_DS3_v2: 16
 * cores, Spark's default parallelism). */
struct planned {
    struct scenario *s;
    struct catalog *cat;
    struct cluster cl;
    struct plan *plan;
};

static void plan_text(struct planned *p, const char *text)
{
    p->s = load_text(text);
    struct diag d;
    diag_clear(&d);
    p->cat = catalog_load_default(&d);
    assert_non_null(p->cat);
    char msg[1200];
    if (cluster_build(p->s, p->cat, &p->cl, &d) != SC_OK)
        fail_msg("cluster: %s", diag_format(&d, msg, sizeof msg));
    if (!(p->plan = planner_plan(p->s, &p->cl, NULL, &d)))
        fail_msg("plan: %s", diag_format(&d, msg, sizeof msg));
}

static void planned_free(struct planned *p)
{
    plan_free(p->plan);
    scenario_free(p->s);
    catalog_free(p->cat);
}

/* The stage of job 0 whose operators include one starting with prefix. */
static const struct plan_stage *stage_with(const struct planned *p, const char *prefix)
{
    const struct plan_job *j = &p->plan->jobs[0];
    for (size_t k = 0; k < j->n_stages; k++)
        for (size_t o = 0; o < j->stages[k].n_ops; o++)
            if (strncmp(j->stages[k].ops[o].text, prefix, strlen(prefix)) == 0)
                return &j->stages[k];
    fail_msg("no stage with an operator '%s'", prefix);
    return NULL;
}

static double weight(const struct plan_stage *st, int64_t i)
{
    return st->task_weights ? st->task_weights[i] : 1.0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Largest task weight over the median one (GSL's median of the sorted
 * weights). */
static double max_over_median(const struct plan_stage *st)
{
    size_t n = (size_t)st->tasks;
    double *w = malloc(n * sizeof *w);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++)
        w[i] = weight(st, (int64_t)i);
    qsort(w, n, sizeof *w, cmp_d);
    double med = n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2.0;
    double r = w[n - 1] / med;
    free(w);
    return r;
}

static int64_t heaviest(const struct plan_stage *st)
{
    int64_t best = 0;
    for (int64_t i = 1; i < st->tasks; i++)
        if (weight(st, i) > weight(st, best))
            best = i;
    return best;
}

static uint32_t spark_partition_of_string(const char *v, uint32_t n)
{
    return murmur3_pmod(murmur3_hash_bytes(v, strlen(v), MURMUR3_SPARK_SEED), n);
}

#define CLUSTER "cluster = { worker = \"Standard_DS3_v2\"; workers = 4; };\n"

/* Events whose `country` is "hot" half the time and one of nine others
 * otherwise, joined to a countries table of the same keys (as many rows
 * as values, so the join does not multiply them; its 200 MiB of files are
 * too big to broadcast). */
#define HOT_TABLES                                                                                 \
    "tables = {\n"                                                                                 \
    "  events = { rows = 100000000L; size = \"5g\"; columns = (\n"                                  \
    "    { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"                             \
    "    { name = \"country\"; type = \"string\"; dist = \"categorical\";\n"                       \
    "      values = [\"hot\", \"c1\", \"c2\", \"c3\", \"c4\", \"c5\", \"c6\", \"c7\", \"c8\", "    \
    "\"c9\"];\n"                                                                                   \
    "      weights = [9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]; } ); };\n"                \
    "  countries = { rows = 10L; size = \"200m\"; columns = (\n"                              \
    "    { name = \"country\"; type = \"string\"; dist = \"categorical\";\n"                       \
    "      values = [\"hot\", \"c1\", \"c2\", \"c3\", \"c4\", \"c5\", \"c6\", \"c7\", \"c8\", "    \
    "\"c9\"];\n"                                                                                   \
    "      weights = [9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]; },\n"                     \
    "    { name = \"region\"; type = \"string\"; dist = \"uniform\"; min = 1; max = 1000000; } "   \
    "); };\n"                                                                                      \
    "};\n"

static void hot_join(struct planned *p, const char *spark, const char *salt)
{
    char text[4096];
    snprintf(text, sizeof text,
             /* No first-wave warm-up (models/jvm.h): its fixed 0.8 s on
              * every slot's first task would blur the work skew moves. */
             "name = \"hot\";\n" CLUSTER
             "model = { noise_sigma = 0.0; jvm = { first_run_ms = 0; }; };\n%s\n" HOT_TABLES
             "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"events\"; },\n"
             "  { op = \"join\"; right = \"countries\"; on = [\"country\"]; %s },\n"
             "  { op = \"write\"; path = \"/out\"; } ); } );\n",
             spark, salt);
    plan_text(p, text);
}

/* ---- partition shares -------------------------------------------------------- */

/* Each value's probability lands in pmod(Murmur3(value, 42), n): the shares
 * are those sums, exactly (strings, int64 zipf ranks, numbered strings). */
static void test_hash_shares_follow_spark_murmur3(void **state)
{
    (void)state;
    char *values[] = {"US", "DE", "FR", "JP", "BR"};
    double weights[] = {50.0, 20.0, 15.0, 10.0, 5.0};
    struct column_spec cs = {0};
    cs.name = "country";
    cs.type = COL_STRING;
    cs.dist = CDIST_CATEGORICAL;
    cs.values.v = values;
    cs.values.n = 5;
    cs.weights = weights;
    struct plan_column pc = {"country", COL_STRING, &cs, 1e6, 5.0, 2.0, 0.0, NULL, NULL, false};
    struct skew_keys k = {&pc, 1, 1e6, 1e6, SKEW_ROWS, 0.0, false};
    double share[16], want[16] = {0};
    assert_int_equal(skew_hash_shares(&k, 16, share), 1);
    for (size_t i = 0; i < 5; i++)
        want[spark_partition_of_string(values[i], 16)] += weights[i] / 100.0;
    for (size_t i = 0; i < 16; i++)
        assert_near(share[i], want[i], 1e-12);

    /* zipf int64 ranks 1..100, P(k) = k^-1.2 / H: hashLong(k). */
    struct column_spec zs = {0};
    zs.name = "cust";
    zs.type = COL_INT64;
    zs.dist = CDIST_ZIPF;
    zs.distinct = 100;
    zs.exponent = 1.2;
    struct plan_column zc = {"cust", COL_INT64, &zs, 1e6, 100.0, 8.0, 0.0, NULL, NULL, false};
    k.cols = &zc;
    double zshare[7], zwant[7] = {0}, h = 0.0;
    for (int r = 1; r <= 100; r++)
        h += pow(r, -1.2);
    for (int r = 1; r <= 100; r++)
        zwant[murmur3_pmod(murmur3_hash_long(r, MURMUR3_SPARK_SEED), 7)] += pow(r, -1.2) / h;
    assert_int_equal(skew_hash_shares(&k, 7, zshare), 1);
    for (size_t i = 0; i < 7; i++)
        assert_near(zshare[i], zwant[i], 1e-12);

    /* The same ranks as strings are "cust_<k>", as datagen writes them. */
    zs.type = zc.type = COL_STRING;
    memset(zwant, 0, sizeof zwant);
    for (int r = 1; r <= 100; r++) {
        char v[32];
        snprintf(v, sizeof v, "cust_%d", r);
        zwant[spark_partition_of_string(v, 7)] += pow(r, -1.2) / h;
    }
    assert_int_equal(skew_hash_shares(&k, 7, zshare), 1);
    for (size_t i = 0; i < 7; i++)
        assert_near(zshare[i], zwant[i], 1e-12);
}

/* A null key hashes to the seed: 30% nulls of a unique id all go to
 * partition pmod(42, 200) = 42; the rest spread evenly. An inner join's
 * inferred isnotnull drops them. */
static void test_null_keys_land_in_one_partition(void **state)
{
    (void)state;
    struct column_spec cs = {0};
    cs.name = "id";
    cs.type = COL_INT64;
    cs.dist = CDIST_SEQUENCE;
    cs.null_fraction = 0.3;
    struct plan_column pc = {"id", COL_INT64, &cs, 1e9, 1e9, 8.0, 0.3, NULL, NULL, false};
    struct skew_keys k = {&pc, 1, 1e9, 1e9, SKEW_ROWS, 0.0, false};
    double share[200];
    assert_int_equal(skew_hash_shares(&k, 200, share), 1);
    assert_int_equal(murmur3_pmod(MURMUR3_SPARK_SEED, 200), 42);
    assert_near(share[42], 0.3 + 0.7 / 200.0, 1e-12);
    assert_near(share[0], 0.7 / 200.0, 1e-12);
    k.drop_nulls = true;
    assert_int_equal(skew_hash_shares(&k, 200, share), 0);
    assert_near(share[42], 1.0 / 200.0, 1e-15);
}

/* A key value holding half the rows: without AQE the join's reduce task
 * that Murmur3 gives "hot" reads at least half the stage's rows, and the
 * stage lasts at least half of all its tasks' work on that one slot. The
 * report says so (task_records_max, skew_ratio, straggler_share). */
static void test_hot_key_makes_one_large_task(void **state)
{
    (void)state;
    struct planned p;
    hot_join(&p, "spark = { sql = { adaptive = { enabled = false; }; }; };", "");
    const struct plan_stage *st = stage_with(&p, "SortMergeJoin");
    assert_int_equal(st->tasks, 200);
    int64_t hot = (int64_t)spark_partition_of_string("hot", 200);
    assert_int_equal(heaviest(st), hot);
    /* Both sides put 9/18 of their rows on "hot"'s partition. */
    assert_true(weight(st, hot) / (double)st->tasks >= 0.5);

    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1};
    struct sim *sim = sim_new(p.plan, &p.cl, &opt, &d);
    assert_non_null(sim);
    assert_int_equal(sim_run(sim, &d), SC_OK);
    const struct results *r = sim_results(sim);
    const struct stage_result *sr = NULL;
    for (size_t i = 0; i < r->n_stages; i++)
        if (r->stages[i].id == st->id)
            sr = &r->stages[i];
    assert_non_null(sr);
    double dur = (double)(sr->end_us - sr->submit_us) * 1e-6;
    assert_true(dur >= 0.5 * sr->busy_s);
    assert_true(sr->task_max_s >= 0.5 * sr->busy_s);

    json_t *root = report_json_build(p.plan, &p.cl, r);
    assert_non_null(root);
    json_t *js = json_array_get(
        json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "stages"),
        (size_t)st->id);
    double in = (double)json_integer_value(json_object_get(js, "input_records"));
    assert_true(json_real_value(json_object_get(js, "task_records_max")) >= 0.5 * in);
    /* 191 of the 200 partitions hold no key: the median task reads
     * nothing, and max / median has no value. */
    assert_near(json_real_value(json_object_get(js, "task_records_p50")), 0.0, 0.0);
    assert_true(json_is_null(json_object_get(js, "skew_ratio")));
    assert_true(json_real_value(json_object_get(js, "straggler_share")) >= 0.5);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(js, "aqe"), "partitions_before")), 200);
    json_decref(root);
    sim_free(sim);
    planned_free(&p);
}

/* Keys with many values spread evenly: a unique id exactly (its values are
 * too many to hold more than 1/200 anywhere), 50,000 equally likely
 * integers within the binomial spread (about 250 values a partition,
 * sd 16: the largest of 200 is near +3 sd, under 1.25). */
static void test_uniform_keys_spread_evenly(void **state)
{
    (void)state;
    const char *fmt = "name = \"u\";\n" CLUSTER
                      "spark = { sql = { adaptive = { enabled = false; }; }; };\n"
                      "tables = { t = { rows = 100000000L; size = \"4g\"; columns = (\n"
                      "  { name = \"k\"; type = \"int64\"; %s } ); }; };\n"
                      "jobs = ( { name = \"r\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                      "  { op = \"repartition\"; partition_by = [\"k\"]; },\n"
                      "  { op = \"write\"; } ); } );\n";
    char text[2048];
    struct planned p;
    snprintf(text, sizeof text, fmt, "dist = \"sequence\";");
    plan_text(&p, text);
    const struct plan_stage *st = stage_with(&p, "ShuffleRead");
    assert_int_equal(st->tasks, 200);
    assert_null(st->task_weights);
    planned_free(&p);

    snprintf(text, sizeof text, fmt, "dist = \"uniform\"; min = 1; max = 50000;");
    plan_text(&p, text);
    st = stage_with(&p, "ShuffleRead");
    double r = max_over_median(st);
    assert_true(r >= 1.0 && r < 1.25);
    planned_free(&p);
}

/* RangePartitioner.determineBounds over a..e weighing 1, 1, 4, 1, 1 (of 8)
 * into 4 partitions, step 1/4: b reaches 1/4 (bound b), c 3/4 >= 1/2
 * (bound c), d 7/8 >= 3/4 (bound d): partitions {a, b} 1/4, {c} 1/2, {d}
 * 1/8, {e} 1/8, weights 1, 2, 0.5, 0.5. Into 200 partitions every value
 * becomes a bound: 6 partitions (the last empty). */
static void test_range_partitions_follow_sampled_bounds(void **state)
{
    (void)state;
    const char *fmt = "name = \"o\";\n" CLUSTER
                      "spark = { sql = { shuffle = { partitions = %d; }; adaptive = { enabled = "
                      "false; }; }; };\n"
                      "tables = { t = { rows = 8000000L; columns = (\n"
                      "  { name = \"k\"; type = \"string\"; dist = \"categorical\"; values = "
                      "[\"c\", \"a\", \"e\", \"b\", \"d\"]; weights = [4.0, 1.0, 1.0, 1.0, 1.0]; "
                      "} ); }; };\n"
                      "jobs = ( { name = \"o\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                      "  { op = \"order_by\"; keys = [\"k\"]; }, { op = \"write\"; } ); } );\n";
    char text[2048];
    struct planned p;
    snprintf(text, sizeof text, fmt, 4);
    plan_text(&p, text);
    const struct plan_stage *st = stage_with(&p, "ShuffleRead rangepartitioning");
    assert_int_equal(st->tasks, 4);
    const double want4[] = {1.0, 2.0, 0.5, 0.5};
    for (int i = 0; i < 4; i++)
        assert_near(weight(st, i), want4[i], 1e-9);
    planned_free(&p);

    snprintf(text, sizeof text, fmt, 200);
    plan_text(&p, text);
    st = stage_with(&p, "ShuffleRead rangepartitioning");
    assert_int_equal(st->tasks, 6);
    const double want6[] = {0.75, 0.75, 3.0, 0.75, 0.75, 0.0};
    for (int i = 0; i < 6; i++)
        assert_near(weight(st, i), want6[i], 1e-9);
    planned_free(&p);
}

/* ---- AQE ---------------------------------------------------------------------- */

static const struct aqe_conf DEFAULTS = {
    .coalesce = true,
    .skew_join = true,
    .advisory = 64.0 * MIB,
    .min_partition_size = 1.0 * MIB,
    .min_partitions = 16,
    .skew_factor = 5.0,
    .skew_threshold = 256.0 * MIB,
};

/* 200 partitions of 100 KiB (19.5 MiB). parallelismFirst (minNumPartitions
 * = 16 cores): target max(min(ceil(20,480,000 / 16) = 1,280,000, 64 MiB),
 * 1 MiB) = 1,280,000; 12 partitions make 1,228,800, a 13th would pass it:
 * ceil(200 / 12) = 17 tasks. Without it (minNumPartitions 1) the target is
 * all 20,480,000 bytes: one task. */
static void test_aqe_coalesces_tiny_partitions(void **state)
{
    (void)state;
    double bytes[200];
    for (int i = 0; i < 200; i++)
        bytes[i] = 102400.0;
    assert_near(aqe_coalesce_target(200 * 102400.0, 16, 64 * MIB, MIB), 1280000.0, 0.0);
    struct aqe_side side = {bytes, 1.0, 10, false};
    struct aqe_result res;
    assert_int_equal(aqe_plan_read(&DEFAULTS, &side, 1, 200, true, false, &res), 0);
    assert_int_equal(res.n_tasks, 17);
    assert_near(res.task_rows[0], 12 * 102400.0, 0.0);
    assert_near(res.task_rows[16], 8 * 102400.0, 0.0);
    free(res.task_rows);
    struct aqe_conf advisory = DEFAULTS;
    advisory.min_partitions = 1;
    assert_int_equal(aqe_plan_read(&advisory, &side, 1, 200, true, false, &res), 0);
    assert_int_equal(res.n_tasks, 1);
    free(res.task_rows);
    /* Not coalescable (repartition(n)): the partitions as they are. */
    assert_int_equal(aqe_plan_read(&DEFAULTS, &side, 1, 200, false, false, &res), 0);
    assert_int_equal(res.n_tasks, 200);
    free(res.task_rows);
}

/* The planner coalesces a groupBy's even partitions by the same rule, from
 * the shuffle's bytes: k = floor(target / partition) partitions a task. */
static void test_planned_groupby_is_coalesced(void **state)
{
    (void)state;
    struct planned p;
    plan_text(&p, "name = \"g\";\n" CLUSTER
                  "tables = { t = { rows = 1000000L; columns = (\n"
                  "  { name = \"id\"; type = \"int64\"; dist = \"sequence\"; } ); }; };\n"
                  "jobs = ( { name = \"g\"; query = ( { op = \"scan\"; table = \"t\"; },\n"
                  "  { op = \"group_by\"; keys = [\"id\"]; aggs = [\"count(id) AS n\"]; },\n"
                  "  { op = \"write\"; } ); } );\n");
    const struct plan_stage *st = stage_with(&p, "ShuffleRead");
    assert_int_equal(st->aqe_partitions_before, 200);
    double part = floor((double)st->shuffle_read_bytes / 200.0);
    double target = aqe_coalesce_target(200.0 * part, 16, 64 * MIB, MIB);
    double k = floor(target / part);
    int64_t want = (int64_t)ceil(200.0 / k);
    assert_true(st->tasks >= want - 1 && st->tasks <= want + 1);
    assert_true(st->tasks < 200);
    planned_free(&p);
}

/* OptimizeSkewedJoin: left partition 100 of 1000 MiB among 199 of 10 MiB
 * (median 10 MiB: skewed above max(256 MiB, 5 x 10 MiB)), right side 1 MiB
 * each. Target max(64 MiB, mean of the non-skewed 10 MiB) = 64 MiB over
 * the 100 map outputs of 10 MiB: pieces of 6 (60 MiB; a 7th would pass 64),
 * the last of 4 (40 MiB, not merged: 100 >= 1.2 x 64 and neither under
 * 0.2 x 64) — 17 pieces, each with a copy of the right partition: 199 + 17
 * = 216 tasks. Coalescing then packs the 11 MiB non-skewed partitions 5 a
 * task (55 MiB; target min(ceil(3190 MiB / 16), 64 MiB) = 64 MiB) on each
 * side of the skew section: 20 + 17 + 20 = 57 tasks. */
static void test_skewed_join_is_split_by_sparks_rule(void **state)
{
    (void)state;
    double left[200], right[200];
    for (int i = 0; i < 200; i++) {
        left[i] = 10.0 * MIB;
        right[i] = 1.0 * MIB;
    }
    left[100] = 1000.0 * MIB;
    struct aqe_side sides[2] = {{left, 1.0, 100, true}, {right, 1.0, 100, true}};
    struct aqe_conf c = DEFAULTS;
    c.coalesce = false;
    struct aqe_result res;
    assert_int_equal(aqe_plan_read(&c, sides, 2, 200, true, true, &res), 0);
    assert_int_equal(res.skewed, 1);
    assert_int_equal(res.skew_tasks, 17);
    assert_int_equal(res.n_tasks, 216);
    assert_near(res.task_rows[100], 60.0 * MIB + 1.0 * MIB, 1.0);
    assert_near(res.task_rows[116], 40.0 * MIB + 1.0 * MIB, 1.0);
    free(res.task_rows);
    assert_int_equal(aqe_plan_read(&DEFAULTS, sides, 2, 200, true, true, &res), 0);
    assert_int_equal(res.n_tasks, 57);
    assert_int_equal(res.skew_tasks, 17);
    free(res.task_rows);
    /* A right outer join may not split its left (preserved) side: the
     * skewed left partition stays whole. */
    sides[0].can_split = false;
    assert_int_equal(aqe_plan_read(&c, sides, 2, 200, true, true, &res), 0);
    assert_int_equal(res.n_tasks, 200);
    free(res.task_rows);
}

/* The hot join with AQE: the hot partition (half of 1.7 GiB of shuffle,
 * over the 256 MiB threshold) is split and the largest task shrinks; the
 * countries side's tiny shuffle would otherwise be broadcast at run time,
 * so the adaptive broadcast threshold is off here. AQE off is the static
 * plan. */
static void test_aqe_splits_the_hot_join_and_off_restores_static_plan(void **state)
{
    (void)state;
    struct planned on, off;
    hot_join(&on, "spark = { sql = { adaptive = { autoBroadcastJoinThreshold = -1; }; }; };", "");
    hot_join(&off, "spark = { sql = { adaptive = { enabled = false; }; }; };", "");
    const struct plan_stage *a = stage_with(&on, "SortMergeJoin");
    const struct plan_stage *b = stage_with(&off, "SortMergeJoin");
    assert_int_equal(b->tasks, 200);
    assert_int_equal(b->aqe_partitions_before, 0);
    assert_int_equal(b->aqe_skewed, 0);
    assert_int_equal(a->aqe_partitions_before, 200);
    assert_int_equal(a->aqe_skewed, 1);
    assert_true(a->aqe_skew_tasks > 1);
    double max_on = 0.0, max_off = 0.0;
    for (int64_t i = 0; i < a->tasks; i++)
        max_on = fmax(max_on, weight(a, i) / (double)a->tasks);
    for (int64_t i = 0; i < b->tasks; i++)
        max_off = fmax(max_off, weight(b, i) / (double)b->tasks);
    assert_true(max_on < max_off / 4.0);
    /* Without AQE every exchange keeps spark.sql.shuffle.partitions. */
    const struct plan_job *j = &off.plan->jobs[0];
    for (size_t k = 0; k < j->n_stages; k++)
        if (j->stages[k].n_ops && strncmp(j->stages[k].ops[0].text, "ShuffleRead", 11) == 0)
            assert_int_equal(j->stages[k].tasks, 200);
    planned_free(&on);
    planned_free(&off);
}

/* A side whose static estimate (10 MiB + 1 byte of files) is over the
 * broadcast threshold is shuffled; at run time its shuffle is 1e6 rows x
 * 20 bytes x 0.5 = 9.5 MiB, under it, so AQE re-plans the join as a
 * broadcast hash join and both sides are read locally
 * (OptimizeShuffleWithLocalRead: each of the m map outputs of the probe
 * side split into 200 / m reducer ranges when 200 >= m). With a lower
 * adaptive threshold it stays a sort-merge join. */
static void test_aqe_switches_a_small_shuffled_side_to_broadcast(void **state)
{
    (void)state;
    const char *fmt = "name = \"b\";\n" CLUSTER "spark = { sql = { %s }; };\n"
                      "tables = {\n"
                      "  a = { rows = 100000000L; size = \"1g\"; columns = (\n"
                      "    { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"
                      "  b = { rows = 1000000L; size = 10485761; columns = (\n"
                      "    { name = \"k\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"
                      "};\n"
                      "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"a\"; },\n"
                      "  { op = \"join\"; right = \"b\"; on = [\"k\"]; }, { op = \"count\"; } ); } "
                      ");\n";
    char text[2048];
    struct planned p;
    snprintf(text, sizeof text, fmt, "");
    plan_text(&p, text);
    const struct plan_stage *st = stage_with(&p, "BroadcastHashJoin Inner [k] BuildRight");
    assert_true(st->aqe_broadcast);
    assert_int_equal(st->aqe_partitions_before, 200);
    const struct plan_stage *map = &p.plan->jobs[0].stages[st->parents[0]];
    int64_t m = map->tasks;
    assert_int_equal(st->tasks, m * (200 / m > 1 ? 200 / m : 1));
    planned_free(&p);

    snprintf(text, sizeof text, fmt, "adaptive = { autoBroadcastJoinThreshold = \"1m\"; };");
    plan_text(&p, text);
    st = stage_with(&p, "SortMergeJoin");
    assert_false(st->aqe_broadcast);
    planned_free(&p);
}

/* ---- salting ---------------------------------------------------------------- */

/* A zipf customer (10,000 values, exponent 1.5: customer 1 holds 1 /
 * zeta(1.5), about 38%) joined to 10,000 customers (static size 200 MiB:
 * a sort-merge join). */
#define ZIPF_TABLES                                                                                \
    "tables = {\n"                                                                                 \
    "  orders = { rows = 50000000L; size = \"2g\"; columns = (\n"                                  \
    "    { name = \"id\"; type = \"int64\"; dist = \"sequence\"; },\n"                             \
    "    { name = \"customer\"; type = \"int64\"; dist = \"zipf\"; distinct = 10000; exponent = "  \
    "1.5; } ); };\n"                                                                               \
    "  customers = { rows = 10000L; size = \"200m\"; columns = (\n"                                \
    "    { name = \"customer\"; type = \"int64\"; dist = \"sequence\"; } ); };\n"                  \
    "};\n"

/* salt = 16 on the join: the orders side hashes (customer, salt) with salt
 * uniform over 0..15, the customers side is replicated 16 times; customer
 * 1's rows spread over up to 16 partitions and max/median drops (AQE off,
 * so the drop is the salt's). */
static void test_salting_spreads_the_hot_key(void **state)
{
    (void)state;
    const char *jfmt = "name = \"s\";\n" CLUSTER
                       "spark = { sql = { adaptive = { enabled = false; }; }; };\n" ZIPF_TABLES
                       "jobs = ( { name = \"j\"; query = ( { op = \"scan\"; table = \"orders\"; },\n"
                       "  { op = \"join\"; right = \"customers\"; on = [\"customer\"]; %s },\n"
                       "  { op = \"write\"; } ); } );\n";
    char text[4096];
    struct planned plain, salted;
    snprintf(text, sizeof text, jfmt, "");
    plan_text(&plain, text);
    snprintf(text, sizeof text, jfmt, "salt = 16;");
    plan_text(&salted, text);
    const struct plan_stage *a = stage_with(&plain, "SortMergeJoin");
    const struct plan_stage *b = stage_with(&salted, "SortMergeJoin Inner [customer, salt]");
    assert_int_equal(heaviest(a), (int64_t)murmur3_pmod(murmur3_hash_long(1, 42), 200));
    assert_true(max_over_median(a) > 20.0);
    assert_true(max_over_median(b) < max_over_median(a) / 4.0);
    /* The customers side is read 16 times over. */
    const struct plan_stage *rep = stage_with(&salted, "Generate explode(sequence(0, 15))");
    assert_int_equal(rep->output_records, 16 * 10000LL);
    planned_free(&plain);
    planned_free(&salted);

    /* group_by with salt: phase 1 on (customer, salt), phase 2 on customer;
     * collect_list carries every row to its key's reducer, so phase 1's
     * tasks are what the salt evens out. */
    const char *gfmt = "name = \"a\";\n" CLUSTER
                       "spark = { sql = { adaptive = { enabled = false; }; }; };\n" ZIPF_TABLES
                       "jobs = ( { name = \"a\"; query = ( { op = \"scan\"; table = \"orders\"; },\n"
                       "  { op = \"group_by\"; keys = [\"customer\"]; aggs = [\"collect_list(id) AS "
                       "ids\"]; %s },\n"
                       "  { op = \"collect\"; } ); } );\n";
    snprintf(text, sizeof text, gfmt, "");
    plan_text(&plain, text);
    snprintf(text, sizeof text, gfmt, "salt = 16;");
    plan_text(&salted, text);
    a = stage_with(&plain, "ShuffleRead hashpartitioning(customer, 200)");
    b = stage_with(&salted, "ShuffleRead hashpartitioning(customer, salt, 200)");
    assert_true(max_over_median(a) > 20.0);
    assert_true(max_over_median(b) < max_over_median(a) / 4.0);
    planned_free(&plain);
    planned_free(&salted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_shares_follow_spark_murmur3),
        cmocka_unit_test(test_null_keys_land_in_one_partition),
        cmocka_unit_test(test_hot_key_makes_one_large_task),
        cmocka_unit_test(test_uniform_keys_spread_evenly),
        cmocka_unit_test(test_range_partitions_follow_sampled_bounds),
        cmocka_unit_test(test_aqe_coalesces_tiny_partitions),
        cmocka_unit_test(test_planned_groupby_is_coalesced),
        cmocka_unit_test(test_skewed_join_is_split_by_sparks_rule),
        cmocka_unit_test(test_aqe_splits_the_hot_join_and_off_restores_static_plan),
        cmocka_unit_test(test_aqe_switches_a_small_shuffled_side_to_broadcast),
        cmocka_unit_test(test_salting_spreads_the_hot_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
