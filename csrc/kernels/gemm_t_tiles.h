// How a channel-lane kernel call (kernels/gemm_t.h) walks its pixel tiles,
// shared by the per-ISA kernels, which supply the tile variants, and the
// entry points over it. Plain code with internal linkage: every tier
// compiles its own copy.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_rows.h"

namespace edgecnn {
namespace {

// `lines` lines from `next` on, requested into L1 at an even pace over kc
// k steps: call step() once per step.
struct PacedRequests {
  const float* next;
  size_t lines, kc, pace;
  void step() {
    for (pace += lines; pace >= kc; pace -= kc, next += 16) __builtin_prefetch(next, 0, 3);
  }
};

// One register tile: (mr, kc, a, rows, t, ldt, bias, accumulate, prefetch,
// lines), requesting `lines` lines from `prefetch` on over its k loop
// (PacedRequests).
template <class Rows>
using F32GemmTTile = void (*)(size_t, size_t, const float*, Rows, float*, size_t, const float*, bool, const float*,
                              size_t);

// The call's tiles of up to NR pixels, each run by tile_for(mr, pixels).
// The requested lines (prefetch_lines from prefetch on) are shared out
// evenly over the tiles, each pacing its share over its k loop.
// Requested all in the first tile (three lines per k step on AVX-512),
// weights coming from memory had more lines in flight than the core
// tracks, and that tile stalled: ResNet-18's layer4 shape (512 x 4608 x 49)
// ran at 81-82% of the FMA peak that way, 85-86% paced; ResNet-50's 7x7 1x1
// layers 7-12% faster (AVX-512, development A/B).
template <size_t MR, size_t NR, class Rows>
void run_channel_tiles(size_t mr, size_t nc, size_t kc, const float* a, Rows rows, float* t, size_t ldt,
                       const float* bias, bool accumulate, const float* prefetch, size_t prefetch_lines,
                       F32GemmTTile<Rows> (*tile_for)(size_t mr, size_t pixels)) {
  if (mr == 0) return;
  // As few tiles as NR allows, their widths differing by at most one: a
  // 7x7 map's 49 pixels are 7 tiles of 7 on AVX-512, not 6 of 8 and one of
  // 1, whose 3 FMA chains wait on the FMA latency at every k step (1.3x
  // the time per pixel of a full tile; 4% of a 160->960 1x1 layer at 7x7).
  const size_t tiles = (nc + NR - 1) / NR;
  const size_t base = tiles != 0 ? nc / tiles : 0, wider = tiles != 0 ? nc % tiles : 0;
  const size_t lines = prefetch != NULL ? prefetch_lines : 0;
  for (size_t i = 0; i < tiles; ++i) {
    // the first `wider` tiles hold base + 1 pixels, the others base
    const size_t j0 = i * base + (i < wider ? i : wider), nb = base + (i < wider ? 1 : 0);
    const size_t first = i * lines / tiles, share = (i + 1) * lines / tiles - first;
    tile_for(mr, nb)(mr, kc, a, rows.from_column(j0), t + j0 * ldt, ldt, bias, accumulate,
                     prefetch != NULL ? prefetch + first * 16 : NULL, share);
  }
}

}  // namespace
}  // namespace edgecnn

// The two entry points of kernels/gemm_t.h for a tier's MR x NR kernel, in
// the tier's namespace, over its tile_for<Rows>(mr, pixels).
#define EDGECNN_F32_GEMM_T_ENTRY_POINTS(MR, NR)                                                                    \
  void f32_gemm_t_##MR##x##NR(size_t mr, size_t nc, size_t kc, const float* a, const float* b, size_t ldb, float* t, \
                              size_t ldt, const float* bias, bool accumulate, const float* prefetch,              \
                              size_t prefetch_lines) {                                                           \
    run_channel_tiles<MR, NR>(mr, nc, kc, a, StridedRows{b, ldb}, t, ldt, bias, accumulate, prefetch,              \
                              prefetch_lines, tile_for<StridedRows>);                                            \
  }                                                                                                                \
  void f32_igemm_t_##MR##x##NR(size_t mr, size_t nc, size_t kc, const float* a, const float* base,                \
                               const int64_t* koff, float* t, size_t ldt, const float* bias, bool accumulate,     \
                               const float* prefetch, size_t prefetch_lines) {                                    \
    run_channel_tiles<MR, NR>(mr, nc, kc, a, IndirectRows{base, koff}, t, ldt, bias, accumulate, prefetch,         \
                              prefetch_lines, tile_for<IndirectRows>);                                           \
  }
