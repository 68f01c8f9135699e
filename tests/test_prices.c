/*
 * test_prices.c — prices by region: the shipped catalog's price rows (East
 * US from its column, West US 2 from the Azure Databricks pricing page),
 * billing at them, cluster.region choosing them, the one message that
 * names every missing rate, and the Synapse cost in vCore-hours, all
 * against figures worked out by hand from the source rows.
 */
#define _GNU_SOURCE /* mkstemps, fmemopen */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/billing.h"
#include "models/catalog.h"
#include "sim/input/cluster.h"
#include "sim/input/scenario.h"
#include "sim/output/report.h"
#include "sim/runtime/results.h"

#define assert_close(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static int load_catalog(void **state)
{
    struct diag d;
    diag_clear(&d);
    /* catalog_load reads azure-prices.csv beside the catalog. */
    *state = catalog_load(ABS_TOP_SRCDIR "/models/azure-nodes.csv", &d);
    return *state ? 0 : -1;
}

static int free_catalog(void **state)
{
    catalog_free(*state);
    return 0;
}

/* Writes text to a temporary .cfg and loads it (the file is removed; its
 * name stays in path for messages). */
static struct scenario *load_text(const char *text, struct diag *d, char *path, size_t size)
{
    snprintf(path, size, "/tmp/test_prices_XXXXXX.cfg");
    int fd = mkstemps(path, 4);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    diag_clear(d);
    struct scenario *s = scenario_load(path, d);
    unlink(path);
    return s;
}

#define JOB                                                                                        \
    "jobs = ( { name = \"j\"; stages = ( { id = 0; tasks = 1; task_seconds = 1.0; } ); } );\n"

/* Builds the cluster of a scenario whose cluster group is cluster_body. */
static enum sc_status build(const struct catalog *cat, const char *cluster_body, struct cluster *cl,
                            struct diag *d, char *path, size_t size)
{
    char text[1024];
    snprintf(text, sizeof text, "name = \"t\";\ncluster = {\n%s};\n" JOB, cluster_body);
    struct scenario *s = load_text(text, d, path, size);
    assert_non_null(s);
    enum sc_status st = cluster_build(s, cat, cl, d);
    scenario_free(s);
    return st;
}

/* The pricing page's row for Standard_DS4_v2 (West US 2, Jobs Compute
 * Premium): 1.50 DBU/h, DBU charge 0.450, total 0.908, VM 0.908 - 0.450 =
 * 0.458 $/h. Half an hour of one node on Databricks jobs premium:
 *   VM  0.458 x 0.5          = 0.229
 *   DBU 1.5 x 0.30 x 0.5     = 0.225
 *   total                    = 0.454  (= the page's 0.908 $/h x 0.5 h) */
static void test_ds4_v2_databricks_cost_from_pricing_page_row(void **state)
{
    const struct catalog *cat = *state;
    const struct node_type *n = catalog_find(cat, "Standard_DS4_v2");
    assert_non_null(n);
    const struct node_price *p = catalog_price(cat, n->name, "westus2");
    assert_non_null(p);
    assert_string_equal(p->date, "2023-07-03");
    struct billing_rates r;
    billing_rates_priced(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, n, p, NULL, false, &r);
    double vm, dbu;
    double usd = billing_node_usd(&r, 1800.0, &vm, &dbu);
    assert_close(vm, 0.229);
    assert_close(dbu, 0.225);
    assert_close(usd, 0.454);
    assert_string_equal(r.region, "westus2");
    assert_string_equal(r.price_date, "2023-07-03");
    /* East US has no price for it: the catalog never guessed one. */
    assert_null(catalog_price(cat, n->name, "eastus"));
}

/* The invariant behind "no catalog node a public source prices shows cost
 * unknown": every catalog size with a row on the pricing page has a West
 * US 2 price equal to the page's implied VM price, and a DBU rate, so a
 * Databricks node of it bills a known cost. Read from the shared data
 * file itself, not from our conversion of it. */
static void test_every_catalog_node_on_the_pricing_page_is_priced(void **state)
{
    const struct catalog *cat = *state;
    /* ../shared beside the source tree, or beside a worktree's parent. */
    FILE *f = fopen(ABS_TOP_SRCDIR "/../shared/data/databricks-azure-prices-westus2-2023.tsv", "r");
    if (!f)
        f = fopen(ABS_TOP_SRCDIR "/../../shared/data/databricks-azure-prices-westus2-2023.tsv",
                  "r");
    if (!f)
        skip();
    char line[512];
    size_t checked = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        double vcpus, mem, dbu, dbu_usd, total, vm;
        if (line[0] == '#' || sscanf(line, "%63s %lf %lf %lf %lf %lf %lf", name, &vcpus, &mem, &dbu,
                                     &dbu_usd, &total, &vm) != 7)
            continue;
        const struct node_type *n = catalog_find(cat, name);
        if (!n || strcmp(n->name, name) != 0)
            continue;
        const struct node_price *p = catalog_price(cat, name, "westus2");
        if (!p)
            fail_msg("%s is on the pricing page but has no westus2 price", name);
        assert_close(p->vm_usd_per_hour, vm);
        assert_close(p->dbu_per_hour, dbu);
        assert_false(isnan(n->dbu_per_hour));
        struct billing_rates r;
        billing_rates_priced(PLATFORM_DATABRICKS, PRICING_JOBS, TIER_PREMIUM, n, p, NULL, false,
                             &r);
        /* The page's total per hour back from our billing. */
        assert_true(fabs(billing_node_usd(&r, 3600.0, NULL, NULL) - total) < 0.0011);
        checked++;
    }
    fclose(f);
    /* 48 of the catalog's 55 VM sizes are on the page; the 7 that are
     * not: D4s_v3, D48s_v3, E4s_v3, E20s_v3, E48s_v3, F48s_v2, E20_v3 (the
     * 6 Synapse sizes are not VMs). */
    assert_int_equal(checked, 48);
}

/* Standard_DS3_v2: East US 0.293 (the catalog's column, PRICE-B), West US
 * 2 0.229 (the page: 0.454 - 0.75 x 0.30). */
static void test_region_choice_picks_the_regions_row(void **state)
{
    const struct catalog *cat = *state;
    struct cluster cl;
    struct diag d;
    char path[64];
    assert_int_equal(
        build(cat, "worker = \"Standard_DS3_v2\"; workers = 2;\n", &cl, &d, path, sizeof path),
        SC_OK);
    assert_string_equal(cl.region, "eastus");
    assert_close(cl.worker_rates.vm_usd_per_hour, 0.293);
    assert_string_equal(cl.worker_rates.region, "eastus");
    assert_int_equal(build(cat,
                           "worker = \"Standard_DS3_v2\"; workers = 2; region = \"westus2\";\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    assert_string_equal(cl.region, "westus2");
    assert_close(cl.worker_rates.vm_usd_per_hour, 0.229);
    assert_close(cl.driver_rates.vm_usd_per_hour, 0.229);
    assert_close(cl.worker_rates.dbu_per_hour, 0.75);
    assert_string_equal(cl.worker_rates.price_date, "2023-07-03");
    assert_string_equal(cl.price_note, "");
    /* A scenario's own price still wins over the region's. */
    assert_int_equal(build(cat,
                           "worker = \"Standard_DS3_v2\"; workers = 2; region = \"westus2\";\n"
                           "price = { worker_usd_per_hour = 0.5; };\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    assert_close(cl.worker_rates.vm_usd_per_hour, 0.5);
    assert_null(cl.worker_rates.region);
}

static void test_unknown_region_is_an_error_listing_known_regions(void **state)
{
    const struct catalog *cat = *state;
    struct cluster cl;
    struct diag d;
    char path[64];
    assert_int_equal(build(cat,
                           "worker = \"Standard_DS3_v2\"; workers = 2;\n"
                           "region = \"westeurope\";\n",
                           &cl, &d, path, sizeof path),
                     SC_EINPUT);
    assert_string_equal(d.file, path);
    assert_int_equal(d.line, 4); /* name, cluster = {, worker..., region */
    assert_non_null(strstr(d.msg, "\"westeurope\""));
    assert_non_null(strstr(d.msg, "eastus, westus2"));
    /* A misspelt name is refused by the reader, at its line. */
    struct scenario *s = load_text("name = \"t\";\ncluster = { worker = \"Standard_DS3_v2\"; "
                                   "workers = 2;\n region = \"West US 2\"; };\n" JOB,
                                   &d, path, sizeof path);
    assert_null(s);
    assert_int_equal(d.line, 3);
    assert_non_null(strstr(d.msg, "westus2"));
}

/* Driver Standard_DS13_v2 and workers Standard_DS4_v2 in East US, named:
 * neither has a VM price there; both have one in West US 2. One message
 * names both keys and the region. With no region named, the cluster is
 * priced in West US 2, the first region that prices both, and the rates
 * say so. With Standard_E20s_v3 workers (no price and no DBU rate
 * anywhere) no region prices both: East US, three rates missing, and no
 * region prices them all. */
static void test_every_missing_rate_in_one_message(void **state)
{
    const struct catalog *cat = *state;
    struct cluster cl;
    struct diag d;
    char path[64];
    assert_int_equal(build(cat,
                           "worker = \"Standard_DS4_v2\"; driver = \"Standard_DS13_v2\";\n"
                           "workers = 2; region = \"eastus\";\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    assert_non_null(strstr(cl.price_note, "2 rates in East US"));
    assert_non_null(strstr(cl.price_note, "Standard_DS13_v2 VM price (set "
                                          "cluster.price.driver_usd_per_hour)"));
    assert_non_null(strstr(cl.price_note, "Standard_DS4_v2 VM price (set "
                                          "cluster.price.worker_usd_per_hour)"));
    assert_non_null(strstr(cl.price_note, "cluster.region = \"westus2\""));
    struct cost_result c;
    results_cost(&c, &cl, 600.0, NULL, 0);
    assert_true(isnan(c.total_usd));
    assert_string_equal(c.note, cl.price_note);

    /* No region named: West US 2's prices, the rates say whose. */
    assert_int_equal(build(cat,
                           "worker = \"Standard_DS4_v2\"; driver = \"Standard_DS13_v2\";\n"
                           "workers = 2;\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    assert_string_equal(cl.price_note, "");
    assert_non_null(cl.worker_rates.region);
    assert_string_equal(cl.worker_rates.region, "westus2");
    assert_string_equal(cl.driver_rates.region, "westus2");
    assert_false(isnan(cl.worker_rates.vm_usd_per_hour));
    results_cost(&c, &cl, 600.0, NULL, 0);
    assert_false(isnan(c.total_usd));

    /* A worker price the scenario sets needs no list price: East US, which
     * prices the DS3_v2 driver, stays. */
    assert_int_equal(build(cat,
                           "worker = \"Standard_DS4_v2\"; driver = \"Standard_DS3_v2\";\n"
                           "workers = 2; price = { worker_usd_per_hour = 0.56; };\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    assert_string_equal(cl.region, "eastus");
    assert_string_equal(cl.price_note, "");
    assert_float_equal(cl.worker_rates.vm_usd_per_hour, 0.56, 0.0);

    assert_int_equal(build(cat,
                           "worker = \"Standard_E20s_v3\"; driver = \"Standard_DS13_v2\";\n"
                           "workers = 2;\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    /* No region prices both: East US, and its three missing rates. */
    assert_non_null(strstr(cl.price_note, "3 rates in East US"));
    assert_non_null(strstr(cl.price_note, "cluster.price.driver_usd_per_hour"));
    assert_non_null(strstr(cl.price_note, "cluster.price.worker_usd_per_hour"));
    assert_non_null(strstr(cl.price_note, "cluster.price.worker_dbu_per_hour"));
    assert_null(strstr(cl.price_note, "cluster.region"));
}

/* Synapse, 2 Synapse_Medium workers and the head node: 3 nodes of 8
 * vCores. Start-up 120 s, run 3180 s, the pool's 300 s idle tail: each
 * node billed 3600 s = 1 h.
 *   vCore-hours  3 x 8 x 1            = 24
 *   cost         24 x $0.143          = $3.432, no DBUs
 *   start-up     3 x 8 x 0.143 x 120/3600 = $0.1144 of it */
static void test_synapse_cost_line_in_vcore_hours(void **state)
{
    const struct catalog *cat = *state;
    struct cluster cl;
    struct diag d;
    char path[64];
    assert_int_equal(build(cat,
                           "platform = \"synapse\"; worker = \"Synapse_Medium\";\n"
                           "workers = 2; startup_s = 120;\n",
                           &cl, &d, path, sizeof path),
                     SC_OK);
    struct cost_result c;
    results_cost(&c, &cl, 3180.0, NULL, 0);
    assert_close(c.billed_s, 3600.0);
    assert_close(c.vcore_hours, 24.0);
    assert_close(c.total_usd, 3.432);
    assert_close(c.dbu_usd, 0.0);
    assert_close(c.startup_usd, 0.1144);
    assert_int_equal(c.lines[1].vcores, 8);
    assert_close(c.lines[1].usd_per_vcore_hour, 0.143);
    assert_close(c.lines[1].vcore_hours, 16.0);

    char buf[4096] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(f);
    struct scenario s;
    memset(&s, 0, sizeof s);
    report_cost(f, &s, &cl, &c);
    fclose(f);
    assert_non_null(strstr(buf, "cost: $3.4320 (24 vCore-hours)"));
    assert_non_null(strstr(buf, "8 vCores x $0.143/vCore-h, 16 vCore-h"));
    assert_non_null(strstr(buf, "start-up: $0.1144"));
    assert_non_null(strstr(buf, "prices: Synapse vCore-hour rate"));
    assert_null(strstr(buf, "DBU"));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ds4_v2_databricks_cost_from_pricing_page_row),
        cmocka_unit_test(test_every_catalog_node_on_the_pricing_page_is_priced),
        cmocka_unit_test(test_region_choice_picks_the_regions_row),
        cmocka_unit_test(test_unknown_region_is_an_error_listing_known_regions),
        cmocka_unit_test(test_every_missing_rate_in_one_message),
        cmocka_unit_test(test_synapse_cost_line_in_vcore_hours),
    };
    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
