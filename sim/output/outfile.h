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
    int in_place; /* a device or pipe: written directly, never renamed */
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

/* Forgets a temporary file outfile_create_tmp made once it has been renamed
 * into place or removed (outfile_commit and outfile_abort do this). */
void outfile_forget_tmp(const char *tmp);

/* Installs handlers for SIGINT, SIGTERM and SIGHUP (those not ignored) that
 * remove every temporary file still open, then die of the same signal, so the
 * shell still sees 130, 143 or 129. main calls it once. The registry behind it
 * is the one process-wide state of this module: signals are process-wide. */
void outfile_cleanup_on_signals(void);

/* Whether two output or input paths name the same file: the same device and
 * inode when both exist, else the same last component in the same directory
 * (by device and inode). "-" (stdout) is no file. */
int outfile_same_file(const char *a, const char *b);

#endif
