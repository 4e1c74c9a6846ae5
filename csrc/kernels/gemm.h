// Packed-weight f32 GEMM: C[M x N] = A[M x K] · B[K x N] + bias[M].
//
// A (the weights) is packed once at load into panels of MR rows (MR is the
// kernel's tile height):
//   panel p covers rows [p*MR, p*MR + MR); within it, element (r, k) is at
//   panel[k*MR + r] (k-major, so one k step reads MR consecutive floats);
//   rows past M are zero.
// B is row-major with row stride ldb (an im2col block, or the input feature map
// itself for 1x1 convolutions). C is row-major with row stride ldc.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/aligned_buffer.h"
#include "core/cpu.h"
#include "kernels/gemm_post.h"
#include "kernels/gemm_prefetch.h"

namespace edgecnn {

// Microkernel contract: computes mr (<= MR) rows and nc (any count) columns of
//   C[r][j] = bias[r] (0 if bias is null) + sum_k a[k*MR + r] * b[k*ldb + j]
// over the full depth kc. Reads only the nc valid columns of each B row and
// writes only the mr x nc valid outputs. pf (may be null) names lines to
// request meanwhile (kernels/gemm_prefetch.h); a call covering several
// column tiles requests them in each tile's k loop.
using F32GemmUkernel = void (*)(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb,
                                float* c, size_t ldc, const float* bias, const F32RowPrefetch* pf);
// The accumulating variant, for products split along k: C[r][j] += the same
// sum (C read and written at the same mr x nc places only).
using F32GemmAccUkernel = void (*)(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb,
                                   float* c, size_t ldc, const F32RowPrefetch* pf);
// The matrix-vector product of a one-row A (M = 1: classifiers) against one
// packed column panel of B (NR wide, element (k, j) at b[k*NR + j], the
// layout of a constant B in ops/gemm_driver.h):
//   y[j] = sum_k a[k * a_stride] * b[k*NR + j]   for j < nc <= NR.
// B streams once; several k steps run on separate accumulators.
using F32GemvUkernel = void (*)(size_t nc, size_t kc, const float* a, size_t a_stride, const float* b, float* y);
// The indirect form, for direct convolution: row k of B is wherever the
// offset table says, C[r][j] = bias[r] (0 if bias is null) + sum_k
// a[k*MR + r] * base[koff[k] + j] for r < mr, j < nc (any nc). With base
// pointing at an output row's input window and koff[k] the offset of tap
// (c, ky, kx) in a padded input, this is a convolution with no im2col copy.
// With `post` (may be null), each C[r][j] then gets the residual and clamp
// of kernels/gemm_post.h as it is stored.
using F32IgemmUkernel = void (*)(size_t mr, size_t nc, size_t kc, const float* a, const float* base,
                                 const int64_t* koff, float* c, size_t ldc, const float* bias,
                                 const F32GemmPost* post);

struct F32GemmKernel {
  const char* name;
  Isa isa;
  int mr;
  int nr;
  F32GemmUkernel fn;
  F32GemmAccUkernel acc;
  F32GemvUkernel gemv;  // same NR as the GEMM tile
  F32IgemmUkernel igemm;
};

#define EDGECNN_F32_GEMM(isa, mr, nr, arch)                                                   \
  namespace isa {                                                                             \
  void f32_gemm_##mr##x##nr(size_t m, size_t nc, size_t kc, const float* a, const float* b,  \
                            size_t ldb, float* c, size_t ldc, const float* bias,             \
                            const F32RowPrefetch* pf);                                       \
  void f32_gemm_##mr##x##nr##_acc(size_t m, size_t nc, size_t kc, const float* a,             \
                                  const float* b, size_t ldb, float* c, size_t ldc,          \
                                  const F32RowPrefetch* pf);                                 \
  void f32_gemv_##nr(size_t nc, size_t kc, const float* a, size_t a_stride, const float* b,  \
                     float* y);                                                              \
  void f32_igemm_##mr##x##nr(size_t m, size_t nc, size_t kc, const float* a, const float* base, \
                             const int64_t* koff, float* c, size_t ldc, const float* bias,   \
                             const F32GemmPost* post);                                       \
  }
#include "kernels/f32_gemm.inc"
#undef EDGECNN_F32_GEMM

// The best GEMM kernel for `isa` (falls back to lower tiers).
const F32GemmKernel& f32_gemm_kernel(Isa isa);

// A packed weight matrix (see the layout above).
struct PackedMatrix {
  AlignedBuffer data;
  int64_t rows = 0;
  int64_t depth = 0;
  int mr = 0;
  const float* panel(int64_t p) const { return data.floats() + p * depth * mr; }
  int64_t panel_count() const { return (rows + mr - 1) / mr; }
};

// Packs W (rows x depth, row stride ldw) for a kernel of tile height mr.
PackedMatrix pack_f32_gemm_weights(const float* w, int64_t rows, int64_t depth, int64_t ldw, int mr);

// W · diag(s) from packed W: panels [p0, p1) of w with element (k, m) of
// each panel times s[k] (s: depth floats), written to dst in w's layout
// (panel p at dst + p * depth * mr). A 1x1 convolution of a channel-scaled
// input (squeeze-and-excitation) runs on it.
void scale_packed_depth(const PackedMatrix& w, const float* s, int64_t p0, int64_t p1, float* dst);

}  // namespace edgecnn
