// AVX-512 Winograd F(2x2, 3x3) transforms (contracts: kernels/winograd.h),
// 16 tiles of a tile row per step, one tile per lane, with the operations of
// the scalar reference in the same order (so both give the same bits).
//  - input: patch column c of 16 consecutive tiles is every other input
//    column from 2*i0 + c: two loads of 16 and one even/odd permute give
//    columns c = 0, 1; the same from 2*i0 + 2 gives c = 2, 3.
//  - output: the two columns of each output row are interleaved back into
//    32 consecutive pixels by two permutes.
// Partial steps (fewer than 16 tiles, or the last output column) run under
// lane masks, so nothing past the contract's columns is read or written.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx512.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/winograd.h"

namespace edgecnn {
namespace avx512 {
namespace {

inline __mmask16 first_lanes(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xFFFF) : n <= 0 ? 0 : static_cast<__mmask16>((1u << n) - 1u);
}

// Columns 2*i + c (c = 0 in *even, 1 in *odd) of `n` tiles from row[0]; row
// holds `avail` readable floats.
inline void even_odd(const float* row, int64_t avail, __m512* even, __m512* odd) {
  const __m512i even_index = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd_index = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  __m512 a, b;
  if (avail >= 32) {
    a = _mm512_loadu_ps(row);
    b = _mm512_loadu_ps(row + 16);
  } else {
    a = _mm512_maskz_loadu_ps(first_lanes(avail), row);
    b = _mm512_maskz_loadu_ps(first_lanes(avail - 16), row + 16);
  }
  *even = _mm512_permutex2var_ps(a, even_index, b);
  *odd = _mm512_permutex2var_ps(a, odd_index, b);
}

}  // namespace

void f32_wino23_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, float* v,
                      int64_t v_xi_stride, int64_t v_ld) {
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t i0 = 0; i0 < count; i0 += 16) {
      const int64_t n = count - i0 < 16 ? count - i0 : 16;
      const int64_t avail = 2 * n + 2;  // columns the n tiles read, from 2*i0
      __m512 t[4][4];
      for (int r = 0; r < 4; ++r) {
        const float* row = x + ch * chan_stride + r * ldx + 2 * i0;
        __m512 d0, d1, d2, d3;
        even_odd(row, avail, &d0, &d1);
        even_odd(row + 2, avail - 2, &d2, &d3);
        t[r][0] = _mm512_sub_ps(d0, d2);
        t[r][1] = _mm512_add_ps(d1, d2);
        t[r][2] = _mm512_sub_ps(d2, d1);
        t[r][3] = _mm512_sub_ps(d1, d3);
      }
      const __mmask16 store = first_lanes(n);
      for (int c = 0; c < 4; ++c) {
        float* out = v + ch * v_ld + i0 + c * v_xi_stride;
        _mm512_mask_storeu_ps(out, store, _mm512_sub_ps(t[0][c], t[2][c]));
        _mm512_mask_storeu_ps(out + 4 * v_xi_stride, store, _mm512_add_ps(t[1][c], t[2][c]));
        _mm512_mask_storeu_ps(out + 8 * v_xi_stride, store, _mm512_sub_ps(t[2][c], t[1][c]));
        _mm512_mask_storeu_ps(out + 12 * v_xi_stride, store, _mm512_sub_ps(t[1][c], t[3][c]));
      }
    }
}

void f32_wino23_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias,
                       int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy) {
  const __m512i lo_index = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi_index = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  for (int64_t ch = 0; ch < channels; ++ch) {
    const __m512 b = _mm512_set1_ps(bias != nullptr ? bias[ch] : 0.0f);
    for (int64_t i0 = 0; i0 < count; i0 += 16) {
      const __mmask16 lanes = first_lanes(count - i0);
      __m512 s[2][4];
      for (int c = 0; c < 4; ++c) {
        const float* col = m + ch * m_ld + i0 + c * m_xi_stride;
        const __m512 m0 = _mm512_maskz_loadu_ps(lanes, col), m1 = _mm512_maskz_loadu_ps(lanes, col + 4 * m_xi_stride);
        const __m512 m2 = _mm512_maskz_loadu_ps(lanes, col + 8 * m_xi_stride);
        const __m512 m3 = _mm512_maskz_loadu_ps(lanes, col + 12 * m_xi_stride);
        s[0][c] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
        s[1][c] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
      }
      // Output columns from 2*i0: those of these tiles, inside the map.
      const int64_t tiles = count - i0 < 16 ? count - i0 : 16;
      const int64_t valid = cols - 2 * i0 < 2 * tiles ? cols - 2 * i0 : 2 * tiles;
      for (int64_t a = 0; a < rows; ++a) {
        const __m512 y0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(s[a][0], s[a][1]), s[a][2]), b);
        const __m512 y1 = _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(s[a][1], s[a][2]), s[a][3]), b);
        float* out = y + ch * y_chan_stride + a * ldy + 2 * i0;
        const __m512 lo = _mm512_permutex2var_ps(y0, lo_index, y1), hi = _mm512_permutex2var_ps(y0, hi_index, y1);
        if (valid >= 32) {
          _mm512_storeu_ps(out, lo);
          _mm512_storeu_ps(out + 16, hi);
        } else {
          _mm512_mask_storeu_ps(out, first_lanes(valid), lo);
          _mm512_mask_storeu_ps(out + 16, first_lanes(valid - 16), hi);
        }
      }
    }
  }
}

}  // namespace avx512
}  // namespace edgecnn
