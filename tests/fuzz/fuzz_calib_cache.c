/*
 * fuzz_calib_cache.c — libFuzzer harness for the calibration cache reader:
 * the input is one cache file, read three ways: as calibration looks a
 * fit up (calib_cache_load, the file at the name its key hashes to, and a
 * hit's payload decoded as a stage's measurement), as `stagecast calibrate
 * --show` lists the directory (every payload kind decoded, printed as a
 * table and as JSON), and as the envelope alone (calib_cache_read_file).
 *
 * Bounds: inputs over FUZZ_MAX_INPUT are skipped.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "models/calib.h"
#include "sim/calib/cache_listing.h"
#include "sim/calib/calibrate_internal.h"
#include "tests/fuzz/fuzz_harness.h"

/* Who asks: fixed, so that the seed corpus's files are hits on any
 * machine (tests/fuzz/corpus/calib_cache/ is written for them). */
#define HOST "fuzz host x 2 cores"
#define KEY "fuzz pipeline"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    char dir[4096], name[4096];
    snprintf(dir, sizeof dir, "%s/cache", fuzz_tmp_dir());
    /* The file at the name calibration would look for KEY under. */
    calib_cache_path(dir, HOST, PACKAGE_VERSION, KEY, name, sizeof name);
    const char *base = strrchr(name, '/');
    char rel[300];
    snprintf(rel, sizeof rel, "cache/%.256s", base ? base + 1 : name);
    const char *path = fuzz_tmp_write(rel, data, size);

    json_t *payload = NULL;
    char why[512];
    if (calib_cache_load(dir, HOST, PACKAGE_VERSION, KEY, &payload, why, sizeof why) ==
        CALIB_CACHE_HIT) {
        fuzz_note("a hit", NULL);
        struct meas *m = calloc(1, sizeof *m);
        if (m)
            (void)calibrate_meas_from_json(payload, m);
        free(m);
    }
    json_decref(payload);

    struct cache_listing l;
    memset(&l, 0, sizeof l);
    struct diag d;
    diag_clear(&d);
    if (cache_listing_read(dir, HOST, PACKAGE_VERSION, &l, &d) == SC_OK) {
        cache_listing_print(fuzz_sink(), &l, dir, HOST, PACKAGE_VERSION);
        json_t *j = cache_listing_json(&l, dir, HOST, PACKAGE_VERSION);
        if (j) {
            char *s = json_dumps(j, 0);
            free(s);
        }
        json_decref(j);
    }
    cache_listing_free(&l);

    struct calib_cache_file f;
    memset(&f, 0, sizeof f);
    (void)calib_cache_read_file(path, &f, why, sizeof why);
    json_decref(f.key);
    json_decref(f.payload);
    return 0;
}
