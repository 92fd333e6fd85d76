#!/usr/bin/env bash
# DNS response rate limiting (issue 18, [dns.rrl]) and DNS Cookies: a flood of queries from
# many spoofed sources in one /24 (scapy) gets at most the configured rate of full answers
# per second, every second limited answer slipped as a truncated one and the rest dropped; a
# client in another prefix, one in an exempt prefix, and one inside the flooded prefix that
# brings back its server cookie are answered throughout; dig +cookie gets a server cookie;
# dig over TCP is never limited; the counters match what went over the wire.
source "$(dirname "$0")/lib.sh"
e2e_setup dns_rrl

API_PORT=18057
RATE=10
PY=/usr/bin/python3   # Debian's python, which has scapy
{ base_config "el-rrl-$$" '"198.18.0.1/24"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[dns]
cookies = true

[dns.rrl]
rate = $RATE
slip = 2
exempt = ["198.18.8.0/24"]

[[dns.zones]]
name = "lan."
records = [ { name = "www", type = "A", data = "198.18.0.10" } ]
TOML
} >"$E2E_DIR/edge.toml"
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0

check "the appliance answers" wait_for 10 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short www.lan | grep -q 198.18.0.10"
MAC=$(in_ns ip neigh show 198.18.0.1 dev edge0 | awk '{ print $3 }')
check "the appliance's MAC is known ($MAC)" test -n "$MAC"

in_ns "$PY" - "$MAC" "$RATE" >"$E2E_DIR/flood.json" <<'EOF'
import json, sys, time
from scapy.all import AsyncSniffer, Ether, IP, UDP, DNS, DNSQR, sendp, get_if_hwaddr, conf
conf.verb = 0
mac, rate = sys.argv[1], int(sys.argv[2])
me = get_if_hwaddr("edge0")
def query(src, qid):
    return (Ether(src=me, dst=mac) / IP(src=src, dst="198.18.0.1") /
            UDP(sport=40000 + qid % 20000, dport=53) / DNS(id=qid, rd=0, qd=DNSQR(qname="www.lan")))
flood = [query("198.18.7.%d" % (1 + i % 200), i) for i in range(400)]          # one /24
other = [query("198.18.9.5", 10000 + i) for i in range(5)]                     # another /24
exempt = [query("198.18.8.%d" % (1 + i), 20000 + i) for i in range(40)]       # exempt /24
# A real client inside the flooded /24: its first answer (before the flood) gives it a server
# cookie, which it then brings along.
from scapy.all import EDNS0TLV, DNSRROPT, srp1
client_cookie = bytes(range(1, 9))
def with_cookie(qid, cookie):
    p = query("198.18.7.250", qid)
    p[DNS].ar = DNSRROPT(rclass=1232, rdata=[EDNS0TLV(optcode=10, optlen=len(cookie), optdata=cookie)])
    p[DNS].arcount = 1
    return p
first = srp1(with_cookie(30000, client_cookie), iface="edge0", timeout=3)
server_cookie = b""
if first is not None and first.haslayer(DNSRROPT):
    for o in first[DNSRROPT].rdata:
        if o.optcode == 10:
            server_cookie = bytes(o.optdata)
cookied = [with_cookie(30001 + i, server_cookie or client_cookie) for i in range(20)]
frames = []
for i, f in enumerate(flood):
    frames.append(f)
    if i % 80 == 0 and other:
        frames.append(other.pop())
    if i % 10 == 0 and exempt:
        frames.append(exempt.pop())
    if i % 20 == 0 and cookied:
        frames.append(cookied.pop())
frames += other + exempt + cookied
sn = AsyncSniffer(iface="edge0", filter="udp and src port 53 and src host 198.18.0.1")
sn.start()
time.sleep(0.5)
t0 = time.time()
sendp(frames, iface="edge0")
duration = time.time() - t0
time.sleep(1.5)
got = sn.stop()
out = {"duration": duration, "flood_full": 0, "flood_tc": 0, "other": 0, "exempt": 0,
       "cookie_len": len(server_cookie), "cookied": 0}
for p in got:
    if not p.haslayer(DNS):
        continue
    d = p[DNS]
    if d.id < 10000:
        out["flood_tc" if d.tc else "flood_full"] += 1
        assert not d.tc or d.ancount == 0, p.summary()
    elif d.id < 20000:
        out["other"] += int(d.ancount == 1 and not d.tc)
    elif d.id < 30000:
        out["exempt"] += int(d.ancount == 1 and not d.tc)
    elif d.id > 30000:
        out["cookied"] += int(d.ancount == 1 and not d.tc)
print(json.dumps(out))
EOF
e2e_log "flood: $(cat "$E2E_DIR/flood.json")"
in_ns curl -sf "http://127.0.0.1:$API_PORT/api/v1/stats" >"$E2E_DIR/stats.json"
# expect PYTHON_EXPR : true over the flood's figures (f) and the DNS stats (s).
expect() { "$PY" -c "import json,sys; f=json.load(open('$E2E_DIR/flood.json')); s=json.load(open('$E2E_DIR/stats.json'))['dns']; sys.exit(0 if ($1) else 1)"; }
# The flood spans at most duration+1 one-second windows of RATE full answers each.
check "the flooded /24 gets at most the rate of full answers per second" expect "0 < f['flood_full'] <= $RATE * (int(f['duration']) + 2)"
check "... every second limited answer slipped (TC, no data)" expect "abs(f['flood_tc'] - (400 - f['flood_full']) / 2) <= 2"
check "a client in another prefix is answered throughout (5 of 5)" expect "f['other'] == 5"
check "an exempt prefix is answered throughout (40 of 40)" expect "f['exempt'] == 40"
check "a client got a server cookie (8 + 16 octets)" expect "f['cookie_len'] == 24"
check "... and with it is answered throughout inside the flooded /24 (20 of 20)" expect "f['cookied'] == 20"
check "counters: its cookies were valid" expect "s['cookies_valid'] >= 20"
check "counters: slipped = TC answers seen" expect "s['rrl_slipped'] == f['flood_tc']"
check "counters: every flooded query answered, slipped or dropped" expect "f['flood_full'] + s['rrl_slipped'] + s['rrl_dropped'] == 400"
check "counters: the exempt prefix's limited answers counted" expect "s['rrl_exempt'] >= 40 - $RATE * 2"
in_ns dig @198.18.0.1 +cookie www.lan >"$E2E_DIR/dig_cookie.txt"
check "dig +cookie gets a server cookie back" grep -qE "COOKIE: [0-9a-f]{16}[0-9a-f]{32}" "$E2E_DIR/dig_cookie.txt"
check "TCP is never limited" bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +tcp +short www.lan | grep -q 198.18.0.10"

e2e_finish
