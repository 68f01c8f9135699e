/*
 * planner.c — from a job's DataFrame steps to the stages Spark 3 runs for
 * them (see planner.h). It sits between the scenario reader and the
 * runtime: scenario -> plan -> simulate. Stages it makes carry data (rows,
 * bytes, operators), never task times: their time comes from taskcost.c.
 *
 * The planner works as Spark's does, in three passes over a tree of
 * logical nodes built from the steps (views inlined where a join or union
 * names them):
 *
 *  1. Analysis: each node's output columns, checked against what its input
 *     has (an unknown column is an error at the step's line).
 *  2. Optimization, the Catalyst rules that change which stages run:
 *     ColumnPruning (only the columns used above are read and carried; a
 *     with_column or window whose output nobody uses disappears, as does an
 *     aggregate function nobody reads), and EliminateSorts (a sort under an
 *     order-insensitive aggregate such as count(), or under either side of
 *     a join, is dropped, through Project, Filter and repartitions).
 *  3. Physical planning, bottom-up, with EnsureRequirements's exchange
 *     placement: narrow operators pipeline into the open stage; an operator
 *     whose required distribution its input does not satisfy gets an
 *     Exchange, which closes the stage (shuffle write) and opens a new one
 *     reading it. Aggregates run partial before the exchange and final after
 *     it (AggUtils.planAggregateWithoutDistinct); joins broadcast the smaller
 *     side under spark.sql.autoBroadcastJoinThreshold by Spark's static size
 *     estimate (JoinSelection, SizeInBytesOnlyStatsPlanVisitor), otherwise
 *     shuffle both sides and sort-merge them; orderBy range-partitions after
 *     a sampling job (RangePartitioner); window exchanges on its partition
 *     keys and sorts; distinct is an aggregate on all columns
 *     (ReplaceDistinctWithAggregate); repartition always shuffles, a
 *     round-robin one after a local sort (spark.sql.execution.
 *     sortBeforeRepartition); coalesce stays narrow and lowers the open
 *     stage's task count (CoalescedRDD); count() is a partial count, an
 *     Exchange SinglePartition and a one-task final count, with no exchange
 *     when the input already has a single partition.
 *
 * How a query's Spark jobs become stages of one scenario job. Spark runs a
 * query as several jobs: a broadcast is collected by a job of its own
 * (BroadcastExchangeExec), an orderBy's range bounds by a sampling job
 * (RangePartitioner.sketch), and with adaptive execution every exchange is a
 * query stage submitted as a job of its own when its inputs are materialized
 * (AdaptiveSparkPlanExec, ShuffleExchangeExec.mapOutputStatisticsFuture ->
 * SparkContext.submitMapStage). The planner keeps them in one scenario job
 * and encodes Spark's order in the stages' parents, which is what the
 * runtime schedules by:
 *  - with AQE, a query stage starts when the stages it reads are done: that
 *    is exactly "parents are the stages whose output it reads" (the
 *    sampling stage is a parent of the range exchange's map stage, a
 *    broadcast a parent of the stage that probes it), and independent
 *    branches run at once, as AQE submits them;
 *  - without AQE, the driver builds the whole RDD graph before submitting
 *    the action's job, waiting on each broadcast (executeBroadcast) and
 *    running each sampling job on the way; so the broadcasts run first, the
 *    sampling jobs one after another, and the main job last (its stages
 *    that a sampling job already ran are not run again): the first stages
 *    of each later job get the previous job's last stage as a parent.
 * Separate scenario jobs could not express "starts when these two stages
 * are done" across jobs, only "after every earlier job of the thread", which
 * would hold a ready stage back behind an unrelated branch.
 *
 * Exchange reuse (ReuseExchangeAndSubquery): two exchanges of identical
 * subtrees (a self-join) are written once and read twice.
 *
 * Cardinalities come through struct plan_stats (selectivity, groups, join
 * rows, compression); sizes from the table's size, or rows times column
 * widths. A partial aggregate's output is each task's groups:
 * tasks x groups(rows / tasks). Shuffle bytes are rows x UnsafeRow size
 * (8-byte null bitset per 64 fields, 8 bytes a field, variable-length data
 * rounded to 8, a 4-byte length from UnsafeRowSerializer) x compression.
 *
 * Task sizes and AQE (see "skew and adaptive execution" below, and
 * sim/plan/skew.h): each exchange records each reduce partition's share of its
 * rows from the key columns' distributions; after planning, the shares
 * become the stages' task weights and AQE's coalescing and skew-join
 * splitting change the task lists; its runtime switch of a sort-merge join
 * to a broadcast one is planned in plan_join (aqe_broadcast_join). A step's
 * `salt` plans the salted join or two-phase aggregation.
 *
 * Not modelled here: DISTINCT aggregate functions are planned like plain
 * ones; shuffled hash joins (preferSortMergeJoin=false).
 */
#include "sim/plan/planner.h"
#include "sim/plan/plan.h"
#include "sim/plan/plan_op.h"

#include "models/expr.h"
#include "models/sbuf.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/plan/plan_expr.h"
#include "sim/plan/skew.h"
#include "sim/runtime/taskcost.h"

/* Views inline into the tree; the reader has ruled out cycles, this bounds
 * the depth of a long chain. */
#define MAX_VIEW_DEPTH 64
/* spark.sql.execution.rangeExchange.sampleSizePerPartition's default. */
#define RANGE_SAMPLE_PER_PARTITION 100.0
/* A hash aggregate's map holds each group's key and buffer rows plus its
 * pointer array: about twice the rows' bytes (BytesToBytesMap). */
#define HASH_MAP_OVERHEAD 2.0
/* An external sorter keeps an 8-byte pointer and an 8-byte prefix a row. */
#define SORT_BYTES_PER_ROW 16.0

/* ---- the logical tree --------------------------------------------------- */

enum lkind {
    LK_SCAN,
    LK_FILTER,
    LK_SELECT,
    LK_WITH_COLUMN,
    LK_AGG,
    LK_JOIN,
    LK_SORT,
    LK_WINDOW,
    LK_DISTINCT,
    LK_REPARTITION,
    LK_COALESCE,
    LK_CACHE,
    LK_LIMIT,
    LK_UNION
};

/* An output column of a node. */
struct lcol {
    const char *name;
    enum col_type type;
    const struct column_spec *spec; /* the table column it still is; NULL when made */
    double table_rows;
    int src;  /* its index in the (left) child; -1: made here */
    int rsrc; /* join, union: its index in the right child; -1 */
};

struct lnode {
    enum lkind kind;
    const struct query_step *step;
    size_t step_no; /* 1-based, within its owner */
    const char *owner_kind, *owner_name;
    int child, right;
    const struct table_spec *table; /* scan */
    struct lcol *out;
    size_t n_out;
    bool *req;               /* per output column: used above */
    bool skip;               /* removed by the optimizer */
    struct plan_call *calls; /* aggregate or window functions */
    size_t n_calls;
    bool *call_used;
    const char **keys; /* grouping, sort, window partition, join left,
                        * repartition keys */
    bool *keys_desc;
    size_t n_keys;
    const char **okeys; /* window order keys, join right keys */
    bool *okeys_desc;
    size_t n_okeys;
    int64_t n;          /* limit, coalesce, repartition; -1 */
    bool is_count;      /* the aggregate Dataset.count() adds */
    bool collect_limit; /* a limit the collect takes (CollectLimitExec) */
    const char *how;    /* join type as written */
};

/* ---- stages under construction ------------------------------------------ */

enum role { ROLE_PIPE, ROLE_MAP, ROLE_BROADCAST, ROLE_SAMPLE, ROLE_RESULT };

/* A shuffle a stage reads (see "skew and adaptive execution" below). */
struct pin {
    int map;          /* the stage writing it */
    double rows, bytes;
    int64_t nparts;
    double *share;    /* each reduce partition's share of it; NULL = even */
    bool coalescable; /* CoalesceShufflePartitions may merge its partitions */
};

struct pstage {
    struct plan_op *ops;
    size_t n_ops, cap_ops;
    int64_t tasks;
    int *parents;
    size_t n_parents, cap_parents;
    double input_bytes, read_bytes, write_bytes, output_bytes;
    double in_rows, out_rows;
    double best_cost, kernel_rows;
    const char *kernel;
    double mem_per_task;
    double cache_bytes; /* bytes its tasks cache (df.cache() materialized here) */
    bool reads_cache;   /* it starts with an InMemoryTableScan */
    int cache_entry;    /* reads_cache: the cached data it reads */
    enum role role;
    bool dead;
    int line;
    int sample;  /* a map stage's sampling stage, or -1 */
    char *sig;   /* a closed stage's canonical form, for reuse */
    int job;     /* its Spark job */
    int order;   /* its position in the final listing */
    char **proj; /* items of the last operator while it is a Project */
    size_t n_proj;
    /* Skew and AQE (sim/plan/skew.h): the shuffles it reads; a sort-merge join
     * of two exchanges directly below it (bit 0: AQE may split the left
     * side, bit 1 the right); then what the data and AQE made of it. */
    struct pin *pins;
    size_t n_pins;
    int smj_split;
    double *weights;
    int64_t aqe_before, aqe_skewed, aqe_skew_tasks;
    bool aqe_bcast; /* a sort-merge join AQE turned into a broadcast one */
};

enum pkind { PART_UNKNOWN, PART_HASH, PART_RANGE, PART_ROUNDROBIN, PART_SINGLE };

/* What flows out of a planned node: the open stage producing it, its rows,
 * its columns' estimates, its partitioning and ordering. */
struct stream {
    int stage;
    double rows;
    struct plan_column *cols; /* owned; one per output column of the node */
    size_t n_cols;
    const bool *req;   /* the node's: which columns are carried */
    double spark_size; /* Spark's static sizeInBytes estimate */
    enum pkind part;
    const char *const *pkeys;
    size_t n_pkeys;
    int64_t nparts;
    const char *const *sorted;
    size_t n_sorted;
};

struct planner {
    const struct scenario *s;
    const struct plan_stats *st;
    struct diag *d;
    /* settings */
    int64_t shuffle_partitions, max_partition_bytes, open_cost, min_partitions;
    int64_t broadcast_threshold;
    bool aqe, compress;
    struct aqe_conf aqe_conf;
    int64_t aqe_broadcast_threshold; /* spark.sql.adaptive.autoBroadcastJoinThreshold */
    /* How the next exchange's rows count (set by its caller, then reset):
     * a partial aggregate's output, a repartition(n), an inner join's
     * null-free keys. */
    enum skew_count xchg_count;
    double xchg_buckets, xchg_rows_in;
    bool xchg_by_num, xchg_drop_nulls;
    /* per query */
    const struct job_spec *job;
    struct lnode *nodes;
    size_t n_nodes, cap_nodes;
    struct pstage *stages;
    size_t n_stages, cap_stages;
    const struct query_step *action;
    int64_t total_tasks;
    /* df.cache(): the fragments cached so far, across the scenario's jobs. */
    struct cache_entry *caches;
    size_t n_caches, cap_caches;
    size_t job_index;  /* the job being planned */
    int discarding;    /* > 0 while planning a fragment that a cache read replaces */
    bool same_reads;   /* this query reads data it caches itself */
    bool no_same_reads; /* re-planning it without such reads */
    bool replan;       /* they made its stages wait for each other in a cycle */
};

/* A cached fragment (see "df.cache()" below). */
struct cache_entry {
    char *sig;       /* its logical plan as text */
    size_t job;      /* the job whose action materializes it */
    int stage;       /* the stage that does, in that job's plan */
    double bytes;    /* its in-memory size */
    int64_t tasks;   /* its partitions, once that job is planned (0 before) */
    double *weights; /* their sizes (as the caching tasks' weights); NULL: even */
};

/* ---- errors ------------------------------------------------------------- */

static enum sc_status fail_at(struct planner *P, const struct lnode *nd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum sc_status fail_at(struct planner *P, const struct lnode *nd, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int line = nd && nd->step ? nd->step->line : P->job->line;
    if (nd && nd->step)
        return diag_set(P->d, SC_EINPUT, P->s->file, line, "step %zu (%s) of %s '%s': %s",
                        nd->step_no, op_kind_name(nd->step->op), nd->owner_kind, nd->owner_name,
                        msg);
    return diag_set(P->d, SC_EINPUT, P->s->file, line, "job '%s': %s", P->job->name, msg);
}

static enum sc_status nomem(struct planner *P)
{
    return diag_set(P->d, SC_ENOMEM, NULL, 0, "out of memory planning job '%s'", P->job->name);
}

/* ---- columns ------------------------------------------------------------ */

static bool name_eq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* The column named name (case-insensitive, back quotes stripped), or -1. */
static int find_lcol(const struct lcol *cols, size_t n, const char *name)
{
    char buf[256];
    size_t len = strlen(name);
    if (len >= 2 && name[0] == '`' && name[len - 1] == '`' && len - 2 < sizeof buf) {
        memcpy(buf, name + 1, len - 2);
        buf[len - 2] = '\0';
        name = buf;
    }
    for (size_t i = 0; i < n; i++)
        if (name_eq(cols[i].name, name))
            return (int)i;
    return -1;
}

static size_t edit_distance_ci(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t sub =
                prev + (tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]));
            size_t best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            prev = cur;
        }
    }
    return row[lb];
}

/* "columns: a, b, c; did you mean 'b'?" for an unknown column name. */
static const char *columns_hint(const struct lcol *cols, size_t n, const char *name, char *buf,
                                size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "columns: ");
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", cols[i].name);
        /* A typo, or the start of the name ("dept" for "dept_code"). */
        size_t dd = edit_distance_ci(name, cols[i].name);
        if (strlen(name) >= 3 && strncasecmp(cols[i].name, name, strlen(name)) == 0)
            dd = dd < 2 ? dd : 2;
        if (dd < best_d) {
            best_d = dd;
            best = cols[i].name;
        }
    }
    if (n == 0 && used < size)
        snprintf(buf + used, size - used, "no columns");
    used = strlen(buf);
    if (best && used < size)
        snprintf(buf + used, size - used, "; did you mean '%s'?", best);
    return buf;
}

/* Parses an expression of a step (a filter's condition, a computed column)
 * with the expression language the kernels evaluate, so a syntax error names
 * the step's file:line and the position in the expression, and checks that
 * every column it refers to is in the step's input. */
static enum sc_status check_expr(struct planner *P, const struct lnode *nd, const char *text,
                                 const char *what)
{
    struct diag d;
    diag_clear(&d);
    struct expr *e = expr_parse(text, &d);
    if (!e)
        return d.status == SC_ENOMEM ? nomem(P)
                                     : fail_at(P, nd, "%s \"%s\": %s", what, text, d.msg);
    const struct lnode *c = &P->nodes[nd->child];
    for (size_t i = 0; i < expr_n_refs(e); i++)
        if (find_lcol(c->out, c->n_out, expr_ref(e, i)) < 0) {
            char hint[512], name[128];
            snprintf(name, sizeof name, "%s", expr_ref(e, i));
            expr_free(e);
            return fail_at(P, nd, "%s \"%s\" refers to column '%s', which its input does not "
                                  "have (%s)",
                           what, text, name, columns_hint(c->out, c->n_out, name, hint, sizeof hint));
        }
    expr_free(e);
    return SC_OK;
}

/* ---- building the tree from steps --------------------------------------- */

static int node_new(struct planner *P, enum lkind kind, const struct query_step *step,
                    size_t step_no, const char *owner_kind, const char *owner_name)
{
    if (P->n_nodes == P->cap_nodes) {
        size_t cap = P->cap_nodes ? P->cap_nodes * 2 : 16;
        struct lnode *nodes = realloc(P->nodes, cap * sizeof *nodes);
        if (!nodes)
            return -1;
        P->nodes = nodes;
        P->cap_nodes = cap;
    }
    struct lnode *nd = &P->nodes[P->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->step = step;
    nd->step_no = step_no;
    nd->owner_kind = owner_kind;
    nd->owner_name = owner_name;
    nd->child = nd->right = -1;
    nd->n = -1;
    return (int)P->n_nodes++;
}

static void node_fini(struct lnode *nd)
{
    free(nd->out);
    free(nd->req);
    free(nd->calls);
    free(nd->call_used);
    free(nd->keys);
    free(nd->keys_desc);
    free(nd->okeys);
    free(nd->okeys_desc);
}

/* Output columns: a copy of the child's, each passing through. */
static int copy_child_cols(struct planner *P, struct lnode *nd, size_t extra)
{
    const struct lnode *c = &P->nodes[nd->child];
    nd->out = calloc(c->n_out + extra + 1, sizeof *nd->out);
    if (!nd->out)
        return -1;
    for (size_t i = 0; i < c->n_out; i++) {
        nd->out[i] = c->out[i];
        nd->out[i].src = (int)i;
        nd->out[i].rsrc = -1;
    }
    nd->n_out = c->n_out;
    return 0;
}

/* Resolves a list of key names against the child's columns into nd->keys
 * (the columns' own spelling); desc parses "name DESC". */
static enum sc_status resolve_keys(struct planner *P, int node, const struct strlist *names,
                                   int cols_node, bool okeys, bool sort_keys, const char *what)
{
    struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[cols_node];
    const char **keys = calloc(names->n + 1, sizeof *keys);
    bool *desc = calloc(names->n + 1, sizeof *desc);
    if (!keys || !desc) {
        free(keys);
        free(desc);
        return nomem(P);
    }
    if (okeys) {
        nd->okeys = keys;
        nd->okeys_desc = desc;
        nd->n_okeys = names->n;
    } else {
        nd->keys = keys;
        nd->keys_desc = desc;
        nd->n_keys = names->n;
    }
    for (size_t i = 0; i < names->n; i++) {
        char buf[256];
        const char *name = names->v[i];
        if (sort_keys)
            name = plan_expr_sort_key(names->v[i], buf, sizeof buf, &desc[i]);
        int k = find_lcol(c->out, c->n_out, name);
        if (k < 0) {
            char hint[512];
            return fail_at(P, nd, "%s names column '%s', which its input does not have (%s)", what,
                           name, columns_hint(c->out, c->n_out, name, hint, sizeof hint));
        }
        keys[i] = c->out[k].name;
    }
    return SC_OK;
}

static enum col_type arg_type(const struct lnode *c, const char *arg)
{
    int k = plan_expr_is_ident(arg) ? find_lcol(c->out, c->n_out, arg) : -1;
    if (k >= 0)
        return c->out[k].type;
    const char *names[256];
    enum col_type types[256];
    size_t n = c->n_out < 256 ? c->n_out : 256;
    for (size_t i = 0; i < n; i++) {
        names[i] = c->out[i].name;
        types[i] = c->out[i].type;
    }
    return plan_expr_type(arg, names, types, n);
}

/* The type of an aggregate or window function's result. */
static enum col_type call_type(const struct plan_call *call, const struct lnode *c)
{
    const char *f = call->func;
    if (strcmp(f, "count") == 0 || strcmp(f, "approx_count_distinct") == 0)
        return COL_INT64;
    if (strcmp(f, "row_number") == 0 || strcmp(f, "rank") == 0 || strcmp(f, "dense_rank") == 0 ||
        strcmp(f, "ntile") == 0)
        return COL_INT32;
    if (strcmp(f, "sum") == 0) {
        enum col_type t = arg_type(c, call->arg);
        return t == COL_DOUBLE ? COL_DOUBLE : COL_INT64;
    }
    if (strcmp(f, "min") == 0 || strcmp(f, "max") == 0 || strcmp(f, "first") == 0 ||
        strcmp(f, "last") == 0 || strcmp(f, "lag") == 0 || strcmp(f, "lead") == 0 ||
        strcmp(f, "first_value") == 0 || strcmp(f, "last_value") == 0)
        return arg_type(c, call->arg);
    if (strcmp(f, "collect_list") == 0 || strcmp(f, "collect_set") == 0 ||
        strcmp(f, "concat_ws") == 0)
        return COL_STRING;
    return COL_DOUBLE;
}

/* Parses aggregate or window calls; a bare-name argument must be a column
 * of the child. */
static enum sc_status parse_calls(struct planner *P, int node, const struct strlist *texts,
                                  const char *what)
{
    struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
    nd->calls = calloc(texts->n + 1, sizeof *nd->calls);
    nd->call_used = calloc(texts->n + 1, sizeof *nd->call_used);
    if (!nd->calls || !nd->call_used)
        return nomem(P);
    nd->n_calls = texts->n;
    for (size_t i = 0; i < texts->n; i++) {
        struct plan_call *call = &nd->calls[i];
        if (plan_expr_parse_call(texts->v[i], call) != 0)
            return fail_at(P, nd,
                           "'%s' is not a %s such as \"%s\" (a function call, optionally "
                           "with AS and a name)",
                           texts->v[i], what,
                           strcmp(what, "window function") == 0 ? "row_number() AS rn"
                                                                : "count(emp_id) AS n");
        if (strcmp(call->arg, "*") == 0)
            snprintf(call->arg, sizeof call->arg, "1");
        if (plan_expr_is_ident(call->arg) && find_lcol(c->out, c->n_out, call->arg) < 0) {
            char hint[512];
            return fail_at(P, nd, "%s '%s' reads column '%s', which its input does not have (%s)",
                           what, texts->v[i], call->arg,
                           columns_hint(c->out, c->n_out, call->arg, hint, sizeof hint));
        }
    }
    return SC_OK;
}

static int build_source(struct planner *P, const char *name, const struct query_step *step,
                        size_t step_no, const char *owner_kind, const char *owner_name, int depth,
                        int *out);

/* Resolves node `node` (its child or children already resolved): fills its
 * output columns and parses its keys and calls. */
static enum sc_status resolve(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    switch (nd->kind) {
    case LK_SCAN: {
        const struct table_spec *t = nd->table;
        nd->out = calloc(t->n_columns + 1, sizeof *nd->out);
        if (!nd->out)
            return nomem(P);
        for (size_t i = 0; i < t->n_columns; i++) {
            nd->out[i].name = t->columns[i].name;
            nd->out[i].type = t->columns[i].type;
            nd->out[i].spec = &t->columns[i];
            nd->out[i].table_rows = (double)t->rows;
            nd->out[i].src = nd->out[i].rsrc = -1;
        }
        nd->n_out = t->n_columns;
        return SC_OK;
    }
    case LK_FILTER:
    case LK_SORT:
    case LK_CACHE:
    case LK_COALESCE:
    case LK_LIMIT:
    case LK_REPARTITION:
    case LK_DISTINCT:
        if (nd->kind == LK_FILTER) {
            enum sc_status rc = check_expr(P, nd, q->where, "filter");
            if (rc != SC_OK)
                return rc;
        }
        if (copy_child_cols(P, nd, 0) != 0)
            return nomem(P);
        if (nd->kind == LK_SORT)
            return resolve_keys(P, node, &q->keys, nd->child, false, true, "order_by");
        if (nd->kind == LK_REPARTITION)
            return resolve_keys(P, node, &q->partition_by, nd->child, false, false, "repartition");
        if (nd->kind == LK_DISTINCT && q->keys.n > 0)
            return resolve_keys(P, node, &q->keys, nd->child, false, false, "distinct");
        return SC_OK;
    case LK_SELECT: {
        const struct lnode *c = &P->nodes[nd->child];
        size_t n = 0;
        for (size_t i = 0; i < q->cols.n; i++)
            n += strcmp(q->cols.v[i], "*") == 0 ? c->n_out : 1;
        nd->out = calloc(n + 1, sizeof *nd->out);
        if (!nd->out)
            return nomem(P);
        for (size_t i = 0; i < q->cols.n; i++) {
            c = &P->nodes[nd->child];
            if (strcmp(q->cols.v[i], "*") == 0) {
                for (size_t k = 0; k < c->n_out; k++) {
                    nd->out[nd->n_out] = c->out[k];
                    nd->out[nd->n_out].src = (int)k;
                    nd->out[nd->n_out++].rsrc = -1;
                }
                continue;
            }
            int k = find_lcol(c->out, c->n_out, q->cols.v[i]);
            if (k < 0) {
                char hint[512];
                return fail_at(
                    P, nd, "select names column '%s', which its input does not have (%s)",
                    q->cols.v[i], columns_hint(c->out, c->n_out, q->cols.v[i], hint, sizeof hint));
            }
            nd->out[nd->n_out] = c->out[k];
            nd->out[nd->n_out].src = k;
            nd->out[nd->n_out++].rsrc = -1;
        }
        return SC_OK;
    }
    case LK_WITH_COLUMN: {
        enum sc_status rc = check_expr(P, nd, q->expr, "with_column");
        if (rc != SC_OK)
            return rc;
        if (copy_child_cols(P, nd, 1) != 0)
            return nomem(P);
        const struct lnode *c = &P->nodes[nd->child];
        const char *names[256];
        enum col_type types[256];
        size_t n = c->n_out < 256 ? c->n_out : 256;
        for (size_t i = 0; i < n; i++) {
            names[i] = c->out[i].name;
            types[i] = c->out[i].type;
        }
        /* withColumn replaces a column of the same name in place. */
        int k = find_lcol(nd->out, nd->n_out, q->name);
        struct lcol col = {q->name, plan_expr_type(q->expr, names, types, n), NULL, NAN, -1, -1};
        if (k >= 0)
            nd->out[k] = col;
        else
            nd->out[nd->n_out++] = col;
        return SC_OK;
    }
    case LK_AGG: {
        enum sc_status rc;
        if (!nd->is_count) {
            if ((rc = resolve_keys(P, node, &q->keys, nd->child, false, false, "group_by")) !=
                    SC_OK ||
                (rc = parse_calls(P, node, &q->aggs, "aggregate")) != SC_OK)
                return rc;
        }
        nd = &P->nodes[node];
        const struct lnode *c = &P->nodes[nd->child];
        nd->out = calloc(nd->n_keys + nd->n_calls + 1, sizeof *nd->out);
        if (!nd->out)
            return nomem(P);
        for (size_t i = 0; i < nd->n_keys; i++) {
            int k = find_lcol(c->out, c->n_out, nd->keys[i]);
            nd->out[i] = c->out[k];
            nd->out[i].spec = NULL; /* the same values, other frequencies */
            nd->out[i].src = k;
            nd->out[i].rsrc = -1;
        }
        for (size_t i = 0; i < nd->n_calls; i++) {
            struct lcol col = {nd->calls[i].alias, call_type(&nd->calls[i], c), NULL, NAN, -1, -1};
            nd->out[nd->n_keys + i] = col;
        }
        nd->n_out = nd->n_keys + nd->n_calls;
        return SC_OK;
    }
    case LK_WINDOW: {
        enum sc_status rc;
        if (copy_child_cols(P, nd, q->funcs.n) != 0)
            return nomem(P);
        if ((rc = resolve_keys(P, node, &q->partition_by, nd->child, false, false,
                               "window partition_by")) != SC_OK ||
            (rc = resolve_keys(P, node, &q->order_by, nd->child, true, true, "window order_by")) !=
                SC_OK ||
            (rc = parse_calls(P, node, &q->funcs, "window function")) != SC_OK)
            return rc;
        nd = &P->nodes[node];
        const struct lnode *c = &P->nodes[nd->child];
        for (size_t i = 0; i < nd->n_calls; i++) {
            struct lcol col = {nd->calls[i].alias, call_type(&nd->calls[i], c), NULL, NAN, -1, -1};
            nd->out[nd->n_out++] = col;
        }
        return SC_OK;
    }
    case LK_JOIN: {
        const struct lnode *l = &P->nodes[nd->child], *r = &P->nodes[nd->right];
        nd->how = q->how ? q->how : "inner";
        enum sc_status rc;
        /* Every key must be on both sides: join(df, "k") is USING (k). */
        for (size_t i = 0; i < q->on.n; i++) {
            char hint[512];
            l = &P->nodes[nd->child];
            r = &P->nodes[nd->right];
            if (find_lcol(l->out, l->n_out, q->on.v[i]) < 0)
                return fail_at(P, nd, "join on '%s', but the left side has no such column (%s)",
                               q->on.v[i],
                               columns_hint(l->out, l->n_out, q->on.v[i], hint, sizeof hint));
            if (find_lcol(r->out, r->n_out, q->on.v[i]) < 0)
                return fail_at(P, nd,
                               "join on '%s', but the right side ('%s') has no such "
                               "column (%s)",
                               q->on.v[i], q->right,
                               columns_hint(r->out, r->n_out, q->on.v[i], hint, sizeof hint));
        }
        if ((rc = resolve_keys(P, node, &q->on, nd->child, false, false, "join")) != SC_OK ||
            (rc = resolve_keys(P, node, &q->on, nd->right, true, false, "join")) != SC_OK)
            return rc;
        nd = &P->nodes[node];
        l = &P->nodes[nd->child];
        r = &P->nodes[nd->right];
        bool left_only = strcmp(nd->how, "left_semi") == 0 || strcmp(nd->how, "left_anti") == 0;
        nd->out = calloc(l->n_out + r->n_out + 1, sizeof *nd->out);
        if (!nd->out)
            return nomem(P);
        for (size_t i = 0; i < l->n_out; i++) {
            nd->out[nd->n_out] = l->out[i];
            nd->out[nd->n_out].src = (int)i;
            nd->out[nd->n_out++].rsrc = -1;
        }
        for (size_t i = 0; i < r->n_out && !left_only; i++) {
            bool key = false;
            for (size_t k = 0; k < nd->n_okeys; k++)
                key |= name_eq(r->out[i].name, nd->okeys[k]);
            if (key)
                continue;
            nd->out[nd->n_out] = r->out[i];
            nd->out[nd->n_out].src = -1;
            nd->out[nd->n_out++].rsrc = (int)i;
        }
        return SC_OK;
    }
    case LK_UNION: {
        const struct lnode *l = &P->nodes[nd->child], *r = &P->nodes[nd->right];
        if (l->n_out != r->n_out)
            return fail_at(P, nd,
                           "union of '%s' needs as many columns on both sides (Spark unions "
                           "by position), but they have %zu and %zu",
                           q->table, l->n_out, r->n_out);
        if (copy_child_cols(P, nd, 0) != 0)
            return nomem(P);
        for (size_t i = 0; i < nd->n_out; i++)
            nd->out[i].rsrc = (int)i;
        return SC_OK;
    }
    }
    return SC_OK;
}

/* Builds the nodes of steps (a job's query or a view) into *root. */
static enum sc_status build_steps(struct planner *P, const struct query_step *steps, size_t n,
                                  const char *owner_kind, const char *owner_name, bool top,
                                  int depth, int *root)
{
    int cur = -1;
    for (size_t i = 0; i < n; i++) {
        const struct query_step *q = &steps[i];
        enum lkind kind;
        switch (q->op) {
        case OP_SCAN: kind = LK_SCAN; break;
        case OP_FILTER: kind = LK_FILTER; break;
        case OP_SELECT: kind = LK_SELECT; break;
        case OP_WITH_COLUMN: kind = LK_WITH_COLUMN; break;
        case OP_GROUP_BY: kind = LK_AGG; break;
        case OP_JOIN: kind = LK_JOIN; break;
        case OP_ORDER_BY: kind = LK_SORT; break;
        case OP_WINDOW: kind = LK_WINDOW; break;
        case OP_DISTINCT: kind = LK_DISTINCT; break;
        case OP_REPARTITION: kind = LK_REPARTITION; break;
        case OP_COALESCE: kind = LK_COALESCE; break;
        case OP_CACHE: kind = LK_CACHE; break;
        case OP_LIMIT: kind = LK_LIMIT; break;
        case OP_UNION: kind = LK_UNION; break;
        case OP_COUNT:
        case OP_COLLECT:
        case OP_WRITE:
            if (top)
                P->action = q;
            *root = cur;
            return SC_OK;
        default: kind = LK_FILTER; break;
        }
        int right = -1;
        if (kind == LK_JOIN || kind == LK_UNION) {
            const char *ref = kind == LK_JOIN ? q->right : q->table;
            int rc = build_source(P, ref, q, i + 1, owner_kind, owner_name, depth, &right);
            if (rc != SC_OK)
                return (enum sc_status)rc;
        }
        int node = node_new(P, kind, q, i + 1, owner_kind, owner_name);
        if (node < 0)
            return nomem(P);
        struct lnode *nd = &P->nodes[node];
        nd->child = cur;
        nd->right = right;
        nd->n = q->n;
        if (kind == LK_SCAN) {
            nd->table = scenario_table(P->s, q->table);
            if (!nd->table)
                return fail_at(P, nd, "no table '%s'", q->table);
        }
        enum sc_status rc = resolve(P, node);
        if (rc != SC_OK)
            return rc;
        cur = node;
    }
    *root = cur;
    return SC_OK;
}

/* A join's or union's other input: a table (scanned) or a view (inlined). */
static int build_source(struct planner *P, const char *name, const struct query_step *step,
                        size_t step_no, const char *owner_kind, const char *owner_name, int depth,
                        int *out)
{
    const struct table_spec *t = scenario_table(P->s, name);
    if (t) {
        int node = node_new(P, LK_SCAN, step, step_no, owner_kind, owner_name);
        if (node < 0)
            return nomem(P);
        P->nodes[node].table = t;
        enum sc_status rc = resolve(P, node);
        *out = node;
        return rc;
    }
    const struct view_spec *v = scenario_view(P->s, name);
    if (!v)
        return diag_set(P->d, SC_EINPUT, P->s->file, step->line,
                        "step %zu of %s '%s' names '%s', which is neither a table nor a view",
                        step_no, owner_kind, owner_name, name);
    if (depth >= MAX_VIEW_DEPTH)
        return diag_set(P->d, SC_ELIMIT, P->s->file, step->line,
                        "views nest more than %d deep at '%s'", MAX_VIEW_DEPTH, name);
    return build_steps(P, v->steps, v->n_steps, "view", v->name, false, depth + 1, out);
}

/* ---- optimization: ColumnPruning and EliminateSorts --------------------- */

/* Marks in req[] (aligned with node c's output) the columns expr refers to. */
static void mark_refs(const struct lnode *c, const char *expr, bool *req)
{
    for (size_t i = 0; i < c->n_out; i++)
        if (plan_expr_refers(expr, c->out[i].name))
            req[i] = true;
}

static void mark_name(const struct lnode *c, const char *name, bool *req)
{
    int k = find_lcol(c->out, c->n_out, name);
    if (k >= 0)
        req[k] = true;
}

static bool cached_before(const struct planner *P, int node);

/* Pushes the columns used above node (need, aligned with its output) down
 * the tree, as Catalyst's ColumnPruning does: each node keeps only what is
 * used above plus what it reads itself. A with_column or window whose
 * output is unused is removed (RemoveNoopOperators); unused aggregate and
 * window functions are dropped. */
static enum sc_status prune(struct planner *P, int node, const bool *need)
{
    struct lnode *nd = &P->nodes[node];
    free(nd->req);
    nd->req = calloc(nd->n_out + 1, sizeof *nd->req);
    if (!nd->req)
        return nomem(P);
    memcpy(nd->req, need, nd->n_out * sizeof *need);
    if (nd->kind == LK_SCAN)
        return SC_OK;
    const struct lnode *c = &P->nodes[nd->child];
    bool *creq = calloc(c->n_out + 1, sizeof *creq);
    bool *rreq = NULL;
    if (!creq)
        return nomem(P);
    const struct lnode *r = nd->right >= 0 ? &P->nodes[nd->right] : NULL;
    if (r && !(rreq = calloc(r->n_out + 1, sizeof *rreq))) {
        free(creq);
        return nomem(P);
    }
    /* Columns passing through to the (left) child. */
    for (size_t i = 0; i < nd->n_out; i++)
        if (need[i] && nd->out[i].src >= 0 && nd->kind != LK_AGG)
            creq[nd->out[i].src] = true;
    const struct query_step *q = nd->step;
    switch (nd->kind) {
    case LK_FILTER: mark_refs(c, q->where, creq); break;
    case LK_WITH_COLUMN: {
        int k = find_lcol(nd->out, nd->n_out, q->name);
        /* Unused: removed (its column is not needed above either). */
        nd->skip = !need[k];
        if (!nd->skip)
            mark_refs(c, q->expr, creq);
        break;
    }
    case LK_AGG:
        for (size_t i = 0; i < nd->n_keys; i++)
            mark_name(c, nd->keys[i], creq);
        for (size_t i = 0; i < nd->n_calls; i++) {
            nd->call_used[i] = need[nd->n_keys + i];
            if (nd->call_used[i])
                mark_refs(c, nd->calls[i].arg, creq);
        }
        break;
    case LK_SORT:
        if (!nd->skip)
            for (size_t i = 0; i < nd->n_keys; i++)
                mark_name(c, nd->keys[i], creq);
        break;
    case LK_WINDOW: {
        bool any = false;
        for (size_t i = 0; i < nd->n_calls; i++) {
            nd->call_used[i] = need[c->n_out + i];
            any |= nd->call_used[i];
        }
        nd->skip = !any;
        if (any) {
            for (size_t i = 0; i < nd->n_keys; i++)
                mark_name(c, nd->keys[i], creq);
            for (size_t i = 0; i < nd->n_okeys; i++)
                mark_name(c, nd->okeys[i], creq);
            for (size_t i = 0; i < nd->n_calls; i++)
                if (nd->call_used[i])
                    mark_refs(c, nd->calls[i].arg, creq);
        }
        break;
    }
    case LK_DISTINCT:
        /* Distinct compares whole rows: nothing below it can be pruned
         * (dropDuplicates(keys) needs its keys and what is used above). */
        if (nd->n_keys == 0)
            for (size_t i = 0; i < c->n_out; i++)
                creq[i] = true;
        for (size_t i = 0; i < nd->n_keys; i++)
            mark_name(c, nd->keys[i], creq);
        break;
    case LK_CACHE:
        /* The cached relation holds all of its child's columns, unless an
         * earlier job cached them: cache() then changes nothing and only
         * what is used above is read from the cache. */
        if (!cached_before(P, node))
            for (size_t i = 0; i < c->n_out; i++)
                creq[i] = true;
        break;
    case LK_REPARTITION:
        for (size_t i = 0; i < nd->n_keys; i++)
            mark_name(c, nd->keys[i], creq);
        break;
    case LK_JOIN:
        for (size_t i = 0; i < nd->n_keys; i++)
            mark_name(c, nd->keys[i], creq);
        for (size_t i = 0; i < nd->n_okeys; i++)
            mark_name(r, nd->okeys[i], rreq);
        for (size_t i = 0; i < nd->n_out; i++)
            if (need[i] && nd->out[i].rsrc >= 0)
                rreq[nd->out[i].rsrc] = true;
        break;
    case LK_UNION:
        for (size_t i = 0; i < nd->n_out; i++)
            if (need[i])
                rreq[i] = true;
        break;
    default: break;
    }
    int child = nd->child, right = nd->right;
    enum sc_status rc = prune(P, child, creq);
    if (rc == SC_OK && right >= 0)
        rc = prune(P, right, rreq);
    free(creq);
    free(rreq);
    return rc;
}

static bool deterministic(const char *expr)
{
    return !expr || (!plan_expr_find_word(expr, "rand") && !plan_expr_find_word(expr, "randn") &&
                     !plan_expr_find_word(expr, "uuid"));
}

/* Spark's EliminateSorts.isOrderIrrelevantAggs: min, max, count always;
 * sum and avg unless over floating point (its addition is not
 * associative); anything else keeps the order. */
static bool order_irrelevant(struct planner *P, const struct lnode *nd)
{
    const struct lnode *c = &P->nodes[nd->child];
    for (size_t i = 0; i < nd->n_calls; i++) {
        if (!nd->call_used[i])
            continue;
        const char *f = nd->calls[i].func;
        if (strcmp(f, "min") == 0 || strcmp(f, "max") == 0 || strcmp(f, "count") == 0)
            continue;
        if ((strcmp(f, "sum") == 0 || strcmp(f, "avg") == 0 || strcmp(f, "mean") == 0) &&
            arg_type(c, nd->calls[i].arg) != COL_DOUBLE)
            continue;
        return false;
    }
    return true;
}

/* EliminateSorts.recursiveRemoveSort: drops sorts below through Project,
 * Filter (deterministic) and repartitions. */
static void remove_sorts(struct planner *P, int node)
{
    while (node >= 0) {
        struct lnode *nd = &P->nodes[node];
        if (nd->kind == LK_SORT) {
            nd->skip = true;
        } else if (nd->skip) {
            /* already gone: look through it */
        } else if (nd->kind == LK_FILTER && deterministic(nd->step->where)) {
        } else if (nd->kind == LK_WITH_COLUMN && deterministic(nd->step->expr)) {
        } else if (nd->kind == LK_SELECT || nd->kind == LK_REPARTITION) {
        } else {
            return;
        }
        node = nd->child;
    }
}

static void eliminate_sorts(struct planner *P, int node)
{
    if (node < 0)
        return;
    struct lnode *nd = &P->nodes[node];
    if (!nd->skip) {
        if (nd->kind == LK_AGG && order_irrelevant(P, nd))
            remove_sorts(P, nd->child);
        else if (nd->kind == LK_DISTINCT && nd->n_keys == 0)
            /* Distinct is an aggregate with no functions; dropDuplicates
             * (keys) takes first() of the rest, which needs the order. */
            remove_sorts(P, nd->child);
        else if (nd->kind == LK_JOIN) {
            remove_sorts(P, nd->child);
            remove_sorts(P, nd->right);
        } else if (nd->kind == LK_SORT)
            remove_sorts(P, nd->child);
    }
    nd = &P->nodes[node];
    int child = nd->child, right = nd->right;
    eliminate_sorts(P, child);
    eliminate_sorts(P, right);
}

/* ---- stages ------------------------------------------------------------- */

static int stage_new(struct planner *P, int64_t tasks, enum role role, int line)
{
    if (P->n_stages == P->cap_stages) {
        size_t cap = P->cap_stages ? P->cap_stages * 2 : 16;
        struct pstage *v = realloc(P->stages, cap * sizeof *v);
        if (!v)
            return -1;
        P->stages = v;
        P->cap_stages = cap;
    }
    struct pstage *st = &P->stages[P->n_stages];
    memset(st, 0, sizeof *st);
    st->tasks = tasks < 1 ? 1 : tasks;
    st->role = role;
    st->line = line;
    st->sample = -1;
    st->job = -1;
    return (int)P->n_stages++;
}

static void proj_clear(struct pstage *st)
{
    for (size_t i = 0; i < st->n_proj; i++)
        free(st->proj[i]);
    free(st->proj);
    st->proj = NULL;
    st->n_proj = 0;
}

static void stage_fini(struct pstage *st)
{
    proj_clear(st);
    for (size_t i = 0; i < st->n_ops; i++)
        plan_op_fini(&st->ops[i]);
    free(st->ops);
    free(st->parents);
    free(st->sig);
    for (size_t i = 0; i < st->n_pins; i++)
        free(st->pins[i].share);
    free(st->pins);
    free(st->weights);
}

static int stage_parent(struct planner *P, int stage, int parent)
{
    struct pstage *st = &P->stages[stage];
    for (size_t i = 0; i < st->n_parents; i++)
        if (st->parents[i] == parent)
            return 0;
    if (st->n_parents == st->cap_parents) {
        size_t cap = st->cap_parents ? st->cap_parents * 2 : 4;
        int *v = realloc(st->parents, cap * sizeof *v);
        if (!v)
            return -1;
        st->parents = v;
        st->cap_parents = cap;
    }
    st->parents[st->n_parents++] = parent;
    return 0;
}

/* Appends an operator (its fields taken over: *op is left empty, also on
 * failure) that processes rows_in rows of the stage with kernel
 * (taskcost's names), holding mem bytes per task. */
static int stage_op(struct planner *P, int stage, struct plan_op *op, const char *kernel,
                    double rows_in, double mem)
{
    struct pstage *st = &P->stages[stage];
    if (plan_op_finish(op) != 0) {
        plan_op_fini(op);
        return -1;
    }
    if (st->n_ops == st->cap_ops) {
        size_t cap = st->cap_ops ? st->cap_ops * 2 : 8;
        struct plan_op *v = realloc(st->ops, cap * sizeof *v);
        if (!v) {
            plan_op_fini(op);
            return -1;
        }
        st->ops = v;
        st->cap_ops = cap;
    }
    st->ops[st->n_ops++] = *op;
    memset(op, 0, sizeof *op);
    proj_clear(st); /* a later Project no longer follows a Project */
    if (kernel) {
        /* The stage's kernel is its costliest operator at default rates;
         * its records are the rows that operator processes. */
        double cost = rows_in * taskcost_default_s_per_record(kernel);
        if (!st->kernel || cost > st->best_cost) {
            st->best_cost = cost;
            st->kernel = kernel;
            st->kernel_rows = rows_in;
        }
    }
    if (mem > st->mem_per_task)
        st->mem_per_task = mem;
    return 0;
}

/* An operator of kind k with no parameters, or with n (a count). */
static int stage_op_n(struct planner *P, int stage, enum plan_op_kind k, int64_t n,
                      const char *kernel, double rows_in)
{
    struct plan_op op = {.kind = k, .n = n};
    return stage_op(P, stage, &op, kernel, rows_in, 0.0);
}

/* An operator of kind k on names (with directions when desc or with_dir). */
static int stage_op_keys(struct planner *P, int stage, struct plan_op *op,
                         const char *const *names, const bool *desc, size_t n, bool with_dir,
                         const char *kernel, double rows_in, double mem)
{
    if (plan_names_set(&op->keys, names, desc, n, with_dir) != 0) {
        plan_op_fini(op);
        return -1;
    }
    return stage_op(P, stage, op, kernel, rows_in, mem);
}

/* The name a projection item gives its column: "expr AS name" -> name. */
static const char *item_alias(const char *item)
{
    const char *as = NULL;
    for (const char *p = item; (p = strstr(p, " AS ")) != NULL; p += 4)
        as = p;
    return as ? as + 4 : item;
}

/* Appends a projection. Adjacent projections collapse into one Project, as
 * Catalyst's CollapseProject merges them: a select (`replace`) keeps its
 * names, each taking the expression an earlier item gave it; a
 * with_column adds its item, replacing one of the same name. */
static int stage_project(struct planner *P, int stage, const char *const *items, size_t n,
                         bool replace, double rows)
{
    struct pstage *st = &P->stages[stage];
    bool merge = st->n_ops > 0 && st->proj != NULL;
    size_t cap = (merge ? st->n_proj : 0) + n + 1;
    char **list = calloc(cap, sizeof *list);
    if (!list)
        return -1;
    size_t k = 0;
    bool oom = false;
    if (merge && !replace)
        for (size_t i = 0; i < st->n_proj; i++) {
            bool replaced = false;
            for (size_t j = 0; j < n; j++)
                replaced |= name_eq(item_alias(st->proj[i]), item_alias(items[j]));
            if (!replaced && !(list[k++] = strdup(st->proj[i])))
                oom = true;
        }
    for (size_t j = 0; j < n; j++) {
        const char *src = items[j];
        if (merge && replace)
            for (size_t i = 0; i < st->n_proj; i++)
                if (name_eq(item_alias(st->proj[i]), items[j]))
                    src = st->proj[i];
        if (!(list[k++] = strdup(src)))
            oom = true;
    }
    /* The Project's items: "expr AS name" splits at its last " AS ". */
    struct plan_op op = {.kind = PLAN_OP_PROJECT};
    op.items = calloc(k ? k : 1, sizeof *op.items);
    if (!op.items)
        oom = true;
    for (size_t i = 0; !oom && i < k; i++) {
        const char *as = NULL;
        for (const char *q = list[i]; (q = strstr(q, " AS ")) != NULL; q += 4)
            as = q;
        op.n_items++;
        op.items[i].expr = as ? strndup(list[i], (size_t)(as - list[i])) : strdup(list[i]);
        op.items[i].alias = as ? strdup(as + 4) : NULL;
        oom |= !op.items[i].expr || (as && !op.items[i].alias);
    }
    if (oom) {
        for (size_t i = 0; i < k; i++)
            free(list[i]);
        free(list);
        plan_op_fini(&op);
        return -1;
    }
    if (merge) {
        struct plan_op *last = &st->ops[st->n_ops - 1];
        plan_op_fini(last);
        *last = op;
        if (plan_op_finish(last) != 0) {
            for (size_t i = 0; i < k; i++)
                free(list[i]);
            free(list);
            return -1;
        }
        proj_clear(st);
    } else if (stage_op(P, stage, &op, "project", rows, 0.0) != 0) {
        for (size_t i = 0; i < k; i++)
            free(list[i]);
        free(list);
        return -1;
    }
    st = &P->stages[stage];
    st->proj = list;
    st->n_proj = k;
    return 0;
}

/* A closed stage's canonical form: its parents' forms and its operators. */
static int stage_seal(struct planner *P, int stage)
{
    struct sbuf b = {0};
    struct pstage *st = &P->stages[stage];
    sb_add(&b, "%d|", (int)st->role);
    for (size_t i = 0; i < st->n_parents; i++)
        sb_add(&b, "(%s)", P->stages[st->parents[i]].sig ? P->stages[st->parents[i]].sig : "?");
    for (size_t i = 0; i < st->n_ops; i++)
        sb_add(&b, ";%s", st->ops[i].text);
    sb_add(&b, "#%lld", (long long)st->tasks);
    free(st->sig);
    st->sig = sb_take(&b);
    return st->sig ? 0 : -1;
}

/* Cached data that stage `from` materializes is now materialized by `to`
 * (from was merged into to, or reused as to). */
static void cache_moved(struct planner *P, int from, int to)
{
    for (size_t i = 0; i < P->n_caches; i++)
        if (P->caches[i].job == P->job_index && P->caches[i].stage == from)
            P->caches[i].stage = to;
}

/* ReuseExchange: a closed stage identical to an earlier live one is dropped
 * and the earlier one used in its place. Returns the stage to use. */
static int stage_reuse(struct planner *P, int stage)
{
    struct pstage *st = &P->stages[stage];
    for (size_t i = 0; i < P->n_stages; i++) {
        const struct pstage *o = &P->stages[i];
        if ((int)i == stage || o->dead || !o->sig || o->role != st->role)
            continue;
        if (strcmp(o->sig, st->sig) == 0) {
            st->dead = true;
            if (st->sample >= 0)
                P->stages[st->sample].dead = true;
            cache_moved(P, stage, (int)i);
            return (int)i;
        }
    }
    return stage;
}

/* Merges stage b into stage a (a union, a zip of co-partitioned inputs):
 * b's operators follow a's. With `tasks` the merged stage's task count;
 * b's per-task data scale by mult_b and a's by mult_a (a cartesian product
 * reads each input partition once per partition of the other side). */
static int stage_merge(struct planner *P, int a, int b, int64_t tasks, double mult_a, double mult_b)
{
    struct pstage *sb = &P->stages[b];
    for (size_t i = 0; i < sb->n_parents; i++)
        if (stage_parent(P, a, P->stages[b].parents[i]) != 0)
            return -1;
    sb = &P->stages[b];
    for (size_t i = 0; i < sb->n_ops; i++) {
        /* a's now, even if appending fails (stage_op empties it) */
        if (stage_op(P, a, &P->stages[b].ops[i], NULL, 0.0, 0.0) != 0)
            return -1;
        sb = &P->stages[b];
    }
    sb = &P->stages[b];
    struct pstage *sa = &P->stages[a];
    sb->n_ops = 0;
    sa->input_bytes = sa->input_bytes * mult_a + sb->input_bytes * mult_b;
    sa->read_bytes = sa->read_bytes * mult_a + sb->read_bytes * mult_b;
    sa->in_rows = sa->in_rows * mult_a + sb->in_rows * mult_b;
    double cost_a = sa->best_cost * mult_a, cost_b = sb->best_cost * mult_b;
    if (!sa->kernel || (sb->kernel && cost_b > cost_a)) {
        sa->kernel = sb->kernel;
        sa->kernel_rows = sb->kernel_rows * mult_b;
        sa->best_cost = cost_b;
    } else {
        sa->kernel_rows *= mult_a;
        sa->best_cost = cost_a;
    }
    if (sb->mem_per_task > sa->mem_per_task)
        sa->mem_per_task = sb->mem_per_task;
    sa->tasks = tasks;
    if (sb->n_pins) {
        /* b's shuffle reads are a's now (a join zips them, sim/plan/skew.h). */
        struct pin *v = realloc(sa->pins, (sa->n_pins + sb->n_pins) * sizeof *v);
        if (!v)
            return -1;
        memcpy(v + sa->n_pins, sb->pins, sb->n_pins * sizeof *v);
        sa->pins = v;
        sa->n_pins += sb->n_pins;
        free(sb->pins);
        sb->pins = NULL;
        sb->n_pins = 0;
    }
    sa->cache_bytes += sb->cache_bytes;
    sa->reads_cache |= sb->reads_cache;
    sb->dead = true;
    cache_moved(P, b, a);
    /* Stages that named b as a parent (a sampling stage copied from it)
     * now wait for a. */
    for (size_t i = 0; i < P->n_stages; i++) {
        struct pstage *o = &P->stages[i];
        for (size_t k = 0; k < o->n_parents; k++)
            if (o->parents[k] == b)
                o->parents[k] = a;
    }
    return 0;
}

/* ---- estimates ---------------------------------------------------------- */

static double ceil8(double x)
{
    return ceil(x / 8.0) * 8.0;
}

/* Bytes of one serialized UnsafeRow of the carried columns. */
static double row_bytes(const struct plan_column *cols, const bool *req, size_t n)
{
    size_t k = 0;
    double var = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (req && !req[i])
            continue;
        k++;
        if (cols[i].type == COL_STRING)
            var += ceil8(cols[i].width_bytes);
    }
    return 8.0 * (double)((k + 63) / 64) + 8.0 * (double)k + var + 4.0;
}

/* Spark's EstimationUtils.getSizePerRow: 8 + each type's defaultSize. */
static double spark_row(const struct lcol *cols, const bool *req, size_t n)
{
    double s = 8.0;
    for (size_t i = 0; i < n; i++)
        if (!req || req[i])
            s += plan_stats_type_width(cols[i].type);
    return s;
}

static double shuffle_bytes(struct planner *P, const struct plan_column *cols, const bool *req,
                            size_t n, double rows)
{
    double b = rows * row_bytes(cols, req, n);
    if (P->compress) {
        /* The stats see only the carried columns. */
        struct plan_column carried[256];
        size_t k = 0;
        for (size_t i = 0; i < n && k < 256; i++)
            if (!req || req[i])
                carried[k++] = cols[i];
        double ratio = P->st->shuffle_compression(P->st->ctx, carried, k);
        if (ratio > 0.0 && ratio <= 1.0)
            b *= ratio;
    }
    return b;
}

static void stream_fini(struct stream *s)
{
    free(s->cols);
    s->cols = NULL;
}

static double cap_ndv(double ndv, double rows)
{
    if (isnan(ndv))
        return ndv;
    return ndv > rows ? (rows < 1.0 ? 1.0 : rows) : ndv;
}

/* The estimates of node nd's output columns: pass-through columns from the
 * child's (and right child's) stream, made columns from make(). */
static int stream_cols(struct stream *out, const struct lnode *nd, const struct stream *left,
                       const struct stream *right)
{
    out->cols = calloc(nd->n_out + 1, sizeof *out->cols);
    if (!out->cols)
        return -1;
    out->n_cols = nd->n_out;
    for (size_t i = 0; i < nd->n_out; i++) {
        struct plan_column *pc = &out->cols[i];
        const struct lcol *lc = &nd->out[i];
        if (lc->src >= 0 && left && (size_t)lc->src < left->n_cols)
            *pc = left->cols[lc->src];
        else if (lc->rsrc >= 0 && right && (size_t)lc->rsrc < right->n_cols)
            *pc = right->cols[lc->rsrc];
        else {
            pc->ndv = NAN;
            pc->width_bytes = plan_stats_type_width(lc->type);
            pc->table_rows = NAN;
        }
        pc->name = lc->name;
        pc->type = lc->type;
        if (!lc->spec)
            pc->spec = NULL;
    }
    return 0;
}

/* ---- partitioning ------------------------------------------------------- */

static bool key_in(const char *k, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (name_eq(k, set[i]))
            return true;
    return false;
}

/* Partitioning.satisfies(ClusteredDistribution(keys)): a single partition,
 * or hash/range partitioning on a subset of the keys. */
static bool satisfies_clustered(const struct stream *s, const char *const *keys, size_t n)
{
    if (s->part == PART_SINGLE)
        return true;
    if ((s->part != PART_HASH && s->part != PART_RANGE) || s->n_pkeys == 0)
        return false;
    for (size_t i = 0; i < s->n_pkeys; i++)
        if (!key_in(s->pkeys[i], keys, n))
            return false;
    return true;
}

/* AllTuples: every row in one partition. UnknownPartitioning(1) satisfies
 * it by its partition count (Partitioning.satisfies0). */
static bool satisfies_all(const struct stream *s)
{
    return s->nparts == 1 && s->part != PART_ROUNDROBIN;
}

static bool sorted_by(const struct stream *s, const char *const *keys, size_t n)
{
    if (s->n_sorted < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!name_eq(s->sorted[i], keys[i]))
            return false;
    return true;
}

/* An Exchange or ShuffleRead (k) of the partitioning into op. 0 or -1. */
static int part_op(struct plan_op *op, enum plan_op_kind k, enum pkind kind,
                   const char *const *keys, const bool *desc, size_t n, int64_t nparts)
{
    static const enum plan_part parts[] = {
        [PART_HASH] = PLAN_PART_HASH,
        [PART_RANGE] = PLAN_PART_RANGE,
        [PART_ROUNDROBIN] = PLAN_PART_ROUNDROBIN,
        [PART_SINGLE] = PLAN_PART_SINGLE,
        [PART_UNKNOWN] = PLAN_PART_UNKNOWN,
    };
    memset(op, 0, sizeof *op);
    op->kind = k;
    op->part = parts[kind];
    op->n = nparts;
    if ((kind == PART_HASH || kind == PART_RANGE) &&
        plan_names_set(&op->keys, keys, desc, n, kind == PART_RANGE) != 0) {
        plan_op_fini(op);
        return -1;
    }
    return 0;
}

/* ---- skew and adaptive execution (sim/plan/skew.h) ---------------------------
 *
 * Each exchange records on the stage reading it which shuffle it reads and
 * each reduce partition's share of its rows: HashPartitioning's Murmur3
 * buckets of the key columns' values, or RangePartitioner's bounds. After
 * planning, skew_finish turns the shares into the stage's task weights
 * and, with AQE, applies OptimizeSkewedJoin and CoalesceShufflePartitions
 * to the map outputs' sizes. Spark takes those decisions at run time from
 * the finished map stages' MapOutputStatistics; the sizes they would
 * report are the ones computed here from the data, so deciding at plan time
 * gives the same task lists. */

static enum sc_status plan_salted_aggregate(struct planner *P, const struct lnode *nd,
                                            struct stream *s, double *groups_out, int line);

static int skew_exchange(struct planner *P, int rd, int map, enum pkind kind,
                         const char *const *keys, const bool *desc, size_t n_keys, int64_t nparts,
                         double rows, double bytes, const struct plan_column *cols, size_t n_cols)
{
    struct pstage *r = &P->stages[rd];
    struct pin *v = realloc(r->pins, (r->n_pins + 1) * sizeof *v);
    if (!v)
        return -1;
    r->pins = v;
    struct pin *pin = &v[r->n_pins++];
    memset(pin, 0, sizeof *pin);
    pin->map = map;
    pin->rows = rows;
    pin->bytes = bytes;
    pin->nparts = nparts;
    /* CoalesceShufflePartitions.supportedShuffleOrigins: ENSURE_REQUIREMENTS
     * and REPARTITION_BY_COL, never a single partition or repartition(n). */
    pin->coalescable = (kind == PART_HASH || kind == PART_RANGE) && !P->xchg_by_num && nparts > 1;
    if ((kind != PART_HASH && kind != PART_RANGE) || nparts <= 1 || n_keys == 0 || n_keys > 64)
        return 0;
    struct plan_column kc[64];
    bool kdesc[64];
    for (size_t i = 0; i < n_keys; i++) {
        size_t c = 0;
        while (c < n_cols && !name_eq(cols[c].name, keys[i]))
            c++;
        if (c == n_cols)
            return 0; /* not a column we know: even */
        kc[i] = cols[c];
        kdesc[i] = desc && desc[i];
    }
    double *share = malloc((size_t)nparts * sizeof *share);
    if (!share)
        return -1;
    struct skew_keys k = {kc, n_keys, P->xchg_rows_in > 0.0 ? P->xchg_rows_in : rows, rows,
                          P->xchg_count, P->xchg_buckets, P->xchg_drop_nulls};
    if (kind == PART_HASH) {
        int rc = skew_hash_shares(&k, nparts, share);
        if (rc <= 0) {
            free(share);
            return rc < 0 ? -1 : 0;
        }
    } else {
        /* RangePartitioner.sketch: min(100 x partitions, 1e6) sample
         * points, drawn three times over. */
        double candidates = 3.0 * fmin(RANGE_SAMPLE_PER_PARTITION * (double)nparts, 1e6);
        int64_t m = skew_range_shares(&k, kdesc, nparts, candidates, share);
        if (m < 0) {
            free(share);
            return -1;
        }
        pin->nparts = m;
        P->stages[rd].tasks = m;
    }
    pin->share = share;
    return 0;
}

/* Aggregate functions whose partial buffer holds every value it saw
 * (ObjectHashAggregateExec's collect_list / collect_set): a hot key's rows
 * all travel to its reducer. */
static bool agg_keeps_rows(const struct lnode *nd)
{
    for (size_t i = 0; nd && i < nd->n_calls; i++)
        if (nd->call_used[i] && (strcmp(nd->calls[i].func, "collect_list") == 0 ||
                                 strcmp(nd->calls[i].func, "collect_set") == 0))
            return true;
    return false;
}

/* *DST becomes a copy of SRC's N weights (NULL: even). Returns 0, or -1
 * on memory. */
static int copy_weights(double **dst, const double *src, int64_t n)
{
    free(*dst);
    *dst = NULL;
    if (!src)
        return 0;
    *dst = malloc((size_t)n * sizeof **dst);
    if (!*dst)
        return -1;
    memcpy(*dst, src, (size_t)n * sizeof **dst);
    return 0;
}

/* Task weights (mean 1) from the rows each task reads; NULL when even. */
static double *weights_of(const double *rows, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += rows[i];
    if (!(sum > 0.0) || n == 0)
        return NULL;
    double mean = sum / (double)n, dev = 0.0;
    double *w = malloc(n * sizeof *w);
    if (!w)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        w[i] = rows[i] / mean;
        dev = fmax(dev, fabs(w[i] - 1.0));
    }
    if (dev < 1e-9) {
        free(w);
        return NULL;
    }
    return w;
}

/* One stage: its reduce partitions' rows from its shuffles' shares, and
 * with AQE the task list OptimizeSkewedJoin and CoalesceShufflePartitions
 * make of them. Returns 0, or -1 on memory. */
static int skew_stage(struct planner *P, int i)
{
    struct pstage *st = &P->stages[i];
    size_t n = (size_t)st->tasks, np = st->n_pins;
    if (np == 0)
        return 0;
    /* The shuffles' partitions zip into the tasks (a sort-merge join's two
     * sides); a union or a coalesce(n) changed that: even. */
    for (size_t k = 0; k < np; k++)
        if (st->pins[k].nparts != st->tasks)
            return 0;
    struct aqe_side *sides = calloc(np, sizeof *sides);
    double *bytes = calloc(np * n + 1, sizeof *bytes);
    if (!sides || !bytes) {
        free(sides);
        free(bytes);
        return -1;
    }
    bool coalescable = P->aqe && st->input_bytes <= 0.0 && !st->reads_cache;
    for (size_t k = 0; k < np; k++) {
        const struct pin *pin = &st->pins[k];
        for (size_t q = 0; q < n; q++)
            /* MapStatus sizes are whole bytes. */
            bytes[k * n + q] = floor(pin->bytes * (pin->share ? pin->share[q] : 1.0 / (double)n));
        sides[k].bytes = &bytes[k * n];
        sides[k].rows_per_byte = pin->bytes > 0.0 ? pin->rows / pin->bytes : 0.0;
        sides[k].map_tasks = P->stages[pin->map].tasks;
        sides[k].can_split = np == 2 && (st->smj_split & (1 << k));
        coalescable &= pin->coalescable;
    }
    bool skew_join = P->aqe && np == 2 && st->smj_split != 0;
    struct aqe_result res;
    int rc = aqe_plan_read(&P->aqe_conf, sides, np, n, coalescable, skew_join, &res);
    free(sides);
    free(bytes);
    if (rc != 0)
        return -1;
    free(st->weights);
    st->weights = weights_of(res.task_rows, res.n_tasks);
    if (res.n_tasks != n && res.n_tasks > 0) {
        /* Each task now holds the partitions it reads. */
        st->mem_per_task *= (double)n / (double)res.n_tasks;
        st->aqe_before = (int64_t)n;
        st->tasks = (int64_t)res.n_tasks;
    }
    st->aqe_skewed = (int64_t)res.skewed;
    st->aqe_skew_tasks = (int64_t)res.skew_tasks;
    free(res.task_rows);
    return 0;
}

/* Every live stage; a sampling stage runs its map stage's tasks. */
static int skew_finish(struct planner *P)
{
    for (size_t i = 0; i < P->n_stages; i++)
        if (!P->stages[i].dead && skew_stage(P, (int)i) != 0)
            return -1;
    for (size_t m = 0; m < P->n_stages; m++) {
        const struct pstage *ms = &P->stages[m];
        if (ms->dead || ms->sample < 0 || P->stages[ms->sample].dead)
            continue;
        struct pstage *ss = &P->stages[ms->sample];
        if (ss->tasks != ms->tasks && ms->aqe_before == 0)
            continue;
        if (ms->aqe_before > 0)
            ss->mem_per_task *= (double)ms->aqe_before / (double)ms->tasks;
        ss->tasks = ms->tasks;
        ss->aqe_before = ms->aqe_before;
        ss->aqe_skewed = ms->aqe_skewed;
        ss->aqe_skew_tasks = ms->aqe_skew_tasks;
        if (copy_weights(&ss->weights, ms->weights, ms->tasks) != 0)
            return -1;
    }
    return 0;
}

/* Closes s's open stage with an Exchange of rows (bytes of the carried
 * columns) and opens the stage that reads it; returns the reading stage or
 * -1. With `sample`, the RangePartitioner's sampling stage is made first
 * from a copy of the open stage. */
static int exchange(struct planner *P, struct stream *s, enum pkind kind, const char *const *keys,
                    const bool *desc, size_t n_keys, int64_t nparts, double rows,
                    const struct plan_column *cols, const bool *req, size_t n_cols, int line)
{
    int map = s->stage;
    /* Range partitioning samples its input first (RangePartitioner.sketch
     * runs a job over the input RDD; none for a single partition). */
    if (kind == PART_RANGE && nparts > 1) {
        int sample = stage_new(P, P->stages[map].tasks, ROLE_SAMPLE, line);
        if (sample < 0)
            return -1;
        struct pstage *m = &P->stages[map], *sm = &P->stages[sample];
        for (size_t i = 0; i < m->n_parents; i++)
            if (stage_parent(P, sample, P->stages[map].parents[i]) != 0)
                return -1;
        m = &P->stages[map];
        sm = &P->stages[sample];
        for (size_t i = 0; i < m->n_ops; i++) {
            struct plan_op copy;
            if (plan_op_copy(&copy, &m->ops[i]) != 0 ||
                stage_op(P, sample, &copy, NULL, 0.0, 0.0) != 0)
                return -1;
            m = &P->stages[map];
        }
        sm = &P->stages[sample];
        sm->input_bytes = m->input_bytes;
        sm->read_bytes = m->read_bytes;
        sm->in_rows = m->in_rows;
        sm->kernel = m->kernel;
        sm->kernel_rows = m->kernel_rows;
        sm->best_cost = m->best_cost;
        sm->mem_per_task = m->mem_per_task;
        /* sampleSize = min(hint x partitions, 1e6); per input partition
         * ceil(3 x sampleSize / input partitions). */
        double sample_size = fmin(RANGE_SAMPLE_PER_PARTITION * (double)nparts, 1e6);
        double per = ceil(3.0 * sample_size / (double)m->tasks);
        sm->out_rows = fmin(rows, per * (double)m->tasks);
        struct plan_op so = {.kind = PLAN_OP_RANGE_SAMPLE, .per_partition = per, .n = nparts};
        if (stage_op(P, sample, &so, NULL, 0.0, 0.0) != 0 || stage_seal(P, sample) != 0 ||
            stage_parent(P, map, sample) != 0)
            return -1;
        P->stages[map].sample = sample;
    }
    double bytes = shuffle_bytes(P, cols, req, n_cols, rows);
    struct plan_op xo;
    if (part_op(&xo, PLAN_OP_EXCHANGE, kind, keys, desc, n_keys, nparts) != 0 ||
        stage_op(P, map, &xo, "shuffle_write", rows, 0.0) != 0)
        return -1;
    struct pstage *m = &P->stages[map];
    m->role = ROLE_MAP;
    m->write_bytes += bytes;
    m->out_rows += rows;
    if (stage_seal(P, map) != 0)
        return -1;
    map = stage_reuse(P, map);
    int rd = stage_new(P, nparts, ROLE_PIPE, line);
    if (rd < 0 || stage_parent(P, rd, map) != 0)
        return -1;
    struct pstage *r = &P->stages[rd];
    r->read_bytes += bytes;
    r->in_rows += rows;
    struct plan_op ro;
    int rc = part_op(&ro, PLAN_OP_SHUFFLE_READ, kind, keys, desc, n_keys, nparts);
    if (rc == 0)
        rc = stage_op(P, rd, &ro, "shuffle_read", rows, 0.0);
    if (rc != 0 ||
        skew_exchange(P, rd, map, kind, keys, desc, n_keys, nparts, rows, bytes, cols, n_cols) != 0)
        return -1;
    s->stage = rd;
    s->part = kind == PART_SINGLE ? PART_SINGLE : kind;
    s->pkeys = keys;
    s->n_pkeys = kind == PART_HASH || kind == PART_RANGE ? n_keys : 0;
    s->nparts = P->stages[rd].tasks; /* a range may make fewer */
    s->n_sorted = 0;
    return rd;
}

/* ---- physical planning -------------------------------------------------- */

static enum sc_status phys(struct planner *P, int node, struct stream *out);

/* JoinSelection's canBuildBroadcastLeft / Right. */
static bool can_build_left(const char *how)
{
    return strcmp(how, "inner") == 0 || strcmp(how, "cross") == 0 || strcmp(how, "right") == 0 ||
           strcmp(how, "right_outer") == 0;
}

static bool can_build_right(const char *how)
{
    return strcmp(how, "inner") == 0 || strcmp(how, "cross") == 0 || strcmp(how, "left") == 0 ||
           strcmp(how, "left_outer") == 0 || strcmp(how, "left_semi") == 0 ||
           strcmp(how, "left_anti") == 0;
}

/* canBroadcastBySize: sizeInBytes >= 0 && <= autoBroadcastJoinThreshold
 * (a negative threshold turns broadcasts off). */
static bool can_broadcast(const struct planner *P, double spark_size)
{
    return P->broadcast_threshold >= 0 && spark_size >= 0.0 &&
           spark_size <= (double)P->broadcast_threshold;
}

/* The calls of nd that are used, copied into op. 0 or -1. */
static int op_calls(struct plan_op *op, const struct lnode *nd)
{
    size_t n = 0;
    for (size_t i = 0; nd && i < nd->n_calls; i++)
        n += nd->call_used[i];
    if (n == 0)
        return 0;
    if (!(op->calls = malloc(n * sizeof *op->calls)))
        return -1;
    for (size_t i = 0; i < nd->n_calls; i++)
        if (nd->call_used[i])
            op->calls[op->n_calls++] = nd->calls[i];
    return 0;
}

/* Appends the partial (or final) HashAggregate of nd on keys. */
static int stage_agg(struct planner *P, int stage, const struct lnode *nd,
                     const char *const *keys, size_t n_keys, bool partial, double rows,
                     double mem)
{
    struct plan_op op = {.kind = PLAN_OP_HASH_AGGREGATE, .final = !partial};
    if (op_calls(&op, nd) != 0) {
        plan_op_fini(&op);
        return -1;
    }
    return stage_op_keys(P, stage, &op, keys, NULL, n_keys, false, "hash_aggregate", rows, mem);
}

/* Columns of a partial aggregate's output: the keys and one buffer per
 * function (two for avg: sum and count). */
static int partial_cols(const struct stream *in, const struct lnode *nd, const char *const *keys,
                        size_t n_keys, struct plan_column **out, size_t *n_out)
{
    size_t n = n_keys + 2 * (nd ? nd->n_calls : 0) + 1;
    struct plan_column *cols = calloc(n, sizeof *cols);
    if (!cols)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n_keys; i++)
        for (size_t c = 0; c < in->n_cols; c++)
            if (name_eq(in->cols[c].name, keys[i])) {
                cols[k++] = in->cols[c];
                break;
            }
    for (size_t i = 0; nd && i < nd->n_calls; i++) {
        if (!nd->call_used[i])
            continue;
        struct plan_column buf = {nd->calls[i].alias, COL_INT64, NULL, NAN, NAN, 8.0, 0.0};
        if (strcmp(nd->calls[i].func, "avg") == 0 || strcmp(nd->calls[i].func, "mean") == 0) {
            buf.type = COL_DOUBLE;
            cols[k++] = buf;
            buf.type = COL_INT64;
        } else if (strcmp(nd->calls[i].func, "count") != 0) {
            buf.type = COL_DOUBLE;
        }
        cols[k++] = buf;
    }
    *out = cols;
    *n_out = k;
    return 0;
}

/* An aggregate on keys (none: global), partial before the exchange and
 * final after it. `nd` gives the functions (NULL: none, as for distinct). */
static enum sc_status plan_aggregate(struct planner *P, const struct lnode *nd,
                                     const char *const *keys, size_t n_keys, struct stream *s,
                                     double *groups_out, int line)
{
    struct pstage *open = &P->stages[s->stage];
    double tasks = (double)open->tasks;
    /* Key columns' estimates, for the group count. */
    struct plan_column kc[64];
    memset(kc, 0, sizeof kc);
    size_t nk = 0;
    for (size_t i = 0; i < n_keys && nk < 64; i++)
        for (size_t c = 0; c < s->n_cols; c++)
            if (name_eq(s->cols[c].name, keys[i])) {
                kc[nk++] = s->cols[c];
                break;
            }
    double groups = P->st->group_count(P->st->ctx, kc, nk, s->rows);
    double per_task = P->st->group_count(P->st->ctx, kc, nk, s->rows / tasks);
    double partial_rows = fmin(s->rows, per_task * tasks);
    /* collect_list / collect_set buffers hold every value they saw: what
     * the partial aggregate sends is as large as its input (sim/plan/skew.h). */
    if (agg_keeps_rows(nd))
        partial_rows = s->rows;
    if (n_keys == 0)
        partial_rows = s->rows > 0.0 ? tasks : 0.0;
    struct plan_column *pcols;
    size_t npc;
    if (partial_cols(s, nd, keys, n_keys, &pcols, &npc) != 0)
        return nomem(P);
    double agg_row = row_bytes(pcols, NULL, npc);
    if (stage_agg(P, s->stage, nd, keys, n_keys, true, s->rows,
                  per_task * agg_row * HASH_MAP_OVERHEAD) != 0) {
        free(pcols);
        return nomem(P);
    }
    bool satisfied = n_keys == 0 ? satisfies_all(s) : satisfies_clustered(s, keys, n_keys);
    if (!satisfied) {
        /* The partial aggregate sends each key once per map task that saw
         * it (sim/plan/skew.h), unless its buffers keep every row. */
        P->xchg_count = agg_keeps_rows(nd) ? SKEW_ROWS : SKEW_GROUPS;
        P->xchg_buckets = tasks;
        P->xchg_rows_in = s->rows;
        int rc = n_keys == 0 ? exchange(P, s, PART_SINGLE, NULL, NULL, 0, 1, partial_rows, pcols,
                                        NULL, npc, line)
                             : exchange(P, s, PART_HASH, keys, NULL, n_keys, P->shuffle_partitions,
                                        partial_rows, pcols, NULL, npc, line);
        P->xchg_count = SKEW_ROWS;
        P->xchg_buckets = P->xchg_rows_in = 0.0;
        if (rc < 0) {
            free(pcols);
            return nomem(P);
        }
    }
    free(pcols);
    double per_final = groups / (double)P->stages[s->stage].tasks;
    if (stage_agg(P, s->stage, nd, keys, n_keys, false, partial_rows,
                  per_final * agg_row * HASH_MAP_OVERHEAD) != 0)
        return nomem(P);
    if (n_keys == 0) {
        s->part = PART_SINGLE;
        s->n_pkeys = 0;
    }
    s->n_sorted = 0;
    *groups_out = groups;
    return SC_OK;
}

/* The columns of nd that are carried, into l. 0 or -1. */
static int carried_names(const struct lnode *nd, struct plan_names *l)
{
    for (size_t i = 0; i < nd->n_out; i++)
        if (nd->req[i] && plan_names_add(l, nd->out[i].name, false, false) != 0)
            return -1;
    return 0;
}

static double sort_mem(const struct stream *s, int64_t tasks)
{
    return s->rows / (double)tasks * (row_bytes(s->cols, s->req, s->n_cols) + SORT_BYTES_PER_ROW);
}

static enum sc_status plan_scan(struct planner *P, int node, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct table_spec *t = nd->table;
    double rows = (double)t->rows;
    double all_w = 0.0, req_w = 0.0;
    for (size_t i = 0; i < t->n_columns; i++) {
        double w = plan_stats_column_width(&t->columns[i], rows);
        all_w += w;
        if (nd->req[i])
            req_w += w;
    }
    double total = t->size_bytes > 0 ? (double)t->size_bytes : rows * all_w;
    int64_t total_bytes = (int64_t)llround(total);
    int64_t parts =
        planner_input_partitions(total_bytes, planner_table_files(total_bytes),
                                 P->max_partition_bytes, P->open_cost, P->min_partitions);
    int stage = stage_new(P, parts, ROLE_PIPE, nd->step ? nd->step->line : P->job->line);
    if (stage < 0)
        return nomem(P);
    const char *format = t->format ? t->format : "parquet";
    /* Columnar files are read column by column: only the pruned columns'
     * share of the bytes; a CSV is read whole. */
    double read = strcmp(format, "csv") == 0 ? total : all_w > 0.0 ? total * req_w / all_w : 0.0;
    struct pstage *st = &P->stages[stage];
    st->input_bytes += read;
    st->in_rows += rows;
    struct plan_op op = {.kind = PLAN_OP_SCAN, .format = strdup(format), .table = strdup(t->name)};
    if (!op.format || !op.table || carried_names(nd, &op.cols) != 0) {
        plan_op_fini(&op);
        return nomem(P);
    }
    if (stage_op(P, stage, &op, "scan", rows, 0.0) != 0)
        return nomem(P);
    memset(out, 0, sizeof *out);
    if (stream_cols(out, nd, NULL, NULL) != 0)
        return nomem(P);
    for (size_t i = 0; i < t->n_columns; i++) {
        struct plan_column *pc = &out->cols[i];
        pc->spec = &t->columns[i];
        pc->table_rows = rows;
        pc->ndv = plan_stats_column_ndv(&t->columns[i], rows);
        pc->width_bytes = plan_stats_column_width(&t->columns[i], rows);
        pc->null_fraction = t->columns[i].null_fraction;
    }
    out->stage = stage;
    out->rows = rows;
    out->req = nd->req;
    /* LogicalRelation's size is the files' size; the pruning Project above
     * it scales by row width (visitUnaryNode). */
    out->spark_size =
        total * spark_row(nd->out, nd->req, nd->n_out) / spark_row(nd->out, NULL, nd->n_out);
    out->part = PART_UNKNOWN;
    out->nparts = parts;
    return SC_OK;
}

/* Spark's visitUnaryNode: the child's size scaled by output/input row width. */
static double scale_size(double size, const struct lnode *nd, const struct lnode *child)
{
    double in = spark_row(child->out, child->req, child->n_out);
    double out = spark_row(nd->out, nd->req, nd->n_out);
    double s = size * out / in;
    return s < 1.0 ? 1.0 : s;
}

/* A broadcast: closes the build side's open stage as a broadcast job. */
static int broadcast(struct planner *P, struct stream *b, const char *const *keys, size_t n_keys,
                     int line)
{
    struct plan_op op = {.kind = PLAN_OP_BROADCAST};
    if (stage_op_keys(P, b->stage, &op, keys, NULL, n_keys, false, NULL, 0.0, 0.0) != 0)
        return -1;
    struct pstage *st = &P->stages[b->stage];
    st->role = ROLE_BROADCAST;
    st->out_rows += b->rows;
    st->line = st->line ? st->line : line;
    if (stage_seal(P, b->stage) != 0)
        return -1;
    return stage_reuse(P, b->stage);
}

/* OptimizeShuffleWithLocalRead's local reader of a shuffle of n reduce
 * partitions written by m map tasks: each map output read where it lies,
 * split into max(1, n / m) ranges of reducers (equallyDivide) when n >= m.
 * Returns the tasks and fills w (m x splits, allocated; NULL when even)
 * with each task's rows from the pin's shares. */
static int64_t local_read(const struct pin *pin, int64_t m, double **w)
{
    int64_t n = pin->nparts, k = n >= m ? n / m : 1;
    *w = NULL;
    if (!pin->share || k <= 1)
        return m * k;
    double *slice = calloc((size_t)k, sizeof *slice);
    double *rows = malloc((size_t)(m * k) * sizeof *rows);
    if (slice && rows) {
        int64_t per = n / k, rem = n % k;
        for (int64_t j = 0, at = 0; j < k; j++) {
            int64_t len = per + (j < rem ? 1 : 0);
            for (int64_t i = at; i < at + len; i++)
                slice[j] += pin->share[i];
            at += len;
        }
        for (int64_t t = 0; t < m * k; t++)
            rows[t] = slice[t % k];
        *w = weights_of(rows, (size_t)(m * k));
    }
    free(slice);
    free(rows);
    return m * k;
}

/* AQE's runtime switch of a sort-merge join to a broadcast hash join: once
 * both sides' shuffle map stages ran, the join is planned again with their
 * actual sizes (LogicalQueryStage's stats: the map outputs' bytes), and a
 * side at most spark.sql.adaptive.autoBroadcastJoinThreshold is broadcast
 * (JoinSelection; the smaller if both may be). Both shuffles still run;
 * the build side is read locally and broadcast, the probe side read
 * locally by its map tasks (OptimizeShuffleWithLocalRead), no sort. Only
 * for two exchanged sides; *done says whether it applied. */
static enum sc_status aqe_broadcast_join(struct planner *P, int node, struct stream *l,
                                         struct stream *r, struct stream *out, bool *done)
{
    const struct lnode *nd = &P->nodes[node];
    const char *how = nd->how;
    int line = nd->step->line;
    *done = false;
    int64_t thr = P->aqe_broadcast_threshold;
    if (thr < 0 || l->part == PART_HASH || r->part == PART_HASH)
        return SC_OK;
    double lb = shuffle_bytes(P, l->cols, l->req, l->n_cols, l->rows);
    double rb = shuffle_bytes(P, r->cols, r->req, r->n_cols, r->rows);
    bool bl = can_build_left(how) && lb <= (double)thr;
    bool br = can_build_right(how) && rb <= (double)thr;
    if (bl && br) {
        br = rb <= lb; /* getSmallerSide */
        bl = !br;
    }
    if (!bl && !br)
        return SC_OK;
    int64_t n = P->shuffle_partitions;
    P->xchg_drop_nulls = can_build_right(how) && strcmp(how, "left") != 0 &&
                         strcmp(how, "left_outer") != 0 && strcmp(how, "left_anti") != 0;
    P->xchg_drop_nulls |= strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0;
    int lx = exchange(P, l, PART_HASH, nd->keys, NULL, nd->n_keys, n, l->rows, l->cols, l->req,
                      l->n_cols, line);
    P->xchg_drop_nulls = strcmp(how, "full") != 0 && strcmp(how, "full_outer") != 0 &&
                         strcmp(how, "right") != 0 && strcmp(how, "right_outer") != 0;
    int rx = lx < 0 ? -1
                    : exchange(P, r, PART_HASH, nd->okeys, NULL, nd->n_okeys, n, r->rows, r->cols,
                               r->req, r->n_cols, line);
    P->xchg_drop_nulls = false;
    if (rx < 0)
        return nomem(P);
    struct stream *b = br ? r : l, *s = br ? l : r;
    /* Both reads are local: a task per map output (or a range of its
     * reducers), no AQE coalescing. */
    for (int side = 0; side < 2; side++) {
        struct pstage *st = &P->stages[side ? b->stage : s->stage];
        if (st->n_pins != 1)
            continue;
        double *w = NULL;
        int64_t tasks = local_read(&st->pins[0], P->stages[st->pins[0].map].tasks, &w);
        free(st->pins[0].share);
        free(st->pins);
        st->pins = NULL;
        st->n_pins = 0;
        free(st->weights);
        st->weights = w;
        st->aqe_before = st->tasks;
        st->tasks = tasks;
        st->aqe_bcast = side == 0;
    }
    int bst = broadcast(P, b, br ? nd->okeys : nd->keys, nd->n_keys, line);
    if (bst < 0 || stage_parent(P, s->stage, bst) != 0)
        return nomem(P);
    struct plan_op op = {.kind = PLAN_OP_BROADCAST_HASH_JOIN,
                         .join = plan_join_from_how(how),
                         .build_left = !br};
    if (stage_op_keys(P, s->stage, &op, nd->keys, NULL, nd->n_keys, false, "broadcast_hash_join",
                      s->rows, 0.0) != 0)
        return nomem(P);
    double rows = out->rows, size = out->spark_size;
    stream_fini(out);
    memset(out, 0, sizeof *out);
    if (stream_cols(out, nd, l, r) != 0)
        return nomem(P);
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = cap_ndv(out->cols[i].ndv, rows);
    out->req = nd->req;
    out->rows = rows;
    out->spark_size = size;
    out->stage = s->stage;
    out->part = PART_UNKNOWN;
    out->nparts = P->stages[s->stage].tasks;
    *done = true;
    return SC_OK;
}

/* One side of a sort-merge join: hash-exchanged on KEYS into N partitions
 * unless it already is (KEPT), then sorted on them unless it already is.
 * P->xchg_drop_nulls says whether the exchange drops null keys; it is
 * cleared. Returns 0, or -1 on memory. */
static int smj_side(struct planner *P, struct stream *s, bool kept, const char *const *keys,
                    size_t n_keys, int64_t n, int line)
{
    int x = kept ? 0
                 : exchange(P, s, PART_HASH, keys, NULL, n_keys, n, s->rows, s->cols, s->req,
                            s->n_cols, line);
    P->xchg_drop_nulls = false;
    if (x < 0)
        return -1;
    if (kept && sorted_by(s, keys, n_keys))
        return 0;
    struct plan_op op = {.kind = PLAN_OP_SORT};
    return stage_op_keys(P, s->stage, &op, keys, NULL, n_keys, true, "sort", s->rows,
                         sort_mem(s, P->stages[s->stage].tasks));
}

static enum sc_status plan_join(struct planner *P, int node, struct stream *l, struct stream *r,
                                struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const char *how = nd->how;
    int line = nd->step->line;
    bool cross = strcmp(how, "cross") == 0 || nd->n_keys == 0;
    /* Key columns' estimates for the join size. */
    struct plan_column lk[64], rk[64];
    memset(lk, 0, sizeof lk);
    memset(rk, 0, sizeof rk);
    size_t nk = 0;
    for (size_t i = 0; i < nd->n_keys && nk < 64; i++) {
        int a = find_lcol(P->nodes[nd->child].out, P->nodes[nd->child].n_out, nd->keys[i]);
        int b = find_lcol(P->nodes[nd->right].out, P->nodes[nd->right].n_out, nd->okeys[i]);
        lk[nk] = l->cols[a];
        rk[nk++] = r->cols[b];
    }
    double rows = P->st->join_rows(P->st->ctx, cross ? "cross" : how, l->rows, r->rows, lk, rk, nk);
    memset(out, 0, sizeof *out);
    if (stream_cols(out, nd, l, r) != 0)
        return nomem(P);
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = cap_ndv(out->cols[i].ndv, rows);
    out->req = nd->req;
    out->rows = rows;
    bool semi = strcmp(how, "left_semi") == 0 || strcmp(how, "left_anti") == 0;
    /* visitJoin: semi/anti keep the left's size, others multiply. */
    out->spark_size = semi ? l->spark_size : l->spark_size * r->spark_size;
    if (out->spark_size < 1.0)
        out->spark_size = 1.0;

    bool build_left = can_build_left(how) && can_broadcast(P, l->spark_size);
    bool build_right = can_build_right(how) && can_broadcast(P, r->spark_size);
    if (build_left && build_right) {
        /* getSmallerSide: the right unless the left is strictly smaller. */
        build_left = !(r->spark_size <= l->spark_size);
        build_right = !build_left;
    }
    enum plan_join jt = plan_join_from_how(cross ? "cross" : how);
    if (build_left || build_right) {
        struct stream *b = build_right ? r : l, *s = build_right ? l : r;
        int bst = broadcast(P, b, build_right ? nd->okeys : nd->keys, cross ? 0 : nd->n_keys, line);
        if (bst < 0 || stage_parent(P, s->stage, bst) != 0)
            return nomem(P);
        struct plan_op op = {.kind = cross ? PLAN_OP_NESTED_LOOP_JOIN
                                           : PLAN_OP_BROADCAST_HASH_JOIN,
                             .join = jt,
                             .build_left = !build_right};
        double work = cross ? s->rows * b->rows : s->rows;
        if (stage_op_keys(P, s->stage, &op, nd->keys, NULL, cross ? 0 : nd->n_keys, false,
                          "broadcast_hash_join", work, 0.0) != 0)
            return nomem(P);
        out->stage = s->stage;
        out->part = s->part;
        out->pkeys = s->pkeys;
        out->n_pkeys = s->n_pkeys;
        out->nparts = s->nparts;
        out->sorted = s->sorted;
        out->n_sorted = s->n_sorted;
        return SC_OK;
    }
    if (!cross && P->aqe) {
        bool done = false;
        enum sc_status arc = aqe_broadcast_join(P, node, l, r, out, &done);
        if (arc != SC_OK || done)
            return arc;
    }
    if (cross) {
        /* CartesianProductExec: one task per pair of input partitions, in
         * one stage with both inputs' pipelines. */
        int64_t tl = P->stages[l->stage].tasks, tr = P->stages[r->stage].tasks;
        if (tl > SCN_MAX_TASKS_PER_STAGE / (tr ? tr : 1))
            return diag_set(P->d, SC_ELIMIT, P->s->file, line,
                            "the cartesian product of job '%s' would have %lld x %lld tasks, "
                            "more than %lld",
                            P->job->name, (long long)tl, (long long)tr,
                            (long long)SCN_MAX_TASKS_PER_STAGE);
        if (stage_merge(P, l->stage, r->stage, tl * tr, (double)tr, (double)tl) != 0 ||
            stage_op_n(P, l->stage, PLAN_OP_CARTESIAN, 0, "broadcast_hash_join",
                       l->rows * r->rows) != 0)
            return nomem(P);
        out->stage = l->stage;
        out->part = PART_UNKNOWN;
        out->nparts = tl * tr;
        return SC_OK;
    }
    /* Sort-merge join: both sides clustered on the keys and co-partitioned
     * (EnsureRequirements); a side already hash-partitioned on exactly the
     * keys is kept, and the other side takes max(its partitions,
     * spark.sql.shuffle.partitions). */
    bool l_ok = l->part == PART_HASH && l->n_pkeys == nd->n_keys &&
                satisfies_clustered(l, nd->keys, nd->n_keys);
    bool r_ok = r->part == PART_HASH && r->n_pkeys == nd->n_okeys &&
                satisfies_clustered(r, nd->okeys, nd->n_okeys);
    int64_t n = P->shuffle_partitions;
    if (l_ok && r_ok)
        n = l->nparts > r->nparts ? l->nparts : r->nparts;
    else if (l_ok)
        n = l->nparts > n ? l->nparts : n;
    else if (r_ok)
        n = r->nparts > n ? r->nparts : n;
    l_ok = l_ok && l->nparts == n;
    r_ok = r_ok && r->nparts == n;
    /* A side whose unmatched rows the join drops gets Spark's inferred
     * isnotnull(key) filter (InferFiltersFromConstraints): its null keys
     * never reach the shuffle. */
    P->xchg_drop_nulls = can_build_right(how) && strcmp(how, "left") != 0 &&
                         strcmp(how, "left_outer") != 0 && strcmp(how, "left_anti") != 0;
    P->xchg_drop_nulls |= strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0;
    if (smj_side(P, l, l_ok, nd->keys, nd->n_keys, n, line) != 0)
        return nomem(P);
    P->xchg_drop_nulls = strcmp(how, "full") != 0 && strcmp(how, "full_outer") != 0 &&
                         strcmp(how, "right") != 0 && strcmp(how, "right_outer") != 0;
    if (smj_side(P, r, r_ok, nd->okeys, nd->n_okeys, n, line) != 0)
        return nomem(P);
    /* Both inputs now have n partitions: the join's tasks zip them. */
    if (stage_merge(P, l->stage, r->stage, n, 1.0, 1.0) != 0)
        return nomem(P);
    /* OptimizeSkewedJoin's canSplitLeftSide / canSplitRightSide, for a join
     * of two exchanges (its pins: left, then right). */
    if (!l_ok && !r_ok)
        P->stages[l->stage].smj_split =
            (can_build_right(how) ? 1 : 0) |
            (strcmp(how, "inner") == 0 || strcmp(how, "cross") == 0 || strcmp(how, "right") == 0 ||
                     strcmp(how, "right_outer") == 0
                 ? 2
                 : 0);
    struct plan_op op = {.kind = PLAN_OP_SORT_MERGE_JOIN, .join = jt};
    if (stage_op_keys(P, l->stage, &op, nd->keys, NULL, nd->n_keys, false, "sort_merge_join",
                      l->rows + r->rows, 0.0) != 0)
        return nomem(P);
    out->stage = l->stage;
    out->part = PART_HASH;
    out->pkeys = nd->keys;
    out->n_pkeys = nd->n_keys;
    out->nparts = n;
    out->sorted = nd->keys;
    out->n_sorted = nd->n_keys;
    return SC_OK;
}

/* Whether node c's own operator reads its output column i, which it must
 * then produce even when nothing above uses it. */
static bool uses_own_output(const struct lnode *c, size_t i)
{
    const char *name = c->out[i].name;
    const struct query_step *q = c->step;
    switch (c->kind) {
    case LK_FILTER: return plan_expr_refers(q->where, name);
    case LK_WITH_COLUMN: return plan_expr_refers(q->expr, name);
    case LK_AGG: return i < c->n_keys; /* the grouping keys are always output */
    case LK_DISTINCT: return c->n_keys == 0 || key_in(name, c->keys, c->n_keys);
    case LK_JOIN: return key_in(name, c->keys, c->n_keys);
    case LK_SORT:
    case LK_REPARTITION: return key_in(name, c->keys, c->n_keys);
    case LK_WINDOW: return key_in(name, c->keys, c->n_keys) || key_in(name, c->okeys, c->n_okeys);
    default: return false;
    }
}

static enum sc_status plan_cache(struct planner *P, int node, const struct stream *s,
                                 struct stream *out);

/* Everything but scans and joins: a unary node over stream s (consumed). */
static enum sc_status plan_unary(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
    const struct query_step *q = nd->step;
    int line = q ? q->line : P->job->line;
    memset(out, 0, sizeof *out);
    if (stream_cols(out, nd, s, NULL) != 0)
        return nomem(P);
    out->stage = s->stage;
    out->rows = s->rows;
    out->req = nd->req;
    out->spark_size = s->spark_size;
    out->part = s->part;
    out->pkeys = s->pkeys;
    out->n_pkeys = s->n_pkeys;
    out->nparts = s->nparts;
    out->sorted = s->sorted;
    out->n_sorted = s->n_sorted;
    if (nd->skip)
        return SC_OK;
    switch (nd->kind) {
    case LK_FILTER: {
        double sel = P->st->filter_selectivity(P->st->ctx, q->where, s->cols, s->n_cols, s->rows);
        if (!(sel >= 0.0))
            sel = PLAN_STATS_DEFAULT_SELECTIVITY;
        if (sel > 1.0)
            sel = 1.0;
        struct plan_op op = {.kind = PLAN_OP_FILTER, .where = strdup(q->where)};
        if (!op.where || stage_op(P, s->stage, &op, "filter", s->rows, 0.0) != 0)
            return nomem(P);
        out->rows = s->rows * sel;
        for (size_t i = 0; i < out->n_cols; i++)
            out->cols[i].ndv = cap_ndv(out->cols[i].ndv, out->rows);
        /* visitFilter keeps the child's size (no selectivity without CBO). */
        return SC_OK;
    }
    case LK_SELECT: {
        /* A projection that keeps every column its input produces is a
         * no-op (RemoveNoopOperators); pruning has already narrowed the
         * input to what is used above, so a Project remains only where the
         * input operator itself needed more (a join's key, a filter's
         * column). */
        size_t kept = 0, kin = 0;
        for (size_t i = 0; i < nd->n_out; i++)
            kept += nd->req[i];
        for (size_t i = 0; i < c->n_out; i++)
            kin += c->req[i] || (!c->skip && uses_own_output(c, i));
        out->spark_size = scale_size(s->spark_size, nd, c);
        if (kept == kin)
            return SC_OK;
        const char **names = calloc(nd->n_out + 1, sizeof *names);
        if (!names)
            return nomem(P);
        size_t k = 0;
        for (size_t i = 0; i < nd->n_out; i++)
            if (nd->req[i])
                names[k++] = nd->out[i].name;
        int rc = stage_project(P, s->stage, names, k, true, s->rows);
        free(names);
        return rc != 0 ? nomem(P) : SC_OK;
    }
    case LK_WITH_COLUMN: {
        int k = find_lcol(nd->out, nd->n_out, q->name);
        double ndv = P->st->expr_ndv(P->st->ctx, q->expr, s->cols, s->n_cols, s->rows);
        out->cols[k].ndv = isnan(ndv) ? s->rows : cap_ndv(ndv, s->rows);
        out->cols[k].width_bytes = plan_stats_type_width(out->cols[k].type);
        out->cols[k].spec = NULL;
        out->cols[k].null_fraction = 0.0;
        out->spark_size = scale_size(s->spark_size, nd, c);
        struct sbuf t = {0};
        sb_add(&t, "%s AS %s", q->expr, q->name);
        char *item = sb_take(&t);
        const char *items[1] = {item};
        int rc = item ? stage_project(P, s->stage, items, 1, false, s->rows) : -1;
        free(item);
        return rc != 0 ? nomem(P) : SC_OK;
    }
    case LK_AGG:
    case LK_DISTINCT: {
        if (nd->kind == LK_DISTINCT && nd->n_keys == 0) {
            /* Distinct over every column (ReplaceDistinctWithAggregate);
             * the node keeps the key list, which the partitioning names. */
            const char **all = calloc(c->n_out + 1, sizeof *all);
            if (!all)
                return nomem(P);
            for (size_t i = 0; i < c->n_out; i++)
                all[i] = c->out[i].name;
            struct lnode *mnd = &P->nodes[node];
            free(mnd->keys);
            mnd->keys = all;
            mnd->n_keys = c->n_out;
            nd = mnd;
        }
        double groups;
        enum sc_status rc =
            nd->kind == LK_AGG && q && q->salt > 1 && nd->n_keys > 0
                ? plan_salted_aggregate(P, nd, s, &groups, line)
                : plan_aggregate(P, nd->kind == LK_AGG ? nd : NULL, nd->keys, nd->n_keys, s,
                                 &groups, line);
        if (rc != SC_OK)
            return rc;
        out->stage = s->stage;
        out->part = s->part;
        out->pkeys = s->pkeys;
        out->n_pkeys = s->n_pkeys;
        out->nparts = s->nparts;
        out->n_sorted = 0;
        out->rows = groups;
        for (size_t i = 0; i < out->n_cols; i++) {
            if (isnan(out->cols[i].ndv))
                out->cols[i].ndv = groups;
            out->cols[i].ndv = cap_ndv(out->cols[i].ndv, groups);
        }
        if (nd->kind == LK_AGG && nd->n_keys == 0)
            out->spark_size = spark_row(nd->out, nd->req, nd->n_out);
        else
            out->spark_size = scale_size(s->spark_size, nd, c);
        return SC_OK;
    }
    case LK_SORT: {
        /* OrderedDistribution: range partitioning, unless one partition
         * holds everything already. */
        if (s->part != PART_SINGLE || s->nparts != 1) {
            if (exchange(P, out, PART_RANGE, nd->keys, nd->keys_desc, nd->n_keys,
                         P->shuffle_partitions, s->rows, s->cols, s->req, s->n_cols, line) < 0)
                return nomem(P);
        }
        struct plan_op op = {.kind = PLAN_OP_SORT};
        if (stage_op_keys(P, out->stage, &op, nd->keys, nd->keys_desc, nd->n_keys, true, "sort",
                          s->rows, sort_mem(out, P->stages[out->stage].tasks)) != 0)
            return nomem(P);
        out->sorted = nd->keys;
        out->n_sorted = nd->n_keys;
        return SC_OK;
    }
    case LK_WINDOW: {
        bool ok = nd->n_keys ? satisfies_clustered(s, nd->keys, nd->n_keys) : satisfies_all(s);
        if (!ok) {
            int rc = nd->n_keys ? exchange(P, out, PART_HASH, nd->keys, NULL, nd->n_keys,
                                           P->shuffle_partitions, s->rows, s->cols, s->req,
                                           s->n_cols, line)
                                : exchange(P, out, PART_SINGLE, NULL, NULL, 0, 1, s->rows, s->cols,
                                           s->req, s->n_cols, line);
            if (rc < 0)
                return nomem(P);
        }
        /* The window needs rows sorted by partition keys, then order keys. */
        size_t nsort = nd->n_keys + nd->n_okeys;
        const char **order = calloc(nsort + 1, sizeof *order);
        bool *desc = calloc(nsort + 1, sizeof *desc);
        if (!order || !desc) {
            free(order);
            free(desc);
            return nomem(P);
        }
        for (size_t i = 0; i < nd->n_keys; i++)
            order[i] = nd->keys[i];
        for (size_t i = 0; i < nd->n_okeys; i++) {
            order[nd->n_keys + i] = nd->okeys[i];
            desc[nd->n_keys + i] = nd->okeys_desc[i];
        }
        int rc = 0;
        if (!sorted_by(out, order, nsort) && nsort > 0) {
            struct plan_op so = {.kind = PLAN_OP_SORT};
            rc = stage_op_keys(P, out->stage, &so, order, desc, nsort, true, "sort", s->rows,
                               sort_mem(out, P->stages[out->stage].tasks));
        }
        free(order);
        free(desc);
        if (rc != 0)
            return nomem(P);
        struct plan_op op = {.kind = PLAN_OP_WINDOW};
        if (op_calls(&op, nd) != 0 ||
            plan_names_set(&op.order, nd->okeys, nd->okeys_desc, nd->n_okeys, true) != 0) {
            plan_op_fini(&op);
            return nomem(P);
        }
        if (stage_op_keys(P, out->stage, &op, nd->keys, NULL, nd->n_keys, false, "window", s->rows,
                          0.0) != 0)
            return nomem(P);
        out->sorted = nd->keys; /* at least the partition keys' order holds */
        out->n_sorted = nd->n_keys;
        out->spark_size = scale_size(s->spark_size, nd, c);
        return SC_OK;
    }
    case LK_REPARTITION: {
        int rc;
        if (nd->n_keys > 0) {
            int64_t n = nd->n > 0 ? nd->n : P->shuffle_partitions;
            /* repartition(n, cols) is REPARTITION_BY_NUM: AQE keeps its n. */
            P->xchg_by_num = nd->n > 0;
            rc = exchange(P, out, PART_HASH, nd->keys, NULL, nd->n_keys, n, s->rows, s->cols,
                          s->req, s->n_cols, line);
            P->xchg_by_num = false;
        } else {
            /* A round-robin shuffle sorts each input partition first, so a
             * retried task sends the same rows to the same partitions. */
            struct plan_op op = {.kind = PLAN_OP_SORT, .local_all = true};
            if (stage_op(P, out->stage, &op, "sort", s->rows,
                         sort_mem(s, P->stages[out->stage].tasks)) != 0)
                return nomem(P);
            rc = exchange(P, out, PART_ROUNDROBIN, NULL, NULL, 0, nd->n, s->rows, s->cols, s->req,
                          s->n_cols, line);
        }
        return rc < 0 ? nomem(P) : SC_OK;
    }
    case LK_COALESCE: {
        /* CoalescedRDD: a narrow dependency, so the whole open stage runs
         * with the fewer tasks (never more than it had). */
        struct pstage *st = &P->stages[out->stage];
        if (nd->n < st->tasks)
            st->tasks = nd->n;
        if (stage_op_n(P, out->stage, PLAN_OP_COALESCE, nd->n, NULL, 0.0) != 0)
            return nomem(P);
        out->nparts = P->stages[out->stage].tasks;
        out->part = out->nparts == 1 ? PART_SINGLE : PART_UNKNOWN;
        out->n_pkeys = 0;
        return SC_OK;
    }
    case LK_CACHE:
        return plan_cache(P, node, s, out);
    case LK_LIMIT: {
        double n = (double)nd->n;
        struct pstage *st = &P->stages[out->stage];
        if (nd->collect_limit) {
            /* CollectLimitExec.executeCollect takes rows from as few
             * partitions as hold n of them (executeTake). */
            double per = s->rows / (double)st->tasks;
            double need = per > 0.0 ? ceil(n / per) : (double)st->tasks;
            if (need < 1.0)
                need = 1.0;
            if (need < (double)st->tasks) {
                double f = need / (double)st->tasks;
                st->input_bytes *= f;
                st->read_bytes *= f;
                st->in_rows *= f;
                st->kernel_rows *= f;
                st->best_cost *= f;
                st->cache_bytes *= f;
                st->tasks = (int64_t)need;
            }
            out->rows = fmin(n, s->rows);
            struct plan_op op = {.kind = PLAN_OP_LIMIT, .limit_mode = PLAN_LIMIT_COLLECT, .n = nd->n};
            if (stage_op(P, out->stage, &op, "limit", out->rows, 0.0) != 0)
                return nomem(P);
            return SC_OK;
        }
        /* LocalLimit, then GlobalLimit on one partition. */
        double local = fmin(s->rows, n * (double)st->tasks);
        struct plan_op lo = {.kind = PLAN_OP_LIMIT, .limit_mode = PLAN_LIMIT_LOCAL, .n = nd->n};
        if (stage_op(P, out->stage, &lo, "limit", s->rows, 0.0) != 0)
            return nomem(P);
        if (!satisfies_all(out) && exchange(P, out, PART_SINGLE, NULL, NULL, 0, 1, local, s->cols,
                                            s->req, s->n_cols, line) < 0)
            return nomem(P);
        out->rows = fmin(n, s->rows);
        struct plan_op go = {.kind = PLAN_OP_LIMIT, .limit_mode = PLAN_LIMIT_GLOBAL, .n = nd->n};
        if (stage_op(P, out->stage, &go, "limit", local, 0.0) != 0)
            return nomem(P);
        for (size_t i = 0; i < out->n_cols; i++)
            out->cols[i].ndv = cap_ndv(out->cols[i].ndv, out->rows);
        out->spark_size = out->rows * spark_row(nd->out, nd->req, nd->n_out);
        out->part = PART_SINGLE;
        return SC_OK;
    }
    default: return SC_OK;
    }
}

/* ---- df.cache() --------------------------------------------------------
 *
 * Spark's CacheManager: Dataset.cache() registers the Dataset's logical
 * plan, and from then on every query plan fragment with the same result
 * (sameResult of the canonicalized plans, checked before optimization)
 * is replaced by an InMemoryRelation, which InMemoryTableScanExec reads.
 * The cached batches are built by the first action that computes them,
 * inside the stage that runs the plan up to the cache: each task caches
 * its partition (RDD.getOrCompute), on its executor, in storage memory.
 * Later reads take the cached partitions as they are (same partitioning,
 * same ordering: InMemoryTableScanExec keeps the cached plan's), without
 * reading storage or redoing the work below the cache.
 *
 * Here a fragment's identity is its steps' text with views inlined, a
 * cache() being its input (node_sig); a cache is registered when the first
 * query that computes it is planned (jobs in file order), and every later
 * fragment with the same text, in a later job or further on in the same
 * query, becomes a stage that reads memory. In the same query the reading
 * stage waits for the one that caches, unless that wait would close a
 * cycle (cache_ready). */

static void sig_text(struct sbuf *b, const char *t)
{
    sb_add(b, "\x1f%s", t ? t : "");
}

static void sig_list(struct sbuf *b, const struct strlist *l)
{
    sb_add(b, "\x1f[");
    for (size_t i = 0; i < l->n; i++)
        sb_add(b, "%s\x1e", l->v[i]);
    sb_add(b, "]");
}

static void node_sig_add(const struct planner *P, int node, struct sbuf *b)
{
    const struct lnode *nd = &P->nodes[node];
    while (nd->kind == LK_CACHE && nd->child >= 0)
        nd = &P->nodes[nd->child];
    if (nd->kind == LK_SCAN) {
        sb_add(b, "scan(%s)", nd->table->name);
        return;
    }
    const struct query_step *q = nd->step;
    sb_add(b, "%s{", nd->is_count ? "count" : op_kind_name(q->op));
    sig_text(b, q->where);
    sig_text(b, q->name);
    sig_text(b, q->expr);
    sig_text(b, nd->kind == LK_JOIN ? nd->how : NULL);
    sig_list(b, &q->cols);
    sig_list(b, &q->keys);
    sig_list(b, &q->aggs);
    sig_list(b, &q->on);
    sig_list(b, &q->partition_by);
    sig_list(b, &q->order_by);
    sig_list(b, &q->funcs);
    sb_add(b, "\x1f%lld}(", (long long)q->n);
    if (nd->child >= 0)
        node_sig_add(P, nd->child, b);
    if (nd->right >= 0) {
        sb_add(b, ",");
        node_sig_add(P, nd->right, b);
    }
    sb_add(b, ")");
}

/* The logical plan of node's subtree as text (the caller frees it), or
 * NULL when memory ran out. Tables by name, every step's parameters;
 * `right` and `table` of a join or union are the subtree they name. */
static char *node_sig(const struct planner *P, int node)
{
    struct sbuf b = {0};
    node_sig_add(P, node, &b);
    return sb_take(&b);
}

static int cache_find(const struct planner *P, const char *sig)
{
    for (size_t i = 0; i < P->n_caches; i++)
        if (strcmp(P->caches[i].sig, sig) == 0)
            return (int)i;
    return -1;
}

/* Whether cache entry ce can be read: an earlier job cached it, or this
 * query did, and the stage reading it can wait for the stage that caches
 * it. When that wait would close a cycle (the read ends up in the stage
 * that caches, as in a union of the data with itself, or feeds it, as a
 * broadcast of the data to itself) the query is planned again without
 * such reads (no_same_reads): both uses compute the data, as Spark's tasks
 * do when they run at once and find a partition not cached yet. */
static bool cache_ready(const struct planner *P, int ce)
{
    const struct cache_entry *e = &P->caches[ce];
    if (e->job < P->job_index)
        return true;
    return !P->no_same_reads && e->stage >= 0 && !P->stages[e->stage].dead;
}

/* Whether the live stages' parents form a cycle (Kahn's algorithm). */
static int stages_cyclic(const struct planner *P)
{
    size_t n = P->n_stages, live = 0, done = 0;
    int *waiting = calloc(n + 1, sizeof *waiting);
    int *queue = calloc(n + 1, sizeof *queue);
    if (!waiting || !queue) {
        free(waiting);
        free(queue);
        return -1;
    }
    size_t head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) {
        const struct pstage *st = &P->stages[i];
        if (st->dead)
            continue;
        live++;
        for (size_t k = 0; k < st->n_parents; k++)
            waiting[i] += !P->stages[st->parents[k]].dead;
        if (waiting[i] == 0)
            queue[tail++] = (int)i;
    }
    while (head < tail) {
        int done_stage = queue[head++];
        done++;
        for (size_t i = 0; i < n; i++) {
            const struct pstage *st = &P->stages[i];
            if (st->dead)
                continue;
            for (size_t k = 0; k < st->n_parents; k++)
                if (st->parents[k] == done_stage && --waiting[i] == 0)
                    queue[tail++] = (int)i;
        }
    }
    free(waiting);
    free(queue);
    return done < live;
}

/* Whether cache() node `node` finds its data cached: by an earlier job, or
 * by an earlier cache() of the same data in this query (nodes are made in
 * the order they are planned: children first, left before right). */
static bool cached_before(const struct planner *P, int node)
{
    char *sig = node_sig(P, node);
    if (!sig)
        return false;
    int ce = cache_find(P, sig);
    bool found = ce >= 0 && P->caches[ce].job < P->job_index;
    for (int i = 0; i < node && !found; i++) {
        if (P->nodes[i].kind != LK_CACHE)
            continue;
        char *other = node_sig(P, i);
        found = other && strcmp(other, sig) == 0;
        free(other);
    }
    free(sig);
    return found;
}

/* Bytes one cached row takes in memory. Dataset.cache() is
 * persist(MEMORY_AND_DISK), deserialized: the rows are held as the
 * columnar CachedBatches of DefaultCachedBatchSerializer, each column a
 * buffer of its values: 4 bytes an int32 or a date, 8 an int64 or a
 * double, 1 a boolean, a string its bytes after a 4-byte length. The
 * columns' compression schemes (spark.sql.inMemoryColumnarStorage.
 * compressed: run-length, dictionary, delta encodings) are not modelled:
 * this is the uncompressed size, an upper bound. */
static double cache_row_bytes(const struct plan_column *cols, size_t n)
{
    double w = 0.0;
    for (size_t i = 0; i < n; i++)
        w += cols[i].type == COL_STRING ? cols[i].width_bytes + 4.0
                                        : plan_stats_type_width(cols[i].type);
    return w;
}

/* A cache() node over stream s: the open stage computes the data and
 * caches it, unless it is cached already (then its input is an
 * InMemoryTableScan and cache() changes nothing, as CacheManager's "Asked
 * to cache already cached data"). */
static enum sc_status plan_cache(struct planner *P, int node, const struct stream *s,
                                 struct stream *out)
{
    if (P->discarding > 0)
        return SC_OK;
    char *sig = node_sig(P, node);
    if (!sig)
        return nomem(P);
    if (cache_find(P, sig) >= 0) {
        free(sig);
        return SC_OK;
    }
    if (P->n_caches == P->cap_caches) {
        size_t cap = P->cap_caches ? P->cap_caches * 2 : 4;
        struct cache_entry *v = realloc(P->caches, cap * sizeof *v);
        if (!v) {
            free(sig);
            return nomem(P);
        }
        P->caches = v;
        P->cap_caches = cap;
    }
    /* The cached relation holds every column of its input. */
    double bytes = s->rows * cache_row_bytes(s->cols, s->n_cols);
    struct cache_entry *e = &P->caches[P->n_caches++];
    e->sig = sig;
    e->job = P->job_index;
    e->stage = out->stage;
    e->bytes = bytes;
    e->tasks = 0;
    e->weights = NULL;
    P->stages[out->stage].cache_bytes += bytes;
    struct plan_op op = {.kind = PLAN_OP_CACHE};
    for (size_t i = 0; i < s->n_cols; i++)
        if (plan_names_add(&op.cols, s->cols[i].name, false, false) != 0) {
            plan_op_fini(&op);
            return nomem(P);
        }
    if (stage_op(P, out->stage, &op, "project", s->rows, 0.0) != 0)
        return nomem(P);
    return SC_OK;
}

static enum sc_status phys_plain(struct planner *P, int node, struct stream *out);

/* Node's result is cached (entry ce): a stage of as many tasks as the cache
 * has partitions reads it from memory. The fragment is planned only to
 * know its rows, columns, partitioning and ordering; its stages are
 * dropped. */
static enum sc_status plan_cache_read(struct planner *P, int node, int ce, struct stream *out)
{
    size_t before = P->n_stages;
    struct stream s;
    memset(&s, 0, sizeof s);
    P->discarding++;
    enum sc_status rc = phys_plain(P, node, &s);
    P->discarding--;
    if (rc != SC_OK) {
        stream_fini(&s);
        return rc;
    }
    int64_t tasks = P->stages[s.stage].tasks;
    for (size_t i = before; i < P->n_stages; i++)
        P->stages[i].dead = true;
    const struct lnode *nd = &P->nodes[node];
    const struct cache_entry *e = &P->caches[ce];
    int rd = stage_new(P, tasks, ROLE_PIPE, nd->step ? nd->step->line : P->job->line);
    if (rd < 0 || (e->job == P->job_index && stage_parent(P, rd, e->stage) != 0)) {
        stream_fini(&s);
        return nomem(P);
    }
    if (e->job == P->job_index)
        P->same_reads = true;
    struct pstage *st = &P->stages[rd];
    st->reads_cache = true;
    st->cache_entry = ce;
    st->in_rows = s.rows;
    struct plan_op op = {.kind = PLAN_OP_MEMSCAN};
    if (carried_names(nd, &op.cols) != 0) {
        plan_op_fini(&op);
        stream_fini(&s);
        return nomem(P);
    }
    if (stage_op(P, rd, &op, "project", s.rows, 0.0) != 0) {
        stream_fini(&s);
        return nomem(P);
    }
    *out = s; /* its columns' estimates, rows, partitioning, ordering */
    out->stage = rd;
    out->req = nd->req;
    /* Once materialized, InMemoryRelation's statistics are the cached
     * bytes (computeStats); a pruning Project scales them by row width. */
    if (e->job < P->job_index) {
        double all = spark_row(nd->out, NULL, nd->n_out);
        double size = all > 0.0 ? e->bytes * spark_row(nd->out, nd->req, nd->n_out) / all : 0.0;
        out->spark_size = size < 1.0 ? 1.0 : size;
    }
    return SC_OK;
}

/* orderBy(...).limit(n) is TakeOrderedAndProjectExec (SpecialLimits):
 * each task keeps its top n, no range exchange and no sampling; collected,
 * the driver merges them, otherwise they meet in one partition. s is the
 * sort's input; the limit and sort pass its columns through unchanged. */
static enum sc_status plan_top_k(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct lnode *sort = &P->nodes[nd->child];
    int line = nd->step ? nd->step->line : P->job->line;
    memset(out, 0, sizeof *out);
    if (stream_cols(out, nd, s, NULL) != 0)
        return nomem(P);
    double n = (double)nd->n;
    int64_t tasks = P->stages[s->stage].tasks;
    double local = fmin(s->rows, n * (double)tasks);
    /* The same operator runs per partition and again on the merged rows. */
    struct plan_op take = {.kind = PLAN_OP_TAKE_ORDERED, .n = nd->n}, merge = {0};
    double mem = fmin(n, s->rows / (double)tasks) *
                 (row_bytes(s->cols, s->req, s->n_cols) + SORT_BYTES_PER_ROW);
    if (plan_names_set(&take.keys, sort->keys, sort->keys_desc, sort->n_keys, true) != 0 ||
        plan_op_copy(&merge, &take) != 0) {
        plan_op_fini(&take);
        return nomem(P);
    }
    if (stage_op(P, s->stage, &take, "sort", s->rows, mem) != 0) {
        plan_op_fini(&merge);
        return nomem(P);
    }
    out->stage = s->stage;
    out->req = nd->req;
    out->rows = fmin(n, s->rows);
    out->part = PART_SINGLE;
    out->nparts = 1;
    out->sorted = sort->keys;
    out->n_sorted = sort->n_keys;
    out->spark_size = out->rows * spark_row(nd->out, nd->req, nd->n_out);
    if (nd->collect_limit) {
        plan_op_fini(&merge); /* executeCollect merges on the driver */
        return SC_OK;
    }
    if (exchange(P, out, PART_SINGLE, NULL, NULL, 0, 1, local, s->cols, s->req, s->n_cols, line) <
        0) {
        plan_op_fini(&merge);
        return nomem(P);
    }
    return stage_op(P, out->stage, &merge, "sort", local, 0.0) != 0 ? nomem(P) : SC_OK;
}

/* ---- salting (sim/plan/skew.h) -----------------------------------------------
 *
 * A skewed key salted by hand, as the seed guide advises: `salt = n` on a
 * group_by or a join step. */

/* groupBy(keys).agg(f) with salt n is Spark's two-phase aggregation:
 *   df.withColumn("salt", (rand() * n).cast("int"))
 *     .groupBy(keys :+ "salt").agg(f)   -- a hot key's rows over n buckets
 *     .groupBy(keys).agg(f merged)      -- at most n rows a key left
 * each phase planned as any aggregate (partial, exchange, final); the
 * first phase's hash partitioning on (keys, salt) does not cluster the
 * second's keys, so the second shuffles again. */
static enum sc_status plan_salted_aggregate(struct planner *P, const struct lnode *nd,
                                            struct stream *s, double *groups_out, int line)
{
    int64_t n = nd->step->salt;
    size_t nk = nd->n_keys;
    const char **keys = calloc(nk + 2, sizeof *keys);
    struct plan_column *cols = calloc(s->n_cols + 2, sizeof *cols);
    if (!keys || !cols) {
        free(keys);
        free(cols);
        return nomem(P);
    }
    for (size_t i = 0; i < nk; i++)
        keys[i] = nd->keys[i];
    keys[nk] = "salt";
    memcpy(cols, s->cols, s->n_cols * sizeof *cols);
    struct column_spec salt_spec;
    skew_salt_column(n, &salt_spec, &cols[s->n_cols]);
    struct stream t = *s;
    t.cols = cols;
    t.n_cols = s->n_cols + 1;
    double g1 = 0.0;
    enum sc_status rc = SC_OK;
    struct plan_op salt = {.kind = PLAN_OP_SALT, .salt_mode = PLAN_SALT_COLUMN, .n = n};
    if (stage_op(P, s->stage, &salt, "project", s->rows, 0.0) != 0)
        rc = nomem(P);
    if (rc == SC_OK)
        rc = plan_aggregate(P, nd, keys, nk + 1, &t, &g1, line);
    if (rc == SC_OK) {
        /* Phase 2 reads phase 1's groups (whose collect_list buffers still
         * hold every value); the salt is gone. */
        t.rows = agg_keeps_rows(nd) ? s->rows : g1;
        t.cols = s->cols;
        t.n_cols = s->n_cols;
        rc = plan_aggregate(P, nd, nd->keys, nk, &t, groups_out, line);
    }
    s->stage = t.stage;
    s->part = t.part;
    s->pkeys = t.pkeys;
    s->n_pkeys = t.n_pkeys;
    s->nparts = t.nparts;
    s->n_sorted = t.n_sorted;
    free(keys);
    free(cols);
    return rc;
}

/* join(right, keys) with salt n: the left side (the skewed one) gets a
 * random salt, the right side is replicated n times, once per salt value
 * (explode(sequence(0, n - 1))), and the two are sort-merge joined on
 * (keys, salt): a hot key's left rows spread over n partitions, each
 * meeting a copy of its right rows. Always a shuffled join here. */
static enum sc_status plan_salted_join(struct planner *P, int node, struct stream *l,
                                       struct stream *r, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    int line = nd->step->line;
    int64_t n = nd->step->salt;
    const char *how = nd->how;
    if (nd->n_keys == 0 || strcmp(how, "cross") == 0)
        return fail_at(P, nd, "salt needs join keys ('on'); a cross join has none to salt");
    if (nd->n_keys > 62)
        return fail_at(P, nd, "salt takes at most 62 join keys");
    struct plan_column lk[64], rk[64];
    memset(lk, 0, sizeof lk);
    memset(rk, 0, sizeof rk);
    size_t nk = nd->n_keys;
    for (size_t i = 0; i < nk; i++) {
        int a = find_lcol(P->nodes[nd->child].out, P->nodes[nd->child].n_out, nd->keys[i]);
        int b = find_lcol(P->nodes[nd->right].out, P->nodes[nd->right].n_out, nd->okeys[i]);
        lk[i] = l->cols[a];
        rk[i] = r->cols[b];
    }
    double rows = P->st->join_rows(P->st->ctx, how, l->rows, r->rows, lk, rk, nk);
    memset(out, 0, sizeof *out);
    if (stream_cols(out, nd, l, r) != 0)
        return nomem(P);
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = cap_ndv(out->cols[i].ndv, rows);
    out->req = nd->req;
    out->rows = rows;
    bool semi = strcmp(how, "left_semi") == 0 || strcmp(how, "left_anti") == 0;
    out->spark_size = fmax(semi ? l->spark_size : l->spark_size * r->spark_size, 1.0);

    const char **lkeys = calloc(nk + 2, sizeof *lkeys), **rkeys = calloc(nk + 2, sizeof *rkeys);
    struct plan_column *lc = calloc(l->n_cols + 2, sizeof *lc);
    struct plan_column *rc_ = calloc(r->n_cols + 2, sizeof *rc_);
    bool *lreq = calloc(l->n_cols + 2, sizeof *lreq), *rreq = calloc(r->n_cols + 2, sizeof *rreq);
    enum sc_status rc = SC_OK;
    if (!lkeys || !rkeys || !lc || !rc_ || !lreq || !rreq) {
        rc = nomem(P);
        goto done;
    }
    for (size_t i = 0; i < nk; i++) {
        lkeys[i] = nd->keys[i];
        rkeys[i] = nd->okeys[i];
    }
    lkeys[nk] = rkeys[nk] = "salt";
    memcpy(lc, l->cols, l->n_cols * sizeof *lc);
    memcpy(rc_, r->cols, r->n_cols * sizeof *rc_);
    for (size_t i = 0; i < l->n_cols; i++)
        lreq[i] = !l->req || l->req[i];
    for (size_t i = 0; i < r->n_cols; i++)
        rreq[i] = !r->req || r->req[i];
    lreq[l->n_cols] = rreq[r->n_cols] = true;
    struct column_spec lspec, rspec;
    skew_salt_column(n, &lspec, &lc[l->n_cols]);
    skew_salt_column(n, &rspec, &rc_[r->n_cols]);
    struct stream ls = *l, rs = *r;
    ls.cols = lc;
    ls.n_cols = l->n_cols + 1;
    ls.req = lreq;
    rs.cols = rc_;
    rs.n_cols = r->n_cols + 1;
    rs.req = rreq;
    rs.rows = r->rows * (double)n;
    int64_t parts = P->shuffle_partitions;
    struct plan_op lsalt = {.kind = PLAN_OP_SALT, .salt_mode = PLAN_SALT_COLUMN_KEEP, .n = n};
    struct plan_op rsalt = {.kind = PLAN_OP_SALT, .salt_mode = PLAN_SALT_EXPLODE, .n = n};
    if (stage_op(P, ls.stage, &lsalt, "project", ls.rows, 0.0) != 0 ||
        stage_op(P, rs.stage, &rsalt, "project", rs.rows, 0.0) != 0) {
        rc = nomem(P);
        goto done;
    }
    /* Null keys: as in plan_join (InferFiltersFromConstraints). */
    P->xchg_drop_nulls = can_build_right(how) && strcmp(how, "left") != 0 &&
                         strcmp(how, "left_outer") != 0 && strcmp(how, "left_anti") != 0;
    P->xchg_drop_nulls |= strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0;
    int lx = exchange(P, &ls, PART_HASH, lkeys, NULL, nk + 1, parts, ls.rows, lc, lreq,
                      l->n_cols + 1, line);
    P->xchg_drop_nulls = strcmp(how, "full") != 0 && strcmp(how, "full_outer") != 0 &&
                         strcmp(how, "right") != 0 && strcmp(how, "right_outer") != 0;
    int rx = lx < 0 ? -1
                    : exchange(P, &rs, PART_HASH, rkeys, NULL, nk + 1, parts, rs.rows, rc_, rreq,
                               r->n_cols + 1, line);
    P->xchg_drop_nulls = false;
    if (rx < 0) {
        rc = nomem(P);
        goto done;
    }
    for (int side = 0; side < 2; side++) {
        struct stream *x = side ? &rs : &ls;
        struct plan_op so = {.kind = PLAN_OP_SORT};
        if (stage_op_keys(P, x->stage, &so, side ? rkeys : lkeys, NULL, nk + 1, true, "sort",
                          x->rows, sort_mem(x, P->stages[x->stage].tasks)) != 0) {
            rc = nomem(P);
            goto done;
        }
    }
    if (stage_merge(P, ls.stage, rs.stage, parts, 1.0, 1.0) != 0) {
        rc = nomem(P);
        goto done;
    }
    P->stages[ls.stage].smj_split =
        (can_build_right(how) ? 1 : 0) |
        (strcmp(how, "inner") == 0 || strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0
             ? 2
             : 0);
    struct plan_op jo = {.kind = PLAN_OP_SORT_MERGE_JOIN, .join = plan_join_from_how(how)};
    if (stage_op_keys(P, ls.stage, &jo, lkeys, NULL, nk + 1, false, "sort_merge_join",
                      ls.rows + rs.rows, 0.0) != 0) {
        rc = nomem(P);
        goto done;
    }
    out->stage = ls.stage;
    /* Partitioned on (keys, salt): clustered on neither alone. */
    out->part = PART_UNKNOWN;
    out->n_pkeys = 0;
    out->nparts = P->stages[ls.stage].tasks;
    out->n_sorted = 0;
done:
    free(lkeys);
    free(rkeys);
    free(lc);
    free(rc_);
    free(lreq);
    free(rreq);
    return rc;
}

static enum sc_status phys_plain(struct planner *P, int node, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    if (nd->kind == LK_SCAN)
        return plan_scan(P, node, out);
    struct stream l, r;
    memset(&l, 0, sizeof l);
    memset(&r, 0, sizeof r);
    bool top_k = nd->kind == LK_LIMIT && P->nodes[nd->child].kind == LK_SORT &&
                 !P->nodes[nd->child].skip && !nd->skip;
    int input = top_k ? P->nodes[nd->child].child : nd->child;
    enum sc_status rc = phys(P, input, &l);
    if (rc == SC_OK && top_k)
        rc = plan_top_k(P, node, &l, out);
    if (rc != SC_OK || top_k) {
        stream_fini(&l);
        return rc;
    }
    nd = &P->nodes[node];
    if (nd->kind == LK_JOIN || nd->kind == LK_UNION) {
        rc = phys(P, nd->right, &r);
        if (rc != SC_OK) {
            stream_fini(&l);
            stream_fini(&r);
            return rc;
        }
        nd = &P->nodes[node];
        if (nd->kind == LK_JOIN) {
            rc = nd->step && nd->step->salt > 1 ? plan_salted_join(P, node, &l, &r, out)
                                                 : plan_join(P, node, &l, &r, out);
        } else {
            /* UnionExec: the inputs' partitions side by side, one stage. */
            int64_t tasks = P->stages[l.stage].tasks + P->stages[r.stage].tasks;
            memset(out, 0, sizeof *out);
            if (stream_cols(out, nd, &l, &r) != 0 ||
                stage_merge(P, l.stage, r.stage, tasks, 1.0, 1.0) != 0 ||
                stage_op_n(P, l.stage, PLAN_OP_UNION, 0, NULL, 0.0) != 0) {
                rc = nomem(P);
            } else {
                for (size_t i = 0; i < out->n_cols; i++) {
                    const struct plan_column *b = &r.cols[i];
                    struct plan_column *a = &out->cols[i];
                    a->ndv = isnan(a->ndv) || isnan(b->ndv) ? NAN : a->ndv + b->ndv;
                    a->spec = NULL;
                }
                out->stage = l.stage;
                out->rows = l.rows + r.rows;
                out->req = nd->req;
                out->spark_size = l.spark_size + r.spark_size;
                out->part = PART_UNKNOWN;
                out->nparts = tasks;
            }
        }
        stream_fini(&r);
    } else {
        rc = plan_unary(P, node, &l, out);
    }
    stream_fini(&l);
    return rc;
}

/* Plans node, or a read of the cache that holds its result. */
static enum sc_status phys(struct planner *P, int node, struct stream *out)
{
    /* A cache() node is its input's plan (Dataset.cache returns the same
     * Dataset); its input is what is looked up. */
    if (P->n_caches > 0 && P->nodes[node].kind != LK_CACHE) {
        char *sig = node_sig(P, node);
        if (!sig)
            return nomem(P);
        int ce = cache_find(P, sig);
        free(sig);
        if (ce >= 0 && cache_ready(P, ce))
            return plan_cache_read(P, node, ce, out);
    }
    return phys_plain(P, node, out);
}

/* ---- input partitions --------------------------------------------------- */

int64_t planner_table_files(int64_t table_bytes)
{
    if (table_bytes <= 0)
        return 1;
    return (table_bytes + PLANNER_FILE_BYTES - 1) / PLANNER_FILE_BYTES;
}

int64_t planner_input_partitions(int64_t total_bytes, int64_t n_files, int64_t max_partition_bytes,
                                 int64_t open_cost_bytes, int64_t min_partition_num)
{
    if (total_bytes <= 0 || n_files <= 0)
        return 1;
    if (min_partition_num < 1)
        min_partition_num = 1;
    if (open_cost_bytes < 0)
        open_cost_bytes = 0;
    /* FilePartition.maxSplitBytes: the total counts each file's open cost;
     * bytesPerCore spreads it over the default parallelism. */
    double total = (double)total_bytes + (double)n_files * (double)open_cost_bytes;
    double per_core = total / (double)min_partition_num;
    double max_split = fmin((double)max_partition_bytes, fmax((double)open_cost_bytes, per_core));
    if (max_split < 1.0)
        max_split = 1.0;
    max_split = floor(max_split);
    /* PartitionedFileUtil.splitFiles cuts each file into max_split pieces;
     * getFilePartitions packs them, largest first ("next fit decreasing"):
     * a piece joins the open partition unless current + piece > max_split,
     * and each piece adds its length plus the open cost. A full piece
     * therefore always starts a partition of its own; the equal remainders
     * then go k to a partition, k the most with
     * (k - 1) (r + open) + r <= max_split. */
    double file = (double)total_bytes / (double)n_files;
    double full = floor(file / max_split);
    double rem = file - full * max_split;
    double parts = (double)n_files * full;
    if (rem >= 1.0) {
        double k = floor((max_split - rem) / (rem + (double)open_cost_bytes)) + 1.0;
        if (k < 1.0)
            k = 1.0;
        parts += ceil((double)n_files / k);
    }
    if (parts < 1.0)
        parts = 1.0;
    return parts > 9.0e18 ? INT64_MAX : (int64_t)parts;
}

/* ---- after planning: jobs, order, stage specs --------------------------- */

static bool is_ancestor(const struct planner *P, int anc, int st, int depth)
{
    if (depth > 10000)
        return false;
    const struct pstage *s = &P->stages[st];
    for (size_t i = 0; i < s->n_parents; i++)
        if (s->parents[i] == anc || is_ancestor(P, anc, s->parents[i], depth + 1))
            return true;
    return false;
}

/* Assigns stage st and its unassigned ancestors to job. */
static void claim(struct planner *P, int st, int job)
{
    struct pstage *s = &P->stages[st];
    if (s->job >= 0)
        return;
    s->job = job;
    for (size_t i = 0; i < s->n_parents; i++)
        claim(P, P->stages[st].parents[i], job);
}

/* Without AQE: broadcast jobs (all at once), then each sampling job, then
 * the action's job; each later job's first stages wait for the job before
 * (the driver blocks on each while it builds the RDD graph). Returns the
 * number of jobs, or -1 on memory. */
static int assign_jobs_static(struct planner *P)
{
    int jobs = 0;
    int *last = calloc(P->n_stages + 1, sizeof *last);
    bool *is_bc = calloc(P->n_stages + 1, sizeof *is_bc);
    if (!last || !is_bc) {
        free(last);
        free(is_bc);
        return -1;
    }
    for (int pass = 0; pass < 3; pass++)
        for (size_t i = 0; i < P->n_stages; i++) {
            struct pstage *s = &P->stages[i];
            if (s->dead || s->job >= 0)
                continue;
            bool take = pass == 0   ? s->role == ROLE_BROADCAST
                        : pass == 1 ? s->role == ROLE_SAMPLE
                                    : s->role == ROLE_RESULT;
            if (!take)
                continue;
            claim(P, (int)i, jobs);
            last[jobs] = (int)i;
            is_bc[jobs] = pass == 0;
            jobs++;
        }
    /* Anything left (should not happen) joins the last job. */
    for (size_t i = 0; i < P->n_stages; i++)
        if (!P->stages[i].dead && P->stages[i].job < 0)
            P->stages[i].job = jobs > 0 ? jobs - 1 : 0;
    int rc = jobs;
    int prev_nonbc = -1;
    for (int j = 0; j < jobs && rc >= 0; j++) {
        if (is_bc[j])
            continue;
        for (size_t i = 0; i < P->n_stages && rc >= 0; i++) {
            struct pstage *s = &P->stages[i];
            if (s->dead || s->job != j)
                continue;
            bool root = true;
            for (size_t k = 0; k < s->n_parents; k++)
                root &= P->stages[s->parents[k]].job != j;
            if (!root)
                continue;
            for (int e = 0; e < j && rc >= 0; e++) {
                bool wait = prev_nonbc < 0 ? is_bc[e] : e == prev_nonbc;
                if (wait && !is_ancestor(P, last[e], (int)i, 0) &&
                    stage_parent(P, (int)i, last[e]) != 0)
                    rc = -1;
            }
        }
        prev_nonbc = j;
    }
    free(last);
    free(is_bc);
    return rc;
}

/* A short name from the operators: "scan employees+filter+partial agg". */
static char *stage_name(const struct pstage *st)
{
    struct sbuf b = {0};
    if (st->role == ROLE_BROADCAST)
        sb_add(&b, "broadcast: ");
    else if (st->role == ROLE_SAMPLE)
        sb_add(&b, "sample: ");
    const char *prev = NULL;
    size_t parts = 0;
    for (size_t i = 0; i < st->n_ops; i++) {
        const struct plan_op *o = &st->ops[i];
        char scan[96];
        const char *label = NULL;
        switch (o->kind) {
        case PLAN_OP_SCAN: {
            int len = (int)strlen(o->table);
            snprintf(scan, sizeof scan, "scan %.*s", len > 60 ? 60 : len, o->table);
            label = scan;
            break;
        }
        case PLAN_OP_FILTER: label = "filter"; break;
        case PLAN_OP_HASH_AGGREGATE: {
            /* A global final aggregate with a count is Dataset.count(). */
            bool count = false;
            for (size_t c = 0; c < o->n_calls; c++) {
                size_t fl = strlen(o->calls[c].func);
                count |= (fl >= 5 && strcmp(o->calls[c].func + fl - 5, "count") == 0) ||
                         strstr(o->calls[c].arg, "count(") != NULL;
            }
            if (o->keys.n == 0 && count && o->final)
                label = "count";
            else
                label = o->final ? "final agg" : "partial agg";
            break;
        }
        case PLAN_OP_EXCHANGE:
            label = o->part == PLAN_PART_RANGE ? "range exchange" : "exchange";
            break;
        case PLAN_OP_BROADCAST_HASH_JOIN: label = "bhj"; break;
        case PLAN_OP_SORT_MERGE_JOIN: label = "smj"; break;
        case PLAN_OP_NESTED_LOOP_JOIN: label = "bnlj"; break;
        case PLAN_OP_CARTESIAN: label = "cartesian"; break;
        case PLAN_OP_TAKE_ORDERED: label = "top-k"; break;
        case PLAN_OP_SORT: label = "sort"; break;
        case PLAN_OP_WINDOW: label = "window"; break;
        case PLAN_OP_UNION: label = "union"; break;
        case PLAN_OP_COALESCE: label = "coalesce"; break;
        case PLAN_OP_LIMIT: label = "limit"; break;
        case PLAN_OP_MEMSCAN: label = "in-memory scan"; break;
        case PLAN_OP_CACHE: label = "cache"; break;
        case PLAN_OP_WRITE: label = "write"; break;
        case PLAN_OP_COLLECT: label = "collect"; break;
        default: break;
        }
        /* Each label once, and a name short enough to read in a table. */
        if (!label || (prev && strcmp(prev, label) == 0) || (b.p && strstr(b.p, label)))
            continue;
        if (b.len + strlen(label) > 56) {
            sb_add(&b, "+...");
            break;
        }
        sb_add(&b, "%s%s", parts++ ? "+" : "", label);
        prev = label == scan ? "scan" : label;
    }
    if (parts == 0)
        sb_add(&b, "read");
    return sb_take(&b);
}

static int64_t to_i64(double x)
{
    if (!(x > 0.0))
        return 0;
    return x >= 9.0e18 ? INT64_MAX : (int64_t)llround(x);
}

/* Cached data has the partitions of the stage that cached it, as AQE left
 * them (skew_finish): what this query caches records them, and a stage
 * reading cached data gets one task per cached partition, each as large as
 * the task that cached it. Returns 0, or -1 on memory. */
static int cache_partitions(struct planner *P)
{
    for (size_t i = 0; i < P->n_caches; i++) {
        struct cache_entry *e = &P->caches[i];
        if (e->job != P->job_index || e->stage < 0 || P->stages[e->stage].dead)
            continue;
        const struct pstage *st = &P->stages[e->stage];
        e->tasks = st->tasks;
        if (copy_weights(&e->weights, st->weights, st->tasks) != 0)
            return -1;
    }
    for (size_t i = 0; i < P->n_stages; i++) {
        struct pstage *st = &P->stages[i];
        if (st->dead || !st->reads_cache)
            continue;
        const struct cache_entry *e = &P->caches[st->cache_entry];
        if (e->tasks < 1)
            continue;
        if (e->tasks != st->tasks)
            st->mem_per_task *= (double)st->tasks / (double)e->tasks;
        st->tasks = e->tasks;
        if (copy_weights(&st->weights, e->weights, e->tasks) != 0)
            return -1;
    }
    return 0;
}

/* Orders the live stages (parents first; among ready stages, by job then
 * by creation), numbers the Spark jobs, and writes the stage specs. */
static enum sc_status emit(struct planner *P, struct plan_job *pj)
{
    const struct job_spec *job = pj->spec;
    size_t live = 0;
    for (size_t i = 0; i < P->n_stages; i++)
        live += !P->stages[i].dead;
    if (live > SCN_MAX_STAGES_PER_JOB)
        return diag_set(P->d, SC_ELIMIT, P->s->file, job->line,
                        "job '%s' plans into %zu stages, more than %d", job->name, live,
                        SCN_MAX_STAGES_PER_JOB);
    /* Task sizes from the data, and AQE's task lists (sim/plan/skew.h). */
    if (skew_finish(P) != 0 || cache_partitions(P) != 0)
        return nomem(P);
    if (!P->aqe && assign_jobs_static(P) < 0)
        return nomem(P);
    int *order = calloc(live + 1, sizeof *order);
    bool *placed = calloc(P->n_stages + 1, sizeof *placed);
    struct plan_stage *specs = calloc(live + 1, sizeof *specs);
    if (!order || !placed || !specs) {
        free(order);
        free(placed);
        free(specs);
        return nomem(P);
    }
    /* Kahn's algorithm, choosing the ready stage of the lowest job (without
     * AQE) and then the earliest made. */
    for (size_t k = 0; k < live; k++) {
        int best = -1;
        for (size_t i = 0; i < P->n_stages; i++) {
            const struct pstage *s = &P->stages[i];
            if (s->dead || placed[i])
                continue;
            bool ready = true;
            for (size_t p = 0; p < s->n_parents && ready; p++)
                ready = placed[s->parents[p]] || P->stages[s->parents[p]].dead;
            if (!ready)
                continue;
            /* Among ready stages: without AQE the earlier Spark job; with
             * AQE a broadcast first, as AdaptiveSparkPlanExec materializes
             * broadcast query stages before the others (SPARK-33933); then
             * the earlier made. */
            if (best < 0 || (!P->aqe && s->job < P->stages[best].job) ||
                (P->aqe && s->role == ROLE_BROADCAST && P->stages[best].role != ROLE_BROADCAST))
                best = (int)i;
        }
        if (best < 0) {
            free(order);
            free(placed);
            free(specs);
            return SC_BUG(P->d, "job '%s': planned stages form a cycle", job->name);
        }
        placed[best] = true;
        order[k] = best;
        P->stages[best].order = (int)k;
    }
    int64_t total = 0;
    enum sc_status rc = SC_OK;
    for (size_t k = 0; k < live && rc == SC_OK; k++) {
        struct pstage *s = &P->stages[order[k]];
        struct plan_stage *sp = &specs[k];
        sp->id = (int64_t)k;
        sp->tasks = s->tasks;
        sp->task_weights = s->weights;
        s->weights = NULL;
        sp->aqe_partitions_before = s->aqe_before;
        sp->aqe_skewed = s->aqe_skewed;
        sp->aqe_skew_tasks = s->aqe_skew_tasks;
        sp->aqe_broadcast = s->aqe_bcast;
        sp->input_bytes = to_i64(s->input_bytes);
        sp->shuffle_read_bytes = to_i64(s->read_bytes);
        sp->shuffle_write_bytes = to_i64(s->write_bytes);
        sp->output_bytes = to_i64(s->output_bytes);
        sp->memory_bytes = to_i64(s->mem_per_task);
        sp->cache_bytes = to_i64(s->cache_bytes);
        sp->reads_cache = s->reads_cache;
        sp->records = to_i64(s->kernel_rows);
        sp->input_records = to_i64(s->in_rows);
        sp->output_records = to_i64(s->out_rows);
        sp->spark_job = P->aqe ? (int)k : s->job;
        sp->line = s->line ? s->line : job->line;
        sp->parents_line = sp->line;
        sp->name = stage_name(s);
        sp->kernel = strdup(s->kernel ? s->kernel : "generic");
        sp->parents = calloc(s->n_parents + 1, sizeof *sp->parents);
        sp->ops = calloc(s->n_ops + 1, sizeof *sp->ops);
        if (!sp->name || !sp->kernel || !sp->parents || !sp->ops) {
            rc = nomem(P);
            break;
        }
        for (size_t p = 0; p < s->n_parents; p++) {
            const struct pstage *ps = &P->stages[s->parents[p]];
            if (!ps->dead)
                sp->parents[sp->n_parents++] = ps->order;
        }
        for (size_t i = 0; i < s->n_ops; i++)
            sp->ops[sp->n_ops++] = s->ops[i];
        s->n_ops = 0;
        if (sp->tasks > SCN_MAX_TASKS_PER_STAGE)
            rc = diag_set(P->d, SC_ELIMIT, P->s->file, sp->line,
                          "job '%s' plans a stage of %lld tasks, more than %lld (raise "
                          "spark.sql.files.maxPartitionBytes or lower the partition counts)",
                          job->name, (long long)sp->tasks, (long long)SCN_MAX_TASKS_PER_STAGE);
        total += sp->tasks;
    }
    free(order);
    free(placed);
    if (rc == SC_OK && (P->total_tasks += total) > SCN_MAX_TOTAL_TASKS)
        rc = diag_set(P->d, SC_ELIMIT, P->s->file, job->line,
                      "the scenario's planned stages have %lld tasks in all, more than %lld",
                      (long long)P->total_tasks, (long long)SCN_MAX_TOTAL_TASKS);
    plan_job_clear(pj);
    pj->stages = specs;
    pj->n_stages = live;
    return rc;
}

/* ---- one query ---------------------------------------------------------- */

static void query_reset(struct planner *P)
{
    for (size_t i = 0; i < P->n_nodes; i++)
        node_fini(&P->nodes[i]);
    free(P->nodes);
    P->nodes = NULL;
    P->n_nodes = P->cap_nodes = 0;
    for (size_t i = 0; i < P->n_stages; i++)
        stage_fini(&P->stages[i]);
    free(P->stages);
    P->stages = NULL;
    P->n_stages = P->cap_stages = 0;
    P->action = NULL;
}

static enum sc_status plan_query(struct planner *P, struct plan_job *pj)
{
    const struct job_spec *job = pj->spec;
    P->job = job;
    int root = -1;
    enum sc_status rc = build_steps(P, job->query, job->n_query, "job", job->name, true, 0, &root);
    if (rc != SC_OK)
        return rc;
    if (!P->action || root < 0) {
        const struct query_step *last = &job->query[job->n_query - 1];
        return diag_set(P->d, SC_EINPUT, P->s->file, last->line,
                        "job '%s' ends without an action: Spark runs a DataFrame only when an "
                        "action (count, collect or write) asks for it; add one as its last step",
                        job->name);
    }
    /* count() is groupBy().count() collected (Dataset.count). */
    if (P->action->op == OP_COUNT) {
        int node = node_new(P, LK_AGG, P->action, job->n_query, "job", job->name);
        if (node < 0)
            return nomem(P);
        struct lnode *nd = &P->nodes[node];
        nd->child = root;
        nd->is_count = true;
        nd->calls = calloc(1, sizeof *nd->calls);
        nd->call_used = calloc(1, sizeof *nd->call_used);
        if (!nd->calls || !nd->call_used)
            return nomem(P);
        snprintf(nd->calls[0].func, sizeof nd->calls[0].func, "count");
        snprintf(nd->calls[0].arg, sizeof nd->calls[0].arg, "1");
        snprintf(nd->calls[0].alias, sizeof nd->calls[0].alias, "count");
        nd->n_calls = 1;
        if ((rc = resolve(P, node)) != SC_OK)
            return rc;
        root = node;
    }
    /* A limit right before collect is taken by CollectLimitExec. */
    if (P->action->op == OP_COLLECT && P->nodes[root].kind == LK_LIMIT)
        P->nodes[root].collect_limit = true;
    /* Everything the action returns or writes is used. */
    bool *need = calloc(P->nodes[root].n_out + 1, sizeof *need);
    if (!need)
        return nomem(P);
    for (size_t i = 0; i < P->nodes[root].n_out; i++)
        need[i] = true;
    /* Prune, drop sorts, and prune again: a dropped sort's keys no longer
     * need to be read (Catalyst runs these rules to a fixed point). */
    rc = prune(P, root, need);
    if (rc == SC_OK) {
        eliminate_sorts(P, root);
        rc = prune(P, root, need);
    }
    free(need);
    if (rc != SC_OK)
        return rc;
    struct stream s;
    memset(&s, 0, sizeof s);
    if ((rc = phys(P, root, &s)) != SC_OK) {
        stream_fini(&s);
        return rc;
    }
    const struct query_step *a = P->action;
    struct pstage *st = &P->stages[s.stage];
    if (a->op == OP_COLLECT) {
        const struct plan_op *last = st->n_ops > 0 ? &st->ops[st->n_ops - 1] : NULL;
        bool limited = last && last->kind == PLAN_OP_LIMIT && last->limit_mode == PLAN_LIMIT_COLLECT;
        if (!limited && stage_op_n(P, s.stage, PLAN_OP_COLLECT, 0, NULL, 0.0) != 0)
            rc = nomem(P);
    } else if (a->op == OP_WRITE) {
        /* The files hold the rows' columns (before the format's own
         * compression). */
        double w = 0.0;
        for (size_t i = 0; i < s.n_cols; i++)
            if (s.req[i])
                w += s.cols[i].width_bytes;
        st->output_bytes += s.rows * w;
        struct plan_op wo = {.kind = PLAN_OP_WRITE,
                             .format = strdup(a->format ? a->format : "parquet"),
                             .path = a->path ? strdup(a->path) : NULL};
        if (!wo.format || (a->path && !wo.path)) {
            plan_op_fini(&wo);
            rc = nomem(P);
        } else if (stage_op(P, s.stage, &wo, "project", s.rows, 0.0) != 0) {
            rc = nomem(P);
        }
    }
    st = &P->stages[s.stage];
    st->role = ROLE_RESULT;
    st->out_rows += s.rows;
    stream_fini(&s);
    if (rc != SC_OK)
        return rc;
    if (P->same_reads) {
        int cyclic = stages_cyclic(P);
        if (cyclic < 0)
            return nomem(P);
        if (cyclic) {
            P->replan = true; /* planner_plan_with plans it again */
            return SC_OK;
        }
    }
    return emit(P, pj);
}

/* ---- public ------------------------------------------------------------- */

/* AQE's settings (sim/plan/skew.h). CoalesceShufflePartitions' minNumPartitions
 * is the default parallelism (spark.default.parallelism, else the
 * executors' cores, at least 2: CoarseGrainedSchedulerBackend) when
 * parallelismFirst, else 1. */
static void aqe_settings(struct planner *P, const struct cluster *cl)
{
    const struct spark_conf *c = &P->s->spark;
    struct aqe_conf *a = &P->aqe_conf;
    a->coalesce = spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.enabled");
    a->skew_join = spark_conf_bool(c, "spark.sql.adaptive.skewJoin.enabled");
    a->advisory = (double)spark_conf_bytes(c, "spark.sql.adaptive.advisoryPartitionSizeInBytes");
    a->min_partition_size =
        (double)spark_conf_bytes(c, "spark.sql.adaptive.coalescePartitions.minPartitionSize");
    a->skew_factor = spark_conf_double(c, "spark.sql.adaptive.skewJoin.skewedPartitionFactor");
    a->skew_threshold =
        (double)spark_conf_bytes(c, "spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes");
    int64_t dp = spark_conf_int(c, "spark.default.parallelism");
    if (dp < 1) {
        dp = (int64_t)cl->executors * cl->executor_cores;
        dp = dp > 2 ? dp : 2;
    }
    a->min_partitions =
        spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.parallelismFirst") ? dp : 1;
    P->aqe_broadcast_threshold = spark_conf_bytes(c, "spark.sql.adaptive.autoBroadcastJoinThreshold");
}

/* Spark's default parallelism for leaf scans: spark.sql.files.minPartitionNum,
 * else spark.sql.leafNodeDefaultParallelism, else spark.default.parallelism,
 * else the executors' total cores (at least 2), as
 * CoarseGrainedSchedulerBackend.defaultParallelism gives it. */
static int64_t min_partitions(const struct scenario *s, const struct cluster *cl)
{
    static const char *const keys[] = {"spark.sql.files.minPartitionNum",
                                       "spark.sql.leafNodeDefaultParallelism"};
    for (size_t i = 0; i < 2; i++) {
        const struct spark_setting *v = spark_conf_get(&s->spark, keys[i]);
        if (v && v->type == SPARK_INT && v->i > 0)
            return v->i;
    }
    int64_t dp = spark_conf_int(&s->spark, "spark.default.parallelism");
    if (dp > 0)
        return dp;
    int64_t cores = (int64_t)cl->executors * cl->executor_cores;
    return cores > 2 ? cores : 2;
}

struct plan *planner_plan(const struct scenario *s, const struct cluster *cl,
                          const struct plan_stats *stats, struct diag *d)
{
    struct plan *plan = plan_new(s, d);
    if (!plan)
        return NULL;
    struct planner P;
    memset(&P, 0, sizeof P);
    P.s = s;    P.st = stats ? stats : plan_stats_default();
    P.d = d;
    const struct spark_conf *c = &s->spark;
    P.aqe = spark_conf_bool(c, "spark.sql.adaptive.enabled");
    /* SQLConf.numShufflePartitions: with AQE coalescing on, the initial
     * partition number when set. */
    P.shuffle_partitions = spark_conf_int(c, "spark.sql.shuffle.partitions");
    int64_t initial =
        spark_conf_int(c, "spark.sql.adaptive.coalescePartitions.initialPartitionNum");
    if (P.aqe && spark_conf_bool(c, "spark.sql.adaptive.coalescePartitions.enabled") && initial > 0)
        P.shuffle_partitions = initial;
    if (P.shuffle_partitions < 1)
        P.shuffle_partitions = 1;
    P.max_partition_bytes = spark_conf_bytes(c, "spark.sql.files.maxPartitionBytes");
    if (P.max_partition_bytes < 1)
        P.max_partition_bytes = 128LL * 1024 * 1024;
    P.open_cost = spark_conf_bytes(c, "spark.sql.files.openCostInBytes");
    P.broadcast_threshold = spark_conf_bytes(c, "spark.sql.autoBroadcastJoinThreshold");
    P.compress = spark_conf_bool(c, "spark.shuffle.compress");
    P.min_partitions = min_partitions(s, cl);
    aqe_settings(&P, cl);
    enum sc_status rc = SC_OK;
    for (size_t j = 0; j < s->n_jobs && rc == SC_OK; j++) {
        struct plan_job *job = &plan->jobs[j];
        if (!job->planned) {
            for (size_t k = 0; k < job->n_stages; k++)
                P.total_tasks += job->stages[k].tasks;
            continue;
        }
        P.job_index = j;
        P.same_reads = P.no_same_reads = P.replan = false;
        rc = plan_query(&P, job);
        if (rc == SC_OK && P.replan) {
            /* Forget what the first attempt cached and plan it again
             * without reading its own cache (see cache_ready). */
            query_reset(&P);
            size_t kept = 0;
            for (size_t i = 0; i < P.n_caches; i++) {
                if (P.caches[i].job == j) {
                    free(P.caches[i].sig);
                    free(P.caches[i].weights);
                } else
                    P.caches[kept++] = P.caches[i];
            }
            P.n_caches = kept;
            P.no_same_reads = true;
            P.same_reads = P.replan = false;
            rc = plan_query(&P, job);
        }
        query_reset(&P);
    }
    for (size_t i = 0; i < P.n_caches; i++) {
        free(P.caches[i].sig);
        free(P.caches[i].weights);
    }
    free(P.caches);
    if (rc != SC_OK) {
        plan_free(plan);
        return NULL;
    }
    return plan;
}
