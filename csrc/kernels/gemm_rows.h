// How a GEMM microkernel finds row k of B: b + k*ldb (packed or strided), or
// base + koff[k] (indirect: a direct convolution's taps in a padded input).
// PrefetchingRows is the strided form that also issues the row requests of
// a kernels/gemm_prefetch.h hint (count 0: none) at the k steps it names;
// request_output_lines, a hinted call's requests for its C.
// Plain data for the per-ISA files; internal linkage, so every tier
// compiles its own copy and none is shared across ISA flags.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kernels/gemm_prefetch.h"

namespace edgecnn {
namespace {

struct StridedRows {
  const float* b;
  size_t ldb;
  const float* row(size_t k) const { return b + k * ldb; }
  StridedRows from_column(size_t j) const { return StridedRows{b + j, ldb}; }
};

struct PrefetchingRows {
  const float* b;
  size_t ldb;
  F32RowPrefetch pf;
  const float* row(size_t k) const {
    const size_t i = k >> pf.shift;
    if (i < pf.count && (i << pf.shift) == k) {
      // One request per 64-byte line of the row; the last float's line
      // too, which the stride misses when the row does not start a line.
      const float* p = pf.base + i * pf.ld;
      for (size_t j = 0; j < pf.width; j += 16) __builtin_prefetch(p + j, 0, 2);
      __builtin_prefetch(p + pf.width - 1, 0, 2);
    }
    return b + k * ldb;
  }
};

// Requests the lines of C[rows x cols] (row stride ldc) for writing: a
// hinted call's output (kernels/gemm_prefetch.h).
inline void request_output_lines(float* c, size_t ldc, size_t rows, size_t cols) {
  if (cols == 0) return;
  for (size_t r = 0; r < rows; ++r) {
    float* row = c + r * ldc;
    for (size_t j = 0; j < cols; j += 16) __builtin_prefetch(row + j, 1, 3);
    __builtin_prefetch(row + cols - 1, 1, 3);
  }
}

// The rows of a kernel call with hint `pf` (null: none).
inline PrefetchingRows prefetching_rows(const float* b, size_t ldb, const F32RowPrefetch* pf) {
  PrefetchingRows rows = {b, ldb, {NULL, 0, 0, 0, 0, false}};
  if (pf != NULL) rows.pf = *pf;
  return rows;
}

struct IndirectRows {
  const float* base;
  const int64_t* koff;
  const float* row(size_t k) const { return base + koff[k]; }
  IndirectRows from_column(size_t j) const { return IndirectRows{base + j, koff}; }
};

}  // namespace
}  // namespace edgecnn
