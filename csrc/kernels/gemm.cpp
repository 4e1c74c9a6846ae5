#include "kernels/gemm.h"

#include <cstring>

#include "kernels/dispatch.h"

namespace edgecnn {

namespace {

const F32GemmKernel kAllKernels[] = {
#define EDGECNN_F32_GEMM(isa_, mr, nr, arch) \
  EDGECNN_IF_ARCH_##arch(F32GemmKernel{"f32_gemm_" #mr "x" #nr "__" #isa_, isa_::kIsa, mr, nr, &isa_::f32_gemm_##mr##x##nr, \
                                       &isa_::f32_gemm_##mr##x##nr##_acc, &isa_::f32_gemv_##nr,        \
                                       &isa_::f32_igemm_##mr##x##nr}, )
#include "kernels/f32_gemm.inc"
#undef EDGECNN_F32_GEMM
};

}  // namespace

const F32GemmKernel& f32_gemm_kernel(Isa isa) {
  return best_kernel_at_most(kAllKernels, isa);
}

PackedMatrix pack_f32_gemm_weights(const float* w, int64_t rows, int64_t depth, int64_t ldw, int mr) {
  PackedMatrix pm;
  pm.rows = rows;
  pm.depth = depth;
  pm.mr = mr;
  pm.data = AlignedBuffer(static_cast<size_t>(pm.panel_count() * depth * mr) * sizeof(float));
  float* out = pm.data.floats();
  for (int64_t p = 0; p < pm.panel_count(); ++p)
    for (int64_t k = 0; k < depth; ++k)
      for (int r = 0; r < mr; ++r) {
        const int64_t row = p * mr + r;
        *out++ = row < rows ? w[row * ldw + k] : 0.0f;
      }
  return pm;
}

void scale_packed_depth(const PackedMatrix& w, const float* s, int64_t p0, int64_t p1, float* dst) {
  const int64_t mr = w.mr, panel_floats = w.depth * mr;
  for (int64_t p = p0; p < p1; ++p) {
    const float* src = w.panel(p);
    float* out = dst + p * panel_floats;
    for (int64_t k = 0; k < w.depth; ++k)
      for (int64_t m = 0; m < mr; ++m) out[k * mr + m] = src[k * mr + m] * s[k];
  }
}

}  // namespace edgecnn
