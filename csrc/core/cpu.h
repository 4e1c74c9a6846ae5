// Instruction-set tiers and their run-time detection.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace edgecnn {

// Ordered from the most portable to the most capable; a tier implies the ones
// below it on its architecture.
enum class Isa { kScalar = 0, kNeon = 1, kAvx2 = 2, kAvx512 = 3 };

// Each ISA's code lives in a namespace of that name; kIsa ties it to the tier.
namespace scalar { constexpr Isa kIsa = Isa::kScalar; }
namespace neon { constexpr Isa kIsa = Isa::kNeon; }
namespace avx2 { constexpr Isa kIsa = Isa::kAvx2; }
namespace avx512 { constexpr Isa kIsa = Isa::kAvx512; }

// EDGECNN_IF_ARCH_<arch>(...) keeps its arguments when compiling for <arch>:
// kernel lists tag each entry with the architecture it is compiled for.
#define EDGECNN_IF_ARCH_any(...) __VA_ARGS__
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define EDGECNN_IF_ARCH_x86(...) __VA_ARGS__
#else
#define EDGECNN_IF_ARCH_x86(...)
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
#define EDGECNN_IF_ARCH_arm64(...) __VA_ARGS__
#else
#define EDGECNN_IF_ARCH_arm64(...)
#endif

const char* isa_name(Isa isa);
// Parses "scalar", "neon", "avx2", "avx512"; throws ArgumentError otherwise.
Isa parse_isa(const std::string& name);

// The best tier this CPU and OS support (CPUID feature bits and, for AVX and
// AVX-512, the XCR0 bits that say the OS saves the wider registers).
Isa detect_isa();
// Every tier usable on this machine, most portable first.
std::vector<Isa> available_isas();
// detect_isa() capped by the EDGECNN_ISA environment variable (read once).
// An unknown value throws ArgumentError naming it.
Isa default_isa();
// Caps `requested` to what the machine supports.
Isa cap_isa(Isa requested);

// Per-core data cache sizes in bytes (sysconf where the C library knows
// them, else typical values of current x86 and ARM cores): the blocking
// of the GEMM drivers.
struct CacheSizes {
  int64_t l1 = 32 * 1024, l2 = 512 * 1024;
};
const CacheSizes& cache_sizes();

}  // namespace edgecnn
