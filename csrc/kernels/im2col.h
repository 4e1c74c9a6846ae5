// im2col rows written straight into the panel layout of the convolution
// GEMM's B blocks (ops/gemm_driver.h): output pixel n0 + j goes to
//   dst[(j / nr) * panel_stride + j % nr]   for j < nc,
// nr being the GEMM kernel's NR (a multiple of the im2col kernel's vector
// width). Rows crossed by [n0, n0 + nc) are walked segment by segment, the
// padding and partial vectors under lane masks; stride 1 is a masked copy,
// stride 2 a masked copy of twice the width with the even lanes picked.
//
// The direct convolution path's band copy has its own row kernel: one input
// row into its sw phase rows of the zero-padded, phase-split copy
// (ops/conv.cpp, fill_band), for px < sw and c < ld:
//   dst[px*phase_stride + c] = x[c*sw + px - pad_left]  where that column
//                              lies in [0, in_w), else 0.
// Stride 1 is a padded copy; stride 2 reads each input vector pair once and
// stores its even and odd lanes to the two phase rows.
#pragma once
#include <cstdint>

#include "core/cpu.h"
#include "kernels/im2col_row.h"

namespace edgecnn {

using F32Im2colFn = void (*)(const Im2colRow* row, int64_t n0, int64_t nc, int64_t nr, int64_t panel_stride,
                             float* dst);
using F32PhaseRowFn = void (*)(const float* x, int64_t in_w, int64_t pad_left, int64_t sw, int64_t ld,
                               int64_t phase_stride, float* dst);

#define EDGECNN_F32_IM2COL(isa, arch)                                                                      \
  namespace isa {                                                                                          \
  void f32_im2col_row(const Im2colRow* row, int64_t n0, int64_t nc, int64_t nr, int64_t panel_stride,     \
                      float* dst);                                                                         \
  void f32_im2col_phase_row(const float* x, int64_t in_w, int64_t pad_left, int64_t sw, int64_t ld,        \
                            int64_t phase_stride, float* dst);                                             \
  }
#include "kernels/f32_im2col.inc"
#undef EDGECNN_F32_IM2COL

struct F32Im2colKernel {
  const char* name;
  Isa isa;
  F32Im2colFn fn;
  F32PhaseRowFn phase_row;
};

// The im2col kernel for `isa` (falls back to lower tiers).
const F32Im2colKernel& f32_im2col_kernel(Isa isa);

}  // namespace edgecnn
