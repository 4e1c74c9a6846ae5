// ConvTranspose (ONNX opset 17, 2-D, NCHW): group, strides, pads, dilations,
// output_padding; weight [C_in, C_out / group, kh, kw] constant, bias optional.
// output_shape must have been resolved to pads by the converter.
//
// Method: per group, a GEMM computes for a block of input pixels the
// contribution of each pixel to every (output channel, ky, kx):
//   col[(co, ky, kx)][j] = sum_ci W[ci][co][ky][kx] * X[ci][pixel j]
// reading X in place; col2im then adds each col value to output pixel
//   (iy * sh - pad_top + ky * dh, ix * sw - pad_left + kx * dw).
// Tasks own disjoint ranges of output channels, so the scatter-adds never race.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/aligned_buffer.h"
#include "kernels/gemm.h"
#include "ops/window.h"

namespace edgecnn {

namespace {

// Multiply-adds below which the op runs as a single task.
constexpr int64_t kMinParallelMacs = int64_t{1} << 18;

class ConvTransposeOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 3, 2);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const Shape& w = ctx.input_shapes[1];
    if (x.size() != 4)
      throw UnsupportedError("only 2-D transposed convolution on NCHW input is supported, input is " + shape_str(x));
    if (w.size() != 4) throw FormatError("weight must be 4-D, is " + shape_str(w));
    if (ctx.attrs.has("output_shape"))
      throw UnsupportedError("the output_shape attribute (the converter should resolve it to pads)");
    const float* weights = ctx.require_constant(1, "weight");
    batch_ = x[0];
    in_c_ = x[1];
    in_h_ = x[2];
    in_w_ = x[3];
    groups_ = ctx.attrs.get_int("group", 1);
    if (groups_ < 1 || in_c_ % groups_ != 0)
      throw FormatError("group " + std::to_string(groups_) + " does not divide input channels " +
                        std::to_string(in_c_));
    if (w[0] != in_c_)
      throw FormatError("weight " + shape_str(w) + " does not match input channels " + std::to_string(in_c_));
    out_cg_ = w[1];
    out_c_ = out_cg_ * groups_;
    win_ = read_window2d(ctx.attrs, w[2], w[3], true);
    const std::vector<int64_t> out_pad = ctx.attrs.get_ints("output_padding", {0, 0});
    if (out_pad.size() != 2) throw FormatError("output_padding must have 2 values");
    for (int64_t v : out_pad)
      if (v < 0 || v > (1 << 16)) throw FormatError("output_padding must be in [0, 65536]");
    out_h_ = win_.sh * (in_h_ - 1) + out_pad[0] + (win_.kh - 1) * win_.dh + 1 - win_.pad_top - win_.pad_bottom;
    out_w_ = win_.sw * (in_w_ - 1) + out_pad[1] + (win_.kw - 1) * win_.dw + 1 - win_.pad_left - win_.pad_right;
    if (out_h_ < 1 || out_w_ < 1) throw FormatError("the pads leave an empty output");
    if (out_c_ > kMaxElements / batch_ || out_h_ > kMaxElements / (batch_ * out_c_) ||
        out_w_ > kMaxElements / (batch_ * out_c_ * out_h_))
      throw FormatError("the output would have more than 2^31 - 1 elements");
    ctx.output_shapes = {Shape{batch_, out_c_, out_h_, out_w_}};
    if (ctx.input_count() > 2 && ctx.present[2]) {
      if (ctx.input_shapes[2] != Shape{out_c_}) throw FormatError("bias must have shape [" + std::to_string(out_c_) + "]");
      bias_ = ctx.require_constant(2, "bias");
    }

    in_cg_ = in_c_ / groups_;
    taps_ = win_.kh * win_.kw;
    gemm_ = &f32_gemm_kernel(ctx.isa);
    // Output channels per task: enough tasks to occupy the threads when the
    // batch and groups alone do not.
    const int64_t pixels = in_h_ * in_w_;
    const int64_t macs = batch_ * in_c_ * out_cg_ * taps_ * pixels;
    int64_t chunks = 1;
    if (ctx.num_threads > 1 && macs >= kMinParallelMacs)
      chunks = std::min(out_cg_, std::max<int64_t>(1, (2 * ctx.num_threads + batch_ * groups_ - 1) / (batch_ * groups_)));
    chunk_c_ = (out_cg_ + chunks - 1) / chunks;
    chunks_ = (out_cg_ + chunk_c_ - 1) / chunk_c_;

    // packed_[g * chunks_ + k]: A = W_g^T restricted to the chunk's output
    // channels, rows (co, ky, kx), depth ci.
    std::vector<float> a;
    for (int64_t g = 0; g < groups_; ++g)
      for (int64_t k = 0; k < chunks_; ++k) {
        const int64_t c0 = k * chunk_c_, cn = std::min(chunk_c_, out_cg_ - c0);
        const int64_t rows = cn * taps_;
        a.assign(static_cast<size_t>(rows * in_cg_), 0.0f);
        for (int64_t ci = 0; ci < in_cg_; ++ci) {
          const float* src = weights + ((g * in_cg_ + ci) * out_cg_ + c0) * taps_;
          for (int64_t r = 0; r < rows; ++r) a[static_cast<size_t>(r * in_cg_ + ci)] = src[r];
        }
        packed_.push_back(pack_f32_gemm_weights(a.data(), rows, in_cg_, in_cg_, gemm_->mr));
      }

    // Pixel blocks: one thread's col block (chunk rows x block) should stay
    // around 256 KiB, within a typical L2.
    const int64_t rows_max = chunk_c_ * taps_;
    const int64_t nr = gemm_->nr;
    int64_t block = (65536 / std::max<int64_t>(rows_max, 1)) / nr * nr;
    block = std::clamp<int64_t>(block, nr, 1024);
    block_ = std::min(block, (pixels + nr - 1) / nr * nr);
    col_stride_bytes_ = round_up(static_cast<size_t>(rows_max * block_) * sizeof(float), 64);
    // Any pool thread may take a task, unless there is one task (run inline).
    const int64_t tasks = batch_ * groups_ * chunks_;
    scratch_bytes_ = static_cast<size_t>(tasks == 1 ? 1 : ctx.num_threads) * col_stride_bytes_;
  }

  size_t scratch_bytes() const override { return scratch_bytes_; }

  void run(const RunContext& ctx) const override {
    const int64_t pixels = in_h_ * in_w_;
    const int64_t out_pixels = out_h_ * out_w_;
    const float* x_all = ctx.inputs[0];
    float* y_all = ctx.outputs[0];
    ctx.pool.run(batch_ * groups_ * chunks_, [&](int64_t task, int thread) {
      const int64_t k = task % chunks_;
      const int64_t g = (task / chunks_) % groups_;
      const int64_t n = task / (chunks_ * groups_);
      const int64_t c0 = k * chunk_c_, cn = std::min(chunk_c_, out_cg_ - c0);
      const int64_t rows = cn * taps_;
      const PackedMatrix& a = packed_[static_cast<size_t>(g * chunks_ + k)];
      const float* x = x_all + (n * in_c_ + g * in_cg_) * pixels;
      const int64_t co0 = g * out_cg_ + c0;  // first output channel of the task
      float* y = y_all + (n * out_c_ + co0) * out_pixels;
      for (int64_t c = 0; c < cn; ++c)
        std::fill(y + c * out_pixels, y + (c + 1) * out_pixels, bias_ ? bias_[co0 + c] : 0.0f);
      float* col = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + thread * col_stride_bytes_);
      for (int64_t p0 = 0; p0 < pixels; p0 += block_) {
        const int64_t cols = std::min(block_, pixels - p0);
        for (int64_t p = 0; p < a.panel_count(); ++p) {
          const int64_t row0 = p * gemm_->mr;
          gemm_->fn(static_cast<size_t>(std::min<int64_t>(gemm_->mr, rows - row0)), static_cast<size_t>(cols),
                    static_cast<size_t>(in_cg_), a.panel(p), x + p0, static_cast<size_t>(pixels), col + row0 * cols,
                    static_cast<size_t>(cols), nullptr, nullptr);
        }
        col2im(col, rows, p0, cols, y);
      }
    });
  }

 private:
  // Adds col (rows x cols, rows = (c, ky, kx) of the task's channels, columns
  // = input pixels [p0, p0 + cols)) into the task's output channels y.
  void col2im(const float* col, int64_t rows, int64_t p0, int64_t cols, float* y) const {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t c = r / taps_, ky = (r % taps_) / win_.kw, kx = r % win_.kw;
      float* plane = y + c * out_h_ * out_w_;
      const float* src = col + r * cols;
      const int64_t x_off = kx * win_.dw - win_.pad_left;
      // Input columns whose output column ix * sw + x_off lies in [0, out_w).
      const int64_t ix_lo = x_off >= 0 ? 0 : (-x_off + win_.sw - 1) / win_.sw;
      const int64_t ix_hi = std::min(in_w_, out_w_ - x_off <= 0 ? 0 : (out_w_ - x_off + win_.sw - 1) / win_.sw);
      // Walk the block one input row segment at a time.
      for (int64_t j = 0; j < cols;) {
        const int64_t iy = (p0 + j) / in_w_, ix0 = (p0 + j) % in_w_;
        const int64_t len = std::min(cols - j, in_w_ - ix0);
        const int64_t oy = iy * win_.sh - win_.pad_top + ky * win_.dh;
        if (oy >= 0 && oy < out_h_) {
          float* out_row = plane + oy * out_w_;
          const float* in_seg = src + j;  // input columns [ix0, ix0 + len)
          const int64_t lo = std::max(ix0, ix_lo), hi = std::min(ix0 + len, ix_hi);
          for (int64_t ix = lo; ix < hi; ++ix) out_row[ix * win_.sw + x_off] += in_seg[ix - ix0];
        }
        j += len;
      }
    }
  }

  int64_t batch_ = 0, in_c_ = 0, in_h_ = 0, in_w_ = 0, out_c_ = 0, out_h_ = 0, out_w_ = 0;
  int64_t groups_ = 1, in_cg_ = 0, out_cg_ = 0, taps_ = 1;
  int64_t chunk_c_ = 1, chunks_ = 1, block_ = 0;
  Window2d win_;
  const float* bias_ = nullptr;
  const F32GemmKernel* gemm_ = nullptr;
  std::vector<PackedMatrix> packed_;
  size_t col_stride_bytes_ = 0, scratch_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_ConvTransposeOp() { return std::make_unique<ConvTransposeOp>(); }

}  // namespace edgecnn
