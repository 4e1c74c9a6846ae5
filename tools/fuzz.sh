#!/usr/bin/env bash
# Coverage-guided fuzzing of the .ecnn loader (fuzz/fuzz_loader.cpp) with
# libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   tools/fuzz.sh [seconds] [extra libFuzzer flags...]      (default: 60 s)
#
# Builds build/fuzz/fuzz_loader (incremental; make + clang, no Python), then
# fuzzes for `seconds` starting from the seeds in fuzz/corpus/ and the crash
# regressions in tests/fuzz_regressions/; inputs that reach new coverage are
# kept in build/fuzz/corpus/ (reused by the next run), a crashing input is
# written to build/fuzz/artifacts/. Exits non-zero on a crash, a sanitizer
# report, a leak, a timeout or an out-of-memory: the input to reproduce it with
# is printed (build/fuzz/fuzz_loader FILE replays one).
#
# Checksum: by default the harness skips the CRC-32 (as edgecnn.load(verify=False))
# so mutations reach the parser; EDGECNN_FUZZ_VERIFY=1 fuzzes with it.
# Installs nothing. Needs clang and its sanitizer runtimes, make:
#   Debian 12: apt-get install -y clang libclang-rt-14-dev make
# CXX=clang++-NN picks another clang. Runs under `nice` (EDGECNN_FUZZ_NICE, 19).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
build=${EDGECNN_FUZZ_BUILD:-$root/build/fuzz}
nice_level=${EDGECNN_FUZZ_NICE:-19}

if [ -z "${CXX:-}" ]; then
  CXX=$(command -v clang++ || ls /usr/bin/clang++-* 2>/dev/null | sort -V | tail -n1 || true)
fi
if [ -z "$CXX" ] || ! "$CXX" --version 2>/dev/null | grep -qi clang; then
  echo "fuzz.sh: clang++ not found (Debian: apt-get install -y clang libclang-rt-14-dev)" >&2
  exit 2
fi

mkdir -p "$build/corpus" "$build/artifacts"
jobs=$(nproc 2>/dev/null || echo 2)
nice -n "$nice_level" make -s -C "$root/fuzz" -j"$jobs" BUILD="$build" CXX="$CXX"

corpora=("$build/corpus" "$root/fuzz/corpus")
if [ -d "$root/tests/fuzz_regressions" ]; then corpora+=("$root/tests/fuzz_regressions"); fi
log="$build/fuzz.log"
echo "fuzz.sh: fuzzing for ${seconds}s (log: $log)"
set +e
# -rss_limit_mb: the harness caps a model's memory at 256 MiB; anything near
# 2 GiB is a leak or an allocation that escaped the loader's limits.
ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:allocator_may_return_null=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  nice -n "$nice_level" "$build/fuzz_loader" \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -max_len=65536 \
    -dict="$root/fuzz/ecnn.dict" -artifact_prefix="$build/artifacts/" -print_final_stats=1 \
    "$@" "${corpora[@]}" >"$log" 2>&1
status=$?
set -e
tail -n 25 "$log"
if [ "$status" -ne 0 ]; then
  echo "fuzz.sh: FAILED (exit $status): see $log; crashing input in $build/artifacts/" >&2
  echo "fuzz.sh: add it to tests/fuzz_regressions/ once fixed" >&2
  exit "$status"
fi
echo "fuzz.sh: no crash in ${seconds}s"
