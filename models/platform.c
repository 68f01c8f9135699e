/*
 * platform.c — the platform table: every fact stagecast holds about Azure
 * Databricks, Synapse Spark pools, HDInsight and plain VMs, one entry each,
 * with the source of each figure (the source keys are those of
 * ../shared/data/azure-catalog.md). It sits at the start of the flow: the
 * scenario reader parses names against it, the cluster builder takes its
 * defaults from it, billing and the report read its billing rules.
 *
 * A figure no source gives is not guessed: HDInsight's start-up time is 0
 * with a source text that says so and names the key that sets it.
 */
#include "models/platform.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Databricks list prices per DBU, [pricing][tier] (DBX-PRICE-1). Premium
 * jobs is 0.30 there; DBX-PRICE-2 says 0.25. */
#define DATABRICKS_USD_PER_DBU                                                                     \
    {                                                                                              \
        /* premium, standard */                                                                    \
        {0.30, 0.15},     /* jobs */                                                               \
            {0.55, 0.40}, /* all-purpose */                                                        \
            {0.22, 0.07}, /* jobs light */                                                         \
    }

/* Databricks publishes a median cluster create time of 145 s without a
 * pool (DBX-POOLS-BLOG) and users report 2-5 min (DBX-COMM): a lognormal of
 * median 145 s and sigma 0.4 (90% below 242 s). No latency is published for
 * a node added outside pools, so a new node takes the same. */
#define DATABRICKS_CREATE                                                                          \
    {                                                                                              \
        DIST_LOGNORMAL, 145.0, 0.4                                                                 \
    }

static const struct platform_info platforms[PLATFORM_COUNT] = {
    [PLATFORM_DATABRICKS] =
        {
            .id = PLATFORM_DATABRICKS,
            .name = "databricks",
            .aliases = {NULL},
            .catalog_family = "azure_vm",
            .billing =
                {
                    /* VMs bill per second; so do DBUs, driver included (DBX-PRICE-1,
                     * DBX-PRICING-YML). */
                    .basis = BILL_VM_PRICE_AND_DBU,
                    .granularity_s = 1,
                    .usd_per_dbu = DATABRICKS_USD_PER_DBU,
                    .source = "VM price plus DBUs, per second (DBX-PRICE-1, DBX-PRICING-YML)",
                },
            .startup = DATABRICKS_CREATE,
            .startup_source = "Databricks cluster create without a pool: lognormal, median 145 s "
                              "(DBX-POOLS-BLOG), sigma 0.4 for the 2-5 min users report (DBX-COMM)",
            .provision = DATABRICKS_CREATE,
            .provision_source = "no latency published outside pools: the cluster create time "
                                "(DBX-POOLS-BLOG, DBX-COMM)",
            /* One executor per worker using all of its vCPUs (DBX-CONF). */
            .layout = {1, 0, true, "Databricks runs one executor per worker (DBX-CONF)"},
            .autoscale_policy = AUTOSCALE_POLICY_DATABRICKS,
            /* A job cluster ends with its job. */
            .idle_after_s = 0.0,
            .idle_after_source = "the cluster ends with its last job",
            .log_sign = {"Databricks", "spark.databricks.", NULL},
        },
    [PLATFORM_SYNAPSE] =
        {
            .id = PLATFORM_SYNAPSE,
            .name = "synapse",
            .aliases = {NULL},
            .catalog_family = "synapse",
            .billing =
                {
                    /* The pool's vCores, memory optimised (SYN-PRICE-1); the
                     * granularity is unconfirmed (SYN-ISSUE): per second here, and
                     * the report says so. */
                    .basis = BILL_VCORE_HOURS,
                    .granularity_s = 1,
                    .usd_per_vcore_hour = 0.143,
                    .vcore_rate_source = "Synapse vCore-hour rate, memory optimised (SYN-PRICE-1, "
                                         "secondary; region and date not stated)",
                    .source =
                        "vCore-hours, memory optimised (SYN-PRICE-1); granularity unconfirmed "
                        "(SYN-ISSUE)",
                    .note = "Synapse billing granularity is unconfirmed; billed per second here",
                },
            /* About 2 min below 60 nodes and 5 min above (SYN-OVR). */
            .startup = {DIST_LOGNORMAL, 120.0, 0.25},
            .startup_large = {DIST_LOGNORMAL, 300.0, 0.25},
            .startup_large_workers = 60,
            .startup_source = "Synapse instance start: lognormal, median about 2 min below 60 "
                              "nodes, 5 min above (SYN-OVR)",
            /* A scaling operation takes 1-5 min (SYN-AUTO). */
            .provision = {DIST_UNIFORM, 60.0, 300.0},
            .provision_source = "a Synapse scaling operation takes 1-5 min (SYN-AUTO): uniform",
            .layout = {1, 0, false, NULL},
            .autoscale_policy = AUTOSCALE_POLICY_SYNAPSE,
            .idle_after_s = 300.0,
            .idle_after_source = "Synapse pools shut down 5 min after the last job (SYN-OVR)",
            .log_sign = {"Synapse", "spark.synapse.", NULL},
        },
    [PLATFORM_HDINSIGHT] =
        {
            .id = PLATFORM_HDINSIGHT,
            .name = "hdinsight",
            .aliases = {NULL},
            .catalog_family = "hdinsight",
            .billing =
                {
                    /* Pro-rated per minute (HDI-BILL). Service charges: not found. */
                    .basis = BILL_VM_PRICE,
                    .granularity_s = 60,
                    .source = "VM price pro-rated per minute (HDI-BILL); service charges not found",
                },
            .startup = {DIST_FIXED, 0.0, 0.0},
            .startup_source = "HDInsight creation time not found in the sources; set "
                              "cluster.startup_s",
            .provision = DATABRICKS_CREATE,
            .provision_source = "HDInsight scaling time not found: the Databricks node time "
                                "(DBX-POOLS-BLOG); set cluster.autoscale.provision_s",
            .layout = {1, 0, false, NULL},
            .autoscale_policy = AUTOSCALE_POLICY_DATABRICKS,
            .idle_after_s = 0.0,
            .idle_after_source = "the cluster ends with its last job",
            .log_sign = {"HDInsight", NULL, "hdinsight"},
        },
    [PLATFORM_VM] =
        {
            .id = PLATFORM_VM,
            .name = "vm",
            /* `stagecast nodes` and the catalog call plain VMs azure_vm. */
            .aliases = {"azure_vm", NULL},
            .catalog_family = "azure_vm",
            .billing =
                {
                    .basis = BILL_VM_PRICE,
                    .granularity_s = 1,
                    .source = "Azure VMs bill per second",
                },
            .startup = {DIST_FIXED, 0.0, 0.0},
            .startup_source = "plain VMs: the cluster is taken as already running",
            .provision = DATABRICKS_CREATE,
            .provision_source = "no VM figure: the Databricks node time (DBX-POOLS-BLOG); set "
                                "cluster.autoscale.provision_s",
            .layout = {1, 0, false, NULL},
            .autoscale_policy = AUTOSCALE_POLICY_DATABRICKS,
            .idle_after_s = 0.0,
            .idle_after_source = "the cluster ends with its last job",
        },
};

const struct platform_info *platform_get(enum platform p)
{
    return (unsigned)p < PLATFORM_COUNT ? &platforms[p] : NULL;
}

const struct platform_info *platform_find(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < PLATFORM_COUNT; i++) {
        const struct platform_info *pl = &platforms[i];
        if (strcmp(pl->name, name) == 0)
            return pl;
        for (size_t a = 0; a < sizeof pl->aliases / sizeof pl->aliases[0] && pl->aliases[a]; a++)
            if (strcmp(pl->aliases[a], name) == 0)
                return pl;
    }
    return NULL;
}

const char *platform_name(enum platform p)
{
    const struct platform_info *pl = platform_get(p);
    return pl ? pl->name : "?";
}

int platform_parse(const char *name, enum platform *p)
{
    const struct platform_info *pl = platform_find(name);
    if (pl == NULL)
        return -1;
    *p = pl->id;
    return 0;
}

const char *const *platform_names(void)
{
    static const char *const names[PLATFORM_COUNT + 1] = {
        [PLATFORM_DATABRICKS] = "databricks",
        [PLATFORM_SYNAPSE] = "synapse",
        [PLATFORM_HDINSIGHT] = "hdinsight",
        [PLATFORM_VM] = "vm",
        [PLATFORM_COUNT] = NULL,
    };
    return names;
}

/* ---- Databricks pricing and tiers ---------------------------------------- */

static const char *const pricing_list[PRICING_COUNT + 1] = {"jobs", "all-purpose", "jobs-light",
                                                            NULL};
static const char *const tier_list[TIER_COUNT + 1] = {"premium", "standard", NULL};
static const char *const policy_list[AUTOSCALE_POLICY_COUNT + 1] = {"databricks", "synapse", NULL};

/* The index of name in the NULL-terminated list names, or -1. */
static int index_of(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *pricing_name(enum pricing p)
{
    return (unsigned)p < PRICING_COUNT ? pricing_list[p] : "?";
}

int pricing_parse(const char *name, enum pricing *p)
{
    int v = index_of(pricing_list, name);
    /* Databricks writes it several ways. */
    if (v < 0 && (strcmp(name, "all_purpose") == 0 || strcmp(name, "allpurpose") == 0))
        v = PRICING_ALL_PURPOSE;
    else if (v < 0 && strcmp(name, "jobs_light") == 0)
        v = PRICING_JOBS_LIGHT;
    if (v < 0)
        return -1;
    *p = (enum pricing)v;
    return 0;
}

const char *const *pricing_names(void)
{
    return pricing_list;
}

const char *tier_name(enum tier t)
{
    return (unsigned)t < TIER_COUNT ? tier_list[t] : "?";
}

int tier_parse(const char *name, enum tier *t)
{
    int v = index_of(tier_list, name);
    if (v < 0)
        return -1;
    *t = (enum tier)v;
    return 0;
}

const char *const *tier_names(void)
{
    return tier_list;
}

/* ---- autoscaling policies ------------------------------------------------ */

const char *autoscale_policy_name(enum autoscale_policy a)
{
    return (unsigned)a < AUTOSCALE_POLICY_COUNT ? policy_list[a] : "?";
}

const char *const *autoscale_policy_names(void)
{
    return policy_list;
}

enum platform autoscale_policy_platform(enum autoscale_policy a)
{
    return a == AUTOSCALE_POLICY_SYNAPSE ? PLATFORM_SYNAPSE : PLATFORM_DATABRICKS;
}

/* ---- delays ---------------------------------------------------------------- */

struct dist platform_delay_dist(const struct platform_delay *d)
{
    struct dist out = dist_fixed(d->a);
    switch (d->kind) {
    case DIST_LOGNORMAL:
        /* Sources quote a median; the distribution's mu is its log. */
        out.kind = DIST_LOGNORMAL;
        out.p1 = log(d->a);
        out.p2 = d->b;
        break;
    case DIST_UNIFORM:
        out.kind = DIST_UNIFORM;
        out.p1 = d->a;
        out.p2 = d->b;
        break;
    default: break;
    }
    return out;
}

struct dist platform_startup_dist(enum platform p, int workers, const char **source)
{
    const struct platform_info *pl = platform_get(p);
    if (source)
        *source = pl ? pl->startup_source : "";
    if (pl == NULL)
        return dist_fixed(0.0);
    bool large = pl->startup_large_workers > 0 && workers >= pl->startup_large_workers;
    return platform_delay_dist(large ? &pl->startup_large : &pl->startup);
}

struct dist platform_provision_dist(enum platform p)
{
    const struct platform_info *pl = platform_get(p);
    return pl ? platform_delay_dist(&pl->provision) : dist_fixed(0.0);
}
