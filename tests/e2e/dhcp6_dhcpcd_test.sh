#!/usr/bin/env bash
# dhcpcd (Debian dhcpcd-base) as a DHCPv6 client with ia_na and ia_pd against the appliance
# over net_tap:
#   - it gets an address from the pool and a /56 from the PD pool (its hook script sees both);
#   - both leases show in `edgelease-ctl leases list --family 6` and /api/v1/leases?family=6,
#     under dhcpcd's DUID, with its IAIDs;
#   - it sends the Client FQDN option (39) with its host name, and the appliance publishes the
#     AAAA and the ip6.arpa PTR (origin dhcp);
#   - it renews at T1 and keeps its address and prefix, and the leases' expiry moves on;
#   - dhcpcd exits without releasing, the appliance restarts, dhcpcd starts again from its
#     saved lease and is bound to the same address and prefix;
#   - dhcpcd -k makes it Release: both leases are released and the AAAA goes.
# dhcpcd keeps its DUID and leases in /var/lib/dhcpcd and its sockets in /run/dhcpcd; it runs
# in a private mount namespace with both directories bound to the scratch directory, so that
# nothing of another run (or another test on the machine) leaks in or out.
source "$(dirname "$0")/lib.sh"
e2e_setup dhcpcd6
CTL="$(dirname "$E2E_BIN")/edgelease-ctl"
API_PORT=$((20000 + ($$ + 23) % 20000))
PY=/usr/bin/python3

prefix="edgelease-e2e-dhcpcd6-$$"
{ base_config "$prefix" '"198.18.0.1/24", "2001:db8::1/64"'; cat <<TOML

[api]
listen = "127.0.0.1:$API_PORT"

[[dns.zones]]
name = "lan."

[[dns.zones]]
name = "0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."

[[dhcp6.scopes]]
name = "lan6"
prefix = "2001:db8::/64"
pools = ["2001:db8::1000-2001:db8::1fff"]
pd_pools = [ { prefix = "2001:db8:8000::/40", delegated_length = 56 } ]
preferred_lifetime = "10s"
valid_lifetime = "20s"
dns_servers = ["2001:db8::1"]
domain_search = ["lan."]
domain = "lan."
TOML
} >"$E2E_DIR/edge.toml"

start_appliance "$E2E_DIR/edge.toml"
client_side edge0 02:00:00:00:00:07
in_ns ip addr add 198.18.0.2/24 dev edge0

dig6() { in_ns dig +short +time=1 +tries=1 @198.18.0.1 "$@" 2>/dev/null; }
ctl() { in_ns "$CTL" --api "http://127.0.0.1:$API_PORT" "$@"; }
ll_ready() { in_ns ip -6 addr show dev edge0 scope link | grep -q 'inet6' &&
             ! in_ns ip -6 addr show dev edge0 scope link | grep -q tentative; }
check "the client's link-local address is ready" wait_for 15 ll_ready

mkdir -p "$E2E_DIR/dhcpcd-db" "$E2E_DIR/dhcpcd-run"
cat >"$E2E_DIR/dhcpcd.conf" <<CONF
ipv6only
noipv6rs
duid ll
hostname vm-dhcpcd
fqdn both
option dhcp6_name_servers, dhcp6_domain_search
interface edge0
  ia_na 1
  ia_pd 2
CONF
cat >"$E2E_DIR/dhcpcd-script" <<SCRIPT
#!/bin/sh
{ echo "reason=\$reason"; env | grep -E '^(new|old)_' | sort; echo; } >>"$E2E_DIR/dhcpcd.record"
SCRIPT
chmod +x "$E2E_DIR/dhcpcd-script"
: >"$E2E_DIR/dhcpcd.record"
start_dhcpcd() {  # in the foreground of its own process (-B): $! is dhcpcd itself
    ip netns exec "$E2E_NS" unshare -m --propagation private sh -c \
        "mount --bind '$E2E_DIR/dhcpcd-db' /var/lib/dhcpcd && mount --bind '$E2E_DIR/dhcpcd-run' /run/dhcpcd &&
         exec dhcpcd -6 -B -d -f '$E2E_DIR/dhcpcd.conf' -c '$E2E_DIR/dhcpcd-script' edge0" \
        >>"$E2E_DIR/dhcpcd.log" 2>&1 &
    DHCPCD_PID=$!
}
# dhcpcd -k / -x talk to the running daemon's control socket, in its mount namespace.
dhcpcd_ctl() { nsenter -t "$DHCPCD_PID" -m -n dhcpcd -6 "$@" edge0 >>"$E2E_DIR/dhcpcd.log" 2>&1 || true; }
start_dhcpcd
# The lease as dhcpcd's hook saw it: the last block of REASON in the record.
seen() {  # seen REASON VAR : VAR's value in the first REASON block
    awk -v r="reason=$1" -v k="$2" '$0 == r {in_b = 1; next} /^$/ {if (in_b) exit; next}
        in_b && index($0, k "=") == 1 {print substr($0, length(k) + 2); exit}' "$E2E_DIR/dhcpcd.record"
}
if ! check "dhcpcd: bound (BOUND6)" wait_for 30 grep -q '^reason=BOUND6$' "$E2E_DIR/dhcpcd.record"; then
    tail -n 30 "$E2E_DIR/dhcpcd.log"
fi
addr=$(seen BOUND6 new_dhcp6_ia_na1_ia_addr1)
pfx=$(seen BOUND6 new_dhcp6_ia_pd1_prefix1)/$(seen BOUND6 new_dhcp6_ia_pd1_prefix1_length)
duid=$(seen BOUND6 new_dhcp6_client_id)
e2e_log "dhcpcd bound $addr and $pfx (DUID $duid)"
check "dhcpcd: an address from the pool ($addr)" grep -qE '^2001:db8::1[0-9a-f]{3}$' <<<"$addr"
in_pd() { $PY -c 'import ipaddress,sys; p=ipaddress.ip_network(sys.argv[1]); sys.exit(not (p.prefixlen == 56 and p.subnet_of(ipaddress.ip_network("2001:db8:8000::/40"))))' "$1"; }
check "dhcpcd: a /56 from the PD pool ($pfx)" in_pd "$pfx"
check "dhcpcd: DNS server and search list" test "$(seen BOUND6 new_dhcp6_name_servers) $(seen BOUND6 new_dhcp6_domain_search)" = "2001:db8::1 lan"
check "dhcpcd: T1 and T2 are 0.5 and 0.8 of the preferred lifetime" test "$(seen BOUND6 new_dhcp6_ia_na1_t1)/$(seen BOUND6 new_dhcp6_ia_na1_t2)" = 5/8
check "dhcpcd: it sent the FQDN option and the server answered it (S flag)" test "$(seen BOUND6 new_dhcp6_fqdn) $(seen BOUND6 new_dhcp6_fqdn_flags)" = "vm-dhcpcd.lan S"
check "dhcpcd: the address is on edge0" wait_for 5 bash -c "ip netns exec $E2E_NS ip -6 addr show dev edge0 | grep -q 'inet6 $addr/'"

# Both leases through edgelease-ctl and the API: dhcpcd's DUID, IAIDs 1 and 2, bound.
leases_have() {  # leases_have JSON_FILE : the two bindings as dhcpcd reported them
    $PY - "$1" "$addr" "$pfx" "$duid" <<'PYEOF'
import json, sys
f, addr, pfx, duid = sys.argv[1:]
leases = json.load(open(f))
leases = leases["leases"] if isinstance(leases, dict) else leases
duid = ":".join(duid[i:i + 2] for i in range(0, len(duid), 2))
na = [l for l in leases if l.get("ia") == "na" and l["address"] == addr]
pd = [l for l in leases if l.get("ia") == "pd" and l.get("prefix") == pfx]
ok = (len(na) == 1 and len(pd) == 1 and all(l["family"] == 6 for l in leases) and
      na[0]["duid"] == duid and pd[0]["duid"] == duid and na[0]["iaid"] == 1 and
      pd[0]["iaid"] == 2 and na[0]["state"] == "bound" and pd[0]["state"] == "bound" and
      na[0]["hostname"] == "vm-dhcpcd")
if not ok:
    print(json.dumps(leases, indent=1))
sys.exit(0 if ok else 1)
PYEOF
}
ctl --json leases list --family 6 >"$E2E_DIR/ctl6.json"
check "edgelease-ctl leases list --family 6: address and prefix under dhcpcd's DUID" leases_have "$E2E_DIR/ctl6.json"
in_ns curl -sf --max-time 2 "http://127.0.0.1:$API_PORT/api/v1/leases?family=6" >"$E2E_DIR/api6.json"
check "/api/v1/leases?family=6: the same" leases_have "$E2E_DIR/api6.json"
ctl --json leases list --family 4 >"$E2E_DIR/ctl4.json"
check "... and --family 4 lists neither" bash -c "! grep -q '2001:db8' '$E2E_DIR/ctl4.json'"

check "AAAA for dhcpcd's name" wait_for 5 bash -c "[ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm-dhcpcd.lan AAAA)\" = $addr ]"
check "PTR in ip6.arpa" test "$(dig6 -x "$addr")" = "vm-dhcpcd.lan."
check "the AAAA's origin is dhcp" bash -c "ip netns exec $E2E_NS '$CTL' --api http://127.0.0.1:$API_PORT --json records list lan. --name vm-dhcpcd | grep -q '\"origin\": *\"dhcp\"'"

# --- renewal at T1 (5 s) ---------------------------------------------------------------------
expires_of() { ctl --json leases list --family 6 | $PY -c 'import json,sys; print(" ".join(sorted(l["expires"] for l in json.load(sys.stdin))))'; }
before=$(expires_of)
check "dhcpcd renews (RENEW6)" wait_for 20 grep -q '^reason=RENEW6$' "$E2E_DIR/dhcpcd.record"
check "the renewal keeps the address and the prefix" test "$(seen RENEW6 new_dhcp6_ia_na1_ia_addr1) $(seen RENEW6 new_dhcp6_ia_pd1_prefix1)/$(seen RENEW6 new_dhcp6_ia_pd1_prefix1_length)" = "$addr $pfx"
after=$(expires_of)
e2e_log "lease expiry before the renewal: $before; after: $after"
check "the renewal moved both leases' expiry" $PY -c 'import sys; b, a = sys.argv[1].split(), sys.argv[2].split(); sys.exit(not (len(a) == 2 and len(b) == 2 and all(y > x for x, y in zip(b, a))))' "$before" "$after"
ctl --json leases list --family 6 >"$E2E_DIR/ctl6b.json"
check "... and both are still bound to dhcpcd" leases_have "$E2E_DIR/ctl6b.json"

# --- dhcpcd and the appliance restart: the client comes back to its saved lease --------------
dhcpcd_ctl -x   # exit without a Release: the lease stays in its file and in the appliance
check "dhcpcd exits (-x)" wait_for 15 bash -c "! kill -0 $DHCPCD_PID"
wait "$DHCPCD_PID" 2>/dev/null || true
rc=0; stop_appliance || rc=$?
check "the appliance stops cleanly (status $rc)" test "$rc" -eq 0
start_appliance "$E2E_DIR/edge.toml"
# A new tap: the kernel end is a fresh interface, the client host's MAC and address again.
client_side edge0 02:00:00:00:00:07
in_ns ip addr add 198.18.0.2/24 dev edge0
check "the link-local address is ready again" wait_for 15 ll_ready
: >"$E2E_DIR/dhcpcd.record"
start_dhcpcd
check "dhcpcd, restarted, is bound again" wait_for 30 grep -qE '^reason=(REBOOT6|REBIND6|BOUND6)$' "$E2E_DIR/dhcpcd.record"
back=$(grep -m1 -E '^reason=(REBOOT6|REBIND6|BOUND6)$' "$E2E_DIR/dhcpcd.record" | cut -d= -f2)
e2e_log "dhcpcd came back with $back"
check "... with the same address and prefix ($back)" test "$(seen "$back" new_dhcp6_ia_na1_ia_addr1) $(seen "$back" new_dhcp6_ia_pd1_prefix1)/$(seen "$back" new_dhcp6_ia_pd1_prefix1_length)" = "$addr $pfx"
ctl --json leases list --family 6 >"$E2E_DIR/ctl6c.json"
check "... and the appliance still lists both under its DUID" leases_have "$E2E_DIR/ctl6c.json"
check "... and the AAAA is there, still of origin dhcp" bash -c "[ \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm-dhcpcd.lan AAAA)\" = $addr ] &&
    ip netns exec $E2E_NS '$CTL' --api http://127.0.0.1:$API_PORT --json records list lan. --name vm-dhcpcd | grep -q '\"origin\": *\"dhcp\"'"

# --- Release (dhcpcd -k, through the running daemon's control socket) -------------------------
dhcpcd_ctl -k
check "dhcpcd exits after releasing" wait_for 15 bash -c "! kill -0 $DHCPCD_PID"
wait "$DHCPCD_PID" 2>/dev/null || true
released() { ctl --json leases list --family 6 | $PY -c 'import json,sys; l = json.load(sys.stdin); sys.exit(not (len(l) == 2 and all(x["state"] == "released" for x in l)))'; }
check "the appliance marks both leases released" wait_for 5 released
check "the release deletes the AAAA" wait_for 5 bash -c "[ -z \"\$(ip netns exec $E2E_NS dig +short @198.18.0.1 vm-dhcpcd.lan AAAA)\" ]"

rc=0; stop_appliance || rc=$?
check "clean exit (status $rc)" test "$rc" -eq 0
e2e_finish
