#pragma once
// Names what limits a kernel from its counters, by fixed thresholds checked in this order:
//  1. memory bandwidth: DRAM or L1/TEX throughput at kMemoryBoundPct of peak or more;
//  2. instruction issue: the schedulers issue in kIssueBoundPct of active cycles or more;
//  3. launch or dependency: the kernel lasts under kLaunchBoundUs, so its fixed cost (launch,
//     ramp, tail, a round trip or two; in a token, the wait for the kernel before) is most of it;
//  4. latency or occupancy: nothing above is saturated; the warps wait (the top stall reasons
//     say on what) and too few are resident or eligible to hide it.
// Set against what Nsight Compute reads on the H100 (kernels/PERF_NOTES.md, results/h100/profile):
// a streaming read reaches 93% of DRAM peak; mwv_q8 v0 (DRAM 57%, issue 75%) was issue-bound;
// v3 (DRAM 63%, issue 50%, 59% of warp cycles on the L1TEX scoreboard) latency-bound; the f32
// mwv (L1/TEX 90%, DRAM 27%) L1-bound. 80% is also ncu's own mark of a unit near its peak. A
// Q8_1 quantization of 1536 values (6 KB) lasts 3.2-3.7 us under ncu: anything under 5 us is
// mostly that fixed cost. A verdict whose deciding number is near a threshold says so.
// Where a metric is missing the check that needs it is passed over.
#include <string>
#include <string_view>

#include "harness/profile/kernel_counters.h"

namespace qgemv::profile {

enum class Limiter { kMemoryBandwidth, kIssue, kLaunch, kLatencyOccupancy, kUnknown };

inline constexpr double kMemoryBoundPct = 80;
inline constexpr double kIssueBoundPct = 70;
inline constexpr double kLaunchBoundUs = 5;
// Within this fraction of a threshold (either side), the evidence names it as close.
inline constexpr double kNearFraction = 0.1;

std::string_view limiter_name(Limiter l);  // "memory bandwidth", ..., as reports print it
std::string_view limiter_key(Limiter l);   // "memory", "issue", "launch", "latency", "unknown"

struct Verdict {
  Limiter limiter = Limiter::kUnknown;
  std::string evidence;  // the numbers that decided it, and those against the others
};

Verdict classify(const KernelCounters& c);

}  // namespace qgemv::profile
