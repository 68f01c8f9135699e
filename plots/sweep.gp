# sweep.gp — cost against makespan for each cluster a sweep tried, with the
# Pareto front (no other cluster is both cheaper and faster) and the
# recommended cluster; below it, the cost of each node type at each worker
# count.
#
#   gnuplot -e "datadir='DIR/'" sweep.gp      (or copy it beside the data)
#
# reads sweep.csv and writes sweep.png in datadir (set outfile, and fmt, to
# change it). sweep.csv has a header row and one row per cluster tried:
#   node_type    the worker VM size, e.g. Standard_E8ds_v5
#   workers      number of workers
#   makespan_s   predicted makespan, seconds
#   cost_usd     predicted cost in USD (empty when a price is unknown)
#   pareto       1 when on the Pareto front of cost and makespan, else 0
#   recommended  1 for the one cluster recommended, else 0
#   feasible     0 when its shuffle and spill exceed the workers' local
#                disks (drawn crossed out; never recommended), 1 when they
#                fit, empty when unknown
#   deadline_s   the sweep's --deadline, on every row (empty: none); drawn
#                as a dashed line
#   label        "8 x E8ds_v5" on the Pareto points whose label fits without
#                overlapping (stagecast places them), else empty
#   label_side   1: label to the right of the point, -1: to the left, 2:
#                above, -2: below, 3: further out (a callout, in a crowd),
#                0: none
#   label_x_s, label_y_usd  where the label's text is anchored: its left end
#                (side 1 and 3), right end (-1) or middle (2, -2), at
#                mid-height
#   label_lead_x_s, label_lead_y_usd  side 3: where the leader line from the
#                point meets the label's box (empty otherwise)
#   variant      what else sets the point apart, "autoscale 2-8", "spot
#                0.25" (empty when the sweep is over node types and workers)
# Node-type names must hold no spaces (Azure's never do).
# This script is self-contained: a sweep's directory has no run.csv.

if (!exists("scriptdir")) {
    scriptdir = ARG0
    _i = strlen(scriptdir)
    while (_i > 0 && scriptdir[_i:_i] ne "/") { _i = _i - 1 }
    scriptdir = _i > 0 ? scriptdir[1:_i] : ""
}
reset
if (!exists("datadir")) { datadir = scriptdir }
if (!exists("sweepfile")) { sweepfile = datadir.'sweep.csv' }
if (!exists("outfile")) { outfile = datadir.'sweep.png' }
if (!exists("fmt")) {
    _e = strlen(outfile) >= 4 ? outfile[strlen(outfile)-3:] : ""
    fmt = (_e eq ".svg" || _e eq ".SVG") ? "svg" : (_e eq ".pdf" || _e eq ".PDF") ? "pdf" : "png"
}
set datafile separator comma
set datafile columnheaders

# The node types, in order of first appearance, as a space-separated list.
types = ""
has(list, w) = strstrt(" ".list." ", " ".w." ") > 0
stats sweepfile using (_t = stringcolumn("node_type"), \
    types = has(types, _t) ? types : (types eq "" ? _t : types." "._t), \
    column("makespan_s")) name "MK" nooutput
n_types = words(types)
short_type(t) = strlen(t) > 9 && t[1:9] eq "Standard_" ? t[10:] : t
# The recommended cluster, for its key entry (none without one).
rec_label = ""
stats sweepfile using (column("recommended") > 0 ? (rec_label = sprintf("recommended: %d x %s%s", \
    column("workers"), short_type(stringcolumn("node_type")), \
    strlen(stringcolumn("variant")) > 0 ? " (".stringcolumn("variant").")" : ""), 0) : 0) nooutput

# The front's points, for a line through them in makespan order: `smooth
# unique` sorts, but only within runs of valid points, so the rows off the
# front are left out first rather than made NaN.
$front << EOD
makespan_s,cost_usd
EOD
set table $front append separator comma
plot sweepfile using "makespan_s":"cost_usd" with table if (column("pareto") > 0)
unset table

# Minutes read better than seconds once runs are long.
unit = MK_max > 600 ? 60.0 : 1.0
unit_name = unit > 1 ? "min" : "s"

# The deadline (the same on every row; NaN without one) and the highest
# cost, for the axes.
deadline = NaN
stats sweepfile using (_d = column("deadline_s"), deadline = _d == _d ? _d : deadline, \
    column("cost_usd")) name "CS" nooutput
has_deadline = deadline == deadline && deadline > 0
n_infeasible = 0
stats sweepfile using (n_infeasible = n_infeasible + (column("feasible") == 0 ? 1 : 0), 0) nooutput
dl_text(x) = x >= 3600 ? sprintf("%.3gh", x / 3600) : x >= 60 ? sprintf("%.3gm", x / 60) : sprintf("%.3gs", x)

array pal[12] = [0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0x76b7b2, 0xedc948, \
                 0xb07aa1, 0xff9da7, 0x9c755f, 0x86bcb6, 0x8cd17d, 0xbab0ac]
if (fmt eq "svg") {
    set terminal svg size 1100,1000 font 'Sans,12' noenhanced background '#ffffff'
} else {
    if (fmt eq "pdf") {
        set terminal pdfcairo size 11in,10in font 'Sans,9' noenhanced
    } else {
        if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
            set terminal pngcairo size 1100,1000 font 'Sans,10' noenhanced background '#ffffff'
        } else {
            set terminal png size 1100,1000 noenhanced
        }
    }
}
set output outfile
set multiplot layout 2,1

set title "cluster sweep: predicted cost against makespan (lower left is better)"
set xlabel sprintf("makespan (%s)", unit_name)
set ylabel "cost (USD)"
set grid lc rgb "#dddddd"
set border 3
set xtics nomirror out
set ytics nomirror out
set key outside right top vertical Left reverse samplen 1.5 spacing 1.2
# Both axes start at 0, so lengths compare; they end a margin past the
# slowest point (or the deadline) and the dearest one, where stagecast
# placed the labels (sweep_report.c: SWEEP_PLOT_X_PAD, SWEEP_PLOT_Y_PAD).
x_hi = (has_deadline && deadline > MK_max ? deadline : MK_max) * 1.15 / unit
y_hi = CS_max > 0 ? CS_max * 1.12 : 1
set xrange [0:*]
set yrange [0:*]
if (x_hi > 0) { set xrange [0:x_hi] }
set yrange [0:y_hi]
if (has_deadline) {
    set arrow 1 from deadline / unit, graph 0 to deadline / unit, graph 1 nohead \
        dt 2 lw 2 lc rgb "#d62728" back
    # Its label right of the line's top, or left of it when it would run
    # out of the plot (sweep_report.c reserves the same place: 14
    # characters of 0.0092 and a 0.008 gap, 0.137 of the width).
    if (deadline / unit <= x_hi * (1 - 0.137)) {
        set label 1 sprintf("deadline %s", dl_text(deadline)) at deadline / unit, graph 1 \
            left offset 0.5,-0.6 tc rgb "#d62728" front
    } else {
        set label 1 sprintf("deadline %s", dl_text(deadline)) at deadline / unit, graph 1 \
            right offset -0.5,-0.6 tc rgb "#d62728" front
    }
}

# Labels sit on an opaque box, so the deadline's line may pass behind one.
set style textbox opaque noborder margins 0.5,0.2
# Only the Pareto points carry labels, where stagecast found room for them
# (label_side 1: right of the point, -1: left, 2: above, -2: below, 3: out
# in free space with a leader line, 0: no label, nothing fits), anchored
# at (label_x_s, label_y_usd). Leaders are drawn first, under the points.
plot sweepfile using (column("label_side") == 3 ? column("makespan_s") / unit : NaN):"cost_usd": \
        ((column("label_lead_x_s") - column("makespan_s")) / unit): \
        (column("label_lead_y_usd") - column("cost_usd")) \
        with vectors nohead lw 1 lc rgb "#888888" notitle, \
     for [i=1:n_types] sweepfile \
        using (stringcolumn("node_type") eq word(types, i) ? column("makespan_s") / unit : NaN):"cost_usd" \
        with points pt 7 ps 1.3 lc rgb pal[(i - 1) % 12 + 1] title short_type(word(types, i)), \
     $front using (column("makespan_s") / unit):"cost_usd" \
        smooth unique with lines lw 2 dt 2 lc rgb "#444444" title "Pareto front", \
     sweepfile using (column("label_side") == 1 || column("label_side") == 3 ? \
        column("label_x_s") / unit : NaN):"label_y_usd": \
        (stringcolumn("label")) with labels left boxed font ",9" tc rgb "#333333" notitle, \
     sweepfile using (column("label_side") == -1 ? column("label_x_s") / unit : NaN):"label_y_usd": \
        (stringcolumn("label")) with labels right boxed font ",9" tc rgb "#333333" notitle, \
     sweepfile using (abs(column("label_side")) == 2 ? column("label_x_s") / unit : NaN):"label_y_usd": \
        (stringcolumn("label")) with labels center boxed font ",9" tc rgb "#333333" notitle, \
     sweepfile using (column("feasible") == 0 ? column("makespan_s") / unit : NaN):"cost_usd" \
        with points pt 2 ps 2.2 lw 2.5 lc rgb "#d62728" title "infeasible: exceeds local disk", \
     sweepfile using (column("recommended") > 0 ? column("makespan_s") / unit : NaN):"cost_usd" \
        with points pt 6 ps 3 lw 2.5 lc rgb "#d62728" title rec_label

unset arrow 1
unset label 1
# Second panel: what each node type costs at each worker count, bars side
# by side around log2(workers), so doubling counts sit at equal steps; an
# infeasible point's bar is hatched in red. A sweep over more axes
# (--autoscale, --spot: the variant column) has several points per node
# type and worker count, so there each point gets its own bar, in the
# CSV's order, named by its workers and variant.
n_variant = 0
stats sweepfile using (n_variant = n_variant + (strlen(stringcolumn("variant")) > 0 ? 1 : 0), 0) nooutput
set autoscale x
set xlabel n_variant > 0 ? "workers and variant" : "workers"
set ylabel "cost (USD)"
unset offsets
set offsets graph 0.02, graph 0.02, graph 0.08, 0
set yrange [0:*]
set style fill solid 0.85 border lc rgb "#ffffff"
set xtics nomirror out ()
if (n_variant > 0) {
    set title "predicted cost of each point"
    set boxwidth 0.8 absolute
    set xtics rotate by -25 left
    plot for [i=1:n_types] sweepfile \
            using (stringcolumn("node_type") eq word(types, i) ? column(0) : NaN):"cost_usd" \
            with boxes lc rgb pal[(i - 1) % 12 + 1] title short_type(word(types, i)), \
         sweepfile using (column("feasible") == 0 ? column(0) : NaN):"cost_usd" \
            with boxes fs transparent pattern 4 border lc rgb "#d62728" \
            title (n_infeasible > 0 ? "infeasible: exceeds local disk" : ""), \
         sweepfile using (column(0)):(0):xtic(sprintf("%d, %s", int(column("workers")), \
            stringcolumn("variant"))) with points ps 0 notitle
} else {
    set title "predicted cost per node type at each worker count"
    bw = 0.8 / n_types
    set boxwidth bw absolute
    lg(w) = log(w) / log(2)
    plot for [i=1:n_types] sweepfile \
            using (stringcolumn("node_type") eq word(types, i) ? \
                   lg(column("workers")) + (i - (n_types + 1) / 2.0) * bw : NaN):"cost_usd" \
            with boxes lc rgb pal[(i - 1) % 12 + 1] title short_type(word(types, i)), \
         for [i=1:n_types] sweepfile \
            using (stringcolumn("node_type") eq word(types, i) && column("feasible") == 0 ? \
                   lg(column("workers")) + (i - (n_types + 1) / 2.0) * bw : NaN):"cost_usd" \
            with boxes fs transparent pattern 4 border lc rgb "#d62728" \
            title (i == 1 && n_infeasible > 0 ? "infeasible: exceeds local disk" : ""), \
         sweepfile using (lg(column("workers"))):(0):xtic(sprintf("%d", int(column("workers")))) \
            with points ps 0 notitle
}

unset multiplot
unset output
