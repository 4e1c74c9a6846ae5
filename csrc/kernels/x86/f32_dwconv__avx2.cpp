// AVX2+FMA depthwise kernels (contract: kernels/dwconv.h; scratch layout:
// kernels/dwconv_plane.h). Rows are filled, convolved and copied out 8
// floats at a time, the borders and tails under lane masks (vmaskmov neither
// reads nor faults on a masked-off lane). The convolution's main loop
// computes 4 vectors with 2 partial sums each (taps alternate between them):
// 8 independent FMA chains, enough to cover the FMA latency on both pipes
// (with 16 registers some broadcast weights are reloaded from the stack).
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/dwconv_plane.h"

namespace edgecnn {
namespace avx2 {
namespace {

// Lanes l of the block starting at j with lo <= j + l < hi (all bits set).
inline __m256i lanes_between(int64_t j, int64_t lo, int64_t hi) {
  const int64_t a = lo - j > 0 ? lo - j : 0;
  const int64_t b = hi - j < 8 ? hi - j : 8;
  if (b <= a) return _mm256_setzero_si256();
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_and_si256(_mm256_cmpgt_epi32(index, _mm256_set1_epi32(static_cast<int>(a) - 1)),
                          _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(b)), index));
}

inline __m256i first_lanes(int64_t n) { return lanes_between(0, 0, n); }

// The phase planes of x (layout: kernels/dwconv_plane.h).
template <int S>
void fill_phases(const DwconvPlane* g, const float* x, float* scratch) {
  const int64_t ld = g->ld(), stride = g->plane_stride();
  const int64_t c_lo = g->pad_left, c_hi = g->pad_left + g->in_w;  // valid P columns
  for (int64_t py = 0; py < S; ++py)
    for (int64_t i = 0; i < g->phase_rows(); ++i) {
      float* d0 = scratch + py * S * stride + i * ld;
      const int64_t r = py + S * i - g->pad_top;
      const bool inside = r >= 0 && r < g->in_h;
      // src[c] is P column c of this row (only valid columns are read).
      const float* src = x + (inside ? r : 0) * g->in_w - g->pad_left;
      const __m256i none = _mm256_setzero_si256();
      for (int64_t j = 0; j < ld; j += 8) {
        // Whole vectors of valid columns go unmasked (vmaskmov is slow,
        // its store form most of all).
        if (j + 8 <= ld && (!inside || (S * j >= c_lo && S * j + 8 * S <= c_hi))) {
          if (!inside) {
            _mm256_storeu_ps(d0 + j, _mm256_setzero_ps());
            if (S == 2) _mm256_storeu_ps(d0 + stride + j, _mm256_setzero_ps());
          } else if (S == 1) {
            _mm256_storeu_ps(d0 + j, _mm256_loadu_ps(src + j));
          } else {
            const __m256 a = _mm256_loadu_ps(src + 2 * j), b = _mm256_loadu_ps(src + 2 * j + 8);
            _mm256_storeu_ps(d0 + j, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                         _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))),
                                         _MM_SHUFFLE(3, 1, 2, 0))));
            _mm256_storeu_ps(d0 + stride + j, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                                  _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))),
                                                  _MM_SHUFFLE(3, 1, 2, 0))));
          }
          continue;
        }
        const __m256i store = first_lanes(ld - j);
        if (S == 1) {
          const __m256i m = inside ? lanes_between(j, c_lo, c_hi) : none;
          _mm256_maskstore_ps(d0 + j, store, _mm256_maskload_ps(src + j, m));
        } else {
          // a, b: P columns 2j .. 2j+15; shuffle_ps picks within 128-bit
          // halves, permute4x64 puts the halves in order.
          const __m256i m0 = inside ? lanes_between(2 * j, c_lo, c_hi) : none;
          const __m256i m1 = inside ? lanes_between(2 * j + 8, c_lo, c_hi) : none;
          const __m256 a = _mm256_maskload_ps(src + 2 * j, m0);
          const __m256 b = _mm256_maskload_ps(src + 2 * j + 8, m1);
          const __m256 even = _mm256_castpd_ps(_mm256_permute4x64_pd(
              _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), _MM_SHUFFLE(3, 1, 2, 0)));
          const __m256 odd = _mm256_castpd_ps(_mm256_permute4x64_pd(
              _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), _MM_SHUFFLE(3, 1, 2, 0)));
          _mm256_maskstore_ps(d0 + j, store, even);
          _mm256_maskstore_ps(d0 + stride + j, store, odd);
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
inline void block(const Taps<K>& taps, const __m256* wv, __m256 bias, int64_t p, float* out) {
  __m256 acc[U][2];
  for (int u = 0; u < U; ++u) {
    acc[u][0] = bias;
    acc[u][1] = _mm256_setzero_ps();
  }
#pragma GCC unroll 25
  for (int t = 0; t < K * K; ++t) {
    const float* src = taps.at(t / K, t % K) + p;
#pragma GCC unroll 4
    for (int u = 0; u < U; ++u) acc[u][t & 1] = _mm256_fmadd_ps(_mm256_loadu_ps(src + 8 * u), wv[t], acc[u][t & 1]);
  }
#pragma GCC unroll 4
  for (int u = 0; u < U; ++u) _mm256_storeu_ps(out + p + 8 * u, _mm256_add_ps(acc[u][0], acc[u][1]));
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
  __m256 wv[K * K];
  for (int t = 0; t < K * K; ++t) wv[t] = _mm256_set1_ps(w[t]);
  const __m256 bv = _mm256_set1_ps(bias);
  float* out = scratch + S * S * stride;
  int64_t p = 0;
  for (; p + 32 <= count; p += 32) block<K, S, 4>(taps, wv, bv, p, out);
  for (; p + 8 <= count; p += 8) block<K, S, 1>(taps, wv, bv, p, out);
  if (p < count) {
    const __m256i m = first_lanes(count - p);
    __m256 acc0 = bv, acc1 = _mm256_setzero_ps();
    for (int t = 0; t < K * K; t += 2) {
      acc0 = _mm256_fmadd_ps(_mm256_maskload_ps(taps.at(t / K, t % K) + p, m), wv[t], acc0);
      if (t + 1 < K * K)
        acc1 = _mm256_fmadd_ps(_mm256_maskload_ps(taps.at((t + 1) / K, (t + 1) % K) + p, m), wv[t + 1], acc1);
    }
    _mm256_maskstore_ps(out + p, m, _mm256_add_ps(acc0, acc1));
  }
  // Clamped on the way out (operand order: a NaN stays NaN, see DwconvClamp).
  const __m256 lo = _mm256_set1_ps(clamp.lo), hi = _mm256_set1_ps(clamp.hi);
  for (int64_t oy = 0; oy < g->out_h; ++oy)
    for (int64_t j = 0; j < g->out_w; j += 8) {
      if (j + 8 <= g->out_w) {
        _mm256_storeu_ps(y + oy * g->out_w + j,
                         _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_loadu_ps(out + oy * ld + j))));
      } else {
        const __m256i m = first_lanes(g->out_w - j);
        _mm256_maskstore_ps(y + oy * g->out_w + j, m,
                            _mm256_min_ps(hi, _mm256_max_ps(lo, _mm256_maskload_ps(out + oy * ld + j, m))));
      }
    }
}

}  // namespace

EDGECNN_F32_DWCONV_ENTRY_POINTS(dwconv)

}  // namespace avx2
}  // namespace edgecnn
