#!/usr/bin/env bash
# Compares edgelease with its peers on this machine, in one run: Knot DNS (UDP sockets and XDP)
# and NSD under dnsperf, Kea (kea-dhcp4 and kea-dhcp6, memfile) under perfdhcp -4 and -6
# (addresses and delegated prefixes). Every server runs in the
# same cgroup CPU share (default 25 % of CPU 1 for the DNS servers, 10 % for the DHCP servers:
# perfdhcp cannot offer more than about 10,000 exchanges/s from one CPU, so at 25 % it, not
# edgelease, would be the limit) in a namespace of its own, the generator is pinned to CPU 0
# in another namespace, and they talk over one veth pair. edgelease holds its
# veth end through DPDK's net_af_packet and, like Knot, once more through AF_XDP (net_af_xdp).
# Prints answered queries/s (completed DORA exchanges/s for DHCP, Solicit-Advertise-Request-
# Reply for DHCPv6) and the ratios: figures, never pass/fail, except with --smoke, which fails
# unless every server answered.
#   scripts/compare.sh                          # 10 s per run (about 8 min)
#   scripts/compare.sh --dhcp6-only             # edgelease and kea-dhcp6 only
#   scripts/compare.sh --seconds 20 --quota 50 --dns-only --json /tmp/compare.json
#   scripts/compare.sh --smoke                  # 2 s each: does every server answer?
#   scripts/compare.sh --dns-only --dns-tcp --only '*-tcp' --repeat 3   # DNS over TCP only
# Needs root (namespaces, cgroup v1). Installs the peers from Debian when missing. Uses
# $EDGELEASE_BIN, else build/app/edgelease (built when missing).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

seconds=10 repeat=1 quota=25 dhcp_quota=10 json="" smoke=0 keep="" profile=0 only="" client_napi=0 storm=0
client_rcvbuf=8388608 rmem_saved=""
do_dns=0 do_dhcp=0 do_dhcp6=0  # what the --*-only options select; none of them: everything
records=10000 queries=100000 miss_every=5 outstanding=100
dns_tcp=0 tcp_clients=16 tcp_outstanding=160
clients=10000 dhcp_rates="2000,4000,6000,8000,10000" dhcp6_rates="2000,4000,6000,8000,10000"
pmds="af_packet,af_xdp" idle_sleep_us=100 idle_mode=interrupt coalesce_us=100 durability=fsync
server_cpu=1 gen_cpu=0 period_us=10000
# Per PMD devargs. net_af_xdp: no preferred busy polling (busy_budget=0). On a veth the
# kernel runs XDP in the sender's context (generic mode): there is no NAPI to drive, and with
# a budget the PMD makes a recvfrom() system call on every empty poll.
declare -A vdev_extra=([af_xdp]=",busy_budget=0")

usage() {
    cat <<EOF
usage: scripts/compare.sh [options]
  --seconds N          length of each measurement (default $seconds)
  --repeat N           run everything N times, report each run's median round (default $repeat)
  --quota PERCENT      CPU share of every DNS server, in % of CPU $server_cpu (default $quota)
  --dhcp-quota PERCENT CPU share of every DHCP server (default $dhcp_quota: small enough that
                       perfdhcp, one CPU, offers more than any server completes)
  --dns-only           only edgelease, Knot (sockets, XDP) and NSD under dnsperf
  --dhcp-only          only edgelease and kea-dhcp4 under perfdhcp -4
  --dhcp6-only         only edgelease and kea-dhcp6 under perfdhcp -6 (the --*-only options
                       add up: --dhcp-only --dhcp6-only runs both DHCP families)
  --json FILE          also write the results as JSON
  --smoke              2 s each, first DHCP rate only; exit 1 unless every server answered
  --records N          A records in the zone (default $records)
  --outstanding N      dnsperf -q: queries in flight (default $outstanding)
  --dns-tcp            with the DNS runs, DNS over TCP too: edgelease-PMD-tcp (af_packet;
                       af_xdp only when --only selects it), knot-tcp, nsd-tcp under dnsperf -m tcp
                       (scripts/compare_tcp.sh)
  --tcp-clients N      dnsperf -m tcp -c: connections (default $tcp_clients)
  --tcp-outstanding N  dnsperf -m tcp -q: queries in flight over them (default $tcp_outstanding)
  --clients N          perfdhcp -R: distinct DHCP clients (default $clients)
  --dhcp-rates LIST    perfdhcp -r: offered exchanges/s, comma-separated; every DHCP server
                       runs at each and its best is reported (default $dhcp_rates)
  --dhcp6-rates LIST   the same for perfdhcp -6 (default $dhcp6_rates)
  --storm              after the offered rates, offer each DHCP server 2 and 4 times the best
                       rate it completed, and report what it completes then (issue 18's storm)
  --client-rcvbuf N    perfdhcp's socket gets an N-byte receive buffer (net.core.rmem_default,
                       the machine's, raised only while perfdhcp opens it), so that its one
                       socket holds a server's burst of answers: with 212,992 it dropped
                       thousands a second at a 20 ms period, which no real client, each with
                       a socket of its own, would (default $client_rcvbuf; 0: leave it)
  --period-us N        the CFS period of every server's share (default $period_us; the quota
                       must come to at least 1 ms of it)
  --pmds LIST          edgelease's DPDK drivers on the veth: af_packet, af_xdp (default $pmds)
  --idle-sleep-us N    edgelease [dpdk].idle_sleep_us (default $idle_sleep_us, the appliance's)
  --coalesce-us N      edgelease [dpdk].coalesce_us: the nap before an idle worker blocks
                       (default $coalesce_us, the appliance's; 0: block at once)
  --idle MODE          edgelease [dpdk].idle: interrupt, backoff or poll (default $idle_mode,
                       the appliance's)
  --durability D       edgelease [appliance].durability: fsync or os (default $durability)
  --only LIST          only these runs (shell patterns, comma-separated): edgelease-af_packet-dns,
                       edgelease-af_xdp-dns, knot-udp, knot-xdp, nsd, edgelease-af_packet-dhcp,
                       edgelease-af_xdp-dhcp, kea, edgelease-af_packet-dhcp6,
                       edgelease-af_xdp-dhcp6, kea6; e.g. --only 'knot-*,edgelease-*-dns'
  --keep DIR           keep configurations, logs and raw outputs in DIR
  --client-napi        the client's veth end receives in a NAPI thread on CPU $gen_cpu, so that
                       its receive work is not charged to the server's share (see README)
  --profile            perf record each server during its runs (DIR/NAME.perf.txt and .perf.data with
                       --keep; a later round's replaces an earlier one's)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --dns-only) do_dns=1 ;;
        --dhcp-only) do_dhcp=1 ;;
        --dhcp6-only) do_dhcp6=1 ;;
        --smoke) smoke=1 ;;
        --profile) profile=1 ;;
        --client-napi) client_napi=1 ;;
        --dns-tcp) dns_tcp=1 ;;
        --storm) storm=1 ;;
        -h|--help) usage; exit 0 ;;
        --seconds|--repeat|--quota|--dhcp-quota|--json|--records|--outstanding|--clients|--dhcp-rates|--dhcp6-rates|--pmds|--idle-sleep-us|--idle|--coalesce-us|--durability|--only|--keep|--tcp-clients|--tcp-outstanding|--period-us|--client-rcvbuf)
            [ $# -ge 2 ] || { echo "compare.sh: $1 needs a value" >&2; exit 2; }
            case "$1" in
                --seconds) seconds=$2 ;;
                --repeat) repeat=$2 ;;
                --quota) quota=$2 ;;
                --dhcp-quota) dhcp_quota=$2 ;;
                --json) json=$2 ;;
                --records) records=$2 ;;
                --outstanding) outstanding=$2 ;;
                --clients) clients=$2 ;;
                --dhcp-rates) dhcp_rates=$2 ;;
                --dhcp6-rates) dhcp6_rates=$2 ;;
                --pmds) pmds=$2 ;;
                --idle-sleep-us) idle_sleep_us=$2 ;;
                --idle) idle_mode=$2 ;;
                --coalesce-us) coalesce_us=$2 ;;
                --durability) durability=$2 ;;
                --only) only=$2 ;;
                --keep) keep=$2 ;;
                --tcp-clients) tcp_clients=$2 ;;
                --tcp-outstanding) tcp_outstanding=$2 ;;
                --period-us) period_us=$2 ;;
                --client-rcvbuf) client_rcvbuf=$2 ;;
            esac
            shift ;;
        *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
if [ "$do_dns$do_dhcp$do_dhcp6" = 000 ]; then do_dns=1 do_dhcp=1 do_dhcp6=1; fi
if [ "$smoke" = 1 ]; then
    seconds=2
    dhcp_rates=${dhcp_rates%%,*}
    dhcp6_rates=${dhcp6_rates%%,*}
fi
bad() { echo "compare.sh: $*" >&2; exit 2; }
for v in seconds repeat quota dhcp_quota records outstanding clients tcp_clients tcp_outstanding period_us; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || bad "--$v must be a positive integer"
done
[[ $idle_sleep_us =~ ^[0-9]+$ ]] || bad "--idle-sleep-us must be a number"
[[ $idle_mode =~ ^(interrupt|backoff|poll)$ ]] || bad "--idle: interrupt, backoff or poll"
[[ $coalesce_us =~ ^[0-9]+$ ]] && [ "$coalesce_us" -le 10000 ] || bad "--coalesce-us: 0 to 10000"
[[ $client_rcvbuf =~ ^[0-9]+$ ]] || bad "--client-rcvbuf must be a number"
{ [ $((period_us * quota / 100)) -ge 1000 ] && [ "$quota" -le 100 ]; } || bad "--quota: up to 100, and at least 1 ms of the $period_us us period"
{ [ $((period_us * dhcp_quota / 100)) -ge 1000 ] && [ "$dhcp_quota" -le 100 ]; } || bad "--dhcp-quota: up to 100, and at least 1 ms of the $period_us us period"
[[ $dhcp_rates =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || bad "--dhcp-rates: positive numbers, comma-separated"
[[ $dhcp6_rates =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || bad "--dhcp6-rates: positive numbers, comma-separated"
[[ $pmds =~ ^(af_packet|af_xdp)(,(af_packet|af_xdp))*$ ]] || bad "--pmds: af_packet and/or af_xdp"
[[ $durability =~ ^(fsync|os)$ ]] || bad "--durability: fsync or os"
[ "$records" -le 120000 ] || bad "--records: at most 120000 (they live in 198.18.0.0/15)"
[ "$(id -u)" = 0 ] || { echo "compare.sh: needs root (network namespaces, cgroups)" >&2; exit 1; }
[ "$(nproc --all)" -gt "$server_cpu" ] || { echo "compare.sh: needs CPUs $gen_cpu and $server_cpu" >&2; exit 1; }
for c in cpu cpuset cpuacct; do
    [ -f "/sys/fs/cgroup/$c/tasks" ] || { echo "compare.sh: needs cgroup v1 $c at /sys/fs/cgroup/$c" >&2; exit 1; }
done

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ---- peers and the appliance -------------------------------------------------------------------
# Debian's packages; policy-rc.d (or no init system) keeps their services from starting.
PATH=$PATH:/usr/sbin:/sbin
ensure_peers() {
    local -A want=([knotd]=knot [nsd]=nsd [kea-dhcp4]=kea-dhcp4-server
        [kea-dhcp6]=kea-dhcp6-server [dnsperf]=dnsperf [perfdhcp]=kea-admin [ethtool]=ethtool)
    local missing=() cmd
    for cmd in "${!want[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${want[$cmd]}"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    # No service may start from the install (the peers run by hand, in namespaces).
    local own_policy=0 rc=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=$?
    [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    return "$rc"
}
ensure_peers

bin=${EDGELEASE_BIN:-$here/build/app/edgelease}
if [ ! -x "$bin" ]; then
    log "building edgelease into build/"
    cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$here/build" -j2 --target edgelease edgelease-ctl >&2
fi
ctl=$(dirname "$bin")/edgelease-ctl
el_version=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
knot_version=$(knotd --version | awk '{print $NF}')
nsd_version=$(nsd -v 2>&1 | awk '/version/ {print $NF; exit}')
kea_version=$(kea-dhcp4 -v)
kea6_version=$(kea-dhcp6 -v)

# ---- scratch, namespaces, veth, cgroups; torn down on every exit -------------------------------
tag="elcmp-$$"
SRV="$tag-srv" CLI="$tag-cli"
work=$(mktemp -d "/tmp/edgelease-compare.XXXXXX")
cg_srv="$tag-server" cg_gen="$tag-generator"
SERVER_PID="" PERF_PID=""

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            log "server $SERVER_PID ignored SIGTERM for 10 s: SIGKILL"
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    local rc=0
    wait "$SERVER_PID" 2>/dev/null || rc=$?
    [ "$rc" -eq 0 ] || log "server $SERVER_PID exited with status $rc"
    SERVER_PID=""
    # Whatever the server left in its namespace (NSD's children normally go with it).
    local p
    for p in $(ip netns pids "$SRV" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    for _ in $(seq 1 50); do [ -z "$(ip netns pids "$SRV" 2>/dev/null)" ] && break; sleep 0.1; done
    # Knot leaves its XDP program on the interface when it exits; so may DPDK's af_xdp.
    ip -n "$SRV" link set cmp0 xdp off 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    [ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null && wait "$PERF_PID" 2>/dev/null
    stop_server
    local ns p c g
    for ns in "$CLI" "$SRV"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    for c in cpu cpuset cpuacct; do
        for g in "$cg_srv" "$cg_gen"; do
            [ -d "/sys/fs/cgroup/$c/$g" ] || continue
            for _ in $(seq 1 50); do rmdir "/sys/fs/cgroup/$c/$g" 2>/dev/null && break; sleep 0.1; done
        done
    done
    [ -z "$rmem_saved" ] || sysctl -qw net.core.rmem_default="$rmem_saved"
    if [ -n "$keep" ]; then mkdir -p "$keep" && cp -a "$work/." "$keep/"; fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$SRV"
ip netns add "$CLI"
ip -n "$SRV" link set lo up
ip -n "$CLI" link set lo up
ip -n "$SRV" link add cmp0 type veth peer name cmp1 netns "$CLI"
# A veth carries partial UDP checksums unless transmit offload is off on both ends (DPDK's
# PMDs would see them unfinished).
ip netns exec "$SRV" ethtool -K cmp0 tx off >/dev/null
ip netns exec "$CLI" ethtool -K cmp1 tx off >/dev/null
# No IPv6 chatter (router and neighbour solicitations) on the measured link.
ip netns exec "$SRV" sysctl -qw net.ipv6.conf.cmp0.disable_ipv6=1
ip netns exec "$CLI" sysctl -qw net.ipv6.conf.cmp1.disable_ipv6=1
ip -n "$SRV" link set cmp0 up
ip -n "$CLI" link set cmp1 up
ip -n "$CLI" addr add 198.18.0.2/15 dev cmp1
# --client-napi: the client end receives in a NAPI thread (GRO on makes a veth use NAPI) on
# the generator's CPU, not in the softirq of the sender's transmit, which charges the client's
# receive processing to the server's CPU share.
client_napi_on() {
    ip netns exec "$CLI" ethtool -K cmp1 gro on >/dev/null
    ip netns exec "$CLI" sh -c 'echo 1 >/sys/class/net/cmp1/threaded'
    local k n=0
    for _ in $(seq 1 50); do
        for k in $(pgrep '^napi/cmp1-' || true); do taskset -p -c "$gen_cpu" "$k" >/dev/null && n=$((n + 1)); done
        [ "$n" -gt 0 ] && return 0
        sleep 0.1
    done
    echo "compare.sh: --client-napi: no NAPI thread for cmp1" >&2
    exit 1
}
[ "$client_napi" = 1 ] && client_napi_on
server_ip=198.18.0.1

# cgroup v1: the server's group is CPU $server_cpu with a CFS quota, the generator's is CPU
# $gen_cpu without one. Both get the highest weight, so that other work on this machine does
# not eat into the share being measured.
cg_setup() {
    local g=$1 cpu=$2 quota_us=$3 c
    for c in cpu cpuset cpuacct; do mkdir -p "/sys/fs/cgroup/$c/$g"; done
    echo "$cpu" >"/sys/fs/cgroup/cpuset/$g/cpuset.cpus"
    echo 0 >"/sys/fs/cgroup/cpuset/$g/cpuset.mems"
    echo 262144 >"/sys/fs/cgroup/cpu/$g/cpu.shares"
    echo "$period_us" >"/sys/fs/cgroup/cpu/$g/cpu.cfs_period_us"
    echo "$quota_us" >"/sys/fs/cgroup/cpu/$g/cpu.cfs_quota_us"
}
cg_setup "$cg_srv" "$server_cpu" $((period_us * quota / 100))
cg_share() { echo $((period_us * $1 / 100)) >"/sys/fs/cgroup/cpu/$cg_srv/cpu.cfs_quota_us"; }  # PERCENT
cg_setup "$cg_gen" "$gen_cpu" -1

# in_cgroup GROUP COMMAND... : execs COMMAND inside GROUP (its threads and children inherit
# it). The cgroup files are written before `ip netns exec`, which mounts a sysfs of its own.
in_cgroup() {
    local g=$1
    shift
    sh -c 'for c in cpu cpuset cpuacct; do echo $$ >/sys/fs/cgroup/$c/'"$g"'/tasks; done; exec "$@"' sh "$@"
}
# cg_move_all : every thread of every process in the server namespace into the server's group,
# by TID (a write to cgroup v1 `tasks` moves one thread). They were started there; this
# catches anything that was not. Prints the thread count.
cg_move_all() {
    local n=0 p t c
    for p in $(ip netns pids "$SRV"); do
        for t in /proc/"$p"/task/*; do
            t=${t##*/}
            for c in cpu cpuset cpuacct; do echo "$t" >"/sys/fs/cgroup/$c/$cg_srv/tasks" 2>/dev/null || true; done
            n=$((n + 1))
        done
    done
    echo "$n"
}
cg_usage_ns() { cat "/sys/fs/cgroup/cpuacct/${1:-$cg_srv}/cpuacct.usage"; }
now_ns() { date +%s%N; }
cpu_percent() { awk -v u=$(($2 - $1)) -v t=$(($4 - $3)) 'BEGIN {printf "%.1f", 100 * u / t}'; }

# profile_start NAME / profile_stop NAME : perf over every process of the server (--profile).
# ctxsw_sum : voluntary context switches (sleeps) of every thread in the server namespace.
ctxsw_sum() {
    local p
    for p in $(ip netns pids "$SRV"); do cat /proc/"$p"/task/*/status 2>/dev/null; done |
        awk '/^voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}
profile_start() {
    [ "$profile" = 1 ] && command -v perf >/dev/null || return 0
    CTXSW0=$(ctxsw_sum)
    perf record -q -g -p "$(ip netns pids "$SRV" | paste -sd,)" -o "$work/$1.perf.data" >/dev/null 2>&1 &
    PERF_PID=$!
}
profile_stop() {
    [ -n "$PERF_PID" ] || return 0
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
    echo $(($(ctxsw_sum) - CTXSW0)) >"$work/$1.sleeps"
    local data="$work/$1.perf.data" txt="$work/$1.perf.txt"
    perf report -i "$data" --no-children --sort comm,dso -g none >"$txt.1" 2>/dev/null || true
    # The server's own user-space share of its samples: everything outside the kernel.
    perf report -i "$data" --no-children --sort dso -g none --stdio 2>/dev/null |
        awk '/^ *[0-9.]+%/ { p = $1; sub("%", "", p); all += p; if ($2 != "[kernel.kallsyms]") user += p }
             END { if (all > 0) printf "%.4f\n", user / all }' >"$work/$1.user" || true
    perf report -i "$data" --children --sort symbol -g none >"$txt.2" 2>/dev/null || true
    perf report -i "$data" --no-children --sort dso,symbol -g none >"$txt.3" 2>/dev/null || true
    { grep '%' "$txt.1" | head -n 20; echo; grep '%' "$txt.2" | head -n 60; echo
      echo "self time by symbol:"; grep '%' "$txt.3" | head -n 60; } | cut -c1-140 >"$txt" || true
    rm -f "$txt.1" "$txt.2" "$txt.3"
    [ -n "$keep" ] || rm -f "$data"  # kept with --keep, for perf annotate
}

# wait_for TIMEOUT_S COMMAND... : polls every 0.1 s until COMMAND succeeds.
wait_for() {
    local deadline=$(($(date +%s) + $1))
    shift
    while [ "$(date +%s)" -lt "$deadline" ]; do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

# wait_ready CHECK : until CHECK succeeds (30 s at most); fails at once if the server exited.
wait_ready() {
    local deadline=$(($(date +%s) + 30))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        "$1" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || { log "the server exited"; return 1; }
        sleep 0.1
    done
    return 1
}

# server_addr on|off : the kernel end owns 198.18.0.1 for the socket servers; edgelease owns
# it through DPDK, and then the kernel must not answer ARP for it.
server_addr() {
    ip -n "$SRV" addr flush dev cmp0
    if [ "$1" = on ]; then ip -n "$SRV" addr add "$server_ip/15" dev cmp0; fi
    ip -n "$CLI" neigh flush all
}

# wanted NAME : whether --only (if given) matches this run.
wanted() {
    [ -z "$only" ] && return 0
    local p
    for p in ${only//,/ }; do
        # shellcheck disable=SC2053  # a pattern on purpose
        [[ $1 == $p ]] && return 0
    done
    return 1
}

# start_server NAME COMMAND... : runs COMMAND in the server namespace and cgroup, output in
# $work/NAME.log. Not through in_cgroup (a function run in the background is a subshell):
# sh and `ip netns exec` exec, so SERVER_PID is the server itself and gets the SIGTERM.
start_server() {
    local name=$1
    shift
    stop_server
    sh -c 'for c in cpu cpuset cpuacct; do echo $$ >/sys/fs/cgroup/$c/'"$cg_srv"'/tasks; done; exec "$@"' \
        sh ip netns exec "$SRV" "$@" >"$work/$name.log" 2>&1 &
    SERVER_PID=$!
}

# edgelease_config NAME PMD SECTIONS [ADDRESSES] : an appliance on the veth end through DPDK's
# PMD; its own addresses there are 198.18.0.1/15 unless ADDRESSES (TOML strings) says others.
edgelease_config() {
    mkdir -p "$work/$1"
    cat >"$work/$1/edge.toml" <<TOML
[appliance]
state_dir = "$work/$1/state"
durability = "$durability"

[dpdk]
eal_args = ["--no-huge", "--no-pci", "--no-shconf", "--file-prefix=$tag-$1", "--vdev=net_${2}0,iface=cmp0${vdev_extra[$2]:-}"]
idle_sleep_us = $idle_sleep_us
idle = "$idle_mode"
coalesce_us = $coalesce_us

[[interfaces]]
port = "net_${2}0"
addresses = [${4:-\"$server_ip/15\"}]

$3
TOML
}

# ---- results -----------------------------------------------------------------------------------
# One line per measurement in $work/results.tsv: round service run server version mode
# durability rate cpu_used gen_cpu_used answered avg_ms sd_ms notes (scripts/compare_report.py
# reads it). Service DHCP-rate: one offered rate of a DHCP run; DHCP: its best.
results="$work/results.tsv"
: >"$results"
record() { local IFS=$'\t'; echo "$round"$'\t'"$*" >>"$results"; }
round=1
failures=()
attempted=0

# ---- DNS ---------------------------------------------------------------------------------------
zone="$work/bench.test.zone"
queryfile="$work/queries.txt"
make_dns_data() {
    # h00000.. from 198.18.1.0 upwards; the query file asks for a hit four times out of five
    # (spread over the zone) and for a name that does not exist (NXDOMAIN) the fifth time.
    awk -v n="$records" 'BEGIN {
        print "$ORIGIN bench.test."; print "$TTL 300"
        print "@ SOA ns.bench.test. hostmaster.bench.test. 2026112401 3600 600 1209600 300"
        print "@ NS ns"; print "ns A 198.18.0.1"
        for (i = 0; i < n; i++) { a = i + 256
            printf "h%05d A 198.%d.%d.%d\n", i, 18 + int(a / 65536), int(a / 256) % 256, a % 256 }
    }' >"$zone"
    awk -v n="$records" -v q="$queries" -v m="$miss_every" 'BEGIN {
        for (k = 0; k < q; k++)
            if (k % m == m - 1) printf "x%06d.bench.test A\n", k
            else printf "h%05d.bench.test A\n", (k * 7919) % n
    }' >"$queryfile"
    echo "h00000.bench.test A" >"$work/probe.txt"
}

dnsperf_run() {  # NAME : dnsperf from the client namespace on CPU $gen_cpu
    in_cgroup "$cg_gen" ip netns exec "$CLI" taskset -c "$gen_cpu" \
        dnsperf -s "$server_ip" -d "$queryfile" -l "$seconds" -q "$outstanding" -t 1 >"$work/$1.dnsperf" 2>&1 || true
}
dns_ready() {
    ip netns exec "$CLI" dnsperf -s "$server_ip" -d "$work/probe.txt" -n 1 -t 1 2>/dev/null |
        grep -qE 'Queries completed: +1 '
}

# measure_dns NAME SERVER VERSION MODE : with the server started, waits for an answer, moves
# its threads into the share, runs dnsperf and records the figures.
measure_dns() {
    local name=$1 server=$2 version=$3 mode=$4
    attempted=$((attempted + 1))
    if ! wait_ready dns_ready; then
        log "$name: no answer"
        tail -n 20 "$work/$name.log" >&2
        failures+=("$name: did not answer")
        record DNS "$name" "$server" "$version" "$mode" - - - - 0 - - "no answer"
        stop_server
        return 0
    fi
    local threads u0 g0 t0 u1 g1 t1 out="$work/$name.dnsperf"
    threads=$(cg_move_all)
    log "$name: $threads thread(s) in the CPU share; dnsperf for $seconds s"
    profile_start "$name"
    u0=$(cg_usage_ns) g0=$(cg_usage_ns "$cg_gen") t0=$(now_ns)
    dnsperf_run "$name"
    u1=$(cg_usage_ns) g1=$(cg_usage_ns "$cg_gen") t1=$(now_ns)
    profile_stop "$name"
    local qps avg sd lost codes cpu gcpu
    qps=$(awk '/Queries per second:/ {printf "%.0f", $4}' "$out")
    avg=$(awk '/Average Latency \(s\):/ {printf "%.3f", $4 * 1000}' "$out")
    sd=$(awk '/Latency StdDev \(s\):/ {printf "%.3f", $4 * 1000}' "$out")
    lost=$(awk '/Queries lost:/ {print $3}' "$out")
    codes=$(sed -n 's/^ *Response codes: *//p' "$out")
    cpu=$(cpu_percent "$u0" "$u1" "$t0" "$t1")
    gcpu=$(cpu_percent "$g0" "$g1" "$t0" "$t1")
    [ -n "$qps" ] || { qps=0; tail -n 20 "$out" >&2; }
    log "$name: $qps answered/s, avg ${avg:-?} ms, lost ${lost:-?}, server CPU $cpu %, dnsperf CPU $gcpu %, ${codes:-no responses}"
    record DNS "$name" "$server" "$version" "$mode" - - "$cpu" "$gcpu" "$qps" "${avg:--}" "${sd:--}" \
        "lost ${lost:-?}; ${codes:-no responses}"
    [ "$qps" -gt 0 ] || failures+=("$name: 0 answered/s")
    # --profile: the server's own user-space time per answer (its user-space share of the
    # samples, times the CPU it used, over the answers).
    if [ -s "$work/$name.user" ] && [ "$qps" -gt 0 ]; then
        local share ns
        share=$(cat "$work/$name.user")
        ns=$(awk -v s="$share" -v c="$cpu" -v q="$qps" 'BEGIN {printf "%.0f", s * c / 100 * 1e9 / q}')
        log "$name: own user-space $ns ns per answer ($(awk -v s="$share" 'BEGIN {printf "%.1f", 100 * s}') % of its samples)"
        # Sleeps (voluntary context switches, every thread) per 1000 answers: under a CPU
        # share each costs a wake-up, and a server that answers faster sleeps more often.
        local sleeps=-
        [ -s "$work/$name.sleeps" ] &&
            sleeps=$(awk -v n="$(cat "$work/$name.sleeps")" -v q="$qps" -v s="$seconds" \
                'BEGIN {printf "%.0f", 1000 * n / (q * s)}') &&
            log "$name: $sleeps sleeps per 1000 answers"
        record DNS-user "$name" "$server" "$version" "$mode" - - "$cpu" - "$ns" - - \
            "user share $share sleeps $sleeps"
    fi
    # The appliance's own counters for the run (drops by reason, lcore loops and sleeps).
    if [ "$server" = edgelease ]; then ip netns exec "$SRV" "$ctl" stats >"$work/$name.stats" 2>&1 || true; fi
    stop_server
}

dns_edgelease() {  # PMD
    local name="edgelease-$1-dns"
    server_addr off
    edgelease_config "$name" "$1" "[[dns.zones]]
name = \"bench.test.\"
file = \"$zone\""
    start_server "$name" "$bin" --config "$work/$name/edge.toml"
    measure_dns "$name" edgelease "$el_version" "DPDK net_$1"
}

# Knot DNS with its defaults (UDP workers = CPUs, no rate limiting), with sockets or in XDP
# mode; its zone file, journal and timers go to the scratch directory.
knot_conf() {  # NAME LISTEN_SECTION
    mkdir -p "$work/$1"
    cat <<YAML
server:
    rundir: "$work/$1"
$2
database:
    storage: "$work/$1"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$work"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: bench.test.
    file: "$zone"
YAML
}
dns_knot_udp() {
    server_addr on
    knot_conf knot-udp "    listen: $server_ip@53" >"$work/knot-udp.conf"
    start_server knot-udp knotd -c "$work/knot-udp.conf"
    measure_dns knot-udp knot "$knot_version" "UDP sockets"
}
# XDP only, no socket listener: an XDP set-up that silently failed would answer nothing.
dns_knot_xdp() {
    server_addr on
    knot_conf knot-xdp "xdp:
    listen: cmp0
    udp: on" >"$work/knot-xdp.conf"
    start_server knot-xdp knotd -c "$work/knot-xdp.conf"
    local mode="XDP (no program attached)"
    wait_for 10 sh -c "ip -n $SRV link show cmp0 | grep -q 'prog/xdp'" && mode="XDP"
    measure_dns knot-xdp knot "$knot_version" "$mode"
}

# NSD with its defaults, except its response rate limiting (on by default) switched off.
dns_nsd() {
    dns_nsd_conf
    start_server nsd nsd -d -c "$work/nsd.conf"
    measure_dns nsd nsd "$nsd_version" "UDP sockets, RRL off"
}
dns_nsd_conf() {
    server_addr on
    mkdir -p "$work/nsd"
    cat >"$work/nsd.conf" <<YAML
server:
    ip-address: $server_ip
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    zonelistfile: "$work/nsd/zone.list"
    xfrdfile: "$work/nsd/xfrd.state"
    xfrdir: "$work/nsd"
    pidfile: "$work/nsd/nsd.pid"
    logfile: "$work/nsd/nsd.log"
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: bench.test
    zonefile: "$zone"
YAML
}

# ---- DHCP --------------------------------------------------------------------------------------
# perfdhcp always acts as a relay. DHCPv4: giaddr is its address on cmp1 (198.18.0.2). DHCPv6
# (-A 1, as an ISP's access network sends it): Relay-Forwards from port 547 to ff02::1:2
# whose link-address is the address perfdhcp's socket is bound to (2001:db8::2, see
# link6_client), each asking for an address and a prefix (-e address-and-prefix). Its clients
# are DUID-LLs of the same base MAC as its DHCPv4 ones (-b duid=): without it they are DUID-LLTs
# stamped with the start time, new clients at every run, and a few runs exhaust the pools. It
# sends at the offered rate whatever comes back and counts an exchange lost after 1 s.
perfdhcp_args() {  # FAMILY : the family's generator arguments
    if [ "$1" = 6 ]; then echo "-6 -A 1 -e address-and-prefix -b duid=00030001000c01020304 -l cmp1"
    else echo "-4 -l cmp1 $server_ip"; fi
}
perfdhcp_run() {  # FAMILY NAME RATE
    # With --client-rcvbuf, net.core.rmem_default is raised only until perfdhcp has opened its
    # socket (a socket takes the default when it is made): the servers' sockets, made before,
    # keep theirs. A bigger buffer for Kea's socket would only queue its backlog for seconds.
    [ "$client_rcvbuf" = 0 ] || sysctl -qw net.core.rmem_default="$client_rcvbuf"
    # shellcheck disable=SC2046  # the arguments split on purpose
    in_cgroup "$cg_gen" ip netns exec "$CLI" taskset -c "$gen_cpu" \
        perfdhcp -g single -R "$clients" -r "$3" -p "$seconds" $(perfdhcp_args "$1") >"$work/$2.perfdhcp" 2>&1 &
    local pid=$! _
    if [ "$client_rcvbuf" != 0 ]; then
        for _ in $(seq 1 100); do  # at most 2 s; perfdhcp binds its socket at once
            ip netns exec "$CLI" ss -Huanp 2>/dev/null | grep -q '"perfdhcp"' && break
            sleep 0.02
        done
        sysctl -qw net.core.rmem_default="$rmem_saved"
    fi
    wait "$pid" || true
}
# Ready once an exchange completes (when -n ends the run perfdhcp counts the last exchange's
# reply as lost, so it starts three and looks for an ACK or a Reply).
dhcp_ready() {  # FAMILY
    # shellcheck disable=SC2046
    ip netns exec "$CLI" timeout 5 perfdhcp -g single -R 1 -r 10 -n 3 -W 1000000 $(perfdhcp_args "$1") 2>/dev/null |
        awk '/^received packets:/ {n++; if (n == 2 && $3 > 0) ok = 1} END {exit !ok}'
}
dhcp4_ready() { dhcp_ready 4; }
dhcp6_ready() { dhcp_ready 6; }

# The client namespace's UDP receive-buffer overflows (FAMILY 4 or 6): answers that reached
# the generator's host but not the generator.
client_rcvbuf_errors() {
    if [ "$1" = 6 ]; then
        ip netns exec "$CLI" awk '$1 == "Udp6RcvbufErrors" {print $2}' /proc/net/snmp6
    else
        ip netns exec "$CLI" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp
    fi
}
# measure_dhcp FAMILY NAME SERVER VERSION MODE DURABILITY : perfdhcp at every offered rate; the
# best completed exchange rate is the server's figure.
measure_dhcp() {
    local fam=$1 name=$2 server=$3 version=$4 mode=$5 durability=$6
    # The service's name in the results, its offered rates, its first and last message and
    # its two exchanges (in full, and as the log abbreviates them).
    local svc=DHCP rates=$dhcp_rates first=DISCOVER last=ACK x1=DISCOVER-OFFER a1=DO a2=RA
    if [ "$fam" = 6 ]; then
        svc=DHCPv6 rates=$dhcp6_rates first=Solicit last=Reply x1=Solicit-Advertise a1=SA a2=RR
    fi
    attempted=$((attempted + 1))
    if ! wait_ready "dhcp${fam}_ready"; then
        log "$name: no $svc answer"
        tail -n 20 "$work/$name.log" >&2
        failures+=("$name: did not answer")
        record "$svc" "$name" "$server" "$version" "$mode" "$durability" - - - 0 - - "no answer"
        stop_server
        return 0
    fi
    local threads rate best=-1 best_line="" kind=rate
    threads=$(cg_move_all)
    local plan=${rates//,/ }
    [ "$storm" = 1 ] && plan="$plan storm2 storm4"
    for rate in $plan; do
        if [[ $rate == storm* ]]; then  # a multiple of the best completed rate so far
            kind=storm
            [ "$best" -gt 0 ] || continue
            rate=$((best * ${rate#storm}))
        fi
        log "$name: $threads thread(s) in the CPU share; perfdhcp -$fam -r $rate for $seconds s"
        local u0 g0 t0 u1 g1 t1 out="$work/$name-r$rate.perfdhcp"
        profile_start "$name-r$rate"
        local e0 e1 lost
        e0=$(client_rcvbuf_errors "$fam")
        u0=$(cg_usage_ns) g0=$(cg_usage_ns "$cg_gen") t0=$(now_ns)
        perfdhcp_run "$fam" "$name-r$rate" "$rate"
        u1=$(cg_usage_ns) g1=$(cg_usage_ns "$cg_gen") t1=$(now_ns)
        e1=$(client_rcvbuf_errors "$fam")
        lost=$((e1 - e0))
        profile_stop "$name-r$rate"
        local xps fo_avg rr_avg rr_sd sent done_ cpu gcpu notes
        xps=$(awk '/^Rate:/ {printf "%.0f", $2}' "$out")
        # Two blocks: DISCOVER-OFFER (SOLICIT-ADVERTISE), then REQUEST-ACK (REQUEST-REPLY).
        fo_avg=$(awk '/^avg delay: [0-9]/ {n++; if (n == 1) printf "%.3f", $3}' "$out")
        rr_avg=$(awk '/^avg delay: [0-9]/ {n++; if (n == 2) printf "%.3f", $3}' "$out")
        rr_sd=$(awk '/^std deviation: [0-9]/ {n++; if (n == 2) printf "%.3f", $3}' "$out")
        sent=$(awk '/^sent packets:/ {n++; if (n == 1) print $3}' "$out")
        done_=$(awk '/^received packets:/ {n++; if (n == 2) print $3}' "$out")
        cpu=$(cpu_percent "$u0" "$u1" "$t0" "$t1")
        gcpu=$(cpu_percent "$g0" "$g1" "$t0" "$t1")
        [ -n "$xps" ] || { xps=0; tail -n 20 "$out" >&2; }
        notes="${first}s ${sent:-?}, ${last}s ${done_:-?}; $x1 avg ${fo_avg:-?} ms"
        # Answers the generator's socket had no room for: the generator, not the server, lost them.
        [ "$lost" -eq 0 ] || notes="$notes; perfdhcp's socket dropped $lost answers"
        log "$name: offered $rate/s: $xps exchanges/s, $a1 ${fo_avg:-?} ms, $a2 ${rr_avg:-?} ms, server CPU $cpu %, perfdhcp CPU $gcpu %, answers dropped at perfdhcp's socket $lost"
        if [ "$kind" = storm ]; then
            record "$svc-storm" "$name" "$server" "$version" "$mode" "$durability" "$rate" "$cpu" "$gcpu" "$xps" \
                "${rr_avg:--}" "${rr_sd:--}" "$notes; best $best/s"
            sleep 1
            continue
        fi
        record "$svc-rate" "$name" "$server" "$version" "$mode" "$durability" "$rate" "$cpu" "$gcpu" "$xps" \
            "${rr_avg:--}" "${rr_sd:--}" "$notes"
        if [ "$xps" -gt "$best" ]; then
            best=$xps
            best_line=$(printf '%s\t' "$svc" "$name" "$server" "$version" "$mode" "$durability" "$rate" "$cpu" \
                "$gcpu" "$xps" "${rr_avg:--}" "${rr_sd:--}" "$notes")
        fi
        sleep 1  # let the server drain what is queued before the next rate
    done
    echo "$round"$'\t'"${best_line%$'\t'}" >>"$results"
    [ "$best" -gt 0 ] || failures+=("$name: 0 exchanges/s")
    if [ "$server" = edgelease ]; then ip netns exec "$SRV" "$ctl" stats >"$work/$name.stats" 2>&1 || true; fi
    stop_server
}

# One /15 scope for both DHCP servers: giaddr 198.18.0.2 selects it; 65,534 addresses.
dhcp_edgelease() {  # PMD
    local name="edgelease-$1-dhcp" dur
    server_addr off
    edgelease_config "$name" "$1" "[[dhcp.scopes]]
name = \"bench\"
subnet = \"198.18.0.0/15\"
pools = [\"198.19.0.1-198.19.255.254\"]
lease_time = \"1h\"
routers = [\"$server_ip\"]"
    start_server "$name" "$bin" --config "$work/$name/edge.toml"
    if [ "$durability" = fsync ]; then dur="LMDB, group commit, fsync before each ACK"
    else dur="LMDB, group commit, no fsync (durability = os)"; fi
    measure_dhcp 4 "$name" edgelease "$el_version" "DPDK net_$1" "$dur"
}

# Kea with memfile, its lease file persisted in the scratch directory. UDP sockets: the
# server only sees relayed traffic (its raw-socket default measured slower here).
dhcp_kea() {
    server_addr on
    mkdir -p "$work/kea"
    cat >"$work/kea.json" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "cmp0" ], "dhcp-socket-type": "udp" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$work/kea/leases4.csv" },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "198.18.0.0/15",
        "pools": [ { "pool": "198.19.0.1 - 198.19.255.254" } ],
        "option-data": [ { "name": "routers", "data": "$server_ip" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN",
        "output_options": [ { "output": "$work/kea/kea.log" } ] } ]
} }
JSON
    start_server kea env KEA_LOCKFILE_DIR="$work/kea" KEA_PIDFILE_DIR="$work/kea" kea-dhcp4 -c "$work/kea.json"
    measure_dhcp 4 kea kea "$kea_version" "UDP sockets, 1 thread" "memfile CSV, a write per lease, no fsync"
}

# ---- DHCPv6 (scripts/compare_dhcp6.sh) and DNS over TCP (scripts/compare_tcp.sh) -----------
# shellcheck source=scripts/compare_dhcp6.sh
source "$here/scripts/compare_dhcp6.sh"
# shellcheck source=scripts/compare_tcp.sh
source "$here/scripts/compare_tcp.sh"

# ---- run ---------------------------------------------------------------------------------------
[ "$client_rcvbuf" = 0 ] || rmem_saved=$(sysctl -n net.core.rmem_default)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "work directory $work; DNS servers in $quota %, DHCP servers in $dhcp_quota % of CPU $server_cpu, generators on CPU $gen_cpu"
[ "$do_dns" = 1 ] && make_dns_data
for round in $(seq 1 "$repeat"); do
    [ "$repeat" = 1 ] || log "round $round of $repeat"
    if [ "$do_dns" = 1 ]; then
        cg_share "$quota"
        for p in ${pmds//,/ }; do wanted "edgelease-$p-dns" && dns_edgelease "$p"; done
        wanted knot-udp && dns_knot_udp
        wanted knot-xdp && dns_knot_xdp
        wanted nsd && dns_nsd
        [ "$dns_tcp" = 1 ] && dns_tcp_runs
    fi
    if [ "$do_dhcp" = 1 ]; then
        cg_share "$dhcp_quota"
        for p in ${pmds//,/ }; do wanted "edgelease-$p-dhcp" && dhcp_edgelease "$p"; done
        wanted kea && dhcp_kea
    fi
    if [ "$do_dhcp6" = 1 ]; then
        cg_share "$dhcp_quota"
        link6_client on
        for p in ${pmds//,/ }; do wanted "edgelease-$p-dhcp6" && dhcp6_edgelease "$p"; done
        wanted kea6 && dhcp6_kea
        link6_client off
    fi
done

# ---- report ------------------------------------------------------------------------------------
python3 - "$work/meta.json" <<PY
import json, sys
json.dump({"date": "$started", "kernel": "$(uname -sr)", "cpus": $(nproc --all),
           "cpu_model": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')",
           "edgelease_commit": "$el_version", "seconds": $seconds, "rounds": $repeat,
           "quota_percent": $quota, "dhcp_quota_percent": $dhcp_quota, "cfs_period_us": $period_us, "server_cpu": $server_cpu,
           "generator_cpu": $gen_cpu, "records": $records, "dnsperf_outstanding": $outstanding,
           "dns_tcp": bool($dns_tcp), "tcp_clients": $tcp_clients, "tcp_outstanding": $tcp_outstanding,
           "dhcp_clients": $clients, "dhcp_rates": [$dhcp_rates], "dhcp6_rates": [$dhcp6_rates],
           "dhcp6": {"prefix": "$prefix6", "pool": "$pool6_first-$pool6_last",
                     "pd_pool": "$pd6_prefix/$pd6_len", "delegated_length": $pd6_delegated},
           "edgelease_pmds": "$pmds".split(","),
           "edgelease_idle_sleep_us": $idle_sleep_us, "edgelease_idle": "$idle_mode", "edgelease_coalesce_us": $coalesce_us, "edgelease_durability": "$durability",
           "client_napi": bool($client_napi), "storm": bool($storm), "client_rcvbuf": $client_rcvbuf},
          open(sys.argv[1], "w"), indent=2)
PY
python3 "$here/scripts/compare_report.py" "$work/meta.json" "$results" ${json:+"$json"}

if [ "$smoke" = 1 ]; then
    answered=$(awk -F'\t' '($2 == "DNS" || $2 == "DNS-TCP" || $2 == "DHCP" || $2 == "DHCPv6") && $11 > 0' "$results" | wc -l)
    [ "$attempted" -gt 0 ] || failures+=("no server was run")
    for f in "${failures[@]}"; do echo "FAIL: $f"; done
    echo "smoke: $answered passed, $((attempted - answered)) failed"
    [ ${#failures[@]} -eq 0 ] && [ "$answered" -eq "$attempted" ]
fi
