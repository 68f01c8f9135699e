/*
 * billing.h — what a cluster costs: how each Azure Spark platform bills its
 * nodes (VM price, Databricks DBUs by pricing tier, Synapse vCore-hours),
 * at the platform's billing granularity.
 *
 * Sources (see ../shared/data/azure-catalog.md): Azure VMs bill per second;
 * Databricks bills DBUs per second, driver included (DBX-PRICE-1,
 * DBX-PRICING-YML); HDInsight pro-rates per minute (HDI-BILL); Synapse bills
 * per vCore-hour, granularity unconfirmed (SYN-ISSUE): we bill per second
 * and say so in the report.
 */
#ifndef STAGECAST_BILLING_H
#define STAGECAST_BILLING_H

#include <stdbool.h>

#include "models/catalog.h"
#include "models/diag.h"

enum platform { PLATFORM_DATABRICKS, PLATFORM_SYNAPSE, PLATFORM_HDINSIGHT, PLATFORM_VM };
enum pricing { PRICING_JOBS, PRICING_ALL_PURPOSE, PRICING_JOBS_LIGHT };
enum tier { TIER_PREMIUM, TIER_STANDARD };

/* Prices a scenario sets explicitly; NaN where it sets none (the catalog's
 * figure, or the platform's published rate, is used then). */
struct price_override {
    double worker_usd_per_hour;
    double driver_usd_per_hour;
    double worker_dbu_per_hour;
    double driver_dbu_per_hour;
    double usd_per_dbu;
    double usd_per_vcore_hour; /* Synapse */
};

/* The rates one node is billed at. */
struct billing_rates {
    double vm_usd_per_hour;  /* NaN when unknown */
    double dbu_per_hour;     /* 0 off Databricks; NaN when unknown */
    double usd_per_dbu;      /* 0 off Databricks */
    int granularity_s;       /* billed time is rounded up to a multiple of this */
    const char *source;      /* where the VM rate came from, for the report */
};

/* Names <-> enums; the parse functions return 0, or -1 for an unknown name. */
const char *platform_name(enum platform p);
int platform_parse(const char *name, enum platform *p);
const char *pricing_name(enum pricing p);
int pricing_parse(const char *name, enum pricing *p);
const char *tier_name(enum tier t);
int tier_parse(const char *name, enum tier *t);

/* Databricks list price per DBU for a pricing tier (DBX-PRICE-1):
 * all-purpose 0.40 / 0.55, jobs 0.15 / 0.30, jobs light 0.07 / 0.22
 * (standard / premium). */
double billing_databricks_usd_per_dbu(enum pricing pricing, enum tier tier);

/* Synapse's published rate per vCore-hour, memory optimised (SYN-PRICE-1). */
#define BILLING_SYNAPSE_USD_PER_VCORE_HOUR 0.143

/* Fills r with the rates of one node of type n on platform p, applying the
 * overrides in o (may be NULL) for a driver or a worker. Rates that no source
 * gives stay NaN: the caller reports the cost as unknown, never guessed. */
void billing_rates_for(enum platform p, enum pricing pricing, enum tier tier,
                       const struct node_type *n, const struct price_override *o,
                       bool driver, struct billing_rates *r);

/* The billed seconds for a node that ran for seconds: rounded up to the
 * granularity. */
double billing_billed_seconds(const struct billing_rates *r, double seconds);

/* Cost in USD of one node billed for seconds at rates r; splits it into the
 * VM part and the DBU part when those pointers are non-NULL. NaN if a needed
 * rate is unknown. */
double billing_node_usd(const struct billing_rates *r, double seconds, double *vm_usd,
                        double *dbu_usd);

#endif
