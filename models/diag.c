/*
 * diag.c — status codes and diagnostics (see diag.h). The first error
 * recorded wins: later failures on the unwind path are consequences.
 */
#include "models/diag.h"

#include <stdio.h>
#include <string.h>

void diag_clear(struct diag *d)
{
    memset(d, 0, sizeof *d);
}

enum sc_status diag_set(struct diag *d, enum sc_status status, const char *file, int line,
                        const char *fmt, ...)
{
    if (d == NULL || d->status != SC_OK)
        return status;
    d->status = status;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    return status;
}

const char *diag_format(const struct diag *d, char *buf, unsigned size)
{
    if (d->file[0] && d->line > 0)
        snprintf(buf, size, "%s:%d: %s", d->file, d->line, d->msg);
    else if (d->file[0])
        snprintf(buf, size, "%s: %s", d->file, d->msg);
    else
        snprintf(buf, size, "%s", d->msg);
    return buf;
}

const char *sc_status_name(enum sc_status status)
{
    switch (status) {
    case SC_OK: return "ok";
    case SC_EINPUT: return "invalid input";
    case SC_ENOENT: return "not found";
    case SC_ENOMEM: return "out of memory";
    case SC_EIO: return "i/o error";
    case SC_ELIMIT: return "limit exceeded";
    case SC_EINTERNAL: return "internal error";
    }
    return "unknown status";
}
