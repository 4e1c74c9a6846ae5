#include "pre/transform.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace edgecnn {

namespace {

// std::nearbyint in the default rounding mode rounds halves to even.
int64_t resized_extent(int64_t size, double r, int64_t out) {
  return std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(static_cast<double>(size) * r)), 1, out);
}

}  // namespace

void validate_transform(const FrameTransform& t, const std::string& who) {
  if (!(std::isfinite(t.scale_x) && std::isfinite(t.scale_y) && t.scale_x > 0 && t.scale_y > 0 &&
        std::isfinite(t.pad_x) && std::isfinite(t.pad_y)))
    throw ArgumentError(who + ": the transform needs finite scales > 0 and finite pads, got (" +
                        std::to_string(t.scale_x) + ", " + std::to_string(t.scale_y) + ", " + std::to_string(t.pad_x) +
                        ", " + std::to_string(t.pad_y) + ")");
}

Placement place_frame(int64_t frame_h, int64_t frame_w, int64_t out_h, int64_t out_w, bool letterbox) {
  Placement p;
  if (letterbox) {
    const double r = std::min(static_cast<double>(out_h) / static_cast<double>(frame_h),
                              static_cast<double>(out_w) / static_cast<double>(frame_w));
    p.resized_w = resized_extent(frame_w, r, out_w);
    p.resized_h = resized_extent(frame_h, r, out_h);
    p.pad_x = (out_w - p.resized_w) / 2;
    p.pad_y = (out_h - p.resized_h) / 2;
  } else {
    p.resized_w = out_w;
    p.resized_h = out_h;
  }
  p.transform.scale_x = static_cast<double>(p.resized_w) / static_cast<double>(frame_w);
  p.transform.scale_y = static_cast<double>(p.resized_h) / static_cast<double>(frame_h);
  p.transform.pad_x = static_cast<double>(p.pad_x);
  p.transform.pad_y = static_cast<double>(p.pad_y);
  return p;
}

}  // namespace edgecnn
