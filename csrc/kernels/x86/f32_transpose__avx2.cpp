// AVX2 transpose (contract: kernels/transpose.h): 8x8 blocks through
// registers (unpack, shuffle, then 128-bit lane permutes); the partial
// blocks at the right and bottom edges go element by element.
// ISA file: only intrinsics and C headers, everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>

namespace edgecnn {
namespace avx2 {

namespace {

// dst[c*ldd + r] = src[r*lds + c] for one whole 8x8 block.
inline void transpose8x8(const float* src, size_t lds, float* dst, size_t ldd) {
  __m256 r[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(src + i * lds);
  // t[2i], t[2i+1]: rows 2i and 2i+1 interleaved by element pairs.
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  // u: columns c and c+4 of four rows, one per 128-bit lane.
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  const __m256 c[8] = {
      _mm256_permute2f128_ps(u0, u4, 0x20), _mm256_permute2f128_ps(u1, u5, 0x20),
      _mm256_permute2f128_ps(u2, u6, 0x20), _mm256_permute2f128_ps(u3, u7, 0x20),
      _mm256_permute2f128_ps(u0, u4, 0x31), _mm256_permute2f128_ps(u1, u5, 0x31),
      _mm256_permute2f128_ps(u2, u6, 0x31), _mm256_permute2f128_ps(u3, u7, 0x31),
  };
  for (int i = 0; i < 8; ++i) _mm256_storeu_ps(dst + i * ldd, c[i]);
}

}  // namespace

void f32_transpose(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd) {
  const size_t whole_rows = rows / 8 * 8, whole_cols = cols / 8 * 8;
  for (size_t r0 = 0; r0 < whole_rows; r0 += 8)
    for (size_t c0 = 0; c0 < whole_cols; c0 += 8) transpose8x8(src + r0 * lds + c0, lds, dst + c0 * ldd + r0, ldd);
  // The right edge (columns past the last whole block) of every row, then
  // the bottom edge (rows past the last whole block) of the whole columns.
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = whole_cols; c < cols; ++c) dst[c * ldd + r] = src[r * lds + c];
  for (size_t r = whole_rows; r < rows; ++r)
    for (size_t c = 0; c < whole_cols; ++c) dst[c * ldd + r] = src[r * lds + c];
}

}  // namespace avx2
}  // namespace edgecnn
