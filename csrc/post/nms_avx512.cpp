// AVX-512 IoU kernel of NMS: checks a candidate against 16 kept boxes per step.
// Contract and the exact IoU operations: post/nms.h.
// ISA file: only intrinsics, C headers and core/unfused_x86.h; everything in edgecnn::avx512.
#include <immintrin.h>
#include <stddef.h>

#include "core/unfused_x86.h"

namespace edgecnn {
namespace avx512 {

bool nms_any_iou_above(const float* x1, const float* y1, const float* x2, const float* y2, const float* area,
                       size_t count, float bx1, float by1, float bx2, float by2, float b_area, float iou_threshold) {
  const __m512 cx1 = _mm512_set1_ps(bx1);
  const __m512 cy1 = _mm512_set1_ps(by1);
  const __m512 cx2 = _mm512_set1_ps(bx2);
  const __m512 cy2 = _mm512_set1_ps(by2);
  const __m512 c_area = _mm512_set1_ps(b_area);
  const __m512 threshold = _mm512_set1_ps(iou_threshold);
  const __m512 zero = _mm512_setzero_ps();
  for (size_t i = 0; i < count; i += 16) {
    const size_t lanes = count - i < 16 ? count - i : 16;
    const __mmask16 valid = (__mmask16)((1u << lanes) - 1u);
    const __m512 kx1 = _mm512_maskz_loadu_ps(valid, x1 + i);
    const __m512 ky1 = _mm512_maskz_loadu_ps(valid, y1 + i);
    const __m512 kx2 = _mm512_maskz_loadu_ps(valid, x2 + i);
    const __m512 ky2 = _mm512_maskz_loadu_ps(valid, y2 + i);
    const __m512 k_area = _mm512_maskz_loadu_ps(valid, area + i);
    // The maskz forms only avoid GCC's spurious "may be used uninitialized"
    // of the unmasked max / min; lanes past `count` are ignored anyway.
    const __m512 w = _mm512_maskz_max_ps(
        valid, _mm512_sub_ps(_mm512_maskz_min_ps(valid, kx2, cx2), _mm512_maskz_max_ps(valid, kx1, cx1)), zero);
    const __m512 h = _mm512_maskz_max_ps(
        valid, _mm512_sub_ps(_mm512_maskz_min_ps(valid, ky2, cy2), _mm512_maskz_max_ps(valid, ky1, cy1)), zero);
    const __m512 inter = unfused(_mm512_mul_ps(w, h));
    const __m512 uni = _mm512_sub_ps(_mm512_add_ps(k_area, c_area), inter);
    const __m512 iou = _mm512_div_ps(inter, uni);
    if (_mm512_mask_cmp_ps_mask(valid, iou, threshold, _CMP_GT_OQ)) return true;
  }
  return false;
}

}  // namespace avx512
}  // namespace edgecnn
