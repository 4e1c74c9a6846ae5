// AVX2+FMA channel-lane GEMM microkernel (contract: kernels/gemm_t.h): tile
// 24 channels (3 ymm of weights per k) x 4 pixels (broadcast), 12 ymm
// accumulators, 12 FMAs per k step against 3 vector loads and 4
// broadcasts; 16 ymm registers in all. Four pixels per tile waste little on
// small maps (49 = 12 x 4 + 1, 196 = 49 x 4). Partial tiles run variants
// with fewer channel vectors and fewer pixels; the weight rows are read
// whole (the panel is zero-padded), and only the last channel vector's
// stores and T loads go under a lane mask. With a prefetch pointer, the
// call's pixel tiles request the next sub-panel into L1, paced over their k
// loops (kernels/gemm_t_tiles.h).
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_rows.h"
#include "kernels/gemm_t_tiles.h"

namespace edgecnn {
namespace avx2 {
namespace {

constexpr size_t kMR = 24, kNR = 4;

// Lane mask selecting the first `count` (0..8) of 8 floats.
inline __m256i first_lanes(size_t count) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), index);
}

// V channel vectors (the last holding mr - 8*(V-1) channels: all 8 when
// kWhole, then nothing is masked), J pixels. The loops are unrolled so that
// acc lives in registers (rolled, GCC kept a copy of it on the stack,
// stored on every k step: half the speed).
template <int V, int J, bool kWhole, class Rows>
void tile(size_t mr, size_t kc, const float* a, Rows rows, float* t, size_t ldt, const float* bias, bool accumulate,
          const float* prefetch, size_t lines) {
  const size_t tail = mr - 8 * (V - 1);
  __m256 acc[J][V];
#pragma GCC unroll 4
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      const bool masked = v == V - 1 && !kWhole;
      if (accumulate) {
        acc[j][v] = masked ? _mm256_maskload_ps(t + j * ldt + 8 * v, first_lanes(tail))
                           : _mm256_loadu_ps(t + j * ldt + 8 * v);
      } else if (bias != NULL) {
        acc[j][v] = masked ? _mm256_maskload_ps(bias + 8 * v, first_lanes(tail)) : _mm256_loadu_ps(bias + 8 * v);
      } else {
        acc[j][v] = _mm256_setzero_ps();
      }
    }
  PacedRequests requests = {prefetch, lines, kc, 0};
  for (size_t k = 0; k < kc; ++k, a += kMR) {
    requests.step();
    const float* b = rows.row(k);
    __m256 av[V];
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) av[v] = _mm256_loadu_ps(a + 8 * v);
#pragma GCC unroll 4
    for (int j = 0; j < J; ++j) {
      const __m256 bj = _mm256_broadcast_ss(b + j);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[j][v] = _mm256_fmadd_ps(av[v], bj, acc[j][v]);
    }
  }
#pragma GCC unroll 4
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      if (v == V - 1 && !kWhole) {
        _mm256_maskstore_ps(t + j * ldt + 8 * v, first_lanes(tail), acc[j][v]);
      } else {
        _mm256_storeu_ps(t + j * ldt + 8 * v, acc[j][v]);
      }
    }
}

template <bool kWhole, class Rows>
struct Tiles {
  using Fn = F32GemmTTile<Rows>;
  // table[v - 1][j - 1]: the variant for v channel vectors and j pixels.
  static constexpr Fn table[3][kNR] = {
      {tile<1, 1, kWhole, Rows>, tile<1, 2, kWhole, Rows>, tile<1, 3, kWhole, Rows>, tile<1, 4, kWhole, Rows>},
      {tile<2, 1, kWhole, Rows>, tile<2, 2, kWhole, Rows>, tile<2, 3, kWhole, Rows>, tile<2, 4, kWhole, Rows>},
      {tile<3, 1, kWhole, Rows>, tile<3, 2, kWhole, Rows>, tile<3, 3, kWhole, Rows>, tile<3, 4, kWhole, Rows>},
  };
};

template <class Rows>
F32GemmTTile<Rows> tile_for(size_t mr, size_t pixels) {
  const size_t v = (mr + 7) / 8 - 1;
  return mr % 8 == 0 ? Tiles<true, Rows>::table[v][pixels - 1] : Tiles<false, Rows>::table[v][pixels - 1];
}

}  // namespace

EDGECNN_F32_GEMM_T_ENTRY_POINTS(24, 4)

}  // namespace avx2
}  // namespace edgecnn
