#!/usr/bin/env bash
# scripts/demo.sh is the test: the story it tells (admin and reservation records before any
# client, names with origin dhcp, expiry kept by the default scope and deleted by the strict
# one, a rebuilt reserved machine whose name never goes missing, the audit trail) is checked
# step by step by the demo itself, which exits non-zero naming the claim that failed. Run with
# the binaries under test and without scripts/setup.sh; the demo makes its own namespace,
# EAL file prefix and scratch directory, and removes them on every exit.
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "end-to-end tests need root (network namespaces)"; exit 1; }
[ -x "$E2E_BIN" ] || { echo "EDGELEASE_BIN not set to the edgelease binary"; exit 1; }
src=${EDGELEASE_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

e2e_log "running scripts/demo.sh with $E2E_BIN"
rc=0
# Bounded below the test's 300 s: on a timeout the demo's trap still tears everything down.
DEMO_SKIP_SETUP=1 DEMO_KEEP=0 EDGELEASE_BIN="$E2E_BIN" EDGELEASE_CTL="$(dirname "$E2E_BIN")/edgelease-ctl" \
    timeout -k 20 240 bash "$src/scripts/demo.sh" </dev/null || rc=$?
check "the demo ran to its end, every claim holding (exit status $rc)" test "$rc" -eq 0
e2e_finish
