/*
 * jvm.c — the JVM's own costs on a predicted task (see jvm.h).
 *
 * The defaults are medians over the shared event logs of each log's own
 * value, as `stagecast fit-jvm` on the logs of ../shared/data/eventlogs
 * and eventlogs-extra prints them; docs/models/jvm.md lists
 * the logs, the per-log figures and the leave-one-log-out errors.
 */
#include "models/jvm.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

void jvm_costs_default(struct jvm_costs *c)
{
    c->task_fixed_s = JVM_DEFAULT_TASK_FIXED_S;
    c->gc_share = JVM_DEFAULT_GC_SHARE;
    c->first_task_s = JVM_DEFAULT_FIRST_TASK_S;
    c->first_task_local_s = JVM_DEFAULT_FIRST_TASK_LOCAL_S;
    c->first_query_factor = JVM_DEFAULT_FIRST_QUERY_FACTOR;
    c->first_run_s = JVM_DEFAULT_FIRST_RUN_S;
    c->first_run_small_s = JVM_DEFAULT_FIRST_RUN_SMALL_S;
    c->query_driver_s = JVM_DEFAULT_QUERY_DRIVER_S;
    c->broadcast_driver_s = JVM_DEFAULT_BROADCAST_DRIVER_S;
}

bool jvm_local_master(const char *master)
{
    if (!master || strncmp(master, "local", 5) != 0)
        return false;
    return master[5] == '\0' || master[5] == '[';
}

void jvm_costs_off(struct jvm_costs *c)
{
    c->task_fixed_s = c->gc_share = c->first_task_s = c->query_driver_s = c->broadcast_driver_s =
        c->first_run_s = c->first_run_small_s = c->first_task_local_s = 0.0;
    c->first_query_factor = 1.0;
}

void jvm_costs_unset(struct jvm_costs *c)
{
    c->task_fixed_s = c->gc_share = c->first_task_s = c->first_query_factor = c->query_driver_s =
        c->broadcast_driver_s = c->first_run_s = c->first_run_small_s = c->first_task_local_s =
            NAN;
}

void jvm_costs_resolve(struct jvm_costs *c)
{
    struct jvm_costs d;
    jvm_costs_default(&d);
    double *v[] = {&c->task_fixed_s,       &c->gc_share,       &c->first_task_s,
                   &c->first_query_factor, &c->query_driver_s, &c->broadcast_driver_s,
                   &c->first_run_s,        &c->first_run_small_s, &c->first_task_local_s};
    const double dv[] = {d.task_fixed_s,       d.gc_share,       d.first_task_s,
                         d.first_query_factor, d.query_driver_s, d.broadcast_driver_s,
                         d.first_run_s,        d.first_run_small_s, d.first_task_local_s};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (isnan(*v[i]))
            *v[i] = dv[i];
}

double jvm_task_s(const struct jvm_costs *c, double compute_s, bool cold_slot, bool cold_pipeline,
                  bool first_wave, double records)
{
    /* The kernels' cost is CPU time; Spark's run time adds the GC pauses
     * that stop the task's thread: run = cpu / (1 - gc share). */
    double t = compute_s * (cold_pipeline ? c->first_query_factor : 1.0) / (1.0 - c->gc_share);
    double warm_up = cold_slot                      ? c->first_task_s
                     : !(cold_pipeline && first_wave) ? 0.0
                     : records > 0.0 && records < JVM_FIRST_RUN_RECORDS ? c->first_run_small_s
                                                                        : c->first_run_s;
    return t + c->task_fixed_s + warm_up;
}
