// NEON f32 GEMM microkernel, tile 8 rows x 8 columns (16 q-register
// accumulators, 2 for the B row, 2 for A). Layouts: kernels/gemm.h.
// ISA file: only intrinsics and C headers, everything in edgecnn::neon.
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_post.h"
#include "kernels/gemm_prefetch.h"

namespace edgecnn {
namespace neon {
namespace {

// accumulate: C += A·B, else C = bias + A·B, then `post` (may be null; its
// residual pointer is at column 0 of the call).
void gemm(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc,
          const float* bias, bool accumulate, const F32GemmPost* post = NULL) {
  constexpr size_t MR = 8, NR = 8;
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    const size_t nb = nc - n0 < NR ? nc - n0 : NR;
    float32x4_t acc[MR][2];
    for (size_t r = 0; r < MR; ++r) {
      if (accumulate) {
        // Rows past mr are computed and never stored; they start from 0.
        float tmp[NR] = {0};
        for (size_t j = 0; r < mr && j < nb; ++j) tmp[j] = c[r * ldc + n0 + j];
        acc[r][0] = vld1q_f32(tmp);
        acc[r][1] = vld1q_f32(tmp + 4);
      } else {
        const float32x4_t init = vdupq_n_f32((bias != NULL && r < mr) ? bias[r] : 0.0f);
        acc[r][0] = init;
        acc[r][1] = init;
      }
    }
    const float* bp = b + n0;
    const float* ap = a;
    for (size_t k = 0; k < kc; ++k, bp += ldb, ap += MR) {
      float32x4_t b0, b1;
      if (nb == NR) {
        b0 = vld1q_f32(bp);
        b1 = vld1q_f32(bp + 4);
      } else {
        // Partial tile: stage the valid columns so no load reads past the row.
        float tmp[NR] = {0};
        for (size_t j = 0; j < nb; ++j) tmp[j] = bp[j];
        b0 = vld1q_f32(tmp);
        b1 = vld1q_f32(tmp + 4);
      }
      const float32x4_t a0 = vld1q_f32(ap);
      const float32x4_t a1 = vld1q_f32(ap + 4);
      acc[0][0] = vfmaq_laneq_f32(acc[0][0], b0, a0, 0);
      acc[0][1] = vfmaq_laneq_f32(acc[0][1], b1, a0, 0);
      acc[1][0] = vfmaq_laneq_f32(acc[1][0], b0, a0, 1);
      acc[1][1] = vfmaq_laneq_f32(acc[1][1], b1, a0, 1);
      acc[2][0] = vfmaq_laneq_f32(acc[2][0], b0, a0, 2);
      acc[2][1] = vfmaq_laneq_f32(acc[2][1], b1, a0, 2);
      acc[3][0] = vfmaq_laneq_f32(acc[3][0], b0, a0, 3);
      acc[3][1] = vfmaq_laneq_f32(acc[3][1], b1, a0, 3);
      acc[4][0] = vfmaq_laneq_f32(acc[4][0], b0, a1, 0);
      acc[4][1] = vfmaq_laneq_f32(acc[4][1], b1, a1, 0);
      acc[5][0] = vfmaq_laneq_f32(acc[5][0], b0, a1, 1);
      acc[5][1] = vfmaq_laneq_f32(acc[5][1], b1, a1, 1);
      acc[6][0] = vfmaq_laneq_f32(acc[6][0], b0, a1, 2);
      acc[6][1] = vfmaq_laneq_f32(acc[6][1], b1, a1, 2);
      acc[7][0] = vfmaq_laneq_f32(acc[7][0], b0, a1, 3);
      acc[7][1] = vfmaq_laneq_f32(acc[7][1], b1, a1, 3);
    }
    // A constant trip count (with the row test inside) lets the compiler
    // unroll and keep acc in registers; a loop bounded by mr would force
    // the accumulators through memory on every k step.
    if (post != NULL) {
      const float32x4_t lo = vdupq_n_f32(post->lo), hi = vdupq_n_f32(post->hi);
      for (size_t r = 0; r < MR; ++r) {
        if (r >= mr) break;
        float res[NR] = {0};
        for (size_t j = 0; post->r != NULL && j < nb; ++j) res[j] = post->r[r * post->ldr + n0 + j];
        for (int h = 0; h < 2; ++h) {
          const float32x4_t rv = vld1q_f32(res + 4 * h);
          float32x4_t y = acc[r][h];
          if (post->residual_first) y = vaddq_f32(y, rv);
          if (post->clamp) y = vminq_f32(vmaxq_f32(y, lo), hi);
          acc[r][h] = post->residual_first ? y : vaddq_f32(y, rv);
        }
      }
    }
    for (size_t r = 0; r < MR; ++r) {
      if (r >= mr) break;
      float* crow = c + r * ldc + n0;
      if (nb == NR) {
        vst1q_f32(crow, acc[r][0]);
        vst1q_f32(crow + 4, acc[r][1]);
      } else {
        float tmp[NR];
        vst1q_f32(tmp, acc[r][0]);
        vst1q_f32(tmp + 4, acc[r][1]);
        for (size_t j = 0; j < nb; ++j) crow[j] = tmp[j];
      }
    }
    if (post != NULL && post->act != NULL)
      for (size_t r = 0; r < mr; ++r) post->act(post->spec, c + r * ldc + n0, c + r * ldc + n0, nb);
  }
}

}  // namespace

// y[0, nc) for one 8-wide panel (zero-padded: whole vectors are read).
void f32_gemv_8(size_t nc, size_t kc, const float* a, size_t a_stride, const float* b, float* y) {
  float32x4_t acc[2][2] = {{vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)}, {vdupq_n_f32(0.0f), vdupq_n_f32(0.0f)}};
  size_t k = 0;
  for (; k + 2 <= kc; k += 2, b += 16, a += 2 * a_stride) {
    acc[0][0] = vfmaq_n_f32(acc[0][0], vld1q_f32(b), a[0]);
    acc[0][1] = vfmaq_n_f32(acc[0][1], vld1q_f32(b + 4), a[0]);
    acc[1][0] = vfmaq_n_f32(acc[1][0], vld1q_f32(b + 8), a[a_stride]);
    acc[1][1] = vfmaq_n_f32(acc[1][1], vld1q_f32(b + 12), a[a_stride]);
  }
  for (; k < kc; ++k, b += 8, a += a_stride) {
    acc[0][0] = vfmaq_n_f32(acc[0][0], vld1q_f32(b), a[0]);
    acc[0][1] = vfmaq_n_f32(acc[0][1], vld1q_f32(b + 4), a[0]);
  }
  float tmp[8];
  vst1q_f32(tmp, vaddq_f32(acc[0][0], acc[1][0]));
  vst1q_f32(tmp + 4, vaddq_f32(acc[0][1], acc[1][1]));
  for (size_t j = 0; j < nc; ++j) y[j] = tmp[j];
}

// pf: a hint this kernel does not use.
void f32_gemm_8x8(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                  size_t ldc, const float* bias, const F32RowPrefetch* /*pf*/) {
  gemm(mr, nc, kc, a, b, ldb, c, ldc, bias, false);
}

// The indirect form (kernels/gemm.h): each 8-column tile gathers its B rows
// into a packed panel on the stack, then runs the packed kernel.
void f32_igemm_8x8(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff,
                   float* c, size_t ldc, const float* bias, const F32GemmPost* post) {
  constexpr size_t NR = 8, KB = 256;
  float panel[KB * NR];
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    const size_t nb = nc - n0 < NR ? nc - n0 : NR;
    for (size_t k0 = 0; k0 < kc; k0 += KB) {
      const size_t kb = kc - k0 < KB ? kc - k0 : KB;
      for (size_t k = 0; k < kb; ++k)
        for (size_t j = 0; j < nb; ++j) panel[k * NR + j] = base[koff[k0 + k] + static_cast<int64_t>(n0 + j)];
      // The post-step with the last k block; its residual at this tile's column.
      F32GemmPost tile_post;
      if (post != NULL) {
        tile_post = *post;
        if (tile_post.r != NULL) tile_post.r += n0;
      }
      gemm(mr, nb, kb, a + k0 * 8, panel, NR, c + n0, ldc, bias, k0 > 0,
           post != NULL && k0 + kb == kc ? &tile_post : NULL);
    }
  }
}

void f32_gemm_8x8_acc(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                      size_t ldc, const F32RowPrefetch* /*pf*/) {
  gemm(mr, nc, kc, a, b, ldb, c, ldc, NULL, true);
}

}  // namespace neon
}  // namespace edgecnn
