# overview.gp — the three panels of a stagecast run in one picture: the
# timeline on top, utilization under it, the stage waterfall at the bottom,
# all on one time axis. `stagecast run FILE --plot out.png` draws this.
#
#   stagecast run SCENARIO --plot-dir DIR && gnuplot DIR/overview.gp
#
# writes DIR/overview.png (set outfile to a .png, .svg or .pdf to change it:
# gnuplot -e "outfile='run.svg'" DIR/overview.gp). The panels are
# timeline.gp, utilization.gp and waterfall.gp; edit those to restyle.

if (!exists("scriptdir")) {
    scriptdir = ARG0
    _i = strlen(scriptdir)
    while (_i > 0 && scriptdir[_i:_i] ne "/") { _i = _i - 1 }
    scriptdir = _i > 0 ? scriptdir[1:_i] : ""
}
load scriptdir.'common.gp'
if (!exists("outfile")) { outfile = datadir.'overview.png' }
if (!exists("fmt")) { fmt = fmt_of(outfile) }

# Heights in pixels: the timeline grows with its rows, the waterfall with
# its stages; the gaps hold each panel's title, key and axis label.
_nw = n_stages < 40 ? n_stages : 40
h_w = 30 * _nw > 180 ? 30 * _nw : 180
h_u = 260
h_t = 12 * n_rows < 360 ? 360 : (12 * n_rows > 720 ? 720 : 12 * n_rows)
g_top = 50
g_mid = 115
g_wf = 150
g_bot = 60
W = 1400
H = g_top + h_t + g_mid + h_u + g_wf + h_w + g_bot
eval term_cmd(W, H)
set output outfile
set multiplot

in_multiplot = 1
panel_l = 0.18
panel_r = 0.78
# Screen y of a height measured from the top of the picture.
sy(px) = 1.0 - px / (1.0 * H)

panel_t = sy(g_top)
panel_b = sy(g_top + h_t)
load scriptdir.'timeline.gp'

panel_t = sy(g_top + h_t + g_mid)
panel_b = sy(g_top + h_t + g_mid + h_u)
load scriptdir.'utilization.gp'

panel_t = sy(g_top + h_t + g_mid + h_u + g_wf)
panel_b = sy(g_top + h_t + g_mid + h_u + g_wf + h_w)
key_y = sy(g_top + h_t + g_mid + h_u + g_wf - 36)
load scriptdir.'waterfall.gp'

unset multiplot
unset output
in_multiplot = 0
