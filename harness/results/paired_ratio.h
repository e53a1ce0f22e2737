#pragma once
// How much slower the candidate is than the base, from paired samples: the Hodges-Lehmann
// estimate of the pairs' log-ratios ln(candidate / base) (the median of their Walsh averages
// (r_i + r_j) / 2, i <= j) with the Wilcoxon signed-rank confidence interval (the Walsh
// averages of ranks K and N + 1 - K of N = n(n+1)/2). Distribution-free, as kernel times with
// their long right tails need, and deterministic: the same samples give the same interval
// (docs/ab-gate.md says why this and not a bootstrap).
#include <cmath>
#include <cstddef>
#include <vector>

namespace qgemv {

struct PairedRatio {
  size_t pairs = 0;
  double confidence = 0;
  // Natural logs of the ratio candidate / base; lo and hi are -inf and +inf when there are too
  // few pairs for an interval at `confidence` (fewer than 9 at 99%, 6 at 95%).
  double estimate = 0;
  double lo = 0, hi = 0;

  double ratio() const { return std::exp(estimate); }
  double ratio_lo() const { return std::exp(lo); }
  double ratio_hi() const { return std::exp(hi); }
  bool bounded() const { return std::isfinite(lo) && std::isfinite(hi); }
};

// `log_ratios`: one per pair (harness/bench/ab_order.h pairs them). `confidence` in (0, 1).
// K comes from the signed-rank statistic's normal approximation with continuity correction,
// which errs towards a wider interval. Throws std::invalid_argument on no pairs, a value that
// is not finite, or a confidence outside (0, 1). O(n log n): the K-th Walsh average is found
// by bisection on how many Walsh averages lie below a value, never by listing them.
PairedRatio paired_ratio(std::vector<double> log_ratios, double confidence = 0.99);

// The K-th smallest (1-based) Walsh average of sorted values, exposed for the tests that
// check it against listing every average.
double kth_walsh_average(const std::vector<double>& sorted, size_t k);

// z such that a standard normal lies outside [-z, z] with probability `two_sided_tail`.
double normal_quantile_two_sided(double two_sided_tail);

}  // namespace qgemv
