// Portable im2col row kernel (contract: kernels/im2col.h, kernels/im2col_row.h):
// the reference the SIMD tiers are tested against.
#include <cstdint>

#include "kernels/im2col_row.h"

namespace edgecnn {
namespace scalar {

void f32_im2col_row(const Im2colRow* g, int64_t n0, int64_t nc, int64_t nr, int64_t panel_stride, float* dst) {
  int64_t oy = n0 / g->out_w, ox = n0 % g->out_w;
  for (int64_t j = 0; j < nc; ++j) {
    const int64_t iy = oy * g->sh + g->y_off, ix = ox * g->sw + g->x_off;
    const bool inside = iy >= 0 && iy < g->in_h && ix >= 0 && ix < g->in_w;
    dst[(j / nr) * panel_stride + j % nr] = inside ? g->plane[iy * g->in_w + ix] : 0.0f;
    if (++ox == g->out_w) {
      ox = 0;
      ++oy;
    }
  }
}

void f32_im2col_phase_row(const float* x, int64_t in_w, int64_t pad_left, int64_t sw, int64_t ld,
                          int64_t phase_stride, float* dst) {
  for (int64_t px = 0; px < sw; ++px)
    for (int64_t c = 0; c < ld; ++c) {
      const int64_t ix = c * sw + px - pad_left;
      dst[px * phase_stride + c] = ix >= 0 && ix < in_w ? x[ix] : 0.0f;
    }
}

}  // namespace scalar
}  // namespace edgecnn
