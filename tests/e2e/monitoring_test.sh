#!/usr/bin/env bash
# packaging/monitoring against a running appliance:
#   - the alert rules pass `promtool check rules`, and their unit tests `promtool test rules`;
#   - the dashboard parses, its panel ids are unique, every query uses the templated data source
#     and $instance, and parses as PromQL (promtool, with the Grafana variables filled in);
#   - every metric name in every rule and every dashboard query is exported on GET /metrics of
#     an appliance with DHCPv4, DHCPv6, zones, NOTIFY and transfers configured, after a DNS
#     query and a DHCPv4 lease; and the check itself rejects a misspelt name.
source "$(dirname "$0")/lib.sh"
SRC=${EDGELEASE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MON="$SRC/packaging/monitoring"
RULES="$MON/edgelease.rules.yml"
RULES_TEST="$MON/edgelease.rules.test.yml"
DASHBOARD="$MON/edgelease-dashboard.json"
NAMES="python3 $(dirname "$0")/monitoring_names.py"
command -v promtool >/dev/null || { echo "promtool not installed (Debian package prometheus)"; exit 1; }
for f in "$RULES" "$RULES_TEST" "$DASHBOARD"; do [ -f "$f" ] || { echo "missing $f"; exit 1; }; done

e2e_setup monitoring
API_PORT=$((20000 + $$ % 20000))

# --- the files on their own ---------------------------------------------------------------------
if promtool check rules "$RULES" >"$E2E_DIR/check.txt" 2>&1; then e2e_pass "promtool check rules"
else cat "$E2E_DIR/check.txt"; e2e_fail "promtool check rules"; fi
RULE_COUNT=$(sed -n 's/.*SUCCESS: \([0-9][0-9]*\) rules found.*/\1/p' "$E2E_DIR/check.txt")
check "promtool counted the rules" test -n "$RULE_COUNT"
if (cd "$MON" && promtool test rules "$RULES_TEST") >"$E2E_DIR/unit.txt" 2>&1; then
    e2e_pass "promtool test rules (the alerts' unit tests)"
else cat "$E2E_DIR/unit.txt"; e2e_fail "promtool test rules (the alerts' unit tests)"; fi

check "the PromQL name extractor reads its known cases" $NAMES selftest
check "dashboard: valid JSON, unique panel ids, templated data source and instance" \
    $NAMES dashboard "$DASHBOARD"
$NAMES dashboard-rules "$DASHBOARD" "$E2E_DIR/dashboard-rules.yml"
if promtool check rules "$E2E_DIR/dashboard-rules.yml" >"$E2E_DIR/dcheck.txt" 2>&1; then
    e2e_pass "every dashboard query parses as PromQL"
else cat "$E2E_DIR/dcheck.txt"; e2e_fail "every dashboard query parses as PromQL"; fi

# --- an appliance with every subsystem that has metrics ----------------------------------------
prefix="edgelease-e2e-monitoring-$$"
{ base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."
allow_transfer = ["198.18.0.0/24"]
notify = ["198.18.0.3"]
records = [ { name = "www", type = "A", data = "198.18.0.10" } ]

[[dns.zones]]
name = "0.18.198.in-addr.arpa."

[[dhcp.scopes]]
name = "lan"
subnet = "198.18.0.0/24"
pools = ["198.18.0.100-198.18.0.199"]
lease_time = "1h"
routers = ["198.18.0.1"]
domain = "lan."

[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
TOML
} >"$E2E_DIR/edge.toml"

start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
metrics() { in_ns curl -s --max-time 5 "http://127.0.0.1:$API_PORT/metrics"; }
check "the API serves /metrics" wait_for 10 bash -c "ip netns exec $E2E_NS curl -sf --max-time 5 http://127.0.0.1:$API_PORT/metrics >/dev/null"

# A little traffic, so that the labelled series carry values.
check "a DNS answer" wait_for 10 bash -c "ip netns exec $E2E_NS dig +short +time=1 +tries=1 @198.18.0.1 www.lan A | grep -qx 198.18.0.10"
cat >"$E2E_DIR/udhcpc-script" <<'SCRIPT'
#!/bin/sh
exit 0
SCRIPT
chmod +x "$E2E_DIR/udhcpc-script"
in_ns timeout 30 udhcpc -i edge0 -f -q -n -t 5 -T 2 -s "$E2E_DIR/udhcpc-script" >"$E2E_DIR/udhcpc.log" 2>&1 || true
# Pool gauges are refreshed once a second: wait for the lease to show.
check "a DHCPv4 lease shows in the pool use the dashboard graphs" wait_for 10 bash -c \
    "ip netns exec $E2E_NS curl -s --max-time 5 http://127.0.0.1:$API_PORT/metrics | grep -qE '^edgelease_dhcp_pool_utilisation\{scope=\"lan\"\} 0\.0[1-9]'"

# Per-zone series appear with a zone's first NOTIFY (sent once a new serial is durable) and
# first transfer. A record added through the API moves lan.'s serial, so a NOTIFY goes out
# whatever the start-up did (the nameless DHCP client above adds no record).
ctl=$(dirname "$E2E_BIN")/edgelease-ctl
check "a record added through the API (a new serial for lan.)" \
    in_ns "$ctl" --api "http://127.0.0.1:$API_PORT" records add lan. notify-probe A 198.18.0.77
check "an AXFR of lan." bash -c "ip netns exec $E2E_NS dig @198.18.0.1 +tcp +time=5 +tries=1 lan AXFR | grep -qE '^www\.lan\..*198\.18\.0\.10'"
check "per-zone NOTIFY and transfer series appear" wait_for 30 bash -c \
    "ip netns exec $E2E_NS curl -s --max-time 5 http://127.0.0.1:$API_PORT/metrics >'$E2E_DIR/m.txt' &&
     grep -qE '^edgelease_dns_zone_notify_total\{zone=\"lan\.\",result=\"sent\"\} [1-9]' '$E2E_DIR/m.txt' &&
     grep -qE '^edgelease_dns_zone_transfers_total\{zone=\"lan\.\",outcome=\"axfr\"\} [1-9]' '$E2E_DIR/m.txt'"

metrics >"$E2E_DIR/metrics.txt"
check "/metrics passes promtool check metrics" bash -c "promtool check metrics <'$E2E_DIR/metrics.txt'"
check "/metrics: the commit latency histogram the dashboard and an alert read has a commit" \
    grep -qE '^edgelease_lease_store_commit_duration_seconds_bucket\{le="\+Inf"\} [1-9]' "$E2E_DIR/metrics.txt"
check "/metrics: per-zone NOTIFY counters (EdgeleaseNotifyUnanswered)" \
    grep -qE '^edgelease_dns_zone_notify_total\{zone="lan\.",result="gave_up"\} [0-9]' "$E2E_DIR/metrics.txt"
check "/metrics: per-zone transfer counters (EdgeleaseZoneTransferServfail)" \
    grep -qE '^edgelease_dns_zone_transfers_total\{zone="lan\.",outcome="servfail"\} [0-9]' "$E2E_DIR/metrics.txt"
check "/metrics: DHCPv6 pool gauges (EdgeleaseDhcp6PoolNearlyExhausted)" \
    grep -qE '^edgelease_dhcp6_pool_free\{scope="lan6",kind="prefix"\} [0-9]' "$E2E_DIR/metrics.txt"

# --- every name used is exported ----------------------------------------------------------------
if $NAMES names "$E2E_DIR/metrics.txt" "${RULE_COUNT:-0}" "$RULES" "$DASHBOARD" >"$E2E_DIR/names.txt" 2>&1; then
    cat "$E2E_DIR/names.txt"; e2e_pass "every metric in the rules and the dashboard is in /metrics"
else cat "$E2E_DIR/names.txt"; e2e_fail "every metric in the rules and the dashboard is in /metrics"; fi

# The check fails, naming the metric, for a copy of each file with a name the appliance does not
# export (so a pass above means something).
sed 's/edgelease_dhcp_pool_utilisation{/edgelease_dhcp_pool_utilization{/' "$DASHBOARD" >"$E2E_DIR/bad-dashboard.json"
sed 's/edgelease_lease_store_failures_total\[/edgelease_lease_store_failure_total[/' "$RULES" >"$E2E_DIR/bad.rules.yml"
check "the copies really differ" bash -c "! cmp -s '$DASHBOARD' '$E2E_DIR/bad-dashboard.json' && ! cmp -s '$RULES' '$E2E_DIR/bad.rules.yml'"
bad_rc=0
$NAMES names "$E2E_DIR/metrics.txt" "$RULE_COUNT" "$E2E_DIR/bad.rules.yml" "$E2E_DIR/bad-dashboard.json" \
    >"$E2E_DIR/bad-names.txt" 2>&1 || bad_rc=$?
cat "$E2E_DIR/bad-names.txt"
check "a misspelt name fails the check" test "$bad_rc" -eq 1
check "... naming the dashboard's misspelt metric" \
    grep -q '^not exported by the appliance: edgelease_dhcp_pool_utilization ' "$E2E_DIR/bad-names.txt"
check "... and the rules' misspelt metric, with the alert using it" \
    grep -qE '^not exported by the appliance: edgelease_lease_store_failure_total .*EdgeleaseLeaseStoreFailures' "$E2E_DIR/bad-names.txt"

check "the appliance stops cleanly" stop_appliance
e2e_finish
