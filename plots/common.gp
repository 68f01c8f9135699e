# common.gp — what every stagecast plot script shares: where the data are,
# the run's totals, the stage colours and the output terminal.
#
# The panel scripts (timeline.gp, utilization.gp, waterfall.gp) and
# overview.gp load this file after setting `scriptdir`. Variables a caller
# may set beforehand (gnuplot -e "name=value" script.gp):
#   datadir  directory of the CSV files, ending in "/" (default: the script's)
#   outfile  the picture to write (default: set by each script, in datadir)
#   fmt      png, svg, pdf or dumb (default: from outfile's extension)
# The data files are those `stagecast run FILE --plot-dir DIR` writes; their
# columns are documented in stagecast's README ("Plots and traces").

reset
if (!exists("datadir")) { datadir = scriptdir }
set datafile separator comma
set datafile columnheaders

# ---- the run, from run.csv (one row) -------------------------------------
stats datadir.'run.csv' using (run_name = stringcolumn("scenario"), \
    makespan = column("makespan_s"), util_all = column("utilization"), \
    n_attempts = column("task_attempts"), n_stages = column("stages"), \
    n_exec = column("executors"), n_rows = column("rows"), \
    per_row = column("slots_per_row"), n_failed = column("failed_attempts"), \
    n_killed = column("killed_attempts"), n_retry = column("retry_attempts"), \
    cost = column("cost_usd"), 0) nooutput
if (makespan <= 0) { makespan = 1 }

# ---- the stages, from stages.csv (rows in submission order) -------------
array st_label[n_stages]
array st_start[n_stages]
array st_end[n_stages]
array st_crit[n_stages]
array st_parent[n_stages]
_k = 0
stats datadir.'stages.csv' using (_k = _k + 1, \
    st_label[_k] = sprintf("S%d %s", column("spark_stage_id"), stringcolumn("name")), \
    st_start[_k] = column("start_s"), st_end[_k] = column("end_s"), \
    st_crit[_k] = column("critical"), st_parent[_k] = column("critical_parent"), 0) nooutput

# ---- the executors, from executors.csv -----------------------------------
array ex_id[n_exec]
array ex_first[n_exec]
array ex_last[n_exec]
array ex_from[n_exec]
array ex_to[n_exec]
_k = 0
stats datadir.'executors.csv' using (_k = _k + 1, ex_id[_k] = column("id"), \
    ex_first[_k] = column("row_first"), ex_last[_k] = column("row_last"), \
    ex_from[_k] = column("alive_from_s"), ex_to[_k] = column("alive_to_s"), 0) nooutput

# ---- stage colours: stage k (submission order, column "stage") ----------
# Twelve colours that stay apart in print and for most colour-blind readers
# (Tableau 10 plus two), cycled when there are more stages.
array pal[12] = [0x4e79a7, 0xf28e2b, 0x59a14f, 0xe15759, 0x76b7b2, 0xedc948, \
                 0xb07aa1, 0xff9da7, 0x9c755f, 0x86bcb6, 0x8cd17d, 0xbab0ac]
stage_color(k) = pal[int(k) % 12 + 1]
fail_color = 0xd62728
mark_color = 0x222222

# Labels longer than this are cut so that keys and axes stay readable.
short(s, n) = strlen(s) > n ? s[1:n-1]."~" : s
secs(x) = x >= 100 ? sprintf("%.0f s", x) : x >= 10 ? sprintf("%.1f s", x) : \
          x >= 1 ? sprintf("%.2f s", x) : sprintf("%.0f ms", x * 1000)
cost_text = cost < 0 ? "cost unknown" : sprintf("$%.4f", cost)
time_label = "time since the first job was submitted (s)"

# ---- the output ------------------------------------------------------------
# A panel run on its own sets its terminal with `eval term_cmd(w, h)`, w x h
# in pixels (PDF: hundredths of an inch), unless overview.gp draws it as
# one panel of three (in_multiplot = 1).
fmt_of(f) = strlen(f) < 4 ? "png" : \
    (f[strlen(f)-3:] eq ".svg" || f[strlen(f)-3:] eq ".SVG") ? "svg" : \
    (f[strlen(f)-3:] eq ".pdf" || f[strlen(f)-3:] eq ".PDF") ? "pdf" : "png"
if (!exists("in_multiplot")) { in_multiplot = 0 }
have_pngcairo = strstrt(GPVAL_TERMINALS, "pngcairo") > 0
have_pdfcairo = strstrt(GPVAL_TERMINALS, "pdfcairo") > 0
term_cmd(w, h) = fmt eq "svg" ? \
        sprintf("set terminal svg size %d,%d font 'Sans,12' noenhanced background '#ffffff'", w, h) : \
    fmt eq "pdf" ? (have_pdfcairo ? \
        sprintf("set terminal pdfcairo size %.2fin,%.2fin font 'Sans,9' noenhanced", w / 100.0, h / 100.0) : \
        sprintf("set terminal pdf size %.2fin,%.2fin noenhanced", w / 100.0, h / 100.0)) : \
    fmt eq "dumb" ? "set terminal dumb size 80,24 nofeed noenhanced" : \
    have_pngcairo ? \
        sprintf("set terminal pngcairo size %d,%d font 'Sans,10' noenhanced background '#ffffff'", w, h) : \
        sprintf("set terminal png size %d,%d noenhanced", w, h)

# In a multiplot every panel gets the same left and right edges, so that
# their time axes line up; overview.gp sets panel_l/r/b/t (screen 0..1).
if (in_multiplot) {
    set lmargin at screen panel_l
    set rmargin at screen panel_r
    set bmargin at screen panel_b
    set tmargin at screen panel_t
}
