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

#include <stdbool.h>
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
    int n_streams;
    int *stream; /* per task slot: the one object-store stream it reads or
                  * writes at a time; its capacity is set per transfer */
};

/* The most resources one storage path crosses. */
#define STORAGE_MAX_PATH 4

/* Adds the resources of n_nodes nodes and one storage account to net (per
 * node its NIC out, NIC in and disk, in node order; then the account's
 * egress and ingress; then the cap if finite; then one stream per slot,
 * n_streams of them, unconstrained until storage_stream_cap sets them).
 * Returns SC_OK, or SC_ENOMEM with d filled; storage_fini is safe either
 * way. */
enum sc_status storage_init(struct storage *st, struct net *net, int n_nodes, int n_streams,
                            const struct storage_rates *rates, struct diag *d);

/* Frees what storage_init allocated (not the resources: net owns them). */
void storage_fini(struct storage *st);

/* The paths: each fills res (room for STORAGE_MAX_PATH) and returns how
 * many resources it wrote. */

/* An input split read from the account into node's memory; through
 * stream too when stream >= 0 (a task slot's stream, capped by
 * storage_stream_cap). */
int storage_path_input(const struct storage *st, int node, int stream, int *res);

/* Table output written from node into the account (stream as above). */
int storage_path_output(const struct storage *st, int node, int stream, int *res);

/* Sets slot stream's capacity to rate_bps (INFINITY: none) from now_us on,
 * before a transfer through it starts. Returns the stream's resource id to
 * pass to the paths above, or -1 (no stream resource: the path leaves it
 * out) when rate_bps is infinite or stream is out of range. */
int storage_stream_cap(const struct storage *st, struct net *net, int stream, double rate_bps,
                       int64_t now_us);

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

/* ---- object stores: the time a request waits, not only bandwidth ---- */

/* Where a table's files live, from its path's URL scheme. Local and HDFS
 * files cost no request latency here; the object stores do. */
enum store_kind {
    STORE_LOCAL, /* file:, a local disk */
    STORE_HDFS,  /* hdfs:, datanodes on the workers */
    STORE_ABFS,  /* abfs:, abfss: ADLS Gen2 (hierarchical namespace) */
    STORE_WASB,  /* wasb:, wasbs: Blob storage, no hierarchical namespace */
    STORE_S3A,   /* s3a:, s3: S3 and S3-compatible stores */
    STORE_DBFS,  /* dbfs: Databricks' file system, on the workspace's ADLS/Blob */
    STORE_KINDS
};

/* What the cluster's storage account is when a table gives no path. */
#define STORE_DEFAULT STORE_ABFS

/* How a store answers one task's requests (seconds, bytes, bytes/s). */
struct store_access {
    double latency_s;         /* each request's wait for its first byte */
    double open_requests;     /* requests to open a file (status, Parquet footer) */
    double request_bytes;     /* bytes one read request fetches */
    double stream_bps;        /* one stream's throughput; INFINITY: unconstrained */
    double write_requests;    /* requests per file written (create, close) */
    double commit_s_per_file; /* committing one written file (renames, log) */
};

/* The kind a path names: its scheme, case-insensitive ("abfss://c@a.dfs...",
 * "s3a://b/k", "file:/tmp/x", "dbfs:/mnt/x"); a path with no scheme or a NULL
 * path is STORE_DEFAULT. -1 for a scheme this model does not know. */
int storage_kind_of_path(const char *path);

/* A kind's name, as its scheme ("abfss", "s3a", ...). */
const char *storage_kind_name(enum store_kind kind);

/* The published or measured figures for a kind (docs/models/network-storage.md
 * gives their sources). */
void storage_access_default(enum store_kind kind, struct store_access *a);

/* Seconds a task waits on requests, beyond moving its bytes, to read bytes
 * (> 0, or 0 for footers only) from files pieces of files (>= 1 when bytes >
 * 0): each piece is opened (open_requests requests) and read in
 * ceil(bytes per piece / request_bytes) requests, each waiting latency_s:
 *
 *   wait = latency_s * files * (open_requests + ceil(bytes / files / request_bytes))
 *
 * 0 for files <= 0 or a store without latency. */
double storage_read_wait_s(const struct store_access *a, double files, double bytes);

/* Seconds a task waits writing files files beyond moving their bytes: per
 * file its requests and its commit (with_commit false for a writer that
 * commits no file by rename, Delta's):
 *
 *   wait = files * (write_requests * latency_s + commit_s_per_file) */
double storage_write_wait_s(const struct store_access *a, double files, bool with_commit);

#endif
