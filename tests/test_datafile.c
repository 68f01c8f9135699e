/*
 * test_datafile.c — finding shipped data files (models/datafile.h) from a
 * test binary in the build tree: the source tree's copy is found, a file
 * that ships nowhere is reported with every place looked in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "models/datafile.h"

static bool ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static void test_join_puts_one_slash(void **state)
{
    (void)state;
    char *p = datafile_path_join("a", "b.csv");
    assert_string_equal(p, "a/b.csv");
    free(p);
    p = datafile_path_join("a/", "b.csv");
    assert_string_equal(p, "a/b.csv");
    free(p);
    p = datafile_path_join("", "b.csv");
    assert_string_equal(p, "b.csv");
    free(p);
}

static void test_readable_means_a_regular_file(void **state)
{
    (void)state;
    assert_true(datafile_is_readable(ABS_TOP_SRCDIR "/models/azure-nodes.csv"));
    assert_false(datafile_is_readable(ABS_TOP_SRCDIR "/models")); /* a directory */
    assert_false(datafile_is_readable(ABS_TOP_SRCDIR "/models/no-such-file.csv"));
}

static void test_finds_the_catalog_and_the_plot_scripts(void **state)
{
    (void)state;
    char *found = NULL;
    char looked[600];
    assert_int_equal(datafile_find("models/azure-nodes.csv", "azure-nodes.csv", NULL, &found,
                                   looked, sizeof looked),
                     SC_OK);
    assert_non_null(found);
    assert_true(ends_with(found, "azure-nodes.csv"));
    assert_true(datafile_is_readable(found));
    free(found);

    /* A directory is found by a file it holds. */
    assert_int_equal(datafile_find("plots", "plots", "overview.gp", &found, looked, sizeof looked),
                     SC_OK);
    assert_true(ends_with(found, "plots"));
    free(found);
}

static void test_missing_file_lists_where_it_looked(void **state)
{
    (void)state;
    char *found = (char *)"untouched";
    char looked[600];
    assert_int_equal(
        datafile_find("models/no-such.csv", "no-such.csv", NULL, &found, looked, sizeof looked),
        SC_ENOENT);
    assert_null(found);
    /* The source tree is one of the places, and they are listed with
     * ", " between them. */
    assert_non_null(strstr(looked, ABS_TOP_SRCDIR "/models/no-such.csv"));
    assert_non_null(strstr(looked, "no-such.csv, "));

    /* A short buffer is cut, never overrun. */
    char tiny[8];
    assert_int_equal(
        datafile_find("models/no-such.csv", "no-such.csv", NULL, &found, tiny, sizeof tiny),
        SC_ENOENT);
    assert_true(strlen(tiny) < sizeof tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_puts_one_slash),
        cmocka_unit_test(test_readable_means_a_regular_file),
        cmocka_unit_test(test_finds_the_catalog_and_the_plot_scripts),
        cmocka_unit_test(test_missing_file_lists_where_it_looked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
