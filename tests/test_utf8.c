/*
 * test_utf8.c — UTF-8 checks and the escaping of control characters before
 * text from input files reaches a terminal (models/utf8.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "models/utf8.h"

static void test_well_formed_text_is_valid(void **state)
{
    (void)state;
    assert_int_equal(utf8_invalid_at(""), -1);
    assert_int_equal(utf8_invalid_at("salary > 1000"), -1);
    assert_int_equal(utf8_invalid_at("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"), -1);
}

static void test_malformed_text_gives_its_offset(void **state)
{
    (void)state;
    assert_int_equal(utf8_invalid_at("ab\xFF"), 2);           /* never in UTF-8 */
    assert_int_equal(utf8_invalid_at("x\xC3"), 1);            /* cut off */
    assert_int_equal(utf8_invalid_at("\xC0\xAF"), 0);         /* overlong '/' */
    assert_int_equal(utf8_invalid_at("a\xED\xA0\x80"), 1);    /* a surrogate */
    assert_int_equal(utf8_invalid_at("\xF4\x90\x80\x80"), 0); /* past U+10FFFF */
    assert_int_equal(utf8_invalid_at("ok\x80"), 2);           /* a lone continuation */
}

static void test_controls_are_escaped_for_the_terminal(void **state)
{
    (void)state;
    char buf[64];
    /* ESC ] 0 ; ... BEL retitles a terminal; ESC [ 2 J clears it. */
    assert_string_equal(utf8_escape_controls("a\x1b]0;pwned\x07z", buf, sizeof buf),
                        "a\\x1B]0;pwned\\x07z");
    assert_string_equal(utf8_escape_controls("x\x1b[2Jy\n\x7f", buf, sizeof buf),
                        "x\\x1B[2Jy\\x0A\\x7F");
    /* CSI as a C1 control (U+009B), a byte that is not UTF-8, and text kept */
    assert_string_equal(utf8_escape_controls("\xC2\x9B"
                                             "2J \xFF caf\xC3\xA9",
                                             buf, sizeof buf),
                        "\\u009B2J \\xFF caf\xC3\xA9");
    /* Truncated to fit, never in the middle of an escape. */
    char small[6];
    assert_string_equal(utf8_escape_controls("ab\x1b"
                                             "cd",
                                             small, sizeof small),
                        "ab");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_well_formed_text_is_valid),
        cmocka_unit_test(test_malformed_text_gives_its_offset),
        cmocka_unit_test(test_controls_are_escaped_for_the_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
