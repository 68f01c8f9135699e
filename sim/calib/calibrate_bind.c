/*
 * calibrate_bind.c — from the planner's typed operators to kernels (see
 * calibrate.c): each planned operator read into a struct cop, then bound
 * to its kernel against the columns of the batches that will reach it,
 * with the data it needs made ready (a broadcast's build side, a final
 * aggregate's partial layout, a source's rows).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/datagen.h"
#include "models/kernels/limit.h"
#include "models/kernels/murmur3.h"
#include "sim/calib/calibrate_internal.h"
#include "sim/plan/plan_stats.h"

/* ---- operators ----------------------------------------------------------- */

void calibrate_cop_fini(struct cop *op)
{
    sample_fini(&op->sampler);
    free(op->table);
    free(op->where);
    calibrate_slist_free(&op->a);
    calibrate_slist_free(&op->b);
    calibrate_slist_free(&op->c);
    batch_free(op->out);
    expr_free(op->pred);
    kernel_filter_free(op->kf);
    kernel_project_free(op->kp);
    expr_list_fini(&op->items);
    hashagg_free(op->h);
    batch_free(op->raw);
    for (size_t i = 0; i < op->n_parsed; i++)
        expr_call_fini(&op->parsed[i]);
    sortk_ws_free(op->ws);
    batch_free(op->buf);
    batch_free(op->slice);
    join_ws_free(op->jws);
    join_hash_free(op->jh);
    batch_free(op->build);
    batch_free(op->tmp[0]);
    batch_free(op->tmp[1]);
    partition_map_free(op->pm);
    batch_free(op->bounds);
    shuffle_buf_fini(&op->sraw);
    shuffle_buf_fini(&op->z);
    free(op->order);
    free(op->hashes);
    scan_file_fini(&op->file);
    scan_reader_free(op->reader);
}

/* The kernel's join type of a plan's join; -1 for one the kernel lacks. */
static int kernel_join_type(enum plan_join j, enum join_type *t)
{
    switch (j) {
    case PLAN_JOIN_INNER: *t = JOIN_INNER; return 0;
    case PLAN_JOIN_LEFT_OUTER: *t = JOIN_LEFT_OUTER; return 0;
    case PLAN_JOIN_LEFT_SEMI: *t = JOIN_LEFT_SEMI; return 0;
    case PLAN_JOIN_LEFT_ANTI: *t = JOIN_LEFT_ANTI; return 0;
    default: return -1;
    }
}

/* Copies names into l (and their directions into desc, when given). */
static int names_to_slist(const struct plan_names *names, struct slist *l, bool *desc)
{
    if (desc && names->n > MAX_KEYS)
        return -1;
    for (size_t i = 0; i < names->n; i++) {
        if (calibrate_slist_push(l, names->v[i], strlen(names->v[i])) != 0)
            return -1;
        if (desc)
            desc[i] = names->desc && names->desc[i];
    }
    return 0;
}

/* A call as the expression language writes it: "count(DISTINCT x)", with
 * " AS alias" when with_alias. */
static int call_to_slist(const struct plan_call *c, bool with_alias, struct slist *l)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "%s(%s%s)%s%s", c->func, c->distinct ? "DISTINCT " : "",
                     c->arg, with_alias ? " AS " : "", with_alias ? c->alias : "");
    if (n < 0 || (size_t)n >= sizeof buf)
        return -1;
    return calibrate_slist_push(l, buf, (size_t)n);
}

/* Reads a planned operator's fields into op. Fails with SC_EINPUT on an
 * operator calibration cannot run. */
enum sc_status calibrate_cop_from_plan(struct cop *op, const struct plan_op *po, struct diag *d)
{
    memset(op, 0, sizeof *op);
    op->po = po;
    op->text = po->text;
    /* Its overhead class is its kernel's, from the operator registry. */
    op->cls = plan_op_class(po->kind);
    op->src = -1;
    op->chain = -1;
    op->key_ndv = NAN;
    int bad = 0;
    switch (po->kind) {
    case PLAN_OP_SCAN:
    case PLAN_OP_ROWS:
        op->kind = po->kind == PLAN_OP_SCAN ? COP_SCAN : COP_ROWS;
        op->short_name = op->kind == COP_SCAN ? "scan" : NULL;
        bad = !(op->table = strdup(po->table)) || names_to_slist(&po->cols, &op->a, NULL);
        break;
    case PLAN_OP_MEMSCAN:
        /* A cached DataFrame's columns, read back from memory: decoded like
         * a columnar file (the table they come from is found when bound). */
        op->kind = COP_SCAN;
        op->short_name = "memscan";
        bad = names_to_slist(&po->cols, &op->a, NULL);
        break;
    case PLAN_OP_SHUFFLE_READ:
        op->kind = COP_READ;
        op->short_name = "read";
        break;
    case PLAN_OP_FILTER:
        op->kind = COP_FILTER;
        op->short_name = "filter";
        bad = !(op->where = strdup(po->where));
        break;
    case PLAN_OP_SALT:
        /* The planner's salting (sim/plan/skew.h): n salt values; limit 1
         * when each row is replicated once per value. */
        op->kind = COP_SALT;
        op->short_name = "salt";
        op->limit = po->salt_mode == PLAN_SALT_EXPLODE;
        op->nparts = po->n;
        bad = op->nparts < 1;
        break;
    case PLAN_OP_PROJECT:
        op->kind = COP_PROJECT;
        op->short_name = "project";
        for (size_t i = 0; i < po->n_items && !bad; i++) {
            char buf[1024];
            const struct plan_item *it = &po->items[i];
            int n = snprintf(buf, sizeof buf, "%s%s%s", it->expr, it->alias ? " AS " : "",
                             it->alias ? it->alias : "");
            bad = n < 0 || (size_t)n >= sizeof buf || calibrate_slist_push(&op->a, buf, (size_t)n) != 0;
        }
        break;
    case PLAN_OP_HASH_AGGREGATE:
        op->kind = COP_AGG;
        op->final_agg = po->final;
        op->short_name = op->final_agg ? "agg(final)" : "agg";
        bad = names_to_slist(&po->keys, &op->a, NULL);
        for (size_t i = 0; i < po->n_calls && !bad; i++)
            bad = call_to_slist(&po->calls[i], false, &op->b);
        break;
    case PLAN_OP_SORT:
        op->kind = COP_SORT;
        op->short_name = "sort";
        op->all_cols = po->local_all;
        if (!op->all_cols)
            bad = names_to_slist(&po->keys, &op->a, op->desc);
        break;
    case PLAN_OP_WINDOW:
        op->kind = COP_WINDOW;
        op->short_name = "window";
        for (size_t i = 0; i < po->n_calls && !bad; i++)
            bad = call_to_slist(&po->calls[i], true, &op->a);
        bad = bad || names_to_slist(&po->keys, &op->b, NULL) ||
              names_to_slist(&po->order, &op->c, op->desc);
        break;
    case PLAN_OP_SORT_MERGE_JOIN:
    case PLAN_OP_BROADCAST_HASH_JOIN: {
        bool smj = po->kind == PLAN_OP_SORT_MERGE_JOIN;
        op->kind = smj ? COP_SMJ : COP_BHJ;
        op->short_name = smj ? "smj" : "bhj";
        if (kernel_join_type(po->join, &op->jtype) < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "join type of '%s' is not calibrated", po->text);
        bad = names_to_slist(&po->keys, &op->a, NULL);
        op->build_left = !smj && po->build_left;
        if (!bad && op->build_left && op->jtype != JOIN_INNER) {
            calibrate_cop_fini(op);
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "'%s' (a build-left outer join) is not "
                            "calibrated",
                            po->text);
        }
        break;
    }
    case PLAN_OP_UNION:
        op->kind = COP_UNION;
        op->short_name = "union";
        break;
    case PLAN_OP_EXCHANGE:
        op->kind = COP_EXCHANGE;
        op->short_name = "exchange";
        switch (po->part) {
        case PLAN_PART_SINGLE: op->part = PK_SINGLE; break;
        case PLAN_PART_HASH: op->part = PK_HASH; break;
        case PLAN_PART_RANGE: op->part = PK_RANGE; break;
        case PLAN_PART_ROUNDROBIN: op->part = PK_ROUNDROBIN; break;
        case PLAN_PART_UNKNOWN: bad = 1; break;
        }
        op->nparts = po->part == PLAN_PART_SINGLE ? 1 : po->n;
        bad = bad || op->nparts < 1 ||
              names_to_slist(&po->keys, &op->a, po->part == PLAN_PART_RANGE ? op->desc : NULL);
        break;
    case PLAN_OP_WRITE:
        op->kind = COP_WRITE;
        op->short_name = "write";
        break;
    case PLAN_OP_CACHE:
        op->kind = COP_CACHE;
        op->short_name = "cache";
        break;
    case PLAN_OP_LIMIT:
        op->kind = COP_LIMIT;
        op->short_name = "limit";
        op->limit = po->n;
        break;
    case PLAN_OP_SAMPLE:
        /* Sampled as Spark samples one partition: the sampler restarts
         * from the seed at every run (pipe_reset), so the runs are alike. */
        op->kind = COP_SAMPLE;
        op->short_name = "sample";
        op->fraction = po->fraction;
        op->seed = po->n >= 0 ? (uint64_t)po->n : 0;
        bad = !(op->fraction >= 0.0 && op->fraction <= 1.0);
        break;
    case PLAN_OP_COLLECT:
    case PLAN_OP_COALESCE:
    case PLAN_OP_BROADCAST:
    case PLAN_OP_RANGE_SAMPLE: op->kind = COP_PASS; break;
    case PLAN_OP_TAKE_ORDERED:
    case PLAN_OP_NESTED_LOOP_JOIN:
    case PLAN_OP_CARTESIAN:
        return diag_set(d, SC_EINPUT, NULL, 0, "operator '%.80s' is not calibrated", po->text);
    }
    if (bad) {
        calibrate_cop_fini(op);
        return diag_set(d, SC_EINPUT, NULL, 0, "cannot read operator '%.80s'", po->text);
    }
    return SC_OK;
}

static bool table_has(const struct table_spec *t, const struct slist *cols)
{
    for (size_t i = 0; i < cols->n; i++) {
        bool found = false;
        for (size_t c = 0; c < t->n_columns && !found; c++)
            found = strcmp(t->columns[c].name, cols->v[i]) == 0;
        if (!found)
            return false;
    }
    return true;
}

/* The table an InMemoryTableScan's columns come from: the first table the
 * job's query (or a view) scans that has them all, else any table that
 * does. The planner names the cached columns, not their table. */
const struct table_spec *calibrate_cached_table(const struct scenario *s, size_t job,
                                      const struct slist *cols)
{
    const struct job_spec *js = &s->jobs[job];
    for (size_t v = 0; v <= s->n_views; v++) {
        const struct query_step *steps = v == 0 ? js->query : s->views[v - 1].steps;
        size_t n = v == 0 ? js->n_query : s->views[v - 1].n_steps;
        for (size_t i = 0; i < n; i++) {
            const char *name = steps[i].op == OP_SCAN ? steps[i].table : NULL;
            const struct table_spec *t = name ? scenario_table(s, name) : NULL;
            if (t && table_has(t, cols))
                return t;
        }
    }
    for (size_t i = 0; i < s->n_tables; i++)
        if (table_has(&s->tables[i], cols))
            return &s->tables[i];
    return NULL;
}

bool calibrate_is_source(const struct cop *op)
{
    return op->kind == COP_SCAN || op->kind == COP_ROWS || op->kind == COP_READ;
}

/* ---- binding: operators to kernels ----------------------------------------- */

static int find_col(const struct batch *b, const char *name)
{
    int c = batch_find(b, name);
    if (c < 0 && name[0] == '`') {
        char tmp[256];
        size_t len = strlen(name);
        if (len >= 2 && len - 2 < sizeof tmp) {
            memcpy(tmp, name + 1, len - 2);
            tmp[len - 2] = '\0';
            c = batch_find(b, tmp);
        }
    }
    return c;
}

static enum sc_status need_cols(const struct cop *op, const struct slist *names,
                                const struct batch *b, int *idx, struct diag *d)
{
    if (names->n > MAX_KEYS)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many keys", op->text);
    for (size_t i = 0; i < names->n; i++) {
        idx[i] = find_col(b, names->v[i]);
        if (idx[i] < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no column '%s' in its input", op->text,
                            names->v[i]);
    }
    return SC_OK;
}

/* Compares two expression texts ignoring case and blanks. */
static bool same_text(const char *a, const char *b)
{
    for (;;) {
        while (isspace((unsigned char)*a))
            a++;
        while (isspace((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return false;
    }
}

static bool is_count_star(const struct expr_call *c)
{
    return c->fn == EXPR_FN_COUNT && (!c->arg || expr_n_refs(c->arg) == 0);
}

/* The alias the query gave an aggregate the final HashAggregate names only
 * by its function ("count(emp_id)"): the planner's text drops it, the
 * query's group_by steps have it. */
static const char *find_agg_alias(const struct scenario *s, size_t job, const struct expr_call *c,
                                  char *buf, size_t size)
{
    const struct job_spec *js = &s->jobs[job];
    for (size_t v = 0; v <= s->n_views; v++) {
        const struct query_step *steps = v == 0 ? js->query : s->views[v - 1].steps;
        size_t n = v == 0 ? js->n_query : s->views[v - 1].n_steps;
        for (size_t i = 0; i < n; i++) {
            if (steps[i].op != OP_GROUP_BY)
                continue;
            for (size_t a = 0; a < steps[i].aggs.n; a++) {
                struct diag ignore;
                diag_clear(&ignore);
                struct expr_call q;
                if (expr_call_parse_agg(steps[i].aggs.v[a], &q, &ignore) != SC_OK)
                    continue;
                bool match =
                    q.alias && q.fn == c->fn &&
                    (is_count_star(&q)
                         ? is_count_star(c)
                         : q.arg && c->arg && same_text(expr_text(q.arg), expr_text(c->arg)));
                if (match)
                    snprintf(buf, size, "%s", q.alias);
                expr_call_fini(&q);
                if (match)
                    return buf;
            }
        }
    }
    return NULL;
}

static enum sc_status bind_agg(struct bind_env *env, struct cop *op, struct chain *ch,
                               struct diag *d)
{
    const struct batch *in = ch->layout;
    const struct batch *raw = op->final_agg ? ch->agg_raw : in;
    if (!raw)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': its partial aggregate is not known",
                        op->text);
    if (op->b.n > MAX_KEYS)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many functions", op->text);
    enum sc_status rc = need_cols(op, &op->a, raw, op->keys, d);
    if (rc != SC_OK)
        return rc;
    op->n_keys = op->a.n;
    for (size_t i = 0; i < op->b.n; i++) {
        const char *t = op->b.v[i];
        if (calibrate_starts(t, "partial_"))
            t += 8;
        struct expr_call *c = &op->parsed[op->n_parsed];
        if ((rc = expr_call_parse_agg(t, c, d)) != SC_OK)
            return rc;
        op->n_parsed++;
        struct agg_call *a = &op->calls[op->n_calls++];
        a->col = -1;
        a->alias = c->alias;
        switch (c->fn) {
        case EXPR_FN_COUNT: a->func = is_count_star(c) ? AGG_COUNT_STAR : AGG_COUNT; break;
        case EXPR_FN_COUNT_DISTINCT: a->func = AGG_COUNT_DISTINCT; break;
        case EXPR_FN_SUM: a->func = AGG_SUM; break;
        case EXPR_FN_AVG: a->func = AGG_AVG; break;
        case EXPR_FN_MIN: a->func = AGG_MIN; break;
        case EXPR_FN_MAX: a->func = AGG_MAX; break;
        default:
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': function '%s' is not calibrated",
                            op->text, t);
        }
        if (a->func != AGG_COUNT_STAR) {
            const char *name = c->arg ? expr_column_name(c->arg) : NULL;
            a->col = name ? find_col(raw, name) : -1;
            if (a->col < 0)
                return diag_set(d, SC_EINPUT, NULL, 0,
                                "'%s': the argument of '%s' is not a column of its input", op->text,
                                t);
        }
        /* A final aggregate's results carry the query's aliases, which the
         * operators above it refer to. */
        char alias[128];
        if (op->final_agg && !calibrate_item_alias(t) && env->planned &&
            find_agg_alias(env->cal->s, env->job, c, alias, sizeof alias)) {
            free(c->alias);
            if (!(c->alias = strdup(alias)))
                return calibrate_nomem(d);
            a->alias = c->alias;
        }
    }
    struct agg_spec spec = {op->keys, op->n_keys, op->calls, op->n_calls};
    op->h = hashagg_new(&spec, op->final_agg ? AGG_FINAL : AGG_PARTIAL, raw, d);
    if (!op->h)
        return d->status != SC_OK ? d->status : calibrate_nomem(d);
    if (!(op->out = hashagg_output_new(op->h, 0)))
        return calibrate_nomem(d);
    if (!op->final_agg) {
        if (!(op->raw = batch_new_like(raw, 0)))
            return calibrate_nomem(d);
        ch->agg_raw = op->raw;
    }
    op->layout = op->out;
    return SC_OK;
}

/* Distinct keys of an aggregate, from the schema: the product of each
 * key's distinct count — a table column's (plan_stats_column_ndv), or for a
 * key a projection derived from the table's columns, its expression's
 * (plan_stats_default_expr_ndv: id % 100 has 100, a CASE its branches) —
 * capped by the table's rows. NaN when a key's count is unknown. */
static double agg_key_ndv(const struct pipe *p, const struct cop *agg)
{
    const struct chain *ch = &p->chains[agg->chain];
    if (ch->src < 0 || agg->final_agg || agg->a.n == 0)
        return NAN;
    const struct table_spec *t = p->srcs[ch->src].table;
    if (!t || p->srcs[ch->src].op->kind == COP_READ)
        return NAN;
    double rows = (double)(t->rows > 0 ? t->rows : 1);
    struct plan_column cols[64];
    size_t nc = t->n_columns < 64 ? t->n_columns : 64;
    for (size_t c = 0; c < nc; c++)
        cols[c] = (struct plan_column){t->columns[c].name,
                                       t->columns[c].type,
                                       &t->columns[c],
                                       rows,
                                       plan_stats_column_ndv(&t->columns[c], rows),
                                       8.0,
                                       t->columns[c].null_fraction,
                                       t->name,
                                       NULL,
                                       false};
    double ndv = 1.0;
    for (size_t k = 0; k < agg->a.n; k++) {
        const char *key = agg->a.v[k];
        double kn = NAN;
        for (size_t c = 0; c < nc; c++)
            if (strcmp(cols[c].name, key) == 0)
                kn = cols[c].ndv;
        /* The last projection on the way that defines the key decides. */
        for (const struct cop *op = ch->head; op && op != agg; op = op->next) {
            if (op->kind != COP_PROJECT)
                continue;
            for (size_t i = 0; i < op->a.n; i++) {
                const char *as = calibrate_item_alias(op->a.v[i]);
                if (!as || strcmp(as, key) != 0)
                    continue;
                char expr[512];
                size_t len = (size_t)(as - 4 - op->a.v[i]);
                if (len >= sizeof expr)
                    return NAN;
                memcpy(expr, op->a.v[i], len);
                expr[len] = '\0';
                kn = plan_stats_default_expr_ndv(NULL, expr, cols, nc, rows, NULL);
            }
        }
        if (!(kn >= 1.0))
            return NAN;
        ndv *= kn;
    }
    return ndv > rows ? rows : ndv;
}

/* Generates the first `rows` rows of table t's columns cols (in order). */
struct batch *calibrate_generate(const struct table_spec *t, const struct slist *cols, size_t rows,
                       struct diag *d)
{
    struct batch *b;
    if (cols->n == 0) {
        b = batch_new(0, NULL, NULL, 0);
        if (!b) {
            calibrate_nomem(d);
            return NULL;
        }
        b->n_rows = rows;
        return b;
    }
    b = datagen_batch_new_columns(t, (const char *const *)cols->v, cols->n, rows, d);
    if (!b)
        return NULL;
    if (datagen_generate(t, CALIB_SEED, 0, rows, b, d) != SC_OK) {
        batch_free(b);
        return NULL;
    }
    return b;
}

static enum sc_status bind_source(struct bind_env *env, struct pipe *p, struct cop *op,
                                  struct chain *ch, struct diag *d)
{
    struct calibration *cal = env->cal;
    struct source *src = &p->srcs[op->src];
    const struct batch *layout = NULL;
    if (op->kind == COP_SCAN || op->kind == COP_ROWS) {
        const struct table_spec *t = !op->table     ? calibrate_cached_table(cal->s, env->job, &op->a)
                                     : env->planned ? scenario_table(cal->s, op->table)
                                                    : calibrate_generic_table(op->table);
        if (!t)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no table has its columns", op->text);
        src->table = t;
        src->weight = t->rows > 0 ? (double)t->rows : 1.0;
        src->key_col = -1;
        /* A planned scan's table is used whole when it is smaller than the
         * sample; its join keys may be restricted (calibrate_sample.c). */
        if (env->planned) {
            src->n_keep = calibrate_sample_keeps(cal, env->job, env->stage, t, env->for_output,
                                                 src->keep, MAX_SOURCE_KEEPS);
            src->table_rows = t->rows > 0 ? t->rows : 0;
        }
        struct batch *b = calibrate_generate_kept(t, &op->a, 0, src->keep, src->n_keep,
                                                  src->n_keep ? &src->table_rows : NULL, d);
        if (!b)
            return d->status;
        op->out = b;
        layout = b;
        if (op->kind == COP_SCAN && !(op->reader = scan_reader_new()))
            return calibrate_nomem(d);
    } else if (!env->planned) {
        /* A shuffle read alone: the generic table's rows, serialized. */
        static const char *const all[] = {"id", "key", "value", "name", "flag"};
        struct slist cols = {(char **)all, 5, 5};
        src->table = calibrate_generic_table("generic");
        src->weight = 1.0;
        op->table = NULL;
        if (!(op->out = calibrate_generate(src->table, &cols, 0, d)))
            return d->status;
        layout = op->out;
    } else {
        const struct plan_job *js = &cal->plan->jobs[env->job];
        size_t k = 0;
        for (size_t i = 0; i < (size_t)(op - p->ops); i++)
            k += p->ops[i].kind == COP_READ && plan_op_same_partitioning(p->ops[i].po, op->po);
        long par = calibrate_find_parent(js, env->stage, op->po, false, k);
        if (par < 0)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no parent stage writes it", op->text);
        struct stage_out *po;
        enum sc_status rc = calibrate_stage_output(cal, env->job, (size_t)par, &po, d);
        if (rc != SC_OK)
            return rc;
        if (po->failed || !po->rows)
            return diag_set(d, SC_EINPUT, NULL, 0, "its input stage %ld could not be run", par);
        if (po->rows->n_rows == 0)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "its input stage %ld wrote no rows on the sample", par);
        src->given = po->rows;
        src->may_tile = true;
        src->key_col = -1;
        /* Into a sort-merge join, each size takes a share of the join's
         * keys on both sides alike (calibrate_pipe_prepare). */
        for (size_t c = 0; c < p->n_chains; c++) {
            const struct chain *jc = &p->chains[c];
            if (jc->src < 0 && jc->head->kind == COP_SMJ && jc->head->a.n > 0 &&
                (jc->in_l == op->chain || jc->in_r == op->chain))
                src->key_col = find_col(po->rows, jc->head->a.v[0]);
        }
        double w = (double)js->stages[par].output_records;
        src->weight = w > 0.0 ? w : 1.0;
        ch->agg_raw = po->agg_raw;
        if (!(op->out = batch_new_like(po->rows, 0)))
            return calibrate_nomem(d);
        layout = op->out;
    }
    op->layout = layout;
    ch->layout = layout;
    return SC_OK;
}

/* The build side of a broadcast hash join: its broadcast parent's rows, or
 * generic_dim's 1,000 rows for a kernel alone. */
static enum sc_status bhj_build_rows(struct bind_env *env, struct cop *op, struct diag *d)
{
    if (!env->planned) {
        static const char *const cols[] = {"key", "label"};
        struct slist l = {(char **)cols, 2, 2};
        op->build = calibrate_generate(calibrate_generic_table("generic_dim"), &l, 1000, d);
        return op->build ? SC_OK : d->status;
    }
    struct calibration *cal = env->cal;
    const struct plan_job *js = &cal->plan->jobs[env->job];
    long par = calibrate_find_parent(js, env->stage, NULL, true, env->n_bhj++);
    if (par < 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': no broadcast parent", op->text);
    struct stage_out *po;
    enum sc_status rc = calibrate_stage_output(cal, env->job, (size_t)par, &po, d);
    if (rc != SC_OK)
        return rc;
    if (po->failed || !po->rows)
        return diag_set(d, SC_EINPUT, NULL, 0, "its broadcast stage %ld could not be run", par);
    if (!(op->build = batch_new_like(po->rows, po->rows->n_rows)) ||
        batch_append(op->build, po->rows, 0, po->rows->n_rows) != 0)
        return calibrate_nomem(d);
    /* The build keys are the broadcast's (HashedRelationBroadcastMode(k)). */
    const struct plan_stage *ps = &js->stages[par];
    if (names_to_slist(&ps->ops[ps->n_ops - 1].keys, &op->b, NULL) != 0)
        return calibrate_nomem(d);
    return SC_OK;
}

/* The planner writes a select as the list of its columns and a withColumn
 * as only its "expr AS name" items: a list without a bare column name keeps
 * the input's columns (the item replacing one of the same name in place)
 * and adds its items, as withColumn does. */
static enum sc_status bind_project(struct cop *op, const struct batch *in, struct diag *d)
{
    bool bare = false;
    for (size_t i = 0; i < op->a.n; i++)
        bare |= calibrate_item_alias(op->a.v[i]) == NULL;
    if (bare)
        return expr_list_select(&op->items, in, (const char *const *)op->a.v, op->a.n, d);
    struct slist all = {0};
    bool *used = calloc(op->a.n + 1, sizeof *used);
    enum sc_status rc = used ? SC_OK : calibrate_nomem(d);
    for (size_t c = 0; c < in->n_cols && rc == SC_OK; c++) {
        const char *text = NULL;
        for (size_t i = 0; i < op->a.n && !text; i++)
            if (strcmp(calibrate_item_alias(op->a.v[i]), in->names[c]) == 0) {
                text = op->a.v[i];
                used[i] = true;
            }
        char quoted[300];
        if (!text) {
            snprintf(quoted, sizeof quoted, "`%s`", in->names[c]);
            text = quoted;
        }
        if (calibrate_slist_push(&all, text, strlen(text)) != 0)
            rc = calibrate_nomem(d);
    }
    for (size_t i = 0; i < op->a.n && rc == SC_OK; i++)
        if (!used[i] && calibrate_slist_push(&all, op->a.v[i], strlen(op->a.v[i])) != 0)
            rc = calibrate_nomem(d);
    if (rc == SC_OK)
        rc = expr_list_select(&op->items, in, (const char *const *)all.v, all.n, d);
    free(used);
    calibrate_slist_free(&all);
    return rc;
}

/* A sort: its keys, or for the sort before a round-robin exchange every
 * column's hash. */
static enum sc_status bind_sort(struct cop *op, const struct batch *in, struct diag *d)
{
    enum sc_status rc;
    if (op->all_cols) {
        /* The sort before a round-robin exchange orders rows by their
         * hash code (a radix sort on an 8-byte prefix in Spark), so
         * that a retried task deals the same rows to the same
         * partitions: hash every column, sort the hashes, gather. */
        static const char *const hname[1] = {"hash"};
        static const enum col_type htype[1] = {COL_INT64};
        if (in->n_cols > MAX_KEYS)
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many columns", op->text);
        for (size_t i = 0; i < in->n_cols; i++)
            op->keys[i] = (int)i;
        op->n_keys = in->n_cols;
        op->skeys[0] = (struct sort_key){0, SORT_ASC, SORT_NULLS_DEFAULT};
        op->n_skeys = 1;
        if (!(op->tmp[0] = batch_new(1, hname, htype, 0)))
            return calibrate_nomem(d);
    } else {
        if ((rc = need_cols(op, &op->a, in, op->keys, d)) != SC_OK)
            return rc;
        for (size_t i = 0; i < op->a.n; i++)
            op->skeys[i] = (struct sort_key){op->keys[i], op->desc[i] ? SORT_DESC : SORT_ASC,
                                             SORT_NULLS_DEFAULT};
        op->n_skeys = op->a.n;
    }
    if (!(op->ws = sortk_ws_new()) || !(op->buf = batch_new_like(in, 0)) ||
        !(op->out = batch_new_like(in, 0)))
        return calibrate_nomem(d);
    op->layout = op->out;
    return SC_OK;
}

/* A window: its partition and order keys and its functions (the ones the
 * kernel has). */
static enum sc_status bind_window(struct cop *op, const struct batch *in, struct diag *d)
{
    enum sc_status rc;
    if ((rc = need_cols(op, &op->b, in, op->keys, d)) != SC_OK ||
        (rc = need_cols(op, &op->c, in, op->keys2, d)) != SC_OK)
        return rc;
    for (size_t i = 0; i < op->c.n; i++)
        op->skeys[i] =
            (struct sort_key){op->keys2[i], op->desc[i] ? SORT_DESC : SORT_ASC, SORT_NULLS_DEFAULT};
    if (op->a.n > MAX_KEYS)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many functions", op->text);
    for (size_t i = 0; i < op->a.n; i++) {
        struct expr_call *c = &op->parsed[op->n_parsed];
        if ((rc = expr_call_parse_window(op->a.v[i], c, d)) != SC_OK)
            return rc;
        op->n_parsed++;
        struct window_call *w = &op->wcalls[op->n_calls++];
        w->alias = c->alias;
        w->col = -1;
        switch (c->fn) {
        case EXPR_FN_ROW_NUMBER: w->func = WIN_ROW_NUMBER; break;
        case EXPR_FN_RANK: w->func = WIN_RANK; break;
        case EXPR_FN_SUM: w->func = WIN_SUM; break;
        case EXPR_FN_AVG: w->func = WIN_AVG; break;
        default:
            return diag_set(d, SC_EINPUT, NULL, 0, "'%s': '%s' is not calibrated", op->text,
                            op->a.v[i]);
        }
        if (w->func == WIN_SUM || w->func == WIN_AVG) {
            const char *name = c->arg ? expr_column_name(c->arg) : NULL;
            if (!name || (w->col = find_col(in, name)) < 0)
                return diag_set(d, SC_EINPUT, NULL, 0,
                                "'%s': argument of '%s' is not a "
                                "column",
                                op->text, op->a.v[i]);
        }
    }
    op->wspec =
        (struct window_spec){op->keys, op->b.n, op->skeys, op->c.n, op->wcalls, op->n_calls};
    if ((rc = window_check(&op->wspec, in, d)) != SC_OK)
        return rc;
    if (!(op->buf = batch_new_like(in, 0)) || !(op->out = window_output_new(&op->wspec, in, 0)))
        return calibrate_nomem(d);
    op->layout = op->out;
    return SC_OK;
}

/* A sort-merge join or a union of the chains ch reads: both inputs
 * collected; a join's keys on both sides. */
static enum sc_status bind_combine(struct pipe *p, struct cop *op, struct chain *ch, struct diag *d)
{
    enum sc_status rc;
    const struct chain *l = &p->chains[ch->in_l], *r = &p->chains[ch->in_r];
    if (!(p->chains[ch->in_l].collect = batch_new_like(l->layout, 0)) ||
        !(p->chains[ch->in_r].collect = batch_new_like(r->layout, 0)))
        return calibrate_nomem(d);
    ch->agg_raw = l->agg_raw;
    if (op->kind == COP_UNION) {
        if (l->layout->n_cols != r->layout->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "union of different widths");
        op->layout = l->layout;
        return SC_OK;
    }
    if ((rc = need_cols(op, &op->a, l->layout, op->keys, d)) != SC_OK ||
        (rc = need_cols(op, &op->a, r->layout, op->keys2, d)) != SC_OK)
        return rc;
    op->jspec = (struct join_spec){op->jtype, op->keys, op->keys2, op->a.n};
    if ((rc = join_check(&op->jspec, l->layout, r->layout, d)) != SC_OK)
        return rc;
    /* A side that is not sorted on the keys by its chain gets an
     * untimed sort (a sort Spark would have planned anyway). */
    for (int s = 0; s < 2; s++) {
        const struct cop *t = p->chains[s ? ch->in_r : ch->in_l].tail;
        op->sort_in[s] = t->kind != COP_SORT;
        if (op->sort_in[s] && !(op->tmp[s] = batch_new_like(s ? r->layout : l->layout, 0)))
            return calibrate_nomem(d);
    }
    if (op->a.n > MAX_KEYS / 2)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': too many keys", op->text);
    if (!(op->jws = join_ws_new()) || !(op->ws = sortk_ws_new()) ||
        !(op->out = join_output_new(&op->jspec, l->layout, r->layout, 0)))
        return calibrate_nomem(d);
    op->layout = op->out;
    return SC_OK;
}

/* A broadcast hash join: the build side's rows, hashed once here. */
static enum sc_status bind_bhj(struct bind_env *env, struct cop *op, const struct batch *in,
                               struct diag *d)
{
    enum sc_status rc;
    if ((rc = bhj_build_rows(env, op, d)) != SC_OK)
        return rc;
    const struct slist *bk = op->b.n ? &op->b : &op->a;
    if (bk->n != op->a.n)
        return diag_set(d, SC_EINPUT, NULL, 0, "'%s': key counts differ", op->text);
    if ((rc = need_cols(op, &op->a, in, op->keys, d)) != SC_OK ||
        (rc = need_cols(op, bk, op->build, op->keys2, d)) != SC_OK)
        return rc;
    /* The kernel builds its right side: with BuildLeft (inner only) the
     * streamed right side probes the broadcast left, same result. */
    op->jspec = (struct join_spec){op->jtype, op->keys, op->keys2, op->a.n};
    if ((rc = join_check(&op->jspec, in, op->build, d)) != SC_OK)
        return rc;
    if (!(op->jh = join_hash_new()) || !(op->jws = join_ws_new()))
        return calibrate_nomem(d);
    if ((rc = join_hash_build(op->jh, &op->jspec, op->build, d)) != SC_OK)
        return rc;
    if (!(op->out = join_output_new(&op->jspec, in, op->build, 0)))
        return calibrate_nomem(d);
    op->layout = op->out;
    return SC_OK;
}

/* An exchange: its partitioning keys and map. */
static enum sc_status bind_exchange(struct cop *op, const struct batch *in, struct diag *d)
{
    enum sc_status rc;
    if (op->part == PK_HASH || op->part == PK_RANGE) {
        if ((rc = need_cols(op, &op->a, in, op->keys, d)) != SC_OK)
            return rc;
        for (size_t i = 0; i < op->a.n; i++)
            op->skeys[i] = (struct sort_key){op->keys[i], op->desc[i] ? SORT_DESC : SORT_ASC,
                                             SORT_NULLS_DEFAULT};
        op->n_skeys = op->a.n;
    }
    if (!(op->pm = partition_map_new()))
        return calibrate_nomem(d);
    if (op->part == PK_RANGE && (!(op->ws = sortk_ws_new()) || !(op->buf = batch_new_like(in, 0))))
        return calibrate_nomem(d);
    op->layout = in;
    return SC_OK;
}

/* The salt operator of a salted key (sim/plan/skew.h). */
static enum sc_status bind_salt(struct cop *op, const struct batch *in, struct diag *d)
{
    /* in's columns and an int32 `salt`. */
    const char **names = calloc(in->n_cols + 1, sizeof *names);
    enum col_type *types = calloc(in->n_cols + 1, sizeof *types);
    if (names && types) {
        for (size_t i = 0; i < in->n_cols; i++) {
            names[i] = in->names[i];
            types[i] = in->cols[i].type;
        }
        names[in->n_cols] = "salt";
        types[in->n_cols] = COL_INT32;
        op->out = batch_new(in->n_cols + 1, names, types, CHUNK_ROWS);
    }
    free(names);
    free(types);
    if (!op->out)
        return calibrate_nomem(d);
    op->layout = op->out;
    return SC_OK;
}

/* Binds op to its kernel against the layout of the rows its chain carries
 * so far (one step per operator kind that needs more than a few lines) and
 * makes op's output the chain's layout. SC_EINPUT when the kernel cannot
 * run it. */
enum sc_status calibrate_bind_op(struct bind_env *env, struct pipe *p, struct cop *op, struct diag *d)
{
    struct chain *ch = &p->chains[op->chain];
    const struct batch *in = ch->layout;
    enum sc_status rc = SC_OK;
    switch (op->kind) {
    case COP_SCAN:
    case COP_ROWS:
    case COP_READ: return bind_source(env, p, op, ch, d);
    case COP_FILTER:
        if (!(op->pred = expr_compile(op->where, in, d)))
            return d->status;
        if (!(op->kf = kernel_filter_new(op->pred, CHUNK_ROWS, d)))
            return d->status;
        if (!(op->out = batch_new_like(in, CHUNK_ROWS)))
            return calibrate_nomem(d);
        op->layout = op->out;
        break;
    case COP_PROJECT:
        if ((rc = bind_project(op, in, d)) != SC_OK)
            return rc;
        if (!(op->kp = kernel_project_new(&op->items, CHUNK_ROWS, d)))
            return d->status;
        if (!(op->out = kernel_project_output_new(op->kp, CHUNK_ROWS)))
            return calibrate_nomem(d);
        op->layout = op->out;
        break;
    case COP_AGG:
        if ((rc = bind_agg(env, op, ch, d)) != SC_OK)
            return rc;
        op->key_ndv = agg_key_ndv(p, op);
        break;
    case COP_SORT:
        if ((rc = bind_sort(op, in, d)) != SC_OK)
            return rc;
        break;
    case COP_WINDOW:
        if ((rc = bind_window(op, in, d)) != SC_OK)
            return rc;
        break;
    case COP_SMJ:
    case COP_UNION:
        if ((rc = bind_combine(p, op, ch, d)) != SC_OK)
            return rc;
        break;
    case COP_BHJ:
        if ((rc = bind_bhj(env, op, in, d)) != SC_OK)
            return rc;
        break;
    case COP_EXCHANGE:
        if ((rc = bind_exchange(op, in, d)) != SC_OK)
            return rc;
        break;
    case COP_LIMIT:
    case COP_SAMPLE:
        if (!(op->out = batch_new_like(in, 0)))
            return calibrate_nomem(d);
        op->layout = op->out;
        break;
    case COP_CACHE:
        if (!(op->buf = batch_new_like(in, 0)))
            return calibrate_nomem(d);
        op->layout = in;
        break;
    case COP_SALT:
        if ((rc = bind_salt(op, in, d)) != SC_OK)
            return rc;
        break;
    case COP_WRITE:
    case COP_PASS: op->layout = in; break;
    }
    ch->layout = op->layout;
    return SC_OK;
}
