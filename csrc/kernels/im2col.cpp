#include "kernels/im2col.h"

namespace edgecnn {

namespace {

const F32Im2colKernel kAllKernels[] = {
#define EDGECNN_F32_IM2COL(isa_, arch) \
  EDGECNN_IF_ARCH_##arch(F32Im2colKernel{"f32_im2col_row__" #isa_, isa_::kIsa, &isa_::f32_im2col_row}, )
#include "kernels/f32_im2col.inc"
#undef EDGECNN_F32_IM2COL
};

}  // namespace

const F32Im2colKernel& f32_im2col_kernel(Isa isa) {
  const F32Im2colKernel* best = &kAllKernels[0];
  for (const auto& k : kAllKernels)
    if (static_cast<int>(k.isa) <= static_cast<int>(isa) && static_cast<int>(k.isa) >= static_cast<int>(best->isa))
      best = &k;
  return *best;
}

}  // namespace edgecnn
