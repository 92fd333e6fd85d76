#!/usr/bin/env bash
# Load test: the appliance and edgelease-loadgen joined by net_memif (the appliance is the
# memif server, the generator the client), each on its own CPU; runs the DNS, the DHCPv4 and
# the DHCPv6 generator in turn and prints a table, with the appliance's own counters beside
# the generator's. DHCPv6 runs three times: the 4-message exchange, Rapid Commit, and the
# 4-message exchange through relays, each client asking for an address and a prefix (IA_NA and
# IA_PD) unless --dhcp6-ia says otherwise. Needs root (DPDK, a network namespace that keeps the appliance's API port private)
# and a Release build (scripts/setup.sh, or cmake --build build).
#
#   scripts/loadtest.sh                  every mode, 10 s each, closed loop
#   scripts/loadtest.sh --smoke          a few seconds, small counts (the ctest smoke runs)
#   scripts/loadtest.sh --mode dns --duration 30 --records 1000000 --dns-args "--types A=9,AAAA=1"
#   scripts/loadtest.sh --mode dhcp6 --dhcp6-args "--mix renew=3,release=1"
#   scripts/loadtest.sh --json out.json  also write every run's JSON and the appliance's deltas
#
# Options:
#   --mode dns|dhcp|dhcp6|both|all   what to run: both = dns and dhcp (DHCPv4); all (default)
#                            = dns, dhcp and the three dhcp6 runs
#   --duration S             seconds per run (default 10)
#   --smoke                  3 s per run with at most 20000 queries, 2000 DHCP starts, 200 clients
#   --records N              A records in the generated zone (default 10000)
#   --clients N              DHCP clients, both families (default 10000)
#   --dns-rate R             open-loop DNS queries/s (default: closed loop)
#   --dhcp-rate R            open-loop DHCP starts/s, both families (default: closed loop)
#   --outstanding N          in flight at most (default: 1024 DNS, 256 DHCP)
#   --durability fsync|os    the appliance's lease durability (default fsync)
#   --dns-args "..."         more edgelease-loadgen dns options (e.g. "--mix hit=8,nxdomain=2")
#   --dhcp-args "..."        more edgelease-loadgen dhcp options (e.g. "--relays 4 --option82")
#   --dhcp6-ia na|pd|na,pd   what the DHCPv6 clients ask for (default na,pd)
#   --dhcp6-args "..."       more edgelease-loadgen dhcp6 options, for its three runs
#                            (e.g. "--mix renew=3,release=1 --duid llt")
#   --json FILE              write {"dns": …, "dhcp": …, "dhcp6": …, "dhcp6_rapid": …,
#                            "dhcp6_relay": …} with an "appliance" delta in each
#   --build DIR              build directory (default build)
#   --keep                   keep the scratch directory (configs, logs, JSON)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

mode=all duration=10 smoke=0 records=10000 clients=10000 dns_rate=0 dhcp_rate=0 outstanding=""
durability=fsync dns_args="" dhcp_args="" dhcp6_args="" dhcp6_ia=na,pd json_out="" build="$here/build"
keep=0
while [ $# -gt 0 ]; do
    case $1 in
        --mode) mode=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --smoke) smoke=1; shift ;;
        --records) records=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --dns-rate) dns_rate=$2; shift 2 ;;
        --dhcp-rate) dhcp_rate=$2; shift 2 ;;
        --outstanding) outstanding=$2; shift 2 ;;
        --durability) durability=$2; shift 2 ;;
        --dns-args) dns_args=$2; shift 2 ;;
        --dhcp-args) dhcp_args=$2; shift 2 ;;
        --dhcp6-args) dhcp6_args=$2; shift 2 ;;
        --dhcp6-ia) dhcp6_ia=$2; shift 2 ;;
        --json) json_out=$2; shift 2 ;;
        --build) build=$2; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "loadtest.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case $mode in dns|dhcp|dhcp6|both|all) ;; *) echo "loadtest.sh: --mode dns|dhcp|dhcp6|both|all" >&2; exit 2 ;; esac
case $durability in fsync|os) ;; *) echo "loadtest.sh: --durability fsync|os" >&2; exit 2 ;; esac
dns_count=0 dhcp_count=0
if [ "$smoke" = 1 ]; then
    duration=3 records=1000 clients=200 dns_count=20000 dhcp_count=2000
fi

[ "$(id -u)" = 0 ] || { echo "loadtest.sh: needs root (DPDK, network namespace)" >&2; exit 1; }
APP="$build/app/edgelease" CTL="$build/app/edgelease-ctl" GEN="$build/loadgen/edgelease-loadgen"
for b in "$APP" "$CTL" "$GEN"; do
    [ -x "$b" ] || { echo "loadtest.sh: $b missing: build first (cmake --build $build)" >&2; exit 1; }
done

# One CPU each: the appliance's lcores share the last CPU (idle back-off), the generator
# gets the first. On a one-CPU machine they share it.
cpus=$(nproc)
gen_cpu=0 app_cpu=$((cpus > 1 ? cpus - 1 : 0))

tmp=$(mktemp -d /tmp/edgelease-loadtest.XXXXXX)
ns="el-loadtest-$$"
app_pid="" gen_pid=""
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
cleanup() {
    local rc=$?
    set +e
    if [ -n "$gen_pid" ] && kill -0 "$gen_pid" 2>/dev/null; then
        kill -TERM "$gen_pid"; sleep 0.5; kill -KILL "$gen_pid" 2>/dev/null
    fi
    if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
        kill -TERM "$app_pid"
        for _ in $(seq 1 100); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$app_pid" 2>/dev/null
    fi
    ip netns del "$ns" 2>/dev/null
    rm -rf "/var/run/dpdk/el-loadtest-app-$$" "/var/run/dpdk/el-loadtest-gen-$$"
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

# The zone: SOA and NS at the apex, an MX, N hosts with an A record, every tenth also AAAA.
python3 - "$tmp/load.zone" "$records" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
with open(path, "w") as f:
    f.write("$ORIGIN load.test.\n$TTL 300\n")
    f.write("@ SOA ns hostmaster 1 3600 600 86400 60\n@ NS ns\n@ MX 10 mail\n")
    f.write("ns A 198.18.0.1\nmail A 198.18.0.25\n")
    for i in range(n):  # addresses from 198.18.0.0/15, repeating past 131072 hosts
        a = i % 131072
        f.write(f"host-{i} A 198.{18 + a // 65536}.{a // 256 % 256}.{a % 256}\n")
        if i % 10 == 0:
            f.write(f"host-{i} AAAA 2001:db8::{i // 65536:x}:{i % 65536:x}\n")
PY

# No --no-shconf for either process: net_memif registers an EAL multi-process action at
# probe time, which --no-shconf refuses (DPDK 22.11: "Failed to register mp action
# callback"), and the port is then never created. A --file-prefix per process keeps their
# runtime files apart instead.
sock="$tmp/memif.sock"
cat >"$tmp/edge.toml" <<TOML
[appliance]
state_dir = "$tmp/state"
durability = "$durability"
stats_interval = "0s"

[dpdk]
eal_args = ["--no-huge", "--no-pci", "--file-prefix=el-loadtest-app-$$",
            "--lcores=(0-3)@$app_cpu",
            "--vdev=net_memif0,role=server,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:01"]
workers = 1
idle_sleep_us = 100        # the four lcores share one CPU: idle ones back off

[[interfaces]]
port = "net_memif0"
addresses = ["198.18.0.1/16", "2001:db8::1/64"]

[api]
listen = "127.0.0.1:8053"

[[dns.zones]]
name = "load.test."
file = "load.zone"

[[dhcp.scopes]]
name = "direct"
subnet = "198.18.0.0/16"
pools = ["198.18.1.0-198.18.255.254"]
lease_time = "1h"
routers = ["198.18.0.1"]
dns_servers = ["198.18.0.1"]

[[dhcp.scopes]]
name = "relayed"
subnet = "198.19.0.0/16"
pools = ["198.19.1.0-198.19.255.254"]
lease_time = "1h"
routers = ["198.19.0.1"]

# DHCPv6: the link (edgelease-loadgen dhcp6 from fe80:: to ff02::1:2) and a link behind relays
# (link-address 2001:db8:1::1 and up), each with addresses and /56s to delegate (2^20 of them).
[[dhcp6.scopes]]
name = "direct6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1:0-2001:db8::ffff:ffff"]
pd_pools = [ { prefix = "2001:db8:8000::/36", delegated_length = 56 } ]
dns_servers = ["2001:db8::1"]
rapid_commit = true

[[dhcp6.scopes]]
name = "relayed6"
prefix = "2001:db8:1::/64"
pools = ["2001:db8:1::1:0-2001:db8:1::ffff:ffff"]
pd_pools = [ { prefix = "2001:db8:9000::/36", delegated_length = 56 } ]
dns_servers = ["2001:db8::1"]
rapid_commit = true
TOML
"$APP" --check-config "$tmp/edge.toml" >/dev/null

ip netns add "$ns"
ip -n "$ns" link set lo up
log "starting the appliance (lcores on CPU $app_cpu), memif server at $sock"
# Not through a subshell: `ip netns exec` execs the binary, so $! is the appliance itself.
ip netns exec "$ns" "$APP" --config "$tmp/edge.toml" >"$tmp/appliance.log" 2>&1 &
app_pid=$!
wait_for 60 grep -q "edgelease running" "$tmp/appliance.log" || { log "the appliance did not start"; exit 1; }
wait_for 10 ip netns exec "$ns" "$CTL" stats || { log "the appliance's API did not answer"; exit 1; }

stats() { ip netns exec "$ns" "$CTL" --json stats; }

# At start the appliance writes every configured record into its record store (LMDB, with
# provenance), on a thread that shares the appliance's CPU: a million records take tens of
# seconds. Measure after that, not during: wait (bounded) until the writes stop.
record_writes() {
    ip netns exec "$ns" curl -sf http://127.0.0.1:8053/metrics |
        awk '$1 == "edgelease_record_store_writes_total" { printf "%d\n", $2 }'
}
settle_deadline=$(( $(date +%s) + 600 ))
last=$(record_writes || echo x)
while :; do
    sleep 1
    now=$(record_writes || echo y)
    [ "$now" = "$last" ] && break
    if [ "$(date +%s)" -ge "$settle_deadline" ]; then log "the record store was still writing after 600 s; measuring anyway"; break; fi
    last=$now
done
log "record store settled ($last records written)"

# run_gen RUN MODE [ARGS...] : one generator run (progress on the terminal), JSON into
# $tmp/RUN.json.
run_gen() {
    local run=$1 m=$2; shift 2
    "$GEN" "$m" --json "$@" -- --no-huge --no-pci --file-prefix="el-loadtest-gen-$$" \
        --lcores="0@$gen_cpu" \
        "--vdev=net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:02" \
        >"$tmp/$run.json" 2>"$tmp/gen-$run.log" &
    gen_pid=$!
    local rc=0
    tail -f --pid="$gen_pid" "$tmp/gen-$run.log" | grep --line-buffered -E '^\[' >&2 || true
    wait "$gen_pid" || rc=$?
    gen_pid=""
    if [ $rc -ne 0 ]; then log "edgelease-loadgen $m ($run) failed (status $rc):"; cat "$tmp/gen-$run.log" >&2; exit 1; fi
}

count_arg() { [ "$1" != 0 ] && echo "--count $1" || true; }
runs=()
case $mode in dns|both|all) runs+=(dns) ;; esac
case $mode in dhcp|both|all) runs+=(dhcp) ;; esac
case $mode in dhcp6|all) runs+=(dhcp6 dhcp6_rapid dhcp6_relay) ;; esac
for run in "${runs[@]}"; do
    stats >"$tmp/stats-before-$run.json"
    case $run in
    dns)
        log "DNS: closed loop unless --dns-rate; $records records, ${duration}s"
        # shellcheck disable=SC2046,SC2086
        run_gen dns dns --zone "$tmp/load.zone" --origin load.test. \
            --types A=9,AAAA=1 --mix hit=90,nxdomain=10 --duration "$duration" $(count_arg $dns_count) \
            --rate "$dns_rate" --outstanding "${outstanding:-1024}" $dns_args ;;
    dhcp)
        log "DHCP: $clients clients, closed loop unless --dhcp-rate, durability $durability, ${duration}s"
        # shellcheck disable=SC2046,SC2086
        run_gen dhcp dhcp --clients "$clients" --duration "$duration" $(count_arg $dhcp_count) \
            --rate "$dhcp_rate" --outstanding "${outstanding:-256}" $dhcp_args ;;
    dhcp6*)
        case $run in
            dhcp6) what="4-message exchange"; extra=() ;;
            dhcp6_rapid) what="Rapid Commit"; extra=(--rapid-commit) ;;
            dhcp6_relay) what="4-message exchange through 8 relays"; extra=(--relays 8) ;;
        esac
        log "DHCPv6 ($what, IA $dhcp6_ia): $clients clients, closed loop unless --dhcp-rate, durability $durability, ${duration}s"
        # shellcheck disable=SC2046,SC2086
        run_gen "$run" dhcp6 --clients "$clients" --ia "$dhcp6_ia" "${extra[@]}" --duration "$duration" \
            $(count_arg $dhcp_count) --rate "$dhcp_rate" --outstanding "${outstanding:-256}" $dhcp6_args ;;
    esac
    stats >"$tmp/stats-after-$run.json"
done

# The table, and the combined JSON with the appliance's own counters over each run.
python3 - "$tmp" "$json_out" "${runs[@]}" <<'PY'
import json, sys
tmp, out, modes = sys.argv[1], sys.argv[2], sys.argv[3:]
def delta(m):
    b = json.load(open(f"{tmp}/stats-before-{m}.json"))
    a = json.load(open(f"{tmp}/stats-after-{m}.json"))
    # GET /api/v1/stats (docs/api.md): a counter split by a label is an object; sum it.
    def get(s, *path):
        for k in path:
            s = s.get(k, {})
        return s if isinstance(s, int) else sum(get(s, k) for k in s)
    def diff(*path):
        return get(a, *path) - get(b, *path)
    d = {"dns_queries": diff("dns", "queries"), "dns_responses": diff("dns", "responses"),
         "rx_packets": diff("packets", "rx_packets"), "tx_packets": diff("packets", "tx_packets"),
         "dropped": diff("packets", "drops")}
    for t in ("discover", "request", "release"):
        d["dhcp_rx_" + t] = diff("dhcp", "requests_received", t)
    for t in ("offer", "ack", "nak"):
        d["dhcp_sent_" + t] = diff("dhcp", "replies", t)
    d["dhcp_rx_queue_full"] = diff("dhcp", "queue_full")
    d["dhcp_reply_queue_full"] = diff("dhcp", "reply_queue_full")
    d["dhcp_outcome_pool_exhausted"] = diff("dhcp", "outcomes", "pool_exhausted")
    for t in ("solicit", "request", "renew", "release"):
        d["dhcp6_rx_" + t] = diff("dhcp", "dhcp6_requests_received", t)
    d["dhcp6_replies_sent"] = diff("dhcp", "dhcp6_replies_sent")
    d["dhcp6_rx_queue_full"] = diff("dhcp", "dhcp6_queue_full")
    d["dhcp6_malformed"] = diff("dhcp", "dhcp6_malformed")
    return d
res = {}
for m in modes:
    r = json.load(open(f"{tmp}/{m}.json"))
    r["appliance"] = delta(m)
    res[m] = r
rows = [("mode", "load", "sent/started", "answered", "rate", "p50 us", "p90 us", "p99 us", "max us", "lost/timeouts",
         "appliance")]
def load(r):
    return "closed, %d out" % r["outstanding"] if r["closed_loop"] else "open %.0f/s" % r["target_rate"]
if "dns" in res:
    r = res["dns"]; l = r["latency"]; a = r["appliance"]
    rows.append(("dns", load(r), str(r["sent"]), str(r["answered"]), "%.0f qps" % r["qps_answered"],
                 "%.1f" % l["p50_us"], "%.1f" % l["p90_us"], "%.1f" % l["p99_us"], "%.1f" % l["max_us"],
                 str(r["lost"]), "%d responses" % a["dns_responses"]))
if "dhcp" in res:
    r = res["dhcp"]; l = r["latency"]; a = r["appliance"]
    rows.append(("dhcp", load(r), str(r["dora_started"]), "%d leases" % r["leases"],
                 "%.0f DORA/s, %.0f exch/s" % (r["leases_per_s"], r["exchanges_per_s"]),
                 "%.1f" % l["p50_us"], "%.1f" % l["p90_us"], "%.1f" % l["p99_us"], "%.1f" % l["max_us"],
                 str(r["timeouts"]), "%d ACKs" % a["dhcp_sent_ack"]))
# DHCPv6: acquisitions (4 or 2 messages, Solicit to the binding Reply) and exchanges per
# second; the latency columns are per exchange (acquisition latency in the JSON).
for m in ("dhcp6", "dhcp6_rapid", "dhcp6_relay"):
    if m not in res:
        continue
    r = res[m]; l = r["latency"]; a = r["appliance"]
    rows.append((m, load(r), str(r["acquisitions_started"]), "%d leases" % r["leases"],
                 "%.0f acq/s, %.0f exch/s" % (r["leases_per_s"], r["exchanges_per_s"]),
                 "%.1f" % l["p50_us"], "%.1f" % l["p90_us"], "%.1f" % l["p99_us"], "%.1f" % l["max_us"],
                 str(r["timeouts"]), "%d replies" % a["dhcp6_replies_sent"]))
w = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for k, row in enumerate(rows):
    print("  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip())
    if k == 0:
        print("  ".join("-" * w[i] for i in range(len(w))))
if out:
    with open(out, "w") as f:
        json.dump(res, f, indent=2)
PY

log "stopping the appliance"
kill -TERM "$app_pid"
rc=0; wait "$app_pid" || rc=$?
app_pid=""
[ $rc -eq 0 ] || { log "the appliance exited with status $rc"; exit 1; }
