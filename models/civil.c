/*
 * civil.c — days since the epoch from a civil date and back, after Howard
 * Hinnant's days_from_civil and civil_from_days ("chrono-Compatible
 * Low-Level Date Algorithms"). The trick: count years from March, so that
 * the leap day falls last and a year's day number has a closed form; then
 * split the count into 400-year eras of 146097 days, the Gregorian cycle.
 * Datagen draws date columns with it, the skew model reads categorical
 * dates with it, and the expression binder and evaluator read DATE literals
 * and take year() and month() with it.
 */
#include "models/civil.h"

#include <stdio.h>

/* Days from 0000-03-01 to 1970-01-01. */
#define CIVIL_EPOCH_SHIFT 719468

int64_t civil_days_from_date(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;                                /* January and February end the year */
    int64_t era = (y >= 0 ? y : y - 399) / 400; /* floor division */
    unsigned yoe = (unsigned)(y - era * 400);   /* year of era, 0..399 */
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* day of year from March */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* day of era */
    return era * 146097 + (int64_t)doe - CIVIL_EPOCH_SHIFT;
}

void civil_date_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + CIVIL_EPOCH_SHIFT;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned month = mp < 10 ? mp + 3 : mp - 9;
    if (y)
        *y = (int64_t)yoe + era * 400 + (month <= 2);
    if (m)
        *m = month;
    if (d)
        *d = doy - (153 * mp + 2) / 5 + 1;
}

bool civil_parse_date(const char *s, int64_t *days)
{
    int y, m, d, n = 0;
    if (sscanf(s, "%d-%d-%d%n", &y, &m, &d, &n) != 3 || s[n] != '\0' || m < 1 || m > 12 || d < 1 ||
        d > 31)
        return false;
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > month_days[m - 1] || (m == 2 && d == 29 && !leap))
        return false;
    *days = civil_days_from_date(y, (unsigned)m, (unsigned)d);
    return true;
}
