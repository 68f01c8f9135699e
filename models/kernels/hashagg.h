/*
 * hashagg.h — hash aggregation: GROUP BY keys with count(*), count(col),
 * sum, avg, min, max and count(DISTINCT col), in Spark's two phases.
 *
 * A PARTIAL aggregation (map side) turns raw rows into one row per group of
 * keys + intermediate buffers; the shuffle brings the partials of one key
 * together; a FINAL aggregation merges them into results. COMPLETE does both
 * at once (what a single-partition aggregate or a test reference needs).
 *
 * Partial layout, after the keys, per call: count -> count (int64);
 * sum -> sum (int64 for integer input, double for double; null while no
 * value); avg -> sum (double), count (int64); min/max -> value (input type,
 * null while none); count(DISTINCT c) -> the group's set of distinct values
 * of c, one element per row: a group with k > 1 values takes k rows, whose
 * first carries the other buffers and the rest carry neutral buffers (count
 * 0, null sum/min/max) so merging them changes nothing; a null element means
 * "no element". Final layout: keys, then one result per call: count int64,
 * sum int64/double, avg double, min/max input type, count distinct int64;
 * sum, avg, min and max are null for a group with no non-null value. With
 * no keys there is always exactly one output row (Spark's global aggregate).
 *
 * Ownership: a struct hashagg owns its table and buffers and keeps them
 * across hashagg_reset; output batches are the caller's (hashagg_output_new
 * makes one of the right layout, reusable across calls).
 */
#ifndef STAGECAST_KERNELS_HASHAGG_H
#define STAGECAST_KERNELS_HASHAGG_H

#include <stddef.h>

#include "models/batch.h"
#include "models/diag.h"

enum agg_func { AGG_COUNT_STAR, AGG_COUNT, AGG_SUM, AGG_AVG, AGG_MIN, AGG_MAX, AGG_COUNT_DISTINCT };
enum agg_mode { AGG_PARTIAL, AGG_FINAL, AGG_COMPLETE };

struct agg_call {
    enum agg_func func;
    int col;           /* column of the raw input; ignored by count(*) */
    const char *alias; /* output name; NULL = Spark's ("sum(salary)") */
};

struct agg_spec {
    const int *keys; /* columns of the raw input */
    size_t n_keys;
    const struct agg_call *calls;
    size_t n_calls;
};

struct hashagg;

/* An aggregation of spec in mode over input whose raw columns look like
 * schema's (only its types and names are read; in FINAL mode too, since the
 * buffer types follow the raw types). NULL with d filled on a bad spec
 * (SC_EINPUT) or no memory (SC_ENOMEM). */
struct hashagg *hashagg_new(const struct agg_spec *spec, enum agg_mode mode,
                            const struct batch *schema, struct diag *d);
void hashagg_free(struct hashagg *h);

/* An empty batch with room for cap_rows rows in the layout hashagg_emit
 * writes (partial layout for PARTIAL, final layout otherwise). Caller frees.
 * NULL when memory runs out. */
struct batch *hashagg_output_new(const struct hashagg *h, size_t cap_rows);

/* Folds all rows of in into the groups: raw rows (PARTIAL, COMPLETE) or
 * partial-layout rows (FINAL). SC_EINPUT if in's layout does not match,
 * SC_ENOMEM. */
enum sc_status hashagg_add(struct hashagg *h, const struct batch *in, struct diag *d);

/* Clears out and writes one row per group (more for count-distinct
 * partials), groups in first-seen order; fills st (may be NULL) with the
 * rows added since the last reset, rows written and their bytes. Out must
 * come from hashagg_output_new. SC_ENOMEM. */
enum sc_status hashagg_emit(struct hashagg *h, struct batch *out, struct kernel_stats *st,
                            struct diag *d);

/* Forgets every group, keeping memory for the next use. */
void hashagg_reset(struct hashagg *h);

/* Groups seen since the last reset. */
size_t hashagg_groups(const struct hashagg *h);

#endif
