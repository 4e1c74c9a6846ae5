// Portable f32 GEMM microkernel, tile 4 rows x 8 columns. Layouts: kernels/gemm.h.
// Compiled at the baseline; the 8-wide inner loops vectorize with SSE2/NEON.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/gemm_post.h"
#include "kernels/gemm_prefetch.h"

namespace edgecnn {
namespace scalar {
namespace {

// accumulate: C += A·B, else C = bias + A·B.
void gemm(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c, size_t ldc,
          const float* bias, bool accumulate) {
  constexpr size_t MR = 4, NR = 8;
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    const size_t nb = nc - n0 < NR ? nc - n0 : NR;
    float acc[MR][NR];
    for (size_t r = 0; r < MR; ++r) {
      const float init = (bias != nullptr && r < mr) ? bias[r] : 0.0f;
      for (size_t j = 0; j < NR; ++j) acc[r][j] = accumulate && r < mr && j < nb ? c[r * ldc + n0 + j] : init;
    }
    for (size_t k = 0; k < kc; ++k) {
      const float* brow = b + k * ldb + n0;
      float bv[NR];
      for (size_t j = 0; j < NR; ++j) bv[j] = j < nb ? brow[j] : 0.0f;
      const float* ak = a + k * MR;
      for (size_t r = 0; r < MR; ++r)
        for (size_t j = 0; j < NR; ++j) acc[r][j] += ak[r] * bv[j];
    }
    for (size_t r = 0; r < mr; ++r)
      for (size_t j = 0; j < nb; ++j) c[r * ldc + n0 + j] = acc[r][j];
  }
}

}  // namespace

void f32_gemv_8(size_t nc, size_t kc, const float* a, size_t a_stride, const float* b, float* y) {
  constexpr size_t NR = 8;
  float acc[NR] = {0};
  for (size_t k = 0; k < kc; ++k)
    for (size_t j = 0; j < NR; ++j) acc[j] += a[k * a_stride] * b[k * NR + j];
  for (size_t j = 0; j < nc; ++j) y[j] = acc[j];
}

// pf: a hint this kernel does not use.
void f32_gemm_4x8(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                  size_t ldc, const float* bias, const F32RowPrefetch* /*pf*/) {
  gemm(mr, nc, kc, a, b, ldb, c, ldc, bias, false);
}

void f32_igemm_4x8(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff,
                   float* c, size_t ldc, const float* bias, const F32GemmPost* post) {
  constexpr size_t MR = 4;
  for (size_t r = 0; r < mr; ++r)
    for (size_t j = 0; j < nc; ++j) {
      float acc = bias != nullptr ? bias[r] : 0.0f;
      for (size_t k = 0; k < kc; ++k) acc += a[k * MR + r] * base[koff[k] + static_cast<int64_t>(j)];
      if (post != nullptr) {
        const float res = post->r != nullptr ? post->r[r * post->ldr + j] : 0.0f;
        if (post->residual_first) acc += res;
        if (post->clamp) acc = std::fmin(std::fmax(acc, post->lo), post->hi);
        if (!post->residual_first) acc += res;
      }
      c[r * ldc + j] = acc;
    }
  if (post != nullptr && post->act != nullptr)
    for (size_t r = 0; r < mr; ++r) post->act(post->spec, c + r * ldc, c + r * ldc, nc);
}

void f32_gemm_4x8_acc(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                      size_t ldc, const F32RowPrefetch* /*pf*/) {
  gemm(mr, nc, kc, a, b, ldb, c, ldc, nullptr, true);
}

}  // namespace scalar
}  // namespace edgecnn
