// AVX-512 channel-lane GEMM microkernel (contract: kernels/gemm_t.h): tile
// 48 channels (3 zmm of weights per k) x 8 pixels (broadcast), 24 zmm
// accumulators, 24 FMAs per k step against 3 vector loads and 8 broadcasts.
// Partial tiles run variants with fewer channel vectors (the last one under
// a lane mask) and fewer pixels. With a prefetch pointer, the call's pixel
// tiles request the next sub-panel into L1, paced over their k loops
// (kernels/gemm_t_tiles.h).
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_rows.h"
#include "kernels/gemm_t_tiles.h"

namespace edgecnn {
namespace avx512 {
namespace {

constexpr size_t kMR = 48, kNR = 8;

inline __mmask16 first_lanes(size_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

// V channel vectors (the last holding mr - 16*(V-1) channels), J pixels.
template <int V, int J, class Rows>
void tile(size_t mr, size_t kc, const float* a, Rows rows, float* t, size_t ldt, const float* bias, bool accumulate,
          const float* prefetch, size_t lines) {
  const __mmask16 last = first_lanes(mr - 16 * (V - 1));
  __m512 acc[J][V];
#pragma GCC unroll 8
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      const __mmask16 m = v == V - 1 ? last : static_cast<__mmask16>(0xFFFF);
      acc[j][v] = accumulate ? _mm512_maskz_loadu_ps(m, t + j * ldt + 16 * v)
                  : bias != NULL ? _mm512_maskz_loadu_ps(m, bias + 16 * v)
                                 : _mm512_setzero_ps();
    }
  PacedRequests requests = {prefetch, lines, kc, 0};
  for (size_t k = 0; k < kc; ++k, a += kMR) {
    requests.step();
    const float* b = rows.row(k);
    __m512 av[V];
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) av[v] = _mm512_loadu_ps(a + 16 * v);
#pragma GCC unroll 8
    for (int j = 0; j < J; ++j) {
      const __m512 bj = _mm512_set1_ps(b[j]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[j][v] = _mm512_fmadd_ps(av[v], bj, acc[j][v]);
    }
  }
#pragma GCC unroll 8
  for (int j = 0; j < J; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      if (v == V - 1) {
        _mm512_mask_storeu_ps(t + j * ldt + 16 * v, last, acc[j][v]);
      } else {
        _mm512_storeu_ps(t + j * ldt + 16 * v, acc[j][v]);
      }
    }
}

template <class Rows>
struct Tiles {
  using Fn = F32GemmTTile<Rows>;
  // table[v - 1][j - 1]: the variant for v channel vectors and j pixels.
  static constexpr Fn table[3][kNR] = {
#define EDGECNN_TILE_ROW(v)                                                                                    \
  { tile<v, 1, Rows>, tile<v, 2, Rows>, tile<v, 3, Rows>, tile<v, 4, Rows>, tile<v, 5, Rows>, tile<v, 6, Rows>, \
    tile<v, 7, Rows>, tile<v, 8, Rows> }
      EDGECNN_TILE_ROW(1), EDGECNN_TILE_ROW(2), EDGECNN_TILE_ROW(3),
#undef EDGECNN_TILE_ROW
  };
};

template <class Rows>
F32GemmTTile<Rows> tile_for(size_t mr, size_t pixels) {
  return Tiles<Rows>::table[(mr + 15) / 16 - 1][pixels - 1];
}

}  // namespace

EDGECNN_F32_GEMM_T_ENTRY_POINTS(48, 8)

}  // namespace avx512
}  // namespace edgecnn
