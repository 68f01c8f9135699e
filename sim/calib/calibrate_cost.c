/*
 * calibrate_cost.c — from measurement to cost (see calibrate.c): a stage's
 * compute cost per input row from its operators' fits, scaled by their
 * classes' factors and the host's speed, with aggregates adjusted for the
 * groups the full data has; and the measured compression ratios applied
 * to the plan's shuffle sizes.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calib/calibrate_internal.h"
#include "sim/plan/plan_stats.h"

/* ---- from measurement to cost --------------------------------------------------- */

static enum sc_status load_curve(struct calibration *cal, struct diag *d)
{
    if (cal->curve_state != 0)
        return SC_OK;
    cal->curve_state = -1;
    static const char key[] = CALIBRATE_KEY_GROUP_CURVE;
    json_t *payload = NULL;
    char why[600];
    enum calib_cache_status cs = CALIB_CACHE_MISS;
    if (cal->opt.cache_dir[0] && !cal->opt.recalibrate)
        cs = calib_cache_load(cal->opt.cache_dir, cal->host, cal->opt.version, key, &payload, why,
                              sizeof why);
    if (cs == CALIB_CACHE_CORRUPT)
        calibrate_warn(cal, "ignoring a corrupt calibration cache file: %s", why);
    if (cs == CALIB_CACHE_HIT) {
        const json_t *g = json_object_get(payload, "groups");
        const json_t *v = json_object_get(payload, "ns_per_row");
        size_t n = json_array_size(g);
        if (json_is_array(g) && json_is_array(v) && n >= 2 && n <= CALIB_CURVE_MAX &&
            json_array_size(v) == n) {
            cal->curve.n = n;
            for (size_t i = 0; i < n; i++) {
                cal->curve.groups[i] = json_number_value(json_array_get(g, i));
                cal->curve.ns_per_row[i] = json_number_value(json_array_get(v, i));
            }
            cal->curve_state = 1;
        } else {
            calibrate_warn(cal, "ignoring a corrupt calibration cache file for the hash-table curve");
            cs = CALIB_CACHE_CORRUPT;
        }
        json_decref(payload);
        if (cal->curve_state == 1)
            return SC_OK;
    }
    struct diag local;
    diag_clear(&local);
    struct calib_measured at;
    calib_measured_now(&at, cal->clock.name);
    enum sc_status rc = calib_group_curve_measure(&cal->curve, &local);
    if (rc == SC_ENOMEM)
        return diag_set(d, rc, NULL, 0, "%s", local.msg);
    if (rc != SC_OK)
        return SC_OK; /* no correction */
    cal->curve_state = 1;
    if (!cal->opt.cache_dir[0])
        return SC_OK;
    json_t *g = json_array(), *v = json_array();
    for (size_t i = 0; g && v && i < cal->curve.n; i++) {
        json_array_append_new(g, json_real(cal->curve.groups[i]));
        json_array_append_new(v, json_real(cal->curve.ns_per_row[i]));
    }
    json_t *p = json_pack("{s:o, s:o}", "groups", g, "ns_per_row", v);
    if (p && calib_cache_store(cal->opt.cache_dir, cal->host, cal->opt.version, key, p, &at,
                               cal->opt.recalibrate || cs == CALIB_CACHE_CORRUPT, &local) != SC_OK)
        calibrate_warn(cal, "%s", local.msg);
    json_decref(p);
    return SC_OK;
}

static double overhead_of(const struct calibration *cal, int cls)
{
    double f = cal->opt.overhead[cls];
    return isfinite(f) && f > 0.0 ? f : calib_factor_default((enum calib_class)cls)->factor;
}

/* Expected distinct values among `rows` draws from `ndv` equally likely ones. */
static double expected_groups(double ndv, double rows)
{
    return ndv * -expm1(-rows / ndv);
}

/* The stage's cost from its measurement at its own rows per task R:
 *   t_op(R) = a_op + b_op * x_op(R) * g_op,
 * g_op the hash-table size correction of an aggregate:
 *   curve(groups a task holds) / curve(groups the largest sample held);
 * ns_per_row = sum b_op x_op(R) g_op / R, intercept = max(sum a_op, 0),
 * overhead = sum f_op w_op / sum w_op with w_op = max(b_op x_op(R) g_op, 0)
 * + max(a_op, 0), each operator's share of a task's time; then a task takes
 * (R ns_per_row + intercept) overhead host ns, plus the JVM's row_ns for
 * each of the R x op_rows_per_row rows its operators handle (the rows with
 * a column each operator saw in the sample, per stage input row: count(*)
 * over a scan of no columns handles no values) at the reference speed
 * (calib_cost_task_s). */
enum sc_status calibrate_stage_cost(struct calibration *cal, struct stage_rec *r, const struct plan_stage *sp,
                          struct diag *d)
{
    const struct meas *m = &r->meas;
    struct calib_cost *c = &r->pub.cost;
    memset(c, 0, sizeof *c);
    double records = sp->n_ops > 0 ? (double)sp->input_records : (double)sp->records;
    double R = sp->tasks > 0 && records > 0.0 ? records / (double)sp->tasks : 0.0;
    c->rows_per_task = R;
    /* The ACU its times are in: the reference host's when normalised. */
    c->host_acu = m->acu > 0.0 ? m->acu : cal->host_acu;
    c->group_factor = 1.0;
    double weighted = 0.0, weight = 0.0;
    r->pub.groups_sample = r->pub.groups_task = NAN;
    for (size_t i = 0; i < m->n_ops; i++) {
        const struct meas_op *mo = &m->ops[i];
        if (mo->cls >= 0 && mo->values_frac > 0.0)
            c->op_rows_per_row += mo->values_frac;
        if (mo->cls < 0 || !mo->fitted)
            continue;
        double g = 1.0;
        if (mo->agg_keys && R > 0.0) {
            enum sc_status rc = load_curve(cal, d);
            if (rc != SC_OK)
                return rc;
            size_t last = m->n_sizes - 1;
            double gs = mo->groups[last];
            double prev = m->n_sizes > 1 ? mo->groups[last - 1] : 0.0;
            double rows = R * mo->rows_frac;
            double sample_rows = m->in_rows * mo->rows_frac;
            /* Groups grow with rows as a power: alpha 0 when the keys are
             * all there already (a few departments), 1 when every row is a
             * new key (an id), in between for a skewed key whose rare
             * values keep turning up. Extrapolated from the two largest
             * samples, and never above what the schema allows (the
             * expected distinct values among `rows` draws) or the rows. */
            double xr = m->n_sizes > 1 ? m->x[last] / m->x[last - 1] : 1.0;
            double alpha = prev > 0.0 && gs > prev && xr > 1.0 ? log(gs / prev) / log(xr) : 0.0;
            alpha = fmin(fmax(alpha, 0.0), 1.0);
            double gt = sample_rows > 0.0 ? gs * pow(rows / sample_rows, alpha) : rows;
            if (isfinite(mo->key_ndv))
                gt = fmin(gt, expected_groups(mo->key_ndv, rows));
            gt = fmax(fmin(gt, rows), 1.0);
            if (cal->curve_state == 1 && gs >= 1.0 && gt >= 1.0) {
                double num = calib_group_curve_eval(&cal->curve, gt);
                double den = calib_group_curve_eval(&cal->curve, gs);
                if (num > 0.0 && den > 0.0)
                    g = fmin(fmax(num / den, 0.25), 50.0);
            }
            r->pub.groups_sample = gs;
            r->pub.groups_task = gt;
            c->group_factor = g;
        }
        double x = calib_model_x(mo->fit.model, R);
        c->ns_per_row += R > 0.0 ? mo->fit.b_ns * x * g / R : 0.0;
        c->intercept_ns += mo->fit.a_ns;
        double f = overhead_of(cal, mo->cls);
        c->class_factor[mo->cls] = f;
        /* Weights: each operator's share of a task's time, its negative
         * parts (noise around zero) left out. */
        double w = fmax(mo->fit.b_ns * x * g, 0.0) + fmax(mo->fit.a_ns, 0.0);
        c->class_ns[mo->cls] += w;
        weighted += f * w;
        weight += w;
    }
    if (R == 0.0) /* no rows: the slope at the sample's size, for the table */
        c->ns_per_row = m->total.b_ns;
    if (c->intercept_ns < 0.0) /* a negative intercept is noise around zero */
        c->intercept_ns = 0.0;
    c->overhead = weight > 0.0 ? weighted / weight : 1.0;
    c->row_ns = isfinite(cal->opt.row_ns) && cal->opt.row_ns >= 0.0 ? cal->opt.row_ns
                                                                   : CALIB_DEFAULT_ROW_NS;
    double slope = calib_fit_ns_per_row(&m->total, R > 0.0 ? R : m->in_rows);
    c->ns_per_row_ci = slope > 0.0 ? m->total.b_ci_ns / m->total.b_ns * c->ns_per_row : NAN;
    c->r2 = m->total.r2;
    c->valid = true;
    c->cached = r->pub.status == CALIBRATE_CACHED;
    c->poor = r->pub.poor;
    return SC_OK;
}

void calibrate_fill_public(struct stage_rec *r)
{
    const struct meas *m = &r->meas;
    r->pub.total = m->total;
    r->pub.in_rows = m->in_rows;
    r->pub.out_rows = m->out_rows;
    r->pub.out_bytes_per_row =
        m->out_rows > 0.0
            ? (m->has_exchange && m->ser_bytes > 0.0 ? m->ser_bytes : m->out_bytes) / m->out_rows
            : NAN;
    r->pub.selectivity = m->has_filter && m->sel_in > 0.0 ? m->sel_out / m->sel_in : NAN;
    r->pub.compression =
        m->has_exchange && m->comp_bytes > 0.0 ? m->ser_bytes / m->comp_bytes : NAN;
}

void calibrate_set_reason(struct stage_rec *r, const struct diag *d)
{
    r->pub.status = CALIBRATE_FAILED;
    snprintf(r->pub.reason, sizeof r->pub.reason, "%.310s", d->msg);
}

void calibrate_apply_compression(struct plan *s, const struct calibration *c)
{
    for (size_t i = 0; i < calibrate_n_stages(c); i++) {
        const struct calibrate_stage *cs = calibrate_stage_at(c, i);
        if (cs->job >= s->n_jobs || isnan(cs->compression) || !(cs->compression > 1.0))
            continue;
        /* A ratio of a handful of rows (a tiny dimension's, a join's that
         * matched little) says nothing about billions: keep the planner's. */
        if (!(cs->out_rows >= CALIBRATE_MIN_RATIO_ROWS))
            continue;
        struct plan_job *job = &s->jobs[cs->job];
        if (cs->stage >= job->n_stages)
            continue;
        struct plan_stage *sp = &job->stages[cs->stage];
        /* Only the planner's own estimate is replaced: explicit stages keep
         * the bytes the user gave. */
        if (sp->n_ops == 0 || sp->shuffle_write_bytes <= 0)
            continue;
        double assumed = PLAN_STATS_SHUFFLE_COMPRESSION;
        double measured = 1.0 / cs->compression;
        int64_t old = sp->shuffle_write_bytes;
        int64_t now = (int64_t)llround((double)old * measured / assumed);
        if (now < 1)
            now = 1;
        sp->shuffle_write_bytes = now;
        /* Whatever reads this stage's output reads the new amount. */
        for (size_t k = 0; k < job->n_stages; k++) {
            struct plan_stage *child = &job->stages[k];
            for (size_t p = 0; p < child->n_parents; p++)
                if (child->parents[p] == sp->id && child->shuffle_read_bytes > 0) {
                    int64_t read = child->shuffle_read_bytes + (now - old);
                    child->shuffle_read_bytes = read > 0 ? read : 1;
                }
        }
    }
}

/* Whether the sample restricts a column text reads in the job: a join key
 * sampled consistently keeps one residue of its values (calibrate_sample.c),
 * so `key % 4 = 0` there would keep all rows or none. */
static bool reads_restricted(const struct calibration *c, size_t job, const char *text)
{
    for (size_t i = 0; i < c->n_keeps; i++)
        if (c->keeps[i].job == job && plan_expr_refers(text, c->keeps[i].column))
            return true;
    return false;
}

bool calibrate_op_sample(const struct calibration *c, size_t job, size_t stage, size_t op,
                         struct calibrate_op_sample *out)
{
    if (job >= c->plan->n_jobs || stage >= c->plan->jobs[job].n_stages)
        return false;
    const struct plan_stage *sp = &c->plan->jobs[job].stages[stage];
    const struct stage_rec *r = &c->recs[c->first[job] + stage];
    if (!r->have_meas || op >= sp->n_ops || op >= r->meas.n_ops)
        return false;
    const struct plan_op *po = &sp->ops[op];
    const struct meas *m = &r->meas;
    const struct meas_op *mo = &m->ops[op];
    out->rows_in = out->rows_out = out->rows_distinct = out->groups = NAN;
    out->rows_before = out->groups_before = NAN;
    if (po->kind == PLAN_OP_FILTER) {
        if (reads_restricted(c, job, po->where))
            return false;
        if (mo->filter) {
            out->rows_in = mo->rows_in;
            out->rows_out = mo->rows_out;
            out->rows_distinct = mo->rows_distinct;
            return true;
        }
        /* An entry from before per-filter rows: the stage's one filter. */
        size_t filters = 0;
        for (size_t i = 0; i < sp->n_ops; i++)
            filters += sp->ops[i].kind == PLAN_OP_FILTER;
        if (filters != 1 || !m->has_filter || !(m->sel_in > 0.0))
            return false;
        out->rows_in = out->rows_distinct = m->sel_in;
        out->rows_out = m->sel_out;
        return true;
    }
    if (po->kind == PLAN_OP_HASH_AGGREGATE && !po->final && mo->agg_keys && m->n_sizes > 0 &&
        mo->rows_distinct >= 0.0) {
        for (size_t k = 0; k < po->keys.n; k++)
            for (size_t i = 0; i < c->n_keeps; i++)
                if (c->keeps[i].job == job && strcmp(c->keeps[i].column, po->keys.v[k]) == 0)
                    return false;
        out->rows_in = m->in_rows * mo->rows_frac;
        out->rows_distinct = mo->rows_distinct;
        out->groups = mo->groups[m->n_sizes - 1];
        out->rows_before = out->groups_before = NAN;
        if (m->n_sizes > 1) {
            out->rows_before = m->x[m->n_sizes - 2] * mo->rows_frac;
            out->groups_before = mo->groups[m->n_sizes - 2];
        }
        return true;
    }
    return false;
}
