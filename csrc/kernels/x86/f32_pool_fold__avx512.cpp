// AVX-512 pooling folds (contract: kernels/pool_fold.h): 32 floats per step
// (two independent vectors) across the `count` rows, then 16, the tail under
// a lane mask. max_ps(x, acc) returns acc when either is NaN, so a NaN in acc
// stays; a NaN in x is put back by an unordered compare.
// ISA file: only intrinsics, C headers and AVX-512-only headers, everything
// in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>

#include "kernels/x86/avx512_gcc_warnings.h"

namespace edgecnn {
namespace avx512 {
namespace {

struct Max {
  static __m512 fold(__m512 acc, __m512 x) {
    return _mm512_mask_mov_ps(_mm512_max_ps(x, acc), _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
  }
};
struct Add {
  static __m512 fold(__m512 acc, __m512 x) { return _mm512_add_ps(acc, x); }
};

// V vectors of y from column i, the lanes of `last` in the final one.
template <class Op, int V>
inline void fold_columns(const float* x, size_t stride, size_t count, float* y, size_t i, __mmask16 last,
                         int accumulate) {
  __m512 acc[V];
  for (int v = 0; v < V; ++v) {
    const __mmask16 m = v == V - 1 ? last : static_cast<__mmask16>(0xFFFF);
    const __m512 x0 = _mm512_maskz_loadu_ps(m, x + i + 16 * v);
    acc[v] = accumulate ? Op::fold(_mm512_maskz_loadu_ps(m, y + i + 16 * v), x0) : x0;
  }
  for (size_t j = 1; j < count; ++j)
    for (int v = 0; v < V; ++v) {
      const __mmask16 m = v == V - 1 ? last : static_cast<__mmask16>(0xFFFF);
      acc[v] = Op::fold(acc[v], _mm512_maskz_loadu_ps(m, x + j * stride + i + 16 * v));
    }
  for (int v = 0; v < V; ++v)
    _mm512_mask_storeu_ps(y + i + 16 * v, v == V - 1 ? last : static_cast<__mmask16>(0xFFFF), acc[v]);
}

template <class Op>
void fold_rows(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  const __mmask16 all = static_cast<__mmask16>(0xFFFF);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) fold_columns<Op, 2>(x, stride, count, y, i, all, accumulate);
  for (; i + 16 <= n; i += 16) fold_columns<Op, 1>(x, stride, count, y, i, all, accumulate);
  if (i < n) fold_columns<Op, 1>(x, stride, count, y, i, static_cast<__mmask16>((1u << (n - i)) - 1u), accumulate);
}

}  // namespace

void f32_pool_fold_max(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  fold_rows<Max>(x, stride, count, y, n, accumulate);
}

void f32_pool_fold_add(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  fold_rows<Add>(x, stride, count, y, n, accumulate);
}

}  // namespace avx512
}  // namespace edgecnn
