/*
 * test_eventlog.c — reading Spark event logs (eventlog.c) and importing them
 * as scenarios (importer.c): the hand-written fixtures in tests/eventlogs/,
 * whose expected values are worked out below from the files themselves,
 * every malformed input, and the shared real logs in
 * ../shared/data/eventlogs, checked against an independent scan of each log
 * (skipped when that directory is absent, as in `make distcheck`).
 */
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
#include <sys/stat.h>

#include "models/catalog.h"
#include "sim/eventlog.h"
#include "sim/importer.h"
#include "sim/scenario.h"

static char srcdir[1024];
static struct catalog *catalog;

static const char *fixture(const char *name)
{
    static char path[2048];
    snprintf(path, sizeof path, "%s/tests/eventlogs/%s", srcdir, name);
    return path;
}

static struct evlog *read_ok(const char *name, bool strict)
{
    struct diag d;
    diag_clear(&d);
    struct evlog_options opt = {strict};
    struct evlog *log = evlog_read(fixture(name), &opt, &d);
    if (!log)
        fail_msg("%s: %s", name, d.msg);
    return log;
}

static struct import *import_ok(const struct evlog *log)
{
    struct diag d;
    diag_clear(&d);
    struct import *im = import_log(log, catalog, &d);
    if (!im)
        fail_msg("%s: %s", log->path, d.msg);
    return im;
}

/* import_write into a string (the caller frees it). */
static char *written(const struct import *im)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(import_write(f, im, &d), SC_OK);
    fclose(f);
    return buf;
}

static bool has_note(const struct import *im, const char *needle)
{
    for (size_t i = 0; i < im->n_notes; i++)
        if (strstr(im->notes[i], needle))
            return true;
    return false;
}

/* ------------------------------------------------------------ the reader */

static void test_tiny_log_reads_every_event(void **state)
{
    (void)state;
    struct evlog *log = read_ok("tiny.json", true);
    assert_int_equal(log->codec, EVLOG_PLAIN);
    assert_string_equal(log->spark_version, "3.3.0");
    assert_int_equal(log->version_major, 3);
    assert_string_equal(log->app_name, "tiny");
    assert_int_equal(log->lines, 55);
    /* SparkListenerSomethingNew at line 28 is the one event not used. */
    assert_int_equal(log->unknown_events, 1);
    assert_int_equal(log->bad_lines, 0);
    assert_false(log->truncated);
    /* Jobs 0-3; stage attempts of stages 0-4; TaskEnd lines: stage 0 has
     * five (index 2 failed once), stage 1 two, stage 2 three, stage 3 one,
     * stage 4 two. */
    assert_int_equal(log->n_jobs, 4);
    assert_int_equal(log->n_stages, 5);
    assert_int_equal(log->n_tasks, 13);
    assert_int_equal(log->n_executors, 3);
    assert_int_equal(log->n_props, 13);
    assert_string_equal(evlog_property(log, "spark.locality.wait"), "3000");
    const struct evlog_job *j1 = evlog_job_find(log, 1);
    assert_non_null(j1);
    assert_int_equal(j1->n_stages, 2);
    assert_int_equal(j1->stages[1].id, 2);
    assert_int_equal(j1->stages[1].n_parents, 1);
    assert_int_equal(j1->stages[1].parents[0], 1);
    assert_int_equal(evlog_job_find(log, 3)->result, EVLOG_JOB_FAILED);
    /* Stage 0's metrics, over its four successful tasks: input 4 x 1024 B;
     * shuffle read 4 x (100 remote + 20 local) = 480 B, the 50 B "Remote
     * Bytes Read To Disk" being part of the remote bytes. */
    const struct evlog_stage *s0 = evlog_stage_find(log, 0, 0);
    assert_int_equal(s0->status, EVLOG_STAGE_COMPLETED);
    assert_int_equal(s0->metrics.input_bytes, 4096);
    assert_int_equal(s0->metrics.shuffle_read_bytes, 480);
    assert_int_equal(s0->tasks_started, 5);
    size_t n;
    const struct evlog_task *t = evlog_stage_tasks(log, 0, 0, &n);
    assert_int_equal(n, 5);
    assert_int_equal(t[2].index, 2);
    assert_int_equal(t[2].end, EVLOG_FAILED);
    assert_int_equal(t[3].attempt, 1);
    assert_int_equal(t[3].finish_ms - t[3].launch_ms, 400);
    assert_int_equal(evlog_stage_find(log, 4, 0)->status, EVLOG_STAGE_FAILED);
    evlog_free(log);
}

static void test_compressed_and_rolling_logs_read_like_plain(void **state)
{
    (void)state;
    struct evlog *plain = read_ok("tiny.json", true);
    struct import *pi = import_ok(plain);
    char *expect = written(pi);
    const char *names[] = {"tiny.json.zst", "tiny.json.lz4", "eventlog_v2_app-1"};
    const enum evlog_codec codecs[] = {EVLOG_ZSTD, EVLOG_LZ4, EVLOG_PLAIN};
    for (int i = 0; i < 3; i++) {
        struct evlog *log = read_ok(names[i], true);
        assert_int_equal(log->codec, codecs[i]);
        assert_int_equal(log->events, plain->events);
        assert_int_equal(log->n_tasks, plain->n_tasks);
        assert_false(log->stream_truncated);
        struct import *im = import_ok(log);
        char *got = written(im);
        /* Only the first line, naming the source, differs. */
        assert_string_equal(strchr(got, '\n'), strchr(expect, '\n'));
        free(got);
        import_free(im);
        evlog_free(log);
    }
    free(expect);
    import_free(pi);
    evlog_free(plain);
}

/* ------------------------------------------------------------ the import */

static void test_import_tiny_jobs_stages_and_timing(void **state)
{
    (void)state;
    struct evlog *log = read_ok("tiny.json", true);
    struct import *im = import_ok(log);
    /* Job 3 failed without completing a stage: three jobs replay. */
    assert_int_equal(im->n_jobs, 3);
    assert_int_equal(im->log_jobs, 4);
    assert_true(has_note(im, "job 3 failed"));
    assert_true(has_note(im, "stage 4 (job 3) failed"));
    /* Job 0: stage 0 (4 tasks), stage 1 (2 tasks, parent 0). */
    const struct import_job *j0 = &im->jobs[0];
    assert_int_equal(j0->id, 0);
    assert_int_equal(j0->n_stages, 2);
    assert_int_equal(j0->stages[1].n_parents, 1);
    assert_int_equal(j0->stages[1].parents[0], 0);
    /* Stage 0's task times: index 0 500 ms, 1 600 ms, 2 the second attempt's
     * 400 ms (the first failed), 3 700 ms; measured 1010 -> 1730 ms. */
    const struct import_stage *s0 = &j0->stages[0];
    assert_int_equal(s0->tasks, 4);
    assert_float_equal(s0->task_s[0], 0.5, 1e-9);
    assert_float_equal(s0->task_s[1], 0.6, 1e-9);
    assert_float_equal(s0->task_s[2], 0.4, 1e-9);
    assert_float_equal(s0->task_s[3], 0.7, 1e-9);
    assert_float_equal(s0->actual_s, 0.720, 1e-9);
    assert_int_equal(s0->failed_tasks, 1);
    /* Job 1 lists stage 1 (computed by job 0: skipped) and stage 2, whose
     * parent 1 is outside the job and so dropped. It was submitted at 2945
     * ms, 1000 ms after every earlier job ended (job 0 at 1945). */
    const struct import_job *j1 = &im->jobs[1];
    assert_int_equal(j1->id, 1);
    assert_int_equal(j1->n_stages, 1);
    assert_int_equal(j1->stages[0].id, 2);
    assert_int_equal(j1->stages[0].n_parents, 0);
    assert_float_equal(j1->gap_s, 1.0, 1e-9);
    assert_false(j1->concurrent);
    assert_true(isnan(j1->submit_s));
    assert_int_equal(im->skipped_stages, 1);
    /* Job 2 came 5 ms after job 1, which still ran: concurrent. */
    assert_int_equal(im->jobs[2].id, 2);
    assert_true(im->jobs[2].concurrent);
    /* Application: job 0 submitted at 1000 ms, the last job (1) ended at
     * 3265 ms. */
    assert_float_equal(im->actual_s, 2.265, 1e-9);
    /* Executors: 1 and 2 from the start, 2 lost at 2900 ms and replaced by
     * 3 at 2940 ms; two alive nearly all the time, each with 2 cores. With
     * one lost, not one worker per host but one per executor. */
    assert_int_equal(im->executors, 2);
    assert_int_equal(im->executor_cores, 2);
    assert_int_equal(im->workers, 2);
    assert_int_equal(im->executors_per_worker, 1);
    assert_true(has_note(im, "executor 2"));
    /* Profile 0 asks 2048 MiB, plus Spark's 384 MiB minimum overhead. */
    assert_int_equal(im->executor_memory_mib, 2048 + 384);
    assert_int_equal(im->platform, PLATFORM_VM);
    /* Launch gaps in first waves of 4 slots, each stage's first gap left
     * out: stage 0 launched at 1020, 1021, 1022, 1023 (gaps 1, 1 counted),
     * stage 2 at 2955, 2956, 2957 (gap 1): 3 ms over 3 gaps = 1 ms. */
    assert_float_equal(im->task_launch_ms, 1.0, 1e-9);
    evlog_free(log);
    import_free(im);
}

static void test_import_writes_spark_settings_a_scenario_can_hold(void **state)
{
    (void)state;
    struct evlog *log = read_ok("tiny.json", true);
    struct import *im = import_ok(log);
    /* spark.foo is a value and the group of spark.foo.bar (not a known
     * boolean), spark.weird.1abc has a part that is not a libconfig name. */
    assert_int_equal(im->n_skipped, 2);
    assert_non_null(strstr(im->skipped_keys[0], "spark.foo"));
    assert_non_null(strstr(im->skipped_keys[1], "spark.weird.1abc"));
    char *text = written(im);
    assert_non_null(strstr(text, "speculation = {\n        enabled = true;\n"
                                 "        multiplier = 2.0;\n    };"));
    /* Spark reads spark.locality.wait's bare number in ms. */
    assert_non_null(strstr(text, "wait = \"3000ms\";"));
    assert_non_null(strstr(text, "partitions = 8;"));
    assert_non_null(strstr(text, "extraJavaOptions = \"-Dquote=\\\"a\\\\b\\\"\";"));
    /* Measured bytes are comments, never keys the simulator would move. */
    assert_null(strstr(text, "input_bytes"));
    assert_null(strstr(text, "shuffle_read_bytes ="));
    /* Same log, same bytes. */
    char *again = written(im);
    assert_string_equal(text, again);
    free(again);
    free(text);
    evlog_free(log);
    import_free(im);
}

static void test_imported_scenario_reads_back(void **state)
{
    (void)state;
    struct evlog *log = read_ok("tiny.json", true);
    struct import *im = import_ok(log);
    struct diag d;
    diag_clear(&d);
    struct scenario *s = import_scenario(im, &d);
    if (!s)
        fail_msg("%s", d.msg);
    assert_string_equal(s->file, log->path);
    assert_int_equal(s->n_jobs, 3);
    assert_int_equal(s->jobs[0].n_stages, 2);
    assert_int_equal(s->jobs[0].stages[1].n_parents, 1);
    assert_true(s->jobs[0].stages[0].has_task_seconds);
    assert_float_equal(s->jobs[0].stages[0].task_seconds_list[3], 0.7, 1e-9);
    assert_float_equal(s->jobs[1].gap_s, 1.0, 1e-9);
    assert_true(s->jobs[2].concurrent);
    assert_int_equal(s->cluster.workers, 2);
    assert_int_equal(s->cluster.executor_cores, 2);
    assert_float_equal(s->model.task_launch_s, 0.001, 1e-12);
    assert_true(spark_conf_bool(&s->spark, "spark.speculation"));
    assert_float_equal(spark_conf_double(&s->spark, "spark.speculation.multiplier"), 2.0, 1e-12);
    assert_float_equal(spark_conf_seconds(&s->spark, "spark.locality.wait"), 3.0, 1e-12);
    assert_int_equal(spark_conf_int(&s->spark, "spark.sql.shuffle.partitions"), 8);
    assert_string_equal(spark_conf_get(&s->spark, "spark.foo.bar")->s, "y");
    scenario_free(s);
    evlog_free(log);
    import_free(im);
}

static void test_retries_keep_the_last_successful_attempt(void **state)
{
    (void)state;
    struct evlog *log = read_ok("retries.json", true);
    struct import *im = import_ok(log);
    assert_int_equal(im->n_jobs, 1);
    const struct import_stage *s0 = &im->jobs[0].stages[0], *s1 = &im->jobs[0].stages[1];
    /* Stage 0: index 1 succeeded at 401 ms (300 ms), its speculative copy was
     * killed, its output was lost with executor 2 ("Resubmitted") and it ran
     * again in stage attempt 1, 462 -> 742 ms: 280 ms, the last success. */
    assert_int_equal(s0->attempts, 2);
    assert_float_equal(s0->task_s[0], 0.200, 1e-9);
    assert_float_equal(s0->task_s[1], 0.280, 1e-9);
    assert_int_equal(s0->killed_tasks, 1);
    assert_int_equal(s0->resubmitted_tasks, 1);
    /* Measured from attempt 0's submission (90 ms) to attempt 1's
     * completion (745 ms). */
    assert_float_equal(s0->actual_s, 0.655, 1e-9);
    /* Stage 1: index 0 from attempt 0 (100 ms), index 1 failed to fetch and
     * succeeded in attempt 1 (90 ms); 406 -> 840 ms. */
    assert_int_equal(s1->attempts, 2);
    assert_float_equal(s1->task_s[0], 0.100, 1e-9);
    assert_float_equal(s1->task_s[1], 0.090, 1e-9);
    assert_int_equal(s1->failed_tasks, 1);
    assert_float_equal(s1->actual_s, 0.434, 1e-9);
    assert_true(has_note(im, "stage 1 ran in 2 attempts (org.apache.spark.shuffle."
                             "FetchFailedException"));
    /* spark.executor.memory "4096" is MiB to Spark. */
    assert_int_equal(im->executor_memory_mib, 4096 + 409);
    evlog_free(log);
    import_free(im);
}

/* ----------------------------------------------------- malformed input */

static void test_truncated_log_is_read_to_its_last_complete_event(void **state)
{
    (void)state;
    struct evlog *log = read_ok("truncated.json", true);
    assert_true(log->truncated);
    assert_int_equal(log->app_end_ms, EVLOG_NONE);
    struct import *im = import_ok(log);
    /* Cut in line 45, the StageCompleted of stage 2: job 1's only stage was
     * still running; jobs 0 and 2 replay. */
    assert_int_equal(im->n_jobs, 2);
    assert_int_equal(im->jobs[0].id, 0);
    assert_int_equal(im->jobs[1].id, 2);
    assert_true(has_note(im, "cut off mid-event"));
    assert_true(has_note(im, "no ApplicationEnd"));
    assert_true(has_note(im, "stage 2 (job 1) was still running"));
    evlog_free(log);
    import_free(im);

    /* A zstd stream cut inside its last frame: the complete frames read. */
    log = read_ok("running.json.zst", true);
    assert_true(log->stream_truncated);
    assert_int_equal(log->lines, 40);
    evlog_free(log);
}

static void test_bad_line_is_skipped_with_its_line_or_fails_when_strict(void **state)
{
    (void)state;
    struct evlog *log = read_ok("bad-line.json", false);
    assert_int_equal(log->bad_lines, 1);
    assert_int_equal(log->n_warnings, 1);
    char expect[2100];
    snprintf(expect, sizeof expect, "%s:10: not JSON", fixture("bad-line.json"));
    assert_non_null(strstr(log->warnings[0], expect));
    /* Line 10 was stage 0's first TaskStart: the import goes on. */
    struct import *im = import_ok(log);
    assert_int_equal(im->n_jobs, 3);
    assert_true(has_note(im, "1 line of the log could not be read"));
    import_free(im);
    evlog_free(log);

    struct diag d;
    diag_clear(&d);
    struct evlog_options strict = {true};
    assert_null(evlog_read(fixture("bad-line.json"), &strict, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 10);
    assert_string_equal(d.file, fixture("bad-line.json"));
}

static void test_wrong_types_are_skipped_with_warnings(void **state)
{
    (void)state;
    struct evlog *log = read_ok("wrong-types.json", false);
    /* Lines 28-32: a TaskEnd whose Stage ID is a string, an ExecutorAdded
     * with a numeric id, {"Event":42}, an array, a JobStart with a negative
     * id. */
    assert_int_equal(log->bad_lines, 5);
    for (int i = 0; i < 5; i++) {
        char expect[2100];
        snprintf(expect, sizeof expect, "%s:%d: ", fixture("wrong-types.json"), 28 + i);
        assert_non_null(strstr(log->warnings[i], expect));
    }
    /* Everything else reads as in tiny.json. */
    assert_int_equal(log->n_jobs, 4);
    assert_int_equal(log->n_tasks, 13);
    assert_int_equal(log->n_executors, 3);
    evlog_free(log);
}

static void expect_failure(const char *name, enum sc_status status, const char *needle)
{
    struct diag d;
    diag_clear(&d);
    struct evlog_options opt = {false};
    struct evlog *log = evlog_read(fixture(name), &opt, &d);
    struct import *im = NULL;
    if (log) {
        im = import_log(log, catalog, &d);
        evlog_free(log);
    }
    if (im)
        fail_msg("%s imported, but should not have", name);
    assert_int_equal(d.status, status);
    if (!strstr(d.msg, needle))
        fail_msg("%s: message '%s' lacks '%s'", name, d.msg, needle);
}

static void test_unusable_logs_fail_cleanly(void **state)
{
    (void)state;
    expect_failure("empty.json", SC_EINPUT, "empty file");
    expect_failure("binary.bin", SC_EINPUT, "not a Spark event log");
    expect_failure("no-jobs.json", SC_EINPUT, "no job in the log ran a stage");
    expect_failure("missing-events.json", SC_EINPUT, "no SparkListenerJobStart lists them");
    expect_failure("corrupt.json.lz4", SC_EINPUT, "checksum mismatch");
    expect_failure("no-such-log.json", SC_ENOENT, "cannot open");
}

/* ------------------------------------------------- the shared real logs */

static char shared[2048];

static int shared_setup(void **state)
{
    (void)state;
    snprintf(shared, sizeof shared, "%s/../shared/data/eventlogs", srcdir);
    return 0;
}

/* What the test reads from a log by itself, the simple way: every line
 * parsed, stages that completed without a failure, the jobs that list them,
 * each index's last successful attempt. */
struct scan_stage {
    int64_t id, tasks, job;
    int64_t parents[64];
    int n_parents;
    bool has_parents;
    double task_s[256];
    int64_t task_finish[256];
};

struct scan {
    struct scan_stage st[64];
    int n;
    int64_t job_of[64][2]; /* (stage id, smallest job id listing it) */
    int n_job_of;
};

static struct scan_stage *scan_stage(struct scan *sc, int64_t id)
{
    for (int i = 0; i < sc->n; i++)
        if (sc->st[i].id == id)
            return &sc->st[i];
    assert_true(sc->n < 64);
    struct scan_stage *s = &sc->st[sc->n++];
    memset(s, 0, sizeof *s);
    s->id = id;
    s->tasks = -1;
    s->job = -1;
    for (int i = 0; i < 256; i++)
        s->task_finish[i] = -1;
    return s;
}

static void scan_log(const char *path, struct scan *sc)
{
    memset(sc, 0, sizeof *sc);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool ok_stage[4096] = {false};
    while ((len = getline(&line, &cap, f)) > 0) {
        json_error_t err;
        json_t *e = json_loads(line, 0, &err);
        assert_non_null(e);
        const char *ev = json_string_value(json_object_get(e, "Event"));
        if (strcmp(ev, "SparkListenerJobStart") == 0) {
            int64_t job = json_integer_value(json_object_get(e, "Job ID"));
            json_t *ids = json_object_get(e, "Stage IDs");
            for (size_t i = 0; i < json_array_size(ids); i++) {
                struct scan_stage *s = scan_stage(sc, json_integer_value(json_array_get(ids, i)));
                if (s->job < 0 || job < s->job)
                    s->job = job;
            }
        } else if (strcmp(ev, "SparkListenerStageCompleted") == 0) {
            json_t *info = json_object_get(e, "Stage Info");
            struct scan_stage *s =
                scan_stage(sc, json_integer_value(json_object_get(info, "Stage ID")));
            s->tasks = json_integer_value(json_object_get(info, "Number of Tasks"));
            json_t *p = json_object_get(info, "Parent IDs");
            s->has_parents = p != NULL;
            s->n_parents = 0;
            for (size_t i = 0; i < json_array_size(p); i++)
                s->parents[s->n_parents++] = json_integer_value(json_array_get(p, i));
            assert_true(s->id < 4096);
            ok_stage[s->id] = json_object_get(info, "Failure Reason") == NULL;
        } else if (strcmp(ev, "SparkListenerTaskEnd") == 0) {
            json_t *info = json_object_get(e, "Task Info");
            const char *why =
                json_string_value(json_object_get(json_object_get(e, "Task End Reason"), "Reason"));
            struct scan_stage *s =
                scan_stage(sc, json_integer_value(json_object_get(e, "Stage ID")));
            int64_t idx = json_integer_value(json_object_get(info, "Index"));
            int64_t l = json_integer_value(json_object_get(info, "Launch Time"));
            int64_t fin = json_integer_value(json_object_get(info, "Finish Time"));
            assert_true(idx < 256);
            if (strcmp(why, "Success") == 0 && fin >= s->task_finish[idx]) {
                s->task_finish[idx] = fin;
                s->task_s[idx] = (double)(fin - l) / 1000.0;
            }
        }
        json_decref(e);
    }
    free(line);
    fclose(f);
    /* Keep only the stages that completed. */
    int m = 0;
    for (int i = 0; i < sc->n; i++)
        if (sc->st[i].tasks >= 0 && ok_stage[sc->st[i].id])
            sc->st[m++] = sc->st[i];
    sc->n = m;
}

struct shared_log {
    const char *file;
    int executors, cores; /* read off the log by hand, see the comments */
};

static const struct shared_log shared_logs[] = {
    /* 10 ExecutorAdded of 3 cores, none removed. */
    {"emr-processlarge.json", 10, 3},
    /* 4 ExecutorAdded of 1 core (spark.executor.instances = 4). */
    {"k8s-nyctaxi-0024.json", 4, 1},
    /* local[*]: the driver's ExecutorAdded gives 12 cores. */
    {"rapids-dsanddf-local.json", 1, 12},
    {"rapids-join-local.json", 1, 12},
    /* Dynamic allocation: executors 2-5 (2 cores each) were the ones alive
     * longest while jobs ran (22.5 of 38.8 s); 5 of the 9 executors have 4
     * cores. */
    {"rapids-yarn-rp-sql.json", 4, 4},
    /* Spark 1.4 local[*] logs no executor: at most 8 tasks overlap in their
     * executor-side time (launch + deserialize + run + serialize). */
    {"spark-local-1430917381534.json", 1, 8},
    {"spark-local-1642039451826.json", 1, 8},
    /* local-cluster[4,4,1024]. */
    {"spark-localcluster-20161115.json", 4, 4},
    {"spark-standalone-20200706.json", 1, 16},
    /* Containers fail with exit code 56 and are replaced: 9 added, 8
     * removed, one alive most of the time. */
    {"spark-yarn-bisectingkmeans.json", 1, 1},
    /* Executor 3 was added as the last job ended (1466088056872). */
    {"sparklint-myappname.json", 2, 2},
    {"sparklint-reducebykey8.json", 2, 4},
};

static void test_shared_logs_import_as_the_log_says(void **state)
{
    (void)state;
    struct stat sb;
    if (stat(shared, &sb) != 0)
        skip();
    for (size_t k = 0; k < sizeof shared_logs / sizeof shared_logs[0]; k++) {
        const struct shared_log *sl = &shared_logs[k];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", shared, sl->file);
        struct diag d;
        diag_clear(&d);
        struct evlog_options opt = {true};
        struct evlog *log = evlog_read(path, &opt, &d);
        if (!log)
            fail_msg("%s: %s", sl->file, d.msg);
        struct import *im = import_ok(log);
        struct scan *sc = malloc(sizeof *sc);
        scan_log(path, sc);
        if (im->executors != sl->executors || im->executor_cores != sl->cores)
            fail_msg("%s: %d executors x %d cores, expected %d x %d", sl->file, im->executors,
                     im->executor_cores, sl->executors, sl->cores);
        /* Every completed stage is in the job that lists it first, once. */
        int found = 0;
        for (size_t j = 0; j < im->n_jobs; j++)
            for (size_t i = 0; i < im->jobs[j].n_stages; i++) {
                const struct import_stage *is = &im->jobs[j].stages[i];
                const struct scan_stage *s = NULL;
                for (int q = 0; q < sc->n; q++)
                    if (sc->st[q].id == is->id)
                        s = &sc->st[q];
                if (!s)
                    fail_msg("%s: stage %lld is imported but did not complete", sl->file,
                             (long long)is->id);
                found++;
                assert_int_equal(im->jobs[j].id, s->job);
                assert_int_equal(is->tasks, s->tasks);
                for (int64_t t = 0; t < is->tasks; t++)
                    assert_float_equal(is->task_s[t], s->task_s[t], 1e-9);
                /* Parents: the log's, within the job. */
                int expect = 0;
                for (int p = 0; p < s->n_parents; p++) {
                    bool in_job = false;
                    for (size_t q = 0; q < im->jobs[j].n_stages; q++)
                        in_job |= im->jobs[j].stages[q].id == s->parents[p];
                    if (!in_job)
                        continue;
                    assert_true(expect < (int)is->n_parents);
                    assert_int_equal(is->parents[expect], s->parents[p]);
                    expect++;
                }
                if (s->has_parents)
                    assert_int_equal(is->n_parents, expect);
            }
        int completed = 0;
        for (int q = 0; q < sc->n; q++)
            completed += sc->st[q].job >= 0;
        if (found != completed)
            fail_msg("%s: %d stages imported, %d completed", sl->file, found, completed);
        free(sc);
        evlog_free(log);
        import_free(im);
    }
}

static void test_spark_14_parents_are_inferred_from_times(void **state)
{
    (void)state;
    struct stat sb;
    if (stat(shared, &sb) != 0)
        skip();
    char path[4096];
    snprintf(path, sizeof path, "%s/spark-local-1430917381534.json", shared);
    struct diag d;
    diag_clear(&d);
    struct evlog *log = evlog_read(path, NULL, &d);
    assert_non_null(log);
    struct import *im = import_ok(log);
    /* Read off the log: job 0 (submitted 1430917386422) ran stage 0
     * (submitted 1430917386485, completed 1430917387451) and stage 1
     * (submitted 1430917387462, completed 1430917387585): stage 0 had
     * completed when stage 1 was submitted, so it is stage 1's parent. */
    assert_int_equal(im->n_jobs, 1);
    assert_int_equal(im->jobs[0].n_stages, 2);
    const struct import_stage *s1 = &im->jobs[0].stages[1];
    assert_true(s1->parents_inferred);
    assert_int_equal(s1->n_parents, 1);
    assert_int_equal(s1->parents[0], 0);
    assert_int_equal(im->jobs[0].stages[0].n_parents, 0);
    assert_true(has_note(im, "inferred"));
    evlog_free(log);
    import_free(im);
}

int main(void)
{
    const char *env = getenv("SRCDIR");
    snprintf(srcdir, sizeof srcdir, "%s", env ? env : ABS_TOP_SRCDIR);
    struct diag d;
    diag_clear(&d);
    catalog = catalog_load_default(&d);
    if (!catalog) {
        fprintf(stderr, "test_eventlog: %s\n", d.msg);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_log_reads_every_event),
        cmocka_unit_test(test_compressed_and_rolling_logs_read_like_plain),
        cmocka_unit_test(test_import_tiny_jobs_stages_and_timing),
        cmocka_unit_test(test_import_writes_spark_settings_a_scenario_can_hold),
        cmocka_unit_test(test_imported_scenario_reads_back),
        cmocka_unit_test(test_retries_keep_the_last_successful_attempt),
        cmocka_unit_test(test_truncated_log_is_read_to_its_last_complete_event),
        cmocka_unit_test(test_bad_line_is_skipped_with_its_line_or_fails_when_strict),
        cmocka_unit_test(test_wrong_types_are_skipped_with_warnings),
        cmocka_unit_test(test_unusable_logs_fail_cleanly),
        cmocka_unit_test_setup(test_shared_logs_import_as_the_log_says, shared_setup),
        cmocka_unit_test_setup(test_spark_14_parents_are_inferred_from_times, shared_setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    catalog_free(catalog);
    return rc;
}
