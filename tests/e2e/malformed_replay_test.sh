#!/usr/bin/env bash
# Malformed-traffic replay: tests/data/pcap/malformed.pcap (hostile and broken frames, then a
# few well-formed queries; see make_malformed.py there) goes into the running appliance once
# through a net_pcap vdev (rx_pcap); what it sends is captured (tx_pcap). Checks: the
# appliance keeps running and still answers; every frame is accounted for (rx == drops by
# reason + inline answers + DNS answers + DHCP requests handed to the control lcore), each
# drop reason has the count the file's expectations give; the well-formed queries (and the
# FORMERR cases) got their answers, and nothing else was sent.
source "$(dirname "$0")/lib.sh"
e2e_setup malformed
PY=/usr/bin/python3   # Debian's python, which has scapy
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
API_PORT=18054
DATA="$EDGELEASE_SOURCE_DIR/tests/data/pcap"
EXPECT="$DATA/malformed.expect.json"
TX="$E2E_DIR/tx.pcap"

prefix="edgelease-e2e-malformed-$$"
{ base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"' \
    "net_pcap0,rx_pcap=$DATA/malformed.pcap,tx_pcap=$TX" 'stats_interval = "1s"'
  cat <<TOML

[[interfaces]]
port = "net_pcap0"
vlan = 100
addresses = ["198.18.0.1/24"]

[[interfaces]]
port = "net_pcap0"
vlan = 200
inner_vlan = 300
addresses = ["198.18.0.1/24"]

# The file's expectations are the workers' own verdicts (TCP and fragments to us are drops);
# handing those to a kernel is e2e.exception's.
[exception]
enabled = false

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."
records = [ { name = "my-server", type = "A", data = "198.18.0.50" } ]

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "1h"
routers = ["198.18.0.1"]
TOML
} >"$E2E_DIR/edge.toml"

# net_pcap makes no kernel interface: wait for the lcores only.
ip netns exec "$E2E_NS" "$E2E_BIN" --config "$E2E_DIR/edge.toml" >"$E2E_DIR/appliance.log" 2>&1 &
E2E_PID=$!
check "the appliance starts on net_pcap" wait_for 30 grep -q "edgelease running" "$E2E_DIR/appliance.log"
# The frames in the file are addressed to net_pcap's MAC for its first port.
check "net_pcap0 has the MAC the frames are addressed to" \
    grep -q "port 'net_pcap0'.*mac 02:70:63:61:70:00" "$E2E_DIR/appliance.log"

stats() { in_ns curl -sf --max-time 2 "http://127.0.0.1:$API_PORT/api/v1/stats"; }
nframes=$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['frames'])" "$EXPECT")
rx_is() { [ "$(stats | $PY -c "import json,sys; print(json.load(sys.stdin)['packets']['rx_packets'])")" = "$1" ]; }
# rx_pcap replays the file once; the port then has nothing more to receive.
check "all $nframes frames of the file were received" wait_for 20 rx_is "$nframes"
ndhcp=$($PY -c "import json,sys; print(len(json.load(open(sys.argv[1]))['dhcp_replies']))" "$EXPECT")
# DHCP goes through the control lcore: wait until its request was handled and answered.
dhcp_done() { stats | $PY -c "
import json,sys; d=json.load(sys.stdin)['dhcp']; sys.exit(0 if d.get('replies_sent',0)>=$ndhcp else 1)"; }
check "the DHCP replies left" wait_for 10 dhcp_done

final=$(stats)
echo "$final" >"$E2E_DIR/stats.json"
check "every frame is accounted for: rx == drops + inline answers + DNS answers + DHCP requests" \
    $PY - "$E2E_DIR/stats.json" "$EXPECT" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
p, dns, dhcp = s["packets"], s["dns"], s["dhcp"]
# A counter split by a label is an object ({"runt": 1, ...}): its total is the sum.
dropped, inline = sum(p["drops"].values()), sum(p["inline_answers"].values())
answers, requests = sum(dns["responses"].values()), sum(dhcp["requests_received"].values())
handled = inline + answers + requests
print("rx", p["rx_packets"], "dropped", dropped, "inline", inline, "dns", answers, "dhcp", requests)
assert p["rx_packets"] == e["frames"], (p["rx_packets"], e["frames"])
assert p["rx_packets"] == dropped + handled, (p["rx_packets"], dropped, handled)
EOF
check "each drop reason has the expected count" $PY - "$E2E_DIR/stats.json" "$EXPECT" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
got = {k: v for k, v in s["packets"]["drops"].items() if v}
if got != e["drops"]:
    for k in sorted(set(got) | set(e["drops"])):
        if got.get(k, 0) != e["drops"].get(k, 0):
            print("  %-20s got %d, expected %d" % (k, got.get(k, 0), e["drops"].get(k, 0)))
    sys.exit(1)
EOF
check "DHCP requests, parse errors and answers as expected" $PY - "$E2E_DIR/stats.json" "$EXPECT" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1])); e = json.load(open(sys.argv[2]))
p, d = s["packets"], s["dhcp"]
requests = sum(d["requests_received"].values())
assert requests == e["dhcp_requests"], (requests, e["dhcp_requests"])
assert d["malformed"] == e["drops"]["dhcp_malformed"], d
answered = p["inline_answers"]
assert answered["arp"] == e["inline"]["arp"] and answered["icmp_echo"] == e["inline"]["icmp_echo"], p
assert sum(s["dns"]["responses"].values()) == len(e["dns_answers"]), (s["dns"], len(e["dns_answers"]))
EOF
in_ns curl -sf --max-time 2 "http://127.0.0.1:$API_PORT/metrics" >"$E2E_DIR/metrics.txt" || true
check "DHCP parse errors by kind, from /metrics" $PY - "$E2E_DIR/metrics.txt" "$EXPECT" <<'EOF'
import json, re, sys
e = json.load(open(sys.argv[2]))
got = {}
for line in open(sys.argv[1]):
    m = re.match(r'edgelease_dhcp_parse_errors_total\{.*error="([a-z_]+)".*\} (\d+)', line)
    if m and int(m.group(2)):
        got[m.group(1)] = got.get(m.group(1), 0) + int(m.group(2))
assert got == e["dhcp_parse_errors"], (got, e["dhcp_parse_errors"])
EOF

# Still serving after all that: the API answers and the lcores keep looping.
loops() { stats | $PY -c "import json,sys; print(sum(l['loops'] for l in json.load(sys.stdin)['lcores'].values() if l['role']=='worker'))"; }
l1=$(loops)
loops_grew() { [ "$(loops)" -gt "$l1" ]; }
check "the worker keeps polling" wait_for 5 loops_grew
check "the process is alive" kill -0 "$E2E_PID"
check "no lcore or sanitizer trouble in the log" bash -c "! grep -Eqi 'panic|AddressSanitizer|runtime error|terminate called' '$E2E_DIR/appliance.log'"

rc=0
stop_appliance || rc=$?
check "SIGTERM stops it with exit status 0 (got $rc)" test "$rc" -eq 0

check "the capture holds exactly the expected answers" $PY - "$TX" "$EXPECT" <<'EOF'
import json, sys
from scapy.all import rdpcap, ARP, ICMP, DNS, BOOTP, DHCP, Dot1Q, IP, IPv6, UDP
e = json.load(open(sys.argv[2]))
pkts = rdpcap(sys.argv[1])
codes = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}
dns, arp, icmp, offers, other = {}, 0, 0, [], []
for p in pkts:
    if p.haslayer(ARP) and p[ARP].op == 2 and p[ARP].psrc == "198.18.0.1":
        arp += 1
    elif p.haslayer(ICMP) and p[ICMP].type == 0 and p[ICMP].id == 0x77:
        icmp += 1
    elif p.haslayer(UDP) and p[UDP].sport == 53 and p.haslayer(DNS):
        d = p[DNS]
        assert d.qr == 1, p.summary()
        dns[d.id] = (codes.get(d.rcode, str(d.rcode)), p)
    elif p.haslayer(BOOTP) and p[BOOTP].op == 2:
        mt = [o[1] for o in p[DHCP].options if isinstance(o, tuple) and o[0] == "message-type"]
        offers.append((p[BOOTP].xid, mt))
    else:
        other.append(p.summary())
ok = True
for a in e["dns_answers"]:
    got = dns.pop(a["id"], None)
    if got is None or got[0] != a["rcode"]:
        print("DNS id 0x%04x: expected %s, got %s" % (a["id"], a["rcode"], got and got[0])); ok = False
if dns: print("unexpected DNS answers:", {hex(k): v[0] for k, v in dns.items()}); ok = False
# The VLAN and QinQ answers keep the request's tags.
if arp != e["inline"]["arp"] or icmp != e["inline"]["icmp_echo"]:
    print("ARP replies %d, echo replies %d" % (arp, icmp)); ok = False
types = {"OFFER": 2, "ACK": 5, "NAK": 6}
want = sorted((r["xid"], [types[r["type"]]]) for r in e["dhcp_replies"])
if sorted(offers) != want:
    print("DHCP replies (xid, type):", offers, "expected", want); ok = False
if other: print("unexpected frames:", other); ok = False
print("%d frames sent: %d DNS, %d ARP, %d echo, %d DHCP" % (len(pkts), len(e["dns_answers"]), arp, icmp, len(offers)))
sys.exit(0 if ok else 1)
EOF
check "answers on VLAN 100 and QinQ 200/300 keep their tags" $PY - "$TX" <<'EOF'
import sys
from scapy.all import rdpcap, DNS, Dot1Q, Dot1AD
tags = {}
for p in rdpcap(sys.argv[1]):
    if p.haslayer(DNS) and p[DNS].id in (0xA002, 0xA003):
        t, l = [], p.payload
        while isinstance(l, (Dot1Q, Dot1AD)):
            t.append(l.vlan); l = l.payload
        tags[p[DNS].id] = t
assert tags == {0xA002: [100], 0xA003: [200, 300]}, tags
EOF
e2e_finish
