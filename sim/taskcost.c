/*
 * taskcost.c — a task's phase times (see taskcost.h).
 *
 * For a stage given only as data, the estimate here is deliberately simple
 * and labelled "uncalibrated" wherever it is reported:
 *  - each byte moves at the slot's even share of a node resource: input and
 *    shuffle fetch through the NIC (catalog network Mbps / slots per node),
 *    shuffle write to the local SSD (catalog MB/s / slots per node); a node
 *    with no published local-SSD figure is not charged for the write;
 *  - compute is records × a default cost per record of the stage's kernel.
 * The defaults per record take the single-core native rates measured for
 * these kernels on this class of machine (../shared/conventions.md: hash
 * aggregation ~95 M rows/s with few groups, LZ4 ~500 MB/s) and multiply by
 * 10 for the JVM's row-at-a-time overhead. They are placeholders until
 * calibrated kernels replace them, and the report says so.
 */
#include "sim/taskcost.h"

#include <math.h>
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

static double per_task(int64_t total, int64_t tasks)
{
    return total > 0 && tasks > 0 ? (double)total / (double)tasks : 0.0;
}

void taskcost_stage_init(struct stage_cost *c, const struct stage_spec *spec,
                         const struct cluster *cl)
{
    memset(c, 0, sizeof *c);
    if (spec->has_task_seconds) {
        c->from_dist = true;
        c->task_seconds = spec->task_seconds;
        c->task_seconds_list = spec->task_seconds_list;
        return;
    }
    c->uncalibrated = true;
    double slots_per_node = (double)cl->executors_per_worker * cl->slots_per_executor;
    double nic_bps = cl->worker->network_mbps * 1e6 / 8.0;
    double ssd_bps = cl->worker->local_ssd_mbps * 1e6;
    c->input_bytes = per_task(spec->input_bytes, spec->tasks);
    c->fetch_bytes = per_task(spec->shuffle_read_bytes, spec->tasks);
    c->write_bytes = per_task(spec->shuffle_write_bytes, spec->tasks);
    c->records = per_task(spec->records, spec->tasks);
    c->input_rate_bps = isnan(nic_bps) ? 0.0 : nic_bps / slots_per_node;
    c->fetch_rate_bps = c->input_rate_bps;
    c->write_rate_bps = isnan(ssd_bps) ? 0.0 : ssd_bps / slots_per_node;
    c->compute_s_per_record = taskcost_default_s_per_record(spec->kernel);
}

static double move_time(double bytes, double rate_bps)
{
    return bytes > 0.0 && rate_bps > 0.0 ? bytes / rate_bps : 0.0;
}

double taskcost_task(const struct stage_cost *c, gsl_rng *rng, int64_t index,
                     float phase_s[PHASE_COUNT])
{
    for (int p = 0; p < PHASE_COUNT; p++)
        phase_s[p] = 0.0f;
    if (c->from_dist) {
        double t = c->task_seconds_list ? c->task_seconds_list[index]
                                        : dist_sample(&c->task_seconds, rng);
        phase_s[PHASE_COMPUTE] = (float)t;
        return t;
    }
    double input = move_time(c->input_bytes, c->input_rate_bps);
    double fetch = move_time(c->fetch_bytes, c->fetch_rate_bps);
    double write = move_time(c->write_bytes, c->write_rate_bps);
    double compute = c->records * c->compute_s_per_record;
    phase_s[PHASE_INPUT] = (float)input;
    phase_s[PHASE_FETCH] = (float)fetch;
    phase_s[PHASE_COMPUTE] = (float)compute;
    phase_s[PHASE_WRITE] = (float)write;
    return input + fetch + compute + write;
}
