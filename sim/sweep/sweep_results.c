/*
 * sweep_results.c — the results file: an append-only file of JSON lines, a
 * header saying which sweep wrote it (scenario and catalog hashes, seeds,
 * axes) and one line per finished replication. A rerun with --resume reads
 * it back and runs only what is missing; `stagecast merge` rebuilds the
 * sweep from the headers of shards' files and joins their runs; MPI ranks
 * send their runs to rank 0 as the same text. Numbers are written with 17
 * digits, so runs read back are the runs written.
 */
#include "config.h"

#include "sim/sweep/sweep_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes all of buf to fd, across short writes and signals. */
int sweep_write_all(int fd, const char *buf, size_t len)
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

json_t *sweep_jnum(double v)
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
char *sweep_run_line(const struct sweep *sw, size_t u, const struct sweep_run *r,
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
        json_object_set_new(o, "cost_usd", sweep_jnum(r->cost_usd));
        json_object_set_new(o, "startup_usd", sweep_jnum(r->startup_usd));
        json_object_set_new(o, "utilization", json_real(r->utilization));
        json_object_set_new(o, "node_type", json_string(r->node_type));
        json_object_set_new(o, "workers", json_integer((json_int_t)r->workers));
        json_object_set_new(o, "disk_peak_bytes", sweep_jnum(r->disk_peak_bytes));
        json_object_set_new(o, "disk_shuffle_bytes", sweep_jnum(r->disk_shuffle_bytes));
        json_object_set_new(o, "disk_spill_bytes", sweep_jnum(r->disk_spill_bytes));
        json_object_set_new(o, "disk_bytes", sweep_jnum(r->disk_bytes));
        if (r->cost_note)
            json_object_set_new(o, "cost_note", json_string(r->cost_note));
    } else {
        json_object_set_new(o, "error", json_string(r->error ? r->error : "out of memory"));
    }
    json_t *root = json_pack("{s:o}", "run", o);
    return json_line(root, len);
}

json_t *sweep_strings_json(char *const *v, size_t n)
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
            json_array_append_new(choices,
                                  json_pack("{s:s, s:o}", "label", ch->label, "overrides",
                                            sweep_strings_json(ch->overrides, ch->n_overrides)));
        }
        json_array_append_new(
            axes, json_pack("{s:s, s:o}", "name", spec->axes[a].name, "choices", choices));
    }
    return json_pack("{s:s, s:{s:s, s:s, s:s}, s:s, s:I, s:I, s:o, s:o, s:{s:s, s:I}}",
                     "stagecast_version", PACKAGE_VERSION, "scenario", "file", spec->scenario_file,
                     "name", spec->scenario_name, "hash", spec->scenario_hash, "catalog_hash",
                     spec->catalog_hash, "seed", (json_int_t)spec->seed, "replications",
                     (json_int_t)spec->replications, "fixed",
                     sweep_strings_json(spec->fixed, spec->n_fixed), "axes", axes, "base",
                     "node_type", spec->base_node_type, "workers", (json_int_t)spec->base_workers);
}

static char *header_line(const struct sweep_spec *spec, size_t *len)
{
    json_t *root =
        json_pack("{s:{s:o, s:o, s:f, s:[I, I]}}", "sweep", "definition", spec_definition(spec),
                  "deadline_s", sweep_jnum(spec->deadline_s), "confidence", spec->confidence,
                  "shard", (json_int_t)spec->shard_index, (json_int_t)spec->shard_count);
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
        return sweep_no_memory(d);
    for (size_t k = 0; k < n; k++)
        if (!(strs[k] = json_string_value(json_array_get(ov, k)))) {
            free(strs);
            return bad_line(d, source, line, "a run line whose overrides are not strings");
        }
    char *key = sweep_join_key(strs, n);
    free(strs);
    if (!key)
        return sweep_no_memory(d);
    size_t i = sweep_find_point(sw, key);
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
        /* Absent in results files written before the split was recorded:
         * their points show no split, the rest is as it was. */
        json_t *su = json_object_get(o, "startup_usd");
        run->startup_usd = json_is_number(su) ? json_number_value(su) : NAN;
        run->utilization = json_number_value(u);
        snprintf(run->node_type, sizeof run->node_type, "%s", json_string_value(nt));
        run->workers = json_integer_value(w);
        /* Absent in results files written before feasibility was checked:
         * unknown, so neither marked nor refused. */
        const char *dk[4] = {"disk_peak_bytes", "disk_shuffle_bytes", "disk_spill_bytes",
                             "disk_bytes"};
        double *dv[4] = {&run->disk_peak_bytes, &run->disk_shuffle_bytes, &run->disk_spill_bytes,
                         &run->disk_bytes};
        for (int k = 0; k < 4; k++) {
            json_t *x = json_object_get(o, dk[k]);
            *dv[k] = json_is_number(x) ? json_number_value(x) : NAN;
        }
        const char *note = json_string_value(json_object_get(o, "cost_note"));
        if (note && !(run->cost_note = strdup(note)))
            return sweep_no_memory(d);
        run->ok = true;
    } else {
        const char *err = json_string_value(json_object_get(o, "error"));
        if (!(run->error = strdup(err ? err : "failed")))
            return sweep_no_memory(d);
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
        sweep_no_memory(d);
        return NULL;
    }
    buf[0] = '\0';
    for (size_t u = 0; u < sw->n_runs; u++) {
        if (!sw->points[u / reps].in_scope || !sw->runs[u].done)
            continue;
        size_t k = sweep_point_overrides(sw, u / reps, ov, max_ov), l = 0;
        char *line = sweep_run_line(sw, u, &sw->runs[u], ov, k, &l);
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
            sweep_no_memory(d);
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
int sweep_results_open(struct sweep *sw, const char *path, bool resume, struct diag *d)
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
    if (!h || sweep_write_all(fd, h, hl) != 0) {
        if (h)
            diag_set(d, SC_EIO, path, 0, "cannot write the results file: %s", strerror(errno));
        else
            sweep_no_memory(d);
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
        struct sweep_axis *ax = sweep_axis_add(spec, an);
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
            if (sweep_choice_add(ax, strdup(label), n_ov, strdup(o1), o2 ? strdup(o2) : NULL) != 0)
                goto nomem;
        }
    }
    return SC_OK;
bad:
    sweep_spec_fini(spec);
    return diag_set(d, SC_EINPUT, source, 0, "a sweep header whose axes are malformed");
nomem:
    sweep_spec_fini(spec);
    return sweep_no_memory(d);
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
struct sweep *sweep_merge_files(const struct sweep_args *a, struct diag *d)
{
    char **texts = calloc(a->n_files, sizeof *texts);
    size_t *lens = calloc(a->n_files, sizeof *lens);
    json_t **heads = calloc(a->n_files, sizeof *heads);
    struct sweep *sw = NULL;
    if (!texts || !lens || !heads) {
        sweep_no_memory(d);
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
    /* A merge needs every run (sweep_summarize refuses a missing one, and
     * says which), one line each: a header that declares more runs than
     * the files have lines, and more points than are cheap to build, is
     * refused before its points are built (a 5 KB file may declare
     * 300,000 points: 0.5 s and 270 MB to build their keys). */
    size_t lines = 0;
    for (size_t i = 0; i < a->n_files; i++)
        for (const char *p = texts[i]; (p = memchr(p, '\n', lens[i] - (size_t)(p - texts[i])));
             p++)
            lines++;
    double points = 1.0;
    for (size_t x = 0; x < spec.n_axes; x++)
        points *= (double)spec.axes[x].n_choices;
    double runs = points * (double)spec.replications;
    if (runs > (double)lines && points > 4096.0) {
        diag_set(d, SC_EINPUT, a->files[0], 0,
                 "the sweep declares %.0f runs and the results files have %zu lines: a shard's "
                 "results file is missing, or the sweep was interrupted (rerun it with --resume)",
                 runs, lines);
        sweep_spec_fini(&spec);
        goto done;
    }
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
