// The AVX2 activation functions on one vector, for the AVX2 files only
// (compiled with their ISA flags; internal linkage, so no copy is shared
// across tiers): the activation kernel and the GEMM's post-step. exp is a
// degree-6 polynomial on [-ln2/2, ln2/2] scaled by 2^n (relative error
// about 2e-7), so Sigmoid, SiLU and Tanh stay vectorized.
#pragma once
#include <immintrin.h>

#include "kernels/activation_spec.h"

namespace edgecnn {
namespace avx2 {
namespace {

inline __m256 exp_ps(__m256 x) {
  // min/max return their second operand when one is NaN: x second keeps a NaN a NaN.
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), _mm256_max_ps(_mm256_set1_ps(-87.0f), x));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // 2^n built in the exponent field; n is in [-126, 127] after the clamp.
  const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}

inline __m256 sigmoid_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

template <Activation K>
inline __m256 activate(__m256 v, __m256 alpha, __m256 beta) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  switch (K) {
    case Activation::kNone: return v;
    case Activation::kRelu: return _mm256_max_ps(v, zero);
    case Activation::kClip: return _mm256_min_ps(_mm256_max_ps(v, alpha), beta);
    case Activation::kSigmoid: return sigmoid_ps(v);
    case Activation::kSiLU: return _mm256_mul_ps(v, sigmoid_ps(v));
    case Activation::kHardSigmoid: return _mm256_min_ps(_mm256_max_ps(_mm256_fmadd_ps(alpha, v, beta), zero), one);
    case Activation::kHardSwish: {
      const __m256 gate = _mm256_fmadd_ps(v, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f));
      return _mm256_mul_ps(v, _mm256_min_ps(_mm256_max_ps(gate, zero), one));
    }
    case Activation::kLeakyRelu: {
      const __m256 negative = _mm256_cmp_ps(v, zero, _CMP_LT_OQ);
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, alpha), negative);
    }
    case Activation::kTanh: {  // tanh(x) = 2 sigmoid(2x) - 1
      const __m256 s = sigmoid_ps(_mm256_add_ps(v, v));
      return _mm256_fmsub_ps(_mm256_set1_ps(2.0f), s, one);
    }
    case Activation::kExp: return exp_ps(v);
  }
  return v;
}

}  // namespace
}  // namespace avx2
}  // namespace edgecnn
