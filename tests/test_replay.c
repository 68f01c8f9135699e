/*
 * test_replay.c — replaying event logs (replay.c) and the `import` and
 * `replay` commands: the fixture tiny.json replayed against arithmetic done
 * by hand, another cluster, the accuracy targets on the shared real logs
 * (skipped when ../shared/data/eventlogs is absent, as in `make distcheck`),
 * and the real binary on good and malformed logs.
 *
 * The build passes STAGECAST (the binary) and SRCDIR (the source tree).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "models/catalog.h"
#include "sim/eventlog.h"
#include "sim/importer.h"
#include "sim/replay.h"

static char srcdir[1000];
static const char *binary;
static char workdir[256];
static struct catalog *catalog;

/* A fixture's path; four buffers in turn, so that one call can name two. */
static const char *fixture(const char *name)
{
    static char path[4][1200];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/tests/eventlogs/%s", srcdir, name);
    return p;
}

static struct replay *replay_of(const char *path, const struct replay_cluster *oc, struct diag *d)
{
    diag_clear(d);
    struct evlog *log = evlog_read(path, NULL, d);
    if (!log)
        return NULL;
    struct import *im = import_log(log, catalog, d);
    evlog_free(log);
    if (!im)
        return NULL;
    struct replay *r = replay_run(im, catalog, oc, d);
    import_free(im);
    return r;
}

/* ------------------------------------------------------------- library */

static void test_tiny_replay_matches_hand_arithmetic(void **state)
{
    (void)state;
    struct diag d;
    struct replay *r = replay_of(fixture("tiny.json"), NULL, &d);
    if (!r)
        fail_msg("%s", d.msg);
    /* The import: 2 executors x 2 cores = 4 slots, the driver launching a
     * task every 1 ms (see test_eventlog).
     * Job 0 at 0: stage 0's four tasks launch at 1, 2, 3, 4 ms and take
     * 0.5, 0.6, 0.4, 0.7 s: they end at 501, 602, 403, 704 ms, so the stage
     * takes 0.704 s (the log: 0.720 s). Stage 1 is submitted at 704 ms, its
     * tasks launch at 705 and 706 ms and take 0.1 and 0.2 s: it ends at 906,
     * 0.202 s (log 0.209 s). Job 1 comes gap_s = 1 s later, at 1906 ms, job
     * 2 with it; FIFO serves job 1 first: stage 2's three 0.3 s tasks launch
     * at 1907-1909 ms, ending at 2209 ms: 0.303 s (log 0.310 s); stage 3's
     * task launches at 1910 ms and takes 0.1 s: 0.104 s (log 0.109 s). The
     * application runs to 2209 ms: 2.209 s (log 2.265 s). */
    assert_int_equal(r->n_stages, 4);
    const double predicted[4] = {0.704, 0.202, 0.303, 0.104};
    const double actual[4] = {0.720, 0.209, 0.310, 0.109};
    const int64_t ids[4] = {0, 1, 2, 3};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r->stages[i].stage_id, ids[i]);
        assert_float_equal(r->stages[i].predicted_s, predicted[i], 1e-6);
        assert_float_equal(r->stages[i].actual_s, actual[i], 1e-9);
        assert_float_equal(r->stages[i].error, (predicted[i] - actual[i]) / actual[i], 1e-6);
    }
    assert_float_equal(r->predicted_s, 2.209, 1e-6);
    assert_float_equal(r->actual_s, 2.265, 1e-9);
    /* Errors -2.2%, -3.3%, -2.3%, -4.6%: the median of the absolute values
     * is halfway between 2.3% and 3.3%. */
    double e1 = (0.202 - 0.209) / 0.209, e2 = (0.303 - 0.310) / 0.310;
    assert_float_equal(r->median_abs_error, (fabs(e1) + fabs(e2)) / 2.0, 1e-6);
    assert_int_equal(r->worst_stage, 3);
    /* Both targets met: nothing to explain. */
    assert_int_equal(r->n_why, 0);
    assert_false(r->other_cluster);
    replay_free(r);
}

static void test_replay_on_another_cluster(void **state)
{
    (void)state;
    /* One executor of one core: stage 0's tasks run one after another.
     * Launches at 1, 502, 1103, 1504 ms (each 1 ms after the slot frees),
     * ends at 501, 1102, 1503, 2204 ms: 2.204 s. */
    struct replay_cluster oc = {
        .worker = "Standard_D4s_v3", .workers = 1, .executor_cores = 1, .executors_per_worker = 1};
    struct diag d;
    struct replay *r = replay_of(fixture("tiny.json"), &oc, &d);
    if (!r)
        fail_msg("%s", d.msg);
    assert_true(r->other_cluster);
    assert_non_null(strstr(r->cluster, "1 x Standard_D4s_v3"));
    assert_non_null(strstr(r->cluster, "1 task slots"));
    assert_float_equal(r->stages[0].predicted_s, 2.204, 1e-6);
    assert_float_equal(r->stages[0].actual_s, 0.720, 1e-9);
    replay_free(r);

    /* Sixteen workers: the same tasks, never waiting for a slot. */
    struct replay_cluster big = {.worker = "Standard_E8s_v3", .workers = 16};
    r = replay_of(fixture("tiny.json"), &big, &d);
    if (!r)
        fail_msg("%s", d.msg);
    assert_non_null(strstr(r->cluster, "16 x Standard_E8s_v3"));
    assert_float_equal(r->stages[0].predicted_s, 0.704, 1e-6);
    replay_free(r);
}

static void test_unknown_override_fails_cleanly(void **state)
{
    (void)state;
    struct replay_cluster oc = {.worker = "Standard_E8s_v9"};
    struct diag d;
    assert_null(replay_of(fixture("tiny.json"), &oc, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_non_null(strstr(d.msg, "unknown node size 'Standard_E8s_v9'"));
    assert_non_null(strstr(d.msg, "did you mean"));
    struct replay_cluster bad = {.platform = "mainframe"};
    assert_null(replay_of(fixture("tiny.json"), &bad, &d));
    assert_int_equal(d.status, SC_EINPUT);
    /* Executors of 64 cores do not fit a 4-vCPU node. */
    struct replay_cluster big = {.worker = "Standard_D4s_v3", .executor_cores = 64};
    assert_null(replay_of(fixture("tiny.json"), &big, &d));
    assert_int_equal(d.status, SC_EINPUT);
}

/* The accuracy targets on the shared logs. Where a target is missed, the
 * cause is in the model, measured on the log (README, "Importing and
 * replaying Spark event logs"); those logs are listed here with the cause,
 * and the test checks that the replay explains its miss. */
struct exception {
    const char *file;
    const char *why;
};

static const struct exception exceptions[] = {
    {"k8s-nyctaxi-0024.json",
     "the first stage waited 35 s for the executors to register; the model has them at 0"},
    {"rapids-yarn-rp-sql.json",
     "stage-level scheduling with dynamic allocation: executors of each resource profile "
     "were requested when its stage was submitted"},
    {"spark-local-1642039451826.json",
     "stages of 16-110 ms, a third of which is the time from submission to the first launch"},
    {"spark-localcluster-20161115.json", "0.16 s of driver work before the only stage"},
    {"spark-standalone-20200706.json", "0.39 s before the first stage's first launch"},
    {"spark-yarn-bisectingkmeans.json", "executors failing and their tasks re-run"},
    {"sparklint-reducebykey8.json",
     "5.1 s of driver work before the first stage, and delay scheduling"},
};

static void test_shared_logs_meet_the_targets_or_say_why(void **state)
{
    (void)state;
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/../shared/data/eventlogs", srcdir);
    DIR *dp = opendir(dir);
    if (!dp)
        skip();
    struct dirent *e;
    int logs = 0;
    while ((e = readdir(dp)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct diag d;
        struct replay *r = replay_of(path, NULL, &d);
        if (!r)
            fail_msg("%s: %s", e->d_name, d.msg);
        logs++;
        bool excepted = false;
        for (size_t i = 0; i < sizeof exceptions / sizeof exceptions[0]; i++)
            excepted |= strcmp(exceptions[i].file, e->d_name) == 0;
        bool met =
            r->median_abs_error <= REPLAY_STAGE_TARGET && fabs(r->app_error) <= REPLAY_APP_TARGET;
        if (!excepted && !met)
            fail_msg("%s: median stage error %.1f%%, application error %.1f%%", e->d_name,
                     100 * r->median_abs_error, 100 * r->app_error);
        if (!met && r->n_why == 0)
            fail_msg("%s misses a target without saying why", e->d_name);
        if (excepted && met)
            print_message("%s now meets both targets: take it off the exceptions\n", e->d_name);
        replay_free(r);
    }
    closedir(dp);
    assert_true(logs >= 12);
}

/* ----------------------------------------------------------------- CLI */

static int run(const char *args)
{
    char cmd[10000];
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/out.txt' 2>'%s/err.txt' </dev/null", binary, args,
             workdir, workdir);
    int st = system(cmd);
    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* A path in the work directory; four buffers in turn, as for fixture(). */
static const char *work_file(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", workdir, name);
    return p;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

static void clean_workdir(void)
{
    DIR *d = opendir(workdir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            unlink(work_file(e->d_name));
    closedir(d);
}

/* Files in the work directory besides out.txt and err.txt. */
static int stray_files(void)
{
    DIR *d = opendir(workdir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "out.txt") &&
             strcmp(e->d_name, "err.txt");
    closedir(d);
    return n;
}

static void test_cli_import_writes_a_scenario_run_reads(void **state)
{
    (void)state;
    clean_workdir();
    char args[8192];
    snprintf(args, sizeof args, "import '%s' -o '%s'", fixture("tiny.json.lz4"),
             work_file("tiny.cfg"));
    assert_int_equal(run(args), 0);
    snprintf(args, sizeof args, "run '%s' --quiet --json '%s'", work_file("tiny.cfg"),
             work_file("r.json"));
    if (run(args) != 0)
        fail_msg("run of the import failed: %s", slurp(work_file("err.txt")));
    json_error_t err;
    json_t *root = json_load_file(work_file("r.json"), 0, &err);
    assert_non_null(root);
    assert_int_equal(json_array_size(json_object_get(root, "jobs")), 3);
    /* The same application time as replay's prediction (see above). */
    assert_float_equal(json_number_value(json_object_get(root, "makespan_s")), 2.209, 1e-6);
    json_decref(root);
    /* Same log, same bytes. */
    snprintf(args, sizeof args, "import '%s' -o '%s'", fixture("tiny.json.lz4"),
             work_file("again.cfg"));
    assert_int_equal(run(args), 0);
    char *a = slurp(work_file("tiny.cfg")), *b = slurp(work_file("again.cfg"));
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void test_cli_replay_json_has_the_documented_keys(void **state)
{
    (void)state;
    clean_workdir();
    char args[8192];
    snprintf(args, sizeof args, "replay '%s' --json '%s'", fixture("tiny.json"),
             work_file("r.json"));
    assert_int_equal(run(args), 0);
    char *out = slurp(work_file("out.txt"));
    assert_non_null(strstr(out, "application: actual 2.265 s, predicted 2.209 s"));
    free(out);
    json_error_t err;
    json_t *root = json_load_file(work_file("r.json"), 0, &err);
    assert_non_null(root);
    json_t *stages = json_object_get(root, "stages");
    assert_int_equal(json_array_size(stages), 4);
    json_t *s0 = json_array_get(stages, 0);
    assert_int_equal(json_integer_value(json_object_get(s0, "id")), 0);
    assert_float_equal(json_number_value(json_object_get(s0, "predicted_s")), 0.704, 1e-6);
    assert_float_equal(json_number_value(json_object_get(s0, "actual_s")), 0.720, 1e-6);
    assert_true(json_is_number(json_object_get(s0, "error")));
    json_t *app = json_object_get(root, "application");
    assert_float_equal(json_number_value(json_object_get(app, "predicted_s")), 2.209, 1e-6);
    assert_float_equal(json_number_value(json_object_get(app, "actual_s")), 2.265, 1e-6);
    assert_true(json_is_number(json_object_get(root, "median_abs_stage_error")));
    json_decref(root);
    /* Twice, the same bytes. */
    snprintf(args, sizeof args, "replay '%s' --json - --worker Standard_E8s_v3 --workers 16",
             fixture("tiny.json"));
    assert_int_equal(run(args), 0);
    char *a = slurp(work_file("out.txt"));
    assert_int_equal(run(args), 0);
    char *b = slurp(work_file("out.txt"));
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "\"other_cluster\": true"));
    free(a);
    free(b);
}

static void test_cli_replay_table_has_a_row_per_log(void **state)
{
    (void)state;
    char args[8192];
    snprintf(args, sizeof args, "replay --table '%s' '%s'", fixture("tiny.json"),
             fixture("retries.json"));
    assert_int_equal(run(args), 0);
    char *out = slurp(work_file("out.txt"));
    assert_int_equal(count_lines(out), 4);
    assert_non_null(strstr(out, "| log | Spark | stages |"));
    assert_non_null(strstr(out, "\n| `tiny.json` | 3.3.0 | 4 |"));
    assert_non_null(strstr(out, "\n| `retries.json` | 2.4.8 | 2 |"));
    free(out);
    /* A log that cannot be replayed gets a row saying so, and exit 2. */
    snprintf(args, sizeof args, "replay --table '%s' '%s'", fixture("tiny.json"),
             fixture("empty.json"));
    assert_int_equal(run(args), 2);
    out = slurp(work_file("out.txt"));
    assert_non_null(strstr(out, "| `empty.json` | ? |"));
    free(out);
}

struct bad_log {
    const char *file;
    const char *extra; /* options */
    int line;          /* expected in the message; 0: none */
    const char *needle;
};

static void test_cli_malformed_logs_fail_cleanly(void **state)
{
    (void)state;
    static const struct bad_log bad[] = {
        {"bad-line.json", "--strict", 10, "not JSON"},
        {"wrong-types.json", "--strict", 28, "SparkListenerTaskEnd without a valid \"Stage ID\""},
        {"empty.json", "", 0, "empty file"},
        {"binary.bin", "", 0, "not a Spark event log"},
        {"no-jobs.json", "", 0, "no job in the log"},
        {"missing-events.json", "", 0, "no SparkListenerJobStart"},
        {"corrupt.json.lz4", "", 0, "checksum mismatch"},
        {"no-such.json", "", 0, "cannot open event log"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clean_workdir();
        char args[8192];
        snprintf(args, sizeof args, "import '%s' %s -o '%s'", fixture(bad[i].file), bad[i].extra,
                 work_file("never.cfg"));
        int rc = run(args);
        char *err = slurp(work_file("err.txt"));
        if (rc != 2)
            fail_msg("%s: exit %d, expected 2: %s", bad[i].file, rc, err);
        /* One line naming the file (and line), no output file. */
        assert_int_equal(count_lines(err), 1);
        char expect[2400];
        if (bad[i].line)
            snprintf(expect, sizeof expect, "stagecast: %s:%d: ", fixture(bad[i].file),
                     bad[i].line);
        else
            snprintf(expect, sizeof expect, "stagecast: %s: ", fixture(bad[i].file));
        if (strncmp(err, expect, strlen(expect)) != 0 || !strstr(err, bad[i].needle))
            fail_msg("%s: got '%s'", bad[i].file, err);
        assert_int_equal(stray_files(), 0);
        free(err);
        /* replay says the same. */
        snprintf(args, sizeof args, "replay '%s' %s", fixture(bad[i].file), bad[i].extra);
        assert_int_equal(run(args), 2);
    }
    /* Without --strict a bad line is a warning naming file:line, and the
     * import goes on. */
    clean_workdir();
    char args[8192];
    snprintf(args, sizeof args, "import '%s' -o '%s'", fixture("bad-line.json"),
             work_file("ok.cfg"));
    assert_int_equal(run(args), 0);
    char *err = slurp(work_file("err.txt"));
    char expect[2400];
    snprintf(expect, sizeof expect, "stagecast: warning: %s:10: not JSON",
             fixture("bad-line.json"));
    assert_non_null(strstr(err, expect));
    free(err);
    char *cfg = slurp(work_file("ok.cfg"));
    assert_non_null(strstr(cfg, "1 line of the log could not be read"));
    free(cfg);
}

static void test_cli_usage_errors_exit_2(void **state)
{
    (void)state;
    char args[8192];
    assert_int_equal(run("import"), 2);
    snprintf(args, sizeof args, "import '%s'", fixture("tiny.json"));
    assert_int_equal(run(args), 2); /* no -o */
    assert_int_equal(run("replay"), 2);
    snprintf(args, sizeof args, "replay '%s' '%s'", fixture("tiny.json"), fixture("tiny.json"));
    assert_int_equal(run(args), 2); /* two logs without --table */
    snprintf(args, sizeof args, "replay '%s' --workers 0", fixture("tiny.json"));
    assert_int_equal(run(args), 2);
    snprintf(args, sizeof args, "replay '%s' --bogus", fixture("tiny.json"));
    assert_int_equal(run(args), 2);
    snprintf(args, sizeof args, "replay '%s' --worker Standard_Q9", fixture("tiny.json"));
    assert_int_equal(run(args), 2);
}

int main(void)
{
    const char *env = getenv("SRCDIR");
    snprintf(srcdir, sizeof srcdir, "%s", env ? env : ABS_TOP_SRCDIR);
    binary = getenv("STAGECAST");
    if (!binary) {
        fprintf(stderr, "test_replay: set STAGECAST and SRCDIR (make check does)\n");
        return 1;
    }
    struct diag d;
    diag_clear(&d);
    catalog = catalog_load_default(&d);
    if (!catalog) {
        fprintf(stderr, "test_replay: %s\n", d.msg);
        return 1;
    }
    snprintf(workdir, sizeof workdir, "/tmp/stagecast-replay-XXXXXX");
    if (!mkdtemp(workdir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_replay_matches_hand_arithmetic),
        cmocka_unit_test(test_replay_on_another_cluster),
        cmocka_unit_test(test_unknown_override_fails_cleanly),
        cmocka_unit_test(test_shared_logs_meet_the_targets_or_say_why),
        cmocka_unit_test(test_cli_import_writes_a_scenario_run_reads),
        cmocka_unit_test(test_cli_replay_json_has_the_documented_keys),
        cmocka_unit_test(test_cli_replay_table_has_a_row_per_log),
        cmocka_unit_test(test_cli_malformed_logs_fail_cleanly),
        cmocka_unit_test(test_cli_usage_errors_exit_2),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    clean_workdir();
    rmdir(workdir);
    catalog_free(catalog);
    return rc;
}
