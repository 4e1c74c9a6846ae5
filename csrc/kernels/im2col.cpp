#include "kernels/im2col.h"

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32Im2colKernel kAllKernels[] = {
#define EDGECNN_F32_IM2COL(isa_, arch) \
  EDGECNN_IF_ARCH_##arch(F32Im2colKernel{"f32_im2col_row__" #isa_, isa_::kIsa, &isa_::f32_im2col_row, \
                                                  &isa_::f32_im2col_phase_row}, )
#include "kernels/f32_im2col.inc"
#undef EDGECNN_F32_IM2COL
};

}  // namespace

const F32Im2colKernel& f32_im2col_kernel(Isa isa) {
  return best_kernel_at_most(kAllKernels, isa);
}

}  // namespace edgecnn
