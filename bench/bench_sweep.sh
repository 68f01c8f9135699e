#!/bin/sh
# bench_sweep.sh — how fast `stagecast sweep` runs: 1,000 points of
# scenarios/analytics-ds3.cfg (5 priced node types x 200 worker counts),
# with the results file written as in real use; one replication each, then
# 10 (10,000 simulations, where the threads show); on every online CPU, then
# on one thread. Prints the wall time (best of 3) and points per second;
# never a pass/fail test.
#
# Usage: bench_sweep.sh [STAGECAST [SRCDIR]]   (defaults: ./stagecast, .)
set -eu
bin=${1:-./stagecast}
src=${2:-.}
scn="$src/scenarios/analytics-ds3.cfg"
types=Standard_DS3_v2,Standard_D8s_v3,Standard_D16s_v3,Standard_E8ds_v5,Standard_E16ds_v5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
for reps in 1 10; do
for threads in "$cpus" 1; do
    best=""
    for run in 1 2 3; do
        rm -f "$tmp/results.jsonl"
        t0=$(now)
        "$bin" sweep "$scn" --node-types "$types" --workers 1-200:1 --threads "$threads" --replications "$reps" \
            --quiet --json "$tmp/sweep.json" --results "$tmp/results.jsonl"
        t1=$(now)
        best=$(awk -v a="$t0" -v b="$t1" -v best="$best" \
            'BEGIN { s = b - a; if (best == "" || s < best) print s; else print best }')
    done
    points=$(grep -c '"index"' "$tmp/sweep.json")
    awk -v n="$points" -v r="$reps" -v t="$threads" -v s="$best" 'BEGIN {
        printf "sweep: %d points x %d replication(s) of analytics-ds3 on %d thread(s): %.3f s (best of 3), %.0f points/s, %.0f simulations/s\n",
            n, r, t, s, n / s, n * r / s }'
done
done
