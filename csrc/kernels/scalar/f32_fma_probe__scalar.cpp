// Baseline multiply-add probe: 16 independent 4-float accumulators, which the
// compiler keeps in SSE2 registers (a multiply and an add each; SSE2 has no FMA).
#include <cstddef>
#include <cstdint>

namespace edgecnn {
namespace scalar {

uint64_t f32_fma_probe(size_t iterations, float* sink) {
  constexpr int kAcc = 16, kLanes = 4;
  float acc[kAcc][kLanes];
  for (int i = 0; i < kAcc; ++i)
    for (int l = 0; l < kLanes; ++l) acc[i][l] = 1.0f + 0.001f * static_cast<float>(i * kLanes + l);
  // Multiplier and addend chosen so the values stay normal for any count.
  const float mul = 0.999999f, add = 1e-6f;
  for (size_t it = 0; it < iterations; ++it)
    for (int i = 0; i < kAcc; ++i)
      for (int l = 0; l < kLanes; ++l) acc[i][l] = acc[i][l] * mul + add;
  float total = 0.0f;
  for (int i = 0; i < kAcc; ++i)
    for (int l = 0; l < kLanes; ++l) total += acc[i][l];
  *sink = total;
  return static_cast<uint64_t>(iterations) * kAcc * kLanes * 2;
}

}  // namespace scalar
}  // namespace edgecnn
