#include "pre/resize_row.h"

#include "core/unfused.h"
#include "kernels/dispatch.h"

namespace edgecnn {

namespace scalar {

void resize_blend_u8(const uint8_t* r0, const uint8_t* r1, float w0, float w1, size_t n, float* t) {
  for (size_t j = 0; j < n; ++j)
    t[j] = unfused(static_cast<float>(r0[j]) * w0) + unfused(static_cast<float>(r1[j]) * w1);
}

void resize_sample(const float* t, const int32_t* at0, const int32_t* at1, const float* w0, const float* w1,
                   float bias, size_t n, float* d) {
  for (size_t x = 0; x < n; ++x) d[x] = (unfused(t[at0[x]] * w0[x]) + unfused(t[at1[x]] * w1[x])) + bias;
}

}  // namespace scalar

namespace {

const ResizeRowKernels kResizeRowKernels[] = {
    {Isa::kScalar, "resize_row_scalar", &scalar::resize_blend_u8, &scalar::resize_sample},
    EDGECNN_IF_ARCH_x86({Isa::kAvx2, "resize_row_avx2", &avx2::resize_blend_u8, &avx2::resize_sample},
                        {Isa::kAvx512, "resize_row_avx512", &avx512::resize_blend_u8, &avx512::resize_sample}, )};

}  // namespace

const ResizeRowKernels& resize_row_kernels(Isa isa) { return best_kernel_at_most(kResizeRowKernels, isa); }

}  // namespace edgecnn
