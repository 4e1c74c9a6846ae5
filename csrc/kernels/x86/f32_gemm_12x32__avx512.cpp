// AVX-512 f32 GEMM microkernel, tile 12 rows x 32 columns (24 zmm accumulators,
// 2 zmm for the B row, 1 for the broadcast A value). Layouts: kernels/gemm.h.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

namespace edgecnn {
namespace avx512 {
namespace {

inline __mmask16 first_lanes(size_t count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1u);
}

}  // namespace

void f32_gemm_12x32(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* c,
                    size_t ldc, const float* bias) {
  constexpr size_t MR = 12, NR = 32;
  for (size_t n0 = 0; n0 < nc; n0 += NR) {
    const size_t nb = nc - n0 < NR ? nc - n0 : NR;
    const __mmask16 mask0 = first_lanes(nb < 16 ? nb : 16);
    const __mmask16 mask1 = first_lanes(nb > 16 ? nb - 16 : 0);
    __m512 acc[MR][2];
    for (size_t r = 0; r < MR; ++r) {
      const __m512 init = _mm512_set1_ps((bias != NULL && r < mr) ? bias[r] : 0.0f);
      acc[r][0] = init;
      acc[r][1] = init;
    }
    const float* bp = b + n0;
    const float* ap = a;
    for (size_t k = 0; k < kc; ++k, bp += ldb, ap += MR) {
      const __m512 b0 = _mm512_maskz_loadu_ps(mask0, bp);
      const __m512 b1 = _mm512_maskz_loadu_ps(mask1, bp + 16);
      for (size_t r = 0; r < MR; ++r) {
        const __m512 av = _mm512_set1_ps(ap[r]);
        acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
      }
    }
    // A constant trip count (with the row test inside) lets the compiler
    // unroll and keep acc in registers; a loop bounded by mr would force
    // the accumulators through memory on every k step.
    for (size_t r = 0; r < MR; ++r) {
      if (r >= mr) break;
      float* crow = c + r * ldc + n0;
      _mm512_mask_storeu_ps(crow, mask0, acc[r][0]);
      _mm512_mask_storeu_ps(crow + 16, mask1, acc[r][1]);
    }
  }
}

}  // namespace avx512
}  // namespace edgecnn
