/*
 * outfile.h — output files that appear whole or not at all. Writing goes to
 * a temporary file beside the destination, renamed over it on commit, so an
 * error never leaves a half-written report behind. The path "-" is stdout;
 * an existing destination that is not a regular file (/dev/null, a pipe) is
 * written in place.
 *
 * Ownership: struct outfile is the caller's; outfile_commit or outfile_abort
 * ends its life (either is safe to call on an outfile never opened).
 */
#ifndef STAGECAST_OUTFILE_H
#define STAGECAST_OUTFILE_H

#include <stdio.h>

#include "models/diag.h"

struct outfile {
    char *path;
    char *tmp;
    FILE *f;
    int is_stdout;
    int in_place;   /* a device or pipe: written directly, never renamed */
};

/* Opens a temporary file for path. Returns the stream, or NULL with d
 * filled when the directory cannot be written. */
FILE *outfile_open(struct outfile *o, const char *path, struct diag *d);

/* Flushes, closes and renames into place. Returns SC_OK or SC_EIO (and
 * removes the temporary file). */
enum sc_status outfile_commit(struct outfile *o, struct diag *d);

/* Closes and removes the temporary file. */
void outfile_abort(struct outfile *o);

/* Creates a new empty file "PATH.tmp.<pid>.<n>" beside PATH, with the
 * permissions the user's umask gives a new file (mkstemp's would be 0600),
 * and writes its name to TMP (SIZE bytes). Returns the descriptor, or -1
 * with errno set. */
int outfile_create_tmp(const char *path, char *tmp, size_t size);

#endif
