#include "harness/results/result_row.h"

#include <cmath>
#include <sstream>

namespace qgemv {

std::string ResultRow::key() const {
  return suite + "/" + preset + "/" + projection + "/" + path + "/" + mode + "/" +
         std::to_string(n) + "x" + std::to_string(k);
}

const std::vector<std::string>& result_columns() {
  static const std::vector<std::string> cols = {"schema_version",
                                                "suite",
                                                "preset",
                                                "projection",
                                                "path",
                                                "mode",
                                                "n",
                                                "k",
                                                "device",
                                                "driver",
                                                "cuda_runtime",
                                                "git_rev",
                                                "ceiling_gbps",
                                                "repetitions",
                                                "median_us",
                                                "p10_us",
                                                "p90_us",
                                                "bytes",
                                                "gbps",
                                                "pct_ceiling",
                                                "gpu_us",
                                                "kernel_us",
                                                "alloc_us",
                                                "launch_us",
                                                "sync_us",
                                                "allocations",
                                                "launches",
                                                "sm_mhz",
                                                "mem_mhz",
                                                "clocks_locked",
                                                "throttle_discards",
                                                "throttle_reasons",
                                                "noise_pct"};
  return cols;
}

std::span<const std::string> columns_added_in_version3() {
  const std::vector<std::string>& cols = result_columns();
  return std::span(cols).last(kColumnsAddedInVersion3);
}

namespace {

std::string shown(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

}  // namespace

std::optional<std::string> row_problem(const ResultRow& r) {
  if (r.schema_version != kResultsSchemaVersion)
    return "schema_version " + std::to_string(r.schema_version) +
           " is not supported (this qgemv reads version " + std::to_string(kResultsSchemaVersion) +
           ")";
  if (r.suite != "kernel" && r.suite != "token")
    return "suite must be 'kernel' or 'token', got '" + r.suite + "'";
  const std::pair<const char*, int64_t> positive_ints[] = {
      {"n", r.n}, {"k", r.k}, {"repetitions", r.repetitions}};
  for (const auto& [name, v] : positive_ints)
    if (v <= 0) return std::string(name) + " must be positive, got " + std::to_string(v);
  const std::pair<const char*, int64_t> counts[] = {{"bytes", r.bytes},
                                                    {"allocations", r.allocations},
                                                    {"launches", r.launches},
                                                    {"throttle_discards", r.throttle_discards}};
  for (const auto& [name, v] : counts)
    if (v < 0) return std::string(name) + " must be non-negative, got " + std::to_string(v);
  const std::pair<const char*, double> timings[] = {{"ceiling_gbps", r.ceiling_gbps},
                                                    {"median_us", r.median_us},
                                                    {"p10_us", r.p10_us},
                                                    {"p90_us", r.p90_us},
                                                    {"gbps", r.gbps},
                                                    {"pct_ceiling", r.pct_ceiling},
                                                    {"gpu_us", r.gpu_us},
                                                    {"kernel_us", r.kernel_us},
                                                    {"alloc_us", r.alloc_us},
                                                    {"launch_us", r.launch_us},
                                                    {"sync_us", r.sync_us},
                                                    {"sm_mhz", r.sm_mhz},
                                                    {"mem_mhz", r.mem_mhz}};
  for (const auto& [name, v] : timings)
    if (!std::isfinite(v) || v < 0)
      return std::string(name) + " must be finite and non-negative, got " + shown(v);
  // Both divide: gbps by median_us, pct_ceiling by ceiling_gbps.
  if (r.median_us <= 0) return "median_us must be positive, got " + shown(r.median_us);
  if (r.ceiling_gbps <= 0) return "ceiling_gbps must be positive, got " + shown(r.ceiling_gbps);
  if (r.p10_us > r.median_us || r.median_us > r.p90_us)
    return "expected p10_us <= median_us <= p90_us, got " + shown(r.p10_us) + ", " +
           shown(r.median_us) + ", " + shown(r.p90_us);
  if (r.clocks_locked != 0 && r.clocks_locked != 1)
    return "clocks_locked must be 0 or 1, got " + std::to_string(r.clocks_locked);
  if (!(r.noise_pct == -1 || (std::isfinite(r.noise_pct) && r.noise_pct >= 0)))
    return "noise_pct must be -1 (not recorded) or finite and non-negative, got " +
           shown(r.noise_pct);
  if (r.throttle_reasons.empty())
    return "throttle_reasons must be '-', 'none' or reason names, got an empty cell";
  return std::nullopt;
}

}  // namespace qgemv
