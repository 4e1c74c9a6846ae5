// Camera frame -> network input in one pass: bilinear resize (stretch or
// letterbox), channel order, normalisation, HWC uint8 -> NCHW float32.
#pragma once
#include <cstdint>

#include "core/cpu.h"
#include "core/thread_pool.h"
#include "pre/transform.h"

namespace edgecnn {

// An H x W x 3 uint8 image: element (y, x, c) is the byte at
// data + y * row_stride + x * col_stride + c * channel_stride. Strides are in
// bytes and may be negative or overlap, so any numpy view is read in place.
struct ImageView {
  const uint8_t* data = nullptr;
  int64_t height = 0;
  int64_t width = 0;
  int64_t row_stride = 0;
  int64_t col_stride = 0;
  int64_t channel_stride = 0;
};

struct PreprocessOptions {
  int64_t out_h = 0;
  int64_t out_w = 0;
  bool letterbox = false;
  // Colour of the letterbox border, in pixel units (0-255; Ultralytics uses
  // 114); normalised like the image.
  float pad_value = 114.0f;
  // Output channel c reads image channel 2 - c (BGR <-> RGB) when set.
  bool swap_rb = false;
  // Per output (network) channel, on the 0-1 scale:
  //   out = (pixel / 255 - mean[c]) / std[c]
  // computed as pixel * (1 / (255 std)) - mean / std.
  float mean[3] = {0.0f, 0.0f, 0.0f};
  float std[3] = {1.0f, 1.0f, 1.0f};
};

// Throws ArgumentError for an empty image, an image wider than 2^27 pixels
// (a blended row's float offsets stay within int32), out sizes < 1, or a
// mean/std that is not finite or a zero std. preprocess() calls it; entry points that must
// allocate the output first may call it earlier.
void validate_preprocess(const ImageView& image, const PreprocessOptions& options);

// Writes the [1, 3, out_h, out_w] tensor (three planes of out_h * out_w floats)
// to `out` and returns where the frame went (see place_frame). Each output
// pixel inside the resized area samples the image bilinearly at
//   src = (dst - pad + 0.5) * (frame_size / resized_size) - 0.5
// per axis, in float, replicating the edge (linear_taps); pixels outside it
// take the pad value. `isa` selects the row kernels (pre/resize_row.h;
// capped to the tiers this build has); every tier writes the same floats.
Placement preprocess(const ImageView& image, const PreprocessOptions& options, float* out, ThreadPool& pool,
                     Isa isa);

}  // namespace edgecnn
