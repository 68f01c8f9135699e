/*
 * cli_harness.h — what the tests that drive the stagecast binary share:
 * running it with its output captured in a work directory, reading files
 * back, counting lines and clearing the directory. Include after <cmocka.h>.
 */
#ifndef STAGECAST_TESTS_CLI_HARNESS_H
#define STAGECAST_TESTS_CLI_HARNESS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs CMDLINE (already shell-quoted) from the shell, stdout and stderr to
 * DIR/out.txt and DIR/err.txt; returns its exit status. */
static inline int harness_sh(const char *dir, const char *cmdline)
{
    size_t size = strlen(cmdline) + 2 * strlen(dir) + 64;
    char *cmd = malloc(size);
    assert_non_null(cmd);
    snprintf(cmd, size, "%s >'%s/out.txt' 2>'%s/err.txt' </dev/null", cmdline, dir, dir);
    int st = system(cmd);
    free(cmd);
    assert_true(st != -1 && WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* A whole file as a NUL-terminated string (its length in *LEN when LEN is
 * not NULL), or NULL when it cannot be opened. */
static inline char *harness_slurp(const char *path, size_t *len)
{
    if (len)
        *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)(n > 0 ? n : 0) + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)(n > 0 ? n : 0), f);
    buf[got] = '\0';
    fclose(f);
    if (len)
        *len = got;
    return buf;
}

static inline int harness_count_lines(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += *p == '\n';
    return n;
}

/* Removes the files in DIR (not subdirectories). */
static inline void harness_clean_dir(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char path[1024];
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(d);
}

/* Files in DIR besides out.txt and err.txt. */
static inline int harness_stray_files(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "out.txt") &&
             strcmp(e->d_name, "err.txt");
    closedir(d);
    return n;
}

#endif
