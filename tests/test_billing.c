/*
 * test_billing.c — platform billing against hand arithmetic, with the rates
 * of ../shared/data/azure-catalog.md.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>

#include "models/billing.h"
#include "sim/runtime/results.h"

static struct node_type ds3(void)
{
    struct node_type n;
    memset(&n, 0, sizeof n);
    strcpy(n.name, "Standard_DS3_v2");
    n.vcpus = 4;
    n.price_usd_per_hour = 0.293; /* PRICE-B */
    n.dbu_per_hour = 0.75;        /* DBU-A, DBU-B */
    return n;
}

static void test_databricks_jobs_premium_node_hour(void **state)
{
    (void)state;
    /* One DS3_v2 hour on Databricks jobs compute, premium: VM 0.293 +
     * 0.75 DBU x $0.30 = 0.293 + 0.225 = $0.518. */
    struct node_type n = ds3();
    struct billing_rates r;
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false, &r);
    double vm, dbu;
    double usd = billing_node_usd(&r, 3600.0, &vm, &dbu);
    assert_float_equal(vm, 0.293, 1e-12);
    assert_float_equal(dbu, 0.225, 1e-12);
    assert_float_equal(usd, 0.518, 1e-12);
}

static void test_dbu_price_follows_pricing_and_tier(void **state)
{
    (void)state;
    assert_float_equal(billing_usd_per_dbu(PLATFORM_DATABRICKS, PRICING_ALL_PURPOSE, TIER_PREMIUM),
                       0.55, 1e-12);
    assert_float_equal(billing_usd_per_dbu(PLATFORM_DATABRICKS, PRICING_ALL_PURPOSE, TIER_STANDARD),
                       0.40, 1e-12);
    assert_float_equal(billing_usd_per_dbu(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_STANDARD), 0.15,
                       1e-12);
    assert_float_equal(billing_usd_per_dbu(PLATFORM_DATABRICKS, PRICING_JOBS_LIGHT, TIER_PREMIUM),
                       0.22, 1e-12);
}

static void test_per_second_billing_is_pro_rata(void **state)
{
    (void)state;
    /* 90 s of a $0.293/h VM: 0.293 x 90 / 3600 = $0.0073250. */
    struct node_type n = ds3();
    struct billing_rates r;
    billing_rates_for(PLATFORM_VM, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false, &r);
    assert_float_equal(billing_node_usd(&r, 90.0, NULL, NULL), 0.293 * 90.0 / 3600.0, 1e-12);
    /* A started second is billed whole. */
    assert_float_equal(billing_billed_seconds(&r, 90.2), 91.0, 1e-12);
}

static void test_hdinsight_rounds_up_to_minutes(void **state)
{
    (void)state;
    /* HDInsight pro-rates per minute: 61 s is billed as 120 s. */
    struct node_type n = ds3();
    n.price_usd_per_hour = 0.6;
    struct billing_rates r;
    billing_rates_for(PLATFORM_HDINSIGHT, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false, &r);
    assert_float_equal(billing_billed_seconds(&r, 61.0), 120.0, 1e-12);
    assert_float_equal(billing_billed_seconds(&r, 120.0), 120.0, 1e-12);
    assert_float_equal(billing_node_usd(&r, 61.0, NULL, NULL), 0.6 * 2.0 / 60.0, 1e-12);
}

static void test_synapse_bills_vcores(void **state)
{
    (void)state;
    /* A Synapse Medium node (8 vCores) for one hour at $0.143 per
     * vCore-hour: 8 x 0.143 = $1.144 (SYN-PRICE-1). */
    struct node_type n;
    memset(&n, 0, sizeof n);
    strcpy(n.name, "Synapse_Medium");
    n.vcpus = 8;
    n.price_usd_per_hour = NAN;
    n.dbu_per_hour = NAN;
    struct billing_rates r;
    billing_rates_for(PLATFORM_SYNAPSE, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false, &r);
    assert_float_equal(billing_node_usd(&r, 3600.0, NULL, NULL), 1.144, 1e-12);
}

static void test_overrides_replace_catalog_prices(void **state)
{
    (void)state;
    struct node_type n = ds3();
    struct price_override o = {NAN, NAN, NAN, NAN, NAN, NAN};
    o.worker_usd_per_hour = 0.1;
    o.worker_dbu_per_hour = 1.0;
    o.usd_per_dbu = 0.5;
    struct billing_rates r;
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &n, &o, false, &r);
    /* 0.1 + 1.0 x 0.5 = 0.6 per hour. */
    assert_float_equal(billing_node_usd(&r, 3600.0, NULL, NULL), 0.6, 1e-12);
    /* The driver keeps the catalog's VM price (only the DBU price is
     * shared): 0.293 + 0.75 x 0.5. */
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &n, &o, true, &r);
    assert_float_equal(billing_node_usd(&r, 3600.0, NULL, NULL), 0.293 + 0.375, 1e-12);
}

static void test_unknown_price_gives_unknown_cost(void **state)
{
    (void)state;
    struct node_type n = ds3();
    n.price_usd_per_hour = NAN;
    struct billing_rates r;
    billing_rates_for(PLATFORM_VM, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false, &r);
    assert_true(isnan(billing_node_usd(&r, 10.0, NULL, NULL)));
}

static void test_cluster_cost_adds_driver_and_workers(void **state)
{
    (void)state;
    /* 1 driver + 4 workers, DS3_v2 on Databricks jobs premium, 145 s of
     * start-up and 3455 s of jobs: 3600 s each, 5 x $0.518 = $2.59. The
     * lines add up to the total, and VM + DBU parts to it too. */
    struct node_type n = ds3();
    struct cluster cl;
    memset(&cl, 0, sizeof cl);
    cl.platform = PLATFORM_DATABRICKS;
    cl.driver = cl.worker = &n;
    cl.workers = 4;
    cl.startup_s = 145.0;
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &n, NULL, true,
                      &cl.driver_rates);
    billing_rates_for(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false,
                      &cl.worker_rates);
    struct cost_result c;
    results_cost(&c, &cl, 3455.0, NULL, 0);
    assert_float_equal(c.billed_s, 3600.0, 1e-9);
    assert_float_equal(c.total_usd, 2.59, 1e-9);
    assert_float_equal(c.lines[0].total_usd + c.lines[1].total_usd, c.total_usd, 1e-12);
    assert_float_equal(c.vm_usd + c.dbu_usd, c.total_usd, 1e-12);
    assert_float_equal(c.lines[1].total_usd, 4 * 0.518, 1e-9);
    assert_string_equal(c.note, "");
}

static void test_names_round_trip(void **state)
{
    (void)state;
    enum platform p;
    enum pricing pr;
    enum tier t;
    assert_int_equal(platform_parse("hdinsight", &p), 0);
    assert_string_equal(platform_name(p), "hdinsight");
    assert_int_equal(platform_parse("aws", &p), -1);
    assert_int_equal(pricing_parse("all-purpose", &pr), 0);
    assert_int_equal(pr, PRICING_ALL_PURPOSE);
    assert_int_equal(tier_parse("standard", &t), 0);
    assert_int_equal(tier_parse("gold", &t), -1);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_databricks_jobs_premium_node_hour),
        cmocka_unit_test(test_dbu_price_follows_pricing_and_tier),
        cmocka_unit_test(test_per_second_billing_is_pro_rata),
        cmocka_unit_test(test_hdinsight_rounds_up_to_minutes),
        cmocka_unit_test(test_synapse_bills_vcores),
        cmocka_unit_test(test_overrides_replace_catalog_prices),
        cmocka_unit_test(test_unknown_price_gives_unknown_cost),
        cmocka_unit_test(test_cluster_cost_adds_driver_and_workers),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
