// Conv (ONNX semantics, 2-D, NCHW) with the fusions of docs/format.md: an
// input channel scale S (1x1 only: y = conv(x · S[c]), squeeze-and-
// excitation), bias, activation, and a residual input R added before or
// after it.
//
// Paths, chosen at prepare:
//   depthwise  groups == C_in == C_out. 3x3 and 5x5 windows with equal
//              strides 1 or 2 and equal dilations: the kernels of
//              kernels/dwconv.h. Where the tier has a channel-lane kernel
//              (AVX-512), 16 channels per call, transposed into vector
//              lanes and back inside it, in bands of output rows (the
//              activation inside the kernel; a residual after it). Else
//              one channel plane at a time (several small planes per
//              task), the epilogue applied while the plane is in cache.
//              Others: the direct sliding window per channel (also the
//              reference).
//   pointwise  1x1, no padding: B is the input map X[c_in, H*W] itself,
//              read in place by the indirect GEMM kernel (row k at offset
//              k*H*W), tile by tile of output pixels; with a stride, the
//              strided pixels are gathered into scratch first. Few pixel
//              tiles for the threads: the output channels are split too.
//              A channel scale S multiplies the packed weights' K rows
//              into scratch per batch item (W · diag(S)).
//   winograd   3x3, stride 1, no dilation, enough channels, on tiers with
//              vector transforms: F(4x4, 3x3) or F(2x2, 3x3)
//              (kernels/winograd.h), 36 or 16 GEMMs per block of tiles
//              against weights transformed and packed at load (layout at
//              plan_winograd).
//   direct     other windows with strides <= 2, when the estimate below
//              favors it: a zero-padded, phase-split copy of the input,
//              read in place by the indirect GEMM kernel (layout below);
//              with at least 128 output channels, or on a small map
//              (below), on tiers with a channel-lane kernel, by its
//              indirect form (run_direct_lanes).
//   general    im2col, written block by block straight into the panel
//              layout of WeightGemm's B blocks (ops/gemm_driver.h).
//   vector     1x1 on a one-pixel map (squeeze-and-excitation): the GEMV
//              kernel over W^T packed at load.
//   channels   small maps (7x7, 14x14) whose pixels fill vectors poorly:
//              B blocks as for general (or 1x1 rows), multiplied by
//              ChannelGemm with the vector lanes over output channels.
//              Windows with strides <= 2 take the direct path's channel
//              lanes instead.
// All run against the weights packed at load; the epilogue (bias in the
// kernel, then activation and residual) runs on each finished band, or, on
// the pointwise and row-tiled direct paths, inside the kernel as it stores
// (post_in_kernel_).
#include <algorithm>
#include <cstring>
#include <limits>

#include "core/aligned_buffer.h"
#include "kernels/dwconv.h"
#include "kernels/gemm.h"
#include "kernels/im2col.h"
#include "kernels/transpose.h"
#include "kernels/winograd.h"
#include "ops/activation.h"
#include "ops/gemm_driver.h"
#include "ops/parallel_for.h"
#include "ops/window.h"

namespace edgecnn {

namespace {

enum class ConvPath { kDepthwise, kPointwise, kGeneral, kDirect, kChannels, kWinograd, kVector };

// Winograd blocks: kWinoTiles m x m output tiles (in row-major tile order,
// possibly spanning tile rows) go through the 16 GEMMs together; 48 is the
// widest GEMM tile (AVX-512) and a multiple of the others.
constexpr int64_t kWinoTiles = 48;
// Winograd layers of at most this many tiles on several threads split the
// output channels (all tiles one block, plan_winograd); more tiles split
// the tiles.
constexpr int64_t kWinoChannelSplitTiles = 64;

// Channel-lane depthwise works in bands of output rows whose strided output
// buffer (16 channels per element) holds about this many elements (64 KiB),
// so that a band's scratch stays in L2.
constexpr int64_t kDwLanesBandElements = 1024;
// Pointwise -> depthwise fusion (ConvOp::fuse_producer): where the
// pointwise output is at least kFuseMinBytes, in bands whose pointwise rows
// (all channels) take about kFuseBandBytes, at least kFuseBandsPerThread
// bands per thread, the pointwise GEMM in column blocks of about
// kFuseColumnBlock pixels.
constexpr size_t kFuseMinBytes = size_t{8} << 20;
// Depthwise -> pointwise fusion: where the depthwise output is at least
// kFuseDepthwiseMinBytes and either the pointwise depth is at most
// kFuseDepthwiseShortDepth (a projection that mostly reads its input: the
// fusion saves that input's round trip) or the output is at least
// kFuseDepthwiseLargeBytes (from L3 or memory unfused). Zen 4, one thread,
// best of 16 profile means per pair: MobileNetV2's and MobileNetV3's
// 112x112 pairs (depth 32 and 16, 1.6 and 0.8 MB) 14-20% faster, LRASPP's
// 16-channel pair at 260x260 (4.3 MB) 25%, its 72 -> 24 at 130x130 (4.9
// MB) 22%; deeper projections on smaller maps even to 10% slower
// (144 -> 24 and 64 -> 24 at 56x56, 184-200 -> 80 at 33x33).
constexpr size_t kFuseDepthwiseMinBytes = size_t{512} << 10;
constexpr int64_t kFuseDepthwiseShortDepth = 32;
constexpr size_t kFuseDepthwiseLargeBytes = size_t{4} << 20;
constexpr size_t kFuseBandBytes = size_t{768} << 10;
constexpr int64_t kFuseColumnBlock = 256;
constexpr int64_t kFuseBandsPerThread = 4;
// Depthwise convs with outputs at least this wide (3x3 stride 2 and
// undilated 5x5 stride 2 or 3x3 stride 1) stay plane by plane: the AVX-512
// per-plane kernel's rows mode reads such rows in place (kRowsMinWidth there).
// 3x3 stride 1 from 14: MobileNetV2's layers at 14x14 13-16% faster than in
// channel lanes (Zen 4 host, one-node models); at 7x7 the lanes stay, 1.8x
// faster there.
constexpr int64_t kDwPlaneRowsMinWidth[3] = {0, 14, 12};  // by stride

// The direct path works band by band of output rows. A band's input is
// copied into per-thread scratch (sized to stay in L2) as Sh x Sw phases
// (Sh, Sw the strides) of the zero-padded plane P (P[r][c] = x[r - pad_top]
// [c - pad_left]); for the band starting at output row oy0, phase (py, px)
// holds P[py + Sh*(oy0 + i)][px + Sw*j] at
//   channel*chan_stride + (py*Sw + px)*phase_stride + i*ld + j,  i < rows, j < ld,
// with ld = out_w + (kw-1)*dw/Sw and rows = band + (kh-1)*dh/Sh. Tap
// (c, ky, kx) of output (oy0 + i, ox) is P[(oy0 + i)*Sh + ky*dh][ox*Sw + kx*dw],
// which lies in phase ((ky*dh) % Sh, (kx*dw) % Sw) at
//   p + koff(c, ky, kx),  p = i*ld + ox,  koff = (ky*dh/Sh)*ld + kx*dw/Sw (+ phase, channel).
// So over the flat index p the band is one GEMM whose B rows are contiguous
// runs of the copy: the indirect GEMM kernel reads them in place, and the
// input is read from memory once. Two tilings of p:
//   rows  tiles within an output row, written straight into Y; for maps
//         whose rows fill whole vectors (out_w a multiple of 16, or wide).
//   flat  tiles across rows over every p < (band-1)*ld + out_w, into a
//         scratch buffer of row stride ld (the ld - out_w columns between
//         rows are discarded), copied out with the epilogue; for narrow maps.
struct PaddedInput {
  int64_t band = 1;  // output rows per band (the last may be shorter)
  int64_t rows = 0, ld = 0, phase_stride = 0, chan_stride = 0;
  bool rows_tiling = false;
  size_t input_bytes = 0, output_bytes = 0;  // per-thread scratch: the copy, the flat outputs
};

class ConvOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 5, 2);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const Shape& w = ctx.input_shapes[1];
    if (x.size() != 4) throw UnsupportedError("only 2-D convolution on NCHW input is supported, input is " + shape_str(x));
    if (w.size() != 4) throw FormatError("weight must be 4-D, is " + shape_str(w));
    const float* weights = ctx.require_constant(1, "weight");
    num_threads_ = ctx.num_threads;
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
    has_scale_ = ctx.input_count() > 4 && ctx.present[4];
    if (has_scale_) {
      const Shape& s = ctx.input_shapes[4];
      if (s.size() != 4 || (s[0] != 1 && s[0] != batch_) || s[1] != in_c_ || s[2] != 1 || s[3] != 1)
        throw FormatError("channel scale input " + shape_str(s) + " must have shape [1 or " + std::to_string(batch_) +
                          ", " + std::to_string(in_c_) + ", 1, 1]");
      const bool unit = w[2] == 1 && w[3] == 1 && win_.sh == 1 && win_.sw == 1 && win_.pad_top == 0 &&
                        win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
      if (!unit || groups_ != 1)
        throw FormatError("a channel scale input needs an ungrouped 1x1 Conv with stride 1 and no padding");
      scale_per_item_ = s[0] > 1;
    }
    residual_after_activation_ = ctx.attrs.get_int("residual_after_activation", 0) != 0;
    act_ = make_activation(ctx.attrs.get_string("activation", ""), ctx.attrs.has("activation_alpha"),
                           ctx.attrs.get_float("activation_alpha", 0.0f), ctx.attrs.has("activation_beta"),
                           ctx.attrs.get_float("activation_beta", 0.0f), ctx.isa);
    const Activation kind = act_.kind();
    const bool clamp = kind == Activation::kRelu || kind == Activation::kClip;
    post_in_kernel_ = clamp || (kind == Activation::kNone && has_residual_) ||
                      (kind != Activation::kNone && !(has_residual_ && residual_after_activation_));

    const int64_t in_cg = in_c_ / groups_;
    out_cg_ = out_c_ / groups_;
    depth_ = in_cg * win_.kh * win_.kw;
    if (groups_ == in_c_ && groups_ == out_c_ && !has_scale_) {
      path_ = ConvPath::kDepthwise;
      dw_weights_.assign(weights, weights + out_c_ * win_.kh * win_.kw);
      const bool square = win_.kh == win_.kw && win_.sh == win_.sw && win_.dh == win_.dw;
      dw_kernel_ = square ? f32_dwconv_kernel(ctx.isa, static_cast<int>(win_.kh), static_cast<int>(win_.sh)) : nullptr;
      if (dw_kernel_ != nullptr) {
        dw_plane_ = DwconvPlane{in_h_, in_w_, out_h_, out_w_, win_.pad_top, win_.pad_left, dw_kernel_->k, dw_kernel_->s,
                                win_.dh};
        // A ReLU or Clip epilogue is the kernels' store clamp, not a pass
        // of its own over the plane (without that pass MobileNetV2's
        // per-plane depthwise layers ran 12-15% faster; with the clamp the
        // network runs 2.8% faster; AVX-512, Zen 4, development A/B).
        const float inf = std::numeric_limits<float>::infinity();
        const Activation kind = act_.kind();
        dw_clamp_is_epilogue_ =
            !has_residual_ && (kind == Activation::kNone || kind == Activation::kRelu || kind == Activation::kClip);
        dw_clamp_ = !dw_clamp_is_epilogue_      ? DwconvClamp{-inf, inf}
                    : kind == Activation::kRelu ? DwconvClamp{0.0f, inf}
                    : kind == Activation::kClip ? DwconvClamp{act_.spec.alpha, act_.spec.beta}
                                                : DwconvClamp{-inf, inf};
        // Channel lanes where the tier has them, except on wide maps for
        // 3x3 stride 2, undilated 5x5 stride 2 and undilated 3x3 stride 1:
        // there the per-plane kernel reads the input in place, with no copy
        // or transposes, and measured faster (MobileNetV2 and
        // EfficientNet-B0 at 112, 56 and 28, and stride 2 at 14: 3x3
        // stride 1 5-21%, stride 2 at 14 30-40%, 5x5 stride 2 10%; 5x5
        // stride 1, and 3x3 stride 1 at 14, were slower than the lanes).
        const bool undilated = win_.dh == 1;
        const bool rows_kernel =
            out_w_ >= kDwPlaneRowsMinWidth[dw_plane_.s] && (dw_plane_.s == 2 ? dw_plane_.k == 3 || undilated
                                                                : dw_plane_.k == 3 && undilated);
        dw_lanes_ = rows_kernel ? nullptr : f32_dwconv_lanes_kernel(ctx.isa);
        size_t floats = static_cast<size_t>(dw_plane_.scratch_floats());
        if (dw_lanes_ != nullptr) {
          plan_dw_bands();
          // Each band's phase planes repeat the window's reach in rows; a
          // dilation taller than the bands would fill them once per band
          // (the plane kernels fill each plane once): lanes only while the
          // bands' planes add up to at most 4 planes.
          double band_floats = 0.0;
          for (const auto& band : dw_bands_) band_floats += static_cast<double>(band.plane.scratch_floats());
          if (band_floats > 4.0 * static_cast<double>(dw_plane_.scratch_floats())) {
            dw_lanes_ = nullptr;
            dw_bands_.clear();
          }
        }
        if (dw_lanes_ != nullptr)
          for (const auto& band : dw_bands_)
            floats = std::max(floats, static_cast<size_t>(dwconv_lanes_scratch_floats(&band.plane, dw_lanes_->lanes)));
        scratch_bytes_ = static_cast<size_t>(ctx.num_threads) * round_up(floats * sizeof(float), 64);
      }
      return;
    }
    const bool unit_window = win_.kh == 1 && win_.kw == 1 && win_.sh == 1 && win_.sw == 1;
    const bool unpadded = win_.pad_top == 0 && win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
    pointwise_geometry_ = unit_window && unpadded;
    path_ = pointwise_geometry_ ? ConvPath::kPointwise : ConvPath::kGeneral;
    gemm_ = &f32_gemm_kernel(ctx.isa);
    im2col_ = &f32_im2col_kernel(ctx.isa);
    gemm_t_ = f32_gemm_t_kernel(ctx.isa);
    if (has_scale_) {
      // Y = W · diag(s) · X: the weights' K rows scaled per inference, where
      // M x K multiplies replace the C x H x W of scaling X (the converter
      // fuses only where M < H*W). Pointwise only: its packed panels are
      // rows of MR floats per k, scaled into scratch (one copy, all threads).
      packed_.push_back(pack_f32_gemm_weights(weights, out_c_, depth_, depth_, gemm_->mr));
      plan_pointwise(ctx.num_threads);
      const int64_t scaled_floats = packed_[0].panel_count() * gemm_->mr * depth_;
      scratch_bytes_ += round_up(static_cast<size_t>(scaled_floats) * sizeof(float), 64);
      return;
    }
    if (pointwise_geometry_ && groups_ == 1 && in_h_ * in_w_ == 1) {
      // One pixel (squeeze-and-excitation, classifier heads): y = W x, a
      // matrix-vector product streaming the weights once, packed as W^T in
      // NR-wide column panels (the GEMV layout of kernels/gemm.h).
      path_ = ConvPath::kVector;
      PackedMatrix wt;
      wt.rows = out_c_;
      wt.depth = depth_;
      wt.mr = gemm_->nr;
      wt.data = AlignedBuffer(static_cast<size_t>(packed_right_floats(depth_, out_c_, gemm_->nr)) * sizeof(float));
      pack_right_operand(weights, 1, depth_, depth_, out_c_, gemm_->nr, wt.data.floats());
      packed_.push_back(std::move(wt));
      return;
    }
    const bool channel_lanes = !small_map_winograd(ctx.isa) && prefer_channel_lanes(ctx.num_threads);
    if (channel_lanes && prefer_direct() && plan_direct(ctx.num_threads, true)) {
      path_ = ConvPath::kDirect;
      packed_.push_back(cgemm_.pack_weights(weights, depth_));
      transpose_ = &f32_transpose_kernel(ctx.isa);
      return;
    }
    if (channel_lanes) {
      path_ = ConvPath::kChannels;
      cgemm_.plan(*gemm_t_, out_cg_, depth_, out_h_ * out_w_, ctx.num_threads, pointwise_geometry_);
      for (int64_t g = 0; g < groups_; ++g)
        packed_.push_back(cgemm_.pack_weights(weights + g * out_cg_ * depth_, depth_));
      scratch_bytes_ = cgemm_.scratch_bytes();
      return;
    }
    wino_ = choose_winograd(ctx.isa, ctx.num_threads);
    if (wino_ != nullptr) {
      path_ = ConvPath::kWinograd;
      plan_winograd(weights, ctx.num_threads);
      return;
    }
    if (path_ == ConvPath::kGeneral && prefer_direct() && plan_direct(ctx.num_threads)) path_ = ConvPath::kDirect;
    // 1x1 with stride (ResNet's downsampling): the strided pixels are
    // gathered once into scratch, then it is a pointwise convolution.
    subsampled_ = path_ == ConvPath::kGeneral && win_.kh == 1 && win_.kw == 1 && groups_ == 1 &&
                  win_.pad_top == 0 && win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
    if (subsampled_) path_ = ConvPath::kPointwise;
    if (direct_lanes_) {
      packed_.push_back(cgemm_.pack_weights(weights, depth_));
      transpose_ = &f32_transpose_kernel(ctx.isa);
      return;
    }
    for (int64_t g = 0; g < groups_; ++g)
      packed_.push_back(pack_f32_gemm_weights(weights + g * out_cg_ * depth_, out_cg_, depth_, depth_, gemm_->mr));

    if (path_ == ConvPath::kDirect) return;
    if (path_ == ConvPath::kPointwise) {
      plan_pointwise(ctx.num_threads);
      return;
    }
    wgemm_.plan(*gemm_, out_cg_, depth_, out_h_ * out_w_, ctx.num_threads);
    scratch_bytes_ = wgemm_.scratch_bytes();
  }

  // The pointwise path's tasks, after packed_ holds its weights.
  void plan_pointwise(int num_threads) {
    const int64_t plane = subsampled_ ? out_h_ * out_w_ : in_h_ * in_w_;  // B row k: input channel k
    for (int64_t k = 0; k < depth_; ++k) koff_.push_back(k * plane);
    if (subsampled_) scratch_bytes_ = round_up(static_cast<size_t>(in_c_ * plane) * sizeof(float), 64);
    const int64_t tiles = (out_h_ * out_w_ + gemm_->nr - 1) / gemm_->nr;
    const size_t l2 = static_cast<size_t>(cache_sizes().l2);
    // Input maps larger than L2 come from L3 or memory, one line per row
    // of B per tile, rows a plane apart (the prefetchers do not follow
    // that many streams): the next tile's B rows are requested in software
    // (16-22% faster on LRASPP's 16 <-> 64 channel layers at 260x260 on
    // Zen 5, neutral to slower on maps that fit L2).
    // Outputs larger than L2 go to L3 or memory. Tile by tile across all
    // weight panels, the stores run along every output plane at once (and
    // a fused residual's loads too) and wait on their misses. So where 256
    // pixels of B fit a quarter of L2 (up to 256 input channels on a 1 MiB
    // L2), the map is cut in bands of up to 2048 pixels whose B rows fit
    // it, and each weight panel sweeps its band (B re-read from L2): the
    // stores run along MR planes at a time. On a Zen 4 host (development
    // A/B, Model.profile() sums at 1 thread): LRASPP's 16 -> 64 1x1 at
    // 260x260 3.4 -> 2.2 ms, its 1x1 layers at 130x130 22-27% faster;
    // ResNet-50's 1x1 layers at 56x56 10-19% (the whole network 5%),
    // MobileNetV2's 5%. Deeper inputs keep the tile order: a band of 256
    // pixels would not fit (LRASPP's 960 -> 160 at 33x33 was 3-5% slower
    // by bands).
    pw_large_map_ = static_cast<size_t>(depth_ * plane) * sizeof(float) > l2;
    const bool large_output = static_cast<size_t>(out_cg_ * out_h_ * out_w_) * sizeof(float) > l2;
    const int64_t fit_pixels = static_cast<int64_t>(l2 / 4 / (depth_ * sizeof(float)));
    pw_band_panels_ = (pw_large_map_ || large_output) && fit_pixels >= 256;
    const int64_t band_pixels = pw_band_panels_ ? std::min<int64_t>(fit_pixels, 2048) : 256;
    band_ = std::clamp<int64_t>((band_pixels + gemm_->nr - 1) / gemm_->nr, 1, tiles);
    if (num_threads > 1) band_ = std::min(band_, std::max<int64_t>(1, tiles / (4 * num_threads)));
    // Few pixel bands for the threads (a 14x14 map is 5 tiles of 48):
    // split the output channels too, so the work is even and each thread
    // reads only its share of the weights.
    int64_t bands = (tiles + band_ - 1) / band_;
    const int64_t panels = packed_[0].panel_count();
    const int64_t wanted = 4 * static_cast<int64_t>(num_threads);
    const int64_t chunks = num_threads > 1 && bands < wanted ? std::min(panels, (wanted + bands - 1) / bands) : 1;
    pw_panels_per_chunk_ = (panels + chunks - 1) / chunks;
    // Whole bands per thread: as many bands as a multiple of the threads,
    // their tiles split evenly (a 56x56 map is 66 tiles of 48: 11 bands of
    // 6 left one thread 36 tiles and the other 30; 12 bands give each 33).
    // ResNet-50's 1x1 layers at 56x56 and 28x28 7% faster at 2 threads,
    // YOLOv8n's at 40x40 and 80x80 5-10%.
    if (num_threads > 1 && chunks == 1 && bands >= num_threads && bands % num_threads != 0)
      bands = std::min(tiles, (bands + num_threads - 1) / num_threads * num_threads);
    pw_bands_ = bands;
    // Weights over half of L2 (ResNet-50's 1x1 layers at 14x14 hold 1-2
    // MiB) would stream from L3 once per pixel tile in tile-major order;
    // when the band's B rows fit in half of L2 instead, each weight panel
    // sweeps the band's tiles (read once, from L1), B re-read from L2.
    const size_t task_weights = static_cast<size_t>(pw_panels_per_chunk_ * gemm_->mr * depth_) * sizeof(float);
    const size_t band_b = static_cast<size_t>(band_ * gemm_->nr * depth_) * sizeof(float);
    pw_panels_outer_ = pw_band_panels_ || (!pw_large_map_ && task_weights > l2 / 2 && band_b <= l2 / 2);
  }

  size_t scratch_bytes() const override { return scratch_bytes_; }

  // Producer fusion (Op::fuse_producer), two ways, where the tensor between
  // the two layers is large enough (the bounds at the top of the file):
  //  - a pointwise producer into this depthwise layer: band by band of
  //    output rows, the producer's rows that the band's windows read are
  //    computed into per-thread scratch (sized to stay in L2) and convolved
  //    from there, so the expanded map (LRASPP's 64 x 260 x 260, 17 MB)
  //    never goes to memory and back (run_fused);
  //  - a depthwise producer into this pointwise layer: band by band of rows,
  //    the depthwise output rows of every channel into scratch, then this
  //    layer's GEMM over them (run_fused_depthwise).
  // Depthwise layers on the per-plane kernels only (wide maps), with no
  // residual; pointwise layers ungrouped, with no channel scale, and no
  // residual when they are the producer.
  bool fuse_producer(const Op& op) override {
    const auto* a = dynamic_cast<const ConvOp*>(&op);
    if (a == nullptr || a->batch_ != batch_ || a->out_c_ != in_c_ || a->out_h_ != in_h_ || a->out_w_ != in_w_)
      return false;
    const size_t between = static_cast<size_t>(in_c_ * in_h_ * in_w_) * sizeof(float);
    if (between >= kFuseMinBytes && fusable_depthwise() && a->fusable_pointwise() && !a->has_residual_)
      return fuse_pointwise_producer(*a);
    const bool short_or_large = depth_ <= kFuseDepthwiseShortDepth || between >= kFuseDepthwiseLargeBytes;
    if (between >= kFuseDepthwiseMinBytes && short_or_large && fusable_pointwise() && a->fusable_depthwise())
      return fuse_depthwise_producer(*a);
    return false;
  }

  void run(const RunContext& ctx) const override {
    if (pw_producer_ != nullptr) {
      run_fused(ctx);
    } else if (dw_producer_ != nullptr) {
      run_fused_depthwise(ctx);
    } else if (path_ == ConvPath::kDepthwise) {
      run_depthwise(ctx);
    } else if (path_ == ConvPath::kDirect) {
      run_direct(ctx);
    } else if (path_ == ConvPath::kPointwise) {
      run_pointwise(ctx);
    } else if (path_ == ConvPath::kChannels) {
      run_gemm(ctx, true);
    } else if (path_ == ConvPath::kWinograd) {
      run_winograd(ctx);
    } else if (path_ == ConvPath::kVector) {
      run_vector(ctx);
    } else {
      run_gemm(ctx, false);
    }
  }

 private:
  // im2col of rows [k0, k0 + kc) and output columns [n0, n0 + nc) of one
  // image and group, straight into WeightGemm's block layout
  // (ops/gemm_driver.h): B(k, j) with k = (c, ky, kx) row-major and j the
  // output pixel, 0 where the window reads padding (kernels/im2col.h).
  void im2col(const float* x, int64_t k0, int64_t kc, int64_t n0, int64_t nc, int64_t nr, float* block) const {
    const int64_t window = win_.kh * win_.kw;
    for (int64_t kk = k0; kk < k0 + kc; ++kk) {
      const int64_t c = kk / window, ky = kk % window / win_.kw, kx = kk % win_.kw;
      const Im2colRow row{x + c * in_h_ * in_w_, in_h_,  in_w_,
                          out_w_,                win_.sh, win_.sw,
                          ky * win_.dh - win_.pad_top, kx * win_.dw - win_.pad_left};
      im2col_->fn(&row, n0, nc, nr, kc * nr, block + (kk - k0) * nr);
    }
  }

  // B blocks of one image and group: im2col, or rows of the input map (1x1).
  class Source final : public BlockSource {
   public:
    Source(const ConvOp& op, const float* x) : op_(op), x_(x) {}
    void pack(int64_t k0, int64_t kc, int64_t n0, int64_t nc, int nr, float* block) const override {
      if (!op_.pointwise_geometry_) {
        op_.im2col(x_, k0, kc, n0, nc, nr, block);
        return;
      }
      // 1x1: row k of B is input channel k, one flat output row.
      const int64_t pixels = op_.in_h_ * op_.in_w_;
      for (int64_t kk = k0; kk < k0 + kc; ++kk) {
        const Im2colRow row{x_ + kk * pixels, 1, pixels, pixels, 1, 1, 0, 0};
        op_.im2col_->fn(&row, n0, nc, nr, kc * nr, block + (kk - k0) * nr);
      }
    }
    // 1x1: B is the input map itself (channel k's plane is row k).
    const float* dense(int64_t* ldb) const override {
      if (!op_.pointwise_geometry_) return nullptr;
      *ldb = op_.in_h_ * op_.in_w_;
      return x_;
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
      op_.epilogue_rows(y_, r_, row0, row0 + rows, ld_, n0, nc);
    }

   private:
    const ConvOp& op_;
    float* y_;
    const float* r_;
    int64_t ld_;
  };

  // The epilogue (activation and residual) on rows [m0, m1) of y, row
  // stride ld, `count` floats of each from column `at` (r: the residual,
  // laid out as y, or null).
  void epilogue_rows(float* y, const float* r, int64_t m0, int64_t m1, int64_t ld, int64_t at, int64_t count) const {
    for (int64_t m = m0; m < m1; ++m)
      apply_epilogue(act_, y + m * ld + at, r ? r + m * ld + at : nullptr, residual_after_activation_,
                     static_cast<size_t>(count));
  }

  // The epilogue as the pixel-lane kernels' post-step (kernels/gemm_post.h),
  // used when post_in_kernel_: r is the residual at the kernel call's first
  // output (null without one), rows ldr floats apart.
  F32GemmPost kernel_post(const float* r, int64_t ldr) const {
    const Activation kind = act_.kind();
    const bool clip = kind == Activation::kClip, clamp = clip || kind == Activation::kRelu;
    return F32GemmPost{clamp,
                       clip ? act_.spec.alpha : 0.0f,
                       clip ? act_.spec.beta : std::numeric_limits<float>::infinity(),
                       r,
                       static_cast<size_t>(ldr),
                       !residual_after_activation_,
                       clamp || kind == Activation::kNone ? nullptr : act_.fn,
                       &act_.spec};
  }

  void run_gemm(const RunContext& ctx, bool channel_lanes) const {
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
        const float* bias = bias_ ? bias_ + g * out_cg_ : nullptr;
        if (channel_lanes) {
          cgemm_.run(packed_[g], source, bias, y_all + out_offset, pixels, epilogue ? &ep : nullptr, ctx.scratch,
                     ctx.pool);
        } else {
          wgemm_.run(packed_[g], source, bias, y_all + out_offset, pixels, epilogue ? &ep : nullptr, ctx.scratch,
                     ctx.pool);
        }
      }
  }

  // Path choices, from measurements of ResNet, MobileNet and YOLO layers on
  // AVX-512 (tools/bench_kernels.py and tools/bench.py):
  //  - small maps (7x7: 49 pixels fill 4 vectors of 16 with 15 lanes idle;
  //    the direct path's flat tiles likewise): channel lanes. For 1x1 about
  //    10-20% faster than in-place pointwise; for 3x3 about as fast as
  //    direct on one layer whose weights stay cached, and 15% faster inside
  //    a network, where the weights (9 MiB for ResNet's layer4) stream from
  //    memory: it reads each weight once, in K blocks. From 14x14 (196
  //    pixels, 94% of the lanes used) the others are faster, except 1x1
  //    layers whose weights exceed half of L2 (ResNet-50's at 14x14: a
  //    chain of 40 such layers 5% faster at 1 thread, 8% at 2). For windows
  //    with strides <= 2, the direct path's channel lanes with one band per
  //    thread (each weight read once per thread): its padded copy replaces
  //    im2col's K x N gather, which cost a quarter of a 3x3 stride-2
  //    layer's time at 7x7 (layers 1.0-1.3x onnxruntime's time, from
  //    1.3-3.2x; ResNet-18 5-6% faster at 1 and 2 threads). Stride-2
  //    windows keep the one band up to 256 output pixels (ResNet's 3x3/2
  //    to 14x14): the bands of 3 rows there streamed the 1-2 MiB of
  //    weights once per band; in ResNet-50 5% faster at 1 thread, 8-12% at
  //    2, ResNet-18's 1-2% / 5-7%.
  //  - larger windows with strides <= 2: direct, faster than im2col for
  //    every shape measured (no copy of K x N floats).
  //  - 1x1 with stride 2, strides > 2, grouped: im2col (the direct path's
  //    padded copy of a 1x1 stride-2 input is mostly never read). At 2+
  //    threads a strided 1x1 follows the 1x1 rule above (ResNet-50's
  //    512->1024 at 14x14, 2 MiB of weights: 12-17% faster at 2 threads,
  //    its gather inside each thread's B blocks instead of a separate job;
  //    2-3% slower at 1 thread, which keeps the gathered pixel tiles).
  bool prefer_channel_lanes(int num_threads) const {
    if (gemm_t_ == nullptr || out_cg_ < 32 || groups_ != 1) return false;
    const int64_t pixels = out_h_ * out_w_;
    const bool strided_1x1 = !pointwise_geometry_ && win_.kh == 1 && win_.kw == 1 && win_.pad_top == 0 &&
                             win_.pad_left == 0 && win_.pad_bottom == 0 && win_.pad_right == 0;
    if (strided_1x1 && num_threads == 1) return pixels <= 64;
    if (!pointwise_geometry_ && !strided_1x1) return pixels <= (win_.sh == 2 && win_.sw == 2 ? 256 : 64);
    int64_t used = 0;
    for (int64_t p0 = 0; p0 < pixels; p0 += 48) used += (std::min<int64_t>(48, pixels - p0) + 15) / 16 * 16;
    if (pixels * 10 < used * 9) return true;  // under 90% of the pixel lanes used
    // Weights over half of L2 on a map of one ChannelGemm column block
    // (ResNet-50's 1x1 layers at 14x14, 1-2 MiB): the channel lanes stream
    // them once, where the pixel tiles' narrow last tile (4 of 48 pixels at
    // 14x14) costs about as much as a full one.
    const size_t weights = static_cast<size_t>(out_cg_ * depth_) * sizeof(float);
    return pixels <= 256 && pixels * 20 < used * 19 && weights > static_cast<size_t>(cache_sizes().l2) / 2;
  }

  //  - 3x3 stride 1 with at least 16 input and output channels (fewer
  //    make the GEMMs too thin to pay for the transforms): Winograd, where
  //    the tier has vector transforms. F(4x4) where the map has at least
  //    16 rows and columns (its 4x4 tiles then waste little at the edges)
  //    and the tier has it, else F(2x2). With a 48-pixel GEMM tile
  //    (AVX-512), one thread on a map under 32x32 with at most 64 channels
  //    runs F(2x2) too: F(4x4) there fills few GEMM columns (25 tiles at
  //    20x20), and F(2x2) measured 11-36% faster; with two threads, or with
  //    AVX2's 16-pixel tile, F(4x4) stays ahead or even.
  //  - 3x3 stride 1 on maps of at most 64 pixels (the channel lanes' maps)
  //    whose F(2x2) tiles fill a 16-lane vector (7x7 and 8x8: 16 tiles),
  //    with at least 128 channels in and out: Winograd F(2x2), not the
  //    direct channel lanes. At 1 thread (AVX-512, Zen 4 host, one-node
  //    models, development A/B): 512 channels at 7x7 14% faster, 256 30%,
  //    128 22%, 256 at 8x8 45%; in ResNet-18 its three layer4 3x3 layers
  //    13-18% faster, the network 5%. 64 channels were even, 32 25% slower;
  //    9 tiles (6x6) 18% slower and 4 (4x4) 2.5x: the GEMMs' 16-lane vectors
  //    then run mostly empty.
  bool small_map_winograd(Isa isa) const {
    const bool fits = groups_ == 1 && win_.kh == 3 && win_.kw == 3 && win_.sh == 1 && win_.sw == 1 &&
                      win_.dh == 1 && win_.dw == 1;
    const int64_t tiles = (out_h_ + 1) / 2 * ((out_w_ + 1) / 2);
    return fits && out_h_ * out_w_ <= 64 && tiles >= 16 && in_c_ >= 128 && out_c_ >= 128 &&
           f32_wino_kernel(isa, 2) != nullptr;
  }

  const F32WinoKernel* choose_winograd(Isa isa, int num_threads) const {
    const bool fits = groups_ == 1 && win_.kh == 3 && win_.kw == 3 && win_.sh == 1 && win_.sw == 1 &&
                      win_.dh == 1 && win_.dw == 1 && in_c_ >= 16 && out_c_ >= 16;
    if (!fits) return nullptr;
    const F32WinoKernel* f4 = f32_wino_kernel(isa, 4);
    const bool small_single = num_threads == 1 && gemm_->nr >= 48 && std::max(in_c_, out_c_) <= 64 && out_h_ < 32 &&
                              out_w_ < 32;
    if (f4 != nullptr && out_h_ >= 16 && out_w_ >= 16 && !small_single) return f4;
    return f32_wino_kernel(isa, 2);
  }

  bool prefer_direct() const {
    return groups_ == 1 && win_.sh <= 2 && win_.sw <= 2 && (win_.kh > 1 || win_.kw > 1);
  }

  // Plans the direct path; false (nothing planned) when its band copies
  // would move far more data than im2col: every band copies `reach` extra
  // rows, so a tall dilated window (a fuzzed model: dilation 9730 over
  // 21762 output rows) would copy the input once per output row.
  // small_map (a map that prefers channel lanes): the channel-lane kernel,
  // the whole map as one band, and the output channels split between the
  // threads (direct_chunks_), so that the weights, which outweigh the map
  // there, are read once in all. The threads first make one shared copy of
  // the map, a share of its channels each: when each copied the whole map
  // for itself, the copy was a tenth of ResNet-50's 3x3/2 layer to 14x14 at
  // 2 threads (the shared copy: those layers 3-4% faster).
  bool plan_direct(int num_threads, bool small_map = false) {
    const int64_t sh = win_.sh, sw = win_.sw, nr = gemm_->nr;
    const int64_t reach = (win_.kh - 1) * win_.dh / sh;
    pad_.ld = out_w_ + (win_.kw - 1) * win_.dw / sw;
    // Band: the input copy in about a quarter of L2 (256 KiB assumed), half
    // of it with the channel lanes (below), and at least two bands per
    // thread when the map has the rows. The lanes' larger bands measured
    // 4% (1 thread) and 7% (2) faster on ResNet-50's 3x3/2 to 28x28 and
    // 12-17% on YOLOv8n's 128-channel 3x3/2 to 20x20 at 2 threads; the
    // pixel-lane layers (YOLOv8n's 32->64 3x3/2 to 80x80) were 3-10%
    // slower with them.
    const bool lanes = gemm_t_ != nullptr && (out_c_ >= 128 || small_map);
    const int64_t row_floats = in_c_ * sh * sw * pad_.ld;
    const int64_t budget = (lanes ? int64_t{128} : int64_t{64}) * 1024;
    int64_t band = std::max<int64_t>(1, budget / std::max<int64_t>(row_floats, 1) - reach);
    if (num_threads > 1) band = std::min(band, std::max<int64_t>(1, out_h_ / (2 * num_threads)));
    if (small_map) band = out_h_;
    band = std::min(band, out_h_);
    const double copied = static_cast<double>((out_h_ + band - 1) / band) * static_cast<double>(band + reach) *
                          static_cast<double>(row_floats);
    const double im2col = static_cast<double>(depth_) * static_cast<double>(out_h_ * out_w_);
    if (copied > 4.0 * im2col) return false;
    pad_.band = band;
    pad_.rows = pad_.band + reach;
    pad_.phase_stride = pad_.rows * pad_.ld;
    pad_.chan_stride = sh * sw * pad_.phase_stride;
    koff_.clear();
    for (int64_t c = 0; c < in_c_; ++c)
      for (int64_t ky = 0; ky < win_.kh; ++ky)
        for (int64_t kx = 0; kx < win_.kw; ++kx) {
          const int64_t phase = (ky * win_.dh % sh) * sw + kx * win_.dw % sw;
          koff_.push_back(c * pad_.chan_stride + phase * pad_.phase_stride + ky * win_.dh / sh * pad_.ld +
                          kx * win_.dw / sw);
        }
    // Row tiling when whole vectors (16 lanes: the widest kernel's) cover the rows.
    int64_t lanes_used = 0;
    for (int64_t ox0 = 0; ox0 < out_w_; ox0 += nr) lanes_used += (std::min(nr, out_w_ - ox0) + 15) / 16 * 16;
    pad_.rows_tiling = out_w_ * 100 >= lanes_used * 95;
    pad_.input_bytes = round_up(static_cast<size_t>(in_c_ * pad_.chan_stride) * sizeof(float), 64);
    pad_.output_bytes =
        pad_.rows_tiling ? 0 : round_up(static_cast<size_t>(out_c_ * pad_.band * pad_.ld) * sizeof(float), 64);
    // Channel lanes where the tier has the kernel and there are at least 128
    // output channels (whole 48-channel panels but for the last): T (band
    // pixels x output channels) per thread, transposed into the band's
    // output rows. Measured 4-12% faster than pixel lanes on stride-2 3x3
    // layers of 128 and 256 channels, slower with 32 and 64 (a 64-channel
    // layer is a 48- and a 16-channel panel).
    direct_lanes_ = lanes;
    direct_chunks_ = direct_lanes_ && small_map ? std::min<int64_t>(num_threads, (out_c_ + 15) / 16) : 1;
    if (direct_lanes_) {
      cgemm_.plan(*gemm_t_, out_c_, depth_, pad_.band * out_w_, num_threads);
      const int64_t ldt = (out_c_ + gemm_t_->mr - 1) / gemm_t_->mr * gemm_t_->mr;
      pad_.output_bytes = round_up(static_cast<size_t>(pad_.band * out_w_ * ldt) * sizeof(float), 64);
    }
    // Output channel chunks (small maps): one copy of the map, each thread
    // copying a share of its channels, then every chunk reads all of it.
    scratch_bytes_ = direct_chunks_ > 1
                         ? pad_.input_bytes + static_cast<size_t>(num_threads) * pad_.output_bytes
                         : static_cast<size_t>(num_threads) * (pad_.input_bytes + pad_.output_bytes);
    return true;
  }

  // Winograd layout, tile size m = wino_->m, nxi = (m + 2)^2 frequencies.
  // The zero-padded input of one image, per channel wino_rows_ x wino_ld_
  // floats (P[r][c] = x[r - pad_top][c - pad_left]), covers m * tiles + 2
  // rows and columns, so every (m+2) x (m+2) patch is inside.
  // Per thread, for one block of up to wino_block_ tiles (at most kWinoTiles,
  // or all tiles when the threads split the channels), with
  // the row stride S = wino_stride_ (wino_block_ rounded up to 16 floats)
  // and plane strides PV = wino_v_plane_ = in_c*S + 16, PM = wino_m_plane_
  // = out_c*S + 16:
  //   V[xi][ic][j] at xi*PV + ic*S + j (transformed inputs)
  //   M[xi][oc][j] at xi*PM + oc*S + j (GEMM products)
  // wino_u_[xi] is U[xi] = (G g G^T)[xi] as an out_c x in_c matrix, packed.
  void plan_winograd(const float* weights, int num_threads) {
    const int64_t m = wino_->m, nxi = (m + 2) * (m + 2);
    wino_tiles_h_ = (out_h_ + m - 1) / m;
    wino_tiles_w_ = (out_w_ + m - 1) / m;
    // Each thread takes an equal share of the tiles (a 14x14 map has 49
    // tiles: 25 + 24 on two threads, not 48 + 1), in as few blocks as
    // kWinoTiles allows (every block streams all of U). A block's GEMMs cost
    // what the 16-lane vectors its tiles fill cost, so blocks fill whole
    // vectors but for the last lane: 196 tiles on two threads are 47 + 47 +
    // 4 per thread (7 vectors), where six equal blocks of 33 filled 9. The
    // lane left free was measured: with U cold (in a network), blocks of
    // exactly 32 or 48 tiles ran ResNet's 14x14 layers 25-35% slower than
    // 31 or 25 (the same vectors); warm, they were even.
    const int64_t tiles = wino_tiles_h_ * wino_tiles_w_;
    // Up to kWinoChannelSplitTiles tiles on several threads: split the
    // output channels instead, all tiles one block. Each thread then streams
    // its share of U (16 MiB at 512 channels, from memory in a network)
    // rather than all of it for its half of the tiles; the input transform
    // is done once, shared. ResNet-18's 512-channel layer at 7x7 at 2
    // threads: 1.61 ms by tiles against 1.19 by the direct channel lanes; at
    // 2 threads, maps of 17-64 tiles (F(2x2) at 14x14, F(4x4) at 20x20 and
    // 28x28) 2-8% faster split by channels: YOLOv8n 3% in all, ResNet-50 1%
    // (development A/B, Zen 4 host; 100 tiles were even).
    wino_channel_split_ = num_threads > 1 && tiles <= kWinoChannelSplitTiles;
    wino_share_ = wino_channel_split_ ? tiles : std::max<int64_t>(1, (tiles + num_threads - 1) / num_threads);
    const int64_t fewest = (wino_share_ + kWinoTiles - 1) / kWinoTiles;
    wino_block_ = std::min(kWinoTiles, ((wino_share_ + fewest - 1) / fewest + 15) / 16 * 16);
    const auto blocks_of = [&](int64_t block) { return (wino_share_ + block - 1) / block; };
    if (wino_block_ < wino_share_ && blocks_of(wino_block_ - 1) == blocks_of(wino_block_)) wino_block_ -= 1;
    wino_share_blocks_ = blocks_of(wino_block_);
    if (wino_channel_split_) {  // one block of every tile, up to kWinoChannelSplitTiles (past kWinoTiles)
      wino_block_ = tiles;
      wino_share_blocks_ = 1;
    }
    // Rows only as long as a block: the per-thread V and M are then as small
    // as they can be. A network's other layers evict this scratch between
    // its uses, and a layer writing it cold pays for every line it touches
    // (ResNet-50's first 28x28 Winograd layer at 2 threads, blocks of 25
    // tiles in rows of 48: one thread's input transform 1.5x as long).
    wino_stride_ = (wino_block_ + 15) / 16 * 16;
    // One line more per frequency plane: plane strides that are multiples
    // of 4 KiB (64 channels x rows of 16, 32 or 48 floats) put the same
    // column of all 16 or 36 planes in one L1 set, which the transforms
    // (one value per plane per tile) and the GEMMs then thrash. Measured:
    // the 3x3 layers at 56x56 and 28x28 of ResNet-50 30% faster, YOLOv8n
    // 14% faster at 1 and 2 threads.
    wino_v_plane_ = in_c_ * wino_stride_ + 16;
    wino_m_plane_ = out_c_ * wino_stride_ + 16;
    wino_rows_ = m * wino_tiles_h_ + 2;
    wino_ld_ = m * wino_tiles_w_ + 2;
    std::vector<float> u(static_cast<size_t>(nxi * out_c_ * in_c_));
    wino_transform_weights(static_cast<int>(m), weights, out_c_, in_c_, u.data());
    for (int64_t xi = 0; xi < nxi; ++xi)
      wino_u_.push_back(pack_f32_gemm_weights(u.data() + xi * out_c_ * in_c_, out_c_, in_c_, in_c_, gemm_->mr));
    wino_input_bytes_ = round_up(static_cast<size_t>(in_c_ * wino_rows_ * wino_ld_) * sizeof(float), 64);
    // Split by channels: one V after the padded input, an M per thread;
    // else a V and an M per thread.
    const size_t v_bytes = static_cast<size_t>(nxi * wino_v_plane_) * sizeof(float);
    const size_t m_bytes = static_cast<size_t>(nxi * wino_m_plane_) * sizeof(float);
    wino_shared_v_bytes_ = wino_channel_split_ ? round_up(v_bytes, 64) : 0;
    wino_thread_bytes_ = round_up(wino_channel_split_ ? m_bytes : v_bytes + m_bytes, 64);
    scratch_bytes_ = wino_input_bytes_ + wino_shared_v_bytes_ + static_cast<size_t>(num_threads) * wino_thread_bytes_;
  }

  // The hint of the product of frequency xi and weight panel q, in a loop
  // over panels [q0, q1) of every frequency: the U panel of the call after
  // it, one line per 2^shift k steps (kernels/gemm_prefetch.h). In a
  // network U comes from memory (ResNet-50's 512-channel 3x3 layers hold
  // 16 MiB of it), and with 16 tiles per product each line feeds only 16
  // multiply-adds, which the hardware prefetcher, stopping at every 4 KiB
  // page, did not keep up with: ResNet-18's and ResNet-50's 7x7 Winograd
  // layers ran 24-29% faster with the hint at 1 and at 2 threads
  // (development A/B, Zen 4 host), as fast as with U in cache.
  F32RowPrefetch wino_next_panel_hint(int64_t xi, int64_t q, int64_t q0, int64_t q1) const {
    const int64_t nxi = static_cast<int64_t>(wino_u_.size());
    const float* next = q + 1 < q1 ? wino_u_[xi].panel(q + 1) : xi + 1 < nxi ? wino_u_[xi + 1].panel(q0) : nullptr;
    F32RowPrefetch hint{next, 16, 16, 0, 0, false};
    if (next == nullptr) return hint;
    hint.count = static_cast<size_t>((gemm_->mr * in_c_ + 15) / 16);  // lines of a panel
    const size_t k_steps = static_cast<size_t>(in_c_);
    hint.count = std::min(hint.count, k_steps);
    while ((hint.count << (hint.shift + 1)) <= k_steps) ++hint.shift;
    return hint;
  }

  void run_winograd(const RunContext& ctx) const {
    const int64_t pixels = out_h_ * out_w_, plane = wino_rows_ * wino_ld_;
    const int64_t tiles = wino_tiles_h_ * wino_tiles_w_;
    const int64_t blocks = (tiles + wino_share_ - 1) / wino_share_ * wino_share_blocks_;
    const int64_t mr = gemm_->mr, panels = wino_u_[0].panel_count();
    const int64_t tm = wino_->m, nxi = static_cast<int64_t>(wino_u_.size());  // tile size, frequencies
    float* padded = ctx.scratch;
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    const bool epilogue = act_.kind() != Activation::kNone || r_all != nullptr;
    for (int64_t n = 0; n < batch_; ++n) {
      const float* x = ctx.inputs[0] + n * in_c_ * in_h_ * in_w_;
      float* y = ctx.outputs[0] + n * out_c_ * pixels;
      const float* r = r_all ? r_all + n * out_c_ * pixels : nullptr;
      parallel_ranges(ctx.pool, in_c_, units_per_task(plane), [&](int64_t c0, int64_t c1) {
        for (int64_t c = c0; c < c1; ++c)
          copy_phase_planes(x + c * in_h_ * in_w_, -win_.pad_top, wino_rows_, wino_ld_, plane, padded + c * plane);
      });
      if (wino_channel_split_) {
        run_winograd_channel_split(ctx, padded, y, r);
        continue;
      }
      ctx.pool.run(blocks, [&](int64_t block, int thread) {
        float* v = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + wino_input_bytes_ +
                                            thread * wino_thread_bytes_);
        float* m = v + nxi * wino_v_plane_;
        const int64_t share0 = block / wino_share_blocks_ * wino_share_;
        const int64_t t0 = share0 + block % wino_share_blocks_ * wino_block_;
        const int64_t t1 = std::min({tiles, share0 + wino_share_, t0 + wino_block_});
        if (t0 >= t1) return;
        // The block's tiles, one tile row segment at a time.
        const auto for_segments = [&](const auto& fn) {
          for (int64_t t = t0; t < t1;) {
            const int64_t ty = t / wino_tiles_w_, tx = t % wino_tiles_w_;
            const int64_t count = std::min(t1 - t, wino_tiles_w_ - tx);
            fn(ty, tx, count, t - t0);
            t += count;
          }
        };
        for_segments([&](int64_t ty, int64_t tx, int64_t count, int64_t j) {
          wino_->input(padded + tm * ty * wino_ld_ + tm * tx, wino_ld_, plane, in_c_, count, v + j,
                       wino_v_plane_, wino_stride_);
        });
        const int64_t nb = t1 - t0;
        for (int64_t xi = 0; xi < nxi; ++xi)
          for (int64_t q = 0; q < panels; ++q) {
            const F32RowPrefetch hint = wino_next_panel_hint(xi, q, 0, panels);
            gemm_->fn(std::min(mr, out_c_ - q * mr), nb, in_c_, wino_u_[xi].panel(q), v + xi * wino_v_plane_,
                      wino_stride_, m + xi * wino_m_plane_ + q * mr * wino_stride_, wino_stride_, nullptr,
                      hint.count > 0 ? &hint : nullptr);
          }
        // A block of every tile (small maps) leaves whole planes: then one
        // epilogue call per plane, not one per channel and tile row.
        const bool whole_planes = t0 == 0 && t1 == tiles;
        for_segments([&](int64_t ty, int64_t tx, int64_t count, int64_t j) {
          const int64_t rows = std::min(tm, out_h_ - tm * ty), cols = out_w_ - tm * tx;
          const int64_t at = tm * ty * out_w_ + tm * tx;
          wino_->output(m + j, wino_m_plane_, wino_stride_, out_c_, bias_, count, rows, cols, y + at, pixels,
                        out_w_);
          if (!epilogue || whole_planes) return;
          const size_t width = static_cast<size_t>(std::min(tm * count, cols));
          for (int64_t oc = 0; oc < out_c_; ++oc)
            for (int64_t a = 0; a < rows; ++a) {
              const int64_t o = oc * pixels + at + a * out_w_;
              apply_epilogue(act_, y + o, r ? r + o : nullptr, residual_after_activation_, width);
            }
        });
        if (epilogue && whole_planes) epilogue_rows(y, r, 0, out_c_, pixels, 0, pixels);
      });
    }
  }

  // One image of a Winograd layer whose threads split the output channels
  // (wino_channel_split_; all tiles are one block): the input transform of
  // every tile into the shared V, input channels shared out; then each task
  // takes a range of weight panels (output channels), runs their products
  // into its thread's M and transforms them into y.
  void run_winograd_channel_split(const RunContext& ctx, const float* padded, float* y, const float* r) const {
    const int64_t pixels = out_h_ * out_w_, plane = wino_rows_ * wino_ld_;
    const int64_t tiles = wino_tiles_h_ * wino_tiles_w_;
    const int64_t mr = gemm_->mr, panels = wino_u_[0].panel_count();
    const int64_t tm = wino_->m, nxi = static_cast<int64_t>(wino_u_.size());
    const bool epilogue = act_.kind() != Activation::kNone || r != nullptr;
    float* v = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + wino_input_bytes_);
    const int64_t channels_per_task = std::max<int64_t>(1, (in_c_ + 4 * ctx.pool.num_threads() - 1) /
                                                               (4 * ctx.pool.num_threads()));
    parallel_ranges(ctx.pool, in_c_, channels_per_task, [&](int64_t c0, int64_t c1) {
      for (int64_t ty = 0; ty < wino_tiles_h_; ++ty)
        wino_->input(padded + c0 * plane + tm * ty * wino_ld_, wino_ld_, plane, c1 - c0, wino_tiles_w_,
                     v + c0 * wino_stride_ + ty * wino_tiles_w_, wino_v_plane_, wino_stride_);
    });
    const int64_t chunks = std::min<int64_t>(panels, 4 * ctx.pool.num_threads());
    ctx.pool.run(chunks, [&](int64_t chunk, int thread) {
      float* m = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + wino_input_bytes_ +
                                          wino_shared_v_bytes_ + thread * wino_thread_bytes_);
      const int64_t q0 = chunk * panels / chunks, q1 = (chunk + 1) * panels / chunks;
      for (int64_t xi = 0; xi < nxi; ++xi)
        for (int64_t q = q0; q < q1; ++q) {
          const F32RowPrefetch hint = wino_next_panel_hint(xi, q, q0, q1);
          gemm_->fn(std::min(mr, out_c_ - q * mr), tiles, in_c_, wino_u_[xi].panel(q), v + xi * wino_v_plane_,
                    wino_stride_, m + xi * wino_m_plane_ + q * mr * wino_stride_, wino_stride_, nullptr,
                    hint.count > 0 ? &hint : nullptr);
        }
      const int64_t oc0 = q0 * mr, oc1 = std::min(out_c_, q1 * mr);
      for (int64_t ty = 0; ty < wino_tiles_h_; ++ty) {
        const int64_t rows = std::min(tm, out_h_ - tm * ty), at = tm * ty * out_w_;
        wino_->output(m + oc0 * wino_stride_ + ty * wino_tiles_w_, wino_m_plane_, wino_stride_, oc1 - oc0,
                      bias_ ? bias_ + oc0 : nullptr, wino_tiles_w_, rows, out_w_, y + oc0 * pixels + at, pixels,
                      out_w_);
      }
      if (!epilogue) return;
      // The task's planes are whole now (and in cache): one call per plane.
      epilogue_rows(y, r, oc0, oc1, pixels, 0, pixels);
    });
  }

  // One channel plane x (in_h x in_w), zero-padded by the window's pads and
  // split into its sh x sw stride phases (the layout at plan_direct; with
  // stride 1, one padded plane): padded row t, input row iy0 + t, goes to
  // row t / sh of the phase planes (t % sh, px), the phase plane (py, px)
  // starting at dst + (py*sw + px)*phase_stride, `rows` rows of ld floats.
  void copy_phase_planes(const float* x, int64_t iy0, int64_t rows, int64_t ld, int64_t phase_stride,
                         float* dst) const {
    const int64_t sh = win_.sh, sw = win_.sw;
    for (int64_t t = 0; t < rows * sh; ++t) {
      float* d = dst + t % sh * sw * phase_stride + t / sh * ld;
      const int64_t iy = iy0 + t;
      if (iy >= 0 && iy < in_h_) {
        im2col_->phase_row(x + iy * in_w_, in_w_, win_.pad_left, sw, ld, phase_stride, d);
      } else {
        for (int64_t px = 0; px < sw; ++px) std::fill(d + px * phase_stride, d + px * phase_stride + ld, 0.0f);
      }
    }
  }

  // The input copy (layout above) of the band starting at output row oy0,
  // channels [c0, c1).
  void fill_band(const float* x, int64_t oy0, float* xp, int64_t c0, int64_t c1) const {
    for (int64_t c = c0; c < c1; ++c)
      copy_phase_planes(x + c * in_h_ * in_w_, win_.sh * oy0 - win_.pad_top, pad_.rows, pad_.ld, pad_.phase_stride,
                        xp + c * pad_.chan_stride);
  }

  // One band of the direct path with the output channels in vector lanes
  // (channel-lane kernel, weights from ChannelGemm::pack_weights), output
  // channels [c0, c1) (multiples of 16 but for the end; a range may start
  // inside a weight panel: the kernel then reads the panel from that
  // channel on): taps in k blocks, each panel's block applied to every
  // output row of the band (its B rows: the band copy xp at row offset
  // koff, in place), into t (pixels x channels), then transposed into y's
  // rows [oy0, oy1).
  void run_direct_lanes(const float* xp, float* t, int64_t oy0, int64_t oy1, int64_t c0, int64_t c1, float* y,
                        const float* r) const {
    const int64_t mr = gemm_t_->mr, panels = (out_c_ + mr - 1) / mr, ldt = panels * mr, kc_max = cgemm_.kc();
    const float* w = packed_[0].data.floats();
    for (int64_t k0 = 0; k0 < depth_; k0 += kc_max) {
      const int64_t kc = std::min(kc_max, depth_ - k0);
      for (int64_t p = c0 / mr; p * mr < c1; ++p) {
        const int64_t lo = std::max(c0, p * mr), hi = std::min(c1, p * mr + mr);
        const float* a = w + (k0 * panels + p * kc) * mr + (lo - p * mr);
        // The next sub-panel, stored after this one (inside the weights
        // only), requested a share per row call.
        const int64_t next_at = (k0 * panels + (p + 1) * kc) * mr;
        const float* next = next_at + kc * mr <= panels * depth_ * mr ? w + next_at : nullptr;
        for (int64_t i = 0; i < oy1 - oy0; ++i) {
          const SubPanelShare share = sub_panel_share(next, kc, mr, i, oy1 - oy0);
          gemm_t_->igemm(hi - lo, out_w_, kc, a, xp + i * pad_.ld, koff_.data() + k0, t + i * out_w_ * ldt + lo, ldt,
                         bias_ && k0 == 0 ? bias_ + lo : nullptr, k0 > 0, share.at, share.lines);
        }
      }
    }
    const int64_t pixels = out_h_ * out_w_, at = oy0 * out_w_, span = (oy1 - oy0) * out_w_;
    transpose_->fn(static_cast<size_t>(span), static_cast<size_t>(c1 - c0), t + c0, static_cast<size_t>(ldt),
                   y + c0 * pixels + at, static_cast<size_t>(pixels));
    if (act_.kind() == Activation::kNone && r == nullptr) return;
    epilogue_rows(y, r, c0, c1, pixels, at, span);
  }

  void run_direct(const RunContext& ctx) const {
    const int64_t pixels = out_h_ * out_w_, ld = pad_.ld;
    const int64_t mr = gemm_->mr, nr = gemm_->nr;
    const int64_t panels = packed_[0].panel_count();
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    const PackedMatrix& w = packed_[0];
    const size_t per_thread = pad_.input_bytes + pad_.output_bytes;
    const int64_t bands = (out_h_ + pad_.band - 1) / pad_.band;
    for (int64_t n = 0; n < batch_; ++n) {
      const float* x = ctx.inputs[0] + n * in_c_ * in_h_ * in_w_;
      float* y = ctx.outputs[0] + n * out_c_ * pixels;
      const float* r = r_all ? r_all + n * out_c_ * pixels : nullptr;
      if (direct_chunks_ > 1) {  // one band (plan_direct), a shared copy
        float* xp = ctx.scratch;
        const int64_t share = std::max<int64_t>(1, in_c_ / ctx.pool.num_threads());
        parallel_ranges(ctx.pool, in_c_, share, [&](int64_t c0, int64_t c1) { fill_band(x, 0, xp, c0, c1); });
        ctx.pool.run(direct_chunks_, [&](int64_t chunk, int thread) {
          float* t = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + pad_.input_bytes +
                                              thread * pad_.output_bytes);
          const auto chunk_start = [&](int64_t q) {
            return q == direct_chunks_ ? out_c_ : out_c_ * q / direct_chunks_ / 16 * 16;
          };
          run_direct_lanes(xp, t, 0, out_h_, chunk_start(chunk), chunk_start(chunk + 1), y, r);
        });
        continue;
      }
      ctx.pool.run(bands, [&](int64_t band, int thread) {
        uint8_t* mine = reinterpret_cast<uint8_t*>(ctx.scratch) + thread * per_thread;
        float* xp = reinterpret_cast<float*>(mine);
        const int64_t oy0 = band * pad_.band, oy1 = std::min(out_h_, oy0 + pad_.band);
        fill_band(x, oy0, xp, 0, in_c_);
        if (direct_lanes_) {
          run_direct_lanes(xp, reinterpret_cast<float*>(mine + pad_.input_bytes), oy0, oy1, 0, out_c_, y, r);
          return;
        }
        if (pad_.rows_tiling) {
          // Weight panel outermost: each panel is read once per band (the
          // band's input copy stays in L2 meanwhile), which matters for deep
          // layers whose weights stream from memory.
          for (int64_t q = 0; q < panels; ++q)
            for (int64_t i = 0; i < oy1 - oy0; ++i)
              for (int64_t ox0 = 0; ox0 < out_w_; ox0 += nr) {
                const int64_t row0 = q * mr, at = row0 * pixels + (oy0 + i) * out_w_ + ox0;
                const F32GemmPost post = kernel_post(r ? r + at : nullptr, pixels);
                gemm_->igemm(std::min(mr, out_c_ - row0), std::min(nr, out_w_ - ox0), depth_, w.panel(q),
                             xp + i * ld + ox0, koff_.data(), y + at, pixels, bias_ ? bias_ + row0 : nullptr,
                             post_in_kernel_ ? &post : nullptr);
              }
          if ((act_.kind() == Activation::kNone && r == nullptr) || post_in_kernel_) return;
          const int64_t at = oy0 * out_w_, span = (oy1 - oy0) * out_w_;
          epilogue_rows(y, r, 0, out_c_, pixels, at, span);
          return;
        }
        // Flat tiling: outputs with row stride ld into scratch, then the
        // valid columns copied out with the epilogue.
        float* yp = reinterpret_cast<float*>(mine + pad_.input_bytes);
        const int64_t count = (oy1 - oy0 - 1) * ld + out_w_, ldy = pad_.band * ld;
        for (int64_t q = 0; q < panels; ++q)  // weight panel outermost, as above
          for (int64_t p = 0; p < count; p += nr) {
            const int64_t row0 = q * mr;
            gemm_->igemm(std::min(mr, out_c_ - row0), std::min(nr, count - p), depth_, w.panel(q), xp + p,
                         koff_.data(), yp + row0 * ldy + p, ldy, bias_ ? bias_ + row0 : nullptr, nullptr);
          }
        for (int64_t m = 0; m < out_c_; ++m)
          for (int64_t i = 0; i < oy1 - oy0; ++i) {
            const float* src = yp + m * ldy + i * ld;
            float* dst = y + m * pixels + (oy0 + i) * out_w_;
            if (r == nullptr) {
              apply_activation(act_, src, dst, static_cast<size_t>(out_w_));
            } else {
              std::copy(src, src + out_w_, dst);
              apply_epilogue(act_, dst, r + (dst - y), residual_after_activation_, static_cast<size_t>(out_w_));
            }
          }
      });
    }
  }

  // One-pixel maps: per image, y = W x + bias by the GEMV kernel over the
  // packed W^T panels (NR output channels each), then the epilogue.
  void run_vector(const RunContext& ctx) const {
    const int64_t nr = gemm_->nr, panels = (out_c_ + nr - 1) / nr;
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    const float* w = packed_[0].data.floats();
    for (int64_t n = 0; n < batch_; ++n) {
      const float* x = ctx.inputs[0] + n * in_c_;
      float* y = ctx.outputs[0] + n * out_c_;
      const float* r = r_all ? r_all + n * out_c_ : nullptr;
      parallel_ranges(ctx.pool, panels, units_per_task(depth_ * nr), [&](int64_t p0, int64_t p1) {
        for (int64_t p = p0; p < p1; ++p) {
          const int64_t j0 = p * nr, cols = std::min(nr, out_c_ - j0);
          gemm_->gemv(static_cast<size_t>(cols), static_cast<size_t>(depth_), x, 1, w + j0 * depth_, y + j0);
          if (bias_)
            for (int64_t j = j0; j < j0 + cols; ++j) y[j] += bias_[j];
          apply_epilogue(act_, y + j0, r ? r + j0 : nullptr, residual_after_activation_, static_cast<size_t>(cols));
        }
      });
    }
  }

  void run_pointwise(const RunContext& ctx) const {
    const int64_t pixels = out_h_ * out_w_, mr = gemm_->mr, nr = gemm_->nr;
    const int64_t panels = packed_[0].panel_count();
    const int64_t tiles = (pixels + nr - 1) / nr;
    const int64_t in_cg = in_c_ / groups_;
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    const bool epilogue = act_.kind() != Activation::kNone || r_all != nullptr;
    for (int64_t n = 0; n < batch_; ++n)
      for (int64_t g = 0; g < groups_; ++g) {
        const float* x = ctx.inputs[0] + (n * in_c_ + g * in_cg) * pixels;
        if (subsampled_) {  // x[c][oy*sh][ox*sw] into scratch, then as a stride-1 map (groups_ == 1)
          const float* src = ctx.inputs[0] + n * in_c_ * in_h_ * in_w_;
          float* dst = ctx.scratch;
          parallel_ranges(ctx.pool, in_c_, units_per_task(pixels), [&](int64_t c0, int64_t c1) {
            for (int64_t c = c0; c < c1; ++c)
              for (int64_t oy = 0; oy < out_h_; ++oy) {
                const float* row = src + (c * in_h_ + oy * win_.sh) * in_w_;
                float* out = dst + c * pixels + oy * out_w_;
                for (int64_t ox = 0; ox < out_w_; ++ox) out[ox] = row[ox * win_.sw];
              }
          });
          x = dst;
        }
        const int64_t out_offset = (n * out_c_ + g * out_cg_) * pixels;
        float* y = ctx.outputs[0] + out_offset;
        const float* r = r_all ? r_all + out_offset : nullptr;
        const float* bias = bias_ ? bias_ + g * out_cg_ : nullptr;
        const PackedMatrix& w = packed_[g];
        const float* w_panels = w.panel(0);
        if (has_scale_) {  // groups_ == 1, not subsampled: the scratch holds W · diag(s) alone
          if (n == 0 || scale_per_item_) {
            const float* s = ctx.inputs[4] + (scale_per_item_ ? n * in_c_ : 0);
            parallel_ranges(ctx.pool, panels, units_per_task(depth_ * mr),
                            [&](int64_t q0, int64_t q1) { scale_packed_depth(w, s, q0, q1, ctx.scratch); });
          }
          w_panels = ctx.scratch;
        }
        const int64_t chunks = (panels + pw_panels_per_chunk_ - 1) / pw_panels_per_chunk_;
        ctx.pool.run(pw_bands_ * chunks, [&](int64_t task, int) {
          const int64_t band = task / chunks, chunk = task % chunks;
          const int64_t p0 = band * tiles / pw_bands_ * nr, p1 = std::min(pixels, (band + 1) * tiles / pw_bands_ * nr);
          const int64_t q0 = chunk * pw_panels_per_chunk_, q1 = std::min(panels, q0 + pw_panels_per_chunk_);
          auto tile = [&](int64_t q, int64_t p) {
            const int64_t row0 = q * mr;
            const F32GemmPost post = kernel_post(r ? r + row0 * pixels + p : nullptr, pixels);
            gemm_->igemm(std::min(mr, out_cg_ - row0), std::min(nr, p1 - p), depth_, w_panels + q * depth_ * mr, x + p,
                         koff_.data(), y + row0 * pixels + p, pixels, bias ? bias + row0 : nullptr,
                         post_in_kernel_ ? &post : nullptr);
          };
          // On inputs larger than L2 (pw_large_map_), the rows of the tile
          // after the one at p are requested, one line per 16 floats.
          auto request_next_tile = [&](int64_t p) {
            if (!pw_large_map_ || p + nr >= p1) return;
            for (int64_t k = 0; k < depth_; ++k)
              for (int64_t l = p + nr; l < std::min(p + 2 * nr, p1); l += 16) __builtin_prefetch(x + koff_[k] + l, 0, 3);
          };
          if (pw_panels_outer_) {
            for (int64_t q = q0; q < q1; ++q)
              for (int64_t p = p0; p < p1; p += nr) {
                if (q == q0) request_next_tile(p);
                tile(q, p);
              }
          } else {
            for (int64_t p = p0; p < p1; p += nr) {
              request_next_tile(p);
              for (int64_t q = q0; q < q1; ++q) tile(q, p);
            }
          }
          if (!epilogue || post_in_kernel_) return;
          epilogue_rows(y, r, q0 * mr, std::min(out_cg_, q1 * mr), pixels, p0, p1 - p0);
        });
      }
  }

  // A depthwise layer that can take part in a fusion: on the per-plane
  // kernels, no residual, no fused producer of its own, every band of
  // output rows reading at least one input row.
  bool fusable_depthwise() const {
    const int64_t reach = (win_.kh - 1) * win_.dh + 1;
    return path_ == ConvPath::kDepthwise && dw_kernel_ != nullptr && dw_lanes_ == nullptr && !has_residual_ &&
           pw_producer_ == nullptr && win_.pad_top < reach && win_.pad_bottom < reach;
  }

  // A pointwise layer that can take part in a fusion (a residual is checked
  // by the caller).
  bool fusable_pointwise() const {
    return path_ == ConvPath::kPointwise && !subsampled_ && !has_scale_ && groups_ == 1 && packed_.size() == 1 &&
           packed_[0].mr == gemm_->mr && dw_producer_ == nullptr;
  }

  // The input rows that depthwise output rows [oy0, oy1) read, as a plane
  // of their own (rows outside the input become its padding), and the
  // first input row it holds.
  DwconvPlane dw_rows_plane(int64_t oy0, int64_t oy1, int64_t* first_input_row) const {
    const int64_t first_row = oy0 * win_.sh - win_.pad_top;
    const int64_t last_row = (oy1 - 1) * win_.sh + (win_.kh - 1) * win_.dh - win_.pad_top;
    const int64_t iy0 = std::clamp<int64_t>(first_row, 0, in_h_), iy1 = std::clamp<int64_t>(last_row + 1, 0, in_h_);
    DwconvPlane band = dw_plane_;
    band.out_h = oy1 - oy0;
    band.in_h = std::max<int64_t>(0, iy1 - iy0);
    band.pad_top = iy0 - first_row;
    *first_input_row = iy0;
    return band;
  }

  // A band of depthwise output rows (band: its geometry, dw_rows_plane) of
  // every channel: channel c's input rows at x + c*x_stride, its output
  // rows at y + c*y_stride, with the epilogue.
  void depthwise_band(const DwconvPlane& band, const float* x, int64_t x_stride, float* y, int64_t y_stride,
                      float* scratch) const {
    const int64_t k2 = win_.kh * win_.kw, count = band.out_h * out_w_;
    for (int64_t c = 0; c < out_c_; ++c) {
      dw_kernel_->fn(&band, x + c * x_stride, dw_weights_.data() + c * k2, bias_ ? bias_[c] : 0.0f, dw_clamp_,
                     scratch, y + c * y_stride);
      if (!dw_clamp_is_epilogue_) apply_epilogue(act_, y + c * y_stride, nullptr, false, static_cast<size_t>(count));
    }
  }

  // Rows per fused band at most: kFuseBandsPerThread bands per thread, so
  // that every thread gets a row range (a 112-row map in one band ran on
  // one thread of two).
  int64_t fused_rows_cap(int64_t rows) const {
    const int64_t bands = static_cast<int64_t>(num_threads_) * kFuseBandsPerThread;
    return std::max<int64_t>(1, (rows + bands - 1) / bands);
  }

  // Per thread: mid_floats of producer rows, then the depthwise kernel's
  // scratch for a band of fused_rows_ output rows of `plane`.
  void plan_fused_scratch(const DwconvPlane& plane, int64_t mid_floats) {
    DwconvPlane band = plane;
    band.out_h = fused_rows_;
    fused_mid_bytes_ = round_up(static_cast<size_t>(mid_floats) * sizeof(float), 64);
    const size_t kernel_bytes = round_up(static_cast<size_t>(band.scratch_floats()) * sizeof(float), 64);
    scratch_bytes_ = static_cast<size_t>(num_threads_) * (fused_mid_bytes_ + kernel_bytes);
  }

  bool fuse_pointwise_producer(const ConvOp& a) {
    const int64_t reach = (win_.kh - 1) * win_.dh + 1;
    const int64_t row_bytes = in_c_ * in_w_ * static_cast<int64_t>(sizeof(float));
    const int64_t fit_rows = std::max<int64_t>(reach, static_cast<int64_t>(kFuseBandBytes) / row_bytes);
    fused_rows_ = std::clamp<int64_t>((fit_rows - reach) / win_.sh + 1, 1, fused_rows_cap(out_h_));
    fused_mid_rows_ = std::min(in_h_, (fused_rows_ - 1) * win_.sh + reach);
    plan_fused_scratch(dw_plane_, in_c_ * fused_mid_rows_ * in_w_);
    pw_producer_ = &a;
    return true;
  }

  bool fuse_depthwise_producer(const ConvOp& a) {
    const int64_t row_bytes = in_c_ * in_w_ * static_cast<int64_t>(sizeof(float));
    fused_rows_ = std::clamp<int64_t>(static_cast<int64_t>(kFuseBandBytes) / row_bytes, 1, fused_rows_cap(in_h_));
    const int64_t mid_ld = fused_rows_ * in_w_;
    fused_koff_.clear();
    for (int64_t k = 0; k < depth_; ++k) fused_koff_.push_back(k * mid_ld);
    plan_fused_scratch(a.dw_plane_, in_c_ * mid_ld);
    dw_producer_ = &a;
    return true;
  }

  // The fused layers' tasks: each image's `rows` output rows in one
  // contiguous range of whole bands per thread, fn(n, row_begin, row_end,
  // mid, kernel_scratch) with the running thread's two scratch parts
  // (plan_fused_scratch).
  template <class Fn>
  void run_fused_ranges(const RunContext& ctx, int64_t rows, const Fn& fn) const {
    const int64_t bands = (rows + fused_rows_ - 1) / fused_rows_;
    const int64_t chunks = std::min<int64_t>(ctx.pool.num_threads(), bands);
    const size_t per_thread = scratch_bytes_ / static_cast<size_t>(num_threads_);
    ctx.pool.run(batch_ * chunks, [&](int64_t task, int thread) {
      const int64_t n = task / chunks, chunk = task % chunks;
      uint8_t* base = reinterpret_cast<uint8_t*>(ctx.scratch) + static_cast<size_t>(thread) * per_thread;
      fn(n, chunk * bands / chunks * fused_rows_, std::min(rows, (chunk + 1) * bands / chunks * fused_rows_),
         reinterpret_cast<float*>(base), reinterpret_cast<float*>(base + fused_mid_bytes_));
    });
  }

  // This pointwise layer with its depthwise producer fused
  // (fuse_depthwise_producer). Input 0 is the producer's input. Each thread
  // takes one contiguous range of rows, band by band: the producer's rows
  // of every channel into mid (channel k at mid + k*mid_ld), then the GEMM
  // over them with this layer's epilogue (a residual too) as it stores.
  void run_fused_depthwise(const RunContext& ctx) const {
    const ConvOp& a = *dw_producer_;
    const int64_t pixels = out_h_ * out_w_, mid_ld = fused_rows_ * in_w_;
    const PackedMatrix& w = packed_[0];
    const int64_t block = std::max<int64_t>(gemm_->nr, kFuseColumnBlock / gemm_->nr * gemm_->nr);
    run_fused_ranges(ctx, out_h_, [&](int64_t n, int64_t row_begin, int64_t row_end, float* mid, float* scratch) {
      const float* x = ctx.inputs[0] + n * a.in_c_ * a.in_h_ * a.in_w_;
      const float* r = has_residual_ ? ctx.inputs[3] + n * out_c_ * pixels : nullptr;
      float* y = ctx.outputs[0] + n * out_c_ * pixels;
      for (int64_t r0 = row_begin; r0 < row_end; r0 += fused_rows_) {
        const int64_t r1 = std::min(row_end, r0 + fused_rows_), first = r0 * out_w_, count = (r1 - r0) * out_w_;
        int64_t iy0 = 0;
        const DwconvPlane band = a.dw_rows_plane(r0, r1, &iy0);
        a.depthwise_band(band, x + iy0 * a.in_w_, a.in_h_ * a.in_w_, mid, mid_ld, scratch);
        for (int64_t j = 0; j < count; j += block) {
          const int64_t nc = std::min(block, count - j), at = first + j;
          for (int64_t p = 0; p < w.panel_count(); ++p) {
            const int64_t m0 = p * w.mr;
            const F32GemmPost post = kernel_post(r ? r + m0 * pixels + at : nullptr, pixels);
            gemm_->igemm(static_cast<size_t>(std::min<int64_t>(w.mr, out_c_ - m0)), static_cast<size_t>(nc),
                         static_cast<size_t>(depth_), w.panel(p), mid + j, fused_koff_.data(), y + m0 * pixels + at,
                         static_cast<size_t>(pixels), bias_ ? bias_ + m0 : nullptr, post_in_kernel_ ? &post : nullptr);
          }
          if (!post_in_kernel_) epilogue_rows(y, r, 0, out_c_, pixels, at, nc);
        }
      }
    });
  }

  // Output rows [r0, r1) of this pointwise layer for one image (x: its
  // in_c_ input planes), output channel m's rows at dst + m*ld, with bias
  // and activation (in the kernel as it stores, as run_pointwise). In
  // column blocks whose B rows stay in L1 across the weight panels.
  void pointwise_rows(const float* x, int64_t r0, int64_t r1, float* dst, int64_t ld) const {
    const PackedMatrix& w = packed_[0];
    const int64_t first = r0 * in_w_, count = (r1 - r0) * in_w_;
    const int64_t block = std::max<int64_t>(gemm_->nr, kFuseColumnBlock / gemm_->nr * gemm_->nr);
    const F32GemmPost post = kernel_post(nullptr, 0);
    for (int64_t j = 0; j < count; j += block) {
      const int64_t nc = std::min(block, count - j);
      for (int64_t p = 0; p < w.panel_count(); ++p) {
        const int64_t m0 = p * w.mr;
        gemm_->igemm(static_cast<size_t>(std::min<int64_t>(w.mr, out_c_ - m0)), static_cast<size_t>(nc),
                     static_cast<size_t>(depth_), w.panel(p), x + first + j, koff_.data(), dst + m0 * ld + j,
                     static_cast<size_t>(ld), bias_ ? bias_ + m0 : nullptr, post_in_kernel_ ? &post : nullptr);
      }
      if (!post_in_kernel_ && act_.kind() != Activation::kNone) epilogue_rows(dst, nullptr, 0, out_c_, ld, j, nc);
    }
  }

  // The depthwise layer with its pointwise producer fused (fuse_producer).
  // Input 0 is the producer's input. Each thread takes one contiguous range
  // of output rows, band by band; mid (its scratch) holds producer rows
  // [lo, hi) of every channel (channel c at mid + c*mid_ld), and the rows a
  // band shares with the previous one are moved down, not recomputed.
  void run_fused(const RunContext& ctx) const {
    const ConvOp& a = *pw_producer_;
    const int64_t pixels = out_h_ * out_w_, mid_ld = fused_mid_rows_ * in_w_;
    run_fused_ranges(ctx, out_h_, [&](int64_t n, int64_t oy_begin, int64_t oy_end, float* mid, float* scratch) {
      const float* x = ctx.inputs[0] + n * a.in_c_ * in_h_ * in_w_;
      float* y = ctx.outputs[0] + n * out_c_ * pixels;
      int64_t lo = 0, hi = 0;  // producer rows held in mid
      for (int64_t oy0 = oy_begin; oy0 < oy_end; oy0 += fused_rows_) {
        int64_t new_lo = 0;
        const DwconvPlane band = dw_rows_plane(oy0, std::min(oy_end, oy0 + fused_rows_), &new_lo);
        const int64_t new_hi = new_lo + band.in_h;
        int64_t from = new_lo;  // first row to compute
        if (hi > new_lo && lo <= new_lo) {
          if (new_lo > lo)
            for (int64_t c = 0; c < in_c_; ++c)
              std::memmove(mid + c * mid_ld, mid + c * mid_ld + (new_lo - lo) * in_w_,
                           static_cast<size_t>((hi - new_lo) * in_w_) * sizeof(float));
          from = hi;
        }
        if (new_hi > from) a.pointwise_rows(x, from, new_hi, mid + (from - new_lo) * in_w_, mid_ld);
        lo = new_lo;
        hi = new_hi;
        depthwise_band(band, mid, mid_ld, y + oy0 * out_w_, pixels, scratch);
      }
    });
  }

  // Bands of output rows for the channel-lane kernel, each described as a
  // plane of its own: the input rows its windows read (rows outside the
  // input become that plane's padding).
  void plan_dw_bands() {
    const int64_t ld = dw_plane_.ld();
    int64_t rows = std::clamp<int64_t>(kDwLanesBandElements / std::max<int64_t>(ld, 1), 1, out_h_);
    const int64_t bands = (out_h_ + rows - 1) / rows;
    rows = (out_h_ + bands - 1) / bands;
    dw_bands_.clear();
    for (int64_t oy0 = 0; oy0 < out_h_; oy0 += rows) {
      const int64_t oy1 = std::min(out_h_, oy0 + rows);
      int64_t iy0 = 0;
      DwBand band;
      band.plane = dw_rows_plane(oy0, oy1, &iy0);
      band.x_offset = iy0 * in_w_;
      band.y_offset = oy0 * out_w_;
      dw_bands_.push_back(band);
    }
  }

  void run_depthwise(const RunContext& ctx) const {
    const float* x_all = ctx.inputs[0];
    const float* r_all = has_residual_ ? ctx.inputs[3] : nullptr;
    float* y_all = ctx.outputs[0];
    const int64_t pixels = out_h_ * out_w_;
    if (dw_kernel_ != nullptr) {
      const size_t scratch_stride = scratch_bytes_ / static_cast<size_t>(ctx.pool.num_threads());
      if (dw_lanes_ != nullptr) {
        const int64_t lanes = dw_lanes_->lanes, groups = (out_c_ + lanes - 1) / lanes, k2 = win_.kh * win_.kw;
        const int64_t bands = static_cast<int64_t>(dw_bands_.size());
        // The activation runs inside the kernel unless a residual comes first.
        const bool act_in_kernel = act_.kind() != Activation::kNone && (r_all == nullptr || residual_after_activation_);
        ctx.pool.run(batch_ * groups * bands, [&](int64_t task, int thread) {
          float* scratch = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + thread * scratch_stride);
          const DwBand& band = dw_bands_[task % bands];
          const int64_t group = task / bands, n = group / groups, c0 = group % groups * lanes;
          const int64_t count = std::min(lanes, out_c_ - c0), first = n * out_c_ + c0;
          float* y = y_all + first * pixels + band.y_offset;
          dw_lanes_->fn(&band.plane, count, x_all + first * in_h_ * in_w_ + band.x_offset, in_h_ * in_w_,
                        dw_weights_.data() + c0 * k2, bias_ ? bias_ + c0 : nullptr, &act_.spec,
                        act_in_kernel ? act_.fn : nullptr, scratch, y, pixels);
          if (r_all == nullptr) return;
          const int64_t band_pixels = band.plane.out_h * out_w_;
          const float* r = r_all + first * pixels + band.y_offset;
          for (int64_t j = 0; j < count; ++j) {
            if (act_in_kernel)
              apply_epilogue(ActivationParams{}, y + j * pixels, r + j * pixels, false, band_pixels);
            else
              apply_epilogue(act_, y + j * pixels, r + j * pixels, residual_after_activation_, band_pixels);
          }
        });
        return;
      }
      // Small planes (7x7: 49 pixels) go several to a task: one plane is
      // well under a microsecond of work, less than handing out a task.
      const int64_t planes = batch_ * out_c_, per_task = std::max<int64_t>(1, 4096 / pixels);
      ctx.pool.run((planes + per_task - 1) / per_task, [&](int64_t group, int thread) {
        float* scratch = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + thread * scratch_stride);
        for (int64_t task = group * per_task; task < std::min(planes, (group + 1) * per_task); ++task) {
          const int64_t c = task % out_c_;
          float* y = y_all + task * pixels;
          dw_kernel_->fn(&dw_plane_, x_all + task * in_h_ * in_w_, dw_weights_.data() + c * win_.kh * win_.kw,
                         bias_ ? bias_[c] : 0.0f, dw_clamp_, scratch, y);
          // The plane is still in L1/L2: one epilogue call per channel.
          if (!dw_clamp_is_epilogue_)
            apply_epilogue(act_, y, r_all ? r_all + task * pixels : nullptr, residual_after_activation_, pixels);
        }
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
  bool has_scale_ = false;      // 5th input S: y = conv(x · S[c]), pointwise path (prepare)
  bool scale_per_item_ = false;  // S has one row per batch item (else one for all)
  ActivationParams act_;
  const F32GemmKernel* gemm_ = nullptr;
  const F32Im2colKernel* im2col_ = nullptr;
  std::vector<PackedMatrix> packed_;
  WeightGemm wgemm_;
  ChannelGemm cgemm_;
  const F32GemmTKernel* gemm_t_ = nullptr;
  bool pointwise_geometry_ = false;
  bool subsampled_ = false;  // pointwise path on a strided 1x1: input gathered into scratch first
  bool direct_lanes_ = false;  // direct path with the channel-lane kernel (run_direct_lanes)
  const F32TransposeKernel* transpose_ = nullptr;
  PaddedInput pad_;
  // The pixel-lane kernels apply the epilogue as they store (kernel_post):
  // a clamp (ReLU, Clip) in registers, with a residual before or after it;
  // a residual alone; any other activation on each stored tile row, with no
  // residual or one added before it. Else a pass over each finished band.
  bool post_in_kernel_ = false;
  int64_t direct_chunks_ = 1;  // direct path, channel lanes: output channel ranges per band (small maps)
  std::vector<int64_t> koff_;  // tap offsets in the padded input (direct path)
  int64_t band_ = 1;  // tiles per task (pointwise), at most
  int64_t pw_bands_ = 1;  // pointwise: pixel bands, band b tiles [b * tiles / pw_bands_, (b + 1) * tiles / pw_bands_)
  bool pw_large_map_ = false;    // pointwise: B larger than L2 (software prefetch of B rows)
  bool pw_band_panels_ = false;  // pointwise: bands swept weight panel by weight panel (large input or output)
  int64_t pw_panels_per_chunk_ = 1;  // weight panels per task (pointwise)
  bool pw_panels_outer_ = false;      // pointwise: weight panels outer, pixel tiles inner
  std::vector<float> dw_weights_;
  const F32DwconvKernel* dw_kernel_ = nullptr;
  // The per-plane kernels' output clamp: the whole epilogue when that is a
  // ReLU or Clip (or nothing) with no residual, else none (+-inf).
  DwconvClamp dw_clamp_{0.0f, 0.0f};
  bool dw_clamp_is_epilogue_ = false;
  const F32DwconvLanesKernel* dw_lanes_ = nullptr;  // channel-lane kernel, where the tier has one
  DwconvPlane dw_plane_;
  struct DwBand {
    DwconvPlane plane;  // the band's output rows and the input rows they read
    int64_t x_offset = 0, y_offset = 0;  // within a channel plane
  };
  std::vector<DwBand> dw_bands_;
  const F32WinoKernel* wino_ = nullptr;
  std::vector<PackedMatrix> wino_u_;  // (m+2)^2 transformed weight matrices, packed
  int64_t wino_tiles_h_ = 0, wino_tiles_w_ = 0, wino_rows_ = 0, wino_ld_ = 0;
  int64_t wino_share_ = 1;         // tiles per thread's share (the last share may be shorter)
  int64_t wino_block_ = 1;         // tiles per block (<= kWinoTiles)
  int64_t wino_stride_ = 16;       // the row stride of V and M: wino_block_ rounded up to 16
  int64_t wino_v_plane_ = 0, wino_m_plane_ = 0;  // their frequency plane strides
  int64_t wino_share_blocks_ = 1;  // blocks per share (the last block of a share may be shorter)
  bool wino_channel_split_ = false;  // threads take output channels, not tiles (see plan_winograd)
  size_t wino_input_bytes_ = 0, wino_shared_v_bytes_ = 0, wino_thread_bytes_ = 0;
  size_t scratch_bytes_ = 0;
  int num_threads_ = 1;
  // A fused producer (fuse_producer), or null: pointwise (this layer
  // depthwise) or depthwise (this layer pointwise).
  const ConvOp* pw_producer_ = nullptr;
  const ConvOp* dw_producer_ = nullptr;
  int64_t fused_rows_ = 1;      // output rows per band
  int64_t fused_mid_rows_ = 1;  // producer rows a band reads, at most (pointwise producer)
  size_t fused_mid_bytes_ = 0;  // per thread: the producer rows of every channel
  std::vector<int64_t> fused_koff_;  // depthwise producer: B row k (channel k) in mid
};

}  // namespace

std::unique_ptr<Op> make_ConvOp() { return std::make_unique<ConvOp>(); }

}  // namespace edgecnn
