// Element-wise activations, shared by the standalone activation operators and
// the fused epilogue of Conv.
#pragma once
#include <cstddef>
#include <string>

namespace edgecnn {

enum class Activation { kNone, kRelu, kClip, kSigmoid, kSiLU, kHardSigmoid, kHardSwish, kLeakyRelu, kTanh };

struct ActivationParams {
  Activation kind = Activation::kNone;
  float alpha = 0.0f;  // Clip: min; HardSigmoid: alpha; LeakyRelu: alpha
  float beta = 0.0f;   // Clip: max; HardSigmoid: beta
};

// Parses the name used by Conv's `activation` attribute ("" is none) with
// ONNX defaults for omitted parameters; throws FormatError for an unknown name.
ActivationParams make_activation(const std::string& name, bool has_alpha, float alpha, bool has_beta, float beta);

// y[i] = act(x[i]); x and y may be the same array.
void apply_activation(const ActivationParams& act, const float* x, float* y, size_t n);

// Conv epilogue over one output row: y = act(y + r) (residual before the
// activation) or y = act(y) + r (after); r may be null.
void apply_epilogue(const ActivationParams& act, float* y, const float* r, bool residual_after_activation, size_t n);

}  // namespace edgecnn
