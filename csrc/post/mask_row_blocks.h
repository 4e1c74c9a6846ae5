// The row blocks of the SIMD mask kernels (post/masks_*.cpp): rows in blocks
// of up to four, the block height a compile-time constant so that each
// block's accumulators stay in registers. ISA-neutral; the callers' lambdas
// make every instantiation local to its ISA file.
#pragma once
#include <stddef.h>

#include <type_traits>

namespace edgecnn {

// Calls block(r, R) for the blocks [r, r + R) covering rows [0, rows): R is
// std::integral_constant<int, 4>, or 1-3 for the last block.
template <class Block>
inline void for_row_blocks(size_t rows, const Block& block) {
  for (size_t r = 0; r < rows; r += 4) {
    switch (rows - r < 4 ? rows - r : 4) {
      case 1: block(r, std::integral_constant<int, 1>()); break;
      case 2: block(r, std::integral_constant<int, 2>()); break;
      case 3: block(r, std::integral_constant<int, 3>()); break;
      default: block(r, std::integral_constant<int, 4>()); break;
    }
  }
}

}  // namespace edgecnn
