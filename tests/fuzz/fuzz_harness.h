/*
 * fuzz_harness.h — what the libFuzzer harnesses of tests/fuzz/ share: a
 * private temporary directory for the readers that take a path (removed at
 * exit, with everything the harnesses put in it), a sink stream for the
 * printers, and the shipped node catalog, loaded once.
 *
 * Each harness defines LLVMFuzzerTestOneInput; it is linked either with
 * libFuzzer (configure --enable-fuzzing) or with fuzz_main.c, which runs
 * the files named on its command line through it once each (make
 * fuzz-smoke in any build).
 *
 * Ownership: everything returned here belongs to this module and lives
 * until the process exits; callers free nothing.
 */
#ifndef STAGECAST_FUZZ_HARNESS_H
#define STAGECAST_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/catalog.h"
#include "models/diag.h"

/* No input larger than this is looked at: the readers' costs grow with
 * their input, and libFuzzer's -max_len in make fuzz says the same. */
#define FUZZ_MAX_INPUT (64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's temporary directory, made on first use (aborts when it
 * cannot be: no harness can run without it). */
const char *fuzz_tmp_dir(void);

/* Writes data to name (a plain file name, or "sub/name" under a
 * subdirectory made on first use) in the temporary directory, replacing
 * it; returns its path (a static buffer, valid until the next call).
 * Aborts on I/O errors, which are the machine's, not the input's. */
const char *fuzz_tmp_write(const char *name, const uint8_t *data, size_t size);

/* A stream that discards what is written to it. */
FILE *fuzz_sink(void);

/* The shipped catalog (models/azure-nodes.csv); aborts when it cannot be
 * read, since every harness result would be meaningless without it. */
const struct catalog *fuzz_catalog(void);

/* With STAGECAST_FUZZ_VERBOSE set, prints what stage of the harness the
 * input reached and d's message to stderr: how to check that a seed gets
 * where it is meant to. Quiet otherwise (libFuzzer runs millions). */
void fuzz_note(const char *what, const struct diag *d);

/* Whether data holds "include" in any case: a scenario with libconfig's
 * @include directive would read files outside the input. */
bool fuzz_names_include(const uint8_t *data, size_t size);

/* data as a NUL-terminated string (a malloc'd copy the caller frees), or
 * NULL when it holds a NUL byte (the readers take C strings). */
char *fuzz_cstring(const uint8_t *data, size_t size);

#endif
