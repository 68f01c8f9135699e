/*
 * planner_physical.c — physical planning of each logical node (see
 * planner.c), bottom-up: scans, the unary operators (filter, project,
 * aggregate, sort, window, repartition, coalesce, limit, top-k) with the
 * exchanges their required distributions need, the two-phase salted
 * aggregate, and the dispatch that sends joins to planner_join.c and cached
 * fragments to planner_cache.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/sbuf.h"
#include "models/storage.h"
#include "sim/plan/plan_expr.h"
#include "sim/plan/planner_internal.h"

/* A hash aggregate's map holds each group's key and buffer rows plus its
 * pointer array: about twice the rows' bytes (BytesToBytesMap). */
#define HASH_MAP_OVERHEAD 2.0
/* An external sorter keeps an 8-byte pointer and an 8-byte prefix a row. */
#define SORT_BYTES_PER_ROW 16.0

/* ---- physical planning -------------------------------------------------- */

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
    return planner_stage_op_keys(P, stage, &op, keys, NULL, n_keys, false, "hash_aggregate", rows, mem);
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
            if (planner_name_eq(in->cols[c].name, keys[i])) {
                cols[k++] = in->cols[c];
                break;
            }
    for (size_t i = 0; nd && i < nd->n_calls; i++) {
        if (!nd->call_used[i])
            continue;
        struct plan_column buf = {
            nd->calls[i].alias, COL_INT64, NULL, NAN, NAN, 8.0, 0.0, NULL, NULL, false};
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
            if (planner_name_eq(s->cols[c].name, keys[i])) {
                kc[nk++] = s->cols[c];
                break;
            }
    enum plan_est src = PLAN_EST_NONE;
    double groups = P->st->group_count(P->st->ctx, kc, nk, s->rows, &src);
    double per_task = P->st->group_count(P->st->ctx, kc, nk, s->rows / tasks, NULL);
    double partial_rows = fmin(s->rows, per_task * tasks);
    if (open->weights && open->tasks <= PLANNER_MAX_WEIGHTED_PARTS) {
        /* Uneven tasks (a Parquet scan's row groups): each task sends the
         * groups among its own rows, and the largest holds the most. Few
         * distinct weights, so their group counts are kept. */
        double wv[8], gv[8], sum = 0.0, most = 0.0;
        size_t nv = 0;
        for (int64_t i = 0; i < open->tasks; i++) {
            double w = open->weights[i], g = 0.0;
            size_t k = 0;
            while (k < nv && wv[k] != w)
                k++;
            if (k < nv) {
                g = gv[k];
            } else {
                g = w > 0.0 ? P->st->group_count(P->st->ctx, kc, nk, s->rows / tasks * w, NULL)
                            : 0.0;
                if (nv < 8) {
                    wv[nv] = w;
                    gv[nv++] = g;
                }
            }
            sum += g;
            most = fmax(most, g);
        }
        partial_rows = fmin(s->rows, sum);
        per_task = most;
    }
    /* collect_list / collect_set buffers hold every value they saw: what
     * the partial aggregate sends is as large as its input (sim/plan/skew.h). */
    if (planner_agg_keeps_rows(nd))
        partial_rows = s->rows;
    if (n_keys == 0)
        partial_rows = s->rows > 0.0 ? tasks : 0.0;
    struct plan_column *pcols;
    size_t npc;
    if (partial_cols(s, nd, keys, n_keys, &pcols, &npc) != 0)
        return planner_nomem(P);
    double agg_row = planner_row_bytes(pcols, NULL, npc);
    if (stage_agg(P, s->stage, nd, keys, n_keys, true, s->rows,
                  per_task * agg_row * HASH_MAP_OVERHEAD) != 0) {
        free(pcols);
        return planner_nomem(P);
    }
    if (nk > 0) {
        /* The partial aggregate is where calibration counts the groups. */
        struct pstage *ps = &P->stages[s->stage];
        struct plan_op *po = &ps->ops[ps->n_ops - 1];
        po->est = src;
        po->est_value = groups;
        if (!(po->est_key = plan_stats_key("groups", NULL, kc, nk))) {
            free(pcols);
            return planner_nomem(P);
        }
    }
    bool satisfied = n_keys == 0 ? planner_satisfies_all(s) : planner_satisfies_clustered(s, keys, n_keys);
    if (!satisfied) {
        /* The partial aggregate sends each key once per map task that saw
         * it (sim/plan/skew.h), unless its buffers keep every row. */
        P->xchg_count = planner_agg_keeps_rows(nd) ? SKEW_ROWS : SKEW_GROUPS;
        P->xchg_buckets = tasks;
        P->xchg_rows_in = s->rows;
        int rc = n_keys == 0 ? planner_exchange(P, s, PART_SINGLE, NULL, NULL, 0, 1, partial_rows, pcols,
                                        NULL, npc, line)
                             : planner_exchange(P, s, PART_HASH, keys, NULL, n_keys, P->shuffle_partitions,
                                        partial_rows, pcols, NULL, npc, line);
        P->xchg_count = SKEW_ROWS;
        P->xchg_buckets = P->xchg_rows_in = 0.0;
        if (rc < 0) {
            free(pcols);
            return planner_nomem(P);
        }
    }
    free(pcols);
    double per_final = groups / (double)P->stages[s->stage].tasks;
    if (stage_agg(P, s->stage, nd, keys, n_keys, false, partial_rows,
                  per_final * agg_row * HASH_MAP_OVERHEAD) != 0)
        return planner_nomem(P);
    if (n_keys == 0) {
        s->part = PART_SINGLE;
        s->n_pkeys = 0;
    }
    s->n_sorted = 0;
    *groups_out = groups;
    return SC_OK;
}

/* The columns of nd that are carried, into l. 0 or -1. */
int planner_carried_names(const struct lnode *nd, struct plan_names *l)
{
    for (size_t i = 0; i < nd->n_out; i++)
        if (nd->req[i] && plan_names_add(l, nd->out[i].name, false, false) != 0)
            return -1;
    return 0;
}

double planner_sort_mem(const struct stream *s, int64_t tasks)
{
    return s->rows / (double)tasks * (planner_row_bytes(s->cols, s->req, s->n_cols) + SORT_BYTES_PER_ROW);
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
    int64_t n_files = t->files > 0 ? t->files : planner_table_files(total_bytes);
    int64_t parts = planner_input_partitions(total_bytes, n_files, P->max_partition_bytes,
                                             P->open_cost, P->min_partitions);
    int stage = planner_stage_new(P, parts, ROLE_PIPE, nd->step ? nd->step->line : P->job->line);
    if (stage < 0)
        return planner_nomem(P);
    const char *format = t->format ? t->format : "parquet";
    if (strcmp(format, "csv") != 0) {
        /* Parquet (and Delta's Parquet files): tasks read whole row groups. */
        bool nomem;
        double *w = planner_row_group_weights(
            total_bytes, n_files, P->max_partition_bytes, P->open_cost, P->min_partitions,
            t->row_group_bytes > 0 ? t->row_group_bytes : PLANNER_ROW_GROUP_BYTES, &nomem);
        if (nomem)
            return planner_nomem(P);
        free(P->stages[stage].weights);
        P->stages[stage].weights = w;
    }
    /* Columnar files are read column by column: only the pruned columns'
     * share of the bytes; a CSV is read whole. */
    double read = strcmp(format, "csv") == 0 ? total : all_w > 0.0 ? total * req_w / all_w : 0.0;
    struct pstage *st = &P->stages[stage];
    st->input_bytes += read;
    /* Every piece is opened and its footer read, even when no column is
     * (count()). */
    if (!(st->input_files > 0.0) || read > st->input_store_bytes) {
        st->input_store = storage_kind_of_path(t->path);
        st->input_store_bytes = read;
    }
    st->input_files += planner_input_pieces(total_bytes, n_files, P->max_partition_bytes,
                                            P->open_cost, P->min_partitions);
    st->in_rows += rows;
    struct plan_op op = {.kind = PLAN_OP_SCAN, .format = strdup(format), .table = strdup(t->name)};
    if (!op.format || !op.table || planner_carried_names(nd, &op.cols) != 0) {
        plan_op_fini(&op);
        return planner_nomem(P);
    }
    if (planner_stage_op(P, stage, &op, "scan", rows, 0.0) != 0)
        return planner_nomem(P);
    memset(out, 0, sizeof *out);
    if (planner_stream_cols(out, nd, NULL, NULL) != 0)
        return planner_nomem(P);
    for (size_t i = 0; i < t->n_columns; i++) {
        struct plan_column *pc = &out->cols[i];
        pc->spec = &t->columns[i];
        pc->table = t->name;
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
        total * planner_spark_row(nd->out, nd->req, nd->n_out) / planner_spark_row(nd->out, NULL, nd->n_out);
    out->part = PART_UNKNOWN;
    out->nparts = parts;
    return SC_OK;
}

/* Spark's visitUnaryNode: the child's size scaled by output/input row width. */
static double scale_size(double size, const struct lnode *nd, const struct lnode *child)
{
    double in = planner_spark_row(child->out, child->req, child->n_out);
    double out = planner_spark_row(nd->out, nd->req, nd->n_out);
    double s = size * out / in;
    return s < 1.0 ? 1.0 : s;
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
    case LK_DISTINCT: return c->n_keys == 0 || planner_key_in(name, c->keys, c->n_keys);
    case LK_JOIN: return planner_key_in(name, c->keys, c->n_keys);
    case LK_SORT:
    case LK_REPARTITION: return planner_key_in(name, c->keys, c->n_keys);
    case LK_WINDOW: return planner_key_in(name, c->keys, c->n_keys) || planner_key_in(name, c->okeys, c->n_okeys);
    default: return false;
    }
}

/* The unary operators, one step each. plan_unary (below) has already set
 * out to pass s through unchanged (same stage, rows, partitioning and
 * ordering, the node's columns); each step plans its operator into the
 * open stage, adding an exchange where its required distribution needs
 * one, and changes in out what its operator changes. */

/* filter: the rows its condition keeps. */
static enum sc_status phys_filter(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    enum plan_est src = PLAN_EST_DISTRIBUTION;
    double sel = P->st->filter_selectivity(P->st->ctx, q->where, s->cols, s->n_cols, s->rows, &src);
    if (!(sel >= 0.0)) {
        sel = PLAN_STATS_DEFAULT_SELECTIVITY;
        src = PLAN_EST_DEFAULT;
    }
    if (sel > 1.0)
        sel = 1.0;
    /* The operator says where its selectivity comes from, and under what
     * name calibration's measurement of it can replace a default. */
    struct plan_op op = {.kind = PLAN_OP_FILTER,
                         .where = strdup(q->where),
                         .est = src,
                         .est_value = sel,
                         .est_key = plan_stats_key("filter", q->where, s->cols, s->n_cols)};
    if (!op.where || !op.est_key) {
        plan_op_fini(&op);
        return planner_nomem(P);
    }
    if (planner_stage_op(P, s->stage, &op, "filter", s->rows, 0.0) != 0)
        return planner_nomem(P);
    out->rows = s->rows * sel;
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = planner_cap_ndv(out->cols[i].ndv, out->rows);
    /* visitFilter keeps the child's size (no selectivity without CBO). */
    return SC_OK;
}

/* sample(false, fraction, seed): SampleExec in the open stage, a narrow
 * operator like a filter. Sample.computeStats scales the child's rows and
 * size by the fraction; each row is kept independently, so a column's
 * distinct values shrink at most to the rows left. */
static enum sc_status phys_sample(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct query_step *q = P->nodes[node].step;
    struct plan_op op = {.kind = PLAN_OP_SAMPLE, .fraction = q->fraction, .n = q->seed};
    if (planner_stage_op(P, s->stage, &op, "sample", s->rows, 0.0) != 0)
        return planner_nomem(P);
    out->rows = s->rows * q->fraction;
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = planner_cap_ndv(out->cols[i].ndv, out->rows);
    out->spark_size = ceil(s->spark_size * q->fraction);
    return SC_OK;
}

/* select: a Project, unless it keeps every column its input produces. */
static enum sc_status phys_select(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
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
        return planner_nomem(P);
    size_t k = 0;
    for (size_t i = 0; i < nd->n_out; i++)
        if (nd->req[i])
            names[k++] = nd->out[i].name;
    int rc = planner_stage_project(P, s->stage, names, k, true, s->rows);
    free(names);
    return rc != 0 ? planner_nomem(P) : SC_OK;
}

/* with_column: a Project adding the computed column. */
static enum sc_status phys_with_column(struct planner *P, int node, struct stream *s,
                                       struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
    const struct query_step *q = nd->step;
    int k = planner_find_lcol(nd->out, nd->n_out, q->name);
    enum plan_est src = PLAN_EST_DISTRIBUTION;
    double ndv = P->st->expr_ndv(P->st->ctx, q->expr, s->cols, s->n_cols, s->rows, &src);
    out->cols[k].ndv = isnan(ndv) ? s->rows : planner_cap_ndv(ndv, s->rows);
    /* Unknown: taken as unique, a default an aggregate on it may measure. */
    out->cols[k].ndv_default = isnan(ndv) || src == PLAN_EST_DEFAULT;
    out->cols[k].expr = q->expr;
    out->cols[k].table = NULL;
    out->cols[k].width_bytes = plan_stats_type_width(out->cols[k].type);
    out->cols[k].spec = NULL;
    out->cols[k].null_fraction = 0.0;
    out->spark_size = scale_size(s->spark_size, nd, c);
    struct sbuf t = {0};
    sb_add(&t, "%s AS %s", q->expr, q->name);
    char *item = sb_take(&t);
    const char *items[1] = {item};
    int rc = item ? planner_stage_project(P, s->stage, items, 1, false, s->rows) : -1;
    free(item);
    return rc != 0 ? planner_nomem(P) : SC_OK;
}

/* group_by, and distinct (an aggregate on its keys, or on every column):
 * partial aggregate, exchange, final aggregate. */
static enum sc_status phys_grouping(struct planner *P, int node, struct stream *s,
                                    struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
    const struct query_step *q = nd->step;
    int line = q ? q->line : P->job->line;
    if (nd->kind == LK_DISTINCT && nd->n_keys == 0) {
        /* Distinct over every column (ReplaceDistinctWithAggregate);
         * the node keeps the key list, which the partitioning names. */
        const char **all = calloc(c->n_out + 1, sizeof *all);
        if (!all)
            return planner_nomem(P);
        for (size_t i = 0; i < c->n_out; i++)
            all[i] = c->out[i].name;
        struct lnode *mnd = &P->nodes[node];
        free(mnd->keys);
        mnd->keys = all;
        mnd->n_keys = c->n_out;
        nd = mnd;
    }
    double groups;
    enum sc_status rc = nd->kind == LK_AGG && q && q->salt > 1 && nd->n_keys > 0
                            ? planner_plan_salted_aggregate(P, nd, s, &groups, line)
                            : plan_aggregate(P, nd->kind == LK_AGG ? nd : NULL, nd->keys,
                                             nd->n_keys, s, &groups, line);
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
        out->cols[i].ndv = planner_cap_ndv(out->cols[i].ndv, groups);
    }
    if (nd->kind == LK_AGG && nd->n_keys == 0)
        out->spark_size = planner_spark_row(nd->out, nd->req, nd->n_out);
    else
        out->spark_size = scale_size(s->spark_size, nd, c);
    return SC_OK;
}

/* order_by: a range exchange and a sort. */
static enum sc_status phys_sort(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    int line = q ? q->line : P->job->line;
    /* OrderedDistribution: range partitioning, unless one partition
     * holds everything already. */
    if (s->part != PART_SINGLE || s->nparts != 1) {
        if (planner_exchange(P, out, PART_RANGE, nd->keys, nd->keys_desc, nd->n_keys, P->shuffle_partitions,
                     s->rows, s->cols, s->req, s->n_cols, line) < 0)
            return planner_nomem(P);
    }
    struct plan_op op = {.kind = PLAN_OP_SORT};
    if (planner_stage_op_keys(P, out->stage, &op, nd->keys, nd->keys_desc, nd->n_keys, true, "sort",
                      s->rows, planner_sort_mem(out, P->stages[out->stage].tasks)) != 0)
        return planner_nomem(P);
    out->sorted = nd->keys;
    out->n_sorted = nd->n_keys;
    return SC_OK;
}

/* window: clustered by its partition keys, sorted, then the window. */
static enum sc_status phys_window(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct lnode *c = &P->nodes[nd->child];
    const struct query_step *q = nd->step;
    int line = q ? q->line : P->job->line;
    bool ok = nd->n_keys ? planner_satisfies_clustered(s, nd->keys, nd->n_keys) : planner_satisfies_all(s);
    if (!ok) {
        int rc = nd->n_keys
                     ? planner_exchange(P, out, PART_HASH, nd->keys, NULL, nd->n_keys,
                                P->shuffle_partitions, s->rows, s->cols, s->req, s->n_cols, line)
                     : planner_exchange(P, out, PART_SINGLE, NULL, NULL, 0, 1, s->rows, s->cols, s->req,
                                s->n_cols, line);
        if (rc < 0)
            return planner_nomem(P);
    }
    /* The window needs rows sorted by partition keys, then order keys. */
    size_t nsort = nd->n_keys + nd->n_okeys;
    const char **order = calloc(nsort + 1, sizeof *order);
    bool *desc = calloc(nsort + 1, sizeof *desc);
    if (!order || !desc) {
        free(order);
        free(desc);
        return planner_nomem(P);
    }
    for (size_t i = 0; i < nd->n_keys; i++)
        order[i] = nd->keys[i];
    for (size_t i = 0; i < nd->n_okeys; i++) {
        order[nd->n_keys + i] = nd->okeys[i];
        desc[nd->n_keys + i] = nd->okeys_desc[i];
    }
    int rc = 0;
    if (!planner_sorted_by(out, order, nsort) && nsort > 0) {
        struct plan_op so = {.kind = PLAN_OP_SORT};
        rc = planner_stage_op_keys(P, out->stage, &so, order, desc, nsort, true, "sort", s->rows,
                           planner_sort_mem(out, P->stages[out->stage].tasks));
    }
    free(order);
    free(desc);
    if (rc != 0)
        return planner_nomem(P);
    struct plan_op op = {.kind = PLAN_OP_WINDOW};
    if (op_calls(&op, nd) != 0 ||
        plan_names_set(&op.order, nd->okeys, nd->okeys_desc, nd->n_okeys, true) != 0) {
        plan_op_fini(&op);
        return planner_nomem(P);
    }
    if (planner_stage_op_keys(P, out->stage, &op, nd->keys, NULL, nd->n_keys, false, "window", s->rows,
                      0.0) != 0)
        return planner_nomem(P);
    out->sorted = nd->keys; /* at least the partition keys' order holds */
    out->n_sorted = nd->n_keys;
    out->spark_size = scale_size(s->spark_size, nd, c);
    return SC_OK;
}

/* repartition: always an exchange. */
static enum sc_status phys_repartition(struct planner *P, int node, struct stream *s,
                                       struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    int line = q ? q->line : P->job->line;
    int rc;
    if (nd->n_keys > 0) {
        int64_t n = nd->n > 0 ? nd->n : P->shuffle_partitions;
        /* repartition(n, cols) is REPARTITION_BY_NUM: AQE keeps its n. */
        P->xchg_by_num = nd->n > 0;
        rc = planner_exchange(P, out, PART_HASH, nd->keys, NULL, nd->n_keys, n, s->rows, s->cols, s->req,
                      s->n_cols, line);
        P->xchg_by_num = false;
    } else {
        /* A round-robin shuffle sorts each input partition first, so a
         * retried task sends the same rows to the same partitions. */
        struct plan_op op = {.kind = PLAN_OP_SORT, .local_all = true};
        if (planner_stage_op(P, out->stage, &op, "sort", s->rows,
                     planner_sort_mem(s, P->stages[out->stage].tasks)) != 0)
            return planner_nomem(P);
        rc = planner_exchange(P, out, PART_ROUNDROBIN, NULL, NULL, 0, nd->n, s->rows, s->cols, s->req,
                      s->n_cols, line);
    }
    return rc < 0 ? planner_nomem(P) : SC_OK;
}

/* coalesce: narrow, fewer tasks for the open stage. */
static enum sc_status phys_coalesce(struct planner *P, int node, struct stream *s,
                                    struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    /* CoalescedRDD: a narrow dependency, so the whole open stage runs
     * with the fewer tasks (never more than it had). */
    if (nd->n < P->stages[out->stage].tasks)
        planner_stage_set_tasks(P, out->stage, nd->n);
    if (planner_stage_op_n(P, out->stage, PLAN_OP_COALESCE, nd->n, NULL, 0.0) != 0)
        return planner_nomem(P);
    out->nparts = P->stages[out->stage].tasks;
    out->part = out->nparts == 1 ? PART_SINGLE : PART_UNKNOWN;
    out->n_pkeys = 0;
    return SC_OK;
}

/* Whether every operator of st hands rows on as it reads them (a limit
 * after them stops its task's input early): no aggregate, sort, window,
 * shuffle read or other operator that needs its whole input first. */
static bool stage_streams(const struct pstage *st)
{
    for (size_t i = 0; i < st->n_ops; i++)
        switch (st->ops[i].kind) {
        case PLAN_OP_SCAN:
        case PLAN_OP_ROWS:
        case PLAN_OP_MEMSCAN:
        case PLAN_OP_FILTER:
        case PLAN_OP_PROJECT:
        case PLAN_OP_BROADCAST_HASH_JOIN:
        case PLAN_OP_SAMPLE: break;
        default: return false;
        }
    return st->n_ops > 0;
}

/* Rows a columnar reader hands on at a time (spark.sql.parquet.
 * columnarReaderBatchSize, and ORC's, default 4096): a task that stops
 * early has decoded whole batches. */
#define LIMIT_READ_BATCH 4096.0

/* limit: the collect's limit, or a local and a global one. */
static enum sc_status phys_limit(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    const struct query_step *q = nd->step;
    int line = q ? q->line : P->job->line;
    double n = (double)nd->n;
    struct pstage *st = &P->stages[out->stage];
    if (nd->collect_limit) {
        /* CollectLimitExec.executeCollect takes rows from as few
         * partitions as hold n of them (executeTake). */
        double per = s->rows / (double)st->tasks;
        double need = per > 0.0 ? ceil(n / per) : (double)st->tasks;
        if (need < 1.0)
            need = 1.0;
        double in_per = st->in_rows / (double)st->tasks;
        if (need < (double)st->tasks) {
            double f = need / (double)st->tasks;
            st->input_bytes *= f;
            st->input_files *= f;
            st->read_bytes *= f;
            st->in_rows *= f;
            st->kernel_rows *= f;
            st->best_cost *= f;
            st->cache_bytes *= f;
            planner_stage_set_tasks(P, out->stage, (int64_t)need);
        }
        /* Each task's iterator stops once it has handed on n rows (take(n)
         * on the partition): with nothing before the limit that needs its
         * whole input, a task computes on the rows that make n, in whole
         * reader batches, not on its split. Its bytes are still read (a
         * Parquet reader fetches the row group's column chunks whole). */
        if (stage_streams(st) && per > 0.0 && in_per > 0.0) {
            double want = ceil(n * in_per / per / LIMIT_READ_BATCH) * LIMIT_READ_BATCH;
            if (want < in_per) {
                double g = want / in_per;
                st->in_rows *= g;
                st->kernel_rows *= g;
            }
        }
        out->rows = fmin(n, s->rows);
        struct plan_op op = {.kind = PLAN_OP_LIMIT, .limit_mode = PLAN_LIMIT_COLLECT, .n = nd->n};
        if (planner_stage_op(P, out->stage, &op, "limit", out->rows, 0.0) != 0)
            return planner_nomem(P);
        return SC_OK;
    }
    /* LocalLimit, then GlobalLimit on one partition. */
    double local = fmin(s->rows, n * (double)st->tasks);
    struct plan_op lo = {.kind = PLAN_OP_LIMIT, .limit_mode = PLAN_LIMIT_LOCAL, .n = nd->n};
    if (planner_stage_op(P, out->stage, &lo, "limit", s->rows, 0.0) != 0)
        return planner_nomem(P);
    if (!planner_satisfies_all(out) && planner_exchange(P, out, PART_SINGLE, NULL, NULL, 0, 1, local, s->cols,
                                        s->req, s->n_cols, line) < 0)
        return planner_nomem(P);
    out->rows = fmin(n, s->rows);
    struct plan_op go = {.kind = PLAN_OP_LIMIT, .limit_mode = PLAN_LIMIT_GLOBAL, .n = nd->n};
    if (planner_stage_op(P, out->stage, &go, "limit", local, 0.0) != 0)
        return planner_nomem(P);
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = planner_cap_ndv(out->cols[i].ndv, out->rows);
    out->spark_size = out->rows * planner_spark_row(nd->out, nd->req, nd->n_out);
    out->part = PART_SINGLE;
    return SC_OK;
}

/* Everything but scans and joins: a unary node over stream s (consumed). */
static enum sc_status plan_unary(struct planner *P, int node, struct stream *s, struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    memset(out, 0, sizeof *out);
    if (planner_stream_cols(out, nd, s, NULL) != 0)
        return planner_nomem(P);
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
    case LK_FILTER: return phys_filter(P, node, s, out);
    case LK_SELECT: return phys_select(P, node, s, out);
    case LK_WITH_COLUMN: return phys_with_column(P, node, s, out);
    case LK_AGG:
    case LK_DISTINCT: return phys_grouping(P, node, s, out);
    case LK_SORT: return phys_sort(P, node, s, out);
    case LK_WINDOW: return phys_window(P, node, s, out);
    case LK_REPARTITION: return phys_repartition(P, node, s, out);
    case LK_COALESCE: return phys_coalesce(P, node, s, out);
    case LK_CACHE: return planner_plan_cache(P, node, s, out);
    case LK_LIMIT: return phys_limit(P, node, s, out);
    case LK_SAMPLE: return phys_sample(P, node, s, out);
    default: return SC_OK;
    }
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
    if (planner_stream_cols(out, nd, s, NULL) != 0)
        return planner_nomem(P);
    double n = (double)nd->n;
    int64_t tasks = P->stages[s->stage].tasks;
    double local = fmin(s->rows, n * (double)tasks);
    /* The same operator runs per partition and again on the merged rows. */
    struct plan_op take = {.kind = PLAN_OP_TAKE_ORDERED, .n = nd->n}, merge = {0};
    double mem = fmin(n, s->rows / (double)tasks) *
                 (planner_row_bytes(s->cols, s->req, s->n_cols) + SORT_BYTES_PER_ROW);
    if (plan_names_set(&take.keys, sort->keys, sort->keys_desc, sort->n_keys, true) != 0 ||
        plan_op_copy(&merge, &take) != 0) {
        plan_op_fini(&take);
        return planner_nomem(P);
    }
    if (planner_stage_op(P, s->stage, &take, "sort", s->rows, mem) != 0) {
        plan_op_fini(&merge);
        return planner_nomem(P);
    }
    out->stage = s->stage;
    out->req = nd->req;
    out->rows = fmin(n, s->rows);
    out->part = PART_SINGLE;
    out->nparts = 1;
    out->sorted = sort->keys;
    out->n_sorted = sort->n_keys;
    out->spark_size = out->rows * planner_spark_row(nd->out, nd->req, nd->n_out);
    if (nd->collect_limit) {
        plan_op_fini(&merge); /* executeCollect merges on the driver */
        return SC_OK;
    }
    if (planner_exchange(P, out, PART_SINGLE, NULL, NULL, 0, 1, local, s->cols, s->req, s->n_cols, line) <
        0) {
        plan_op_fini(&merge);
        return planner_nomem(P);
    }
    return planner_stage_op(P, out->stage, &merge, "sort", local, 0.0) != 0 ? planner_nomem(P) : SC_OK;
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
enum sc_status planner_plan_salted_aggregate(struct planner *P, const struct lnode *nd, struct stream *s,
                                     double *groups_out, int line)
{
    int64_t n = nd->step->salt;
    size_t nk = nd->n_keys;
    const char **keys = calloc(nk + 2, sizeof *keys);
    struct plan_column *cols = calloc(s->n_cols + 2, sizeof *cols);
    if (!keys || !cols) {
        free(keys);
        free(cols);
        return planner_nomem(P);
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
    if (planner_stage_op(P, s->stage, &salt, "project", s->rows, 0.0) != 0)
        rc = planner_nomem(P);
    if (rc == SC_OK)
        rc = plan_aggregate(P, nd, keys, nk + 1, &t, &g1, line);
    if (rc == SC_OK) {
        /* Phase 2 reads phase 1's groups (whose collect_list buffers still
         * hold every value); the salt is gone. */
        t.rows = planner_agg_keeps_rows(nd) ? s->rows : g1;
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

enum sc_status planner_phys_plain(struct planner *P, int node, struct stream *out)
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
    enum sc_status rc = planner_phys(P, input, &l);
    if (rc == SC_OK && top_k)
        rc = plan_top_k(P, node, &l, out);
    if (rc != SC_OK || top_k) {
        planner_stream_fini(&l);
        return rc;
    }
    nd = &P->nodes[node];
    if (nd->kind == LK_JOIN || nd->kind == LK_UNION) {
        rc = planner_phys(P, nd->right, &r);
        if (rc != SC_OK) {
            planner_stream_fini(&l);
            planner_stream_fini(&r);
            return rc;
        }
        nd = &P->nodes[node];
        if (nd->kind == LK_JOIN) {
            rc = nd->step && nd->step->salt > 1 ? planner_plan_salted_join(P, node, &l, &r, out)
                                                 : planner_plan_join(P, node, &l, &r, out);
        } else {
            /* UnionExec: the inputs' partitions side by side, one stage. */
            int64_t tasks = P->stages[l.stage].tasks + P->stages[r.stage].tasks;
            memset(out, 0, sizeof *out);
            if (planner_stream_cols(out, nd, &l, &r) != 0 ||
                planner_stage_merge(P, l.stage, r.stage, tasks, 1.0, 1.0) != 0 ||
                planner_stage_op_n(P, l.stage, PLAN_OP_UNION, 0, NULL, 0.0) != 0) {
                rc = planner_nomem(P);
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
        planner_stream_fini(&r);
    } else {
        rc = plan_unary(P, node, &l, out);
    }
    planner_stream_fini(&l);
    return rc;
}

/* Plans node, or a read of the cache that holds its result. */
enum sc_status planner_phys(struct planner *P, int node, struct stream *out)
{
    /* A cache() node is its input's plan (Dataset.cache returns the same
     * Dataset); its input is what is looked up. */
    if (P->n_caches > 0 && P->nodes[node].kind != LK_CACHE) {
        char *sig = planner_node_sig(P, node);
        if (!sig)
            return planner_nomem(P);
        int ce = planner_cache_find(P, sig);
        free(sig);
        if (ce >= 0 && planner_cache_ready(P, ce))
            return planner_plan_cache_read(P, node, ce, out);
    }
    return planner_phys_plain(P, node, out);
}
