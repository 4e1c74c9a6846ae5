#include "ops/gemm_driver.h"

#include <algorithm>

namespace edgecnn {

namespace {

// A column chunk of B (K x cols floats) should stay in about half of a
// typical L2 (256 KiB) while every A panel of the task streams over it.
constexpr int64_t kChunkFloats = 32768;
// Multiply-adds per task: large enough that scheduling cost is noise.
constexpr int64_t kMacsPerTask = int64_t{1} << 18;

// Rows [row0, row0 + rows) of A as one panel: out[kk * mr + r]; rows past
// `rows` are zero (the kernel computes them, they are never stored).
void pack_left_panel(const float* a, int64_t a_row, int64_t a_col, int64_t rows, int64_t k, int mr, float* out) {
  for (int64_t kk = 0; kk < k; ++kk) {
    const float* src = a + kk * a_col;
    float* dst = out + kk * mr;
    int64_t r = 0;
    for (; r < rows; ++r) dst[r] = src[r * a_row];
    for (; r < mr; ++r) dst[r] = 0.0f;
  }
}

}  // namespace

int64_t packed_right_floats(int64_t k, int64_t n, int nr) { return (n + nr - 1) / nr * nr * k; }

void pack_right_operand(const float* b, int64_t b_row, int64_t b_col, int64_t k, int64_t n, int nr, float* out) {
  for (int64_t col0 = 0; col0 < n; col0 += nr) {
    const int64_t cols = std::min<int64_t>(nr, n - col0);
    for (int64_t kk = 0; kk < k; ++kk) {
      const float* src = b + kk * b_row + col0 * b_col;
      int64_t j = 0;
      for (; j < cols; ++j) out[j] = src[j * b_col];
      for (; j < nr; ++j) out[j] = 0.0f;
      out += nr;
    }
  }
}

void BatchedGemm::plan(Isa isa, const GemmGeometry& geometry, int num_threads) {
  g_ = geometry;
  kernel_ = &f32_gemm_kernel(isa);
  num_threads_ = std::max(1, num_threads);
  const int mr = kernel_->mr, nr = kernel_->nr;
  panel_bytes_ = round_up(static_cast<size_t>(g_.k * mr) * sizeof(float), 64);
  batch_ = 1;
  for (int d = 0; d < g_.batch_rank; ++d) batch_ *= g_.batch_dims[d];
  row_panels_ = (g_.m + mr - 1) / mr;
  // Work units are (batch, row panel, column chunk). Narrower chunks when
  // there are too few units to keep the threads busy (M = 1 products).
  chunk_cols_ = std::max<int64_t>(1, kChunkFloats / g_.k / nr) * nr;
  const int64_t n_rounded = (g_.n + nr - 1) / nr * nr;
  chunk_cols_ = std::min(chunk_cols_, n_rounded);
  while (chunk_cols_ > nr && batch_ * row_panels_ * ((g_.n + chunk_cols_ - 1) / chunk_cols_) < 4 * num_threads_)
    chunk_cols_ = std::max<int64_t>(nr, (chunk_cols_ / 2 + nr - 1) / nr * nr);
  col_chunks_ = (g_.n + chunk_cols_ - 1) / chunk_cols_;
  const int64_t units = batch_ * row_panels_ * col_chunks_;
  const int64_t macs = batch_ * g_.m * g_.n * g_.k;
  tasks_ = std::clamp<int64_t>(macs / kMacsPerTask, 1, std::min<int64_t>(units, 8 * num_threads_));
}

void BatchedGemm::run(const GemmOperands& ops, float* scratch, ThreadPool& pool) const {
  const F32GemmKernel& kern = *kernel_;
  const int64_t mr = kern.mr, nr = kern.nr;
  const int64_t m = g_.m, n = g_.n, k = g_.k;
  const int64_t units = batch_ * row_panels_ * col_chunks_;
  const bool epilogue = ops.alpha != 1.0f || (ops.c != nullptr && ops.beta != 0.0f);
  pool.run(tasks_, [&](int64_t task, int thread) {
    float* panel = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(scratch) + thread * panel_bytes_);
    const int64_t u_end = (task + 1) * units / tasks_;
    int64_t packed = -1;  // the (batch, row panel) held in `panel`
    for (int64_t u = task * units / tasks_; u < u_end; ++u) {
      const int64_t cc = u % col_chunks_, batch_panel = u / col_chunks_;
      const int64_t rp = batch_panel % row_panels_, b = batch_panel / row_panels_;
      int64_t a_off = 0, b_off = 0;
      for (int64_t d = g_.batch_rank - 1, rest = b; d >= 0; --d) {
        const int64_t i = rest % g_.batch_dims[d];
        rest /= g_.batch_dims[d];
        a_off += i * g_.a_batch_stride[d];
        b_off += i * g_.b_batch_stride[d];
      }
      const int64_t row0 = rp * mr;
      const int64_t rows = std::min(mr, m - row0);
      if (batch_panel != packed) {
        pack_left_panel(ops.a + a_off + row0 * g_.a_row, g_.a_row, g_.a_col, rows, k, kern.mr, panel);
        packed = batch_panel;
      }
      const int64_t col0 = cc * chunk_cols_;
      const int64_t cols = std::min(chunk_cols_, n - col0);
      float* y = ops.y + b * m * n + row0 * n + col0;
      if (g_.b_packed) {
        for (int64_t j = 0; j < cols; j += nr)
          kern.fn(rows, std::min(nr, cols - j), k, panel, ops.b + b_off + (col0 + j) * k, nr, y + j, n, nullptr);
      } else {
        kern.fn(rows, cols, k, panel, ops.b + b_off + col0, g_.ldb, y, n, nullptr);
      }
      if (!epilogue) continue;
      for (int64_t i = 0; i < rows; ++i) {
        float* yr = y + i * n;
        const float alpha = ops.alpha;
        if (ops.c == nullptr || ops.beta == 0.0f) {
          for (int64_t j = 0; j < cols; ++j) yr[j] *= alpha;
          continue;
        }
        const float beta = ops.beta;
        const float* cr = ops.c + (row0 + i) * ops.c_row + col0 * ops.c_col;
        if (ops.c_col == 0) {
          const float cv = beta * cr[0];
          for (int64_t j = 0; j < cols; ++j) yr[j] = alpha * yr[j] + cv;
        } else {
          for (int64_t j = 0; j < cols; ++j) yr[j] = alpha * yr[j] + beta * cr[j];
        }
      }
    }
  });
}

}  // namespace edgecnn
