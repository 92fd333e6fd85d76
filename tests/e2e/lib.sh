# Shared helpers for end-to-end tests: a private network namespace per test, the appliance
# started inside it on a net_tap vdev, bounded waits, and teardown on every exit path.
# Usage: source this file, then call e2e_setup NAME; traps clean up.
set -euo pipefail

E2E_BIN=${EDGELEASE_BIN:-}
E2E_NS=""
E2E_PID=""
E2E_DIR=""
E2E_FAILS=0
E2E_PASSES=0

e2e_log() { echo "[$(date +%H:%M:%S.%3N)] $*"; }

e2e_fail() {
    e2e_log "FAIL: $*"
    E2E_FAILS=$((E2E_FAILS + 1))
}

e2e_pass() {
    e2e_log "ok: $*"
    E2E_PASSES=$((E2E_PASSES + 1))
}

# check DESCRIPTION COMMAND... : runs the command, records pass/fail.
check() {
    local what=$1
    shift
    if "$@"; then e2e_pass "$what"; else e2e_fail "$what"; fi
}

# wait_for TIMEOUT_S COMMAND... : polls (every 50 ms) until the command succeeds.
wait_for() {
    local timeout=$1
    shift
    local deadline=$(($(date +%s%N) + timeout * 1000000000))
    while [ "$(date +%s%N)" -lt "$deadline" ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.05
    done
    return 1
}

e2e_cleanup() {
    local rc=$?
    set +e
    if [ -n "$E2E_PID" ] && kill -0 "$E2E_PID" 2>/dev/null; then
        kill -TERM "$E2E_PID" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$E2E_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$E2E_PID" 2>/dev/null
    fi
    if [ -n "$E2E_NS" ]; then
        # Processes a test started inside the namespace (clients) end with it.
        for p in $(ip netns pids "$E2E_NS" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        ip netns del "$E2E_NS" 2>/dev/null
    fi
    if [ $rc -ne 0 ] || [ "$E2E_FAILS" -ne 0 ]; then
        [ -f "$E2E_DIR/appliance.log" ] && { echo "--- appliance log ---"; tail -n 60 "$E2E_DIR/appliance.log"; }
    fi
    [ -n "$E2E_DIR" ] && rm -rf "$E2E_DIR"
    exit $rc
}

# e2e_setup NAME : namespace "el-NAME-PID" and a scratch directory.
e2e_setup() {
    [ "$(id -u)" = 0 ] || { echo "end-to-end tests need root (network namespaces)"; exit 1; }
    [ -x "$E2E_BIN" ] || { echo "EDGELEASE_BIN not set to the edgelease binary"; exit 1; }
    E2E_NS="el-$1-$$"
    E2E_DIR=$(mktemp -d "/tmp/edgelease-e2e-$1.XXXXXX")
    trap e2e_cleanup EXIT
    trap 'exit 130' INT TERM
    ip netns add "$E2E_NS"
    ip -n "$E2E_NS" link set lo up
}

# base_config PREFIX ADDRESSES [VDEV] [APPLIANCE_LINES] : the [appliance], [dpdk] and
# [[interfaces]] part of a test configuration (state in the scratch directory, one port), on
# standard output.
base_config() {
    local prefix=$1 addresses=$2 vdev=${3:-net_tap0,iface=edge0} extra=${4:-}
    cat <<TOML
[appliance]
state_dir = "$E2E_DIR/state"
$extra

[dpdk]
eal_args = ["--no-huge", "--no-pci", "--no-shconf", "--file-prefix=$prefix", "--vdev=$vdev"]

[[interfaces]]
port = "${vdev%%,*}"
addresses = [$addresses]
TOML
}

# in_ns COMMAND... : run inside the test namespace.
in_ns() { ip netns exec "$E2E_NS" "$@"; }

# start_appliance CONFIG [TAP_IFACE] : runs edgelease in the namespace (its net_tap creates
# the kernel interface there), waits until the tap exists and the lcores run.
start_appliance() {
    local config=$1 iface=${2:-edge0}
    # Not through in_ns: `ip netns exec` execs the binary, so $! is the appliance itself.
    ip netns exec "$E2E_NS" "$E2E_BIN" --config "$config" >"$E2E_DIR/appliance.log" 2>&1 &
    E2E_PID=$!
    if ! wait_for 30 grep -q "edgelease running" "$E2E_DIR/appliance.log"; then
        e2e_log "appliance did not start"; cat "$E2E_DIR/appliance.log"; return 1
    fi
    wait_for 10 in_ns ip link show "$iface"
}

# client_side IFACE MAC : prepares the kernel end of the tap as a separate host. net_tap gives
# the kernel interface the DPDK port's own MAC; two ends with one MAC would collide (IPv6
# link-local DAD, DHCP client identity), so the kernel end gets its own.
# The tap is already up (with a link-local address from the shared MAC): down first, so
# that the kernel forms its link-local address from the new MAC.
client_side() {
    in_ns ip link set "$1" down
    in_ns ip link set "$1" address "$2"
    in_ns ip link set "$1" up
}

# stop_appliance : SIGTERM, waits (bounded) and returns the exit status.
stop_appliance() {
    kill -TERM "$E2E_PID"
    local rc=0
    wait "$E2E_PID" || rc=$?
    E2E_PID=""
    return $rc
}

# e2e_finish : prints the plain summary line and sets the exit status.
e2e_finish() {
    echo "$E2E_PASSES passed, $E2E_FAILS failed"
    [ "$E2E_FAILS" -eq 0 ]
}

# ---- dhclient as a real host on the kernel end of the tap (edge0) --------------------------
# new_mac MAC : the host on edge0 becomes another machine.
new_mac() { in_ns ip link set edge0 down; in_ns ip link set edge0 address "$1"; in_ns ip link set edge0 up; }

# start_client TAG HOSTNAME [CLIENT_ID] : dhclient in the background until BOUND; sets
# CLIENT_PID and CLIENT_IP.
start_client() {
    local tag=$1 host=$2 cid=${3:-}
    {
        echo "send host-name \"$host\";"
        [ -n "$cid" ] && echo "send dhcp-client-identifier \"$cid\";"
        echo "request subnet-mask, routers, domain-name-servers, domain-name;"
    } >"$E2E_DIR/$tag.conf"
    cat >"$E2E_DIR/$tag.script" <<SCRIPT
#!/bin/sh
echo "\$reason ip=\$new_ip_address" >>"$E2E_DIR/$tag.record"
case "\$reason" in BOUND|RENEW|REBIND|REBOOT) ip addr replace "\$new_ip_address/24" dev "\$interface" ;; esac
exit 0
SCRIPT
    chmod +x "$E2E_DIR/$tag.script"
    : >"$E2E_DIR/$tag.record"
    # Not through in_ns (a function: $! would be its subshell): ip netns exec execs dhclient,
    # so $! is the client itself and kill_client really makes it vanish.
    ip netns exec "$E2E_NS" dhclient -4 -d -cf "$E2E_DIR/$tag.conf" -lf "$E2E_DIR/$tag.leases" \
        -pf "$E2E_DIR/$tag.pid" -sf "$E2E_DIR/$tag.script" edge0 >"$E2E_DIR/$tag.log" 2>&1 &
    CLIENT_PID=$!
    if ! wait_for 30 grep -q '^BOUND ' "$E2E_DIR/$tag.record"; then
        e2e_fail "$tag: no lease"; CLIENT_IP=""; return 1
    fi
    CLIENT_IP=$(sed -n 's/^BOUND ip=\([0-9.]*\).*/\1/p' "$E2E_DIR/$tag.record" | head -1)
    e2e_log "$tag ($host) bound $CLIENT_IP"
}
# kill_client : the machine vanishes (no DHCPRELEASE); its lease runs out.
kill_client() { kill -KILL "$CLIENT_PID" 2>/dev/null; wait "$CLIENT_PID" 2>/dev/null || true; }
# release_client TAG : DHCPRELEASE, as `dhclient -r` does.
release_client() {
    in_ns dhclient -4 -r -cf "$E2E_DIR/$1.conf" -lf "$E2E_DIR/$1.leases" -pf "$E2E_DIR/$1.pid" \
        -sf "$E2E_DIR/$1.script" edge0 >>"$E2E_DIR/$1.log" 2>&1 || true
    wait_for 10 bash -c "! kill -0 $CLIENT_PID" || kill "$CLIENT_PID" 2>/dev/null
    wait "$CLIENT_PID" 2>/dev/null || true
}
