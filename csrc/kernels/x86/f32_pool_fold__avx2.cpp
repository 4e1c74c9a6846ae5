// AVX2 pooling folds (contract: kernels/pool_fold.h): 16 floats per step
// (two independent vectors) across the `count` rows, then 8, the tail in
// scalar code. max_ps(x, acc) returns acc when either is NaN, so a NaN in acc
// stays; a NaN in x is put back by an unordered compare.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>

namespace edgecnn {
namespace avx2 {
namespace {

struct Max {
  static __m256 fold(__m256 acc, __m256 x) {
    return _mm256_blendv_ps(_mm256_max_ps(x, acc), x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  }
  static float fold(float acc, float x) { return acc != acc || x != x ? acc + x : (acc < x ? x : acc); }
};
struct Add {
  static __m256 fold(__m256 acc, __m256 x) { return _mm256_add_ps(acc, x); }
  static float fold(float acc, float x) { return acc + x; }
};

// V vectors of y from column i.
template <class Op, int V>
inline void fold_columns(const float* x, size_t stride, size_t count, float* y, size_t i, int accumulate) {
  __m256 acc[V];
  for (int v = 0; v < V; ++v) {
    const __m256 x0 = _mm256_loadu_ps(x + i + 8 * v);
    acc[v] = accumulate ? Op::fold(_mm256_loadu_ps(y + i + 8 * v), x0) : x0;
  }
  for (size_t j = 1; j < count; ++j)
    for (int v = 0; v < V; ++v) acc[v] = Op::fold(acc[v], _mm256_loadu_ps(x + j * stride + i + 8 * v));
  for (int v = 0; v < V; ++v) _mm256_storeu_ps(y + i + 8 * v, acc[v]);
}

template <class Op>
void fold_rows(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) fold_columns<Op, 2>(x, stride, count, y, i, accumulate);
  for (; i + 8 <= n; i += 8) fold_columns<Op, 1>(x, stride, count, y, i, accumulate);
  for (; i < n; ++i) {
    float acc = accumulate ? Op::fold(y[i], x[i]) : x[i];
    for (size_t j = 1; j < count; ++j) acc = Op::fold(acc, x[j * stride + i]);
    y[i] = acc;
  }
}

}  // namespace

void f32_pool_fold_max(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  fold_rows<Max>(x, stride, count, y, n, accumulate);
}

void f32_pool_fold_add(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  fold_rows<Add>(x, stride, count, y, n, accumulate);
}

}  // namespace avx2
}  // namespace edgecnn
