// AVX2+FMA f32 GEMM microkernel, tile 6 rows x 16 columns (12 ymm accumulators,
// 2 ymm for the B row, 1 for the broadcast A value). Layouts: kernels/gemm.h.
// ISA file: only intrinsics, C headers, plain-data and AVX2-only headers,
// everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_post.h"
#include "kernels/gemm_prefetch.h"
#include "kernels/gemm_rows.h"
#include "kernels/x86/avx2_activate.h"

namespace edgecnn {
namespace avx2 {
namespace {

// Lane mask selecting the first `count` (0..8) of 8 floats.
inline __m256i first_lanes(size_t count) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), index);
}

// The post-step of kernels/gemm_post.h on one tile row's two vectors, in
// registers before their stores, with the activation K (post->spec's when
// post->act is set) applied here, the function the activation kernel would
// apply. Done after the stores, as a pass over the stored tile, it doubled
// the stores into lines the output had not yet brought in (a 16->96 1x1
// layer at 112x112 with ReLU: 0.61-0.73 ms, 0.54 in registers, 0.49
// without a post-step), and a call of the activation kernel per tile row
// (16 floats) cost more than the GEMM with SiLU.
template <Activation K>
inline void finish_row(const F32GemmPost* post, const float* rrow, bool full, __m256i m_lo, __m256i m_hi,
                       __m256& y0, __m256& y1) {
  __m256 r0 = _mm256_setzero_ps(), r1 = _mm256_setzero_ps();
  if (rrow != NULL) {
    r0 = full ? _mm256_loadu_ps(rrow) : _mm256_maskload_ps(rrow, m_lo);
    r1 = full ? _mm256_loadu_ps(rrow + 8) : _mm256_maskload_ps(rrow + 8, m_hi);
  }
  if (post->residual_first) {
    y0 = _mm256_add_ps(y0, r0);
    y1 = _mm256_add_ps(y1, r1);
  }
  if (post->clamp) {
    const __m256 lo = _mm256_set1_ps(post->lo), hi = _mm256_set1_ps(post->hi);
    y0 = _mm256_min_ps(_mm256_max_ps(y0, lo), hi);
    y1 = _mm256_min_ps(_mm256_max_ps(y1, lo), hi);
  }
  if (K != Activation::kNone) {  // act is set only with residual_first
    const __m256 alpha = _mm256_set1_ps(post->spec->alpha), beta = _mm256_set1_ps(post->spec->beta);
    y0 = activate<K>(y0, alpha, beta);
    y1 = activate<K>(y1, alpha, beta);
  }
  if (!post->residual_first) {
    y0 = _mm256_add_ps(y0, r0);
    y1 = _mm256_add_ps(y1, r1);
  }
}

// kAccumulate: C += A·B, else C = bias + A·B, then `post` (may be null)
// with activation K (finish_row).
template <bool kAccumulate, class Rows, Activation K = Activation::kNone>
void gemm(size_t mr, size_t nc, size_t kc, const float* a, Rows rows, float* c, size_t ldc, const float* bias,
          const F32GemmPost* post = NULL) {
  constexpr size_t MR = 6, NR = 16;
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    const size_t nb = nc - n0 < NR ? nc - n0 : NR;
    const bool full = nb == NR;
    // The lane masks of the partial tile, made where they are used: kept
    // live across the k loop they took the 16th and 17th ymm register
    // (12 accumulators, 2 B vectors, 1 broadcast) and the accumulators
    // went through the stack on every k step.
    const auto mask_lo = [nb] { return first_lanes(nb < 8 ? nb : 8); };
    const auto mask_hi = [nb] { return first_lanes(nb > 8 ? nb - 8 : 0); };
    __m256 acc[MR][2];
    for (size_t r = 0; r < MR; ++r) {
      if (kAccumulate) {
        // Rows past mr are computed and never stored; they start from 0.
        const float* crow = c + (r < mr ? r : 0) * ldc + n0;
        acc[r][0] = r < mr ? _mm256_maskload_ps(crow, mask_lo()) : _mm256_setzero_ps();
        acc[r][1] = r < mr ? _mm256_maskload_ps(crow + 8, mask_hi()) : _mm256_setzero_ps();
      } else {
        const __m256 init = _mm256_set1_ps((bias != NULL && r < mr) ? bias[r] : 0.0f);
        acc[r][0] = init;
        acc[r][1] = init;
      }
    }
    const float* ap = a;
    if (full) {
      for (size_t k = 0; k < kc; ++k, ap += MR) {
        const float* bp = rows.row(k) + n0;
        const __m256 b0 = _mm256_loadu_ps(bp);
        const __m256 b1 = _mm256_loadu_ps(bp + 8);
        for (size_t r = 0; r < MR; ++r) {
          const __m256 av = _mm256_broadcast_ss(ap + r);
          acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
      }
    } else {
      for (size_t k = 0; k < kc; ++k, ap += MR) {
        const float* bp = rows.row(k) + n0;
        const __m256 b0 = _mm256_maskload_ps(bp, mask_lo());
        const __m256 b1 = _mm256_maskload_ps(bp + 8, mask_hi());
        for (size_t r = 0; r < MR; ++r) {
          const __m256 av = _mm256_broadcast_ss(ap + r);
          acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
          acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
        }
      }
    }
    // A constant trip count (with the row test inside) lets the compiler
    // unroll and keep acc in registers; a loop bounded by mr would force
    // the accumulators through memory on every k step (so would a rolled
    // loop: GCC does not unroll this one by itself once the post-step is in).
#pragma GCC unroll 6
    for (size_t r = 0; r < MR; ++r) {
      if (r >= mr) break;
      float* crow = c + r * ldc + n0;
      if (post != NULL)
        finish_row<K>(post, post->r != NULL ? post->r + r * post->ldr + n0 : NULL, full, mask_lo(), mask_hi(),
                      acc[r][0], acc[r][1]);
      if (full) {
        _mm256_storeu_ps(crow, acc[r][0]);
        _mm256_storeu_ps(crow + 8, acc[r][1]);
      } else {
        _mm256_maskstore_ps(crow, mask_lo(), acc[r][0]);
        _mm256_maskstore_ps(crow + 8, mask_hi(), acc[r][1]);
      }
    }
  }
}

}  // namespace

// y[0, nc) for one 16-wide panel (zero-padded: whole vectors are read):
// 2 vectors x 4 k steps in flight, summed at the end.
void f32_gemv_16(size_t nc, size_t kc, const float* a, size_t a_stride, const float* b, float* y) {
  constexpr size_t NR = 16;
  __m256 acc[4][2];
  for (int u = 0; u < 4; ++u) acc[u][0] = acc[u][1] = _mm256_setzero_ps();
  size_t k = 0;
  // Deep panels as two streams (as the AVX-512 kernel): the first and the
  // second half of K, two k steps of each per iteration.
  const size_t half = kc >= 64 ? kc / 4 * 2 : 0;
  const float* b1 = b + half * NR;
  const float* a1 = a + half * a_stride;
  for (; k < half; k += 2, b += 2 * NR, b1 += 2 * NR, a += 2 * a_stride, a1 += 2 * a_stride) {
    for (int u = 0; u < 2; ++u) {
      const __m256 av = _mm256_broadcast_ss(a + u * a_stride), av1 = _mm256_broadcast_ss(a1 + u * a_stride);
      acc[u][0] = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + u * NR), acc[u][0]);
      acc[u][1] = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + u * NR + 8), acc[u][1]);
      acc[2 + u][0] = _mm256_fmadd_ps(av1, _mm256_loadu_ps(b1 + u * NR), acc[2 + u][0]);
      acc[2 + u][1] = _mm256_fmadd_ps(av1, _mm256_loadu_ps(b1 + u * NR + 8), acc[2 + u][1]);
    }
  }
  if (half != 0) {  // on after the second half
    k = 2 * half;
    b = b1;
    a = a1;
  }
  for (; k + 4 <= kc; k += 4, b += 4 * NR, a += 4 * a_stride) {
    for (int u = 0; u < 4; ++u) {
      const __m256 av = _mm256_broadcast_ss(a + u * a_stride);
      acc[u][0] = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + u * NR), acc[u][0]);
      acc[u][1] = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + u * NR + 8), acc[u][1]);
    }
  }
  for (; k < kc; ++k, b += NR, a += a_stride) {
    const __m256 av = _mm256_broadcast_ss(a);
    acc[0][0] = _mm256_fmadd_ps(av, _mm256_loadu_ps(b), acc[0][0]);
    acc[0][1] = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + 8), acc[0][1]);
  }
  const __m256 s0 = _mm256_add_ps(_mm256_add_ps(acc[0][0], acc[1][0]), _mm256_add_ps(acc[2][0], acc[3][0]));
  const __m256 s1 = _mm256_add_ps(_mm256_add_ps(acc[0][1], acc[1][1]), _mm256_add_ps(acc[2][1], acc[3][1]));
  _mm256_maskstore_ps(y, first_lanes(nc < 8 ? nc : 8), s0);
  _mm256_maskstore_ps(y + 8, first_lanes(nc > 8 ? nc - 8 : 0), s1);
}

void f32_gemm_6x16(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                   size_t ldc, const float* bias, const F32RowPrefetch* pf) {
  // The hint's test costs a few percent per k step where there is nothing
  // to request: its own instantiation. A hinted call with a cold output
  // requests its C lines too (kernels/gemm_prefetch.h).
  if (pf != NULL) {
    if (pf->cold_output && kc >= kF32GemmStorePrefetchMinK) request_output_lines(c, ldc, mr, nc);
    gemm<false>(mr, nc, kc, a, prefetching_rows(b, ldb, pf), c, ldc, bias);
  } else {
    gemm<false>(mr, nc, kc, a, StridedRows{b, ldb}, c, ldc, bias);
  }
}

void f32_gemm_6x16_acc(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                       size_t ldc, const F32RowPrefetch* pf) {
  if (pf != NULL) {
    gemm<true>(mr, nc, kc, a, prefetching_rows(b, ldb, pf), c, ldc, NULL);
  } else {
    gemm<true>(mr, nc, kc, a, StridedRows{b, ldb}, c, ldc, NULL);
  }
}

void f32_igemm_6x16(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff,
                    float* c, size_t ldc, const float* bias, const F32GemmPost* post) {
  const IndirectRows rows{base, koff};
  with_activation(post != NULL && post->act != NULL ? post->spec->kind : Activation::kNone, [&](auto tag) {
    gemm<false, IndirectRows, decltype(tag)::kind>(mr, nc, kc, a, rows, c, ldc, bias, post);
  });
}

}  // namespace avx2
}  // namespace edgecnn
