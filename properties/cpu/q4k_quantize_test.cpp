// The Q4_K quantizer's documented error (reference/q4k_quantize.h):
//  - nearest level: every value maps to the nearest of its sub-block's 16 final levels;
//  - normal and uniform data: |x - w| <= range/8 per sub-block, range = max(x) - min(min(x), 0)
//    (in-range values are within half a step, range/30; the rest is clipping that the 6-bit
//    scales and the least-squares fit allow). Heavy-tailed and mixed-magnitude blocks clip
//    more, by the format's design: a small sub-block beside a large one gets a coarse scale.
#include "reference/q4k_quantize.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>

#include "harness/verify/random_case.h"
#include "kernels/formats/fp16_bits.h"
#include "reference/q4k_dequantize.h"

namespace qgemv::testing {
namespace {

void check_block(const std::vector<float>& x, bool check_range_bound) {
  BlockQ4K b{};
  q4k_quantize_row(x, std::span<BlockQ4K>(&b, 1));
  for (int j = 0; j < kSubBlocks; ++j) {
    const ScaleMin sm = q4k_scale_min(j, b.scales);
    const double step = double(fp16_to_f32(b.d)) * sm.scale;
    const double off = double(fp16_to_f32(b.dmin)) * sm.min;
    double lo = 0, hi = 0;
    for (int i = 0; i < 32; ++i)
      lo = std::min(lo, double(x[32 * j + i])), hi = std::max(hi, double(x[32 * j + i]));
    for (int i = 0; i < 32; ++i) {
      const int e = 32 * j + i;
      const double err = std::fabs(x[e] - q4k_weight(b, e));
      double nearest = 1e300;
      for (int l = 0; l < 16; ++l) nearest = std::min(nearest, std::fabs(x[e] - (step * l - off)));
      // f32 rounding in (x + off) / step can pick the other level of a near tie.
      RC_ASSERT(err <= nearest + 1e-6 * (step + std::fabs(x[e]) + off));
      if (check_range_bound) RC_ASSERT(err <= (hi - lo) / 8 + 1e-7);
    }
  }
}

RC_GTEST_PROP(Q4KQuantize, ErrorWithinDocumentedBound, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const Values kind = *rc::gen::elementOf(
      std::vector<Values>{Values::kNormal, Values::kUniform, Values::kHeavyTailed,
                          Values::kMixedMagnitude, Values::kSparse, Values::kAllZero});
  RC_LOG() << "seed=" << seed << " values=" << name(kind) << "\n";
  Rng rng(seed);
  check_block(random_values(rng, kQK, kind), kind == Values::kNormal || kind == Values::kUniform);
}

TEST(Q4KQuantize, ZeroBlocksAreExact) {
  const std::vector<float> x(kQK, 0.0f);
  BlockQ4K b{};
  q4k_quantize_row(x, std::span<BlockQ4K>(&b, 1));
  for (int i = 0; i < kQK; ++i) EXPECT_EQ(q4k_weight(b, i), 0.0) << i;
}

// A constant block sits on one level (63 x d or 63 x dmin), so its only error is d's or
// dmin's rounding to fp16: half an fp16 ulp relative, |v| x 2^-11. A wrong level or a wrong
// 6-bit scale is off by 1/15 or 1/63 of v, far beyond that. (Values below about 0.06 put d
// among fp16's subnormals, whose rounding is coarser; the random-block property covers them.)
TEST(Q4KQuantize, ConstantBlocksAreWithinTheFp16RoundingOfTheirScale) {
  for (float v : {-0.75f, 0.75f, 3.5f, -100.0f, 0.0625f, 65504.0f / 2}) {
    const std::vector<float> x(kQK, v);
    BlockQ4K b{};
    q4k_quantize_row(x, std::span<BlockQ4K>(&b, 1));
    for (int i = 0; i < kQK; ++i)
      EXPECT_LE(std::fabs(q4k_weight(b, i) - v), std::fabs(v) * 0x1p-11) << "v=" << v << " i=" << i;
  }
}

TEST(Q4KQuantize, RejectsBadShape) {
  std::vector<float> x(300);
  EXPECT_THROW(q4k_quantize(x, 1, 300), std::invalid_argument);
  EXPECT_THROW(q4k_quantize(x, 0, 256), std::invalid_argument);
}

}  // namespace
}  // namespace qgemv::testing
