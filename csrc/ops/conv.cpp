// Conv (ONNX semantics, 2-D, NCHW) with the fused epilogue of docs/format.md:
// bias, activation, and a residual input R added before or after it.
//
// Paths, chosen at prepare:
//   depthwise  groups == C_in == C_out: direct sliding window per channel.
//   pointwise  1x1, stride 1, no padding: no im2col; B is the input map
//              X[c_in, H*W], a column block of which is copied contiguously.
//   general    im2col of a block of output columns into per-thread scratch,
//              then GEMM against the weights packed at load.
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "kernels/gemm.h"
#include "ops/activation.h"
#include "ops/window.h"

namespace edgecnn {

namespace {

enum class ConvPath { kDepthwise, kPointwise, kGeneral };

class ConvOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 4, 2);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const Shape& w = ctx.input_shapes[1];
    if (x.size() != 4) throw UnsupportedError("only 2-D convolution on NCHW input is supported, input is " + shape_str(x));
    if (w.size() != 4) throw FormatError("weight must be 4-D, is " + shape_str(w));
    const float* weights = ctx.require_constant(1, "weight");
    batch_ = x[0];
    in_c_ = x[1];
    in_h_ = x[2];
    in_w_ = x[3];
    out_c_ = w[0];
    groups_ = ctx.attrs.get_int("group", 1);
    if (groups_ < 1 || in_c_ % groups_ != 0 || out_c_ % groups_ != 0)
      throw FormatError("group " + std::to_string(groups_) + " does not divide input channels " +
                        std::to_string(in_c_) + " and output channels " + std::to_string(out_c_));
    if (w[1] * groups_ != in_c_)
      throw FormatError("weight " + shape_str(w) + " does not match input channels " + std::to_string(in_c_) +
                        " with group " + std::to_string(groups_));
    win_ = read_window2d(ctx.attrs, w[2], w[3], true);
    out_h_ = Window2d::output_extent(in_h_, win_.kh, win_.sh, win_.dh, win_.pad_top, win_.pad_bottom, false);
    out_w_ = Window2d::output_extent(in_w_, win_.kw, win_.sw, win_.dw, win_.pad_left, win_.pad_right, false);
    if (out_h_ < 1 || out_w_ < 1)
      throw FormatError("the kernel does not fit the padded input " + shape_str(x));
    ctx.output_shapes = {Shape{batch_, out_c_, out_h_, out_w_}};

    if (ctx.input_count() > 2 && ctx.present[2]) {
      if (ctx.input_shapes[2] != Shape{out_c_}) throw FormatError("bias must have shape [" + std::to_string(out_c_) + "]");
      bias_ = ctx.require_constant(2, "bias");
    }
    has_residual_ = ctx.input_count() > 3 && ctx.present[3];
    if (has_residual_ && ctx.input_shapes[3] != ctx.output_shapes[0])
      throw FormatError("residual input " + shape_str(ctx.input_shapes[3]) + " must have the output shape " +
                        shape_str(ctx.output_shapes[0]));
    residual_after_activation_ = ctx.attrs.get_int("residual_after_activation", 0) != 0;
    act_ = make_activation(ctx.attrs.get_string("activation", ""), ctx.attrs.has("activation_alpha"),
                           ctx.attrs.get_float("activation_alpha", 0.0f), ctx.attrs.has("activation_beta"),
                           ctx.attrs.get_float("activation_beta", 0.0f), ctx.isa);

    const int64_t in_cg = in_c_ / groups_;
    out_cg_ = out_c_ / groups_;
    depth_ = in_cg * win_.kh * win_.kw;
    if (groups_ == in_c_ && groups_ == out_c_) {
      path_ = ConvPath::kDepthwise;
      dw_weights_.assign(weights, weights + out_c_ * win_.kh * win_.kw);
      return;
    }
    const bool unit_window = win_.kh == 1 && win_.kw == 1 && win_.sh == 1 && win_.sw == 1;
    const bool unpadded = win_.pad_top == 0 && win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
    path_ = unit_window && unpadded ? ConvPath::kPointwise : ConvPath::kGeneral;
    gemm_ = &f32_gemm_kernel(ctx.isa);
    for (int64_t g = 0; g < groups_; ++g)
      packed_.push_back(pack_f32_gemm_weights(weights + g * out_cg_ * depth_, out_cg_, depth_, depth_, gemm_->mr));

    // Column blocks: a block of B (depth x block floats) should stay in about
    // a quarter of a typical L2 (1 MiB) while the weight panels stream.
    const int64_t pixels = out_h_ * out_w_;
    const int64_t nr = gemm_->nr;
    int64_t block = (65536 / std::max<int64_t>(depth_, 1)) / nr * nr;
    block = std::clamp<int64_t>(block, nr, 512);
    block_ = std::min(block, (pixels + nr - 1) / nr * nr);
    num_threads_ = ctx.num_threads;
    scratch_bytes_ = static_cast<size_t>(num_threads_) * round_up(depth_ * block_ * sizeof(float), 64);
  }

  size_t scratch_bytes() const override { return scratch_bytes_; }

  void run(const RunContext& ctx) const override {
    if (path_ == ConvPath::kDepthwise) {
      run_depthwise(ctx);
    } else {
      run_gemm(ctx);
    }
  }

 private:
  // im2col of output columns [col0, col0 + cols) for one image and group:
  // col[k][j] (row stride cols) with k = (c, ky, kx) row-major and j the
  // column in the block; zero where the window reads padding. Each output row
  // crossed by the block is one segment, whose valid input span is computed
  // once, so the inner loop is a plain (strided) copy.
  void im2col(const float* x, int64_t col0, int64_t cols, float* col) const {
    const int64_t in_cg = in_c_ / groups_;
    for (int64_t c = 0; c < in_cg; ++c) {
      const float* plane = x + c * in_h_ * in_w_;
      for (int64_t ky = 0; ky < win_.kh; ++ky)
        for (int64_t kx = 0; kx < win_.kw; ++kx) {
          float* row = col + ((c * win_.kh + ky) * win_.kw + kx) * cols;
          const int64_t x_shift = kx * win_.dw - win_.pad_left;  // ix = ox * sw + x_shift
          // Output columns whose ix lies in [0, in_w): ox in [ox_lo, ox_hi).
          const int64_t ox_lo = x_shift >= 0 ? 0 : (-x_shift + win_.sw - 1) / win_.sw;
          const int64_t ox_hi =
              in_w_ - x_shift <= 0 ? 0 : std::min(out_w_, (in_w_ - x_shift + win_.sw - 1) / win_.sw);
          int64_t j = 0;
          int64_t pixel = col0;
          while (j < cols) {
            const int64_t oy = pixel / out_w_, ox0 = pixel % out_w_;
            const int64_t n = std::min(cols - j, out_w_ - ox0);
            const int64_t iy = oy * win_.sh - win_.pad_top + ky * win_.dh;
            float* dst = row + j;
            if (iy < 0 || iy >= in_h_) {
              std::fill(dst, dst + n, 0.0f);
            } else {
              const float* src_row = plane + iy * in_w_;
              const int64_t a = std::clamp(ox_lo, ox0, ox0 + n), b = std::clamp(ox_hi, a, ox0 + n);
              std::fill(dst, dst + (a - ox0), 0.0f);
              if (win_.sw == 1) {
                std::copy(src_row + a + x_shift, src_row + b + x_shift, dst + (a - ox0));
              } else {
                for (int64_t ox = a; ox < b; ++ox) dst[ox - ox0] = src_row[ox * win_.sw + x_shift];
              }
              std::fill(dst + (b - ox0), dst + n, 0.0f);
            }
            j += n;
            pixel += n;
          }
        }
    }
  }

  // The pointwise path's B block: rows of the input map, copied so the GEMM
  // reads rows `cols` apart instead of a whole feature map apart (large
  // strides alias in the cache and TLB).
  void copy_rows(const float* x, int64_t col0, int64_t cols, float* col) const {
    const int64_t pixels = in_h_ * in_w_;
    for (int64_t k = 0; k < depth_; ++k) std::copy(x + k * pixels + col0, x + k * pixels + col0 + cols, col + k * cols);
  }

  void run_gemm(const RunContext& ctx) const {
    const int64_t pixels = out_h_ * out_w_;
    const int64_t col_blocks = (pixels + block_ - 1) / block_;
    const int64_t panels = packed_[0].panel_count();
    // Split the weight panels too when there are fewer column blocks than
    // threads (late layers: few pixels, many channels).
    const int64_t row_chunks =
        std::min<int64_t>(panels, std::max<int64_t>(1, (2 * num_threads_ + col_blocks - 1) / col_blocks));
    const int64_t panels_per_chunk = (panels + row_chunks - 1) / row_chunks;
    const float* x_all = ctx.inputs[0];
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    float* y_all = ctx.outputs[0];
    const int64_t in_cg = in_c_ / groups_;
    for (int64_t n = 0; n < batch_; ++n)
      for (int64_t g = 0; g < groups_; ++g) {
        const float* x = x_all + (n * in_c_ + g * in_cg) * in_h_ * in_w_;
        const int64_t out_offset = (n * out_c_ + g * out_cg_) * pixels;
        float* y = y_all + out_offset;
        const float* r = r_all ? r_all + out_offset : nullptr;
        const PackedMatrix& w = packed_[g];
        ctx.pool.run(col_blocks * row_chunks, [&](int64_t task, int thread) {
          const int64_t cb = task / row_chunks, rc = task % row_chunks;
          const int64_t col0 = cb * block_;
          const int64_t cols = std::min(block_, pixels - col0);
          float* col = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) +
                                                thread * round_up(depth_ * block_ * sizeof(float), 64));
          if (path_ == ConvPath::kPointwise) {
            copy_rows(x, col0, cols, col);
          } else {
            im2col(x, col0, cols, col);
          }
          const float* b = col;
          const int64_t ldb = cols;
          const int64_t p_end = std::min(panels, (rc + 1) * panels_per_chunk);
          for (int64_t p = rc * panels_per_chunk; p < p_end; ++p) {
            const int64_t row0 = p * gemm_->mr;
            const int64_t rows = std::min<int64_t>(gemm_->mr, out_cg_ - row0);
            gemm_->fn(rows, cols, depth_, w.panel(p), b, ldb, y + row0 * pixels + col0, pixels,
                      bias_ ? bias_ + g * out_cg_ + row0 : nullptr);
            if (act_.kind() != Activation::kNone || r)
              for (int64_t i = 0; i < rows; ++i) {
                const int64_t at = (row0 + i) * pixels + col0;
                apply_epilogue(act_, y + at, r ? r + at : nullptr, residual_after_activation_, cols);
              }
          }
        });
      }
  }

  void run_depthwise(const RunContext& ctx) const {
    const float* x_all = ctx.inputs[0];
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    float* y_all = ctx.outputs[0];
    const int64_t pixels = out_h_ * out_w_;
    ctx.pool.run(batch_ * out_c_, [&](int64_t task, int) {
      const int64_t c = task % out_c_;
      const float* x = x_all + task * in_h_ * in_w_;
      float* y = y_all + task * pixels;
      const float* k = dw_weights_.data() + c * win_.kh * win_.kw;
      const float b = bias_ ? bias_[c] : 0.0f;
      for (int64_t oy = 0; oy < out_h_; ++oy)
        for (int64_t ox = 0; ox < out_w_; ++ox) {
          float acc = b;
          for (int64_t ky = 0; ky < win_.kh; ++ky) {
            const int64_t iy = oy * win_.sh - win_.pad_top + ky * win_.dh;
            if (iy < 0 || iy >= in_h_) continue;
            for (int64_t kx = 0; kx < win_.kw; ++kx) {
              const int64_t ix = ox * win_.sw - win_.pad_left + kx * win_.dw;
              if (ix < 0 || ix >= in_w_) continue;
              acc += x[iy * in_w_ + ix] * k[ky * win_.kw + kx];
            }
          }
          y[oy * out_w_ + ox] = acc;
        }
      apply_epilogue(act_, y, r_all ? r_all + task * pixels : nullptr, residual_after_activation_, pixels);
    });
  }

  int64_t batch_ = 0, in_c_ = 0, in_h_ = 0, in_w_ = 0, out_c_ = 0, out_h_ = 0, out_w_ = 0;
  int64_t groups_ = 1, out_cg_ = 0, depth_ = 0, block_ = 0;
  int num_threads_ = 1;
  Window2d win_;
  ConvPath path_ = ConvPath::kGeneral;
  const float* bias_ = nullptr;
  bool has_residual_ = false;
  bool residual_after_activation_ = false;
  ActivationParams act_;
  const F32GemmKernel* gemm_ = nullptr;
  std::vector<PackedMatrix> packed_;
  std::vector<float> dw_weights_;
  size_t scratch_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_ConvOp() { return std::make_unique<ConvOp>(); }

}  // namespace edgecnn
