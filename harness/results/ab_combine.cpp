#include "harness/results/ab_combine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "harness/bench/sample_stats.h"

namespace qgemv {
namespace {

// Nearest rank, as every reported median of qgemv: each value is one a process measured.
double median(std::vector<double> v) { return sample_stats(std::move(v)).median; }

// The settings every process of one gate shares; a difference means files of different gates.
void check_same_gate(const AbRow& first, const AbRow& r, size_t process) {
  const auto differ = [&](const char* what, const std::string& a, const std::string& b) {
    if (a != b)
      throw std::invalid_argument("process " + std::to_string(process + 1) + " has " + what + " '" +
                                  b + "', process 1 '" + a +
                                  "': not the processes of one A/B gate");
  };
  differ("device", first.device, r.device);
  differ("base revision", first.base_revision, r.base_revision);
  differ("candidate revision", first.candidate_revision, r.candidate_revision);
  differ("threshold", std::to_string(first.threshold_pct), std::to_string(r.threshold_pct));
  differ("confidence", std::to_string(first.confidence), std::to_string(r.confidence));
}

}  // namespace

AbCombined combine_ab_processes(const std::vector<std::vector<AbRow>>& processes) {
  if (processes.empty()) throw std::invalid_argument("combine_ab_processes: no processes");
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::optional<AbRow>>> by_key;
  const AbRow* first = nullptr;
  for (size_t p = 0; p < processes.size(); ++p)
    for (const AbRow& r : processes[p]) {
      if (!first) first = &r;
      check_same_gate(*first, r, p);
      auto [it, added] = by_key.try_emplace(r.key, processes.size());
      if (added) order.push_back(r.key);
      if (it->second[p])
        throw std::invalid_argument("process " + std::to_string(p + 1) + " has " + r.key +
                                    " twice");
      it->second[p] = r;
    }
  AbCombined out;
  for (const std::string& key : order) {
    const std::vector<std::optional<AbRow>>& per = by_key.at(key);
    std::vector<AbVerdict> verdicts;
    std::vector<double> ratio, base_us, candidate_us, sm_mhz, mem_mhz;
    AbRow c;
    bool missing = false, no_interval = false;
    double lo = INFINITY, hi = -INFINITY;
    std::string process_verdicts;
    for (const std::optional<AbRow>& r : per) {
      if (!process_verdicts.empty()) process_verdicts += '/';
      if (!r) {
        missing = true;
        process_verdicts += '-';
        continue;
      }
      if (verdicts.empty()) {  // key, device, revisions, threshold, confidence; sums from 0
        c = *r;
        c.pairs = c.rounds = c.base_samples = c.candidate_samples = c.throttle_discards = 0;
      }
      process_verdicts += verdict_name(r->verdict);
      verdicts.push_back(r->verdict);
      ratio.push_back(r->ratio);
      base_us.push_back(r->base_median_us);
      candidate_us.push_back(r->candidate_median_us);
      sm_mhz.push_back(r->sm_mhz);
      mem_mhz.push_back(r->mem_mhz);
      no_interval = no_interval || std::isnan(r->ratio_lo) || std::isnan(r->ratio_hi);
      lo = std::min(lo, r->ratio_lo);
      hi = std::max(hi, r->ratio_hi);
      c.pairs += r->pairs;
      c.rounds = std::max(c.rounds, r->rounds);
      c.base_samples += r->base_samples;
      c.candidate_samples += r->candidate_samples;
      c.throttle_discards += r->throttle_discards;
    }
    c.processes = int64_t(verdicts.size());
    c.verdict = missing ? AbVerdict::kAmbiguous : combine_verdicts(verdicts);
    c.ratio = median(ratio);
    c.ratio_lo = no_interval ? NAN : lo;
    c.ratio_hi = no_interval ? NAN : hi;
    c.process_verdicts = process_verdicts;
    c.base_median_us = median(base_us);
    c.candidate_median_us = median(candidate_us);
    c.sm_mhz = median(sm_mhz);
    c.mem_mhz = median(mem_mhz);
    if (missing) out.incomplete.push_back(key);
    out.rows.push_back(std::move(c));
  }
  return out;
}

}  // namespace qgemv
