/*
 * test_runtime.c — the Spark runtime model against cases worked out by hand:
 * waves of equal tasks, stages sharing slots, chains and diamonds, FIFO
 * versus FAIR for concurrent jobs, the driver's launch overhead, sequential
 * and timed job submission, and invariants on a random DAG.
 *
 * Scenarios are built in memory on a made-up node type so that the numbers
 * depend on nothing but the model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/runtime/runtime.h"
#include "sim_fixture.h"

#define MAX_STAGES 64
#define MAX_JOBS 8

struct fixture {
    struct scenario s;
    struct job_spec jobs[MAX_JOBS];
    struct stage_spec stages[MAX_JOBS][MAX_STAGES];
    int64_t parents[MAX_JOBS][MAX_STAGES][4];
    struct node_type node;
    struct cluster cl;
    struct sim *sim;
    struct plan *plan;
};

static struct fixture *fixture_new(int executors, int cores)
{
    struct fixture *f = calloc(1, sizeof *f);
    fixture_scenario(&f->s);
    f->s.jobs = f->jobs;
    fixture_cluster(&f->cl, &f->node, executors, cores, 1.0);
    return f;
}

static struct job_spec *add_job(struct fixture *f, const char *name)
{
    struct job_spec *j = &f->jobs[f->s.n_jobs];
    j->name = (char *)name;
    j->submit_s = NAN;
    j->stages = f->stages[f->s.n_jobs];
    f->s.n_jobs++;
    return j;
}

static struct stage_spec *add_stage(struct fixture *f, struct job_spec *j, int64_t id,
                                    int64_t tasks, double seconds)
{
    size_t ji = (size_t)(j - f->jobs);
    struct stage_spec *st = &j->stages[j->n_stages];
    fixture_stage(st, id, tasks, seconds);
    st->parents = f->parents[ji][j->n_stages];
    j->n_stages++;
    return st;
}

static void add_parent(struct stage_spec *st, int64_t parent)
{
    st->parents[st->n_parents++] = parent;
}

static const struct results *run(struct fixture *f)
{
    return fixture_run(&f->sim, &f->plan, &f->s, &f->cl, f->s.seed);
}

static void fixture_free(struct fixture *f)
{
    sim_free(f->sim);
    plan_free(f->plan);
    spark_conf_fini(&f->s.spark);
    free(f);
}

static double stage_end_s(const struct results *r, size_t i)
{
    return (double)(r->stages[i].end_us - r->start_us) * 1e-6;
}

static void test_equal_tasks_fill_waves(void **state)
{
    (void)state;
    /* 10 tasks of 2 s on 2 executors x 2 cores = 4 slots: ceil(10/4) = 3
     * waves, so 3 x 2 = 6 s. */
    struct fixture *f = fixture_new(2, 2);
    add_stage(f, add_job(f, "waves"), 0, 10, 2.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 6.0, 1e-9);
    assert_int_equal(r->n_tasks, 10);
    fixture_free(f);
}

static void test_waves_for_many_shapes(void **state)
{
    (void)state;
    /* The same formula over a grid of task and slot counts. */
    int shapes[][3] = {{1, 1, 1}, {7, 1, 3}, {16, 4, 4}, {17, 4, 4}, {100, 3, 8}, {5, 8, 2}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        int n = shapes[k][0], execs = shapes[k][1], cores = shapes[k][2];
        struct fixture *f = fixture_new(execs, cores);
        add_stage(f, add_job(f, "w"), 0, n, 1.5);
        const struct results *r = run(f);
        int slots = execs * cores;
        double expect = ceil((double)n / slots) * 1.5;
        assert_float_equal(r->makespan_s, expect, 1e-9);
        fixture_free(f);
    }
}

static void test_task_cpus_halve_the_slots(void **state)
{
    (void)state;
    /* spark.task.cpus = 2 on 4-core executors: 2 slots each, so 8 tasks of
     * 1 s on one executor take ceil(8/2) = 4 s. */
    struct fixture *f = fixture_new(1, 4);
    f->cl.task_cpus = 2;
    f->cl.slots_per_executor = 2;
    add_stage(f, add_job(f, "cpus"), 0, 8, 1.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 4.0, 1e-9);
    fixture_free(f);
}

static void test_independent_stages_share_slots(void **state)
{
    (void)state;
    /* Stages 0 (6 tasks) and 1 (2 tasks), no parents, 1 s each, 4 slots.
     * FIFO: stage 0 takes all 4 slots at t=0; at t=1 its last 2 tasks and
     * stage 1's 2 tasks fill the 4 slots; both stages end at t=2. Stage 1 was
     * submitted at 0 even though it waited. */
    struct fixture *f = fixture_new(1, 4);
    struct job_spec *j = add_job(f, "share");
    add_stage(f, j, 0, 6, 1.0);
    add_stage(f, j, 1, 2, 1.0);
    add_stage(f, j, 2, 1, 1.0);
    add_parent(&j->stages[2], 0);
    add_parent(&j->stages[2], 1);
    const struct results *r = run(f);
    assert_float_equal(stage_end_s(r, 0), 2.0, 1e-9);
    assert_float_equal(stage_end_s(r, 1), 2.0, 1e-9);
    assert_int_equal(r->stages[1].submit_us, r->start_us);
    /* Stage 2 waits for both, then runs 1 s. */
    assert_float_equal(stage_end_s(r, 2), 3.0, 1e-9);
    assert_float_equal(r->makespan_s, 3.0, 1e-9);
    fixture_free(f);
}

static void test_chain_adds_up(void **state)
{
    (void)state;
    /* 0 -> 1 -> 2 on 4 slots: 4 x 1 s (one wave) + 8 x 2 s (two waves) +
     * 2 x 3 s (one wave) = 1 + 4 + 3 = 8 s. */
    struct fixture *f = fixture_new(2, 2);
    struct job_spec *j = add_job(f, "chain");
    add_stage(f, j, 0, 4, 1.0);
    add_parent(add_stage(f, j, 1, 8, 2.0), 0);
    add_parent(add_stage(f, j, 2, 2, 3.0), 1);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 8.0, 1e-9);
    assert_float_equal(stage_end_s(r, 0), 1.0, 1e-9);
    assert_float_equal(stage_end_s(r, 1), 5.0, 1e-9);
    fixture_free(f);
}

static void test_diamond_waits_for_both_branches(void **state)
{
    (void)state;
    /* 0 -> {1, 2} -> 3 on 8 slots. 0: 8 x 1 s ends at 1. 1: 4 x 3 s and
     * 2: 4 x 1 s run side by side (8 slots) from 1: 2 ends at 2, 1 at 4.
     * 3: 1 x 1 s starts at 4, ends at 5. */
    struct fixture *f = fixture_new(2, 4);
    struct job_spec *j = add_job(f, "diamond");
    add_stage(f, j, 0, 8, 1.0);
    add_parent(add_stage(f, j, 1, 4, 3.0), 0);
    add_parent(add_stage(f, j, 2, 4, 1.0), 0);
    struct stage_spec *last = add_stage(f, j, 3, 1, 1.0);
    add_parent(last, 1);
    add_parent(last, 2);
    const struct results *r = run(f);
    assert_float_equal(stage_end_s(r, 2), 2.0, 1e-9);
    assert_float_equal(stage_end_s(r, 1), 4.0, 1e-9);
    assert_float_equal((double)(r->stages[3].submit_us - r->start_us) * 1e-6, 4.0, 1e-9);
    assert_float_equal(r->makespan_s, 5.0, 1e-9);
    fixture_free(f);
}

static struct fixture *two_concurrent_jobs(const char *mode, const char *pool_a,
                                           const char *pool_b)
{
    struct fixture *f = fixture_new(1, 4);
    struct diag d;
    diag_clear(&d);
    assert_int_equal(spark_conf_set(&f->s.spark, "spark.scheduler.mode", mode, NULL, 0, &d),
                     SC_OK);
    struct job_spec *a = add_job(f, "A");
    a->pool = (char *)pool_a;
    add_stage(f, a, 0, 8, 1.0);
    struct job_spec *b = add_job(f, "B");
    b->pool = (char *)pool_b;
    b->concurrent = true;
    add_stage(f, b, 0, 8, 1.0);
    return f;
}

static double job_end_s(const struct results *r, size_t j)
{
    return (double)(r->jobs[j].end_us - r->start_us) * 1e-6;
}

static void test_fifo_runs_first_job_first(void **state)
{
    (void)state;
    /* Jobs A and B submitted together, 8 tasks of 1 s each, 4 slots.
     * FIFO: A takes the 4 slots at 0 and again at 1, ending at 2; B runs
     * 2..3 and 3..4, ending at 4. */
    struct fixture *f = two_concurrent_jobs("FIFO", "a", "b");
    const struct results *r = run(f);
    assert_float_equal(job_end_s(r, 0), 2.0, 1e-9);
    assert_float_equal(job_end_s(r, 1), 4.0, 1e-9);
    fixture_free(f);
}

static void test_fair_shares_slots_between_pools(void **state)
{
    (void)state;
    /* FAIR, A in pool "a", B in pool "b". At 0 both pools run nothing; the
     * tie goes to the smaller name, and Spark's offer round lets the first
     * task set take every free slot: A gets 4. At 1 the four completions
     * are offered one by one to the pool with fewer running tasks:
     * b (a=3,b=0), b (2,1), a (1,2), a (1,2) -> A 2 running, B 2 running.
     * At 2 the same alternation launches B3, B4, A7, A8: A has launched all
     * 8. At 3 A's last two end (A ends at 3) and B takes all slots; B's last
     * four run 3..4. FAIR: A ends at 3, B at 4 (FIFO: 2 and 4). */
    struct fixture *f = two_concurrent_jobs("FAIR", "a", "b");
    const struct results *r = run(f);
    assert_float_equal(job_end_s(r, 0), 3.0, 1e-9);
    assert_float_equal(job_end_s(r, 1), 4.0, 1e-9);
    /* At t in [1, 2) each job holds two slots. */
    int a = 0, b = 0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct task_rec *t = &r->tasks[i];
        if (t->launch_us <= 1500000 && t->end_us > 1500000) {
            if (r->stages[t->stage].job == 0)
                a++;
            else
                b++;
        }
    }
    assert_int_equal(a, 2);
    assert_int_equal(b, 2);
    fixture_free(f);
}

static void test_fair_in_one_default_pool_is_fifo(void **state)
{
    (void)state;
    /* Spark's default pool orders its own task sets FIFO, so FAIR mode
     * without pools gives FIFO's times. */
    struct fixture *f = two_concurrent_jobs("FAIR", NULL, NULL);
    const struct results *r = run(f);
    assert_float_equal(job_end_s(r, 0), 2.0, 1e-9);
    assert_float_equal(job_end_s(r, 1), 4.0, 1e-9);
    fixture_free(f);
}

static void test_driver_launches_tasks_one_at_a_time(void **state)
{
    (void)state;
    /* 4 tasks of 1 s on 4 slots with 0.1 s of driver time per launch: task
     * i starts at 0.1 (i + 1), so the last ends at 0.4 + 1 = 1.4 s and the
     * scheduler delays are 0.1, 0.2, 0.3, 0.4. */
    struct fixture *f = fixture_new(1, 4);
    f->s.model.task_launch_s = 0.1;
    add_stage(f, add_job(f, "launch"), 0, 4, 1.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 1.4, 1e-9);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(r->tasks[i].launch_us - r->tasks[i].assign_us, 100000 * (int64_t)(i + 1));
    fixture_free(f);
}

static void test_jobs_run_one_after_another(void **state)
{
    (void)state;
    /* Job 1 (4 x 1 s) then job 2 (4 x 2 s) on 4 slots: job 2 is submitted
     * when job 1 ends at 1, and ends at 3. A third job with submit_s = 10
     * starts at 10 on the idle cluster and ends at 11: makespan 11. */
    struct fixture *f = fixture_new(1, 4);
    add_stage(f, add_job(f, "one"), 0, 4, 1.0);
    add_stage(f, add_job(f, "two"), 0, 4, 2.0);
    struct job_spec *three = add_job(f, "three");
    three->submit_s = 10.0;
    add_stage(f, three, 0, 4, 1.0);
    const struct results *r = run(f);
    assert_float_equal((double)(r->jobs[1].submit_us - r->start_us) * 1e-6, 1.0, 1e-9);
    assert_float_equal(job_end_s(r, 1), 3.0, 1e-9);
    assert_float_equal((double)(r->jobs[2].submit_us - r->start_us) * 1e-6, 10.0, 1e-9);
    assert_float_equal(r->makespan_s, 11.0, 1e-9);
    /* Utilization: busy 4 + 8 + 4 = 16 slot-s of 4 x 11 = 44. */
    assert_float_equal(r->utilization, 16.0 / 44.0, 1e-9);
    fixture_free(f);
}

static void test_next_job_waits_for_concurrent_ones(void **state)
{
    (void)state;
    /* A (4 x 3 s) and B (concurrent, 1 x 0.1 s) start at 0 on 8 slots; B
     * ends at 0.1 but the driver waits for both before C: C starts at 3 and
     * ends at 4. A timed job T at 1 s (2 x 1 s) starts its own thread; U,
     * after T in the file, follows T (starts at 2), not A. */
    struct fixture *f = fixture_new(2, 4);
    add_stage(f, add_job(f, "A"), 0, 4, 3.0);
    struct job_spec *b = add_job(f, "B");
    b->concurrent = true;
    add_stage(f, b, 0, 1, 0.1);
    struct job_spec *c = add_job(f, "C");
    add_stage(f, c, 0, 2, 1.0);
    struct job_spec *t = add_job(f, "T");
    t->submit_s = 1.0;
    add_stage(f, t, 0, 2, 1.0);
    add_stage(f, add_job(f, "U"), 0, 1, 0.5);
    const struct results *r = run(f);
    assert_float_equal(job_end_s(r, 1), 0.1, 1e-9);
    assert_float_equal((double)(r->jobs[2].submit_us - r->start_us) * 1e-6, 3.0, 1e-9);
    assert_float_equal(job_end_s(r, 2), 4.0, 1e-9);
    assert_float_equal((double)(r->jobs[3].submit_us - r->start_us) * 1e-6, 1.0, 1e-9);
    assert_float_equal((double)(r->jobs[4].submit_us - r->start_us) * 1e-6, 2.0, 1e-9);
    assert_float_equal(job_end_s(r, 4), 2.5, 1e-9);
    assert_float_equal(r->makespan_s, 4.0, 1e-9);
    fixture_free(f);
}

/* A random DAG of lognormal tasks: invariants that hold for any schedule. */
static void test_gap_delays_the_next_job(void **state)
{
    (void)state;
    /* A (2 x 1 s) ends at 1; B has gap_s = 2.5, so it is submitted at 3.5
     * and ends at 4.5. */
    struct fixture *f = fixture_new(1, 2);
    add_stage(f, add_job(f, "A"), 0, 2, 1.0);
    struct job_spec *b = add_job(f, "B");
    b->gap_s = 2.5;
    add_stage(f, b, 0, 1, 1.0);
    const struct results *r = run(f);
    assert_float_equal((double)(r->jobs[1].submit_us - r->start_us) * 1e-6, 3.5, 1e-9);
    assert_float_equal(r->makespan_s, 4.5, 1e-9);
    fixture_free(f);
}

static void test_random_dag_keeps_invariants(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(3, 4);
    struct job_spec *j = add_job(f, "random");
    unsigned x = 12345;
    int n = 30;
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        int64_t tasks = 1 + (x >> 16) % 40;
        struct stage_spec *st = add_stage(f, j, i, tasks, 1.0);
        st->task_seconds.kind = DIST_LOGNORMAL;
        st->task_seconds.p1 = 0.0;
        st->task_seconds.p2 = 0.5;
        total += tasks;
        for (int p = 0; p < 3 && i > 0; p++) {
            x = x * 1103515245u + 12345u;
            int64_t parent = (x >> 16) % i;
            bool dup = false;
            for (size_t q = 0; q < st->n_parents; q++)
                dup |= st->parents[q] == parent;
            if (!dup && (x >> 8) % 2)
                add_parent(st, parent);
        }
    }
    const struct results *r = run(f);
    /* Every task ends exactly once. */
    assert_int_equal(r->n_tasks, total);
    int64_t *count = calloc((size_t)n, sizeof *count);
    for (size_t i = 0; i < r->n_tasks; i++)
        count[r->tasks[i].stage]++;
    for (int i = 0; i < n; i++)
        assert_int_equal(count[i], j->stages[i].tasks);
    free(count);
    /* A stage starts no earlier than its parents end. */
    for (int i = 0; i < n; i++)
        for (size_t p = 0; p < j->stages[i].n_parents; p++)
            assert_true(r->stages[i].submit_us >= r->stages[j->stages[i].parents[p]].end_us);
    /* No slot runs two tasks at once. */
    for (size_t a = 0; a < r->n_tasks; a++)
        for (size_t b = a + 1; b < r->n_tasks; b++) {
            const struct task_rec *ta = &r->tasks[a], *tb = &r->tasks[b];
            if (ta->executor == tb->executor && ta->slot == tb->slot)
                assert_true(ta->end_us <= tb->assign_us || tb->end_us <= ta->assign_us);
        }
    /* Busy never exceeds available. */
    assert_true(r->busy_s <= r->available_s + 1e-9);
    fixture_free(f);
}

static void test_same_seed_same_records(void **state)
{
    (void)state;
    struct fixture *f[3];
    for (int k = 0; k < 3; k++) {
        f[k] = fixture_new(2, 4);
        f[k]->s.seed = k < 2 ? 42 : 43;
        struct stage_spec *st = add_stage(f[k], add_job(f[k], "seeded"), 0, 50, 1.0);
        st->task_seconds.kind = DIST_EXPONENTIAL;
        st->task_seconds.p1 = 2.0;
    }
    /* Two simulations alive at once: neither disturbs the other. */
    const struct results *a = run(f[0]);
    const struct results *b = run(f[1]);
    const struct results *c = run(f[2]);
    assert_int_equal(a->n_tasks, b->n_tasks);
    assert_memory_equal(a->tasks, b->tasks, a->n_tasks * sizeof *a->tasks);
    assert_true(a->end_us != c->end_us);
    for (int k = 0; k < 3; k++)
        fixture_free(f[k]);
}

/* sim_new under a memory limit: NULL and d's status, or the simulation. */
static enum sc_status build_under_limit(struct fixture *f, bool records, double limit_bytes,
                                        struct diag *d)
{
    diag_clear(d);
    f->plan = plan_new(&f->s, d);
    assert_non_null(f->plan);
    struct sim_options opt = {
        .seed = 1, .task_records = records, .memory_limit_bytes = limit_bytes};
    f->sim = sim_new(f->plan, &f->cl, &opt, d);
    enum sc_status st = f->sim ? SC_OK : d->status;
    sim_free(f->sim);
    f->sim = NULL;
    plan_free(f->plan);
    f->plan = NULL;
    return st;
}

static void test_memory_estimate_refuses_before_allocating(void **state)
{
    (void)state;
    /* Two stages of 1e6 and 3e6 tasks. Per task: its attempt count (1 B)
     * and its stage's exact run times (8 B at worst, for at most 1e6 tasks
     * a stage): 1e6 x 9 + 3e6 x 1 + 1e6 x 8 = 20e6 B. With records, one
     * struct task_rec per task more: 4e6 x sizeof. */
    struct fixture *f = fixture_new(2, 1);
    struct job_spec *j = add_job(f, "big");
    add_stage(f, j, 0, 1000000, 1.0);
    add_stage(f, j, 1, 3000000, 1.0);
    double state_b = 20e6, records = 4e6 * (double)sizeof(struct task_rec);
    struct diag d;
    assert_int_equal(build_under_limit(f, false, state_b, &d), SC_OK);
    assert_int_equal(build_under_limit(f, false, state_b - 1.0, &d), SC_ELIMIT);
    assert_int_equal(build_under_limit(f, true, state_b + records, &d), SC_OK);
    assert_int_equal(build_under_limit(f, true, state_b + records - 1.0, &d), SC_ELIMIT);
    /* The message names the largest stage and the key its count is from. */
    assert_non_null(strstr(d.msg, "stage 1 has 3000000 tasks (tasks = 3000000)"));
    assert_non_null(strstr(d.msg, "task records"));
    /* No limit: built. */
    assert_int_equal(build_under_limit(f, true, 0.0, &d), SC_OK);
    fixture_free(f);
}

static void test_memory_estimate_counts_lost_output_lists(void **state)
{
    (void)state;
    /* The stages above, stage 1 reading stage 0, on a cluster with spot
     * workers: a node's eviction loses its map outputs, so each task of
     * the stage another reads keeps where its output lives and the link of
     * its worker's list (int32 each, 8 B). Stage 1 is read by none: no
     * more. 20e6 + 1e6 x 8 = 28e6 B. Without spot, the 20e6 of the test
     * above. */
    struct fixture *f = fixture_new(2, 1);
    struct job_spec *j = add_job(f, "big");
    add_stage(f, j, 0, 1000000, 1.0);
    add_parent(add_stage(f, j, 1, 3000000, 1.0), 0);
    struct diag d;
    assert_int_equal(build_under_limit(f, false, 20e6, &d), SC_OK);
    assert_int_equal(build_under_limit(f, false, 20e6 - 1.0, &d), SC_ELIMIT);
    f->cl.spot_fraction = 0.5;
    f->cl.spot_evictions_per_hour = 1.0;
    f->cl.spot_evict_at_s = NAN;
    assert_int_equal(build_under_limit(f, false, 28e6, &d), SC_OK);
    assert_int_equal(build_under_limit(f, false, 28e6 - 1.0, &d), SC_ELIMIT);
    fixture_free(f);
}

static void test_task_times_do_not_depend_on_cluster_size(void **state)
{
    (void)state;
    /* Each stage draws from its own stream in task order, so task i has the
     * same time on 2 slots and on 16 (common random numbers for sweeps). */
    double t2[20], t16[20];
    for (int k = 0; k < 2; k++) {
        struct fixture *f = fixture_new(k == 0 ? 1 : 4, k == 0 ? 2 : 4);
        struct stage_spec *st = add_stage(f, add_job(f, "crn"), 0, 20, 1.0);
        st->task_seconds.kind = DIST_UNIFORM;
        st->task_seconds.p1 = 1.0;
        st->task_seconds.p2 = 3.0;
        const struct results *r = run(f);
        for (size_t i = 0; i < r->n_tasks; i++)
            (k == 0 ? t2 : t16)[r->tasks[i].index] =
                (double)(r->tasks[i].end_us - r->tasks[i].launch_us);
        fixture_free(f);
    }
    for (int i = 0; i < 20; i++)
        assert_float_equal(t2[i], t16[i], 0.5);
}

static void test_task_list_gives_each_task_its_time(void **state)
{
    (void)state;
    /* Times 1..5 s for tasks 0..4 on 2 slots: tasks 0, 1 at 0; task 2 when
     * task 0 ends (1 s), ends at 4; task 3 when task 1 ends (2 s), ends at 6;
     * task 4 at 4, ends at 9. */
    struct fixture *f = fixture_new(1, 2);
    static double times[5] = {1, 2, 3, 4, 5};
    struct stage_spec *st = add_stage(f, add_job(f, "list"), 0, 5, 0.0);
    st->task_seconds_list = times;
    const struct results *r = run(f);
    for (size_t i = 0; i < r->n_tasks; i++)
        assert_int_equal(r->tasks[i].end_us - r->tasks[i].launch_us,
                         (int64_t)(times[r->tasks[i].index] * 1e6));
    assert_float_equal(r->makespan_s, 9.0, 1e-9);
    fixture_free(f);
}

static void test_driver_time_delays_jobs_and_stages(void **state)
{
    (void)state;
    /* Job driver_s = 0.5: its first stage is submitted at 0.5. That stage
     * (4 x 1 s on 4 slots) has driver_s = 0.25: its tasks are offered at
     * 0.75 and end at 1.75; its child (driver_s 0) runs 1.75..2.75. The
     * first stage's reported start is its submission, 0.5. */
    struct fixture *f = fixture_new(1, 4);
    struct job_spec *j = add_job(f, "driver");
    j->driver_s = 0.5;
    struct stage_spec *a = add_stage(f, j, 0, 4, 1.0);
    a->driver_s = 0.25;
    add_parent(add_stage(f, j, 1, 4, 1.0), 0);
    const struct results *r = run(f);
    assert_float_equal((double)(r->stages[0].submit_us - r->start_us) * 1e-6, 0.5, 1e-9);
    assert_float_equal(stage_end_s(r, 0), 1.75, 1e-9);
    assert_float_equal(r->makespan_s, 2.75, 1e-9);
    fixture_free(f);
}

static void test_late_executors_join_when_they_register(void **state)
{
    (void)state;
    /* 2 executors of 1 core; the second registers at 3 s. 4 tasks of 2 s:
     * executor 0 runs 0..2, 2..4; executor 1 from 3: 3..5, and the last
     * task goes to whichever frees first: executor 0 at 4 -> 4..6. */
    struct fixture *f = fixture_new(2, 1);
    static double starts[2] = {0.0, 3.0};
    f->s.cluster.executor_start_s = starts;
    f->s.cluster.n_executor_start_s = 2;
    add_stage(f, add_job(f, "late"), 0, 4, 2.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 6.0, 1e-9);
    /* Executor 1 was alive 3..6: 3 s of its slot available. */
    assert_float_equal(r->executors[1].alive_s, 3.0, 1e-9);
    assert_float_equal(r->available_s, 6.0 + 3.0, 1e-9);
    f->s.cluster.executor_start_s = NULL;
    fixture_free(f);
}

static void test_timeline_executor_leaving_loses_its_tasks(void **state)
{
    (void)state;
    /* 2 executors x 2 cores until 10 s, then 1. 12 tasks of 4 s, 4 slots:
     * waves at 0..4 and 4..8 end 8 tasks; the third wave starts at 8 on all
     * 4 slots; at 10 executor 0 leaves and its 2 running tasks fail and
     * run again. Executor 1's two end at 12, and the 2 reruns take its slots
     * 12..16: makespan 16 (12 without the leave: 3 waves of 4 s). */
    struct fixture *f = fixture_new(2, 2);
    static struct executor_spec tl[2] = {{.start_s = 0.0, .end_s = 10.0, .cores = 2}, {.start_s = 0.0, .end_s = INFINITY, .cores = 2}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 2;
    add_stage(f, add_job(f, "waves"), 0, 12, 4.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 16.0, 1e-9);
    assert_int_equal(r->failed_attempts, 2);
    /* 14 attempts: 12 tasks and the 2 reruns, on executor 1 after 10 s. */
    assert_int_equal(r->n_tasks, 14);
    for (size_t i = 0; i < r->n_tasks; i++)
        if (r->tasks[i].launch_us >= 10000000)
            assert_int_equal(r->tasks[i].executor, 1);
    assert_float_equal(r->executors[0].alive_s, 10.0, 1e-9);
    assert_float_equal(r->executors[1].alive_s, 16.0, 1e-9);
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_timeline_executor_joining_adds_its_cores(void **state)
{
    (void)state;
    /* Executor A (2 cores) from 0, executor B (1 core) joins at 3 s. 8 tasks
     * of 2 s: A runs 2 at 0..2, 2 at 2..4; B takes one at 3..5; A takes the
     * last two at 4..6, the fifth wave's slot on B runs 5..7? No: 8 tasks
     * are 2 + 2 + 1 + 2 = 7 by 4 s, the eighth starts on B at 5 and ends at
     * 7. Makespan 7 (8 on A alone: 4 waves). B has one slot, not the
     * position's two. */
    struct fixture *f = fixture_new(2, 2);
    static struct executor_spec tl[2] = {{.start_s = 0.0, .end_s = INFINITY, .cores = 2}, {.start_s = 3.0, .end_s = INFINITY, .cores = 1}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 2;
    add_stage(f, add_job(f, "join"), 0, 8, 2.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 7.0, 1e-9);
    assert_int_equal(r->executors[1].slots, 1);
    assert_float_equal(r->executors[1].alive_s, 4.0, 1e-9);
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_lost_tasks_run_again_last_lost_first(void **state)
{
    (void)state;
    /* Spark's pending lists are stacks: a task lost with its executor is
     * appended again and dequeueTaskFromList takes from the end, so the
     * task lost last runs first. Executors of one core: e0 until 2 s, e1
     * until 3 s, e2 from 4 s. 2 tasks of 10 s: task 0 on e0 and task 1 on
     * e1 at 0; task 0 is lost at 2, task 1 at 3; at 4 e2 takes task 1
     * (4..14), then task 0 (14..24). */
    struct fixture *f = fixture_new(3, 1);
    static struct executor_spec tl[3] = {{.start_s = 0.0, .end_s = 2.0, .cores = 1},
                                         {.start_s = 0.0, .end_s = 3.0, .cores = 1},
                                         {.start_s = 4.0, .end_s = INFINITY, .cores = 1}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 3;
    add_stage(f, add_job(f, "lifo"), 0, 2, 10.0);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 24.0, 1e-9);
    assert_int_equal(r->failed_attempts, 2);
    assert_int_equal(r->n_tasks, 4);
    int seen = 0;
    for (size_t i = 0; i < r->n_tasks; i++) {
        const struct task_rec *t = &r->tasks[i];
        double launch_s = (double)(t->launch_us - r->start_us) * 1e-6;
        if (fabs(launch_s - 4.0) < 1e-9) {
            assert_int_equal(t->index, 1);
            assert_int_equal(t->attempt, 1);
            seen++;
        } else if (fabs(launch_s - 14.0) < 1e-9) {
            assert_int_equal(t->index, 0);
            assert_int_equal(t->attempt, 1);
            seen++;
        }
    }
    assert_int_equal(seen, 2);
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_lost_attempt_is_lost_again_with_its_executor(void **state)
{
    (void)state;
    /* An event log lost attempt 0 of a 1 s task with executor e0, which it
     * had run for 4 s when e0 left at 5 s; e1 joins at 6 s. Replayed on
     * that timeline the attempt runs on e0 from 0 and is lost with it at 5
     * (its 1 s successful time says nothing of it); attempt 1 runs on e1
     * at 6..7. Makespan 7, not 1. */
    struct fixture *f = fixture_new(2, 1);
    static struct executor_spec tl[2] = {{.start_s = 0.0, .end_s = 5.0, .cores = 1},
                                         {.start_s = 6.0, .end_s = INFINITY, .cores = 1}};
    static struct lost_attempt_spec lost[1] = {{.task = 0, .executor = 0, .run_s = 4.0}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 2;
    struct stage_spec *st = add_stage(f, add_job(f, "lost"), 0, 1, 1.0);
    st->lost = lost;
    st->n_lost = 1;
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 7.0, 1e-9);
    assert_int_equal(r->failed_attempts, 1);
    st->lost = NULL;
    st->n_lost = 0;
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_lost_attempt_elsewhere_runs_as_long_as_logged(void **state)
{
    (void)state;
    /* The log lost attempt 0 of a 1 s task with executor e1 after 3 s of
     * it. Replayed, the attempt runs on e0 (the first slot offered), which
     * stays: it is not lost, and runs the 3 s the log's ran without
     * finishing. Makespan 3. Without the timeline the attempts the log
     * lost say nothing of the cluster: 1 s. */
    struct fixture *f = fixture_new(2, 1);
    static struct executor_spec tl[2] = {{.start_s = 0.0, .end_s = INFINITY, .cores = 1},
                                         {.start_s = 0.0, .end_s = 2.0, .cores = 1}};
    static struct lost_attempt_spec lost[1] = {{.task = 0, .executor = 1, .run_s = 3.0}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 2;
    struct stage_spec *st = add_stage(f, add_job(f, "elsewhere"), 0, 1, 1.0);
    st->lost = lost;
    st->n_lost = 1;
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 3.0, 1e-9);
    assert_int_equal(r->failed_attempts, 0);
    f->s.cluster.executors = NULL;
    f->s.cluster.n_executors = 0;
    sim_free(f->sim);
    plan_free(f->plan);
    r = run(f);
    assert_float_equal(r->makespan_s, 1.0, 1e-9);
    st->lost = NULL;
    st->n_lost = 0;
    fixture_free(f);
}

static void conf_set(struct fixture *f, const char *key, const char *value)
{
    struct diag d;
    diag_clear(&d);
    assert_int_equal(spark_conf_set(&f->s.spark, key, value, NULL, 0, &d), SC_OK);
}

static void test_failed_task_is_excluded_from_its_executor(void **state)
{
    (void)state;
    /* Two executors of one core (e0, e1). Task 0 (2 s) fails on e0 after
     * 1 s (failed_attempts), task 1 runs 10 s on e1. Without
     * excludeOnFailure task 0 runs again on e0 at 1..3: makespan 10. With
     * it (maxTaskAttemptsPerExecutor 1) e0 is excluded for task 0, which
     * waits for e1: 10..12. */
    static double secs[2] = {2.0, 10.0};
    static struct lost_attempt_spec failed[1] = {{.task = 0, .executor = 0, .run_s = 1.0}};
    for (int on = 0; on < 2; on++) {
        struct fixture *f = fixture_new(2, 1);
        struct stage_spec *st = add_stage(f, add_job(f, "fail"), 0, 2, 0.0);
        st->task_seconds_list = secs;
        st->failed = failed;
        st->n_failed = 1;
        if (on)
            conf_set(f, "spark.excludeOnFailure.enabled", "true");
        const struct results *r = run(f);
        assert_float_equal(r->makespan_s, on ? 12.0 : 10.0, 1e-9);
        assert_int_equal(r->failed_attempts, 1);
        st->task_seconds_list = NULL;
        st->failed = NULL;
        st->n_failed = 0;
        fixture_free(f);
    }
}

/* 4 tasks of 2 s on e0 and e1 (one core each); task 0 fails on e0 after
 * 1 s and task 2 after 0.5 s (failed_attempts). */
static struct stage_spec *add_two_failures(struct fixture *f, struct job_spec *j)
{
    static struct lost_attempt_spec failed[2] = {{.task = 0, .executor = 0, .run_s = 1.0},
                                                 {.task = 2, .executor = 0, .run_s = 0.5}};
    struct stage_spec *st = add_stage(f, j, 0, 4, 2.0);
    st->failed = failed;
    st->n_failed = 2;
    return st;
}

static void test_executor_with_two_failed_tasks_leaves_the_stage(void **state)
{
    (void)state;
    /* Without excludeOnFailure: task 0 fails on e0 at 1 and runs again
     * there 1..3; task 1 on e1 0..2, task 2 on e1 2..4 (it fails only on
     * e0), task 3 on e0 3..5: makespan 5.
     * With it: at 1 e0 may not run task 0 again and takes task 2, which
     * fails at 1.5: two tasks failed on e0, which is excluded for the stage
     * (stage.maxFailedTasksPerExecutor 2). e1 runs the rest, the task
     * queued last first: task 2 2..4, task 0 4..6, task 3 6..8: 8.
     * With stage.maxFailedTasksPerExecutor 3, e0 stays in the stage but
     * not for tasks 0 and 2: it runs task 3 1.5..3.5, e1 task 2 2..4 and
     * task 0 4..6: 6. */
    const double want[3] = {5.0, 8.0, 6.0};
    for (int k = 0; k < 3; k++) {
        struct fixture *f = fixture_new(2, 1);
        struct stage_spec *st = add_two_failures(f, add_job(f, "stage"));
        if (k > 0)
            conf_set(f, "spark.excludeOnFailure.enabled", "true");
        if (k == 2)
            conf_set(f, "spark.excludeOnFailure.stage.maxFailedTasksPerExecutor", "3");
        const struct results *r = run(f);
        assert_float_equal(r->makespan_s, want[k], 1e-9);
        /* Without exclusion task 2 never runs on e0, where it would fail. */
        assert_int_equal(r->failed_attempts, k == 0 ? 1 : 2);
        st->failed = NULL;
        st->n_failed = 0;
        fixture_free(f);
    }
}

static void test_application_excludes_an_executor_until_its_timeout(void **state)
{
    (void)state;
    /* Job 1 is the stage above with exclusion on: it ends at 8 with two
     * failures on e0, at 1 and 1.5. Job 2, after it, has 3 tasks of 5 s.
     * spark.excludeOnFailure.timeout 100 s: the failures count, e0 is
     * excluded for the application until 108, and e1 runs job 2 alone:
     * 8..13, 13..18, 18..23. Timeout 7 s: each failure counts until 7 s
     * after it (8 and 8.5, not yet past at 8), e0 is excluded until 15:
     * e1 8..13 and 13..18, e0 from 15 the third task, 15..20. Timeout 2 s:
     * both failures expired (3 and 3.5) when job 1 succeeded: nothing
     * excluded, 8..13 on both and 13..18. The legacy name
     * spark.blacklist.timeout sets it as well. */
    const char *timeout[3] = {"100s", "7s", "2s"};
    const double want[3] = {23.0, 20.0, 18.0};
    for (int k = 0; k < 3; k++) {
        struct fixture *f = fixture_new(2, 1);
        struct stage_spec *st = add_two_failures(f, add_job(f, "first"));
        add_stage(f, add_job(f, "second"), 1, 3, 5.0);
        conf_set(f, k == 1 ? "spark.blacklist.enabled" : "spark.excludeOnFailure.enabled", "true");
        conf_set(f, k == 1 ? "spark.blacklist.timeout" : "spark.excludeOnFailure.timeout",
                 timeout[k]);
        const struct results *r = run(f);
        assert_float_equal(r->makespan_s, want[k], 1e-9);
        st->failed = NULL;
        st->n_failed = 0;
        fixture_free(f);
    }
}

static void test_task_failing_twice_on_a_host_leaves_the_host(void **state)
{
    (void)state;
    /* One-core executors e0, e1, e2 on host a and e3 on host b. Tasks of
     * 2, 0.5, 0.5 and 10 s start on e0..e3 at 0. Task 0 fails on e0 at 1;
     * e1 (free since 0.5) takes it and it fails there at 2. Two failures on
     * host a (task.maxTaskAttemptsPerNode 2): a's executors may not run it,
     * though e2 is free, and it waits for e3: 10..12. With the limit at 3,
     * e2 runs it at 2..4, and task 3 ends the stage at 10. */
    static double secs[4] = {2.0, 0.5, 0.5, 10.0};
    static struct lost_attempt_spec failed[2] = {{.task = 0, .executor = 0, .run_s = 1.0},
                                                 {.task = 0, .executor = 1, .run_s = 1.0}};
    static struct executor_spec tl[4] = {
        {.start_s = 0.0, .end_s = INFINITY, .cores = 1, .host = "a"},
        {.start_s = 0.0, .end_s = INFINITY, .cores = 1, .host = "a"},
        {.start_s = 0.0, .end_s = INFINITY, .cores = 1, .host = "a"},
        {.start_s = 0.0, .end_s = INFINITY, .cores = 1, .host = "b"}};
    for (int k = 0; k < 2; k++) {
        struct fixture *f = fixture_new(4, 1);
        f->s.cluster.executors = tl;
        f->s.cluster.n_executors = 4;
        struct stage_spec *st = add_stage(f, add_job(f, "node"), 0, 4, 0.0);
        st->task_seconds_list = secs;
        st->failed = failed;
        st->n_failed = 2;
        conf_set(f, "spark.excludeOnFailure.enabled", "true");
        if (k == 1)
            conf_set(f, "spark.excludeOnFailure.task.maxTaskAttemptsPerNode", "3");
        const struct results *r = run(f);
        assert_float_equal(r->makespan_s, k == 0 ? 12.0 : 10.0, 1e-9);
        assert_int_equal(r->failed_attempts, 2);
        st->task_seconds_list = NULL;
        st->failed = NULL;
        st->n_failed = 0;
        f->s.cluster.executors = NULL;
        fixture_free(f);
    }
}

static void test_executors_the_application_lost_count_their_tasks_failures(void **state)
{
    (void)state;
    /* One-core timeline executors: e0 (0..1 s) and e1 (2..3 s) on host a,
     * both lost by the application (lost_by_app: an ExecutorLostFailure
     * with exitCausedByApp, which counts towards spark.task.maxFailures),
     * e2 on host a from 4 s and e3 on host b from 6 s. One task of 10 s is
     * lost at 1 and at 3.
     * - spark.task.maxFailures 2: the second loss aborts the job.
     * - Otherwise, without exclusion, e2 runs it at 4..14.
     * - With exclusion its two failures on host a's executors (gone as they
     *   are) exclude it from the host (task.maxTaskAttemptsPerNode 2): e2
     *   may not run it, and e3 does at 6..16.
     * - Without lost_by_app (an eviction) nothing counts: e2 at 4..14. */
    static struct executor_spec tl[4] = {
        {.start_s = 0.0, .end_s = 1.0, .cores = 1, .host = "a", .lost_by_app = true},
        {.start_s = 2.0, .end_s = 3.0, .cores = 1, .host = "a", .lost_by_app = true},
        {.start_s = 4.0, .end_s = INFINITY, .cores = 1, .host = "a"},
        {.start_s = 6.0, .end_s = INFINITY, .cores = 1, .host = "b"}};
    const double want[4] = {0.0, 14.0, 16.0, 14.0};
    for (int k = 0; k < 4; k++) {
        struct fixture *f = fixture_new(4, 1);
        tl[0].lost_by_app = tl[1].lost_by_app = k != 3;
        f->s.cluster.executors = tl;
        f->s.cluster.n_executors = 4;
        add_stage(f, add_job(f, "lost"), 0, 1, 10.0);
        if (k == 0)
            conf_set(f, "spark.task.maxFailures", "2");
        if (k >= 2)
            conf_set(f, "spark.excludeOnFailure.enabled", "true");
        if (k == 0) {
            struct diag d;
            diag_clear(&d);
            struct sim_options opt = {.seed = 1, .task_records = true};
            f->plan = plan_new(&f->s, &d);
            assert_non_null(f->plan);
            f->sim = sim_new(f->plan, &f->cl, &opt, &d);
            assert_non_null(f->sim);
            assert_int_equal(sim_run(f->sim, &d), SC_EINPUT);
            assert_non_null(strstr(d.msg, "failed 2 times"));
        } else {
            const struct results *r = run(f);
            assert_float_equal(r->makespan_s, want[k], 1e-9);
            assert_int_equal(r->failed_attempts, 2);
        }
        f->s.cluster.executors = NULL;
        fixture_free(f);
    }
}

static void test_task_failing_max_failures_times_aborts_the_run(void **state)
{
    (void)state;
    /* spark.task.maxFailures 2: the task fails twice and Spark aborts its
     * job; the simulation stops with that error. */
    static struct lost_attempt_spec failed[2] = {{.task = 0, .executor = -1, .run_s = 1.0},
                                                 {.task = 0, .executor = -1, .run_s = 1.0}};
    struct fixture *f = fixture_new(2, 1);
    struct stage_spec *st = add_stage(f, add_job(f, "abort"), 0, 1, 2.0);
    st->failed = failed;
    st->n_failed = 2;
    conf_set(f, "spark.task.maxFailures", "2");
    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1, .task_records = true};
    f->plan = plan_new(&f->s, &d);
    assert_non_null(f->plan);
    f->sim = sim_new(f->plan, &f->cl, &opt, &d);
    assert_non_null(f->sim);
    assert_int_equal(sim_run(f->sim, &d), SC_EINPUT);
    assert_non_null(strstr(d.msg, "failed 2 times (spark.task.maxFailures = 2)"));
    st->failed = NULL;
    st->n_failed = 0;
    fixture_free(f);
}

/* Map stage 0 (2 tasks of 1 s) feeds stage 1 (2 tasks of 5 s); executors
 * e0 (leaves at 3 s) and e1, one core each. */
static const struct results *run_lost_shuffle(struct fixture *f, bool service)
{
    static struct executor_spec tl[2] = {{.start_s = 0.0, .end_s = 3.0, .cores = 1}, {.start_s = 0.0, .end_s = INFINITY, .cores = 1}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 2;
    struct diag d;
    diag_clear(&d);
    if (service)
        assert_int_equal(
            spark_conf_set(&f->s.spark, "spark.shuffle.service.enabled", "true", NULL, 0, &d),
            SC_OK);
    struct job_spec *j = add_job(f, "shuffle");
    add_stage(f, j, 0, 2, 1.0);
    add_parent(add_stage(f, j, 1, 2, 5.0), 0);
    return run(f);
}

static void test_timeline_leave_loses_shuffle_without_the_service(void **state)
{
    (void)state;
    /* Without the external shuffle service: at 3 e0 leaves with map task
     * 0's output. Its reducer dies; stage 0 runs task 0 again, which stops
     * the running reducer on e1 too (FetchFailed). e1: map 3..4, then both
     * reducers 4..9 and 9..14: makespan 14. */
    struct fixture *f = fixture_new(2, 1);
    const struct results *r = run_lost_shuffle(f, false);
    assert_float_equal(r->makespan_s, 14.0, 1e-9);
    assert_int_equal(r->recomputed_tasks, 1);
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_timeline_leave_keeps_shuffle_with_the_service(void **state)
{
    (void)state;
    /* With spark.shuffle.service.enabled the output survives: e0's reducer
     * dies at 3 and runs again on e1 after e1's own ends at 6: 6..11. */
    struct fixture *f = fixture_new(2, 1);
    const struct results *r = run_lost_shuffle(f, true);
    assert_float_equal(r->makespan_s, 11.0, 1e-9);
    assert_int_equal(r->recomputed_tasks, 0);
    assert_int_equal(r->failed_attempts, 1);
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_after_waits_for_its_job_only(void **state)
{
    (void)state;
    /* 2 slots. A (1 x 10 s) runs 0..10; B is concurrent with A, 1 s after
     * it (gap_s = 1), and runs 1..2; C comes after B with gap_s = 0.5: it is
     * submitted at 2.5, while A still runs, and ends at 3.5. D, untimed
     * after C in the file, follows C in C's thread: submitted at 3.5. */
    struct fixture *f = fixture_new(1, 2);
    add_stage(f, add_job(f, "A"), 0, 1, 10.0);
    struct job_spec *b = add_job(f, "B");
    b->concurrent = true;
    b->gap_s = 1.0;
    add_stage(f, b, 0, 1, 1.0);
    struct job_spec *c = add_job(f, "C");
    c->after = "B";
    c->after_index = 1;
    c->gap_s = 0.5;
    add_stage(f, c, 0, 1, 1.0);
    add_stage(f, add_job(f, "D"), 0, 1, 1.0);
    const struct results *r = run(f);
    assert_float_equal((double)(r->jobs[1].submit_us - r->start_us) * 1e-6, 1.0, 1e-9);
    assert_float_equal((double)(r->jobs[2].submit_us - r->start_us) * 1e-6, 2.5, 1e-9);
    assert_float_equal(job_end_s(r, 2), 3.5, 1e-9);
    assert_float_equal((double)(r->jobs[3].submit_us - r->start_us) * 1e-6, 3.5, 1e-9);
    assert_float_equal(r->makespan_s, 10.0, 1e-9);
    fixture_free(f);
}

static void test_after_moves_with_the_work_before_it(void **state)
{
    (void)state;
    /* B comes 2 s after A ends. A of 4 tasks x 3 s on 2 slots ends at 6,
     * B is submitted at 8; with A's tasks halved (1.5 s) A ends at 3 and B
     * is submitted at 5: 3 s earlier, what the halving saved. */
    double submit[2];
    for (int half = 0; half < 2; half++) {
        struct fixture *f = fixture_new(1, 2);
        add_stage(f, add_job(f, "A"), 0, 4, half ? 1.5 : 3.0);
        struct job_spec *b = add_job(f, "B");
        b->after = "A";
        b->after_index = 0;
        b->gap_s = 2.0;
        add_stage(f, b, 0, 1, 1.0);
        const struct results *r = run(f);
        submit[half] = (double)(r->jobs[1].submit_us - r->start_us) * 1e-6;
        fixture_free(f);
    }
    assert_float_equal(submit[0], 8.0, 1e-9);
    assert_float_equal(submit[1], 5.0, 1e-9);
}

static void test_query_job_is_refused_with_its_line(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(1, 1);
    struct job_spec *j = add_job(f, "q");
    struct query_step step = {.op = OP_SCAN, .n = -1};
    j->query = &step;
    j->n_query = 1;
    j->line = 17;
    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1};
    struct plan *p = plan_new(&f->s, &d);
    assert_non_null(p);
    assert_null(sim_new(p, &f->cl, &opt, &d));
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 17);
    plan_free(p);
    fixture_free(f);
}

/* ---- the JVM's own costs (models/jvm.h) ------------------------------------ */

/* A stage of TASKS tasks whose compute comes from data: RECORDS records at
 * the generic kernel's default 100 ns each (uncalibrated), no bytes moved. */
static struct stage_spec *add_data_stage(struct fixture *f, struct job_spec *j, int64_t id,
                                         int64_t tasks, int64_t records)
{
    struct stage_spec *st = add_stage(f, j, id, tasks, 0.0);
    st->has_task_seconds = false;
    st->records = records;
    st->kernel = "generic";
    return st;
}

static const struct jvm_costs test_jvm = {.task_fixed_s = 0.01,
                                          .gc_share = 0.2,
                                          .first_task_s = 0.5,
                                          .first_query_factor = 2.0,
                                          .query_driver_s = 0.0,
                                          .broadcast_driver_s = 0.0};

static void test_jvm_costs_on_equal_tasks(void **state)
{
    (void)state;
    /* One executor of S = 2 slots; stage 0: 4 tasks of 1e6 records (0.1 s
     * at 100 ns), the first stage to run the generic kernel, so its
     * compute is doubled: 0.2 / (1 - 0.2) + 0.01 = 0.26 s a task. Both
     * slots start on a fresh executor (no task finished yet): + 0.5 s, so
     * the first wave ends at 0.76 and the second at 0.76 + 0.26 = 1.02.
     * Stage 1 (its child, same kernel, warm): 4 x (0.1 / 0.8 + 0.01) =
     * 0.135 s on 2 slots, two waves: 0.27 s, ending at 1.29. */
    struct fixture *f = fixture_new(1, 2);
    f->s.model.jvm = test_jvm;
    struct job_spec *j = add_job(f, "j");
    add_data_stage(f, j, 0, 4, 4000000);
    add_parent(add_data_stage(f, j, 1, 4, 4000000), 0);
    const struct results *r = run(f);
    assert_float_equal(fixture_stage_span(r, 0), 1.02, 1e-6);
    assert_float_equal(fixture_stage_span(r, 1), 0.27, 1e-6);
    assert_float_equal(r->makespan_s, 1.29, 1e-6);
    /* What each stage's compute was multiplied by, as the results say. */
    assert_float_equal(r->stages[0].compute_factor, 2.0, 0.0);
    assert_float_equal(r->stages[1].compute_factor, 1.0, 0.0);
    fixture_free(f);
}

static void test_jvm_costs_leave_given_task_seconds_alone(void **state)
{
    (void)state;
    /* 4 tasks of 0.1 s given as task_seconds on 2 slots: 0.2 s, whatever
     * model.jvm says (a measured time already holds the JVM's costs). */
    struct fixture *f = fixture_new(1, 2);
    f->s.model.jvm = test_jvm;
    struct job_spec *j = add_job(f, "j");
    add_stage(f, j, 0, 4, 0.1);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 0.2, 1e-9);
    fixture_free(f);
}

static void test_jvm_first_task_cost_per_fresh_executor(void **state)
{
    (void)state;
    /* Two executors of 1 slot, no factor or fixed cost: 3 tasks of 0.1 s.
     * Tasks 0 and 1 start on fresh executors (+0.5 s: end at 0.6); task 2
     * starts at 0.6 on an executor that has finished a task: 0.7. With
     * spark.master local[*] the first tasks pay first_task_local_s 0.2
     * instead (0.3, then 0.4); "local-cluster[2,1,1024]" starts executors
     * in JVMs of their own: 0.7 again. */
    const char *masters[] = {NULL, "local[*]", "local-cluster[2,1,1024]"};
    const double want[] = {0.7, 0.4, 0.7};
    for (int i = 0; i < 3; i++) {
        struct fixture *f = fixture_new(2, 1);
        jvm_costs_off(&f->s.model.jvm);
        f->s.model.jvm.first_task_s = 0.5;
        f->s.model.jvm.first_task_local_s = 0.2;
        struct diag d;
        diag_clear(&d);
        if (masters[i])
            assert_int_equal(
                spark_conf_set(&f->s.spark, "spark.master", masters[i], NULL, 0, &d), SC_OK);
        struct job_spec *j = add_job(f, "j");
        add_data_stage(f, j, 0, 3, 3000000);
        const struct results *r = run(f);
        assert_float_equal(r->makespan_s, want[i], 1e-6);
        fixture_free(f);
    }
}

static void test_jvm_first_wave_of_a_new_pipeline(void **state)
{
    (void)state;
    /* One executor of 2 slots, only the first-wave costs: stage 0 (generic
     * kernel, 2 tasks of 0.1 s) runs on a fresh executor, so each task pays
     * first_task_s 0.5 and not first_run_s: ends at 0.6. Stage 1 runs the
     * sort kernel, new to the JVM, on the now warm executor: 4 tasks of c =
     * 1e6 records x the sort kernel's default cost; the first wave (one a
     * slot) pays first_run_s 0.25, the second does not: 0.6 + (c + 0.25) +
     * c. Stage 2 repeats the sort pipeline: no warm-up, 2c. */
    struct fixture *f = fixture_new(1, 2);
    jvm_costs_off(&f->s.model.jvm);
    f->s.model.jvm.first_task_s = 0.5;
    f->s.model.jvm.first_run_s = 0.25;
    struct job_spec *j = add_job(f, "j");
    add_data_stage(f, j, 0, 2, 2000000);
    struct stage_spec *s1 = add_data_stage(f, j, 1, 4, 4000000);
    s1->kernel = "sort";
    add_parent(s1, 0);
    struct stage_spec *s2 = add_data_stage(f, j, 2, 4, 4000000);
    s2->kernel = "sort";
    add_parent(s2, 1);
    const struct results *r = run(f);
    double c = 1e6 * taskcost_default_s_per_record("sort");
    assert_float_equal(fixture_stage_span(r, 0), 0.6, 1e-6);
    assert_float_equal(fixture_stage_span(r, 1), 2.0 * c + 0.25, 1e-6);
    assert_float_equal(fixture_stage_span(r, 2), 2.0 * c, 1e-6);
    fixture_free(f);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_tasks_fill_waves),
        cmocka_unit_test(test_jvm_first_wave_of_a_new_pipeline),
        cmocka_unit_test(test_waves_for_many_shapes),
        cmocka_unit_test(test_task_cpus_halve_the_slots),
        cmocka_unit_test(test_independent_stages_share_slots),
        cmocka_unit_test(test_chain_adds_up),
        cmocka_unit_test(test_diamond_waits_for_both_branches),
        cmocka_unit_test(test_fifo_runs_first_job_first),
        cmocka_unit_test(test_fair_shares_slots_between_pools),
        cmocka_unit_test(test_fair_in_one_default_pool_is_fifo),
        cmocka_unit_test(test_driver_launches_tasks_one_at_a_time),
        cmocka_unit_test(test_jobs_run_one_after_another),
        cmocka_unit_test(test_next_job_waits_for_concurrent_ones),
        cmocka_unit_test(test_gap_delays_the_next_job),
        cmocka_unit_test(test_random_dag_keeps_invariants),
        cmocka_unit_test(test_same_seed_same_records),
        cmocka_unit_test(test_memory_estimate_refuses_before_allocating),
        cmocka_unit_test(test_memory_estimate_counts_lost_output_lists),
        cmocka_unit_test(test_task_times_do_not_depend_on_cluster_size),
        cmocka_unit_test(test_task_list_gives_each_task_its_time),
        cmocka_unit_test(test_driver_time_delays_jobs_and_stages),
        cmocka_unit_test(test_late_executors_join_when_they_register),
        cmocka_unit_test(test_timeline_executor_leaving_loses_its_tasks),
        cmocka_unit_test(test_timeline_executor_joining_adds_its_cores),
        cmocka_unit_test(test_lost_tasks_run_again_last_lost_first),
        cmocka_unit_test(test_lost_attempt_is_lost_again_with_its_executor),
        cmocka_unit_test(test_lost_attempt_elsewhere_runs_as_long_as_logged),
        cmocka_unit_test(test_failed_task_is_excluded_from_its_executor),
        cmocka_unit_test(test_executor_with_two_failed_tasks_leaves_the_stage),
        cmocka_unit_test(test_application_excludes_an_executor_until_its_timeout),
        cmocka_unit_test(test_task_failing_twice_on_a_host_leaves_the_host),
        cmocka_unit_test(test_executors_the_application_lost_count_their_tasks_failures),
        cmocka_unit_test(test_task_failing_max_failures_times_aborts_the_run),
        cmocka_unit_test(test_timeline_leave_loses_shuffle_without_the_service),
        cmocka_unit_test(test_timeline_leave_keeps_shuffle_with_the_service),
        cmocka_unit_test(test_after_waits_for_its_job_only),
        cmocka_unit_test(test_after_moves_with_the_work_before_it),
        cmocka_unit_test(test_query_job_is_refused_with_its_line),
        cmocka_unit_test(test_jvm_costs_on_equal_tasks),
        cmocka_unit_test(test_jvm_costs_leave_given_task_seconds_alone),
        cmocka_unit_test(test_jvm_first_task_cost_per_fresh_executor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
