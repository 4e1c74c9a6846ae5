// Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions: each 2x2 output tile
// costs 16 multiplies per (input, output) channel pair instead of 36 (2.25x
// fewer), as 16 GEMMs between transformed weights and transformed inputs
// (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks"):
//   Y = A^T [ (G g G^T) . (B^T d B) ] A,   d: a 4x4 input patch, g: 3x3 weights,
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
// The transforms use only additions (and halvings, exact in binary), so the
// result is as accurate as a direct convolution's. Element xi = 4*i + j of a
// transformed 4x4 tile is "frequency" xi.
//
// The kernels transform the tiles of one tile row, vectorized over the tiles.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"

namespace edgecnn {

// Input transform contract: tile i < count of each channel ch < channels
// reads the 4x4 patch d[r][c] = x[ch*chan_stride + r*ldx + 2*i + c] (so x
// holds at least 4 rows of 2*count + 2 columns per channel: the caller pads)
// and writes (B^T d B)[xi] to v[xi*v_xi_stride + ch*v_ld + i].
using F32Wino23InputFn = void (*)(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count,
                                  float* v, int64_t v_xi_stride, int64_t v_ld);
// Output transform contract: for channel ch < channels and tile i < count,
// m[xi] = m[xi*m_xi_stride + ch*m_ld + i]; Y = A^T m A + bias[ch] (bias may
// be null) is written as y[ch*y_chan_stride + a*ldy + 2*i + b] for a < rows
// (1 or 2) and 2*i + b < cols only.
using F32Wino23OutputFn = void (*)(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels,
                                   const float* bias, int64_t count, int64_t rows, int64_t cols, float* y,
                                   int64_t y_chan_stride, int64_t ldy);

#define EDGECNN_F32_WINO23(isa, arch)                                                                         \
  namespace isa {                                                                                             \
  void f32_wino23_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count,    \
                        float* v, int64_t v_xi_stride, int64_t v_ld);                                        \
  void f32_wino23_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias, \
                         int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy); \
  }
#include "kernels/f32_winograd.inc"
#undef EDGECNN_F32_WINO23

struct F32Wino23Kernel {
  const char* name;
  Isa isa;
  F32Wino23InputFn input;
  F32Wino23OutputFn output;
};

// The transform kernels of exactly `isa`, or nullptr when that tier has none
// (the scalar pair is the reference; a tier without its own vector transforms
// convolves directly rather than run scalar transforms next to vector GEMMs).
const F32Wino23Kernel* f32_wino23_kernel(Isa isa);

// The transformed weights of one 3x3 filter bank w[out_c][in_c][3][3]:
// u[xi*out_c*in_c + oc*in_c + ic] = (G g G^T)[xi] (computed in double).
void wino23_transform_weights(const float* w, int64_t out_c, int64_t in_c, float* u);

}  // namespace edgecnn
