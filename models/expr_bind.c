/*
 * expr_bind.c — binding a parsed expression to a batch's columns: each
 * column name resolved (a near miss suggested), each operator's operands
 * checked and coerced to one type by Spark's rules (int32 < int64 < double;
 * a bare NULL takes the type it meets; 'YYYY-MM-DD' strings meet dates),
 * and a scratch slot numbered for every node the evaluator computes.
 */
#include "models/expr_tree.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "models/civil.h"
#include "models/textdist.h"

static const char *const fn_names[] = {
    [F_YEAR] = "year",
    [F_MONTH] = "month",
    [F_SUBSTR] = "substr",
    [F_LOWER] = "lower",
    [F_UPPER] = "upper",
    [F_COALESCE] = "coalesce",
    [F_ABS] = "abs",
    [F_ROUND] = "round",
    [F_TO_DATE] = "to_date",
    [F_DATE_ADD] = "date_add",
    [F_DATE_SUB] = "date_sub",
    [F_DATEDIFF] = "datediff",
    [F_DAYOFMONTH] = "dayofmonth",
    [F_HOUR] = "hour",
    [F_MINUTE] = "minute",
    [F_SECOND] = "second",
    [F_TO_TIMESTAMP] = "to_timestamp",
    [F_DATE_TRUNC] = "date_trunc",
    [F_TRUNC] = "trunc",
};

/* ====================================================================== */
/* Binding: names and types                                               */
/* ====================================================================== */

struct binder {
    const struct batch *schema;
    struct diag *d;
};

bool expr_type_is_num(int t)
{
    return t == COL_INT32 || t == COL_INT64 || t == COL_DOUBLE;
}

static bool is_int(int t)
{
    return t == COL_INT32 || t == COL_INT64;
}

const char *expr_type_label(int t)
{
    return t == TY_NULL ? "NULL" : col_type_name((enum col_type)t);
}

static int wider(int a, int b)
{
    if (a == COL_DOUBLE || b == COL_DOUBLE)
        return COL_DOUBLE;
    if (a == COL_INT64 || b == COL_INT64)
        return COL_INT64;
    return COL_INT32;
}

static const char *op_symbol(int op)
{
    switch (op) {
    case TK_PLUS: return "+";
    case TK_MINUS: return "-";
    case TK_STAR: return "*";
    case TK_SLASH: return "/";
    case TK_PCT: return "%";
    case TK_EQ: return "=";
    case TK_NE: return "!=";
    case TK_LT: return "<";
    case TK_LE: return "<=";
    case TK_GT: return ">";
    case TK_GE: return ">=";
    default: return "?";
    }
}

static int bind_fail(struct binder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bind_fail(struct binder *b, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_set(b->d, SC_EINPUT, NULL, 0, "%s", msg);
    return -1;
}

/* Wraps *np in a cast node to type t, which the evaluator computes row by
 * row (a string that is not a date becomes NULL, as Spark's cast does with
 * ANSI mode off). */
static int wrap_cast(struct binder *b, struct node **np, int t)
{
    struct node *n = *np;
    struct node *c = expr_node_new(N_CAST, n->pos);
    struct node **k = malloc(sizeof *k);
    if (!c || !k) {
        free(c);
        free(k);
        diag_set(b->d, SC_ENOMEM, NULL, 0, "out of memory");
        return -1;
    }
    k[0] = n;
    c->kids = k;
    c->n_kids = 1;
    c->type = t;
    *np = c;
    return 0;
}

/* Makes *np a value of type t: a NULL literal takes the type, an integer
 * becomes a double (a literal in place, else through a cast node), a
 * string becomes a date or a timestamp and a date a timestamp (its
 * midnight), as Spark coerces them: literals in place, so that a literal
 * that is not a date is an error here rather than a NULL that matches
 * nothing; columns through a cast node. int32 needs nothing to be read as
 * int64: both are stored as int64_t. */
static int coerce(struct binder *b, struct node **np, int t)
{
    struct node *n = *np;
    if (n->type == t || t == TY_NULL)
        return 0;
    if (n->type == TY_NULL) {
        n->type = t;
        return 0;
    }
    if (is_int(n->type) && is_int(t))
        return 0;
    bool lit = n->kind == N_LIT;
    if (is_int(n->type) && t == COL_DOUBLE) {
        if (lit) {
            n->fval = (double)n->ival;
            n->type = COL_DOUBLE;
            return 0;
        }
        return wrap_cast(b, np, t);
    }
    if (n->type == COL_STRING && t == COL_DATE) {
        if (!lit)
            return wrap_cast(b, np, t);
        if (!civil_cast_date(n->sval, n->slen, &n->ival))
            return bind_fail(b, "'%s' at position %d is not a date; write dates as 'YYYY-MM-DD'",
                             n->sval, n->pos);
        n->type = COL_DATE;
        return 0;
    }
    if (n->type == COL_STRING && t == COL_TIMESTAMP) {
        if (!lit)
            return wrap_cast(b, np, t);
        if (!civil_cast_timestamp(n->sval, n->slen, &n->ival))
            return bind_fail(b,
                             "'%s' at position %d is not a timestamp; write timestamps as "
                             "'YYYY-MM-DD HH:MM:SS' (UTC)",
                             n->sval, n->pos);
        n->type = COL_TIMESTAMP;
        return 0;
    }
    if (n->type == COL_DATE && t == COL_TIMESTAMP) {
        if (!lit)
            return wrap_cast(b, np, t);
        if (!civil_micros_from_days(n->ival, &n->ival))
            return bind_fail(b,
                             "the date at position %d is after the last timestamp "
                             "(294247-01-10): it cannot be compared with one",
                             n->pos);
        n->type = COL_TIMESTAMP;
        return 0;
    }
    if (n->type == COL_TIMESTAMP && t == COL_DATE)
        return wrap_cast(b, np, t);
    return bind_fail(b, "internal: cannot convert %s to %s at position %d",
                     expr_type_label(n->type), expr_type_label(t), n->pos);
}

/* Gives the values *v[0..n) one common type (the widest number; or, as
 * Spark's comparison coercion does, a timestamp when one is, else a date
 * when one is, strings and dates cast to it), returning it, TY_NULL when
 * all are NULL, or -2 after an error naming what (an operator, IN,
 * CASE...) at position pos. */
static int unify(struct binder *b, struct node **v[], size_t n, const char *what, int pos)
{
    int when = TY_NULL; /* the date or time type strings and dates meet */
    for (size_t i = 0; i < n; i++) {
        int kt = (*v[i])->type;
        if (kt == COL_TIMESTAMP || (kt == COL_DATE && when == TY_NULL))
            when = kt;
    }
    int t = TY_NULL;
    size_t first = 0;
    for (size_t i = 0; i < n; i++) {
        const struct node *k = *v[i];
        int kt = k->type;
        if (kt == TY_NULL)
            continue;
        if (when != TY_NULL && (kt == COL_STRING || kt == COL_DATE))
            kt = when;
        if (t == TY_NULL) {
            t = kt;
            first = i;
        } else if (t != kt) {
            if (expr_type_is_num(t) && expr_type_is_num(kt)) {
                t = wider(t, kt);
            } else {
                bind_fail(b, "%s at position %d cannot %s %s (position %d) with %s (position %d)",
                          what, pos, what[0] == '\'' ? "compare" : "mix",
                          expr_type_label((*v[first])->type), (*v[first])->pos,
                          expr_type_label(k->type), k->pos);
                return -2;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (coerce(b, v[i], t) != 0)
            return -2;
    return t;
}

static int unknown_column(struct binder *b, const struct node *n)
{
    const struct batch *s = b->schema;
    /* Levenshtein over case-folded names: a difference of case alone is
     * distance 0, which the message below points out. */
    size_t best = TEXTDIST_FAR, best_i = 0;
    for (size_t i = 0; i < s->n_cols; i++) {
        size_t dist = textdist_levenshtein(n->name, s->names[i]);
        if (dist < best) {
            best = dist;
            best_i = i;
        }
    }
    size_t len = strlen(n->name);
    if (best != TEXTDIST_FAR && best <= (len < 6 ? 2 : len / 3))
        return bind_fail(b, "unknown column '%s' at position %d; did you mean '%s'?%s", n->name,
                         n->pos, s->names[best_i],
                         best == 0 ? " (column names are case-sensitive)" : "");
    char list[300] = "";
    size_t used = 0;
    for (size_t i = 0; i < s->n_cols && used < sizeof list - 40; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", s->names[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    if (used >= sizeof list - 40)
        snprintf(list + sizeof list - 40, 40, ", ...");
    return bind_fail(b, "unknown column '%s' at position %d; the columns are %s", n->name, n->pos,
                     s->n_cols ? list : "(none)");
}

static int bind_node(struct binder *b, struct node **np);

static int bind_kids(struct binder *b, struct node *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        if (bind_node(b, &n->kids[i]) != 0)
            return -1;
    return 0;
}

/* Requires operand k of an operator to be boolean (a NULL becomes one). */
static int want_boolean(struct binder *b, struct node **k, const char *what, int pos,
                        const char *which)
{
    if ((*k)->type == TY_NULL)
        (*k)->type = COL_BOOLEAN;
    if ((*k)->type != COL_BOOLEAN)
        return bind_fail(b, "%s at position %d needs a boolean %s, found %s (position %d)", what,
                         pos, which, expr_type_label((*k)->type), (*k)->pos);
    return 0;
}

static int want_type(struct binder *b, struct node **k, int t, const char *fn, int pos,
                     const char *which)
{
    if ((*k)->type == TY_NULL || ((*k)->kind == N_LIT && (*k)->type == COL_STRING && t == COL_DATE))
        return coerce(b, k, t);
    if (t == COL_DATE || t == COL_TIMESTAMP) {
        /* Spark casts a string, date or timestamp argument of a date or
         * time function to the type it takes (year(ts), date_add(ts, 1),
         * hour(d)); a string that is no date gives NULL. */
        int kt = (*k)->type;
        if (kt == t)
            return 0;
        if (kt == COL_STRING || kt == COL_DATE || kt == COL_TIMESTAMP)
            return coerce(b, k, t);
        return bind_fail(b,
                         "%s() at position %d needs a date or timestamp as its %s argument, "
                         "found %s (position %d)",
                         fn, pos, which, expr_type_label(kt), (*k)->pos);
    }
    if ((*k)->type == t || (is_int(t) && is_int((*k)->type)))
        return 0;
    return bind_fail(b, "%s() at position %d needs %s as its %s argument, found %s (position %d)",
                     fn, pos,
                     t == COL_DATE     ? "a date"
                     : t == COL_STRING ? "a string"
                                       : "an integer",
                     which, expr_type_label((*k)->type), (*k)->pos);
}

static int bind_func(struct binder *b, struct node *n)
{
    const char *fn = fn_names[n->op];
    switch ((enum fn_id)n->op) {
    case F_YEAR:
    case F_MONTH:
    case F_DAYOFMONTH:
        /* Of a timestamp: of its day in UTC (the cast to a date). */
        if (want_type(b, &n->kids[0], COL_DATE, fn, n->pos, "first") != 0)
            return -1;
        n->type = COL_INT32;
        return 0;
    case F_HOUR:
    case F_MINUTE:
    case F_SECOND:
        if (want_type(b, &n->kids[0], COL_TIMESTAMP, fn, n->pos, "first") != 0)
            return -1;
        n->type = COL_INT32;
        return 0;
    case F_TO_DATE:
    case F_TO_TIMESTAMP:
        /* to_date(x) and to_timestamp(x) without a format are Spark's
         * casts: a string literal is read here (an error if it is no date),
         * a string column row by row (NULL where it is none), a timestamp
         * cut to its day, a date taken at midnight. */
        n->type = n->op == F_TO_DATE ? COL_DATE : COL_TIMESTAMP;
        return want_type(b, &n->kids[0], n->type, fn, n->pos, "first");
    case F_DATE_TRUNC:
    case F_TRUNC: {
        /* date_trunc(unit, ts) gives a timestamp, trunc(d, unit) a date;
         * the unit is a literal, so it is read once, here. */
        bool dt = n->op == F_DATE_TRUNC;
        struct node *u = n->kids[dt ? 0 : 1];
        if (u->kind != N_LIT || u->type != COL_STRING)
            return bind_fail(b,
                             "%s() at position %d needs its unit as a string literal such as "
                             "'month' (position %d)",
                             fn, n->pos, u->pos);
        static const struct {
            const char *name;
            enum trunc_unit unit;
            bool date_ok;
        } units[] = {
            {"year", TU_YEAR, true},       {"yyyy", TU_YEAR, true},   {"yy", TU_YEAR, true},
            {"quarter", TU_QUARTER, true}, {"month", TU_MONTH, true}, {"mon", TU_MONTH, true},
            {"mm", TU_MONTH, true},        {"week", TU_WEEK, true},   {"day", TU_DAY, false},
            {"dd", TU_DAY, false},         {"hour", TU_HOUR, false},  {"minute", TU_MINUTE, false},
            {"second", TU_SECOND, false}};
        int found = -1;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (strcasecmp(u->sval, units[i].name) == 0 && (dt || units[i].date_ok))
                found = (int)i;
        if (found < 0)
            return bind_fail(b,
                             "%s() at position %d: unknown unit '%s' (position %d); the units "
                             "are %s",
                             fn, n->pos, u->sval, u->pos,
                             dt ? "year, quarter, month, week, day, hour, minute, second"
                                : "year, quarter, month, week");
        n->ival = units[found].unit;
        n->type = dt ? COL_TIMESTAMP : COL_DATE;
        return want_type(b, &n->kids[dt ? 1 : 0], n->type, fn, n->pos, dt ? "second" : "first");
    }
    case F_DATE_ADD:
    case F_DATE_SUB:
        /* date_add(start, days), date_sub(start, days): a date. */
        if (want_type(b, &n->kids[0], COL_DATE, fn, n->pos, "first") != 0 ||
            want_type(b, &n->kids[1], COL_INT32, fn, n->pos, "second") != 0)
            return -1;
        n->type = COL_DATE;
        return 0;
    case F_DATEDIFF:
        /* datediff(end, start): days from start to end. */
        if (want_type(b, &n->kids[0], COL_DATE, fn, n->pos, "first") != 0 ||
            want_type(b, &n->kids[1], COL_DATE, fn, n->pos, "second") != 0)
            return -1;
        n->type = COL_INT32;
        return 0;
    case F_SUBSTR:
        if (want_type(b, &n->kids[0], COL_STRING, fn, n->pos, "first") != 0 ||
            want_type(b, &n->kids[1], COL_INT32, fn, n->pos, "second") != 0 ||
            (n->n_kids > 2 && want_type(b, &n->kids[2], COL_INT32, fn, n->pos, "third") != 0))
            return -1;
        n->type = COL_STRING;
        return 0;
    case F_LOWER:
    case F_UPPER:
        if (want_type(b, &n->kids[0], COL_STRING, fn, n->pos, "first") != 0)
            return -1;
        n->type = COL_STRING;
        return 0;
    case F_COALESCE: {
        struct node **v[256];
        for (size_t i = 0; i < n->n_kids; i++)
            v[i] = &n->kids[i];
        int t = unify(b, v, n->n_kids, "coalesce()", n->pos);
        if (t == -2)
            return -1;
        if (t == TY_NULL)
            t = COL_BOOLEAN;
        for (size_t i = 0; i < n->n_kids; i++)
            coerce(b, &n->kids[i], t);
        n->type = t;
        return 0;
    }
    case F_ABS:
    case F_ROUND: {
        struct node **x = &n->kids[0];
        if ((*x)->type == TY_NULL)
            (*x)->type = COL_INT32;
        if (!expr_type_is_num((*x)->type))
            return bind_fail(b, "%s() at position %d needs a number, found %s (position %d)", fn,
                             n->pos, expr_type_label((*x)->type), (*x)->pos);
        n->type = (*x)->type;
        if (n->op == F_ROUND && n->n_kids > 1) {
            const struct node *dg = n->kids[1];
            if (dg->kind != N_LIT || !is_int(dg->type))
                return bind_fail(b,
                                 "round() at position %d needs an integer literal as its number "
                                 "of decimals (position %d)",
                                 n->pos, dg->pos);
            n->ival = dg->ival;
        }
        return 0;
    }
    }
    return bind_fail(b, "internal: unknown function at position %d", n->pos);
}

/* CAST(x AS t), written: what Spark casts (ANSI mode off) between these
 * types, refusing the casts it refuses and the two it allows but that only
 * ever give NULL (a date to a number) or Java's number text (a double to a
 * string, not reproduced here). */
static int bind_cast(struct binder *b, struct node *n)
{
    int t = (int)n->ival, k = n->kids[0]->type;
    n->type = t;
    if (k == TY_NULL) {
        n->kids[0]->type = t;
        return 0;
    }
    bool ok;
    switch ((enum col_type)t) {
    case COL_DATE: ok = k == COL_STRING || k == COL_DATE || k == COL_TIMESTAMP; break;
    case COL_TIMESTAMP: ok = k != COL_BOOLEAN; break;
    case COL_INT32:
    case COL_INT64:
    case COL_DOUBLE:
    case COL_BOOLEAN: ok = k != COL_DATE; break;
    case COL_STRING: ok = k != COL_DOUBLE; break;
    default: ok = false; break;
    }
    if (!ok)
        return bind_fail(b, "CAST at position %d cannot make %s (position %d) a %s%s", n->pos,
                         expr_type_label(k), n->kids[0]->pos, expr_type_label(t),
                         k == COL_DATE ? " (a date's day number: datediff(d, DATE '1970-01-01'))"
                                       : "");
    return 0;
}

static int bind_node(struct binder *b, struct node **np)
{
    struct node *n = *np;
    if (n->kind != N_COL && n->kind != N_LIT && bind_kids(b, n) != 0)
        return -1;
    switch (n->kind) {
    case N_LIT: return 0;
    case N_CAST: return n->op == 1 ? bind_cast(b, n) : 0;
    case N_COL: {
        int i = batch_find(b->schema, n->name);
        if (i < 0)
            return unknown_column(b, n);
        n->col = i;
        n->type = (int)b->schema->cols[i].type;
        return 0;
    }
    case N_NEG: {
        struct node *k = n->kids[0];
        if (k->type == TY_NULL)
            k->type = COL_INT32;
        if (!expr_type_is_num(k->type))
            return bind_fail(b, "'-' at position %d needs a number, found %s (position %d)", n->pos,
                             expr_type_label(k->type), k->pos);
        n->type = k->type;
        return 0;
    }
    case N_ARITH: {
        struct node **l = &n->kids[0], **r = &n->kids[1];
        if ((*l)->type == TY_NULL)
            (*l)->type = expr_type_is_num((*r)->type) ? (*r)->type : COL_INT32;
        if ((*r)->type == TY_NULL)
            (*r)->type = expr_type_is_num((*l)->type) ? (*l)->type : COL_INT32;
        for (int side = 0; side < 2; side++) {
            const struct node *k = n->kids[side];
            if (!expr_type_is_num(k->type))
                return bind_fail(b,
                                 "'%s' at position %d needs numbers; its %s operand is %s "
                                 "(position %d)",
                                 op_symbol(n->op), n->pos, side ? "right" : "left",
                                 expr_type_label(k->type), k->pos);
        }
        int t = n->op == TK_SLASH ? COL_DOUBLE : wider((*l)->type, (*r)->type);
        if (coerce(b, l, t) != 0 || coerce(b, r, t) != 0)
            return -1;
        n->type = t;
        return 0;
    }
    case N_CMP: {
        char what[32];
        snprintf(what, sizeof what, "'%s'", op_symbol(n->op));
        struct node **v[2] = {&n->kids[0], &n->kids[1]};
        int t = unify(b, v, 2, what, n->pos);
        if (t == -2)
            return -1;
        if (t == TY_NULL) {
            n->kids[0]->type = n->kids[1]->type = COL_BOOLEAN;
        }
        n->type = COL_BOOLEAN;
        return 0;
    }
    case N_AND:
    case N_OR: {
        const char *what = n->kind == N_AND ? "AND" : "OR";
        if (want_boolean(b, &n->kids[0], what, n->pos, "left operand") != 0 ||
            want_boolean(b, &n->kids[1], what, n->pos, "right operand") != 0)
            return -1;
        n->type = COL_BOOLEAN;
        return 0;
    }
    case N_NOT:
        if (want_boolean(b, &n->kids[0], "NOT", n->pos, "operand") != 0)
            return -1;
        n->type = COL_BOOLEAN;
        return 0;
    case N_IN: {
        struct node **v[256];
        if (n->n_kids > 256)
            return bind_fail(b, "IN at position %d lists more than 255 values", n->pos);
        for (size_t i = 0; i < n->n_kids; i++)
            v[i] = &n->kids[i];
        int t = unify(b, v, n->n_kids, "IN", n->pos);
        if (t == -2)
            return -1;
        if (t == TY_NULL)
            for (size_t i = 0; i < n->n_kids; i++)
                n->kids[i]->type = COL_BOOLEAN;
        n->type = COL_BOOLEAN;
        return 0;
    }
    case N_ISNULL:
        if (n->kids[0]->type == TY_NULL)
            n->kids[0]->type = COL_BOOLEAN;
        n->type = COL_BOOLEAN;
        return 0;
    case N_CASE: {
        size_t nw = (n->n_kids - 1) / 2;
        if (nw + 1 > 256)
            return bind_fail(b, "CASE at position %d has more than 255 branches", n->pos);
        struct node **v[256];
        for (size_t w = 0; w < nw; w++) {
            if (want_boolean(b, &n->kids[2 * w], "WHEN", n->kids[2 * w]->pos, "condition") != 0)
                return -1;
            v[w] = &n->kids[2 * w + 1];
        }
        v[nw] = &n->kids[n->n_kids - 1];
        int t = unify(b, v, nw + 1, "CASE", n->pos);
        if (t == -2)
            return -1;
        if (t == TY_NULL) {
            t = COL_BOOLEAN;
            for (size_t i = 0; i <= nw; i++)
                (*v[i])->type = t;
        }
        n->type = t;
        return 0;
    }
    case N_FUNC: return bind_func(b, n);
    }
    return bind_fail(b, "internal: unknown node at position %d", n->pos);
}

static void number_slots(struct node *n, int *next)
{
    for (size_t i = 0; i < n->n_kids; i++)
        number_slots(n->kids[i], next);
    if (n->kind != N_LIT && n->kind != N_COL)
        n->slot = (*next)++;
}

enum sc_status expr_bind(struct expr *e, const struct batch *schema, struct diag *d)
{
    if (e->bound)
        return diag_set(d, SC_EINTERNAL, NULL, 0, "expression '%s' is already bound", e->text);
    struct binder b = {schema, d};
    if (bind_node(&b, &e->root) != 0)
        return d && d->status != SC_OK ? d->status : SC_EINPUT;
    if (e->root->type == TY_NULL)
        e->root->type = COL_BOOLEAN;
    e->ref_col = malloc((e->n_refs ? e->n_refs : 1) * sizeof *e->ref_col);
    e->ref_type = malloc((e->n_refs ? e->n_refs : 1) * sizeof *e->ref_type);
    if (!e->ref_col || !e->ref_type)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < e->n_refs; i++) {
        e->ref_col[i] = batch_find(schema, e->refs[i]);
        e->ref_type[i] = schema->cols[e->ref_col[i]].type;
    }
    int next = 0;
    number_slots(e->root, &next);
    e->n_slots = next;
    e->bound = true;
    return SC_OK;
}

struct expr *expr_compile(const char *text, const struct batch *schema, struct diag *d)
{
    struct expr *e = expr_parse(text, d);
    if (e && expr_bind(e, schema, d) != SC_OK) {
        expr_free(e);
        return NULL;
    }
    return e;
}
