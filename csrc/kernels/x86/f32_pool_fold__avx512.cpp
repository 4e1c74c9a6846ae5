// AVX-512 pooling folds (contract: kernels/pool_fold.h): 64 floats per step
// (four independent vectors), then 16 at a time, the tail under a lane mask.
// max_ps(x, acc) returns its second operand when either is NaN: acc's.
// ISA file: only intrinsics, C headers and AVX-512-only headers, everything
// in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>

#include "kernels/x86/avx512_gcc_warnings.h"

namespace edgecnn {
namespace avx512 {
namespace {

struct Max {
  static __m512 fold(__m512 acc, __m512 x) { return _mm512_max_ps(x, acc); }
};
struct Add {
  static __m512 fold(__m512 acc, __m512 x) { return _mm512_add_ps(acc, x); }
};

template <class Op>
void fold_rows(const float* acc, const float* x, float* y, size_t n) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512 a0 = Op::fold(_mm512_loadu_ps(acc + i), _mm512_loadu_ps(x + i));
    const __m512 a1 = Op::fold(_mm512_loadu_ps(acc + i + 16), _mm512_loadu_ps(x + i + 16));
    const __m512 a2 = Op::fold(_mm512_loadu_ps(acc + i + 32), _mm512_loadu_ps(x + i + 32));
    const __m512 a3 = Op::fold(_mm512_loadu_ps(acc + i + 48), _mm512_loadu_ps(x + i + 48));
    _mm512_storeu_ps(y + i, a0);
    _mm512_storeu_ps(y + i + 16, a1);
    _mm512_storeu_ps(y + i + 32, a2);
    _mm512_storeu_ps(y + i + 48, a3);
  }
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, Op::fold(_mm512_loadu_ps(acc + i), _mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(y + i, m, Op::fold(_mm512_maskz_loadu_ps(m, acc + i), _mm512_maskz_loadu_ps(m, x + i)));
  }
}

}  // namespace

void f32_pool_fold_max(const float* acc, const float* x, float* y, size_t n) { fold_rows<Max>(acc, x, y, n); }

void f32_pool_fold_add(const float* acc, const float* x, float* y, size_t n) { fold_rows<Add>(acc, x, y, n); }

}  // namespace avx512
}  // namespace edgecnn
