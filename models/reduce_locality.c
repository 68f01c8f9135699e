/*
 * reduce_locality.c — a reduce task's preferred hosts, as Spark's
 * MapOutputTracker computes them. Above the thresholds Spark does not look
 * (finding the top locations gets expensive, and beyond 2000 partitions
 * the map statuses no longer hold each block's size); below, a host is
 * preferred when its blocks for the reducer are at least the fraction of
 * the reducer's total (size / total >= 0.2), so at most five are.
 */
#include "models/reduce_locality.h"

size_t reduce_locality_hosts(const double *bytes, size_t n, int64_t maps, int64_t reduces,
                             bool enabled, bool *preferred)
{
    double total = 0.0;
    for (size_t h = 0; h < n; h++) {
        preferred[h] = false;
        total += bytes[h] > 0.0 ? bytes[h] : 0.0;
    }
    if (!enabled || maps >= REDUCE_LOCALITY_MAP_THRESHOLD ||
        reduces >= REDUCE_LOCALITY_REDUCE_THRESHOLD || !(total > 0.0))
        return 0;
    size_t k = 0;
    for (size_t h = 0; h < n; h++)
        if (bytes[h] / total >= REDUCE_LOCALITY_FRACTION) {
            preferred[h] = true;
            k++;
        }
    return k;
}
