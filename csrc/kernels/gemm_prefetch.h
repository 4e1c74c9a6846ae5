// Lines a GEMM kernel call requests (into L2) while its k loop runs: the
// part of B that the caller reads next, so that memory latency overlaps the
// multiply-adds instead of following them. Row i < count of the region
// starts at base + i * ld and spans `width` floats; it is requested at k
// step i << shift of the call (the caller picks shift so that
// count << shift <= kc). A hint: results never depend on it, and a kernel
// may ignore it. Plain data, shared with the ISA files.
#pragma once
#include <stddef.h>

namespace edgecnn {

struct F32RowPrefetch {
  const float* base;
  size_t ld;     // floats between rows
  size_t width;  // floats per row
  size_t count;  // rows
  unsigned shift;
};

}  // namespace edgecnn
