// YOLOv8 / YOLO11 box decoder. Layout of the output: post/box_decode.h.
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "post/box_decode.h"

namespace edgecnn {

DetectionCandidates decode_yolov8(const float* output, const Shape& output_shape, int64_t num_classes,
                                  float score_threshold, bool multi_label, ThreadPool& pool) {
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
  // contiguous; the scores of one anchor are n floats apart), in chunks of
  // kChunk anchors whose best scores and classes stay in L1 while the rows
  // stream past. The class update is a bit-mask select, which GCC vectorizes
  // (a conditional assignment it does not, and random scores defeat the
  // branch predictor).
  constexpr int64_t kChunk = 1024;
  std::vector<float> best_score_of(static_cast<size_t>(n));
  std::vector<int32_t> best_class_of(static_cast<size_t>(n));
  pool.run((n + kChunk - 1) / kChunk, [&](int64_t chunk, int) {
    const int64_t first = chunk * kChunk, count = std::min(kChunk, n - first);
    float* __restrict best_score = best_score_of.data() + first;
    int32_t* __restrict best_class = best_class_of.data() + first;
    const float* __restrict row0 = class_scores + first;
    for (int64_t a = 0; a < count; ++a) {
      best_score[a] = row0[a];
      best_class[a] = 0;
    }
    for (int64_t c = 1; c < num_classes; ++c) {
      const float* __restrict row = class_scores + c * n + first;
      const int32_t class_id = static_cast<int32_t>(c);
      for (int64_t a = 0; a < count; ++a) {
        const float score = row[a], best = best_score[a];
        const int32_t better = -static_cast<int32_t>(score > best);  // all ones or zero
        best_score[a] = score > best ? score : best;
        best_class[a] = (class_id & better) | (best_class[a] & ~better);
      }
    }
  });
  const float* best_score = best_score_of.data();
  const int32_t* best_class = best_class_of.data();
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
