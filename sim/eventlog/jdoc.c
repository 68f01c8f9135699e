/*
 * jdoc.c — a JSON line as flat tokens (see jdoc.h), the fast first reading
 * of each event-log line in evlog_events.c: most of a log's bytes are
 * SparkListenerTaskEnd lines whose accumulables the reader ignores, and
 * building jansson's objects for them cost 94% of an import.
 *
 * The scanner must never accept a line jansson rejects, nor read a value
 * differently: a line it accepts is not shown to jansson at all. So it
 * follows jansson 2.14's load.c rule by rule (RFC 8259 grammar; only an
 * object or an array at the top, as without JSON_DECODE_ANY; strings of
 * strict UTF-8 with no control character, \u escapes paired into valid
 * code points and never \u0000, as without JSON_ALLOW_NUL; integers within
 * int64 (strtoll's range), reals that strtod does not overflow; nothing but
 * whitespace after the value), and where following a rule would cost code
 * for a case no Spark log has (nesting deeper than JDOC_MAX_DEPTH, a real
 * written with 128 characters or more) it says JDOC_REJECT and jansson
 * decides, with its own message for a line that is not JSON.
 */
#include "sim/eventlog/jdoc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void jdoc_init(struct jdoc *d)
{
    memset(d, 0, sizeof *d);
}

void jdoc_fini(struct jdoc *d)
{
    free(d->tok);
    memset(d, 0, sizeof *d);
}

/* Doubles the token array; false when it cannot grow (or would pass
 * limit). */
static bool grow(struct jdoc *d, size_t limit)
{
    if (d->cap >= limit)
        return false;
    size_t cap = d->cap ? d->cap * 2 : 256;
    struct jdoc_tok *p = realloc(d->tok, cap * sizeof *p);
    if (!p)
        return false;
    d->tok = p;
    d->cap = cap;
    return true;
}

/* A new token at the end; NULL when the array cannot grow (or, scanning,
 * would pass JDOC_MAX_TOKENS). Inline: a task-end line has ~1,000 values. */
static inline struct jdoc_tok *push(struct jdoc *d, enum jdoc_type t, size_t limit)
{
    if (d->n == d->cap && !grow(d, limit))
        return NULL;
    struct jdoc_tok *k = &d->tok[d->n++];
    k->type = (uint8_t)t;
    k->escaped = false;
    k->text = NULL;
    k->len = 0;
    k->end = (uint32_t)d->n;
    return k;
}

/* ------------------------------------------------------------ scanning */

/* Bytes a string holds as they are: printable ASCII but the quote and the
 * backslash. Everything else needs a closer look. */
static const unsigned char plain_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The code unit of the 4 hex digits at p (p + 4 <= end checked by the
 * caller), or -1. */
static long hex4(const unsigned char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The length of the valid UTF-8 sequence at p (jansson's utf8_check_first
 * and utf8_check_full: no overlong form, no surrogate, nothing past
 * U+10FFFF), or 0. */
static size_t utf8_length(const unsigned char *p, const unsigned char *end)
{
    unsigned char u = p[0];
    size_t n;
    uint32_t v;
    if (u >= 0xC2 && u <= 0xDF)
        n = 2, v = u & 0x1F;
    else if (u >= 0xE0 && u <= 0xEF)
        n = 3, v = u & 0x0F;
    else if (u >= 0xF0 && u <= 0xF4)
        n = 4, v = u & 0x07;
    else
        return 0;
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
        v = (v << 6) | (p[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
        (n == 4 && v < 0x10000))
        return 0;
    return n;
}

/* The \u escape at p (just after the backslash and 'u'): advances *pp past
 * it (and past its low surrogate) and returns the code point, or -1 where
 * jansson refuses: a bad digit, a lone or misordered surrogate, U+0000. */
static long unicode_escape(const unsigned char **pp, const unsigned char *end)
{
    const unsigned char *p = *pp;
    if (end - p < 4)
        return -1;
    long v = hex4(p);
    p += 4;
    if (v < 0 || v == 0 || (v >= 0xDC00 && v <= 0xDFFF))
        return -1;
    if (v >= 0xD800 && v <= 0xDBFF) {
        if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
            return -1;
        long lo = hex4(p + 2);
        if (lo < 0xDC00 || lo > 0xDFFF)
            return -1;
        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
    }
    *pp = p;
    return v;
}

/* A string starting at the quote *pp: advances past its closing quote.
 * Returns false where jansson refuses it. */
static bool scan_string(const unsigned char **pp, const unsigned char *end, struct jdoc_tok *t)
{
    const unsigned char *p = *pp + 1, *start = p;
    bool escaped = false;
    for (;;) {
        /* Eight bytes at a time while none needs a look (SWAR: a byte below
         * 0x20, a quote, a backslash or a high bit sets its 0x80 bit). */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
            uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
            uint64_t hit = ((x - ones * 0x20) | (q - ones) | (b - ones) | x) & high;
            /* x - 0x20.. borrows (sets 0x80) for bytes below 0x20; q - 1..
             * for the quote's zero byte; b - 1.. for the backslash's. A
             * borrow may mark the byte after a hit as well: harmless, the
             * byte loop below looks at each byte itself. */
            if (hit)
                break;
            p += 8;
        }
        while (p < end && plain_byte[*p])
            p++;
        if (p == end)
            return false;
        unsigned char c = *p;
        if (c == '"')
            break;
        if (c == '\\') {
            escaped = true;
            if (++p == end)
                return false;
            c = *p++;
            if (c == 'u') {
                if (unicode_escape(&p, end) < 0)
                    return false;
            } else if (!strchr("\"\\/bfnrt", c) || c == '\0') {
                return false;
            }
            continue;
        }
        if (c < 0x20)
            return false; /* a control character, as jansson: never raw */
        size_t n = utf8_length(p, end);
        if (n == 0)
            return false;
        p += n;
    }
    t->text = (const char *)start;
    t->len = (uint32_t)(p - start);
    t->escaped = escaped;
    *pp = p + 1;
    return true;
}

static bool is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* A number at *pp: an integer when it has neither fraction nor exponent
 * (jansson then reads it with strtoll and refuses one out of range), else a
 * real (strtod, refused when it overflows). */
static bool scan_number(const unsigned char **pp, const unsigned char *end, struct jdoc_tok *t)
{
    const unsigned char *p = *pp, *q = p;
    bool neg = false;
    if (*q == '-') {
        neg = true;
        q++;
    }
    uint64_t mag = 0;
    bool too_big = false;
    if (!is_digit(q, end))
        return false;
    if (*q == '0') {
        q++;
        if (is_digit(q, end))
            return false; /* a leading zero */
    } else {
        /* 19 digits always fit in a uint64; past them, check each step. */
        const unsigned char *first = q;
        while (is_digit(q, end)) {
            unsigned dgt = (unsigned)(*q++ - '0');
            if (q - first > 19 && mag > (UINT64_MAX - dgt) / 10)
                too_big = true;
            else
                mag = mag * 10 + dgt;
        }
    }
    bool real = false;
    if (q < end && *q == '.') {
        q++;
        if (!is_digit(q, end))
            return false;
        while (is_digit(q, end))
            q++;
        real = true;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(q, end))
            return false;
        while (is_digit(q, end))
            q++;
        real = true;
    }
    if (!real) {
        /* strtoll's range: [-2^63, 2^63 - 1]. */
        if (too_big || mag > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX))
            return false;
        t->type = JDOC_INT;
        t->num.i = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    } else {
        char buf[128];
        size_t n = (size_t)(q - p);
        if (n >= sizeof buf)
            return false; /* left to jansson */
        memcpy(buf, p, n);
        buf[n] = '\0';
        errno = 0;
        double x = strtod(buf, NULL);
        if ((x == HUGE_VAL || x == -HUGE_VAL) && errno == ERANGE)
            return false;
        t->type = JDOC_REAL;
        t->num.d = x;
    }
    *pp = q;
    return true;
}

static inline const unsigned char *skip_space(const unsigned char *p, const unsigned char *end)
{
    /* Spark writes no whitespace between tokens: one test in the usual case. */
    if (p<end && * p> ' ')
        return p;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* A literal word at p: true, false or null, not followed by a letter. */
static bool scan_word(const unsigned char **pp, const unsigned char *end, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(end - *pp) < n || memcmp(*pp, w, n) != 0)
        return false;
    *pp += n;
    return true;
}

enum jdoc_scan_result jdoc_scan(struct jdoc *d, const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    size_t stack[JDOC_MAX_DEPTH]; /* the open containers' token indices */
    size_t depth = 0;
    d->n = 0;
    if (len > UINT32_MAX)
        return JDOC_REJECT;
    p = skip_space(p, end);
    if (p == end || (*p != '{' && *p != '['))
        return JDOC_REJECT; /* jansson: '[' or '{' expected */
    for (;;) {
        /* A value at p. */
        struct jdoc_tok *t;
        if (p == end)
            return JDOC_REJECT;
        unsigned char c = *p;
        if (c == '{' || c == '[') {
            if (depth == JDOC_MAX_DEPTH)
                return JDOC_REJECT;
            if (!(t = push(d, c == '{' ? JDOC_OBJECT : JDOC_ARRAY, JDOC_MAX_TOKENS)))
                return d->cap >= JDOC_MAX_TOKENS ? JDOC_REJECT : JDOC_NOMEM;
            stack[depth++] = d->n - 1;
            p = skip_space(p + 1, end);
            if (p < end && *p == (c == '{' ? '}' : ']')) {
                p++;
                depth--;
                goto after_value;
            }
            if (c == '[')
                continue;
            goto key;
        }
        if (!(t = push(d, JDOC_STRING, JDOC_MAX_TOKENS)))
            return d->cap >= JDOC_MAX_TOKENS ? JDOC_REJECT : JDOC_NOMEM;
        if (c == '"') {
            if (!scan_string(&p, end, t))
                return JDOC_REJECT;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!scan_number(&p, end, t))
                return JDOC_REJECT;
        } else if (c == 't' && scan_word(&p, end, "true")) {
            t->type = JDOC_TRUE;
        } else if (c == 'f' && scan_word(&p, end, "false")) {
            t->type = JDOC_FALSE;
        } else if (c == 'n' && scan_word(&p, end, "null")) {
            t->type = JDOC_NULL;
        } else {
            return JDOC_REJECT;
        }

    after_value:
        /* A value ended: close containers, or go on to the next member. */
        for (;;) {
            if (depth == 0) {
                d->tok[0].end = (uint32_t)d->n;
                p = skip_space(p, end);
                return p == end ? JDOC_OK : JDOC_REJECT; /* jansson: end of file expected */
            }
            p = skip_space(p, end);
            if (p == end)
                return JDOC_REJECT;
            struct jdoc_tok *open = &d->tok[stack[depth - 1]];
            bool object = open->type == JDOC_OBJECT;
            if (*p == (object ? '}' : ']')) {
                p++;
                open->end = (uint32_t)d->n;
                depth--;
                continue;
            }
            if (*p != ',')
                return JDOC_REJECT;
            p = skip_space(p + 1, end);
            break;
        }
        if (d->tok[stack[depth - 1]].type == JDOC_ARRAY)
            continue;
    key:
        /* An object member: a string key, a colon, then its value. */
        if (p == end || *p != '"')
            return JDOC_REJECT;
        if (!(t = push(d, JDOC_STRING, JDOC_MAX_TOKENS)))
            return d->cap >= JDOC_MAX_TOKENS ? JDOC_REJECT : JDOC_NOMEM;
        if (!scan_string(&p, end, t))
            return JDOC_REJECT;
        p = skip_space(p, end);
        if (p == end || *p != ':')
            return JDOC_REJECT;
        p = skip_space(p + 1, end);
    }
}

/* ---------------------------------------------------- from jansson's tree */

static int from_json(struct jdoc *d, json_t *v)
{
    size_t at = d->n;
    struct jdoc_tok *t = push(d, JDOC_NULL, SIZE_MAX);
    if (!t)
        return -1;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        t->type = JDOC_OBJECT;
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m)
        {
            struct jdoc_tok *k = push(d, JDOC_STRING, SIZE_MAX);
            if (!k)
                return -1;
            k->text = key;
            k->len = (uint32_t)strlen(key);
            if (from_json(d, m) != 0)
                return -1;
        }
        break;
    }
    case JSON_ARRAY:
        t->type = JDOC_ARRAY;
        for (size_t i = 0; i < json_array_size(v); i++)
            if (from_json(d, json_array_get(v, i)) != 0)
                return -1;
        break;
    case JSON_STRING:
        t->type = JDOC_STRING;
        t->text = json_string_value(v);
        t->len = (uint32_t)json_string_length(v);
        break;
    case JSON_INTEGER:
        t->type = JDOC_INT;
        t->num.i = (int64_t)json_integer_value(v);
        break;
    case JSON_REAL:
        t->type = JDOC_REAL;
        t->num.d = json_real_value(v);
        break;
    case JSON_TRUE: t->type = JDOC_TRUE; break;
    case JSON_FALSE: t->type = JDOC_FALSE; break;
    case JSON_NULL: t->type = JDOC_NULL; break;
    }
    /* t may have moved as the array grew. */
    d->tok[at].end = (uint32_t)d->n;
    return 0;
}

int jdoc_from_json(struct jdoc *d, json_t *v)
{
    d->n = 0;
    return from_json(d, v);
}

/* --------------------------------------------------------------- reading */

/* Decodes the next character of an escaped string at *pp into out (UTF-8)
 * and returns its byte count. The string was checked when scanned. */
static size_t decode_char(const unsigned char **pp, const unsigned char *end, unsigned char *out)
{
    const unsigned char *p = *pp;
    if (*p != '\\') {
        out[0] = *p;
        *pp = p + 1;
        return 1;
    }
    p++;
    unsigned char c = *p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (c != 'u') {
        out[0] = (unsigned char)to[strchr(from, c) - from];
        *pp = p;
        return 1;
    }
    long v = unicode_escape(&p, end);
    *pp = p;
    if (v < 0x80) {
        out[0] = (unsigned char)v;
        return 1;
    }
    if (v < 0x800) {
        out[0] = (unsigned char)(0xC0 | (v >> 6));
        out[1] = (unsigned char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (v >> 12));
        out[1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (v & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (v >> 18));
    out[1] = (unsigned char)(0x80 | ((v >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (v & 0x3F));
    return 4;
}

static bool tok_eq(const struct jdoc_tok *t, const char *s, size_t n)
{
    if (!t->escaped)
        return t->len == n && memcmp(t->text, s, n) == 0;
    const unsigned char *p = (const unsigned char *)t->text, *end = p + t->len;
    size_t at = 0;
    while (p < end) {
        unsigned char ch[4];
        size_t k = decode_char(&p, end, ch);
        if (at + k > n || memcmp(s + at, ch, k) != 0)
            return false;
        at += k;
    }
    return at == n;
}

long jdoc_get(const struct jdoc *d, long obj, const char *key)
{
    if (obj < 0 || (size_t)obj >= d->n || d->tok[obj].type != JDOC_OBJECT)
        return -1;
    size_t n = strlen(key);
    long found = -1;
    for (size_t i = (size_t)obj + 1; i < d->tok[obj].end; i = d->tok[i + 1].end)
        if (tok_eq(&d->tok[i], key, n))
            found = (long)i + 1;
    return found;
}

bool jdoc_is(const struct jdoc *d, long i, enum jdoc_type t)
{
    return i >= 0 && (size_t)i < d->n && d->tok[i].type == t;
}

bool jdoc_int(const struct jdoc *d, long i, int64_t *out)
{
    if (jdoc_is(d, i, JDOC_INT)) {
        *out = d->tok[i].num.i;
        return true;
    }
    if (jdoc_is(d, i, JDOC_REAL)) {
        double x = d->tok[i].num.d;
        if (x == floor(x) && fabs(x) < 9.0e18) {
            *out = (int64_t)x;
            return true;
        }
    }
    return false;
}

bool jdoc_str_eq(const struct jdoc *d, long i, const char *s)
{
    return jdoc_is(d, i, JDOC_STRING) && tok_eq(&d->tok[i], s, strlen(s));
}

long jdoc_str_copy(const struct jdoc *d, long i, char *buf, size_t cap)
{
    if (!jdoc_is(d, i, JDOC_STRING) || cap == 0)
        return -1;
    const struct jdoc_tok *t = &d->tok[i];
    const unsigned char *p = (const unsigned char *)t->text, *end = p + t->len;
    size_t at = 0;
    while (p < end) {
        unsigned char ch[4];
        size_t k = t->escaped ? decode_char(&p, end, ch) : (ch[0] = *p++, 1);
        if (at + k >= cap)
            return -1;
        memcpy(buf + at, ch, k);
        at += k;
    }
    buf[at] = '\0';
    return (long)at;
}
