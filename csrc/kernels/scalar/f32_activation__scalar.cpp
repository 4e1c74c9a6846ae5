// Portable activation kernel: the reference the SIMD tiers are tested against.
#include <cmath>
#include <cstddef>

#include "kernels/activation_spec.h"

namespace edgecnn {
namespace scalar {
namespace {

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

void f32_activation(const ActivationSpec* act, const float* x, float* y, size_t n) {
  switch (act->kind) {
    case Activation::kNone:
      if (x != y)
        for (size_t i = 0; i < n; ++i) y[i] = x[i];
      break;
    case Activation::kRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case Activation::kClip:
      for (size_t i = 0; i < n; ++i) y[i] = std::fmin(std::fmax(x[i], act->alpha), act->beta);
      break;
    case Activation::kSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
      break;
    case Activation::kSiLU:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] * sigmoid(x[i]);
      break;
    case Activation::kHardSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = std::fmin(std::fmax(act->alpha * x[i] + act->beta, 0.0f), 1.0f);
      break;
    case Activation::kHardSwish:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] * std::fmin(std::fmax(x[i] / 6.0f + 0.5f, 0.0f), 1.0f);
      break;
    case Activation::kLeakyRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : act->alpha * x[i];
      break;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      break;
    case Activation::kExp:
      for (size_t i = 0; i < n; ++i) y[i] = std::exp(x[i] > 88.0f ? 88.0f : x[i]);  // NaN stays NaN
      break;
  }
}

}  // namespace scalar
}  // namespace edgecnn
