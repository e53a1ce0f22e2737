// `qgemv profile` on kernels of known character, through Nsight Compute on this machine's GPU:
// a streaming read must be named memory-bound, an FMA spin issue-bound, a one-warp pointer
// chase latency-bound. Runs the qgemv binary built beside this one. Skipped, with the reason,
// without a CUDA device, without ncu, or where the counters are not permitted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "harness/executor/device_info.h"
#include "harness/profile/counter_gate.h"
#include "harness/profile/limiter.h"
#include "harness/profile/ncu_driver.h"
#include "harness/profile/profile_dir.h"

namespace qgemv::profile {
namespace {

namespace fs = std::filesystem;

class ProfileGpu : public ::testing::Test {
 protected:
  void SetUp() override {
    const DeviceInfo d = query_device();
    if (!d.available) GTEST_SKIP() << "no CUDA device: " << d.reason;
    try {
      ncu_ = find_ncu("").path;
    } catch (const CountersUnavailable& e) {
      GTEST_SKIP() << e.what();
    }
    qgemv_ = (fs::read_symlink("/proc/self/exe").parent_path() / "qgemv").string();
    ASSERT_TRUE(fs::exists(qgemv_)) << qgemv_ << " is not built";
    dir_ =
        (fs::temp_directory_path() / ("qgemv-profile-test-" + std::to_string(getpid()))).string();
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Runs `qgemv profile ARGS --save DIR` and reads the counters back with their labels.
  std::vector<KernelCounters> profile(std::vector<std::string> args) {
    args.insert(args.begin(), {qgemv_, "profile", "--ncu", ncu_, "--save", dir_});
    std::string out;
    const int status = run_process(args, out);
    if (status == 5) {
      skipped_ = out;
      return {};
    }
    EXPECT_EQ(status, 0) << out;
    return read_profile_dir(dir_).report.kernels;
  }

  std::string ncu_, qgemv_, dir_, skipped_;
};

TEST_F(ProfileGpu, ProbesAreNamedByTheirKnownLimiter) {
  const auto kernels = profile({"--suite", "probes"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  ASSERT_EQ(kernels.size(), 3u);
  const std::map<std::string, Limiter> expected = {{"stream_read", Limiter::kMemoryBandwidth},
                                                   {"fma_spin", Limiter::kIssue},
                                                   {"pointer_chase", Limiter::kLatencyOccupancy}};
  for (const KernelCounters& c : kernels) {
    const Verdict v = classify(c);
    EXPECT_EQ(limiter_name(v.limiter), limiter_name(expected.at(c.launch.label)))
        << c.launch.label << ": " << v.evidence;
  }
  // The read moves its 1 GiB once: DRAM bytes read within 10% of it, and no cache hits to
  // speak of after the flush.
  EXPECT_NEAR(kernels[0].read_ratio(), 1.0, 0.1);
  EXPECT_LT(kernels[2].achieved_occupancy_pct, 10) << "one warp on one SM";
  EXPECT_GE(kernels[2].waves_per_sm, 0);
  EXPECT_LT(kernels[2].waves_per_sm, 0.1);
}

// Each probe's code identity is recorded for the GPU ncu ran on, and the profile against a
// second one of the same binary is the same SASS throughout: nothing compared, nothing failed.
TEST_F(ProfileGpu, ProbesRecordTheirCodeAndMatchThemselves) {
  const auto kernels = profile({"--suite", "probes"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  ASSERT_EQ(kernels.size(), 3u);
  for (const KernelCounters& c : kernels)
    EXPECT_TRUE(c.sass.starts_with("sm_")) << c.kernel << ": " << c.sass;
  const ProfileReport first = read_profile_dir(dir_).report;
  ASSERT_EQ(profile({"--suite", "probes"}).size(), 3u);
  const CounterGateReport r =
      compare_counters(first, read_profile_dir(dir_).report, CounterGateLimits{});
  EXPECT_FALSE(r.fails());
  for (const KernelComparison& k : r.kernels)
    EXPECT_EQ(k.outcome, KernelOutcome::kSameSass) << k.key << " " << k.base_sass;
}

// A token layer on the default path profiles every kernel the layer launches, each with its
// shape and the fewest bytes it moves, and DRAM reads no fewer bytes than the weights.
TEST_F(ProfileGpu, TokenLayerHasEveryKernelWithItsBytes) {
  const auto kernels = profile({"--preset", "qwen2.5-1.5b"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  ASSERT_EQ(kernels.size(), 8u) << "q8_quantize and q+k+v, o, gate+up, down each";
  for (const KernelCounters& c : kernels) {
    EXPECT_EQ(c.launch.per_token, 28) << c.launch.label;
    EXPECT_GT(c.duration_us, 0) << c.launch.label;
    if (c.launch.label != "q8_quantize") {
      EXPECT_GT(c.read_ratio(), 0.9) << c.launch.label << " read fewer bytes than its weights";
    }
    EXPECT_NE(classify(c).limiter, Limiter::kUnknown) << c.launch.label;
  }
}

// The kernel suite launches each projection alone: q, k and v (and gate and up) are not stacked.
TEST_F(ProfileGpu, KernelSuiteLaunchesEachProjectionAlone) {
  const auto kernels = profile({"--preset", "qwen2.5-1.5b", "--suite", "kernel"});
  if (!skipped_.empty()) GTEST_SKIP() << skipped_;
  ASSERT_EQ(kernels.size(), 14u) << "a quantization and a GEMV for each of 7 projections";
  std::map<std::string, int64_t> rows;
  for (const KernelCounters& c : kernels) rows[c.launch.label] = c.launch.n;
  EXPECT_EQ(rows.at("gate"), 8960);
  EXPECT_EQ(rows.at("k"), 256);
  EXPECT_EQ(rows.count("gate+up"), 0u);
}

}  // namespace
}  // namespace qgemv::profile
