// Shared types of the detection post-processing (box decoders, NMS, mapping to
// the frame).
//
// Box layout everywhere: xyxy float32, (x1, y1, x2, y2) with x to the right and
// y down, in pixels, 4 consecutive floats per box. Nothing requires x1 <= x2:
// a box with x2 <= x1 or y2 <= y1 is degenerate (see nms.h for how NMS treats it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"

namespace edgecnn {

// Detections (or candidates for NMS) as parallel arrays: entry i is
// boxes[4i .. 4i+4), scores[i], class_ids[i], anchor_indices[i].
struct DetectionCandidates {
  std::vector<float> boxes;
  std::vector<float> scores;
  std::vector<int32_t> class_ids;
  // The position of the candidate's anchor in the network output (the column
  // of a YOLOv8 output, the row of a YOLOv5 / SSD output): instance
  // segmentation reads that anchor's mask coefficients.
  std::vector<int64_t> anchor_indices;

  int64_t size() const { return static_cast<int64_t>(scores.size()); }
  void reserve(int64_t count);

  void add(const float corners[4], float score, int32_t class_id, int64_t anchor);

  // The entries at `indices`, in that order.
  DetectionCandidates gather(const std::vector<int64_t>& indices) const;
};

// The xyxy corners of the box with center (cx, cy) and size (w, h). Returns
// false if a corner is not finite: decoders drop such a candidate, since NMS
// has no meaningful overlap for it.
bool center_box_corners(float cx, float cy, float w, float h, float corners[4]);

// Throws ArgumentError (naming `function`) if score_threshold is NaN.
void check_score_threshold(float score_threshold, const char* function);

// The (rows, cols) of a matrix given as [rows, cols] or [1, rows, cols] (a
// network output with its batch of one). Throws ArgumentError naming
// `function`, `argument` and `expected` (e.g. "[1, 4 + num_classes + nm, N]")
// otherwise.
struct MatrixDims {
  int64_t rows;
  int64_t cols;
};
MatrixDims matrix_of_batch_one(const Shape& shape, const char* function, const char* argument, const char* expected);

// N of a box array of shape [N, 4]; throws ArgumentError naming `function`
// and `argument` otherwise.
int64_t box_count(const Shape& shape, const char* function, const char* argument);

// "<function>: <argument> must have shape <expected>, got <shape>".
std::string shape_error(const char* function, const char* argument, const std::string& expected, const Shape& got);

}  // namespace edgecnn
