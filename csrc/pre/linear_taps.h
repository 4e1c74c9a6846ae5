// Separable linear interpolation with half-pixel centres (cv2 INTER_LINEAR,
// PyTorch align_corners=False), shared by the pre-processing and the dense
// post-processing. Taps are computed once per axis and call; the inner loops
// only gather and blend.
#pragma once
#include <cstdint>
#include <vector>

namespace edgecnn {

// One output sample along an axis: src[i0] * w0 + src[i1] * w1, w0 = 1 - w1.
struct LinearTap {
  int64_t i0;
  int64_t i1;
  float w0;
  float w1;
};

// Taps of the output samples d = first .. first + count - 1, whose source
// coordinate is, in float32 and in this order,
//   s = (d + 0.5f) * step + offset - 0.5f
// sampling only the source cells [lo, hi) (0 <= lo < hi):
//   s = max(s, lo); i0 = min(floor(s), hi - 1); i1 = min(i0 + 1, hi - 1);
//   w1 = clamp(s - i0, 0, 1)
// That is PyTorch's upsample_bilinear2d index/lambda guard; it equals clamping
// s to [lo, hi - 1] ("replicate the edge").
void linear_taps(int64_t first, int64_t count, float step, float offset, int64_t lo, int64_t hi, LinearTap* taps);

// Where frame pixels fall along one axis of a grid of `grid_size` cells that
// spans a network-input axis of `input_size` pixels (ratio = grid / input: 1
// for a full-resolution output, 1/4 for YOLO prototypes). With the axis's
// transform (network = frame * scale + pad), the centre of frame pixel X lands
// at grid coordinate (X + 0.5) * step + offset, step = scale * ratio,
// offset = pad * ratio; feed step/offset to linear_taps.
// [lo, hi) are the cells that overlap the frame's image in the input:
// lo = floor(pad * ratio), hi = ceil((pad + frame_size * scale) * ratio), both
// with a 1e-6 cell tolerance and clamped into the grid (hi >= lo + 1). Sampling
// only them cuts the letterbox padding off, so pixels at the frame's edges
// never blend with padding cells.
struct GridAxis {
  float step;
  float offset;
  int64_t lo;
  int64_t hi;
};
GridAxis grid_axis(double scale, double pad, int64_t frame_size, int64_t input_size, int64_t grid_size);

// Outputs [begin, end) whose taps read the same two source cells i0, i1.
// Upsampling a coarse grid (segment logits, mask prototypes) gives runs of
// about output / grid samples: a blend of the same two values along them.
struct TapRun {
  int64_t begin, end, i0, i1;
};

// The runs of taps[0, count), in order (taps only move forward).
void tap_runs(const LinearTap* taps, int64_t count, std::vector<TapRun>* runs);

// One output row of a bilinear resample of `plane` (row stride `stride`):
// source rows ty.i0 and ty.i1 are blended into tmp over the columns
// [col_lo, col_hi) that taps_x reads, then out[x] takes tap taps_x[x] of tmp.
// The two passes make the per-pixel work two multiply-adds.
inline void bilinear_row(const float* plane, int64_t stride, const LinearTap& ty, int64_t col_lo, int64_t col_hi,
                         const LinearTap* taps_x, int64_t count, float* tmp, float* out) {
  const float* r0 = plane + ty.i0 * stride;
  const float* r1 = plane + ty.i1 * stride;
  const float w0 = ty.w0, w1 = ty.w1;
  for (int64_t c = col_lo; c < col_hi; ++c) tmp[c - col_lo] = r0[c] * w0 + r1[c] * w1;
  const float* t = tmp - col_lo;
  for (int64_t x = 0; x < count; ++x) {
    const LinearTap& tx = taps_x[x];
    out[x] = t[tx.i0] * tx.w0 + t[tx.i1] * tx.w1;
  }
}

// One sample of the same resample, with the same operations in the same
// order as bilinear_row, so both give the same value.
inline float bilinear_at(const float* plane, int64_t stride, const LinearTap& ty, const LinearTap& tx) {
  const float* r0 = plane + ty.i0 * stride;
  const float* r1 = plane + ty.i1 * stride;
  return (r0[tx.i0] * ty.w0 + r1[tx.i0] * ty.w1) * tx.w0 + (r0[tx.i1] * ty.w0 + r1[tx.i1] * ty.w1) * tx.w1;
}

}  // namespace edgecnn
