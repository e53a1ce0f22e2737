#include "reference/error_model.h"

#include <cmath>
#include <limits>
#include <sstream>

namespace qgemv {
namespace {

constexpr double kUnitRoundoff = 1.0 / (1 << 24);
constexpr double kHalfSubnormalF32 = 0x1p-150;  // largest absolute error of one f32 rounding
constexpr double kUnitRoundoffF64 = 0x1p-53;

}  // namespace

int64_t rounding_budget(Path p, int64_t k) {
  // Every path splits a row over >= 32 lanes, each owning at most k/32 of its values; a
  // lane's chain is one rounding per value it adds, and the fixed part covers forming the
  // summand (<= 4), scaling partial sums (<= 3) and the cross-lane and cross-warp trees
  // (<= 9 levels). See ERROR_MODEL.md for each path's count.
  switch (p) {
    case Path::kQ4K:
    case Path::kTiled:
    case Path::kChunked:
    case Path::kMwv:
      return k / 32 + 16;
    case Path::kDp4a:
    case Path::kQ4KQ8:
    case Path::kMwvQ8:
      return k / 32 + 16;
  }
  return k;
}

double gamma_f32(int64_t m) {
  const double mu = double(m) * kUnitRoundoff;
  return mu / (1 - mu);
}

Eigen::VectorXd error_bound(Path p, int64_t k, const ReferenceGemv& ref) {
  const int64_t r = rounding_budget(p, k);
  // Summands per output: k/32 sub-blocks times two parts on Q8 paths, 2k values otherwise.
  const double summands = 2.0 * double(k);
  const double underflow = summands * double(r) * kHalfSubnormalF32;
  const double f64 = summands * kUnitRoundoffF64 * 1.01;  // the reference's own rounding
  return ((gamma_f32(r) + f64) * ref.magnitude.array() + underflow + ref.slack.array()).matrix();
}

CheckReport check_gemv(std::span<const float> got, const ReferenceGemv& ref, Path p, int64_t k) {
  CheckReport rep;
  rep.rows = ref.y.size();
  if (int64_t(got.size()) != rep.rows) {
    rep.failures = rep.rows;
    rep.worst_ratio = std::numeric_limits<double>::infinity();
    return rep;
  }
  const Eigen::VectorXd bound = error_bound(p, k, ref);
  for (int64_t i = 0; i < rep.rows; ++i) {
    const double err = std::fabs(double(got[i]) - ref.y[i]);
    const bool finite = std::isfinite(got[i]);
    const double ratio = !finite ? std::numeric_limits<double>::infinity()
                         : bound[i] > 0
                             ? err / bound[i]
                             : (err == 0 ? 0.0 : std::numeric_limits<double>::infinity());
    rep.worst_ratio = std::max(rep.worst_ratio, ratio);
    if (finite && err <= bound[i]) continue;
    ++rep.failures;
    if (rep.first.size() < 8) rep.first.push_back({i, got[i], ref.y[i], bound[i]});
  }
  return rep;
}

std::string CheckReport::summary() const {
  std::ostringstream os;
  os.precision(9);
  os << failures << " of " << rows << " rows outside the bound (worst |err|/bound " << worst_ratio
     << ")";
  for (const Mismatch& m : first)
    os << "\n  row " << m.row << ": got " << m.got << ", expected " << m.expected << ", bound "
       << m.bound;
  return os.str();
}

}  // namespace qgemv
