/*
 * diag.h — the project-wide status codes and the diagnostic that carries an
 * error from where it is found to main, which prints it once.
 *
 * Library code never prints and never exits: a function that fails returns a
 * status other than SC_OK and fills the caller's struct diag with a message
 * and, where the error comes from an input file, that file and line.
 */
#ifndef STAGECAST_DIAG_H
#define STAGECAST_DIAG_H

#include <stdarg.h>

enum sc_status {
    SC_OK = 0,
    SC_EINPUT,   /* the user's input is wrong: bad key, bad value, bad file */
    SC_ENOENT,   /* a file or a named thing is not there */
    SC_ENOMEM,   /* an allocation failed */
    SC_EIO,      /* reading or writing a file failed */
    SC_ELIMIT,   /* a size from input is beyond what we accept */
    SC_EINTERNAL /* a bug: an invariant did not hold */
};

struct diag {
    enum sc_status status;
    char file[256]; /* input file the error is in; "" if none */
    int line;       /* line in that file; 0 if unknown */
    char msg[768];
};

/* Clears d to "no error". */
void diag_clear(struct diag *d);

/* Records an error in d (file may be NULL, line 0) and returns status, so
 * that `return diag_set(d, SC_EINPUT, f, l, "...")` reads naturally. An error
 * already recorded is kept: the first error is the one the user sees. */
enum sc_status diag_set(struct diag *d, enum sc_status status, const char *file, int line,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Formats d as "file:line: message" (or "message" without a file) into buf. */
const char *diag_format(const struct diag *d, char *buf, unsigned size);

/* One word naming a status, for messages. */
const char *sc_status_name(enum sc_status status);

/* Records an internal error with this source location: for invariants. */
#define SC_BUG(d, ...) diag_set((d), SC_EINTERNAL, __FILE__, __LINE__, __VA_ARGS__)

#endif
