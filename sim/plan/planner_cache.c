/*
 * planner_cache.c — df.cache() (see planner.c): which plan fragments are
 * cached, the stage that materializes each, and the stages that read one
 * back from executor memory instead of planning the fragment again.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/sbuf.h"
#include "sim/plan/planner_internal.h"

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
char *planner_node_sig(const struct planner *P, int node)
{
    struct sbuf b = {0};
    node_sig_add(P, node, &b);
    return sb_take(&b);
}

int planner_cache_find(const struct planner *P, const char *sig)
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
bool planner_cache_ready(const struct planner *P, int ce)
{
    const struct cache_entry *e = &P->caches[ce];
    if (e->job < P->job_index)
        return true;
    return !P->no_same_reads && e->stage >= 0 && !P->stages[e->stage].dead;
}

/* Whether the live stages' parents form a cycle (Kahn's algorithm). */
int planner_stages_cyclic(const struct planner *P)
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
bool planner_cached_before(const struct planner *P, int node)
{
    char *sig = planner_node_sig(P, node);
    if (!sig)
        return false;
    int ce = planner_cache_find(P, sig);
    bool found = ce >= 0 && P->caches[ce].job < P->job_index;
    for (int i = 0; i < node && !found; i++) {
        if (P->nodes[i].kind != LK_CACHE)
            continue;
        char *other = planner_node_sig(P, i);
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
enum sc_status planner_plan_cache(struct planner *P, int node, const struct stream *s, struct stream *out)
{
    if (P->discarding > 0)
        return SC_OK;
    char *sig = planner_node_sig(P, node);
    if (!sig)
        return planner_nomem(P);
    if (planner_cache_find(P, sig) >= 0) {
        free(sig);
        return SC_OK;
    }
    if (P->n_caches == P->cap_caches) {
        size_t cap = P->cap_caches ? P->cap_caches * 2 : 4;
        struct cache_entry *v = realloc(P->caches, cap * sizeof *v);
        if (!v) {
            free(sig);
            return planner_nomem(P);
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
            return planner_nomem(P);
        }
    if (planner_stage_op(P, out->stage, &op, "project", s->rows, 0.0) != 0)
        return planner_nomem(P);
    return SC_OK;
}

/* Node's result is cached (entry ce): a stage of as many tasks as the cache
 * has partitions reads it from memory. The fragment is planned only to
 * know its rows, columns, partitioning and ordering; its stages are
 * dropped. */
enum sc_status planner_plan_cache_read(struct planner *P, int node, int ce, struct stream *out)
{
    size_t before = P->n_stages;
    struct stream s;
    memset(&s, 0, sizeof s);
    P->discarding++;
    enum sc_status rc = planner_phys_plain(P, node, &s);
    P->discarding--;
    if (rc != SC_OK) {
        planner_stream_fini(&s);
        return rc;
    }
    int64_t tasks = P->stages[s.stage].tasks;
    for (size_t i = before; i < P->n_stages; i++)
        P->stages[i].dead = true;
    const struct lnode *nd = &P->nodes[node];
    const struct cache_entry *e = &P->caches[ce];
    int rd = planner_stage_new(P, tasks, ROLE_PIPE, nd->step ? nd->step->line : P->job->line);
    if (rd < 0 || (e->job == P->job_index && planner_stage_parent(P, rd, e->stage) != 0)) {
        planner_stream_fini(&s);
        return planner_nomem(P);
    }
    if (e->job == P->job_index)
        P->same_reads = true;
    struct pstage *st = &P->stages[rd];
    st->reads_cache = true;
    st->cache_entry = ce;
    st->in_rows = s.rows;
    struct plan_op op = {.kind = PLAN_OP_MEMSCAN};
    if (planner_carried_names(nd, &op.cols) != 0) {
        plan_op_fini(&op);
        planner_stream_fini(&s);
        return planner_nomem(P);
    }
    if (planner_stage_op(P, rd, &op, "project", s.rows, 0.0) != 0) {
        planner_stream_fini(&s);
        return planner_nomem(P);
    }
    *out = s; /* its columns' estimates, rows, partitioning, ordering */
    out->stage = rd;
    out->req = nd->req;
    /* Once materialized, InMemoryRelation's statistics are the cached
     * bytes (computeStats); a pruning Project scales them by row width. */
    if (e->job < P->job_index) {
        double all = planner_spark_row(nd->out, NULL, nd->n_out);
        double size = all > 0.0 ? e->bytes * planner_spark_row(nd->out, nd->req, nd->n_out) / all : 0.0;
        out->spark_size = size < 1.0 ? 1.0 : size;
    }
    return SC_OK;
}
