/*
 * bench_network.c — how fast the flow-level network model is. Prints
 * figures; never a pass/fail test.
 *
 *  1. shuffle: 100 workers with NICs of 1.25e9 B/s each way and a local SSD
 *     of 2e9 B/s. 800 reducers run at once (8 per node), each keeping 5
 *     fetches of 5-15 MB in flight to random source nodes (a fetch from its
 *     own node reads the local SSD instead of the network) and starting a
 *     new one as soon as one completes, until 200 GB have been requested.
 *     All flows form one connected component: every solve is a full one.
 *  2. scan: the same 100 nodes, 8 tasks each reading 128 MB splits from the
 *     node's SSD, 20,000 splits: 100 independent components, so each
 *     completion re-solves one node only.
 *
 * The model is driven as the simulator drives it: net_update after starts,
 * net_complete at each time it returns. Figures are medians of several runs
 * (the machine is shared). Usage: bench_network [runs]   (default 5)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "models/network.h"
#include "bench/timing.h"

#define WORKERS 100

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

struct cluster {
    struct net *net;
    int out[WORKERS], in[WORKERS], ssd[WORKERS];
};

static void cluster_init(struct cluster *c)
{
    c->net = net_new();
    for (int i = 0; i < WORKERS; i++) {
        c->out[i] = net_resource_add(c->net, 1.25e9);
        c->in[i] = net_resource_add(c->net, 1.25e9);
        c->ssd[i] = net_resource_add(c->net, 2e9);
    }
}

struct figures {
    double wall_s, sim_s;
    int64_t solves, completions;
    size_t peak_flows, peak_classes;
    double visited; /* classes visited per solve, mean */
};

/* ---- 1. shuffle ---------------------------------------------------------- */

struct shuffle {
    struct cluster cl;
    uint64_t rng;
    double requested, total;
    int64_t completions;
    double visited;
};

/* Reducer `owner` (an index cast to a pointer) starts one fetch. */
static void fetch(struct shuffle *s, intptr_t reducer, int64_t now_us)
{
    if (s->requested >= s->total)
        return;
    int dst = (int)(reducer % WORKERS);
    int src = (int)(next_random(&s->rng) % WORKERS);
    double bytes = 5e6 + (double)(next_random(&s->rng) % 10000000);
    s->requested += bytes;
    int path[2] = {s->cl.out[src], s->cl.in[dst]};
    if (src == dst)
        net_flow_start(s->cl.net, now_us, bytes, &s->cl.ssd[dst], 1, 1.0, (void *)reducer, 0);
    else
        net_flow_start(s->cl.net, now_us, bytes, path, 2, 1.0, (void *)reducer, 0);
}

static void fetch_done(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us)
{
    (void)tag;
    (void)flow;
    struct shuffle *s = ctx;
    s->completions++;
    fetch(s, (intptr_t)owner, now_us);
}

static struct figures run_shuffle(uint64_t seed)
{
    struct shuffle s = {.rng = seed, .total = 200e9};
    cluster_init(&s.cl);
    struct figures fig = {0};
    double t0 = bench_now_s();
    for (intptr_t r = 0; r < 800; r++)
        for (int k = 0; k < 5; k++)
            fetch(&s, r, 0);
    int64_t t = net_update(s.cl.net, 0), last = 0;
    while (t != INT64_MAX) {
        last = t;
        size_t flows = net_active_flows(s.cl.net), classes = net_active_classes(s.cl.net);
        if (flows > fig.peak_flows)
            fig.peak_flows = flows;
        if (classes > fig.peak_classes)
            fig.peak_classes = classes;
        t = net_complete(s.cl.net, t, fetch_done, &s);
        s.visited += (double)net_last_solve_classes(s.cl.net);
    }
    fig.wall_s = bench_now_s() - t0;
    fig.sim_s = (double)last * 1e-6;
    fig.solves = net_solves(s.cl.net);
    fig.completions = s.completions;
    fig.visited = s.visited / (double)(fig.solves > 1 ? fig.solves - 1 : 1);
    net_free(s.cl.net);
    return fig;
}

/* ---- 2. scan ------------------------------------------------------------- */

struct scan {
    struct cluster cl;
    int64_t splits_left, completions;
};

static void split_done(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us)
{
    (void)tag;
    (void)flow;
    struct scan *s = ctx;
    s->completions++;
    if (s->splits_left > 0) {
        s->splits_left--;
        intptr_t node = (intptr_t)owner;
        net_flow_start(s->cl.net, now_us, 128e6, &s->cl.ssd[node], 1, 1.0, owner, 0);
    }
}

static struct figures run_scan(void)
{
    struct scan s = {.splits_left = 20000};
    cluster_init(&s.cl);
    struct figures fig = {0};
    double visited = 0.0;
    double t0 = bench_now_s();
    for (intptr_t node = 0; node < WORKERS; node++)
        for (int k = 0; k < 8; k++) {
            s.splits_left--;
            /* Slightly different sizes so that nodes finish at different times. */
            net_flow_start(s.cl.net, 0, 128e6 + 1e3 * (double)(node * 8 + k), &s.cl.ssd[node], 1,
                           1.0, (void *)node, 0);
        }
    int64_t t = net_update(s.cl.net, 0), last = 0;
    while (t != INT64_MAX) {
        last = t;
        if (net_active_flows(s.cl.net) > fig.peak_flows)
            fig.peak_flows = net_active_flows(s.cl.net);
        if (net_active_classes(s.cl.net) > fig.peak_classes)
            fig.peak_classes = net_active_classes(s.cl.net);
        t = net_complete(s.cl.net, t, split_done, &s);
        visited += (double)net_last_solve_classes(s.cl.net);
    }
    fig.wall_s = bench_now_s() - t0;
    fig.sim_s = (double)last * 1e-6;
    fig.solves = net_solves(s.cl.net);
    fig.completions = s.completions;
    fig.visited = visited / (double)(fig.solves > 1 ? fig.solves - 1 : 1);
    net_free(s.cl.net);
    return fig;
}

static void report(const char *name, struct figures *runs, int n)
{
    double wall[64], ns_solve[64];
    for (int i = 0; i < n; i++) {
        wall[i] = runs[i].wall_s;
        ns_solve[i] = 1e9 * runs[i].wall_s / (double)runs[i].solves;
    }
    const struct figures *f = &runs[0];
    printf("%s: wall %.3f s (median of %d), %.0f ns per solve (all work / solves)\n", name,
           bench_median(wall, n), n, bench_median(ns_solve, n));
    printf("  simulated %.3f s, %lld solves, %lld completions, peak %zu flows in %zu classes,\n"
           "  %.0f classes visited per solve\n",
           f->sim_s, (long long)f->solves, (long long)f->completions, f->peak_flows,
           f->peak_classes, f->visited);
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || runs > 64)
        runs = 5;
    struct figures fig[64];

    for (int i = 0; i < runs; i++)
        fig[i] = run_shuffle(42);
    report("shuffle 100 workers, 800 reducers x 5 fetches, 200 GB", fig, runs);

    for (int i = 0; i < runs; i++)
        fig[i] = run_scan();
    report("scan 100 nodes x 8 tasks from local SSD, 20,000 splits", fig, runs);
    return 0;
}
