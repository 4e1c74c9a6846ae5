// Greedy non-maximum suppression with torchvision's semantics.
//
// Overlap is torchvision's IoU, computed in float32 in this order (every ISA
// tier and tests/reference/nms.py use exactly these operations, so the kept set
// does not depend on the tier):
//   area  = (x2 - x1) * (y2 - y1)                       (no +1)
//   w     = max(min(ax2, bx2) - max(ax1, bx1), 0), h likewise
//   inter = w * h
//   union = (area_a + area_b) - inter
//   a box suppresses another iff inter / union > iou_threshold.
// A degenerate box (x2 <= x1 or y2 <= y1) intersects nothing, so inter = 0 and
// its IoU with any box is 0 (0 / union, or NaN when union = 0: never above a
// threshold in [0, 1]). Degenerate boxes are therefore never suppressed and
// never suppress.
//
// Work: the candidates above the score threshold are radix-sorted, then each
// is compared only with the boxes kept so far of its own class (all kept
// boxes when class-agnostic), 8 or 16 at a time on AVX2 / AVX-512, and the
// loop stops at max_det kept boxes.
//
// Candidate order: descending score; equal scores by ascending input index
// (-0 and +0 are equal). The output lists kept indices in that order, so the
// first max_det of them are the best max_det detections.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/cpu.h"
#include "core/shape.h"

namespace edgecnn {

struct NmsOptions {
  // Only candidates with score > score_threshold take part (NaN scores never
  // do). Applied before sorting: it removes most of the work.
  float score_threshold = 0.25f;
  // In [0, 1]: a box is suppressed when its IoU with a kept box is above it.
  float iou_threshold = 0.45f;
  // At most this many indices are returned (>= 1).
  int64_t max_det = 300;
  // At most this many candidates, the best by score, enter NMS after the score
  // threshold (>= 1).
  int64_t pre_nms_top_k = 30000;
  // false: boxes of different classes never suppress each other.
  bool class_agnostic = false;
};

// Throws ArgumentError unless boxes is [N, 4], scores is [N] and, when given,
// classes (the class ids) is [N]; the message names the argument and the
// expected shape.
void validate_nms_shapes(const Shape& boxes_shape, const Shape& scores_shape, const Shape* classes_shape);

// Indices of the kept boxes, best first (see the order above).
// boxes: count x 4 xyxy, finite; scores: count; class_ids: count, or nullptr
// for a single class. Throws ArgumentError for options out of range or a
// non-finite box coordinate. `isa` selects the IoU kernel (capped to the
// tiers this build has).
std::vector<int64_t> nms(const float* boxes, const float* scores, const int32_t* class_ids, int64_t count,
                         const NmsOptions& options, Isa isa);

// The IoU kernel: whether the box (bx1, by1, bx2, by2) of area b_area has an
// IoU above iou_threshold with any of `count` kept boxes, stored as separate
// arrays (box i is x1[i], y1[i], x2[i], y2[i], its area area[i]). Every
// kernel evaluates exactly the operations listed at the top, with max / min
// as SSE/AVX define them (the first operand if it compares greater / less),
// and keeps the product inter = w * h unfused from the union's subtraction.
using NmsOverlapKernel = bool (*)(const float* x1, const float* y1, const float* x2, const float* y2,
                                  const float* area, size_t count, float bx1, float by1, float bx2, float by2,
                                  float b_area, float iou_threshold);

#define EDGECNN_NMS_OVERLAP_KERNEL(isa)                                                                      \
  namespace isa {                                                                                             \
  bool nms_any_iou_above(const float* x1, const float* y1, const float* x2, const float* y2, const float* area, \
                         size_t count, float bx1, float by1, float bx2, float by2, float b_area,              \
                         float iou_threshold);                                                                \
  }
EDGECNN_NMS_OVERLAP_KERNEL(scalar)
EDGECNN_NMS_OVERLAP_KERNEL(avx2)
EDGECNN_NMS_OVERLAP_KERNEL(avx512)
#undef EDGECNN_NMS_OVERLAP_KERNEL

}  // namespace edgecnn
