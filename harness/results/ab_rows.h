#pragma once
// The A/B CSV (ab_schema_version 1): one line per case of `qgemv bench --ab-base`, written by
// one process or combined from several (docs/ab-gate.md), and read back to combine them.
// Plain C++, tested on the CPU.
#include <cstdint>
#include <string>
#include <vector>

#include "harness/results/ab_verdict.h"

namespace qgemv {

inline constexpr int kAbSchemaVersion = 1;

struct AbRow {
  std::string key;  // the row key of results/SCHEMA.md
  std::string device, base_revision, candidate_revision;
  double base_median_us = 0, candidate_median_us = 0;
  double ratio = 0;
  double ratio_lo = 0, ratio_hi = 0;  // NaN without an interval (written "-")
  double confidence = 0, threshold_pct = 0;
  int64_t pairs = 0, rounds = 0;
  AbVerdict verdict = AbVerdict::kAmbiguous;
  int64_t base_samples = 0, candidate_samples = 0;
  double sm_mhz = 0, mem_mhz = 0;
  int64_t throttle_discards = 0;
  int64_t processes = 1;         // how many processes' rows this one stands for
  std::string process_verdicts;  // theirs, in process order, '/'-separated ("slower/same")
};

// Header and rows.
std::string ab_rows_csv(const std::vector<AbRow>& rows);

// The rows of an A/B CSV. Throws ResultsFileError naming the file and line on an unreadable
// file, another ab_schema_version, a missing column, a malformed cell or a key given twice.
std::vector<AbRow> read_ab_csv(const std::string& path);

}  // namespace qgemv
