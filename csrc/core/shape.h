// Static tensor shapes. Every tensor of a loaded model has a fully known shape:
// the input size is fixed at conversion time.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace edgecnn {

using Shape = std::vector<int64_t>;

// Largest number of elements a tensor may have (2^31 - 1): keeps every index
// computation inside int64 with room to spare, and buffer sizes below 8 GiB.
constexpr int64_t kMaxElements = (int64_t{1} << 31) - 1;
constexpr int kMaxRank = 8;

// Product of the dims; saturates at INT64_MAX instead of overflowing (a shape
// computed from a hostile file may be huge), -1 for a negative dim.
int64_t num_elements(const Shape& shape);
std::string shape_str(const Shape& shape);

// Strides in elements of a dense row-major tensor.
std::vector<int64_t> dense_strides(const Shape& shape);

}  // namespace edgecnn
