/*
 * plotlabel.c — labels for a scatter plot's points that overlap nothing
 * (see plotlabel.h). It sits in the output step, beside the plot data it
 * decorates; the sweep's CSV writer calls it for the Pareto points.
 *
 * Greedy, in priority order: each label tries the right of its point, then
 * the left, above and below, and keeps the first place whose box stays
 * inside the plot and meets no label placed before it, no other point's
 * marker, no segment of the front's line and not the deadline's label.
 * Greedy is not optimal, but the points to label lie on a Pareto front — a
 * curve falling from upper left to lower right — where neighbours crowd
 * each other only pairwise. Where a crowd leaves a point no side, it can
 * (f->callouts) get its label further out, in the empty part of the plot
 * (a front leaves the upper right free), with a leader line to it: the
 * nearest place, on a grid of two characters by half a line, whose box is
 * free and whose leader crosses no label, marker or other leader.
 * At most PLOTLABEL_MAX labels are tried (no
 * plot shows more), so a sweep of a million points whose front is long
 * still costs that many times n box tests (a callout checks only the
 * markers within its reach, and gives up past CALLOUT_MAX_NEAR of them).
 */
#include "sim/output/plotlabel.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#define PLOTLABEL_MAX 200

struct box {
    double x0, y0, x1, y1;
};

static bool overlap(const struct box *a, const struct box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* The label's box on side s of a point at (px, py) whose marker is
 * scale times the frame's, in plot fractions: gnuplot centres a label's
 * text on its point's height (right and left) or width (above and below). */
static struct box label_box(double px, double py, size_t chars, int s, double scale,
                            const struct plotlabel_frame *f)
{
    double w = (double)chars * f->char_w;
    double mw = f->mark_w * scale / 2 + f->gap, mh = f->mark_h * scale / 2 + f->gap;
    struct box b;
    if (s == PLOTLABEL_RIGHT || s == PLOTLABEL_LEFT) {
        b.x0 = s == PLOTLABEL_RIGHT ? px + mw : px - mw - w;
        b.y0 = py - f->line_h / 2;
    } else {
        b.x0 = px - w / 2;
        b.y0 = s == PLOTLABEL_ABOVE ? py + mh : py - mh - f->line_h;
    }
    b.x1 = b.x0 + w;
    b.y1 = b.y0 + f->line_h;
    return b;
}

/* Whether the segment from a to b (plot fractions) crosses box b0: tested
 * at points along it a hundredth of the plot apart, finer than any label. */
static bool segment_crosses(double ax, double ay, double bx, double by, const struct box *b0)
{
    double len = fabs(bx - ax) + fabs(by - ay);
    int steps = 1 + (int)(len * 100.0);
    for (int k = 0; k <= steps; k++) {
        double t = (double)k / steps, x = ax + (bx - ax) * t, y = ay + (by - ay) * t;
        if (x > b0->x0 && x < b0->x1 && y > b0->y0 && y < b0->y1)
            return true;
    }
    return false;
}

/* A point waiting for its label, in order of placement: higher priority
 * first, then smaller x (the front's fast end first), then input order. */
struct cand {
    int priority;
    double x;
    size_t i;
};

static int compare_cand(const void *a, const void *b)
{
    const struct cand *p = a, *q = b;
    if (p->priority != q->priority)
        return p->priority > q->priority ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* A leader line, point to label, in plot fractions. */
struct seg {
    double ax, ay, bx, by;
};

/* Whether segments p and q cross (proper or touching): the orientation
 * test of each one's ends against the other. */
static double orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

static bool segments_cross(const struct seg *p, const struct seg *q)
{
    double d1 = orient(q->ax, q->ay, q->bx, q->by, p->ax, p->ay);
    double d2 = orient(q->ax, q->ay, q->bx, q->by, p->bx, p->by);
    double d3 = orient(p->ax, p->ay, p->bx, p->by, q->ax, q->ay);
    double d4 = orient(p->ax, p->ay, p->bx, p->by, q->bx, q->by);
    return ((d1 > 0) != (d2 > 0)) && ((d3 > 0) != (d4 > 0)) && d1 != 0 && d2 != 0 && d3 != 0 &&
           d4 != 0;
}

/* What is already on the plot, in plot fractions, that a label must not
 * meet. */
struct scene {
    const struct plotlabel_point *pts;
    const struct plotlabel_frame *f;
    size_t n;
    const struct box *marks; /* n, NaN where not drawn */
    struct box *taken;       /* labels placed, and the vertical line's */
    long n_taken;
    const struct cand *line; /* the front's vertices in order of x */
    size_t n_line;
    struct seg *leads; /* callouts' leader lines */
    size_t n_leads;
    const size_t *near; /* with near: only these markers can be in the way */
    size_t n_near;
};

/* Whether box b0 (point i's label) fits: inside the plot, meeting no label,
 * no marker but i's own, no segment of the front's line and no leader line.
 * own_too (a callout): i's own marker counts too, and the label keeps a
 * margin from the others. */
static bool box_is_free(const struct scene *sc, size_t i, const struct box *b0, bool own_too)
{
    const struct plotlabel_frame *f = sc->f;
    if (!(b0->x0 >= 0.0 && b0->x1 <= 1.0 && b0->y0 >= 0.0 && b0->y1 <= 1.0))
        return false;
    /* A callout keeps one and a half characters and half a line from
     * other labels and markers: text that only just misses another on
     * about the same baseline reads as one line with it. */
    double pad_x = own_too ? 1.5 * f->char_w : 0.0, pad_y = own_too ? f->line_h / 2 : 0.0;
    struct box bb = {b0->x0 - pad_x, b0->y0 - pad_y, b0->x1 + pad_x, b0->y1 + pad_y};
    const struct box *b = &bb;
    for (long t = 0; t < sc->n_taken; t++)
        if (overlap(b, &sc->taken[t]))
            return false;
    size_t nm = sc->near ? sc->n_near : sc->n;
    for (size_t k = 0; k < nm; k++) {
        size_t j = sc->near ? sc->near[k] : k;
        if ((j != i || own_too) && isfinite(sc->marks[j].x0) && isfinite(sc->marks[j].y0) &&
            overlap(b, &sc->marks[j]))
            return false;
    }
    for (size_t j = 1; j < sc->n_line; j++) {
        const struct plotlabel_point *a = &sc->pts[sc->line[j - 1].i], *c = &sc->pts[sc->line[j].i];
        if (segment_crosses(a->x / f->x_hi, a->y / f->y_hi, c->x / f->x_hi, c->y / f->y_hi, b))
            return false;
    }
    for (size_t k = 0; k < sc->n_leads; k++)
        if (segment_crosses(sc->leads[k].ax, sc->leads[k].ay, sc->leads[k].bx, sc->leads[k].by, b))
            return false;
    return true;
}

/* Whether a leader line l from point i's centre is clear: it meets no
 * label, no other point's marker and no other leader. */
static bool leader_is_clear(const struct scene *sc, size_t i, const struct seg *l)
{
    /* Half a character clear of every label: a leader grazing a text
     * seems to point at it. */
    double px = sc->f->char_w / 2, py = sc->f->line_h / 8;
    for (long t = 0; t < sc->n_taken; t++) {
        const struct box *b = &sc->taken[t];
        struct box wide = {b->x0 - px, b->y0 - py, b->x1 + px, b->y1 + py};
        if (segment_crosses(l->ax, l->ay, l->bx, l->by, &wide))
            return false;
    }
    for (size_t k = 0; k < sc->n_near; k++) {
        size_t j = sc->near[k];
        if (j != i && isfinite(sc->marks[j].x0) && isfinite(sc->marks[j].y0) &&
            segment_crosses(l->ax, l->ay, l->bx, l->by, &sc->marks[j]))
            return false;
    }
    for (size_t k = 0; k < sc->n_leads; k++)
        if (segments_cross(l, &sc->leads[k]))
            return false;
    return true;
}

/* A callout's place, tried nearest first. */
struct spot_try {
    double d;
    struct box b;
    double lx, ly; /* the box's point nearest the label's point */
};

static int compare_try(const void *a, const void *b)
{
    const struct spot_try *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    if (p->b.y0 != q->b.y0)
        return p->b.y0 > q->b.y0 ? -1 : 1; /* above first: the front falls to the right */
    return (p->b.x0 > q->b.x0) - (p->b.x0 < q->b.x0);
}

/* How far a callout may go from its point, and the most markers near it
 * that are checked (a denser neighbourhood has no room anyway). */
#define CALLOUT_REACH 0.25
#define CALLOUT_MAX_NEAR 4096

/* Places point i's label as a callout: the nearest box within
 * CALLOUT_REACH, at least a marker and a gap away, that fits and whose
 * leader is clear. near (scratch for n indices) and tries (scratch) are the
 * caller's. Returns false when none does. */
static bool place_callout(struct scene *sc, size_t i, size_t *near, struct spot_try *tries,
                          size_t max_tries, struct plotlabel_spot *spot)
{
    const struct plotlabel_point *pt = &sc->pts[i];
    const struct plotlabel_frame *f = sc->f;
    double px = pt->x / f->x_hi, py = pt->y / f->y_hi;
    double sc_m = pt->mark_scale > 0.0 ? pt->mark_scale : 1.0;
    double w = (double)pt->chars * f->char_w, h = f->line_h;
    double reach = CALLOUT_REACH;
    /* The markers that can be in the way of a box or leader within reach. */
    sc->near = near;
    sc->n_near = 0;
    for (size_t j = 0; j < sc->n; j++) {
        const struct box *m = &sc->marks[j];
        if (isfinite(m->x0) && isfinite(m->y0) && m->x1 >= px - reach - w &&
            m->x0 <= px + reach + w && m->y1 >= py - reach - h && m->y0 <= py + reach + h) {
            if (sc->n_near == CALLOUT_MAX_NEAR) {
                sc->near = NULL;
                return false;
            }
            near[sc->n_near++] = j;
        }
    }
    /* A leader shorter than the marker's width would hide under it: the
     * label must stand clearly off its point to read as a callout. */
    double r_own = f->mark_w * sc_m / 2;
    double min_d = 3 * r_own + f->gap;
    double step_x = 2 * f->char_w, step_y = h / 2;
    size_t nt = 0;
    for (double x0 = px - reach - w; x0 <= px + reach && nt < max_tries; x0 += step_x)
        for (double y0 = py - reach - h / 2; y0 <= py + reach && nt < max_tries; y0 += step_y) {
            struct box b = {x0, y0, x0 + w, y0 + h};
            double lx = px < b.x0 ? b.x0 : px > b.x1 ? b.x1 : px;
            double ly = py < b.y0 ? b.y0 : py > b.y1 ? b.y1 : py;
            double d = hypot(lx - px, ly - py);
            if (d < min_d || d > reach)
                continue;
            tries[nt++] = (struct spot_try){d, b, lx, ly};
        }
    qsort(tries, nt, sizeof *tries, compare_try);
    /* First a place off the vertical line (a label hides the deadline
     * where it crosses it), then any. */
    double vx = isfinite(f->vline_x) ? f->vline_x / f->x_hi : NAN;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < nt; k++) {
            const struct spot_try *t = &tries[k];
            if (pass == 0 && t->b.x0 < vx && vx < t->b.x1)
                continue;
            /* The leader from the marker's edge: a neighbour's marker may
             * touch this one's without blocking every way out. */
            double len = hypot(t->lx - px, t->ly - py);
            double u = len > 0 ? r_own / len : 0;
            struct seg l = {px + (t->lx - px) * u, py + (t->ly - py) * u, t->lx, t->ly};
            if (pass == 1 && !(t->b.x0 < vx && vx < t->b.x1))
                continue;
            if (!box_is_free(sc, i, &t->b, true) || !leader_is_clear(sc, i, &l))
                continue;
            *spot = (struct plotlabel_spot){PLOTLABEL_CALLOUT, t->b.x0 * f->x_hi,
                                            (t->b.y0 + t->b.y1) / 2 * f->y_hi, t->lx * f->x_hi,
                                            t->ly * f->y_hi};
            sc->taken[sc->n_taken++] = t->b;
            sc->leads[sc->n_leads++] = (struct seg){px, py, t->lx, t->ly};
            sc->near = NULL;
            return true;
        }
    sc->near = NULL;
    return false;
}

long plotlabel_place(const struct plotlabel_point *pts, size_t n, const struct plotlabel_frame *f,
                     struct plotlabel_spot *spot)
{
    for (size_t i = 0; i < n; i++)
        spot[i] = (struct plotlabel_spot){PLOTLABEL_NONE, NAN, NAN, NAN, NAN};
    if (n == 0 || !(f->x_hi > 0.0) || !(f->y_hi > 0.0))
        return 0;
    /* Callout places: x from -reach - w to reach in steps of two
     * characters, y over twice the reach in half lines. */
    size_t max_tries = 0;
    if (f->callouts && f->char_w > 0.0 && f->line_h > 0.0)
        max_tries = (size_t)((2 * CALLOUT_REACH + 0.5) / (2 * f->char_w) + 2) *
                    (size_t)((2 * CALLOUT_REACH + f->line_h) / (f->line_h / 2) + 2);
    if (max_tries > 100000)
        max_tries = 100000;
    struct cand *order = malloc(n * sizeof *order);
    struct box *taken = malloc((n + 2) * sizeof *taken);
    struct box *marks = malloc(n * sizeof *marks);
    struct cand *line = malloc(n * sizeof *line);
    struct seg *leads = malloc((PLOTLABEL_MAX + 1) * sizeof *leads);
    size_t *near = f->callouts ? malloc((CALLOUT_MAX_NEAR + 1) * sizeof *near) : NULL;
    struct spot_try *tries = max_tries ? malloc(max_tries * sizeof *tries) : NULL;
    if (!order || !taken || !marks || !line || !leads || (f->callouts && (!near || !tries))) {
        free(tries);
        free(near);
        free(leads);
        free(line);
        free(order);
        free(taken);
        free(marks);
        return -1;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double px = pts[i].x / f->x_hi, py = pts[i].y / f->y_hi;
        double sc = pts[i].mark_scale > 0.0 ? pts[i].mark_scale : 1.0;
        marks[i] = (struct box){px - f->mark_w * sc / 2, py - f->mark_h * sc / 2,
                                px + f->mark_w * sc / 2, py + f->mark_h * sc / 2};
        if (pts[i].chars > 0 && isfinite(px) && isfinite(py))
            order[m++] = (struct cand){pts[i].priority, pts[i].x, i};
    }
    struct scene sc = {.pts = pts, .f = f, .n = n, .marks = marks, .taken = taken, .leads = leads};
    /* The vertical line's label, one more box in the way. The line itself
     * may run behind a label: the script draws labels on an opaque box. */
    if (isfinite(f->vline_x)) {
        double lx = f->vline_x / f->x_hi;
        double w = f->gap + (double)f->vline_chars * f->char_w;
        if (f->vline_chars > 0)
            taken[sc.n_taken++] = lx + w <= 1.0
                                      ? (struct box){lx, 1.0 - 1.5 * f->line_h, lx + w, 1.0}
                                      : (struct box){lx - w, 1.0 - 1.5 * f->line_h, lx, 1.0};
    }
    qsort(order, m, sizeof *order, compare_cand);
    if (m > PLOTLABEL_MAX)
        m = PLOTLABEL_MAX;
    /* The line's vertices, in order of x. */
    for (size_t i = 0; i < n; i++)
        if (pts[i].on_line && isfinite(pts[i].x) && isfinite(pts[i].y))
            line[sc.n_line++] = (struct cand){0, pts[i].x, i};
    qsort(line, sc.n_line, sizeof *line, compare_cand);
    sc.line = line;
    static const int sides[] = {PLOTLABEL_RIGHT, PLOTLABEL_LEFT, PLOTLABEL_ABOVE, PLOTLABEL_BELOW};
    for (size_t k = 0; k < m; k++) {
        size_t i = order[k].i;
        double px = pts[i].x / f->x_hi, py = pts[i].y / f->y_hi;
        double scale = pts[i].mark_scale > 0.0 ? pts[i].mark_scale : 1.0;
        for (size_t si = 0; si < sizeof sides / sizeof sides[0]; si++) {
            struct box b = label_box(px, py, pts[i].chars, sides[si], scale, f);
            if (box_is_free(&sc, i, &b, false)) {
                double ax = sides[si] == PLOTLABEL_RIGHT  ? b.x0
                            : sides[si] == PLOTLABEL_LEFT ? b.x1
                                                          : (b.x0 + b.x1) / 2;
                spot[i] = (struct plotlabel_spot){sides[si], ax * f->x_hi,
                                                  (b.y0 + b.y1) / 2 * f->y_hi, NAN, NAN};
                taken[sc.n_taken++] = b;
                break;
            }
        }
    }
    /* Then, in the same order, the labels no side had room for, further
     * out: every label beside its point is placed first, so a callout
     * never takes the place a neighbour's plain label would have had. */
    for (size_t k = 0; max_tries && k < m; k++)
        if (spot[order[k].i].side == PLOTLABEL_NONE)
            place_callout(&sc, order[k].i, near, tries, max_tries, &spot[order[k].i]);
    /* Count the points labelled, not the line's boxes. */
    long placed = 0;
    for (size_t i = 0; i < n; i++)
        placed += spot[i].side != PLOTLABEL_NONE;
    free(tries);
    free(near);
    free(leads);
    free(line);
    free(order);
    free(taken);
    free(marks);
    return placed;
}
