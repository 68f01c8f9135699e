/*
 * bench_evlog.c — how fast the event-log reader (sim/eventlog/) reads a
 * log: issue 16 asks for over 300 MB/s and a 1 GB log in under 4 s with
 * less than 100 MB of memory. Reads the log `runs` times with evlog_read
 * and prints the median elapsed and CPU (user + sys) seconds, the rates
 * they give, and the process's peak resident memory. Build a large log with
 * bench/make_big_evlog.sh. Prints figures; never a pass/fail test.
 * Usage: bench_evlog LOG [runs]   (default 3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "bench/timing.h"
#include "models/diag.h"
#include "sim/eventlog/eventlog.h"

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_evlog LOG [runs]  (make one with bench/make_big_evlog.sh)\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1)
        runs = 1;
    if (runs > 16)
        runs = 16;
    struct stat sb;
    if (stat(argv[1], &sb) != 0) {
        perror(argv[1]);
        return 1;
    }
    double mb = (double)sb.st_size / 1e6;
    double wall[16], cpu[16];
    size_t tasks = 0;
    for (int r = 0; r < runs; r++) {
        struct diag d;
        diag_clear(&d);
        struct evlog_options opt = {false};
        double w0 = bench_now_s(), c0 = cpu_s();
        struct evlog *log = evlog_read(argv[1], &opt, &d);
        wall[r] = bench_now_s() - w0;
        cpu[r] = cpu_s() - c0;
        if (!log) {
            fprintf(stderr, "bench_evlog: %s\n", d.msg);
            return 1;
        }
        tasks = log->n_tasks;
        evlog_free(log);
    }
    double w = bench_median(wall, (size_t)runs), c = bench_median(cpu, (size_t)runs);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s: %.0f MB, %zu task attempts, median of %d reads\n", argv[1], mb, tasks, runs);
    printf("  elapsed %.2f s (%.0f MB/s), CPU user+sys %.2f s (%.0f MB/s)\n", w, mb / w, c, mb / c);
    printf("  peak resident memory %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}
