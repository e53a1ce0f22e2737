// GPU property suites: every path and form against the reference on generated cases, one-hot
// sweeps, q8_quantize bit equality, overflow detection and bad-input rejection. Without a
// CUDA device every test reports itself skipped with the reason.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <memory>

#include "harness/executor/device_info.h"
#include "harness/verify/verify_suite.h"

namespace qgemv {
namespace {

class Gpu : public ::testing::Test {
 protected:
  void SetUp() override {
    const DeviceInfo d = query_device();
    if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
    if (!ex_) ex_ = std::make_unique<Executor>();
  }
  static inline std::unique_ptr<Executor> ex_;
};

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += e + "\n";
  return s;
}

class GpuPath : public Gpu, public ::testing::WithParamInterface<Path> {};

TEST_P(GpuPath, AgreesWithReferenceInEveryForm) {
  const Path p = GetParam();
  EXPECT_TRUE(rc::check(std::string(path_name(p)) + " against the reference", [&] {
    const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
    const testing::GemvCase c = testing::draw_case(seed, 1024, 32768);
    const int opb = 1 << *rc::gen::inRange(0, 4);
    RC_LOG() << c.describe() << " outputs_per_block=" << opb << "\n";
    const Path one[] = {p};
    const auto f = verify_case(*ex_, one, c, opb);
    RC_ASSERT(f.empty());
  }));
}

TEST_P(GpuPath, OneHotSweepFindsEveryPosition) {
  const auto f = verify_one_hot_sweep(*ex_, GetParam(), 42, 9, 512);
  EXPECT_TRUE(f.empty()) << join(f);
}

INSTANTIATE_TEST_SUITE_P(EveryPath, GpuPath, ::testing::ValuesIn(builtin_paths()),
                         [](const auto& info) { return std::string(path_name(info.param)); });

TEST_F(Gpu, Q8QuantizeMatchesCpuBitForBit) {
  for (testing::Values v : testing::kAllValues)
    for (int64_t n : {32, 100, 4096, 151936}) {
      for (Q8Sum sum : {Q8Sum::kSumOfX, Q8Sum::kScaledSumOfQ}) {
        const auto f = verify_q8_quantize(*ex_, uint64_t(n) * 31 + uint64_t(v), n, v, sum);
        EXPECT_TRUE(f.empty()) << join(f);
      }
    }
}

TEST_F(Gpu, Q8OverflowIsReported) {
  const auto f = verify_q8_overflow_detected(*ex_, builtin_paths());
  EXPECT_TRUE(f.empty()) << join(f);
}

TEST_F(Gpu, BadInputIsRejectedAndNothingLaunched) {
  const auto f = verify_bad_input_rejected(*ex_);
  EXPECT_TRUE(f.empty()) << join(f);
}

}  // namespace
}  // namespace qgemv
