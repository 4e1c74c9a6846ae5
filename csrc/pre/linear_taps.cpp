#include "pre/linear_taps.h"

#include <algorithm>
#include <cmath>

namespace edgecnn {

void linear_taps(int64_t first, int64_t count, float step, float offset, int64_t lo, int64_t hi, LinearTap* taps) {
  const float flo = static_cast<float>(lo);
  const float fmax = static_cast<float>(hi - 1);
  for (int64_t k = 0; k < count; ++k) {
    const float d = static_cast<float>(first + k);
    const float s = std::max((d + 0.5f) * step + offset - 0.5f, flo);
    // Clamping before the conversion keeps far-away coordinates in range;
    // s >= lo >= 0, so truncation is floor (std::floor is a library call at
    // the SSE2 baseline).
    const int64_t i0 = static_cast<int64_t>(std::min(s, fmax));
    const float w1 = std::min(std::max(s - static_cast<float>(i0), 0.0f), 1.0f);
    taps[k] = {i0, std::min(i0 + 1, hi - 1), 1.0f - w1, w1};
  }
}

void tap_runs(const LinearTap* taps, int64_t count, std::vector<TapRun>* runs) {
  runs->clear();
  for (int64_t x = 0; x < count; ++x) {
    if (runs->empty() || runs->back().i0 != taps[x].i0 || runs->back().i1 != taps[x].i1)
      runs->push_back(TapRun{x, x, taps[x].i0, taps[x].i1});
    runs->back().end = x + 1;
  }
}

GridAxis grid_axis(double scale, double pad, int64_t frame_size, int64_t input_size, int64_t grid_size) {
  const double ratio = static_cast<double>(grid_size) / static_cast<double>(input_size);
  const double begin = pad * ratio;
  const double end = (pad + static_cast<double>(frame_size) * scale) * ratio;
  GridAxis a;
  a.step = static_cast<float>(scale * ratio);
  a.offset = static_cast<float>(begin);
  a.lo = std::clamp<int64_t>(static_cast<int64_t>(std::floor(std::clamp(begin + 1e-6, 0.0, 1e15))), 0, grid_size - 1);
  a.hi = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(std::clamp(end - 1e-6, 0.0, 1e15))), a.lo + 1, grid_size);
  return a;
}

}  // namespace edgecnn
