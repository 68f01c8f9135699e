/*
 * dist.h — the random distributions a scenario may give for a quantity such as
 * a task's duration, and how to sample them with a GSL generator. A value,
 * not an object: nothing to free.
 */
#ifndef STAGECAST_DIST_H
#define STAGECAST_DIST_H

#include <gsl/gsl_rng.h>

enum dist_kind {
    DIST_FIXED,       /* p1 = the value */
    DIST_NORMAL,      /* p1 = mean, p2 = standard deviation; truncated at 0 */
    DIST_LOGNORMAL,   /* p1 = mu (log of the median), p2 = sigma */
    DIST_UNIFORM,     /* p1 = min, p2 = max */
    DIST_EXPONENTIAL  /* p1 = mean */
};

struct dist {
    enum dist_kind kind;
    double p1, p2;
};

/* A fixed distribution of value v. */
struct dist dist_fixed(double v);

/* Draws one value; never negative for the kinds above when their parameters
 * are valid (dist_check). */
double dist_sample(const struct dist *d, gsl_rng *rng);

/* The distribution's mean (exact, by formula; the truncated normal's mean
 * includes the truncation). */
double dist_mean(const struct dist *d);

/* Returns NULL when the parameters are valid, else a short reason. */
const char *dist_check(const struct dist *d);

/* Name <-> kind: "fixed", "normal", "lognormal", "uniform", "exponential".
 * dist_kind_parse returns 0 on success, -1 on an unknown name. */
const char *dist_kind_name(enum dist_kind kind);
int dist_kind_parse(const char *name, enum dist_kind *kind);

#endif
