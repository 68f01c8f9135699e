/*
 * test_validate.c — the from-scenario validation harness (sim/validate):
 * its scores against values worked out by hand, the pairing of planned and
 * logged stages on a small log whose times are known
 * (tests/eventlogs/tiny.json with tests/validation/tiny.cfg, whose explicit
 * one-task stages of fixed time predict exactly their task time), and one
 * clear message naming the validation file's line for each way a
 * validation can be wrong. No timing decides a pass.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "sim/calib/calibrate.h"
#include "sim/validate/validate.h"
#include "sim/validate/validate_fit.h"
#include "tests/cli_harness.h"

#define TOL 1e-9

static const char *logs_dir(void)
{
    return ABS_TOP_SRCDIR "/tests/eventlogs";
}

static struct validation *run(const char *name, struct diag *d)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/validation/%s", ABS_TOP_SRCDIR, name);
    struct validate_options o = {logs_dir(), NULL, NULL, NULL, 0};
    diag_clear(d);
    return validate_run(path, &o, d);
}

/* Expects validate_run(name) to fail with status st at file name, line. */
static void expect_error(const char *name, enum sc_status st, int line, const char *words)
{
    struct diag d;
    struct validation *v = run(name, &d);
    assert_null(v);
    assert_int_equal(d.status, st);
    const char *base = strrchr(d.file, '/');
    assert_string_equal(base ? base + 1 : d.file, name);
    assert_int_equal(d.line, line);
    if (!strstr(d.msg, words))
        fail_msg("'%s' does not say '%s'", d.msg, words);
}

/* Rows: (2, 1) error +1.0; (3, 4) -0.25; (1, 1) 0; an unmatched log stage
 * (0, 5). Median of |error| over the three matched: 0.25. Weighted:
 * (1 + 1 + 0 + 5) / (1 + 4 + 1 + 5) = 7 / 11. */
static void test_scores_match_hand_values(void **state)
{
    (void)state;
    struct validate_pair p[4] = {
        {.predicted_s = 2, .actual_s = 1, .error = 1.0, .matched = true},
        {.predicted_s = 3, .actual_s = 4, .error = -0.25, .matched = true},
        {.predicted_s = 1, .actual_s = 1, .error = 0.0, .matched = true},
        {.predicted_s = 0, .actual_s = 5, .error = -1.0, .matched = false},
    };
    double median, weighted;
    validate_score(p, 4, &median, &weighted);
    assert_true(fabs(median - 0.25) < TOL);
    assert_true(fabs(weighted - 7.0 / 11.0) < TOL);
}

/* An even number of matched rows: the median is the mean of the middle two
 * (|+0.1|, |-0.3|, |+0.5|, |-0.7| -> (0.3 + 0.5) / 2 = 0.4); a planned stage
 * the log has none of (actual 0) adds its prediction to the numerator only:
 * (0.1 + 0.3 + 0.5 + 0.7 + 2) / 4 = 0.9. */
static void test_even_median_and_planned_only_stage(void **state)
{
    (void)state;
    struct validate_pair p[5] = {
        {.predicted_s = 1.1, .actual_s = 1, .error = 0.1, .matched = true},
        {.predicted_s = 0.7, .actual_s = 1, .error = -0.3, .matched = true},
        {.predicted_s = 1.5, .actual_s = 1, .error = 0.5, .matched = true},
        {.predicted_s = 0.3, .actual_s = 1, .error = -0.7, .matched = true},
        {.predicted_s = 2, .actual_s = 0, .error = NAN, .matched = false},
    };
    double median, weighted;
    validate_score(p, 5, &median, &weighted);
    assert_true(fabs(median - 0.4) < TOL);
    assert_true(fabs(weighted - 3.6 / 4.0) < TOL);
}

/* tiny.json's stages (Submission -> Completion Time, ms after
 * 1700000000000): 0 1010 -> 1730 (0.720 s), 1 1731 -> 1940 (0.209 s),
 * 2 2950 -> 3260 (0.310 s), 3 2951 -> 3060 (0.109 s, unmatched), 4 failed
 * (no row). tiny.cfg predicts 0.9, 0.2 and 0.62 s. Errors +25%, -4.306%,
 * +100%, and -100% for stage 3. Median of |error| over the three pairs:
 * 0.25. Weighted: (0.18 + 0.009 + 0.31 + 0.109) / (0.72 + 0.209 + 0.31 +
 * 0.109) = 0.608 / 1.348. Application: jobs from 1000 to 3601: 2.601 s;
 * predicted 0.9 + 0.2 + 0.62 = 1.72 s. */
static void test_pairs_tiny_log_with_known_times(void **state)
{
    (void)state;
    struct diag d;
    struct validation *v = run("tiny.validate", &d);
    if (!v)
        fail_msg("%s:%d: %s", d.file, d.line, d.msg);
    assert_int_equal(v->n_pairs, 4);
    const double actual[4] = {0.720, 0.209, 0.310, 0.109};
    const double predicted[4] = {0.9, 0.2, 0.62, 0.0};
    for (size_t i = 0; i < 4; i++) {
        assert_true(fabs(v->pairs[i].actual_s - actual[i]) < 1e-6);
        assert_true(fabs(v->pairs[i].predicted_s - predicted[i]) < 1e-6);
    }
    assert_true(v->pairs[0].matched && v->pairs[1].matched && v->pairs[2].matched);
    assert_false(v->pairs[3].matched);
    assert_null(v->pairs[3].job);
    assert_string_equal(v->pairs[3].log_stages, "3");
    assert_string_equal(v->pairs[2].job, "b");
    assert_true(fabs(v->pairs[1].error - (0.2 - 0.209) / 0.209) < 1e-6);
    assert_true(fabs(v->median_abs_error - 0.25) < 1e-6);
    assert_true(fabs(v->weighted_error - 0.608 / 1.348) < 1e-6);
    assert_true(fabs(v->app_actual_s - 2.601) < 1e-6);
    assert_true(fabs(v->app_predicted_s - 1.72) < 1e-6);
    assert_null(v->in_sample);
    validate_free(v);
}

/* Two log stages for one planned stage count as one span (2 and 3: 2950 ->
 * 3260, 0.310 s), and no log stage is left unmatched. application = "busy":
 * the union of the jobs' spans, 1000-1945, 2945-3265 (job 2 inside it),
 * 3500-3601: 0.945 + 0.320 + 0.101 = 1.366 s. */
static void test_several_log_stages_and_busy_application(void **state)
{
    (void)state;
    struct diag d;
    struct validation *v = run("busy.validate", &d);
    if (!v)
        fail_msg("%s:%d: %s", d.file, d.line, d.msg);
    assert_int_equal(v->n_pairs, 3);
    assert_string_equal(v->pairs[2].log_stages, "2,3");
    assert_true(fabs(v->pairs[2].actual_s - 0.310) < 1e-6);
    assert_true(fabs(v->app_actual_s - 1.366) < 1e-6);
    validate_free(v);
}

static void test_truncated_log_names_the_entry(void **state)
{
    (void)state;
    expect_error("truncated.validate", SC_EINPUT, 7, "no submission or completion time");
}

static void test_missing_log_names_the_log_line(void **state)
{
    (void)state;
    expect_error("missing-log.validate", SC_ENOENT, 2, "no-such-log.json");
}

static void test_no_mapping_is_refused(void **state)
{
    (void)state;
    expect_error("no-stages.validate", SC_EINPUT, 3, "maps no stages");
}

static void test_planned_stage_without_entry_is_refused(void **state)
{
    (void)state;
    expect_error("unpaired.validate", SC_EINPUT, 4, "planned stage 0 of job 'b'");
}

static void test_log_stage_paired_twice_is_refused(void **state)
{
    (void)state;
    expect_error("twice.validate", SC_EINPUT, 7, "paired already, at line 6");
}

static void test_log_stage_not_in_log_is_refused(void **state)
{
    (void)state;
    expect_error("no-such-log-stage.validate", SC_EINPUT, 7, "has no stage 9");
}

/* A scenario given where a validation file is expected. */
static void test_scenario_instead_of_validation_file(void **state)
{
    (void)state;
    expect_error("tiny.cfg", SC_EINPUT, 4, "unknown key 'name'");
}

/* Every validation in validation/ runs against the shared logs (skipped
 * where ../shared/data is absent, as in a worktree or `make distcheck`):
 * its scenario plans, every planned stage has its entry, every log stage
 * it names completed, and at least one stage is paired. The figures are
 * not checked: they are measurements (docs/accuracy.md), not targets. The
 * host speed is fixed so the calibration cache is shared with make check. */
static void test_shipped_validations_run_on_the_shared_logs(void **state)
{
    (void)state;
    /* STAGECAST_TEST_LOGS: the shared data elsewhere (a worktree's). */
    const char *data = getenv("STAGECAST_TEST_LOGS");
    if (!data)
        data = ABS_TOP_SRCDIR "/../shared/data";
    /* The validations' logs are in both sets (eventlogs/ and
     * eventlogs-extra/): without either, skip rather than fail. */
    static const char *const sets[] = {"eventlogs", "eventlogs-extra"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char probe[1200];
        snprintf(probe, sizeof probe, "%s/%s", data, sets[i]);
        DIR *logs = opendir(probe);
        if (!logs) {
            skip();
            return;
        }
        closedir(logs);
    }
    struct calibrate_options host;
    calibrate_options_default(&host);
    host.host_acu = 250;
    const char *cache = getenv("STAGECAST_CACHE_DIR");
    if (cache)
        snprintf(host.cache_dir, sizeof host.cache_dir, "%s", cache);
    struct validate_options o = {data, NULL, &host, NULL, 0};
    DIR *dir = opendir(ABS_TOP_SRCDIR "/validation");
    assert_non_null(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 9 || strcmp(e->d_name + len - 9, ".validate") != 0)
            continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/validation/%s", ABS_TOP_SRCDIR, e->d_name);
        struct diag d;
        diag_clear(&d);
        struct validation *v = validate_run(path, &o, &d);
        if (!v)
            fail_msg("%s:%d: %s", d.file, d.line, d.msg);
        size_t paired = 0;
        for (size_t i = 0; i < v->n_pairs; i++)
            paired += v->pairs[i].matched;
        assert_true(paired > 0);
        assert_false(isnan(v->weighted_error));
        if (strcmp(e->d_name, "emr-processlarge.validate") == 0) {
            /* The fit's evidence, summed from the log's TaskEnd metrics by
             * hand (a short script over the JSON): log stage 3 (planned
             * stage 2) spent 86.998 s of executor CPU over 50,000,000 input
             * records; log stage 1 (planned 0) holds the first task of 9 of
             * the 10 executors. */
            for (size_t i = 0; i < v->n_pairs; i++) {
                const struct validate_pair *p = &v->pairs[i];
                /* (the query's job; read_schema's one stage is job 0's) */
                if (!p->job || strcmp(p->job, "final_results") != 0)
                    continue;
                if (p->plan_stage == 2) {
                    assert_true(fabs(p->cpu_actual_ns * 1e-9 - 86.998) < 0.001);
                    assert_true(p->records_actual == 5e7);
                    assert_int_equal(p->fresh_executors, 0);
                    assert_true(p->has_native);
                }
                if (p->plan_stage == 0)
                    assert_int_equal(p->fresh_executors, 9);
            }
        }
        validate_free(v);
        n++;
    }
    closedir(dir);
    /* Every shipped validation ran: the six of eventlogs/ and the four
     * added for issue 13, three of them on eventlogs-extra/ logs. */
    assert_true(n >= 10);
}

/* The command: one message on stderr naming file:line, exit status 2. */
static void test_command_reports_one_error_with_file_line(void **state)
{
    (void)state;
    const char *bin = getenv("STAGECAST");
    if (!bin) {
        skip();
        return;
    }
    char dir[] = "/tmp/test_validate_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "'%s' validate --log-dir '%s' '%s/tests/validation/truncated.validate'", bin,
             logs_dir(), ABS_TOP_SRCDIR);
    assert_int_equal(harness_sh(dir, cmd), 2);
    char path[1100];
    snprintf(path, sizeof path, "%s/err.txt", dir);
    char *err = harness_slurp(path, NULL);
    assert_non_null(err);
    assert_int_equal(harness_count_lines(err), 1);
    if (!strstr(err, "truncated.validate:7: "))
        fail_msg("stderr: %s", err);
    free(err);
    harness_clean_dir(dir);
    rmdir(dir);
}

/* ---- the overhead factors fitted on validations (validate_fit.h) ---------- */

/* A validation of log `log` whose matched rows have the given CPU ns and
 * native scan / filter ns, 10 tasks of 100,000 records each. */
static struct validation *fit_validation(const char *log, size_t n, const double *cpu,
                                         const double *scan, const double *filter)
{
    struct validation *v = calloc(1, sizeof *v);
    assert_non_null(v);
    v->log = strdup(log);
    v->pairs = calloc(n, sizeof *v->pairs);
    assert_true(v->log && v->pairs);
    v->n_pairs = n;
    for (size_t i = 0; i < n; i++) {
        struct validate_pair *p = &v->pairs[i];
        p->job = strdup("j");
        p->name = strdup("s");
        p->log_stages = strdup("0");
        p->plan_stage = (int64_t)i;
        p->matched = true;
        p->tasks_actual = 10;
        p->records_actual = 1e6;
        p->cpu_actual_ns = cpu[i];
        p->has_native = true;
        p->native_ns[CALIB_SCAN] = scan[i];
        p->native_ns[CALIB_FILTER] = filter ? filter[i] : 0.0;
    }
    return v;
}

/* One class, two logs: a's stage costs 100 against native 10 (x = 0.1),
 * b's 200 (x = 0.05). The normal equation of the fit, sum x (x f - 1) +
 * lambda / p (f / p - 1) = 0 with p the pooled ratio: on both, p = 300 /
 * 20 = 15 and f = (0.15 + lambda / 15) / (0.0125 + lambda / 225); without
 * b, p = 10 and f = (0.1 + lambda / 10) / (0.01 + lambda / 100) = 10
 * exactly. A class no stage has takes p. */
static void test_fit_factors_one_class_by_hand(void **state)
{
    (void)state;
    const double ca[] = {100.0}, cb[] = {200.0}, n10[] = {10.0};
    struct validation *vs[2] = {fit_validation("logs/a.json", 1, ca, n10, NULL),
                                fit_validation("logs/b.json", 1, cb, n10, NULL)};
    struct vfit_row *rows = NULL;
    size_t n = 0;
    struct diag d;
    diag_clear(&d);
    assert_int_equal(vfit_collect(vs, 2, &rows, &n, &d), SC_OK);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].log, "a.json");
    assert_string_equal(rows[0].skip, "");
    struct vfit_result r;
    assert_int_equal(vfit_fit(rows, n, NULL, &r, &d), SC_OK);
    double lam = VFIT_LAMBDA;
    double f = (0.15 + lam / 15.0) / (0.0125 + lam / 225.0);
    assert_true(fabs(r.pooled - 15.0) < 1e-12);
    assert_true(fabs(r.cls[CALIB_SCAN].factor - f) < 1e-9);
    assert_int_equal(r.n_used, 2);
    assert_int_equal(r.n_logs, 2);
    assert_false(r.cls[CALIB_FILTER].fitted);
    assert_true(fabs(r.cls[CALIB_FILTER].factor - 15.0) < 1e-12);
    /* Misfits: a predicted 10 f against 100, b 10 f against 200. */
    double ea = 10.0 * f / 100.0 - 1.0, eb = 10.0 * f / 200.0 - 1.0;
    assert_true(fabs(r.rms_rel - sqrt((ea * ea + eb * eb) / 2.0)) < 1e-9);
    assert_true(fabs(r.cpu_weighted - (fabs(10.0 * f - 100.0) + fabs(10.0 * f - 200.0)) / 300.0) <
                1e-9);
    assert_true(fabs(vfit_predict(&rows[1], &r) - 10.0 * f) < 1e-9);
    /* Leave b out. */
    assert_int_equal(vfit_fit(rows, n, "b.json", &r, &d), SC_OK);
    assert_int_equal(r.n_used, 1);
    assert_true(fabs(r.cls[CALIB_SCAN].factor - 10.0) < 1e-9);
    char sets[VFIT_N_SETS][64];
    vfit_sets(&r, sets);
    assert_string_equal(sets[CALIB_SCAN], "model.overhead.scan=10");
    assert_string_equal(sets[CALIB_FILTER], "model.overhead.filter=10");
    /* No operator rows in these stages: no per-row cost. */
    assert_string_equal(sets[CALIB_N_CLASSES], "model.overhead.row_ns=0");
    free(rows);
    validate_free(vs[0]);
    validate_free(vs[1]);
}

/* The fit of one validation's rows: *rows is malloc'd (free it). */
static void collect_and_fit(struct validation *v, struct vfit_row **rows, struct vfit_result *r)
{
    size_t n = 0;
    struct diag d;
    diag_clear(&d);
    assert_int_equal(vfit_collect(&v, 1, rows, &n, &d), SC_OK);
    assert_int_equal(vfit_fit(*rows, n, NULL, r, &d), SC_OK);
}

/* A class the data want below zero is held at the floor and the rest
 * fitted again: filter's stage says 10 s + 10 f_filter = 100 while scan
 * alone costs 200 / 10 = 20 a unit, so f_filter < 0. With filter at 1, the
 * scan column has x = 0.1 (right side 1 - 10 / 100 = 0.9) and 0.05 (1),
 * p = 300 / 30 = 10: f = (0.1 x 0.9 + 0.05 + lambda / 10) / (0.01 +
 * 0.0025 + lambda / 100). */
static void test_fit_factors_floor_by_hand(void **state)
{
    (void)state;
    const double cpu[] = {100.0, 200.0}, scan[] = {10.0, 10.0}, filter[] = {10.0, 0.0};
    struct validation *v = fit_validation("a.json", 2, cpu, scan, filter);
    struct vfit_row *rows = NULL;
    struct vfit_result r;
    collect_and_fit(v, &rows, &r);
    double lam = VFIT_LAMBDA;
    assert_true(r.cls[CALIB_FILTER].at_floor);
    assert_true(r.cls[CALIB_FILTER].factor == VFIT_FLOOR);
    assert_true(fabs(r.cls[CALIB_SCAN].factor -
                     (0.09 + 0.05 + lam / 10.0) / (0.0125 + lam / 100.0)) < 1e-9);
    free(rows);
    validate_free(v);
}

/* The JVM's per-row cost beside a factor: two stages of one class, native
 * 10 each, with 1 and 3 operator rows, made by f = 5 and row_ns = 20:
 * CPU 10 x 5 + 1 x 20 = 70 and 10 x 5 + 3 x 20 = 110. Two equations, two
 * unknowns, and the pull's target, (70 + 110 - 20 x 4) / 20 = 5, is f
 * itself: the fit gives them back exactly, and says row_ns in its sets. */
static void test_fit_factors_row_cost_by_hand(void **state)
{
    (void)state;
    const double cpu[] = {70.0, 110.0}, scan[] = {10.0, 10.0};
    struct validation *v = fit_validation("a.json", 2, cpu, scan, NULL);
    v->pairs[0].op_rows = 1.0;
    v->pairs[1].op_rows = 3.0;
    struct vfit_row *rows = NULL;
    struct vfit_result r;
    collect_and_fit(v, &rows, &r);
    assert_true(fabs(r.cls[CALIB_SCAN].factor - 5.0) < 1e-9);
    assert_true(fabs(r.row_ns - 20.0) < 1e-9);
    assert_true(fabs(r.pooled - 5.0) < 1e-9);
    assert_false(r.row_at_floor);
    assert_true(fabs(vfit_predict(&rows[1], &r) - 110.0) < 1e-9);
    assert_true(r.rms_rel < 1e-9);
    char sets[VFIT_N_SETS][64];
    vfit_sets(&r, sets);
    assert_string_equal(sets[CALIB_N_CLASSES], "model.overhead.row_ns=20");
    /* A per-row cost the data want negative is held at 0: CPU falling
     * with rows (70 with 3 rows, 110 with 1) fits only below 0. */
    v->pairs[0].op_rows = 3.0;
    v->pairs[1].op_rows = 1.0;
    free(rows);
    collect_and_fit(v, &rows, &r);
    assert_true(r.row_at_floor);
    assert_true(r.row_ns == 0.0);
    free(rows);
    validate_free(v);
}

/* What is not evidence, and says why; with none, the fit refuses. */
static void test_fit_factors_skips_and_refuses(void **state)
{
    (void)state;
    const double cpu[] = {0.0, 100.0, 100.0, 100.0, 100.0},
                 scan[] = {10.0, 10.0, 10.0, 10.0, 10.0};
    struct validation *v = fit_validation("a.json", 5, cpu, scan, NULL);
    v->pairs[1].fresh_executors = 3;
    v->pairs[2].records_actual = 1000.0; /* 100 a task */
    v->pairs[3].has_native = false;
    /* No record in any task metric (spark-standalone-20200706's stages
     * over LocalTableScans): unknown, not "0 records a task". */
    v->pairs[4].records_actual = 0.0;
    v->pairs[1].compute_factor = 2.0; /* a first run: its native time counts twice */
    struct vfit_row *rows = NULL;
    size_t n = 0;
    struct diag d;
    diag_clear(&d);
    assert_int_equal(vfit_collect(&v, 1, &rows, &n, &d), SC_OK);
    assert_int_equal(n, 5);
    assert_non_null(strstr(rows[0].skip, "no executor CPU time"));
    assert_non_null(strstr(rows[1].skip, "first tasks of 3 executors"));
    assert_non_null(strstr(rows[2].skip, "100 records a task"));
    assert_non_null(strstr(rows[3].skip, "not calibrated"));
    assert_non_null(strstr(rows[4].skip, "no records in the log's task metrics"));
    assert_true(rows[1].native[CALIB_SCAN] == 20.0 && rows[0].native[CALIB_SCAN] == 10.0);
    struct vfit_result r;
    assert_int_equal(vfit_fit(rows, n, NULL, &r, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "no validation stage is evidence"));
    free(rows);
    validate_free(v);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scores_match_hand_values),
        cmocka_unit_test(test_even_median_and_planned_only_stage),
        cmocka_unit_test(test_pairs_tiny_log_with_known_times),
        cmocka_unit_test(test_several_log_stages_and_busy_application),
        cmocka_unit_test(test_truncated_log_names_the_entry),
        cmocka_unit_test(test_missing_log_names_the_log_line),
        cmocka_unit_test(test_no_mapping_is_refused),
        cmocka_unit_test(test_planned_stage_without_entry_is_refused),
        cmocka_unit_test(test_log_stage_paired_twice_is_refused),
        cmocka_unit_test(test_log_stage_not_in_log_is_refused),
        cmocka_unit_test(test_scenario_instead_of_validation_file),
        cmocka_unit_test(test_command_reports_one_error_with_file_line),
        cmocka_unit_test(test_shipped_validations_run_on_the_shared_logs),
        cmocka_unit_test(test_fit_factors_one_class_by_hand),
        cmocka_unit_test(test_fit_factors_floor_by_hand),
        cmocka_unit_test(test_fit_factors_row_cost_by_hand),
        cmocka_unit_test(test_fit_factors_skips_and_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
