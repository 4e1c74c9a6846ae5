// COCO run-length encoding of box-local instance masks, without building the
// full masks.
#pragma once
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "post/masks.h"

namespace edgecnn {

// COCO (pycocotools) uncompressed RLE of a frame_h x frame_w mask: the pixels
// in column-major (Fortran) order, index x * frame_h + y; counts are the
// lengths of the alternating runs, starting with a run of 0s (so counts[0] is
// 0 when pixel (0, 0) is set); the last run is included; they sum to
// frame_h * frame_w. An empty mask is {frame_h * frame_w}.
// Encodes each box-local mask (see MaskRegion) as if pasted into an empty
// frame. Parallel over instances. Throws ArgumentError if a region is not
// inside the frame or frame_h * frame_w >= 2^32 (counts are uint32, as
// pycocotools').
std::vector<std::vector<uint32_t>> rle_encode_box_local(const uint8_t* const* masks, const MaskRegion* regions,
                                                        int64_t n, int64_t frame_h, int64_t frame_w,
                                                        ThreadPool& pool);

}  // namespace edgecnn
