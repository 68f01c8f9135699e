/*
 * results.c — the run's summaries (see results.h), kept as task attempts end
 * (results_task_end: busy slot-seconds per stage, executor and run, phase
 * sums, and each stage's run times in a struct taskstats) and finished after
 * the run: task-duration quantiles per stage, utilization, and the bill.
 * Per-task records are copied out only when the run keeps them.
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

#include "models/catalog.h"


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

const char *results_cost_origin(const struct cost_line *l, const struct cluster *cl, char *buf,
                                size_t size)
{
    if (l->price_region)
        snprintf(buf, size, "%s, %s%s%s", catalog_region_label(l->price_region), l->price_source,
                 l->price_date && l->price_date[0] ? " as of " : " (undated)",
                 l->price_date && l->price_date[0] ? l->price_date : "");
    else if (isnan(l->vm_usd_per_hour))
        snprintf(buf, size, "%s, no source gives one", catalog_region_label(cl->region));
    else if (l->price_source && strcmp(l->price_source, "scenario") == 0)
        snprintf(buf, size, "set in the scenario (cluster.price)");
    else
        snprintf(buf, size, "%s", l->price_source ? l->price_source : "?");
    return buf;
}

enum sc_status results_stats_init(struct results *r, const int64_t *tasks, struct diag *d)
{
    r->run_stats = calloc(r->n_stages ? r->n_stages : 1, sizeof *r->run_stats);
    if (!r->run_stats)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory for stage statistics");
    for (size_t s = 0; s < r->n_stages; s++) {
        taskstats_init(&r->run_stats[s]);
        r->stages[s].first_launch_us = INT64_MAX;
        /* Exactly sized for a stage without retries: no growth slack. */
        if (tasks && tasks[s] > 0 && taskstats_reserve(&r->run_stats[s], (size_t)tasks[s]) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory for stage statistics");
    }
    return SC_OK;
}

bool results_task_begin(struct results *r, const struct task_rec *t, size_t *index)
{
    r->n_attempts++;
    *index = 0;
    if (!r->keep_tasks)
        return true;
    if (r->n_tasks == r->cap_tasks) {
        size_t cap = r->cap_tasks ? r->cap_tasks * 2 : 1024;
        struct task_rec *v = realloc(r->tasks, cap * sizeof *v);
        if (!v)
            return false;
        r->tasks = v;
        r->cap_tasks = cap;
    }
    *index = r->n_tasks++;
    r->tasks[*index] = *t;
    return true;
}

bool results_task_end(struct results *r, const struct task_rec *t, size_t index)
{
    if (r->keep_tasks)
        r->tasks[index] = *t;
    /* Quantiles are over successful attempts; busy time counts them all. */
    double secs = (double)(t->end_us - t->launch_us) * 1e-6;
    struct stage_result *sr = &r->stages[t->stage];
    sr->busy_s += secs;
    for (int p = 0; p < PHASE_COUNT; p++)
        sr->phase_s[p] += t->phase_s[p];
    if (t->launch_us < sr->first_launch_us)
        sr->first_launch_us = t->launch_us;
    struct executor_result *er = &r->executors[t->executor];
    er->busy_s += secs;
    er->tasks++;
    r->busy_s += secs;
    if (t->status == TASK_SUCCESS && r->run_stats &&
        taskstats_add(&r->run_stats[t->stage], t->end_us - t->launch_us) != 0)
        return false;
    if (t->status == TASK_SUCCESS) {
        /* The first successful attempt, or a longer one: the straggler. */
        int64_t dur_us = t->end_us - t->launch_us;
        if (sr->longest_end_us == 0 || dur_us > sr->longest_end_us - sr->longest_launch_us) {
            sr->longest_launch_us = t->launch_us;
            sr->longest_end_us = t->end_us;
            sr->longest_executor = t->executor;
            sr->longest_slot = t->slot;
        }
        if (!r->worker_tasks && !(r->worker_tasks = calloc(r->n_stages, sizeof *r->worker_tasks)))
            return false;
        struct stage_worker_tasks *wt = &r->worker_tasks[t->stage];
        int w = er->worker;
        if (w >= wt->n) {
            int n = w + 1 > 2 * wt->n ? w + 1 : 2 * wt->n;
            int64_t *ok = realloc(wt->ok, (size_t)n * sizeof *ok);
            if (!ok)
                return false;
            memset(ok + wt->n, 0, (size_t)(n - wt->n) * sizeof *ok);
            wt->ok = ok;
            wt->n = n;
        }
        wt->ok[w]++;
    }
    return true;
}

enum sc_status results_summarize(struct results *r, const struct cluster *cl, struct diag *d)
{
    (void)d;
    for (size_t s = 0; r->run_stats && s < r->n_stages; s++) {
        struct stage_result *sr = &r->stages[s];
        struct taskstats *ts = &r->run_stats[s];
        sr->task_quantiles_exact = taskstats_exact(ts);
        if (ts->n == 0) {
            sr->task_min_s = sr->task_p50_s = sr->task_p95_s = sr->task_max_s = 0.0;
            sr->task_mean_s = 0.0;
        } else {
            sr->task_min_s = (double)ts->min_us * 1e-6;
            sr->task_p50_s = taskstats_quantile_s(ts, 0.5);
            sr->task_p95_s = taskstats_quantile_s(ts, 0.95);
            sr->task_max_s = (double)ts->max_us * 1e-6;
            sr->task_mean_s = taskstats_mean_s(ts);
        }
        taskstats_fini(ts);
    }
    free(r->run_stats);
    r->run_stats = NULL;

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
    for (size_t s = 0; r->worker_tasks && s < r->n_stages; s++)
        free(r->worker_tasks[s].ok);
    free(r->worker_tasks);
    for (size_t s = 0; r->run_stats && s < r->n_stages; s++)
        taskstats_fini(&r->run_stats[s]);
    free(r->run_stats);
    free(r->tasks);
    free(r->stages);
    free(r->jobs);
    free(r->executors);
    free(r->scale);
    free(r->lives);
    memset(r, 0, sizeof *r);
}
