// AVX-512 Winograd transforms, F(2x2, 3x3) and F(4x4, 3x3) (contracts:
// kernels/winograd.h), 16 tiles of a tile row per step, one tile per lane,
// with the operations of the scalar reference in the same order (so both
// give the same bits).
//  - F(2,3) input: patch column c of 16 consecutive tiles is every other
//    input column from 2*i0 + c: two loads of 16 and one even/odd permute
//    give columns c = 0, 1; the same from 2*i0 + 2 gives c = 2, 3.
//  - F(4,3) input: columns 4*i + c, c < 4, come from four loads of 16 and
//    two rounds of even/odd permutes; c = 4, 5 are c = 0, 1 moved one tile
//    along (valignd) with the row's columns 64 and 65 shifted in.
//  - output: the m columns of each output row are interleaved back into
//    16*m consecutive pixels by permutes (32-bit pairs, then 64-bit pairs).
// Partial steps (fewer than 16 tiles, or the last output column) run under
// lane masks, so nothing past the contract's columns is read or written.
// ISA file: only intrinsics, C headers, plain-data and AVX-512-only headers,
// everything in edgecnn::avx512.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/x86/avx512_gcc_warnings.h"

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

namespace {

inline __m512 shift_in(__m512 v, __m512 next) {  // [v1, ..., v15, next0]
  return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(next), _mm512_castps_si512(v), 1));
}

// Columns 4*i + c, c < 6, i < 16, from row[0]; row holds `avail` readable floats.
inline void stride4_columns(const float* row, int64_t avail, __m512 c[6]) {
  const __m512i even_index = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd_index = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  __m512 v[4];
  for (int k = 0; k < 4; ++k)
    v[k] = avail >= 16 * (k + 1) ? _mm512_loadu_ps(row + 16 * k)
                                 : _mm512_maskz_loadu_ps(first_lanes(avail - 16 * k), row + 16 * k);
  const __m512 tail = _mm512_maskz_loadu_ps(first_lanes(avail - 64) & 0x3, row + 64);  // columns 64, 65
  const __m512 e01 = _mm512_permutex2var_ps(v[0], even_index, v[1]), o01 = _mm512_permutex2var_ps(v[0], odd_index, v[1]);
  const __m512 e23 = _mm512_permutex2var_ps(v[2], even_index, v[3]), o23 = _mm512_permutex2var_ps(v[2], odd_index, v[3]);
  c[0] = _mm512_permutex2var_ps(e01, even_index, e23);
  c[1] = _mm512_permutex2var_ps(o01, even_index, o23);
  c[2] = _mm512_permutex2var_ps(e01, odd_index, e23);
  c[3] = _mm512_permutex2var_ps(o01, odd_index, o23);
  c[4] = shift_in(c[0], tail);
  c[5] = shift_in(c[1], shift_in(tail, tail));
}

// B^T d over six vectors (the scalar wino43_in, lane by lane).
inline void wino43_in(const __m512 d[6], __m512 t[6]) {
  const __m512 two = _mm512_set1_ps(2.0f), four = _mm512_set1_ps(4.0f), five = _mm512_set1_ps(5.0f);
  t[0] = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(four, d[0]), d[4]), _mm512_mul_ps(five, d[2]));
  t[1] = _mm512_sub_ps(_mm512_add_ps(d[3], d[4]), _mm512_mul_ps(four, _mm512_add_ps(d[1], d[2])));
  t[2] = _mm512_add_ps(_mm512_sub_ps(d[4], d[3]), _mm512_mul_ps(four, _mm512_sub_ps(d[1], d[2])));
  t[3] = _mm512_add_ps(_mm512_sub_ps(d[4], d[2]), _mm512_mul_ps(two, _mm512_sub_ps(d[3], d[1])));
  t[4] = _mm512_sub_ps(_mm512_sub_ps(d[4], d[2]), _mm512_mul_ps(two, _mm512_sub_ps(d[3], d[1])));
  t[5] = _mm512_sub_ps(_mm512_add_ps(_mm512_mul_ps(four, d[1]), d[5]), _mm512_mul_ps(five, d[3]));
}

// A^T m over six vectors (the scalar wino43_out, lane by lane).
inline void wino43_out(const __m512 m[6], __m512 o[4]) {
  const __m512 a = _mm512_add_ps(m[1], m[2]), b = _mm512_sub_ps(m[1], m[2]);
  const __m512 c = _mm512_add_ps(m[3], m[4]), d = _mm512_sub_ps(m[3], m[4]);
  o[0] = _mm512_add_ps(_mm512_add_ps(m[0], a), c);
  o[1] = _mm512_add_ps(b, _mm512_mul_ps(_mm512_set1_ps(2.0f), d));
  o[2] = _mm512_add_ps(a, _mm512_mul_ps(_mm512_set1_ps(4.0f), c));
  o[3] = _mm512_add_ps(_mm512_add_ps(b, _mm512_mul_ps(_mm512_set1_ps(8.0f), d)), m[5]);
}

}  // namespace

void f32_wino43_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, float* v,
                      int64_t v_xi_stride, int64_t v_ld) {
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t i0 = 0; i0 < count; i0 += 16) {
      const int64_t n = count - i0 < 16 ? count - i0 : 16;
      __m512 t[6][6];  // t[r][c]: row r after the row transform
      for (int r = 0; r < 6; ++r) {
        __m512 d[6];
        stride4_columns(x + ch * chan_stride + r * ldx + 4 * i0, 4 * n + 2, d);
        wino43_in(d, t[r]);
      }
      const __mmask16 store = first_lanes(n);
      for (int c = 0; c < 6; ++c) {
        const __m512 col_in[6] = {t[0][c], t[1][c], t[2][c], t[3][c], t[4][c], t[5][c]};
        __m512 col[6];
        wino43_in(col_in, col);
        for (int r = 0; r < 6; ++r) _mm512_mask_storeu_ps(v + (6 * r + c) * v_xi_stride + ch * v_ld + i0, store, col[r]);
      }
    }
}

void f32_wino43_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias,
                       int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy) {
  const __m512i lo_index = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i hi_index = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const __m512i first_pairs = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
  const __m512i last_pairs = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
  for (int64_t ch = 0; ch < channels; ++ch) {
    const __m512 b = _mm512_set1_ps(bias != nullptr ? bias[ch] : 0.0f);
    for (int64_t i0 = 0; i0 < count; i0 += 16) {
      const int64_t tiles = count - i0 < 16 ? count - i0 : 16;
      const __mmask16 lanes = first_lanes(tiles);
      __m512 s[4][6];  // A^T m, column by column
      for (int c = 0; c < 6; ++c) {
        __m512 mc[6], o[4];
        for (int r = 0; r < 6; ++r)
          mc[r] = _mm512_maskz_loadu_ps(lanes, m + (6 * r + c) * m_xi_stride + ch * m_ld + i0);
        wino43_out(mc, o);
        for (int a = 0; a < 4; ++a) s[a][c] = o[a];
      }
      // Output columns from 4*i0: those of these tiles, inside the map.
      const int64_t valid = cols - 4 * i0 < 4 * tiles ? cols - 4 * i0 : 4 * tiles;
      for (int64_t a = 0; a < rows; ++a) {
        __m512 o[4];
        wino43_out(s[a], o);
        for (int k = 0; k < 4; ++k) o[k] = _mm512_add_ps(o[k], b);
        // Interleave o[0..3] (one column each) into 64 pixels: 32-bit pairs
        // (0,1) and (2,3), then 64-bit pairs of those.
        const __m512 p_lo = _mm512_permutex2var_ps(o[0], lo_index, o[1]), p_hi = _mm512_permutex2var_ps(o[0], hi_index, o[1]);
        const __m512 q_lo = _mm512_permutex2var_ps(o[2], lo_index, o[3]), q_hi = _mm512_permutex2var_ps(o[2], hi_index, o[3]);
        const __m512d pl = _mm512_castps_pd(p_lo), ph = _mm512_castps_pd(p_hi);
        const __m512d ql = _mm512_castps_pd(q_lo), qh = _mm512_castps_pd(q_hi);
        const __m512 out[4] = {_mm512_castpd_ps(_mm512_permutex2var_pd(pl, first_pairs, ql)),
                               _mm512_castpd_ps(_mm512_permutex2var_pd(pl, last_pairs, ql)),
                               _mm512_castpd_ps(_mm512_permutex2var_pd(ph, first_pairs, qh)),
                               _mm512_castpd_ps(_mm512_permutex2var_pd(ph, last_pairs, qh))};
        float* dst = y + ch * y_chan_stride + a * ldy + 4 * i0;
        for (int k = 0; k < 4; ++k) {
          if (valid >= 16 * (k + 1))
            _mm512_storeu_ps(dst + 16 * k, out[k]);
          else
            _mm512_mask_storeu_ps(dst + 16 * k, first_lanes(valid - 16 * k), out[k]);
        }
      }
    }
  }
}

}  // namespace avx512
}  // namespace edgecnn
