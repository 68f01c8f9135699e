/*
 * test_docs.c — the scenario-format reference (docs/scenario-format.md)
 * against the tables the reader validates with: every scenario key of
 * scenario_keys(), every Spark setting of spark_known_keys() and every
 * operator class model.overhead takes must be documented there, so that a
 * key added to the code without a line in the reference fails `make check`.
 *
 * "Documented" means: a line of the page holds the key's path in backticks
 * (`cluster.autoscale.min`) and the type the table gives it; a key that only
 * one form of its group takes (an operation's, a distribution's) also names
 * that form on the line. Each test lists every key it finds missing.
 *
 * The page is found under $SRCDIR (set by `make check`), else ABS_TOP_SRCDIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/calib.h"
#include "sim/input/scenario.h"
#include "sim/input/sparkconf.h"

/* The page, split into lines; loaded once for all tests. */
struct page {
    char *text;
    char **lines;
    size_t n_lines;
};

static int page_load(void **state)
{
    const char *env = getenv("SRCDIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/docs/scenario-format.md", env && *env ? env : ABS_TOP_SRCDIR);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "test_docs: cannot open %s\n", path);
        return -1;
    }
    struct page *p = calloc(1, sizeof *p);
    size_t cap = 1 << 16, len = 0;
    p->text = malloc(cap);
    size_t got;
    while (p->text && (got = fread(p->text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *bigger = realloc(p->text, cap * 2);
            if (bigger == NULL) {
                free(p->text);
                p->text = NULL;
                break;
            }
            p->text = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (p->text == NULL) {
        free(p);
        return -1;
    }
    p->text[len] = '\0';
    size_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += p->text[i] == '\n';
    p->lines = calloc(n, sizeof *p->lines);
    char *save = NULL;
    for (char *line = strtok_r(p->text, "\n", &save); line && p->n_lines < n;
         line = strtok_r(NULL, "\n", &save))
        p->lines[p->n_lines++] = line;
    *state = p;
    return 0;
}

static int page_free(void **state)
{
    struct page *p = *state;
    if (p) {
        free(p->lines);
        free(p->text);
        free(p);
    }
    return 0;
}

/* True when one line holds every one of the (up to three) non-NULL needles. */
static bool page_has_line(const struct page *p, const char *a, const char *b, const char *c)
{
    for (size_t i = 0; i < p->n_lines; i++) {
        const char *l = p->lines[i];
        if (strstr(l, a) && (!b || strstr(l, b)) && (!c || strstr(l, c)))
            return true;
    }
    return false;
}

/* The rows of one group are adjacent: the reader stops scanning a group at
 * its first foreign row, so a stray row elsewhere would be silently ignored. */
static void test_key_table_groups_are_adjacent(void **state)
{
    (void)state;
    size_t n = 0;
    const struct scenario_key *k = scenario_keys(&n);
    assert_true(n > 100);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(k[i].group, k[i - 1].group) == 0)
            continue;
        for (size_t j = 0; j < i; j++)
            if (strcmp(k[j].group, k[i].group) == 0)
                fail_msg("rows of group '%s' are not adjacent (row %zu)", k[i].group, i);
    }
}

static void test_every_scenario_key_is_documented(void **state)
{
    const struct page *p = *state;
    size_t n = 0, missing = 0;
    const struct scenario_key *k = scenario_keys(&n);
    for (size_t i = 0; i < n; i++) {
        char path[256], type[96];
        snprintf(path, sizeof path, "`%s%s%s`", k[i].group, k[i].group[0] ? "." : "", k[i].name);
        snprintf(type, sizeof type, "| %s", k[i].type);
        if (page_has_line(p, path, type, k[i].variant))
            continue;
        fprintf(stderr, "docs/scenario-format.md does not document %s (type \"%s\"%s%s)\n", path,
                k[i].type, k[i].variant ? ", for " : "", k[i].variant ? k[i].variant : "");
        missing++;
    }
    assert_int_equal(missing, 0);
}

static void test_every_spark_key_is_documented(void **state)
{
    const struct page *p = *state;
    size_t n = 0, missing = 0;
    const struct spark_key *k = spark_known_keys(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        char key[160];
        snprintf(key, sizeof key, "`%s`", k[i].key);
        if (page_has_line(p, key, NULL, NULL))
            continue;
        fprintf(stderr, "docs/scenario-format.md does not document the Spark setting %s\n", key);
        missing++;
    }
    assert_int_equal(missing, 0);
}

static void test_every_overhead_class_is_documented(void **state)
{
    const struct page *p = *state;
    size_t missing = 0;
    for (int c = 0; c < CALIB_N_CLASSES; c++) {
        char name[96];
        snprintf(name, sizeof name, "`%s`", calib_class_name((enum calib_class)c));
        if (page_has_line(p, "`model.overhead`", name, NULL))
            continue;
        fprintf(stderr, "docs/scenario-format.md: the model.overhead row does not name %s\n", name);
        missing++;
    }
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_table_groups_are_adjacent),
        cmocka_unit_test(test_every_scenario_key_is_documented),
        cmocka_unit_test(test_every_spark_key_is_documented),
        cmocka_unit_test(test_every_overhead_class_is_documented),
    };
    return cmocka_run_group_tests(tests, page_load, page_free);
}
