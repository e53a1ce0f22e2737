// The performance gate's statistics: the median's noise estimate, adaptive and fixed sampling
// with throttled samples discarded, the rank test, samples files, and compare's rank rule.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>

#include "harness/bench/injection.h"
#include "harness/bench/sample_stats.h"
#include "harness/bench/sampling.h"
#include "harness/results/compare.h"
#include "harness/results/rank_test.h"
#include "harness/results/results_csv.h"
#include "harness/results/samples_csv.h"

namespace qgemv {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name))
      .string();
}

std::vector<double> normal_samples(std::mt19937_64& rng, size_t n, double mean, double sd) {
  std::normal_distribution<double> d(mean, sd);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

TEST(MedianNoise, IsTheMediansIntervalHalfWidthAndShrinksWithSamples) {
  std::vector<double> ranks(100);
  for (size_t i = 0; i < ranks.size(); ++i) ranks[i] = double(i + 1);
  // n = 100: ranks 40 and 61 bound the median's 95% interval; (61 - 40) / 2 / 50.
  EXPECT_NEAR(median_noise(ranks), 0.21, 1e-12);
  EXPECT_EQ(median_noise(std::vector<double>(50, 3.0)), 0);
  std::mt19937_64 rng(7);
  auto few = normal_samples(rng, 50, 100, 1), many = normal_samples(rng, 5000, 100, 1);
  std::sort(few.begin(), few.end());
  std::sort(many.begin(), many.end());
  // About 1.96 * 1.2533 * sd / sqrt(n) / mean: 0.35% and 0.035%.
  EXPECT_GT(median_noise(few), 0.002);
  EXPECT_LT(median_noise(few), 0.006);
  EXPECT_GT(median_noise(many), 0.0002);
  EXPECT_LT(median_noise(many), 0.0006);
}

// Under 6 samples no order statistic bounds the median with 95% confidence: unknown, so that
// sampling cannot stop on one lucky sample.
TEST(MedianNoise, IsUnknownBelowSixSamples) {
  for (size_t n = 1; n < 6; ++n)
    EXPECT_TRUE(std::isinf(median_noise(std::vector<double>(n, 2.0)))) << n;
  EXPECT_TRUE(std::isfinite(median_noise(std::vector<double>(6, 2.0))));
}

// Fixed counts split exactly over placements, whatever the count (no overflow at the top of
// the range); the adaptive floor never falls to zero.
TEST(Sampling, PlacementsShareFixedCountsExactly) {
  for (int n : {1, 5, 7, 40, std::numeric_limits<int>::max()}) {
    int64_t sum = 0;
    for (int i = 0; i < 4; ++i) {
      SamplingOptions fixed;
      fixed.repetitions = n;
      const SamplingOptions part = share_of(fixed, 4, i);
      EXPECT_GE(part.repetitions, 0);
      sum += part.repetitions;
    }
    EXPECT_EQ(sum, n);
  }
  SamplingOptions adaptive;
  adaptive.min_samples = 2;
  EXPECT_EQ(share_of(adaptive, 4, 3).min_samples, 1);
  EXPECT_EQ(share_of(adaptive, 4, 3).repetitions, 0);
}

std::optional<ClockReading> unread() { return std::nullopt; }

TEST(Sampling, AdaptiveStopsAtTheNoiseFixedTakesExactlyN) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> d(100, 1);
  SamplingOptions opt;
  opt.min_samples = 20;
  opt.max_noise = 0.001;
  opt.max_time_s = 60;
  std::vector<double> kept;
  SamplingRecord rec;
  take_samples(
      opt, unread, [&] { return d(rng); }, [](double v) { return v; }, kept, rec);
  std::vector<double> sorted = kept;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_LE(median_noise(sorted), 0.001);
  // 1% per-sample spread needs about (2.46 / 0.1)^2 = 600 samples for 0.1%; not far more.
  EXPECT_GT(kept.size(), 200u);
  EXPECT_LT(kept.size(), 3000u);
  EXPECT_TRUE(rec.sm_mhz.empty());

  SamplingOptions fixed;
  fixed.repetitions = 37;
  std::vector<double> exact;
  take_samples(
      fixed, unread, [&] { return d(rng); }, [](double v) { return v; }, exact, rec);
  EXPECT_EQ(exact.size(), 37u);
}

TEST(Sampling, TimeLimitEndsANoisyCaseButNotBeforeMinSamples) {
  std::mt19937_64 rng(5);
  std::exponential_distribution<double> d(1);
  SamplingOptions opt;
  opt.min_samples = 50;
  opt.max_noise = 1e-9;  // unreachable
  opt.max_time_s = 0;
  std::vector<double> kept;
  SamplingRecord rec;
  take_samples(
      opt, unread, [&] { return d(rng); }, [](double v) { return v; }, kept, rec);
  EXPECT_EQ(kept.size(), 50u);
}

TEST(Sampling, ThrottledSamplesAreDiscardedCountedAndNamed) {
  int n = 0;
  // Every third reading reports a software power cap; idle (0x1) is not a slowdown.
  auto clocks = [&]() -> std::optional<ClockReading> {
    return ClockReading{1980, 2619, n % 3 == 0 ? uint64_t(0x4 | 0x1) : uint64_t(0x1)};
  };
  SamplingOptions opt;
  opt.repetitions = 20;
  std::vector<double> kept;
  SamplingRecord rec;
  take_samples(
      opt, clocks, [&] { return double(++n); }, [](double v) { return v; }, kept, rec);
  ASSERT_EQ(kept.size(), 20u);
  for (double v : kept) EXPECT_NE(int(v) % 3, 0) << "a throttled sample was kept";
  EXPECT_EQ(rec.discarded, 9);  // samples 3, 6, ..., 27 of 29 taken
  EXPECT_EQ(throttle_reason_names(rec.reasons), "sw_power_cap");
  EXPECT_FALSE(rec.sm_mhz.empty());
  EXPECT_EQ(rec.sm_mhz.size(), 20u);

  auto always = []() -> std::optional<ClockReading> { return ClockReading{900, 2619, 0x40}; };
  std::vector<double> none;
  EXPECT_THROW(take_samples(
                   opt, always, [] { return 1.0; }, [](double v) { return v; }, none, rec),
               std::runtime_error);
  EXPECT_TRUE(none.empty());
}

TEST(Injection, SpinIsThePercentOfTheRegionPlusTheDelayPerLaunch) {
  Injection off;
  EXPECT_FALSE(off.spin_cycles(100, 16, 2000).has_value());
  Injection slow{true, 2.0, 0};
  // 2% of a 160 us region at 2000 MHz: 3.2 us = 6400 cycles.
  EXPECT_EQ(*slow.spin_cycles(160, 16, 2000), 6400u);
  const Injection zero{true, 0, 0}, delay{true, 0, 3000};
  EXPECT_EQ(*zero.spin_cycles(160, 16, 2000), 0u);
  EXPECT_EQ(*delay.spin_cycles(160, 16, 1000), 48000u);
}

TEST(RankTest, MatchesTheNormalApproximationAndSeesSmallShifts) {
  // U = 0 for two separated samples of 5: z = (12.5 - 0.5) / sqrt(25 * 11 / 12).
  const double z = 12.0 / std::sqrt(25.0 * 11 / 12);
  EXPECT_NEAR(mann_whitney_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}), std::erfc(z / std::sqrt(2.0)),
              1e-12);
  EXPECT_NEAR(mann_whitney_p({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}),
              mann_whitney_p({6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}), 1e-12);
  EXPECT_EQ(mann_whitney_p({4, 4, 4}, {4, 4}), 1);
  std::mt19937_64 rng(11);
  const auto a = normal_samples(rng, 400, 100, 1), same = normal_samples(rng, 400, 100, 1),
             slower = normal_samples(rng, 400, 101, 1);
  EXPECT_GT(mann_whitney_p(a, same), 1e-3);
  EXPECT_LT(mann_whitney_p(a, slower), 1e-10);
  EXPECT_THROW(mann_whitney_p({}, {1}), std::invalid_argument);
}

TEST(SamplesFile, RoundTripsAndRejectsDisorder) {
  const std::string p = temp_path("samples.csv");
  write_samples_file(p, {{"kernel/a/gate/mwv/-/8x256", {1.5, 2.25}}, {"token/b, \"q\"", {3}}});
  const SamplesByKey back = read_samples_file(p);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.at("kernel/a/gate/mwv/-/8x256"), (std::vector<double>{1.5, 2.25}));
  EXPECT_EQ(back.at("token/b, \"q\""), (std::vector<double>{3}));
  const SamplesByKey pooled = read_samples_files({p, p});
  EXPECT_EQ(pooled.at("kernel/a/gate/mwv/-/8x256").size(), 4u);
  const auto rejects = [&](const std::string& text, const std::string& fragment) {
    std::ofstream(p) << text;
    try {
      read_samples_file(p);
      ADD_FAILURE() << "accepted " << text;
    } catch (const ResultsFileError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  rejects("key,us\n", ":1: expected the header key,index,us");
  rejects("key,index,us\nk,1,2\n", ":2: sample 1 of k where 0 was due");
  rejects("key,index,us\nk,0,nan\n", ":2: column us");
  rejects("key,index,us\nk,0,-1\n", ":2: column us");
}

ResultRow row_with_median(double median) {
  ResultRow r;
  r.suite = "kernel";
  r.preset = "p";
  r.projection = "gate";
  r.path = "mwv";
  r.mode = "-";
  r.n = 8;
  r.k = 256;
  r.device = "dev";
  r.ceiling_gbps = 3000;
  r.repetitions = 400;
  r.median_us = median;
  r.p10_us = median * 0.98;
  r.p90_us = median * 1.02;
  return r;
}

// A 3% slowdown inside the runs' 2% spread: the interval rule cannot see it, the rank rule
// on the samples can, and neither calls two draws of one distribution a change.
TEST(Compare, RankRuleCatchesWhatTheIntervalsHideAndNeedsSamples) {
  std::mt19937_64 rng(13);
  const ResultRow base = row_with_median(100), slower = row_with_median(103);
  const std::string key = base.key();
  CompareSamples s{{{key, normal_samples(rng, 400, 100, 1.5)}},
                   {{key, normal_samples(rng, 400, 103, 1.5)}}};
  CompareOptions opt;
  opt.launch_threshold = 0.02;
  opt.rule = GateRule::kInterval;
  EXPECT_EQ(compare_results({base}, {slower}, opt, "a", "b", s).rows[0].verdict,
            Verdict::kNoChange);
  opt.rule = GateRule::kRank;
  const Comparison c = compare_results({base}, {slower}, opt, "a", "b", s);
  EXPECT_EQ(c.rows[0].verdict, Verdict::kSlower);
  ASSERT_TRUE(c.rows[0].p_value.has_value());
  EXPECT_LT(*c.rows[0].p_value, 1e-6);
  EXPECT_NE(to_csv(c).find(",REGRESSION\n"), std::string::npos) << to_csv(c);
  CompareSamples same{{{key, normal_samples(rng, 400, 100, 1.5)}},
                      {{key, normal_samples(rng, 400, 100, 1.5)}}};
  EXPECT_EQ(compare_results({base}, {base}, opt, "a", "b", same).rows[0].verdict,
            Verdict::kNoChange);
  EXPECT_THROW(compare_results({base}, {slower}, opt, "a", "b"), std::runtime_error);
  // The default, auto, ranks where samples exist and falls back to the intervals elsewhere.
  opt.rule = GateRule::kAuto;
  EXPECT_EQ(compare_results({base}, {slower}, opt, "a", "b", s).rows[0].verdict, Verdict::kSlower);
  EXPECT_EQ(compare_results({base}, {slower}, opt, "a", "b").rows[0].verdict, Verdict::kNoChange);
  opt.rule = GateRule::kRank;
  CompareSamples missing{{{key, {1, 2}}}, {}};
  EXPECT_THROW(compare_results({base}, {slower}, opt, "a", "b", missing), std::runtime_error);
}

}  // namespace
}  // namespace qgemv
