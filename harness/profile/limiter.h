#pragma once
// Names what limits a kernel from its counters, by fixed thresholds checked in this order:
//  1. memory bandwidth: DRAM or L1/TEX throughput at kMemoryBoundPct of peak or more;
//  2. instruction issue: the schedulers issue in kIssueBoundPct of active cycles or more;
//  3. launch or dependency: the kernel lasts under kLaunchBoundUs, so launch, ramp and tail
//     (and in a token the wait for the kernel before) are most of it;
//  4. latency or occupancy: nothing above is saturated; the warps wait (the top stall reasons
//     say on what) and too few are resident or eligible to hide it.
// The thresholds are set against kernels/PERF_NOTES.md's ncu records on the H100: mwv_q8 v0
// (DRAM 57%, issue 75%) was issue-bound; v3 (DRAM 63%, issue 50%, 59% of cycles on L1TEX
// scoreboard) latency-bound; the f32 mwv (L1/TEX 90%, DRAM 27%) L1-bound; a streaming read
// reaches 90%+ of DRAM. Where a metric is missing the check that needs it is passed over.
#include <string>
#include <string_view>

#include "harness/profile/kernel_counters.h"

namespace qgemv::profile {

enum class Limiter { kMemoryBandwidth, kIssue, kLaunch, kLatencyOccupancy, kUnknown };

inline constexpr double kMemoryBoundPct = 70;
inline constexpr double kIssueBoundPct = 70;
inline constexpr double kLaunchBoundUs = 3;

std::string_view limiter_name(Limiter l);  // "memory bandwidth", ..., as reports print it
std::string_view limiter_key(Limiter l);   // "memory", "issue", "launch", "latency", "unknown"

struct Verdict {
  Limiter limiter = Limiter::kUnknown;
  std::string evidence;  // the numbers that decided it, and those against the others
};

Verdict classify(const KernelCounters& c);

}  // namespace qgemv::profile
