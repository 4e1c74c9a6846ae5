#include "kernels/activation.h"

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32ActivationKernel kAllKernels[] = {
#define EDGECNN_F32_ACTIVATION(isa_, arch) \
  EDGECNN_IF_ARCH_##arch(F32ActivationKernel{"f32_activation__" #isa_, isa_::kIsa, &isa_::f32_activation}, )
#include "kernels/f32_activation.inc"
#undef EDGECNN_F32_ACTIVATION
};

}  // namespace

const F32ActivationKernel& f32_activation_kernel(Isa isa) {
  return best_kernel_at_most(kAllKernels, isa);
}

}  // namespace edgecnn
