#!/bin/sh
# bench_calib_stability.sh — how much the machine's load moves calibration:
# for each scenario that calibrates (its `stagecast calibrate` measures at
# least one pipeline), RUNS fresh calibrations (an empty STAGECAST_CACHE_DIR
# each time, STAGECAST_HOST_ACU unset, so the host benchmark is measured
# too) with two CPU-bound processes running beside them, then RUNS with
# none (the machine as it is: "idle" only if nothing else runs). Prints per
# scenario the predicted makespan of `stagecast run` for each run, the
# spread under load (max/min - 1) and the loaded median against the idle
# median. Never a pass/fail test (the target of issue 12 is 3% for both).
#
# Usage: bench_calib_stability.sh [STAGECAST [SRCDIR [SCENARIO...]]]
#   (defaults: ./stagecast, ., every SRCDIR/scenarios/*.cfg)
# Environment: RUNS (5), IDLE (1; 0 skips the idle runs), HOGS (2).
set -eu
bin=${1:-./stagecast}
src=${2:-.}
[ $# -gt 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- "$src"/scenarios/*.cfg
runs=${RUNS:-5}
idle=${IDLE:-1}
hogs=${HOGS:-2}
unset STAGECAST_HOST_ACU
tmp=$(mktemp -d)
. "$(dirname "$0")/hogs.sh"

# The predicted makespan (s) of one run on an empty cache.
makespan() {
    rm -rf "$tmp/cache"
    mkdir "$tmp/cache"
    STAGECAST_CACHE_DIR="$tmp/cache" "$bin" run "$1" --quiet --json "$tmp/run.json" >/dev/null
    sed -n 's/^ *"makespan_s": *\([-0-9.eE+]*\).*/\1/p' "$tmp/run.json" | head -n 1
}

# Stats of the numbers on stdin: "min max median".
stats() {
    sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        print v[1], v[NR], m }'
}

echo "calibration stability: $runs fresh calibrations per scenario, $hogs CPU hogs beside the loaded ones"
echo "host: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //') x $(getconf _NPROCESSORS_ONLN) CPUs; load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
printf '%-32s %-6s %s\n' scenario load "makespans (s) / spread max/min-1"
for scn in "$@"; do
    name=$(basename "$scn" .cfg)
    rm -rf "$tmp/cache"
    mkdir "$tmp/cache"
    measured=$(STAGECAST_CACHE_DIR="$tmp/cache" "$bin" calibrate "$scn" 2>/dev/null |
        sed -n 's/^\([0-9][0-9]*\) pipelines measured.*/\1/p')
    if [ "${measured:-0}" -eq 0 ]; then
        printf '%-32s skipped: nothing to calibrate\n' "$name"
        continue
    fi
    start_hogs
    : >"$tmp/loaded"
    i=0
    while [ "$i" -lt "$runs" ]; do
        makespan "$scn" >>"$tmp/loaded"
        i=$((i + 1))
    done
    stop_hogs
    set -- $(stats <"$tmp/loaded")
    lmin=$1 lmax=$2 lmed=$3
    printf '%-32s %-6s %s / %s\n' "$name" loaded "$(tr '\n' ' ' <"$tmp/loaded")" \
        "$(awk -v a="$lmin" -v b="$lmax" 'BEGIN { printf "%.1f%%", (b / a - 1) * 100 }')"
    [ "$idle" = 1 ] || continue
    : >"$tmp/idle"
    i=0
    while [ "$i" -lt "$runs" ]; do
        makespan "$scn" >>"$tmp/idle"
        i=$((i + 1))
    done
    set -- $(stats <"$tmp/idle")
    printf '%-32s %-6s %s / %s; loaded median %s vs idle median %s: %s\n' "$name" idle \
        "$(tr '\n' ' ' <"$tmp/idle")" \
        "$(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", (b / a - 1) * 100 }')" "$lmed" "$3" \
        "$(awk -v l="$lmed" -v i="$3" 'BEGIN { printf "%+.1f%%", (l / i - 1) * 100 }')"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
