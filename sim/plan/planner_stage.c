/*
 * planner_stage.c — the stages under construction (see planner.c): a stage
 * opens, takes the operators physical planning pipelines into it, and is
 * sealed when an exchange closes it (shuffle write) and opens the stage
 * reading it; identical sealed stages are reused (ReuseExchange). Also the
 * estimates of rows and bytes a stream carries, the partitionings that
 * satisfy an operator's required distribution, and each exchange's
 * per-partition shares, which become task weights and AQE's decisions
 * after planning (sim/plan/skew.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/sbuf.h"
#include "sim/runtime/taskcost.h"
#include "sim/plan/planner_internal.h"

/* spark.sql.execution.rangeExchange.sampleSizePerPartition's default. */
#define RANGE_SAMPLE_PER_PARTITION 100.0

/* ---- stages ------------------------------------------------------------- */

int planner_stage_new(struct planner *P, int64_t tasks, enum role role, int line)
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

void planner_stage_fini(struct pstage *st)
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

int planner_stage_parent(struct planner *P, int stage, int parent)
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
int planner_stage_op(struct planner *P, int stage, struct plan_op *op, const char *kernel, double rows_in,
             double mem)
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
int planner_stage_op_n(struct planner *P, int stage, enum plan_op_kind k, int64_t n, const char *kernel,
               double rows_in)
{
    struct plan_op op = {.kind = k, .n = n};
    return planner_stage_op(P, stage, &op, kernel, rows_in, 0.0);
}

/* An operator of kind k on names (with directions when desc or with_dir). */
int planner_stage_op_keys(struct planner *P, int stage, struct plan_op *op, const char *const *names,
                  const bool *desc, size_t n, bool with_dir, const char *kernel, double rows_in,
                  double mem)
{
    if (plan_names_set(&op->keys, names, desc, n, with_dir) != 0) {
        plan_op_fini(op);
        return -1;
    }
    return planner_stage_op(P, stage, op, kernel, rows_in, mem);
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
int planner_stage_project(struct planner *P, int stage, const char *const *items, size_t n, bool replace,
                  double rows)
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
                replaced |= planner_name_eq(item_alias(st->proj[i]), item_alias(items[j]));
            if (!replaced && !(list[k++] = strdup(st->proj[i])))
                oom = true;
        }
    for (size_t j = 0; j < n; j++) {
        const char *src = items[j];
        if (merge && replace)
            for (size_t i = 0; i < st->n_proj; i++)
                if (planner_name_eq(item_alias(st->proj[i]), items[j]))
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
    } else if (planner_stage_op(P, stage, &op, "project", rows, 0.0) != 0) {
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
int planner_stage_seal(struct planner *P, int stage)
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
int planner_stage_reuse(struct planner *P, int stage)
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

void planner_stage_set_tasks(struct planner *P, int i, int64_t tasks)
{
    struct pstage *st = &P->stages[i];
    if (tasks != st->tasks) {
        /* The weights were one a task of the old count. */
        free(st->weights);
        st->weights = NULL;
    }
    st->tasks = tasks;
}

/* Merges stage b into stage a (a union, a zip of co-partitioned inputs):
 * b's operators follow a's. With `tasks` the merged stage's task count;
 * b's per-task data scale by mult_b and a's by mult_a (a cartesian product
 * reads each input partition once per partition of the other side). */
int planner_stage_merge(struct planner *P, int a, int b, int64_t tasks, double mult_a, double mult_b)
{
    struct pstage *sb = &P->stages[b];
    for (size_t i = 0; i < sb->n_parents; i++)
        if (planner_stage_parent(P, a, P->stages[b].parents[i]) != 0)
            return -1;
    sb = &P->stages[b];
    for (size_t i = 0; i < sb->n_ops; i++) {
        /* a's now, even if appending fails (stage_op empties it) */
        if (planner_stage_op(P, a, &P->stages[b].ops[i], NULL, 0.0, 0.0) != 0)
            return -1;
        sb = &P->stages[b];
    }
    sb = &P->stages[b];
    struct pstage *sa = &P->stages[a];
    sb->n_ops = 0;
    sa->input_bytes = sa->input_bytes * mult_a + sb->input_bytes * mult_b;
    /* One store per stage: the one most of its bytes come from. */
    if (sb->input_files > 0.0 && (!(sa->input_files > 0.0) || sb->input_store_bytes * mult_b >
                                                                  sa->input_store_bytes * mult_a)) {
        sa->input_store = sb->input_store;
        sa->input_store_bytes = sb->input_store_bytes * mult_b;
    } else {
        sa->input_store_bytes *= mult_a;
    }
    sa->input_files = sa->input_files * mult_a + sb->input_files * mult_b;
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
    planner_stage_set_tasks(P, a, tasks);
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
double planner_row_bytes(const struct plan_column *cols, const bool *req, size_t n)
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
double planner_spark_row(const struct lcol *cols, const bool *req, size_t n)
{
    double s = 8.0;
    for (size_t i = 0; i < n; i++)
        if (!req || req[i])
            s += plan_stats_type_width(cols[i].type);
    return s;
}

double planner_shuffle_bytes(struct planner *P, const struct plan_column *cols, const bool *req, size_t n,
                     double rows)
{
    double b = rows * planner_row_bytes(cols, req, n);
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

void planner_stream_fini(struct stream *s)
{
    free(s->cols);
    s->cols = NULL;
}

double planner_cap_ndv(double ndv, double rows)
{
    if (isnan(ndv))
        return ndv;
    return ndv > rows ? (rows < 1.0 ? 1.0 : rows) : ndv;
}

/* The estimates of node nd's output columns: pass-through columns from the
 * child's (and right child's) stream, made columns from make(). */
int planner_stream_cols(struct stream *out, const struct lnode *nd, const struct stream *left,
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

bool planner_key_in(const char *k, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (planner_name_eq(k, set[i]))
            return true;
    return false;
}

/* Partitioning.satisfies(ClusteredDistribution(keys)): a single partition,
 * or hash/range partitioning on a subset of the keys. */
bool planner_satisfies_clustered(const struct stream *s, const char *const *keys, size_t n)
{
    if (s->part == PART_SINGLE)
        return true;
    if ((s->part != PART_HASH && s->part != PART_RANGE) || s->n_pkeys == 0)
        return false;
    for (size_t i = 0; i < s->n_pkeys; i++)
        if (!planner_key_in(s->pkeys[i], keys, n))
            return false;
    return true;
}

/* AllTuples: every row in one partition. UnknownPartitioning(1) satisfies
 * it by its partition count (Partitioning.satisfies0). */
bool planner_satisfies_all(const struct stream *s)
{
    return s->nparts == 1 && s->part != PART_ROUNDROBIN;
}

bool planner_sorted_by(const struct stream *s, const char *const *keys, size_t n)
{
    if (s->n_sorted < n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!planner_name_eq(s->sorted[i], keys[i]))
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
        while (c < n_cols && !planner_name_eq(cols[c].name, keys[i]))
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
bool planner_agg_keeps_rows(const struct lnode *nd)
{
    for (size_t i = 0; nd && i < nd->n_calls; i++)
        if (nd->call_used[i] && (strcmp(nd->calls[i].func, "collect_list") == 0 ||
                                 strcmp(nd->calls[i].func, "collect_set") == 0))
            return true;
    return false;
}

/* *DST becomes a copy of SRC's N weights (NULL: even). Returns 0, or -1
 * on memory. */
int planner_copy_weights(double **dst, const double *src, int64_t n)
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
double *planner_weights_of(const double *rows, size_t n)
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
    st->weights = planner_weights_of(res.task_rows, res.n_tasks);
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
int planner_skew_finish(struct planner *P)
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
        if (planner_copy_weights(&ss->weights, ms->weights, ms->tasks) != 0)
            return -1;
    }
    return 0;
}

/* Closes s's open stage with an Exchange of rows (bytes of the carried
 * columns) and opens the stage that reads it; returns the reading stage or
 * -1. With `sample`, the RangePartitioner's sampling stage is made first
 * from a copy of the open stage. */
int planner_exchange(struct planner *P, struct stream *s, enum pkind kind, const char *const *keys,
             const bool *desc, size_t n_keys, int64_t nparts, double rows,
             const struct plan_column *cols, const bool *req, size_t n_cols, int line)
{
    int map = s->stage;
    /* Range partitioning samples its input first (RangePartitioner.sketch
     * runs a job over the input RDD; none for a single partition). */
    if (kind == PART_RANGE && nparts > 1) {
        int sample = planner_stage_new(P, P->stages[map].tasks, ROLE_SAMPLE, line);
        if (sample < 0)
            return -1;
        struct pstage *m = &P->stages[map], *sm = &P->stages[sample];
        for (size_t i = 0; i < m->n_parents; i++)
            if (planner_stage_parent(P, sample, P->stages[map].parents[i]) != 0)
                return -1;
        m = &P->stages[map];
        sm = &P->stages[sample];
        for (size_t i = 0; i < m->n_ops; i++) {
            struct plan_op copy;
            if (plan_op_copy(&copy, &m->ops[i]) != 0 ||
                planner_stage_op(P, sample, &copy, NULL, 0.0, 0.0) != 0)
                return -1;
            m = &P->stages[map];
        }
        sm = &P->stages[sample];
        sm->input_bytes = m->input_bytes;
        sm->input_files = m->input_files;
        sm->input_store = m->input_store;
        sm->input_store_bytes = m->input_store_bytes;
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
        if (planner_stage_op(P, sample, &so, NULL, 0.0, 0.0) != 0 || planner_stage_seal(P, sample) != 0 ||
            planner_stage_parent(P, map, sample) != 0)
            return -1;
        P->stages[map].sample = sample;
    }
    double bytes = planner_shuffle_bytes(P, cols, req, n_cols, rows);
    struct plan_op xo;
    if (part_op(&xo, PLAN_OP_EXCHANGE, kind, keys, desc, n_keys, nparts) != 0 ||
        planner_stage_op(P, map, &xo, "shuffle_write", rows, 0.0) != 0)
        return -1;
    struct pstage *m = &P->stages[map];
    m->role = ROLE_MAP;
    m->write_bytes += bytes;
    m->out_rows += rows;
    if (planner_stage_seal(P, map) != 0)
        return -1;
    map = planner_stage_reuse(P, map);
    int rd = planner_stage_new(P, nparts, ROLE_PIPE, line);
    if (rd < 0 || planner_stage_parent(P, rd, map) != 0)
        return -1;
    struct pstage *r = &P->stages[rd];
    r->read_bytes += bytes;
    r->in_rows += rows;
    struct plan_op ro;
    int rc = part_op(&ro, PLAN_OP_SHUFFLE_READ, kind, keys, desc, n_keys, nparts);
    if (rc == 0)
        rc = planner_stage_op(P, rd, &ro, "shuffle_read", rows, 0.0);
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
