// Conv (ONNX semantics, 2-D, NCHW) with the fused epilogue of docs/format.md:
// bias, activation, and a residual input R added before or after it.
//
// Paths, chosen at prepare:
//   depthwise  groups == C_in == C_out. 3x3 and 5x5 windows with equal
//              strides 1 or 2 and no dilation: the kernels of
//              kernels/dwconv.h, one channel plane at a time, the epilogue
//              applied to the plane while it is in cache. Others: the direct
//              sliding window per channel (also the reference).
//   pointwise  1x1, stride 1, no padding: no im2col; B is the input map
//              X[c_in, H*W], whose blocks are copied into panels.
//   general    im2col, written block by block straight into the panel
//              layout of the GEMM's B blocks.
// Both GEMM paths run WeightGemm (ops/gemm_driver.h) against the weights
// packed at load; the epilogue runs on each finished band of rows.
#include <algorithm>
#include <cstring>

#include "core/aligned_buffer.h"
#include "kernels/dwconv.h"
#include "kernels/gemm.h"
#include "ops/activation.h"
#include "ops/gemm_driver.h"
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
      const bool square = win_.kh == win_.kw && win_.sh == win_.sw && win_.dh == 1 && win_.dw == 1;
      dw_kernel_ = square ? f32_dwconv_kernel(ctx.isa, static_cast<int>(win_.kh), static_cast<int>(win_.sh)) : nullptr;
      if (dw_kernel_ != nullptr) {
        dw_plane_ = DwconvPlane{in_h_, in_w_, out_h_, out_w_, win_.pad_top, win_.pad_left, dw_kernel_->k, dw_kernel_->s};
        scratch_bytes_ = static_cast<size_t>(ctx.num_threads) *
                         round_up(static_cast<size_t>(dw_plane_.scratch_floats()) * sizeof(float), 64);
      }
      return;
    }
    const bool unit_window = win_.kh == 1 && win_.kw == 1 && win_.sh == 1 && win_.sw == 1;
    const bool unpadded = win_.pad_top == 0 && win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
    path_ = unit_window && unpadded ? ConvPath::kPointwise : ConvPath::kGeneral;
    gemm_ = &f32_gemm_kernel(ctx.isa);
    for (int64_t g = 0; g < groups_; ++g)
      packed_.push_back(pack_f32_gemm_weights(weights + g * out_cg_ * depth_, out_cg_, depth_, depth_, gemm_->mr));

    wgemm_.plan(*gemm_, out_cg_, depth_, out_h_ * out_w_, ctx.num_threads);
    scratch_bytes_ = wgemm_.scratch_bytes();
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
  // im2col of rows [k0, k0 + kc) and output columns [n0, n0 + nc) of one
  // image and group into WeightGemm's block layout (ops/gemm_driver.h):
  // B(k, j) with k = (c, ky, kx) row-major and j the output pixel; 0 where
  // the window reads padding. Each output row crossed by the block is cut at
  // the panel boundaries into runs whose valid input span is computed once,
  // so the inner loops are plain (strided) copies.
  void im2col(const float* x, int64_t k0, int64_t kc, int64_t n0, int64_t nc, int64_t nr, float* block) const {
    const int64_t window = win_.kh * win_.kw;
    for (int64_t kk = k0; kk < k0 + kc; ++kk) {
      const int64_t c = kk / window, ky = kk % window / win_.kw, kx = kk % win_.kw;
      const float* plane = x + c * in_h_ * in_w_;
      float* row = block + (kk - k0) * nr;  // + panel * kc * nr + column in panel
      const int64_t x_shift = kx * win_.dw - win_.pad_left;  // ix = ox * sw + x_shift
      // Output columns whose ix lies in [0, in_w): ox in [ox_lo, ox_hi).
      const int64_t ox_lo = x_shift >= 0 ? 0 : (-x_shift + win_.sw - 1) / win_.sw;
      const int64_t ox_hi = in_w_ - x_shift <= 0 ? 0 : std::min(out_w_, (in_w_ - x_shift + win_.sw - 1) / win_.sw);
      int64_t j = 0;
      int64_t oy = n0 / out_w_, ox = n0 % out_w_;
      while (j < nc) {
        const int64_t n = std::min({nc - j, out_w_ - ox, nr - j % nr});
        float* dst = row + (j / nr) * kc * nr + j % nr;
        const int64_t iy = oy * win_.sh - win_.pad_top + ky * win_.dh;
        if (iy < 0 || iy >= in_h_) {
          std::fill(dst, dst + n, 0.0f);
        } else {
          const float* src_row = plane + iy * in_w_;
          const int64_t a = std::clamp(ox_lo, ox, ox + n), b = std::clamp(ox_hi, a, ox + n);
          std::fill(dst, dst + (a - ox), 0.0f);
          if (win_.sw == 1) {
            std::copy(src_row + a + x_shift, src_row + b + x_shift, dst + (a - ox));
          } else {
            for (int64_t o = a; o < b; ++o) dst[o - ox] = src_row[o * win_.sw + x_shift];
          }
          std::fill(dst + (b - ox), dst + n, 0.0f);
        }
        j += n;
        ox += n;
        if (ox == out_w_) {
          ox = 0;
          ++oy;
        }
      }
    }
  }

  // B blocks of one image and group: im2col, or rows of the input map (1x1).
  class Source final : public BlockSource {
   public:
    Source(const ConvOp& op, const float* x) : op_(op), x_(x) {}
    void pack(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* block) const override {
      if (op_.path_ == ConvPath::kGeneral) {
        op_.im2col(x_, k0, kc, n0, nc, nr, block);
        return;
      }
      const int64_t pixels = op_.in_h_ * op_.in_w_;
      for (int64_t q = 0; q * nr < nc; ++q) {
        const int64_t cols = std::min<int64_t>(nr, nc - q * nr);
        float* dst = block + q * kc * nr;
        for (int64_t kk = k0; kk < k0 + kc; ++kk, dst += nr) {
          const float* src = x_ + kk * pixels + n0 + q * nr;
          std::copy(src, src + cols, dst);
        }
      }
    }

   private:
    const ConvOp& op_;
    const float* x_;
  };

  // Activation and residual on each finished band of output rows.
  class Epilogue final : public BandEpilogue {
   public:
    Epilogue(const ConvOp& op, float* y, const float* r, int64_t ld) : op_(op), y_(y), r_(r), ld_(ld) {}
    void apply(int64_t row0, int64_t rows, int64_t n0, int64_t nc) const override {
      for (int64_t i = row0; i < row0 + rows; ++i)
        apply_epilogue(op_.act_, y_ + i * ld_ + n0, r_ ? r_ + i * ld_ + n0 : nullptr, op_.residual_after_activation_,
                       static_cast<size_t>(nc));
    }

   private:
    const ConvOp& op_;
    float* y_;
    const float* r_;
    int64_t ld_;
  };

  void run_gemm(const RunContext& ctx) const {
    const int64_t pixels = out_h_ * out_w_;
    const float* x_all = ctx.inputs[0];
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    float* y_all = ctx.outputs[0];
    const int64_t in_cg = in_c_ / groups_;
    const bool epilogue = act_.kind() != Activation::kNone || r_all != nullptr;
    for (int64_t n = 0; n < batch_; ++n)
      for (int64_t g = 0; g < groups_; ++g) {
        const int64_t out_offset = (n * out_c_ + g * out_cg_) * pixels;
        const Source source(*this, x_all + (n * in_c_ + g * in_cg) * in_h_ * in_w_);
        const Epilogue ep(*this, y_all + out_offset, r_all ? r_all + out_offset : nullptr, pixels);
        wgemm_.run(packed_[g], source, bias_ ? bias_ + g * out_cg_ : nullptr, y_all + out_offset, pixels,
                   epilogue ? &ep : nullptr, ctx.scratch, ctx.pool);
      }
  }

  void run_depthwise(const RunContext& ctx) const {
    const float* x_all = ctx.inputs[0];
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    float* y_all = ctx.outputs[0];
    const int64_t pixels = out_h_ * out_w_;
    if (dw_kernel_ != nullptr) {
      const size_t scratch_stride = round_up(static_cast<size_t>(dw_plane_.scratch_floats()) * sizeof(float), 64);
      ctx.pool.run(batch_ * out_c_, [&](int64_t task, int thread) {
        const int64_t c = task % out_c_;
        float* scratch = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + thread * scratch_stride);
        float* y = y_all + task * pixels;
        dw_kernel_->fn(&dw_plane_, x_all + task * in_h_ * in_w_, dw_weights_.data() + c * win_.kh * win_.kw,
                       bias_ ? bias_[c] : 0.0f, scratch, y);
        // The plane is still in L1/L2: one epilogue call per channel.
        if (act_.kind() != Activation::kNone || r_all)
          apply_epilogue(act_, y, r_all ? r_all + task * pixels : nullptr, residual_after_activation_, pixels);
      });
      return;
    }
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
  int64_t groups_ = 1, out_cg_ = 0, depth_ = 0;
  Window2d win_;
  ConvPath path_ = ConvPath::kGeneral;
  const float* bias_ = nullptr;
  bool has_residual_ = false;
  bool residual_after_activation_ = false;
  ActivationParams act_;
  const F32GemmKernel* gemm_ = nullptr;
  std::vector<PackedMatrix> packed_;
  WeightGemm wgemm_;
  std::vector<float> dw_weights_;
  const F32DwconvKernel* dw_kernel_ = nullptr;
  DwconvPlane dw_plane_;
  size_t scratch_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_ConvOp() { return std::make_unique<ConvOp>(); }

}  // namespace edgecnn
