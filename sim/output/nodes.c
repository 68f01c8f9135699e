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
#include <string.h>
#include <strings.h>

#include "models/diag.h"
#include "models/platform.h"

enum nodes_col {
    NC_NAME,
    NC_PLATFORM,
    NC_VCPUS,
    NC_MEMORY,
    NC_SSD_GIB,
    NC_SSD_MBPS,
    NC_NETWORK,
    NC_ACU,
    NC_PRICE,
    NC_DBU,
    NC_COUNT
};

static const char *const col_titles[NC_COUNT] = {
    "NAME",     "PLATFORM", "VCPUS",    "MEM_GiB", "SSD_GiB",
    "SSD_MB/s", "NET_Gbps", "ACU/vCPU", "USD/h",   "DBU/h",
};

/* A cell is at most a name (63 characters) or a short number. */
#define CELL_SIZE 72

static void fmt_figure(char cell[CELL_SIZE], double v)
{
    if (isnan(v))
        snprintf(cell, CELL_SIZE, "-");
    else
        snprintf(cell, CELL_SIZE, "%g", v);
}

static void fmt_row(char cells[NC_COUNT][CELL_SIZE], const struct node_type *n)
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
    fmt_figure(cells[NC_PRICE], n->price_usd_per_hour);
    fmt_figure(cells[NC_DBU], n->dbu_per_hour);
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

static void print_line(FILE *out, char cells[NC_COUNT][CELL_SIZE], const int width[NC_COUNT])
{
    for (int c = 0; c < NC_COUNT; c++) {
        const char *sep = c == 0 ? "" : "  ";
        /* Text columns flush left, figures flush right so digits line up. */
        if (c == NC_NAME || c == NC_PLATFORM)
            fprintf(out, "%s%-*s", sep, width[c], cells[c]);
        else
            fprintf(out, "%s%*s", sep, width[c], cells[c]);
    }
    fputc('\n', out);
}

void nodes_print(FILE *out, const struct catalog *cat, const char *platform_filter)
{
    char cells[NC_COUNT][CELL_SIZE];
    int width[NC_COUNT];
    for (int c = 0; c < NC_COUNT; c++)
        width[c] = (int)strlen(col_titles[c]);

    /* Two passes: the widths must be known before the first line goes out. */
    size_t shown = 0;
    for (size_t i = 0; i < catalog_count(cat); i++) {
        const struct node_type *n = catalog_at(cat, i);
        if (!platform_matches(n, platform_filter))
            continue;
        fmt_row(cells, n);
        for (int c = 0; c < NC_COUNT; c++) {
            int w = (int)strlen(cells[c]);
            if (w > width[c])
                width[c] = w;
        }
        shown++;
    }

    if (shown > 0) {
        for (int c = 0; c < NC_COUNT; c++)
            snprintf(cells[c], CELL_SIZE, "%s", col_titles[c]);
        print_line(out, cells, width);
        for (size_t i = 0; i < catalog_count(cat); i++) {
            const struct node_type *n = catalog_at(cat, i);
            if (!platform_matches(n, platform_filter))
                continue;
            fmt_row(cells, n);
            print_line(out, cells, width);
        }
        fputc('\n', out);
    }

    if (platform_filter != NULL)
        fprintf(out, "%zu node type%s on platform %s (of %zu).\n", shown,
                shown == 1 ? "" : "s", platform_filter, catalog_count(cat));
    else
        fprintf(out, "%zu node types.\n", shown);
    fprintf(out, "Source: %s ('-' = not published or not found; sources per row in its "
                 "notes column).\n",
            catalog_path(cat) ? catalog_path(cat) : "(unknown)");
    fprintf(out, "Prices: Linux pay-as-you-go, East US, USD per node-hour, from secondary "
                 "sources; override them in a scenario with cluster.price.\n");
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

static json_t *node_json(const struct node_type *n)
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
        json_t *node = node_json(catalog_at(cat, i));
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
