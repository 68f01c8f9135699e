/*
 * test_platform.c — the platform table: every entry complete, names and
 * aliases unambiguous, and one node-hour on each platform billed as worked
 * out by hand from the shipped catalog's prices (models/azure-nodes.csv).
 * A new platform fails test_each_platform_bills_a_node_hour until it gets a
 * worked case there.
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
#include "models/catalog.h"
#include "models/platform.h"

static int load_catalog(void **state)
{
    struct diag d;
    diag_clear(&d);
    *state = catalog_load(ABS_TOP_SRCDIR "/models/azure-nodes.csv", &d);
    return *state ? 0 : -1;
}

static int free_catalog(void **state)
{
    catalog_free(*state);
    return 0;
}

static bool filled(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static void assert_delay_valid(const struct platform_delay *delay)
{
    assert_true(delay->kind == DIST_FIXED || delay->kind == DIST_LOGNORMAL ||
                delay->kind == DIST_UNIFORM);
    struct dist d = platform_delay_dist(delay);
    assert_null(dist_check(&d));
    assert_true(dist_mean(&d) >= 0.0);
}

static void test_every_entry_is_complete(void **state)
{
    const struct catalog *cat = *state;
    for (int i = 0; i < PLATFORM_COUNT; i++) {
        const struct platform_info *pl = platform_get((enum platform)i);
        assert_non_null(pl);
        assert_int_equal(pl->id, i);
        assert_true(filled(pl->name));
        assert_string_equal(platform_names()[i], pl->name);
        assert_string_equal(platform_name((enum platform)i), pl->name);

        /* Its nodes are in the catalog. */
        assert_true(filled(pl->catalog_family));
        size_t nodes = 0;
        for (size_t n = 0; n < catalog_count(cat); n++)
            nodes += strcmp(catalog_at(cat, n)->platform, pl->catalog_family) == 0;
        assert_true(nodes > 0);

        const struct platform_billing *b = &pl->billing;
        assert_true(b->granularity_s >= 1);
        assert_true(filled(b->source));
        switch (b->basis) {
        case BILL_VM_PRICE_AND_DBU:
            for (int p = 0; p < PRICING_COUNT; p++)
                for (int t = 0; t < TIER_COUNT; t++)
                    assert_true(b->usd_per_dbu[p][t] > 0.0);
            break;
        case BILL_VCORE_HOURS:
            assert_true(b->usd_per_vcore_hour > 0.0);
            assert_true(filled(b->vcore_rate_source));
            break;
        case BILL_VM_PRICE: break;
        default: fail_msg("platform %s: unknown billing basis", pl->name);
        }

        assert_delay_valid(&pl->startup);
        if (pl->startup_large_workers > 0)
            assert_delay_valid(&pl->startup_large);
        assert_true(filled(pl->startup_source));
        assert_delay_valid(&pl->provision);
        assert_true(filled(pl->provision_source));

        assert_true(pl->layout.executors_per_worker >= 1);
        assert_true(pl->layout.executor_cores >= 0);
        if (pl->layout.fixed)
            assert_true(filled(pl->layout.fixed_rule));
        assert_true((unsigned)pl->autoscale_policy < AUTOSCALE_POLICY_COUNT);
        assert_true(pl->idle_after_s >= 0.0);
        assert_true(filled(pl->idle_after_source));
    }
    assert_null(platform_names()[PLATFORM_COUNT]);
    assert_null(platform_get((enum platform)PLATFORM_COUNT));
    assert_string_equal(platform_name((enum platform)PLATFORM_COUNT), "?");
}

/* The importer picks a platform by its log sign and falls back to plain
 * VMs: every other platform needs a sign, with a label for the note, and
 * plain VMs must have none or a log could never fall back to them. */
static void test_log_signs_leave_plain_vms_the_fallback(void **state)
{
    (void)state;
    for (int i = 0; i < PLATFORM_COUNT; i++) {
        const struct platform_log_sign *s = &platform_get((enum platform)i)->log_sign;
        bool has_sign = s->conf_prefix != NULL || s->mention != NULL;
        if (i == PLATFORM_VM) {
            assert_false(has_sign);
            continue;
        }
        assert_true(has_sign);
        assert_true(filled(s->label));
        if (s->mention)
            for (const char *c = s->mention; *c; c++)
                assert_false(*c >= 'A' && *c <= 'Z'); /* values are matched lower-cased */
    }
}

static void test_names_and_aliases_name_one_platform(void **state)
{
    (void)state;
    /* Every name and alias parses back to its own entry, so no word is
     * shared by two platforms. */
    for (int i = 0; i < PLATFORM_COUNT; i++) {
        const struct platform_info *pl = platform_get((enum platform)i);
        enum platform p;
        assert_int_equal(platform_parse(pl->name, &p), 0);
        assert_int_equal(p, i);
        for (size_t a = 0; a < sizeof pl->aliases / sizeof pl->aliases[0] && pl->aliases[a]; a++) {
            assert_int_equal(platform_parse(pl->aliases[a], &p), 0);
            assert_int_equal(p, i);
        }
    }
    enum platform p = PLATFORM_DATABRICKS;
    assert_int_equal(platform_parse("aws", &p), -1);
    assert_int_equal(platform_parse("Databricks", &p), -1);
    assert_null(platform_find(NULL));
}

static void test_scenarios_and_nodes_share_the_vm_words(void **state)
{
    (void)state;
    /* Scenarios say "vm", the catalog and `nodes` say "azure_vm": both name
     * the plain-VM platform, which reports call "vm". */
    enum platform p = PLATFORM_DATABRICKS;
    assert_int_equal(platform_parse("azure_vm", &p), 0);
    assert_int_equal(p, PLATFORM_VM);
    assert_int_equal(platform_parse("vm", &p), 0);
    assert_int_equal(p, PLATFORM_VM);
    assert_string_equal(platform_name(p), "vm");
    assert_string_equal(platform_find("azure_vm")->catalog_family, "azure_vm");
}

/* One node-hour of a worker, by hand from models/azure-nodes.csv. */
struct node_hour_case {
    const char *node;
    double usd; /* NaN: the catalog has no price, so the cost is unknown */
    double dbu_usd;
};

static void test_each_platform_bills_a_node_hour(void **state)
{
    const struct catalog *cat = *state;
    const struct node_hour_case cases[PLATFORM_COUNT] = {
        /* Standard_E8ds_v5: $0.576/h and 2.75 DBU/h; jobs compute, premium
         * tier $0.30/DBU: 0.576 + 2.75 x 0.30 = 0.576 + 0.825 = $1.401. */
        [PLATFORM_DATABRICKS] = {"Standard_E8ds_v5", 1.401, 0.825},
        /* Synapse_Medium: 8 vCores x $0.143/vCore-h = $1.144 (the row has
         * no VM price: Synapse bills vCores). */
        [PLATFORM_SYNAPSE] = {"Synapse_Medium", 1.144, 0.0},
        /* Standard_D12_v2 as an HDInsight node: the catalog gives no price,
         * so the cost is unknown, not guessed. */
        [PLATFORM_HDINSIGHT] = {"Standard_D12_v2", NAN, 0.0},
        /* Standard_DS3_v2: its VM price, $0.293. */
        [PLATFORM_VM] = {"Standard_DS3_v2", 0.293, 0.0},
    };
    for (int i = 0; i < PLATFORM_COUNT; i++) {
        const struct node_hour_case *c = &cases[i];
        assert_non_null(c->node); /* a new platform needs its worked case */
        const struct node_type *n = catalog_find(cat, c->node);
        assert_non_null(n);
        assert_string_equal(n->platform, platform_get((enum platform)i)->catalog_family);
        struct billing_rates r;
        billing_rates_for((enum platform)i, PRICING_JOBS, TIER_PREMIUM, n, NULL, false, &r);
        double vm_usd, dbu_usd;
        double usd = billing_node_usd(&r, 3600.0, &vm_usd, &dbu_usd);
        if (isnan(c->usd)) {
            assert_true(isnan(usd));
        } else {
            assert_float_equal(usd, c->usd, 1e-12);
            assert_float_equal(dbu_usd, c->dbu_usd, 1e-12);
        }
    }
}

static void test_hdinsight_bills_whole_minutes(void **state)
{
    (void)state;
    /* 61 s on HDInsight is billed as 2 minutes (HDI-BILL). */
    struct node_type n;
    memset(&n, 0, sizeof n);
    n.vcpus = 4;
    n.price_usd_per_hour = 0.6;
    struct billing_rates r;
    billing_rates_for(PLATFORM_HDINSIGHT, PRICING_JOBS, TIER_PREMIUM, &n, NULL, false, &r);
    assert_float_equal(billing_billed_seconds(&r, 61.0), 120.0, 1e-12);
}

static void test_synapse_starts_slower_from_60_workers(void **state)
{
    (void)state;
    /* Medians about 2 min below 60 nodes and 5 min from 60 (SYN-OVR): a
     * lognormal's median is exp(mu). */
    const char *src = NULL;
    struct dist d = platform_startup_dist(PLATFORM_SYNAPSE, 59, &src);
    assert_int_equal(d.kind, DIST_LOGNORMAL);
    assert_float_equal(exp(d.p1), 120.0, 1e-9);
    assert_float_equal(d.p2, 0.25, 1e-12);
    assert_non_null(strstr(src, "SYN-OVR"));
    d = platform_startup_dist(PLATFORM_SYNAPSE, 60, NULL);
    assert_float_equal(exp(d.p1), 300.0, 1e-9);
    /* A plain VM cluster is already running. */
    d = platform_startup_dist(PLATFORM_VM, 4, NULL);
    assert_int_equal(d.kind, DIST_FIXED);
    assert_float_equal(d.p1, 0.0, 0.0);
}

static void test_policy_brings_its_platform_provisioning(void **state)
{
    (void)state;
    /* Synapse scales in 1-5 min (SYN-AUTO): uniform 60..300 s; Databricks
     * takes its cluster create time, lognormal of median 145 s. */
    assert_int_equal(autoscale_policy_platform(AUTOSCALE_POLICY_SYNAPSE), PLATFORM_SYNAPSE);
    struct dist d = platform_provision_dist(autoscale_policy_platform(AUTOSCALE_POLICY_SYNAPSE));
    assert_int_equal(d.kind, DIST_UNIFORM);
    assert_float_equal(d.p1, 60.0, 0.0);
    assert_float_equal(d.p2, 300.0, 0.0);
    d = platform_provision_dist(autoscale_policy_platform(AUTOSCALE_POLICY_DATABRICKS));
    assert_int_equal(d.kind, DIST_LOGNORMAL);
    assert_float_equal(exp(d.p1), 145.0, 1e-9);
    assert_string_equal(autoscale_policy_name(AUTOSCALE_POLICY_SYNAPSE), "synapse");
    assert_null(autoscale_policy_names()[AUTOSCALE_POLICY_COUNT]);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry_is_complete),
        cmocka_unit_test(test_log_signs_leave_plain_vms_the_fallback),
        cmocka_unit_test(test_names_and_aliases_name_one_platform),
        cmocka_unit_test(test_scenarios_and_nodes_share_the_vm_words),
        cmocka_unit_test(test_each_platform_bills_a_node_hour),
        cmocka_unit_test(test_hdinsight_bills_whole_minutes),
        cmocka_unit_test(test_synapse_starts_slower_from_60_workers),
        cmocka_unit_test(test_policy_brings_its_platform_provisioning),
    };
    return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
