#include "kernels/transpose.h"

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
  const F32TransposeKernel* best = &kAllKernels[0];
  for (const auto& k : kAllKernels)
    if (static_cast<int>(k.isa) <= static_cast<int>(isa) && static_cast<int>(k.isa) >= static_cast<int>(best->isa))
      best = &k;
  return *best;
}

}  // namespace edgecnn
