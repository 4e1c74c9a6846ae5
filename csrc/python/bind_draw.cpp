// pybind11 glue for drawing results onto frames. No logic: array conversion,
// GIL release.
//
// The image argument is drawn on in place, so it is never converted: it must
// be a C-contiguous, writeable (H, W, 3) uint8 array. Colors are (N, 3) uint8
// rows in the image's channel order. Box-local masks cross as in
// bind_masks.cpp: a list of N 2-D bool arrays and (N, 2) origins (x0, y0).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "draw/draw.h"
#include "python/box_local_masks.h"

namespace py = pybind11;
using namespace edgecnn;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using UInt8Array = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using Int32Array = py::array_t<int32_t, py::array::c_style>;
using binding::BoolArray;
using binding::Int64Array;
using binding::box_local_regions;
using binding::shape_of;


Image image_of(py::array& img, const std::string& who) {
  if (!py::isinstance<py::array_t<uint8_t>>(img) || img.ndim() != 3 || img.shape(2) != 3)
    throw ArgumentError(who + ": img must be an (H, W, 3) uint8 array, got " + std::string(py::str(img.dtype())) +
                        " " + shape_of(img));
  if (!(img.flags() & py::array::c_style) || !img.writeable())
    throw ArgumentError(who + ": img must be C-contiguous and writeable (it is drawn on in place)");
  return {static_cast<uint8_t*>(img.mutable_data()), img.shape(0), img.shape(1)};
}

const uint8_t* color_rows(const UInt8Array& colors, py::ssize_t n, const std::string& who) {
  if (colors.ndim() != 2 || colors.shape(0) != n || colors.shape(1) != 3)
    throw ArgumentError(who + ": colors must be (" + std::to_string(n) + ", 3), got shape " + shape_of(colors));
  return colors.data();
}

py::ssize_t box_count(const FloatArray& boxes, const std::string& who) {
  if (boxes.ndim() != 2 || boxes.shape(1) != 4)
    throw ArgumentError(who + ": boxes must be (N, 4), got shape " + shape_of(boxes));
  return boxes.shape(0);
}

UInt8Array py_palette(const Int64Array& class_ids) {
  if (class_ids.ndim() != 1) throw ArgumentError("palette: class_ids must be 1-D, got shape " + shape_of(class_ids));
  UInt8Array rgb({class_ids.shape(0), py::ssize_t{3}});
  palette_rgb(class_ids.data(), class_ids.shape(0), rgb.mutable_data());
  return rgb;
}

void py_draw_boxes(py::array img, const FloatArray& boxes, const UInt8Array& colors, int64_t thickness) {
  const std::string who = "draw_boxes";
  const Image image = image_of(img, who);
  const py::ssize_t n = box_count(boxes, who);
  const uint8_t* c = color_rows(colors, n, who);
  py::gil_scoped_release release;
  draw_boxes(image, boxes.data(), n, c, thickness);
}

void py_draw_box_labels(py::array img, const FloatArray& boxes, const std::vector<std::string>& texts,
                        const UInt8Array& colors, int64_t scale) {
  const std::string who = "draw_box_labels";
  const Image image = image_of(img, who);
  const py::ssize_t n = box_count(boxes, who);
  if (static_cast<py::ssize_t>(texts.size()) != n)
    throw ArgumentError(who + ": " + std::to_string(texts.size()) + " texts for " + std::to_string(n) + " boxes");
  const uint8_t* c = color_rows(colors, n, who);
  py::gil_scoped_release release;
  draw_box_labels(image, boxes.data(), texts, c, scale);
}

void py_blend_box_masks(py::array img, const std::vector<BoolArray>& masks, const Int64Array& origins,
                        const UInt8Array& colors, double alpha) {
  const std::string who = "blend_box_masks";
  const Image image = image_of(img, who);
  const auto n = static_cast<py::ssize_t>(masks.size());
  std::vector<const uint8_t*> pointers;
  const std::vector<MaskRegion> regions = box_local_regions(masks, origins, pointers, who);
  const uint8_t* c = color_rows(colors, n, who);
  py::gil_scoped_release release;
  blend_box_masks(image, pointers.data(), regions.data(), n, c, alpha);
}

void py_blend_class_map(py::array img, const py::array& class_map, const UInt8Array& colors, double alpha,
                        int64_t skip_class) {
  const std::string who = "blend_class_map";
  const Image image = image_of(img, who);
  if (class_map.ndim() != 2 || class_map.shape(0) != image.height || class_map.shape(1) != image.width)
    throw ArgumentError(who + ": class_map must be (" + std::to_string(image.height) + ", " +
                        std::to_string(image.width) + ") like img, got shape " + shape_of(class_map));
  if (colors.ndim() != 2 || colors.shape(1) != 3)
    throw ArgumentError(who + ": colors must be (C, 3), got shape " + shape_of(colors));
  if (py::isinstance<py::array_t<uint8_t>>(class_map)) {
    const auto map = UInt8Array::ensure(class_map);
    py::gil_scoped_release release;
    blend_class_map(image, map.data(), colors.data(), colors.shape(0), alpha, skip_class);
  } else if (py::isinstance<py::array_t<int32_t>>(class_map)) {
    const auto map = Int32Array::ensure(class_map);
    py::gil_scoped_release release;
    blend_class_map(image, map.data(), colors.data(), colors.shape(0), alpha, skip_class);
  } else {
    throw ArgumentError(who + ": class_map must be uint8 or int32, got " + std::string(py::str(class_map.dtype())));
  }
}

void py_draw_text(py::array img, const std::string& text, int64_t x, int64_t y, int64_t scale,
                  const Color& color, const std::optional<Color>& background) {
  const Image image = image_of(img, "draw_text");
  py::gil_scoped_release release;
  draw_text(image, text, x, y, scale, color, background ? &*background : nullptr);
}

}  // namespace

void bind_draw(py::module_& m) {
  m.def("palette", &py_palette, py::arg("class_ids"), "(N,) class ids >= 0 -> (N, 3) uint8 RGB colors.");
  m.def("draw_boxes", &py_draw_boxes, py::arg("img"), py::arg("boxes"), py::arg("colors"), py::arg("thickness"),
        "Outlines (N, 4) xyxy boxes on img in place.");
  m.def("draw_box_labels", &py_draw_box_labels, py::arg("img"), py::arg("boxes"), py::arg("texts"),
        py::arg("colors"), py::arg("scale"), "A filled text tag on top of each box, in place.");
  m.def("blend_box_masks", &py_blend_box_masks, py::arg("img"), py::arg("masks"), py::arg("origins"),
        py::arg("colors"), py::arg("alpha"), "Blends each box-local mask's color into img in place.");
  m.def("blend_class_map", &py_blend_class_map, py::arg("img"), py::arg("class_map"), py::arg("colors"),
        py::arg("alpha"), py::arg("skip_class") = -1,
        "Blends colors[class] into every pixel of an (H, W) uint8 or int32 class map, in place.");
  m.def("draw_text", &py_draw_text, py::arg("img"), py::arg("text"), py::arg("x"), py::arg("y"), py::arg("scale"),
        py::arg("color"), py::arg("background") = py::none(),
        "Draws text ('\\n' separates lines) with its box's top-left corner at (x, y), in place.");
  m.def(
      "text_size",
      [](const std::string& text, int64_t scale) {
        const TextSize size = text_size(text, scale);
        return py::make_tuple(size.width, size.height);
      },
      py::arg("text"), py::arg("scale"), "-> (width, height) of text's box in pixels.");
}
