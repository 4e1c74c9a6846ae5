#!/usr/bin/env bash
# Compiles every C++ source of the core for aarch64 (syntax and code
# generation, no link, no Python headers needed for the core), so ARM builds
# keep compiling on an x86 machine. Needs Debian's g++-aarch64-linux-gnu.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=${CXX_AARCH64:-aarch64-linux-gnu-g++}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count=0
while IFS= read -r src; do
  case "$src" in *_avx2.cpp|*_avx512.cpp|*/python/*) continue ;; esac
  "$cxx" -std=c++17 -O2 -Wall -Wextra -Wno-unused-parameter -I"$root/csrc" -c "$src" -o "$out/$(basename "$src").o"
  count=$((count + 1))
done < <(find "$root/csrc" -name '*.cpp' | sort)
echo "aarch64: compiled $count files"
