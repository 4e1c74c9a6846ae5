// Reference pooling folds (contract: kernels/pool_fold.h).
#include <stddef.h>

namespace edgecnn {
namespace scalar {
namespace {

// NaN if either is NaN, else the larger.
inline float max_nan(float acc, float x) { return acc != acc || x != x ? acc + x : (acc < x ? x : acc); }

}  // namespace

void f32_pool_fold_max(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  for (size_t i = 0; i < n; ++i) {
    float acc = accumulate ? max_nan(y[i], x[i]) : x[i];
    for (size_t j = 1; j < count; ++j) acc = max_nan(acc, x[j * stride + i]);
    y[i] = acc;
  }
}

void f32_pool_fold_add(const float* x, size_t stride, size_t count, float* y, size_t n, int accumulate) {
  for (size_t i = 0; i < n; ++i) {
    float acc = accumulate ? y[i] + x[i] : x[i];
    for (size_t j = 1; j < count; ++j) acc += x[j * stride + i];
    y[i] = acc;
  }
}

}  // namespace scalar
}  // namespace edgecnn
