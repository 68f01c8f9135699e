#!/bin/sh
# make_big_evlog.sh — a large event log for timing the event-log reader
# (issue 16: a 1 GB log in under 4 s): every line of a real Spark log
# once, with each SparkListenerTaskEnd line repeated N times, each copy
# renumbered ("Task ID" and "Index" moved past the original's range) so
# that the copies are distinct task attempts of the same stage. Written
# where you say (not committed: /tmp is the place). Prints the size.
# Usage: bench/make_big_evlog.sh SOURCE_LOG OUT [SIZE_MB]   (default 1024)
set -eu
src=${1:?usage: make_big_evlog.sh SOURCE_LOG OUT [SIZE_MB]}
out=${2:?usage: make_big_evlog.sh SOURCE_LOG OUT [SIZE_MB]}
size_mb=${3:-1024}
# How many copies of the task lines reach the size: the task-end bytes of
# the source against the bytes wanted.
task_bytes=$(grep -F '"Event":"SparkListenerTaskEnd"' "$src" | wc -c)
all_bytes=$(wc -c < "$src")
if [ "$task_bytes" -eq 0 ]; then
    echo "make_big_evlog.sh: $src has no SparkListenerTaskEnd lines" >&2
    exit 1
fi
copies=$(( (size_mb * 1048576 - all_bytes) / task_bytes + 1 ))
awk -v copies="$copies" '
# Adds k to the first integer after the key `key` (e.g. "\"Index\":").
function bump(line, key, k,    at, rest, n) {
    at = index(line, key)
    if (at == 0) return line
    rest = substr(line, at + length(key))
    match(rest, /^[0-9]+/)
    if (RLENGTH <= 0) return line
    n = substr(rest, 1, RLENGTH) + k
    return substr(line, 1, at + length(key) - 1) n substr(rest, RLENGTH + 1)
}
!/"Event":"SparkListenerTaskEnd"/ { print; next }
{
    print
    for (c = 1; c < copies; c++) {
        l = bump($0, "\"Task ID\":", c * 1000000)
        print bump(l, "\"Index\":", c * 100000)
    }
}' "$src" > "$out"
wc -c < "$out"
