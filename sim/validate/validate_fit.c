/*
 * validate_fit.c — overhead factors fitted on the validations' own stages
 * (the procedure is in validate_fit.h). It sits after validate_run: the
 * rows come from its pairs, and the CLI feeds the factors back to it as
 * --set overrides.
 */
#include "config.h"

#include "sim/validate/validate_fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calib/fit_factors.h"

static const char *vfit_base(const char *path)
{
    const char *b = strrchr(path, '/');
    return b ? b + 1 : path;
}

enum sc_status vfit_collect(struct validation *const *vs, size_t n, struct vfit_row **rows,
                            size_t *n_rows, struct diag *d)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; vs[i] && k < vs[i]->n_pairs; k++)
            total += vs[i]->pairs[k].matched;
    *rows = calloc(total ? total : 1, sizeof **rows);
    *n_rows = 0;
    if (!*rows)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; vs[i] && k < vs[i]->n_pairs; k++) {
            const struct validate_pair *p = &vs[i]->pairs[k];
            if (!p->matched)
                continue;
            struct vfit_row *r = &(*rows)[(*n_rows)++];
            r->log = vfit_base(vs[i]->log);
            r->job = p->job;
            r->stage = p->plan_stage;
            r->name = p->name;
            r->y = p->cpu_actual_ns;
            r->records_per_task =
                p->tasks_actual > 0 ? p->records_actual / (double)p->tasks_actual : 0.0;
            /* A first run costs the JVM's factor more: the native time the
             * factors multiply is taken with it, so that they are a warm
             * JVM's and the simulation's first-run factor is not counted
             * twice. */
            double m = p->compute_factor > 0.0 ? p->compute_factor : 1.0;
            for (int c = 0; c < CALIB_N_CLASSES && p->has_native; c++) {
                r->native[c] = p->native_ns[c] > 0.0 ? p->native_ns[c] * m : 0.0;
                r->native_sum += r->native[c];
            }
            r->op_rows = p->has_native && p->op_rows > 0.0 ? p->op_rows * m : 0.0;
            if (!(r->y > 0.0))
                snprintf(r->skip, sizeof r->skip, "no executor CPU time in the log (Spark < 2.1)");
            else if (p->fresh_executors > 0)
                snprintf(r->skip, sizeof r->skip,
                         "first tasks of %lld executors (JIT warm-up: the JVM model's)",
                         (long long)p->fresh_executors);
            else if (!p->has_native)
                snprintf(r->skip, sizeof r->skip, "the planned stage is not calibrated");
            else if (!(r->records_per_task > 0.0))
                /* Not "0 records a task": rows a stage takes from the
                 * driver's memory (a LocalTableScan, a broadcast's
                 * collect) are in no task metric, only in the plan's SQL
                 * metrics, which the reader does not keep. Unknown, so
                 * not evidence. */
                snprintf(r->skip, sizeof r->skip,
                         "no records in the log's task metrics (rows from the driver's "
                         "memory?)");
            else if (r->records_per_task < VFIT_MIN_RECORDS_PER_TASK)
                snprintf(r->skip, sizeof r->skip, "%.0f records a task (< %.0f)",
                         r->records_per_task, VFIT_MIN_RECORDS_PER_TASK);
            else if (!(r->native_sum > 0.0))
                snprintf(r->skip, sizeof r->skip, "native cost 0");
        }
    }
    return SC_OK;
}

static bool vfit_uses(const struct vfit_row *r, const char *exclude_log)
{
    return !r->skip[0] && !(exclude_log && strcmp(r->log, exclude_log) == 0);
}

double vfit_predict(const struct vfit_row *row, const struct vfit_result *res)
{
    double p = 0.0;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        p += row->native[c] * res->cls[c].factor;
    return p + row->op_rows * res->row_ns;
}

enum sc_status vfit_fit(const struct vfit_row *rows, size_t n, const char *exclude_log,
                        struct vfit_result *res, struct diag *d)
{
    memset(res, 0, sizeof *res);
    double sum_y = 0.0, sum_n = 0.0;
    const char *logs_seen[64];
    for (size_t i = 0; i < n; i++) {
        const struct vfit_row *s = &rows[i];
        if (!vfit_uses(s, exclude_log))
            continue;
        res->n_used++;
        sum_y += s->y;
        sum_n += s->native_sum;
        size_t k = 0;
        while (k < res->n_logs && strcmp(logs_seen[k], s->log) != 0)
            k++;
        if (k == res->n_logs && res->n_logs < 64)
            logs_seen[res->n_logs++] = s->log;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (s->native[c] > 0.0)
                res->cls[c].fitted = true;
    }
    if (res->n_used == 0 || !(sum_n > 0.0))
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "no validation stage is evidence for the overhead factors%s%s (a "
                        "matched, calibrated stage of a log with executor CPU time and at "
                        "least %.0f records a task is needed)",
                        exclude_log ? " without " : "", exclude_log ? exclude_log : "",
                        VFIT_MIN_RECORDS_PER_TASK);
    res->pooled = sum_y / sum_n;
    /* Each evidence stage's row: its native time by class, then its
     * operator rows, over its CPU. */
    enum { NV = CALIB_N_CLASSES + 1, ROW = CALIB_N_CLASSES };
    double *a = calloc(res->n_used * NV, sizeof *a);
    if (!a)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    size_t r = 0;
    bool any_rows = false;
    for (size_t i = 0; i < n; i++) {
        if (!vfit_uses(&rows[i], exclude_log))
            continue;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            a[r * NV + c] = rows[i].native[c] / rows[i].y;
        a[r * NV + ROW] = rows[i].op_rows / rows[i].y;
        any_rows |= rows[i].op_rows > 0.0;
        r++;
    }
    double prior[NV], f[NV], lambda[NV], floor[NV];
    bool has[NV], at_floor[NV];
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        prior[c] = res->pooled;
        has[c] = res->cls[c].fitted;
        lambda[c] = VFIT_LAMBDA;
        floor[c] = VFIT_FLOOR;
    }
    /* The per-row cost starts from 0 and is pulled nowhere: what the
     * stages say about it is all it has. */
    prior[ROW] = 0.0;
    has[ROW] = any_rows;
    lambda[ROW] = 0.0;
    floor[ROW] = 0.0;
    /* The pull is toward the ratio of what the factors carry: the stages'
     * CPU less the per-row part, over their native time. That needs the
     * per-row cost, so fit, take the ratio again with it and refit, until
     * it settles (a few rounds; at most VFIT_ROUNDS). */
    enum sc_status st = SC_OK;
    for (int round = 0; round < VFIT_ROUNDS; round++) {
        st = fitf_solve_bounded(a, r, NV, has, prior, lambda, floor, f, at_floor, d);
        if (st != SC_OK || !has[ROW])
            break;
        double rest = 0.0;
        for (size_t i = 0; i < n; i++)
            if (vfit_uses(&rows[i], exclude_log))
                rest += rows[i].y - f[ROW] * rows[i].op_rows;
        double p = rest > 0.0 ? rest / sum_n : res->pooled;
        bool settled = fabs(p - prior[0]) <= 1e-13 * prior[0];
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            prior[c] = p;
        if (settled)
            break;
    }
    free(a);
    if (st != SC_OK)
        return st;
    res->pooled = prior[0];
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        res->cls[c].factor = f[c];
        res->cls[c].at_floor = at_floor[c];
    }
    res->row_ns = f[ROW];
    res->row_at_floor = at_floor[ROW];
    double sq = 0.0, dev = 0.0;
    for (size_t i = 0; i < n; i++) {
        const struct vfit_row *s = &rows[i];
        if (!vfit_uses(s, exclude_log))
            continue;
        double p = vfit_predict(s, res);
        sq += (p / s->y - 1.0) * (p / s->y - 1.0);
        dev += fabs(p - s->y);
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (s->native[c] >= VFIT_MIN_SHARE * s->native_sum && s->native[c] > 0.0)
                res->cls[c].n_stages++;
    }
    res->rms_rel = sqrt(sq / (double)res->n_used);
    res->cpu_weighted = dev / sum_y;
    return SC_OK;
}

void vfit_print(FILE *out, const struct vfit_row *rows, size_t n, const struct vfit_result *res)
{
    fprintf(out, "%-32s %-10s %5s  %-28s %10s %10s %10s %8s %8s  %s\n", "log", "job", "stage",
            "classes (>= 10% of native)", "CPU s", "native s", "op rows", "ratio", "fitted",
            "used");
    for (size_t i = 0; i < n; i++) {
        const struct vfit_row *r = &rows[i];
        char cls[160] = "";
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (r->native[c] > 0.0 && r->native[c] >= VFIT_MIN_SHARE * r->native_sum) {
                size_t len = strlen(cls);
                snprintf(cls + len, sizeof cls - len, "%s%s", len ? "," : "",
                         calib_class_name((enum calib_class)c));
            }
        double p = vfit_predict(r, res);
        fprintf(out, "%-32s %-10.10s %5lld  %-28.28s %10.3f %10.3f %10.3g %8.2f %+7.0f%%  %s%s\n",
                r->log, r->job ? r->job : "", (long long)r->stage, cls[0] ? cls : "-",
                r->y * 1e-9, r->native_sum * 1e-9, r->op_rows, r->native_sum > 0.0 ? r->y / r->native_sum : NAN,
                r->y > 0.0 && !r->skip[0] ? 100.0 * (p / r->y - 1.0) : NAN,
                r->skip[0] ? "no: " : "yes", r->skip);
    }
    fprintf(out,
            "\n%zu evidence stages in %zu logs; pooled ratio %.2f; misfit RMS %.1f%%, "
            "CPU-weighted %.1f%% (in-sample)\n\n",
            res->n_used, res->n_logs, res->pooled, 100.0 * res->rms_rel,
            100.0 * res->cpu_weighted);
    fprintf(out, "%-20s %8s %7s  %s\n", "class", "factor", "stages", "note");
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        const struct vfit_class *k = &res->cls[c];
        fprintf(out, "%-20s %8.2f %7zu  %s\n", calib_class_name((enum calib_class)c), k->factor,
                k->n_stages,
                !k->fitted     ? "no evidence stage has it: the pooled ratio"
                : k->at_floor  ? "held at the floor"
                : !k->n_stages ? "always < 10% of a stage: near the pooled ratio"
                               : "");
    }
    fprintf(out, "%-20s %8.2f %7s  %s\n", "row_ns", res->row_ns, "",
            res->row_at_floor ? "the JVM's ns per operator row: held at 0"
                              : "the JVM's ns per operator row (reference speed)");
    fprintf(out, "\nmodel = { overhead = {");
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        fprintf(out, " %s = %.2f;", calib_class_name((enum calib_class)c), res->cls[c].factor);
    fprintf(out, " row_ns = %.1f; }; };\n", res->row_ns);
}

void vfit_sets(const struct vfit_result *res, char buf[][64])
{
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        snprintf(buf[c], 64, "model.overhead.%s=%.4g", calib_class_name((enum calib_class)c),
                 res->cls[c].factor);
    snprintf(buf[CALIB_N_CLASSES], 64, "model.overhead.row_ns=%.4g", res->row_ns);
}
