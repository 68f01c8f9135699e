/*
 * feasibility.h — whether a finished run fits on its nodes: the most local
 * disk any worker needed at once, against the disk the catalog gives the
 * node. A point of a sweep that does not fit is never recommended, and
 * `stagecast run` warns with the figures.
 */
#ifndef STAGECAST_FEASIBILITY_H
#define STAGECAST_FEASIBILITY_H

#include <stdbool.h>

#include "sim/runtime/results.h"

/* The peak local-disk use of a run (feasibility.c says the rule). */
struct disk_check {
    bool checked;         /* false: the node has no local-disk figure */
    bool fits;            /* peak_bytes <= disk_bytes (true when not checked) */
    int worker;           /* the worker at the peak; -1 when nothing was written */
    double peak_bytes;    /* its shuffle_bytes + spill_bytes */
    double shuffle_bytes; /* shuffle files it held at the end of the application */
    double spill_bytes;   /* the largest one stage's spill on it */
    double cache_bytes;   /* cached blocks it keeps on disk (memory was full) */
    double disk_bytes;    /* the node's local (temp) disk; NaN when not known */
    double total_shuffle_bytes, total_spill_bytes; /* all stages, all workers */
    double total_cache_bytes;                      /* cached blocks on local disk */
};

/* Fills c from r (summarized) and cl. Never fails; allocation failure
 * leaves c->checked false. */
void feasibility_check_disk(const struct results *r, const struct cluster *cl,
                            struct disk_check *c);

/* One line on c for people: "peak local disk 343.0 GiB on worker 3 (236.0
 * GiB of shuffle + 107.0 GiB of spill) of 256.0 GiB" into buf. */
const char *feasibility_describe(const struct disk_check *c, char *buf, size_t size);

#endif
