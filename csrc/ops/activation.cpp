#include "ops/activation.h"

#include <limits>

#include "core/error.h"

namespace edgecnn {

ActivationParams make_activation(const std::string& name, bool has_alpha, float alpha, bool has_beta, float beta,
                                 Isa isa) {
  ActivationSpec s{Activation::kNone, 0.0f, 0.0f};
  if (name.empty() || name == "None") {
    s.kind = Activation::kNone;
  } else if (name == "Relu") {
    s.kind = Activation::kRelu;
  } else if (name == "Clip") {
    s.kind = Activation::kClip;
    s.alpha = has_alpha ? alpha : -std::numeric_limits<float>::infinity();
    s.beta = has_beta ? beta : std::numeric_limits<float>::infinity();
  } else if (name == "Sigmoid") {
    s.kind = Activation::kSigmoid;
  } else if (name == "SiLU") {
    s.kind = Activation::kSiLU;
  } else if (name == "HardSigmoid") {
    s.kind = Activation::kHardSigmoid;
    s.alpha = has_alpha ? alpha : 0.2f;
    s.beta = has_beta ? beta : 0.5f;
  } else if (name == "HardSwish") {
    s.kind = Activation::kHardSwish;
  } else if (name == "LeakyRelu") {
    s.kind = Activation::kLeakyRelu;
    s.alpha = has_alpha ? alpha : 0.01f;
  } else if (name == "Tanh") {
    s.kind = Activation::kTanh;
  } else {
    throw FormatError("unknown activation '" + name + "'");
  }
  return ActivationParams{s, f32_activation_kernel(isa).fn};
}

void apply_epilogue(const ActivationParams& act, float* y, const float* r, bool residual_after_activation,
                    size_t n) {
  if (r != nullptr && !residual_after_activation)
    for (size_t i = 0; i < n; ++i) y[i] += r[i];
  if (act.kind() != Activation::kNone) apply_activation(act, y, y, n);
  if (r != nullptr && residual_after_activation)
    for (size_t i = 0; i < n; ++i) y[i] += r[i];
}

}  // namespace edgecnn
