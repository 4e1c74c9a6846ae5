#include <cmath>
#include <string>

#include "core/error.h"
#include "draw/draw.h"
#include "draw/raster.h"
#include "post/masks.h"

namespace edgecnn {

using raster::Rect;

void draw_boxes(const Image& img, const float* boxes, int64_t n, const uint8_t* colors, int64_t thickness) {
  validate_boxes(boxes, n, "draw_boxes");
  raster::check_range(thickness, 1, kMaxLineThickness, "draw_boxes", "thickness");
  for (int64_t i = 0; i < n; ++i) {
    const Rect b = raster::box_pixels(boxes + 4 * i);
    if (b.empty()) continue;
    // Bands clamped to the box, so a thick line on a small box fills it
    // rather than spilling outside.
    const int64_t tx = std::min(thickness, b.x1 - b.x0), ty = std::min(thickness, b.y1 - b.y0);
    const uint8_t* color = colors + 3 * i;
    raster::fill_rect(img, {b.x0, b.y0, b.x1, b.y0 + ty}, color);
    raster::fill_rect(img, {b.x0, b.y1 - ty, b.x1, b.y1}, color);
    raster::fill_rect(img, {b.x0, b.y0, b.x0 + tx, b.y1}, color);
    raster::fill_rect(img, {b.x1 - tx, b.y0, b.x1, b.y1}, color);
  }
}

int blend_weight(double alpha) {
  if (!(alpha >= 0.0 && alpha <= 1.0)) throw ArgumentError("alpha must be in [0, 1], got " + std::to_string(alpha));
  return static_cast<int>(std::lround(alpha * 256.0));
}

void blend_box_masks(const Image& img, const uint8_t* const* masks, const MaskRegion* regions, int64_t n,
                     const uint8_t* colors, double alpha) {
  const std::string who = "blend_box_masks";
  const int a = blend_weight(alpha);
  for (int64_t i = 0; i < n; ++i) {
    const MaskRegion& r = regions[i];
    raster::check_coordinate(r.x0, who, "mask origin x");
    raster::check_coordinate(r.y0, who, "mask origin y");
    if (r.width < 0 || r.height < 0) throw ArgumentError(who + ": mask " + std::to_string(i) + " has a negative size");
  }
  for (int64_t i = 0; i < n; ++i) {
    const MaskRegion& r = regions[i];
    const Rect c = raster::clip({r.x0, r.y0, r.x0 + r.width, r.y0 + r.height}, img);
    if (c.empty()) continue;
    for (int64_t y = c.y0; y < c.y1; ++y) {
      const uint8_t* m = masks[i] + (y - r.y0) * r.width;
      uint8_t* p = raster::pixel(img, c.x0, y);
      for (int64_t x = c.x0; x < c.x1; ++x, p += 3)
        if (m[x - r.x0]) raster::blend_pixel(p, colors + 3 * i, a);
    }
  }
}

namespace {

template <typename Id>
void blend_class_map_impl(const Image& img, const Id* class_map, const uint8_t* colors, int64_t num_colors,
                          double alpha, int64_t skip_class) {
  const int a = blend_weight(alpha);
  const int64_t count = img.height * img.width;
  for (int64_t i = 0; i < count; ++i) {
    const int64_t id = class_map[i];
    if (id < 0 || (id != skip_class && id >= num_colors))
      throw ArgumentError("blend_class_map: class id " + std::to_string(id) + " has no color (" +
                          std::to_string(num_colors) + " colors)");
  }
  uint8_t* p = img.data;
  for (int64_t i = 0; i < count; ++i, p += 3) {
    const int64_t id = class_map[i];
    if (id != skip_class) raster::blend_pixel(p, colors + 3 * id, a);
  }
}

}  // namespace

void blend_class_map(const Image& img, const uint8_t* class_map, const uint8_t* colors, int64_t num_colors,
                     double alpha, int64_t skip_class) {
  blend_class_map_impl(img, class_map, colors, num_colors, alpha, skip_class);
}

void blend_class_map(const Image& img, const int32_t* class_map, const uint8_t* colors, int64_t num_colors,
                     double alpha, int64_t skip_class) {
  blend_class_map_impl(img, class_map, colors, num_colors, alpha, skip_class);
}

}  // namespace edgecnn
