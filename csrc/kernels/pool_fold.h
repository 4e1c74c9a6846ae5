// f32 element-wise folds of two rows, the inner steps of MaxPool and
// AveragePool (ops/pool.h): a window's rows fold into one row, then its
// columns into the output row, as runs of contiguous floats.
#pragma once
#include <cstddef>

#include "core/cpu.h"

namespace edgecnn {

// Contract: y[i] = fold(acc[i], x[i]) for i < n; y may equal acc or x.
// max: acc[i] < x[i] ? x[i] : acc[i] (std::max(acc, x): a NaN in acc stays,
// a NaN in x is passed over); add: acc[i] + x[i].
using F32PoolFoldUkernel = void (*)(const float* acc, const float* x, float* y, size_t n);

#define EDGECNN_F32_POOL_FOLD(isa, arch)                                   \
  namespace isa {                                                          \
  void f32_pool_fold_max(const float* acc, const float* x, float* y, size_t n); \
  void f32_pool_fold_add(const float* acc, const float* x, float* y, size_t n); \
  }
#include "kernels/f32_pool_fold.inc"
#undef EDGECNN_F32_POOL_FOLD

struct F32PoolFoldKernel {
  const char* name;
  Isa isa;
  F32PoolFoldUkernel max;
  F32PoolFoldUkernel add;
};

// The best fold kernels for `isa` (falls back to lower tiers).
const F32PoolFoldKernel& f32_pool_fold_kernel(Isa isa);

}  // namespace edgecnn
