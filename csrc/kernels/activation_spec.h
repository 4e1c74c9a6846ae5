// An element-wise activation and its parameters: plain data shared by the
// operators and the per-ISA activation and GEMM kernels (which include only
// this and intrinsics headers), and with_activation, which picks code
// compiled per activation.
#pragma once
#include <stddef.h>

namespace edgecnn {

// kExp is not a Conv epilogue: Softmax uses it on (x - max) <= 0. Its input is
// clamped to [-87, 88], so exp of larger x saturates at exp(88) ~ 1.65e38.
enum class Activation : int { kNone, kRelu, kClip, kSigmoid, kSiLU, kHardSigmoid, kHardSwish, kLeakyRelu, kTanh, kExp };

// f(ActivationTag<K>()) for the K that `kind` is: code compiled once per
// activation (the kernels' loops), picked at run time. Internal linkage:
// the per-ISA files instantiate it with their own flags.
template <Activation K>
struct ActivationTag {
  static constexpr Activation kind = K;
};

namespace {

template <class F>
inline void with_activation(Activation kind, F&& f) {
  switch (kind) {
    case Activation::kNone: f(ActivationTag<Activation::kNone>()); break;
    case Activation::kRelu: f(ActivationTag<Activation::kRelu>()); break;
    case Activation::kClip: f(ActivationTag<Activation::kClip>()); break;
    case Activation::kSigmoid: f(ActivationTag<Activation::kSigmoid>()); break;
    case Activation::kSiLU: f(ActivationTag<Activation::kSiLU>()); break;
    case Activation::kHardSigmoid: f(ActivationTag<Activation::kHardSigmoid>()); break;
    case Activation::kHardSwish: f(ActivationTag<Activation::kHardSwish>()); break;
    case Activation::kLeakyRelu: f(ActivationTag<Activation::kLeakyRelu>()); break;
    case Activation::kTanh: f(ActivationTag<Activation::kTanh>()); break;
    case Activation::kExp: f(ActivationTag<Activation::kExp>()); break;
  }
}

}  // namespace

struct ActivationSpec {
  Activation kind;
  float alpha;  // Clip: min; HardSigmoid: alpha; LeakyRelu: alpha
  float beta;   // Clip: max; HardSigmoid: beta
};

// y[i] = act(x[i]) for i < n; x and y may be the same array.
using F32ActivationFn = void (*)(const ActivationSpec* act, const float* x, float* y, size_t n);

}  // namespace edgecnn
