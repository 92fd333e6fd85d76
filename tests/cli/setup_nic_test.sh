#!/usr/bin/env bash
# packaging/edgelease-setup-nic: its refusals, each with its own exit status and a message
# that says why, on interfaces in a network namespace this test creates (sysfs under
# `ip netns exec` shows only the namespace's interfaces); its usage errors; and the config
# lines it prints, which `edgelease --check-config` must accept. This machine has no free PCI
# NIC, so nothing is ever bound: the happy path (vfio-pci, IOMMU groups, hugepages) is not
# reached here. The script under test can be replaced with EDGELEASE_SETUP_NIC (to check that
# the assertions fail on a broken copy).
set -u
bin=$EDGELEASE_BIN
src=$EDGELEASE_SOURCE_DIR
tool=${EDGELEASE_SETUP_NIC:-$src/packaging/edgelease-setup-nic}
pass=0 fail=0
ok() { echo "ok: $1"; pass=$((pass + 1)); }
bad() { echo "FAIL: $1"; fail=$((fail + 1)); }

# expect NAME STATUS REGEX CMD...: CMD exits with STATUS and its output matches REGEX.
expect() {
    local name=$1 want=$2 re=$3 out rc
    shift 3
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$want" ] && grep -qE -- "$re" <<<"$out"; then
        ok "$name (exit $rc)"
    else
        bad "$name: exit $rc (want $want), output should match /$re/:"
        echo "$out" | sed 's/^/    /'
    fi
}

if [ "$(id -u)" -ne 0 ] || ! ip netns list >/dev/null 2>&1; then
    echo "SKIP: needs root and ip netns"
    exit 77
fi

tmp=$(mktemp -d)
ns=el-setupnic-$$
state=$tmp/state
export EDGELEASE_SETUP_NIC_STATE_DIR=$state
cleanup() {
    ip netns del "$ns" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns" || { echo "FAIL: cannot create namespace $ns"; exit 1; }
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up

# --- usage --------------------------------------------------------------------------------
expect "--help exits 0 with the usage" 0 '^Usage: edgelease-setup-nic \[options\] IFACE' "$tool" --help
expect "an unknown option: exit 2, named" 2 "unknown option '--frobnicate'" "$tool" --frobnicate eth9
expect "no interface named: exit 2" 2 'name at least one interface' "$tool" --dry-run
expect "--hugepages not a number: exit 2" 2 "--hugepages must be a number of pages.*'lots'" "$tool" --hugepages lots --dry-run x
expect "--hugepages without a value: exit 2" 2 '--hugepages needs a number' "$tool" --hugepages
expect "--hugepage-size 3M: exit 2" 2 "--hugepage-size must be 2M or 1G, not '3M'" "$tool" --hugepage-size 3M --dry-run x
expect "--print-config-for a bad address: exit 2" 2 "'01:00.0' is not a PCI address" "$tool" --print-config-for 0000:02:00.0,01:00.0

# --- refusals, in the namespace -------------------------------------------------------------
# An IPv4 address.
in_ns ip link add sn-addr4 type veth peer name sn-addr4p
in_ns ip addr add 198.18.5.1/24 dev sn-addr4
in_ns ip link set sn-addr4 up
expect "a veth with an IPv4 address is refused" 6 \
    "refusing sn-addr4: it has the address\(es\) 198\.18\.5\.1/24; binding it to vfio-pci would take them away" \
    in_ns "$tool" --dry-run sn-addr4

# A global IPv6 address (nodad: no waiting for DAD).
in_ns ip link add sn-addr6 type veth peer name sn-addr6p
in_ns ip link set sn-addr6 up
in_ns ip addr add 2001:db8:5::1/64 dev sn-addr6 nodad
expect "a veth with a global IPv6 address is refused" 6 \
    "refusing sn-addr6: it has the address\(es\) 2001:db8:5::1/64" in_ns "$tool" --dry-run sn-addr6

# Only an IPv6 link-local address: allowed past the address check, refused as not PCI.
in_ns ip link add sn-ll type veth peer name sn-llp
in_ns ip link set sn-ll up
in_ns ip addr add fe80::5:1/64 dev sn-ll nodad
if in_ns ip -6 addr show dev sn-ll | grep -q 'fe80::5:1/64'; then
    expect "IPv6 link-local alone passes the address check (then: not PCI)" 8 \
        "refusing sn-ll: it is a virtual device of kind veth, not a PCI NIC" in_ns "$tool" --dry-run sn-ll
else
    bad "could not put fe80::5:1 on sn-ll"
fi

# The namespace's IPv4 default route, on a veth without an address (a device route).
in_ns ip link add sn-gw4 type veth peer name sn-gw4p
in_ns ip link set sn-gw4 up
in_ns ip route add default dev sn-gw4
expect "a veth carrying the IPv4 default route is refused" 5 \
    "refusing sn-gw4: it carries the default route \(default dev sn-gw4.*would cut this machine off" \
    in_ns "$tool" --dry-run sn-gw4

# The IPv6 default route, through a router on the link.
in_ns ip link add sn-gw6 type veth peer name sn-gw6p
in_ns ip link set sn-gw6 up
in_ns ip link set sn-gw6p up
in_ns ip -6 route add default via fe80::1 dev sn-gw6
expect "a veth carrying the IPv6 default route is refused" 5 \
    "refusing sn-gw6: it carries the default route \(default via fe80::1 dev sn-gw6" \
    in_ns "$tool" --dry-run sn-gw6

# A default route in another routing table counts too.
in_ns ip link add sn-gwt type veth peer name sn-gwtp
in_ns ip link set sn-gwt up
in_ns ip route add default dev sn-gwt table 100
expect "a default route in table 100 is refused" 5 "refusing sn-gwt: it carries the default route" \
    in_ns "$tool" --dry-run sn-gwt

# No address, no route: not a PCI device, and the message names what it is.
in_ns ip link add sn-plain type veth peer name sn-plainp
expect "a veth without an address is refused as not PCI, named veth" 8 \
    "refusing sn-plain: it is a virtual device of kind veth, not a PCI NIC" in_ns "$tool" --dry-run sn-plain
if in_ns ip link add sn-dummy type dummy 2>/dev/null; then
    expect "a dummy is refused as not PCI, named dummy" 8 "refusing sn-dummy: .*of kind dummy, not a PCI NIC" \
        in_ns "$tool" --dry-run sn-dummy
else
    echo "skip: no dummy interfaces here"
fi
if in_ns ip tuntap add dev sn-tap mode tap 2>/dev/null; then
    expect "a tap is refused as not PCI, named tun" 8 "refusing sn-tap: .*of kind tun, not a PCI NIC" \
        in_ns "$tool" --dry-run sn-tap
else
    echo "skip: no tun/tap here"
fi

# An up port of a bridge.
if in_ns ip link add sn-br type bridge 2>/dev/null; then
    in_ns ip link add sn-port type veth peer name sn-portp
    in_ns ip link set sn-port master sn-br
    in_ns ip link set sn-port up
    expect "an up bridge port is refused, naming the bridge" 7 \
        "refusing sn-port: it is up and a port of bridge sn-br" in_ns "$tool" --dry-run sn-port
else
    echo "skip: no bridge support here"
fi

# Every interface named is checked and every refusal reported; the first one's status is the
# exit status.
out=$(in_ns "$tool" --dry-run sn-plain sn-addr4 2>&1); rc=$?
if [ $rc -eq 8 ] && grep -q 'refusing sn-plain: .*not a PCI NIC' <<<"$out" && grep -q 'refusing sn-addr4: .*198\.18\.5\.1' <<<"$out"; then
    ok "two refused interfaces: both reported, the first's status (exit $rc)"
else
    bad "two refused interfaces: exit $rc"; echo "$out"
fi
expect "a nonexistent interface is refused" 4 "no network interface named 'sn-nope'" \
    in_ns "$tool" --dry-run sn-nope

# Not root: refused before anything (without --dry-run, which needs no root).
if command -v setpriv >/dev/null; then
    expect "not root: exit 3" 3 'must run as root' \
        setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" sn-plain
    expect "not root with --dry-run: the checks run" 8 "refusing sn-plain" \
        in_ns setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" --dry-run sn-plain
fi

# --undo with nothing recorded.
expect "--undo of an interface never bound: exit 15" 15 "no record of 'sn-plain' in $state" \
    "$tool" --undo --dry-run sn-plain
expect "--undo of a PCI address that does not exist: exit 4" 4 'no PCI device 0000:7f:1f.7' \
    "$tool" --undo --dry-run 0000:7f:1f.7

# Nothing was recorded or written by all of that.
if [ ! -e "$state" ] || [ -z "$(ls -A "$state")" ]; then ok "no state written by refusals"; else bad "state written: $(ls -A "$state")"; fi

# On this machine's own uplink, if it has one on a PCI device: refused, read-only (--dry-run).
uplink=$(ip -4 route show default | awk '{ for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit } }')
if [ -n "$uplink" ] && [ -e "/sys/class/net/$uplink/device" ]; then
    expect "this machine's uplink $uplink is refused (default route)" 5 "refusing $uplink: it carries the default route" \
        "$tool" --dry-run "$uplink"
else
    echo "skip: no default route on a device here"
fi

# --- past the PCI check, on a fake sysfs tree ------------------------------------------------
# The machine has no PCI NIC to spare, so a fake sysfs tree (EDGELEASE_SETUP_NIC_SYSFS) gives a
# real, address-less veth in the namespace a PCI function 0000:00:1f.6 on e1000e, NUMA node 0,
# in IOMMU group 7 with an audio device; routes and addresses are still the namespace's own.
F=$tmp/sys
pdev=$F/devices/pci0000:00
mkdir -p "$pdev/0000:00:1f.6/net/sn-fake" "$pdev/0000:00:1f.3" "$F/bus/pci/devices" "$F/class/net/sn-fake" \
    "$F/kernel/iommu_groups/7/devices" "$F/devices/system/node/node0/hugepages/hugepages-2048kB" \
    "$F/module/vfio/parameters"
for d in e1000e snd_hda_intel mlx5_core vfio-pci; do mkdir -p "$F/bus/pci/drivers/$d"; done
for fn in 0000:00:1f.6 0000:00:1f.3; do
    ln -s "$F/bus/pci" "$pdev/$fn/subsystem"
    ln -s "$pdev/$fn" "$F/bus/pci/devices/$fn"
    ln -s "$pdev/$fn" "$F/kernel/iommu_groups/7/devices/$fn"
    ln -s "$F/kernel/iommu_groups/7" "$pdev/$fn/iommu_group"
    echo 0 >"$pdev/$fn/numa_node"
done
ln -s "$F/bus/pci/drivers/e1000e" "$pdev/0000:00:1f.6/driver"
ln -s "$F/bus/pci/drivers/snd_hda_intel" "$pdev/0000:00:1f.3/driver"
ln -s "$pdev/0000:00:1f.6" "$F/class/net/sn-fake/device"
echo 0-7 >"$F/devices/system/node/node0/cpulist"
hp=$F/devices/system/node/node0/hugepages/hugepages-2048kB
echo 0 >"$hp/nr_hugepages"; echo 0 >"$hp/free_hugepages"
echo N >"$F/module/vfio/parameters/enable_unsafe_noiommu_mode"
in_ns ip link add sn-fake type veth peer name sn-fakep
fake() { in_ns env EDGELEASE_SETUP_NIC_SYSFS="$F" "$tool" "$@"; }

expect "a NIC sharing its IOMMU group with a device on a kernel driver is refused" 13 \
    "refusing sn-fake \(0000:00:1f\.6\): its IOMMU group 7 also holds 0000:00:1f\.3 \(snd_hda_intel\)" \
    fake --dry-run sn-fake
rm "$pdev/0000:00:1f.3/driver"
out=$(fake --dry-run sn-fake 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
[ $rc -eq 0 ] && ok "--dry-run on a NIC that passes every check: exit 0" || bad "--dry-run: exit $rc"
grep -q "sn-fake: PCI 0000:00:1f.6, driver e1000e, NUMA node 0" <<<"$out" && ok "--dry-run: the NIC found behind the interface" || bad "--dry-run: NIC line"
grep -q "IOMMU group shares 0000:00:1f.3 (none): fine" <<<"$out" && ok "--dry-run: an unbound group member is fine" || bad "--dry-run: group line"
grep -q "would write '256' to $hp/nr_hugepages" <<<"$out" && ok "--dry-run: 256 2M pages on the NIC's node" || bad "--dry-run: hugepages line"
grep -q "would run: dpdk-devbind.py --bind=vfio-pci 0000:00:1f.6" <<<"$out" && ok "--dry-run: the bind command" || bad "--dry-run: bind line"
grep -qx 'port = "0000:00:1f.6"   # was sn-fake (e1000e)' <<<"$out" && ok "--dry-run: the [[interfaces]] line" || bad "--dry-run: port line"
grep -q '"-l", "0,1,2,3"' <<<"$out" && ok "--dry-run: lcore hint from node 0's CPUs" || bad "--dry-run: lcore hint"
if [ "$(cat "$hp/nr_hugepages")" = 0 ] && [ "$(readlink "$pdev/0000:00:1f.6/driver")" = "$F/bus/pci/drivers/e1000e" ] &&
    { [ ! -e "$state" ] || [ -z "$(ls -A "$state")" ]; }; then
    ok "--dry-run changed nothing"
else
    bad "--dry-run changed something"
fi
expect "--hugepages 3 asks for 3" 0 "would write '3' to $hp/nr_hugepages" fake --dry-run --hugepages 3 sn-fake
echo 8 >"$hp/nr_hugepages"
expect "a node that has enough pages gets none added" 0 "hugepages on node 0: 8 of 2M already \(asked for 4\): nothing added" \
    fake --dry-run --hugepages 4 sn-fake
echo 0 >"$hp/nr_hugepages"
expect "1G pages on a machine without them: exit 14" 14 "this machine has no 1G hugepages" \
    fake --dry-run --hugepage-size 1G sn-fake
mv "$F/kernel/iommu_groups/7" "$tmp/group7"
expect "no IOMMU: refused, --noiommu explained" 12 "no IOMMU: .*pass --noiommu to accept that" fake --dry-run sn-fake
expect "no IOMMU with --noiommu: vfio's no-IOMMU mode turned on" 0 \
    "would write '1' to $F/module/vfio/parameters/enable_unsafe_noiommu_mode" fake --dry-run --noiommu sn-fake
mv "$tmp/group7" "$F/kernel/iommu_groups/7"
ln -sfn "$F/bus/pci/drivers/mlx5_core" "$pdev/0000:00:1f.6/driver"
expect "an mlx5 NIC is not bound (bifurcated driver): exit 9" 9 "mlx5_core NICs stay on their kernel driver" \
    fake --dry-run sn-fake
ln -sfn "$F/bus/pci/drivers/e1000e" "$pdev/0000:00:1f.6/driver"

# A real run and its --undo, with a stand-in for dpdk-devbind.py that moves the fake driver
# link (nothing of the machine is bound) and no hugepages (their mount would be the machine's).
cat >"$tmp/devbind" <<DEVBIND
#!/bin/sh
# dpdk-devbind.py --bind=DRIVER PCI, on the fake tree
echo "\$*" >>"$tmp/devbind.log"
ln -sfn "$F/bus/pci/drivers/\${1#--bind=}" "$F/bus/pci/devices/\$2/driver"
DEVBIND
chmod +x "$tmp/devbind"
real() { in_ns env EDGELEASE_SETUP_NIC_SYSFS="$F" DPDK_DEVBIND="$tmp/devbind" "$tool" "$@"; }
out=$(real --hugepages 0 sn-fake 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && grep -q "sn-fake: 0000:00:1f.6 is on vfio-pci (was e1000e)" <<<"$out" &&
    [ "$(basename "$(readlink "$pdev/0000:00:1f.6/driver")")" = vfio-pci ]; then
    ok "bound, and the driver read back"
else
    bad "bind: exit $rc"
fi
grep -qx 'driver=e1000e' "$state/sn-fake.state" 2>/dev/null && grep -qx 'pci=0000:00:1f.6' "$state/sn-fake.state" &&
    ok "the kernel driver recorded for --undo" || bad "state file: $(cat "$state/sn-fake.state" 2>&1)"
out=$(real --undo 0000:00:1f.6 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && [ "$(basename "$(readlink "$pdev/0000:00:1f.6/driver")")" = e1000e ] &&
    grep -q "0000:00:1f.6: on e1000e, interface sn-fake" <<<"$out"; then
    ok "--undo by PCI address binds it back to e1000e"
else
    bad "--undo: exit $rc"
fi
[ ! -e "$state/sn-fake.state" ] && ok "--undo removed the record" || bad "--undo left $state/sn-fake.state"
expect "a second --undo has nothing to undo: exit 15" 15 "no record of 'sn-fake'" real --undo sn-fake
[ "$(wc -l <"$tmp/devbind.log")" -eq 2 ] && ok "dpdk-devbind.py called twice (bind, undo)" ||
    bad "devbind calls: $(cat "$tmp/devbind.log")"

# A binder that reports success but binds nothing: the read-back catches it, and the record
# made before binding lets --undo tidy up (the NIC is on its driver already).
printf '#!/bin/sh\nexit 0\n' >"$tmp/nobind"
chmod +x "$tmp/nobind"
expect "a bind that did not happen is caught by the read-back: exit 1" 1 \
    "0000:00:1f\.6 \(sn-fake\) is on 'e1000e' after binding, not vfio-pci" \
    in_ns env EDGELEASE_SETUP_NIC_SYSFS="$F" DPDK_DEVBIND="$tmp/nobind" "$tool" --hugepages 0 sn-fake
expect "--undo after it: already on e1000e" 0 "0000:00:1f\.6: already on e1000e" real --undo sn-fake
[ ! -e "$state/sn-fake.state" ] && ok "and the record is gone" || bad "record left after --undo"

# --- the config lines -----------------------------------------------------------------------
out=$("$tool" --print-config-for 0000:01:00.0,0000:3b:00.1); rc=$?
echo "$out" | sed 's/^/    /'
[ $rc -eq 0 ] && ok "--print-config-for: exit 0" || bad "--print-config-for: exit $rc"
grep -qx 'eal_args = \["-a", "0000:01:00.0", "-a", "0000:3b:00.1", "--in-memory"\]' <<<"$out" &&
    ok "eal_args allow both devices, with a file prefix" || bad "eal_args line"
grep -q -- '--no-huge\|--no-pci' <<<"$out" && bad "eal_args turn off hugepages or PCI" || ok "no --no-huge or --no-pci"
[ "$(grep -c '^\[\[interfaces\]\]$' <<<"$out")" -eq 2 ] && ok "one [[interfaces]] per device" || bad "[[interfaces]] count"
grep -qx 'port = "0000:01:00.0"' <<<"$out" && grep -qx 'port = "0000:3b:00.1"' <<<"$out" &&
    ok "ports are the PCI addresses" || bad "port lines"

# Pasted into a file alone they are a valid configuration; with the addresses uncommented too.
echo "$out" >"$tmp/edge.toml"
check=$("$bin" --check-config "$tmp/edge.toml" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q 'configuration valid' <<<"$check" && ok "the lines pass --check-config" ||
    { bad "--check-config of the lines: exit $rc"; echo "$check"; }
sed 's/^# addresses = /addresses = /' "$tmp/edge.toml" >"$tmp/edge2.toml"
grep -c '^addresses = ' "$tmp/edge2.toml" | grep -qx 2 || bad "could not uncomment the addresses"
check=$("$bin" --check-config "$tmp/edge2.toml" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "with addresses uncommented they pass --check-config" ||
    { bad "--check-config with addresses: exit $rc"; echo "$check"; }
# The check is a real one: a broken port line is refused.
sed 's/^port = "0000:01:00.0"/port = ""/' "$tmp/edge.toml" >"$tmp/broken.toml"
"$bin" --check-config "$tmp/broken.toml" >/dev/null 2>&1 && bad "--check-config accepted an empty port" ||
    ok "--check-config refuses the lines with an empty port"

# The script itself is clean.
if command -v shellcheck >/dev/null; then
    sc=$(shellcheck "$tool" 2>&1) && ok "shellcheck clean" || { bad "shellcheck"; echo "$sc"; }
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
