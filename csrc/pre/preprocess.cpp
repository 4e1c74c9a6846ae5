#include "pre/preprocess.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/parallel_for.h"
#include "pre/linear_taps.h"
#include "pre/processing_pool.h"

namespace edgecnn {

void validate_preprocess(const ImageView& image, const PreprocessOptions& o) {
  if (image.data == nullptr || image.height < 1 || image.width < 1)
    throw ArgumentError("preprocess: the image is empty (" + std::to_string(image.height) + "x" +
                        std::to_string(image.width) + ")");
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

// Horizontally resampled image rows, planar: slot s holds channel c of image
// row rows[s] at cache[(s * 3 + c) * width]. Two slots cover the two source
// rows of an output row; upscaling reuses them across output rows.
struct RowCache {
  std::vector<float> data;
  int64_t rows[2] = {-1, -1};
  int64_t width;
  explicit RowCache(int64_t w) : data(static_cast<size_t>(6 * w)), width(w) {}
  float* slot(int s) { return data.data() + s * 3 * width; }
};

}  // namespace

Placement preprocess(const ImageView& image, const PreprocessOptions& o, float* out, ThreadPool& pool) {
  validate_preprocess(image, o);
  const Placement p = place_frame(image.height, image.width, o.out_h, o.out_w, o.letterbox);
  const int64_t rw = p.resized_w, rh = p.resized_h;

  std::vector<LinearTap> taps_x(static_cast<size_t>(rw)), taps_y(static_cast<size_t>(rh));
  linear_taps(0, rw, static_cast<float>(image.width) / static_cast<float>(rw), 0.0f, 0, image.width, taps_x.data());
  linear_taps(0, rh, static_cast<float>(image.height) / static_cast<float>(rh), 0.0f, 0, image.height, taps_y.data());
  // Byte offsets of both source columns of every output column.
  std::vector<int64_t> col0(static_cast<size_t>(rw)), col1(static_cast<size_t>(rw));
  for (int64_t x = 0; x < rw; ++x) {
    col0[x] = taps_x[x].i0 * image.col_stride;
    col1[x] = taps_x[x].i1 * image.col_stride;
  }

  float gain[3], bias[3], pad[3];
  int64_t channel[3];
  for (int c = 0; c < 3; ++c) {
    gain[c] = 1.0f / (255.0f * o.std[c]);
    bias[c] = -o.mean[c] / o.std[c];
    pad[c] = o.pad_value * gain[c] + bias[c];
    channel[c] = (o.swap_rb ? 2 - c : c) * image.channel_stride;
  }

  auto resample_row = [&](int64_t y, float* dst) {
    const uint8_t* row = image.data + y * image.row_stride;
    for (int c = 0; c < 3; ++c) {
      const uint8_t* src = row + channel[c];
      float* d = dst + c * rw;
      for (int64_t x = 0; x < rw; ++x)
        d[x] = static_cast<float>(src[col0[x]]) * taps_x[x].w0 + static_cast<float>(src[col1[x]]) * taps_x[x].w1;
    }
  };

  const int64_t plane = o.out_h * o.out_w;
  parallel_ranges(pool, o.out_h, rows_per_task(pool, o.out_h), [&](int64_t y_begin, int64_t y_end) {
    RowCache cache(rw);
    for (int64_t y = y_begin; y < y_end; ++y) {
      const int64_t ry = y - p.pad_y;
      if (ry < 0 || ry >= rh) {
        for (int c = 0; c < 3; ++c) std::fill_n(out + c * plane + y * o.out_w, o.out_w, pad[c]);
        continue;
      }
      const LinearTap& ty = taps_y[ry];
      // Load the two source rows, keeping a slot that already holds one.
      int s0 = cache.rows[0] == ty.i0 ? 0 : cache.rows[1] == ty.i0 ? 1 : -1;
      if (s0 < 0) {
        s0 = cache.rows[0] == ty.i1 ? 1 : 0;
        resample_row(ty.i0, cache.slot(s0));
        cache.rows[s0] = ty.i0;
      }
      int s1 = cache.rows[0] == ty.i1 ? 0 : cache.rows[1] == ty.i1 ? 1 : -1;
      if (s1 < 0) {
        s1 = 1 - s0;
        resample_row(ty.i1, cache.slot(s1));
        cache.rows[s1] = ty.i1;
      }
      for (int c = 0; c < 3; ++c) {
        float* dst = out + c * plane + y * o.out_w;
        const float* a = cache.slot(s0) + c * rw;
        const float* b = cache.slot(s1) + c * rw;
        const float w0 = ty.w0 * gain[c], w1 = ty.w1 * gain[c], bc = bias[c];
        std::fill_n(dst, p.pad_x, pad[c]);
        float* d = dst + p.pad_x;
        for (int64_t x = 0; x < rw; ++x) d[x] = a[x] * w0 + b[x] * w1 + bc;
        std::fill(d + rw, dst + o.out_w, pad[c]);
      }
    }
  });
  return p;
}

}  // namespace edgecnn
