// Depthwise f32 convolution of one channel plane: a K x K window (K = 3, 5),
// stride S (1, 2) on both axes, any dilation D (equal on both axes), any
// padding. The scratch layout
// (zero-padded phase planes, so that every stride is a 1-D convolution with
// no edge cases) is described in kernels/dwconv_plane.h.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"
#include "kernels/dwconv_plane.h"

namespace edgecnn {

// Kernel contract: y[oy*out_w + ox] = bias + sum_{ky, kx < K} w[ky*K + kx] *
// P[oy*S + ky*D][ox*S + kx*D] for the whole out_h x out_w plane, P being x (in_h
// x in_w, dense) zero-padded by g->pad_top / g->pad_left (and as needed at
// the bottom and right). scratch holds g->scratch_floats() floats, 64-byte
// aligned; y is dense and must not overlap x or scratch.
using F32DwconvUkernel = void (*)(const DwconvPlane* g, const float* x, const float* w, float bias, float* scratch,
                                  float* y);

#define EDGECNN_F32_DWCONV(isa, k, stride, arch)                                                             \
  namespace isa {                                                                                            \
  void f32_dwconv_##k##x##k##s##stride(const DwconvPlane* g, const float* x, const float* w, float bias,     \
                                       float* scratch, float* y);                                           \
  }
#include "kernels/f32_dwconv.inc"
#undef EDGECNN_F32_DWCONV

struct F32DwconvKernel {
  const char* name;
  Isa isa;
  int k;
  int s;
  F32DwconvUkernel fn;
};

// The best kernel for `isa` (falling back to lower tiers) with this window
// and stride, or nullptr when there is none.
const F32DwconvKernel* f32_dwconv_kernel(Isa isa, int k, int s);

}  // namespace edgecnn
