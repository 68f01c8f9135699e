/*
 * expr.c — the expressions of query steps: lexer, recursive-descent parser,
 * binder (name resolution and type checking) and a vectorised evaluator.
 *
 * Where it sits: scenario → *plan* → *calibrate* → simulate. The planner
 * parses and binds a step's expression text against the columns that reach
 * the step, so a typo is reported with its position before anything runs;
 * calibration evaluates the bound tree over generated batches, timing the
 * filter and project kernels and measuring selectivity.
 *
 * Evaluation is by node, not by row: each operator node has a scratch
 * column, and evaluating a node runs one tight loop over the batch that
 * reads its children's columns and writes its own (as Spark's vectorised
 * readers and most columnar engines do), instead of walking the tree once
 * per row. Children are "vectors" that are either a real column or a
 * constant (a literal, read at index 0): indexing with i & mask, mask being
 * 0 or all ones, serves both without copying a literal n times, and the hot
 * loops are specialised on the masks so the common column-op-constant case
 * compiles to a plain loop.
 */
#include "models/expr.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parenthesised or nested operands deeper than this are refused, so a
 * hostile expression cannot exhaust the stack. */
enum { EXPR_MAX_DEPTH = 256 };

/* A node whose type is that of a bare NULL, until binding gives it one. */
#define TY_NULL (-1)

/* ====================================================================== */
/* Tokens                                                                 */
/* ====================================================================== */

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

struct token {
    enum tok_kind kind;
    size_t at, len; /* byte offset and length in the text */
};

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

enum fn_id { F_YEAR, F_MONTH, F_SUBSTR, F_LOWER, F_UPPER, F_COALESCE, F_ABS, F_ROUND };

static const struct fn_def {
    const char *name;
    enum fn_id id;
    size_t min_args, max_args;
} fn_defs[] = {
    {"year", F_YEAR, 1, 1},           {"month", F_MONTH, 1, 1}, {"substr", F_SUBSTR, 2, 3},
    {"substring", F_SUBSTR, 2, 3},    {"lower", F_LOWER, 1, 1}, {"upper", F_UPPER, 1, 1},
    {"coalesce", F_COALESCE, 1, 255}, {"abs", F_ABS, 1, 1},     {"round", F_ROUND, 1, 2},
};

static const char *const fn_names[] = {
    [F_YEAR] = "year",   [F_MONTH] = "month",       [F_SUBSTR] = "substr", [F_LOWER] = "lower",
    [F_UPPER] = "upper", [F_COALESCE] = "coalesce", [F_ABS] = "abs",       [F_ROUND] = "round",
};

static const char *const keywords[] = {"AND",  "OR",   "NOT",   "IN",       "BETWEEN", "IS",
                                       "NULL", "TRUE", "FALSE", "CASE",     "WHEN",    "THEN",
                                       "ELSE", "END",  "AS",    "DISTINCT", NULL};

struct node {
    enum node_kind kind;
    int op;      /* N_ARITH/N_CMP: a TK_*; N_FUNC: an fn_id */
    bool negate; /* NOT IN, IS NOT NULL */
    int pos;     /* 1-based character position of the naming token */
    int type;    /* a col_type, or TY_NULL */
    struct node **kids;
    size_t n_kids;
    /* N_LIT */
    bool is_null;
    int64_t ival; /* int32, int64, date, boolean; N_FUNC round: digits */
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

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_kids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n->sval);
    free(n->name);
    free(n);
}

static struct node *node_new(enum node_kind kind, int pos)
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
        node_free(kid);
        return -1;
    }
    n->kids = k;
    n->kids[n->n_kids++] = kid;
    return 0;
}

static struct node *node_copy(const struct node *src)
{
    struct node *n = node_new(src->kind, src->pos);
    if (!n)
        return NULL;
    *n = *src;
    n->kids = NULL;
    n->n_kids = 0;
    n->sval = NULL;
    n->name = NULL;
    if ((src->sval && !(n->sval = malloc(src->slen + 1))) ||
        (src->name && !(n->name = strdup(src->name)))) {
        node_free(n);
        return NULL;
    }
    if (src->sval)
        memcpy(n->sval, src->sval, src->slen + 1);
    for (size_t i = 0; i < src->n_kids; i++) {
        struct node *k = node_copy(src->kids[i]);
        if (!k || node_add(n, k) != 0) {
            node_free(n);
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
    return char_pos(p->text, t->at);
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
    struct node *n = node_new(kind, pos);
    if (!n) {
        node_free(l);
        node_free(r);
        return oom(p);
    }
    n->op = op;
    if (node_add(n, l) != 0) {
        node_free(r);
        node_free(n);
        return oom(p);
    }
    if (node_add(n, r) != 0) {
        node_free(n);
        return oom(p);
    }
    return n;
}

static struct node *make_literal_null(int pos)
{
    struct node *n = node_new(N_LIT, pos);
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
    struct node *n = node_new(N_CASE, pos);
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
                node_free(c);
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
    node_free(subject);
    return n;
fail:
    node_free(subject);
    node_free(n);
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
    struct node *n = node_new(N_FUNC, pos);
    if (!n)
        return oom(p);
    n->op = (int)fd->id;
    if (parse_list(p, n) != 0) {
        node_free(n);
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
        node_free(n);
        return NULL;
    }
    return n;
}

static void literal_set_int(struct node *n, int64_t v)
{
    n->ival = v;
    n->type = v >= INT32_MIN && v <= INT32_MAX ? COL_INT32 : COL_INT64;
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
        if (!(n = node_new(N_LIT, pos)))
            return oom(p);
        literal_set_int(n, (int64_t)v);
        return n;
    }
    case TK_DEC: {
        p->i++;
        if (!(n = node_new(N_LIT, pos)))
            return oom(p);
        n->fval = strtod(p->text + t->at, NULL);
        n->type = COL_DOUBLE;
        return n;
    }
    case TK_STR:
        p->i++;
        if (!(n = node_new(N_LIT, pos)) || !(n->sval = unquote(p, t, &n->slen))) {
            node_free(n);
            return oom(p);
        }
        n->type = COL_STRING;
        n->soff[1] = n->slen;
        return n;
    case TK_QIDENT:
        p->i++;
        if (!(n = node_new(N_COL, pos)) || !(n->name = unquote(p, t, NULL))) {
            node_free(n);
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
            node_free(n);
            return NULL;
        }
        p->i++;
        return n;
    }
    case TK_IDENT:
        if (tok_is(p, t, "NULL") || tok_is(p, t, "TRUE") || tok_is(p, t, "FALSE")) {
            p->i++;
            if (!(n = node_new(N_LIT, pos)))
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
        if (!(n = node_new(N_COL, pos)) || !(n->name = strndup(p->text + t->at, t->len))) {
            node_free(n);
            return oom(p);
        }
        return n;
    default: return fail_at(p, t, "an operand (a column, a literal, a function or '(')");
    }
}

/* A one-child node of KIND over K; on failure K is freed too. */
static struct node *wrap_unary(struct parser *p, enum node_kind kind, struct node *k, int pos)
{
    struct node *n = node_new(kind, pos);
    if (!n || node_add(n, k) != 0) {
        if (!n)
            node_free(k);
        node_free(n);
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

static struct node *parse_mul(struct parser *p)
{
    struct node *l = parse_unary(p);
    while (l) {
        const struct token *t = peek(p);
        if (t->kind != TK_STAR && t->kind != TK_SLASH && t->kind != TK_PCT)
            return l;
        p->i++;
        struct node *r = parse_unary(p);
        if (!r) {
            node_free(l);
            return NULL;
        }
        l = make_binary(p, N_ARITH, t->kind, tok_pos(p, t), l, r);
    }
    return l;
}

static struct node *parse_add(struct parser *p)
{
    struct node *l = parse_mul(p);
    while (l) {
        const struct token *t = peek(p);
        if (t->kind != TK_PLUS && t->kind != TK_MINUS)
            return l;
        p->i++;
        struct node *r = parse_mul(p);
        if (!r) {
            node_free(l);
            return NULL;
        }
        l = make_binary(p, N_ARITH, t->kind, tok_pos(p, t), l, r);
    }
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
            node_free(l);
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
        struct node *n = node_new(N_IN, pos);
        if (!n || node_add(n, l) != 0) {
            if (!n)
                node_free(l);
            node_free(n);
            return oom(p);
        }
        n->negate = negate;
        if (parse_list(p, n) != 0) {
            node_free(n);
            return NULL;
        }
        if (n->n_kids < 2) {
            diag_set(p->d, SC_EINPUT, NULL, 0, "IN at position %d needs at least one value", pos);
            node_free(n);
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
            node_free(l);
            return NULL;
        }
        if (!accept_kw(p, "AND")) {
            fail_at(p, peek(p), "AND of BETWEEN");
            node_free(l);
            node_free(lo);
            return NULL;
        }
        hi = parse_add(p);
        if (!hi || !(x2 = node_copy(l))) {
            if (hi)
                oom(p);
            node_free(l);
            node_free(lo);
            node_free(hi);
            return NULL;
        }
        struct node *ge = make_binary(p, N_CMP, TK_GE, pos, l, lo);
        if (!ge) {
            node_free(x2);
            node_free(hi);
            return NULL;
        }
        struct node *le = make_binary(p, N_CMP, TK_LE, pos, x2, hi);
        if (!le) {
            node_free(ge);
            return NULL;
        }
        struct node *n = make_binary(p, N_AND, 0, pos, ge, le);
        return n && negate ? wrap_unary(p, N_NOT, n, pos) : n;
    }
    if (negate)
        return l; /* unreachable: NOT was only taken before IN/BETWEEN */
    if (tok_is(p, t, "IS")) {
        p->i++;
        struct node *n = node_new(N_ISNULL, pos);
        if (!n || node_add(n, l) != 0) {
            if (!n)
                node_free(l);
            node_free(n);
            return oom(p);
        }
        n->negate = accept_kw(p, "NOT");
        if (!accept_kw(p, "NULL")) {
            fail_at(p, peek(p), n->negate ? "NULL" : "NULL or NOT NULL");
            node_free(n);
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
    while (l && tok_is(p, peek(p), "AND")) {
        int pos = tok_pos(p, peek(p));
        p->i++;
        struct node *r = parse_not(p);
        if (!r) {
            node_free(l);
            return NULL;
        }
        l = make_binary(p, N_AND, 0, pos, l, r);
    }
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
    while (l && tok_is(p, peek(p), "OR")) {
        int pos = tok_pos(p, peek(p));
        p->i++;
        struct node *r = parse_and(p);
        if (!r) {
            node_free(l);
            return NULL;
        }
        l = make_binary(p, N_OR, 0, pos, l, r);
    }
    p->depth--;
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
static struct expr *expr_wrap(const char *text, size_t at, size_t end, struct node *root,
                              struct diag *d)
{
    struct expr *e = calloc(1, sizeof *e);
    if (!e || !(e->text = trimmed_copy(text, at, end))) {
        free(e);
        node_free(root);
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

void expr_free(struct expr *e)
{
    if (!e)
        return;
    node_free(e->root);
    for (size_t i = 0; i < e->n_refs; i++)
        free(e->refs[i]);
    free(e->refs);
    free(e->ref_col);
    free(e->ref_type);
    free(e->text);
    free(e);
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
        node_free(root);
        root = NULL;
    }
    free(p.toks);
    return root ? expr_wrap(text, 0, strlen(text), root, d) : NULL;
}

bool expr_is_bound(const struct expr *e)
{
    return e->bound;
}

const char *expr_text(const struct expr *e)
{
    return e->text;
}

enum col_type expr_type(const struct expr *e)
{
    return e->root->type == TY_NULL ? COL_BOOLEAN : (enum col_type)e->root->type;
}

const char *expr_column_name(const struct expr *e)
{
    return e->root->kind == N_COL ? e->root->name : NULL;
}

size_t expr_n_refs(const struct expr *e)
{
    return e->n_refs;
}

const char *expr_ref(const struct expr *e, size_t i)
{
    return i < e->n_refs ? e->refs[i] : NULL;
}

/* ====================================================================== */
/* Binding: names and types                                               */
/* ====================================================================== */

struct binder {
    const struct batch *schema;
    struct diag *d;
};

static bool is_num(int t)
{
    return t == COL_INT32 || t == COL_INT64 || t == COL_DOUBLE;
}

static bool is_int(int t)
{
    return t == COL_INT32 || t == COL_INT64;
}

static const char *type_name(int t)
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

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil) and back. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool parse_date_literal(const char *s, int64_t *days)
{
    int y, m, dd, n = 0;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &dd, &n) != 3 || s[n] != '\0' || m < 1 || m > 12 ||
        dd < 1)
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (dd > mdays[m - 1] || (m == 2 && dd == 29 && !leap))
        return false;
    *days = days_from_civil(y, (unsigned)m, (unsigned)dd);
    return true;
}

/* Makes *np a value of type t: a NULL literal takes the type, an integer
 * becomes a double (a literal in place, else through a cast node), a
 * string literal becomes a date. int32 needs nothing to be read as int64:
 * both are stored as int64_t. */
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
    if (is_int(n->type) && t == COL_DOUBLE) {
        if (n->kind == N_LIT) {
            n->fval = (double)n->ival;
            n->type = COL_DOUBLE;
            return 0;
        }
        struct node *c = node_new(N_CAST, n->pos);
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
        c->type = COL_DOUBLE;
        *np = c;
        return 0;
    }
    if (n->type == COL_STRING && t == COL_DATE && n->kind == N_LIT) {
        if (!parse_date_literal(n->sval, &n->ival))
            return bind_fail(b, "'%s' at position %d is not a date; write dates as 'YYYY-MM-DD'",
                             n->sval, n->pos);
        n->type = COL_DATE;
        return 0;
    }
    return bind_fail(b, "internal: cannot convert %s to %s at position %d", type_name(n->type),
                     type_name(t), n->pos);
}

/* Gives the values *v[0..n) one common type (the widest number, or a date
 * that string literals are read as), returning it, TY_NULL when all are
 * NULL, or -2 after an error naming what (an operator, IN, CASE...) at
 * position pos. */
static int unify(struct binder *b, struct node **v[], size_t n, const char *what, int pos)
{
    bool any_date = false;
    for (size_t i = 0; i < n; i++)
        any_date |= (*v[i])->type == COL_DATE;
    int t = TY_NULL;
    size_t first = 0;
    for (size_t i = 0; i < n; i++) {
        const struct node *k = *v[i];
        int kt = k->type;
        if (kt == TY_NULL)
            continue;
        if (any_date && kt == COL_STRING && k->kind == N_LIT)
            kt = COL_DATE;
        if (t == TY_NULL) {
            t = kt;
            first = i;
        } else if (t != kt) {
            if (is_num(t) && is_num(kt)) {
                t = wider(t, kt);
            } else {
                bind_fail(b, "%s at position %d cannot %s %s (position %d) with %s (position %d)",
                          what, pos, what[0] == '\'' ? "compare" : "mix",
                          type_name((*v[first])->type), (*v[first])->pos, type_name(k->type),
                          k->pos);
                return -2;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (coerce(b, v[i], t) != 0)
            return -2;
    return t;
}

static size_t edit_distance(const char *a, const char *b)
{
    /* Levenshtein over ASCII case-folded names of at most 63 characters. */
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return SIZE_MAX;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static int unknown_column(struct binder *b, const struct node *n)
{
    const struct batch *s = b->schema;
    size_t best = SIZE_MAX, best_i = 0;
    for (size_t i = 0; i < s->n_cols; i++) {
        size_t dist = edit_distance(n->name, s->names[i]);
        if (dist < best) {
            best = dist;
            best_i = i;
        }
    }
    size_t len = strlen(n->name);
    if (best != SIZE_MAX && best <= (len < 6 ? 2 : len / 3))
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
                         pos, which, type_name((*k)->type), (*k)->pos);
    return 0;
}

static int want_type(struct binder *b, struct node **k, int t, const char *fn, int pos,
                     const char *which)
{
    if ((*k)->type == TY_NULL || ((*k)->kind == N_LIT && (*k)->type == COL_STRING && t == COL_DATE))
        return coerce(b, k, t);
    if ((*k)->type == t || (is_int(t) && is_int((*k)->type)))
        return 0;
    return bind_fail(b, "%s() at position %d needs %s as its %s argument, found %s (position %d)",
                     fn, pos,
                     t == COL_DATE     ? "a date"
                     : t == COL_STRING ? "a string"
                                       : "an integer",
                     which, type_name((*k)->type), (*k)->pos);
}

static int bind_func(struct binder *b, struct node *n)
{
    const char *fn = fn_names[n->op];
    switch ((enum fn_id)n->op) {
    case F_YEAR:
    case F_MONTH:
        if (want_type(b, &n->kids[0], COL_DATE, fn, n->pos, "first") != 0)
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
        if (!is_num((*x)->type))
            return bind_fail(b, "%s() at position %d needs a number, found %s (position %d)", fn,
                             n->pos, type_name((*x)->type), (*x)->pos);
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

static int bind_node(struct binder *b, struct node **np)
{
    struct node *n = *np;
    if (n->kind != N_COL && n->kind != N_LIT && bind_kids(b, n) != 0)
        return -1;
    switch (n->kind) {
    case N_LIT: return 0;
    case N_CAST: return 0;
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
        if (!is_num(k->type))
            return bind_fail(b, "'-' at position %d needs a number, found %s (position %d)", n->pos,
                             type_name(k->type), k->pos);
        n->type = k->type;
        return 0;
    }
    case N_ARITH: {
        struct node **l = &n->kids[0], **r = &n->kids[1];
        if ((*l)->type == TY_NULL)
            (*l)->type = is_num((*r)->type) ? (*r)->type : COL_INT32;
        if ((*r)->type == TY_NULL)
            (*r)->type = is_num((*l)->type) ? (*l)->type : COL_INT32;
        for (int side = 0; side < 2; side++) {
            const struct node *k = n->kids[side];
            if (!is_num(k->type))
                return bind_fail(b,
                                 "'%s' at position %d needs numbers; its %s operand is %s "
                                 "(position %d)",
                                 op_symbol(n->op), n->pos, side ? "right" : "left",
                                 type_name(k->type), k->pos);
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

/* ====================================================================== */
/* Evaluation                                                             */
/* ====================================================================== */

/* A child's values: a column (m = SIZE_MAX) or a constant read at index 0
 * (m = 0). v is the validity (NULL: no nulls), indexed the same way. */
struct vec {
    size_t m;
    const int64_t *i;
    const double *f;
    const uint64_t *off;
    const char *b;
    const uint8_t *v;
};

/* The scratch column of one operator node. */
struct slot {
    struct column c; /* type and values; c.valid is unused */
    uint8_t *valid;
    uint16_t *choice; /* CASE, coalesce: the branch each row takes */
    struct vec *kv;   /* the children's results */
    size_t cap;
};

struct expr_scratch {
    const struct expr *e;
    size_t cap;
    int n_slots;
    struct slot *slots;
};

struct ectx {
    const struct batch *in;
    struct expr_scratch *s;
    size_t n;
};

static const uint8_t null_byte = 0;

static enum col_storage storage_of(int t)
{
    return t == COL_DOUBLE ? STORE_DOUBLE : t == COL_STRING ? STORE_STRING : STORE_INT;
}

static int slot_setup(struct slot *sl, const struct node *n, size_t cap)
{
    size_t c = cap ? cap : 1;
    sl->c.type = (enum col_type)n->type;
    switch (storage_of(n->type)) {
    case STORE_DOUBLE: {
        double *p = realloc(sl->c.f64, c * sizeof *p);
        if (!p)
            return -1;
        sl->c.f64 = p;
        break;
    }
    case STORE_STRING: {
        uint64_t *p = realloc(sl->c.off, (c + 1) * sizeof *p);
        if (!p)
            return -1;
        sl->c.off = p;
        p[0] = 0;
        break;
    }
    case STORE_INT: {
        int64_t *p = realloc(sl->c.i64, c * sizeof *p);
        if (!p)
            return -1;
        sl->c.i64 = p;
        break;
    }
    }
    uint8_t *v = realloc(sl->valid, c);
    if (!v)
        return -1;
    sl->valid = v;
    if (n->kind == N_CASE || (n->kind == N_FUNC && n->op == F_COALESCE)) {
        uint16_t *ch = realloc(sl->choice, c * sizeof *ch);
        if (!ch)
            return -1;
        sl->choice = ch;
    }
    if (n->n_kids && !sl->kv && !(sl->kv = calloc(n->n_kids, sizeof *sl->kv)))
        return -1;
    sl->cap = c;
    return 0;
}

static int scratch_setup(struct expr_scratch *s, const struct node *n, size_t cap)
{
    for (size_t i = 0; i < n->n_kids; i++)
        if (scratch_setup(s, n->kids[i], cap) != 0)
            return -1;
    return n->slot >= 0 ? slot_setup(&s->slots[n->slot], n, cap) : 0;
}

void expr_scratch_free(struct expr_scratch *s)
{
    if (!s)
        return;
    for (int i = 0; s->slots && i < s->n_slots; i++) {
        struct slot *sl = &s->slots[i];
        free(sl->c.i64);
        free(sl->c.f64);
        free(sl->c.off);
        free(sl->c.bytes);
        free(sl->valid);
        free(sl->choice);
        free(sl->kv);
    }
    free(s->slots);
    free(s);
}

struct expr_scratch *expr_scratch_new(const struct expr *e, size_t cap_rows)
{
    if (!e->bound)
        return NULL;
    struct expr_scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->e = e;
    s->n_slots = e->n_slots;
    s->slots = calloc(e->n_slots ? (size_t)e->n_slots : 1, sizeof *s->slots);
    if (!s->slots || scratch_setup(s, e->root, cap_rows) != 0) {
        expr_scratch_free(s);
        return NULL;
    }
    s->cap = cap_rows;
    return s;
}

static int scratch_grow(struct expr_scratch *s, size_t n)
{
    if (n <= s->cap)
        return 0;
    size_t cap = s->cap * 2 > n ? s->cap * 2 : n;
    if (scratch_setup(s, s->e->root, cap) != 0)
        return -1;
    s->cap = cap;
    return 0;
}

static uint8_t *slot_valid(struct slot *d)
{
    if (!d->valid)
        d->valid = malloc(d->cap ? d->cap : 1);
    return d->valid;
}

static void view_slot(struct vec *r, const struct slot *d, bool nulls)
{
    r->m = SIZE_MAX;
    r->i = d->c.i64;
    r->f = d->c.f64;
    r->off = d->c.off;
    r->b = d->c.bytes ? d->c.bytes : "";
    r->v = nulls ? d->valid : NULL;
}

/* Strings are written in row order; str_begin empties the column and
 * str_room makes room for every byte the loop will write. */
static int str_begin(struct slot *d, size_t room)
{
    d->c.bytes_len = 0;
    d->c.off[0] = 0;
    return column_reserve_bytes(&d->c, room);
}

static inline void str_put(struct slot *d, size_t row, const char *p, size_t len)
{
    if (len) {
        memcpy(d->c.bytes + d->c.bytes_len, p, len);
        d->c.bytes_len += len;
    }
    d->c.off[row + 1] = d->c.bytes_len;
}

static inline size_t str_len(const struct vec *a, size_t k)
{
    return (size_t)(a->off[k + 1] - a->off[k]);
}

/* Bytes that rows 0..n-1 of a string vector hold. */
static size_t str_total(const struct vec *a, size_t n)
{
    return a->m ? (size_t)(a->off[n] - a->off[0]) : n * str_len(a, 0);
}

/* Loops over n rows reading a at ia and b at ib, specialised on whether
 * each is a column or a constant so the compiler sees plain indexing. */
#define BIN_LOOP(n, a, b, ...)                                                                     \
    do {                                                                                           \
        if ((a)->m && (b)->m) {                                                                    \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = i, ib = i;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else if ((a)->m) {                                                                       \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = i, ib = 0;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else if ((b)->m) {                                                                       \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = 0, ib = i;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = 0, ib = 0;                                                       \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

#define UN_LOOP(n, a, ...)                                                                         \
    do {                                                                                           \
        if ((a)->m) {                                                                              \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = i;                                                               \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        } else {                                                                                   \
            for (size_t i = 0; i < (n); i++) {                                                     \
                const size_t ia = 0;                                                               \
                (void)ia;                                                                          \
                __VA_ARGS__;                                                                       \
            }                                                                                      \
        }                                                                                          \
    } while (0)

static inline bool is_valid(const struct vec *a, size_t i)
{
    return !a->v || a->v[i & a->m] != 0;
}

/* The result is null wherever any of the k inputs is. Returns 1 (dst's
 * validity written), 0 (no nulls) or -1 (out of memory). */
static int valid_all(struct slot *dst, size_t n, const struct vec *const *in, size_t k)
{
    size_t with = 0;
    const struct vec *w[4];
    for (size_t j = 0; j < k; j++)
        if (in[j] && in[j]->v)
            w[with++] = in[j];
    if (with == 0)
        return 0;
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    const struct vec *a = w[0];
    if (a->m)
        for (size_t i = 0; i < n; i++)
            v[i] = a->v[i] != 0;
    else
        memset(v, a->v[0] != 0, n);
    for (size_t j = 1; j < with; j++) {
        const struct vec *b = w[j];
        for (size_t i = 0; i < n; i++)
            v[i] &= b->v[i & b->m] != 0;
    }
    return 1;
}

static int valid_and(struct slot *dst, size_t n, const struct vec *a, const struct vec *b)
{
    const struct vec *in[2] = {a, b};
    return valid_all(dst, n, in, 2);
}

static inline int64_t wrap32(int64_t v)
{
    return (int32_t)(uint32_t)(uint64_t)v;
}

static int copy_vec(struct slot *dst, size_t n, const struct vec *a, int type)
{
    switch (storage_of(type)) {
    case STORE_INT:
        if (a->m)
            memcpy(dst->c.i64, a->i, n * sizeof *a->i);
        else
            for (size_t i = 0; i < n; i++)
                dst->c.i64[i] = a->i[0];
        break;
    case STORE_DOUBLE:
        if (a->m)
            memcpy(dst->c.f64, a->f, n * sizeof *a->f);
        else
            for (size_t i = 0; i < n; i++)
                dst->c.f64[i] = a->f[0];
        break;
    case STORE_STRING:
        if (str_begin(dst, str_total(a, n)) != 0)
            return -1;
        if (a->m && n) {
            size_t total = str_total(a, n);
            if (total)
                memcpy(dst->c.bytes, a->b + a->off[0], total);
            for (size_t i = 0; i < n; i++)
                dst->c.off[i + 1] = a->off[i + 1] - a->off[0];
            dst->c.bytes_len = total;
        } else {
            for (size_t i = 0; i < n; i++)
                str_put(dst, i, a->b + a->off[0], str_len(a, 0));
        }
        break;
    }
    return valid_all(dst, n, &a, 1);
}

static int eval_neg(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f;
        double *o = dst->c.f64;
        UN_LOOP(n, a, o[i] = -A[ia]);
    } else {
        const int64_t *A = a->i;
        int64_t *o = dst->c.i64;
        UN_LOOP(n, a, o[i] = (int64_t)(0 - (uint64_t)A[ia]));
        if (nd->type == COL_INT32)
            for (size_t i = 0; i < n; i++)
                o[i] = wrap32(o[i]);
    }
    return valid_all(dst, n, &a, 1);
}

static int eval_arith(const struct node *nd, const struct vec *a, const struct vec *b,
                      struct slot *dst, size_t n)
{
    int op = nd->op;
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f, *B = b->f;
        double *o = dst->c.f64;
        switch (op) {
        case TK_PLUS: BIN_LOOP(n, a, b, o[i] = A[ia] + B[ib]); break;
        case TK_MINUS: BIN_LOOP(n, a, b, o[i] = A[ia] - B[ib]); break;
        case TK_STAR: BIN_LOOP(n, a, b, o[i] = A[ia] * B[ib]); break;
        case TK_SLASH: BIN_LOOP(n, a, b, o[i] = B[ib] != 0.0 ? A[ia] / B[ib] : 0.0); break;
        case TK_PCT: BIN_LOOP(n, a, b, o[i] = B[ib] != 0.0 ? fmod(A[ia], B[ib]) : 0.0); break;
        }
    } else {
        /* Integer overflow wraps, as Spark's (non-ANSI) int and long do:
         * computed in unsigned arithmetic, where wrapping is defined. */
        const int64_t *A = a->i, *B = b->i;
        int64_t *o = dst->c.i64;
        switch (op) {
        case TK_PLUS: BIN_LOOP(n, a, b, o[i] = (int64_t)((uint64_t)A[ia] + (uint64_t)B[ib])); break;
        case TK_MINUS:
            BIN_LOOP(n, a, b, o[i] = (int64_t)((uint64_t)A[ia] - (uint64_t)B[ib]));
            break;
        case TK_STAR: BIN_LOOP(n, a, b, o[i] = (int64_t)((uint64_t)A[ia] * (uint64_t)B[ib])); break;
        case TK_PCT:
            /* x % -1 is 0; computing it could trap on INT64_MIN. */
            BIN_LOOP(n, a, b, o[i] = B[ib] == 0 || B[ib] == -1 ? 0 : A[ia] % B[ib]);
            break;
        }
        if (nd->type == COL_INT32)
            for (size_t i = 0; i < n; i++)
                o[i] = wrap32(o[i]);
    }
    if (op != TK_SLASH && op != TK_PCT)
        return valid_and(dst, n, a, b);
    /* Division by zero is NULL (Spark without ANSI mode). */
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    bool dbl = nd->type == COL_DOUBLE;
    for (size_t i = 0; i < n; i++) {
        size_t ib = i & b->m;
        v[i] = is_valid(a, i) && is_valid(b, i) && (dbl ? b->f[ib] != 0.0 : b->i[ib] != 0);
    }
    return 1;
}

/* Byte-wise comparison, as Spark compares UTF8String values. */
static inline int str_cmp(const struct vec *a, size_t ka, const struct vec *b, size_t kb)
{
    size_t la = str_len(a, ka), lb = str_len(b, kb);
    int c = memcmp(a->b + a->off[ka], b->b + b->off[kb], la < lb ? la : lb);
    if (c == 0 && (la || lb))
        return (la > lb) - (la < lb);
    return c;
}

/* Equality of n bytes. Keys and codes are mostly short: an inline loop
 * beats a call to memcmp there (it halved `s IN ('a', 'b')`). */
static inline bool bytes_eq(const char *a, const char *b, size_t n)
{
    if (n > 16)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

static inline bool str_eq(const struct vec *a, size_t ka, const struct vec *b, size_t kb)
{
    size_t la = str_len(a, ka);
    return la == str_len(b, kb) && bytes_eq(a->b + a->off[ka], b->b + b->off[kb], la);
}

#define CMP_SWITCH(A, B)                                                                           \
    switch (nd->op) {                                                                              \
    case TK_EQ: BIN_LOOP(n, a, b, o[i] = (A)[ia] == (B)[ib]); break;                               \
    case TK_NE: BIN_LOOP(n, a, b, o[i] = (A)[ia] != (B)[ib]); break;                               \
    case TK_LT: BIN_LOOP(n, a, b, o[i] = (A)[ia] < (B)[ib]); break;                                \
    case TK_LE: BIN_LOOP(n, a, b, o[i] = (A)[ia] <= (B)[ib]); break;                               \
    case TK_GT: BIN_LOOP(n, a, b, o[i] = (A)[ia] > (B)[ib]); break;                                \
    case TK_GE: BIN_LOOP(n, a, b, o[i] = (A)[ia] >= (B)[ib]); break;                               \
    }

static int eval_cmp(const struct node *nd, const struct vec *a, const struct vec *b,
                    struct slot *dst, size_t n)
{
    int64_t *o = dst->c.i64;
    switch (storage_of(nd->kids[0]->type)) {
    case STORE_DOUBLE: CMP_SWITCH(a->f, b->f); break;
    case STORE_INT: CMP_SWITCH(a->i, b->i); break;
    case STORE_STRING:
        if (nd->op == TK_EQ || nd->op == TK_NE) {
            bool ne = nd->op == TK_NE;
            BIN_LOOP(n, a, b, o[i] = str_eq(a, ia, b, ib) != ne);
        } else {
            int op = nd->op;
            BIN_LOOP(n, a, b, {
                int c = str_cmp(a, ia, b, ib);
                o[i] = op == TK_LT ? c < 0 : op == TK_LE ? c <= 0 : op == TK_GT ? c > 0 : c >= 0;
            });
        }
        break;
    }
    return valid_and(dst, n, a, b);
}

/* SQL's three-valued AND and OR: FALSE AND NULL is FALSE, TRUE OR NULL is
 * TRUE, anything else with a NULL is NULL. */
static int eval_andor(const struct node *nd, const struct vec *a, const struct vec *b,
                      struct slot *dst, size_t n)
{
    const int64_t *A = a->i, *B = b->i;
    int64_t *o = dst->c.i64;
    bool is_and = nd->kind == N_AND;
    if (!a->v && !b->v) {
        if (is_and)
            BIN_LOOP(n, a, b, o[i] = (A[ia] != 0) & (B[ib] != 0));
        else
            BIN_LOOP(n, a, b, o[i] = (A[ia] != 0) | (B[ib] != 0));
        return 0;
    }
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t ia = i & a->m, ib = i & b->m;
        int va = is_valid(a, i), vb = is_valid(b, i);
        int xa = A[ia] != 0, xb = B[ib] != 0;
        if (is_and) {
            int fa = va & !xa, fb = vb & !xb; /* known FALSE */
            v[i] = (uint8_t)(fa | fb | (va & vb));
            o[i] = (fa | fb) ? 0 : (va & vb);
        } else {
            int ta = va & xa, tb = vb & xb; /* known TRUE */
            v[i] = (uint8_t)(ta | tb | (va & vb));
            o[i] = ta | tb;
        }
    }
    return 1;
}

static int eval_not(const struct vec *a, struct slot *dst, size_t n)
{
    const int64_t *A = a->i;
    int64_t *o = dst->c.i64;
    UN_LOOP(n, a, o[i] = A[ia] == 0);
    return valid_all(dst, n, &a, 1);
}

/* x IN (y1, y2, ...): TRUE when x equals some yj; otherwise NULL when x or
 * some yj is NULL; otherwise FALSE. NOT IN negates the known results. */
static int eval_in(const struct node *nd, const struct vec *kv, struct slot *dst, size_t n)
{
    const struct vec *x = &kv[0];
    size_t k = nd->n_kids - 1;
    enum col_storage st = storage_of(nd->kids[0]->type);
    int64_t *o = dst->c.i64;
    bool item_nulls = false, all_const = true;
    for (size_t j = 1; j <= k; j++) {
        item_nulls |= kv[j].v != NULL;
        all_const &= kv[j].m == 0;
    }
    uint8_t *v = NULL;
    if (x->v || item_nulls) {
        if (!(v = slot_valid(dst)))
            return -1;
    }
    bool neg = nd->negate;
    if (all_const && !item_nulls) {
        /* The common case, a list of literals: hoist them out of the loop. */
        int64_t ci[256];
        double cf[256];
        const char *cs[256];
        size_t cl[256];
        for (size_t j = 0; j < k; j++) {
            const struct vec *y = &kv[j + 1];
            ci[j] = st == STORE_INT ? y->i[0] : 0;
            cf[j] = st == STORE_DOUBLE ? y->f[0] : 0.0;
            cs[j] = st == STORE_STRING ? y->b + y->off[0] : NULL;
            cl[j] = st == STORE_STRING ? str_len(y, 0) : 0;
        }
        switch (st) {
        case STORE_INT:
            UN_LOOP(n, x, {
                bool found = false;
                for (size_t j = 0; j < k && !found; j++)
                    found = x->i[ia] == ci[j];
                o[i] = found != neg;
            });
            break;
        case STORE_DOUBLE:
            UN_LOOP(n, x, {
                bool found = false;
                for (size_t j = 0; j < k && !found; j++)
                    found = x->f[ia] == cf[j];
                o[i] = found != neg;
            });
            break;
        case STORE_STRING:
            UN_LOOP(n, x, {
                const char *p = x->b + x->off[ia];
                size_t l = str_len(x, ia);
                bool found = false;
                for (size_t j = 0; j < k && !found; j++)
                    found = l == cl[j] && bytes_eq(p, cs[j], l);
                o[i] = found != neg;
            });
            break;
        }
        return v ? valid_all(dst, n, &x, 1) : 0;
    }
    for (size_t i = 0; i < n; i++) {
        size_t ix = i & x->m;
        bool found = false, some_null = false;
        for (size_t j = 1; j <= k && !found; j++) {
            const struct vec *y = &kv[j];
            size_t iy = i & y->m;
            if (!is_valid(y, i)) {
                some_null = true;
                continue;
            }
            switch (st) {
            case STORE_INT: found = x->i[ix] == y->i[iy]; break;
            case STORE_DOUBLE: found = x->f[ix] == y->f[iy]; break;
            case STORE_STRING: found = str_eq(x, ix, y, iy); break;
            }
        }
        bool valid = is_valid(x, i) && (found || !some_null);
        o[i] = valid && found != neg;
        if (v)
            v[i] = valid;
    }
    return v ? 1 : 0;
}

/* Writes each row from the vector its choice names (CASE, coalesce). */
static int gather_choice(struct slot *dst, size_t n, const struct vec *const *vals, size_t nv,
                         const uint16_t *ch, int type)
{
    bool nulls = false;
    for (size_t j = 0; j < nv; j++)
        nulls |= vals[j]->v != NULL;
    switch (storage_of(type)) {
    case STORE_INT:
        for (size_t i = 0; i < n; i++) {
            const struct vec *y = vals[ch[i]];
            dst->c.i64[i] = y->i[i & y->m];
        }
        break;
    case STORE_DOUBLE:
        for (size_t i = 0; i < n; i++) {
            const struct vec *y = vals[ch[i]];
            dst->c.f64[i] = y->f[i & y->m];
        }
        break;
    case STORE_STRING: {
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
            total += str_len(vals[ch[i]], i & vals[ch[i]]->m);
        if (str_begin(dst, total) != 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const struct vec *y = vals[ch[i]];
            size_t k = i & y->m;
            str_put(dst, i, y->b + y->off[k], str_len(y, k));
        }
        break;
    }
    }
    if (!nulls)
        return 0;
    uint8_t *v = slot_valid(dst);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i] = is_valid(vals[ch[i]], i);
    return 1;
}

static int eval_case(const struct node *nd, const struct vec *kv, uint16_t *ch, struct slot *dst,
                     size_t n)
{
    size_t nw = (nd->n_kids - 1) / 2;
    const struct vec *vals[256];
    for (size_t i = 0; i < n; i++)
        ch[i] = (uint16_t)nw;
    /* Conditions from the last to the first, so the first that holds wins. */
    for (size_t w = nw; w-- > 0;) {
        const struct vec *c = &kv[2 * w];
        for (size_t i = 0; i < n; i++)
            if (is_valid(c, i) && c->i[i & c->m])
                ch[i] = (uint16_t)w;
        vals[w] = &kv[2 * w + 1];
    }
    vals[nw] = &kv[nd->n_kids - 1];
    return gather_choice(dst, n, vals, nw + 1, ch, nd->type);
}

static int eval_coalesce(const struct node *nd, const struct vec *kv, uint16_t *ch,
                         struct slot *dst, size_t n)
{
    size_t k = nd->n_kids;
    const struct vec *vals[256];
    for (size_t j = 0; j < k; j++)
        vals[j] = &kv[j];
    /* The first non-null argument; the last one (null) when all are. */
    for (size_t i = 0; i < n; i++)
        ch[i] = (uint16_t)(k - 1);
    for (size_t j = k - 1; j-- > 0;)
        for (size_t i = 0; i < n; i++)
            if (is_valid(&kv[j], i))
                ch[i] = (uint16_t)j;
    return gather_choice(dst, n, vals, k, ch, nd->type);
}

static int eval_date_part(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    bool year = nd->op == F_YEAR;
    int64_t *o = dst->c.i64;
    for (size_t i = 0; i < n; i++) {
        int64_t z = a->i[i & a->m], y;
        unsigned m;
        if (z < -(INT64_C(1) << 40) || z > (INT64_C(1) << 40))
            z = 0; /* not a date (a null's filler); keeps the arithmetic defined */
        civil_from_days(z, &y, &m);
        o[i] = year ? y : (int64_t)m;
    }
    return valid_all(dst, n, &a, 1);
}

/* substr(s, pos[, len]) as Spark's UTF8String.substringSQL, on bytes. */
static int eval_substr(const struct node *nd, const struct vec *kv, struct slot *dst, size_t n)
{
    const struct vec *s = &kv[0], *p = &kv[1], *l = nd->n_kids > 2 ? &kv[2] : NULL;
    if (str_begin(dst, str_total(s, n)) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t ks = i & s->m;
        int64_t len = (int64_t)str_len(s, ks);
        int64_t pos = p->i[i & p->m];
        int64_t ln = l ? l->i[i & l->m] : INT64_MAX;
        int64_t start = pos > 0 ? pos - 1 : pos < 0 ? (pos < -len ? -len - 1 : len + pos) : 0;
        int64_t end = ln < 0 ? start : start > 0 && ln > INT64_MAX - start ? INT64_MAX : start + ln;
        if (start < 0)
            start = 0;
        if (end > len)
            end = len;
        if (start >= end)
            str_put(dst, i, "", 0);
        else
            str_put(dst, i, s->b + s->off[ks] + start, (size_t)(end - start));
    }
    const struct vec *in[3] = {s, p, l};
    return valid_all(dst, n, in, 3);
}

static int eval_case_fold(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    bool lower = nd->op == F_LOWER;
    if (str_begin(dst, str_total(a, n)) != 0)
        return -1;
    char *o = dst->c.bytes;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = i & a->m, len = str_len(a, k);
        const char *src = a->b + a->off[k];
        for (size_t j = 0; j < len; j++) {
            char c = src[j];
            if (lower && c >= 'A' && c <= 'Z')
                c = (char)(c + ('a' - 'A'));
            else if (!lower && c >= 'a' && c <= 'z')
                c = (char)(c - ('a' - 'A'));
            o[at++] = c;
        }
        dst->c.off[i + 1] = at;
    }
    dst->c.bytes_len = at;
    return valid_all(dst, n, &a, 1);
}

static int eval_abs(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f;
        double *o = dst->c.f64;
        UN_LOOP(n, a, o[i] = fabs(A[ia]));
    } else {
        const int64_t *A = a->i;
        int64_t *o = dst->c.i64;
        /* abs of the most negative value wraps to itself, as in Spark. */
        UN_LOOP(n, a, o[i] = A[ia] < 0 ? (int64_t)(0 - (uint64_t)A[ia]) : A[ia]);
        if (nd->type == COL_INT32)
            for (size_t i = 0; i < n; i++)
                o[i] = wrap32(o[i]);
    }
    return valid_all(dst, n, &a, 1);
}

/* Rounds half away from zero (Spark's HALF_UP). A product like
 * 2.675 * 100 = 267.49999999999997 is taken as the .5 it was written as,
 * the way Spark rounds the decimal text of a double. */
static double round_half_up(double y)
{
    double t = trunc(y), f = fabs(y - t);
    if (fabs(f - 0.5) <= 4.0 * 2.220446049250313e-16 * fmax(1.0, fabs(y)))
        return t + copysign(1.0, y);
    return round(y);
}

static int eval_round(const struct node *nd, const struct vec *a, struct slot *dst, size_t n)
{
    int64_t dg = nd->n_kids > 1 ? nd->ival : 0;
    if (nd->type == COL_DOUBLE) {
        const double *A = a->f;
        double *o = dst->c.f64;
        if (dg > 308 || dg < -308) {
            UN_LOOP(n, a, o[i] = dg > 0 ? A[ia] : 0.0);
        } else if (dg >= 0) {
            double p = pow(10.0, (double)dg);
            UN_LOOP(n, a, {
                double y = A[ia] * p;
                o[i] = isfinite(y) ? round_half_up(y) / p : A[ia];
            });
        } else {
            double q = pow(10.0, (double)-dg);
            UN_LOOP(n, a, o[i] = isfinite(A[ia]) ? round_half_up(A[ia] / q) * q : A[ia]);
        }
    } else {
        const int64_t *A = a->i;
        int64_t *o = dst->c.i64;
        if (dg >= 0) {
            UN_LOOP(n, a, o[i] = A[ia]);
        } else if (dg < -18) {
            UN_LOOP(n, a, o[i] = 0);
        } else {
            int64_t p = 1;
            for (int64_t j = 0; j < -dg; j++)
                p *= 10;
            UN_LOOP(n, a, {
                int64_t q = A[ia] / p, r = A[ia] % p;
                if ((r < 0 ? -r : r) * 2 >= p)
                    q += A[ia] < 0 ? -1 : 1;
                o[i] = (int64_t)((uint64_t)q * (uint64_t)p);
            });
            if (nd->type == COL_INT32)
                for (size_t i = 0; i < n; i++)
                    o[i] = wrap32(o[i]);
        }
    }
    return valid_all(dst, n, &a, 1);
}

static int eval_cast(const struct vec *a, struct slot *dst, size_t n)
{
    const int64_t *A = a->i;
    double *o = dst->c.f64;
    UN_LOOP(n, a, o[i] = (double)A[ia]);
    return valid_all(dst, n, &a, 1);
}

static void view_leaf(const struct ectx *x, const struct node *nd, struct vec *r)
{
    if (nd->kind == N_LIT) {
        r->m = 0;
        r->i = &nd->ival;
        r->f = &nd->fval;
        r->off = nd->soff;
        r->b = nd->sval ? nd->sval : "";
        r->v = nd->is_null ? &null_byte : NULL;
    } else {
        const struct column *c = &x->in->cols[nd->col];
        r->m = SIZE_MAX;
        r->i = c->i64;
        r->f = c->f64;
        r->off = c->off;
        r->b = c->bytes ? c->bytes : "";
        r->v = c->valid;
    }
}

/* Evaluates nd over the batch into dst (its own scratch slot when dst is
 * NULL; a leaf then is only viewed, not copied) and describes the result
 * in r. Returns 0, or -1 when memory runs out. */
static int eval_node(struct ectx *x, const struct node *nd, struct slot *dst, struct vec *r)
{
    size_t n = x->n;
    int nulls;
    if (nd->kind == N_LIT || nd->kind == N_COL) {
        view_leaf(x, nd, r);
        if (!dst)
            return 0;
        if ((nulls = copy_vec(dst, n, r, nd->type)) < 0)
            return -1;
        view_slot(r, dst, nulls);
        return 0;
    }
    struct slot *own = &x->s->slots[nd->slot];
    if (!dst)
        dst = own;
    struct vec *kv = own->kv;
    for (size_t k = 0; k < nd->n_kids; k++)
        if (eval_node(x, nd->kids[k], NULL, &kv[k]) != 0)
            return -1;
    switch (nd->kind) {
    case N_NEG: nulls = eval_neg(nd, &kv[0], dst, n); break;
    case N_ARITH: nulls = eval_arith(nd, &kv[0], &kv[1], dst, n); break;
    case N_CMP: nulls = eval_cmp(nd, &kv[0], &kv[1], dst, n); break;
    case N_AND:
    case N_OR: nulls = eval_andor(nd, &kv[0], &kv[1], dst, n); break;
    case N_NOT: nulls = eval_not(&kv[0], dst, n); break;
    case N_IN: nulls = eval_in(nd, kv, dst, n); break;
    case N_ISNULL: {
        const struct vec *a = &kv[0];
        int64_t *o = dst->c.i64;
        bool neg = nd->negate;
        for (size_t i = 0; i < n; i++)
            o[i] = is_valid(a, i) == neg;
        nulls = 0;
        break;
    }
    case N_CASE: nulls = eval_case(nd, kv, own->choice, dst, n); break;
    case N_CAST: nulls = eval_cast(&kv[0], dst, n); break;
    case N_FUNC:
        switch ((enum fn_id)nd->op) {
        case F_YEAR:
        case F_MONTH: nulls = eval_date_part(nd, &kv[0], dst, n); break;
        case F_SUBSTR: nulls = eval_substr(nd, kv, dst, n); break;
        case F_LOWER:
        case F_UPPER: nulls = eval_case_fold(nd, &kv[0], dst, n); break;
        case F_COALESCE: nulls = eval_coalesce(nd, kv, own->choice, dst, n); break;
        case F_ABS: nulls = eval_abs(nd, &kv[0], dst, n); break;
        case F_ROUND: nulls = eval_round(nd, &kv[0], dst, n); break;
        default: nulls = -1; break;
        }
        break;
    default: nulls = -1; break;
    }
    if (nulls < 0)
        return -1;
    view_slot(r, dst, nulls);
    return 0;
}

static enum sc_status check_layout(const struct expr *e, const struct batch *in,
                                   const struct expr_scratch *s, struct diag *d)
{
    if (!e->bound)
        return diag_set(d, SC_EINTERNAL, NULL, 0, "expression '%s' is not bound", e->text);
    if (!s || s->e != e)
        return diag_set(d, SC_EINTERNAL, NULL, 0,
                        "scratch was made for another expression than '%s'", e->text);
    for (size_t k = 0; k < e->n_refs; k++) {
        int c = e->ref_col[k];
        if ((size_t)c >= in->n_cols || in->cols[c].type != e->ref_type[k] ||
            strcmp(in->names[c], e->refs[k]) != 0)
            return diag_set(d, SC_EINTERNAL, NULL, 0,
                            "the batch does not have the layout '%s' was bound to (column '%s')",
                            e->text, e->refs[k]);
    }
    return SC_OK;
}

enum sc_status expr_eval(const struct expr *e, const struct batch *in, struct expr_scratch *s,
                         struct batch *out, size_t col, struct diag *d)
{
    enum sc_status st = check_layout(e, in, s, d);
    if (st != SC_OK)
        return st;
    if (out == in || col >= out->n_cols || out->cols[col].type != expr_type(e))
        return diag_set(d, SC_EINTERNAL, NULL, 0, "output column %zu does not fit '%s' (%s)", col,
                        e->text, col_type_name(expr_type(e)));
    if (batch_reserve(out, in->n_rows) != 0 || scratch_grow(s, in->n_rows) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct column *oc = &out->cols[col];
    struct slot tmp = {.c = *oc, .valid = oc->valid, .cap = out->cap_rows};
    struct ectx x = {in, s, in->n_rows};
    struct vec r;
    int rc = eval_node(&x, e->root, &tmp, &r);
    *oc = tmp.c;
    if (rc == 0 && !r.v) {
        free(tmp.valid);
        oc->valid = NULL;
    } else {
        oc->valid = tmp.valid;
    }
    if (rc != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    return SC_OK;
}

enum sc_status expr_select(const struct expr *pred, const struct batch *in, struct expr_scratch *s,
                           size_t *sel, size_t *n_sel, struct diag *d)
{
    enum sc_status st = check_layout(pred, in, s, d);
    if (st != SC_OK)
        return st;
    if (expr_type(pred) != COL_BOOLEAN)
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "the condition '%s' is %s, not boolean (a comparison such as x > 0)",
                        pred->text, col_type_name(expr_type(pred)));
    if (scratch_grow(s, in->n_rows) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct ectx x = {in, s, in->n_rows};
    struct vec r;
    if (eval_node(&x, pred->root, NULL, &r) != 0)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    size_t n = in->n_rows, k = 0;
    if (!r.m) {
        if (is_valid(&r, 0) && r.i[0])
            for (size_t i = 0; i < n; i++)
                sel[k++] = i;
    } else if (r.v) {
        /* Branch-free: write every index, advance past the kept ones. */
        for (size_t i = 0; i < n; i++) {
            sel[k] = i;
            k += (r.v[i] != 0) & (r.i[i] != 0);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            sel[k] = i;
            k += r.i[i] != 0;
        }
    }
    *n_sel = k;
    return SC_OK;
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
        node_free(root);
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

void expr_item_fini(struct expr_item *it)
{
    if (!it)
        return;
    expr_free(it->e);
    free(it->alias);
    it->e = NULL;
    it->alias = NULL;
}

void expr_list_fini(struct expr_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        expr_item_fini(&l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

/* Rewrites the error in d with a prefix naming the list item. */
static void prefix_item(struct diag *d, size_t index, const char *text)
{
    if (!d || d->status != SC_EINPUT)
        return;
    char msg[sizeof d->msg + 128];
    snprintf(msg, sizeof msg, "item %zu (\"%.60s%s\"): %s", index + 1, text,
             strlen(text) > 60 ? "..." : "", d->msg);
    size_t len = strlen(msg);
    if (len >= sizeof d->msg)
        len = sizeof d->msg - 1;
    memcpy(d->msg, msg, len);
    d->msg[len] = '\0';
}

enum sc_status expr_list_select(struct expr_list *l, const struct batch *schema,
                                const char *const *texts, size_t n, struct diag *d)
{
    l->n = 0;
    l->items = calloc(n ? n : 1, sizeof *l->items);
    if (!l->items)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        enum sc_status st = expr_item_parse(texts[i], &l->items[i], d);
        if (st == SC_OK) {
            l->n++;
            st = expr_bind(l->items[i].e, schema, d);
        }
        if (st != SC_OK) {
            prefix_item(d, i, texts[i]);
            expr_list_fini(l);
            return st;
        }
    }
    return SC_OK;
}

/* A bound expression that is column i of schema. */
static struct expr *column_expr(const struct batch *schema, size_t i, struct diag *d)
{
    struct node *n = node_new(N_COL, 1);
    if (!n || !(n->name = strdup(schema->names[i]))) {
        node_free(n);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    struct expr *e = expr_wrap(n->name, 0, strlen(n->name), n, d);
    if (e && expr_bind(e, schema, d) != SC_OK) {
        expr_free(e);
        return NULL;
    }
    return e;
}

enum sc_status expr_list_with_column(struct expr_list *l, const struct batch *schema,
                                     const char *name, const char *text, struct diag *d)
{
    l->n = 0;
    l->items = calloc(schema->n_cols + 1, sizeof *l->items);
    if (!l->items)
        return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
    struct expr *value = expr_compile(text, schema, d);
    if (!value) {
        expr_list_fini(l);
        return d && d->status != SC_OK ? d->status : SC_EINPUT;
    }
    int replaced = batch_find(schema, name);
    for (size_t i = 0; i <= schema->n_cols; i++) {
        struct expr_item *it = &l->items[l->n];
        if (i == schema->n_cols && replaced >= 0)
            break;
        bool is_new = (int)i == replaced || i == schema->n_cols;
        it->e = is_new ? value : column_expr(schema, i, d);
        it->alias = strdup(is_new ? name : schema->names[i]);
        if (is_new)
            value = NULL;
        if (!it->e || !it->alias) {
            expr_free(value);
            expr_item_fini(it);
            expr_list_fini(l);
            return diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        }
        l->n++;
    }
    return SC_OK;
}

struct batch *expr_list_batch_new(const struct expr_list *l, size_t cap_rows)
{
    const char **names = malloc((l->n ? l->n : 1) * sizeof *names);
    enum col_type *types = malloc((l->n ? l->n : 1) * sizeof *types);
    struct batch *b = NULL;
    if (names && types) {
        for (size_t i = 0; i < l->n; i++) {
            names[i] = l->items[i].alias;
            types[i] = expr_type(l->items[i].e);
        }
        b = batch_new(l->n, names, types, cap_rows);
    }
    free(names);
    free(types);
    return b;
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

const char *expr_fn_name(enum expr_fn fn)
{
    switch (fn) {
    case EXPR_FN_COUNT: return "count";
    case EXPR_FN_COUNT_DISTINCT: return "count";
    case EXPR_FN_SUM: return "sum";
    case EXPR_FN_AVG: return "avg";
    case EXPR_FN_MIN: return "min";
    case EXPR_FN_MAX: return "max";
    case EXPR_FN_ROW_NUMBER: return "row_number";
    case EXPR_FN_RANK: return "rank";
    case EXPR_FN_DENSE_RANK: return "dense_rank";
    }
    return "?";
}

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
    node_free(root);
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

void expr_call_fini(struct expr_call *c)
{
    if (!c)
        return;
    expr_free(c->arg);
    free(c->alias);
    c->arg = NULL;
    c->alias = NULL;
}

enum sc_status expr_call_bind(struct expr_call *c, const struct batch *schema, struct diag *d)
{
    if (!c->arg)
        return SC_OK;
    enum sc_status st = expr_bind(c->arg, schema, d);
    if (st != SC_OK)
        return st;
    if ((c->fn == EXPR_FN_SUM || c->fn == EXPR_FN_AVG) && !is_num(c->arg->root->type))
        return diag_set(d, SC_EINPUT, NULL, 0,
                        "%s() needs a number; its argument at position %d is %s",
                        expr_fn_name(c->fn), c->arg->root->pos, type_name(c->arg->root->type));
    return SC_OK;
}

enum col_type expr_call_type(const struct expr_call *c)
{
    switch (c->fn) {
    case EXPR_FN_AVG: return COL_DOUBLE;
    case EXPR_FN_SUM: return c->arg && expr_type(c->arg) == COL_DOUBLE ? COL_DOUBLE : COL_INT64;
    case EXPR_FN_MIN:
    case EXPR_FN_MAX: return c->arg ? expr_type(c->arg) : COL_INT64;
    default: return COL_INT64;
    }
}
