// AVX2 Winograd F(2x2, 3x3) transforms (contracts: kernels/winograd.h), 8
// tiles of a tile row per step, one tile per lane, with the operations of
// the scalar reference in the same order (so both give the same bits).
//  - input: patch column c of 8 consecutive tiles is every other input
//    column from 2*i0 + c: two loads of 8, a shuffle and a 64-bit lane
//    permute give columns c = 0, 1; the same from 2*i0 + 2 gives c = 2, 3.
//  - output: unpack and 128-bit lane permutes interleave the two columns of
//    each output row back into 16 consecutive pixels.
// Partial steps run under lane masks (maskload/maskstore), so nothing past
// the contract's columns is read or written.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx2.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/winograd.h"

namespace edgecnn {
namespace avx2 {
namespace {

// All-ones in lanes l < n (n clamped to [0, 8]).
inline __m256i first_lanes(int64_t n) {
  const int count = n < 0 ? 0 : n > 8 ? 8 : static_cast<int>(n);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Columns 2*i (in *even) and 2*i + 1 (in *odd), i < 8, from row[0]; row
// holds `avail` readable floats.
inline void even_odd(const float* row, int64_t avail, __m256* even, __m256* odd) {
  __m256 a, b;
  if (avail >= 16) {
    a = _mm256_loadu_ps(row);
    b = _mm256_loadu_ps(row + 8);
  } else {
    a = _mm256_maskload_ps(row, first_lanes(avail));
    b = _mm256_maskload_ps(row + 8, first_lanes(avail - 8));
  }
  // In-lane shuffles give [a0 a2 b0 b2 | a4 a6 b4 b6]; the 64-bit permute
  // (0, 2, 1, 3) puts the a pairs first.
  const __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
  const __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
  *even = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
  *odd = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0)));
}

}  // namespace

void f32_wino23_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, float* v,
                      int64_t v_xi_stride, int64_t v_ld) {
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t i0 = 0; i0 < count; i0 += 8) {
      const int64_t n = count - i0 < 8 ? count - i0 : 8;
      const int64_t avail = 2 * n + 2;  // columns the n tiles read, from 2*i0
      __m256 t[4][4];
      for (int r = 0; r < 4; ++r) {
        const float* row = x + ch * chan_stride + r * ldx + 2 * i0;
        __m256 d0, d1, d2, d3;
        even_odd(row, avail, &d0, &d1);
        even_odd(row + 2, avail - 2, &d2, &d3);
        t[r][0] = _mm256_sub_ps(d0, d2);
        t[r][1] = _mm256_add_ps(d1, d2);
        t[r][2] = _mm256_sub_ps(d2, d1);
        t[r][3] = _mm256_sub_ps(d1, d3);
      }
      const __m256i store = first_lanes(n);
      for (int c = 0; c < 4; ++c) {
        float* out = v + ch * v_ld + i0 + c * v_xi_stride;
        _mm256_maskstore_ps(out, store, _mm256_sub_ps(t[0][c], t[2][c]));
        _mm256_maskstore_ps(out + 4 * v_xi_stride, store, _mm256_add_ps(t[1][c], t[2][c]));
        _mm256_maskstore_ps(out + 8 * v_xi_stride, store, _mm256_sub_ps(t[2][c], t[1][c]));
        _mm256_maskstore_ps(out + 12 * v_xi_stride, store, _mm256_sub_ps(t[1][c], t[3][c]));
      }
    }
}

void f32_wino23_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias,
                       int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy) {
  for (int64_t ch = 0; ch < channels; ++ch) {
    const __m256 b = _mm256_set1_ps(bias != nullptr ? bias[ch] : 0.0f);
    for (int64_t i0 = 0; i0 < count; i0 += 8) {
      const int64_t tiles = count - i0 < 8 ? count - i0 : 8;
      const __m256i lanes = first_lanes(tiles);
      __m256 s[2][4];
      for (int c = 0; c < 4; ++c) {
        const float* col = m + ch * m_ld + i0 + c * m_xi_stride;
        const __m256 m0 = _mm256_maskload_ps(col, lanes), m1 = _mm256_maskload_ps(col + 4 * m_xi_stride, lanes);
        const __m256 m2 = _mm256_maskload_ps(col + 8 * m_xi_stride, lanes);
        const __m256 m3 = _mm256_maskload_ps(col + 12 * m_xi_stride, lanes);
        s[0][c] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
        s[1][c] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
      }
      // Output columns from 2*i0: those of these tiles, inside the map.
      const int64_t valid = cols - 2 * i0 < 2 * tiles ? cols - 2 * i0 : 2 * tiles;
      for (int64_t a = 0; a < rows; ++a) {
        const __m256 y0 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s[a][0], s[a][1]), s[a][2]), b);
        const __m256 y1 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s[a][1], s[a][2]), s[a][3]), b);
        const __m256 lo = _mm256_unpacklo_ps(y0, y1), hi = _mm256_unpackhi_ps(y0, y1);
        const __m256 first = _mm256_permute2f128_ps(lo, hi, 0x20), second = _mm256_permute2f128_ps(lo, hi, 0x31);
        float* out = y + ch * y_chan_stride + a * ldy + 2 * i0;
        if (valid >= 16) {
          _mm256_storeu_ps(out, first);
          _mm256_storeu_ps(out + 8, second);
        } else {
          _mm256_maskstore_ps(out, first_lanes(valid), first);
          _mm256_maskstore_ps(out + 8, first_lanes(valid - 8), second);
        }
      }
    }
  }
}

}  // namespace avx2
}  // namespace edgecnn
