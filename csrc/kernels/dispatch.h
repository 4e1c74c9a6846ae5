// Choosing a kernel from a family's table (one entry per compiled ISA tier,
// the portable one first): the entry of the most capable tier that the
// requested tier can run.
#pragma once
#include <cstddef>

#include "core/cpu.h"

namespace edgecnn {

// The entry of `table` with the highest isa not above `isa`; the first
// entry (the portable kernel) when none is.
template <class Kernel, size_t N>
const Kernel& best_kernel_at_most(const Kernel (&table)[N], Isa isa) {
  const Kernel* best = &table[0];
  for (const Kernel& k : table)
    if (static_cast<int>(k.isa) <= static_cast<int>(isa) && static_cast<int>(k.isa) >= static_cast<int>(best->isa))
      best = &k;
  return *best;
}

}  // namespace edgecnn
