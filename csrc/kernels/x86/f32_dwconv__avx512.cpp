// AVX-512 depthwise kernels (contract: kernels/dwconv.h; scratch layout:
// kernels/dwconv_plane.h). Rows are filled, convolved and copied out 16
// floats at a time, the borders and tails under lane masks (a masked-off lane
// is neither read nor faulted on). The convolution's main loop computes 4
// vectors with 2 partial sums each (taps alternate between them): 8
// independent FMA chains, enough to cover the FMA latency on both pipes.
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/dwconv_plane.h"

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

// Tap t = ky*K + kx reads row[ky] + (kx % S) * phase_step + kx / S.
template <int K, int S>
struct Taps {
  const float* row[K];  // phase (ky % S, 0), row offset ky / S
  int64_t phase_step;   // from phase (py, 0) to (py, 1)
  const float* at(int ky, int kx) const { return row[ky] + (kx % S) * phase_step + kx / S; }
};

template <int K, int S, int U>
inline void block(const Taps<K, S>& taps, const __m512* wv, __m512 bias, int64_t p, float* out) {
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
void dwconv(const DwconvPlane* g, const float* x, const float* w, float bias, float* scratch, float* y) {
  fill_phases<S>(g, x, scratch);
  const int64_t ld = g->ld(), stride = g->plane_stride(), count = g->count();
  Taps<K, S> taps;
  for (int ky = 0; ky < K; ++ky) taps.row[ky] = scratch + (ky % S) * S * stride + (ky / S) * ld;
  taps.phase_step = stride;
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
  for (int64_t oy = 0; oy < g->out_h; ++oy)
    for (int64_t j = 0; j < g->out_w; j += 16) {
      const __mmask16 m = first_lanes(g->out_w - j);
      _mm512_mask_storeu_ps(y + oy * g->out_w + j, m, _mm512_maskz_loadu_ps(m, out + oy * ld + j));
    }
}

}  // namespace

void f32_dwconv_3x3s1(const DwconvPlane* g, const float* x, const float* w, float b, float* scratch, float* y) {
  dwconv<3, 1>(g, x, w, b, scratch, y);
}
void f32_dwconv_3x3s2(const DwconvPlane* g, const float* x, const float* w, float b, float* scratch, float* y) {
  dwconv<3, 2>(g, x, w, b, scratch, y);
}
void f32_dwconv_5x5s1(const DwconvPlane* g, const float* x, const float* w, float b, float* scratch, float* y) {
  dwconv<5, 1>(g, x, w, b, scratch, y);
}
void f32_dwconv_5x5s2(const DwconvPlane* g, const float* x, const float* w, float b, float* scratch, float* y) {
  dwconv<5, 2>(g, x, w, b, scratch, y);
}

}  // namespace avx512
}  // namespace edgecnn
