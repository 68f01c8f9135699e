/*
 * test_catalog.c — the node catalog (models/catalog.c) and its listing
 * (sim/output/nodes.c): the shipped data file reads back with the figures of the
 * shared reference CSV, lookups forgive case and the "Standard_" prefix, and
 * a malformed file is refused with the file and line of the fault.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/catalog.h"
#include "models/diag.h"
#include "sim/output/nodes.h"

#define assert_close(a, b) assert_true(fabs((a) - (b)) < 1e-9)

struct fixture {
    char dir[256];       /* scratch directory for malformed catalogs */
    char shipped[1024];  /* models/azure-nodes.csv in the source tree */
    char shared[1024];   /* ../shared/data/azure-nodes.csv, may be absent */
    struct catalog *cat; /* the shipped catalog, loaded once */
};

static const char *source_dir(void)
{
    const char *s = getenv("SRCDIR");
    if (s != NULL && s[0] != '\0')
        return s;
#ifdef ABS_TOP_SRCDIR
    return ABS_TOP_SRCDIR;
#else
    return ".";
#endif
}

static int group_setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/test_catalog.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->shipped, sizeof fx->shipped, "%s/models/azure-nodes.csv", source_dir());
    snprintf(fx->shared, sizeof fx->shared, "%s/../shared/data/azure-nodes.csv", source_dir());
    struct diag d;
    diag_clear(&d);
    fx->cat = catalog_load(fx->shipped, &d);
    if (fx->cat == NULL) {
        char buf[1100];
        fprintf(stderr, "cannot load the shipped catalog: %s\n", diag_format(&d, buf, sizeof buf));
        rmdir(fx->dir);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *fx = *state;
    /* Tests remove their files, but one that fails midway leaves its file. */
    DIR *dp = opendir(fx->dir);
    if (dp != NULL) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[600];
            snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
            unlink(p);
        }
        closedir(dp);
    }
    rmdir(fx->dir);
    catalog_free(fx->cat);
    free(fx);
    return 0;
}

/* Writes text to a file in the scratch directory; returns its path in p. */
static void write_file(const struct fixture *fx, const char *name, const char *text, char *p,
                       size_t size)
{
    snprintf(p, size, "%s/%s", fx->dir, name);
    FILE *fp = fopen(p, "wb");
    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
}

/* Loads text as a catalog file that must fail; returns the diagnostic. */
static struct diag load_bad(const struct fixture *fx, const char *name, const char *text)
{
    char p[600];
    write_file(fx, name, text, p, sizeof p);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load(p, &d);
    assert_null(cat);
    assert_int_not_equal(d.status, SC_OK);
    assert_string_equal(d.file, p);
    unlink(p);
    return d;
}

static const char header[] = "name,platform,vcpus,memory_gib,local_ssd_gib,local_ssd_mbps,"
                             "network_mbps,acu_per_vcpu,cpu,linux_usd_per_hour_eastus,"
                             "dbu_per_hour,notes\n";

/* Counts data records of a CSV file without the catalog's reader: a record
 * ends at a newline outside quotes; comment and blank lines do not count,
 * nor does the header. -1 if the file cannot be read. */
static long count_data_rows(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return -1;
    long records = 0;
    int in_quotes = 0, line_start = 1, comment = 0, content = 0, c;
    while ((c = getc(fp)) != EOF) {
        if (line_start && !in_quotes)
            comment = c == '#';
        line_start = 0;
        if (c == '"')
            in_quotes = !in_quotes;
        if (c == '\n' && !in_quotes) {
            if (content && !comment)
                records++;
            line_start = 1;
            content = 0;
        } else if (c != '\r' && c != ' ') {
            content = 1;
        }
    }
    if (content && !comment)
        records++;
    fclose(fp);
    return records - 1;
}

/* ---- the shipped catalog ----------------------------------------------- */

static void test_shipped_catalog_keeps_every_shared_row(void **state)
{
    struct fixture *fx = *state;
    long shared_rows = count_data_rows(fx->shared);
    if (shared_rows < 0)
        skip(); /* outside the project tree (a dist tarball): nothing to compare */
    /* 61 rows when this was written: 47 Azure VMs, 8 HDInsight, 6 Synapse. */
    assert_int_equal(catalog_count(fx->cat), (size_t)shared_rows);
    assert_int_equal(count_data_rows(fx->shipped), shared_rows);
}

static void test_ds3_v2_has_published_figures(void **state)
{
    struct fixture *fx = *state;
    /* Shared CSV: Standard_DS3_v2,azure_vm,4,14,28,128,3000,210-250,...,0.293,0.75 */
    const struct node_type *n = catalog_find(fx->cat, "Standard_DS3_v2");
    assert_non_null(n);
    assert_string_equal(n->platform, "azure_vm");
    assert_int_equal(n->vcpus, 4);
    assert_close(n->memory_gib, 14);
    assert_close(n->local_ssd_gib, 28);
    assert_close(n->local_ssd_mbps, 128);
    assert_close(n->network_mbps, 3000);
    assert_close(n->price_usd_per_hour, 0.293);
    assert_close(n->dbu_per_hour, 0.75);
    assert_non_null(strstr(n->cpu, "8370C"));
    assert_non_null(strstr(n->notes, "DBU-A and DBU-B agree"));
}

static void test_empty_price_is_nan(void **state)
{
    struct fixture *fx = *state;
    /* DS4_v2: price column empty (no East US source), DBU 1.5. */
    const struct node_type *n = catalog_find(fx->cat, "Standard_DS4_v2");
    assert_non_null(n);
    assert_true(isnan(n->price_usd_per_hour));
    assert_close(n->dbu_per_hour, 1.5);
    /* Synapse sizes: only vCPUs and memory are known. */
    n = catalog_find(fx->cat, "Synapse_Small");
    assert_non_null(n);
    assert_int_equal(n->vcpus, 4);
    assert_true(isnan(n->local_ssd_gib));
    assert_true(isnan(n->network_mbps));
    assert_true(isnan(n->acu_min) && isnan(n->acu_max));
    assert_true(isnan(node_type_acu_mid(n)));
    assert_int_equal(n->cpu[0], '\0');
    /* A zero is a figure, not an unknown: D8s_v5 has no temp disk. */
    n = catalog_find(fx->cat, "Standard_D8s_v5");
    assert_non_null(n);
    assert_close(n->local_ssd_gib, 0);
    assert_true(isnan(n->local_ssd_mbps));
}

static void test_acu_range_parses_to_min_max(void **state)
{
    struct fixture *fx = *state;
    /* DS3_v2 "210-250": midpoint 230, relative to ACU 100 -> 2.3. */
    const struct node_type *n = catalog_find(fx->cat, "Standard_DS3_v2");
    assert_close(n->acu_min, 210);
    assert_close(n->acu_max, 250);
    assert_close(node_type_acu_mid(n), 2.3);

    char p[600], text[2048];
    snprintf(text, sizeof text,
             "%sA,azure_vm,2,4,8,16,1000,195,,,,\n"
             "B,azure_vm,2,4,8,16,1000, 160 - 190 ,,,,\n",
             header);
    write_file(fx, "acu.csv", text, p, sizeof p);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load(p, &d);
    assert_non_null(cat);
    n = catalog_find(cat, "A");
    assert_close(n->acu_min, 195);
    assert_close(n->acu_max, 195);
    n = catalog_find(cat, "B");
    assert_close(n->acu_min, 160);
    assert_close(n->acu_max, 190);
    catalog_free(cat);
    unlink(p);

    /* A range written backwards is a typo, not a range. */
    snprintf(text, sizeof text, "%sA,azure_vm,2,4,8,16,1000,250-210,,,,\n", header);
    d = load_bad(fx, "acu-bad.csv", text);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "acu_per_vcpu"));
    assert_non_null(strstr(d.msg, "250-210"));
}

static void test_quoted_notes_keep_their_commas(void **state)
{
    struct fixture *fx = *state;
    /* L8s_v2's notes are quoted because they hold commas; the price before
     * them must still land in its own column. */
    const struct node_type *n = catalog_find(fx->cat, "Standard_L8s_v2");
    assert_non_null(n);
    assert_close(n->price_usd_per_hour, 0.624);
    assert_close(n->dbu_per_hour, 2);
    assert_non_null(strstr(n->notes, "1x1.92 TB NVMe, NVMe read"));
    assert_int_not_equal(n->notes[0], '"');

    /* A quoted field may hold doubled quotes and a newline; the next row's
     * line number counts that newline (header 1, A 2-3, bad row 4). */
    char text[2048];
    snprintf(text, sizeof text,
             "%sA,azure_vm,2,4,8,16,1000,,,,,\"a \"\"quoted\"\" word,\nand a new line\"\n"
             "B,azure_vm,two,4,8,16,1000,,,,,\n",
             header);
    struct diag d = load_bad(fx, "multiline.csv", text);
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 4);
}

/* ---- lookups ------------------------------------------------------------ */

static void test_find_ignores_case_and_prefix(void **state)
{
    struct fixture *fx = *state;
    const struct node_type *ds3 = catalog_find(fx->cat, "Standard_DS3_v2");
    assert_non_null(ds3);
    assert_ptr_equal(catalog_find(fx->cat, "standard_ds3_v2"), ds3);
    assert_ptr_equal(catalog_find(fx->cat, "DS3_v2"), ds3);
    assert_ptr_equal(catalog_find(fx->cat, "ds3_v2"), ds3);
    assert_ptr_equal(catalog_find(fx->cat, "Synapse_Small"),
                     catalog_find(fx->cat, "synapse_small"));
    assert_null(catalog_find(fx->cat, "DS3_v9"));
    assert_null(catalog_find(fx->cat, ""));
    assert_null(catalog_find(fx->cat, NULL));
}

static void test_suggest_puts_nearest_first(void **state)
{
    struct fixture *fx = *state;
    const char *out[5];
    /* One substitution away from Standard_DS3_v2, two or more from the rest. */
    size_t n = catalog_suggest(fx->cat, "Standard_DS3_v9", out, 5);
    assert_true(n >= 1);
    assert_string_equal(out[0], "Standard_DS3_v2");
    /* Typed without the prefix, the prefixless name is compared. */
    n = catalog_suggest(fx->cat, "ds3_v9", out, 5);
    assert_true(n >= 1);
    assert_string_equal(out[0], "Standard_DS3_v2");
    /* Nothing near: no suggestion rather than a random one. */
    assert_int_equal(catalog_suggest(fx->cat, "completely-unrelated-machine", out, 5), 0);
    assert_int_equal(catalog_suggest(fx->cat, "ds3_v9", out, 0), 0);
}

static void test_suggest_ties_keep_catalog_order(void **state)
{
    struct fixture *fx = *state;
    char p[600], text[2048];
    snprintf(text, sizeof text,
             "%sbox_x2,azure_vm,2,4,,,,,,,,\nbox_x1,azure_vm,1,2,,,,,,,,\n"
             "box_y33,azure_vm,3,6,,,,,,,,\n",
             header);
    write_file(fx, "ties.csv", text, p, sizeof p);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load(p, &d);
    assert_non_null(cat);
    /* box_x3 is one edit from box_x2 and box_x1 (file order: x2 first) and
     * two from box_y33. */
    const char *out[2];
    assert_int_equal(catalog_suggest(cat, "BOX_X3", out, 2), 2);
    assert_string_equal(out[0], "box_x2");
    assert_string_equal(out[1], "box_x1");
    catalog_free(cat);
    unlink(p);
}

/* ---- malformed files ----------------------------------------------------- */

static void test_word_for_vcpus_fails_on_its_line(void **state)
{
    struct fixture *fx = *state;
    char text[2048];
    /* Comment line 1, header 2, good row 3, bad row 4. */
    snprintf(text, sizeof text,
             "# a test catalog\n%s"
             "Standard_A,azure_vm,4,14,28,128,3000,210-250,,0.3,0.75,\n"
             "Standard_B,azure_vm,four,14,28,128,3000,210-250,,0.3,0.75,\n",
             header);
    struct diag d = load_bad(fx, "vcpus.csv", text);
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 4);
    assert_non_null(strstr(d.msg, "vcpus"));
    assert_non_null(strstr(d.msg, "four"));

    snprintf(text, sizeof text, "%sStandard_A,azure_vm,0,14,,,,,,,,\n", header);
    d = load_bad(fx, "vcpus0.csv", text);
    assert_int_equal(d.line, 2);
}

static void test_bad_figure_names_its_column(void **state)
{
    struct fixture *fx = *state;
    char text[2048];
    snprintf(text, sizeof text, "%sStandard_A,azure_vm,4,14GB,28,128,3000,,,,,\n", header);
    struct diag d = load_bad(fx, "memory.csv", text);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "memory_gib"));

    snprintf(text, sizeof text, "%sStandard_A,azure_vm,4,14,28,128,3000,,,-0.2,,\n", header);
    d = load_bad(fx, "price.csv", text);
    assert_non_null(strstr(d.msg, "linux_usd_per_hour_eastus"));

    snprintf(text, sizeof text, "%sStandard_A,azure_vm,4,14,28,128,nan,,,,,\n", header);
    d = load_bad(fx, "nan.csv", text);
    assert_non_null(strstr(d.msg, "network_mbps"));
}

static void test_missing_column_is_named(void **state)
{
    struct fixture *fx = *state;
    const char text[] = "\n# header on line 3\n"
                        "name,platform,vcpus,memory_gib,local_ssd_gib,local_ssd_mbps,"
                        "network_mbps,acu_per_vcpu,linux_usd_per_hour_eastus\n"
                        "Standard_A,azure_vm,4,14,28,128,3000,,0.3\n";
    struct diag d = load_bad(fx, "columns.csv", text);
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 3);
    assert_non_null(strstr(d.msg, "dbu_per_hour"));
    /* cpu and notes are optional: not named. */
    assert_null(strstr(d.msg, "notes"));
}

static void test_missing_file_is_enoent(void **state)
{
    struct fixture *fx = *state;
    char p[600];
    snprintf(p, sizeof p, "%s/not-there.csv", fx->dir);
    struct diag d;
    diag_clear(&d);
    assert_null(catalog_load(p, &d));
    assert_int_equal(d.status, SC_ENOENT);
    assert_string_equal(d.file, p);
    assert_int_equal(d.line, 0);
}

static void test_wrong_field_count_is_refused(void **state)
{
    struct fixture *fx = *state;
    char text[2048];
    snprintf(text, sizeof text, "%sStandard_A,azure_vm,4,14,28,128,3000,,,,\n", header);
    struct diag d = load_bad(fx, "short.csv", text);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "11 fields"));
}

static void test_unterminated_quote_names_its_line(void **state)
{
    struct fixture *fx = *state;
    char text[2048];
    snprintf(text, sizeof text,
             "%sStandard_A,azure_vm,4,14,,,,,,,,ok\n"
             "Standard_B,azure_vm,4,14,,,,,,,,\"never closed\nmore\n",
             header);
    struct diag d = load_bad(fx, "quote.csv", text);
    assert_int_equal(d.status, SC_EINPUT);
    assert_int_equal(d.line, 3);
}

static void test_duplicate_name_is_refused(void **state)
{
    struct fixture *fx = *state;
    char text[2048];
    /* catalog_find falls back to any letter case, so case-only twins clash. */
    snprintf(text, sizeof text,
             "%sStandard_A,azure_vm,4,14,,,,,,,,\nStandard_B,azure_vm,4,14,,,,,,,,\n"
             "standard_a,azure_vm,8,28,,,,,,,,\n",
             header);
    struct diag d = load_bad(fx, "dup.csv", text);
    assert_int_equal(d.line, 4);
    assert_non_null(strstr(d.msg, "line 2"));
}

static void test_absurd_record_is_refused(void **state)
{
    struct fixture *fx = *state;
    size_t big = 200 * 1024;
    char *text = malloc(sizeof header + big + 2);
    assert_non_null(text);
    memcpy(text, header, sizeof header - 1);
    memset(text + sizeof header - 1, 'x', big);
    strcpy(text + sizeof header - 1 + big, "\n");
    struct diag d = load_bad(fx, "long.csv", text);
    free(text);
    assert_int_equal(d.status, SC_ELIMIT);
    assert_int_equal(d.line, 2);
}

static void test_empty_file_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct diag d = load_bad(fx, "empty.csv", "# only a comment\n\n");
    assert_int_equal(d.status, SC_EINPUT);
    char text[1024];
    snprintf(text, sizeof text, "%s", header);
    d = load_bad(fx, "header-only.csv", text);
    assert_int_equal(d.status, SC_EINPUT);
}

/* ---- tolerated variations ------------------------------------------------ */

static void test_crlf_bom_and_extra_columns_are_read(void **state)
{
    struct fixture *fx = *state;
    /* Columns reordered, an unknown "region" column, no cpu/notes columns,
     * CRLF line ends, a BOM, a blank line and a comment between rows. */
    const char text[] = "\xEF\xBB\xBFregion,vcpus,name,platform,memory_gib,local_ssd_gib,"
                        "local_ssd_mbps,network_mbps,acu_per_vcpu,dbu_per_hour,"
                        "linux_usd_per_hour_eastus\r\n"
                        "eastus,4,Standard_X,azure_vm,16,32,64,2000,160-190,,0.192\r\n"
                        "\r\n# comment\r\n"
                        "eastus,8,Standard_Y,hdinsight,32,,,4000,,1.5,\r\n";
    char p[600];
    write_file(fx, "crlf.csv", text, p, sizeof p);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load(p, &d);
    assert_non_null(cat);
    assert_int_equal(catalog_count(cat), 2);
    assert_string_equal(catalog_path(cat), p);
    const struct node_type *x = catalog_at(cat, 0);
    assert_string_equal(x->name, "Standard_X");
    assert_int_equal(x->vcpus, 4);
    assert_close(x->price_usd_per_hour, 0.192);
    assert_true(isnan(x->dbu_per_hour));
    const struct node_type *y = catalog_at(cat, 1);
    assert_string_equal(y->platform, "hdinsight");
    assert_true(isnan(y->price_usd_per_hour));
    assert_true(isnan(y->local_ssd_gib));
    assert_close(y->dbu_per_hour, 1.5);
    assert_null(catalog_at(cat, 2));
    catalog_free(cat);
    unlink(p);
}

/* $STAGECAST_CATALOG is the CLI's (tests/test_cli.c); the library finds
 * the shipped catalog. */
/* A prices file beside the catalog adds rows for other regions; a second
 * row for a node and region, or a malformed region, is refused at its
 * line; rows for sizes the catalog lacks are skipped. */
static void test_prices_file_beside_the_catalog(void **state)
{
    struct fixture *fx = *state;
    char cpath[600], ppath[600];
    write_file(fx, "azure-nodes.csv",
               "name,platform,vcpus,memory_gib,local_ssd_gib,local_ssd_mbps,network_mbps,"
               "acu_per_vcpu,linux_usd_per_hour_eastus,dbu_per_hour\n"
               "Standard_X4,azure_vm,4,16,32,64,2000,,0.2,\n",
               cpath, sizeof cpath);
    write_file(fx, "azure-prices.csv",
               "# test\nnode,region,vm_usd_per_hour,dbu_per_hour,source,date\n"
               "Standard_X4,westus2,0.25,1.5,page,2023-07-03\n"
               "Standard_Other,westus2,9,9,page,2023-07-03\n",
               ppath, sizeof ppath);
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load(cpath, &d);
    assert_non_null(cat);
    assert_string_equal(catalog_prices_path(cat), ppath);
    const struct node_price *p = catalog_price(cat, "Standard_X4", "westus2");
    assert_non_null(p);
    assert_close(p->vm_usd_per_hour, 0.25);
    assert_int_equal(p->line, 3);
    assert_close(catalog_price(cat, "Standard_X4", "eastus")->vm_usd_per_hour, 0.2);
    assert_null(catalog_price(cat, "Standard_Other", "westus2"));
    /* The DBU rate the catalog row lacked comes from the prices row. */
    assert_close(catalog_find(cat, "Standard_X4")->dbu_per_hour, 1.5);
    char regions[64];
    catalog_regions(cat, regions, sizeof regions);
    assert_string_equal(regions, "eastus, westus2");
    catalog_free(cat);

    write_file(fx, "azure-prices.csv",
               "node,region,vm_usd_per_hour,dbu_per_hour,source,date\n"
               "Standard_X4,eastus,0.3,,other,\n",
               ppath, sizeof ppath);
    diag_clear(&d);
    cat = catalog_load(cpath, &d);
    assert_null(cat);
    assert_string_equal(d.file, ppath);
    assert_int_equal(d.line, 2);
    assert_non_null(strstr(d.msg, "priced twice"));

    write_file(fx, "azure-prices.csv",
               "node,region,vm_usd_per_hour,dbu_per_hour,source,date\n"
               "Standard_X4,West US 2,0.3,,page,\n",
               ppath, sizeof ppath);
    diag_clear(&d);
    cat = catalog_load(cpath, &d);
    assert_null(cat);
    assert_int_equal(d.line, 2);
    if (!strstr(d.msg, "is not an Azure region name"))
        fail_msg("%s", d.msg);
    unlink(ppath);
    unlink(cpath);
}

static void test_load_default_finds_the_shipped_catalog(void **state)
{
    (void)state;
    struct diag d;
    diag_clear(&d);
    struct catalog *cat = catalog_load_default(&d);
#ifdef ABS_TOP_SRCDIR
    /* The source tree's copy is the last place searched. */
    assert_non_null(cat);
    assert_true(catalog_count(cat) > 0);
#else
    if (cat == NULL)
        assert_int_equal(d.status, SC_ENOENT);
#endif
    catalog_free(cat);
}

/* ---- the `nodes` listing ------------------------------------------------- */

static char *capture_table(const struct catalog *cat, const char *filter)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    nodes_print(fp, cat, filter);
    assert_int_equal(fclose(fp), 0);
    return buf;
}

static void test_nodes_table_marks_unknowns(void **state)
{
    struct fixture *fx = *state;
    char *all = capture_table(fx->cat, NULL);
    /* DS3_v2: 3000 Mbps -> "3" Gbps, ACU range kept, price and DBU shown. */
    char *line = strstr(all, "Standard_DS3_v2 ");
    assert_non_null(line);
    char *eol = strchr(line, '\n');
    assert_non_null(eol);
    *eol = '\0';
    assert_non_null(strstr(line, "210-250"));
    assert_non_null(strstr(line, "0.293"));
    assert_non_null(strstr(line, "0.75"));
    *eol = '\n';
    assert_non_null(strstr(all, "cluster.price"));
    assert_non_null(strstr(all, catalog_path(fx->cat)));
    free(all);

    char *syn = capture_table(fx->cat, "synapse");
    assert_null(strstr(syn, "Standard_DS3_v2"));
    line = strstr(syn, "Synapse_Small ");
    assert_non_null(line);
    eol = strchr(line, '\n');
    *eol = '\0';
    assert_non_null(strstr(line, " -"));
    /* Its node-hour is its 4 vCores at Synapse's $0.143/vCore-h: 4 x 0.143
     * = 0.572, marked v (a vCore price, the same in every region), in
     * both region columns; not "-", which would read as unknown. */
    {
        int vcells = 0;
        for (const char *q = line; (q = strstr(q, " 0.572v")) != NULL; q++)
            vcells++;
        assert_int_equal(vcells, 2);
    }
    /* Every table line (header included) has the same length up to the
     * right-aligned last column. */
    size_t width = (size_t)(strchr(syn, '\n') - syn);
    assert_int_equal(strlen(line), width);
    free(syn);

    char *none = capture_table(fx->cat, "no_such_platform");
    assert_non_null(strstr(none, "0 node types"));
    free(none);
}

static void test_nodes_json_uses_null_for_unknowns(void **state)
{
    struct fixture *fx = *state;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(nodes_print_json(fp, fx->cat), SC_OK);
    assert_int_equal(fclose(fp), 0);
    json_error_t err;
    json_t *root = json_loads(buf, 0, &err);
    free(buf);
    assert_non_null(root);
    json_t *nodes = json_object_get(root, "nodes");
    assert_int_equal(json_array_size(nodes), catalog_count(fx->cat));
    int seen = 0;
    for (size_t i = 0; i < json_array_size(nodes); i++) {
        json_t *n = json_array_get(nodes, i);
        const char *name = json_string_value(json_object_get(n, "name"));
        if (strcmp(name, "Standard_DS3_v2") == 0) {
            assert_close(json_real_value(json_object_get(n, "price_usd_per_hour")), 0.293);
            assert_int_equal(json_integer_value(json_object_get(n, "vcpus")), 4);
            seen++;
        } else if (strcmp(name, "Standard_DS4_v2") == 0) {
            assert_true(json_is_null(json_object_get(n, "price_usd_per_hour")));
            seen++;
        } else if (strcmp(name, "Synapse_Medium") == 0) {
            /* 8 vCores x $0.143/vCore-h = $1.144 per node-hour. */
            assert_close(json_real_value(json_object_get(n, "usd_per_vcore_hour")), 0.143);
            assert_close(json_real_value(json_object_get(n, "vcore_usd_per_node_hour")), 1.144);
            assert_true(json_is_null(json_object_get(n, "price_usd_per_hour")));
            seen++;
        } else if (strcmp(json_string_value(json_object_get(n, "platform")), "synapse") != 0) {
            assert_null(json_object_get(n, "vcore_usd_per_node_hour")); /* VMs: no vCore rate */
        }
    }
    assert_int_equal(seen, 3);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_catalog_keeps_every_shared_row),
        cmocka_unit_test(test_ds3_v2_has_published_figures),
        cmocka_unit_test(test_empty_price_is_nan),
        cmocka_unit_test(test_acu_range_parses_to_min_max),
        cmocka_unit_test(test_quoted_notes_keep_their_commas),
        cmocka_unit_test(test_find_ignores_case_and_prefix),
        cmocka_unit_test(test_suggest_puts_nearest_first),
        cmocka_unit_test(test_suggest_ties_keep_catalog_order),
        cmocka_unit_test(test_word_for_vcpus_fails_on_its_line),
        cmocka_unit_test(test_bad_figure_names_its_column),
        cmocka_unit_test(test_missing_column_is_named),
        cmocka_unit_test(test_missing_file_is_enoent),
        cmocka_unit_test(test_wrong_field_count_is_refused),
        cmocka_unit_test(test_unterminated_quote_names_its_line),
        cmocka_unit_test(test_duplicate_name_is_refused),
        cmocka_unit_test(test_absurd_record_is_refused),
        cmocka_unit_test(test_empty_file_is_refused),
        cmocka_unit_test(test_crlf_bom_and_extra_columns_are_read),
        cmocka_unit_test(test_prices_file_beside_the_catalog),
        cmocka_unit_test(test_load_default_finds_the_shipped_catalog),
        cmocka_unit_test(test_nodes_table_marks_unknowns),
        cmocka_unit_test(test_nodes_json_uses_null_for_unknowns),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
