#!/usr/bin/env bash
# Scale benchmark (issue 18's targets): N DHCPv4 leases, each with the A record its lease
# makes (provenance dhcp), held by the real appliance; then how much memory that takes and how
# long a restart takes until the appliance serves DHCP and DNS again. Figures only: nothing
# here fails on speed.
#
#   scripts/bench_scale.sh                       65,000 leases and their records, every restart
#   scripts/bench_scale.sh --leases 1000 --restarts ""   DHCP with 1k leases bound only
#   scripts/bench_scale.sh --ptr                 a PTR per lease as well (2 records a lease)
#   scripts/bench_scale.sh --zone-records 1000000  and 1M records from a zone file
#
# Addresses stay in the test range 198.18.0.0/15, inside the script's own namespace: the
# subscribers' scope is 198.19.0.0/16, so at most 65,024 DHCPv4 leases. (The 1M-lease
# figures in docs/benchmarks-scale.md were taken by the revision of 2bcfc79, whose scope was
# outside the test ranges; a million within them needs a DHCPv6 fill in 2001:db8::/32.)
#
# How: the appliance has two ports. net_memif0 (198.19.0.1/16, scope 198.19.0.0/16, domain
# sub.test.) is filled by edgelease-loadgen: N clients, one DORA each with option 12
# (lg-<i>), closed loop, 256 in flight; the lease count and the record store's writes are
# waited on until they settle. net_tap0 (198.18.0.1/24, the kernel end 198.18.0.2) carries the
# probes. Then the appliance is stopped (SIGTERM; SIGKILL at a settled moment; SIGKILL at
# once: the crash path) and started again on the same state directory, and a probe on the tap's kernel end
# sends, every 5 ms from the moment the process starts: a DNS query for lg-<k>.sub.test. A
# (answered only when it carries that lease's address), and a DHCPREQUEST in INIT-REBOOT for
# client k's lease through a relay (giaddr 198.19.255.253, held on the tap's kernel end;
# answered only by a DHCPACK for that address). Client k is the last one filled. Time is
# from the exec of the appliance.
#
# Options:
#   --leases N            leases to fill (default 65000, at most 65024)
#   --ptr                 a reverse zone 19.198.in-addr.arpa.: a PTR per lease as well
#   --zone-records N      N more A records in sub.test.'s zone file (provenance config)
#   --durability os|fsync the lease store's durability (default os: the fill is faster)
#   --dhcp-check S        after the fill, S seconds of DORAs by the first --check-clients of
#                         the filled clients (each DISCOVERs again without releasing: its lease
#                         comes back), closed loop, 256 in flight: DORA/s with N leases bound
#                         (compare --leases 1000 with --leases 65000; default 10, 0 = skip)
#   --check-clients N     clients in that check (default 1000; at most --leases)
#   --restarts LIST       which restarts, in order (default term,kill,kill-now): term = SIGTERM;
#                         kill = SIGKILL once the record store holds a settled moment's clean
#                         mark (a crash while nothing changes); kill-now = SIGKILL right after
#                         the previous round's probes (the start re-checks every lease)
#   --build DIR           build directory (default build)
#   --keep                keep the scratch directory
set -euo pipefail

leases=65000 ptr=0 zone_records=0 durability=os restarts=term,kill,kill-now build=build keep=0
dhcp_check=10 check_clients=1000
while [ $# -gt 0 ]; do
    case $1 in
        --leases) leases=$2; shift 2 ;;
        --ptr) ptr=1; shift ;;
        --zone-records) zone_records=$2; shift 2 ;;
        --durability) durability=$2; shift 2 ;;
        --restarts) restarts=$2; shift 2 ;;
        --dhcp-check) dhcp_check=$2; shift 2 ;;
        --check-clients) check_clients=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench_scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "bench_scale.sh: needs root (DPDK, a network namespace)" >&2; exit 1; }
APP="$build/app/edgelease" CTL="$build/app/edgelease-ctl" GEN="$build/loadgen/edgelease-loadgen"
for b in "$APP" "$CTL" "$GEN"; do
    [ -x "$b" ] || { echo "bench_scale.sh: $b missing: build first (cmake --build $build)" >&2; exit 1; }
done
APP=$(readlink -f "$APP")
cpus=$(nproc)
gen_cpu=0 app_cpu=$((cpus > 1 ? cpus - 1 : 0))

tmp=$(mktemp -d /tmp/edgelease-scale.XXXXXX)
ns="el-scale-$$"
app_pid="" gen_pid="" probe_pid=""
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
stop_pid() {  # stop_pid PID : TERM, wait up to 60 s, KILL
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    set +e
    [ -n "$probe_pid" ] && stop_pid "$probe_pid"
    [ -n "$gen_pid" ] && stop_pid "$gen_pid"
    [ -n "$app_pid" ] && stop_pid "$app_pid"
    ip netns del "$ns" 2>/dev/null
    rm -rf "/var/run/dpdk/el-scale-app-$$" "/var/run/dpdk/el-scale-gen-$$"
    if [ $rc -ne 0 ] && [ -f "$tmp/appliance.log" ]; then
        echo "--- appliance log (last lines) ---" >&2; tail -n 30 "$tmp/appliance.log" >&2
    fi
    if [ "$keep" = 1 ]; then echo "scratch directory kept: $tmp" >&2; else rm -rf "$tmp"; fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for TIMEOUT_S COMMAND... : polls every 50 ms until the command succeeds.
wait_for() {
    local deadline=$(($(date +%s%N) + $1 * 1000000000)); shift
    while [ "$(date +%s%N)" -lt "$deadline" ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.05
    done
    return 1
}

python3 - "$tmp/sub.zone" "$zone_records" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("$ORIGIN sub.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n")
    f.write("ns A 198.18.0.1\n")
    for i in range(n):
        f.write(f"static-{i} A 198.18.{128 + i // 256 % 128}.{i % 256}\n")
PY
reverse=""
[ "$ptr" = 1 ] && reverse=$'[[dns.zones]]\nname = "19.198.in-addr.arpa."\n'

sock="$tmp/memif.sock"
cat >"$tmp/edge.toml" <<TOML
[appliance]
state_dir = "$tmp/state"
durability = "$durability"
stats_interval = "0s"

[dpdk]
eal_args = ["--no-huge", "--no-pci", "--file-prefix=el-scale-app-$$", "-m", "512",
            "--lcores=(0-3)@$app_cpu",
            "--vdev=net_memif0,role=server,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:01",
            "--vdev=net_tap0,iface=scale0"]
workers = 1
idle_sleep_us = 100        # the four lcores share one CPU: idle ones back off

[[interfaces]]
port = "net_memif0"
addresses = ["198.19.0.1/16"]

[[interfaces]]
port = "net_tap0"
addresses = ["198.18.0.1/24"]

[api]
listen = "127.0.0.1:8053"

[[dns.zones]]
name = "sub.test."
file = "sub.zone"

$reverse
[[dhcp.scopes]]
name = "subscribers"
subnet = "198.19.0.0/16"
pools = ["198.19.1.0-198.19.255.250"]
lease_time = "1d"
routers = ["198.19.0.1"]
dns_servers = ["198.19.0.1"]
domain = "sub.test."
TOML
"$APP" --check-config "$tmp/edge.toml" >/dev/null
[ "$leases" -le 65024 ] || { echo "bench_scale.sh: --leases $leases: the scope 198.19.0.0/16 holds 65,024" >&2; exit 2; }
ip netns add "$ns"
ip -n "$ns" link set lo up

stats_json() { ip netns exec "$ns" "$CTL" --json stats; }
metric() {
    ip netns exec "$ns" curl -sf http://127.0.0.1:8053/metrics | awk -v k="$1" '$1 == k { printf "%d\n", $2 }'
}
marked() { ip netns exec "$ns" curl -sf http://127.0.0.1:8053/metrics | awk '$1 == "edgelease_record_store_marked" { f = $2 } END { exit f == 1 ? 0 : 1 }'; }
rss_mib() { awk '/^VmRSS/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
hwm_mib() { awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$1/status"; }
# RSS split: anonymous (the heap: tables, leases, records, the view), file (the LMDB maps'
# pages in memory) and shared memory (EAL's --no-huge memory: mbufs, rings).
rss_split() { awk '/^Rss(Anon|File|Shmem)/ { printf "%s%s %d MiB", sep, $1, $2 / 1024; sep = ", " }' "/proc/$1/status"; }

start_app() {  # start_app LOG : exec in the namespace; $app_pid, $t_exec (ns since epoch)
    t_exec=$(date +%s%N)
    ip netns exec "$ns" "$APP" --config "$tmp/edge.toml" >"$1" 2>&1 &
    app_pid=$!
}

log "fill: starting the appliance (lcores on CPU $app_cpu)"
start_app "$tmp/appliance.log"
wait_for 600 grep -q "edgelease running" "$tmp/appliance.log" || { log "the appliance did not start"; exit 1; }
wait_for 10 stats_json || { log "the API did not answer"; exit 1; }

log "fill: $leases DORAs with option 12 from edgelease-loadgen over memif (CPU $gen_cpu)"
t_fill=$(date +%s%N)
"$GEN" dhcp --clients "$leases" --count "$leases" --duration 0 --hostname --outstanding 256 \
    --timeout 2000 --retries 5 --server 198.19.0.1 --source 198.19.0.2 --json --quiet -- --no-huge --no-pci -m 256 \
    --file-prefix="el-scale-gen-$$" --lcores="0@$gen_cpu" \
    "--vdev=net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:02" \
    >"$tmp/fill.json" 2>"$tmp/gen.log" &
gen_pid=$!
wait "$gen_pid" || { log "edgelease-loadgen failed"; cat "$tmp/gen.log" >&2; exit 1; }
gen_pid=""
fill_s=$(( ($(date +%s%N) - t_fill) / 1000000 ))
bound=$(ip netns exec "$ns" curl -sf http://127.0.0.1:8053/metrics | awk '$1 ~ /^edgelease_dhcp_leases\{/ && /state="bound"/ { n += $2 } END { printf "%d", n }')
log "fill: generator done after $fill_s ms: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["leases"], "leases,", round(r["leases_per_s"]), "DORA/s,", r["timeouts"], "timeouts")' "$tmp/fill.json"); $bound bound"

# The record store's writer trails the control lcore: wait until its writes stop growing.
last=$(metric edgelease_record_store_writes_total || echo x)
for _ in $(seq 1 600); do
    sleep 1
    now=$(metric edgelease_record_store_writes_total || echo y)
    [ "$now" = "$last" ] && break
    last=$now
done
rss=$(rss_mib "$app_pid") hwm=$(hwm_mib "$app_pid")
fill_rss=$rss fill_hwm=$hwm
state_mib=$(du -sm "$tmp/state" | cut -f1)
fill_split=$(rss_split "$app_pid")
log "held: $bound leases, record store writes $last, RSS $rss MiB (peak $hwm MiB; $fill_split), state directory $state_mib MiB"
check_summary="skipped"
if [ "$dhcp_check" != 0 ]; then
    [ "$check_clients" -le "$leases" ] || check_clients=$leases
    log "DHCP with the $leases filled leases bound: ${dhcp_check} s of DORAs by $check_clients of their clients"
    "$GEN" dhcp --clients "$check_clients" --duration "$dhcp_check" --hostname --outstanding 256 \
        --mix restart=1 --timeout 2000 --retries 5 --server 198.19.0.1 --source 198.19.0.2 --json --quiet \
        -- --no-huge --no-pci -m 256 --file-prefix="el-scale-gen-$$" --lcores="0@$gen_cpu" \
        "--vdev=net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:02" \
        >"$tmp/check.json" 2>"$tmp/gen-check.log" &
    gen_pid=$!
    wait "$gen_pid" || { log "edgelease-loadgen failed"; cat "$tmp/gen-check.log" >&2; exit 1; }
    gen_pid=""
    check_summary=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r["latency"]; print("%d DORAs, %.0f DORA/s, %.0f exchanges/s, p50 %.0f us, p99 %.0f us, %d timeouts" % (r["leases"], r["leases_per_s"], r["exchanges_per_s"], l["p50_us"], l["p99_us"], r["timeouts"]))' "$tmp/check.json")
    log "DHCP with the $leases filled leases bound: $check_summary"
fi
curl_ns() { ip netns exec "$ns" curl -sf "$@"; }
# Client k: the last one filled; its MAC and address from the API.
k=$((leases - 1))
mac=$(python3 -c 'import sys; b=0x024c47000000+int(sys.argv[1]); print(":".join("%02x" % (b >> s & 255) for s in range(40,-8,-8)))' "$k")
addr=$(curl_ns "http://127.0.0.1:8053/api/v1/zones/sub.test./records?name=lg-$k&type=A" | python3 -c '
import json, sys
rs = json.load(sys.stdin)
print(rs[0]["data"] if rs else "")')
[ -n "$addr" ] || { log "no lease for client $k ($mac)"; exit 1; }
log "probe client: lg-$k, $mac, $addr"

# The probe: on the tap's kernel end once it appears; prints "dns MS" and "dhcp MS", the
# milliseconds from T0 (the appliance's exec) to the first correct answer of each.
cat >"$tmp/probe.py" <<'PY'
import os, socket, struct, subprocess, sys, time
t0_ns, name, addr, mac, deadline_s = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
iface, giaddr = "scale0", "198.19.255.253"
def ms(): return (time.time_ns() - t0_ns) / 1e6
end = time.time() + deadline_s
while not os.path.exists(f"/sys/class/net/{iface}"):
    if time.time() > end: sys.exit("no tap")
    time.sleep(0.002)
def ip(*a): subprocess.run(["ip", *a], check=False, capture_output=True)
ip("link", "set", iface, "down"); ip("link", "set", iface, "address", "02:00:00:00:5c:02")
ip("addr", "add", "198.18.0.2/24", "dev", iface); ip("addr", "add", giaddr + "/32", "dev", iface)
ip("link", "set", iface, "up")
print(f"tap {ms():.0f}", flush=True)
q = struct.pack("!HHHHHH", 0x5ca1, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    if label: q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack("!HH", 1, 1)
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); dns.setblocking(False)
dns.bind(("198.18.0.2", 0))
chaddr = bytes(int(x, 16) for x in mac.split(":"))
req = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 1, 0x5ca1e000, 0, 0, b"\0" * 4, b"\0" * 4,
                  b"\0" * 4, socket.inet_aton(giaddr)) + chaddr + b"\0" * 10 + b"\0" * 192
req += b"\x63\x82\x53\x63" + bytes([53, 1, 3, 50, 4]) + socket.inet_aton(addr) + b"\xff"
dhcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); dhcp.setblocking(False)
dhcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
dhcp.bind((giaddr, 67))
got = {}
while len(got) < 2 and time.time() < end:
    try:
        if "dns" not in got: dns.sendto(q, ("198.18.0.1", 53))
        if "dhcp" not in got: dhcp.sendto(req, ("198.18.0.1", 67))
    except OSError:
        pass
    time.sleep(0.005)
    for _ in range(64):
        try: r = dns.recv(2048)
        except BlockingIOError: break
        if "dns" not in got and r[:2] == q[:2] and (r[3] & 15) == 0 and socket.inet_aton(addr) in r[len(q):]:
            got["dns"] = ms(); print(f"dns {got['dns']:.0f}", flush=True)
    for _ in range(64):
        try: r = dhcp.recv(2048)
        except BlockingIOError: break
        if "dhcp" not in got and len(r) > 240 and r[4:8] == req[4:8] and r[16:20] == socket.inet_aton(addr) \
                and bytes([53, 1, 5]) in r[240:]:
            got["dhcp"] = ms(); print(f"dhcp {got['dhcp']:.0f}", flush=True)
sys.exit(0 if len(got) == 2 else 1)
PY

results="$tmp/results.tsv"
: >"$results"
round=0
for how in ${restarts//,/ }; do
    round=$((round + 1))
    log "restart $round: stopping the appliance ($how)"
    if [ "$how" = kill ]; then
        # A crash at a settled moment: once the control lcore's clean mark is committed.
        if wait_for 10 marked; then log "the record store holds a settled moment's mark"
        else log "no settled moment's mark within 10 s"; fi
        kill -KILL "$app_pid"; wait "$app_pid" 2>/dev/null || true
    elif [ "$how" = kill-now ]; then
        kill -KILL "$app_pid"; wait "$app_pid" 2>/dev/null || true
    else
        t_stop=$(date +%s%N); kill -TERM "$app_pid"; wait "$app_pid" || true
        log "stopped after $(( ($(date +%s%N) - t_stop) / 1000000 )) ms"
    fi
    app_pid=""
    ip -n "$ns" link del scale0 2>/dev/null || true
    t0=$(date +%s%N)
    ip netns exec "$ns" python3 "$tmp/probe.py" "$t0" "lg-$k.sub.test" "$addr" "$mac" 120 >"$tmp/probe-$round.txt" 2>&1 &
    probe_pid=$!
    t_exec=$t0
    ip netns exec "$ns" "$APP" --config "$tmp/edge.toml" >"$tmp/appliance-$round.log" 2>&1 &
    app_pid=$!
    prc=0; wait "$probe_pid" || prc=$?
    probe_pid=""
    wait_for 120 grep -q "edgelease running" "$tmp/appliance-$round.log" || true
    [ $prc -eq 0 ] || { log "probe failed:"; cat "$tmp/probe-$round.txt" >&2; exit 1; }
    dns_ms=$(awk '$1 == "dns" { print $2 }' "$tmp/probe-$round.txt")
    dhcp_ms=$(awk '$1 == "dhcp" { print $2 }' "$tmp/probe-$round.txt")
    tap_ms=$(awk '$1 == "tap" { print $2 }' "$tmp/probe-$round.txt")
    wait_for 30 stats_json || true
    rss=$(rss_mib "$app_pid")
    log "restart $round ($how): tap at $tap_ms ms, DNS answered at $dns_ms ms, DHCP ACK at $dhcp_ms ms; RSS $rss MiB"
    grep -E "record store .*restored|lease store .*restored|lease DNS|zones loaded" "$tmp/appliance-$round.log" |
        sed 's/^[^ ]* edgelease info: /    /' >&2 || true
    printf '%s\t%s\t%s\t%s\t%s\n' "$how" "$tap_ms" "$dns_ms" "$dhcp_ms" "$rss" >>"$results"
done

echo "bench_scale.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): $(uname -sr), $(nproc --all) CPUs; commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "$leases leases (fill $fill_s ms), PTR $ptr, zone-file records $zone_records, durability $durability"
echo "DHCP with the leases bound (--dhcp-check $dhcp_check s, $check_clients clients): $check_summary"
echo "held after the fill: RSS $fill_rss MiB (peak $fill_hwm MiB; $fill_split); state directory $state_mib MiB"
echo "restart  tap_ms  dns_ms  dhcp_ms  rss_mib"
cat "$results"
[ -n "$app_pid" ] && { kill -TERM "$app_pid"; wait "$app_pid" || true; app_pid=""; }
