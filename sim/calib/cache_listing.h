/*
 * cache_listing.h — the calibration cache's entries as `stagecast calibrate
 * --show` lists them: one per file of the cache directory, saying what it
 * holds (a pipeline's fit, the host benchmark, the hash-table curve), when
 * and under what load it was measured, its figures and quality, and whether
 * this host, stagecast version and kernel version would use it. No scenario
 * is needed: it reads the files as they are (models/calib.h's envelope and
 * calibration's payloads, sim/calib/calibrate_measure.c).
 *
 * Ownership: cache_listing_read fills a struct cache_listing whose entries
 * the caller frees with cache_listing_free; the rest are values.
 */
#ifndef STAGECAST_CACHE_LISTING_H
#define STAGECAST_CACHE_LISTING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "models/calib.h"
#include "models/diag.h"

/* What a file holds, in the order the listing sorts them. */
enum cache_entry_kind {
    CACHE_ENTRY_HOST_BENCHMARK,
    CACHE_ENTRY_GROUP_CURVE,
    CACHE_ENTRY_PIPELINE,
    CACHE_ENTRY_OTHER,  /* a calibration file of a kind this version does not know */
    CACHE_ENTRY_CORRUPT /* not a calibration file, or a payload that does not read */
};

struct cache_entry {
    char file[256]; /* its name in the directory */
    enum cache_entry_kind kind;
    char what[200];      /* a pipeline's operators and tables; a benchmark's or curve's figures */
    char host[320];      /* who measured it: "" when unknown */
    char version[32];    /* stagecast version; "" when not recorded */
    long kernel_version; /* -1 when unknown */
    struct calib_measured at; /* utc "", load_1m NaN, clock NULL when not recorded */
    double ns_per_row;        /* a pipeline's fit at its largest sample; NaN otherwise */
    double ns_per_row_ci;     /* its 95% half-width; NaN */
    double r2;                /* NaN */
    const char *quality;      /* "good", "poor" (as stored), or NULL: not judged */
    bool usable;              /* this host, version and kernel version would read it */
    char why[320];            /* why not usable (a corrupt file: what is wrong); "" */
};

struct cache_listing {
    struct cache_entry *v;
    size_t n;
    size_t n_usable, n_poor, n_corrupt;
};

/* Reads every *.json file of dir (temporaries and other files are left
 * out) into l, sorted by kind, then what, then when measured, then file
 * name. A corrupt file is an entry, not an error. host (calib_host_id) and
 * version (PACKAGE_VERSION) say who would use them. SC_EIO when dir does
 * not exist or cannot be read (naming it), SC_ENOMEM. */
enum sc_status cache_listing_read(const char *dir, const char *host, const char *version,
                                  struct cache_listing *l, struct diag *d);

void cache_listing_free(struct cache_listing *l);

/* The listing as a table: a header naming dir and who is asking, one row
 * per entry, and a line of counts. */
void cache_listing_print(FILE *out, const struct cache_listing *l, const char *dir,
                         const char *host, const char *version);

/* The listing as JSON ({"cache_dir", "host", "stagecast_version",
 * "kernel_version", "entries": [...]}); the caller decrefs. NULL when out
 * of memory. */
json_t *cache_listing_json(const struct cache_listing *l, const char *dir, const char *host,
                           const char *version);

#endif
