// AVX2 pooling folds (contract: kernels/pool_fold.h): 32 floats per step
// (four independent vectors), then 8 at a time, the tail in scalar code.
// max_ps(x, acc) returns its second operand when either is NaN: acc's.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>

namespace edgecnn {
namespace avx2 {
namespace {

struct Max {
  static __m256 fold(__m256 acc, __m256 x) { return _mm256_max_ps(x, acc); }
  static float fold(float acc, float x) { return acc < x ? x : acc; }
};
struct Add {
  static __m256 fold(__m256 acc, __m256 x) { return _mm256_add_ps(acc, x); }
  static float fold(float acc, float x) { return acc + x; }
};

template <class Op>
void fold_rows(const float* acc, const float* x, float* y, size_t n) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256 a0 = Op::fold(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(x + i));
    const __m256 a1 = Op::fold(_mm256_loadu_ps(acc + i + 8), _mm256_loadu_ps(x + i + 8));
    const __m256 a2 = Op::fold(_mm256_loadu_ps(acc + i + 16), _mm256_loadu_ps(x + i + 16));
    const __m256 a3 = Op::fold(_mm256_loadu_ps(acc + i + 24), _mm256_loadu_ps(x + i + 24));
    _mm256_storeu_ps(y + i, a0);
    _mm256_storeu_ps(y + i + 8, a1);
    _mm256_storeu_ps(y + i + 16, a2);
    _mm256_storeu_ps(y + i + 24, a3);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, Op::fold(_mm256_loadu_ps(acc + i), _mm256_loadu_ps(x + i)));
  for (; i < n; ++i) y[i] = Op::fold(acc[i], x[i]);
}

}  // namespace

void f32_pool_fold_max(const float* acc, const float* x, float* y, size_t n) { fold_rows<Max>(acc, x, y, n); }

void f32_pool_fold_add(const float* acc, const float* x, float* y, size_t n) { fold_rows<Add>(acc, x, y, n); }

}  // namespace avx2
}  // namespace edgecnn
