// An element-wise activation and its parameters: plain data shared by the
// operators and the per-ISA activation kernels (which include only this and
// intrinsics headers).
#pragma once
#include <stddef.h>

namespace edgecnn {

// kExp is not a Conv epilogue: Softmax uses it on (x - max) <= 0. Its input is
// clamped to [-87, 88], so exp of larger x saturates at exp(88) ~ 1.65e38.
enum class Activation : int { kNone, kRelu, kClip, kSigmoid, kSiLU, kHardSigmoid, kHardSwish, kLeakyRelu, kTanh, kExp };

// X(kind) for every Activation, for switches that instantiate per kind.
#define EDGECNN_ACTIVATION_KINDS(X) \
  X(kNone) X(kRelu) X(kClip) X(kSigmoid) X(kSiLU) X(kHardSigmoid) X(kHardSwish) X(kLeakyRelu) X(kTanh) X(kExp)

struct ActivationSpec {
  Activation kind;
  float alpha;  // Clip: min; HardSigmoid: alpha; LeakyRelu: alpha
  float beta;   // Clip: max; HardSigmoid: beta
};

// y[i] = act(x[i]) for i < n; x and y may be the same array.
using F32ActivationFn = void (*)(const ActivationSpec* act, const float* x, float* y, size_t n);

}  // namespace edgecnn
