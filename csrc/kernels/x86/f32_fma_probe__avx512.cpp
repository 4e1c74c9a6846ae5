// avx512 multiply-add probe: 12 independent zmm accumulators (more than
// FMA latency x FMA pipes on current cores), one FMA each per round.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>
#include <stdint.h>

namespace edgecnn {
namespace avx512 {

uint64_t f32_fma_probe(size_t iterations, float* sink) {
  const __m512 mul = _mm512_set1_ps(0.999999f), add = _mm512_set1_ps(1e-6f);
  __m512 a0 = _mm512_set1_ps(1.00f), a1 = _mm512_set1_ps(1.01f), a2 = _mm512_set1_ps(1.02f), a3 = _mm512_set1_ps(1.03f);
  __m512 a4 = _mm512_set1_ps(1.04f), a5 = _mm512_set1_ps(1.05f), a6 = _mm512_set1_ps(1.06f), a7 = _mm512_set1_ps(1.07f);
  __m512 a8 = _mm512_set1_ps(1.08f), a9 = _mm512_set1_ps(1.09f), a10 = _mm512_set1_ps(1.10f), a11 = _mm512_set1_ps(1.11f);
  for (size_t it = 0; it < iterations; ++it) {
    a0 = _mm512_fmadd_ps(a0, mul, add);
    a1 = _mm512_fmadd_ps(a1, mul, add);
    a2 = _mm512_fmadd_ps(a2, mul, add);
    a3 = _mm512_fmadd_ps(a3, mul, add);
    a4 = _mm512_fmadd_ps(a4, mul, add);
    a5 = _mm512_fmadd_ps(a5, mul, add);
    a6 = _mm512_fmadd_ps(a6, mul, add);
    a7 = _mm512_fmadd_ps(a7, mul, add);
    a8 = _mm512_fmadd_ps(a8, mul, add);
    a9 = _mm512_fmadd_ps(a9, mul, add);
    a10 = _mm512_fmadd_ps(a10, mul, add);
    a11 = _mm512_fmadd_ps(a11, mul, add);
  }
  __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                       _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  s = _mm512_add_ps(s, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
  float lanes[16];
  _mm512_storeu_ps(lanes, s);
  float total = 0.0f;
  for (int i = 0; i < 16; ++i) total += lanes[i];
  *sink = total;
  return static_cast<uint64_t>(iterations) * 12 * 16 * 2;
}

}  // namespace avx512
}  // namespace edgecnn
