/*
 * scenario_settings.c — reads the groups that tune the simulation rather than
 * describe the workload: `spark` (Spark settings by their dotted names,
 * checked by sim/input/sparkconf.h) and `model` (the runtime model's knobs,
 * per-class overhead factors and the calibration's sample sizes).
 */
#include "sim/input/scenario_internal.h"

#include "models/textdist.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- spark */

/* A double as the shortest text that reads back as the same double. */
static void format_double(double v, char *buf, size_t size)
{
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* Whether prefix (a dotted path without its last name) is "spark" or a
 * whole-name prefix of a known key: "spark.sql.shuffle" is, for
 * spark.sql.shuffle.partitions; "spark.kubernetes.driver" is not. */
static bool is_known_prefix(const char *prefix, size_t len)
{
    if (len == 5 && strncmp(prefix, "spark", 5) == 0)
        return true;
    size_t n_known;
    const struct spark_key *known = spark_known_keys(&n_known);
    for (size_t i = 0; i < n_known; i++)
        if (strncmp(known[i].key, prefix, len) == 0 && known[i].key[len] == '.')
            return true;
    return false;
}

/* The known Spark key key is a typo of, or NULL. Spark takes any key and
 * ignores the ones nothing reads, so an unknown key is kept (and listed in
 * the report); but one a few edits from a known key is a misspelling that
 * would silently run with the default. "A few" is the typo limit of its
 * last name ("partition": 3), so that a long prefix the two share does not
 * make distant names look alike.
 *
 * A key also reads as a misspelling when its last name is a typo of one
 * known key's last name and it sits where known keys live: `spark = {
 * partition = 2000; }` (spark.partition) means spark.sql.shuffle.partitions,
 * though the whole names are 14 edits apart. Directly under spark even the
 * exact last name counts (`cores` for spark.executor.cores: Spark has no
 * spark.cores); deeper, an exact last name is a different real key
 * (spark.driver.cores is not spark.executor.cores) and stops the search.
 * Last names are short, so this rule allows one edit fewer than the typo
 * limit ("cores" is not a typo of "codec"), and a tie between two known
 * keys suggests neither. */
static const char *typo_of_known_key(const char *key)
{
    const char *dot = strrchr(key, '.');
    const char *leaf = dot ? dot + 1 : key;
    size_t limit = textdist_typo_limit(strlen(leaf));
    size_t n_known;
    const struct spark_key *known = spark_known_keys(&n_known);
    const char *best = NULL;
    size_t best_d = TEXTDIST_FAR;
    for (size_t i = 0; i < n_known; i++) {
        size_t d = textdist_osa(key, known[i].key);
        if (d < best_d) {
            best_d = d;
            best = known[i].key;
        }
    }
    if (best_d <= limit)
        return best;
    if (!dot || !is_known_prefix(key, (size_t)(dot - key)))
        return NULL;
    bool top = (size_t)(dot - key) == 5;
    best = NULL;
    best_d = TEXTDIST_FAR;
    bool tie = false;
    for (size_t i = 0; i < n_known; i++) {
        const char *kdot = strrchr(known[i].key, '.');
        size_t d = textdist_osa(leaf, kdot ? kdot + 1 : known[i].key);
        if (d == 0 && !top)
            return NULL; /* a real key beside a known one, as spark.driver.cores */
        if (d > limit - (limit > 1) || d > best_d)
            continue;
        tie = d == best_d;
        if (d < best_d) {
            best_d = d;
            best = known[i].key;
        }
    }
    return tie ? NULL : best;
}

/* Walks the nested `spark` group: every leaf is a setting named by its path.
 * `speculation = { enabled = true; multiplier = 3; }` is how one writes both
 * spark.speculation and spark.speculation.multiplier, since a libconfig name
 * cannot be a value and a group at once: "<known boolean key>.enabled" is
 * read as the boolean key itself, and "<other known key>.value" as that
 * key (`locality = { wait = { value = "3s"; node = "0s"; }; }`). */
int scenario_read_spark_group(struct reader *r, const config_setting_t *g, const char *prefix)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        char key[512];
        int len = snprintf(key, sizeof key, "%s.%s", prefix, config_setting_name(m));
        if (len < 0 || (size_t)len >= sizeof key)
            return scenario_fail(r, scenario_line_of(m),
                                 "Spark setting name '%.60s...' is too long.", key);
        int line = scenario_line_of(m);
        char text[64];
        const char *value = text;
        switch (config_setting_type(m)) {
        case CONFIG_TYPE_GROUP:
            if (scenario_read_spark_group(r, m, key) != 0)
                return -1;
            continue;
        case CONFIG_TYPE_ARRAY:
        case CONFIG_TYPE_LIST:
            return scenario_fail(r, line, "Spark setting '%s' must be a single value, not a list.",
                                 key);
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64:
            snprintf(text, sizeof text, "%lld", (long long)config_setting_get_int64(m));
            break;
        case CONFIG_TYPE_FLOAT:
            format_double(config_setting_get_float(m), text, sizeof text);
            break;
        case CONFIG_TYPE_BOOL: value = config_setting_get_bool(m) ? "true" : "false"; break;
        case CONFIG_TYPE_STRING: value = config_setting_get_string(m); break;
        default:
            return scenario_fail(r, line, "Spark setting '%s' has a value of unknown type.", key);
        }
        /* "<known boolean>.enabled" is the boolean, "<other known
         * key>.value" the key (spark.locality.wait beside its .node). */
        static const char *const suffixes[] = {".enabled", ".value"};
        size_t klen = strlen(key);
        for (int k = 0; k < 2 && spark_key_find(key) == NULL; k++) {
            size_t sl = strlen(suffixes[k]);
            if (klen <= sl || strcmp(key + klen - sl, suffixes[k]) != 0)
                continue;
            key[klen - sl] = '\0';
            const struct spark_key *base = spark_key_find(key);
            if (base == NULL || (base->type == SPARK_BOOL) != (k == 0))
                key[klen - sl] = '.';
        }
        const char *hint = spark_key_find(key) ? NULL : typo_of_known_key(key);
        /* A setting a --set made has no line of its own: the file's
         * nearest line is not where the typo is. */
        bool by_set = config_setting_source_line(m) == 0;
        if (hint)
            return scenario_fail(r, by_set ? 0 : line,
                                 "unknown Spark setting '%s'%s; did you mean '%s'? (`stagecast "
                                 "spark-keys` lists the settings stagecast models)",
                                 key, by_set ? " (from --set)" : "", hint);
        if (spark_conf_set(&r->s->spark, key, value, r->file, line, r->d) != SC_OK)
            return -1;
    }
    return 0;
}

/* model.host_acu, model.overhead = { <class> = factor; ... } and
 * model.calibration = { rows = [...]; repetitions = N; min_r2 = R; max_ci = C; }
 * (sim/calib/calibrate.h). */
static int read_model_calibration(struct reader *r, const config_setting_t *model)
{
    struct model_spec *m = &r->s->model;
    if (scenario_get_number(r, model, "model", "host_acu", false, 0, true, 1e6, &m->host_acu) < 0)
        return -1;
    config_setting_t *g;
    int rc = scenario_get_aggregate(r, model, "model", "overhead", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        const char *names[CALIB_N_CLASSES + 2];
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            names[c] = calib_class_name((enum calib_class)c);
        names[CALIB_N_CLASSES] = "row_ns";
        names[CALIB_N_CLASSES + 1] = NULL;
        if (scenario_check_keys(r, g, "model.overhead", names) != 0)
            return -1;
        for (int c = 0; c < CALIB_N_CLASSES; c++)
            if (scenario_get_number(r, g, "model.overhead", names[c], false, 0, true, 1e4,
                                    &m->overhead[c]) < 0)
                return -1;
        /* 0 is allowed: the factors alone, as before the per-row cost. */
        if (scenario_get_number(r, g, "model.overhead", "row_ns", false, 0, false, 1e6,
                                &m->row_ns) < 0)
            return -1;
    }
    rc = scenario_get_aggregate(r, model, "model", "calibration", false, CONFIG_TYPE_GROUP, &g);
    if (rc < 0)
        return -1;
    if (rc > 0) {
        int64_t reps = 0;
        if (scenario_check_group(r, g, "model.calibration", "model.calibration", NULL) != 0 ||
            scenario_get_int(r, g, "model.calibration", "repetitions", false, 1, 101, true, &reps) <
                0)
            return -1;
        m->calib_repetitions = (int)reps;
        /* The quality rule (models/calib.h): 0 turns either part off. */
        if (scenario_get_number(r, g, "model.calibration", "min_r2", false, 0.0, false, 1.0,
                                &m->calib_min_r2) < 0 ||
            scenario_get_number(r, g, "model.calibration", "max_ci", false, 0.0, false, 1e6,
                                &m->calib_max_ci) < 0)
            return -1;
        config_setting_t *rows = config_setting_get_member(g, "rows");
        if (rows) {
            int type = config_setting_type(rows);
            size_t n = (size_t)config_setting_length(rows);
            if ((type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) || n < 3 ||
                n > sizeof m->calib_rows / sizeof m->calib_rows[0])
                return scenario_fail(
                    r, scenario_line_of(rows),
                    "'rows' in model.calibration must be an array of 3 to 16 sample "
                    "sizes such as [16384, 65536, 262144].");
            for (size_t i = 0; i < n; i++) {
                const config_setting_t *e = config_setting_get_elem(rows, (unsigned)i);
                if (!scenario_is_int(e) || config_setting_get_int64(e) < 16 ||
                    config_setting_get_int64(e) > 16777216)
                    return scenario_fail(
                        r, scenario_line_of(e),
                        "'rows' in model.calibration holds sample sizes from 16 to "
                        "16777216 rows; item %zu is not one.",
                        i + 1);
                m->calib_rows[i] = config_setting_get_int64(e);
            }
            m->n_calib_rows = n;
        }
    }
    return 0;
}

/* model.jvm = { task_fixed_ms = ...; ... } (models/jvm.h): times in ms in
 * the file, seconds in the model; an absent key stays NaN (the default). */
static int read_model_jvm(struct reader *r, const config_setting_t *model)
{
    config_setting_t *g;
    int rc = scenario_get_aggregate(r, model, "model", "jvm", false, CONFIG_TYPE_GROUP, &g);
    if (rc <= 0)
        return rc;
    struct jvm_costs *j = &r->s->model.jvm;
    double fixed = NAN, first = NAN, first_local = NAN, query = NAN, bcast = NAN, run = NAN,
           run_small = NAN;
    if (scenario_check_group(r, g, "model.jvm", "model.jvm", NULL) != 0 ||
        scenario_get_number(r, g, "model.jvm", "task_fixed_ms", false, 0, false, 1e7, &fixed) < 0 ||
        scenario_get_number(r, g, "model.jvm", "gc_share", false, 0, false, 0.95, &j->gc_share) <
            0 ||
        scenario_get_number(r, g, "model.jvm", "first_task_ms", false, 0, false, 1e7, &first) < 0 ||
        scenario_get_number(r, g, "model.jvm", "first_task_local_ms", false, 0, false, 1e7,
                            &first_local) < 0 ||
        scenario_get_number(r, g, "model.jvm", "first_query_factor", false, 0, true, 1e3,
                            &j->first_query_factor) < 0 ||
        scenario_get_number(r, g, "model.jvm", "first_run_ms", false, 0, false, 1e7, &run) < 0 ||
        scenario_get_number(r, g, "model.jvm", "first_run_small_ms", false, 0, false, 1e7,
                            &run_small) < 0 ||
        scenario_get_number(r, g, "model.jvm", "query_driver_ms", false, 0, false, 1e7, &query) <
            0 ||
        scenario_get_number(r, g, "model.jvm", "broadcast_driver_ms", false, 0, false, 1e7,
                            &bcast) < 0)
        return -1;
    j->task_fixed_s = fixed / 1000.0;
    j->first_task_s = first / 1000.0;
    j->first_task_local_s = first_local / 1000.0;
    j->first_run_s = run / 1000.0;
    j->first_run_small_s = run_small / 1000.0;
    j->query_driver_s = query / 1000.0;
    j->broadcast_driver_s = bcast / 1000.0;
    return 0;
}

/* The `model` group: the runtime model's knobs, then its calibration. */
int scenario_read_model(struct reader *r, const config_setting_t *g)
{
    struct scenario *s = r->s;
    double ms = NAN, qms = NAN;
    int64_t slow = -1;
    s->model.line = scenario_line_of(g);
    if (scenario_check_group(r, g, "model", "model", NULL) != 0 ||
        scenario_get_number(r, g, "model", "task_launch_ms", false, 0, false,
                            SCN_MAX_DURATION_S * 1e3, &ms) < 0 ||
        scenario_get_number(r, g, "model", "network_quantum_ms", false, 0, false,
                            SCN_MAX_DURATION_S * 1e3, &qms) < 0 ||
        scenario_get_number(r, g, "model", "network_tolerance", false, 0, true, 0.5,
                            &s->model.network_tolerance) < 0 ||
        scenario_get_number(r, g, "model", "noise_sigma", false, 0, false, 10.0,
                            &s->model.noise_sigma) < 0 ||
        scenario_get_int(r, g, "model", "slow_worker", false, 0, SCN_MAX_WORKERS, false, &slow) <
            0 ||
        scenario_get_number(r, g, "model", "slow_factor", false, 0, true, INFINITY,
                            &s->model.slow_factor) < 0)
        return -1;
    if (read_model_calibration(r, g) != 0 || read_model_jvm(r, g) != 0)
        return -1;
    const char *node = NULL;
    int rc = scenario_get_str(r, g, "model", "task_seconds_node", false, &node,
                              &s->model.task_seconds_node_line);
    if (rc < 0)
        return -1;
    if (rc > 0 && strlen(node) >= sizeof s->model.task_seconds_node)
        return scenario_fail(r, s->model.task_seconds_node_line,
                             "'task_seconds_node' in model is not a node size: '%.80s' is too "
                             "long.",
                             node);
    if (rc > 0)
        snprintf(s->model.task_seconds_node, sizeof s->model.task_seconds_node, "%s", node);
    s->model.slow_worker = (int)slow;
    s->model.task_launch_s = ms / 1000.0;
    s->model.network_quantum_s = qms / 1000.0;
    return 0;
}

/* The `what_if` group: input_scale > 0 (the application on that many times
 * its input; see sim/plan/planner_whatif.c for what it changes). */
int scenario_read_what_if(struct reader *r, const config_setting_t *g)
{
    struct what_if_spec *w = &r->s->what_if;
    w->line = scenario_line_of(g);
    if (scenario_check_group(r, g, "what_if", "what_if", NULL) != 0 ||
        scenario_get_number(r, g, "what_if", "input_scale", false, 0, true, 1e6, &w->input_scale) <
            0)
        return -1;
    return 0;
}
