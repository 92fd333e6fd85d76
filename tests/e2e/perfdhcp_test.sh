#!/usr/bin/env bash
# Kea's perfdhcp (it always acts as a relay agent) against the appliance on a veth pair:
# edgelease holds one end through DPDK's net_af_packet PMD, perfdhcp sends from the other.
# Every DORA exchange it starts must complete.
source "$(dirname "$0")/lib.sh"
e2e_setup perfdhcp

prefix="edgelease-e2e-perfdhcp-$$"
in_ns ip link add el-veth0 type veth peer name el-veth1
# A veth carries partial UDP checksums unless transmit offload is off on both ends.
in_ns ethtool -K el-veth0 tx off >/dev/null
in_ns ethtool -K el-veth1 tx off >/dev/null
in_ns ip link set el-veth0 up
in_ns ip link set el-veth1 up
in_ns ip addr add 198.18.0.2/24 dev el-veth1

API_PORT=18057
{ base_config "$prefix" '"198.18.0.1/24"' net_af_packet0,iface=el-veth0; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.10-198.18.0.250"]
lease_time = "1h"
routers = ["198.18.0.1"]
dns_servers = ["198.18.0.1"]
TOML
} >"$E2E_DIR/edge.toml"
start_appliance "$E2E_DIR/edge.toml" el-veth0
check "the appliance answers ARP on the veth" wait_for 10 in_ns ping -c 1 -W 1 198.18.0.1

in_ns timeout 120 perfdhcp -4 -l el-veth1 -r 50 -R 200 -n 200 -W 2000000 198.18.0.1 >"$E2E_DIR/perfdhcp.out" 2>&1
rc=$?
cat "$E2E_DIR/perfdhcp.out"
check "perfdhcp finished (status $rc)" test "$rc" -eq 0
# Two blocks: DISCOVER-OFFER and REQUEST-ACK.
sent=$(awk '/^sent packets:/ {s+=$3} END {print s+0}' "$E2E_DIR/perfdhcp.out")
recv=$(awk '/^received packets:/ {s+=$3} END {print s+0}' "$E2E_DIR/perfdhcp.out")
drops=$(awk '/^drops:/ {s+=$2} END {print s+0}' "$E2E_DIR/perfdhcp.out")
check "perfdhcp sent 200 DISCOVERs and 200 REQUESTs (sent $sent)" test "$sent" -eq 400
check "every packet answered (sent $sent, received $recv, drops $drops)" test "$recv" -eq "$sent"
check "no drops" test "$drops" -eq 0
bound=$("$E2E_BIN" --show-leases "$E2E_DIR/state" | grep -c ' bound ' || true)
check "200 leases bound in the database (found $bound)" test "$bound" -eq 200

# The API in pages of 37: each of the 200 exactly once, in address order, the last page's
# next null; the same as the unpaged listing.
page_all() {
    in_ns /usr/bin/python3 - "$API_PORT" <<'PY'
import json, sys, urllib.parse, urllib.request
base = "http://127.0.0.1:%s/api/v1/leases" % sys.argv[1]
whole = json.load(urllib.request.urlopen(base + "?state=bound", timeout=5))
got, cursor, pages = [], "", 0
while True:
    q = {"limit": 37, "state": "bound"}
    if cursor:
        q["cursor"] = cursor
    page = json.load(urllib.request.urlopen(base + "?" + urllib.parse.urlencode(q), timeout=5))
    pages += 1
    got += [l["address"] for l in page["leases"]]
    assert len(page["leases"]) <= 37, page
    if page["next"] is None:
        break
    cursor = page["next"]
    assert cursor == page["leases"][-1]["address"], page
    assert pages < 50
key = lambda a: tuple(int(x) for x in a.split("."))
assert len(got) == 200 and len(set(got)) == 200, (len(got), len(set(got)))
assert got == sorted(got, key=key), got
assert got == [l["address"] for l in whole], "paged and unpaged differ"
assert pages == 6, pages
try:
    urllib.request.urlopen(base + "?limit=0", timeout=5)
    raise SystemExit("limit=0 accepted")
except urllib.error.HTTPError as e:
    assert e.code == 400 and json.load(e)["field"] == "limit", e
print("paged: %d leases in %d pages" % (len(got), pages))
PY
}
check "API: 200 leases in pages of 37, each once, in order, as unpaged" page_all
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
ctl_pages() {  # edgelease-ctl in pages of 37: the same JSON as one request, and a 201-line table
    local whole paged table
    whole=$(in_ns curl -sf --max-time 5 "http://127.0.0.1:$API_PORT/api/v1/leases") || return 1
    paged=$(in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" --json leases list --page-size 37) || return 1
    table=$(in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" leases list --page-size 37) || return 1
    /usr/bin/python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); assert a==b and len(a)==200, (len(a), len(b))' "$whole" "$paged" &&
        test "$(wc -l <<<"$table")" -eq 201
}
check "edgelease-ctl leases list --page-size 37: the whole table, as one request" ctl_pages

check "telemetry: per-scope pool use (241 addresses, 200 bound)" wait_for 5 bash -c "echo /edgelease/dhcp | ip netns exec $E2E_NS dpdk-telemetry.py -f $prefix | python3 -c '
import json,sys; d=json.load(sys.stdin)[\"/edgelease/dhcp\"]
assert d[\"pool_size\"][\"lan\"]==241 and d[\"leases\"][\"lan/bound\"]==200, d'"

rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
