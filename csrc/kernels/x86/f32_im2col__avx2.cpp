// AVX2 im2col row kernel (contract: kernels/im2col.h, kernels/im2col_row.h).
// Output columns go 8 at a time, aligned to the block (nr is a multiple of
// 8, so a vector never straddles two panels); each output row segment is
// stored under its lane mask, and the input is read under the mask of lanes
// whose (iy, ix) lies in the plane, the rest being zeros (vmaskmov neither
// reads nor faults on a masked-off lane).
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/im2col_row.h"

namespace edgecnn {
namespace avx2 {
namespace {

// Lanes l with lo <= i + l < hi (all bits set), and their count as bits.
inline __m256i lanes_between(int64_t i, int64_t lo, int64_t hi, unsigned* bits) {
  const int64_t a = lo - i > 0 ? lo - i : 0;
  const int64_t b = hi - i < 8 ? hi - i : 8;
  if (b <= a) {
    *bits = 0;
    return _mm256_setzero_si256();
  }
  *bits = ((1u << b) - 1u) & ~((1u << a) - 1u);
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_and_si256(_mm256_cmpgt_epi32(index, _mm256_set1_epi32(static_cast<int>(a) - 1)),
                          _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(b)), index));
}

}  // namespace

void f32_im2col_row(const Im2colRow* g, int64_t n0, int64_t nc, int64_t nr, int64_t panel_stride, float* dst) {
  const int64_t sw = g->sw;
  const int64_t ox_lo = g->x_off >= 0 ? 0 : (-g->x_off + sw - 1) / sw;
  int64_t ox_hi = g->in_w - g->x_off <= 0 ? 0 : (g->in_w - g->x_off + sw - 1) / sw;
  if (ox_hi > g->out_w) ox_hi = g->out_w;
  int64_t oy = n0 / g->out_w, ox = n0 % g->out_w;
  for (int64_t j = 0; j < nc;) {
    const int64_t n = nc - j < g->out_w - ox ? nc - j : g->out_w - ox;
    const int64_t iy = oy * g->sh + g->y_off;
    const bool row_inside = iy >= 0 && iy < g->in_h;
    const float* src = g->plane + (row_inside ? iy : 0) * g->in_w;
    const int64_t full_lo = j + (ox_lo > ox ? ox_lo - ox : 0), full_hi = j + (ox_hi - ox < n ? ox_hi - ox : n);
    for (int64_t c = j & ~int64_t{7}; c < j + n; c += 8) {
      if (c >= j && c + 8 <= j + n) {
        // Whole vector inside the segment: unmasked when every lane is valid
        // (vmaskmov is slow, its store form most of all).
        float* d = dst + (c / nr) * panel_stride + c % nr;
        const int64_t ox_c = ox + (c - j);
        if (!row_inside) {
          _mm256_storeu_ps(d, _mm256_setzero_ps());
          continue;
        }
        if (c >= full_lo && c + 8 <= full_hi) {
          if (sw == 1) {
            _mm256_storeu_ps(d, _mm256_loadu_ps(src + ox_c + g->x_off));
            continue;
          }
          const int64_t p0 = 2 * ox_c + g->x_off;
          if (sw == 2 && p0 + 16 <= g->in_w) {
            const __m256 a = _mm256_loadu_ps(src + p0), b = _mm256_loadu_ps(src + p0 + 8);
            _mm256_storeu_ps(d, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                    _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                                    _MM_SHUFFLE(3, 1, 2, 0))));
            continue;
          }
        }
      }
      unsigned store_bits, ox_bits;
      const __m256i store = lanes_between(c, j, j + n, &store_bits);
      float* d = dst + (c / nr) * panel_stride + c % nr;
      const int64_t ox_c = ox + (c - j);
      const __m256i ox_valid = lanes_between(ox_c, ox_lo, ox_hi, &ox_bits);
      const unsigned valid_bits = row_inside ? store_bits & ox_bits : 0u;
      const __m256i valid = row_inside ? _mm256_and_si256(store, ox_valid) : _mm256_setzero_si256();
      __m256 v;
      if (valid_bits == 0) {
        v = _mm256_setzero_ps();
      } else if (sw == 1) {
        v = _mm256_maskload_ps(src + ox_c + g->x_off, valid);
      } else if (sw == 2) {
        // Lane l reads input column p0 + 2l: two vectors, even lanes picked
        // (shuffle_ps within 128-bit halves, then the halves put in order).
        const int64_t p0 = 2 * ox_c + g->x_off;
        unsigned unused;
        const __m256 a = _mm256_maskload_ps(src + p0, lanes_between(p0, 0, g->in_w, &unused));
        const __m256 b = _mm256_maskload_ps(src + p0 + 8, lanes_between(p0 + 8, 0, g->in_w, &unused));
        const __m256 picked = _mm256_castpd_ps(_mm256_permute4x64_pd(
            _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)));
        v = _mm256_and_ps(picked, _mm256_castsi256_ps(valid));
      } else {
        float lanes[8];
        for (int l = 0; l < 8; ++l) lanes[l] = (valid_bits >> l) & 1 ? src[(ox_c + l) * sw + g->x_off] : 0.0f;
        v = _mm256_loadu_ps(lanes);
      }
      _mm256_maskstore_ps(d, store, v);
    }
    j += n;
    ox = 0;
    ++oy;
  }
}

// Vectors of 8 output columns from column 0 of every phase row; a vector
// whose input columns [base, base + 8*sw) or output columns leave the row
// goes column by column.
void f32_im2col_phase_row(const float* x, int64_t in_w, int64_t pad_left, int64_t sw, int64_t ld,
                          int64_t phase_stride, float* dst) {
  const auto column = [&](int64_t px, int64_t c) {
    const int64_t ix = c * sw + px - pad_left;
    dst[px * phase_stride + c] = ix >= 0 && ix < in_w ? x[ix] : 0.0f;
  };
  for (int64_t c0 = 0; c0 < ld; c0 += 8) {
    const int64_t base = c0 * sw - pad_left;
    const bool whole = base >= 0 && base + 8 * sw <= in_w && c0 + 8 <= ld;
    if (whole && sw == 1) {
      _mm256_storeu_ps(dst + c0, _mm256_loadu_ps(x + base));
    } else if (whole && sw == 2) {
      // lo = x[base..base+8), hi = x[base+8..base+16): the shuffles pick
      // the even (odd) lanes of each 128-bit half, the permute orders the
      // halves.
      const __m256 lo = _mm256_loadu_ps(x + base), hi = _mm256_loadu_ps(x + base + 8);
      const __m256 even = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
      const __m256 odd = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
      _mm256_storeu_ps(dst + c0, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), 0xD8)));
      _mm256_storeu_ps(dst + phase_stride + c0, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(odd), 0xD8)));
    } else {
      const int64_t end = c0 + 8 < ld ? c0 + 8 : ld;
      for (int64_t px = 0; px < sw; ++px)
        for (int64_t c = c0; c < end; ++c) column(px, c);
    }
  }
}

}  // namespace avx2
}  // namespace edgecnn
