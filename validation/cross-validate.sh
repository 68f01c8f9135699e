#!/bin/sh
# Cross-validates the from-scenario validations, leaving one log out at a
# time: for each validation file, the JVM model's defaults (models/jvm.h)
# are fitted by `stagecast fit-jvm` on every shared log but the
# validation's own, and the Spark overhead factors (models/calib.c) by
# `stagecast validate --cross-validate` on every other validation's
# stages; the validation is then run with both. Prints the summary table
# of those runs (docs/accuracy.md, "cross-validated"). Nothing in a row
# was fitted on its own log.
#
#   validation/cross-validate.sh STAGECAST LOGDIR VALIDATION...
#
# LOGDIR holds eventlogs/ and eventlogs-extra/ (../shared/data).
set -eu
stagecast=$1
logdir=$2
shift 2
tmp="${TMPDIR:-/tmp}/cross-validate.$$"
trap 'rm -f "$tmp"' EXIT INT TERM
header=yes
for v in "$@"; do
    log=$(sed -n 's/^log *= *"\(.*\)";.*/\1/p' "$v")
    others=
    for l in "$logdir"/eventlogs/*.json "$logdir"/eventlogs-extra/*; do
        case "$l" in
        *.md | "$logdir/$log") ;;
        *) others="$others $l" ;;
        esac
    done
    # The fragment's last line: model = { jvm = { k = v; ... }; };
    # first_query_factor stays at its shipped value (1: models/jvm.h says
    # why), so that only the measured defaults are cross-validated.
    sets=$("$stagecast" fit-jvm $others | tail -n 1 |
        sed -e 's/^model = { jvm = {//' -e 's/}; };$//' |
        tr ';' '\n' | grep -v first_query_factor |
        sed -n 's/^ *\([a-z_]*\) = \(.*\)$/--set model.jvm.\1=\2/p')
    # Every validation runs (the others' stages are the factors' evidence);
    # only the left-out log's cross-validated row is kept.
    # shellcheck disable=SC2086
    "$stagecast" validate --log-dir "$logdir" --table --cross-validate $sets "$@" >"$tmp"
    if [ "$header" = yes ]; then
        sed -n '/^Cross-validated/,$p' "$tmp" | sed -n '/^| log/,/^|---/p'
        header=no
    fi
    base=$(basename "$log")
    sed -n '/^Cross-validated/,$p' "$tmp" | grep "^| \`$base\`"
    factors=$(sed -n "s/^  $base: //p" "$tmp")
    echo "  (left out: $log; $(echo $sets | sed 's/--set model.jvm.//g'); $factors)" >&2
done
