#!/usr/bin/env bash
# The test suite against the C++ core built with AddressSanitizer and
# UndefinedBehaviorSanitizer (CMake option EDGECNN_SANITIZE; UBSan without
# recovery, so any report fails the test that triggered it).
#
#   tools/sanitize.sh [--quick] [pytest args...]
#
# Builds into build/sanitize (never build/dev) and runs pytest on a copy of the
# package in a temporary folder holding the sanitized module, so
# python/edgecnn/_core*.so is left alone. Default: the whole suite (tests/).
# --quick: the subset that exercises the core without the slow parity sweeps
# (see QUICK below). Any other arguments go to pytest (e.g. tests/test_api.py -x).
#
# GCC's ASan must be the first library loaded, hence LD_PRELOAD of libasan.so
# into the Python interpreter; leak detection is off (CPython keeps memory
# until exit by design). Needs: g++ (libasan, libubsan: Debian's g++ has both),
# cmake, ninja, pybind11 importable by $PYTHON (default .venv/bin/python).
# Runs under `nice` (EDGECNN_SANITIZE_NICE, default 19).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
build=${EDGECNN_SANITIZE_BUILD:-$root/build/sanitize}
nice_level=${EDGECNN_SANITIZE_NICE:-19}
# Tests that drive the core hardest per second: loader and robustness, every
# operator on every ISA, pre/post-processing, the task pipeline end to end.
QUICK=(tests/test_robustness_*.py tests/test_model_file.py tests/test_api.py tests/test_op_*.py
       tests/test_pre_preprocess.py tests/test_post_*.py tests/test_tasks_end_to_end.py)

args=()
quick=0
for a in "$@"; do
  if [ "$a" = "--quick" ]; then quick=1; else args+=("$a"); fi
done
if [ ${#args[@]} -eq 0 ]; then
  if [ "$quick" = 1 ]; then args=("${QUICK[@]}"); else args=(tests); fi
fi

cxx=${CXX:-g++}
if ! "$cxx" --version 2>/dev/null | grep -qiE "gcc|g\+\+|free software"; then
  echo "sanitize.sh: needs GCC (CXX=$cxx is not g++)" >&2
  exit 2
fi
libasan=$("$cxx" -print-file-name=libasan.so)
if [ ! -e "$libasan" ]; then
  echo "sanitize.sh: $cxx has no libasan.so (Debian: apt-get install g++)" >&2
  exit 2
fi

if [ ! -f "$build/CMakeCache.txt" ]; then
  generator=()
  if command -v ninja >/dev/null 2>&1 || [ -x "$(dirname "$py")/ninja" ]; then generator=(-G Ninja); fi
  PATH="$(dirname "$py"):$PATH" cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$cxx" -DEDGECNN_SANITIZE=ON -DPython_EXECUTABLE="$py" \
    -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)" -DSKBUILD_PROJECT_VERSION=0+sanitize >/dev/null
fi
start=$(date +%s)
PATH="$(dirname "$py"):$PATH" nice -n "$nice_level" cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)"
built=$(date +%s)

pkg=$(mktemp -d "${TMPDIR:-/tmp}/edgecnn-sanitize.XXXXXX")
trap 'rm -rf "$pkg"' EXIT
# The package without its compiled module (and caches), plus the sanitized one.
tar -C "$root/python" --exclude='_core*.so' --exclude='__pycache__' -cf - edgecnn | tar -C "$pkg" -xf -
cp "$build"/_core*.so "$pkg/edgecnn/"

echo "sanitize.sh: pytest ${args[*]} (ASan + UBSan core from $build)"
set +e
(cd "$root" && \
  LD_PRELOAD="$libasan" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
  EDGECNN_SANITIZED=1 PYTHONPATH="$pkg" PYTHONDONTWRITEBYTECODE=1 \
  nice -n "$nice_level" "$py" -m pytest -p no:cacheprovider -q "${args[@]}")
status=$?
set -e
end=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s, exit $status"
exit "$status"
