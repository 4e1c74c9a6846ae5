// How a GEMM microkernel finds row k of B: b + k*ldb (packed or strided), or
// base + koff[k] (indirect: a direct convolution's taps in a padded input).
// Plain data for the per-ISA files; internal linkage, so every tier
// compiles its own copy and none is shared across ISA flags.
#pragma once
#include <stddef.h>
#include <stdint.h>

namespace edgecnn {
namespace {

struct StridedRows {
  const float* b;
  size_t ldb;
  const float* row(size_t k) const { return b + k * ldb; }
};

struct IndirectRows {
  const float* base;
  const int64_t* koff;
  const float* row(size_t k) const { return base + koff[k]; }
};

}  // namespace
}  // namespace edgecnn
