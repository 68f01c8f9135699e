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
 * each other only pairwise, and a label left out is a point still drawn
 * and still on the front line. At most PLOTLABEL_MAX labels are tried (no
 * plot shows more), so a sweep of a million points whose front is long
 * still costs that many times n box tests.
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

long plotlabel_place(const struct plotlabel_point *pts, size_t n, const struct plotlabel_frame *f,
                     struct plotlabel_spot *spot)
{
    for (size_t i = 0; i < n; i++)
        spot[i] = (struct plotlabel_spot){PLOTLABEL_NONE, NAN, NAN};
    if (n == 0 || !(f->x_hi > 0.0) || !(f->y_hi > 0.0))
        return 0;
    struct cand *order = malloc(n * sizeof *order);
    struct box *taken = malloc((n + 2) * sizeof *taken);
    struct box *marks = malloc(n * sizeof *marks);
    struct cand *line = malloc(n * sizeof *line);
    if (!order || !taken || !marks || !line) {
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
    /* The vertical line's label, one more box in the way. The line itself
     * may run behind a label: the script draws labels on an opaque box. */
    long placed = 0;
    if (isfinite(f->vline_x)) {
        double lx = f->vline_x / f->x_hi;
        double w = f->gap + (double)f->vline_chars * f->char_w;
        if (f->vline_chars > 0)
            taken[placed++] = lx + w <= 1.0
                                  ? (struct box){lx, 1.0 - 1.5 * f->line_h, lx + w, 1.0}
                                  : (struct box){lx - w, 1.0 - 1.5 * f->line_h, lx, 1.0};
    }
    qsort(order, m, sizeof *order, compare_cand);
    if (m > PLOTLABEL_MAX)
        m = PLOTLABEL_MAX;
    /* The line's vertices, in order of x. */
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].on_line && isfinite(pts[i].x) && isfinite(pts[i].y))
            line[nl++] = (struct cand){0, pts[i].x, i};
    qsort(line, nl, sizeof *line, compare_cand);
    static const int sides[] = {PLOTLABEL_RIGHT, PLOTLABEL_LEFT, PLOTLABEL_ABOVE, PLOTLABEL_BELOW};
    for (size_t k = 0; k < m; k++) {
        size_t i = order[k].i;
        double px = pts[i].x / f->x_hi, py = pts[i].y / f->y_hi;
        double sc = pts[i].mark_scale > 0.0 ? pts[i].mark_scale : 1.0;
        for (size_t si = 0; si < sizeof sides / sizeof sides[0]; si++) {
            struct box b = label_box(px, py, pts[i].chars, sides[si], sc, f);
            bool ok = b.x0 >= 0.0 && b.x1 <= 1.0 && b.y0 >= 0.0 && b.y1 <= 1.0;
            for (long t = 0; ok && t < placed; t++)
                ok = !overlap(&b, &taken[t]);
            for (size_t j = 0; ok && j < n; j++)
                ok = j == i || !isfinite(marks[j].x0) || !isfinite(marks[j].y0) ||
                     !overlap(&b, &marks[j]);
            for (size_t j = 1; ok && j < nl; j++) {
                const struct plotlabel_point *a = &pts[line[j - 1].i], *c = &pts[line[j].i];
                ok = !segment_crosses(a->x / f->x_hi, a->y / f->y_hi, c->x / f->x_hi,
                                      c->y / f->y_hi, &b);
            }
            if (ok) {
                double ax = sides[si] == PLOTLABEL_RIGHT  ? b.x0
                            : sides[si] == PLOTLABEL_LEFT ? b.x1
                                                          : (b.x0 + b.x1) / 2;
                spot[i] =
                    (struct plotlabel_spot){sides[si], ax * f->x_hi, (b.y0 + b.y1) / 2 * f->y_hi};
                taken[placed++] = b;
                break;
            }
        }
    }
    /* Count the points labelled, not the line's boxes. */
    placed = 0;
    for (size_t i = 0; i < n; i++)
        placed += spot[i].side != PLOTLABEL_NONE;
    free(line);
    free(order);
    free(taken);
    free(marks);
    return placed;
}
