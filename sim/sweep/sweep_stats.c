/*
 * sweep_stats.c — what a sweep's runs say together: per point the mean and
 * the Student-t 95% interval of makespan and cost over its replications,
 * the Pareto front of mean makespan against mean cost, and the cheapest
 * point whose makespan meets the deadline at the stated confidence (a
 * one-sided upper bound of the mean). Reads only the runs array in point
 * order, so the answer does not depend on how the runs were obtained.
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

#include "models/units.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sweep_stat_compute(const double *x, size_t n, struct sweep_stat *st)
{
    st->mean = gsl_stats_mean(x, 1, n);
    st->sd = st->lo = st->hi = NAN;
    if (n < 2)
        return;
    st->sd = gsl_stats_sd_m(x, 1, n, st->mean);
    /* Two-sided 95% interval of the mean: Student's t with n - 1 degrees of
     * freedom, since sd is itself estimated from the n replications. */
    double t = gsl_cdf_tdist_Qinv(0.025, (double)(n - 1));
    double half = t * st->sd / sqrt((double)n);
    st->lo = st->mean - half;
    st->hi = st->mean + half;
}

void sweep_cost_split(const double *cost, const double *startup, size_t n,
                      struct sweep_stat *startup_st, struct sweep_stat *run_st)
{
    static const struct sweep_stat unknown = {NAN, NAN, NAN, NAN};
    *startup_st = *run_st = unknown;
    double *own = malloc((n ? n : 1) * sizeof *own);
    if (!own)
        return;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(startup[i]) || !isfinite(cost[i])) {
            free(own);
            return;
        }
        own[i] = cost[i] - startup[i];
    }
    sweep_stat_compute(startup, n, startup_st);
    sweep_stat_compute(own, n, run_st);
    free(own);
}

double sweep_upper_bound(double mean, double sd, size_t n, double confidence)
{
    if (n < 2)
        return NAN;
    return mean + gsl_cdf_tdist_Qinv(1.0 - confidence, (double)(n - 1)) * sd / sqrt((double)n);
}

static bool eligible(const struct sweep_point *p)
{
    return p->status == SWEEP_OK && p->cost_known && p->feasible >= 0;
}

int sweep_cmp_front(const void *a, const void *b)
{
    const struct sweep_point *p = *(const struct sweep_point *const *)a;
    const struct sweep_point *q = *(const struct sweep_point *const *)b;
    if (p->makespan_s.mean != q->makespan_s.mean)
        return p->makespan_s.mean < q->makespan_s.mean ? -1 : 1;
    if (p->cost_usd.mean != q->cost_usd.mean)
        return p->cost_usd.mean < q->cost_usd.mean ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}

void sweep_mark_pareto(struct sweep_point *pts, size_t n)
{
    size_t m = 0;
    struct sweep_point **v = malloc((n + 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        pts[i].pareto = false;
        if (v && eligible(&pts[i]))
            v[m++] = &pts[i];
    }
    if (!v)
        return;
    /* Sorted by (makespan, cost), a point is dominated by a point of equal
     * makespan and lower cost (earlier in its group), or by any point of
     * lower makespan and no higher cost. So in each group of equal
     * makespan, only the points at the group's lowest cost can be on the
     * front, and they are when every faster point costs more. O(n log n):
     * a sweep of a million points needs no n^2 comparison. */
    qsort(v, m, sizeof *v, sweep_cmp_front);
    double best_faster = INFINITY;
    for (size_t g = 0; g < m;) {
        size_t e = g;
        while (e < m && v[e]->makespan_s.mean == v[g]->makespan_s.mean)
            e++;
        double group_min = v[g]->cost_usd.mean;
        if (group_min < best_faster)
            for (size_t k = g; k < e && v[k]->cost_usd.mean == group_min; k++)
                v[k]->pareto = true;
        if (group_min < best_faster)
            best_faster = group_min;
        g = e;
    }
    free(v);
}

size_t sweep_recommend(struct sweep_point *pts, size_t n, double deadline_s, double confidence,
                       char *reason, size_t size)
{
    size_t best = SIZE_MAX, fastest = SIZE_MAX, n_eligible = 0, n_meet = 0, reps = 0;
    size_t n_infeasible = 0;
    for (size_t i = 0; i < n; i++) {
        struct sweep_point *p = &pts[i];
        p->recommended = false;
        p->meets_deadline = -1;
        p->makespan_upper_s = NAN;
        if (p->status != SWEEP_OK)
            continue;
        /* With one replication there is no spread to bound: the point
         * value stands in, and the reason says so. */
        p->makespan_upper_s =
            p->n >= 2 ? sweep_upper_bound(p->makespan_s.mean, p->makespan_s.sd, p->n, confidence)
                      : p->makespan_s.mean;
        if (isnan(deadline_s))
            continue;
        p->meets_deadline = p->makespan_upper_s <= deadline_s;
        if (!p->cost_known)
            continue;
        /* A point whose shuffle and spill do not fit its workers' disks
         * would fail on a real cluster: it meets nothing. */
        if (p->feasible < 0) {
            n_infeasible++;
            continue;
        }
        n_eligible++;
        reps = p->n;
        if (fastest == SIZE_MAX || p->makespan_upper_s < pts[fastest].makespan_upper_s)
            fastest = i;
        if (!p->meets_deadline)
            continue;
        n_meet++;
        if (best == SIZE_MAX || p->cost_usd.mean < pts[best].cost_usd.mean ||
            (p->cost_usd.mean == pts[best].cost_usd.mean &&
             p->makespan_s.mean < pts[best].makespan_s.mean))
            best = i;
    }
    char dl[48];
    if (!isnan(deadline_s))
        units_format_duration(deadline_s, dl, sizeof dl);
    /* How "meets" was judged, said the same way whatever the outcome. */
    char how[240];
    if (reps >= 2)
        snprintf(how, sizeof how,
                 "judged by the one-sided %.3g%% upper confidence bound of the mean makespan "
                 "(Student t, %zu replications)",
                 100.0 * confidence, reps);
    else
        snprintf(how, sizeof how,
                 "judged by the makespan itself: with 1 replication the confidence cannot be "
                 "computed (use --replications 2 or more)");
    char left_out[160] = "";
    if (n_infeasible > 0)
        snprintf(left_out, sizeof left_out,
                 "; %zu point%s left out: %s shuffle and spill exceed the workers' local disks",
                 n_infeasible, n_infeasible == 1 ? "" : "s", n_infeasible == 1 ? "its" : "their");
    if (isnan(deadline_s)) {
        snprintf(reason, size,
                 "no --deadline given: the table and the Pareto front are the answer");
    } else if (n_eligible == 0) {
        snprintf(reason, size, "no point ran with a known cost%s, so none can be recommended%s",
                 n_infeasible ? " and fits its local disks" : "", left_out);
    } else if (best == SIZE_MAX) {
        const struct sweep_point *f = &pts[fastest];
        snprintf(reason, size,
                 "no point meets the deadline of %s (%.3f s), %s; the fastest, %lld x %s "
                 "(point %zu), reaches %.3f s%s",
                 dl, deadline_s, how, (long long)f->workers, f->node_type, f->index,
                 f->makespan_upper_s, left_out);
    } else {
        const struct sweep_point *p = &pts[best];
        pts[best].recommended = true;
        snprintf(reason, size,
                 "the cheapest of the %zu of %zu points with a known cost that meet the deadline "
                 "of %s (%.3f s), %s: %.3f s%s",
                 n_meet, n_eligible, dl, deadline_s, how, p->makespan_upper_s, left_out);
    }
    return best;
}

enum sc_status sweep_summarize(struct sweep *sw, struct diag *d)
{
    size_t reps = sw->spec.replications, missing = 0, first_missing = SIZE_MAX;
    double *m = malloc(reps * sizeof *m), *c = malloc(reps * sizeof *c);
    double *u = malloc(reps * sizeof *u), *su = malloc(reps * sizeof *su);
    if (!m || !c || !u || !su) {
        free(m);
        free(c);
        free(u);
        free(su);
        return sweep_no_memory(d);
    }
    for (size_t i = 0; i < sw->n_points; i++) {
        struct sweep_point *p = &sw->points[i];
        const struct sweep_run *runs = &sw->runs[i * reps];
        p->status = SWEEP_PENDING;
        p->error = p->cost_note = NULL;
        p->n = 0;
        p->feasible = 0;
        p->disk_peak_bytes = p->disk_shuffle_bytes = p->disk_spill_bytes = p->disk_bytes = NAN;
        const char *nt = sweep_point_label(sw, i, "node_type");
        const char *wl = sweep_point_label(sw, i, "workers");
        snprintf(p->node_type, sizeof p->node_type, "%s", nt ? nt : sw->spec.base_node_type);
        p->workers = wl ? strtoll(wl, NULL, 10) : sw->spec.base_workers;
        if (!p->in_scope)
            continue;
        bool all_done = true, all_ok = true, cost_known = true;
        for (size_t r = 0; r < reps; r++) {
            if (!runs[r].done) {
                all_done = false;
                continue;
            }
            if (!runs[r].ok) {
                if (all_ok)
                    p->error = runs[r].error;
                all_ok = false;
                continue;
            }
            m[r] = runs[r].makespan_s;
            c[r] = runs[r].cost_usd;
            u[r] = runs[r].utilization;
            su[r] = runs[r].startup_usd;
            if (!isfinite(c[r])) {
                cost_known = false;
                if (!p->cost_note)
                    p->cost_note = runs[r].cost_note;
            }
        }
        if (!all_done) {
            if (missing++ == 0)
                first_missing = i;
            continue;
        }
        if (!all_ok) {
            p->status = SWEEP_FAILED;
            continue;
        }
        p->status = SWEEP_OK;
        p->n = reps;
        snprintf(p->node_type, sizeof p->node_type, "%s", runs[0].node_type);
        p->workers = runs[0].workers;
        sweep_stat_compute(m, reps, &p->makespan_s);
        p->cost_known = cost_known;
        p->startup_usd = p->run_usd = (struct sweep_stat){NAN, NAN, NAN, NAN};
        if (cost_known) {
            sweep_stat_compute(c, reps, &p->cost_usd);
            sweep_cost_split(c, su, reps, &p->startup_usd, &p->run_usd);
        } else {
            p->cost_usd = (struct sweep_stat){NAN, NAN, NAN, NAN};
        }
        p->utilization = gsl_stats_mean(u, 1, reps);
        /* The replication that needed the most disk speaks for the point:
         * one that does not fit is a run that fails. */
        for (size_t r = 0; r < reps; r++) {
            const struct sweep_run *x = &runs[r];
            if (isnan(x->disk_peak_bytes))
                continue;
            if (isnan(p->disk_peak_bytes) || x->disk_peak_bytes > p->disk_peak_bytes) {
                p->disk_peak_bytes = x->disk_peak_bytes;
                p->disk_shuffle_bytes = x->disk_shuffle_bytes;
                p->disk_spill_bytes = x->disk_spill_bytes;
                p->disk_bytes = x->disk_bytes;
            }
        }
        if (!isnan(p->disk_peak_bytes) && !isnan(p->disk_bytes))
            p->feasible = p->disk_peak_bytes <= p->disk_bytes ? 1 : -1;
    }
    free(m);
    free(c);
    free(u);
    free(su);
    if (missing > 0) {
        size_t in_scope = 0;
        for (size_t i = 0; i < sw->n_points; i++)
            in_scope += sw->points[i].in_scope;
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "%zu of the %zu points have no results (the first: point %zu, %lld x %s): "
                        "a shard's results file is missing, or the sweep was interrupted (rerun "
                        "it with --resume)",
                        missing, in_scope, first_missing,
                        (long long)sw->points[first_missing].workers,
                        sw->points[first_missing].node_type);
    }
    sweep_mark_pareto(sw->points, sw->n_points);
    sw->recommended = sweep_recommend(sw->points, sw->n_points, sw->spec.deadline_s,
                                      sw->spec.confidence, sw->reason, sizeof sw->reason);
    return SC_OK;
}
