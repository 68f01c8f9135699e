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
#include "sim/eventlog/eventlog.h"
#include "sim/eventlog/importer.h"
#include "sim/input/scenario.h"
#include "sim/pipeline/pipeline.h"
#include "sim/runtime/runtime.h"

/* Doubles compared as doubles (cmocka's assert_float_equal rounds to
 * float). */
#define assert_near(a, b, eps)                                                                     \
    do {                                                                                           \
        double a_ = (a), b_ = (b);                                                                 \
        if (!(fabs(a_ - b_) <= (eps)))                                                             \
            fail_msg("%s = %.9f, expected %.9f", #a, a_, b_);                                      \
    } while (0)

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
     * 400 ms, 3 700 ms; measured 1010 -> 1730 ms. Index 2's first attempt
     * failed (ExceptionFailure) on executor 1 after 200 ms: with the
     * executor timeline it is a failed_attempts item on executor 1 (entry
     * 1: entry 0 is executor 2, below), not charged to the task. */
    const struct import_stage *s0 = &j0->stages[0];
    assert_int_equal(s0->tasks, 4);
    assert_float_equal(s0->task_s[0], 0.5, 1e-9);
    assert_float_equal(s0->task_s[1], 0.6, 1e-9);
    assert_float_equal(s0->task_s[2], 0.4, 1e-9);
    assert_float_equal(s0->task_s[3], 0.7, 1e-9);
    assert_float_equal(s0->actual_s, 0.720, 1e-9);
    assert_int_equal(s0->failed_tasks, 1);
    assert_int_equal(s0->n_fail, 1);
    assert_int_equal(s0->fail_index[0], 2);
    assert_float_equal(s0->fail_run_s[0], 0.2, 1e-9);
    assert_int_equal(import_timeline_entry(im, s0->fail_exec[0]), 1);
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
    assert_int_equal(j1->after, 0);
    assert_true(isnan(j1->submit_s));
    assert_int_equal(im->skipped_stages, 1);
    /* Job 2 came 5 ms after job 1, which still ran: concurrent, 5 ms after
     * job 1's submission. */
    assert_int_equal(im->jobs[2].id, 2);
    assert_true(im->jobs[2].concurrent);
    assert_float_equal(im->jobs[2].gap_s, 0.005, 1e-9);
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
    /* The timeline from job 0's submission (1000 ms): 1 and 2 there before
     * it, 2 removed at 2900 ms (1.9 s), 3 added at 2940 ms (1.94 s). */
    assert_int_equal(im->n_timeline, 3);
    assert_int_equal(im->timeline_peak, 2);
    assert_float_equal(im->timeline[0].start_s, 0.0, 1e-9);
    assert_float_equal(im->timeline[0].end_s, 1.9, 1e-9);
    assert_true(isinf(im->timeline[1].end_s));
    assert_float_equal(im->timeline[2].start_s, 1.94, 1e-9);
    /* Profile 0 asks 2048 MiB, plus Spark's 384 MiB minimum overhead. */
    assert_int_equal(im->executor_memory_mib, 2048 + 384);
    assert_int_equal(im->platform, PLATFORM_VM);
    /* Launch gaps in first waves of 4 slots, each stage's first gap left
     * out: stage 0 launched at 1020, 1021, 1022, 1023 (gaps 1, 1 counted),
     * stage 2 at 2955, 2956, 2957 (gap 1): 3 ms over 3 gaps = 1 ms. */
    assert_float_equal(im->task_launch_ms, 1.0, 1e-9);
    /* The driver's time, read off the file. Jobs: 0 submitted at 1000 ms,
     * its first stage (0) at 1010: 10 ms; 1 at 2945, stage 2 at 2950: 5 ms;
     * 2 at 2950, stage 3 at 2951: 1 ms. */
    assert_near(j0->stage_delay_s, 0.010, 1e-9);
    assert_near(j1->stage_delay_s, 0.005, 1e-9);
    assert_near(im->jobs[2].stage_delay_s, 0.001, 1e-9);
    assert_true(j0->submit_logged && s0->submit_logged);
    /* Stages: submission to first launch, less that launch's 1 ms, less the
     * time the stage could not have launched (no slot free, or the driver
     * launching another task, each launch X taking (X - 1 ms, X]).
     * Stage 0: 1010 -> 1020, 4 slots free and nothing launched: 9 ms.
     * Stage 1: 1731 -> 1735; stage 0's tasks all finished by 1723: 3 ms.
     * Stage 2: 2950 -> 2955; 4 slots (executors 1 and 3; 2 was removed at
     * 2900), nothing running: 4 ms.
     * Stage 3: 2951 -> 2958, less 1 ms: 6 ms, of which 2954-2957 the driver
     * launched stage 2's tasks at 2955, 2956 and 2957 (slots stayed free:
     * 3 of 4 taken at most): 3 ms waiting, 3 ms the driver's. */
    const double driver[4] = {0.009, 0.003, 0.004, 0.003};
    const double waiting[4] = {0.0, 0.0, 0.0, 0.003};
    const struct import_stage *st[4] = {s0, &j0->stages[1], &j1->stages[0], &im->jobs[2].stages[0]};
    for (int i = 0; i < 4; i++) {
        assert_near(st[i]->driver_s, driver[i], 1e-9);
        assert_near(st[i]->offer_wait_s, waiting[i], 1e-9);
    }
    /* Executors 1 and 2 were there before job 0 and 3 replaced 2, never
     * more than two at once: none registers late. */
    assert_int_equal(im->n_executor_start_s, 0);
    char *text = written(im);
    assert_non_null(strstr(text, "        driver_s = 0.010;  #"));
    assert_non_null(strstr(text, "                driver_s = 0.009000;  #"));
    assert_null(strstr(text, "executor_start_s"));
    free(text);
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
    assert_null(strstr(text, " input_bytes"));
    assert_null(strstr(text, "shuffle_read_bytes ="));
    /* They are kept, under names the simulator does not move, for
     * input_scale: 4 tasks of stage 0 read 1 KiB each (tiny.json). */
    assert_non_null(strstr(text, "logged_input_bytes = 4096;"));
    /* Stage 0's tasks 0, 1 and 3 launched (1020-1023 ms) before the first
     * task of their executor ended (task 2's failed attempt, 1222 ms); task
     * 2's retry launched at 1230 ms, on a warm executor. */
    assert_non_null(strstr(text, "cold_tasks = [ 0, 1, 3 ];"));
    assert_non_null(strstr(text, "jvm = { first_task_ms = "));
    /* Same log, same bytes. */
    char *again = written(im);
    assert_string_equal(text, again);
    free(again);
    free(text);
    evlog_free(log);
    import_free(im);
}

/* locality.json is timeline.json with stage 0's tasks logged at other
 * levels: task 0 NODE_LOCAL on executor 1 (h1), task 1 RACK_LOCAL, task 2
 * PROCESS_LOCAL on executor 2 (h2), task 3 ANY. The timeline lists 2 first
 * (it leaves first), then 1: so node:1 and process:0. Stage 1's tasks all
 * ran PROCESS_LOCAL, which a task without a preference is also logged as:
 * no task_locality. Spark 3.x: no legacy reset of the locality wait. */
static void test_import_writes_each_tasks_locality(void **state)
{
    (void)state;
    struct evlog *log = read_ok("locality.json", true);
    struct import *im = import_ok(log);
    char *text = written(im);
    const char *want = "task_locality = [\n"
                       "                    \"node:1\", \"rack\", \"process:0\", \"elsewhere\"\n"
                       "                ];";
    const char *at = strstr(text, want);
    assert_non_null(at);
    assert_null(strstr(at + 1, "task_locality = ["));
    assert_null(strstr(text, "legacyResetOnTaskLaunch"));
    /* The tree replay builds holds the same. */
    struct diag d;
    diag_clear(&d);
    struct scenario *s = import_scenario(im, &d);
    assert_non_null(s);
    const struct stage_spec *st = &s->jobs[0].stages[0];
    assert_non_null(st->locality);
    assert_int_equal(st->locality[0].level, TASK_PREF_NODE);
    assert_int_equal(st->locality[0].executor, 1);
    assert_int_equal(st->locality[1].level, TASK_PREF_RACK);
    assert_int_equal(st->locality[2].level, TASK_PREF_PROCESS);
    assert_int_equal(st->locality[2].executor, 0);
    assert_int_equal(st->locality[3].level, TASK_PREF_ELSEWHERE);
    assert_null(s->jobs[1].stages[0].locality);
    assert_string_equal(s->cluster.executors[1].host, "h1");
    scenario_free(s);
    free(text);
    evlog_free(log);
    import_free(im);
}

/* timeline.json (by hand): executors 1 and 2 (2 cores each) added before
 * job 0 (submitted at 1000 ms), 2 removed at 3500 ms, 3 added at 4500 ms;
 * job 0 (4 tasks of 2 s on executors 1 and 2) ends at 3000 ms, job 1 is
 * submitted at 4000 ms and ends at 5000 ms. */
static void test_import_writes_executor_timeline_and_job_dependencies(void **state)
{
    (void)state;
    struct evlog *log = read_ok("timeline.json", true);
    struct import *im = import_ok(log);
    /* From 1000 ms: 2 leaves at 2.5 s, 3 joins at 3.5 s; 1 stays. Sorted by
     * start, then end. */
    assert_int_equal(im->n_timeline, 3);
    const double start[3] = {0.0, 0.0, 3.5}, end[3] = {2.5, INFINITY, INFINITY};
    for (int i = 0; i < 3; i++) {
        assert_float_equal(im->timeline[i].start_s, start[i], 1e-9);
        assert_true(im->timeline[i].end_s == end[i]);
        assert_int_equal(im->timeline[i].cores, 2);
    }
    assert_int_equal(im->timeline_peak, 2);
    assert_int_equal(im->executors, 2);
    assert_int_equal(im->n_executor_start_s, 0);
    /* Job 1: after job 0, which ended at 3000 ms, 1 s before it. */
    assert_int_equal(im->n_jobs, 2);
    assert_int_equal(im->jobs[1].after, 0);
    assert_float_equal(im->jobs[1].gap_s, 1.0, 1e-9);
    assert_false(im->jobs[1].concurrent);
    char *text = written(im);
    /* Each with its host (2 on h2, 1 on h1, 3 on h3), for the tasks'
     * locality. */
    assert_non_null(strstr(text, "executors = (\n"
                                 "        { start_s = 0.000; end_s = 2.500; cores = 2; host = \"h2\"; },\n"
                                 "        { start_s = 0.000; cores = 2; host = \"h1\"; },\n"
                                 "        { start_s = 3.500; cores = 2; host = \"h3\"; }\n"
                                 "    );"));
    assert_non_null(strstr(text, "        after = \"job 0: map at timeline.scala:1\";"));
    assert_non_null(strstr(text, "        gap_s = 1.000;"));
    /* Dynamic allocation stays on: the timeline is what it did, and a
     * what-if without the timeline allocates with it. */
    assert_non_null(strstr(text, "enabled = true;  # true in the log: cluster.executors"));
    free(text);
    /* The scenario reads back with the timeline. */
    struct diag d;
    diag_clear(&d);
    struct scenario *s = import_scenario(im, &d);
    assert_non_null(s);
    assert_int_equal(s->cluster.n_executors, 3);
    assert_float_equal(s->cluster.executors[0].end_s, 2.5, 1e-9);
    assert_int_equal(s->jobs[1].after_index, 0);
    scenario_free(s);
    import_free(im);
    evlog_free(log);
}

/* Job 1's submission in the replay of timeline.json, with job 0's task
 * times multiplied by factor. */
static double second_job_submit_s(double factor)
{
    struct evlog *log = read_ok("timeline.json", true);
    struct import *im = import_ok(log);
    struct diag d;
    diag_clear(&d);
    struct scenario *s = import_scenario(im, &d);
    assert_non_null(s);
    struct stage_spec *st = &s->jobs[0].stages[0];
    for (int64_t i = 0; i < st->tasks; i++)
        st->task_seconds_list[i] *= factor;
    struct pipeline pl = {0};
    struct pipeline_request rq = {.until = PIPELINE_SIMULATE, .scenario = s, .catalog = catalog};
    if (pipeline_run(&pl, &rq, &d) != SC_OK)
        fail_msg("pipeline: %s", d.msg);
    const struct results *r = sim_results(pl.sim);
    double at = (double)(r->jobs[1].submit_us - r->start_us) * 1e-6;
    pipeline_fini(&pl);
    scenario_free(s);
    import_free(im);
    evlog_free(log);
    return at;
}

static void test_halved_tasks_move_the_next_job_earlier(void **state)
{
    (void)state;
    /* Job 0's 4 tasks of 2 s run at once on the 4 slots of executors 1 and
     * 2 (no driver time, task_launch_ms 0): job 0 ends at 2 s, and job 1,
     * 1 s after it, is submitted at 3 s, as logged (4000 - 1000 ms). With
     * the tasks halved job 0 ends at 1 s and job 1 comes at 2 s: 1 s
     * earlier. */
    double as_logged = second_job_submit_s(1.0), halved = second_job_submit_s(0.5);
    assert_float_equal(as_logged, 3.0, 1e-9);
    assert_float_equal(halved, 2.0, 1e-9);
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
    /* The driver's time as the runtime reads it (see above). */
    assert_near(s->jobs[0].driver_s, 0.010, 1e-12);
    assert_near(s->jobs[0].stages[0].driver_s, 0.009, 1e-12);
    assert_near(s->jobs[2].stages[0].driver_s, 0.003, 1e-12);
    assert_int_equal(s->cluster.n_executor_start_s, 0);
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
    /* Stage 1: index 0 from attempt 0 (100 ms), index 1 failed to fetch
     * (40 ms, charged to it) and succeeded in attempt 1 (90 ms); 406 -> 840
     * ms. */
    assert_int_equal(s1->attempts, 2);
    assert_float_equal(s1->task_s[0], 0.100, 1e-9);
    assert_float_equal(s1->task_s[1], 0.090 + 0.040, 1e-9);
    assert_int_equal(s1->failed_tasks, 1);
    assert_float_equal(s1->actual_s, 0.434, 1e-9);
    assert_true(has_note(im, "stage 1 ran in 2 attempts (org.apache.spark.shuffle."
                             "FetchFailedException"));
    /* spark.executor.memory "4096" is MiB to Spark. */
    assert_int_equal(im->executor_memory_mib, 4096 + 409);
    evlog_free(log);
    import_free(im);
}

static void test_missing_submission_times_fall_back(void **state)
{
    (void)state;
    /* tiny.json as Spark 1.x local mode may log it: no "Submission Time"
     * for jobs and stages, no executors (local[4]). Each stage's first
     * launch stands for its submission and each job's first stage's for
     * its own, so there is no driver time to measure: every driver_s is 0,
     * and the notes say why. Job 0 starts at stage 0's first launch, 1020
     * ms, and job 1 ends at 3265 ms: 2.245 s. */
    struct evlog *log = read_ok("no-submit-times.json", true);
    struct import *im = import_ok(log);
    assert_int_equal(im->n_jobs, 3);
    assert_true(im->local_mode);
    assert_int_equal(im->executors, 1);
    assert_int_equal(im->executor_cores, 4);
    assert_int_equal(im->n_executor_start_s, 0);
    assert_near(im->actual_s, 2.245, 1e-9);
    for (size_t j = 0; j < im->n_jobs; j++) {
        assert_false(im->jobs[j].submit_logged);
        assert_near(im->jobs[j].stage_delay_s, 0.0, 0.0);
        for (size_t i = 0; i < im->jobs[j].n_stages; i++) {
            assert_false(im->jobs[j].stages[i].submit_logged);
            assert_near(im->jobs[j].stages[i].driver_s, 0.0, 0.0);
            assert_near(im->jobs[j].stages[i].launch_wait_s, 0.0, 0.0);
        }
    }
    assert_true(has_note(im, "3 jobs without a submission time"));
    assert_true(has_note(im, "4 stages without a submission time"));
    char *text = written(im);
    assert_null(strstr(text, "driver_s ="));
    assert_non_null(
        strstr(text, "# no submission time in the log: its first launch stands for it"));
    free(text);
    struct diag d;
    diag_clear(&d);
    struct scenario *s = import_scenario(im, &d);
    if (!s)
        fail_msg("%s", d.msg);
    assert_near(s->jobs[0].driver_s, 0.0, 0.0);
    assert_near(s->jobs[0].stages[0].driver_s, 0.0, 0.0);
    scenario_free(s);
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

static void test_malformed_values_are_warned_with_their_line(void **state)
{
    (void)state;
    /* bad-values.json is no-submit-times.json with a Spark version that is
     * no MAJOR.MINOR (line 1) and four properties Spark itself would refuse
     * (line 2). The reader warns about the version and takes it as unknown;
     * the strict reader refuses the log at line 1. */
    struct evlog *log = read_ok("bad-values.json", false);
    char expect[2100];
    snprintf(expect, sizeof expect, "%s:1: Spark version \"1.x\"", fixture("bad-values.json"));
    assert_int_equal(log->n_warnings, 1);
    assert_non_null(strstr(log->warnings[0], expect));
    assert_int_equal(log->bad_lines, 0);
    assert_int_equal(log->version_major, 0);
    assert_int_equal(log->version_minor, 0);
    assert_int_equal(evlog_property_find(log, "spark.task.cpus")->line, 2);

    /* The importer goes on with each default and notes every value at
     * file:2. local[four] is read as local[*]: the cores are the most tasks
     * that overlapped, 4 as local[4] gave in no-submit-times.json. */
    struct import *im = import_ok(log);
    const char *notes[] = {
        "bad-values.json:2: spark.task.cpus = \"1.5\" is not a whole number",
        "bad-values.json:2: spark.locality.wait = \"soon\" is not a duration",
        "bad-values.json:2: spark.master = \"local[four]\" is not local, local[N]",
        "bad-values.json:2: spark.driver.memory = \"lots\" is not a size",
    };
    for (size_t i = 0; i < sizeof notes / sizeof notes[0]; i++)
        if (!has_note(im, notes[i]))
            fail_msg("no note '%s'", notes[i]);
    assert_true(im->local_mode);
    assert_int_equal(im->executor_cores, 4);
    assert_int_equal(im->executor_memory_mib, 1024); /* local: the driver's default heap */
    assert_int_equal(im->n_jobs, 3);
    import_free(im);
    evlog_free(log);

    struct diag d;
    diag_clear(&d);
    struct evlog_options strict = {true};
    assert_null(evlog_read(fixture("bad-values.json"), &strict, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 1);
}

static bool has_warning(const struct evlog *log, const char *needle)
{
    for (size_t i = 0; i < log->n_warnings; i++)
        if (strstr(log->warnings[i], needle))
            return true;
    return false;
}

static void test_implausible_values_are_warned_per_kind_and_checked(void **state)
{
    (void)state;
    /* implausible.json is tiny.json (13 TaskEnds, 12 kept) with the TaskEnd
     * on line 13 launched at 0, the one on line 17 finishing 5 ms before its
     * launch, the two of stage 1 (lines 23, 25) with an Executor Run Time of
     * 9223372036854775000 ms (their sum overflowed int64 before), and the
     * three of stage 2 (lines 36, 38, 40) reading 2^60 input bytes each, and
     * job 2's JobEnd (line 44) at "Completion Time" -5. */
    struct evlog *log = read_ok("implausible.json", false);
    const char *warnings[] = {
        "implausible.json:13: implausible values: tasks with a Launch Time of zero or less, "
        "skipped: 1",
        "implausible.json:17: implausible values: tasks with a Finish Time before their Launch "
        "Time, skipped: 1",
        "implausible.json:23: implausible values: task metrics negative or beyond 2^60",
        "implausible.json:44: implausible values: event times zero, negative or past year 33000 "
        "(stage, job, executor, query or application), taken as absent: 1",
        /* 2^60 + 2^60 passes the cap at the second task (line 38), and stays
         * past it at the third. */
        "implausible.json:38: implausible values: stage sums of a metric beyond 2^60, capped at "
        "2^60: 2",
    };
    for (size_t i = 0; i < sizeof warnings / sizeof warnings[0]; i++)
        if (!has_warning(log, warnings[i]))
            fail_msg("no warning '%s'", warnings[i]);
    assert_int_equal(log->n_tasks, 11);
    assert_true(evlog_job_find(log, 2)->end_ms == EVLOG_NONE);
    for (size_t i = 0; i < log->n_stages; i++) {
        const struct evlog_metrics *m = &log->stages[i].metrics;
        if (log->stages[i].id == 1)
            assert_true(m->run_ms == EVLOG_NONE); /* both values dropped, none summed */
        if (log->stages[i].id == 2)
            assert_true(m->input_bytes == EVLOG_MAX_VALUE);
    }
    /* The importer takes what is left without overflowing (UBSan checks). */
    struct import *im = import_ok(log);
    import_free(im);
    evlog_free(log);

    struct diag d;
    diag_clear(&d);
    struct evlog_options strict = {true};
    assert_null(evlog_read(fixture("implausible.json"), &strict, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 13);
}

static void test_times_far_from_the_tasks_are_warned_and_dropped(void **state)
{
    (void)state;
    /* far-times.json: tiny.json with job 0 submitted at 1 ms (line 8),
     * executor 3 added at 1.8e12 ms (line 30, 1e8 s after the others) and
     * job 2 ending at 1.8e12 ms (line 44). The median task launch is in
     * 1.7e12 ms; all three are more than 1e7 s away from it: one warning
     * for the kind, counting 3, at the first line. Before, job 0's time made
     * the imported executors start 1.7e9 s after the application's start,
     * which no scenario may hold. */
    struct evlog *log = read_ok("far-times.json", false);
    if (!has_warning(log, "far-times.json:8: implausible values: job, stage, query, executor or "
                          "application times more than 1e7 s (115 days) from the tasks' median "
                          "launch, taken as absent: 3"))
        fail_msg("no warning for the far times");
    assert_true(evlog_job_find(log, 0)->submit_ms == EVLOG_NONE);
    assert_true(evlog_job_find(log, 2)->end_ms == EVLOG_NONE);
    /* Executor 3 joins with the first plausible executor, executor 1 at
     * 1700000000100 (line 6 of tiny.json). */
    for (size_t i = 0; i < log->n_executors; i++)
        if (strcmp(log->executors[i].id, "3") == 0)
            assert_true(log->executors[i].added_ms == 1700000000100LL);
    struct import *im = import_ok(log);
    import_free(im);
    evlog_free(log);
    /* tiny.json itself has nothing far. */
    log = read_ok("tiny.json", true);
    assert_int_equal(log->n_warnings, 0);
    evlog_free(log);
}

static void test_spark_versions_read_major_and_minor(void **state)
{
    (void)state;
    /* The shared logs' versions ("3.3.0-amzn-0", "2.5.0-SNAPSHOT", "1.5.2")
     * read through the same parse; tiny.json's is 3.3.0. */
    struct evlog *log = read_ok("tiny.json", true);
    assert_int_equal(log->version_major, 3);
    assert_int_equal(log->version_minor, 3);
    assert_int_equal(log->n_warnings, 0);
    evlog_free(log);
    log = read_ok("no-submit-times.json", true);
    assert_int_equal(log->version_major, 1);
    assert_int_equal(log->version_minor, 3);
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
    double failed_s[256]; /* failed attempts' time, charged to the task */
    double exc_s[256];    /* ExceptionFailure attempts' time: charged to the
                           * task only without an executor timeline */
    int64_t task_finish[256];
    int64_t submit_ms;       /* attempt 0's "Submission Time"; -1 if none */
    int64_t first_launch_ms; /* attempt 0's first task launch; -1 if none */
};

struct scan_exec {
    char id[32];
    int64_t added_ms, removed_ms; /* removed_ms -1 while alive */
    bool ran;                     /* some task ran on it */
};

struct scan_task {
    int64_t stage, launch_ms, finish_ms;
};

struct scan {
    struct scan_stage st[64];
    int n;
    int64_t job_of[64][2]; /* (stage id, smallest job id listing it) */
    int n_job_of;
    int64_t job_submit[64][2]; /* (job id, "Submission Time") */
    int64_t job_end[64][2];    /* (job id, "Completion Time") */
    int n_jobs, n_job_ends;
    struct scan_exec ex[32];
    int n_ex;
    struct scan_task task[4096];
    int n_task;
};

static int64_t scan_job_time(int64_t (*t)[2], int n, int64_t job)
{
    for (int i = 0; i < n; i++)
        if (t[i][0] == job)
            return t[i][1];
    return -1;
}

static struct scan_exec *scan_exec(struct scan *sc, const char *id)
{
    for (int i = 0; i < sc->n_ex; i++)
        if (strcmp(sc->ex[i].id, id) == 0)
            return &sc->ex[i];
    return NULL;
}

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
    s->submit_ms = s->first_launch_ms = -1;
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
            json_t *at = json_object_get(e, "Submission Time");
            assert_true(sc->n_jobs < 64);
            if (at) {
                sc->job_submit[sc->n_jobs][0] = job;
                sc->job_submit[sc->n_jobs++][1] = json_integer_value(at);
            }
            json_t *ids = json_object_get(e, "Stage IDs");
            for (size_t i = 0; i < json_array_size(ids); i++) {
                struct scan_stage *s = scan_stage(sc, json_integer_value(json_array_get(ids, i)));
                if (s->job < 0 || job < s->job)
                    s->job = job;
            }
        } else if (strcmp(ev, "SparkListenerJobEnd") == 0) {
            assert_true(sc->n_job_ends < 64);
            sc->job_end[sc->n_job_ends][0] = json_integer_value(json_object_get(e, "Job ID"));
            sc->job_end[sc->n_job_ends++][1] =
                json_integer_value(json_object_get(e, "Completion Time"));
        } else if (strcmp(ev, "SparkListenerExecutorAdded") == 0) {
            const char *id = json_string_value(json_object_get(e, "Executor ID"));
            if (strcmp(id, "driver") != 0) {
                assert_true(sc->n_ex < 32);
                struct scan_exec *x = &sc->ex[sc->n_ex++];
                snprintf(x->id, sizeof x->id, "%s", id);
                x->added_ms = json_integer_value(json_object_get(e, "Timestamp"));
                x->removed_ms = -1;
                x->ran = false;
            }
        } else if (strcmp(ev, "SparkListenerExecutorRemoved") == 0) {
            struct scan_exec *x =
                scan_exec(sc, json_string_value(json_object_get(e, "Executor ID")));
            if (x)
                x->removed_ms = json_integer_value(json_object_get(e, "Timestamp"));
        } else if ((strcmp(ev, "SparkListenerStageSubmitted") == 0 ||
                    strcmp(ev, "SparkListenerStageCompleted") == 0) &&
                   json_integer_value(json_object_get(json_object_get(e, "Stage Info"),
                                                      "Stage Attempt ID")) == 0 &&
                   json_object_get(json_object_get(e, "Stage Info"), "Submission Time")) {
            /* Spark 1.x gives the submission time only at completion. */
            json_t *info = json_object_get(e, "Stage Info");
            struct scan_stage *s =
                scan_stage(sc, json_integer_value(json_object_get(info, "Stage ID")));
            s->submit_ms = json_integer_value(json_object_get(info, "Submission Time"));
        }
        if (strcmp(ev, "SparkListenerStageCompleted") == 0) {
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
            if (json_integer_value(json_object_get(e, "Stage Attempt ID")) == 0 &&
                (s->first_launch_ms < 0 || l < s->first_launch_ms))
                s->first_launch_ms = l;
            assert_true(sc->n_task < 4096);
            sc->task[sc->n_task++] = (struct scan_task){s->id, l, fin};
            struct scan_exec *x =
                scan_exec(sc, json_string_value(json_object_get(info, "Executor ID")));
            if (x)
                x->ran = true;
            if (strcmp(why, "Success") == 0 && fin >= s->task_finish[idx]) {
                s->task_finish[idx] = fin;
                s->task_s[idx] = (double)(fin - l) / 1000.0;
            } else if (strcmp(why, "ExceptionFailure") == 0 && fin >= l) {
                /* Failed on a live executor: with a timeline the import
                 * writes it as a failed_attempts item instead. */
                s->exc_s[idx] += (double)(fin - l) / 1000.0;
            } else if (strcmp(why, "Success") != 0 && strcmp(why, "TaskKilled") != 0 &&
                       strcmp(why, "Resubmitted") != 0 && strcmp(why, "ExecutorLostFailure") != 0 &&
                       fin >= l) {
                /* Any other end is a failure: its slot time was spent
                 * before the task ran again. An attempt lost with its
                 * executor is not charged: the timeline (cluster.executors)
                 * removes that executor and the model reruns the task. */
                s->failed_s[idx] += (double)(fin - l) / 1000.0;
            }
        }
        json_decref(e);
    }
    free(line);
    fclose(f);
    /* A task's time is its successful attempt's plus its failed ones'. */
    for (int i = 0; i < sc->n; i++)
        for (int t = 0; t < 256; t++)
            sc->st[i].task_s[t] += sc->st[i].failed_s[t];
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
    /* Where executors that ran tasks were removed while jobs ran, the
     * executor_start_s read off the log by hand; else the test works them
     * out from the log's ExecutorAdded times. */
    int n_late;
    double late_s[2];
};

static const struct shared_log shared_logs[] = {
    /* 10 ExecutorAdded of 3 cores, none removed. */
    {"emr-processlarge.json", 10, 3, 0, {0}},
    /* 4 ExecutorAdded of 1 core (spark.executor.instances = 4). */
    {"k8s-nyctaxi-0024.json", 4, 1, 0, {0}},
    /* local[*]: the driver's ExecutorAdded gives 12 cores. */
    {"rapids-dsanddf-local.json", 1, 12, 0, {0}},
    {"rapids-join-local.json", 1, 12, 0, {0}},
    /* Dynamic allocation and stage-level scheduling: of the 9 executors
     * (5 of 4 cores) only 2 (profile 1, added 1622846409367), 8 and 7
     * (profile 0, 1622846435801 and 1622846437004) ran tasks, none of them
     * removed: three, 6.589, 33.023 and 34.226 s after job 0 (1622846402778). */
    {"rapids-yarn-rp-sql.json", 3, 4, 0, {0}},
    /* Spark 1.4 local[*] logs no executor: at most 8 tasks overlap in their
     * executor-side time (launch + deserialize + run + serialize). */
    {"spark-local-1430917381534.json", 1, 8, 0, {0}},
    {"spark-local-1642039451826.json", 1, 8, 0, {0}},
    /* local-cluster[4,4,1024]. */
    {"spark-localcluster-20161115.json", 4, 4, 0, {0}},
    {"spark-standalone-20200706.json", 1, 16, 0, {0}},
    /* Containers fail with exit code 56 and are replaced: 9 added, 8
     * removed, one alive most of the time (two only from 1538440988793 to
     * 1538440994012 and 1538441003031 to 1538441010281, ...). The timeline
     * (cluster.executors) has each of them as it came and went, and the
     * scenario as many as were alive at once, two (executors 2 and 3 from
     * 1538440988793, line 77, until 2 left at 1538440994012, line 82). */
    {"spark-yarn-bisectingkmeans.json", 2, 1, 1, {4.718}},
    /* Executor 3 was added as the last job ended (1466088056872) and ran
     * no task. */
    {"sparklint-myappname.json", 2, 2, 0, {0}},
    {"sparklint-reducebykey8.json", 2, 4, 0, {0}},
};

static const struct scan_stage *scan_find(const struct scan *sc, int64_t id)
{
    for (int q = 0; q < sc->n; q++)
        if (sc->st[q].id == id)
            return &sc->st[q];
    return NULL;
}

/* The driver's time against the log's own timestamps. A job's driver_s is
 * its first stage's submission less its own. A stage's, with its
 * submission S and first launch L: the wait L - S less the first launch's
 * task_launch_ms splits into driver_s and the time it could not launch
 * (offer_wait_s); where no other task ran or launched between S and L, all
 * of it is the driver's. */
static void check_driver_time(const struct shared_log *sl, const struct scan *sc,
                              const struct import *im)
{
    int exact = 0;
    for (size_t j = 0; j < im->n_jobs; j++) {
        const struct import_job *job = &im->jobs[j];
        int64_t submit = scan_job_time((int64_t(*)[2])sc->job_submit, sc->n_jobs, job->id);
        int64_t first = -1;
        for (size_t i = 0; i < job->n_stages; i++) {
            const struct scan_stage *s = scan_find(sc, job->stages[i].id);
            assert_non_null(s);
            if (s->submit_ms >= 0 && (first < 0 || s->submit_ms < first))
                first = s->submit_ms;
        }
        if (submit >= 0 && first >= submit)
            assert_near(job->stage_delay_s, (double)(first - submit) / 1000.0, 1e-9);
        for (size_t i = 0; i < job->n_stages; i++) {
            const struct import_stage *is = &job->stages[i];
            const struct scan_stage *s = scan_find(sc, is->id);
            assert_true(is->driver_s >= 0.0 && is->offer_wait_s >= 0.0);
            if (s->submit_ms < 0 || s->first_launch_ms < 0) {
                assert_near(is->driver_s, 0.0, 0.0);
                continue;
            }
            /* Without an estimate the runtime's default launch, 1 ms. */
            double launch_ms = isnan(im->task_launch_ms) ? 1.0 : im->task_launch_ms;
            double wait = (double)(s->first_launch_ms - s->submit_ms) / 1000.0 - launch_ms / 1000.0;
            if (wait < 0.0)
                wait = 0.0;
            assert_near(is->driver_s + is->offer_wait_s, wait, 1e-9);
            /* Alone: executors were there and none came or went, and no
             * other task held a slot or was launched. */
            bool alone = sc->n_ex == 0;
            for (int x = 0; x < sc->n_ex; x++) {
                const struct scan_exec *e = &sc->ex[x];
                if (e->added_ms <= s->submit_ms &&
                    (e->removed_ms < 0 || e->removed_ms >= s->first_launch_ms))
                    alone = true;
            }
            for (int x = 0; x < sc->n_ex; x++) {
                const struct scan_exec *e = &sc->ex[x];
                if ((e->added_ms > s->submit_ms && e->added_ms < s->first_launch_ms) ||
                    (e->removed_ms > s->submit_ms && e->removed_ms < s->first_launch_ms))
                    alone = false;
            }
            for (int t = 0; t < sc->n_task && alone; t++) {
                const struct scan_task *o = &sc->task[t];
                if (o->stage == s->id)
                    continue;
                alone = !(o->launch_ms < s->first_launch_ms && o->finish_ms > s->submit_ms);
            }
            if (alone) {
                if (fabs(is->driver_s - wait) > 1e-9)
                    fail_msg("%s: stage %lld: driver_s %.6f, expected %.6f", sl->file,
                             (long long)is->id, is->driver_s, wait);
                exact++;
            }
        }
    }
    assert_true(exact > 0);
}

/* The executors' registrations against the log's ExecutorAdded times: where
 * none that ran tasks was removed while jobs ran, the scenario has exactly
 * those executors, each from its ExecutorAdded (0 for one there before the
 * first job); else the hand-read values of the table above. */
static void check_executor_start(const struct shared_log *sl, const struct scan *sc,
                                 const struct import *im)
{
    if (sc->n_ex == 0) {
        assert_int_equal(im->n_executor_start_s, 0); /* local mode */
        return;
    }
    int64_t start = -1, end = -1;
    for (size_t j = 0; j < im->n_jobs; j++) {
        int64_t t = scan_job_time((int64_t(*)[2])sc->job_submit, sc->n_jobs, im->jobs[j].id);
        int64_t e = scan_job_time((int64_t(*)[2])sc->job_end, sc->n_job_ends, im->jobs[j].id);
        if (t >= 0 && (start < 0 || t < start))
            start = t;
        if (e > end)
            end = e;
    }
    /* Every executor that ran tasks and was alive while jobs ran, from its
     * ExecutorAdded (0 before the first job) to its ExecutorRemoved (the
     * end when it stayed): the importer's timeline (cluster.executors),
     * in order of arrival, and as many executors as were alive at once. */
    double from[64], to[64];
    int n = 0;
    for (int i = 0; i < sc->n_ex && n < 64; i++) {
        const struct scan_exec *x = &sc->ex[i];
        if (!x->ran || x->added_ms >= end || (x->removed_ms >= 0 && x->removed_ms <= start))
            continue;
        double at = x->added_ms > start ? (double)(x->added_ms - start) / 1000.0 : 0.0;
        double gone = x->removed_ms >= 0 && x->removed_ms < end
                          ? (double)(x->removed_ms - start) / 1000.0
                          : INFINITY;
        int k = n++;
        while (k > 0 && (from[k - 1] > at || (from[k - 1] == at && to[k - 1] > gone))) {
            from[k] = from[k - 1];
            to[k] = to[k - 1];
            k--;
        }
        from[k] = at;
        to[k] = gone;
    }
    assert_int_equal(im->n_executor_start_s, 0);
    assert_int_equal(im->n_timeline, (size_t)n);
    int peak = 0;
    for (int i = 0; i < n; i++) {
        if (fabs(im->timeline[i].start_s - from[i]) > 1e-9)
            fail_msg("%s: executor %d of the timeline from %.3f s, the log says %.3f s", sl->file,
                     i, im->timeline[i].start_s, from[i]);
        if (isfinite(to[i]))
            assert_near(im->timeline[i].end_s, to[i], 1e-9);
        else
            assert_false(isfinite(im->timeline[i].end_s));
        int alive = 0;
        for (int k = 0; k < n; k++)
            alive += from[k] <= from[i] && to[k] > from[i];
        peak = alive > peak ? alive : peak;
    }
    assert_int_equal(im->executors, peak);
}

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
                    assert_float_equal(is->task_s[t],
                                       s->task_s[t] + (im->n_timeline ? 0.0 : s->exc_s[t]), 1e-9);
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
        check_driver_time(sl, sc, im);
        check_executor_start(sl, sc, im);
        free(sc);
        evlog_free(log);
        import_free(im);
    }
}

static void test_driver_time_leaves_out_the_wait_for_executors(void **state)
{
    (void)state;
    struct stat sb;
    if (stat(shared, &sb) != 0)
        skip();
    char path[4096];
    snprintf(path, sizeof path, "%s/emr-processlarge.json", shared);
    struct diag d;
    diag_clear(&d);
    struct evlog *log = evlog_read(path, NULL, &d);
    assert_non_null(log);
    struct import *im = import_ok(log);
    /* Read off the log: job 0 submitted at 1724884538636, its stage 0 at
     * 1724884538657 (job driver_s 21 ms); the first executor registered at
     * 1724884540880 and the stage's one task launched at 1724884541155.
     * With no executor for 2.223 s the stage could not launch; of the
     * 2.498 s to its launch, less the launch itself (0.442 ms, the import's
     * estimate), the driver's is the rest: 0.274558 s. */
    const struct import_stage *s0 = &im->jobs[0].stages[0];
    assert_near(im->task_launch_ms, 0.442, 1e-9);
    assert_near(im->jobs[0].stage_delay_s, 0.021, 1e-9);
    assert_near(s0->offer_wait_s, 2.223, 1e-9);
    assert_near(s0->driver_s, 0.274558, 1e-9);
    /* Executors 1 and 2 registered at 1724884540880 and ...887: 2.244 and
     * 2.251 s after job 0, the first two of the timeline. */
    assert_int_equal(im->n_executor_start_s, 0);
    assert_true(im->n_timeline >= 2);
    assert_near(im->timeline[0].start_s, 2.244, 1e-9);
    assert_near(im->timeline[1].start_s, 2.251, 1e-9);
    evlog_free(log);
    import_free(im);
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
        cmocka_unit_test(test_import_writes_executor_timeline_and_job_dependencies),
        cmocka_unit_test(test_import_writes_each_tasks_locality),
        cmocka_unit_test(test_halved_tasks_move_the_next_job_earlier),
        cmocka_unit_test(test_imported_scenario_reads_back),
        cmocka_unit_test(test_retries_keep_the_last_successful_attempt),
        cmocka_unit_test(test_missing_submission_times_fall_back),
        cmocka_unit_test(test_truncated_log_is_read_to_its_last_complete_event),
        cmocka_unit_test(test_bad_line_is_skipped_with_its_line_or_fails_when_strict),
        cmocka_unit_test(test_wrong_types_are_skipped_with_warnings),
        cmocka_unit_test(test_malformed_values_are_warned_with_their_line),
        cmocka_unit_test(test_implausible_values_are_warned_per_kind_and_checked),
        cmocka_unit_test(test_times_far_from_the_tasks_are_warned_and_dropped),
        cmocka_unit_test(test_spark_versions_read_major_and_minor),
        cmocka_unit_test(test_unusable_logs_fail_cleanly),
        cmocka_unit_test_setup(test_shared_logs_import_as_the_log_says, shared_setup),
        cmocka_unit_test_setup(test_driver_time_leaves_out_the_wait_for_executors, shared_setup),
        cmocka_unit_test_setup(test_spark_14_parents_are_inferred_from_times, shared_setup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    catalog_free(catalog);
    return rc;
}
