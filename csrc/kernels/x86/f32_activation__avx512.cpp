// AVX-512 activation kernel: 16 floats per step, the tail under a lane mask.
// exp is a degree-6 polynomial on [-ln2/2, ln2/2] scaled by 2^n (relative
// error about 2e-7), so Sigmoid, SiLU and Tanh stay vectorized.
// ISA file: only intrinsics, C headers, plain-data and AVX-512-only headers,
// everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>

#include "kernels/activation_spec.h"
#include "kernels/x86/avx512_gcc_warnings.h"

namespace edgecnn {
namespace avx512 {
namespace {

inline __m512 exp_ps(__m512 x) {
  // min/max return their second operand when one is NaN: x second keeps a NaN a NaN.
  x = _mm512_min_ps(_mm512_set1_ps(88.0f), _mm512_max_ps(_mm512_set1_ps(-87.0f), x));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

inline __m512 sigmoid_ps(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.0f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

template <Activation K>
inline __m512 activate(__m512 v, __m512 alpha, __m512 beta) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  switch (K) {
    case Activation::kNone: return v;
    case Activation::kRelu: return _mm512_max_ps(v, zero);
    case Activation::kClip: return _mm512_min_ps(_mm512_max_ps(v, alpha), beta);
    case Activation::kSigmoid: return sigmoid_ps(v);
    case Activation::kSiLU: return _mm512_mul_ps(v, sigmoid_ps(v));
    case Activation::kHardSigmoid: return _mm512_min_ps(_mm512_max_ps(_mm512_fmadd_ps(alpha, v, beta), zero), one);
    case Activation::kHardSwish: {
      const __m512 gate = _mm512_fmadd_ps(v, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));
      return _mm512_mul_ps(v, _mm512_min_ps(_mm512_max_ps(gate, zero), one));
    }
    case Activation::kLeakyRelu: {
      const __mmask16 negative = _mm512_cmp_ps_mask(v, zero, _CMP_LT_OQ);
      return _mm512_mask_mul_ps(v, negative, v, alpha);
    }
    case Activation::kTanh: {  // tanh(x) = 2 sigmoid(2x) - 1
      const __m512 s = sigmoid_ps(_mm512_add_ps(v, v));
      return _mm512_fmsub_ps(_mm512_set1_ps(2.0f), s, one);
    }
    case Activation::kExp: return exp_ps(v);
  }
  return v;
}

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

}  // namespace avx512
}  // namespace edgecnn
