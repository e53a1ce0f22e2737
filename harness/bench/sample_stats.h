#pragma once
// Order statistics of timing samples. Percentiles are nearest-rank on the sorted samples, so
// each reported value is one that was measured.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace qgemv {

struct SampleStats {
  double median = 0;
  double p10 = 0;
  double p90 = 0;
  size_t count = 0;
};

// Nearest-rank percentile q in [0, 1] of sorted, non-empty samples.
inline double nearest_rank(const std::vector<double>& sorted, double q) {
  const size_t rank = size_t(std::ceil(q * double(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

inline SampleStats sample_stats(std::vector<double> samples) {
  if (samples.empty()) throw std::invalid_argument("no samples");
  std::sort(samples.begin(), samples.end());
  return {nearest_rank(samples, 0.5), nearest_rank(samples, 0.1), nearest_rank(samples, 0.9),
          samples.size()};
}

}  // namespace qgemv
