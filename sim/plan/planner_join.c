/*
 * planner_join.c — physical planning of a join (see planner.c): Spark's
 * JoinSelection between a broadcast hash join (the smaller side under
 * spark.sql.autoBroadcastJoinThreshold by its static size estimate) and a
 * sort-merge join of two exchanges, AQE's runtime switch of a sort-merge
 * join to a broadcast one, and the salted join a step's `salt` asks for.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/plan/planner_internal.h"

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

/* A broadcast: closes the build side's open stage as a broadcast job. */
static int broadcast(struct planner *P, struct stream *b, const char *const *keys, size_t n_keys,
                     int line)
{
    struct plan_op op = {.kind = PLAN_OP_BROADCAST};
    if (planner_stage_op_keys(P, b->stage, &op, keys, NULL, n_keys, false, NULL, 0.0, 0.0) != 0)
        return -1;
    struct pstage *st = &P->stages[b->stage];
    st->role = ROLE_BROADCAST;
    st->out_rows += b->rows;
    st->line = st->line ? st->line : line;
    if (planner_stage_seal(P, b->stage) != 0)
        return -1;
    return planner_stage_reuse(P, b->stage);
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
        *w = planner_weights_of(rows, (size_t)(m * k));
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
    double lb = planner_shuffle_bytes(P, l->cols, l->req, l->n_cols, l->rows);
    double rb = planner_shuffle_bytes(P, r->cols, r->req, r->n_cols, r->rows);
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
    int lx = planner_exchange(P, l, PART_HASH, nd->keys, NULL, nd->n_keys, n, l->rows, l->cols, l->req,
                      l->n_cols, line);
    P->xchg_drop_nulls = strcmp(how, "full") != 0 && strcmp(how, "full_outer") != 0 &&
                         strcmp(how, "right") != 0 && strcmp(how, "right_outer") != 0;
    int rx = lx < 0 ? -1
                    : planner_exchange(P, r, PART_HASH, nd->okeys, NULL, nd->n_okeys, n, r->rows, r->cols,
                               r->req, r->n_cols, line);
    P->xchg_drop_nulls = false;
    if (rx < 0)
        return planner_nomem(P);
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
    if (bst < 0 || planner_stage_parent(P, s->stage, bst) != 0)
        return planner_nomem(P);
    struct plan_op op = {.kind = PLAN_OP_BROADCAST_HASH_JOIN,
                         .join = plan_join_from_how(how),
                         .build_left = !br};
    if (planner_stage_op_keys(P, s->stage, &op, nd->keys, NULL, nd->n_keys, false, "broadcast_hash_join",
                      s->rows, 0.0) != 0)
        return planner_nomem(P);
    double rows = out->rows, size = out->spark_size;
    planner_stream_fini(out);
    memset(out, 0, sizeof *out);
    if (planner_stream_cols(out, nd, l, r) != 0)
        return planner_nomem(P);
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = planner_cap_ndv(out->cols[i].ndv, rows);
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
                 : planner_exchange(P, s, PART_HASH, keys, NULL, n_keys, n, s->rows, s->cols, s->req,
                            s->n_cols, line);
    P->xchg_drop_nulls = false;
    if (x < 0)
        return -1;
    if (kept && planner_sorted_by(s, keys, n_keys))
        return 0;
    struct plan_op op = {.kind = PLAN_OP_SORT};
    return planner_stage_op_keys(P, s->stage, &op, keys, NULL, n_keys, true, "sort", s->rows,
                         planner_sort_mem(s, P->stages[s->stage].tasks));
}

/* A join's output stream of rows rows: the columns both sides stream, each
 * one's distinct count capped by the rows, and Spark's size estimate
 * (visitJoin: left semi/anti keep the left's size, the others multiply;
 * at least 1). SC_ENOMEM when the columns cannot be copied. */
static enum sc_status join_output(const struct lnode *nd, const struct stream *l,
                                  const struct stream *r, double rows, struct stream *out)
{
    memset(out, 0, sizeof *out);
    if (planner_stream_cols(out, nd, l, r) != 0)
        return SC_ENOMEM;
    for (size_t i = 0; i < out->n_cols; i++)
        out->cols[i].ndv = planner_cap_ndv(out->cols[i].ndv, rows);
    out->req = nd->req;
    out->rows = rows;
    bool semi = strcmp(nd->how, "left_semi") == 0 || strcmp(nd->how, "left_anti") == 0;
    out->spark_size = fmax(semi ? l->spark_size : l->spark_size * r->spark_size, 1.0);
    return SC_OK;
}

enum sc_status planner_plan_join(struct planner *P, int node, struct stream *l, struct stream *r,
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
        int a = planner_find_lcol(P->nodes[nd->child].out, P->nodes[nd->child].n_out, nd->keys[i]);
        int b = planner_find_lcol(P->nodes[nd->right].out, P->nodes[nd->right].n_out, nd->okeys[i]);
        lk[nk] = l->cols[a];
        rk[nk++] = r->cols[b];
    }
    double rows = P->st->join_rows(P->st->ctx, cross ? "cross" : how, l->rows, r->rows, lk, rk, nk);
    if (join_output(nd, l, r, rows, out) != SC_OK)
        return planner_nomem(P);

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
        if (bst < 0 || planner_stage_parent(P, s->stage, bst) != 0)
            return planner_nomem(P);
        struct plan_op op = {.kind = cross ? PLAN_OP_NESTED_LOOP_JOIN
                                           : PLAN_OP_BROADCAST_HASH_JOIN,
                             .join = jt,
                             .build_left = !build_right};
        double work = cross ? s->rows * b->rows : s->rows;
        if (planner_stage_op_keys(P, s->stage, &op, nd->keys, NULL, cross ? 0 : nd->n_keys, false,
                          "broadcast_hash_join", work, 0.0) != 0)
            return planner_nomem(P);
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
        if (planner_stage_merge(P, l->stage, r->stage, tl * tr, (double)tr, (double)tl) != 0 ||
            planner_stage_op_n(P, l->stage, PLAN_OP_CARTESIAN, 0, "broadcast_hash_join",
                       l->rows * r->rows) != 0)
            return planner_nomem(P);
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
                planner_satisfies_clustered(l, nd->keys, nd->n_keys);
    bool r_ok = r->part == PART_HASH && r->n_pkeys == nd->n_okeys &&
                planner_satisfies_clustered(r, nd->okeys, nd->n_okeys);
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
        return planner_nomem(P);
    P->xchg_drop_nulls = strcmp(how, "full") != 0 && strcmp(how, "full_outer") != 0 &&
                         strcmp(how, "right") != 0 && strcmp(how, "right_outer") != 0;
    if (smj_side(P, r, r_ok, nd->okeys, nd->n_okeys, n, line) != 0)
        return planner_nomem(P);
    /* Both inputs now have n partitions: the join's tasks zip them. */
    if (planner_stage_merge(P, l->stage, r->stage, n, 1.0, 1.0) != 0)
        return planner_nomem(P);
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
    if (planner_stage_op_keys(P, l->stage, &op, nd->keys, NULL, nd->n_keys, false, "sort_merge_join",
                      l->rows + r->rows, 0.0) != 0)
        return planner_nomem(P);
    out->stage = l->stage;
    out->part = PART_HASH;
    out->pkeys = nd->keys;
    out->n_pkeys = nd->n_keys;
    out->nparts = n;
    out->sorted = nd->keys;
    out->n_sorted = nd->n_keys;
    return SC_OK;
}

/* ---- salting (sim/plan/skew.h) -----------------------------------------------
 *
 * A skewed key salted by hand, as the seed guide advises: `salt = n` on a
 * join step (the group_by form is in planner_physical.c). */

/* join(right, keys) with salt n: the left side (the skewed one) gets a
 * random salt, the right side is replicated n times, once per salt value
 * (explode(sequence(0, n - 1))), and the two are sort-merge joined on
 * (keys, salt): a hot key's left rows spread over n partitions, each
 * meeting a copy of its right rows. Always a shuffled join here. */
enum sc_status planner_plan_salted_join(struct planner *P, int node, struct stream *l, struct stream *r,
                                struct stream *out)
{
    const struct lnode *nd = &P->nodes[node];
    int line = nd->step->line;
    int64_t n = nd->step->salt;
    const char *how = nd->how;
    if (nd->n_keys == 0 || strcmp(how, "cross") == 0)
        return planner_fail_at(P, nd, "salt needs join keys ('on'); a cross join has none to salt");
    if (nd->n_keys > 62)
        return planner_fail_at(P, nd, "salt takes at most 62 join keys");
    struct plan_column lk[64], rk[64];
    memset(lk, 0, sizeof lk);
    memset(rk, 0, sizeof rk);
    size_t nk = nd->n_keys;
    for (size_t i = 0; i < nk; i++) {
        int a = planner_find_lcol(P->nodes[nd->child].out, P->nodes[nd->child].n_out, nd->keys[i]);
        int b = planner_find_lcol(P->nodes[nd->right].out, P->nodes[nd->right].n_out, nd->okeys[i]);
        lk[i] = l->cols[a];
        rk[i] = r->cols[b];
    }
    double rows = P->st->join_rows(P->st->ctx, how, l->rows, r->rows, lk, rk, nk);
    if (join_output(nd, l, r, rows, out) != SC_OK)
        return planner_nomem(P);

    const char **lkeys = calloc(nk + 2, sizeof *lkeys), **rkeys = calloc(nk + 2, sizeof *rkeys);
    struct plan_column *lc = calloc(l->n_cols + 2, sizeof *lc);
    struct plan_column *rc_ = calloc(r->n_cols + 2, sizeof *rc_);
    bool *lreq = calloc(l->n_cols + 2, sizeof *lreq), *rreq = calloc(r->n_cols + 2, sizeof *rreq);
    enum sc_status rc = SC_OK;
    if (!lkeys || !rkeys || !lc || !rc_ || !lreq || !rreq) {
        rc = planner_nomem(P);
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
    if (planner_stage_op(P, ls.stage, &lsalt, "project", ls.rows, 0.0) != 0 ||
        planner_stage_op(P, rs.stage, &rsalt, "project", rs.rows, 0.0) != 0) {
        rc = planner_nomem(P);
        goto done;
    }
    /* Null keys: as in plan_join (InferFiltersFromConstraints). */
    P->xchg_drop_nulls = can_build_right(how) && strcmp(how, "left") != 0 &&
                         strcmp(how, "left_outer") != 0 && strcmp(how, "left_anti") != 0;
    P->xchg_drop_nulls |= strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0;
    int lx = planner_exchange(P, &ls, PART_HASH, lkeys, NULL, nk + 1, parts, ls.rows, lc, lreq,
                      l->n_cols + 1, line);
    P->xchg_drop_nulls = strcmp(how, "full") != 0 && strcmp(how, "full_outer") != 0 &&
                         strcmp(how, "right") != 0 && strcmp(how, "right_outer") != 0;
    int rx = lx < 0 ? -1
                    : planner_exchange(P, &rs, PART_HASH, rkeys, NULL, nk + 1, parts, rs.rows, rc_, rreq,
                               r->n_cols + 1, line);
    P->xchg_drop_nulls = false;
    if (rx < 0) {
        rc = planner_nomem(P);
        goto done;
    }
    for (int side = 0; side < 2; side++) {
        struct stream *x = side ? &rs : &ls;
        struct plan_op so = {.kind = PLAN_OP_SORT};
        if (planner_stage_op_keys(P, x->stage, &so, side ? rkeys : lkeys, NULL, nk + 1, true, "sort",
                          x->rows, planner_sort_mem(x, P->stages[x->stage].tasks)) != 0) {
            rc = planner_nomem(P);
            goto done;
        }
    }
    if (planner_stage_merge(P, ls.stage, rs.stage, parts, 1.0, 1.0) != 0) {
        rc = planner_nomem(P);
        goto done;
    }
    P->stages[ls.stage].smj_split =
        (can_build_right(how) ? 1 : 0) |
        (strcmp(how, "inner") == 0 || strcmp(how, "right") == 0 || strcmp(how, "right_outer") == 0
             ? 2
             : 0);
    struct plan_op jo = {.kind = PLAN_OP_SORT_MERGE_JOIN, .join = plan_join_from_how(how)};
    if (planner_stage_op_keys(P, ls.stage, &jo, lkeys, NULL, nk + 1, false, "sort_merge_join",
                      ls.rows + rs.rows, 0.0) != 0) {
        rc = planner_nomem(P);
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
