/*
 * calibrate_pipe.c — one stage's pipeline (see calibrate.c): its operators
 * linked into chains from their sources, rows pushed through them in
 * batches of 4096 and blocking operators finished when their input ends,
 * each kernel call timed on its own; the sources' rows prepared (decoded
 * scans, a parent stage's shuffled rows) before the timed runs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/datagen.h"
#include "models/kernels/limit.h"
#include "models/kernels/murmur3.h"
#include "sim/calib/calibrate_internal.h"

/* ---- the pipeline ----------------------------------------------------------- */

static void source_unprepare(struct source *s)
{
    for (size_t i = 0; i < s->n_chunks; i++) {
        if (s->files)
            scan_file_fini(&s->files[i]);
        if (s->bufs)
            shuffle_buf_fini(&s->bufs[i]);
        if (s->chunks)
            batch_free(s->chunks[i]);
    }
    free(s->files);
    free(s->bufs);
    free(s->chunks);
    s->files = NULL;
    s->bufs = NULL;
    s->chunks = NULL;
    s->n_chunks = 0;
}

void calibrate_pipe_stash(struct pipe *p, struct pipe_stash *st)
{
    st->n_srcs = p->n_srcs;
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct source *s = &p->srcs[i];
        st->srcs[i].rows = s->rows;
        st->srcs[i].n_chunks = s->n_chunks;
        st->srcs[i].files = s->files;
        st->srcs[i].bufs = s->bufs;
        st->srcs[i].chunks = s->chunks;
        s->files = NULL;
        s->bufs = NULL;
        s->chunks = NULL;
        s->n_chunks = 0;
    }
    st->held = true;
}

void calibrate_pipe_unstash(struct pipe *p, struct pipe_stash *st)
{
    for (size_t i = 0; i < p->n_srcs && i < st->n_srcs; i++) {
        struct source *s = &p->srcs[i];
        source_unprepare(s);
        s->rows = st->srcs[i].rows;
        s->n_chunks = st->srcs[i].n_chunks;
        s->files = st->srcs[i].files;
        s->bufs = st->srcs[i].bufs;
        s->chunks = st->srcs[i].chunks;
    }
    memset(st, 0, sizeof *st);
}

void calibrate_pipe_stash_free(struct pipe_stash *st)
{
    if (!st->held)
        return;
    for (size_t i = 0; i < st->n_srcs; i++) {
        struct source s = {0};
        s.n_chunks = st->srcs[i].n_chunks;
        s.files = st->srcs[i].files;
        s.bufs = st->srcs[i].bufs;
        s.chunks = st->srcs[i].chunks;
        source_unprepare(&s);
    }
    memset(st, 0, sizeof *st);
}

void calibrate_pipe_free(struct pipe *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_srcs; i++) {
        source_unprepare(&p->srcs[i]);
        batch_free(p->srcs[i].base);
    }
    for (size_t i = 0; i < p->n_chains; i++)
        batch_free(p->chains[i].collect);
    for (size_t i = 0; i < p->n_ops; i++)
        calibrate_cop_fini(&p->ops[i]);
    batch_free(p->sample);
    shuffle_buf_fini(&p->scratch);
    free(p);
}

/* Reads ops into p's operators and links them into chains (see calibrate.c's
 * file comment). SC_EINPUT with the reason when the pipeline cannot be run. */
enum sc_status calibrate_pipe_parse(struct pipe *p, const struct plan_op *ops, size_t n, struct diag *d)
{
    if (n > MAX_OPS)
        return diag_set(d, SC_EINPUT, NULL, 0, "more than %d operators", MAX_OPS);
    int cur = -1;
    int stack[MAX_CHAINS];
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        struct cop *op = &p->ops[i];
        enum sc_status rc = calibrate_cop_from_plan(op, &ops[i], d);
        if (rc != SC_OK)
            return rc;
        p->n_ops = i + 1;
        bool combine = op->kind == COP_SMJ || op->kind == COP_UNION;
        if (calibrate_is_source(op) || combine) {
            if (p->n_chains == MAX_CHAINS)
                return diag_set(d, SC_EINPUT, NULL, 0, "more than %d inputs", MAX_CHAINS);
            struct chain *ch = &p->chains[p->n_chains];
            ch->head = ch->tail = op;
            ch->src = ch->in_l = ch->in_r = -1;
            if (combine) {
                if (cur < 0 || depth == 0)
                    return diag_set(d, SC_EINPUT, NULL, 0, "'%s' without two inputs", op->text);
                ch->in_l = stack[--depth];
                ch->in_r = cur;
                p->has_smj |= op->kind == COP_SMJ;
            } else {
                if (cur >= 0)
                    stack[depth++] = cur;
                if (p->n_srcs == MAX_CHAINS)
                    return diag_set(d, SC_EINPUT, NULL, 0, "more than %d inputs", MAX_CHAINS);
                ch->src = (int)p->n_srcs;
                op->src = (int)p->n_srcs;
                p->srcs[p->n_srcs].key_col = -1;
                p->srcs[p->n_srcs++].op = op;
            }
            cur = (int)p->n_chains++;
            op->chain = cur;
            continue;
        }
        if (cur < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s' has no input", op->text);
        op->chain = cur;
        p->chains[cur].tail->next = op;
        p->chains[cur].tail = op;
    }
    if (cur < 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "no input operator");
    if (depth != 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "an input that nothing joins");
    p->last = p->chains[cur].tail;
    return SC_OK;
}

/* A short name for the table: "scan>filter>agg>exchange". */
void calibrate_pipe_name(const struct pipe *p, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < p->n_ops; i++) {
        const char *n = p->ops[i].short_name;
        if (!n)
            continue;
        int w = snprintf(buf + len, size - len, "%s%s", len ? ">" : "", n);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
}

/* ---- running --------------------------------------------------------------- */

static enum sc_status push(struct pipe *p, struct cop *op, const struct batch *in, struct diag *d);

/* Hands op's output on: to the next operator, or into its chain's
 * collection when the chain feeds a join or union. */
static enum sc_status emit(struct pipe *p, struct cop *op, const struct batch *out, struct diag *d)
{
    op->rows_out += (int64_t)out->n_rows;
    if (op->next)
        return push(p, op->next, out, d);
    struct batch *col = p->chains[op->chain].collect;
    if (col && out->n_rows && batch_append(col, out, 0, out->n_rows) != 0)
        return calibrate_nomem(d);
    return SC_OK;
}

/* Hands a blocking operator's output on a chunk at a time, as Spark's
 * operators hand rows to the next through an iterator: the next operator
 * (a shuffle write, above all) then works on a chunk that stays in cache
 * whatever the sample's size, as Spark's does on its records, instead of
 * on one batch of every group or row, whose cost per row jumps once it
 * outgrows the caches and moves with the machine's load. The copy into
 * the slice is untimed. */
static enum sc_status emit_chunked(struct pipe *p, struct cop *op, const struct batch *out,
                                   struct diag *d)
{
    /* (A range exchange picks its bounds from the first input it sees:
     * all of it, as Spark's sampling job sees all of it.) */
    const struct cop *next = op->next;
    if (!next || out->n_rows <= CHUNK_ROWS ||
        (next->kind == COP_EXCHANGE && next->part == PK_RANGE))
        return emit(p, op, out, d);
    if (!op->slice && !(op->slice = batch_new_like(out, CHUNK_ROWS)))
        return calibrate_nomem(d);
    enum sc_status rc = SC_OK;
    for (size_t first = 0; first < out->n_rows && rc == SC_OK; first += CHUNK_ROWS) {
        size_t len = out->n_rows - first < CHUNK_ROWS ? out->n_rows - first : CHUNK_ROWS;
        batch_clear(op->slice);
        if (batch_append(op->slice, out, first, len) != 0)
            return calibrate_nomem(d);
        if (out->n_cols == 0)
            op->slice->n_rows = len;
        rc = emit(p, op, op->slice, d);
    }
    return rc;
}

static int ensure_order(struct cop *op, size_t n)
{
    if (n <= op->order_cap)
        return 0;
    size_t *v = realloc(op->order, n * sizeof *v);
    if (!v)
        return -1;
    op->order = v;
    op->order_cap = n;
    return 0;
}

/* Charges op the time since t0: to this run's total, and as one segment
 * of the run when the measurement keeps them (p->segs: struct
 * calib_segmin, the fastest of the runs segment by segment). */
static void charge(struct pipe *p, struct cop *op, double t0)
{
    double ns = calib_clock_elapsed_ns(p->clock, t0);
    op->ns += ns;
    if (p->segs)
        calib_segmin_add(&p->segs[op - p->ops], ns);
}

static enum sc_status push_exchange(struct pipe *p, struct cop *op, const struct batch *in,
                                    struct diag *d)
{
    enum sc_status rc = SC_OK;
    const size_t *rows = NULL;
    struct shuffle_stats st = {0};
    if (op->part == PK_RANGE && !op->bounds) {
        /* Range bounds come from Spark's separate sampling job: untimed. */
        struct batch *keys = NULL;
        if ((rc = sortk_sort(in, &(struct sort_spec){op->skeys, op->n_skeys}, op->ws, op->buf, NULL,
                             d)) != SC_OK)
            return rc;
        const char **names = calloc(op->n_skeys + 1, sizeof *names);
        enum col_type *types = calloc(op->n_skeys + 1, sizeof *types);
        if (names && types) {
            for (size_t i = 0; i < op->n_skeys; i++) {
                names[i] = in->names[op->skeys[i].col];
                types[i] = in->cols[op->skeys[i].col].type;
            }
            keys = batch_new(op->n_skeys, names, types, 0);
        }
        free(names);
        free(types);
        if (!keys)
            return calibrate_nomem(d);
        op->bounds = keys;
        rc = partition_pick_bounds(op->buf, &(struct sort_spec){op->skeys, op->n_skeys},
                                   (size_t)op->nparts, op->bounds, d);
        if (rc != SC_OK)
            return rc;
    }
    double t0 = calib_clock_ns(p->clock);
    switch (op->part) {
    case PK_HASH:
        rc = partition_hash(in, op->keys, op->n_skeys, (size_t)op->nparts, op->pm, d);
        rows = op->pm->rows;
        break;
    case PK_RANGE: {
        /* partition_range compares bound column i with key i. */
        struct sort_key bk[MAX_KEYS];
        for (size_t i = 0; i < op->n_skeys; i++)
            bk[i] = op->skeys[i];
        rc = partition_range(in, &(struct sort_spec){bk, op->n_skeys}, op->bounds, op->pm, d);
        rows = op->pm->rows;
        break;
    }
    case PK_ROUNDROBIN: {
        /* Rows dealt round-robin, then written partition by partition. */
        if (ensure_order(op, in->n_rows) != 0) {
            rc = calibrate_nomem(d);
            break;
        }
        size_t k = 0, n = (size_t)op->nparts;
        for (size_t part = 0; part < n; part++)
            for (size_t r = part; r < in->n_rows; r += n)
                op->order[k++] = r;
        rows = op->order;
        break;
    }
    case PK_SINGLE: break;
    }
    if (rc == SC_OK)
        rc = shuffle_write(in, rows, in->n_rows, &op->sraw, &op->z, &st, d);
    charge(p, op, t0);
    op->ser_bytes += st.serialized_bytes;
    op->comp_bytes += st.compressed_bytes;
    return rc;
}

static enum sc_status push(struct pipe *p, struct cop *op, const struct batch *in, struct diag *d)
{
    enum sc_status rc = SC_OK;
    op->rows_in += (int64_t)in->n_rows;
    if (in->n_cols > 0)
        op->rows_in_values += (int64_t)in->n_rows;
    if (op == p->last) {
        p->out_bytes += batch_bytes(in);
        if (p->sample && in->n_rows && batch_append(p->sample, in, 0, in->n_rows) != 0)
            return calibrate_nomem(d);
    }
    double t0 = calib_clock_ns(p->clock);
    switch (op->kind) {
    case COP_FILTER:
        rc = kernel_filter_run(op->kf, in, op->out, NULL, d);
        charge(p, op, t0);
        return rc != SC_OK ? rc : emit(p, op, op->out, d);
    case COP_PROJECT:
        rc = kernel_project_run(op->kp, in, op->out, NULL, d);
        charge(p, op, t0);
        return rc != SC_OK ? rc : emit(p, op, op->out, d);
    case COP_AGG:
        rc = hashagg_add(op->h, in, d);
        charge(p, op, t0);
        return rc;
    case COP_SORT:
        /* The sorter copies each row into its buffer (UnsafeExternalSorter
         * inserting records): part of the sort's cost. */
        if (batch_append(op->buf, in, 0, in->n_rows) != 0)
            return calibrate_nomem(d);
        charge(p, op, t0);
        return SC_OK;
    case COP_WINDOW:
        /* Its input comes sorted in one batch; buffering it is ours, not Spark's. */
        if (batch_append(op->buf, in, 0, in->n_rows) != 0)
            return calibrate_nomem(d);
        return SC_OK;
    case COP_BHJ:
        rc = join_hash_probe(op->jh, &op->jspec, in, op->jws, op->out, NULL, d);
        charge(p, op, t0);
        return rc != SC_OK ? rc : emit(p, op, op->out, d);
    case COP_EXCHANGE: return push_exchange(p, op, in, d);
    case COP_WRITE:
        rc = scan_encode(in, &op->file, d);
        charge(p, op, t0);
        return rc;
    case COP_CACHE:
        if (batch_append(op->buf, in, 0, in->n_rows) != 0)
            return calibrate_nomem(d);
        charge(p, op, t0);
        return emit(p, op, in, d);
    case COP_LIMIT:
        batch_clear(op->out);
        rc = limit_take(in, &op->remaining, op->out, NULL, d);
        charge(p, op, t0);
        if (rc != SC_OK || op->out->n_rows == 0)
            return rc;
        return emit(p, op, op->out, d);
    case COP_SAMPLE:
        batch_clear(op->out);
        rc = sample_rows(&op->sampler, in, op->out, NULL, d);
        charge(p, op, t0);
        if (rc != SC_OK || op->out->n_rows == 0)
            return rc;
        return emit(p, op, op->out, d);
    case COP_SALT: {
        /* Each row with a pseudo-random salt (rand()), or once per salt
         * value (explode). */
        size_t n = in->n_rows, reps = op->limit ? (size_t)op->nparts : 1;
        batch_clear(op->out);
        if (ensure_order(op, n) != 0 || batch_ensure(op->out, n * reps) != 0)
            return calibrate_nomem(d);
        for (size_t i = 0; i < n; i++)
            op->order[i] = i;
        for (size_t r = 0; r < reps; r++) {
            size_t at = op->out->n_rows;
            for (size_t c = 0; c < in->n_cols; c++)
                if (column_gather(&op->out->cols[c], op->out->cap_rows, at, &in->cols[c], op->order,
                                  n) != 0)
                    return calibrate_nomem(d);
            int64_t *salt = op->out->cols[in->n_cols].i64 + at;
            for (size_t i = 0; i < n; i++) {
                uint64_t h = (uint64_t)(op->rows_in + (int64_t)i) * 0x9E3779B97F4A7C15ULL;
                salt[i] = op->limit ? (int64_t)r : (int64_t)((h >> 33) % (uint64_t)op->nparts);
            }
            op->out->n_rows = at + n;
        }
        charge(p, op, t0);
        return emit(p, op, op->out, d);
    }
    case COP_PASS:
    case COP_UNION:
    case COP_SMJ:
    case COP_SCAN:
    case COP_ROWS:
    case COP_READ: return emit(p, op, in, d);
    }
    return SC_OK;
}

/* The local sort before a round-robin exchange (see bind_op). */
static enum sc_status sort_by_hash(struct cop *op, struct diag *d)
{
    const struct batch *in = op->buf;
    size_t n = in->n_rows;
    batch_clear(op->out);
    if (in->n_cols == 0) {
        op->out->n_rows = n;
        return SC_OK;
    }
    if (n > op->hash_cap) {
        int32_t *h = realloc(op->hashes, n * sizeof *h);
        if (!h)
            return calibrate_nomem(d);
        op->hashes = h;
        op->hash_cap = n;
    }
    struct batch *hb = op->tmp[0];
    batch_clear(hb);
    if (batch_ensure(hb, n) != 0)
        return calibrate_nomem(d);
    murmur3_hash_rows(in, op->keys, op->n_keys, MURMUR3_SPARK_SEED, op->hashes);
    for (size_t i = 0; i < n; i++)
        hb->cols[0].i64[i] = op->hashes[i];
    hb->n_rows = n;
    const size_t *perm;
    enum sc_status rc =
        sortk_order(hb, &(struct sort_spec){op->skeys, op->n_skeys}, op->ws, &perm, d);
    if (rc == SC_OK && batch_gather(op->out, in, perm, n) != 0)
        rc = calibrate_nomem(d);
    return rc;
}

/* End of input for the operators from op on: blocking ones emit. */
static enum sc_status finish(struct pipe *p, struct cop *op, struct diag *d)
{
    enum sc_status rc = SC_OK;
    for (; op && rc == SC_OK; op = op->next) {
        double t0 = calib_clock_ns(p->clock);
        switch (op->kind) {
        case COP_AGG:
            rc = hashagg_emit(op->h, op->out, NULL, d);
            charge(p, op, t0);
            op->groups = hashagg_groups(op->h);
            if (rc == SC_OK)
                rc = emit_chunked(p, op, op->out, d);
            break;
        case COP_SORT:
            if (op->all_cols)
                rc = sort_by_hash(op, d);
            else
                rc = sortk_sort(op->buf, &(struct sort_spec){op->skeys, op->n_skeys}, op->ws,
                                op->out, NULL, d);
            charge(p, op, t0);
            if (rc == SC_OK)
                rc = emit_chunked(p, op, op->out, d);
            break;
        case COP_WINDOW:
            rc = window_run(&op->wspec, op->buf, op->out, NULL, d);
            charge(p, op, t0);
            if (rc == SC_OK)
                rc = emit_chunked(p, op, op->out, d);
            break;
        default: break;
        }
    }
    return rc;
}

static enum sc_status run_combiner(struct pipe *p, struct chain *ch, struct diag *d)
{
    struct cop *op = ch->head;
    struct batch *in[2] = {p->chains[ch->in_l].collect, p->chains[ch->in_r].collect};
    enum sc_status rc = SC_OK;
    op->rows_in += (int64_t)(in[0]->n_rows + in[1]->n_rows);
    for (int k = 0; k < 2; k++)
        if (in[k]->n_cols > 0)
            op->rows_in_values += (int64_t)in[k]->n_rows;
    if (op->kind == COP_UNION) {
        rc = emit(p, op, in[0], d);
        if (rc == SC_OK)
            rc = emit(p, op, in[1], d);
        return rc != SC_OK ? rc : finish(p, op->next, d);
    }
    const struct batch *side[2] = {in[0], in[1]};
    for (int s = 0; s < 2 && rc == SC_OK; s++)
        if (op->sort_in[s]) {
            struct sort_key k[MAX_KEYS];
            for (size_t i = 0; i < op->a.n; i++)
                k[i] =
                    (struct sort_key){s ? op->keys2[i] : op->keys[i], SORT_ASC, SORT_NULLS_DEFAULT};
            rc = sortk_sort(in[s], &(struct sort_spec){k, op->a.n}, op->ws, op->tmp[s], NULL, d);
            side[s] = op->tmp[s];
        }
    if (rc != SC_OK)
        return rc;
    double t0 = calib_clock_ns(p->clock);
    rc = join_sort_merge(&op->jspec, side[0], side[1], op->jws, op->out, NULL, d);
    charge(p, op, t0);
    if (rc == SC_OK)
        rc = emit_chunked(p, op, op->out, d);
    return rc != SC_OK ? rc : finish(p, op->next, d);
}

static void pipe_reset(struct pipe *p)
{
    p->out_bytes = 0;
    for (size_t i = 0; i < p->n_ops; i++) {
        struct cop *op = &p->ops[i];
        op->ns = 0.0;
        op->rows_in = op->rows_out = op->ser_bytes = op->comp_bytes = op->rows_in_values = 0;
        op->groups = 0;
        op->remaining = op->limit;
        if (op->kind == COP_SAMPLE) {
            struct diag ignore;
            sample_fini(&op->sampler);
            (void)sample_init(&op->sampler, op->fraction, op->seed, 0, &ignore);
        }
        if (op->h)
            hashagg_reset(op->h);
        if (op->buf)
            batch_clear(op->buf);
    }
    for (size_t i = 0; i < p->n_chains; i++)
        if (p->chains[i].collect)
            batch_clear(p->chains[i].collect);
}

/* One run of the whole pipeline over the prepared sources. */
enum sc_status calibrate_pipe_run(struct pipe *p, const struct calib_clock *clock, struct diag *d)
{
    p->clock = clock;
    pipe_reset(p);
    enum sc_status rc = SC_OK;
    for (size_t c = 0; c < p->n_chains && rc == SC_OK; c++) {
        struct chain *ch = &p->chains[c];
        if (ch->src < 0) {
            rc = run_combiner(p, ch, d);
            continue;
        }
        struct source *s = &p->srcs[ch->src];
        struct cop *op = s->op;
        for (size_t k = 0; k < s->n_chunks && rc == SC_OK; k++) {
            double t0 = calib_clock_ns(p->clock);
            if (op->kind == COP_SCAN) {
                rc = scan_decode(op->reader, &s->files[k], NULL, 0, op->out, NULL, d);
                if (rc == SC_OK && op->out->n_cols == 0)
                    op->out->n_rows = s->chunks[k]->n_rows;
                charge(p, op, t0);
                if (rc == SC_OK)
                    rc = push(p, op, op->out, d);
            } else if (op->kind == COP_READ) {
                batch_clear(op->out);
                rc = shuffle_read(&s->bufs[k], &p->scratch, op->out, NULL, d);
                if (rc == SC_OK && op->out->n_cols == 0)
                    op->out->n_rows = s->chunks[k]->n_rows;
                charge(p, op, t0);
                if (rc == SC_OK)
                    rc = push(p, op, op->out, d);
            } else {
                rc = push(p, op, s->chunks[k], d);
            }
        }
        if (rc == SC_OK)
            rc = finish(p, op->next, d);
    }
    return rc;
}

/* s->base = `rows` rows of g: its rows over and over (row i is its row i
 * mod m). */
static enum sc_status tile_base(struct source *s, const struct batch *g, size_t rows,
                                struct diag *d)
{
    if (!(s->base = batch_new_like(g, rows)))
        return calibrate_nomem(d);
    if (g->n_cols == 0 || g->n_rows == 0) {
        s->base->n_rows = g->n_cols == 0 ? rows : 0;
        return SC_OK;
    }
    size_t *idx = malloc((rows ? rows : 1) * sizeof *idx);
    if (!idx)
        return calibrate_nomem(d);
    for (size_t i = 0; i < rows; i++)
        idx[i] = i % g->n_rows;
    int bad = batch_gather(s->base, g, idx, rows);
    free(idx);
    return bad ? calibrate_nomem(d) : SC_OK;
}

/* The rows of a sort-merge join's input whose first key hashes under
 * key_frac of the hash range: the same keys on both sides, and at a
 * smaller share a subset of those at a larger one. */
static enum sc_status keyed_base(struct source *s, struct diag *d)
{
    const struct batch *g = s->given;
    batch_free(s->base);
    s->base = NULL;
    double lim = s->key_frac * 18446744073709551616.0; /* 2^64 */
    size_t *idx = malloc((g->n_rows ? g->n_rows : 1) * sizeof *idx);
    if (!idx)
        return calibrate_nomem(d);
    size_t n = 0;
    for (size_t i = 0; i < g->n_rows; i++)
        if (s->key_frac >= 1.0 || (double)calibrate_key_hash(g, s->key_col, i) < lim)
            idx[n++] = i;
    s->base = batch_new_like(g, n);
    int bad = !s->base || batch_gather(s->base, g, idx, n) != 0;
    free(idx);
    return bad ? calibrate_nomem(d) : SC_OK;
}

/* The rows of source s for a size: generated (a table, whole when it is
 * smaller than the size, and then repeated) or taken from the parent's
 * sample, repeated when allowed. */
static enum sc_status source_base(struct source *s, size_t rows, struct diag *d)
{
    if (s->given && s->key_col >= 0)
        return keyed_base(s, d);
    if (s->base && s->base->n_rows >= rows)
        return SC_OK;
    batch_free(s->base);
    s->base = NULL;
    if (s->table && !s->given) {
        const struct slist *cols = &s->op->a;
        static const char *const all[] = {"id", "key", "value", "name", "flag"};
        struct slist generic = {(char **)all, 5, 5};
        size_t gen = rows;
        if (s->table_rows > 0 && (uint64_t)s->table_rows < rows)
            gen = (size_t)s->table_rows;
        struct batch *b =
            calibrate_generate_kept(s->table, s->op->kind == COP_READ ? &generic : cols, gen,
                                    s->keep, s->n_keep, NULL, d);
        if (!b)
            return d->status;
        if (gen == rows) {
            s->base = b;
            return SC_OK;
        }
        enum sc_status rc = tile_base(s, b, rows, d);
        batch_free(b);
        return rc;
    }
    return tile_base(s, s->given, rows, d);
}

/* Cuts `rows` rows of s into chunks in the form its operator reads:
 * encoded files (scan), LZ4 shuffle blocks (read) or batches (rows). */
static enum sc_status source_prepare(struct source *s, size_t rows, struct diag *d)
{
    source_unprepare(s);
    enum sc_status rc = source_base(s, rows, d);
    if (rc != SC_OK)
        return rc;
    if (s->given && s->key_col >= 0)
        rows = s->base->n_rows;
    size_t n = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
    s->rows = rows;
    s->chunks = calloc(n + 1, sizeof *s->chunks);
    if (s->op->kind == COP_SCAN)
        s->files = calloc(n + 1, sizeof *s->files);
    if (s->op->kind == COP_READ)
        s->bufs = calloc(n + 1, sizeof *s->bufs);
    if (!s->chunks || (s->op->kind == COP_SCAN && !s->files) ||
        (s->op->kind == COP_READ && !s->bufs))
        return calibrate_nomem(d);
    struct shuffle_buf raw = {0};
    for (size_t k = 0; k < n && rc == SC_OK; k++) {
        size_t first = k * CHUNK_ROWS;
        size_t len = rows - first < CHUNK_ROWS ? rows - first : CHUNK_ROWS;
        s->n_chunks = k + 1;
        struct batch *c = batch_new_like(s->base, len);
        if (!c || (s->base->n_cols && batch_append(c, s->base, first, len) != 0)) {
            batch_free(c);
            rc = calibrate_nomem(d);
            break;
        }
        c->n_rows = len;
        s->chunks[k] = c;
        if (s->op->kind == COP_SCAN)
            rc = scan_encode(c, &s->files[k], d);
        else if (s->op->kind == COP_READ)
            rc = shuffle_write(c, NULL, len, &raw, &s->bufs[k], NULL, d);
    }
    shuffle_buf_fini(&raw);
    return rc;
}

/* Prepares every source for a stage of `total` input rows, split by the
 * sources' weights; a source that may not repeat rows is capped at its
 * parent's sample. Returns the rows actually prepared. */
enum sc_status calibrate_pipe_prepare(struct pipe *p, size_t total, size_t *actual, struct diag *d)
{
    double wsum = 0.0, keyed = 0.0;
    for (size_t i = 0; i < p->n_srcs; i++) {
        wsum += p->srcs[i].weight;
        if (p->srcs[i].given && p->srcs[i].key_col >= 0)
            keyed += (double)p->srcs[i].given->n_rows;
    }
    /* A sort-merge join's inputs keep one share of the keys between them,
     * enough for `total` rows in all (calibrate_sample.c). */
    double q = keyed > 0.0 ? fmin(1.0, (double)total / keyed) : 1.0;
    *actual = 0;
    for (size_t i = 0; i < p->n_srcs; i++) {
        struct source *s = &p->srcs[i];
        if (s->given && s->key_col >= 0) {
            s->key_frac = q;
            enum sc_status rc = source_prepare(s, 0, d);
            if (rc != SC_OK)
                return rc;
            *actual += s->rows;
            continue;
        }
        double share = wsum > 0.0 ? s->weight / wsum : 1.0 / (double)p->n_srcs;
        size_t rows = (size_t)llround((double)total * share);
        if (rows < 1)
            rows = 1;
        if (s->given && (!s->may_tile || p->has_smj) && rows > s->given->n_rows)
            rows = s->given->n_rows;
        enum sc_status rc = source_prepare(s, rows, d);
        if (rc != SC_OK)
            return rc;
        *actual += rows;
    }
    return SC_OK;
}

static enum sc_status pipe_build(struct calibration *cal, size_t job, size_t stage,
                                 bool for_output, struct pipe **out, struct diag *d);

/* Builds stage (job, stage)'s pipeline, bound and ready to run. */
enum sc_status calibrate_pipe_build(struct calibration *cal, size_t job, size_t stage, struct pipe **out,
                          struct diag *d)
{
    return pipe_build(cal, job, stage, false, out, d);
}

/* The same, for the rows the stage hands on (for_output): its scans may
 * keep only some join keys (calibrate_sample.c). */
static enum sc_status pipe_build(struct calibration *cal, size_t job, size_t stage,
                                 bool for_output, struct pipe **out, struct diag *d)
{
    *out = NULL;
    const struct plan_stage *sp = &cal->plan->jobs[job].stages[stage];
    const struct plan_op *ops;
    size_t n = calibrate_stage_ops(cal, sp, &ops);
    if (n == 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "kernel '%s' names no operator to run",
                        sp->kernel ? sp->kernel : "generic");
    struct pipe *p = calloc(1, sizeof *p);
    if (!p)
        return calibrate_nomem(d);
    enum sc_status rc = calibrate_pipe_parse(p, ops, n, d);
    struct bind_env env = {cal, job, stage, sp->n_ops > 0, for_output, 0, 0};
    for (size_t i = 0; i < p->n_ops && rc == SC_OK; i++)
        rc = calibrate_bind_op(&env, p, &p->ops[i], d);
    if (rc != SC_OK) {
        calibrate_pipe_free(p);
        return rc;
    }
    *out = p;
    return SC_OK;
}

/* Rows the stage really reads in all (for the size of its output sample). */
double calibrate_stage_input_rows(const struct plan_stage *sp)
{
    if (sp->n_ops > 0)
        return (double)sp->input_records;
    return (double)sp->records;
}

enum sc_status calibrate_stage_output(struct calibration *cal, size_t job, size_t stage,
                            struct stage_out **out, struct diag *d)
{
    struct stage_rec *r = calibrate_rec_at(cal, job, stage);
    *out = &r->out;
    if (r->out.done)
        return SC_OK;
    r->out.done = true;
    r->out.failed = true;
    struct diag local;
    diag_clear(&local);
    struct pipe *p;
    enum sc_status rc = pipe_build(cal, job, stage, true, &p, &local);
    if (rc == SC_ENOMEM)
        return diag_set(d, rc, NULL, 0, "%s", local.msg);
    if (rc != SC_OK)
        return SC_OK; /* failed: the reader says so */
    size_t max = cal->opt.rows[cal->opt.n_rows - 1];
    double want = calibrate_stage_input_rows(&cal->plan->jobs[job].stages[stage]);
    size_t n = want >= 1.0 && want < (double)max ? (size_t)want : max;
    /* A table restricted to some join keys holds fewer rows: all of them. */
    for (size_t i = 0; i < p->n_srcs; i++)
        if (p->srcs[i].n_keep && p->srcs[i].table_rows > 0 && (uint64_t)p->srcs[i].table_rows < n)
            n = (size_t)p->srcs[i].table_rows;
    size_t actual;
    if (!(p->sample = batch_new_like(p->last->layout, 0))) {
        calibrate_pipe_free(p);
        return calibrate_nomem(d);
    }
    rc = calibrate_pipe_prepare(p, n, &actual, &local);
    if (rc == SC_OK)
        rc = calibrate_pipe_run(p, &cal->clock, &local);
    if (rc == SC_OK) {
        r->out.rows = p->sample;
        p->sample = NULL;
        for (size_t i = p->n_ops; i-- > 0;)
            if (p->ops[i].kind == COP_AGG && !p->ops[i].final_agg) {
                r->out.agg_raw = p->ops[i].raw;
                p->ops[i].raw = NULL;
                break;
            }
        r->out.failed = false;
    }
    calibrate_pipe_free(p);
    return rc == SC_ENOMEM ? diag_set(d, rc, NULL, 0, "%s", local.msg) : SC_OK;
}
