// AVX-512 transpose (contract: kernels/transpose.h): 16x16 blocks through
// registers; partial blocks load and store under lane masks.
// ISA file: only intrinsics, C headers and AVX-512-only headers, everything
// in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>

#include "kernels/x86/avx512_transpose16.h"

namespace edgecnn {
namespace avx512 {

void f32_transpose(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd) {
  for (size_t r0 = 0; r0 < rows; r0 += 16) {
    const size_t nr = rows - r0 < 16 ? rows - r0 : 16;
    const __mmask16 row_mask = static_cast<__mmask16>((1u << nr) - 1u);
    for (size_t c0 = 0; c0 < cols; c0 += 16) {
      const size_t nc = cols - c0 < 16 ? cols - c0 : 16;
      const __mmask16 col_mask = static_cast<__mmask16>((1u << nc) - 1u);
      __m512 v[16];
      for (size_t i = 0; i < 16; ++i) {
        const float* s = src + (r0 + i) * lds + c0;
        v[i] = i >= nr ? _mm512_setzero_ps() : nc == 16 ? _mm512_loadu_ps(s) : _mm512_maskz_loadu_ps(col_mask, s);
      }
      transpose16(v);  // v[c] lane r: src[r0 + r][c0 + c]
      for (size_t c = 0; c < nc; ++c) {
        float* d = dst + (c0 + c) * ldd + r0;
        if (nr == 16)
          _mm512_storeu_ps(d, v[c]);
        else
          _mm512_mask_storeu_ps(d, row_mask, v[c]);
      }
    }
  }
}

}  // namespace avx512
}  // namespace edgecnn
