#pragma once
// How many samples a benchmark case takes, and which it keeps. Fixed: exactly --repetitions.
// Adaptive (the default): until the median is pinned down to --max-noise (median_noise) after
// --min-samples, or until --max-time has passed. Either way a sample taken while the GPU was
// throttled (power cap, thermal or hardware slowdown, read through NVML right after it) is
// discarded and taken again, and counted.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/bench/gpu_clocks.h"
#include "harness/bench/sample_stats.h"

namespace qgemv {

struct SamplingOptions {
  int repetitions = 0;  // > 0: fixed, exactly this many kept samples; 0: adaptive
  int min_samples = 40;
  double max_noise = 0.005;  // a fraction (0.005 = 0.5%)
  double max_time_s = 0.5;   // per case, discarded samples included
  int warmup = 10;
  // Kernel rows: the samples are spread over this many placements of the case's buffers in
  // device memory (KernelBench::relocate), each with its own warm-up.
  int placements = 4;
};

// Placement `index`'s share of `opt` among `parts`: fixed counts split exactly (the first
// ones take the remainder), the adaptive floor and the time divided.
inline SamplingOptions share_of(const SamplingOptions& opt, int parts, int index) {
  SamplingOptions part = opt;
  const auto share = [&](int v) { return v / parts + (index < v % parts ? 1 : 0); };
  part.repetitions = opt.repetitions > 0 ? share(opt.repetitions) : 0;
  part.min_samples = std::max(1, share(opt.min_samples));
  part.max_time_s = opt.max_time_s / parts;
  return part;
}

// What a case's sampling saw besides the kept samples.
struct SamplingRecord {
  int64_t discarded = 0;                // throttled samples taken again
  uint64_t reasons = 0;                 // throttle reasons seen on discarded samples
  std::vector<double> sm_mhz, mem_mhz;  // at each kept sample; empty when no clocks were read
};

// A GPU that stays throttled this many samples in a row is not one to benchmark on.
inline constexpr int64_t kMaxThrottledInARow = 1000;

// Whether a sample whose clocks read `c` is kept: a throttled one is counted in `rec` and is to
// be taken again; a kept one's clocks go to `rec`. `in_a_row` counts throttled readings since
// the last kept one; throws when it reaches kMaxThrottledInARow.
inline bool keep_sample(const ClockReading& c, SamplingRecord& rec, int64_t& in_a_row) {
  if (c.reasons & kThrottleReasons) {
    ++rec.discarded;
    rec.reasons |= c.reasons & kThrottleReasons;
    if (++in_a_row >= kMaxThrottledInARow)
      throw std::runtime_error("the GPU stayed throttled for " +
                               std::to_string(kMaxThrottledInARow) + " samples in a row (" +
                               throttle_reason_names(rec.reasons) + ")");
    return false;
  }
  in_a_row = 0;
  rec.sm_mhz.push_back(c.sm_mhz);
  rec.mem_mhz.push_back(c.mem_mhz);
  return true;
}

// Appends samples to `kept` (samples of earlier calls, e.g. Google Benchmark repetitions,
// count towards the noise) until `opt` says stop. `take()` returns one sample, `value(s)` its
// timed quantity, `read_clocks()` an optional<ClockReading> (nullopt: not read, nothing
// discarded).
template <typename Sample, typename Take, typename Value, typename ReadClocks>
void take_samples(const SamplingOptions& opt, ReadClocks&& read_clocks, Take&& take, Value&& value,
                  std::vector<Sample>& kept, SamplingRecord& rec) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const size_t first = kept.size();
  const auto elapsed_s = [&] {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  size_t next_check = first + size_t(std::max(1, opt.min_samples));
  int64_t throttled_in_a_row = 0;
  std::vector<double> sorted;
  for (;;) {
    Sample s = take();
    if (const std::optional<ClockReading> reading = read_clocks())
      if (!keep_sample(*reading, rec, throttled_in_a_row)) continue;
    kept.push_back(std::move(s));
    const size_t taken = kept.size() - first;
    if (opt.repetitions > 0) {
      if (taken >= size_t(opt.repetitions)) return;
      continue;
    }
    if (taken < size_t(opt.min_samples)) continue;
    const bool out_of_time = elapsed_s() >= opt.max_time_s;
    if (kept.size() < next_check && !out_of_time) continue;
    // Sorting at geometrically spaced counts keeps the checks O(n log n) in all.
    sorted.clear();
    for (const Sample& k : kept) sorted.push_back(value(k));
    std::sort(sorted.begin(), sorted.end());
    if (out_of_time || median_noise(sorted) <= opt.max_noise) return;
    next_check = kept.size() + std::max<size_t>(1, kept.size() / 8);
  }
}

}  // namespace qgemv
