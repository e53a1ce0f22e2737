#include "reference/error_model.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "kernels/formats/blocks.h"

namespace qgemv {
namespace {

constexpr double kUnitRoundoff = 1.0 / (1 << 24);
constexpr double kHalfSubnormalF32 = 0x1p-150;  // largest absolute error of one f32 rounding
constexpr double kUnitRoundoffF64 = 0x1p-53;

}  // namespace

int64_t rounding_budget(Path p, int64_t k) {
  // The longest chain of roundings one summand passes through in the path's kernel: the
  // built-in kernels' chains are counted in ERROR_MODEL.md ("Why the bound holds").
  return k / kQK + p->rounding_extra;
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
    uint32_t bits;
    std::memcpy(&bits, &got[i], sizeof bits);
    if (bits == kOutputPoisonBits || bits == kAllocationPoisonBits) ++rep.unwritten;
    if (rep.first.size() < 8) rep.first.push_back({i, got[i], ref.y[i], bound[i]});
  }
  return rep;
}

std::string CheckReport::summary() const {
  std::ostringstream os;
  os.precision(9);
  os << failures << " of " << rows << " rows outside the bound (worst |err|/bound " << worst_ratio
     << ")";
  if (unwritten > 0) os << ", " << unwritten << " of them never written (still the poison)";
  for (const Mismatch& m : first)
    os << "\n  row " << m.row << ": got " << m.got << ", expected " << m.expected << ", bound "
       << m.bound;
  return os.str();
}

}  // namespace qgemv
