#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run_fuzzers.sh: builds the libFuzzer targets (clang, -Dfuzzing=true) if needed and runs each for
# SECONDS with the limits CI uses (STYLE R66). Exits non-zero on any crash, leak, timeout or
# out-of-memory; the input that did it is saved in $BUILD/fuzz-artifacts/.
#
# Usage: tests/fuzz/run_fuzzers.sh SECONDS [TARGET...]   (targets: tls x509 tcp_stream pcap netmon dtls
#        openvpn starttls decrypt records)
# Environment: BUILD (default: build-fuzz beside the sources), JOBS (parallel targets, default 1).
# New inputs libFuzzer finds go to $BUILD/fuzz-work/<target>/, never into the committed corpus:
# minimise a crash (fuzz_<target> -minimize_crash=1 -runs=10000 FILE) and commit it by hand.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 SECONDS [TARGET...]" >&2
    exit 2
fi
secs=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${BUILD:-$src/build-fuzz}
jobs=${JOBS:-1}
targets=${*:-tls x509 tcp_stream pcap netmon dtls openvpn starttls decrypt records}

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$src" -Dfuzzing=true -Dwerror=true || exit 1
fi
ninja -C "$build" fuzzers || exit 1

mkdir -p "$build/fuzz-work" "$build/fuzz-artifacts" "$build/fuzz-logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# Runs one target; its log ends with libFuzzer's final stats (cov:, ft:, execs).
run_one() {
    t=$1
    exe="$build/tests/fuzz/fuzz_$t"
    work="$build/fuzz-work/$t"
    log="$build/fuzz-logs/$t.log"
    mkdir -p "$work"
    "$exe" "$work" "$here/corpus/$t" -dict="$here/tls.dict" -max_total_time="$secs" \
        -rss_limit_mb=512 -timeout=5 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$t-" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    if [ $rc -eq 0 ]; then
        echo "fuzz_$t: ok: ${execs:-?} execs, cov: ${cov:-?} ft: ${ft:-?}"
    else
        echo "fuzz_$t: FAILED (exit $rc): see $log and $build/fuzz-artifacts/"
        grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|contract violated' \
            "$log" | head -n 5
    fi
    return $rc
}

passed=0
failed=0
running=0
pids=""
for t in $targets; do
    if [ "$jobs" -le 1 ]; then
        if run_one "$t"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
        continue
    fi
    run_one "$t" &
    pids="$pids $!"
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then
        for p in $pids; do
            if wait "$p"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
        done
        pids=""
        running=0
    fi
done
for p in $pids; do
    if wait "$p"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
