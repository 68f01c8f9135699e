/*
 * scenario_keys.c — the table of every key a scenario file may hold, group by
 * group, with the type it takes. The reader checks each group against it
 * (scenario_check_group), and scenario_keys() hands it to the reference
 * documentation's test, so a key cannot be read without being documented.
 */
#include "sim/input/scenario_internal.h"

#include <string.h>

/* ------------------------------------------------------------ key table */

/* Every key of a scenario file, group by group. scenario_check_group takes the keys a
 * group allows from these rows in row order, which is the order messages list
 * them in and the order "did you mean" breaks ties in: keep it when adding a
 * key. A key that only some forms of a group take (an operation's, a
 * distribution's) has one row per form; rows of several forms are interleaved
 * so that each form's keys, and the union of all of them, come out in the
 * order the reader has always listed them. */
static const struct scenario_key key_table[] = {
    {"", "name", NULL, "string"},
    {"", "seed", NULL, "integer"},
    {"", "cluster", NULL, "group"},
    {"", "spark", NULL, "group"},
    {"", "model", NULL, "group"},
    {"", "what_if", NULL, "group"},
    {"", "tables", NULL, "group"},
    {"", "views", NULL, "group"},
    {"", "jobs", NULL, "list"},
    {"", "pools", NULL, "list"},

    {"cluster", "platform", NULL, "string"},
    {"cluster", "driver", NULL, "string"},
    {"cluster", "worker", NULL, "string"},
    {"cluster", "workers", NULL, "integer"},
    {"cluster", "executors_per_worker", NULL, "integer"},
    {"cluster", "executor_cores", NULL, "integer"},
    {"cluster", "pricing", NULL, "string"},
    {"cluster", "tier", NULL, "string"},
    {"cluster", "region", NULL, "string"},
    {"cluster", "startup_s", NULL, "number or distribution"},
    {"cluster", "price", NULL, "group"},
    {"cluster", "autoscale", NULL, "group"},
    {"cluster", "storage", NULL, "group"},
    {"cluster", "network_limit_gbps", NULL, "number"},
    {"cluster", "local_disk_mbps", NULL, "number"},
    {"cluster", "idle_after_s", NULL, "number"},
    {"cluster", "spot", NULL, "group"},
    {"cluster", "executor_start_s", NULL, "list of numbers"},
    {"cluster", "executors", NULL, "list"},

    {"cluster.autoscale", "min", NULL, "integer"},
    {"cluster.autoscale", "max", NULL, "integer"},
    {"cluster.autoscale", "policy", NULL, "string"},
    {"cluster.autoscale", "provision_s", NULL, "number or distribution"},
    {"cluster.autoscale", "interval_s", NULL, "number"},
    {"cluster.autoscale", "idle_s", NULL, "number"},

    {"cluster.spot", "fraction", NULL, "number"},
    {"cluster.spot", "evictions_per_hour", NULL, "number"},
    {"cluster.spot", "usd_per_hour", NULL, "number"},
    {"cluster.spot", "discount", NULL, "number"},
    {"cluster.spot", "evict_at_s", NULL, "number"},

    {"cluster.executors[]", "start_s", NULL, "number"},
    {"cluster.executors[]", "end_s", NULL, "number"},
    {"cluster.executors[]", "cores", NULL, "integer"},
    {"cluster.executors[]", "host", NULL, "string"},
    {"cluster.executors[]", "resource_profile", NULL, "integer"},
    {"cluster.executors[]", "lost_by_app", NULL, "boolean"},

    {"cluster.storage", "egress_gbps", NULL, "number"},
    {"cluster.storage", "ingress_gbps", NULL, "number"},
    {"cluster.storage", "latency_s", NULL, "number"},
    {"cluster.storage", "stream_mbps", NULL, "number"},
    {"cluster.storage", "request_bytes", NULL, "size"},
    {"cluster.storage", "commit_s_per_file", NULL, "number"},

    {"cluster.price", "worker_usd_per_hour", NULL, "number"},
    {"cluster.price", "driver_usd_per_hour", NULL, "number"},
    {"cluster.price", "worker_dbu_per_hour", NULL, "number"},
    {"cluster.price", "driver_dbu_per_hour", NULL, "number"},
    {"cluster.price", "usd_per_dbu", NULL, "number"},
    {"cluster.price", "usd_per_vcore_hour", NULL, "number"},

    {"model", "task_launch_ms", NULL, "number"},
    {"model", "network_quantum_ms", NULL, "number"},
    {"model", "network_tolerance", NULL, "number"},
    {"model", "noise_sigma", NULL, "number"},
    {"model", "slow_worker", NULL, "integer"},
    {"model", "slow_factor", NULL, "number"},
    {"model", "host_acu", NULL, "number"},
    {"model", "overhead", NULL, "group"},
    {"model", "calibration", NULL, "group"},
    {"model", "jvm", NULL, "group"},
    {"model", "task_seconds_node", NULL, "string"},

    {"what_if", "input_scale", NULL, "number"},

    {"model.calibration", "rows", NULL, "array of integers"},
    {"model.calibration", "repetitions", NULL, "integer"},
    {"model.calibration", "min_r2", NULL, "number"},
    {"model.calibration", "max_ci", NULL, "number"},

    {"model.jvm", "task_fixed_ms", NULL, "number"},
    {"model.jvm", "gc_share", NULL, "number"},
    {"model.jvm", "first_task_ms", NULL, "number"},
    {"model.jvm", "first_task_local_ms", NULL, "number"},
    {"model.jvm", "first_query_factor", NULL, "number"},
    {"model.jvm", "first_run_ms", NULL, "number"},
    {"model.jvm", "first_run_small_ms", NULL, "number"},
    {"model.jvm", "query_driver_ms", NULL, "number"},
    {"model.jvm", "broadcast_driver_ms", NULL, "number"},

    {"tables.<table>", "rows", NULL, "integer"},
    {"tables.<table>", "size", NULL, "size"},
    {"tables.<table>", "format", NULL, "string"},
    {"tables.<table>", "path", NULL, "string"},
    {"tables.<table>", "files", NULL, "integer"},
    {"tables.<table>", "row_group", NULL, "size"},
    {"tables.<table>", "columns", NULL, "list"},

    {"tables.<table>.columns[]", "name", NULL, "string"},
    {"tables.<table>.columns[]", "type", NULL, "string"},
    {"tables.<table>.columns[]", "dist", NULL, "string"},
    {"tables.<table>.columns[]", "distinct", NULL, "integer"},
    {"tables.<table>.columns[]", "null_fraction", NULL, "number"},
    {"tables.<table>.columns[]", "min", "uniform", "number"},
    {"tables.<table>.columns[]", "max", "uniform", "number"},
    {"tables.<table>.columns[]", "mean", "normal", "number"},
    {"tables.<table>.columns[]", "stddev", "normal", "number"},
    {"tables.<table>.columns[]", "mu", "lognormal", "number"},
    {"tables.<table>.columns[]", "sigma", "lognormal", "number"},
    {"tables.<table>.columns[]", "exponent", "zipf", "number"},
    {"tables.<table>.columns[]", "values", "categorical", "list of strings"},
    {"tables.<table>.columns[]", "weights", "categorical", "list of numbers"},

    {"jobs[]", "name", NULL, "string"},
    {"jobs[]", "stages", NULL, "list"},
    {"jobs[]", "query", NULL, "list"},
    {"jobs[]", "submit_s", NULL, "number"},
    {"jobs[]", "concurrent", NULL, "boolean"},
    {"jobs[]", "pool", NULL, "string"},
    {"jobs[]", "gap_s", NULL, "number"},
    {"jobs[]", "driver_s", NULL, "number"},
    {"jobs[]", "after", NULL, "string"},

    {"jobs[].stages[]", "id", NULL, "integer"},
    {"jobs[].stages[]", "name", NULL, "string"},
    {"jobs[].stages[]", "parents", NULL, "array of integers"},
    {"jobs[].stages[]", "tasks", NULL, "integer"},
    {"jobs[].stages[]", "task_seconds", NULL, "number, list or distribution"},
    {"jobs[].stages[]", "input_bytes", NULL, "size"},
    {"jobs[].stages[]", "records", NULL, "integer"},
    {"jobs[].stages[]", "shuffle_read_bytes", NULL, "size"},
    {"jobs[].stages[]", "shuffle_write_bytes", NULL, "size"},
    {"jobs[].stages[]", "output_bytes", NULL, "size"},
    {"jobs[].stages[]", "memory_bytes", NULL, "size"},
    {"jobs[].stages[]", "cache_bytes", NULL, "size"},
    {"jobs[].stages[]", "driver_s", NULL, "number"},
    {"jobs[].stages[]", "kernel", NULL, "string"},
    {"jobs[].stages[]", "fixed_s", NULL, "number"},
    {"jobs[].stages[]", "fetch_wait_s", NULL, "number"},
    {"jobs[].stages[]", "shuffle_write_s", NULL, "number"},
    {"jobs[].stages[]", "logged_input_bytes", NULL, "size"},
    {"jobs[].stages[]", "logged_shuffle_bytes", NULL, "size"},
    {"jobs[].stages[]", "cold_tasks", NULL, "array of integers"},
    {"jobs[].stages[]", "task_locality", NULL, "array of strings"},
    {"jobs[].stages[]", "lost_attempts", NULL, "list"},
    {"jobs[].stages[]", "failed_attempts", NULL, "list"},
    {"jobs[].stages[]", "resource_profile", NULL, "integer"},

    {"jobs[].stages[].lost_attempts[]", "task", NULL, "integer"},
    {"jobs[].stages[].lost_attempts[]", "executor", NULL, "integer"},
    {"jobs[].stages[].lost_attempts[]", "run_s", NULL, "number"},
    {"jobs[].stages[].failed_attempts[]", "task", NULL, "integer"},
    {"jobs[].stages[].failed_attempts[]", "executor", NULL, "integer"},
    {"jobs[].stages[].failed_attempts[]", "run_s", NULL, "number"},

    /* A distribution group: task_seconds, and cluster.startup_s and
     * cluster.autoscale.provision_s when they are groups. */
    {"jobs[].stages[].task_seconds", "dist", NULL, "string"},
    {"jobs[].stages[].task_seconds", "value", "fixed", "number"},
    {"jobs[].stages[].task_seconds", "mean", "normal", "number"},
    {"jobs[].stages[].task_seconds", "stddev", "normal", "number"},
    {"jobs[].stages[].task_seconds", "median", "lognormal", "number"},
    {"jobs[].stages[].task_seconds", "mu", "lognormal", "number"},
    {"jobs[].stages[].task_seconds", "sigma", "lognormal", "number"},
    {"jobs[].stages[].task_seconds", "min", "uniform", "number"},
    {"jobs[].stages[].task_seconds", "max", "uniform", "number"},
    {"jobs[].stages[].task_seconds", "mean", "exponential", "number"},

    /* A query step, in a job's query or a view. */
    {"jobs[].query[]", "op", NULL, "string"},
    {"jobs[].query[]", "table", "scan", "string"},
    {"jobs[].query[]", "table", "union", "string"},
    {"jobs[].query[]", "where", "filter", "string"},
    {"jobs[].query[]", "cols", "select", "list of strings"},
    {"jobs[].query[]", "name", "with_column", "string"},
    {"jobs[].query[]", "expr", "with_column", "string"},
    {"jobs[].query[]", "keys", "group_by", "list of strings"},
    {"jobs[].query[]", "keys", "order_by", "list of strings"},
    {"jobs[].query[]", "keys", "distinct", "list of strings"},
    {"jobs[].query[]", "aggs", "group_by", "list of strings"},
    {"jobs[].query[]", "right", "join", "string"},
    {"jobs[].query[]", "on", "join", "list of strings"},
    {"jobs[].query[]", "how", "join", "string"},
    {"jobs[].query[]", "partition_by", "window", "list of strings"},
    {"jobs[].query[]", "order_by", "window", "list of strings"},
    {"jobs[].query[]", "funcs", "window", "list of strings"},
    {"jobs[].query[]", "n", "coalesce", "integer"},
    {"jobs[].query[]", "n", "limit", "integer"},
    {"jobs[].query[]", "fraction", "sample", "number"},
    {"jobs[].query[]", "seed", "sample", "integer"},
    {"jobs[].query[]", "n", "repartition", "integer"},
    {"jobs[].query[]", "partition_by", "repartition", "list of strings"},
    {"jobs[].query[]", "path", "write", "string"},
    {"jobs[].query[]", "format", "write", "string"},
    {"jobs[].query[]", "salt", "group_by", "integer"},
    {"jobs[].query[]", "salt", "join", "integer"},

    {"pools[]", "name", NULL, "string"},
    {"pools[]", "mode", NULL, "string"},
    {"pools[]", "weight", NULL, "integer"},
    {"pools[]", "min_share", NULL, "integer"},
};

#define KEY_TABLE_LEN (sizeof key_table / sizeof key_table[0])

/* The most keys one group allows (a query step, any operation: 18). */
#define GROUP_MAX_KEYS 32

const struct scenario_key *scenario_keys(size_t *count)
{
    *count = KEY_TABLE_LEN;
    return key_table;
}

/* scenario_check_keys with the keys the table gives group: with variant
 * NULL, every key of any form of the group (each name once, at its first
 * row); else the keys of every form plus those of that form only. */
int scenario_check_group(struct reader *r, const config_setting_t *g, const char *where,
                         const char *group, const char *variant)
{
    const char *allowed[GROUP_MAX_KEYS + 1];
    size_t n = 0;
    bool in_group = false;
    for (size_t i = 0; i < KEY_TABLE_LEN; i++) {
        const struct scenario_key *k = &key_table[i];
        if (strcmp(k->group, group) != 0) {
            if (in_group)
                break; /* a group's rows are adjacent */
            continue;
        }
        in_group = true;
        if (variant && k->variant && strcmp(k->variant, variant) != 0)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = strcmp(allowed[j], k->name) == 0;
        if (!dup && n < GROUP_MAX_KEYS)
            allowed[n++] = k->name;
    }
    allowed[n] = NULL;
    return scenario_check_keys(r, g, where, allowed);
}
