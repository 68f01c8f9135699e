/*
 * taskcost.c — a task's phase times (see taskcost.h).
 *
 * For a stage given only as data, compute is records x a default cost per
 * record of the stage's kernel, labelled "uncalibrated" wherever it is
 * reported. The defaults take the single-core native rates measured for
 * these kernels on this class of machine (../shared/conventions.md: hash
 * aggregation ~95 M rows/s with few groups, LZ4 ~500 MB/s) and multiply by
 * 10 for the JVM's row-at-a-time overhead. They are placeholders for the
 * stages calibration could not measure, and the report says so.
 */
#include "sim/runtime/taskcost.h"

#include <string.h>

const char *task_phase_name(enum task_phase p)
{
    static const char *const names[PHASE_COUNT] = {"input", "fetch", "compute", "spill", "write"};
    return (unsigned)p < PHASE_COUNT ? names[p] : "?";
}

struct kernel_default {
    const char *kernel;
    double ns_per_record;
};

static const struct kernel_default kernel_defaults[] = {
    {"scan", 50.0},                /* columnar decode */
    {"filter", 20.0},
    {"project", 20.0},
    {"hash_aggregate", 105.0},     /* 10 x 10.5 ns (95 M rows/s native) */
    {"sort", 400.0},               /* n log n folded in at ~1e6 rows per task */
    {"sort_merge_join", 300.0},
    {"broadcast_hash_join", 150.0},
    {"window", 400.0},
    {"distinct", 105.0},
    {"shuffle_write", 200.0},      /* serialize + LZ4 */
    {"shuffle_read", 100.0},
    {"limit", 5.0},
    {"generic", 100.0},
};

double taskcost_default_s_per_record(const char *kernel)
{
    if (!kernel)
        kernel = "generic";
    for (size_t i = 0; i < sizeof kernel_defaults / sizeof kernel_defaults[0]; i++)
        if (strcmp(kernel_defaults[i].kernel, kernel) == 0)
            return kernel_defaults[i].ns_per_record * 1e-9;
    return 100e-9;
}

void taskcost_stage_init(struct stage_cost *c, const struct plan_stage *spec,
                         const struct cluster *cl)
{
    memset(c, 0, sizeof *c);
    if (spec->has_task_seconds) {
        c->from_dist = true;
        c->task_seconds = spec->task_seconds;
        c->task_seconds_list = spec->task_seconds_list;
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
        c->compute_s_per_record = k->ns_per_row * scale;
        c->compute_s_fixed = (k->intercept_ns > 0.0 ? k->intercept_ns : 0.0) * scale;
        return;
    }
    c->uncalibrated = true;
    c->records = spec->records > 0 && spec->tasks > 0 ? (double)spec->records / spec->tasks : 0.0;
    c->compute_s_per_record = taskcost_default_s_per_record(spec->kernel);
}

double taskcost_task(const struct stage_cost *c, gsl_rng *rng, int64_t index,
                     float phase_s[PHASE_COUNT])
{
    for (int p = 0; p < PHASE_COUNT; p++)
        phase_s[p] = 0.0f;
    double t;
    if (c->from_dist)
        t = c->task_seconds_list ? c->task_seconds_list[index]
                                 : dist_sample(&c->task_seconds, rng);
    else
        t = c->records * c->compute_s_per_record + c->compute_s_fixed;
    phase_s[PHASE_COMPUTE] = (float)t;
    return t;
}
