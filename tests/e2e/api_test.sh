#!/usr/bin/env bash
# The management API and edgelease-ctl against a running appliance: stats, leases (list, show,
# release, expire), zones, records (add, list with provenance, delete) and the audit trail,
# reload good and bad, every error class, token auth, both output forms, options after the
# subcommand, the zone left out of records add/delete, and the exit statuses.
source "$(dirname "$0")/lib.sh"
e2e_setup api
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
API_PORT=18053

prefix="edgelease-e2e-api-$$"
write_config() {  # write_config EXTRA_API_LINES
    { base_config "$prefix" '"198.18.0.1/24"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"
$1

[[dns.zones]]
name = "lan."
records = [ { name = "www", type = "A", data = "198.18.0.10" } ]

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "1h"
routers = ["198.18.0.1"]
TOML
    } >"$E2E_DIR/edge.toml"
}
ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
ctl_after() { in_ns "$CTL" "$@" --api "http://127.0.0.1:$API_PORT"; }  # options after the subcommand
status_of() { local rc=0; "$@" >/dev/null 2>&1 || rc=$?; echo "$rc"; }
has() { grep -qE "$2" <<<"$1" || { echo "--- expected /$2/ in:"; echo "$1"; return 1; }; }
# exits_with STATUS REGEX COMMAND... : the command ends with STATUS and says REGEX.
exits_with() {
    local want=$1 re=$2 rc=0 out
    shift 2
    out=$("$@" 2>&1) || rc=$?
    [ "$rc" -eq "$want" ] || { echo "--- exit $rc, expected $want:"; echo "$out"; return 1; }
    has "$out" "$re"
}

write_config ""
start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
check "the API is up" wait_for 10 in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" stats

out=$(ctl stats)
check "ctl stats: packet counters" has "$out" "^packets +rx [0-9]+ +tx [0-9]+"
check "ctl stats: DNS counters" has "$out" "^dns +queries [0-9]+"
check "ctl stats: lcores listed" has "$out" "worker +0 \(lcore [0-9]+\)"
out=$(ctl --json stats)
check "ctl --json stats: valid JSON with the sections" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert {'packets','dns','dhcp','lcores'} <= set(d), d
assert len(d['lcores']) == 3 and d['packets']['rx_packets'] >= 0" "$out"
check "ctl --json stats: every section of the catalog, keys derived from the Prometheus names" python3 -c "
import json,sys; d=json.loads(sys.argv[1])
want = {'appliance','lcores','packets','ports','dns','dhcp','lease_store','zones','sweeper','record_store'}
assert set(d) == want, set(d) ^ want
assert d['appliance']['build_info']['version'] and d['lcores']['worker_0']['role'] == 'worker', d
assert 'udp_no_service' in d['packets']['drops'] and 'lan' in d['dhcp']['pool_size'], d
assert 'leases_expired_by_sweeper' in d['dhcp'] and 'store_backpressure' in d['dhcp'], d['dhcp']
assert d['lease_store']['commit_duration_seconds']['buckets']['+Inf'] >= 0, d['lease_store']" "$out"

out=$(ctl leases list); check "no leases yet: header only" test "$(wc -l <<<"$out")" -eq 1

# A real client takes a lease.
cat >"$E2E_DIR/udhcpc-script" <<'SCRIPT'
#!/bin/sh
exit 0
SCRIPT
chmod +x "$E2E_DIR/udhcpc-script"
in_ns timeout 30 udhcpc -i edge0 -f -q -n -t 5 -T 2 -s "$E2E_DIR/udhcpc-script" >"$E2E_DIR/udhcpc.log" 2>&1 || true
out=$(ctl leases list)
echo "$out"
check "ctl leases list: the client's lease, bound" has "$out" "^198\.18\.0\.1[0-9][0-9] +bound +lan "
ip=$(awk 'NR==2 {print $1}' <<<"$out")
out=$(ctl --json leases show "$ip")
check "ctl --json leases show: the lease as JSON" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['address']=='$ip' and d['state']=='bound' and d['scope']=='lan', d
assert d['hw_address']=='02:00:00:00:00:02', d" "$out"
out=$(ctl --json leases list --state bound --scope lan)
check "list filters by state and scope" python3 -c "import json,sys; assert len(json.loads(sys.argv[1]))==1" "$out"
out=$(ctl --json leases list --state released)
check "list filter that matches nothing" python3 -c "import json,sys; assert json.loads(sys.argv[1])==[]" "$out"
out=$(ctl leases release "$ip"); check "ctl leases release: now released" has "$out" "^$ip +released"
check "release of a lease that is not bound: exit 1 (409)" test "$(status_of ctl leases release "$ip")" -eq 1
out=$(ctl leases release "$ip" 2>&1 || true); check "409 explains itself" has "$out" "not bound \(HTTP 409\)"
check "show of an unknown lease: exit 1 (404)" test "$(status_of ctl leases show 198.18.0.250)" -eq 1
out=$(ctl leases show 198.18.0.250 2>&1 || true); check "404 explains itself" has "$out" "no lease for 198\.18\.0\.250 \(HTTP 404\)"
check "bad address: exit 1 (400)" test "$(status_of ctl leases show 198.18.0)" -eq 1
check "the release reached the lease database" bash -c "'$E2E_BIN' --show-leases '$E2E_DIR/state' | grep -qE '^$ip +released'"

# Expire: a fresh lease (the same client gets its address back by affinity) is expired by hand.
in_ns timeout 30 udhcpc -i edge0 -f -q -n -t 5 -T 2 -s "$E2E_DIR/udhcpc-script" >>"$E2E_DIR/udhcpc.log" 2>&1 || true
out=$(ctl leases show "$ip"); check "the client got the same address again" has "$out" "^$ip +bound"
out=$(ctl leases expire "$ip"); check "ctl leases expire: now expired" has "$out" "^$ip +expired"

# Options after the subcommand, at any depth, mean what they mean before it.
before=$(ctl --json leases list || true); after=$(ctl_after leases list --json || true)
check "leases list --json: the same JSON as --json leases list" python3 -c "
import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); assert a == b and len(a) == 1, (a, b)
assert sys.argv[1] == sys.argv[2]" "$before" "$after"
out=$(ctl_after stats --json || true)
check "stats --json: valid JSON with the sections" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert {'packets','dns','dhcp','lcores'} <= set(d), d" "$out"
out=$(ctl_after leases show "$ip" --json || true)
check "leases show IP --json --api URL: the lease as JSON" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['address']=='$ip' and d['state']=='expired', d" "$out"

# Prometheus metrics: valid for promtool, with the series operators graph.
in_ns curl -s -D "$E2E_DIR/metrics.headers" "http://127.0.0.1:$API_PORT/metrics" >"$E2E_DIR/metrics.txt"
check "/metrics passes promtool check metrics" bash -c "promtool check metrics <'$E2E_DIR/metrics.txt'"
check "/metrics: Prometheus text content type" grep -qi "content-type: text/plain; version=0.0.4" "$E2E_DIR/metrics.headers"
check "/metrics: DHCP replies by type" grep -qE '^edgelease_dhcp_replies_total\{type="ack"\} [1-9]' "$E2E_DIR/metrics.txt"
check "/metrics: sweeper queue figures" grep -qE '^edgelease_sweeper_wheel_entries [0-9]' "$E2E_DIR/metrics.txt"
check "/metrics: DNS changes by reason" grep -qE '^edgelease_dns_changes_total\{reason="conflict-skip"\} [0-9]' "$E2E_DIR/metrics.txt"
check "/metrics: in-place zone update figures" grep -qE '^edgelease_zone_update_max_batch_seconds [0-9]' "$E2E_DIR/metrics.txt"
check "/metrics: pool utilisation per scope" grep -qE '^edgelease_dhcp_pool_utilisation\{scope="lan"\} ' "$E2E_DIR/metrics.txt"
check "/metrics: commit latency histogram" grep -qE '^edgelease_lease_store_commit_duration_seconds_count [1-9]' "$E2E_DIR/metrics.txt"
check "/metrics: drops by reason per lcore" grep -qE '^edgelease_drops_total\{lcore="worker_0",reason="udp_no_service"\} ' "$E2E_DIR/metrics.txt"
check "/metrics: the catalog's entries that were telemetry-only" grep -qE '^edgelease_dhcp_leases_expired_by_sweeper_total [0-9]' "$E2E_DIR/metrics.txt"
check "/metrics: the ports' own frame counts" grep -qE '^edgelease_port_rx_packets_total\{port="[^"]+"\} [0-9]' "$E2E_DIR/metrics.txt"

# Raw HTTP: JSON errors and status codes.
code=$(in_ns curl -s -o "$E2E_DIR/body" -w '%{http_code}' "http://127.0.0.1:$API_PORT/api/v1/nothing")
check "unknown endpoint: 404 with a JSON error" bash -c "[ $code = 404 ] && grep -q '\"error\"' '$E2E_DIR/body'"

# Zones and records: listing with provenance, add/delete, every error class.
http() {  # http METHOD PATH [BODY] : prints the status code, body in $E2E_DIR/body
    in_ns curl -s -o "$E2E_DIR/body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "http://127.0.0.1:$API_PORT$2"
}
body_has() { grep -qE "$1" "$E2E_DIR/body" || { echo "--- expected /$1/ in:"; cat "$E2E_DIR/body"; return 1; }; }
out=$(ctl zones list); check "ctl zones list: lan. with its serial, counts, transfers, NOTIFY and updates" has "$out" "^lan\. +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+/[0-9]+ +[0-9]+/[0-9]+ +config [0-9]+"
out=$(ctl --json zones list); check "ctl --json zones list" has "$out" '"by_origin"'
out=$(ctl records list lan. --name www); check "ctl records list: origin config, created, updated" has "$out" "^www\.lan\. +A +[0-9]+ +198\.18\.0\.10 +config +[0-9T:-]+Z +[0-9T:-]+Z"
check "POST record: 201" test "$(http POST /api/v1/zones/lan./records '{"name":"api-host","type":"A","data":"198.18.0.40","ttl":120}')" = 201
check "POST record: answers with origin manual" body_has '"origin": "manual"'
check "POST duplicate: 409" test "$(http POST /api/v1/zones/lan./records '{"name":"api-host","type":"A","data":"198.18.0.40"}')" = 409
check "POST CNAME beside data: 409" test "$(http POST /api/v1/zones/lan./records '{"name":"api-host","type":"CNAME","data":"www"}')" = 409
code=$(http POST /api/v1/zones/lan./records '{"name":"x","type":"A","data":"300.1.1.1"}')
check "POST bad data: 400" test "$code" = 400
check "POST bad data: the error names the field" body_has '"field": "data"' 
check "POST missing type: 400" test "$(http POST /api/v1/zones/lan./records '{"name":"x","data":"198.18.0.1"}')" = 400
check "POST not JSON: 400" test "$(http POST /api/v1/zones/lan./records 'nonsense')" = 400
check "POST SOA: 400" test "$(http POST /api/v1/zones/lan./records '{"name":"@","type":"SOA","data":"a. b. 1 2 3 4 5"}')" = 400
check "POST to an unknown zone: 404" test "$(http POST /api/v1/zones/nowhere./records '{"name":"x","type":"A","data":"198.18.0.1"}')" = 404
check "GET records of an unknown zone: 404" test "$(http GET /api/v1/zones/nowhere./records)" = 404
check "GET records bad origin filter: 400" test "$(http GET '/api/v1/zones/lan./records?origin=alien')" = 400
check "GET records bad limit: 400" test "$(http GET '/api/v1/zones/lan./records?limit=0')" = 400
in_ns ip addr add 198.18.0.3/24 dev edge0 2>/dev/null || true
check "the manual record answers" wait_for 5 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short +time=1 api-host.lan A | grep -q 198.18.0.40"
out=$(ctl records delete lan. api-host A); check "ctl records delete" has "$out" "api-host\.lan\. +A"
check "DELETE again: 404" test "$(http DELETE '/api/v1/zones/lan./records?name=api-host&type=A')" = 404
check "DELETE SOA: 400" test "$(http DELETE '/api/v1/zones/lan./records?name=@&type=SOA')" = 400
check "DELETE the only apex NS: 409" test "$(http DELETE '/api/v1/zones/lan./records?name=@&type=NS')" = 409
check "DELETE without type: 400" test "$(http DELETE '/api/v1/zones/lan./records?name=www')" = 400
check "the deleted record is gone from DNS" wait_for 5 bash -c "[ -z \"\$(ip netns exec $E2E_NS dig @198.18.0.1 +short +time=1 api-host.lan A)\" ]"
out=$(ctl audit); check "ctl audit: the add and the delete" bash -c "grep -q api-add <<<'$out' && grep -q api-delete <<<'$out'"
check "GET audit bad limit: 400" test "$(http GET '/api/v1/audit?limit=x')" = 400
check "ctl records add: exit 0" test "$(status_of ctl records add lan. api-host A 198.18.0.40)" -eq 0
check "ctl records add of a duplicate: exit 1 (409)" test "$(status_of ctl records add lan. api-host A 198.18.0.40)" -eq 1

# The zone left out: an absolute name goes to the longest hosted zone that holds it.
out=$(ctl_after records add t1.lan. A 198.18.0.77 --json || true)
check "records add t1.lan. A (zone left out): created, origin manual" python3 -c "
import json,sys; d=json.loads(sys.argv[1]); assert d['name']=='t1.lan.' and d['type']=='A' and d['data']=='198.18.0.77' and d['origin']=='manual', d" "$out"
out=$(ctl records list lan. --name t1 || true); check "records list lan. --name t1: the record, origin manual" has "$out" "^t1\.lan\. +A +[0-9]+ +198\.18\.0\.77 +manual "
check "the record added without its zone answers" wait_for 5 bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +short +time=1 t1.lan A | grep -qx 198.18.0.77"
check "the explicit form names the same record: duplicate, exit 1 (409)" test "$(status_of ctl records add lan. t1.lan. A 198.18.0.77)" -eq 1
out=$(ctl records delete t1.lan. A 198.18.0.77 || true); check "records delete t1.lan. A DATA (zone left out)" has "$out" "^t1\.lan\. +A +[0-9]+ +198\.18\.0\.77 +manual "
out=$(ctl_after records list lan. --name t1 --json || true)
check "the record is gone from the zone" python3 -c "import json,sys; assert json.loads(sys.argv[1])==[]" "$out"
check "the record is gone from DNS" wait_for 5 bash -c "[ -z \"\$(ip netns exec $E2E_NS dig @198.18.0.1 +short +time=1 t1.lan A)\" ]"
check "a name no hosted zone holds: exit 1, said so" exits_with 1 "no hosted zone holds t1\.example\." ctl records add t1.example. A 198.18.0.77
check "a relative name with the zone left out (add): exit 2" exits_with 2 "only when the name is absolute" ctl records add t1 A 198.18.0.77
check "a relative name with the zone left out (delete): exit 2" exits_with 2 "only when the name is absolute" ctl records delete t1 A
check "zone left out, API unreachable: exit 3" exits_with 3 "cannot reach the API" in_ns "$CTL" records delete t1.lan. A --api http://127.0.0.1:1

# Reload: good, then bad (refused with file:line:col, old data stays).
out=$(ctl reload); check "ctl reload: zones published" has "$out" "reloaded: 1 zone\(s\)"
echo "bogus_key = 1" >>"$E2E_DIR/edge.toml"
rc=$(status_of ctl reload); check "bad reload: exit 1 (400)" test "$rc" -eq 1
out=$(ctl reload 2>&1 || true); check "bad reload lists file:line:col and the key" has "$out" "edge\.toml:[0-9]+:[0-9]+: .*bogus_key"
in_ns ip addr add 198.18.0.2/24 dev edge0
out=$(in_ns dig @198.18.0.1 +short +time=2 www.lan A || true); check "the running zones still serve" has "$out" "198\.18\.0\.10"

check "unreachable API: exit 3" test "$(status_of in_ns "$CTL" --api http://127.0.0.1:1 stats)" -eq 3
check "usage error: exit 2" test "$(status_of in_ns "$CTL" leases frobnicate)" -eq 2

rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0

# Token auth on.
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$E2E_DIR/token"
write_config "token_file = \"$E2E_DIR/token\""
start_appliance "$E2E_DIR/edge.toml"
check "with a token: the API is up" wait_for 10 in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" --token-file "$E2E_DIR/token" stats
check "no token: exit 1 (401)" test "$(status_of ctl stats)" -eq 1
out=$(ctl stats 2>&1 || true); check "401 explains itself" has "$out" "bearer token \(HTTP 401\)"
echo wrong-token-wrong-token >"$E2E_DIR/wrong"
check "wrong token: refused" test "$(status_of ctl --token-file "$E2E_DIR/wrong" stats)" -eq 1
check "right token: accepted" test "$(status_of ctl --token-file "$E2E_DIR/token" leases list)" -eq 0
check "--token-file after the subcommand: accepted" test "$(status_of ctl_after leases list --token-file "$E2E_DIR/token")" -eq 0
rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
