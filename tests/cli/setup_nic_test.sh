#!/usr/bin/env bash
# packaging/edgelease-setup-nic: its refusals, each with its own exit status and a message
# that says why, on interfaces in a network namespace this test creates (sysfs under
# `ip netns exec` shows only the namespace's interfaces); its usage errors; and the config
# lines it prints, which `edgelease --check-config` must accept. This machine has no free PCI
# NIC: the bind, the udev rule of the NIC's VFIO group, the re-check before each bind and
# --undo run on a fake sysfs tree with a stand-in binder; hugepages are not reserved. Records,
# /etc files and /dev/vfio nodes go to the temporary directory (the real ones are compared
# before and after). The script under test can be replaced with EDGELEASE_SETUP_NIC (to check
# that the assertions fail on a broken copy).
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
# The records, the files it writes in /etc and the /dev/vfio nodes it gives to the service: all
# in the temporary directory. The real ones must be the same after the test.
export EDGELEASE_SETUP_NIC_STATE_DIR=$state EDGELEASE_SETUP_NIC_ETC=$tmp/etc EDGELEASE_SETUP_NIC_DEV=$tmp/dev
real_paths() {
    local f
    for f in /etc/tmpfiles.d/edgelease-hugepages.conf /etc/modules-load.d/edgelease-vfio-pci.conf \
        /etc/modprobe.d/edgelease-vfio-noiommu.conf /etc/udev/rules.d/60-edgelease-vfio*.rules \
        /var/lib/edgelease-setup-nic /var/lib/edgelease/setup-nic; do
        if [ -e "$f" ] || [ -L "$f" ]; then stat -c '%n %Y %Z %i %s' "$f"; else echo "$f absent"; fi
    done
}
real_before=$(real_paths)
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

# Any route, not only a default one (BGP unnumbered: only fe80::, specific routes via the link),
# while the kernel's own routes of an up link (fe80::/64, ff00::/8, local) are no reason.
in_ns ip link add sn-bgp type veth peer name sn-bgpp
in_ns ip link set sn-bgp up
in_ns ip link set sn-bgpp up
for _ in 1 2 3 4 5 6 7 8 9 10; do in_ns ip -6 route show table local dev sn-bgp | grep -q '^local fe80' && break; sleep 0.3; done
expect "an up veth with only the kernel's own routes passes the route check (then: not PCI)" 8 \
    "refusing sn-bgp: it is a virtual device" in_ns "$tool" --dry-run sn-bgp
in_ns ip route add 203.0.113.0/24 dev sn-bgp table 55
in_ns ip -6 route add 2001:db8:77::/48 via fe80::1 dev sn-bgp
expect "an IPv4 route (table 55) through a veth without an address is refused, named" 5 \
    "refusing sn-bgp: it carries the route '203\.0\.113\.0/24 dev sn-bgp table 55.*would cut off what it reaches" \
    in_ns "$tool" --dry-run sn-bgp
in_ns ip route del 203.0.113.0/24 dev sn-bgp table 55
expect "an IPv6 route via a link-local router is refused, named" 5 \
    "refusing sn-bgp: it carries the route '2001:db8:77::/48 via fe80::1 dev sn-bgp" in_ns "$tool" --dry-run sn-bgp
# A nexthop of a multipath route ('ip route show dev' leaves those out).
in_ns ip link add sn-mp1 type veth peer name sn-mp1p
in_ns ip link add sn-mp2 type veth peer name sn-mp2p
in_ns ip link set sn-mp1 up
in_ns ip link set sn-mp2 up
in_ns ip route add 198.51.100.0/24 nexthop dev sn-mp1 nexthop dev sn-mp2
expect "the second nexthop of a multipath route is refused" 5 "refusing sn-mp2: it carries the route '198\.51\.100\.0/24" \
    in_ns "$tool" --dry-run sn-mp2
# A name with a regex character is matched as it is.
if in_ns ip link add 'sn+gw' type veth peer name sn-plusp; then
    in_ns ip link set 'sn+gw' up
    in_ns ip route add default dev 'sn+gw' table 101
    expect "a default route through 'sn+gw' is refused" 5 "refusing sn\+gw: it carries the default route \(default dev sn\+gw" \
        in_ns "$tool" --dry-run 'sn+gw'
fi

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

# Devices stacked on the interface (upper_* in sysfs): the ISP layout of eno1 without an
# address and eno1.100 or a macvlan on it with the management address and the default route.
# (No 8021q module here: a macvlan stands for the VLAN.)
if in_ns ip link add sn-low type veth peer name sn-lowp && in_ns ip link add sn-mv link sn-low type macvlan; then
    in_ns ip addr add 198.18.7.1/24 dev sn-mv
    expect "an address on a macvlan on top is refused, naming it" 6 \
        "refusing sn-low: its upper device sn-mv \(macvlan\) has the address\(es\) 198\.18\.7\.1/24; binding sn-low" \
        in_ns "$tool" --dry-run sn-low
    in_ns ip addr flush dev sn-mv
    in_ns ip link set sn-low up
    in_ns ip link set sn-mv up
    in_ns ip route add default dev sn-mv table 102
    expect "the default route on a macvlan on top is refused, naming it" 5 \
        "refusing sn-low: its upper device sn-mv \(macvlan\) carries the default route \(default dev sn-mv" \
        in_ns "$tool" --dry-run sn-low
    if in_ns ip link add sn-ubr type bridge 2>/dev/null; then
        in_ns ip route del default dev sn-mv table 102
        in_ns ip link set sn-mv master sn-ubr
        expect "a macvlan on top that is an up bridge port is refused" 7 \
            "refusing sn-low: its upper device sn-mv \(macvlan\) is up and a port of bridge sn-ubr" \
            in_ns "$tool" --dry-run sn-low
        # Two levels: a down port of a bridge, a macvlan on the bridge with the address.
        in_ns ip link add sn-dp type veth peer name sn-dpp
        in_ns ip link add sn-dbr type bridge
        in_ns ip link set sn-dp master sn-dbr
        in_ns ip link add sn-dmv link sn-dbr type macvlan
        in_ns ip addr add 198.18.8.1/24 dev sn-dmv
        expect "an address two levels up (bridge, macvlan) is refused, naming it" 6 \
            "refusing sn-dp: the upper device sn-dmv \(macvlan\) of sn-dbr has the address\(es\) 198\.18\.8\.1/24" \
            in_ns "$tool" --dry-run sn-dp
    fi
else
    bad "cannot create a macvlan on a veth"
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
expect "the records live in /var/lib/edgelease-setup-nic, not the service user's directory" 15 \
    "no record of 'sn-plain' in /var/lib/edgelease-setup-nic " env -u EDGELEASE_SETUP_NIC_STATE_DIR "$tool" --undo --dry-run sn-plain
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
# Up, with its peer: the kernel's own routes (fe80::/64, ff00::/8, local) are there.
in_ns ip link set sn-fake up
in_ns ip link set sn-fakep up
fake() { in_ns env EDGELEASE_SETUP_NIC_SYSFS="$F" "$tool" "$@"; }
rules=$tmp/etc/udev/rules.d
rule7='SUBSYSTEM=="vfio", KERNEL=="7", GROUP="edgelease", MODE="0660"'

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
grep -qF "would write $rules/60-edgelease-vfio-7.rules: $rule7" <<<"$out" &&
    ok "--dry-run: the udev rule for IOMMU group 7 only" || bad "--dry-run: udev rule line"
if [ "$(cat "$hp/nr_hugepages")" = 0 ] && [ "$(readlink "$pdev/0000:00:1f.6/driver")" = "$F/bus/pci/drivers/e1000e" ] &&
    [ ! -e "$tmp/etc" ] && { [ ! -e "$state" ] || [ -z "$(ls -A "$state")" ]; }; then
    ok "--dry-run changed nothing"
else
    bad "--dry-run changed something"
fi
expect "--persist --dry-run: its files under EDGELEASE_SETUP_NIC_ETC" 0 \
    "would write $tmp/etc/modules-load.d/edgelease-vfio-pci.conf: vfio-pci" fake --dry-run --persist --hugepages 0 sn-fake

# Another interface of the same PCI function (several ports on one function), as net/ or
# (virtio) virtio*/net/: the bind takes it too.
in_ns ip link add sn-fake2 type veth peer name sn-fake2p
in_ns ip addr add 198.18.6.1/24 dev sn-fake2
mkdir -p "$pdev/0000:00:1f.6/net/sn-fake2"
expect "another interface of the PCI function with an address is refused, named" 6 \
    "refusing sn-fake: sn-fake2 \(another interface of its PCI function 0000:00:1f\.6\) has the address\(es\) 198\.18\.6\.1/24" \
    fake --dry-run sn-fake
rmdir "$pdev/0000:00:1f.6/net/sn-fake2"
mkdir -p "$pdev/0000:00:1f.6/virtio1/net/sn-fake2"
in_ns ip addr flush dev sn-fake2
in_ns ip link set sn-fake2 up
in_ns ip route add default dev sn-fake2 table 103
expect "a virtio*/net/ sibling with a route is refused" 5 \
    "refusing sn-fake: sn-fake2 \(another interface of its PCI function 0000:00:1f\.6\) carries the default route" \
    fake --dry-run sn-fake
rm -r "$pdev/0000:00:1f.6/virtio1"
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
expect "no IOMMU with --noiommu: the udev rule once the group exists" 0 \
    "would write a udev rule for its no-IOMMU VFIO group" fake --dry-run --noiommu sn-fake
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
# The state directory is made root's, 0755 (here by an --undo that finds nothing).
expect "a real --undo with nothing recorded: exit 15" 15 "no record of 'sn-fake'" real --undo sn-fake
[ "$(stat -c '%u %g %a' "$state")" = "0 0 755" ] && ok "the state directory is root's, 0755" || bad "state dir: $(stat -c '%u %g %a' "$state")"
# Root never writes through a symlink someone planted among its records.
echo victim >"$tmp/victim"
ln -s "$tmp/victim" "$state/sn-fake.state"
expect "a symlink in place of a record is refused before binding" 1 "refusing to write $state/sn-fake.state: it is a symlink" \
    real --hugepages 0 sn-fake
[ "$(cat "$tmp/victim")" = victim ] && [ "$(basename "$(readlink "$pdev/0000:00:1f.6/driver")")" = e1000e ] &&
    [ ! -e "$tmp/devbind.log" ] && ok "nothing written through it, nothing bound" || bad "written through the symlink or bound"
rm "$state/sn-fake.state"
ln -s "$state" "$tmp/statelink"
expect "a symlink as the state directory is refused" 1 "refusing $tmp/statelink: it is a symlink" \
    env EDGELEASE_SETUP_NIC_STATE_DIR="$tmp/statelink" EDGELEASE_SETUP_NIC_SYSFS="$F" "$tool" --undo sn-fake

mkdir -p "$tmp/etc/modules-load.d" "$tmp/dev/vfio"
echo vfio-pci >"$tmp/etc/modules-load.d/edgelease-vfio-pci.conf"   # as left by an earlier --persist
: >"$tmp/dev/vfio/7"   # the group's node, as vfio creates it
out=$(real --hugepages 0 sn-fake 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && grep -q "sn-fake: 0000:00:1f.6 is on vfio-pci (was e1000e)" <<<"$out" &&
    [ "$(basename "$(readlink "$pdev/0000:00:1f.6/driver")")" = vfio-pci ]; then
    ok "bound, and the driver read back"
else
    bad "bind: exit $rc"
fi
grep -qx 'driver=e1000e' "$state/sn-fake.state" 2>/dev/null && grep -qx 'pci=0000:00:1f.6' "$state/sn-fake.state" &&
    grep -qx 'vfio_group=7' "$state/sn-fake.state" &&
    ok "the kernel driver and the VFIO group recorded for --undo" || bad "state file: $(cat "$state/sn-fake.state" 2>&1)"
grep -qxF "$rule7" "$rules/60-edgelease-vfio-7.rules" 2>/dev/null && [ "$(ls "$rules")" = 60-edgelease-vfio-7.rules ] &&
    ok "a udev rule for the NIC's VFIO group 7 only" || bad "udev rules: $(ls "$rules" 2>&1) $(cat "$rules"/* 2>&1)"
if getent group edgelease >/dev/null; then
    [ "$(stat -c %G "$tmp/dev/vfio/7")" = edgelease ] && ok "the group node given to edgelease now" || bad "node not chgrp'd"
else
    grep -q "note: $tmp/dev/vfio/7 not given to group edgelease: no such group here" <<<"$out" &&
        ok "no group edgelease here: said why the node is left" || bad "no note about the group"
fi
printf 'iface=other\npci=0000:00:1f.3\ndriver=snd_hda_intel\ntool=devbind\nvfio_group=7\n' >"$state/other.state"
out=$(real --undo 0000:00:1f.6 2>&1); rc=$?
echo "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && [ "$(basename "$(readlink "$pdev/0000:00:1f.6/driver")")" = e1000e ] &&
    grep -q "0000:00:1f.6: on e1000e, interface sn-fake" <<<"$out"; then
    ok "--undo by PCI address binds it back to e1000e"
else
    bad "--undo: exit $rc"
fi
[ ! -e "$state/sn-fake.state" ] && ok "--undo removed the record" || bad "--undo left $state/sn-fake.state"
grep -q "udev rule of VFIO group 7 kept for other" <<<"$out" && [ -e "$rules/60-edgelease-vfio-7.rules" ] &&
    [ -e "$tmp/etc/modules-load.d/edgelease-vfio-pci.conf" ] &&
    ok "the group's rule and the modules-load.d file kept while another NIC is recorded" || bad "rule or modules-load.d file removed too early"
rm "$state/other.state"
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
[ ! -e "$rules/60-edgelease-vfio-7.rules" ] && ok "--undo of the last NIC of group 7 removed its udev rule" ||
    bad "udev rule left: $(ls "$rules")"
[ ! -e "$tmp/etc/modules-load.d/edgelease-vfio-pci.conf" ] &&
    ok "--undo of the last NIC removed the modules-load.d file under EDGELEASE_SETUP_NIC_ETC" || bad "modules-load.d file left"

# A record that is not what the tool writes is not acted on.
printf 'iface=sn-bad\npci=0000:00:1f.6\ndriver=e1000e;true\ntool=devbind\n' >"$state/sn-bad.state"
expect "--undo refuses a record with a bad driver name" 15 "driver='e1000e;true' is not a value" real --undo sn-bad
printf 'iface=sn-bad\npci=0000:00:1f.6\ndriver=e1000e\ntool=devbind\nhugepage_record=/etc/passwd\n' >"$state/sn-bad.state"
expect "--undo refuses a record naming a file outside the state directory" 15 "hugepage_record='/etc/passwd'" real --undo sn-bad
rm "$state/sn-bad.state"

# No IOMMU, --noiommu: the group exists only once vfio-pci has the NIC, as /dev/vfio/noiommu-N.
mv "$F/kernel/iommu_groups/7" "$tmp/group7"
cat >"$tmp/nbind" <<NBIND
#!/bin/sh
"$tmp/devbind" "\$@"
if [ "\$1" = --bind=vfio-pci ]; then
    mkdir -p "$F/kernel/iommu_groups/3"; echo vfio-noiommu >"$F/kernel/iommu_groups/3/name"
    ln -sfn "$F/kernel/iommu_groups/3" "$pdev/\$2/iommu_group"
fi
NBIND
chmod +x "$tmp/nbind"
out=$(in_ns env EDGELEASE_SETUP_NIC_SYSFS="$F" DPDK_DEVBIND="$tmp/nbind" "$tool" --noiommu --hugepages 0 sn-fake 2>&1); rc=$?
[ $rc -eq 0 ] && grep -qxF 'SUBSYSTEM=="vfio", KERNEL=="noiommu-3", GROUP="edgelease", MODE="0660"' "$rules/60-edgelease-vfio-noiommu-3.rules" &&
    grep -qx vfio_group=noiommu-3 "$state/sn-fake.state" && ok "--noiommu: the rule names noiommu-3" ||
    { bad "--noiommu: exit $rc, rules: $(cat "$rules"/* 2>&1)"; echo "$out"; }
expect "--undo of it" 0 "on e1000e" real --undo sn-fake
[ ! -e "$rules/60-edgelease-vfio-noiommu-3.rules" ] && ok "--undo removed the noiommu-3 rule" || bad "noiommu-3 rule left"
rm -r "$F/kernel/iommu_groups/3"
mv "$tmp/group7" "$F/kernel/iommu_groups/7"
ln -sfn "$F/kernel/iommu_groups/7" "$pdev/0000:00:1f.6/iommu_group"
echo N >"$F/module/vfio/parameters/enable_unsafe_noiommu_mode"

# The checks run again just before each bind: a second NIC (0000:00:1f.5, IOMMU group 8) that
# gets an address while the first is bound is not bound.
fn=0000:00:1f.5
mkdir -p "$pdev/$fn/net/sn-fake3" "$F/class/net/sn-fake3" "$F/kernel/iommu_groups/8/devices"
ln -s "$F/bus/pci" "$pdev/$fn/subsystem"
ln -s "$pdev/$fn" "$F/bus/pci/devices/$fn"
ln -s "$pdev/$fn" "$F/kernel/iommu_groups/8/devices/$fn"
ln -s "$F/kernel/iommu_groups/8" "$pdev/$fn/iommu_group"
echo 0 >"$pdev/$fn/numa_node"
ln -s "$F/bus/pci/drivers/e1000e" "$pdev/$fn/driver"
ln -s "$pdev/$fn" "$F/class/net/sn-fake3/device"
in_ns ip link add sn-fake3 type veth peer name sn-fake3p
cat >"$tmp/racebind" <<RACE
#!/bin/sh
"$tmp/devbind" "\$@"
[ "\$2" = 0000:00:1f.6 ] && [ "\$1" = --bind=vfio-pci ] && \$RACE
exit 0
RACE
chmod +x "$tmp/racebind"
race() { in_ns env EDGELEASE_SETUP_NIC_SYSFS="$F" DPDK_DEVBIND="$tmp/racebind" RACE="$1" "$tool" --hugepages 0 sn-fake sn-fake3; }
: >"$tmp/devbind.log"
expect "an address that appears on the second NIC while the first is bound: not bound" 6 \
    "not binding sn-fake3: it no longer passes the checks \(see above\); bound already: sn-fake " \
    race "ip addr add 198.18.9.1/24 dev sn-fake3"
[ "$(basename "$(readlink "$pdev/$fn/driver")")" = e1000e ] && [ "$(grep -c vfio-pci "$tmp/devbind.log")" -eq 1 ] &&
    ok "the second NIC left on e1000e" || bad "second NIC: $(readlink "$pdev/$fn/driver"); $(cat "$tmp/devbind.log")"
real --undo sn-fake >/dev/null 2>&1 || bad "--undo sn-fake after the race"
in_ns ip addr flush dev sn-fake3
expect "a device stacked on the second NIC while the first is bound: not bound" 1 \
    "not binding sn-fake3: it changed since it was checked \(was .*now .*sn-race" \
    race "ln -s ../sn-race $F/class/net/sn-fake3/upper_sn-race"
[ "$(basename "$(readlink "$pdev/$fn/driver")")" = e1000e ] && ok "and left on e1000e" || bad "second NIC bound after a change"
real --undo sn-fake >/dev/null 2>&1 || bad "--undo sn-fake after the second race"
rm "$F/class/net/sn-fake3/upper_sn-race"
expect "with nothing changing, both are bound" 0 "sn-fake3: 0000:00:1f\.5 is on vfio-pci" \
    race true
expect "and both bound back" 0 "0000:00:1f\.5: on e1000e" real --undo sn-fake sn-fake3
[ -z "$(ls "$rules")" ] && [ -z "$(ls "$state")" ] && ok "no rule and no record left" ||
    bad "left: $(ls "$rules" "$state")"

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

# The machine's own files in /etc and /var/lib were never touched.
real_after=$(real_paths)
[ "$real_before" = "$real_after" ] && ok "the real /etc files and state directories are untouched" ||
    { bad "real paths changed:"; diff <(echo "$real_before") <(echo "$real_after"); }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
