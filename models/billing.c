/*
 * billing.c — how each platform turns node-seconds into dollars (see
 * billing.h for the rules and their sources). A price no source gives stays
 * NaN, so a cost built from it is NaN: reported as unknown, never guessed.
 */
#include "models/billing.h"

#include <math.h>
#include <string.h>

static const char *const platform_names[] = {"databricks", "synapse", "hdinsight", "vm"};
static const char *const pricing_names[] = {"jobs", "all-purpose", "jobs-light"};
static const char *const tier_names[] = {"premium", "standard"};

static int parse_name(const char *const *names, size_t n, const char *name, int *out)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) {
            *out = (int)i;
            return 0;
        }
    return -1;
}

#define NAMES_COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *platform_name(enum platform p)
{
    return (unsigned)p < NAMES_COUNT(platform_names) ? platform_names[p] : "?";
}

int platform_parse(const char *name, enum platform *p)
{
    int v;
    if (parse_name(platform_names, NAMES_COUNT(platform_names), name, &v) != 0)
        return -1;
    *p = (enum platform)v;
    return 0;
}

const char *pricing_name(enum pricing p)
{
    return (unsigned)p < NAMES_COUNT(pricing_names) ? pricing_names[p] : "?";
}

int pricing_parse(const char *name, enum pricing *p)
{
    int v;
    if (parse_name(pricing_names, NAMES_COUNT(pricing_names), name, &v) != 0) {
        /* Databricks writes it both ways. */
        if (strcmp(name, "all_purpose") == 0 || strcmp(name, "allpurpose") == 0)
            v = PRICING_ALL_PURPOSE;
        else if (strcmp(name, "jobs_light") == 0)
            v = PRICING_JOBS_LIGHT;
        else
            return -1;
    }
    *p = (enum pricing)v;
    return 0;
}

const char *tier_name(enum tier t)
{
    return (unsigned)t < NAMES_COUNT(tier_names) ? tier_names[t] : "?";
}

int tier_parse(const char *name, enum tier *t)
{
    int v;
    if (parse_name(tier_names, NAMES_COUNT(tier_names), name, &v) != 0)
        return -1;
    *t = (enum tier)v;
    return 0;
}

double billing_databricks_usd_per_dbu(enum pricing pricing, enum tier tier)
{
    /* DBX-PRICE-1. Premium jobs is 0.30 there; DBX-PRICE-2 says 0.25. */
    static const double usd[3][2] = {
        /* premium, standard */
        {0.30, 0.15}, /* jobs */
        {0.55, 0.40}, /* all-purpose */
        {0.22, 0.07}, /* jobs light */
    };
    return usd[pricing][tier];
}

static double pick(double override, double fallback)
{
    return isnan(override) ? fallback : override;
}

void billing_rates_for(enum platform p, enum pricing pricing, enum tier tier,
                       const struct node_type *n, const struct price_override *o,
                       bool driver, struct billing_rates *r)
{
    static const struct price_override none = {NAN, NAN, NAN, NAN, NAN, NAN};
    if (!o)
        o = &none;
    double vm_override = driver ? o->driver_usd_per_hour : o->worker_usd_per_hour;
    double dbu_override = driver ? o->driver_dbu_per_hour : o->worker_dbu_per_hour;

    r->vm_usd_per_hour = pick(vm_override, n->price_usd_per_hour);
    r->source = isnan(vm_override) ? "catalog (East US pay-as-you-go)" : "scenario";
    r->dbu_per_hour = 0.0;
    r->usd_per_dbu = 0.0;
    r->granularity_s = 1;

    switch (p) {
    case PLATFORM_DATABRICKS:
        r->dbu_per_hour = pick(dbu_override, n->dbu_per_hour);
        r->usd_per_dbu = pick(o->usd_per_dbu, billing_databricks_usd_per_dbu(pricing, tier));
        break;
    case PLATFORM_SYNAPSE:
        /* Synapse bills the pool's vCores, not a VM price (SYN-PRICE-1). */
        if (isnan(vm_override)) {
            double per_vcore = pick(o->usd_per_vcore_hour, BILLING_SYNAPSE_USD_PER_VCORE_HOUR);
            r->vm_usd_per_hour = per_vcore * n->vcpus;
            r->source = isnan(o->usd_per_vcore_hour) ? "Synapse vCore-hour rate" : "scenario";
        }
        break;
    case PLATFORM_HDINSIGHT:
        /* Pro-rated per minute (HDI-BILL). Service charges: not found. */
        r->granularity_s = 60;
        break;
    case PLATFORM_VM:
        break;
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
