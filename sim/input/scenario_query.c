/*
 * scenario_query.c — reads query steps (a job's `query` and each view of the
 * `views` group: DataFrame operations the planner turns into stages) and
 * checks what they name: a scan reads a table, a join or union a table or a
 * view, and no view reaches itself.
 */
#include "sim/input/scenario_internal.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/storage.h"
#include "models/textdist.h"

/* ----------------------------------------------------------- query steps */

static const char *const op_names[] = {
    [OP_SCAN] = "scan",
    [OP_FILTER] = "filter",
    [OP_SELECT] = "select",
    [OP_WITH_COLUMN] = "with_column",
    [OP_GROUP_BY] = "group_by",
    [OP_JOIN] = "join",
    [OP_ORDER_BY] = "order_by",
    [OP_WINDOW] = "window",
    [OP_DISTINCT] = "distinct",
    [OP_REPARTITION] = "repartition",
    [OP_COALESCE] = "coalesce",
    [OP_CACHE] = "cache",
    [OP_LIMIT] = "limit",
    [OP_UNION] = "union",
    [OP_COUNT] = "count",
    [OP_COLLECT] = "collect",
    [OP_WRITE] = "write",
    [OP_SAMPLE] = "sample",
    NULL,
};

/* Spark's join types, in the spellings Dataset.join accepts. */
static const char *const join_hows[] = {"inner",       "left",  "left_outer", "right",
                                        "right_outer", "full",  "full_outer", "left_semi",
                                        "left_anti",   "cross", NULL};

const char *op_kind_name(enum op_kind op)
{
    return (unsigned)op <= OP_SAMPLE ? op_names[op] : "?";
}

void scenario_step_free(struct query_step *q)
{
    free(q->table);
    free(q->where);
    free(q->name);
    free(q->expr);
    free(q->right);
    free(q->how);
    free(q->path);
    free(q->format);
    scenario_strlist_free(&q->cols);
    scenario_strlist_free(&q->keys);
    scenario_strlist_free(&q->aggs);
    scenario_strlist_free(&q->on);
    scenario_strlist_free(&q->partition_by);
    scenario_strlist_free(&q->order_by);
    scenario_strlist_free(&q->funcs);
}

static int read_step(struct reader *r, const config_setting_t *g, const char *owner, size_t index,
                     struct query_step *q)
{
    char where[224];
    q->line = scenario_line_of(g);
    q->n = -1;
    q->seed = -1;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return scenario_fail(
            r, q->line,
            "step %zu of %s must be a group such as { op = \"scan\"; table = \"t\"; }, "
            "not %s.",
            index + 1, owner, scenario_describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "step %zu of %s", index + 1, owner);
    int op = 0;
    if (scenario_check_group(r, g, where, "jobs[].query[]", NULL) != 0 ||
        scenario_get_choice(r, g, where, "op", true, op_names, false, &op) < 0)
        return -1;
    q->op = (enum op_kind)op;
    snprintf(where, sizeof where, "step %zu (%s) of %s", index + 1, op_names[op], owner);

    if (scenario_check_group(r, g, where, "jobs[].query[]", op_names[op]) != 0)
        return -1;

    switch (q->op) {
    case OP_SCAN: return scenario_get_str_copy(r, g, where, "table", true, &q->table) < 0 ? -1 : 0;
    case OP_FILTER:
        return scenario_get_str_copy(r, g, where, "where", true, &q->where) < 0 ? -1 : 0;
    case OP_SELECT:
        return scenario_get_strlist(r, g, where, "cols", true, true, &q->cols) < 0 ? -1 : 0;
    case OP_WITH_COLUMN:
        if (scenario_get_str_copy(r, g, where, "name", true, &q->name) < 0 ||
            scenario_get_str_copy(r, g, where, "expr", true, &q->expr) < 0)
            return -1;
        return 0;
    case OP_GROUP_BY:
        /* Empty keys are a global aggregate: df.groupBy().agg(...). */
        if (scenario_get_strlist(r, g, where, "keys", true, false, &q->keys) < 0 ||
            scenario_get_strlist(r, g, where, "aggs", true, true, &q->aggs) < 0 ||
            scenario_get_int(r, g, where, "salt", false, 2, 1000000, false, &q->salt) < 0)
            return -1;
        return 0;
    case OP_JOIN: {
        int how = 0;
        if (scenario_get_str_copy(r, g, where, "right", true, &q->right) < 0 ||
            scenario_get_choice(r, g, where, "how", false, join_hows, false, &how) < 0 ||
            scenario_get_int(r, g, where, "salt", false, 2, 1000000, false, &q->salt) < 0)
            return -1;
        q->how = strdup(join_hows[how]);
        if (q->how == NULL)
            return scenario_fail_nomem(r, q->line);
        bool cross = strcmp(q->how, "cross") == 0;
        int rc = scenario_get_strlist(r, g, where, "on", !cross, true, &q->on);
        if (rc < 0)
            return -1;
        if (cross && rc > 0)
            return scenario_fail(r, scenario_line_of(config_setting_get_member(g, "on")),
                                 "a cross join takes no 'on' keys (%s).", where);
        return 0;
    }
    case OP_ORDER_BY:
        return scenario_get_strlist(r, g, where, "keys", true, true, &q->keys) < 0 ? -1 : 0;
    case OP_WINDOW:
        if (scenario_get_strlist(r, g, where, "partition_by", false, false, &q->partition_by) < 0 ||
            scenario_get_strlist(r, g, where, "order_by", false, false, &q->order_by) < 0 ||
            scenario_get_strlist(r, g, where, "funcs", true, true, &q->funcs) < 0)
            return -1;
        return 0;
    case OP_DISTINCT:
        return scenario_get_strlist(r, g, where, "keys", false, true, &q->keys) < 0 ? -1 : 0;
    case OP_REPARTITION: {
        int rn = scenario_get_int(r, g, where, "n", false, 1, INT_MAX, false, &q->n);
        if (rn < 0)
            return -1;
        int rp = scenario_get_strlist(r, g, where, "partition_by", false, true, &q->partition_by);
        if (rp < 0)
            return -1;
        if (rn == 0 && rp == 0)
            return scenario_fail(r, q->line, "%s needs 'n', 'partition_by' or both.", where);
        return 0;
    }
    case OP_COALESCE:
        return scenario_get_int(r, g, where, "n", true, 1, INT_MAX, false, &q->n) < 0 ? -1 : 0;
    case OP_LIMIT:
        return scenario_get_int(r, g, where, "n", true, 0, INT64_MAX, false, &q->n) < 0 ? -1 : 0;
    case OP_UNION: return scenario_get_str_copy(r, g, where, "table", true, &q->table) < 0 ? -1 : 0;
    case OP_SAMPLE:
        /* Dataset.sample(withReplacement = false, fraction, seed). */
        if (scenario_get_number(r, g, where, "fraction", true, 0.0, false, 1.0, &q->fraction) < 0)
            return -1;
        return scenario_get_int(r, g, where, "seed", false, 0, INT64_MAX, false, &q->seed) < 0 ? -1
                                                                                               : 0;
    case OP_WRITE: {
        int format = 0;
        if (scenario_get_str_copy(r, g, where, "path", false, &q->path) < 0)
            return -1;
        if (q->path && storage_kind_of_path(q->path) < 0)
            return scenario_fail(r, scenario_line_of(config_setting_get_member(g, "path")),
                                 "%s: the path '%s' names a file system this model does not know "
                                 "(file:, hdfs:, abfs(s):, wasb(s):, s3a:, s3:, dbfs:, or a plain "
                                 "path for the cluster's storage account).",
                                 where, q->path);
        int rc = scenario_get_choice(r, g, where, "format", false, scenario_table_formats, false,
                                     &format);
        if (rc < 0)
            return -1;
        if (rc > 0 && (q->format = strdup(scenario_table_formats[format])) == NULL)
            return scenario_fail_nomem(r, q->line);
        return 0;
    }
    case OP_CACHE:
    case OP_COUNT:
    case OP_COLLECT: return 0;
    }
    return 0;
}

static bool is_action(enum op_kind op)
{
    return op == OP_COUNT || op == OP_COLLECT || op == OP_WRITE;
}

/* Reads a list of steps (a job's query or a view) into *steps. A query
 * starts from a table and may end with one action; a view is a DataFrame
 * that other queries use, so it holds no action. */
int scenario_read_steps(struct reader *r, const config_setting_t *list, const char *owner,
                        bool is_view, struct query_step **steps, size_t *n_steps)
{
    if (config_setting_type(list) != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, list, owner,
                                   "a list of steps ( { op = \"scan\"; ... }, ... )");
    size_t n = (size_t)config_setting_length(list);
    if (n == 0)
        return scenario_fail(r, scenario_line_of(list),
                             "%s has no steps; it must start with a scan.", owner);
    *steps = calloc(n, sizeof **steps);
    if (*steps == NULL)
        return scenario_fail_nomem(r, scenario_line_of(list));
    *n_steps = n;
    for (size_t i = 0; i < n; i++) {
        struct query_step *q = &(*steps)[i];
        if (read_step(r, config_setting_get_elem(list, (unsigned)i), owner, i, q) != 0)
            return -1;
        if (i == 0 && q->op != OP_SCAN)
            return scenario_fail(r, q->line, "%s must start with a scan, not a %s.", owner,
                                 op_names[q->op]);
        if (is_action(q->op) && is_view)
            return scenario_fail(
                r, q->line,
                "%s ends with the action '%s'; a view is used by other queries, so "
                "actions belong in jobs.",
                owner, op_names[q->op]);
        if (is_action(q->op) && i + 1 < n)
            return scenario_fail(r, q->line, "'%s' is an action and must be the last step of %s.",
                                 op_names[q->op], owner);
    }
    return 0;
}

/* ", did you mean 'employees'?" when name is a typo of a table (or, with
 * views, of a view) name; "" otherwise. */
static const char *name_hint(const struct scenario *s, const char *name, bool views, char *buf,
                             size_t size)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < s->n_tables; i++) {
        size_t dist = textdist_osa(name, s->tables[i].name);
        if (dist < best_d) {
            best_d = dist;
            best = s->tables[i].name;
        }
    }
    for (size_t i = 0; views && i < s->n_views; i++) {
        size_t dist = textdist_osa(name, s->views[i].name);
        if (dist < best_d) {
            best_d = dist;
            best = s->views[i].name;
        }
    }
    size_t len = strlen(name);
    size_t limit = textdist_typo_limit(len);
    buf[0] = '\0';
    if (best && best_d <= limit)
        snprintf(buf, size, "; did you mean '%.100s'?", best);
    return buf;
}

/* Checks that scan names a table and join/union name a table or a view. */
int scenario_resolve_steps(struct reader *r, const struct query_step *steps, size_t n,
                           const char *owner)
{
    for (size_t i = 0; i < n; i++) {
        const struct query_step *q = &steps[i];
        char hint[128];
        if (q->op == OP_SCAN && scenario_table(r->s, q->table) == NULL) {
            if (scenario_view(r->s, q->table))
                return scenario_fail(
                    r, q->line,
                    "step %zu of %s scans '%s', which is a view; a scan reads a table "
                    "(use a join or union to bring in a view).",
                    i + 1, owner, q->table);
            return scenario_fail(
                r, q->line, "step %zu of %s scans '%s', but there is no such table%s", i + 1, owner,
                q->table, *name_hint(r->s, q->table, false, hint, sizeof hint) ? hint : ".");
        }
        const char *ref = q->op == OP_JOIN ? q->right : q->op == OP_UNION ? q->table : NULL;
        if (ref && scenario_table(r->s, ref) == NULL && scenario_view(r->s, ref) == NULL)
            return scenario_fail(r, q->line,
                                 "step %zu (%s) of %s names '%s', which is neither a table "
                                 "nor a view%s",
                                 i + 1, op_names[q->op], owner, ref,
                                 *name_hint(r->s, ref, true, hint, sizeof hint) ? hint : ".");
    }
    return 0;
}

/* ----------------------------------------------------------------- views */

/* Depth-first search over views through join/union references. color: 0
 * unvisited, 1 on the current path, 2 done. path holds the views on the
 * current path, so that a cycle can be printed. */
static int view_dfs(struct reader *r, size_t v, int *color, size_t *path, size_t depth)
{
    const struct view_spec *view = &r->s->views[v];
    color[v] = 1;
    path[depth] = v;
    for (size_t i = 0; i < view->n_steps; i++) {
        const struct query_step *q = &view->steps[i];
        const char *ref = q->op == OP_JOIN ? q->right : q->op == OP_UNION ? q->table : NULL;
        const struct view_spec *target = ref ? scenario_view(r->s, ref) : NULL;
        if (target == NULL)
            continue;
        size_t t = (size_t)(target - r->s->views);
        if (color[t] == 1) {
            if (t == v)
                return scenario_fail(r, q->line, "view '%s' refers to itself (step %zu, %s).",
                                     view->name, i + 1, op_names[q->op]);
            char chain[512];
            size_t used = 0;
            size_t start = depth;
            while (path[start] != t)
                start--;
            chain[0] = '\0';
            for (size_t k = start; k <= depth && used < sizeof chain; k++)
                used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ",
                                         r->s->views[path[k]].name);
            if (used < sizeof chain)
                snprintf(chain + used, sizeof chain - used, "%s", r->s->views[t].name);
            return scenario_fail(r, q->line,
                                 "views %s form a cycle through their joins and unions.", chain);
        }
        if (color[t] == 0 && view_dfs(r, t, color, path, depth + 1) != 0)
            return -1;
    }
    color[v] = 2;
    return 0;
}

int scenario_read_views(struct reader *r, const config_setting_t *g)
{
    size_t n = (size_t)config_setting_length(g);
    if (n == 0)
        return 0;
    r->s->views = calloc(n, sizeof *r->s->views);
    if (r->s->views == NULL)
        return scenario_fail_nomem(r, scenario_line_of(g));
    r->s->n_views = n;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        struct view_spec *v = &r->s->views[i];
        v->line = scenario_line_of(m);
        v->name = strdup(config_setting_name(m));
        if (v->name == NULL)
            return scenario_fail_nomem(r, v->line);
        if (config_setting_type(m) != CONFIG_TYPE_LIST)
            return scenario_wrong_type(r, m, "views",
                                       "a list of steps ( { op = \"scan\"; ... }, ... )");
        char owner[160];
        snprintf(owner, sizeof owner, "view '%s'", v->name);
        if (scenario_read_steps(r, m, owner, true, &v->steps, &v->n_steps) != 0)
            return -1;
    }
    return 0;
}

int scenario_check_views(struct reader *r)
{
    struct scenario *s = r->s;
    for (size_t i = 0; i < s->n_views; i++) {
        char owner[160];
        snprintf(owner, sizeof owner, "view '%s'", s->views[i].name);
        if (scenario_table(s, s->views[i].name))
            return scenario_fail(
                r, s->views[i].line,
                "view '%s' has the name of a table (line %d); give it another name.",
                s->views[i].name, scenario_table(s, s->views[i].name)->line);
        if (scenario_resolve_steps(r, s->views[i].steps, s->views[i].n_steps, owner) != 0)
            return -1;
    }
    if (s->n_views == 0)
        return 0;
    int *color = calloc(s->n_views, sizeof *color);
    size_t *path = calloc(s->n_views, sizeof *path);
    int rc = 0;
    if (color == NULL || path == NULL)
        rc = scenario_fail_nomem(r, 0);
    for (size_t i = 0; i < s->n_views && rc == 0; i++)
        if (color[i] == 0)
            rc = view_dfs(r, i, color, path, 0);
    free(color);
    free(path);
    return rc;
}
