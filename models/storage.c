/*
 * storage.c — the storage account, local disks and the paths between them
 * and a node's memory (see storage.h). The runtime (sim/runtime/task.c)
 * starts one flow per transfer on these paths; the network model shares
 * each resource max-min fairly among the flows crossing it. The bandwidths
 * and their sources (the node catalog, Azure's storage account limits) are
 * in sim/input/cluster.c.
 *
 * An object store also makes each request wait (the time to its first
 * byte), and one HTTP stream moves bytes no faster than one connection
 * does, however idle the account. A task reads its split through one
 * stream, a resource of its own whose capacity is the store's per-stream
 * figure, beside the account's egress that all tasks share; and it waits
 * latency_s per request before its bytes move (storage_read_wait_s). The
 * figures and their sources are in docs/models/network-storage.md.
 */
#include "models/storage.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum sc_status storage_init(struct storage *st, struct net *net, int n_nodes, int n_streams,
                            const struct storage_rates *rates, struct diag *d)
{
    st->n_nodes = n_nodes;
    st->n_streams = n_streams > 0 ? n_streams : 0;
    st->nic_out = calloc((size_t)n_nodes, sizeof(int));
    st->nic_in = calloc((size_t)n_nodes, sizeof(int));
    st->disk = calloc((size_t)n_nodes, sizeof(int));
    st->stream = st->n_streams ? calloc((size_t)st->n_streams, sizeof(int)) : NULL;
    st->account_egress = st->account_ingress = st->network_limit = -1;
    if (!st->nic_out || !st->nic_in || !st->disk || (st->n_streams && !st->stream))
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    /* Resource ids are handed out in this order; the solver's results do not
     * depend on it, but its rounding may, so it stays fixed. */
    if (net_reserve_resources(net, 3 * (size_t)n_nodes + 3 + (size_t)st->n_streams) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    for (int w = 0; w < n_nodes; w++) {
        st->nic_out[w] = net_resource_add(net, rates->nic_bps);
        st->nic_in[w] = net_resource_add(net, rates->nic_bps);
        st->disk[w] = net_resource_add(net, rates->disk_bps);
        if (st->nic_out[w] < 0 || st->nic_in[w] < 0 || st->disk[w] < 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    }
    st->account_egress = net_resource_add(net, rates->account_egress_bps);
    st->account_ingress = net_resource_add(net, rates->account_ingress_bps);
    bool capped = !isinf(rates->network_limit_bps);
    st->network_limit = capped ? net_resource_add(net, rates->network_limit_bps) : -1;
    if (st->account_egress < 0 || st->account_ingress < 0 || (capped && st->network_limit < 0))
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    for (int i = 0; i < st->n_streams; i++)
        if ((st->stream[i] = net_resource_add(net, INFINITY)) < 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    return SC_OK;
}

void storage_fini(struct storage *st)
{
    free(st->nic_out);
    free(st->nic_in);
    free(st->disk);
    free(st->stream);
    st->nic_out = st->nic_in = st->disk = st->stream = NULL;
}

int storage_stream_cap(const struct storage *st, struct net *net, int stream, double rate_bps,
                       int64_t now_us)
{
    if (isinf(rate_bps) || !(rate_bps > 0.0) || stream < 0 || stream >= st->n_streams)
        return -1;
    /* Only this slot's transfer crosses its stream, so changing the
     * capacity between its transfers moves no other flow. */
    if (net_resource_set_capacity(net, st->stream[stream], rate_bps, now_us) != 0)
        return -1;
    return st->stream[stream];
}

int storage_path_input(const struct storage *st, int node, int stream, int *res)
{
    /* A split of spark.sql.files.maxPartitionBytes comes whole over the
     * network: the account's egress, then the node's NIC in; through the
     * task's one stream when the store caps it. */
    int n = 0;
    res[n++] = st->account_egress;
    res[n++] = st->nic_in[node];
    if (stream >= 0)
        res[n++] = stream;
    return n;
}

int storage_path_output(const struct storage *st, int node, int stream, int *res)
{
    int n = 0;
    res[n++] = st->nic_out[node];
    res[n++] = st->account_ingress;
    if (stream >= 0)
        res[n++] = stream;
    return n;
}

int storage_path_local_disk(const struct storage *st, int node, int *res)
{
    res[0] = st->disk[node];
    return 1;
}

int storage_path_remote_block(const struct storage *st, int src, int dst, int *res)
{
    /* The serving node reads the block from its shuffle file and sends it
     * (the external shuffle service or the executor's block manager). */
    res[0] = st->disk[src];
    res[1] = st->nic_out[src];
    res[2] = st->nic_in[dst];
    if (st->network_limit < 0)
        return 3;
    res[3] = st->network_limit;
    return 4;
}

double storage_task_share(int64_t total_bytes, int64_t tasks)
{
    return total_bytes > 0 ? (double)total_bytes / (double)tasks : 0.0;
}

double storage_cache_overflow_bytes(double cached_bytes, double block_bytes, double unified_bytes)
{
    double over = cached_bytes + block_bytes - unified_bytes;
    over = over < block_bytes ? over : block_bytes;
    return over > 0.0 ? over : 0.0;
}

/* ---- object stores -------------------------------------------------------- */

static const char *const kind_names[STORE_KINDS] = {"file",  "hdfs", "abfss",
                                                    "wasbs", "s3a",  "dbfs"};

/* Schemes, as Hadoop's FileSystem implementations register them. */
static const struct {
    const char *scheme;
    enum store_kind kind;
} schemes[] = {
    {"file", STORE_LOCAL}, {"hdfs", STORE_HDFS},  {"abfs", STORE_ABFS}, {"abfss", STORE_ABFS},
    {"wasb", STORE_WASB},  {"wasbs", STORE_WASB}, {"s3a", STORE_S3A},   {"s3", STORE_S3A},
    {"s3n", STORE_S3A},    {"dbfs", STORE_DBFS},
};

int storage_kind_of_path(const char *path)
{
    if (!path)
        return STORE_DEFAULT;
    /* A scheme is letters, digits, '+', '-', '.' before the first ':'
     * (RFC 3986); anything else before a ':' (or none) is a plain path. */
    size_t n = 0;
    while (path[n] && path[n] != ':' && path[n] != '/' &&
           (isalnum((unsigned char)path[n]) || strchr("+-.", path[n])))
        n++;
    if (path[n] != ':' || n == 0)
        return STORE_DEFAULT;
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strlen(schemes[i].scheme) == n && strncasecmp(path, schemes[i].scheme, n) == 0)
            return (int)schemes[i].kind;
    return -1;
}

const char *storage_kind_name(enum store_kind kind)
{
    return (int)kind >= 0 && kind < STORE_KINDS ? kind_names[kind] : "?";
}

/* First-byte latency of an object-store request inside one region: S3
 * Standard's median for small requests is "in the tens of milliseconds"
 * (AWS, S3 performance guidelines); Azure publishes no figure (its Blob
 * latency page works an example at 50 ms a request). */
#define STORE_LATENCY_S 0.030
/* One connection's throughput: AWS advises one concurrent request per
 * 85-90 MB/s wanted; no Azure figure, and the limit is the TCP connection's
 * more than the service's. */
#define STORE_STREAM_BPS 87.5e6

void storage_access_default(enum store_kind kind, struct store_access *a)
{
    switch (kind) {
    case STORE_ABFS:
    case STORE_DBFS:
    case STORE_WASB:
    case STORE_S3A:
        a->latency_s = STORE_LATENCY_S;
        /* Opening: the file's status (ABFS GetPathStatus, S3 HEAD), then
         * the Parquet footer in one read (ABFS reads the last 512 KiB at
         * once, fs.azure.footer.read.request.size). */
        a->open_requests = 2.0;
        /* fs.azure.read.request.size: 4 MiB (ABFS and WASB); S3: AWS's
         * advice of 8-16 MB ranged GETs, the low end. */
        a->request_bytes = kind == STORE_S3A ? 8.0 * 1024 * 1024 : 4.0 * 1024 * 1024;
        a->stream_bps = STORE_STREAM_BPS;
        /* Create and close (ABFS flush, S3 multipart complete); the
         * appends in between overlap the task's compute (ABFS uploads in
         * background threads, fs.azure.write.max.concurrent.requests). */
        a->write_requests = 2.0;
        /* FileOutputCommitter (algorithm 1) renames each file twice, at
         * task and at job commit: one metadata request each on ADLS Gen2
         * (hierarchical namespace); a copy and a delete each on Blob and
         * S3, whose renames copy the object. */
        a->commit_s_per_file =
            (kind == STORE_WASB || kind == STORE_S3A ? 4.0 : 2.0) * STORE_LATENCY_S;
        return;
    case STORE_LOCAL:
    case STORE_HDFS:
    default:
        /* A local disk or a datanode: the disk and NIC limits are the
         * model; no request latency, no per-stream cap. */
        a->latency_s = 0.0;
        a->open_requests = 0.0;
        a->request_bytes = 4.0 * 1024 * 1024;
        a->stream_bps = INFINITY;
        a->write_requests = 0.0;
        a->commit_s_per_file = 0.0;
        return;
    }
}

double storage_read_wait_s(const struct store_access *a, double files, double bytes)
{
    if (!(files > 0.0) || !(a->latency_s > 0.0))
        return 0.0;
    double requests = files * a->open_requests;
    if (bytes > 0.0 && a->request_bytes > 0.0)
        requests += files * ceil(bytes / files / a->request_bytes);
    return requests * a->latency_s;
}

double storage_write_wait_s(const struct store_access *a, double files, bool with_commit)
{
    if (!(files > 0.0))
        return 0.0;
    return files * (a->write_requests * a->latency_s + (with_commit ? a->commit_s_per_file : 0.0));
}
