/*
 * timing.h — wall-clock timing and medians for the benchmarks in bench/.
 * Benchmarks report the median of several runs: the machine is shared and
 * noisy, and a median shrugs off a run that the neighbours slowed down.
 */
#ifndef STAGECAST_BENCH_TIMING_H
#define STAGECAST_BENCH_TIMING_H

#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "models/order.h"

/* Seconds on the monotonic clock. */
static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* This process's CPU time so far, user + sys, in seconds: what a shared
 * machine's load does not inflate the way it does elapsed time. */
static inline double bench_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

/* The median of v[0..n) (sorts v in place); n >= 1. */
static inline double bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, order_double_asc);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

#endif
