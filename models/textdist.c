/*
 * textdist.c — edit distances for the hints that follow an unknown name
 * (a scenario key, a table, a column, a node size). Both distances are the
 * textbook dynamic programme over prefixes, kept to a few rows of at most
 * TEXTDIST_MAX_LEN + 1 cells on the stack: names are short, and a hint must
 * never fail for want of memory.
 */
#include "models/textdist.h"

#include <ctype.h>
#include <string.h>

static int fold(char c)
{
    return tolower((unsigned char)c);
}

size_t textdist_levenshtein(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > TEXTDIST_MAX_LEN || lb > TEXTDIST_MAX_LEN)
        return TEXTDIST_FAR;
    /* row[j] is the distance between the first i characters of a and the
     * first j of b; corner keeps the previous row's row[j - 1]. */
    size_t row[TEXTDIST_MAX_LEN + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t corner = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = corner + (fold(a[i - 1]) != fold(b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            corner = up;
        }
    }
    return row[lb];
}

size_t textdist_osa(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > TEXTDIST_MAX_LEN || lb > TEXTDIST_MAX_LEN)
        return TEXTDIST_FAR;
    /* A swap looks two rows back, so three rows turn: prev2 (i - 2), prev
     * (i - 1) and cur (i). */
    size_t rows[3][TEXTDIST_MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        int ca = fold(a[i - 1]);
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            int cb = fold(b[j - 1]);
            size_t best = prev[j - 1] + (ca != cb);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && ca == fold(b[j - 2]) && fold(a[i - 2]) == cb &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

size_t textdist_typo_limit(size_t len)
{
    return len <= 4 ? 1 : len <= 8 ? 2 : 3;
}

const char *textdist_closest(const char *name, const char *const *allowed)
{
    const char *best = NULL;
    size_t best_d = TEXTDIST_FAR;
    for (size_t i = 0; allowed[i]; i++) {
        size_t d = textdist_osa(name, allowed[i]);
        if (d < best_d) {
            best_d = d;
            best = allowed[i];
        }
    }
    return best_d <= textdist_typo_limit(strlen(name)) ? best : NULL;
}
