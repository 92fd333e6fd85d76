#!/usr/bin/env bash
# Scale benchmark (issue 18's targets): N DHCP leases, each with the A or AAAA record its
# lease makes (provenance dhcp), held by the real appliance; then how much memory that takes
# and how long a restart takes until the appliance serves DHCP and DNS again. Figures only:
# nothing here fails on speed.
#
#   scripts/bench_scale.sh                       65,000 DHCPv4 leases and their A records
#   scripts/bench_scale.sh --family 6 --leases 1000000   a million DHCPv6 leases and AAAAs
#   scripts/bench_scale.sh --leases 1000 --restarts ""   DHCP with 1k leases bound only
#   scripts/bench_scale.sh --ptr                 a PTR per lease as well (2 records a lease)
#   scripts/bench_scale.sh --zone-records 1000000  and 1M records from a zone file
#
# Addresses stay in the test ranges, inside the script's own namespace: DHCPv4 subscribers
# are in 198.19.0.0/16 (at most 65,024 leases); DHCPv6 subscribers are in 2001:db8:1::/64,
# behind a relay (link-address 2001:db8:1::1), one IA_NA each with option 39 (a million and
# more).
#
# How: the appliance has two ports. net_memif0 (198.19.0.1/16 and 2001:db8::1/64; scope
# 198.19.0.0/16 or 2001:db8:1::/64, domain sub.test.) is filled by edgelease-loadgen: N
# clients, one DORA each with option 12 (lg-<i>), or one Solicit-Advertise-Request-Reply each
# through one relay with option 39 (lg-<i>); closed loop, 256 in flight; the lease count and
# the record store's writes are waited on until they settle. net_tap0 (198.18.0.1/24 and
# 2001:db8:ff::1/64, the kernel end .2 and ::2) carries the probes. Then the appliance is
# stopped (SIGTERM; SIGKILL at a settled moment; SIGKILL at once: the crash path) and started
# again on the same state directory, and a probe on the tap's kernel end sends, every 5 ms
# from the moment the process starts: a DNS query for lg-<k>.sub.test. A or AAAA (answered
# only when it carries that lease's address), and for client k's lease through a relay held
# on the tap's kernel end either a DHCPREQUEST in INIT-REBOOT (giaddr 198.19.255.253;
# answered only by a DHCPACK for that address) or a DHCPv6 Rebind (link-address
# 2001:db8:1::1; answered only by a Reply that gives that address a valid lifetime). Client
# k is the last one filled. Time is from the exec of the appliance.
#
# Options:
#   --family 4|6          DHCPv4 leases and A records (default) or DHCPv6 leases and AAAAs
#   --leases N            leases to fill (default 65000; DHCPv4: at most 65024)
#   --ptr                 a reverse zone (19.198.in-addr.arpa. or 2001:db8:1::/48's
#                         ip6.arpa.): a PTR per lease as well
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

family=4 leases=65000 ptr=0 zone_records=0 durability=os restarts=term,kill,kill-now build=build keep=0
dhcp_check=10 check_clients=1000
while [ $# -gt 0 ]; do
    case $1 in
        --family) family=$2; shift 2 ;;
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
case $family in 4|6) ;; *) echo "bench_scale.sh: --family 4|6" >&2; exit 2 ;; esac
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
reverse="" rzone=19.198.in-addr.arpa. rtype=A
[ "$family" = 6 ] && rzone=1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. rtype=AAAA
[ "$ptr" = 1 ] && reverse=$'[[dns.zones]]\nname = "'$rzone$'"\n'

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
addresses = ["198.19.0.1/16", "2001:db8::1/64"]

[[interfaces]]
port = "net_tap0"
addresses = ["198.18.0.1/24", "2001:db8:ff::1/64"]

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

[[dhcp6.scopes]]
name = "subscribers6"
prefix = "2001:db8:1::/64"
pools = ["2001:db8:1::1:0-2001:db8:1::ffff:ffff"]
preferred_lifetime = "12h"
valid_lifetime = "1d"
dns_servers = ["2001:db8::1"]
domain = "sub.test."
TOML
"$APP" --check-config "$tmp/edge.toml" >/dev/null
[ "$family" = 6 ] || [ "$leases" -le 65024 ] ||
    { echo "bench_scale.sh: --leases $leases: the scope 198.19.0.0/16 holds 65,024 (--family 6 holds more)" >&2; exit 2; }
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

# The generator's mode: DORAs from the link, or Solicit-Advertise-Request-Reply through one
# relay whose link-address names the scope.
if [ "$family" = 6 ]; then
    gen_mode=(dhcp6 --ia na --relays 1 --relay-base 2001:db8:1::1 --server 2001:db8::1)
    exchange="Solicit-Advertise-Request-Replies with option 39 through a relay"
else
    gen_mode=(dhcp --server 198.19.0.1 --source 198.19.0.2) exchange="DORAs with option 12"
fi
log "fill: $leases $exchange from edgelease-loadgen over memif (CPU $gen_cpu)"
t_fill=$(date +%s%N)
"$GEN" "${gen_mode[@]}" --clients "$leases" --count "$leases" --duration 0 --hostname --outstanding 256 \
    --timeout 2000 --retries 5 --json --quiet -- --no-huge --no-pci -m 256 \
    --file-prefix="el-scale-gen-$$" --lcores="0@$gen_cpu" \
    "--vdev=net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:02" \
    >"$tmp/fill.json" 2>"$tmp/gen.log" &
gen_pid=$!
wait "$gen_pid" || { log "edgelease-loadgen failed"; cat "$tmp/gen.log" >&2; exit 1; }
gen_pid=""
fill_s=$(( ($(date +%s%N) - t_fill) / 1000000 ))
bound_now() { ip netns exec "$ns" curl -sf http://127.0.0.1:8053/metrics | awk '$1 ~ /^edgelease_dhcp6?_leases\{/ && /state="bound"/ { n += $2 } END { printf "%d", n }'; }
log "fill: generator done after $fill_s ms: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["leases"], "leases,", round(r["leases_per_s"]), "leases/s,", r["timeouts"], "timeouts")' "$tmp/fill.json")"

# The record store's writer trails the control lcore: wait until its writes stop growing.
last=$(metric edgelease_record_store_writes_total || echo x)
for _ in $(seq 1 600); do
    sleep 1
    now=$(metric edgelease_record_store_writes_total || echo y)
    [ "$now" = "$last" ] && break
    last=$now
done
# The lease gauges are refreshed once a second: wait (bounded) until they show the fill.
filled=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["leases"])' "$tmp/fill.json")
bound_reached() { [ "$(bound_now)" -ge "$filled" ]; }
wait_for 5 bound_reached || log "the lease gauges show fewer than the $filled leases filled"
bound=$(bound_now)
rss=$(rss_mib "$app_pid") hwm=$(hwm_mib "$app_pid")
fill_rss=$rss fill_hwm=$hwm
state_mib=$(du -sm "$tmp/state" | cut -f1)
fill_split=$(rss_split "$app_pid")
log "held: $bound leases, record store writes $last, RSS $rss MiB (peak $hwm MiB; $fill_split), state directory $state_mib MiB"
check_summary="skipped"
if [ "$dhcp_check" != 0 ]; then
    [ "$check_clients" -le "$leases" ] || check_clients=$leases
    log "DHCP with the $leases filled leases bound: ${dhcp_check} s of acquisitions by $check_clients of their clients"
    "$GEN" "${gen_mode[@]}" --clients "$check_clients" --duration "$dhcp_check" --hostname --outstanding 256 \
        --mix restart=1 --timeout 2000 --retries 5 --json --quiet \
        -- --no-huge --no-pci -m 256 --file-prefix="el-scale-gen-$$" --lcores="0@$gen_cpu" \
        "--vdev=net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:02" \
        >"$tmp/check.json" 2>"$tmp/gen-check.log" &
    gen_pid=$!
    wait "$gen_pid" || { log "edgelease-loadgen failed"; cat "$tmp/gen-check.log" >&2; exit 1; }
    gen_pid=""
    check_summary=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r["latency"]; print("%d leases, %.0f leases/s, %.0f exchanges/s, p50 %.0f us, p99 %.0f us, %d timeouts" % (r["leases"], r["leases_per_s"], r["exchanges_per_s"], l["p50_us"], l["p99_us"], r["timeouts"]))' "$tmp/check.json")
    log "DHCP with the $leases filled leases bound: $check_summary"
fi
curl_ns() { ip netns exec "$ns" curl -sf "$@"; }
# Client k: the last one filled; its MAC and address from the API.
k=$((leases - 1))
mac=$(python3 -c 'import sys; b=0x024c47000000+int(sys.argv[1]); print(":".join("%02x" % (b >> s & 255) for s in range(40,-8,-8)))' "$k")
addr=$(curl_ns "http://127.0.0.1:8053/api/v1/zones/sub.test./records?name=lg-$k&type=$rtype" | python3 -c '
import json, sys
rs = json.load(sys.stdin)
print(rs[0]["data"] if rs else "")')
[ -n "$addr" ] || { log "no lease for client $k ($mac)"; exit 1; }
log "probe client: lg-$k, $mac, $addr"

# The probe: on the tap's kernel end once it appears; prints "dns MS" and "dhcp MS", the
# milliseconds from T0 (the appliance's exec) to the first correct answer of each.
cat >"$tmp/probe.py" <<'PY'
import os, socket, struct, subprocess, sys, time
t0_ns, name, addr, mac, deadline_s, family = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                                              sys.argv[4], float(sys.argv[5]), sys.argv[6])
iface, giaddr = "scale0", "198.19.255.253"
def ms(): return (time.time_ns() - t0_ns) / 1e6
end = time.time() + deadline_s
while not os.path.exists(f"/sys/class/net/{iface}"):
    if time.time() > end: sys.exit("no tap")
    time.sleep(0.002)
def ip(*a): subprocess.run(["ip", *a], check=False, capture_output=True)
ip("link", "set", iface, "down"); ip("link", "set", iface, "address", "02:00:00:00:5c:02")
ip("addr", "add", "198.18.0.2/24", "dev", iface); ip("addr", "add", giaddr + "/32", "dev", iface)
ip("-6", "addr", "add", "2001:db8:ff::2/64", "dev", iface, "nodad")
ip("link", "set", iface, "up")
print(f"tap {ms():.0f}", flush=True)
v6 = family == "6"
want = socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, addr)
q = struct.pack("!HHHHHH", 0x5ca1, 0x0100, 1, 0, 0, 0)
for label in name.split("."):
    if label: q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack("!HH", 28 if v6 else 1, 1)
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); dns.setblocking(False)
dns.bind(("198.18.0.2", 0))
hw = bytes(int(x, 16) for x in mac.split(":"))
def opt(code, body): return struct.pack("!HH", code, len(body)) + body
if v6:
    # RFC 9915 §18.2.5: a Rebind for the lease the generator's client k holds (DUID-LL from
    # its MAC, IAID its MAC's low 32 bits), wrapped by a relay whose link-address names the
    # scope's link (§19.1.1).
    k = int(name.split(".")[0][3:])
    inner = bytes([6, 0x5c, 0xa1, 0xe0]) + opt(1, b"\0\3\0\1" + hw) + opt(8, b"\0\0")
    inner += opt(3, hw[2:] + b"\0" * 8 + opt(5, want + b"\0" * 8))
    inner += opt(39, b"\x01" + bytes([len(f"lg-{k}")]) + f"lg-{k}".encode())
    eui = bytes([hw[0] ^ 2]) + hw[1:3] + b"\xff\xfe" + hw[3:]
    req = bytes([12, 0]) + socket.inet_pton(socket.AF_INET6, "2001:db8:1::1") \
        + b"\xfe\x80" + b"\0" * 6 + eui + opt(9, inner)
    dhcp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); dhcp.setblocking(False)
    dhcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    dhcp.bind(("2001:db8:ff::2", 547))
    server = ("2001:db8:ff::1", 547)
else:
    req = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 1, 0x5ca1e000, 0, 0, b"\0" * 4, b"\0" * 4,
                      b"\0" * 4, socket.inet_aton(giaddr)) + hw + b"\0" * 10 + b"\0" * 192
    req += b"\x63\x82\x53\x63" + bytes([53, 1, 3, 50, 4]) + want + b"\xff"
    dhcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); dhcp.setblocking(False)
    dhcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    dhcp.bind((giaddr, 67))
    server = ("198.18.0.1", 67)
def options(b):
    i = 0
    while i + 4 <= len(b):
        code, n = struct.unpack("!HH", b[i:i + 4])
        yield code, b[i + 4:i + 4 + n]
        i += 4 + n
def granted6(r):
    # A Relay-Reply whose Reply gives the address a valid lifetime in an IA_NA.
    if len(r) < 34 or r[0] != 13: return False
    for code, body in options(r[34:]):
        if code == 9 and len(body) > 4 and body[0] == 7 and body[1:4] == inner[1:4]:
            for c2, ia in options(body[4:]):
                if c2 == 3 and len(ia) >= 12:
                    for c3, a in options(ia[12:]):
                        if c3 == 5 and len(a) >= 24 and a[:16] == want and struct.unpack("!I", a[20:24])[0] > 0:
                            return True
    return False
def granted4(r):
    return len(r) > 240 and r[4:8] == req[4:8] and r[16:20] == want and bytes([53, 1, 5]) in r[240:]
got = {}
while len(got) < 2 and time.time() < end:
    try:
        if "dns" not in got: dns.sendto(q, ("198.18.0.1", 53))
        if "dhcp" not in got: dhcp.sendto(req, server)
    except OSError:
        pass
    time.sleep(0.005)
    for _ in range(64):
        try: r = dns.recv(2048)
        except BlockingIOError: break
        if "dns" not in got and r[:2] == q[:2] and (r[3] & 15) == 0 and want in r[len(q):]:
            got["dns"] = ms(); print(f"dns {got['dns']:.0f}", flush=True)
    for _ in range(64):
        try: r = dhcp.recv(2048)
        except BlockingIOError: break
        if "dhcp" not in got and (granted6(r) if v6 else granted4(r)):
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
    ip netns exec "$ns" python3 "$tmp/probe.py" "$t0" "lg-$k.sub.test" "$addr" "$mac" 120 "$family" >"$tmp/probe-$round.txt" 2>&1 &
    probe_pid=$!
    t_exec=$t0
    ip netns exec "$ns" "$APP" --config "$tmp/edge.toml" >"$tmp/appliance-$round.log" 2>&1 &
    app_pid=$!
    prc=0; wait "$probe_pid" || prc=$?
    probe_pid=""
    wait_for 120 grep -q "start-up memory returned" "$tmp/appliance-$round.log" || true
    [ $prc -eq 0 ] || { log "probe failed:"; cat "$tmp/probe-$round.txt" >&2; exit 1; }
    dns_ms=$(awk '$1 == "dns" { print $2 }' "$tmp/probe-$round.txt")
    dhcp_ms=$(awk '$1 == "dhcp" { print $2 }' "$tmp/probe-$round.txt")
    tap_ms=$(awk '$1 == "tap" { print $2 }' "$tmp/probe-$round.txt")
    wait_for 30 stats_json || true
    rss=$(rss_mib "$app_pid") hwm=$(hwm_mib "$app_pid")
    log "restart $round ($how): tap at $tap_ms ms, DNS answered at $dns_ms ms, DHCP ACK at $dhcp_ms ms; RSS $rss MiB (peak $hwm MiB; $(rss_split "$app_pid"))"
    grep -E "record store .*restored|lease store .*restored|lease DNS|zones loaded|memory returned" "$tmp/appliance-$round.log" |
        sed 's/^[^ ]* edgelease info: /    /' >&2 || true
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$how" "$tap_ms" "$dns_ms" "$dhcp_ms" "$rss" "$hwm" >>"$results"
done

echo "bench_scale.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): $(uname -sr), $(nproc --all) CPUs; commit $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "$leases DHCPv$family leases (fill $fill_s ms), PTR $ptr, zone-file records $zone_records, durability $durability"
echo "DHCP with the leases bound (--dhcp-check $dhcp_check s, $check_clients clients): $check_summary"
echo "held after the fill: RSS $fill_rss MiB (peak $fill_hwm MiB; $fill_split); state directory $state_mib MiB"
echo "restart  tap_ms  dns_ms  dhcp_ms  rss_mib  peak_mib"
cat "$results"
[ -n "$app_pid" ] && { kill -TERM "$app_pid"; wait "$app_pid" || true; app_pid=""; }
