# waterfall.gp — each stage of a stagecast run as a bar over its span, with
# its tasks' duration spread and its job's critical path.
#
#   stagecast run SCENARIO --plot-dir DIR && gnuplot DIR/waterfall.gp
#
# writes DIR/waterfall.png (set outfile, and fmt, to change it). Reads
# run.csv and stages.csv.
#
# One row per stage in submission order, first at the top. The pale bar is
# the stage's span (submitted to completed). Drawn from the stage's start,
# the solid bar is its median task time and the whisker reaches the 95th
# percentile. The dotted line under them is the longest task where it ran,
# from its launch to its end (the diamond): a diamond at the bar's end
# means one straggler set the stage's time. Stages on their job's critical
# path (from the stage that ends last, back through the parent each waited
# for longest) are outlined in red, with arrows from parent to child; the
# right axis gives the spread in numbers.

if (!exists("scriptdir")) {
    scriptdir = ARG0
    _i = strlen(scriptdir)
    while (_i > 0 && scriptdir[_i:_i] ne "/") { _i = _i - 1 }
    scriptdir = _i > 0 ? scriptdir[1:_i] : ""
}
load scriptdir.'common.gp'
if (!in_multiplot) {
    if (!exists("outfile")) { outfile = datadir.'waterfall.png' }
    if (!exists("fmt")) { fmt = fmt_of(outfile) }
    eval term_cmd(1200, 160 + 34 * (n_stages < 40 ? n_stages : 40))
    set output outfile
    set lmargin 28
    set rmargin at screen 0.78
}

num(x) = x >= 100 ? sprintf("%.0f", x) : sprintf("%.3g", x)
# The spread in words, read before any range is set (stats honours them).
_k = 0
array sp_text[n_stages]
stats datadir.'stages.csv' using (_k = _k + 1, \
    sp_text[_k] = sprintf("%d  %s / %s / %s", column("tasks"), \
        num(column("task_p50_s")), num(column("task_p95_s")), num(column("task_max_s"))), \
    0) nooutput

set title sprintf("%s: stage waterfall, %d stages (task p50 and p95 drawn from the stage's start, the longest task where it ran)", run_name, n_stages)
set xlabel time_label
set xrange [0:makespan]
set yrange [n_stages - 0.5:-0.5]
set border 3
set xtics nomirror out
set grid xtics lc rgb "#dddddd"
set key outside top center horizontal Left reverse samplen 2 width 1 maxcols 5
if (in_multiplot && exists("key_y")) {
    # Fixed margins leave the key nowhere to go by itself: overview.gp
    # gives it a place between this panel's title and the panel above.
    set key at screen (panel_l + panel_r) / 2, key_y center bottom
}

# Stage names on the left, the spread of task times on the right.
set ytics nomirror out scale 0
set y2tics out scale 0
set link y2
if (n_stages <= 40) {
    set ytics ()
    set y2tics ()
    do for [i=1:n_stages] {
        set ytics add (short(st_label[i], 34) i - 1)
    }
    do for [i=1:n_stages] {
        set y2tics add (sp_text[i] i - 1)
    }
    set y2label "tasks  p50 / p95 / max task time (s)"
} else {
    set ylabel "stage (submission order)"
    unset y2tics
}

# Arrows along each critical path: parent's end to child's start.
do for [i=1:n_stages] {
    if (st_parent[i] >= 0) {
        _p = int(st_parent[i]) + 1
        set arrow from st_end[_p], _p - 1 to st_start[i], i - 1 \
            lc rgb fail_color lw 1.5 size screen 0.008,25 front
    }
}

D = datadir
plot D.'stages.csv' using ((column('start_s') + column('end_s')) / 2):'stage': \
        ((column('end_s') - column('start_s')) / 2):(0.36):(stage_color(column('stage'))) \
        with boxxyerror lc rgb variable fs transparent solid 0.35 border title "stage span", \
     '' using ((column('start_s') + column('end_s')) / 2):(column('critical') > 0 ? column('stage') : NaN): \
        ((column('end_s') - column('start_s')) / 2):(0.36) \
        with boxxyerror lw 2 lc rgb fail_color fs empty border title "critical path", \
     '' using (column('start_s') + column('task_p50_s') / 2):'stage':(column('task_p50_s') / 2):(0.16): \
        (stage_color(column('stage'))) \
        with boxxyerror fs solid 1.0 noborder lc rgb variable title "task p50", \
     '' using (column('start_s') + column('task_p50_s')):'stage': \
        (column('task_p95_s') - column('task_p50_s')):(0) \
        with vectors nohead lw 2 lc rgb "#333333" title "task p95", \
     '' using 'longest_start_s':(column('stage') + 0.22): \
        (column('longest_end_s') - column('longest_start_s')):(0) \
        with vectors nohead lw 1.5 dt 3 lc rgb "#333333" notitle, \
     '' using 'longest_end_s':(column('stage') + 0.22) \
        with points pt 13 ps 1.1 lc rgb "#333333" title "longest task"

if (!in_multiplot) { unset output }
