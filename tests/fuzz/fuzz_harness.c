/*
 * fuzz_harness.c — the temporary directory, sink and catalog the fuzzing
 * harnesses share (see fuzz_harness.h). Everything made here is torn down
 * by an atexit handler, so that a harness leaves no file behind and
 * LeakSanitizer sees nothing outstanding when libFuzzer exits.
 */
#include "tests/fuzz/fuzz_harness.h"

#include <dirent.h>
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "models/diag.h"

static char tmp_dir[PATH_MAX];
static char tmp_path[PATH_MAX];
static FILE *sink;
static struct catalog *catalog;

/* Removes dir and what is in it (the harnesses make one level of
 * subdirectories at most, but this does not rely on it). */
static void remove_tree(const char *dir)
{
    DIR *dp = opendir(dir);
    if (dp) {
        struct dirent *e;
        while ((e = readdir(dp)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char p[PATH_MAX];
            if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
                continue;
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(p);
            else
                unlink(p);
        }
        closedir(dp);
    }
    rmdir(dir);
}

static void teardown(void)
{
    if (tmp_dir[0])
        remove_tree(tmp_dir);
    tmp_dir[0] = '\0';
    if (sink)
        fclose(sink);
    sink = NULL;
    catalog_free(catalog);
    catalog = NULL;
}

/* Once per process: GSL must not abort (conventions: every binary turns
 * its handler off), and the teardown must run however the process ends
 * normally. */
static void setup(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    gsl_set_error_handler_off();
    atexit(teardown);
}

/* A harness that crashes, times out or runs out of memory ends in
 * _Exit or abort, past the atexit handler: its directory, named for its
 * pid, is removed by the next harness to start once that pid is gone. */
static void remove_orphans(const char *base)
{
    DIR *dp = opendir(base);
    if (!dp)
        return;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL) {
        long pid;
        char rest[64];
        if (sscanf(e->d_name, "stagecast-fuzz.%ld.%63s", &pid, rest) != 2 || pid <= 0 ||
            pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", base, e->d_name) < (int)sizeof p)
            remove_tree(p);
    }
    closedir(dp);
}

const char *fuzz_tmp_dir(void)
{
    setup();
    if (!tmp_dir[0]) {
        const char *base = getenv("TMPDIR");
        base = base && *base ? base : "/tmp";
        remove_orphans(base);
        snprintf(tmp_dir, sizeof tmp_dir, "%s/stagecast-fuzz.%ld.XXXXXX", base, (long)getpid());
        if (!mkdtemp(tmp_dir)) {
            perror("fuzz: mkdtemp");
            abort();
        }
    }
    return tmp_dir;
}

const char *fuzz_tmp_write(const char *name, const uint8_t *data, size_t size)
{
    const char *dir = fuzz_tmp_dir();
    const char *slash = strchr(name, '/');
    if (slash) {
        snprintf(tmp_path, sizeof tmp_path, "%s/%.*s", dir, (int)(slash - name), name);
        if (mkdir(tmp_path, 0700) != 0 && access(tmp_path, W_OK) != 0) {
            perror("fuzz: mkdir");
            abort();
        }
    }
    snprintf(tmp_path, sizeof tmp_path, "%s/%s", dir, name);
    FILE *f = fopen(tmp_path, "wb");
    if (!f || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror("fuzz: writing the input");
        abort();
    }
    return tmp_path;
}

FILE *fuzz_sink(void)
{
    setup();
    if (!sink && !(sink = fopen("/dev/null", "w"))) {
        perror("fuzz: /dev/null");
        abort();
    }
    return sink;
}

const struct catalog *fuzz_catalog(void)
{
    setup();
    if (!catalog) {
        struct diag d;
        diag_clear(&d);
        if (!(catalog = catalog_load_default(&d))) {
            fprintf(stderr, "fuzz: the node catalog: %s\n", d.msg);
            abort();
        }
    }
    return catalog;
}

char *fuzz_cstring(const uint8_t *data, size_t size)
{
    if (memchr(data, '\0', size))
        return NULL;
    char *s = malloc(size + 1);
    if (!s)
        return NULL;
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_note(const char *what, const struct diag *d)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("STAGECAST_FUZZ_VERBOSE") != NULL;
    if (!verbose)
        return;
    if (d && d->status != SC_OK)
        fprintf(stderr, "  %s: %s:%d: %s\n", what, d->file, d->line, d->msg);
    else
        fprintf(stderr, "  %s\n", what);
}

bool fuzz_names_include(const uint8_t *data, size_t size)
{
    static const char word[] = "include";
    const size_t n = sizeof word - 1;
    for (size_t i = 0; i + n <= size; i++) {
        size_t k = 0;
        while (k < n && (data[i + k] | 0x20) == word[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}
