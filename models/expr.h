/*
 * expr.h — the SQL-like expressions of a query's steps (filter `where`,
 * with_column `expr`, select `cols`, group_by `aggs`, window `funcs`), parsed
 * once into a tree, type-checked against a batch's columns, and evaluated
 * over whole batches.
 *
 * The language (keywords and function names in any case; column names are
 * case-sensitive and may be back-quoted: `order date`):
 *   literals      42, 3.5, 1e6, 'text' or "text" ('' or \' inside), TRUE,
 *                 FALSE, NULL, DATE 'YYYY-MM-DD', TIMESTAMP 'YYYY-MM-DD
 *                 HH:MM:SS[.ffffff]' (UTC)
 *   arithmetic    + - * / %  (/ always gives a double; x / 0 and x % 0 are
 *                 NULL, as in Spark; integer overflow wraps, as in Spark)
 *   comparison    = == != <> < <= > >=  (numbers with numbers, strings with
 *                 strings byte-wise; dates and timestamps as Spark coerces
 *                 them: a string meeting a date or timestamp is cast to it,
 *                 a date meeting a timestamp is its midnight)
 *   logic         AND OR NOT, with SQL's three-valued logic for NULL
 *   predicates    x [NOT] IN (a, b, ...), x [NOT] BETWEEN a AND b,
 *                 x IS [NOT] NULL
 *   CASE          CASE WHEN c THEN v [WHEN ...] [ELSE v] END, and
 *                 CASE x WHEN a THEN v ... END
 *   casts         CAST(x AS int|integer|bigint|long|double|string|date|
 *                 timestamp|boolean), as Spark with ANSI mode off: a string
 *                 that is not a value of the type is NULL; a timestamp to a
 *                 number is its seconds; a date to a number and a double to
 *                 a string are refused
 *   date/time     year, month, dayofmonth (day) of a date or timestamp;
 *                 hour, minute, second of a timestamp; to_date(x),
 *                 to_timestamp(x) (the casts); date_add(d, n), date_sub(d,
 *                 n), datediff(end, start); date_trunc(unit, ts), trunc(d,
 *                 unit). A string, date or timestamp argument is cast to
 *                 what the function takes. Timestamps are microseconds
 *                 since 1970-01-01 00:00:00 UTC, dates days since then.
 *   functions     substr(s, pos[, len]) (also
 *                 substring; 1-based, negative pos counts from the end, as in
 *                 Spark), lower(s), upper(s), coalesce(a, b, ...), abs(x),
 *                 round(x[, d]) (d an integer literal; half away from zero)
 * Types: int32 op int32 is int32, int64 if either is int64, double if either
 * is double (integer literals are int32 when they fit, like Spark's). A bare
 * NULL takes the type of what it meets; a NULL on its own is a boolean.
 * Strings are handled as bytes: substr, lower and upper are exact for ASCII.
 *
 * Errors (parse or bind) are SC_EINPUT in a diag whose message names the
 * 1-based character position in the expression text ("unknown column
 * 'salry' at position 1; did you mean 'salary'?"); the caller prefixes the
 * scenario's file:line.
 *
 * Ownership: an expr owns its tree and a copy of its text; a scratch belongs
 * to the expr it was made for; expr_item/expr_call/expr_list own their
 * expressions and aliases (free with their _fini). Nothing here keeps a
 * pointer to a batch.
 */
#ifndef STAGECAST_EXPR_H
#define STAGECAST_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/batch.h"
#include "models/diag.h"

struct expr;
struct expr_scratch;

/* Parses text into an unbound expression. NULL and d filled (SC_EINPUT with
 * the position, or SC_ENOMEM) on error. */
struct expr *expr_parse(const char *text, struct diag *d);

/* Resolves column names against schema's names and types and checks every
 * operator's and function's types, once per expression (a second call is
 * SC_EINTERNAL). Evaluation then needs batches with this layout. Returns
 * SC_OK or SC_EINPUT (unknown column with a suggestion, type mismatch with
 * the position and what was expected). */
enum sc_status expr_bind(struct expr *e, const struct batch *schema, struct diag *d);

/* expr_parse + expr_bind. */
struct expr *expr_compile(const char *text, const struct batch *schema, struct diag *d);

void expr_free(struct expr *e);

/* Whether expr_bind has succeeded on e (evaluation needs it). */
bool expr_is_bound(const struct expr *e);

/* The text the expression was parsed from. */
const char *expr_text(const struct expr *e);

/* The type of the expression's value; only meaningful once bound. */
enum col_type expr_type(const struct expr *e);

/* The column's name when the whole expression is one column reference,
 * else NULL (a projection passes such columns through by name). */
const char *expr_column_name(const struct expr *e);

/* The distinct column names the expression refers to, in order of first
 * appearance: what a scan must read for it. Valid while e lives. */
size_t expr_n_refs(const struct expr *e);
const char *expr_ref(const struct expr *e, size_t i);

/* Scratch columns for evaluating bound e over batches of up to cap_rows
 * rows (evaluation grows it for larger batches). NULL when memory runs out. */
struct expr_scratch *expr_scratch_new(const struct expr *e, size_t cap_rows);
void expr_scratch_free(struct expr_scratch *s);

/* Evaluates bound e over the in->n_rows rows of in (the layout e was bound
 * to), writing rows 0..n-1 of column col of out, which must have e's type.
 * Grows out when it is too small; does not change out->n_rows (the caller
 * sets it once every column is written). Evaluation goes node by node over
 * the whole batch. Returns SC_OK, SC_EINTERNAL (layout or type mismatch),
 * SC_ENOMEM. */
enum sc_status expr_eval(const struct expr *e, const struct batch *in, struct expr_scratch *s,
                         struct batch *out, size_t col, struct diag *d);

/* Evaluates boolean predicate pred over in and writes the indices of the
 * rows where it is TRUE (not FALSE, not NULL), ascending, to sel[0..*n_sel):
 * sel must hold in->n_rows entries. Returns as expr_eval (SC_EINPUT when
 * pred is not boolean). */
enum sc_status expr_select(const struct expr *pred, const struct batch *in, struct expr_scratch *s,
                           size_t *sel, size_t *n_sel, struct diag *d);

/* --- named expressions: select items, with_column -------------------------- */

/* "expr [AS alias]". Without an alias a column reference keeps its name and
 * anything else is named by its text (trimmed), as Spark names it. */
struct expr_item {
    struct expr *e;
    char *alias;
};

/* Parses one item (unbound). Returns SC_OK, SC_EINPUT, SC_ENOMEM; on error
 * it holds nothing. */
enum sc_status expr_item_parse(const char *text, struct expr_item *it, struct diag *d);
void expr_item_fini(struct expr_item *it);

/* An ordered list of bound items: a projection's output columns. */
struct expr_list {
    struct expr_item *items;
    size_t n;
};

/* Parses and binds a select list, one item per text. Errors name the item
 * ("item 2 \"a + x\": unknown column 'x' at position 5"). On error l is
 * left empty. */
enum sc_status expr_list_select(struct expr_list *l, const struct batch *schema,
                                const char *const *texts, size_t n, struct diag *d);

/* The list for with_column(name, text): every column of schema in order,
 * with the one called name replaced in place by text's value, or text's
 * value appended as name (Spark's withColumn). */
enum sc_status expr_list_with_column(struct expr_list *l, const struct batch *schema,
                                     const char *name, const char *text, struct diag *d);

void expr_list_fini(struct expr_list *l);

/* An empty batch whose columns are l's aliases and types, room for
 * cap_rows: the output of a projection. NULL when memory runs out. */
struct batch *expr_list_batch_new(const struct expr_list *l, size_t cap_rows);

/* --- aggregate and window calls: group_by aggs, window funcs -------------- */

enum expr_fn {
    EXPR_FN_COUNT,          /* count(x): non-null x; count(*): rows (arg NULL) */
    EXPR_FN_COUNT_DISTINCT, /* count(DISTINCT x) */
    EXPR_FN_SUM,
    EXPR_FN_AVG,
    EXPR_FN_MIN,
    EXPR_FN_MAX,
    EXPR_FN_ROW_NUMBER, /* window only, no argument */
    EXPR_FN_RANK,       /* window only */
    EXPR_FN_DENSE_RANK  /* window only */
};

/* "fn(arg) [AS alias]". Without an alias the name is Spark's: "count(1)"
 * for count(*), "count(DISTINCT x)", "avg(salary)", "row_number()". */
struct expr_call {
    enum expr_fn fn;
    struct expr *arg; /* unbound until the caller binds it; NULL: none */
    char *alias;
};

/* Parses a group_by aggregate (count, count(DISTINCT), sum, avg, min, max)
 * or a window function (those and row_number, rank, dense_rank). Returns
 * SC_OK, SC_EINPUT with the position, SC_ENOMEM; on error c holds nothing. */
enum sc_status expr_call_parse_agg(const char *text, struct expr_call *c, struct diag *d);
enum sc_status expr_call_parse_window(const char *text, struct expr_call *c, struct diag *d);
void expr_call_fini(struct expr_call *c);

/* Binds c's argument (if any) against schema and checks it suits the
 * function: sum and avg need a number. Returns SC_OK, or SC_EINPUT naming
 * the position. */
enum sc_status expr_call_bind(struct expr_call *c, const struct batch *schema, struct diag *d);

/* The result type of a bound call: count and the ranks are int64, avg
 * double, sum int64 (integers) or double, min and max the argument's. */
enum col_type expr_call_type(const struct expr_call *c);

const char *expr_fn_name(enum expr_fn fn);

#endif
