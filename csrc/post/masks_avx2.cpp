// AVX2 kernels of the proto masks: 8 cells or pixels per vector.
// Contract and the exact operations: MaskKernels in post/masks.h.
// ISA file: only intrinsics, C headers, core/unfused_x86.h and post/mask_row_blocks.h; everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/unfused_x86.h"
#include "post/mask_row_blocks.h"

namespace edgecnn {
namespace avx2 {
namespace {

inline __m256 blend(__m256 a, __m256 wa, __m256 b, __m256 wb) {
  return _mm256_add_ps(unfused(_mm256_mul_ps(a, wa)), unfused(_mm256_mul_ps(b, wb)));
}

// All-ones in lanes [0, count), zero above.
inline __m256i first_lanes(int32_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// R rows of one vector of 8 cells (masked by `valid`): R independent
// addition chains, so the chains' latency overlaps.
template <int R>
inline void logits_block(const float* p, size_t row_stride, size_t plane, const float* coeffs, size_t num_protos,
                         __m256i valid, size_t n, float* g) {
  __m256 acc[R];
  for (int j = 0; j < R; ++j) acc[j] = _mm256_setzero_ps();
  for (size_t k = 0; k < num_protos; ++k) {
    const __m256 c = _mm256_set1_ps(coeffs[k]);
    const float* pk = p + k * plane;
    for (int j = 0; j < R; ++j)
      acc[j] = _mm256_add_ps(acc[j], unfused(_mm256_mul_ps(c, _mm256_maskload_ps(pk + j * row_stride, valid))));
  }
  for (int j = 0; j < R; ++j) _mm256_maskstore_ps(g + j * n, valid, acc[j]);
}

}  // namespace

// One vector column of cells at a time, down the rows in blocks of up to four.
void mask_logits_rows(const float* p, size_t row_stride, size_t plane, const float* coeffs, size_t num_protos,
                      size_t rows, size_t n, float* g) {
  for (size_t x = 0; x < n; x += 8) {
    const __m256i valid = first_lanes(n - x >= 8 ? 8 : static_cast<int32_t>(n - x));
    for_row_blocks(rows, [&](size_t r, auto block) {
      logits_block<decltype(block)::value>(p + r * row_stride + x, row_stride, plane, coeffs, num_protos, valid, n,
                                           g + r * n + x);
    });
  }
}

namespace {

// Pixels x .. x + lanes - 1 of one row: bytes 1 where s > 0, else 0.
inline void store_positive(__m256 s, size_t lanes, uint8_t* m) {
  // Lanes are -1 / 0 as int32; two saturating packs make them bytes.
  const __m256i positive = _mm256_castps_si256(_mm256_cmp_ps(s, _mm256_setzero_ps(), _CMP_GT_OQ));
  const __m128i halves = _mm_packs_epi32(_mm256_castsi256_si128(positive), _mm256_extracti128_si256(positive, 1));
  const __m128i bytes = _mm_and_si128(_mm_packs_epi16(halves, halves), _mm_set1_epi8(1));
  if (lanes == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(m), bytes);
  } else {
    uint8_t tail[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tail), bytes);
    memcpy(m, tail, lanes);
  }
}

// R rows (R <= 4) of the pixel run. Lane k of a step is pixel x + k. Each
// row's blend v[j] covers columns base .. base + 7 (loads masked at cols); a
// step whose columns all lie there picks each pixel's two columns from it
// with a permute. The blends are redone at base = i0[x] when a step's
// columns pass base + 7; a step whose own columns span 8 or more gathers its
// four source values instead. The columns, weights and permute indices of a
// step serve all R rows.
template <int R>
void rows_block(const float* r0, const float* r1, const float* wy0, const float* wy1, int32_t cols,
                const int32_t* i0, const int32_t* i1, const float* w0, const float* w1, size_t n, uint8_t* m,
                size_t ldm) {
  const __m256 zero = _mm256_setzero_ps();
  __m256 v[R];
  for (int j = 0; j < R; ++j) v[j] = zero;
  __m256i vbase = _mm256_setzero_si256();
  bool have_v = false;
  int32_t base = 0;
  for (size_t x = 0; x < n; x += 8) {
    const size_t lanes = n - x < 8 ? n - x : 8;
    const __m256i valid = first_lanes(static_cast<int32_t>(lanes));
    const __m256i j0 = _mm256_maskload_epi32(i0 + x, valid);
    const __m256i j1 = _mm256_maskload_epi32(i1 + x, valid);
    const __m256 q0 = _mm256_maskload_ps(w0 + x, valid), q1 = _mm256_maskload_ps(w1 + x, valid);
    const int32_t last = i1[x + lanes - 1];
    if ((!have_v || last - base >= 8) && last - i0[x] < 8) {
      base = i0[x];
      const __m256i row_lanes = first_lanes(cols - base);
      const __m256 a0 = _mm256_maskload_ps(r0 + base, row_lanes), a1 = _mm256_maskload_ps(r1 + base, row_lanes);
      for (int j = 0; j < R; ++j) v[j] = blend(a0, _mm256_set1_ps(wy0[j]), a1, _mm256_set1_ps(wy1[j]));
      vbase = _mm256_set1_epi32(base);
      have_v = true;
    }
    if (have_v && last - base < 8) {
      const __m256i k0 = _mm256_sub_epi32(j0, vbase), k1 = _mm256_sub_epi32(j1, vbase);
      for (int j = 0; j < R; ++j)
        store_positive(blend(_mm256_permutevar8x32_ps(v[j], k0), q0, _mm256_permutevar8x32_ps(v[j], k1), q1), lanes,
                       m + j * ldm + x);
    } else {
      const __m256 on = _mm256_castsi256_ps(valid);
      const __m256 g00 = _mm256_mask_i32gather_ps(zero, r0, j0, on, 4);
      const __m256 g01 = _mm256_mask_i32gather_ps(zero, r1, j0, on, 4);
      const __m256 g10 = _mm256_mask_i32gather_ps(zero, r0, j1, on, 4);
      const __m256 g11 = _mm256_mask_i32gather_ps(zero, r1, j1, on, 4);
      for (int j = 0; j < R; ++j) {
        const __m256 y0 = _mm256_set1_ps(wy0[j]), y1 = _mm256_set1_ps(wy1[j]);
        store_positive(blend(blend(g00, y0, g01, y1), q0, blend(g10, y0, g11, y1), q1), lanes, m + j * ldm + x);
      }
    }
  }
}

}  // namespace

void mask_rows_positive(const float* r0, const float* r1, const float* wy0, const float* wy1, size_t rows,
                        int32_t cols, const int32_t* i0, const int32_t* i1, const float* w0, const float* w1,
                        size_t n, uint8_t* m, size_t ldm) {
  for_row_blocks(rows, [&](size_t r, auto block) {
    rows_block<decltype(block)::value>(r0, r1, wy0 + r, wy1 + r, cols, i0, i1, w0, w1, n, m + r * ldm, ldm);
  });
}

}  // namespace avx2
}  // namespace edgecnn
