#!/bin/sh
# The whole test suite, as CI runs it (README "Quick start", second command):
#  1. gcc build with -Werror: every suite (unit, e2e, corpus, gen, fuzz replay, adversarial, lint,
#     live when root, bench guard);
#  2. clang ASan+UBSan build: every suite again, failing on the first report;
#  3. valgrind: the unit, fuzz-replay and e2e suites with certpath under memcheck;
#  4. libFuzzer: each target for a bounded time (FUZZ_SECONDS, default 45 s a target).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

[ -d build-ci ] || meson setup build-ci -Dwerror=true
meson test -C build-ci --print-errorlogs --num-processes "$jobs"

[ -d build-san ] || CC=clang meson setup build-san -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fno-sanitize-recover=all
meson test -C build-san --print-errorlogs --num-processes "$jobs" --no-suite bench

meson test -C build-ci --setup=valgrind --print-errorlogs --num-processes "$jobs" \
    --suite unit --suite fuzz
meson test -C build-ci --setup=memcheck --print-errorlogs --num-processes "$jobs" --suite e2e

BUILD="$PWD/build-fuzz" tests/fuzz/run_fuzzers.sh "${FUZZ_SECONDS:-45}"
echo "run-all: every suite passed"
