/*
 * nodes.c — `stagecast nodes`: shows the node catalog (models/catalog.h) so a
 * user can pick a node size for a scenario, as an aligned table or as JSON.
 * It sits beside the simulation flow, not in it: it only reads the catalog.
 *
 * Unknown figures stay visibly unknown ("-" or null): the catalog never
 * guesses a figure and neither does its listing.
 */
#include "sim/output/nodes.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "models/diag.h"
#include "models/platform.h"

/* The fixed columns, then one price column per region the catalog prices
 * (up to NODES_MAX_REGIONS), then DBUs. */
enum nodes_col {
    NC_NAME,
    NC_PLATFORM,
    NC_VCPUS,
    NC_MEMORY,
    NC_SSD_GIB,
    NC_SSD_MBPS,
    NC_NETWORK,
    NC_ACU,
    NC_FIXED
};
#define NODES_MAX_REGIONS 6
#define NC_MAX (NC_FIXED + NODES_MAX_REGIONS + 1)

static const char *const col_titles[NC_FIXED] = {
    "NAME", "PLATFORM", "VCPUS", "MEM_GiB", "SSD_GiB", "SSD_MB/s", "NET_Gbps", "ACU/vCPU",
};

/* A cell is at most a name (63 characters) or a short number. */
#define CELL_SIZE 72

struct nodes_layout {
    const char *regions[NODES_MAX_REGIONS];
    int n_regions;
    int n_cols; /* NC_FIXED + n_regions + 1 (DBU) */
};

static void layout_init(struct nodes_layout *lay, const struct catalog *cat)
{
    lay->n_regions = 0;
    const char *rg;
    for (size_t i = 0; lay->n_regions < NODES_MAX_REGIONS && (rg = catalog_region_at(cat, i)); i++)
        lay->regions[lay->n_regions++] = rg;
    lay->n_cols = NC_FIXED + lay->n_regions + 1;
}

static void fmt_figure(char cell[CELL_SIZE], double v)
{
    if (isnan(v))
        snprintf(cell, CELL_SIZE, "-");
    else
        snprintf(cell, CELL_SIZE, "%g", v);
}

static void fmt_titles(char cells[NC_MAX][CELL_SIZE], const struct nodes_layout *lay)
{
    for (int c = 0; c < NC_FIXED; c++)
        snprintf(cells[c], CELL_SIZE, "%s", col_titles[c]);
    for (int k = 0; k < lay->n_regions; k++)
        snprintf(cells[NC_FIXED + k], CELL_SIZE, "USD/h %s", lay->regions[k]);
    snprintf(cells[lay->n_cols - 1], CELL_SIZE, "DBU/h");
}

/* What one node-hour of n costs when its platform bills vCore-hours
 * (Synapse): its vCores at the platform's rate; NaN for any other node. */
static double vcore_node_hour_usd(const struct node_type *n)
{
    const struct platform_info *syn = platform_get(PLATFORM_SYNAPSE);
    if (strcasecmp(n->platform, syn->catalog_family) != 0 || n->vcpus <= 0 ||
        isnan(syn->billing.usd_per_vcore_hour))
        return NAN;
    /* Rounded to the tenth of a cent, as the table shows prices. */
    return round(n->vcpus * syn->billing.usd_per_vcore_hour * 1000.0) / 1000.0;
}

static void fmt_row(char cells[NC_MAX][CELL_SIZE], const struct nodes_layout *lay,
                    const struct catalog *cat, const struct node_type *n)
{
    snprintf(cells[NC_NAME], CELL_SIZE, "%s", n->name);
    snprintf(cells[NC_PLATFORM], CELL_SIZE, "%s", n->platform);
    snprintf(cells[NC_VCPUS], CELL_SIZE, "%d", n->vcpus);
    fmt_figure(cells[NC_MEMORY], n->memory_gib);
    fmt_figure(cells[NC_SSD_GIB], n->local_ssd_gib);
    fmt_figure(cells[NC_SSD_MBPS], n->local_ssd_mbps);
    /* The catalog keeps Azure's Mbit/s; Gbit/s reads better in a table. */
    fmt_figure(cells[NC_NETWORK], n->network_mbps / 1000.0);
    if (isnan(n->acu_min))
        snprintf(cells[NC_ACU], CELL_SIZE, "-");
    else if (n->acu_min == n->acu_max)
        snprintf(cells[NC_ACU], CELL_SIZE, "%g", n->acu_min);
    else
        snprintf(cells[NC_ACU], CELL_SIZE, "%g-%g", n->acu_min, n->acu_max);
    /* A Synapse pool's node-hour is its vCores at the platform's vCore-hour
     * rate, the same in every region; 'v' marks it (not a VM price). */
    double vcore_usd = vcore_node_hour_usd(n);
    for (int k = 0; k < lay->n_regions; k++) {
        const struct node_price *p = catalog_price(cat, n->name, lay->regions[k]);
        if (!p && !isnan(vcore_usd)) {
            snprintf(cells[NC_FIXED + k], CELL_SIZE, "%gv", vcore_usd);
            continue;
        }
        fmt_figure(cells[NC_FIXED + k], p ? p->vm_usd_per_hour : NAN);
    }
    /* A '*' marks a DBU rate the catalog row lacked and a price row gave. */
    char *dbu = cells[lay->n_cols - 1];
    fmt_figure(dbu, n->dbu_per_hour);
    if (n->dbu_source[0] && strlen(dbu) + 1 < CELL_SIZE)
        strcat(dbu, "*");
}

/* Rows are matched on the catalog's platform column, which names the node
 * family a platform's clusters are built from (models/platform.h). */
static int platform_matches(const struct node_type *n, const char *filter)
{
    if (filter == NULL)
        return 1;
    const struct platform_info *pl = platform_find(filter);
    return pl != NULL && strcasecmp(n->platform, pl->catalog_family) == 0;
}

static void print_line(FILE *out, char cells[NC_MAX][CELL_SIZE], const int width[NC_MAX],
                       int n_cols)
{
    for (int c = 0; c < n_cols; c++) {
        const char *sep = c == 0 ? "" : "  ";
        /* Text columns flush left, figures flush right so digits line up. */
        if (c == NC_NAME || c == NC_PLATFORM)
            fprintf(out, "%s%-*s", sep, width[c], cells[c]);
        else
            fprintf(out, "%s%*s", sep, width[c], cells[c]);
    }
    fputc('\n', out);
}

/* One line per region: where its prices come from and as of when (the
 * source and date all its rows share, or "several"). */
static void print_price_sources(FILE *out, const struct catalog *cat,
                                const struct nodes_layout *lay)
{
    for (int k = 0; k < lay->n_regions; k++) {
        const struct node_price *first = NULL;
        bool same_source = true, same_date = true;
        for (size_t i = 0; i < catalog_price_count(cat); i++) {
            const struct node_price *p = catalog_price_at(cat, i);
            if (strcmp(p->region, lay->regions[k]) != 0)
                continue;
            if (!first)
                first = p;
            same_source &= strcmp(first->source, p->source) == 0;
            same_date &= strcmp(first->date, p->date) == 0;
        }
        if (!first)
            continue;
        fprintf(out, "  %s (%s): %s, ", lay->regions[k], catalog_region_label(lay->regions[k]),
                same_source ? first->source : "several sources");
        if (!same_date)
            fprintf(out, "several dates\n");
        else if (first->date[0])
            fprintf(out, "as of %s\n", first->date);
        else
            fprintf(out, "undated\n");
    }
}

void nodes_print(FILE *out, const struct catalog *cat, const char *platform_filter)
{
    struct nodes_layout lay;
    layout_init(&lay, cat);
    char cells[NC_MAX][CELL_SIZE];
    int width[NC_MAX];
    fmt_titles(cells, &lay);
    for (int c = 0; c < lay.n_cols; c++)
        width[c] = (int)strlen(cells[c]);

    /* Two passes: the widths must be known before the first line goes out. */
    size_t shown = 0;
    bool any_dbu_from_prices = false;
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct node_type *n = catalog_at(cat, i);
        if (!platform_matches(n, platform_filter))
            continue;
        fmt_row(cells, &lay, cat, n);
        for (int c = 0; c < lay.n_cols; c++) {
            int w = (int)strlen(cells[c]);
            if (w > width[c])
                width[c] = w;
        }
        any_dbu_from_prices |= n->dbu_source[0] != '\0';
        shown++;
    }

    if (shown > 0) {
        fmt_titles(cells, &lay);
        print_line(out, cells, width, lay.n_cols);
        for (size_t i = 0; i < catalog_count(cat); i++) {
            const struct node_type *n = catalog_at(cat, i);
            if (!platform_matches(n, platform_filter))
                continue;
            fmt_row(cells, &lay, cat, n);
            print_line(out, cells, width, lay.n_cols);
        }
        fputc('\n', out);
    }

    if (platform_filter != NULL)
        fprintf(out, "%zu node type%s on platform %s (of %zu).\n", shown, shown == 1 ? "" : "s",
                platform_filter, catalog_count(cat));
    else
        fprintf(out, "%zu node types.\n", shown);
    fprintf(out,
            "Source: %s ('-' = not published or not found; sources per row in its "
            "notes column).\n",
            catalog_path(cat) ? catalog_path(cat) : "(unknown)");
    fprintf(out,
            "Prices: Linux pay-as-you-go, USD per node-hour, per region (a scenario picks "
            "one with cluster.region and overrides any with cluster.price)%s%s:\n",
            catalog_prices_path(cat) ? "; other regions from " : "",
            catalog_prices_path(cat) ? catalog_prices_path(cat) : "");
    print_price_sources(out, cat, &lay);
    if (any_dbu_from_prices)
        fprintf(out, "DBU/h*: the catalog row has none; the prices file's row gives it (DBUs "
                     "per node-hour do not vary by region).\n");
    /* Synapse bills its pools' vCores, not a VM price (models/platform.c). */
    if (platform_filter == NULL || platform_find(platform_filter) == platform_get(PLATFORM_SYNAPSE))
        fprintf(out,
                "v: Synapse nodes bill vCore-hours at $%g per vCore-hour (%s), not a VM "
                "price: the figure is the node's vCores at that rate, used in every "
                "region.\n",
                platform_get(PLATFORM_SYNAPSE)->billing.usd_per_vcore_hour,
                platform_get(PLATFORM_SYNAPSE)->billing.vcore_rate_source);
}

/* ---- JSON -------------------------------------------------------------- */

/* jansson refuses NaN (JSON has no such number), and an unknown figure is
 * null anyway. */
static json_t *figure_json(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

/* Adds key: value to obj, taking value; records a failure in *ok. A NULL
 * value (allocation failed) is a failure too. */
static void put(json_t *obj, const char *key, json_t *value, int *ok)
{
    if (value == NULL || json_object_set_new(obj, key, value) != 0)
        *ok = 0;
}

static json_t *price_json(const struct node_price *p)
{
    json_t *o = json_object();
    int ok = o != NULL;
    if (!ok)
        return NULL;
    put(o, "region", json_string(p->region), &ok);
    put(o, "vm_usd_per_hour", figure_json(p->vm_usd_per_hour), &ok);
    put(o, "dbu_per_hour", figure_json(p->dbu_per_hour), &ok);
    json_t *src = json_string(p->source);
    put(o, "source", src ? src : json_null(), &ok);
    put(o, "date", p->date[0] ? json_string(p->date) : json_null(), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *node_json(const struct catalog *cat, const struct node_type *n)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int ok = 1;
    put(o, "name", json_string(n->name), &ok);
    put(o, "platform", json_string(n->platform), &ok);
    put(o, "vcpus", json_integer(n->vcpus), &ok);
    put(o, "memory_gib", figure_json(n->memory_gib), &ok);
    put(o, "local_ssd_gib", figure_json(n->local_ssd_gib), &ok);
    put(o, "local_ssd_mbps", figure_json(n->local_ssd_mbps), &ok);
    put(o, "network_mbps", figure_json(n->network_mbps), &ok);
    put(o, "acu_per_vcpu_min", figure_json(n->acu_min), &ok);
    put(o, "acu_per_vcpu_max", figure_json(n->acu_max), &ok);
    /* cpu and notes come from the file and may hold bytes that are not
     * UTF-8; json_string would refuse them, so those become null. */
    json_t *cpu = n->cpu[0] ? json_string(n->cpu) : json_null();
    put(o, "cpu", cpu ? cpu : json_null(), &ok);
    put(o, "price_usd_per_hour", figure_json(n->price_usd_per_hour), &ok);
    put(o, "dbu_per_hour", figure_json(n->dbu_per_hour), &ok);
    double vcore_usd = vcore_node_hour_usd(n);
    if (!isnan(vcore_usd)) {
        const struct platform_billing *b = &platform_get(PLATFORM_SYNAPSE)->billing;
        put(o, "usd_per_vcore_hour", json_real(b->usd_per_vcore_hour), &ok);
        put(o, "vcore_usd_per_node_hour", json_real(vcore_usd), &ok);
        put(o, "vcore_rate_source", json_string(b->vcore_rate_source), &ok);
    }
    json_t *dsrc = n->dbu_source[0] ? json_string(n->dbu_source) : json_null();
    put(o, "dbu_source", dsrc ? dsrc : json_null(), &ok);
    /* Every region's row for this node, in the catalog's order. */
    json_t *prices = json_array();
    for (size_t i = 0; prices && i < catalog_price_count(cat); i++) {
        const struct node_price *p = catalog_price_at(cat, i);
        if (strcmp(p->node, n->name) != 0)
            continue;
        json_t *jp = price_json(p);
        if (jp == NULL || json_array_append_new(prices, jp) != 0)
            ok = 0;
    }
    put(o, "prices", prices, &ok);
    json_t *notes = n->notes[0] ? json_string(n->notes) : json_null();
    put(o, "notes", notes ? notes : json_null(), &ok);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int nodes_print_json(FILE *out, const struct catalog *cat)
{
    json_t *root = json_object();
    json_t *nodes = json_array();
    int ok = root != NULL && nodes != NULL;
    if (ok) {
        const char *path = catalog_path(cat);
        json_t *source = path ? json_string(path) : NULL;
        put(root, "source", source ? source : json_null(), &ok);
    }
    for (size_t i = 0; ok && i < catalog_count(cat); i++) {
        json_t *node = node_json(cat, catalog_at(cat, i));
        if (node == NULL || json_array_append_new(nodes, node) != 0)
            ok = 0;
    }
    if (!ok) {
        json_decref(nodes);
        json_decref(root);
        return SC_ENOMEM;
    }
    if (json_object_set_new(root, "nodes", nodes) != 0) {
        json_decref(root);
        return SC_ENOMEM;
    }
    /* Fifteen significant digits print 0.293 as 0.293, not as the
     * 0.29299999999999998 a full double round trip would show. */
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (rc != 0 || fputc('\n', out) == EOF)
        return SC_EIO;
    return SC_OK;
}
