#!/bin/sh
# redraw.sh — remakes every picture in docs/img from the bundled scenarios,
# with the commands the docs show beside each picture.
#
#   sh docs/img/redraw.sh [STAGECAST]
#
# Run it from the source tree's root after building; STAGECAST is the
# binary (default: build/stagecast, then ./stagecast). It needs gnuplot.
# The plot scripts are the source tree's plots/ (STAGECAST_PLOTS), so a
# change to them shows here without installing. Look at each picture after.
set -eu

bin=${1:-}
if [ -z "$bin" ]; then
    if [ -x build/stagecast ]; then bin=build/stagecast; else bin=./stagecast; fi
fi
[ -d docs/img ] && [ -d plots ] || { echo "redraw.sh: run it from the source tree's root" >&2; exit 2; }
STAGECAST_PLOTS=$(pwd)/plots
export STAGECAST_PLOTS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# README.md, "A ten-minute walkthrough": the recommended cluster's run.
"$bin" run scenarios/walkthrough.cfg -q --set cluster.worker=Standard_D16s_v3 \
    --set cluster.workers=4 --plot docs/img/walkthrough.png

# docs/sweeps.md: the etl-nightly sweep, with its 3-minute deadline.
"$bin" sweep scenarios/etl-nightly.cfg -q \
    --node-types Standard_DS3_v2,Standard_E8ds_v5,Standard_D16s_v3 \
    --workers 2-32 --replications 5 --deadline 3m --plot docs/img/sweep-etl-nightly.png

# docs/sweeps.md, feasibility: a sweep with a point that exceeds its disks.
"$bin" sweep scenarios/groupby-large.cfg -q \
    --node-types Standard_E4ds_v5,Standard_E8ds_v5,Standard_E16ds_v5 \
    --workers 2-16 --replications 1 --deadline 10m --plot docs/img/sweep-groupby-large-disk.png

# docs/output.md: two FAIR pools' timeline and utilization, one panel each.
"$bin" run scenarios/concurrent-fair.cfg -q --plot-dir "$tmp/cf"
gnuplot -e "outfile='docs/img/concurrent-fair-timeline.png'" "$tmp/cf/timeline.gp"
gnuplot -e "outfile='docs/img/concurrent-fair-utilization.png'" "$tmp/cf/utilization.gp"

# docs/output.md: an autoscaled cluster's slots and workers.
"$bin" run scenarios/interactive-autoscale.cfg -q --plot-dir "$tmp/ia"
gnuplot -e "outfile='docs/img/interactive-autoscale-utilization.png'" "$tmp/ia/utilization.gp"

# docs/output.md: etl-nightly's stage waterfall.
"$bin" run scenarios/etl-nightly.cfg -q --plot-dir "$tmp/etl"
gnuplot -e "outfile='docs/img/etl-nightly-waterfall.png'" "$tmp/etl/waterfall.gp"

echo "redrawn: docs/img/*.png"
