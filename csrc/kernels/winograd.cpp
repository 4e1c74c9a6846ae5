#include "kernels/winograd.h"

namespace edgecnn {

namespace {

const F32Wino23Kernel kAllKernels[] = {
#define EDGECNN_F32_WINO23(isa_, arch)                                                                    \
  EDGECNN_IF_ARCH_##arch(F32Wino23Kernel{"f32_wino23__" #isa_, isa_::kIsa, &isa_::f32_wino23_input,        \
                                         &isa_::f32_wino23_output}, )
#include "kernels/f32_winograd.inc"
#undef EDGECNN_F32_WINO23
};

}  // namespace

const F32Wino23Kernel* f32_wino23_kernel(Isa isa) {
  for (const auto& k : kAllKernels)
    if (k.isa == isa) return &k;
  return nullptr;
}

void wino23_transform_weights(const float* w, int64_t out_c, int64_t in_c, float* u) {
  static const double G[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  const int64_t plane = out_c * in_c;
  for (int64_t oc = 0; oc < out_c; ++oc)
    for (int64_t ic = 0; ic < in_c; ++ic) {
      const float* g = w + (oc * in_c + ic) * 9;
      double gt[4][3];  // G g
      for (int i = 0; i < 4; ++i)
        for (int c = 0; c < 3; ++c) gt[i][c] = G[i][0] * g[c] + G[i][1] * g[3 + c] + G[i][2] * g[6 + c];
      for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
          u[(4 * i + j) * plane + oc * in_c + ic] =
              static_cast<float>(gt[i][0] * G[j][0] + gt[i][1] * G[j][1] + gt[i][2] * G[j][2]);
    }
}

}  // namespace edgecnn
