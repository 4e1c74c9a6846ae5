// The `isa` argument of the binding's pre- and post-processing entry points.
#pragma once
#include <string>

#include "core/cpu.h"

namespace edgecnn {
namespace binding {

// "" is the process default (default_isa: EDGECNN_ISA or the CPU's best);
// a tier's name is that tier, capped to what this build and CPU can run.
inline Isa isa_arg(const std::string& isa) { return isa.empty() ? default_isa() : cap_isa(parse_isa(isa)); }

}  // namespace binding
}  // namespace edgecnn
