/*
 * civil.h — calendar dates as Spark's DateType holds them: days since
 * 1970-01-01 in the proleptic Gregorian calendar, and the YYYY-MM-DD text
 * scenarios write them in; and instants as its TimestampType holds them:
 * microseconds since 1970-01-01 00:00:00, here always in UTC (the session
 * time zone stagecast assumes), with Spark's string casts both ways.
 *
 * Pure functions; nothing to own or free.
 */
#ifndef STAGECAST_CIVIL_H
#define STAGECAST_CIVIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days from 1970-01-01 to year y, month m (1-12), day d (1-31), negative
 * before it: civil_days_from_date(1970, 1, 1) = 0, (2000, 3, 1) = 11017.
 * m and d are not checked; civil_parse_date checks what it reads. */
int64_t civil_days_from_date(int64_t y, unsigned m, unsigned d);

/* The inverse: the year, month (1-12) and day (1-31) of days since
 * 1970-01-01. Any of y, m, d may be NULL. */
void civil_date_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* Reads "YYYY-MM-DD" (decimal fields, as sscanf's %d reads them, the whole
 * of s) into days since 1970-01-01. Returns false, leaving *days alone, when
 * s is not such a date or names a day the month does not have (2021-02-29). */
bool civil_parse_date(const char *s, int64_t *days);

/* Microseconds in a day: a date d is the timestamp d * CIVIL_US_PER_DAY
 * (its midnight, UTC). */
#define CIVIL_US_PER_DAY INT64_C(86400000000)

/* The day (since 1970-01-01) a timestamp in microseconds falls on, UTC:
 * floor division, so -1 us is 1969-12-31. */
int64_t civil_days_from_micros(int64_t micros);

/* The midnight (UTC) of day days as a timestamp, into *micros. Returns
 * false, leaving *micros alone, when microseconds in an int64 cannot hold
 * it (after 294247-01-10 or before 290308 BC): Spark's long overflow. */
bool civil_micros_from_days(int64_t days, int64_t *micros);

/* The microseconds since its day's midnight (0 to CIVIL_US_PER_DAY - 1) of
 * any timestamp, INT64_MIN and INT64_MAX included. */
int64_t civil_micros_of_day(int64_t micros);

/* Reads the len bytes at s as Spark casts a string to a date (its
 * stringToDate): blanks around it ignored, then yyyy, yyyy-[m]m or
 * yyyy-[m]m-[d]d (a year of 4 to 6 digits), optionally followed by ' ' or
 * 'T' and anything ("2024-12-01 10:30:00" is 2024-12-01). Returns false
 * when it is not such a date or names a day the month lacks: Spark's
 * cast, with ANSI mode off, then gives NULL. */
bool civil_cast_date(const char *s, size_t len, int64_t *days);

/* Reads the len bytes at s as Spark casts a string to a timestamp (its
 * stringToTimestamp), in UTC: a date as civil_cast_date reads it, then
 * optionally ' ' or 'T' and [h]h:[m]m[:[s]s[.fraction]] (digits past the
 * sixth of the fraction dropped), then optionally Z, UTC, or an offset
 * +hh:mm / -hh:mm. A date alone is its midnight. Returns false (NULL in
 * Spark) when the text is not such a timestamp or a field is out of range. */
bool civil_cast_timestamp(const char *s, size_t len, int64_t *micros);

/* Writes days as "YYYY-MM-DD" (Spark's date to string) into buf, which
 * needs 32 bytes; returns the length written. */
size_t civil_format_date(int64_t days, char *buf);

/* Writes micros as "YYYY-MM-DD HH:MM:SS", with ".ffffff" less its trailing
 * zeros when there is a fraction, as Spark casts a timestamp to a string
 * (UTC), into buf, which needs 48 bytes; returns the length written. */
size_t civil_format_timestamp(int64_t micros, char *buf);

#endif
