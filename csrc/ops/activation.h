// Element-wise activations, shared by the standalone activation operators and
// the fused epilogue of Conv. The work is done by the ISA-dispatched kernels of
// kernels/activation.h.
#pragma once
#include <cstddef>
#include <string>

#include "core/cpu.h"
#include "kernels/activation.h"

namespace edgecnn {

struct ActivationParams {
  ActivationSpec spec{Activation::kNone, 0.0f, 0.0f};
  F32ActivationFn fn = nullptr;
  Activation kind() const { return spec.kind; }
};

// Parses the name used by Conv's `activation` attribute ("" is none) with
// ONNX defaults for omitted parameters, and picks the kernel for `isa`;
// throws FormatError for an unknown name.
ActivationParams make_activation(const std::string& name, bool has_alpha, float alpha, bool has_beta, float beta,
                                 Isa isa);

// y[i] = act(x[i]); x and y may be the same array.
inline void apply_activation(const ActivationParams& act, const float* x, float* y, size_t n) {
  act.fn(&act.spec, x, y, n);
}

// Conv epilogue over one output row: y = act(y + r) (residual before the
// activation) or y = act(y) + r (after); r may be null.
void apply_epilogue(const ActivationParams& act, float* y, const float* r, bool residual_after_activation, size_t n);

}  // namespace edgecnn
