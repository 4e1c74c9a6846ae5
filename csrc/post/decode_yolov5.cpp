// YOLOv5 box decoder. Layout of the output: post/box_decode.h.
#include <string>

#include "core/error.h"
#include "post/box_decode.h"

namespace edgecnn {

DetectionCandidates decode_yolov5(const float* output, const Shape& output_shape, int64_t num_classes,
                                  float score_threshold, bool multi_label) {
  constexpr const char* kFunction = "decode_yolov5";
  const MatrixDims dims = matrix_of_batch_one(output_shape, kFunction, "output", "[1, N, 5 + num_classes + nm]");
  check_score_threshold(score_threshold, kFunction);
  if (num_classes < 1) throw ArgumentError(std::string(kFunction) + ": num_classes must be >= 1, got " +
                                           std::to_string(num_classes));
  if (5 + num_classes > dims.cols)
    throw ArgumentError(shape_error(kFunction, "output",
                                    "[1, N, 5 + num_classes + nm] with at least 5 + num_classes = " +
                                        std::to_string(5 + num_classes) + " columns",
                                    output_shape));
  DetectionCandidates out;
  float corners[4];
  for (int64_t a = 0; a < dims.rows; ++a) {
    // cx, cy, w, h, objectness, class scores, mask coefficients
    const float* row = output + a * dims.cols;
    const float objectness = row[4];
    const float* class_scores = row + 5;
    if (!(objectness > score_threshold) || !center_box_corners(row[0], row[1], row[2], row[3], corners)) continue;
    if (multi_label) {
      for (int64_t c = 0; c < num_classes; ++c) {
        const float score = objectness * class_scores[c];
        if (score > score_threshold) out.add(corners, score, static_cast<int32_t>(c), a);
      }
      continue;
    }
    float best = objectness * class_scores[0];
    int32_t best_class = 0;
    for (int64_t c = 1; c < num_classes; ++c) {
      const float score = objectness * class_scores[c];
      if (score > best) {
        best = score;
        best_class = static_cast<int32_t>(c);
      }
    }
    if (best > score_threshold) out.add(corners, best, best_class, a);
  }
  return out;
}

}  // namespace edgecnn
