/*
 * test_order.c — the shared qsort comparator (models/order.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "models/order.h"

static void test_doubles_sort_ascending(void **state)
{
    (void)state;
    /* Negative zero equals zero; 1e308 and -1e308 would overflow x - y. */
    double v[] = {3.5, -1.0, 1e308, 0.0, -1e308, 2.0, 2.0};
    qsort(v, sizeof v / sizeof v[0], sizeof v[0], order_double_asc);
    const double want[] = {-1e308, -1.0, 0.0, 2.0, 2.0, 3.5, 1e308};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        assert_true(v[i] == want[i]);
}

static void test_comparison_signs(void **state)
{
    (void)state;
    double a = 1.0, b = 2.0, nan = NAN, negzero = -0.0, zero = 0.0;
    assert_true(order_double_asc(&a, &b) < 0);
    assert_true(order_double_asc(&b, &a) > 0);
    assert_int_equal(order_double_asc(&a, &a), 0);
    assert_int_equal(order_double_asc(&negzero, &zero), 0);
    /* NaN is neither below nor above anything. */
    assert_int_equal(order_double_asc(&nan, &a), 0);
    assert_int_equal(order_double_asc(&a, &nan), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_sort_ascending),
        cmocka_unit_test(test_comparison_signs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
