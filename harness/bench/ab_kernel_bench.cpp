#include "harness/bench/ab_kernel_bench.h"

#include <stdexcept>

#include "harness/bench/ab_order.h"
#include "harness/bench/nvtx_range.h"
#include "harness/bench/sampling.h"

namespace qgemv {
namespace {

double median_of(std::vector<double> v) {
  return v.empty() ? 0 : sample_stats(std::move(v)).median;
}

}  // namespace

uint64_t ab_round_seed(uint64_t seed, const std::string& name, int round) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return seed * 0x9e3779b97f4a7c15ull ^ h ^ uint64_t(round) * 0xbf58476d1ce4e5b9ull;
}

AbKernelBench::AbKernelBench(KernelBench& kb, const AbOptions& opt, const GpuClocks* clocks,
                             int device)
    : kb_(kb), opt_(opt), clocks_(clocks), device_(device) {}

std::optional<uint64_t> AbKernelBench::spin_cycles(double region_us, int launches) const {
  if (!opt_.injection.active) return std::nullopt;
  return opt_.injection.spin_cycles(region_us, launches, sm_mhz_now(clocks_, device_));
}

AbKernelResult AbKernelBench::run(const KernelCase& c, Path base, Path candidate) {
  AbKernelResult out;
  out.name = c.name();
  const NvtxRange range("ab/" + out.name);
  kb_.prepare(c);
  if (opt_.relocate) kb_.relocate();
  const int launches = kb_.launches();
  // Warm-up of both sides, with zero-length spins where an injection is active, so that the
  // candidate's calibration sees the launches its timed samples will make.
  const std::optional<uint64_t> zero = spin_cycles(0, launches);
  std::vector<double> warm_candidate;
  const int warmup = opt_.injection.active ? std::max(opt_.warmup, 10) : opt_.warmup;
  for (int i = 0; i < warmup; ++i) {
    kb_.set_spin(zero);
    kb_.set_path(base);
    kb_.sample_us();
    kb_.set_path(candidate);
    warm_candidate.push_back(kb_.sample_us() * launches);
  }
  const std::optional<uint64_t> base_spin = zero;
  const std::optional<uint64_t> candidate_spin =
      opt_.injection.active ? spin_cycles(median_of(warm_candidate), launches) : std::nullopt;

  std::vector<double> base_us, candidate_us, log_ratios, sm_mhz, mem_mhz;
  int64_t throttled_in_a_row = 0;
  for (int round = 0; round < opt_.max_rounds; ++round) {
    std::vector<AbSide> order = ab_order(opt_.blocks, ab_round_seed(opt_.seed, out.name, round));
    if (opt_.mirror)
      for (AbSide& s : order) s = s == AbSide::kBase ? AbSide::kCandidate : AbSide::kBase;
    std::vector<double> times(order.size());
    for (size_t i = 0; i < order.size();) {
      const bool is_candidate = order[i] == AbSide::kCandidate;
      kb_.set_path(is_candidate ? candidate : base);
      kb_.set_spin(is_candidate ? candidate_spin : base_spin);
      const double us = kb_.sample_us();
      if (clocks_) {
        const ClockReading r = clocks_->read();
        if (r.reasons & kThrottleReasons) {  // taken again, in the same place of the order
          ++out.throttle_discards;
          if (++throttled_in_a_row >= kMaxThrottledInARow)
            throw std::runtime_error(out.name + ": the GPU stayed throttled for " +
                                     std::to_string(kMaxThrottledInARow) + " samples in a row (" +
                                     throttle_reason_names(r.reasons) + ")");
          continue;
        }
        throttled_in_a_row = 0;
        sm_mhz.push_back(r.sm_mhz);
        mem_mhz.push_back(r.mem_mhz);
      }
      (is_candidate ? candidate_us : base_us).push_back(us);
      times[i++] = us;
    }
    const std::vector<double> r = paired_log_ratios(order, times);
    log_ratios.insert(log_ratios.end(), r.begin(), r.end());
    out.rounds = round + 1;
    out.ratio = paired_ratio(log_ratios, opt_.confidence);
    out.verdict = ab_verdict(out.ratio, opt_.threshold);
    if (out.verdict != AbVerdict::kAmbiguous) break;
  }
  kb_.check_output();
  out.base = sample_stats(base_us);
  out.candidate = sample_stats(candidate_us);
  out.sm_mhz = median_of(sm_mhz);
  out.mem_mhz = median_of(mem_mhz);
  return out;
}

}  // namespace qgemv
