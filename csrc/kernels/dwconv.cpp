#include "kernels/dwconv.h"

namespace edgecnn {

namespace {

const F32DwconvKernel kAllKernels[] = {
#define EDGECNN_F32_DWCONV(isa_, k_, stride_, arch)                                                            \
  EDGECNN_IF_ARCH_##arch(F32DwconvKernel{"f32_dwconv_" #k_ "x" #k_ "s" #stride_ "__" #isa_, isa_::kIsa, k_, stride_, \
                                         &isa_::f32_dwconv_##k_##x##k_##s##stride_}, )
#include "kernels/f32_dwconv.inc"
#undef EDGECNN_F32_DWCONV
};

}  // namespace

const F32DwconvKernel* f32_dwconv_kernel(Isa isa, int k, int s) {
  const F32DwconvKernel* best = nullptr;
  for (const auto& kern : kAllKernels)
    if (kern.k == k && kern.s == s && static_cast<int>(kern.isa) <= static_cast<int>(isa) &&
        (best == nullptr || static_cast<int>(kern.isa) >= static_cast<int>(best->isa)))
      best = &kern;
  return best;
}

}  // namespace edgecnn
