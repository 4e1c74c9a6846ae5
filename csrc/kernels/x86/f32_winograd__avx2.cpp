// AVX2 Winograd transforms, F(2x2, 3x3) and F(4x4, 3x3) (contracts:
// kernels/winograd.h), 8 tiles of a tile row per step, one tile per lane,
// with the operations of the scalar reference in the same order (so both
// give the same bits).
//  - F(4,3): columns 4*i + c, c < 4, of 8 tiles are a 4x4 transpose within
//    each 128-bit half of four loads of 8 (tiles in the order 0 2 4 6 1 3 5
//    7, put back by one lane permute); c = 4, 5 are c = 0, 1 moved one tile
//    along with the row's columns 32 and 33 put in the last lane. The
//    output reverses this: a 4x4 transpose per half, then 128-bit swaps.
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

namespace {

// The in-lane 4x4 transpose of rows r0..r3 (as _MM_TRANSPOSE4_PS, per 128-bit half).
inline void transpose4_halves(__m256& r0, __m256& r1, __m256& r2, __m256& r3) {
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  r0 = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t2)));
  r1 = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t0), _mm256_castps_pd(t2)));
  r2 = _mm256_castpd_ps(_mm256_unpacklo_pd(_mm256_castps_pd(t1), _mm256_castps_pd(t3)));
  r3 = _mm256_castpd_ps(_mm256_unpackhi_pd(_mm256_castps_pd(t1), _mm256_castps_pd(t3)));
}

// Columns 4*i + c, c < 6, i < 8, from row[0]; row holds `avail` readable floats.
inline void stride4_columns(const float* row, int64_t avail, __m256 c[6]) {
  __m256 v[4];
  for (int k = 0; k < 4; ++k)
    v[k] = avail >= 8 * (k + 1) ? _mm256_loadu_ps(row + 8 * k) : _mm256_maskload_ps(row + 8 * k, first_lanes(avail - 8 * k));
  transpose4_halves(v[0], v[1], v[2], v[3]);  // v[c] holds column c of tiles 0 2 4 6 | 1 3 5 7
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  for (int k = 0; k < 4; ++k) c[k] = _mm256_permutevar8x32_ps(v[k], order);
  // Columns 32 and 33 (tile 8's columns 0 and 1) for the last lane of c[4], c[5].
  const __m256 tail = _mm256_maskload_ps(row + 32, _mm256_and_si256(first_lanes(avail - 32), first_lanes(2)));
  const __m256i next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
  c[4] = _mm256_blend_ps(_mm256_permutevar8x32_ps(c[0], next), _mm256_permutevar8x32_ps(tail, _mm256_set1_epi32(0)), 0x80);
  c[5] = _mm256_blend_ps(_mm256_permutevar8x32_ps(c[1], next), _mm256_permutevar8x32_ps(tail, _mm256_set1_epi32(1)), 0x80);
}

// B^T d over six vectors (the scalar wino43_in, lane by lane).
inline void wino43_in(const __m256 d[6], __m256 t[6]) {
  const __m256 two = _mm256_set1_ps(2.0f), four = _mm256_set1_ps(4.0f), five = _mm256_set1_ps(5.0f);
  t[0] = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(four, d[0]), d[4]), _mm256_mul_ps(five, d[2]));
  t[1] = _mm256_sub_ps(_mm256_add_ps(d[3], d[4]), _mm256_mul_ps(four, _mm256_add_ps(d[1], d[2])));
  t[2] = _mm256_add_ps(_mm256_sub_ps(d[4], d[3]), _mm256_mul_ps(four, _mm256_sub_ps(d[1], d[2])));
  t[3] = _mm256_add_ps(_mm256_sub_ps(d[4], d[2]), _mm256_mul_ps(two, _mm256_sub_ps(d[3], d[1])));
  t[4] = _mm256_sub_ps(_mm256_sub_ps(d[4], d[2]), _mm256_mul_ps(two, _mm256_sub_ps(d[3], d[1])));
  t[5] = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(four, d[1]), d[5]), _mm256_mul_ps(five, d[3]));
}

// A^T m over six vectors (the scalar wino43_out, lane by lane).
inline void wino43_out(const __m256 m[6], __m256 o[4]) {
  const __m256 a = _mm256_add_ps(m[1], m[2]), b = _mm256_sub_ps(m[1], m[2]);
  const __m256 c = _mm256_add_ps(m[3], m[4]), d = _mm256_sub_ps(m[3], m[4]);
  o[0] = _mm256_add_ps(_mm256_add_ps(m[0], a), c);
  o[1] = _mm256_add_ps(b, _mm256_mul_ps(_mm256_set1_ps(2.0f), d));
  o[2] = _mm256_add_ps(a, _mm256_mul_ps(_mm256_set1_ps(4.0f), c));
  o[3] = _mm256_add_ps(_mm256_add_ps(b, _mm256_mul_ps(_mm256_set1_ps(8.0f), d)), m[5]);
}

}  // namespace

void f32_wino43_input(const float* x, int64_t ldx, int64_t chan_stride, int64_t channels, int64_t count, float* v,
                      int64_t v_xi_stride, int64_t v_ld) {
  for (int64_t ch = 0; ch < channels; ++ch)
    for (int64_t i0 = 0; i0 < count; i0 += 8) {
      const int64_t n = count - i0 < 8 ? count - i0 : 8;
      __m256 t[6][6];  // t[r][c]: row r after the row transform
      for (int r = 0; r < 6; ++r) {
        __m256 d[6];
        stride4_columns(x + ch * chan_stride + r * ldx + 4 * i0, 4 * n + 2, d);
        wino43_in(d, t[r]);
      }
      const __m256i store = first_lanes(n);
      for (int c = 0; c < 6; ++c) {
        const __m256 col_in[6] = {t[0][c], t[1][c], t[2][c], t[3][c], t[4][c], t[5][c]};
        __m256 col[6];
        wino43_in(col_in, col);
        for (int r = 0; r < 6; ++r) _mm256_maskstore_ps(v + (6 * r + c) * v_xi_stride + ch * v_ld + i0, store, col[r]);
      }
    }
}

void f32_wino43_output(const float* m, int64_t m_xi_stride, int64_t m_ld, int64_t channels, const float* bias,
                       int64_t count, int64_t rows, int64_t cols, float* y, int64_t y_chan_stride, int64_t ldy) {
  for (int64_t ch = 0; ch < channels; ++ch) {
    const __m256 b = _mm256_set1_ps(bias != nullptr ? bias[ch] : 0.0f);
    for (int64_t i0 = 0; i0 < count; i0 += 8) {
      const int64_t tiles = count - i0 < 8 ? count - i0 : 8;
      const __m256i lanes = first_lanes(tiles);
      __m256 s[4][6];  // A^T m, column by column
      for (int c = 0; c < 6; ++c) {
        __m256 mc[6], o[4];
        for (int r = 0; r < 6; ++r) mc[r] = _mm256_maskload_ps(m + (6 * r + c) * m_xi_stride + ch * m_ld + i0, lanes);
        wino43_out(mc, o);
        for (int a = 0; a < 4; ++a) s[a][c] = o[a];
      }
      // Output columns from 4*i0: those of these tiles, inside the map.
      const int64_t valid = cols - 4 * i0 < 4 * tiles ? cols - 4 * i0 : 4 * tiles;
      for (int64_t a = 0; a < rows; ++a) {
        __m256 o[4];
        wino43_out(s[a], o);
        for (int k = 0; k < 4; ++k) o[k] = _mm256_add_ps(o[k], b);
        // Per half, a 4x4 transpose turns columns into tiles: o[j] holds
        // tiles j | j + 4 (4 pixels each); 128-bit swaps order them.
        transpose4_halves(o[0], o[1], o[2], o[3]);
        const __m256 out[4] = {_mm256_permute2f128_ps(o[0], o[1], 0x20), _mm256_permute2f128_ps(o[2], o[3], 0x20),
                               _mm256_permute2f128_ps(o[0], o[1], 0x31), _mm256_permute2f128_ps(o[2], o[3], 0x31)};
        float* dst = y + ch * y_chan_stride + a * ldy + 4 * i0;
        for (int k = 0; k < 4; ++k) {
          if (valid >= 8 * (k + 1))
            _mm256_storeu_ps(dst + 8 * k, out[k]);
          else
            _mm256_maskstore_ps(dst + 8 * k, first_lanes(valid - 8 * k), out[k]);
        }
      }
    }
  }
}

}  // namespace avx2
}  // namespace edgecnn
