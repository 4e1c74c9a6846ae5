// Keeping a product out of a fused multiply-add, for results that must agree
// bit for bit across compilers and ISA tiers. Baseline (non-ISA) files only:
// the vector forms live in each *_avx2.cpp / *_avx512.cpp file that needs them.
#pragma once

namespace edgecnn {

// Returns v unchanged but opaque to the optimizer, so the product that made it
// is rounded on its own and not fused into a later addition (GCC contracts
// a * b + c under -ffp-contract=fast wherever the target has FMA: AArch64
// always, x86 only in ISA files).
inline float unfused(float v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __asm__("" : "+x"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(v));
#endif
  return v;
}

}  // namespace edgecnn
