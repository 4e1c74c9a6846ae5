#!/usr/bin/env bash
# Compiles every C++ source of the core (all but the Python binding) for
# aarch64 and links them, so ARM builds keep working on an x86 machine.
# Needs Debian's g++-aarch64-linux-gnu.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX_AARCH64:-aarch64-linux-gnu-g++}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count=0
while IFS= read -r src; do
  case "$src" in *_avx2.cpp|*_avx512.cpp|*/python/*) continue ;; esac
  "$cxx" -std=c++17 -O2 -fPIC -Wall -Wextra -Wno-unused-parameter -I"$root/csrc" -c "$src" -o "$out/$(echo "${src#$root/csrc/}" | tr / _).o"
  count=$((count + 1))
done < <(find "$root/csrc" -name '*.cpp' | sort)
# Link the objects into a shared library that may leave no symbol undefined,
# so a kernel table naming an x86-only kernel would fail here.
"$cxx" -shared -Wl,--no-undefined -o "$out/libedgecnn_core.so" "$out"/*.o -lpthread
echo "aarch64: compiled and linked $count files"
