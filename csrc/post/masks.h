// Instance masks, always box-local: an instance's mask covers only the frame
// pixels its box can touch, never the whole frame.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/cpu.h"
#include "core/thread_pool.h"
#include "pre/transform.h"

namespace edgecnn {

// A box-local mask is a height x width row-major array of uint8 0/1 (numpy
// bool) whose element (r, c) is frame pixel (row y0 + r, column x0 + c). The
// region always lies inside the frame: 0 <= x0 <= x0 + width <= frame_w (same
// for y); an empty region (width or height 0) has its origin clamped into the
// frame.
struct MaskRegion {
  int64_t x0 = 0;
  int64_t y0 = 0;
  int64_t width = 0;
  int64_t height = 0;
};

// The pixels a box (x1, y1, x2, y2), in frame pixels, can touch:
// columns [clip(floor(x1)), clip(ceil(x2))), clip into [0, frame_w]; rows alike.
MaskRegion box_region(const float* box, int64_t frame_h, int64_t frame_w);

// Throws ArgumentError (prefixed with `who`) unless all 4 * n coordinates are
// finite with magnitude < 2^30 (keeps every integer derived from them exact).
void validate_boxes(const float* boxes, int64_t n, const std::string& who);

// Throws ArgumentError unless the frame is at least 1x1 and every region lies
// inside it.
void validate_regions(const MaskRegion* regions, int64_t n, int64_t frame_h, int64_t frame_w, const std::string& who);

// YOLO-seg: instance i's mask logit is sum_k coeffs[i, k] * protos[k] over the
// prototype grid, which spans the network input (input / proto = 4 in
// Ultralytics models).
struct ProtoMaskInput {
  const float* coeffs = nullptr;  // [num_instances, num_protos]
  const float* protos = nullptr;  // [num_protos, proto_h, proto_w]
  const float* boxes = nullptr;   // [num_instances, 4]: x1 y1 x2 y2 in frame pixels
  int64_t num_instances = 0;
  int64_t num_protos = 0;
  int64_t proto_h = 0;
  int64_t proto_w = 0;
  int64_t input_h = 0;
  int64_t input_w = 0;
  FrameTransform transform;  // frame -> network input
  int64_t frame_h = 0;
  int64_t frame_w = 0;
};

// Validates the input; returns box_region of every box (the mask shapes).
std::vector<MaskRegion> proto_mask_regions(const ProtoMaskInput& in);

// Writes mask i to masks[i] (regions[i].height x regions[i].width). Frame
// pixel (X, Y) of the region is set iff its centre lies in the box
// (x1 <= X + 0.5 < x2, y1 <= Y + 0.5 < y2: Ultralytics' crop_mask, which
// tests pixel indices, shifted to centres) and the mask logit sampled
// bilinearly at the centre mapped into the prototype grid (linear_taps with
// grid_axis: half-pixel, letterbox padding cut off) is > 0, i.e.
// sigmoid > 0.5. The logit combination is computed only over the prototype
// cells the region samples. Parallel over instances. `isa` selects the
// kernels (mask_kernels; capped to the tiers this build has); every tier
// writes the same bytes.
void yolo_proto_masks(const ProtoMaskInput& in, const MaskRegion* regions, uint8_t* const* masks, ThreadPool& pool,
                      Isa isa);

// The proto masks' kernels, one set per ISA tier. Every product is rounded
// on its own (never fused into a sum), so all tiers agree bit for bit with
// the scalar kernels.
//
// logits_rows: `rows` rows of n cells of an instance's logit grid,
//   g[r * n + x] = sum over k = 0 .. num_protos - 1, in that order, of
//                  coeffs[k] * p[k * plane + r * row_stride + x]
// for r in [0, rows), x in [0, n): prototype k's cell (r, x) is at
// p + k * plane + r * row_stride. Each cell's sum is one chain of additions;
// SIMD tiers run several rows' chains side by side.
//
// positive_rows: a run of n pixels in each of `rows` mask rows that sample
// the same two grid rows r0 and r1 (`cols` floats each) with their own row
// weights wy0[r], wy1[r]. Pixel x of row r reads columns i0[x] and i1[x],
// with weights w0[x] and w1[x]; m[r * ldm + x] = 1 iff
//   v(c) = r0[c] * wy0[r] + r1[c] * wy1[r]
//   s    = v(i0[x]) * w0[x] + v(i1[x]) * w1[x] > 0,
// else 0. Columns satisfy 0 <= i0[x] <= i1[x] < cols and never decrease with
// x. SIMD tiers take a block of pixels in one step when its columns fit in one
// vector (i1[last] - i0[first] < lanes) and gather the columns otherwise;
// a step's columns, weights and permutes serve up to four rows.
struct MaskKernels {
  using LogitsRows = void (*)(const float* p, size_t row_stride, size_t plane, const float* coeffs,
                              size_t num_protos, size_t rows, size_t n, float* g);
  using PositiveRows = void (*)(const float* r0, const float* r1, const float* wy0, const float* wy1, size_t rows,
                                int32_t cols, const int32_t* i0, const int32_t* i1, const float* w0, const float* w1,
                                size_t n, uint8_t* m, size_t ldm);
  Isa isa;
  const char* name;
  LogitsRows logits_rows;
  PositiveRows positive_rows;
};

#define EDGECNN_MASK_KERNELS(isa)                                                                             \
  namespace isa {                                                                                              \
  void mask_logits_rows(const float* p, size_t row_stride, size_t plane, const float* coeffs, size_t num_protos, \
                        size_t rows, size_t n, float* g);                                                      \
  void mask_rows_positive(const float* r0, const float* r1, const float* wy0, const float* wy1, size_t rows,    \
                          int32_t cols, const int32_t* i0, const int32_t* i1, const float* w0, const float* w1, \
                          size_t n, uint8_t* m, size_t ldm);                                                    \
  }
EDGECNN_MASK_KERNELS(scalar)
EDGECNN_MASK_KERNELS(avx2)
EDGECNN_MASK_KERNELS(avx512)
#undef EDGECNN_MASK_KERNELS

// The kernels of the most capable tier not above `isa`.
const MaskKernels& mask_kernels(Isa isa);

// Mask R-CNN: per-instance mask probabilities over a box, pasted as
// torchvision's paste_masks_in_image (padding 1) does, then > 0.5.
struct PasteMaskInput {
  const float* masks = nullptr;  // [num_instances, mask_size, mask_size]
  const float* boxes = nullptr;  // [num_instances, 4]: x1 y1 x2 y2 in frame pixels
  int64_t num_instances = 0;
  int64_t mask_size = 0;
  int64_t frame_h = 0;
  int64_t frame_w = 0;
};

// Validates the input; returns each instance's region: torchvision's pasted
// rectangle clipped to the frame (see paste_masks). It extends past the box
// by about one mask cell on each side, as the padded mask does.
std::vector<MaskRegion> paste_mask_regions(const PasteMaskInput& in);

// Writes mask i to masks[i]. torchvision, in float32: the mask is padded by a
// zero cell on each side (M + 2 cells) and the box is scaled about its centre
// by (M + 2) / M; the scaled box is truncated toward zero to integers
// (b0, b1, b2, b3) (Tensor.to(int64)); the padded mask is resized bilinearly
// (align_corners=False) to w = max(b2 - b0 + 1, 1) by h = max(b3 - b1 + 1, 1)
// and frame pixel (X, Y) takes resized cell (X - b0, Y - b1), for X in
// [max(b0, 0), min(b2 + 1, frame_w)) and Y alike. Set iff > 0.5 (the
// threshold of torchvision's detection references). Only the pixels inside
// the frame are computed. Parallel over instances.
void paste_masks(const PasteMaskInput& in, const MaskRegion* regions, uint8_t* const* masks, ThreadPool& pool);

// Writes n full masks [n, frame_h, frame_w] (uint8 0/1) from box-local ones.
// Throws ArgumentError if a region is not inside the frame.
void paste_full(const uint8_t* const* masks, const MaskRegion* regions, int64_t n, int64_t frame_h, int64_t frame_w,
                uint8_t* out, ThreadPool& pool);

}  // namespace edgecnn
