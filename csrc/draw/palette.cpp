#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "draw/draw.h"

namespace edgecnn {

namespace {

// 20 colors (RGB) chosen to be told apart from each other, saturated ones
// first: the ids of small label sets get the most distinct colors.
constexpr Color kTable[] = {
    {230, 25, 75},   {60, 180, 75},  {255, 225, 25},  {0, 130, 200},   {245, 130, 48},
    {145, 30, 180},  {70, 240, 240}, {240, 50, 230},  {210, 245, 60},  {250, 190, 212},
    {0, 128, 128},   {220, 190, 255}, {170, 110, 40}, {255, 250, 200}, {128, 0, 0},
    {170, 255, 195}, {128, 128, 0},  {255, 215, 180}, {0, 0, 128},     {128, 128, 128},
};
constexpr int64_t kTableSize = sizeof(kTable) / sizeof(kTable[0]);

// HSV (all in [0, 1]) to RGB bytes.
Color hsv_to_rgb(double h, double s, double v) {
  const double h6 = h * 6.0;
  const int sector = static_cast<int>(h6) % 6;
  const double f = h6 - std::floor(h6);
  const double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  const double rgb[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
  Color c;
  for (int k = 0; k < 3; ++k) c[k] = static_cast<uint8_t>(std::lround(rgb[sector][k] * 255.0));
  return c;
}

}  // namespace

Color palette_rgb(int64_t class_id) {
  if (class_id < 0) throw ArgumentError("palette: class ids must be >= 0, got " + std::to_string(class_id));
  if (class_id < kTableSize) return kTable[class_id];
  constexpr double kGoldenRatioConjugate = 0.6180339887498949;
  const double turns = static_cast<double>(class_id - kTableSize) * kGoldenRatioConjugate;
  return hsv_to_rgb(turns - std::floor(turns), 0.7, 0.95);
}

void palette_rgb(const int64_t* class_ids, int64_t n, uint8_t* rgb) {
  for (int64_t i = 0; i < n; ++i) {
    const Color c = palette_rgb(class_ids[i]);
    std::copy(c.begin(), c.end(), rgb + 3 * i);
  }
}

}  // namespace edgecnn
