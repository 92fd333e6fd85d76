#!/usr/bin/env bash
# DHCPv6 end to end with real clients over net_tap, and the founding DNS scenarios for AAAA:
#   - a reservation's AAAA and PTR exist before any lease;
#   - ISC dhclient -6 gets an address (IA_NA) and a delegated prefix (IA_PD), renews them,
#     and its name is published as AAAA + ip6.arpa PTR with origin dhcp;
#   - a dual-stack client (dhclient -4 on the same interface) has A and AAAA under one name,
#     and releasing one family leaves the other;
#   - release deletes the AAAA, expiry keeps it (default policy);
#   - provenance survives a restart;
#   - a reserved box whose DUID changes (a rebuilt VM) keeps its address, and its AAAA never
#     goes missing while dig polls it;
#   - perfdhcp -6 direct and as a relay gets addresses and prefixes.
source "$(dirname "$0")/lib.sh"
e2e_setup dhcp6
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
API_PORT=$((20000 + $$ % 20000))

prefix="edgelease-e2e-dhcp6-$$"
{ base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."

[[dns.zones]]
name = "0.18.198.in-addr.arpa."

[[dns.zones]]
name = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "1h"
domain = "lan."

[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
preferred_lifetime = "10s"
valid_lifetime = "14s"
dns_servers = ["2001:db8::1"]
domain = "lan."

[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:50"
ip = "2001:db8::50"
prefixes = ["2001:db8:8100::/56"]
hostname = "my-server"
TOML
} >"$E2E_DIR/edge.toml"

start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0

dig6() { in_ns dig +short +time=1 +tries=1 @198.18.0.1 "$@" 2>/dev/null; }
ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
# The kernel's link-local address must have passed DAD before dhclient -6 can bind to it.
ll_ready() { in_ns ip -6 addr show dev edge0 scope link | grep -q 'inet6' &&
             ! in_ns ip -6 addr show dev edge0 scope link | grep -q tentative; }

# --- a reservation publishes before any client asks -------------------------------------------
check "reservation AAAA before any lease" wait_for 10 bash -c "[ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 my-server.lan AAAA)\" = 2001:db8::50 ]"
check "reservation PTR in ip6.arpa" test "$(dig6 -x 2001:db8::50)" = "my-server.lan."

# --- dhclient -6: an address and a prefix -----------------------------------------------------
# start6 TAG DUID NAME : dhclient -6 -N -P in the background until BOUND6; sets C6_PID, C6_IP,
# C6_PREFIX.
start6() {
    local tag=$1 duid=$2 name=$3
    cat >"$E2E_DIR/$tag.conf" <<CONF
send dhcp6.client-id $duid;
send fqdn.fqdn "$name.lan.";
send fqdn.server-update on;
request dhcp6.name-servers, dhcp6.domain-search;
CONF
    cat >"$E2E_DIR/$tag.script" <<SCRIPT
#!/bin/sh
echo "\$reason ip=\$new_ip6_address prefix=\$new_ip6_prefix dns=\$new_dhcp6_name_servers" >>"$E2E_DIR/$tag.record"
exit 0
SCRIPT
    chmod +x "$E2E_DIR/$tag.script"
    : >"$E2E_DIR/$tag.record"
    ip netns exec "$E2E_NS" dhclient -6 -N -P -d -cf "$E2E_DIR/$tag.conf" \
        -lf "$E2E_DIR/$tag.leases" -pf "$E2E_DIR/$tag.pid" -sf "$E2E_DIR/$tag.script" edge0 \
        >"$E2E_DIR/$tag.log" 2>&1 &
    C6_PID=$!
    if ! wait_for 30 grep -q '^BOUND6 ' "$E2E_DIR/$tag.record"; then
        e2e_fail "$tag: no DHCPv6 binding"; tail -n 20 "$E2E_DIR/$tag.log"; C6_IP=""; return 1
    fi
    # dhclient reports the address and the delegated prefix in separate BOUND6 runs.
    wait_for 10 grep -q '^BOUND6 .* prefix=[0-9a-f]' "$E2E_DIR/$tag.record" || true
    C6_IP=$(sed -n 's/^BOUND6 ip=\([0-9a-f:][0-9a-f:]*\) .*/\1/p' "$E2E_DIR/$tag.record" | head -1)
    C6_PREFIX=$(sed -n 's/^BOUND6 .* prefix=\([0-9a-f:/][0-9a-f:/]*\) .*/\1/p' "$E2E_DIR/$tag.record" | head -1)
    e2e_log "$tag ($name) bound $C6_IP and $C6_PREFIX"
}
stop6() {  # stop6 TAG : dhclient -6 -r (Release) and wait for the client to exit
    in_ns dhclient -6 -r -cf "$E2E_DIR/$1.conf" -lf "$E2E_DIR/$1.leases" -pf "$E2E_DIR/$1.pid" \
        -sf "$E2E_DIR/$1.script" edge0 >>"$E2E_DIR/$1.log" 2>&1 || true
    wait_for 10 bash -c "! kill -0 $C6_PID" || kill "$C6_PID" 2>/dev/null
    wait "$C6_PID" 2>/dev/null || true
}
kill6() { kill -KILL "$C6_PID" 2>/dev/null; wait "$C6_PID" 2>/dev/null || true; }

check "the client's link-local address is ready" wait_for 15 ll_ready
start6 c6 00:03:00:01:02:00:00:00:00:02 vm6
check "dhclient -6: address from the pool ($C6_IP)" grep -qE '^2001:db8::1[0-9a-f]{3}$' <<<"$C6_IP"
in_pd() { python3 -c 'import ipaddress,sys; p=ipaddress.ip_network(sys.argv[1]); sys.exit(not (p.prefixlen == 56 and p.subnet_of(ipaddress.ip_network("2001:db8:8000::/40"))))' "$1"; }
check "dhclient -6: a /56 from the PD pool ($C6_PREFIX)" in_pd "$C6_PREFIX"
check "dhclient -6: DNS servers" grep -q 'dns=2001:db8::1' "$E2E_DIR/c6.record"
check "AAAA for the client's name" wait_for 5 bash -c "[ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm6.lan AAAA)\" = $C6_IP ]"
check "PTR in ip6.arpa" test "$(dig6 -x "$C6_IP")" = "vm6.lan."
check "the AAAA's origin is dhcp" bash -c "ip netns exec $E2E_NS '$CTL' --api http://127.0.0.1:$API_PORT --json records list lan. --name vm6 | grep -q '\"origin\": *\"dhcp\"'"
check "dhclient -6: renewal at T1 keeps the address" wait_for 20 grep -q "^RENEW6 ip=$C6_IP " "$E2E_DIR/c6.record"

# --- dual stack: the same machine over DHCPv4 with the same name ------------------------------
start_client c4 vm6
check "dual stack: A and AAAA under one name" wait_for 5 bash -c "[ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm6.lan A)\" = $CLIENT_IP ] && [ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm6.lan AAAA)\" = $C6_IP ]"
stop6 c6
check "a v6 release deletes the AAAA" wait_for 5 bash -c "[ -z \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm6.lan AAAA)\" ]"
check "... and leaves the A" test "$(dig6 vm6.lan A)" = "$CLIENT_IP"
release_client c4
in_ns ip addr flush dev edge0 scope global
in_ns ip addr add 198.18.0.2/24 dev edge0

# --- expiry keeps the AAAA (default policy) ---------------------------------------------------
rm -f "$E2E_DIR/c6.leases"
start6 c6b 00:03:00:01:02:00:00:00:00:02 vm6
ip_b=$C6_IP
kill6   # the machine vanishes: no Release
check "after the valid lifetime the lease expires" wait_for 30 bash -c "ip netns exec $E2E_NS '$CTL' --api http://127.0.0.1:$API_PORT --json leases list --family 6 | grep -q '\"expired\"'"
check "expiry keeps the AAAA" test "$(dig6 vm6.lan AAAA)" = "$ip_b"

# --- provenance survives a restart -----------------------------------------------------------
rc=0; stop_appliance || rc=$?
check "clean stop (status $rc)" test "$rc" -eq 0
start_appliance "$E2E_DIR/edge.toml"
in_ns ip addr replace 198.18.0.2/24 dev edge0
check "after a restart the AAAA is there" wait_for 10 bash -c "[ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm6.lan AAAA)\" = $ip_b ]"
check "... still with origin dhcp" bash -c "ip netns exec $E2E_NS '$CTL' --api http://127.0.0.1:$API_PORT --json records list lan. --name vm6 | grep -q '\"origin\": *\"dhcp\"'"
check "... and the reservation's with origin reservation" bash -c "ip netns exec $E2E_NS '$CTL' --api http://127.0.0.1:$API_PORT --json records list lan. --name my-server | grep -q '\"origin\": *\"reservation\"'"

# --- DUID drift on the reserved box: its AAAA never goes missing ------------------------------
new_mac 02:00:00:00:00:50
in_ns ip addr replace 198.18.0.2/24 dev edge0
check "the reserved box's link-local address is ready" wait_for 15 ll_ready
start6 r1 00:03:00:01:02:00:00:00:00:50 my-server
check "the reserved box gets its reserved address" test "$C6_IP" = 2001:db8::50
check "... and its reserved prefix" test "$C6_PREFIX" = 2001:db8:8100::/56
# Poll the name every 50 ms (bounded) while the box is rebuilt with a new DUID.
( misses=0
  for _ in $(seq 1 400); do
      [ -f "$E2E_DIR/poll.stop" ] && break
      [ "$(ip netns exec "$E2E_NS" dig +short +time=1 +tries=1 @198.18.0.1 my-server.lan AAAA)" = 2001:db8::50 ] || misses=$((misses + 1))
      sleep 0.05
  done
  echo "$misses" >"$E2E_DIR/poll.misses" ) &
poller=$!
kill6
rm -f "$E2E_DIR/r1.leases"
start6 r2 00:04:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00 my-server
check "the rebuilt box (new DUID) gets the same address" test "$C6_IP" = 2001:db8::50
touch "$E2E_DIR/poll.stop"
wait "$poller" || true
check "its AAAA never went missing while dig polled ($(cat "$E2E_DIR/poll.misses") misses)" test "$(cat "$E2E_DIR/poll.misses")" -eq 0
kill6

# --- perfdhcp -6, direct and as a relay -------------------------------------------------------
new_mac 02:00:00:00:00:03
in_ns ip addr replace 198.18.0.2/24 dev edge0
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad
check "perfdhcp's link-local address is ready" wait_for 15 ll_ready
perf6() {  # perf6 LOG [ARGS...] : 50 exchanges at 50/s, addresses and prefixes
    local log=$1; shift
    # -W: 2 s for the last exchanges to finish, so a loaded machine does not cut them off.
    in_ns timeout 60 perfdhcp -6 -l edge0 -r 50 -n 50 -R 50 -W 2000000 -e address-and-prefix -t 1 "$@" >"$log" 2>&1 || true
}
perf6 "$E2E_DIR/perf_direct.log"
# perfdhcp prints one block per exchange: Solicit-Advertise first, then Request-Reply.
second_received() { awk '/received packets:/{n++; if (n == 2) {print $3; exit}}' "$1"; }
replies_direct=$(second_received "$E2E_DIR/perf_direct.log")
grep -iE '^\*\*\*|received packets' "$E2E_DIR/perf_direct.log" | head -8
check "perfdhcp -6 direct: Replies to its Requests (${replies_direct:-0})" test "${replies_direct:-0}" -ge 40
perf6 "$E2E_DIR/perf_relay.log" -A 1
replies_relay=$(second_received "$E2E_DIR/perf_relay.log")
check "perfdhcp -6 as a relay: Replies (${replies_relay:-0})" test "${replies_relay:-0}" -ge 40

rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
