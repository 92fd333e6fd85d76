#!/usr/bin/env bash
# One command: install and build (scripts/setup.sh), start the appliance on
# config/examples/quickstart.toml inside a fresh network namespace (DPDK on a net_tap vdev,
# no NIC or hugepages needed), show real clients there being answered (DHCPv4, DHCPv6 with an
# address and a delegated prefix, one name with its A and AAAA, DNS over both families), then
# tear down.
#   DEMO_KEEP=1   leave the appliance running until Enter is pressed
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
[ "$(id -u)" = 0 ] || { echo "demo.sh needs root (network namespaces, tap devices)"; exit 1; }

bash scripts/setup.sh

ns="edgelease-demo-$$"
work=$(mktemp -d /tmp/edgelease-demo.XXXXXX)
pid=""
cleanup() {
    set +e
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"; wait "$pid"; echo "appliance exited with status $?"
    fi
    [ -f "$work/dhclient.pid" ] && kill "$(cat "$work/dhclient.pid")" 2>/dev/null
    [ -f "$work/dhclient6.pid" ] && kill "$(cat "$work/dhclient6.pid")" 2>/dev/null
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The quickstart config, with state kept in the demo's scratch directory.
sed -e "s|^state_dir = .*|state_dir = \"$work/state\"|" \
    -e "s|--no-shconf\"|--no-shconf\", \"--file-prefix=edgelease-demo-$$\"|" \
    config/examples/quickstart.toml >"$work/quickstart.toml"
build/app/edgelease --check-config "$work/quickstart.toml"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting edgelease in namespace $ns (net_tap0 -> kernel interface edge0)"
ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" build/app/edgelease --config "$work/quickstart.toml" >"$work/edgelease.log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do
    grep -q "edgelease running" "$work/edgelease.log" 2>/dev/null && ip -n "$ns" link show edge0 >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/edgelease.log"; exit 1; }
    sleep 0.1
done
grep -q "edgelease running" "$work/edgelease.log" || { cat "$work/edgelease.log"; echo "appliance did not start"; exit 1; }
sed 's/^/  | /' "$work/edgelease.log"

step "the client side of the link: edge0 with 198.18.0.2/24 and 2001:db8::2/64"
# net_tap gives the kernel end the DPDK port's MAC; the client is another host: own MAC.
ip -n "$ns" link set edge0 down
ip -n "$ns" link set edge0 address 02:00:00:00:00:02
ip -n "$ns" link set edge0 up
ip -n "$ns" addr add 198.18.0.2/24 dev edge0
ip netns exec "$ns" sysctl -qw net.ipv6.conf.edge0.accept_dad=0
ip -n "$ns" -6 addr add 2001:db8::2/64 dev edge0 nodad

step "arping 198.18.0.1 (ARP answered by the worker lcore)"
ip netns exec "$ns" arping -c 3 -w 5 -I edge0 198.18.0.1
step "ping 198.18.0.1 (ICMP echo)"
ip netns exec "$ns" ping -c 3 -i 0.2 -W 2 198.18.0.1
step "ping -6 2001:db8::1 (neighbour discovery, then ICMPv6 echo)"
ip netns exec "$ns" ping -6 -c 3 -i 0.2 -W 2 2001:db8::1
ip netns exec "$ns" ip -6 neigh show dev edge0

step "dhclient gets a lease for demo-client (DORA through the control lcore; the ACK leaves after the LMDB commit)"
cat >"$work/dhclient-script" <<SCRIPT
#!/bin/sh
case "\$reason" in BOUND|RENEW|REBIND) echo "  dhclient \$reason: address \$new_ip_address/\$new_subnet_mask router \$new_routers dns \$new_domain_name_servers domain \$new_domain_name lease \$new_dhcp_lease_time s" ;;
  BOUND6|RENEW6|REBIND6) echo "  dhclient -6 \$reason: \${new_ip6_address:+address \$new_ip6_address/\$new_ip6_prefixlen }\${new_ip6_prefix:+delegated prefix \$new_ip6_prefix }dns \$new_dhcp6_name_servers" ;; esac
exit 0
SCRIPT
chmod +x "$work/dhclient-script"
echo 'send host-name "demo-client";' >"$work/dhclient.conf"
ip netns exec "$ns" timeout 30 dhclient -4 -1 -v -cf "$work/dhclient.conf" -lf "$work/dhclient.leases" -pf "$work/dhclient.pid" \
    -sf "$work/dhclient-script" edge0 2>&1 | grep -E "DHCP(DISCOVER|OFFER|REQUEST|ACK)|dhclient (BOUND|RENEW)"
build/app/edgelease --show-leases "$work/state"

step "dhclient -6 -N -P: the same host asks for an IPv6 address (IA_NA) and a delegated prefix (IA_PD)"
# dhclient -6 binds to the link-local address, which must have passed DAD first (bounded).
for _ in $(seq 1 100); do
    ip -n "$ns" -6 addr show dev edge0 scope link | grep -q inet6 &&
        ! ip -n "$ns" -6 addr show dev edge0 scope link | grep -q tentative && break
    sleep 0.1
done
cat >"$work/dhclient6.conf" <<CONF
send fqdn.fqdn "demo-client.lan.";
send fqdn.server-update on;
request dhcp6.name-servers;
CONF
ip netns exec "$ns" timeout 30 dhclient -6 -N -P -1 -v -cf "$work/dhclient6.conf" -lf "$work/dhclient6.leases" \
    -pf "$work/dhclient6.pid" -sf "$work/dhclient-script" edge0 2>&1 |
    grep -E "^(XMT|RCV): |dhclient -6 (BOUND6|RENEW6)" | grep -vE "^(XMT|RCV):  "
step "edgelease-ctl leases list: both families through the management API"
ip netns exec "$ns" build/app/edgelease-ctl --api http://127.0.0.1:8053 leases list

step "dig demo-client.lan A and AAAA: one host, one name, both families"
# The AAAA is published with the lease; the name has both records at once.
for _ in $(seq 1 50); do
    [ -n "$(ip netns exec "$ns" dig +short @198.18.0.1 demo-client.lan AAAA)" ] && break
    sleep 0.1
done
ip netns exec "$ns" dig @198.18.0.1 +norec +noall +answer demo-client.lan A demo-client.lan AAAA
v6=$(ip netns exec "$ns" dig +short @198.18.0.1 demo-client.lan AAAA)
[ -n "$v6" ] && ip netns exec "$ns" dig @2001:db8::1 +norec +noall +answer -x "$v6"
ip netns exec "$ns" build/app/edgelease-ctl --api http://127.0.0.1:8053 records list lan. --name demo-client

step "dig @198.18.0.1 my-server.lan (answered on the worker lcore from the zone view)"
ip netns exec "$ns" dig @198.18.0.1 +norec my-server.lan A
step "dig @2001:db8::1 nothere.lan (NXDOMAIN with the zone's SOA, over IPv6)"
ip netns exec "$ns" dig @2001:db8::1 +norec +noall +comments +authority nothere.lan A

if [ "${DEMO_KEEP:-0}" = 1 ]; then
    step "appliance left running in namespace $ns; press Enter to stop"
    read -r _
fi
step "stopping (SIGTERM)"
kill -TERM "$pid"
rc=0; wait "$pid" || rc=$?
pid=""
tail -n 4 "$work/edgelease.log" | sed 's/^/  | /'
echo "appliance exited with status $rc"
[ "$rc" -eq 0 ]
