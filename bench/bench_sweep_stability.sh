#!/bin/sh
# bench_sweep_stability.sh — does a sweep's recommendation survive a fresh
# calibration on a busy machine? Runs the same sweep RUNS times, each with
# an empty STAGECAST_CACHE_DIR (so every pipeline and the host benchmark
# are measured again) and HOGS CPU-bound loops beside it, and prints each
# run's recommendation line. Issue 12's target: the same cluster every
# time. Never a pass/fail test.
#
# Usage: bench_sweep_stability.sh [STAGECAST [SRCDIR [SWEEP ARGS...]]]
#   default sweep: the README's walkthrough sweep
#   (scenarios/walkthrough.cfg, three node types, 2-16 workers,
#   3 replications, a 5-minute deadline).
# Environment: RUNS (3), HOGS (2).
set -eu
bin=${1:-./stagecast}
src=${2:-.}
[ $# -gt 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- "$src/scenarios/walkthrough.cfg" \
    --node-types Standard_E8ds_v5,Standard_E16ds_v5,Standard_D16s_v3 \
    --workers 2-16 --replications 3 --deadline 5m
runs=${RUNS:-3}
hogs=${HOGS:-2}
unset STAGECAST_HOST_ACU
tmp=$(mktemp -d)
. "$(dirname "$0")/hogs.sh"
start_hogs
echo "sweep stability: $runs fresh calibrations, $hogs CPU hogs beside them; load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
echo "sweep: $*"
i=0
while [ "$i" -lt "$runs" ]; do
    rm -rf "$tmp/cache"
    mkdir "$tmp/cache"
    STAGECAST_CACHE_DIR="$tmp/cache" "$bin" sweep "$@" >"$tmp/out" 2>&1 || true
    printf 'run %d: %s\n' "$i" "$(grep '^recommendation' "$tmp/out" || tail -n 1 "$tmp/out")"
    i=$((i + 1))
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
