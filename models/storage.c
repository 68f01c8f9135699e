/*
 * storage.c — the storage account, local disks and the paths between them
 * and a node's memory (see storage.h). The runtime (sim/runtime/task.c)
 * starts one flow per transfer on these paths; the network model shares
 * each resource max-min fairly among the flows crossing it. The bandwidths
 * and their sources (the node catalog, Azure's storage account limits) are
 * in sim/input/cluster.c.
 */
#include "models/storage.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

enum sc_status storage_init(struct storage *st, struct net *net, int n_nodes,
                            const struct storage_rates *rates, struct diag *d)
{
    st->n_nodes = n_nodes;
    st->nic_out = calloc((size_t)n_nodes, sizeof(int));
    st->nic_in = calloc((size_t)n_nodes, sizeof(int));
    st->disk = calloc((size_t)n_nodes, sizeof(int));
    st->account_egress = st->account_ingress = st->network_limit = -1;
    if (!st->nic_out || !st->nic_in || !st->disk)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory building the network");
    /* Resource ids are handed out in this order; the solver's results do not
     * depend on it, but its rounding may, so it stays fixed. */
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
    return SC_OK;
}

void storage_fini(struct storage *st)
{
    free(st->nic_out);
    free(st->nic_in);
    free(st->disk);
    st->nic_out = st->nic_in = st->disk = NULL;
}

int storage_path_input(const struct storage *st, int node, int *res)
{
    /* A split of spark.sql.files.maxPartitionBytes comes whole over the
     * network: the account's egress, then the node's NIC in. */
    res[0] = st->account_egress;
    res[1] = st->nic_in[node];
    return 2;
}

int storage_path_output(const struct storage *st, int node, int *res)
{
    res[0] = st->nic_out[node];
    res[1] = st->account_ingress;
    return 2;
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
