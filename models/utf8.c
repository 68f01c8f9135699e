/*
 * utf8.c — UTF-8 checks and escaping of control characters (see utf8.h).
 * The decoder follows RFC 3629's table of well-formed byte sequences: the
 * second byte's range depends on the first (E0 needs A0-BF against
 * overlongs, ED 80-9F against surrogates, F0 90-BF, F4 80-8F).
 */
#include "models/utf8.h"

#include <stdio.h>
#include <string.h>

/* The length of the well-formed sequence at p, or 0 when it is malformed. */
static size_t sequence_length(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

long utf8_invalid_at(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; p[i];) {
        size_t n = sequence_length(p + i);
        if (n == 0)
            return (long)i;
        i += n;
    }
    return -1;
}

const char *utf8_escape_controls(const char *s, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; p[i];) {
        char esc[8];
        size_t n = sequence_length(p + i);
        const char *piece;
        size_t len;
        if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", p[i]);
            piece = esc, len = 4, n = 1;
        } else if (n == 1 && (p[i] < 0x20 || p[i] == 0x7F)) {
            snprintf(esc, sizeof esc, "\\x%02X", p[i]);
            piece = esc, len = 4;
        } else if (n == 2 && p[i] == 0xC2 && p[i + 1] <= 0x9F) {
            snprintf(esc, sizeof esc, "\\u%04X", p[i + 1]); /* U+0080-U+009F */
            piece = esc, len = 6;
        } else {
            piece = (const char *)p + i, len = n;
        }
        if (o + len >= size)
            break;
        memcpy(buf + o, piece, len);
        o += len;
        i += n;
    }
    buf[o] = '\0';
    return buf;
}
