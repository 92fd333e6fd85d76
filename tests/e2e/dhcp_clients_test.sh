#!/usr/bin/env bash
# DHCPv4 end to end with real clients over net_tap: ISC dhclient, busybox udhcpc and dhcpcd
# each get a lease with the configured router, DNS servers and domain; dhclient renews and
# keeps its address and releases it (visible in the lease database); a relayed request
# (scapy, giaddr + option 82) gets an address from the relay's scope with option 82 echoed;
# after a restart the lease is still there and the client gets the same address.
source "$(dirname "$0")/lib.sh"
e2e_setup dhcp
PY=/usr/bin/python3   # Debian's python, which has scapy

prefix="edgelease-e2e-dhcp-$$"
{ base_config "$prefix" '"198.18.0.1/24"'; cat <<TOML

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "20s"
routers = ["198.18.0.1"]
dns_servers = ["198.18.0.1", "198.18.0.2"]
domain = "lan."

[[dhcp.scopes]]
name = "relayed"
subnet = "198.18.5.0/24"
pools = ["198.18.5.10-198.18.5.20"]
lease_time = "1h"
routers = ["198.18.5.1"]
dns_servers = ["198.18.0.1"]
TOML
} >"$E2E_DIR/edge.toml"

start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02

new_mac() { in_ns ip link set edge0 down; in_ns ip link set edge0 address "$1"; in_ns ip link set edge0 up; }

# --- ISC dhclient: lease, options, renewal, release ---------------------------------------
# dhclient runs its script with a clean environment: the record path is written into it.
RECORD="$E2E_DIR/dhclient.record"
cat >"$E2E_DIR/dhclient-script" <<SCRIPT
#!/bin/sh
# Records what dhclient was given and puts the address on the interface (renewals are
# unicast from it); routes and resolv.conf are left alone.
echo "\$reason ip=\$new_ip_address routers=\$new_routers dns=\$new_domain_name_servers domain=\$new_domain_name lease=\$new_dhcp_lease_time" >>"$RECORD"
case "\$reason" in
    BOUND|RENEW|REBIND|REBOOT) ip addr replace "\$new_ip_address/24" dev "\$interface" ;;
esac
exit 0
SCRIPT
chmod +x "$E2E_DIR/dhclient-script"
in_ns dhclient -4 -v -d -lf "$E2E_DIR/dhclient.leases" -pf "$E2E_DIR/dhclient.pid" \
    -sf "$E2E_DIR/dhclient-script" edge0 >"$E2E_DIR/dhclient.log" 2>&1 &
dhclient_pid=$!
check "dhclient: bound" wait_for 30 grep -q '^BOUND ' "$RECORD"
bound=$(grep -m1 '^BOUND ' "$RECORD" || true)
echo "dhclient: $bound"
ip1=$(sed -n 's/.* ip=\([0-9.]*\) .*/\1/p' <<<"$bound")
check "dhclient: address from the pool ($ip1)" grep -qE '^198\.18\.0\.1[0-9][0-9]$' <<<"$ip1"
check "dhclient: router" grep -q 'routers=198.18.0.1 ' <<<"$bound"
check "dhclient: DNS servers" grep -q 'dns=198.18.0.1 198.18.0.2 ' <<<"$bound"
check "dhclient: domain" grep -q 'domain=lan ' <<<"$bound"
check "dhclient: lease time" grep -q 'lease=20$' <<<"$bound"
check "the lease is in the database, bound" bash -c "'$E2E_BIN' --show-leases '$E2E_DIR/state' | grep -E '^$ip1 +bound'"
check "dhclient: renewal at T1 keeps the address" wait_for 25 grep -q "^RENEW ip=$ip1 " "$RECORD"
# -r signals the running dhclient (pid file), which sends DHCPRELEASE and exits.
in_ns dhclient -4 -r -lf "$E2E_DIR/dhclient.leases" -pf "$E2E_DIR/dhclient.pid" -sf "$E2E_DIR/dhclient-script" edge0 >>"$E2E_DIR/dhclient.log" 2>&1 || true
wait_for 10 bash -c "! kill -0 $dhclient_pid" || kill "$dhclient_pid" 2>/dev/null
wait "$dhclient_pid" 2>/dev/null || true
in_ns ip addr flush dev edge0
check "dhclient -r: the lease is released" wait_for 10 bash -c "'$E2E_BIN' --show-leases '$E2E_DIR/state' | grep -E '^$ip1 +released'"

# --- busybox udhcpc ----------------------------------------------------------------------
new_mac 02:00:00:00:00:03
cat >"$E2E_DIR/udhcpc-script" <<'SCRIPT'
#!/bin/sh
[ "$1" = bound ] && echo "bound ip=$ip router=$router dns=$dns domain=$domain subnet=$subnet" >>"$RECORD"
exit 0
SCRIPT
chmod +x "$E2E_DIR/udhcpc-script"
RECORD="$E2E_DIR/udhcpc.record" in_ns env RECORD="$E2E_DIR/udhcpc.record" \
    timeout 30 udhcpc -i edge0 -f -q -n -t 5 -T 2 -s "$E2E_DIR/udhcpc-script" >"$E2E_DIR/udhcpc.log" 2>&1 || true
out=$(cat "$E2E_DIR/udhcpc.record" 2>/dev/null || true)
echo "udhcpc: $out"
check "udhcpc: bound with an address from the pool" grep -qE 'ip=198\.18\.0\.1[0-9][0-9] ' <<<"$out"
check "udhcpc: router, DNS, domain and mask" grep -qE 'router=198\.18\.0\.1 dns=198\.18\.0\.1 198\.18\.0\.2 domain=lan subnet=255\.255\.255\.0' <<<"$out"
ip_udhcpc=$(sed -n 's/.*ip=\([0-9.]*\) .*/\1/p' <<<"$out")
check "udhcpc got its own address, not dhclient's" test "$ip_udhcpc" != "$ip1"

# --- dhcpcd (one shot, in the foreground, no config file; its script records the lease) ----
new_mac 02:00:00:00:00:04
cat >"$E2E_DIR/dhcpcd-script" <<SCRIPT
#!/bin/sh
echo "\$reason ip=\$new_ip_address routers=\$new_routers dns=\$new_domain_name_servers domain=\$new_domain_name" >>"$E2E_DIR/dhcpcd.record"
SCRIPT
chmod +x "$E2E_DIR/dhcpcd-script"
# dhcpcd keeps leases in /var/lib/dhcpcd by interface name across runs. A lease from an
# earlier run makes it start with INIT-REBOOT, which a server without that binding must
# leave unanswered (RFC 2131 §4.3.2): the run then depends on dhcpcd's fallback timer.
# This test made the interface; its lease file goes before and after.
rm -f /var/lib/dhcpcd/edge0.lease
in_ns timeout -k 2 40 dhcpcd -4 -1 -B -f /dev/null -c "$E2E_DIR/dhcpcd-script" edge0 >"$E2E_DIR/dhcpcd.log" 2>&1 || true
out=$(grep '^BOUND ' "$E2E_DIR/dhcpcd.record" 2>/dev/null || true)
echo "dhcpcd: $out"
[ -n "$out" ] || { echo "dhcpcd bound nothing; its log:"; tail -n 30 "$E2E_DIR/dhcpcd.log"; }
rm -f /var/lib/dhcpcd/edge0.lease
check "dhcpcd: address" grep -qE "ip=198\.18\.0\.1[0-9][0-9] " <<<"$out"
check "dhcpcd: router" grep -q "routers=198.18.0.1 " <<<"$out"
check "dhcpcd: DNS servers" grep -q "dns=198.18.0.1 198.18.0.2 " <<<"$out"
check "dhcpcd: domain" grep -q "domain=lan" <<<"$out"
in_ns ip addr flush dev edge0
in_ns ip route flush dev edge0 2>/dev/null || true

# --- a relayed DISCOVER (scapy acts as the relay agent) -----------------------------------
new_mac 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
wait_for 5 in_ns ping -c 1 -W 1 198.18.0.1
out=$(in_ns "$PY" - <<'PYEOF'
from scapy.all import Ether, IP, UDP, BOOTP, DHCP, sendp, AsyncSniffer, get_if_hwaddr, conf
import time
conf.verb = 0
mac = get_if_hwaddr("edge0")
chaddr = bytes.fromhex("020000aabbcc") + b"\0" * 10
opt82 = bytes([1, 6]) + b"port-7" + bytes([2, 5]) + b"olt-1"
req = (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="198.18.0.2", dst="198.18.0.1") /
       UDP(sport=67, dport=67) /
       BOOTP(op=1, xid=0x1234abcd, giaddr="198.18.5.1", chaddr=chaddr, hops=1) /
       DHCP(options=[("message-type", "discover"), ("relay_agent_information", opt82), "end"]))
sn = AsyncSniffer(iface="edge0", filter="udp and src port 67 and dst port 67 and src host 198.18.0.1")
sn.start(); time.sleep(0.5)
for _ in range(3):
    sendp(req, iface="edge0")
    time.sleep(1)
    if sn.results: break
sn.stop()
for p in sn.results:
    if BOOTP in p and p[BOOTP].xid == 0x1234abcd:
        opts = {o[0]: o[1] for o in p[DHCP].options if isinstance(o, tuple)}
        print("yiaddr=%s dst=%s ethdst=%s type=%s opt82=%s" % (p[BOOTP].yiaddr, p[IP].dst, p[Ether].dst,
              opts.get("message-type"), opts.get("relay_agent_information", b"").hex()))
        break
else:
    print("no reply")
PYEOF
)
echo "relay: $out"
check "relayed DISCOVER: OFFER from the relay's scope" grep -qE 'yiaddr=198\.18\.5\.(1[0-9]|20) ' <<<"$out"
check "relayed: sent to the relay (giaddr) at the relay's MAC" grep -qE "dst=198\.18\.5\.1 ethdst=02:00:00:00:00:02 type=2 " <<<"$out"
check "relayed: option 82 echoed" grep -q "opt82=$(printf 'port-7' | od -An -tx1 | tr -d ' \n' | sed 's/^/0106/')" <<<"$out"

# --- counters through DPDK telemetry ---------------------------------------------------------
stats=$(echo /edgelease/dhcp | in_ns dpdk-telemetry.py -f "$prefix" 2>/dev/null || true)
store=$(echo /edgelease/lease_store | in_ns dpdk-telemetry.py -f "$prefix" 2>/dev/null || true)
echo "telemetry: $stats $store"
check "telemetry: DHCP requests, ACKs and group commits counted" python3 -c "
import json,sys; d=json.loads(sys.argv[1])['/edgelease/dhcp']; s=json.loads(sys.argv[2])['/edgelease/lease_store']
rx, sent = d['requests_received'], d['replies']
assert rx['discover']>=4 and rx['request']>=3 and rx['release']>=1, d
assert sent['offer']>=4 and sent['ack']>=3 and d['acks_held']>=3, d
assert s['commits']>=1 and s['failures']==0 and d['malformed']==0, (d, s)" "$stats" "$store"

# --- restart: the lease survives and the client gets the same address -------------------
new_mac 02:00:00:00:00:03
rc=0; stop_appliance || rc=$?
check "stopped cleanly (status $rc)" test "$rc" -eq 0
check "lease still in the database after stop" bash -c "'$E2E_BIN' --show-leases '$E2E_DIR/state' | grep -E '^$ip_udhcpc +bound'"
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:03
in_ns ip addr flush dev edge0
rm -f "$E2E_DIR/udhcpc.record"
in_ns env RECORD="$E2E_DIR/udhcpc.record" timeout 30 udhcpc -i edge0 -f -q -n -t 5 -T 2 \
    -s "$E2E_DIR/udhcpc-script" >>"$E2E_DIR/udhcpc.log" 2>&1 || true
check "after restart udhcpc gets the same address ($ip_udhcpc)" grep -q "ip=$ip_udhcpc " "$E2E_DIR/udhcpc.record"
check "restored leases are logged" grep -qE "lease\(s\) restored" "$E2E_DIR/appliance.log"

rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
