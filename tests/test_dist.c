/*
 * test_dist.c — sampled distributions against their means worked out by
 * formula, with a tolerance of five standard errors so the tests fail only
 * on a real error (the seed is fixed; the draws are repeatable).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>

#include "models/dist.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static void check_mean(struct dist d, double expect_mean, double expect_sd)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2024);
    enum { N = 200000 };
    double sum = 0.0, min = INFINITY;
    for (int i = 0; i < N; i++) {
        double x = dist_sample(&d, rng);
        sum += x;
        if (x < min)
            min = x;
    }
    gsl_rng_free(rng);
    double mean = sum / N;
    assert_true(min >= 0.0);
    assert_float_equal(dist_mean(&d), expect_mean, 1e-9 * (1.0 + expect_mean));
    assert_float_equal(mean, expect_mean, 5.0 * expect_sd / sqrt((double)N));
}

static void test_fixed_is_its_value(void **state)
{
    (void)state;
    check_mean(dist_fixed(2.5), 2.5, 0.0);
}

static void test_lognormal_mean_is_exp_mu_plus_half_sigma_squared(void **state)
{
    (void)state;
    /* median 2 -> mu = ln 2, sigma 0.3: mean = 2 e^{0.045}; variance
     * (e^{s^2} - 1) e^{2 mu + s^2}. */
    struct dist d = {DIST_LOGNORMAL, log(2.0), 0.3};
    double mean = 2.0 * exp(0.045);
    double sd = sqrt((exp(0.09) - 1.0) * exp(2.0 * log(2.0) + 0.09));
    check_mean(d, mean, sd);
}

static void test_uniform_mean_is_midpoint(void **state)
{
    (void)state;
    struct dist d = {DIST_UNIFORM, 1.0, 3.0};
    check_mean(d, 2.0, 2.0 / sqrt(12.0));
}

static void test_exponential_mean(void **state)
{
    (void)state;
    struct dist d = {DIST_EXPONENTIAL, 4.0, 0.0};
    check_mean(d, 4.0, 4.0);
}

static void test_normal_far_from_zero_keeps_its_mean(void **state)
{
    (void)state;
    struct dist d = {DIST_NORMAL, 10.0, 1.0};
    check_mean(d, 10.0, 1.0);
}

static void test_normal_near_zero_is_truncated(void **state)
{
    (void)state;
    /* N(0, 1) truncated to [0, inf) is the half-normal: mean sqrt(2/pi),
     * sd sqrt(1 - 2/pi). */
    struct dist d = {DIST_NORMAL, 0.0, 1.0};
    check_mean(d, sqrt(2.0 / M_PI), sqrt(1.0 - 2.0 / M_PI));
}

static void test_bad_parameters_are_named(void **state)
{
    (void)state;
    struct dist d1 = {DIST_UNIFORM, 3.0, 1.0};
    assert_non_null(dist_check(&d1));
    struct dist d2 = {DIST_NORMAL, 1.0, -1.0};
    assert_non_null(dist_check(&d2));
    struct dist d3 = {DIST_EXPONENTIAL, 0.0, 0.0};
    assert_non_null(dist_check(&d3));
    struct dist d4 = dist_fixed(-1.0);
    assert_non_null(dist_check(&d4));
    struct dist ok = {DIST_LOGNORMAL, 0.0, 0.3};
    assert_null(dist_check(&ok));
    enum dist_kind k;
    assert_int_equal(dist_kind_parse("lognormal", &k), 0);
    assert_int_equal(k, DIST_LOGNORMAL);
    assert_int_equal(dist_kind_parse("gamma", &k), -1);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_is_its_value),
        cmocka_unit_test(test_lognormal_mean_is_exp_mu_plus_half_sigma_squared),
        cmocka_unit_test(test_uniform_mean_is_midpoint),
        cmocka_unit_test(test_exponential_mean),
        cmocka_unit_test(test_normal_far_from_zero_keeps_its_mean),
        cmocka_unit_test(test_normal_near_zero_is_truncated),
        cmocka_unit_test(test_bad_parameters_are_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
