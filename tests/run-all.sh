#!/bin/sh
# The whole test suite, as CI runs it (README "Quick start", second command):
#  1. gcc build with -Werror: every suite (unit, e2e, corpus, gen, fuzz replay, adversarial, lint,
#     live when root, bench guard);
#  2. clang ASan+UBSan build: every suite again, failing on the first report;
#  3. valgrind, for what ASan cannot see (reads of uninitialised memory): the unit and fuzz-replay
#     suites, and e2e with certpath under memcheck, less suite e2e-variant (a scenario again over
#     another link or segmentation: tests/meson.build);
#  4. libFuzzer: each target for a bounded time (FUZZ_SECONDS, default 45 s a target), as many
#     targets at once as there are cores;
#  5. ThreadSanitizer over the threaded tests: two diagnosing threads sharing one trust store
#     (test_diagnose, one_trust_shared_by_two_diagnosing_threads), and live_diag's thread making
#     the streaming diagnosis and reports so far from copies while the model changes
#     (test_live_diag). TSan judges by happens-before, not by luck, so an unlocked write fails
#     here every time. Only those binaries: GLib's GMutex and GSlice are built on futex calls TSan
#     cannot see (G_SLICE=always-malloc; the locks that matter are POSIX).
# Each phase prints how long it took. Budget: well under 40 minutes on a loaded 2-core machine;
# measured phase by phase with builds: about 7.5, 6.5, 5 to 13 (load-dependent) and 2 minutes.
# The valgrind phase is the long one: at a load average of 10 to 20 it took 40 minutes with
# every e2e variant and generated RSA keys, 32.5 with neither (s16 report; 46 fewer e2e runs).
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)
last=$start
phase_done() {
    now=$(date +%s)
    echo "run-all: $1 took $((now - last)) s ($((now - start)) s so far)"
    last=$now
}

[ -d build-ci ] || meson setup build-ci -Dwerror=true
meson test -C build-ci --print-errorlogs --num-processes "$jobs"
phase_done "gcc build and every suite"

[ -d build-san ] || CC=clang meson setup build-san -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dc_args=-fno-sanitize-recover=all
meson test -C build-san --print-errorlogs --num-processes "$jobs" --no-suite bench
phase_done "clang ASan+UBSan build and every suite"

# The unit and fuzz replay suites run in the background, one test at a time, while e2e runs
# under memcheck (the longer of the two).
meson test -C build-ci --setup=valgrind --print-errorlogs --num-processes 1 \
    --suite unit --suite fuzz >build-ci/run-all-valgrind.log 2>&1 &
vg_pid=$!
mc_rc=0
meson test -C build-ci --setup=memcheck --print-errorlogs --num-processes "$jobs" --suite e2e \
    --no-suite e2e-variant ||
    mc_rc=$?
vg_rc=0
wait "$vg_pid" || vg_rc=$?
cat build-ci/run-all-valgrind.log
[ "$mc_rc" -eq 0 ] && [ "$vg_rc" -eq 0 ] || { echo "run-all: valgrind phase failed"; exit 1; }
phase_done "valgrind (unit and fuzz replay, alongside e2e under memcheck)"

BUILD="$PWD/build-fuzz" JOBS="${FUZZ_JOBS:-$jobs}" tests/fuzz/run_fuzzers.sh "${FUZZ_SECONDS:-45}"
phase_done "libFuzzer"

[ -d build-tsan ] || CC=clang meson setup build-tsan -Db_sanitize=thread -Db_lundef=false
ninja -C build-tsan tests/test_diagnose tests/live/test_live_diag
G_SLICE=always-malloc TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/test_diagnose
G_SLICE=always-malloc TSAN_OPTIONS=halt_on_error=1 build-tsan/tests/live/test_live_diag
phase_done "ThreadSanitizer (diagnosis threads sharing a trust store)"
echo "run-all: every suite passed in $(($(date +%s) - start)) s"
