/*
 * test_storage.c — the storage model on its own (models/storage.c): which
 * resources each transfer crosses, the arithmetic of a task's share and of
 * a cached block that spills to disk, and readers sharing the storage
 * account through the flow model (models/network.c), and an object store's
 * waits per file, request and commit and its per-stream cap, worked out by
 * hand.
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
    assert_int_equal(storage_init(st, net, nodes, 0, r, &d), SC_OK);
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
    assert_int_equal(storage_path_input(&st, 2, -1, res), 2);
    assert_int_equal(res[0], st.account_egress);
    assert_int_equal(res[1], st.nic_in[2]);
    /* Output: node 1's NIC out, then account ingress. */
    assert_int_equal(storage_path_output(&st, 1, -1, res), 2);
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
    int n = storage_path_input(&st, 0, -1, res);
    int f0 = net_flow_start(net, 0, 1000.0, res, n, 1.0, NULL, 0);
    net_update(net, 0);
    assert_float_equal(net_flow_rate(net, f0), 1000.0, 1e-9);
    for (int w = 1; w < 4; w++) {
        n = storage_path_input(&st, w, -1, res);
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

/* An object store's figures, round for working by hand: 30 ms a request,
 * 2 requests to open a file, reads of 4 MiB, streams of 87.5 MB/s, 2
 * requests and 60 ms of commit per file written. */
static const struct store_access abfs_like = {0.030, 2.0, 4.0 * 1024 * 1024, 87.5e6, 2.0, 0.060};

static void test_a_scan_task_waits_per_file_and_per_request(void **state)
{
    (void)state;
    /* F = 3 files of 10 MiB each, 30 MiB in all: each file is opened (2
     * requests) and read in ceil(10 MiB / 4 MiB) = 3 requests, so 3 x (2 +
     * 3) = 15 requests of 30 ms: 0.45 s. */
    double mib = 1024.0 * 1024.0;
    assert_float_equal(storage_read_wait_s(&abfs_like, 3.0, 30.0 * mib), 0.45, 1e-12);
    /* Exactly 8 MiB a file: 2 requests each, 3 x (2 + 2) x 0.03 = 0.36 s. */
    assert_float_equal(storage_read_wait_s(&abfs_like, 3.0, 24.0 * mib), 0.36, 1e-12);
    /* count() reads footers only: 3 x 2 x 0.03 = 0.18 s. */
    assert_float_equal(storage_read_wait_s(&abfs_like, 3.0, 0.0), 0.18, 1e-12);
    /* No file, no wait. */
    assert_float_equal(storage_read_wait_s(&abfs_like, 0.0, 30.0 * mib), 0.0, 0.0);
}

static void test_an_idle_store_moves_a_task_at_its_stream_rate(void **state)
{
    (void)state;
    /* An idle store (account and NIC far faster than a stream): the task's
     * 30 MiB = 31,457,280 bytes move at the stream's 87.5e6 B/s, in
     * 0.359511... s, rounded up to the microsecond: 359,512 us. With the
     * 0.45 s of requests above, its input takes 0.809512 s. */
    const struct storage_rates fast = {1e12, 1e12, 1e12, 1e12, INFINITY};
    struct storage st;
    struct diag d;
    diag_clear(&d);
    struct net *net = net_new();
    assert_non_null(net);
    assert_int_equal(storage_init(&st, net, 1, 2, &fast, &d), SC_OK);
    /* (NIC out, NIC in, disk), egress, ingress, then the 2 streams. */
    assert_int_equal(net_resource_count(net), 7);
    int stream = storage_stream_cap(&st, net, 1, abfs_like.stream_bps, 0);
    assert_int_equal(stream, st.stream[1]);
    int res[STORAGE_MAX_PATH];
    int n = storage_path_input(&st, 0, stream, res);
    assert_int_equal(n, 3);
    assert_int_equal(res[2], st.stream[1]);
    double bytes = 30.0 * 1024 * 1024;
    int f = net_flow_start(net, 0, bytes, res, n, 1.0, NULL, 0);
    int64_t done_us = net_update(net, 0);
    assert_float_equal(net_flow_rate(net, f), 87.5e6, 1e-6);
    assert_int_equal(done_us, 359512);
    double wait = storage_read_wait_s(&abfs_like, 3.0, bytes);
    assert_float_equal(wait + (double)done_us * 1e-6, 0.809512, 1e-9);
    storage_fini(&st);
    net_free(net);
}

static void test_streams_share_the_account_max_min(void **state)
{
    (void)state;
    /* 2 nodes of 4 slots, NICs of 1000 B/s, an account serving 2000 B/s,
     * streams capped at 300 B/s. Four readers, two a node: each stream's
     * 300 fits (NIC 600 of 1000, account 1200 of 2000): 300 B/s each. All
     * eight reading: 8 x 300 = 2400 > 2000, so the account is the
     * bottleneck and shares 2000 / 8 = 250 B/s each (a NIC carries 4 x
     * 250 = 1000, exactly full). */
    struct storage st;
    struct diag d;
    diag_clear(&d);
    struct net *net = net_new();
    assert_non_null(net);
    assert_int_equal(storage_init(&st, net, 2, 8, &rates, &d), SC_OK);
    int flows[8];
    int res[STORAGE_MAX_PATH];
    for (int s = 0; s < 4; s++) {
        int n = storage_path_input(&st, s % 2, storage_stream_cap(&st, net, s, 300.0, 0), res);
        flows[s] = net_flow_start(net, 0, 1e6, res, n, 1.0, NULL, 0);
    }
    net_update(net, 0);
    for (int s = 0; s < 4; s++)
        assert_float_equal(net_flow_rate(net, flows[s]), 300.0, 1e-9);
    for (int s = 4; s < 8; s++) {
        int n = storage_path_input(&st, s % 2, storage_stream_cap(&st, net, s, 300.0, 0), res);
        flows[s] = net_flow_start(net, 0, 1e6, res, n, 1.0, NULL, 0);
    }
    net_update(net, 0);
    for (int s = 0; s < 8; s++)
        assert_float_equal(net_flow_rate(net, flows[s]), 250.0, 1e-9);
    storage_fini(&st);
    net_free(net);
}

static void test_written_files_pay_requests_and_commits(void **state)
{
    (void)state;
    /* 2 files: 2 x (2 requests x 0.03 + 0.06 commit) = 0.24 s; a Delta
     * writer commits no file by rename: 2 x 0.06 = 0.12 s. */
    assert_float_equal(storage_write_wait_s(&abfs_like, 2.0, true), 0.24, 1e-12);
    assert_float_equal(storage_write_wait_s(&abfs_like, 2.0, false), 0.12, 1e-12);
    assert_float_equal(storage_write_wait_s(&abfs_like, 0.0, true), 0.0, 0.0);
    /* The defaults: ADLS Gen2 renames in one request a time, twice
     * (task and job commit): 2 x 0.03 = 0.06 s a file; S3's rename is a
     * copy and a delete, twice: 4 x 0.03 = 0.12 s. One file on S3:
     * 2 x 0.03 + 0.12 = 0.18 s. */
    struct store_access a;
    storage_access_default(STORE_ABFS, &a);
    assert_float_equal(a.commit_s_per_file, 0.06, 1e-12);
    storage_access_default(STORE_S3A, &a);
    assert_float_equal(storage_write_wait_s(&a, 1.0, true), 0.18, 1e-12);
}

static void test_local_paths_have_no_latency(void **state)
{
    (void)state;
    struct store_access a;
    storage_access_default(STORE_LOCAL, &a);
    assert_float_equal(storage_read_wait_s(&a, 100.0, 1e9), 0.0, 0.0);
    assert_float_equal(storage_write_wait_s(&a, 100.0, true), 0.0, 0.0);
    assert_true(isinf(a.stream_bps));
    storage_access_default(STORE_HDFS, &a);
    assert_float_equal(storage_read_wait_s(&a, 100.0, 1e9), 0.0, 0.0);
    /* No stream cap: the path leaves the stream out. */
    struct storage st;
    struct net *net = new_storage(&st, 1, &rates);
    assert_int_equal(storage_stream_cap(&st, net, 0, a.stream_bps, 0), -1);
    storage_fini(&st);
    net_free(net);
}

static void test_a_paths_scheme_names_its_store(void **state)
{
    (void)state;
    assert_int_equal(storage_kind_of_path("file:/tmp/t"), STORE_LOCAL);
    assert_int_equal(storage_kind_of_path("hdfs://nn:8020/t"), STORE_HDFS);
    assert_int_equal(storage_kind_of_path("abfss://c@a.dfs.core.windows.net/t"), STORE_ABFS);
    assert_int_equal(storage_kind_of_path("ABFS://c@a.dfs.core.windows.net/t"), STORE_ABFS);
    assert_int_equal(storage_kind_of_path("wasbs://c@a.blob.core.windows.net/t"), STORE_WASB);
    assert_int_equal(storage_kind_of_path("s3a://bucket/t"), STORE_S3A);
    assert_int_equal(storage_kind_of_path("s3://bucket/t"), STORE_S3A);
    assert_int_equal(storage_kind_of_path("dbfs:/mnt/t"), STORE_DBFS);
    /* No scheme, or none given: the cluster's account. */
    assert_int_equal(storage_kind_of_path("/mnt/data/t"), STORE_DEFAULT);
    assert_int_equal(storage_kind_of_path("data/t:v2"), STORE_DEFAULT);
    assert_int_equal(storage_kind_of_path(NULL), STORE_DEFAULT);
    assert_int_equal(storage_kind_of_path("ftp://host/t"), -1);
    assert_string_equal(storage_kind_name(STORE_S3A), "s3a");
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
        cmocka_unit_test(test_a_scan_task_waits_per_file_and_per_request),
        cmocka_unit_test(test_an_idle_store_moves_a_task_at_its_stream_rate),
        cmocka_unit_test(test_streams_share_the_account_max_min),
        cmocka_unit_test(test_written_files_pay_requests_and_commits),
        cmocka_unit_test(test_local_paths_have_no_latency),
        cmocka_unit_test(test_a_paths_scheme_names_its_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
