/*
 * plan_op.c — typed physical operators (see plan_op.h): their names, their
 * explain-style text made from their fields, copies and teardown. The text
 * is what `stagecast plan` prints and what the planner's ReuseExchange
 * compares; no module reads it back.
 */
#include "sim/plan/plan_op.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/operators.h"
#include "models/sbuf.h"

const char *plan_op_kind_name(enum plan_op_kind k)
{
    static const char *const names[] = {
        [PLAN_OP_SCAN] = "scan",
        [PLAN_OP_ROWS] = "rows",
        [PLAN_OP_MEMSCAN] = "memscan",
        [PLAN_OP_SHUFFLE_READ] = "read",
        [PLAN_OP_FILTER] = "filter",
        [PLAN_OP_PROJECT] = "project",
        [PLAN_OP_SALT] = "salt",
        [PLAN_OP_HASH_AGGREGATE] = "agg",
        [PLAN_OP_SORT] = "sort",
        [PLAN_OP_TAKE_ORDERED] = "take_ordered",
        [PLAN_OP_WINDOW] = "window",
        [PLAN_OP_SORT_MERGE_JOIN] = "smj",
        [PLAN_OP_BROADCAST_HASH_JOIN] = "bhj",
        [PLAN_OP_NESTED_LOOP_JOIN] = "bnlj",
        [PLAN_OP_CARTESIAN] = "cartesian",
        [PLAN_OP_UNION] = "union",
        [PLAN_OP_EXCHANGE] = "exchange",
        [PLAN_OP_BROADCAST] = "broadcast",
        [PLAN_OP_RANGE_SAMPLE] = "range_sample",
        [PLAN_OP_WRITE] = "write",
        [PLAN_OP_CACHE] = "cache",
        [PLAN_OP_LIMIT] = "limit",
        [PLAN_OP_COALESCE] = "coalesce",
        [PLAN_OP_COLLECT] = "collect",
        [PLAN_OP_SAMPLE] = "sample",
    };
    return (size_t)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "?";
}

int plan_op_kernel(enum plan_op_kind k)
{
    /* What calibration times each operator with, and so which overhead
     * class prices it; -1: free (generated rows, a union of inputs, the
     * driver's side of a broadcast or a collect). */
    static const int kernels[] = {
        [PLAN_OP_SCAN] = OPK_SCAN,
        [PLAN_OP_ROWS] = -1,
        [PLAN_OP_MEMSCAN] = OPK_SCAN,
        [PLAN_OP_SHUFFLE_READ] = OPK_SHUFFLE_READ,
        [PLAN_OP_FILTER] = OPK_FILTER,
        [PLAN_OP_PROJECT] = OPK_PROJECT,
        [PLAN_OP_SALT] = OPK_PROJECT,
        [PLAN_OP_HASH_AGGREGATE] = OPK_HASH_AGGREGATE,
        [PLAN_OP_SORT] = OPK_SORT,
        [PLAN_OP_TAKE_ORDERED] = OPK_SORT,
        [PLAN_OP_WINDOW] = OPK_WINDOW,
        [PLAN_OP_SORT_MERGE_JOIN] = OPK_SORT_MERGE_JOIN,
        [PLAN_OP_BROADCAST_HASH_JOIN] = OPK_BROADCAST_HASH_JOIN,
        [PLAN_OP_NESTED_LOOP_JOIN] = OPK_BROADCAST_HASH_JOIN,
        [PLAN_OP_CARTESIAN] = OPK_BROADCAST_HASH_JOIN,
        [PLAN_OP_UNION] = -1,
        [PLAN_OP_EXCHANGE] = OPK_SHUFFLE_WRITE,
        [PLAN_OP_BROADCAST] = -1,
        [PLAN_OP_RANGE_SAMPLE] = -1,
        [PLAN_OP_WRITE] = OPK_WRITE,
        [PLAN_OP_CACHE] = OPK_PROJECT,
        [PLAN_OP_LIMIT] = OPK_LIMIT,
        [PLAN_OP_COALESCE] = -1,
        [PLAN_OP_COLLECT] = -1,
        [PLAN_OP_SAMPLE] = OPK_SAMPLE,
    };
    return (size_t)k < sizeof kernels / sizeof kernels[0] ? kernels[k] : -1;
}

int plan_op_class(enum plan_op_kind k)
{
    int kernel = plan_op_kernel(k);
    return kernel < 0 ? -1 : op_kernel_info((enum op_kernel)kernel)->cls;
}

const char *plan_op_label(const struct plan_op *o, char *buf, size_t size)
{
    switch (o->kind) {
    case PLAN_OP_SCAN: {
        int len = (int)strlen(o->table);
        snprintf(buf, size, "scan %.*s", len > 60 ? 60 : len, o->table);
        return buf;
    }
    case PLAN_OP_HASH_AGGREGATE: {
        /* A global final aggregate with a count is Dataset.count(). */
        bool count = false;
        for (size_t c = 0; c < o->n_calls; c++) {
            size_t fl = strlen(o->calls[c].func);
            count |= (fl >= 5 && strcmp(o->calls[c].func + fl - 5, "count") == 0) ||
                     strstr(o->calls[c].arg, "count(") != NULL;
        }
        if (o->keys.n == 0 && count && o->final)
            return "count";
        return o->final ? "final agg" : "partial agg";
    }
    case PLAN_OP_EXCHANGE: return o->part == PLAN_PART_RANGE ? "range exchange" : "exchange";
    case PLAN_OP_FILTER: return "filter";
    case PLAN_OP_BROADCAST_HASH_JOIN: return "bhj";
    case PLAN_OP_SORT_MERGE_JOIN: return "smj";
    case PLAN_OP_NESTED_LOOP_JOIN: return "bnlj";
    case PLAN_OP_CARTESIAN: return "cartesian";
    case PLAN_OP_TAKE_ORDERED: return "top-k";
    case PLAN_OP_SORT: return "sort";
    case PLAN_OP_WINDOW: return "window";
    case PLAN_OP_UNION: return "union";
    case PLAN_OP_COALESCE: return "coalesce";
    case PLAN_OP_LIMIT: return "limit";
    case PLAN_OP_MEMSCAN: return "in-memory scan";
    case PLAN_OP_CACHE: return "cache";
    case PLAN_OP_WRITE: return "write";
    case PLAN_OP_COLLECT: return "collect";
    case PLAN_OP_SAMPLE: return "sample";
    case PLAN_OP_ROWS:
    case PLAN_OP_SHUFFLE_READ:
    case PLAN_OP_PROJECT:
    case PLAN_OP_SALT:
    case PLAN_OP_BROADCAST:
    case PLAN_OP_RANGE_SAMPLE: break;
    }
    return NULL;
}

const char *plan_join_name(enum plan_join j)
{
    switch (j) {
    case PLAN_JOIN_LEFT_OUTER: return "LeftOuter";
    case PLAN_JOIN_RIGHT_OUTER: return "RightOuter";
    case PLAN_JOIN_FULL_OUTER: return "FullOuter";
    case PLAN_JOIN_LEFT_SEMI: return "LeftSemi";
    case PLAN_JOIN_LEFT_ANTI: return "LeftAnti";
    case PLAN_JOIN_CROSS: return "Cross";
    case PLAN_JOIN_INNER: break;
    }
    return "Inner";
}

enum plan_join plan_join_from_how(const char *how)
{
    if (strcmp(how, "left") == 0 || strcmp(how, "left_outer") == 0)
        return PLAN_JOIN_LEFT_OUTER;
    if (strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0)
        return PLAN_JOIN_RIGHT_OUTER;
    if (strcmp(how, "full") == 0 || strcmp(how, "full_outer") == 0)
        return PLAN_JOIN_FULL_OUTER;
    if (strcmp(how, "left_semi") == 0)
        return PLAN_JOIN_LEFT_SEMI;
    if (strcmp(how, "left_anti") == 0)
        return PLAN_JOIN_LEFT_ANTI;
    if (strcmp(how, "cross") == 0)
        return PLAN_JOIN_CROSS;
    return PLAN_JOIN_INNER;
}

/* "a, b DESC, c": names joined, with " ASC"/" DESC" when dirs. */
static void add_names(struct sbuf *b, const struct plan_names *l, bool dirs)
{
    for (size_t i = 0; i < l->n; i++)
        sb_add(b, "%s%s%s", i ? ", " : "", l->v[i],
               dirs ? (l->desc && l->desc[i] ? " DESC" : " ASC") : "");
}

static void add_call(struct sbuf *b, const struct plan_call *c, const char *prefix)
{
    sb_add(b, "%s%s(%s%s)", prefix, c->func, c->distinct ? "DISTINCT " : "", c->arg);
}

/* The partitioning as Spark prints it: hashpartitioning(k, 200). */
static void add_part(struct sbuf *b, const struct plan_op *op)
{
    switch (op->part) {
    case PLAN_PART_HASH:
        sb_add(b, "hashpartitioning(");
        add_names(b, &op->keys, false);
        sb_add(b, ", %lld)", (long long)op->n);
        break;
    case PLAN_PART_RANGE:
        sb_add(b, "rangepartitioning(");
        add_names(b, &op->keys, true);
        sb_add(b, ", %lld)", (long long)op->n);
        break;
    case PLAN_PART_ROUNDROBIN: sb_add(b, "RoundRobinPartitioning(%lld)", (long long)op->n); break;
    case PLAN_PART_SINGLE: sb_add(b, "SinglePartition"); break;
    case PLAN_PART_UNKNOWN: sb_add(b, "UnknownPartitioning(%lld)", (long long)op->n); break;
    }
}

static const char *build_side(const struct plan_op *op)
{
    return op->build_left ? "BuildLeft" : "BuildRight";
}

char *plan_op_format(const struct plan_op *op)
{
    struct sbuf b = {0};
    switch (op->kind) {
    case PLAN_OP_SCAN:
        sb_add(&b, "Scan %s %s [", op->format, op->table);
        add_names(&b, &op->cols, false);
        sb_add(&b, "]");
        break;
    case PLAN_OP_ROWS:
        sb_add(&b, "Rows %s [", op->table);
        add_names(&b, &op->cols, false);
        sb_add(&b, "]");
        break;
    case PLAN_OP_MEMSCAN:
        sb_add(&b, "InMemoryTableScan [");
        add_names(&b, &op->cols, false);
        sb_add(&b, "]");
        break;
    case PLAN_OP_SHUFFLE_READ:
        sb_add(&b, "ShuffleRead ");
        add_part(&b, op);
        break;
    case PLAN_OP_FILTER: sb_add(&b, "Filter (%s)", op->where); break;
    case PLAN_OP_PROJECT:
        sb_add(&b, "Project [");
        for (size_t i = 0; i < op->n_items; i++)
            sb_add(&b, "%s%s%s%s", i ? ", " : "", op->items[i].expr,
                   op->items[i].alias ? " AS " : "", op->items[i].alias ? op->items[i].alias : "");
        sb_add(&b, "]");
        break;
    case PLAN_OP_SALT:
        if (op->salt_mode == PLAN_SALT_EXPLODE)
            sb_add(&b, "Generate explode(sequence(0, %lld)) AS salt", (long long)(op->n - 1));
        else
            sb_add(&b, "Project [%scast((rand() * %lld) as int) AS salt]",
                   op->salt_mode == PLAN_SALT_COLUMN_KEEP ? "*, " : "", (long long)op->n);
        break;
    case PLAN_OP_HASH_AGGREGATE:
        sb_add(&b, "HashAggregate(%s, keys=[", op->final ? "final" : "partial");
        add_names(&b, &op->keys, false);
        sb_add(&b, "], functions=[");
        for (size_t i = 0; i < op->n_calls; i++) {
            if (i)
                sb_add(&b, ", ");
            add_call(&b, &op->calls[i], op->final ? "" : "partial_");
        }
        sb_add(&b, "])");
        break;
    case PLAN_OP_SORT:
        if (op->local_all) {
            sb_add(&b, "Sort (local, before RoundRobinPartitioning)");
            break;
        }
        sb_add(&b, "Sort [");
        add_names(&b, &op->keys, true);
        sb_add(&b, "]");
        break;
    case PLAN_OP_TAKE_ORDERED:
        sb_add(&b, "TakeOrderedAndProject(limit=%lld, orderBy=[", (long long)op->n);
        add_names(&b, &op->keys, true);
        sb_add(&b, "])");
        break;
    case PLAN_OP_WINDOW:
        sb_add(&b, "Window [");
        for (size_t i = 0; i < op->n_calls; i++) {
            sb_add(&b, "%s", i ? ", " : "");
            add_call(&b, &op->calls[i], "");
            sb_add(&b, " AS %s", op->calls[i].alias);
        }
        sb_add(&b, "] partitionBy [");
        add_names(&b, &op->keys, false);
        sb_add(&b, "] orderBy [");
        add_names(&b, &op->order, true);
        sb_add(&b, "]");
        break;
    case PLAN_OP_SORT_MERGE_JOIN:
        sb_add(&b, "SortMergeJoin %s [", plan_join_name(op->join));
        add_names(&b, &op->keys, false);
        sb_add(&b, "]");
        break;
    case PLAN_OP_BROADCAST_HASH_JOIN:
        sb_add(&b, "BroadcastHashJoin %s [", plan_join_name(op->join));
        add_names(&b, &op->keys, false);
        sb_add(&b, "] %s", build_side(op));
        break;
    case PLAN_OP_NESTED_LOOP_JOIN:
        sb_add(&b, "BroadcastNestedLoopJoin %s %s", plan_join_name(op->join), build_side(op));
        break;
    case PLAN_OP_CARTESIAN: sb_add(&b, "CartesianProduct"); break;
    case PLAN_OP_UNION: sb_add(&b, "Union"); break;
    case PLAN_OP_EXCHANGE:
        sb_add(&b, "Exchange ");
        add_part(&b, op);
        break;
    case PLAN_OP_BROADCAST:
        if (op->keys.n == 0) {
            sb_add(&b, "BroadcastExchange IdentityBroadcastMode");
            break;
        }
        sb_add(&b, "BroadcastExchange HashedRelationBroadcastMode(");
        add_names(&b, &op->keys, false);
        sb_add(&b, ")");
        break;
    case PLAN_OP_RANGE_SAMPLE:
        sb_add(&b, "RangePartitioner sample (%.0f rows per partition, for %lld partitions)",
               op->per_partition, (long long)op->n);
        break;
    case PLAN_OP_WRITE:
        sb_add(&b, "WriteFiles %s%s%s", op->format, op->path ? " " : "", op->path ? op->path : "");
        break;
    case PLAN_OP_CACHE:
        sb_add(&b, "InMemoryRelation [");
        add_names(&b, &op->cols, false);
        sb_add(&b, "], StorageLevel(disk, memory, deserialized, 1 replicas)");
        break;
    case PLAN_OP_LIMIT:
        sb_add(&b, "%s %lld",
               op->limit_mode == PLAN_LIMIT_LOCAL    ? "LocalLimit"
               : op->limit_mode == PLAN_LIMIT_GLOBAL ? "GlobalLimit"
                                                     : "CollectLimit",
               (long long)op->n);
        break;
    case PLAN_OP_COALESCE: sb_add(&b, "Coalesce %lld", (long long)op->n); break;
    case PLAN_OP_COLLECT: sb_add(&b, "Collect"); break;
    case PLAN_OP_SAMPLE:
        /* As Spark's explain: lower bound, upper bound, with replacement,
         * seed (Spark draws one when none is given). */
        if (op->n >= 0)
            sb_add(&b, "Sample 0.0, %g, false, %lld", op->fraction, (long long)op->n);
        else
            sb_add(&b, "Sample 0.0, %g, false", op->fraction);
        break;
    }
    return sb_take(&b);
}

int plan_op_finish(struct plan_op *op)
{
    char *t = plan_op_format(op);
    if (!t)
        return -1;
    free(op->text);
    op->text = t;
    return 0;
}

int plan_names_add(struct plan_names *l, const char *name, bool with_dir, bool desc)
{
    char **v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v)
        return -1;
    l->v = v;
    if (with_dir || l->desc) {
        bool *d = realloc(l->desc, (l->n + 1) * sizeof *d);
        if (!d)
            return -1;
        l->desc = d;
        l->desc[l->n] = desc;
    }
    if (!(l->v[l->n] = strdup(name)))
        return -1;
    l->n++;
    return 0;
}

int plan_names_set(struct plan_names *l, const char *const *names, const bool *desc, size_t n,
                   bool with_dir)
{
    for (size_t i = 0; i < n; i++)
        if (plan_names_add(l, names[i], with_dir, desc && desc[i]) != 0)
            return -1;
    return 0;
}

void plan_names_fini(struct plan_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->desc);
    memset(l, 0, sizeof *l);
}

void plan_op_fini(struct plan_op *op)
{
    if (!op)
        return;
    free(op->text);
    free(op->table);
    free(op->format);
    free(op->path);
    free(op->where);
    free(op->est_key);
    plan_names_fini(&op->cols);
    plan_names_fini(&op->keys);
    plan_names_fini(&op->order);
    for (size_t i = 0; i < op->n_items; i++) {
        free(op->items[i].expr);
        free(op->items[i].alias);
    }
    free(op->items);
    free(op->calls);
    memset(op, 0, sizeof *op);
}

static int dup_str(char **dst, const char *src)
{
    *dst = NULL;
    return src && !(*dst = strdup(src)) ? -1 : 0;
}

static int copy_names(struct plan_names *dst, const struct plan_names *src)
{
    memset(dst, 0, sizeof *dst);
    return plan_names_set(dst, (const char *const *)src->v, src->desc, src->n, src->desc != NULL);
}

int plan_op_copy(struct plan_op *dst, const struct plan_op *src)
{
    *dst = *src;
    dst->text = dst->table = dst->format = dst->path = dst->where = dst->est_key = NULL;
    memset(&dst->cols, 0, sizeof dst->cols);
    memset(&dst->keys, 0, sizeof dst->keys);
    memset(&dst->order, 0, sizeof dst->order);
    dst->items = NULL;
    dst->n_items = 0;
    dst->calls = NULL;
    dst->n_calls = 0;
    int rc = dup_str(&dst->text, src->text) | dup_str(&dst->table, src->table) |
             dup_str(&dst->format, src->format) | dup_str(&dst->path, src->path) |
             dup_str(&dst->where, src->where) | dup_str(&dst->est_key, src->est_key);
    rc |= copy_names(&dst->cols, &src->cols) | copy_names(&dst->keys, &src->keys) |
          copy_names(&dst->order, &src->order);
    if (src->n_items) {
        dst->items = calloc(src->n_items, sizeof *dst->items);
        if (!dst->items)
            rc = -1;
        for (size_t i = 0; dst->items && i < src->n_items; i++) {
            dst->n_items++;
            rc |= dup_str(&dst->items[i].expr, src->items[i].expr) |
                  dup_str(&dst->items[i].alias, src->items[i].alias);
        }
    }
    if (src->n_calls) {
        dst->calls = malloc(src->n_calls * sizeof *dst->calls);
        if (dst->calls) {
            memcpy(dst->calls, src->calls, src->n_calls * sizeof *dst->calls);
            dst->n_calls = src->n_calls;
        } else {
            rc = -1;
        }
    }
    if (rc != 0) {
        plan_op_fini(dst);
        return -1;
    }
    return 0;
}

static bool same_names(const struct plan_names *a, const struct plan_names *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        bool da = a->desc && a->desc[i], db = b->desc && b->desc[i];
        if (strcmp(a->v[i], b->v[i]) != 0 || da != db)
            return false;
    }
    return true;
}

bool plan_op_same_partitioning(const struct plan_op *a, const struct plan_op *b)
{
    if (a->part != b->part)
        return false;
    switch (a->part) {
    case PLAN_PART_HASH:
    case PLAN_PART_RANGE: return a->n == b->n && same_names(&a->keys, &b->keys);
    case PLAN_PART_ROUNDROBIN:
    case PLAN_PART_UNKNOWN: return a->n == b->n;
    case PLAN_PART_SINGLE: break;
    }
    return true;
}
