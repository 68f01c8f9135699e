/*
 * test_network.c — the flow-level bandwidth model (models/network.c): cases
 * worked out by hand (one link, two bottlenecks, weights, all-to-all shuffle,
 * incast), the accounting, cancel, unconstrained and zero-byte flows, the
 * incremental solve, and random workloads checked step by step against a
 * plain max-min reference written here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "models/network.h"

#include <math.h>

/* cmocka 1.1 compares only integers; rates and bytes need doubles. */
#define assert_near(a, b, eps) assert_near_at((a), (b), (eps), __FILE__, __LINE__)
static void assert_near_at(double a, double b, double eps, const char *file, int line)
{
    if (!(fabs(a - b) <= eps) && !(isinf(a) && a == b)) {
        print_error("%.17g is not %.17g (within %g)\n", a, b, eps);
        _fail(file, line);
    }
}

/* Completions as the callbacks saw them. */
struct done_log {
    int n;
    int flows[4096];
    uint64_t tags[4096];
    int64_t times[4096];
};

static void record_done(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us)
{
    (void)owner;
    struct done_log *log = ctx;
    assert_true(log->n < 4096);
    log->flows[log->n] = flow;
    log->tags[log->n] = tag;
    log->times[log->n] = now_us;
    log->n++;
}

/* Drives n as the simulator would: one event, moved to each returned time.
 * Returns the time of the last completion. */
static int64_t run_to_idle(struct net *n, int64_t now_us, struct done_log *log)
{
    int64_t last = now_us;
    for (int64_t t = net_update(n, now_us); t != INT64_MAX;
         t = net_complete(n, t, record_done, log))
        last = t;
    return last;
}

static int start1(struct net *n, int64_t now_us, double bytes, int res, uint64_t tag)
{
    int f = net_flow_start(n, now_us, bytes, &res, 1, 1.0, NULL, tag);
    assert_true(f >= 0);
    return f;
}

static void test_one_flow_gets_whole_link(void **state)
{
    (void)state;
    /* 1e9 bytes over 1e8 B/s = 10 s = 10,000,000 us. */
    struct net *n = net_new();
    int link = net_resource_add(n, 1e8);
    int f = start1(n, 0, 1e9, link, 7);
    assert_int_equal(net_update(n, 0), 10000000);
    assert_near(net_flow_rate(n, f), 1e8, 1e-6);
    assert_near(net_flow_remaining(n, f, 4000000), 6e8, 1e-3);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 10000000, record_done, &log), INT64_MAX);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.flows[0], f);
    assert_int_equal(log.tags[0], 7);
    assert_int_equal(log.times[0], 10000000);
    assert_int_equal(net_active_flows(n), 0);
    net_free(n);
}

static void test_two_flows_share_then_survivor_speeds_up(void **state)
{
    (void)state;
    /* Link 1e8 B/s; A = 1e8 bytes, B = 3e8 bytes. Both get 5e7 B/s, so A
     * ends at 1e8 / 5e7 = 2 s. B has moved 1e8 and has 2e8 left, now at the
     * full 1e8 B/s: 2 s more, ending at 4 s. */
    struct net *n = net_new();
    int link = net_resource_add(n, 1e8);
    int a = start1(n, 0, 1e8, link, 1);
    int b = start1(n, 0, 3e8, link, 2);
    assert_int_equal(net_update(n, 0), 2000000);
    assert_near(net_flow_rate(n, a), 5e7, 1e-6);
    assert_near(net_flow_rate(n, b), 5e7, 1e-6);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 2000000, record_done, &log), 4000000);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.flows[0], a);
    assert_near(net_flow_rate(n, b), 1e8, 1e-6);
    assert_near(net_flow_remaining(n, b, 2000000), 2e8, 1e-3);
    assert_int_equal(net_complete(n, 4000000, record_done, &log), INT64_MAX);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.flows[1], b);
    net_free(n);
}

/* net_next_start_us names the start of the flow that completes first, on
 * two independent links. Link X (1e6 B/s): A = 1,000 bytes from t = 0, alone,
 * ends at 1,000 us. Link Y (1e6 B/s): B = 100 bytes from t = 500 us ends at
 * 600 us, before A: the next completion is at 600 us, of a flow started at
 * 500 us. Once B is done, A is next again (started at 0); once A is done,
 * nothing is. */
static void test_next_start_is_the_first_finishers(void **state)
{
    (void)state;
    struct net *n = net_new();
    int x = net_resource_add(n, 1e6), y = net_resource_add(n, 1e6);
    start1(n, 0, 1000, x, 1);
    assert_int_equal(net_update(n, 0), 1000);
    assert_int_equal(net_next_start_us(n), 0);
    start1(n, 500, 100, y, 2);
    assert_int_equal(net_update(n, 500), 600);
    assert_int_equal(net_next_start_us(n), 500);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 600, record_done, &log), 1000);
    assert_int_equal(net_next_start_us(n), 0);
    assert_int_equal(net_complete(n, 1000, record_done, &log), INT64_MAX);
    assert_int_equal(net_next_start_us(n), INT64_MAX);
    assert_int_equal(log.n, 2);
    net_free(n);
}

static void test_textbook_two_bottlenecks(void **state)
{
    (void)state;
    /* Link A (10) carries flows 1 and 2, link B (4) flows 2 and 3. B's share
     * 4/2 = 2 is the smaller, so f2 = f3 = 2; A has 10 - 2 = 8 left for f1. */
    struct net *n = net_new();
    int la = net_resource_add(n, 10.0), lb = net_resource_add(n, 4.0);
    int both[2] = {la, lb};
    int f1 = start1(n, 0, 1e3, la, 1);
    int f2 = net_flow_start(n, 0, 1e3, both, 2, 1.0, NULL, 2);
    int f3 = start1(n, 0, 1e3, lb, 3);
    net_update(n, 0);
    assert_near(net_flow_rate(n, f1), 8.0, 1e-12);
    assert_near(net_flow_rate(n, f2), 2.0, 1e-12);
    assert_near(net_flow_rate(n, f3), 2.0, 1e-12);
    net_free(n);
}

static void test_weights_share_in_proportion(void **state)
{
    (void)state;
    /* Weights 1 and 3 on a link of 100 B/s: 100/4 = 25 per unit of weight,
     * so 25 and 75. */
    struct net *n = net_new();
    int link = net_resource_add(n, 100.0);
    int f1 = net_flow_start(n, 0, 1e3, &link, 1, 1.0, NULL, 1);
    int f3 = net_flow_start(n, 0, 1e3, &link, 1, 3.0, NULL, 2);
    net_update(n, 0);
    assert_near(net_flow_rate(n, f1), 25.0, 1e-12);
    assert_near(net_flow_rate(n, f3), 75.0, 1e-12);
    net_free(n);
}

/* All-to-all shuffle of S bytes among W workers with NICs of B B/s each way.
 * Node i holds S/W bytes for all partitions, S/W^2 for each node; the share
 * for itself is local, so each of the W(W-1) ordered pairs i != j moves
 * S/W^2 across i's NIC out and j's NIC in. Each NIC carries
 * (W-1) S/W^2 bytes; by symmetry every NIC is busy to the end, so the time
 * is S (W-1)/W / (W B). Each pair's bytes are split into 3 flows of sizes
 * 1:2:3, which land in one class per pair. */
static void check_all_to_all(int W, double S, double B)
{
    struct net *n = net_new();
    int out[16], in[16];
    for (int i = 0; i < W; i++) {
        out[i] = net_resource_add(n, B);
        in[i] = net_resource_add(n, B);
    }
    double pair = S / ((double)W * W);
    for (int i = 0; i < W; i++)
        for (int j = 0; j < W; j++)
            for (int k = 1; k <= 3 && i != j; k++) {
                int path[2] = {out[i], in[j]};
                assert_true(net_flow_start(n, 0, pair * k / 6.0, path, 2, 1.0, NULL, 0) >= 0);
            }
    net_update(n, 0);
    assert_int_equal(net_active_flows(n), (size_t)(3 * W * (W - 1)));
    assert_int_equal(net_active_classes(n), (size_t)(W * (W - 1)));
    struct done_log log = {0};
    double t_s = (double)run_to_idle(n, 0, &log) * 1e-6;
    double expect_s = S * (W - 1) / W / (W * B);
    assert_int_equal(log.n, 3 * W * (W - 1));
    assert_near(t_s, expect_s, 0.02 * expect_s);
    assert_near(net_resource_bytes(n, out[0]), (W - 1) * pair, 1e-6 * S);
    net_free(n);
}

static void test_all_to_all_shuffle_4_workers(void **state)
{
    (void)state;
    /* S = 16e9, B = 1.25e9: 16e9 * 3/4 / (4 * 1.25e9) = 2.4 s. */
    check_all_to_all(4, 16e9, 1.25e9);
}

static void test_all_to_all_shuffle_16_workers(void **state)
{
    (void)state;
    /* S = 256e9, B = 1.25e9: 256e9 * 15/16 / (16 * 1.25e9) = 12 s. */
    check_all_to_all(16, 256e9, 1.25e9);
}

static void test_incast_limited_by_receiver_nic(void **state)
{
    (void)state;
    /* 7 senders of 1e9 bytes each to one receiver, every NIC 1.25e9 B/s: the
     * receiver's NIC in gives each 1.25e9/7, so all end together at
     * 7e9 / 1.25e9 = 5.6 s. */
    struct net *n = net_new();
    int rx = net_resource_add(n, 1.25e9);
    for (int i = 0; i < 7; i++) {
        int path[2] = {net_resource_add(n, 1.25e9), rx};
        assert_true(net_flow_start(n, 0, 1e9, path, 2, 1.0, NULL, (uint64_t)i) >= 0);
    }
    struct done_log log = {0};
    assert_int_equal(run_to_idle(n, 0, &log), 5600000);
    assert_int_equal(log.n, 7);
    assert_near(net_resource_busy_s(n, rx), 5.6, 1e-9);
    net_free(n);
}

static void test_bytes_carried_sum_flows_crossing(void **state)
{
    (void)state;
    /* A (1e8), B (2e8), C (unconstrained). f1 {A,B} 3e8, f2 {B} 5e8,
     * f3 {A,C} 1e8, f4 {C} 7e7. A carries f1+f3 = 4e8, B f1+f2 = 8e8,
     * C f3+f4 = 1.7e8. */
    struct net *n = net_new();
    int a = net_resource_add(n, 1e8), b = net_resource_add(n, 2e8);
    int c = net_resource_add(n, INFINITY);
    int ab[2] = {a, b}, ac[2] = {c, a};
    assert_true(net_flow_start(n, 0, 3e8, ab, 2, 1.0, NULL, 1) >= 0);
    start1(n, 0, 5e8, b, 2);
    assert_true(net_flow_start(n, 0, 1e8, ac, 2, 1.0, NULL, 3) >= 0);
    start1(n, 0, 7e7, c, 4);
    struct done_log log = {0};
    run_to_idle(n, 0, &log);
    assert_int_equal(log.n, 4);
    assert_near(net_resource_bytes(n, a), 4e8, 1e-3);
    assert_near(net_resource_bytes(n, b), 8e8, 1e-3);
    assert_near(net_resource_bytes(n, c), 1.7e8, 1e-3);
    net_free(n);
}

static void test_busy_time_counts_active_periods(void **state)
{
    (void)state;
    /* 1e9 bytes at 1e8 B/s from 0 to 10 s; idle to 20 s; 5e8 bytes from 20
     * to 25 s. At 22 s it has been busy 10 + 2 = 12 s; at the end 15 s. */
    struct net *n = net_new();
    int link = net_resource_add(n, 1e8);
    struct done_log log = {0};
    start1(n, 0, 1e9, link, 1);
    assert_int_equal(run_to_idle(n, 0, &log), 10000000);
    start1(n, 20000000, 5e8, link, 2);
    assert_int_equal(net_update(n, 20000000), 25000000);
    net_update(n, 22000000);
    assert_near(net_resource_busy_s(n, link), 12.0, 1e-9);
    assert_int_equal(net_complete(n, 25000000, record_done, &log), INT64_MAX);
    assert_near(net_resource_busy_s(n, link), 15.0, 1e-9);
    net_free(n);
}

static void test_cancel_removes_flow_and_others_speed_up(void **state)
{
    (void)state;
    /* Two flows of 1e9 on 1e8 B/s, 5e7 each. At 1 s, f1 is cancelled having
     * moved 5e7; f2 has 9.5e8 left at 1e8 B/s: 9.5 s more, done at 10.5 s.
     * The link carried 1e9 + 5e7. */
    struct net *n = net_new();
    int link = net_resource_add(n, 1e8);
    int f1 = start1(n, 0, 1e9, link, 1);
    int f2 = start1(n, 0, 1e9, link, 2);
    assert_int_equal(net_update(n, 0), 20000000);
    net_flow_cancel(n, 1000000, f1);
    assert_int_equal(net_active_flows(n), 1);
    assert_int_equal(net_update(n, 1000000), 10500000);
    assert_near(net_flow_rate(n, f2), 1e8, 1e-6);
    net_flow_cancel(n, 1000000, f1); /* no longer active: ignored */
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 10500000, record_done, &log), INT64_MAX);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.flows[0], f2);
    assert_near(net_resource_bytes(n, link), 1.05e9, 1e-3);
    net_free(n);
}

static void test_unconstrained_flow_completes_at_once(void **state)
{
    (void)state;
    /* Only INFINITY resources: the flow's rate is infinite and it completes
     * at the time of the update that solves it. */
    struct net *n = net_new();
    int path[2] = {net_resource_add(n, INFINITY), net_resource_add(n, INFINITY)};
    int f = net_flow_start(n, 3000, 1e12, path, 2, 1.0, NULL, 9);
    assert_int_equal(net_update(n, 3000), 3000);
    assert_true(isinf(net_flow_rate(n, f)));
    assert_near(net_flow_remaining(n, f, 3000), 0.0, 0.0);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 3000, record_done, &log), INT64_MAX);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.times[0], 3000);
    assert_near(net_resource_bytes(n, path[1]), 1e12, 0.0);
    net_free(n);
}

static void test_zero_byte_flow_completes_at_next_update(void **state)
{
    (void)state;
    /* A zero-byte flow beside a long one completes at the update's time and
     * leaves the link to the long one: 1e9 / 1e8 = 10 s after 5 s. */
    struct net *n = net_new();
    int link = net_resource_add(n, 1e8);
    int big = start1(n, 5000000, 1e9, link, 1);
    int zero = start1(n, 5000000, 0.0, link, 2);
    assert_int_equal(net_update(n, 5000000), 5000000);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 5000000, record_done, &log), 15000000);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.flows[0], zero);
    assert_near(net_flow_rate(n, big), 1e8, 1e-6);
    net_free(n);
}

static void test_down_resource_stalls_until_restored(void **state)
{
    (void)state;
    /* 1e9 bytes at 1e8 B/s; at 2 s (2e8 moved) the link goes down; at 5 s it
     * is back: 8e8 left, 8 s more, done at 13 s. */
    struct net *n = net_new();
    int link = net_resource_add(n, 1e8);
    int f = start1(n, 0, 1e9, link, 1);
    assert_int_equal(net_update(n, 0), 10000000);
    assert_int_equal(net_resource_set_capacity(n, link, 0.0, 2000000), 0);
    assert_int_equal(net_update(n, 2000000), INT64_MAX);
    assert_near(net_flow_rate(n, f), 0.0, 0.0);
    assert_near(net_flow_remaining(n, f, 4000000), 8e8, 1e-3);
    assert_int_equal(net_resource_set_capacity(n, link, 1e8, 5000000), 0);
    assert_int_equal(net_update(n, 5000000), 13000000);
    net_free(n);
}

/* Starts a flow from inside a completion callback, once. */
struct restart_ctx {
    struct net *n;
    int link;
    int started;
    struct done_log log;
};

static void restart_on_done(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us)
{
    struct restart_ctx *r = ctx;
    record_done(&r->log, owner, tag, flow, now_us);
    if (r->started < 0) {
        r->started = net_flow_start(r->n, now_us, 4e8, &r->link, 1, 1.0, NULL, 99);
        net_flow_cancel(r->n, now_us, 3); /* completed in this batch: ignored */
    }
}

static void test_simultaneous_completions_one_solve_in_handle_order(void **state)
{
    (void)state;
    /* Four flows of 1e8 on 4e8 B/s get 1e8 each and end together at 1 s: one
     * net_complete removes all four, calls back in handle order 0..3, and
     * solves once. A flow started by the first callback gets a fresh handle
     * (4), not one of the batch, and has the link alone: 4e8 / 4e8 = 1 s. */
    struct restart_ctx r = {.n = net_new(), .started = -1};
    r.link = net_resource_add(r.n, 4e8);
    for (int i = 0; i < 4; i++)
        assert_int_equal(start1(r.n, 0, 1e8, r.link, (uint64_t)i), i);
    assert_int_equal(net_update(r.n, 0), 1000000);
    assert_int_equal(net_solves(r.n), 1);
    assert_int_equal(net_complete(r.n, 1000000, restart_on_done, &r), 2000000);
    assert_int_equal(net_solves(r.n), 2);
    assert_int_equal(r.log.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r.log.flows[i], i);
    assert_int_equal(r.started, 4);
    assert_int_equal(start1(r.n, 1000000, 1.0, r.link, 5), 0); /* batch handles now free */
    net_free(r.n);
}

static void test_untouched_component_keeps_rates(void **state)
{
    (void)state;
    /* Links L1 and L2 (1e8 each) share no flow. a, b on L1 get 5e7; c on L2
     * gets 1e8. At 1 s, d (weight 2) starts on L2: only L2's component is
     * solved (2 classes: c's and d's), so c gets 1e8/3, d 2e8/3, while a and
     * b keep 5e7 and still end at 1e9 / 5e7 = 20 s. */
    struct net *n = net_new();
    int l1 = net_resource_add(n, 1e8), l2 = net_resource_add(n, 1e8);
    int a = start1(n, 0, 1e9, l1, 1);
    int b = start1(n, 0, 1e9, l1, 2);
    int c = start1(n, 0, 1e10, l2, 3);
    net_update(n, 0);
    assert_int_equal(net_active_classes(n), 2);
    assert_int_equal(net_last_solve_classes(n), 2);
    int d = net_flow_start(n, 1000000, 1e10, &l2, 1, 2.0, NULL, 4);
    assert_int_equal(net_update(n, 1000000), 20000000);
    assert_int_equal(net_last_solve_classes(n), 2);
    assert_int_equal(net_solves(n), 2);
    assert_near(net_flow_rate(n, a), 5e7, 1e-6);
    assert_near(net_flow_rate(n, b), 5e7, 1e-6);
    assert_near(net_flow_rate(n, c), 1e8 / 3, 1e-6);
    assert_near(net_flow_rate(n, d), 2e8 / 3, 1e-6);
    /* An update with no change solves nothing. */
    net_update(n, 1500000);
    assert_int_equal(net_solves(n), 2);
    net_free(n);
}

static void test_slack_nics_leave_solves_until_they_bind(void **state)
{
    (void)state;
    /* Three workers, disks of 1e8 B/s and NICs of 1e9. a (0 -> 1) and b
     * (0 -> 2) read disk 0, c (1 -> 2) disk 1. The first solve sees one
     * component (b and c share in2, a and b disk 0 and out0): a = b = 1e8 / 2
     * = 5e7 (disk 0), c = 1e8 (disk 1); the NICs carry at most 1.5e8 of 1e9
     * and bind no one, so they stop linking classes. */
    struct net *n = net_new();
    int disk[3], out[3], in[3];
    for (int w = 0; w < 3; w++) {
        disk[w] = net_resource_add(n, 1e8);
        out[w] = net_resource_add(n, 1e9);
        in[w] = net_resource_add(n, 1e9);
    }
    int p01[3] = {disk[0], out[0], in[1]}, p02[3] = {disk[0], out[0], in[2]};
    int p12[3] = {disk[1], out[1], in[2]};
    int a = net_flow_start(n, 0, 1e10, p01, 3, 1.0, NULL, 1);
    int b = net_flow_start(n, 0, 1e10, p02, 3, 1.0, NULL, 2);
    int c = net_flow_start(n, 0, 1e10, p12, 3, 1.0, NULL, 3);
    net_update(n, 0);
    assert_int_equal(net_last_solve_classes(n), 3);
    assert_near(net_flow_rate(n, a), 5e7, 1e-6);
    assert_near(net_flow_rate(n, c), 1e8, 1e-6);
    /* d joins a's class at 1 s: the component falls apart into disk 0's
     * classes (a and b: 1e8 / 3 each flow) and disk 1's (c keeps 1e8). */
    int d = net_flow_start(n, 1000000, 1e10, p01, 3, 1.0, NULL, 4);
    net_update(n, 1000000);
    assert_int_equal(net_last_solve_classes(n), 3);
    assert_near(net_flow_rate(n, d), 1e8 / 3, 1e-6);
    assert_near(net_flow_rate(n, b), 1e8 / 3, 1e-6);
    assert_near(net_flow_rate(n, c), 1e8, 1e-6);
    /* e joins c's class at 2 s: only that class is solved (in2, which it
     * shares with b, is slack): c = e = 5e7, disk 0's flows keep 1e8 / 3. */
    int e = net_flow_start(n, 2000000, 1e10, p12, 3, 1.0, NULL, 5);
    net_update(n, 2000000);
    assert_int_equal(net_last_solve_classes(n), 1);
    assert_near(net_flow_rate(n, e), 5e7, 1e-6);
    assert_near(net_flow_rate(n, a), 1e8 / 3, 1e-6);
    /* in2 drops to 6e7 at 3 s: it would carry 1e8 / 3 + 1e8, so it binds
     * and links b's and c's classes again. Progressive filling: in2's
     * share 6e7 / 3 = 2e7 is the smallest (disk 0: 1e8 / 3, disk 1: 5e7),
     * so b = c = e = 2e7; disk 0 then has 1e8 - 2e7 left for a and d: 4e7
     * each. */
    net_resource_set_capacity(n, in[2], 6e7, 3000000);
    net_update(n, 3000000);
    assert_int_equal(net_last_solve_classes(n), 3);
    assert_near(net_flow_rate(n, b), 2e7, 1e-6);
    assert_near(net_flow_rate(n, c), 2e7, 1e-6);
    assert_near(net_flow_rate(n, e), 2e7, 1e-6);
    assert_near(net_flow_rate(n, a), 4e7, 1e-6);
    assert_near(net_flow_rate(n, d), 4e7, 1e-6);
    net_free(n);
}

static void test_one_bottleneck_keeps_a_virtual_clock(void **state)
{
    (void)state;
    /* Disk D of 1e8 B/s. a reads 1e8 B through D alone; b (2e8 B) and c
     * (1e8 B) through D and an unconstrained pipe P, one class. D is the
     * only linking resource and every weight is 1, so after the first solve
     * the component is flat: its flows share D's clock. By hand:
     *   0 - 0.5 s  a alone at 1e8 B/s: 5e7 B moved;
     *   0.5 s      b starts, 1e8 / 2 = 5e7 each: a has 5e7 left, ends at 1.5 s;
     *   1.5 s      b alone at 1e8, 5e7 moved, 1.5e8 left: would end at 3.0 s;
     *   2.0 s      c joins b's class: b has 1e8 left, c 1e8, 5e7 each: both
     *              end at 4.0 s;
     *   2.5 s      e (1e8 B, through D alone) starts and is cancelled at
     *              3.0 s, having moved 1e8 / 3 x 0.5 = 1e8 / 6: b and c
     *              moved as much over that half second instead of 2.5e7,
     *              so they end (2.5e7 - 1e8 / 6) / 5e7 = 1/6 s later, at
     *              4.1666667 s, rounded up to the us. */
    struct net *n = net_new();
    int d = net_resource_add(n, 1e8), p = net_resource_add(n, INFINITY);
    int dp[2] = {d, p};
    int a = net_flow_start(n, 0, 1e8, &d, 1, 1.0, NULL, 1);
    assert_int_equal(net_update(n, 0), 1000000);
    int b = net_flow_start(n, 500000, 2e8, dp, 2, 1.0, NULL, 2);
    assert_int_equal(net_update(n, 500000), 1500000);
    assert_near(net_flow_rate(n, a), 5e7, 1e-6);
    assert_near(net_flow_rate(n, b), 5e7, 1e-6);
    assert_near(net_flow_remaining(n, a, 1000000), 2.5e7, 1e-3);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 1500000, record_done, &log), 3000000);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.flows[0], a);
    assert_near(net_flow_rate(n, b), 1e8, 1e-6);
    int c = net_flow_start(n, 2000000, 1e8, dp, 2, 1.0, NULL, 3);
    assert_int_equal(net_update(n, 2000000), 4000000);
    assert_near(net_flow_remaining(n, b, 2000000), 1e8, 1e-3);
    assert_near(net_flow_remaining(n, c, 3000000), 5e7, 1e-3);
    int e = net_flow_start(n, 2500000, 1e8, &d, 1, 1.0, NULL, 4);
    net_update(n, 2500000);
    assert_near(net_flow_rate(n, e), 1e8 / 3, 1e-6);
    assert_near(net_flow_rate(n, c), 1e8 / 3, 1e-6);
    net_flow_cancel(n, 3000000, e);
    assert_near(net_resource_bytes(n, d), 1e8 + 1e8 / 6, 1e-3);
    assert_int_equal(net_update(n, 3000000), 4166667);
    log.n = 0;
    assert_int_equal(net_complete(n, 4166667, record_done, &log), INT64_MAX);
    assert_int_equal(log.n, 2); /* in handle order: c reuses a's handle */
    assert_int_equal(log.flows[0], c);
    assert_int_equal(log.flows[1], b);
    assert_int_equal(net_active_flows(n), 0);
    assert_near(net_resource_bytes(n, d), 4e8 + 1e8 / 6, 1e-3);
    net_free(n);
}

static void test_flat_late_completion_takes_every_finished_class(void **state)
{
    (void)state;
    /* A flat component on disk D (1e8 B/s) with two classes: x (1e8 B,
     * through D) from 0, y (1.0001e8 B) and z (3e8 B) through D and an
     * unconstrained pipe from 1 ms. x alone moves 1e5 B by 1 ms, then the
     * three share 1e8 / 3: x ends at 1 ms + 9.99e7 / (1e8 / 3) = 2.998 s.
     * Handled late, at 3.1 s (a coarse grain), every flow finished by then
     * is taken: x, and y, which had 1.0001e8 - 3.1 s x 1e8 / 3 < 0 left
     * (the rates hold until the completion is handled), in handle order.
     * z has 3e8 - 1.033e8 = 1.967e8 left alone on D: it ends at 5.067 s. */
    struct net *n = net_new();
    int d = net_resource_add(n, 1e8), p = net_resource_add(n, INFINITY);
    int dp[2] = {d, p};
    int x = net_flow_start(n, 0, 1e8, &d, 1, 1.0, NULL, 1);
    assert_int_equal(net_update(n, 0), 1000000);
    int y = net_flow_start(n, 1000, 1.0001e8, dp, 2, 1.0, NULL, 2);
    int z = net_flow_start(n, 1000, 3e8, dp, 2, 1.0, NULL, 3);
    assert_int_equal(net_update(n, 1000), 2998000);
    struct done_log log = {0};
    assert_int_equal(net_complete(n, 3100000, record_done, &log), 5067000);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.flows[0], x);
    assert_int_equal(log.flows[1], y);
    assert_near(net_flow_rate(n, z), 1e8, 1e-6);
    assert_near(net_flow_remaining(n, z, 3100000), 1.967e8, 1e-2);
    net_free(n);
}

static void test_bad_arguments_rejected(void **state)
{
    (void)state;
    struct net *n = net_new();
    assert_int_equal(net_resource_add(n, -1.0), -1);
    assert_int_equal(net_resource_add(n, NAN), -1);
    int r = net_resource_add(n, 1e6);
    int dup[2] = {r, r}, nine[9] = {0}, bad = 5;
    assert_int_equal(net_flow_start(n, 0, -1.0, &r, 1, 1.0, NULL, 0), -1);
    assert_int_equal(net_flow_start(n, 0, NAN, &r, 1, 1.0, NULL, 0), -1);
    assert_int_equal(net_flow_start(n, 0, 1.0, &r, 0, 1.0, NULL, 0), -1);
    assert_int_equal(net_flow_start(n, 0, 1.0, nine, 9, 1.0, NULL, 0), -1);
    assert_int_equal(net_flow_start(n, 0, 1.0, &bad, 1, 1.0, NULL, 0), -1);
    assert_int_equal(net_flow_start(n, 0, 1.0, dup, 2, 1.0, NULL, 0), -1);
    assert_int_equal(net_flow_start(n, 0, 1.0, &r, 1, 0.0, NULL, 0), -1);
    assert_int_equal(net_resource_set_capacity(n, 3, 1.0, 0), -1);
    assert_int_equal(net_resource_set_capacity(n, r, -5.0, 0), -1);
    assert_int_equal(net_active_flows(n), 0);
    assert_int_equal(net_update(n, 0), INT64_MAX);
    net_free(n);
    net_free(NULL);
}

/* ---- random workloads against a reference -------------------------------- */

#define REF_RES 20
#define REF_FLOWS 200

struct ref_flow {
    int handle; /* -1 when not active */
    int res[4], n_res;
    double weight, bytes, remaining, rate;
};

struct ref {
    double cap[REF_RES];
    struct ref_flow f[REF_FLOWS];
    int n;
};

static uint64_t rng_state = 88172645463325252u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rnd_unit(void)
{
    return (double)(rnd() >> 11) * 0x1p-53;
}

/* Progressive filling written the obvious way: O(R F) per bottleneck. */
static void ref_solve(struct ref *ref)
{
    double rem[REF_RES];
    bool frozen[REF_FLOWS];
    for (int r = 0; r < REF_RES; r++)
        rem[r] = ref->cap[r];
    for (int i = 0; i < ref->n; i++)
        frozen[i] = ref->f[i].handle < 0;
    for (;;) {
        int best = -1;
        double best_share = INFINITY;
        for (int r = 0; r < REF_RES; r++) {
            if (isinf(ref->cap[r]))
                continue;
            double w = 0.0;
            for (int i = 0; i < ref->n; i++)
                for (int j = 0; j < ref->f[i].n_res && !frozen[i]; j++)
                    if (ref->f[i].res[j] == r)
                        w += ref->f[i].weight;
            double share = rem[r] > 0.0 ? rem[r] / w : 0.0;
            if (w > 0.0 && share < best_share) {
                best_share = share;
                best = r;
            }
        }
        if (best < 0)
            break;
        for (int i = 0; i < ref->n; i++) {
            bool crosses = false;
            for (int j = 0; j < ref->f[i].n_res; j++)
                crosses |= ref->f[i].res[j] == best;
            if (frozen[i] || !crosses)
                continue;
            frozen[i] = true;
            ref->f[i].rate = ref->f[i].weight * best_share;
            for (int j = 0; j < ref->f[i].n_res; j++)
                rem[ref->f[i].res[j]] -= ref->f[i].rate;
        }
    }
    for (int i = 0; i < ref->n; i++)
        if (!frozen[i])
            ref->f[i].rate = INFINITY;
}

static void ref_advance(struct ref *ref, int64_t dt_us)
{
    for (int i = 0; i < ref->n; i++) {
        struct ref_flow *f = &ref->f[i];
        if (f->handle >= 0)
            f->remaining = isinf(f->rate) ? 0.0 : f->remaining - f->rate * (double)dt_us * 1e-6;
    }
}

/* Rates, remaining bytes and the next completion agree with the reference. */
static void ref_check(struct net *n, struct ref *ref, int64_t now_us, int64_t next_us)
{
    ref_solve(ref);
    int64_t ref_next = INT64_MAX;
    for (int i = 0; i < ref->n; i++) {
        const struct ref_flow *f = &ref->f[i];
        if (f->handle < 0)
            continue;
        double rate = net_flow_rate(n, f->handle);
        assert_near(rate, f->rate, 1e-9 * f->rate);
        double left = isinf(f->rate) ? 0.0 : fmax(f->remaining, 0.0); /* done at once */
        assert_near(net_flow_remaining(n, f->handle, now_us), left, 1e-6 * f->bytes + 1.0);
        int64_t t = INT64_MAX;
        if (isinf(f->rate) || f->remaining <= 0.0)
            t = now_us;
        else if (f->rate > 0.0)
            t = now_us + (int64_t)ceil(f->remaining / f->rate * 1e6);
        if (t < ref_next)
            ref_next = t;
    }
    if (ref_next == INT64_MAX)
        assert_int_equal(next_us, INT64_MAX);
    else
        assert_true(next_us >= ref_next - 1 && next_us <= ref_next + 1);
}

static int pick_active(const struct ref *ref)
{
    int active = 0;
    for (int i = 0; i < ref->n; i++)
        active += ref->f[i].handle >= 0;
    if (active == 0)
        return -1;
    int k = (int)(rnd() % (uint64_t)active);
    for (int i = 0; i < ref->n; i++)
        if (ref->f[i].handle >= 0 && k-- == 0)
            return i;
    return -1;
}

static double random_capacity(void)
{
    double u = rnd_unit();
    if (u < 0.03)
        return 0.0;
    if (u < 0.08)
        return INFINITY;
    return 1e6 + 1e8 * rnd_unit();
}

/* The workloads: paths of 1..4 resources anywhere (DENSE); mostly one
 * resource long, so the graph falls into many components and most solves
 * are partial (SPARSE); or a shuffle among SHUFFLE_W workers, resources
 * 3w (disk, slow), 3w+1 (NIC out) and 3w+2 (NIC in), each flow reading
 * its source's disk and, from another worker, crossing both NICs: the
 * NICs mostly have room to spare (slack, left out of solves) until a
 * capacity change makes them bind. */
enum workload { DENSE, SPARSE, SHUFFLE };
#define SHUFFLE_W 6

static double shuffle_capacity(int r)
{
    if (r >= 3 * SHUFFLE_W)
        return r == 3 * SHUFFLE_W ? INFINITY : 1e6 + 1e8 * rnd_unit();
    if (r % 3 == 0)
        return 1e7 + 1e7 * rnd_unit(); /* a disk */
    return rnd_unit() < 0.3 ? 1e6 + 1e7 * rnd_unit() : 5e7 + 5e7 * rnd_unit();
}

static void shuffle_path(struct ref_flow *f)
{
    int src = (int)(rnd() % SHUFFLE_W), dst = (int)(rnd() % SHUFFLE_W);
    f->res[0] = 3 * src;
    f->n_res = 1;
    if (src != dst) {
        f->res[1] = 3 * src + 1;
        f->res[2] = 3 * dst + 2;
        f->n_res = 3;
    }
}

/* Drives the model through random starts, cancels, capacity changes and
 * completions, checking it against the reference after every change. With
 * quantum_us > 1, completions are handled late, at the completion time
 * rounded up to the quantum, as the simulator does. */
static void run_random_workload_weighted(uint64_t seed, enum workload kind, int64_t quantum_us,
                                         bool unit_weights)
{
    rng_state = seed;
    bool sparse = kind == SPARSE;
    struct net *n = net_new();
    struct ref *ref = calloc(1, sizeof *ref);
    assert_non_null(ref);
    for (int r = 0; r < REF_RES; r++) {
        if (kind == SHUFFLE)
            ref->cap[r] = shuffle_capacity(r);
        else
            ref->cap[r] = r == 0 ? INFINITY : 1e6 + 1e8 * rnd_unit();
        assert_int_equal(net_resource_add(n, ref->cap[r]), r);
    }
    /* A few fixed paths, so that flows aggregate into classes too. */
    int paths[6][4];
    for (int p = 0; p < 6; p++)
        for (int j = 0; j < 4; j++)
            paths[p][j] = (p * 3 + j * 5) % REF_RES;

    int64_t now = 0;
    int steps = 0;
    while ((ref->n < REF_FLOWS || pick_active(ref) >= 0) && steps++ < 5000) {
        /* Changes at now: starts, a cancel, a capacity change. */
        int starts = ref->n < REF_FLOWS ? (int)(rnd() % 6) : 0;
        for (int s = 0; s < starts && ref->n < REF_FLOWS; s++) {
            struct ref_flow *f = &ref->f[ref->n];
            f->n_res = sparse && rnd() % 8 ? 1 : 1 + (int)(rnd() % 4);
            int p = (int)(rnd() % 12);
            if (kind == SHUFFLE)
                shuffle_path(f);
            for (int j = 0; j < f->n_res && kind != SHUFFLE; j++) {
                int r;
                bool again;
                do {
                    r = p < 6 ? paths[p][j] : (int)(rnd() % REF_RES);
                    again = false;
                    for (int k = 0; k < j; k++)
                        again |= f->res[k] == r;
                    if (again)
                        p = 6; /* fall back to random ids */
                } while (again);
                f->res[j] = r;
            }
            f->weight = unit_weights ? 1.0 : (double)(1 + rnd() % 3);
            f->bytes = rnd_unit() < 0.03 ? 0.0 : 1e5 + 1e8 * rnd_unit();
            f->remaining = f->bytes;
            f->handle = net_flow_start(n, now, f->bytes, f->res, f->n_res, f->weight, NULL,
                                       (uint64_t)ref->n);
            assert_true(f->handle >= 0);
            ref->n++;
        }
        if (rnd_unit() < 0.1) {
            int i = pick_active(ref);
            if (i >= 0) {
                net_flow_cancel(n, now, ref->f[i].handle);
                ref->f[i].handle = -1;
            }
        }
        if (rnd_unit() < 0.1) {
            int r = 1 + (int)(rnd() % (REF_RES - 1));
            ref->cap[r] =
                kind == SHUFFLE && rnd_unit() < 0.8 ? shuffle_capacity(r) : random_capacity();
            net_resource_set_capacity(n, r, ref->cap[r], now);
        }
        int64_t next = net_update(n, now);
        ref_check(n, ref, now, next);
        if (next == INT64_MAX && ref->n == REF_FLOWS) {
            /* Stalled on links that are down: bring them all back. */
            for (int r = 1; r < REF_RES; r++)
                if (ref->cap[r] == 0.0) {
                    ref->cap[r] = 5e7;
                    net_resource_set_capacity(n, r, 5e7, now);
                }
            continue;
        }
        /* Move on: to the next completion, or to an earlier time. */
        int64_t later = now + 1 + (int64_t)(rnd() % 3000000);
        if (next == INT64_MAX || (later < next && rnd_unit() < 0.5 && ref->n < REF_FLOWS)) {
            ref_advance(ref, later - now);
            now = later;
            continue;
        }
        if (quantum_us > 1 && next < INT64_MAX - quantum_us)
            next = (next + quantum_us - 1) / quantum_us * quantum_us;
        ref_advance(ref, next - now);
        now = next;
        struct done_log log = {0};
        int64_t after = net_complete(n, now, record_done, &log);
        for (int d = 0; d < log.n; d++) {
            struct ref_flow *f = &ref->f[log.tags[d]];
            assert_int_equal(f->handle, log.flows[d]);
            /* It had at most a us of transfer left (with round-off). */
            assert_true(isinf(f->rate) || f->remaining <= f->rate * 1e-6 + 1e-6 * f->bytes + 1e-3);
            f->handle = -1;
            if (d > 0)
                assert_true(log.flows[d] > log.flows[d - 1]);
        }
        /* No flow left behind is overdue. */
        for (int i = 0; i < ref->n; i++)
            if (ref->f[i].handle >= 0)
                assert_true(ref->f[i].remaining > -(1e-6 * ref->f[i].bytes + 1e-3));
        ref_check(n, ref, now, after);
    }
    assert_int_equal(ref->n, REF_FLOWS);
    assert_int_equal(net_active_flows(n), 0);
    free(ref);
    net_free(n);
}

static void run_random_workload(uint64_t seed, enum workload kind, int64_t quantum_us)
{
    run_random_workload_weighted(seed, kind, quantum_us, false);
}

static void test_random_workloads_match_reference(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        run_random_workload(seed * 0x9e3779b97f4a7c15u, DENSE, 0);
        run_random_workload(seed * 0xc2b2ae3d27d4eb4fu, SPARSE, 0);
    }
}

static void test_random_workloads_late_completions_match_reference(void **state)
{
    (void)state;
    /* The simulator's completion quantum: net_complete called up to 1 ms
     * after a completion takes every flow finished by then, none left
     * overdue, and the rates after it match the reference's. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        run_random_workload(seed * 0x94d049bb133111ebu, DENSE, 1000);
        run_random_workload(seed * 0xbf58476d1ce4e5b9u, SPARSE, 1000);
        run_random_workload(seed * 0xd6e8feb86659fd93u, SHUFFLE, 1000);
    }
}

static void test_random_shuffles_with_slack_nics_match_reference(void **state)
{
    (void)state;
    /* Flows coming and going over disks and NICs, the NICs slack (left out
     * of solves) or binding as their capacities change: the rates stay the
     * reference's to 1e-9 after every change. */
    for (uint64_t seed = 1; seed <= 30; seed++)
        run_random_workload(seed * 0x2545f4914f6cdd1du, SHUFFLE, 0);
}

static void test_random_flat_components_match_reference(void **state)
{
    (void)state;
    /* Every weight 1, as the simulator's flows: a component with one
     * linking resource (a disk behind slack NICs, or one link) is flat and
     * kept on its resource's virtual clock. Its rates, remaining bytes and
     * completions stay the reference's after every change, exact and with
     * late completions, while NICs link and unlink around it. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        run_random_workload_weighted(seed * 0x9e3779b97f4a7c15u, SPARSE, 0, true);
        run_random_workload_weighted(seed * 0x2545f4914f6cdd1du, SHUFFLE, 0, true);
        run_random_workload_weighted(seed * 0xbf58476d1ce4e5b9u, SPARSE, 1000, true);
        run_random_workload_weighted(seed * 0xd6e8feb86659fd93u, SHUFFLE, 1000, true);
        run_random_workload_weighted(seed * 0x94d049bb133111ebu, DENSE, 1000, true);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_flow_gets_whole_link),
        cmocka_unit_test(test_two_flows_share_then_survivor_speeds_up),
        cmocka_unit_test(test_next_start_is_the_first_finishers),
        cmocka_unit_test(test_textbook_two_bottlenecks),
        cmocka_unit_test(test_weights_share_in_proportion),
        cmocka_unit_test(test_all_to_all_shuffle_4_workers),
        cmocka_unit_test(test_all_to_all_shuffle_16_workers),
        cmocka_unit_test(test_incast_limited_by_receiver_nic),
        cmocka_unit_test(test_bytes_carried_sum_flows_crossing),
        cmocka_unit_test(test_busy_time_counts_active_periods),
        cmocka_unit_test(test_cancel_removes_flow_and_others_speed_up),
        cmocka_unit_test(test_unconstrained_flow_completes_at_once),
        cmocka_unit_test(test_zero_byte_flow_completes_at_next_update),
        cmocka_unit_test(test_down_resource_stalls_until_restored),
        cmocka_unit_test(test_simultaneous_completions_one_solve_in_handle_order),
        cmocka_unit_test(test_untouched_component_keeps_rates),
        cmocka_unit_test(test_slack_nics_leave_solves_until_they_bind),
        cmocka_unit_test(test_bad_arguments_rejected),
        cmocka_unit_test(test_random_workloads_match_reference),
        cmocka_unit_test(test_random_workloads_late_completions_match_reference),
        cmocka_unit_test(test_random_shuffles_with_slack_nics_match_reference),
        cmocka_unit_test(test_random_flat_components_match_reference),
        cmocka_unit_test(test_one_bottleneck_keeps_a_virtual_clock),
        cmocka_unit_test(test_flat_late_completion_takes_every_finished_class),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
