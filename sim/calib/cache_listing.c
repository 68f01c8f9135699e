/*
 * cache_listing.c — the calibration cache's entries (see cache_listing.h):
 * each file read as models/calib.c wrote it and its payload as calibration
 * did (calibrate_measure.c for a pipeline's, calibrate.c for the host
 * benchmark's, calibrate_cost.c for the hash-table curve's), so that what
 * it lists is what a run would read. It sits beside the flow, not in it:
 * `stagecast calibrate --show` needs no scenario.
 */
#include "sim/calib/cache_listing.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/calib/calibrate_internal.h"

static const char *kind_name(enum cache_entry_kind k)
{
    switch (k) {
    case CACHE_ENTRY_HOST_BENCHMARK: return "host_benchmark";
    case CACHE_ENTRY_GROUP_CURVE: return "hash_table_curve";
    case CACHE_ENTRY_PIPELINE: return "pipeline";
    case CACHE_ENTRY_OTHER: return "other";
    case CACHE_ENTRY_CORRUPT: return "corrupt";
    }
    return "?";
}

/* The tables a pipeline's key reads ("table NAME rows ..." lines), after
 * its operators: "scan>filter>agg>exchange [sales, stores]". */
static void pipeline_what(char *buf, size_t size, const char *pipeline, const char *key)
{
    size_t n = (size_t)snprintf(buf, size, "%s", pipeline);
    int tables = 0;
    for (const char *p = key; p && *p && n < size; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, "table ", 6) != 0)
            continue;
        size_t len = strcspn(p + 6, " \n");
        n += (size_t)snprintf(buf + n, size - n, "%s%.*s", tables++ ? ", " : " [", (int)len, p + 6);
    }
    if (tables && n < size)
        snprintf(buf + n, size - n, "]");
}

static void set_corrupt(struct cache_entry *e, const char *why)
{
    e->kind = CACHE_ENTRY_CORRUPT;
    e->ns_per_row = e->ns_per_row_ci = e->r2 = NAN;
    e->quality = NULL;
    e->what[0] = '\0';
    snprintf(e->why, sizeof e->why, "%.300s", why);
}

/* A pipeline's payload: its fit at the largest sample, and its quality as
 * stored. -1 when it does not read as calibration wrote it. */
static int read_pipeline(struct cache_entry *e, const json_t *payload, const char *key)
{
    struct meas *m = malloc(sizeof *m);
    if (!m || calibrate_meas_from_json(payload, m) != 0) {
        free(m);
        return -1;
    }
    const char *name = json_string_value(json_object_get(payload, "pipeline"));
    pipeline_what(e->what, sizeof e->what, name ? name : "?", key);
    e->ns_per_row = calib_fit_ns_per_row(&m->total, m->in_rows);
    double rel = calib_fit_rel_ci(&m->total);
    e->ns_per_row_ci = isfinite(rel) ? rel * fabs(e->ns_per_row) : NAN;
    e->r2 = m->total.r2;
    const char *q = json_string_value(json_object_get(payload, "quality"));
    e->quality = !q                       ? NULL
                 : strcmp(q, "good") == 0 ? "good"
                 : strcmp(q, "poor") == 0 ? "poor"
                                          : NULL;
    free(m);
    return 0;
}

/* The hash-table curve's payload, as calibrate_cost.c's load_curve reads
 * it. -1 when it does not. */
static int read_curve(struct cache_entry *e, const json_t *payload)
{
    const json_t *g = json_object_get(payload, "groups"),
                 *v = json_object_get(payload, "ns_per_row");
    size_t n = json_array_size(g);
    if (!json_is_array(g) || !json_is_array(v) || n < 2 || n > CALIB_CURVE_MAX ||
        json_array_size(v) != n)
        return -1;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double x = json_number_value(json_array_get(v, i));
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    snprintf(e->what, sizeof e->what, "%zu sizes, %.0f to %.0f groups: %.2f to %.2f ns/row", n,
             json_number_value(json_array_get(g, 0)), json_number_value(json_array_get(g, n - 1)),
             lo, hi);
    return 0;
}

/* Why this host, version and kernel version would not read the file; ""
 * when they would. name is the file's name in dir. */
static void why_not(struct cache_entry *e, const char *dir, const char *host, const char *version,
                    const char *key, const char *name)
{
    char path[1200];
    calib_cache_path(dir, host, version, key, path, sizeof path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!e->version[0])
        snprintf(e->why, sizeof e->why, "no stagecast version recorded (an older stagecast's)");
    else if (strcmp(e->version, version) != 0)
        snprintf(e->why, sizeof e->why, "stagecast %s's, this is %s", e->version, version);
    else if (e->kernel_version != CALIB_KERNEL_VERSION)
        snprintf(e->why, sizeof e->why, "kernels v%ld, these are v%d", e->kernel_version,
                 CALIB_KERNEL_VERSION);
    else if (strcmp(e->host, host) != 0)
        snprintf(e->why, sizeof e->why, "another host's (%.280s)", e->host);
    else if (strcmp(base, name) != 0)
        snprintf(e->why, sizeof e->why, "its name is not its key's (renamed or copied)");
    e->usable = !e->why[0];
}

static void read_entry(struct cache_entry *e, const char *dir, const char *name, const char *host,
                       const char *version)
{
    memset(e, 0, sizeof *e);
    snprintf(e->file, sizeof e->file, "%s", name);
    e->ns_per_row = e->ns_per_row_ci = e->r2 = NAN;
    e->kernel_version = -1;
    e->at.load_1m = NAN;
    char path[1400], why[1600];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct calib_cache_file f;
    if (calib_cache_read_file(path, &f, why, sizeof why) != CALIB_CACHE_HIT) {
        /* The reason without the path the row already names. */
        size_t len = strlen(path);
        set_corrupt(e, strncmp(why, path, len) == 0 && why[len] == ':' ? why + len + 2 : why);
        return;
    }
    snprintf(e->host, sizeof e->host, "%s", f.host);
    snprintf(e->version, sizeof e->version, "%s", f.version);
    e->kernel_version = f.kernel_version;
    e->at = f.at;
    const char *key = json_string_value(f.key);
    int bad = 0;
    if (strcmp(key, CALIBRATE_KEY_HOST_BENCHMARK) == 0) {
        e->kind = CACHE_ENTRY_HOST_BENCHMARK;
        double ns = calibrate_jget(f.payload, "bench_ns");
        bad = !(ns > 0.0);
        if (!bad)
            snprintf(e->what, sizeof e->what, "%.2f ms: %.0f ACU-equivalent per core", ns * 1e-6,
                     calib_host_acu_from_bench(ns));
    } else if (strcmp(key, CALIBRATE_KEY_GROUP_CURVE) == 0) {
        e->kind = CACHE_ENTRY_GROUP_CURVE;
        bad = read_curve(e, f.payload);
    } else if (strncmp(key, CALIBRATE_KEY_PIPELINE, strlen(CALIBRATE_KEY_PIPELINE)) == 0) {
        e->kind = CACHE_ENTRY_PIPELINE;
        bad = read_pipeline(e, f.payload, key);
    } else {
        e->kind = CACHE_ENTRY_OTHER;
        snprintf(e->what, sizeof e->what, "%.*s", (int)strcspn(key, "\n"), key);
    }
    if (bad)
        set_corrupt(e, "fields missing or of the wrong type");
    else
        why_not(e, dir, host, version, key, name);
    json_decref(f.key);
    json_decref(f.payload);
}

static int compare_entries(const void *pa, const void *pb)
{
    const struct cache_entry *a = pa, *b = pb;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->what, b->what);
    if (c == 0)
        c = strcmp(a->at.utc, b->at.utc);
    return c ? c : strcmp(a->file, b->file);
}

static bool is_json_name(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

enum sc_status cache_listing_read(const char *dir, const char *host, const char *version,
                                  struct cache_listing *l, struct diag *d)
{
    memset(l, 0, sizeof *l);
    DIR *dp = opendir(dir);
    if (!dp)
        return diag_set(d, SC_EIO, NULL, 0, "cannot read the calibration cache %s: %s", dir,
                        strerror(errno));
    size_t cap = 0;
    struct dirent *de;
    enum sc_status rc = SC_OK;
    while ((de = readdir(dp)) != NULL) {
        /* Temporaries (".calib-XXXXXX") and anything else are not entries. */
        if (!is_json_name(de->d_name))
            continue;
        if (l->n == cap) {
            size_t ncap = cap ? 2 * cap : 32;
            struct cache_entry *v = realloc(l->v, ncap * sizeof *v);
            if (!v) {
                rc = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory listing %s", dir);
                break;
            }
            l->v = v;
            cap = ncap;
        }
        struct cache_entry *e = &l->v[l->n++];
        read_entry(e, dir, de->d_name, host, version);
        l->n_usable += e->usable;
        l->n_poor += e->quality && strcmp(e->quality, "poor") == 0;
        l->n_corrupt += e->kind == CACHE_ENTRY_CORRUPT;
    }
    closedir(dp);
    if (rc != SC_OK) {
        cache_listing_free(l);
        return rc;
    }
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, compare_entries);
    return SC_OK;
}

void cache_listing_free(struct cache_listing *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* ---- printing ----------------------------------------------------------------- */

static const char *kind_label(enum cache_entry_kind k)
{
    switch (k) {
    case CACHE_ENTRY_HOST_BENCHMARK: return "host benchmark";
    case CACHE_ENTRY_GROUP_CURVE: return "hash-table curve";
    case CACHE_ENTRY_PIPELINE: return "pipeline";
    case CACHE_ENTRY_OTHER: return "other";
    case CACHE_ENTRY_CORRUPT: return "corrupt";
    }
    return "?";
}

void cache_listing_print(FILE *out, const struct cache_listing *l, const char *dir,
                         const char *host, const char *version)
{
    fprintf(out, "calibration cache %s\n", dir);
    fprintf(out, "used here by: %s, stagecast %s, kernels v%d\n\n", host, version,
            CALIB_KERNEL_VERSION);
    fprintf(out, "%-21s %-16s %-20s %5s %-10s %18s %7s %-7s %-3s  %s\n", "file", "kind",
            "measured (UTC)", "load", "clock", "ns/row +-95% CI", "R2", "quality", "use", "what");
    for (size_t i = 0; i < l->n; i++) {
        const struct cache_entry *e = &l->v[i];
        char load[16] = "-", ns[48] = "-", r2[16] = "-";
        if (isfinite(e->at.load_1m))
            snprintf(load, sizeof load, "%.2f", e->at.load_1m);
        if (isfinite(e->ns_per_row))
            snprintf(ns, sizeof ns, "%.2f +- %.2f", e->ns_per_row,
                     isfinite(e->ns_per_row_ci) ? e->ns_per_row_ci : 0.0);
        if (isfinite(e->r2))
            snprintf(r2, sizeof r2, "%.4f", e->r2);
        fprintf(out, "%-21s %-16s %-20s %5s %-10s %18s %7s %-7s %-3s  %s\n", e->file,
                kind_label(e->kind), e->at.utc[0] ? e->at.utc : "-", load,
                e->at.clock ? e->at.clock : "-", ns, r2, e->quality ? e->quality : "-",
                e->usable ? "yes" : "no", e->kind == CACHE_ENTRY_CORRUPT ? e->why : e->what);
    }
    fprintf(out, "\n%zu entries: %zu used here, %zu poor, %zu corrupt\n", l->n, l->n_usable,
            l->n_poor, l->n_corrupt);
    bool header = false;
    for (size_t i = 0; i < l->n; i++) {
        const struct cache_entry *e = &l->v[i];
        if (e->usable || e->kind == CACHE_ENTRY_CORRUPT)
            continue;
        if (!header)
            fprintf(out, "not used here:\n");
        header = true;
        fprintf(out, "  %s: %s\n", e->file, e->why);
    }
}

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jstr(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

json_t *cache_listing_json(const struct cache_listing *l, const char *dir, const char *host,
                           const char *version)
{
    json_t *root = json_object(), *entries = json_array();
    int bad = !root || !entries;
    for (size_t i = 0; !bad && i < l->n; i++) {
        const struct cache_entry *e = &l->v[i];
        json_t *m = json_object(), *o = json_object();
        bad |= !m || !o;
        if (m) {
            bad |= json_object_set_new(m, "utc", jstr(e->at.utc));
            bad |= json_object_set_new(m, "load_avg_1m", jnum(e->at.load_1m));
            bad |= json_object_set_new(m, "clock", jstr(e->at.clock));
        }
        if (o) {
            bad |= json_object_set_new(o, "file", json_string(e->file));
            bad |= json_object_set_new(o, "kind", json_string(kind_name(e->kind)));
            bad |= json_object_set_new(o, "what", jstr(e->what));
            bad |= json_object_set_new(o, "host", jstr(e->host));
            bad |= json_object_set_new(o, "stagecast_version", jstr(e->version));
            bad |= json_object_set_new(o, "kernel_version",
                                       e->kernel_version >= 0 ? json_integer(e->kernel_version)
                                                              : json_null());
            if (m)
                bad |= json_object_set(o, "measured", m);
            bad |= json_object_set_new(o, "ns_per_row", jnum(e->ns_per_row));
            bad |= json_object_set_new(o, "ns_per_row_ci95", jnum(e->ns_per_row_ci));
            bad |= json_object_set_new(o, "r2", jnum(e->r2));
            bad |= json_object_set_new(o, "quality", jstr(e->quality));
            bad |= json_object_set_new(o, "usable", json_boolean(e->usable));
            bad |= json_object_set_new(o, "why_not", jstr(e->why));
            bad |= json_array_append(entries, o);
        }
        json_decref(m);
        json_decref(o);
    }
    if (!bad) {
        bad |= json_object_set_new(root, "cache_dir", json_string(dir));
        bad |= json_object_set_new(root, "host", json_string(host));
        bad |= json_object_set_new(root, "stagecast_version", json_string(version));
        bad |= json_object_set_new(root, "kernel_version", json_integer(CALIB_KERNEL_VERSION));
        bad |= json_object_set(root, "entries", entries);
    }
    json_decref(entries);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}
