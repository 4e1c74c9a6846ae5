// Batched matrix products on the packed f32 GEMM microkernels (kernels/gemm.h),
// shared by Gemm and MatMul:
//   Y_b[M x N] = alpha * A_b[M x K] · B_b[K x N] + beta * C      (C optional)
//
// The microkernel's packed operand is its left one, in panels of MR rows, and
// it writes MR rows of a row-major output. So A, whatever it is, is packed at
// run time one panel at a time into per-thread scratch (M*K copies against
// M*N*K multiply-adds), and Y is written in place. B is read either
//   - in place, row-major with any row stride (activations), or
//   - packed in column panels of the kernel's NR (constants, packed at load,
//     so that each kernel call streams one contiguous K x NR block):
//       panel q holds columns [q*NR, q*NR + NR); element (k, j) is at
//       panel[k*NR + j]; columns past N are zero.
//     This is the PackedMatrix layout of B^T with tile height NR.
#pragma once
#include <cstdint>

#include "core/shape.h"
#include "core/thread_pool.h"
#include "kernels/gemm.h"

namespace edgecnn {

struct GemmGeometry {
  int64_t m = 1, n = 1, k = 1;
  // A_b(i, k) is at a[a_offset(b) + i * a_row + k * a_col] (covers A and A^T).
  int64_t a_row = 1, a_col = 1;
  // Row stride of an unpacked B.
  int64_t ldb = 1;
  bool b_packed = false;
  // Output batches, outermost first; Y_b is at y + b * M * N. The operands'
  // offsets are sum(index_d * stride_d) in floats, stride 0 where the operand
  // is broadcast; for a packed B they count floats of the packed layout.
  int batch_rank = 0;
  int64_t batch_dims[kMaxRank] = {};
  int64_t a_batch_stride[kMaxRank] = {};
  int64_t b_batch_stride[kMaxRank] = {};
};

// The run-time operands. c is null when there is no C; C(i, j) is at
// c[i * c_row + j * c_col], with c_col 0 or 1 (0 and c_row 0 along
// broadcast axes). Only the first batch gets C.
struct GemmOperands {
  const float* a;
  const float* b;
  float* y;
  const float* c = nullptr;
  int64_t c_row = 0, c_col = 0;
  float alpha = 1.0f, beta = 1.0f;
};

// Floats of B (K x N) packed in column panels of nr.
int64_t packed_right_floats(int64_t k, int64_t n, int nr);
// Packs B(kk, j) = b[kk * b_row + j * b_col] (K x N) in column panels of nr
// into out (packed_right_floats(k, n, nr) floats).
void pack_right_operand(const float* b, int64_t b_row, int64_t b_col, int64_t k, int64_t n, int nr, float* out);

class BatchedGemm {
 public:
  // Chooses the kernel for `isa` and splits the work for `num_threads`.
  void plan(Isa isa, const GemmGeometry& geometry, int num_threads);
  const F32GemmKernel& kernel() const { return *kernel_; }
  // Per-thread A panels.
  size_t scratch_bytes() const { return static_cast<size_t>(num_threads_) * panel_bytes_; }
  void run(const GemmOperands& ops, float* scratch, ThreadPool& pool) const;

 private:
  GemmGeometry g_;
  const F32GemmKernel* kernel_ = nullptr;
  int num_threads_ = 1;
  size_t panel_bytes_ = 0;
  int64_t batch_ = 1, row_panels_ = 1, chunk_cols_ = 1, col_chunks_ = 1, tasks_ = 1;
};

}  // namespace edgecnn
