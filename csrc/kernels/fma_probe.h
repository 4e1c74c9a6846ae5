// Register-only multiply-add probes: the measured f32 peak of one core for
// each ISA tier, the yardstick of the GEMM benchmarks (tools/bench_kernels.py).
// Each probe keeps enough independent accumulators in registers to cover the
// FMA latency on every pipe, and touches no memory in its loop.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/cpu.h"

namespace edgecnn {

// Runs `iterations` rounds; returns the floating-point operations performed
// (a multiply-add counts two). `sink` receives a value depending on every
// accumulator, so the loop cannot be removed.
using F32FmaProbeFn = uint64_t (*)(size_t iterations, float* sink);

#define EDGECNN_F32_FMA_PROBE(isa, arch) \
  namespace isa {                        \
  uint64_t f32_fma_probe(size_t iterations, float* sink); \
  }
#include "kernels/f32_fma_probe.inc"
#undef EDGECNN_F32_FMA_PROBE

struct F32FmaProbe {
  const char* name;
  Isa isa;
  F32FmaProbeFn fn;
};

// The probe of `isa` (falls back to lower tiers).
const F32FmaProbe& f32_fma_probe(Isa isa);

}  // namespace edgecnn
