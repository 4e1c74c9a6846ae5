// Classification head: optional softmax, then the k best classes.
#pragma once
#include <cstdint>
#include <vector>

namespace edgecnn {

// values: the C class scores of one image. With apply_softmax, they are logits
// and the scores reported are their softmax (computed stably, max subtracted);
// otherwise they are reported as given. Returns the k best (1 <= k <= C) by
// descending score, ties by lower id; NaN ranks below every number.
// Throws ArgumentError if C < 1 or k is out of [1, C].
struct TopK {
  std::vector<int64_t> ids;
  std::vector<float> scores;
};
TopK classify_topk(const float* values, int64_t num_classes, bool apply_softmax, int64_t k);

}  // namespace edgecnn
