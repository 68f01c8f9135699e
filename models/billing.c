/*
 * billing.c — how node-seconds turn into dollars under each billing basis of
 * the platform table (models/platform.c holds each platform's rules, rates
 * and sources). A price no source gives stays NaN, so a cost built from it
 * is NaN: reported as unknown, never guessed.
 */
#include "models/billing.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double billing_usd_per_dbu(enum platform p, enum pricing pricing, enum tier tier)
{
    const struct platform_info *pl = platform_get(p);
    if (pl == NULL || pl->billing.basis != BILL_VM_PRICE_AND_DBU ||
        (unsigned)pricing >= PRICING_COUNT || (unsigned)tier >= TIER_COUNT)
        return 0.0;
    return pl->billing.usd_per_dbu[pricing][tier];
}

static double pick(double override, double fallback)
{
    return isnan(override) ? fallback : override;
}

void billing_rates_priced(enum platform p, enum pricing pricing, enum tier tier,
                          const struct node_type *n, const struct node_price *price,
                          const struct price_override *o, bool driver, struct billing_rates *r)
{
    static const struct price_override none = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (!o)
        o = &none;
    double vm_override = driver ? o->driver_usd_per_hour : o->worker_usd_per_hour;
    double dbu_override = driver ? o->driver_dbu_per_hour : o->worker_dbu_per_hour;
    double list_vm = price ? price->vm_usd_per_hour : NAN;

    r->vm_usd_per_hour = pick(vm_override, list_vm);
    r->region = NULL;
    r->price_date = NULL;
    if (!isnan(vm_override)) {
        r->source = "scenario";
    } else if (price) {
        r->source = price->source;
        r->region = price->region;
        r->price_date = price->date;
    } else {
        r->source = "no source";
    }
    r->dbu_per_hour = 0.0;
    r->usd_per_dbu = 0.0;
    r->vcores = 0;
    r->usd_per_vcore_hour = NAN;
    r->granularity_s = 1;

    const struct platform_info *pl = platform_get(p);
    if (pl == NULL)
        return;
    r->granularity_s = pl->billing.granularity_s;
    switch (pl->billing.basis) {
    case BILL_VM_PRICE_AND_DBU: {
        /* DBUs per node-hour are per size, not per region; a price row
         * that gives them is the newer, first-hand figure. */
        double listed = price && !isnan(price->dbu_per_hour) ? price->dbu_per_hour : n->dbu_per_hour;
        r->dbu_per_hour = pick(dbu_override, listed);
        r->usd_per_dbu = pick(o->usd_per_dbu, billing_usd_per_dbu(p, pricing, tier));
        break;
    }
    case BILL_VCORE_HOURS:
        /* The node's vCores at the vCore-hour rate, not a VM price; a VM
         * price the scenario sets still wins. */
        if (isnan(vm_override)) {
            double per_vcore = pick(o->usd_per_vcore_hour, pl->billing.usd_per_vcore_hour);
            r->vcores = n->vcpus;
            r->usd_per_vcore_hour = per_vcore;
            r->vm_usd_per_hour = per_vcore * n->vcpus;
            r->source = isnan(o->usd_per_vcore_hour) ? pl->billing.vcore_rate_source : "scenario";
            r->region = NULL;
            r->price_date = NULL;
        }
        break;
    case BILL_VM_PRICE: break;
    }
}

void billing_rates_for(enum platform p, enum pricing pricing, enum tier tier,
                       const struct node_type *n, const struct price_override *o,
                       bool driver, struct billing_rates *r)
{
    struct node_price row = {.vm_usd_per_hour = n->price_usd_per_hour, .dbu_per_hour = NAN};
    snprintf(row.region, sizeof row.region, "%s", CATALOG_DEFAULT_REGION);
    billing_rates_priced(p, pricing, tier, n, isnan(n->price_usd_per_hour) ? NULL : &row, o,
                         driver, r);
    /* row dies here: point at static text instead. */
    if (r->region) {
        r->region = CATALOG_DEFAULT_REGION;
        r->source = "catalog";
        r->price_date = "";
    }
}

double billing_billed_seconds(const struct billing_rates *r, double seconds)
{
    if (!(seconds > 0.0))
        return 0.0;
    double g = r->granularity_s > 0 ? r->granularity_s : 1;
    /* Round up to the granularity; a tolerance keeps 120.0000000001 s of
     * float noise from costing a third minute. */
    double units = ceil(seconds / g - 1e-9);
    return units * g;
}

double billing_node_usd(const struct billing_rates *r, double seconds, double *vm_usd,
                        double *dbu_usd)
{
    double hours = billing_billed_seconds(r, seconds) / 3600.0;
    double vm = r->vm_usd_per_hour * hours;
    double dbu = r->dbu_per_hour * r->usd_per_dbu * hours;
    if (vm_usd)
        *vm_usd = vm;
    if (dbu_usd)
        *dbu_usd = dbu;
    return vm + dbu;
}
