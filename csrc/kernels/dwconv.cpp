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

const F32DwconvLanesKernel kLanesKernels[] = {
#define EDGECNN_F32_DWCONV_LANES(isa_, lanes_, arch)                                                     \
  EDGECNN_IF_ARCH_##arch(F32DwconvLanesKernel{"f32_dwconv_lanes" #lanes_ "__" #isa_, isa_::kIsa, lanes_, \
                                              &isa_::f32_dwconv_lanes##lanes_}, )
#include "kernels/f32_dwconv_lanes.inc"
#undef EDGECNN_F32_DWCONV_LANES
    F32DwconvLanesKernel{nullptr, Isa::kScalar, 0, nullptr},  // keeps the array non-empty off x86
};

}  // namespace

const F32DwconvLanesKernel* f32_dwconv_lanes_kernel(Isa isa) {
  for (const auto& k : kLanesKernels)
    if (k.fn != nullptr && k.isa == isa) return &k;
  return nullptr;
}

const F32DwconvKernel* f32_dwconv_kernel(Isa isa, int k, int s) {
  const F32DwconvKernel* best = nullptr;
  for (const auto& kern : kAllKernels)
    if (kern.k == k && kern.s == s && static_cast<int>(kern.isa) <= static_cast<int>(isa) &&
        (best == nullptr || static_cast<int>(kern.isa) >= static_cast<int>(best->isa)))
      best = &kern;
  return best;
}

}  // namespace edgecnn
