#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the demo need, then builds
# Release into build/. Idempotent: safe to run again; it only installs what is missing.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# Build dependencies.
build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  libdpdk-dev dpdk dpdk-dev libboost-dev libtomlplusplus-dev liblmdb-dev lmdb-utils libssl-dev
  libcpp-httplib-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev llvm clang-format
  python3 dpkg-dev   # man pages (packaging/md2man.py) and the package's dependencies
)
# Test peers and network tooling: real clients in namespaces.
test_pkgs=(
  iproute2 iputils-ping iputils-arping ethtool procps psmisc tcpdump
  isc-dhcp-client udhcpc dhcpcd knot-dnsutils bind9-dnsutils dnsperf
  kea-admin python3 python3-scapy curl prometheus
  knot nsd kea-dhcp4-server kea-dhcp6-server
  lintian adduser man-db libcap2-bin systemd kmod pciutils   # the package test
)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Packages with daemons (dhcpcd, knot, nsd, kea-dhcp4-server, kea-dhcp6-server: peers for
  # scripts/compare.sh, started by hand in namespaces) must not start services: a policy-rc.d
  # says no while they install, unless the machine has one of its own.
  own_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  rc=0
  apt-get install -y -q --no-install-recommends "${missing[@]}" || rc=$?
  [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || exit "$rc"
fi

if [ "${EDGELEASE_SETUP_NO_BUILD:-0}" != 1 ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
  cmake --build build
fi
