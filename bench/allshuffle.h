/*
 * allshuffle.h — the all-to-all shuffle that bench_allshuffle (stagecast's
 * network model) and bench_allshuffle_simgrid (SimGrid) both simulate, so
 * that the two predictions and their costs can be set side by side.
 *
 * W workers, each with a NIC of NIC_BPS each way (two resources, out and
 * in) and a local disk of DISK_BPS. Mapper m runs on worker m % W and
 * reducer r on worker r % W. Reducer r fetches one block from every mapper:
 * from another worker through the source's out NIC and its own in NIC, from
 * its own worker through the local disk. Every resource is shared max-min
 * fairly among the transfers crossing it (stagecast's model; SimGrid's CM02
 * model with its TCP window bound and cross traffic turned off).
 *
 * Cases: "even" blocks (REDUCER_BYTES / M each), "uneven" blocks (sizes
 * from 0.25x to 1.75x the even size, and every tenth reducer's blocks four
 * times larger, as a skewed key would make them), and either every fetch
 * started at time 0 or, like Spark's reducers (maxReqsInFlight,
 * maxBytesInFlight), at most IN_FLIGHT fetches per reducer at a time, the
 * next one starting as one completes, mappers taken in the order r, r+1, ...
 * Block sizes are whole bytes (SimGrid's message sizes are integers).
 */
#ifndef STAGECAST_BENCH_ALLSHUFFLE_H
#define STAGECAST_BENCH_ALLSHUFFLE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALLSHUFFLE_NIC_BPS 1.5625e9 /* 12.5 Gbit/s */
#define ALLSHUFFLE_DISK_BPS 5e8
#define ALLSHUFFLE_REDUCER_BYTES (100.0 * 1048576.0) /* 100 MiB fetched by each reducer */
#define ALLSHUFFLE_IN_FLIGHT 5

struct allshuffle {
    int mappers, reducers, workers;
    int uneven;    /* 0: even blocks; 1: uneven and skewed */
    int in_flight; /* fetches per reducer at a time; 0: all at once */
};

/* Parses "M R W even|uneven all|limit"; returns 0, or -1 with a message. */
static inline int allshuffle_parse(struct allshuffle *c, int argc, char **argv)
{
    if (argc < 5)
        goto usage;
    c->mappers = atoi(argv[0]);
    c->reducers = atoi(argv[1]);
    c->workers = atoi(argv[2]);
    c->uneven = strcmp(argv[3], "uneven") == 0;
    c->in_flight = strcmp(argv[4], "limit") == 0 ? ALLSHUFFLE_IN_FLIGHT : 0;
    if (c->mappers < 1 || c->mappers > 100000 || c->reducers < 1 || c->reducers > 100000 ||
        c->workers < 1 || c->workers > 1000 || (!c->uneven && strcmp(argv[3], "even") != 0) ||
        (!c->in_flight && strcmp(argv[4], "all") != 0))
        goto usage;
    return 0;
usage:
    fprintf(stderr, "usage: MAPPERS REDUCERS WORKERS even|uneven all|limit\n");
    return -1;
}

static inline int allshuffle_mapper_worker(const struct allshuffle *c, int m)
{
    return m % c->workers;
}

static inline int allshuffle_reducer_worker(const struct allshuffle *c, int r)
{
    return r % c->workers;
}

/* The k-th mapper reducer r fetches from (k = 0 .. M-1). */
static inline int allshuffle_fetch_mapper(const struct allshuffle *c, int r, int k)
{
    return (int)(((int64_t)r + k) % c->mappers);
}

/* Bytes of the block mapper m writes for reducer r. */
static inline int64_t allshuffle_block_bytes(const struct allshuffle *c, int m, int r)
{
    double even = ALLSHUFFLE_REDUCER_BYTES / c->mappers;
    if (!c->uneven)
        return (int64_t)even;
    /* A fixed hash of (m, r) to [0, 1): the same sizes in both programs. */
    uint64_t h = ((uint64_t)m * 0x9e3779b97f4a7c15u) ^ ((uint64_t)r * 0xc2b2ae3d27d4eb4fu);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9u;
    h ^= h >> 29;
    double u = (double)(h >> 11) * 0x1p-53;
    double f = 0.25 + 1.5 * u;
    if (r % 10 == 0)
        f *= 4.0;
    return (int64_t)(even * f);
}

#endif
