// pybind11 glue for pre-processing. No logic.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <array>
#include <string>

#include "core/cpu.h"
#include "core/error.h"
#include "pre/preprocess.h"
#include "pre/processing_pool.h"
#include "pre/resize_row.h"
#include "python/isa_arg.h"

namespace py = pybind11;
using namespace edgecnn;

namespace {

// The image is taken as a plain array so that any uint8 view (negative or
// non-contiguous strides) is read in place, without a copy.
py::tuple py_preprocess(const py::array& image, int64_t out_h, int64_t out_w, bool letterbox, float pad_value,
                        bool swap_rb, const std::array<float, 3>& mean, const std::array<float, 3>& std,
                        const std::string& isa) {
  const Isa tier = binding::isa_arg(isa);
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
    placement = edgecnn::preprocess(view, options, out, processing_pool(), tier);
  }
  const FrameTransform& t = placement.transform;
  return py::make_tuple(tensor, py::make_tuple(t.scale_x, t.scale_y, t.pad_x, t.pad_y));
}

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;
using ByteArray = py::array_t<uint8_t, py::array::c_style | py::array::forcecast>;
using Int32Array = py::array_t<int32_t, py::array::c_style | py::array::forcecast>;

// Test hooks: the resize row kernels of `isa` (pre/resize_row.h), with their
// preconditions checked.
FloatArray kernel_resize_blend_u8(const std::string& isa, const ByteArray& r0, const ByteArray& r1, float w0,
                                  float w1) {
  if (r0.ndim() != 1 || r1.ndim() != 1 || r0.size() != r1.size())
    throw ArgumentError("kernel_resize_blend_u8: r0 and r1 must be flat rows of one length");
  FloatArray t({r0.size()});
  resize_row_kernels(cap_isa(parse_isa(isa)))
      .blend_u8(r0.data(), r1.data(), w0, w1, static_cast<size_t>(r0.size()), t.mutable_data());
  return t;
}

FloatArray kernel_resize_sample(const std::string& isa, const FloatArray& t, const Int32Array& at0,
                                const Int32Array& at1, const FloatArray& w0, const FloatArray& w1, float bias) {
  const std::string who = "kernel_resize_sample";
  const py::ssize_t n = at0.size();
  if (t.ndim() != 1 || at0.ndim() != 1 || at1.ndim() != 1 || w0.ndim() != 1 || w1.ndim() != 1 || at1.size() != n ||
      w0.size() != n || w1.size() != n)
    throw ArgumentError(who + ": t, at0, at1, w0 and w1 must be flat; at0, at1, w0 and w1 of one length");
  for (py::ssize_t x = 0; x < n; ++x)
    if (at0.data()[x] < 0 || at0.data()[x] >= t.size() || at1.data()[x] < 0 || at1.data()[x] >= t.size())
      throw ArgumentError(who + ": offset of output " + std::to_string(x) + " is outside t");
  FloatArray d({n});
  resize_row_kernels(cap_isa(parse_isa(isa)))
      .sample(t.data(), at0.data(), at1.data(), w0.data(), w1.data(), bias, static_cast<size_t>(n), d.mutable_data());
  return d;
}

}  // namespace

void bind_pre(py::module_& m) {
  m.def("preprocess", &py_preprocess, py::arg("image"), py::arg("out_h"), py::arg("out_w"), py::arg("letterbox"),
        py::arg("pad_value"), py::arg("swap_rb"), py::arg("mean"), py::arg("std"), py::arg("isa") = "",
        "H x W x 3 uint8 image (any strides) -> ((1, 3, out_h, out_w) float32, "
        "(scale_x, scale_y, pad_x, pad_y)) with network = frame * scale + pad.");
  m.def("kernel_resize_blend_u8", &kernel_resize_blend_u8, py::arg("isa"), py::arg("r0"), py::arg("r1"), py::arg("w0"),
        py::arg("w1"));
  m.def("kernel_resize_sample", &kernel_resize_sample, py::arg("isa"), py::arg("t"), py::arg("at0"), py::arg("at1"),
        py::arg("w0"), py::arg("w1"), py::arg("bias"));
  m.def("resize_row_kernels_name",
        [](const std::string& isa) { return std::string(resize_row_kernels(cap_isa(parse_isa(isa))).name); });
}
