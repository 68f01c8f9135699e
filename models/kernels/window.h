/*
 * window.h — window functions over PARTITION BY + ORDER BY: row_number,
 * rank, sum and avg (Spark's WindowExec).
 *
 * Frames, as Spark defines them when the query names none: without ORDER BY
 * sum and avg cover the whole partition; with ORDER BY the frame is RANGE
 * BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW, a running total that includes
 * every peer of the current row (rows with equal ORDER BY values), so peers
 * share one value. row_number and rank need an ORDER BY (Spark rejects them
 * without). sum of integers is int64 (wrapping), of doubles double; avg is
 * double; both are null when the frame has no non-null value.
 *
 * Input must already be sorted by the partition keys then the order keys
 * (Spark puts a SortExec below every WindowExec; sortk_sort does it here).
 * Output: the input columns, then one column per function.
 */
#ifndef STAGECAST_KERNELS_WINDOW_H
#define STAGECAST_KERNELS_WINDOW_H

#include <stddef.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/kernels/sort.h"

enum window_func { WIN_ROW_NUMBER, WIN_RANK, WIN_SUM, WIN_AVG };

struct window_call {
    enum window_func func;
    int col;           /* sum, avg: the input column */
    const char *alias; /* output name; NULL = "row_number()", "sum(x)", ... */
};

struct window_spec {
    const int *partition_by;
    size_t n_partition;
    const struct sort_key *order_by;
    size_t n_order;
    const struct window_call *calls;
    size_t n_calls;
};

/* SC_EINPUT unless the columns exist, sum/avg read numbers and row_number/
 * rank have an ORDER BY. */
enum sc_status window_check(const struct window_spec *spec, const struct batch *in, struct diag *d);

/* An empty output batch for spec over in (names, types), room for cap_rows
 * rows. Caller frees; NULL when memory runs out. */
struct batch *window_output_new(const struct window_spec *spec, const struct batch *in,
                                size_t cap_rows);

/* Clears out and writes in's rows with the window columns; fills st.
 * SC_EINPUT, SC_ENOMEM. */
enum sc_status window_run(const struct window_spec *spec, const struct batch *in, struct batch *out,
                          struct kernel_stats *st, struct diag *d);

#endif
