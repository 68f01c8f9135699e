/*
 * scenario_tables.c — reads the scenario's `tables` group: each table's row
 * count, size and format, and its columns with their types and value
 * distributions (what models/datagen draws calibration samples from).
 */
#include "models/civil.h"
#include "models/storage.h"
#include "models/units.h"
#include "sim/input/scenario_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- tables */

/* In enum col_type's order. */
static const char *const col_type_names[] = {"int32", "int64",   "double",    "string",
                                             "date",  "boolean", "timestamp", NULL};
static const char *const col_dist_names[] = {"sequence", "uniform",     "normal", "lognormal",
                                             "zipf",     "categorical", NULL};
const char *const scenario_table_formats[] = {"parquet", "delta", "csv", NULL};

static int read_weights(struct reader *r, const config_setting_t *g, const char *where,
                        struct column_spec *col)
{
    config_setting_t *st = config_setting_get_member(g, "weights");
    if (st == NULL)
        return 0;
    int type = config_setting_type(st);
    if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
        return scenario_wrong_type(r, st, where, "a list of numbers such as [0.5, 0.3, 0.2]");
    size_t n = (size_t)config_setting_length(st);
    if (n != col->values.n)
        return scenario_fail(r, scenario_line_of(st),
                             "'weights' in %s has %zu numbers but 'values' has %zu.", where, n,
                             col->values.n);
    col->weights = calloc(n, sizeof *col->weights);
    if (col->weights == NULL)
        return scenario_fail_nomem(r, scenario_line_of(st));
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);
        double w = scenario_is_number(e) ? scenario_number_of(e) : NAN;
        if (!(w >= 0.0) || !isfinite(w)) {
            char got[96];
            return scenario_fail(r, scenario_line_of(e),
                                 "'weights' in %s must hold numbers from 0 up; item %zu is %s.",
                                 where, i + 1, scenario_describe(e, got, sizeof got));
        }
        col->weights[i] = w;
        sum += w;
    }
    if (!(sum > 0.0))
        return scenario_fail(r, scenario_line_of(st), "'weights' in %s must not all be 0.", where);
    return 0;
}

/* A distribution parameter of a column: a number, or for a date column a
 * date "YYYY-MM-DD" too, read as days since 1970-01-01 (Spark's DateType),
 * and for a timestamp column a timestamp "YYYY-MM-DD HH:MM:SS" (or with a
 * T, or a date alone for its midnight), read as microseconds since
 * 1970-01-01 00:00:00 UTC (Spark's TimestampType); as scenario_get_number
 * otherwise. */
static int get_value(struct reader *r, const config_setting_t *g, const char *where,
                     const char *key, enum col_type type, double *out)
{
    const config_setting_t *st = config_setting_get_member(g, key);
    if ((type != COL_DATE && type != COL_TIMESTAMP) || !st ||
        config_setting_type(st) != CONFIG_TYPE_STRING)
        return scenario_get_number(r, g, where, key, true, -INFINITY, false, INFINITY, out);
    const char *text = config_setting_get_string(st);
    int64_t v;
    if (type == COL_DATE && !civil_parse_date(text, &v))
        return scenario_fail(r, scenario_line_of(st),
                             "'%s' in %s must be a date YYYY-MM-DD or a day number, not \"%s\".",
                             key, where, text);
    if (type == COL_TIMESTAMP && !civil_cast_timestamp(text, strlen(text), &v))
        return scenario_fail(r, scenario_line_of(st),
                             "'%s' in %s must be a timestamp \"YYYY-MM-DD HH:MM:SS\" (UTC; a date "
                             "alone is its midnight) or microseconds since 1970-01-01, not \"%s\".",
                             key, where, text);
    *out = (double)v;
    return 1;
}

/* A normal timestamp column's stddev: microseconds, or a duration such as
 * "6h" or "90s" (models/units.h). */
static int get_stddev(struct reader *r, const config_setting_t *g, const char *where,
                      enum col_type type, double *out)
{
    const config_setting_t *st = config_setting_get_member(g, "stddev");
    if (type != COL_TIMESTAMP || !st || config_setting_type(st) != CONFIG_TYPE_STRING)
        return scenario_get_number(r, g, where, "stddev", true, 0, false, INFINITY, out);
    const char *text = config_setting_get_string(st);
    double seconds;
    if (units_parse_duration(text, &seconds) != 0)
        return scenario_fail(r, scenario_line_of(st),
                             "'stddev' in %s must be microseconds or a duration such as \"6h\", "
                             "not \"%s\".",
                             where, text);
    *out = seconds * 1e6;
    return 1;
}

static int read_column(struct reader *r, const config_setting_t *g, const char *table, size_t index,
                       struct column_spec *col)
{
    char where[192];
    col->line = scenario_line_of(g);
    col->min = col->max = col->mean = col->stddev = col->mu = col->sigma = NAN;
    col->exponent = NAN;
    if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
        char got[96];
        return scenario_fail(r, col->line,
                             "column %zu of table '%s' must be a group such as { name = \"id\"; "
                             "type = \"int64\"; }, not %s.",
                             index + 1, table, scenario_describe(g, got, sizeof got));
    }
    snprintf(where, sizeof where, "column %zu of table '%s'", index + 1, table);
    /* Keys no column takes first, so that a typo of 'name' or 'type' is
     * reported as a typo; the keys of the chosen dist are checked below. */
    if (scenario_check_group(r, g, where, "tables.<table>.columns[]", NULL) != 0 ||
        scenario_get_str_copy(r, g, where, "name", true, &col->name) < 0)
        return -1;
    snprintf(where, sizeof where, "column '%s' of table '%s'", col->name, table);

    int dist = CDIST_SEQUENCE, type = 0;
    if (scenario_get_choice(r, g, where, "type", true, col_type_names, false, &type) < 0 ||
        scenario_get_choice(r, g, where, "dist", false, col_dist_names, false, &dist) < 0)
        return -1;
    col->type = (enum col_type)type;
    col->dist = (enum col_dist)dist;

    char where_dist[224];
    snprintf(where_dist, sizeof where_dist, "%s (dist \"%s\")", where, col_dist_names[dist]);
    if (scenario_check_group(r, g, where_dist, "tables.<table>.columns[]", col_dist_names[dist]) !=
        0)
        return -1;

    if (scenario_get_int(r, g, where, "distinct", dist == CDIST_ZIPF, 1, SCN_MAX_BYTES, false,
                         &col->distinct) < 0 ||
        scenario_get_number(r, g, where, "null_fraction", false, 0, false, 1, &col->null_fraction) <
            0)
        return -1;

    switch (col->dist) {
    case CDIST_SEQUENCE: break;
    case CDIST_UNIFORM:
        if (get_value(r, g, where, "min", col->type, &col->min) < 0 ||
            get_value(r, g, where, "max", col->type, &col->max) < 0)
            return -1;
        if (col->max < col->min)
            return scenario_fail(r, scenario_line_of(config_setting_get_member(g, "max")),
                                 "'max' in %s (%g) must not be less than 'min' (%g).", where,
                                 col->max, col->min);
        break;
    case CDIST_NORMAL:
        if (get_value(r, g, where, "mean", col->type, &col->mean) < 0 ||
            get_stddev(r, g, where, col->type, &col->stddev) < 0)
            return -1;
        break;
    case CDIST_LOGNORMAL:
        if (scenario_get_number(r, g, where, "mu", true, -INFINITY, false, INFINITY, &col->mu) <
                0 ||
            scenario_get_number(r, g, where, "sigma", true, 0, false, INFINITY, &col->sigma) < 0)
            return -1;
        break;
    case CDIST_ZIPF:
        col->exponent = 1.0;
        if (scenario_get_number(r, g, where, "exponent", false, 0, true, INFINITY, &col->exponent) <
            0)
            return -1;
        break;
    case CDIST_CATEGORICAL:
        if (scenario_get_strlist(r, g, where, "values", true, true, &col->values) < 0 ||
            read_weights(r, g, where, col) != 0)
            return -1;
        break;
    }
    return 0;
}

static int read_table(struct reader *r, const config_setting_t *g, struct table_spec *t)
{
    t->line = scenario_line_of(g);
    t->size_bytes = -1;
    t->name = strdup(config_setting_name(g));
    if (t->name == NULL)
        return scenario_fail_nomem(r, t->line);
    char where[160];
    snprintf(where, sizeof where, "table '%s'", t->name);
    if (config_setting_type(g) != CONFIG_TYPE_GROUP)
        return scenario_wrong_type(r, g, "tables", "a group { rows = ...; columns = (...); }");
    if (scenario_check_group(r, g, where, "tables.<table>", NULL) != 0)
        return -1;
    int format = 0;
    if (scenario_get_int(r, g, where, "rows", true, 0, SCN_MAX_BYTES, false, &t->rows) < 0 ||
        scenario_get_size(r, g, where, "size", &t->size_bytes) < 0 ||
        scenario_get_choice(r, g, where, "format", false, scenario_table_formats, false, &format) <
            0)
        return -1;
    t->format = strdup(scenario_table_formats[format]);
    if (t->format == NULL)
        return scenario_fail_nomem(r, t->line);
    t->files = -1;
    t->row_group_bytes = -1;
    if (scenario_get_int(r, g, where, "files", false, 1, SCN_MAX_TABLE_FILES, true, &t->files) <
            0 ||
        scenario_get_size(r, g, where, "row_group", &t->row_group_bytes) < 0 ||
        scenario_get_str_copy(r, g, where, "path", false, &t->path) < 0)
        return -1;
    if (t->row_group_bytes == 0)
        return scenario_fail(r, scenario_line_of(config_setting_get_member(g, "row_group")),
                             "'row_group' in %s must be at least 1 byte (Parquet's row group "
                             "size on disk, 128 MiB when left out).",
                             where);
    if (t->path && storage_kind_of_path(t->path) < 0)
        return scenario_fail(r, scenario_line_of(config_setting_get_member(g, "path")),
                             "table '%s': the path '%s' names a file system this model does not "
                             "know (file:, hdfs:, abfs(s):, wasb(s):, s3a:, s3:, dbfs:, or a plain "
                             "path for the cluster's storage account).",
                             t->name, t->path);

    config_setting_t *cols;
    int rc = scenario_get_aggregate(r, g, where, "columns", false, CONFIG_TYPE_LIST, &cols);
    if (rc <= 0)
        return rc;
    size_t n = (size_t)config_setting_length(cols);
    if (n == 0)
        return 0;
    t->columns = calloc(n, sizeof *t->columns);
    if (t->columns == NULL)
        return scenario_fail_nomem(r, scenario_line_of(cols));
    t->n_columns = n;
    for (size_t i = 0; i < n; i++) {
        if (read_column(r, config_setting_get_elem(cols, (unsigned)i), t->name, i,
                        &t->columns[i]) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->columns[j].name, t->columns[i].name) == 0)
                return scenario_fail(
                    r, t->columns[i].line,
                    "table '%s' has two columns named '%s' (the first at line %d).", t->name,
                    t->columns[i].name, t->columns[j].line);
    }
    return 0;
}

int scenario_read_tables(struct reader *r, const config_setting_t *g)
{
    size_t n = (size_t)config_setting_length(g);
    if (n == 0)
        return 0;
    r->s->tables = calloc(n, sizeof *r->s->tables);
    if (r->s->tables == NULL)
        return scenario_fail_nomem(r, scenario_line_of(g));
    r->s->n_tables = n;
    /* libconfig already refuses two settings of one name in a group, so
     * table names are unique here. */
    for (size_t i = 0; i < n; i++)
        if (read_table(r, config_setting_get_elem(g, (unsigned)i), &r->s->tables[i]) != 0)
            return -1;
    return 0;
}
