/*
 * plan_expr.h — what the planner needs to know about the expression text of
 * query steps (filter `where`, with_column `expr`, group_by `aggs`, window
 * `funcs`, order_by keys), read from the text without evaluating it: which
 * columns an expression refers to, the parts of an aggregate call
 * "avg(salary) AS avg_salary", a sort key's direction, the type a derived
 * column probably has.
 *
 * Column names compare without regard to case, as Spark resolves them with
 * its default spark.sql.caseSensitive = false. Nothing here allocates.
 */
#ifndef STAGECAST_PLAN_EXPR_H
#define STAGECAST_PLAN_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "models/schema.h"

/* True when `column` appears in text as an identifier: outside quotes, not
 * part of a longer name, not a function name (followed by "("). */
bool plan_expr_refers(const char *text, const char *column);

/* True when text (trimmed) is one bare identifier such as "salary". */
bool plan_expr_is_ident(const char *text);

/* A call "func([DISTINCT] arg) [AS alias]", as aggregates and window
 * functions are written. Without AS the alias is the whole text, trimmed,
 * which is how Spark names such a column. */
struct plan_call {
    char func[32]; /* lower case: "count", "avg", "row_number" */
    char arg[256]; /* trimmed; "" for row_number() */
    char alias[128];
    bool distinct; /* count(DISTINCT x) */
};

/* Parses a call. Returns 0, or -1 when text is not of that form (no
 * parentheses, unbalanced, or a part too long for the buffers). */
int plan_expr_parse_call(const char *text, struct plan_call *out);

/* Splits a sort key "name [ASC|DESC]" into the name (into buf) and its
 * direction. Returns buf. */
const char *plan_expr_sort_key(const char *text, char *buf, size_t size, bool *desc);

/* The type an expression most likely has, from its text and the columns it
 * refers to: a comparison or boolean operator gives boolean; a CASE whose
 * results are quoted, or any quoted result, gives string; "/", a decimal
 * literal, rand() or a double column give double; otherwise the widest
 * integer column it refers to (int32 when it refers to none). */
enum col_type plan_expr_type(const char *expr, const char *const *col_names,
                             const enum col_type *col_types, size_t n_cols);

/* Case-insensitive search for word (a keyword such as "WHEN") as a whole
 * word outside quotes, from text; NULL when absent. */
const char *plan_expr_find_word(const char *text, const char *word);

#endif
