/*
 * sweep.c — which cluster should I buy? The sweep sits after simulate in
 * the flow (scenario -> plan -> calibrate -> simulate -> report): it runs
 * the same scenario many times, each point of a grid of overrides replicated
 * over seeds, and reports across the runs — means and intervals, the Pareto
 * front of makespan against cost, and the cheapest point that meets a
 * deadline at a stated confidence.
 *
 * Each run is an independent simulation (scenario_load_with -> cluster_build
 * -> sim_new -> sim_run) sharing only read-only inputs (the catalog), so runs
 * go to a pool of threads taking work from a mutex-guarded queue. Finished
 * runs are appended, one JSON line each, to a results file; everything after
 * the runs (statistics, front, recommendation, outputs) reads only the runs
 * array in point order, so the output is the same whatever the thread
 * count, the completion order, or whether the runs came from this process,
 * a resumed file, shards merged, or MPI ranks.
 */
#include "config.h"

#include "sim/sweep/sweep.h"

#include "sim/output/plot.h"

/* The project's headers come before <pthread.h>: scenario.h names an
 * enumerator SCHED_FIFO, which <sched.h> (pulled in by <pthread.h>) also
 * defines as a macro. */
#include "models/sbuf.h"
#include "models/units.h"
#include "sim/calib/calibrate.h"
#include "sim/input/cluster.h"
#include "sim/output/outfile.h"
#include "sim/pipeline/pipeline.h"
#include "sim/plan/planner.h"
#include "sim/runtime/runtime.h"
#include "sim/input/scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers --------------------------------------------------------- */

static char *fmt_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *fmt_alloc(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

#define FNV_OFFSET 0xcbf29ce484222325ULL

/* Hashes a file's bytes into hex; "" when it cannot be read (then nothing
 * matches it, which is the safe side). */
static void hash_file(const char *path, char out[17])
{
    out[0] = '\0';
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return;
    uint64_t h = FNV_OFFSET;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = fnv1a(h, buf, n);
    if (!ferror(f))
        snprintf(out, 17, "%016llx", (unsigned long long)h);
    fclose(f);
}

/* splitmix64's finalizer: consecutive inputs give unrelated outputs. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static enum sc_status no_memory(struct diag *d)
{
    return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory in the sweep");
}

/* Writes all of buf to fd, across short writes and signals. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Reads a whole file; NULL with errno set when it cannot. */
static char *read_all(int fd, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, 2 * cap + 1);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* ---- lists and ranges ------------------------------------------------------ */

/* Splits "a, b,c" at commas into trimmed copies; an empty item is an
 * error. */
static enum sc_status split_items(const char *text, const char *what, char ***items, size_t *n,
                                  struct diag *d)
{
    *items = NULL;
    *n = 0;
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap, sizeof *out);
    if (!out)
        return no_memory(d);
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        while (len > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len == 0) {
            for (size_t i = 0; i < *n; i++)
                free(out[i]);
            free(out);
            *n = 0;
            return diag_set(d, SC_EINPUT, NULL, 0, "%s has an empty item in '%s'", what, text);
        }
        out[*n] = malloc(len + 1);
        if (!out[*n]) {
            for (size_t i = 0; i < *n; i++)
                free(out[i]);
            free(out);
            *n = 0;
            return no_memory(d);
        }
        memcpy(out[*n], s, len);
        out[*n][len] = '\0';
        (*n)++;
        if (!end)
            break;
        p = end + 1;
    }
    *items = out;
    return SC_OK;
}

static void free_items(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
}

static int parse_int64(const char *text, int64_t *out)
{
    char *end;
    if (!text[0] || text[0] == '+' || text[0] == ' ')
        return -1;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static enum sc_status push_count(int64_t **vals, size_t *n, size_t *cap, int64_t v, struct diag *d)
{
    for (size_t i = 0; i < *n; i++)
        if ((*vals)[i] == v)
            return SC_OK;
    if (*n >= SWEEP_MAX_VALUES)
        return diag_set(d, SC_ELIMIT, NULL, 0, "more than %d values in one option",
                        SWEEP_MAX_VALUES);
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        int64_t *nv = realloc(*vals, nc * sizeof *nv);
        if (!nv)
            return no_memory(d);
        *vals = nv;
        *cap = nc;
    }
    (*vals)[(*n)++] = v;
    return SC_OK;
}

enum sc_status sweep_parse_counts(const char *text, const char *what, int64_t lo, int64_t hi,
                                  int64_t **out, size_t *n, struct diag *d)
{
    *out = NULL;
    *n = 0;
    char **items;
    size_t n_items, cap = 0;
    enum sc_status st = split_items(text, what, &items, &n_items, d);
    if (st != SC_OK)
        return st;
    int64_t *vals = NULL;
    size_t nv = 0;
    for (size_t i = 0; i < n_items && st == SC_OK; i++) {
        const char *it = items[i];
        char buf[128];
        snprintf(buf, sizeof buf, "%s", it);
        int64_t a = 0, b = 0, step = 0;
        char *colon = strchr(buf, ':');
        if (colon)
            *colon = '\0';
        char *dash = strchr(buf, '-');
        if (dash)
            *dash = '\0';
        bool ok = strlen(it) < sizeof buf && parse_int64(buf, &a) == 0;
        if (dash)
            ok = ok && parse_int64(dash + 1, &b) == 0 && b >= a;
        else
            ok = ok && !colon && (b = a, true);
        if (colon)
            ok = ok && parse_int64(colon + 1, &step) == 0 && step >= 1;
        if (!ok) {
            st = diag_set(d, SC_EINPUT, NULL, 0,
                          "%s takes counts as N, A-B (doubling from A up to B), A-B:S (steps "
                          "of S) or a list of those, not '%s'",
                          what, it);
            break;
        }
        if (a < lo || b > hi) {
            st = diag_set(d, SC_EINPUT, NULL, 0, "%s: '%s' is outside %lld..%lld", what, it,
                          (long long)lo, (long long)hi);
            break;
        }
        /* A range doubles unless it gives a step: worker counts that matter
         * differ by factors, and every integer of 2-1000 would be a grid of
         * a thousand points nobody wanted. */
        for (int64_t v = a; v <= b && st == SC_OK;) {
            st = push_count(&vals, &nv, &cap, v, d);
            if (step > 0 ? b - v < step : v > b / 2)
                break;
            v = step > 0 ? v + step : 2 * v;
        }
    }
    free_items(items, n_items);
    if (st != SC_OK) {
        free(vals);
        return st;
    }
    *out = vals;
    *n = nv;
    return SC_OK;
}

/* ---- the spec ----------------------------------------------------------------- */

static void choice_fini(struct sweep_choice *c)
{
    free(c->label);
    for (size_t i = 0; i < c->n_overrides; i++)
        free(c->overrides[i]);
    free(c->overrides);
}

void sweep_spec_fini(struct sweep_spec *spec)
{
    free(spec->scenario_file);
    free(spec->scenario_name);
    for (size_t i = 0; i < spec->n_fixed; i++)
        free(spec->fixed[i]);
    free(spec->fixed);
    for (size_t i = 0; i < spec->n_axes; i++) {
        for (size_t c = 0; c < spec->axes[i].n_choices; c++)
            choice_fini(&spec->axes[i].choices[c]);
        free(spec->axes[i].choices);
        free(spec->axes[i].name);
    }
    free(spec->axes);
    free(spec->base_node_type);
    memset(spec, 0, sizeof *spec);
}

static struct sweep_axis *axis_add(struct sweep_spec *spec, const char *name)
{
    struct sweep_axis *na = realloc(spec->axes, (spec->n_axes + 1) * sizeof *na);
    if (!na)
        return NULL;
    spec->axes = na;
    struct sweep_axis *ax = &na[spec->n_axes];
    memset(ax, 0, sizeof *ax);
    ax->name = strdup(name);
    if (!ax->name)
        return NULL;
    spec->n_axes++;
    return ax;
}

/* Adds a choice of n (1 or 2) overrides; takes label, ov1 and ov2 (owned;
 * NULL means an allocation failed, or no second override when n is 1). On
 * failure frees them all. */
static int choice_add(struct sweep_axis *ax, char *label, size_t n, char *ov1, char *ov2)
{
    struct sweep_choice *nc = realloc(ax->choices, (ax->n_choices + 1) * sizeof *nc);
    char **ovs = malloc(2 * sizeof *ovs);
    if (!nc || !ovs || !label || !ov1 || (n == 2 && !ov2)) {
        if (nc)
            ax->choices = nc;
        free(ovs);
        free(label);
        free(ov1);
        free(ov2);
        return -1;
    }
    ax->choices = nc;
    struct sweep_choice *c = &nc[ax->n_choices++];
    c->label = label;
    c->overrides = ovs;
    ovs[0] = ov1;
    c->n_overrides = 1;
    if (ov2)
        ovs[c->n_overrides++] = ov2;
    return 0;
}

static bool same_node(const struct catalog *cat, const char *a, const char *b)
{
    const struct node_type *na = catalog_find(cat, a), *nb = catalog_find(cat, b);
    if (na && nb)
        return na == nb;
    return strcasecmp(a, b) == 0;
}

/* A spot fraction written so that libconfig reads it as a number with a
 * fraction ("1" would be an integer). */
static char *fraction_text(double f)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", f);
    if (!strpbrk(buf, ".eEn"))
        strcat(buf, ".0");
    return strdup(buf);
}

static bool item_seen(char **items, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(items[j], items[i]) == 0)
            return true;
    return false;
}

enum sc_status sweep_spec_from_args(const struct sweep_args *a, const struct catalog *cat,
                                    struct sweep_spec *spec, struct diag *d)
{
    memset(spec, 0, sizeof *spec);
    spec->deadline_s = a->deadline_s;
    spec->confidence = isnan(a->confidence) ? 0.95 : a->confidence;
    spec->replications = a->replications ? a->replications : 1;
    spec->shard_index = a->have_shard ? a->shard_index : 0;
    spec->shard_count = a->have_shard ? a->shard_count : 1;
    enum sc_status st = SC_OK;
    char **items = NULL;
    size_t n_items = 0;
    struct scenario *base = NULL;
    bool *is_list = calloc(a->n_sets + 1, sizeof *is_list);
    spec->fixed = calloc(a->n_sets + 1, sizeof *spec->fixed);
    if (!is_list || !spec->fixed) {
        st = no_memory(d);
        goto done;
    }

    /* A --set with one value is a fixed setting; with a comma-separated
     * list it is an axis. */
    bool driver_set = false;
    for (size_t i = 0; i < a->n_sets; i++) {
        const char *eq = strchr(a->sets[i], '=');
        if (!eq || eq == a->sets[i]) {
            st = diag_set(d, SC_EINPUT, NULL, 0,
                          "--set needs KEY=VALUE or KEY=V1,V2,... (e.g. "
                          "spark.sql.shuffle.partitions=200,400), not '%s'",
                          a->sets[i]);
            goto done;
        }
        size_t klen = (size_t)(eq - a->sets[i]);
        if (klen == 4 && strncmp(a->sets[i], "seed", 4) == 0) {
            st = diag_set(d, SC_EINPUT, NULL, 0,
                          "a sweep draws its seeds itself: use --seed N for the first "
                          "replication's and --replications N for more, not --set seed");
            goto done;
        }
        if (klen == 14 && strncmp(a->sets[i], "cluster.driver", 14) == 0)
            driver_set = true;
        is_list[i] = strchr(eq + 1, ',') != NULL;
        if (!is_list[i] && !(spec->fixed[spec->n_fixed++] = strdup(a->sets[i]))) {
            st = no_memory(d);
            goto done;
        }
    }

    base = scenario_load_with(a->file, (const char *const *)spec->fixed, spec->n_fixed, d);
    if (!base) {
        st = d->status;
        goto done;
    }
    spec->scenario_file = strdup(a->file);
    spec->scenario_name = strdup(base->name ? base->name : "");
    spec->base_node_type = strdup(base->cluster.worker);
    if (!spec->scenario_file || !spec->scenario_name || !spec->base_node_type) {
        st = no_memory(d);
        goto done;
    }
    spec->base_workers = base->cluster.workers;
    spec->seed = a->have_seed ? a->seed : base->seed;
    hash_file(a->file, spec->scenario_hash);
    hash_file(catalog_path(cat), spec->catalog_hash);
    /* The driver follows the worker when the scenario has them the same
     * size (or names no driver): "try E8ds_v5" means the whole cluster.
     * A scenario that chose a different driver, or a --set of it, keeps
     * its driver. */
    bool driver_follows = !driver_set && same_node(cat, base->cluster.driver, base->cluster.worker);

    if (a->node_types) {
        if ((st = split_items(a->node_types, "--node-types", &items, &n_items, d)) != SC_OK)
            goto done;
        struct sweep_axis *ax = axis_add(spec, "node_type");
        if (!ax) {
            st = no_memory(d);
            goto done;
        }
        for (size_t i = 0; i < n_items; i++) {
            if (item_seen(items, i))
                continue;
            if (choice_add(ax, strdup(items[i]), driver_follows ? 2 : 1,
                           fmt_alloc("cluster.worker=%s", items[i]),
                           driver_follows ? fmt_alloc("cluster.driver=%s", items[i]) : NULL) != 0) {
                st = no_memory(d);
                goto done;
            }
        }
        free_items(items, n_items);
        items = NULL;
        n_items = 0;
    }
    if (a->workers) {
        int64_t *v;
        size_t n;
        if ((st = sweep_parse_counts(a->workers, "--workers", 1, SCN_MAX_WORKERS, &v, &n, d)) !=
            SC_OK)
            goto done;
        struct sweep_axis *ax = axis_add(spec, "workers");
        for (size_t i = 0; ax && i < n; i++)
            if (choice_add(ax, fmt_alloc("%lld", (long long)v[i]), 1,
                           fmt_alloc("cluster.workers=%lld", (long long)v[i]), NULL) != 0)
                ax = NULL;
        free(v);
        if (!ax) {
            st = no_memory(d);
            goto done;
        }
    }
    if (a->autoscale) {
        if ((st = split_items(a->autoscale, "--autoscale", &items, &n_items, d)) != SC_OK)
            goto done;
        struct sweep_axis *ax = axis_add(spec, "autoscale");
        if (!ax) {
            st = no_memory(d);
            goto done;
        }
        for (size_t i = 0; i < n_items; i++) {
            char *dash = strchr(items[i], '-');
            int64_t lo = 0, hi = 0;
            if (dash)
                *dash = '\0';
            bool ok = dash && parse_int64(items[i], &lo) == 0 && parse_int64(dash + 1, &hi) == 0 &&
                      lo >= 1 && hi >= lo && hi <= SCN_MAX_WORKERS;
            if (dash)
                *dash = '-';
            if (!ok) {
                st = diag_set(d, SC_EINPUT, NULL, 0,
                              "--autoscale takes MIN-MAX worker ranges joined by commas (e.g. "
                              "2-8,4-16; 1 <= MIN <= MAX), not '%s'",
                              items[i]);
                goto done;
            }
            if (item_seen(items, i))
                continue;
            if (choice_add(ax, fmt_alloc("%lld-%lld", (long long)lo, (long long)hi), 2,
                           fmt_alloc("cluster.autoscale.min=%lld", (long long)lo),
                           fmt_alloc("cluster.autoscale.max=%lld", (long long)hi)) != 0) {
                st = no_memory(d);
                goto done;
            }
        }
        free_items(items, n_items);
        items = NULL;
        n_items = 0;
    }
    if (a->spot) {
        if ((st = split_items(a->spot, "--spot", &items, &n_items, d)) != SC_OK)
            goto done;
        struct sweep_axis *ax = axis_add(spec, "spot");
        if (!ax) {
            st = no_memory(d);
            goto done;
        }
        for (size_t i = 0; i < n_items; i++) {
            char *end;
            double f = strtod(items[i], &end);
            if (*end || !(f >= 0.0 && f <= 1.0)) {
                st = diag_set(d, SC_EINPUT, NULL, 0,
                              "--spot takes fractions of the workers from 0 to 1 joined by "
                              "commas (e.g. 0,0.5,1), not '%s'",
                              items[i]);
                goto done;
            }
            if (item_seen(items, i))
                continue;
            char *txt = fraction_text(f);
            if (choice_add(ax, strdup(items[i]), 1,
                           txt ? fmt_alloc("cluster.spot.fraction=%s", txt) : NULL, NULL) != 0) {
                free(txt);
                st = no_memory(d);
                goto done;
            }
            free(txt);
        }
        free_items(items, n_items);
        items = NULL;
        n_items = 0;
    }
    for (size_t i = 0; i < a->n_sets; i++) {
        if (!is_list[i])
            continue;
        const char *eq = strchr(a->sets[i], '=');
        char key[512];
        snprintf(key, sizeof key, "%.*s", (int)(eq - a->sets[i]), a->sets[i]);
        if ((st = split_items(eq + 1, "--set", &items, &n_items, d)) != SC_OK)
            goto done;
        struct sweep_axis *ax = axis_add(spec, key);
        if (!ax) {
            st = no_memory(d);
            goto done;
        }
        for (size_t j = 0; j < n_items; j++) {
            if (item_seen(items, j))
                continue;
            if (choice_add(ax, strdup(items[j]), 1, fmt_alloc("%s=%s", key, items[j]), NULL) != 0) {
                st = no_memory(d);
                goto done;
            }
        }
        free_items(items, n_items);
        items = NULL;
        n_items = 0;
    }
done:
    free_items(items, n_items);
    free(is_list);
    scenario_free(base);
    if (st != SC_OK)
        sweep_spec_fini(spec);
    return st;
}

/* ---- points ------------------------------------------------------------------- */

size_t sweep_max_overrides(const struct sweep *sw)
{
    size_t n = sw->spec.n_fixed;
    for (size_t a = 0; a < sw->spec.n_axes; a++) {
        size_t m = 0;
        for (size_t c = 0; c < sw->spec.axes[a].n_choices; c++)
            if (sw->spec.axes[a].choices[c].n_overrides > m)
                m = sw->spec.axes[a].choices[c].n_overrides;
        n += m;
    }
    return n;
}

/* The choice point i takes on axis a: the point index is a mixed-radix
 * number whose first axis is the most significant digit. */
static size_t point_choice(const struct sweep_spec *spec, size_t i, size_t axis)
{
    for (size_t a = spec->n_axes; a-- > axis + 1;)
        i /= spec->axes[a].n_choices;
    return i % spec->axes[axis].n_choices;
}

size_t sweep_point_overrides(const struct sweep *sw, size_t i, const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t f = 0; f < sw->spec.n_fixed && n < cap; f++)
        out[n++] = sw->spec.fixed[f];
    for (size_t a = 0; a < sw->spec.n_axes; a++) {
        const struct sweep_choice *c = &sw->spec.axes[a].choices[point_choice(&sw->spec, i, a)];
        for (size_t k = 0; k < c->n_overrides && n < cap; k++)
            out[n++] = c->overrides[k];
    }
    return n;
}

/* The label point i shows for an axis name, or NULL when no axis has it. */
static const char *point_label(const struct sweep *sw, size_t i, const char *axis)
{
    for (size_t a = 0; a < sw->spec.n_axes; a++)
        if (strcmp(sw->spec.axes[a].name, axis) == 0)
            return sw->spec.axes[a].choices[point_choice(&sw->spec, i, a)].label;
    return NULL;
}

static char *join_key(const char *const *ov, size_t n)
{
    size_t len = 1;
    for (size_t k = 0; k < n; k++)
        len += strlen(ov[k]) + 1;
    char *key = malloc(len), *p = key;
    if (!key)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(ov[k]);
        memcpy(p, ov[k], l);
        p += l;
        if (k + 1 < n)
            *p++ = '\n';
    }
    *p = '\0';
    return key;
}

static size_t find_point(const struct sweep *sw, const char *key)
{
    size_t mask = sw->key_slots - 1;
    for (size_t s = fnv1a(FNV_OFFSET, key, strlen(key)) & mask;; s = (s + 1) & mask) {
        size_t v = sw->key_table[s];
        if (v == 0)
            return SIZE_MAX;
        if (strcmp(sw->points[v - 1].key, key) == 0)
            return v - 1;
    }
}

void sweep_free(struct sweep *sw)
{
    if (!sw)
        return;
    for (size_t i = 0; i < sw->n_runs; i++) {
        free(sw->runs[i].error);
        free(sw->runs[i].cost_note);
    }
    for (size_t i = 0; i < sw->n_points; i++)
        free(sw->points[i].key);
    free(sw->runs);
    free(sw->points);
    free(sw->key_table);
    free(sw->seeds);
    sweep_spec_fini(&sw->spec);
    free(sw);
}

struct sweep *sweep_new(struct sweep_spec *spec, struct diag *d)
{
    struct sweep *sw = calloc(1, sizeof *sw);
    if (!sw) {
        sweep_spec_fini(spec);
        no_memory(d);
        return NULL;
    }
    sw->spec = *spec;
    memset(spec, 0, sizeof *spec);
    sw->recommended = SIZE_MAX;
    size_t n = 1;
    for (size_t a = 0; a < sw->spec.n_axes; a++) {
        size_t k = sw->spec.axes[a].n_choices;
        if (k == 0 || n > SWEEP_MAX_POINTS / k) {
            diag_set(d, SC_ELIMIT, NULL, 0, "the sweep has more than %d points", SWEEP_MAX_POINTS);
            sweep_free(sw);
            return NULL;
        }
        n *= k;
    }
    size_t reps = sw->spec.replications;
    if (reps == 0 || reps > SWEEP_MAX_REPLICATIONS || n > SWEEP_MAX_RUNS / reps) {
        diag_set(d, SC_ELIMIT, NULL, 0,
                 "%zu points x %zu replications is more than the %d runs a sweep may have", n, reps,
                 SWEEP_MAX_RUNS);
        sweep_free(sw);
        return NULL;
    }
    if (sw->spec.shard_count == 0)
        sw->spec.shard_count = 1;
    sw->n_points = n;
    sw->n_runs = n * reps;
    sw->points = calloc(n, sizeof *sw->points);
    sw->runs = calloc(sw->n_runs, sizeof *sw->runs);
    sw->seeds = calloc(reps, sizeof *sw->seeds);
    sw->key_slots = 16;
    while (sw->key_slots < 2 * n)
        sw->key_slots *= 2;
    sw->key_table = calloc(sw->key_slots, sizeof *sw->key_table);
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    if (!sw->points || !sw->runs || !sw->seeds || !sw->key_table || !ov) {
        free(ov);
        no_memory(d);
        sweep_free(sw);
        return NULL;
    }
    /* Replication 0 runs with the scenario's seed, so its numbers are what
     * `stagecast run` prints for the same overrides; replication r with a
     * mix of (seed, r), kept to 53 bits so that it prints exactly in JSON
     * and can be given back to `stagecast run --seed`. Every point uses the
     * same seeds: points differ by their cluster, not by their dice. */
    for (size_t r = 0; r < reps; r++) {
        uint64_t s = r == 0 ? sw->spec.seed
                            : mix64(sw->spec.seed + 0x9e3779b97f4a7c15ULL * r) & ((1ULL << 53) - 1);
        for (size_t q = 0; q < r; q++)
            if (sw->seeds[q] == s) {
                s = (s + 1) & ((1ULL << 53) - 1);
                q = (size_t)-1; /* check again from the start */
            }
        sw->seeds[r] = s;
    }
    size_t mask = sw->key_slots - 1;
    for (size_t i = 0; i < n; i++) {
        struct sweep_point *p = &sw->points[i];
        p->index = i;
        p->in_scope = i % sw->spec.shard_count == sw->spec.shard_index;
        p->makespan_upper_s = NAN;
        p->meets_deadline = -1;
        size_t k = sweep_point_overrides(sw, i, ov, max_ov);
        p->key = join_key(ov, k);
        if (!p->key) {
            free(ov);
            no_memory(d);
            sweep_free(sw);
            return NULL;
        }
        size_t s = fnv1a(FNV_OFFSET, p->key, strlen(p->key)) & mask;
        while (sw->key_table[s] != 0) {
            if (strcmp(sw->points[sw->key_table[s] - 1].key, p->key) == 0)
                break; /* two axes giving the same overrides: the first point answers */
            s = (s + 1) & mask;
        }
        if (sw->key_table[s] == 0)
            sw->key_table[s] = i + 1;
    }
    free(ov);
    return sw;
}

/* ---- one run ------------------------------------------------------------------- */

/* A point made concrete once for all its replications: the scenario read
 * with the point's overrides, its cluster, its query jobs planned. Reading
 * and checking the file is half of what a small scenario's run costs, and
 * none of it depends on the seed. */
struct point_setup {
    struct pipeline pl;              /* the point's own, when it reads the file itself */
    const struct pipeline *shared;   /* or a configuration's plan (sweep_configs) */
    struct cluster cl;               /* the cluster it simulates */
    bool ready;  /* planned and calibrated */
    char *error; /* why the point cannot run (owned), or NULL */
};

/* ---- configurations ----------------------------------------------------------
 *
 * Points differ in their overrides. Those a point's cluster shape takes
 * (cluster.worker, cluster.driver, cluster.workers) change neither the file's
 * other settings nor, beyond the executor cores, its plan; the rest (--set
 * lists, autoscale ranges, spot fractions) make a configuration. Each
 * configuration's scenario is read and checked once, and planned and
 * calibrated once per figure the planner reads from the cluster
 * (planner_cluster_key); a point then only builds its cluster and
 * simulates. A point whose cluster overrides the reader would take
 * differently (scenario_cluster_variant says so), or whose configuration
 * does not load on its own, reads the file with all its overrides, as
 * before, so every message is the reader's. */

struct config_plan {
    int64_t key;         /* planner_cluster_key; 0 for a scenario of explicit stages */
    struct pipeline pl;  /* planned and calibrated, unless error */
    char *error;
};

struct config_entry {
    char *key;             /* its overrides, one a line */
    struct scenario *base; /* NULL: it does not load by itself */
    struct config_plan **plans;
    size_t n_plans;
};

struct sweep_configs {
    pthread_mutex_t lock;
    struct config_entry **v;
    size_t n;
};

static struct sweep_configs *configs_new(void)
{
    struct sweep_configs *c = calloc(1, sizeof *c);
    if (c)
        pthread_mutex_init(&c->lock, NULL);
    return c;
}

static void configs_free(struct sweep_configs *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        struct config_entry *e = c->v[i];
        for (size_t k = 0; k < e->n_plans; k++) {
            pipeline_fini(&e->plans[k]->pl);
            free(e->plans[k]->error);
            free(e->plans[k]);
        }
        free(e->plans);
        scenario_free(e->base);
        free(e->key);
        free(e);
    }
    free(c->v);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static bool is_shape_override(const char *o)
{
    return strncmp(o, "cluster.worker=", 15) == 0 || strncmp(o, "cluster.driver=", 15) == 0 ||
           strncmp(o, "cluster.workers=", 16) == 0;
}

/* The configuration of the overrides rest (loading it the first time).
 * Called with the lock held; NULL when memory runs out. */
static struct config_entry *config_get(struct sweep_configs *c, const struct sweep *sw,
                                       const char *const *rest, size_t n_rest)
{
    struct sbuf kb = {0};
    for (size_t i = 0; i < n_rest; i++)
        sb_add(&kb, "%s\n", rest[i]);
    char *key = sb_take(&kb);
    if (!key)
        return NULL;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i]->key, key) == 0) {
            free(key);
            return c->v[i];
        }
    struct config_entry *e = calloc(1, sizeof *e);
    struct config_entry **v = realloc(c->v, (c->n + 1) * sizeof *v);
    if (!e || !v) {
        free(e);
        free(key);
        if (v)
            c->v = v;
        return NULL;
    }
    c->v = v;
    e->key = key;
    struct diag d;
    diag_clear(&d);
    e->base = scenario_load_with(sw->spec.scenario_file, rest, n_rest, &d);
    c->v[c->n++] = e;
    return e;
}

/* The configuration's plan for clusters of planner key k (making it the
 * first time, on cluster cl). Called with the lock held; NULL on memory. */
static struct config_plan *config_plan_get(struct config_entry *e, const struct sweep_env *env,
                                           int64_t k, const struct cluster *cl)
{
    for (size_t i = 0; i < e->n_plans; i++)
        if (e->plans[i]->key == k)
            return e->plans[i];
    struct config_plan *p = calloc(1, sizeof *p);
    struct config_plan **v = realloc(e->plans, (e->n_plans + 1) * sizeof *v);
    if (!p || !v) {
        free(p);
        if (v)
            e->plans = v;
        return NULL;
    }
    e->plans = v;
    p->key = k;
    struct diag d;
    diag_clear(&d);
    struct pipeline_request rq = {.until = PIPELINE_CALIBRATE,
                                  .scenario = e->base,
                                  .catalog = env->catalog,
                                  .cluster = cl,
                                  .stats = env->stats,
                                  .calibration = env->calib};
    pthread_mutex_t *lock = env->calib_lock;
    if (lock)
        pthread_mutex_lock(lock);
    enum sc_status st = pipeline_run(&p->pl, &rq, &d);
    if (lock)
        pthread_mutex_unlock(lock);
    if (st != SC_OK) {
        char buf[1200];
        p->error = strdup(diag_format(&d, buf, sizeof buf));
        pipeline_fini(&p->pl);
    }
    e->plans[e->n_plans++] = p;
    return p;
}

static bool has_query(const struct scenario *s)
{
    for (size_t j = 0; j < s->n_jobs; j++)
        if (s->jobs[j].query && s->jobs[j].n_query > 0)
            return true;
    return false;
}

/* Sets ps up from its configuration; false when the point must read the
 * file itself (see above). */
static bool setup_from_config(const struct sweep *sw, const struct sweep_env *env,
                              const char *const *ov, size_t n_ov, struct point_setup *ps)
{
    const char **shape = malloc((n_ov + 1) * sizeof *shape);
    const char **rest = malloc((n_ov + 1) * sizeof *rest);
    size_t n_shape = 0, n_rest = 0;
    bool done = false;
    if (!shape || !rest)
        goto out;
    for (size_t i = 0; i < n_ov; i++) {
        if (is_shape_override(ov[i]))
            shape[n_shape++] = ov[i];
        else
            rest[n_rest++] = ov[i];
    }
    struct sweep_configs *c = env->configs;
    pthread_mutex_lock(&c->lock);
    struct config_entry *e = config_get(c, sw, rest, n_rest);
    struct scenario variant;
    if (!e || !e->base || !scenario_cluster_variant(e->base, shape, n_shape, &variant)) {
        pthread_mutex_unlock(&c->lock);
        goto out;
    }
    done = true;
    struct diag d;
    diag_clear(&d);
    if (cluster_build(&variant, env->catalog, &ps->cl, &d) != SC_OK) {
        pthread_mutex_unlock(&c->lock);
        char buf[1200];
        ps->error = strdup(diag_format(&d, buf, sizeof buf));
        goto out;
    }
    int64_t k = has_query(e->base) ? planner_cluster_key(&ps->cl) : 0;
    const struct config_plan *p = config_plan_get(e, env, k, &ps->cl);
    pthread_mutex_unlock(&c->lock);
    if (!p)
        goto out; /* ps->error NULL: out of memory, run_rep says so */
    if (p->error) {
        ps->error = strdup(p->error);
        goto out;
    }
    ps->shared = &p->pl;
    ps->ready = true;
out:
    free(shape);
    free(rest);
    return done;
}

static void setup_point(const struct sweep *sw, const struct sweep_env *env, const char *const *ov,
                        size_t n_ov, struct point_setup *ps)
{
    struct diag d;
    diag_clear(&d);
    memset(ps, 0, sizeof *ps);
    if (env->configs && setup_from_config(sw, env, ov, n_ov, ps))
        return;
    struct pipeline_request rq = {.until = PIPELINE_PLAN,
                                  .path = sw->spec.scenario_file,
                                  .sets = ov,
                                  .n_sets = n_ov,
                                  .catalog = env->catalog,
                                  .stats = env->stats,
                                  .calibration = env->calib};
    enum sc_status st = pipeline_run(&ps->pl, &rq, &d);
    if (st == SC_OK) {
        /* Calibration shares its cache between threads: one measures, the
         * others then read what it measured. */
        pthread_mutex_t *lock = env->calib_lock;
        if (lock)
            pthread_mutex_lock(lock);
        rq.until = PIPELINE_CALIBRATE;
        st = pipeline_run(&ps->pl, &rq, &d);
        if (lock)
            pthread_mutex_unlock(lock);
    }
    if (st == SC_OK) {
        ps->cl = ps->pl.cl;
        ps->ready = true;
        return;
    }
    char buf[1200];
    ps->error = strdup(diag_format(&d, buf, sizeof buf));
    pipeline_fini(&ps->pl); /* ps->error NULL too: out of memory, run_rep says so */
}

static void setup_fini(struct point_setup *ps)
{
    pipeline_fini(&ps->pl);
    free(ps->error);
    memset(ps, 0, sizeof *ps);
}

/* Simulates one replication of a set-up point into out. Everything it
 * touches is its own except env and the point's plan, which it only
 * reads: this is what makes runs safe to put on threads. */
static void run_rep(const struct point_setup *ps, uint64_t seed, struct sweep_run *out)
{
    out->done = true;
    out->ok = false;
    if (!ps->ready) {
        out->error = strdup(ps->error ? ps->error : "out of memory");
        return;
    }
    struct diag d;
    diag_clear(&d);
    struct sim *sim = pipeline_simulate(ps->shared ? ps->shared : &ps->pl, &ps->cl, seed, &d);
    if (!sim) {
        char buf[1200];
        out->error = strdup(diag_format(&d, buf, sizeof buf));
        return;
    }
    const struct results *r = sim_results(sim);
    out->ok = true;
    out->makespan_s = r->makespan_s;
    out->cost_usd = r->cost.total_usd;
    out->utilization = r->utilization;
    snprintf(out->node_type, sizeof out->node_type, "%s", ps->cl.worker->name);
    out->workers = ps->cl.workers;
    if (!isfinite(out->cost_usd)) {
        out->cost_usd = NAN;
        out->cost_note = strdup(r->cost.note[0] ? r->cost.note : "a price is unknown");
    }
    sim_free(sim);
}

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* ROOT (taken, may be NULL) as one compact JSON line ending in a newline:
 * the results file's unit; NULL when out of memory. */
static char *json_line(json_t *root, size_t *len)
{
    char *text =
        root ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
             : NULL;
    json_decref(root);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    line[n] = '\n';
    line[n + 1] = '\0';
    *len = n + 1;
    return line;
}

/* One results-file line for run r of unit u (point u / replications,
 * replication u % replications), with the point's overrides in ov. */
static char *run_line(const struct sweep *sw, size_t u, const struct sweep_run *r,
                      const char *const *ov, size_t n_ov, size_t *len)
{
    size_t reps = sw->spec.replications;
    json_t *o = json_object(), *arr = json_array();
    if (!o || !arr) {
        json_decref(o);
        json_decref(arr);
        return NULL;
    }
    for (size_t k = 0; k < n_ov; k++)
        json_array_append_new(arr, json_string(ov[k]));
    json_object_set_new(o, "point", json_integer((json_int_t)(u / reps)));
    json_object_set_new(o, "rep", json_integer((json_int_t)(u % reps)));
    json_object_set_new(o, "seed", json_integer((json_int_t)sw->seeds[u % reps]));
    json_object_set_new(o, "overrides", arr);
    json_object_set_new(o, "ok", json_boolean(r->ok));
    if (r->ok) {
        /* 17 digits: the number read back is the number written, so a
         * resumed or merged sweep computes the same statistics. */
        json_object_set_new(o, "makespan_s", json_real(r->makespan_s));
        json_object_set_new(o, "cost_usd", jnum(r->cost_usd));
        json_object_set_new(o, "utilization", json_real(r->utilization));
        json_object_set_new(o, "node_type", json_string(r->node_type));
        json_object_set_new(o, "workers", json_integer((json_int_t)r->workers));
        if (r->cost_note)
            json_object_set_new(o, "cost_note", json_string(r->cost_note));
    } else {
        json_object_set_new(o, "error", json_string(r->error ? r->error : "out of memory"));
    }
    json_t *root = json_pack("{s:o}", "run", o);
    return json_line(root, len);
}

/* ---- the pool of threads ---------------------------------------------------- */

struct pool {
    struct sweep *sw;
    const struct sweep_env *env;
    size_t *todo, n_points, next; /* points with runs to do; the next to take */
    size_t n_todo, done;          /* runs to do, runs done */
    size_t max_ov;
    int log_fd;
    double last_sync_s, start_s, last_draw_s;
    FILE *progress;
    pthread_mutex_t lock;
    enum sc_status status; /* the first failure to record a run */
    struct diag diag;
};

static void progress_draw(FILE *f, size_t done, size_t total, double elapsed_s, bool last)
{
    enum { WIDTH = 30 };
    size_t filled = total ? done * WIDTH / total : WIDTH;
    double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0.0;
    char eta[64] = "";
    if (!last && rate > 0) {
        char b[48];
        snprintf(eta, sizeof eta, "  ETA %s",
                 units_format_duration((double)(total - done) / rate, b, sizeof b));
    }
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(f, "\r[%s] %zu/%zu runs  %.1f runs/s%s\033[K%s", bar, done, total, rate, eta,
            last ? "\n" : "");
    fflush(f);
}

/* Records a finished run: into the runs array, onto the results file, on
 * the progress bar. Called with the lock held. */
static void pool_record(struct pool *p, size_t u, struct sweep_run *r, const char *line, size_t len)
{
    p->sw->runs[u] = *r;
    p->done++;
    if (p->log_fd >= 0 && p->status == SC_OK) {
        /* One write per line on an O_APPEND descriptor: a run killed
         * mid-sweep leaves whole lines behind (at worst a cut last line,
         * which resuming drops). fsync at most once a second, so a crash
         * of the machine loses at most a second of runs and the disk is
         * not the bottleneck. */
        if (!line || write_all(p->log_fd, line, len) != 0) {
            p->status = diag_set(&p->diag, line ? SC_EIO : SC_ENOMEM, NULL, 0,
                                 "cannot append to the results file: %s",
                                 line ? strerror(errno) : "out of memory");
        } else {
            double t = now_s();
            if (t - p->last_sync_s >= 1.0) {
                fsync(p->log_fd);
                p->last_sync_s = t;
            }
        }
    }
    if (p->progress) {
        double t = now_s();
        if (t - p->last_draw_s >= 0.1 || p->done == p->n_todo) {
            p->last_draw_s = t;
            progress_draw(p->progress, p->done, p->n_todo, t - p->start_s, p->done == p->n_todo);
        }
    }
}

static void *pool_worker(void *arg)
{
    struct pool *p = arg;
    const char **ov = malloc((p->max_ov + 1) * sizeof *ov);
    size_t reps = p->sw->spec.replications;
    if (!ov) {
        pthread_mutex_lock(&p->lock);
        if (p->status == SC_OK)
            p->status = no_memory(&p->diag);
        pthread_mutex_unlock(&p->lock);
        return NULL;
    }
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->next >= p->n_points || p->status != SC_OK) {
            pthread_mutex_unlock(&p->lock);
            break;
        }
        size_t i = p->todo[p->next++];
        pthread_mutex_unlock(&p->lock);

        /* A point's runs are this thread's alone until recorded: no other
         * thread takes the point, and the main thread waits. */
        size_t n_ov = sweep_point_overrides(p->sw, i, ov, p->max_ov);
        struct point_setup ps;
        setup_point(p->sw, p->env, ov, n_ov, &ps);
        for (size_t rep = 0; rep < reps; rep++) {
            size_t u = i * reps + rep;
            if (p->sw->runs[u].done)
                continue;
            struct sweep_run r = {0};
            run_rep(&ps, p->sw->seeds[rep], &r);
            /* The line is built outside the lock; the runs array, the file
             * and the progress bar are written under it. */
            size_t len = 0;
            char *line = p->log_fd >= 0 ? run_line(p->sw, u, &r, ov, n_ov, &len) : NULL;
            pthread_mutex_lock(&p->lock);
            pool_record(p, u, &r, line, len);
            bool stop = p->status != SC_OK;
            pthread_mutex_unlock(&p->lock);
            free(line);
            if (stop)
                break;
        }
        setup_fini(&ps);
    }
    free(ov);
    return NULL;
}

enum sc_status sweep_run(struct sweep *sw, const struct sweep_env *env, size_t threads, int log_fd,
                         FILE *progress, struct diag *d)
{
    struct pool p = {.sw = sw, .env = env, .log_fd = log_fd, .progress = progress};
    diag_clear(&p.diag);
    size_t reps = sw->spec.replications;
    /* The queue holds points, each run whole by one thread (set up once,
     * then its replications); progress counts runs. */
    p.todo = malloc((sw->n_points + 1) * sizeof *p.todo);
    if (!p.todo)
        return no_memory(d);
    for (size_t i = 0; i < sw->n_points; i++) {
        if (!sw->points[i].in_scope)
            continue;
        size_t pending = 0;
        for (size_t r = 0; r < reps; r++)
            pending += !sw->runs[i * reps + r].done;
        if (pending > 0) {
            p.todo[p.n_points++] = i;
            p.n_todo += pending;
        }
    }
    if (p.n_todo == 0) {
        free(p.todo);
        return SC_OK;
    }
    p.max_ov = sweep_max_overrides(sw);
    p.start_s = p.last_sync_s = now_s();
    p.last_draw_s = 0.0;
    if (threads == 0)
        threads = 1;
    if (threads > p.n_points)
        threads = p.n_points;
    /* jansson seeds its hash function on first use; do it here, before
     * the threads race to. */
    json_object_seed(0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_t *tids = calloc(threads, sizeof *tids);
    size_t started = 0;
    if (tids)
        for (; started < threads; started++)
            if (pthread_create(&tids[started], NULL, pool_worker, &p) != 0)
                break;
    if (started == 0)
        pool_worker(&p); /* no thread to be had: run them here */
    for (size_t t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    pthread_mutex_destroy(&p.lock);
    free(p.todo);
    if (log_fd >= 0)
        fsync(log_fd);
    if (p.status != SC_OK) {
        *d = p.diag;
        return p.status;
    }
    return SC_OK;
}

/* ---- results files ------------------------------------------------------------ */

static json_t *strings_json(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* The part of the header that decides which runs a sweep has: two results
 * files can be merged only when theirs are equal. */
static json_t *spec_definition(const struct sweep_spec *spec)
{
    json_t *axes = json_array();
    for (size_t a = 0; axes && a < spec->n_axes; a++) {
        json_t *choices = json_array();
        for (size_t c = 0; choices && c < spec->axes[a].n_choices; c++) {
            const struct sweep_choice *ch = &spec->axes[a].choices[c];
            json_array_append_new(choices, json_pack("{s:s, s:o}", "label", ch->label, "overrides",
                                                     strings_json(ch->overrides, ch->n_overrides)));
        }
        json_array_append_new(
            axes, json_pack("{s:s, s:o}", "name", spec->axes[a].name, "choices", choices));
    }
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:I, s:I, s:o, s:o, s:{s:s, s:I}}",
                     "stagecast_version", PACKAGE_VERSION, "scenario", "file", spec->scenario_file,
                     "name", spec->scenario_name, "hash", spec->scenario_hash, "catalog_hash",
                     spec->catalog_hash, "seed", (json_int_t)spec->seed, "replications",
                     (json_int_t)spec->replications, "fixed",
                     strings_json(spec->fixed, spec->n_fixed), "axes", axes, "base", "node_type",
                     spec->base_node_type, "workers", (json_int_t)spec->base_workers);
}

static char *header_line(const struct sweep_spec *spec, size_t *len)
{
    json_t *root =
        json_pack("{s:{s:o, s:o, s:f, s:[I, I]}}", "sweep", "definition", spec_definition(spec),
                  "deadline_s", jnum(spec->deadline_s), "confidence", spec->confidence, "shard",
                  (json_int_t)spec->shard_index, (json_int_t)spec->shard_count);
    return json_line(root, len);
}

static enum sc_status bad_line(struct diag *d, const char *source, int line, const char *what)
{
    return diag_set(d, SC_EINPUT, source, line, "%s", what);
}

/* Checks a header's scenario, catalog and version against the sweep's. */
static enum sc_status check_header(const struct sweep *sw, json_t *h, const char *source, int line,
                                   struct diag *d)
{
    json_t *def = json_object_get(h, "definition");
    const char *ver = json_string_value(json_object_get(def, "stagecast_version"));
    const char *sh = json_string_value(json_object_get(json_object_get(def, "scenario"), "hash"));
    const char *ch = json_string_value(json_object_get(def, "catalog_hash"));
    if (!ver || !sh || !ch)
        return bad_line(d, source, line, "a sweep header without its definition");
    if (strcmp(ver, PACKAGE_VERSION) != 0)
        return diag_set(d, SC_EINPUT, source, line,
                        "these results were written by stagecast %s, not %s: the models may "
                        "differ; start a new results file",
                        ver, PACKAGE_VERSION);
    if (strcmp(sh, sw->spec.scenario_hash) != 0)
        return diag_set(d, SC_EINPUT, source, line,
                        "these results are of another version of the scenario %s (its content "
                        "changed since): start a new results file",
                        sw->spec.scenario_file);
    if (strcmp(ch, sw->spec.catalog_hash) != 0)
        return diag_set(d, SC_EINPUT, source, line,
                        "these results were priced with another node catalog: start a new "
                        "results file");
    return SC_OK;
}

/* Fills run r of a sweep from a "run" object of a results line. */
static enum sc_status ingest_run(struct sweep *sw, json_t *o, const char *source, int line,
                                 struct diag *d)
{
    json_t *ov = json_object_get(o, "overrides");
    json_t *seed = json_object_get(o, "seed");
    json_t *ok = json_object_get(o, "ok");
    if (!json_is_array(ov) || !json_is_integer(seed) || !json_is_boolean(ok))
        return bad_line(d, source, line, "a run line without overrides, seed or ok");
    size_t n = json_array_size(ov);
    const char **strs = malloc((n + 1) * sizeof *strs);
    if (!strs)
        return no_memory(d);
    for (size_t k = 0; k < n; k++)
        if (!(strs[k] = json_string_value(json_array_get(ov, k)))) {
            free(strs);
            return bad_line(d, source, line, "a run line whose overrides are not strings");
        }
    char *key = join_key(strs, n);
    free(strs);
    if (!key)
        return no_memory(d);
    size_t i = find_point(sw, key);
    free(key);
    /* A run of a point or seed this sweep does not have (an earlier sweep
     * into the same file with other axes) is not an error: it is skipped. */
    if (i == SIZE_MAX)
        return SC_OK;
    uint64_t s = (uint64_t)json_integer_value(seed);
    size_t reps = sw->spec.replications, r;
    for (r = 0; r < reps && sw->seeds[r] != s; r++)
        ;
    if (r == reps || sw->runs[i * reps + r].done)
        return SC_OK;
    struct sweep_run *run = &sw->runs[i * reps + r];
    if (json_is_true(ok)) {
        json_t *m = json_object_get(o, "makespan_s"), *c = json_object_get(o, "cost_usd");
        json_t *u = json_object_get(o, "utilization"), *nt = json_object_get(o, "node_type");
        json_t *w = json_object_get(o, "workers");
        if (!json_is_number(m) || !(json_is_number(c) || json_is_null(c)) || !json_is_number(u) ||
            !json_is_string(nt) || !json_is_integer(w))
            return bad_line(d, source, line, "a run line without its figures");
        run->makespan_s = json_number_value(m);
        run->cost_usd = json_is_null(c) ? NAN : json_number_value(c);
        run->utilization = json_number_value(u);
        snprintf(run->node_type, sizeof run->node_type, "%s", json_string_value(nt));
        run->workers = json_integer_value(w);
        const char *note = json_string_value(json_object_get(o, "cost_note"));
        if (note && !(run->cost_note = strdup(note)))
            return no_memory(d);
        run->ok = true;
    } else {
        const char *err = json_string_value(json_object_get(o, "error"));
        if (!(run->error = strdup(err ? err : "failed")))
            return no_memory(d);
        run->ok = false;
    }
    run->done = true;
    return SC_OK;
}

enum sc_status sweep_ingest(struct sweep *sw, const char *text, size_t len, const char *source,
                            struct diag *d)
{
    int lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl)
            break; /* a line cut off by a crash: its run is not done */
        size_t n = (size_t)(nl - (text + pos));
        const char *line = text + pos;
        pos += n + 1;
        lineno++;
        if (n == 0)
            continue;
        json_error_t err;
        json_t *root = json_loadb(line, n, 0, &err);
        if (!root)
            return diag_set(d, SC_EINPUT, source, lineno, "not a sweep results line: %s", err.text);
        enum sc_status st;
        json_t *h = json_object_get(root, "sweep"), *r = json_object_get(root, "run");
        if (json_is_object(h))
            st = check_header(sw, h, source, lineno, d);
        else if (json_is_object(r))
            st = ingest_run(sw, r, source, lineno, d);
        else
            st = bad_line(d, source, lineno,
                          "not a sweep results line (neither \"sweep\" nor \"run\")");
        json_decref(root);
        if (st != SC_OK)
            return st;
    }
    return SC_OK;
}

char *sweep_runs_text(const struct sweep *sw, size_t *len, struct diag *d)
{
    size_t cap = 4096, n = 0, reps = sw->spec.replications;
    char *buf = malloc(cap);
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    if (!buf || !ov) {
        free(buf);
        free(ov);
        no_memory(d);
        return NULL;
    }
    buf[0] = '\0';
    for (size_t u = 0; u < sw->n_runs; u++) {
        if (!sw->points[u / reps].in_scope || !sw->runs[u].done)
            continue;
        size_t k = sweep_point_overrides(sw, u / reps, ov, max_ov), l = 0;
        char *line = run_line(sw, u, &sw->runs[u], ov, k, &l);
        if (line && n + l + 1 > cap) {
            while (n + l + 1 > cap)
                cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(line);
                line = NULL;
            } else {
                buf = nb;
            }
        }
        if (!line) {
            free(buf);
            free(ov);
            no_memory(d);
            return NULL;
        }
        memcpy(buf + n, line, l + 1);
        n += l;
        free(line);
    }
    free(ov);
    *len = n;
    return buf;
}

/* Opens the results file: a new one must not exist (a sweep never
 * overwrites finished runs); with resume, its complete lines are read in
 * and a line cut off by a crash is cut away. Then this sweep's header is
 * appended. Returns the descriptor, or -1 with d filled. */
static int results_open(struct sweep *sw, const char *path, bool resume, struct diag *d)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | (resume ? 0 : O_EXCL), 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            diag_set(d, SC_EINPUT, path, 0,
                     "the results file exists: add --resume to continue that sweep, or remove "
                     "it");
        else
            diag_set(d, SC_EIO, path, 0, "cannot open the results file: %s", strerror(errno));
        return -1;
    }
    if (resume) {
        size_t len = 0;
        char *text = read_all(fd, &len);
        if (!text) {
            diag_set(d, SC_EIO, path, 0, "cannot read the results file: %s", strerror(errno));
            close(fd);
            return -1;
        }
        enum sc_status st = sweep_ingest(sw, text, len, path, d);
        size_t keep = len;
        while (keep > 0 && text[keep - 1] != '\n')
            keep--;
        free(text);
        if (st != SC_OK) {
            close(fd);
            return -1;
        }
        if (keep < len && ftruncate(fd, (off_t)keep) != 0) {
            diag_set(d, SC_EIO, path, 0, "cannot cut the unfinished last line: %s",
                     strerror(errno));
            close(fd);
            return -1;
        }
    }
    size_t hl = 0;
    char *h = header_line(&sw->spec, &hl);
    if (!h || write_all(fd, h, hl) != 0) {
        if (h)
            diag_set(d, SC_EIO, path, 0, "cannot write the results file: %s", strerror(errno));
        else
            no_memory(d);
        free(h);
        close(fd);
        return -1;
    }
    free(h);
    return fd;
}

/* Rebuilds a spec from a header's definition (the inverse of
 * spec_definition). */
static enum sc_status spec_from_header(json_t *h, struct sweep_spec *spec, const char *source,
                                       struct diag *d)
{
    memset(spec, 0, sizeof *spec);
    json_t *def = json_object_get(h, "definition");
    json_t *scn = json_object_get(def, "scenario"), *axes = json_object_get(def, "axes");
    json_t *fixed = json_object_get(def, "fixed"), *base = json_object_get(def, "base");
    const char *file = json_string_value(json_object_get(scn, "file"));
    const char *name = json_string_value(json_object_get(scn, "name"));
    const char *sh = json_string_value(json_object_get(scn, "hash"));
    const char *ch = json_string_value(json_object_get(def, "catalog_hash"));
    const char *bnt = json_string_value(json_object_get(base, "node_type"));
    json_t *seed = json_object_get(def, "seed"), *reps = json_object_get(def, "replications");
    if (!file || !name || !sh || !ch || !bnt || !json_is_integer(seed) || !json_is_integer(reps) ||
        !json_is_array(axes) || !json_is_array(fixed) || json_integer_value(reps) < 1 ||
        json_integer_value(reps) > SWEEP_MAX_REPLICATIONS)
        return diag_set(d, SC_EINPUT, source, 0, "a sweep header without its definition");
    spec->scenario_file = strdup(file);
    spec->scenario_name = strdup(name);
    spec->base_node_type = strdup(bnt);
    snprintf(spec->scenario_hash, sizeof spec->scenario_hash, "%s", sh);
    snprintf(spec->catalog_hash, sizeof spec->catalog_hash, "%s", ch);
    spec->seed = (uint64_t)json_integer_value(seed);
    spec->replications = (size_t)json_integer_value(reps);
    spec->base_workers = json_integer_value(json_object_get(base, "workers"));
    json_t *dl = json_object_get(h, "deadline_s");
    spec->deadline_s = json_is_number(dl) ? json_number_value(dl) : NAN;
    json_t *cf = json_object_get(h, "confidence");
    spec->confidence = json_is_number(cf) ? json_number_value(cf) : 0.95;
    spec->shard_index = 0;
    spec->shard_count = 1;
    spec->fixed = calloc(json_array_size(fixed) + 1, sizeof *spec->fixed);
    if (!spec->scenario_file || !spec->scenario_name || !spec->base_node_type || !spec->fixed)
        goto nomem;
    for (size_t i = 0; i < json_array_size(fixed); i++) {
        const char *s = json_string_value(json_array_get(fixed, i));
        if (!s)
            goto bad;
        if (!(spec->fixed[spec->n_fixed++] = strdup(s)))
            goto nomem;
    }
    for (size_t a = 0; a < json_array_size(axes); a++) {
        json_t *ja = json_array_get(axes, a), *choices = json_object_get(ja, "choices");
        const char *an = json_string_value(json_object_get(ja, "name"));
        if (!an || !json_is_array(choices) || json_array_size(choices) == 0)
            goto bad;
        struct sweep_axis *ax = axis_add(spec, an);
        if (!ax)
            goto nomem;
        for (size_t c = 0; c < json_array_size(choices); c++) {
            json_t *jc = json_array_get(choices, c), *ov = json_object_get(jc, "overrides");
            const char *label = json_string_value(json_object_get(jc, "label"));
            size_t n_ov = json_array_size(ov);
            if (!label || n_ov < 1 || n_ov > 2)
                goto bad;
            const char *o1 = json_string_value(json_array_get(ov, 0));
            const char *o2 = n_ov > 1 ? json_string_value(json_array_get(ov, 1)) : NULL;
            if (!o1 || (n_ov > 1 && !o2))
                goto bad;
            if (choice_add(ax, strdup(label), n_ov, strdup(o1), o2 ? strdup(o2) : NULL) != 0)
                goto nomem;
        }
    }
    return SC_OK;
bad:
    sweep_spec_fini(spec);
    return diag_set(d, SC_EINPUT, source, 0, "a sweep header whose axes are malformed");
nomem:
    sweep_spec_fini(spec);
    return no_memory(d);
}

/* The last header of a results file's text (the sweep that last wrote to
 * it), or NULL. */
static json_t *last_header(const char *text, size_t len)
{
    json_t *found = NULL;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        if (!nl)
            break;
        size_t n = (size_t)(nl - (text + pos));
        /* Headers are short next to nothing; only lines that start so are
         * parsed. */
        if (n > 9 && strncmp(text + pos, "{\"sweep\":", 9) == 0) {
            json_t *root = json_loadb(text + pos, n, 0, NULL);
            json_t *h = json_object_get(root, "sweep");
            if (h) {
                json_decref(found);
                found = json_incref(h);
            }
            json_decref(root);
        }
        pos += n + 1;
    }
    return found;
}

/* Builds the sweep that the results files describe and fills it from them
 * (merge). */
static struct sweep *merge_files(const struct sweep_args *a, struct diag *d)
{
    char **texts = calloc(a->n_files, sizeof *texts);
    size_t *lens = calloc(a->n_files, sizeof *lens);
    json_t **heads = calloc(a->n_files, sizeof *heads);
    struct sweep *sw = NULL;
    if (!texts || !lens || !heads) {
        no_memory(d);
        goto done;
    }
    for (size_t i = 0; i < a->n_files; i++) {
        int fd = open(a->files[i], O_RDONLY);
        if (fd < 0) {
            diag_set(d, errno == ENOENT ? SC_ENOENT : SC_EIO, a->files[i], 0,
                     "cannot open results file: %s", strerror(errno));
            goto done;
        }
        texts[i] = read_all(fd, &lens[i]);
        int e = errno;
        close(fd);
        if (!texts[i]) {
            diag_set(d, SC_EIO, a->files[i], 0, "cannot read results file: %s", strerror(e));
            goto done;
        }
        heads[i] = last_header(texts[i], lens[i]);
        if (!heads[i]) {
            diag_set(d, SC_EINPUT, a->files[i], 0,
                     "not a sweep results file (no header line: written by stagecast sweep "
                     "--results)");
            goto done;
        }
        if (i > 0 && !json_equal(json_object_get(heads[i], "definition"),
                                 json_object_get(heads[0], "definition"))) {
            diag_set(d, SC_EINPUT, a->files[i], 0,
                     "this results file is of another sweep than %s (scenario, seeds, "
                     "replications or axes differ)",
                     a->files[0]);
            goto done;
        }
    }
    struct sweep_spec spec;
    if (spec_from_header(heads[0], &spec, a->files[0], d) != SC_OK)
        goto done;
    if (!isnan(a->deadline_s))
        spec.deadline_s = a->deadline_s;
    if (!isnan(a->confidence))
        spec.confidence = a->confidence;
    sw = sweep_new(&spec, d);
    for (size_t i = 0; sw && i < a->n_files; i++)
        if (sweep_ingest(sw, texts[i], lens[i], a->files[i], d) != SC_OK) {
            sweep_free(sw);
            sw = NULL;
        }
    /* Which shards the files hold, for the message when some are missing. */
done:
    for (size_t i = 0; texts && i < a->n_files; i++)
        free(texts[i]);
    for (size_t i = 0; heads && i < a->n_files; i++)
        json_decref(heads[i]);
    free(texts);
    free(lens);
    free(heads);
    return sw;
}

/* ---- statistics, the front, the recommendation --------------------------- */

void sweep_stat_compute(const double *x, size_t n, struct sweep_stat *st)
{
    st->mean = gsl_stats_mean(x, 1, n);
    st->sd = st->lo = st->hi = NAN;
    if (n < 2)
        return;
    st->sd = gsl_stats_sd_m(x, 1, n, st->mean);
    /* Two-sided 95% interval of the mean: Student's t with n - 1 degrees of
     * freedom, since sd is itself estimated from the n replications. */
    double t = gsl_cdf_tdist_Qinv(0.025, (double)(n - 1));
    double half = t * st->sd / sqrt((double)n);
    st->lo = st->mean - half;
    st->hi = st->mean + half;
}

double sweep_upper_bound(double mean, double sd, size_t n, double confidence)
{
    if (n < 2)
        return NAN;
    return mean + gsl_cdf_tdist_Qinv(1.0 - confidence, (double)(n - 1)) * sd / sqrt((double)n);
}

static bool eligible(const struct sweep_point *p)
{
    return p->status == SWEEP_OK && p->cost_known;
}

static int cmp_front(const void *a, const void *b)
{
    const struct sweep_point *p = *(const struct sweep_point *const *)a;
    const struct sweep_point *q = *(const struct sweep_point *const *)b;
    if (p->makespan_s.mean != q->makespan_s.mean)
        return p->makespan_s.mean < q->makespan_s.mean ? -1 : 1;
    if (p->cost_usd.mean != q->cost_usd.mean)
        return p->cost_usd.mean < q->cost_usd.mean ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}

void sweep_mark_pareto(struct sweep_point *pts, size_t n)
{
    size_t m = 0;
    struct sweep_point **v = malloc((n + 1) * sizeof *v);
    for (size_t i = 0; i < n; i++) {
        pts[i].pareto = false;
        if (v && eligible(&pts[i]))
            v[m++] = &pts[i];
    }
    if (!v)
        return;
    /* Sorted by (makespan, cost), a point is dominated by a point of equal
     * makespan and lower cost (earlier in its group), or by any point of
     * lower makespan and no higher cost. So in each group of equal
     * makespan, only the points at the group's lowest cost can be on the
     * front, and they are when every faster point costs more. O(n log n):
     * a sweep of a million points needs no n^2 comparison. */
    qsort(v, m, sizeof *v, cmp_front);
    double best_faster = INFINITY;
    for (size_t g = 0; g < m;) {
        size_t e = g;
        while (e < m && v[e]->makespan_s.mean == v[g]->makespan_s.mean)
            e++;
        double group_min = v[g]->cost_usd.mean;
        if (group_min < best_faster)
            for (size_t k = g; k < e && v[k]->cost_usd.mean == group_min; k++)
                v[k]->pareto = true;
        if (group_min < best_faster)
            best_faster = group_min;
        g = e;
    }
    free(v);
}

size_t sweep_recommend(struct sweep_point *pts, size_t n, double deadline_s, double confidence,
                       char *reason, size_t size)
{
    size_t best = SIZE_MAX, fastest = SIZE_MAX, n_eligible = 0, n_meet = 0, reps = 0;
    for (size_t i = 0; i < n; i++) {
        struct sweep_point *p = &pts[i];
        p->recommended = false;
        p->meets_deadline = -1;
        p->makespan_upper_s = NAN;
        if (p->status != SWEEP_OK)
            continue;
        /* With one replication there is no spread to bound: the point
         * value stands in, and the reason says so. */
        p->makespan_upper_s =
            p->n >= 2 ? sweep_upper_bound(p->makespan_s.mean, p->makespan_s.sd, p->n, confidence)
                      : p->makespan_s.mean;
        if (isnan(deadline_s))
            continue;
        p->meets_deadline = p->makespan_upper_s <= deadline_s;
        if (!p->cost_known)
            continue;
        n_eligible++;
        reps = p->n;
        if (fastest == SIZE_MAX || p->makespan_upper_s < pts[fastest].makespan_upper_s)
            fastest = i;
        if (!p->meets_deadline)
            continue;
        n_meet++;
        if (best == SIZE_MAX || p->cost_usd.mean < pts[best].cost_usd.mean ||
            (p->cost_usd.mean == pts[best].cost_usd.mean &&
             p->makespan_s.mean < pts[best].makespan_s.mean))
            best = i;
    }
    char dl[48];
    if (!isnan(deadline_s))
        units_format_duration(deadline_s, dl, sizeof dl);
    /* How "meets" was judged, said the same way whatever the outcome. */
    char how[240];
    if (reps >= 2)
        snprintf(how, sizeof how,
                 "judged by the one-sided %.3g%% upper confidence bound of the mean makespan "
                 "(Student t, %zu replications)",
                 100.0 * confidence, reps);
    else
        snprintf(how, sizeof how,
                 "judged by the makespan itself: with 1 replication the confidence cannot be "
                 "computed (use --replications 2 or more)");
    if (isnan(deadline_s)) {
        snprintf(reason, size,
                 "no --deadline given: the table and the Pareto front are the answer");
    } else if (n_eligible == 0) {
        snprintf(reason, size, "no point ran with a known cost, so none can be recommended");
    } else if (best == SIZE_MAX) {
        const struct sweep_point *f = &pts[fastest];
        snprintf(reason, size,
                 "no point meets the deadline of %s (%.3f s), %s; the fastest, %lld x %s "
                 "(point %zu), reaches %.3f s",
                 dl, deadline_s, how, (long long)f->workers, f->node_type, f->index,
                 f->makespan_upper_s);
    } else {
        const struct sweep_point *p = &pts[best];
        pts[best].recommended = true;
        snprintf(reason, size,
                 "the cheapest of the %zu of %zu points with a known cost that meet the deadline "
                 "of %s (%.3f s), %s: %.3f s",
                 n_meet, n_eligible, dl, deadline_s, how, p->makespan_upper_s);
    }
    return best;
}

enum sc_status sweep_summarize(struct sweep *sw, struct diag *d)
{
    size_t reps = sw->spec.replications, missing = 0, first_missing = SIZE_MAX;
    double *m = malloc(reps * sizeof *m), *c = malloc(reps * sizeof *c);
    double *u = malloc(reps * sizeof *u);
    if (!m || !c || !u) {
        free(m);
        free(c);
        free(u);
        return no_memory(d);
    }
    for (size_t i = 0; i < sw->n_points; i++) {
        struct sweep_point *p = &sw->points[i];
        const struct sweep_run *runs = &sw->runs[i * reps];
        p->status = SWEEP_PENDING;
        p->error = p->cost_note = NULL;
        p->n = 0;
        const char *nt = point_label(sw, i, "node_type");
        const char *wl = point_label(sw, i, "workers");
        snprintf(p->node_type, sizeof p->node_type, "%s", nt ? nt : sw->spec.base_node_type);
        p->workers = wl ? strtoll(wl, NULL, 10) : sw->spec.base_workers;
        if (!p->in_scope)
            continue;
        bool all_done = true, all_ok = true, cost_known = true;
        for (size_t r = 0; r < reps; r++) {
            if (!runs[r].done) {
                all_done = false;
                continue;
            }
            if (!runs[r].ok) {
                if (all_ok)
                    p->error = runs[r].error;
                all_ok = false;
                continue;
            }
            m[r] = runs[r].makespan_s;
            c[r] = runs[r].cost_usd;
            u[r] = runs[r].utilization;
            if (!isfinite(c[r])) {
                cost_known = false;
                if (!p->cost_note)
                    p->cost_note = runs[r].cost_note;
            }
        }
        if (!all_done) {
            if (missing++ == 0)
                first_missing = i;
            continue;
        }
        if (!all_ok) {
            p->status = SWEEP_FAILED;
            continue;
        }
        p->status = SWEEP_OK;
        p->n = reps;
        snprintf(p->node_type, sizeof p->node_type, "%s", runs[0].node_type);
        p->workers = runs[0].workers;
        sweep_stat_compute(m, reps, &p->makespan_s);
        p->cost_known = cost_known;
        if (cost_known)
            sweep_stat_compute(c, reps, &p->cost_usd);
        else
            p->cost_usd = (struct sweep_stat){NAN, NAN, NAN, NAN};
        p->utilization = gsl_stats_mean(u, 1, reps);
    }
    free(m);
    free(c);
    free(u);
    if (missing > 0) {
        size_t in_scope = 0;
        for (size_t i = 0; i < sw->n_points; i++)
            in_scope += sw->points[i].in_scope;
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "%zu of the %zu points have no results (the first: point %zu, %lld x %s): "
                        "a shard's results file is missing, or the sweep was interrupted (rerun "
                        "it with --resume)",
                        missing, in_scope, first_missing,
                        (long long)sw->points[first_missing].workers,
                        sw->points[first_missing].node_type);
    }
    sweep_mark_pareto(sw->points, sw->n_points);
    sw->recommended = sweep_recommend(sw->points, sw->n_points, sw->spec.deadline_s,
                                      sw->spec.confidence, sw->reason, sizeof sw->reason);
    return SC_OK;
}

/* ---- outputs ------------------------------------------------------------------- */

/* Axes shown as their own columns: all but node type and workers, which
 * every point has. */
static bool extra_axis(const struct sweep_axis *ax)
{
    return strcmp(ax->name, "node_type") != 0 && strcmp(ax->name, "workers") != 0;
}

static int cmp_table(const void *a, const void *b)
{
    const struct sweep_point *p = *(const struct sweep_point *const *)a;
    const struct sweep_point *q = *(const struct sweep_point *const *)b;
    int rp = p->status == SWEEP_OK ? (p->cost_known ? 0 : 1) : 2;
    int rq = q->status == SWEEP_OK ? (q->cost_known ? 0 : 1) : 2;
    if (rp != rq)
        return rp - rq;
    if (rp == 0 && p->cost_usd.mean != q->cost_usd.mean)
        return p->cost_usd.mean < q->cost_usd.mean ? -1 : 1;
    if (rp <= 1 && p->makespan_s.mean != q->makespan_s.mean)
        return p->makespan_s.mean < q->makespan_s.mean ? -1 : 1;
    return (p->index > q->index) - (p->index < q->index);
}

/* Failed points by message, then index. */
static int cmp_failed(const void *a, const void *b)
{
    const struct sweep_point *p = *(const struct sweep_point *const *)a;
    const struct sweep_point *q = *(const struct sweep_point *const *)b;
    int c = strcmp(p->error ? p->error : "", q->error ? q->error : "");
    if (c != 0)
        return c;
    return (p->index > q->index) - (p->index < q->index);
}

static const struct sweep_point **scope_points(const struct sweep *sw, size_t *n)
{
    const struct sweep_point **v = malloc((sw->n_points + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < sw->n_points; i++)
        if (sw->points[i].in_scope)
            v[(*n)++] = &sw->points[i];
    return v;
}

void sweep_print_table(FILE *f, const struct sweep *sw)
{
    const struct sweep_spec *sp = &sw->spec;
    size_t n;
    const struct sweep_point **v = scope_points(sw, &n);
    if (!v)
        return;
    fprintf(f, "stagecast %s  sweep of '%s'  %zu points x %zu replication%s (seed %llu%s)\n",
            PACKAGE_VERSION, sp->scenario_name, sw->n_points, sp->replications,
            sp->replications == 1 ? "" : "s", (unsigned long long)sp->seed,
            sp->replications > 1 ? " and derived" : "");
    if (sp->shard_count > 1)
        fprintf(f, "shard %zu/%zu: %zu of the points (stagecast merge joins the shards)\n",
                sp->shard_index, sp->shard_count, n);
    char b1[48];
    if (!isnan(sp->deadline_s))
        fprintf(f, "deadline %s at %.3g%% confidence\n",
                units_format_duration(sp->deadline_s, b1, sizeof b1), 100.0 * sp->confidence);
    fputc('\n', f);

    int wn = 9, wx[64] = {0};
    size_t n_extra = 0;
    for (size_t k = 0; k < n; k++) {
        int l = (int)strlen(v[k]->node_type);
        if (l > wn)
            wn = l;
    }
    for (size_t a = 0; a < sp->n_axes && n_extra < 64; a++) {
        if (!extra_axis(&sp->axes[a]))
            continue;
        int w = (int)strlen(sp->axes[a].name);
        for (size_t c = 0; c < sp->axes[a].n_choices; c++)
            if ((int)strlen(sp->axes[a].choices[c].label) > w)
                w = (int)strlen(sp->axes[a].choices[c].label);
        wx[n_extra++] = w > 40 ? 40 : w;
    }
    bool deadline = !isnan(sp->deadline_s);
    fprintf(f, "%6s  %-*s %7s", "point", wn, "node type", "workers");
    for (size_t a = 0, x = 0; a < sp->n_axes && x < n_extra; a++)
        if (extra_axis(&sp->axes[a]))
            fprintf(f, "  %-*.*s", wx[x], wx[x], sp->axes[a].name), x++;
    fprintf(f, "  %11s %9s  %9s %8s  %6s", "makespan s", "+-95%", "cost $", "+-95%", "util");
    if (deadline)
        fprintf(f, "  %11s %5s", "bound s", "meets");
    fputs("\n", f);

    qsort(v, n, sizeof *v, cmp_table);
    size_t n_failed = 0;
    for (size_t k = 0; k < n; k++) {
        const struct sweep_point *p = v[k];
        if (p->status != SWEEP_OK) {
            n_failed++;
            continue;
        }
        fprintf(f, "%6zu  %-*s %7lld", p->index, wn, p->node_type, (long long)p->workers);
        for (size_t a = 0, x = 0; a < sp->n_axes && x < n_extra; a++)
            if (extra_axis(&sp->axes[a])) {
                const char *lab = sp->axes[a].choices[point_choice(sp, p->index, a)].label;
                fprintf(f, "  %-*.*s", wx[x], wx[x], lab);
                x++;
            }
        fprintf(f, "  %11.3f", p->makespan_s.mean);
        if (p->n >= 2)
            fprintf(f, " %9.3f", p->makespan_s.hi - p->makespan_s.mean);
        else
            fprintf(f, " %9s", "-");
        if (p->cost_known) {
            fprintf(f, "  %9.4f", p->cost_usd.mean);
            if (p->n >= 2)
                fprintf(f, " %8.4f", p->cost_usd.hi - p->cost_usd.mean);
            else
                fprintf(f, " %8s", "-");
        } else {
            fprintf(f, "  %9s %8s", "unknown", "");
        }
        fprintf(f, "  %5.1f%%", 100.0 * p->utilization);
        if (deadline)
            fprintf(f, "  %11.3f %5s", p->makespan_upper_s, p->meets_deadline == 1 ? "yes" : "no");
        if (p->pareto)
            fputs("  front", f);
        if (p->recommended)
            fputs("  <- recommended", f);
        fputs("\n", f);
    }

    /* The front, fastest first. */
    size_t n_front = 0;
    for (size_t k = 0; k < n; k++)
        n_front += v[k]->pareto;
    if (n_front > 0) {
        const struct sweep_point **fr = malloc(n_front * sizeof *fr);
        if (fr) {
            size_t m = 0;
            for (size_t k = 0; k < n; k++)
                if (v[k]->pareto)
                    fr[m++] = v[k];
            qsort(fr, m, sizeof *fr, cmp_front);
            fprintf(f, "\nPareto front (no other point is as fast and as cheap and better in one), "
                       "fastest first:\n");
            for (size_t k = 0; k < m; k++)
                fprintf(f, "  point %zu  %lld x %s  %s  $%.4f\n", fr[k]->index,
                        (long long)fr[k]->workers, fr[k]->node_type,
                        units_format_duration(fr[k]->makespan_s.mean, b1, sizeof b1),
                        fr[k]->cost_usd.mean);
            free(fr);
        }
    }
    bool any_unknown = false;
    for (size_t k = 0; k < n; k++)
        if (v[k]->status == SWEEP_OK && !v[k]->cost_known && !any_unknown) {
            fprintf(f, "\ncost unknown for some points (not on the front, never recommended): %s\n",
                    v[k]->cost_note ? v[k]->cost_note : "a price is unknown");
            any_unknown = true;
        }
    if (n_failed > 0) {
        /* Failures grouped by message: twenty node counts of an unknown
         * node type are one problem, said once. */
        const struct sweep_point **fl = malloc(n_failed * sizeof *fl);
        size_t m = 0;
        for (size_t k = 0; fl && k < n; k++)
            if (v[k]->status == SWEEP_FAILED)
                fl[m++] = v[k];
        if (fl) {
            qsort(fl, m, sizeof *fl, cmp_failed);
            fprintf(f, "\nfailed (%zu point%s):\n", m, m == 1 ? "" : "s");
            for (size_t g = 0; g < m;) {
                size_t e = g + 1;
                while (e < m && strcmp(fl[e]->error ? fl[e]->error : "",
                                       fl[g]->error ? fl[g]->error : "") == 0)
                    e++;
                fprintf(f, "  point%s", e - g > 1 ? "s" : "");
                for (size_t k = g; k < e && k < g + 8; k++)
                    fprintf(f, "%s %zu", k > g ? "," : "", fl[k]->index);
                if (e - g > 8)
                    fprintf(f, " and %zu more", e - g - 8);
                fprintf(f, ": %s\n", fl[g]->error ? fl[g]->error : "failed");
                g = e;
            }
            free(fl);
        }
    }
    if (sw->recommended != SIZE_MAX) {
        const struct sweep_point *p = &sw->points[sw->recommended];
        fprintf(f, "\nrecommendation: %lld x %s (point %zu), $%.4f, makespan %.3f s\n  %s\n",
                (long long)p->workers, p->node_type, p->index, p->cost_usd.mean, p->makespan_s.mean,
                sw->reason);
    } else {
        fprintf(f, "\nrecommendation: none: %s\n", sw->reason);
    }
    free(v);
}

static json_t *interval(const struct sweep_stat *s)
{
    if (!isfinite(s->lo))
        return json_null();
    return json_pack("[f, f]", s->lo, s->hi);
}

static json_t *point_json(const struct sweep *sw, const struct sweep_point *p, const char **ov,
                          size_t max_ov)
{
    const struct sweep_spec *sp = &sw->spec;
    json_t *o = json_object(), *settings = json_object();
    size_t k = sweep_point_overrides(sw, p->index, ov, max_ov);
    json_t *ovs = json_array();
    for (size_t j = 0; ovs && j < k; j++)
        json_array_append_new(ovs, json_string(ov[j]));
    for (size_t a = 0; settings && a < sp->n_axes; a++)
        json_object_set_new(settings, sp->axes[a].name,
                            json_string(sp->axes[a].choices[point_choice(sp, p->index, a)].label));
    json_object_set_new(o, "index", json_integer((json_int_t)p->index));
    json_object_set_new(o, "status", json_string(p->status == SWEEP_OK ? "ok" : "failed"));
    json_object_set_new(o, "node_type", json_string(p->node_type));
    json_object_set_new(o, "workers", json_integer((json_int_t)p->workers));
    json_object_set_new(o, "settings", settings);
    json_object_set_new(o, "overrides", ovs);
    if (p->status != SWEEP_OK) {
        json_object_set_new(o, "error", json_string(p->error ? p->error : "failed"));
        json_object_set_new(o, "pareto", json_false());
        json_object_set_new(o, "recommended", json_false());
        return o;
    }
    json_object_set_new(o, "replications", json_integer((json_int_t)p->n));
    json_object_set_new(o, "makespan_s", json_real(p->makespan_s.mean));
    json_object_set_new(o, "makespan_ci_s", interval(&p->makespan_s));
    json_object_set_new(o, "makespan_sd_s", jnum(p->makespan_s.sd));
    json_object_set_new(o, "makespan_upper_s", p->n >= 2 ? jnum(p->makespan_upper_s) : json_null());
    json_object_set_new(o, "cost_usd", jnum(p->cost_usd.mean));
    json_object_set_new(o, "cost_ci_usd", interval(&p->cost_usd));
    json_object_set_new(o, "cost_sd_usd", jnum(p->cost_usd.sd));
    if (!p->cost_known)
        json_object_set_new(o, "cost_note", json_string(p->cost_note ? p->cost_note : ""));
    json_object_set_new(o, "utilization", json_real(p->utilization));
    json_object_set_new(o, "pareto", json_boolean(p->pareto));
    json_object_set_new(o, "meets_deadline",
                        p->meets_deadline < 0 ? json_null() : json_boolean(p->meets_deadline));
    json_object_set_new(o, "recommended", json_boolean(p->recommended));
    return o;
}

enum sc_status sweep_write_json(FILE *f, const struct sweep *sw, struct diag *d)
{
    const struct sweep_spec *sp = &sw->spec;
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    json_t *root = json_object(), *points = json_array(), *front = json_array();
    json_t *seeds = json_array(), *axes = json_array();
    if (!ov || !root || !points || !front || !seeds || !axes) {
        free(ov);
        json_decref(root);
        json_decref(points);
        json_decref(front);
        json_decref(seeds);
        json_decref(axes);
        return no_memory(d);
    }
    for (size_t r = 0; r < sp->replications; r++)
        json_array_append_new(seeds, json_integer((json_int_t)sw->seeds[r]));
    for (size_t a = 0; a < sp->n_axes; a++) {
        json_t *vals = json_array();
        for (size_t c = 0; vals && c < sp->axes[a].n_choices; c++)
            json_array_append_new(vals, json_string(sp->axes[a].choices[c].label));
        json_array_append_new(axes,
                              json_pack("{s:s, s:o}", "name", sp->axes[a].name, "values", vals));
    }
    size_t n_failed = 0, n_scope = 0;
    for (size_t i = 0; i < sw->n_points; i++) {
        const struct sweep_point *p = &sw->points[i];
        if (!p->in_scope)
            continue;
        n_scope++;
        n_failed += p->status == SWEEP_FAILED;
        json_array_append_new(points, point_json(sw, p, ov, max_ov));
    }
    /* The front's points, fastest first. */
    size_t n;
    const struct sweep_point **v = scope_points(sw, &n);
    if (v) {
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (v[k]->pareto)
                v[m++] = v[k];
        qsort(v, m, sizeof *v, cmp_front);
        for (size_t k = 0; k < m; k++)
            json_array_append_new(front, json_integer((json_int_t)v[k]->index));
        free(v);
    }
    json_object_set_new(root, "stagecast_version", json_string(PACKAGE_VERSION));
    json_object_set_new(root, "scenario",
                        json_pack("{s:s, s:s, s:I}", "name", sp->scenario_name, "file",
                                  sp->scenario_file, "seed", (json_int_t)sp->seed));
    json_object_set_new(root, "replications", json_integer((json_int_t)sp->replications));
    json_object_set_new(root, "seeds", seeds);
    json_object_set_new(root, "fixed", strings_json(sp->fixed, sp->n_fixed));
    json_object_set_new(root, "axes", axes);
    if (sp->shard_count > 1)
        json_object_set_new(
            root, "shard",
            json_pack("[I, I]", (json_int_t)sp->shard_index, (json_int_t)sp->shard_count));
    json_object_set_new(root, "deadline_s", jnum(sp->deadline_s));
    json_object_set_new(root, "confidence", json_real(sp->confidence));
    json_object_set_new(root, "n_points", json_integer((json_int_t)n_scope));
    json_object_set_new(root, "n_failed", json_integer((json_int_t)n_failed));
    json_object_set_new(root, "points", points);
    json_object_set_new(root, "pareto", front);
    if (sw->recommended != SIZE_MAX) {
        const struct sweep_point *p = &sw->points[sw->recommended];
        json_t *rec = point_json(sw, p, ov, max_ov);
        json_object_set_new(rec, "deadline_s", jnum(sp->deadline_s));
        json_object_set_new(rec, "confidence", json_real(sp->confidence));
        json_object_set_new(rec, "confidence_computed", json_boolean(p->n >= 2));
        json_object_set_new(rec, "bound_s", jnum(p->makespan_upper_s));
        json_object_set_new(rec, "reason", json_string(sw->reason));
        json_object_set_new(root, "recommendation", rec);
    } else {
        json_object_set_new(root, "recommendation", json_null());
    }
    json_object_set_new(root, "recommendation_reason", json_string(sw->reason));
    free(ov);
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (rc != 0 || fputc('\n', f) == EOF)
        return diag_set(d, SC_EIO, NULL, 0, "writing the sweep's JSON failed");
    return SC_OK;
}

/* A text field for the CSV: gnuplot splits at every comma, quoted or not,
 * so commas become semicolons (and line breaks spaces); the JSON keeps the
 * text exactly. */
static void csv_text(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == ',' ? ';' : (*s == '\n' || *s == '\r') ? ' ' : *s == '"' ? '\'' : *s, f);
}

static void csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
}

enum sc_status sweep_write_csv(FILE *f, const struct sweep *sw, struct diag *d)
{
    const struct sweep_spec *sp = &sw->spec;
    size_t max_ov = sweep_max_overrides(sw);
    const char **ov = malloc((max_ov + 1) * sizeof *ov);
    if (!ov)
        return no_memory(d);
    fputs("point,node_type,workers,makespan_s,cost_usd,pareto,recommended,status,replications,"
          "makespan_lo_s,makespan_hi_s,makespan_sd_s,makespan_upper_s,cost_lo_usd,cost_hi_usd,"
          "utilization,meets_deadline",
          f);
    for (size_t a = 0; a < sp->n_axes; a++)
        if (extra_axis(&sp->axes[a])) {
            fputc(',', f);
            csv_text(f, sp->axes[a].name);
        }
    fputs(",overrides,error\n", f);
    for (size_t i = 0; i < sw->n_points; i++) {
        const struct sweep_point *p = &sw->points[i];
        if (!p->in_scope)
            continue;
        bool ok = p->status == SWEEP_OK;
        fprintf(f, "%zu,", p->index);
        csv_text(f, p->node_type);
        fprintf(f, ",%lld,", (long long)p->workers);
        if (ok)
            csv_num(f, p->makespan_s.mean);
        fputc(',', f);
        if (ok)
            csv_num(f, p->cost_usd.mean);
        fprintf(f, ",%d,%d,%s,%zu,", p->pareto, p->recommended, ok ? "ok" : "failed", p->n);
        if (ok) {
            csv_num(f, p->makespan_s.lo);
            fputc(',', f);
            csv_num(f, p->makespan_s.hi);
            fputc(',', f);
            csv_num(f, p->makespan_s.sd);
            fputc(',', f);
            if (p->n >= 2)
                csv_num(f, p->makespan_upper_s);
            fputc(',', f);
            csv_num(f, p->cost_usd.lo);
            fputc(',', f);
            csv_num(f, p->cost_usd.hi);
            fputc(',', f);
            csv_num(f, p->utilization);
            fputc(',', f);
            if (p->meets_deadline >= 0)
                fprintf(f, "%d", p->meets_deadline);
        } else {
            fputs(",,,,,,,", f);
        }
        for (size_t a = 0; a < sp->n_axes; a++)
            if (extra_axis(&sp->axes[a])) {
                fputc(',', f);
                csv_text(f, sp->axes[a].choices[point_choice(sp, i, a)].label);
            }
        fputc(',', f);
        size_t k = sweep_point_overrides(sw, i, ov, max_ov);
        for (size_t j = 0; j < k; j++) {
            if (j)
                fputc(' ', f);
            csv_text(f, ov[j]);
        }
        fputc(',', f);
        if (!ok)
            csv_text(f, p->error ? p->error : "failed");
        fputc('\n', f);
    }
    free(ov);
    if (ferror(f))
        return diag_set(d, SC_EIO, NULL, 0, "writing the sweep's CSV failed");
    return SC_OK;
}

/* ---- the command ----------------------------------------------------------------- */

/* The outputs, all or nothing: JSON and CSV go to temporary files renamed
 * into place once both are complete, the table in between. */
static enum sc_status write_outputs(const struct sweep_args *a, const struct sweep_io *io,
                                    const struct sweep *sw, struct diag *d)
{
    struct outfile jf = {0}, cf = {0};
    if (a->json_path) {
        FILE *f = outfile_open(&jf, a->json_path, d);
        if (!f || sweep_write_json(f, sw, d) != SC_OK)
            goto fail;
    }
    if (a->csv_path) {
        FILE *f = outfile_open(&cf, a->csv_path, d);
        if (!f || sweep_write_csv(f, sw, d) != SC_OK)
            goto fail;
    }
    if (a->plot_path) {
        /* The picture is drawn from the same CSV, written to a scratch file
         * beside it; it is renamed into place by plot_sweep, before the
         * other outputs are committed. */
        size_t n = strlen(a->plot_path);
        char *csv = malloc(n + 32);
        if (!csv) {
            diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            goto fail;
        }
        snprintf(csv, n + 32, "%s.csv.XXXXXX", a->plot_path);
        int fd = mkstemp(csv);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
        enum sc_status st = SC_OK;
        if (!f) {
            st = diag_set(d, SC_EIO, a->plot_path, 0, "cannot write: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
        } else {
            st = sweep_write_csv(f, sw, d);
            if (fclose(f) != 0 && st == SC_OK)
                st = diag_set(d, SC_EIO, a->plot_path, 0, "writing the plot data failed");
            if (st == SC_OK)
                st = plot_sweep(csv, a->plot_path, a->plot, d);
        }
        if (fd >= 0)
            unlink(csv);
        free(csv);
        if (st != SC_OK)
            goto fail;
    }
    bool to_stdout = (a->json_path && strcmp(a->json_path, "-") == 0) ||
                     (a->csv_path && strcmp(a->csv_path, "-") == 0);
    if (!a->quiet && !to_stdout && io->table)
        sweep_print_table(io->table, sw);
    if (outfile_commit(&jf, d) != SC_OK || outfile_commit(&cf, d) != SC_OK)
        goto fail;
    return SC_OK;
fail:
    outfile_abort(&jf);
    outfile_abort(&cf);
    return d->status;
}

static size_t online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (size_t)n : 1;
}

enum sc_status sweep_execute(const struct sweep_args *a, const struct sweep_io *io, struct diag *d)
{
    const struct sweep_peer *peer = io->peer && io->peer->size > 1 ? io->peer : NULL;
    enum sc_status st = SC_OK;
    struct catalog *cat = NULL;
    struct sweep *sw = NULL;
    char *log_path = NULL, *all = NULL;
    int log_fd = -1;
    json_object_seed(0);

    if (a->merge) {
        /* Only one process writes the merged outputs. */
        if (peer && peer->rank != 0)
            return SC_OK;
        sw = merge_files(a, d);
        if (!sw)
            return d->status;
        st = sweep_summarize(sw, d);
        if (st == SC_OK)
            st = write_outputs(a, io, sw, d);
        sweep_free(sw);
        return st;
    }

    /* Set-up. Under MPI every rank reaches the agreement below, failed or
     * not, so that no rank waits for one that has given up. */
    if (peer && a->have_shard) {
        st = diag_set(d, SC_EINPUT, NULL, 0,
                      "--shard and mpirun both split the points: use one of them");
    } else if (!(cat = a->catalog_path ? catalog_load(a->catalog_path, d)
                                       : catalog_load_default(d))) {
        st = d->status;
    } else {
        struct sweep_spec spec;
        st = sweep_spec_from_args(a, cat, &spec, d);
        if (st == SC_OK && peer) {
            spec.shard_index = (size_t)peer->rank;
            spec.shard_count = (size_t)peer->size;
        }
        if (st == SC_OK && !(sw = sweep_new(&spec, d)))
            st = d->status;
    }
    if (st == SC_OK && a->results_path) {
        /* Each rank keeps its own results file: ranks may run on machines
         * that share no disk, and each resumes its own share. */
        log_path =
            peer ? fmt_alloc("%s.rank%d", a->results_path, peer->rank) : strdup(a->results_path);
        if (!log_path)
            st = no_memory(d);
        else if ((log_fd = results_open(sw, log_path, a->resume, d)) < 0)
            st = d->status;
    }
    if (peer) {
        enum sc_status all_st = peer->agree(peer, st);
        if (st == SC_OK && all_st != SC_OK)
            st = diag_set(d, all_st, NULL, 0, "another MPI rank could not start the sweep");
    }
    if (st != SC_OK)
        goto done;

    pthread_mutex_t calib_lock;
    pthread_mutex_init(&calib_lock, NULL);
    struct sweep_configs *configs = configs_new();
    if (!configs)
        st = no_memory(d);
    struct sweep_env env = {
        .catalog = cat, .calib = a->calib, .calib_lock = &calib_lock, .configs = configs};
    size_t threads = a->threads ? a->threads : online_cpus();
    /* Warm the fit cache with the scenario as written, before any point
     * runs: every point, thread and MPI rank then reads the same fits (the
     * first writer of a cache entry wins). */
    {
        struct point_setup warm;
        setup_point(sw, &env, NULL, 0, &warm);
        setup_fini(&warm);
        if (peer) {
            enum sc_status all_st = peer->agree(peer, SC_OK);
            if (all_st != SC_OK)
                st = diag_set(d, all_st, NULL, 0, "another MPI rank could not start the sweep");
        }
    }
    if (st == SC_OK)
        st = sweep_run(sw, &env, threads, log_fd, peer && peer->rank != 0 ? NULL : io->progress,
                       d);
    configs_free(configs);
    pthread_mutex_destroy(&calib_lock);
    if (log_fd >= 0 && close(log_fd) != 0 && st == SC_OK)
        st = diag_set(d, SC_EIO, log_path, 0, "cannot close the results file: %s", strerror(errno));
    log_fd = -1;

    if (peer) {
        /* Every rank sends its runs as results-file text, and rank 0 takes
         * them in exactly as merge would: one path to the same outputs. */
        size_t len = 0, all_len = 0;
        char *text = st == SC_OK ? sweep_runs_text(sw, &len, d) : NULL;
        struct diag gd;
        diag_clear(&gd);
        enum sc_status gst =
            peer->gather(peer, text ? text : "", text ? len : 0, &all, &all_len, &gd);
        free(text);
        if (st == SC_OK && gst != SC_OK) {
            *d = gd;
            st = gst;
        }
        if (st != SC_OK || peer->rank != 0)
            goto done;
        for (size_t i = 0; i < sw->n_points; i++)
            sw->points[i].in_scope = true;
        sw->spec.shard_index = 0;
        sw->spec.shard_count = 1;
        if ((st = sweep_ingest(sw, all, all_len, "MPI ranks", d)) != SC_OK)
            goto done;
    }
    if (st != SC_OK)
        goto done;
    if ((st = sweep_summarize(sw, d)) != SC_OK)
        goto done;
    st = write_outputs(a, io, sw, d);
done:
    if (log_fd >= 0)
        close(log_fd);
    free(all);
    free(log_path);
    sweep_free(sw);
    catalog_free(cat);
    return st;
}
