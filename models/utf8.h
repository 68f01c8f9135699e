/*
 * utf8.h — text that comes from input files (scenario strings, an event
 * log's App Name) checked as UTF-8, and made safe to echo to a terminal:
 * a control character in a name could retitle, clear or rewrite the screen.
 * Pure functions on NUL-terminated strings; no allocation.
 */
#ifndef STAGECAST_UTF8_H
#define STAGECAST_UTF8_H

#include <stddef.h>

/* The byte offset of the first byte of s that does not start or continue a
 * well-formed UTF-8 sequence (overlong forms, surrogates and code points past
 * U+10FFFF are malformed, as RFC 3629 says), or -1 when all of s is UTF-8. */
long utf8_invalid_at(const char *s);

/* Copies s into buf (size bytes, always NUL-terminated, truncated to fit)
 * with every C0 control (U+0000-U+001F), DEL and C1 control (U+0080-U+009F)
 * written as \xNN or \u00NN, and every byte that is not UTF-8 as \xNN; a
 * backslash stays as it is. Returns buf. */
const char *utf8_escape_controls(const char *s, char *buf, size_t size);

#endif
