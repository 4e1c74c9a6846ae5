// AVX-512 kernels of the pre-processing resize: 16 floats per vector.
// Contract and the exact operations: pre/resize_row.h.
// ISA file: only intrinsics, C headers and core/unfused_x86.h; everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

#include "core/unfused_x86.h"

namespace edgecnn {
namespace avx512 {
namespace {

inline __mmask16 first_lanes(size_t count) {
  return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

// Bytes 0 .. 15 of p in the `valid` lanes as floats (maskz forms: the
// unmasked ones trip GCC 12's maybe-uninitialized).
inline __m512 bytes_as_floats(__mmask16 valid, const uint8_t* p) {
  return _mm512_maskz_cvtepi32_ps(valid, _mm512_maskz_cvtepu8_epi32(valid, _mm_maskz_loadu_epi8(valid, p)));
}

}  // namespace

void resize_blend_u8(const uint8_t* r0, const uint8_t* r1, float w0, float w1, size_t n, float* t) {
  const __m512 v0 = _mm512_set1_ps(w0), v1 = _mm512_set1_ps(w1);
  for (size_t j = 0; j < n; j += 16) {
    const __mmask16 valid = first_lanes(n - j);
    const __m512 a = bytes_as_floats(valid, r0 + j), b = bytes_as_floats(valid, r1 + j);
    _mm512_mask_storeu_ps(t + j, valid, _mm512_add_ps(unfused(_mm512_mul_ps(a, v0)), unfused(_mm512_mul_ps(b, v1))));
  }
}

void resize_sample(const float* t, const int32_t* at0, const int32_t* at1, const float* w0, const float* w1,
                   float bias, size_t n, float* d) {
  const __m512 vb = _mm512_set1_ps(bias), zero = _mm512_setzero_ps();
  for (size_t x = 0; x < n; x += 16) {
    const __mmask16 valid = first_lanes(n - x);
    const __m512 a = _mm512_mask_i32gather_ps(zero, valid, _mm512_maskz_loadu_epi32(valid, at0 + x), t, 4);
    const __m512 b = _mm512_mask_i32gather_ps(zero, valid, _mm512_maskz_loadu_epi32(valid, at1 + x), t, 4);
    const __m512 s = _mm512_add_ps(unfused(_mm512_mul_ps(a, _mm512_maskz_loadu_ps(valid, w0 + x))),
                                   unfused(_mm512_mul_ps(b, _mm512_maskz_loadu_ps(valid, w1 + x))));
    _mm512_mask_storeu_ps(d + x, valid, _mm512_add_ps(s, vb));
  }
}

}  // namespace avx512
}  // namespace edgecnn
