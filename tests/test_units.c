/*
 * test_units.c — sizes and durations as scenario files write them
 * (models/units.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "models/units.h"

#include <math.h>

/* cmocka 1.1 compares only floats; durations need doubles. */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}

static int64_t size_of(const char *text)
{
    int64_t b = -42;
    assert_int_equal(units_parse_size(text, &b), 0);
    return b;
}

static void assert_size_rejected(const char *text)
{
    int64_t b = -42;
    assert_int_equal(units_parse_size(text, &b), -1);
    assert_int_equal(b, -42); /* untouched on error */
}

static void test_size_suffixes_are_binary(void **state)
{
    (void)state;
    /* 64 * 2^20 = 67108864 */
    assert_int_equal(size_of("64m"), 67108864);
    /* 12 * 2^30 = 12884901888 */
    assert_int_equal(size_of("12g"), 12884901888LL);
    /* 32 * 2^10 */
    assert_int_equal(size_of("32k"), 32768);
    /* 2^50 */
    assert_int_equal(size_of("1p"), 1125899906842624LL);
    assert_int_equal(size_of("7b"), 7);
}

static void test_size_accepts_b_and_ib_tails_in_any_case(void **state)
{
    (void)state;
    assert_int_equal(size_of("48MiB"), 48 * 1048576LL);
    assert_int_equal(size_of("48mb"), 48 * 1048576LL);
    assert_int_equal(size_of("32KB"), 32768);
    assert_int_equal(size_of("1G"), 1073741824LL);
    assert_int_equal(size_of("10mb"), 10485760);
}

static void test_size_fractions_round_to_whole_bytes(void **state)
{
    (void)state;
    /* 1.5 * 2^40 = 1649267441664, exact in binary */
    assert_int_equal(size_of("1.5t"), 1649267441664LL);
    /* 1.2 * 2^30 = 1288490188.8 -> 1288490189 */
    assert_int_equal(size_of("1.2g"), 1288490189LL);
    assert_int_equal(size_of("0.5k"), 512);
}

static void test_size_plain_numbers_are_bytes(void **state)
{
    (void)state;
    assert_int_equal(size_of("1048576"), 1048576);
    assert_int_equal(size_of("0"), 0);
    assert_int_equal(size_of("9223372036854775807"), INT64_MAX);
    assert_int_equal(size_of(" 12 g "), 12884901888LL);
}

static void test_size_rejects_bad_text(void **state)
{
    (void)state;
    assert_size_rejected("");
    assert_size_rejected("g");
    assert_size_rejected("-1");
    assert_size_rejected("-1m");
    assert_size_rejected("12x");
    assert_size_rejected("12gg");
    assert_size_rejected("12 g b");
    assert_size_rejected("1.2.3m");
    assert_size_rejected("1.5"); /* a fraction of a byte */
    assert_size_rejected("1.5b");
    assert_size_rejected("1bb");
    assert_size_rejected("1e3");
    assert_size_rejected("0x10");
    assert_size_rejected(NULL);
}

static void test_size_rejects_int64_overflow(void **state)
{
    (void)state;
    assert_size_rejected("9223372036854775808");
    /* 2^33 GiB = 2^63 bytes, one past INT64_MAX */
    assert_size_rejected("8589934592g");
    assert_size_rejected("8192p");
    /* rounds to 8192.0 as a double, which is 2^63 bytes */
    assert_size_rejected("8191.99999999999999p");
    /* 8191 PiB = 9222246136947933184 still fits */
    assert_int_equal(size_of("8191p"), 9222246136947933184LL);
}

static double duration_of(const char *text)
{
    double s = -42.0;
    assert_int_equal(units_parse_duration(text, &s), 0);
    return s;
}

static void test_duration_suffixes(void **state)
{
    (void)state;
    assert_near(duration_of("100ms"), 0.1, 1e-12);
    assert_near(duration_of("3s"), 3.0, 0.0);
    assert_near(duration_of("1min"), 60.0, 0.0);
    assert_near(duration_of("30m"), 1800.0, 0.0);
    assert_near(duration_of("2h"), 7200.0, 0.0);
    assert_near(duration_of("1.5h"), 5400.0, 0.0);
    assert_near(duration_of("1d"), 86400.0, 0.0);
    assert_near(duration_of("250us"), 250e-6, 1e-15);
    assert_near(duration_of("5 MS"), 0.005, 1e-15);
}

static void test_duration_plain_numbers_are_seconds(void **state)
{
    (void)state;
    assert_near(duration_of("90"), 90.0, 0.0);
    assert_near(duration_of("2.5"), 2.5, 0.0);
    assert_near(duration_of("0"), 0.0, 0.0);
}

static void test_duration_rejects_bad_text(void **state)
{
    (void)state;
    const char *bad[] = {"", "-1s", "-1", "5x", "ms", "1.5.2s", "3 s s", "3sec", "inf", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double s = -42.0;
        assert_int_equal(units_parse_duration(bad[i], &s), -1);
        assert_near(s, -42.0, 0.0);
    }
    double s;
    assert_int_equal(units_parse_duration(NULL, &s), -1);
}

static void test_format_bytes_three_digits(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(units_format_bytes(512, buf, sizeof buf), "512 B");
    assert_string_equal(units_format_bytes(0, buf, sizeof buf), "0 B");
    /* 1536 / 1024 = 1.5 */
    assert_string_equal(units_format_bytes(1536, buf, sizeof buf), "1.50 KiB");
    assert_string_equal(units_format_bytes(1610612736LL, buf, sizeof buf), "1.50 GiB");
    /* 48 MiB */
    assert_string_equal(units_format_bytes(50331648, buf, sizeof buf), "48.0 MiB");
    /* 200 GiB */
    assert_string_equal(units_format_bytes(214748364800LL, buf, sizeof buf), "200 GiB");
    /* 1023.9 KiB would print as "1024 KiB": it moves on to "1.00 MiB" */
    assert_string_equal(units_format_bytes(1048475, buf, sizeof buf), "1.00 MiB");
    assert_string_equal(units_format_bytes(-2048, buf, sizeof buf), "-2.00 KiB");
}

static void test_format_duration_by_magnitude(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(units_format_duration(0.85, buf, sizeof buf), "850 ms");
    assert_string_equal(units_format_duration(0.0123, buf, sizeof buf), "12.3 ms");
    assert_string_equal(units_format_duration(12.34, buf, sizeof buf), "12.3 s");
    /* 245 s = 4 min 5 s */
    assert_string_equal(units_format_duration(245.0, buf, sizeof buf), "4m 05s");
    /* 7380 s = 123 min = 2 h 3 min */
    assert_string_equal(units_format_duration(7380.0, buf, sizeof buf), "2h 03m");
    /* 59.97 s would print as "60.0 s": it becomes a minute */
    assert_string_equal(units_format_duration(59.97, buf, sizeof buf), "1m 00s");
    assert_string_equal(units_format_duration(0.9996, buf, sizeof buf), "1.0 s");
}

/* Durations beyond int64 microseconds clamp to UNITS_US_MAX (2^62 us): 1e308 s
 * used to go through llround to LLONG_MIN, a negative stage time. */
static void test_seconds_to_us_clamps_out_of_range(void **state)
{
    (void)state;
    int64_t us;
    assert_true(units_s_to_us(1.5) == 1500000);
    assert_true(units_s_to_us(-0.25) == -250000);
    assert_int_equal(units_s_to_us_checked(1e308, &us), 0);
    assert_true(us == UNITS_US_MAX);
    assert_int_equal(units_s_to_us_checked(INFINITY, &us), 0);
    assert_true(us == UNITS_US_MAX);
    assert_int_equal(units_s_to_us_checked(-1e308, &us), 0);
    assert_true(us == -UNITS_US_MAX);
    assert_int_equal(units_s_to_us_checked(NAN, &us), 0);
    assert_true(us == 0);
    /* 1e7 s, the longest duration a scenario may give, is in range. */
    assert_int_equal(units_s_to_us_checked(1e7, &us), 1);
    assert_true(us == 10000000000000LL);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_suffixes_are_binary),
        cmocka_unit_test(test_size_accepts_b_and_ib_tails_in_any_case),
        cmocka_unit_test(test_size_fractions_round_to_whole_bytes),
        cmocka_unit_test(test_size_plain_numbers_are_bytes),
        cmocka_unit_test(test_size_rejects_bad_text),
        cmocka_unit_test(test_size_rejects_int64_overflow),
        cmocka_unit_test(test_duration_suffixes),
        cmocka_unit_test(test_duration_plain_numbers_are_seconds),
        cmocka_unit_test(test_duration_rejects_bad_text),
        cmocka_unit_test(test_format_bytes_three_digits),
        cmocka_unit_test(test_format_duration_by_magnitude),
        cmocka_unit_test(test_seconds_to_us_clamps_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
