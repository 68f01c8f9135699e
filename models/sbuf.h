/*
 * sbuf.h — growable text built with printf-style appends, for plan
 * descriptions and cache keys.
 *
 * A zero-initialized struct sbuf is empty. Appends never fail loudly: when
 * memory runs out the buffer remembers it and sb_take returns NULL, so a
 * long run of appends needs one check at the end.
 */
#ifndef STAGECAST_SBUF_H
#define STAGECAST_SBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct sbuf {
    char *p;    /* the text, NUL-terminated once anything was added */
    size_t len; /* its length */
    size_t cap; /* bytes allocated */
    bool oom;   /* an append ran out of memory: the text is incomplete */
};

void sb_vadd(struct sbuf *b, const char *fmt, va_list ap);
void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The text (the caller frees it; "" when nothing was added), leaving B
 * empty; NULL when memory ran out. */
char *sb_take(struct sbuf *b);

#endif
