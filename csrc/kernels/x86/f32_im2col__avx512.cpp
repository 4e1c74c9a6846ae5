// AVX-512 im2col row kernel (contract: kernels/im2col.h, kernels/im2col_row.h).
// Output columns go 16 at a time, aligned to the block (nr is a multiple of
// 16, so a vector never straddles two panels); each output row segment is
// stored under its lane mask, and the input is read under the mask of lanes
// whose (iy, ix) lies in the plane, the rest being zeros. A masked-off lane
// is neither read nor faulted on.
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/im2col_row.h"

namespace edgecnn {
namespace avx512 {
namespace {

// Lanes l with lo <= i + l < hi.
inline __mmask16 lanes_between(int64_t i, int64_t lo, int64_t hi) {
  const int64_t a = lo - i > 0 ? lo - i : 0;
  const int64_t b = hi - i < 16 ? hi - i : 16;
  if (b <= a) return 0;
  return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}

}  // namespace

void f32_im2col_row(const Im2colRow* g, int64_t n0, int64_t nc, int64_t nr, int64_t panel_stride, float* dst) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const int64_t sw = g->sw;
  // Output columns whose ix lies in [0, in_w): ox in [ox_lo, ox_hi).
  const int64_t ox_lo = g->x_off >= 0 ? 0 : (-g->x_off + sw - 1) / sw;
  int64_t ox_hi = g->in_w - g->x_off <= 0 ? 0 : (g->in_w - g->x_off + sw - 1) / sw;
  if (ox_hi > g->out_w) ox_hi = g->out_w;
  int64_t oy = n0 / g->out_w, ox = n0 % g->out_w;
  for (int64_t j = 0; j < nc;) {
    // Segment: block columns [j, j + n) are output row oy, columns ox, ox + 1, ...
    const int64_t n = nc - j < g->out_w - ox ? nc - j : g->out_w - ox;
    const int64_t iy = oy * g->sh + g->y_off;
    const bool row_inside = iy >= 0 && iy < g->in_h;
    const float* src = g->plane + (row_inside ? iy : 0) * g->in_w;
    // Block columns whose ix is valid: [full_lo, full_hi).
    const int64_t full_lo = j + (ox_lo > ox ? ox_lo - ox : 0), full_hi = j + (ox_hi - ox < n ? ox_hi - ox : n);
    for (int64_t c = j & ~int64_t{15}; c < j + n; c += 16) {
      float* d = dst + (c / nr) * panel_stride + c % nr;
      const int64_t ox_c = ox + (c - j);  // output column of lane 0 (may be before the segment)
      if (c >= j && c + 16 <= j + n) {
        // Whole vector inside the segment: the common case, unmasked when
        // every lane is valid (for stride 2, when both loads stay in the row).
        if (!row_inside) {
          _mm512_storeu_ps(d, _mm512_setzero_ps());
          continue;
        }
        if (c >= full_lo && c + 16 <= full_hi) {
          if (sw == 1) {
            _mm512_storeu_ps(d, _mm512_loadu_ps(src + ox_c + g->x_off));
            continue;
          }
          const int64_t p0 = 2 * ox_c + g->x_off;
          if (sw == 2 && p0 + 32 <= g->in_w) {
            _mm512_storeu_ps(d, _mm512_permutex2var_ps(_mm512_loadu_ps(src + p0), even, _mm512_loadu_ps(src + p0 + 16)));
            continue;
          }
        }
      }
      const __mmask16 store = lanes_between(c, j, j + n);
      const __mmask16 valid = row_inside ? static_cast<__mmask16>(lanes_between(ox_c, ox_lo, ox_hi) & store) : 0;
      __m512 v;
      if (sw == 1) {
        v = _mm512_maskz_loadu_ps(valid, src + ox_c + g->x_off);
      } else if (sw == 2) {
        // Lane l reads input column p0 + 2l: two vectors, even lanes picked.
        const int64_t p0 = 2 * ox_c + g->x_off;
        const __mmask16 m0 = valid ? lanes_between(p0, 0, g->in_w) : 0;
        const __mmask16 m1 = valid ? lanes_between(p0 + 16, 0, g->in_w) : 0;
        v = _mm512_maskz_mov_ps(valid, _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m0, src + p0), even,
                                                              _mm512_maskz_loadu_ps(m1, src + p0 + 16)));
      } else {
        float lanes[16];
        for (int l = 0; l < 16; ++l)
          lanes[l] = (valid >> l) & 1 ? src[(ox_c + l) * sw + g->x_off] : 0.0f;
        v = _mm512_loadu_ps(lanes);
      }
      _mm512_mask_storeu_ps(d, store, v);
    }
    j += n;
    ox = 0;
    ++oy;
  }
}

// Vectors of 16 output columns from column 0 of every phase row (the rows
// have their own stride, so nothing aligns them to a block). A vector reads
// input columns [base, base + 16*sw); lanes outside [0, in_w) are loaded as
// zeros under the mask, lanes past ld are not stored.
void f32_im2col_phase_row(const float* x, int64_t in_w, int64_t pad_left, int64_t sw, int64_t ld,
                          int64_t phase_stride, float* dst) {
  if (sw == 1) {
    for (int64_t c0 = 0; c0 < ld; c0 += 16) {
      const int64_t base = c0 - pad_left;
      if (base >= 0 && base + 16 <= in_w && c0 + 16 <= ld) {
        _mm512_storeu_ps(dst + c0, _mm512_loadu_ps(x + base));
        continue;
      }
      const __mmask16 store = lanes_between(c0, 0, ld);
      _mm512_mask_storeu_ps(dst + c0, store, _mm512_maskz_loadu_ps(lanes_between(base, 0, in_w) & store, x + base));
    }
    return;
  }
  if (sw == 2) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (int64_t c0 = 0; c0 < ld; c0 += 16) {
      // Lane l of phase px is input column base + 2l + px.
      const int64_t base = 2 * c0 - pad_left;
      __m512 lo, hi;
      if (base >= 0 && base + 32 <= in_w) {
        lo = _mm512_loadu_ps(x + base);
        hi = _mm512_loadu_ps(x + base + 16);
      } else {
        lo = _mm512_maskz_loadu_ps(lanes_between(base, 0, in_w), x + base);
        hi = _mm512_maskz_loadu_ps(lanes_between(base + 16, 0, in_w), x + base + 16);
      }
      const __mmask16 store = lanes_between(c0, 0, ld);
      _mm512_mask_storeu_ps(dst + c0, store, _mm512_permutex2var_ps(lo, even, hi));
      _mm512_mask_storeu_ps(dst + phase_stride + c0, store, _mm512_permutex2var_ps(lo, odd, hi));
    }
    return;
  }
  for (int64_t px = 0; px < sw; ++px)  // wider strides: not on the direct path, kept exact
    for (int64_t c = 0; c < ld; ++c) {
      const int64_t ix = c * sw + px - pad_left;
      dst[px * phase_stride + c] = ix >= 0 && ix < in_w ? x[ix] : 0.0f;
    }
}

}  // namespace avx512
}  // namespace edgecnn
