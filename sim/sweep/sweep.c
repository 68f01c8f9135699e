/*
 * sweep.c — which cluster should I buy? The sweep sits after simulate in
 * the flow (scenario -> plan -> calibrate -> simulate -> report): it runs
 * the same scenario many times, each point of a grid of overrides replicated
 * over seeds, and reports across the runs — means and intervals, the Pareto
 * front of makespan against cost, and the cheapest point that meets a
 * deadline at a stated confidence.
 *
 * Each run is an independent simulation (scenario_load_with -> cluster_build
 * -> sim_new -> sim_run) sharing only read-only inputs (the catalog), so runs
 * go to a pool of threads taking work from a mutex-guarded queue. Finished
 * runs are appended, one JSON line each, to a results file; everything after
 * the runs (statistics, front, recommendation, outputs) reads only the runs
 * array in point order, so the output is the same whatever the thread
 * count, the completion order, or whether the runs came from this process,
 * a resumed file, shards merged, or MPI ranks.
 *
 * This file is the command: it builds the sweep (or rebuilds it from
 * results files, for merge), runs it, and writes its outputs; the steps
 * live in the files sweep_internal.h lists.
 */
#include "config.h"

/* The project's headers come before <pthread.h>: scenario.h names an
 * enumerator SCHED_FIFO, which <sched.h> (pulled in by <pthread.h>) also
 * defines as a macro. */
#include "sim/sweep/sweep_internal.h"

#include "sim/output/outfile.h"
#include "sim/output/plot.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum sc_status sweep_no_memory(struct diag *d)
{
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in the sweep");
}

char *sweep_fmt_alloc(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- the command ----------------------------------------------------------- */

/* The outputs, all or nothing: JSON and CSV go to temporary files renamed
 * into place once both are complete, the table in between. */
static enum sc_status write_outputs(const struct sweep_args *a, const struct sweep_io *io,
                                    const struct sweep *sw, struct diag *d)
{
    struct outfile jf = {0}, cf = {0};
    if (a->json_path) {
        FILE *f = outfile_open(&jf, a->json_path, d);
        if (!f || sweep_write_json(f, sw, d) != SC_OK)
            goto fail;
    }
    if (a->csv_path) {
        FILE *f = outfile_open(&cf, a->csv_path, d);
        if (!f || sweep_write_csv(f, sw, d) != SC_OK)
            goto fail;
    }
    if (a->plot_path) {
        /* The picture is drawn from the same CSV, written to a scratch file
         * beside it; it is renamed into place by plot_sweep, before the
         * other outputs are committed. */
        size_t n = strlen(a->plot_path);
        char *csv = malloc(n + 32);
        if (!csv) {
            diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            goto fail;
        }
        snprintf(csv, n + 32, "%s.csv.XXXXXX", a->plot_path);
        int fd = mkstemp(csv);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        enum sc_status st = SC_OK;
        if (!f) {
            st = diag_set(d, SC_EIO, a->plot_path, 0, "cannot write: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
        } else {
            st = sweep_write_csv(f, sw, d);
            if (fclose(f) != 0 && st == SC_OK)
                st = diag_set(d, SC_EIO, a->plot_path, 0, "writing the plot data failed");
            if (st == SC_OK)
                st = plot_sweep(csv, a->plot_path, a->plot, d);
        }
        if (fd >= 0)
            unlink(csv);
        free(csv);
        if (st != SC_OK)
            goto fail;
    }
    bool to_stdout = (a->json_path && strcmp(a->json_path, "-") == 0) ||
                     (a->csv_path && strcmp(a->csv_path, "-") == 0);
    if (!a->quiet && !to_stdout && io->table)
        sweep_print_table(io->table, sw);
    if (outfile_commit(&jf, d) != SC_OK || outfile_commit(&cf, d) != SC_OK)
        goto fail;
    return SC_OK;
fail:
    outfile_abort(&jf);
    outfile_abort(&cf);
    return d->status;
}

static size_t online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (size_t)n : 1;
}

enum sc_status sweep_execute(const struct sweep_args *a, const struct sweep_io *io, struct diag *d)
{
    const struct sweep_peer *peer = io->peer && io->peer->size > 1 ? io->peer : NULL;
    enum sc_status st = SC_OK;
    struct catalog *cat = NULL;
    struct sweep *sw = NULL;
    char *log_path = NULL, *all = NULL;
    int log_fd = -1;
    json_object_seed(0);

    if (a->merge) {
        /* Only one process writes the merged outputs. */
        if (peer && peer->rank != 0)
            return SC_OK;
        sw = sweep_merge_files(a, d);
        if (!sw)
            return d->status;
        st = sweep_summarize(sw, d);
        if (st == SC_OK)
            st = write_outputs(a, io, sw, d);
        sweep_free(sw);
        return st;
    }

    /* Set-up. Under MPI every rank reaches the agreement below, failed or
     * not, so that no rank waits for one that has given up. */
    if (peer && a->have_shard) {
        st = diag_set(d, SC_EINPUT, NULL, 0,
                      "--shard and mpirun both split the points: use one of them");
    } else if (!(cat = a->catalog_path ? catalog_load(a->catalog_path, d)
                                       : catalog_load_default(d))) {
        st = d->status;
    } else {
        struct sweep_spec spec;
        st = sweep_spec_from_args(a, cat, &spec, d);
        /* What the axes took from the scenario or added to it, said once
         * before anything runs. */
        if (st == SC_OK && spec.notes && io->warnings && !(peer && peer->rank != 0))
            for (const char *l = spec.notes; *l;) {
                const char *nl = strchr(l, '\n');
                int len = nl ? (int)(nl - l) : (int)strlen(l);
                fprintf(io->warnings, "stagecast: note: %.*s\n", len, l);
                l += len + (nl != NULL);
            }
        if (st == SC_OK && peer) {
            spec.shard_index = (size_t)peer->rank;
            spec.shard_count = (size_t)peer->size;
        }
        if (st == SC_OK && !(sw = sweep_new(&spec, d)))
            st = d->status;
    }
    if (st == SC_OK && a->results_path) {
        /* Each rank keeps its own results file: ranks may run on machines
         * that share no disk, and each resumes its own share. */
        log_path = peer ? sweep_fmt_alloc("%s.rank%d", a->results_path, peer->rank)
                        : strdup(a->results_path);
        if (!log_path)
            st = sweep_no_memory(d);
        else if ((log_fd = sweep_results_open(sw, log_path, a->resume, d)) < 0)
            st = d->status;
    }
    if (peer) {
        enum sc_status all_st = peer->agree(peer, st);
        if (st == SC_OK && all_st != SC_OK)
            st = diag_set(d, all_st, NULL, 0, "another MPI rank could not start the sweep");
    }
    if (st != SC_OK)
        goto done;

    pthread_mutex_t calib_lock;
    pthread_mutex_init(&calib_lock, NULL);
    struct sweep_configs *configs = sweep_configs_new();
    if (!configs)
        st = sweep_no_memory(d);
    struct sweep_env env = {
        .catalog = cat, .calib = a->calib, .calib_lock = &calib_lock, .configs = configs,
        .memory_limit_bytes = a->memory_limit_bytes};
    size_t threads = a->threads ? a->threads : online_cpus();
    /* Warm the fit cache with the scenario as written, before any point
     * runs: every point, thread and MPI rank then reads the same fits (the
     * first writer of a cache entry wins). */
    {
        struct point_setup warm;
        sweep_setup_point(sw, &env, NULL, 0, &warm);
        /* Its calibration's warnings (a poor fit, a grown sample, a
         * corrupt cache file), once, from rank 0: the points read the same
         * fits. Pipelines only another cluster plans are not covered. */
        const struct calibration *cal = warm.shared ? warm.shared->cal : warm.pl.cal;
        if (cal && io->warnings && !(peer && peer->rank != 0))
            for (size_t i = 0; i < calibrate_n_warnings(cal); i++)
                fprintf(io->warnings, "stagecast: warning: %s\n", calibrate_warning(cal, i));
        sweep_setup_fini(&warm);
        if (peer) {
            enum sc_status all_st = peer->agree(peer, SC_OK);
            if (all_st != SC_OK)
                st = diag_set(d, all_st, NULL, 0, "another MPI rank could not start the sweep");
        }
    }
    if (st == SC_OK)
        st = sweep_run(sw, &env, threads, log_fd, peer && peer->rank != 0 ? NULL : io->progress,
                       d);
    sweep_configs_free(configs);
    pthread_mutex_destroy(&calib_lock);
    if (log_fd >= 0 && close(log_fd) != 0 && st == SC_OK)
        st = diag_set(d, SC_EIO, log_path, 0, "cannot close the results file: %s", strerror(errno));
    log_fd = -1;

    if (peer) {
        /* Every rank sends its runs as results-file text, and rank 0 takes
         * them in exactly as merge would: one path to the same outputs. */
        size_t len = 0, all_len = 0;
        char *text = st == SC_OK ? sweep_runs_text(sw, &len, d) : NULL;
        struct diag gd;
        diag_clear(&gd);
        enum sc_status gst =
            peer->gather(peer, text ? text : "", text ? len : 0, &all, &all_len, &gd);
        free(text);
        if (st == SC_OK && gst != SC_OK) {
            *d = gd;
            st = gst;
        }
        if (st != SC_OK || peer->rank != 0)
            goto done;
        for (size_t i = 0; i < sw->n_points; i++)
            sw->points[i].in_scope = true;
        sw->spec.shard_index = 0;
        sw->spec.shard_count = 1;
        if ((st = sweep_ingest(sw, all, all_len, "MPI ranks", d)) != SC_OK)
            goto done;
    }
    if (st != SC_OK)
        goto done;
    if ((st = sweep_summarize(sw, d)) != SC_OK)
        goto done;
    st = write_outputs(a, io, sw, d);
done:
    if (log_fd >= 0)
        close(log_fd);
    free(all);
    free(log_path);
    sweep_free(sw);
    catalog_free(cat);
    return st;
}
