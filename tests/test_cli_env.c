/*
 * test_cli_env.c — the command line's reading of the environment and of
 * argv, without running the binary: the cache directory's XDG rule, the
 * calibration variables, and getopt_long driven by an option table.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "sim/calib/calibrate.h"
#include "sim/cli/env.h"
#include "sim/cli/sweep_args.h"

/* $STAGECAST_CACHE_DIR, else $XDG_CACHE_HOME/stagecast, else
 * ~/.cache/stagecast; empty counts as unset. */
static void test_cache_dir_follows_the_xdg_rule(void **state)
{
    (void)state;
    char buf[512];
    assert_int_equal(cli_cache_dir("/x/y", "/xdg", "/home/u", buf, sizeof buf), 0);
    assert_string_equal(buf, "/x/y");
    assert_int_equal(cli_cache_dir("", "/xdg", "/home/u", buf, sizeof buf), 0);
    assert_string_equal(buf, "/xdg/stagecast");
    assert_int_equal(cli_cache_dir(NULL, NULL, "/home/u", buf, sizeof buf), 0);
    assert_string_equal(buf, "/home/u/.cache/stagecast");
    assert_int_equal(cli_cache_dir(NULL, "", NULL, buf, sizeof buf), -1);
    assert_int_equal(cli_cache_dir("/a/long/path", NULL, NULL, buf, 5), -1);
}

/* The variables replace the defaults; calibrate_options_init sorts the
 * sizes and lets a scenario's model group win (none here). */
static void test_calibration_variables_set_the_host_options(void **state)
{
    (void)state;
    struct cli_env e;
    memset(&e, 0, sizeof e);
    strcpy(e.cache_dir, "/c");
    e.calib_rows = "65536,16384,32768";
    e.calib_reps = "3";
    e.host_acu = "250";
    struct calibrate_options host, o;
    struct diag d;
    diag_clear(&d);
    assert_int_equal(cli_env_calibrate_options(&e, &host, &d), SC_OK);
    assert_int_equal(calibrate_options_init(&o, &host, NULL, &d), SC_OK);
    assert_int_equal(o.n_rows, 3);
    assert_int_equal(o.rows[0], 16384);
    assert_int_equal(o.rows[2], 65536);
    assert_int_equal(o.repetitions, 3);
    assert_true(o.host_acu == 250.0);
    assert_string_equal(o.cache_dir, "/c");
    /* The quality rule: the defaults (R^2 0.95, +/- 25%) until set. */
    assert_true(o.quality.min_r2 == 0.95 && o.quality.max_rel_ci == 0.25);
    e.calib_min_r2 = "0.9";
    e.calib_max_ci = "0";
    assert_int_equal(cli_env_calibrate_options(&e, &host, &d), SC_OK);
    assert_true(host.quality.min_r2 == 0.9 && host.quality.max_rel_ci == 0.0);

    /* Nothing set: the library's defaults and no cache. */
    memset(&e, 0, sizeof e);
    assert_int_equal(cli_env_calibrate_options(&e, &host, &d), SC_OK);
    calibrate_options_default(&o);
    assert_int_equal(host.n_rows, o.n_rows);
    assert_int_equal(host.repetitions, o.repetitions);
    assert_true(isnan(host.host_acu));
    assert_string_equal(host.cache_dir, "");
}

static void test_malformed_variable_is_named(void **state)
{
    (void)state;
    const char *rows[] = {"16384,65536", "8,16384,65536", "1,2,x", NULL};
    for (int i = 0; rows[i]; i++) {
        struct cli_env e;
        memset(&e, 0, sizeof e);
        e.calib_rows = rows[i];
        struct calibrate_options o;
        struct diag d;
        diag_clear(&d);
        assert_int_equal(cli_env_calibrate_options(&e, &o, &d), SC_EINPUT);
        assert_non_null(strstr(d.msg, "STAGECAST_CALIB_ROWS"));
    }
    struct cli_env e;
    memset(&e, 0, sizeof e);
    e.host_acu = "fast";
    struct calibrate_options o;
    struct diag d;
    diag_clear(&d);
    assert_int_equal(cli_env_calibrate_options(&e, &o, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "STAGECAST_HOST_ACU"));
    memset(&e, 0, sizeof e);
    e.calib_min_r2 = "1.5";
    diag_clear(&d);
    assert_int_equal(cli_env_calibrate_options(&e, &o, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "STAGECAST_CALIB_MIN_R2"));
    memset(&e, 0, sizeof e);
    e.calib_max_ci = "-1";
    diag_clear(&d);
    assert_int_equal(cli_env_calibrate_options(&e, &o, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "STAGECAST_CALIB_MAX_CI"));
}

/* Parses words as `stagecast sweep WORDS...`. */
static enum sc_status parse(const char *const *words, int n, struct sweep_args *a, bool *help,
                            struct diag *d)
{
    char *argv[32];
    argv[0] = (char *)"sweep";
    for (int i = 0; i < n; i++)
        argv[i + 1] = (char *)words[i];
    diag_clear(d);
    return cli_sweep_parse(n + 1, argv, false, a, help, d);
}

/* Options and operands in any order; values after a space or '='. */
static void test_options_come_in_any_order(void **state)
{
    (void)state;
    const char *words[] = {"--workers", "2-8",         "s.cfg", "--set",
                           "a=1",       "--set=b=2,3", "-q",    "--json=-"};
    struct sweep_args a;
    bool help;
    struct diag d;
    assert_int_equal(parse(words, 8, &a, &help, &d), SC_OK);
    assert_false(help);
    assert_string_equal(a.file, "s.cfg");
    assert_string_equal(a.workers, "2-8");
    assert_int_equal(a.n_sets, 2);
    assert_string_equal(a.sets[1], "b=2,3");
    assert_true(a.quiet);
    assert_string_equal(a.json_path, "-");
    cli_sweep_args_fini(&a);
}

static void test_usage_problems_are_said_plainly(void **state)
{
    (void)state;
    struct {
        const char *words[3];
        int n;
        const char *msg;
    } cases[] = {
        {{"s.cfg", "--bogus"}, 2, "sweep: unknown option '--bogus'"},
        {{"s.cfg", "-z"}, 2, "sweep: unknown option '-z'"},
        {{"s.cfg", "--json"}, 2, "--json needs a value"},
        {{"s.cfg", "--resume=yes"}, 2, "sweep: --resume=yes takes no value"},
        {{"s.cfg", "--threads", "0"}, 3, "--threads needs a whole number from 1 to"},
        {{"a.cfg", "b.cfg"}, 2, "'b.cfg' is one too many"},
        {{"--quiet"}, 1, "sweep needs a scenario file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sweep_args a;
        bool help;
        struct diag d;
        assert_int_equal(parse(cases[i].words, cases[i].n, &a, &help, &d), SC_EINPUT);
        if (!strstr(d.msg, cases[i].msg))
            fail_msg("case %zu: '%s' lacks '%s'", i, d.msg, cases[i].msg);
        cli_sweep_args_fini(&a);
    }
}

static void test_help_stops_the_parse(void **state)
{
    (void)state;
    const char *words[] = {"--workers", "2-8", "-h", "--bogus"};
    struct sweep_args a;
    bool help;
    struct diag d;
    assert_int_equal(parse(words, 4, &a, &help, &d), SC_OK);
    assert_true(help);
    cli_sweep_args_fini(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cache_dir_follows_the_xdg_rule),
        cmocka_unit_test(test_calibration_variables_set_the_host_options),
        cmocka_unit_test(test_malformed_variable_is_named),
        cmocka_unit_test(test_options_come_in_any_order),
        cmocka_unit_test(test_usage_problems_are_said_plainly),
        cmocka_unit_test(test_help_stops_the_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
