/*
 * dist.c — sampling the scenario's distributions with GSL (see dist.h).
 *
 * A normal task time could come out negative; a duration cannot. We redraw
 * (a truncated normal, which keeps the shape above 0) and fall back to 0 only
 * if the mass above 0 is so small that 64 draws all miss it.
 */
#include "models/dist.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

struct dist dist_fixed(double v)
{
    struct dist d = {DIST_FIXED, v, 0.0};
    return d;
}

double dist_sample(const struct dist *d, gsl_rng *rng)
{
    switch (d->kind) {
    case DIST_FIXED:
        return d->p1;
    case DIST_NORMAL:
        if (d->p2 <= 0.0)
            return d->p1 > 0.0 ? d->p1 : 0.0;
        for (int i = 0; i < 64; i++) {
            double x = d->p1 + gsl_ran_gaussian(rng, d->p2);
            if (x >= 0.0)
                return x;
        }
        return 0.0;
    case DIST_LOGNORMAL:
        return gsl_ran_lognormal(rng, d->p1, d->p2);
    case DIST_UNIFORM:
        return gsl_ran_flat(rng, d->p1, d->p2);
    case DIST_EXPONENTIAL:
        return gsl_ran_exponential(rng, d->p1);
    }
    return 0.0;
}

double dist_mean(const struct dist *d)
{
    switch (d->kind) {
    case DIST_FIXED:
        return d->p1;
    case DIST_NORMAL: {
        /* Mean of N(mu, s) truncated to [0, inf): mu + s * phi(a) / (1 - Phi(a)),
         * a = -mu/s. */
        if (d->p2 <= 0.0)
            return d->p1 > 0.0 ? d->p1 : 0.0;
        double a = -d->p1 / d->p2;
        double tail = gsl_cdf_ugaussian_Q(a);
        if (tail <= 0.0)
            return 0.0;
        return d->p1 + d->p2 * gsl_ran_ugaussian_pdf(a) / tail;
    }
    case DIST_LOGNORMAL:
        return exp(d->p1 + 0.5 * d->p2 * d->p2);
    case DIST_UNIFORM:
        return 0.5 * (d->p1 + d->p2);
    case DIST_EXPONENTIAL:
        return d->p1;
    }
    return 0.0;
}

const char *dist_check(const struct dist *d)
{
    if (!isfinite(d->p1) || !isfinite(d->p2))
        return "parameters must be finite numbers";
    switch (d->kind) {
    case DIST_FIXED:
        return d->p1 < 0.0 ? "value must not be negative" : NULL;
    case DIST_NORMAL:
        if (d->p2 < 0.0)
            return "stddev must not be negative";
        return d->p1 < 0.0 ? "mean must not be negative" : NULL;
    case DIST_LOGNORMAL:
        return d->p2 < 0.0 ? "sigma must not be negative" : NULL;
    case DIST_UNIFORM:
        if (d->p1 < 0.0)
            return "min must not be negative";
        return d->p2 < d->p1 ? "max must not be less than min" : NULL;
    case DIST_EXPONENTIAL:
        return d->p1 <= 0.0 ? "mean must be positive" : NULL;
    }
    return "unknown distribution";
}

static const char *const kind_names[] = {"fixed", "normal", "lognormal", "uniform", "exponential"};

const char *dist_kind_name(enum dist_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

int dist_kind_parse(const char *name, enum dist_kind *kind)
{
    for (unsigned i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0) {
            *kind = (enum dist_kind)i;
            return 0;
        }
    return -1;
}
