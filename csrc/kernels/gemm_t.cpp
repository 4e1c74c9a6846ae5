#include "kernels/gemm_t.h"

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32GemmTKernel kAllKernels[] = {
#define EDGECNN_F32_GEMM_T(isa_, mr, nr, arch)                                                                \
  EDGECNN_IF_ARCH_##arch(F32GemmTKernel{"f32_gemm_t_" #mr "x" #nr "__" #isa_, isa_::kIsa, mr, nr,            \
                                        &isa_::f32_gemm_t_##mr##x##nr, &isa_::f32_igemm_t_##mr##x##nr}, )
#include "kernels/f32_gemm_t.inc"
#undef EDGECNN_F32_GEMM_T
};

}  // namespace

const F32GemmTKernel* f32_gemm_t_kernel(Isa isa) {
  for (const auto& k : kAllKernels)
    if (k.isa == isa) return &k;
  return nullptr;
}

const F32GemmTKernel& f32_gemm_t_kernel_at_most(Isa isa) {
  return best_kernel_at_most(kAllKernels, isa);
}

}  // namespace edgecnn
