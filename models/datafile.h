/*
 * datafile.h — finding the files stagecast ships beside its code (the node
 * catalog, the gnuplot scripts), whether it runs from the build tree, from
 * an installed prefix, or from an installed prefix moved elsewhere.
 *
 * Ownership: paths returned are malloc'd and the caller frees them.
 */
#ifndef STAGECAST_DATAFILE_H
#define STAGECAST_DATAFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "models/diag.h"

/* dir + "/" + name (no second slash when dir ends in one); NULL when out of
 * memory. */
char *datafile_path_join(const char *dir, const char *name);

/* Whether path is a regular file this process can read. */
bool datafile_is_readable(const char *path);

/* Looks for a shipped data file or directory in these places, in order:
 *   1. <binary's directory>/tree_rel        (a build tree; libtool's .libs
 *                                            is stepped out of)
 *   2. <binary's directory>/../share/stagecast/share_rel   (a moved prefix)
 *   3. PKGDATADIR/share_rel                 (the configured install)
 *   4. ABS_TOP_SRCDIR/tree_rel              (the source tree)
 * A place is taken when it is a readable file (probe NULL) or holds a
 * readable file named probe (a directory). Returns SC_OK with *found set;
 * SC_ENOENT with *found NULL and looked holding the places tried,
 * ", "-separated (cut to looked_size); SC_ENOMEM when out of memory before
 * anything was found. */
enum sc_status datafile_find(const char *tree_rel, const char *share_rel, const char *probe,
                             char **found, char *looked, size_t looked_size);

#endif
