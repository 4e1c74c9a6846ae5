// Channel-lane f32 GEMM: the transposed product T = (W · B)^T, for
// convolutions whose output maps are too small to fill pixel vectors (a 7x7
// map is 49 pixels: 4 vectors of 16 with 15 lanes idle). Here the vector
// lanes run over output channels, which come in multiples of 16, and the
// pixels are broadcast.
//
// W is packed as for the pixel-lane kernels (kernels/gemm.h), with panels of
// MR channels: element (k, m) of panel p at panel[k*MR + m], zero past M.
// B (K x pixels) is read with row stride ldb (a packed block panel).
// T holds pixels in rows and channels in columns: T[j*ldt + m].
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"

namespace edgecnn {

// Contract: for m < mr (<= MR) and j < nc (any count),
//   T[j*ldt + m] = (accumulate ? T[j*ldt + m] : bias ? bias[m] : 0)
//                  + sum_{k < kc} a[k*MR + m] * b[k*ldb + j].
// Reads whole MR-float rows of the panel (zero-padded past M); reads and
// writes T only at the mr x nc valid places. `prefetch` (may be null) and
// `prefetch_lines`: that many 64-byte lines from `prefetch` on, which the
// caller reads next (its next weight sub-panel of kc x MR floats, or a
// share of it when several calls run one sub-panel): the kernel brings them
// into L1, its requests spread evenly over the call's k steps and pixel
// tiles (kernels/gemm_t_tiles.h), so that weights coming from memory stream
// while it computes. It never changes the result.
using F32GemmTUkernel = void (*)(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb,
                                 float* t, size_t ldt, const float* bias, bool accumulate, const float* prefetch,
                                 size_t prefetch_lines);
// The indirect form, for direct convolution (no im2col copy): B row k is
// wherever the offset table says, B[k][j] = base[koff[k] + j]:
//   T[j*ldt + m] = (accumulate ? T[j*ldt + m] : bias ? bias[m] : 0)
//                  + sum_{k < kc} a[k*MR + m] * base[koff[k] + j].
using F32IgemmTUkernel = void (*)(size_t mr, size_t nc, size_t kc, const float* a, const float* base,
                                  const int64_t* koff, float* t, size_t ldt, const float* bias, bool accumulate,
                                  const float* prefetch, size_t prefetch_lines);

struct F32GemmTKernel {
  const char* name;
  Isa isa;
  int mr;  // channels per weight panel
  int nr;  // pixels per register tile
  F32GemmTUkernel fn;
  F32IgemmTUkernel igemm;
};

#define EDGECNN_F32_GEMM_T(isa, mr, nr, arch)                                                              \
  namespace isa {                                                                                          \
  void f32_gemm_t_##mr##x##nr(size_t m, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, \
                              float* t, size_t ldt, const float* bias, bool accumulate,                   \
                              const float* prefetch, size_t prefetch_lines);                              \
  void f32_igemm_t_##mr##x##nr(size_t m, size_t nc, size_t kc, const float* a, const float* base,          \
                               const int64_t* koff, float* t, size_t ldt, const float* bias, bool accumulate, \
                               const float* prefetch, size_t prefetch_lines);                             \
  }
#include "kernels/f32_gemm_t.inc"
#undef EDGECNN_F32_GEMM_T

// The channel-lane kernel of exactly `isa`, or nullptr (only some tiers have
// one; the others use the pixel-lane kernels for every map).
const F32GemmTKernel* f32_gemm_t_kernel(Isa isa);
// The kernel of the most capable tier up to `isa` (the reference for tests).
const F32GemmTKernel& f32_gemm_t_kernel_at_most(Isa isa);

}  // namespace edgecnn
