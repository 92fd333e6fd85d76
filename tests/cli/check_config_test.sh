#!/usr/bin/env bash
# `edgelease --check-config`: exit 0 and a confirmation for the shipped examples; for a typo'd
# key, exit non-zero with file:line:col, the key path and a suggestion.
set -u
bin=$EDGELEASE_BIN
src=$EDGELEASE_SOURCE_DIR
pass=0 fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }

for f in "$src"/config/examples/*.toml; do
    out=$("$bin" --check-config "$f" 2>&1); rc=$?
    [ $rc -eq 0 ] && grep -q "configuration valid" <<<"$out" && ok "$(basename "$f") is valid" || { bad "$(basename "$f"): rc=$rc"; echo "$out"; }
done

# The summary counts each family's scopes (quickstart has one of each).
out=$("$bin" --check-config "$src/config/examples/quickstart.toml" 2>&1)
grep -q "1 DHCP scope(s), 1 DHCPv6 scope(s))" <<<"$out" && ok "quickstart: both families' scopes counted" ||
    { bad "quickstart: scope counts"; echo "$out"; }

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/typo.toml" <<'TOML'
[dpdk]
eal_args = ["--no-huge"]

[[interfaces]]
port = "net_tap0"
adresses = ["198.18.0.1/24"]
TOML
out=$("$bin" --check-config "$tmp/typo.toml" 2>&1); rc=$?
echo "$out"
[ $rc -ne 0 ] && ok "typo: non-zero exit ($rc)" || bad "typo: exit 0"
grep -qE "typo\.toml:6:1: interfaces\[0\]\.adresses: unknown key 'adresses' \(did you mean 'addresses'\?\)" <<<"$out" \
    && ok "typo: file:line:col, key path and suggestion" || bad "typo: message"

# Zone data is checked too: a bad record in a zone file names the file and line.
cat >"$tmp/bad.zone" <<'ZONE'
$TTL 300
@ SOA ns.lan. hostmaster.lan. 1 3600 600 86400 60
@ NS ns
www A 198.18.0.300
ZONE
cat >"$tmp/zones.toml" <<'TOML'
[[interfaces]]
port = "net_tap0"
addresses = ["198.18.0.1/24"]
[[dns.zones]]
name = "lan."
file = "bad.zone"
TOML
out=$("$bin" --check-config "$tmp/zones.toml" 2>&1); rc=$?
echo "$out"
[ $rc -ne 0 ] && grep -qE "bad\.zone:4: .*198\.18\.0\.300" <<<"$out" && ok "bad zone file: refused with file:line" || bad "bad zone file"

# The package's edge.toml, as installed, and its lcore options as the systemd generator reads
# them: an option it cannot read is an error here too, not a silently unpinned service.
out=$("$bin" --check-config "$src/packaging/edge.toml" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "packaging/edge.toml is valid" || { bad "packaging/edge.toml: rc=$rc"; echo "$out"; }
sed 's/"--in-memory"\]/"--in-memory", "-l", "6-2"]/' "$src/packaging/edge.toml" >"$tmp/lcores.toml"
out=$("$bin" --check-config "$tmp/lcores.toml" 2>&1); rc=$?
echo "$out"
[ $rc -ne 0 ] && grep -qF "cannot read the CPUs of -l '6-2' in [dpdk].eal_args" <<<"$out" &&
    ok "an unreadable -l: refused, named" || bad "unreadable -l"
sed 's/"--in-memory"\]/"--in-memory", "-l", "2, 4-6"]/' "$src/packaging/edge.toml" >"$tmp/lcores.toml"
out=$("$bin" --print-cpu-affinity "$tmp/lcores.toml" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$out" = "2,4-6" ] && ok "--print-cpu-affinity: 2,4-6" || bad "--print-cpu-affinity: rc=$rc '$out'"

out=$("$bin" --check-config "$tmp/missing.toml" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "missing.toml" <<<"$out" && ok "missing file: named, non-zero exit" || bad "missing file"

out=$("$bin" --config "$tmp/typo.toml" 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "adresses" <<<"$out" && ok "--config refuses to start half-configured" || bad "--config with errors"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
