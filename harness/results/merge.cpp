#include "harness/results/merge.h"

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

namespace qgemv {
namespace {

// "-" (not read), "none", or reason names joined by '|': the set of names seen in any run.
void add_reasons(std::set<std::string>& seen, const std::string& reasons) {
  size_t begin = 0;
  while (begin <= reasons.size()) {
    const size_t end = std::min(reasons.find('|', begin), reasons.size());
    seen.insert(reasons.substr(begin, end - begin));
    begin = end + 1;
  }
}

std::string joined_reasons(std::set<std::string> seen) {
  if (seen.count("-")) return "-";
  if (seen.size() > 1) seen.erase("none");
  std::string out;
  for (const std::string& s : seen) {
    if (!out.empty()) out += '|';
    out += s;
  }
  return out;
}

}  // namespace

std::vector<ResultRow> merge_runs(const std::vector<std::vector<ResultRow>>& runs,
                                  const std::vector<std::string>& names) {
  if (runs.empty()) throw std::runtime_error("no runs to merge");
  // A run without rows (a header alone) would pool into a baseline that gates nothing.
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].empty()) throw std::runtime_error(names[i] + ": no result rows to merge");
  std::vector<std::map<std::string, const ResultRow*>> by_key(runs.size());
  for (size_t i = 0; i < runs.size(); ++i)
    for (const ResultRow& r : runs[i]) by_key[i][r.key()] = &r;
  std::vector<ResultRow> out;
  for (const ResultRow& first : runs[0]) {
    ResultRow m = first;
    const double count = double(runs.size());
    double median = 0, ceiling = 0, gpu = 0, kernel = 0, alloc = 0, launch = 0, sync = 0;
    double sm = 0, mem = 0;
    bool all_sm = true, all_mem = true;
    std::set<std::string> reasons;
    for (size_t i = 0; i < runs.size(); ++i) {
      const auto it = by_key[i].find(first.key());
      if (it == by_key[i].end())
        throw std::runtime_error(names[i] + " lacks " + first.key() +
                                 " (runs must hold the same cases)");
      const ResultRow& r = *it->second;
      if (r.device != first.device)
        throw std::runtime_error(names[i] + " measured " + r.device + ", " + names[0] +
                                 " measured " + first.device);
      // A baseline's spread is one build's run-to-run drift; two builds would widen it by
      // whatever changed between them, and the gate would miss exactly that.
      if (r.git_rev != first.git_rev)
        throw std::runtime_error(names[i] + " is build " + r.git_rev + ", " + names[0] +
                                 " is build " + first.git_rev + ": merge pools runs of one build");
      median += r.median_us / count;
      ceiling += r.ceiling_gbps / count;
      gpu += r.gpu_us / count;
      kernel += r.kernel_us / count;
      alloc += r.alloc_us / count;
      launch += r.launch_us / count;
      sync += r.sync_us / count;
      sm += r.sm_mhz / count;
      mem += r.mem_mhz / count;
      all_sm = all_sm && r.sm_mhz > 0;
      all_mem = all_mem && r.mem_mhz > 0;
      if (i > 0) {
        m.throttle_discards += r.throttle_discards;
        m.clocks_locked = std::min(m.clocks_locked, r.clocks_locked);
        // The pooled median is only as well pinned down as the run that pinned it least.
        m.noise_pct = m.noise_pct < 0 || r.noise_pct < 0 ? -1 : std::max(m.noise_pct, r.noise_pct);
      }
      add_reasons(reasons, r.throttle_reasons);
      if (i > 0 && __builtin_add_overflow(m.repetitions, r.repetitions, &m.repetitions))
        throw std::runtime_error(names[i] + ": " + first.key() +
                                 ": the runs' repetitions add up past 2^63");
      m.p10_us = std::min(m.p10_us, r.p10_us);
      m.p90_us = std::max(m.p90_us, r.p90_us);
    }
    m.median_us = std::clamp(median, m.p10_us, m.p90_us);
    m.ceiling_gbps = ceiling;
    m.gpu_us = gpu;
    m.kernel_us = kernel;
    m.alloc_us = alloc;
    m.launch_us = launch;
    m.sync_us = sync;
    // A run that did not read the clocks leaves the pooled clocks unknown, not averaged down.
    m.sm_mhz = all_sm ? sm : 0;
    m.mem_mhz = all_mem ? mem : 0;
    m.throttle_reasons = joined_reasons(reasons);
    m.gbps = double(m.bytes) / (m.median_us * 1e3);
    m.pct_ceiling = 100.0 * m.gbps / m.ceiling_gbps;
    // The reader checked each run's rows; pooling can still overflow (gbps of a tiny median).
    if (const auto problem = row_problem(m))
      throw std::runtime_error("merging " + first.key() +
                               " gives a row no results file may hold: " + *problem);
    out.push_back(m);
  }
  for (size_t i = 1; i < runs.size(); ++i)
    if (runs[i].size() != runs[0].size())
      throw std::runtime_error(names[i] + " holds " + std::to_string(runs[i].size()) + " cases, " +
                               names[0] + " " + std::to_string(runs[0].size()));
  return out;
}

}  // namespace qgemv
