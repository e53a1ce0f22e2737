#pragma once
// What an A/B row says, from its paired ratio's interval and a threshold t (a fraction: the
// smallest change the gate should name), and what several processes say together. The
// interval against +-ln(1 + t):
//   slower     lo > ln(1 + t)                  confidently slower by more than t
//   faster     hi < -ln(1 + t)                 confidently faster by more than t
//   same       -ln(1 + t) <= lo, hi <= ln(1 + t)  confidently within t either way
//   ambiguous  anything else: the interval straddles +t or -t (more pairs would settle it,
//              unless the change is close to t), or there were too few pairs for one
// A change s is named when s minus the interval's half-width exceeds t, and an unchanged row
// only when its interval misses 0 by more than t: t sits between the two (docs/ab-gate.md).
#include <optional>
#include <span>
#include <string_view>

#include "harness/results/paired_ratio.h"

namespace qgemv {

enum class AbVerdict { kSame, kSlower, kFaster, kAmbiguous };

std::string_view verdict_name(AbVerdict v);  // "same", "slower", "faster", "ambiguous"
// The verdict a name names; nullopt for any other text.
std::optional<AbVerdict> verdict_from_name(std::string_view name);

// Throws std::invalid_argument unless 0 <= threshold and it is finite.
AbVerdict ab_verdict(const PairedRatio& r, double threshold);

// The processes' verdicts on one row: slower, faster or same only when every process says so,
// ambiguous otherwise, so that a row fails the gate only when the processes agree. Throws
// std::invalid_argument on no verdicts.
AbVerdict combine_verdicts(std::span<const AbVerdict> per_process);

}  // namespace qgemv
