// pybind11 glue for the dense post-processing (classification top-k,
// segmentation maps, instance masks, RLE). No logic.
//
// Box-local masks cross the boundary as (masks, origins): a list of N 2-D bool
// arrays (mask i covers frame rows [y0, y0 + h_i) and columns [x0, x0 + w_i))
// and an int64 (N, 2) array of (x0, y0).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/error.h"
#include "post/classify.h"
#include "post/masks.h"
#include "post/rle.h"
#include "post/segment.h"
#include "python/box_local_masks.h"
#include "python/isa_arg.h"
#include "pre/processing_pool.h"

namespace py = pybind11;
using namespace edgecnn;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using Int32Array = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;
using binding::BoolArray;
using binding::Int64Array;
using binding::box_local_regions;
using binding::set_read_only;
using binding::shape_of;
using Transform = std::array<double, 4>;  // (scale_x, scale_y, pad_x, pad_y)

FrameTransform frame_transform(const Transform& t) { return {t[0], t[1], t[2], t[3]}; }

// `a` with its leading size-1 axes dropped must have `rank` axes; returns the
// sizes of those axes.
std::vector<int64_t> trailing_shape(const py::array& a, int rank, const std::string& what) {
  bool ok = a.ndim() >= rank;
  for (py::ssize_t d = 0; ok && d < a.ndim() - rank; ++d) ok = a.shape(d) == 1;
  if (!ok) throw ArgumentError(what + ", got shape " + shape_of(a));
  return std::vector<int64_t>(a.shape() + a.ndim() - rank, a.shape() + a.ndim());
}

py::tuple py_classify_topk(const FloatArray& values, int64_t k, bool softmax) {
  const int64_t c = trailing_shape(values, 1, "classify_topk: values must be (C,) or (1, C)")[0];
  TopK top;
  {
    py::gil_scoped_release release;
    top = classify_topk(values.data(), c, softmax, k);
  }
  return py::make_tuple(py::array_t<int64_t>(static_cast<py::ssize_t>(k), top.ids.data()),
                        py::array_t<float>(static_cast<py::ssize_t>(k), top.scores.data()));
}

py::tuple py_segment_map(const FloatArray& logits, int64_t frame_h, int64_t frame_w, const Transform& transform,
                         int64_t input_h, int64_t input_w, bool with_scores) {
  const std::vector<int64_t> shape = trailing_shape(logits, 3, "segment_map: logits must be (C, h, w) or (1, C, h, w)");
  SegmentInput in;
  in.logits = logits.data();
  in.num_classes = shape[0];
  in.grid_h = shape[1];
  in.grid_w = shape[2];
  in.input_h = input_h;
  in.input_w = input_w;
  in.transform = frame_transform(transform);
  in.frame_h = frame_h;
  in.frame_w = frame_w;
  validate_segment(in);
  const std::vector<py::ssize_t> map_shape{frame_h, frame_w};
  py::array map = segment_map_is_uint8(in.num_classes) ? py::array(py::array_t<uint8_t>(map_shape))
                                                       : py::array(py::array_t<int32_t>(map_shape));
  py::object scores = py::none();
  float* scores_ptr = nullptr;
  if (with_scores) {
    py::array_t<float> s({in.num_classes, in.frame_h, in.frame_w});
    scores_ptr = s.mutable_data();
    scores = s;
  }
  uint8_t* map_u8 = segment_map_is_uint8(in.num_classes) ? static_cast<uint8_t*>(map.mutable_data()) : nullptr;
  int32_t* map_i32 = segment_map_is_uint8(in.num_classes) ? nullptr : static_cast<int32_t*>(map.mutable_data());
  {
    py::gil_scoped_release release;
    segment_map(in, map_u8, map_i32, scores_ptr, processing_pool());
  }
  set_read_only(map);
  if (with_scores) set_read_only(scores);
  return py::make_tuple(map, scores);
}

// Allocates one read-only bool array per region; `pointers` receives their
// buffers.
py::list allocate_masks(const std::vector<MaskRegion>& regions, std::vector<uint8_t*>& pointers) {
  py::list masks;
  pointers.clear();
  for (const MaskRegion& r : regions) {
    py::array_t<bool> m({r.height, r.width});
    pointers.push_back(reinterpret_cast<uint8_t*>(m.mutable_data()));
    set_read_only(m);
    masks.append(m);
  }
  return masks;
}

Int64Array origins_of(const std::vector<MaskRegion>& regions) {
  Int64Array origins({static_cast<py::ssize_t>(regions.size()), py::ssize_t{2}});
  auto o = origins.mutable_unchecked<2>();
  for (size_t i = 0; i < regions.size(); ++i) {
    o(i, 0) = regions[i].x0;
    o(i, 1) = regions[i].y0;
  }
  return origins;
}

void check_boxes(const FloatArray& boxes, int64_t n, const std::string& who) {
  if (boxes.ndim() != 2 || boxes.shape(1) != 4 || boxes.shape(0) != n)
    throw ArgumentError(who + ": boxes must be (" + std::to_string(n) + ", 4), got shape " + shape_of(boxes));
}

py::tuple py_yolo_proto_masks(const FloatArray& coeffs, const FloatArray& protos, const FloatArray& boxes,
                              int64_t frame_h, int64_t frame_w, const Transform& transform, int64_t input_h,
                              int64_t input_w, const std::string& isa) {
  const std::string who = "yolo_proto_masks";
  const Isa tier = binding::isa_arg(isa);
  if (coeffs.ndim() != 2) throw ArgumentError(who + ": coeffs must be (N, nm), got shape " + shape_of(coeffs));
  const std::vector<int64_t> p = trailing_shape(protos, 3, who + ": protos must be (nm, h, w) or (1, nm, h, w)");
  if (p[0] != coeffs.shape(1))
    throw ArgumentError(who + ": coeffs " + shape_of(coeffs) + " and protos " + shape_of(protos) +
                        " disagree on the number of prototypes");
  check_boxes(boxes, coeffs.shape(0), who);
  ProtoMaskInput in;
  in.coeffs = coeffs.data();
  in.protos = protos.data();
  in.boxes = boxes.data();
  in.num_instances = coeffs.shape(0);
  in.num_protos = p[0];
  in.proto_h = p[1];
  in.proto_w = p[2];
  in.input_h = input_h;
  in.input_w = input_w;
  in.transform = frame_transform(transform);
  in.frame_h = frame_h;
  in.frame_w = frame_w;
  const std::vector<MaskRegion> regions = proto_mask_regions(in);
  std::vector<uint8_t*> pointers;
  py::list masks = allocate_masks(regions, pointers);
  {
    py::gil_scoped_release release;
    yolo_proto_masks(in, regions.data(), pointers.data(), processing_pool(), tier);
  }
  return py::make_tuple(masks, origins_of(regions));
}

// Test hook: the per-pixel mask kernel of `isa` over n pixels (the length of
// i0) in len(wy0) rows, with its preconditions checked (masks.h).
BoolArray kernel_mask_rows_positive(const std::string& isa, const FloatArray& r0, const FloatArray& r1,
                                    const FloatArray& wy0, const FloatArray& wy1, const Int32Array& i0,
                                    const Int32Array& i1, const FloatArray& w0, const FloatArray& w1) {
  const std::string who = "kernel_mask_rows_positive";
  const py::ssize_t cols = r0.size(), n = i0.size(), rows = wy0.size();
  if (r0.ndim() != 1 || r1.ndim() != 1 || r1.size() != cols || cols < 1 || cols > INT32_MAX)
    throw ArgumentError(who + ": r0 and r1 must be flat rows of the same length >= 1");
  if (wy0.ndim() != 1 || wy1.ndim() != 1 || wy1.size() != rows)
    throw ArgumentError(who + ": wy0 and wy1 must be flat and of one length (the rows)");
  if (i0.ndim() != 1 || i1.ndim() != 1 || w0.ndim() != 1 || w1.ndim() != 1 || i1.size() != n || w0.size() != n ||
      w1.size() != n)
    throw ArgumentError(who + ": i0, i1, w0 and w1 must be flat and of one length");
  const int32_t* a = i0.data();
  const int32_t* b = i1.data();
  for (py::ssize_t x = 0; x < n; ++x)
    if (a[x] < 0 || a[x] > b[x] || b[x] >= cols || (x > 0 && (a[x] < a[x - 1] || b[x] < b[x - 1])))
      throw ArgumentError(who + ": needs 0 <= i0 <= i1 < len(r0), non-decreasing; fails at pixel " +
                          std::to_string(x));
  BoolArray m({rows, n});
  mask_kernels(cap_isa(parse_isa(isa)))
      .positive_rows(r0.data(), r1.data(), wy0.data(), wy1.data(), static_cast<size_t>(rows),
                     static_cast<int32_t>(cols), a, b, w0.data(), w1.data(), static_cast<size_t>(n),
                     reinterpret_cast<uint8_t*>(m.mutable_data()), static_cast<size_t>(n));
  return m;
}

// Test hook: the logit-rows kernel of `isa` over the first n cells of each
// row of p (num_protos, rows, row_stride).
FloatArray kernel_mask_logits_rows(const std::string& isa, const FloatArray& p, const FloatArray& coeffs, int64_t n) {
  const std::string who = "kernel_mask_logits_rows";
  if (p.ndim() != 3 || coeffs.ndim() != 1 || coeffs.shape(0) != p.shape(0) || n < 0 || n > p.shape(2))
    throw ArgumentError(who +
                        ": needs p (num_protos, rows, row_stride), coeffs (num_protos,) and 0 <= n <= row_stride");
  FloatArray g({p.shape(1), static_cast<py::ssize_t>(n)});
  mask_kernels(cap_isa(parse_isa(isa)))
      .logits_rows(p.data(), static_cast<size_t>(p.shape(2)), static_cast<size_t>(p.shape(1) * p.shape(2)),
                   coeffs.data(), static_cast<size_t>(p.shape(0)), static_cast<size_t>(p.shape(1)),
                   static_cast<size_t>(n), g.mutable_data());
  return g;
}

py::tuple py_paste_masks_box_local(const FloatArray& masks, const FloatArray& boxes, int64_t frame_h,
                                   int64_t frame_w) {
  const std::string who = "paste_masks_box_local";
  bool ok = (masks.ndim() == 3 || (masks.ndim() == 4 && masks.shape(1) == 1)) &&
            masks.shape(masks.ndim() - 1) == masks.shape(masks.ndim() - 2);
  if (!ok) throw ArgumentError(who + ": masks must be (N, M, M) or (N, 1, M, M), got shape " + shape_of(masks));
  check_boxes(boxes, masks.shape(0), who);
  PasteMaskInput in;
  in.masks = masks.data();
  in.boxes = boxes.data();
  in.num_instances = masks.shape(0);
  in.mask_size = masks.shape(masks.ndim() - 1);
  in.frame_h = frame_h;
  in.frame_w = frame_w;
  const std::vector<MaskRegion> regions = paste_mask_regions(in);
  std::vector<uint8_t*> pointers;
  py::list out = allocate_masks(regions, pointers);
  {
    py::gil_scoped_release release;
    paste_masks(in, regions.data(), pointers.data(), processing_pool());
  }
  return py::make_tuple(out, origins_of(regions));
}

BoolArray py_paste_full(const std::vector<BoolArray>& masks, const Int64Array& origins, int64_t frame_h,
                        int64_t frame_w) {
  std::vector<const uint8_t*> pointers;
  const std::vector<MaskRegion> regions = box_local_regions(masks, origins, pointers, "paste_full");
  validate_regions(regions.data(), static_cast<int64_t>(regions.size()), frame_h, frame_w, "paste_full");
  BoolArray full({static_cast<py::ssize_t>(masks.size()), static_cast<py::ssize_t>(frame_h),
                  static_cast<py::ssize_t>(frame_w)});
  uint8_t* out = reinterpret_cast<uint8_t*>(full.mutable_data());
  {
    py::gil_scoped_release release;
    paste_full(pointers.data(), regions.data(), static_cast<int64_t>(regions.size()), frame_h, frame_w, out,
               processing_pool());
  }
  return full;
}

py::list py_rle_encode_box_local(const std::vector<BoolArray>& masks, const Int64Array& origins, int64_t frame_h,
                                 int64_t frame_w) {
  std::vector<const uint8_t*> pointers;
  const std::vector<MaskRegion> regions = box_local_regions(masks, origins, pointers, "rle_encode_box_local");
  std::vector<std::vector<uint32_t>> counts;
  {
    py::gil_scoped_release release;
    counts = rle_encode_box_local(pointers.data(), regions.data(), static_cast<int64_t>(regions.size()), frame_h,
                                  frame_w, processing_pool());
  }
  py::list out;
  for (const auto& c : counts) out.append(py::array_t<uint32_t>(static_cast<py::ssize_t>(c.size()), c.data()));
  return out;
}

}  // namespace

void bind_masks(py::module_& m) {
  m.def("classify_topk", &py_classify_topk, py::arg("values"), py::arg("k"), py::arg("softmax"),
        "(C,) or (1, C) scores -> (ids int64 (k,), scores float32 (k,)), best first, ties by lower id.");
  m.def("segment_map", &py_segment_map, py::arg("logits"), py::arg("frame_h"), py::arg("frame_w"),
        py::arg("transform"), py::arg("input_h"), py::arg("input_w"), py::arg("with_scores"),
        "(C, h, w) logits -> (class map (H, W) uint8 if C <= 256 else int32, softmax scores (C, H, W) float32 or "
        "None).");
  m.def("yolo_proto_masks", &py_yolo_proto_masks, py::arg("coeffs"), py::arg("protos"), py::arg("boxes"),
        py::arg("frame_h"), py::arg("frame_w"), py::arg("transform"), py::arg("input_h"), py::arg("input_w"),
        py::arg("isa") = "", "-> (list of N box-local bool masks, origins int64 (N, 2) of (x0, y0)).");
  m.def("kernel_mask_rows_positive", &kernel_mask_rows_positive, py::arg("isa"), py::arg("r0"), py::arg("r1"),
        py::arg("wy0"), py::arg("wy1"), py::arg("i0"), py::arg("i1"), py::arg("w0"), py::arg("w1"));
  m.def("kernel_mask_logits_rows", &kernel_mask_logits_rows, py::arg("isa"), py::arg("p"), py::arg("coeffs"),
        py::arg("n"));
  m.def("mask_kernels_name",
        [](const std::string& isa) { return std::string(mask_kernels(cap_isa(parse_isa(isa))).name); });
  m.def("paste_masks_box_local", &py_paste_masks_box_local, py::arg("masks"), py::arg("boxes"), py::arg("frame_h"),
        py::arg("frame_w"),
        "Mask R-CNN (N, M, M) probabilities -> (list of N box-local bool masks, origins int64 (N, 2) of (x0, y0)).");
  m.def("paste_full", &py_paste_full, py::arg("masks"), py::arg("origins"), py::arg("frame_h"), py::arg("frame_w"),
        "Box-local masks -> (N, H, W) bool.");
  m.def("rle_encode_box_local", &py_rle_encode_box_local, py::arg("masks"), py::arg("origins"), py::arg("frame_h"),
        py::arg("frame_w"),
        "Box-local masks -> list of N COCO RLE counts (uint32; column-major, first run of 0s) for size (H, W).");
}
