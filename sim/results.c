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
#include "sim/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

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

void results_cost(struct cost_result *c, const struct cluster *cl, double makespan_s)
{
    memset(c, 0, sizeof *c);
    c->startup_s = cl->startup_s;
    c->billed_s = cl->startup_s + makespan_s;
    struct {
        const char *role;
        const struct node_type *type;
        int nodes;
        const struct billing_rates *rates;
    } parts[2] = {
        {"driver", cl->driver, 1, &cl->driver_rates},
        {"workers", cl->worker, cl->workers, &cl->worker_rates},
    };
    c->vm_usd = c->dbu_usd = c->total_usd = 0.0;
    for (int i = 0; i < 2; i++) {
        struct cost_line *l = &c->lines[c->n_lines++];
        l->role = parts[i].role;
        l->node_type = parts[i].type->name;
        l->nodes = parts[i].nodes;
        l->billed_s = billing_billed_seconds(parts[i].rates, c->billed_s);
        l->vm_usd_per_hour = parts[i].rates->vm_usd_per_hour;
        l->dbu_per_hour = parts[i].rates->dbu_per_hour;
        l->usd_per_dbu = parts[i].rates->usd_per_dbu;
        double vm, dbu;
        billing_node_usd(parts[i].rates, c->billed_s, &vm, &dbu);
        l->vm_usd = vm * l->nodes;
        l->dbu_usd = dbu * l->nodes;
        l->total_usd = l->vm_usd + l->dbu_usd;
        c->vm_usd += l->vm_usd;
        c->dbu_usd += l->dbu_usd;
        c->total_usd += l->total_usd;
        if (isnan(l->vm_usd_per_hour) && c->note[0] == '\0')
            snprintf(c->note, sizeof c->note,
                     "no VM price for %s in the catalog; set cluster.price.%s_usd_per_hour",
                     l->node_type, i == 0 ? "driver" : "worker");
        else if (isnan(l->dbu_per_hour) && c->note[0] == '\0')
            snprintf(c->note, sizeof c->note,
                     "no DBU rate for %s in the catalog; set cluster.price.%s_dbu_per_hour",
                     l->node_type, i == 0 ? "driver" : "worker");
    }
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
    for (size_t i = 0; i < r->n_tasks; i++)
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
        qsort(v, n, sizeof *v, compare_double);
        sr->task_min_s = v[0];
        sr->task_p50_s = results_quantile_sorted(v, n, 0.5);
        sr->task_p95_s = results_quantile_sorted(v, n, 0.95);
        sr->task_max_s = v[n - 1];
        sr->task_mean_s = sr->busy_s / (double)n;
    }
    free(start);
    free(fill);
    free(run);

    r->makespan_s = r->n_jobs ? (double)(r->end_us - r->start_us) * 1e-6 : 0.0;
    r->available_s = 0.0;
    for (size_t e = 0; e < r->n_executors; e++) {
        struct executor_result *er = &r->executors[e];
        er->alive_s = r->makespan_s;
        double avail = er->alive_s * er->slots;
        er->utilization = avail > 0.0 ? er->busy_s / avail : 0.0;
        r->available_s += avail;
    }
    r->utilization = r->available_s > 0.0 ? r->busy_s / r->available_s : 0.0;
    results_cost(&r->cost, cl, r->makespan_s);
    return SC_OK;
}

void results_fini(struct results *r)
{
    free(r->tasks);
    free(r->stages);
    free(r->jobs);
    free(r->executors);
    memset(r, 0, sizeof *r);
}
