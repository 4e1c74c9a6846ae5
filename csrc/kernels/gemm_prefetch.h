// Lines a GEMM kernel call requests (into L2) while its k loop runs: what
// the caller reads next from memory (the part of B its next block needs, or
// the next call's weight panel), so that memory latency overlaps the
// multiply-adds instead of following them. Row i < count of the region
// starts at base + i * ld and spans `width` floats; it is requested at k
// step i << shift of the call (the caller picks shift so that
// count << shift <= kc). A hint: results never depend on it, and a kernel
// may ignore it. Plain data, shared with the ISA files.
#pragma once
#include <stddef.h>

namespace edgecnn {

// A hinted call with cold_output that sets C (the kernel's fn, not acc)
// with at least this many k steps also requests its own C lines for writing
// as it starts. Where B streams from memory, C (a new output, megabytes) is
// not in cache either: stores that miss wait for their lines
// at the end of a tile, where nothing overlaps them. On K = 144-147
// (ResNet-18's conv1, YOLOv8n's 16-channel 3x3 at 160x160) the in-place
// GEMM ran at 58-77% of the FMA peak without the requests, 84-90% with them
// (AVX-512, tools/bench_kernels.py --only gemm, runs before and after).
// Fewer k steps do not hide a miss. Winograd's products write a buffer in
// cache: their hints (the next weight panel) leave cold_output false, as
// the requests made ResNet-18's 3x3 layers 5% slower there.
constexpr size_t kF32GemmStorePrefetchMinK = 64;

struct F32RowPrefetch {
  const float* base;
  size_t ld;     // floats between rows
  size_t width;  // floats per row
  size_t count;  // rows
  unsigned shift;
  bool cold_output;  // C is a new output, not in cache (above)
};

}  // namespace edgecnn
