/*
 * bench_allshuffle.c — the all-to-all shuffle of bench/allshuffle.h through
 * stagecast's network model alone (models/network.c), driven as the
 * simulator drives it but exactly (no completion quantum: net_complete at
 * every time net_update returns). Prints the predicted makespan and the CPU
 * time; bench/bench_simgrid.sh sets it beside SimGrid's prediction of the
 * same shuffle (bench_allshuffle_simgrid). Never a pass/fail test.
 *
 * Usage: bench_allshuffle MAPPERS REDUCERS WORKERS even|uneven all|limit
 * Prints one line: makespan_s=... cpu_s=... elapsed_s=... flows=...
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench/allshuffle.h"
#include "bench/timing.h"
#include "models/network.h"

struct run {
    const struct allshuffle *c;
    struct net *net;
    int *out, *in, *disk; /* resource ids by worker */
    int *next;            /* by reducer: the next of its fetches to start */
    int64_t flows;
};

/* Reducer r starts its next fetch, if it has one left. */
static int fetch_next(struct run *s, int r, int64_t now_us)
{
    const struct allshuffle *c = s->c;
    if (s->next[r] >= c->mappers)
        return 0;
    int m = allshuffle_fetch_mapper(c, r, s->next[r]++);
    int src = allshuffle_mapper_worker(c, m), dst = allshuffle_reducer_worker(c, r);
    double bytes = (double)allshuffle_block_bytes(c, m, r);
    int path[2] = {s->out[src], s->in[dst]};
    int f =
        src == dst
            ? net_flow_start(s->net, now_us, bytes, &s->disk[dst], 1, 1.0, (void *)(intptr_t)r, 0)
            : net_flow_start(s->net, now_us, bytes, path, 2, 1.0, (void *)(intptr_t)r, 0);
    if (f < 0)
        return -1;
    s->flows++;
    return 0;
}

static void fetch_done(void *ctx, void *owner, uint64_t tag, int flow, int64_t now_us)
{
    (void)tag;
    (void)flow;
    struct run *s = ctx;
    if (s->c->in_flight && fetch_next(s, (int)(intptr_t)owner, now_us))
        s->flows = -1;
}

int main(int argc, char **argv)
{
    struct allshuffle c;
    if (allshuffle_parse(&c, argc - 1, argv + 1))
        return 2;
    double cpu0 = bench_cpu_s(), t0 = bench_now_s();
    struct run s = {.c = &c, .net = net_new()};
    s.out = malloc(3 * (size_t)c.workers * sizeof *s.out);
    s.next = calloc((size_t)c.reducers, sizeof *s.next);
    if (!s.net || !s.out || !s.next) {
        fprintf(stderr, "bench_allshuffle: out of memory\n");
        return 1;
    }
    s.in = s.out + c.workers;
    s.disk = s.in + c.workers;
    for (int w = 0; w < c.workers; w++) {
        s.out[w] = net_resource_add(s.net, ALLSHUFFLE_NIC_BPS);
        s.in[w] = net_resource_add(s.net, ALLSHUFFLE_NIC_BPS);
        s.disk[w] = net_resource_add(s.net, ALLSHUFFLE_DISK_BPS);
    }
    int per_reducer = c.in_flight ? c.in_flight : c.mappers;
    for (int r = 0; r < c.reducers; r++)
        for (int k = 0; k < per_reducer; k++)
            if (fetch_next(&s, r, 0)) {
                fprintf(stderr, "bench_allshuffle: cannot start a flow\n");
                return 1;
            }
    int64_t t = net_update(s.net, 0), last = 0;
    while (t != INT64_MAX) {
        last = t;
        t = net_complete(s.net, t, fetch_done, &s);
    }
    if (s.flows < 0 || net_active_flows(s.net) != 0) {
        fprintf(stderr, "bench_allshuffle: flows left over\n");
        return 1;
    }
    double cpu = bench_cpu_s() - cpu0, elapsed = bench_now_s() - t0;
    printf("makespan_s=%.6f cpu_s=%.3f elapsed_s=%.3f flows=%lld solves=%lld\n",
           (double)last * 1e-6, cpu, elapsed, (long long)s.flows, (long long)net_solves(s.net));
    net_free(s.net);
    free(s.out);
    free(s.next);
    return 0;
}
