// Portable channel-lane GEMM kernel (contract: kernels/gemm_t.h): the
// reference the SIMD tiers are tested against.
#include <cstddef>
#include <cstdint>

#include "kernels/gemm_rows.h"

namespace edgecnn {
namespace scalar {

namespace {

template <class Rows>
void gemm_t(size_t mr, size_t nc, size_t kc, const float* a, Rows rows, float* t, size_t ldt, const float* bias,
            bool accumulate) {
  constexpr size_t MR = 16;
  for (size_t j = 0; j < nc; ++j)
    for (size_t m = 0; m < mr; ++m) {
      float acc = accumulate ? t[j * ldt + m] : bias != nullptr ? bias[m] : 0.0f;
      for (size_t k = 0; k < kc; ++k) acc += a[k * MR + m] * rows.row(k)[j];
      t[j * ldt + m] = acc;
    }
}

}  // namespace

// `prefetch` and `prefetch_lines` are a hint the portable kernel does not use.
void f32_gemm_t_16x4(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* t,
                     size_t ldt, const float* bias, bool accumulate, const float* /*prefetch*/,
                     size_t /*prefetch_lines*/) {
  gemm_t(mr, nc, kc, a, StridedRows{b, ldb}, t, ldt, bias, accumulate);
}

void f32_igemm_t_16x4(size_t mr, size_t nc, size_t kc, const float* a, const float* base, const int64_t* koff,
                      float* t, size_t ldt, const float* bias, bool accumulate, const float* /*prefetch*/,
                      size_t /*prefetch_lines*/) {
  gemm_t(mr, nc, kc, a, IndirectRows{base, koff}, t, ldt, bias, accumulate);
}

}  // namespace scalar
}  // namespace edgecnn
