// AVX2 kernels of the pre-processing resize: 8 floats per vector.
// Contract and the exact operations: pre/resize_row.h.
// ISA file: only intrinsics, C headers and core/unfused_x86.h; everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/unfused_x86.h"

namespace edgecnn {
namespace avx2 {
namespace {

// Bytes 0-7 of p as floats.
inline __m256 bytes_as_floats(const uint8_t* p) {
  return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}

// All-ones in lanes [0, count), zero above.
inline __m256i first_lanes(size_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count >= 8 ? 8 : static_cast<int>(count)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace

void resize_blend_u8(const uint8_t* r0, const uint8_t* r1, float w0, float w1, size_t n, float* t) {
  const __m256 v0 = _mm256_set1_ps(w0), v1 = _mm256_set1_ps(w1);
  size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 a = bytes_as_floats(r0 + j), b = bytes_as_floats(r1 + j);
    _mm256_storeu_ps(t + j, _mm256_add_ps(unfused(_mm256_mul_ps(a, v0)), unfused(_mm256_mul_ps(b, v1))));
  }
  if (j < n) {  // the last bytes through a zeroed copy: no read past the rows
    uint8_t b0[8] = {0}, b1[8] = {0};
    memcpy(b0, r0 + j, n - j);
    memcpy(b1, r1 + j, n - j);
    const __m256 a = bytes_as_floats(b0), b = bytes_as_floats(b1);
    _mm256_maskstore_ps(t + j, first_lanes(n - j),
                        _mm256_add_ps(unfused(_mm256_mul_ps(a, v0)), unfused(_mm256_mul_ps(b, v1))));
  }
}

void resize_sample(const float* t, const int32_t* at0, const int32_t* at1, const float* w0, const float* w1,
                   float bias, size_t n, float* d) {
  const __m256 vb = _mm256_set1_ps(bias), zero = _mm256_setzero_ps();
  for (size_t x = 0; x < n; x += 8) {
    const __m256i valid = first_lanes(n - x);
    const __m256 on = _mm256_castsi256_ps(valid);
    const __m256 a = _mm256_mask_i32gather_ps(zero, t, _mm256_maskload_epi32(at0 + x, valid), on, 4);
    const __m256 b = _mm256_mask_i32gather_ps(zero, t, _mm256_maskload_epi32(at1 + x, valid), on, 4);
    const __m256 s = _mm256_add_ps(unfused(_mm256_mul_ps(a, _mm256_maskload_ps(w0 + x, valid))),
                                   unfused(_mm256_mul_ps(b, _mm256_maskload_ps(w1 + x, valid))));
    _mm256_maskstore_ps(d + x, valid, _mm256_add_ps(s, vb));
  }
}

}  // namespace avx2
}  // namespace edgecnn
