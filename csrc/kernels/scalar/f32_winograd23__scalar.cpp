// Portable Winograd F(2x2, 3x3) transforms (contracts: kernels/winograd.h):
// the reference the vector tiers are tested against, tile by tile.
#include <cstdint>

#include "kernels/winograd.h"

namespace edgecnn {
namespace scalar {

void f32_wino23_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, float* v,
                      int64_t v_xi_stride, int64_t v_ld) {
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t i = 0; i < count; ++i) {
      float t[4][4];  // d B, row by row
      for (int r = 0; r < 4; ++r) {
        const float* d = x + ch * chan_stride + r * ldx + 2 * i;
        t[r][0] = d[0] - d[2];
        t[r][1] = d[1] + d[2];
        t[r][2] = d[2] - d[1];
        t[r][3] = d[1] - d[3];
      }
      for (int c = 0; c < 4; ++c) {
        float* out = v + ch * v_ld + i + c * v_xi_stride;
        out[0 * v_xi_stride] = t[0][c] - t[2][c];
        out[4 * v_xi_stride] = t[1][c] + t[2][c];
        out[8 * v_xi_stride] = t[2][c] - t[1][c];
        out[12 * v_xi_stride] = t[1][c] - t[3][c];
      }
    }
}

void f32_wino23_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias,
                       int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy) {
  for (int64_t ch = 0; ch < channels; ++ch) {
    const float b = bias != nullptr ? bias[ch] : 0.0f;
    for (int64_t i = 0; i < count; ++i) {
      float s[2][4];  // A^T m
      for (int c = 0; c < 4; ++c) {
        const float* col = m + ch * m_ld + i + c * m_xi_stride;
        const float m0 = col[0], m1 = col[4 * m_xi_stride], m2 = col[8 * m_xi_stride], m3 = col[12 * m_xi_stride];
        s[0][c] = m0 + m1 + m2;
        s[1][c] = m1 - m2 - m3;
      }
      for (int64_t a = 0; a < rows; ++a) {
        float* out = y + ch * y_chan_stride + a * ldy + 2 * i;
        out[0] = s[a][0] + s[a][1] + s[a][2] + b;
        if (2 * i + 1 < cols) out[1] = s[a][1] - s[a][2] - s[a][3] + b;
      }
    }
  }
}

}  // namespace scalar
}  // namespace edgecnn
