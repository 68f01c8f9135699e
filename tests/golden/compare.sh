#!/bin/bash
# compare.sh — byte-for-byte check that a refactor changed no output.
#
# Builds BASE_REV (a commit from before the refactor) in a scratch worktree,
# then runs it and the stagecast binary under test over the same inputs with
# one shared calibration cache and a fixed host speed, and compares:
#   - every bundled scenario's `run --json` and `plan`,
#   - every shared event log's `replay --json`,
#   - a sweep's JSON.
# The cache is filled by the baseline first, so both binaries read the same
# fits and differ only if the code's behaviour did.
#
# Usage: tests/golden/compare.sh BASE_REV NEW_STAGECAST [SHARED_DATA_DIR]
# Exit 0 when every output is identical; otherwise prints the differing
# files with the first lines of their diff and exits 1.
set -euo pipefail
base_rev=${1:?usage: compare.sh BASE_REV NEW_STAGECAST [SHARED_DATA_DIR]}
new_bin=$(realpath "${2:?usage: compare.sh BASE_REV NEW_STAGECAST [SHARED_DATA_DIR]}")
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
# shared/ sits beside the main checkout (also when this is a git worktree).
common=$(git -C "$top" rev-parse --path-format=absolute --git-common-dir)
data=${3:-$(dirname "$common")/../shared/data}
ls "$data"/eventlogs/*.json >/dev/null 2>&1 || { echo "golden: no event logs in $data/eventlogs" >&2; exit 1; }
work=$(mktemp -d)
cleanup() {
    [ -n "${GOLDEN_KEEP:-}" ] && { echo "golden: kept $work"; return; }
    git -C "$top" worktree remove --force "$work/base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

echo "golden: building $base_rev"
git -C "$top" worktree add --detach --quiet "$work/base" "$base_rev"
(cd "$work/base" && autoreconf -fi >/dev/null 2>&1 && ./configure --quiet >/dev/null \
    && make -j"$(nproc 2>/dev/null || echo 2)" stagecast >/dev/null 2>&1) \
    || { echo "golden: cannot build $base_rev" >&2; exit 1; }
base_bin=$work/base/stagecast

export STAGECAST_CACHE_DIR=$work/cache STAGECAST_HOST_ACU=250
mkdir -p "$work/cache"

# outputs BIN DIR: every output of BIN into DIR, run from the source top so
# that paths printed in the outputs are the same for both binaries.
outputs() {
    local bin=$1 out=$2
    mkdir -p "$out"
    (
        cd "$top"
        for f in scenarios/*.cfg; do
            n=$(basename "$f" .cfg)
            "$bin" run "$f" --json - >"$out/run-$n.json" 2>"$out/run-$n.err" || echo "exit $?" >>"$out/run-$n.err"
            "$bin" plan "$f" >"$out/plan-$n.txt" 2>"$out/plan-$n.err" || echo "exit $?" >>"$out/plan-$n.err"
        done
        for f in "$data"/eventlogs/*.json; do
            n=$(basename "$f" .json)
            "$bin" replay "$f" --json - >"$out/replay-$n.json" 2>"$out/replay-$n.err" \
                || echo "exit $?" >>"$out/replay-$n.err"
        done
        "$bin" sweep scenarios/analytics-ds3.cfg --node-types Standard_DS3_v2,Standard_E8ds_v5 \
            --workers 2-16 --replications 3 --deadline 5s --threads 1 --quiet --json - \
            >"$out/sweep.json" 2>"$out/sweep.err" || echo "exit $?" >>"$out/sweep.err"
    )
}

echo "golden: filling the calibration cache with $base_rev"
outputs "$base_bin" "$work/warm"
echo "golden: outputs of $base_rev"
outputs "$base_bin" "$work/old"
echo "golden: outputs of $new_bin"
outputs "$new_bin" "$work/new"

n=$(ls "$work/old" | wc -l)
bad=0
for f in "$work/old"/*; do
    b=$(basename "$f")
    if ! cmp -s "$f" "$work/new/$b"; then
        bad=$((bad + 1))
        echo "golden: $b differs:"
        diff "$f" "$work/new/$b" | head -n 10 || true
    fi
done
if [ "$bad" -ne 0 ]; then
    echo "golden: $bad of $n outputs differ from $base_rev"
    exit 1
fi
echo "golden: all $n outputs identical to $base_rev"
