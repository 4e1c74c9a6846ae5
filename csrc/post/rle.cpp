#include "post/rle.h"

#include <string>

#include "core/error.h"

namespace edgecnn {

namespace {

// Accumulates runs of alternating values, the first of 0s.
class RunWriter {
 public:
  explicit RunWriter(std::vector<uint32_t>& counts) : counts_(counts) {}
  void add(uint8_t value, int64_t n) {
    if (n == 0) return;
    if (value != value_) {
      counts_.push_back(static_cast<uint32_t>(run_));
      value_ = value;
      run_ = 0;
    }
    run_ += n;
  }
  void finish() { counts_.push_back(static_cast<uint32_t>(run_)); }

 private:
  std::vector<uint32_t>& counts_;
  uint8_t value_ = 0;
  int64_t run_ = 0;
};

void encode(const uint8_t* mask, const MaskRegion& r, int64_t frame_h, int64_t frame_w, std::vector<uint32_t>& counts) {
  RunWriter runs(counts);
  runs.add(0, r.x0 * frame_h);
  for (int64_t x = 0; x < r.width; ++x) {
    runs.add(0, r.y0);
    const uint8_t* column = mask + x;
    for (int64_t y = 0; y < r.height; ++y) runs.add(column[y * r.width] != 0, 1);
    runs.add(0, frame_h - r.y0 - r.height);
  }
  runs.add(0, (frame_w - r.x0 - r.width) * frame_h);
  runs.finish();
}

}  // namespace

std::vector<std::vector<uint32_t>> rle_encode_box_local(const uint8_t* const* masks, const MaskRegion* regions,
                                                        int64_t n, int64_t frame_h, int64_t frame_w,
                                                        ThreadPool& pool) {
  constexpr int64_t kLimit = int64_t{1} << 32;
  if (frame_h < 1 || frame_w < 1 || frame_h >= kLimit || frame_w >= kLimit || frame_h * frame_w >= kLimit)
    throw ArgumentError("rle_encode_box_local: frame size must be >= 1 with fewer than 2^32 pixels, got " +
                        std::to_string(frame_h) + "x" + std::to_string(frame_w));
  validate_regions(regions, n, frame_h, frame_w, "rle_encode_box_local");
  std::vector<std::vector<uint32_t>> counts(static_cast<size_t>(n));
  pool.run(n, [&](int64_t i, int) { encode(masks[i], regions[i], frame_h, frame_w, counts[i]); });
  return counts;
}

}  // namespace edgecnn
