#!/usr/bin/env bash
# Live reload of DHCP configuration, end to end: real dhclient over net_tap, edgelease-ctl and
# SIGHUP.
#   1. a reload that shrinks the pool, adds a reservation and changes a restart-only setting:
#      the lease still covered stays (and renews), the one outside the new pool ends (gone
#      from the API, its A record removed as on a release, audited lease-dropped), the new
#      reservation is published and served, the restart-only change is reported, not applied;
#   2. an invalid file is refused with file:line and key, and the running configuration stays;
#   3. SIGHUP applies the next change (reservation removed: its records go, and its lease,
#      on an address no pool covers, ends);
#   4. after a restart, the dropped lease stays gone and the kept one is still there;
#   5. metrics count the reloads and show the DHCP queue depths.
source "$(dirname "$0")/lib.sh"
e2e_setup reload
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
API_PORT=$((20000 + ($$ + 7) % 20000))
prefix="edgelease-e2e-reload-$$"

# write_config POOLS EXTRA_SCOPE_LINES [AUDIT_ENTRIES]
write_config() {
    { base_config "$prefix" '"198.18.0.1/24"' net_tap0,iface=edge0 "audit_entries = ${3:-100000}"; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."

[[dns.zones]]
name = "0.18.198.in-addr.arpa."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = [$1]
lease_time = "1h"
routers = ["198.18.0.1"]
dns_servers = ["198.18.0.1"]
domain = "lan."
$2
TOML
    } >"$E2E_DIR/edge.toml"
}
RESERVATION='
[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:30"
ip = "198.18.0.50"
hostname = "printer"'

ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
dig_a() { in_ns dig +short +notcp +time=1 +tries=2 @198.18.0.1 "$1" A 2>/dev/null | head -1; }
a_is() { [ "$(dig_a "$1")" = "$2" ]; }
no_a() { [ -z "$(dig_a "$1")" ]; }
lease_state() { ctl --json leases show "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
lease_is() { [ "$(lease_state "$1")" = "$2" ]; }
no_lease() { ! ctl leases show "$1" >/dev/null 2>&1; }
audit_has() { local out; out=$(ctl --json audit --limit 1000) && grep -q "$1" <<<"$out"; }
metric() { local out; out=$(in_ns curl -s "http://127.0.0.1:$API_PORT/metrics") && grep -qE "$1" <<<"$out"; }
bring_up() {
    start_appliance "$E2E_DIR/edge.toml"
    client_side edge0 02:00:00:00:00:02
    in_ns ip addr add 198.18.0.2/24 dev edge0
    check "API up" wait_for 10 ctl stats
}

write_config '"198.18.0.100-198.18.0.199"' ''
bring_up
new_mac 02:00:00:00:00:21
start_client alpha alpha
alpha_ip=$CLIENT_IP
kill_client   # gone without a release: the lease stays bound
new_mac 02:00:00:00:00:22
start_client beta beta
beta_ip=$CLIENT_IP
kill_client
check "two different addresses" test -n "$alpha_ip" -a -n "$beta_ip" -a "$alpha_ip" != "$beta_ip"
check "alpha.lan. answers" wait_for 5 a_is alpha.lan. "$alpha_ip"
check "beta.lan. answers" wait_for 5 a_is beta.lan. "$beta_ip"

# ---- 1. the pool keeps only beta's address; a reservation; a restart-only change ----------
write_config "\"$beta_ip-$beta_ip\", \"198.18.0.150-198.18.0.160\"" "$RESERVATION" 5000
out=$(ctl reload)
e2e_log "$out"
check "1: ctl reload reports one lease kept, one ended" grep -q "1 lease(s) kept, 1 ended" <<<"$out"
check "1: the restart-only audit_entries change is reported" grep -q "warning: \[appliance\].audit_entries changed: needs a restart" <<<"$out"
check "1: beta's lease stays bound" lease_is "$beta_ip" bound
check "1: alpha's lease is gone" no_lease "$alpha_ip"
check "1: alpha.lan. removed as on a release" wait_for 5 no_a alpha.lan.
check "1: beta.lan. stays" a_is beta.lan. "$beta_ip"
check "1: the drop is audited as lease-dropped" wait_for 5 audit_has '"lease-dropped"'
check "1: the new reservation is published" wait_for 5 a_is printer.lan. 198.18.0.50
new_mac 02:00:00:00:00:30
start_client printer printer
check "1: the reserved machine gets its address" test "$CLIENT_IP" = 198.18.0.50
kill_client
new_mac 02:00:00:00:00:22
start_client beta-again beta
check "1: beta comes back to its address under the new pools" test "$CLIENT_IP" = "$beta_ip"
kill_client
new_mac 02:00:00:00:00:21
start_client alpha-again alpha
check "1: alpha gets an address from the new pool" grep -qE '^198\.18\.0\.1(5[0-9]|60)$' <<<"$CLIENT_IP"
alpha_new=$CLIENT_IP
kill_client
check "1: the log names the reload's effect" grep -q "reload: DHCP 1 scope(s); 1 lease(s) kept, 1 ended" "$E2E_DIR/appliance.log"

# ---- 2. invalid: a pool outside the subnet ------------------------------------------------
cp "$E2E_DIR/edge.toml" "$E2E_DIR/good.toml"
write_config '"198.18.7.1-198.18.7.9"' ''
rc=0; out=$(ctl reload 2>&1) || rc=$?
check "2: bad reload exits 1" test "$rc" -eq 1
check "2: it names file, line and key" grep -qE "edge\.toml:[0-9]+:[0-9]+: dhcp\.scopes\[0\]\.pools" <<<"$out"
check "2: leases unchanged" lease_is "$beta_ip" bound
check "2: the reservation still answers" a_is printer.lan. 198.18.0.50
cp "$E2E_DIR/good.toml" "$E2E_DIR/edge.toml"

# ---- 3. SIGHUP: the reservation goes ------------------------------------------------------
write_config "\"$beta_ip-$beta_ip\", \"198.18.0.150-198.18.0.160\"" '' 5000
kill -HUP "$E2E_PID"
check "3: SIGHUP reload applied" wait_for 10 bash -c "[ \$(grep -c 'reload: applied' '$E2E_DIR/appliance.log') -ge 2 ]"
check "3: the reservation's record is removed" wait_for 5 no_a printer.lan.
check "3: audited reservation-removed" wait_for 5 audit_has '"reservation-removed"'
check "3: the printer's lease, on an address no pool or reservation covers now, ended" no_lease 198.18.0.50

# ---- 5. metrics ---------------------------------------------------------------------------
check "5: reloads applied = 2" metric '^edgelease_reloads_total\{result="applied"\} 2$'
check "5: reloads refused = 1" metric '^edgelease_reloads_total\{result="refused"\} 1$'
check "5: two leases dropped by reloads (alpha, the printer)" metric '^edgelease_reload_leases_dropped_total 2$'
check "5: DHCP queue depths per worker" metric '^edgelease_dhcp_queue_depth\{worker="0",queue="requests"\} [0-9]+$'
check "5: lease store queue depth" metric '^edgelease_lease_store_queue_depth [0-9]+$'
in_ns curl -s "http://127.0.0.1:$API_PORT/metrics" >"$E2E_DIR/metrics.txt"
check "5: promtool accepts the metrics" bash -c "promtool check metrics <'$E2E_DIR/metrics.txt'"

# ---- 4. restart -----------------------------------------------------------------------------
rc=0; stop_appliance || rc=$?
check "4: clean exit (status $rc)" test "$rc" -eq 0
bring_up
check "4: beta's lease survives the restart" lease_is "$beta_ip" bound
check "4: alpha's new lease survives the restart" lease_is "$alpha_new" bound
check "4: the dropped lease stays gone" no_lease "$alpha_ip"
rc=0; stop_appliance || rc=$?
check "4: clean exit (status $rc)" test "$rc" -eq 0

e2e_finish
