// What the box decoders share (candidate storage, shape checks), the map back
// to frame pixels, and the one-call detection post-processing.
#include "post/box_decode.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace edgecnn {

void DetectionCandidates::reserve(int64_t count) {
  boxes.reserve(4 * static_cast<size_t>(count));
  scores.reserve(static_cast<size_t>(count));
  class_ids.reserve(static_cast<size_t>(count));
  anchor_indices.reserve(static_cast<size_t>(count));
}

void DetectionCandidates::add(const float corners[4], float score, int32_t class_id, int64_t anchor) {
  boxes.insert(boxes.end(), corners, corners + 4);
  scores.push_back(score);
  class_ids.push_back(class_id);
  anchor_indices.push_back(anchor);
}

DetectionCandidates DetectionCandidates::gather(const std::vector<int64_t>& indices) const {
  DetectionCandidates out;
  out.reserve(static_cast<int64_t>(indices.size()));
  for (int64_t i : indices) out.add(&boxes[4 * static_cast<size_t>(i)], scores[i], class_ids[i], anchor_indices[i]);
  return out;
}

bool center_box_corners(float cx, float cy, float w, float h, float corners[4]) {
  const float half_w = 0.5f * w;
  const float half_h = 0.5f * h;
  corners[0] = cx - half_w;
  corners[1] = cy - half_h;
  corners[2] = cx + half_w;
  corners[3] = cy + half_h;
  return std::isfinite(corners[0]) && std::isfinite(corners[1]) && std::isfinite(corners[2]) &&
         std::isfinite(corners[3]);
}

void check_score_threshold(float score_threshold, const char* function) {
  if (std::isnan(score_threshold)) throw ArgumentError(std::string(function) + ": score_threshold is NaN");
}

std::string shape_error(const char* function, const char* argument, const std::string& expected, const Shape& got) {
  return std::string(function) + ": " + argument + " must have shape " + expected + ", got " + shape_str(got);
}

int64_t box_count(const Shape& shape, const char* function, const char* argument) {
  if (shape.size() != 2 || shape[1] != 4) throw ArgumentError(shape_error(function, argument, "[N, 4]", shape));
  return shape[0];
}

MatrixDims matrix_of_batch_one(const Shape& shape, const char* function, const char* argument, const char* expected) {
  if (shape.size() == 2) return {shape[0], shape[1]};
  if (shape.size() == 3 && shape[0] == 1) return {shape[1], shape[2]};
  throw ArgumentError(shape_error(function, argument, expected, shape));
}

void validate_unletterbox_params(const UnletterboxParams& p) {
  if (!(std::isfinite(p.scale_x) && p.scale_x > 0.0f && std::isfinite(p.scale_y) && p.scale_y > 0.0f))
    throw ArgumentError("unletterbox: scale_x and scale_y must be finite and > 0, got " + std::to_string(p.scale_x) +
                        ", " + std::to_string(p.scale_y));
  if (!(std::isfinite(p.pad_x) && std::isfinite(p.pad_y)))
    throw ArgumentError("unletterbox: pad_x and pad_y must be finite");
  if (p.frame_width < 1 || p.frame_height < 1)
    throw ArgumentError("unletterbox: the frame size must be at least 1 x 1, got " + std::to_string(p.frame_width) +
                        " x " + std::to_string(p.frame_height));
}

void unletterbox_boxes(const float* boxes, int64_t count, const UnletterboxParams& params, float* out) {
  validate_unletterbox_params(params);
  const float width = static_cast<float>(params.frame_width);
  const float height = static_cast<float>(params.frame_height);
  const auto clip = [](float v, float hi) { return v < 0.0f ? 0.0f : (v > hi ? hi : v); };
  for (int64_t i = 0; i < 4 * count; i += 2) {
    out[i] = clip((boxes[i] - params.pad_x) / params.scale_x, width);
    out[i + 1] = clip((boxes[i + 1] - params.pad_y) / params.scale_y, height);
  }
}

BoxDecoder parse_box_decoder(const std::string& name) {
  if (name == "yolov8" || name == "yolo11") return BoxDecoder::kYolov8;
  if (name == "yolov5") return BoxDecoder::kYolov5;
  if (name == "ssd") return BoxDecoder::kSsd;
  throw ArgumentError("unknown box decoder '" + name + "' (expected yolov8, yolo11, yolov5 or ssd)");
}

namespace {

void expect_output_count(const std::vector<const float*>& outputs, const std::vector<Shape>& shapes, size_t count,
                         const char* decoder, const char* listing) {
  if (outputs.size() != shapes.size())
    throw ArgumentError("detect_postprocess: got " + std::to_string(outputs.size()) + " outputs but " +
                        std::to_string(shapes.size()) + " shapes");
  if (outputs.size() != count)
    throw ArgumentError(std::string("detect_postprocess: the ") + decoder + " decoder takes " + listing + ", got " +
                        std::to_string(outputs.size()) + " outputs");
}

DetectionCandidates decode(const std::vector<const float*>& outputs, const std::vector<Shape>& shapes,
                           const float* anchors, const Shape& anchors_shape, const DetectPostprocessParams& p,
                           ThreadPool& pool) {
  const float threshold = p.nms.score_threshold;
  switch (p.decoder) {
    case BoxDecoder::kYolov8:
      expect_output_count(outputs, shapes, 1, "yolov8", "1 output (predictions)");
      return decode_yolov8(outputs[0], shapes[0], p.num_classes, threshold, p.multi_label, pool);
    case BoxDecoder::kYolov5:
      expect_output_count(outputs, shapes, 1, "yolov5", "1 output (predictions)");
      return decode_yolov5(outputs[0], shapes[0], p.num_classes, threshold, p.multi_label);
    case BoxDecoder::kSsd:
      expect_output_count(outputs, shapes, 2, "ssd", "2 outputs (deltas, scores)");
      return decode_ssd(anchors, anchors_shape, outputs[0], shapes[0], outputs[1], shapes[1], p.ssd, threshold,
                        p.multi_label);
  }
  throw ArgumentError("detect_postprocess: unknown box decoder");
}

}  // namespace

DetectionCandidates detect_postprocess(const std::vector<const float*>& outputs,
                                       const std::vector<Shape>& output_shapes, const float* anchors,
                                       const Shape& anchors_shape, const DetectPostprocessParams& params, Isa isa,
                                       ThreadPool& pool) {
  validate_unletterbox_params(params.letterbox);
  const DetectionCandidates candidates = decode(outputs, output_shapes, anchors, anchors_shape, params, pool);
  const std::vector<int64_t> keep = nms(candidates.boxes.data(), candidates.scores.data(),
                                        candidates.class_ids.data(), candidates.size(), params.nms, isa);
  DetectionCandidates kept = candidates.gather(keep);
  unletterbox_boxes(kept.boxes.data(), kept.size(), params.letterbox, kept.boxes.data());
  return kept;
}

}  // namespace edgecnn
