/*
 * test_locality.c — preferred locations and delay scheduling against cases
 * worked out by hand from Spark's rules (TaskSetManager's locality levels
 * and waits, MapOutputTracker's reduce preferences): when a task held back
 * for its executor launches elsewhere, how the two rules for resetting the
 * wait differ, which hosts a reduce task prefers, and where reduce tasks
 * run and fetch from.
 *
 * Scenarios are built in memory on a made-up node type (sim_fixture.h):
 * no launch cost, I/O unconstrained, so times are the given task times.
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

#include "models/reduce_locality.h"
#include "sim/runtime/runtime.h"
#include "sim_fixture.h"

struct fixture {
    struct scenario s;
    struct job_spec job;
    struct stage_spec stages[2];
    int64_t parents[1];
    struct task_pref_spec prefs[16];
    struct node_type node;
    struct cluster cl;
    struct sim *sim;
    struct plan *plan;
};

/* EXECUTORS workers of one executor with CORES slots each. */
static struct fixture *fixture_new(int executors, int cores)
{
    struct fixture *f = calloc(1, sizeof *f);
    fixture_scenario(&f->s);
    f->s.jobs = &f->job;
    f->s.n_jobs = 1;
    f->job.name = "job";
    f->job.submit_s = NAN;
    f->job.stages = f->stages;
    fixture_cluster(&f->cl, &f->node, executors, cores, 1.0);
    return f;
}

static void set(struct fixture *f, const char *key, const char *value)
{
    struct diag d;
    diag_clear(&d);
    assert_int_equal(spark_conf_set(&f->s.spark, key, value, NULL, 0, &d), SC_OK);
}

/* A stage of TASKS tasks of SECS s, each preferring executor position
 * EXEC (PROCESS_LOCAL: its cached block is there). */
static struct stage_spec *add_preferring_stage(struct fixture *f, int64_t tasks, double secs,
                                               int exec)
{
    struct stage_spec *st = &f->stages[f->job.n_stages++];
    fixture_stage(st, 0, tasks, secs);
    for (int64_t i = 0; i < tasks; i++)
        f->prefs[i] = (struct task_pref_spec){TASK_PREF_PROCESS, exec};
    st->locality = f->prefs;
    return st;
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

/* The attempt of task index of stage 0 in r. */
static const struct task_rec *task_of(const struct results *r, int32_t index)
{
    for (size_t i = 0; i < r->n_tasks; i++)
        if (r->tasks[i].stage == 0 && r->tasks[i].index == index)
            return &r->tasks[i];
    fail_msg("task %d not run", index);
    return NULL;
}

static double launch_s(const struct results *r, const struct task_rec *t)
{
    return (double)(t->launch_us - r->start_us) * 1e-6;
}

static void test_held_task_launches_elsewhere_after_both_waits(void **state)
{
    (void)state;
    /* Executors 0 and 1, one slot each; 3 tasks of 10 s, all preferring
     * executor 0 (a cached block), spark.locality.wait 3 s. At 0 task 0
     * takes executor 0; executor 1 is offered but the task set is at
     * PROCESS_LOCAL, and executor 1 is not where tasks 1 and 2 prefer. The
     * valid levels are PROCESS_LOCAL, NODE_LOCAL (executor 0's host is
     * alive) and ANY: PROCESS_LOCAL's wait runs out at 3 s, NODE_LOCAL's at
     * 6 s (pending tasks still prefer a host), and the driver's revive at 6
     * s (every 1 s) launches task 1 on executor 1 at ANY. Task 2 waits for
     * executor 0, free at 10 s. */
    struct fixture *f = fixture_new(2, 1);
    add_preferring_stage(f, 3, 10.0, 0);
    const struct results *r = run(f);
    assert_int_equal(task_of(r, 0)->executor, 0);
    assert_float_equal(launch_s(r, task_of(r, 0)), 0.0, 1e-9);
    assert_int_equal(task_of(r, 1)->executor, 1);
    assert_float_equal(launch_s(r, task_of(r, 1)), 6.0, 1e-9);
    assert_int_equal(task_of(r, 2)->executor, 0);
    assert_float_equal(launch_s(r, task_of(r, 2)), 10.0, 1e-9);
    /* Task 2 ends last, at 10 + 10; task 1 at 6 + 10. */
    assert_float_equal(r->makespan_s, 20.0, 1e-9);
    fixture_free(f);
}

static void test_per_level_waits_override_the_wait(void **state)
{
    (void)state;
    /* As above with spark.locality.wait.node = 0: only PROCESS_LOCAL's 3 s
     * hold task 1 back, so it launches on executor 1 at 3 s. With
     * spark.locality.wait = 0 it launches there at once. */
    struct fixture *f = fixture_new(2, 1);
    set(f, "spark.locality.wait.node", "0s");
    add_preferring_stage(f, 3, 10.0, 0);
    const struct results *r = run(f);
    assert_int_equal(task_of(r, 1)->executor, 1);
    assert_float_equal(launch_s(r, task_of(r, 1)), 3.0, 1e-9);
    fixture_free(f);

    f = fixture_new(2, 1);
    set(f, "spark.locality.wait", "0s");
    add_preferring_stage(f, 3, 10.0, 0);
    r = run(f);
    assert_int_equal(task_of(r, 1)->executor, 1);
    assert_float_equal(launch_s(r, task_of(r, 1)), 0.0, 1e-9);
    fixture_free(f);
}

static void test_legacy_reset_keeps_tasks_waiting_for_a_busy_executor(void **state)
{
    (void)state;
    /* 5 tasks of 2 s preferring executor 0 of two (one slot each). With
     * spark.locality.wait.legacyResetOnTaskLaunch (Spark before 3.1) every
     * launch on executor 0, at 0, 2, 4, 6 and 8 s, resets the 3 s wait
     * before it runs out: all five run there, ending at 10 s, executor 1
     * idle. */
    struct fixture *f = fixture_new(2, 1);
    set(f, "spark.locality.wait.legacyResetOnTaskLaunch", "true");
    add_preferring_stage(f, 5, 2.0, 0);
    const struct results *r = run(f);
    for (int32_t i = 0; i < 5; i++)
        assert_int_equal(task_of(r, i)->executor, 0);
    assert_float_equal(r->makespan_s, 10.0, 1e-9);
    fixture_free(f);

    /* From Spark 3.1 the wait is reset only after a round in which no slot
     * was refused, and executor 1 is refused in every round: PROCESS_LOCAL
     * ends at 3 s, NODE_LOCAL at 6 s. At 6 s executor 0 (free again) takes
     * task 3 and executor 1, at ANY, task 4; both end at 8 s. */
    f = fixture_new(2, 1);
    add_preferring_stage(f, 5, 2.0, 0);
    r = run(f);
    assert_int_equal(task_of(r, 2)->executor, 0);
    int on_1 = 0;
    for (int32_t i = 0; i < 5; i++)
        if (task_of(r, i)->executor == 1) {
            on_1++;
            assert_float_equal(launch_s(r, task_of(r, i)), 6.0, 1e-9);
        }
    assert_int_equal(on_1, 1);
    assert_float_equal(r->makespan_s, 8.0, 1e-9);
    fixture_free(f);
}

static void test_tasks_without_preference_take_any_slot(void **state)
{
    (void)state;
    /* The same 3 tasks with no preference: no delay, task 1 on executor 1
     * at 0 (as without delay scheduling). */
    struct fixture *f = fixture_new(2, 1);
    struct stage_spec *st = add_preferring_stage(f, 3, 10.0, 0);
    for (int i = 0; i < 3; i++)
        f->prefs[i].level = TASK_PREF_NONE;
    (void)st;
    const struct results *r = run(f);
    assert_float_equal(launch_s(r, task_of(r, 1)), 0.0, 1e-9);
    assert_float_equal(r->makespan_s, 20.0, 1e-9);
    fixture_free(f);
}

static void test_data_on_hosts_without_executors_waits_then_runs_anywhere(void **state)
{
    (void)state;
    /* Task 0 RACK_LOCAL (its data in the executors' rack), tasks 1 to 3 on
     * hosts with no executor ("elsewhere"), 4 slots on 2 executors: valid
     * levels RACK_LOCAL and ANY. At 0 task 0 launches RACK_LOCAL; the
     * others can run only at ANY, which comes when RACK_LOCAL's 3 s run
     * out (the legacy reset at task 0's launch, at 0, changes nothing). */
    struct fixture *f = fixture_new(2, 2);
    struct stage_spec *st = add_preferring_stage(f, 4, 5.0, 0);
    (void)st;
    f->prefs[0].level = TASK_PREF_RACK;
    for (int i = 1; i < 4; i++)
        f->prefs[i].level = TASK_PREF_ELSEWHERE;
    const struct results *r = run(f);
    assert_float_equal(launch_s(r, task_of(r, 0)), 0.0, 1e-9);
    for (int32_t i = 1; i < 4; i++)
        assert_float_equal(launch_s(r, task_of(r, i)), 3.0, 1e-9);
    assert_float_equal(r->makespan_s, 8.0, 1e-9);
    fixture_free(f);
}

static void test_reduce_prefers_hosts_with_a_fifth_of_its_input(void **state)
{
    (void)state;
    bool pref[6];
    /* 50/30/15/5 of 100: hosts 0 (0.5) and 1 (0.3) reach 0.2. */
    const double a[4] = {50, 30, 15, 5};
    assert_int_equal(reduce_locality_hosts(a, 4, 10, 10, true, pref), 2);
    assert_true(pref[0] && pref[1] && !pref[2] && !pref[3]);
    /* Exactly a fifth counts (size / total >= 0.2). */
    const double b[5] = {20, 20, 20, 20, 20};
    assert_int_equal(reduce_locality_hosts(b, 5, 10, 10, true, pref), 5);
    /* Six equal hosts hold 1/6 each: none. */
    const double c[6] = {1, 1, 1, 1, 1, 1};
    assert_int_equal(reduce_locality_hosts(c, 6, 10, 10, true, pref), 0);
    /* 1000 map or reduce partitions, or the setting off: Spark does not look. */
    assert_int_equal(reduce_locality_hosts(a, 4, 1000, 10, true, pref), 0);
    assert_int_equal(reduce_locality_hosts(a, 4, 999, 1000, true, pref), 0);
    assert_int_equal(reduce_locality_hosts(a, 4, 999, 999, true, pref), 2);
    assert_int_equal(reduce_locality_hosts(a, 4, 10, 10, false, pref), 0);
    assert_false(pref[0]);
}

/* Map stage 0 (1 task of 1 s writing 64 MiB) and reduce stage 1 (2 tasks of
 * 1 s reading it), on 2 executors of 2 slots. */
static const struct results *run_shuffle(struct fixture *f)
{
    struct stage_spec *m = &f->stages[f->job.n_stages++];
    fixture_stage(m, 0, 1, 1.0);
    m->shuffle_write_bytes = 64 << 20;
    struct stage_spec *red = &f->stages[f->job.n_stages++];
    fixture_stage(red, 1, 2, 1.0);
    red->shuffle_read_bytes = 64 << 20;
    f->parents[0] = 0;
    red->parents = f->parents;
    red->n_parents = 1;
    return run(f);
}

static void test_reduce_tasks_run_where_the_map_output_is(void **state)
{
    (void)state;
    /* The map task runs on executor 0 (the first free slot), so its worker
     * holds all of the output: both reducers prefer it, and its two slots
     * are free when they are offered, so both run there at NODE_LOCAL and
     * read all their input from its disk, none over the network. */
    struct fixture *f = fixture_new(2, 2);
    const struct results *r = run_shuffle(f);
    int on_0 = 0;
    for (size_t i = 0; i < r->n_tasks; i++)
        if (r->tasks[i].stage == 1)
            on_0 += r->tasks[i].executor == r->tasks[0].executor;
    assert_int_equal(on_0, 2);
    assert_float_equal(r->stages[1].shuffle_read_remote_bytes, 0.0, 1e-6);
    assert_float_equal(r->stages[1].shuffle_read_local_bytes, (double)(64 << 20), 1e-6);
    fixture_free(f);

    /* With spark.shuffle.reduceLocality.enabled = false the slots go in the
     * order they came free: free since the start, in the interleaved order
     * of the first offers, executor 1's first slot, executor 0's second,
     * executor 1's second. Reducer 0 runs on executor 1 and fetches its 32
     * MiB over the network; reducer 1 reads its 32 MiB from the local disk. */
    f = fixture_new(2, 2);
    set(f, "spark.shuffle.reduceLocality.enabled", "false");
    r = run_shuffle(f);
    assert_float_equal(r->stages[1].shuffle_read_local_bytes, (double)(32 << 20), 1e-6);
    assert_float_equal(r->stages[1].shuffle_read_remote_bytes, (double)(32 << 20), 1e-6);
    fixture_free(f);
}

static void test_stage_runs_only_on_executors_of_its_profile(void **state)
{
    (void)state;
    /* Timeline: executor A (2 cores, profile 0) and B (1 core, profile 1),
     * both from 0. A stage of profile 1 with 2 tasks of 1 s runs on B's one
     * slot: 0..1 and 1..2, makespan 2 (1 on all three slots). */
    struct fixture *f = fixture_new(2, 2);
    static struct executor_spec tl[2] = {{.start_s = 0.0, .end_s = INFINITY, .cores = 2},
                                         {.start_s = 0.0,
                                          .end_s = INFINITY,
                                          .cores = 1,
                                          .resource_profile = 1}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 2;
    struct stage_spec *st = &f->stages[f->job.n_stages++];
    fixture_stage(st, 0, 2, 1.0);
    st->resource_profile = 1;
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 2.0, 1e-9);
    for (int32_t i = 0; i < 2; i++)
        assert_int_equal(task_of(r, i)->executor, 1);
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

static void test_node_local_retries_run_last_lost_first(void **state)
{
    (void)state;
    /* As the import writes a YARN log whose containers died: three
     * one-core executors on host "h" (e0 until 2 s, e1 until 3 s, e2 from
     * 4 s), 2 tasks of 10 s whose data is on h (NODE_LOCAL). Task 0 runs on
     * e0 and task 1 on e1 from 0; they are lost at 2 and 3 and appended to
     * h's pending list in that order; e2 dequeues from its end (Spark's
     * dequeueTaskFromList): task 1 at 4..14, task 0 at 14..24. */
    struct fixture *f = fixture_new(3, 1);
    static struct executor_spec tl[3] = {
        {.start_s = 0.0, .end_s = 2.0, .cores = 1, .host = "h"},
        {.start_s = 0.0, .end_s = 3.0, .cores = 1, .host = "h"},
        {.start_s = 4.0, .end_s = INFINITY, .cores = 1, .host = "h"}};
    f->s.cluster.executors = tl;
    f->s.cluster.n_executors = 3;
    struct stage_spec *st = &f->stages[f->job.n_stages++];
    fixture_stage(st, 0, 2, 10.0);
    for (int64_t i = 0; i < 2; i++)
        f->prefs[i] = (struct task_pref_spec){TASK_PREF_NODE, 0};
    st->locality = f->prefs;
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 24.0, 1e-9);
    assert_int_equal(r->failed_attempts, 2);
    for (size_t k = 0; k < r->n_tasks; k++) {
        const struct task_rec *t = &r->tasks[k];
        if (t->attempt == 1)
            assert_int_equal(t->launch_us - r->start_us, t->index == 1 ? 4000000 : 14000000);
    }
    f->s.cluster.executors = NULL;
    fixture_free(f);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_held_task_launches_elsewhere_after_both_waits),
        cmocka_unit_test(test_per_level_waits_override_the_wait),
        cmocka_unit_test(test_legacy_reset_keeps_tasks_waiting_for_a_busy_executor),
        cmocka_unit_test(test_tasks_without_preference_take_any_slot),
        cmocka_unit_test(test_data_on_hosts_without_executors_waits_then_runs_anywhere),
        cmocka_unit_test(test_reduce_prefers_hosts_with_a_fifth_of_its_input),
        cmocka_unit_test(test_reduce_tasks_run_where_the_map_output_is),
        cmocka_unit_test(test_stage_runs_only_on_executors_of_its_profile),
        cmocka_unit_test(test_node_local_retries_run_last_lost_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
