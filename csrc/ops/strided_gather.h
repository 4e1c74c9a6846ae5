// Copies a strided view of a tensor into a dense tensor, shared by Slice and
// Transpose: output element (i_0, ..., i_{r-1}) is x[base + sum_d i_d * stride_d]
// with strides in elements, of any sign.
//
// Planning drops axes of extent 1 and merges neighbouring output axes that
// are contiguous in the input too. Then either the last axis has input
// stride 1 (rows are memcpy'd), or, when another axis has input stride 1
// (a transposition), the two are swapped in kTile x kTile tiles so that
// reads and writes both use whole cache lines; otherwise rows are gathered
// element by element.
#pragma once
#include <cstdint>
#include <vector>

#include "core/shape.h"
#include "core/thread_pool.h"

namespace edgecnn {

class StridedGather {
 public:
  void plan(const Shape& out, const std::vector<int64_t>& strides, int64_t base);
  void run(const float* x, float* y, ThreadPool& pool) const;

 private:
  static constexpr int64_t kTile = 16;
  void run_rows(const float* x, float* y, ThreadPool& pool) const;
  void run_tiles(const float* x, float* y, ThreadPool& pool) const;

  int rank_ = 1;
  int64_t dims_[kMaxRank] = {1};
  int64_t strides_[kMaxRank] = {1};
  int64_t out_strides_[kMaxRank] = {1};  // of the dense output
  int64_t base_ = 0, count_ = 1;
  int tile_axis_ = -1;  // the axis with input stride 1, when it is not the last
};

}  // namespace edgecnn
