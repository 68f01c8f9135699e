/*
 * evlog_reader.h — inside the event-log reader: the state eventlog.c (files,
 * rolling directories, the finished log) and evlog_events.c (lines, JSON
 * events, one handler per event type) share while one log is read. Not for
 * use outside sim/eventlog/.
 */
#ifndef STAGECAST_EVLOG_READER_H
#define STAGECAST_EVLOG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/diag.h"
#include "sim/eventlog/eventlog.h"
#include "sim/eventlog/jdoc.h"

/* Open addressing from an int64 key to an index. */
struct idmap {
    int64_t *keys;
    size_t *vals;
    size_t cap, n;
};

#define IDMAP_EMPTY INT64_MIN

/* Values no real Spark log holds, counted by kind and reported once per kind
 * at the end of the log (evlog_report_implausible), with the first line. */
enum evlog_implausible {
    IMPL_LAUNCH_NOT_POSITIVE,  /* Launch Time zero or negative: task skipped */
    IMPL_LAUNCH_TOO_LATE,      /* Launch or Finish Time past EVLOG_MAX_TIME_MS: task skipped */
    IMPL_FINISH_BEFORE_LAUNCH, /* Finish Time before Launch Time: task skipped */
    IMPL_TASK_TOO_LONG,        /* ran longer than EVLOG_MAX_DURATION_MS: task skipped */
    IMPL_METRIC_OUT_OF_RANGE,  /* a negative or absurd metric: taken as absent */
    IMPL_TIME_OUT_OF_RANGE,    /* a stage, job, executor or app time <= 0 or too late */
    IMPL_SUM_OVERFLOW,         /* a stage's sum of a metric past EVLOG_MAX_VALUE: capped */
    IMPL_TIME_FAR,             /* a job, stage, query, executor or app time further than
                                * EVLOG_MAX_DURATION_MS from the tasks' median launch */
    IMPL_KINDS
};

struct reader {
    struct evlog *log;
    const struct evlog_options *opt;
    struct diag *d;
    const char *file; /* the file being read (a part of a directory) */
    int line;
    struct idmap job_ids, stage_ids;
    size_t cap_jobs, cap_stages, cap_tasks, cap_execs, cap_profiles, cap_props, cap_sqls;
    size_t last_exec; /* the executor the last task ran on: tasks come in runs */
    bool oom;
    struct jdoc doc; /* the line being read, as tokens (zeroed = empty) */
    int implausible[IMPL_KINDS];      /* how many of each kind */
    int implausible_line[IMPL_KINDS]; /* the first line of each kind */
    int app_start_line, app_end_line;
};

/* One line of the log, parsed and handed to its event's handler; complete
 * says whether it ended with a newline (a last line without one is cut
 * off, not malformed). Returns 0, or -1 with r->d filled (strict, memory). */
int evlog_on_line(struct reader *r, const char *text, size_t len, bool complete);

/* A malformed line: counted, and a warning "file:line: message" (an error
 * when strict). Returns 0 or -1 as evlog_on_line. */
int evlog_bad_line(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Warns once per kind of implausible value met (with the count and the first
 * line). Returns 0, or -1 with r->d filled when strict. */
int evlog_report_implausible(struct reader *r);

/* Once the whole log is read: times of jobs, stages, queries, executors
 * and the application further than EVLOG_MAX_DURATION_MS from the median
 * task launch (one plausible run spans less) are counted as IMPL_TIME_FAR
 * and taken as absent (an executor's addition as the earliest plausible
 * time). 0, or -1 when out of memory. */
int evlog_check_span(struct reader *r);

void evlog_idmap_free(struct idmap *m);
/* Frees a job's "Stage Infos". */
void evlog_job_stages_free(struct evlog_job *j);

#endif
