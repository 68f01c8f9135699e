/*
 * scenario_cluster.c — reads the scenario's `cluster` group: the platform and
 * its billing names, the worker and driver VM sizes, the number of workers
 * (or an autoscale range), the executor layout, start-up delays, I/O limits,
 * spot workers, storage limits and price overrides. It checks only what can
 * be checked without the node catalog; sim/input/cluster.c resolves the
 * sizes and applies the platform's defaults.
 */
#include "sim/input/scenario_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest executors per worker or cores per executor we accept; the largest
 * Azure VM sizes have a few hundred vCPUs. */
#define SCN_MAX_PER_NODE 1024

/* ------------------------------------------------------------- cluster */

/* Platform, pricing and tier names are parsed by the platform table
 * (models/platform.h), which owns them and their aliases; we only list them
 * for the error message. */
static int get_billing_name(struct reader *r, const config_setting_t *g, const char *key,
                            const char *const *names, int (*parse)(const char *, void *), void *out)
{
    const char *v;
    int line = 0;
    int rc = scenario_get_str(r, g, "cluster", key, false, &v, &line);
    if (rc <= 0)
        return rc;
    if (parse(v, out) == 0)
        return 1;
    char list[128];
    scenario_join_names(names, list, sizeof list);
    return scenario_fail(r, line, "'%s' in cluster must be one of %s, not \"%s\".", key, list, v);
}

static int parse_platform_cb(const char *name, void *out)
{
    return platform_parse(name, out);
}

static int parse_pricing_cb(const char *name, void *out)
{
    return pricing_parse(name, out);
}

static int parse_tier_cb(const char *name, void *out)
{
    return tier_parse(name, out);
}

static int get_vm_size(struct reader *r, const config_setting_t *g, const char *key, bool required,
                       char *buf, size_t size, int *line)
{
    const char *v;
    int rc = scenario_get_str(r, g, "cluster", key, required, &v, line);
    if (rc <= 0)
        return rc;
    if (strlen(v) >= size)
        return scenario_fail(
            r, *line, "'%s' in cluster is too long for a VM size name (\"%.40s...\").", key, v);
    memcpy(buf, v, strlen(v) + 1);
    return 1;
}

/* A delay given as seconds or as a distribution group like task_seconds'
 * ({ dist = "lognormal"; median = 145; sigma = 0.4; }). Returns 1 when
 * given (*is_dist says which form), 0 when absent, -1 on error. */
static int get_delay(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, double *fixed, struct dist *dist, bool *is_dist)
{
    config_setting_t *st = config_setting_get_member(g, key);
    if (!st)
        return 0;
    if (config_setting_type(st) == CONFIG_TYPE_GROUP) {
        char what[192];
        snprintf(what, sizeof what, "'%s' in %s", key, where);
        if (scenario_read_task_seconds(r, st, what, dist) != 0)
            return -1;
        *is_dist = true;
        return 1;
    }
    *is_dist = false;
    return scenario_get_number(r, g, where, key, false, 0, false, SCN_MAX_DURATION_S, fixed);
}

static int read_autoscale(struct reader *r, const config_setting_t *a, int64_t *min_workers)
{
    const char *where = "cluster.autoscale";
    struct cluster_spec *c = &r->s->cluster;
    if (scenario_check_group(r, a, where, "cluster.autoscale", NULL) != 0)
        return -1;
    int64_t lo = 0, hi = 0;
    int policy = -1;
    if (scenario_get_int(r, a, where, "min", true, 1, SCN_MAX_WORKERS, true, &lo) < 0 ||
        scenario_get_int(r, a, where, "max", true, 1, SCN_MAX_WORKERS, true, &hi) < 0 ||
        scenario_get_choice(r, a, where, "policy", false, autoscale_policy_names(), false,
                            &policy) < 0 ||
        get_delay(r, a, where, "provision_s", &c->autoscale_provision_s, &c->provision_dist,
                  &c->provision_is_dist) < 0 ||
        scenario_get_number(r, a, where, "interval_s", false, 0, true, SCN_MAX_DURATION_S,
                            &c->autoscale_interval_s) < 0 ||
        scenario_get_number(r, a, where, "idle_s", false, 0, false, SCN_MAX_DURATION_S,
                            &c->autoscale_idle_s) < 0)
        return -1;
    if (hi < lo)
        return scenario_fail(
            r, scenario_line_of(config_setting_get_member(a, "max")),
            "'max' in cluster.autoscale (%lld) must not be less than 'min' (%lld).", (long long)hi,
            (long long)lo);
    c->autoscale = true;
    c->autoscale_min = lo;
    c->autoscale_max = hi;
    c->autoscale_policy = policy;
    c->autoscale_line = scenario_line_of(a);
    *min_workers = lo;
    return 0;
}

/* cluster.region: whose list prices apply. Only its spelling is checked
 * here; cluster_build checks it against the regions the catalog prices. */
static int read_region(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    const char *v;
    int line = 0;
    int rc = scenario_get_str(r, g, "cluster", "region", false, &v, &line);
    if (rc <= 0)
        return rc;
    if (v[0] == '\0' || strlen(v) >= sizeof c->region ||
        strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(v))
        return scenario_fail(r, line,
                             "'region' in cluster is an Azure region name in lower-case letters "
                             "and digits, like \"westus2\", not \"%.40s\".",
                             v);
    memcpy(c->region, v, strlen(v) + 1);
    c->region_line = line;
    return 1;
}

/* The billing names (platform, pricing, tier), the region and the VM sizes. */
static int read_machines(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    if (get_billing_name(r, g, "platform", platform_names(), parse_platform_cb, &c->platform) < 0 ||
        get_billing_name(r, g, "pricing", pricing_names(), parse_pricing_cb, &c->pricing) < 0 ||
        get_billing_name(r, g, "tier", tier_names(), parse_tier_cb, &c->tier) < 0 ||
        read_region(r, g) < 0)
        return -1;

    if (get_vm_size(r, g, "worker", true, c->worker, sizeof c->worker, &c->worker_line) < 0)
        return -1;
    int rc = get_vm_size(r, g, "driver", false, c->driver, sizeof c->driver, &c->driver_line);
    if (rc < 0)
        return -1;
    c->driver_given = rc > 0;
    if (rc == 0) {
        /* The driver defaults to the worker's size; errors about it point
         * at the line that chose that size. */
        memcpy(c->driver, c->worker, sizeof c->driver);
        c->driver_line = c->worker_line;
    }
    return 0;
}

/* How many workers: a fixed count, or an autoscale range whose 'workers'
 * (the initial size) defaults to its minimum. */
static int read_size(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    const char *where = "cluster";
    config_setting_t *autoscale;
    int64_t autoscale_min = 0;
    int rc = scenario_get_aggregate(r, g, where, "autoscale", false, CONFIG_TYPE_GROUP, &autoscale);
    if (rc < 0 || (rc > 0 && read_autoscale(r, autoscale, &autoscale_min) != 0))
        return -1;
    /* A timeline of executors says how many there are; workers may then be
     * left out (sim/input/cluster.c places them). */
    bool timeline = config_setting_get_member(g, "executors") != NULL;
    rc = scenario_get_int(r, g, where, "workers", autoscale == NULL && !timeline, 1,
                          SCN_MAX_WORKERS, true, &c->workers);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        const config_setting_t *w = config_setting_get_member(g, "workers");
        c->workers_line = scenario_line_of(w);
        /* A count a --set gave has no line of its own: the cluster group's
         * line is not where it came from, the command line is. */
        bool by_set = config_setting_source_line(w) == 0;
        if (autoscale && (c->workers < c->autoscale_min || c->workers > c->autoscale_max))
            return scenario_fail(
                r, by_set ? 0 : c->workers_line,
                "'workers' (%lld%s) is the autoscaled cluster's initial size and must lie "
                "in [min, max] = [%lld, %lld]%s.",
                (long long)c->workers, by_set ? ", from --set cluster.workers" : "",
                (long long)c->autoscale_min, (long long)c->autoscale_max,
                by_set ? ": give a count in the range, or drop the --set to start at min" : "");
    } else {
        c->workers = autoscale_min;
        c->workers_line = scenario_line_of(autoscale);
    }
    return 0;
}

/* executors_per_worker and executor_cores; 0 (absent) leaves the layout to
 * the platform (sim/input/cluster.c). */
static int read_executor_layout(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    const char *where = "cluster";
    int64_t v = 0;
    int rc =
        scenario_get_int(r, g, where, "executors_per_worker", false, 1, SCN_MAX_PER_NODE, true, &v);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        c->executors_per_worker = (int)v;
        c->executor_line = scenario_line_of(config_setting_get_member(g, "executors_per_worker"));
    }
    rc = scenario_get_int(r, g, where, "executor_cores", false, 1, SCN_MAX_PER_NODE, true, &v);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        c->executor_cores = (int)v;
        c->executor_line = scenario_line_of(config_setting_get_member(g, "executor_cores"));
    }
    return 0;
}

/* The start-up delay, the I/O limits and how long the cluster outlives its
 * last job. */
static int read_startup_and_io(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    const char *where = "cluster";
    if (get_delay(r, g, where, "startup_s", &c->startup_s, &c->startup_dist, &c->startup_is_dist) <
            0 ||
        scenario_get_number(r, g, where, "network_limit_gbps", false, 0, true, INFINITY,
                            &c->network_limit_gbps) < 0 ||
        scenario_get_number(r, g, where, "local_disk_mbps", false, 0, true, INFINITY,
                            &c->local_disk_mbps) < 0 ||
        scenario_get_number(r, g, where, "idle_after_s", false, 0, false, SCN_MAX_DURATION_S,
                            &c->idle_after_s) < 0)
        return -1;
    return 0;
}

/* executor_start_s: when each executor registered, in executor order: a
 * number per executor, seconds from the first job (as an event log
 * records). */
static int read_executor_starts(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    config_setting_t *starts = config_setting_get_member(g, "executor_start_s");
    if (!starts)
        return 0;
    int t = config_setting_type(starts);
    if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, starts, "cluster",
                                   "a list of seconds such as [0.0, 0.0, 35.4]");
    int n = config_setting_length(starts);
    if (n > SCN_MAX_WORKERS * 64)
        return scenario_fail(r, scenario_line_of(starts),
                             "'executor_start_s' lists too many executors.");
    c->executor_start_s = malloc((size_t)(n ? n : 1) * sizeof(double));
    if (!c->executor_start_s)
        return scenario_fail_nomem(r, scenario_line_of(starts));
    c->n_executor_start_s = (size_t)n;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(starts, (unsigned)i);
        double t_s = scenario_is_number(e) ? scenario_number_of(e) : NAN;
        if (!(t_s >= 0.0) || !(t_s <= SCN_MAX_DURATION_S))
            return scenario_fail(r, scenario_line_of(starts),
                                 "'executor_start_s' must list numbers from 0 to 1e7 s; item %d is "
                                 "not.",
                                 i + 1);
        c->executor_start_s[i] = t_s;
    }
    return 0;
}

/* cluster.executors: the executors as they came and went, each a group
 * { start_s; end_s; cores; } (end_s and cores optional). Each entry's
 * errors name its own line. */
static int read_executor_timeline(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    config_setting_t *list;
    int rc = scenario_get_aggregate(r, g, "cluster", "executors", false, CONFIG_TYPE_LIST, &list);
    if (rc <= 0)
        return rc;
    c->executors_line = scenario_line_of(list);
    int n = config_setting_length(list);
    if (n == 0)
        return scenario_fail(r, c->executors_line,
                             "'executors' in cluster is empty; list at least one executor, "
                             "such as ( { start_s = 0.0; end_s = 60.0; cores = 4; } ).");
    if (n > SCN_MAX_WORKERS * 64)
        return scenario_fail_status(r, SC_ELIMIT, c->executors_line,
                                    "'executors' in cluster lists %d executors, more than the %d "
                                    "stagecast accepts.",
                                    n, SCN_MAX_WORKERS * 64);
    if (c->autoscale)
        return scenario_fail(r, c->executors_line,
                             "cluster gives both 'executors' (the executors as they came and "
                             "went) and 'autoscale'; give one of them.");
    c->executors = calloc((size_t)n, sizeof *c->executors);
    if (!c->executors)
        return scenario_fail_nomem(r, c->executors_line);
    c->n_executors = (size_t)n;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        struct executor_spec *x = &c->executors[i];
        char where[64];
        snprintf(where, sizeof where, "cluster.executors item %d", i + 1);
        x->line = scenario_line_of(e);
        x->end_s = INFINITY;
        if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
            char got[96];
            return scenario_fail(r, x->line,
                                 "%s must be a group such as { start_s = 0.0; end_s = 60.0; "
                                 "cores = 4; }, not %s.",
                                 where, scenario_describe(e, got, sizeof got));
        }
        int64_t cores = 0;
        if (scenario_check_group(r, e, where, "cluster.executors[]", NULL) != 0 ||
            scenario_get_number(r, e, where, "start_s", true, 0, false, SCN_MAX_DURATION_S,
                                &x->start_s) < 0 ||
            scenario_get_number(r, e, where, "end_s", false, 0, false, SCN_MAX_DURATION_S,
                                &x->end_s) < 0 ||
            scenario_get_int(r, e, where, "cores", false, 1, SCN_MAX_PER_NODE, true, &cores) < 0)
            return -1;
        x->cores = (int)cores;
        int64_t rp = 0;
        if (scenario_get_int(r, e, where, "resource_profile", false, 0, INT32_MAX, false, &rp) < 0)
            return -1;
        x->resource_profile = (int)rp;
        if (scenario_get_bool(r, e, where, "lost_by_app", &x->lost_by_app) < 0)
            return -1;
        const char *host = NULL;
        int host_line = 0;
        if (scenario_get_str(r, e, where, "host", false, &host, &host_line) < 0)
            return -1;
        if (host && strlen(host) >= sizeof x->host)
            return scenario_fail(r, host_line, "%s: 'host' is longer than %zu characters.", where,
                                 sizeof x->host - 1);
        if (host)
            strcpy(x->host, host);
        if (!(x->end_s > x->start_s))
            return scenario_fail(r, scenario_line_of(config_setting_get_member(e, "end_s")),
                                 "%s leaves (end_s = %g) before it joins (start_s = %g); end_s "
                                 "must be later than start_s.",
                                 where, x->end_s, x->start_s);
    }
    return 0;
}

/* cluster.spot: the share of spot workers, how they are evicted and what
 * they cost. */
static int read_spot(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    config_setting_t *spot;
    int rc = scenario_get_aggregate(r, g, "cluster", "spot", false, CONFIG_TYPE_GROUP, &spot);
    if (rc <= 0)
        return rc;
    const char *sw = "cluster.spot";
    c->spot_line = scenario_line_of(spot);
    if (scenario_check_group(r, spot, sw, "cluster.spot", NULL) != 0 ||
        scenario_get_number(r, spot, sw, "fraction", true, 0, false, 1.0, &c->spot_fraction) < 0 ||
        scenario_get_number(r, spot, sw, "evictions_per_hour", false, 0, false, 3600.0,
                            &c->spot_evictions_per_hour) < 0 ||
        scenario_get_number(r, spot, sw, "usd_per_hour", false, 0, false, INFINITY,
                            &c->spot_usd_per_hour) < 0 ||
        scenario_get_number(r, spot, sw, "discount", false, 0, false, 1.0, &c->spot_discount) < 0 ||
        scenario_get_number(r, spot, sw, "evict_at_s", false, 0, false, SCN_MAX_DURATION_S,
                            &c->spot_evict_at_s) < 0)
        return -1;
    if (c->spot_fraction > 1.0)
        return scenario_fail(r, c->spot_line,
                             "'fraction' in cluster.spot must be between 0 and 1.");
    return 0;
}

/* cluster.storage: the storage account's egress and ingress limits. */
static int read_storage(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    config_setting_t *storage;
    int rc = scenario_get_aggregate(r, g, "cluster", "storage", false, CONFIG_TYPE_GROUP, &storage);
    if (rc <= 0)
        return rc;
    const char *sw = "cluster.storage";
    if (scenario_check_group(r, storage, sw, "cluster.storage", NULL) != 0 ||
        scenario_get_number(r, storage, sw, "egress_gbps", false, 0, true, INFINITY,
                            &c->storage_egress_gbps) < 0 ||
        scenario_get_number(r, storage, sw, "ingress_gbps", false, 0, true, INFINITY,
                            &c->storage_ingress_gbps) < 0 ||
        scenario_get_number(r, storage, sw, "latency_s", false, 0, false, 3600.0,
                            &c->storage_latency_s) < 0 ||
        scenario_get_number(r, storage, sw, "stream_mbps", false, 0, true, INFINITY,
                            &c->storage_stream_mbps) < 0 ||
        scenario_get_number(r, storage, sw, "commit_s_per_file", false, 0, false, 3600.0,
                            &c->storage_commit_s_per_file) < 0)
        return -1;
    int64_t request = -1;
    if (scenario_get_size(r, storage, sw, "request_bytes", &request) < 0)
        return -1;
    if (request == 0)
        return scenario_fail(r,
                             scenario_line_of(config_setting_get_member(storage, "request_bytes")),
                             "'request_bytes' in cluster.storage must be at least 1 byte.");
    if (request > 0)
        c->storage_request_bytes = (double)request;
    return 0;
}

/* cluster.price: rates that replace the platform table's. */
static int read_price(struct reader *r, const config_setting_t *g)
{
    struct price_override *p = &r->s->cluster.price;
    config_setting_t *price;
    int rc = scenario_get_aggregate(r, g, "cluster", "price", false, CONFIG_TYPE_GROUP, &price);
    if (rc <= 0)
        return rc;
    const char *pw = "cluster.price";
    if (scenario_check_group(r, price, pw, "cluster.price", NULL) != 0 ||
        scenario_get_number(r, price, pw, "worker_usd_per_hour", false, 0, false, INFINITY,
                            &p->worker_usd_per_hour) < 0 ||
        scenario_get_number(r, price, pw, "driver_usd_per_hour", false, 0, false, INFINITY,
                            &p->driver_usd_per_hour) < 0 ||
        scenario_get_number(r, price, pw, "worker_dbu_per_hour", false, 0, false, INFINITY,
                            &p->worker_dbu_per_hour) < 0 ||
        scenario_get_number(r, price, pw, "driver_dbu_per_hour", false, 0, false, INFINITY,
                            &p->driver_dbu_per_hour) < 0 ||
        scenario_get_number(r, price, pw, "usd_per_dbu", false, 0, false, INFINITY,
                            &p->usd_per_dbu) < 0 ||
        scenario_get_number(r, price, pw, "usd_per_vcore_hour", false, 0, false, INFINITY,
                            &p->usd_per_vcore_hour) < 0)
        return -1;
    return 0;
}

/* The steps in the order the group has always been read, which is the
 * order its errors are found in. */
int scenario_read_cluster(struct reader *r, const config_setting_t *g)
{
    struct cluster_spec *c = &r->s->cluster;
    c->line = scenario_line_of(g);
    c->driver_line = c->worker_line = c->workers_line = c->executor_line = c->line;
    if (scenario_check_group(r, g, "cluster", "cluster", NULL) != 0 || read_machines(r, g) != 0 ||
        read_size(r, g) != 0 || read_executor_layout(r, g) != 0 || read_startup_and_io(r, g) != 0 ||
        read_executor_starts(r, g) != 0 || read_spot(r, g) != 0 || read_storage(r, g) != 0 ||
        read_price(r, g) != 0 || read_executor_timeline(r, g) != 0)
        return -1;
    if (c->n_executors && c->spot_fraction > 0.0)
        return scenario_fail(r, c->spot_line,
                             "cluster gives both 'executors' (the executors as they came and "
                             "went) and spot workers; give one of them.");
    if (c->n_executors && c->n_executor_start_s)
        return scenario_fail(r, c->executors_line,
                             "cluster gives both 'executors' and 'executor_start_s'; the "
                             "timeline's start_s says when each executor registers.");
    return 0;
}
