#include "ops/window.h"

namespace edgecnn {

int64_t Window2d::output_extent(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pad_begin, int64_t pad_end,
                                bool ceil_mode) {
  const int64_t span = in + pad_begin + pad_end - (d * (k - 1) + 1);
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  if (ceil_mode && (out - 1) * s >= in + pad_begin) --out;
  return out;
}

Window2d read_window2d(const NodeAttrs& attrs, int64_t kernel_h, int64_t kernel_w, bool allow_dilations) {
  Window2d w;
  const std::string auto_pad = attrs.get_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET")
    throw FormatError("auto_pad '" + auto_pad + "' must be resolved to explicit pads by the converter");
  std::vector<int64_t> kernel = attrs.get_ints("kernel_shape");
  if (kernel.empty() && kernel_h > 0) kernel = {kernel_h, kernel_w};
  if (kernel.size() != 2) throw UnsupportedError("only 2-D windows are supported (kernel_shape has " +
                                                 std::to_string(kernel.size()) + " values)");
  if (kernel_h > 0 && (kernel[0] != kernel_h || kernel[1] != kernel_w))
    throw FormatError("kernel_shape does not match the weight shape");
  const auto strides = attrs.get_ints("strides", {1, 1});
  const auto dilations = attrs.get_ints("dilations", {1, 1});
  const auto pads = attrs.get_ints("pads", {0, 0, 0, 0});
  if (strides.size() != 2) throw FormatError("strides must have 2 values");
  if (dilations.size() != 2) throw FormatError("dilations must have 2 values");
  if (pads.size() != 4) throw FormatError("pads must have 4 values");
  w.kh = kernel[0];
  w.kw = kernel[1];
  w.sh = strides[0];
  w.sw = strides[1];
  w.dh = dilations[0];
  w.dw = dilations[1];
  w.pad_top = pads[0];
  w.pad_left = pads[1];
  w.pad_bottom = pads[2];
  w.pad_right = pads[3];
  constexpr int64_t kLimit = 1 << 16;
  for (int64_t v : {w.kh, w.kw, w.sh, w.sw, w.dh, w.dw})
    if (v < 1 || v > kLimit) throw FormatError("kernel sizes, strides and dilations must be in [1, 65536]");
  for (int64_t v : pads)
    if (v < 0 || v > kLimit) throw FormatError("pads must be in [0, 65536]");
  if (!allow_dilations && (w.dh != 1 || w.dw != 1)) throw UnsupportedError("dilations other than 1");
  return w;
}

}  // namespace edgecnn
