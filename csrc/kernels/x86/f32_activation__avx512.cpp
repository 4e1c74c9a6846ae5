// AVX-512 activation kernel: 16 floats per step, the tail under a lane mask;
// the functions themselves are in kernels/x86/avx512_activate.h.
// ISA file: only intrinsics, C headers, plain-data and AVX-512-only headers,
// everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>

#include "kernels/activation_spec.h"
#include "kernels/x86/avx512_activate.h"
#include "kernels/x86/avx512_gcc_warnings.h"

namespace edgecnn {
namespace avx512 {
namespace {

template <Activation K>
void run(const ActivationSpec* act, const float* x, float* y, size_t n) {
  const __m512 alpha = _mm512_set1_ps(act->alpha), beta = _mm512_set1_ps(act->beta);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, activate<K>(_mm512_loadu_ps(x + i), alpha, beta));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(y + i, m, activate<K>(_mm512_maskz_loadu_ps(m, x + i), alpha, beta));
  }
}

}  // namespace

void f32_activation(const ActivationSpec* act, const float* x, float* y, size_t n) {
  with_activation(act->kind, [&](auto tag) { run<decltype(tag)::kind>(act, x, y, n); });
}

}  // namespace avx512
}  // namespace edgecnn
