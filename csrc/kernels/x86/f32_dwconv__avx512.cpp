// AVX-512 depthwise kernels (contract: kernels/dwconv.h), two ways:
//  - rows (maps at least kRowsMinWidth[S] wide, stride 2 or undilated stride
//    1): straight from the input plane to the output plane, in 16-wide
//    column strips, 4 output rows at a time (rows outermost, so the input
//    streams in order: 9-12% faster than strip by strip on MobileNetV2's
//    and EfficientNet's 112 -> 56 layer) with 2 partial sums each (8
//    independent FMA chains, enough to cover the FMA latency on both
//    pipes). Undilated, each block walks its input rows once (strip_slide),
//    skipping those above or below the plane: 3x3 stride 1 became faster
//    than flat and than the channel lanes, stride 2 about 30% faster than
//    tap by tap. Dilated, taps reading above or below the plane are
//    skipped (those rows go one at a time). Strips touching the left or
//    right edge load under the mask of lanes inside the plane (a masked-off
//    lane is neither read nor faulted on), the others unmasked (masked loads
//    are slower). Stride 2 loads 32 floats and keeps the even lanes. No
//    copy of the input.
//  - flat (the others): the phase planes of kernels/dwconv_plane.h in
//    scratch, convolved over the flat index (rows wrap, so no lanes idle at
//    row ends), copied out.
// ISA file: only intrinsics, C headers, plain-data and AVX-512-only headers, everything in
// edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/activation_spec.h"
#include "kernels/dwconv_plane.h"
#include "kernels/x86/avx512_transpose16.h"

namespace edgecnn {
namespace avx512 {
namespace {

// Lanes l of the block starting at j with lo <= j + l < hi.
inline __mmask16 lanes_between(int64_t j, int64_t lo, int64_t hi) {
  const int64_t a = lo - j > 0 ? lo - j : 0;
  const int64_t b = hi - j < 16 ? hi - j : 16;
  if (b <= a) return 0;
  return static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
}

inline __mmask16 first_lanes(int64_t n) { return n >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << n) - 1u); }

// v clamped to [bounds[0], bounds[1]] (DwconvClamp): max and min return
// their second operand when either is NaN, so a NaN stays NaN.
inline __m512 clamped(__m512 v, const __m512* bounds) { return _mm512_min_ps(bounds[1], _mm512_max_ps(bounds[0], v)); }

// The phase planes of x (layout: kernels/dwconv_plane.h).
template <int S>
void fill_phases(const DwconvPlane* g, const float* x, float* scratch) {
  const int64_t ld = g->ld(), stride = g->plane_stride();
  const int64_t c_lo = g->pad_left, c_hi = g->pad_left + g->in_w;  // valid P columns
  const __m512i even_index = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd_index = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  for (int64_t py = 0; py < S; ++py)
    for (int64_t i = 0; i < g->phase_rows(); ++i) {
      float* d0 = scratch + py * S * stride + i * ld;
      const int64_t r = py + S * i - g->pad_top;
      const bool inside = r >= 0 && r < g->in_h;
      // src[c] is P column c of this row (only valid columns are read).
      const float* src = x + (inside ? r : 0) * g->in_w - g->pad_left;
      for (int64_t j = 0; j < ld; j += 16) {
        // Whole vectors of valid columns go unmasked (masked accesses are
        // slower, most of all across cache lines).
        if (j + 16 <= ld && (!inside || (S * j >= c_lo && S * j + 16 * S <= c_hi))) {
          if (!inside) {
            _mm512_storeu_ps(d0 + j, _mm512_setzero_ps());
            if (S == 2) _mm512_storeu_ps(d0 + stride + j, _mm512_setzero_ps());
          } else if (S == 1) {
            _mm512_storeu_ps(d0 + j, _mm512_loadu_ps(src + j));
          } else {
            const __m512 a = _mm512_loadu_ps(src + 2 * j), b = _mm512_loadu_ps(src + 2 * j + 16);
            _mm512_storeu_ps(d0 + j, _mm512_permutex2var_ps(a, even_index, b));
            _mm512_storeu_ps(d0 + stride + j, _mm512_permutex2var_ps(a, odd_index, b));
          }
          continue;
        }
        const __mmask16 store = first_lanes(ld - j);
        if (S == 1) {
          const __mmask16 m = inside ? lanes_between(j, c_lo, c_hi) : 0;
          _mm512_mask_storeu_ps(d0 + j, store, _mm512_maskz_loadu_ps(m, src + j));
        } else {
          const __mmask16 m0 = inside ? lanes_between(2 * j, c_lo, c_hi) : 0;
          const __mmask16 m1 = inside ? lanes_between(2 * j + 16, c_lo, c_hi) : 0;
          const __m512 a = _mm512_maskz_loadu_ps(m0, src + 2 * j);
          const __m512 b = _mm512_maskz_loadu_ps(m1, src + 2 * j + 16);
          _mm512_mask_storeu_ps(d0 + j, store, _mm512_permutex2var_ps(a, even_index, b));
          _mm512_mask_storeu_ps(d0 + stride + j, store, _mm512_permutex2var_ps(a, odd_index, b));
        }
      }
    }
}

// Tap (ky, kx) reads row[ky] + col[kx]: the phase and offset of row ky*D
// and of column kx*D (kernels/dwconv_plane.h).
template <int K>
struct Taps {
  const float* row[K];
  int64_t col[K];
  const float* at(int ky, int kx) const { return row[ky] + col[kx]; }
};

template <int K, int S, int U>
inline void block(const Taps<K>& taps, const __m512* wv, __m512 bias, int64_t p, float* out) {
  __m512 acc[U][2];
  for (int u = 0; u < U; ++u) {
    acc[u][0] = bias;
    acc[u][1] = _mm512_setzero_ps();
  }
#pragma GCC unroll 25
  for (int t = 0; t < K * K; ++t) {
    const float* src = taps.at(t / K, t % K) + p;
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) acc[u][t & 1] = _mm512_fmadd_ps(_mm512_loadu_ps(src + 16 * u), wv[t], acc[u][t & 1]);
  }
#pragma GCC unroll 4
  for (int u = 0; u < U; ++u) _mm512_storeu_ps(out + p + 16 * u, _mm512_add_ps(acc[u][0], acc[u][1]));
}

template <int K, int S>
void dwconv(const DwconvPlane* g, const float* x, const float* w, float bias, DwconvClamp clamp, float* scratch,
            float* y) {
  fill_phases<S>(g, x, scratch);
  const int64_t ld = g->ld(), stride = g->plane_stride(), count = g->count();
  Taps<K> taps;
  for (int t = 0; t < K; ++t) {
    const int64_t r = t * g->d, c = t * g->d;
    taps.row[t] = scratch + (r % S) * S * stride + (r / S) * ld;
    taps.col[t] = (c % S) * stride + c / S;
  }
  __m512 wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 bv = _mm512_set1_ps(bias);
  float* out = scratch + S * S * stride;
  int64_t p = 0;
  for (; p + 64 <= count; p += 64) block<K, S, 4>(taps, wv, bv, p, out);
  for (; p + 16 <= count; p += 16) block<K, S, 1>(taps, wv, bv, p, out);
  if (p < count) {
    const __mmask16 m = first_lanes(count - p);
    __m512 acc0 = bv, acc1 = _mm512_setzero_ps();
    for (int t = 0; t < K * K; t += 2) {
      acc0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, taps.at(t / K, t % K) + p), wv[t], acc0);
      if (t + 1 < K * K)
        acc1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, taps.at((t + 1) / K, (t + 1) % K) + p), wv[t + 1], acc1);
    }
    _mm512_mask_storeu_ps(out + p, m, _mm512_add_ps(acc0, acc1));
  }
  // Clamped on the way out.
  const __m512 bounds[2] = {_mm512_set1_ps(clamp.lo), _mm512_set1_ps(clamp.hi)};
  for (int64_t oy = 0; oy < g->out_h; ++oy)
    for (int64_t j = 0; j < g->out_w; j += 16) {
      if (j + 16 <= g->out_w) {
        _mm512_storeu_ps(y + oy * g->out_w + j, clamped(_mm512_loadu_ps(out + oy * ld + j), bounds));
      } else {
        const __mmask16 m = first_lanes(g->out_w - j);
        _mm512_mask_storeu_ps(y + oy * g->out_w + j, m, clamped(_mm512_maskz_loadu_ps(m, out + oy * ld + j), bounds));
      }
    }
}

// Output widths from which rows beat flat, by stride (index S). Stride 1
// from 14: one masked strip per row (MobileNetV2's 3x3 layers at 14x14 ran
// 13-16% faster than the channel lanes that way, and flat was slower than
// both; Zen 4 host, one-node models).
constexpr int64_t kRowsMinWidth[3] = {0, 14, 12};

// Rows mode (see the top of the file). Input column of lane l of the vector
// at output column ox, tap column kx: (ox + l)*S - pad_left + kx*D.
// Rows of one 16-wide output column strip: rows [oy, oy + R) at column ox.
// kMasked: the strip reads padding columns, so loads go under mask[kx]
// (S == 2: mask[kx] for the first 16 P columns, mask2[kx] for the next).
template <int K, int S, int R, bool kMasked>
inline void strip(const float* row0, int64_t row_step, int64_t in_w, int64_t d, int ky_lo, int ky_hi, int64_t c0,
                  const __mmask16* mask, const __mmask16* mask2, const __m512* wv, __m512 bias, const __m512* bounds,
                  float* y, int64_t out_w, __mmask16 store) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  __m512 acc[R][2];
  for (int u = 0; u < R; ++u) {
    acc[u][0] = bias;
    acc[u][1] = _mm512_setzero_ps();
  }
  __asm__("" : "+r"(row0));  // opaque, as in strip_slide
  for (int ky = ky_lo; ky < ky_hi; ++ky) {
#pragma GCC unroll 5
    for (int kx = 0; kx < K; ++kx) {
#pragma GCC unroll 4
      for (int u = 0; u < R; ++u) {
        const float* src = row0 + u * row_step + ky * d * in_w + c0 + kx * d;
        __m512 v;
        if (S == 1) {
          v = kMasked ? _mm512_maskz_loadu_ps(mask[kx], src) : _mm512_loadu_ps(src);
        } else if (kMasked) {
          v = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(mask[kx], src), even,
                                     _mm512_maskz_loadu_ps(mask2[kx], src + 16));
        } else {
          v = _mm512_permutex2var_ps(_mm512_loadu_ps(src), even, _mm512_loadu_ps(src + 16));
        }
        acc[u][kx & 1] = _mm512_fmadd_ps(v, wv[ky * K + kx], acc[u][kx & 1]);
      }
    }
  }
  for (int u = 0; u < R; ++u)
    _mm512_mask_storeu_ps(y + u * out_w, store, clamped(_mm512_add_ps(acc[u][0], acc[u][1]), bounds));
}

// Undilated: the R output rows of a 16-wide strip, walking the S*(R-1) + K
// input rows they read once each (P rows from S*oy on; only rows ir in
// [ir_lo, ir_hi) are inside the input, the others are zero padding and
// skipped). Row ir's K column taps are loaded once and feed every output row
// u with tap row ky = ir - S*u. Stride 1: tap kx is the 16 floats from
// c + kx. Stride 2: tap kx reads columns c + kx + 2l, the even lanes of the
// 32 floats from c + kx for even kx and the odd lanes of those from
// c + kx - 1 for odd kx (K + 1 loads per row); masks as in strip (mask for
// the first 16 columns of a load at c + kx, mask2 for the next 16;
// masked-off lanes load as the zero padding). One row pointer stays live,
// and each output row keeps 2 partial sums (2R FMA chains in flight).
template <int K, int S, int R, bool kMasked, bool kEdgeRows>
inline void strip_slide(const float* row0, int64_t in_w, int ir_lo, int ir_hi, const __mmask16* mask,
                        const __mmask16* mask2, const __m512* wv, __m512 bias, const __m512* bounds, float* y,
                        int64_t out_w, __mmask16 store) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
  __m512 acc[R][2];
  for (int u = 0; u < R; ++u) {
    acc[u][0] = bias;
    acc[u][1] = _mm512_setzero_ps();
  }
  const float* row = row0;
  // An empty asm makes the row pointer opaque to the compiler: without it,
  // inlined into the strip loop, each of the rows x taps addresses became
  // an induction variable of its own, spilled to the stack.
  __asm__("" : "+r"(row));
#pragma GCC unroll 12
  for (int ir = 0; ir < S * (R - 1) + K; ++ir, row += in_w) {
    if (kEdgeRows && (ir < ir_lo || ir >= ir_hi)) continue;
    __m512 v[K];
    if (S == 1) {
#pragma GCC unroll 5
      for (int kx = 0; kx < K; ++kx)
        v[kx] = kMasked ? _mm512_maskz_loadu_ps(mask[kx], row + kx) : _mm512_loadu_ps(row + kx);
    } else {
#pragma GCC unroll 5
      for (int kx = 0; kx < K; kx += 2) {
        const __m512 lo = kMasked ? _mm512_maskz_loadu_ps(mask[kx], row + kx) : _mm512_loadu_ps(row + kx);
        const __m512 hi =
            kMasked ? _mm512_maskz_loadu_ps(mask2[kx], row + kx + 16) : _mm512_loadu_ps(row + kx + 16);
        v[kx] = _mm512_permutex2var_ps(lo, even, hi);
        if (kx + 1 < K) v[kx + 1] = _mm512_permutex2var_ps(lo, odd, hi);
      }
    }
#pragma GCC unroll 4
    for (int u = 0; u < R; ++u) {
      const int ky = ir - S * u;
      if (ky < 0 || ky >= K) continue;
#pragma GCC unroll 5
      for (int kx = 0; kx < K; ++kx) acc[u][kx & 1] = _mm512_fmadd_ps(v[kx], wv[ky * K + kx], acc[u][kx & 1]);
    }
  }
  for (int u = 0; u < R; ++u)
    _mm512_mask_storeu_ps(y + u * out_w, store, clamped(_mm512_add_ps(acc[u][0], acc[u][1]), bounds));
}

// The strips [0, count) of output rows [oy, oy + R) (undilated).
template <int K, int S, int R, class Masks>
inline void slide_rows(const float* base, int64_t in_w, int64_t in_h, int64_t pad_top, int64_t oy, const Masks* strips,
                       int64_t count, const __m512* wv, __m512 bias, const __m512* bounds, float* y, int64_t out_w) {
  constexpr int64_t kSpan = S * (R - 1) + K;
  const int64_t first = S * oy - pad_top;  // input row of ir = 0
  const int64_t lo = -first, hi = in_h - first;
  const int ir_lo = static_cast<int>(lo <= 0 ? 0 : lo < kSpan ? lo : kSpan);
  const int ir_hi = static_cast<int>(hi <= 0 ? 0 : hi < kSpan ? hi : kSpan);
  const float* row0 = base + S * oy * in_w;
  const bool edge = ir_lo > 0 || ir_hi < kSpan;  // rows of padding: checked per row (else unrolled unchecked)
  for (int64_t i = 0; i < count; ++i) {
    const Masks& m = strips[i];
    float* out = y + oy * out_w + 16 * i;
    const float* r = row0 + 16 * S * i;
    if (edge) {
      if (m.masked) {
        strip_slide<K, S, R, true, true>(r, in_w, ir_lo, ir_hi, m.mask, m.mask2, wv, bias, bounds, out, out_w, m.store);
      } else {
        strip_slide<K, S, R, false, true>(r, in_w, ir_lo, ir_hi, m.mask, m.mask2, wv, bias, bounds, out, out_w,
                                          m.store);
      }
    } else if (m.masked) {
      strip_slide<K, S, R, true, false>(r, in_w, ir_lo, ir_hi, m.mask, m.mask2, wv, bias, bounds, out, out_w, m.store);
    } else {
      strip_slide<K, S, R, false, false>(r, in_w, ir_lo, ir_hi, m.mask, m.mask2, wv, bias, bounds, out, out_w, m.store);
    }
  }
}

// Rows mode (see the top of the file): 16-wide column strips, 4 output rows
// at a time (undilated: all through strip_slide; dilated: where every tap
// row is inside the input, else one at a time).
template <int K, int S>
void dwconv_rows(const DwconvPlane* g, const float* x, const float* w, float bias, DwconvClamp clamp, float* y) {
  const int64_t d = g->d, in_w = g->in_w, in_h = g->in_h, out_w = g->out_w, out_h = g->out_h;
  __m512 wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = _mm512_set1_ps(w[t]);
  const __m512 bv = _mm512_set1_ps(bias);
  const __m512 bounds[2] = {_mm512_set1_ps(clamp.lo), _mm512_set1_ps(clamp.hi)};
  // Output rows whose taps all lie inside: [oy_in, oy_end).
  const int64_t oy_in = (g->pad_top + S - 1) / S;
  const int64_t rows_span = in_h + g->pad_top - (K - 1) * d;  // need oy*S < rows_span
  const int64_t oy_end = rows_span <= 0 ? 0 : ((rows_span - 1) / S + 1 < out_h ? (rows_span - 1) / S + 1 : out_h);
  const int64_t row_step = S * in_w;
  const bool slide = d == 1;  // strip_slide; dilated rows go tap by tap (strip)
  // Rows outermost, so the input streams row after row (the prefetchers
  // follow it); each group of up to kStrips column strips keeps its masks.
  constexpr int64_t kStrips = 64;
  struct StripMasks {
    __mmask16 mask[K], mask2[K], store;
    bool masked;
  };
  StripMasks strips[kStrips];
  for (int64_t ox0 = 0; ox0 < out_w; ox0 += 16 * kStrips) {
    const int64_t count = (out_w - ox0 + 15) / 16 < kStrips ? (out_w - ox0 + 15) / 16 : kStrips;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t ox = ox0 + 16 * i;
      StripMasks& m = strips[i];
      m.store = first_lanes(out_w - ox);
      // Lane l of tap column kx reads P column ox*S + l*S + kx*d; the loads
      // cover P columns [c, c + 16*S) with c = ox*S + kx*d.
      m.masked = false;
      for (int kx = 0; kx < K; ++kx) {
        const int64_t c = ox * S + kx * d;
        m.mask[kx] = lanes_between(c, g->pad_left, g->pad_left + in_w);
        m.mask2[kx] = S == 2 ? lanes_between(c + 16, g->pad_left, g->pad_left + in_w) : 0;
        m.masked = m.masked || m.mask[kx] != 0xFFFF || (S == 2 && m.mask2[kx] != 0xFFFF);
      }
    }
    const float* base = x - g->pad_top * in_w - g->pad_left + ox0 * S;  // P row 0, column ox0*S
    auto one_row = [&](int64_t oy) {
      const int64_t iy0 = oy * S - g->pad_top;
      int ky_lo = 0, ky_hi = K;
      while (ky_lo < K && iy0 + ky_lo * d < 0) ++ky_lo;
      while (ky_hi > ky_lo && iy0 + (ky_hi - 1) * d >= in_h) --ky_hi;
      const float* row0 = base + oy * row_step;
      for (int64_t i = 0; i < count; ++i) {
        const StripMasks& m = strips[i];
        float* out = y + oy * out_w + ox0 + 16 * i;
        if (m.masked) {
          strip<K, S, 1, true>(row0 + 16 * S * i, row_step, in_w, d, ky_lo, ky_hi, 0, m.mask, m.mask2, wv, bv, bounds,
                               out, out_w, m.store);
        } else {
          strip<K, S, 1, false>(row0 + 16 * S * i, row_step, in_w, d, ky_lo, ky_hi, 0, m.mask, m.mask2, wv, bv, bounds,
                                out, out_w, m.store);
        }
      }
    };
    if (slide) {
      // Every row through strip_slide: padding rows are skipped inside.
      int64_t oy = 0;
      for (; oy + 4 <= out_h; oy += 4)
        slide_rows<K, S, 4>(base, in_w, in_h, g->pad_top, oy, strips, count, wv, bv, bounds, y + ox0, out_w);
      switch (out_h - oy) {
        case 3:
          slide_rows<K, S, 3>(base, in_w, in_h, g->pad_top, oy, strips, count, wv, bv, bounds, y + ox0, out_w);
          break;
        case 2:
          slide_rows<K, S, 2>(base, in_w, in_h, g->pad_top, oy, strips, count, wv, bv, bounds, y + ox0, out_w);
          break;
        case 1:
          slide_rows<K, S, 1>(base, in_w, in_h, g->pad_top, oy, strips, count, wv, bv, bounds, y + ox0, out_w);
          break;
        default: break;
      }
      continue;
    }
    int64_t oy = 0;
    for (; oy < out_h && oy < oy_in; ++oy) one_row(oy);
    for (; oy + 4 <= oy_end; oy += 4) {
      const float* row0 = base + oy * row_step;
      for (int64_t i = 0; i < count; ++i) {
        const StripMasks& m = strips[i];
        float* out = y + oy * out_w + ox0 + 16 * i;
        if (m.masked) {
          strip<K, S, 4, true>(row0 + 16 * S * i, row_step, in_w, d, 0, K, 0, m.mask, m.mask2, wv, bv, bounds, out,
                               out_w, m.store);
        } else {
          strip<K, S, 4, false>(row0 + 16 * S * i, row_step, in_w, d, 0, K, 0, m.mask, m.mask2, wv, bv, bounds, out,
                                out_w, m.store);
        }
      }
    }
    for (; oy < out_h; ++oy) one_row(oy);
  }
}

template <int K, int S>
void dwconv_any(const DwconvPlane* g, const float* x, const float* w, float bias, DwconvClamp clamp, float* scratch,
                float* y) {
  if (g->out_w >= kRowsMinWidth[S] && (S == 2 || g->d == 1)) {
    dwconv_rows<K, S>(g, x, w, bias, clamp, y);
  } else {
    dwconv<K, S>(g, x, w, bias, clamp, scratch, y);
  }
}

// U output elements from q on (layout of the lanes scratch: kernels/dwconv.h),
// each the sum of the K*K taps of its 16 channels; tap t reads element
// q + tap[t] of the phase planes.
template <int K, int U>
inline void lanes_block(const float* phases, const int64_t* tap, const float* wl, __m512 bias, int64_t q,
                        float* out) {
  __m512 acc[U];
  for (int u = 0; u < U; ++u) acc[u] = bias;
  const float* base = phases + 16 * q;
#pragma GCC unroll 25
  for (int t = 0; t < K * K; ++t) {
    const __m512 wv = _mm512_load_ps(wl + 16 * t);
    const float* src = base + tap[t];
#pragma GCC unroll 16
    for (int u = 0; u < U; ++u) acc[u] = _mm512_fmadd_ps(_mm512_load_ps(src + 16 * u), wv, acc[u]);
  }
  float* dst = out + 16 * q;
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u) _mm512_store_ps(dst + 16 * u, acc[u]);
}

// Undilated: U output elements from q on, register-blocked by tap row. For
// tap row ky and column phase px (the taps kx = px + S*j), the U + nj - 1
// elements from q on of that phase row are loaded once and feed all U x nj
// products (element q + u + j times tap (ky, px + S*j)), so a load
// serves up to nj FMAs instead of one: about 0.4 loads per FMA for 5x5 at
// U = 8 (U accumulators, nj weights and U + nj - 1 inputs stay in the 32
// registers). Element offsets as in the tap table: phase ((ky % S), px) is
// plane (ky % S)*S + px of the phases, row ky / S.
template <int K, int S, int U>
inline void lanes_segment(const float* phases, int64_t stride, int64_t ld, const float* wl, __m512 bias, int64_t q,
                          float* out) {
  constexpr int kMaxTaps = (K + S - 1) / S;  // nj of phase px = 0
  // Opaque, so that the weights are loaded here and not hoisted out of the
  // caller's loop into K*K registers (which turned the inputs back into one
  // memory operand per FMA).
  __asm__("" : "+r"(wl));
  __m512 acc[U];
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u) acc[u] = bias;
#pragma GCC unroll 5
  for (int ky = 0; ky < K; ++ky) {
#pragma GCC unroll 2
    for (int px = 0; px < S; ++px) {
      const int nj = (K - px + S - 1) / S;
      const float* src = phases + 16 * (q + ((ky % S) * S + px) * stride + (ky / S) * ld);
      __m512 v[U + kMaxTaps - 1];
#pragma GCC unroll 24
      for (int i = 0; i < U + nj - 1; ++i) v[i] = _mm512_load_ps(src + 16 * i);
#pragma GCC unroll 5
      for (int j = 0; j < nj; ++j) {
        const __m512 wv = _mm512_load_ps(wl + 16 * (ky * K + px + S * j));
#pragma GCC unroll 16
        for (int u = 0; u < U; ++u) acc[u] = _mm512_fmadd_ps(v[u + j], wv, acc[u]);
      }
    }
  }
#pragma GCC unroll 16
  for (int u = 0; u < U; ++u) _mm512_store_ps(out + 16 * (q + u), acc[u]);
}

// Undilated narrow maps (out_w = W <= 16): each row's W elements as
// segments of at most 8.
template <int K, int S, int W>
void lanes_segment_rows(const float* phases, int64_t stride, int64_t ld, const float* wl, __m512 bias, int64_t rows,
                        float* out) {
  constexpr int kFirst = W > 8 ? 8 : W;
  for (int64_t oy = 0; oy < rows; ++oy) {
    lanes_segment<K, S, kFirst>(phases, stride, ld, wl, bias, oy * ld, out);
    if (W > 8) lanes_segment<K, S, (W > 8 ? W - 8 : 1)>(phases, stride, ld, wl, bias, oy * ld + 8, out);
  }
}

template <int K, int S>
using LanesSegmentRowsFn = void (*)(const float*, int64_t, int64_t, const float*, __m512, int64_t, float*);

template <int K, int S>
constexpr LanesSegmentRowsFn<K, S> kLanesSegmentRows[16] = {
    lanes_segment_rows<K, S, 1>,  lanes_segment_rows<K, S, 2>,  lanes_segment_rows<K, S, 3>,
    lanes_segment_rows<K, S, 4>,  lanes_segment_rows<K, S, 5>,  lanes_segment_rows<K, S, 6>,
    lanes_segment_rows<K, S, 7>,  lanes_segment_rows<K, S, 8>,  lanes_segment_rows<K, S, 9>,
    lanes_segment_rows<K, S, 10>, lanes_segment_rows<K, S, 11>, lanes_segment_rows<K, S, 12>,
    lanes_segment_rows<K, S, 13>, lanes_segment_rows<K, S, 14>, lanes_segment_rows<K, S, 15>,
    lanes_segment_rows<K, S, 16>};

// Narrow maps (out_w = W <= 16): rows of exactly W elements (element
// oy*ld + ox; the columns ox >= W that the flat loop would also compute are
// skipped: at 7x7 they are 2 or 4 of every 9 or 11). R rows [oy, oy + R)
// at a time, R*W <= 16 elements in flight.
template <int K, int W, int R>
inline void lanes_row_block(const float* phases, const int64_t* tap, const float* wl, __m512 bias, int64_t oy,
                            int64_t ld, float* out) {
  __m512 acc[R * W];
  for (int u = 0; u < R * W; ++u) acc[u] = bias;
  const float* base = phases + 16 * oy * ld;
#pragma GCC unroll 25
  for (int t = 0; t < K * K; ++t) {
    const __m512 wv = _mm512_load_ps(wl + 16 * t);
    const float* src = base + tap[t];
#pragma GCC unroll 16
    for (int u = 0; u < R * W; ++u)
      acc[u] = _mm512_fmadd_ps(_mm512_load_ps(src + 16 * ((u / W) * ld + u % W)), wv, acc[u]);
  }
  float* dst = out + 16 * oy * ld;
#pragma GCC unroll 16
  for (int u = 0; u < R * W; ++u) _mm512_store_ps(dst + 16 * ((u / W) * ld + u % W), acc[u]);
}

template <int K, int W>
void lanes_rows(const float* phases, const int64_t* tap, const float* wl, __m512 bias, int64_t rows, int64_t ld,
                float* out) {
  constexpr int R = 16 / W;
  int64_t oy = 0;
  for (; oy + R <= rows; oy += R) lanes_row_block<K, W, R>(phases, tap, wl, bias, oy, ld, out);
  for (; oy < rows; ++oy) lanes_row_block<K, W, 1>(phases, tap, wl, bias, oy, ld, out);
}

template <int K>
using LanesRowsFn = void (*)(const float*, const int64_t*, const float*, __m512, int64_t, int64_t, float*);

template <int K>
constexpr LanesRowsFn<K> kLanesRows[16] = {
    lanes_rows<K, 1>,  lanes_rows<K, 2>,  lanes_rows<K, 3>,  lanes_rows<K, 4>,  lanes_rows<K, 5>,  lanes_rows<K, 6>,
    lanes_rows<K, 7>,  lanes_rows<K, 8>,  lanes_rows<K, 9>,  lanes_rows<K, 10>, lanes_rows<K, 11>, lanes_rows<K, 12>,
    lanes_rows<K, 13>, lanes_rows<K, 14>, lanes_rows<K, 15>, lanes_rows<K, 16>};

// Channel-lane mode (contract and scratch layout: kernels/dwconv.h). The
// phase planes of kernels/dwconv_plane.h, every element a vector of the 16
// channels: filled by transposing 16 pixels x 16 channels at a time (flat
// over the dense input plane, so no lanes idle on narrow rows), convolved
// over the flat index like the per-plane kernels (aligned loads; undilated:
// 8 elements at a time register-blocked by tap row, lanes_segment; dilated:
// 16 in flight, one load per tap; maps up to 16 wide by rows of exactly
// out_w elements), activated in place, transposed back 16 output pixels at
// a time.
// kChannels: 16 for calls on 16 channels (the channel count a constant, so
// the fill and drain keep their 16 vectors in registers, with no per-channel
// branches), 0 for any count up to 16.
template <int K, int S, int kChannels>
void dwconv_lanes(const DwconvPlane* g, int64_t call_channels, const float* x, int64_t x_plane, const float* w,
                  const float* bias, const ActivationSpec* act, F32ActivationFn act_fn, float* scratch, float* y,
                  int64_t y_plane) {
  const int64_t channels = kChannels != 0 ? kChannels : call_channels;
  const int64_t ld = g->ld(), stride = g->plane_stride(), rows = g->phase_rows(), count = g->count();
  const int64_t d = g->d, in_w = g->in_w, in_pixels = g->in_h * in_w, out_w = g->out_w;
  const int64_t out_pixels = g->out_h * out_w;
  float* phases = scratch;
  float* out = scratch + 16 * S * S * stride;

  // Zero padding: the phase cells outside the input (whole rows above and
  // below, column runs left and right).
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t py = 0; py < S; ++py)
    for (int64_t px = 0; px < S; ++px) {
      float* plane = phases + 16 * (py * S + px) * stride;
      // columns j with c = px + S*j inside [pad_left, pad_left + in_w)
      const int64_t j_lo = g->pad_left > px ? (g->pad_left - px + S - 1) / S : 0;
      const int64_t c_end = g->pad_left + in_w - px;  // c - px < c_end
      int64_t j_hi = c_end <= 0 ? 0 : (c_end + S - 1) / S;
      j_hi = j_hi < ld ? j_hi : ld;
      for (int64_t i = 0; i < rows; ++i) {
        const int64_t r = py + S * i - g->pad_top;
        float* row = plane + 16 * i * ld;
        if (r < 0 || r >= g->in_h || j_hi <= j_lo) {
          for (int64_t j = 0; j < ld; ++j) _mm512_store_ps(row + 16 * j, zero);
          continue;
        }
        for (int64_t j = 0; j < j_lo; ++j) _mm512_store_ps(row + 16 * j, zero);
        for (int64_t j = j_hi; j < ld; ++j) _mm512_store_ps(row + 16 * j, zero);
      }
    }

  // Input pixel (iy, ix) goes to element (iy + pad_top, ix + pad_left) of P,
  // i.e. phase (r % S, c % S), position (r / S, c / S), or nowhere when no
  // output reads it (beyond the last window).
  auto row_offset = [&](int64_t iy) -> int64_t {
    const int64_t r = iy + g->pad_top;
    return r / S < rows ? 16 * ((r % S) * S * stride + (r / S) * ld) : -1;
  };
  auto col_offset = [&](int64_t ix) -> int64_t {
    const int64_t c = ix + g->pad_left;
    return c / S < ld ? 16 * ((c % S) * stride + c / S) : -1;
  };
  // Up to 16 pixels from flat index p = iy*in_w + ix on, any rows.
  auto scatter_pixels = [&](int64_t p, int64_t n, int64_t iy, int64_t ix) {
    __m512 v[16];
    for (int64_t j = 0; j < 16; ++j)
      v[j] = j < channels ? _mm512_maskz_loadu_ps(first_lanes(n), x + j * x_plane + p) : zero;
    transpose16(v);
    int64_t ro = row_offset(iy);
    // Unrolled, so that v[i] names a register (a runtime index kept the 16
    // vectors on the stack).
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      if (i >= n) break;
      const int64_t co = col_offset(ix);
      if (ro >= 0 && co >= 0) _mm512_store_ps(phases + ro + co, v[i]);
      if (++ix == in_w) {
        ix = 0;
        ro = row_offset(++iy);
      }
    }
  };
  auto load_channels = [&](const float* src, __m512* v) {
#pragma GCC unroll 16
    for (int64_t j = 0; j < 16; ++j) v[j] = j < channels ? _mm512_loadu_ps(src + j * x_plane) : zero;
  };
  if (in_w < 16) {
    // narrow rows: flat over the plane
    for (int64_t p = 0; p < in_pixels; p += 16)
      scatter_pixels(p, in_pixels - p < 16 ? in_pixels - p : 16, p / in_w, p % in_w);
  } else {
    // row by row, 16*S pixels at a time: the columns of each phase are
    // consecutive elements
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (int64_t iy = 0; iy < g->in_h; ++iy) {
      const int64_t ro = row_offset(iy);
      if (ro < 0) break;  // this row and the ones below are read by no output
      for (int64_t ix = 0; ix < in_w; ix += 16 * S) {
        const float* src = x + iy * in_w + ix;
        const int64_t c = ix + g->pad_left, n = in_w - ix < 16 * S ? in_w - ix : 16 * S;
        // pixels of this chunk that land in the phases (the others are read by no output)
        const int64_t kept = S * ld - c < n ? S * ld - c : n;
        __m512 v[16];
        if (n == 16 * S) {
          load_channels(src, v);
        } else {
          for (int64_t j = 0; j < 16; ++j)
            v[j] = j < channels ? _mm512_maskz_loadu_ps(first_lanes(n), src + j * x_plane) : zero;
        }
        if (S == 1) {
          transpose16(v);
          float* dst = phases + ro + 16 * c;
          if (kept == 16) {
#pragma GCC unroll 16
            for (int i = 0; i < 16; ++i) _mm512_store_ps(dst + 16 * i, v[i]);
          } else {
            for (int64_t i = 0; i < kept; ++i) _mm512_store_ps(dst + 16 * i, v[i]);
          }
          continue;
        }
        __m512 v2[16];
        if (n == 16 * S) {
          load_channels(src + 16, v2);
        } else {
          for (int64_t j = 0; j < 16; ++j)
            v2[j] = j < channels && n > 16 ? _mm512_maskz_loadu_ps(first_lanes(n - 16), src + 16 + j * x_plane) : zero;
        }
        for (int j = 0; j < 16; ++j) {
          const __m512 e = _mm512_permutex2var_ps(v[j], even, v2[j]);
          v2[j] = _mm512_permutex2var_ps(v[j], odd, v2[j]);
          v[j] = e;
        }
        transpose16(v);   // pixels ix + 2i: P column c + 2i
        transpose16(v2);  // pixels ix + 2i + 1
        float* dst_even = phases + ro + 16 * ((c & 1) * stride + c / 2);
        float* dst_odd = phases + ro + 16 * ((1 - (c & 1)) * stride + (c + 1) / 2);
        if (kept == 32) {
#pragma GCC unroll 16
          for (int i = 0; i < 16; ++i) {
            _mm512_store_ps(dst_even + 16 * i, v[i]);
            _mm512_store_ps(dst_odd + 16 * i, v2[i]);
          }
        } else {
          for (int64_t i = 0; i < (kept + 1) / 2; ++i) _mm512_store_ps(dst_even + 16 * i, v[i]);
          for (int64_t i = 0; i < kept / 2; ++i) _mm512_store_ps(dst_odd + 16 * i, v2[i]);
        }
      }
    }
  }

  // Weights, channel-interleaved: wl[16*t + j] = w[j*K*K + t].
  alignas(64) float wl[16 * K * K];
  for (int t = 0; t < K * K; ++t)
    for (int j = 0; j < 16; ++j) wl[16 * t + j] = j < channels ? w[j * K * K + t] : 0.0f;
  const __m512 bv = bias != NULL ? _mm512_maskz_loadu_ps(first_lanes(channels), bias) : zero;
  int64_t tap[K * K];  // in floats
  for (int ky = 0; ky < K; ++ky)
    for (int kx = 0; kx < K; ++kx) {
      const int64_t r = ky * d, c = kx * d;
      tap[ky * K + kx] = 16 * (((r % S) * S + c % S) * stride + (r / S) * ld + c / S);
    }
  if (out_w <= 16) {
    // Only the out_w elements of each row are computed (and activated).
    if (d == 1) {
      kLanesSegmentRows<K, S>[out_w - 1](phases, stride, ld, wl, bv, g->out_h, out);
    } else {
      kLanesRows<K>[out_w - 1](phases, tap, wl, bv, g->out_h, ld, out);
    }
    if (act_fn != NULL)
      for (int64_t oy = 0; oy < g->out_h; ++oy)
        act_fn(act, out + 16 * oy * ld, out + 16 * oy * ld, static_cast<size_t>(16 * out_w));
  } else {
    int64_t q = 0;
    if (d == 1) {
      for (; q + 8 <= count; q += 8) lanes_segment<K, S, 8>(phases, stride, ld, wl, bv, q, out);
      for (; q < count; ++q) lanes_segment<K, S, 1>(phases, stride, ld, wl, bv, q, out);
    }
    for (; q + 16 <= count; q += 16) lanes_block<K, 16>(phases, tap, wl, bv, q, out);
    for (; q + 4 <= count; q += 4) lanes_block<K, 4>(phases, tap, wl, bv, q, out);
    for (; q < count; ++q) lanes_block<K, 1>(phases, tap, wl, bv, q, out);
    if (act_fn != NULL) act_fn(act, out, out, static_cast<size_t>(16 * count));
  }

  // Output pixel (oy, ox) is element oy*ld + ox of out.
  int64_t oy = 0, ox = 0;
  for (int64_t p = 0; p < out_pixels; p += 16) {
    const int64_t n = out_pixels - p < 16 ? out_pixels - p : 16;
    __m512 v[16];
    if (n == 16 && ox + 16 <= out_w) {
      const float* src = out + 16 * (oy * ld + ox);
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) v[i] = _mm512_load_ps(src + 16 * i);
      ox += 16;
      if (ox == out_w) {
        ox = 0;
        ++oy;
      }
    } else {
#pragma GCC unroll 16
      for (int i = 0; i < 16; ++i) {
        v[i] = i < n ? _mm512_load_ps(out + 16 * (oy * ld + ox)) : zero;
        if (i < n && ++ox == out_w) {
          ox = 0;
          ++oy;
        }
      }
    }
    transpose16(v);
    if (n == 16) {
#pragma GCC unroll 16
      for (int64_t j = 0; j < channels; ++j) _mm512_storeu_ps(y + j * y_plane + p, v[j]);
    } else {
      for (int64_t j = 0; j < channels; ++j) _mm512_mask_storeu_ps(y + j * y_plane + p, first_lanes(n), v[j]);
    }
  }
}

}  // namespace

void f32_dwconv_lanes16(const DwconvPlane* g, int64_t channels, const float* x, int64_t x_plane, const float* w,
                        const float* bias, const ActivationSpec* act, F32ActivationFn act_fn, float* scratch,
                        float* y, int64_t y_plane) {
  auto run = [&](auto kernel_full, auto kernel_any) {
    (channels == 16 ? kernel_full : kernel_any)(g, channels, x, x_plane, w, bias, act, act_fn, scratch, y, y_plane);
  };
  if (g->k == 3 && g->s == 1) run(dwconv_lanes<3, 1, 16>, dwconv_lanes<3, 1, 0>);
  if (g->k == 3 && g->s == 2) run(dwconv_lanes<3, 2, 16>, dwconv_lanes<3, 2, 0>);
  if (g->k == 5 && g->s == 1) run(dwconv_lanes<5, 1, 16>, dwconv_lanes<5, 1, 0>);
  if (g->k == 5 && g->s == 2) run(dwconv_lanes<5, 2, 16>, dwconv_lanes<5, 2, 0>);
}

EDGECNN_F32_DWCONV_ENTRY_POINTS(dwconv_any)

}  // namespace avx512
}  // namespace edgecnn
