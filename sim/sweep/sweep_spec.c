/*
 * sweep_spec.c — what a sweep is, from the command line: the scenario it
 * runs (read once with the single-valued --set overrides, for its name,
 * seed and cluster, and hashed with the node catalog so that results files
 * can say which inputs they are of), and one axis per option that lists
 * values: --node-types, --workers, --autoscale, --spot and each --set with
 * a comma-separated list. Each axis is a named step below; the points and
 * their order follow from the axes (sweep_points.c).
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

#include "sim/input/cluster.h"
#include "sim/input/scenario.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/sbuf.h"

/* Hashes a file's bytes (after more's, when more is a readable file) into
 * hex; "" when it cannot be read (then nothing matches it, which is the
 * safe side). */
static void hash_files(const char *path, const char *more, char out[17])
{
    out[0] = '\0';
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return;
    uint64_t h = SWEEP_FNV_OFFSET;
    char buf[65536];
    size_t n;
    /* A second file's bytes continue the hash: the catalog's prices change
     * the costs a results file holds as much as its nodes do. */
    FILE *g = more ? fopen(more, "rb") : NULL;
    if (g) {
        while ((n = fread(buf, 1, sizeof buf, g)) > 0)
            h = sweep_fnv1a(h, buf, n);
        bool bad = ferror(g);
        fclose(g);
        if (bad) {
            fclose(f);
            return;
        }
    }
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = sweep_fnv1a(h, buf, n);
    if (!ferror(f))
        snprintf(out, 17, "%016llx", (unsigned long long)h);
    fclose(f);
}

static void hash_file(const char *path, char out[17])
{
    hash_files(path, NULL, out);
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
        return sweep_no_memory(d);
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
            return sweep_no_memory(d);
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
            return sweep_no_memory(d);
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

/* ---- the spec -------------------------------------------------------------- */

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
    free(spec->notes);
    memset(spec, 0, sizeof *spec);
}

struct sweep_axis *sweep_axis_add(struct sweep_spec *spec, const char *name)
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
int sweep_choice_add(struct sweep_axis *ax, char *label, size_t n, char *ov1, char *ov2)
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

/* The --set options: one with a single value is a fixed setting (into
 * spec->fixed); one with a comma-separated list is an axis, marked in
 * is_list for axis_set. driver_set says whether one sets the driver. */
static enum sc_status spec_sets(const struct sweep_args *a, struct sweep_spec *spec, bool *is_list,
                                bool *driver_set, struct diag *d)
{
    for (size_t i = 0; i < a->n_sets; i++) {
        const char *eq = strchr(a->sets[i], '=');
        if (!eq || eq == a->sets[i])
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "--set needs KEY=VALUE or KEY=V1,V2,... (e.g. "
                            "spark.sql.shuffle.partitions=200,400), not '%s'",
                            a->sets[i]);
        size_t klen = (size_t)(eq - a->sets[i]);
        if (klen == 4 && strncmp(a->sets[i], "seed", 4) == 0)
            return diag_set(d, SC_EINPUT, NULL, 0,
                            "a sweep draws its seeds itself: use --seed N for the first "
                            "replication's and --replications N for more, not --set seed");
        if (klen == 14 && strncmp(a->sets[i], "cluster.driver", 14) == 0)
            *driver_set = true;
        is_list[i] = strchr(eq + 1, ',') != NULL;
        if (!is_list[i] && !(spec->fixed[spec->n_fixed++] = strdup(a->sets[i])))
            return sweep_no_memory(d);
    }
    return SC_OK;
}

/* Appends a line to spec->notes; -1 when out of memory. */
static int spec_note(struct sweep_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int spec_note(struct sweep_spec *spec, const char *fmt, ...)
{
    struct sbuf b = {0};
    if (spec->notes)
        sb_add(&b, "%s", spec->notes);
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    sb_add(&b, "%s\n", line);
    char *t = sb_take(&b);
    if (!t)
        return -1;
    free(spec->notes);
    spec->notes = t;
    return 0;
}

/* What the axes need to know of the scenario as the fixed settings leave
 * it, so that an axis does not silently answer another question. */
struct base_facts {
    bool autoscale;     /* it has a cluster.autoscale group */
    bool workers_given; /* 'workers' written in the file (or a fixed --set) */
    int64_t workers;
    int workers_line;
    const char *platform;                         /* whose autoscale policy a new group takes */
    struct autoscale_defaults autoscale_defaults; /* what that group gets */
    bool spot_priced;                             /* cluster.spot gives discount or usd_per_hour */
    bool spot_evicts;                             /* evictions_per_hour > 0 or evict_at_s given */
    bool region_given;                            /* cluster.region in the file or a fixed --set */
    bool driver_priced, worker_priced; /* cluster.price.{driver,worker}_usd_per_hour given */
    char driver[64];                   /* the scenario's driver node type */
};

static bool fixed_sets(const struct sweep_spec *spec, const char *prefix)
{
    for (size_t i = 0; i < spec->n_fixed; i++)
        if (strncmp(spec->fixed[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

/* The scenario with the fixed settings, read once: the spec's name, seed,
 * base cluster and hashes come from it, whether the driver follows the
 * worker (*driver_follows), and the facts the axes check (*bf). With a
 * --spot axis it is read with a placeholder fraction, as every point will
 * have one: a --set cluster.spot.discount then needs no fraction of its
 * own. */
static enum sc_status spec_base(const struct sweep_args *a, const struct catalog *cat,
                                bool driver_set, struct sweep_spec *spec, bool *driver_follows,
                                struct base_facts *bf, struct diag *d)
{
    const char **sets = calloc(spec->n_fixed + 2, sizeof *sets);
    if (!sets)
        return sweep_no_memory(d);
    size_t n_sets = 0;
    for (size_t i = 0; i < spec->n_fixed; i++)
        sets[n_sets++] = spec->fixed[i];
    if (a->spot)
        sets[n_sets++] = "cluster.spot.fraction=0.0";
    struct scenario *base = scenario_load_with(a->file, sets, n_sets, d);
    free(sets);
    if (!base)
        return d->status;
    const struct cluster_spec *c = &base->cluster;
    bf->autoscale = c->autoscale;
    bf->workers = c->workers;
    bf->workers_line = c->workers_line;
    /* Without 'workers' an autoscaled cluster's size is its minimum, and
     * its line the group's. */
    bf->workers_given = fixed_sets(spec, "cluster.workers=") ||
                        (c->workers_line > 0 && !(c->autoscale && c->workers == c->autoscale_min &&
                                                  c->workers_line == c->autoscale_line));
    bf->platform = platform_name(c->platform);
    bf->autoscale_defaults = cluster_autoscale_defaults(c->platform, c->pricing);
    bf->spot_priced = !isnan(c->spot_discount) || !isnan(c->spot_usd_per_hour);
    bf->spot_evicts = c->spot_evictions_per_hour > 0 || !isnan(c->spot_evict_at_s);
    bf->region_given = c->region[0] != '\0' || fixed_sets(spec, "cluster.region=");
    bf->driver_priced = !isnan(c->price.driver_usd_per_hour);
    bf->worker_priced = !isnan(c->price.worker_usd_per_hour);
    snprintf(bf->driver, sizeof bf->driver, "%s", c->driver);
    if (base->size_note[0] && spec_note(spec, "%s", base->size_note) != 0) {
        scenario_free(base);
        return sweep_no_memory(d);
    }
    spec->scenario_file = strdup(a->file);
    spec->scenario_name = strdup(base->name ? base->name : "");
    spec->base_node_type = strdup(base->cluster.worker);
    if (!spec->scenario_file || !spec->scenario_name || !spec->base_node_type) {
        scenario_free(base);
        return sweep_no_memory(d);
    }
    spec->base_workers = base->cluster.workers;
    spec->seed = a->have_seed ? a->seed : base->seed;
    hash_file(a->file, spec->scenario_hash);
    hash_files(catalog_path(cat), catalog_prices_path(cat), spec->catalog_hash);
    /* The driver follows the worker when the scenario has them the same
     * size (or names no driver): "try E8ds_v5" means the whole cluster.
     * A scenario that chose a different driver, or a --set of it, keeps
     * its driver. */
    *driver_follows = !driver_set && same_node(cat, base->cluster.driver, base->cluster.worker);
    scenario_free(base);
    return SC_OK;
}

/* --node-types: a choice per node type, setting the worker (and the driver
 * when it follows). */
static enum sc_status axis_node_types(struct sweep_spec *spec, const char *text,
                                      bool driver_follows, struct diag *d)
{
    char **items;
    size_t n_items;
    enum sc_status st = split_items(text, "--node-types", &items, &n_items, d);
    if (st != SC_OK)
        return st;
    struct sweep_axis *ax = sweep_axis_add(spec, "node_type");
    if (!ax)
        st = sweep_no_memory(d);
    for (size_t i = 0; st == SC_OK && i < n_items; i++) {
        if (item_seen(items, i))
            continue;
        if (sweep_choice_add(ax, strdup(items[i]), driver_follows ? 2 : 1,
                             sweep_fmt_alloc("cluster.worker=%s", items[i]),
                             driver_follows ? sweep_fmt_alloc("cluster.driver=%s", items[i])
                                            : NULL) != 0)
            st = sweep_no_memory(d);
    }
    free_items(items, n_items);
    return st;
}

/* Whether region lists a VM price for every node type of the --node-types
 * list and the driver when it does not follow them; *missing gets the
 * first that it does not price. Unknown names are left to the points,
 * which report them. */
static bool region_prices_nodes(const struct catalog *cat, const char *region, char **items,
                                size_t n, const char *driver, const char **missing)
{
    for (size_t i = 0; i <= n; i++) {
        const char *name = i < n ? items[i] : driver;
        const struct node_type *nt = name ? catalog_find(cat, name) : NULL;
        if (!nt)
            continue;
        const struct node_price *p = catalog_price(cat, nt->name, region);
        if (!p || isnan(p->vm_usd_per_hour)) {
            *missing = nt->name;
            return false;
        }
    }
    return true;
}

/* A sweep over node types on a scenario that names no region prices every
 * point in one region, as a single run prices its cluster: the default
 * when it lists all the node types, else the first region that does (a
 * fixed cluster.region override and a note), so that comparing sizes never
 * mixes two sources' prices and no size East US's sources leave out shows
 * "cost unknown" when West US 2's page lists it. */
static enum sc_status spec_region(const struct sweep_args *a, const struct catalog *cat,
                                  const struct base_facts *bf, bool driver_follows,
                                  struct sweep_spec *spec, struct diag *d)
{
    if (bf->region_given || !a->node_types)
        return SC_OK;
    char **items;
    size_t n;
    enum sc_status st = split_items(a->node_types, "--node-types", &items, &n, d);
    if (st != SC_OK)
        return st;
    /* A price the scenario sets needs no list price: the node types when
     * it sets the workers', the driver when it sets the driver's. */
    const char *driver = driver_follows || bf->driver_priced ? NULL : bf->driver;
    size_t n_listed = bf->worker_priced ? 0 : n;
    const char *missing = NULL, *rg;
    if (!region_prices_nodes(cat, CATALOG_DEFAULT_REGION, items, n_listed, driver, &missing)) {
        const char *dmissing = missing;
        for (size_t i = 0; (rg = catalog_region_at(cat, i)) != NULL; i++) {
            if (strcmp(rg, CATALOG_DEFAULT_REGION) == 0 ||
                !region_prices_nodes(cat, rg, items, n_listed, driver, &missing))
                continue;
            char *ov = sweep_fmt_alloc("cluster.region=%s", rg);
            if (!ov || spec_note(spec,
                                 "prices: every point in %s (%s), the first region whose list "
                                 "prices give every node type; %s has none for %s (set "
                                 "cluster.region to choose)",
                                 catalog_region_label(rg), rg,
                                 catalog_region_label(CATALOG_DEFAULT_REGION), dmissing) != 0) {
                free(ov);
                st = sweep_no_memory(d);
                break;
            }
            spec->fixed[spec->n_fixed++] = ov;
            break;
        }
    }
    free_items(items, n);
    return st;
}

/* --workers: a choice per worker count (sweep_parse_counts). */
static enum sc_status axis_workers(struct sweep_spec *spec, const char *text, struct diag *d)
{
    int64_t *v;
    size_t n;
    enum sc_status st = sweep_parse_counts(text, "--workers", 1, SCN_MAX_WORKERS, &v, &n, d);
    if (st != SC_OK)
        return st;
    struct sweep_axis *ax = sweep_axis_add(spec, "workers");
    for (size_t i = 0; ax && i < n; i++)
        if (sweep_choice_add(ax, sweep_fmt_alloc("%lld", (long long)v[i]), 1,
                             sweep_fmt_alloc("cluster.workers=%lld", (long long)v[i]), NULL) != 0)
            ax = NULL;
    free(v);
    return ax ? SC_OK : sweep_no_memory(d);
}

/* Adds an override (owned; NULL: an allocation failed) to choice c; -1 on
 * failure. */
static int choice_push(struct sweep_choice *c, char *ov)
{
    char **v = ov ? realloc(c->overrides, (c->n_overrides + 1) * sizeof *v) : NULL;
    if (!v) {
        free(ov);
        return -1;
    }
    c->overrides = v;
    v[c->n_overrides++] = ov;
    return 0;
}

/* --autoscale: a choice per MIN-MAX range, setting both bounds. A range is
 * a question about a cluster that starts small and grows: the scenario's
 * fixed 'workers' would be the start (failing a range below it, and making
 * a range up to it the same as the fixed size for a job that keeps every
 * node busy), so unless the command line chose a start (--workers or --set
 * cluster.workers) each range starts at its MIN, as a cluster without
 * 'workers' does, and a note says so. */
static enum sc_status axis_autoscale(struct sweep_spec *spec, const char *text, bool workers_axis,
                                     const struct base_facts *bf, struct diag *d)
{
    bool start_at_min = bf->workers_given && !workers_axis && !fixed_sets(spec, "cluster.workers=");
    if (!bf->autoscale &&
        spec_note(spec,
                  "the scenario has no cluster.autoscale group: each --autoscale range makes one "
                  "with the %s platform's autoscale policy and its defaults: provision_s = %.0f "
                  "(mean), interval_s = %g, idle_s = %g (set them with --set "
                  "cluster.autoscale.KEY=VALUE)",
                  bf->platform, bf->autoscale_defaults.provision_s,
                  bf->autoscale_defaults.interval_s, bf->autoscale_defaults.idle_s) != 0)
        return sweep_no_memory(d);
    if (start_at_min &&
        spec_note(spec,
                  "the scenario's 'workers = %lld' (line %d) does not cap or start the --autoscale "
                  "ranges: each range starts at its MIN workers (cluster.workers=MIN); give "
                  "--set cluster.workers=N to start every range at N",
                  (long long)bf->workers, bf->workers_line) != 0)
        return sweep_no_memory(d);
    if (!start_at_min && workers_axis &&
        spec_note(spec, "each point's --workers count is its autoscale range's starting size and "
                        "must lie within the range (points where it does not fail)") != 0)
        return sweep_no_memory(d);
    char **items;
    size_t n_items;
    enum sc_status st = split_items(text, "--autoscale", &items, &n_items, d);
    if (st != SC_OK)
        return st;
    struct sweep_axis *ax = sweep_axis_add(spec, "autoscale");
    if (!ax)
        st = sweep_no_memory(d);
    for (size_t i = 0; st == SC_OK && i < n_items; i++) {
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
            break;
        }
        if (item_seen(items, i))
            continue;
        if (sweep_choice_add(ax, sweep_fmt_alloc("%lld-%lld", (long long)lo, (long long)hi), 2,
                             sweep_fmt_alloc("cluster.autoscale.min=%lld", (long long)lo),
                             sweep_fmt_alloc("cluster.autoscale.max=%lld", (long long)hi)) != 0 ||
            (start_at_min &&
             choice_push(&ax->choices[ax->n_choices - 1],
                         sweep_fmt_alloc("cluster.workers=%lld", (long long)lo)) != 0))
            st = sweep_no_memory(d);
    }
    free_items(items, n_items);
    return st;
}

/* --spot: a choice per fraction of the workers on spot nodes. Spot workers
 * without a price make every spot point's cost unknown, and without an
 * eviction rate every fraction runs the same: the first stops the sweep
 * with what to add, the second is said. */
static enum sc_status axis_spot(struct sweep_spec *spec, const char *text,
                                const struct base_facts *bf, struct diag *d)
{
    if (!bf->spot_priced)
        return diag_set(
            d, SC_EINPUT, spec->scenario_file, 0,
            "--spot needs the spot workers' price, which the scenario does not give: add to its "
            "cluster group spot = { fraction = 0.0; discount = 0.6; evictions_per_hour = 0.5; }; "
            "with your VM size's figures (discount off the on-demand VM price, or usd_per_hour; "
            "evictions per spot node-hour), or give --set cluster.spot.discount=D (or "
            "cluster.spot.usd_per_hour=P) and --set cluster.spot.evictions_per_hour=R");
    if (!bf->spot_evicts &&
        spec_note(spec,
                  "cluster.spot.evictions_per_hour is 0 (its default when not given): no spot "
                  "worker is evicted at any --spot fraction, so the points differ only in price; "
                  "give --set cluster.spot.evictions_per_hour=R for evictions") != 0)
        return sweep_no_memory(d);
    char **items;
    size_t n_items;
    enum sc_status st = split_items(text, "--spot", &items, &n_items, d);
    if (st != SC_OK)
        return st;
    struct sweep_axis *ax = sweep_axis_add(spec, "spot");
    if (!ax)
        st = sweep_no_memory(d);
    for (size_t i = 0; st == SC_OK && i < n_items; i++) {
        char *end;
        double f = strtod(items[i], &end);
        if (*end || !(f >= 0.0 && f <= 1.0)) {
            st = diag_set(d, SC_EINPUT, NULL, 0,
                          "--spot takes fractions of the workers from 0 to 1 joined by "
                          "commas (e.g. 0,0.5,1), not '%s'",
                          items[i]);
            break;
        }
        if (item_seen(items, i))
            continue;
        char *txt = fraction_text(f);
        if (sweep_choice_add(ax, strdup(items[i]), 1,
                             txt ? sweep_fmt_alloc("cluster.spot.fraction=%s", txt) : NULL,
                             NULL) != 0)
            st = sweep_no_memory(d);
        free(txt);
    }
    free_items(items, n_items);
    return st;
}

/* A --set KEY=V1,V2,...: an axis named KEY, a choice per value. */
static enum sc_status axis_set(struct sweep_spec *spec, const char *set, struct diag *d)
{
    const char *eq = strchr(set, '=');
    char key[512];
    snprintf(key, sizeof key, "%.*s", (int)(eq - set), set);
    char **items;
    size_t n_items;
    enum sc_status st = split_items(eq + 1, "--set", &items, &n_items, d);
    if (st != SC_OK)
        return st;
    struct sweep_axis *ax = sweep_axis_add(spec, key);
    if (!ax)
        st = sweep_no_memory(d);
    for (size_t j = 0; st == SC_OK && j < n_items; j++) {
        if (item_seen(items, j))
            continue;
        if (sweep_choice_add(ax, strdup(items[j]), 1, sweep_fmt_alloc("%s=%s", key, items[j]),
                             NULL) != 0)
            st = sweep_no_memory(d);
    }
    free_items(items, n_items);
    return st;
}

/* The steps in the order the axes nest: node types outermost, then worker
 * counts, autoscale ranges, spot fractions and the --set lists as given. */
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
    bool driver_set = false, driver_follows = false;
    struct base_facts bf = {0};
    bool *is_list = calloc(a->n_sets + 1, sizeof *is_list);
    spec->fixed = calloc(a->n_sets + 1, sizeof *spec->fixed);
    if (!is_list || !spec->fixed)
        st = sweep_no_memory(d);
    if (st == SC_OK)
        st = spec_sets(a, spec, is_list, &driver_set, d);
    if (st == SC_OK)
        st = spec_base(a, cat, driver_set, spec, &driver_follows, &bf, d);
    if (st == SC_OK && a->node_types)
        st = axis_node_types(spec, a->node_types, driver_follows, d);
    if (st == SC_OK)
        st = spec_region(a, cat, &bf, driver_follows, spec, d);
    if (st == SC_OK && a->workers)
        st = axis_workers(spec, a->workers, d);
    if (st == SC_OK && a->autoscale)
        st = axis_autoscale(spec, a->autoscale, a->workers != NULL, &bf, d);
    if (st == SC_OK && a->spot)
        st = axis_spot(spec, a->spot, &bf, d);
    for (size_t i = 0; st == SC_OK && i < a->n_sets; i++)
        if (is_list[i])
            st = axis_set(spec, a->sets[i], d);
    free(is_list);
    if (st != SC_OK)
        sweep_spec_fini(spec);
    return st;
}
