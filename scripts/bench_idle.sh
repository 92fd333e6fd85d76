#!/usr/bin/env bash
# What an idle appliance costs: starts build/app/edgelease on config/examples/quickstart.toml
# (the demo's embedded default: net_tap in a network namespace of its own, DHCPv4, DHCPv6,
# four zones) with no traffic, waits until it runs, then reads every thread's CPU time
# (/proc/PID/task/TID/schedstat, nanoseconds) over a window and prints each thread's share of
# one CPU and the total. Root. Everything it starts is torn down.
#   --seconds N   the window (default 20)
#   --idle MODE   [dpdk].idle: interrupt, backoff or poll (default: the configuration's,
#                 i.e. interrupt)
#   --build DIR   build directory (default build)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
secs=20 idle="" build="$here/build"
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) secs=$2; shift 2 ;;
        --idle) idle=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "bench_idle.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -ge 1 ] || { echo "bench_idle.sh: --seconds N (N >= 1)" >&2; exit 2; }
[ -z "$idle" ] || [[ $idle =~ ^(interrupt|backoff|poll)$ ]] || { echo "bench_idle.sh: --idle interrupt|backoff|poll" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "bench_idle.sh needs root (a network namespace, a tap)" >&2; exit 1; }
bin="$build/app/edgelease"
[ -x "$bin" ] || { echo "bench_idle.sh: $bin missing: build first" >&2; exit 1; }

ns="edgelease-idle-$$"
work=$(mktemp -d /tmp/edgelease-idle.XXXXXX)
pid=""
cleanup() {
    set +e
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; wait "$pid"; fi
    ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

sed -e "s|^state_dir = .*|state_dir = \"$work/state\"|" \
    -e "s|--no-shconf\"|--no-shconf\", \"--file-prefix=edgelease-idle-$$\"|" \
    "$here/config/examples/quickstart.toml" >"$work/edge.toml"
[ -z "$idle" ] || sed -i "s|^workers = 1 |idle = \"$idle\"\nworkers = 1 |" "$work/edge.toml"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" "$bin" --config "$work/edge.toml" >"$work/edgelease.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    grep -q "edgelease running" "$work/edgelease.log" && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/edgelease.log" >&2; exit 1; }
    sleep 0.1
done
grep -q "edgelease running" "$work/edgelease.log" || { cat "$work/edgelease.log" >&2; exit 1; }
ip -n "$ns" link set edge0 up
{ grep -E "worker [0-9]+: " "$work/edgelease.log" || true; } | sed 's/^.*edgelease [a-z]*: /  /'
sleep 3  # start-up work (the first view, the record store's first commit) settles

declare -A before runs
for t in /proc/"$pid"/task/*; do read -r before[${t##*/}] _ runs[${t##*/}] <"$t/schedstat"; done
sleep "$secs"
total=0
printf '  %-18s %10s %12s\n' thread "CPU %" "wake-ups/s"
for t in /proc/"$pid"/task/*; do
    id=${t##*/}
    read -r ns_run _ slices <"$t/schedstat"
    d=$((ns_run - ${before[$id]:-0}))
    total=$((total + d))
    printf '  %-18s %10s %12s\n' "$(cat "$t/comm")" \
        "$(awk -v d="$d" -v s="$secs" 'BEGIN {printf "%.3f", d / 1e7 / s}')" \
        "$(awk -v n="$((slices - ${runs[$id]:-0}))" -v s="$secs" 'BEGIN {printf "%.0f", n / s}')"
done
echo "total: $(awk -v d="$total" -v s="$secs" 'BEGIN {printf "%.3f", d / 1e7 / s}') % of one CPU over $secs s, idle = ${idle:-configuration default}"
