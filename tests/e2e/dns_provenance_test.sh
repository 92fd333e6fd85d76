#!/usr/bin/env bash
# Lease-driven DNS with provenance, end to end: real dhclient over net_tap with 10-second
# leases, dig to observe the answers, edgelease-ctl for records and the audit trail.
#   1. admin records (config and manual) survive a client claiming their name, its release
#      and its expiry;
#   2. a reservation's A and PTR exist before any client and survive expiry;
#   3. a dynamic client: release deletes A and PTR; expiry keeps A while the PTR follows
#      ptr_delete_on_expiry; with delete_on_expiry = true expiry deletes A;
#   4. drift: the reserved machine comes back with a new client identifier while its old lease
#      runs; dig polled every 100 ms never misses its name;
#   5. a rename moves the records; stale_after removes kept records;
#   6. a restart keeps every record's provenance.
source "$(dirname "$0")/lib.sh"
e2e_setup prov
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
API_PORT=$((20000 + $$ % 20000))
prefix="edgelease-e2e-prov-$$"

# write_config POLICY_LINES
write_config() {
    { base_config "$prefix" '"198.18.0.1/24"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."
records = [ { name = "my-server", type = "A", data = "198.18.0.60", ttl = 60 } ]

[[dns.zones]]
name = "0.18.198.in-addr.arpa."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "10s"
routers = ["198.18.0.1"]
dns_servers = ["198.18.0.1"]
domain = "lan."

[dhcp.scopes.dns]
$1

[[dhcp.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "198.18.0.50"
hostname = "reserved"
TOML
    } >"$E2E_DIR/edge.toml"
}

ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
# dig_a NAME / dig_ptr ADDRESS : the answer, or nothing
dig_a() { in_ns dig +short +notcp +time=1 +tries=2 @198.18.0.1 "$1" A 2>/dev/null | head -1; }
dig_ptr() { in_ns dig +short +notcp +time=1 +tries=2 @198.18.0.1 -x "$1" 2>/dev/null | head -1; }
a_is() { [ "$(dig_a "$1")" = "$2" ]; }
ptr_is() { [ "$(dig_ptr "$1")" = "$2" ]; }
audit_has() { local out; out=$(ctl --json audit --limit 1000) && grep -q "$1" <<<"$out"; }  # no pipe: grep -q would SIGPIPE ctl

lease_state() { ctl --json leases show "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])'; }
lease_is() { [ "$(lease_state "$1")" = "$2" ]; }
no_a() { [ -z "$(dig_a "$1")" ]; }
no_ptr() { [ -z "$(dig_ptr "$1")" ]; }
owned_by_reservation() { local out; out=$(ctl records list lan. --name reserved) && grep -q 'reservation:lan/198.18.0.50' <<<"$out"; }
admin_and_reservation_records_stay() {
    a_is my-server.lan. 198.18.0.60 && a_is my-manual.lan. 198.18.0.61 && a_is reserved.lan. 198.18.0.50
}

# ---- phase 1: defaults, except that the PTR goes on expiry -------------------------------
# bring_up : the appliance, and the kernel end of its tap as a host with an address of its
# own to ask from (the tap is created anew at every start).
bring_up() {
    start_appliance "$E2E_DIR/edge.toml"
    client_side edge0 02:00:00:00:00:02
    in_ns ip addr add 198.18.0.2/24 dev edge0
    check "API up" wait_for 10 ctl stats
}
write_config 'ptr_delete_on_expiry = true'
bring_up

# 2. the reservation is in DNS before any client asks
check "2: reservation A before any client" a_is reserved.lan. 198.18.0.50
check "2: reservation PTR before any client" ptr_is 198.18.0.50 reserved.lan.
out=$(ctl records list lan. --name reserved)
check "2: records list shows origin reservation and its owner" grep -qE "reserved\.lan\. +A .*reservation +.*reservation:lan/198\.18\.0\.50" <<<"$out"

# 1. admin records: one from config, one added as manual through edgelease-ctl
check "1: manual record added" ctl records add lan. my-manual A 198.18.0.61 --owner ops
check "1: manual record answers" wait_for 2 a_is my-manual.lan. 198.18.0.61
out=$(ctl records list lan. --origin manual)
check "1: it is listed as manual, owner ops, with created/updated" grep -qE "my-manual\.lan\. +A +[0-9]+ +198\.18\.0\.61 +manual +[0-9T:-]+Z +[0-9T:-]+Z +ops" <<<"$out"
new_mac 02:00:00:00:00:11
start_client claim-config my-server
claim_ip=$CLIENT_IP
check "1: a client claiming my-server.lan. leaves the config record alone" a_is my-server.lan. 198.18.0.60
check "1: ... and gets no PTR for that name" no_ptr $claim_ip
check "1: the conflict is in the audit trail" wait_for 5 audit_has '"conflict-skip"'
release_client claim-config
check "1: after its release the config record stays" a_is my-server.lan. 198.18.0.60
new_mac 02:00:00:00:00:12
start_client claim-manual my-manual
kill_client
check "1: the manual claimant's lease expires" wait_for 20 lease_is $CLIENT_IP expired
check "1: after its expiry the manual record stays" a_is my-manual.lan. 198.18.0.61
check "1: config record still there" a_is my-server.lan. 198.18.0.60

# 3. a dynamic client: release deletes A and PTR
new_mac 02:00:00:00:00:13
start_client dyn-rel laptop
rel_ip=$CLIENT_IP
check "3: grant: A" wait_for 2 a_is laptop.lan. "$rel_ip"
check "3: grant: PTR" wait_for 2 ptr_is "$rel_ip" laptop.lan.
release_client dyn-rel
check "3: release deletes A" wait_for 5 no_a laptop.lan.
check "3: release deletes PTR" wait_for 5 no_ptr $rel_ip

# 3. expiry keeps A; the PTR follows ptr_delete_on_expiry (true here)
new_mac 02:00:00:00:00:14
start_client dyn-exp desktop
exp_ip=$CLIENT_IP
check "3: grant: A" wait_for 2 a_is desktop.lan. "$exp_ip"
kill_client
check "3: expiry deletes the PTR (ptr_delete_on_expiry)" wait_for 20 no_ptr $exp_ip
check "3: expiry keeps the A (delete_on_expiry = false)" a_is desktop.lan. "$exp_ip"
check "3: the expiry is audited" audit_has '"expiry"'

# 5. rename: the same machine comes back under another host name
new_mac 02:00:00:00:00:15
start_client ren-1 old-name
ren_ip=$CLIENT_IP
check "5: old name" wait_for 2 a_is old-name.lan. "$ren_ip"
kill_client
start_client ren-2 new-name
check "5: same address after the rename" test "$CLIENT_IP" = "$ren_ip"
check "5: new name answers" wait_for 2 a_is new-name.lan. "$ren_ip"
check "5: old name is gone" no_a old-name.lan.
check "5: the PTR follows the rename" ptr_is "$ren_ip" new-name.lan.
check "5: rename audited" audit_has '"rename"'
release_client ren-2

# 4. drift: the reserved machine, rebuilt with a new client identifier while its lease runs
new_mac 02:00:00:00:00:50
start_client res-old reserved "machine-id-one"
check "4: the reserved address" test "$CLIENT_IP" = 198.18.0.50
# Poll the name every 100 ms for the whole scenario (bounded: 600 polls), until told to stop.
( for _ in $(seq 1 600); do
      r=$(in_ns dig +short +notcp +time=1 +tries=1 @198.18.0.1 reserved.lan. A 2>/dev/null | head -1)
      [ "$r" = 198.18.0.50 ] && echo ok || echo "miss:$r"
      [ -f "$E2E_DIR/poll.stop" ] && break
      sleep 0.1
  done >"$E2E_DIR/poll.log" ) &
poller=$!
kill_client
start_client res-new reserved "machine-id-two"
check "4: the rebuilt machine gets the same address while the old lease runs" test "$CLIENT_IP" = 198.18.0.50
kill_client
# The new lease expires too (no client renews it): the reservation keeps its records.
check "4: the reserved lease expires" wait_for 20 lease_is 198.18.0.50 expired
# A few more polls after the expiry has been processed (however slow dig is on a busy box).
at_expiry=$(wc -l <"$E2E_DIR/poll.log")
check "4: the poller kept polling after the expiry" wait_for 20 bash -c "[ \$(wc -l <'$E2E_DIR/poll.log') -ge $((at_expiry + 3)) ]"
touch "$E2E_DIR/poll.stop"
wait "$poller" || true
polls=$(wc -l <"$E2E_DIR/poll.log")
misses=$(grep -c '^miss' "$E2E_DIR/poll.log" || true)
e2e_log "drift: $polls polls of reserved.lan., $misses misses"
check "4: the poller ran through the scenario (>= 10 polls)" test "$polls" -ge 10
check "4: dig never missed reserved.lan." test "$misses" -eq 0
check "4: ownership stays with the reservation" owned_by_reservation
check "2: reservation PTR survives expiry" ptr_is 198.18.0.50 reserved.lan.

# ---- 6. restart: every record keeps its provenance ---------------------------------------
snapshot() {
    ctl --json records list lan. >"$1.fwd" && ctl --json records list 0.18.198.in-addr.arpa. >"$1.rev" &&
    /usr/bin/python3 - "$1" <<'PY'
import json, sys
rows = []
for part in ("fwd", "rev"):
    for r in json.load(open(sys.argv[1] + "." + part)):
        if r["type"] == "SOA":
            continue  # its serial moves with every change
        rows.append("%s %s %s %s %s %s %s" % (r["name"], r["type"], r["data"], r["origin"], r["owner"], r["created"], r["updated"]))
open(sys.argv[1], "w").write("\n".join(sorted(rows)) + "\n")
PY
}
snapshot "$E2E_DIR/before"
check "6: records of every origin before the restart" bash -c "grep -q ' config ' '$E2E_DIR/before' && grep -q ' manual ' '$E2E_DIR/before' && grep -q ' reservation ' '$E2E_DIR/before' && grep -q ' dhcp ' '$E2E_DIR/before'"
check "6: clean stop" stop_appliance
bring_up
check "6: after a clean stop under the same configuration the records are not re-checked" \
    grep -q "records not re-checked" "$E2E_DIR/appliance.log"
snapshot "$E2E_DIR/after"
check "6: every record with the same origin, owner, created and updated" diff -u "$E2E_DIR/before" "$E2E_DIR/after"
check "6: the kept A still answers" a_is desktop.lan. "$exp_ip"

# ---- phase 2: delete_on_expiry = true, stale_after = 4s ---------------------------------
check "phase 2: stop" stop_appliance
write_config $'delete_on_expiry = true\nptr_delete_on_expiry = false\nstale_after = "4s"'
bring_up
check "phase 2: under a changed configuration every lease's records are re-checked" \
    grep -q "checked against the record store" "$E2E_DIR/appliance.log"
new_mac 02:00:00:00:00:16
start_client dyn-exp2 tablet
t_ip=$CLIENT_IP
check "3: grant: A" wait_for 2 a_is tablet.lan. "$t_ip"
kill_client
check "3: with delete_on_expiry = true expiry deletes the A" wait_for 20 no_a tablet.lan.
check "5: stale_after removes the kept PTR" wait_for 20 no_ptr $t_ip
check "5: stale_after removed phase 1's kept A too" wait_for 10 no_a desktop.lan.
check "5: stale removals audited" audit_has '"stale"'
check "stale_after never touches admin or reservation records" admin_and_reservation_records_stay
expired_by_sweeper() {
    ctl --json stats | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin)["dhcp"]; sys.exit(0 if d.get("leases_expired_by_sweeper",0) > 0 and d.get("leases_expired_by_backstop",1) == 0 else 1)'
}
check "expiries came back from the sweeper lcore (none from the backstop)" expired_by_sweeper
out=$(ctl audit --limit 200)
check "ctl audit prints a table with reasons" grep -qE "^SEQ +TIME +REASON" <<<"$out"
check "the appliance stops cleanly" stop_appliance
e2e_finish
