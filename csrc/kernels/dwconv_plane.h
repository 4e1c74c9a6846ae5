// The geometry of one depthwise channel and the scratch layout the depthwise
// kernels (kernels/dwconv.h) use: plain data, shared with the ISA files.
//
// The input plane is copied into S*S "phase planes" of the zero-padded plane
// P (P[r][c] = x[r - pad_top][c - pad_left], 0 outside the input):
//   phase (py, px) holds P[py + S*i][px + S*j] at
//   scratch[(py*S + px) * plane_stride() + i*ld() + j]
//   for rows i < phase_rows() = out_h + reach() and columns j < ld() = out_w + reach(),
//   reach() = (K-1)*D/S with D the dilation.
// (For S = 1 there is one phase: P itself, ld() columns wide.) Output (oy, ox)
// then reads, for tap (ky, kx), phase (ky*D % S, kx*D % S) at
// (oy + ky*D/S)*ld() + ox + kx*D/S: a fixed offset from p = oy*ld() + ox. So
// the convolution is a 1-D one
// over the flat index p for every stride, with no edge cases; it is computed
// for p < count() into the strided output buffer after the phases (row stride
// ld(); the columns ox in [out_w, ld()) are discarded), and the rows are then
// copied out to the dense output.
#pragma once
#include <stdint.h>

namespace edgecnn {

// The bounds a depthwise kernel clamps its outputs to before storing them:
// y = min(max(conv, lo), hi), a NaN staying NaN (as numpy's clip). A ReLU
// or Clip epilogue then costs no pass of its own over the output plane
// (ReLU: lo 0, hi +inf; none: -inf, +inf, which changes nothing).
struct DwconvClamp {
  float lo, hi;
};

struct DwconvPlane {
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t pad_top = 0, pad_left = 0;
  int k = 3, s = 1;
  int64_t d = 1;  // dilation, both axes
  int64_t reach() const { return (k - 1) * d / s; }
  int64_t ld() const { return out_w + reach(); }
  int64_t phase_rows() const { return out_h + reach(); }
  int64_t plane_stride() const { return phase_rows() * ld(); }
  int64_t count() const { return (out_h - 1) * ld() + out_w; }
  // Scratch floats: the phases, then the strided output.
  int64_t scratch_floats() const { return static_cast<int64_t>(s) * s * plane_stride() + out_h * ld(); }
};

}  // namespace edgecnn

// The four entry points of kernels/f32_dwconv.inc for a tier, in the tier's
// namespace, each calling impl<K, S> (a template of the tier's file).
#define EDGECNN_F32_DWCONV_ENTRY_POINT(K, S, impl)                                                             \
  void f32_dwconv_##K##x##K##s##S(const DwconvPlane* g, const float* x, const float* w, float b, DwconvClamp clamp, \
                                  float* scratch, float* y) {                                                  \
    impl<K, S>(g, x, w, b, clamp, scratch, y);                                                                 \
  }
#define EDGECNN_F32_DWCONV_ENTRY_POINTS(impl)  \
  EDGECNN_F32_DWCONV_ENTRY_POINT(3, 1, impl)   \
  EDGECNN_F32_DWCONV_ENTRY_POINT(3, 2, impl)   \
  EDGECNN_F32_DWCONV_ENTRY_POINT(5, 1, impl)   \
  EDGECNN_F32_DWCONV_ENTRY_POINT(5, 2, impl)
