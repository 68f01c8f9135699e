/*
 * sweep_pool.c — the runs of a sweep on a pool of threads. The queue holds
 * points; a thread takes one, sets it up once (sweep_setup.c) and runs its
 * replications, each an independent simulation that only reads what the
 * threads share. Every finished run goes into the runs array, onto the
 * results file as one line (sweep_results.c) and onto the progress bar,
 * under one lock, so the outputs do not depend on the thread count.
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

/* The project's headers come before <pthread.h> (scenario.h's SCHED_FIFO
 * against <sched.h>'s macro). */
#include "models/units.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct pool {
    struct sweep *sw;
    const struct sweep_env *env;
    size_t *todo, n_points, next; /* points with runs to do; the next to take */
    size_t n_todo, done;          /* runs to do, runs done */
    size_t max_ov;
    int log_fd;
    double last_sync_s, start_s, last_draw_s;
    FILE *progress;
    pthread_mutex_t lock;
    enum sc_status status; /* the first failure to record a run */
    struct diag diag;
};

static void progress_draw(FILE *f, size_t done, size_t total, double elapsed_s, bool last)
{
    enum { WIDTH = 30 };
    size_t filled = total ? done * WIDTH / total : WIDTH;
    double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0.0;
    char eta[64] = "";
    if (!last && rate > 0) {
        char b[48];
        snprintf(eta, sizeof eta, "  ETA %s",
                 units_format_duration((double)(total - done) / rate, b, sizeof b));
    }
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(f, "\r[%s] %zu/%zu runs  %.1f runs/s%s\033[K%s", bar, done, total, rate, eta,
            last ? "\n" : "");
    fflush(f);
}

/* Records a finished run: into the runs array, onto the results file, on
 * the progress bar. Called with the lock held. */
static void pool_record(struct pool *p, size_t u, struct sweep_run *r, const char *line, size_t len)
{
    p->sw->runs[u] = *r;
    p->done++;
    if (p->log_fd >= 0 && p->status == SC_OK) {
        /* One write per line on an O_APPEND descriptor: a run killed
         * mid-sweep leaves whole lines behind (at worst a cut last line,
         * which resuming drops). fsync at most once a second, so a crash
         * of the machine loses at most a second of runs and the disk is
         * not the bottleneck. */
        if (!line || sweep_write_all(p->log_fd, line, len) != 0) {
            p->status = diag_set(&p->diag, line ? SC_EIO : SC_ENOMEM, NULL, 0,
                                 "cannot append to the results file: %s",
                                 line ? strerror(errno) : "out of memory");
        } else {
            double t = now_s();
            if (t - p->last_sync_s >= 1.0) {
                fsync(p->log_fd);
                p->last_sync_s = t;
            }
        }
    }
    if (p->progress) {
        double t = now_s();
        if (t - p->last_draw_s >= 0.1 || p->done == p->n_todo) {
            p->last_draw_s = t;
            progress_draw(p->progress, p->done, p->n_todo, t - p->start_s, p->done == p->n_todo);
        }
    }
}

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    const char **ov = malloc((p->max_ov + 1) * sizeof *ov);
    size_t reps = p->sw->spec.replications;
    if (!ov) {
        pthread_mutex_lock(&p->lock);
        if (p->status == SC_OK)
            p->status = sweep_no_memory(&p->diag);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->next >= p->n_points || p->status != SC_OK) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        size_t i = p->todo[p->next++];
        pthread_mutex_unlock(&p->lock);

        /* A point's runs are this thread's alone until recorded: no other
         * thread takes the point, and the main thread waits. */
        size_t n_ov = sweep_point_overrides(p->sw, i, ov, p->max_ov);
        struct point_setup ps;
        sweep_setup_point(p->sw, p->env, ov, n_ov, &ps);
        for (size_t rep = 0; rep < reps; rep++) {
            size_t u = i * reps + rep;
            if (p->sw->runs[u].done)
                continue;
            struct sweep_run r = {0};
            sweep_run_rep(&ps, p->sw->seeds[rep], reps > 1, &r);
            /* The line is built outside the lock; the runs array, the file
             * and the progress bar are written under it. */
            size_t len = 0;
            char *line = p->log_fd >= 0 ? sweep_run_line(p->sw, u, &r, ov, n_ov, &len) : NULL;
            pthread_mutex_lock(&p->lock);
            pool_record(p, u, &r, line, len);
            bool stop = p->status != SC_OK;
            pthread_mutex_unlock(&p->lock);
            free(line);
            if (stop)
                break;
        }
        sweep_setup_fini(&ps);
    }
    free(ov);
    return NULL;
}

enum sc_status sweep_run(struct sweep *sw, const struct sweep_env *env, size_t threads, int log_fd,
                         FILE *progress, struct diag *d)
{
    struct pool p = {.sw = sw, .env = env, .log_fd = log_fd, .progress = progress};
    diag_clear(&p.diag);
    size_t reps = sw->spec.replications;
    /* The queue holds points, each run whole by one thread (set up once,
     * then its replications); progress counts runs. */
    p.todo = malloc((sw->n_points + 1) * sizeof *p.todo);
    if (!p.todo)
        return sweep_no_memory(d);
    for (size_t i = 0; i < sw->n_points; i++) {
        if (!sw->points[i].in_scope)
            continue;
        size_t pending = 0;
        for (size_t r = 0; r < reps; r++)
            pending += !sw->runs[i * reps + r].done;
        if (pending > 0) {
            p.todo[p.n_points++] = i;
            p.n_todo += pending;
        }
    }
    if (p.n_todo == 0) {
        free(p.todo);
        return SC_OK;
    }
    p.max_ov = sweep_max_overrides(sw);
    p.start_s = p.last_sync_s = now_s();
    p.last_draw_s = 0.0;
    if (threads == 0)
        threads = 1;
    if (threads > p.n_points)
        threads = p.n_points;
    /* jansson seeds its hash function on first use; do it here, before
     * the threads race to. */
    json_object_seed(0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_t *tids = calloc(threads, sizeof *tids);
    size_t started = 0;
    if (tids)
        for (; started < threads; started++)
            if (pthread_create(&tids[started], NULL, pool_worker, &p) != 0)
                break;
    if (started == 0)
        pool_worker(&p); /* no thread to be had: run them here */
    for (size_t t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    pthread_mutex_destroy(&p.lock);
    free(p.todo);
    if (log_fd >= 0)
        fsync(log_fd);
    if (p.status != SC_OK) {
        *d = p.diag;
        return p.status;
    }
    return SC_OK;
}
