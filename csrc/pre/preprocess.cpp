#include "pre/preprocess.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/unfused.h"
#include "ops/parallel_for.h"
#include "pre/linear_taps.h"
#include "pre/processing_pool.h"
#include "pre/resize_row.h"

namespace edgecnn {

void validate_preprocess(const ImageView& image, const PreprocessOptions& o) {
  if (image.data == nullptr || image.height < 1 || image.width < 1)
    throw ArgumentError("preprocess: the image is empty (" + std::to_string(image.height) + "x" +
                        std::to_string(image.width) + ")");
  if (image.width > (int64_t{1} << 27))
    throw ArgumentError("preprocess: the image is " + std::to_string(image.width) +
                        " pixels wide, more than 2^27 (134217728)");
  if (o.out_h < 1 || o.out_w < 1)
    throw ArgumentError("preprocess: output size must be at least 1x1, got " + std::to_string(o.out_h) + "x" +
                        std::to_string(o.out_w));
  for (int c = 0; c < 3; ++c) {
    if (!std::isfinite(o.mean[c]) || !std::isfinite(o.std[c]) || o.std[c] == 0.0f)
      throw ArgumentError("preprocess: mean and std must be finite and std non-zero (channel " + std::to_string(c) +
                          ": mean " + std::to_string(o.mean[c]) + ", std " + std::to_string(o.std[c]) + ")");
  }
  if (!std::isfinite(o.pad_value)) throw ArgumentError("preprocess: pad_value must be finite");
}

namespace {

// Where the vertical pass puts channel c of source column x in its float row:
// at x * col + chan[c]. `first`/`length` are the image row's byte run that
// the contiguous pass reads (see below).
struct BlendedRowLayout {
  bool one_run = false;
  int64_t first = 0, length = 0;
  int64_t col = 0, chan[3] = {0, 0, 0};
};

// Interleaved pixels (HWC, BGRA, a reversed channel axis) keep every column's
// three channel bytes inside its own col_stride bytes, so an image row is one
// short byte run, blended as it lies. Any other layout (transposed, planar,
// strided views) is gathered into three planes of width floats.
BlendedRowLayout blended_row_layout(const ImageView& image, const int64_t channel[3]) {
  BlendedRowLayout l;
  const int64_t cs = image.col_stride, chs = image.channel_stride;
  l.one_run = cs >= 1 && cs <= 8 && 2 * (chs < 0 ? -chs : chs) < cs;
  if (l.one_run) {
    l.first = std::min<int64_t>(0, 2 * chs);
    l.length = (image.width - 1) * cs + std::max<int64_t>(0, 2 * chs) - l.first + 1;
    l.col = cs;
    for (int c = 0; c < 3; ++c) l.chan[c] = channel[c] - l.first;
  } else {
    l.length = 3 * image.width;
    l.col = 1;
    for (int c = 0; c < 3; ++c) l.chan[c] = c * image.width;
  }
  return l;
}

}  // namespace

Placement preprocess(const ImageView& image, const PreprocessOptions& o, float* out, ThreadPool& pool, Isa isa) {
  validate_preprocess(image, o);
  const ResizeRowKernels& kernels = resize_row_kernels(isa);
  const Placement p = place_frame(image.height, image.width, o.out_h, o.out_w, o.letterbox);
  const int64_t rw = p.resized_w, rh = p.resized_h;

  std::vector<LinearTap> taps_x(static_cast<size_t>(rw)), taps_y(static_cast<size_t>(rh));
  linear_taps(0, rw, static_cast<float>(image.width) / static_cast<float>(rw), 0.0f, 0, image.width, taps_x.data());
  linear_taps(0, rh, static_cast<float>(image.height) / static_cast<float>(rh), 0.0f, 0, image.height, taps_y.data());

  float gain[3], bias[3], pad[3];
  int64_t channel[3];
  for (int c = 0; c < 3; ++c) {
    gain[c] = 1.0f / (255.0f * o.std[c]);
    bias[c] = -o.mean[c] / o.std[c];
    pad[c] = o.pad_value * gain[c] + bias[c];
    channel[c] = (o.swap_rb ? 2 - c : c) * image.channel_stride;
  }
  const BlendedRowLayout layout = blended_row_layout(image, channel);
  // Float offsets of every output column's two taps in a blended row (int32:
  // rows are at most 2^27 pixels, under 2^31 floats), and their weights with
  // the channel's gain folded in ([c][x]).
  std::vector<int32_t> at0(static_cast<size_t>(rw)), at1(static_cast<size_t>(rw));
  std::vector<float> wx0(static_cast<size_t>(3 * rw)), wx1(static_cast<size_t>(3 * rw));
  for (int64_t x = 0; x < rw; ++x) {
    at0[x] = static_cast<int32_t>(taps_x[x].i0 * layout.col);
    at1[x] = static_cast<int32_t>(taps_x[x].i1 * layout.col);
    for (int c = 0; c < 3; ++c) {
      wx0[c * rw + x] = taps_x[x].w0 * gain[c];
      wx1[c * rw + x] = taps_x[x].w1 * gain[c];
    }
  }

  // Both layouts blend with the same operations in the same order, so a view
  // and its contiguous copy give identical tensors.
  const int64_t plane = o.out_h * o.out_w;
  parallel_ranges(pool, o.out_h, rows_per_task(pool, o.out_h), [&](int64_t y_begin, int64_t y_end) {
    std::vector<float> blended(static_cast<size_t>(layout.length));
    float* t = blended.data();
    for (int64_t y = y_begin; y < y_end; ++y) {
      const int64_t ry = y - p.pad_y;
      if (ry < 0 || ry >= rh) {
        for (int c = 0; c < 3; ++c) std::fill_n(out + c * plane + y * o.out_w, o.out_w, pad[c]);
        continue;
      }
      // Vertical pass: the two source rows blended into floats.
      const LinearTap& ty = taps_y[ry];
      const float w0 = ty.w0, w1 = ty.w1;
      const uint8_t* r0 = image.data + ty.i0 * image.row_stride;
      const uint8_t* r1 = image.data + ty.i1 * image.row_stride;
      if (layout.one_run) {
        r0 += layout.first;
        r1 += layout.first;
        kernels.blend_u8(r0, r1, w0, w1, static_cast<size_t>(layout.length), t);
      } else {
        for (int c = 0; c < 3; ++c)
          for (int64_t x = 0; x < image.width; ++x) {
            const int64_t at = x * image.col_stride + channel[c];
            t[layout.chan[c] + x] = unfused(static_cast<float>(r0[at]) * w0) + unfused(static_cast<float>(r1[at]) * w1);
          }
      }
      // Horizontal pass, normalised, between the letterbox columns.
      for (int c = 0; c < 3; ++c) {
        float* dst = out + c * plane + y * o.out_w;
        std::fill_n(dst, p.pad_x, pad[c]);
        float* d = dst + p.pad_x;
        const float* tc = t + layout.chan[c];
        kernels.sample(tc, at0.data(), at1.data(), wx0.data() + c * rw, wx1.data() + c * rw, bias[c],
                       static_cast<size_t>(rw), d);
        std::fill(d + rw, dst + o.out_w, pad[c]);
      }
    }
  });
  return p;
}

}  // namespace edgecnn
