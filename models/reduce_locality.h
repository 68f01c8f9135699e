/*
 * reduce_locality.h — where Spark would rather run a reduce task: on the
 * hosts holding a large share of its map output (MapOutputTracker's
 * getPreferredLocationsForShuffle and getLocationsWithLargestOutputs).
 * Pure arithmetic; the runtime (sim/runtime/locality.c) applies it.
 */
#ifndef STAGECAST_REDUCE_LOCALITY_H
#define STAGECAST_REDUCE_LOCALITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* MapOutputTracker's constants, the same from Spark 1.5 to 4. */
#define REDUCE_LOCALITY_MAP_THRESHOLD 1000    /* SHUFFLE_PREF_MAP_THRESHOLD */
#define REDUCE_LOCALITY_REDUCE_THRESHOLD 1000 /* SHUFFLE_PREF_REDUCE_THRESHOLD */
#define REDUCE_LOCALITY_FRACTION 0.2          /* REDUCER_PREF_LOCS_FRACTION */

/* Sets preferred[h] for each of the n hosts holding at least 20% of the
 * reducer's input (bytes[h] of it on host h), when enabled
 * (spark.shuffle.reduceLocality.enabled) and the shuffle has fewer than
 * 1000 map and 1000 reduce partitions; clears it for the others. Returns
 * how many hosts are preferred: 0 means the task prefers nothing. */
size_t reduce_locality_hosts(const double *bytes, size_t n, int64_t maps, int64_t reduces,
                             bool enabled, bool *preferred);

#endif
