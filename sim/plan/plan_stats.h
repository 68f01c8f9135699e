/*
 * plan_stats.h — the statistics the query planner asks for: how many rows
 * pass a filter, how many groups an aggregate makes, how many rows a join
 * gives, how many distinct values a derived column has, how well shuffle
 * data compresses.
 *
 * It is an interface (struct plan_stats, a table of function pointers) so
 * that calibration can plug in what it measured on sample data; the default
 * implementation here estimates from the scenario's column distributions
 * where it can and otherwise uses the documented defaults below.
 *
 * Ownership: plan_column values point into the scenario and the planner;
 * the callbacks must not keep them. plan_stats_default returns a static,
 * read-only table.
 */
#ifndef STAGECAST_PLAN_STATS_H
#define STAGECAST_PLAN_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "models/schema.h"

/* A column as the planner sees it at some point of a query. */
struct plan_column {
    const char *name;
    enum col_type type;
    const struct column_spec *spec; /* the table column it still is, unchanged by any
                                     * operator but filters; NULL when derived */
    double table_rows;              /* rows of spec's table (a sequence runs 1..table_rows) */
    double ndv;                     /* distinct non-null values here; NAN unknown */
    double width_bytes;             /* average width of one value */
    double null_fraction;
    /* Where the column comes from, for telling estimates apart (the same
     * predicate text on another table is another estimate): */
    const char *table; /* spec's table; NULL when derived */
    const char *expr;  /* a derived column's definition; NULL unknown */
    bool ndv_default;  /* ndv is a default (a derived column taken as unique) */
};

/* Where an estimate comes from, from least to most doubtful. */
enum plan_est {
    PLAN_EST_NONE,         /* nothing estimated (no filter, aggregate or derived column) */
    PLAN_EST_DISTRIBUTION, /* the scenario's column distributions */
    PLAN_EST_MEASURED,     /* calibration, on sample rows */
    PLAN_EST_DEFAULT       /* a documented default below */
};

/* "distribution", "measured", "default" ("-" for none). */
const char *plan_est_name(enum plan_est e);

/* The more doubtful of a and b. */
enum plan_est plan_est_worse(enum plan_est a, enum plan_est b);

/* The first three callbacks also say where their figure comes from in
 * *src (src may be NULL): PLAN_EST_DEFAULT when any part of it is one of
 * the defaults below, which calibration's measurements may replace. */
struct plan_stats {
    void *ctx;
    /* Fraction (0..1) of rows_in rows over cols for which `where` holds. */
    double (*filter_selectivity)(void *ctx, const char *where, const struct plan_column *cols,
                                 size_t n_cols, double rows_in, enum plan_est *src);
    /* Distinct values of a derived column `expr` over cols; NAN when unknown
     * (the planner then takes it as unique, a default). */
    double (*expr_ndv)(void *ctx, const char *expr, const struct plan_column *cols, size_t n_cols,
                       double rows_in, enum plan_est *src);
    /* Groups that rows_in rows form when grouped by keys (1 without keys). */
    double (*group_count)(void *ctx, const struct plan_column *keys, size_t n_keys, double rows_in,
                          enum plan_est *src);
    /* Rows out of a join of how ("inner", "left", "left_outer", "right", ...,
     * "left_semi", "left_anti", "cross") on n_keys equal key pairs. */
    double (*join_rows)(void *ctx, const char *how, double left_rows, double right_rows,
                        const struct plan_column *left_keys, const struct plan_column *right_keys,
                        size_t n_keys);
    /* Bytes written to shuffle files per byte of serialized rows of cols,
     * when spark.shuffle.compress is on. */
    double (*shuffle_compression)(void *ctx, const struct plan_column *cols, size_t n_cols);
};

/* Documented defaults, used where the text or the distributions say nothing:
 * System R's selectivities (Selinger et al., 1979): 1/10 for an equality on
 * a column of unknown distinct count, 1/3 for any other predicate; strings
 * as wide as Spark's StringType.defaultSize; shuffle blocks at half their
 * UnsafeRow size under LZ4 (placeholder until calibration measures it). */
#define PLAN_STATS_EQ_SELECTIVITY 0.1
#define PLAN_STATS_DEFAULT_SELECTIVITY (1.0 / 3.0)
#define PLAN_STATS_STRING_BYTES 20.0
#define PLAN_STATS_SHUFFLE_COMPRESSION 0.5

/* The default implementation (estimates from the column distributions). */
const struct plan_stats *plan_stats_default(void);

/* The default callbacks, for an implementation that overrides only some. */
double plan_stats_default_selectivity(void *ctx, const char *where, const struct plan_column *cols,
                                      size_t n_cols, double rows_in, enum plan_est *src);
double plan_stats_default_expr_ndv(void *ctx, const char *expr, const struct plan_column *cols,
                                   size_t n_cols, double rows_in, enum plan_est *src);
double plan_stats_default_group_count(void *ctx, const struct plan_column *keys, size_t n_keys,
                                      double rows_in, enum plan_est *src);
double plan_stats_default_join_rows(void *ctx, const char *how, double left_rows, double right_rows,
                                    const struct plan_column *left_keys,
                                    const struct plan_column *right_keys, size_t n_keys);
double plan_stats_default_compression(void *ctx, const struct plan_column *cols, size_t n_cols);

/* Distinct values of a table column of table_rows rows, from its
 * distribution (a given `distinct` wins); never more than table_rows. */
double plan_stats_column_ndv(const struct column_spec *c, double table_rows);

/* Average width in bytes of a value of a table column of table_rows rows:
 * a categorical string the weighted mean length of its values, another
 * string "<column>_<n>" as the sample-data generator writes it (n up to
 * the distribution's largest value), other types their fixed width. */
double plan_stats_column_width(const struct column_spec *c, double table_rows);

/* The text that names one estimate across plans of one scenario: its kind
 * ("filter", "groups"), its text (a filter's predicate; NULL for groups)
 * and the columns it reads (those of cols that text refers to, or every
 * one of cols without a text), each as table.column or, when derived, as
 * name=definition. The caller frees it; NULL on memory. */
char *plan_stats_key(const char *kind, const char *text, const struct plan_column *cols,
                     size_t n_cols);

/* Width of a value of a type when nothing else is known. */
double plan_stats_type_width(enum col_type t);

#endif
