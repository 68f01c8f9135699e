/*
 * storage.h — where a Spark task's bytes rest and the paths they take to
 * and from there, as resources of the flow-level network model
 * (models/network.h).
 *
 * Bytes rest in two places. The storage account (ADLS Gen2, Blob) holds
 * tables: a task reads its input split from it and writes table output
 * into it, each through its node's NIC, and the account's egress and
 * ingress limits are shared by every node reading or writing at once. Each
 * node's local disk holds shuffle files, spills and cached blocks that do
 * not fit in memory (MEMORY_AND_DISK); a shuffle block read by another node
 * leaves through the serving node's disk and NIC and enters through the
 * reader's NIC, and crosses the cluster-wide cap when there is one.
 *
 * Ownership: a struct storage is embedded by its user (storage_init /
 * storage_fini); the struct net it adds resources to is the caller's.
 */
#ifndef STAGECAST_STORAGE_H
#define STAGECAST_STORAGE_H

#include <stdint.h>

#include "models/diag.h"
#include "models/network.h"

/* Bandwidths, bytes/s; INFINITY is unconstrained. */
struct storage_rates {
    double nic_bps;             /* a node's NIC, each direction */
    double disk_bps;            /* a node's local disk, reads and writes together */
    double account_egress_bps;  /* reads from the storage account */
    double account_ingress_bps; /* writes into it */
    double network_limit_bps;   /* cross-node traffic, cluster-wide; INFINITY: none */
};

/* The resource ids of a cluster's storage paths in one struct net. */
struct storage {
    int n_nodes;
    int *nic_out, *nic_in, *disk; /* per node */
    int account_egress, account_ingress;
    int network_limit; /* -1: no cluster-wide cap */
};

/* The most resources one storage path crosses. */
#define STORAGE_MAX_PATH 4

/* Adds the resources of n_nodes nodes and one storage account to net (per
 * node its NIC out, NIC in and disk, in node order; then the account's
 * egress and ingress; then the cap if finite). Returns SC_OK, or SC_ENOMEM
 * with d filled; storage_fini is safe either way. */
enum sc_status storage_init(struct storage *st, struct net *net, int n_nodes,
                            const struct storage_rates *rates, struct diag *d);

/* Frees what storage_init allocated (not the resources: net owns them). */
void storage_fini(struct storage *st);

/* The paths: each fills res (room for STORAGE_MAX_PATH) and returns how
 * many resources it wrote. */

/* An input split read from the account into node's memory. */
int storage_path_input(const struct storage *st, int node, int *res);

/* Table output written from node into the account. */
int storage_path_output(const struct storage *st, int node, int *res);

/* A read or write of node's local disk (shuffle write, spill, a local
 * shuffle block, a cached block that does not fit in memory). */
int storage_path_local_disk(const struct storage *st, int node, int *res);

/* A shuffle block on src's disk fetched by node dst. */
int storage_path_remote_block(const struct storage *st, int src, int dst, int *res);

/* A stage's total bytes spread evenly over its tasks: total / tasks, 0 when
 * the total is unknown (< 0) or zero. */
double storage_task_share(int64_t total_bytes, int64_t tasks);

/* A block of block_bytes cached on an executor that already caches
 * cached_bytes, in a unified memory region of unified_bytes: the part that
 * does not fit goes to local disk (StorageLevel MEMORY_AND_DISK; storage may
 * borrow the whole region). Returns those bytes, 0 when it all fits. */
double storage_cache_overflow_bytes(double cached_bytes, double block_bytes, double unified_bytes);

#endif
