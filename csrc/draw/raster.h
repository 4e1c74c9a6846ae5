// Pixel-level helpers shared by the drawing files (not part of the API).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "draw/draw.h"

namespace edgecnn {
namespace raster {

// The half-open pixel rectangle [x0, x1) x [y0, y1); empty when x1 <= x0 or
// y1 <= y0.
struct Rect {
  int64_t x0 = 0;
  int64_t y0 = 0;
  int64_t x1 = 0;
  int64_t y1 = 0;

  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

inline Rect clip(const Rect& r, const Image& img) {
  return {std::max<int64_t>(r.x0, 0), std::max<int64_t>(r.y0, 0), std::min(r.x1, img.width),
          std::min(r.y1, img.height)};
}

// The pixels a box (x1, y1, x2, y2) covers: [floor(x1), ceil(x2)) x
// [floor(y1), ceil(y2)). The coordinates must have passed validate_boxes.
inline Rect box_pixels(const float* box) {
  return {static_cast<int64_t>(std::floor(box[0])), static_cast<int64_t>(std::floor(box[1])),
          static_cast<int64_t>(std::ceil(box[2])), static_cast<int64_t>(std::ceil(box[3]))};
}

inline uint8_t* pixel(const Image& img, int64_t x, int64_t y) { return img.data + 3 * (y * img.width + x); }

inline void fill_rect(const Image& img, const Rect& r, const uint8_t* color) {
  const Rect c = clip(r, img);
  if (c.empty()) return;
  for (int64_t y = c.y0; y < c.y1; ++y) {
    uint8_t* p = pixel(img, c.x0, y);
    for (int64_t x = c.x0; x < c.x1; ++x, p += 3) std::copy(color, color + 3, p);
  }
}

// One pixel blended toward `color` with weight a / 256 (see blend_weight).
inline void blend_pixel(uint8_t* p, const uint8_t* color, int a) {
  for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>((p[k] * (256 - a) + color[k] * a + 128) >> 8);
}

inline void check_coordinate(int64_t v, const std::string& who, const char* what) {
  if (v <= -kMaxDrawCoordinate || v >= kMaxDrawCoordinate)
    throw ArgumentError(who + ": " + what + " " + std::to_string(v) + " is beyond 2^30");
}

inline void check_range(int64_t v, int64_t lo, int64_t hi, const std::string& who, const char* what) {
  if (v < lo || v > hi)
    throw ArgumentError(who + ": " + what + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                        "], got " + std::to_string(v));
}

}  // namespace raster
}  // namespace edgecnn
