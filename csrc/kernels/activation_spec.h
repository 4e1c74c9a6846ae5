// An element-wise activation and its parameters: plain data shared by the
// operators and the per-ISA activation kernels (which include only this and
// intrinsics headers).
#pragma once

namespace edgecnn {

enum class Activation : int { kNone, kRelu, kClip, kSigmoid, kSiLU, kHardSigmoid, kHardSwish, kLeakyRelu, kTanh };

struct ActivationSpec {
  Activation kind;
  float alpha;  // Clip: min; HardSigmoid: alpha; LeakyRelu: alpha
  float beta;   // Clip: max; HardSigmoid: beta
};

}  // namespace edgecnn
