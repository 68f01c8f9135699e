/*
 * test_shuffle.c — stages that move bytes, through the flow-level network
 * model, against cases worked out by hand: an all-to-all shuffle limited by
 * the NICs, incast into one reducer, input from the storage account, bytes
 * conserved from map writes to reduce fetches, and spills that appear when
 * memory shrinks and cost time.
 *
 * Clusters are built in memory with round numbers: NICs of B bytes/s each
 * way, disks unconstrained unless a test says otherwise, no launch overhead.
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

#define GIB (1024.0 * 1024.0 * 1024.0)

struct fixture {
    struct scenario s;
    struct job_spec job;
    struct stage_spec stages[4];
    int64_t parents[4][2];
    struct node_type node;
    struct cluster cl;
    struct sim *sim;
    struct plan *plan;
};

static struct fixture *fixture_new(int workers, int cores, double nic_bps)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->s.file = "shuffle.cfg";
    f->s.name = "shuffle";
    f->s.seed = 1;
    spark_conf_init(&f->s.spark);
    f->s.model.task_launch_s = 0.0;
    jvm_costs_off(&f->s.model.jvm); /* the kernels' times alone */
    f->s.jobs = &f->job;
    f->s.n_jobs = 1;
    f->job.name = "j";
    f->job.submit_s = NAN;
    f->job.stages = f->stages;
    fixture_cluster(&f->cl, &f->node, workers, cores, 1.0);
    struct cluster *cl = &f->cl;
    cl->nic_bps = nic_bps;
    memory_layout(64.0 * GIB, 0.6, 0.5, &cl->memory);
    return f;
}

static struct stage_spec *add_stage(struct fixture *f, int64_t id, int64_t tasks, double secs)
{
    struct stage_spec *st = &f->stages[f->job.n_stages];
    fixture_stage(st, id, tasks, secs);
    st->parents = f->parents[f->job.n_stages];
    f->job.n_stages++;
    return st;
}

static void set_conf(struct fixture *f, const char *key, const char *value)
{
    struct diag d;
    diag_clear(&d);
    assert_int_equal(spark_conf_set(&f->s.spark, key, value, NULL, 0, &d), SC_OK);
}

static const struct results *run(struct fixture *f)
{
    return fixture_run(&f->sim, &f->plan, &f->s, &f->cl, 1);
}

static void fixture_free(struct fixture *f)
{
    sim_free(f->sim);
    plan_free(f->plan);
    spark_conf_fini(&f->s.spark);
    free(f);
}

/* W workers, one slot each. Map stage: W tasks of 0 s, each writing S/W
 * bytes to its (unconstrained) local disk, so every worker holds S/W. Reduce
 * stage: W tasks of 0 s, each reading S/W: S/W^2 from its own disk and
 * (W-1) S/W^2 over the network. With all requests in flight at once, each
 * NIC carries (W-1) S/W^2 out and as much in, so the reduce stage takes
 * S (W-1) / W / (W B). */
static void check_all_to_all(int w)
{
    double B = 1.25e8; /* 1 Gbit/s */
    double S = 8.0 * GIB;
    struct fixture *f = fixture_new(w, 1, B);
    set_conf(f, "spark.reducer.maxSizeInFlight", "1t");
    struct stage_spec *map = add_stage(f, 0, w, 0.0);
    map->shuffle_write_bytes = (int64_t)S;
    struct stage_spec *red = add_stage(f, 1, w, 0.0);
    red->shuffle_read_bytes = (int64_t)S;
    red->parents[red->n_parents++] = 0;
    const struct results *r = run(f);
    double expect = S * (w - 1) / w / (w * B);
    double got = fixture_stage_span(r, 1);
    if (fabs(got - expect) > 0.02 * expect)
        fail_msg("W=%d: reduce took %.3f s, formula %.3f s", w, got, expect);
    /* Bytes conserved: what the maps wrote is what the reducers read. */
    double read = r->stages[1].shuffle_read_local_bytes + r->stages[1].shuffle_read_remote_bytes;
    assert_float_equal(r->stages[0].shuffle_write_bytes, S, 1.0 * w);
    assert_float_equal(read, r->stages[0].shuffle_write_bytes, 1.0 * w);
    assert_float_equal(r->stages[1].shuffle_read_local_bytes, S / w, 1.0 * w);
    fixture_free(f);
}

/* The default completion quantum (1 ms: a flow's end is handled up to 1 ms
 * late, so that ends falling in one millisecond share one solve) against the
 * exact model (quantum 0), on shuffles with Spark's default fetch limits
 * (48 MiB in flight, in requests of 9.6 MiB) over disks of 2e8 B/s and
 * NICs of 1.25e8: each stage's span and the makespan within 1%. Each
 * reduce task makes about W x 5 requests, so the quantum's delays (at most
 * 1 ms each, on transfers of tens of milliseconds) add up to well under
 * 1% of stages that last seconds. */
static double shuffle_makespan_tol(int w, double quantum_s, double tolerance, double *spans)
{
    struct fixture *f = fixture_new(w, 2, 1.25e8);
    f->s.model.network_quantum_s = quantum_s;
    f->s.model.network_tolerance = tolerance;
    f->cl.disk_bps = 2e8;
    struct stage_spec *map = add_stage(f, 0, 4 * w, 0.5);
    map->shuffle_write_bytes = (int64_t)(w * 0.5 * GIB);
    struct stage_spec *red = add_stage(f, 1, 4 * w, 0.2);
    red->shuffle_read_bytes = map->shuffle_write_bytes;
    red->parents[red->n_parents++] = 0;
    const struct results *r = run(f);
    double makespan = r->makespan_s;
    spans[0] = fixture_stage_span(r, 0);
    spans[1] = fixture_stage_span(r, 1);
    fixture_free(f);
    return makespan;
}

static double shuffle_makespan(int w, double quantum_s, double *spans)
{
    return shuffle_makespan_tol(w, quantum_s, NAN, spans);
}

static void test_default_quantum_within_one_percent_of_exact(void **state)
{
    (void)state;
    for (int w = 4; w <= 16; w *= 2) {
        double exact_spans[2], spans[2];
        double exact = shuffle_makespan(w, 0.0, exact_spans);
        double got = shuffle_makespan(w, NAN, spans);
        if (fabs(got - exact) > 0.01 * exact)
            fail_msg("W=%d: makespan %.6f s, exact %.6f s", w, got, exact);
        for (int i = 0; i < 2; i++)
            if (fabs(spans[i] - exact_spans[i]) > 0.01 * exact_spans[i])
                fail_msg("W=%d stage %d: %.6f s, exact %.6f s", w, i, spans[i], exact_spans[i]);
        /* The quantum only delays ends: never earlier than exact by more
         * than the 1 us rounding of a completion. */
        assert_true(got >= exact - 1e-3);
    }
}

/* The adaptive grain (model.network_tolerance = 1%): a batch of
 * completions is handled at most 1% of its first flow's duration late.
 * The same shuffles as above against the exact model: each stage's span and
 * the makespan within 1%, and never earlier than exact (the grain only
 * delays ends; 1 ms allows for the us rounding of completions along a
 * task's chain of requests). At 10% the grain is coarser than the default
 * quantum, and the prediction moves further but stays within 10%. */
static void test_adaptive_quantum_within_its_tolerance_of_exact(void **state)
{
    (void)state;
    for (int w = 4; w <= 16; w *= 2) {
        double exact_spans[2], spans[2], loose_spans[2];
        double exact = shuffle_makespan(w, 0.0, exact_spans);
        double got = shuffle_makespan_tol(w, NAN, 0.01, spans);
        double loose = shuffle_makespan_tol(w, NAN, 0.10, loose_spans);
        if (fabs(got - exact) > 0.01 * exact)
            fail_msg("W=%d: makespan %.6f s, exact %.6f s", w, got, exact);
        for (int i = 0; i < 2; i++)
            if (fabs(spans[i] - exact_spans[i]) > 0.01 * exact_spans[i])
                fail_msg("W=%d stage %d: %.6f s, exact %.6f s", w, i, spans[i], exact_spans[i]);
        assert_true(got >= exact - 1e-3);
        if (fabs(loose - exact) > 0.10 * exact)
            fail_msg("W=%d, 10%%: makespan %.6f s, exact %.6f s", w, loose, exact);
    }
}

/* Runs f with a bound on a reducer's requests to one worker (0: the
 * default; -1: none, Spark's request sizes throughout). */
static const struct results *run_bounded(struct fixture *f, int64_t max_requests)
{
    struct diag d;
    diag_clear(&d);
    struct sim_options opt = {.seed = 1, .task_records = true, .fetch_requests = max_requests};
    f->plan = plan_new(&f->s, &d);
    assert_non_null(f->plan);
    f->sim = sim_new(f->plan, &f->cl, &opt, &d);
    assert_non_null(f->sim);
    assert_int_equal(sim_run(f->sim, &d), SC_OK);
    return sim_results(f->sim);
}

/* Incast as above, with Spark's default fetch limits (48 MiB in flight, in
 * requests of 9.6 MiB) and 30 GiB on each of 8 workers: the reducer
 * fetches 30 GiB from each of the 7 others, 22,400 requests with Spark's
 * sizes, above the bound of 256, so the bounded run's requests and
 * in-flight cap grow by 87.5. Returns the results (the caller frees f). */
static const struct results *bounded_incast(struct fixture **fp, double compute_s,
                                            int64_t max_requests)
{
    struct fixture *f = fixture_new(8, 1, 1e8);
    struct stage_spec *map = add_stage(f, 0, 8, 0.0);
    map->shuffle_write_bytes = (int64_t)(8 * 30 * GIB);
    struct stage_spec *red = add_stage(f, 1, 1, compute_s);
    red->shuffle_read_bytes = map->shuffle_write_bytes;
    red->parents[red->n_parents++] = 0;
    *fp = f;
    return run_bounded(f, max_requests);
}

static void test_coarse_fetch_requests_within_one_percent_of_sparks(void **state)
{
    (void)state;
    /* Bounded against Spark's request sizes (no bound), with the network
     * the limit (compute 1 s; the fetch takes 7 x 30 GiB / 1e8 B/s =
     * 2,254.9 s) and with compute the limit (3,000 s, where the last
     * block's processing, compute x block / bytes fetched, is what the
     * grain moves: 3000 x 120 MiB / 240 GiB = 1.5 s, against 0.1 s): the
     * reduce stage's span, its fetch wait and the task's fetch within 1%.
     * Requests: Spark's 7 x 3,200 = 22,400; bounded 7 x 256 = 1,792. */
    double computes[2] = {1.0, 3000.0};
    for (int c = 0; c < 2; c++) {
        struct fixture *fine_f, *coarse_f;
        const struct results *fine = bounded_incast(&fine_f, computes[c], -1);
        const struct results *coarse = bounded_incast(&coarse_f, computes[c], 0);
        assert_int_equal(fine->work.fetch_requests, 7 * 3200);
        assert_true(coarse->work.fetch_requests >= 256);
        assert_true(coarse->work.fetch_requests <= 256 + 7);
        double a = fixture_stage_span(coarse, 1), b = fixture_stage_span(fine, 1);
        if (fabs(a - b) > 0.01 * b)
            fail_msg("compute %.0f s: reduce %.3f s, Spark's grain %.3f s", computes[c], a, b);
        double expect = computes[c] > 2254.9 ? computes[c] : 7.0 * 30 * GIB / 1e8;
        assert_float_equal(b, expect, 0.01 * expect);
        double wa = coarse->stages[1].fetch_wait_s, wb = fine->stages[1].fetch_wait_s;
        assert_float_equal(wa, wb, 0.01 * b);
        assert_float_equal(coarse->tasks[coarse->n_tasks - 1].fetch_s,
                           fine->tasks[fine->n_tasks - 1].fetch_s, 0.01 * b);
        fixture_free(fine_f);
        fixture_free(coarse_f);
    }
}

static void test_fetch_work_follows_tasks_not_bytes(void **state)
{
    (void)state;
    /* An all-to-all shuffle of 1 PiB among 4 workers of 2 slots with
     * Spark's default limits: each of 16 reducers reads 64 TiB, 48 TiB of
     * it from the 3 other workers, which Spark's sizes would make
     * 16 x 3 x 1.68 M = 80 M requests; bounded, at most 256 a reducer and
     * one more a worker. The reduce stage cannot beat the NIC formula (each
     * NIC carries in 3/4 of its 4 reducers' 64 TiB over 1.25e8 B/s,
     * 1.689e6 s). It is not held to it: each reducer walks the workers in a
     * fixed order, so reducers that start on the same worker contend for
     * one sender, by an amount that depends on the grain (Spark's own
     * grain, on this shape scaled down, lands between 1.00 and 1.34 times
     * the formula as maxSizeInFlight goes from 40 to 80 MiB); the worst,
     * both reducers of a worker on one sender throughout, is twice. */
    struct fixture *f = fixture_new(4, 2, 1.25e8);
    struct stage_spec *map = add_stage(f, 0, 16, 0.5);
    map->shuffle_write_bytes = (int64_t)(1024.0 * 1024.0 * GIB);
    struct stage_spec *red = add_stage(f, 1, 16, 0.2);
    red->shuffle_read_bytes = map->shuffle_write_bytes;
    red->parents[red->n_parents++] = 0;
    const struct results *r = run_bounded(f, 0);
    assert_true(r->work.fetch_requests >= 16 * 256);
    assert_true(r->work.fetch_requests <= 16 * (256 + 3));
    double formula = 4 * 0.75 * 64 * 1024.0 * GIB / 1.25e8;
    double got = fixture_stage_span(r, 1);
    if (got < 0.999 * formula || got > 2.0 * formula)
        fail_msg("reduce took %.0f s, formula %.0f s", got, formula);
    fixture_free(f);
}

static void test_all_to_all_shuffle_is_nic_bound(void **state)
{
    (void)state;
    check_all_to_all(4);
    check_all_to_all(16);
}

static void test_incast_is_limited_by_the_receiver(void **state)
{
    (void)state;
    /* 8 workers; the map stage runs one task per worker (8 x 0 s, 1 GiB
     * each); the reduce stage has a single task, on worker 0: it fetches
     * 8 GiB, 1 GiB locally and 7 GiB through its own NIC in at B = 1e8 B/s:
     * 7 GiB / B = 75.16 s, whatever the senders could do together. */
    double B = 1e8;
    struct fixture *f = fixture_new(8, 1, B);
    set_conf(f, "spark.reducer.maxSizeInFlight", "1t");
    struct stage_spec *map = add_stage(f, 0, 8, 0.0);
    map->shuffle_write_bytes = (int64_t)(8 * GIB);
    struct stage_spec *red = add_stage(f, 1, 1, 0.0);
    red->shuffle_read_bytes = (int64_t)(8 * GIB);
    red->parents[red->n_parents++] = 0;
    const struct results *r = run(f);
    double expect = 7.0 * GIB / B;
    assert_float_equal(fixture_stage_span(r, 1), expect, 0.01 * expect);
    fixture_free(f);
}

static void test_fetch_overlaps_compute(void **state)
{
    (void)state;
    /* Same incast, but the reducer computes for 100 s on what it fetches in
     * ~75 s: compute dominates, so the task ends at ~100 s plus the time to
     * process the last block, not at 175 s. The last block is at most one
     * request (maxSizeInFlight / 5 = 1 GiB / 5 here, of 8 GiB fetched), so
     * the task ends within 100 + 100/40 s. Fetch wait is then 0. */
    double B = 1e8;
    struct fixture *f = fixture_new(8, 1, B);
    set_conf(f, "spark.reducer.maxSizeInFlight", "1g");
    struct stage_spec *map = add_stage(f, 0, 8, 0.0);
    map->shuffle_write_bytes = (int64_t)(8 * GIB);
    struct stage_spec *red = add_stage(f, 1, 1, 100.0);
    red->shuffle_read_bytes = (int64_t)(8 * GIB);
    red->parents[red->n_parents++] = 0;
    const struct results *r = run(f);
    double span = fixture_stage_span(r, 1);
    assert_true(span >= 100.0 - 1e-6);
    assert_true(span <= 100.0 + 100.0 / 40.0 + 1e-3);
    assert_float_equal(r->stages[1].fetch_wait_s, 0.0, 1e-6);
    /* The fetch itself still took its ~75 s under the compute: the task
     * record keeps it (the trace's fetch slice), though it waited for
     * none of it: 7 GiB through a 1e8 B/s NIC = 75.16 s. */
    const struct task_rec *t = NULL;
    for (size_t i = 0; i < r->n_tasks; i++)
        if (r->tasks[i].stage == 1)
            t = &r->tasks[i];
    assert_non_null(t);
    assert_float_equal(t->fetch_s, 7.0 * GIB / B, 0.01 * 7.0 * GIB / B);
    assert_float_equal(t->phase_s[PHASE_FETCH], 0.0, 1e-6);
    fixture_free(f);
}

static void test_fetch_wait_when_the_network_is_slow(void **state)
{
    (void)state;
    /* The reducer computes for 1 s on 7 GiB it must fetch over a 1e8 B/s
     * NIC (~75 s): it waits for the network for ~74 s. */
    struct fixture *f = fixture_new(8, 1, 1e8);
    struct stage_spec *map = add_stage(f, 0, 8, 0.0);
    map->shuffle_write_bytes = (int64_t)(8 * GIB);
    struct stage_spec *red = add_stage(f, 1, 1, 1.0);
    red->shuffle_read_bytes = (int64_t)(8 * GIB);
    red->parents[red->n_parents++] = 0;
    const struct results *r = run(f);
    double expect_fetch = 7.0 * GIB / 1e8;
    assert_true(r->stages[1].fetch_wait_s > expect_fetch - 1.0 - 0.5);
    assert_true(fixture_stage_span(r, 1) >= expect_fetch);
    fixture_free(f);
}

static void test_input_shares_the_storage_account(void **state)
{
    (void)state;
    /* 4 workers x 2 slots read 8 tasks x 1 GiB from a storage account
     * limited to 1e9 B/s egress (NICs faster): 8 GiB / 1e9 B/s = 8.59 s. */
    struct fixture *f = fixture_new(4, 2, 1e10);
    f->cl.storage_egress_bps = 1e9;
    struct stage_spec *scan = add_stage(f, 0, 8, 0.0);
    scan->input_bytes = (int64_t)(8 * GIB);
    const struct results *r = run(f);
    double expect = 8.0 * GIB / 1e9;
    assert_float_equal(fixture_stage_span(r, 0), expect, 0.01 * expect);
    assert_float_equal(r->stages[0].input_bytes, 8.0 * GIB, 8.0);
    fixture_free(f);
}

static void test_spill_appears_when_memory_shrinks(void **state)
{
    (void)state;
    /* A sort stage of 4 tasks on one 4-core executor, each task holding a
     * 4 GiB working set; disk 1e9 B/s. With 64 GiB of heap the execution
     * pool is (64 GiB - 300 MiB) x 0.6 = 38.2 GiB, 9.5 GiB per task: no
     * spill. With 8 GiB of heap: (8 GiB - 300 MiB) x 0.6 = 4.62 GiB, 1.16
     * GiB per task: each task spills 4 - 1.16 = 2.84 GiB, written and read
     * back through the shared disk (4 tasks x 2 x 2.84 GiB / 1e9 B/s =
     * 24.4 s more). */
    double t[2], spill[2];
    for (int k = 0; k < 2; k++) {
        struct fixture *f = fixture_new(1, 4, 1e9);
        f->cl.disk_bps = 1e9;
        memory_layout((k == 0 ? 64.0 : 8.0) * GIB, 0.6, 0.5, &f->cl.memory);
        struct stage_spec *sort = add_stage(f, 0, 4, 10.0);
        sort->kernel = "sort";
        sort->memory_bytes = (int64_t)(4 * GIB);
        const struct results *r = run(f);
        t[k] = fixture_stage_span(r, 0);
        spill[k] = r->stages[0].spill_bytes;
        fixture_free(f);
    }
    assert_float_equal(spill[0], 0.0, 0.0);
    double share = (8.0 * GIB - 300.0 * 1024 * 1024) * 0.6 / 4.0;
    assert_float_equal(spill[1], 4.0 * (4.0 * GIB - share), 4.0);
    assert_float_equal(t[0], 10.0, 1e-6);
    double expect = 10.0 + 2.0 * spill[1] / 1e9;
    assert_float_equal(t[1], expect, 0.01 * expect);
}

static void test_tasks_without_bytes_take_their_compute_time(void **state)
{
    (void)state;
    /* No bytes: the network is never used and times are as given. */
    struct fixture *f = fixture_new(2, 2, 1e9);
    add_stage(f, 0, 8, 1.5);
    const struct results *r = run(f);
    assert_float_equal(r->makespan_s, 3.0, 1e-9);
    assert_float_equal(r->executors[0].net_busy_s, 0.0, 0.0);
    fixture_free(f);
}

static void test_task_weights_scale_a_tasks_data(void **state)
{
    (void)state;
    /* A scan of 4 tasks over 4 GiB and 4e6 records at the generic kernel's
     * 100 ns/record, on one 4-core worker with an unconstrained NIC, storage
     * limited to 1 GiB/s. Weights 2.5, 0.5, 0.5, 0.5 (a hot partition): task
     * 0 reads 2.5 GiB and computes 2.5e6 records (0.25 s), the others 0.5
     * GiB and 0.05 s. Sharing 1 GiB/s: all four read at 0.25 GiB/s until the
     * small ones finish at 2 s (0.5 GiB each), then task 0 has 2 GiB left
     * alone at 1 GiB/s: its read ends at 4 s, its compute at 4.25 s. */
    struct fixture *f = fixture_new(1, 4, INFINITY);
    f->cl.storage_egress_bps = GIB;
    struct stage_spec *scan = add_stage(f, 0, 4, 0.0);
    scan->has_task_seconds = false;
    scan->records = 4000000;
    scan->kernel = "generic";
    scan->input_bytes = (int64_t)(4 * GIB);
    /* Weights are the planner's: set on the plan's copy of the stage. */
    struct diag d;
    diag_clear(&d);
    f->plan = plan_new(&f->s, &d);
    assert_non_null(f->plan);
    double *weights = malloc(4 * sizeof *weights);
    assert_non_null(weights);
    weights[0] = 2.5;
    weights[1] = weights[2] = weights[3] = 0.5;
    f->plan->jobs[0].stages[0].task_weights = weights;
    struct sim_options opt = {.seed = 1};
    f->sim = sim_new(f->plan, &f->cl, &opt, &d);
    assert_non_null(f->sim);
    assert_int_equal(sim_run(f->sim, &d), SC_OK);
    const struct results *r = sim_results(f->sim);
    assert_float_equal(fixture_stage_span(r, 0), 4.25, 1e-3);
    assert_float_equal(r->stages[0].input_bytes, 4.0 * GIB, 4.0);
    assert_float_equal(r->stages[0].task_max_s, 4.25, 1e-3);
    fixture_free(f);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_to_all_shuffle_is_nic_bound),
        cmocka_unit_test(test_incast_is_limited_by_the_receiver),
        cmocka_unit_test(test_fetch_overlaps_compute),
        cmocka_unit_test(test_fetch_wait_when_the_network_is_slow),
        cmocka_unit_test(test_input_shares_the_storage_account),
        cmocka_unit_test(test_spill_appears_when_memory_shrinks),
        cmocka_unit_test(test_tasks_without_bytes_take_their_compute_time),
        cmocka_unit_test(test_task_weights_scale_a_tasks_data),
        cmocka_unit_test(test_default_quantum_within_one_percent_of_exact),
        cmocka_unit_test(test_adaptive_quantum_within_its_tolerance_of_exact),
        cmocka_unit_test(test_coarse_fetch_requests_within_one_percent_of_sparks),
        cmocka_unit_test(test_fetch_work_follows_tasks_not_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
