/*
 * billing.h — what a cluster costs: how each Azure Spark platform bills its
 * nodes (VM price, Databricks DBUs by pricing tier, Synapse vCore-hours),
 * at the platform's billing granularity.
 *
 * What each platform bills, at which rates and granularity, is its entry in
 * the platform table (models/platform.c, with the sources); this module does
 * the arithmetic for each billing basis.
 */
#ifndef STAGECAST_BILLING_H
#define STAGECAST_BILLING_H

#include <stdbool.h>

#include "models/catalog.h"
#include "models/diag.h"
#include "models/platform.h"

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

/* The rates one node is billed at. The strings point into the catalog or
 * static data and live as long as the catalog. */
struct billing_rates {
    double vm_usd_per_hour;  /* the node-hour price besides DBUs; NaN when unknown */
    double dbu_per_hour;     /* 0 off Databricks; NaN when unknown */
    double usd_per_dbu;      /* 0 off Databricks */
    int vcores;              /* Synapse: the node's vCores billed; 0 elsewhere */
    double usd_per_vcore_hour; /* Synapse: the rate; NaN elsewhere, or when a VM price
                                * set by the scenario replaces vCore billing */
    int granularity_s;       /* billed time is rounded up to a multiple of this */
    const char *source;      /* where the VM rate came from, for the report */
    const char *region;      /* the region the VM rate is for; NULL when it is not
                              * a regional list price (scenario, Synapse rate) */
    const char *price_date;  /* as of when ("" undated); NULL with region */
};

/* Platform p's price per DBU for a pricing tier (its table entry's; 0 on a
 * platform that bills no DBUs). Databricks (DBX-PRICE-1): all-purpose
 * 0.40 / 0.55, jobs 0.15 / 0.30, jobs light 0.07 / 0.22 (standard /
 * premium). */
double billing_usd_per_dbu(enum platform p, enum pricing pricing, enum tier tier);

/* Fills r with the rates of one node of type n on platform p at the list
 * price row price (its region's, from catalog_price; NULL: no source
 * prices n there), applying the overrides in o (may be NULL) for a driver or
 * a worker. The row's DBU count, when it has one, wins over the node's.
 * Rates that no source gives stay NaN: the caller reports the cost as
 * unknown, never guessed. */
void billing_rates_priced(enum platform p, enum pricing pricing, enum tier tier,
                          const struct node_type *n, const struct node_price *price,
                          const struct price_override *o, bool driver, struct billing_rates *r);

/* billing_rates_priced at the node's own catalog price (East US). */
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
