// pybind11 glue for pre-processing. No logic.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <string>

#include "core/error.h"
#include "pre/preprocess.h"
#include "pre/processing_pool.h"

namespace py = pybind11;
using namespace edgecnn;

namespace {

// The image is taken as a plain array so that any uint8 view (negative or
// non-contiguous strides) is read in place, without a copy.
py::tuple py_preprocess(const py::array& image, int64_t out_h, int64_t out_w, bool letterbox, float pad_value,
                        bool swap_rb, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  if (image.dtype().kind() != 'u' || image.itemsize() != 1)
    throw ArgumentError("preprocess: image must be uint8, got dtype " + std::string(py::str(image.dtype())));
  if (image.ndim() != 3 || image.shape(2) != 3)
    throw ArgumentError("preprocess: image must have shape (H, W, 3), got " +
                        std::string(py::str(image.attr("shape"))));
  ImageView view;
  view.data = static_cast<const uint8_t*>(image.data());
  view.height = image.shape(0);
  view.width = image.shape(1);
  view.row_stride = image.strides(0);
  view.col_stride = image.strides(1);
  view.channel_stride = image.strides(2);
  PreprocessOptions options;
  options.out_h = out_h;
  options.out_w = out_w;
  options.letterbox = letterbox;
  options.pad_value = pad_value;
  options.swap_rb = swap_rb;
  for (int c = 0; c < 3; ++c) {
    options.mean[c] = mean[c];
    options.std[c] = std[c];
  }
  validate_preprocess(view, options);
  py::array_t<float> tensor({py::ssize_t{1}, py::ssize_t{3}, static_cast<py::ssize_t>(out_h),
                             static_cast<py::ssize_t>(out_w)});
  float* out = tensor.mutable_data();
  Placement placement;
  {
    py::gil_scoped_release release;
    placement = edgecnn::preprocess(view, options, out, processing_pool());
  }
  const FrameTransform& t = placement.transform;
  return py::make_tuple(tensor, py::make_tuple(t.scale_x, t.scale_y, t.pad_x, t.pad_y));
}

}  // namespace

void bind_pre(py::module_& m) {
  m.def("preprocess", &py_preprocess, py::arg("image"), py::arg("out_h"), py::arg("out_w"), py::arg("letterbox"),
        py::arg("pad_value"), py::arg("swap_rb"), py::arg("mean"), py::arg("std"),
        "H x W x 3 uint8 image (any strides) -> ((1, 3, out_h, out_w) float32, "
        "(scale_x, scale_y, pad_x, pad_y)) with network = frame * scale + pad.");
}
