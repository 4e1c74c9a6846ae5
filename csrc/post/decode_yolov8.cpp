// YOLOv8 / YOLO11 box decoder. Layout of the output: post/box_decode.h.
#include <string>

#include "core/error.h"
#include "post/box_decode.h"

namespace edgecnn {

DetectionCandidates decode_yolov8(const float* output, const Shape& output_shape, int64_t num_classes,
                                  float score_threshold, bool multi_label) {
  constexpr const char* kFunction = "decode_yolov8";
  const MatrixDims dims = matrix_of_batch_one(output_shape, kFunction, "output", "[1, 4 + num_classes + nm, N]");
  check_score_threshold(score_threshold, kFunction);
  if (num_classes < 1) throw ArgumentError(std::string(kFunction) + ": num_classes must be >= 1, got " +
                                           std::to_string(num_classes));
  if (4 + num_classes > dims.rows)
    throw ArgumentError(shape_error(kFunction, "output",
                                    "[1, 4 + num_classes + nm, N] with at least 4 + num_classes = " +
                                        std::to_string(4 + num_classes) + " rows",
                                    output_shape));
  const int64_t n = dims.cols;
  const float* cx = output;
  const float* cy = output + n;
  const float* w = output + 2 * n;
  const float* h = output + 3 * n;
  const float* class_scores = output + 4 * n;  // row c holds class c's score of every anchor

  // The best class of every anchor, one class row at a time (rows are
  // contiguous; the scores of one anchor are n floats apart). Branch-free so
  // that it vectorizes: random scores would defeat the branch predictor.
  std::vector<float> best_score(class_scores, class_scores + n);
  std::vector<int32_t> best_class(static_cast<size_t>(n), 0);
  for (int64_t c = 1; c < num_classes; ++c) {
    const float* row = class_scores + c * n;
    for (int64_t a = 0; a < n; ++a) {
      const bool better = row[a] > best_score[a];
      best_score[a] = better ? row[a] : best_score[a];
      best_class[a] = better ? static_cast<int32_t>(c) : best_class[a];
    }
  }
  DetectionCandidates out;
  float corners[4];
  for (int64_t a = 0; a < n; ++a) {
    if (!(best_score[a] > score_threshold) || !center_box_corners(cx[a], cy[a], w[a], h[a], corners)) continue;
    if (!multi_label) {
      out.add(corners, best_score[a], best_class[a], a);
      continue;
    }
    for (int64_t c = 0; c < num_classes; ++c) {
      const float score = class_scores[c * n + a];
      if (score > score_threshold) out.add(corners, score, static_cast<int32_t>(c), a);
    }
  }
  return out;
}

}  // namespace edgecnn
