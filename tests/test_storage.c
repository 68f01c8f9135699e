/*
 * test_storage.c — the storage model on its own (models/storage.c): which
 * resources each transfer crosses, the arithmetic of a task's share and of
 * a cached block that spills to disk, and readers sharing the storage
 * account through the flow model (models/network.c), worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "models/storage.h"

/* NICs of 1000 B/s each way, disks of 4000 B/s, an account that serves
 * 2000 B/s and takes 1500 B/s, no cluster-wide cap. */
static const struct storage_rates rates = {1000.0, 4000.0, 2000.0, 1500.0, INFINITY};

static struct net *new_storage(struct storage *st, int nodes, const struct storage_rates *r)
{
    struct diag d;
    diag_clear(&d);
    struct net *net = net_new();
    assert_non_null(net);
    assert_int_equal(storage_init(st, net, nodes, r, &d), SC_OK);
    return net;
}

static void test_resources_are_added_node_by_node_then_the_account(void **state)
{
    (void)state;
    /* 2 nodes: (NIC out, NIC in, disk) x 2 = ids 0..5, account 6 and 7; no
     * cap, so 8 resources. */
    struct storage st;
    struct net *net = new_storage(&st, 2, &rates);
    assert_int_equal(st.nic_out[1], 3);
    assert_int_equal(st.nic_in[1], 4);
    assert_int_equal(st.disk[1], 5);
    assert_int_equal(st.account_egress, 6);
    assert_int_equal(st.account_ingress, 7);
    assert_int_equal(st.network_limit, -1);
    assert_int_equal(net_resource_count(net), 8);
    storage_fini(&st);
    net_free(net);
}

static void test_each_transfer_takes_its_path(void **state)
{
    (void)state;
    struct storage st;
    struct net *net = new_storage(&st, 3, &rates);
    int res[STORAGE_MAX_PATH];
    /* Input: account egress, then node 2's NIC in. */
    assert_int_equal(storage_path_input(&st, 2, res), 2);
    assert_int_equal(res[0], st.account_egress);
    assert_int_equal(res[1], st.nic_in[2]);
    /* Output: node 1's NIC out, then account ingress. */
    assert_int_equal(storage_path_output(&st, 1, res), 2);
    assert_int_equal(res[0], st.nic_out[1]);
    assert_int_equal(res[1], st.account_ingress);
    assert_int_equal(storage_path_local_disk(&st, 0, res), 1);
    assert_int_equal(res[0], st.disk[0]);
    /* A block from node 0 to node 2: disk and NIC out of 0, NIC in of 2. */
    assert_int_equal(storage_path_remote_block(&st, 0, 2, res), 3);
    assert_int_equal(res[0], st.disk[0]);
    assert_int_equal(res[1], st.nic_out[0]);
    assert_int_equal(res[2], st.nic_in[2]);
    storage_fini(&st);
    net_free(net);
}

static void test_readers_share_the_account_egress(void **state)
{
    (void)state;
    /* One reader is held by its NIC: min(1000, 2000) = 1000 B/s. Four
     * readers on four nodes share the account's 2000 B/s: 500 B/s each, so
     * 1000 bytes each take 2 s. */
    struct storage st;
    struct net *net = new_storage(&st, 4, &rates);
    int res[STORAGE_MAX_PATH];
    int n = storage_path_input(&st, 0, res);
    int f0 = net_flow_start(net, 0, 1000.0, res, n, 1.0, NULL, 0);
    net_update(net, 0);
    assert_float_equal(net_flow_rate(net, f0), 1000.0, 1e-9);
    for (int w = 1; w < 4; w++) {
        n = storage_path_input(&st, w, res);
        assert_true(net_flow_start(net, 0, 1000.0, res, n, 1.0, NULL, 0) >= 0);
    }
    int64_t done_us = net_update(net, 0);
    assert_float_equal(net_flow_rate(net, f0), 500.0, 1e-9);
    assert_int_equal(done_us, 2000000);
    storage_fini(&st);
    net_free(net);
}

static void test_a_cap_joins_every_remote_block(void **state)
{
    (void)state;
    /* With a 600 B/s cluster-wide cap, a remote block crosses it as a 4th
     * resource. Two blocks served by node 0 to nodes 1 and 2 share node 0's
     * NIC out (1000 B/s: 500 each) and the cap (600: 300 each): 300 B/s. */
    struct storage_rates capped = rates;
    capped.network_limit_bps = 600.0;
    struct storage st;
    struct net *net = new_storage(&st, 3, &capped);
    int res[STORAGE_MAX_PATH];
    assert_int_equal(storage_path_remote_block(&st, 0, 1, res), 4);
    assert_int_equal(res[3], st.network_limit);
    int a = net_flow_start(net, 0, 300.0, res, 4, 1.0, NULL, 0);
    storage_path_remote_block(&st, 0, 2, res);
    int b = net_flow_start(net, 0, 300.0, res, 4, 1.0, NULL, 0);
    assert_int_equal(net_update(net, 0), 1000000);
    assert_float_equal(net_flow_rate(net, a), 300.0, 1e-9);
    assert_float_equal(net_flow_rate(net, b), 300.0, 1e-9);
    storage_fini(&st);
    net_free(net);
}

static void test_stage_bytes_spread_evenly_over_tasks(void **state)
{
    (void)state;
    /* 1000 bytes over 4 tasks: 250 each; an unknown (-1) or empty total is
     * nothing to move. */
    assert_float_equal(storage_task_share(1000, 4), 250.0, 0.0);
    assert_float_equal(storage_task_share(1000, 3), 1000.0 / 3.0, 0.0);
    assert_float_equal(storage_task_share(-1, 4), 0.0, 0.0);
    assert_float_equal(storage_task_share(0, 4), 0.0, 0.0);
}

static void test_a_cached_block_that_does_not_fit_goes_to_disk(void **state)
{
    (void)state;
    /* A unified region of 100 bytes. Caching 30 with 10 cached: it fits.
     * With 80 cached: 80 + 30 - 100 = 10 go to disk. With 120 already
     * cached (the region is full): the whole block, 30. */
    assert_float_equal(storage_cache_overflow_bytes(10.0, 30.0, 100.0), 0.0, 0.0);
    assert_float_equal(storage_cache_overflow_bytes(80.0, 30.0, 100.0), 10.0, 0.0);
    assert_float_equal(storage_cache_overflow_bytes(120.0, 30.0, 100.0), 30.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resources_are_added_node_by_node_then_the_account),
        cmocka_unit_test(test_each_transfer_takes_its_path),
        cmocka_unit_test(test_readers_share_the_account_egress),
        cmocka_unit_test(test_a_cap_joins_every_remote_block),
        cmocka_unit_test(test_stage_bytes_spread_evenly_over_tasks),
        cmocka_unit_test(test_a_cached_block_that_does_not_fit_goes_to_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
