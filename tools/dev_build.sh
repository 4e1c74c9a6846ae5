#!/usr/bin/env bash
# Incremental developer build: compiles the C++ core into build/dev and copies
# the module into python/edgecnn/, so `PYTHONPATH=python pytest` uses it.
# Serialized with a lock: several shells may call it at once.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-$root/.venv/bin/python}
mkdir -p "$root/build"
exec 9>"$root/build/.dev_build.lock"
flock 9
if [ ! -f "$root/build/dev/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$root/build/dev" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPython_EXECUTABLE="$py" -Dpybind11_DIR="$("$py" -m pybind11 --cmakedir)" \
    -DSKBUILD_PROJECT_VERSION="$("$py" -c 'import tomllib;print(tomllib.load(open("'"$root"'/pyproject.toml","rb"))["project"]["version"])')" >/dev/null
fi
cmake --build "$root/build/dev" -j2
# Copy then rename: a new inode, so processes that have the old module mapped
# keep a valid file (overwriting it in place makes them die with SIGBUS).
for so in "$root"/build/dev/_core*.so; do
  cp "$so" "$root/python/edgecnn/.$(basename "$so").tmp"
  mv -f "$root/python/edgecnn/.$(basename "$so").tmp" "$root/python/edgecnn/$(basename "$so")"
done
