/*
 * nodes.h — the `stagecast nodes` command's output: the node catalog as a
 * table for people or as JSON for scripts. Prints only; owns nothing.
 */
#ifndef STAGECAST_NODES_H
#define STAGECAST_NODES_H

#include <stdio.h>

#include "models/catalog.h"

/* Prints the catalog to out as an aligned table, one node type per line,
 * "-" for figures the sources did not give, then a line naming the catalog
 * file and where the prices come from. platform_filter NULL prints every
 * row, otherwise only the rows a cluster of that platform can use (a
 * platform name or alias of models/platform.h: "databricks" and "vm" or
 * "azure_vm" list the Azure VM rows; "hdinsight", "synapse" their own);
 * an unknown name matches no row. */
void nodes_print(FILE *out, const struct catalog *cat, const char *platform_filter);

/* Writes the catalog to out as one JSON document:
 * {"source": path, "nodes": [{"name": ..., "vcpus": ..., ...}, ...]}, with
 * null for unknown figures. Returns SC_OK, SC_ENOMEM or SC_EIO. */
int nodes_print_json(FILE *out, const struct catalog *cat);

#endif
