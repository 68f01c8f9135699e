/*
 * units.c — reading and printing sizes and durations (see units.h).
 *
 * Scenario files and the command line write sizes the way Spark does ("48m",
 * "1g") and durations the way Spark's time strings do ("3s", "100ms"); this
 * module turns them into bytes and seconds before anything else sees them,
 * and turns numbers back into short human text for reports.
 *
 * Sizes are binary, as in Spark (JavaUtils.byteStringAs): "1k" is 1024 bytes.
 * Unlike Spark we also accept fractions ("1.5t"), because people copy sizes
 * from the Spark UI, which prints them that way.
 */
#include "models/units.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A non-negative decimal number at the start of text: digits with an
 * optional fraction, no sign, no exponent. On success *end points past it,
 * *value holds it, and *whole tells whether it had no fractional part. */
static int scan_decimal(const char *text, const char **end, double *value, int *whole)
{
    const char *p = text;
    while (isdigit((unsigned char)*p))
        p++;
    int int_digits = (int)(p - text);
    int frac_digits = 0;
    *whole = 1;
    if (*p == '.') {
        const char *f = ++p;
        while (isdigit((unsigned char)*p))
            p++;
        frac_digits = (int)(p - f);
        *whole = 0;
    }
    if (int_digits + frac_digits == 0)
        return -1;
    /* strtod reads exactly the characters we validated: digits and a dot. */
    char buf[64];
    size_t len = (size_t)(p - text);
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    *value = strtod(buf, NULL);
    *end = p;
    return 0;
}

static const char *skip_space(const char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* The power of 1024 a size suffix letter stands for, or -1. */
static int size_suffix_power(char c)
{
    switch (tolower((unsigned char)c)) {
    case 'b': return 0;
    case 'k': return 1;
    case 'm': return 2;
    case 'g': return 3;
    case 't': return 4;
    case 'p': return 5;
    default: return -1;
    }
}

int units_parse_size(const char *text, int64_t *bytes)
{
    if (text == NULL)
        return -1;
    const char *p = skip_space(text);
    const char *num = p;
    double value;
    int whole;
    if (scan_decimal(p, &p, &value, &whole) != 0)
        return -1;
    const char *num_end = p;
    p = skip_space(p);

    int power = 0;
    int has_suffix = 0;
    if (*p != '\0') {
        power = size_suffix_power(*p);
        if (power < 0)
            return -1;
        has_suffix = 1;
        p++;
        /* "m", "mb" and "mib" all mean MiB; a lone "b" takes no tail. */
        if (power > 0) {
            if (tolower((unsigned char)p[0]) == 'i' && tolower((unsigned char)p[1]) == 'b')
                p += 2;
            else if (tolower((unsigned char)p[0]) == 'b')
                p += 1;
        }
        p = skip_space(p);
        if (*p != '\0')
            return -1;
    }

    int64_t mult = (int64_t)1 << (10 * power);
    if (whole) {
        /* Exact integer arithmetic: a double cannot hold every int64. */
        int64_t v = 0;
        for (const char *q = num; q < num_end; q++) {
            int digit = *q - '0';
            if (v > (INT64_MAX - digit) / 10)
                return -1;
            v = v * 10 + digit;
        }
        if (v > INT64_MAX / mult)
            return -1;
        *bytes = v * mult;
        return 0;
    }
    /* A fraction of a byte means nothing: "1.5" needs a unit to be a size. */
    if (!has_suffix || power == 0)
        return -1;
    double b = value * (double)mult;
    /* 2^63 is the first double beyond int64; compare before converting. */
    if (!(b < 9223372036854775808.0))
        return -1;
    *bytes = (int64_t)llround(b);
    return 0;
}

int units_s_to_us_checked(double s, int64_t *us)
{
    /* Compare in double before converting: llround of a value outside
     * long long's range is undefined (it returns an unspecified value,
     * LLONG_MIN on x86-64, which became a 0 s or negative stage). */
    double x = s * 1e6;
    if (isnan(x)) {
        *us = 0;
        return 0;
    }
    if (x >= (double)UNITS_US_MAX) {
        *us = UNITS_US_MAX;
        return x == (double)UNITS_US_MAX;
    }
    if (x <= -(double)UNITS_US_MAX) {
        *us = -UNITS_US_MAX;
        return x == -(double)UNITS_US_MAX;
    }
    *us = (int64_t)llround(x);
    return 1;
}

int64_t units_s_to_us(double s)
{
    int64_t us;
    units_s_to_us_checked(s, &us);
    return us;
}

int units_parse_duration(const char *text, double *seconds)
{
    if (text == NULL)
        return -1;
    const char *p = skip_space(text);
    double value;
    int whole;
    if (scan_decimal(p, &p, &value, &whole) != 0)
        return -1;
    p = skip_space(p);

    /* Spark's time suffixes (JavaUtils.timeSuffixes); a bare number is
     * seconds here, the unit the rest of stagecast counts in. */
    static const struct {
        const char *suffix;
        double seconds;
    } suffixes[] = {
        {"us", 1e-6}, {"ms", 1e-3},  {"s", 1.0},     {"min", 60.0},
        {"m", 60.0},  {"h", 3600.0}, {"d", 86400.0},
    };
    double unit = 1.0;
    if (*p != '\0') {
        size_t len = strlen(p);
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        int found = 0;
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            if (strlen(suffixes[i].suffix) == len && strncasecmp(p, suffixes[i].suffix, len) == 0) {
                unit = suffixes[i].seconds;
                found = 1;
                break;
            }
        }
        if (!found)
            return -1;
    }
    double s = value * unit;
    if (!isfinite(s))
        return -1;
    *seconds = s;
    return 0;
}

const char *units_format_bytes(int64_t bytes, char *buf, unsigned size)
{
    static const char *const names[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (buf == NULL || size == 0)
        return buf;
    const char *sign = bytes < 0 ? "-" : "";
    /* Through double so that INT64_MIN has a magnitude too. */
    double v = fabs((double)bytes);
    if (v < 1024.0) {
        snprintf(buf, size, "%s%.0f B", sign, v);
        return buf;
    }
    int unit = 0;
    while (v >= 1024.0 && unit < 6) {
        v /= 1024.0;
        unit++;
    }
    /* Three significant digits; a value that rounds up to 1024 moves on to
     * the next unit so that we never print "1024 KiB". */
    if (v >= 1023.5 && unit < 6) {
        v /= 1024.0;
        unit++;
    }
    if (v < 9.995)
        snprintf(buf, size, "%s%.2f %s", sign, v, names[unit]);
    else if (v < 99.95)
        snprintf(buf, size, "%s%.1f %s", sign, v, names[unit]);
    else
        snprintf(buf, size, "%s%.0f %s", sign, v, names[unit]);
    return buf;
}

const char *units_format_duration(double seconds, char *buf, unsigned size)
{
    if (buf == NULL || size == 0)
        return buf;
    if (isnan(seconds)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    const char *sign = seconds < 0 ? "-" : "";
    double s = fabs(seconds);
    if (isinf(s)) {
        snprintf(buf, size, "%sinf", sign);
        return buf;
    }
    /* Each branch decides on the value as it will be printed, so 59.97 s
     * shows as "1m 00s", not "60.0 s". */
    double ms = s * 1e3;
    if (ms < 9.995) {
        snprintf(buf, size, "%s%.2f ms", sign, ms);
    } else if (ms < 99.95) {
        snprintf(buf, size, "%s%.1f ms", sign, ms);
    } else if (ms < 999.5) {
        snprintf(buf, size, "%s%.0f ms", sign, ms);
    } else if (s < 59.95) {
        snprintf(buf, size, "%s%.1f s", sign, s);
    } else if (s < 3599.5) {
        long long total = llround(s);
        snprintf(buf, size, "%s%lldm %02llds", sign, total / 60, total % 60);
    } else {
        long long minutes = llround(s / 60.0);
        snprintf(buf, size, "%s%lldh %02lldm", sign, minutes / 60, minutes % 60);
    }
    return buf;
}
