#include "harness/profile/limiter.h"

#include <cstdio>
#include <iterator>

namespace qgemv::profile {
namespace {

std::string num(const char* f, double v) {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

bool known(double v) { return v >= 0; }

// "DRAM 63%, L1/TEX 52%, issue 50%": the utilisations that did not decide the verdict.
std::string utilisations(const KernelCounters& c) {
  std::string s = "DRAM " + num("%.0f%%", c.dram_pct);
  s += ", L1/TEX " + num("%.0f%%", c.l1_pct);
  s += ", issue slots " + num("%.0f%%", c.issue_pct);
  return s;
}

std::string occupancy(const KernelCounters& c) {
  std::string s = "achieved occupancy " + num("%.0f%%", c.achieved_occupancy_pct);
  if (known(c.theoretical_occupancy_pct))
    s += " of " + num("%.0f%%", c.theoretical_occupancy_pct) + " theoretical";
  s += ", " + num("%.2f", c.waves_per_sm) + " waves per SM";
  if (known(c.eligible_warps))
    s += ", " + num("%.2f", c.eligible_warps) + " eligible warps per scheduler";
  return s;
}

// " (near the 80% memory bound)" when v is within kNearFraction of the threshold t.
std::string near(const char* what, double v, double t, const char* f) {
  if (v < 0 || v < t * (1 - kNearFraction) || v > t * (1 + kNearFraction)) return "";
  return std::string(" (") + what + " near the " + num(f, t) + " bound)";
}

// Notes for every threshold the kernel is close to, whichever decided.
std::string nearness(const KernelCounters& c) {
  return near("DRAM", c.dram_pct, kMemoryBoundPct, "%.0f%%") +
         near("L1/TEX", c.l1_pct, kMemoryBoundPct, "%.0f%%") +
         near("issue", c.issue_pct, kIssueBoundPct, "%.0f%%") +
         near("duration", c.duration_us, kLaunchBoundUs, "%.0f us");
}

std::string top_stall(const KernelCounters& c) {
  if (c.stalls.empty()) return "";
  return "; top stall " + c.stalls[0].reason + " " + num("%.0f%%", c.stalls[0].pct) +
         " of warp cycles";
}

// The verdict by the thresholds, in their order.
Verdict decide(const KernelCounters& c) {
  const std::string rest = utilisations(c);
  if (c.dram_pct >= kMemoryBoundPct || c.l1_pct >= kMemoryBoundPct) {
    const bool dram = c.dram_pct >= c.l1_pct;
    return {Limiter::kMemoryBandwidth,
            std::string(dram ? "DRAM " : "L1/TEX ") + num("%.0f%%", dram ? c.dram_pct : c.l1_pct) +
                " of peak (>= " + num("%.0f%%", kMemoryBoundPct) + "); " + rest};
  }
  if (c.issue_pct >= kIssueBoundPct)
    return {Limiter::kIssue, "issue slots used in " + num("%.0f%%", c.issue_pct) +
                                 " of active cycles (>= " + num("%.0f%%", kIssueBoundPct) + "); " +
                                 rest + top_stall(c)};
  if (known(c.duration_us) && c.duration_us < kLaunchBoundUs)
    return {Limiter::kLaunch, num("%.2f us", c.duration_us) + " (< " +
                                  num("%.0f us", kLaunchBoundUs) +
                                  "): its fixed cost (launch, ramp, tail) is most of it; " + rest};
  if (!known(c.dram_pct) || !known(c.issue_pct) || !known(c.achieved_occupancy_pct))
    return {Limiter::kUnknown, "missing DRAM, issue or occupancy counters"};
  return {Limiter::kLatencyOccupancy,
          "nothing saturated (" + rest + "); " + occupancy(c) + top_stall(c)};
}

// Each limiter's words in reports and its key in CSV and JSON.
struct LimiterNames {
  Limiter limiter;
  std::string_view name, key;
};
constexpr LimiterNames kLimiterNames[] = {
    {Limiter::kMemoryBandwidth, "memory bandwidth", "memory"},
    {Limiter::kIssue, "instruction issue", "issue"},
    {Limiter::kLaunch, "launch or dependency", "launch"},
    {Limiter::kLatencyOccupancy, "latency or occupancy", "latency"},
    {Limiter::kUnknown, "unknown", "unknown"},
};

const LimiterNames& names_of(Limiter l) {
  for (const LimiterNames& n : kLimiterNames)
    if (n.limiter == l) return n;
  return kLimiterNames[std::size(kLimiterNames) - 1];
}

}  // namespace

std::string_view limiter_name(Limiter l) { return names_of(l).name; }
std::string_view limiter_key(Limiter l) { return names_of(l).key; }

Verdict classify(const KernelCounters& c) {
  Verdict v = decide(c);
  if (v.limiter != Limiter::kUnknown) v.evidence += nearness(c);
  return v;
}

}  // namespace qgemv::profile
