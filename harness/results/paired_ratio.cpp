#include "harness/results/paired_ratio.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace qgemv {
namespace {

// How many Walsh averages of sorted `r` are <= d: pairs i <= j with r_i + r_j <= 2d, counted
// with one pointer walking down as i walks up.
size_t walsh_count_at_most(const std::vector<double>& r, double d) {
  const double twice = 2 * d;
  size_t count = 0;
  size_t j = r.size();  // one past the last j with r_i + r_j <= 2d
  for (size_t i = 0; i < r.size(); ++i) {
    while (j > 0 && r[i] + r[j - 1] > twice) --j;
    if (j <= i) break;  // later i only lower the bound further
    count += j - i;
  }
  return count;
}

}  // namespace

double kth_walsh_average(const std::vector<double>& sorted, size_t k) {
  const size_t n = sorted.size();
  if (n == 0 || k < 1 || k > n * (n + 1) / 2)
    throw std::invalid_argument("kth_walsh_average: rank " + std::to_string(k) + " of " +
                                std::to_string(n * (n + 1) / 2) + " averages");
  double lo = sorted.front(), hi = sorted.back();
  if (walsh_count_at_most(sorted, lo) >= k) return lo;
  // Invariant: fewer than k averages are <= lo, at least k are <= hi. Halve until the doubles
  // between them run out, so hi is the k-th average to the last bit the sums allow.
  for (;;) {
    const double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) return hi;
    (walsh_count_at_most(sorted, mid) >= k ? hi : lo) = mid;
  }
}

double normal_quantile_two_sided(double two_sided_tail) {
  if (!(two_sided_tail > 0 && two_sided_tail < 1))
    throw std::invalid_argument("normal_quantile_two_sided: tail outside (0, 1)");
  // erfc(z / sqrt 2) falls from 1 at z = 0 to below 1e-300 long before z = 40.
  double lo = 0, hi = 40;
  for (int i = 0; i < 200; ++i) {
    const double mid = (lo + hi) / 2;
    (std::erfc(mid / std::sqrt(2.0)) > two_sided_tail ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

PairedRatio paired_ratio(std::vector<double> log_ratios, double confidence) {
  if (log_ratios.empty()) throw std::invalid_argument("paired_ratio: no pairs");
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("paired_ratio: confidence must lie in (0, 1)");
  for (double r : log_ratios)
    if (!std::isfinite(r)) throw std::invalid_argument("paired_ratio: a log-ratio is not finite");
  std::sort(log_ratios.begin(), log_ratios.end());
  const size_t n = log_ratios.size(), averages = n * (n + 1) / 2;
  PairedRatio out;
  out.pairs = n;
  out.confidence = confidence;
  out.estimate = averages % 2 == 1 ? kth_walsh_average(log_ratios, (averages + 1) / 2)
                                   : (kth_walsh_average(log_ratios, averages / 2) +
                                      kth_walsh_average(log_ratios, averages / 2 + 1)) /
                                         2;
  // The signed-rank statistic has mean N/2 and variance n(n+1)(2n+1)/24 (no ties); K is one
  // more than the largest count c with P(T <= c) <= (1 - confidence) / 2, continuity-corrected.
  const double nd = double(n);
  const double sd = std::sqrt(nd * (nd + 1) * (2 * nd + 1) / 24);
  const double z = normal_quantile_two_sided(1 - confidence);
  const double c = std::floor(double(averages) / 2 - z * sd - 0.5);
  if (c < 0) {
    out.lo = -std::numeric_limits<double>::infinity();
    out.hi = std::numeric_limits<double>::infinity();
    return out;
  }
  const size_t k = size_t(c) + 1;
  out.lo = kth_walsh_average(log_ratios, k);
  out.hi = kth_walsh_average(log_ratios, averages + 1 - k);
  return out;
}

}  // namespace qgemv
