/*
 * textdist.h — how far apart two names are, for "did you mean" hints: edit
 * distances that ignore ASCII letter case, and the closest of a list of
 * allowed names.
 *
 * Stateless and allocation-free; returned names point into the caller's list.
 */
#ifndef STAGECAST_TEXTDIST_H
#define STAGECAST_TEXTDIST_H

#include <stddef.h>

/* Names longer than this are too far from anything to be a typo: the
 * distances return TEXTDIST_FAR for them. */
#define TEXTDIST_MAX_LEN 63
#define TEXTDIST_FAR ((size_t)-1)

/* Levenshtein distance ignoring case: insertions, deletions and
 * substitutions each count 1 ("kitten" -> "sitting" is 3). TEXTDIST_FAR
 * when either string is longer than TEXTDIST_MAX_LEN. */
size_t textdist_levenshtein(const char *a, const char *b);

/* The optimal string alignment distance ignoring case: as Levenshtein, and a
 * swap of two neighbours counts 1 too ("jion" -> "join" is 1, not 2).
 * TEXTDIST_FAR when either string is longer than TEXTDIST_MAX_LEN. */
size_t textdist_osa(const char *a, const char *b);

/* How many edits still read as a typo of a name len characters long: 1 up
 * to 4 characters, 2 up to 8, 3 beyond. */
size_t textdist_typo_limit(size_t len);

/* The name in allowed (NULL-terminated) nearest to name by textdist_osa,
 * the first of equals, or NULL when even it is more than
 * textdist_typo_limit(strlen(name)) edits away. */
const char *textdist_closest(const char *name, const char *const *allowed);

#endif
