#!/bin/sh
# bench_simgrid.sh — stagecast's network model and SimGrid on the same
# all-to-all shuffles (bench/allshuffle.h): both predicted makespans, their
# difference, and the CPU time of each (median of RUNS runs, elapsed beside
# it: the machine is shared) with SimGrid's / stagecast's ratio.
#
# Usage: bench/bench_simgrid.sh BENCH_DIR [RUNS]
#   BENCH_DIR holds bench_allshuffle and, if configure found SimGrid,
#   bench_allshuffle_simgrid. RUNS defaults to 5.
# Environment:
#   SIZES        the M=R sizes to run (default "200 1000 2000"), on 100 workers
#   CASES        default "even:all even:limit uneven:all uneven:limit"
#   SIMGRID_CAP  CPU seconds a SimGrid run may take (default 120): a run
#                killed at the cap is reported as "> CAP", and the case is
#                not tried at larger sizes. SimGrid is run RUNS times when
#                its first run took under SIMGRID_REPEAT_S (default 20) s,
#                otherwise once.
#   STAGECAST_CAP the same cap for stagecast's runs (default 120): its
#                weak case (uneven blocks all at once, where every completion
#                re-solves the whole cluster) grows too fast beyond 200 x 200.
set -u
dir=${1:?usage: bench_simgrid.sh BENCH_DIR [RUNS]}
runs=${2:-5}
sizes=${SIZES:-200 1000 2000}
cases=${CASES:-even:all even:limit uneven:all uneven:limit}
cap=${SIMGRID_CAP:-120}
sc_cap=${STAGECAST_CAP:-120}
repeat_s=${SIMGRID_REPEAT_S:-20}
workers=100
sc=$dir/bench_allshuffle
sg=$dir/bench_allshuffle_simgrid
[ -x "$sc" ] || { echo "bench_simgrid: no $sc (make bench/bench_allshuffle)" >&2; exit 1; }
have_sg=yes
[ -x "$sg" ] || { have_sg=no; echo "bench_simgrid: SimGrid not built (configure did not find it): stagecast only"; }

# field NAME LINE: the value of NAME=... in a result line.
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }

echo "all-to-all shuffle, $workers workers, NICs 12.5 Gbit/s each way, disks 500 MB/s, 100 MiB per reducer"
echo "date $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %14s %14s %9s %18s %18s %8s\n' case "stagecast s" "SimGrid s" diff \
    "stagecast cpu(el)" "SimGrid cpu(el)" ratio
skip="" sc_skip=""
for size in $sizes; do
    for cs in $cases; do
        blocks=${cs%%:*} mode=${cs##*:}
        args="$size $size $workers $blocks $mode"
        case " $sc_skip " in *" $cs "*) continue ;; esac
        cpus="" els="" mk=""
        i=0
        while [ $i -lt "$runs" ]; do
            out=$( (ulimit -t "$sc_cap"; "$sc" $args) 2>/dev/null)
            if [ -z "$out" ]; then
                mk="> ${sc_cap}s cpu" cpus="" sc_skip="$sc_skip $cs"
                break
            fi
            mk=$(field makespan_s "$out")
            cpus="$cpus $(field cpu_s "$out")" els="$els $(field elapsed_s "$out")"
            i=$((i + 1))
        done
        sc_cpu=$(echo "$cpus" | median) sc_el=$(echo "$els" | median)
        if [ -z "$cpus" ]; then
            printf '%-22s %14s\n' "${size}x${size} $blocks $mode" "$mk"
            continue
        fi
        sg_mk="-" sg_cpu="-" sg_el="-" ratio="-" diff="-"
        if [ $have_sg = yes ]; then
            case " $skip " in
            *" $cs "*) sg_mk="(skipped)" ;;
            *)
                cpus="" els="" i=0 n=$runs
                while [ $i -lt $n ]; do
                    out=$( (ulimit -t "$cap"; "$sg" $args) 2>/dev/null)
                    if [ -z "$out" ]; then
                        sg_mk="> ${cap}s cpu" cpus="" skip="$skip $cs"
                        break
                    fi
                    sg_mk=$(field makespan_s "$out")
                    c=$(field cpu_s "$out")
                    cpus="$cpus $c" els="$els $(field elapsed_s "$out")"
                    [ $i -eq 0 ] && [ "$(echo "$c >= $repeat_s" | bc)" = 1 ] && n=1
                    i=$((i + 1))
                done
                if [ -n "$cpus" ]; then
                    sg_cpu=$(echo "$cpus" | median) sg_el=$(echo "$els" | median)
                    [ "$n" -eq 1 ] && sg_cpu="$sg_cpu*"
                    ratio=$(awk -v a="${sg_cpu%\*}" -v b="$sc_cpu" 'BEGIN {if (b > 0) printf "%.0f", a / b; else print "-"}')
                    diff=$(awk -v a="$mk" -v b="$sg_mk" 'BEGIN {printf "%+.3f%%", 100 * (a - b) / b}')
                fi
                ;;
            esac
        fi
        printf '%-22s %14s %14s %9s %18s %18s %8s\n' "${size}x${size} $blocks $mode" "$mk" "$sg_mk" \
            "$diff" "$sc_cpu ($sc_el)" "$sg_cpu ($sg_el)" "$ratio"
    done
done
echo "medians of $runs runs (* SimGrid: one run, over ${repeat_s}s); diff = (stagecast - SimGrid) / SimGrid"
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
