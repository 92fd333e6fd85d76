#!/usr/bin/env bash
# The exception path (issue 17): frames for the appliance's addresses that the workers do not
# answer go to a Linux kernel through a tap, and its answers come back out through the port.
#   1. net_tap, the kernel side in a named namespace: TCP over IPv4 and IPv6 to a server
#      there, through the appliance; a closed port answers RST; the counters say so.
#   2. [exception] enabled = false: a TCP SYN is dropped and counted as before.
#   3. The production-like topology: the appliance alone in its namespace on a veth through
#      net_af_packet (whose kernel also sees the link's frames), the kernel side in the
#      default private namespace: TCP is answered once, by the exception path, and DNS over
#      UDP and ping still by the workers.
source "$(dirname "$0")/lib.sh"
e2e_setup exception

XNS="elx-e2e-$$"
ip netns add "$XNS"
APP_NS=""
cleanup_more() {
    ip netns del "$XNS" 2>/dev/null
    [ -n "$APP_NS" ] && ip netns del "$APP_NS" 2>/dev/null
    return 0
}
trap 'rc=$?; set +e; cleanup_more; (exit $rc); e2e_cleanup' EXIT

zone() {
    cat <<TOML

[[dns.zones]]
name = "lan."
records = [ { name = "www", type = "A", data = "198.18.0.10" } ]
TOML
}

# tcp_get NS ADDRESS PORT : what a TCP server at ADDRESS:PORT sends, seen from NS.
tcp_get() { ip netns exec "$1" timeout 5 bash -c "exec 3<>/dev/tcp/$2/$3 && cat <&3" 2>&1 || true; }
# final_stat NAME : the appliance's last stats line's NAME=value.
final_stat() { grep "final stats" "$E2E_DIR/appliance.log" | grep -oE "(^| )$1=[0-9]+" | cut -d= -f2; }

# --- 1: net_tap, kernel side in a named namespace ---------------------------------------
{ base_config "el-exc-$$" '"198.18.0.1/24", "2001:db8::1/64"'; zone; cat <<TOML

[exception]
namespace = "$XNS"
TOML
} >"$E2E_DIR/edge.toml"
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad
check "the exception interface holds the port's addresses" wait_for 10 bash -c \
    "ip -n $XNS addr show elx0 | grep -q 198.18.0.1/24 && ip -n $XNS addr show elx0 | grep -q 2001:db8::1/64"
check "... in its namespace only (the clients' has no such interface)" bash -c "! ip -n $E2E_NS link show elx0 2>/dev/null"
# A server in the kernel's namespace: one line to each of two clients, then it ends.
ip netns exec "$XNS" timeout 30 python3 -c '
import socket, threading
def serve(fam, addr, msg):
    s = socket.socket(fam); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8053)); s.listen(); c, _ = s.accept(); c.sendall(msg); c.close()
t = threading.Thread(target=serve, args=(socket.AF_INET6, "2001:db8::1", b"kernel6\n")); t.start()
serve(socket.AF_INET, "198.18.0.1", b"kernel4\n"); t.join()' >"$E2E_DIR/server.log" 2>&1 &
SERVER=$!
listening() { ip netns exec "$XNS" ss -ltn | grep -q '198.18.0.1:8053' && ip netns exec "$XNS" ss -ltn | grep -q '2001:db8::1\]:8053'; }
check "the kernel-side server listens" wait_for 10 listening
check "TCP over IPv4 through the exception path" test "$(tcp_get "$E2E_NS" 198.18.0.1 8053)" = kernel4
check "TCP over IPv6 through the exception path" test "$(tcp_get "$E2E_NS" 2001:db8::1 8053)" = kernel6
wait "$SERVER" 2>/dev/null || true
out=$(tcp_get "$E2E_NS" 198.18.0.1 9)
check "a closed port is refused at once (the kernel's RST)" grep -q "refused" <<<"$out"
check "UDP DNS is still the workers'" test "$(in_ns dig @198.18.0.1 +short +time=2 +tries=1 www.lan)" = 198.18.0.10
# The client comes back with another MAC (a new machine, a rebuilt VM) and asks for the
# appliance's address again: the kernel must follow at once, not after its entry goes stale.
check "the kernel knows the client's first MAC" wait_for 5 bash -c "ip -n $XNS neigh show 198.18.0.2 | grep -q 02:00:00:00:00:02"
new_mac 02:00:00:00:00:09
in_ns ip neigh flush dev edge0
ip netns exec "$XNS" timeout 10 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.0.1", 8054)); s.listen(); c, _ = s.accept(); c.sendall(b"again\n"); c.close()' &
SERVER=$!
check "the kernel-side server listens again" wait_for 10 bash -c "ip netns exec $XNS ss -ltn | grep -q 198.18.0.1:8054"
check "TCP works at once from the new MAC" test "$(tcp_get "$E2E_NS" 198.18.0.1 8054)" = again
check "the kernel learnt the new MAC from the copied ARP request" bash -c "ip -n $XNS neigh show 198.18.0.2 | grep -q 02:00:00:00:00:09"
wait "$SERVER" 2>/dev/null || true
arp_replies=$(in_ns timeout 3 arping -c 2 -w 3 -I edge0 198.18.0.1 2>/dev/null | grep -c "reply from" || true)
check "ARP is answered once per request, by the workers only ($arp_replies replies to 2)" test "$arp_replies" = 2
rc=0; stop_appliance || rc=$?
check "clean stop (status $rc)" test "$rc" -eq 0
check "frames counted to the kernel ($(final_stat to_kernel))" test "$(final_stat to_kernel)" -ge 6
check "frames counted from the kernel ($(final_stat from_kernel))" test "$(final_stat from_kernel)" -ge 6
check "the exception interface is gone with the appliance" bash -c "! ip -n $XNS link show elx0 2>/dev/null"

# --- 2: disabled: TCP is a counted drop -----------------------------------------------
{ base_config "el-exc2-$$" '"198.18.0.1/24"'; zone; cat <<TOML

[exception]
enabled = false
TOML
} >"$E2E_DIR/off.toml"
start_appliance "$E2E_DIR/off.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0 2>/dev/null || true
out=$(tcp_get "$E2E_NS" 198.18.0.1 53)
check "disabled: a SYN is not answered (times out, no RST)" bash -c "! grep -q refused <<<'$out'"
check "disabled: no exception interface made" bash -c "! grep -q 'exception path to the kernel through' '$E2E_DIR/appliance.log'"
check "disabled: the log says DNS over TCP is off, and why" grep -q "DNS over TCP is off: it needs the exception path" "$E2E_DIR/appliance.log"
rc=0; stop_appliance || rc=$?
check "disabled: the SYNs counted as proto_unhandled drops" grep -qE "final stats: .*proto_unhandled=[1-9]" "$E2E_DIR/appliance.log"
check "disabled: nothing to the kernel" test "$(final_stat to_kernel)" = 0

# --- 3: the appliance alone in its namespace on a veth (net_af_packet) -----------------
APP_NS="elx-app-$$"
ip netns add "$APP_NS"
ip netns exec "$APP_NS" ip link set lo up
in_ns ip link del edge0 2>/dev/null || true
in_ns ip link add el-c0 type veth peer name el-a0
in_ns ip link set el-a0 netns "$APP_NS"
in_ns ethtool -K el-c0 tx off >/dev/null
ip netns exec "$APP_NS" ethtool -K el-a0 tx off >/dev/null
in_ns ip link set el-c0 up
ip netns exec "$APP_NS" ip link set el-a0 up
in_ns ip addr add 198.18.0.2/24 dev el-c0
{ base_config "el-exc3-$$" '"198.18.0.1/24"' net_af_packet0,iface=el-a0; zone; } >"$E2E_DIR/veth.toml"
ip netns exec "$APP_NS" "$E2E_BIN" --config "$E2E_DIR/veth.toml" >"$E2E_DIR/appliance.log" 2>&1 &
E2E_PID=$!
check "af_packet: the appliance runs" wait_for 30 grep -q "edgelease running" "$E2E_DIR/appliance.log"
check "af_packet: the kernel side is a private namespace" grep -q "exception path to the kernel through elx0 .*private" "$E2E_DIR/appliance.log"
check "af_packet: ping answered" wait_for 10 in_ns ping -c 1 -W 1 198.18.0.1
check "af_packet: UDP DNS answered by the workers" test "$(in_ns dig @198.18.0.1 +short +time=2 +tries=1 www.lan)" = 198.18.0.10
out=$(tcp_get "$E2E_NS" 198.18.0.1 9)
check "af_packet: TCP reaches the private kernel (RST for the closed port)" grep -q "refused" <<<"$out"
check "af_packet: DNS over TCP answered (by the kernel's socket)" test "$(in_ns dig @198.18.0.1 +tcp +short +time=2 +tries=1 www.lan)" = 198.18.0.10
# The appliance namespace's own kernel holds no address of the link: it never answers.
check "af_packet: the appliance's namespace has no 198.18.0.1" bash -c "! ip -n $APP_NS addr | grep -q 198.18.0.1"
rc=0; stop_appliance || rc=$?
check "af_packet: clean stop (status $rc)" test "$rc" -eq 0
check "af_packet: the RST came from the kernel through the port ($(final_stat from_kernel))" test "$(final_stat from_kernel)" -ge 1

e2e_finish
