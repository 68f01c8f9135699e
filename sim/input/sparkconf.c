/*
 * sparkconf.c — the Spark settings a scenario gives, checked against the
 * Spark properties the simulator models (see sparkconf.h).
 *
 * Sits between the scenario reader, which hands every leaf of the `spark`
 * group over as text, and the runtime model, which asks for typed values.
 * Defaults and meanings follow the Spark 4.x documentation
 * (docs/configuration.md, docs/sql-performance-tuning.md,
 * docs/job-scheduling.md), as collected with sources in
 * shared/data/azure-catalog.md section 5.
 *
 * Spark reads a bare number in each key's own unit: bytes for the SQL sizes,
 * MiB for memory sizes and spark.reducer.maxSizeInFlight, milliseconds for
 * spark.locality.wait. Stagecast reads bare numbers as bytes and seconds, so
 * for the keys where Spark disagrees we refuse a bare number (other than 0)
 * instead of silently reading it in a different unit than Spark would.
 */
#include "sim/input/sparkconf.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/units.h"

/* Spark's intConf keys are Java ints: their ranges end at Int.MaxValue. */
#define INT_MAX32 2147483647.0

/* Bounds where the model stops making sense, as the scenario reader's
 * (SCN_MAX_DURATION_S, SCN_MAX_BYTES, SCN_MAX_TASKS_PER_STAGE in scenario.h):
 * 1e7 s, 2^60 bytes, 1e8 partitions (tasks of one stage). */
#define MAX_SECONDS 1e7
#define MAX_BYTES 1152921504606846976.0
#define MAX_PARTITIONS 1e8

#define UNRANGED .ranged = false
#define RANGE(lo, hi) .ranged = true, .min = (lo), .max = (hi)

static const struct spark_key known_keys[] = {
    /* Shuffle and partitioning (SPARK-SQL, SPARK-CONF) */
    {"spark.sql.shuffle.partitions", SPARK_INT, "200",
     "Partitions of every shuffle in a SQL query (tasks of a post-shuffle stage).",
     RANGE(1, MAX_PARTITIONS)},
    {"spark.default.parallelism", SPARK_INT, "",
     "Partitions of RDD shuffles; unset means the total executor cores.", RANGE(1, MAX_PARTITIONS)},
    {"spark.sql.files.maxPartitionBytes", SPARK_BYTES, "128m",
     "Most bytes of input files packed into one scan partition.", RANGE(1, MAX_BYTES)},
    {"spark.sql.files.openCostInBytes", SPARK_BYTES, "4m",
     "Bytes a file open is counted as when packing files into scan partitions.",
     RANGE(0, MAX_BYTES)},
    {"spark.sql.autoBroadcastJoinThreshold", SPARK_BYTES, "10m",
     "Largest join side that is broadcast instead of shuffled; -1 disables broadcasts.",
     RANGE(-1, MAX_BYTES)},

    /* Adaptive query execution (SPARK-SQL) */
    {"spark.sql.adaptive.enabled", SPARK_BOOL, "true",
     "Adaptive query execution: re-plans stages from shuffle statistics (true since 3.2).",
     UNRANGED},
    {"spark.sql.adaptive.coalescePartitions.enabled", SPARK_BOOL, "true",
     "AQE merges small post-shuffle partitions.", UNRANGED},
    {"spark.sql.adaptive.coalescePartitions.initialPartitionNum", SPARK_INT, "",
     "Shuffle partitions before AQE coalescing; unset means spark.sql.shuffle.partitions.",
     RANGE(1, MAX_PARTITIONS), .fallback = "spark.sql.shuffle.partitions"},
    {"spark.sql.adaptive.advisoryPartitionSizeInBytes", SPARK_BYTES, "64m",
     "Target size of a post-shuffle partition when AQE coalesces or splits.", RANGE(1, MAX_BYTES)},
    {"spark.sql.adaptive.coalescePartitions.minPartitionSize", SPARK_BYTES, "1m",
     "Smallest partition AQE coalescing produces.", RANGE(1, MAX_BYTES)},
    {"spark.sql.adaptive.coalescePartitions.parallelismFirst", SPARK_BOOL, "true",
     "AQE ignores the advisory size and only respects minPartitionSize, to keep parallelism.",
     UNRANGED},
    {"spark.sql.adaptive.autoBroadcastJoinThreshold", SPARK_BYTES, "",
     "Largest join side, by its shuffle's runtime size, that AQE turns into a broadcast; unset "
     "means spark.sql.autoBroadcastJoinThreshold.",
     RANGE(-1, MAX_BYTES), .fallback = "spark.sql.autoBroadcastJoinThreshold"},
    {"spark.sql.adaptive.skewJoin.enabled", SPARK_BOOL, "true",
     "AQE splits skewed partitions of sort-merge joins.", UNRANGED},
    {"spark.sql.adaptive.skewJoin.skewedPartitionFactor", SPARK_DOUBLE, "5.0",
     "A partition is skewed if larger than this times the median (and than the threshold).",
     RANGE(0, 1e6)},
    {"spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes", SPARK_BYTES, "256m",
     "A partition is skewed only if also larger than this.", RANGE(0, MAX_BYTES)},

    /* Scheduling (SPARK-CONF, SPARK-JS) */
    {"spark.scheduler.mode", SPARK_STRING, "FIFO",
     "How jobs of one application share executors: FIFO or FAIR.", .choices = "FIFO|FAIR",
     UNRANGED},
    {"spark.task.cpus", SPARK_INT, "1", "Cores each task occupies.", RANGE(1, INT_MAX32)},
    {"spark.task.maxFailures", SPARK_INT, "4",
     "Consecutive failures of one task before its job is aborted.", RANGE(1, INT_MAX32)},
    /* excludeOnFailure (Spark 3.1+; spark.blacklist.* before, still read). */
    {"spark.blacklist.enabled", SPARK_BOOL, "false",
     "Legacy name of spark.excludeOnFailure.enabled (before Spark 3.1).", UNRANGED},
    {"spark.excludeOnFailure.enabled", SPARK_BOOL, "",
     "Stop using executors and nodes where tasks failed; unset means spark.blacklist.enabled.",
     UNRANGED, .fallback = "spark.blacklist.enabled"},
    {"spark.blacklist.task.maxTaskAttemptsPerExecutor", SPARK_INT, "1",
     "Legacy name of spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor.", RANGE(1, INT_MAX32)},
    {"spark.excludeOnFailure.task.maxTaskAttemptsPerExecutor", SPARK_INT, "",
     "Failures of a task on an executor before it does not run there again.", RANGE(1, INT_MAX32),
     .fallback = "spark.blacklist.task.maxTaskAttemptsPerExecutor"},
    {"spark.blacklist.task.maxTaskAttemptsPerNode", SPARK_INT, "2",
     "Legacy name of spark.excludeOnFailure.task.maxTaskAttemptsPerNode.", RANGE(1, INT_MAX32)},
    {"spark.excludeOnFailure.task.maxTaskAttemptsPerNode", SPARK_INT, "",
     "Failures of a task on a node's executors before it does not run on the node again.",
     RANGE(1, INT_MAX32), .fallback = "spark.blacklist.task.maxTaskAttemptsPerNode"},
    {"spark.blacklist.stage.maxFailedTasksPerExecutor", SPARK_INT, "2",
     "Legacy name of spark.excludeOnFailure.stage.maxFailedTasksPerExecutor.", RANGE(1, INT_MAX32)},
    {"spark.excludeOnFailure.stage.maxFailedTasksPerExecutor", SPARK_INT, "",
     "Different tasks of a stage failed on an executor before the stage stops using it.",
     RANGE(1, INT_MAX32), .fallback = "spark.blacklist.stage.maxFailedTasksPerExecutor"},
    {"spark.blacklist.stage.maxFailedExecutorsPerNode", SPARK_INT, "2",
     "Legacy name of spark.excludeOnFailure.stage.maxFailedExecutorsPerNode.", RANGE(1, INT_MAX32)},
    {"spark.excludeOnFailure.stage.maxFailedExecutorsPerNode", SPARK_INT, "",
     "Executors of a node excluded for a stage before the stage stops using the node.",
     RANGE(1, INT_MAX32), .fallback = "spark.blacklist.stage.maxFailedExecutorsPerNode"},
    {"spark.blacklist.application.maxFailedTasksPerExecutor", SPARK_INT, "2",
     "Legacy name of spark.excludeOnFailure.application.maxFailedTasksPerExecutor.",
     RANGE(1, INT_MAX32)},
    {"spark.excludeOnFailure.application.maxFailedTasksPerExecutor", SPARK_INT, "",
     "Failed tasks of successful stages on an executor before the application stops using it "
     "for spark.excludeOnFailure.timeout.",
     RANGE(1, INT_MAX32), .fallback = "spark.blacklist.application.maxFailedTasksPerExecutor"},
    {"spark.blacklist.application.maxFailedExecutorsPerNode", SPARK_INT, "2",
     "Legacy name of spark.excludeOnFailure.application.maxFailedExecutorsPerNode.",
     RANGE(1, INT_MAX32)},
    {"spark.excludeOnFailure.application.maxFailedExecutorsPerNode", SPARK_INT, "",
     "Executors of a node excluded for the application before the node is excluded too.",
     RANGE(1, INT_MAX32), .fallback = "spark.blacklist.application.maxFailedExecutorsPerNode"},
    {"spark.blacklist.timeout", SPARK_SECONDS, "1h",
     "Legacy name of spark.excludeOnFailure.timeout.", RANGE(0.001, MAX_SECONDS),
     .spark_bare_unit = "ms"},
    {"spark.excludeOnFailure.timeout", SPARK_SECONDS, "",
     "How long the application excludes an executor or node, and counts a failure against it.",
     RANGE(0.001, MAX_SECONDS), .fallback = "spark.blacklist.timeout", .spark_bare_unit = "ms"},
    {"spark.locality.wait", SPARK_SECONDS, "3s",
     "Wait for a data-local slot before trying the next locality level.", RANGE(0, MAX_SECONDS),
     .spark_bare_unit = "ms"},
    {"spark.locality.wait.process", SPARK_SECONDS, "",
     "Wait at PROCESS_LOCAL (the executor holding the data); unset means spark.locality.wait.",
     RANGE(0, MAX_SECONDS), .fallback = "spark.locality.wait", .spark_bare_unit = "ms"},
    {"spark.locality.wait.node", SPARK_SECONDS, "",
     "Wait at NODE_LOCAL (the host holding the data); unset means spark.locality.wait.",
     RANGE(0, MAX_SECONDS), .fallback = "spark.locality.wait", .spark_bare_unit = "ms"},
    {"spark.locality.wait.rack", SPARK_SECONDS, "",
     "Wait at RACK_LOCAL (the rack holding the data); unset means spark.locality.wait.",
     RANGE(0, MAX_SECONDS), .fallback = "spark.locality.wait", .spark_bare_unit = "ms"},
    {"spark.locality.wait.legacyResetOnTaskLaunch", SPARK_BOOL, "false",
     "Reset the locality wait on every launch at a level (Spark before 3.1), not only after "
     "an offer round that delay scheduling refused nothing in.",
     UNRANGED},
    {"spark.scheduler.revive.interval", SPARK_SECONDS, "1s",
     "How often the driver offers free slots again (a held-back task's next chance).",
     RANGE(0.001, MAX_SECONDS), .spark_bare_unit = "ms"},
    {"spark.shuffle.reduceLocality.enabled", SPARK_BOOL, "true",
     "Reduce tasks prefer the hosts holding at least 20% of their map output.", UNRANGED},
    {"spark.speculation", SPARK_BOOL, "false", "Re-launch slow tasks speculatively.", UNRANGED},
    {"spark.speculation.interval", SPARK_SECONDS, "100ms",
     "How often Spark checks for tasks to speculate.", RANGE(0, MAX_SECONDS),
     .spark_bare_unit = "ms"},
    /* stagecast models Spark 3.x (what Databricks LTS runtimes and Synapse
     * pools run); Spark 4.0 raised these two to 3 and 0.9 (SPARK-MIG). */
    {"spark.speculation.multiplier", SPARK_DOUBLE, "1.5",
     "A task is slow if it runs longer than this times the median (3 from Spark 4.0).",
     RANGE(0, 1e6)},
    {"spark.speculation.quantile", SPARK_DOUBLE, "0.75",
     "Fraction of a stage's tasks that must finish before speculation (0.9 from Spark 4.0).",
     RANGE(0, 1)},
    {"spark.speculation.minTaskRuntime", SPARK_SECONDS, "100ms",
     "Shortest run time of a task before it may be speculated.", RANGE(0, MAX_SECONDS),
     .spark_bare_unit = "ms"},
    {"spark.scheduler.minRegisteredResourcesRatio", SPARK_DOUBLE, "0.8",
     "Share of executors registered before scheduling starts (0.8 on YARN and Kubernetes).",
     RANGE(0, 1)},
    {"spark.scheduler.maxRegisteredResourcesWaitingTime", SPARK_SECONDS, "30s",
     "Longest wait for minRegisteredResourcesRatio before scheduling anyway.",
     RANGE(0, MAX_SECONDS), .spark_bare_unit = "ms"},

    /* Executors and memory (SPARK-CONF) */
    {"spark.executor.instances", SPARK_INT, "",
     "Executors of a static allocation; unset means the platform's layout.", RANGE(0, INT_MAX32)},
    {"spark.executor.cores", SPARK_INT, "",
     "Cores per executor; unset means the platform's layout (all of a worker on Databricks).",
     RANGE(1, INT_MAX32)},
    {"spark.executor.memory", SPARK_BYTES, "1g", "Heap of each executor JVM.", RANGE(1, MAX_BYTES),
     .spark_bare_unit = "MiB"},
    {"spark.driver.memory", SPARK_BYTES, "1g", "Heap of the driver JVM.", RANGE(1, MAX_BYTES),
     .spark_bare_unit = "MiB"},
    {"spark.executor.memoryOverhead", SPARK_BYTES, "",
     "Off-heap memory per executor; unset means 10% of the heap, at least 384 MiB.",
     RANGE(0, MAX_BYTES), .spark_bare_unit = "MiB"},
    {"spark.memory.fraction", SPARK_DOUBLE, "0.6",
     "Share of (heap - 300 MiB) for execution and storage together.", RANGE(0, 1)},
    {"spark.memory.storageFraction", SPARK_DOUBLE, "0.5",
     "Share of the unified region that cached blocks keep safe from eviction.", RANGE(0, 1)},

    /* Shuffle transfer (SPARK-CONF) */
    {"spark.reducer.maxSizeInFlight", SPARK_BYTES, "48m",
     "Most map output bytes one reduce task fetches at a time.", RANGE(1, MAX_BYTES),
     .spark_bare_unit = "MiB"},
    {"spark.reducer.maxReqsInFlight", SPARK_INT, "2147483647",
     "Most fetch requests one reduce task has outstanding.", RANGE(1, INT_MAX32)},
    {"spark.shuffle.compress", SPARK_BOOL, "true", "Compress map outputs.", UNRANGED},
    {"spark.io.compression.codec", SPARK_STRING, "lz4", "Codec for shuffle and spill data.",
     .choices = "lz4|lzf|snappy|zstd", UNRANGED},

    /* Where tasks run (SPARK-CONF) */
    {"spark.master", SPARK_STRING, "",
     "Cluster manager URL; local, local[N] or local[*] run tasks in the driver's JVM, "
     "whose first tasks are warmer (model.jvm.first_task_local_ms).",
     UNRANGED},

    /* Dynamic allocation (SPARK-CONF, SPARK-JS) */
    {"spark.dynamicAllocation.enabled", SPARK_BOOL, "false",
     "Add and remove executors with the task backlog.", UNRANGED},
    {"spark.dynamicAllocation.minExecutors", SPARK_INT, "0",
     "Fewest executors dynamic allocation keeps.", RANGE(0, INT_MAX32)},
    {"spark.dynamicAllocation.maxExecutors", SPARK_INT, "2147483647",
     "Most executors dynamic allocation asks for (unbounded by default).", RANGE(0, INT_MAX32)},
    {"spark.dynamicAllocation.initialExecutors", SPARK_INT, "",
     "Executors at start; unset means minExecutors.", RANGE(0, INT_MAX32),
     .fallback = "spark.dynamicAllocation.minExecutors"},
    {"spark.dynamicAllocation.schedulerBacklogTimeout", SPARK_SECONDS, "1s",
     "Backlog age that triggers the first round of executor requests.", RANGE(0, MAX_SECONDS)},
    {"spark.dynamicAllocation.sustainedSchedulerBacklogTimeout", SPARK_SECONDS, "",
     "Interval of later request rounds; unset means schedulerBacklogTimeout.",
     RANGE(0, MAX_SECONDS), .fallback = "spark.dynamicAllocation.schedulerBacklogTimeout"},
    {"spark.dynamicAllocation.executorIdleTimeout", SPARK_SECONDS, "60s",
     "Idle time after which an executor is removed.", RANGE(0, MAX_SECONDS)},
    {"spark.dynamicAllocation.shuffleTracking.enabled", SPARK_BOOL, "true",
     "Keep executors holding live shuffle data (no external shuffle service needed).", UNRANGED},
    {"spark.shuffle.service.enabled", SPARK_BOOL, "false",
     "External shuffle service: shuffle output outlives the executor that wrote it.", UNRANGED},
};

#define N_KNOWN (sizeof known_keys / sizeof known_keys[0])

const struct spark_key *spark_known_keys(size_t *count)
{
    if (count)
        *count = N_KNOWN;
    return known_keys;
}

const struct spark_key *spark_key_find(const char *key)
{
    if (key == NULL)
        return NULL;
    for (size_t i = 0; i < N_KNOWN; i++)
        if (strcmp(known_keys[i].key, key) == 0)
            return &known_keys[i];
    return NULL;
}

void spark_conf_init(struct spark_conf *c)
{
    c->v = NULL;
    c->n = 0;
}

void spark_conf_fini(struct spark_conf *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].key);
        free(c->v[i].s);
    }
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

/* A parsed value: what a spark_setting holds besides its key and text. */
struct value {
    enum spark_type type;
    int64_t i;
    double d;
    const char *canonical; /* for a STRING with choices: the choice's spelling */
    size_t canonical_len;
};

/* Copies text without surrounding blanks into buf (Spark trims values). */
static const char *trim(const char *text, char *buf, size_t size)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(buf, text, len);
    buf[len] = '\0';
    return buf;
}

static bool parse_int(const char *t, int64_t *out)
{
    if (*t == '\0')
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

static bool parse_double(const char *t, double *out)
{
    if (*t == '\0')
        return false;
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (errno != 0 || *end != '\0' || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *t, int64_t *out)
{
    if (strcasecmp(t, "true") == 0) {
        *out = 1;
        return true;
    }
    if (strcasecmp(t, "false") == 0) {
        *out = 0;
        return true;
    }
    return false;
}

/* A bare number: only digits and at most one dot, no unit. */
static bool is_bare_number(const char *t)
{
    bool digit = false;
    for (; *t; t++) {
        if (isdigit((unsigned char)*t))
            digit = true;
        else if (*t != '.')
            return false;
    }
    return digit;
}

/* Finds text among the "|"-separated choices, ignoring case. */
static bool find_choice(const char *choices, const char *t, struct value *v)
{
    size_t tlen = strlen(t);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == tlen && strncasecmp(p, t, len) == 0) {
            v->canonical = p;
            v->canonical_len = len;
            return true;
        }
        p += len;
        if (*p == '|')
            p++;
    }
    return false;
}

/* Parses text as key k's value into v. Returns 0, or -1 with a reason that
 * completes the sentence "<key> <reason>". */
static int parse_known(const struct spark_key *k, const char *text, struct value *v, char *why,
                       size_t why_size)
{
    char t[256];
    trim(text, t, sizeof t);
    memset(v, 0, sizeof *v);
    v->type = k->type;
    double range_value = 0.0;

    switch (k->type) {
    case SPARK_INT:
        if (!parse_int(t, &v->i)) {
            snprintf(why, why_size, "must be an integer, not \"%.60s\"", t);
            return -1;
        }
        v->d = (double)v->i;
        range_value = v->d;
        break;
    case SPARK_DOUBLE:
        if (!parse_double(t, &v->d)) {
            snprintf(why, why_size, "must be a number, not \"%.60s\"", t);
            return -1;
        }
        range_value = v->d;
        break;
    case SPARK_BOOL:
        if (!parse_bool(t, &v->i)) {
            snprintf(why, why_size, "must be true or false, not \"%.60s\"", t);
            return -1;
        }
        v->d = (double)v->i;
        break;
    case SPARK_STRING:
        if (k->choices && !find_choice(k->choices, t, v)) {
            char list[128];
            size_t used = 0;
            for (const char *p = k->choices; *p && used + 3 < sizeof list; p++) {
                if (*p == '|') {
                    list[used++] = ',';
                    list[used++] = ' ';
                } else {
                    list[used++] = *p;
                }
            }
            list[used] = '\0';
            snprintf(why, why_size, "must be one of %s, not \"%.60s\"", list, t);
            return -1;
        }
        break;
    case SPARK_BYTES: {
        /* Only a negative bare integer can be valid (-1 disables broadcasts). */
        bool negative = t[0] == '-';
        const char *body = negative ? t + 1 : t;
        int64_t b;
        if (units_parse_size(body, &b) != 0) {
            snprintf(why, why_size, "must be a size such as \"64m\" or \"1g\", not \"%.60s\"", t);
            return -1;
        }
        if (k->spark_bare_unit && is_bare_number(body) && b != 0) {
            snprintf(why, why_size,
                     "needs a unit, such as \"%.30sm\": Spark reads a bare number here in %s", body,
                     k->spark_bare_unit);
            return -1;
        }
        v->i = negative ? -b : b;
        v->d = (double)v->i;
        range_value = v->d;
        break;
    }
    case SPARK_SECONDS:
        if (units_parse_duration(t, &v->d) != 0) {
            snprintf(why, why_size, "must be a duration such as \"3s\" or \"100ms\", not \"%.60s\"",
                     t);
            return -1;
        }
        if (k->spark_bare_unit && is_bare_number(t) && v->d != 0.0) {
            snprintf(why, why_size,
                     "needs a unit, such as \"%.30ss\" or \"%.30sms\": Spark reads a bare number "
                     "here in %s",
                     t, t, k->spark_bare_unit);
            return -1;
        }
        range_value = v->d;
        break;
    }

    if (k->ranged && k->type != SPARK_BOOL && k->type != SPARK_STRING) {
        if (range_value < k->min) {
            if (k->min == 0)
                snprintf(why, why_size, "must not be negative, not \"%.60s\"", t);
            else
                snprintf(why, why_size, "must be at least %g, not \"%.60s\"", k->min, t);
            return -1;
        }
        if (range_value > k->max) {
            snprintf(why, why_size, "must be at most %.10g, not \"%.60s\"", k->max, t);
            return -1;
        }
    }
    return 0;
}

/* An unknown key keeps the type its text looks like. */
static void infer_unknown(const char *text, struct value *v)
{
    char t[256];
    trim(text, t, sizeof t);
    memset(v, 0, sizeof *v);
    if (parse_bool(t, &v->i)) {
        v->type = SPARK_BOOL;
        v->d = (double)v->i;
    } else if (parse_int(t, &v->i)) {
        v->type = SPARK_INT;
        v->d = (double)v->i;
    } else if (parse_double(t, &v->d)) {
        v->type = SPARK_DOUBLE;
    } else {
        v->type = SPARK_STRING;
    }
}

static struct spark_setting *find_setting(const struct spark_conf *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].key, key) == 0)
            return &c->v[i];
    return NULL;
}

enum sc_status spark_conf_set(struct spark_conf *c, const char *key, const char *value,
                              const char *file, int line, struct diag *d)
{
    if (key == NULL || value == NULL)
        return SC_BUG(d, "spark_conf_set called without a key or a value");
    if (strncmp(key, "spark.", 6) != 0 || key[6] == '\0')
        return diag_set(d, SC_EINPUT, file, line,
                        "Spark setting '%s' does not start with \"spark.\"", key);

    const struct spark_key *k = spark_key_find(key);
    struct value v;
    if (k) {
        char why[384];
        if (parse_known(k, value, &v, why, sizeof why) != 0)
            return diag_set(d, SC_EINPUT, file, line, "%s %s.", key, why);
    } else {
        infer_unknown(value, &v);
    }

    /* Allocate everything before touching c, so a failure leaves it as it was. */
    char *s = v.canonical ? strndup(v.canonical, v.canonical_len) : strdup(value);
    if (s == NULL)
        return diag_set(d, SC_ENOMEM, file, line, "out of memory storing %s", key);

    struct spark_setting *slot = find_setting(c, key);
    if (slot == NULL) {
        char *key_copy = strdup(key);
        struct spark_setting *grown = key_copy ? realloc(c->v, (c->n + 1) * sizeof *c->v) : NULL;
        if (grown == NULL) {
            free(key_copy);
            free(s);
            return diag_set(d, SC_ENOMEM, file, line, "out of memory storing %s", key);
        }
        c->v = grown;
        slot = &c->v[c->n++];
        memset(slot, 0, sizeof *slot);
        slot->key = key_copy;
    } else {
        free(slot->s);
    }
    slot->type = v.type;
    slot->i = v.i;
    slot->d = v.d;
    slot->s = s;
    slot->known = k != NULL;
    slot->line = line;
    return SC_OK;
}

const struct spark_setting *spark_conf_get(const struct spark_conf *c, const char *key)
{
    if (c == NULL || key == NULL)
        return NULL;
    return find_setting(c, key);
}

/* The value of known key k of type `type`: the scenario's, else the default,
 * else the fallback key's. Returns false when none applies (a key without a
 * default such as spark.default.parallelism) or on a type mismatch. */
static bool lookup(const struct spark_conf *c, const char *key, enum spark_type type,
                   struct value *v)
{
    /* A fallback chain is at most a couple of keys long; the bound only
     * guards against a mistake in the table. */
    for (int hops = 0; hops < 8 && key; hops++) {
        const struct spark_key *k = spark_key_find(key);
        if (k == NULL || k->type != type)
            return false;
        const struct spark_setting *set = c ? find_setting(c, key) : NULL;
        if (set) {
            memset(v, 0, sizeof *v);
            v->type = set->type;
            v->i = set->i;
            v->d = set->d;
            v->canonical = set->s;
            return true;
        }
        if (k->default_value[0] != '\0') {
            char why[384];
            return parse_known(k, k->default_value, v, why, sizeof why) == 0;
        }
        key = k->fallback;
    }
    return false;
}

int64_t spark_conf_int(const struct spark_conf *c, const char *key)
{
    struct value v;
    return lookup(c, key, SPARK_INT, &v) ? v.i : 0;
}

int64_t spark_conf_bytes(const struct spark_conf *c, const char *key)
{
    struct value v;
    return lookup(c, key, SPARK_BYTES, &v) ? v.i : 0;
}

double spark_conf_double(const struct spark_conf *c, const char *key)
{
    struct value v;
    return lookup(c, key, SPARK_DOUBLE, &v) ? v.d : 0.0;
}

double spark_conf_seconds(const struct spark_conf *c, const char *key)
{
    struct value v;
    return lookup(c, key, SPARK_SECONDS, &v) ? v.d : 0.0;
}

bool spark_conf_bool(const struct spark_conf *c, const char *key)
{
    struct value v;
    return lookup(c, key, SPARK_BOOL, &v) ? v.i != 0 : false;
}

const char *spark_conf_string(const struct spark_conf *c, const char *key)
{
    const struct spark_key *k = spark_key_find(key);
    if (k == NULL || k->type != SPARK_STRING)
        return NULL;
    const struct spark_setting *set = c ? find_setting(c, key) : NULL;
    return set ? set->s : k->default_value;
}
