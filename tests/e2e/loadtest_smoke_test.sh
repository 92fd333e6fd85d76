#!/usr/bin/env bash
# A short run of scripts/loadtest.sh: the appliance and edgelease-loadgen over net_memif,
# DNS then DHCP (DHCPv6 has loadtest6_smoke_test.sh), small counts. Checks that the generator's JSON parses, that both modes got
# answers, and that the appliance's own counters agree with what the generator saw.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (DPDK, a network namespace)"; exit 1; }
[ -x "$E2E_BIN" ] || { echo "EDGELEASE_BIN not set to the edgelease binary"; exit 1; }
build=$(dirname "$(dirname "$E2E_BIN")")
[ -x "$build/loadgen/edgelease-loadgen" ] || { echo "edgelease-loadgen not built in $build"; exit 1; }
E2E_DIR=$(mktemp -d /tmp/edgelease-e2e-loadtest.XXXXXX)
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

src=${EDGELEASE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
out="$E2E_DIR/loadtest.json"
rc=0
# loadtest.sh bounds every wait itself (appliance start, API, memif link, ARP, each run).
timeout 240 bash "$src/scripts/loadtest.sh" --smoke --mode both --build "$build" --json "$out" \
    --dhcp-args "--client-id --hostname" >"$E2E_DIR/loadtest.out" 2>&1 || rc=$?
cat "$E2E_DIR/loadtest.out"
check "loadtest.sh --smoke finished (status $rc)" test "$rc" -eq 0
check "its JSON parses" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out"

# jq-like checks: each one a Python expression over the parsed JSON `r`.
expect() {
    local what=$1 expr=$2
    check "$what" python3 - "$out" "$expr" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"r": r})
if not ok:
    dns, dhcp = r.get("dns", {}), r.get("dhcp", {})
    print("  dns:", {k: dns.get(k) for k in ("sent", "answered", "lost", "mismatched", "rcodes", "appliance")})
    print("  dhcp:", {k: dhcp.get(k) for k in ("dora_started", "leases", "exchanges", "naks", "timeouts",
                                                 "renew_acks", "releases", "appliance")})
sys.exit(0 if ok else 1)
PY
}

expect "DNS: queries answered" 'r["dns"]["answered"] > 0 and r["dns"]["qps_answered"] > 0'
expect "DNS: at most 1 % lost" 'r["dns"]["lost"] <= r["dns"]["sent"] // 100'
expect "DNS: hits and misses answered as the zone says (NOERROR and NXDOMAIN, none unexpected)" \
    'r["dns"]["rcodes"].get("NOERROR", 0) > 0 and r["dns"]["rcodes"].get("NXDOMAIN", 0) > 0 and r["dns"]["mismatched"] == 0'
expect "DNS: a latency sample per answer, percentiles ordered" \
    'r["dns"]["latency"]["samples"] == r["dns"]["answered"] and 0 < r["dns"]["latency"]["p50_us"] <= r["dns"]["latency"]["p99_us"] <= r["dns"]["latency"]["max_us"]'
expect "DNS: the appliance answered what it received, and every answer counted reached it" \
    'r["dns"]["answered"] <= r["dns"]["appliance"]["dns_responses"] <= r["dns"]["appliance"]["dns_queries"] <= r["dns"]["sent"]'
expect "DNS: the appliance saw at least 99 % of the queries" \
    'r["dns"]["appliance"]["dns_queries"] * 100 >= r["dns"]["sent"] * 99'

expect "DHCP: leases granted, no NAK" 'r["dhcp"]["leases"] > 0 and r["dhcp"]["naks"] == 0'
expect "DHCP: renewals and releases in the mix" 'r["dhcp"]["renew_acks"] > 0 and r["dhcp"]["releases"] > 0'
expect "DHCP: every exchange timed, nothing left unfinished" \
    'r["dhcp"]["latency"]["samples"] == r["dhcp"]["exchanges"] and r["dhcp"]["unfinished"] == 0'
expect "DHCP: the appliance sent at least the ACKs the clients counted" \
    'r["dhcp"]["appliance"]["dhcp_sent_ack"] >= r["dhcp"]["leases"] + r["dhcp"]["renew_acks"]'
expect "DHCP: and no more than the REQUESTs it received" \
    'r["dhcp"]["appliance"]["dhcp_sent_ack"] <= r["dhcp"]["appliance"]["dhcp_rx_request"]'
expect "DHCP: the appliance received every DISCOVER and RELEASE (retransmissions included)" \
    'r["dhcp"]["appliance"]["dhcp_rx_discover"] >= r["dhcp"]["dora_started"] and r["dhcp"]["appliance"]["dhcp_rx_release"] == r["dhcp"]["releases"]'
expect "DHCP: offers counted by both ends" \
    'r["dhcp"]["appliance"]["dhcp_sent_offer"] >= r["dhcp"]["offers"] > 0'
e2e_finish
