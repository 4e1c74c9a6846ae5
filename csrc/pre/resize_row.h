// The per-row kernels of pre-processing's bilinear resize (pre/preprocess.cpp),
// one set per ISA tier. Every product is rounded on its own (never fused into
// a sum), so every tier writes the same floats as the scalar kernels.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"

namespace edgecnn {

// blend_u8: the vertical pass, two image rows of bytes into floats:
//   t[j] = float(r0[j]) * w0 + float(r1[j]) * w1,   j < n.
// sample: the horizontal pass, output values from a blended row:
//   d[x] = (t[at0[x]] * w0[x] + t[at1[x]] * w1[x]) + bias,   x < n,
// with at0[x], at1[x] >= 0 indexing t (any order). SIMD tiers gather.
struct ResizeRowKernels {
  using BlendU8 = void (*)(const uint8_t* r0, const uint8_t* r1, float w0, float w1, size_t n, float* t);
  using Sample = void (*)(const float* t, const int32_t* at0, const int32_t* at1, const float* w0, const float* w1,
                          float bias, size_t n, float* d);
  Isa isa;
  const char* name;
  BlendU8 blend_u8;
  Sample sample;
};

#define EDGECNN_RESIZE_ROW_KERNELS(isa)                                                                        \
  namespace isa {                                                                                               \
  void resize_blend_u8(const uint8_t* r0, const uint8_t* r1, float w0, float w1, size_t n, float* t);          \
  void resize_sample(const float* t, const int32_t* at0, const int32_t* at1, const float* w0, const float* w1, \
                     float bias, size_t n, float* d);                                                           \
  }
EDGECNN_RESIZE_ROW_KERNELS(scalar)
EDGECNN_RESIZE_ROW_KERNELS(avx2)
EDGECNN_RESIZE_ROW_KERNELS(avx512)
#undef EDGECNN_RESIZE_ROW_KERNELS

// The kernels of the most capable tier not above `isa`.
const ResizeRowKernels& resize_row_kernels(Isa isa);

}  // namespace edgecnn
