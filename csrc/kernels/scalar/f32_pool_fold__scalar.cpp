// Reference pooling folds (contract: kernels/pool_fold.h).
#include <stddef.h>

namespace edgecnn {
namespace scalar {

void f32_pool_fold_max(const float* acc, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = acc[i] < x[i] ? x[i] : acc[i];
}

void f32_pool_fold_add(const float* acc, const float* x, float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = acc[i] + x[i];
}

}  // namespace scalar
}  // namespace edgecnn
