// The vector forms of unfused() (core/unfused.h) for the x86 ISA files. Include
// only from *_avx2.cpp / *_avx512.cpp: each form exists only where its ISA flags
// are on, with internal linkage, so no code built for one tier is shared with
// another.
#pragma once
#include <immintrin.h>

namespace edgecnn {
namespace {

// Returns v unchanged but opaque to the optimizer: GCC implements the
// arithmetic intrinsics as plain vector operators and may fuse a product into
// the following addition under -ffp-contract=fast (one rounding instead of
// two: the tier would disagree with the scalar kernel in the last bit).
#if defined(__AVX2__)
inline __m256 unfused(__m256 v) {
#if defined(__GNUC__)
  __asm__("" : "+x"(v));
#endif
  return v;
}
#endif

#if defined(__AVX512F__)
inline __m512 unfused(__m512 v) {
#if defined(__GNUC__)
  __asm__("" : "+v"(v));
#endif
  return v;
}
#endif

}  // namespace
}  // namespace edgecnn
