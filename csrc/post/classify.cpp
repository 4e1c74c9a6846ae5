#include "post/classify.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"

namespace edgecnn {

TopK classify_topk(const float* values, int64_t num_classes, bool apply_softmax, int64_t k) {
  if (num_classes < 1) throw ArgumentError("classify_topk: there are no class scores");
  if (k < 1 || k > num_classes)
    throw ArgumentError("classify_topk: k must be in [1, " + std::to_string(num_classes) + "], got " +
                        std::to_string(k));
  std::vector<float> s(values, values + num_classes);
  if (apply_softmax) {
    float max = -INFINITY;
    for (float v : s) max = std::max(max, v);  // std::max keeps max when v is NaN
    double sum = 0.0;
    for (float& v : s) {
      v = std::exp(v - max);
      sum += v;
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (float& v : s) v *= inv;
  }
  std::vector<int64_t> order(static_cast<size_t>(num_classes));
  std::iota(order.begin(), order.end(), int64_t{0});
  // A strict weak order even with NaN: NaN sorts after every number.
  auto better = [&](int64_t a, int64_t b) {
    const float va = s[a], vb = s[b];
    const bool na = std::isnan(va), nb = std::isnan(vb);
    if (na != nb) return nb;
    if (!na && va != vb) return va > vb;
    return a < b;
  };
  std::partial_sort(order.begin(), order.begin() + k, order.end(), better);
  TopK top;
  top.ids.assign(order.begin(), order.begin() + k);
  for (int64_t id : top.ids) top.scores.push_back(s[id]);
  return top;
}

}  // namespace edgecnn
