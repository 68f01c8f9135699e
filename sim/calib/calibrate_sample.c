/*
 * calibrate_sample.c — what the sample rows are (see calibrate.c): which
 * join keys are sampled consistently on both sides of a join, and how big
 * a stage's samples must be for each of its operators to see rows.
 *
 * Why joins need it. Sampling two tables independently keeps a fraction f
 * of each, and so only f^2 of their join: a fact table's 131,072 sample
 * rows with keys uniform over 10^8 values meet a dimension's 131 rows in no
 * row at all, where the full tables join 1% of the fact's rows. So both
 * sides keep the same keys instead — the rows whose key v has v mod m = c
 * (datagen_keep_keys), one in m of the key values with every row that holds
 * them: the kept keys keep their multiplicity on each side, and a join of
 * the two samples gives the full join's rows per input row (a "universe"
 * sample, as approximate query processing calls it). m is chosen so that
 * the sides' samples keep their tables' proportions within the largest
 * sample size (m = (N_L + N_R) / S for a sort-merge join, N_build / S for a
 * broadcast one), and no larger than leaves 64 kept keys. A join whose keys
 * are not plain table columns of a distribution datagen can restrict is
 * left independent, and said so in a warning.
 *
 * At each sample size a sort-merge join stage then takes from both sides'
 * rows the same share q of the keys (those with hash(key) < q 2^64) rather
 * than a prefix of each: nested, so smaller sizes are subsets of larger
 * ones, and consistent, so the join's output stays proportional to its
 * input (calibrate_pipe.c).
 *
 * Sizes. Before a stage is timed its pipeline runs once at the smallest
 * size; while an operator the kernels time sees no rows, or a filter or a
 * join lets fewer than MIN_OP_ROWS through, every size is doubled, up to
 * MAX_GROWTH times (and never beyond a sort-merge join's parents' samples). An operator that still sees none is not timed: the
 * stage is not calibrated, keeps the default rates and says why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/datagen.h"
#include "models/hash64.h"
#include "models/sbuf.h"
#include "sim/calib/calibrate_internal.h"
#include "sim/plan/plan_stats.h"

/* Fewest kept key values a consistent sample keeps. */
#define MIN_KEPT_KEYS 64.0
/* Rows an operator must see at the smallest size to be timed without
 * growing the sample, and the largest growth of the sizes. */
#define MIN_OP_ROWS 64
#define MAX_GROWTH 16

/* ---- tracing a join key to a table column ---------------------------------- */

static bool has_col(const struct plan_names *n, const char *name)
{
    for (size_t i = 0; i < n->n; i++)
        if (strcmp(n->v[i], name) == 0)
            return true;
    return false;
}

/* The table whose column `key` stage (job, st)'s ops [0, upto) hand on
 * unchanged: its one source, a scan of a table with that column, and no
 * projection that defines `key` on the way. NULL otherwise. */
static const struct table_spec *trace_key(const struct calibration *cal, size_t job, size_t st,
                                          size_t upto, const char *key)
{
    const struct plan_stage *sp = &cal->plan->jobs[job].stages[st];
    const struct plan_op *scan = NULL;
    if (upto > sp->n_ops)
        upto = sp->n_ops;
    for (size_t i = 0; i < upto; i++) {
        const struct plan_op *o = &sp->ops[i];
        switch (o->kind) {
        case PLAN_OP_SCAN:
            if (scan)
                return NULL;
            scan = o;
            break;
        case PLAN_OP_ROWS:
        case PLAN_OP_MEMSCAN:
        case PLAN_OP_SHUFFLE_READ:
        case PLAN_OP_SORT_MERGE_JOIN:
        case PLAN_OP_UNION:
        case PLAN_OP_SALT: return NULL;
        case PLAN_OP_PROJECT:
            for (size_t k = 0; k < o->n_items; k++) {
                const struct plan_item *it = &o->items[k];
                if (it->alias && strcmp(it->alias, key) == 0 && strcmp(it->expr, key) != 0)
                    return NULL;
            }
            break;
        default: break;
        }
    }
    if (!scan || !has_col(&scan->cols, key))
        return NULL;
    const struct table_spec *t = scenario_table(cal->s, scan->table);
    return t && t->rows > 0 ? t : NULL;
}

/* One side of a join: the stage whose scan is restricted. */
struct side {
    size_t job, stage;
    const struct table_spec *t;
    const char *col;
    bool output_only;
};

struct pair {
    struct side a, b;
    int64_t m;
    const char *what; /* the join's text, for warnings */
};

static double col_ndv(const struct side *s)
{
    for (size_t i = 0; i < s->t->n_columns; i++)
        if (strcmp(s->t->columns[i].name, s->col) == 0)
            return plan_stats_column_ndv(&s->t->columns[i], (double)s->t->rows);
    return (double)s->t->rows;
}

/* The modulus a join of sides with n_a and n_b rows needs so that their
 * samples (at most s_max rows together, or the build side alone for a
 * broadcast) keep their proportions; 0 when independent samples already
 * hold every key (or both tables fit whole). */
static int64_t join_modulus(const struct side *a, const struct side *b, bool broadcast,
                            double s_max)
{
    double na = (double)a->t->rows, nb = (double)b->t->rows;
    double da = col_ndv(a), db = col_ndv(b);
    double m;
    if (broadcast) {
        if (nb <= s_max || db <= s_max)
            return 0;
        m = ceil(nb / s_max);
    } else {
        if (na + nb <= s_max)
            return 0;
        double sa = s_max * na / (na + nb), sb = s_max * nb / (na + nb);
        if (da <= sa && db <= sb)
            return 0;
        m = ceil((na + nb) / s_max);
    }
    double d = fmax(da, db);
    if (d / m < MIN_KEPT_KEYS)
        m = floor(d / MIN_KEPT_KEYS);
    return m >= 2.0 ? (int64_t)fmin(m, 1e15) : 0;
}

static void add_pair(struct pair *pairs, size_t *n, size_t cap, const struct side *a,
                     const struct side *b, int64_t m, const char *what)
{
    if (*n < cap)
        pairs[(*n)++] = (struct pair){*a, *b, m, what};
}

/* The joins of stage (job, st) whose two sides trace to table columns. */
static void stage_pairs(struct calibration *cal, size_t job, size_t st, struct pair *pairs,
                        size_t *n, size_t cap)
{
    const struct plan_job *js = &cal->plan->jobs[job];
    const struct plan_stage *sp = &js->stages[st];
    double s_max = (double)cal->opt.rows[cal->opt.n_rows - 1];
    size_t n_bhj = 0;
    for (size_t i = 0; i < sp->n_ops; i++) {
        const struct plan_op *o = &sp->ops[i];
        if (o->kind == PLAN_OP_BROADCAST_HASH_JOIN && o->keys.n > 0) {
            long par = calibrate_find_parent(js, st, NULL, true, n_bhj++);
            if (par < 0)
                continue;
            const struct plan_stage *ps = &js->stages[par];
            const struct plan_names *bk = &ps->ops[ps->n_ops - 1].keys;
            const char *bkey = bk->n ? bk->v[0] : o->keys.v[0];
            struct side a = {job, st, trace_key(cal, job, st, i, o->keys.v[0]), o->keys.v[0],
                             false};
            struct side b = {job, (size_t)par, trace_key(cal, job, (size_t)par, ps->n_ops, bkey),
                             bkey, true};
            if (a.t && b.t) {
                int64_t m = join_modulus(&a, &b, true, s_max);
                if (m)
                    add_pair(pairs, n, cap, &a, &b, m, o->text);
            }
        }
        if (o->kind != PLAN_OP_SORT_MERGE_JOIN || o->keys.n == 0)
            continue;
        /* Its two inputs: the last two shuffle reads before it that no
         * earlier join consumed (the planner writes left read, its sort,
         * right read, its sort, the join). */
        long reads[2] = {-1, -1};
        int found = 0;
        for (size_t k = i; k-- > 0 && found < 2;) {
            if (sp->ops[k].kind == PLAN_OP_SORT_MERGE_JOIN || sp->ops[k].kind == PLAN_OP_UNION)
                break;
            if (sp->ops[k].kind == PLAN_OP_SHUFFLE_READ)
                reads[1 - found++] = (long)k;
        }
        if (found < 2)
            continue;
        struct side side[2];
        bool ok = true;
        for (int s = 0; s < 2 && ok; s++) {
            const struct plan_op *rd = &sp->ops[reads[s]];
            size_t k = 0;
            for (long j = 0; j < reads[s]; j++)
                k += sp->ops[j].kind == PLAN_OP_SHUFFLE_READ &&
                     plan_op_same_partitioning(&sp->ops[j], rd);
            long par = calibrate_find_parent(js, st, rd, false, k);
            ok = par >= 0;
            if (ok) {
                const struct plan_stage *ps = &js->stages[par];
                side[s] = (struct side){job, (size_t)par,
                                        trace_key(cal, job, (size_t)par, ps->n_ops, o->keys.v[0]),
                                        o->keys.v[0], true};
                ok = side[s].t != NULL;
            }
        }
        if (!ok)
            continue;
        int64_t m = join_modulus(&side[0], &side[1], false, s_max);
        if (m)
            add_pair(pairs, n, cap, &side[0], &side[1], m, o->text);
    }
}

static bool same_side(const struct side *x, const struct key_keep *k)
{
    return x->job == k->job && x->stage == k->stage && x->t == k->table &&
           strcmp(x->col, k->column) == 0;
}

static struct key_keep *find_keep(struct calibration *cal, const struct side *x)
{
    for (size_t i = 0; i < cal->n_keeps; i++)
        if (same_side(x, &cal->keeps[i]))
            return &cal->keeps[i];
    return NULL;
}

static struct key_keep *add_keep(struct calibration *cal, const struct side *x, int64_t m)
{
    struct key_keep *k = find_keep(cal, x);
    if (k) {
        k->output_only &= x->output_only;
        if (m > k->modulus)
            k->modulus = m;
        return k;
    }
    if (cal->n_keeps == MAX_KEEPS)
        return NULL;
    k = &cal->keeps[cal->n_keeps++];
    *k = (struct key_keep){x->job, x->stage, x->t, x->col, m, 0, x->output_only};
    return k;
}

/* Whether datagen can restrict the side's column (a plain sequence,
 * uniform or zipf integer); the reason in why otherwise. */
static bool restrictable(const struct side *x, int64_t m, char *why, size_t size)
{
    struct diag d;
    diag_clear(&d);
    struct datagen *g = datagen_new(x->t, CALIB_SEED, &d);
    bool ok = g && datagen_keep_keys(g, x->col, m, m / 2, &d) == SC_OK;
    datagen_free(g);
    if (!ok)
        snprintf(why, size, "%.300s", d.msg);
    return ok;
}

void calibrate_sample_design(struct calibration *cal)
{
    struct pair pairs[MAX_KEEPS];
    size_t n = 0;
    cal->n_keeps = 0;
    for (size_t j = 0; j < cal->plan->n_jobs; j++)
        for (size_t k = 0; k < cal->plan->jobs[j].n_stages; k++)
            if (!cal->plan->jobs[j].stages[k].has_task_seconds)
                stage_pairs(cal, j, k, pairs, &n, MAX_KEEPS);
    /* A join whose side datagen cannot restrict stays independent. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        char why[400];
        if (!restrictable(&pairs[i].a, pairs[i].m, why, sizeof why) ||
            !restrictable(&pairs[i].b, pairs[i].m, why, sizeof why)) {
            calibrate_warn(cal,
                           "job %zu stage %zu: '%.100s' is sampled on each side independently "
                           "(%.200s): its sample may hold fewer joined rows than the data",
                           pairs[i].a.job, pairs[i].a.stage, pairs[i].what, why);
            continue;
        }
        pairs[kept++] = pairs[i];
    }
    n = kept;
    /* Sides shared by several joins take the largest modulus of them all,
     * so that every join keeps the same keys on both its sides. */
    for (size_t i = 0; i < n; i++) {
        add_keep(cal, &pairs[i].a, pairs[i].m);
        add_keep(cal, &pairs[i].b, pairs[i].m);
    }
    for (size_t round = 0; round <= n; round++) {
        bool changed = false;
        for (size_t i = 0; i < n; i++) {
            struct key_keep *a = find_keep(cal, &pairs[i].a), *b = find_keep(cal, &pairs[i].b);
            if (!a || !b || a->modulus == b->modulus)
                continue;
            a->modulus = b->modulus = a->modulus > b->modulus ? a->modulus : b->modulus;
            changed = true;
        }
        if (!changed)
            break;
    }
    /* The middle residue: for a zipf key the kept ranks m/2, 3m/2, ...
     * have the shape of the whole (the most frequent rank alone would
     * stand for all of it with residue 1). */
    for (size_t i = 0; i < cal->n_keeps; i++)
        cal->keeps[i].residue = cal->keeps[i].modulus / 2;
}

size_t calibrate_sample_keeps(const struct calibration *cal, size_t job, size_t stage,
                              const struct table_spec *t, bool for_output,
                              const struct key_keep **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cal->n_keeps && n < max; i++) {
        const struct key_keep *k = &cal->keeps[i];
        if (k->job == job && k->stage == stage && k->table == t && (for_output || !k->output_only))
            out[n++] = k;
    }
    return n;
}

struct batch *calibrate_generate_kept(const struct table_spec *t, const struct slist *cols,
                                      size_t rows, const struct key_keep *const *keep,
                                      size_t n_keep, int64_t *table_rows, struct diag *d)
{
    struct datagen *g = datagen_new(t, CALIB_SEED, d);
    if (!g)
        return NULL;
    struct batch *b = NULL;
    enum sc_status rc = SC_OK;
    for (size_t i = 0; i < n_keep && rc == SC_OK; i++)
        rc = datagen_keep_keys(g, keep[i]->column, keep[i]->modulus, keep[i]->residue, d);
    if (rc == SC_OK && table_rows)
        *table_rows = datagen_rows(g);
    if (rc == SC_OK && cols->n == 0) {
        if (!(b = batch_new(0, NULL, NULL, 0)))
            calibrate_nomem(d);
        else
            b->n_rows = rows;
    } else if (rc == SC_OK &&
               (b = datagen_batch_new_columns(t, (const char *const *)cols->v, cols->n, rows, d)) &&
               datagen_fill(g, 0, rows, b, d) != SC_OK) {
        batch_free(b);
        b = NULL;
    }
    datagen_free(g);
    return b;
}

void calibrate_sample_key_text(const struct calibration *cal, size_t job, size_t stage,
                               struct sbuf *b)
{
    /* Version 2 of the samples: consistent join keys, nested key shares
     * into sort-merge joins, small tables whole. */
    sb_add(b, "samples 2\n");
    for (size_t i = 0; i < cal->n_keeps; i++) {
        const struct key_keep *k = &cal->keeps[i];
        if (k->job == job && k->stage == stage)
            sb_add(b, "keep %s.%s mod %lld = %lld%s\n", k->table->name, k->column,
                   (long long)k->modulus, (long long)k->residue, k->output_only ? " out" : "");
    }
}

uint64_t calibrate_key_hash(const struct batch *b, int col, size_t row)
{
    const struct column *c = &b->cols[col];
    uint64_t v = 0;
    switch (c->type) {
    case COL_INT32:
    case COL_INT64:
    case COL_DATE:
    case COL_TIMESTAMP:
    case COL_BOOLEAN: v = (uint64_t)c->i64[row]; break;
    case COL_DOUBLE: memcpy(&v, &c->f64[row], sizeof v); break;
    case COL_STRING:
        v = 0xcbf29ce484222325ULL;
        for (uint64_t i = c->off[row]; i < c->off[row + 1]; i++)
            v = (v ^ (unsigned char)c->bytes[i]) * 0x100000001b3ULL;
        break;
    }
    return hash64_splitmix(v);
}

/* ---- sizes -------------------------------------------------------------------- */

/* In the last run, the first operator the kernels time that saw no rows,
 * or (with few) a filter, join or sample that let fewer than `few` rows
 * through; NULL when none. */
static const struct cop *starved_op(const struct pipe *p, int64_t few)
{
    for (size_t i = 0; i < p->n_ops; i++) {
        const struct cop *op = &p->ops[i];
        if (op->cls >= 0 && op->rows_in == 0)
            return op;
        bool reduces = op->kind == COP_FILTER || op->kind == COP_SMJ || op->kind == COP_BHJ ||
                       op->kind == COP_SAMPLE;
        if (few > 0 && reduces && op->rows_out < few && op->rows_out < op->rows_in)
            return op;
    }
    return NULL;
}

enum sc_status calibrate_pipe_measure_sized(struct calibration *cal, size_t job, size_t stage,
                                            struct pipe *p, int repetitions, struct meas *m,
                                            struct diag *d)
{
    struct calibrate_options o = cal->opt;
    if (repetitions > 0)
        o.repetitions = repetitions;
    size_t actual = 0, prev = 0;
    enum sc_status rc = SC_OK;
    /* A sort-merge join's inputs are its parents' samples, never repeated:
     * sizes beyond them would all be the same size. */
    int max_grow = MAX_GROWTH;
    if (p->has_smj) {
        size_t cap = 0;
        for (size_t i = 0; i < p->n_srcs; i++)
            cap += p->srcs[i].given ? p->srcs[i].given->n_rows : SIZE_MAX / 2 / MAX_GROWTH;
        while (max_grow > 1 && o.rows[o.n_rows - 1] * (size_t)max_grow > cap)
            max_grow /= 2;
    }
    for (int grow = 1;; grow *= 2) {
        rc = calibrate_pipe_prepare(p, o.rows[0], &actual, d);
        if (rc == SC_OK)
            rc = calibrate_pipe_run(p, &cal->clock, d);
        if (rc != SC_OK)
            return rc;
        /* Doubling helps while the sources still grow with it (a sort-merge
         * join's inputs stop at its parents' samples). */
        if (!starved_op(p, MIN_OP_ROWS) || grow >= max_grow || (grow > 1 && actual <= prev))
            break;
        prev = actual;
        for (size_t k = 0; k < o.n_rows; k++)
            o.rows[k] *= 2;
    }
    const struct cop *op = starved_op(p, 0);
    if (op)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "its %s saw no rows on the sample (%zu input rows at the smallest size): "
                        "not timed on nothing",
                        op->short_name ? op->short_name : "operator", actual);
    if (o.rows[0] != cal->opt.rows[0] && repetitions <= 0)
        calibrate_warn(cal,
                       "job %zu stage %zu: samples grown %zux (to %zu..%zu input rows) so that "
                       "each operator sees rows",
                       job, stage, o.rows[0] / cal->opt.rows[0], o.rows[0], o.rows[o.n_rows - 1]);
    return calibrate_pipe_measure(p, &o, &cal->clock, m, d);
}
