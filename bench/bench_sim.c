/*
 * bench_sim.c — how fast the engine and the Spark runtime model are. Prints
 * figures; never a pass/fail test.
 *
 *  1. engine hold: pop the earliest event and push it back at a random later
 *     time, with 1e3 and 1e6 events pending (ns per hold);
 *  2. the issue-2 job: 1,000,000 tasks in 100 stages (10 chains of 10
 *     stages, 10,000 tasks each, lognormal times) on 500 executors of 4
 *     cores; wall time of build + run + summary and peak memory per task.
 *
 *  3. a 2,000 x 2,000 shuffle through the network model.
 *
 * Each figure is the median of several runs: the machine is shared.
 * Usage: bench_sim [runs]   (default 5)
 *        bench_sim shuffle TASKS [QUANTUM_MS|- [GIB]]   (one shuffle, CPU time)
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sim/runtime/engine.h"
#include "sim/runtime/runtime.h"
#include "bench/fixture.h"
#include "bench/timing.h"

/* ---- 1. engine hold ---------------------------------------------------- */

struct hold_ctx {
    gsl_rng *rng;
    uint64_t left;
};

static void hold(struct engine *eng, struct event *ev)
{
    struct hold_ctx *c = ev->arg;
    if (c->left == 0) {
        engine_stop(eng);
        return;
    }
    c->left--;
    engine_schedule(eng, ev, engine_now(eng) + 1 + (int64_t)gsl_rng_uniform_int(c->rng, 1000000),
                    0);
}

static double bench_hold(size_t pending, uint64_t holds)
{
    struct engine eng;
    engine_init(&eng, pending);
    struct event *evs = malloc(pending * sizeof *evs);
    struct hold_ctx c = {gsl_rng_alloc(gsl_rng_taus2), holds};
    gsl_rng_set(c.rng, 1);
    for (size_t i = 0; i < pending; i++) {
        event_init(&evs[i], hold, &c);
        engine_schedule(&eng, &evs[i], (int64_t)gsl_rng_uniform_int(c.rng, 1000000), 0);
    }
    double t0 = bench_now_s();
    engine_run(&eng, ENGINE_TIME_MAX);
    double t = bench_now_s() - t0;
    engine_fini(&eng);
    free(evs);
    gsl_rng_free(c.rng);
    return t / (double)holds * 1e9;
}

/* ---- 2. a million tasks ------------------------------------------------ */

enum { STAGES = 100, CHAINS = 10, TASKS_PER_STAGE = 10000, EXECUTORS = 500, CORES = 4 };

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Builds, runs and summarizes S on CL (seed 1); returns the seconds that
 * took, with the simulated makespan and the task count. Exits on error. */
static double timed_run(const struct scenario *s, const struct cluster *cl, double *makespan_s,
                        size_t *n_tasks)
{
    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1};
    /* The plan (the explicit stages copied) is made before the clock starts:
     * what is timed is the simulation. */
    struct plan *p = plan_new(s, &d);
    double t0 = bench_now_s();
    struct sim *sim = p ? sim_new(p, cl, &opt, &d) : NULL;
    if (!sim || sim_run(sim, &d) != SC_OK) {
        char buf[1024];
        fprintf(stderr, "bench: %s\n", diag_format(&d, buf, sizeof buf));
        exit(1);
    }
    double t = bench_now_s() - t0;
    const struct results *r = sim_results(sim);
    *makespan_s = r->makespan_s;
    *n_tasks = (size_t)r->n_attempts;
    sim_free(sim);
    plan_free(p);
    return t;
}

static double bench_million(double *makespan_s, uint64_t *events)
{
    static struct stage_spec stages[STAGES];
    static int64_t parents[STAGES];
    static struct job_spec job;
    static struct scenario s;
    static struct node_type node;
    memset(&s, 0, sizeof s);
    s.file = "bench";
    s.name = "bench-1m";
    s.seed = 1;
    spark_conf_init(&s.spark);
    s.model.task_launch_s = NAN;
    s.model.network_quantum_s = NAN;
    job.name = "million";
    job.submit_s = NAN;
    job.stages = stages;
    job.n_stages = STAGES;
    s.jobs = &job;
    s.n_jobs = 1;
    for (int i = 0; i < STAGES; i++) {
        bench_chained_stage(&stages[i], i, TASKS_PER_STAGE, CHAINS, &parents[i]);
    }
    struct cluster cl;
    bench_vm_cluster(&cl, &node, "Bench_4core", EXECUTORS, CORES);

    size_t n_tasks;
    double t = timed_run(&s, &cl, makespan_s, &n_tasks);
    *events = n_tasks; /* one completion event per task */
    spark_conf_fini(&s.spark);
    return t;
}

/* ---- 3. a shuffle through the network model ---------------------------- */

/* 100 workers of 8 cores (12.5 Gbit/s NICs, 500 MB/s local disks): 2,000
 * map tasks write 200 GiB of shuffle, 2,000 reduce tasks fetch it, with
 * Spark's default fetch limits (48 MiB in flight, requests of 9.6 MiB). */
static double bench_shuffle(int tasks, double quantum_s, double tolerance, double gib,
                            double *makespan_s, size_t *flows)
{
    static struct stage_spec stages[2];
    static int64_t parent = 0;
    static struct job_spec job;
    static struct scenario s;
    static struct node_type node;
    memset(&s, 0, sizeof s);
    memset(stages, 0, sizeof stages);
    s.file = "bench";
    s.name = "bench-shuffle";
    s.seed = 1;
    spark_conf_init(&s.spark);
    s.model.task_launch_s = NAN;
    s.model.network_quantum_s = quantum_s;
    s.model.network_tolerance = tolerance;
    job.name = "shuffle";
    job.submit_s = NAN;
    job.stages = stages;
    job.n_stages = 2;
    s.jobs = &job;
    s.n_jobs = 1;
    for (int i = 0; i < 2; i++) {
        struct stage_spec *st = &stages[i];
        st->id = i;
        st->tasks = tasks;
        st->has_task_seconds = true;
        st->task_seconds.kind = DIST_LOGNORMAL;
        st->task_seconds.p1 = log(1.0);
        st->task_seconds.p2 = 0.3;
        st->input_bytes = st->records = st->shuffle_read_bytes = st->shuffle_write_bytes = -1;
        st->output_bytes = st->memory_bytes = -1;
    }
    stages[0].shuffle_write_bytes = (int64_t)(gib * (double)(1LL << 30));
    stages[1].shuffle_read_bytes = stages[0].shuffle_write_bytes;
    stages[1].parents = &parent;
    stages[1].n_parents = 1;
    strcpy(node.name, "Bench_8core");
    node.vcpus = 8;
    node.memory_gib = 64;
    node.price_usd_per_hour = 0.5;
    node.dbu_per_hour = NAN;
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    cl.platform = PLATFORM_VM;
    cl.driver = cl.worker = &node;
    cl.workers = 100;
    cl.executors_per_worker = 1;
    cl.executor_cores = 8;
    cl.task_cpus = 1;
    cl.slots_per_executor = 8;
    cl.executors = 100;
    cl.startup_source = "bench";
    cl.nic_bps = 12.5e9 / 8.0;
    cl.disk_bps = 500e6;
    cl.storage_egress_bps = 25e9;
    cl.storage_ingress_bps = 7.5e9;
    cl.network_limit_bps = INFINITY;
    memory_layout(38.0 * 1024 * 1024 * 1024, 0.6, 0.5, &cl.memory);
    billing_rates_for(PLATFORM_VM, PRICING_JOBS, TIER_PREMIUM, &node, NULL, true, &cl.driver_rates);
    cl.worker_rates = cl.driver_rates;
    size_t n_tasks;
    double t = timed_run(&s, &cl, makespan_s, &n_tasks);
    /* Remote requests: each reducer asks every other worker for its share
     * in requests of at most 9.6 MiB. */
    *flows = n_tasks;
    spark_conf_fini(&s.spark);
    return t;
}

/* bench_sim shuffle TASKS [QUANTUM_MS|-|tol=E [GIB]]: the shuffle alone,
 * TASKS map x TASKS reduce tasks moving GIB GiB (default 200 x TASKS / 2000:
 * each task moves what it moves at 2,000), once, with its CPU time (user +
 * sys) and the predicted makespan at full precision (to compare quanta and
 * versions). A quantum of 0 is the exact model; none, the default; tol=E
 * the adaptive grain of model.network_tolerance E. */
static int shuffle_only(int argc, char **argv)
{
    int tasks = argc > 2 ? atoi(argv[2]) : 2000;
    double q_s = NAN, tol = NAN;
    if (argc > 3 && strncmp(argv[3], "tol=", 4) == 0)
        tol = atof(argv[3] + 4);
    else if (argc > 3 && strcmp(argv[3], "-") != 0)
        q_s = atof(argv[3]) / 1000.0;
    double gib = argc > 4 ? atof(argv[4]) : 200.0 * tasks / 2000.0;
    if (tasks < 1 || tasks > 1000000) {
        fprintf(stderr, "bench_sim shuffle: TASKS must be 1..1000000\n");
        return 1;
    }
    double makespan = 0, c0 = bench_cpu_s();
    size_t flows = 0;
    double t = bench_shuffle(tasks, q_s, tol, gib, &makespan, &flows);
    printf("shuffle %d x %d, %.0f GiB: cpu %.3f s, elapsed %.3f s, makespan %.9f s, peak rss %ld "
           "KiB\n",
           tasks, tasks, gib, bench_cpu_s() - c0, t, makespan, peak_rss_kib());
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc > 1 && strcmp(argv[1], "shuffle") == 0)
        return shuffle_only(argc, argv);
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 100)
        runs = 5;
    double v[100];

    printf("stagecast benchmarks, median of %d runs\n\n", runs);

    /* The million-task job first, while the process's peak memory is still
     * its start-up's: the growth of the peak is then this job's own. */
    long rss0 = peak_rss_kib();
    double makespan = 0;
    uint64_t events = 0;
    for (int i = 0; i < runs; i++)
        v[i] = bench_million(&makespan, &events);
    long rss1 = peak_rss_kib();
    double tasks = (double)STAGES * TASKS_PER_STAGE;
    double t = bench_median(v, runs);
    printf("%.0f tasks, %d stages, %d executors x %d cores: %.3f s median "
           "(%.2f M tasks/s), simulated makespan %.1f s\n",
           tasks, STAGES, EXECUTORS, CORES, t, tasks / t * 1e-6, makespan);
    printf("peak memory growth: %.1f MiB, %.0f bytes per task\n\n", (double)(rss1 - rss0) / 1024.0,
           (double)(rss1 - rss0) * 1024.0 / tasks);
    (void)events;

    size_t sizes[2] = {1000, 1000000};
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < runs; i++)
            v[i] = bench_hold(sizes[k], 2000000);
        printf("engine hold, %7zu pending events: %6.1f ns per hold\n", sizes[k],
               bench_median(v, runs));
    }

    size_t flows = 0;
    for (int i = 0; i < runs; i++)
        v[i] = bench_shuffle(2000, NAN, NAN, 200.0, &makespan, &flows);
    printf("\nshuffle of 200 GiB, 2,000 x 2,000 tasks on 100 workers through the network "
           "model: %.3f s median, simulated makespan %.1f s\n",
           bench_median(v, runs), makespan);
    return 0;
}
