#include "ops/activation.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace edgecnn {

ActivationParams make_activation(const std::string& name, bool has_alpha, float alpha, bool has_beta, float beta) {
  ActivationParams p;
  if (name.empty() || name == "None") {
    p.kind = Activation::kNone;
  } else if (name == "Relu") {
    p.kind = Activation::kRelu;
  } else if (name == "Clip") {
    p.kind = Activation::kClip;
    p.alpha = has_alpha ? alpha : -std::numeric_limits<float>::infinity();
    p.beta = has_beta ? beta : std::numeric_limits<float>::infinity();
  } else if (name == "Sigmoid") {
    p.kind = Activation::kSigmoid;
  } else if (name == "SiLU") {
    p.kind = Activation::kSiLU;
  } else if (name == "HardSigmoid") {
    p.kind = Activation::kHardSigmoid;
    p.alpha = has_alpha ? alpha : 0.2f;
    p.beta = has_beta ? beta : 0.5f;
  } else if (name == "HardSwish") {
    p.kind = Activation::kHardSwish;
  } else if (name == "LeakyRelu") {
    p.kind = Activation::kLeakyRelu;
    p.alpha = has_alpha ? alpha : 0.01f;
  } else if (name == "Tanh") {
    p.kind = Activation::kTanh;
  } else {
    throw FormatError("unknown activation '" + name + "'");
  }
  return p;
}

namespace {

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

}  // namespace

void apply_activation(const ActivationParams& act, const float* x, float* y, size_t n) {
  switch (act.kind) {
    case Activation::kNone:
      if (x != y)
        for (size_t i = 0; i < n; ++i) y[i] = x[i];
      break;
    case Activation::kRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case Activation::kClip:
      for (size_t i = 0; i < n; ++i) y[i] = std::fmin(std::fmax(x[i], act.alpha), act.beta);
      break;
    case Activation::kSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
      break;
    case Activation::kSiLU:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] * sigmoid(x[i]);
      break;
    case Activation::kHardSigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = std::fmin(std::fmax(act.alpha * x[i] + act.beta, 0.0f), 1.0f);
      break;
    case Activation::kHardSwish:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] * std::fmin(std::fmax(x[i] / 6.0f + 0.5f, 0.0f), 1.0f);
      break;
    case Activation::kLeakyRelu:
      for (size_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : act.alpha * x[i];
      break;
    case Activation::kTanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      break;
  }
}

void apply_epilogue(const ActivationParams& act, float* y, const float* r, bool residual_after_activation,
                    size_t n) {
  if (r != nullptr && !residual_after_activation)
    for (size_t i = 0; i < n; ++i) y[i] += r[i];
  apply_activation(act, y, y, n);
  if (r != nullptr && residual_after_activation)
    for (size_t i = 0; i < n; ++i) y[i] += r[i];
}

}  // namespace edgecnn
