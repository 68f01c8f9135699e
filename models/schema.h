/*
 * schema.h — what a table looks like: its columns' types and value
 * distributions, its row count and stored size. Read from a scenario's
 * `tables` group; used by the sample-data generator, the kernels and the
 * planner. Values only: the scenario that holds them owns their strings.
 */
#ifndef STAGECAST_SCHEMA_H
#define STAGECAST_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

struct strlist {
    char **v;
    size_t n;
};

/* COL_DATE holds days since 1970-01-01 (Spark's DateType); COL_TIMESTAMP
 * microseconds since 1970-01-01 00:00:00 UTC (Spark's TimestampType with the
 * session time zone taken as UTC). New types go last: cached files store
 * the number. */
enum col_type { COL_INT32, COL_INT64, COL_DOUBLE, COL_STRING, COL_DATE, COL_BOOLEAN,
                COL_TIMESTAMP };
enum col_dist { CDIST_SEQUENCE, CDIST_UNIFORM, CDIST_NORMAL, CDIST_LOGNORMAL, CDIST_ZIPF,
                CDIST_CATEGORICAL };

struct column_spec {
    char *name;
    enum col_type type;
    enum col_dist dist;
    double min, max;            /* uniform */
    double mean, stddev;        /* normal */
    double mu, sigma;           /* lognormal */
    double exponent;            /* zipf */
    int64_t distinct;           /* zipf, and optionally others; 0 = not given */
    double null_fraction;       /* 0 when not given */
    struct strlist values;      /* categorical */
    double *weights;            /* categorical, values.n of them; NULL = equal */
    int line;
};

struct table_spec {
    char *name;
    int64_t rows;
    int64_t size_bytes;         /* -1 when not given */
    char *format;               /* "parquet", "delta", "csv"; default "parquet" */
    char *path;                 /* where its files are (a URL); NULL: the cluster's account */
    int64_t files;              /* how many files; -1: size / 128 MiB */
    int64_t row_group_bytes;    /* Parquet row group (parquet.block.size) on disk;
                                 * -1: 128 MiB, Spark's writer's default */
    struct column_spec *columns;
    size_t n_columns;
    int line;
};

#endif
