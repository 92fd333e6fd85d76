#!/usr/bin/env bash
# Micro-benchmarks of the DNS fast path (tests/bench/dns_answer_bench.cpp): builds Release
# and runs edgelease_bench_dns, after printing the machine and date so that figures can be
# compared between runs. Figures only: nothing here fails on speed.
#   scripts/bench.sh                                   # everything (a few minutes on 2 cores)
#   scripts/bench.sh --benchmark_filter=/1000000     # 1M-record zone only
#   BUILD_DIR=build-bench scripts/bench.sh             # another build directory
# Extra arguments go to the benchmark binary (--benchmark_format=json, --benchmark_out=FILE).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
build=${BUILD_DIR:-build}

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "host:    $(uname -srm)"
echo "nproc:   $(nproc)"
echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (modified)')"
echo

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target edgelease_bench_dns
bin=$(find "$build" -type f -name edgelease_bench_dns -perm -u+x | head -n1)
if [[ -z "$bin" ]]; then
    echo "bench.sh: edgelease_bench_dns was not built" >&2
    exit 1
fi
"$bin" --benchmark_counters_tabular=true "$@"
