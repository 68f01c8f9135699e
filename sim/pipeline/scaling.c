/*
 * scaling.c — a plan at several executor counts (see scaling.h). Sits after
 * planning and calibration, beside the pipeline's one simulation: the same
 * plan, the same seed, only the cluster's size changes, so the points
 * differ by the executors alone.
 *
 * The lower bound is simulated, not computed from the DAG: a longest path
 * of per-stage maximum task times would leave out what the simulator adds
 * to every run (the driver's time before jobs and stages, task launches,
 * shuffle fetches and storage limits), and a bound that the table's own
 * makespans could beat would make "within 10% of it" meaningless. The run
 * with as many slots as the plan has tasks, all alive from the start, is
 * what "unlimited executors" means to the model: no task ever waits for a
 * slot, so what is left is the critical path and the fixed costs.
 */
#include "sim/pipeline/scaling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/catalog.h"
#include "models/platform.h"
#include "sim/runtime/results.h"
#include "sim/runtime/runtime.h"

/* cl with n executors of its own size: a fixed cluster (no autoscaling)
 * of n / k workers, k the largest divisor of n no more than cl's
 * executors per worker, so that exactly n executors run. */
static struct cluster resized(const struct cluster *cl, int n)
{
    struct cluster c = *cl;
    int k = cl->executors_per_worker > 0 ? cl->executors_per_worker : 1;
    while (n % k)
        k--;
    c.executors_per_worker = k;
    c.workers = n / k;
    c.executors = n;
    c.autoscale = false;
    c.min_workers = c.max_workers = c.workers;
    return c;
}


/* The line under the table that says what a count's cost is of: a table
 * of dollars without its node type, platform and price list reads as more
 * certain than it is. */
static void describe_cost(const struct cluster *cl, const struct cost_result *c, char *buf,
                          size_t size)
{
    const char *worker = c->n_lines > 1 ? c->lines[1].node_type : cl->worker->name;
    const char *driver = c->n_lines > 0 ? c->lines[0].node_type : cl->driver->name;
    int n = snprintf(buf, size,
                     "the workers (%s) the count needs and one driver (%s) on %s, from cluster "
                     "start-up to the run's end",
                     worker, driver, platform_name(cl->platform));
    if (n < 0 || (size_t)n >= size || c->n_lines == 0)
        return;
    char o1[192], o2[192];
    results_cost_origin(&c->lines[0], cl, o1, sizeof o1);
    if (c->n_lines > 1)
        results_cost_origin(&c->lines[1], cl, o2, sizeof o2);
    if (c->n_lines > 1 && strcmp(o1, o2) != 0)
        snprintf(buf + n, size - (size_t)n, "; prices: driver %s; workers %s", o1, o2);
    else
        snprintf(buf + n, size - (size_t)n, "; prices: %s", o1);
}

/* Simulates plan on cl resized to n executors into *pt; the results stay
 * in *sim_out when it is not NULL (the caller frees them). */
static enum sc_status simulate_at(const struct plan *plan, const struct cluster *cl, int n,
                                  uint64_t seed, struct scaling_point *pt, struct sim **sim_out,
                                  struct scaling *sc, struct diag *d)
{
    struct cluster c = resized(cl, n);
    struct sim_options o = {.seed = seed, .calib = SIM_CALIB_NOMINAL};
    struct sim *sim = sim_new(plan, &c, &o, d);
    if (!sim)
        return d->status;
    if (sim_run(sim, d) != SC_OK) {
        sim_free(sim);
        return d->status;
    }
    const struct results *r = sim_results(sim);
    pt->executors = n;
    pt->workers = c.workers;
    pt->executors_per_worker = c.executors_per_worker;
    pt->makespan_s = r->makespan_s;
    pt->total_usd = r->cost.total_usd;
    pt->utilization = r->utilization;
    if (sc->cost_note[0] == '\0' && r->cost.note[0] != '\0')
        snprintf(sc->cost_note, sizeof sc->cost_note, "%s", r->cost.note);
    if (sc->cost_basis[0] == '\0')
        describe_cost(&c, &r->cost, sc->cost_basis, sizeof sc->cost_basis);
    if (sim_out)
        *sim_out = sim;
    else
        sim_free(sim);
    return SC_OK;
}

/* The stages that gate the run, in the unbounded run r: the stage that
 * ends last, then, from each, the parent that ends last (the one the
 * stage waited for); a stage without parents in a job submitted when
 * earlier jobs ended (not at a time of its own, not concurrently) waited
 * for the stage of those jobs that ended last before its submission.
 * first[j] is job j's first stage in r's order. */
static void mark_gates(struct scaling *sc, const struct plan *plan, const struct results *r,
                       const size_t *first, const size_t *job_of)
{
    size_t n = r->n_stages, cur = SIZE_MAX;
    for (size_t k = 0; k < n; k++)
        if (cur == SIZE_MAX || r->stages[k].end_us > r->stages[cur].end_us)
            cur = k;
    for (size_t steps = 0; cur != SIZE_MAX && steps < n && !sc->stages[cur].gates; steps++) {
        sc->stages[cur].gates = true;
        size_t j = job_of[cur];
        const struct plan_job *pj = &plan->jobs[j];
        const struct plan_stage *ps = &pj->stages[cur - first[j]];
        size_t next = SIZE_MAX;
        for (size_t p = 0; p < ps->n_parents; p++)
            for (size_t i = 0; i < pj->n_stages; i++)
                if (pj->stages[i].id == ps->parents[p] &&
                    (next == SIZE_MAX || r->stages[first[j] + i].end_us > r->stages[next].end_us))
                    next = first[j] + i;
        const struct job_spec *js = pj->spec;
        if (next == SIZE_MAX && ps->n_parents == 0 && isnan(js->submit_s) && !js->concurrent) {
            /* Submitted when job `after` ended, or when the jobs before it
             * had: the stage of those that ended last held it back. */
            size_t lo = 0, hi = first[j];
            if (js->after_index >= 0 && (size_t)js->after_index < j) {
                lo = first[js->after_index];
                hi = lo + plan->jobs[js->after_index].n_stages;
            }
            int64_t submit = r->jobs[j].submit_us;
            for (size_t k = lo; k < hi; k++)
                if (r->stages[k].end_us <= submit &&
                    (next == SIZE_MAX || r->stages[k].end_us > r->stages[next].end_us))
                    next = k;
        }
        cur = next;
    }
}

static enum sc_status nomem(struct diag *d)
{
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
}

/* The stages' skew from the unbounded run, and which gate it. */
static enum sc_status fill_stages(struct scaling *sc, const struct plan *plan,
                                  const struct results *r, struct diag *d)
{
    size_t n = r->n_stages;
    sc->stages = calloc(n ? n : 1, sizeof *sc->stages);
    size_t *first = calloc(plan->n_jobs ? plan->n_jobs : 1, sizeof *first);
    size_t *job_of = calloc(n ? n : 1, sizeof *job_of);
    if (!sc->stages || !first || !job_of) {
        free(first);
        free(job_of);
        return nomem(d);
    }
    sc->n_stages = n;
    size_t k = 0;
    for (size_t j = 0; j < plan->n_jobs; j++) {
        first[j] = k;
        for (size_t i = 0; i < plan->jobs[j].n_stages && k < n; i++, k++)
            job_of[k] = j;
    }
    if (k != n) {
        free(first);
        free(job_of);
        return SC_BUG(d, "the simulation has %zu stages, the plan %zu", n, k);
    }
    for (k = 0; k < n; k++) {
        const struct stage_result *sr = &r->stages[k];
        struct scaling_stage *st = &sc->stages[k];
        st->job_spark_id = r->jobs[job_of[k]].spark_id;
        st->stage_id = sr->id;
        st->tasks = sr->tasks;
        st->task_p50_s = sr->task_p50_s;
        st->task_max_s = sr->task_max_s;
        st->skew = sr->task_p50_s > 0.0 ? sr->task_max_s / sr->task_p50_s : NAN;
        if (sr->name && !(st->name = strdup(sr->name))) {
            free(first);
            free(job_of);
            return nomem(d);
        }
    }
    mark_gates(sc, plan, r, first, job_of);
    free(first);
    free(job_of);
    return SC_OK;
}

struct scaling *scaling_run(const struct plan *plan, const struct cluster *cl,
                            const int64_t *counts, size_t n, uint64_t seed, struct diag *d)
{
    if (plan->scn && plan->scn->cluster.n_executors) {
        diag_set(d, SC_EINPUT, NULL, 0,
                 "the scenario gives its executors as a timeline (cluster.executors): drop it "
                 "to simulate other executor counts");
        return NULL;
    }
    struct scaling *sc = calloc(1, sizeof *sc);
    if (!sc || !(sc->points = calloc(n ? n : 1, sizeof *sc->points))) {
        free(sc);
        nomem(d);
        return NULL;
    }
    sc->n_points = n;
    sc->executor_cores = cl->executor_cores;
    sc->slots_per_executor = cl->slots_per_executor > 0 ? cl->slots_per_executor : 1;
    sc->dynamic_allocation =
        plan->scn && spark_conf_bool(&plan->scn->spark, "spark.dynamicAllocation.enabled");
    int64_t most = 1;
    for (size_t i = 0; i < n; i++) {
        if (counts[i] < 1 || counts[i] > SCN_MAX_WORKERS) {
            diag_set(d, SC_EINPUT, NULL, 0, "an executor count must be 1 to %d, not %lld",
                     SCN_MAX_WORKERS, (long long)counts[i]);
            goto fail;
        }
        if (simulate_at(plan, cl, (int)counts[i], seed, &sc->points[i], NULL, sc, d) != SC_OK)
            goto fail;
        if (counts[i] > most)
            most = counts[i];
    }
    /* A slot for every task of the plan: no task waits for one. */
    int64_t tasks = 0;
    for (size_t j = 0; j < plan->n_jobs; j++)
        for (size_t i = 0; i < plan->jobs[j].n_stages; i++)
            tasks += plan->jobs[j].stages[i].tasks;
    int64_t unbounded = (tasks + sc->slots_per_executor - 1) / sc->slots_per_executor;
    if (unbounded < most)
        unbounded = most;
    if (unbounded > SCALING_MAX_EXECUTORS) {
        unbounded = SCALING_MAX_EXECUTORS;
        sc->bound_capped = true;
    }
    struct sim *sim = NULL;
    if (simulate_at(plan, cl, (int)unbounded, seed, &sc->bound, &sim, sc, d) != SC_OK)
        goto fail;
    enum sc_status st = fill_stages(sc, plan, sim_results(sim), d);
    sim_free(sim);
    if (st != SC_OK)
        goto fail;
    /* The smallest listed count within the slack of the bound. */
    for (size_t i = 0; i < n; i++)
        if (sc->points[i].makespan_s <= (1.0 + SCALING_IDEAL_SLACK) * sc->bound.makespan_s &&
            (!sc->ideal_executors || sc->points[i].executors < sc->ideal_executors))
            sc->ideal_executors = sc->points[i].executors;
    return sc;
fail:
    scaling_free(sc);
    return NULL;
}

void scaling_free(struct scaling *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_stages; i++)
        free(sc->stages[i].name);
    free(sc->stages);
    free(sc->points);
    free(sc);
}

static void print_usd(FILE *out, double usd)
{
    if (isnan(usd))
        fprintf(out, " %10s |", "unknown");
    else
        fprintf(out, " %10.4f |", usd);
}

void scaling_print(FILE *out, const struct scaling *sc)
{
    fprintf(out, "Executors (%d core%s and %d task slot%s each):\n\n", sc->executor_cores,
            sc->executor_cores == 1 ? "" : "s", sc->slots_per_executor,
            sc->slots_per_executor == 1 ? "" : "s");
    fprintf(out, "| executors | workers | makespan s | cost USD   | utilization |\n");
    fprintf(out, "|----------:|--------:|-----------:|-----------:|------------:|\n");
    for (size_t i = 0; i < sc->n_points; i++) {
        const struct scaling_point *p = &sc->points[i];
        fprintf(out, "| %9d | %7d | %10.3f |", p->executors, p->workers, p->makespan_s);
        print_usd(out, p->total_usd);
        fprintf(out, " %10.1f%% |%s\n", 100.0 * p->utilization,
                p->executors == sc->ideal_executors ? " ideal" : "");
    }
    if (sc->cost_basis[0])
        fprintf(out, "\nCost: %s.\n", sc->cost_basis);
    fprintf(out,
            "\nCritical-path lower bound: %.3f s (simulated with %d executors, a slot for "
            "every task%s)\n",
            sc->bound.makespan_s, sc->bound.executors,
            sc->bound_capped ? "; capped, so the bound may be higher than the true one" : "");
    if (sc->ideal_executors)
        fprintf(out, "Ideal executor count: %d (the smallest listed within %.0f%% of the bound)\n",
                sc->ideal_executors, 100.0 * SCALING_IDEAL_SLACK);
    else
        fprintf(out,
                "Ideal executor count: none listed is within %.0f%% of the bound; list larger "
                "counts\n",
                100.0 * SCALING_IDEAL_SLACK);
    if (sc->dynamic_allocation)
        fprintf(out, "Dynamic allocation is on: each count is the most executors it may use.\n");
    if (sc->cost_note[0])
        fprintf(out, "Cost unknown: %s\n", sc->cost_note);
    fprintf(out, "\nStages (skew = longest task / median task; gates = on the critical path "
                 "with unlimited executors):\n\n");
    fprintf(out, "| job | stage | tasks | median task s | max task s | skew  | gates |\n");
    fprintf(out, "|----:|------:|------:|--------------:|-----------:|------:|:-----:|\n");
    for (size_t i = 0; i < sc->n_stages; i++) {
        const struct scaling_stage *s = &sc->stages[i];
        fprintf(out, "| %3lld | %5lld | %5lld | %13.3f | %10.3f |", (long long)s->job_spark_id,
                (long long)s->stage_id, (long long)s->tasks, s->task_p50_s, s->task_max_s);
        if (isnan(s->skew))
            fprintf(out, " %5s |", "-");
        else
            fprintf(out, " %5.2f |", s->skew);
        fprintf(out, " %5s |\n", s->gates ? "yes" : "");
    }
}
