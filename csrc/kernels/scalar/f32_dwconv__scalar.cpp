// Portable depthwise kernels (contract: kernels/dwconv.h; scratch layout:
// kernels/dwconv_plane.h): the reference the SIMD tiers are tested against.
// Compiled at the baseline; the loops over p vectorize.
#include <algorithm>
#include <cstddef>

#include "kernels/dwconv_plane.h"

namespace edgecnn {
namespace scalar {
namespace {

template <int K, int S>
void dwconv(const DwconvPlane* g, const float* x, const float* w, float bias, DwconvClamp clamp, float* scratch,
            float* y) {
  const int64_t ld = g->ld(), stride = g->plane_stride();
  for (int64_t py = 0; py < S; ++py)
    for (int64_t px = 0; px < S; ++px) {
      float* phase = scratch + (py * S + px) * stride;
      for (int64_t i = 0; i < g->phase_rows(); ++i)
        for (int64_t j = 0; j < ld; ++j) {
          const int64_t r = py + S * i - g->pad_top, c = px + S * j - g->pad_left;
          phase[i * ld + j] = (r >= 0 && r < g->in_h && c >= 0 && c < g->in_w) ? x[r * g->in_w + c] : 0.0f;
        }
    }
  float* out = scratch + S * S * stride;
  const int64_t count = g->count();
  for (int64_t p = 0; p < count; ++p) out[p] = bias;
  for (int ky = 0; ky < K; ++ky)
    for (int kx = 0; kx < K; ++kx) {
      const int64_t r = ky * g->d, c = kx * g->d;
      const float* src = scratch + ((r % S) * S + c % S) * stride + (r / S) * ld + c / S;
      const float wv = w[ky * K + kx];
      for (int64_t p = 0; p < count; ++p) out[p] += wv * src[p];
    }
  for (int64_t oy = 0; oy < g->out_h; ++oy)
    for (int64_t ox = 0; ox < g->out_w; ++ox) {
      const float v = out[oy * ld + ox];
      y[oy * g->out_w + ox] = v != v ? v : std::min(std::max(v, clamp.lo), clamp.hi);  // a NaN stays NaN
    }
}

}  // namespace

EDGECNN_F32_DWCONV_ENTRY_POINTS(dwconv)

}  // namespace scalar
}  // namespace edgecnn
