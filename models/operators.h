/*
 * operators.h — the operator registry: every kernel stagecast can cost,
 * described once. An entry says what the kernel is called (in scenarios,
 * reports and the calibration cache), which Spark plan nodes and RDD
 * operations it stands for (how event logs are matched to it), what a
 * record costs before anything is calibrated, whether its working set grows
 * with its input (hash tables, sort buffers), which Spark overhead class
 * prices it (its fit-factor key, models/calib.h), how its time is fitted
 * against rows, and one line for the documentation.
 *
 * Adding an operator: its kernel file under models/kernels/, one entry
 * here, its planner rule and calibration binding, and tests; see
 * docs/contributing.md.
 *
 * The table is static and read-only: nothing here allocates.
 */
#ifndef STAGECAST_OPERATORS_H
#define STAGECAST_OPERATORS_H

#include <stdbool.h>
#include <stddef.h>

#include "models/calib.h"

enum op_kernel {
    OPK_SCAN,
    OPK_FILTER,
    OPK_PROJECT,
    OPK_HASH_AGGREGATE,
    OPK_SORT,
    OPK_SORT_MERGE_JOIN,
    OPK_BROADCAST_HASH_JOIN,
    OPK_WINDOW,
    OPK_DISTINCT,
    OPK_SHUFFLE_WRITE,
    OPK_SHUFFLE_READ,
    OPK_LIMIT,
    OPK_SAMPLE,
    OPK_WRITE,
    OPK_GENERIC,
    OPK_COUNT
};

#define OPK_MAX_NAMES 8

struct op_kernel_info {
    const char *name;                        /* "hash_aggregate" */
    const char *spark_nodes[OPK_MAX_NAMES];  /* SQL plan nodes it stands for */
    const char *rdd_scopes[OPK_MAX_NAMES];   /* RDD operations it stands for */
    double default_ns_per_record;            /* before calibration, per record of its stage */
    bool memory_hungry;                      /* working set grows with its input */
    bool stage_kernel;                       /* an explicit stage's `kernel` may name it */
    int cls;                                 /* enum calib_class of its overhead; -1: none */
    enum calib_model model;                  /* its time against rows: linear or n log n */
    const char *doc;                         /* one line for the reference */
};

/* The entry of kernel k (a static table). */
const struct op_kernel_info *op_kernel_info(enum op_kernel k);

/* The kernel called name, or -1 (NULL too). */
int op_kernel_find(const char *name);

/* The kernel whose spark_nodes has the Spark SQL plan node `node` (a whole
 * word: "Sort" is not "SortMergeJoin"), or -1. */
int op_kernel_of_spark_node(const char *node);

/* The kernel whose rdd_scopes has the RDD operation `scope`, or -1. */
int op_kernel_of_rdd_scope(const char *scope);

#endif
