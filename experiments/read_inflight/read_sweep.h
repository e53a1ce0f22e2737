#pragma once
// The read variants timed as qgemv bench times its read rows (harness/bench/kernel_bench.cpp):
// CUDA events behind the gate, each launch on the next copy of a rotation spanning 4 x L2, one
// launch per sample or 16 back to back, medians; and each variant on the 4 GiB buffer of the
// read ceiling, which is measured in the same run, first and last.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "experiments/read_inflight/read_config.h"
#include "experiments/read_inflight/sweep_report.h"
#include "harness/bench/kernel_bench.h"

namespace qgemv::experiment {

// A read row's bytes. A read depends on the byte count alone, so projections of a preset with
// equal counts are read once, the shape named after all of them ("qwen2.5-7b/gate+up+down");
// n and k are the first one's (the weights drawn for it).
struct SweepShape {
  std::string name;
  int64_t n = 0;
  int64_t k = 0;
  int64_t bytes = 0;
};

// The presets' projections that Q4_K holds (as kernel_cases keeps them), in issue order.
std::vector<SweepShape> sweep_shapes(const std::vector<std::string>& presets);

// "ceiling-4GiB" for 4 GiB; MiB below a GiB multiple.
std::string ceiling_shape_name(int64_t bytes);

struct SweepOptions {
  std::vector<ReadConfig> configs;
  std::vector<std::string> presets;
  std::vector<KernelTiming> timings{std::begin(kAllKernelTimings), std::end(kAllKernelTimings)};
  // Samples come in rounds over the readers, so that a drift of clocks or temperature spreads
  // over all of them instead of landing on the last; `warmup` untimed samples open each turn.
  int rounds = 5;
  int samples_per_round = 10;
  int warmup = 2;
  int64_t ceiling_bytes = int64_t(4) << 30;  // 0: no ceiling rows for the variants
  int ceiling_samples = 10;                  // per variant on the ceiling's buffer
  uint64_t seed = 1;
  std::ostream* progress = nullptr;  // a line per shape, when given
};

// Runs on the current device (eager module loading required, as for qgemv bench); throws
// CudaError or std::invalid_argument.
SweepResult run_read_sweep(const SweepOptions& o);

}  // namespace qgemv::experiment
