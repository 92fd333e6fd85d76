#!/usr/bin/env bash
# Authoritative DNS end to end: dig and kdig in the namespace ask the appliance (net_tap) over
# IPv4 and IPv6 and get RFC-correct answers; a SIGHUP reload while queries run loses none.
source "$(dirname "$0")/lib.sh"
e2e_setup dns

prefix="edgelease-e2e-dns-$$"
cp "$EDGELEASE_SOURCE_DIR/tests/data/e2e/lan.zone" "$E2E_DIR/lan.zone"
write_config() {
    { base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[[dns.zones]]
name = "lan."
file = "lan.zone"
records = [ { name = "my-server", type = "A", data = "198.18.0.50", ttl = 120 } $1 ]

[[dns.zones]]
name = "0.18.198.in-addr.arpa."
records = [ { name = "50", type = "PTR", data = "my-server.lan." } ]
TOML
    } >"$E2E_DIR/edge.toml"
}
write_config ""
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad

q() { in_ns dig @198.18.0.1 +norec +time=2 +tries=2 "$@" 2>&1 || true; }
has() {  # has "OUTPUT" REGEX
    grep -qE "$2" <<<"$1" || { echo "--- expected /$2/ in:"; echo "$1"; return 1; }
}
wait_for 10 in_ns dig @198.18.0.1 +time=1 +tries=1 www.lan >/dev/null

out=$(q www.lan A)
check "A: NOERROR, authoritative" has "$out" "status: NOERROR.*" && check "A: aa flag" has "$out" "flags: qr aa;"
check "A: the address" has "$out" "^www\.lan\.\s+300\s+IN\s+A\s+198\.18\.0\.10"
out=$(q www.lan AAAA); check "AAAA" has "$out" "^www\.lan\.\s+300\s+IN\s+AAAA\s+2001:db8::10"
out=$(q my-server.lan A); check "inline config record with its TTL" has "$out" "^my-server\.lan\.\s+120\s+IN\s+A\s+198\.18\.0\.50"
out=$(q -x 198.18.0.50); check "PTR in the reverse zone" has "$out" "^50\.0\.18\.198\.in-addr\.arpa\.\s+[0-9]+\s+IN\s+PTR\s+my-server\.lan\."
out=$(q alias.lan A)
check "CNAME followed inside the zone" has "$out" "^alias\.lan\.\s+300\s+IN\s+CNAME\s+www\.lan\."
check "CNAME target's A in the same answer" has "$out" "^www\.lan\.\s+300\s+IN\s+A\s+198\.18\.0\.10"
out=$(q outside.lan A)
check "CNAME leaving our zones: NOERROR" has "$out" "status: NOERROR"
check "CNAME leaving our zones: the CNAME only" has "$out" "flags: qr aa; QUERY: 1, ANSWER: 1,"
out=$(q lan MX); check "MX" has "$out" "^lan\.\s+300\s+IN\s+MX\s+10 mail\.lan\."
out=$(q info.lan TXT); check "TXT with two strings" has "$out" 'TXT\s+"edgelease test zone" "second string"'
out=$(q _sip._udp.lan SRV); check "SRV" has "$out" "SRV\s+10 60 5060 www\.lan\."
out=$(q lan CAA); check "CAA" has "$out" 'CAA\s+0 issue "ca\.example\.net"'
out=$(q host.sub.lan A)
check "referral: NOERROR" has "$out" "status: NOERROR"
check "referral: not authoritative, NS and glue" has "$out" "flags: qr; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 2"  # glue + OPT
check "referral: NS in authority" has "$out" "^sub\.lan\.\s+300\s+IN\s+NS\s+ns\.sub\.lan\."
check "referral: glue in additional" has "$out" "^ns\.sub\.lan\.\s+300\s+IN\s+A\s+198\.18\.0\.53"
out=$(q nothere.lan A)
check "NXDOMAIN" has "$out" "status: NXDOMAIN"
check "NXDOMAIN carries the SOA with the negative TTL (RFC 2308)" has "$out" "^lan\.\s+60\s+IN\s+SOA\s+ns1\.lan\. hostmaster\.lan\. 2026112301"
out=$(q www.lan MX)
check "NODATA: NOERROR" has "$out" "status: NOERROR"
check "NODATA: no answer, SOA in authority" has "$out" "ANSWER: 0, AUTHORITY: 1,"
out=$(q b.lan A); check "empty non-terminal is NODATA, not NXDOMAIN" has "$out" "status: NOERROR"
check "empty non-terminal: no answer" has "$out" "ANSWER: 0,"
out=$(q anything.wild.lan A); check "wildcard synthesises the queried owner" has "$out" "^anything\.wild\.lan\.\s+300\s+IN\s+A\s+198\.18\.0\.77"
out=$(q example.com A); check "names outside our zones: REFUSED" has "$out" "status: REFUSED"
out=$(q +edns=0 www.lan A); check "EDNS0: OPT echoed with our payload size" has "$out" "EDNS: version: 0, flags:; udp: 1232"
out=$(q +edns=1 +noednsnegotiation www.lan A); check "EDNS version 1: BADVERS" has "$out" "status: BADVERS"
out=$(q +noedns +ignore big.lan TXT); check "TC set when the answer does not fit 512 bytes" has "$out" "flags: qr aa tc;"
out=$(q +bufsize=1232 big.lan TXT); check "the same answer fits with EDNS" has "$out" "ANSWER: 6,"
out=$(q WwW.LaN A); check "0x20: the client's letter case is echoed" has "$out" "^WwW\.LaN\.\s+300\s+IN\s+A"
out=$(q +notcp lan ANY);  # dig would ask ANY over TCP, which is not served yet
 check "ANY answered (RFC 8482)" has "$out" "status: NOERROR"
check "ANY: one RRset" has "$out" "ANSWER: 1,"
out=$(in_ns dig @2001:db8::1 +norec +time=2 +tries=2 www.lan AAAA)
check "IPv6 transport" has "$out" "^www\.lan\.\s+300\s+IN\s+AAAA\s+2001:db8::10"
out=$(in_ns kdig @198.18.0.1 +norec +time=2 www.lan A)
check "kdig: NOERROR with aa" has "$out" "status: NOERROR" && check "kdig: flags" has "$out" "Flags: qr aa;"
out=$(in_ns kdig @2001:db8::1 +norec +time=2 nothere.lan A)
check "kdig over IPv6: NXDOMAIN" has "$out" "status: NXDOMAIN"
out=$(in_ns kdig @198.18.0.1 +norec +time=2 +edns=0 +bufsize=1400 big.lan TXT)
check "kdig: EDNS answer" has "$out" "EDNS PSEUDOSECTION"

# Reload while queries run: every query in the loop is answered, before and after.
in_ns bash -c "fails=0; for i in \$(seq 1 300); do dig @198.18.0.1 +norec +time=1 +tries=1 +short www.lan A | grep -q 198.18.0.10 || fails=\$((fails+1)); done; echo \$fails" >"$E2E_DIR/loop.out" &
loop=$!
write_config ', { name = "added", type = "A", data = "198.18.0.99" }'
kill -HUP "$E2E_PID"
check "reload is logged" wait_for 10 grep -q "reload: applied" "$E2E_DIR/appliance.log"
out=$(q added.lan A); check "the record added by reload is served" has "$out" "198\.18\.0\.99"
wait "$loop"
check "no query lost while reloading (failures: $(cat "$E2E_DIR/loop.out"))" test "$(cat "$E2E_DIR/loop.out")" = 0

# A broken zone file is refused and the old data keeps serving.
echo "broken IN A not-an-address" >>"$E2E_DIR/lan.zone"
kill -HUP "$E2E_PID"
check "bad reload refused with file and line" wait_for 10 grep -qE "lan\.zone:[0-9]+: .*reload refused|reload refused" "$E2E_DIR/appliance.log"
check "the error names the zone file and line" grep -qE "lan\.zone:[0-9]+:" "$E2E_DIR/appliance.log"
out=$(q added.lan A); check "old data still served after a refused reload" has "$out" "198\.18\.0\.99"

rc=0
stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
