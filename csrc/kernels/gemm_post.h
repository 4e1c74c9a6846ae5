// What an indirect GEMM kernel (kernels/gemm.h) applies to each final sum y
// as it stores it, instead of a separate pass over the output: a residual r
// and a clamp (ReLU is [0, +inf), ReLU6 [0, 6]):
//   residual_first:  y = clamp(y + r)
//   else:            y = clamp(y) + r
// r (null: none) holds one value per output, rows ldr floats apart, and
// `r` points at the value of the kernel's first output row and column (as
// c does). Without `clamp` no clamp applies (a NaN stays NaN). Plain data,
// shared with the ISA files.
#pragma once
#include <stddef.h>

namespace edgecnn {

struct F32GemmPost {
  int clamp;  // 0: no clamp
  float lo, hi;
  const float* r;
  size_t ldr;
  int residual_first;
};

}  // namespace edgecnn
