// Depthwise f32 convolution of one channel plane: a K x K window (K = 3, 5),
// stride S (1, 2) on both axes, any dilation D (equal on both axes), any
// padding. The scratch layout
// (zero-padded phase planes, so that every stride is a 1-D convolution with
// no edge cases) is described in kernels/dwconv_plane.h.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"
#include "kernels/activation_spec.h"
#include "kernels/dwconv_plane.h"

namespace edgecnn {

// Kernel contract: y[oy*out_w + ox] = bias + sum_{ky, kx < K} w[ky*K + kx] *
// P[oy*S + ky*D][ox*S + kx*D] for the whole out_h x out_w plane, P being x (in_h
// x in_w, dense) zero-padded by g->pad_top / g->pad_left (and as needed at
// the bottom and right), each clamped to [clamp.lo, clamp.hi] (DwconvClamp).
// scratch holds g->scratch_floats() floats, 64-byte aligned; y is dense and
// must not overlap x or scratch.
using F32DwconvUkernel = void (*)(const DwconvPlane* g, const float* x, const float* w, float bias, DwconvClamp clamp,
                                  float* scratch, float* y);

#define EDGECNN_F32_DWCONV(isa, k, stride, arch)                                                             \
  namespace isa {                                                                                            \
  void f32_dwconv_##k##x##k##s##stride(const DwconvPlane* g, const float* x, const float* w, float bias,     \
                                       DwconvClamp clamp, float* scratch, float* y);                        \
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

// Channel-lane depthwise: up to L channels at once, one per vector lane.
// Contract: for channel j < channels (<= L), the plane x + j*x_plane (in_h x
// in_w, dense) convolved as F32DwconvUkernel does (window g->k, stride g->s,
// dilation g->d, g's padding) with weights w + j*k*k and bias[j] (bias may be
// null), then act_fn(act) applied when act_fn is not null, into y + j*y_plane
// (out_h x out_w, dense). scratch holds dwconv_lanes_scratch_floats(g, L)
// floats, 64-byte aligned.
using F32DwconvLanesUkernel = void (*)(const DwconvPlane* g, int64_t channels, const float* x, int64_t x_plane,
                                       const float* w, const float* bias, const ActivationSpec* act,
                                       F32ActivationFn act_fn, float* scratch, float* y, int64_t y_plane);

// Scratch of the lanes kernels: the layout of kernels/dwconv_plane.h with
// every element a vector of L channels (element e, channel j at e*L + j).
inline int64_t dwconv_lanes_scratch_floats(const DwconvPlane* g, int lanes) { return g->scratch_floats() * lanes; }

#define EDGECNN_F32_DWCONV_LANES(isa, lanes, arch)                                                          \
  namespace isa {                                                                                          \
  void f32_dwconv_lanes##lanes(const DwconvPlane* g, int64_t channels, const float* x, int64_t x_plane,    \
                               const float* w, const float* bias, const ActivationSpec* act,              \
                               F32ActivationFn act_fn, float* scratch, float* y, int64_t y_plane);         \
  }
#include "kernels/f32_dwconv_lanes.inc"
#undef EDGECNN_F32_DWCONV_LANES

struct F32DwconvLanesKernel {
  const char* name;
  Isa isa;
  int lanes;
  F32DwconvLanesUkernel fn;
};

// The channel-lane kernel of exactly `isa`, or nullptr (the tiers without
// one convolve small maps plane by plane).
const F32DwconvLanesKernel* f32_dwconv_lanes_kernel(Isa isa);

}  // namespace edgecnn
