#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan, and runs each for a
# fixed time on a copy of its seed corpus (tests/fuzz/corpus/<target>/) so that the
# committed corpus is never modified. Fails on any crash, leak, sanitizer report or timeout.
#   scripts/fuzz.sh          # 60 s per target
#   scripts/fuzz.sh 20       # 20 s per target
#   BUILD_DIR=build-x scripts/fuzz.sh
# Crashing inputs are kept in the run's temp dir (printed) as crash-*/leak-*/timeout-*.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
seconds=${1:-60}
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [seconds per target]" >&2; exit 2; }
build=${BUILD_DIR:-build-fuzz}
targets=(fuzz_dns_answer fuzz_dhcp_parse fuzz_dhcp6_parse fuzz_packet fuzz_zone_file fuzz_config fuzz_tsig
    fuzz_dns_tcp_stream fuzz_dns_update)

if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
    echo "clang not found: installing it (apt-get)"
    sudo_cmd=""
    [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq clang llvm
fi

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
    -DEDGELEASE_FUZZ=ON -DEDGELEASE_SANITIZE=ON -DEDGELEASE_TESTS=OFF -DEDGELEASE_BENCH=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

work=$(mktemp -d "${TMPDIR:-/tmp}/edgelease-fuzz.XXXXXX")
echo "work dir: $work"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [[ -z "${ASAN_SYMBOLIZER_PATH:-}" ]] && command -v llvm-symbolizer >/dev/null; then
    export ASAN_SYMBOLIZER_PATH=$(command -v llvm-symbolizer)
fi

failed=()
summary=()
for t in "${targets[@]}"; do
    dir="$work/$t"
    mkdir -p "$dir/corpus"
    cp -r "tests/fuzz/corpus/$t/." "$dir/corpus/"
    echo "== $t (${seconds}s)"
    # Run inside the target's own dir: crash-* files land there, and a relative path an
    # input names ($INCLUDE in zone text) resolves to nothing of the project's.
    rc=0
    (cd "$dir" && "$here/$build/tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -timeout=25 -artifact_prefix="$dir/" -print_final_stats=1 corpus \
        >"$dir/log" 2>&1) || rc=$?
    execs=$(grep -m1 '^stat::number_of_executed_units' "$dir/log" | awk '{print $2}')
    if [[ -z "$execs" ]]; then
        execs=$(grep -oE '^#[0-9]+' "$dir/log" | tail -1 | tr -d '#')
    fi
    # libFuzzer exits non-zero on a crash, leak, timeout or OOM; also look for a sanitizer
    # report that did not stop the run.
    if [[ $rc -ne 0 ]] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$dir/log"; then
        failed+=("$t")
        summary+=("$t: FAILED (exit $rc) after ${execs:-?} execs; log $dir/log")
        grep -E 'ERROR:|SUMMARY:|runtime error:|Test unit written|^    #[0-9]+ ' "$dir/log" | head -40 || true
        for a in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-*; do
            [[ -e "$a" ]] || continue
            echo "input $a (hex): $(od -An -v -tx1 "$a" | tr -d ' \n' | head -c 4000)"
        done
    else
        summary+=("$t: ok, ${execs:-?} execs in ${seconds}s, corpus $(ls "$dir/corpus" | wc -l) inputs")
    fi
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [[ ${#failed[@]} -ne 0 ]]; then
    echo "FAILED: ${failed[*]} (inputs and logs in $work)"
    exit 1
fi
rm -rf "$work"
