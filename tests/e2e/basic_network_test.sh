#!/usr/bin/env bash
# The appliance on a net_tap vdev in a namespace answers ARP, ping, IPv6 ND and ping -6 from
# the kernel on the other side of the tap, reports counters through DPDK telemetry, and
# stops with exit status 0 on SIGTERM.
source "$(dirname "$0")/lib.sh"
e2e_setup basic

prefix="edgelease-e2e-basic-$$"
base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"' net_tap0,iface=edge0 'stats_interval = "1s"' \
    >"$E2E_DIR/edge.toml"

start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad
in_ns sysctl -qw net.ipv6.conf.edge0.accept_dad=0

check "arping gets replies" in_ns arping -c 3 -w 5 -I edge0 198.18.0.1
check "ping gets replies" in_ns ping -c 3 -W 2 -i 0.2 198.18.0.1
check "ping -6 resolves the neighbour and gets replies" in_ns ping -6 -c 3 -W 2 -i 0.2 2001:db8::1
check "the neighbour entry learnt by ND is the appliance's MAC" \
    bash -c "ip netns exec $E2E_NS ip -6 neigh show 2001:db8::1 dev edge0 | grep -q lladdr"
ll=$(in_ns ip -6 neigh show 2001:db8::1 dev edge0 | awk '{print $3}')
# The EUI-64 link-local address derived from that MAC answers too.
check "ping -6 to the appliance's link-local address" in_ns ping -6 -c 2 -W 2 -i 0.2 "fe80::$(python3 -c "
m=[int(x,16) for x in '$ll'.split(':')]; m[0]^=2
print('%x:%x:%x:%x' % (m[0]<<8|m[1], m[2]<<8|0xff, 0xfe<<8|m[3], m[4]<<8|m[5]))")%edge0"
check "a ping to a foreign address on the subnet gets no answer" \
    bash -c "! ip netns exec $E2E_NS ping -c 1 -W 1 198.18.0.3 >/dev/null 2>&1"

telemetry() { echo "$1" | in_ns dpdk-telemetry.py -f "$prefix" 2>/dev/null; }
stats=$(telemetry /edgelease/packets || true)
echo "telemetry: $stats"
check "telemetry counts ARP replies" python3 -c "
import json,sys; d=json.loads(sys.argv[1])['/edgelease/packets']['inline_answers']; assert d['arp']>=3, d; assert d['icmp_echo']>=3, d
assert d['icmp6_echo']>=3, d; assert d['nd']>=1, d" "$stats"
check "telemetry lists worker, control and sweeper lcores" python3 -c "
import json,sys; d=json.loads(sys.argv[1])['/edgelease/lcores']; assert {'worker_0','control_0','sweeper_0'} <= set(d), d
assert all(v['loops']>0 for v in d.values()), d" "$(telemetry /edgelease/lcores || true)"
check "the periodic stats line is logged" wait_for 5 grep -q "stats: rx=" "$E2E_DIR/appliance.log"

rc=0
stop_appliance || rc=$?
check "SIGTERM stops the appliance with exit status 0 (got $rc)" test "$rc" -eq 0
check "shutdown is logged" grep -q "EAL cleaned up" "$E2E_DIR/appliance.log"
e2e_finish
