/*
 * jdoc.h — one line of an event log as a JSON document of flat tokens,
 * inside the event-log reader (evlog_events.c). jdoc_scan reads a line in
 * one pass without allocating per value and accepts only what jansson's
 * json_loadb (flags 0, as the reader calls it) accepts, with the same
 * values; anything it is not sure of it leaves to jansson (JDOC_REJECT),
 * and jdoc_from_json turns jansson's result into the same tokens, so the
 * handlers that read tokens see one document whichever parser read it.
 * Not for use outside sim/eventlog/.
 *
 * Ownership: a struct jdoc owns its token array (jdoc_fini frees it); the
 * tokens point into the scanned text (or into the json_t converted), which
 * must outlive their use.
 */
#ifndef STAGECAST_JDOC_H
#define STAGECAST_JDOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jdoc_type {
    JDOC_OBJECT,
    JDOC_ARRAY,
    JDOC_STRING,
    JDOC_INT,
    JDOC_REAL,
    JDOC_TRUE,
    JDOC_FALSE,
    JDOC_NULL
};

/* A value. An object's tokens are followed by its members as key, value,
 * key, value (keys are strings); an array's by its elements; `end` is the
 * index of the first token after the value and all it contains. */
struct jdoc_tok {
    const char *text; /* a string's bytes (between the quotes when scanned) */
    uint32_t len;     /* bytes at text */
    uint32_t end;
    uint8_t type; /* enum jdoc_type */
    bool escaped; /* the bytes hold backslash escapes still to decode */
    union {
        int64_t i; /* JDOC_INT */
        double d;  /* JDOC_REAL */
    } num;
};

struct jdoc {
    struct jdoc_tok *tok; /* tok[0] is the document's top value */
    size_t n, cap;
};

/* The most values a scanned line may hold and the deepest nesting the
 * scanner follows; a line beyond either is left to jansson. */
#define JDOC_MAX_TOKENS ((size_t)1 << 22)
#define JDOC_MAX_DEPTH 64

enum jdoc_scan_result {
    JDOC_OK,     /* the line is JSON as jansson reads it; d holds it */
    JDOC_REJECT, /* jansson must decide: malformed, or beyond the scanner */
    JDOC_NOMEM   /* the token array could not grow */
};

void jdoc_init(struct jdoc *d);
void jdoc_fini(struct jdoc *d);

/* Reads text[0..len) as a JSON object or array with nothing after it
 * (whitespace aside). Never reads past text + len. */
enum jdoc_scan_result jdoc_scan(struct jdoc *d, const char *text, size_t len);

/* Fills d with the tokens of a value jansson parsed. Returns 0, or -1 when
 * the token array cannot grow. */
int jdoc_from_json(struct jdoc *d, json_t *v);

/* The index of the value of key in the object at index obj (the last one
 * when a key repeats, as jansson keeps it), or -1 when obj is -1, not an
 * object, or has no such key. */
long jdoc_get(const struct jdoc *d, long obj, const char *key);

/* Whether the value at i (-1: none) is of type t. */
bool jdoc_is(const struct jdoc *d, long i, enum jdoc_type t);

/* An integer as the reader takes one: an integer, or a real with an
 * integral value below 9e18 in magnitude. False when i is -1 or neither. */
bool jdoc_int(const struct jdoc *d, long i, int64_t *out);

/* Whether the value at i is a string equal, once decoded, to s. */
bool jdoc_str_eq(const struct jdoc *d, long i, const char *s);

/* Copies the decoded string at i into buf (NUL-terminated) and returns its
 * length, or -1 when i is not a string or it does not fit in cap bytes. */
long jdoc_str_copy(const struct jdoc *d, long i, char *buf, size_t cap);

#endif
