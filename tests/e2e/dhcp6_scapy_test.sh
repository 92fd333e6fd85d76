#!/usr/bin/env bash
# DHCPv6 messages that real clients rarely send, from scapy (dhcp6_scapy.py) over the kernel
# end of the appliance's tap, through ordinary UDP sockets:
#   - Confirm: Success for an on-link address, NotOnLink for one outside the scope;
#   - Renew for a binding the server does not have: NoBinding inside the IA_NA;
#   - exhaustion: NoPrefixAvail inside the IA_PD (the IA_NA still served), NoAddrsAvail
#     inside the IA_NA, in the Advertise and in the Reply (RFC 9915 §18.3.9, §18.3.2);
#   - Decline: the address goes to probation (declined in /api/v1/leases) and is not handed
#     to the next client; a client declining another's address gets NoBinding; a Request
#     naming another server is left unanswered;
#   - relays: interface-id (18) echoed at each level, reservations by interface_id, remote_id
#     (37, with subscriber-id 38 beside it) and hw_address through option 79, two nested
#     relays (the innermost link-address chooses), RFC 8357's relay source port (135) answered
#     to that port and its absence answered to 547;
#   - malformed and over-nested messages, one for each parse error the worker names, dropped,
#     unanswered, and counted by reason in /api/v1/stats; an 8-level chain, the limit, still
#     answered.
#   - tagged links (802.1Q, and QinQ; raw frames, as this kernel may lack 8021q): the scope
#     of the receiving port + tags, Advertise and Reply tagged as the request was;
#   - dual stack by DUID alone: a DHCPv4 client whose client identifier carries a DUID
#     (RFC 4361) and a relayed DHCPv6 client with that DUID (no MAC anywhere) have A and AAAA
#     under one name; another device claiming the name is skipped, counted and audited, and
#     the records stay.
# Afterwards the appliance still runs and exits cleanly.
source "$(dirname "$0")/lib.sh"
e2e_setup dhcp6scapy
PY=/usr/bin/python3   # Debian's python, which has scapy
API_PORT=$((20000 + ($$ + 31) % 20000))

prefix="edgelease-e2e-dhcp6scapy-$$"
{ base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[[interfaces]]
port = "net_tap0"
vlan = 100
addresses = ["2001:db8:100::1/64"]

[[interfaces]]
port = "net_tap0"
vlan = 200
inner_vlan = 300
addresses = ["2001:db8:300::1/64"]

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
domain = "lan."

[[dhcp6.scopes]]
name = "lan6"
domain = "lan."
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1003"]
pd_pools = [ { prefix = "2001:db8:8000::/55", delegated_length = 56 } ]
decline_probation = "10m"

[[dhcp6.scopes]]
name = "vlan100"
prefix = "2001:db8:100::/64"
pools = ["2001:db8:100::1000-2001:db8:100::10ff"]

[[dhcp6.scopes]]
name = "qinq300"
prefix = "2001:db8:300::/64"
pools = ["2001:db8:300::1000-2001:db8:300::10ff"]

[[dhcp6.scopes]]
name = "relay6"
domain = "lan."
prefix = "2001:db8:1::/64"
pools = ["2001:db8:1::1000-2001:db8:1::10ff"]

[[dhcp6.scopes.reservations]]
interface_id = "eth0/1/3"
ip = "2001:db8:1::43"

[[dhcp6.scopes.reservations]]
remote_id = "sub-42"
ip = "2001:db8:1::42"

[[dhcp6.scopes.reservations]]
hw_address = "02:00:00:00:00:44"
ip = "2001:db8:1::44"
TOML
} >"$E2E_DIR/edge.toml"

start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
# The relays' own addresses on the link; nodad: the appliance is the only other host.
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad
in_ns ip addr add 198.18.0.2/24 dev edge0
ll_ready() { in_ns ip -6 addr show dev edge0 scope link | grep -q 'inet6' &&
             ! in_ns ip -6 addr show dev edge0 scope link | grep -q tentative; }
check "edge0's link-local address is ready" wait_for 15 ll_ready
check "the appliance answers on 2001:db8::1" wait_for 10 in_ns ping -6 -c 1 -W 1 2001:db8::1

rc=0
in_ns timeout 150 "$PY" "$(dirname "$0")/dhcp6_scapy.py" "$API_PORT" >"$E2E_DIR/scapy.out" 2>&1 || rc=$?
while IFS= read -r line; do
    case "$line" in
        ok:*) e2e_pass "${line#ok: }" ;;
        FAIL:*) e2e_fail "${line#FAIL: }" ;;
        *) echo "$line" ;;
    esac
done <"$E2E_DIR/scapy.out"
check "the scapy scenarios ran to their end (status $rc)" test "$rc" -eq 0
check "... all of them (the last line)" grep -q '^scapy scenarios done' "$E2E_DIR/scapy.out"

check "the appliance still answers" in_ns ping -6 -q -c 1 -W 1 2001:db8::1 >/dev/null
rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
