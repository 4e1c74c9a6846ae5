// Reference transpose (contract: kernels/transpose.h).
#include <stddef.h>

namespace edgecnn {
namespace scalar {

void f32_transpose(size_t rows, size_t cols, const float* src, size_t lds, float* dst, size_t ldd) {
  for (size_t c = 0; c < cols; ++c)
    for (size_t r = 0; r < rows; ++r) dst[c * ldd + r] = src[r * lds + c];
}

}  // namespace scalar
}  // namespace edgecnn
