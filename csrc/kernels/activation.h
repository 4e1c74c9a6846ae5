// Dispatch of the f32 activation kernels (list: kernels/f32_activation.inc).
#pragma once
#include <cstddef>

#include "core/cpu.h"
#include "kernels/activation_spec.h"

namespace edgecnn {

#define EDGECNN_F32_ACTIVATION(isa, arch) \
  namespace isa {                         \
  void f32_activation(const ActivationSpec* act, const float* x, float* y, size_t n); \
  }
#include "kernels/f32_activation.inc"
#undef EDGECNN_F32_ACTIVATION

struct F32ActivationKernel {
  const char* name;
  Isa isa;
  F32ActivationFn fn;
};

// The best activation kernel for `isa` (falls back to lower tiers).
const F32ActivationKernel& f32_activation_kernel(Isa isa);

}  // namespace edgecnn
