// The A/B gate's statistics: the balanced random order, the pairing, the Hodges-Lehmann
// estimate with its Wilcoxon signed-rank interval, the verdicts and their combination over
// processes, on synthetic samples with known shifts; the A/B CSV and lines.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "harness/bench/ab_order.h"
#include "harness/bench/ab_report.h"
#include "harness/results/ab_verdict.h"
#include "harness/results/paired_ratio.h"

namespace qgemv {
namespace {

constexpr AbSide A = AbSide::kBase, B = AbSide::kCandidate;

// Samples of an A/B case in `order`: base time `base_us`, the candidate `shift` (a fraction)
// slower, each sample with relative normal noise `noise`, plus a drift that moves every time
// by `drift` (a fraction) from the first sample to the last.
std::vector<double> simulated_samples(const std::vector<AbSide>& order, double base_us,
                                      double shift, double noise, double drift, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> eps(0, noise);
  std::vector<double> out;
  for (size_t i = 0; i < order.size(); ++i) {
    const double trend = 1 + drift * double(i) / double(std::max<size_t>(1, order.size() - 1));
    const double side = order[i] == B ? 1 + shift : 1;
    out.push_back(base_us * side * trend * (1 + eps(rng)));
  }
  return out;
}

PairedRatio simulated_ratio(int64_t blocks, double shift, double noise, uint64_t seed,
                            double drift = 0, double confidence = 0.99) {
  const std::vector<AbSide> order = ab_order(blocks, seed);
  return paired_ratio(
      paired_log_ratios(order, simulated_samples(order, 8.0, shift, noise, drift, seed + 1)),
      confidence);
}

TEST(AbOrder, BlocksAreAbbaOrBaabAndEachPairHoldsBothSides) {
  const std::vector<AbSide> order = ab_order(500, 3);
  ASSERT_EQ(order.size(), 2000u);
  size_t abba = 0;
  for (size_t i = 0; i < order.size(); i += 4) {
    const std::vector<AbSide> block(order.begin() + i, order.begin() + i + 4);
    const bool is_abba = block == std::vector<AbSide>{A, B, B, A};
    EXPECT_TRUE((is_abba || block == std::vector<AbSide>{B, A, A, B})) << "block " << i / 4;
    abba += is_abba;
  }
  // A fair draw: 250 of 500 expected, 3.5 standard deviations (about 40) allowed.
  EXPECT_GT(abba, 210u);
  EXPECT_LT(abba, 290u);
}

TEST(AbOrder, IsTheSameForASeedAndDiffersBetweenSeeds) {
  EXPECT_EQ(ab_order(64, 11), ab_order(64, 11));
  EXPECT_NE(ab_order(64, 11), ab_order(64, 12));
  EXPECT_TRUE(ab_order(0, 1).empty());
  EXPECT_THROW(ab_order(-1, 1), std::invalid_argument);
}

TEST(PairedLogRatios, AreCandidateOverBaseWhicheverRanFirst) {
  const std::vector<double> r =
      paired_log_ratios({A, B, B, A}, std::vector<double>{100, 101, 99, 100});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NEAR(r[0], std::log(1.01), 1e-15);
  EXPECT_NEAR(r[1], std::log(0.99), 1e-15);
}

TEST(PairedLogRatios, RejectWhatCannotBePaired) {
  EXPECT_THROW(paired_log_ratios({A, B}, std::vector<double>{1}), std::invalid_argument);
  EXPECT_THROW(paired_log_ratios({A, B, A}, std::vector<double>{1, 1, 1}), std::invalid_argument);
  EXPECT_THROW(paired_log_ratios({A, A}, std::vector<double>{1, 1}), std::invalid_argument);
  EXPECT_THROW(paired_log_ratios({A, B}, std::vector<double>{1, 0}), std::invalid_argument);
  EXPECT_THROW(paired_log_ratios({A, B}, std::vector<double>{NAN, 1}), std::invalid_argument);
}

// The bisection must find the same Walsh averages as listing all of them.
TEST(PairedRatio, WalshAveragesMatchListingThemAll) {
  std::mt19937_64 rng(5);
  for (size_t n : {1u, 2u, 7u, 30u, 61u}) {
    std::vector<double> r(n);
    std::normal_distribution<double> d(0.01, 0.004);
    for (double& v : r) v = d(rng);
    if (n == 30) r[3] = r[4] = r[5];  // ties
    std::sort(r.begin(), r.end());
    std::vector<double> all;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i; j < n; ++j) all.push_back((r[i] + r[j]) / 2);
    std::sort(all.begin(), all.end());
    for (size_t k = 1; k <= all.size(); k += std::max<size_t>(1, all.size() / 37))
      EXPECT_NEAR(kth_walsh_average(r, k), all[k - 1], 1e-15) << "n " << n << " k " << k;
    EXPECT_NEAR(kth_walsh_average(r, all.size()), all.back(), 1e-15);
    EXPECT_THROW(kth_walsh_average(r, 0), std::invalid_argument);
    EXPECT_THROW(kth_walsh_average(r, all.size() + 1), std::invalid_argument);
  }
}

// n = 10 at 95%: the signed-rank table's critical value is 8, so the interval is the 9th and
// 47th of 55 Walsh averages; the continuity correction may widen it by one rank, never narrow.
TEST(PairedRatio, IntervalRanksAgreeWithTheSignedRankTable) {
  std::vector<double> r = {0.1, 0.25, 0.3, 0.42, 0.5, 0.61, 0.77, 0.8, 0.93, 1.0};
  const PairedRatio p = paired_ratio(r, 0.95);
  EXPECT_TRUE(p.lo == kth_walsh_average(r, 9) || p.lo == kth_walsh_average(r, 8)) << p.lo;
  EXPECT_TRUE(p.hi == kth_walsh_average(r, 47) || p.hi == kth_walsh_average(r, 48)) << p.hi;
  EXPECT_EQ(p.estimate, kth_walsh_average(r, 28));  // the median of 55
  EXPECT_NEAR(normal_quantile_two_sided(0.05), 1.959964, 1e-6);
  EXPECT_NEAR(normal_quantile_two_sided(0.01), 2.575829, 1e-6);
}

TEST(PairedRatio, HasNoIntervalWithTooFewPairs) {
  EXPECT_FALSE(paired_ratio(std::vector<double>(8, 0.01), 0.99).bounded());
  EXPECT_TRUE(paired_ratio(std::vector<double>(9, 0.01), 0.99).bounded());
  EXPECT_FALSE(paired_ratio(std::vector<double>(5, 0.01), 0.95).bounded());
  EXPECT_TRUE(paired_ratio(std::vector<double>(6, 0.01), 0.95).bounded());
  EXPECT_EQ(ab_verdict(paired_ratio(std::vector<double>(5, 0.5)), 0.005), AbVerdict::kAmbiguous);
  EXPECT_THROW(paired_ratio({}), std::invalid_argument);
  EXPECT_THROW(paired_ratio({0.1, INFINITY}), std::invalid_argument);
  EXPECT_THROW(paired_ratio({0.1}, 1.0), std::invalid_argument);
}

// The interval holds the true shift at about its confidence: 400 simulated cases of 40 pairs.
TEST(PairedRatio, CoversTheTrueShiftAtItsConfidence) {
  int covered = 0;
  const double truth = std::log(1.01);
  for (uint64_t seed = 0; seed < 400; ++seed) {
    const PairedRatio p = simulated_ratio(20, 0.01, 0.003, 1000 + seed, 0, 0.95);
    covered += p.lo <= truth && truth <= p.hi;
  }
  // 95% nominal (380 of 400), a little more with the continuity correction; a binomial's 3.5
  // standard deviations is 15.
  EXPECT_GE(covered, 365);
  EXPECT_LE(covered, 400);
}

TEST(AbGate, NamesAOnePercentSlowdownInNoiseOfAThirdOfAPercent) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const PairedRatio p = simulated_ratio(20, 0.01, 0.003, seed);
    EXPECT_EQ(ab_verdict(p, 0.005), AbVerdict::kSlower)
        << "seed " << seed << ": " << p.ratio_lo() << " .. " << p.ratio_hi();
    // The estimate's standard deviation is about 0.07% (0.42% per pair over 40 pairs).
    EXPECT_NEAR(p.ratio(), 1.01, 0.003);
  }
}

TEST(AbGate, CallsAnUnchangedRowTheSame) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const PairedRatio p = simulated_ratio(20, 0, 0.003, seed);
    EXPECT_EQ(ab_verdict(p, 0.005), AbVerdict::kSame)
        << "seed " << seed << ": " << p.ratio_lo() << " .. " << p.ratio_hi();
  }
}

TEST(AbGate, NamesASpeedUp) {
  EXPECT_EQ(ab_verdict(simulated_ratio(20, -0.02, 0.003, 9), 0.005), AbVerdict::kFaster);
}

// A change right at the threshold cannot be settled either way: its interval straddles it.
TEST(AbGate, CallsAChangeAtTheThresholdAmbiguous) {
  EXPECT_EQ(ab_verdict(simulated_ratio(20, 0.005, 0.003, 4), 0.005), AbVerdict::kAmbiguous);
}

// Pairs taken back to back cancel a drift that an unpaired comparison of all A against all B
// samples would read as a change: a 5% drift over the case, no change.
TEST(AbGate, PairsCancelADriftOverTheCase) {
  const std::vector<AbSide> order = ab_order(20, 21);
  const std::vector<double> s = simulated_samples(order, 8.0, 0, 0.003, 0.05, 22);
  EXPECT_EQ(ab_verdict(paired_ratio(paired_log_ratios(order, s)), 0.005), AbVerdict::kSame);
  // The same samples in the order AAAA..BBBB, paired by index: the drift is then a change.
  std::vector<AbSide> split(order.size());
  for (size_t i = 0; i < order.size(); ++i) split[i] = i < order.size() / 2 ? A : B;
  const std::vector<double> drifted = simulated_samples(split, 8.0, 0, 0.003, 0.05, 22);
  std::vector<double> ratios;
  for (size_t i = 0; i < order.size() / 2; ++i)
    ratios.push_back(std::log(drifted[i + order.size() / 2] / drifted[i]));
  EXPECT_EQ(ab_verdict(paired_ratio(ratios), 0.005), AbVerdict::kSlower);
}

TEST(AbVerdictRule, BoundariesAreStrictForAChangeAndInclusiveForSame) {
  const double t = std::log1p(0.01);
  PairedRatio p;
  p.lo = t, p.hi = t;  // exactly at +t: within t, not past it
  EXPECT_EQ(ab_verdict(p, 0.01), AbVerdict::kSame);
  p.lo = std::nextafter(t, 1.0), p.hi = 0.5;
  EXPECT_EQ(ab_verdict(p, 0.01), AbVerdict::kSlower);
  p.lo = -0.5, p.hi = std::nextafter(-t, -1.0);
  EXPECT_EQ(ab_verdict(p, 0.01), AbVerdict::kFaster);
  p.lo = 0, p.hi = 2 * t;
  EXPECT_EQ(ab_verdict(p, 0.01), AbVerdict::kAmbiguous);
  EXPECT_THROW(ab_verdict(p, -0.01), std::invalid_argument);
  EXPECT_THROW(ab_verdict(p, NAN), std::invalid_argument);
  EXPECT_EQ(verdict_name(AbVerdict::kAmbiguous), "ambiguous");
}

TEST(AbVerdictRule, ProcessesMustAgree) {
  using V = AbVerdict;
  const auto combine = [](std::vector<V> v) { return combine_verdicts(v); };
  EXPECT_EQ(combine({V::kSlower, V::kSlower, V::kSlower}), V::kSlower);
  EXPECT_EQ(combine({V::kSlower, V::kSlower, V::kAmbiguous}), V::kAmbiguous);
  EXPECT_EQ(combine({V::kSlower, V::kSame, V::kSlower}), V::kAmbiguous);
  EXPECT_EQ(combine({V::kFaster, V::kFaster}), V::kFaster);
  EXPECT_EQ(combine({V::kSame, V::kSame, V::kSame}), V::kSame);
  EXPECT_EQ(combine({V::kSlower, V::kFaster}), V::kAmbiguous);
  EXPECT_EQ(combine({V::kSame}), V::kSame);
  EXPECT_THROW(combine({}), std::invalid_argument);
}

}  // namespace
}  // namespace qgemv

namespace qgemv {
namespace {

AbResult report_row(AbVerdict v, size_t pairs) {
  AbResult r;
  r.name = "kernel/qwen2.5-1.5b/down/mwv_q8/1536x8960/batch";
  r.base = sample_stats({8.0, 8.0, 8.0});
  r.candidate = sample_stats({8.1, 8.1});
  r.ratio = paired_ratio(std::vector<double>(pairs, std::log(1.0125)));
  r.verdict = v;
  r.rounds = 2;
  r.sm_mhz = 1980;
  r.mem_mhz = 2619;
  return r;
}

TEST(AbReport, CsvHoldsTheRatioItsIntervalAndTheVerdict) {
  const AbRunInfo info{"NVIDIA H100, 80GB", "abc123", "def456-dirty", 0.005, 0.99};
  const std::string csv = ab_rows_csv(
      ab_rows(info, {report_row(AbVerdict::kSlower, 40), report_row(AbVerdict::kAmbiguous, 3)}));
  const std::string header =
      "ab_schema_version,key,device,base_revision,candidate_revision,base_median_us,"
      "candidate_median_us,ratio,ratio_lo,ratio_hi,confidence,threshold_pct,pairs,rounds,"
      "verdict,base_samples,candidate_samples,sm_mhz,mem_mhz,throttle_discards,processes,"
      "process_verdicts\n";
  ASSERT_EQ(csv.substr(0, header.size()), header);
  EXPECT_NE(csv.find("1,kernel/qwen2.5-1.5b/down/mwv_q8/1536x8960/batch,\"NVIDIA H100, 80GB\","
                     "abc123,def456-dirty,8,8.1,1.0125,1.0125,1.0125,0.99,0.5,40,2,slower,3,2,"
                     "1980,2619,0,1,slower\n"),
            std::string::npos)
      << csv;
  // Three pairs have no interval: its bounds are "-", not a number.
  EXPECT_NE(csv.find(",1.0125,-,-,0.99,0.5,3,2,ambiguous,"), std::string::npos) << csv;
  EXPECT_EQ(ab_line(report_row(AbVerdict::kSlower, 40)),
            "kernel/qwen2.5-1.5b/down/mwv_q8/1536x8960/batch  base 8.000 us  new 8.100 us  "
            "x1.0125 [1.0125, 1.0125]  40 pairs  slower");
}

TEST(AbReport, RoundSeedsDependOnSeedCaseAndRound) {
  const uint64_t s = ab_round_seed(1, "kernel/a", 0);
  EXPECT_EQ(s, ab_round_seed(1, "kernel/a", 0));
  EXPECT_NE(s, ab_round_seed(2, "kernel/a", 0));
  EXPECT_NE(s, ab_round_seed(1, "kernel/b", 0));
  EXPECT_NE(s, ab_round_seed(1, "kernel/a", 1));
}

}  // namespace
}  // namespace qgemv
