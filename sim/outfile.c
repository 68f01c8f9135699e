/*
 * outfile.c — all-or-nothing output files (see outfile.h).
 */
#include "sim/outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

FILE *outfile_open(struct outfile *o, const char *path, struct diag *d)
{
    memset(o, 0, sizeof *o);
    if (strcmp(path, "-") == 0) {
        o->is_stdout = 1;
        o->f = stdout;
        return o->f;
    }
    /* A destination that exists and is not a regular file (/dev/null, a
     * pipe, a terminal) is written in place: renaming over it would replace
     * the device or pipe with a file. */
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        o->f = fopen(path, "w");
        if (!o->f) {
            diag_set(d, SC_EIO, path, 0, "cannot write: %s", strerror(errno));
            return NULL;
        }
        o->in_place = 1;
        return o->f;
    }
    size_t n = strlen(path);
    o->path = strdup(path);
    o->tmp = malloc(n + 16);
    if (!o->path || !o->tmp) {
        outfile_abort(o);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    snprintf(o->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        diag_set(d, SC_EIO, path, 0, "cannot write: %s", strerror(e));
        outfile_abort(o);
        return NULL;
    }
    o->f = fdopen(fd, "w");
    if (!o->f) {
        int e = errno;
        close(fd);
        diag_set(d, SC_EIO, path, 0, "cannot write: %s", strerror(e));
        outfile_abort(o);
        return NULL;
    }
    return o->f;
}

enum sc_status outfile_commit(struct outfile *o, struct diag *d)
{
    if (o->is_stdout) {
        int bad = fflush(stdout) != 0 || ferror(stdout);
        memset(o, 0, sizeof *o);
        return bad ? diag_set(d, SC_EIO, NULL, 0, "writing to standard output failed") : SC_OK;
    }
    if (!o->f)
        return SC_OK;
    if (o->in_place) {
        int bad_in_place = ferror(o->f) != 0;
        if (fclose(o->f) != 0)
            bad_in_place = 1;
        memset(o, 0, sizeof *o);
        return bad_in_place ? diag_set(d, SC_EIO, NULL, 0, "writing an output failed") : SC_OK;
    }
    int bad = ferror(o->f) != 0;
    if (fclose(o->f) != 0)
        bad = 1;
    o->f = NULL;
    if (!bad && rename(o->tmp, o->path) != 0)
        bad = 1;
    enum sc_status st = SC_OK;
    if (bad) {
        st = diag_set(d, SC_EIO, o->path, 0, "writing failed: %s", strerror(errno));
        unlink(o->tmp);
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return st;
}

void outfile_abort(struct outfile *o)
{
    if (o->in_place) {
        if (o->f)
            fclose(o->f);
        memset(o, 0, sizeof *o);
        return;
    }
    if (o->is_stdout) {
        memset(o, 0, sizeof *o);
        return;
    }
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}
