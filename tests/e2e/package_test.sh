#!/usr/bin/env bash
# The Debian package, as an operator gets it: CPack builds it, lintian finds no errors, dpkg
# installs it; the installed edge.toml passes --check-config, the unit passes systemd-analyze
# verify, the man pages render, the generator pins CPUs from eal_args, and the installed
# appliance, run with the unit's user, capabilities (no others) and runtime directory and a
# NOTIFY_SOCKET (not under systemd: the unit's sandboxing is not applied here), serves and
# tells systemd READY=1, RELOADING=1 and STOPPING=1 in turn. Then
# dpkg --purge leaves nothing behind but the system user, as Debian policy keeps it (this test
# removes it when it created it).
#   EDGELEASE_BUILD_DIR   the build tree to package (a Release one)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"
build=${EDGELEASE_BUILD_DIR:?EDGELEASE_BUILD_DIR: the build tree to package}
src=${EDGELEASE_SOURCE_DIR:-$(cd "$here/../.." && pwd)}
if [ "${EDGELEASE_SANITIZE:-OFF}" = ON ]; then
    echo "a sanitizer build is not packaged; the Release suite runs this test"
    exit 77
fi

pkg=edgelease
# A run killed before its cleanup (a ctest timeout) leaves this mark beside the package.
mark=/run/edgelease-package-test
state=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
if [ -n "$state" ] && [ "$state" != not-installed ]; then
    if [ -e "$mark" ]; then
        echo "purging the package an earlier run of this test left ($state)"
        dpkg --purge "$pkg" >/dev/null
    else
        echo "package $pkg is on this machine already ($state): not touching it"; exit 1
    fi
fi
user_existed=0
getent passwd edgelease >/dev/null && user_existed=1
installed=0
NOTIFY_PID=""
pkg_cleanup() {
    local rc=$?
    set +e
    [ -n "$NOTIFY_PID" ] && kill "$NOTIFY_PID" 2>/dev/null
    [ "$installed" = 1 ] && dpkg --purge "$pkg" >/dev/null 2>&1
    rm -f "$mark"
    if [ "$user_existed" = 0 ] && getent passwd edgelease >/dev/null; then
        userdel edgelease 2>/dev/null; groupdel edgelease 2>/dev/null
    fi
    (exit "$rc")
    e2e_cleanup
}
e2e_setup package
trap pkg_cleanup EXIT

# ---- build and lint ------------------------------------------------------------------------
e2e_log "cmake --build $build --target package"
rm -f "$build"/edgelease_*.deb
cmake --build "$build" --target package >"$E2E_DIR/cpack.log" 2>&1 || { tail -n 30 "$E2E_DIR/cpack.log"; exit 1; }
deb=$(ls "$build"/edgelease_*.deb)
check "CPack wrote $(basename "$deb")" test -s "$deb"
dpkg-deb -f "$deb" Depends >"$E2E_DIR/depends"
e2e_log "Depends: $(cat "$E2E_DIR/depends")"
check "it depends on Debian's DPDK and its libraries" grep -qE '(^|, )dpdk(,|$).*librte-eal|librte-eal.*(, )dpdk(,|$)' "$E2E_DIR/depends"
check "and on no test peer" bash -c '! grep -qE "knot|nsd|kea|dnsperf|isc-dhcp|udhcpc|dhcpcd" "$0"' "$E2E_DIR/depends"
lintian --fail-on error --tag-display-limit 0 "$deb" >"$E2E_DIR/lintian" 2>&1 && lint=0 || lint=$?
sed 's/^/  lintian: /' "$E2E_DIR/lintian"
check "lintian reports no errors" test "$lint" = 0
check "lintian's report has no E: line" bash -c '! grep -q "^E:" "$0"' "$E2E_DIR/lintian"

# ---- install ----------------------------------------------------------------------------------
installed=1  # from here on, whatever dpkg leaves is purged on exit
touch "$mark"
dpkg -i "$deb" >"$E2E_DIR/dpkg-i.log" 2>&1 || { cat "$E2E_DIR/dpkg-i.log"; exit 1; }
dpkg -L "$pkg" >"$E2E_DIR/files"
for f in /usr/sbin/edgelease /usr/bin/edgelease-ctl /usr/bin/edgelease-loadgen /usr/sbin/edgelease-setup-nic \
    /etc/edgelease/edge.toml /lib/systemd/system/edgelease.service /lib/systemd/system-generators/edgelease-generator \
    /usr/share/bash-completion/completions/edgelease-ctl /usr/share/edgelease/monitoring/edgelease.rules.yml \
    /usr/share/edgelease/monitoring/edgelease-dashboard.json /usr/share/doc/edgelease/copyright; do
    check "installed: $f" test -e "$f"
done
check "edge.toml is a conffile" bash -c 'dpkg-query -W -f="\${Conffiles}" edgelease | grep -q "/etc/edgelease/edge.toml"'
check "user edgelease exists, a system user" bash -c '[ "$(id -u edgelease)" -lt 1000 ]'
check "/var/lib/edgelease belongs to the service" test "$(stat -c %U:%G /var/lib/edgelease)" = edgelease:edgelease
check "edge.toml readable by root and group edgelease only" test "$(stat -c %a:%U:%G /etc/edgelease/edge.toml)" = 640:root:edgelease
check "installed edge.toml passes --check-config" /usr/sbin/edgelease --check-config /etc/edgelease/edge.toml
check "... also as the service user" runuser -u edgelease -- /usr/sbin/edgelease --check-config /etc/edgelease/edge.toml
systemd-analyze verify /lib/systemd/system/edgelease.service >"$E2E_DIR/verify" 2>&1 && v=0 || v=$?
sed 's/^/  systemd-analyze: /' "$E2E_DIR/verify"
check "systemd-analyze verify passes, silent" bash -c '[ "$0" = 0 ] && [ ! -s "$1" ]' "$v" "$E2E_DIR/verify"

# ---- man pages: render without warnings; edgelease.toml(5) holds every key of the reference -
for page in edgelease.8 edgelease-ctl.8 edgelease-setup-nic.8 edgelease-loadgen.1 edgelease.toml.5; do
    f=/usr/share/man/man${page##*.}/$page.gz
    MANWIDTH=100 man --warnings -l "$f" >"$E2E_DIR/$page.txt" 2>"$E2E_DIR/$page.warn" || true
    check "man -l $page renders with a NAME section" grep -q '^NAME' "$E2E_DIR/$page.txt"
    check "man -l $page: no groff warnings" test ! -s "$E2E_DIR/$page.warn"
done
missing=0
while read -r key; do
    grep -qF -- "$key" "$E2E_DIR/edgelease.toml.5.txt" || { e2e_log "edgelease.toml(5) lacks $key"; missing=$((missing + 1)); }
done < <(sed -n 's/^| `\([a-z_0-9.]*\)` |.*/\1/p' "$src/docs/configuration.md" | sort -u)
check "edgelease.toml(5) names every key of docs/configuration.md" test "$missing" = 0

# ---- bash completion --------------------------------------------------------------------------
comp=$(bash -c 'source /usr/share/bash-completion/completions/edgelease-ctl
    COMP_WORDS=(edgelease-ctl records list lan. --origin d); COMP_CWORD=5; _edgelease_ctl; echo "${COMPREPLY[*]}"
    COMP_WORDS=(edgelease-ctl le); COMP_CWORD=1; _edgelease_ctl; echo "${COMPREPLY[*]}"')
check "completion: records list --origin d -> dhcp; le -> leases" test "$comp" = $'dhcp\nleases'

# ---- the generator: CPUAffinity= from eal_args -------------------------------------------
gen=/lib/systemd/system-generators/edgelease-generator
mkdir -p "$E2E_DIR/gen1" "$E2E_DIR/gen2"
"$gen" "$E2E_DIR/gen1"
check "generator: no lcore option, no drop-in" test ! -e "$E2E_DIR/gen1/edgelease.service.d"
cp /etc/edgelease/edge.toml "$E2E_DIR/edge.toml.orig"
sed -i 's/"--in-memory"\]/"--in-memory", "-l", "0,2-3"]/' /etc/edgelease/edge.toml
"$gen" "$E2E_DIR/gen2"
check "generator: -l 0,2-3 gives CPUAffinity=0,2-3" grep -qx 'CPUAffinity=0,2-3' "$E2E_DIR/gen2/edgelease.service.d/50-cpu-affinity.conf"
cp "$E2E_DIR/edge.toml.orig" /etc/edgelease/edge.toml

# ---- the installed appliance as the unit runs it ------------------------------------------
caps=$(sed -n 's/^AmbientCapabilities=//p' /lib/systemd/system/edgelease.service)
capset=$(for c in $caps; do printf '+%s,' "$(echo "${c#CAP_}" | tr 'A-Z' 'a-z')"; done)
capset=${capset%,}
e2e_log "the unit's capabilities: $capset"
chmod 711 "$E2E_DIR"
mkdir -p "$E2E_DIR/state" && chown edgelease:edgelease "$E2E_DIR/state"
{ base_config "el-pkg-$$" '"198.18.0.1/24"'; printf '\n[api]\nlisten = "127.0.0.1:8053"\n'; } >"$E2E_DIR/edge.toml"
chmod 644 "$E2E_DIR/edge.toml"
sock="$E2E_DIR/notify.sock"
python3 -u -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
import os; os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a") as f:
    while True:
        m = s.recv(4096).decode()
        f.write(m.replace("\n", " ") + "\n"); f.flush()
' "$sock" "$E2E_DIR/notified" &
NOTIFY_PID=$!
wait_for 10 test -S "$sock"
# As the unit: its runtime directory for EAL (XDG_RUNTIME_DIR=/run/edgelease there).
mkdir -p "$E2E_DIR/run" && chown edgelease:edgelease "$E2E_DIR/run"
ip netns exec "$E2E_NS" env NOTIFY_SOCKET="$sock" XDG_RUNTIME_DIR="$E2E_DIR/run" setpriv --reuid=edgelease --regid=edgelease --clear-groups \
    --inh-caps="-all,$capset" --ambient-caps="-all,$capset" --bounding-set="-all,$capset" \
    /usr/sbin/edgelease --config "$E2E_DIR/edge.toml" >"$E2E_DIR/appliance.log" 2>&1 &
E2E_PID=$!
check "as user edgelease with the unit's capabilities: READY=1 once serving" wait_for 60 grep -q '^READY=1' "$E2E_DIR/notified"
check "the log says it is running" grep -q "edgelease running" "$E2E_DIR/appliance.log"
check "the process runs as edgelease" test "$(ps -o user= -p "$E2E_PID" | tr -d ' ')" = edgelease
eff=$(capsh --decode="$(grep ^CapEff "/proc/$E2E_PID/status" | cut -f2)" | grep -o 'cap_[a-z_]*' | sort | paste -sd' ')
want=$(for c in $caps; do echo "${c,,}"; done | sort | paste -sd' ')
e2e_log "effective: $eff"
check "its effective capabilities are exactly the unit's" test "$eff" = "$want"
client_side edge0 02:00:00:00:00:02
in_ns ip addr add 198.18.0.2/24 dev edge0
check "it answers ARP and ping on its port" wait_for 10 in_ns ping -c 1 -W 1 198.18.0.1
check "EAL made its runtime directory where the unit puts it" bash -c 'ls "$0" | grep -q dpdk' "$E2E_DIR/run"
kill -HUP "$E2E_PID"
check "SIGHUP: RELOADING=1, then READY=1 again" wait_for 30 bash -c 'grep -q "^RELOADING=1" "$0" && [ "$(grep -c "^READY=1" "$0")" -ge 2 ]' "$E2E_DIR/notified"
check "exits 0 on SIGTERM" stop_appliance
check "STOPPING=1 on the way out" grep -q '^STOPPING=1' "$E2E_DIR/notified"
sed 's/^/  notified: /' "$E2E_DIR/notified"

# ---- reinstall, as an upgrade does: the state and the administrator's choices stay ---------
runuser -u edgelease -- touch /var/lib/edgelease/kept
chmod 0600 /etc/edgelease/edge.toml
echo "# the administrator's edit" >>/etc/edgelease/edge.toml
dpkg -i "$deb" >"$E2E_DIR/dpkg-i2.log" 2>&1 || { cat "$E2E_DIR/dpkg-i2.log"; exit 1; }
check "reinstall: the state directory kept, still the service's" bash -c '[ -e /var/lib/edgelease/kept ] && [ "$(stat -c %U /var/lib/edgelease)" = edgelease ]'
check "reinstall: the edited edge.toml kept, with its mode" bash -c 'grep -q "administrator" /etc/edgelease/edge.toml && [ "$(stat -c %a /etc/edgelease/edge.toml)" = 600 ]'

# ---- purge ------------------------------------------------------------------------------------
dpkg --purge "$pkg" >"$E2E_DIR/purge.log" 2>&1 || { cat "$E2E_DIR/purge.log"; exit 1; }
installed=0
left=0
while read -r f; do
    [ -d "$f" ] && continue  # shared directories (/usr/sbin, ...) stay
    [ -e "$f" ] && { e2e_log "left behind: $f"; left=$((left + 1)); }
done <"$E2E_DIR/files"
check "purge removed every file of the package" test "$left" = 0
for d in /var/lib/edgelease /etc/edgelease /usr/share/edgelease /usr/share/doc/edgelease; do
    check "purge removed $d" test ! -e "$d"
done
check "the system user stays, as policy keeps it" getent passwd edgelease
e2e_finish
