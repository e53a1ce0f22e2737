#pragma once
// One measured case of a results CSV (results/SCHEMA.md, schema version 1).
#include <cstdint>
#include <string>
#include <vector>

namespace qgemv {

inline constexpr int kResultsSchemaVersion = 1;

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
  double median_us = 0;
  double p10_us = 0;
  double p90_us = 0;
  int64_t bytes = 0;  // bytes a repetition must move at least
  double gbps = 0;
  double pct_ceiling = 0;

  // Rows of two files are matched on this.
  std::string key() const;
};

// Column names in file order.
const std::vector<std::string>& result_columns();

}  // namespace qgemv
