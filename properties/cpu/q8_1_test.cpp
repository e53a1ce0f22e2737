// Q8_1 as the design specifies it, and the exact DP4A model built on it.
#include "reference/q8_1.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "harness/verify/random_case.h"
#include "kernels/formats/fp16_bits.h"
#include "reference/gemv.h"
#include "reference/q4k_dequantize.h"

namespace qgemv::testing {
namespace {

Values any_values() {
  return *rc::gen::elementOf(std::vector<Values>(std::begin(kAllValues), std::end(kAllValues)));
}

// |x - d*q| <= d/2 with d the f32 scale the values were divided by; the f32 quotient x/d is
// itself rounded, which adds at most 127.5 * 2^-24 steps.
RC_GTEST_PROP(Q8_1, ElementErrorWithinHalfStepAndStoredSum, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const Values kind = any_values();
  const size_t count = *rc::gen::inRange<size_t>(1, 200);
  RC_LOG() << "seed=" << seed << " values=" << name(kind) << " count=" << count << "\n";
  Rng rng(seed);
  const std::vector<float> x = random_values(rng, count, kind);
  const Q8Quantized q = q8_1_quantize(x);
  RC_ASSERT(q.blocks.size() == (count + 31) / 32);
  for (size_t b = 0; b < q.blocks.size(); ++b) {
    float v[32] = {};
    double amax = 0;
    for (int i = 0; i < 32 && b * 32 + i < count; ++i) v[i] = x[b * 32 + i];
    for (float e : v) amax = std::max(amax, double(std::fabs(e)));
    const float d = float(amax) / 127.0f;
    RC_ASSERT(q.blocks[b].d == f32_to_fp16_rn(d));
    for (int i = 0; i < 32; ++i) {
      RC_ASSERT(std::abs(int(q.blocks[b].qs[i])) <= 127);
      const double err = std::fabs(double(v[i]) - double(d) * q.blocks[b].qs[i]);
      RC_ASSERT(err <= double(d) * (0.5 + 128 * 0x1p-24));
    }
    RC_ASSERT(q.blocks[b].s == f32_to_fp16_rn(q8_1_block_sum(v)));
    double exact = 0;
    for (float e : v) exact += e;
    double abs_sum = 0;
    for (float e : v) abs_sum += std::fabs(e);
    const double s = fp16_to_f32(q.blocks[b].s);
    RC_ASSERT(std::fabs(s - exact) <= 31 * 0x1p-24 * abs_sum * 1.01 + fp16_ulp(exact));
  }
}

// s = d * sum q: the same d and q as the default convention, only s differs, and it is the
// f32 product of d (unrounded) and the exact integer sum, rounded once to fp16.
RC_GTEST_PROP(Q8_1, ScaledSumOfQConventionChangesOnlyS, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const Values kind = any_values();
  const size_t count = *rc::gen::inRange<size_t>(1, 200);
  Rng rng(seed);
  const std::vector<float> x = random_values(rng, count, kind);
  const Q8Quantized a = q8_1_quantize(x), b = q8_1_quantize(x, Q8Sum::kScaledSumOfQ);
  RC_ASSERT(a.blocks.size() == b.blocks.size());
  for (size_t i = 0; i < a.blocks.size(); ++i) {
    RC_ASSERT(std::equal(std::begin(a.blocks[i].qs), std::end(a.blocks[i].qs),
                         std::begin(b.blocks[i].qs)));
    RC_ASSERT(a.blocks[i].d == b.blocks[i].d);
    float amax = 0;
    for (size_t j = i * kQ8Values; j < std::min(x.size(), (i + 1) * kQ8Values); ++j)
      amax = std::max(amax, std::fabs(x[j]));
    int sum_q = 0;
    for (int8_t q : b.blocks[i].qs) sum_q += q;
    RC_ASSERT(b.blocks[i].s == f32_to_fp16_rn(amax / 127.0f * float(sum_q)));
  }
}

// The path's convention reaches the reference: mwv_q8_dsum is checked against blocks whose s
// is d * sum q, mwv_q8 against the sum of x.
TEST(Q8_1, ReferenceQuantizesWithThePathsConvention) {
  Rng rng(5);
  const Q4KMatrix w = random_weights(rng, 4, 256, Weights::kFromNormal);
  const std::vector<float> x = random_values(rng, 256, Values::kHeavyTailed);
  const Q8Quantized dsum = q8_1_quantize(x, Q8Sum::kScaledSumOfQ);
  const Q8Quantized plain = q8_1_quantize(x);
  ASSERT_NE(0, std::memcmp(dsum.blocks.data(), plain.blocks.data(), plain.blocks.size() * 36));
  const ReferenceGemv expect = reference_gemv_q8(w, dsum.blocks);
  const ReferenceGemv got = reference_for_path(Path::kMwvQ8Dsum, w, x);
  const ReferenceGemv other = reference_for_path(Path::kMwvQ8, w, x);
  bool differs = false;
  for (int64_t r = 0; r < 4; ++r) {
    EXPECT_EQ(got.y[r], expect.y[r]) << r;
    differs = differs || other.y[r] != expect.y[r];
  }
  EXPECT_TRUE(differs) << "the two conventions gave the same reference on every row";
}

TEST(Q8_1, OverflowIsReported) {
  std::vector<float> x(64, 1.0f);
  EXPECT_EQ(q8_1_quantize(x).first_overflow, -1);
  x[40] = 9.0e6f;  // amax/127 > 65504
  EXPECT_EQ(q8_1_quantize(x).first_overflow, 1);
  std::vector<float> y(32, 3000.0f);  // d fits, the sum (96000) does not
  EXPECT_EQ(q8_1_quantize(y).first_overflow, 0);
}

TEST(Q8_1, GgmlLayoutRoundTrips) {
  Rng rng(3);
  const Q8Quantized q = q8_1_quantize(random_values(rng, 64, Values::kNormal));
  for (const BlockQ8_1& b : q.blocks) {
    const GgmlBlockQ8_1 g = to_ggml(b);
    EXPECT_EQ(g.d, b.d);
    EXPECT_EQ(g.s, b.s);
    const BlockQ8_1 back = from_ggml(g);
    EXPECT_EQ(0, std::memcmp(&back, &b, sizeof b));
  }
}

// The integer model equals the double GEMV of the dequantized Q8_1 input, once its offset term
// uses the stored sum s in place of the sum of the dequantized values.
RC_GTEST_PROP(Dp4aModel, EqualsDoubleGemvOfDequantizedInput, ()) {
  const GemvCase c = draw_case(*rc::gen::arbitrary<uint64_t>(), 16, 4096);
  RC_LOG() << c.describe() << "\n";
  const GemvData d = materialize(c);
  const Q8Quantized xq = q8_1_quantize(d.x);
  RC_PRE(xq.first_overflow < 0);
  const ReferenceGemv model = reference_gemv_q8(d.w, xq.blocks);
  const Eigen::VectorXd xd = q8_1_dequantize(xq.blocks);
  for (int64_t r = 0; r < c.n; ++r) {
    const auto row = d.w.row(r);
    double direct = q4k_dequantize_row(row).dot(xd);
    for (size_t b = 0; b < row.size(); ++b)
      for (int j = 0; j < kSubBlocks; ++j) {
        const BlockQ8_1& a = xq.blocks[b * 8 + j];
        double sum_dq = 0;
        for (int i = 0; i < 32; ++i) sum_dq += double(fp16_to_f32(a.d)) * a.qs[i];
        const double dm = double(fp16_to_f32(row[b].dmin)) * q4k_scale_min(j, row[b].scales).min;
        direct -= dm * (double(fp16_to_f32(a.s)) - sum_dq);
      }
    RC_ASSERT(std::fabs(direct - model.y[r]) <= 1e-12 * (model.magnitude[r] + 1e-300));
  }
}

}  // namespace
}  // namespace qgemv::testing
