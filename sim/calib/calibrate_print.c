/*
 * calibrate_print.c — calibration's printed tables (see calibrate.c): per
 * stage, its pipeline, cost and where it came from; per operator, its fit.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calib/calibrate_internal.h"

/* ---- the table ---------------------------------------------------------------------- */

static void cell(char *buf, size_t size, const char *fmt, double v)
{
    if (isfinite(v))
        snprintf(buf, size, fmt, v);
    else
        snprintf(buf, size, "-");
}

void calibrate_print_table(FILE *out, const struct calibration *c, const struct plan *s,
                           const struct cluster *cl)
{
    const char *src;
    double host = calibrate_host_acu(c, &src);
    bool fb = false;
    const char *acu_src;
    double node = calib_node_acu(cl ? cl->worker : NULL, &fb, &acu_src);
    fprintf(out, "calibration of scenario '%s' on %s (ACU-equivalent %.0f per core, %s)\n", s->scn->name,
            c->host, host, src);
    fprintf(out,
            "samples: %zu sizes from %zu to %zu input rows, %d runs each after a warm-up, "
            "each segment's fastest; "
            "cache %s\n",
            c->opt.n_rows, c->opt.rows[0], c->opt.rows[c->opt.n_rows - 1], c->opt.repetitions,
            c->opt.cache_dir[0] ? c->opt.cache_dir : "(none)");
    if (cl)
        fprintf(out, "worker %s: %.1f ACU per vCPU (%s); task ms: one task's compute there\n",
                cl->worker->name, node, acu_src);
    fprintf(out, "\n%4s %5s  %-40s %17s %7s %6s %9s %6s %5s %6s %10s  %s\n", "job", "stage",
            "pipeline", "ns/row +-95% CI", "R2", "sel", "out rows", "B/row", "LZ4", "factor",
            "task ms", "fit");
    size_t failed = 0;
    for (size_t i = 0; i < c->n_recs; i++) {
        const struct calibrate_stage *r = &c->recs[i].pub;
        if (r->status == CALIBRATE_SKIPPED)
            continue;
        if (r->status == CALIBRATE_FAILED) {
            failed++;
            fprintf(out, "%4zu %5zu  %-40.40s %17s %7s %6s %9s %6s %5s %6s %10s  %s\n", r->job,
                    r->stage, r->pipeline[0] ? r->pipeline : "-", "-", "-", "-", "-", "-", "-", "-",
                    "-", "not calibrated");
            continue;
        }
        char ns[40], r2[16], sel[16], rows[24], bpr[16], lz[16], f[16], task[24];
        snprintf(ns, sizeof ns, "%.2f +- %.2f", r->cost.ns_per_row,
                 isfinite(r->cost.ns_per_row_ci) ? r->cost.ns_per_row_ci : 0.0);
        cell(r2, sizeof r2, "%.4f", r->cost.r2);
        cell(sel, sizeof sel, "%.3f", r->selectivity);
        cell(rows, sizeof rows, "%.0f", r->out_rows);
        cell(bpr, sizeof bpr, "%.1f", r->out_bytes_per_row);
        cell(lz, sizeof lz, "%.2f", r->compression);
        cell(f, sizeof f, "%.2f", r->cost.overhead);
        const struct plan_stage *sp = &s->jobs[r->job].stages[r->stage];
        (void)sp;
        cell(task, sizeof task, "%.3f",
             1e3 * calib_cost_task_s(&r->cost, r->cost.rows_per_task, node));
        fprintf(out, "%4zu %5zu  %-40.40s %17s %7s %6s %9s %6s %5s %6s %10s  %s\n", r->job,
                r->stage, r->pipeline, ns, r2, sel, rows, bpr, lz, f, task,
                r->status == CALIBRATE_CACHED ? (r->poor ? "cached, poor" : "cached")
                                              : (r->poor ? "measured, poor" : "measured"));
    }
    bool fixed = c->opt.host_acu > 0.0;
    fprintf(out,
            "\nout rows: rows reaching the last operator from the largest sample "
            "(%zu input rows); ns/row: %s ns per input row at the stage's rows per "
            "task, before the factor",
            c->opt.rows[c->opt.n_rows - 1], fixed ? "host" : "reference-host");
    if (!fixed)
        fprintf(out,
                " (divided by the host benchmark run beside them, taken the same way: the "
                "reference host's ns, %.0f ACU)",
                CALIB_REF_ACU);
    fputc('\n', out);
    if (failed) {
        fprintf(out, "not calibrated (default per-record rates, marked * in `run`):\n");
        for (size_t i = 0; i < c->n_recs; i++) {
            const struct calibrate_stage *r = &c->recs[i].pub;
            if (r->status == CALIBRATE_FAILED)
                fprintf(out, "  job %zu stage %zu: %s\n", r->job, r->stage, r->reason);
        }
    }
    fprintf(out, "%zu pipelines measured, %zu from the cache, in %.2f s\n", c->n_measured,
            c->n_cached, c->seconds);
}

void calibrate_print_ops(FILE *out, const struct calibration *c)
{
    fprintf(out, "\nper operator (host ns against the stage's input rows x; t = a + b x, "
                 "x = rows or rows log2 rows):\n");
    fprintf(out, "%4s %5s  %-12s %-20s %-6s %12s %12s %10s %8s %10s\n", "job", "stage", "operator",
            "class", "model", "a ns", "b ns", "+-95%", "R2", "ns/row@R");
    for (size_t i = 0; i < c->n_recs; i++) {
        const struct stage_rec *r = &c->recs[i];
        if (!r->have_meas)
            continue;
        for (size_t k = 0; k < r->meas.n_ops; k++) {
            const struct meas_op *mo = &r->meas.ops[k];
            if (!mo->fitted)
                continue;
            double R = r->pub.cost.rows_per_task;
            fprintf(out, "%4zu %5zu  %-12s %-20s %-6s %12.1f %12.4f %10.4f %8.4f %10.3f\n",
                    r->pub.job, r->pub.stage, mo->name, calib_class_name(mo->cls),
                    calib_model_name(mo->fit.model), mo->fit.a_ns, mo->fit.b_ns, mo->fit.b_ci_ns,
                    mo->fit.r2, calib_fit_ns_per_row(&mo->fit, R));
            if (mo->agg_keys && isfinite(r->pub.groups_task))
                fprintf(out,
                        "%12s groups: %.0f in the largest sample, %.0f per task "
                        "(%.0f rows); hash-table size factor %.2f\n",
                        "", r->pub.groups_sample, r->pub.groups_task, R * mo->rows_frac,
                        r->pub.cost.group_factor);
        }
    }
}
