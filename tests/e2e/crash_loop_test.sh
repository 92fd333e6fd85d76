#!/usr/bin/env bash
# Crash safety: the appliance is killed with SIGKILL at random moments while edgelease-loadgen
# (over net_memif) runs DHCP for 200 clients and a loop adds DNS records through the API; it
# is restarted each time. Afterwards (after one more SIGKILL and restart):
#   - both LMDB environments open cleanly (no unreadable entries skipped);
#   - every lease whose ACK the generator saw last is there, for the same MAC;
#   - every bound lease's A record is there with origin dhcp, and no dhcp A record lacks a lease;
#   - every record whose API POST was answered 201 is there with origin manual.
# Rounds and waits are bounded; EDGELEASE_CRASH_ROUNDS (default 4) sets the number of kills.
source "$(dirname "$0")/lib.sh"
e2e_setup crash
build=$(dirname "$(dirname "$E2E_BIN")")
GEN="$build/loadgen/edgelease-loadgen"
CTL="$build/app/edgelease-ctl"
[ -x "$GEN" ] || { echo "edgelease-loadgen not built in $build"; exit 1; }
rounds=${EDGELEASE_CRASH_ROUNDS:-4}
API_PORT=$((20000 + ($$ + 11) % 20000))
sock="$E2E_DIR/memif.sock"
cpus=$(nproc); app_cpu=$((cpus > 1 ? cpus - 1 : 0))

cat >"$E2E_DIR/edge.toml" <<TOML
[appliance]
state_dir = "$E2E_DIR/state"
stats_interval = "0s"

[dpdk]
eal_args = ["--no-huge", "--no-pci", "--file-prefix=el-crash-app-$$", "--lcores=(0-3)@$app_cpu",
            "--vdev=net_memif0,role=server,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:01"]
idle_sleep_us = 100

[[interfaces]]
port = "net_memif0"
addresses = ["198.18.0.1/16"]

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/16"
pools = ["198.18.1.0-198.18.1.255"]
lease_time = "1h"
routers = ["198.18.0.1"]
domain = "lan."
TOML

ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
start() {
    ip netns exec "$E2E_NS" "$E2E_BIN" --config "$E2E_DIR/edge.toml" >>"$E2E_DIR/appliance.log" 2>&1 &
    E2E_PID=$!
    local n=$1
    wait_for 30 bash -c "[ \$(grep -c 'edgelease running' '$E2E_DIR/appliance.log') -ge $n ]" &&
        wait_for 10 ctl stats
}
crash() { kill -KILL "$E2E_PID"; wait "$E2E_PID" 2>/dev/null || true; E2E_PID=""; }

check "appliance up" start 1

# The generator: 200 clients, renewals only (every lease it saw ACKed must stay), open loop.
ip netns exec "$E2E_NS" "$GEN" dhcp --clients 200 --hostname --mix renew=1,release=0,restart=0 --rate 400 --outstanding 64 \
    --duration $((rounds * 4 + 6)) --timeout 500 --link-timeout 30 --server-mac 02:00:00:00:00:01 \
    --acked-file "$E2E_DIR/acked.txt" --json --quiet -- \
    --no-huge --no-pci --file-prefix="el-crash-gen-$$" --lcores="0@0" \
    "--vdev=net_memif0,role=client,socket=$sock,socket-abstract=no,mac=02:00:00:00:00:02" \
    >"$E2E_DIR/gen.json" 2>"$E2E_DIR/gen.log" &
gen_pid=$!

# The API writer: POSTs until told to stop (bounded), noting every record answered 201.
: >"$E2E_DIR/posted.txt"
( for i in $(seq 1 3000); do
      [ -f "$E2E_DIR/stop" ] && break
      code=$(in_ns curl -s -o /dev/null -m 2 -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
          -d "{\"name\":\"m$i\",\"type\":\"A\",\"data\":\"198.18.200.$((i % 250 + 1))\"}" \
          "http://127.0.0.1:$API_PORT/api/v1/zones/lan./records" 2>/dev/null || true)
      [ "$code" = 201 ] && echo "m$i" >>"$E2E_DIR/posted.txt"
      sleep 0.02
  done ) &
writer=$!

# Kill only once the generator is connected and leases are being granted (its EAL start can
# take seconds on a loaded machine; a server gone while it starts its port fails its start).
has_leases() { local out; out=$(ctl --json leases list) && [ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' <<<"$out")" -ge 20 ]; }
check "the generator is connected and leases are granted" wait_for 60 has_leases
for r in $(seq 1 "$rounds"); do
    # A random moment 1.0-3.0 s into the run of this incarnation.
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 1 + 2 * rand() }')"
    acks_before=$(grep -c . "$E2E_DIR/posted.txt" || true)
    crash
    e2e_log "round $r: SIGKILL ($acks_before records posted so far)"
    check "round $r: restarted" start $((r + 1))
done
check "the generator finished" wait_for 60 bash -c "! kill -0 $gen_pid"
gen_rc=0; wait "$gen_pid" || gen_rc=$?
e2e_log "generator exit status $gen_rc; its log ends:"; tail -n 15 "$E2E_DIR/gen.log"
check "the generator ran to its end (status $gen_rc)" test "$gen_rc" -eq 0
touch "$E2E_DIR/stop"
wait "$writer" || true

# One more crash, so that what is checked is what the stores give back. It comes once the
# control lcore has left a settled moment's mark (nothing changes any more): the final start
# must then skip the re-check, and the checks below show that skipping it was right.
# A change now (answered once committed; it takes away any earlier mark), then the mark
# that must follow it once everything is settled.
marked() { in_ns curl -sf "http://127.0.0.1:$API_PORT/metrics" | awk '$1 == "edgelease_record_store_marked" { f = $2 } END { exit f == 1 ? 0 : 1 }'; }
check "a last change through the API" bash -c "[ \"\$(ip netns exec $E2E_NS curl -s -o /dev/null -m 5 -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{\"name\":\"last\",\"type\":\"A\",\"data\":\"198.18.201.1\"}' http://127.0.0.1:$API_PORT/api/v1/zones/lan./records)\" = 201 ]"
echo last >>"$E2E_DIR/posted.txt"
check "a settled moment's mark committed after it" wait_for 20 marked
crash
check "final restart" start $((rounds + 2))
final_start_settled() { grep 'lease DNS:' "$E2E_DIR/appliance.log" | tail -n 1 | grep -q 'records not re-checked'; }
check "the final start found the mark and skipped the re-check" final_start_settled
check "no unreadable lease or record skipped at any start" bash -c "! grep -q 'unreadable' '$E2E_DIR/appliance.log'"

acked=$(grep -c . "$E2E_DIR/acked.txt" || true)
posted=$(grep -c . "$E2E_DIR/posted.txt" || true)
e2e_log "the generator saw $acked leases ACKed last; the API answered 201 for $posted records"
check "the generator saw ACKs (at least 100 of 200 clients)" test "$acked" -ge 100
check "the API acknowledged records (at least 20)" test "$posted" -ge 20
check "the appliance was restarted $rounds times plus once" test "$(grep -c 'edgelease running' "$E2E_DIR/appliance.log")" -eq $((rounds + 2))
# Each start either re-checked every lease's records or found the clean mark a settled
# moment left (no change since: then the checks below must hold all the same).
# A re-check is of every lease, or (after a settled moment under the same configuration) of
# the leases and records changed since it; the checks below hold for both.
rechecked=$(grep -c 'checked against the record store' "$E2E_DIR/appliance.log" || true)
bounded=$(grep -c 'changed since the last settled moment' "$E2E_DIR/appliance.log" || true)
settled=$(grep -c 'records not re-checked' "$E2E_DIR/appliance.log" || true)
e2e_log "starts: $rechecked re-checked records ($bounded of them only what changed since a settled moment), $settled found a settled moment's mark"
check "every start re-checked the records or found them settled" test $((rechecked + settled)) -eq $((rounds + 2))
first_start_rechecked() { grep -m1 'lease DNS:' "$E2E_DIR/appliance.log" | grep -q 'checked against the record store'; }
check "the first start (a new state directory, no mark) re-checked" first_start_rechecked

ctl --json leases list >"$E2E_DIR/leases.json"
ctl --json records list lan. --limit 100000 >"$E2E_DIR/records.json"
verify() {
    python3 - "$E2E_DIR" "$1" <<'PY'
import json, sys
d, what = sys.argv[1], sys.argv[2]
leases = {l["address"]: l for l in json.load(open(d + "/leases.json"))}
recs = json.load(open(d + "/records.json"))
recs = recs["records"] if isinstance(recs, dict) else recs
bad = []
if what == "acked":
    for line in open(d + "/acked.txt"):
        mac, ip = line.split()
        l = leases.get(ip)
        if l is None or l["hw_address"] != mac:
            bad.append(f"{ip} ({mac}): {l and l['hw_address']}")
elif what == "dns":
    a = {(r["name"], r["data"]): r for r in recs if r["type"] == "A"}
    for ip, l in leases.items():
        if l["state"] != "bound" or not l["hostname"]:
            continue
        r = a.get((l["hostname"] + ".lan.", ip))
        if r is None or r["origin"] != "dhcp":
            bad.append(f"{ip} {l['hostname']}: {r and r['origin']}")
    for r in recs:
        if r["type"] == "A" and r["origin"] == "dhcp" and r["data"] not in leases:
            bad.append(f"dhcp record without a lease: {r['name']} {r['data']}")
elif what == "manual":
    names = {r["name"]: r for r in recs}
    for line in open(d + "/posted.txt"):
        r = names.get(line.strip() + ".lan.")
        if r is None or r["origin"] != "manual":
            bad.append(f"{line.strip()}: {r and r['origin']}")
for b in bad[:10]:
    print(b)
sys.exit(1 if bad else 0)
PY
}
check "every lease whose ACK the generator saw is there, same MAC" verify acked
check "DNS matches the leases: every bound lease's A (origin dhcp), no dhcp A without a lease" verify dns
check "every record the API acknowledged is there (origin manual)" verify manual

rc=0; stop_appliance || rc=$?
check "clean exit after all that (status $rc)" test "$rc" -eq 0
e2e_finish
