/*
 * limit.c — LIMIT (see limit.h): LocalLimitExec in each task, then
 * GlobalLimitExec or CollectLimitExec on one partition. It is the cheapest
 * kernel (a copy of at most n rows); in the flow its use is to stop a stage
 * early, which the planner accounts for, and to price the copy.
 */
#include "models/kernels/limit.h"

enum sc_status limit_take(const struct batch *in, int64_t *remaining, struct batch *out,
                          struct kernel_stats *st, struct diag *d)
{
    if (*remaining < 0)
        return diag_set(d, SC_EINPUT, NULL, 0, "a limit cannot be negative");
    size_t take = (uint64_t)*remaining < in->n_rows ? (size_t)*remaining : in->n_rows;
    if (batch_append(out, in, 0, take) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0,
                        "cannot append limited rows (out of memory or wrong output layout)");
    *remaining -= (int64_t)take;
    if (st) {
        st->rows_in = (int64_t)in->n_rows;
        st->rows_out = (int64_t)take;
        st->bytes_out = batch_bytes(out);
    }
    return SC_OK;
}
