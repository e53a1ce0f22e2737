// Pooling runs into a baseline: the spread covers every run, so the runs themselves compare
// as no change against it while a real slowdown still does not.
#include "harness/results/merge.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <random>

#include "harness/bench/sample_stats.h"
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

// A run as bench makes it: `count` samples of a long-tailed time around `typical`, and the row
// its summary (sample_stats, as bench_context.cpp fills it).
std::pair<ResultRow, std::vector<double>> measured_run(std::mt19937_64& rng, size_t count,
                                                       double typical) {
  std::lognormal_distribution<double> tail(0, 0.3);
  std::vector<double> samples(count);
  for (double& s : samples) s = typical * (1 + 0.05 * tail(rng));
  const SampleStats st = sample_stats(samples);
  ResultRow r = token_row("graph", st.median, st.p10, st.p90);
  r.repetitions = int64_t(count);
  return {r, samples};
}

// compare refuses samples that are not the rows' own: checked against the row's p10..p90, the
// check never refuses a run's own samples, nor the pooled samples of a merged baseline (runs
// of any sizes and drift), and refuses samples of another run that is 10% off.
RC_GTEST_PROP(CompareSamples, OwnSamplesPassAndAnotherRunsAreRefused, ()) {
  std::mt19937_64 rng(*rc::gen::arbitrary<uint64_t>());
  const size_t runs = *rc::gen::inRange<size_t>(1, 5);
  std::vector<std::vector<ResultRow>> rows;
  std::vector<double> pooled;
  std::vector<std::string> names;
  for (size_t i = 0; i < runs; ++i) {
    const size_t count = *rc::gen::inRange<size_t>(1, 400);
    const double drift = 1 + *rc::gen::inRange(0, 300) / 1000.0;
    auto [row, samples] = measured_run(rng, count, 100 * drift);
    rows.push_back({row});
    pooled.insert(pooled.end(), samples.begin(), samples.end());
    names.push_back("run" + std::to_string(i));
  }
  const std::vector<ResultRow> baseline = runs == 1 ? rows[0] : merge_runs(rows, names);
  const std::string key = baseline[0].key();
  CompareOptions opt;
  opt.rule = GateRule::kRank;
  RC_ASSERT(compare_results(baseline, baseline, opt, "b", "n",
                            CompareSamples{{{key, pooled}}, {{key, pooled}}})
                .rows.size() == 1u);
  // The same number of samples, all 10% slower than they were: not this baseline's.
  std::vector<double> slower = pooled;
  for (double& s : slower) s *= 1.1;
  std::sort(pooled.begin(), pooled.end());
  RC_PRE(nearest_rank(pooled, 0.5) * 1.1 > baseline[0].p90_us);
  RC_ASSERT_THROWS_AS(compare_results(baseline, baseline, opt, "b", "n",
                                      CompareSamples{{{key, slower}}, {{key, pooled}}}),
                      std::runtime_error);
}

TEST(CompareSamples, TripledSamplesAreNamedAsAnotherRuns) {
  std::mt19937_64 rng(7);
  const auto [row, own] = measured_run(rng, 200, 10);
  std::vector<double> tripled = own;
  for (double& s : tripled) s *= 3;
  CompareOptions opt;
  try {
    compare_results({row}, {row}, opt, "b", "n",
                    CompareSamples{{{row.key(), tripled}}, {{row.key(), own}}});
    FAIL() << "tripled samples accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("base samples of " + row.key() + ": their median"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("outside the row's p10-p90"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace qgemv
