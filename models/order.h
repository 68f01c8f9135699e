/*
 * order.h — orderings for qsort and bsearch over plain values, so every
 * module sorts numbers the same way.
 *
 * Stateless; nothing to own or free.
 */
#ifndef STAGECAST_ORDER_H
#define STAGECAST_ORDER_H

/* qsort comparator of two doubles, ascending: negative, zero or positive as
 * *a is below, equal to or above *b. NaN compares equal to everything, so a
 * NaN stays where it is among equal neighbours and never breaks the sort's
 * contract by making the comparison inconsistent in sign. */
int order_double_asc(const void *a, const void *b);

#endif
