#include "harness/verify/random_case.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "kernels/formats/fp16_bits.h"
#include "reference/q4k_quantize.h"

namespace qgemv::testing {

const char* name(Values v) {
  switch (v) {
    case Values::kNormal:
      return "normal";
    case Values::kUniform:
      return "uniform";
    case Values::kHeavyTailed:
      return "heavy-tailed";
    case Values::kMixedMagnitude:
      return "mixed-magnitude";
    case Values::kSparse:
      return "sparse";
    case Values::kAllZero:
      return "all-zero";
  }
  return "?";
}

const char* name(Weights w) {
  switch (w) {
    case Weights::kFromNormal:
      return "quantized-normal";
    case Weights::kFromUniform:
      return "quantized-uniform";
    case Weights::kFromHeavyTailed:
      return "quantized-heavy-tailed";
    case Weights::kRawBlocks:
      return "raw-blocks";
  }
  return "?";
}

std::vector<float> random_values(Rng& rng, size_t count, Values kind) {
  std::vector<float> v(count, 0.0f);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::student_t_distribution<float> heavy(2.0f);
  std::uniform_real_distribution<float> log_mag(std::log(1e-6f), std::log(1e4f));
  std::bernoulli_distribution coin(0.5), sparse_hit(0.05);
  for (float& e : v) {
    switch (kind) {
      case Values::kNormal:
        e = normal(rng);
        break;
      case Values::kUniform:
        e = unit(rng);
        break;
      case Values::kHeavyTailed:
        e = std::clamp(heavy(rng), -1e4f, 1e4f);
        break;
      case Values::kMixedMagnitude:
        e = (coin(rng) ? 1.0f : -1.0f) * std::exp(log_mag(rng));
        break;
      case Values::kSparse:
        e = sparse_hit(rng) ? normal(rng) : 0.0f;
        break;
      case Values::kAllZero:
        e = 0.0f;
        break;
    }
  }
  return v;
}

namespace {

uint16_t random_finite_fp16(Rng& rng) {
  std::uniform_int_distribution<int> bits(0, 0xFFFF);
  for (;;) {
    const uint16_t h = uint16_t(bits(rng));
    // Keep magnitudes a weight could have: subnormal up to about 2^-4, either sign.
    const int exp = (h >> 10) & 0x1F;
    if (exp <= 11) return h;
  }
}

}  // namespace

Q4KMatrix random_weights(Rng& rng, int64_t n, int64_t k, Weights kind) {
  check_shape(n, k);
  if (kind == Weights::kRawBlocks) {
    Q4KMatrix m{n, k, std::vector<BlockQ4K>(size_t(n * (k / kQK)))};
    std::uniform_int_distribution<int> byte(0, 255);
    for (BlockQ4K& b : m.blocks) {
      b.d = random_finite_fp16(rng);
      b.dmin = random_finite_fp16(rng);
      for (uint8_t& s : b.scales) s = uint8_t(byte(rng));
      for (uint8_t& q : b.qs) q = uint8_t(byte(rng));
    }
    return m;
  }
  const Values source = kind == Weights::kFromNormal    ? Values::kNormal
                        : kind == Weights::kFromUniform ? Values::kUniform
                                                        : Values::kHeavyTailed;
  std::vector<float> x = random_values(rng, size_t(n * k), source);
  for (float& e : x) e *= 0.02f;  // typical weight scale of a trained layer
  return q4k_quantize(x, n, k);
}

std::string GemvCase::describe() const {
  std::ostringstream os;
  os << "seed=" << seed << " n=" << n << " k=" << k << " weights=" << name(weights)
     << " input=" << name(input);
  return os.str();
}

GemvData materialize(const GemvCase& c) {
  // Separate streams for weights and input: a case with fewer rows keeps the same input and a
  // prefix of the same weights, which is how failing cases are shrunk.
  Rng wrng(c.seed), xrng(c.seed ^ 0xD1B54A32D192ED03ull);
  return {random_weights(wrng, c.n, c.k, c.weights), random_values(xrng, size_t(c.k), c.input)};
}

GemvCase draw_case(uint64_t seed, int64_t max_n, int64_t max_k, int64_t min_k) {
  Rng rng(seed ^ 0x9E3779B97F4A7C15ull);
  GemvCase c;
  c.seed = seed;
  const int64_t max_blocks = std::max<int64_t>(1, max_k / kQK);
  const int64_t min_blocks = std::clamp<int64_t>(min_k / kQK, 1, max_blocks);
  std::vector<int64_t> edges = {1, 48, 49, max_blocks};
  for (int64_t e = 32; e <= max_blocks + 1; e += 32) edges.insert(edges.end(), {e - 1, e, e + 1});
  std::uniform_int_distribution<int> pick(0, 3);
  int64_t blocks;
  if (pick(rng) == 0)
    blocks = std::uniform_int_distribution<int64_t>(min_blocks, max_blocks)(rng);
  else
    blocks = edges[std::uniform_int_distribution<size_t>(0, edges.size() - 1)(rng)];
  c.k = std::clamp<int64_t>(blocks, min_blocks, max_blocks) * kQK;
  // Log-uniform, so that small and large row counts are both common.
  const double log_n =
      std::uniform_real_distribution<double>(0.0, std::log(double(max_n) + 1))(rng);
  const int64_t n_choice = std::clamp<int64_t>(int64_t(std::exp(log_n)), 1, max_n);
  c.n = pick(rng) == 0 ? std::min<int64_t>(max_n, (n_choice / 8) * 8 + 1) : n_choice;
  c.weights = kAllWeights[std::uniform_int_distribution<size_t>(0, 3)(rng)];
  c.input = kAllValues[std::uniform_int_distribution<size_t>(0, 5)(rng)];
  return c;
}

}  // namespace qgemv::testing
