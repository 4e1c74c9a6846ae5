// Semantic segmentation head: class logits over the network input -> a class
// map (and optionally per-class probabilities) at frame size.
#pragma once
#include <cstdint>

#include "core/thread_pool.h"
#include "pre/transform.h"

namespace edgecnn {

struct SegmentInput {
  // [num_classes, grid_h, grid_w], contiguous: the logits over a grid that
  // spans the whole network input of input_h x input_w (grid = input for a
  // full-resolution head; a coarser grid is upsampled the same way).
  const float* logits = nullptr;
  int64_t num_classes = 0;
  int64_t grid_h = 0;
  int64_t grid_w = 0;
  int64_t input_h = 0;
  int64_t input_w = 0;
  FrameTransform transform;  // frame -> network input (letterbox or resize)
  int64_t frame_h = 0;
  int64_t frame_w = 0;
};

// The class map holds uint8 when num_classes <= 256, int32 otherwise.
inline bool segment_map_is_uint8(int64_t num_classes) { return num_classes <= 256; }

// Throws ArgumentError for sizes < 1 or a bad transform.
void validate_segment(const SegmentInput& in);

// Frame pixel (X, Y) takes the logits sampled bilinearly at its centre mapped
// into the grid (linear_taps with grid_axis: half-pixel, samples confined to
// the cells showing the frame, so the letterbox padding is cut off), and its
// class is their argmax (ties: lowest class id, up to float rounding: see
// segment.cpp). Pixels whose four source cells share one argmax class take it
// without sampling the C planes.
// Writes frame_h x frame_w class ids, row-major, to map_u8 or map_i32 (per
// segment_map_is_uint8; the other may be null). If scores is not null, also
// writes the softmax of the sampled logits, [num_classes, frame_h, frame_w];
// otherwise the resampled logits are never stored.
void segment_map(const SegmentInput& in, uint8_t* map_u8, int32_t* map_i32, float* scores, ThreadPool& pool);

}  // namespace edgecnn
