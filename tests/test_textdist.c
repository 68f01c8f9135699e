/*
 * test_textdist.c — edit distances and the closest-name hint
 * (models/textdist.h), on hand-worked pairs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "models/textdist.h"

static void test_kitten_to_sitting_is_three_edits(void **state)
{
    (void)state;
    /* kitten -> sitten (k/s) -> sittin (e/i) -> sitting (+g). */
    assert_int_equal(textdist_levenshtein("kitten", "sitting"), 3);
    assert_int_equal(textdist_osa("kitten", "sitting"), 3);
    assert_int_equal(textdist_levenshtein("sitting", "kitten"), 3);
}

static void test_empty_and_equal_strings(void **state)
{
    (void)state;
    assert_int_equal(textdist_levenshtein("", ""), 0);
    assert_int_equal(textdist_levenshtein("", "abc"), 3);
    assert_int_equal(textdist_osa("abc", ""), 3);
    assert_int_equal(textdist_osa("join", "join"), 0);
}

static void test_letter_case_is_ignored(void **state)
{
    (void)state;
    assert_int_equal(textdist_levenshtein("Standard_DS3_v2", "standard_ds3_V2"), 0);
    assert_int_equal(textdist_osa("GROUP_BY", "group_by"), 0);
}

static void test_a_swap_is_one_edit_only_for_osa(void **state)
{
    (void)state;
    /* "jion" -> "join": one swap of i and o; Levenshtein needs two
     * substitutions. */
    assert_int_equal(textdist_osa("jion", "join"), 1);
    assert_int_equal(textdist_levenshtein("jion", "join"), 2);
    /* OSA edits no substring twice: "ca" -> "abc" is 3, not 2. */
    assert_int_equal(textdist_osa("ca", "abc"), 3);
}

static void test_names_past_the_limit_are_far(void **state)
{
    (void)state;
    char longname[TEXTDIST_MAX_LEN + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_true(textdist_levenshtein(longname, "a") == TEXTDIST_FAR);
    assert_true(textdist_osa("a", longname) == TEXTDIST_FAR);
    longname[TEXTDIST_MAX_LEN] = '\0'; /* exactly the limit: measured */
    assert_int_equal(textdist_levenshtein(longname, longname), 0);
}

static void test_closest_suggests_only_typos(void **state)
{
    (void)state;
    static const char *const ops[] = {"scan", "filter", "join", "group_by", NULL};
    /* "jion": 1 swap, within 1 for a 4-letter name. */
    assert_string_equal(textdist_closest("jion", ops), "join");
    /* "fliter": 1 swap of a 6-letter name (2 allowed). */
    assert_string_equal(textdist_closest("fliter", ops), "filter");
    /* "sort" is 3 edits from "scan" and more from the rest: no hint. */
    assert_null(textdist_closest("sort", ops));
    assert_int_equal(textdist_typo_limit(4), 1);
    assert_int_equal(textdist_typo_limit(8), 2);
    assert_int_equal(textdist_typo_limit(9), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kitten_to_sitting_is_three_edits),
        cmocka_unit_test(test_empty_and_equal_strings),
        cmocka_unit_test(test_letter_case_is_ignored),
        cmocka_unit_test(test_a_swap_is_one_edit_only_for_osa),
        cmocka_unit_test(test_names_past_the_limit_are_far),
        cmocka_unit_test(test_closest_suggests_only_typos),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
