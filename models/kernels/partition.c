/*
 * partition.c — the map side of Spark's ShuffleExchangeExec (see
 * partition.h): HashPartitioning and RangePartitioning decide each row's
 * reducer. The calibrator runs it on sample rows to price a shuffle write,
 * and the simulator uses the same hash to turn a key distribution into
 * partition sizes, so a hot key makes the straggler it makes on a cluster.
 *
 * Both partitionings end in the same stable counting sort: count rows per
 * partition, prefix-sum into offsets, then place rows in input order.
 */
#include "models/kernels/partition.h"

#include <stdlib.h>
#include <string.h>

#include "models/kernels/murmur3.h"

struct partition_map *partition_map_new(void)
{
    return calloc(1, sizeof(struct partition_map));
}

void partition_map_free(struct partition_map *m)
{
    if (!m)
        return;
    free(m->offsets);
    free(m->rows);
    free(m->part);
    free(m->hash);
    free(m);
}

static int map_reserve(struct partition_map *m, size_t rows, size_t parts)
{
    if (rows > m->cap_rows) {
        size_t cap = m->cap_rows ? m->cap_rows : 1024;
        while (cap < rows)
            cap *= 2;
        size_t *r = realloc(m->rows, cap * sizeof *r);
        if (r)
            m->rows = r;
        uint32_t *p = realloc(m->part, cap * sizeof *p);
        if (p)
            m->part = p;
        int32_t *h = realloc(m->hash, cap * sizeof *h);
        if (h)
            m->hash = h;
        if (!r || !p || !h)
            return -1;
        m->cap_rows = cap;
    }
    if (parts + 1 > m->cap_parts) {
        size_t *o = realloc(m->offsets, (parts + 1) * sizeof *o);
        if (!o)
            return -1;
        m->offsets = o;
        m->cap_parts = parts + 1;
    }
    return 0;
}

/* Stable counting sort of rows by m->part. */
static void group_rows(struct partition_map *m)
{
    size_t *off = m->offsets;
    memset(off, 0, (m->n_parts + 1) * sizeof *off);
    for (size_t r = 0; r < m->n_rows; r++)
        off[m->part[r] + 1]++;
    for (size_t p = 0; p < m->n_parts; p++)
        off[p + 1] += off[p];
    /* off[p] serves as partition p's cursor, then is restored. */
    for (size_t r = 0; r < m->n_rows; r++)
        m->rows[off[m->part[r]]++] = r;
    for (size_t p = m->n_parts; p > 0; p--)
        off[p] = off[p - 1];
    off[0] = 0;
}

enum sc_status partition_hash(const struct batch *b, const int *keys, size_t n_keys, size_t n_parts,
                              struct partition_map *m, struct diag *d)
{
    if (n_parts == 0 || n_parts > INT32_MAX)
        return diag_set(d, SC_EINPUT, NULL, 0, "cannot hash into %zu partitions", n_parts);
    for (size_t k = 0; k < n_keys; k++)
        if (keys[k] < 0 || (size_t)keys[k] >= b->n_cols)
            return diag_set(d, SC_EINPUT, NULL, 0, "partition key column %d out of range", keys[k]);
    if (map_reserve(m, b->n_rows ? b->n_rows : 1, n_parts) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory partitioning %zu rows", b->n_rows);
    m->n_parts = n_parts;
    m->n_rows = b->n_rows;
    murmur3_hash_rows(b, keys, n_keys, MURMUR3_SPARK_SEED, m->hash);
    for (size_t r = 0; r < b->n_rows; r++)
        m->part[r] = murmur3_pmod(m->hash[r], (uint32_t)n_parts);
    group_rows(m);
    return SC_OK;
}

/* Compares row r of b (key columns from spec) with bound row j (columns
 * 0..n_keys-1). */
static int cmp_bound(const struct batch *b, size_t r, const struct sort_spec *spec,
                     const struct batch *bounds, size_t j)
{
    for (size_t k = 0; k < spec->n_keys; k++) {
        int c =
            sortk_compare_key(&b->cols[spec->keys[k].col], r, &bounds->cols[k], j, &spec->keys[k]);
        if (c)
            return c;
    }
    return 0;
}

static enum sc_status check_bounds(const struct batch *b, const struct sort_spec *spec,
                                   const struct batch *bounds, struct diag *d)
{
    enum sc_status s = sortk_check(b, spec, d);
    if (s != SC_OK)
        return s;
    if (bounds->n_cols != spec->n_keys)
        return diag_set(d, SC_EINPUT, NULL, 0, "range bounds have %zu columns for %zu keys",
                        bounds->n_cols, spec->n_keys);
    for (size_t k = 0; k < spec->n_keys; k++)
        if (col_type_storage(bounds->cols[k].type) !=
            col_type_storage(b->cols[spec->keys[k].col].type))
            return diag_set(d, SC_EINPUT, NULL, 0, "range bound column %zu has the wrong type", k);
    return SC_OK;
}

enum sc_status partition_range(const struct batch *b, const struct sort_spec *spec,
                               const struct batch *bounds, struct partition_map *m, struct diag *d)
{
    enum sc_status s = check_bounds(b, spec, bounds, d);
    if (s != SC_OK)
        return s;
    size_t n_parts = bounds->n_rows + 1;
    if (map_reserve(m, b->n_rows ? b->n_rows : 1, n_parts) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory partitioning %zu rows", b->n_rows);
    m->n_parts = n_parts;
    m->n_rows = b->n_rows;
    for (size_t r = 0; r < b->n_rows; r++) {
        /* First bound the row does not sort after: bounds are inclusive
         * upper limits, so a key equal to bound j goes to partition j. */
        size_t lo = 0, hi = bounds->n_rows;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_bound(b, r, spec, bounds, mid) > 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        m->part[r] = (uint32_t)lo;
        m->hash[r] = 0;
    }
    group_rows(m);
    return SC_OK;
}

enum sc_status partition_pick_bounds(const struct batch *sorted, const struct sort_spec *spec,
                                     size_t n_parts, struct batch *bounds, struct diag *d)
{
    enum sc_status s = check_bounds(sorted, spec, bounds, d);
    if (s != SC_OK)
        return s;
    batch_clear(bounds);
    size_t n = sorted->n_rows;
    if (n_parts < 2 || n == 0)
        return SC_OK;
    for (size_t j = 1; j < n_parts; j++) {
        /* the row at rank ceil(j * n / n_parts) - 1 closes partition j-1 */
        size_t rank = (j * n + n_parts - 1) / n_parts;
        size_t r = rank ? rank - 1 : 0;
        if (bounds->n_rows > 0 && cmp_bound(sorted, r, spec, bounds, bounds->n_rows - 1) <= 0)
            continue; /* bounds stay strictly increasing */
        if (batch_ensure(bounds, bounds->n_rows + 1) != 0)
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory picking range bounds");
        for (size_t k = 0; k < spec->n_keys; k++)
            if (column_gather(&bounds->cols[k], bounds->cap_rows, bounds->n_rows,
                              &sorted->cols[spec->keys[k].col], &r, 1) != 0)
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory picking range bounds");
        bounds->n_rows++;
    }
    return SC_OK;
}
