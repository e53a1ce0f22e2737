#include "harness/bench/bench_weights.h"

#include <algorithm>
#include <cstring>

#include "reference/parallel_rows.h"

namespace qgemv {
namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Positive normal fp16 with exponent field 5..10: magnitudes in [2^-10, 2^-4).
uint16_t random_scale_bits(uint64_t r) {
  return uint16_t(((5 + r % 6) << 10) | ((r >> 8) & 0x3FF));
}

}  // namespace

Q4KMatrix random_bench_weights(int64_t n, int64_t k, uint64_t seed) {
  check_shape(n, k);
  Q4KMatrix w{n, k, std::vector<BlockQ4K>(size_t(n * (k / kQK)))};
  parallel_rows(n, [&](int64_t r) {
    uint64_t state = seed ^ (uint64_t(r) * 0xD1B54A32D192ED03ull);
    for (BlockQ4K& b : w.row(r)) {
      auto* bytes = reinterpret_cast<unsigned char*>(&b);
      for (size_t i = 0; i < sizeof b; i += 8) {
        const uint64_t v = splitmix64(state);
        std::memcpy(bytes + i, &v, std::min<size_t>(8, sizeof b - i));
      }
      b.d = random_scale_bits(splitmix64(state));
      b.dmin = random_scale_bits(splitmix64(state));
    }
  });
  return w;
}

}  // namespace qgemv
