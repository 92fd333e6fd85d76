#!/usr/bin/env bash
# Zone transfers out (issue 17): dig AXFR equals the zone; allow_transfer by prefix and by
# TSIG key; a bad key is NOTAUTH; IXFR from the current serial is the SOA alone; Knot and
# NSD secondaries (Debian packages) pull the zone, a lease's name included, answer it, and
# after NOTIFY fetch a new lease's name by IXFR from the journal.
source "$(dirname "$0")/lib.sh"
e2e_setup dns_transfer

API_PORT=18055
SECRET=$(head -c 32 /dev/urandom | base64)
{ base_config "el-xfr-$$" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.keys]]
name = "xfr-key"
algorithm = "hmac-sha256"
secret = "$SECRET"

[[dns.zones]]
name = "big.test."
file = "$E2E_DIR/big.zone"
allow_transfer = ["key:xfr-key"]

[[dns.zones]]
name = "lan."
allow_transfer = ["198.18.0.0/24", "key:xfr-key"]
notify = ["198.18.0.3", "198.18.0.4"]
records = [
  { name = "www", type = "A", data = "198.18.0.10" },
  { name = "www", type = "AAAA", data = "2001:db8::10" },
  { name = "mail", type = "MX", data = "10 www.lan." },
  { name = "txt", type = "TXT", data = "\"hello world\"" },
]

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.150"]
lease_time = "10m"
domain = "lan."
TOML
} >"$E2E_DIR/edge.toml"
# A zone of 60,000 names: its transfer takes many messages, each signed, and more than one
# wake-up of the server writes.
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "h%d A 198.19.%d.%d\n", i, int(i / 250), i % 250 }' >"$E2E_DIR/big.zone"
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad

axfr() { in_ns dig @"$1" +tcp +time=5 +tries=1 "${@:2}" lan AXFR; }
# records FILE : the transfer's records, one per line, sorted, SOA lines apart.
records() { grep -vE '^;|^$' "$1" | awk '{ $2 = ""; print }' | sort; }

check "dig +tcp answers first" wait_for 10 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +tcp +short www.lan | grep -q 198.18.0.10"
# At start-up the record store first commits the zone's 60,000 configured records: until
# its writer has, the zone is changing and a transfer is answered SERVFAIL (a secondary
# retries). Wait (bounded) for the first complete transfer.
axfr_answered() { axfr 198.18.0.1 >"$E2E_DIR/axfr.txt" && grep -q 'XFR size' "$E2E_DIR/axfr.txt"; }
check "the first AXFR is answered once the record store holds the zone" wait_for 20 axfr_answered
check "AXFR from an allowed prefix: SOA first and last" test "$(grep -vE '^;|^$' "$E2E_DIR/axfr.txt" | awk '{ print $4 }' | sed -n '1p;$p' | tr '\n' ' ')" = "SOA SOA "
check "AXFR holds the zone's records" bash -c "grep -qE '^www\.lan\..*A[[:space:]]+198\.18\.0\.10' '$E2E_DIR/axfr.txt' && grep -qE '^mail\.lan\..*MX[[:space:]]+10 www\.lan\.' '$E2E_DIR/axfr.txt' && grep -q 'hello world' '$E2E_DIR/axfr.txt'"
# Every record of the transfer answers the same over a query: the transfer is the zone.
mismatch=0
while read -r owner ttl class type data; do
    [ "$type" = SOA ] && continue
    got=$(in_ns dig @198.18.0.1 +short "$owner" "$type" | sort | tr '\n' ' ')
    grep -qF -- "$data" <<<"$got" || { e2e_log "mismatch: $owner $type '$data' vs '$got'"; mismatch=1; }
done < <(grep -vE '^;|^$' "$E2E_DIR/axfr.txt")
check "every transferred record is what a query answers" test "$mismatch" = 0

axfr 2001:db8::1 >"$E2E_DIR/refused.txt" 2>&1 || true
check "AXFR from an address outside allow_transfer is refused" grep -qiE "Transfer failed|REFUSED" "$E2E_DIR/refused.txt"
axfr 2001:db8::1 -y "hmac-sha256:xfr-key:$SECRET" >"$E2E_DIR/tsig.txt" 2>&1
check "... and allowed with the TSIG key (signed answer verified by dig)" bash -c "grep -qE '^www\.lan\.' '$E2E_DIR/tsig.txt' && ! grep -qi 'failed' '$E2E_DIR/tsig.txt'"
axfr 2001:db8::1 -y "hmac-sha256:xfr-key:$(head -c 32 /dev/urandom | base64)" >"$E2E_DIR/badsig.txt" 2>&1 || true
check "a wrong secret is refused (NOTAUTH, BADSIG)" grep -qiE "NOTAUTH|BADSIG|tsig verify failure|Transfer failed" "$E2E_DIR/badsig.txt"
check "a wrong secret gets no record" bash -c "! grep -qE '^www\.lan\.' '$E2E_DIR/badsig.txt'"
t0=$(date +%s%N)
in_ns dig @2001:db8::1 +tcp +time=10 -y "hmac-sha256:xfr-key:$SECRET" big.test AXFR >"$E2E_DIR/big.txt" 2>&1
t_big=$((($(date +%s%N) - t0) / 1000000))
check "a 60,000-name zone transfers whole, every message's TSIG verified by dig (${t_big} ms)" bash -c "test \$(grep -cE '^h[0-9]+\.big\.test\..*A' '$E2E_DIR/big.txt') = 60000 && ! grep -qiE 'Transfer failed|verify failure|BADSIG|BADKEY|BADTIME' '$E2E_DIR/big.txt'"
msgs=$(sed -n 's/.*XFR size: .* records (messages \([0-9]*\).*/\1/p' "$E2E_DIR/big.txt")
check "... in many messages (${msgs:-?})" test "${msgs:-0}" -ge 10
axfr 198.18.0.1 >/dev/null 2>&1
in_ns dig @198.18.0.1 +tcp +time=5 big.test AXFR >"$E2E_DIR/big_refused.txt" 2>&1 || true
check "... and without the key, refused (key-only ACL)" bash -c "! grep -qE '^h1\.big\.test\.' '$E2E_DIR/big_refused.txt'"
serial=$(in_ns dig @198.18.0.1 +short lan SOA | awk '{ print $3 }')
in_ns dig @198.18.0.1 +tcp lan IXFR=$serial >"$E2E_DIR/ixfr.txt"
check "IXFR from the current serial $serial is the SOA alone" test "$(grep -vE '^;|^$' "$E2E_DIR/ixfr.txt" | wc -l)" = 1
in_ns dig @198.18.0.1 +tcp lan IXFR=$((serial - 1)) >"$E2E_DIR/ixfr_old.txt"
check "IXFR from a serial the journal does not hold gets the whole zone" grep -qE '^www\.lan\.' "$E2E_DIR/ixfr_old.txt"


# --- Secondaries: Knot and NSD, each on an address of its own in the clients' namespace ---
start_client pc1 pc1
in_ns ip addr add 198.18.0.3/24 dev edge0
in_ns ip addr add 198.18.0.4/24 dev edge0
check "the lease's name is in the zone" wait_for 10 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short pc1.lan | grep -qx '$CLIENT_IP'"
mkdir -p "$E2E_DIR/knot" "$E2E_DIR/nsd"
cat >"$E2E_DIR/knot/knot.conf" <<KNOT
server:
    rundir: "$E2E_DIR/knot"
    listen: 198.18.0.3@53
log:
  - target: "$E2E_DIR/knot/knot.log"
    any: info
database:
    storage: "$E2E_DIR/knot"
remote:
  - id: primary
    address: 198.18.0.1@53
acl:
  - id: from_primary
    address: 198.18.0.1
    action: notify
template:
  - id: default
    storage: "$E2E_DIR/knot"
zone:
  - domain: lan.
    master: primary
    acl: from_primary
KNOT
cat >"$E2E_DIR/nsd/nsd.conf" <<NSDCONF
server:
    ip-address: 198.18.0.4
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$E2E_DIR/nsd"
    database: ""
    pidfile: "$E2E_DIR/nsd/nsd.pid"
    xfrdfile: "$E2E_DIR/nsd/xfrd.state"
    xfrdir: "$E2E_DIR/nsd"
    zonelistfile: "$E2E_DIR/nsd/zone.list"
    logfile: "$E2E_DIR/nsd/nsd.log"
    verbosity: 2
remote-control:
    control-enable: no
zone:
    name: lan.
    zonefile: "$E2E_DIR/nsd/lan.zone"
    request-xfr: 198.18.0.1 NOKEY
    allow-notify: 198.18.0.1 NOKEY
NSDCONF
ip netns exec "$E2E_NS" knotd -c "$E2E_DIR/knot/knot.conf" >"$E2E_DIR/knot/stdout.log" 2>&1 &
KNOT_PID=$!
ip netns exec "$E2E_NS" nsd -d -c "$E2E_DIR/nsd/nsd.conf" >"$E2E_DIR/nsd/stdout.log" 2>&1 &
NSD_PID=$!
stop_secondaries() {
    kill "$KNOT_PID" "$NSD_PID" 2>/dev/null || true
    wait "$KNOT_PID" "$NSD_PID" 2>/dev/null || true
}
trap 'rc=$?; set +e; stop_secondaries; (exit $rc); e2e_cleanup' EXIT
serial=$(in_ns dig @198.18.0.1 +short lan SOA | awk '{ print $3 }')
soa_at() { in_ns dig @"$1" +short +time=1 +tries=1 lan SOA | awk '{ print $3 }'; }
check "Knot pulled the zone at serial $serial" wait_for 30 bash -c "test \"\$(ip netns exec $E2E_NS dig @198.18.0.3 +short +time=1 +tries=1 lan SOA | awk '{ print \$3 }')\" = '$serial'"
check "NSD pulled the zone at serial $serial" wait_for 30 bash -c "test \"\$(ip netns exec $E2E_NS dig @198.18.0.4 +short +time=1 +tries=1 lan SOA | awk '{ print \$3 }')\" = '$serial'"
check "Knot answers the lease's name" test "$(in_ns dig @198.18.0.3 +short pc1.lan)" = "$CLIENT_IP"
check "NSD answers the lease's name" test "$(in_ns dig @198.18.0.4 +short pc1.lan)" = "$CLIENT_IP"
check "Knot answers the zone's records" test "$(in_ns dig @198.18.0.3 +short www.lan AAAA)" = 2001:db8::10
check "NSD answers the zone's records" test "$(in_ns dig @198.18.0.4 +short mail.lan MX)" = "10 www.lan."
# A new lease: the serial moves, NOTIFY goes out, both secondaries fetch and answer it.
kill_client
t0=$(date +%s%N)
# Another client identifier on the same MAC: the secondaries share this interface, and its
# MAC is theirs too.
start_client pc2 pc2 client-pc2
answers_pc2() { test "$(ip netns exec "$E2E_NS" dig @"$1" +short +time=1 +tries=1 pc2.lan)" = "$CLIENT_IP"; }
check "Knot answers a new lease's name after NOTIFY" wait_for 20 answers_pc2 198.18.0.3
t_knot=$((($(date +%s%N) - t0) / 1000000))
check "NSD answers a new lease's name after NOTIFY" wait_for 20 answers_pc2 198.18.0.4
t_nsd=$((($(date +%s%N) - t0) / 1000000))
e2e_log "figure: from the DHCP exchange's start to the name answering: Knot ${t_knot} ms, NSD ${t_nsd} ms"
check "Knot's log shows the NOTIFY" grep -qi "notify" "$E2E_DIR/knot/knot.log"
check "Knot fetched the change by IXFR, from the journal" grep -qE "\[lan\.\] IXFR, incoming, remote 198\.18\.0\.1@53, finished" "$E2E_DIR/knot/knot.log"
ixfrs=$(ip netns exec "$E2E_NS" curl -s "http://127.0.0.1:$API_PORT/metrics" | awk '/^edgelease_dns_tcp_transfers_total\{outcome="ixfr"\}/ { print $2 }')
check "both secondaries took IXFRs from the journal (${ixfrs:-0})" test "${ixfrs:-0}" -ge 2
[ "$E2E_FAILS" -eq 0 ] || { tail -20 "$E2E_DIR/knot/knot.log"; tail -20 "$E2E_DIR/nsd/nsd.log"; grep -i "pc2\|dhcp" "$E2E_DIR/appliance.log" | tail -5; }
notified=$(ip netns exec "$E2E_NS" curl -s "http://127.0.0.1:$API_PORT/metrics" | awk '/^edgelease_dns_notify_total\{result="answered"\}/ { print $2 }')
check "NOTIFY answered by the secondaries (${notified:-0})" test "${notified:-0}" -ge 2
zones_json=$(ip netns exec "$E2E_NS" curl -s "http://127.0.0.1:$API_PORT/api/v1/zones")
lan_axfr=$(/usr/bin/python3 -c 'import json,sys; z=[z for z in json.load(sys.stdin) if z["name"]=="lan."][0]; print(z["transfers"]["axfr"], z["transfers"]["refused"], z["notify"]["answered"])' <<<"$zones_json")
check "the API counts lan.'s transfers, refusals and NOTIFYs answered ($lan_axfr)" bash -c "read a r n <<<'$lan_axfr'; [ \$a -ge 3 ] && [ \$r -ge 1 ] && [ \$n -ge 2 ]"
in_ns "$(dirname "$E2E_BIN")/edgelease-ctl" --api "http://127.0.0.1:$API_PORT" zones list >"$E2E_DIR/ctl_zones.txt"
check "edgelease-ctl zones list shows them" awk '$1 == "lan." && $4 >= 3 && $5 >= 1 && $6 ~ /^[1-9]/ { ok = 1 } END { exit !ok }' "$E2E_DIR/ctl_zones.txt"
kill_client
stop_secondaries
check "transfers counted" bash -c "in_ns() { ip netns exec $E2E_NS \"\$@\"; }; ip netns exec $E2E_NS curl -s http://127.0.0.1:$API_PORT/metrics | grep -qE '^edgelease_dns_tcp_transfers_total\{outcome=\"axfr\"\} [3-9]'"

e2e_finish
