/*
 * units.h — sizes and durations as people write them in scenario files and
 * on the command line. Binary units for sizes: "64m" = 64 MiB.
 */
#ifndef STAGECAST_UNITS_H
#define STAGECAST_UNITS_H

#include <stdint.h>

/* Parses a size: a plain number of bytes ("1048576"), or a number with a
 * binary suffix b, k, m, g, t, p (optionally followed by "b" or "ib", any
 * case): "64m", "12g", "1.5t", "48MiB", "32kb". Returns 0 and sets *bytes, or
 * -1 for anything else (empty, negative, unknown suffix, trailing junk,
 * overflow of int64). */
int units_parse_size(const char *text, int64_t *bytes);

/* Parses a duration: a number of seconds ("90", "2.5"), or a number with a
 * suffix us, ms, s, m (or min), h, d: "100ms", "30m", "1.5h". Returns 0 and
 * sets *seconds, or -1. Negative durations are rejected. */
int units_parse_duration(const char *text, double *seconds);

/* The largest simulated span, in microseconds: 2^62 us, about 146,000 years.
 * A quarter of int64's range, so that a time plus a duration plus a few more
 * still fits; every duration the scenario reader accepts is far below it. */
#define UNITS_US_MAX ((int64_t)1 << 62)

/* Seconds to whole microseconds, checked: rounds s * 1e6 to the nearest
 * integer when that lies within [-UNITS_US_MAX, UNITS_US_MAX], and clamps to
 * the nearer end otherwise (a huge duration stays huge, never 0 or negative
 * as llround's out-of-range result would make it). NaN gives 0. Returns
 * whether s was in range (and not NaN). */
int64_t units_s_to_us(double s);
int units_s_to_us_checked(double s, int64_t *us);

/* Formats bytes with a binary unit and three significant digits into buf
 * ("1.50 GiB", "512 B"). Returns buf. */
const char *units_format_bytes(int64_t bytes, char *buf, unsigned size);

/* Formats seconds as "850 ms", "12.3 s", "4m 05s", "2h 03m" into buf. */
const char *units_format_duration(double seconds, char *buf, unsigned size);

#endif
