/*
 * expr.c — the expressions of query steps (expr.h): the expression object,
 * named items and aggregate / window calls — their lifetimes, accessors and
 * list operations. The work is in expr_parse.c (lexer and parser),
 * expr_bind.c (names and types) and expr_eval.c (the vectorised
 * evaluator), which share the tree of expr_tree.h.
 *
 * Where it sits: scenario → *plan* → *calibrate* → simulate. The planner
 * parses and binds a step's expression text against the columns that reach
 * the step, so a typo is reported with its position before anything runs;
 * calibration evaluates the bound tree over generated batches, timing the
 * filter and project kernels and measuring selectivity.
 */
#include "models/expr_tree.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void expr_free(struct expr *e)
{
    if (!e)
        return;
    expr_node_free(e->root);
    for (size_t i = 0; i < e->n_refs; i++)
        free(e->refs[i]);
    free(e->refs);
    free(e->ref_col);
    free(e->ref_type);
    free(e->text);
    free(e);
}

bool expr_is_bound(const struct expr *e)
{
    return e->bound;
}

const char *expr_text(const struct expr *e)
{
    return e->text;
}

enum col_type expr_type(const struct expr *e)
{
    return e->root->type == TY_NULL ? COL_BOOLEAN : (enum col_type)e->root->type;
}

const char *expr_column_name(const struct expr *e)
{
    return e->root->kind == N_COL ? e->root->name : NULL;
}

size_t expr_n_refs(const struct expr *e)
{
    return e->n_refs;
}

const char *expr_ref(const struct expr *e, size_t i)
{
    return i < e->n_refs ? e->refs[i] : NULL;
}

void expr_item_fini(struct expr_item *it)
{
    if (!it)
        return;
    expr_free(it->e);
    free(it->alias);
    it->e = NULL;
    it->alias = NULL;
}

void expr_list_fini(struct expr_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        expr_item_fini(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Rewrites the error in d with a prefix naming the list item. */
static void prefix_item(struct diag *d, size_t index, const char *text)
{
    if (!d || d->status != SC_EINPUT)
        return;
    char msg[sizeof d->msg + 128];
    snprintf(msg, sizeof msg, "item %zu (\"%.60s%s\"): %s", index + 1, text,
             strlen(text) > 60 ? "..." : "", d->msg);
    size_t len = strlen(msg);
    if (len >= sizeof d->msg)
        len = sizeof d->msg - 1;
    memcpy(d->msg, msg, len);
    d->msg[len] = '\0';
}

enum sc_status expr_list_select(struct expr_list *l, const struct batch *schema,
                                const char *const *texts, size_t n, struct diag *d)
{
    l->n = 0;
    l->items = calloc(n ? n : 1, sizeof *l->items);
    if (!l->items)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        enum sc_status st = expr_item_parse(texts[i], &l->items[i], d);
        if (st == SC_OK) {
            l->n++;
            st = expr_bind(l->items[i].e, schema, d);
        }
        if (st != SC_OK) {
            prefix_item(d, i, texts[i]);
            expr_list_fini(l);
            return st;
        }
    }
    return SC_OK;
}

/* A bound expression that is column i of schema. */
static struct expr *column_expr(const struct batch *schema, size_t i, struct diag *d)
{
    struct node *n = expr_node_new(N_COL, 1);
    if (!n || !(n->name = strdup(schema->names[i]))) {
        expr_node_free(n);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    struct expr *e = expr_wrap(n->name, 0, strlen(n->name), n, d);
    if (e && expr_bind(e, schema, d) != SC_OK) {
        expr_free(e);
        return NULL;
    }
    return e;
}

enum sc_status expr_list_with_column(struct expr_list *l, const struct batch *schema,
                                     const char *name, const char *text, struct diag *d)
{
    l->n = 0;
    l->items = calloc(schema->n_cols + 1, sizeof *l->items);
    if (!l->items)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct expr *value = expr_compile(text, schema, d);
    if (!value) {
        expr_list_fini(l);
        return d && d->status != SC_OK ? d->status : SC_EINPUT;
    }
    int replaced = batch_find(schema, name);
    for (size_t i = 0; i <= schema->n_cols; i++) {
        struct expr_item *it = &l->items[l->n];
        if (i == schema->n_cols && replaced >= 0)
            break;
        bool is_new = (int)i == replaced || i == schema->n_cols;
        it->e = is_new ? value : column_expr(schema, i, d);
        it->alias = strdup(is_new ? name : schema->names[i]);
        if (is_new)
            value = NULL;
        if (!it->e || !it->alias) {
            expr_free(value);
            expr_item_fini(it);
            expr_list_fini(l);
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        }
        l->n++;
    }
    return SC_OK;
}

struct batch *expr_list_batch_new(const struct expr_list *l, size_t cap_rows)
{
    const char **names = malloc((l->n ? l->n : 1) * sizeof *names);
    enum col_type *types = malloc((l->n ? l->n : 1) * sizeof *types);
    struct batch *b = NULL;
    if (names && types) {
        for (size_t i = 0; i < l->n; i++) {
            names[i] = l->items[i].alias;
            types[i] = expr_type(l->items[i].e);
        }
        b = batch_new(l->n, names, types, cap_rows);
    }
    free(names);
    free(types);
    return b;
}

const char *expr_fn_name(enum expr_fn fn)
{
    switch (fn) {
    case EXPR_FN_COUNT: return "count";
    case EXPR_FN_COUNT_DISTINCT: return "count";
    case EXPR_FN_SUM: return "sum";
    case EXPR_FN_AVG: return "avg";
    case EXPR_FN_MIN: return "min";
    case EXPR_FN_MAX: return "max";
    case EXPR_FN_ROW_NUMBER: return "row_number";
    case EXPR_FN_RANK: return "rank";
    case EXPR_FN_DENSE_RANK: return "dense_rank";
    }
    return "?";
}

void expr_call_fini(struct expr_call *c)
{
    if (!c)
        return;
    expr_free(c->arg);
    free(c->alias);
    c->arg = NULL;
    c->alias = NULL;
}

enum sc_status expr_call_bind(struct expr_call *c, const struct batch *schema, struct diag *d)
{
    if (!c->arg)
        return SC_OK;
    enum sc_status st = expr_bind(c->arg, schema, d);
    if (st != SC_OK)
        return st;
    if ((c->fn == EXPR_FN_SUM || c->fn == EXPR_FN_AVG) && !expr_type_is_num(c->arg->root->type))
        return diag_set(
            d, SC_EINPUT, NULL, 0, "%s() needs a number; its argument at position %d is %s",
            expr_fn_name(c->fn), c->arg->root->pos, expr_type_label(c->arg->root->type));
    return SC_OK;
}

enum col_type expr_call_type(const struct expr_call *c)
{
    switch (c->fn) {
    case EXPR_FN_AVG: return COL_DOUBLE;
    case EXPR_FN_SUM: return c->arg && expr_type(c->arg) == COL_DOUBLE ? COL_DOUBLE : COL_INT64;
    case EXPR_FN_MIN:
    case EXPR_FN_MAX: return c->arg ? expr_type(c->arg) : COL_INT64;
    default: return COL_INT64;
    }
}
