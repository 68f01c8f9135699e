/*
 * expr_tree.h — inside the expression module (expr.h): the tree that the
 * parser builds, the binder types and the evaluator runs, and the few
 * helpers the four files share:
 *
 *   expr_parse.c  lexer and recursive-descent parser: text to tree, and the
 *                 item, aggregate and window-call forms
 *   expr_bind.c   binder: column names resolved, types checked and coerced
 *   expr_eval.c   vectorised evaluator over batches
 *   expr.c        the expression object, item lists and calls: lifetimes
 *                 and accessors
 *
 * Not installed, not for use outside models/expr*.c.
 */
#ifndef STAGECAST_EXPR_TREE_H
#define STAGECAST_EXPR_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/expr.h"

/* A node whose type is that of a bare NULL, until binding gives it one. */
#define TY_NULL (-1)

/* The lexer's token kinds; an arithmetic or comparison node's op is one. */
enum tok_kind {
    TK_END,
    TK_INT,
    TK_DEC,
    TK_STR,
    TK_IDENT,
    TK_QIDENT,
    TK_LP,
    TK_RP,
    TK_COMMA,
    TK_PLUS,
    TK_MINUS,
    TK_STAR,
    TK_SLASH,
    TK_PCT,
    TK_EQ,
    TK_NE,
    TK_LT,
    TK_LE,
    TK_GT,
    TK_GE
};

/* What a tree node computes. */
enum node_kind {
    N_LIT,
    N_COL,
    N_NEG,
    N_ARITH,
    N_CMP,
    N_AND,
    N_OR,
    N_NOT,
    N_IN,
    N_ISNULL,
    N_CASE,
    N_FUNC,
    N_CAST
};

enum fn_id {
    F_YEAR,
    F_MONTH,
    F_SUBSTR,
    F_LOWER,
    F_UPPER,
    F_COALESCE,
    F_ABS,
    F_ROUND,
    F_TO_DATE,
    F_DATE_ADD,
    F_DATE_SUB,
    F_DATEDIFF,
    F_DAYOFMONTH,
    F_HOUR,
    F_MINUTE,
    F_SECOND,
    F_TO_TIMESTAMP,
    F_DATE_TRUNC,
    F_TRUNC
};

/* The units date_trunc and trunc cut a date or timestamp down to (a
 * node's ival once bound). */
enum trunc_unit { TU_YEAR, TU_QUARTER, TU_MONTH, TU_WEEK, TU_DAY, TU_HOUR, TU_MINUTE, TU_SECOND };

struct node {
    enum node_kind kind;
    int op;      /* N_ARITH/N_CMP: a TK_*; N_FUNC: an fn_id; N_CAST: 1 when written
                  * as CAST(x AS type) (its target in ival until bound), 0 when
                  * the binder inserted it (its target is its type) */
    bool negate; /* NOT IN, IS NOT NULL */
    int pos;     /* 1-based character position of the naming token */
    int type;    /* a col_type, or TY_NULL */
    struct node **kids;
    size_t n_kids;
    /* N_LIT */
    bool is_null;
    int64_t ival; /* int32, int64, date, timestamp, boolean; N_FUNC round: digits,
                   * date_trunc/trunc: a trunc_unit; N_CAST written: its target */
    double fval;
    char *sval;
    size_t slen;
    uint64_t soff[2]; /* {0, slen}: a string literal as a one-row column */
    /* N_COL */
    char *name;
    int col;
    int slot; /* scratch slot, -1 for leaves */
};

struct expr {
    char *text;
    struct node *root;
    bool bound;
    int n_slots;
    char **refs; /* distinct column names, in order of appearance */
    size_t n_refs;
    int *ref_col; /* after binding: index and type in the schema */
    enum col_type *ref_type;
};

/* expr_parse.c */

/* A node of kind at 1-based character position pos, or NULL (no memory). */
struct node *expr_node_new(enum node_kind kind, int pos);
/* Frees n and its subtree; NULL is fine. */
void expr_node_free(struct node *n);
/* An expression owning root (freed on failure), named by text[at, end).
 * NULL with d filled when memory runs out. */
struct expr *expr_wrap(const char *text, size_t at, size_t end, struct node *root, struct diag *d);

/* expr_bind.c */

/* Whether type t (a col_type or TY_NULL) is a number. */
bool expr_type_is_num(int t);
/* t's name for messages ("int64", "NULL"). */
const char *expr_type_label(int t);

#endif
