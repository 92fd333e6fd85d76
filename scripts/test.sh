#!/usr/bin/env bash
# The whole test suite: installs what is missing (scripts/setup.sh), builds Release and an
# ASan+UBSan build, and runs ctest on both: unit tests, DPDK integration tests on net_ring
# (label dpdk) and end-to-end tests with real clients in network namespaces (label e2e);
# then a short bounded run of every fuzz target (clang, ASan+UBSan). Fails first on C++ that
# clang-format would change.
# Exits non-zero on any failure. Needs root (namespaces, taps).
#   EDGELEASE_TEST_SKIP_ASAN=1   only the Release build (quicker local runs)
#   EDGELEASE_TEST_SKIP_FUZZ=1   skip the short fuzzing pass
#   EDGELEASE_FUZZ_SECONDS=N     seconds per fuzz target (default 15; scripts/fuzz.sh for long runs)
#   CTEST_ARGS="-R config"       extra ctest arguments
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

EDGELEASE_SETUP_NO_BUILD=1 bash scripts/setup.sh

# Formatting is part of the suite: every C++ file as the committed .clang-format says.
echo "=== format: clang-format --dry-run -Werror ==="
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format --dry-run -Werror
else
    find app common config control dataplane loadgen tests \( -name '*.cpp' -o -name '*.hpp' \) -print0 |
        xargs -0 clang-format --dry-run -Werror
fi

jobs=$(nproc)
run_suite() {
    local dir=$1 type=$2 sanitize=$3
    echo "=== build $dir ($type, sanitizers $sanitize) ==="
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DEDGELEASE_SANITIZE="$sanitize" >/dev/null
    cmake --build "$dir" -j "$jobs"
    echo "=== test $dir: unit ==="
    (cd "$dir" && ctest --output-on-failure -j "$jobs" -LE dpdk ${CTEST_ARGS:-})
    echo "=== test $dir: dpdk integration and end to end ==="
    (cd "$dir" && ctest --output-on-failure -L dpdk ${CTEST_ARGS:-})
}

# Sanitizer reports fail the run; leaks included.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1

run_suite build Release OFF
if [ "${EDGELEASE_TEST_SKIP_ASAN:-0}" != 1 ]; then
    run_suite build-asan Debug ON
fi
if [ "${EDGELEASE_TEST_SKIP_FUZZ:-0}" != 1 ]; then
    echo "=== fuzz: every libFuzzer target for ${EDGELEASE_FUZZ_SECONDS:-15} s ==="
    bash scripts/fuzz.sh "${EDGELEASE_FUZZ_SECONDS:-15}"
fi
echo "=== all test suites passed ==="
