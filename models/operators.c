/*
 * operators.c — the operator registry (see operators.h).
 *
 * Default costs per record are what a stage pays before calibration
 * measures its kernels: orders of magnitude from the kernels' own
 * throughput on the development machine times a JVM factor of about ten
 * (the hash aggregate's 105 ns is 10 x 10.5 ns, 95 M rows/s native); every
 * report flags a stage costed this way as uncalibrated.
 */
#include "models/operators.h"

#include <string.h>

static const struct op_kernel_info table[OPK_COUNT] = {
    [OPK_SCAN] = {"scan", {NULL}, {NULL}, 50.0, false, true, CALIB_SCAN, CALIB_LINEAR,
                  "columnar file decode (Parquet-like) of the columns a query reads"},
    [OPK_FILTER] = {"filter", {"Filter"}, {"filter"}, 20.0, false, true, CALIB_FILTER,
                    CALIB_LINEAR, "a predicate evaluated per row, rows kept or dropped"},
    [OPK_PROJECT] = {"project", {"Project"}, {NULL}, 20.0, false, true, CALIB_PROJECT,
                     CALIB_LINEAR, "expressions evaluated per row into new columns"},
    [OPK_HASH_AGGREGATE] = {"hash_aggregate",
                            {"HashAggregate", "ObjectHashAggregate", "SortAggregate"},
                            {"reduceByKey", "aggregateByKey", "combineByKey", "groupByKey",
                             "countByKey", "distinct"},
                            105.0, true, true, CALIB_HASH_AGGREGATE, CALIB_LINEAR,
                            "grouping into a hash table, partial before a shuffle and final after"},
    [OPK_SORT] = {"sort", {"Sort"}, {"sortByKey", "sortBy"}, 400.0, true, true, CALIB_SORT,
                  CALIB_NLOGN, "an in-memory sort of a task's rows (n log n folded in at ~1e6 rows)"},
    [OPK_SORT_MERGE_JOIN] = {"sort_merge_join", {"SortMergeJoin"}, {NULL}, 300.0, true, true,
                             CALIB_SORT_MERGE_JOIN, CALIB_LINEAR,
                             "the merge of two inputs sorted on the join keys"},
    [OPK_BROADCAST_HASH_JOIN] = {"broadcast_hash_join",
                                 {"BroadcastHashJoin", "ShuffledHashJoin"},
                                 {NULL},
                                 150.0,
                                 false,
                                 true,
                                 CALIB_BROADCAST_HASH_JOIN,
                                 CALIB_LINEAR,
                                 "probing a hash table built from the broadcast (smaller) side"},
    [OPK_WINDOW] = {"window", {"Window"}, {NULL}, 400.0, true, true, CALIB_WINDOW, CALIB_LINEAR,
                    "window functions over rows sorted by partition and order keys"},
    [OPK_DISTINCT] = {"distinct", {NULL}, {NULL}, 105.0, true, true, CALIB_HASH_AGGREGATE,
                      CALIB_LINEAR, "a hash aggregate without functions (Dataset.distinct)"},
    [OPK_SHUFFLE_WRITE] = {"shuffle_write", {NULL}, {NULL}, 200.0, false, true,
                           CALIB_SHUFFLE_WRITE, CALIB_LINEAR,
                           "hash or range partitioning, UnsafeRow serialization and LZ4"},
    [OPK_SHUFFLE_READ] = {"shuffle_read", {NULL}, {NULL}, 100.0, false, true, CALIB_SHUFFLE_READ,
                          CALIB_LINEAR, "LZ4 decompression and deserialization of fetched blocks"},
    [OPK_LIMIT] = {"limit",
                   {"GlobalLimit", "LocalLimit", "CollectLimit", "TakeOrderedAndProject"},
                   {NULL},
                   5.0,
                   false,
                   true,
                   CALIB_LIMIT,
                   CALIB_LINEAR,
                   "taking the first n rows"},
    [OPK_SAMPLE] = {"sample", {NULL}, {NULL}, 20.0, false, true, CALIB_FILTER,
                    CALIB_LINEAR,
                    "Bernoulli sampling of rows without replacement (Dataset.sample)"},
    [OPK_WRITE] = {"write",
                   {"WriteFiles", "Execute InsertInto", "Execute CreateDataSourceTableAsSelect"},
                   {"saveAsTextFile"},
                   20.0,
                   false,
                   false,
                   CALIB_WRITE,
                   CALIB_LINEAR,
                   "encoding rows into the output files"},
    [OPK_GENERIC] = {"generic", {NULL}, {NULL}, 100.0, false, true, -1, CALIB_LINEAR,
                     "no kernel: a stage's records at a flat default cost"},
};

const struct op_kernel_info *op_kernel_info(enum op_kernel k)
{
    return (size_t)k < OPK_COUNT ? &table[k] : &table[OPK_GENERIC];
}

int op_kernel_find(const char *name)
{
    for (int k = 0; name && k < OPK_COUNT; k++)
        if (strcmp(table[k].name, name) == 0)
            return k;
    return -1;
}

int op_kernel_of_spark_node(const char *node)
{
    for (int k = 0; k < OPK_COUNT; k++)
        for (size_t i = 0; i < OPK_MAX_NAMES && table[k].spark_nodes[i]; i++) {
            size_t n = strlen(table[k].spark_nodes[i]);
            if (strncmp(node, table[k].spark_nodes[i], n) == 0 &&
                (node[n] == '\0' || node[n] == ' '))
                return k;
        }
    return -1;
}

int op_kernel_of_rdd_scope(const char *scope)
{
    for (int k = 0; k < OPK_COUNT; k++)
        for (size_t i = 0; i < OPK_MAX_NAMES && table[k].rdd_scopes[i]; i++)
            if (strcmp(scope, table[k].rdd_scopes[i]) == 0)
                return k;
    return -1;
}
