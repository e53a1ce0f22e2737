#pragma once
// Order statistics of timing samples. Percentiles are nearest-rank on the sorted samples, so
// each reported value is one that was measured.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace qgemv {

struct SampleStats {
  double median = 0;
  double p10 = 0;
  double p90 = 0;
  size_t count = 0;
  double noise = 0;  // median_noise() of the samples
};

// Nearest-rank percentile q in [0, 1] of sorted, non-empty samples.
inline double nearest_rank(const std::vector<double>& sorted, double q) {
  const size_t rank = size_t(std::ceil(q * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// How well sorted samples pin their median down: the half-width of the distribution-free 95%
// confidence interval of the median (order statistics at ranks n/2 -+ 0.98 sqrt(n), the
// binomial's normal approximation; at least 95% for 6 to a few hundred samples, about 95%
// beyond), relative to the median. Unlike the samples' spread it
// shrinks as samples are added, so "sample until noise <= 0.5%" ends; it assumes nothing
// about the shape of the distribution, which for kernel times has a long right tail.
// Below 6 samples even [min, max] holds the median less than 95% of the time (1 - 2 / 2^n):
// the noise is then unknown, infinite, so that no sampling stops on it.
inline double median_noise(const std::vector<double>& sorted) {
  if (sorted.size() < 6) return std::numeric_limits<double>::infinity();
  const double n = double(sorted.size());
  const double half = 0.98 * std::sqrt(n);
  const auto rank = [&](double r) {
    return sorted[size_t(std::clamp(r, 1.0, n)) - 1];  // 1-based rank, clamped
  };
  const double median = nearest_rank(sorted, 0.5);
  if (median <= 0) return 0;
  return (rank(std::ceil(n / 2 + 1 + half)) - rank(std::floor(n / 2 - half))) / 2 / median;
}

inline SampleStats sample_stats(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("no samples");
  std::sort(samples.begin(), samples.end());
  return {nearest_rank(samples, 0.5), nearest_rank(samples, 0.1), nearest_rank(samples, 0.9),
          samples.size(), median_noise(samples)};
}

}  // namespace qgemv
