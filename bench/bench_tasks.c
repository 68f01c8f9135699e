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
#include "bench/fixture.h"
#include "bench/timing.h"

enum { STAGES = 100, CHAINS = 10, EXECUTORS = 500, CORES = 4 };

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
        bench_chained_stage(&stages[i], i, total / STAGES, CHAINS, &parents[i]);
    }
    struct cluster cl;
    bench_vm_cluster(&cl, &node, "Bench_4core", EXECUTORS, CORES);

    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1};
    opt.task_records = keep;
    struct plan *p = plan_new(&s, &d);
    double c0 = bench_cpu_s(), t0 = bench_now_s();
    struct sim *sim = p ? sim_new(p, &cl, &opt, &d) : NULL;
    if (!sim || sim_run(sim, &d) != SC_OK) {
        char buf[1024];
        fprintf(stderr, "bench_tasks: %s\n", diag_format(&d, buf, sizeof buf));
        return 1;
    }
    double t = bench_now_s() - t0, c = bench_cpu_s() - c0;
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
