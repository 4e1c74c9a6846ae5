#include "core/cpu.h"

#include <cstdint>
#include <cstdlib>

#include "core/error.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define EDGECNN_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace edgecnn {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kNeon: return "neon";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
  }
  return "scalar";
}

Isa parse_isa(const std::string& name) {
  if (name == "scalar") return Isa::kScalar;
  if (name == "neon") return Isa::kNeon;
  if (name == "avx2") return Isa::kAvx2;
  if (name == "avx512") return Isa::kAvx512;
  throw ArgumentError("unknown ISA tier '" + name + "' (expected scalar, neon, avx2 or avx512)");
}

#if defined(EDGECNN_X86)
namespace {

void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, static_cast<int>(leaf), static_cast<int>(subleaf));
  for (int i = 0; i < 4; ++i) regs[i] = static_cast<uint32_t>(r[i]);
#else
  __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
#endif
}

uint64_t xgetbv0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
#endif
}

Isa detect_x86() {
  uint32_t r[4];
  cpuid(0, 0, r);
  const uint32_t max_leaf = r[0];
  if (max_leaf < 7) return Isa::kScalar;
  cpuid(1, 0, r);
  const bool osxsave = (r[2] >> 27) & 1;
  const bool avx = (r[2] >> 28) & 1;
  const bool fma = (r[2] >> 12) & 1;
  const bool f16c = (r[2] >> 29) & 1;
  if (!osxsave || !avx) return Isa::kScalar;
  const uint64_t xcr0 = xgetbv0();
  const bool os_avx = (xcr0 & 0x6) == 0x6;             // XMM and YMM state
  const bool os_avx512 = (xcr0 & 0xE6) == 0xE6;        // plus opmask, ZMM_Hi256, Hi16_ZMM
  cpuid(7, 0, r);
  const bool avx2 = (r[1] >> 5) & 1;
  const bool avx512f = (r[1] >> 16) & 1;
  const bool avx512dq = (r[1] >> 17) & 1;
  const bool avx512bw = (r[1] >> 30) & 1;
  const bool avx512vl = (r[1] >> 31) & 1;
  if (!(os_avx && avx2 && fma && f16c)) return Isa::kScalar;
  if (os_avx512 && avx512f && avx512dq && avx512bw && avx512vl) return Isa::kAvx512;
  return Isa::kAvx2;
}

}  // namespace
#endif

Isa detect_isa() {
#if defined(EDGECNN_X86)
  static const Isa detected = detect_x86();
  return detected;
#elif defined(__aarch64__) || defined(_M_ARM64)
  return Isa::kNeon;
#else
  return Isa::kScalar;
#endif
}

std::vector<Isa> available_isas() {
  const Isa best = detect_isa();
  std::vector<Isa> out{Isa::kScalar};
  if (best == Isa::kNeon) out.push_back(Isa::kNeon);
  if (best == Isa::kAvx2 || best == Isa::kAvx512) out.push_back(Isa::kAvx2);
  if (best == Isa::kAvx512) out.push_back(Isa::kAvx512);
  return out;
}

Isa cap_isa(Isa requested) {
  const Isa best = detect_isa();
  if (requested == Isa::kScalar) return Isa::kScalar;
  if (requested == Isa::kNeon) return best == Isa::kNeon ? Isa::kNeon : Isa::kScalar;
  if (best == Isa::kNeon) return Isa::kNeon;  // x86 names on ARM: best available
  return static_cast<int>(requested) < static_cast<int>(best) ? requested : best;
}

Isa default_isa() {
  const char* env = std::getenv("EDGECNN_ISA");
  if (env == nullptr || *env == '\0') return detect_isa();
  return cap_isa(parse_isa(env));
}

const CacheSizes& cache_sizes() {
  static const CacheSizes sizes = [] {
    CacheSizes c;
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
    const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
    if (l1 >= 16 * 1024 && l1 <= 1024 * 1024) c.l1 = l1;
    if (l2 >= 128 * 1024 && l2 <= 64 * 1024 * 1024) c.l2 = l2;
#endif
    return c;
  }();
  return sizes;
}

}  // namespace edgecnn
