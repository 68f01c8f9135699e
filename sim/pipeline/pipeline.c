/*
 * pipeline.c — load, cluster, plan, calibrate, simulate (see pipeline.h).
 */
#include "sim/pipeline/pipeline.h"

#include <math.h>
#include <string.h>

#include "sim/plan/plan_measures.h"
#include "sim/plan/planner.h"

/* Collects into m what calibration measured of every planned operator whose
 * estimate is a default: a filter's rows in and kept, an aggregate's groups
 * (only on rows the sample did not repeat). */
static int collect_measures(const struct plan *p, const struct calibration *cal,
                            struct plan_measures *m)
{
    for (size_t j = 0; j < p->n_jobs; j++)
        for (size_t k = 0; k < p->jobs[j].n_stages; k++) {
            const struct plan_stage *sp = &p->jobs[j].stages[k];
            for (size_t i = 0; i < sp->n_ops; i++) {
                const struct plan_op *o = &sp->ops[i];
                struct calibrate_op_sample s;
                if (o->est != PLAN_EST_DEFAULT || !o->est_key ||
                    !calibrate_op_sample(cal, j, k, i, &s))
                    continue;
                int rc = 0;
                if (o->kind == PLAN_OP_FILTER) {
                    /* Kept rows scale with the distinct share of those seen. */
                    double share = s.rows_in > 0.0 ? s.rows_distinct / s.rows_in : 0.0;
                    rc = plan_measures_add_filter(m, o->est_key, s.rows_distinct,
                                                  s.rows_out * share);
                } else if (s.rows_distinct >= s.rows_in) {
                    rc = plan_measures_add_groups(m, o->est_key, s.rows_in, s.groups, s.rows_before,
                                                  s.groups_before);
                }
                if (rc != 0)
                    return -1;
            }
        }
    return 0;
}

/* Calibrates pl->plan; where the plan used a default that calibration
 * measured (a filter through a function, the groups of a derived key),
 * plans once more with the measurements and calibrates that plan (stages
 * whose operators and inputs did not change reuse the first calibration's
 * measurements), so that every figure of the plan the simulation runs is
 * the best one available; then replaces the planner's assumed shuffle
 * compression with the measured one. One re-plan only: the second plan's
 * measurements are those of the first. */
static enum sc_status calibrate(struct pipeline *pl, const struct pipeline_request *rq,
                                struct diag *d)
{
    struct calibrate_options o;
    if (calibrate_options_init(&o, rq->calibration, pl->scn, d) != SC_OK)
        return d->status;
    o.recalibrate |= rq->recalibrate;
    if (calibrate_plan(pl->plan, &pl->cl, &o, &pl->cal, d) != SC_OK)
        return d->status;
    struct plan_measures m;
    plan_measures_init(&m, rq->stats);
    enum sc_status rc = SC_OK;
    if (collect_measures(pl->plan, pl->cal, &m) != 0) {
        rc = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory collecting measured estimates");
    } else if (plan_measures_count(&m) > 0) {
        struct plan *again = planner_plan(pl->scn, &pl->cl, plan_measures_stats(&m), d);
        struct calibration *cal = NULL;
        if (!again || calibrate_plan_reusing(again, &pl->cl, &o, pl->cal, &cal, d) != SC_OK) {
            plan_free(again);
            rc = d->status;
        } else {
            plan_measures_annotate(&m, again);
            calibrate_free(pl->cal);
            plan_free(pl->plan);
            pl->plan = again;
            pl->cal = cal;
        }
    }
    plan_measures_fini(&m);
    if (rc != SC_OK)
        return rc;
    calibrate_apply_compression(pl->plan, pl->cal);
    return SC_OK;
}

static enum sc_status calib_interval(struct pipeline *pl, struct diag *d);

enum sc_status pipeline_run(struct pipeline *pl, const struct pipeline_request *rq,
                            struct diag *d)
{
    if (!pl->scn) {
        pl->failed = PIPELINE_CLUSTER;
        if (rq->scenario) {
            pl->scn = rq->scenario;
        } else {
            pl->scn_owned = scenario_load_with(rq->path, rq->sets, rq->n_sets, d);
            if (!pl->scn_owned)
                return d->status;
            pl->scn = pl->scn_owned;
        }
        pl->seed = rq->have_seed ? rq->seed : pl->scn->seed;
    }
    if (!pl->cat) {
        if (rq->catalog) {
            pl->cat = rq->catalog;
        } else {
            if (!(pl->cat_owned = catalog_load_default(d)))
                return d->status;
            pl->cat = pl->cat_owned;
        }
        if (rq->cluster)
            pl->cl = *rq->cluster;
        else if (cluster_build(pl->scn, pl->cat, &pl->cl, d) != SC_OK)
            return d->status;
    }
    if (rq->until == PIPELINE_CLUSTER)
        return SC_OK;
    if (!pl->plan) {
        /* Query jobs become stages; a plan error names the step's file:line. */
        pl->failed = PIPELINE_PLAN;
        if (planner_check_footprint(pl->scn, rq->memory_limit_bytes, d) != SC_OK)
            return d->status;
        if (!(pl->plan = planner_plan(pl->scn, &pl->cl, rq->stats, d)))
            return d->status;
    }
    if (rq->until == PIPELINE_PLAN)
        return SC_OK;
    if (!pl->cal) {
        /* Stages given as data get their compute cost from the real
         * kernels, timed on this host (or read from the cache) and scaled
         * to the node. */
        pl->failed = PIPELINE_CALIBRATE;
        if (calibrate(pl, rq, d) != SC_OK)
            return d->status;
    }
    if (rq->until == PIPELINE_CALIBRATE)
        return SC_OK;
    if (!pl->sim) {
        pl->failed = PIPELINE_SIMULATE;
        struct sim_options o = {.seed = pl->seed,
                                .calib = SIM_CALIB_NOMINAL,
                                .task_records = rq->task_records,
                                .memory_limit_bytes = rq->memory_limit_bytes};
        if (!(pl->sim = pipeline_simulate(pl, NULL, &o, d)))
            return d->status;
        if (rq->calib_interval && pipeline_has_calib_interval(pl) &&
            calib_interval(pl, d) != SC_OK)
            return d->status;
    }
    return SC_OK;
}

bool pipeline_has_calib_interval(const struct pipeline *pl)
{
    for (size_t j = 0; pl->plan && j < pl->plan->n_jobs; j++)
        for (size_t k = 0; k < pl->plan->jobs[j].n_stages; k++) {
            const struct calib_cost *c = &pl->plan->jobs[j].stages[k].calib;
            if (c->valid && isfinite(c->ns_per_row_ci) && c->ns_per_row_ci > 0.0)
                return true;
        }
    return false;
}

/* The same run (same seed) with every calibrated stage's cost per row at
 * the low, then the high, end of its fit's 95% interval together: errors
 * of one calibration share the machine's state, so they are taken as
 * moving together, the widest case. */
static enum sc_status calib_interval(struct pipeline *pl, struct diag *d)
{
    double ms[2];
    for (int i = 0; i < 2; i++) {
        struct sim_options o = {.seed = pl->seed, .calib = SIM_CALIB_SHIFTED,
                                .calib_z = i == 0 ? -1.96 : 1.96};
        struct sim *s = pipeline_simulate(pl, NULL, &o, d);
        if (!s)
            return d->status;
        ms[i] = sim_results(s)->makespan_s;
        sim_free(s);
    }
    sim_set_calib_interval(pl->sim, ms[0] < ms[1] ? ms[0] : ms[1], ms[0] < ms[1] ? ms[1] : ms[0]);
    return SC_OK;
}

struct sim *pipeline_simulate(const struct pipeline *pl, const struct cluster *cl,
                              const struct sim_options *o, struct diag *d)
{
    struct sim *sim = sim_new(pl->plan, cl ? cl : &pl->cl, o, d);
    if (sim && sim_run(sim, d) != SC_OK) {
        sim_free(sim);
        return NULL;
    }
    return sim;
}

void pipeline_fini(struct pipeline *pl)
{
    sim_free(pl->sim);
    calibrate_free(pl->cal);
    plan_free(pl->plan);
    catalog_free(pl->cat_owned);
    scenario_free(pl->scn_owned);
    memset(pl, 0, sizeof *pl);
}
