/*
 * taskstats.c — streaming task run-time statistics (see taskstats.h).
 *
 * Exact quantiles by selection: a quantile at position q (n - 1) needs the
 * order statistics lo = floor(pos) and lo + 1. Hoare-style quickselect puts
 * the lo-th smallest value in place with everything after it no smaller, so
 * the (lo + 1)-th is the minimum of the rest: O(n) instead of the O(n log n)
 * of sorting a whole stage, and the interpolation is the same arithmetic
 * as results_quantile_sorted on the sorted seconds (microseconds to seconds
 * is monotone, so selecting on integers selects the same values).
 *
 * The sketch is DDSketch's (Masson, Rim and Lee, VLDB 2019): a value x > 0
 * goes to bucket ceil(log_gamma x); the bucket's estimate 2 gamma^i /
 * (gamma + 1) is within alpha of every value in it, relative. Rank queries
 * on the counts then give each order statistic within alpha, and a linear
 * interpolation of two such estimates is within alpha of the interpolated
 * true value. Buckets add, so sketches merge exactly.
 */
#include "sim/runtime/taskstats.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Bucket 0: zeros; bucket i >= 1: ceil(log_gamma x) = i - 1 for x >= 1.
 * x < 2^63 gives ceil(63 ln 2 / ln gamma) + 2 buckets. */
#define SKETCH_BINS 21840

static double sketch_log_gamma(void)
{
    return log((1.0 + TASKSTATS_SKETCH_ALPHA) / (1.0 - TASKSTATS_SKETCH_ALPHA));
}

static size_t sketch_bin(int64_t x_us, double ln_gamma)
{
    if (x_us <= 0)
        return 0;
    double i = ceil(log((double)x_us) / ln_gamma);
    size_t b = (size_t)(i < 0.0 ? 0.0 : i) + 1;
    return b < SKETCH_BINS ? b : SKETCH_BINS - 1;
}

static double sketch_value_us(size_t b, double ln_gamma)
{
    if (b == 0)
        return 0.0;
    double gamma = exp(ln_gamma);
    return 2.0 * exp((double)(b - 1) * ln_gamma) / (gamma + 1.0);
}

void taskstats_init(struct taskstats *s)
{
    memset(s, 0, sizeof *s);
}

void taskstats_fini(struct taskstats *s)
{
    free(s->v32);
    free(s->v64);
    free(s->bins);
    memset(s, 0, sizeof *s);
}

bool taskstats_exact(const struct taskstats *s)
{
    return s->bins == NULL;
}

static int grow(struct taskstats *s, size_t want)
{
    if (want <= s->cap)
        return 0;
    if (s->v64) {
        int64_t *v = realloc(s->v64, want * sizeof *v);
        if (!v)
            return -1;
        s->v64 = v;
    } else {
        uint32_t *v = realloc(s->v32, want * sizeof *v);
        if (!v)
            return -1;
        s->v32 = v;
    }
    s->cap = want;
    return 0;
}

int taskstats_reserve(struct taskstats *s, size_t n)
{
    if (s->bins)
        return 0;
    return grow(s, n < TASKSTATS_EXACT_MAX ? n : TASKSTATS_EXACT_MAX);
}

/* The exact values move into a new sketch; the buffers go. */
static int to_sketch(struct taskstats *s)
{
    s->bins = calloc(SKETCH_BINS, sizeof *s->bins);
    if (!s->bins)
        return -1;
    double lg = sketch_log_gamma();
    size_t n = (size_t)s->n;
    for (size_t i = 0; i < n; i++)
        s->bins[sketch_bin(s->v64 ? s->v64[i] : (int64_t)s->v32[i], lg)]++;
    free(s->v32);
    free(s->v64);
    s->v32 = NULL;
    s->v64 = NULL;
    s->cap = 0;
    return 0;
}

/* From 32-bit to 64-bit exact values (a run time of 2^32 us or more). */
static int widen(struct taskstats *s)
{
    int64_t *v = malloc((s->cap ? s->cap : 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < (size_t)s->n; i++)
        v[i] = s->v32[i];
    free(s->v32);
    s->v32 = NULL;
    s->v64 = v;
    if (!s->cap)
        s->cap = 1;
    return 0;
}

static void note(struct taskstats *s, int64_t dur_us)
{
    if (s->n == 0 || dur_us < s->min_us)
        s->min_us = dur_us;
    if (s->n == 0 || dur_us > s->max_us)
        s->max_us = dur_us;
    s->sum_us += dur_us;
    s->n++;
}

int taskstats_add(struct taskstats *s, int64_t dur_us)
{
    if (dur_us < 0)
        dur_us = 0;
    if (!s->bins && s->n == TASKSTATS_EXACT_MAX && to_sketch(s) != 0)
        return -1;
    if (s->bins) {
        s->bins[sketch_bin(dur_us, sketch_log_gamma())]++;
        note(s, dur_us);
        return 0;
    }
    if (!s->v64 && (uint64_t)dur_us > UINT32_MAX && widen(s) != 0)
        return -1;
    if ((size_t)s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        if (cap > TASKSTATS_EXACT_MAX)
            cap = TASKSTATS_EXACT_MAX;
        if (grow(s, cap) != 0)
            return -1;
    }
    if (s->v64)
        s->v64[s->n] = dur_us;
    else
        s->v32[s->n] = (uint32_t)dur_us;
    note(s, dur_us);
    return 0;
}

int taskstats_merge(struct taskstats *dst, const struct taskstats *src)
{
    if (src->n == 0)
        return 0;
    if (!dst->bins && !src->bins && dst->n + src->n <= TASKSTATS_EXACT_MAX) {
        for (int64_t i = 0; i < src->n; i++)
            if (taskstats_add(dst, src->v64 ? src->v64[i] : (int64_t)src->v32[i]) != 0)
                return -1;
        return 0;
    }
    if (!dst->bins && to_sketch(dst) != 0)
        return -1;
    double lg = sketch_log_gamma();
    if (src->bins) {
        for (size_t b = 0; b < SKETCH_BINS; b++)
            dst->bins[b] += src->bins[b];
    } else {
        for (int64_t i = 0; i < src->n; i++)
            dst->bins[sketch_bin(src->v64 ? src->v64[i] : (int64_t)src->v32[i], lg)]++;
    }
    if (dst->n == 0 || src->min_us < dst->min_us)
        dst->min_us = src->min_us;
    if (dst->n == 0 || src->max_us > dst->max_us)
        dst->max_us = src->max_us;
    dst->sum_us += src->sum_us;
    dst->n += src->n;
    return 0;
}

/* Quickselect (Hoare's FIND, in Wirth's form): the k-th smallest of v[0..n)
 * into v[k], everything before it no larger and everything after no
 * smaller. Median-of-three pivots. */
#define DEFINE_SELECT(name, T)                                                                     \
    static void name(T *v, size_t n, size_t k_)                                                    \
    {                                                                                              \
        ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, k = (ptrdiff_t)k_;                                \
        while (lo < hi) {                                                                          \
            T a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi];                                     \
            T pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));       \
            ptrdiff_t i = lo, j = hi;                                                              \
            while (i <= j) {                                                                       \
                while (v[i] < pivot)                                                               \
                    i++;                                                                           \
                while (v[j] > pivot)                                                               \
                    j--;                                                                           \
                if (i <= j) {                                                                      \
                    T t = v[i];                                                                    \
                    v[i++] = v[j];                                                                 \
                    v[j--] = t;                                                                    \
                }                                                                                  \
            }                                                                                      \
            /* v[lo..j] <= pivot <= v[i..hi], and v(j..i) == pivot. */                             \
            if (k <= j)                                                                            \
                hi = j;                                                                            \
            else if (k >= i)                                                                       \
                lo = i;                                                                            \
            else                                                                                   \
                return;                                                                            \
        }                                                                                          \
    }
DEFINE_SELECT(select32, uint32_t)
DEFINE_SELECT(select64, int64_t)

/* The order statistics lo and lo + 1 (clamped to n - 1) of the exact values,
 * in microseconds. */
static void exact_pair(struct taskstats *s, size_t lo, int64_t *a, int64_t *b)
{
    size_t n = (size_t)s->n;
    if (s->v64) {
        select64(s->v64, n, lo);
        *a = s->v64[lo];
        int64_t m = *a;
        if (lo + 1 < n) {
            m = s->v64[lo + 1];
            for (size_t i = lo + 2; i < n; i++)
                if (s->v64[i] < m)
                    m = s->v64[i];
        }
        *b = m;
    } else {
        select32(s->v32, n, lo);
        *a = s->v32[lo];
        int64_t m = *a;
        if (lo + 1 < n) {
            uint32_t mm = s->v32[lo + 1];
            for (size_t i = lo + 2; i < n; i++)
                if (s->v32[i] < mm)
                    mm = s->v32[i];
            m = mm;
        }
        *b = m;
    }
}

/* The estimate of order statistic k (0-based) from the sketch, clamped to
 * the exact min and max. */
static double sketch_rank_us(const struct taskstats *s, uint64_t k)
{
    double lg = sketch_log_gamma();
    uint64_t seen = 0;
    for (size_t b = 0; b < SKETCH_BINS; b++) {
        seen += s->bins[b];
        if (seen > k) {
            double v = sketch_value_us(b, lg);
            if (v < (double)s->min_us)
                v = (double)s->min_us;
            if (v > (double)s->max_us)
                v = (double)s->max_us;
            return v;
        }
    }
    return (double)s->max_us;
}

double taskstats_mean_s(const struct taskstats *s)
{
    /* Dividing by 1e6 (not multiplying by 1e-6) rounds the microseconds'
     * mean to seconds once, correctly. */
    return s->n ? (double)s->sum_us / (double)s->n / 1e6 : NAN;
}

double taskstats_quantile_s(struct taskstats *s, double q)
{
    if (s->n == 0)
        return NAN;
    size_t n = (size_t)s->n;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    double frac = pos - (double)lo;
    if (s->bins) {
        double a = sketch_rank_us(s, lo), b = lo + 1 < n ? sketch_rank_us(s, lo + 1) : a;
        return (a + frac * (b - a)) * 1e-6;
    }
    int64_t a_us, b_us;
    exact_pair(s, lo, &a_us, &b_us);
    /* The arithmetic of results_quantile_sorted on seconds. */
    double a = (double)a_us * 1e-6, b = (double)b_us * 1e-6;
    return a + frac * (b - a);
}
