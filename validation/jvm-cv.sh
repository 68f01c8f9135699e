#!/bin/sh
# Cross-validates the JVM model's defaults (models/jvm.h) on the
# from-scenario validations: for each validation file, the model.jvm
# defaults are fitted by `stagecast fit-jvm` on every shared log but the
# validation's own (leave one log out), and the validation is run with them
# (`stagecast validate --set model.jvm.KEY=VALUE ...`). Prints the summary
# table of those runs (docs/accuracy.md, "cross-validated").
#
#   validation/jvm-cv.sh STAGECAST LOGDIR VALIDATION...
#
# LOGDIR holds eventlogs/ and eventlogs-extra/ (../shared/data).
set -eu
stagecast=$1
logdir=$2
shift 2
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
    # shellcheck disable=SC2086
    "$stagecast" validate --log-dir "$logdir" --table $sets "$v" >"${TMPDIR:-/tmp}/jvm-cv.$$"
    if [ "$header" = yes ]; then
        sed -n '/^| log/,/^|---/p' "${TMPDIR:-/tmp}/jvm-cv.$$"
        header=no
    fi
    grep '^| `' "${TMPDIR:-/tmp}/jvm-cv.$$"
    echo "  (left out: $log; $(echo $sets | sed 's/--set model.jvm.//g'))" >&2
    rm -f "${TMPDIR:-/tmp}/jvm-cv.$$"
done
