// For the AVX-512 files: GCC 12 flags the deliberately undefined
// pass-through operand inside its own intrinsics (avx512fintrin.h:
// `__m512 __Y = __Y` in the unmasked forms of max/min, shuffles, alignr) as
// maybe-uninitialized. The warning is off for the including file only.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
