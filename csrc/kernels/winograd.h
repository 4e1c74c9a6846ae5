// Winograd F(m x m, 3x3) for 3x3 stride-1 convolutions (Lavin & Gray, "Fast
// Algorithms for Convolutional Neural Networks"): an m x m output tile is
//   Y = A^T [ (G g G^T) . (B^T d B) ] A,   d: an (m+2) x (m+2) input patch, g: 3x3 weights,
// so it costs (m+2)^2 multiplies per (input, output) channel pair instead of
// 9 m^2, as (m+2)^2 GEMMs between transformed weights and transformed
// inputs. Element xi = (m+2)*i + j of a transformed tile is "frequency" xi.
//
// F(2x2, 3x3): 16 products for 4 outputs (2.25x fewer multiplies).
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
//   A^T = [1 1 1 0; 0 1 -1 -1]
//   Additions and halvings only: as accurate as a direct convolution.
// F(4x4, 3x3): 36 products for 16 outputs (4x fewer), points 0, +-1, +-2:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
//   The transforms scale values by up to 8, so rounding errors grow by
//   about that much (still ~1e-5 of the output's range for 256 channels).
//
// The kernels transform the tiles of one tile row, vectorized over the tiles.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"

namespace edgecnn {

// Input transform contract (tile size m, patch p = m + 2): tile i < count of
// each channel ch < channels reads the p x p patch
//   d[r][c] = x[ch*chan_stride + r*ldx + m*i + c]
// (so x holds at least p rows of m*count + 2 columns per channel: the caller
// pads) and writes (B^T d B)[xi] to v[xi*v_xi_stride + ch*v_ld + i].
using F32WinoInputFn = void (*)(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count,
                                float* v, int64_t v_xi_stride, int64_t v_ld);
// Output transform contract: for channel ch < channels and tile i < count,
// mx[xi] = m[xi*m_xi_stride + ch*m_ld + i]; Y = A^T mx A + bias[ch] (bias
// may be null) is written as y[ch*y_chan_stride + a*ldy + m*i + b] for
// a < rows (<= m) and m*i + b < cols only.
using F32WinoOutputFn = void (*)(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels,
                                 const float* bias, int64_t count, int64_t rows, int64_t cols, float* y,
                                 int64_t y_chan_stride, int64_t ldy);

#define EDGECNN_F32_WINOGRAD(isa, m, arch)                                                                    \
  namespace isa {                                                                                             \
  void f32_wino##m##3_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, \
                            float* v, int64_t v_xi_stride, int64_t v_ld);                                    \
  void f32_wino##m##3_output(const float* m_, int64_t m_xi_stride, int64_t m_ld, int64_t channels,          \
                             const float* bias, int64_t count, int64_t rows, int64_t cols, float* y,         \
                             int64_t y_chan_stride, int64_t ldy);                                            \
  }
#include "kernels/f32_winograd.inc"
#undef EDGECNN_F32_WINOGRAD

struct F32WinoKernel {
  const char* name;
  Isa isa;
  int m;  // output tile size
  F32WinoInputFn input;
  F32WinoOutputFn output;
};

// The transform kernels for tile size m of exactly `isa`, or nullptr when
// that tier has none (the scalar ones are the reference; a tier without its
// own vector transforms convolves otherwise rather than run scalar
// transforms next to vector GEMMs).
const F32WinoKernel* f32_wino_kernel(Isa isa, int m);

// The transformed weights of one 3x3 filter bank w[out_c][in_c][3][3] for
// tile size m (2 or 4): u[xi*out_c*in_c + oc*in_c + ic] = (G g G^T)[xi],
// computed in double.
void wino_transform_weights(int m, const float* w, int64_t out_c, int64_t in_c, float* u);

}  // namespace edgecnn
