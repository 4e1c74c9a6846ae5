#include "kernels/transpose.h"

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32TransposeKernel kAllKernels[] = {
#define EDGECNN_F32_TRANSPOSE(isa_, arch) \
  EDGECNN_IF_ARCH_##arch(F32TransposeKernel{"f32_transpose__" #isa_, isa_::kIsa, &isa_::f32_transpose}, )
#include "kernels/f32_transpose.inc"
#undef EDGECNN_F32_TRANSPOSE
};

}  // namespace

const F32TransposeKernel& f32_transpose_kernel(Isa isa) {
  return best_kernel_at_most(kAllKernels, isa);
}

}  // namespace edgecnn
