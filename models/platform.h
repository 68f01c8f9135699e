/*
 * platform.h — the platforms a Spark cluster runs on in Azure, described once
 * in one read-only table: each platform's names, how it bills its nodes, how
 * long its cluster takes to start and a node to join, the executor layout it
 * gives workers, its autoscaling policy and what happens after the last job.
 *
 * Adding a platform is one table entry (and tests): the scenario reader, the
 * cluster builder, billing, the report, replay and `stagecast nodes` read
 * everything they need from its entry, and the importer recognises its
 * event logs by the entry's log_sign. The steps: a value before
 * PLATFORM_COUNT below (and the count), its entry in platform.c with every
 * field and its sources, its name in platform_names(), a worked node-hour in
 * tests/test_platform.c (whose completeness test fails until then), and its
 * name in docs/scenario-format.md's cluster.platform row.
 *
 * Ownership: every pointer this module returns points into static, constant
 * data that lives as long as the program; nothing is to be freed.
 */
#ifndef STAGECAST_PLATFORM_H
#define STAGECAST_PLATFORM_H

#include <stdbool.h>

#include "models/autoscale.h"
#include "models/dist.h"

enum platform { PLATFORM_DATABRICKS, PLATFORM_SYNAPSE, PLATFORM_HDINSIGHT, PLATFORM_VM };
#define PLATFORM_COUNT 4

/* Databricks compute types and plan tiers: they set the price of a DBU. */
enum pricing { PRICING_JOBS, PRICING_ALL_PURPOSE, PRICING_JOBS_LIGHT };
#define PRICING_COUNT 3
enum tier { TIER_PREMIUM, TIER_STANDARD };
#define TIER_COUNT 2

/* Node autoscaling policies (enum autoscale_policy, models/autoscale.h):
 * each platform names the one it runs. */

/* What a platform charges for a node (models/billing.c does the sums). */
enum billing_basis {
    BILL_VM_PRICE,         /* the VM's own price */
    BILL_VM_PRICE_AND_DBU, /* the VM's price plus DBUs at the pricing tier's rate */
    BILL_VCORE_HOURS       /* the node's vCores at a vCore-hour rate, no VM price */
};

struct platform_billing {
    enum billing_basis basis;
    int granularity_s;                             /* billed time rounds up to this */
    double usd_per_dbu[PRICING_COUNT][TIER_COUNT]; /* BILL_VM_PRICE_AND_DBU */
    double usd_per_vcore_hour;                     /* BILL_VCORE_HOURS */
    const char *vcore_rate_source;                 /* BILL_VCORE_HOURS: for the report */
    const char *source;                            /* where the rules come from */
    const char *note;                              /* a caveat the report prints, or NULL */
};

/* A delay as sources quote it: a fixed value, a lognormal by its median and
 * sigma, or a uniform range. platform_delay_dist turns it into a struct dist. */
struct platform_delay {
    enum dist_kind kind; /* DIST_FIXED, DIST_LOGNORMAL or DIST_UNIFORM */
    double a;            /* fixed: the value; lognormal: the median; uniform: the minimum */
    double b;            /* lognormal: sigma; uniform: the maximum */
};

/* How a platform lays executors out on a worker when the scenario does not:
 * executor_cores cores per executor and as many executors as fit, or, with
 * executor_cores 0, the worker's vCPUs split over executors_per_worker. */
struct platform_layout {
    int executors_per_worker; /* >= 1 */
    int executor_cores;       /* 0: vCPUs / executors_per_worker */
    bool fixed;               /* the platform allows no other executors_per_worker */
    const char *fixed_rule;   /* fixed: the rule, as an error message states it */
};

/* How a Spark event log shows that a platform ran it (the importer's
 * detection, sim/eventlog/import_cluster.c): a setting whose name starts
 * with conf_prefix, or the word mention in a setting's name or, in any
 * letter case, its value. NULL fields are signs the platform leaves none
 * of; a platform with neither is what a log without any sign ran on. */
struct platform_log_sign {
    const char *label;       /* the platform as the importer's note names it */
    const char *conf_prefix; /* "spark.databricks.", or NULL */
    const char *mention;     /* lower case, or NULL */
};

struct platform_info {
    enum platform id;
    const char *name;           /* as scenarios and reports write it */
    const char *aliases[3];     /* other accepted spellings, NULL-terminated */
    const char *catalog_family; /* the catalog's platform column for its nodes */
    struct platform_billing billing;

    /* Cluster start-up, before the first job (billed). From
     * startup_large_workers workers on (0: never), startup_large applies. */
    struct platform_delay startup, startup_large;
    int startup_large_workers;
    const char *startup_source;

    /* One node added to a running cluster, by autoscaling or to replace an
     * evicted spot node: from the request until its executors register. */
    struct platform_delay provision;
    const char *provision_source;

    struct platform_layout layout;
    enum autoscale_policy autoscale_policy; /* when the scenario names none */

    /* How long the cluster stays up, and billed, after its last job. */
    double idle_after_s;
    const char *idle_after_source;

    /* What an event log of a run on this platform carries (signs are
     * tried per setting, in table order). */
    struct platform_log_sign log_sign;
};

/* The table entry of platform p; NULL when p is not a platform. */
const struct platform_info *platform_get(enum platform p);

/* The entry whose name or one of whose aliases is name (exact case); NULL
 * when none is. */
const struct platform_info *platform_find(const char *name);

/* Name <-> enum. platform_name returns "?" for a value that is not a
 * platform; platform_parse accepts names and aliases and returns 0, or -1
 * for an unknown name. */
const char *platform_name(enum platform p);
int platform_parse(const char *name, enum platform *p);

/* The platforms' names as scenarios write them, NULL-terminated, in table
 * order (for "must be one of" messages). */
const char *const *platform_names(void);

/* The same for Databricks pricing ("jobs", "all-purpose", "jobs-light"; the
 * parse also takes all_purpose, allpurpose, jobs_light) and tiers
 * ("premium", "standard"). Parse functions return 0, or -1 when unknown. */
const char *pricing_name(enum pricing p);
int pricing_parse(const char *name, enum pricing *p);
const char *const *pricing_names(void);
const char *tier_name(enum tier t);
int tier_parse(const char *name, enum tier *t);
const char *const *tier_names(void);

/* Autoscaling policy names ("databricks", "synapse"), NULL-terminated. */
const char *autoscale_policy_name(enum autoscale_policy a);
const char *const *autoscale_policy_names(void);

/* The platform whose autoscaling a policy reproduces: a policy brings that
 * platform's node provisioning delay with it. */
enum platform autoscale_policy_platform(enum autoscale_policy a);

/* The distribution a delay describes. */
struct dist platform_delay_dist(const struct platform_delay *d);

/* Platform p's cluster start-up for a cluster of workers workers, with its
 * source in *source (when source is non-NULL). */
struct dist platform_startup_dist(enum platform p, int workers, const char **source);

/* The time a node takes to join a running cluster of platform p. */
struct dist platform_provision_dist(enum platform p);

#endif
