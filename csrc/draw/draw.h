// Drawing results onto frames: box outlines, label tags, translucent instance
// masks and segmentation overlays, bitmap text. Every function draws in place
// and clips to the image, so shapes partly or wholly outside it are fine.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "post/masks.h"

namespace edgecnn {

// An H x W x 3 uint8 image, row-major with the 3 channels of a pixel
// consecutive (numpy's C order, OpenCV's layout). Pixel (x, y) covers
// [x, x + 1) x [y, y + 1) in frame coordinates. The drawing functions do not
// know the channel order: colors are given in the image's own order.
struct Image {
  uint8_t* data = nullptr;
  int64_t height = 0;
  int64_t width = 0;
};

using Color = std::array<uint8_t, 3>;

// Limits that keep every integer computed from a coordinate, thickness or
// text scale far from int64 overflow.
constexpr int64_t kMaxDrawCoordinate = int64_t{1} << 30;  // |coordinate| < this
constexpr int64_t kMaxLineThickness = 1 << 16;
constexpr int64_t kMaxTextScale = 1 << 10;

// The color of class `class_id` (>= 0) as RGB: a fixed table of 20 distinct
// colors, then hues stepping by the golden ratio (each new hue falls in the
// largest gap left by the earlier ones), so neighbouring ids differ. The same
// id always gets the same color. Throws ArgumentError for a negative id.
Color palette_rgb(int64_t class_id);
// The colors of n ids, 3 bytes each, to rgb[3 * n].
void palette_rgb(const int64_t* class_ids, int64_t n, uint8_t* rgb);

// Outline of each box i (x1, y1, x2, y2 in frame pixels, 4 floats; colors[3i..]
// its color): the pixel rectangle columns [floor(x1), ceil(x2)) by rows
// [floor(y1), ceil(y2)) (empty when x2 <= x1 or y2 <= y1: nothing is drawn),
// as bands `thickness` pixels wide running along the inside of its edges.
// Throws ArgumentError for a coordinate that is not finite or beyond
// kMaxDrawCoordinate, or a thickness outside [1, kMaxLineThickness].
void draw_boxes(const Image& img, const float* boxes, int64_t n, const uint8_t* colors, int64_t thickness);

// Blend weight of `alpha` in [0, 1] in 1/256 steps; pixel channel p becomes
// (p * (256 - a) + c * a + 128) >> 8 for color channel c, a = round(alpha * 256).
// Throws ArgumentError for alpha outside [0, 1].
int blend_weight(double alpha);

// Blends colors[3i..] with weight `alpha` into the pixels of box-local mask i
// (masks[i]: regions[i].height x regions[i].width uint8 0/1, element (r, c)
// is pixel (x0 + c, y0 + r)) that are set and inside the image. Later masks
// blend over earlier ones. Throws ArgumentError for an origin beyond
// kMaxDrawCoordinate or a negative region size.
void blend_box_masks(const Image& img, const uint8_t* const* masks, const MaskRegion* regions, int64_t n,
                     const uint8_t* colors, double alpha);

// Blends colors[3k..] with weight `alpha` into every pixel of class k of
// `class_map` (img.height x img.width class ids, row-major); pixels of class
// `skip_class` (-1: none; typically 0, background) keep their color. Throws
// ArgumentError, before drawing anything, if a class id is negative or, other
// than skip_class, >= num_colors.
void blend_class_map(const Image& img, const uint8_t* class_map, const uint8_t* colors, int64_t num_colors,
                     double alpha, int64_t skip_class);
void blend_class_map(const Image& img, const int32_t* class_map, const uint8_t* colors, int64_t num_colors,
                     double alpha, int64_t skip_class);

// Text layout, in pixels at scale s: each line of `text` ('\n' separates
// lines) is a box (6 * chars + 1) * s wide (0 for an empty line) and 10 * s
// tall; lines stack downward with no gap. Within a line's box, glyph k's 5 x 8
// cell (7 rows above the baseline, 1 for descenders) starts s pixels from the
// top and (1 + 6k) * s from the left, each font pixel an s x s square.
// Printable ASCII (32..126) is drawn as itself; any other byte as '?', except
// UTF-8 continuation bytes, which are skipped (one '?' per code point).
struct TextSize {
  int64_t width = 0;   // of the widest line
  int64_t height = 0;  // of all lines
};
TextSize text_size(const std::string& text, int64_t scale);

// Draws `text` with its box's top-left corner at (x, y): glyph pixels in
// `color`, and each line's box filled with *background first when given.
// Throws ArgumentError for x or y beyond kMaxDrawCoordinate or a scale outside
// [1, kMaxTextScale].
void draw_text(const Image& img, const std::string& text, int64_t x, int64_t y, int64_t scale, const Color& color,
               const Color* background);

// A label tag for each box i whose pixel rectangle (see draw_boxes) has a
// pixel in the image: texts[i] drawn with its box filled in colors[3i..] and
// glyphs in black or white, whichever contrasts more. The tag's bottom-left
// corner sits on the rectangle's top-left corner, outside the box; when that
// would cut the tag at the image's top edge, the tag moves inside the box
// (top at max(rectangle top, 0)). It shifts right or left to stay within the
// image's width where it fits. Throws as draw_boxes and draw_text.
void draw_box_labels(const Image& img, const float* boxes, const std::vector<std::string>& texts,
                     const uint8_t* colors, int64_t scale);

}  // namespace edgecnn
