// AVX-512 kernels of the proto masks: 16 cells or pixels per vector.
// Contract and the exact operations: MaskKernels in post/masks.h.
// ISA file: only intrinsics, C headers, core/unfused_x86.h and post/mask_row_blocks.h; everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "core/unfused_x86.h"
#include "post/mask_row_blocks.h"

namespace edgecnn {
namespace avx512 {
namespace {

inline __m512 blend(__m512 a, __m512 wa, __m512 b, __m512 wb) {
  return _mm512_add_ps(unfused(_mm512_mul_ps(a, wa)), unfused(_mm512_mul_ps(b, wb)));
}

// R rows of one vector of 16 cells (masked by `valid`): R independent
// addition chains, so the chains' latency overlaps.
template <int R>
inline void logits_block(const float* p, size_t row_stride, size_t plane, const float* coeffs, size_t num_protos,
                         __mmask16 valid, size_t n, float* g) {
  __m512 acc[R];
  for (int j = 0; j < R; ++j) acc[j] = _mm512_setzero_ps();
  for (size_t k = 0; k < num_protos; ++k) {
    const __m512 c = _mm512_set1_ps(coeffs[k]);
    const float* pk = p + k * plane;
    for (int j = 0; j < R; ++j)
      acc[j] = _mm512_add_ps(acc[j], unfused(_mm512_mul_ps(c, _mm512_maskz_loadu_ps(valid, pk + j * row_stride))));
  }
  for (int j = 0; j < R; ++j) _mm512_mask_storeu_ps(g + j * n, valid, acc[j]);
}

}  // namespace

// One vector column of cells at a time, down the rows in blocks of up to four.
void mask_logits_rows(const float* p, size_t row_stride, size_t plane, const float* coeffs, size_t num_protos,
                      size_t rows, size_t n, float* g) {
  for (size_t x = 0; x < n; x += 16) {
    const __mmask16 valid = n - x >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - x)) - 1u);
    for_row_blocks(rows, [&](size_t r, auto block) {
      logits_block<decltype(block)::value>(p + r * row_stride + x, row_stride, plane, coeffs, num_protos, valid, n,
                                           g + r * n + x);
    });
  }
}

namespace {

// R rows (R <= 4) of the pixel run. Lane k of a step is pixel x + k. Each
// row's blend v[j] covers columns base .. base + 15 (loads masked at cols);
// a step whose columns all lie there picks each pixel's two columns from
// it with a permute. The blends are redone at base = i0[x] when a step's
// columns pass base + 15 (at 8 pixels per column, one blend serves about
// seven steps); a step whose own columns span 16 or more gathers its four
// source values instead. The columns, weights and permute indices of a step
// serve all R rows.
template <int R>
void rows_block(const float* r0, const float* r1, const float* wy0, const float* wy1, int32_t cols,
                const int32_t* i0, const int32_t* i1, const float* w0, const float* w1, size_t n, uint8_t* m,
                size_t ldm) {
  const __m512 zero = _mm512_setzero_ps();
  const __m128i one = _mm_set1_epi8(1);
  __m512 v[R];
  for (int j = 0; j < R; ++j) v[j] = zero;
  __m512i vbase = _mm512_setzero_si512();
  bool have_v = false;
  int32_t base = 0;
  // Full steps pass a constant all-lanes mask, so their loads and stores
  // compile unmasked; only the last step is masked.
  const auto step = [&](size_t x, size_t lanes, __mmask16 valid) __attribute__((always_inline)) {
    const __m512i j0 = _mm512_maskz_loadu_epi32(valid, i0 + x);
    const __m512i j1 = _mm512_maskz_loadu_epi32(valid, i1 + x);
    const __m512 q0 = _mm512_maskz_loadu_ps(valid, w0 + x), q1 = _mm512_maskz_loadu_ps(valid, w1 + x);
    const int32_t last = i1[x + lanes - 1];
    if ((!have_v || last - base >= 16) && last - i0[x] < 16) {
      base = i0[x];
      const int32_t in_row = cols - base;
      const __mmask16 row_lanes = in_row >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << in_row) - 1u);
      const __m512 a0 = _mm512_maskz_loadu_ps(row_lanes, r0 + base), a1 = _mm512_maskz_loadu_ps(row_lanes, r1 + base);
      for (int j = 0; j < R; ++j) v[j] = blend(a0, _mm512_set1_ps(wy0[j]), a1, _mm512_set1_ps(wy1[j]));
      vbase = _mm512_set1_epi32(base);
      have_v = true;
    }
    __m512 s[R];
    if (have_v && last - base < 16) {
      const __m512i k0 = _mm512_sub_epi32(j0, vbase), k1 = _mm512_sub_epi32(j1, vbase);
      for (int j = 0; j < R; ++j)
        s[j] = blend(_mm512_maskz_permutexvar_ps(valid, k0, v[j]), q0, _mm512_maskz_permutexvar_ps(valid, k1, v[j]),
                     q1);
    } else {
      const __m512 g00 = _mm512_mask_i32gather_ps(zero, valid, j0, r0, 4);
      const __m512 g01 = _mm512_mask_i32gather_ps(zero, valid, j0, r1, 4);
      const __m512 g10 = _mm512_mask_i32gather_ps(zero, valid, j1, r0, 4);
      const __m512 g11 = _mm512_mask_i32gather_ps(zero, valid, j1, r1, 4);
      for (int j = 0; j < R; ++j) {
        const __m512 y0 = _mm512_set1_ps(wy0[j]), y1 = _mm512_set1_ps(wy1[j]);
        s[j] = blend(blend(g00, y0, g01, y1), q0, blend(g10, y0, g11, y1), q1);
      }
    }
    for (int j = 0; j < R; ++j) {
      const __mmask16 positive = _mm512_mask_cmp_ps_mask(valid, s[j], zero, _CMP_GT_OQ);
      _mm_mask_storeu_epi8(m + j * ldm + x, valid, _mm_maskz_mov_epi8(positive, one));
    }
  };
  size_t x = 0;
  for (; x + 16 <= n; x += 16) step(x, 16, (__mmask16)0xFFFF);
  if (x < n) step(x, n - x, (__mmask16)((1u << (n - x)) - 1u));
}

}  // namespace

void mask_rows_positive(const float* r0, const float* r1, const float* wy0, const float* wy1, size_t rows,
                        int32_t cols, const int32_t* i0, const int32_t* i1, const float* w0, const float* w1,
                        size_t n, uint8_t* m, size_t ldm) {
  for_row_blocks(rows, [&](size_t r, auto block) {
    rows_block<decltype(block)::value>(r0, r1, wy0 + r, wy1 + r, cols, i0, i1, w0, w1, n, m + r * ldm, ldm);
  });
}

}  // namespace avx512
}  // namespace edgecnn
