/*
 * bench_allshuffle_simgrid.c — the all-to-all shuffle of bench/allshuffle.h
 * simulated by SimGrid (its C API), to compare with stagecast's network
 * model on the same cases (bench/bench_simgrid.sh). Built only when
 * configure finds SimGrid; never a pass/fail test.
 *
 * The platform is written to a temporary XML file: one zone with full
 * routing, per worker a host, an "out" and an "in" link of the NIC's
 * bandwidth and a "disk" link, all with zero latency and SimGrid's default
 * (max-min shared) policy; the route from worker a to b is out-a, in-b, and
 * from a worker to itself its disk. SimGrid runs CM02, its max-min model
 * without the LV08 factors, with the TCP window bound (TCP-gamma) and the
 * cross traffic of acknowledgements turned off: the sharing stagecast
 * models.
 *
 * Actors: one server per worker and one per reducer. With every fetch at
 * once, each server sends all its blocks at time 0 (detached puts: a
 * detached comm must be detached before it starts, hence put_init) and each
 * reducer posts one receive per block and waits for all. With fetch limits,
 * a reducer keeps IN_FLIGHT receives posted and as many requests sent (a
 * request is a message of 0 bytes to the source worker's server, which
 * answers with the block); when one block arrives it asks for the next.
 *
 * Usage: bench_allshuffle_simgrid MAPPERS REDUCERS WORKERS even|uneven all|limit
 * [SIMGRID_OPTION...] Prints one line: makespan_s=... cpu_s=... elapsed_s=... flows=...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/engine.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>

#include "bench/allshuffle.h"
#include "bench/timing.h"

struct request {
    int reducer;
    int64_t bytes;
};

static struct allshuffle g_case;    /* read-only once the actors run */
static sg_mailbox_t *g_server_box;  /* by worker */
static sg_mailbox_t *g_reducer_box; /* by reducer */
static struct request *g_requests;  /* by reducer x IN_FLIGHT slot */
static void *g_sink;                /* where received payloads land */
static long long g_flows;

/* With every fetch at once: worker w's server sends every block it holds. */
static void server_push_all(int argc, char **argv)
{
    (void)argc;
    int w = atoi(argv[1]);
    const struct allshuffle *c = &g_case;
    for (int m = w; m < c->mappers; m += c->workers)
        for (int r = 0; r < c->reducers; r++) {
            long bytes = (long)allshuffle_block_bytes(c, m, r);
            sg_comm_detach(sg_mailbox_put_init(g_reducer_box[r], &g_sink, bytes), NULL);
        }
}

/* With fetch limits: worker w's server answers each request with its block. */
static void server_on_request(int argc, char **argv)
{
    (void)argc;
    int w = atoi(argv[1]);
    for (;;) {
        const struct request *q = sg_mailbox_get(g_server_box[w]);
        sg_comm_detach(sg_mailbox_put_init(g_reducer_box[q->reducer], &g_sink, (long)q->bytes),
                       NULL);
    }
}

static void reducer_all(int argc, char **argv)
{
    (void)argc;
    int r = atoi(argv[1]);
    const struct allshuffle *c = &g_case;
    sg_comm_t *comms = malloc((size_t)c->mappers * sizeof *comms);
    if (!comms)
        abort();
    for (int m = 0; m < c->mappers; m++)
        comms[m] = sg_mailbox_get_async(g_reducer_box[r], &g_sink);
    sg_comm_wait_all(comms, (size_t)c->mappers);
    free(comms);
}

/* Reducer r asks for its k-th block, which will land in receive `slot`. */
static void request_block(int r, int k, int slot)
{
    const struct allshuffle *c = &g_case;
    int m = allshuffle_fetch_mapper(c, r, k);
    struct request *q = &g_requests[(size_t)r * ALLSHUFFLE_IN_FLIGHT + (size_t)slot];
    q->reducer = r;
    q->bytes = allshuffle_block_bytes(c, m, r);
    sg_comm_detach(sg_mailbox_put_init(g_server_box[allshuffle_mapper_worker(c, m)], q, 0), NULL);
}

static void reducer_limited(int argc, char **argv)
{
    (void)argc;
    int r = atoi(argv[1]);
    const struct allshuffle *c = &g_case;
    sg_comm_t comms[ALLSHUFFLE_IN_FLIGHT];
    int n = 0, next = 0;
    while (n < c->in_flight && next < c->mappers) {
        comms[n] = sg_mailbox_get_async(g_reducer_box[r], &g_sink);
        request_block(r, next++, n);
        n++;
    }
    while (n > 0) {
        ssize_t i = sg_comm_wait_any(comms, (size_t)n);
        if (i < 0)
            abort();
        if (next < c->mappers) {
            comms[i] = sg_mailbox_get_async(g_reducer_box[r], &g_sink);
            request_block(r, next++, (int)i);
        } else {
            comms[i] = comms[--n];
        }
    }
}

/* The platform of allshuffle.h as SimGrid XML; returns 0 or -1. */
static int write_platform(const char *path, const struct allshuffle *c)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "<?xml version='1.0'?>\n"
               "<!DOCTYPE platform SYSTEM \"https://simgrid.org/simgrid.dtd\">\n"
               "<platform version=\"4.1\">\n<zone id=\"shuffle\" routing=\"Full\">\n");
    for (int w = 0; w < c->workers; w++)
        fprintf(f, "<host id=\"w%d\" speed=\"1Gf\"/>\n", w);
    for (int w = 0; w < c->workers; w++)
        fprintf(f,
                "<link id=\"out%d\" bandwidth=\"%.0fBps\" latency=\"0s\"/>\n"
                "<link id=\"in%d\" bandwidth=\"%.0fBps\" latency=\"0s\"/>\n"
                "<link id=\"disk%d\" bandwidth=\"%.0fBps\" latency=\"0s\"/>\n",
                w, ALLSHUFFLE_NIC_BPS, w, ALLSHUFFLE_NIC_BPS, w, ALLSHUFFLE_DISK_BPS);
    for (int a = 0; a < c->workers; a++)
        for (int b = 0; b < c->workers; b++) {
            if (a == b)
                fprintf(f, "<route src=\"w%d\" dst=\"w%d\"><link_ctn id=\"disk%d\"/></route>\n", a,
                        a, a);
            else
                fprintf(f,
                        "<route src=\"w%d\" dst=\"w%d\" symmetrical=\"NO\">"
                        "<link_ctn id=\"out%d\"/><link_ctn id=\"in%d\"/></route>\n",
                        a, b, a, b);
        }
    fprintf(f, "</zone>\n</platform>\n");
    return fclose(f) == 0 ? 0 : -1;
}

static void start_actor(const char *name, int index, sg_host_t host, void (*code)(int, char **),
                        int daemon)
{
    char arg[16];
    snprintf(arg, sizeof arg, "%d", index);
    const char *argv[] = {name, arg};
    sg_actor_t a = sg_actor_init(name, host);
    sg_actor_set_stacksize(a, 64 * 1024);
    sg_actor_start_(a, code, 2, argv);
    if (daemon)
        sg_actor_daemonize(a);
}

int main(int argc, char **argv)
{
    struct allshuffle *c = &g_case;
    if (allshuffle_parse(c, argc - 1, argv + 1))
        return 2;
    double cpu0 = bench_cpu_s(), t0 = bench_now_s();

    char platform[] = "/tmp/allshuffle-platform-XXXXXX";
    int fd = mkstemp(platform);
    if (fd < 0 || close(fd) || write_platform(platform, c)) {
        fprintf(stderr, "bench_allshuffle_simgrid: cannot write the platform file\n");
        return 1;
    }
    /* SimGrid's options, then any given after the case (e.g. --cfg=...,
     * which come later and so win). */
    char *sg_argv[16] = {argv[0], "--cfg=network/model:CM02", "--cfg=network/TCP-gamma:0",
                         "--cfg=network/crosstraffic:0", "--log=root.thres:critical"};
    int sg_argc = 5;
    for (int i = 6; i < argc && sg_argc < 15; i++)
        sg_argv[sg_argc++] = argv[i];
    sg_argv[sg_argc] = NULL;
    simgrid_init(&sg_argc, sg_argv);
    simgrid_load_platform(platform);
    unlink(platform);

    g_server_box = malloc((size_t)c->workers * sizeof *g_server_box);
    g_reducer_box = malloc((size_t)c->reducers * sizeof *g_reducer_box);
    g_requests = malloc((size_t)c->reducers * ALLSHUFFLE_IN_FLIGHT * sizeof *g_requests);
    if (!g_server_box || !g_reducer_box || !g_requests) {
        fprintf(stderr, "bench_allshuffle_simgrid: out of memory\n");
        return 1;
    }
    char name[32];
    for (int w = 0; w < c->workers; w++) {
        snprintf(name, sizeof name, "server%d", w);
        g_server_box[w] = sg_mailbox_by_name(name);
        snprintf(name, sizeof name, "w%d", w);
        start_actor(name, w, sg_host_by_name(name),
                    c->in_flight ? server_on_request : server_push_all, c->in_flight != 0);
    }
    for (int r = 0; r < c->reducers; r++) {
        snprintf(name, sizeof name, "reducer%d", r);
        g_reducer_box[r] = sg_mailbox_by_name(name);
        char host[16];
        snprintf(host, sizeof host, "w%d", allshuffle_reducer_worker(c, r));
        start_actor(name, r, sg_host_by_name(host), c->in_flight ? reducer_limited : reducer_all,
                    0);
    }
    g_flows = (long long)c->mappers * c->reducers;
    simgrid_run();
    double makespan = simgrid_get_clock();
    double cpu = bench_cpu_s() - cpu0, elapsed = bench_now_s() - t0;
    printf("makespan_s=%.6f cpu_s=%.3f elapsed_s=%.3f flows=%lld\n", makespan, cpu, elapsed,
           g_flows);
    fflush(stdout);
    free(g_server_box);
    free(g_reducer_box);
    free(g_requests);
    return 0;
}
