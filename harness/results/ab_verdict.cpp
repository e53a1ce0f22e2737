#include "harness/results/ab_verdict.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace qgemv {

std::string_view verdict_name(AbVerdict v) {
  switch (v) {
    case AbVerdict::kSame:
      return "same";
    case AbVerdict::kSlower:
      return "slower";
    case AbVerdict::kFaster:
      return "faster";
    case AbVerdict::kAmbiguous:
      return "ambiguous";
  }
  throw std::logic_error("verdict_name: not a verdict");
}

std::optional<AbVerdict> verdict_from_name(std::string_view name) {
  for (AbVerdict v :
       {AbVerdict::kSame, AbVerdict::kSlower, AbVerdict::kFaster, AbVerdict::kAmbiguous})
    if (verdict_name(v) == name) return v;
  return std::nullopt;
}

AbVerdict ab_verdict(const PairedRatio& r, double threshold) {
  if (!(threshold >= 0 && std::isfinite(threshold)))
    throw std::invalid_argument("ab_verdict: the threshold must be finite and not negative");
  const double t = std::log1p(threshold);
  if (r.lo > t) return AbVerdict::kSlower;
  if (r.hi < -t) return AbVerdict::kFaster;
  if (r.lo >= -t && r.hi <= t) return AbVerdict::kSame;
  return AbVerdict::kAmbiguous;
}

AbVerdict combine_verdicts(std::span<const AbVerdict> per_process) {
  if (per_process.empty()) throw std::invalid_argument("combine_verdicts: no processes");
  const AbVerdict first = per_process.front();
  const bool agree =
      std::all_of(per_process.begin(), per_process.end(), [&](AbVerdict v) { return v == first; });
  return agree ? first : AbVerdict::kAmbiguous;
}

}  // namespace qgemv
