/*
 * eventlog.h — a Spark event log read into memory: the application, its
 * executors, jobs, stage attempts and task attempts, as Spark 1.x to 3.x
 * write them to spark.eventLog.dir (JSON lines; plain, zstd, Spark's lz4
 * codec, or gzip as Databricks rolls them). Nothing here interprets the run: the importer does that.
 *
 * Reading is forgiving, as a log of a crashed or still-running application
 * must be read too: unknown events and fields are skipped, a truncated last
 * line is noted, and a line that is not a JSON event is skipped with a
 * warning naming file:line (or is an error with evlog_options.strict).
 *
 * Ownership: evlog_read returns a log that owns every string and array in
 * it; free it with evlog_free.
 */
#ifndef STAGECAST_EVENTLOG_H
#define STAGECAST_EVENTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/diag.h"

/* A metric the log does not give (Spark 1.x leaves unused ones out). */
#define EVLOG_NONE (-1)

/* Plausibility bounds of the reader. A timestamp (epoch ms) past year 33,000;
 * a task longer than 1e7 s (~115 days, the longest duration a scenario takes);
 * any other metric (bytes, records, ns) or a stage's sum of one past 2^60:
 * values no Spark run writes, and the largest the importer's arithmetic (ms to
 * us, sums of a stage's tasks) can take without overflowing int64. */
#define EVLOG_MAX_TIME_MS 1000000000000000LL
#define EVLOG_MAX_DURATION_MS 10000000000LL
#define EVLOG_MAX_VALUE ((int64_t)1 << 60)

enum evlog_codec { EVLOG_PLAIN, EVLOG_ZSTD, EVLOG_LZ4, EVLOG_GZIP };

/* How a task attempt ended ("Task End Reason"). */
enum evlog_end {
    EVLOG_SUCCESS,
    EVLOG_FAILED,     /* ExceptionFailure, FetchFailed, ExecutorLostFailure, ... */
    EVLOG_KILLED,     /* TaskKilled (e.g. another speculative attempt won) */
    EVLOG_RESUBMITTED /* repeats an earlier success whose output was lost */
};

/* Where a task ran relative to its data ("Locality"), best first. */
enum evlog_locality {
    EVLOG_PROCESS_LOCAL,
    EVLOG_NODE_LOCAL,
    EVLOG_NO_PREF,
    EVLOG_RACK_LOCAL,
    EVLOG_ANY,
    EVLOG_LOCALITY_UNKNOWN
};

struct evlog_task {
    int64_t stage_id;
    int32_t stage_attempt;
    int32_t attempt;
    int64_t index;
    int64_t launch_ms, finish_ms;
    int64_t getting_result_ms; /* when the driver began fetching an indirect
                                * result; 0 = a direct result */
    int64_t executor_ms;       /* deserialize + run + result serialization:
                                * the executor-side time; EVLOG_NONE if absent */
    /* Its own metrics ("Task Metrics"), EVLOG_NONE where the log has none:
     * what sim/eventlog/jvm_costs.c measures the JVM's costs from. */
    int64_t deserialize_ms;    /* Executor Deserialize Time */
    int64_t run_ms;            /* Executor Run Time */
    int64_t result_ser_ms;     /* Result Serialization Time */
    int64_t gc_ms;             /* JVM GC Time */
    int64_t fetch_wait_ms;     /* Shuffle Read Metrics' Fetch Wait Time */
    int64_t shuffle_write_ns;  /* Shuffle Write Metrics' Shuffle Write Time (ns) */
    enum evlog_end end;
    bool executor_lost; /* failed with its executor (ExecutorLostFailure) */
    bool exception;     /* failed on a live executor (ExceptionFailure) */
    bool exit_by_app;   /* an ExecutorLostFailure's "Exit Caused By App" (true
                         * when not logged, as Spark's JsonProtocol reads it) */
    enum evlog_locality locality;
    bool speculative;
    int32_t executor; /* index in evlog.executors of the executor it ran
                       * on; -1 when the log added no such executor */
    int line;
};

/* Sums over a stage attempt's successful tasks; EVLOG_NONE where no task
 * gave the metric. */
struct evlog_metrics {
    int64_t input_bytes, input_records;
    int64_t shuffle_read_bytes; /* remote + local; "Remote Bytes Read To
                                 * Disk" is part of remote, not added */
    int64_t shuffle_read_records;
    int64_t shuffle_write_bytes, shuffle_write_records;
    int64_t output_bytes, output_records;
    int64_t memory_spilled_bytes, disk_spilled_bytes;
    int64_t run_ms; /* executor run time */
    int64_t cpu_ns; /* executor CPU time (Spark 2.1+, ns) */
    int64_t gc_ms;
};

enum evlog_stage_status { EVLOG_STAGE_RUNNING, EVLOG_STAGE_COMPLETED, EVLOG_STAGE_FAILED };

struct evlog_stage {
    int64_t id;
    int32_t attempt;
    char *name;
    int64_t num_tasks;
    int64_t *parents;
    size_t n_parents;
    bool has_parents;               /* the log gives "Parent IDs" (not Spark 1.4) */
    int64_t submit_ms, complete_ms; /* EVLOG_NONE when not logged */
    enum evlog_stage_status status;
    char *failure;            /* "Failure Reason", first line; NULL if none */
    int64_t resource_profile; /* 0 before Spark 3.1 */
    int64_t tasks_started;    /* TaskStart events */
    int64_t tasks_ended;      /* TaskEnd events */
    struct evlog_metrics metrics;
    int line; /* of its StageSubmitted (or first mention) */
};

/* A stage as a job's JobStart lists it ("Stage Infos"). */
struct evlog_job_stage {
    int64_t id;
    int64_t num_tasks;
    int64_t *parents;
    size_t n_parents;
    bool has_parents;
    char *name;
};

enum evlog_job_result { EVLOG_JOB_RUNNING, EVLOG_JOB_SUCCEEDED, EVLOG_JOB_FAILED };

struct evlog_job {
    int64_t id;
    int64_t submit_ms; /* EVLOG_NONE when not logged */
    int64_t end_ms;    /* EVLOG_NONE without a JobEnd */
    enum evlog_job_result result;
    char *failure; /* JobFailed's exception, first line */
    struct evlog_job_stage *stages;
    size_t n_stages;
    char *pool;        /* spark.scheduler.pool; NULL = default */
    char *description; /* spark.job.description, else the call site */
    int64_t sql_id;    /* spark.sql.execution.id of the query that ran it; -1 none */
    int line, end_line;
};

/* A SQL query (SparkListenerSQLExecutionStart / End). */
struct evlog_sql {
    int64_t id;
    int64_t start_ms, end_ms; /* EVLOG_NONE when not logged */
    int line;
};

struct evlog_executor {
    char *id;
    char *host;
    int cores;
    int64_t added_ms, removed_ms; /* removed_ms EVLOG_NONE while alive */
    char *removed_reason;         /* first line */
    int64_t resource_profile;
    int line;
};

/* A resource profile (Spark 3.1+): what each executor and task asks for. */
struct evlog_profile {
    int64_t id;
    int64_t executor_cores; /* EVLOG_NONE when not given */
    int64_t executor_memory_mib, executor_overhead_mib;
    double task_cpus; /* NaN when not given */
};

struct evlog_property {
    char *key, *value;
    int line; /* of the EnvironmentUpdate that gave it (the last one does) */
};

struct evlog {
    char *path;
    enum evlog_codec codec;
    char *spark_version;              /* NULL without a LogStart */
    int version_major, version_minor; /* 0.0 when unknown */
    char *app_name, *app_id;
    int64_t app_start_ms, app_end_ms; /* EVLOG_NONE when not logged */
    char *driver_host;
    int64_t driver_max_memory;    /* block manager memory of the driver; EVLOG_NONE */
    struct evlog_property *props; /* "Spark Properties", sorted by key */
    size_t n_props;
    struct evlog_executor *executors;
    size_t n_executors;
    struct evlog_profile *profiles;
    size_t n_profiles;
    struct evlog_job *jobs; /* sorted by id */
    size_t n_jobs;
    struct evlog_stage *stages; /* sorted by (id, attempt) */
    size_t n_stages;
    struct evlog_task *tasks; /* sorted by (stage, stage attempt, index, attempt) */
    size_t n_tasks;
    struct evlog_sql *sqls; /* in the order they started */
    size_t n_sqls;

    int lines;              /* lines read */
    int64_t events;         /* JSON events read */
    int64_t unknown_events; /* events skipped because stagecast does not use them */
    int bad_lines;          /* lines skipped (not JSON, not an event, malformed) */
    bool truncated;         /* the last line was cut off mid-event */
    bool stream_truncated;  /* the compressed stream ended mid-frame */

    /* Warnings, "file:line: message", in file order; at most
     * EVLOG_MAX_WARNINGS are kept, warnings_dropped counts the rest. */
    char **warnings;
    size_t n_warnings;
    size_t warnings_dropped;
};

#define EVLOG_MAX_WARNINGS 20

struct evlog_options {
    bool strict; /* a malformed line is an error, not a warning */
};

/* Reads the event log at path (codec sniffed from its first bytes). Returns
 * NULL and fills d when the file cannot be opened or decompressed, a line is
 * longer than stagecast accepts, nothing in it is a Spark event, or (strict)
 * a line is malformed; d names file:line where a line is at fault. */
struct evlog *evlog_read(const char *path, const struct evlog_options *opt, struct diag *d);

void evlog_free(struct evlog *log);

/* The value of a Spark property, or NULL. */
const char *evlog_property(const struct evlog *log, const char *key);

/* The property itself, with the line that gave it (for a message that names
 * file:line), or NULL. */
const struct evlog_property *evlog_property_find(const struct evlog *log, const char *key);

/* Lookups; NULL when absent. evlog_stage_find returns the first attempt. */
const struct evlog_job *evlog_job_find(const struct evlog *log, int64_t id);
const struct evlog_stage *evlog_stage_find(const struct evlog *log, int64_t id, int32_t attempt);

/* The tasks of one stage attempt: a range of log->tasks (n may be 0). */
const struct evlog_task *evlog_stage_tasks(const struct evlog *log, int64_t stage_id,
                                           int32_t attempt, size_t *n);

const char *evlog_codec_name(enum evlog_codec c);

#endif
