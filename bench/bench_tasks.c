/*
 * bench_tasks.c — one simulation of N tasks, for measuring CPU time and peak
 * memory from outside (`/usr/bin/time -v bench/bench_tasks 10000000`). The
 * job is bench_sim's million-task one scaled: 100 stages in 10 chains of 10,
 * N/100 tasks each with lognormal times (median 2 s), on 500 executors of 4
 * cores. Prints its figures; never a pass/fail test.
 *
 * Usage: bench_tasks [tasks] [keep]   (default 1,000,000; "keep": ask for
 * per-task records, as a timeline, trace, plot or per-task output would)
 */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sim/runtime/runtime.h"
#include "bench/timing.h"

enum { STAGES = 100, CHAINS = 10, EXECUTORS = 500, CORES = 4 };

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    long long total = argc > 1 ? atoll(argv[1]) : 1000000;
    bool keep = argc > 2 && strcmp(argv[2], "keep") == 0;
    if (total < STAGES || total > 4000000000LL) {
        fprintf(stderr, "bench_tasks: tasks must be in 100..4e9\n");
        return 2;
    }
    static struct stage_spec stages[STAGES];
    static int64_t parents[STAGES];
    static struct job_spec job;
    static struct scenario s;
    static struct node_type node;
    s.file = "bench";
    s.name = "bench-tasks";
    s.seed = 1;
    spark_conf_init(&s.spark);
    s.model.task_launch_s = NAN;
    s.model.network_quantum_s = NAN;
    job.name = "tasks";
    job.submit_s = NAN;
    job.stages = stages;
    job.n_stages = STAGES;
    s.jobs = &job;
    s.n_jobs = 1;
    for (int i = 0; i < STAGES; i++) {
        struct stage_spec *st = &stages[i];
        st->id = i;
        st->tasks = total / STAGES;
        st->has_task_seconds = true;
        st->task_seconds.kind = DIST_LOGNORMAL;
        st->task_seconds.p1 = log(2.0);
        st->task_seconds.p2 = 0.3;
        st->input_bytes = st->records = st->shuffle_read_bytes = st->shuffle_write_bytes = -1;
        if (i >= CHAINS) {
            parents[i] = i - CHAINS;
            st->parents = &parents[i];
            st->n_parents = 1;
        }
    }
    strcpy(node.name, "Bench_4core");
    node.vcpus = CORES;
    node.price_usd_per_hour = 0.2;
    node.dbu_per_hour = NAN;
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    cl.platform = PLATFORM_VM;
    cl.driver = cl.worker = &node;
    cl.workers = EXECUTORS;
    cl.executors_per_worker = 1;
    cl.executor_cores = CORES;
    cl.task_cpus = 1;
    cl.slots_per_executor = CORES;
    cl.executors = EXECUTORS;
    cl.startup_source = "bench";
    billing_rates_for(PLATFORM_VM, PRICING_JOBS, TIER_PREMIUM, &node, NULL, true, &cl.driver_rates);
    cl.worker_rates = cl.driver_rates;

    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1};
    opt.task_records = keep;
    struct plan *p = plan_new(&s, &d);
    double c0 = cpu_s(), t0 = bench_now_s();
    struct sim *sim = p ? sim_new(p, &cl, &opt, &d) : NULL;
    if (!sim || sim_run(sim, &d) != SC_OK) {
        char buf[1024];
        fprintf(stderr, "bench_tasks: %s\n", diag_format(&d, buf, sizeof buf));
        return 1;
    }
    double t = bench_now_s() - t0, c = cpu_s() - c0;
    const struct results *r = sim_results(sim);
    const struct stage_result *s0 = &r->stages[0];
    printf("%lld tasks (%s per-task records): simulate %.3f s elapsed, %.3f s CPU; "
           "makespan %.1f s; stage 0 p50 %.6f p95 %.6f max %.6f mean %.6f\n",
           (long long)(total / STAGES * STAGES), keep ? "with" : "without", t, c, r->makespan_s,
           s0->task_p50_s, s0->task_p95_s, s0->task_max_s, s0->task_mean_s);
    sim_free(sim);
    plan_free(p);
    spark_conf_fini(&s.spark);
    return 0;
}
