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
# into the Python interpreter, with libstdc++ right after it: the interpreter
# does not link libstdc++, and ASan's __cxa_throw interceptor must find the real
# one at start-up or the first C++ exception aborts the process. Leak detection
# is off (CPython keeps memory until exit by design). Needs: g++ (libasan, libubsan: Debian's g++ has both),
# cmake, ninja, pybind11 importable by $PYTHON (default .venv/bin/python).
# Runs under `nice` (EDGECNN_SANITIZE_NICE, default 19).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
build=${EDGECNN_SANITIZE_BUILD:-$root/build/sanitize}
nice_level=${EDGECNN_SANITIZE_NICE:-19}
# Tests that drive the core hardest per second: loader and robustness, every
# operator on every ISA, pre/post-processing, the task pipeline end to end.
QUICK=$(cd "$root" && echo tests/test_robustness_*.py tests/test_model_file.py tests/test_api.py tests/test_op_*.py \
  tests/test_graph_*.py tests/test_kernel_f32_dwconv.py \
  tests/test_pre_preprocess.py tests/test_post_*.py tests/test_tasks_end_to_end.py)
# OpenVINO is hidden under the sanitizer (see below): its backend's tests are left
# out, and so is a test whose expected message names the nodes only when OpenVINO
# is installed (without it the auto backend's error lists op types, not nodes).
SKIP=(--ignore=tests/test_backend_openvino.py
      --deselect=tests/test_model_file.py::test_unknown_ops_are_all_listed)

# Arguments: --quick, test paths (they replace the default selection), and
# pytest options (kept, with the value of those that take one).
paths=()
opts=()
quick=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    -k|-m|-p|--deselect|--ignore|--maxfail|--durations|--tb|-W|-o) opts+=("$1" "$2"); shift ;;
    -*) opts+=("$1") ;;
    *) paths+=("$1") ;;
  esac
  shift
done
if [ ${#paths[@]} -eq 0 ]; then
  # shellcheck disable=SC2206
  if [ "$quick" = 1 ]; then paths=($QUICK); else paths=(tests); fi
fi
args=("${paths[@]}" "${SKIP[@]}" "${opts[@]}")

cxx=${CXX:-g++}
if ! "$cxx" --version 2>/dev/null | grep -qiE "gcc|g\+\+|free software"; then
  echo "sanitize.sh: needs GCC (CXX=$cxx is not g++)" >&2
  exit 2
fi
libasan=$("$cxx" -print-file-name=libasan.so)
libstdcxx=$("$cxx" -print-file-name=libstdc++.so)
if [ ! -e "$libasan" ] || [ ! -e "$libstdcxx" ]; then
  echo "sanitize.sh: $cxx has no libasan.so / libstdc++.so (Debian: apt-get install g++)" >&2
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
# OpenVINO cannot run under ASan (its TBB dlopens with RTLD_DEEPBIND, which the
# sanitizer runtime refuses): hidden from the tests, as if not installed, so
# its tests skip and the auto backend reports it missing. The core is what is
# sanitized here.
cat >"$pkg/sitecustomize.py" <<'PY'
import sys


class _HideUnderSanitizer:
    hidden = ("openvino", "openvino_telemetry")

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.hidden:
            raise ModuleNotFoundError(f"No module named {name!r} (hidden by tools/sanitize.sh)", name=name)
        return None


sys.meta_path.insert(0, _HideUnderSanitizer())
PY

echo "sanitize.sh: pytest ${args[*]} (ASan + UBSan core from $build)"
set +e
(cd "$root" && \
  LD_PRELOAD="$libasan $libstdcxx" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:check_initialization_order=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
  EDGECNN_SANITIZED=1 PYTHONPATH="$pkg" PYTHONDONTWRITEBYTECODE=1 \
  nice -n "$nice_level" "$py" -m pytest -p no:cacheprovider "${args[@]}")
status=$?
set -e
end=$(date +%s)
echo "sanitize.sh: build $((built - start)) s, tests $((end - built)) s, exit $status"
exit "$status"
