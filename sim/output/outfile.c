/*
 * outfile.c — all-or-nothing output files (see outfile.h).
 */
#include "sim/output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int outfile_create_tmp(const char *path, char *tmp, size_t size)
{
    static atomic_uint counter;
    for (int tries = 0; tries < 100; tries++) {
        unsigned n = atomic_fetch_add(&counter, 1u);
        int len = snprintf(tmp, size, "%s.tmp.%ld.%u", path, (long)getpid(), n);
        if (len < 0 || (size_t)len >= size) {
            errno = ENAMETOOLONG;
            return -1;
        }
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

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
    o->tmp = malloc(n + 48);
    if (!o->path || !o->tmp) {
        outfile_abort(o);
        diag_set(d, SC_ENOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    int fd = outfile_create_tmp(path, o->tmp, n + 48);
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
