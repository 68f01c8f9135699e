/*
 * catalog.h — the Azure node catalog: VM sizes a Spark cluster can be built
 * from, with the facts the models need (cores, memory, disks, network, speed,
 * prices). Read from a CSV data file shipped with the program
 * (models/azure-nodes.csv, installed as $(pkgdatadir)/azure-nodes.csv).
 *
 * Ownership: catalog_load returns a catalog the caller frees with
 * catalog_free; the struct node_type pointers it hands out live as long as
 * the catalog and are read-only, so many simulations may share one catalog.
 */
#ifndef STAGECAST_CATALOG_H
#define STAGECAST_CATALOG_H

#include <stddef.h>

#include "models/diag.h"

/* A figure the sources did not give is NaN ("not found"; never guessed). */
struct node_type {
    char name[64];      /* as Azure spells it: "Standard_DS3_v2" */
    char platform[16];  /* "azure_vm", "hdinsight", "synapse" */
    int vcpus;
    double memory_gib;
    double local_ssd_gib;
    double local_ssd_mbps;           /* MB/s = 1e6 B/s */
    double network_mbps;             /* Mbit/s = 1e6 bit/s, egress, whole VM */
    double acu_min, acu_max;         /* ACU per vCPU (Standard_A1 = 100) */
    char cpu[160];
    double price_usd_per_hour;       /* Linux pay-as-you-go, East US (the catalog's column) */
    double dbu_per_hour;             /* Databricks DBUs per node-hour */
    char dbu_source[64];             /* "" from the catalog row; else the prices file's
                                      * source and date the DBU rate was taken from */
    char notes[512];                 /* sources and conflicts */
};

/* The region the catalog's own price column is for: scenarios that name no
 * region are priced there. */
#define CATALOG_DEFAULT_REGION "eastus"

/* One node size's price in one Azure region, from one source. The catalog's
 * price column gives each node an East US row; the prices file beside the
 * catalog (azure-prices.csv) adds rows for other regions. */
struct node_price {
    char node[64];           /* the node's name, as the catalog spells it */
    char region[24];         /* Azure's region name: "eastus", "westus2" */
    double vm_usd_per_hour;  /* Linux pay-as-you-go; NaN: not given */
    double dbu_per_hour;     /* NaN: not given (the node's own rate applies) */
    char source[96];         /* where the figure comes from, for the report */
    char date[16];           /* "2023-07-03" as of when; "" undated */
    int line;                /* line in the prices file; 0 for the catalog's column */
};

struct catalog;

/* Loads the catalog from path, and the prices file azure-prices.csv in the
 * same directory when there is one (catalog_load_prices). Returns NULL and
 * fills d on a missing catalog file or a malformed row of either file (d
 * names the file and line). */
struct catalog *catalog_load(const char *path, struct diag *d);

/* Adds the price rows of the CSV file at path (columns node, region,
 * vm_usd_per_hour, dbu_per_hour, source, date) to cat. Rows for sizes cat
 * does not list are skipped; a node whose catalog row has no DBU rate takes
 * the first row's that has one. A second row for the same node and region
 * (the catalog's column counts as the East US row) is an error. Returns
 * SC_OK, or fills d with the file and line of the fault; cat is unchanged
 * then. */
enum sc_status catalog_load_prices(struct catalog *cat, const char *path, struct diag *d);

/* Loads the shipped catalog from the first of: <dir of the running
 * binary>/models/azure-nodes.csv (build tree);
 * <dir of the binary>/../share/stagecast/azure-nodes.csv; PKGDATADIR;
 * the source tree's models/ (for VPATH builds). (A catalog the user names,
 * $STAGECAST_CATALOG, is the CLI's to load with catalog_load.) Returns NULL and
 * fills d: SC_ENOENT naming every place looked if no file exists, or the
 * error of the first file found. */
struct catalog *catalog_load_default(struct diag *d);

void catalog_free(struct catalog *cat);

size_t catalog_count(const struct catalog *cat);
const struct node_type *catalog_at(const struct catalog *cat, size_t i);

/* Exact, case-sensitive match on name; also accepts the name without the
 * "Standard_" prefix and any letter case, as users type it. NULL if none. */
const struct node_type *catalog_find(const struct catalog *cat, const char *name);

/* Fills out[0..max) with the names closest to name (edit distance, case
 * insensitive, nearest first) and returns how many it wrote. */
size_t catalog_suggest(const struct catalog *cat, const char *name, const char **out, size_t max);

/* The path the catalog was loaded from (owned by the catalog). */
const char *catalog_path(const struct catalog *cat);

/* The prices file loaded into cat, or NULL (owned by the catalog). */
const char *catalog_prices_path(const struct catalog *cat);

/* Node name's price row for region, or NULL when no source prices it
 * there. Owned by the catalog. */
const struct node_price *catalog_price(const struct catalog *cat, const char *name,
                                       const char *region);

/* The price rows, East US column rows first, then the prices file's in
 * its order; catalog_price_at returns NULL past the last. */
size_t catalog_price_count(const struct catalog *cat);
const struct node_price *catalog_price_at(const struct catalog *cat, size_t i);

/* Whether any row prices a node in region. */
int catalog_has_region(const struct catalog *cat, const char *region);

/* The i-th region with price rows (East US first, then in the prices
 * file's order), or NULL past the last. Owned by the catalog. */
const char *catalog_region_at(const struct catalog *cat, size_t i);

/* Writes the regions with price rows, East US first and then as the prices
 * file first names them, ", "-separated, into buf (cut to size). */
void catalog_regions(const struct catalog *cat, char *buf, size_t size);

/* How people write region: "West US 2" for "westus2"; the name itself for
 * a region this table does not know. Static storage. */
const char *catalog_region_label(const char *region);

/* The node's per-core speed relative to a reference ACU of 100 per vCPU:
 * midpoint of acu_min..acu_max / 100, or NaN when ACU is not published. */
double node_type_acu_mid(const struct node_type *n);

#endif
