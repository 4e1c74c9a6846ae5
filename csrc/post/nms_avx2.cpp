// AVX2 IoU kernel of NMS: checks a candidate against 8 kept boxes per step.
// Contract and the exact IoU operations: post/nms.h.
// ISA file: only intrinsics, C headers and core/unfused_x86.h; everything in edgecnn::avx2.
#include <immintrin.h>
#include <stddef.h>

#include "core/unfused_x86.h"

namespace edgecnn {
namespace avx2 {

bool nms_any_iou_above(const float* x1, const float* y1, const float* x2, const float* y2, const float* area,
                       size_t count, float bx1, float by1, float bx2, float by2, float b_area, float iou_threshold) {
  const __m256 cx1 = _mm256_set1_ps(bx1);
  const __m256 cy1 = _mm256_set1_ps(by1);
  const __m256 cx2 = _mm256_set1_ps(bx2);
  const __m256 cy2 = _mm256_set1_ps(by2);
  const __m256 c_area = _mm256_set1_ps(b_area);
  const __m256 threshold = _mm256_set1_ps(iou_threshold);
  const __m256 zero = _mm256_setzero_ps();
  const __m256i lane_index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (size_t i = 0; i < count; i += 8) {
    const int lanes = count - i < 8 ? (int)(count - i) : 8;
    const __m256i valid = _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), lane_index);
    const __m256 kx1 = _mm256_maskload_ps(x1 + i, valid);
    const __m256 ky1 = _mm256_maskload_ps(y1 + i, valid);
    const __m256 kx2 = _mm256_maskload_ps(x2 + i, valid);
    const __m256 ky2 = _mm256_maskload_ps(y2 + i, valid);
    const __m256 k_area = _mm256_maskload_ps(area + i, valid);
    const __m256 w = _mm256_max_ps(_mm256_sub_ps(_mm256_min_ps(kx2, cx2), _mm256_max_ps(kx1, cx1)), zero);
    const __m256 h = _mm256_max_ps(_mm256_sub_ps(_mm256_min_ps(ky2, cy2), _mm256_max_ps(ky1, cy1)), zero);
    const __m256 inter = unfused(_mm256_mul_ps(w, h));
    const __m256 uni = _mm256_sub_ps(_mm256_add_ps(k_area, c_area), inter);
    const __m256 iou = _mm256_div_ps(inter, uni);
    const __m256 above = _mm256_and_ps(_mm256_cmp_ps(iou, threshold, _CMP_GT_OQ), _mm256_castsi256_ps(valid));
    if (_mm256_movemask_ps(above)) return true;
  }
  return false;
}

}  // namespace avx2
}  // namespace edgecnn
