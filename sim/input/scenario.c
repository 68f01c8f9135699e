/*
 * scenario.c — reads a scenario file (libconfig syntax) into a struct
 * scenario and checks everything that can be checked without the node
 * catalog (see scenario.h): the entry points (a file, with --set
 * overrides, or an in-memory config), the root group, which hands each
 * group to its reader (scenario_internal.h), and scenario_free. First
 * step of the flow: scenario -> plan -> calibrate -> simulate -> report.
 *
 * The reader is strict on purpose. A scenario is a prediction someone will
 * act on, so a mistyped key ("wokers") must not silently fall back to a
 * default: every group names the keys it allows, and every error names the
 * file and the most specific line we know. Everything kept is copied out of
 * libconfig, whose strings die with config_destroy.
 */
#include "sim/input/scenario_internal.h"

#include "models/sbuf.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------- 32-bit integer overflow pre-check */

/*
 * libconfig 1.5 reads an integer literal that does not fit in 32 bits and
 * has no L suffix as a plain int, silently truncated: `rows = 10000000000;`
 * becomes 1410065408. A scenario with ten billion rows is ordinary, so before
 * trusting the parse we scan the text for such literals and ask for the L.
 * The scan skips comments and strings and ignores names and floats.
 */
static int check_int_literals(struct reader *r, const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return 0; /* libconfig just read it; nothing more to learn here */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        fclose(fp);
        return scenario_fail_nomem(r, 0);
    }
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, fp)) > 0) {
        len += got;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                fclose(fp);
                return scenario_fail_nomem(r, 0);
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(fp);

    int line = 1;
    int rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        char c = buf[i];
        char next = i + 1 < len ? buf[i + 1] : '\0';
        if (c == '\n') {
            line++;
            i++;
        } else if (c == '#' || (c == '/' && next == '/')) {
            while (i < len && buf[i] != '\n')
                i++;
        } else if (c == '/' && next == '*') {
            i += 2;
            while (i < len && !(buf[i] == '*' && i + 1 < len && buf[i + 1] == '/')) {
                if (buf[i] == '\n')
                    line++;
                i++;
            }
            i += 2;
        } else if (c == '"') {
            i++;
            while (i < len && buf[i] != '"' && buf[i] != '\n')
                i += buf[i] == '\\' ? 2 : 1;
            i++;
        } else if (isalpha((unsigned char)c) || c == '_' || c == '*') {
            /* a name, or true/false: may contain digits, which are no number */
            while (i < len && (isalnum((unsigned char)buf[i]) || buf[i] == '_' || buf[i] == '*' ||
                               buf[i] == '-'))
                i++;
        } else if (isdigit((unsigned char)c)) {
            size_t start = i;
            if (c == '0' && (next == 'x' || next == 'X')) {
                i += 2;
                while (i < len && isxdigit((unsigned char)buf[i]))
                    i++;
            } else {
                while (i < len && isdigit((unsigned char)buf[i]))
                    i++;
                char after = i < len ? buf[i] : '\0';
                if (after == '.' || after == 'e' || after == 'E') {
                    while (i < len &&
                           (isdigit((unsigned char)buf[i]) || buf[i] == '.' || buf[i] == 'e' ||
                            buf[i] == 'E' || buf[i] == '+' || buf[i] == '-'))
                        i++;
                } else if (after != 'L' && after != 'l') {
                    size_t digits = i - start;
                    bool big = digits > 10;
                    if (digits == 10)
                        big = strncmp(buf + start, "2147483647", 10) > 0;
                    if (big)
                        rc =
                            scenario_fail(r, line,
                                          "the integer %.*s does not fit in 32 bits, and libconfig "
                                          "would silently truncate it; write it as %.*sL.",
                                          (int)(digits > 30 ? 30 : digits), buf + start,
                                          (int)(digits > 30 ? 30 : digits), buf + start);
                }
            }
        } else {
            i++;
        }
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ root */

/* what_if.input_scale on a query's tables: each holds that many times its
 * rows and bytes (in as many files as it says, each larger, or in files of
 * the default size when it does not say), so the planner's split, exchange
 * and AQE rules see the larger input. Explicit stages are scaled by the
 * planner (sim/plan/planner_whatif.c). */
static int scale_tables(struct reader *r)
{
    double f = r->s->what_if.input_scale;
    if (f == 1.0)
        return 0;
    for (size_t i = 0; i < r->s->n_tables; i++) {
        struct table_spec *t = &r->s->tables[i];
        double rows = round((double)t->rows * f);
        double bytes = t->size_bytes >= 0 ? round((double)t->size_bytes * f) : -1.0;
        if (rows > (double)SCN_MAX_BYTES || bytes > (double)SCN_MAX_BYTES)
            return scenario_fail(r, r->s->what_if.line,
                                 "what_if.input_scale %g makes table '%s' larger than stagecast "
                                 "accepts (2^60 rows or bytes).",
                                 f, t->name);
        t->rows = (int64_t)rows;
        if (t->size_bytes >= 0)
            t->size_bytes = bytes < 1.0 ? 1 : (int64_t)bytes;
    }
    return 0;
}

static int read_root(struct reader *r, const config_setting_t *root)
{
    struct scenario *s = r->s;
    const char *where = "the scenario";
    if (scenario_check_group(r, root, where, "", NULL) != 0 ||
        scenario_get_str_copy(r, root, where, "name", true, &s->name) < 0)
        return -1;
    int64_t seed = 1;
    if (scenario_get_int(r, root, where, "seed", false, 0, INT64_MAX, false, &seed) < 0)
        return -1;
    s->seed = (uint64_t)seed;

    config_setting_t *g;
    if (scenario_get_aggregate(r, root, where, "cluster", true, CONFIG_TYPE_GROUP, &g) < 0 ||
        scenario_read_cluster(r, g) != 0)
        return -1;

    int rc = scenario_get_aggregate(r, root, where, "spark", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && scenario_read_spark_group(r, g, "spark") != 0))
        return -1;

    rc = scenario_get_aggregate(r, root, where, "model", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && scenario_read_model(r, g) != 0))
        return -1;

    rc = scenario_get_aggregate(r, root, where, "what_if", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && scenario_read_what_if(r, g) != 0))
        return -1;

    rc = scenario_get_aggregate(r, root, where, "tables", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && scenario_read_tables(r, g) != 0))
        return -1;
    if (scale_tables(r) != 0)
        return -1;
    rc = scenario_get_aggregate(r, root, where, "views", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0 || (rc > 0 && scenario_read_views(r, g) != 0))
        return -1;
    /* Views may name views defined later in the file: resolve once all are read. */
    if (scenario_check_views(r) != 0)
        return -1;

    if (scenario_get_aggregate(r, root, where, "jobs", true, CONFIG_TYPE_LIST, &g) < 0 ||
        scenario_read_jobs(r, g) != 0)
        return -1;
    for (size_t i = 0; i < s->n_jobs; i++) {
        char owner[160];
        snprintf(owner, sizeof owner, "job '%s'", s->jobs[i].name);
        if (scenario_resolve_steps(r, s->jobs[i].query, s->jobs[i].n_query, owner) != 0)
            return -1;
    }

    rc = scenario_get_aggregate(r, root, where, "pools", false, CONFIG_TYPE_LIST, &g);
    if (rc < 0 || (rc > 0 && scenario_read_pools(r, g) != 0))
        return -1;
    return 0;
}

/* A scenario with every "not given" marker in place, before reading. */
static struct scenario *scenario_new(const char *path)
{
    struct scenario *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->file = strdup(path);
    if (s->file == NULL) {
        free(s);
        return NULL;
    }
    s->seed = 1;
    s->cluster.platform = PLATFORM_DATABRICKS;
    s->cluster.pricing = PRICING_JOBS;
    s->cluster.tier = TIER_PREMIUM;
    s->cluster.startup_s = NAN;
    s->cluster.storage_egress_gbps = s->cluster.storage_ingress_gbps = NAN;
    s->cluster.storage_latency_s = s->cluster.storage_stream_mbps = NAN;
    s->cluster.storage_request_bytes = s->cluster.storage_commit_s_per_file = NAN;
    s->cluster.network_limit_gbps = s->cluster.local_disk_mbps = NAN;
    s->cluster.idle_after_s = NAN;
    s->cluster.spot_evictions_per_hour = 0.0;
    s->cluster.spot_usd_per_hour = s->cluster.spot_discount = NAN;
    s->cluster.spot_evict_at_s = NAN;
    s->cluster.autoscale_policy = -1;
    s->cluster.autoscale_provision_s = s->cluster.autoscale_interval_s = NAN;
    s->cluster.autoscale_idle_s = NAN;
    struct price_override *p = &s->cluster.price;
    p->worker_usd_per_hour = p->driver_usd_per_hour = NAN;
    p->worker_dbu_per_hour = p->driver_dbu_per_hour = NAN;
    p->usd_per_dbu = p->usd_per_vcore_hour = NAN;
    s->model.task_launch_s = NAN;
    s->model.network_quantum_s = NAN;
    s->model.network_tolerance = NAN;
    s->model.noise_sigma = NAN;
    s->model.slow_worker = -1;
    s->model.slow_factor = 1.0;
    s->model.host_acu = NAN;
    s->what_if.input_scale = 1.0;
    jvm_costs_unset(&s->model.jvm);
    s->model.calib_min_r2 = NAN;
    s->model.calib_max_ci = NAN;
    for (int c = 0; c < CALIB_N_CLASSES; c++)
        s->model.overhead[c] = NAN;
    s->model.row_ns = NAN;
    spark_conf_init(&s->spark);
    return s;
}

/* ------------------------------------------- dotted names (libconfig's "syntax error") */

/*
 * libconfig names are [A-Za-z*][-A-Za-z0-9_*]*: `spark = { sql.shuffle.partitions
 * = 2000; }` stops the parser with a bare "syntax error". Spark users write
 * dotted names all day, so when the line libconfig names holds one before
 * '=' or ':', the message says what to write instead: the groups the name
 * sits in, then one group per dot.
 */

static bool name_char(int c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '*';
}

/* Fills out with the nested form of the first dotted name on line `line` of
 * text; false when there is none. */
static bool dotted_hint(const char *text, int line, char *out, size_t size)
{
    const char *stack[32];
    size_t stack_len[32], depth = 0;
    int cur = 1;
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            cur++;
            p++;
        } else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            for (p += 2; *p && !(p[0] == '*' && p[1] == '/'); p++)
                cur += *p == '\n';
            if (*p)
                p += 2;
        } else if (*p == '"') {
            for (p++; *p && *p != '"'; p++)
                if (*p == '\\' && p[1])
                    p++;
            if (*p)
                p++;
        } else if (*p == '{' || *p == '(' || *p == '[') {
            /* An unnamed group: a list's element. */
            if (depth < 32) {
                stack[depth] = "";
                stack_len[depth] = 0;
            }
            depth++;
            p++;
        } else if (*p == '}' || *p == ')' || *p == ']') {
            if (depth > 0)
                depth--;
            p++;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *name = p;
            bool dotted = false;
            while (name_char((unsigned char)*p) || (*p == '.' && name_char((unsigned char)p[1]))) {
                dotted |= *p == '.';
                p++;
            }
            size_t len = (size_t)(p - name);
            const char *q = p;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q != '=' && *q != ':')
                continue;
            q++;
            while (*q == ' ' || *q == '\t')
                q++;
            if (dotted && cur == line) {
                /* The value as written, up to the end of the setting. */
                const char *v = q, *ve = q;
                while (*ve && *ve != ';' && *ve != ',' && *ve != '}' && *ve != '\n')
                    ve++;
                while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                    ve--;
                struct sbuf b = {0};
                size_t first = 0, opened = 0;
                for (size_t k = 0; k < depth && k < 32; k++)
                    if (stack_len[k] == 0)
                        first = k + 1; /* names above a list element are not a path */
                for (size_t k = first; k < depth && k < 32; k++, opened++)
                    sb_add(&b, "%.*s = { ", (int)stack_len[k], stack[k]);
                const char *part = name, *end = name + len;
                for (const char *dot; (dot = memchr(part, '.', (size_t)(end - part)));
                     part = dot + 1, opened++)
                    sb_add(&b, "%.*s = { ", (int)(dot - part), part);
                sb_add(&b, "%.*s = %.*s; ", (int)(end - part), part, (int)(ve - v), v);
                for (size_t k = 0; k < opened; k++)
                    sb_add(&b, k + 1 < opened ? "}; " : "}");
                char *hint = sb_take(&b);
                if (!hint)
                    return false;
                snprintf(out, size, "a setting's name cannot hold dots ('%.*s'): write %s",
                         (int)len, name, hint);
                free(hint);
                return true;
            }
            if (*q == '{' || *q == '(' || *q == '[') {
                if (depth < 32) {
                    stack[depth] = name;
                    stack_len[depth] = len;
                }
                depth++;
                p = q + 1;
            }
        } else {
            p++;
        }
        if (cur > line)
            break;
    }
    return false;
}

/* The hint for a syntax error libconfig reports at file:line, or false. */
static bool dotted_name_hint(const char *file, int line, char *out, size_t size)
{
    FILE *f = fopen(file, "rb");
    if (!f)
        return false;
    size_t cap = 1 << 20;
    char *text = malloc(cap + 1);
    size_t n = text ? fread(text, 1, cap, f) : 0;
    fclose(f);
    if (!text)
        return false;
    text[n] = '\0';
    bool ok = dotted_hint(text, line, out, size);
    free(text);
    return ok;
}

/* Applies one "dotted.path=value" override to the parsed file: groups on
 * the path are created as needed, the last name is replaced. The value's
 * type is read from its text: an integer, a number, true/false, or a string
 * (quotes optional). */
static int apply_override(config_t *cfg, const char *path, const char *text, struct diag *d)
{
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return diag_set(d, SC_EINPUT, path, 0,
                        "--set needs key=value (e.g. cluster.workers=8), not '%s'", text),
               -1;
    char key[512];
    size_t klen = (size_t)(eq - text);
    if (klen >= sizeof key)
        return diag_set(d, SC_EINPUT, path, 0, "--set key is too long: '%s'", text), -1;
    memcpy(key, text, klen);
    key[klen] = '\0';
    const char *value = eq + 1;
    config_setting_t *cur = config_root_setting(cfg);
    char *save = NULL;
    char *part = strtok_r(key, ".", &save);
    while (part) {
        char *next = strtok_r(NULL, ".", &save);
        config_setting_t *child;
        if (config_setting_type(cur) == CONFIG_TYPE_LIST) {
            /* A list element by its 0-based index: jobs.0.query.1.salt. */
            char *end;
            long idx = strtol(part, &end, 10);
            child = *part && !*end && idx >= 0 ? config_setting_get_elem(cur, (unsigned)idx) : NULL;
            if (!child || !next)
                return diag_set(d, SC_EINPUT, path, 0,
                                "--set %.*s: '%s' is not an element of the list (its items "
                                "count from 0) followed by a setting",
                                (int)klen, text, part),
                       -1;
        } else {
            child = config_setting_get_member(cur, part);
        }
        if (next) {
            if (!child)
                child = config_setting_add(cur, part, CONFIG_TYPE_GROUP);
            if (!child || (config_setting_type(child) != CONFIG_TYPE_GROUP &&
                           config_setting_type(child) != CONFIG_TYPE_LIST))
                return diag_set(d, SC_EINPUT, path, 0,
                                "--set %.*s: '%s' is not a group of settings", (int)klen, text,
                                part),
                       -1;
            cur = child;
        } else {
            if (child)
                config_setting_remove(cur, part);
            char *end;
            errno = 0;
            long long iv = strtoll(value, &end, 10);
            config_setting_t *set = NULL;
            if (*value && !*end && errno == 0) {
                if ((set = config_setting_add(cur, part, CONFIG_TYPE_INT64)))
                    config_setting_set_int64(set, iv);
            } else {
                double dv = strtod(value, &end);
                if (*value && !*end) {
                    if ((set = config_setting_add(cur, part, CONFIG_TYPE_FLOAT)))
                        config_setting_set_float(set, dv);
                } else if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
                    if ((set = config_setting_add(cur, part, CONFIG_TYPE_BOOL)))
                        config_setting_set_bool(set, value[0] == 't');
                } else {
                    char buf[512];
                    size_t vlen = strlen(value);
                    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
                        value++;
                        vlen -= 2;
                    }
                    snprintf(buf, sizeof buf, "%.*s", (int)vlen, value);
                    if ((set = config_setting_add(cur, part, CONFIG_TYPE_STRING)))
                        config_setting_set_string(set, buf);
                }
            }
            if (!set)
                return diag_set(d, SC_EINPUT, path, 0, "--set %.*s: '%s' is not a valid name",
                                (int)klen, text, part),
                       -1;
        }
        part = next;
    }
    return 0;
}

/* The scenario cfg holds, named name in messages and in its `file`. With
 * text_path, the file cfg was read from is first checked for integer
 * literals libconfig truncated (an in-memory config has no text to check:
 * its builder chose each integer's width). */
static struct scenario *read_config(const config_t *cfg, const char *name, const char *text_path,
                                    struct diag *d)
{
    struct scenario *s = scenario_new(name);
    if (s == NULL) {
        diag_set(d, SC_ENOMEM, name, 0, "out of memory reading the scenario");
        return NULL;
    }
    struct reader r = {.file = name, .d = d, .s = s, .total_tasks = 0};
    struct diag scratch;
    if (d == NULL) {
        diag_clear(&scratch);
        r.d = &scratch;
    }
    int rc = text_path ? check_int_literals(&r, text_path) : 0;
    if (rc == 0)
        rc = read_root(&r, config_root_setting(cfg));
    if (rc != 0) {
        scenario_free(s);
        return NULL;
    }
    return s;
}

/* What libconfig would only call "file I/O error" or a syntax error on
 * line 1: a directory, a compressed file (its magic number), or a UTF-8
 * byte-order mark. True, with
 * d set (SC_EINPUT), when f is one of those. */
static bool not_a_scenario_file(FILE *f, const char *path, struct diag *d)
{
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        diag_set(d, SC_EINPUT, path, 0, "is a directory, expected a scenario file");
        return true;
    }
    static const struct {
        unsigned char magic[4];
        size_t n;
        const char *what, *undo;
    } packed[] = {
        {{0x1f, 0x8b}, 2, "gzip", "gunzip"},
        {{0x28, 0xb5, 0x2f, 0xfd}, 4, "zstd", "unzstd"},
        {{0x04, 0x22, 0x4d, 0x18}, 4, "lz4", "unlz4"},
    };
    unsigned char head[4];
    size_t got = fread(head, 1, sizeof head, f);
    for (size_t i = 0; i < sizeof packed / sizeof packed[0]; i++)
        if (got >= packed[i].n && memcmp(head, packed[i].magic, packed[i].n) == 0) {
            diag_set(d, SC_EINPUT, path, 0,
                     "looks like a %s-compressed file; scenarios are plain text (%s it first)",
                     packed[i].what, packed[i].undo);
            return true;
        }
    if (got >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf) {
        diag_set(d, SC_EINPUT, path, 1,
                 "starts with a UTF-8 byte-order mark, which libconfig cannot read; save the "
                 "file as UTF-8 without a BOM");
        return true;
    }
    return false;
}

struct scenario *scenario_load(const char *path, struct diag *d)
{
    return scenario_load_with(path, NULL, 0, d);
}

struct scenario *scenario_load_with(const char *path, const char *const *overrides,
                                    size_t n_overrides, struct diag *d)
{
    if (path == NULL) {
        SC_BUG(d, "scenario_load called without a path");
        return NULL;
    }
    /* libconfig reports a missing file only as "file I/O error"; opening it
     * first gives the user the system's reason. */
    FILE *probe = fopen(path, "r");
    if (probe == NULL) {
        int err = errno;
        diag_set(d, err == ENOENT ? SC_ENOENT : SC_EIO, path, 0, "cannot open scenario: %s",
                 strerror(err));
        return NULL;
    }
    bool refused = not_a_scenario_file(probe, path, d);
    fclose(probe);
    if (refused)
        return NULL;

    config_t cfg;
    config_init(&cfg);
    /* @include paths are relative to the scenario's own directory. */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        if (slash == dir)
            slash[1] = '\0'; /* "/x.cfg": the root directory */
        else
            *slash = '\0';
        config_set_include_dir(&cfg, dir);
    }
    if (!config_read_file(&cfg, path)) {
        const char *efile = config_error_file(&cfg);
        enum sc_status st = config_error_type(&cfg) == CONFIG_ERR_FILE_IO ? SC_EIO : SC_EINPUT;
        char hint[1024];
        if (st == SC_EINPUT && dotted_name_hint(efile ? efile : path, config_error_line(&cfg),
                                                hint, sizeof hint))
            diag_set(d, st, efile ? efile : path, config_error_line(&cfg), "%s", hint);
        else
            diag_set(d, st, efile ? efile : path, config_error_line(&cfg),
                     "cannot parse scenario: %s", config_error_text(&cfg));
        config_destroy(&cfg);
        return NULL;
    }
    for (size_t i = 0; i < n_overrides; i++)
        if (apply_override(&cfg, path, overrides[i], d) != 0) {
            config_destroy(&cfg);
            return NULL;
        }
    struct scenario *s = read_config(&cfg, path, path, d);
    config_destroy(&cfg);
    return s;
}

/* An override's value as apply_override would store a string: surrounding
 * quotes dropped; NULL when it would store a number or a boolean instead
 * (the reader then refuses it as the wrong type, in its own words). */
static const char *override_string(const char *value, char *buf, size_t size)
{
    char *end;
    errno = 0;
    (void)strtoll(value, &end, 10);
    if (*value && !*end)
        return NULL;
    (void)strtod(value, &end);
    if (*value && !*end)
        return NULL;
    if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
        return NULL;
    size_t len = strlen(value);
    if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
        value++;
        len -= 2;
    }
    if (len >= size)
        return NULL;
    memcpy(buf, value, len);
    buf[len] = '\0';
    return buf;
}

int scenario_cluster_variant(const struct scenario *base, const char *const *overrides, size_t n,
                             struct scenario *out)
{
    struct cluster_spec c = base->cluster;
    bool worker_set = false;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(overrides[i], '=');
        if (!eq)
            return 0;
        size_t klen = (size_t)(eq - overrides[i]);
        const char *value = eq + 1;
        char buf[sizeof c.worker];
        /* An override replaces the setting: libconfig gives the new one no
         * line, so messages about it name the cluster group's. */
        if (klen == 14 && strncmp(overrides[i], "cluster.worker", 14) == 0) {
            const char *v = override_string(value, buf, sizeof buf);
            if (!v)
                return 0;
            memcpy(c.worker, v, strlen(v) + 1);
            c.worker_line = c.line;
            worker_set = true;
        } else if (klen == 14 && strncmp(overrides[i], "cluster.driver", 14) == 0) {
            const char *v = override_string(value, buf, sizeof buf);
            if (!v)
                return 0;
            memcpy(c.driver, v, strlen(v) + 1);
            c.driver_line = c.line;
            c.driver_given = true;
        } else if (klen == 15 && strncmp(overrides[i], "cluster.workers", 15) == 0) {
            /* With an autoscale group the reader checks workers against
             * its range: left to it. */
            char *end;
            errno = 0;
            long long v = strtoll(value, &end, 10);
            if (base->cluster.autoscale || !*value || *end || errno || v < 1 ||
                v > SCN_MAX_WORKERS)
                return 0;
            c.workers = v;
            c.workers_line = c.line;
        } else {
            return 0;
        }
    }
    if (worker_set && !c.driver_given) {
        memcpy(c.driver, c.worker, sizeof c.driver);
        c.driver_line = c.worker_line;
    }
    *out = *base;
    out->cluster = c;
    return 1;
}

struct scenario *scenario_from_config(const struct config_t *cfg, const char *name,
                                      struct diag *d)
{
    if (cfg == NULL || name == NULL) {
        SC_BUG(d, "scenario_from_config called without a config or a name");
        return NULL;
    }
    return read_config(cfg, name, NULL, d);
}

void scenario_free(struct scenario *s)
{
    if (s == NULL)
        return;
    free(s->file);
    free(s->name);
    free(s->cluster.executor_start_s);
    free(s->cluster.executors);
    spark_conf_fini(&s->spark);
    for (size_t i = 0; i < s->n_tables; i++) {
        struct table_spec *t = &s->tables[i];
        free(t->name);
        free(t->format);
        free(t->path);
        for (size_t c = 0; c < t->n_columns; c++) {
            free(t->columns[c].name);
            scenario_strlist_free(&t->columns[c].values);
            free(t->columns[c].weights);
        }
        free(t->columns);
    }
    free(s->tables);
    for (size_t i = 0; i < s->n_views; i++) {
        free(s->views[i].name);
        for (size_t k = 0; k < s->views[i].n_steps; k++)
            scenario_step_free(&s->views[i].steps[k]);
        free(s->views[i].steps);
    }
    free(s->views);
    for (size_t i = 0; i < s->n_jobs; i++) {
        struct job_spec *job = &s->jobs[i];
        free(job->name);
        free(job->pool);
        free(job->after);
        for (size_t k = 0; k < job->n_stages; k++)
            scenario_stage_free(&job->stages[k]);
        free(job->stages);
        for (size_t k = 0; k < job->n_query; k++)
            scenario_step_free(&job->query[k]);
        free(job->query);
    }
    free(s->jobs);
    for (size_t i = 0; i < s->n_pools; i++)
        free(s->pools[i].name);
    free(s->pools);
    free(s);
}

const struct table_spec *scenario_table(const struct scenario *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_tables; i++)
        if (s->tables[i].name && strcmp(s->tables[i].name, name) == 0)
            return &s->tables[i];
    return NULL;
}

const struct view_spec *scenario_view(const struct scenario *s, const char *name)
{
    if (s == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < s->n_views; i++)
        if (s->views[i].name && strcmp(s->views[i].name, name) == 0)
            return &s->views[i];
    return NULL;
}

