// Portable Winograd F(2x2, 3x3) and F(4x4, 3x3) transforms (contracts:
// kernels/winograd.h): the reference the vector tiers are tested against,
// tile by tile. The vector kernels do the same operations in the same order.
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

namespace {

// B^T d for one 6-vector d (stride `step`), into t[0..5].
inline void wino43_in(const float* d, int64_t step, float* t) {
  const float d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step], d4 = d[4 * step], d5 = d[5 * step];
  t[0] = (4.0f * d0 + d4) - 5.0f * d2;
  t[1] = (d3 + d4) - 4.0f * (d1 + d2);
  t[2] = (d4 - d3) + 4.0f * (d1 - d2);
  t[3] = (d4 - d2) + 2.0f * (d3 - d1);
  t[4] = (d4 - d2) - 2.0f * (d3 - d1);
  t[5] = (4.0f * d1 + d5) - 5.0f * d3;
}

// A^T m for one 6-vector m (stride `step`), into o[0..3].
inline void wino43_out(const float* m, int64_t step, float* o) {
  const float m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step], m4 = m[4 * step], m5 = m[5 * step];
  const float a = m1 + m2, b = m1 - m2, c = m3 + m4, d = m3 - m4;
  o[0] = (m0 + a) + c;
  o[1] = b + 2.0f * d;
  o[2] = a + 4.0f * c;
  o[3] = (b + 8.0f * d) + m5;
}

}  // namespace

void f32_wino43_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, float* v,
                      int64_t v_xi_stride, int64_t v_ld) {
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t i = 0; i < count; ++i) {
      float t[6][6];  // d B, row by row
      for (int r = 0; r < 6; ++r) wino43_in(x + ch * chan_stride + r * ldx + 4 * i, 1, t[r]);
      for (int c = 0; c < 6; ++c) {
        float col[6];
        wino43_in(&t[0][c], 6, col);
        for (int r = 0; r < 6; ++r) v[(6 * r + c) * v_xi_stride + ch * v_ld + i] = col[r];
      }
    }
}

void f32_wino43_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias,
                       int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy) {
  for (int64_t ch = 0; ch < channels; ++ch) {
    const float b = bias != nullptr ? bias[ch] : 0.0f;
    for (int64_t i = 0; i < count; ++i) {
      float s[4][6];  // A^T m, column by column
      for (int c = 0; c < 6; ++c) {
        float o[4];
        wino43_out(m + ch * m_ld + i + c * m_xi_stride, 6 * m_xi_stride, o);
        for (int a = 0; a < 4; ++a) s[a][c] = o[a];
      }
      for (int64_t a = 0; a < rows; ++a) {
        float o[4];
        wino43_out(s[a], 1, o);
        float* out = y + ch * y_chan_stride + a * ldy + 4 * i;
        for (int64_t k = 0; k < 4 && 4 * i + k < cols; ++k) out[k] = o[k] + b;
      }
    }
  }
}

}  // namespace scalar
}  // namespace edgecnn
