/*
 * sweep_points.c — the points of a sweep: every combination of the axes'
 * choices, in mixed-radix order (the first axis outermost), each with its
 * overrides (fixed ones first), its key (the overrides joined, which
 * results-file lines are matched by) and the seeds all points share.
 * sweep_new expands a spec into points and runs; sweep_free releases them.
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/hash64.h"

uint64_t sweep_fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

size_t sweep_max_overrides(const struct sweep *sw)
{
    size_t n = sw->spec.n_fixed;
    for (size_t a = 0; a < sw->spec.n_axes; a++) {
        size_t m = 0;
        for (size_t c = 0; c < sw->spec.axes[a].n_choices; c++)
            if (sw->spec.axes[a].choices[c].n_overrides > m)
                m = sw->spec.axes[a].choices[c].n_overrides;
        n += m;
    }
    return n;
}

/* The choice point i takes on axis a: the point index is a mixed-radix
 * number whose first axis is the most significant digit. */
size_t sweep_point_choice(const struct sweep_spec *spec, size_t i, size_t axis)
{
    for (size_t a = spec->n_axes; a-- > axis + 1;)
        i /= spec->axes[a].n_choices;
    return i % spec->axes[axis].n_choices;
}

size_t sweep_point_overrides(const struct sweep *sw, size_t i, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t f = 0; f < sw->spec.n_fixed && n < cap; f++)
        out[n++] = sw->spec.fixed[f];
    for (size_t a = 0; a < sw->spec.n_axes; a++) {
        const struct sweep_choice *c =
            &sw->spec.axes[a].choices[sweep_point_choice(&sw->spec, i, a)];
        for (size_t k = 0; k < c->n_overrides && n < cap; k++)
            out[n++] = c->overrides[k];
    }
    return n;
}

/* The label point i shows for an axis name, or NULL when no axis has it. */
const char *sweep_point_label(const struct sweep *sw, size_t i, const char *axis)
{
    for (size_t a = 0; a < sw->spec.n_axes; a++)
        if (strcmp(sw->spec.axes[a].name, axis) == 0)
            return sw->spec.axes[a].choices[sweep_point_choice(&sw->spec, i, a)].label;
    return NULL;
}

char *sweep_join_key(const char *const *ov, size_t n)
{
    size_t len = 1;
    for (size_t k = 0; k < n; k++)
        len += strlen(ov[k]) + 1;
    char *key = malloc(len), *p = key;
    if (!key)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(ov[k]);
        memcpy(p, ov[k], l);
        p += l;
        if (k + 1 < n)
            *p++ = '\n';
    }
    *p = '\0';
    return key;
}

size_t sweep_find_point(const struct sweep *sw, const char *key)
{
    size_t mask = sw->key_slots - 1;
    for (size_t s = sweep_fnv1a(SWEEP_FNV_OFFSET, key, strlen(key)) & mask;; s = (s + 1) & mask) {
        size_t v = sw->key_table[s];
        if (v == 0)
            return SIZE_MAX;
        if (strcmp(sw->points[v - 1].key, key) == 0)
            return v - 1;
    }
}

void sweep_free(struct sweep *sw)
{
    if (!sw)
        return;
    for (size_t i = 0; i < sw->n_runs; i++) {
        free(sw->runs[i].error);
        free(sw->runs[i].cost_note);
    }
    for (size_t i = 0; i < sw->n_points; i++)
        free(sw->points[i].key);
    free(sw->runs);
    free(sw->points);
    free(sw->key_table);
    free(sw->seeds);
    sweep_spec_fini(&sw->spec);
    free(sw);
}

struct sweep *sweep_new(struct sweep_spec *spec, struct diag *d)
{
    struct sweep *sw = calloc(1, sizeof *sw);
    if (!sw) {
        sweep_spec_fini(spec);
        sweep_no_memory(d);
        return NULL;
    }
    sw->spec = *spec;
    memset(spec, 0, sizeof *spec);
    sw->recommended = SIZE_MAX;
    size_t n = 1;
    for (size_t a = 0; a < sw->spec.n_axes; a++) {
        size_t k = sw->spec.axes[a].n_choices;
        if (k == 0 || n > SWEEP_MAX_POINTS / k) {
            diag_set(d, SC_ELIMIT, NULL, 0, "the sweep has more than %d points", SWEEP_MAX_POINTS);
            sweep_free(sw);
            return NULL;
        }
        n *= k;
    }
    size_t reps = sw->spec.replications;
    if (reps == 0 || reps > SWEEP_MAX_REPLICATIONS || n > SWEEP_MAX_RUNS / reps) {
        diag_set(d, SC_ELIMIT, NULL, 0,
                 "%zu points x %zu replications is more than the %d runs a sweep may have", n, reps,
                 SWEEP_MAX_RUNS);
        sweep_free(sw);
        return NULL;
    }
    if (sw->spec.shard_count == 0)
        sw->spec.shard_count = 1;
    sw->n_points = n;
    sw->n_runs = n * reps;
    sw->points = calloc(n, sizeof *sw->points);
    sw->runs = calloc(sw->n_runs, sizeof *sw->runs);
    sw->seeds = calloc(reps, sizeof *sw->seeds);
    sw->key_slots = 16;
    while (sw->key_slots < 2 * n)
        sw->key_slots *= 2;
    sw->key_table = calloc(sw->key_slots, sizeof *sw->key_table);
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    if (!sw->points || !sw->runs || !sw->seeds || !sw->key_table || !ov) {
        free(ov);
        sweep_no_memory(d);
        sweep_free(sw);
        return NULL;
    }
    /* Replication 0 runs with the scenario's seed, so its numbers are what
     * `stagecast run` prints for the same overrides; replication r with a
     * mix of (seed, r), kept to 53 bits so that it prints exactly in JSON
     * and can be given back to `stagecast run --seed`. Every point uses the
     * same seeds: points differ by their cluster, not by their dice. */
    for (size_t r = 0; r < reps; r++) {
        uint64_t s =
            r == 0 ? sw->spec.seed
                   : hash64_fmix(sw->spec.seed + HASH64_GOLDEN_GAMMA * r) & ((1ULL << 53) - 1);
        for (size_t q = 0; q < r; q++)
            if (sw->seeds[q] == s) {
                s = (s + 1) & ((1ULL << 53) - 1);
                q = (size_t)-1; /* check again from the start */
            }
        sw->seeds[r] = s;
    }
    size_t mask = sw->key_slots - 1;
    for (size_t i = 0; i < n; i++) {
        struct sweep_point *p = &sw->points[i];
        p->index = i;
        p->in_scope = i % sw->spec.shard_count == sw->spec.shard_index;
        p->makespan_upper_s = NAN;
        p->meets_deadline = -1;
        size_t k = sweep_point_overrides(sw, i, ov, max_ov);
        p->key = sweep_join_key(ov, k);
        if (!p->key) {
            free(ov);
            sweep_no_memory(d);
            sweep_free(sw);
            return NULL;
        }
        size_t s = sweep_fnv1a(SWEEP_FNV_OFFSET, p->key, strlen(p->key)) & mask;
        while (sw->key_table[s] != 0) {
            if (strcmp(sw->points[sw->key_table[s] - 1].key, p->key) == 0)
                break; /* two axes giving the same overrides: the first point answers */
            s = (s + 1) & mask;
        }
        if (sw->key_table[s] == 0)
            sw->key_table[s] = i + 1;
    }
    free(ov);
    return sw;
}
