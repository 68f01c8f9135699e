/*
 * hash64.h — 64-bit integer mixing for deriving seeds and hashing: the
 * splitmix64 generator's output function and its finaliser (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014;
 * the constants are Stafford's "Mix13"). Every input bit affects every
 * output bit, so consecutive inputs (job, stage, replication numbers) give
 * unrelated outputs.
 *
 * Pure functions, inline because they sit on per-block and per-task paths.
 */
#ifndef STAGECAST_HASH64_H
#define STAGECAST_HASH64_H

#include <stdint.h>

/* The increment splitmix64 adds to its state at each step: 2^64 over the
 * golden ratio, odd. */
#define HASH64_GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

/* splitmix64's finaliser alone: a bijection of 64-bit words with fmix(0) = 0. */
static inline uint64_t hash64_fmix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The value splitmix64 returns from state x: the finaliser of x plus the
 * golden gamma. From state 0 it gives 0xe220a8397b1dcdaf. */
static inline uint64_t hash64_splitmix(uint64_t x)
{
    return hash64_fmix(x + HASH64_GOLDEN_GAMMA);
}

/* A string's hash: FNV-1a over its bytes, then the finaliser so that the low
 * bits a power-of-two table uses depend on every byte. */
static inline uint64_t hash64_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return hash64_fmix(h);
}

#endif
