/*
 * fuzz_eventlog.c — libFuzzer harness for Spark event logs: the input is an
 * event log file (JSON lines, or gzip, zstd or lz4-compressed: the reader
 * sniffs the codec from the first bytes), read, imported into a scenario
 * (written as text, and read back by the scenario reader from the import's
 * tree) and replayed on the log's own cluster, as `stagecast import` and
 * `stagecast replay` do; the replay is printed as a table and as JSON.
 *
 * Bounds: inputs over FUZZ_MAX_INPUT are skipped. The replay simulates,
 * and a simulation's cost grows with the tasks and with the simulated span
 * (issue 15, must-have 2), so it is skipped for logs with more than
 * MAX_REPLAY_TASKS tasks, a stage declaring more, or events spread over
 * more than MAX_REPLAY_SPAN_MS.
 */
#include <stdbool.h>
#include <string.h>

#include "sim/eventlog/eventlog.h"
#include "sim/eventlog/importer.h"
#include "sim/eventlog/replay.h"
#include "sim/input/scenario.h"
#include "tests/fuzz/fuzz_harness.h"

#define MAX_REPLAY_TASKS 5000
#define MAX_REPLAY_SPAN_MS (7LL * 24 * 3600 * 1000)

struct span {
    int64_t lo, hi;
};

static void span_add(struct span *s, int64_t ms)
{
    if (ms == EVLOG_NONE)
        return;
    if (ms < s->lo)
        s->lo = ms;
    if (ms > s->hi)
        s->hi = ms;
}

/* Whether replaying log is bounded work: few tasks, over a short span. */
static bool replay_is_bounded(const struct evlog *log)
{
    if (log->n_tasks > MAX_REPLAY_TASKS)
        return false;
    struct span s = {INT64_MAX, INT64_MIN};
    span_add(&s, log->app_start_ms);
    span_add(&s, log->app_end_ms);
    for (size_t i = 0; i < log->n_jobs; i++) {
        span_add(&s, log->jobs[i].submit_ms);
        span_add(&s, log->jobs[i].end_ms);
        for (size_t k = 0; k < log->jobs[i].n_stages; k++)
            if (log->jobs[i].stages[k].num_tasks > MAX_REPLAY_TASKS)
                return false;
    }
    for (size_t i = 0; i < log->n_stages; i++) {
        if (log->stages[i].num_tasks > MAX_REPLAY_TASKS)
            return false;
        span_add(&s, log->stages[i].submit_ms);
        span_add(&s, log->stages[i].complete_ms);
    }
    for (size_t i = 0; i < log->n_tasks; i++) {
        const struct evlog_task *t = &log->tasks[i];
        span_add(&s, t->launch_ms);
        span_add(&s, t->finish_ms);
        if (t->executor_ms > MAX_REPLAY_SPAN_MS || t->run_ms > MAX_REPLAY_SPAN_MS)
            return false;
    }
    for (size_t i = 0; i < log->n_executors; i++) {
        span_add(&s, log->executors[i].added_ms);
        span_add(&s, log->executors[i].removed_ms);
    }
    for (size_t i = 0; i < log->n_sqls; i++) {
        span_add(&s, log->sqls[i].start_ms);
        span_add(&s, log->sqls[i].end_ms);
    }
    if (s.lo > s.hi)
        return true; /* no time at all */
    return s.lo >= 0 && s.hi - s.lo <= MAX_REPLAY_SPAN_MS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    const struct catalog *cat = fuzz_catalog();
    const char *path = fuzz_tmp_write("eventlog", data, size);
    struct diag d;
    diag_clear(&d);
    struct evlog_options opt = {.strict = false};
    struct evlog *log = evlog_read(path, &opt, &d);
    if (!log) {
        fuzz_note("not read", &d);
        return 0;
    }
    struct import *im = import_log(log, cat, &d);
    if (im) {
        (void)import_write(fuzz_sink(), im, &d);
        scenario_free(import_scenario(im, &d));
        fuzz_note("imported", NULL);
        if (replay_is_bounded(log)) {
            struct replay *r = replay_run(im, cat, NULL, &d);
            fuzz_note(r ? "replayed" : "replay refused", &d);
            if (r) {
                replay_print(fuzz_sink(), r);
                (void)replay_write_json(fuzz_sink(), r, &d);
                replay_table_row(fuzz_sink(), r);
            }
            replay_free(r);
        }
    }
    if (!im)
        fuzz_note("not imported", &d);
    import_free(im);
    evlog_free(log);
    return 0;
}
