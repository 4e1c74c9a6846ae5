#include "kernels/winograd.h"

namespace edgecnn {

namespace {

const F32WinoKernel kAllKernels[] = {
#define EDGECNN_F32_WINOGRAD(isa_, m_, arch)                                                              \
  EDGECNN_IF_ARCH_##arch(F32WinoKernel{"f32_wino" #m_ "3__" #isa_, isa_::kIsa, m_, &isa_::f32_wino##m_##3_input, \
                                       &isa_::f32_wino##m_##3_output}, )
#include "kernels/f32_winograd.inc"
#undef EDGECNN_F32_WINOGRAD
};

}  // namespace

const F32WinoKernel* f32_wino_kernel(Isa isa, int m) {
  for (const auto& k : kAllKernels)
    if (k.isa == isa && k.m == m) return &k;
  return nullptr;
}

void wino_transform_weights(int m, const float* w, int64_t out_c, int64_t in_c, float* u) {
  static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  static const double G4[6][3] = {{1.0 / 4, 0, 0},
                                  {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6},
                                  {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6},
                                  {0, 0, 1}};
  const int p = m + 2;
  const double(*G)[3] = m == 2 ? G2 : G4;
  const int64_t plane = out_c * in_c;
  for (int64_t oc = 0; oc < out_c; ++oc)
    for (int64_t ic = 0; ic < in_c; ++ic) {
      const float* g = w + (oc * in_c + ic) * 9;
      double gt[6][3];  // G g
      for (int i = 0; i < p; ++i)
        for (int c = 0; c < 3; ++c) gt[i][c] = G[i][0] * g[c] + G[i][1] * g[3 + c] + G[i][2] * g[6 + c];
      for (int i = 0; i < p; ++i)
        for (int j = 0; j < p; ++j)
          u[(p * i + j) * plane + oc * in_c + ic] =
              static_cast<float>(gt[i][0] * G[j][0] + gt[i][1] * G[j][1] + gt[i][2] * G[j][2]);
    }
}

}  // namespace edgecnn
