#pragma once
// One measured case of a results CSV (results/SCHEMA.md, schema version 3; version 2 files are
// read too, their clock columns marked as not recorded).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace qgemv {

inline constexpr int kResultsSchemaVersion = 3;

struct ResultRow {
  int schema_version = kResultsSchemaVersion;
  std::string suite;       // "kernel" (one GEMV) or "token" (one decode step's GEMVs)
  std::string preset;      // model preset, or "custom"
  std::string projection;  // q, k, v, o, gate, up, down, or "all" for a token
  std::string path;
  std::string mode;  // alloc, pool, workspace, graph; "-" for kernel rows
  int64_t n = 0;
  int64_t k = 0;
  std::string device;
  std::string driver;
  std::string cuda_runtime;
  std::string git_rev;
  double ceiling_gbps = 0;  // streaming-read bandwidth measured in the same run
  int64_t repetitions = 0;
  double median_us = 0;  // kernel: GPU time of one launch; token: host wall time of one token
  double p10_us = 0;
  double p90_us = 0;
  int64_t bytes = 0;  // bytes a repetition must move at least
  double gbps = 0;
  double pct_ceiling = 0;
  // Where a token's time goes (medians); for kernel rows gpu_us = kernel_us = median_us.
  double gpu_us = 0;        // GPU time from the token's first to its last enqueued work
  double kernel_us = 0;     // sum of the token's kernel times, measured back to back
  double alloc_us = 0;      // host time inside allocation and free calls
  double launch_us = 0;     // host time issuing launches (validation and launch calls)
  double sync_us = 0;       // host time waiting for the GPU at the end of the token
  int64_t allocations = 0;  // allocation plus free calls per repetition
  int64_t launches = 0;     // launch calls per repetition (a graph replay is one)
  // The GPU while the row was sampled (version 3).
  double sm_mhz = 0;                   // median SM clock over the kept samples; 0: not read
  double mem_mhz = 0;                  // median memory clock; 0: not read
  int64_t clocks_locked = 0;           // 1 when --lock-clocks held the clocks
  int64_t throttle_discards = 0;       // samples discarded because the GPU was throttled
  std::string throttle_reasons = "-";  // reasons seen ("none", "sw_power_cap|..."); "-": not read
  double noise_pct = -1;  // relative half-width of the median's 95% interval; -1: not recorded

  // Rows of two files are matched on this.
  std::string key() const;
};

// Column names in file order.
const std::vector<std::string>& result_columns();

// The columns schema version 3 added (clocks, throttling, noise): the last ones of
// result_columns(), which a version 2 file lacks.
inline constexpr size_t kColumnsAddedInVersion3 = 6;
std::span<const std::string> columns_added_in_version3();

// Why a row is not one a results file may hold (results/SCHEMA.md), naming the column; nullopt
// for a valid row. The reader refuses such rows, and the writers refuse to write them, so that
// whatever qgemv writes it reads back.
std::optional<std::string> row_problem(const ResultRow& r);

}  // namespace qgemv
