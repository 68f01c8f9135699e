/*
 * calibrate_generic.c — an explicit stage's kernel alone (see calibrate.c):
 * a stage given as a kernel name and its records, not as operators, runs
 * its kernel in a small pipeline of its own on generic sample tables.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calib/calibrate_internal.h"

/* ---- the generic schema of explicit stages --------------------------------- */

/* An explicit stage names a kernel and its records, not its columns: its
 * kernel runs alone on this table (a sequence id, a key with 1,000 values —
 * few groups, as most aggregations — a double, a string, a flag), and joins
 * find their other side in `generic_dim`. */
static const struct column_spec generic_cols[] = {
    {.name = "id", .type = COL_INT64, .dist = CDIST_SEQUENCE},
    {.name = "key", .type = COL_INT64, .dist = CDIST_UNIFORM, .min = 1, .max = 1000},
    {.name = "value", .type = COL_DOUBLE, .dist = CDIST_UNIFORM, .min = 0, .max = 100},
    {.name = "name", .type = COL_STRING, .dist = CDIST_ZIPF, .distinct = 1000, .exponent = 1.0},
    {.name = "flag", .type = COL_BOOLEAN, .dist = CDIST_UNIFORM},
};
static const struct column_spec generic_dim_cols[] = {
    {.name = "key", .type = COL_INT64, .dist = CDIST_SEQUENCE},
    {.name = "label", .type = COL_STRING, .dist = CDIST_SEQUENCE},
};
static const struct table_spec generic_tables[] = {
    {.name = "generic",
     .rows = 100000000,
     .size_bytes = -1,
     .format = "parquet",
     .columns = (struct column_spec *)generic_cols,
     .n_columns = 5},
    {.name = "generic_dim",
     .rows = 1000,
     .size_bytes = -1,
     .format = "parquet",
     .columns = (struct column_spec *)generic_dim_cols,
     .n_columns = 2},
};

/* ---- an explicit stage's kernel alone, on the generic tables ------------- */

/* The columns of generic_cols and generic_dim_cols the pipelines read. */
static const char *const generic_all[] = {"id", "key", "value", "name", "flag"};
static const char *const generic_idkv[] = {"id", "key", "value"};
static const char *const generic_dim_all[] = {"key", "label"};

static struct plan_op *gen_op(struct generic_pipe *g, enum plan_op_kind k)
{
    struct plan_op *op = &g->ops[g->n++];
    memset(op, 0, sizeof *op);
    op->kind = k;
    return op;
}

/* Rows of the generic table (or generic_dim) with the given columns. */
static int gen_rows(struct generic_pipe *g, const char *table, const char *const *cols, size_t n)
{
    struct plan_op *op = gen_op(g, PLAN_OP_ROWS);
    return !(op->table = strdup(table)) || plan_names_set(&op->cols, cols, NULL, n, false) ? -1 : 0;
}

static int gen_keys(struct plan_op *op, const char *const *keys, size_t n, bool dirs)
{
    return plan_names_set(&op->keys, keys, NULL, n, dirs);
}

static struct plan_call gen_call(const char *func, const char *arg, const char *alias)
{
    struct plan_call c;
    memset(&c, 0, sizeof c);
    snprintf(c.func, sizeof c.func, "%s", func);
    snprintf(c.arg, sizeof c.arg, "%s", arg);
    snprintf(c.alias, sizeof c.alias, "%s", alias);
    return c;
}

static int gen_calls(struct plan_op *op, const struct plan_call *calls, size_t n)
{
    if (!(op->calls = malloc(n * sizeof *op->calls)))
        return -1;
    memcpy(op->calls, calls, n * sizeof *calls);
    op->n_calls = n;
    return 0;
}

/* Builds kernel k's pipeline: generic rows into that kernel, with the
 * parameters of a typical use (what the kernel's fit is measured on).
 * Returns 0; -1 when memory runs out or k has no pipeline (g->n 0). */
static int generic_pipeline(enum op_kernel k, struct generic_pipe *g)
{
    static const char *const key[] = {"key"}, *const key_flag[] = {"key", "flag"};
    static const char *const value[] = {"value"}, *const key_value[] = {"key", "value"};
    struct plan_op *op;
    int rc = 0;
    if (k == OPK_SCAN) {
        op = gen_op(g, PLAN_OP_SCAN);
        rc = !(op->format = strdup("parquet")) || !(op->table = strdup("generic")) ||
             plan_names_set(&op->cols, generic_all, NULL, 5, false);
    } else if (k == OPK_SHUFFLE_READ) {
        op = gen_op(g, PLAN_OP_SHUFFLE_READ);
        op->part = PLAN_PART_HASH;
        op->n = 200;
        rc = gen_keys(op, key, 1, false);
    } else if (k == OPK_SORT_MERGE_JOIN) {
        rc = gen_rows(g, "generic", generic_idkv, 3) || gen_keys(gen_op(g, PLAN_OP_SORT), key, 1, true) ||
             gen_rows(g, "generic_dim", generic_dim_all, 2) ||
             gen_keys(gen_op(g, PLAN_OP_SORT), key, 1, true) ||
             gen_keys(gen_op(g, PLAN_OP_SORT_MERGE_JOIN), key, 1, false);
    } else if (k == OPK_GENERIC || k == OPK_WRITE) {
        return -1; /* no kernel alone to time */
    } else {
        rc = gen_rows(g, "generic", generic_all, 5);
        if (k == OPK_FILTER) {
            rc = rc || !(gen_op(g, PLAN_OP_FILTER)->where = strdup("value < 50.0"));
        } else if (k == OPK_PROJECT) {
            static const char *const ex[] = {"id", "key", "value * 2.0", "upper(name)", "flag"};
            static const char *const al[] = {NULL, NULL, "value2", "uname", NULL};
            op = gen_op(g, PLAN_OP_PROJECT);
            if (!rc && !(op->items = calloc(5, sizeof *op->items)))
                rc = -1;
            for (size_t j = 0; !rc && j < 5; j++) {
                op->n_items++;
                rc = !(op->items[j].expr = strdup(ex[j])) ||
                     (al[j] && !(op->items[j].alias = strdup(al[j])));
            }
        } else if (k == OPK_HASH_AGGREGATE) {
            struct plan_call c[2] = {gen_call("count", "1", "count(1)"),
                                     gen_call("sum", "value", "sum(value)")};
            op = gen_op(g, PLAN_OP_HASH_AGGREGATE);
            rc = rc || gen_keys(op, key, 1, false) || gen_calls(op, c, 2);
        } else if (k == OPK_DISTINCT) {
            rc = rc || gen_keys(gen_op(g, PLAN_OP_HASH_AGGREGATE), key_flag, 2, false);
        } else if (k == OPK_SORT) {
            rc = rc || gen_keys(gen_op(g, PLAN_OP_SORT), value, 1, true);
        } else if (k == OPK_WINDOW) {
            struct plan_call c = gen_call("row_number", "", "rn");
            rc = rc || gen_keys(gen_op(g, PLAN_OP_SORT), key_value, 2, true);
            op = gen_op(g, PLAN_OP_WINDOW);
            rc = rc || gen_keys(op, key, 1, false) || gen_calls(op, &c, 1) ||
                 plan_names_set(&op->order, value, NULL, 1, true);
        } else if (k == OPK_BROADCAST_HASH_JOIN) {
            rc = rc || gen_keys(gen_op(g, PLAN_OP_BROADCAST_HASH_JOIN), key, 1, false);
        } else if (k == OPK_SHUFFLE_WRITE) {
            op = gen_op(g, PLAN_OP_EXCHANGE);
            op->part = PLAN_PART_HASH;
            op->n = 200;
            rc = rc || gen_keys(op, key, 1, false);
        } else if (k == OPK_SAMPLE) {
            op = gen_op(g, PLAN_OP_SAMPLE);
            op->fraction = 0.5;
            op->n = 0;
        } else if (k == OPK_LIMIT) {
            op = gen_op(g, PLAN_OP_LIMIT);
            op->limit_mode = PLAN_LIMIT_LOCAL;
            op->n = 1000000000;
        }
    }
    for (size_t j = 0; !rc && j < g->n; j++)
        rc = plan_op_finish(&g->ops[j]);
    return rc ? -1 : 0;
}

void calibrate_generic_pipe_fini(struct generic_pipe *g)
{
    for (size_t j = 0; j < g->n; j++)
        plan_op_fini(&g->ops[j]);
    memset(g, 0, sizeof *g);
}

const struct table_spec *calibrate_generic_table(const char *name)
{
    for (size_t i = 0; i < sizeof generic_tables / sizeof generic_tables[0]; i++)
        if (strcmp(generic_tables[i].name, name) == 0)
            return &generic_tables[i];
    return NULL;
}

/* The stage's operators: the planner's, or its kernel's generic pipeline
 * (none for a kernel without one, or when memory runs out building it). */
size_t calibrate_stage_ops(struct calibration *cal, const struct plan_stage *sp,
                        const struct plan_op **ops)
{
    if (sp->n_ops > 0) {
        *ops = sp->ops;
        return sp->n_ops;
    }
    *ops = NULL;
    int k = op_kernel_find(sp->kernel);
    if (k < 0)
        return 0;
    struct generic_pipe *g = &cal->generic[k];
    if (!g->built) {
        if (generic_pipeline((enum op_kernel)k, g) != 0) {
            calibrate_generic_pipe_fini(g);
            return 0;
        }
        g->built = true;
    }
    *ops = g->ops;
    return g->n;
}
