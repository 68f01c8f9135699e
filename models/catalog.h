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
    double price_usd_per_hour;       /* Linux pay-as-you-go, East US */
    double dbu_per_hour;             /* Databricks DBUs per node-hour */
    char notes[512];                 /* sources and conflicts */
};

struct catalog;

/* Loads the catalog from path. Returns NULL and fills d on a missing file or
 * a malformed row (d names the file and line). */
struct catalog *catalog_load(const char *path, struct diag *d);

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

/* The node's per-core speed relative to a reference ACU of 100 per vCPU:
 * midpoint of acu_min..acu_max / 100, or NaN when ACU is not published. */
double node_type_acu_mid(const struct node_type *n);

#endif
