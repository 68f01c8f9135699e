/*
 * civil.h — calendar dates as Spark's DateType holds them: days since
 * 1970-01-01 in the proleptic Gregorian calendar, and the YYYY-MM-DD text
 * scenarios write them in.
 *
 * Pure functions; nothing to own or free.
 */
#ifndef STAGECAST_CIVIL_H
#define STAGECAST_CIVIL_H

#include <stdbool.h>
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

#endif
