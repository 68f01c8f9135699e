/*
 * planner_logical.c — the planner's logical tree (see planner.c): the nodes
 * built from a job's steps with views inlined, their output columns
 * resolved against their inputs (an unknown column is an error at the
 * step's line), and the Catalyst rules that change which stages run
 * (ColumnPruning, EliminateSorts). Physical planning reads the tree this
 * file leaves.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/expr.h"
#include "models/textdist.h"
#include "sim/plan/plan_expr.h"
#include "sim/plan/planner_internal.h"

/* Views inline into the tree; the reader has ruled out cycles, this bounds
 * the depth of a long chain. */
#define MAX_VIEW_DEPTH 64

/* ---- columns ------------------------------------------------------------ */

bool planner_name_eq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

/* The column named name (case-insensitive, back quotes stripped), or -1. */
int planner_find_lcol(const struct lcol *cols, size_t n, const char *name)
{
    char buf[256];
    size_t len = strlen(name);
    if (len >= 2 && name[0] == '`' && name[len - 1] == '`' && len - 2 < sizeof buf) {
        memcpy(buf, name + 1, len - 2);
        buf[len - 2] = '\0';
        name = buf;
    }
    for (size_t i = 0; i < n; i++)
        if (planner_name_eq(cols[i].name, name))
            return (int)i;
    return -1;
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
        size_t dd = textdist_levenshtein(name, cols[i].name);
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
        return d.status == SC_ENOMEM ? planner_nomem(P)
                                     : planner_fail_at(P, nd, "%s \"%s\": %s", what, text, d.msg);
    const struct lnode *c = &P->nodes[nd->child];
    for (size_t i = 0; i < expr_n_refs(e); i++)
        if (planner_find_lcol(c->out, c->n_out, expr_ref(e, i)) < 0) {
            char hint[512], name[128];
            snprintf(name, sizeof name, "%s", expr_ref(e, i));
            expr_free(e);
            return planner_fail_at(P, nd, "%s \"%s\" refers to column '%s', which its input does not "
                                  "have (%s)",
                           what, text, name, columns_hint(c->out, c->n_out, name, hint, sizeof hint));
        }
    expr_free(e);
    return SC_OK;
}

/* ---- building the tree from steps --------------------------------------- */

int planner_node_new(struct planner *P, enum lkind kind, const struct query_step *step, size_t step_no,
             const char *owner_kind, const char *owner_name)
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

void planner_node_fini(struct lnode *nd)
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
        return planner_nomem(P);
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
        int k = planner_find_lcol(c->out, c->n_out, name);
        if (k < 0) {
            char hint[512];
            return planner_fail_at(P, nd, "%s names column '%s', which its input does not have (%s)", what,
                           name, columns_hint(c->out, c->n_out, name, hint, sizeof hint));
        }
        keys[i] = c->out[k].name;
    }
    return SC_OK;
}

static enum col_type arg_type(const struct lnode *c, const char *arg)
{
    int k = plan_expr_is_ident(arg) ? planner_find_lcol(c->out, c->n_out, arg) : -1;
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
        return planner_nomem(P);
    nd->n_calls = texts->n;
    for (size_t i = 0; i < texts->n; i++) {
        struct plan_call *call = &nd->calls[i];
        if (plan_expr_parse_call(texts->v[i], call) != 0)
            return planner_fail_at(P, nd,
                           "'%s' is not a %s such as \"%s\" (a function call, optionally "
                           "with AS and a name)",
                           texts->v[i], what,
                           strcmp(what, "window function") == 0 ? "row_number() AS rn"
                                                                : "count(emp_id) AS n");
        if (strcmp(call->arg, "*") == 0)
            snprintf(call->arg, sizeof call->arg, "1");
        if (plan_expr_is_ident(call->arg) && planner_find_lcol(c->out, c->n_out, call->arg) < 0) {
            char hint[512];
            return planner_fail_at(P, nd, "%s '%s' reads column '%s', which its input does not have (%s)",
                           what, texts->v[i], call->arg,
                           columns_hint(c->out, c->n_out, call->arg, hint, sizeof hint));
        }
    }
    return SC_OK;
}

static int build_source(struct planner *P, const char *name, const struct query_step *step,
                        size_t step_no, const char *owner_kind, const char *owner_name, int depth,
                        int *out);

/* A scan: the table's columns. */
static enum sc_status resolve_scan(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct table_spec *t = nd->table;
    nd->out = calloc(t->n_columns + 1, sizeof *nd->out);
    if (!nd->out)
        return planner_nomem(P);
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

/* Operators whose output columns are their input's: a filter (its
 * condition checked), sort, cache, coalesce, limit, sample, repartition
 * and distinct (their keys resolved). */
static enum sc_status resolve_passthrough(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    if (nd->kind == LK_FILTER) {
        enum sc_status rc = check_expr(P, nd, q->where, "filter");
        if (rc != SC_OK)
            return rc;
    }
    if (copy_child_cols(P, nd, 0) != 0)
        return planner_nomem(P);
    if (nd->kind == LK_SORT)
        return resolve_keys(P, node, &q->keys, nd->child, false, true, "order_by");
    if (nd->kind == LK_REPARTITION)
        return resolve_keys(P, node, &q->partition_by, nd->child, false, false, "repartition");
    if (nd->kind == LK_DISTINCT && q->keys.n > 0)
        return resolve_keys(P, node, &q->keys, nd->child, false, false, "distinct");
    return SC_OK;
}

/* A select: the columns it names, "*" for all of its input's. */
static enum sc_status resolve_select(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    const struct lnode *c = &P->nodes[nd->child];
    size_t n = 0;
    for (size_t i = 0; i < q->cols.n; i++)
        n += strcmp(q->cols.v[i], "*") == 0 ? c->n_out : 1;
    nd->out = calloc(n + 1, sizeof *nd->out);
    if (!nd->out)
        return planner_nomem(P);
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
        int k = planner_find_lcol(c->out, c->n_out, q->cols.v[i]);
        if (k < 0) {
            char hint[512];
            return planner_fail_at(P, nd, "select names column '%s', which its input does not have (%s)",
                           q->cols.v[i],
                           columns_hint(c->out, c->n_out, q->cols.v[i], hint, sizeof hint));
        }
        nd->out[nd->n_out] = c->out[k];
        nd->out[nd->n_out].src = k;
        nd->out[nd->n_out++].rsrc = -1;
    }
    return SC_OK;
}

/* with_column: the input's columns and the computed one. */
static enum sc_status resolve_with_column(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    enum sc_status rc = check_expr(P, nd, q->expr, "with_column");
    if (rc != SC_OK)
        return rc;
    if (copy_child_cols(P, nd, 1) != 0)
        return planner_nomem(P);
    const struct lnode *c = &P->nodes[nd->child];
    const char *names[256];
    enum col_type types[256];
    size_t n = c->n_out < 256 ? c->n_out : 256;
    for (size_t i = 0; i < n; i++) {
        names[i] = c->out[i].name;
        types[i] = c->out[i].type;
    }
    /* withColumn replaces a column of the same name in place. */
    int k = planner_find_lcol(nd->out, nd->n_out, q->name);
    struct lcol col = {q->name, plan_expr_type(q->expr, names, types, n), NULL, NAN, -1, -1};
    if (k >= 0)
        nd->out[k] = col;
    else
        nd->out[nd->n_out++] = col;
    return SC_OK;
}

/* An aggregate: its grouping keys, then one column per function. */
static enum sc_status resolve_agg(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    enum sc_status rc;
    if (!nd->is_count) {
        if ((rc = resolve_keys(P, node, &q->keys, nd->child, false, false, "group_by")) != SC_OK ||
            (rc = parse_calls(P, node, &q->aggs, "aggregate")) != SC_OK)
            return rc;
    }
    nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
    nd->out = calloc(nd->n_keys + nd->n_calls + 1, sizeof *nd->out);
    if (!nd->out)
        return planner_nomem(P);
    for (size_t i = 0; i < nd->n_keys; i++) {
        int k = planner_find_lcol(c->out, c->n_out, nd->keys[i]);
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

/* A window: the input's columns, then one column per function. */
static enum sc_status resolve_window(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    enum sc_status rc;
    if (copy_child_cols(P, nd, q->funcs.n) != 0)
        return planner_nomem(P);
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

/* A join: the left side's columns, then the right side's but its keys
 * (none for a semi or anti join). */
static enum sc_status resolve_join(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    const struct lnode *l = &P->nodes[nd->child], *r = &P->nodes[nd->right];
    nd->how = q->how ? q->how : "inner";
    enum sc_status rc;
    /* Every key must be on both sides: join(df, "k") is USING (k). */
    for (size_t i = 0; i < q->on.n; i++) {
        char hint[512];
        l = &P->nodes[nd->child];
        r = &P->nodes[nd->right];
        if (planner_find_lcol(l->out, l->n_out, q->on.v[i]) < 0)
            return planner_fail_at(P, nd, "join on '%s', but the left side has no such column (%s)",
                           q->on.v[i],
                           columns_hint(l->out, l->n_out, q->on.v[i], hint, sizeof hint));
        if (planner_find_lcol(r->out, r->n_out, q->on.v[i]) < 0)
            return planner_fail_at(P, nd,
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
        return planner_nomem(P);
    for (size_t i = 0; i < l->n_out; i++) {
        nd->out[nd->n_out] = l->out[i];
        nd->out[nd->n_out].src = (int)i;
        nd->out[nd->n_out++].rsrc = -1;
    }
    for (size_t i = 0; i < r->n_out && !left_only; i++) {
        bool key = false;
        for (size_t k = 0; k < nd->n_okeys; k++)
            key |= planner_name_eq(r->out[i].name, nd->okeys[k]);
        if (key)
            continue;
        nd->out[nd->n_out] = r->out[i];
        nd->out[nd->n_out].src = -1;
        nd->out[nd->n_out++].rsrc = (int)i;
    }
    return SC_OK;
}

/* A union: the left side's columns, each also from the right side. */
static enum sc_status resolve_union(struct planner *P, int node)
{
    struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    const struct lnode *l = &P->nodes[nd->child], *r = &P->nodes[nd->right];
    if (l->n_out != r->n_out)
        return planner_fail_at(P, nd,
                       "union of '%s' needs as many columns on both sides (Spark unions "
                       "by position), but they have %zu and %zu",
                       q->table, l->n_out, r->n_out);
    if (copy_child_cols(P, nd, 0) != 0)
        return planner_nomem(P);
    for (size_t i = 0; i < nd->n_out; i++)
        nd->out[i].rsrc = (int)i;
    return SC_OK;
}

/* Resolves node `node` (its child or children already resolved): fills its
 * output columns and parses its keys and calls. */
enum sc_status planner_resolve(struct planner *P, int node)
{
    switch (P->nodes[node].kind) {
    case LK_SCAN: return resolve_scan(P, node);
    case LK_FILTER:
    case LK_SORT:
    case LK_CACHE:
    case LK_COALESCE:
    case LK_LIMIT:
    case LK_SAMPLE:
    case LK_REPARTITION:
    case LK_DISTINCT: return resolve_passthrough(P, node);
    case LK_SELECT: return resolve_select(P, node);
    case LK_WITH_COLUMN: return resolve_with_column(P, node);
    case LK_AGG: return resolve_agg(P, node);
    case LK_WINDOW: return resolve_window(P, node);
    case LK_JOIN: return resolve_join(P, node);
    case LK_UNION: return resolve_union(P, node);
    }
    return SC_OK;
}

/* Builds the nodes of steps (a job's query or a view) into *root. */
enum sc_status planner_build_steps(struct planner *P, const struct query_step *steps, size_t n,
                           const char *owner_kind, const char *owner_name, bool top, int depth,
                           int *root)
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
        case OP_SAMPLE: kind = LK_SAMPLE; break;
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
        int node = planner_node_new(P, kind, q, i + 1, owner_kind, owner_name);
        if (node < 0)
            return planner_nomem(P);
        struct lnode *nd = &P->nodes[node];
        nd->child = cur;
        nd->right = right;
        nd->n = q->n;
        if (kind == LK_SCAN) {
            nd->table = scenario_table(P->s, q->table);
            if (!nd->table)
                return planner_fail_at(P, nd, "no table '%s'", q->table);
        }
        enum sc_status rc = planner_resolve(P, node);
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
        int node = planner_node_new(P, LK_SCAN, step, step_no, owner_kind, owner_name);
        if (node < 0)
            return planner_nomem(P);
        P->nodes[node].table = t;
        enum sc_status rc = planner_resolve(P, node);
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
    return planner_build_steps(P, v->steps, v->n_steps, "view", v->name, false, depth + 1, out);
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
    int k = planner_find_lcol(c->out, c->n_out, name);
    if (k >= 0)
        req[k] = true;
}

/* Pushes the columns used above node (need, aligned with its output) down
 * the tree, as Catalyst's ColumnPruning does: each node keeps only what is
 * used above plus what it reads itself. A with_column or window whose
 * output is unused is removed (RemoveNoopOperators); unused aggregate and
 * window functions are dropped. */
enum sc_status planner_prune(struct planner *P, int node, const bool *need)
{
    struct lnode *nd = &P->nodes[node];
    free(nd->req);
    nd->req = calloc(nd->n_out + 1, sizeof *nd->req);
    if (!nd->req)
        return planner_nomem(P);
    memcpy(nd->req, need, nd->n_out * sizeof *need);
    if (nd->kind == LK_SCAN)
        return SC_OK;
    const struct lnode *c = &P->nodes[nd->child];
    bool *creq = calloc(c->n_out + 1, sizeof *creq);
    bool *rreq = NULL;
    if (!creq)
        return planner_nomem(P);
    const struct lnode *r = nd->right >= 0 ? &P->nodes[nd->right] : NULL;
    if (r && !(rreq = calloc(r->n_out + 1, sizeof *rreq))) {
        free(creq);
        return planner_nomem(P);
    }
    /* Columns passing through to the (left) child. */
    for (size_t i = 0; i < nd->n_out; i++)
        if (need[i] && nd->out[i].src >= 0 && nd->kind != LK_AGG)
            creq[nd->out[i].src] = true;
    const struct query_step *q = nd->step;
    switch (nd->kind) {
    case LK_FILTER: mark_refs(c, q->where, creq); break;
    case LK_WITH_COLUMN: {
        int k = planner_find_lcol(nd->out, nd->n_out, q->name);
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
        if (!planner_cached_before(P, node))
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
    enum sc_status rc = planner_prune(P, child, creq);
    if (rc == SC_OK && right >= 0)
        rc = planner_prune(P, right, rreq);
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

void planner_eliminate_sorts(struct planner *P, int node)
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
    planner_eliminate_sorts(P, child);
    planner_eliminate_sorts(P, right);
}
