#!/usr/bin/env bash
# DNS over TCP (issue 17): real clients in the test namespace, the appliance on net_tap, its
# TCP served by the exception path's kernel (private namespace) and answered from the
# workers' zone view.
#   - dig +tcp over IPv4 and IPv6; a truncated UDP answer retried over TCP comes whole;
#   - kdig +keepopen: several queries on one connection (one connection counted);
#   - edns-tcp-keepalive announces the idle timeout; dnsperf -m tcp loses nothing;
#   - idle, slow (a trickled query), malformed and over-the-limit connections are closed
#     and counted by reason.
source "$(dirname "$0")/lib.sh"
e2e_setup dns_tcp

API_PORT=18054
{ base_config "el-tcp-$$" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[dns]
tcp_idle_timeout = "2s"
tcp_max_per_client = 4

[[dns.zones]]
name = "lan."
records = [
  { name = "www", type = "A", data = "198.18.0.10" },
  { name = "www", type = "AAAA", data = "2001:db8::10" },
TOML
for i in $(seq 100 159); do
    printf '  { name = "big", type = "TXT", data = "\\"%s%s\\"" },\n' "$i" "$(printf 'x%.0s' $(seq 1 180))"
done
echo "]"
} >"$E2E_DIR/edge.toml"
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad

# metric NAME_AND_LABELS : its value now (0 when absent).
metric() {
    in_ns curl -s "http://127.0.0.1:$API_PORT/metrics" |
        awk -v m="$1" 'index($0, m " ") == 1 { print $2; found = 1 } END { if (!found) print 0 }'
}
closed() { metric "edgelease_dns_tcp_connections_closed_total{reason=\"$1\"}"; }
dig_() { in_ns dig @198.18.0.1 +time=3 +tries=1 "$@"; }

check "the log names the TCP endpoints" grep -q "DNS over TCP on 198.18.0.1:53, \[2001:db8::1\]:53" "$E2E_DIR/appliance.log"
check "dig +tcp over IPv4" wait_for 10 bash -c "test \"\$(ip netns exec $E2E_NS dig @198.18.0.1 +tcp +short +time=2 +tries=1 www.lan)\" = 198.18.0.10"
check "dig +tcp over IPv6" test "$(in_ns dig @2001:db8::1 +tcp +short +time=3 +tries=1 www.lan AAAA)" = 2001:db8::10
dig_ +ignore +bufsize=1232 big.lan TXT >"$E2E_DIR/udp.txt"
check "over UDP the big RRset is truncated (TC)" grep -qE "flags: qr aa tc" "$E2E_DIR/udp.txt"
dig_ +bufsize=1232 big.lan TXT >"$E2E_DIR/retry.txt"
check "dig's retry over TCP after TC gets all 60 records" test "$(grep -cE '^big\.lan\.[[:space:]].*TXT' "$E2E_DIR/retry.txt")" = 60
check "... and the answer says it came over TCP" grep -q "(TCP)" "$E2E_DIR/retry.txt"

before=$(metric edgelease_dns_tcp_connections_accepted_total)
in_ns kdig @198.18.0.1 +tcp +keepopen +timeout=3 www.lan A www.lan AAAA big.lan TXT nope.lan A www.lan A >"$E2E_DIR/kdig.txt" 2>&1
after=$(metric edgelease_dns_tcp_connections_accepted_total)
check "kdig +keepopen: five answers" test "$(grep -c '^;; ->>HEADER<<-' "$E2E_DIR/kdig.txt")" = 5
check "kdig +keepopen: NXDOMAIN for the missing name" grep -q "status: NXDOMAIN" "$E2E_DIR/kdig.txt"
check "kdig +keepopen: one connection for the five ($before -> $after)" test "$((after - before))" = 1

dig_ +tcp +keepalive www.lan >"$E2E_DIR/keepalive.txt"
check "edns-tcp-keepalive announces the 2 s idle timeout" grep -qiE "KEEPALIVE: 2.0 secs" "$E2E_DIR/keepalive.txt"

printf 'www.lan A\nwww.lan AAAA\nbig.lan TXT\nnope.lan A\n' >"$E2E_DIR/queries.txt"
in_ns dnsperf -m tcp -s 198.18.0.1 -d "$E2E_DIR/queries.txt" -l 3 -c 2 -q 20 >"$E2E_DIR/dnsperf.txt" 2>&1 || true
completed=$(awk '/Queries completed:/ { print $3 }' "$E2E_DIR/dnsperf.txt")
check "dnsperf -m tcp: queries answered (${completed:-none})" test "${completed:-0}" -ge 100
check "dnsperf -m tcp: none lost" grep -qE "Queries lost: +0 " "$E2E_DIR/dnsperf.txt"

# Hostile clients, each from Python's plain sockets.
hostile() { in_ns timeout 20 /usr/bin/python3 - "$@" <<'PY'
import socket, sys, time
what = sys.argv[1]
def conn():
    s = socket.create_connection(("198.18.0.1", 53), timeout=10)
    return s
def closed_by_peer(s, limit):
    s.settimeout(limit)
    try:
        return s.recv(1) == b""
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True
t0 = time.monotonic()
if what == "idle":
    s = conn()
    ok = closed_by_peer(s, 6)
    print("closed" if ok else "open", round(time.monotonic() - t0, 2))
elif what == "slow":
    # A 30-octet query, one octet every 0.3 s: 9 s to send, far past the 2 s timeout.
    s = conn(); q = b"\x00\x1c" + bytes(28)
    for b in q:
        try:
            s.send(bytes([b]))
        except OSError:
            break
        if closed_by_peer(s, 0.3):
            print("closed", round(time.monotonic() - t0, 2)); sys.exit(0)
    print("open", round(time.monotonic() - t0, 2))
elif what == "malformed":
    s = conn(); s.send(b"\x00\x05hello")
    print("closed" if closed_by_peer(s, 3) else "open")
elif what == "limit":
    held = [conn() for _ in range(4)]
    time.sleep(0.2)
    extra = conn()
    print("closed" if closed_by_peer(extra, 3) else "open",
          "held-open" if not any(closed_by_peer(h, 0.05) for h in held) else "held-closed")
PY
}
out=$(hostile idle)
check "an idle connection is closed at the timeout ($out)" bash -c "[[ '$out' == closed* ]] && awk '{ exit !(\$2 >= 1.5 && \$2 < 5) }' <<<'$out'"
out=$(hostile slow)
check "a trickled query does not keep its connection ($out)" bash -c "[[ '$out' == closed* ]] && awk '{ exit !(\$2 < 5) }' <<<'$out'"
out=$(hostile malformed)
check "a length below a DNS header closes the connection ($out)" test "$out" = closed
out=$(hostile limit)
check "a fifth connection from one address is refused, the four kept ($out)" test "$out" = "closed held-open"
check "closed connections counted: idle ($(closed idle))" test "$(closed idle)" -ge 2
check "... malformed ($(closed malformed))" test "$(closed malformed)" -ge 1
check "... limit_client ($(closed limit_client))" test "$(closed limit_client)" -ge 1
check "TCP answers counted by rcode" test "$(metric 'edgelease_dns_tcp_responses_total{rcode="NOERROR"}')" -ge 100
check "UDP still answered by the workers" test "$(dig_ +short www.lan)" = 198.18.0.10

rc=0; stop_appliance || rc=$?
check "clean stop (status $rc)" test "$rc" -eq 0
check "the final stats line counts TCP" grep -qE "final stats: .*tcp_conns=[1-9]" "$E2E_DIR/appliance.log"

e2e_finish
