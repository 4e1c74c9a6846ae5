// The AVX-512 activation functions on one vector, for the AVX-512 files
// only (compiled with their ISA flags; internal linkage, so no copy is
// shared across tiers): the activation kernel and the GEMM's post-step. exp
// is a degree-6 polynomial on [-ln2/2, ln2/2] scaled by 2^n (relative error
// about 2e-7), so Sigmoid, SiLU and Tanh stay vectorized.
#pragma once
#include <immintrin.h>

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

}  // namespace
}  // namespace avx512
}  // namespace edgecnn
