/*
 * plotlabel.h — where a scatter plot's point labels go so that none covers
 * another label, another point or a marked line: gnuplot draws labels
 * where it is told and never moves them, so stagecast decides, in the
 * plot's own coordinates, which points get a label and on which side, and
 * writes that with the data (the sweep plot's `label` and `label_side`
 * columns).
 *
 * Sizes are fractions of the plot area (0..1 across and up), measured on
 * the picture the script draws; the caller states them once.
 */
#ifndef STAGECAST_PLOTLABEL_H
#define STAGECAST_PLOTLABEL_H

#include <stddef.h>

/* Where a label sits against its point. */
enum {
    PLOTLABEL_BELOW = -2,
    PLOTLABEL_LEFT = -1,
    PLOTLABEL_NONE = 0,
    PLOTLABEL_RIGHT = 1,
    PLOTLABEL_ABOVE = 2,
    PLOTLABEL_CALLOUT = 3 /* away from its point, joined to it by a leader line */
};

struct plotlabel_point {
    double x, y;       /* data units; NaN: not drawn (neither labelled nor in the way) */
    size_t chars;      /* the label's length; 0: no label wanted, only in the way */
    int priority;      /* labels are placed highest first, then left to right */
    double mark_scale; /* its marker's size in units of the frame's (0 reads as 1) */
    int on_line;       /* nonzero: the points so marked are joined, in order of x,
                        * by a line (a Pareto front) that no label may cross */
};

struct plotlabel_frame {
    double x_hi, y_hi;     /* the axes run from 0 to these (data units) */
    double char_w;         /* one character's width */
    double line_h;         /* one line's height */
    double gap;            /* between a marker's edge and its label */
    double mark_w, mark_h; /* a point's marker, whole width and height */
    /* A vertical line across the plot at vline_x (data units; NaN: none)
     * with a label of vline_chars characters by its top end, to its right
     * when it fits there (gap + vline_chars * char_w), else to its left:
     * labels
     * keep off its label, and may cross the line itself (drawn on an
     * opaque box, they hide it for the width of their text). */
    double vline_x;
    size_t vline_chars;
    /* Nonzero: a label that fits on no side of its point may go further
     * away, as a callout, joined to its point by a leader line that
     * crosses no label and no other point's marker. */
    int callouts;
};

/* Where a label goes: its side, and the point of its text gnuplot anchors
 * it by (data units): the left end of the text for RIGHT and CALLOUT, the
 * right end for LEFT, the middle for ABOVE and BELOW; always at the text's
 * mid-height. A CALLOUT's leader line runs from its point to (lead_x,
 * lead_y), the nearest point of the label's box; NaN for the other sides. */
struct plotlabel_spot {
    int side;
    double x, y;
    double lead_x, lead_y;
};

/* Sets spot[i] for each of the n points: side PLOTLABEL_RIGHT when its label
 * fits to the right of it (text starting a gap past its marker, centred on
 * its height), else PLOTLABEL_LEFT, PLOTLABEL_ABOVE or PLOTLABEL_BELOW (the
 * text centred over or under the marker), in that order of preference;
 * with f->callouts, a label that fits on none of them is then placed as
 * PLOTLABEL_CALLOUT at the nearest free place within 0.25 of the plot whose
 * leader line is clear; PLOTLABEL_NONE when nothing fits or no label was
 * wanted. A label fits when it stays inside the plot and overlaps no label
 * placed before it, no other point's marker, the line joining the on_line
 * points, no leader line, nor the vertical line's label. Only the first 200
 * labels in order of placement are tried. Returns how many were labelled,
 * or -1 when memory runs out (every side NONE). */
long plotlabel_place(const struct plotlabel_point *pts, size_t n, const struct plotlabel_frame *f,
                     struct plotlabel_spot *spot);

#endif
