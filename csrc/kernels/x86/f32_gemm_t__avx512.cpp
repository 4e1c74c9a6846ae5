// AVX-512 channel-lane GEMM microkernel (contract: kernels/gemm_t.h): tile
// 48 channels (3 zmm of weights per k) x 8 pixels (broadcast), 24 zmm
// accumulators, 24 FMAs per k step against 3 vector loads and 8 broadcasts.
// Partial tiles run variants with fewer channel vectors (the last one under
// a lane mask) and fewer pixels. With a prefetch pointer, the call's pixel
// tiles request the next sub-panel into L1, paced over their k loops.
// ISA file: only intrinsics, C headers and plain-data headers, everything in
// edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_rows.h"

namespace edgecnn {
namespace avx512 {
namespace {

constexpr size_t kMR = 48, kNR = 8;

inline __mmask16 first_lanes(size_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

// V channel vectors (the last holding mr - 16*(V-1) channels), J pixels.
// `lines` lines from `prefetch` on are requested at an even pace over the
// k loop (none when 0).
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
  size_t pace = 0;
  for (size_t k = 0; k < kc; ++k, a += kMR) {
    for (pace += lines; pace >= kc; pace -= kc, prefetch += 16)
      _mm_prefetch(reinterpret_cast<const char*>(prefetch), _MM_HINT_T0);
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
  using Fn = void (*)(size_t, size_t, const float*, Rows, float*, size_t, const float*, bool, const float*, size_t);
  // table[v - 1][j - 1]: the variant for v channel vectors and j pixels.
  static constexpr Fn table[3][kNR] = {
#define EDGECNN_TILE_ROW(v)                                                                                    \
  { tile<v, 1, Rows>, tile<v, 2, Rows>, tile<v, 3, Rows>, tile<v, 4, Rows>, tile<v, 5, Rows>, tile<v, 6, Rows>, \
    tile<v, 7, Rows>, tile<v, 8, Rows> }
      EDGECNN_TILE_ROW(1), EDGECNN_TILE_ROW(2), EDGECNN_TILE_ROW(3),
#undef EDGECNN_TILE_ROW
  };
};

// The next sub-panel's kc * 3 lines are shared out evenly over the call's
// pixel tiles, each pacing its share over its k loop. Requested all in the
// first tile (three per k step), weights coming from memory had more lines
// in flight than the core tracks, and that tile stalled: ResNet-18's layer4
// shape (512 x 4608 x 49) ran at 81-82% of the FMA peak that way, 85-86%
// paced; ResNet-50's 7x7 1x1 layers 7-12% faster (development A/B).
// rows_at(j0): the Rows of the tile from pixel j0 on.
template <class Rows, class RowsAt>
void run_tiles(size_t mr, size_t nc, size_t kc, const float* a, RowsAt rows_at, float* t, size_t ldt,
               const float* bias, bool accumulate, const float* prefetch) {
  if (mr == 0) return;
  const size_t v = (mr + 15) / 16, tiles = (nc + kNR - 1) / kNR;
  const size_t lines = prefetch != NULL ? kc * kMR / 16 : 0;
  for (size_t i = 0; i < tiles; ++i) {
    const size_t j0 = i * kNR, nb = nc - j0 < kNR ? nc - j0 : kNR;
    const size_t first = i * lines / tiles, share = (i + 1) * lines / tiles - first;
    Tiles<Rows>::table[v - 1][nb - 1](mr, kc, a, rows_at(j0), t + j0 * ldt, ldt, bias, accumulate,
                                      prefetch != NULL ? prefetch + first * 16 : NULL, share);
  }
}

}  // namespace

void f32_gemm_t_48x8(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* t,
                     size_t ldt, const float* bias, bool accumulate, const float* prefetch) {
  run_tiles<StridedRows>(mr, nc, kc, a, [b, ldb](size_t j0) { return StridedRows{b + j0, ldb}; }, t, ldt, bias,
                         accumulate, prefetch);
}

void f32_igemm_t_48x8(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff,
                      float* t, size_t ldt, const float* bias, bool accumulate, const float* prefetch) {
  run_tiles<IndirectRows>(mr, nc, kc, a, [base, koff](size_t j0) { return IndirectRows{base + j0, koff}; }, t, ldt,
                          bias, accumulate, prefetch);
}

}  // namespace avx512
}  // namespace edgecnn
