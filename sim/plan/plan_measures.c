/*
 * plan_measures.c — measured estimates and the statistics that use them
 * (see plan_measures.h). It sits beside plan_stats.c: the planner asks
 * these statistics, which ask the base ones and replace only a default.
 *
 * A filter's measurement is the share of the sample rows it kept, pooled
 * over every operator with the same key (the same predicate over the same
 * table columns); a kept count of 0 is taken as half a row, so a rare
 * predicate is not planned as one that keeps nothing. An aggregate's is the
 * number of key combinations G its sample implies, used only when the
 * sample saw them all (the groups stopped growing with the rows); then
 * n rows form G (1 - exp(-n / G)) groups, as the default's formula has it
 * for a known G.
 *
 * Sample rows stand for a table column except a sequence's: the sample's
 * sequence runs 1..sample rows, not 1..table rows, so a measurement that
 * reads a sequence column is not used.
 */
#include "sim/plan/plan_measures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/plan/plan_expr.h"

void plan_measures_init(struct plan_measures *m, const struct plan_stats *base)
{
    memset(m, 0, sizeof *m);
    m->base = base ? base : plan_stats_default();
}

void plan_measures_fini(struct plan_measures *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].key);
    free(m->v);
    memset(m, 0, sizeof *m);
}

const struct plan_measure *plan_measures_find(const struct plan_measures *m, const char *key)
{
    for (size_t i = 0; key && i < m->n; i++)
        if (strcmp(m->v[i].key, key) == 0)
            return &m->v[i];
    return NULL;
}

/* The entry of key, added empty when new; NULL on memory. */
static struct plan_measure *entry(struct plan_measures *m, const char *key, bool groups)
{
    struct plan_measure *e = (struct plan_measure *)plan_measures_find(m, key);
    if (e)
        return e;
    if (m->n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 8;
        struct plan_measure *v = realloc(m->v, cap * sizeof *v);
        if (!v)
            return NULL;
        m->v = v;
        m->cap = cap;
    }
    e = &m->v[m->n];
    memset(e, 0, sizeof *e);
    if (!(e->key = strdup(key)))
        return NULL;
    e->groups = groups;
    m->n++;
    return e;
}

int plan_measures_add_filter(struct plan_measures *m, const char *key, double rows, double kept)
{
    if (!key || !(rows >= PLAN_MEASURE_MIN_ROWS) || !(kept >= 0.0) || kept > rows)
        return 0;
    struct plan_measure *e = entry(m, key, false);
    if (!e)
        return -1;
    e->rows += rows;
    e->kept += kept;
    return 0;
}

/* G with g = G (1 - exp(-n / G)), g < n: the left side grows with G from
 * g (G = g gives g (1 - e^(-n/g)) < g) towards n, so bisect on log G. */
static double solve_domain(double n, double g)
{
    double lo = g, hi = 1e18;
    for (int i = 0; i < 200; i++) {
        double mid = sqrt(lo * hi);
        if (-mid * expm1(-n / mid) < g)
            lo = mid;
        else
            hi = mid;
    }
    return sqrt(lo * hi);
}

int plan_measures_add_groups(struct plan_measures *m, const char *key, double rows, double groups,
                             double rows_before, double groups_before)
{
    if (!key || !(rows >= PLAN_MEASURE_MIN_ROWS) || !(groups >= 1.0) || !(groups < rows) ||
        !(rows_before > 0.0 && rows_before < rows) || !(groups_before >= 0.95 * groups) ||
        plan_measures_find(m, key))
        return 0;
    struct plan_measure *e = entry(m, key, true);
    if (!e)
        return -1;
    e->rows = rows;
    e->domain = solve_domain(rows, groups);
    return 0;
}

size_t plan_measures_count(const struct plan_measures *m)
{
    return m->n;
}

double plan_measure_selectivity(const struct plan_measure *pm, double *stderr_out)
{
    double p = fmax(pm->kept, 0.5) / pm->rows;
    if (stderr_out)
        *stderr_out = sqrt(p * (1.0 - p) / pm->rows);
    return p;
}

/* Whether any column of cols that text reads (text NULL: any) is a
 * sequence, whose sample values do not stand for the table's. */
static bool reads_sequence(const char *text, const struct plan_column *cols, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cols[i].spec && cols[i].spec->dist == CDIST_SEQUENCE &&
            (!text || plan_expr_refers(text, cols[i].name)))
            return true;
    return false;
}

static double measured_selectivity(void *ctx, const char *where, const struct plan_column *cols,
                                   size_t n_cols, double rows_in, enum plan_est *src)
{
    struct plan_measures *m = ctx;
    enum plan_est base_src = PLAN_EST_DISTRIBUTION;
    double v = m->base->filter_selectivity(m->base->ctx, where, cols, n_cols, rows_in, &base_src);
    if (base_src == PLAN_EST_DEFAULT && !reads_sequence(where, cols, n_cols)) {
        char *key = plan_stats_key("filter", where, cols, n_cols);
        const struct plan_measure *pm = plan_measures_find(m, key);
        free(key);
        if (pm && !pm->groups) {
            v = plan_measure_selectivity(pm, NULL);
            base_src = PLAN_EST_MEASURED;
        }
    }
    if (src)
        *src = base_src;
    return v;
}

static double measured_expr_ndv(void *ctx, const char *expr, const struct plan_column *cols,
                                size_t n_cols, double rows_in, enum plan_est *src)
{
    struct plan_measures *m = ctx;
    return m->base->expr_ndv(m->base->ctx, expr, cols, n_cols, rows_in, src);
}

static double measured_group_count(void *ctx, const struct plan_column *keys, size_t n_keys,
                                   double rows_in, enum plan_est *src)
{
    struct plan_measures *m = ctx;
    enum plan_est base_src = PLAN_EST_NONE;
    double v = m->base->group_count(m->base->ctx, keys, n_keys, rows_in, &base_src);
    if (base_src == PLAN_EST_DEFAULT && n_keys > 0 && !reads_sequence(NULL, keys, n_keys)) {
        char *key = plan_stats_key("groups", NULL, keys, n_keys);
        const struct plan_measure *pm = plan_measures_find(m, key);
        free(key);
        if (pm && pm->groups) {
            v = rows_in > 0.0 ? fmin(-pm->domain * expm1(-rows_in / pm->domain), rows_in) : 0.0;
            base_src = PLAN_EST_MEASURED;
        }
    }
    if (src)
        *src = base_src;
    return v;
}

static double measured_join_rows(void *ctx, const char *how, double left_rows, double right_rows,
                                 const struct plan_column *left_keys,
                                 const struct plan_column *right_keys, size_t n_keys)
{
    struct plan_measures *m = ctx;
    return m->base->join_rows(m->base->ctx, how, left_rows, right_rows, left_keys, right_keys,
                              n_keys);
}

static double measured_compression(void *ctx, const struct plan_column *cols, size_t n_cols)
{
    struct plan_measures *m = ctx;
    return m->base->shuffle_compression(m->base->ctx, cols, n_cols);
}

const struct plan_stats *plan_measures_stats(struct plan_measures *m)
{
    m->stats = (struct plan_stats){m,
                                   measured_selectivity,
                                   measured_expr_ndv,
                                   measured_group_count,
                                   measured_join_rows,
                                   measured_compression};
    return &m->stats;
}

void plan_measures_annotate(const struct plan_measures *m, struct plan *p)
{
    for (size_t j = 0; j < p->n_jobs; j++)
        for (size_t k = 0; k < p->jobs[j].n_stages; k++) {
            struct plan_stage *sp = &p->jobs[j].stages[k];
            for (size_t i = 0; i < sp->n_ops; i++) {
                struct plan_op *o = &sp->ops[i];
                const struct plan_measure *pm = plan_measures_find(m, o->est_key);
                if (o->est == PLAN_EST_MEASURED && pm)
                    o->est_sample_rows = pm->rows;
            }
        }
}
