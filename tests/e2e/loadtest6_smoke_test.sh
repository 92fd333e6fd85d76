#!/usr/bin/env bash
# A short DHCPv6 run of scripts/loadtest.sh: the appliance (two [[dhcp6.scopes]] with address
# pools and PD pools, durable commit) and edgelease-loadgen dhcp6 over net_memif, small counts,
# three runs: the 4-message exchange, Rapid Commit, and the 4-message exchange through 8
# relays, every client asking for an address and a prefix. Checks that each run got leases
# with no unexpected or refused answer, and that the appliance's own counters agree with what
# the generator saw.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (DPDK, a network namespace)"; exit 1; }
[ -x "$E2E_BIN" ] || { echo "EDGELEASE_BIN not set to the edgelease binary"; exit 1; }
build=$(dirname "$(dirname "$E2E_BIN")")
[ -x "$build/loadgen/edgelease-loadgen" ] || { echo "edgelease-loadgen not built in $build"; exit 1; }
E2E_DIR=$(mktemp -d /tmp/edgelease-e2e-loadtest6.XXXXXX)
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

src=${EDGELEASE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
out="$E2E_DIR/loadtest.json"
rc=0
# loadtest.sh bounds every wait itself (appliance start, API, memif link, NS, each run).
timeout 240 bash "$src/scripts/loadtest.sh" --smoke --mode dhcp6 --build "$build" --json "$out" \
    --dhcp6-args "--hostname" >"$E2E_DIR/loadtest.out" 2>&1 || rc=$?
cat "$E2E_DIR/loadtest.out"
check "loadtest.sh --smoke --mode dhcp6 finished (status $rc)" test "$rc" -eq 0
check "its JSON parses" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$out"

# Each check a Python expression over the parsed JSON `r`, once per run (`x` is the run).
expect() {
    local what=$1 expr=$2 run
    for run in dhcp6 dhcp6_rapid dhcp6_relay; do
        check "$run: $what" python3 - "$out" "$run" "$expr" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
x = r[sys.argv[2]]
ok = eval(sys.argv[3], {"r": r, "x": x})
if not ok:
    print("  ", {k: x.get(k) for k in ("acquisitions_started", "leases", "addresses", "prefixes",
                                        "exchanges", "advertises", "renew_replies", "release_replies",
                                        "refused", "timeouts", "retransmissions", "unexpected",
                                        "status_codes", "unfinished", "appliance")})
sys.exit(0 if ok else 1)
PY
    done
}

expect "DHCPv6 over IPv6, asking for IA_NA and IA_PD" 'x["family"] == 6 and x["ia"] == "na,pd"'
expect "leases, each with an address and a prefix" \
    'x["leases"] > 0 and x["addresses"] == x["leases"] and x["prefixes"] == x["leases"]'
expect "no unexpected answer, nothing refused, nothing left unfinished" \
    'x["unexpected"] == 0 and x["refused"] == 0 and x["unfinished"] == 0'
expect "no status code but Success (the Releases' answers)" \
    'set(x["status_codes"]) <= {"Success"} and x["status_codes"].get("Success", 0) == x["release_replies"]'
expect "renewals and releases in the mix, all answered" \
    'x["renew_replies"] > 0 and x["release_replies"] > 0 and x["renew_replies"] + x["release_replies"] + x["timeouts"] >= x["renews"] + x["releases"]'
expect "every exchange and every acquisition timed" \
    'x["latency"]["samples"] == x["exchanges"] and x["acquisition_latency"]["samples"] == x["leases"] and 0 < x["acquisition_latency"]["p50_us"] <= x["acquisition_latency"]["max_us"]'
expect "the appliance sent a Reply or Advertise for every exchange counted, and no more than it received" \
    'x["exchanges"] <= x["appliance"]["dhcp6_replies_sent"] <= x["appliance"]["dhcp6_rx_solicit"] + x["appliance"]["dhcp6_rx_request"] + x["appliance"]["dhcp6_rx_renew"] + x["appliance"]["dhcp6_rx_release"]'
expect "the appliance received every Solicit and Release, none malformed or dropped" \
    'x["appliance"]["dhcp6_rx_solicit"] >= x["acquisitions_started"] and x["appliance"]["dhcp6_rx_release"] >= x["releases"] and x["appliance"]["dhcp6_malformed"] == 0 and x["appliance"]["dhcp6_rx_queue_full"] == 0'

check "4-message: an Advertise and a Request per lease" python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))["dhcp6"]
sys.exit(0 if x["advertises"] >= x["leases"] and x["appliance"]["dhcp6_rx_request"] >= x["leases"] and x["rapid_commit_leases"] == 0 else 1)' "$out"
check "Rapid Commit: two messages per lease, no Advertise, no Request" python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))["dhcp6_rapid"]
sys.exit(0 if x["rapid_commit"] and x["rapid_commit_leases"] == x["leases"] and x["advertises"] == 0 and x["appliance"]["dhcp6_rx_request"] == 0 else 1)' "$out"
check "relayed: through 8 relays" python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))["dhcp6_relay"]
sys.exit(0 if x["relays"] == 8 and x["leases"] > 0 else 1)' "$out"
e2e_finish
