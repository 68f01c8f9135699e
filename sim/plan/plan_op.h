/*
 * plan_op.h — one physical operator of a planned stage, typed: its kind
 * and its parameters (tables, columns, keys with their directions,
 * aggregate and window calls, join type and build side, partitioning,
 * limits), as the planner decides them. Calibration reads these fields to
 * bind each operator to its kernel; `stagecast plan` and the JSON report
 * print `text`, which plan_op_format makes from the fields in the words of
 * Spark's explain output. Nothing reads an operator back from its text.
 *
 * Expressions (a filter's predicate, a projection item, an aggregate's
 * argument) are kept as the expression language's source text: calibration
 * compiles them against its sample's schema (models/expr.h), as Spark
 * compiles them per stage.
 *
 * Ownership: a plan_op owns every string and array in it; plan_op_fini
 * frees them, plan_op_copy makes a deep copy.
 */
#ifndef STAGECAST_PLAN_OP_H
#define STAGECAST_PLAN_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/plan/plan_expr.h"
#include "sim/plan/plan_stats.h"

enum plan_op_kind {
    PLAN_OP_SCAN,           /* format, table, cols: a file scan */
    PLAN_OP_ROWS,           /* table, cols: generated rows, free (an explicit stage's kernel) */
    PLAN_OP_MEMSCAN,        /* cols: InMemoryTableScan of a cached DataFrame */
    PLAN_OP_SHUFFLE_READ,   /* part, keys, n: what an Exchange wrote */
    PLAN_OP_FILTER,         /* where */
    PLAN_OP_PROJECT,        /* items */
    PLAN_OP_SALT,           /* n salt values; salt_mode says how (sim/plan/skew.h) */
    PLAN_OP_HASH_AGGREGATE, /* final, keys, calls */
    PLAN_OP_SORT,           /* keys (with directions); or local_all */
    PLAN_OP_TAKE_ORDERED,   /* n, keys: TakeOrderedAndProject */
    PLAN_OP_WINDOW,         /* calls, keys (partition by), order */
    PLAN_OP_SORT_MERGE_JOIN,      /* join, keys */
    PLAN_OP_BROADCAST_HASH_JOIN,  /* join, keys, build_left */
    PLAN_OP_NESTED_LOOP_JOIN,     /* join, build_left: BroadcastNestedLoopJoin */
    PLAN_OP_CARTESIAN,      /* CartesianProduct */
    PLAN_OP_UNION,
    PLAN_OP_EXCHANGE,       /* part, keys, n */
    PLAN_OP_BROADCAST,      /* keys (none: IdentityBroadcastMode): BroadcastExchange */
    PLAN_OP_RANGE_SAMPLE,   /* per_partition, n: RangePartitioner's sampling job */
    PLAN_OP_WRITE,          /* format, path */
    PLAN_OP_CACHE,          /* cols: InMemoryRelation */
    PLAN_OP_LIMIT,          /* limit_mode, n */
    PLAN_OP_COALESCE,       /* n */
    PLAN_OP_COLLECT,
    PLAN_OP_SAMPLE          /* fraction, n (the seed; -1: none given) */
};

/* Spark's physical partitionings (as Exchange and ShuffleRead print them). */
enum plan_part {
    PLAN_PART_HASH,
    PLAN_PART_RANGE,
    PLAN_PART_ROUNDROBIN,
    PLAN_PART_SINGLE,
    PLAN_PART_UNKNOWN
};

/* Join types as Spark's explain names them. */
enum plan_join {
    PLAN_JOIN_INNER,
    PLAN_JOIN_LEFT_OUTER,
    PLAN_JOIN_RIGHT_OUTER,
    PLAN_JOIN_FULL_OUTER,
    PLAN_JOIN_LEFT_SEMI,
    PLAN_JOIN_LEFT_ANTI,
    PLAN_JOIN_CROSS
};

enum plan_limit { PLAN_LIMIT_LOCAL, PLAN_LIMIT_GLOBAL, PLAN_LIMIT_COLLECT };

/* How a salted key is made: a salt column of rand() values (keeping the
 * other columns or not), or each row repeated once per salt value. */
enum plan_salt { PLAN_SALT_COLUMN, PLAN_SALT_COLUMN_KEEP, PLAN_SALT_EXPLODE };

/* Names with an optional direction each (desc NULL: none printed). */
struct plan_names {
    char **v;
    bool *desc;
    size_t n;
};

/* A projection item: expr, named alias (NULL: a bare column, expr its name). */
struct plan_item {
    char *expr;
    char *alias;
};

struct plan_op {
    enum plan_op_kind kind;
    char *text;                /* plan_op_format's words; set by plan_op_finish */
    char *table, *format, *path, *where;
    struct plan_names cols;    /* SCAN, ROWS, MEMSCAN, CACHE */
    struct plan_names keys;    /* keys, partition-by columns or sort keys */
    struct plan_names order;   /* WINDOW: order-by keys */
    struct plan_item *items;   /* PROJECT */
    size_t n_items;
    struct plan_call *calls;   /* HASH_AGGREGATE, WINDOW */
    size_t n_calls;
    bool final;                /* HASH_AGGREGATE: the final (merge) side */
    bool local_all;            /* SORT: local sort of all columns before round-robin */
    bool build_left;           /* BROADCAST_HASH_JOIN, NESTED_LOOP_JOIN */
    enum plan_join join;
    enum plan_part part;
    enum plan_limit limit_mode;
    enum plan_salt salt_mode;
    int64_t n;                 /* partitions, limit, salt values, coalesce target */
    double per_partition;      /* RANGE_SAMPLE: rows sampled per input partition */
    double fraction;           /* SAMPLE: the share of rows kept */
    /* FILTER and a keyed partial HASH_AGGREGATE: the planner's estimate
     * (the selectivity; the groups of all its input) and where it comes
     * from, the sample rows it was measured on (MEASURED), and the text
     * naming it (plan_stats_key) by which calibration's measurement of
     * this operator replaces a default in a second plan. */
    enum plan_est est;
    double est_value;
    double est_sample_rows;
    char *est_key;
};

/* The kind's name for messages and short pipeline names ("scan", "agg"). */
const char *plan_op_kind_name(enum plan_op_kind k);

/* The registry kernel (enum op_kernel, models/operators.h) that
 * calibration times an operator of kind k with, or -1 when it costs
 * nothing there; plan_op_class: that kernel's overhead class, or -1. */
int plan_op_kernel(enum plan_op_kind k);
int plan_op_class(enum plan_op_kind k);

/* The word a stage's name uses for op ("scan orders", "partial agg",
 * "count" for Dataset.count()'s final aggregate); NULL for an operator a
 * name leaves out (projections, shuffle reads, broadcasts). A scan's name is
 * written into buf (size bytes), the others are static. */
const char *plan_op_label(const struct plan_op *o, char *buf, size_t size);

/* Spark's explain name of a join type ("Inner", "LeftOuter"). */
const char *plan_join_name(enum plan_join j);

/* The join type a scenario's `how` names (inner, left, left_outer, right,
 * full, left_semi, left_anti, cross; anything else is inner). */
enum plan_join plan_join_from_how(const char *how);

/* Formats op (its fields, not its text) as Spark's explain writes it. The
 * caller frees the result; NULL when memory runs out. */
char *plan_op_format(const struct plan_op *op);

/* Sets op->text from its fields. 0, or -1 when memory runs out. */
int plan_op_finish(struct plan_op *op);

/* Deep copy of src into dst. 0, or -1 (dst left empty) on memory. */
int plan_op_copy(struct plan_op *dst, const struct plan_op *src);

void plan_op_fini(struct plan_op *op);

/* Whether a and b (an Exchange and a ShuffleRead, say) have the same
 * partitioning: kind, partition count and keys with their directions. */
bool plan_op_same_partitioning(const struct plan_op *a, const struct plan_op *b);

/* plan_names helpers: appends a copy of name with direction desc (the
 * direction array is made on the first call with `with_dir`). 0 or -1. */
int plan_names_add(struct plan_names *l, const char *name, bool with_dir, bool desc);
int plan_names_set(struct plan_names *l, const char *const *names, const bool *desc, size_t n,
                   bool with_dir);
void plan_names_fini(struct plan_names *l);

#endif
