# utilization.gp — how many task slots were busy over time, against how
# many there were, with the number of workers.
#
#   stagecast run SCENARIO --plot-dir DIR && gnuplot DIR/utilization.gp
#
# writes DIR/utilization.png (set outfile, and fmt, to change it). With
# fmt='dumb' it draws on a terminal: what `stagecast run FILE --plot -` shows.
# Reads run.csv and utilization.csv: a step function whose row holds from
# its time_s to the next row's (time-averaged bins on large runs).

if (!exists("scriptdir")) {
    scriptdir = ARG0
    _i = strlen(scriptdir)
    while (_i > 0 && scriptdir[_i:_i] ne "/") { _i = _i - 1 }
    scriptdir = _i > 0 ? scriptdir[1:_i] : ""
}
load scriptdir.'common.gp'
if (!in_multiplot) {
    if (!exists("outfile")) { outfile = datadir.'utilization.png' }
    if (!exists("fmt")) { fmt = fmt_of(outfile) }
    eval term_cmd(1200, 420)
    set output outfile
    if (fmt ne "dumb") {
        set lmargin 10
        set rmargin at screen 0.78
    }
}

stats datadir.'utilization.csv' using 'available_slots' name "AV" nooutput
stats datadir.'utilization.csv' using 'workers' name "WK" nooutput
# The slots' axis ends a third above the most slots and the workers' axis
# just above the most workers, so the two curves never lie on one another
# (with equal workers they would coincide on a shared scale).
top = AV_max > 0 ? AV_max * 1.35 : 1
wtop = WK_max > 0 ? WK_max * 1.08 : 1
D = datadir

set xrange [0:makespan]
set yrange [0:top]
set xlabel time_label
set ylabel "task slots"
set border 3
set xtics nomirror out
set ytics nomirror out

if (fmt eq "dumb") {
    # 80 columns: the busy curve and the slots available, nothing more.
    unset border
    set border 3
    set xlabel "time (s)"
    set title sprintf("%s: busy task slots (utilization %.1f%%)", run_name, util_all * 100)
    set key outside below horizontal
    plot D.'utilization.csv' using 'time_s':'busy_slots' with steps title "busy", \
         '' using 'time_s':'available_slots' with steps title "available"
} else {
    set title sprintf("%s: busy over available task slots (utilization %.1f%%, makespan %s, %s)", \
                      run_name, util_all * 100, secs(makespan), cost_text)
    set grid xtics ytics lc rgb "#dddddd"
    # Workers on the right axis, in their own colour, drawn above the slots.
    set y2label "workers" tc rgb "#c85a00"
    set y2tics nomirror out tc rgb "#c85a00"
    set y2range [0:wtop]
    if (WK_max <= 12) { set y2tics 1 }
    set ylabel "task slots" tc rgb "#222222"
    # The key clear of the workers' axis: its tics and label take the
    # first 0.05 of the picture right of the plot (rmargin at screen 0.78).
    set key at screen 0.835, graph 1 left top vertical Left reverse samplen 2 spacing 1.2
    plot D.'utilization.csv' using 'time_s':'busy_slots' with fillsteps fs solid 1.0 noborder \
             lc rgb "#b3c7de" title "busy slots", \
         '' using 'time_s':'busy_slots' with steps lw 1 lc rgb "#2b4d73" notitle, \
         '' using 'time_s':'available_slots' with steps lw 2.5 lc rgb "#222222" title "available slots", \
         '' using 'time_s':'workers' axes x1y2 with steps lw 2 dt (8,4) lc rgb "#e07000" title "workers (right axis)"
}

if (!in_multiplot) { unset output }
