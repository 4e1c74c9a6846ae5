// Matrix products on the packed f32 GEMM microkernels (kernels/gemm.h).
//
// 1. WeightGemm, for convolutions: Y[M x N] = W[M x K] · B[K x N] + bias, with
//    W packed at load (kernels/gemm.h) and B produced by the caller (im2col,
//    or the input map itself for 1x1) one block at a time, already packed in
//    column panels of the kernel's NR:
//      a block covers rows [k0, k0 + kc) and columns [n0, n0 + nc) of B; its
//      panel q holds columns n0 + q*NR + j (j < NR) with element (k, j) at
//      block[q*kc*NR + (k - k0)*NR + j]; only valid columns are ever read.
//    Blocking: kc so that an A micro-panel (MR x kc) stays in L1 while it
//    sweeps the block's panels; nc so that a block (kc x nc) stays in about
//    half of L2 while every A micro-panel of the task streams over it.
//    Threads take (column block, row chunk) tasks, each packing its own blocks.
//    A dense B (BlockSource::dense, planned with b_in_place) is read where
//    it lies instead, row stride ldb: no packing, and each kernel call
//    requests its share of the thread's next block (kernels/gemm_prefetch.h).
//
// 2. ChannelGemm, the same product for maps too small to fill pixel vectors:
//    the channel-lane kernels (kernels/gemm_t.h) accumulate T = (W · B)^T in
//    per-thread scratch, B blocks packed as above in panels of 16 pixels (a
//    dense B, a 1x1 convolution's input, is read in place instead); T
//    is transposed into Y after the last K block, then the epilogue runs.
//    Threads take chunks of weight panels (each packs its own B blocks).
//
// 3. BatchedGemm, shared by Gemm and MatMul:
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
#include "kernels/gemm_t.h"
#include "kernels/transpose.h"

namespace edgecnn {

// Produces blocks of B for WeightGemm (layout above).
class BlockSource {
 public:
  virtual ~BlockSource() = default;
  virtual void pack(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* block) const = 0;
  // B itself when it is a dense row-major matrix in memory (a 1x1
  // convolution's input), with its row stride in *ldb; else null. ChannelGemm
  // then reads it in place instead of packing blocks.
  virtual const float* dense(int64_t* /*ldb*/) const { return nullptr; }
};

// The lines that call `call` of `calls` channel-lane kernel calls running
// one weight sub-panel (kc x mr floats) requests of the next sub-panel at
// `next` (null: none; kernels/gemm_t.h): an even share, so that the
// requests spread over all the calls. Requested all by the first call of
// a 7x7 map's seven row calls, the weights of ResNet-50's 3x3/2 layer to
// 7x7 came from memory in bursts that stalled it.
struct SubPanelShare {
  const float* at;
  size_t lines;
};
inline SubPanelShare sub_panel_share(const float* next, int64_t kc, int64_t mr, int64_t call, int64_t calls) {
  if (next == nullptr) return {nullptr, 0};
  const int64_t lines = (kc * mr + 15) / 16, first = call * lines / calls;
  return {next + first * 16, static_cast<size_t>((call + 1) * lines / calls - first)};
}

// Called once per finished tile row band: rows [row0, row0 + rows) x columns
// [n0, n0 + nc) of Y hold their final W · B + bias (still in cache).
class BandEpilogue {
 public:
  virtual ~BandEpilogue() = default;
  virtual void apply(int64_t row0, int64_t rows, int64_t n0, int64_t nc) const = 0;
};

class WeightGemm {
 public:
  // Chooses the block sizes for the kernel and the cache sizes of this
  // machine, and the task split for `num_threads`. b_in_place: run()'s
  // sources are dense, read in place (no scratch).
  void plan(const F32GemmKernel& kernel, int64_t m, int64_t k, int64_t n, int num_threads, bool b_in_place = false);
  const F32GemmKernel& kernel() const { return *kernel_; }
  // Per-thread B blocks.
  size_t scratch_bytes() const { return b_in_place_ ? 0 : static_cast<size_t>(num_threads_) * block_bytes_; }
  // Y (row stride ldy) = W · B + bias (bias: M floats or null); epilogue may be null.
  // Planned with b_in_place, b must be dense (else std::logic_error).
  void run(const PackedMatrix& w, const BlockSource& b, const float* bias, float* y, int64_t ldy,
           const BandEpilogue* epilogue, float* scratch, ThreadPool& pool) const;
  int64_t kc() const { return kc_; }
  int64_t nc() const { return nc_; }
  int64_t tasks() const { return col_blocks_ * row_chunks_; }
  bool b_in_place() const { return b_in_place_; }

 private:
  void run_in_place(const PackedMatrix& w, const float* b, int64_t ldb, const float* bias, float* y, int64_t ldy,
                    const BandEpilogue* epilogue, ThreadPool& pool) const;

  const F32GemmKernel* kernel_ = nullptr;
  int64_t m_ = 0, k_ = 0, n_ = 0;
  int64_t kc_ = 1, nc_ = 1, col_blocks_ = 1, row_chunks_ = 1;
  int num_threads_ = 1;
  bool b_in_place_ = false;
  size_t block_bytes_ = 0;
};

class ChannelGemm {
 public:
  static constexpr int kPanelPixels = 16;  // B panel width (im2col kernels need a multiple of 16)
  // b_in_place: run()'s sources are dense (BlockSource::dense non-null), so
  // B is read where it lies and needs no packing scratch.
  void plan(const F32GemmTKernel& kernel, int64_t m, int64_t k, int64_t n, int num_threads, bool b_in_place = false);
  size_t scratch_bytes() const {
    return shared_b_ ? block_bytes_ + static_cast<size_t>(num_threads_) * t_bytes_
                     : static_cast<size_t>(num_threads_) * (block_bytes_ + t_bytes_);
  }
  // The weights W (M x K, row stride ldw) for run(), after plan(): the
  // panels of pack_f32_gemm_weights (MR rows, k-major), stored k block by k
  // block ([k block][panel][k in block][MR]), so that one pass over them is
  // a single sequential stream: deep layers read them from memory (a
  // 512-channel 3x3 layer has 9 MiB), and the prefetchers then need not
  // restart at every panel.
  PackedMatrix pack_weights(const float* w, int64_t ldw) const;
  int64_t kc() const { return kc_; }
  // w: from pack_weights. Y (row stride ldy) = W · B + bias.
  void run(const PackedMatrix& w, const BlockSource& b, const float* bias, float* y, int64_t ldy,
           const BandEpilogue* epilogue, float* scratch, ThreadPool& pool) const;

 private:
  const F32GemmTKernel* kernel_ = nullptr;
  const F32TransposeKernel* transpose_ = nullptr;
  int64_t m_ = 0, k_ = 0, n_ = 0;
  int64_t kc_ = 1, nc_ = 1, col_blocks_ = 1, chunks_ = 1, chunk_channels_ = 16;
  int64_t step_ = 16;  // chunk cuts: every MR channels (panels) or every 16
  int num_threads_ = 1;
  bool shared_b_ = false;  // B packed once for all threads (block_bytes_: all of K)
  bool b_in_place_ = false;  // B read in place (block_bytes_ 0)
  size_t block_bytes_ = 0, t_bytes_ = 0;
};

// Y[M x N] = W · B + bias for a dense row-major B (K x N): WeightGemm with
// its own pool, packed weights and scratch, B read in place (b_in_place) or
// packed block by block as an im2col source would be. For tests and
// benchmarks of the convolution GEMM outside a model.
class DenseWeightGemm {
 public:
  DenseWeightGemm(Isa isa, const float* w, int64_t m, int64_t k, int64_t n, int num_threads, bool b_in_place);
  void run(const float* b, const float* bias, float* y);
  const WeightGemm& gemm() const { return gemm_; }
  int64_t m() const { return m_; }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }

 private:
  ThreadPool pool_;
  PackedMatrix w_;
  WeightGemm gemm_;
  AlignedBuffer scratch_;
  int64_t m_ = 0, k_ = 0, n_ = 0;
};

// The same product through ChannelGemm, B read in place: a 1x1
// convolution's GEMM on a map too small to fill pixel vectors (a 7x7 map is
// 49 pixels). Channel-lane kernel of `isa`, or of the most capable tier
// below it that has one.
class DenseChannelGemm {
 public:
  DenseChannelGemm(Isa isa, const float* w, int64_t m, int64_t k, int64_t n, int num_threads);
  void run(const float* b, const float* bias, float* y);
  const F32GemmTKernel& kernel() const { return *kernel_; }
  int64_t m() const { return m_; }
  int64_t k() const { return k_; }
  int64_t n() const { return n_; }

 private:
  ThreadPool pool_;
  const F32GemmTKernel* kernel_ = nullptr;
  ChannelGemm gemm_;
  PackedMatrix w_;
  AlignedBuffer scratch_;
  int64_t m_ = 0, k_ = 0, n_ = 0;
};

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
