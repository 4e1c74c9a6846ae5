// f32 matrix transpose, for moving channel-lane results (pixels x channels)
// into NCHW planes (channels x pixels).
#pragma once
#include <cstddef>

#include "core/cpu.h"

namespace edgecnn {

// Contract: dst[c*ldd + r] = src[r*lds + c] for r < rows, c < cols; writes
// nothing else. src and dst must not overlap.
using F32TransposeUkernel = void (*)(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd);

#define EDGECNN_F32_TRANSPOSE(isa, arch) \
  namespace isa {                        \
  void f32_transpose(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd); \
  }
#include "kernels/f32_transpose.inc"
#undef EDGECNN_F32_TRANSPOSE

struct F32TransposeKernel {
  const char* name;
  Isa isa;
  F32TransposeUkernel fn;
};

// The best transpose kernel for `isa` (falls back to lower tiers).
const F32TransposeKernel& f32_transpose_kernel(Isa isa);

}  // namespace edgecnn
