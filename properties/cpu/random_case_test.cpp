// The generated cases' shapes: draw_case keeps k in [min_k, max_k] (mutate confines a template
// instance's run to its own k), draws as before when min_k is 256, and verify_shape_ranges names
// every shape a run launches.
#include "harness/verify/random_case.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/verify/verify_shapes.h"

namespace qgemv::testing {
namespace {

RC_GTEST_PROP(DrawCase, KStaysInItsWindow, (uint64_t seed)) {
  const int64_t lo = *rc::gen::inRange<int64_t>(1, 129) * kQK;
  const int64_t hi = lo + *rc::gen::inRange<int64_t>(0, 64) * kQK;
  const GemvCase c = draw_case(seed, 4096, hi, lo);
  RC_ASSERT(c.k >= lo);
  RC_ASSERT(c.k <= hi);
  RC_ASSERT(c.k % kQK == 0);
  const GemvCase same = draw_case(seed, 4096, 32768, kQK), old = draw_case(seed, 4096, 32768);
  RC_ASSERT(same.k == old.k);
  RC_ASSERT(same.n == old.n);
  RC_ASSERT(same.describe() == old.describe());
}

TEST(VerifyShapes, TheGeneratedVocabularyAndOneHotShapes) {
  VerifyOptions o;
  o.min_k = 4352;
  o.max_k = 8192;
  const std::vector<ShapeRange> r = verify_shape_ranges(o);
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].max_n, 4096);
  EXPECT_EQ(r[0].min_k, 4352);
  EXPECT_EQ(r[0].max_k, 8192);
  // A vocabulary case's k is cut to 1024, but not below the window.
  EXPECT_EQ(r[1].min_n, kVocabularyRows);
  EXPECT_EQ(r[1].min_k, 4352);
  EXPECT_EQ(r[1].max_k, 4352);
  EXPECT_EQ(r[2].min_n, kOneHotRows);
  EXPECT_EQ(r[3].max_k, 512);
  o.structured = false;
  EXPECT_EQ(verify_shape_ranges(o).size(), 2u);
  EXPECT_EQ(vocabulary_k(8192, 256), 1024);
  EXPECT_EQ(vocabulary_k(512, 256), 512);
}

}  // namespace
}  // namespace qgemv::testing
