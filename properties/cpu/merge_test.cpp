// Pooling runs into a baseline: the spread covers every run, so the runs themselves compare
// as no change against it while a real slowdown still does not.
#include "harness/results/merge.h"

#include <gtest/gtest.h>

#include "harness/results/compare.h"

namespace qgemv {
namespace {

ResultRow token_row(const std::string& mode, double median, double p10, double p90) {
  ResultRow r;
  r.suite = "token";
  r.preset = "llama-3-8b";
  r.projection = "all";
  r.path = "mwv_q8";
  r.mode = mode;
  r.n = 14336;
  r.k = 4096;
  r.device = "H100";
  r.ceiling_gbps = 3100;
  r.repetitions = 100;
  r.median_us = median;
  r.p10_us = p10;
  r.p90_us = p90;
  r.bytes = 1000000;
  r.alloc_us = median / 2;
  return r;
}

TEST(MergeRuns, SpreadCoversEveryRun) {
  // Allocation-bound rows drift between processes (seen on the H100: 7448 vs 10117 us).
  const std::vector<ResultRow> a = {token_row("alloc", 7448, 6160, 8420)};
  const std::vector<ResultRow> b = {token_row("alloc", 10117, 9720, 11477)};
  const auto m = merge_runs({a, b}, {"a.csv", "b.csv"});
  ASSERT_EQ(m.size(), 1u);
  EXPECT_DOUBLE_EQ(m[0].p10_us, 6160);
  EXPECT_DOUBLE_EQ(m[0].p90_us, 11477);
  EXPECT_DOUBLE_EQ(m[0].median_us, (7448 + 10117) / 2.0);
  EXPECT_EQ(m[0].repetitions, 200);
  EXPECT_DOUBLE_EQ(m[0].alloc_us, (7448 + 10117) / 4.0);
  EXPECT_NEAR(m[0].gbps, 1e6 / (m[0].median_us * 1e3), 1e-12);

  CompareOptions opt;
  opt.host_threshold = 0.25;
  // Against either run alone, the other is a regression or an improvement ...
  EXPECT_EQ(compare_results(a, b, opt, "a", "b").regressions(), 1);
  // ... against the pooled baseline, both runs are no change ...
  for (const auto& run : {a, b}) {
    const Comparison c = compare_results(m, run, opt, "m", "run");
    EXPECT_EQ(c.regressions() + c.improvements(), 0);
  }
  // ... and a slowdown beyond the spread is still caught.
  const std::vector<ResultRow> slow = {token_row("alloc", 14000, 13500, 15000)};
  EXPECT_EQ(compare_results(m, slow, opt, "m", "slow").regressions(), 1);
}

// Host time drifts between processes; the counts of API calls do not, and one more of either
// is a regression at any time.
TEST(CompareThresholds, MoreAllocationsOrLaunchesAreARegressionWhateverTheTime) {
  const CompareOptions opt;
  std::vector<ResultRow> base = {token_row("alloc", 100, 99, 101)};
  base[0].allocations = base[0].launches = 392;
  for (int field = 0; field < 2; ++field) {
    std::vector<ResultRow> next = base;
    (field == 0 ? next[0].allocations : next[0].launches) += 1;
    EXPECT_EQ(compare_results(base, next, opt, "b", "n").regressions(), 1) << field;
  }
  std::vector<ResultRow> fewer = base;
  fewer[0].allocations -= 1;
  EXPECT_EQ(compare_results(base, fewer, opt, "b", "n").regressions(), 0);
}

TEST(CompareThresholds, HostBoundTokenRowsGetTheHostThreshold) {
  const CompareOptions opt;
  for (const char* mode : {"alloc", "pool", "workspace", "graph"}) {
    // 30% slower with intervals apart: drift for host-bound rows, a regression otherwise.
    const std::vector<ResultRow> base = {token_row(mode, 100, 99, 101)};
    const std::vector<ResultRow> next = {token_row(mode, 130, 129, 131)};
    const bool host_bound = std::string(mode) != "graph";
    EXPECT_EQ(compare_results(base, next, opt, "b", "n").regressions(), host_bound ? 0 : 1) << mode;
    EXPECT_EQ(threshold_for(base[0], opt), host_bound ? opt.host_threshold : opt.graph_threshold);
    const std::vector<ResultRow> much = {token_row(mode, 160, 159, 161)};
    EXPECT_EQ(compare_results(base, much, opt, "b", "n").regressions(), 1) << mode;
  }
  ResultRow kernel = token_row("-", 100, 99, 101);
  kernel.suite = "kernel";
  EXPECT_EQ(threshold_for(kernel, opt), opt.launch_threshold);
  kernel.mode = "batch";
  EXPECT_EQ(threshold_for(kernel, opt), opt.threshold);
  EXPECT_LT(opt.threshold, opt.launch_threshold);
}

// A clock one run did not read is unknown in the pool, not averaged down with a zero.
TEST(MergeRuns, ClocksAreKnownOnlyWhereEveryRunReadThem) {
  std::vector<ResultRow> a = {token_row("graph", 10, 9, 11)}, b = a;
  a[0].sm_mhz = b[0].sm_mhz = 1980;
  a[0].mem_mhz = 2619;
  a[0].throttle_reasons = "none";
  b[0].throttle_reasons = "sw_power_cap";
  a[0].throttle_discards = 2;
  b[0].throttle_discards = 3;
  const ResultRow m = merge_runs({a, b}, {"a", "b"}).at(0);
  EXPECT_DOUBLE_EQ(m.sm_mhz, 1980);
  EXPECT_EQ(m.mem_mhz, 0);
  EXPECT_EQ(m.throttle_reasons, "sw_power_cap");
  EXPECT_EQ(m.throttle_discards, 5);
}

TEST(MergeRuns, RunsMustHoldTheSameCasesOnOneDevice) {
  const std::vector<ResultRow> a = {token_row("alloc", 10, 9, 11), token_row("graph", 5, 4, 6)};
  const std::vector<ResultRow> b = {token_row("alloc", 10, 9, 11)};
  try {
    merge_runs({a, b}, {"a.csv", "b.csv"});
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("b.csv lacks token/llama-3-8b/all/mwv_q8/graph"),
              std::string::npos)
        << e.what();
  }
  std::vector<ResultRow> other = a;
  for (auto& r : other) r.device = "A100";
  EXPECT_THROW(merge_runs({a, other}, {"a.csv", "c.csv"}), std::runtime_error);
  std::vector<ResultRow> rebuilt = a;
  for (auto& r : rebuilt) r.git_rev = "0123456789ab";
  try {
    merge_runs({a, rebuilt}, {"a.csv", "d.csv"});
    FAIL() << "runs of two builds were pooled";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("merge pools runs of one build"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace qgemv
