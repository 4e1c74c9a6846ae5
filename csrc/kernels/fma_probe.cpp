#include "kernels/fma_probe.h"

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32FmaProbe kAllProbes[] = {
#define EDGECNN_F32_FMA_PROBE(isa_, arch) \
  EDGECNN_IF_ARCH_##arch(F32FmaProbe{"f32_fma_probe__" #isa_, isa_::kIsa, &isa_::f32_fma_probe}, )
#include "kernels/f32_fma_probe.inc"
#undef EDGECNN_F32_FMA_PROBE
};

}  // namespace

const F32FmaProbe& f32_fma_probe(Isa isa) {
  return best_kernel_at_most(kAllProbes, isa);
}

}  // namespace edgecnn
