/*
 * datagen.h — sample rows of a table, generated from its schema's column
 * distributions, for the kernels that calibration times.
 *
 * Data is a pure function of (seed, table name, column name, row number):
 * the same seed gives the same bytes; adding, removing or reordering columns
 * does not change the others; rows a..b are the same whether generated alone
 * or as part of a larger range; a projection of columns holds the same
 * values as the full table.
 *
 * How each distribution maps to each column type (date values are day
 * numbers since 1970-01-01, so `min`/`max` of a uniform date column are day
 * numbers too; 18262 is 2020-01-01):
 *
 *   sequence     row r (0-based) holds r + 1. String "<column>_<r+1>";
 *                boolean alternates true, false, ...
 *   uniform      integer types (int32, int64, date) and strings: integers
 *                uniform over [ceil(min), floor(max)] inclusive, strings
 *                "<column>_<n>"; double: continuous over [min, max);
 *                boolean: a fair coin (min and max are ignored).
 *   normal,      double as drawn; integer types and dates rounded to the
 *   lognormal    nearest integer and clamped to the type's range; strings
 *                "<column>_<rounded>". Not allowed on boolean columns.
 *   zipf         rank k in 1..distinct with P(k) proportional to 1/k^exponent;
 *                numbers hold k, strings "<column>_<k>", booleans true for
 *                odd k (so rank 1, the most frequent, is true).
 *   categorical  one of `values` with probability proportional to `weights`
 *                (equal when absent); values are parsed as the column's
 *                type: integers, numbers, "YYYY-MM-DD" or a day number for
 *                dates, "true"/"false" for booleans.
 *
 * `distinct` = D on a column that is not zipf limits it to at most D values:
 *   sequence     cycles 1..D (row r holds r mod D + 1);
 *   uniform      D equally likely evenly spaced values: integers
 *                min + floor(k * span / D), doubles at the midpoints
 *                min + (k + 1/2)(max - min)/D, k = 0..D-1 (no effect when
 *                the integer range holds no more than D values);
 *   normal,      D equally likely values, the distribution's quantiles at
 *   lognormal    (k + 1/2)/D, so the shape is kept (rounding to an integer
 *                type may merge some of them);
 *   categorical  only the first D values (weights renormalised).
 *
 * `null_fraction` = f makes each row null with probability f, drawn from a
 * stream of its own so it does not change the values of the other rows.
 * A null row's value is unspecified (strings are empty).
 *
 * Key-consistent sampling (datagen_keep_keys): a column may be restricted to
 * the values v with v = residue (mod modulus), each drawn from its
 * distribution conditioned on being kept. Two tables whose join keys are
 * restricted alike keep the same keys, each with its own multiplicity, so
 * a join of their samples keeps the full join's rows per input row (the
 * "universe" sample of approximate query processing). The restricted table
 * stands for the rows of the whole table that hold a kept key:
 * datagen_rows says how many.
 *
 * Ownership: a datagen borrows its table_spec, which must outlive it; the
 * caller owns the batches. A datagen is not safe to share between threads
 * (it keeps its generators and scratch); make one per thread.
 */
#ifndef STAGECAST_DATAGEN_H
#define STAGECAST_DATAGEN_H

#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"
#include "models/schema.h"

struct datagen;

/* Prepares the generators of every column of t (zipf and categorical
 * tables, parsed categorical values). Returns NULL and fills d when a
 * column's parameters cannot be generated (a categorical value that is not
 * of the column's type, a normal boolean, ...: SC_EINPUT with the column's
 * line) or memory runs out. */
struct datagen *datagen_new(const struct table_spec *t, uint64_t seed, struct diag *d);
void datagen_free(struct datagen *g);

/* Replaces the contents of out with rows first_row .. first_row + rows - 1
 * of the table. Each column of out is filled from the table column of the
 * same name and must have its type (datagen_batch_new and
 * datagen_batch_new_columns make such batches). Grows out when it is too
 * small; no allocation per value. Returns SC_OK, or SC_EINPUT (unknown
 * column, wrong type, first_row < 0), SC_ENOMEM. */
enum sc_status datagen_fill(struct datagen *g, int64_t first_row, size_t rows, struct batch *out,
                            struct diag *d);

/* Restricts column `column` to the values v (for a string column the
 * number n of "<column>_<n>") with v mod modulus == residue, 0 <= residue <
 * modulus, modulus >= 1. Rows keep their row numbers: row r of the
 * restricted table is the r-th row holding a kept value (a sequence: the
 * r-th kept value of its cycle). Supported on integer-valued columns
 * (int32, int64, date, numbered strings) of dist sequence, uniform (without
 * a `distinct` below its range) and zipf; SC_EINPUT naming the column
 * otherwise, the datagen unchanged. One restriction per column. */
enum sc_status datagen_keep_keys(struct datagen *g, const char *column, int64_t modulus,
                                 int64_t residue, struct diag *d);

/* Rows of the table that hold kept values: the table's rows times the
 * probability that a row's values are all kept (exact for a sequence),
 * rounded; the table's rows without restriction. */
int64_t datagen_rows(const struct datagen *g);

/* datagen_new + datagen_fill + datagen_free, for a one-off sample. */
enum sc_status datagen_generate(const struct table_spec *t, uint64_t seed, int64_t first_row,
                                size_t rows, struct batch *out, struct diag *d);

/* An empty batch with every column of t (names and types), room for
 * cap_rows rows. NULL when memory runs out. The caller frees it. */
struct batch *datagen_batch_new(const struct table_spec *t, size_t cap_rows);

/* An empty batch with the named columns of t, in the order given. NULL and
 * d filled (SC_EINPUT naming the column) when a name is not in t, or
 * SC_ENOMEM. */
struct batch *datagen_batch_new_columns(const struct table_spec *t, const char *const *names,
                                        size_t n_names, size_t cap_rows, struct diag *d);

#endif
