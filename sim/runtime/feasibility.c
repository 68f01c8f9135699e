/*
 * feasibility.c — whether a run fits its workers' local disks. Runs after
 * results_summarize, at the report end of the flow: it reads the stages'
 * byte counts and where their tasks ran, nothing of the engine.
 *
 * The rule (docs/sweeps.md, "Feasibility"):
 *
 *  - Shuffle files stay. A map stage writes its shuffle output to the local
 *    disk of the worker that ran each task (spark.local.dir, the VM's temp
 *    disk), and Spark deletes it only when the ContextCleaner finds the
 *    shuffle unreferenced on the driver, which at the earliest follows a
 *    periodic GC (spark.cleaner.periodicGC.interval, 30 min by default) after
 *    the query is done. So every shuffle written counts until the end of
 *    the application: an upper bound for long multi-job runs, exact for
 *    one query shorter than half an hour.
 *  - Spill is transient: a task's spill files are deleted when it ends, so
 *    only the one stage whose spill on the worker is largest counts, on top
 *    of the shuffle.
 *  - Cached blocks stay too: what fits the executor's unified memory is
 *    kept there, and a block that does not goes to local disk
 *    (MEMORY_AND_DISK, the Dataset default) and stays while its executor
 *    lives, so it counts to the end like shuffle files.
 *  - Output goes to the storage account (abfss://), not to the local disk,
 *    and is not counted.
 *
 * A stage's bytes are split over workers by the share of its successful
 * task attempts each worker ran, so uneven placement shows up, skew within
 * a stage's tasks does not.
 */
#include "sim/runtime/feasibility.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GIB (1024.0 * 1024.0 * 1024.0)

void feasibility_check_disk(const struct results *r, const struct cluster *cl, struct disk_check *c)
{
    memset(c, 0, sizeof *c);
    c->fits = true;
    c->worker = -1;
    c->disk_bytes =
        cl->worker && isfinite(cl->worker->local_ssd_gib) && cl->worker->local_ssd_gib > 0
            ? cl->worker->local_ssd_gib * GIB
            : NAN;
    for (size_t s = 0; s < r->n_stages; s++) {
        c->total_shuffle_bytes += r->stages[s].shuffle_write_bytes;
        c->total_spill_bytes += r->stages[s].spill_bytes;
        c->total_cache_bytes += r->stages[s].cache_disk_bytes;
    }
    int n_workers = 0;
    for (size_t e = 0; e < r->n_executors; e++)
        if (r->executors[e].worker + 1 > n_workers)
            n_workers = r->executors[e].worker + 1;
    if (n_workers == 0 || r->n_stages == 0)
        return;
    /* ran[s * n_workers + w]: stage s's successful attempts on worker w. */
    size_t n_cells = r->n_stages * (size_t)n_workers;
    double *ran = calloc(n_cells + r->n_stages, sizeof *ran);
    double *shuffle = calloc(3 * (size_t)n_workers, sizeof *shuffle);
    if (!ran || !shuffle) {
        free(ran);
        free(shuffle);
        return;
    }
    double *stage_ok = ran + n_cells, *spill = shuffle + n_workers, *cache = spill + n_workers;
    /* The streamed counts (kept whether or not task records are). */
    for (size_t s = 0; r->worker_tasks && s < r->n_stages; s++)
        for (int w = 0; w < r->worker_tasks[s].n && w < n_workers; w++) {
            ran[s * (size_t)n_workers + (size_t)w] += (double)r->worker_tasks[s].ok[w];
            stage_ok[s] += (double)r->worker_tasks[s].ok[w];
        }
    for (size_t s = 0; s < r->n_stages; s++) {
        if (stage_ok[s] <= 0)
            continue;
        for (int w = 0; w < n_workers; w++) {
            double share = ran[s * (size_t)n_workers + (size_t)w] / stage_ok[s];
            shuffle[w] += share * r->stages[s].shuffle_write_bytes;
            cache[w] += share * r->stages[s].cache_disk_bytes;
            double sp = share * r->stages[s].spill_bytes;
            if (sp > spill[w])
                spill[w] = sp;
        }
    }
    for (int w = 0; w < n_workers; w++)
        if (shuffle[w] + cache[w] + spill[w] > c->peak_bytes) {
            c->peak_bytes = shuffle[w] + cache[w] + spill[w];
            c->shuffle_bytes = shuffle[w];
            c->spill_bytes = spill[w];
            c->cache_bytes = cache[w];
            c->worker = w;
        }
    free(ran);
    free(shuffle);
    c->checked = !isnan(c->disk_bytes);
    c->fits = !c->checked || c->peak_bytes <= c->disk_bytes;
}

const char *feasibility_describe(const struct disk_check *c, char *buf, size_t size)
{
    /* "(X GiB of shuffle + Y GiB of spill)", with the cached blocks on
     * disk between them when there are any. */
    char parts[160];
    if (c->cache_bytes > 0.0)
        snprintf(parts, sizeof parts,
                 "%.1f GiB of shuffle + %.1f GiB of cached blocks memory could not hold + %.1f "
                 "GiB of spill",
                 c->shuffle_bytes / GIB, c->cache_bytes / GIB, c->spill_bytes / GIB);
    else
        snprintf(parts, sizeof parts, "%.1f GiB of shuffle + %.1f GiB of spill",
                 c->shuffle_bytes / GIB, c->spill_bytes / GIB);
    if (c->worker < 0)
        snprintf(buf, size, "no shuffle or spill on local disk");
    else if (!c->checked)
        snprintf(buf, size,
                 "peak local disk %.1f GiB on worker %d (%s); the node has no local-disk figure "
                 "to check it against",
                 c->peak_bytes / GIB, c->worker, parts);
    else
        snprintf(buf, size, "peak local disk %.1f GiB on worker %d (%s) %s the node's %.1f GiB",
                 c->peak_bytes / GIB, c->worker, parts, c->fits ? "within" : "exceeds",
                 c->disk_bytes / GIB);
    return buf;
}
