/*
 * outfile.c — all-or-nothing output files (see outfile.h), and the removal of
 * their temporary files when the process is killed by SIGINT, SIGTERM or
 * SIGHUP mid-write (a sweep's outputs can be hundreds of MB).
 */
#include "sim/output/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary files open now, for the signal handler. Slots are claimed
 * and released with atomic exchanges, so the handler sees each path either
 * whole or not at all; a path is released before it is freed. With every
 * slot taken a temporary is simply not registered (it is still removed on
 * every path but a signal). */
#define TMP_SLOTS 256
static _Atomic(char *) tmp_registry[TMP_SLOTS];

static void remember_tmp(const char *tmp)
{
    char *copy = strdup(tmp);
    if (!copy)
        return;
    for (size_t i = 0; i < TMP_SLOTS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&tmp_registry[i], &expected, copy))
            return;
    }
    free(copy);
}

void outfile_forget_tmp(const char *tmp)
{
    if (!tmp)
        return;
    for (size_t i = 0; i < TMP_SLOTS; i++) {
        char *p = atomic_load(&tmp_registry[i]);
        if (p && strcmp(p, tmp) == 0 &&
            atomic_compare_exchange_strong(&tmp_registry[i], &p, (char *)NULL)) {
            free(p);
            return;
        }
    }
}

/* Only async-signal-safe calls: unlink, sigaction, raise. */
static void remove_tmps_and_die(int sig)
{
    for (size_t i = 0; i < TMP_SLOTS; i++) {
        char *p = atomic_load(&tmp_registry[i]);
        if (p)
            unlink(p);
    }
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

void outfile_cleanup_on_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue; /* nohup, or a parent that wants it ignored */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = remove_tmps_and_die;
        sigfillset(&sa.sa_mask); /* one cleanup at a time */
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Splits path into its directory's identity (device, inode) and its last
 * component. Returns 0, or -1 when the directory cannot be read. */
static int dir_and_base(const char *path, struct stat *dir, char *base, size_t size)
{
    char dir_buf[PATH_MAX], base_buf[PATH_MAX];
    snprintf(dir_buf, sizeof dir_buf, "%s", path);
    snprintf(base_buf, sizeof base_buf, "%s", path);
    snprintf(base, size, "%s", basename(base_buf));
    return stat(dirname(dir_buf), dir);
}

int outfile_same_file(const char *a, const char *b)
{
    if (!a || !b || strcmp(a, "-") == 0 || strcmp(b, "-") == 0)
        return 0;
    if (strcmp(a, b) == 0)
        return 1;
    struct stat sa, sb;
    int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea && eb)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    if (ea != eb)
        return 0;
    /* Neither exists yet: the same name in the same directory. */
    char ba[PATH_MAX], bb[PATH_MAX];
    if (dir_and_base(a, &sa, ba, sizeof ba) != 0 || dir_and_base(b, &sb, bb, sizeof bb) != 0)
        return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino && strcmp(ba, bb) == 0;
}

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
        if (fd >= 0) {
            int e = errno;
            remember_tmp(tmp);
            errno = e;
            return fd;
        }
        if (errno != EEXIST)
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
        o->path = strdup(path); /* for the message; NULL only names no file */
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
        errno = 0;
        int bad = fflush(stdout) != 0 || ferror(stdout);
        int e = errno;
        memset(o, 0, sizeof *o);
        return bad ? diag_set(d, SC_EIO, NULL, 0, "writing to standard output failed: %s",
                              e ? strerror(e) : "write error")
                   : SC_OK;
    }
    if (!o->f)
        return SC_OK;
    if (o->in_place) {
        /* A device or pipe written directly: say which, and why. */
        errno = 0;
        int bad_in_place = ferror(o->f) != 0;
        if (fclose(o->f) != 0)
            bad_in_place = 1;
        int e = errno;
        enum sc_status st =
            bad_in_place ? diag_set(d, SC_EIO, o->path, 0, "writing failed: %s",
                                    e ? strerror(e) : "write error")
                         : SC_OK;
        free(o->path);
        memset(o, 0, sizeof *o);
        return st;
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
    outfile_forget_tmp(o->tmp);
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
        free(o->path);
        memset(o, 0, sizeof *o);
        return;
    }
    if (o->is_stdout) {
        memset(o, 0, sizeof *o);
        return;
    }
    if (o->f)
        fclose(o->f);
    if (o->tmp) {
        unlink(o->tmp);
        outfile_forget_tmp(o->tmp);
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}
