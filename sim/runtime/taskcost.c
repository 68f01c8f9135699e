/*
 * taskcost.c — a task's phase times (see taskcost.h).
 *
 * For a stage given only as data, compute is records x a default cost per
 * record of the stage's kernel (the operator registry's, models/operators.h),
 * labelled "uncalibrated" wherever it is reported. The defaults take the
 * single-core native rates measured for these kernels on this class of
 * machine (../shared/conventions.md: hash aggregation ~95 M rows/s with few
 * groups, LZ4 ~500 MB/s) and multiply by 10 for the JVM's row-at-a-time
 * overhead. They are placeholders for the stages calibration could not
 * measure, and the report says so.
 */
#include "sim/runtime/taskcost.h"

#include <math.h>
#include <string.h>

#include "models/operators.h"

const char *task_phase_name(enum task_phase p)
{
    static const char *const names[PHASE_COUNT] = {"input", "fetch", "compute", "spill", "write"};
    return (unsigned)p < PHASE_COUNT ? names[p] : "?";
}

double taskcost_default_s_per_record(const char *kernel)
{
    /* The registry's default (models/operators.c); a kernel it does not
     * know costs what "generic" does. */
    int k = op_kernel_find(kernel ? kernel : "generic");
    return op_kernel_info(k < 0 ? OPK_GENERIC : (enum op_kernel)k)->default_ns_per_record * 1e-9;
}

void taskcost_stage_init(struct stage_cost *c, const struct plan_stage *spec,
                         const struct cluster *cl, double calib_z)
{
    memset(c, 0, sizeof *c);
    if (spec->has_task_seconds) {
        c->from_dist = true;
        c->task_seconds = spec->task_seconds;
        c->task_seconds_list = spec->task_seconds_list;
        /* Times measured on another node: their compute part runs at this
         * worker's speed, their fixed part (launch, deserialization, result)
         * does not move. */
        c->fixed_s = spec->fixed_s > 0.0 ? spec->fixed_s : 0.0;
        c->fetch_wait_s = spec->fetch_wait_s > 0.0 ? spec->fetch_wait_s : 0.0;
        c->shuffle_write_s = spec->shuffle_write_s > 0.0 ? spec->shuffle_write_s : 0.0;
        c->records_scale = spec->compute_scale > 0.0 ? spec->compute_scale : 1.0;
        c->compute_scale = c->records_scale * taskcost_node_speedup(cl);
        c->fetch_scale = c->records_scale * taskcost_node_io_speedup(cl, true);
        c->write_scale = c->records_scale * taskcost_node_io_speedup(cl, false);
        c->cold = spec->task_seconds_list ? spec->task_cold : NULL;
        return;
    }
    if (spec->calib.valid) {
        /* Calibrated (sim/calib/calibrate.c): host ns per input row and per task,
         * times the Spark overhead factor, scaled from the host's speed to
         * the worker's (calib_cost_task_s does the same in one step). */
        const struct calib_cost *k = &spec->calib;
        double acu = calib_node_acu(cl ? cl->worker : NULL, NULL, NULL);
        double scale = calib_scale_to_node(1e-9 * k->overhead, k->host_acu, acu);
        c->records = k->rows_per_task;
        double ns = k->ns_per_row;
        if (calib_z != 0.0 && isfinite(k->ns_per_row_ci) && ns > 0.0) {
            /* A standard error is the 95% half-width / 1.96. */
            double moved = ns + calib_z * k->ns_per_row_ci / 1.96;
            ns = moved > 0.1 * ns ? moved : 0.1 * ns;
        }
        /* The JVM's per-row cost is the logs', not the kernels': no
         * calibration interval moves it (models/calib.h). */
        c->compute_s_per_record =
            ns * scale + calib_scale_to_node(1e-9 * k->op_rows_per_row * k->row_ns,
                                             CALIB_REF_ACU, acu);
        c->compute_s_fixed = (k->intercept_ns > 0.0 ? k->intercept_ns : 0.0) * scale;
        return;
    }
    c->uncalibrated = true;
    c->records = spec->records > 0 && spec->tasks > 0 ? (double)spec->records / spec->tasks : 0.0;
    c->compute_s_per_record = taskcost_default_s_per_record(spec->kernel);
}

double taskcost_node_speedup(const struct cluster *cl)
{
    if (!cl || !cl->task_seconds_node || !cl->worker || cl->task_seconds_node == cl->worker)
        return 1.0;
    /* ACU is speed per vCPU: twice the ACU, half the time (models/calib.h). */
    return calib_node_acu(cl->task_seconds_node, NULL, NULL) /
           calib_node_acu(cl->worker, NULL, NULL);
}

/* Bandwidth per vCPU, bytes/s: what one task slot of the node gets. NaN
 * when the catalog gives none. */
static double io_per_vcpu(const struct node_type *n, bool network)
{
    double bw = network ? n->network_mbps : n->local_ssd_mbps;
    return bw > 0.0 && n->vcpus > 0 ? bw / n->vcpus : NAN;
}

double taskcost_node_io_speedup(const struct cluster *cl, bool network)
{
    if (!cl || !cl->task_seconds_node || !cl->worker || cl->task_seconds_node == cl->worker)
        return 1.0;
    /* A task's share of its node's NIC or local SSD: half the bandwidth per
     * slot, twice the time. */
    double log_bw = io_per_vcpu(cl->task_seconds_node, network);
    double new_bw = io_per_vcpu(cl->worker, network);
    return isfinite(log_bw) && isfinite(new_bw) ? log_bw / new_bw : 1.0;
}

double taskcost_task(const struct stage_cost *c, gsl_rng *rng, int64_t index,
                     float phase_s[PHASE_COUNT])
{
    for (int p = 0; p < PHASE_COUNT; p++)
        phase_s[p] = 0.0f;
    double t;
    if (c->from_dist) {
        t = c->task_seconds_list ? c->task_seconds_list[index] : dist_sample(&c->task_seconds, rng);
        /* t = fixed + fetch wait + shuffle write + compute, each part at
         * most what is left of t after the ones before it. */
        double fixed = c->fixed_s < t ? c->fixed_s : t;
        double fetch = c->fetch_wait_s < t - fixed ? c->fetch_wait_s : t - fixed;
        double write = c->shuffle_write_s < t - fixed - fetch ? c->shuffle_write_s
                                                              : t - fixed - fetch;
        double compute = t - fixed - fetch - write;
        if (c->cold && c->cold[index] && c->warmup_s > 0.0) {
            /* The warm-up is taken from its compute part, never the others. */
            double w = c->warmup_s < compute ? c->warmup_s : compute;
            compute -= w;
            t -= w;
        }
        if (c->compute_scale != 1.0 || c->fetch_scale != 1.0 || c->write_scale != 1.0)
            t = fixed + fetch * c->fetch_scale + write * c->write_scale +
                compute * c->compute_scale;
    } else
        t = c->records * c->compute_s_per_record + c->compute_s_fixed;
    phase_s[PHASE_COMPUTE] = (float)t;
    return t;
}
