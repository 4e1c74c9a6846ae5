#include "kernels/pool_fold.h"

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32PoolFoldKernel kAllKernels[] = {
#define EDGECNN_F32_POOL_FOLD(isa_, arch)                                                                     \
  EDGECNN_IF_ARCH_##arch(F32PoolFoldKernel{"f32_pool_fold__" #isa_, isa_::kIsa, &isa_::f32_pool_fold_max, \
                                           &isa_::f32_pool_fold_add}, )
#include "kernels/f32_pool_fold.inc"
#undef EDGECNN_F32_POOL_FOLD
};

}  // namespace

const F32PoolFoldKernel& f32_pool_fold_kernel(Isa isa) {
  return best_kernel_at_most(kAllKernels, isa);
}

}  // namespace edgecnn
