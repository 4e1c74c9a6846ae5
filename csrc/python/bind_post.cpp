// pybind11 glue for the detection post-processing (box decoders, NMS, map to
// the frame). No logic: array conversion, GIL release, results to numpy.
// Decoders and detect_postprocess return (boxes [N, 4] float32, scores [N]
// float32, class_ids [N] int32, anchor_indices [N] int64).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "post/box_decode.h"
#include "post/nms.h"
#include "pre/processing_pool.h"
#include "python/isa_arg.h"

namespace py = pybind11;
using namespace edgecnn;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using Int32Array = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;

Shape shape_of(const py::array& a) { return Shape(a.shape(), a.shape() + a.ndim()); }

// Hands the vector's memory to numpy without a copy.
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& values, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<T>(std::move(values));
  py::capsule release_owner(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(std::move(shape), owner->data(), release_owner);
}

py::tuple to_numpy(DetectionCandidates&& d) {
  const py::ssize_t n = d.size();
  py::array_t<float> boxes = to_numpy(std::move(d.boxes), {n, 4});
  py::array_t<float> scores = to_numpy(std::move(d.scores), {n});
  py::array_t<int32_t> class_ids = to_numpy(std::move(d.class_ids), {n});
  py::array_t<int64_t> anchor_indices = to_numpy(std::move(d.anchor_indices), {n});
  return py::make_tuple(boxes, scores, class_ids, anchor_indices);
}

UnletterboxParams unletterbox_params(const std::array<float, 2>& scale, const std::array<float, 2>& pad,
                                     const std::array<int64_t, 2>& frame_size) {
  return UnletterboxParams{scale[0], scale[1], pad[0], pad[1], frame_size[0], frame_size[1]};
}

py::array_t<int64_t> nms_py(const FloatArray& boxes, const FloatArray& scores, const std::optional<Int32Array>& classes,
                            float score_threshold, float iou_threshold, int64_t max_det, int64_t pre_nms_top_k,
                            bool class_agnostic, const std::string& isa) {
  const Shape classes_shape = classes ? shape_of(*classes) : Shape{};
  validate_nms_shapes(shape_of(boxes), shape_of(scores), classes ? &classes_shape : nullptr);
  const NmsOptions options{score_threshold, iou_threshold, max_det, pre_nms_top_k, class_agnostic};
  const Isa tier = binding::isa_arg(isa);
  const int32_t* class_ids = classes ? classes->data() : nullptr;
  std::vector<int64_t> keep;
  {
    py::gil_scoped_release release;
    keep = nms(boxes.data(), scores.data(), class_ids, boxes.shape(0), options, tier);
  }
  const auto kept = static_cast<py::ssize_t>(keep.size());
  return to_numpy(std::move(keep), {kept});
}

py::tuple decode_yolov8_py(const FloatArray& output, int64_t num_classes, float score_threshold, bool multi_label) {
  DetectionCandidates c;
  {
    py::gil_scoped_release release;
    c = decode_yolov8(output.data(), shape_of(output), num_classes, score_threshold, multi_label, processing_pool());
  }
  return to_numpy(std::move(c));
}

py::tuple decode_yolov5_py(const FloatArray& output, int64_t num_classes, float score_threshold, bool multi_label) {
  DetectionCandidates c;
  {
    py::gil_scoped_release release;
    c = decode_yolov5(output.data(), shape_of(output), num_classes, score_threshold, multi_label);
  }
  return to_numpy(std::move(c));
}

py::tuple decode_ssd_py(const FloatArray& anchors, const FloatArray& deltas, const FloatArray& scores,
                        float score_threshold, const std::array<float, 4>& box_coder_weights, bool scores_are_logits,
                        bool multi_label) {
  const SsdBoxCoding coding{box_coder_weights, scores_are_logits};
  DetectionCandidates c;
  {
    py::gil_scoped_release release;
    c = decode_ssd(anchors.data(), shape_of(anchors), deltas.data(), shape_of(deltas), scores.data(),
                   shape_of(scores), coding, score_threshold, multi_label);
  }
  return to_numpy(std::move(c));
}

py::array_t<float> unletterbox_boxes_py(const FloatArray& boxes, const std::array<int64_t, 2>& frame_size,
                                        const std::array<float, 2>& scale, const std::array<float, 2>& pad) {
  const int64_t count = box_count(shape_of(boxes), "unletterbox_boxes", "boxes");
  const UnletterboxParams params = unletterbox_params(scale, pad, frame_size);
  py::array_t<float> out({static_cast<py::ssize_t>(count), py::ssize_t{4}});
  float* out_data = out.mutable_data();
  {
    py::gil_scoped_release release;
    unletterbox_boxes(boxes.data(), count, params, out_data);
  }
  return out;
}

py::tuple detect_postprocess_py(const std::vector<FloatArray>& outputs, const std::string& decoder,
                                const std::array<int64_t, 2>& frame_size, const std::array<float, 2>& scale,
                                const std::array<float, 2>& pad, int64_t num_classes, float score_threshold,
                                float iou_threshold, int64_t max_det, int64_t pre_nms_top_k, bool class_agnostic,
                                bool multi_label, const std::optional<FloatArray>& anchors,
                                const std::array<float, 4>& box_coder_weights, bool scores_are_logits,
                                const std::string& isa) {
  DetectPostprocessParams params;
  params.decoder = parse_box_decoder(decoder);
  params.num_classes = num_classes;
  params.multi_label = multi_label;
  params.ssd = SsdBoxCoding{box_coder_weights, scores_are_logits};
  params.nms = NmsOptions{score_threshold, iou_threshold, max_det, pre_nms_top_k, class_agnostic};
  params.letterbox = unletterbox_params(scale, pad, frame_size);
  std::vector<const float*> output_data;
  std::vector<Shape> output_shapes;
  for (const FloatArray& o : outputs) {
    output_data.push_back(o.data());
    output_shapes.push_back(shape_of(o));
  }
  const float* anchor_data = anchors ? anchors->data() : nullptr;
  const Shape anchors_shape = anchors ? shape_of(*anchors) : Shape{};
  const Isa tier = binding::isa_arg(isa);
  DetectionCandidates kept;
  {
    py::gil_scoped_release release;
    kept = detect_postprocess(output_data, output_shapes, anchor_data, anchors_shape, params, tier, processing_pool());
  }
  return to_numpy(std::move(kept));
}

}  // namespace

void bind_post(py::module_& m) {
  const NmsOptions nms_defaults;
  const SsdBoxCoding ssd_defaults;
  const std::array<float, 2> unit_scale{1.0f, 1.0f};
  const std::array<float, 2> no_pad{0.0f, 0.0f};

  m.def("nms", &nms_py, py::arg("boxes"), py::arg("scores"), py::arg("classes") = py::none(),
        py::arg("score_threshold") = nms_defaults.score_threshold,
        py::arg("iou_threshold") = nms_defaults.iou_threshold, py::arg("max_det") = nms_defaults.max_det,
        py::arg("pre_nms_top_k") = nms_defaults.pre_nms_top_k,
        py::arg("class_agnostic") = nms_defaults.class_agnostic, py::arg("isa") = "",
        "Greedy NMS (torchvision IoU). Returns the kept indices (int64), best first; see csrc/post/nms.h.");
  m.def("decode_yolov8", &decode_yolov8_py, py::arg("output"), py::arg("num_classes"),
        py::arg("score_threshold") = nms_defaults.score_threshold, py::arg("multi_label") = false,
        "YOLOv8/YOLO11 output [1, 4 + nc + nm, N] -> (boxes, scores, class_ids, anchor_indices) in input pixels.");
  m.def("decode_yolov5", &decode_yolov5_py, py::arg("output"), py::arg("num_classes"),
        py::arg("score_threshold") = nms_defaults.score_threshold, py::arg("multi_label") = false,
        "YOLOv5 output [1, N, 5 + nc + nm] -> (boxes, scores, class_ids, anchor_indices) in input pixels.");
  m.def("decode_ssd", &decode_ssd_py, py::arg("anchors"), py::arg("deltas"), py::arg("scores"),
        py::arg("score_threshold") = nms_defaults.score_threshold,
        py::arg("box_coder_weights") = ssd_defaults.weights,
        py::arg("scores_are_logits") = ssd_defaults.scores_are_logits, py::arg("multi_label") = false,
        "SSD anchors [N, 4] cxcywh, deltas [1, N, 4], scores [1, N, C] (column 0 background) -> "
        "(boxes, scores, class_ids, anchor_indices) in input pixels.");
  m.def("unletterbox_boxes", &unletterbox_boxes_py, py::arg("boxes"), py::arg("frame_size"),
        py::arg("scale") = unit_scale, py::arg("pad") = no_pad,
        "Boxes [N, 4] from network-input to frame pixels: (v - pad) / scale per axis, clipped to the frame "
        "(frame_size = (width, height)).");
  m.def("detect_postprocess", &detect_postprocess_py, py::arg("outputs"), py::arg("decoder"), py::arg("frame_size"),
        py::kw_only(), py::arg("scale") = unit_scale, py::arg("pad") = no_pad, py::arg("num_classes") = 0,
        py::arg("score_threshold") = nms_defaults.score_threshold,
        py::arg("iou_threshold") = nms_defaults.iou_threshold, py::arg("max_det") = nms_defaults.max_det,
        py::arg("pre_nms_top_k") = nms_defaults.pre_nms_top_k,
        py::arg("class_agnostic") = nms_defaults.class_agnostic, py::arg("multi_label") = false,
        py::arg("anchors") = py::none(), py::arg("box_coder_weights") = ssd_defaults.weights,
        py::arg("scores_are_logits") = ssd_defaults.scores_are_logits, py::arg("isa") = "",
        "decode -> NMS -> unletterbox in one call: (boxes in frame pixels, scores, class_ids, anchor_indices), "
        "best first. outputs: [predictions] (yolov8, yolo11, yolov5) or [deltas, scores] (ssd, with anchors=).");
}
