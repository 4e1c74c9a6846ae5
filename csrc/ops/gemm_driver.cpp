#include "ops/gemm_driver.h"

#include <algorithm>
#include <stdexcept>


namespace edgecnn {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Where share i of n near-equal shares of `count` items starts (sizes differ
// by at most one, so 6 panels in 4 chunks give the pool's two threads 3
// each, where chunks of ceil(6 / 4) = 2 would leave three chunks).
int64_t even_share(int64_t i, int64_t n, int64_t count) { return i * count / n; }

// B rows of a dense row-major matrix, packed (WeightGemm's block layout).
class DenseSource final : public BlockSource {
 public:
  DenseSource(const float* b, int64_t n) : b_(b), n_(n) {}
  const float* dense(int64_t* ldb) const override {
    *ldb = n_;
    return b_;
  }
  void pack(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* block) const override {
    for (int64_t q = 0; q * nr < nc; ++q) {
      const int64_t cols = std::min<int64_t>(nr, nc - q * nr);
      float* dst = block + q * kc * nr;
      for (int64_t kk = 0; kk < kc; ++kk, dst += nr) {
        const float* src = b_ + (k0 + kk) * n_ + n0 + q * nr;
        std::copy(src, src + cols, dst);
      }
    }
  }

 private:
  const float* b_;
  int64_t n_;
};

// A column chunk of B (K x cols floats) should stay in about half of a
// typical L2 (256 KiB) while every A panel of the task streams over it.
constexpr int64_t kChunkFloats = 32768;
// Column block of an in-place B (WeightGemm::plan).
constexpr int64_t kInPlaceColumns = 96;
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

void WeightGemm::plan(const F32GemmKernel& kernel, int64_t m, int64_t k, int64_t n, int num_threads,
                      bool b_in_place) {
  kernel_ = &kernel;
  b_in_place_ = b_in_place;
  m_ = m;
  k_ = k;
  n_ = n;
  num_threads_ = std::max(1, num_threads);
  const CacheSizes& cache = cache_sizes();
  const int64_t mr = kernel.mr, nr = kernel.nr;
  // kc: the A micro-panel (mr x kc floats) in half of L1; split K evenly.
  const int64_t kc_max = std::max<int64_t>(64, cache.l1 / 2 / (mr * 4));
  const int64_t k_blocks = ceil_div(k, kc_max);
  kc_ = ceil_div(k, k_blocks);
  // nc: the B block (kc x nc floats) in half of L2; columns split evenly.
  // In place, blocks of about 96 columns: the block being computed and the
  // next one, whose lines arrive meanwhile, then hold a small part of L2
  // (blocks sized for packing, two of them with the weights overflowed it:
  // 72% of the FMA peak against 86% on YOLOv8n's 16x144x25600 shape, 86%
  // against 91% on ResNet-18's conv1 shape; AVX-512).
  const int64_t n_panels = ceil_div(n, nr);
  const int64_t nc_max = b_in_place ? ceil_div(kInPlaceColumns, nr) * nr
                                    : std::max<int64_t>(1, cache.l2 / 2 / (kc_ * 4) / nr) * nr;
  col_blocks_ = ceil_div(n, nc_max);
  // Enough column blocks for every thread, in a multiple of the thread
  // count when there are panels for it (equal shares).
  if (num_threads_ > 1 && n_panels >= num_threads_)
    col_blocks_ = std::min(n_panels, ceil_div(col_blocks_, num_threads_) * num_threads_);
  nc_ = ceil_div(ceil_div(n, col_blocks_), nr) * nr;
  col_blocks_ = ceil_div(n, nc_);
  // Too few column blocks (small maps): split the weight panels too.
  const int64_t m_panels = ceil_div(m, mr);
  row_chunks_ = col_blocks_ >= num_threads_ ? 1 : std::min(m_panels, ceil_div(2 * num_threads_, col_blocks_));
  block_bytes_ = round_up(static_cast<size_t>(kc_ * nc_) * sizeof(float), 64);
}

void WeightGemm::run(const PackedMatrix& w, const BlockSource& b, const float* bias, float* y, int64_t ldy,
                     const BandEpilogue* epilogue, float* scratch, ThreadPool& pool) const {
  if (b_in_place_) {
    int64_t ldb = 0;
    const float* dense = b.dense(&ldb);
    if (dense == nullptr) throw std::logic_error("WeightGemm: planned to read B in place, but the source is not dense");
    run_in_place(w, dense, ldb, bias, y, ldy, epilogue, pool);
    return;
  }
  const F32GemmKernel& kern = *kernel_;
  const int64_t mr = kern.mr, nr = kern.nr;
  const int64_t m_panels = ceil_div(m_, mr);
  pool.run(col_blocks_ * row_chunks_, [&](int64_t task, int thread) {
    const int64_t cb = task / row_chunks_, rc = task % row_chunks_;
    const int64_t n0 = cb * nc_, nc = std::min(nc_, n_ - n0);
    const int64_t p0 = even_share(rc, row_chunks_, m_panels), p1 = even_share(rc + 1, row_chunks_, m_panels);
    float* block = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(scratch) + thread * block_bytes_);
    for (int64_t k0 = 0; k0 < k_; k0 += kc_) {
      const int64_t kc = std::min(kc_, k_ - k0);
      b.pack(k0, kc, n0, nc, kern.nr, block);
      const bool last = k0 + kc == k_;
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t row0 = p * mr, rows = std::min(mr, m_ - row0);
        const float* a = w.panel(p) + k0 * mr;
        float* yp = y + row0 * ldy + n0;
        for (int64_t q = 0; q * nr < nc; ++q) {
          const int64_t cols = std::min(nr, nc - q * nr);
          if (k0 == 0) {
            kern.fn(rows, cols, kc, a, block + q * kc * nr, nr, yp + q * nr, ldy, bias ? bias + row0 : nullptr,
                    nullptr);
          } else {
            kern.acc(rows, cols, kc, a, block + q * kc * nr, nr, yp + q * nr, ldy, nullptr);
          }
        }
        if (last && epilogue) epilogue->apply(row0, rows, n0, nc);
      }
    }
  });
}

// Without packing, the first weight panel's calls on a block would wait for
// its lines from memory (a dense B of 6-15 MiB does not stay in cache), and
// the hardware prefetchers do not follow rows a whole matrix row apart. So
// while a thread computes one (column block, k block), its kernel calls
// request the next one's rows, spread evenly over the calls: measured
// 55-60% -> 85-90% of the FMA peak on YOLOv8n's 80x80 GEMM shapes (AVX-512;
// in-place reads alone: ~65-70%). Threads take runs of consecutive tasks,
// 8 runs per thread (a thread the host slows down takes fewer), so the next
// block is mostly the same thread's; at a run's end the request may serve
// the other thread's run, which is only wasted.
void WeightGemm::run_in_place(const PackedMatrix& w, const float* b, int64_t ldb, const float* bias, float* y,
                              int64_t ldy, const BandEpilogue* epilogue, ThreadPool& pool) const {
  const F32GemmKernel& kern = *kernel_;
  const int64_t mr = kern.mr, nr = kern.nr;
  const int64_t m_panels = ceil_div(m_, mr);
  const int64_t tasks = col_blocks_ * row_chunks_;
  const int64_t runs = num_threads_ == 1 ? 1 : std::min<int64_t>(8 * num_threads_, tasks);
  pool.run(runs, [&](int64_t run, int) {
    const int64_t t0 = even_share(run, runs, tasks), t1 = even_share(run + 1, runs, tasks);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t cb = task / row_chunks_, rc = task % row_chunks_;
      const int64_t n0 = cb * nc_, nc = std::min(nc_, n_ - n0);
      const int64_t p0 = even_share(rc, row_chunks_, m_panels), p1 = even_share(rc + 1, row_chunks_, m_panels);
      const int64_t tiles = ceil_div(nc, nr), calls = (p1 - p0) * tiles;
      for (int64_t k0 = 0; k0 < k_; k0 += kc_) {
        const int64_t kc = std::min(kc_, k_ - k0);
        // The next block: the next k block, else the next task's first;
        // none when that is the same block (the next row chunk).
        int64_t next_k0 = k0 + kc, next_n0 = n0;
        if (next_k0 >= k_) {
          next_k0 = 0;
          next_n0 = task + 1 < tasks ? (task + 1) / row_chunks_ * nc_ : n_;
        }
        const bool same = next_k0 == k0 && next_n0 == n0;
        const int64_t next_kc = std::min(kc_, k_ - next_k0);
        const int64_t next_nc = same ? 0 : std::max<int64_t>(0, std::min(nc_, n_ - next_n0));
        const bool last = k0 + kc == k_;
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t row0 = p * mr, rows = std::min(mr, m_ - row0);
          const float* a = w.panel(p) + k0 * mr;
          float* yp = y + row0 * ldy + n0;
          for (int64_t q = 0; q < tiles; ++q) {
            const int64_t cols = std::min(nr, nc - q * nr);
            const int64_t call = (p - p0) * tiles + q;
            const int64_t r0 = next_k0 + call * next_kc / calls, r1 = next_k0 + (call + 1) * next_kc / calls;
            F32RowPrefetch pf{b + r0 * ldb + next_n0, static_cast<size_t>(ldb), static_cast<size_t>(next_nc),
                              static_cast<size_t>(next_nc > 0 ? std::min(r1 - r0, kc) : 0), 0, true};
            while (pf.count > 0 && (pf.count << (pf.shift + 1)) <= static_cast<size_t>(kc)) ++pf.shift;
            const F32RowPrefetch* hint = pf.count > 0 ? &pf : nullptr;
            const float* bq = b + k0 * ldb + n0 + q * nr;
            if (k0 == 0) {
              kern.fn(rows, cols, kc, a, bq, ldb, yp + q * nr, ldy, bias ? bias + row0 : nullptr, hint);
            } else {
              kern.acc(rows, cols, kc, a, bq, ldb, yp + q * nr, ldy, hint);
            }
          }
          if (last && epilogue) epilogue->apply(row0, rows, n0, nc);
        }
      }
    }
  });
}

void ChannelGemm::plan(const F32GemmTKernel& kernel, int64_t m, int64_t k, int64_t n, int num_threads,
                       bool b_in_place) {
  kernel_ = &kernel;
  transpose_ = &f32_transpose_kernel(kernel.isa);
  m_ = m;
  k_ = k;
  n_ = n;
  num_threads_ = std::max(1, num_threads);
  const CacheSizes& cache = cache_sizes();
  // Columns: all of a small map, else blocks of 256 pixels.
  col_blocks_ = ceil_div(n, 256);
  nc_ = ceil_div(ceil_div(n, col_blocks_), kPanelPixels) * kPanelPixels;
  col_blocks_ = ceil_div(n, nc_);
  // kc: the A sub-panel (MR x kc floats) in half of L1; split K evenly.
  const int64_t kc_max = std::max<int64_t>(64, cache.l1 / 2 / (kernel.mr * 4));
  kc_ = ceil_div(k, ceil_div(k, kc_max));
  // Output-channel chunks, a few per thread, cut at weight panels, or at
  // 16-channel steps where panel cuts leave a thread over 6% above its
  // share: 256 channels are 5 panels of 48 and one of 16, which as 4 panel
  // chunks left one of two threads 144 channels and the other 112 (the
  // step cuts measured 4-5% faster on ResNet-50's 256- and 512-channel
  // layers at 14x14; where panel cuts balance, as for 2048 channels, step
  // cuts were 9% slower: each chunk then runs two narrow partial panels).
  // A chunk may start or end inside a panel (the kernel then reads the
  // panel from that channel on).
  const int64_t units = ceil_div(m, int64_t{16}), panels = ceil_div(m, kernel.mr);
  chunks_ = std::min(panels, std::max<int64_t>(1, num_threads_ > 1 ? 2 * num_threads_ : 1));
  step_ = kernel.mr;
  int64_t busiest = 0;  // channels of the thread with the most, pool slices of chunks_ / num_threads_ chunks
  for (int t = 0; t < num_threads_; ++t) {
    const int64_t c0 = even_share(t, num_threads_, chunks_), c1 = even_share(t + 1, num_threads_, chunks_);
    busiest = std::max(busiest, std::min(m, even_share(c1, chunks_, panels) * step_) -
                                    std::min(m, even_share(c0, chunks_, panels) * step_));
  }
  if (num_threads_ > 1 && busiest * 100 > m * 106 / num_threads_) {
    step_ = 16;
    chunks_ = std::min(units, int64_t{2} * num_threads_);
  }
  const int64_t steps = ceil_div(m, step_);
  chunk_channels_ = ceil_div(steps, chunks_) * step_;  // the largest chunk
  // One column block (a small map) on several threads: B is packed once,
  // shared, K block kb at k0 * nc_ (the threads' panel chunks all read it),
  // instead of once per chunk.
  b_in_place_ = b_in_place;
  shared_b_ = !b_in_place && col_blocks_ == 1 && chunks_ > 1;
  block_bytes_ = b_in_place ? 0 : round_up(static_cast<size_t>((shared_b_ ? k_ : kc_) * nc_) * sizeof(float), 64);
  t_bytes_ = round_up(static_cast<size_t>(nc_ * chunk_channels_) * sizeof(float), 64);
}

PackedMatrix ChannelGemm::pack_weights(const float* w, int64_t ldw) const {
  const int64_t mr = kernel_->mr, panels = ceil_div(m_, mr);
  const PackedMatrix by_panel = pack_f32_gemm_weights(w, m_, k_, ldw, kernel_->mr);
  PackedMatrix out;
  out.rows = m_;
  out.depth = k_;
  out.mr = kernel_->mr;
  out.data = AlignedBuffer(static_cast<size_t>(panels * k_ * mr) * sizeof(float));
  float* dst = out.data.floats();
  for (int64_t k0 = 0; k0 < k_; k0 += kc_) {
    const int64_t kc = std::min(kc_, k_ - k0);
    for (int64_t p = 0; p < panels; ++p, dst += kc * mr)
      std::copy(by_panel.panel(p) + k0 * mr, by_panel.panel(p) + (k0 + kc) * mr, dst);
  }
  return out;
}

void ChannelGemm::run(const PackedMatrix& w, const BlockSource& b, const float* bias, float* y, int64_t ldy,
                      const BandEpilogue* epilogue, float* scratch, ThreadPool& pool) const {
  const F32GemmTKernel& kern = *kernel_;
  const int64_t mr = kern.mr, panels = ceil_div(m_, mr);
  float* shared = scratch;
  int64_t ld_dense = 0;
  const float* dense = b_in_place_ ? b.dense(&ld_dense) : nullptr;
  if (shared_b_)
    pool.run(ceil_div(k_, kc_), [&](int64_t kb, int) {
      const int64_t k0 = kb * kc_;
      b.pack(k0, std::min(kc_, k_ - k0), 0, n_, kPanelPixels, shared + k0 * nc_);
    });
  const size_t shared_bytes = shared_b_ ? block_bytes_ : 0, per_thread = (shared_b_ ? 0 : block_bytes_) + t_bytes_;
  pool.run(col_blocks_ * chunks_, [&](int64_t task, int thread) {
    const int64_t cb = task / chunks_, chunk = task % chunks_;
    const int64_t n0 = cb * nc_, nc = std::min(nc_, n_ - n0);
    const int64_t steps = ceil_div(m_, step_);
    const int64_t m0 = even_share(chunk, chunks_, steps) * step_;
    const int64_t m1 = std::min(m_, even_share(chunk + 1, chunks_, steps) * step_), ldt = chunk_channels_;
    uint8_t* mine = reinterpret_cast<uint8_t*>(scratch) + shared_bytes + thread * per_thread;
    float* own = reinterpret_cast<float*>(mine);  // this thread's packed block
    float* t = reinterpret_cast<float*>(mine + per_thread - t_bytes_);  // T[j][m - m0], row stride ldt
    for (int64_t k0 = 0; k0 < k_; k0 += kc_) {
      const int64_t kc = std::min(kc_, k_ - k0);
      // Panel q of the block: kc rows of kPanelPixels floats at
      // block + q * q_stride, row stride ldb.
      int64_t ldb = kPanelPixels, q_stride = kc * kPanelPixels;
      const float* block = own;
      if (dense != nullptr) {
        block = dense + k0 * ld_dense + n0;
        ldb = ld_dense;
        q_stride = 0;  // one call over the whole block (below)
      } else if (shared_b_) {
        block = shared + k0 * nc_;
      } else {
        b.pack(k0, kc, n0, nc, kPanelPixels, own);
      }
      for (int64_t p = m0 / mr; p * mr < m1; ++p) {
        const int64_t lo = std::max(m0, p * mr), hi = std::min(m1, p * mr + mr);  // this panel's channels
        const int64_t at = (k0 * panels + p * kc) * mr;
        const float* a = w.data.floats() + at + (lo - p * mr);
        // The next sub-panel is stored right after this one; the calls
        // request its kc x MR floats, inside the weights (at the end: none),
        // each its share, paced over its pixel tiles. A dense B's columns
        // are contiguous, so one call covers the whole block and the
        // requests spread over all its tiles (ResNet-18's layer4 shape, 49
        // pixels: 1-4% faster than a call per 16 pixels, development A/B).
        const float* next = at + 2 * kc * mr <= panels * k_ * mr ? w.data.floats() + at + kc * mr : nullptr;
        const int64_t span = dense != nullptr ? nc : kPanelPixels, calls = (nc + span - 1) / span;
        for (int64_t q = 0; q < calls; ++q) {
          const SubPanelShare share = sub_panel_share(next, kc, mr, q, calls);
          kern.fn(hi - lo, std::min<int64_t>(span, nc - q * span), kc, a, block + q * q_stride, ldb,
                  t + q * span * ldt + (lo - m0), ldt, bias && k0 == 0 ? bias + lo : nullptr, k0 > 0, share.at,
                  share.lines);
        }
      }
    }
    // T (pixels x channels) into Y (channels x pixels).
    transpose_->fn(static_cast<size_t>(nc), static_cast<size_t>(m1 - m0), t, static_cast<size_t>(ldt),
                   y + m0 * ldy + n0, static_cast<size_t>(ldy));
    if (epilogue) epilogue->apply(m0, m1 - m0, n0, nc);
  });
}

DenseWeightGemm::DenseWeightGemm(Isa isa, const float* w, int64_t m, int64_t k, int64_t n, int num_threads,
                                 bool b_in_place)
    : pool_(num_threads), m_(m), k_(k), n_(n) {
  const F32GemmKernel& kernel = f32_gemm_kernel(isa);
  w_ = pack_f32_gemm_weights(w, m, k, k, kernel.mr);
  gemm_.plan(kernel, m, k, n, num_threads, b_in_place);
  scratch_ = AlignedBuffer(gemm_.scratch_bytes());
}

void DenseWeightGemm::run(const float* b, const float* bias, float* y) {
  gemm_.run(w_, DenseSource(b, n_), bias, y, n_, nullptr, scratch_.floats(), pool_);
}

DenseChannelGemm::DenseChannelGemm(Isa isa, const float* w, int64_t m, int64_t k, int64_t n, int num_threads)
    : pool_(num_threads), kernel_(&f32_gemm_t_kernel_at_most(isa)), m_(m), k_(k), n_(n) {
  gemm_.plan(*kernel_, m, k, n, num_threads, /*b_in_place=*/true);
  w_ = gemm_.pack_weights(w, k);
  scratch_ = AlignedBuffer(gemm_.scratch_bytes());
}

void DenseChannelGemm::run(const float* b, const float* bias, float* y) {
  gemm_.run(w_, DenseSource(b, n_), bias, y, n_, nullptr, scratch_.floats(), pool_);
}

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
      const int64_t col0 = cc * chunk_cols_;
      const int64_t cols = std::min(chunk_cols_, n - col0);
      float* y = ops.y + b * m * n + row0 * n + col0;
      if (rows == 1 && g_.b_packed) {
        // One row (M = 1, classifiers): a matrix-vector product streaming
        // the packed B panels once, A read in place (any stride).
        const float* a_row = ops.a + a_off + row0 * g_.a_row;
        for (int64_t j = 0; j < cols; j += nr)
          kern.gemv(std::min(nr, cols - j), k, a_row, g_.a_col, ops.b + b_off + (col0 + j) * k, y + j);
      } else {
        if (batch_panel != packed) {
          pack_left_panel(ops.a + a_off + row0 * g_.a_row, g_.a_row, g_.a_col, rows, k, kern.mr, panel);
          packed = batch_panel;
        }
        if (g_.b_packed) {
          for (int64_t j = 0; j < cols; j += nr)
            kern.fn(rows, std::min(nr, cols - j), k, panel, ops.b + b_off + (col0 + j) * k, nr, y + j, n, nullptr,
                    nullptr);
        } else {
          kern.fn(rows, cols, k, panel, ops.b + b_off + col0, g_.ldb, y, n, nullptr, nullptr);
        }
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
