// What an indirect GEMM kernel (kernels/gemm.h) applies to its final sums
// as it stores them, instead of a separate pass over the output: a residual
// r, a clamp (ReLU is [0, +inf), ReLU6 [0, 6]) and an activation kernel:
//   residual_first:  y = act(clamp(y + r))
//   else:            y = clamp(y) + r          (act must then be null)
// The residual and clamp apply in registers; `act` (null: none) runs over
// each stored row of the tile while it is in L1, or, in a kernel that has
// the tier's activation functions (AVX2; AVX-512 on whole tiles), spec's
// activation applies in registers too (the same function act computes). r (null: none) holds one
// value per output, rows ldr floats apart, and `r` points at the value of
// the kernel's first output row and column (as c does). Without `clamp` no
// clamp applies (a NaN stays NaN). Plain data, shared with the ISA files.
#pragma once
#include <stddef.h>

#include "kernels/activation_spec.h"

namespace edgecnn {

struct F32GemmPost {
  int clamp;  // 0: no clamp
  float lo, hi;
  const float* r;
  size_t ldr;
  int residual_first;
  F32ActivationFn act;
  const ActivationSpec* spec;  // act's parameters
};

}  // namespace edgecnn
