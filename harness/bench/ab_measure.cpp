#include "harness/bench/ab_measure.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "harness/bench/ab_order.h"
#include "harness/bench/sampling.h"
#include "harness/io/fnv1a.h"

namespace qgemv {
namespace {

double median_of(std::vector<double> v) {
  return v.empty() ? 0 : sample_stats(std::move(v)).median;
}

}  // namespace

uint64_t ab_round_seed(uint64_t seed, const std::string& name, int round) {
  return seed * 0x9e3779b97f4a7c15ull ^ fnv1a(name) ^ uint64_t(round) * 0xbf58476d1ce4e5b9ull;
}

int64_t ab_round_blocks(const AbOptions& opt, int round) {
  return opt.blocks << std::min(round, 4);
}

AbResult ab_measure(const std::string& name, const AbOptions& opt, const GpuClocks* clocks,
                    int device, const AbSampler& s) {
  AbResult out;
  out.name = name;
  const auto spin_cycles = [&](double region_us) -> std::optional<uint64_t> {
    if (!opt.injection.active) return std::nullopt;  // no clock read for a spin never run
    return opt.injection.spin_cycles(region_us, s.launches, sm_mhz_now(clocks, device));
  };
  // Warm-up of both sides, with zero-length spins where an injection is active, so that the
  // candidate's calibration sees the launches its timed samples will make.
  const std::optional<uint64_t> zero = spin_cycles(0);
  std::vector<double> warm_candidate;
  const int warmup = opt.injection.active ? std::max(opt.warmup, 10) : opt.warmup;
  for (int i = 0; i < warmup; ++i) {
    s.sample(false, zero);
    warm_candidate.push_back(s.sample(true, zero) * s.per_sample_launches);
  }
  const std::optional<uint64_t> candidate_spin =
      opt.injection.active ? spin_cycles(median_of(warm_candidate)) : std::nullopt;

  std::vector<double> base_us, candidate_us, log_ratios;
  SamplingRecord clocks_seen;
  int64_t throttled_in_a_row = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < opt.max_rounds; ++round) {
    if (round > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
            opt.max_time_s)
      break;
    std::vector<AbSide> order =
        ab_order(ab_round_blocks(opt, round), ab_round_seed(opt.seed, name, round));
    if (opt.mirror)
      for (AbSide& side : order) side = side == AbSide::kBase ? AbSide::kCandidate : AbSide::kBase;
    std::vector<double> times(order.size());
    for (size_t i = 0; i < order.size();) {
      const bool is_candidate = order[i] == AbSide::kCandidate;
      const double us = s.sample(is_candidate, is_candidate ? candidate_spin : zero);
      // A throttled sample is taken again in its place of the order.
      if (clocks && !keep_sample(clocks->read(), clocks_seen, throttled_in_a_row)) continue;
      (is_candidate ? candidate_us : base_us).push_back(us);
      times[i++] = us;
    }
    const std::vector<double> r = paired_log_ratios(order, times);
    log_ratios.insert(log_ratios.end(), r.begin(), r.end());
    out.rounds = round + 1;
    out.ratio = paired_ratio(log_ratios, opt.confidence);
    out.verdict = ab_verdict(out.ratio, opt.threshold);
    if (out.verdict != AbVerdict::kAmbiguous) break;
  }
  out.base = sample_stats(base_us);
  out.candidate = sample_stats(candidate_us);
  out.throttle_discards = clocks_seen.discarded;
  out.sm_mhz = median_of(clocks_seen.sm_mhz);
  out.mem_mhz = median_of(clocks_seen.mem_mhz);
  return out;
}

}  // namespace qgemv
