/*
 * expr_parse.c — expression text to tree (expr_tree.h): a lexer, then a
 * recursive-descent parser with one function per precedence level (OR,
 * AND, NOT, predicates, + -, * / %, unary, primaries), and the forms built
 * on it: "expr AS alias" items and aggregate / window calls. Errors name
 * the 1-based character position of the token at fault.
 */
#include "models/civil.h"
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

/* Parenthesised or nested operands deeper than this are refused, so a
 * hostile expression cannot exhaust the stack. */
enum { EXPR_MAX_DEPTH = 256 };

struct token {
    enum tok_kind kind;
    size_t at, len; /* byte offset and length in the text */
    int pos;        /* 1-based character position of at, for messages */
};

static const struct fn_def {
    const char *name;
    enum fn_id id;
    size_t min_args, max_args;
} fn_defs[] = {
    {"year", F_YEAR, 1, 1},
    {"month", F_MONTH, 1, 1},
    {"substr", F_SUBSTR, 2, 3},
    {"substring", F_SUBSTR, 2, 3},
    {"lower", F_LOWER, 1, 1},
    {"upper", F_UPPER, 1, 1},
    {"coalesce", F_COALESCE, 1, 255},
    {"abs", F_ABS, 1, 1},
    {"round", F_ROUND, 1, 2},
    {"to_date", F_TO_DATE, 1, 1},
    {"date_add", F_DATE_ADD, 2, 2},
    {"date_sub", F_DATE_SUB, 2, 2},
    {"datediff", F_DATEDIFF, 2, 2},
    {"dayofmonth", F_DAYOFMONTH, 1, 1},
    {"day", F_DAYOFMONTH, 1, 1},
    {"hour", F_HOUR, 1, 1},
    {"minute", F_MINUTE, 1, 1},
    {"second", F_SECOND, 1, 1},
    {"to_timestamp", F_TO_TIMESTAMP, 1, 1},
    {"date_trunc", F_DATE_TRUNC, 2, 2},
    {"trunc", F_TRUNC, 2, 2},
};

/* CAST's type names, as Spark spells them (any case). */
static const struct cast_type {
    const char *name;
    enum col_type type;
} cast_types[] = {
    {"int", COL_INT32},  {"integer", COL_INT32},       {"bigint", COL_INT64},
    {"long", COL_INT64}, {"double", COL_DOUBLE},       {"string", COL_STRING},
    {"date", COL_DATE},  {"timestamp", COL_TIMESTAMP}, {"boolean", COL_BOOLEAN},
};

static const char *const keywords[] = {"AND",  "OR",   "NOT",   "IN",       "BETWEEN", "IS",
                                       "NULL", "TRUE", "FALSE", "CASE",     "WHEN",    "THEN",
                                       "ELSE", "END",  "AS",    "DISTINCT", NULL};

struct parser {
    const char *text; /* the whole text positions are counted in */
    struct token *toks;
    size_t n, i;
    int depth;
    struct diag *d;
};

/* 1-based character position of byte offset at: UTF-8 continuation bytes
 * do not start a character. */
static int char_pos(const char *text, size_t at)
{
    int pos = 1;
    for (size_t i = 0; i < at && text[i]; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            pos++;
    return pos;
}

static bool is_ident_start(int c)
{
    return isalpha(c) || c == '_';
}

static bool is_ident_char(int c)
{
    return isalnum(c) || c == '_';
}

static enum sc_status lex(const char *text, struct token **out, size_t *n_out, struct diag *d)
{
    size_t cap = 16, n = 0, i = 0, len = strlen(text);
    /* Character positions counted as the lexer goes, once: counting from
     * the start for every token made parsing quadratic in the text. */
    size_t counted = 0;
    int pos = 1;
    struct token *t = malloc(cap * sizeof *t);
    if (!t)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (;;) {
        while (i < len && isspace((unsigned char)text[i]))
            i++;
        if (n + 1 >= cap) {
            struct token *nt = realloc(t, 2 * cap * sizeof *t);
            if (!nt) {
                free(t);
                return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
            }
            t = nt;
            cap *= 2;
        }
        struct token *k = &t[n];
        k->at = i;
        for (; counted < i; counted++)
            if (((unsigned char)text[counted] & 0xC0) != 0x80)
                pos++;
        k->pos = pos;
        if (i >= len) {
            k->kind = TK_END;
            k->len = 0;
            n++;
            break;
        }
        unsigned char c = (unsigned char)text[i];
        size_t j = i + 1;
        if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char)text[i + 1]))) {
            k->kind = TK_INT;
            j = i;
            while (j < len && isdigit((unsigned char)text[j]))
                j++;
            if (j < len && text[j] == '.') {
                k->kind = TK_DEC;
                j++;
                while (j < len && isdigit((unsigned char)text[j]))
                    j++;
            }
            if (j < len && (text[j] == 'e' || text[j] == 'E')) {
                size_t e = j + 1;
                if (e < len && (text[e] == '+' || text[e] == '-'))
                    e++;
                if (e < len && isdigit((unsigned char)text[e])) {
                    k->kind = TK_DEC;
                    j = e;
                    while (j < len && isdigit((unsigned char)text[j]))
                        j++;
                }
            }
            if (j < len && (is_ident_char((unsigned char)text[j]) || text[j] == '.')) {
                free(t);
                return diag_set(d, SC_EINPUT, NULL, 0, "malformed number at position %d",
                                char_pos(text, i));
            }
        } else if (is_ident_start(c)) {
            k->kind = TK_IDENT;
            while (j < len && is_ident_char((unsigned char)text[j]))
                j++;
        } else if (c == '\'' || c == '"' || c == '`') {
            /* Strings and back-quoted names: a doubled quote stands for
             * itself; in strings a backslash escapes the next character. */
            k->kind = c == '`' ? TK_QIDENT : TK_STR;
            for (;;) {
                if (j >= len) {
                    free(t);
                    return diag_set(d, SC_EINPUT, NULL, 0,
                                    "unterminated %s starting at position %d",
                                    c == '`' ? "back-quoted name" : "string", char_pos(text, i));
                }
                if (text[j] == '\\' && c != '`' && j + 1 < len) {
                    j += 2;
                } else if ((unsigned char)text[j] == c) {
                    if (j + 1 < len && (unsigned char)text[j + 1] == c)
                        j += 2;
                    else {
                        j++;
                        break;
                    }
                } else {
                    j++;
                }
            }
        } else {
            switch (c) {
            case '(': k->kind = TK_LP; break;
            case ')': k->kind = TK_RP; break;
            case ',': k->kind = TK_COMMA; break;
            case '+': k->kind = TK_PLUS; break;
            case '-': k->kind = TK_MINUS; break;
            case '*': k->kind = TK_STAR; break;
            case '/': k->kind = TK_SLASH; break;
            case '%': k->kind = TK_PCT; break;
            case '=':
                k->kind = TK_EQ;
                if (i + 1 < len && text[i + 1] == '=')
                    j++;
                break;
            case '!':
                if (i + 1 < len && text[i + 1] == '=') {
                    k->kind = TK_NE;
                    j++;
                    break;
                }
                free(t);
                return diag_set(d, SC_EINPUT, NULL, 0,
                                "unexpected '!' at position %d; use != or NOT", char_pos(text, i));
            case '<':
                k->kind = TK_LT;
                if (i + 1 < len && text[i + 1] == '=') {
                    k->kind = TK_LE;
                    j++;
                } else if (i + 1 < len && text[i + 1] == '>') {
                    k->kind = TK_NE;
                    j++;
                }
                break;
            case '>':
                k->kind = TK_GT;
                if (i + 1 < len && text[i + 1] == '=') {
                    k->kind = TK_GE;
                    j++;
                }
                break;
            default: {
                int cl = (c & 0x80) ? 0 : 1;
                free(t);
                if (cl && isprint(c))
                    return diag_set(d, SC_EINPUT, NULL, 0,
                                    "unexpected character '%c' at position %d", c,
                                    char_pos(text, i));
                return diag_set(d, SC_EINPUT, NULL, 0, "unexpected character at position %d",
                                char_pos(text, i));
            }
            }
        }
        k->len = j - i;
        i = j;
        n++;
    }
    *out = t;
    *n_out = n;
    return SC_OK;
}

/* ====================================================================== */
/* Nodes                                                                  */
/* ====================================================================== */

void expr_node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        expr_node_free(n->kids[i]);
    free(n->kids);
    free(n->sval);
    free(n->name);
    free(n);
}

struct node *expr_node_new(enum node_kind kind, int pos)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->kind = kind;
    n->pos = pos;
    n->type = TY_NULL;
    n->col = -1;
    n->slot = -1;
    return n;
}

/* Appends kid to n; on failure frees kid and returns -1. */
static int node_add(struct node *n, struct node *kid)
{
    struct node **k = realloc(n->kids, (n->n_kids + 1) * sizeof *k);
    if (!k) {
        expr_node_free(kid);
        return -1;
    }
    n->kids = k;
    n->kids[n->n_kids++] = kid;
    return 0;
}

static struct node *node_copy(const struct node *src)
{
    struct node *n = expr_node_new(src->kind, src->pos);
    if (!n)
        return NULL;
    *n = *src;
    n->kids = NULL;
    n->n_kids = 0;
    n->sval = NULL;
    n->name = NULL;
    if ((src->sval && !(n->sval = malloc(src->slen + 1))) ||
        (src->name && !(n->name = strdup(src->name)))) {
        expr_node_free(n);
        return NULL;
    }
    if (src->sval)
        memcpy(n->sval, src->sval, src->slen + 1);
    for (size_t i = 0; i < src->n_kids; i++) {
        struct node *k = node_copy(src->kids[i]);
        if (!k || node_add(n, k) != 0) {
            expr_node_free(n);
            return NULL;
        }
    }
    return n;
}

/* ====================================================================== */
/* Parser                                                                 */
/* ====================================================================== */

static const struct token *peek(const struct parser *p)
{
    return &p->toks[p->i];
}

static const struct token *peek2(const struct parser *p)
{
    return p->i + 1 < p->n ? &p->toks[p->i + 1] : &p->toks[p->n - 1];
}

static int tok_pos(const struct parser *p, const struct token *t)
{
    (void)p;
    return t->pos;
}

static bool tok_is(const struct parser *p, const struct token *t, const char *kw)
{
    return t->kind == TK_IDENT && strlen(kw) == t->len &&
           strncasecmp(p->text + t->at, kw, t->len) == 0;
}

static bool tok_is_keyword(const struct parser *p, const struct token *t)
{
    for (size_t i = 0; keywords[i]; i++)
        if (tok_is(p, t, keywords[i]))
            return true;
    return false;
}

static bool accept_kw(struct parser *p, const char *kw)
{
    if (tok_is(p, peek(p), kw)) {
        p->i++;
        return true;
    }
    return false;
}

/* A short description of a token for messages: 'AND', ')', end of
 * expression. */
static const char *tok_desc(const struct parser *p, const struct token *t, char *buf, size_t size)
{
    if (t->kind == TK_END)
        return "the end of the expression";
    int len = t->len > 40 ? 40 : (int)t->len;
    snprintf(buf, size, "'%.*s%s'", len, p->text + t->at, t->len > 40 ? "..." : "");
    return buf;
}

static struct node *fail_at(struct parser *p, const struct token *t, const char *expected)
{
    char buf[64];
    diag_set(p->d, SC_EINPUT, NULL, 0, "expected %s at position %d, found %s", expected,
             tok_pos(p, t), tok_desc(p, t, buf, sizeof buf));
    return NULL;
}

static struct node *oom(struct parser *p)
{
    diag_set(p->d, SC_ENOMEM, NULL, 0, "out of memory");
    return NULL;
}

static bool expect(struct parser *p, enum tok_kind kind, const char *what)
{
    if (peek(p)->kind == kind) {
        p->i++;
        return true;
    }
    fail_at(p, peek(p), what);
    return false;
}

/* The text between the quotes of a string or back-quoted token, with its
 * escapes resolved. */
static char *unquote(const struct parser *p, const struct token *t, size_t *len_out)
{
    const char *s = p->text + t->at;
    char q = s[0];
    char *out = malloc(t->len);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        if (s[i] == '\\' && q != '`' && i + 2 < t->len) {
            char c = s[++i];
            out[n++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == '0' ? '\0' : c;
        } else if (s[i] == q) {
            out[n++] = q; /* doubled quote */
            i++;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    if (len_out)
        *len_out = n;
    return out;
}

static struct node *parse_or(struct parser *p);
static struct node *parse_add(struct parser *p);

static struct node *make_binary(struct parser *p, enum node_kind kind, int op, int pos,
                                struct node *l, struct node *r)
{
    struct node *n = expr_node_new(kind, pos);
    if (!n) {
        expr_node_free(l);
        expr_node_free(r);
        return oom(p);
    }
    n->op = op;
    if (node_add(n, l) != 0) {
        expr_node_free(r);
        expr_node_free(n);
        return oom(p);
    }
    if (node_add(n, r) != 0) {
        expr_node_free(n);
        return oom(p);
    }
    return n;
}

static struct node *make_literal_null(int pos)
{
    struct node *n = expr_node_new(N_LIT, pos);
    if (n)
        n->is_null = true;
    return n;
}

/* Parses "(a, b, ...)" after a function name or IN, appending to n. */
static int parse_list(struct parser *p, struct node *n)
{
    if (!expect(p, TK_LP, "'('"))
        return -1;
    if (peek(p)->kind == TK_RP) {
        p->i++;
        return 0;
    }
    for (;;) {
        struct node *k = parse_or(p);
        if (!k)
            return -1;
        if (node_add(n, k) != 0) {
            oom(p);
            return -1;
        }
        if (peek(p)->kind == TK_COMMA) {
            p->i++;
            continue;
        }
        if (peek(p)->kind == TK_RP) {
            p->i++;
            return 0;
        }
        fail_at(p, peek(p), "',' or ')'");
        return -1;
    }
}

static struct node *parse_case(struct parser *p, int pos)
{
    struct node *n = expr_node_new(N_CASE, pos);
    struct node *subject = NULL;
    if (!n)
        return oom(p);
    if (!tok_is(p, peek(p), "WHEN")) {
        /* CASE x WHEN a THEN ...: each WHEN compares a copy of x. */
        subject = parse_or(p);
        if (!subject)
            goto fail;
    }
    if (!tok_is(p, peek(p), "WHEN")) {
        fail_at(p, peek(p), "WHEN");
        goto fail;
    }
    while (tok_is(p, peek(p), "WHEN")) {
        int wpos = tok_pos(p, peek(p));
        p->i++;
        struct node *c = parse_or(p);
        if (!c)
            goto fail;
        if (subject) {
            struct node *x = node_copy(subject);
            if (!x) {
                expr_node_free(c);
                oom(p);
                goto fail;
            }
            c = make_binary(p, N_CMP, TK_EQ, wpos, x, c);
            if (!c)
                goto fail;
        }
        if (node_add(n, c) != 0) {
            oom(p);
            goto fail;
        }
        if (!accept_kw(p, "THEN")) {
            fail_at(p, peek(p), "THEN");
            goto fail;
        }
        struct node *v = parse_or(p);
        if (!v || node_add(n, v) != 0) {
            if (v)
                oom(p);
            goto fail;
        }
    }
    struct node *e;
    if (accept_kw(p, "ELSE")) {
        e = parse_or(p);
        if (!e)
            goto fail;
    } else {
        e = make_literal_null(pos);
        if (!e) {
            oom(p);
            goto fail;
        }
    }
    if (node_add(n, e) != 0) {
        oom(p);
        goto fail;
    }
    if (!accept_kw(p, "END")) {
        fail_at(p, peek(p), "WHEN, ELSE or END");
        goto fail;
    }
    expr_node_free(subject);
    return n;
fail:
    expr_node_free(subject);
    expr_node_free(n);
    return NULL;
}

static const char *aggregate_names[] = {"count", "sum",        "avg",  "min",        "max",
                                        "mean",  "row_number", "rank", "dense_rank", NULL};

static struct node *parse_call(struct parser *p, const struct token *name)
{
    int pos = tok_pos(p, name);
    const struct fn_def *fd = NULL;
    for (size_t i = 0; i < sizeof fn_defs / sizeof fn_defs[0]; i++)
        if (strlen(fn_defs[i].name) == name->len &&
            strncasecmp(fn_defs[i].name, p->text + name->at, name->len) == 0)
            fd = &fn_defs[i];
    if (!fd) {
        for (size_t i = 0; aggregate_names[i]; i++)
            if (strlen(aggregate_names[i]) == name->len &&
                strncasecmp(aggregate_names[i], p->text + name->at, name->len) == 0) {
                diag_set(p->d, SC_EINPUT, NULL, 0,
                         "%s() at position %d is an aggregate or window function: it belongs "
                         "in a group_by's aggs or a window's funcs, not in an expression",
                         aggregate_names[i], pos);
                return NULL;
            }
        diag_set(p->d, SC_EINPUT, NULL, 0,
                 "unknown function '%.*s' at position %d; functions are year, month, substr, "
                 "lower, upper, coalesce, abs and round",
                 (int)name->len, p->text + name->at, pos);
        return NULL;
    }
    struct node *n = expr_node_new(N_FUNC, pos);
    if (!n)
        return oom(p);
    n->op = (int)fd->id;
    if (parse_list(p, n) != 0) {
        expr_node_free(n);
        return NULL;
    }
    if (n->n_kids < fd->min_args || n->n_kids > fd->max_args) {
        if (fd->min_args == fd->max_args)
            diag_set(p->d, SC_EINPUT, NULL, 0, "%s() at position %d takes %zu argument%s, not %zu",
                     fd->name, pos, fd->min_args, fd->min_args == 1 ? "" : "s", n->n_kids);
        else
            diag_set(p->d, SC_EINPUT, NULL, 0,
                     "%s() at position %d takes %zu to %zu arguments, not %zu", fd->name, pos,
                     fd->min_args, fd->max_args, n->n_kids);
        expr_node_free(n);
        return NULL;
    }
    return n;
}

/* CAST '(' expr AS type ')', at the CAST token: an N_CAST node whose
 * target the binder checks against its operand. */
static struct node *parse_cast(struct parser *p, int pos)
{
    p->i += 2;
    struct node *k = parse_or(p);
    if (!k)
        return NULL;
    struct node *n = expr_node_new(N_CAST, pos);
    if (!n || node_add(n, k) != 0) {
        if (!n)
            expr_node_free(k);
        expr_node_free(n);
        return oom(p);
    }
    n->op = 1;
    if (!accept_kw(p, "AS")) {
        fail_at(p, peek(p), "AS of CAST");
        expr_node_free(n);
        return NULL;
    }
    const struct token *t = peek(p);
    const struct cast_type *ct = NULL;
    for (size_t i = 0; i < sizeof cast_types / sizeof cast_types[0]; i++)
        if (tok_is(p, t, cast_types[i].name))
            ct = &cast_types[i];
    if (!ct) {
        char buf[64];
        diag_set(p->d, SC_EINPUT, NULL, 0,
                 "CAST at position %d: unknown type %s at position %d; the types are int, "
                 "bigint, double, string, date, timestamp and boolean",
                 pos, tok_desc(p, t, buf, sizeof buf), tok_pos(p, t));
        expr_node_free(n);
        return NULL;
    }
    p->i++;
    n->ival = ct->type;
    if (peek(p)->kind != TK_RP) {
        fail_at(p, peek(p), "')' to close CAST");
        expr_node_free(n);
        return NULL;
    }
    p->i++;
    return n;
}

static void literal_set_int(struct node *n, int64_t v)
{
    n->ival = v;
    n->type = v >= INT32_MIN && v <= INT32_MAX ? COL_INT32 : COL_INT64;
}

/* DATE 'YYYY-MM-DD' (days since 1970-01-01) or TIMESTAMP 'YYYY-MM-DD
 * HH:MM:SS' (microseconds since the epoch, read in UTC as Spark reads it in
 * its session zone): the keyword and its string, at pos. */
static struct node *parse_time_literal(struct parser *p, int pos, enum col_type type)
{
    bool date = type == COL_DATE;
    p->i++;
    const struct token *st = peek(p);
    p->i++;
    size_t len;
    char *text = unquote(p, st, &len);
    if (!text)
        return oom(p);
    int64_t v;
    if (date ? !civil_parse_date(text, &v) : !civil_cast_timestamp(text, len, &v)) {
        diag_set(p->d, SC_EINPUT, NULL, 0, "'%s' at position %d is not a %s; write %s as %s",
                 text, tok_pos(p, st), date ? "date" : "timestamp", date ? "dates" : "timestamps",
                 date ? "DATE 'YYYY-MM-DD'" : "TIMESTAMP 'YYYY-MM-DD HH:MM:SS'");
        free(text);
        return NULL;
    }
    free(text);
    struct node *n = expr_node_new(N_LIT, pos);
    if (!n)
        return oom(p);
    n->type = type;
    n->ival = v;
    return n;
}

static struct node *parse_primary(struct parser *p)
{
    const struct token *t = peek(p);
    int pos = tok_pos(p, t);
    struct node *n;
    switch (t->kind) {
    case TK_INT: {
        p->i++;
        errno = 0;
        char *end;
        unsigned long long v = strtoull(p->text + t->at, &end, 10);
        if (v > (unsigned long long)INT64_MAX || errno == ERANGE) {
            diag_set(p->d, SC_EINPUT, NULL, 0,
                     "integer %.*s at position %d is out of range (at most 9223372036854775807)",
                     (int)t->len, p->text + t->at, pos);
            return NULL;
        }
        if (!(n = expr_node_new(N_LIT, pos)))
            return oom(p);
        literal_set_int(n, (int64_t)v);
        return n;
    }
    case TK_DEC: {
        p->i++;
        if (!(n = expr_node_new(N_LIT, pos)))
            return oom(p);
        n->fval = strtod(p->text + t->at, NULL);
        n->type = COL_DOUBLE;
        return n;
    }
    case TK_STR:
        p->i++;
        if (!(n = expr_node_new(N_LIT, pos)) || !(n->sval = unquote(p, t, &n->slen))) {
            expr_node_free(n);
            return oom(p);
        }
        n->type = COL_STRING;
        n->soff[1] = n->slen;
        return n;
    case TK_QIDENT:
        p->i++;
        if (!(n = expr_node_new(N_COL, pos)) || !(n->name = unquote(p, t, NULL))) {
            expr_node_free(n);
            return oom(p);
        }
        return n;
    case TK_LP: {
        p->i++;
        n = parse_or(p);
        if (!n)
            return NULL;
        if (peek(p)->kind != TK_RP) {
            char buf[64];
            diag_set(p->d, SC_EINPUT, NULL, 0,
                     "expected ')' at position %d to close the '(' at position %d, found %s",
                     tok_pos(p, peek(p)), pos, tok_desc(p, peek(p), buf, sizeof buf));
            expr_node_free(n);
            return NULL;
        }
        p->i++;
        return n;
    }
    case TK_IDENT:
        if (tok_is(p, t, "NULL") || tok_is(p, t, "TRUE") || tok_is(p, t, "FALSE")) {
            p->i++;
            if (!(n = expr_node_new(N_LIT, pos)))
                return oom(p);
            if (tok_is(p, t, "NULL")) {
                n->is_null = true;
            } else {
                n->type = COL_BOOLEAN;
                n->ival = tok_is(p, t, "TRUE");
            }
            return n;
        }
        if (tok_is(p, t, "CASE")) {
            p->i++;
            return parse_case(p, pos);
        }
        if ((tok_is(p, t, "DATE") || tok_is(p, t, "TIMESTAMP")) && peek2(p)->kind == TK_STR)
            return parse_time_literal(p, pos, tok_is(p, t, "DATE") ? COL_DATE : COL_TIMESTAMP);
        if (tok_is(p, t, "CAST") && peek2(p)->kind == TK_LP)
            return parse_cast(p, pos);
        if (peek2(p)->kind == TK_LP && !tok_is_keyword(p, t)) {
            p->i++;
            return parse_call(p, t);
        }
        if (tok_is_keyword(p, t)) {
            char buf[64];
            diag_set(p->d, SC_EINPUT, NULL, 0,
                     "expected an operand at position %d, found the keyword %s (back-quote a "
                     "column of that name: `%.*s`)",
                     pos, tok_desc(p, t, buf, sizeof buf), (int)t->len, p->text + t->at);
            return NULL;
        }
        p->i++;
        if (!(n = expr_node_new(N_COL, pos)) || !(n->name = strndup(p->text + t->at, t->len))) {
            expr_node_free(n);
            return oom(p);
        }
        return n;
    default: return fail_at(p, t, "an operand (a column, a literal, a function or '(')");
    }
}

/* A one-child node of KIND over K; on failure K is freed too. */
static struct node *wrap_unary(struct parser *p, enum node_kind kind, struct node *k, int pos)
{
    struct node *n = expr_node_new(kind, pos);
    if (!n || node_add(n, k) != 0) {
        if (!n)
            expr_node_free(k);
        expr_node_free(n);
        return oom(p);
    }
    return n;
}

static struct node *parse_unary(struct parser *p)
{
    const struct token *t = peek(p);
    if (t->kind != TK_MINUS && t->kind != TK_PLUS)
        return parse_primary(p);
    if (++p->depth > EXPR_MAX_DEPTH) {
        diag_set(p->d, SC_EINPUT, NULL, 0, "expression nested too deeply at position %d",
                 tok_pos(p, t));
        return NULL;
    }
    int pos = tok_pos(p, t);
    bool minus = t->kind == TK_MINUS;
    p->i++;
    struct node *k = parse_unary(p);
    p->depth--;
    if (!k || !minus)
        return k;
    /* Fold a minus into a numeric literal: -5 is a literal (round's digits
     * must be one), and -2147483648 is an int32 as in Spark. */
    if (k->kind == N_LIT && !k->is_null && (k->type == COL_INT32 || k->type == COL_INT64)) {
        literal_set_int(k, -k->ival);
        k->pos = pos;
        return k;
    }
    if (k->kind == N_LIT && k->type == COL_DOUBLE) {
        k->fval = -k->fval;
        k->pos = pos;
        return k;
    }
    return wrap_unary(p, N_NEG, k, pos);
}

/* One more operator in a chain (a + b + c ...): each makes the tree one
 * level deeper, and binding, evaluating and freeing it recurse that deep,
 * so a chain counts toward EXPR_MAX_DEPTH as nesting does (found by
 * fuzzing: 20,000 terms overflowed the stack). The loop undoes its
 * *chained increments when it ends. */
static bool chain_deeper(struct parser *p, const struct token *t, int *chained)
{
    ++*chained;
    if (++p->depth <= EXPR_MAX_DEPTH)
        return true;
    diag_set(p->d, SC_EINPUT, NULL, 0,
             "too many operators in a row at position %d: at most %d; split the expression",
             tok_pos(p, t), EXPR_MAX_DEPTH);
    return false;
}

static struct node *parse_mul(struct parser *p)
{
    struct node *l = parse_unary(p);
    int chained = 0;
    while (l) {
        const struct token *t = peek(p);
        if (t->kind != TK_STAR && t->kind != TK_SLASH && t->kind != TK_PCT)
            break;
        struct node *r = NULL;
        if (chain_deeper(p, t, &chained)) {
            p->i++;
            r = parse_unary(p);
        }
        if (!r) {
            expr_node_free(l);
            l = NULL;
            break;
        }
        l = make_binary(p, N_ARITH, t->kind, tok_pos(p, t), l, r);
    }
    p->depth -= chained;
    return l;
}

static struct node *parse_add(struct parser *p)
{
    struct node *l = parse_mul(p);
    int chained = 0;
    while (l) {
        const struct token *t = peek(p);
        if (t->kind != TK_PLUS && t->kind != TK_MINUS)
            break;
        struct node *r = NULL;
        if (chain_deeper(p, t, &chained)) {
            p->i++;
            r = parse_mul(p);
        }
        if (!r) {
            expr_node_free(l);
            l = NULL;
            break;
        }
        l = make_binary(p, N_ARITH, t->kind, tok_pos(p, t), l, r);
    }
    p->depth -= chained;
    return l;
}

/* additive [comparison additive | [NOT] IN (...) | [NOT] BETWEEN a AND b |
 * IS [NOT] NULL] */
static struct node *parse_pred(struct parser *p)
{
    struct node *l = parse_add(p);
    if (!l)
        return NULL;
    const struct token *t = peek(p);
    int pos = tok_pos(p, t);
    switch (t->kind) {
    case TK_EQ:
    case TK_NE:
    case TK_LT:
    case TK_LE:
    case TK_GT:
    case TK_GE: {
        p->i++;
        struct node *r = parse_add(p);
        if (!r) {
            expr_node_free(l);
            return NULL;
        }
        return make_binary(p, N_CMP, t->kind, pos, l, r);
    }
    default: break;
    }
    bool negate = false;
    if (tok_is(p, t, "NOT") && (tok_is(p, peek2(p), "IN") || tok_is(p, peek2(p), "BETWEEN"))) {
        negate = true;
        p->i++;
        t = peek(p);
    }
    if (tok_is(p, t, "IN")) {
        p->i++;
        struct node *n = expr_node_new(N_IN, pos);
        if (!n || node_add(n, l) != 0) {
            if (!n)
                expr_node_free(l);
            expr_node_free(n);
            return oom(p);
        }
        n->negate = negate;
        if (parse_list(p, n) != 0) {
            expr_node_free(n);
            return NULL;
        }
        if (n->n_kids < 2) {
            diag_set(p->d, SC_EINPUT, NULL, 0, "IN at position %d needs at least one value", pos);
            expr_node_free(n);
            return NULL;
        }
        return n;
    }
    if (tok_is(p, t, "BETWEEN")) {
        /* x BETWEEN a AND b is x >= a AND x <= b, as SQL defines it (and
         * so with its NULL semantics). */
        p->i++;
        struct node *lo = parse_add(p), *hi = NULL, *x2 = NULL;
        if (!lo) {
            expr_node_free(l);
            return NULL;
        }
        if (!accept_kw(p, "AND")) {
            fail_at(p, peek(p), "AND of BETWEEN");
            expr_node_free(l);
            expr_node_free(lo);
            return NULL;
        }
        hi = parse_add(p);
        if (!hi || !(x2 = node_copy(l))) {
            if (hi)
                oom(p);
            expr_node_free(l);
            expr_node_free(lo);
            expr_node_free(hi);
            return NULL;
        }
        struct node *ge = make_binary(p, N_CMP, TK_GE, pos, l, lo);
        if (!ge) {
            expr_node_free(x2);
            expr_node_free(hi);
            return NULL;
        }
        struct node *le = make_binary(p, N_CMP, TK_LE, pos, x2, hi);
        if (!le) {
            expr_node_free(ge);
            return NULL;
        }
        struct node *n = make_binary(p, N_AND, 0, pos, ge, le);
        return n && negate ? wrap_unary(p, N_NOT, n, pos) : n;
    }
    if (negate)
        return l; /* unreachable: NOT was only taken before IN/BETWEEN */
    if (tok_is(p, t, "IS")) {
        p->i++;
        struct node *n = expr_node_new(N_ISNULL, pos);
        if (!n || node_add(n, l) != 0) {
            if (!n)
                expr_node_free(l);
            expr_node_free(n);
            return oom(p);
        }
        n->negate = accept_kw(p, "NOT");
        if (!accept_kw(p, "NULL")) {
            fail_at(p, peek(p), n->negate ? "NULL" : "NULL or NOT NULL");
            expr_node_free(n);
            return NULL;
        }
        return n;
    }
    return l;
}

static struct node *parse_not(struct parser *p)
{
    const struct token *t = peek(p);
    if (!tok_is(p, t, "NOT"))
        return parse_pred(p);
    if (++p->depth > EXPR_MAX_DEPTH) {
        diag_set(p->d, SC_EINPUT, NULL, 0, "expression nested too deeply at position %d",
                 tok_pos(p, t));
        return NULL;
    }
    int pos = tok_pos(p, t);
    p->i++;
    struct node *k = parse_not(p);
    p->depth--;
    return k ? wrap_unary(p, N_NOT, k, pos) : NULL;
}

static struct node *parse_and(struct parser *p)
{
    struct node *l = parse_not(p);
    int chained = 0;
    while (l && tok_is(p, peek(p), "AND")) {
        int pos = tok_pos(p, peek(p));
        struct node *r = NULL;
        if (chain_deeper(p, peek(p), &chained)) {
            p->i++;
            r = parse_not(p);
        }
        if (!r) {
            expr_node_free(l);
            l = NULL;
            break;
        }
        l = make_binary(p, N_AND, 0, pos, l, r);
    }
    p->depth -= chained;
    return l;
}

static struct node *parse_or(struct parser *p)
{
    if (++p->depth > EXPR_MAX_DEPTH) {
        diag_set(p->d, SC_EINPUT, NULL, 0, "expression nested too deeply at position %d",
                 tok_pos(p, peek(p)));
        return NULL;
    }
    struct node *l = parse_and(p);
    int chained = 0;
    while (l && tok_is(p, peek(p), "OR")) {
        int pos = tok_pos(p, peek(p));
        struct node *r = NULL;
        if (chain_deeper(p, peek(p), &chained)) {
            p->i++;
            r = parse_and(p);
        }
        if (!r) {
            expr_node_free(l);
            l = NULL;
            break;
        }
        l = make_binary(p, N_OR, 0, pos, l, r);
    }
    p->depth -= chained + 1;
    return l;
}

/* ====================================================================== */
/* Expressions                                                            */
/* ====================================================================== */

static int collect_refs(struct expr *e, const struct node *n)
{
    if (n->kind == N_COL) {
        size_t i = 0;
        while (i < e->n_refs && strcmp(e->refs[i], n->name) != 0)
            i++;
        if (i == e->n_refs) {
            char **r = realloc(e->refs, (e->n_refs + 1) * sizeof *r);
            if (!r)
                return -1;
            e->refs = r;
            if (!(e->refs[e->n_refs] = strdup(n->name)))
                return -1;
            e->n_refs++;
        }
    }
    for (size_t i = 0; i < n->n_kids; i++)
        if (collect_refs(e, n->kids[i]) != 0)
            return -1;
    return 0;
}

/* Copies text[at, end) with surrounding blanks trimmed. */
static char *trimmed_copy(const char *text, size_t at, size_t end)
{
    while (at < end && isspace((unsigned char)text[at]))
        at++;
    while (end > at && isspace((unsigned char)text[end - 1]))
        end--;
    return strndup(text + at, end - at);
}

/* An expression owning root (freed on failure), named by text[at, end). */
struct expr *expr_wrap(const char *text, size_t at, size_t end, struct node *root, struct diag *d)
{
    struct expr *e = calloc(1, sizeof *e);
    if (!e || !(e->text = trimmed_copy(text, at, end))) {
        free(e);
        expr_node_free(root);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    e->root = root;
    if (collect_refs(e, root) != 0) {
        expr_free(e);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    return e;
}

static enum sc_status parser_start(struct parser *p, const char *text, struct diag *d)
{
    memset(p, 0, sizeof *p);
    p->text = text;
    p->d = d;
    return lex(text, &p->toks, &p->n, d);
}

static void trailing_error(struct parser *p, const char *expected)
{
    char buf[64];
    const struct token *t = peek(p);
    if (t->kind == TK_RP)
        diag_set(p->d, SC_EINPUT, NULL, 0, "unmatched ')' at position %d", tok_pos(p, t));
    else
        diag_set(p->d, SC_EINPUT, NULL, 0, "unexpected %s at position %d; expected %s",
                 tok_desc(p, t, buf, sizeof buf), tok_pos(p, t), expected);
}

struct expr *expr_parse(const char *text, struct diag *d)
{
    struct parser p;
    if (parser_start(&p, text, d) != SC_OK)
        return NULL;
    struct node *root = parse_or(&p);
    if (root && peek(&p)->kind != TK_END) {
        if (tok_is(&p, peek(&p), "AS"))
            diag_set(d, SC_EINPUT, NULL, 0,
                     "an alias (AS at position %d) is not allowed in this expression",
                     tok_pos(&p, peek(&p)));
        else
            trailing_error(&p, "an operator or the end of the expression");
        expr_node_free(root);
        root = NULL;
    }
    free(p.toks);
    return root ? expr_wrap(text, 0, strlen(text), root, d) : NULL;
}

/* ====================================================================== */
/* Named expressions, aggregate and window calls                          */
/* ====================================================================== */

/* After an item's expression: "AS alias" (optional), then the end. */
static int parse_alias(struct parser *p, char **alias)
{
    *alias = NULL;
    if (accept_kw(p, "AS")) {
        const struct token *t = peek(p);
        if (t->kind == TK_QIDENT)
            *alias = unquote(p, t, NULL);
        else if (t->kind == TK_IDENT && !tok_is_keyword(p, t))
            *alias = strndup(p->text + t->at, t->len);
        else {
            fail_at(p, t, "a name after AS");
            return -1;
        }
        if (!*alias) {
            oom(p);
            return -1;
        }
        p->i++;
    }
    if (peek(p)->kind != TK_END) {
        trailing_error(p, *alias ? "the end after the alias" : "an operator, AS alias or the end");
        free(*alias);
        *alias = NULL;
        return -1;
    }
    return 0;
}

enum sc_status expr_item_parse(const char *text, struct expr_item *it, struct diag *d)
{
    struct parser p;
    it->e = NULL;
    it->alias = NULL;
    if (parser_start(&p, text, d) != SC_OK)
        return d ? d->status : SC_EINPUT;
    struct node *root = parse_or(&p);
    size_t end = peek(&p)->at;
    char *alias = NULL;
    if (root && parse_alias(&p, &alias) != 0) {
        expr_node_free(root);
        root = NULL;
    }
    free(p.toks);
    if (!root)
        return d && d->status != SC_OK ? d->status : SC_EINPUT;
    bool is_col = root->kind == N_COL;
    struct expr *e = expr_wrap(text, 0, end, root, d);
    if (!e) {
        free(alias);
        return SC_ENOMEM;
    }
    if (!alias && !(alias = strdup(is_col ? e->root->name : e->text))) {
        expr_free(e);
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    }
    it->e = e;
    it->alias = alias;
    return SC_OK;
}

static const struct call_def {
    const char *name;
    enum expr_fn fn;
    bool window_only;
} call_defs[] = {
    {"count", EXPR_FN_COUNT, false},
    {"sum", EXPR_FN_SUM, false},
    {"avg", EXPR_FN_AVG, false},
    {"mean", EXPR_FN_AVG, false},
    {"min", EXPR_FN_MIN, false},
    {"max", EXPR_FN_MAX, false},
    {"row_number", EXPR_FN_ROW_NUMBER, true},
    {"rank", EXPR_FN_RANK, true},
    {"dense_rank", EXPR_FN_DENSE_RANK, true},
};

static enum sc_status parse_call_item(const char *text, bool window, struct expr_call *c,
                                      struct diag *d)
{
    struct parser p;
    memset(c, 0, sizeof *c);
    if (parser_start(&p, text, d) != SC_OK)
        return d ? d->status : SC_EINPUT;
    const char *kinds = window ? "window functions are row_number(), rank(), dense_rank(), "
                                 "count, sum, avg, min and max"
                               : "aggregates are count, sum, avg, min and max";
    const struct token *t = peek(&p);
    struct node *root = NULL;
    char *alias = NULL;
    size_t arg_at = 0, arg_end = 0;
    enum sc_status st = SC_EINPUT;
    const struct call_def *cd = NULL;
    if (t->kind != TK_IDENT || peek2(&p)->kind != TK_LP) {
        fail_at(&p, t,
                window ? "a window function such as row_number() or sum(x)"
                       : "an aggregate such as count(x) or avg(x)");
        goto out;
    }
    for (size_t i = 0; i < sizeof call_defs / sizeof call_defs[0]; i++)
        if (tok_is(&p, t, call_defs[i].name))
            cd = &call_defs[i];
    if (!cd) {
        diag_set(d, SC_EINPUT, NULL, 0, "unknown %s '%.*s' at position %d; %s",
                 window ? "window function" : "aggregate", (int)t->len, text + t->at,
                 tok_pos(&p, t), kinds);
        goto out;
    }
    if (cd->window_only && !window) {
        diag_set(d, SC_EINPUT, NULL, 0,
                 "%s() at position %d is a window function; it belongs in a window's funcs",
                 cd->name, tok_pos(&p, t));
        goto out;
    }
    c->fn = cd->fn;
    p.i += 2;
    arg_at = peek(&p)->at;
    if (cd->window_only) {
        /* row_number(), rank(), dense_rank() take no argument. */
    } else if (cd->fn == EXPR_FN_COUNT && peek(&p)->kind == TK_STAR) {
        p.i++;
    } else {
        if (accept_kw(&p, "DISTINCT")) {
            if (cd->fn != EXPR_FN_COUNT) {
                diag_set(d, SC_EINPUT, NULL, 0,
                         "DISTINCT at position %d is supported only in count(DISTINCT x)",
                         char_pos(text, arg_at));
                goto out;
            }
            c->fn = EXPR_FN_COUNT_DISTINCT;
            arg_at = peek(&p)->at;
        }
        if (!(root = parse_or(&p)))
            goto out;
    }
    arg_end = peek(&p)->at;
    if (!expect(&p, TK_RP, cd->window_only ? "')' (no argument)" : "')'") ||
        parse_alias(&p, &alias) != 0)
        goto out;
    if (root && !(c->arg = expr_wrap(text, arg_at, arg_end, root, d))) {
        root = NULL;
        st = SC_ENOMEM;
        goto out;
    }
    root = NULL;
    if (!alias) {
        /* Spark's names: count(*) is "count(1)", mean(x) "avg(x)". */
        const char *fn = expr_fn_name(c->fn);
        const char *arg = c->arg ? c->arg->text : c->fn == EXPR_FN_COUNT ? "1" : "";
        size_t len = strlen(fn) + strlen(arg) + 16;
        if ((alias = malloc(len)))
            snprintf(alias, len, "%s(%s%s)", fn, c->fn == EXPR_FN_COUNT_DISTINCT ? "DISTINCT " : "",
                     arg);
    }
    if (!alias) {
        st = diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        goto out;
    }
    c->alias = alias;
    alias = NULL;
    st = SC_OK;
out:
    if (st != SC_OK && d && d->status != SC_OK)
        st = d->status;
    expr_node_free(root);
    free(alias);
    free(p.toks);
    if (st != SC_OK)
        expr_call_fini(c);
    return st;
}

enum sc_status expr_call_parse_agg(const char *text, struct expr_call *c, struct diag *d)
{
    return parse_call_item(text, false, c, d);
}

enum sc_status expr_call_parse_window(const char *text, struct expr_call *c, struct diag *d)
{
    return parse_call_item(text, true, c, d);
}
