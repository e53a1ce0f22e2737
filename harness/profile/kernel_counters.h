#pragma once
// One profiled kernel: what the profiling target said it launched (its manifest line) and the
// counters Nsight Compute read for it, as the numbers a limiter is named from.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/profile/ncu_csv.h"

namespace qgemv::profile {

// What the target launched, one line per kernel in launch order (manifest.h).
struct LaunchLabel {
  std::string label;      // projection ("q+k+v", "down"), "q8_quantize" or a probe's name
  int64_t n = 0, k = 0;   // GEMV shape; 0 where there is none
  int64_t per_token = 1;  // launches of it per token (the layers)
  int64_t min_bytes = 0;  // the fewest bytes it must move (0: not a GEMV)
};

struct StallShare {
  std::string reason;  // ncu's name: long_scoreboard, mio_throttle, ...
  double pct = 0;      // share of the warps' stalled and issuing cycles
};

// The metrics Nsight Compute collects (ncu_driver.h asks for them). -1 where ncu gave none.
struct KernelCounters {
  LaunchLabel launch;
  std::string kernel;                  // the kernel's function name
  std::string sass;                    // its code identity (sass_record.h); "" unknown
  double duration_us = -1;             // gpu__time_duration.sum
  double dram_pct = -1;                // DRAM throughput, % of peak over the elapsed cycles
  double dram_read_bytes = -1;         // dram__bytes_read.sum
  double dram_write_bytes = -1;        // dram__bytes_write.sum
  double instructions = -1;            // warp instructions executed: smsp__inst_executed.sum
  double spill_instructions = -1;      // of them, spills and fills to local memory
  double l2_hit_pct = -1;              // lts__t_sector_hit_rate.pct
  double l1_pct = -1;                  // L1/TEX throughput, % of peak over active cycles
  double achieved_occupancy_pct = -1;  // warps active, % of the SM's maximum
  double theoretical_occupancy_pct = -1;
  double waves_per_sm = -1;        // launch__waves_per_multiprocessor
  double issue_pct = -1;           // issue slots used, % of active cycles
  double eligible_warps = -1;      // per scheduler per cycle
  int64_t registers = -1;          // per thread
  int64_t shared_bytes = -1;       // per CTA, static and dynamic
  int64_t grid = -1, block = -1;   // CTAs, threads per CTA
  std::vector<StallShare> stalls;  // every stall reason, largest first ("selected" excluded)

  // Bytes read from DRAM over the fewest the kernel must move; -1 when either is unknown.
  double read_ratio() const;
};

// The metric names read, each named in ncu's --metrics (ncu_collect_argv); the warp-stall
// counters, whose names vary with the ncu version, come from its WarpStateStats section.
const std::vector<std::string>& collected_metrics();

// The collected metrics the row lacks (no column, or ncu printed no number for it). A metric
// whose older name the row has (metric_fallbacks) is not missing.
std::vector<std::string> missing_metrics(const NcuKernelRow& row);

KernelCounters counters_from(const NcuKernelRow& row, const LaunchLabel& launch);

}  // namespace qgemv::profile
