/*
 * plan_expr.c — reading query-step expression text for the planner (see
 * plan_expr.h). It sits between the scenario (which keeps expressions as the
 * user wrote them) and the planner and its statistics, which only need to
 * know which columns an expression touches and roughly what it yields.
 *
 * The scanning rules follow Spark SQL's lexer where it matters here:
 * identifiers are letters, digits and '_' not starting with a digit (a
 * back-quoted name is one identifier); '...' and "..." are string literals
 * and are skipped; a name directly followed by '(' is a function.
 */
#include "sim/plan/plan_expr.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Skips a quoted literal starting at p (which points at the quote); returns
 * the position after its closing quote (or the end of the text). A doubled
 * quote or a backslash escapes, as Spark reads them. */
static const char *skip_quoted(const char *p)
{
    char q = *p++;
    while (*p) {
        if (*p == '\\' && p[1]) {
            p += 2;
            continue;
        }
        if (*p == q) {
            if (p[1] == q) {
                p += 2;
                continue;
            }
            return p + 1;
        }
        p++;
    }
    return p;
}

/* Calls back for every identifier token; stops when fn returns true. The
 * token is [start, start+len); is_call says a '(' follows it. */
typedef bool (*ident_fn)(const char *start, size_t len, bool is_call, void *arg);

static bool scan_idents(const char *text, ident_fn fn, void *arg)
{
    const char *p = text;
    while (p && *p) {
        if (*p == '\'' || *p == '"') {
            p = skip_quoted(p);
        } else if (*p == '`') {
            const char *end = strchr(p + 1, '`');
            if (!end)
                return false;
            if (fn(p + 1, (size_t)(end - p - 1), false, arg))
                return true;
            p = end + 1;
        } else if (ident_start(*p)) {
            const char *s = p;
            while (ident_char(*p))
                p++;
            const char *q = p;
            while (*q == ' ' || *q == '\t')
                q++;
            if (fn(s, (size_t)(p - s), *q == '(', arg))
                return true;
        } else if (isdigit((unsigned char)*p)) {
            /* A number, including 1e6 and 0x1F: its letters are not names. */
            while (isalnum((unsigned char)*p) || *p == '.')
                p++;
        } else {
            p++;
        }
    }
    return false;
}

struct refers_arg {
    const char *column;
    size_t len;
};

static bool refers_cb(const char *start, size_t len, bool is_call, void *arg)
{
    const struct refers_arg *r = arg;
    return !is_call && len == r->len && strncasecmp(start, r->column, len) == 0;
}

bool plan_expr_refers(const char *text, const char *column)
{
    if (!text || !column || !*column)
        return false;
    struct refers_arg r = {column, strlen(column)};
    return scan_idents(text, refers_cb, &r);
}

bool plan_expr_is_ident(const char *text)
{
    if (!text)
        return false;
    while (isspace((unsigned char)*text))
        text++;
    if (*text == '`') {
        const char *end = strchr(text + 1, '`');
        if (!end)
            return false;
        for (end++; *end; end++)
            if (!isspace((unsigned char)*end))
                return false;
        return true;
    }
    if (!ident_start(*text))
        return false;
    while (ident_char(*text))
        text++;
    while (isspace((unsigned char)*text))
        text++;
    return *text == '\0';
}

/* Copies [s, s+len) trimmed into buf; returns -1 when it does not fit. */
static int copy_trimmed(const char *s, size_t len, char *buf, size_t size)
{
    while (len > 0 && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (len + 1 > size)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return 0;
}

const char *plan_expr_find_word(const char *text, const char *word)
{
    size_t wl = strlen(word);
    const char *p = text;
    while (p && *p) {
        if (*p == '\'' || *p == '"') {
            p = skip_quoted(p);
            continue;
        }
        if (ident_start(*p)) {
            const char *s = p;
            while (ident_char(*p))
                p++;
            if ((size_t)(p - s) == wl && strncasecmp(s, word, wl) == 0)
                return s;
            continue;
        }
        p++;
    }
    return NULL;
}

/* The last top-level " AS " (outside quotes and parentheses), or NULL. */
static const char *find_alias(const char *text)
{
    const char *found = NULL;
    int depth = 0;
    const char *p = text;
    while (*p) {
        if (*p == '\'' || *p == '"') {
            p = skip_quoted(p);
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (depth == 0 && ident_start(*p) && (p == text || !ident_char(p[-1]))) {
            const char *s = p;
            while (ident_char(*p))
                p++;
            if (p - s == 2 && strncasecmp(s, "as", 2) == 0)
                found = s;
            continue;
        }
        p++;
    }
    return found;
}

int plan_expr_parse_call(const char *text, struct plan_call *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return -1;
    const char *as = find_alias(text);
    size_t call_len = as ? (size_t)(as - text) : strlen(text);
    if (as) {
        if (copy_trimmed(as + 2, strlen(as + 2), out->alias, sizeof out->alias) != 0 ||
            !out->alias[0])
            return -1;
    } else if (copy_trimmed(text, call_len, out->alias, sizeof out->alias) != 0) {
        return -1;
    }
    /* Strip back quotes from an alias, as Spark does. */
    size_t al = strlen(out->alias);
    if (al >= 2 && out->alias[0] == '`' && out->alias[al - 1] == '`') {
        memmove(out->alias, out->alias + 1, al - 2);
        out->alias[al - 2] = '\0';
    }
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    const char *name = p;
    while (ident_char(*p))
        p++;
    size_t name_len = (size_t)(p - name);
    while (*p == ' ' || *p == '\t')
        p++;
    if (name_len == 0 || name_len >= sizeof out->func || *p != '(')
        return -1;
    for (size_t i = 0; i < name_len; i++)
        out->func[i] = (char)tolower((unsigned char)name[i]);
    out->func[name_len] = '\0';
    /* The argument runs to the matching parenthesis. */
    const char *open = p;
    int depth = 0;
    const char *close = NULL;
    for (const char *q = open; q < text + call_len && *q; q++) {
        if (*q == '\'' || *q == '"') {
            q = skip_quoted(q) - 1;
            continue;
        }
        if (*q == '(')
            depth++;
        else if (*q == ')' && --depth == 0) {
            close = q;
            break;
        }
    }
    if (!close)
        return -1;
    const char *arg = open + 1;
    size_t arg_len = (size_t)(close - arg);
    while (arg_len > 0 && isspace((unsigned char)*arg)) {
        arg++;
        arg_len--;
    }
    if (arg_len > 8 && strncasecmp(arg, "distinct", 8) == 0 && isspace((unsigned char)arg[8])) {
        out->distinct = true;
        arg += 9;
        arg_len -= 9;
    }
    return copy_trimmed(arg, arg_len, out->arg, sizeof out->arg);
}

const char *plan_expr_sort_key(const char *text, char *buf, size_t size, bool *desc)
{
    *desc = false;
    if (copy_trimmed(text, strlen(text), buf, size) != 0) {
        buf[0] = '\0';
        return buf;
    }
    size_t len = strlen(buf);
    /* Spark's explain spells a direction with its null order; a key may too. */
    static const char *const suffixes[] = {" desc nulls last", " desc nulls first", " desc",
                                           " asc nulls first", " asc nulls last",   " asc"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len > sl && strcasecmp(buf + len - sl, suffixes[i]) == 0) {
            *desc = i < 3;
            buf[len - sl] = '\0';
            break;
        }
    }
    len = strlen(buf);
    while (len > 0 && isspace((unsigned char)buf[len - 1]))
        buf[--len] = '\0';
    if (len >= 2 && buf[0] == '`' && buf[len - 1] == '`') {
        memmove(buf, buf + 1, len - 2);
        buf[len - 2] = '\0';
    }
    return buf;
}

struct type_arg {
    const char *const *names;
    const enum col_type *types;
    size_t n;
    int widest; /* 0 none, 1 int32, 2 int64, 3 double, 4 date, 5 timestamp */
    bool string_col;
};

static bool type_cb(const char *start, size_t len, bool is_call, void *arg)
{
    struct type_arg *t = arg;
    if (is_call) {
        if ((len == 4 && strncasecmp(start, "rand", 4) == 0) ||
            (len == 3 && strncasecmp(start, "avg", 3) == 0))
            t->widest = 3;
        return false;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (strlen(t->names[i]) != len || strncasecmp(start, t->names[i], len) != 0)
            continue;
        int w = 0;
        switch (t->types[i]) {
        case COL_INT32: w = 1; break;
        case COL_INT64: w = 2; break;
        case COL_DOUBLE: w = 3; break;
        case COL_DATE: w = 4; break;
        case COL_TIMESTAMP: w = 5; break;
        case COL_STRING: t->string_col = true; break;
        case COL_BOOLEAN: break;
        }
        if (w > t->widest)
            t->widest = w;
    }
    return false;
}

/* True when text has op (one of the comparison or logic operators) at the
 * top level, outside quotes and parentheses and outside CASE ... END. */
static bool top_level_predicate(const char *text)
{
    int depth = 0;
    const char *p = text;
    while (*p) {
        if (*p == '\'' || *p == '"') {
            p = skip_quoted(p);
            continue;
        }
        if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (depth == 0 && (*p == '<' || *p == '>' || *p == '=' || (*p == '!' && p[1] == '=')))
            return true;
        else if (ident_start(*p) && (p == text || !ident_char(p[-1]))) {
            const char *s = p;
            while (ident_char(*p))
                p++;
            size_t l = (size_t)(p - s);
            if (depth == 0 && ((l == 3 && strncasecmp(s, "and", 3) == 0) ||
                               (l == 2 && strncasecmp(s, "or", 2) == 0) ||
                               (l == 3 && strncasecmp(s, "not", 3) == 0) ||
                               (l == 2 && strncasecmp(s, "is", 2) == 0) ||
                               (l == 2 && strncasecmp(s, "in", 2) == 0) ||
                               (l == 7 && strncasecmp(s, "between", 7) == 0) ||
                               (l == 4 && strncasecmp(s, "like", 4) == 0)))
                return true;
            if (l == 4 && strncasecmp(s, "case", 4) == 0)
                depth++;
            else if (l == 3 && strncasecmp(s, "end", 3) == 0)
                depth--;
            continue;
        }
        p++;
    }
    return false;
}

enum col_type plan_expr_type(const char *expr, const char *const *col_names,
                             const enum col_type *col_types, size_t n_cols)
{
    if (!expr)
        return COL_DOUBLE;
    const char *cast = plan_expr_find_word(expr, "cast");
    if (cast) {
        /* cast(x AS type): the type named after the last AS. */
        const char *p = cast;
        const char *last_as = NULL;
        while ((p = plan_expr_find_word(p, "as")) != NULL) {
            last_as = p;
            p += 2;
        }
        if (last_as) {
            const char *t = last_as + 2;
            while (isspace((unsigned char)*t))
                t++;
            if (strncasecmp(t, "string", 6) == 0 || strncasecmp(t, "varchar", 7) == 0)
                return COL_STRING;
            if (strncasecmp(t, "double", 6) == 0 || strncasecmp(t, "float", 5) == 0 ||
                strncasecmp(t, "decimal", 7) == 0)
                return COL_DOUBLE;
            if (strncasecmp(t, "bigint", 6) == 0 || strncasecmp(t, "long", 4) == 0)
                return COL_INT64;
            if (strncasecmp(t, "int", 3) == 0)
                return COL_INT32;
            if (strncasecmp(t, "date", 4) == 0)
                return COL_DATE;
            if (strncasecmp(t, "timestamp", 9) == 0)
                return COL_TIMESTAMP;
            if (strncasecmp(t, "boolean", 7) == 0)
                return COL_BOOLEAN;
        }
    }
    /* A date or time function around the whole expression: its type, as
     * the expression binder (models/expr_bind.c) gives it. */
    static const struct {
        const char *fn;
        enum col_type type;
    } time_fns[] = {{"to_date", COL_DATE},
                    {"date_add", COL_DATE},
                    {"date_sub", COL_DATE},
                    {"to_timestamp", COL_TIMESTAMP},
                    {"date_trunc", COL_TIMESTAMP},
                    {"year", COL_INT32},
                    {"month", COL_INT32},
                    {"dayofmonth", COL_INT32},
                    {"day", COL_INT32},
                    {"hour", COL_INT32},
                    {"datediff", COL_INT32}};
    const char *lead = expr;
    while (isspace((unsigned char)*lead))
        lead++;
    for (size_t i = 0; i < sizeof time_fns / sizeof time_fns[0]; i++) {
        size_t l = strlen(time_fns[i].fn);
        /* The name first: lead may be shorter than it. */
        if (strncasecmp(lead, time_fns[i].fn, l) != 0)
            continue;
        const char *q = lead + l;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '(' &&
            plan_expr_find_word(expr, time_fns[i].fn) == lead && !top_level_predicate(expr))
            return time_fns[i].type;
    }
    bool is_case = plan_expr_find_word(expr, "case") != NULL;
    if (!is_case && top_level_predicate(expr))
        return COL_BOOLEAN;
    bool quoted = strchr(expr, '\'') != NULL || strchr(expr, '"') != NULL;
    if (quoted)
        return COL_STRING;
    struct type_arg t = {col_names, col_types, n_cols, 0, false};
    scan_idents(expr, type_cb, &t);
    bool decimal = false;
    for (const char *p = expr; *p; p++)
        if (*p == '/' || (*p == '.' && isdigit((unsigned char)p[1]) && p > expr &&
                          isdigit((unsigned char)p[-1])))
            decimal = true;
    if (decimal || t.widest == 3)
        return COL_DOUBLE;
    if (t.widest == 0 && t.string_col)
        return COL_STRING;
    if (t.widest == 4)
        return COL_DATE;
    if (t.widest == 5)
        return COL_TIMESTAMP;
    return t.widest == 2 ? COL_INT64 : COL_INT32;
}
