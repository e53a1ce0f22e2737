// The checker's own test: a correct GEMV (simulated with the kernels' f32 arithmetic) always
// passes, and each known-wrong GEMV is rejected. Block-level bugs are tried on dense random
// inputs; single-element bugs on one-hot inputs at the damaged position, where the exact answer
// is known and a worst-case bound cannot hide one wrong element among thousands.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>

#include "harness/verify/gpu_gemv.h"
#include "harness/verify/random_case.h"
#include "properties/support/simulated_gemv.h"
#include "reference/error_model.h"
#include "reference/gemv.h"
#include "reference/q8_1.h"

namespace qgemv::testing {
namespace {

constexpr int64_t kShapesK[] = {256, 512, 2304, 8192, 8448, 12288, 12544, 16640};

struct CheckerCase {
  GemvCase shape;
  Bug bug;
  int64_t element;
  GemvData data;
};

CheckerCase draw_checker_case(Bug bug) {
  CheckerCase c{};
  c.shape.seed = *rc::gen::arbitrary<uint64_t>();
  c.shape.n = *rc::gen::inRange<int64_t>(8, 25);
  c.shape.k = *rc::gen::elementOf(std::vector<int64_t>(std::begin(kShapesK), std::end(kShapesK)));
  c.shape.weights = *rc::gen::elementOf(
      std::vector<Weights>{Weights::kFromNormal, Weights::kFromUniform, Weights::kFromHeavyTailed});
  c.shape.input = Values::kNormal;
  c.bug = bug;
  c.data = materialize(c.shape);
  c.element = *rc::gen::inRange<int64_t>(0, c.shape.k);
  if (is_single_element(bug)) {
    const float v = c.data.x[size_t(c.element)];
    std::fill(c.data.x.begin(), c.data.x.end(), 0.0f);
    c.data.x[size_t(c.element)] = v == 0.0f ? 1.0f : v;
  }
  RC_LOG() << c.shape.describe() << " bug=" << name(bug) << " element=" << c.element << "\n";
  return c;
}

void check_f32_paths_reject(Bug bug) {
  const CheckerCase c = draw_checker_case(bug);
  const ReferenceGemv ref = reference_gemv_f32(c.data.w, c.data.x);
  const auto good = simulate_f32_gemv(c.data.w, c.data.x, Bug::kNone);
  const CheckReport pass = check_gemv(good, ref, Path::kQ4K, c.shape.k);
  RC_ASSERT(pass.ok());
  const auto bad = simulate_f32_gemv(c.data.w, c.data.x, bug, c.element);
  RC_ASSERT_FALSE(check_gemv(bad, ref, Path::kQ4K, c.shape.k).ok());
}

void check_q8_paths_reject(Bug bug) {
  const CheckerCase c = draw_checker_case(bug);
  const Q8Quantized xq = q8_1_quantize(c.data.x);
  RC_PRE(xq.first_overflow < 0);
  const ReferenceGemv ref = reference_gemv_q8(c.data.w, xq.blocks);
  RC_ASSERT(
      check_gemv(simulate_q8_gemv(c.data.w, xq.blocks, Bug::kNone), ref, Path::kQ4KQ8, c.shape.k)
          .ok());
  const auto bad = simulate_q8_gemv(c.data.w, xq.blocks, bug, c.element);
  RC_ASSERT_FALSE(check_gemv(bad, ref, Path::kQ4KQ8, c.shape.k).ok());
}

class CheckerRejects : public ::testing::TestWithParam<Bug> {};

TEST_P(CheckerRejects, OnF32Paths) {
  EXPECT_TRUE(rc::check(std::string("f32 path rejects: ") + name(GetParam()),
                        [bug = GetParam()] { check_f32_paths_reject(bug); }));
}

TEST_P(CheckerRejects, OnQ8Paths) {
  EXPECT_TRUE(rc::check(std::string("q8 path rejects: ") + name(GetParam()),
                        [bug = GetParam()] { check_q8_paths_reject(bug); }));
}

INSTANTIATE_TEST_SUITE_P(EveryBug, CheckerRejects, ::testing::ValuesIn(kAllBugs),
                         [](const auto& info) {
                           std::string s = name(info.param);
                           for (char& ch : s)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return s;
                         });

// A correct GEMV passes on every kind of weight and input, raw blocks with negative and
// subnormal scales and mixed-magnitude inputs included.
RC_GTEST_PROP(Checker, CorrectGemvAlwaysPasses, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const GemvCase c = draw_case(seed, 24, 16640);
  RC_LOG() << c.describe() << "\n";
  const GemvData d = materialize(c);
  const CheckReport f32 = check_gemv(simulate_f32_gemv(d.w, d.x, Bug::kNone),
                                     reference_gemv_f32(d.w, d.x), Path::kQ4K, c.k);
  RC_ASSERT(f32.ok());
  // Inputs near the f32 limit overflow Q8_1's fp16 sums; those are scaled down by powers of
  // two (exact, the input's shape kept) until they quantize, so the Q8 half runs every case.
  std::vector<float> xs = d.x;
  Q8Quantized xq = q8_1_quantize(xs);
  for (int halvings = 0; xq.first_overflow >= 0; halvings += 4) {
    RC_ASSERT(halvings < 256);
    for (float& v : xs) v = std::ldexp(v, -4);
    xq = q8_1_quantize(xs);
  }
  const CheckReport q8 = check_gemv(simulate_q8_gemv(d.w, xq.blocks, Bug::kNone),
                                    reference_gemv_q8(d.w, xq.blocks), Path::kQ4KQ8, c.k);
  RC_ASSERT(q8.ok());
}

TEST(Checker, PoisonAndNaNAlwaysFail) {
  GemvCase c{7, 4, 256, Weights::kFromNormal, Values::kNormal};
  const GemvData d = materialize(c);
  const ReferenceGemv ref = reference_gemv_f32(d.w, d.x);
  std::vector<float> y = simulate_f32_gemv(d.w, d.x, Bug::kNone);
  ASSERT_TRUE(check_gemv(y, ref, Path::kQ4K, c.k).ok());
  y[2] = output_poison();
  const CheckReport rep = check_gemv(y, ref, Path::kQ4K, c.k);
  EXPECT_EQ(rep.failures, 1);
  EXPECT_EQ(rep.first.at(0).row, 2);
  y.pop_back();
  EXPECT_FALSE(check_gemv(y, ref, Path::kQ4K, c.k).ok()) << "a short output must fail";
}

}  // namespace
}  // namespace qgemv::testing
