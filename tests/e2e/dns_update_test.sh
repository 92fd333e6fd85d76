#!/usr/bin/env bash
# Dynamic updates (issue 17): nsupdate (BIND's, a Debian package) adds and deletes records
# with a TSIG key, over UDP (the workers hand UPDATE to the kernel) and TCP; a wrong secret
# is NOTAUTH/BADSIG, an unknown key BADKEY, no key REFUSED; prerequisites answer YXDOMAIN and
# NXRRSET; an update aimed at a config or a dhcp record is refused and audited; the change
# reaches IXFR; and the records keep origin `update` across a restart.
source "$(dirname "$0")/lib.sh"
e2e_setup dns_update

API_PORT=18056
SECRET=$(head -c 32 /dev/urandom | base64)
OTHER=$(head -c 64 /dev/urandom | base64 -w0)
{ base_config "el-upd-$$" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.keys]]
name = "ddns-key"
algorithm = "hmac-sha256"
secret = "$SECRET"

[[dns.keys]]
name = "other-key"
algorithm = "hmac-sha512"
secret = "$OTHER"

[[dns.zones]]
name = "lan."
allow_update = ["key:ddns-key", "2001:db8::3"]
allow_transfer = ["198.18.0.0/24"]
records = [ { name = "www", type = "A", data = "198.18.0.10" } ]

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.150"]
lease_time = "10m"
domain = "lan."
TOML
} >"$E2E_DIR/edge.toml"
# The host on the tap's kernel end (the tap is made anew at each start).
host_side() {
    client_side edge0 02:00:00:00:00:02
    in_ns ip addr add 198.18.0.2/24 dev edge0
    in_ns ip -6 addr add 2001:db8::2/64 dev edge0 nodad
    in_ns ip -6 addr add 2001:db8::3/64 dev edge0 nodad
}
start_appliance "$E2E_DIR/edge.toml"
host_side

api() { in_ns curl -sf "http://127.0.0.1:$API_PORT$1"; }
# nsup [nsupdate options] <<< commands : nsupdate against the appliance; output in $E2E_DIR/nsup.out.
nsup() { in_ns nsupdate -t 5 "$@" >"$E2E_DIR/nsup.out" 2>&1; }
KEY=(-y "hmac-sha256:ddns-key:$SECRET")
answers() { in_ns dig @198.18.0.1 +short "$@"; }

check "the appliance answers" wait_for 10 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short www.lan | grep -q 198.18.0.10"
serial0=$(answers lan SOA | awk '{ print $3 }')

# --- Adds over UDP and over TCP, signed ---
nsup "${KEY[@]}" <<EOF
server 198.18.0.1
zone lan.
update add host.lan. 300 A 198.18.0.77
update add host.lan. 300 TXT "made by nsupdate"
send
EOF
check "nsupdate -y over UDP adds A and TXT" test "$(answers host.lan A)" = 198.18.0.77
check "... the TXT too" bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short host.lan TXT | grep -q 'made by nsupdate'"
nsup -v "${KEY[@]}" <<EOF
server 198.18.0.1
zone lan.
update add tcp.lan. 60 AAAA 2001:db8::77
send
EOF
check "nsupdate -v (TCP) adds AAAA" test "$(answers tcp.lan AAAA)" = 2001:db8::77
nsup "${KEY[@]}" <<EOF
server 2001:db8::1
zone lan.
update add v6.lan. 60 A 198.18.0.78
send
EOF
check "nsupdate over IPv6 UDP" test "$(answers v6.lan A)" = 198.18.0.78
# jq_has FILE PYTHON_EXPR : the expression over the JSON in FILE (as `j`) is true.
jq_has() { python3 -c "import json,sys; j=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
api "/api/v1/zones/lan./records?name=host&type=A" >"$E2E_DIR/host.json"
check "the record's origin is update, owned by the key" jq_has "$E2E_DIR/host.json" "len(j) == 1 and j[0]['origin'] == 'update' and j[0]['owner'] == 'key:ddns-key'"
serial1=$(answers lan SOA | awk '{ print $3 }')
check "the serial rose ($serial0 -> $serial1)" test "$serial1" -gt "$serial0"
in_ns dig @198.18.0.1 +tcp lan IXFR="$serial0" >"$E2E_DIR/ixfr.txt"
check "IXFR from the old serial carries the update" grep -qE '^host\.lan\..*198\.18\.0\.77' "$E2E_DIR/ixfr.txt"

# --- Who may update ---
nsup -y "hmac-sha256:ddns-key:$(head -c 32 /dev/urandom | base64)" <<EOF || true
server 198.18.0.1
zone lan.
update add bad.lan. 60 A 198.18.0.99
send
EOF
check "a wrong secret: NOTAUTH with BADSIG" grep -qiE "BADSIG|NOTAUTH|tsig verify failure" "$E2E_DIR/nsup.out"
nsup -y "hmac-sha256:no-such-key:$SECRET" <<EOF || true
server 198.18.0.1
zone lan.
update add bad.lan. 60 A 198.18.0.99
send
EOF
check "an unknown key: BADKEY" grep -qiE "BADKEY|NOTAUTH" "$E2E_DIR/nsup.out"
nsup -y "hmac-sha512:other-key:$OTHER" <<EOF || true
server 198.18.0.1
zone lan.
update add bad.lan. 60 A 198.18.0.99
send
EOF
check "a valid key the zone does not list: REFUSED" grep -q REFUSED "$E2E_DIR/nsup.out"
nsup <<EOF || true
server 198.18.0.1
zone lan.
update add bad.lan. 60 A 198.18.0.99
send
EOF
check "no key, from an address not listed: REFUSED" grep -q REFUSED "$E2E_DIR/nsup.out"
check "none of them added anything" test -z "$(answers bad.lan A)"
nsup <<EOF
server 2001:db8::1
local 2001:db8::3
zone lan.
update add byaddr.lan. 60 A 198.18.0.79
send
EOF
check "no key, from a listed address: applied" test "$(answers byaddr.lan A)" = 198.18.0.79
api "/api/v1/zones/lan./records?name=byaddr" >"$E2E_DIR/byaddr.json"
check "... owned by the client's address" jq_has "$E2E_DIR/byaddr.json" "j[0]['owner'] == '2001:db8::3'"

# --- Prerequisites ---
nsup "${KEY[@]}" <<EOF || true
server 198.18.0.1
zone lan.
prereq nxdomain host.lan.
update add host.lan. 60 A 198.18.0.80
send
EOF
check "prereq nxdomain on an existing name: YXDOMAIN" grep -q YXDOMAIN "$E2E_DIR/nsup.out"
nsup "${KEY[@]}" <<EOF || true
server 198.18.0.1
zone lan.
prereq yxrrset host.lan. AAAA
update delete host.lan. A
send
EOF
check "prereq yxrrset on a missing RRset: NXRRSET" grep -q NXRRSET "$E2E_DIR/nsup.out"
check "... and nothing changed" test "$(answers host.lan A)" = 198.18.0.77
nsup "${KEY[@]}" <<EOF
server 198.18.0.1
zone lan.
prereq yxrrset host.lan. A 198.18.0.77
update delete host.lan. A 198.18.0.77
update add host.lan. 300 A 198.18.0.81
send
EOF
check "a value-dependent prerequisite that holds: the record replaced" test "$(answers host.lan A)" = 198.18.0.81

# --- Another origin's records ---
nsup "${KEY[@]}" <<EOF || true
server 198.18.0.1
zone lan.
update delete www.lan. A
send
EOF
check "deleting a config record: REFUSED" grep -q REFUSED "$E2E_DIR/nsup.out"
check "... and it still answers" test "$(answers www.lan A)" = 198.18.0.10
start_client pc1 pc1
check "the lease's name is published" wait_for 10 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short pc1.lan | grep -qx '$CLIENT_IP'"
nsup "${KEY[@]}" <<EOF || true
server 198.18.0.1
zone lan.
update add pc1.lan. 60 A 198.18.0.82
send
EOF
check "adding to a dhcp record's RRset: REFUSED" grep -q REFUSED "$E2E_DIR/nsup.out"
nsup "${KEY[@]}" <<EOF || true
server 198.18.0.1
zone lan.
update delete pc1.lan.
send
EOF
check "deleting a lease's name: REFUSED" grep -q REFUSED "$E2E_DIR/nsup.out"
check "... and the lease's name still answers" test "$(answers pc1.lan A)" = "$CLIENT_IP"
api "/api/v1/audit?limit=50" >"$E2E_DIR/audit.json"
check "the refusals are audited (update-refused, not applied)" jq_has "$E2E_DIR/audit.json" "sum(e['reason'] == 'update-refused' and not e['applied'] for e in j) >= 3"
check "... naming the record in the way" jq_has "$E2E_DIR/audit.json" "any(e['reason'] == 'update-refused' and e['name'] == 'www.lan.' and e['origin'] == 'config' for e in j)"
check "the additions are audited (update-add, by the key)" jq_has "$E2E_DIR/audit.json" "any(e['reason'] == 'update-add' and e['owner'] == 'key:ddns-key' for e in j)"

# --- Delete ---
nsup "${KEY[@]}" <<EOF
server 198.18.0.1
zone lan.
update delete tcp.lan.
send
EOF
check "nsupdate deletes its own name" test -z "$(answers tcp.lan AAAA)"

# --- Counters ---
api /api/v1/zones >"$E2E_DIR/zones.json"
check "the API counts the zone's updates" jq_has "$E2E_DIR/zones.json" "[z for z in j if z['name'] == 'lan.'][0]['updates']['applied'] >= 6 and [z for z in j if z['name'] == 'lan.'][0]['updates']['refused'] >= 5"
in_ns curl -sf "http://127.0.0.1:$API_PORT/metrics" >"$E2E_DIR/metrics.txt"
check "metrics count outcomes" bash -c "grep -qE '^edgelease_dns_updates_total\{outcome=\"tsig_failed\"\} [1-9]' '$E2E_DIR/metrics.txt' && grep -qE '^edgelease_dns_updates_total\{outcome=\"prereq_failed\"\} [2-9]' '$E2E_DIR/metrics.txt'"

# --- Restart: update records keep their provenance ---
check "the appliance stops cleanly" stop_appliance
start_appliance "$E2E_DIR/edge.toml"
host_side
check "after a restart the update's record answers" wait_for 10 bash -c "test \"\$(ip netns exec $E2E_NS dig @198.18.0.1 +short host.lan A)\" = 198.18.0.81"
api "/api/v1/zones/lan./records?origin=update" >"$E2E_DIR/after.json"
check "... still origin update, owned by the key" jq_has "$E2E_DIR/after.json" "any(r['name'] == 'host.lan.' and r['owner'] == 'key:ddns-key' for r in j)"
serial2=$(answers lan SOA | awk '{ print $3 }')
check "the serial did not step back ($serial2 >= $serial1)" test "$serial2" -ge "$serial1"

e2e_finish
