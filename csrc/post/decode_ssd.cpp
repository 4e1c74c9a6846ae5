// SSD-style box decoder (torchvision BoxCoder). Layouts: post/box_decode.h.
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "post/box_decode.h"

namespace edgecnn {

namespace {

constexpr const char* kFunction = "decode_ssd";

// exp() of a scaled size delta is capped here, as torchvision's BoxCoder
// does (bbox_xform_clip), so a wild delta cannot overflow the box size.
const float kSizeDeltaClip = static_cast<float>(std::log(1000.0 / 16.0));

void softmax_in_place(float* values, int64_t count) {
  float largest = values[0];
  for (int64_t i = 1; i < count; ++i) largest = values[i] > largest ? values[i] : largest;
  float sum = 0.0f;
  for (int64_t i = 0; i < count; ++i) {
    values[i] = std::exp(values[i] - largest);
    sum += values[i];
  }
  for (int64_t i = 0; i < count; ++i) values[i] /= sum;
}

// min(v, kSizeDeltaClip) that keeps a NaN (the candidate is then dropped).
float clip_size_delta(float v) { return v > kSizeDeltaClip ? kSizeDeltaClip : v; }

// The corners of the box that `delta` makes of `anchor` (both 4 floats, see
// box_decode.h); false if one is not finite.
bool decode_box(const float* anchor, const float* delta, const std::array<float, 4>& weights, float corners[4]) {
  const float dx = delta[0] / weights[0];
  const float dy = delta[1] / weights[1];
  const float dw = clip_size_delta(delta[2] / weights[2]);
  const float dh = clip_size_delta(delta[3] / weights[3]);
  return center_box_corners(dx * anchor[2] + anchor[0], dy * anchor[3] + anchor[1], std::exp(dw) * anchor[2],
                            std::exp(dh) * anchor[3], corners);
}

}  // namespace

DetectionCandidates decode_ssd(const float* anchors, const Shape& anchors_shape, const float* deltas,
                               const Shape& deltas_shape, const float* scores, const Shape& scores_shape,
                               const SsdBoxCoding& coding, float score_threshold, bool multi_label) {
  const MatrixDims anchor_dims = matrix_of_batch_one(anchors_shape, kFunction, "anchors", "[N, 4]");
  const int64_t n = anchor_dims.rows;
  const MatrixDims delta_dims = matrix_of_batch_one(deltas_shape, kFunction, "deltas", "[1, N, 4]");
  const MatrixDims score_dims = matrix_of_batch_one(scores_shape, kFunction, "scores", "[1, N, C]");
  if (anchor_dims.cols != 4) throw ArgumentError(shape_error(kFunction, "anchors", "[N, 4]", anchors_shape));
  if (delta_dims.rows != n || delta_dims.cols != 4)
    throw ArgumentError(shape_error(kFunction, "deltas", "[1, N, 4] with N = " + std::to_string(n) + " anchors",
                                    deltas_shape));
  if (score_dims.rows != n || score_dims.cols < 2)
    throw ArgumentError(shape_error(
        kFunction, "scores", "[1, N, C] with N = " + std::to_string(n) + " anchors and C >= 2 (background + classes)",
        scores_shape));
  for (float weight : coding.weights)
    if (!(std::isfinite(weight) && weight > 0.0f))
      throw ArgumentError(std::string(kFunction) + ": box coder weights must be finite and > 0");
  check_score_threshold(score_threshold, kFunction);

  const int64_t num_columns = score_dims.cols;
  std::vector<float> probabilities(static_cast<size_t>(num_columns));
  DetectionCandidates out;
  float corners[4];
  for (int64_t a = 0; a < n; ++a) {
    const float* p = scores + a * num_columns;
    if (coding.scores_are_logits) {
      probabilities.assign(p, p + num_columns);
      softmax_in_place(probabilities.data(), num_columns);
      p = probabilities.data();
    }
    // Column 0 is the background.
    int64_t best_class = 1;
    for (int64_t c = 2; c < num_columns; ++c)
      if (p[c] > p[best_class]) best_class = c;
    if (!(p[best_class] > score_threshold)) continue;
    if (!decode_box(anchors + 4 * a, deltas + 4 * a, coding.weights, corners)) continue;
    if (!multi_label) {
      out.add(corners, p[best_class], static_cast<int32_t>(best_class), a);
      continue;
    }
    for (int64_t c = 1; c < num_columns; ++c)
      if (p[c] > score_threshold) out.add(corners, p[c], static_cast<int32_t>(c), a);
  }
  return out;
}

}  // namespace edgecnn
