/*
 * fuzz_main.c — a main() for the fuzzing harnesses where libFuzzer is not
 * linked (an ordinary gcc build, with or without sanitizers): each file
 * named on the command line is read and given once to
 * LLVMFuzzerTestOneInput, as libFuzzer does with file arguments. This is
 * what make fuzz-smoke runs the seed corpora with outside
 * --enable-fuzzing. Exits 1 when a file cannot be read; a crash in the
 * harness ends the process as it would under libFuzzer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz_harness.h"

/* Reads all of path (at most FUZZ_MAX_INPUT + 1 bytes: the harnesses skip
 * anything larger, so the rest does not matter). */
static unsigned char *read_input(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = malloc(FUZZ_MAX_INPUT + 1);
    size_t n = buf ? fread(buf, 1, FUZZ_MAX_INPUT + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *size = n;
    return buf;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t size = 0;
        unsigned char *data = read_input(argv[i], &size);
        if (!data) {
            perror(argv[i]);
            return 1;
        }
        fprintf(stderr, "Running: %s\n", argv[i]);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
    }
    fprintf(stderr, "Executed %d inputs\n", argc - 1);
    return 0;
}
