/*
 * results.c — summaries worked out from the task records after a run (see
 * results.h): task-duration quantiles per stage, slot-seconds busy per
 * executor, utilization, and the bill.
 *
 * Utilization is busy slot-seconds over available slot-seconds, both over
 * the application's span (first job submitted to last job ended): the
 * question it answers is "how much of what we paid for while jobs ran did
 * tasks use". Start-up time is billed but not counted as available.
 */
#include "sim/runtime/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/order.h"

double results_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double frac = pos - (double)lo;
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
}

/* A node's price per hour, DBUs included (NaN when a rate is unknown). */
static double hourly_usd(const struct billing_rates *r)
{
    return r->vm_usd_per_hour + r->dbu_per_hour * r->usd_per_dbu;
}

/* The start-up's share of the bill: its seconds at the hourly rates of the
 * driver and the workers up during it, those whose lives start first (the
 * initial workers; lives NULL: cl->workers of them). Not rounded: rounding
 * to the billing unit belongs to the whole life, and stays in the run's
 * share. */
static double startup_usd(const struct cluster *cl, const struct node_life *lives, size_t n_lives)
{
    double per_hour = hourly_usd(&cl->driver_rates);
    if (!lives) {
        per_hour += cl->workers * hourly_usd(&cl->worker_rates);
    } else {
        int64_t first = INT64_MAX;
        for (size_t i = 0; i < n_lives; i++)
            if (lives[i].from_us < first)
                first = lives[i].from_us;
        for (size_t i = 0; i < n_lives; i++)
            if (lives[i].from_us == first)
                per_hour += hourly_usd(lives[i].spot ? &cl->spot_rates : &cl->worker_rates);
    }
    return cl->startup_s > 0.0 ? per_hour * cl->startup_s / 3600.0 : 0.0;
}

void results_cost(struct cost_result *c, const struct cluster *cl, double makespan_s,
                  const struct node_life *lives, size_t n_lives)
{
    memset(c, 0, sizeof *c);
    c->startup_s = cl->startup_s;
    c->billed_s = cl->startup_s + makespan_s + cl->idle_after_s;
    c->vm_usd = c->dbu_usd = c->total_usd = 0.0;

    /* The driver lives from the cluster's start to its end. */
    struct cost_line *d = &c->lines[c->n_lines++];
    d->role = "driver";
    d->node_type = cl->driver->name;
    d->nodes = 1;
    d->billed_s = billing_billed_seconds(&cl->driver_rates, c->billed_s);
    billing_node_usd(&cl->driver_rates, c->billed_s, &d->vm_usd, &d->dbu_usd);

    /* Workers: each life billed on its own (a VM is billed from allocation
     * to deallocation, rounded per VM). */
    struct cost_line *w = &c->lines[c->n_lines++];
    w->role = "workers";
    w->node_type = cl->worker->name;
    double total_billed = 0.0;
    bool spot_unpriced = false;
    if (!lives) {
        w->nodes = cl->workers;
        double one = billing_billed_seconds(&cl->worker_rates, c->billed_s);
        double vm, dbu;
        billing_node_usd(&cl->worker_rates, c->billed_s, &vm, &dbu);
        w->vm_usd = vm * cl->workers;
        w->dbu_usd = dbu * cl->workers;
        total_billed = one * cl->workers;
    } else {
        int distinct = 0;
        for (size_t i = 0; i < n_lives; i++) {
            const struct billing_rates *rates = lives[i].spot ? &cl->spot_rates : &cl->worker_rates;
            double secs = (double)(lives[i].to_us - lives[i].from_us) * 1e-6;
            double vm, dbu;
            billing_node_usd(rates, secs, &vm, &dbu);
            w->vm_usd += vm;
            w->dbu_usd += dbu;
            total_billed += billing_billed_seconds(rates, secs);
            distinct++;
            spot_unpriced |= lives[i].spot && isnan(rates->vm_usd_per_hour);
        }
        w->nodes = distinct;
    }
    w->billed_s = w->nodes > 0 ? total_billed / w->nodes : 0.0;
    const struct billing_rates *rates[2] = {&cl->driver_rates, &cl->worker_rates};
    bool rate_unknown = false;
    for (size_t i = 0; i < c->n_lines; i++) {
        struct cost_line *l = &c->lines[i];
        l->vm_usd_per_hour = rates[i]->vm_usd_per_hour;
        l->dbu_per_hour = rates[i]->dbu_per_hour;
        l->usd_per_dbu = rates[i]->usd_per_dbu;
        l->vcores = rates[i]->vcores;
        l->usd_per_vcore_hour = rates[i]->usd_per_vcore_hour;
        l->vcore_hours = l->vcores * l->nodes * l->billed_s / 3600.0;
        l->price_region = rates[i]->region;
        l->price_source = rates[i]->source;
        l->price_date = rates[i]->price_date;
        l->total_usd = l->vm_usd + l->dbu_usd;
        c->vm_usd += l->vm_usd;
        c->dbu_usd += l->dbu_usd;
        c->total_usd += l->total_usd;
        c->vcore_hours += l->vcore_hours;
        rate_unknown |= isnan(l->vm_usd_per_hour) || isnan(l->dbu_per_hour);
    }
    /* Every missing driver and worker rate at once (cluster_build worded
     * it), then the spot price if that is missing too. */
    if (rate_unknown)
        snprintf(c->note, sizeof c->note, "%s",
                 cl->price_note[0] ? cl->price_note
                                   : "a VM price or DBU rate is unknown; set cluster.price.*");
    if (spot_unpriced) {
        size_t used = strlen(c->note);
        snprintf(c->note + used, sizeof c->note - used, "%s%s", used ? "; " : "",
                 "spot workers have no price (set cluster.spot.usd_per_hour or "
                 "cluster.spot.discount)");
    }
    c->startup_usd = startup_usd(cl, lives, n_lives);
}

enum sc_status results_summarize(struct results *r, const struct cluster *cl, struct diag *d)
{
    size_t ns = r->n_stages;
    /* Group the records by stage with a counting sort, then sort each
     * stage's run times for its quantiles. */
    size_t *start = calloc(ns + 1, sizeof *start);
    double *run = malloc((r->n_tasks ? r->n_tasks : 1) * sizeof *run);
    if (!start || !run) {
        free(start);
        free(run);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory summarizing results");
    }
    /* Quantiles are over successful attempts; busy time counts them all. */
    for (size_t i = 0; i < r->n_tasks; i++)
        if (r->tasks[i].status == TASK_SUCCESS)
            start[r->tasks[i].stage + 1]++;
    for (size_t s = 0; s < ns; s++)
        start[s + 1] += start[s];
    for (size_t s = 0; s < ns; s++) {
        struct stage_result *sr = &r->stages[s];
        sr->busy_s = 0.0;
        for (int p = 0; p < PHASE_COUNT; p++)
            sr->phase_s[p] = 0.0;
    }
    for (size_t e = 0; e < r->n_executors; e++) {
        r->executors[e].busy_s = 0.0;
        r->executors[e].tasks = 0;
    }
    size_t *fill = calloc(ns + 1, sizeof *fill);
    if (!fill) {
        free(start);
        free(run);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory summarizing results");
    }
    memcpy(fill, start, (ns + 1) * sizeof *fill);
    r->busy_s = 0.0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct task_rec *t = &r->tasks[i];
        double secs = (double)(t->end_us - t->launch_us) * 1e-6;
        if (t->status == TASK_SUCCESS)
            run[fill[t->stage]++] = secs;
        struct stage_result *sr = &r->stages[t->stage];
        sr->busy_s += secs;
        for (int p = 0; p < PHASE_COUNT; p++)
            sr->phase_s[p] += t->phase_s[p];
        struct executor_result *er = &r->executors[t->executor];
        er->busy_s += secs;
        er->tasks++;
        r->busy_s += secs;
    }
    for (size_t s = 0; s < ns; s++) {
        struct stage_result *sr = &r->stages[s];
        double *v = run + start[s];
        size_t n = start[s + 1] - start[s];
        if (n == 0) {
            sr->task_min_s = sr->task_p50_s = sr->task_p95_s = sr->task_max_s = 0.0;
            sr->task_mean_s = 0.0;
            continue;
        }
        qsort(v, n, sizeof *v, order_double_asc);
        sr->task_min_s = v[0];
        sr->task_p50_s = results_quantile_sorted(v, n, 0.5);
        sr->task_p95_s = results_quantile_sorted(v, n, 0.95);
        sr->task_max_s = v[n - 1];
        double sum = 0.0;
        for (size_t k = 0; k < n; k++)
            sum += v[k];
        sr->task_mean_s = sum / (double)n;
    }
    free(start);
    free(fill);
    free(run);

    r->makespan_s = r->n_jobs ? (double)(r->end_us - r->start_us) * 1e-6 : 0.0;
    /* alive_s was filled by the runtime (time alive within the span). */
    r->available_s = 0.0;
    for (size_t e = 0; e < r->n_executors; e++) {
        struct executor_result *er = &r->executors[e];
        double avail = er->alive_s * er->slots;
        er->utilization = avail > 0.0 ? er->busy_s / avail : 0.0;
        r->available_s += avail;
    }
    r->utilization = r->available_s > 0.0 ? r->busy_s / r->available_s : 0.0;
    results_cost(&r->cost, cl, r->makespan_s, r->lives, r->n_lives);
    return SC_OK;
}

void results_fini(struct results *r)
{
    free(r->tasks);
    free(r->stages);
    free(r->jobs);
    free(r->executors);
    free(r->scale);
    free(r->lives);
    memset(r, 0, sizeof *r);
}
