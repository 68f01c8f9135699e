# hogs.sh — sourced by the stability benches: `hogs` CPU-bound loops
# (sh -c 'while :; do :; done') started by start_hogs and stopped by
# stop_hogs, and the traps that stop them and remove $tmp on the way out.
pids=""
stop_hogs() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    pids=""
}
start_hogs() {
    i=0
    while [ "$i" -lt "$hogs" ]; do
        sh -c 'while :; do :; done' &
        pids="$pids $!"
        i=$((i + 1))
    done
}
trap 'stop_hogs; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
