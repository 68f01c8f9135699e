/*
 * civil.c — days since the epoch from a civil date and back, after Howard
 * Hinnant's days_from_civil and civil_from_days ("chrono-Compatible
 * Low-Level Date Algorithms"). The trick: count years from March, so that
 * the leap day falls last and a year's day number has a closed form; then
 * split the count into 400-year eras of 146097 days, the Gregorian cycle.
 * Datagen draws date columns with it, the skew model reads categorical
 * dates with it, and the expression binder and evaluator read DATE literals
 * and take year() and month() with it. The string casts below read and
 * write dates and timestamps as Spark's DateTimeUtils does (UTC).
 */
#include "models/civil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

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

int64_t civil_days_from_micros(int64_t micros)
{
    int64_t q = micros / CIVIL_US_PER_DAY;
    return q - (micros % CIVIL_US_PER_DAY < 0);
}

bool civil_micros_from_days(int64_t days, int64_t *micros)
{
    int64_t us;
    if (__builtin_mul_overflow(days, CIVIL_US_PER_DAY, &us))
        return false;
    *micros = us;
    return true;
}

int64_t civil_micros_of_day(int64_t micros)
{
    /* The remainder, not micros - days * CIVIL_US_PER_DAY: the product of
     * the first day floor division gives overflows at INT64_MIN. */
    int64_t r = micros % CIVIL_US_PER_DAY;
    return r < 0 ? r + CIVIL_US_PER_DAY : r;
}

static bool month_has_day(int64_t y, int64_t m, int64_t d)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= month_days[m - 1] && !(m == 2 && d == 29 && !leap);
}

/* Reads at most max digits at s[*i..len) into *v; returns how many. */
static int read_digits(const char *s, size_t len, size_t *i, int max, int64_t *v)
{
    int n = 0;
    *v = 0;
    while (*i < len && isdigit((unsigned char)s[*i]) && n < max) {
        *v = *v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    return n;
}

/* The date part both casts share: yyyy[-[m]m[-[d]d]] at s[*i..len), with
 * a digit right after a field refused (a seventh year digit, a third month
 * digit). */
static bool read_date_part(const char *s, size_t len, size_t *i, int64_t *days)
{
    int64_t y, m = 1, d = 1;
    int n = read_digits(s, len, i, 6, &y);
    if (n < 4 || (*i < len && isdigit((unsigned char)s[*i])))
        return false;
    if (*i < len && s[*i] == '-') {
        (*i)++;
        n = read_digits(s, len, i, 2, &m);
        if (n < 1 || (*i < len && isdigit((unsigned char)s[*i])))
            return false;
        if (*i < len && s[*i] == '-') {
            (*i)++;
            n = read_digits(s, len, i, 2, &d);
            if (n < 1 || (*i < len && isdigit((unsigned char)s[*i])))
                return false;
        }
    }
    if (!month_has_day(y, m, d))
        return false;
    *days = civil_days_from_date(y, (unsigned)m, (unsigned)d);
    return true;
}

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

bool civil_cast_date(const char *s, size_t len, int64_t *days)
{
    trim(&s, &len);
    size_t i = 0;
    int64_t z;
    if (!read_date_part(s, len, &i, &z) || (i < len && s[i] != ' ' && s[i] != 'T'))
        return false;
    *days = z;
    return true;
}

bool civil_cast_timestamp(const char *s, size_t len, int64_t *micros)
{
    trim(&s, &len);
    size_t i = 0;
    int64_t z, h = 0, mi = 0, sec = 0, frac = 0, off_s = 0;
    if (!read_date_part(s, len, &i, &z))
        return false;
    if (i < len && (s[i] == ' ' || s[i] == 'T')) {
        i++;
        if (read_digits(s, len, &i, 2, &h) < 1 || i >= len || s[i] != ':')
            return false;
        i++;
        if (read_digits(s, len, &i, 2, &mi) < 1)
            return false;
        if (i < len && s[i] == ':') {
            i++;
            if (read_digits(s, len, &i, 2, &sec) < 1)
                return false;
            if (i < len && s[i] == '.') {
                /* Microseconds: the first six digits, padded; more are
                 * dropped, as Spark truncates to its precision. */
                i++;
                int n = read_digits(s, len, &i, 6, &frac);
                if (n < 1)
                    return false;
                for (; n < 6; n++)
                    frac *= 10;
                while (i < len && isdigit((unsigned char)s[i]))
                    i++;
            }
        }
        if (h > 23 || mi > 59 || sec > 59)
            return false;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            int64_t oh, om = 0;
            int sign = s[i] == '-' ? -1 : 1;
            i++;
            if (read_digits(s, len, &i, 2, &oh) < 1 || oh > 18)
                return false;
            if (i < len && s[i] == ':') {
                i++;
                if (read_digits(s, len, &i, 2, &om) != 2 || om > 59)
                    return false;
            }
            off_s = sign * (oh * 3600 + om * 60);
        } else if (i < len && s[i] == 'Z') {
            i++;
        } else if (len - i == 3 && strncmp(s + i, "UTC", 3) == 0) {
            i += 3;
        }
    }
    if (i != len)
        return false;
    /* A year of six digits can be past the last instant int64 microseconds
     * hold (294247-01-10 04:00:54.775807): Spark's cast gives NULL there. */
    int64_t midnight, us;
    if (!civil_micros_from_days(z, &midnight) ||
        __builtin_add_overflow(midnight,
                               ((h * 60 + mi) * 60 + sec - off_s) * INT64_C(1000000) + frac, &us))
        return false;
    *micros = us;
    return true;
}

size_t civil_format_date(int64_t days, char *buf)
{
    int64_t y;
    unsigned m, d;
    civil_date_from_days(days, &y, &m, &d);
    int n = snprintf(buf, 32, "%04lld-%02u-%02u", (long long)y, m, d);
    return n < 0 ? 0 : (size_t)n;
}

size_t civil_format_timestamp(int64_t micros, char *buf)
{
    int64_t days = civil_days_from_micros(micros);
    int64_t us = civil_micros_of_day(micros);
    int64_t secs = us / 1000000, frac = us % 1000000;
    size_t n = civil_format_date(days, buf);
    int w = snprintf(buf + n, 48 - n, " %02lld:%02lld:%02lld", (long long)(secs / 3600),
                     (long long)(secs / 60 % 60), (long long)(secs % 60));
    n += w < 0 ? 0 : (size_t)w;
    if (frac) {
        int digits = 6;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        w = snprintf(buf + n, 48 - n, ".%0*lld", digits, (long long)frac);
        n += w < 0 ? 0 : (size_t)w;
    }
    return n;
}
