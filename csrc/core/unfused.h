// Keeping a product out of a fused multiply-add, for results that must agree
// bit for bit across compilers and ISA tiers. Baseline (non-ISA) files only:
// the vector forms live in core/unfused_x86.h for the ISA files.
#pragma once

namespace edgecnn {

// Returns v unchanged; where the target can fuse (FMA: AArch64 always, x86
// when built with FMA enabled) the value is made opaque to the optimizer, so
// the product that made it is rounded on its own and not fused into a later
// addition (GCC contracts a * b + c under -ffp-contract=fast). The x86
// baseline (SSE2) has no FMA, so there it costs nothing and loops using it
// still vectorize.
inline float unfused(float v) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__FMA__)
  __asm__("" : "+x"(v));
#elif defined(__GNUC__) && defined(__aarch64__)
  __asm__("" : "+w"(v));
#endif
  return v;
}

}  // namespace edgecnn
