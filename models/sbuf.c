/*
 * sbuf.c — growable text (see sbuf.h).
 */
#include "models/sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_vadd(struct sbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
    b->len += (size_t)n;
}

void sb_add(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vadd(b, fmt, ap);
    va_end(ap);
}

char *sb_take(struct sbuf *b)
{
    char *p = b->p;
    bool oom = b->oom;
    memset(b, 0, sizeof *b);
    if (oom) {
        free(p);
        return NULL;
    }
    return p ? p : strdup("");
}
