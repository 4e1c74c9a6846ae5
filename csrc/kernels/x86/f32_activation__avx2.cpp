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
  switch (act->kind) {
    case Activation::kNone: run<Activation::kNone>(act, x, y, n); break;
    case Activation::kRelu: run<Activation::kRelu>(act, x, y, n); break;
    case Activation::kClip: run<Activation::kClip>(act, x, y, n); break;
    case Activation::kSigmoid: run<Activation::kSigmoid>(act, x, y, n); break;
    case Activation::kSiLU: run<Activation::kSiLU>(act, x, y, n); break;
    case Activation::kHardSigmoid: run<Activation::kHardSigmoid>(act, x, y, n); break;
    case Activation::kHardSwish: run<Activation::kHardSwish>(act, x, y, n); break;
    case Activation::kLeakyRelu: run<Activation::kLeakyRelu>(act, x, y, n); break;
    case Activation::kTanh: run<Activation::kTanh>(act, x, y, n); break;
    case Activation::kExp: run<Activation::kExp>(act, x, y, n); break;
  }
}

}  // namespace avx2
}  // namespace edgecnn
