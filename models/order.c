/*
 * order.c — value orderings shared by everyone who sorts (the results'
 * quantiles, calibration's medians, the report's task spreads, replay's and
 * the importer's statistics, the runtime's speculation medians, AQE's
 * partition medians and the benchmarks' medians).
 */
#include "models/order.h"

int order_double_asc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    /* Two comparisons rather than x - y: no overflow to infinity, no
     * rounding of a tiny difference to 0, and 0 for a NaN either side. */
    return (x > y) - (x < y);
}
