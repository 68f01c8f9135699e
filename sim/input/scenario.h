/*
 * scenario.h — a scenario file read into memory: the cluster, the Spark
 * settings, the tables and the jobs, checked for everything that can be
 * checked without the node catalog. Nothing here runs anything.
 *
 * Ownership: scenario_load returns a scenario that owns every string and
 * array inside it (copied out of libconfig, whose strings die with
 * config_destroy); free it with scenario_free. Every element keeps the line it
 * came from, so later semantic errors (an unknown node size, a planner error)
 * still name file:line.
 */
#ifndef STAGECAST_SCENARIO_H
#define STAGECAST_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/billing.h"
#include "models/calib.h"
#include "models/diag.h"
#include "models/dist.h"
#include "models/jvm.h"
#include "models/schema.h"
#include "sim/input/sparkconf.h"

/* Upper bounds on sizes that come from input, checked before they size an
 * allocation. */
#define SCN_MAX_WORKERS 100000
#define SCN_MAX_TASKS_PER_STAGE 100000000LL
#define SCN_MAX_TOTAL_TASKS 1000000000LL
#define SCN_MAX_STAGES_PER_JOB 100000
#define SCN_MAX_JOBS 100000
#define SCN_MAX_TABLE_FILES 100000000LL

/* Upper bounds where the model stops making sense (and past which simulated
 * time in int64 microseconds, or the work of simulating it, runs away): a
 * duration of 1e7 s (about 115 days) - a submit time, a task, a driver
 * wait, a start-up; a size or record count of 2^60 (1 EiB). */
#define SCN_MAX_DURATION_S 1e7
#define SCN_MAX_BYTES ((int64_t)1 << 60)



/* One executor of a timeline (cluster.executors): it registers start_s
 * after the first job's submission and leaves at end_s (INFINITY: it stays
 * to the end), with cores cores (0: the cluster's executor_cores). */
/* An attempt an event log lost with its executor (lost_attempts): with the
 * timeline, the model's k-th attempt of the task (the k-th listed for it)
 * is lost with that executor if it runs there, and runs at least run_s
 * anywhere else. */
struct lost_attempt_spec {
    int64_t task;
    int executor; /* K in cluster.executors; -1: not given */
    double run_s; /* how long it had run when its executor left */
};

struct executor_spec {
    double start_s, end_s;
    int cores;
    char host[64]; /* the host it ran on; "": a host of its own */
    int resource_profile; /* Spark 3.1+ stage-level scheduling: it runs only
                           * stages of this profile (0: the default) */
    bool lost_by_app;     /* its leave fails the attempts running on it as
                           * the application's doing: they count towards
                           * spark.task.maxFailures and excludeOnFailure */
    int line;
};

/* Where a task's data is, as delay scheduling sees it (task_locality, from
 * an event log's Locality and Host of each task): nowhere in particular, on
 * one executor (PROCESS_LOCAL) or its host (NODE_LOCAL), on hosts with no
 * executor but in the executors' rack (RACK_LOCAL: the model has one rack),
 * or on hosts with no executor anywhere near (Spark still waits for them,
 * then runs the task ANY). */
enum task_pref {
    TASK_PREF_NONE,
    TASK_PREF_PROCESS,
    TASK_PREF_NODE,
    TASK_PREF_RACK,
    TASK_PREF_ELSEWHERE
};

/* One task's preference: its level and, for PROCESS and NODE, the
 * executor: an index into cluster.executors when the scenario gives that
 * timeline, else an executor position (0 .. executors - 1). */
struct task_pref_spec {
    uint8_t level; /* enum task_pref */
    int32_t executor;
};

struct cluster_spec {
    enum platform platform;
    char driver[64];            /* VM size as written */
    char worker[64];
    int64_t workers;
    int executors_per_worker;   /* 0: platform default */
    int executor_cores;         /* 0: platform default */
    enum pricing pricing;
    enum tier tier;
    char region[24];            /* Azure region whose list prices apply; "": the
                                 * catalog's (CATALOG_DEFAULT_REGION) */
    int region_line;
    struct price_override price;
    double startup_s;           /* NaN: platform default */
    bool startup_is_dist;       /* startup_s given as a distribution */
    struct dist startup_dist;
    bool provision_is_dist;     /* autoscale.provision_s given as a distribution */
    struct dist provision_dist;
    double storage_egress_gbps; /* storage account limits; NaN: ADLS Gen2 defaults */
    double storage_ingress_gbps;
    /* Object-store request costs (cluster.storage); NaN: by URL scheme. */
    double storage_latency_s, storage_stream_mbps, storage_request_bytes,
        storage_commit_s_per_file;
    double network_limit_gbps;  /* cluster-wide cap on cross-node traffic; NaN: none */
    double local_disk_mbps;     /* local SSD MB/s when the catalog has none; NaN */
    double idle_after_s;        /* cluster kept (and billed) after the last job; NaN = default */
    /* cluster.autoscale, when given (autoscale true): */
    bool autoscale;
    int64_t autoscale_min, autoscale_max;
    int autoscale_policy;       /* 0 databricks, 1 synapse; -1 = the platform's */
    double autoscale_provision_s; /* request to join; NaN = platform default */
    double autoscale_interval_s;  /* how often the policy decides; NaN = default */
    double autoscale_idle_s;      /* idle this long before removal; NaN = default */
    int autoscale_line;
    /* cluster.spot: a fraction of the workers on spot VMs. */
    double spot_fraction;       /* 0 when not given */
    double spot_evictions_per_hour;
    double spot_usd_per_hour;   /* NaN: from discount */
    double spot_discount;       /* off the on-demand VM price; NaN */
    double spot_evict_at_s;     /* what-if: evict the first spot worker then; NaN */
    int spot_line;
    double *executor_start_s;   /* when each executor registers; NULL = all at 0 */
    size_t n_executor_start_s;
    /* cluster.executors: the executors as they came and went, in the order
     * given; when given, the cluster follows it (no autoscaling, no dynamic
     * allocation, no spot workers) and `workers` may be left out. */
    struct executor_spec *executors;
    size_t n_executors;
    int executors_line;
    bool driver_given;          /* the file (not the worker's size) chose the driver */
    int line, driver_line, worker_line, workers_line, executor_line;
};

/* Model knobs that are not Spark settings (group `model`). */
struct model_spec {
    double task_launch_s;       /* driver time to launch one task; NaN = default */
    double network_quantum_s;   /* batching grain of network completions; NaN = default */
    double network_tolerance;   /* adaptive grain: lateness / flow duration; NaN = fixed grain */
    double noise_sigma;         /* lognormal spread of computed task times; NaN = default */
    int slow_worker;            /* what-if: this worker runs slow_factor slower; -1 none */
    double slow_factor;
    /* Calibration (sim/calib/calibrate.h); NaN / 0 = the default. */
    double host_acu;                  /* the host's ACU-equivalent, instead of measuring it */
    double overhead[CALIB_N_CLASSES]; /* Spark overhead factor per operator class */
    double row_ns;                    /* the JVM's ns per operator row (models/calib.h); NaN */
    int64_t calib_rows[16];           /* sample sizes (stage input rows) */
    size_t n_calib_rows;
    int calib_repetitions;            /* runs per size */
    double calib_min_r2;              /* a poor fit's R^2 is below it; NaN = the default */
    double calib_max_ci;              /* or its slope's relative 95% interval above it; NaN */
    struct jvm_costs jvm;             /* model.jvm (models/jvm.h); NaN = the default */
    /* The node type explicit stages' task_seconds were measured on (an
     * imported log's worker): on another worker their compute part scales
     * by the two nodes' speeds. "" when not given. */
    char task_seconds_node[64];
    int task_seconds_node_line;
    int line;
};

/* What-ifs that change the work, not the cluster (group `what_if`). */
struct what_if_spec {
    double input_scale;         /* the same application on this many times its input; 1 */
    int line;
};



enum op_kind {
    OP_SCAN, OP_FILTER, OP_SELECT, OP_WITH_COLUMN, OP_GROUP_BY, OP_JOIN, OP_ORDER_BY,
    OP_WINDOW, OP_DISTINCT, OP_REPARTITION, OP_COALESCE, OP_CACHE, OP_LIMIT, OP_UNION,
    OP_COUNT, OP_COLLECT, OP_WRITE, OP_SAMPLE
};

/* One DataFrame operation. Fields an op does not use are NULL / empty / -1. */
struct query_step {
    enum op_kind op;
    char *table;        /* scan: table name; union: table or view name */
    char *where;        /* filter: expression text */
    char *name;         /* with_column: new column */
    char *expr;         /* with_column: expression text */
    char *right;        /* join: table or view name */
    char *how;          /* join: inner, left, right, full, left_semi, left_anti, cross */
    char *path;         /* write: destination (optional) */
    char *format;       /* write: parquet | delta | csv (optional) */
    struct strlist cols;          /* select */
    struct strlist keys;          /* group_by, order_by, distinct (optional) */
    struct strlist aggs;          /* group_by: "count(emp_id) AS n" */
    struct strlist on;            /* join keys */
    struct strlist partition_by;  /* window; repartition (optional) */
    struct strlist order_by;      /* window */
    struct strlist funcs;         /* window: "row_number() AS rn" */
    int64_t n;                    /* repartition, coalesce, limit; -1 = not given */
    int64_t salt;                 /* group_by, join: salt the key over this many values
                                   * (sim/plan/skew.h); 0 = not salted */
    double fraction;              /* sample: the share of rows kept, in [0, 1] */
    int64_t seed;                 /* sample: its generator's seed; -1 = not given */
    int line;
};

struct view_spec {
    char *name;
    struct query_step *steps;
    size_t n_steps;
    int line;
};

/* An explicit stage, as copied from a Spark UI or an event log. Byte and
 * record fields are -1 when not given. */
struct stage_spec {
    int64_t id;
    char *name;                 /* NULL: "stage <id>" */
    int64_t *parents;
    size_t n_parents;
    int64_t tasks;
    bool has_task_seconds;
    struct dist task_seconds;   /* per task; p1/p2 as in dist.h */
    double *task_seconds_list;  /* or one time per task (tasks of them), e.g.
                                 * from an event log; NULL when not given */
    int64_t input_bytes, records, shuffle_read_bytes, shuffle_write_bytes;
    int64_t output_bytes;       /* written to storage (a table write) */
    int64_t memory_bytes;       /* working set per task; -1: from the bytes read */
    int64_t cache_bytes;        /* bytes its tasks put in storage memory (df.cache()
                                 * materialized here, MEMORY_AND_DISK); <= 0: none */
    bool reads_cache;           /* its input is cached data (InMemoryTableScan) */
    double driver_s;            /* driver time from submission to the first task offered */
    /* As measured in an event log, for what-ifs (the model moves none of
     * these bytes: task_seconds hold their time). */
    double fixed_s;             /* per task, the part of its task_seconds neither its
                                 * records nor the node's speed change; NaN: 0 */
    double fetch_wait_s;        /* per task, of its time: waiting for shuffle blocks; NaN: 0 */
    double shuffle_write_s;     /* per task, of its time: writing shuffle output; NaN: 0 */
    int64_t logged_input_bytes; /* read from files by all its tasks; -1: none */
    int64_t logged_shuffle_bytes; /* shuffle read by all its tasks; -1: none */
    bool *cold;                 /* cold_tasks: per task, whether its time holds a fresh
                                 * executor's warm-up (tasks of them); NULL: not given */
    struct task_pref_spec *locality; /* task_locality: per task; NULL: not given (reduce
                                      * tasks then prefer their map output's hosts) */
    struct lost_attempt_spec *lost;  /* lost_attempts: n_lost, in each task's attempt
                                      * order; NULL: none */
    size_t n_lost;
    struct lost_attempt_spec *failed; /* failed_attempts: attempts that fail after run_s
                                       * on a live executor (K, or any), as lost ones
                                       * are listed; NULL: none */
    size_t n_failed;
    int resource_profile;       /* runs only on timeline executors of this profile */
    bool tasks_derived;         /* tasks came from the data, not the file */
    char *kernel;               /* NULL when not given */
    int line, parents_line;
};

struct job_spec {
    char *name;
    struct stage_spec *stages;  /* explicit stages, or NULL */
    size_t n_stages;
    struct query_step *query;   /* a query, or NULL */
    size_t n_query;
    double submit_s;            /* NaN: not given */
    double driver_s;            /* driver time from submission to its first stages */
    double gap_s;               /* idle time after the thread's earlier jobs end
                                 * (after job `after` ends; with concurrent, after
                                 * the previous job's submission) before this one
                                 * is submitted (0 = none) */
    bool concurrent;            /* starts with the previous job, not after it */
    char *after;                /* submitted gap_s after this earlier job ends;
                                 * NULL: not given */
    int64_t after_index;        /* that job's index in jobs[]; -1: none */
    char *pool;                 /* FAIR scheduler pool; NULL = "default" */
    int line;
};

enum sched_mode { SCHED_FIFO, SCHED_FAIR };

/* A FAIR scheduler pool (as in Spark's fairscheduler.xml). */
struct pool_spec {
    char *name;
    enum sched_mode mode;       /* how the pool orders its own task sets */
    int weight;
    int min_share;
    int line;
};

struct scenario {
    char *file;                 /* path as given */
    char size_note[512];        /* the first size written as "GB" (or KB, MB, TB, PB)
                                 * said as the GiB it is read as, for the CLI to print
                                 * once; "" none */
    char *name;
    uint64_t seed;
    struct cluster_spec cluster;
    struct spark_conf spark;
    struct model_spec model;
    struct what_if_spec what_if;
    struct table_spec *tables;
    size_t n_tables;
    struct view_spec *views;
    size_t n_views;
    struct job_spec *jobs;
    size_t n_jobs;
    struct pool_spec *pools;
    size_t n_pools;
};

/* Reads and checks a scenario file. Returns NULL and fills d (with file:line)
 * on any error: the file is missing or not libconfig syntax, a key is unknown
 * or has the wrong type, a count is negative or too large, a stage's parents
 * name a missing stage or form a cycle, a query step is malformed. */
struct scenario *scenario_load(const char *path, struct diag *d);

/* As scenario_load, after applying overrides "dotted.key=value" to the file
 * (e.g. "cluster.workers=16", "spark.sql.shuffle.partitions=400"): each
 * replaces or adds that setting; its value's type is read from its text. A
 * malformed override is an SC_EINPUT error naming it. */
struct scenario *scenario_load_with(const char *path, const char *const *overrides,
                                    size_t n_overrides, struct diag *d);

/* The scenario an in-memory libconfig tree holds (a builder made it with
 * libconfig's setting API; event-log replay does). Checked as scenario_load
 * checks a file; name stands for the file in messages and becomes the
 * scenario's `file`. cfg stays the caller's: the scenario copies what it
 * keeps. Returns NULL and fills d. */
struct config_t;
struct scenario *scenario_from_config(const struct config_t *cfg, const char *name,
                                      struct diag *d);

void scenario_free(struct scenario *s);

/* The cluster keys a sweep varies point by point without reading the file
 * again: cluster.worker, cluster.driver and cluster.workers. Fills *out
 * with base as scenario_load_with(base's file, those overrides) would read
 * it (the same values, the same lines for messages) and returns 1; *out
 * shares everything but its cluster with base (never scenario_free it; base
 * must outlive it). Returns 0 when an override is another key, or a value
 * the reader would refuse or read differently (the caller then loads the
 * file with them, which gives the reader's own message). */
int scenario_cluster_variant(const struct scenario *base, const char *const *overrides, size_t n,
                             struct scenario *out);

/* Lookups by name; NULL when absent. */
const struct table_spec *scenario_table(const struct scenario *s, const char *name);
const struct view_spec *scenario_view(const struct scenario *s, const char *name);

const char *op_kind_name(enum op_kind op);
const char *sched_mode_name(enum sched_mode m);

/* One key a scenario file may hold. The reader builds the list of keys each
 * group allows from this table and nothing else, and tests/test_docs.c checks
 * docs/scenario-format.md against it, so the reference cannot drift from what
 * is accepted. Spark settings are not here (sparkconf.h has their table), nor
 * the operator classes under model.overhead (calib_class_name). */
struct scenario_key {
    const char *group;   /* where the key sits: "" at the top level, "cluster.autoscale",
                            "jobs[].stages[]" ("[]": any item of a list), "tables.<table>"
                            ("<...>": a name the file chooses) */
    const char *name;    /* "min"; the documented path is group.name */
    const char *variant; /* NULL: the group always takes it; else only the form of the
                            group whose op or dist is this ("join", "uniform") */
    const char *type;    /* as docs/scenario-format.md words it: "integer", "number",
                            "size", "string", "boolean", "group", "list", ... */
};

/* The table, in the order the reader lists keys in its messages (the rows of
 * one group are adjacent). Static storage; *count is set to its length. */
const struct scenario_key *scenario_keys(size_t *count);

#endif
