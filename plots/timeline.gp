# timeline.gp — every task attempt of a stagecast run as a bar on the slot
# that ran it, coloured by stage.
#
#   stagecast run SCENARIO --plot-dir DIR && gnuplot DIR/timeline.gp
#
# writes DIR/timeline.png (set outfile, and fmt, to change it:
# gnuplot -e "outfile='t.svg'" DIR/timeline.gp). Reads run.csv, stages.csv,
# executors.csv and bars.csv from the script's directory.
#
# Rows are executor slots, executor 0 at the top. bars.csv already merges
# attempts that would be thinner than a few pixels (its `attempts` column
# says how many a bar holds); on clusters with more slots than rows, a row
# holds several slots (run.csv: slots_per_row). Shaded bands are executors'
# lifetimes; dashed lines are stage completions; red crosses mark failed
# attempts, grey crosses killed ones (speculative copies that lost), black
# triangles retries and speculative copies, black dots each stage's
# straggler (its longest task, at its end, when it took 1.5 times the
# median or more).

if (!exists("scriptdir")) {
    scriptdir = ARG0
    _i = strlen(scriptdir)
    while (_i > 0 && scriptdir[_i:_i] ne "/") { _i = _i - 1 }
    scriptdir = _i > 0 ? scriptdir[1:_i] : ""
}
load scriptdir.'common.gp'
if (!in_multiplot) {
    if (!exists("outfile")) { outfile = datadir.'timeline.png' }
    if (!exists("fmt")) { fmt = fmt_of(outfile) }
    eval term_cmd(1200, 700)
    set output outfile
    set lmargin 10
    set rmargin at screen 0.78
}

# The stragglers to mark (below), counted before any range is set: stats
# honours ranges.
n_strag = 0
stats datadir.'stages.csv' using (n_strag = n_strag + (column('tasks') > 1 && \
    column('task_max_s') >= 1.5 * column('task_p50_s') ? 1 : 0), 0) nooutput

set title sprintf("%s: task attempts per executor slot, coloured by stage", run_name)
set xlabel time_label
set xrange [0:makespan]
set yrange [n_rows - 0.5:-0.5]
set grid xtics lc rgb "#dddddd" lw 1
set border 3
set xtics nomirror out
set ytics nomirror out scale 0
set key outside right top vertical Left reverse noautotitle samplen 1.5 spacing 1.1

# Executors as y labels when they fit; slot rows counted otherwise.
if (n_exec <= 40) {
    set ylabel per_row > 1 ? sprintf("executor (%d slots per row)", per_row) : "executor (one row per slot)"
    set ytics ()
    do for [i=1:n_exec] {
        set ytics add (sprintf("exec %d", ex_id[i]) (ex_first[i] + ex_last[i]) / 2.0)
    }
} else {
    set ylabel per_row > 1 ? sprintf("timeline row (%d slots each)", per_row) : "executor slot"
}
# A line between executors, when there are few enough to tell apart.
if (n_exec <= 100) {
    do for [i=2:n_exec] {
        set arrow from graph 0, first ex_first[i] - 0.5 to graph 1, first ex_first[i] - 0.5 \
            nohead lc rgb "#888888" lw 0.6 back
    }
}

bar_h = per_row > 1 ? 0.5 : 0.4
band(id) = int(id) % 2 ? 0xe8edf3 : 0xf4f4f4
# Executors joining after the start or leaving before the end are marked.
n_join = 0
n_leave = 0
do for [i=1:n_exec] {
    if (ex_from[i] > makespan * 1e-6) { n_join = n_join + 1 }
    if (ex_to[i] < makespan * (1 - 1e-6)) { n_leave = n_leave + 1 }
}

D = datadir
cmd = "plot D.'executors.csv' using ((column('alive_from_s') + column('alive_to_s')) / 2):" . \
      "((column('row_first') + column('row_last')) / 2):" . \
      "((column('alive_to_s') - column('alive_from_s')) / 2):" . \
      "((column('row_last') - column('row_first')) / 2 + 0.5):(band(column('id'))) " . \
      "with boxxyerror fs solid 1.0 noborder lc rgb variable notitle"
cmd = cmd . ", D.'bars.csv' using ((column('start_s') + column('end_s')) / 2):'row':" . \
      "((column('end_s') - column('start_s')) / 2):(bar_h):(stage_color(column('stage'))) " . \
      (per_row > 1 ? "with boxxyerror fs solid 1.0 noborder lc rgb variable notitle" : \
                     "with boxxyerror fs solid 1.0 border lc rgb '#ffffff' lw 0.5 fc rgb variable notitle")
# Stage completions, while there are few enough lines to tell apart.
if (n_stages <= 40) {
    cmd = cmd . ", D.'stages.csv' using 'end_s':(-0.5):(0):(n_rows):(stage_color(column('stage'))) " . \
          "with vectors nohead dt 2 lw 1.5 lc rgb variable notitle"
    cmd = cmd . ", keyentry with vectors nohead dt 2 lw 1.5 lc rgb '#555555' title 'stage completes'"
}
if (n_failed > 0) {
    cmd = cmd . ", D.'bars.csv' using (column('status') == 1 ? column('end_s') : NaN):'row' " . \
          "with points pt 2 ps 1.2 lw 2 lc rgb fail_color title 'failed attempt'"
}
if (n_killed > 0) {
    cmd = cmd . ", D.'bars.csv' using (column('status') == 2 ? column('end_s') : NaN):'row' " . \
          "with points pt 2 ps 1.0 lw 1.5 lc rgb '#7f7f7f' title 'killed attempt'"
}
if (n_retry > 0) {
    cmd = cmd . ", D.'bars.csv' using (column('retry') > 0 ? column('start_s') : NaN):'row' " . \
          "with points pt 9 ps 0.9 lc rgb mark_color title 'retry or speculative'"
}
# Stragglers: a stage's longest task, when it took at least 1.5 times the
# median, marked at its end on the row that ran it.
if (n_strag > 0) {
    cmd = cmd . ", D.'stages.csv' using (column('tasks') > 1 && " . \
          "column('task_max_s') >= 1.5 * column('task_p50_s') ? column('longest_end_s') : NaN):" . \
          "'longest_row' with points pt 7 ps 1.1 lc rgb mark_color title 'straggler (at its end)'"
}
if (n_join > 0) {
    cmd = cmd . ", D.'executors.csv' using (column('alive_from_s') > makespan * 1e-6 ? column('alive_from_s') : NaN):" . \
          "((column('row_first') + column('row_last')) / 2) with points pt 5 ps 1.2 lc rgb '#2ca02c' title 'executor joins'"
}
if (n_leave > 0) {
    cmd = cmd . ", D.'executors.csv' using (column('alive_to_s') < makespan * (1 - 1e-6) ? column('alive_to_s') : NaN):" . \
          "((column('row_first') + column('row_last')) / 2) with points pt 4 ps 1.2 lw 2 lc rgb '#d62728' title 'executor leaves'"
}
# The key names the stages: all of them up to 18, then a count.
n_key = n_stages <= 18 ? n_stages : 16
cmd = cmd . ", for [i=1:n_key] keyentry with boxes fs solid 1.0 lc rgb stage_color(i - 1) title short(st_label[i], 30)"
if (n_stages > n_key) {
    cmd = cmd . sprintf(", keyentry with boxes fs empty lc rgb '#ffffff' title '... %d more stages'", n_stages - n_key)
}
eval cmd

if (!in_multiplot) { unset output }
