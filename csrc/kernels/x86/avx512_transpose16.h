// The 16x16 f32 transpose in registers, for the AVX-512 files only (compiled
// with their ISA flags; internal linkage, so no copy is shared across tiers).
#pragma once
#include <immintrin.h>

#include "kernels/x86/avx512_gcc_warnings.h"

namespace edgecnn {
namespace avx512 {
namespace {

// 16x16 transpose in registers: r[i] lane j becomes r[j] lane i.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // r[4i + j], 128-bit lane L: column 4L + j of rows 4i .. 4i+3
  for (int i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    r[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  __m512 u[16];
  for (int j = 0; j < 4; ++j) {
    u[4 * j] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x88);
    u[4 * j + 1] = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xDD);
    u[4 * j + 2] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x88);
    u[4 * j + 3] = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xDD);
  }
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm512_shuffle_f32x4(u[4 * j], u[4 * j + 2], 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(u[4 * j], u[4 * j + 2], 0xDD);
    r[4 + j] = _mm512_shuffle_f32x4(u[4 * j + 1], u[4 * j + 3], 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(u[4 * j + 1], u[4 * j + 3], 0xDD);
  }
}

}  // namespace
}  // namespace avx512
}  // namespace edgecnn
