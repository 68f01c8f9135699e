/*
 * test_civil.c — days since 1970-01-01 and back, and YYYY-MM-DD parsing
 * (models/civil.h), on hand-counted dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "models/civil.h"

static void test_epoch_is_day_zero(void **state)
{
    (void)state;
    assert_int_equal(civil_days_from_date(1970, 1, 1), 0);
    assert_int_equal(civil_days_from_date(1969, 12, 31), -1);
}

static void test_days_to_2000_03_01(void **state)
{
    (void)state;
    /* 1970..1999 is 30 years with 7 leap days (72, 76, ..., 96): 10957
     * days to 2000-01-01; + 31 (January) + 29 (February of a leap year
     * divisible by 400) = 11017. */
    assert_int_equal(civil_days_from_date(2000, 3, 1), 11017);
    assert_int_equal(civil_days_from_date(2000, 1, 1), 10957);
}

static void test_dates_round_trip(void **state)
{
    (void)state;
    /* Every day from 1600 to 2400, including 1700/1800/1900 (not leap) and
     * 2000 (leap). */
    int64_t from = civil_days_from_date(1600, 1, 1), to = civil_days_from_date(2400, 12, 31);
    for (int64_t z = from; z <= to; z++) {
        int64_t y;
        unsigned m, d;
        civil_date_from_days(z, &y, &m, &d);
        assert_int_equal(civil_days_from_date(y, m, d), z);
        assert_in_range(m, 1, 12);
        assert_in_range(d, 1, 31);
    }
    int64_t y;
    unsigned m, d;
    civil_date_from_days(11017, &y, &m, &d);
    assert_int_equal(y, 2000);
    assert_int_equal(m, 3);
    assert_int_equal(d, 1);
}

static void test_parse_reads_real_days_only(void **state)
{
    (void)state;
    int64_t days = 42;
    /* 2020-02-29: 2020-01-01 is day 18262 (50 years, 12 leap days), + 31
     * + 28 = 18321. */
    assert_true(civil_parse_date("2020-02-29", &days));
    assert_int_equal(days, 18321);
    assert_true(civil_parse_date("1970-01-01", &days));
    assert_int_equal(days, 0);
    days = 42;
    assert_false(civil_parse_date("2021-02-29", &days)); /* not a leap year */
    assert_false(civil_parse_date("1900-02-29", &days)); /* century, not leap */
    assert_false(civil_parse_date("2021-04-31", &days));
    assert_false(civil_parse_date("2021-13-01", &days));
    assert_false(civil_parse_date("2021-01-01x", &days));
    assert_false(civil_parse_date("18321", &days));
    assert_int_equal(days, 42);
}

/* Spark's string to timestamp, UTC. 2020-02-29 is day 18321 (see
 * above), 1582934400 s; 13:45:30 adds 49530 s. Half a second before the
 * epoch is -500000 us and still 1969-12-31. */
static void test_cast_timestamp_reads_sparks_forms(void **state)
{
    (void)state;
    int64_t us = 42;
    const int64_t leap = INT64_C(1582934400000000), t = leap + INT64_C(49530000000);
    assert_true(civil_cast_timestamp("2020-02-29 13:45:30", 19, &us));
    assert_int_equal(us, t);
    assert_true(civil_cast_timestamp("2020-02-29T13:45:30", 19, &us));
    assert_int_equal(us, t);
    assert_true(civil_cast_timestamp(" 2020-02-29 13:45:30Z ", 22, &us));
    assert_int_equal(us, t);
    assert_true(civil_cast_timestamp("2020-02-29 15:45:30+02:00", 25, &us));
    assert_int_equal(us, t);
    assert_true(civil_cast_timestamp("2020-02-29", 10, &us));
    assert_int_equal(us, leap);
    assert_true(civil_cast_timestamp("2020-02-29 13:45:30.25", 22, &us));
    assert_int_equal(us, t + 250000);
    assert_true(civil_cast_timestamp("1969-12-31 23:59:59.5", 21, &us));
    assert_int_equal(us, -500000);
    assert_int_equal(civil_days_from_micros(-500000), -1);
    assert_int_equal(civil_days_from_micros(0), 0);
    assert_int_equal(civil_days_from_micros(CIVIL_US_PER_DAY - 1), 0);
    us = 42;
    static const char *const bad[] = {"2021-02-29 00:00:00",
                                      "2020-02-29 24:00:00",
                                      "2020-02-29 10:60:00",
                                      "2020-02-29 10",
                                      "2020-02-29x",
                                      "",
                                      "20-02-29",
                                      "2020-02-29 10:00:00 junk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(civil_cast_timestamp(bad[i], strlen(bad[i]), &us));
    assert_int_equal(us, 42);
}

static void test_cast_date_keeps_the_day_of_a_timestamp_text(void **state)
{
    (void)state;
    int64_t days = 0;
    assert_true(civil_cast_date("2024-12-01 10:30:00", 19, &days));
    assert_int_equal(days, 20058);
    assert_true(civil_cast_date("2024-1-5", 8, &days));
    assert_int_equal(days, 19727);
    assert_true(civil_cast_date("2024", 4, &days));
    assert_int_equal(days, 19723);
    assert_false(civil_cast_date("2024-13-01", 10, &days));
    assert_false(civil_cast_date("2024/12/01", 10, &days));
}

static void test_format_dates_and_timestamps(void **state)
{
    (void)state;
    char buf[48];
    assert_int_equal(civil_format_date(-25567, buf), 10);
    assert_string_equal(buf, "1900-01-01");
    civil_format_timestamp(-500000, buf);
    assert_string_equal(buf, "1969-12-31 23:59:59.5");
    civil_format_timestamp(INT64_C(1735689599999999), buf);
    assert_string_equal(buf, "2024-12-31 23:59:59.999999");
    civil_format_timestamp(0, buf);
    assert_string_equal(buf, "1970-01-01 00:00:00");
}

/*
 * Microseconds in an int64 end at 294247-01-10 04:00:54.775807 UTC and
 * begin at -290308-12-21 19:59:05.224192 (Java's Long.MAX_VALUE and
 * MIN_VALUE microseconds, Spark's TimestampType range): INT64_MAX is
 * (4 * 3600 + 54) s + 775807 us = 14454775807 us into its day, INT64_MIN
 * (19 * 3600 + 59 * 60 + 5) s + 224192 us = 71945224192 us into its.
 * Found by fuzz_expr: TIMESTAMP '444201' overflowed int64 (undefined
 * behaviour) instead of being refused as Spark refuses it.
 */
static void test_timestamps_past_int64_micros_are_refused(void **state)
{
    (void)state;
    int64_t us = 42;
    assert_true(civil_cast_timestamp("294247-01-10 04:00:54.775807", 28, &us));
    assert_true(us == INT64_MAX);
    assert_false(civil_cast_timestamp("294247-01-10 04:00:54.775808", 28, &us));
    assert_false(civil_cast_timestamp("444201", 6, &us));
    assert_false(civil_cast_timestamp("999999-12-31 23:59:59", 21, &us));
    /* The last midnight that fits is day 106751991 (INT64_MAX / 86400e6,
     * 294247-01-10); the next one does not. */
    assert_true(civil_micros_from_days(106751991, &us));
    assert_true(us == INT64_C(106751991) * CIVIL_US_PER_DAY);
    us = 42;
    assert_false(civil_micros_from_days(106751992, &us));
    assert_false(civil_micros_from_days(INT64_MIN / 2, &us));
    assert_int_equal(us, 42);
}

static void test_time_of_day_at_the_ends_of_int64(void **state)
{
    (void)state;
    assert_true(civil_micros_of_day(INT64_MAX) == INT64_C(14454775807));
    assert_true(civil_micros_of_day(INT64_MIN) == INT64_C(71945224192));
    assert_true(civil_micros_of_day(-1) == CIVIL_US_PER_DAY - 1);
    char buf[48];
    civil_format_timestamp(INT64_MAX, buf);
    assert_string_equal(buf, "294247-01-10 04:00:54.775807");
    civil_format_timestamp(INT64_MIN, buf);
    assert_string_equal(strchr(buf, ' '), " 19:59:05.224192");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_is_day_zero),
        cmocka_unit_test(test_days_to_2000_03_01),
        cmocka_unit_test(test_dates_round_trip),
        cmocka_unit_test(test_parse_reads_real_days_only),
        cmocka_unit_test(test_cast_timestamp_reads_sparks_forms),
        cmocka_unit_test(test_cast_date_keeps_the_day_of_a_timestamp_text),
        cmocka_unit_test(test_format_dates_and_timestamps),
        cmocka_unit_test(test_timestamps_past_int64_micros_are_refused),
        cmocka_unit_test(test_time_of_day_at_the_ends_of_int64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
