// f32 element-wise folds of rows, the inner steps of MaxPool and AveragePool
// (ops/pool.h): a window's rows fold into one row, then its columns into the
// output row, as runs of contiguous floats `stride` apart (rows of the input;
// shifted copies of one row, stride = dilation).
#pragma once
#include <cstddef>

#include "core/cpu.h"

namespace edgecnn {

// Contract: for i < n,
//   y[i] = fold(y[i] if accumulate, x[i], x[stride + i], ..., x[(count-1)*stride + i])
// with count >= 1; y does not overlap the rows read. max propagates NaN (any
// NaN among the folded values gives NaN, as numpy and PyTorch do); add is
// the sum.
using F32PoolFoldUkernel = void (*)(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate);

#define EDGECNN_F32_POOL_FOLD(isa, arch)                                   \
  namespace isa {                                                          \
  void f32_pool_fold_max(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate); \
  void f32_pool_fold_add(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate); \
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
