/*
 * report.c — formatting results (see report.h). Times are seconds relative
 * to the first job's submission; numbers in the JSON are rounded to the
 * microsecond (times) or the micro-dollar (cost) so that the same run writes
 * the same bytes on any machine.
 */
#include "sim/output/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/units.h"
#include "models/utf8.h"
#include "models/order.h"
#include "sim/runtime/feasibility.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

static double rel_s(const struct results *r, int64_t t_us)
{
    return (double)(t_us - r->start_us) * 1e-6;
}

const char *report_stage_name(const struct stage_result *st, char *buf, size_t size)
{
    if (st->name)
        snprintf(buf, size, "%s", st->name);
    else
        snprintf(buf, size, "stage %lld", (long long)st->id);
    return buf;
}

static void print_money(FILE *out, double usd)
{
    if (isnan(usd))
        fprintf(out, "unknown");
    else if (usd < 10.0)
        fprintf(out, "$%.4f", usd);
    else
        fprintf(out, "$%.2f", usd);
}

static bool stage_moved_bytes(const struct stage_result *st)
{
    return st->input_bytes > 0 || st->shuffle_read_local_bytes > 0 ||
           st->shuffle_read_remote_bytes > 0 || st->shuffle_write_bytes > 0 ||
           st->output_bytes > 0 || st->spill_bytes > 0;
}

static const char *fmt_bytes(double bytes, char *buf, unsigned size)
{
    if (!(bytes > 0.0))
        return "-";
    return units_format_bytes((int64_t)llround(bytes), buf, size);
}

/* The bytes each stage of a job moved, when any did. */
static void print_stage_bytes(FILE *out, const struct results *r, const struct job_result *jr)
{
    bool any = false;
    for (size_t k = 0; k < jr->n_stages; k++)
        any |= stage_moved_bytes(&r->stages[jr->first_stage + k]);
    if (!any)
        return;
    fprintf(out, "  %5s  %10s %10s %10s %10s %10s %10s %11s\n", "stage", "input", "shuf read",
            "(remote)", "shuf write", "output", "spill", "fetch wait");
    for (size_t k = 0; k < jr->n_stages; k++) {
        const struct stage_result *st = &r->stages[jr->first_stage + k];
        if (!stage_moved_bytes(st))
            continue;
        char b[6][32];
        double wait_per_task = st->tasks > 0 ? st->fetch_wait_s / (double)st->tasks : 0.0;
        fprintf(out, "  %5lld  %10s %10s %10s %10s %10s %10s %9.3f s\n", (long long)st->id,
                fmt_bytes(st->input_bytes, b[0], 32),
                fmt_bytes(st->shuffle_read_local_bytes + st->shuffle_read_remote_bytes, b[1], 32),
                fmt_bytes(st->shuffle_read_remote_bytes, b[2], 32),
                fmt_bytes(st->shuffle_write_bytes, b[3], 32), fmt_bytes(st->output_bytes, b[4], 32),
                fmt_bytes(st->spill_bytes, b[5], 32), wait_per_task);
    }
}

/* What autoscaling or dynamic allocation did, in one or two lines. */
static void print_scaling(FILE *out, const struct cluster *cl, const struct results *r)
{
    int requested = 0, joined = 0, removed = 0, ex_req = 0, ex_added = 0, ex_removed = 0;
    for (size_t i = 0; i < r->n_scale; i++) {
        const struct scale_event *e = &r->scale[i];
        switch (e->kind) {
        case SCALE_NODES_REQUESTED: requested += e->count; break;
        case SCALE_NODE_JOINED: joined++; break;
        case SCALE_NODE_REMOVED: removed++; break;
        case SCALE_EXECUTORS_REQUESTED: ex_req += e->count; break;
        case SCALE_EXECUTOR_ADDED: ex_added++; break;
        case SCALE_EXECUTOR_REMOVED: ex_removed++; break;
        case SCALE_NODE_EVICTED: break;
        }
    }
    if (cl->autoscale)
        fprintf(out,
                "  autoscaling %d..%d workers (%s): %d requested, %d joined, %d removed, "
                "peak %d\n",
                cl->min_workers, cl->max_workers,
                autoscale_policy_name((enum autoscale_policy)cl->autoscale_policy), requested,
                joined, removed, r->peak_workers);
    if (r->evictions)
        fprintf(out,
                "  spot: %d node%s evicted, %lld task attempts killed, %lld map tasks re-run "
                "for lost shuffle output\n",
                r->evictions, r->evictions == 1 ? "" : "s", (long long)r->failed_attempts,
                (long long)r->recomputed_tasks);
    if (r->speculative_launched)
        fprintf(out, "  speculation: %lld copies launched, %lld finished first\n",
                (long long)r->speculative_launched, (long long)r->speculative_won);
    if (ex_req || ex_added || ex_removed)
        fprintf(out,
                "  dynamic allocation: %d executors requested, %d added, %d removed\n", ex_req,
                ex_added, ex_removed);
}

/* ---- task sizes and what AQE changed (sim/plan/skew.h) ---------------------- */

struct task_spread {
    bool known;
    double min, p50, max;
    double ratio; /* max / median; NaN when the median is 0 */
};

/* The records each task of a stage reads: the planner's estimate of its
 * input records (an explicit stage's `records`) spread by its task
 * weights. */
static struct task_spread task_spread(const struct plan_stage *ss)
{
    struct task_spread t = {false, NAN, NAN, NAN, NAN};
    double total = ss->n_ops ? (double)ss->input_records : (double)ss->records;
    if (!(total >= 0.0) || ss->tasks < 1 || ss->tasks > 100000000)
        return t;
    size_t n = (size_t)ss->tasks;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return t;
    for (size_t i = 0; i < n; i++)
        v[i] = total / (double)n * (ss->task_weights ? ss->task_weights[i] : 1.0);
    qsort(v, n, sizeof *v, order_double_asc);
    t.known = true;
    t.min = v[0];
    t.max = v[n - 1];
    t.p50 = results_quantile_sorted(v, n, 0.5);
    t.ratio = t.p50 > 0.0 ? t.max / t.p50 : NAN;
    free(v);
    return t;
}

static bool aqe_changed(const struct plan_stage *ss)
{
    return ss->aqe_partitions_before > 0 || ss->aqe_skewed > 0 || ss->aqe_broadcast;
}

/* 1234 -> "1234", 12345678 -> "12.3M". */
static const char *fmt_count(double v, char *buf, size_t size)
{
    if (!(v >= 0.0))
        snprintf(buf, size, "-");
    else if (v >= 1e9)
        snprintf(buf, size, "%.1fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, size, "%.1fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, size, "%.1fk", v / 1e3);
    else
        snprintf(buf, size, "%.0f", v);
    return buf;
}

/* One line per stage whose tasks are skewed (max over median above 2), that
 * AQE changed, or that ran speculative copies. */
static void print_stage_skew(FILE *out, const struct plan *plan, size_t j,
                             const struct results *r, const struct job_result *jr)
{
    for (size_t k = 0; k < jr->n_stages && j < plan->n_jobs && k < plan->jobs[j].n_stages; k++) {
        const struct stage_result *st = &r->stages[jr->first_stage + k];
        const struct plan_stage *ss = &plan->jobs[j].stages[k];
        struct task_spread t = task_spread(ss);
        bool skewed = t.known && (t.p50 > 0.0 ? t.ratio > 2.0 : t.max > 0.0);
        if (!skewed && !aqe_changed(ss) && st->speculative_launched == 0)
            continue;
        char a[32], b[32];
        fprintf(out, "  %5lld ", (long long)st->id);
        const char *sep = "";
        if (skewed) {
            double dur = (double)(st->end_us - st->submit_us) * 1e-6;
            fprintf(out, " skew: task records max %s, median %s", fmt_count(t.max, a, sizeof a),
                    fmt_count(t.p50, b, sizeof b));
            if (t.p50 > 0.0)
                fprintf(out, " (%.1fx)", t.ratio);
            if (dur > 0.0)
                fprintf(out, ", longest task %.0f%% of the stage", 100.0 * st->task_max_s / dur);
            sep = ";";
        }
        if (ss->aqe_partitions_before > 0) {
            fprintf(out, "%s AQE: %lld partitions -> %lld task%s", sep,
                    (long long)ss->aqe_partitions_before, (long long)st->tasks,
                    st->tasks == 1 ? "" : "s");
            sep = ",";
        } else if (aqe_changed(ss)) {
            fprintf(out, "%s AQE:", sep);
            sep = "";
        }
        if (ss->aqe_skewed > 0) {
            fprintf(out, "%s %lld skewed partition%s split into %lld tasks", sep,
                    (long long)ss->aqe_skewed, ss->aqe_skewed == 1 ? "" : "s",
                    (long long)ss->aqe_skew_tasks);
            sep = ",";
        }
        if (ss->aqe_broadcast) {
            fprintf(out, "%s sort-merge join -> broadcast", sep);
            sep = ",";
        }
        if (st->speculative_launched)
            fprintf(out, "%s speculation: %lld copies, %lld won", *sep ? ";" : "",
                    (long long)st->speculative_launched, (long long)st->speculative_won);
        fprintf(out, "\n");
    }
}

/* A stage whose compute came from default per-record rates: no
 * task_seconds, and calibration (sim/calib/calibrate.c) could not measure it. */
static bool stage_uncalibrated(const struct plan *plan, size_t job, size_t k,
                               const struct stage_result *st)
{
    return st->uncalibrated && !(job < plan->n_jobs && k < plan->jobs[job].n_stages &&
                                 plan->jobs[job].stages[k].calib.valid);
}

static int compare_util(const void *a, const void *b)
{
    double x = ((const struct executor_result *)a)->utilization;
    double y = ((const struct executor_result *)b)->utilization;
    return (x > y) - (x < y);
}

/* Where a stage's compute time comes from: "given" (task_seconds),
 * "measured +-7%" or "cached +-7%" (calibrated, with its fit's 95%
 * half-width relative to its cost per row), or "default rate". */
static const char *compute_source(const struct plan *plan, size_t job, size_t k,
                                  const struct stage_result *st, char *buf, size_t size)
{
    if (!(job < plan->n_jobs && k < plan->jobs[job].n_stages))
        return st->uncalibrated ? "default rate" : "given";
    const struct plan_stage *ss = &plan->jobs[job].stages[k];
    if (ss->has_task_seconds)
        return "given";
    if (!ss->calib.valid)
        return "default rate";
    const struct calib_cost *c = &ss->calib;
    const char *how = c->poor ? (c->cached ? "cached, poor" : "measured, poor")
                      : c->cached ? "cached" : "measured";
    if (isfinite(c->ns_per_row_ci) && c->ns_per_row > 0.0)
        snprintf(buf, size, "%s +-%.0f%%", how, 100.0 * c->ns_per_row_ci / c->ns_per_row);
    else
        snprintf(buf, size, "%s", how);
    return buf;
}

void report_table(FILE *out, const struct plan *plan, const struct cluster *cl,
                  const struct results *r)
{
    char b1[64], b2[64], safe[256];
    /* Names come from the scenario: their control characters are escaped so
     * that a name cannot retitle or clear the terminal the table goes to. */
    fprintf(out, "stagecast %s  scenario '%s'  seed %llu\n", PACKAGE_VERSION,
            utf8_escape_controls(plan->scn->name, safe, sizeof safe),
            (unsigned long long)r->seed);
    fprintf(out,
            "cluster: %s, %d x %s workers (%d executor%s x %d cores each, %d task slots), "
            "driver %s\n",
            platform_name(cl->platform), cl->workers, cl->worker->name, cl->executors_per_worker,
            cl->executors_per_worker == 1 ? "" : "s", cl->executor_cores, cluster_slots(cl),
            cl->driver->name);
    const char *mode = spark_conf_string(&plan->scn->spark, "spark.scheduler.mode");
    fprintf(out, "spark: scheduler %s, task.cpus %d", mode ? mode : "FIFO", cl->task_cpus);
    int unknown = 0;
    for (size_t i = 0; i < plan->scn->spark.n; i++)
        if (!plan->scn->spark.v[i].known)
            unknown++;
    if (unknown) {
        fprintf(out, "; settings stagecast does not model (kept):");
        for (size_t i = 0; i < plan->scn->spark.n; i++)
            if (!plan->scn->spark.v[i].known)
                fprintf(out, " %s (line %d)", plan->scn->spark.v[i].key, plan->scn->spark.v[i].line);
    }
    fprintf(out, "\n");

    bool any_uncalibrated = false;
    for (size_t j = 0; j < r->n_jobs; j++) {
        const struct job_result *jr = &r->jobs[j];
        fprintf(out, "\njob %lld '%s'  start %.3f s  end %.3f s  wall %s\n",
                (long long)jr->spark_id, utf8_escape_controls(jr->name, safe, sizeof safe),
                rel_s(r, jr->submit_us), rel_s(r, jr->end_us),
                units_format_duration((double)(jr->end_us - jr->submit_us) * 1e-6, b1, sizeof b1));
        fprintf(out, "  %5s  %-24s %7s %9s %9s %9s %8s %8s %8s  %s\n", "stage", "name", "tasks",
                "start s", "end s", "dur s", "p50 s", "p95 s", "max s", "compute from");
        for (size_t k = 0; k < jr->n_stages; k++) {
            const struct stage_result *st = &r->stages[jr->first_stage + k];
            char raw[64], name[64];
            utf8_escape_controls(report_stage_name(st, raw, sizeof raw), name, sizeof name);
            if (stage_uncalibrated(plan, j, k, st)) {
                any_uncalibrated = true;
                size_t len = strlen(name);
                if (len > 22)
                    len = 22;
                snprintf(name + len, sizeof name - len, " *");
            }
            char src[40];
            fprintf(out, "  %5lld  %-24.24s %7lld %9.3f %9.3f %9.3f %8.3f %8.3f %8.3f  %s\n",
                    (long long)st->id, name, (long long)st->tasks, rel_s(r, st->submit_us),
                    rel_s(r, st->end_us), (double)(st->end_us - st->submit_us) * 1e-6,
                    st->task_p50_s, st->task_p95_s, st->task_max_s,
                    compute_source(plan, j, k, st, src, sizeof src));
        }
        print_stage_bytes(out, r, jr);
        print_stage_skew(out, plan, j, r, jr);
    }
    if (any_uncalibrated)
        fprintf(out, "\n  * compute estimated from the stage's records with default, "
                     "uncalibrated rates (no task_seconds, and `stagecast calibrate` could not "
                     "measure it)\n");

    fprintf(out, "\napplication: %s from first job submitted to last job ended (%zu job%s)\n",
            units_format_duration(r->makespan_s, b1, sizeof b1), r->n_jobs,
            r->n_jobs == 1 ? "" : "s");
    if (isfinite(r->calib_lo_s) && isfinite(r->calib_hi_s)) {
        char b3[64];
        fprintf(out,
                "calibration: %s to %s with calibrated costs at the ends of their fits' 95%% "
                "intervals (fit noise only; fresh calibrations differ more: "
                "docs/models/calibration.md)\n",
                units_format_duration(r->calib_lo_s, b2, sizeof b2),
                units_format_duration(r->calib_hi_s, b3, sizeof b3));
    }
    if (r->cost.startup_s > 0.0)
        fprintf(out,
                "cluster start-up: %s before the first job, billed, not in the makespan (%s)\n",
                units_format_duration(r->cost.startup_s, b2, sizeof b2), cl->startup_source);
    else
        fprintf(out, "cluster start-up: none counted (%s)\n", cl->startup_source);
    if (cl->idle_after_s > 0.0)
        fprintf(out, "after the last job: %s more, billed (%s)\n",
                units_format_duration(cl->idle_after_s, b2, sizeof b2), cl->idle_after_source);

    fprintf(out, "\nutilization: %.1f%% (%.1f busy of %.1f available slot-seconds)\n",
            100.0 * r->utilization, r->busy_s, r->available_s);
    size_t n_alive = 0;
    for (size_t e = 0; e < r->n_executors; e++)
        n_alive += r->executors[e].ever_alive;
    print_scaling(out, cl, r);
    if (n_alive <= 32) {
        fprintf(out, "  %8s  %-20s %5s %7s %10s %7s %9s %9s\n", "executor", "node", "cores",
                "tasks", "busy s", "util", "net s", "disk s");
        for (size_t e = 0; e < r->n_executors; e++) {
            const struct executor_result *er = &r->executors[e];
            if (!er->ever_alive)
                continue;
            fprintf(out, "  %8d  %-20s %5d %7lld %10.3f %6.1f%% %9.3f %9.3f\n", er->id,
                    cl->worker->name, er->cores, (long long)er->tasks, er->busy_s,
                    100.0 * er->utilization, er->net_busy_s, er->disk_busy_s);
        }
    } else {
        /* Too many to list: the spread, and the JSON has each one. */
        struct executor_result *sorted = malloc(n_alive * sizeof *sorted);
        if (sorted) {
            size_t k = 0;
            for (size_t e = 0; e < r->n_executors; e++)
                if (r->executors[e].ever_alive)
                    sorted[k++] = r->executors[e];
            qsort(sorted, n_alive, sizeof *sorted, compare_util);
            fprintf(out,
                    "  %zu executors: utilization min %.1f%%, median %.1f%%, max %.1f%% "
                    "(each one is in --json)\n",
                    n_alive, 100.0 * sorted[0].utilization, 100.0 * sorted[n_alive / 2].utilization,
                    100.0 * sorted[n_alive - 1].utilization);
            free(sorted);
        }
    }

    report_cost(out, plan->scn, cl, &r->cost);
}


void report_cost(FILE *out, const struct scenario *scn, const struct cluster *cl,
                 const struct cost_result *c)
{
    char b1[48], b2[48];
    const struct platform_billing *bill = &platform_get(cl->platform)->billing;
    bool vcore_billed = c->vcore_hours > 0.0;
    fprintf(out, "\ncost: ");
    print_money(out, c->total_usd);
    if (bill->basis == BILL_VM_PRICE_AND_DBU) {
        fprintf(out, " (VM ");
        print_money(out, c->vm_usd);
        fprintf(out, " + DBU ");
        print_money(out, c->dbu_usd);
        fprintf(out, ")");
    } else if (vcore_billed) {
        /* Synapse bills vCore-hours, not VMs and not DBUs. */
        fprintf(out, " (%.4g vCore-hours)", c->vcore_hours);
    } else {
        fprintf(out, " (VM price only)");
    }
    double per_node = c->n_lines ? c->lines[c->n_lines - 1].billed_s : c->billed_s;
    fprintf(out, ", each node billed %s", units_format_duration(per_node, b1, sizeof b1));
    if (per_node > c->billed_s + 1e-9)
        fprintf(out, " (%s used, rounded up to the platform's billing unit)",
                units_format_duration(c->billed_s, b2, sizeof b2));
    else
        fprintf(out, " of start-up and run");
    if (bill->basis == BILL_VM_PRICE_AND_DBU)
        fprintf(out, ", %s compute, %s tier", pricing_name(scn->cluster.pricing),
                tier_name(scn->cluster.tier));
    fprintf(out, "\n");
    for (size_t i = 0; i < c->n_lines; i++) {
        const struct cost_line *l = &c->lines[i];
        if (i == 1 && cl->autoscale)
            fprintf(out, "  %-8s %3d lives of %-12s ", l->role, l->nodes, l->node_type);
        else
            fprintf(out, "  %-8s %3d x %-18s ", l->role, l->nodes, l->node_type);
        if (!isnan(l->usd_per_vcore_hour))
            fprintf(out, "%d vCores x $%.4g/vCore-h, %.4g vCore-h", l->vcores,
                    l->usd_per_vcore_hour, l->vcore_hours);
        else if (isnan(l->vm_usd_per_hour))
            fprintf(out, "VM price unknown");
        else
            fprintf(out, "$%.4g/h", l->vm_usd_per_hour);
        if (bill->basis == BILL_VM_PRICE_AND_DBU) {
            if (isnan(l->dbu_per_hour))
                fprintf(out, " + DBU rate unknown");
            else
                fprintf(out, " + %.4g DBU/h x $%.2f", l->dbu_per_hour, l->usd_per_dbu);
        }
        fprintf(out, "  = ");
        print_money(out, l->total_usd);
        fprintf(out, "\n");
    }
    /* Where the prices come from: one origin when driver and workers share
     * it, else each. */
    char o1[192], o2[192];
    if (c->n_lines == 2 &&
        strcmp(results_cost_origin(&c->lines[0], cl, o1, sizeof o1),
               results_cost_origin(&c->lines[1], cl, o2, sizeof o2)) != 0)
        fprintf(out, "  prices: driver %s; workers %s\n", o1, o2);
    else if (c->n_lines > 0)
        fprintf(out, "  prices: %s\n", results_cost_origin(&c->lines[0], cl, o1, sizeof o1));
    if (c->startup_s > 0.0 && isfinite(c->startup_usd)) {
        fprintf(out, "  start-up: ");
        print_money(out, c->startup_usd);
        fprintf(out, " of it is the %s start-up, the rest the run's own\n",
                units_format_duration(c->startup_s, b1, sizeof b1));
    }
    if (c->note[0])
        fprintf(out, "  cost unknown: %s\n", c->note);
    if (bill->note)
        fprintf(out, "  %s\n", bill->note);
}

/* ---- JSON -------------------------------------------------------------- */

static json_t *jnum(double v, double scale)
{
    if (!isfinite(v))
        return json_null();
    return json_real(round(v * scale) / scale);
}

static json_t *jsec(double v)
{
    return jnum(v, 1e6);
}

static json_t *jusd(double v)
{
    return jnum(v, 1e6);
}

static int set(json_t *obj, const char *key, json_t *value)
{
    return json_object_set_new(obj, key, value ? value : json_null());
}

/* A calibrated stage's cost (sim/calib/calibrate.h): its fit, the factors, and
 * the speeds that scale host time to the worker; null when not calibrated. */
static json_t *calibration_json(const struct calib_cost *c, const struct cluster *cl)
{
    if (!c->valid)
        return json_null();
    const char *acu_source;
    bool fallback;
    double node_acu = calib_node_acu(cl->worker, &fallback, &acu_source);
    json_t *o = json_object(), *f = json_object();
    int bad = !o || !f;
    for (int k = 0; k < CALIB_N_CLASSES && !bad; k++)
        if (c->class_factor[k] > 0.0)
            bad |= set(f, calib_class_name((enum calib_class)k), json_real(c->class_factor[k]));
    bad |= set(o, "ns_per_row", jnum(c->ns_per_row, 1e4));
    bad |= set(o, "ns_per_row_ci95", jnum(c->ns_per_row_ci, 1e4));
    bad |= set(o, "r2", jnum(c->r2, 1e6));
    bad |= set(o, "intercept_ns", jnum(c->intercept_ns, 1e2));
    bad |= set(o, "rows_per_task", jnum(c->rows_per_task, 1e3));
    bad |= set(o, "overhead", jnum(c->overhead, 1e6));
    bad |= set(o, "factors", f);
    bad |= set(o, "group_factor", jnum(c->group_factor, 1e6));
    /* The JVM's per-row cost beside the factors (models/calib.h). */
    bad |= set(o, "row_ns", jnum(c->row_ns, 1e3));
    bad |= set(o, "op_rows_per_row", jnum(c->op_rows_per_row, 1e6));
    bad |= set(o, "host_acu", jnum(c->host_acu, 1e3));
    bad |= set(o, "node_acu", jnum(node_acu, 1e3));
    bad |= set(o, "node_acu_fallback", json_boolean(fallback));
    /* Judged poor by the calibration's quality rule (used with a warning). */
    bad |= set(o, "poor_fit", json_boolean(c->poor));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A stage's task sizes, straggler, AQE and speculation (sim/plan/skew.h), as
 * members of its object o. Returns nonzero when memory ran out. */
static int skew_json(json_t *o, const struct plan_stage *ss, const struct stage_result *st)
{
    struct task_spread t = task_spread(ss);
    double dur = (double)(st->end_us - st->submit_us) * 1e-6;
    int bad = 0;
    bad |= set(o, "task_records_min", t.known ? jnum(t.min, 1) : json_null());
    bad |= set(o, "task_records_p50", t.known ? jnum(t.p50, 1) : json_null());
    bad |= set(o, "task_records_max", t.known ? jnum(t.max, 1) : json_null());
    bad |= set(o, "skew_ratio", t.known ? jnum(t.ratio, 1e4) : json_null());
    bad |= set(o, "straggler_share", dur > 0.0 ? jnum(st->task_max_s / dur, 1e4) : json_null());
    json_t *a = json_object();
    bad |= !a;
    bad |= set(a, "partitions_before",
               json_integer(ss->aqe_partitions_before > 0 ? ss->aqe_partitions_before : st->tasks));
    bad |= set(a, "partitions_after", json_integer(st->tasks));
    bad |= set(a, "skewed_partitions", json_integer(ss->aqe_skewed));
    bad |= set(a, "skew_tasks", json_integer(ss->aqe_skew_tasks));
    bad |= set(a, "broadcast_join", json_boolean(ss->aqe_broadcast));
    bad |= set(o, "aqe", a);
    bad |= set(o, "speculative_launched", json_integer(st->speculative_launched));
    bad |= set(o, "speculative_won", json_integer(st->speculative_won));
    return bad;
}

/* The JSON's parts, one function each; every one adds its members to o and
 * returns non-zero when an allocation failed (set() and jansson's own
 * functions count failures the same way). */

static int cluster_json(json_t *root, const struct plan *plan, const struct cluster *cl,
                        const struct results *r)
{
    int bad = 0;
    json_t *jc = json_object();
    bad |= set(jc, "platform", json_string(platform_name(cl->platform)));
    bad |= set(jc, "driver", json_string(cl->driver->name));
    bad |= set(jc, "worker", json_string(cl->worker->name));
    bad |= set(jc, "workers", json_integer(cl->workers));
    bad |= set(jc, "executors", json_integer(cl->executors));
    bad |= set(jc, "executors_per_worker", json_integer(cl->executors_per_worker));
    bad |= set(jc, "executor_cores", json_integer(cl->executor_cores));
    bad |= set(jc, "task_cpus", json_integer(cl->task_cpus));
    bad |= set(jc, "task_slots", json_integer(cluster_slots(cl)));
    bad |= set(jc, "startup_s", jsec(r->cost.startup_s));
    bad |= set(jc, "startup_source", json_string(cl->startup_source));
    bad |= set(jc, "idle_after_s", jsec(cl->idle_after_s));
    if (cl->autoscale) {
        json_t *as = json_object();
        bad |= set(as, "policy",
                   json_string(autoscale_policy_name((enum autoscale_policy)cl->autoscale_policy)));
        bad |= set(as, "min", json_integer(cl->min_workers));
        bad |= set(as, "max", json_integer(cl->max_workers));
        bad |= set(as, "provision_s", jsec(cl->provision_s));
        bad |= set(as, "interval_s", jsec(cl->interval_s));
        bad |= set(as, "idle_s", jsec(cl->idle_s));
        bad |= set(as, "source", json_string(cl->autoscale_source));
        bad |= set(jc, "autoscale", as);
    }
    if (platform_get(cl->platform)->billing.basis == BILL_VM_PRICE_AND_DBU) {
        bad |= set(jc, "pricing", json_string(pricing_name(plan->scn->cluster.pricing)));
        bad |= set(jc, "tier", json_string(tier_name(plan->scn->cluster.tier)));
    }
    bad |= set(root, "cluster", jc);
    return bad;
}

static const char *const basis_names[] = {
    [BILL_VM_PRICE] = "vm", [BILL_VM_PRICE_AND_DBU] = "vm_and_dbu",
    [BILL_VCORE_HOURS] = "vcore_hours"};

static int cost_json(json_t *root, const struct cluster *cl, const struct results *r)
{
    int bad = 0;
    json_t *cost = json_object();
    const struct cost_result *c = &r->cost;
    bad |= set(cost, "basis", json_string(basis_names[platform_get(cl->platform)->billing.basis]));
    bad |= set(cost, "region", cl->region ? json_string(cl->region) : json_null());
    bad |= set(cost, "total_usd", jusd(r->cost.total_usd));
    bad |= set(cost, "vm_usd", jusd(r->cost.vm_usd));
    bad |= set(cost, "dbu_usd", jusd(r->cost.dbu_usd));
    bad |= set(cost, "vcore_hours", jnum(c->vcore_hours, 1e6));
    bad |= set(cost, "startup_usd", jusd(c->startup_usd));
    bad |= set(cost, "run_usd", jusd(c->total_usd - c->startup_usd));
    bad |= set(cost, "billed_s", jsec(r->cost.billed_s));
    json_t *lines = json_array();
    for (size_t i = 0; i < r->cost.n_lines; i++) {
        const struct cost_line *l = &r->cost.lines[i];
        json_t *jl = json_object();
        bad |= set(jl, "role", json_string(l->role));
        bad |= set(jl, "node_type", json_string(l->node_type));
        bad |= set(jl, "nodes", json_integer(l->nodes));
        bad |= set(jl, "billed_s_per_node", jsec(l->billed_s));
        bad |= set(jl, "vm_usd_per_hour", jnum(l->vm_usd_per_hour, 1e6));
        bad |= set(jl, "dbu_per_hour", jnum(l->dbu_per_hour, 1e6));
        bad |= set(jl, "usd_per_dbu", jnum(l->usd_per_dbu, 1e6));
        bad |= set(jl, "vcores", json_integer(l->vcores));
        bad |= set(jl, "usd_per_vcore_hour", jnum(l->usd_per_vcore_hour, 1e6));
        bad |= set(jl, "vcore_hours", jnum(l->vcore_hours, 1e6));
        json_t *pr = json_object();
        bad |= set(pr, "region", l->price_region ? json_string(l->price_region) : json_null());
        bad |= set(pr, "source", json_string(l->price_source ? l->price_source : ""));
        bad |= set(pr, "date", l->price_date && l->price_date[0] ? json_string(l->price_date)
                                                                 : json_null());
        bad |= set(jl, "price", pr);
        bad |= set(jl, "vm_usd", jusd(l->vm_usd));
        bad |= set(jl, "dbu_usd", jusd(l->dbu_usd));
        bad |= set(jl, "total_usd", jusd(l->total_usd));
        bad |= json_array_append_new(lines, jl);
    }
    bad |= set(cost, "lines", lines);
    bad |= set(cost, "note", r->cost.note[0] ? json_string(r->cost.note) : json_null());
    bad |= set(root, "cost", cost);
    return bad;
}

/* One stage: its plan (parents, operators, estimated rows, calibration)
 * beside what the simulation made of it. */
static json_t *stage_json(const struct plan *plan, const struct cluster *cl,
                          const struct results *r, size_t j, size_t k, int *bad_out)
{
    const struct job_result *jr = &r->jobs[j];
    const struct stage_result *st = &r->stages[jr->first_stage + k];
    const struct plan_stage *ss = &plan->jobs[j].stages[k];
    int bad = 0;
    char name[128];
    json_t *js2 = json_object();
    bad |= set(js2, "id", json_integer(st->id));
    bad |= set(js2, "spark_id", json_integer(st->spark_id));
    bad |= set(js2, "name", json_string(report_stage_name(st, name, sizeof name)));
    bad |= set(js2, "kernel", st->kernel ? json_string(st->kernel) : json_null());
    json_t *parents = json_array();
    for (size_t p = 0; p < ss->n_parents; p++)
        bad |= json_array_append_new(parents, json_integer(ss->parents[p]));
    bad |= set(js2, "parents", parents);
    /* Planned stages: their operators and estimated rows (an explicit
     * stage has none: [] and null). */
    json_t *ops = json_array();
    for (size_t o = 0; o < ss->n_ops; o++)
        bad |= json_array_append_new(ops, json_string(ss->ops[o].text));
    bad |= set(js2, "ops", ops);
    bad |= set(js2, "input_records", ss->n_ops ? json_integer(ss->input_records) : json_null());
    bad |= set(js2, "output_records", ss->n_ops ? json_integer(ss->output_records) : json_null());
    /* Where those rows come from: the most doubtful estimate on the way
     * (sim/plan/plan.h, plan_stage_est); null when nothing is estimated. */
    enum plan_est est = plan_stage_est(&plan->jobs[j], k);
    bad |= set(js2, "estimate_source",
               est != PLAN_EST_NONE ? json_string(plan_est_name(est)) : json_null());
    bad |= set(js2, "tasks", json_integer(st->tasks));
    bad |= set(js2, "start_s", jsec(rel_s(r, st->submit_us)));
    bad |= set(js2, "end_s", jsec(rel_s(r, st->end_us)));
    bad |= set(js2, "duration_s", jsec((double)(st->end_us - st->submit_us) * 1e-6));
    bad |= set(js2, "task_min_s", jsec(st->task_min_s));
    bad |= set(js2, "task_p50_s", jsec(st->task_p50_s));
    bad |= set(js2, "task_p95_s", jsec(st->task_p95_s));
    bad |= set(js2, "task_max_s", jsec(st->task_max_s));
    bad |= set(js2, "task_mean_s", jsec(st->task_mean_s));
    bad |= set(js2, "busy_s", jsec(st->busy_s));
    json_t *phases = json_object();
    for (int p = 0; p < PHASE_COUNT; p++)
        bad |= set(phases, task_phase_name((enum task_phase)p), jsec(st->phase_s[p]));
    bad |= set(js2, "phase_s", phases);
    bad |= set(js2, "uncalibrated", json_boolean(stage_uncalibrated(plan, j, k, st)));
    /* Where its compute time comes from: task times given, kernels timed
     * in this run or read from the calibration cache, or default rates. */
    bad |= set(js2, "compute_source",
               json_string(ss->has_task_seconds ? "given"
                           : ss->calib.valid    ? (ss->calib.cached ? "cached" : "measured")
                                                : "uncalibrated"));
    bad |= set(js2, "calibration", calibration_json(&ss->calib, cl));
    bad |= set(js2, "failed_attempts", json_integer(st->failed_attempts));
    bad |= set(js2, "resubmissions", json_integer(st->resubmissions));
    bad |= set(js2, "input_bytes", jnum(st->input_bytes, 1));
    bad |= set(js2, "shuffle_read_bytes",
               jnum(st->shuffle_read_local_bytes + st->shuffle_read_remote_bytes, 1));
    bad |= set(js2, "shuffle_read_local_bytes", jnum(st->shuffle_read_local_bytes, 1));
    bad |= set(js2, "shuffle_read_remote_bytes", jnum(st->shuffle_read_remote_bytes, 1));
    bad |= set(js2, "shuffle_write_bytes", jnum(st->shuffle_write_bytes, 1));
    bad |= set(js2, "output_bytes", jnum(st->output_bytes, 1));
    bad |= set(js2, "spill_bytes", jnum(st->spill_bytes, 1));
    /* Bytes the stage cached (df.cache()), as planned or given. */
    bad |= set(js2, "cache_bytes", jnum(ss->cache_bytes > 0 ? (double)ss->cache_bytes : 0.0, 1));
    bad |= set(js2, "fetch_wait_s", jsec(st->fetch_wait_s));
    bad |= skew_json(js2, ss, st);
    *bad_out |= bad;
    return js2;
}

static int jobs_json(json_t *root, const struct plan *plan, const struct cluster *cl,
                     const struct results *r)
{
    int bad = 0;
    json_t *jobs = json_array();
    for (size_t j = 0; j < r->n_jobs; j++) {
        const struct job_result *jr = &r->jobs[j];
        json_t *jj = json_object();
        bad |= set(jj, "name", json_string(jr->name));
        bad |= set(jj, "id", json_integer(jr->spark_id));
        bad |= set(jj, "pool", json_string(jr->pool));
        bad |= set(jj, "start_s", jsec(rel_s(r, jr->submit_us)));
        bad |= set(jj, "end_s", jsec(rel_s(r, jr->end_us)));
        bad |= set(jj, "duration_s", jsec((double)(jr->end_us - jr->submit_us) * 1e-6));
        json_t *stages = json_array();
        for (size_t k = 0; k < jr->n_stages; k++) {
            json_t *js = stage_json(plan, cl, r, j, k, &bad);
            bad |= json_array_append_new(stages, js);
        }
        bad |= set(jj, "stages", stages);
        bad |= json_array_append_new(jobs, jj);
    }
    bad |= set(root, "jobs", jobs);
    return bad;
}

static int executors_json(json_t *root, const struct cluster *cl, const struct results *r)
{
    int bad = 0;
    json_t *execs = json_array();
    for (size_t e = 0; e < r->n_executors; e++) {
        const struct executor_result *er = &r->executors[e];
        if (!er->ever_alive)
            continue;
        json_t *je = json_object();
        bad |= set(je, "id", json_integer(er->id));
        bad |= set(je, "worker", json_integer(er->worker));
        bad |= set(je, "node_type", json_string(cl->worker->name));
        bad |= set(je, "cores", json_integer(er->cores));
        bad |= set(je, "slots", json_integer(er->slots));
        bad |= set(je, "tasks", json_integer(er->tasks));
        bad |= set(je, "busy_s", jsec(er->busy_s));
        bad |= set(je, "alive_s", jsec(er->alive_s));
        bad |= set(je, "utilization", jnum(er->utilization, 1e6));
        bad |= set(je, "alive_from_s", jsec(rel_s(r, er->alive_from_us)));
        bad |= set(je, "alive_to_s", jsec(rel_s(r, er->alive_to_us)));
        bad |= set(je, "net_busy_s", jsec(er->net_busy_s));
        bad |= set(je, "disk_busy_s", jsec(er->disk_busy_s));
        bad |= set(je, "net_out_bytes", jnum(er->net_out_bytes, 1));
        bad |= set(je, "net_in_bytes", jnum(er->net_in_bytes, 1));
        bad |= set(je, "disk_bytes", jnum(er->disk_bytes, 1));
        bad |= json_array_append_new(execs, je);
    }
    bad |= set(root, "executors", execs);
    return bad;
}

/* Speculation, then scaling: nodes and executors coming and going. */
static int scaling_json(json_t *root, const struct results *r)
{
    static const char *const scale_names[] = {"nodes_requested",     "node_joined",
                                              "node_removed",        "executors_requested",
                                              "executor_added",      "executor_removed",
                                              "node_evicted"};
    int bad = 0;
    json_t *scaling = json_object();
    bad |= set(scaling, "peak_workers", json_integer(r->peak_workers));
    json_t *events = json_array();
    for (size_t i = 0; i < r->n_scale; i++) {
        const struct scale_event *ev = &r->scale[i];
        json_t *je = json_object();
        bad |= set(je, "t_s", jsec(rel_s(r, ev->t_us)));
        bad |= set(je, "event", json_string(scale_names[ev->kind]));
        bad |= set(je, "id", ev->id >= 0 ? json_integer(ev->id) : json_null());
        bad |= set(je, "count", json_integer(ev->count));
        if (ev->kind == SCALE_EXECUTORS_REQUESTED)
            bad |= set(je, "target", json_integer(ev->target));
        bad |= set(je, "workers_alive", json_integer(ev->workers_alive));
        bad |= set(je, "executors_alive", json_integer(ev->executors_alive));
        bad |= json_array_append_new(events, je);
    }
    bad |= set(scaling, "events", events);
    bad |= set(scaling, "evictions", json_integer(r->evictions));
    bad |= set(scaling, "failed_attempts", json_integer(r->failed_attempts));
    bad |= set(scaling, "recomputed_tasks", json_integer(r->recomputed_tasks));
    json_t *spec = json_object();
    bad |= set(spec, "launched", json_integer(r->speculative_launched));
    bad |= set(spec, "won", json_integer(r->speculative_won));
    bad |= set(root, "speculation", spec);
    bad |= set(root, "scaling", scaling);
    return bad;
}

static int spark_json(json_t *root, const struct plan *plan)
{
    int bad = 0;
    json_t *spark = json_object();
    json_t *settings = json_object();
    json_t *unknown = json_array();
    for (size_t i = 0; i < plan->scn->spark.n; i++) {
        const struct spark_setting *st = &plan->scn->spark.v[i];
        bad |= set(settings, st->key, json_string(st->s));
        if (!st->known)
            bad |= json_array_append_new(unknown, json_string(st->key));
    }
    bad |= set(spark, "settings", settings);
    bad |= set(spark, "unknown_keys", unknown);
    bad |= set(root, "spark", spark);
    return bad;
}

json_t *report_json_build(const struct plan *plan, const struct cluster *cl,
                          const struct results *r)
{
    json_t *root = json_object();
    if (!root)
        return NULL;
    int bad = 0;
    bad |= set(root, "stagecast_version", json_string(PACKAGE_VERSION));
    json_t *scn = json_object();
    bad |= set(scn, "name", json_string(plan->scn->name));
    bad |= set(scn, "file", json_string(plan->scn->file));
    bad |= set(scn, "seed", json_integer((json_int_t)r->seed));
    bad |= set(root, "scenario", scn);
    bad |= cluster_json(root, plan, cl, r);
    bad |= set(root, "makespan_s", jsec(r->makespan_s));
    /* The same run with every calibrated stage's cost per row at the low,
     * then the high, end of its fit's 95% interval; null when no stage
     * was calibrated. */
    json_t *ci = json_null();
    if (isfinite(r->calib_lo_s) && isfinite(r->calib_hi_s))
        ci = json_pack("{s:o, s:o, s:s}", "low_s", jsec(r->calib_lo_s), "high_s",
                       jsec(r->calib_hi_s), "covers",
                       "calibration fits' 95% intervals, all stages together");
    bad |= set(root, "makespan_calibration_interval", ci);
    /* Whether the run's shuffle and spill fit its workers' local disks
     * (sim/runtime/feasibility.c has the rule; run warns when not). */
    struct disk_check dc;
    feasibility_check_disk(r, cl, &dc);
    json_t *disk = json_object();
    if (disk) {
        bad |= set(disk, "checked", json_boolean(dc.checked));
        bad |= set(disk, "fits", json_boolean(dc.fits));
        bad |= set(disk, "worker", dc.worker >= 0 ? json_integer(dc.worker) : json_null());
        bad |= set(disk, "peak_bytes", jnum(dc.peak_bytes, 1));
        bad |= set(disk, "shuffle_bytes", jnum(dc.shuffle_bytes, 1));
        bad |= set(disk, "spill_bytes", jnum(dc.spill_bytes, 1));
        bad |= set(disk, "cache_bytes", jnum(dc.cache_bytes, 1));
        bad |= set(disk, "disk_bytes", isfinite(dc.disk_bytes) ? jnum(dc.disk_bytes, 1)
                                                                : json_null());
    }
    bad |= set(root, "local_disk", disk ? disk : json_null());
    bad |= set(root, "startup_s", jsec(r->cost.startup_s));
    bad |= set(root, "cost_usd", jusd(r->cost.total_usd));
    bad |= set(root, "utilization", jnum(r->utilization, 1e6));
    bad |= set(root, "busy_slot_s", jsec(r->busy_s));
    bad |= set(root, "available_slot_s", jsec(r->available_s));
    bad |= cost_json(root, cl, r);
    bad |= jobs_json(root, plan, cl, r);
    bad |= executors_json(root, cl, r);
    bad |= scaling_json(root, r);
    bad |= spark_json(root, plan);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

enum sc_status report_json(FILE *out, const struct plan *plan, const struct cluster *cl,
                           const struct results *r, struct diag *d)
{
    json_t *root = report_json_build(plan, cl, r);
    if (!root)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the JSON report");
    errno = 0;
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF)
        return diag_set(d, SC_EIO, NULL, 0, "writing the JSON report failed: %s",
                        errno ? strerror(errno) : "write error");
    return SC_OK;
}

static void csv_field(FILE *out, const char *text)
{
    /* RFC 4180: quote when the text holds a comma, quote or newline. */
    if (!strpbrk(text, ",\"\n\r")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

enum sc_status report_timeline_csv(FILE *out, const struct plan *plan,
                                   const struct results *r, struct diag *d)
{
    (void)plan;
    static const char *const status_names[] = {"success", "failed", "killed"};
    if (!r->keep_tasks && r->n_attempts > 0)
        return SC_BUG(d, "%s needs the per-task records (sim_options.task_records)", "the timeline");

    fputs("job,job_name,stage_id,spark_stage_id,stage_name,task,attempt,executor,worker,slot,"
          "assign_s,launch_s,end_s,duration_s,scheduler_delay_s,input_s,fetch_s,compute_s,"
          "spill_s,write_s,status\n",
          out);
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct task_rec *t = &r->tasks[i];
        const struct stage_result *st = &r->stages[t->stage];
        const struct job_result *jr = &r->jobs[st->job];
        char name[128];
        fprintf(out, "%lld,", (long long)jr->spark_id);
        csv_field(out, jr->name);
        fprintf(out, ",%lld,%lld,", (long long)st->id, (long long)st->spark_id);
        csv_field(out, report_stage_name(st, name, sizeof name));
        fprintf(out, ",%d,%d,%d,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f", t->index, t->attempt,
                t->executor, r->executors[t->executor].worker, t->slot,
                rel_s(r, t->assign_us), rel_s(r, t->launch_us), rel_s(r, t->end_us),
                (double)(t->end_us - t->launch_us) * 1e-6,
                (double)(t->launch_us - t->assign_us) * 1e-6);
        for (int p = 0; p < PHASE_COUNT; p++)
            fprintf(out, ",%.6f", (double)t->phase_s[p]);
        fprintf(out, ",%s\n", status_names[t->status < 3 ? t->status : 0]);
    }
    if (ferror(out))
        return diag_set(d, SC_EIO, NULL, 0, "writing the timeline failed");
    return SC_OK;
}
