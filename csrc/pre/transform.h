// Geometry shared by the pre- and post-processing: where the frame lands in the
// network input, and where frame pixels land on a grid laid over that input
// (the input itself, a segmentation output, YOLO mask prototypes).
#pragma once
#include <cstdint>
#include <string>

namespace edgecnn {

// network_input_coordinate = frame_coordinate * scale + pad, per axis, in
// continuous pixel coordinates (pixel i covers [i, i + 1)).
struct FrameTransform {
  double scale_x = 1.0;
  double scale_y = 1.0;
  double pad_x = 0.0;
  double pad_y = 0.0;
};

// Throws ArgumentError (message prefixed with `who`) unless the scales are
// finite and > 0 and the pads finite.
void validate_transform(const FrameTransform& t, const std::string& who);

// How a frame of frame_h x frame_w is placed in an out_h x out_w network input.
//   resize:    the frame is stretched over the whole input; pads are 0,
//              scale_x = out_w / frame_w, scale_y = out_h / frame_h.
//   letterbox: r = min(out_h / frame_h, out_w / frame_w) (double);
//              resized_w = round_half_even(frame_w * r), likewise resized_h, each
//              clamped to [1, out]; half-to-even is Python's round(), which
//              Ultralytics' LetterBox uses. The image is centred:
//              pad_x = (out_w - resized_w) / 2 and pad_y = (out_h - resized_h) / 2,
//              rounded down (Ultralytics' round(dw - 0.1) gives the same).
//              The scales are those the pixels really get,
//              resized_w / frame_w and resized_h / frame_h (they can differ
//              from r, and from each other, by the rounding).
struct Placement {
  int64_t resized_w = 0;
  int64_t resized_h = 0;
  int64_t pad_x = 0;
  int64_t pad_y = 0;
  FrameTransform transform;
};

// Sizes must be >= 1 (validated by the callers' entry points).
Placement place_frame(int64_t frame_h, int64_t frame_w, int64_t out_h, int64_t out_w, bool letterbox);

}  // namespace edgecnn
