#!/usr/bin/env bash
# Crash safety for DHCPv6, the sibling of crash_loop_test.sh: the appliance (net_af_packet on
# a veth pair, so that the link outlives it) is killed with SIGKILL at random moments while
# 200 DHCPv6 clients (dhcp6_crash_client.py: scapy, each with an IA_NA, an IA_PD and an FQDN)
# bind and renew; it is restarted each time. The clients note every Reply that granted an
# address and a prefix. Afterwards (after one more SIGKILL and restart):
#   - the lease store opens cleanly (no unreadable entry skipped at any start);
#   - for every client, the address and the prefix of the last granting Reply it received are
#     bound to its DUID (a Reply leaves only once its lease is durable);
#   - DNS matches the leases: every bound address lease has its AAAA with origin dhcp, and no
#     dhcp AAAA lacks a bound lease.
# Rounds and waits are bounded; EDGELEASE_CRASH_ROUNDS (default 4) sets the number of kills.
source "$(dirname "$0")/lib.sh"
e2e_setup crash6
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
PY=/usr/bin/python3
rounds=${EDGELEASE_CRASH_ROUNDS:-4}
API_PORT=$((20000 + ($$ + 37) % 20000))

in_ns ip link add el-veth0 type veth peer name el-veth1
# A veth carries partial UDP checksums unless transmit offload is off on both ends.
in_ns ethtool -K el-veth0 tx off >/dev/null
in_ns ethtool -K el-veth1 tx off >/dev/null
in_ns ip link set el-veth0 up
in_ns ip link set el-veth1 up

{ base_config "el-crash6-$$" '"2001:db8::1/64"' net_af_packet0,iface=el-veth0 'stats_interval = "0s"'
  cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."

[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
preferred_lifetime = "30m"
valid_lifetime = "1h"
domain = "lan."
TOML
} >"$E2E_DIR/edge.toml"

ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
start() {
    ip netns exec "$E2E_NS" "$E2E_BIN" --config "$E2E_DIR/edge.toml" >>"$E2E_DIR/appliance.log" 2>&1 &
    E2E_PID=$!
    local n=$1
    wait_for 30 bash -c "[ \$(grep -c 'edgelease running' '$E2E_DIR/appliance.log') -ge $n ]" &&
        wait_for 10 ctl stats
}
crash() { kill -KILL "$E2E_PID"; wait "$E2E_PID" 2>/dev/null || true; E2E_PID=""; }
ll_ready() { in_ns ip -6 addr show dev el-veth1 scope link | grep -q 'inet6' &&
             ! in_ns ip -6 addr show dev el-veth1 scope link | grep -q tentative; }

check "appliance up" start 1
check "the clients' link-local address is ready" wait_for 15 ll_ready

: >"$E2E_DIR/acked.txt"
ip netns exec "$E2E_NS" "$PY" "$(dirname "$0")/dhcp6_crash_client.py" el-veth1 200 $((rounds * 15 + 30)) \
    "$E2E_DIR/acked.txt" "$E2E_DIR/stop" >"$E2E_DIR/client.log" 2>&1 &
client_pid=$!

bound6() { local out; out=$(ctl --json leases list --family 6) &&
           [ "$($PY -c 'import json,sys; print(sum(l["state"] == "bound" for l in json.load(sys.stdin)))' <<<"$out")" -ge "$1" ]; }
check "the clients are being served" wait_for 60 bound6 20
for r in $(seq 1 "$rounds"); do
    # A random moment 1.0-3.0 s into the run of this incarnation.
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 1 + 2 * rand() }')"
    replies=$(grep -c . "$E2E_DIR/acked.txt" || true)
    crash
    e2e_log "round $r: SIGKILL ($replies granting Replies so far)"
    check "round $r: restarted" start $((r + 1))
done
# Let the clients get through one more round against the last incarnation, then stop them.
sleep 2
touch "$E2E_DIR/stop"
check "the clients stopped" wait_for 20 bash -c "! kill -0 $client_pid"
wait "$client_pid" || true
cat "$E2E_DIR/client.log"

# One more crash, so that what is checked is what the store gives back.
crash
check "final restart" start $((rounds + 2))
check "no unreadable lease or record skipped at any start" bash -c "! grep -q 'unreadable' '$E2E_DIR/appliance.log'"
check "the appliance was restarted $rounds times plus once" test "$(grep -c 'edgelease running' "$E2E_DIR/appliance.log")" -eq $((rounds + 2))

ctl --json leases list --family 6 >"$E2E_DIR/leases.json"
ctl --json records list lan. --limit 100000 >"$E2E_DIR/records.json"
verify() {
    $PY - "$E2E_DIR" "$1" <<'PY'
import json, sys
d, what = sys.argv[1], sys.argv[2]
leases = json.load(open(d + "/leases.json"))
recs = json.load(open(d + "/records.json"))
recs = recs["records"] if isinstance(recs, dict) else recs
na = {l["address"]: l for l in leases if l["ia"] == "na"}
pd = {l["prefix"]: l for l in leases if l["ia"] == "pd"}
bad = []
if what == "clients":
    last = {}
    for line in open(d + "/acked.txt"):
        duid, addr, pfx, name = line.split()
        last[duid] = (addr, pfx)
    print(f"{len(last)} clients got a granting Reply")
    if len(last) < 100:
        bad.append(f"only {len(last)} clients were served")
    for duid, (addr, pfx) in last.items():
        duid = ":".join(duid[i:i + 2] for i in range(0, len(duid), 2))
        a, p = na.get(addr), pd.get(pfx)
        if a is None or a["duid"] != duid or a["state"] != "bound":
            bad.append(f"{addr} ({duid}): {a and (a['duid'], a['state'])}")
        if p is None or p["duid"] != duid or p["state"] != "bound":
            bad.append(f"{pfx} ({duid}): {p and (p['duid'], p['state'])}")
elif what == "dns":
    aaaa = {(r["name"], r["data"]): r for r in recs if r["type"] == "AAAA"}
    for addr, l in na.items():
        if l["state"] != "bound" or not l["hostname"]:
            continue
        r = aaaa.get((l["hostname"] + ".lan.", addr))
        if r is None or r["origin"] != "dhcp":
            bad.append(f"{addr} {l['hostname']}: {r and r['origin']}")
    for r in recs:
        l = na.get(r["data"])
        if r["type"] == "AAAA" and r["origin"] == "dhcp" and \
                (l is None or l["state"] != "bound" or l["hostname"] + ".lan." != r["name"]):
            bad.append(f"dhcp AAAA without a bound lease of that name: {r['name']} {r['data']}: "
                       f"{l and (l['hostname'], l['state'])}")
    others = [(r["name"], r["data"], r["origin"]) for r in recs
              if r["type"] == "AAAA" and r["origin"] != "dhcp"]
    print(f"{sum(1 for r in recs if r['type'] == 'AAAA')} AAAA records ({others} not from dhcp), "
          f"{sum(1 for l in na.values() if l['state'] == 'bound')} bound addresses")
    names = [r["name"] for r in recs if r["type"] == "AAAA"]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        print("names with more than one AAAA:", dup[:5],
              [(r["name"], r["data"], r["origin"]) for r in recs if r["name"] in dup[:2]])
for b in bad[:10]:
    print(b)
sys.exit(1 if bad else 0)
PY
}
check "every client's last granted address and prefix are bound to its DUID" verify clients
check "DNS matches the leases: every bound address's AAAA (origin dhcp), no dhcp AAAA without one" verify dns

rc=0; stop_appliance || rc=$?
check "clean exit after all that (status $rc)" test "$rc" -eq 0
e2e_finish
