// AVX-512 f32 GEMM microkernel, tile 8 rows x 48 columns: 24 zmm
// accumulators, 3 zmm for the B row, 1 for the broadcast A value; per k step
// 24 FMAs against 3 vector loads and 8 broadcasts. Eight rows divide the
// channel counts of common networks (16, 24, 32, 64, 80, 96, 144, ...), so
// few panels carry padding rows. Partial tiles run a variant computing only
// their rows and 16-column vectors (the last one under a lane mask), so a
// narrow edge costs its own width, not the full tile's. The indirect form
// applies the residual and clamp of kernels/gemm_post.h in registers before
// its stores, and on whole tiles the activation too. Layouts: kernels/gemm.h.
// ISA file: only intrinsics, C headers, plain-data and AVX-512-only headers,
// everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_post.h"
#include "kernels/gemm_prefetch.h"
#include "kernels/gemm_rows.h"
#include "kernels/x86/avx512_activate.h"
#include "kernels/x86/avx512_gcc_warnings.h"

namespace edgecnn {
namespace avx512 {
namespace {

constexpr size_t kMR = 8, kNR = 48;

inline __mmask16 first_lanes(size_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

// Rows [0, R) and vectors [0, V) of one tile; the last vector holds
// nb - 16*(V-1) columns, all 16 when kFull (then no load or store is
// masked: masked accesses are slower, most of all across cache lines).
// kAccumulate: C += A·B, else C = bias + A·B, then `post` (may be null; its
// residual pointer is at column 0 of the kernel call, the tile at `col`).
// K: the activation applied in registers with the post-step (post->spec's,
// set only with post->act); kNone: post->act, if set, runs over the stored
// rows.
template <int R, int V, bool kAccumulate, bool kFull, class Rows, Activation K = Activation::kNone>
void tile(size_t nb, size_t kc, const float* a, Rows rows, float* c, size_t ldc, const float* bias,
          const F32GemmPost* post, size_t col) {
  const __mmask16 last = kFull ? static_cast<__mmask16>(0xFFFF) : first_lanes(nb - 16 * (V - 1));
  __m512 acc[R][V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      if (kAccumulate) {
        acc[r][v] = v == V - 1 && !kFull ? _mm512_maskz_loadu_ps(last, c + r * ldc + 16 * v)
                                         : _mm512_loadu_ps(c + r * ldc + 16 * v);
      } else {
        acc[r][v] = bias != NULL ? _mm512_set1_ps(bias[r]) : _mm512_setzero_ps();
      }
    }
  }
  if (post != NULL && post->r != NULL) {
    // The residual is read only after the k loop, and usually comes from
    // memory: its lines are requested now, so that they arrive meanwhile.
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v)
        _mm_prefetch(reinterpret_cast<const char*>(post->r + r * post->ldr + col + 16 * v), _MM_HINT_T0);
  }
  for (size_t k = 0; k < kc; ++k, a += kMR) {
    const float* b = rows.row(k);
    __m512 bv[V];
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v)
      bv[v] = v == V - 1 && !kFull ? _mm512_maskz_loadu_ps(last, b + 16 * v) : _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
  }
  if (post != NULL) {
    const __m512 lo = _mm512_set1_ps(post->lo), hi = _mm512_set1_ps(post->hi);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) {
        const __mmask16 m = v == V - 1 && !kFull ? last : static_cast<__mmask16>(0xFFFF);
        const __m512 res = post->r != NULL ? _mm512_maskz_loadu_ps(m, post->r + r * post->ldr + col + 16 * v)
                                           : _mm512_setzero_ps();
        __m512 y = acc[r][v];
        if (post->residual_first) y = _mm512_add_ps(y, res);
        if (post->clamp) y = _mm512_min_ps(_mm512_max_ps(y, lo), hi);
        if (K != Activation::kNone)
          y = activate<K>(y, _mm512_set1_ps(post->spec->alpha), _mm512_set1_ps(post->spec->beta));
        acc[r][v] = post->residual_first ? y : _mm512_add_ps(y, res);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      if (v == V - 1 && !kFull) {
        _mm512_mask_storeu_ps(c + r * ldc + 16 * v, last, acc[r][v]);
      } else {
        _mm512_storeu_ps(c + r * ldc + 16 * v, acc[r][v]);
      }
    }
  }
  if (K == Activation::kNone && post != NULL && post->act != NULL)
    for (int r = 0; r < R; ++r) post->act(post->spec, c + r * ldc, c + r * ldc, nb);
}

template <bool kAccumulate, bool kFull, class Rows>
struct Tiles {
  using Fn = void (*)(size_t, size_t, const float*, Rows, float*, size_t, const float*, const F32GemmPost*, size_t);
  // table[r - 1][v - 1]: the variant for r rows and v vectors.
  static constexpr Fn table[kMR][3] = {
#define EDGECNN_TILE_ROW(r)                                                                              \
  { tile<r, 1, kAccumulate, kFull, Rows>, tile<r, 2, kAccumulate, kFull, Rows>, tile<r, 3, kAccumulate, kFull, Rows> }
      EDGECNN_TILE_ROW(1), EDGECNN_TILE_ROW(2), EDGECNN_TILE_ROW(3), EDGECNN_TILE_ROW(4),
      EDGECNN_TILE_ROW(5), EDGECNN_TILE_ROW(6), EDGECNN_TILE_ROW(7), EDGECNN_TILE_ROW(8),
#undef EDGECNN_TILE_ROW
  };
};

// One tile of nb <= 48 columns and mr rows.
template <bool kAccumulate, class Rows>
inline void run_tile(size_t mr, size_t nb, size_t kc, const float* a, Rows rows, float* c, size_t ldc,
                     const float* bias, const F32GemmPost* post = NULL, size_t col = 0) {
  const size_t v = (nb + 15) / 16;
  if (nb == 16 * v) {
    Tiles<kAccumulate, true, Rows>::table[mr - 1][v - 1](nb, kc, a, rows, c, ldc, bias, post, col);
  } else {
    Tiles<kAccumulate, false, Rows>::table[mr - 1][v - 1](nb, kc, a, rows, c, ldc, bias, post, col);
  }
}

template <bool kAccumulate>
void gemm(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc,
          const float* bias) {
  if (mr == 0) return;
  for (size_t n0 = 0; n0 < nc; n0 += kNR) {
    const size_t nb = nc - n0 < kNR ? nc - n0 : kNR;
    run_tile<kAccumulate>(mr, nb, kc, a, StridedRows{b + n0, ldb}, c + n0, ldc, bias);
  }
}

// The last tile of a hinted call on a whole panel (kMR rows), nb < kNR
// columns: Winograd's products on 7x7 and 8x8 maps are 16 columns wide, and
// their hint (the next weight panel) must be issued there.
template <bool kAccumulate>
void prefetching_edge_tile(size_t nb, size_t kc, const float* a, PrefetchingRows rows, float* c, size_t ldc,
                           const float* bias) {
  const size_t v = (nb + 15) / 16;
  const bool full = nb == 16 * v;
  if (v == 1) {
    (full ? tile<kMR, 1, kAccumulate, true, PrefetchingRows> : tile<kMR, 1, kAccumulate, false, PrefetchingRows>)(
        nb, kc, a, rows, c, ldc, bias, NULL, 0);
  } else if (v == 2) {
    (full ? tile<kMR, 2, kAccumulate, true, PrefetchingRows> : tile<kMR, 2, kAccumulate, false, PrefetchingRows>)(
        nb, kc, a, rows, c, ldc, bias, NULL, 0);
  } else {
    tile<kMR, 3, kAccumulate, false, PrefetchingRows>(nb, kc, a, rows, c, ldc, bias, NULL, 0);
  }
}

// gemm with a prefetch hint (and, with a cold output, the requests for C's
// lines of kernels/gemm_prefetch.h). The hint's test costs a few percent per
// k step where there is nothing to request, so it has its own path; panels
// of fewer rows (the last of a matrix) ignore it.
template <bool kAccumulate>
void gemm_prefetching(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                      size_t ldc, const float* bias, const F32RowPrefetch* pf) {
  if (!kAccumulate && pf->cold_output && kc >= kF32GemmStorePrefetchMinK) request_output_lines(c, ldc, mr, nc);
  if (mr != kMR) {
    gemm<kAccumulate>(mr, nc, kc, a, b, ldb, c, ldc, bias);
    return;
  }
  size_t n0 = 0;
  for (; n0 + kNR <= nc; n0 += kNR)
    tile<kMR, 3, kAccumulate, true>(kNR, kc, a, prefetching_rows(b + n0, ldb, pf), c + n0, ldc, bias, NULL, 0);
  // The hint's requests are spread over the k steps of one tile: the edge
  // tile issues them only when no whole tile did.
  if (n0 < nc) {
    if (n0 == 0) {
      prefetching_edge_tile<kAccumulate>(nc, kc, a, prefetching_rows(b, ldb, pf), c, ldc, bias);
    } else {
      gemm<kAccumulate>(mr, nc - n0, kc, a, b + n0, ldb, c + n0, ldc, bias);
    }
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
  // Deep panels as two streams, the first and the second half of K, two k
  // steps of each per iteration: weights coming from memory then have more
  // lines in flight than one sequential stream brings (MobileNetV2's
  // 1280 x 1000 classifier 7-10% faster, ResNet-50's 2048 x 1000 9%;
  // development A/B, Zen 4 host).
  const size_t half = kc >= 64 ? kc / 4 * 2 : 0;
  const float* b1 = b + half * kNR;
  const float* a1 = a + half * a_stride;
  for (; k < half; k += 2, b += 2 * kNR, b1 += 2 * kNR, a += 2 * a_stride, a1 += 2 * a_stride) {
#pragma GCC unroll 2
    for (int u = 0; u < 2; ++u) {
      const __m512 av = _mm512_set1_ps(a[u * a_stride]), av1 = _mm512_set1_ps(a1[u * a_stride]);
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) {
        acc[u][v] = _mm512_fmadd_ps(av, _mm512_loadu_ps(b + u * kNR + 16 * v), acc[u][v]);
        acc[2 + u][v] = _mm512_fmadd_ps(av1, _mm512_loadu_ps(b1 + u * kNR + 16 * v), acc[2 + u][v]);
      }
    }
  }
  if (half != 0) {  // on after the second half
    k = 2 * half;
    b = b1;
    a = a1;
  }
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
                   size_t ldc, const float* bias, const F32RowPrefetch* pf) {
  if (pf != NULL) {
    gemm_prefetching<false>(mr, nc, kc, a, b, ldb, c, ldc, bias, pf);
  } else {
    gemm<false>(mr, nc, kc, a, b, ldb, c, ldc, bias);
  }
}

void f32_gemm_8x48_acc(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                       size_t ldc, const F32RowPrefetch* pf) {
  if (pf != NULL) {
    gemm_prefetching<true>(mr, nc, kc, a, b, ldb, c, ldc, NULL, pf);
  } else {
    gemm<true>(mr, nc, kc, a, b, ldb, c, ldc, NULL);
  }
}

namespace {

// The indirect form with the post-step's activation K applied in registers
// on whole tiles (8 x 48), the bulk of a layer; partial tiles call
// post->act over their stored rows. Every tile variant with every
// activation would be 48 x 10 variants of code.
template <Activation K>
void igemm_with(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff, float* c,
                size_t ldc, const float* bias, const F32GemmPost* post) {
  for (size_t n0 = 0; n0 < nc; n0 += kNR) {
    const size_t nb = nc - n0 < kNR ? nc - n0 : kNR;
    if (mr == kMR && nb == kNR) {
      tile<kMR, 3, false, true, IndirectRows, K>(nb, kc, a, IndirectRows{base + n0, koff}, c + n0, ldc, bias, post,
                                                 n0);
    } else {
      run_tile<false>(mr, nb, kc, a, IndirectRows{base + n0, koff}, c + n0, ldc, bias, post, n0);
    }
  }
}

}  // namespace

void f32_igemm_8x48(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff,
                    float* c, size_t ldc, const float* bias, const F32GemmPost* post) {
  if (mr == 0) return;
  with_activation(post != NULL && post->act != NULL ? post->spec->kind : Activation::kNone, [&](auto tag) {
    igemm_with<decltype(tag)::kind>(mr, nc, kc, a, base, koff, c, ldc, bias, post);
  });
}

}  // namespace avx512
}  // namespace edgecnn
