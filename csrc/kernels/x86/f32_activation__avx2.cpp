// AVX2+FMA activation kernel: 8 floats per step, the tail under a lane mask;
// the functions themselves are in kernels/x86/avx2_activate.h.
// ISA file: only intrinsics, C headers and AVX2-only headers, everything in
// edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>

#include "kernels/activation_spec.h"
#include "kernels/x86/avx2_activate.h"

namespace edgecnn {
namespace avx2 {
namespace {

template <Activation K>
void run(const ActivationSpec* act, const float* x, float* y, size_t n) {
  const __m256 alpha = _mm256_set1_ps(act->alpha), beta = _mm256_set1_ps(act->beta);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, activate<K>(_mm256_loadu_ps(x + i), alpha, beta));
  if (i < n) {
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n - i)),
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(y + i, m, activate<K>(_mm256_maskload_ps(x + i, m), alpha, beta));
  }
}

}  // namespace

void f32_activation(const ActivationSpec* act, const float* x, float* y, size_t n) {
  with_activation(act->kind, [&](auto tag) { run<decltype(tag)::kind>(act, x, y, n); });
}

}  // namespace avx2
}  // namespace edgecnn
