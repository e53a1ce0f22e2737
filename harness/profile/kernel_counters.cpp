#include "harness/profile/kernel_counters.h"

#include <algorithm>
#include <optional>
#include <string_view>

namespace qgemv::profile {
namespace {

// Two families of stall counters name the same reasons; ncu versions differ in which the
// WarpStateStats section collects. Each gives a reason's share once divided by the family's sum.
constexpr std::string_view kStallFamilies[][2] = {
    {"smsp__average_warps_issue_stalled_", "_per_issue_active.ratio"},
    {"smsp__warp_issue_stalled_", "_per_warp_active.pct"},
};

std::vector<StallShare> stall_shares(const NcuKernelRow& row) {
  for (const auto& [prefix, suffix] : kStallFamilies) {
    std::vector<StallShare> all;
    double sum = 0;
    for (const auto& [name, v] : row.metrics) {
      if (!name.starts_with(prefix) || !name.ends_with(suffix)) continue;
      std::string reason = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
      // The not_issued variants count the same cycles again, restricted to unissued ones.
      if (reason.find("not_issued") != std::string::npos) continue;
      sum += v;
      all.push_back({std::move(reason), v});
    }
    if (all.empty() || sum <= 0) continue;
    std::vector<StallShare> out;
    for (StallShare& s : all) {
      s.pct = 100 * s.pct / sum;
      // Selected is the warp issuing, not stalled.
      if (s.reason != "selected") out.push_back(std::move(s));
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const StallShare& a, const StallShare& b) { return a.pct > b.pct; });
    return out;
  }
  return {};
}

// Profiles saved before a metric was requested may hold the same count under the name ncu's
// own sections give it: ncu 2025.3's raw page has the warp instructions executed as
// inst_executed (equal to smsp__inst_executed.sum: both count warp-level SASS instructions).
// Reading it keeps the committed profiles comparable with new ones.
constexpr std::string_view kFallbacks[][2] = {
    {"smsp__inst_executed.sum", "inst_executed"},
};

std::optional<double> lookup(const NcuKernelRow& row, const std::string& name) {
  if (auto v = row.metric(name)) return v;
  // The older names hold no "__", so ncu_csv.h kept them as text only; they are counts.
  for (const auto& [metric, older] : kFallbacks)
    if (const auto it = row.text.find(std::string(older)); metric == name && it != row.text.end())
      return ncu_value(it->second, "");
  return std::nullopt;
}

double get(const NcuKernelRow& row, const std::string& name) {
  return lookup(row, name).value_or(-1);
}

}  // namespace

const std::vector<std::string>& collected_metrics() {
  static const std::vector<std::string> kMetrics = {
      "gpu__time_duration.sum",
      "dram__throughput.avg.pct_of_peak_sustained_elapsed",
      "dram__bytes_read.sum",
      "dram__bytes_write.sum",
      "smsp__inst_executed.sum",
      // Executed SASS instructions that spill registers to local memory or fill them back:
      // 0 for a kernel that does not spill, whatever its size (the counter gate's spill count).
      "sass__inst_executed_register_spilling",
      "lts__t_sector_hit_rate.pct",
      "l1tex__throughput.avg.pct_of_peak_sustained_active",
      "sm__warps_active.avg.pct_of_peak_sustained_active",
      "sm__maximum_warps_per_active_cycle_pct",
      "launch__waves_per_multiprocessor",
      "smsp__issue_active.avg.pct_of_peak_sustained_active",
      "smsp__warps_eligible.avg.per_cycle_active",
      "launch__registers_per_thread",
      "launch__shared_mem_per_block_static",
      "launch__shared_mem_per_block_dynamic",
      "launch__grid_size",
      "launch__block_size",
  };
  return kMetrics;
}

std::vector<std::string> missing_metrics(const NcuKernelRow& row) {
  std::vector<std::string> out;
  for (const std::string& m : collected_metrics())
    if (!lookup(row, m)) out.push_back(m);
  if (stall_shares(row).empty()) out.push_back("warp-stall reasons (smsp__*issue_stalled_*)");
  return out;
}

double KernelCounters::read_ratio() const {
  return dram_read_bytes >= 0 && launch.min_bytes > 0 ? dram_read_bytes / double(launch.min_bytes)
                                                      : -1;
}

KernelCounters counters_from(const NcuKernelRow& row, const LaunchLabel& launch) {
  KernelCounters c;
  c.launch = launch;
  c.kernel = row.kernel;
  const double ns = get(row, "gpu__time_duration.sum");
  c.duration_us = ns >= 0 ? ns * 1e-3 : -1;
  c.dram_pct = get(row, "dram__throughput.avg.pct_of_peak_sustained_elapsed");
  c.dram_read_bytes = get(row, "dram__bytes_read.sum");
  c.dram_write_bytes = get(row, "dram__bytes_write.sum");
  c.instructions = get(row, "smsp__inst_executed.sum");
  c.spill_instructions = get(row, "sass__inst_executed_register_spilling");
  c.l2_hit_pct = get(row, "lts__t_sector_hit_rate.pct");
  c.l1_pct = get(row, "l1tex__throughput.avg.pct_of_peak_sustained_active");
  c.achieved_occupancy_pct = get(row, "sm__warps_active.avg.pct_of_peak_sustained_active");
  c.theoretical_occupancy_pct = get(row, "sm__maximum_warps_per_active_cycle_pct");
  c.waves_per_sm = get(row, "launch__waves_per_multiprocessor");
  c.issue_pct = get(row, "smsp__issue_active.avg.pct_of_peak_sustained_active");
  c.eligible_warps = get(row, "smsp__warps_eligible.avg.per_cycle_active");
  c.registers = int64_t(get(row, "launch__registers_per_thread"));
  const double smem_static = get(row, "launch__shared_mem_per_block_static");
  const double smem_dynamic = get(row, "launch__shared_mem_per_block_dynamic");
  c.shared_bytes = smem_static < 0 && smem_dynamic < 0
                       ? -1
                       : int64_t(std::max(0.0, smem_static) + std::max(0.0, smem_dynamic));
  c.grid = int64_t(get(row, "launch__grid_size"));
  c.block = int64_t(get(row, "launch__block_size"));
  c.stalls = stall_shares(row);
  return c;
}

}  // namespace qgemv::profile
