/*
 * cluster.c — from the scenario's cluster group to executors and slots.
 *
 * Every platform default (executor layout, start-up and node provisioning
 * delays, autoscaling policy, billing) comes from the platform's entry in
 * the platform table (models/platform.h); this file applies them and the
 * scenario's overrides. Databricks runs one executor per worker using all
 * of its vCPUs (DBX-CONF); the other platforms default to the same, where an
 * explicit executors_per_worker / executor_cores (or spark.executor.cores)
 * sets another layout. Slots per executor are executor cores /
 * spark.task.cpus, as Spark's TaskSchedulerImpl counts them.
 */
#include "sim/input/cluster.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/order.h"

static enum sc_status resolve(const struct scenario *s, const struct catalog *cat, const char *name,
                              int line, const char *role, const struct node_type **out,
                              struct diag *d)
{
    *out = catalog_find(cat, name);
    if (*out)
        return SC_OK;
    const char *near[3];
    size_t n = catalog_suggest(cat, name, near, 3);
    char hint[256] = "";
    if (n > 0) {
        int off = snprintf(hint, sizeof hint, "; did you mean ");
        for (size_t i = 0; i < n && off > 0 && (size_t)off < sizeof hint; i++)
            off += snprintf(hint + off, sizeof hint - (size_t)off, "%s%s", i ? ", " : "", near[i]);
        if (off > 0 && (size_t)off < sizeof hint)
            snprintf(hint + off, sizeof hint - (size_t)off, "?");
    }
    return diag_set(d, SC_EINPUT, s->file, line,
                    "unknown %s node size '%s' (not in the catalog; `stagecast nodes` lists "
                    "them)%s",
                    role, name, hint);
}

/* The worker and driver node types from the catalog, and the worker count. */
static enum sc_status build_nodes(const struct scenario *s, const struct catalog *cat,
                                  struct cluster *c, struct diag *d)
{
    const struct cluster_spec *cs = &s->cluster;
    const char *driver_name = cs->driver[0] ? cs->driver : cs->worker;
    int driver_line = cs->driver[0] ? cs->driver_line : cs->worker_line;
    if (resolve(s, cat, cs->worker, cs->worker_line, "worker", &c->worker, d) != SC_OK)
        return d->status;
    if (resolve(s, cat, driver_name, driver_line, "driver", &c->driver, d) != SC_OK)
        return d->status;
    c->task_seconds_node = NULL;
    if (s->model.task_seconds_node[0] &&
        resolve(s, cat, s->model.task_seconds_node, s->model.task_seconds_node_line,
                "model.task_seconds_node", &c->task_seconds_node, d) != SC_OK)
        return d->status;
    /* With a timeline, workers may be left out: it places them itself. */
    if ((cs->workers < 1 && !cs->n_executors) || cs->workers > SCN_MAX_WORKERS)
        return diag_set(d, SC_EINPUT, s->file, cs->workers_line, "workers must be between 1 and %d",
                        SCN_MAX_WORKERS);
    c->workers = (int)cs->workers;
    return SC_OK;
}

/* Executor cores, from the first of: cluster.executor_cores,
 * spark.executor.cores, the worker's vCPUs over executors_per_worker, the
 * platform's layout. *line is where the choice was made, for messages. */
static int executor_cores(const struct scenario *s, const struct platform_info *pl, int vcpus,
                          int *line)
{
    const struct cluster_spec *cs = &s->cluster;
    int64_t conf_cores = spark_conf_int(&s->spark, "spark.executor.cores");
    *line = cs->executor_line ? cs->executor_line : cs->line;
    if (cs->executor_cores > 0)
        return cs->executor_cores;
    if (conf_cores > 0) {
        const struct spark_setting *set = spark_conf_get(&s->spark, "spark.executor.cores");
        if (set)
            *line = set->line;
        return conf_cores > 1000000 ? 1000000 : (int)conf_cores;
    }
    if (cs->executors_per_worker > 0)
        return vcpus / cs->executors_per_worker;
    if (pl->layout.executor_cores > 0)
        return pl->layout.executor_cores;
    return vcpus / pl->layout.executors_per_worker;
}

/* Executors per worker, cores per executor and task slots, checked against
 * the worker's vCPUs and the platform's fixed layout if it has one. */
static enum sc_status build_executor_layout(const struct scenario *s,
                                            const struct platform_info *pl, struct cluster *c,
                                            struct diag *d)
{
    const struct cluster_spec *cs = &s->cluster;
    int vcpus = c->worker->vcpus;
    int line;
    c->executor_cores = executor_cores(s, pl, vcpus, &line);
    if (c->executor_cores < 1 || c->executor_cores > vcpus)
        return diag_set(d, SC_EINPUT, s->file, line,
                        "an executor of %d cores does not fit a %s worker (%d vCPUs)",
                        c->executor_cores, c->worker->name, vcpus);
    c->executors_per_worker =
        cs->executors_per_worker > 0 ? cs->executors_per_worker : vcpus / c->executor_cores;
    if (c->executors_per_worker * c->executor_cores > vcpus)
        return diag_set(d, SC_EINPUT, s->file, line,
                        "%d executors of %d cores need %d vCPUs, but a %s worker has %d",
                        c->executors_per_worker, c->executor_cores,
                        c->executors_per_worker * c->executor_cores, c->worker->name, vcpus);
    if (pl->layout.fixed && c->executors_per_worker != pl->layout.executors_per_worker)
        return diag_set(d, SC_EINPUT, s->file, line,
                        "%s; executors_per_worker = %d cannot be set there", pl->layout.fixed_rule,
                        c->executors_per_worker);

    int64_t task_cpus = spark_conf_int(&s->spark, "spark.task.cpus");
    if (task_cpus < 1 || task_cpus > c->executor_cores) {
        const struct spark_setting *set = spark_conf_get(&s->spark, "spark.task.cpus");
        return diag_set(d, SC_EINPUT, s->file, set ? set->line : cs->line,
                        "spark.task.cpus = %lld, but executors have %d cores", (long long)task_cpus,
                        c->executor_cores);
    }
    c->task_cpus = (int)task_cpus;
    c->slots_per_executor = c->executor_cores / c->task_cpus;
    c->executors = c->workers * c->executors_per_worker;
    if (!cs->n_executors)
        return SC_OK;
    /* A timeline: every executor must fit the worker and run a task. */
    for (size_t i = 0; i < cs->n_executors; i++) {
        const struct executor_spec *x = &cs->executors[i];
        int cores = x->cores > 0 ? x->cores : c->executor_cores;
        if (cores * c->executors_per_worker > vcpus)
            return diag_set(d, SC_EINPUT, s->file, x->line,
                            "%d executor%s of %d cores need %d vCPUs, but a %s worker has %d",
                            c->executors_per_worker, c->executors_per_worker == 1 ? "" : "s", cores,
                            cores * c->executors_per_worker, c->worker->name, vcpus);
        if (cores < c->task_cpus)
            return diag_set(d, SC_EINPUT, s->file, x->line,
                            "an executor of %d cores cannot run a task of spark.task.cpus = %d",
                            cores, c->task_cpus);
    }
    cluster_fit_timeline(c, cs);
    if (c->workers > SCN_MAX_WORKERS)
        return diag_set(d, SC_EINPUT, s->file, cs->executors_line,
                        "the executors alive at once need %d workers, more than %d", c->workers,
                        SCN_MAX_WORKERS);
    return SC_OK;
}

int cluster_timeline_peak(const struct executor_spec *x, size_t n)
{
    /* Joins and leaves, each sorted, swept together; a leave sorts before a
     * join at the same time, so the executor that joins takes its place.
     * Timelines of real logs run to thousands of executors, hence the sort. */
    double *joins = malloc(2 * (n ? n : 1) * sizeof *joins);
    if (!joins)
        return (int)n; /* no memory for the sweep: all at once is safe */
    double *leaves = joins + n;
    for (size_t i = 0; i < n; i++) {
        joins[i] = x[i].start_s;
        leaves[i] = x[i].end_s;
    }
    qsort(joins, n, sizeof *joins, order_double_asc);
    qsort(leaves, n, sizeof *leaves, order_double_asc);
    int cur = 0, peak = 0;
    for (size_t a = 0, b = 0; a < n;) {
        if (b < n && leaves[b] <= joins[a]) {
            cur--;
            b++;
        } else {
            cur++;
            a++;
            peak = cur > peak ? cur : peak;
        }
    }
    free(joins);
    return peak;
}

void cluster_fit_timeline(struct cluster *c, const struct cluster_spec *cs)
{
    if (!cs->n_executors)
        return;
    int most = c->executor_cores;
    for (size_t i = 0; i < cs->n_executors; i++)
        if (cs->executors[i].cores > most)
            most = cs->executors[i].cores;
    int spe = most / (c->task_cpus > 0 ? c->task_cpus : 1);
    if (spe > c->slots_per_executor)
        c->slots_per_executor = spe;
    int peak = cluster_timeline_peak(cs->executors, cs->n_executors);
    int epw = c->executors_per_worker > 0 ? c->executors_per_worker : 1;
    int need = (peak + epw - 1) / epw;
    if (c->workers < need)
        c->workers = need;
    c->executors = c->workers * c->executors_per_worker;
}

/* The cluster's start-up delay: the scenario's (a number or a
 * distribution), else the platform's for this many workers. */
static void build_startup(const struct cluster_spec *cs, struct cluster *c)
{
    if (cs->startup_is_dist) {
        c->startup_dist = cs->startup_dist;
        c->startup_s = dist_mean(&cs->startup_dist);
        c->startup_source = "scenario (cluster.startup_s)";
    } else if (isnan(cs->startup_s)) {
        c->startup_dist = platform_startup_dist(cs->platform, c->workers, &c->startup_source);
        c->startup_s = dist_mean(&c->startup_dist);
    } else {
        c->startup_s = cs->startup_s;
        c->startup_dist = dist_fixed(cs->startup_s);
        c->startup_source = "scenario (cluster.startup_s)";
    }
}

/* Bytes. The catalog's network figure is the VM's egress limit, summed
 * over its NICs (NET); Azure does not meter ingress, but a VM cannot take
 * in much more than it can send, so the same figure bounds both directions
 * here. The local SSD figure is the temp disk's (or cached + temp)
 * throughput limit, shared by reads and writes. */
static void build_io_limits(const struct cluster_spec *cs, struct cluster *c)
{
    c->nic_bps = c->worker->network_mbps * 1e6 / 8.0;
    if (!(c->nic_bps > 0.0))
        c->nic_bps = INFINITY;
    double disk_mbps = isnan(cs->local_disk_mbps) ? c->worker->local_ssd_mbps : cs->local_disk_mbps;
    c->disk_unknown = !(disk_mbps > 0.0);
    c->disk_bps = c->disk_unknown ? INFINITY : disk_mbps * 1e6;
    double egress =
        isnan(cs->storage_egress_gbps) ? CLUSTER_STORAGE_EGRESS_GBPS : cs->storage_egress_gbps;
    double ingress =
        isnan(cs->storage_ingress_gbps) ? CLUSTER_STORAGE_INGRESS_GBPS : cs->storage_ingress_gbps;
    c->storage_egress_bps = egress * 1e9 / 8.0;
    c->storage_ingress_bps = ingress * 1e9 / 8.0;
    for (int k = 0; k < STORE_KINDS; k++) {
        struct store_access *a = &c->store_access[k];
        storage_access_default((enum store_kind)k, a);
        if (k == STORE_LOCAL || k == STORE_HDFS)
            continue;
        if (!isnan(cs->storage_latency_s))
            a->latency_s = cs->storage_latency_s;
        if (!isnan(cs->storage_stream_mbps))
            a->stream_bps = cs->storage_stream_mbps * 1e6;
        if (!isnan(cs->storage_request_bytes))
            a->request_bytes = cs->storage_request_bytes;
        if (!isnan(cs->storage_commit_s_per_file))
            a->commit_s_per_file = cs->storage_commit_s_per_file;
    }
    c->network_limit_bps =
        isnan(cs->network_limit_gbps) ? INFINITY : cs->network_limit_gbps * 1e9 / 8.0;
}

/* Memory. spark.executor.memory when the scenario sets it; otherwise
 * CLUSTER_DEFAULT_HEAP_FRACTION of the worker's memory split over its
 * executors, the order of what managed platforms configure (Databricks
 * gives a 14 GiB Standard_DS3_v2 executor a heap of about 7 GiB). */
static void build_memory(const struct scenario *s, struct cluster *c)
{
    const struct spark_setting *mem = spark_conf_get(&s->spark, "spark.executor.memory");
    if (mem) {
        c->executor_heap_bytes = (double)spark_conf_bytes(&s->spark, "spark.executor.memory");
        c->heap_source = "spark.executor.memory";
    } else {
        c->executor_heap_bytes = CLUSTER_DEFAULT_HEAP_FRACTION * c->worker->memory_gib * 1024.0 *
                                 1024.0 * 1024.0 / c->executors_per_worker;
        c->heap_source = "default: 0.6 of the worker's memory over its executors";
    }
    memory_layout(c->executor_heap_bytes, spark_conf_double(&s->spark, "spark.memory.fraction"),
                  spark_conf_double(&s->spark, "spark.memory.storageFraction"), &c->memory);
}

/* Autoscaling. Databricks optimized autoscaling (DBX-CONF): scales up from
 * min to max in two steps, and removes nodes of a job cluster idle for 40 s
 * (150 s on all-purpose compute); no scale-up latency is published outside
 * pools, so a new node takes the median cluster create time (145 s,
 * DBX-POOLS-BLOG); decisions every 10 s (our assumption). Synapse
 * (SYN-AUTO): metrics every 30 s; scale up when pending CPU exceeds free CPU
 * for over 1 min, down when pending is below free for over 2 min; a scaling
 * operation takes 1-5 min (we take 3). */
/* Each policy's own timings: Synapse's 30 s metrics and 2 min idle, or
 * Databricks' 10 s decisions and 40 s (jobs) or 150 s (all-purpose) idle. */
static double default_interval_s(bool syn)
{
    return syn ? 30.0 : 10.0;
}

static double default_idle_s(bool syn, enum pricing pricing)
{
    return syn ? 120.0 : pricing == PRICING_ALL_PURPOSE ? 150.0 : 40.0;
}

struct autoscale_defaults cluster_autoscale_defaults(enum platform p, enum pricing pricing)
{
    enum autoscale_policy policy = platform_get(p)->autoscale_policy;
    bool syn = policy == AUTOSCALE_POLICY_SYNAPSE;
    struct dist prov = platform_provision_dist(autoscale_policy_platform(policy));
    return (struct autoscale_defaults){dist_mean(&prov), default_interval_s(syn),
                                       default_idle_s(syn, pricing)};
}

static void build_autoscale(const struct cluster_spec *cs, const struct platform_info *pl,
                            struct cluster *c)
{
    c->autoscale = cs->autoscale;
    c->min_workers = c->max_workers = c->workers;
    if (!cs->autoscale)
        return;
    c->min_workers = (int)cs->autoscale_min;
    c->max_workers = (int)cs->autoscale_max;
    c->autoscale_policy =
        cs->autoscale_policy >= 0 ? cs->autoscale_policy : (int)pl->autoscale_policy;
    bool syn = c->autoscale_policy == AUTOSCALE_POLICY_SYNAPSE;
    if (cs->provision_is_dist)
        c->provision_dist = cs->provision_dist;
    else if (!isnan(cs->autoscale_provision_s))
        c->provision_dist = dist_fixed(cs->autoscale_provision_s);
    else /* a policy brings its own platform's node provisioning delay */
        c->provision_dist = platform_provision_dist(
            autoscale_policy_platform((enum autoscale_policy)c->autoscale_policy));
    c->provision_s = dist_mean(&c->provision_dist);
    c->interval_s =
        !isnan(cs->autoscale_interval_s) ? cs->autoscale_interval_s : default_interval_s(syn);
    c->idle_s = !isnan(cs->autoscale_idle_s) ? cs->autoscale_idle_s
                                             : default_idle_s(syn, (enum pricing)cs->pricing);
    c->up_sustain_s = syn ? 60.0 : 0.0;
    c->autoscale_source =
        syn ? "Synapse autoscale (SYN-AUTO): 30 s metrics, up after 1 min of backlog, "
              "down after 2 min, 1-5 min per operation"
            : "Databricks optimized autoscaling (DBX-CONF): min to max in 2 steps, "
              "idle nodes removed after 40 s (jobs) / 150 s (all-purpose)";
}

/* After the last job: the platform's default (a Synapse pool shuts down 5
 * min later, a Databricks job cluster ends with its job); other clusters
 * stay until someone deletes them, which cluster.idle_after_s states. */
static void build_idle_after(const struct cluster_spec *cs, const struct platform_info *pl,
                             struct cluster *c)
{
    if (!isnan(cs->idle_after_s)) {
        c->idle_after_s = cs->idle_after_s;
        c->idle_after_source = "scenario (cluster.idle_after_s)";
    } else {
        c->idle_after_s = pl->idle_after_s;
        c->idle_after_source = pl->idle_after_source;
    }
}

/* One rate no source gives: which node, what, and the key that sets it. */
struct missing_rate {
    const char *node, *what, *key;
    bool dbu;
};

/* Whether region's price rows give every missing rate (a VM price, or a
 * DBU count from the row or the node). */
static bool region_prices_all(const struct catalog *cat, const char *region,
                              const struct missing_rate *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct node_price *p = catalog_price(cat, m[i].node, region);
        if (!p || (m[i].dbu ? isnan(p->dbu_per_hour) : isnan(p->vm_usd_per_hour)))
            return false;
    }
    return true;
}

/* Every driver and worker rate no source gives, in one message with the
 * key that sets each, and the regions that would price them all: a user
 * fixes them in one edit rather than one run per key. */
static void note_missing_rates(const struct catalog *cat, struct cluster *c)
{
    struct missing_rate m[4];
    size_t n = 0;
    const struct {
        const struct billing_rates *r;
        const struct node_type *node;
        const char *vm_key, *dbu_key;
    } roles[2] = {
        {&c->driver_rates, c->driver, "cluster.price.driver_usd_per_hour",
         "cluster.price.driver_dbu_per_hour"},
        {&c->worker_rates, c->worker, "cluster.price.worker_usd_per_hour",
         "cluster.price.worker_dbu_per_hour"},
    };
    for (size_t i = 0; i < 2; i++) {
        if (isnan(roles[i].r->vm_usd_per_hour))
            m[n++] = (struct missing_rate){roles[i].node->name, "VM price", roles[i].vm_key, false};
        if (isnan(roles[i].r->dbu_per_hour))
            m[n++] = (struct missing_rate){roles[i].node->name, "DBU rate", roles[i].dbu_key, true};
    }
    c->price_note[0] = '\0';
    if (n == 0)
        return;
    size_t size = sizeof c->price_note, used = 0;
    int k = snprintf(c->price_note, size, "no source gives %zu rate%s in %s (%s):", n,
                     n == 1 ? "" : "s", catalog_region_label(c->region), c->region);
    used = k > 0 && (size_t)k < size ? (size_t)k : size - 1;
    for (size_t i = 0; i < n && used < size - 1; i++) {
        k = snprintf(c->price_note + used, size - used, "%s %s %s (set %s)", i ? ";" : "",
                     m[i].node, m[i].what, m[i].key);
        used += k > 0 && (size_t)k < size - used ? (size_t)k : size - 1 - used;
    }
    const char *rg;
    char regions[160] = "";
    size_t ru = 0;
    for (size_t i = 0; (rg = catalog_region_at(cat, i)) != NULL; i++) {
        if (strcmp(rg, c->region) == 0 || !region_prices_all(cat, rg, m, n))
            continue;
        k = snprintf(regions + ru, sizeof regions - ru, "%s\"%s\"", ru ? " or " : "", rg);
        if (k < 0 || (size_t)k >= sizeof regions - ru)
            break;
        ru += (size_t)k;
    }
    if (ru > 0 && used < size - 1)
        snprintf(c->price_note + used, size - used,
                 "; or set cluster.region = %s, whose list prices give %s", regions,
                 n == 1 ? "it" : "them all");
}

/* Whether node's VM price is settled in region: the scenario gives it
 * (cluster.price.*_usd_per_hour), or region lists one. */
static bool region_has_vm_price(const struct catalog *cat, const char *node, const char *region,
                                double given)
{
    if (!isnan(given))
        return true;
    const struct node_price *p = catalog_price(cat, node, region);
    return p && !isnan(p->vm_usd_per_hour);
}

/* The region a scenario that names none is priced in: the default when it
 * lists a VM price for both the driver and the workers, else the first
 * region (the catalog's order) that lists both, so that a size East US's
 * sources do not price gets West US 2's list price rather than "cost
 * unknown". A price the scenario sets needs no list price. One region for
 * the whole cluster, never mixed per node (the sources differ); the
 * output's `prices:` line names it and its date. */
static const char *region_for_cluster(const struct catalog *cat, const struct cluster *c,
                                      const struct price_override *o, const char *deflt)
{
    if (region_has_vm_price(cat, c->driver->name, deflt, o->driver_usd_per_hour) &&
        region_has_vm_price(cat, c->worker->name, deflt, o->worker_usd_per_hour))
        return deflt;
    const char *rg;
    for (size_t i = 0; (rg = catalog_region_at(cat, i)) != NULL; i++)
        if (region_has_vm_price(cat, c->driver->name, rg, o->driver_usd_per_hour) &&
            region_has_vm_price(cat, c->worker->name, rg, o->worker_usd_per_hour))
            return rg;
    return deflt;
}

/* The driver's and workers' billing rates: the scenario's region's list
 * prices (the catalog's own region when it names none), the platform
 * table's rules and the scenario's price overrides. */
static enum sc_status build_billing(const struct scenario *s, const struct catalog *cat,
                                    struct cluster *c, struct diag *d)
{
    const struct cluster_spec *cs = &s->cluster;
    const char *region = cs->region[0] ? cs->region : CATALOG_DEFAULT_REGION;
    /* The region's name as the catalog stores it, which outlives the
     * scenario; an unknown region is an error, never a silent East US. */
    c->region = NULL;
    const char *rg;
    for (size_t i = 0; (rg = catalog_region_at(cat, i)) != NULL; i++)
        if (strcmp(rg, region) == 0)
            c->region = rg;
    if (c->region == NULL) {
        if (!cs->region[0]) {
            c->region = CATALOG_DEFAULT_REGION; /* a catalog without any price */
        } else {
            char known[256];
            catalog_regions(cat, known, sizeof known);
            return diag_set(d, SC_EINPUT, s->file, cs->region_line,
                            "no prices for region \"%s\" in the node catalog; it has prices "
                            "for: %s (set cluster.price.* to price a cluster elsewhere)",
                            cs->region, known[0] ? known : "none");
        }
    }
    if (!cs->region[0])
        c->region = region_for_cluster(cat, c, &cs->price, c->region);
    billing_rates_priced(cs->platform, cs->pricing, cs->tier, c->driver,
                         catalog_price(cat, c->driver->name, c->region), &cs->price, true,
                         &c->driver_rates);
    billing_rates_priced(cs->platform, cs->pricing, cs->tier, c->worker,
                         catalog_price(cat, c->worker->name, c->region), &cs->price, false,
                         &c->worker_rates);
    note_missing_rates(cat, c);
    return SC_OK;
}

/* Spot: the VM part at the spot price (given, or a discount off the
 * on-demand price; spot prices move and no source gives one, so without
 * either the spot cost is unknown); DBUs are the same. A fixed cluster asks
 * for a replacement when a node is evicted (Databricks keeps restoring its
 * workers, DBX-CONF), which joins after the platform's node provisioning
 * time. Needs the worker rates and the autoscale provisioning delay. */
static void build_spot(const struct cluster_spec *cs, struct cluster *c)
{
    c->spot_fraction = cs->spot_fraction;
    c->spot_evictions_per_hour = cs->spot_evictions_per_hour;
    c->spot_evict_at_s = cs->spot_evict_at_s;
    c->spot_rates = c->worker_rates;
    if (!isnan(cs->spot_usd_per_hour)) {
        c->spot_rates.vm_usd_per_hour = cs->spot_usd_per_hour;
        c->spot_rates.source = "scenario (cluster.spot.usd_per_hour)";
    } else if (!isnan(cs->spot_discount)) {
        c->spot_rates.vm_usd_per_hour = c->worker_rates.vm_usd_per_hour * (1.0 - cs->spot_discount);
        c->spot_rates.source = "scenario (cluster.spot.discount)";
    } else {
        c->spot_rates.vm_usd_per_hour = NAN;
        c->spot_rates.source = "spot price not given";
    }
    c->replace_dist = c->autoscale ? c->provision_dist : platform_provision_dist(cs->platform);
    c->replace_s = dist_mean(&c->replace_dist);
}

enum sc_status cluster_build(const struct scenario *s, const struct catalog *cat, struct cluster *c,
                             struct diag *d)
{
    const struct cluster_spec *cs = &s->cluster;
    memset(c, 0, sizeof *c);
    c->platform = cs->platform;
    const struct platform_info *pl = platform_get(cs->platform);
    if (pl == NULL)
        return diag_set(d, SC_EINPUT, s->file, cs->line, "unknown platform %d", (int)cs->platform);
    enum sc_status st = build_nodes(s, cat, c, d);
    if (st == SC_OK)
        st = build_executor_layout(s, pl, c, d);
    if (st != SC_OK)
        return st;
    build_startup(cs, c);
    build_io_limits(cs, c);
    build_memory(s, c);
    build_autoscale(cs, pl, c);
    build_idle_after(cs, pl, c);
    if ((st = build_billing(s, cat, c, d)) != SC_OK)
        return st;
    build_spot(cs, c);
    return SC_OK;
}
