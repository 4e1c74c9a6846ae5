// AVX-512 f32 GEMM microkernel, tile 8 rows x 48 columns: 24 zmm
// accumulators, 3 zmm for the B row, 1 for the broadcast A value; per k step
// 24 FMAs against 3 vector loads and 8 broadcasts. Eight rows divide the
// channel counts of common networks (16, 24, 32, 64, 80, 96, 144, ...), so
// few panels carry padding rows. Partial tiles run a variant computing only
// their rows and 16-column vectors (the last one under a lane mask), so a
// narrow edge costs its own width, not the full tile's. Layouts: kernels/gemm.h.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

namespace edgecnn {
namespace avx512 {
namespace {

constexpr size_t kMR = 8, kNR = 48;

inline __mmask16 first_lanes(size_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

// Rows [0, R) and vectors [0, V) of one tile; the last vector holds
// nb - 16*(V-1) columns. kAccumulate: C += A·B, else C = bias + A·B.
template <int R, int V, bool kAccumulate>
void tile(size_t nb, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc,
          const float* bias) {
  const __mmask16 last = first_lanes(nb - 16 * (V - 1));
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      const __mmask16 m = v == V - 1 ? last : static_cast<__mmask16>(0xFFFF);
      if (kAccumulate) {
        acc[r][v] = _mm512_maskz_loadu_ps(m, c + r * ldc + 16 * v);
      } else {
        acc[r][v] = bias != NULL ? _mm512_set1_ps(bias[r]) : _mm512_setzero_ps();
      }
    }
  }
  for (size_t k = 0; k < kc; ++k, b += ldb, a += kMR) {
    __m512 bv[V];
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v)
      bv[v] = v == V - 1 ? _mm512_maskz_loadu_ps(last, b + 16 * v) : _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      if (v == V - 1) {
        _mm512_mask_storeu_ps(c + r * ldc + 16 * v, last, acc[r][v]);
      } else {
        _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
      }
    }
  }
}

using TileFn = void (*)(size_t, size_t, const float*, const float*, size_t, float*, size_t, const float*);

template <bool kAccumulate>
struct Tiles {
  // table[r - 1][v - 1]: the variant for r rows and v vectors.
  static constexpr TileFn table[kMR][3] = {
      {tile<1, 1, kAccumulate>, tile<1, 2, kAccumulate>, tile<1, 3, kAccumulate>},
      {tile<2, 1, kAccumulate>, tile<2, 2, kAccumulate>, tile<2, 3, kAccumulate>},
      {tile<3, 1, kAccumulate>, tile<3, 2, kAccumulate>, tile<3, 3, kAccumulate>},
      {tile<4, 1, kAccumulate>, tile<4, 2, kAccumulate>, tile<4, 3, kAccumulate>},
      {tile<5, 1, kAccumulate>, tile<5, 2, kAccumulate>, tile<5, 3, kAccumulate>},
      {tile<6, 1, kAccumulate>, tile<6, 2, kAccumulate>, tile<6, 3, kAccumulate>},
      {tile<7, 1, kAccumulate>, tile<7, 2, kAccumulate>, tile<7, 3, kAccumulate>},
      {tile<8, 1, kAccumulate>, tile<8, 2, kAccumulate>, tile<8, 3, kAccumulate>},
  };
};

template <bool kAccumulate>
void gemm(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc,
          const float* bias) {
  if (mr == 0) return;
  for (size_t n0 = 0; n0 < nc; n0 += kNR) {
    const size_t nb = nc - n0 < kNR ? nc - n0 : kNR;
    Tiles<kAccumulate>::table[mr - 1][(nb + 15) / 16 - 1](nb, kc, a, b + n0, ldb, c + n0, ldc, bias);
  }
}

// y[0, nb) for one 48-wide panel: 3 vectors x 4 k steps in flight (12
// independent accumulators), summed at the end.
template <int V>
void gemv(size_t nb, size_t kc, const float* a, size_t a_stride, const float* b, float* y) {
  const __mmask16 last = first_lanes(nb - 16 * (V - 1));
  __m512 acc[4][V];
  for (int u = 0; u < 4; ++u)
    for (int v = 0; v < V; ++v) acc[u][v] = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 4 <= kc; k += 4, b += 4 * kNR, a += 4 * a_stride) {
#pragma GCC unroll 4
    for (int u = 0; u < 4; ++u) {
      const __m512 av = _mm512_set1_ps(a[u * a_stride]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[u][v] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + u * kNR + 16 * v), acc[u][v]);
    }
  }
  for (; k < kc; ++k, b += kNR, a += a_stride) {
    const __m512 av = _mm512_set1_ps(a[0]);
    for (int v = 0; v < V; ++v) acc[0][v] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + 16 * v), acc[0][v]);
  }
  for (int v = 0; v < V; ++v) {
    const __m512 sum = _mm512_add_ps(_mm512_add_ps(acc[0][v], acc[1][v]), _mm512_add_ps(acc[2][v], acc[3][v]));
    _mm512_mask_storeu_ps(y + 16 * v, v == V - 1 ? last : static_cast<__mmask16>(0xFFFF), sum);
  }
}

}  // namespace

void f32_gemv_48(size_t nc, size_t kc, const float* a, size_t a_stride, const float* b, float* y) {
  // The panel is NR wide and zero-padded: reading whole vectors is safe.
  switch ((nc + 15) / 16) {
    case 1: gemv<1>(nc, kc, a, a_stride, b, y); break;
    case 2: gemv<2>(nc, kc, a, a_stride, b, y); break;
    default: gemv<3>(nc, kc, a, a_stride, b, y); break;
  }
}

void f32_gemm_8x48(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                   size_t ldc, const float* bias) {
  gemm<false>(mr, nc, kc, a, b, ldb, c, ldc, bias);
}

void f32_gemm_8x48_acc(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                       size_t ldc) {
  gemm<true>(mr, nc, kc, a, b, ldb, c, ldc, NULL);
}

}  // namespace avx512
}  // namespace edgecnn
