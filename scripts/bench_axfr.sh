#!/usr/bin/env bash
# AXFR of a large zone (1,000,000 records by default: A, AAAA and TXT, 4:3:3, one owner name
# each, plus the apex SOA, NS and ns A), edgelease against Knot DNS serving the same zone
# file. As scripts/compare.sh: each server alone in a network namespace and a cgroup v1
# (cpuset CPU 1, CFS quota --quota % of a 10 ms period, the highest cpu.shares), the clients
# pinned to CPU 0 in another namespace and cgroup, joined by one veth pair.
# edgelease holds its veth end through DPDK's net_af_packet and serves TCP through its
# exception path (a tap in a private namespace, the kernel's sockets, its TCP thread); Knot
# uses the kernel's sockets on the veth end itself.
#
# For each server: its start-up (process start to the zone answering over UDP; for edgelease
# also until its record store, which transfers are read from, has written the zone), then
# --repeat transfers with each client (kdig, and a minimal client here that only counts),
# each timed from the client's start to its exit; the records received are counted (every
# data record, the apex records, the closing SOA) and a transfer short of the zone is
# reported as incomplete. Prints each transfer, then per server and client the median time,
# the range and records/s. Figures, never pass/fail.
#   scripts/bench_axfr.sh                       # 1M records, 3 transfers each, 100 % of CPU 1
#   scripts/bench_axfr.sh --records 100000 --repeat 5 --quota 50 --keep /tmp/axfr
#   scripts/bench_axfr.sh --exception-wmem 131072 --profile --keep /tmp/axfr
# Needs root (namespaces, cgroup v1). Installs knot, knot-dnsutils (kdig) and bind9-dnsutils (dig) when
# missing. Uses $EDGELEASE_BIN, else build/app/edgelease (built when missing).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

records=1000000 repeat=3 quota=100 keep="" only="edgelease,knot" xfr_timeout=600 clients="kdig,wire"
exc_wmem="" profile=0
server_cpu=1 gen_cpu=0 period_us=10000

usage() {
    cat <<EOF
usage: scripts/bench_axfr.sh [options]
  --records N      data records in the zone (default $records)
  --repeat N       transfers from each server (default $repeat)
  --quota PERCENT  CPU share of each server, in % of CPU $server_cpu (default $quota)
  --only LIST      servers, comma-separated: edgelease, knot (default $only)
  --timeout S      longest a transfer may take before the client is stopped (default $xfr_timeout)
  --clients LIST   transfer clients, comma-separated (default $clients): kdig (prints every
                   record: its own cost shows at Knot's speed), wire (a minimal client here
                   that only frames the messages and adds up their ANCOUNTs, checking the
                   last record is the SOA: the server's speed, not the client's)
  --exception-wmem BYTES
                   edgelease's exception path in a namespace made here whose TCP send buffer
                   is at most BYTES (net.ipv4.tcp_wmem there) instead of its private one with
                   the kernel's defaults (see docs/benchmarks.md: a transfer that the socket
                   buffer absorbs stalls)
  --keep DIR       keep configurations, logs and kdig's summaries in DIR
  --profile        perf record each server during its transfers (DIR/NAME.perf.txt with --keep)
EOF
}
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --profile) profile=1 ;;
        --records|--repeat|--quota|--only|--keep|--timeout|--clients|--exception-wmem)
            [ $# -ge 2 ] || { echo "bench_axfr.sh: $1 needs a value" >&2; exit 2; }
            case "$1" in
                --records) records=$2 ;; --repeat) repeat=$2 ;; --quota) quota=$2 ;;
                --only) only=$2 ;; --keep) keep=$2 ;; --timeout) xfr_timeout=$2 ;;
                --clients) clients=$2 ;; --exception-wmem) exc_wmem=$2 ;;
            esac
            shift ;;
        *) echo "bench_axfr.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
bad() { echo "bench_axfr.sh: $*" >&2; exit 2; }
for v in records repeat quota xfr_timeout; do [[ ${!v} =~ ^[1-9][0-9]*$ ]] || bad "--$v must be a positive integer"; done
{ [ "$quota" -ge 10 ] && [ "$quota" -le 100 ]; } || bad "--quota: 10 to 100"
[ "$records" -le 9000000 ] || bad "--records: at most 9000000"
[[ $only =~ ^(edgelease|knot)(,(edgelease|knot))*$ ]] || bad "--only: edgelease and/or knot"
[[ $clients =~ ^(kdig|wire)(,(kdig|wire))*$ ]] || bad "--clients: kdig and/or wire"
[ -z "$exc_wmem" ] || [[ $exc_wmem =~ ^[1-9][0-9]{4,8}$ ]] || bad "--exception-wmem: 10000 to 999999999 octets"
[ "$(id -u)" = 0 ] || { echo "bench_axfr.sh: needs root" >&2; exit 1; }
[ "$(nproc --all)" -gt "$server_cpu" ] || { echo "bench_axfr.sh: needs CPUs $gen_cpu and $server_cpu" >&2; exit 1; }
for c in cpu cpuset cpuacct; do
    [ -f "/sys/fs/cgroup/$c/tasks" ] || { echo "bench_axfr.sh: needs cgroup v1 $c" >&2; exit 1; }
done
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

PATH=$PATH:/usr/sbin:/sbin
if ! command -v knotd >/dev/null || ! command -v kdig >/dev/null || ! command -v dig >/dev/null; then
    log "installing knot knot-dnsutils bind9-dnsutils"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then  # no service may start from the install
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    rc=0
    apt-get install -y -q --no-install-recommends knot knot-dnsutils bind9-dnsutils >&2 || rc=$?
    [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
    [ "$rc" = 0 ] || exit "$rc"
fi
bin=${EDGELEASE_BIN:-$here/build/app/edgelease}
if [ ! -x "$bin" ]; then
    log "building edgelease into build/"
    cmake -S "$here" -B "$here/build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
    cmake --build "$here/build" -j2 --target edgelease edgelease-ctl >&2
fi
el_version=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)
knot_version=$(knotd --version | awk '{print $NF}')

# ---- scratch, namespaces, veth, cgroups; torn down on every exit -------------------------------
tag="elaxfr-$$"
SRV="$tag-srv" CLI="$tag-cli" EXC="$tag-exc"
work=$(mktemp -d "/tmp/edgelease-axfr.XXXXXX")
cg_srv="$tag-server" cg_gen="$tag-client"
SERVER_PID="" PERF_PID=""

# profile_start NAME / profile_stop NAME : perf of the server's process (--profile).
profile_start() {
    [ "$profile" = 1 ] && command -v perf >/dev/null || return 0
    perf record -q -g -p "$SERVER_PID" -o "$work/$1.perf.data" >/dev/null 2>&1 &
    PERF_PID=$!
}
profile_stop() {
    [ -n "$PERF_PID" ] || return 0
    kill -INT "$PERF_PID" 2>/dev/null || true
    wait "$PERF_PID" 2>/dev/null || true
    PERF_PID=""
    local d="$work/$1.perf.data" t="$work/$1.perf.txt"
    perf report -i "$d" --no-children --sort comm,dso -g none 2>/dev/null | grep '%' | head -n 20 >"$t" || true
    echo >>"$t"
    perf report -i "$d" --children --sort symbol -g none 2>/dev/null | grep '%' | head -n 70 | cut -c1-140 >>"$t" || true
    rm -f "$d"
}

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$SERVER_PID" 2>/dev/null && { log "server $SERVER_PID ignored SIGTERM for 30 s: SIGKILL"; kill -KILL "$SERVER_PID" 2>/dev/null || true; }
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    local p
    for p in $(ip netns pids "$SRV" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
}
cleanup() {
    local rc=$?
    set +e
    [ -n "$PERF_PID" ] && kill -INT "$PERF_PID" 2>/dev/null && wait "$PERF_PID" 2>/dev/null
    stop_server
    local ns p c g
    for ns in "$CLI" "$SRV" "$EXC"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    for c in cpu cpuset cpuacct; do
        for g in "$cg_srv" "$cg_gen"; do
            [ -d "/sys/fs/cgroup/$c/$g" ] || continue
            for _ in $(seq 1 50); do rmdir "/sys/fs/cgroup/$c/$g" 2>/dev/null && break; sleep 0.1; done
        done
    done
    # Not the zone file nor the servers' databases: as large as the zone.
    if [ -n "$keep" ]; then
        mkdir -p "$keep" && tar -C "$work" --exclude='*.zone' --exclude=state --exclude='*.mdb' -cf - . | tar -C "$keep" -xf -
    fi
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$SRV"
ip netns add "$CLI"
ip -n "$SRV" link set lo up
ip -n "$CLI" link set lo up
ip -n "$SRV" link add ax0 type veth peer name ax1 netns "$CLI"
# Transmit checksum offload off on both ends: DPDK's PMDs would see partial checksums.
ip netns exec "$SRV" ethtool -K ax0 tx off >/dev/null
ip netns exec "$CLI" ethtool -K ax1 tx off >/dev/null
ip netns exec "$SRV" sysctl -qw net.ipv6.conf.ax0.disable_ipv6=1
ip netns exec "$CLI" sysctl -qw net.ipv6.conf.ax1.disable_ipv6=1
ip -n "$SRV" link set ax0 up
ip -n "$CLI" link set ax1 up
ip -n "$CLI" addr add 198.18.0.2/15 dev ax1
server_ip=198.18.0.1
exc_section="enabled = true"
if [ -n "$exc_wmem" ]; then
    # tcp_wmem is per namespace: only edgelease's exception path gets the smaller buffer.
    ip netns add "$EXC"
    ip netns exec "$EXC" sysctl -qw net.ipv4.tcp_wmem="4096 16384 $exc_wmem"
    exc_section="enabled = true
namespace = \"$EXC\""
fi

cg_setup() {  # GROUP CPU QUOTA_US
    local g=$1 c
    for c in cpu cpuset cpuacct; do mkdir -p "/sys/fs/cgroup/$c/$g"; done
    echo "$2" >"/sys/fs/cgroup/cpuset/$g/cpuset.cpus"
    echo 0 >"/sys/fs/cgroup/cpuset/$g/cpuset.mems"
    echo 262144 >"/sys/fs/cgroup/cpu/$g/cpu.shares"
    echo "$period_us" >"/sys/fs/cgroup/cpu/$g/cpu.cfs_period_us"
    echo "$3" >"/sys/fs/cgroup/cpu/$g/cpu.cfs_quota_us"
}
cg_setup "$cg_srv" "$server_cpu" $((period_us * quota / 100))
cg_setup "$cg_gen" "$gen_cpu" -1
cg_usage_ns() { cat "/sys/fs/cgroup/cpuacct/$1/cpuacct.usage"; }
# Every thread of every process in the server namespace into the server's group (by TID).
cg_move_all() {
    local n=0 p t c
    for p in $(ip netns pids "$SRV"); do
        for t in /proc/"$p"/task/*; do
            for c in cpu cpuset cpuacct; do echo "${t##*/}" >"/sys/fs/cgroup/$c/$cg_srv/tasks" 2>/dev/null || true; done
            n=$((n + 1))
        done
    done
    echo "$n"
}
now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b - a) / 1e9}'; }

# start_server NAME COMMAND... : in the server namespace and cgroup (sh and ip netns exec
# exec: SERVER_PID is the server).
start_server() {
    local name=$1
    shift
    sh -c 'for c in cpu cpuset cpuacct; do echo $$ >/sys/fs/cgroup/$c/'"$cg_srv"'/tasks; done; exec "$@"' \
        sh ip netns exec "$SRV" "$@" >"$work/$name.log" 2>&1 &
    SERVER_PID=$!
}
# wait_until TIMEOUT_S COMMAND... : polls every 0.1 s; fails at once if the server exited.
wait_until() {
    local deadline=$(($(date +%s) + $1))
    shift
    while [ "$(date +%s)" -lt "$deadline" ]; do
        "$@" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
soa_udp() { ip netns exec "$CLI" dig @"$server_ip" +time=1 +tries=1 +short bench.test SOA | grep -q hostmaster; }

# ---- the zone ----------------------------------------------------------------------------------
zone="$work/bench.test.zone"
log "writing a zone of $records records"
awk -v n="$records" 'BEGIN {
    print "$ORIGIN bench.test."; print "$TTL 300"
    print "@ SOA ns.bench.test. hostmaster.bench.test. 2026120301 3600 600 1209600 300"
    print "@ NS ns"; print "ns A 198.18.0.1"
    for (i = 0; i < n; i++) {
        k = i % 10
        if (k < 4) printf "a%07d A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
        else if (k < 7) printf "q%07d AAAA 2001:db8:%x:%x::1\n", i, int(i / 65536), i % 65536
        else printf "t%07d TXT \"v=bench %07d some text to make the record longer\"\n", i, i
    } }' >"$zone"
# What a complete transfer holds: the data records, SOA, NS, ns A, and the SOA again at the end.
expected=$((records + 4))
log "zone: $(wc -l <"$zone") lines, $(du -h "$zone" | cut -f1); a complete AXFR is $expected records"

results="$work/results.tsv"
: >"$results"  # server version run seconds records messages bytes server_cpu_s client_cpu_s complete

# The wire client: sends one AXFR, reads the length-prefixed messages, checks each is an
# answer without error, adds up their ANCOUNTs until the expected total or the connection's
# end, and checks the last message ends in the SOA (parsing that message alone). Prints
# "records messages bytes ok|why".
cat >"$work/axfr_wire.py" <<'PY'
import socket, struct, sys
server, zone, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
def name(m, i):  # the offset after the name at i
    while True:
        n = m[i]
        if n == 0: return i + 1
        if n & 0xc0: return i + 2
        i += n + 1
q = struct.pack(">HHHHHH", 0x4242, 0, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in zone.rstrip(".").split(".")) + b"\0"
q += struct.pack(">HH", 252, 1)
s = socket.create_connection((server, 53), timeout=30)
s.sendall(struct.pack(">H", len(q)) + q)
f = s.makefile("rb", buffering=1 << 20)
records = msgs = octets = 0
last = None
why = "ok"
while records < expected:
    h = f.read(2)
    if len(h) < 2: why = "connection closed early"; break
    (n,) = struct.unpack(">H", h)
    m = f.read(n)
    if len(m) < n: why = "connection closed inside a message"; break
    msgs += 1; octets += n + 2
    flags, qd, an = struct.unpack(">HHH", m[2:8])
    if m[0:2] != q[0:2] or not flags & 0x8000 or flags & 0xf: why = "rcode %d" % (flags & 0xf); break
    records += an; last = m
if why == "ok" and records != expected: why = "%d records, not %d" % (records, expected)
if why == "ok":
    qd, an = struct.unpack(">HH", last[4:8])
    i = 12
    for _ in range(qd): i = name(last, i) + 4
    for k in range(an):
        i = name(last, i); t, _c, _ttl, rdl = struct.unpack(">HHIH", last[i:i + 10]); i += 10 + rdl
    if t != 6: why = "the last record is type %d, not SOA" % t
print(records, msgs, octets, why.replace(" ", "_"))
PY

# axfr NAME VERSION RUN CLIENT : one transfer from the client namespace on CPU $gen_cpu.
axfr() {
    if [ "$4" = wire ]; then axfr_wire "$@"; else axfr_kdig "$@"; fi
}
axfr_wire() {
    local name=$1 version=$2 run=$3 t0 t1 u0 u1 g0 g1 rc=0 res
    u0=$(cg_usage_ns "$cg_srv") g0=$(cg_usage_ns "$cg_gen") t0=$(now_ns)
    res=$(sh -c 'for c in cpu cpuset cpuacct; do echo $$ >/sys/fs/cgroup/$c/'"$cg_gen"'/tasks; done; exec "$@"' \
        sh ip netns exec "$CLI" taskset -c "$gen_cpu" timeout "$xfr_timeout" \
        python3 "$work/axfr_wire.py" "$server_ip" bench.test. "$expected" 2>"$work/$name-wire$run.err") || rc=$?
    t1=$(now_ns) u1=$(cg_usage_ns "$cg_srv") g1=$(cg_usage_ns "$cg_gen")
    local got msgs bytes why complete=yes el cpu_s gen_s rps
    read -r got msgs bytes why <<<"${res:-0 0 0 no_output}"
    [ "$rc" = 0 ] && [ "$why" = ok ] || complete="no (status $rc, ${why//_/ }, $got of $expected records)"
    el=$(secs "$t0" "$t1") cpu_s=$(secs "$u0" "$u1") gen_s=$(secs "$g0" "$g1")
    rps=$(awk -v r="$got" -v s="$el" 'BEGIN {printf "%.0f", r / s}')
    log "$name AXFR $run (wire): $el s, $got records ($rps/s) in $msgs messages, $bytes B; server CPU $cpu_s s, client CPU $gen_s s; complete: $complete"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\twire\n' "$name" "$version" "$run" "$el" "$got" "$msgs" \
        "$bytes" "$cpu_s" "$gen_s" "$complete" >>"$results"
}
axfr_kdig() {
    local name=$1 version=$2 run=$3 out="$work/$1-axfr$3.txt" t0 t1 u0 u1 g0 g1 rc=0
    u0=$(cg_usage_ns "$cg_srv") g0=$(cg_usage_ns "$cg_gen") t0=$(now_ns)
    # kdig prints every record: to a file (not a pipe that could slow it), counted after.
    sh -c 'for c in cpu cpuset cpuacct; do echo $$ >/sys/fs/cgroup/$c/'"$cg_gen"'/tasks; done; exec "$@"' \
        sh ip netns exec "$CLI" taskset -c "$gen_cpu" timeout "$xfr_timeout" \
        kdig @"$server_ip" +tcp +timeout=30 +retry=0 AXFR bench.test. >"$out" 2>&1 || rc=$?
    t1=$(now_ns) u1=$(cg_usage_ns "$cg_srv") g1=$(cg_usage_ns "$cg_gen")
    local recs msgs bytes got complete=yes
    # The records themselves (every line that is not a comment or blank), and kdig's summary:
    # ";; Received N B", ";; Time ...", and the record and message counts it reports.
    got=$(awk '!/^;/ && NF >= 4 {n++} END {print n + 0}' "$out")
    recs=$(sed -n 's/^;; Received [0-9]* B (\([0-9]*\) messages, \([0-9]*\) records).*/\2/p' "$out" | tail -n 1)
    msgs=$(sed -n 's/^;; Received [0-9]* B (\([0-9]*\) messages, \([0-9]*\) records).*/\1/p' "$out" | tail -n 1)
    bytes=$(sed -n 's/^;; Received \([0-9]*\) B.*/\1/p' "$out" | tail -n 1)
    [ "$rc" = 0 ] && [ "$got" = "$expected" ] || complete="no (kdig status $rc, $got of $expected records)"
    local el cpu_s gen_s rps
    el=$(secs "$t0" "$t1") cpu_s=$(secs "$u0" "$u1") gen_s=$(secs "$g0" "$g1")
    rps=$(awk -v r="$got" -v s="$el" 'BEGIN {printf "%.0f", r / s}')
    log "$name AXFR $run: $el s, $got records ($rps/s), kdig says ${recs:-?} records in ${msgs:-?} messages, ${bytes:-?} B; server CPU $cpu_s s, kdig CPU $gen_s s; complete: $complete"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tkdig\n' "$name" "$version" "$run" "$el" "$got" "${msgs:--}" \
        "${bytes:--}" "$cpu_s" "$gen_s" "$complete" >>"$results"
    # Keep the summary lines only: the full listing is as large as the zone.
    { head -n 5 "$out"; echo ...; tail -n 6 "$out"; } >"$out.summary" && rm -f "$out"
}
rss_mib() { awk '/^VmHWM:/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || echo "?"; }
startup="$work/startup.tsv"
: >"$startup"  # server what seconds

run_edgelease() {
    mkdir -p "$work/edgelease"
    cat >"$work/edgelease/edge.toml" <<TOML
[appliance]
state_dir = "$work/edgelease/state"

[dpdk]
eal_args = ["--no-huge", "--no-pci", "--no-shconf", "--file-prefix=$tag", "--vdev=net_af_packet0,iface=ax0"]

[[interfaces]]
port = "net_af_packet0"
addresses = ["$server_ip/15"]

[exception]
$exc_section

[dns]
tcp = true

[[dns.zones]]
name = "bench.test."
file = "$zone"
allow_transfer = ["198.18.0.0/15"]
TOML
    ip -n "$SRV" addr flush dev ax0  # edgelease owns the address through DPDK
    ip -n "$CLI" neigh flush all
    local t0 t_run t_udp t_store
    t0=$(now_ns)
    start_server edgelease "$bin" --config "$work/edgelease/edge.toml"
    wait_until 600 grep -q "edgelease running" "$work/edgelease.log" || { log "edgelease did not start"; tail -n 20 "$work/edgelease.log" >&2; return 1; }
    t_run=$(now_ns)
    log "edgelease: $(cg_move_all) thread(s) in the CPU share"
    wait_until 120 soa_udp || { log "edgelease: no SOA over UDP"; return 1; }
    t_udp=$(now_ns)
    # Transfers are read from the record store (LMDB), which the appliance fills from the
    # zone at start on a thread of its own: wait until its writes stop growing (every record
    # once, its audit entry too), 2 s without change, 600 s at most.
    local last=-1 cur same=0 deadline=$(($(date +%s) + 600))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        cur=$(ip netns exec "$SRV" curl -sf http://127.0.0.1:8053/metrics |
            awk '$1 == "edgelease_record_store_writes_total" {printf "%d", $2}') || cur=-1
        if [ "$cur" = "$last" ] && [ "$cur" -ge "$records" ]; then
            same=$((same + 1))
            [ "$same" -ge 20 ] && break
        else
            same=0 t_store=$(now_ns)
        fi
        last=$cur
        kill -0 "$SERVER_PID" 2>/dev/null || { log "edgelease exited"; return 1; }
        sleep 0.1
    done
    log "edgelease start-up: running after $(secs "$t0" "$t_run") s, SOA over UDP after $(secs "$t0" "$t_udp") s, record store written ($last writes) after $(secs "$t0" "$t_store") s; peak RSS $(rss_mib) MiB"
    printf 'edgelease\t%s\t%s\t%s\t%s\n' "$(secs "$t0" "$t_run")" "$(secs "$t0" "$t_udp")" "$(secs "$t0" "$t_store")" "$(rss_mib)" >>"$startup"
    cg_move_all >/dev/null  # the TCP thread and anything else started since
    local i cl
    profile_start edgelease
    for cl in ${clients//,/ }; do for i in $(seq 1 "$repeat"); do axfr edgelease "$el_version" "$i" "$cl"; done; done
    profile_stop edgelease
    log "edgelease peak RSS after the transfers: $(rss_mib) MiB"
    ip netns exec "$SRV" curl -sf http://127.0.0.1:8053/metrics | grep -E '^edgelease_dns_tcp_(transfer|connections_closed)|^edgelease_exception' \
        >"$work/edgelease.metrics" || true
    stop_server
}

run_knot() {
    mkdir -p "$work/knot"
    cat >"$work/knot.conf" <<YAML
server:
    rundir: "$work/knot"
    listen: $server_ip@53
database:
    storage: "$work/knot"
log:
  - target: stderr
    any: warning
acl:
  - id: bench-xfr
    address: 198.18.0.0/15
    action: transfer
template:
  - id: default
    storage: "$work"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: bench.test.
    file: "$zone"
    acl: bench-xfr
YAML
    ip -n "$SRV" addr flush dev ax0
    ip -n "$SRV" addr add "$server_ip/15" dev ax0
    ip -n "$CLI" neigh flush all
    local t0 t_udp
    t0=$(now_ns)
    start_server knot knotd -c "$work/knot.conf"
    wait_until 600 soa_udp || { log "knot: no SOA over UDP"; tail -n 20 "$work/knot.log" >&2; return 1; }
    t_udp=$(now_ns)
    log "knot: $(cg_move_all) thread(s) in the CPU share"
    log "knot start-up: SOA over UDP after $(secs "$t0" "$t_udp") s; peak RSS $(rss_mib) MiB"
    printf 'knot\t-\t%s\t-\t%s\n' "$(secs "$t0" "$t_udp")" "$(rss_mib)" >>"$startup"
    local i cl
    profile_start knot
    for cl in ${clients//,/ }; do for i in $(seq 1 "$repeat"); do axfr knot "$knot_version" "$i" "$cl"; done; done
    profile_stop knot
    log "knot peak RSS after the transfers: $(rss_mib) MiB"
    stop_server
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
log "work directory $work; servers in $quota % of CPU $server_cpu (cgroup v1, CFS period $period_us us), kdig on CPU $gen_cpu; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for s in ${only//,/ }; do "run_$s" || log "$s: failed"; done

# ---- report ------------------------------------------------------------------------------------
echo
echo "bench_axfr.sh $started: $(uname -sr), $(nproc --all) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')); edgelease $el_version, Knot $knot_version"
echo "zone bench.test.: $records data records (A 40 %, AAAA 30 %, TXT 30 %) + SOA, NS, ns A; a complete AXFR = $expected records"
echo "each server in a cgroup: cpuset CPU $server_cpu, CFS quota $quota % ($((period_us * quota / 100)) of every $period_us us); the client (kdig +tcp, wire) on CPU $gen_cpu; one veth pair; load now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf '%-10s %-10s %-6s %9s %13s %10s %13s %11s\n' server version client "median s" "range s" "records/s" "server CPU s" "client CPU s"
for s in ${only//,/ }; do
    for cl in ${clients//,/ }; do
        awk -F'\t' -v s="$s" -v cl="$cl" '$1 == s && $11 == cl' "$results" | sort -t$'\t' -k4,4n | awk -F'\t' -v cl="$cl" '
            BEGIN { ok = 1 }
            { t[NR] = $4; r[NR] = $5; c[NR] = $8; g[NR] = $9; v = $2; if ($10 != "yes") ok = 0 }
            END { if (NR == 0) exit
                  m = int((NR + 1) / 2)
                  printf "%-10s %-10s %-6s %9.2f %13s %10.0f %13.2f %11.2f%s\n", $1, v, cl, t[m], t[1] "-" t[NR], r[m] / t[m], c[m], g[m],
                      ok ? "" : "  INCOMPLETE (see above)" }'
    done
done
echo
echo "start-up (s from process start): server, 'edgelease running' logged, SOA answered over UDP, record store written (transfers complete from then), peak RSS MiB"
column -t -s$'\t' "$startup" 2>/dev/null || cat "$startup"
echo
echo "median: of $repeat transfers per client, each timed from the client's start to its exit; records/s: the median transfer's records / its time."
echo "server CPU s: the server's cgroup (cpuacct) during the median transfer; client CPU s: the client's cgroup."
if [ -n "$exc_wmem" ]; then echo "edgelease's exception path: namespace $EXC, net.ipv4.tcp_wmem = 4096 16384 $exc_wmem"
else echo "edgelease's exception path: its private namespace, the kernel's default tcp_wmem ($(sysctl -n net.ipv4.tcp_wmem | tr '\t' ' '))"; fi
