/*
 * test_fit_factors.c — `stagecast fit-factors` (sim/calib/fit_factors.c): the
 * arithmetic on a hand-made log, classes without evidence, malformed input,
 * and the operator mapping on the shared real logs (skipped when absent).
 *
 * Native costs are given (fitf_native_parse), never timed, so nothing here
 * depends on the host's speed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calib/fit_factors.h"

#ifndef ABS_TOP_SRCDIR
#define ABS_TOP_SRCDIR "."
#endif

#define BIT(c) (1u << (unsigned)(c))

static void assert_near(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}
#define assert_close(a, b, eps) assert_near((a), (b), (eps), __FILE__, __LINE__)

static const char tiny[] = ABS_TOP_SRCDIR "/tests/eventlogs/fitf-tiny.json";

static void natives(double native[CALIB_N_CLASSES], const char *spec)
{
    struct diag d;
    diag_clear(&d);
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        native[c] = NAN;
    assert_int_equal(fitf_native_parse(spec, native, &d), SC_OK);
}

static const struct fitf_stage *stage_of(const struct fitf_set *set, int64_t id)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->stages[i].id == id)
            return &set->stages[i];
    fail_msg("no stage %lld", (long long)id);
    return NULL;
}

/*
 * fitf-tiny.json (tests/eventlogs/README.md), with native ns per row
 * scan 10, sort 20, shuffle_read 5, shuffle_write 4:
 *   stage 0: Scan parquet (plan), 2 tasks x 50,000 input records, 15 ms CPU
 *            each: 30e6 / 100,000 = 300 ns/rec; ratio 300 / 10 = 30
 *   stage 2: an RDD shuffled (Exchange only): 50,000 records written, 2 ms:
 *            40 ns/rec; shuffle_write 40 / 4 = 10
 *   stage 3: shuffle read alone, 2 x 25,000 records, 1 ms each: 40 ns/rec;
 *            shuffle_read 40 / 5 = 8
 *   stage 1: Sort (plan) over 50,000 shuffle-read records, 5 ms: 100
 *            ns/rec; native 20 + 5 = 25, ratio 4; sort (100 - 8 x 5) / 20 = 3
 *   stage 4: 100 records a task: not evidence.
 * The data pin every fitted class down exactly; the pull toward the
 * defaults (lambda 1e-4) moves scan (30 vs default 4) by < 1%.
 */
static void test_tiny_log_gives_hand_factors(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    struct fitf_set set = {0};
    assert_int_equal(fitf_read_log(&set, tiny, &d), SC_OK);
    assert_int_equal(set.n, 5);
    double native[CALIB_N_CLASSES];
    natives(native, "scan=10,sort=20,shuffle_read=5,shuffle_write=4");
    assert_false(fitf_native_missing(&set, native));
    struct fitf_result res;
    assert_int_equal(fitf_fit(&set, native, &res, &d), SC_OK);
    assert_int_equal(res.n_used, 4);

    const struct fitf_stage *s0 = stage_of(&set, 0);
    assert_int_equal(s0->classes, BIT(CALIB_SCAN));
    assert_true(s0->from_plan);
    assert_string_equal(s0->rec_kind, "input");
    assert_close(s0->spark_ns, 300.0, 1e-9);
    assert_close(s0->ratio, 30.0, 1e-9);
    const struct fitf_stage *s1 = stage_of(&set, 1);
    assert_int_equal(s1->classes, BIT(CALIB_SORT) | BIT(CALIB_SHUFFLE_READ));
    assert_close(s1->spark_ns, 100.0, 1e-9);
    assert_close(s1->ratio, 4.0, 1e-9);
    const struct fitf_stage *s2 = stage_of(&set, 2);
    assert_int_equal(s2->classes, BIT(CALIB_SHUFFLE_WRITE));
    assert_string_equal(s2->rec_kind, "written");
    assert_close(s2->spark_ns, 40.0, 1e-9);
    const struct fitf_stage *s4 = stage_of(&set, 4);
    assert_non_null(strstr(s4->skip, "records a task"));

    assert_close(res.cls[CALIB_SCAN].factor, 30.0, 0.3);
    assert_close(res.cls[CALIB_SCAN].median, 30.0, 1e-6);
    assert_close(res.cls[CALIB_SHUFFLE_WRITE].factor, 10.0, 0.01);
    assert_close(res.cls[CALIB_SHUFFLE_READ].factor, 8.0, 0.01);
    assert_close(res.cls[CALIB_SORT].factor, 3.0, 0.01);
    assert_int_equal(res.cls[CALIB_SHUFFLE_READ].n_stages, 2);
    assert_close(res.cls[CALIB_SORT].min, 3.0, 0.01);
    assert_close(res.cls[CALIB_SORT].max, 3.0, 0.01);
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        assert_close(res.cls[c].deflt, calib_factor_default(c)->factor, 0.0);
    fitf_set_free(&set);
}

/* Classes no stage has keep their default, are not in the fragment, and
 * the table says so. */
static void test_classes_without_evidence_keep_default(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    struct fitf_set set = {0};
    assert_int_equal(fitf_read_log(&set, tiny, &d), SC_OK);
    double native[CALIB_N_CLASSES];
    natives(native, "scan=10,sort=20,shuffle_read=5,shuffle_write=4");
    struct fitf_result res;
    assert_int_equal(fitf_fit(&set, native, &res, &d), SC_OK);
    const enum calib_class none[] = {CALIB_FILTER, CALIB_PROJECT, CALIB_HASH_AGGREGATE,
                                     CALIB_WINDOW, CALIB_WRITE,   CALIB_LIMIT};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        assert_false(res.cls[none[i]].fitted);
        assert_int_equal(res.cls[none[i]].n_stages, 0);
        assert_close(res.cls[none[i]].factor, calib_factor_default(none[i])->factor, 0.0);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fitf_print(f, &set, &res);
    fclose(f);
    /* window's line: no stage, its default printed as the factor. */
    const char *wl = strstr(buf, "\nwindow ");
    assert_non_null(wl);
    const char *eol = strchr(wl + 1, '\n');
    assert_non_null(eol);
    char line[256], dflt[32];
    snprintf(line, sizeof line, "%.*s", (int)(eol - wl - 1), wl + 1);
    snprintf(dflt, sizeof dflt, " %.2f ", calib_factor_default(CALIB_WINDOW)->factor);
    assert_non_null(strstr(line, dflt));
    assert_non_null(strstr(line, "no stage: default kept"));
    /* scan: its one stage's x = 10 / 300 against the pull to the default
     * d: f = (1/30 + lambda/d) / (1/900 + lambda/d^2) (29.98 at d = 9.53,
     * 29.91 at d = 4.95). */
    double dsc = calib_factor_default(CALIB_SCAN)->factor;
    double fsc = (1.0 / 30.0 + FITF_LAMBDA / dsc) / (1.0 / 900.0 + FITF_LAMBDA / (dsc * dsc));
    char frag[160];
    snprintf(frag, sizeof frag,
             "model = { overhead = { scan = %.1f; sort = 3.0; shuffle_write = 10.0; "
             "shuffle_read = 8.0; }; };",
             fsc);
    assert_non_null(strstr(buf, frag));
    free(buf);

    /* Deterministic: the same input prints the same bytes; JSON has them too. */
    json_t *j = fitf_to_json(&set, &res);
    assert_non_null(j);
    json_t *w = json_object_get(json_object_get(j, "classes"), "window");
    assert_false(json_is_true(json_object_get(w, "fitted")));
    assert_close(json_real_value(json_object_get(w, "factor")),
                 calib_factor_default(CALIB_WINDOW)->factor, 0.0);
    json_decref(j);
    fitf_set_free(&set);
}

/* A stage whose class has no native cost is not used; the fit says which. */
static void test_missing_native_cost_skips_stage(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    struct fitf_set set = {0};
    assert_int_equal(fitf_read_log(&set, tiny, &d), SC_OK);
    double native[CALIB_N_CLASSES];
    natives(native, "scan=10,shuffle_read=5,shuffle_write=4");
    assert_true(fitf_native_missing(&set, native));
    struct fitf_result res;
    assert_int_equal(fitf_fit(&set, native, &res, &d), SC_OK);
    assert_string_equal(stage_of(&set, 1)->skip, "no native cost for sort");
    assert_int_equal(res.n_used, 3);
    fitf_set_free(&set);
}

/* A line that is not JSON stops the fit with file:line; so do a missing
 * file and a malformed --native. */
static void test_malformed_input_errors(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    struct fitf_set set = {0};
    assert_int_equal(fitf_read_log(&set, ABS_TOP_SRCDIR "/tests/eventlogs/bad-line.json", &d),
                     SC_EINPUT);
    assert_non_null(strstr(d.file, "bad-line.json"));
    assert_int_equal(d.line, 10);
    fitf_set_free(&set);

    diag_clear(&d);
    assert_int_not_equal(fitf_read_log(&set, ABS_TOP_SRCDIR "/tests/eventlogs/nope.json", &d),
                         SC_OK);
    fitf_set_free(&set);

    double native[CALIB_N_CLASSES];
    diag_clear(&d);
    assert_int_equal(fitf_native_parse("scan=10,sortt=3", native, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "sortt=3"));
    diag_clear(&d);
    assert_int_equal(fitf_native_parse("scan=-1", native, &d), SC_EINPUT);
    diag_clear(&d);
    assert_int_equal(fitf_native_parse("scan", native, &d), SC_EINPUT);
}

/* The shared real logs: operators come from the SQL plans (emr stage 3 is
 * scan > filter > broadcast join > partial aggregate > exchange; the
 * rapids join stages are shuffle read > sort > sort-merge join), and a
 * fit over them uses the Spark 3 stages only. */
static void test_shared_logs(void **state)
{
    (void)state;
    const char *dir = ABS_TOP_SRCDIR "/../shared/data/eventlogs";
    DIR *dp = opendir(dir);
    if (!dp) {
        print_message("shared logs not found at %s: skipped\n", dir);
        skip();
    }
    char *names[64];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    struct fitf_set set = {0};
    struct diag d;
    diag_clear(&d);
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (fitf_read_log(&set, path, &d) != SC_OK)
            fail_msg("%s:%d: %s", d.file, d.line, d.msg);
        free(names[i]);
    }
    double native[CALIB_N_CLASSES];
    natives(native, "scan=2,filter=2,project=2,hash_aggregate=50,sort=12,sort_merge_join=8,"
                    "broadcast_hash_join=50,window=20,shuffle_write=18,shuffle_read=6,write=80,"
                    "limit=1");
    struct fitf_result res;
    assert_int_equal(fitf_fit(&set, native, &res, &d), SC_OK);
    bool emr3 = false, join2 = false;
    for (size_t i = 0; i < set.n; i++) {
        const struct fitf_stage *s = &set.stages[i];
        if (strcmp(s->log, "emr-processlarge.json") == 0 && s->id == 3) {
            uint32_t want = BIT(CALIB_SCAN) | BIT(CALIB_FILTER) | BIT(CALIB_HASH_AGGREGATE) |
                            BIT(CALIB_BROADCAST_HASH_JOIN) | BIT(CALIB_SHUFFLE_WRITE);
            assert_int_equal(s->classes & want, want);
            assert_true(s->from_plan);
            assert_string_equal(s->skip, "");
            assert_close(s->spark_ns, 1740.0, 1.0); /* README: 87.0 s over 50M */
            emr3 = true;
        }
        if (strcmp(s->log, "rapids-join-local.json") == 0 && s->id == 2) {
            uint32_t want = BIT(CALIB_SORT) | BIT(CALIB_SORT_MERGE_JOIN) | BIT(CALIB_SHUFFLE_READ);
            assert_int_equal(s->classes & want, want);
            assert_string_equal(s->rec_kind, "shuffle read");
            join2 = true;
        }
        /* Spark 1.x logs no CPU time (and a stage may not have completed). */
        if (strncmp(s->log, "sparklint", 9) == 0)
            assert_true(strstr(s->skip, "no executor CPU time") ||
                        strcmp(s->skip, "not completed") == 0);
    }
    assert_true(emr3);
    assert_true(join2);
    assert_true(res.n_used >= 15);
    assert_false(res.cls[CALIB_WINDOW].fitted);
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        assert_true(res.cls[c].factor >= FITF_FLOOR);
    fitf_set_free(&set);
}

/* Leave-one-log-out on a set made by hand: one class (scan, native 10 ns a
 * row), log A's two stages cost 100 ns a record (a factor of 10), log B's
 * one stage 200 (20). The fit's normal equation with the pull toward the
 * default d (lambda 1e-4) is sum_s x_s (x_s f - 1) + lambda / d (f / d - 1)
 * = 0 with x_s = native / Spark ns: fitted without B, f_A = (2 x 0.1 +
 * lambda / d) / (2 x 0.01 + lambda / d^2), about 10; without A, f_B =
 * (0.05 + lambda / d) / (0.0025 + lambda / d^2), about 20. f_B predicts A
 * at 10 f_B against 100, f_A predicts B at 10 f_A against 200; the
 * CPU-weighted pooled error is (2 |10 f_B - 100| + |10 f_A - 200|) / 400.
 * The default predicts 10 d on both. */
static void test_leave_one_log_out_by_hand(void **state)
{
    (void)state;
    struct fitf_stage st[3];
    memset(st, 0, sizeof st);
    const char *logs[3] = {"a.json", "a.json", "b.json"};
    double spark[3] = {100.0, 100.0, 200.0};
    for (int i = 0; i < 3; i++) {
        snprintf(st[i].log, sizeof st[i].log, "%s", logs[i]);
        st[i].id = i;
        st[i].classes = 1u << CALIB_SCAN;
        st[i].weight[CALIB_SCAN] = 1.0;
        st[i].tasks = 10;
        st[i].records = 1e6;
        st[i].spark_ns = spark[i];
        st[i].cpu_ns = spark[i] * 1e6;
    }
    struct fitf_set set = {st, 3, 3, 2};
    double native[CALIB_N_CLASSES];
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        native[c] = NAN;
    native[CALIB_SCAN] = 10.0;
    struct fitf_result res;
    struct diag d;
    diag_clear(&d);
    assert_int_equal(fitf_fit(&set, native, &res, &d), SC_OK);
    struct fitf_cv cv;
    assert_int_equal(fitf_cross_validate(&set, &res, &cv, &d), SC_OK);
    assert_int_equal(cv.n, 2);
    assert_string_equal(cv.logs[0].log, "a.json");
    assert_int_equal(cv.logs[0].cv.n, 2);
    double dd = calib_factor_default(CALIB_SCAN)->factor, lam = FITF_LAMBDA;
    double f_a = (0.2 + lam / dd) / (0.02 + lam / (dd * dd));
    double f_b = (0.05 + lam / dd) / (0.0025 + lam / (dd * dd));
    assert_true(fabs(f_a - 10.0) < 0.01 && fabs(f_b - 20.0) < 0.05); /* the pull is small */
    assert_true(fabs(cv.logs[0].cv.median_abs - fabs(f_b / 10.0 - 1.0)) < 1e-6);
    assert_true(fabs(cv.logs[1].cv.median_abs - fabs(f_a / 20.0 - 1.0)) < 1e-6);
    assert_true(fabs(cv.logs[0].hand.median_abs - fabs(dd / 10.0 - 1.0)) < 1e-9);
    assert_true(fabs(cv.logs[1].hand.median_abs - fabs(dd / 20.0 - 1.0)) < 1e-9);
    assert_true(fabs(cv.cv.cpu_weighted -
                     (2.0 * fabs(10.0 * f_b - 100.0) + fabs(10.0 * f_a - 200.0)) / 400.0) < 1e-6);
    assert_int_equal(cv.cv.n, 3);
    /* In-sample, one factor for both (between 10 and 20) errs on both. */
    assert_true(cv.in_sample.median_abs > 0.0);
    fitf_cv_free(&cv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_log_gives_hand_factors),
        cmocka_unit_test(test_classes_without_evidence_keep_default),
        cmocka_unit_test(test_missing_native_cost_skips_stage),
        cmocka_unit_test(test_malformed_input_errors),
        cmocka_unit_test(test_shared_logs),
        cmocka_unit_test(test_leave_one_log_out_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
