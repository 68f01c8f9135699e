/*
 * datafile.c — where the data files stagecast ships are. The binary may run
 * from the build tree (where the data sit in the source tree, or next to the
 * binary in a build made in the source directory), from the configured
 * prefix, or from a prefix copied elsewhere; the places are tried from the
 * most specific (beside this very binary) to the configured ones, so a build
 * tree never picks up an older installed copy.
 */
#include "models/datafile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *datafile_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    size_t k = a;
    if (a > 0 && dir[a - 1] != '/')
        p[k++] = '/';
    memcpy(p + k, name, b + 1);
    return p;
}

bool datafile_is_readable(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, R_OK) == 0;
}

/* The directory of the running binary, or NULL. A libtool-linked program in
 * the build tree really runs from .libs/, while the data sit next to the
 * wrapper script, so .libs is stepped out of. */
static char *binary_dir(void)
{
    for (size_t size = 256; size <= 65536; size *= 2) {
        char *buf = malloc(size);
        if (!buf)
            return NULL;
        ssize_t n = readlink("/proc/self/exe", buf, size);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if ((size_t)n < size) {
            buf[n] = '\0';
            char *slash = strrchr(buf, '/');
            if (!slash) {
                free(buf);
                return NULL;
            }
            *slash = '\0';
            slash = strrchr(buf, '/');
            if (slash && strcmp(slash + 1, ".libs") == 0)
                *slash = '\0';
            if (buf[0] == '\0')
                strcpy(buf, "/");
            return buf;
        }
        free(buf);
    }
    return NULL;
}

/* Whether place is the data file (probe NULL) or holds probe. */
static bool place_holds(const char *place, const char *probe, bool *nomem)
{
    if (probe == NULL)
        return datafile_is_readable(place);
    char *path = datafile_path_join(place, probe);
    if (path == NULL) {
        *nomem = true;
        return false;
    }
    bool ok = datafile_is_readable(path);
    free(path);
    return ok;
}

enum sc_status datafile_find(const char *tree_rel, const char *share_rel, const char *probe,
                             char **found, char *looked, size_t looked_size)
{
    char *places[4];
    size_t n = 0;
    bool nomem = false;
    char *bin = binary_dir();
    if (bin) {
        places[n++] = datafile_path_join(bin, tree_rel);
        char *share = datafile_path_join(bin, "../share/stagecast");
        places[n++] = share ? datafile_path_join(share, share_rel) : NULL;
        free(share);
        free(bin);
    }
#ifdef PKGDATADIR
    places[n++] = datafile_path_join(PKGDATADIR, share_rel);
#endif
#ifdef ABS_TOP_SRCDIR
    places[n++] = datafile_path_join(ABS_TOP_SRCDIR, tree_rel);
#endif
    *found = NULL;
    size_t used = 0;
    if (looked_size > 0)
        looked[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (places[i] == NULL) {
            nomem = true;
        } else if (*found == NULL && place_holds(places[i], probe, &nomem)) {
            *found = places[i];
            places[i] = NULL;
        } else if (*found == NULL && used + 1 < looked_size) {
            int k =
                snprintf(looked + used, looked_size - used, "%s%s", used ? ", " : "", places[i]);
            if (k > 0)
                used = (size_t)k < looked_size - used ? used + (size_t)k : looked_size - 1;
        }
        free(places[i]);
    }
    if (*found)
        return SC_OK;
    return nomem ? SC_ENOMEM : SC_ENOENT;
}
