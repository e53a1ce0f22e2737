#pragma once
// Generated GEMV cases. A case is a seed plus a few choices; everything else is drawn from the
// seed, so a printed case replays exactly (qgemv verify --seed). materialize() draws on the CPU
// with std::mt19937_64; qgemv verify draws the weights on the GPU instead (gpu_case.h, Philox),
// so the same seed gives other weights there: --q8-conventions and the CPU tests use this one.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "reference/q4k_matrix.h"

namespace qgemv::testing {

using Rng = std::mt19937_64;

enum class Values { kNormal, kUniform, kHeavyTailed, kMixedMagnitude, kSparse, kAllZero };
enum class Weights { kFromNormal, kFromUniform, kFromHeavyTailed, kRawBlocks };

inline constexpr Values kAllValues[] = {Values::kNormal,      Values::kUniform,
                                        Values::kHeavyTailed, Values::kMixedMagnitude,
                                        Values::kSparse,      Values::kAllZero};
inline constexpr Weights kAllWeights[] = {Weights::kFromNormal, Weights::kFromUniform,
                                          Weights::kFromHeavyTailed, Weights::kRawBlocks};

const char* name(Values v);
const char* name(Weights w);

std::vector<float> random_values(Rng& rng, size_t count, Values kind);

// Weights quantized from floats of a distribution, or raw random blocks whose fp16 scales may
// be negative or subnormal (never inf or NaN).
Q4KMatrix random_weights(Rng& rng, int64_t n, int64_t k, Weights kind);

struct GemvCase {
  uint64_t seed = 0;
  int64_t n = 0;
  int64_t k = 0;
  Weights weights = Weights::kFromNormal;
  Values input = Values::kNormal;
  std::string describe() const;
};

struct GemvData {
  Q4KMatrix w;
  std::vector<float> x;
};

GemvData materialize(const GemvCase& c);

// k a multiple of 256 in [min_k, max_k], biased to the path edges (12288, 12544, multiples of
// 8192 plus or minus 256; an edge below min_k becomes min_k); n in [1, max_n], sometimes just past
// a multiple of 8. min_k confines a run to the k that one launch configuration serves (mutate's
// template instances); at 256 the draw is the same as without it.
GemvCase draw_case(uint64_t seed, int64_t max_n, int64_t max_k, int64_t min_k = kQK);

}  // namespace qgemv::testing
