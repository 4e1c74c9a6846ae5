// Detection post-processing after the network: box decoders (raw output ->
// candidates in network-input pixels), the map back to frame pixels, and
// detect_postprocess, which chains decode -> NMS -> unletterbox in one call.
//
// Every decoder keeps a candidate iff its score > score_threshold (NaN scores
// never pass) and its box corners are finite; candidates come out in anchor
// order, then class order. Boxes are xyxy (post/boxes.h), computed from a
// center and size as (cx - 0.5 w, cy - 0.5 h, cx + 0.5 w, cy + 0.5 h).
// Network outputs may be given with or without their batch of one.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/shape.h"
#include "core/thread_pool.h"
#include "post/boxes.h"
#include "post/nms.h"

namespace edgecnn {

// YOLOv8 / YOLO11 (Ultralytics ONNX export). output: [1, 4 + num_classes + nm, N],
// channel-major: rows 0-3 are cx, cy, w, h in input pixels, the next
// num_classes rows the class scores (already sigmoided), then nm mask
// coefficient rows (YOLOv8-seg: 32), which the decoder skips. The anchor
// index is the column.
// Single label: score = the best class score, class = its row (the lowest on
// ties); multi_label: one candidate per class above the threshold. The best
// class search runs on `pool`, in chunks of anchors.
DetectionCandidates decode_yolov8(const float* output, const Shape& output_shape, int64_t num_classes,
                                  float score_threshold, bool multi_label, ThreadPool& pool);

// YOLOv5. output: [1, N, 5 + num_classes + nm], row-major: cx, cy, w, h,
// objectness, num_classes class scores, nm mask coefficients. The anchor
// index is the row. Score = objectness * class score; as in YOLOv5, an anchor
// whose objectness is not above the threshold is skipped outright.
DetectionCandidates decode_yolov5(const float* output, const Shape& output_shape, int64_t num_classes,
                                  float score_threshold, bool multi_label);

// torchvision BoxCoder decoding for SSD-style heads.
struct SsdBoxCoding {
  // (wx, wy, ww, wh): the deltas are divided by these (all > 0).
  std::array<float, 4> weights = {10.0f, 10.0f, 5.0f, 5.0f};
  // true: scores are logits, turned into probabilities by a softmax per anchor.
  bool scores_are_logits = false;
};

// SSD-style. anchors: [N, 4] cx, cy, w, h in input pixels; deltas: [1, N, 4]
// dx, dy, dw, dh; scores: [1, N, C] probabilities (or logits), column 0 the
// background, which is never a candidate. The class id is the score column
// (1 .. C-1); the anchor index is the row. With (wx, wy, ww, wh) = weights:
//   cx' = dx / wx * w + cx,  w' = exp(min(dw / ww, log(1000 / 16))) * w
// and likewise for y / h, as torchvision does.
DetectionCandidates decode_ssd(const float* anchors, const Shape& anchors_shape, const float* deltas,
                               const Shape& deltas_shape, const float* scores, const Shape& scores_shape,
                               const SsdBoxCoding& coding, float score_threshold, bool multi_label);

// The inverse of a letterbox resize: network-input pixels -> frame pixels,
//   frame = (input - pad) / scale   (per axis, x with scale_x / pad_x),
// then clipped to [0, frame_width] x [0, frame_height].
struct UnletterboxParams {
  float scale_x = 1.0f;
  float scale_y = 1.0f;
  float pad_x = 0.0f;
  float pad_y = 0.0f;
  int64_t frame_width = 0;
  int64_t frame_height = 0;
};

// Throws ArgumentError unless the scales are finite and > 0, the pads finite
// and the frame size >= 1.
void validate_unletterbox_params(const UnletterboxParams& params);

// Maps `count` boxes (count x 4); out may be boxes itself.
void unletterbox_boxes(const float* boxes, int64_t count, const UnletterboxParams& params, float* out);

enum class BoxDecoder { kYolov8, kYolov5, kSsd };

// "yolov8" (also "yolo11"), "yolov5" or "ssd"; throws ArgumentError otherwise.
BoxDecoder parse_box_decoder(const std::string& name);

struct DetectPostprocessParams {
  BoxDecoder decoder = BoxDecoder::kYolov8;
  int64_t num_classes = 0;  // YOLO decoders; SSD takes it from the scores
  bool multi_label = false;
  SsdBoxCoding ssd;
  NmsOptions nms;  // nms.score_threshold is the decoders' threshold too
  UnletterboxParams letterbox;
};

// decode -> NMS -> unletterbox: the kept detections, best first, boxes in
// frame pixels, each with the anchor it came from. `pool` runs the parallel
// parts of the decoders (YOLOv8's).
// outputs / output_shapes: the network outputs the decoder reads, in order:
// YOLO: {predictions}; SSD: {deltas, scores}. anchors: the SSD anchors (unused
// by the YOLO decoders, which take a null pointer and an empty shape).
DetectionCandidates detect_postprocess(const std::vector<const float*>& outputs,
                                       const std::vector<Shape>& output_shapes, const float* anchors,
                                       const Shape& anchors_shape, const DetectPostprocessParams& params, Isa isa,
                                       ThreadPool& pool);

}  // namespace edgecnn
